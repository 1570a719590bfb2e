/*
 * reply.h - text the daemon hands to the MTA or writes to its log, made
 * safe: SMTP reply text, header values and log fields.  Pure functions,
 * no libmilter, so that the rules for each are tested on their own.
 */
#ifndef PF_SMTPREPLY_H
#define PF_SMTPREPLY_H

#include <stddef.h>

#include "config/policy.h"

/* libmilter refuses reply lines over 980 bytes; keep below */
#define PF_REPLY_MAX	900
/* one X-Preflight-Prediction value */
#define PF_HDRVAL_MAX	400

/* pf_reply_clean - printable ASCII only (others become '?'), runs of
 * blanks collapse, at most max-1 bytes, "..." when cut; pct doubles '%'
 * (smfi_setreply treats the text as a format).  Returns the length. */
size_t	pf_reply_clean(char *dst, size_t max, const char *src, int pct);

/* pf_reply_text - "preflight: Gmail would answer 550 5.7.26 (rule): text.
 * Fix: fix" for smfi_setreply, sanitized, % doubled */
size_t	pf_reply_text(char *dst, size_t max, const struct pf_pred *);

/* pf_reply_prediction - the X-Preflight-Prediction value (leading space
 * included): " <reply> <status> <rule-id>; <short text>" */
size_t	pf_reply_prediction(char *dst, size_t max, const struct pf_pred *);

/* pf_reply_logesc - untrusted text for a log line: printable ASCII, "\\xNN"
 * escapes for the rest, '"' and '\\' escaped, truncated to max-1 */
size_t	pf_reply_logesc(char *dst, size_t max, const char *src, size_t len);

/* pf_reply_is_ours - header name starts with "X-Preflight-" (any case) */
int	pf_reply_is_ours(const char *name);

#endif
