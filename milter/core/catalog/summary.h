/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * summary.h - the tally of a batch of checked messages: how many, how
 * many of each verdict and action, how many could not be read, and how
 * often each catalog entry was predicted; printed as a table or as one
 * JSON object (PF_SUMMARY_SCHEMA).
 */
#ifndef PF_SUMMARY_H
#define PF_SUMMARY_H

#include <stddef.h>
#include <stdio.h>

#include "catalog/render.h"
#include "catalog/rules.h"

#define PF_SUMMARY_ACTIONS	8

struct pf_summary_rule {
	const struct pf_rule	*rule;
	size_t			 count;
};

struct pf_summary {
	size_t		 messages;	/* every item, errors included */
	size_t		 errors;	/* input errors */
	size_t		 verdict[3];	/* by enum pf_verdict_kind */
	size_t		 not_gmail;	/* not bound for Gmail */
	size_t		 undecided;	/* with a check left undecided */
	size_t		 failsafe;	/* FailAction: checks incomplete */
	struct {
		const char	*name;	/* borrowed: static action names */
		size_t		 count;
	}		 action[PF_SUMMARY_ACTIONS];
	size_t		 naction;
	struct pf_summary_rule *rule;
	size_t		 nrule, rcap;
	double		 seconds;	/* set by the caller, for the rate */
};

/* pf_summary_add - count one message; PF_ENOMEM */
int	pf_summary_add(struct pf_summary *, const struct pf_outcome *,
	    const struct pf_verdict *);
/* pf_summary_text - the table */
void	pf_summary_text(FILE *, const struct pf_summary *);
/* pf_summary_json - one object, one line */
void	pf_summary_json(FILE *, const struct pf_summary *);
void	pf_summary_reset(struct pf_summary *);

#endif
