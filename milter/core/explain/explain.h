/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * explain.h - name the catalog entry behind a real Gmail reply.  The reply
 * (see reply.h) is compared with the entries of the same reply code and
 * enhanced status, by the words and word pairs it shares with each entry's
 * text and `match` wordings; placeholders are wildcards, and their values
 * (the IP, the domain, the header name, sizes) are read back from the reply.
 */
#ifndef PF_EXPLAIN_H
#define PF_EXPLAIN_H

#include <stddef.h>

#include "base/pf.h"
#include "explain/reply.h"
#include "catalog/rules.h"

enum pf_explain_kind {
	PF_X_MATCH,		/* an entry of the catalog */
	PF_X_UNKNOWN		/* a reply, but none of the catalog's */
};

struct pf_xvalue {
	char	*name;		/* "ip-address"; owned */
	char	*value;		/* owned */
};

struct pf_explanation {
	enum pf_explain_kind	 kind;
	struct pf_reply		 reply;
	const struct pf_rule	*rule;		/* borrowed from the rules */
	double			 score;		/* 0..1, text similarity */
	struct pf_xvalue	*ph;		/* placeholder values */
	size_t			 nph;
};

/* below this similarity a reply is not the entry's */
#define PF_EXPLAIN_MIN_SCORE		0.40
/* an entry under another status (Gmail has moved replies between
 * statuses) must be closer to be claimed */
#define PF_EXPLAIN_MIN_SCORE_OTHER	0.55
/* ... and beat the best entry of its own status by this much */
#define PF_EXPLAIN_MARGIN		0.15

/* pf_explain - parse in[0..len) as a reply and match it against the rules.
 * PF_ESYNTAX when the input is not a reply; PF_ENOMEM.  The explanation
 * must be reset even on failure. */
int	pf_explain(const struct pf_rules *, const char *in, size_t len,
	    struct pf_explanation *, struct pf_err *);
/* pf_explain_reply - match an already parsed reply; takes ownership of it */
int	pf_explain_reply(const struct pf_rules *, struct pf_reply *,
	    struct pf_explanation *);
void	pf_explanation_reset(struct pf_explanation *);

#endif
