/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session.h - the state of one milter connection and of the message in it,
 * shared by the callbacks (session.c) and the end-of-message actions
 * (act.c).
 */
#ifndef PF_SESSION_H
#define PF_SESSION_H

#include <stddef.h>
#include <time.h>

#include <libmilter/mfapi.h>

#include "engine/engine.h"

/* distinct X-Preflight-* names one message may carry and still be cleaned */
#define PF_MAX_OURS	256

struct ours {
	char		*name;		/* as sent */
	unsigned	 count;		/* occurrences, for the 1-based index */
};

struct sess {
	/* connection */
	int		 leadspc;	/* header values as sent (LEADSPC) */
	int		 local;		/* non-SMTP submission */
	unsigned long	 nr;		/* SMFIP_NR_* the MTA agreed to */
	int		 qfd;		/* TCP: verified socket for quickack */
	int		 answered;	/* TCP: a packet was answered since the
					 * last quickack (the kernel went back
					 * to delayed ACKs) */
	char		 client[64];	/* peer address or "local" */
	char		 helo[64];	/* client's HELO, escaped, for logs */
	char		 mtaname[256];	/* macro j: the MTA's own name */
	char		*hbuf;		/* scratch for header values */
	size_t		 hcap;
	struct pf_check	*idle;		/* the last message's check, kept for
					 * the next MAIL FROM to reset */

	/* message */
	struct pf_engine *eng;		/* pinned at MAIL FROM */
	struct pf_check	*chk;
	struct timespec	 t0;		/* MAIL FROM, monotonic */
	char		*mail;		/* MAIL FROM argument */
	unsigned	 nrcpt;
	unsigned long	 nhdr;
	int		 seen;		/* PF_MTAHDR_* fields in the message */
	struct ours	*ours;
	size_t		 nours;
	int		 failed;
	char		 why[128];
};

/* pf_sess_msg_reset - release everything about the current message */
void	pf_sess_msg_reset(struct sess *);
/* pf_act_eom - check, decide, apply, log; returns the milter status.  A
 * failure of the message (s->failed, s->why) sends it to FailAction; act.c
 * reports its own failures and does not call back into the session. */
sfsistat pf_act_eom(SMFICTX *, struct sess *);

#endif
