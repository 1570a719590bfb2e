/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rcpt.c - what the recipient domains tell us.  gmail.com and
 * googlemail.com are personal Gmail, known by name, without DNS.  Any other
 * domain is Google Workspace when one of its MX hosts ends in .google.com
 * or .googlemail.com (aspmx.l.google.com, smtp.google.com, ...).  A domain
 * that does not exist, publishes a null MX (RFC 7505), or has neither MX
 * nor A/AAAA (RFC 5321 5.1 fallback) cannot receive mail.  The answers are
 * cached by the resolver for their TTLs.
 * Input trusted: none; names come from the envelope.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth/rcpt.h"

/* ends - does s end in suffix (case-insensitive)? */
static int
ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	if (n > 0 && s[n - 1] == '.')
		n--;
	return n >= m && strncasecmp(s + n - m, suffix, m) == 0;
}

/* pf_rcpt_personal - personal Gmail */
int
pf_rcpt_personal(const char *d)
{
	return strcasecmp(d, "gmail.com") == 0 ||
	    strcasecmp(d, "googlemail.com") == 0 ||
	    strcasecmp(d, "gmail.com.") == 0 ||
	    strcasecmp(d, "googlemail.com.") == 0;
}

/* pf_rcpt_google_mx - Google's inbound MX hosts */
int
pf_rcpt_google_mx(const char *host)
{
	return ends(host, ".google.com") || ends(host, ".googlemail.com");
}

/* addr_exists - A, then AAAA: 1 yes, 0 no, -1 unknown */
static int
addr_exists(struct pf_dns *dns, const char *d, struct pf_dns_budget *b,
    struct pf_rcpt_info *o)
{
	static const int types[] = { PF_DNS_T_A, PF_DNS_T_AAAA };
	struct pf_dns_result r;
	size_t i;
	int rc;

	for (i = 0; i < PF_NELEM(types); i++) {
		pf_dns_query(dns, d, types[i], b, &r);
		rc = r.rc;
		if (rc == PF_DNS_TEMPFAIL) {
			o->undec = r.undec;
			snprintf(o->why, sizeof(o->why), "%s", r.why);
		}
		pf_dns_result_reset(&r);
		if (rc == PF_DNS_ANSWER)
			return 1;
		if (rc == PF_DNS_TEMPFAIL)
			return -1;
		if (rc == PF_DNS_NXDOMAIN)
			break;
	}
	return 0;
}

/* pf_rcpt_domain - existence and Google-ness of one domain */
int
pf_rcpt_domain(struct pf_dns *dns, const char *d, struct pf_dns_budget *b,
    struct pf_rcpt_info *o)
{
	struct pf_dns_result r;
	char host[256];
	size_t i;
	int nullmx = 0;

	memset(o, 0, sizeof(*o));
	if (pf_rcpt_personal(d)) {
		o->exists = o->google = o->personal = 1;
		return PF_OK;
	}
	pf_dns_query(dns, d, PF_DNS_T_MX, b, &r);
	switch (r.rc) {
	case PF_DNS_TEMPFAIL:
		o->exists = o->google = -1;
		o->undec = r.undec;
		snprintf(o->why, sizeof(o->why), "%s", r.why);
		break;
	case PF_DNS_NXDOMAIN:
		snprintf(o->why, sizeof(o->why), "%s does not exist", d);
		break;
	case PF_DNS_ANSWER:
		o->exists = 1;
		for (i = 0; i < r.n; i++) {
			if (pf_dns_name(r.rdata[i], r.rlen[i], 2, host,
			    sizeof(host)) != PF_OK)
				continue;
			if (host[0] == '\0' && r.n == 1)
				nullmx = 1;	/* "MX 0 ." */
			if (pf_rcpt_google_mx(host))
				o->google = 1;
		}
		if (nullmx) {
			o->exists = 0;
			snprintf(o->why, sizeof(o->why), "%s publishes a null "
			    "MX (accepts no mail)", d);
		}
		break;
	default:	/* NODATA: the implicit MX is the domain itself */
		o->exists = addr_exists(dns, d, b, o);
		if (o->exists == -1)
			o->google = -1;
		else if (o->exists == 0)
			snprintf(o->why, sizeof(o->why), "%s has neither MX "
			    "nor A/AAAA records", d);
		break;
	}
	pf_dns_result_reset(&r);
	return PF_OK;
}
