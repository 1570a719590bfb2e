/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net.c - the IP address check and the host[:port] parser shared by
 * preflight.conf (Nameserver, EgressIP), the command line and the
 * resolver.  Input untrusted but short: every copy is bounded.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "base/net.h"

/* pf_ip_valid - an IPv4 or IPv6 address */
int
pf_ip_valid(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, buf) == 1 ||
	    inet_pton(AF_INET6, s, buf) == 1;
}

/* split - host and port text of "[v6]:port", "ip:port", "ip" or "v6" */
static int
split(const char *s, const char **h, size_t *hl, const char **port)
{
	const char *e, *colon;

	*port = NULL;
	if (s[0] == '[') {
		if ((e = strchr(s, ']')) == NULL ||
		    (e[1] != '\0' && e[1] != ':'))
			return PF_ESYNTAX;
		*h = s + 1;
		*hl = (size_t)(e - s - 1);
		if (e[1] == ':')
			*port = e + 2;
		return PF_OK;
	}
	*h = s;
	colon = strchr(s, ':');
	/* one colon: ip:port; more: a bare IPv6 address */
	if (colon != NULL && strchr(colon + 1, ':') == NULL) {
		*hl = (size_t)(colon - s);
		*port = colon + 1;
	} else
		*hl = strlen(s);
	return PF_OK;
}

/* pf_hostport - an IP address and an optional port */
int
pf_hostport(const char *s, char *host, unsigned *port, struct pf_err *err)
{
	const char *h, *p;
	size_t hl;
	int64_t pn;

	if (split(s, &h, &hl, &p) != PF_OK)
		return pf_err_set(err, PF_ESYNTAX, "\"%s\": expected "
		    "address[:port] or [address]:port", s);
	if (hl == 0 || hl >= PF_HOST_MAX)
		return pf_err_set(err, PF_ESYNTAX,
		    "\"%.*s\" is not an IP address", (int)(hl > 64 ? 64 : hl),
		    h);
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (!pf_ip_valid(host))
		return pf_err_set(err, PF_ESYNTAX,
		    "\"%s\" is not an IP address", host);
	if (p != NULL) {
		if (pf_strtonum(p, strlen(p), 1, 65535, &pn) != PF_OK)
			return pf_err_set(err, PF_ESYNTAX,
			    "port \"%.16s\" is not in 1..65535", p);
		*port = (unsigned)pn;
	}
	return PF_OK;
}
