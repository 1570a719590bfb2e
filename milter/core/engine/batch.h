/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * batch.h - checking many messages with one engine: each message of a
 * mailbox list is read, given an envelope (the options, else what its
 * header implies), checked, and decided by the configured policy exactly
 * as the daemon decides; a pool of threads shares the engine, and results
 * come back to the caller one at a time in list order.
 */
#ifndef PF_BATCH_H
#define PF_BATCH_H

#include <stddef.h>

#include "base/pf.h"
#include "catalog/render.h"
#include "catalog/rules.h"
#include "config/policy.h"
#include "engine/engine.h"
#include "message/envguess.h"
#include "message/mailbox.h"

/* the recipient when neither the options nor the message name one */
#define PF_BATCH_DEFAULT_RCPT	"recipient@gmail.com"

struct pf_result;

struct pf_batch_opts {
	unsigned	 jobs;		/* threads; 0 or 1: this one only */
	const char	*mail_from;	/* --mail-from, or NULL */
	const char *const *rcpt;	/* --rcpt, or none */
	size_t		 nrcpt;
	int		 mta_adds;	/* enum pf_mta_adds; -1: the config's */
	int		 local;		/* model a local submission */
	const char	*mta_host;	/* the MTA's own name for what it adds */
	int		 min_confidence; /* enum pf_confidence: drop the
					 * predictions less sure; -1: the
					 * config's MinConfidence */
	int		 record;	/* count each message in the state
					 * store (pf_check_record) */
	/* render, if set, runs in the worker that checked the message, so
	 * that printing is spread over the threads too: it may set the
	 * result's text, which the caller then only writes out */
	void		(*render)(void *arg, struct pf_result *);
	void		*render_arg;
};

/* one checked message, ready to print */
struct pf_result {
	struct pf_outcome	 out;	/* points into the fields below */
	struct pf_verdict	 v;
	const struct pf_facts	*facts;	/* of chk; NULL on error */
	int			 internal;	/* out.error is ours, not the
						 * input's */
	int			 noinput;	/* ... the input could not be
						 * read at all */

	struct pf_check		*chk;
	struct pf_env_guess	 guess;
	const char		**rcpt;
	char			 label[4200];
	char			 why[320];
	char			 error[320];
	char			 added[40];
	char			 record_err[200];	/* --record failed */

	char			*text;		/* from opts->render; owned */
	size_t			 textlen;
};

/* pf_batch_one - check one message into r (reset it after).  Never
 * fails: a problem with the input or inside is r->out.error. */
void	pf_batch_one(struct pf_engine *, const struct pf_mitem *,
	    const struct pf_batch_opts *, struct pf_result *);
void	pf_result_reset(struct pf_result *);

/* a result in list order; nonzero stops the run */
typedef int (*pf_batch_fn)(void *arg, struct pf_result *);

/* pf_batch_run - every item of the list through opts->jobs threads.
 * PF_OK, PF_ENOMEM (threads could not start), or PF_EINVAL when fn
 * stopped the run. */
int	pf_batch_run(struct pf_engine *, const struct pf_mlist *,
	    const struct pf_batch_opts *, pf_batch_fn, void *arg,
	    struct pf_err *);

#endif
