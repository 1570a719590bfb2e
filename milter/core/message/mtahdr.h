/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mtahdr.h - the header fields an MTA adds after its milters have seen a
 * message: Message-ID, Date and From, when missing (Sendmail always adds
 * them; Postfix's cleanup adds them before the milter, for local
 * submissions only, or never).  Both doors feed these to the builder so
 * that a field the MTA will supply is not predicted as a Gmail rejection.
 * Whether the MTA adds them is the policy's (pf_policy_mta_adds).
 */
#ifndef PF_MTAHDR_H
#define PF_MTAHDR_H

#include <time.h>

#include "base/msg.h"

/* the fields the MTA completes, as bits of a "seen" mask */
#define PF_MTAHDR_MSGID	0x1
#define PF_MTAHDR_DATE	0x2
#define PF_MTAHDR_FROM	0x4

/* what the MTA uses to make them */
struct pf_mtahdr_env {
	const char	*host;	/* its own name ($j); NULL or "":
				 * localhost.localdomain */
	const char	*mail;	/* MAIL FROM argument; NULL, "" or "<>":
				 * the null sender */
	time_t		 now;
};

/* pf_mtahdr_seen - the PF_MTAHDR_* bit of a header field name (any case),
 * 0 for the fields the MTA does not add */
int	pf_mtahdr_seen(const char *name);

/* pf_mtahdr_add - feed m each field whose bit is not in seen, as the MTA
 * would write it.  PF_OK, or the builder's error with a static reason
 * naming the field in *why. */
int	pf_mtahdr_add(struct pf_msg *m, int seen,
	    const struct pf_mtahdr_env *env, const char **why);

#endif
