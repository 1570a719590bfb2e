/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * stats.h - the daemon's counters, histograms and gauges: what SIGUSR1
 * summarises in one log line and what the metrics listener serves.
 */
#ifndef PF_STATS_H
#define PF_STATS_H

#include <stddef.h>
#include <stdio.h>

#include "catalog/rules.h"
#include "config/policy.h"

/* sender domains with a series of their own; the rest are "other" */
#define PF_STATS_DOMAINS	20

void	pf_stats_init(void);
/* one message: the action applied, the verdict (NULL: a fail-safe action
 * before any verdict), its sender domain, and its time in the milter */
void	pf_stats_message(enum pf_action, int failsafe,
	    const struct pf_verdict *, const char *from_domain, double secs);
void	pf_stats_reload(int ok);
void	pf_stats_signal(int sig);
/* the catalog in service: its version text and date (seconds, 0: none) */
void	pf_stats_catalog(const char *version, long long date);
/* one line of name=value pairs, for SIGUSR1 */
void	pf_stats_summary(char *buf, size_t len);
/* the Prometheus text exposition format */
void	pf_stats_render(FILE *);
/* reload counters (for tests and the summary) */
unsigned long long pf_stats_reloads(void);

#endif
