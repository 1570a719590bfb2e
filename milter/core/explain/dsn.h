/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dsn.h - the recipients of a delivery status notification (RFC 3464):
 * one group of per-recipient fields for each, from its Final-Recipient
 * field to the blank line that ends it, with the reply of its
 * Diagnostic-Code field, else its Status.  A bounce for several
 * recipients gets one explanation per recipient.
 */
#ifndef PF_DSN_H
#define PF_DSN_H

#include <stddef.h>

#include "base/pf.h"
#include "catalog/rules.h"
#include "explain/explain.h"

#define PF_DSN_RCPT_MAX	1000	/* recipients read from one bounce */

struct pf_dsn_rcpt {
	char		 rcpt[320];	/* the address, without "rfc822;" */
	const char	*group;		/* its fields, borrowed from the input */
	size_t		 group_len;
};

/* pf_dsn_split - the per-recipient groups of in[0..len); *n = 0 when the
 * input is no DSN.  Owned array; PF_ENOMEM. */
int	pf_dsn_split(const char *in, size_t len, struct pf_dsn_rcpt **out,
	    size_t *n);

/* pf_dsn_explain - the explanation of one recipient: its Diagnostic-Code's
 * reply, or its Status alone.  PF_ESYNTAX when the group holds neither. */
int	pf_dsn_explain(const struct pf_rules *, const struct pf_dsn_rcpt *,
	    struct pf_explanation *, struct pf_err *);

#endif
