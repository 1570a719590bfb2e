/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * smtpreply.h - what an action hands to the MTA, decided and made safe:
 * the class and codes of a refusal (a predicted 4xx is never turned into
 * a 5xx), SMTP reply text, header values, and log fields.  Pure
 * functions, no libmilter: both doors and the tests reach them.  (Not to
 * be confused with explain/reply.h, which reads replies Gmail gave.)
 */
#ifndef PF_SMTPREPLY_H
#define PF_SMTPREPLY_H

#include <stddef.h>

#include "config/policy.h"

/* libmilter refuses reply lines over 980 bytes; keep below */
#define PF_SMTP_REPLY_MAX	900
/* one X-Preflight-Prediction value */
#define PF_SMTP_HDRVAL_MAX	400

/* pf_smtp_class - the class a refusal takes: 4 for tempfail; for reject
 * 5, unless the prediction's reply is 4xx (Gmail would only defer, so a
 * reject stays temporary).  0 for the actions that refuse nothing. */
int	pf_smtp_class(enum pf_action, const struct pf_pred *);

/* pf_smtp_codes - the reply code and enhanced status of a refusal of
 * class cls (4 or 5): the prediction's own when it is of that class, else
 * 451 or 550 with the prediction's status moved to the class ("5.7.26"
 * refused as 4 is "4.7.26") */
void	pf_smtp_codes(const struct pf_pred *, int cls, char *rc, size_t rclen,
	    char *xc, size_t xclen);

/* pf_smtp_clean - printable ASCII only (others become '?'), runs of
 * blanks collapse, at most max-1 bytes, "..." when cut; pct doubles '%'
 * (smfi_setreply treats the text as a format).  Returns the length. */
size_t	pf_smtp_clean(char *dst, size_t max, const char *src, int pct);

/* pf_smtp_text - "preflight: Gmail would answer 550 5.7.26 (rule): text.
 * Fix: fix" for smfi_setreply, sanitized, % doubled */
size_t	pf_smtp_text(char *dst, size_t max, const struct pf_pred *);

/* pf_smtp_prediction - the X-Preflight-Prediction value (leading space
 * included): " <reply> <status> <rule-id>; confidence=<level>; <short
 * text>" */
size_t	pf_smtp_prediction(char *dst, size_t max, const struct pf_pred *);

/* pf_smtp_logesc - untrusted text for a log line: printable ASCII, "\\xNN"
 * escapes for the rest, '"' and '\\' escaped, truncated to max-1 */
size_t	pf_smtp_logesc(char *dst, size_t max, const char *src, size_t len);

/* pf_smtp_is_ours - header name starts with "X-Preflight-" (any case) */
int	pf_smtp_is_ours(const char *name);

#endif
