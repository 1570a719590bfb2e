/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ptr.h - reverse DNS of an egress address and its forward confirmation
 * (the PTR name resolves back to the same address), IPv4 and IPv6.
 */
#ifndef PF_PTR_H
#define PF_PTR_H

#include "base/pf.h"
#include "auth/dns.h"

#define PF_PTR_MAX_NAMES	10	/* PTR names checked forward */

struct pf_ptr_result {
	int	 present;	/* 1, 0, -1 unknown */
	int	 fcrdns;	/* 1, 0, -1 unknown */
	int	 ipv6;
	char	 name[256];	/* the confirmed name, else the first */
	enum pf_undecided undec;	/* unknown: why, as a value */
	char	 why[256];	/* unknown: what failed */
};

/* pf_ptr_check - PF_OK, or PF_EINVAL for an address that does not parse */
int	pf_ptr_check(struct pf_dns *, const char *ip, struct pf_dns_budget *,
	    struct pf_ptr_result *);

#endif
