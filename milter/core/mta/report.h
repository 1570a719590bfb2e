/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report.h - the findings of `preflight doctor`: one line per check, its
 * status, what was seen, how to fix it, and the catalog entry (a rule id
 * of rules/gmail.rules) that the problem would make Gmail answer.
 */
#ifndef PF_MTA_REPORT_H
#define PF_MTA_REPORT_H

#include <stdio.h>

#include "catalog/rules.h"

enum pf_mta_status {
	PF_MTA_OK = 0,
	PF_MTA_WARN,
	PF_MTA_FAIL,
	PF_MTA_UNKNOWN		/* could not be checked (DNS down, no data) */
};

struct pf_finding {
	enum pf_mta_status st;
	char	 check[300];	/* "tls.gmail", "dkim[example.com]" */
	char	 seen[600];
	char	 fix[400];	/* "" when nothing to do */
	char	 rule[48];	/* catalog id, "" when none */
};

#define PF_MTA_MAX_FINDINGS	512

struct pf_report {
	struct pf_finding f[PF_MTA_MAX_FINDINGS];
	size_t	 n;
	size_t	 dropped;	/* past PF_MTA_MAX_FINDINGS */
};

/* pf_report_add - one finding; seen is printf-style; rule and fix may be
 * NULL.  A report that is full counts the finding as dropped. */
void	pf_report_add(struct pf_report *, enum pf_mta_status,
	    const char *check, const char *rule, const char *fix,
	    const char *seenfmt, ...) __attribute__((format(printf, 6, 7)));

/* pf_report_worst - FAIL, UNKNOWN, WARN or OK, in that order of weight */
enum pf_mta_status pf_report_worst(const struct pf_report *);

/* pf_mta_status_name - "ok", "warn", "FAIL", "unknown" */
const char *pf_mta_status_name(enum pf_mta_status);

/* pf_report_text - one line per finding; the rules (may be NULL) give the
 * reply and status code of each named entry */
void	pf_report_text(FILE *, const struct pf_report *,
	    const struct pf_rules *);
/* pf_report_json - {"status": ..., "findings": [...]} */
void	pf_report_json(FILE *, const struct pf_report *,
	    const struct pf_rules *);

#endif
