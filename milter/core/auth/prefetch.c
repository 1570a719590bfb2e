/*
 * prefetch.c - the names the end-of-message checks will look up, worked
 * out from what the SMTP dialogue has shown so far, and handed to
 * pf_dns_prefetch.  Mirrors spf.c (the record of the envelope domain),
 * ptr.c (PTR of the egress address), rcpt.c (MX of a recipient domain),
 * dmarc.c (_dmarc. of the From domain and its organizational domain) and
 * dkim.c (the selector's key).  Only the first step of each chain: what
 * an answer leads to (SPF includes, the A record of a PTR name) is looked
 * up at end of message.  Input untrusted: names are length-checked here
 * and again by pf_dns_prefetch.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth/dmarc.h"
#include "auth/prefetch.h"
#include "auth/rcpt.h"

/* domain_of - the part after the last @, or NULL */
static const char *
domain_of(const char *addr)
{
	const char *at = addr != NULL ? strrchr(addr, '@') : NULL;

	return at != NULL && at[1] != '\0' ? at + 1 : NULL;
}

/* pf_prefetch_mail - SPF TXT and the egress PTRs */
void
pf_prefetch_mail(struct pf_dns *d, const char *mail_from, const char *helo,
    char *const *egress, size_t negress)
{
	const char *dom = domain_of(mail_from);
	char rev[80];
	size_t i;

	if (d == NULL)
		return;
	if (dom == NULL && mail_from != NULL)
		dom = helo;
	if (dom != NULL && *dom != '\0')
		pf_dns_prefetch(d, dom, PF_DNS_T_TXT);
	for (i = 0; i < negress; i++)
		if (pf_dns_reverse(egress[i], rev, sizeof(rev)) == PF_OK)
			pf_dns_prefetch(d, rev, PF_DNS_T_PTR);
}

/* pf_prefetch_rcpt - the recipient domain's MX */
void
pf_prefetch_rcpt(struct pf_dns *d, const char *rcpt)
{
	const char *dom = domain_of(rcpt);
	char buf[256];
	size_t n;

	if (d == NULL || dom == NULL)
		return;
	/* "<bob@gmail.com>" as the MTA may pass it */
	n = strcspn(dom, ">");
	if (n == 0 || n >= sizeof(buf))
		return;
	memcpy(buf, dom, n);
	buf[n] = '\0';
	if (!pf_rcpt_personal(buf))
		pf_dns_prefetch(d, buf, PF_DNS_T_MX);
}

/* pf_prefetch_from - _dmarc. of the domain and of its org domain */
void
pf_prefetch_from(struct pf_dns *d, const psl_ctx_t *psl,
    const char *from_addr)
{
	const char *dom = domain_of(from_addr);
	char name[300], org[256];

	if (d == NULL || dom == NULL)
		return;
	snprintf(name, sizeof(name), "_dmarc.%s", dom);
	pf_dns_prefetch(d, name, PF_DNS_T_TXT);
	if (pf_dmarc_orgdomain(psl, dom, org, sizeof(org)) == PF_OK &&
	    strcasecmp(org, dom) != 0) {
		snprintf(name, sizeof(name), "_dmarc.%s", org);
		pf_dns_prefetch(d, name, PF_DNS_T_TXT);
	}
}

/* tag - the value of tag t in a tag=value; list, without white space
 * (folding included); 0 if absent or too long */
static int
tag(const char *v, size_t len, char t, char *out, size_t olen)
{
	const char *e = v + len, *p = v, *semi;
	size_t o;

	while (p < e) {
		while (p < e && isspace((unsigned char)*p))
			p++;
		if (p >= e)
			break;
		semi = memchr(p, ';', (size_t)(e - p));
		if (semi == NULL)
			semi = e;
		if (p < semi && tolower((unsigned char)*p) == t) {
			const char *q = p + 1;

			while (q < semi && isspace((unsigned char)*q))
				q++;
			if (q < semi && *q == '=') {
				for (o = 0, q++; q < semi; q++) {
					if (isspace((unsigned char)*q))
						continue;
					if (o + 1 >= olen)
						return 0;
					out[o++] = *q;
				}
				out[o] = '\0';
				return o > 0;
			}
		}
		if (semi == e)
			break;
		p = semi + 1;
	}
	return 0;
}

/* pf_prefetch_dkim - s._domainkey.d TXT */
int
pf_prefetch_dkim(struct pf_dns *d, const char *value, size_t vlen)
{
	char s[64], dom[256], name[340];

	if (d == NULL || !tag(value, vlen, 's', s, sizeof(s)) ||
	    !tag(value, vlen, 'd', dom, sizeof(dom)))
		return 0;
	snprintf(name, sizeof(name), "%s._domainkey.%s", s, dom);
	pf_dns_prefetch(d, name, PF_DNS_T_TXT);
	return 1;
}
