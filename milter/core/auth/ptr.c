/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ptr.c - forward-confirmed reverse DNS (FCrDNS) of an egress address, as
 * Gmail checks the connecting IP: a PTR record must exist, and one of its
 * names must have an A (IPv4) or AAAA (IPv6) record holding the address.
 * A temporary failure at either step leaves the answer unknown.
 * Input trusted: none; at most PF_PTR_MAX_NAMES names are followed.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "auth/ptr.h"

/* confirms - does name have an address record equal to addr? 1/0/-1 */
static int
confirms(struct pf_dns *dns, const char *name, int v6,
    const unsigned char *addr, struct pf_dns_budget *b,
    struct pf_ptr_result *out)
{
	struct pf_dns_result r;
	size_t i, alen = v6 ? 16 : 4;
	int found = 0;

	pf_dns_query(dns, name, v6 ? PF_DNS_T_AAAA : PF_DNS_T_A, b, &r);
	if (r.rc == PF_DNS_TEMPFAIL) {
		if (out->why[0] == '\0') {
			out->undec = r.undec;
			snprintf(out->why, sizeof(out->why), "%s", r.why);
		}
		pf_dns_result_reset(&r);
		return -1;
	}
	for (i = 0; r.rc == PF_DNS_ANSWER && i < r.n; i++)
		if (r.rlen[i] == alen && memcmp(r.rdata[i], addr, alen) == 0)
			found = 1;
	pf_dns_result_reset(&r);
	return found;
}

/* pf_ptr_check - PTR, then the forward lookup of each name */
int
pf_ptr_check(struct pf_dns *dns, const char *ip, struct pf_dns_budget *b,
    struct pf_ptr_result *out)
{
	struct pf_dns_result r;
	unsigned char addr[16];
	char rev[80], name[256];
	size_t i;
	int c, unknown = 0;

	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, ip, addr) == 1)
		out->ipv6 = 0;
	else if (inet_pton(AF_INET6, ip, addr) == 1)
		out->ipv6 = 1;
	else
		return PF_EINVAL;
	if (pf_dns_reverse(ip, rev, sizeof(rev)) != PF_OK)
		return PF_EINVAL;
	pf_dns_query(dns, rev, PF_DNS_T_PTR, b, &r);
	if (r.rc == PF_DNS_TEMPFAIL) {
		out->present = out->fcrdns = -1;
		out->undec = r.undec;
		snprintf(out->why, sizeof(out->why), "%s", r.why);
		pf_dns_result_reset(&r);
		return PF_OK;
	}
	out->present = r.rc == PF_DNS_ANSWER;
	for (i = 0; out->present && i < r.n && i < PF_PTR_MAX_NAMES; i++) {
		if (pf_dns_name(r.rdata[i], r.rlen[i], 0, name, sizeof(name))
		    != PF_OK)
			continue;
		if (out->name[0] == '\0')
			snprintf(out->name, sizeof(out->name), "%s", name);
		c = confirms(dns, name, out->ipv6, addr, b, out);
		if (c > 0) {
			out->fcrdns = 1;
			snprintf(out->name, sizeof(out->name), "%s", name);
			break;
		}
		if (c < 0)
			unknown = 1;
	}
	pf_dns_result_reset(&r);
	if (out->fcrdns != 1)
		out->fcrdns = unknown ? -1 : 0;
	if (out->fcrdns != -1) {
		out->undec = PF_U_NONE;
		out->why[0] = '\0';
	}
	return PF_OK;
}
