/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rcpt.h - recipient domains: do they exist and accept mail (MX, else A or
 * AAAA), and is their mail handled by Google (personal Gmail by name,
 * Google Workspace by MX host)?
 */
#ifndef PF_RCPT_H
#define PF_RCPT_H

#include "base/pf.h"
#include "auth/dns.h"

struct pf_rcpt_info {
	int	 exists;	/* 1 accepts mail, 0 bad, -1 unknown */
	int	 google;	/* 1, 0, -1 unknown */
	int	 personal;	/* gmail.com / googlemail.com: by name */
	enum pf_undecided undec;	/* unknown: why, as a value */
	char	 why[256];	/* bad: why; unknown: what failed */
};

/* pf_rcpt_personal - gmail.com or googlemail.com (any case) */
int	pf_rcpt_personal(const char *domain);
/* pf_rcpt_google_mx - an MX host name of Google's */
int	pf_rcpt_google_mx(const char *host);
/* pf_rcpt_domain - look domain up (through dns.c, which caches) */
int	pf_rcpt_domain(struct pf_dns *, const char *domain,
	    struct pf_dns_budget *, struct pf_rcpt_info *);

#endif
