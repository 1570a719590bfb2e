/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf.h - SPF (RFC 7208) of an egress address against the envelope
 * sender's domain, through libspf2 with our resolver underneath, plus a
 * look at the published record: does it end in -all, and does it hold
 * entries Gmail calls suspicious (4.7.24 / 5.7.24).
 */
#ifndef PF_SPF_H
#define PF_SPF_H

#include "base/pf.h"
#include "auth/dns.h"

/* thresholds of the suspicious-record analysis (docs/auth.md) */
#define PF_SPF_WIDE_V4		8	/* ip4 prefix shorter than /8 */
#define PF_SPF_WIDE_V6		19	/* ip6 prefix shorter than /19 */
#define PF_SPF_MAX_DNS_TERMS	10	/* RFC 7208 4.6.4 */
#define PF_SPF_MAX_VOID		2	/* RFC 7208 4.6.4 */

struct pf_spf;

struct pf_spf_result {
	char	 result[12];	/* pass fail softfail neutral none
				 * temperror permerror */
	char	 domain[256];	/* the domain checked */
	enum pf_undecided undec;	/* temperror: why, as a value */
	char	 why[256];	/* temperror: what failed */
	int	 hardfail;	/* -all on the evaluated record; -1 unknown */
	int	 suspicious;	/* -1 unknown */
	char	 suspicious_why[256];
	enum pf_undecided record_undec;	/* hardfail/suspicious unknown */
	char	 record_why[256];
};

/* pf_spf_new - a libspf2 server over dns (borrowed, must outlive it) */
int	pf_spf_new(struct pf_dns *, const char *rec_dom, struct pf_spf **,
	    struct pf_err *);
void	pf_spf_free(struct pf_spf *);

/*
 * pf_spf_check - SPF of ip for mail_from ("" or NULL = null sender: the
 * HELO name is checked, RFC 7208 2.3), then the record analysis.  Safe from
 * many threads.  Returns PF_OK or PF_ENOMEM / PF_EINVAL (bad ip).
 */
int	pf_spf_check(struct pf_spf *, const char *ip, const char *mail_from,
	    const char *helo, struct pf_dns_budget *, struct pf_spf_result *);

/* pf_spf_rank - order of results, worst (lowest) first */
int	pf_spf_rank(const char *result);

#endif
