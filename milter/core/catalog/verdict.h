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
/* pf_verdict_report - the human layout */
void	pf_verdict_report(FILE *, const struct pf_verdict *,
	    const struct pf_facts *);

#endif
