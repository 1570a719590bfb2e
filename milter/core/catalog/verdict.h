/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verdict.h - rendering a verdict for people (a report, most important
 * first) and for programs (one JSON object).
 */
#ifndef PF_VERDICT_H
#define PF_VERDICT_H

#include <stdio.h>

#include "base/facts.h"
#include "catalog/rules.h"

/* pf_verdict_json - {"verdict", "predictions", "unknown", "auth"} */
void	pf_verdict_json(FILE *, const struct pf_verdict *,
	    const struct pf_facts *);
/* pf_verdict_json_members - the same members without the braces, for a
 * larger object */
void	pf_verdict_json_members(FILE *, const struct pf_verdict *,
	    const struct pf_facts *);
/* pf_verdict_report - the human layout */
void	pf_verdict_report(FILE *, const struct pf_verdict *,
	    const struct pf_facts *);

/* pf_verdict_min_confidence - drop the predictions of catalog entries
 * less sure than min (low < medium < high) and recompute the kind */
void	pf_verdict_min_confidence(struct pf_verdict *, enum pf_confidence min);

#endif
