/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * prefetch.c - the names the end-of-message checks will look up, worked
 * out from what the SMTP dialogue has shown so far, and handed to
 * pf_dns_prefetch.  Mirrors spf.c (the record of the envelope domain),
 * ptr.c (PTR of the egress address), rcpt.c (MX of a recipient domain),
 * dmarc.c (_dmarc. of the From domain and its organizational domain) and
 * dkim.c (the selector's key), plus the guesses made at MAIL FROM: that
 * the From domain is the envelope domain (DMARC), and that the sender's
 * next message shows the From domains and DKIM keys its last ones did
 * (the sender memory, sendmem.h).  What an answer
 * leads to is started as soon as it arrives, in the resolver's thread
 * (pf_dns_prefetch_chain): the records an SPF record includes or
 * redirects to and the hosts its a and mx mechanisms name, the address
 * records of each PTR name (forward-confirmed reverse DNS), the address of
 * a recipient domain without MX.  Input untrusted: names are
 * length-checked here and again by pf_dns_prefetch; records are parsed
 * with bounds and each chain has a fixed allowance of lookups.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/dmarc.h"
#include "auth/prefetch.h"
#include "auth/ptr.h"
#include "auth/rcpt.h"
#include "auth/sendmem.h"

/* lookups an SPF chain may start beyond the record itself: RFC 7208's 10
 * DNS terms, with room for the hosts of an mx mechanism */
#define SPF_FOLLOW	20
#define MX_HOSTS	10	/* RFC 7208 4.6.4: MX names looked at */
#define MAX_SPF_TXT	4096

/* chain flags: the address families of the egress addresses */
#define FL_V4	1u
#define FL_V6	2u

/* domain_of - the part after the last @, or NULL */
static const char *
domain_of(const char *addr)
{
	const char *at = addr != NULL ? strrchr(addr, '@') : NULL;

	return at != NULL && at[1] != '\0' ? at + 1 : NULL;
}

/* addr_next - the address records of host the checks will ask for */
static void
addr_next(struct pf_dns *d, struct pf_dns_chain *c, const char *host)
{
	unsigned fl = pf_dns_chain_flags(c);

	if (fl & FL_V4 || !(fl & FL_V6))
		(void)pf_dns_prefetch_next(d, c, host, PF_DNS_T_A);
	if (fl & FL_V6)
		(void)pf_dns_prefetch_next(d, c, host, PF_DNS_T_AAAA);
}

/* spf_term - the lookup one term of dom's SPF record leads to: include
 * and redirect (another record), a and mx (the host named, or dom);
 * terms with macros (%) are left to end of message */
static void
spf_term(struct pf_dns *d, struct pf_dns_chain *c, const char *dom,
    const char *t, size_t n)
{
	char host[256];
	size_t k, h;
	int mx;

	if (n > 0 && strchr("+-~?", t[0]) != NULL) {
		t++;
		n--;
	}
	if (memchr(t, '%', n) != NULL)
		return;
	if ((n > 8 && strncasecmp(t, "include:", 8) == 0 && (k = 8)) ||
	    (n > 9 && strncasecmp(t, "redirect=", 9) == 0 && (k = 9))) {
		if (n - k < sizeof(host)) {
			memcpy(host, t + k, n - k);
			host[n - k] = '\0';
			(void)pf_dns_prefetch_next(d, c, host, PF_DNS_T_TXT);
		}
		return;
	}
	mx = n >= 2 && strncasecmp(t, "mx", 2) == 0;
	k = mx ? 2 : 1;
	if (!mx && (n < 1 || tolower((unsigned char)t[0]) != 'a'))
		return;
	if (n > k && t[k] != ':' && t[k] != '/')
		return;		/* "all", "any-other-name" */
	if (n > k + 1 && t[k] == ':') {
		h = strcspn(t + k + 1, "/");
		if (h > n - k - 1)
			h = n - k - 1;
		if (h == 0 || h >= sizeof(host))
			return;
		memcpy(host, t + k + 1, h);
		host[h] = '\0';
	} else
		snprintf(host, sizeof(host), "%s", dom);
	if (mx)
		(void)pf_dns_prefetch_next(d, c, host, PF_DNS_T_MX);
	else
		addr_next(d, c, host);
}

/* spf_record - the terms of one SPF record of dom */
static void
spf_record(struct pf_dns *d, struct pf_dns_chain *c, const char *dom,
    const char *rec)
{
	const char *p = rec + 6, *e = rec + strlen(rec);
	size_t n;

	while (p < e) {
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		n = strcspn(p, " \t");
		if (n > 0)
			spf_term(d, c, dom, p, n);
		p += n;
	}
}

/* follow_spf - an SPF record: its includes, redirect, a and mx hosts;
 * an MX answer (of an mx mechanism): the address of each host */
static void
follow_spf(struct pf_dns *d, struct pf_dns_chain *c, const char *name,
    const struct pf_dns_result *r)
{
	char rec[MAX_SPF_TXT], host[256];
	size_t i, len;

	for (i = 0; r->rc == PF_DNS_ANSWER && i < r->n; i++) {
		if (r->type == PF_DNS_T_MX) {
			if (i < MX_HOSTS && pf_dns_name(r->rdata[i], r->rlen[i],
			    2, host, sizeof(host)) == PF_OK && host[0] != '\0')
				addr_next(d, c, host);
			continue;
		}
		if (r->type != PF_DNS_T_TXT ||
		    pf_dns_txt(r->rdata[i], r->rlen[i], rec, sizeof(rec),
		    &len) != PF_OK)
			continue;
		if (len >= 6 && strncasecmp(rec, "v=spf1", 6) == 0 &&
		    (rec[6] == '\0' || rec[6] == ' '))
			spf_record(d, c, name, rec);
	}
}

/* follow_ptr - each PTR name's address records (FCrDNS) */
static void
follow_ptr(struct pf_dns *d, struct pf_dns_chain *c, const char *name,
    const struct pf_dns_result *r)
{
	char host[256];
	size_t i;

	(void)name;
	for (i = 0; r->type == PF_DNS_T_PTR && r->rc == PF_DNS_ANSWER &&
	    i < r->n && i < PF_PTR_MAX_NAMES; i++)
		if (pf_dns_name(r->rdata[i], r->rlen[i], 0, host,
		    sizeof(host)) == PF_OK && host[0] != '\0')
			(void)pf_dns_prefetch_next(d, c, host,
			    (pf_dns_chain_flags(c) & FL_V6) ? PF_DNS_T_AAAA :
			    PF_DNS_T_A);
}

/* follow_rcpt - a recipient domain without MX: its A, then its AAAA
 * (the order of rcpt.c) */
static void
follow_rcpt(struct pf_dns *d, struct pf_dns_chain *c, const char *name,
    const struct pf_dns_result *r)
{
	if (r->rc != PF_DNS_NODATA)
		return;
	if (r->type == PF_DNS_T_MX)
		(void)pf_dns_prefetch_next(d, c, name, PF_DNS_T_A);
	else if (r->type == PF_DNS_T_A)
		(void)pf_dns_prefetch_next(d, c, name, PF_DNS_T_AAAA);
}

/* egress_flags - the families of the egress addresses */
static unsigned
egress_flags(char *const *egress, size_t negress)
{
	unsigned fl = 0;
	size_t i;

	for (i = 0; i < negress; i++)
		fl |= strchr(egress[i], ':') != NULL ? FL_V6 : FL_V4;
	return fl;
}

/* pf_prefetch_mail - SPF TXT, the egress PTRs, the envelope's DMARC */
void
pf_prefetch_mail(struct pf_dns *d, const psl_ctx_t *psl,
    const char *mail_from, const char *helo, char *const *egress,
    size_t negress)
{
	const char *dom = domain_of(mail_from), *spf = dom;
	char rev[80], clean[256];
	size_t i, n;

	if (d == NULL)
		return;
	if (spf == NULL && mail_from != NULL)
		spf = helo;
	if (spf != NULL && *spf != '\0' && (n = strcspn(spf, ">")) > 0 &&
	    n < sizeof(clean)) {
		snprintf(clean, sizeof(clean), "%.*s", (int)n, spf);
		pf_dns_prefetch_chain(d, clean, PF_DNS_T_TXT, follow_spf,
		    SPF_FOLLOW, egress_flags(egress, negress));
	}
	for (i = 0; i < negress; i++)
		if (pf_dns_reverse(egress[i], rev, sizeof(rev)) == PF_OK)
			pf_dns_prefetch_chain(d, rev, PF_DNS_T_PTR, follow_ptr,
			    PF_PTR_MAX_NAMES, strchr(egress[i], ':') != NULL ?
			    FL_V6 : FL_V4);
	if (dom == NULL || (n = strcspn(dom, ">")) == 0 || n >= sizeof(clean))
		return;
	snprintf(clean, sizeof(clean), "x@%.*s", (int)n, dom);
	pf_prefetch_from(d, psl, clean);
}

/* pf_prefetch_guess - what the sender memory remembers for the sender */
void
pf_prefetch_guess(struct pf_dns *d, const psl_ctx_t *psl,
    const char *mail_from, const struct pf_sender *s)
{
	const char *env = domain_of(mail_from);
	char name[PF_SENDMEM_SEL + PF_SENDMEM_DOM + 16];
	size_t i, n = env != NULL ? strcspn(env, ">") : 0;

	if (d == NULL || s == NULL)
		return;
	for (i = 0; i < PF_SENDMEM_FROM && s->from[i][0] != '\0'; i++) {
		/* the envelope domain's were started with SPF */
		if (n == strlen(s->from[i]) &&
		    strncasecmp(env, s->from[i], n) == 0)
			continue;
		snprintf(name, sizeof(name), "x@%s", s->from[i]);
		pf_prefetch_from(d, psl, name);
	}
	for (i = 0; i < PF_SENDMEM_KEYS && s->key[i].s[0] != '\0'; i++) {
		snprintf(name, sizeof(name), "%s._domainkey.%s", s->key[i].s,
		    s->key[i].d);
		pf_dns_prefetch(d, name, PF_DNS_T_TXT);
	}
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
		pf_dns_prefetch_chain(d, buf, PF_DNS_T_MX, follow_rcpt, 2, 0);
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

/* pf_prefetch_dkim - s._domainkey.d TXT; noted in seen */
int
pf_prefetch_dkim(struct pf_dns *d, const char *value, size_t vlen,
    struct pf_sender *seen)
{
	char s[64], dom[256], name[340];

	if (d == NULL || !tag(value, vlen, 's', s, sizeof(s)) ||
	    !tag(value, vlen, 'd', dom, sizeof(dom)))
		return 0;
	snprintf(name, sizeof(name), "%s._domainkey.%s", s, dom);
	pf_dns_prefetch(d, name, PF_DNS_T_TXT);
	if (seen != NULL)
		(void)pf_sender_add_key(seen, s, dom);
	return 1;
}
