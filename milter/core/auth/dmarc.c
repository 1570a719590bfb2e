/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dmarc.c - DMARC (RFC 7489) written here rather than taken from
 * libopendmarc, whose 1.4.2 passes strict alignment on organizational-
 * domain equality, refuses a record with rua= but no p=, and keeps global
 * state.  Policy discovery (6.6.3): TXT at _dmarc.<From domain>, records
 * that start with v=DMARC1; none there: the organizational domain (Public
 * Suffix List via libpsl).  Outcomes are kept apart: present, none,
 * invalid (published but unusable), and unknown (a temporary DNS failure).
 * Input trusted: none; records are parsed with bounds.
 */
#define _GNU_SOURCE	/* strcasestr */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/dmarc.h"

#define MAX_TXT	4096

/* lower - copy d lower-cased, without a final dot */
static int
lower(const char *d, char *buf, size_t len)
{
	size_t i, n = strlen(d);

	if (n > 0 && d[n - 1] == '.')
		n--;
	if (n == 0 || n >= len)
		return PF_EINVAL;
	for (i = 0; i < n; i++)
		buf[i] = (char)tolower((unsigned char)d[i]);
	buf[n] = '\0';
	return PF_OK;
}

/* two_labels - "a.b": its registrable domain is itself or none, so its
 * organizational domain is itself whatever the suffix list says */
static int
two_labels(const char *d)
{
	const char *dot = strchr(d, '.');

	return dot != NULL && dot != d && dot[1] != '\0' &&
	    strchr(dot + 1, '.') == NULL;
}

/* pf_dmarc_orgdomain - registrable domain, or d itself if it has none */
int
pf_dmarc_orgdomain(const psl_ctx_t *psl, const char *d, char *buf,
    size_t len)
{
	char low[256];
	const char *reg;

	if (lower(d, low, sizeof(low)) != PF_OK)
		return PF_EINVAL;
	reg = psl != NULL && !two_labels(low) ?
	    psl_registrable_domain(psl, low) : NULL;
	if (reg == NULL)
		reg = low;
	if (strlen(reg) >= len)
		return PF_ELIMIT;
	pf_strcopy(buf, len, reg);
	return PF_OK;
}

/* same_tld - the last labels are equal: an organizational domain is a
 * whole-label suffix of its domain, so two domains whose last labels
 * differ have different ones, and the suffix list need not be asked */
static int
same_tld(const char *a, const char *b)
{
	const char *da = strrchr(a, '.'), *db = strrchr(b, '.');

	da = da != NULL ? da + 1 : a;
	db = db != NULL ? db + 1 : b;
	return strcmp(da, db) == 0;
}

/* pf_dmarc_aligned - RFC 7489 3.1 identifier alignment */
int
pf_dmarc_aligned(const psl_ctx_t *psl, const char *a, const char *b,
    char mode)
{
	char la[256], lb[256];

	if (a == NULL || b == NULL || lower(a, la, sizeof(la)) != PF_OK ||
	    lower(b, lb, sizeof(lb)) != PF_OK)
		return 0;
	if (strcmp(la, lb) == 0)
		return 1;
	if (mode == 's' || !same_tld(la, lb))
		return 0;
	if (pf_dmarc_orgdomain(psl, la, la, sizeof(la)) != PF_OK ||
	    pf_dmarc_orgdomain(psl, lb, lb, sizeof(lb)) != PF_OK)
		return 0;
	return strcmp(la, lb) == 0;
}

/* trim - strip spaces around [*p, *e) */
static void
trim(const char **p, const char **e)
{
	while (*p < *e && isspace((unsigned char)**p))
		(*p)++;
	while (*e > *p && isspace((unsigned char)(*e)[-1]))
		(*e)--;
}

/* eq - [p, e) equals s, ignoring case */
static int
eq(const char *p, const char *e, const char *s)
{
	return (size_t)(e - p) == strlen(s) &&
	    strncasecmp(p, s, (size_t)(e - p)) == 0;
}

/* policy - a p= / sp= value, or NULL */
static const char *
policy(const char *p, const char *e)
{
	if (eq(p, e, "none"))
		return "none";
	if (eq(p, e, "quarantine"))
		return "quarantine";
	if (eq(p, e, "reject"))
		return "reject";
	return NULL;
}

/* pf_dmarc_parse - RFC 7489 6.3 tags; v first, then any order */
int
pf_dmarc_parse(const char *txt, struct pf_dmarc_rec *r)
{
	const char *p = txt, *end = txt + strlen(txt), *semi, *eqs, *k, *ke,
	    *v, *ve, *pol;
	int first = 1, badp = 0, badsp = 0, rua = 0;
	int64_t n;

	memset(r, 0, sizeof(*r));
	r->adkim = r->aspf = 'r';
	r->pct = 100;
	while (p < end) {
		if ((semi = memchr(p, ';', (size_t)(end - p))) == NULL)
			semi = end;
		eqs = memchr(p, '=', (size_t)(semi - p));
		k = p;
		ke = eqs ? eqs : semi;
		v = eqs ? eqs + 1 : semi;
		ve = semi;
		trim(&k, &ke);
		trim(&v, &ve);
		p = semi < end ? semi + 1 : end;
		if (first) {
			/* v=DMARC1 must be the first tag (6.3) */
			if (!eq(k, ke, "v") || ve - v != 6 ||
			    strncmp(v, "DMARC1", 6) != 0)
				return strcasestr(txt, "v=DMARC1") ? -1 : 0;
			first = 0;
			continue;
		}
		if (k == ke)
			continue;	/* empty (trailing ';') */
		if (eq(k, ke, "p")) {
			if ((pol = policy(v, ve)) == NULL)
				badp = 1;
			else
				pf_strcopy(r->p, sizeof(r->p), pol);
		} else if (eq(k, ke, "sp")) {
			if ((pol = policy(v, ve)) == NULL)
				badsp = 1;
			else
				pf_strcopy(r->sp, sizeof(r->sp), pol);
		} else if (eq(k, ke, "adkim") || eq(k, ke, "aspf")) {
			if (!eq(v, ve, "s") && !eq(v, ve, "r"))
				continue;
			*(k[1] == 'd' || k[1] == 'D' ? &r->adkim : &r->aspf) =
			    (char)tolower((unsigned char)*v);
		} else if (eq(k, ke, "pct")) {
			if (pf_strtonum(v, (size_t)(ve - v), 0, 100, &n) ==
			    PF_OK)
				r->pct = (int)n;
		} else if (eq(k, ke, "rua")) {
			rua = ve > v;
		}
	}
	if (first)
		return 0;
	/* 6.6.3 step 6: no valid p (or a bad sp), but a rua: p=none */
	if (r->p[0] == '\0' || badp || badsp) {
		if (!rua)
			return -1;
		snprintf(r->p, sizeof(r->p), "none");
		if (badsp)
			r->sp[0] = '\0';
	}
	return 1;
}

/* lookup - records at _dmarc.d: 1 found, 0 none, -1 tempfail; *bad set
 * when a TXT there looks like DMARC but is unusable */
static int
lookup(struct pf_dns *dns, const char *d, struct pf_dns_budget *b,
    struct pf_dmarc_rec *rec, int *bad, struct pf_dmarc_result *out)
{
	struct pf_dns_result r;
	struct pf_dmarc_rec one;
	char name[300], txt[MAX_TXT];
	size_t i;
	int n = 0, pr;

	memcpy(name, "_dmarc.", 7);
	pf_strcopy(name + 7, sizeof(name) - 7, d);
	pf_dns_query(dns, name, PF_DNS_T_TXT, b, &r);
	if (r.rc == PF_DNS_TEMPFAIL) {
		out->undec = r.undec;
		pf_strcopy(out->why, sizeof(out->why), r.why);
		pf_dns_result_reset(&r);
		return -1;
	}
	for (i = 0; r.rc == PF_DNS_ANSWER && i < r.n; i++) {
		if (pf_dns_txt(r.rdata[i], r.rlen[i], txt, sizeof(txt), NULL)
		    != PF_OK)
			continue;
		pr = pf_dmarc_parse(txt, &one);
		if (pr < 0)
			*bad = 1;
		else if (pr > 0 && n++ == 0)
			*rec = one;
	}
	pf_dns_result_reset(&r);
	/* 6.6.3 step 5: more than one record means no policy */
	if (n > 1) {
		*bad = 1;
		return 0;
	}
	return n;
}

/* discover - 6.6.3: the From domain, then the organizational domain */
static int
discover(struct pf_dns *dns, const psl_ctx_t *psl, const char *from,
    struct pf_dns_budget *b, struct pf_dmarc_result *out)
{
	char org[256];
	int bad = 0, rc;

	rc = lookup(dns, from, b, &out->rec, &bad, out);
	if (rc == 0 && pf_dmarc_orgdomain(psl, from, org, sizeof(org)) ==
	    PF_OK && strcmp(org, from) != 0) {
		rc = lookup(dns, org, b, &out->rec, &bad, out);
		if (rc > 0)
			pf_strcopy(out->domain, sizeof(out->domain), org);
	} else if (rc > 0)
		pf_strcopy(out->domain, sizeof(out->domain), from);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		snprintf(out->record, sizeof(out->record), "present");
		/* sp= governs subdomains of the domain holding the record */
		snprintf(out->policy, sizeof(out->policy), "%s",
		    strcmp(out->domain, from) != 0 && out->rec.sp[0] ?
		    out->rec.sp : out->rec.p);
	} else
		snprintf(out->record, sizeof(out->record), "%s",
		    bad ? "invalid" : "none");
	return rc;
}

/* pf_dmarc_check - policy and alignment for one message */
int
pf_dmarc_check(struct pf_dns *dns, const psl_ctx_t *psl, const char *from,
    const char *spf_domain, int spf_pass, const char *const *dkim_pass,
    size_t ndkim, int dkim_temp, struct pf_dns_budget *b,
    struct pf_dmarc_result *out)
{
	char low[256];
	char mspf, mdkim;
	size_t i;
	int found, strict_any = 0;

	memset(out, 0, sizeof(*out));
	if (from == NULL || lower(from, low, sizeof(low)) != PF_OK) {
		out->spf_aligned = out->dkim_aligned = out->pass = -1;
		out->undec = PF_U_NO_INPUT;
		snprintf(out->why, sizeof(out->why), "no From domain");
		return PF_OK;
	}
	found = discover(dns, psl, low, b, out);
	mspf = found > 0 ? out->rec.aspf : 'r';
	mdkim = found > 0 ? out->rec.adkim : 'r';
	out->spf_aligned = spf_pass == 1 &&
	    pf_dmarc_aligned(psl, spf_domain, low, mspf);
	for (i = 0; i < ndkim && !out->dkim_aligned; i++) {
		if (pf_dmarc_aligned(psl, dkim_pass[i], low, mdkim)) {
			out->dkim_aligned = 1;
			snprintf(out->dkim_domain, sizeof(out->dkim_domain),
			    "%s", dkim_pass[i]);
		}
	}
	if (found < 0) {
		/* mode unknown: aligned under strict is aligned in any mode,
		 * unaligned under relaxed is unaligned in any mode */
		if (out->spf_aligned && !pf_dmarc_aligned(psl, spf_domain, low,
		    's'))
			out->spf_aligned = -1;
		for (i = 0; i < ndkim; i++)
			if (pf_dmarc_aligned(psl, dkim_pass[i], low, 's'))
				strict_any = 1;
		if (out->dkim_aligned && !strict_any)
			out->dkim_aligned = -1;
	}
	/* an SPF result we could not learn could still align, if the
	 * domain would */
	if (!out->spf_aligned && spf_pass < 0 &&
	    pf_dmarc_aligned(psl, spf_domain, low, 'r'))
		out->spf_aligned = -1;
	if (!out->dkim_aligned && dkim_temp)
		out->dkim_aligned = -1;
	if (out->spf_aligned == 1 || out->dkim_aligned == 1)
		out->pass = 1;
	else if (out->spf_aligned == 0 && out->dkim_aligned == 0)
		out->pass = 0;
	else
		out->pass = -1;
	return PF_OK;
}
