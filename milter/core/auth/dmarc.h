/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dmarc.h - DMARC (RFC 7489) by hand: policy discovery on the From domain
 * with the organizational-domain fallback (Public Suffix List), the tags
 * that matter, and relaxed/strict identifier alignment.
 */
#ifndef PF_DMARC_H
#define PF_DMARC_H

#include <libpsl.h>

#include "base/pf.h"
#include "auth/dns.h"

/* a parsed record */
struct pf_dmarc_rec {
	char	 p[12];		/* none quarantine reject */
	char	 sp[12];	/* "" = same as p */
	char	 adkim;		/* 'r' or 's' */
	char	 aspf;
	int	 pct;		/* 0..100 */
};

struct pf_dmarc_result {
	char	 record[12];	/* present, none, invalid; "" = unknown */
	enum pf_undecided undec;	/* unknown: why, as a value */
	char	 why[256];	/* unknown: the temporary failure */
	char	 domain[256];	/* where the record was found */
	char	 policy[12];	/* policy that applies to the From domain */
	struct pf_dmarc_rec rec;
	/* 1 yes, 0 no, -1 unknown (only when the record is unknown) */
	int	 spf_aligned;
	int	 dkim_aligned;
	int	 pass;
	char	 dkim_domain[256];	/* the aligned passing d=, if any */
};

/*
 * pf_dmarc_parse - tags of one TXT record.  1 = a usable record, 0 = not
 * a DMARC record at all, -1 = DMARC but unusable (invalid).
 */
int	pf_dmarc_parse(const char *txt, struct pf_dmarc_rec *);

/* pf_dmarc_orgdomain - organizational domain of d (lower-cased) */
int	pf_dmarc_orgdomain(const psl_ctx_t *, const char *d, char *buf,
	    size_t len);
/* pf_dmarc_aligned - a and b aligned, strict ('s') or relaxed ('r') */
int	pf_dmarc_aligned(const psl_ctx_t *, const char *a, const char *b,
	    char mode);

/*
 * pf_dmarc_check - discover the policy of from and evaluate alignment of
 * the SPF domain and each passing DKIM d=.  spf_pass is 1, 0, or -1 when
 * the SPF outcome could not be learnt; dkim_temp says the same of a DKIM
 * key.  Either makes a non-passing outcome unknown, not a fail.
 */
int	pf_dmarc_check(struct pf_dns *, const psl_ctx_t *, const char *from,
	    const char *spf_domain, int spf_pass, const char *const *dkim_pass,
	    size_t ndkim, int dkim_temp, struct pf_dns_budget *,
	    struct pf_dmarc_result *);

#endif
