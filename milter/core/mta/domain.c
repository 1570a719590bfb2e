/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * domain.c - each sending domain as Gmail will judge it: it exists and
 * has MX, its SPF record passes for every egress address and is not one
 * Gmail calls suspicious (+all, more than 10 DNS-querying terms), the DKIM
 * key the signer will use is published, matches the private key and is
 * long enough, and a DMARC record is published and parses.  The checks
 * reuse the message path's modules: spf.c, signer.c, dmarc.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpsl.h>

#include "auth/dmarc.h"
#include "auth/signer.h"
#include "auth/spf.h"
#include "mta/doctor.h"

#define DOCTOR_DNS_MS	20000

/* exists - MX, else an address; 1 yes, 0 NXDOMAIN, -1 unknown */
static int
exists(struct pf_doctor *d, const char *dom)
{
	struct pf_dns_budget b;
	struct pf_dns_result r;
	char check[300], mx[256] = "";
	enum pf_dns_rc rc;

	snprintf(check, sizeof(check), "mx[%s]", dom);
	pf_dns_budget_init(&b, DOCTOR_DNS_MS);
	pf_dns_query(d->dns, dom, PF_DNS_T_MX, &b, &r);
	rc = r.rc;
	if (rc == PF_DNS_ANSWER && r.n > 0)
		pf_dns_name(r.rdata[0], r.rlen[0], 2, mx, sizeof(mx));
	if (rc == PF_DNS_TEMPFAIL)
		pf_report_add(d->rep, PF_MTA_UNKNOWN, check, NULL, NULL,
		    "%s", r.why);
	else if (rc == PF_DNS_NXDOMAIN)
		pf_report_add(d->rep, PF_MTA_FAIL, check, "unauthenticated",
		    "publish the domain, or send from one that exists",
		    "%s does not exist (NXDOMAIN)", dom);
	else if (rc == PF_DNS_NODATA)
		pf_report_add(d->rep, PF_MTA_WARN, check, NULL,
		    "an MX record, so that replies and bounces arrive",
		    "%s has no MX record", dom);
	else
		pf_report_add(d->rep, PF_MTA_OK, check, NULL, NULL, "MX %s%s",
		    mx, r.n > 1 ? " and more" : "");
	pf_dns_result_reset(&r);
	return rc == PF_DNS_TEMPFAIL ? -1 : rc != PF_DNS_NXDOMAIN;
}

/* spf_one - SPF of one egress address for mail from postmaster@dom */
static void
spf_one(struct pf_doctor *d, struct pf_spf *spf, const char *dom,
    const char *ip, struct pf_spf_result *res)
{
	struct pf_dns_budget b;
	char check[300], from[300];
	const char *rule = d->cfg->bulk == PF_BULK_YES ? "bulk-spf-fail" :
	    "unauthenticated";
	char why[160];
	enum pf_egress_use use = pf_doctor_egress_use(d, ip, why, sizeof(why));
	const char *r;

	snprintf(check, sizeof(check), "spf[%s]", dom);
	snprintf(from, sizeof(from), "postmaster@%s", dom);
	pf_dns_budget_init(&b, DOCTOR_DNS_MS);
	if (pf_spf_check(spf, ip, from, d->helo[0] ? d->helo : NULL, &b,
	    res) != PF_OK) {
		pf_report_add(d->rep, PF_MTA_UNKNOWN, check, NULL, NULL,
		    "%s: cannot evaluate", ip);
		return;
	}
	r = res->result;
	if (strcmp(r, "none") == 0)
		pf_report_add(d->rep, PF_MTA_FAIL, check, rule,
		    "publish \"v=spf1 ip4:... -all\" naming every egress "
		    "address", "%s has no SPF record", dom);
	else if (use == PF_EGRESS_UNUSED)  /* the record is still read */
		pf_report_add(d->rep, PF_MTA_OK, check, NULL, NULL, "%s: %s",
		    ip, why);
	else if (strcmp(r, "pass") == 0)
		pf_report_add(d->rep, PF_MTA_OK, check, NULL, NULL,
		    "%s: pass", ip);
	else if (strcmp(r, "temperror") == 0)
		pf_report_add(d->rep, PF_MTA_UNKNOWN, check, NULL, NULL,
		    "%s: %s", ip, res->why[0] ? res->why : "temperror");
	else
		pf_report_add(d->rep, use == PF_EGRESS_FALLBACK ? PF_MTA_WARN :
		    PF_MTA_FAIL, check,
		    strcmp(r, "fail") == 0 && res->hardfail == 1 ?
		    "spf-hardfail" : rule,
		    "add the address to the SPF record (ip4:/ip6:)",
		    "%s: %s; the record does not cover this address%s%s", ip,
		    r, use == PF_EGRESS_FALLBACK ? "; " : "",
		    use == PF_EGRESS_FALLBACK ? why : "");
}

/* spf - every egress address, then the record's shape */
static void
spf(struct pf_doctor *d, const char *dom)
{
	struct pf_spf_result res;
	struct pf_spf *spf;
	struct pf_err err;
	char check[300];
	size_t i;

	snprintf(check, sizeof(check), "spf[%s]", dom);
	if (d->cfg->negress == 0) {
		pf_report_add(d->rep, PF_MTA_UNKNOWN, check, NULL,
		    "EgressIP in preflight.conf", "no EgressIP to check");
		return;
	}
	memset(&err, 0, sizeof(err));
	if (pf_spf_new(d->dns, NULL, &spf, &err) != PF_OK) {
		pf_report_add(d->rep, PF_MTA_UNKNOWN, check, NULL, NULL,
		    "%s", err.msg);
		return;
	}
	memset(&res, 0, sizeof(res));
	for (i = 0; i < d->cfg->negress; i++)
		spf_one(d, spf, dom, d->cfg->egress[i], &res);
	pf_spf_free(spf);
	snprintf(check, sizeof(check), "spf.record[%s]", dom);
	if (strcmp(res.result, "none") == 0 ||
	    strcmp(res.result, "permerror") == 0)
		return;
	if (res.suspicious < 0)
		pf_report_add(d->rep, PF_MTA_UNKNOWN, check, NULL, NULL,
		    "%s", res.record_why[0] ? res.record_why : "not read");
	else if (res.suspicious)
		pf_report_add(d->rep, PF_MTA_FAIL, check, "spf-suspicious",
		    "no +all, at most 10 DNS-querying terms, no ptr",
		    "%s", res.suspicious_why);
	else
		pf_report_add(d->rep, PF_MTA_OK, check, NULL, NULL,
		    "%s, no +all, within 10 DNS lookups",
		    res.hardfail == 1 ? "-all" : "no -all");
}

/* dkim - the key the signer will use for dom */
static void
dkim(struct pf_doctor *d, const struct pf_signers *sg, const char *dom)
{
	const char *rule = d->cfg->bulk == PF_BULK_YES ? "bulk-dkim-fail" :
	    "unauthenticated";
	struct pf_dns_budget b;
	struct pf_sign_pred p;
	char check[300];

	snprintf(check, sizeof(check), "dkim[%s]", dom);
	pf_dns_budget_init(&b, DOCTOR_DNS_MS);
	memset(&p, 0, sizeof(p));
	if (sg == NULL || !pf_signers_predict(sg, d->dns, NULL, dom, &b, &p)) {
		pf_report_add(d->rep, d->cfg->bulk == PF_BULK_YES ?
		    PF_MTA_FAIL : PF_MTA_WARN,
		    check, rule, "a DKIM signer (Signer or KeyTable in "
		    "preflight.conf names it)", "no DKIM key declared for %s",
		    dom);
		return;
	}
	if (strcasecmp(p.domain, dom) != 0)
		snprintf(p.selector + strlen(p.selector), sizeof(p.selector) -
		    strlen(p.selector), " d=%s", p.domain);
	if (p.bits == 0)
		pf_report_add(d->rep, PF_MTA_FAIL, check, rule,
		    "a readable PEM private key", "%s", p.why);
	else if (p.bits < 1024)
		pf_report_add(d->rep, PF_MTA_FAIL, check, rule,
		    "a 2048-bit RSA key", "s=%s: %u-bit key; Gmail fails "
		    "signatures with keys under 1024 bits", p.selector, p.bits);
	else if (p.match < 0)
		pf_report_add(d->rep, PF_MTA_UNKNOWN, check, NULL, NULL,
		    "s=%s: %s", p.selector, p.why);
	else if (p.match == 0)
		pf_report_add(d->rep, PF_MTA_FAIL, check, rule,
		    strstr(p.why, "no DKIM key") ? "publish the public key "
		    "as TXT at the selector" : "publish the public key of "
		    "the private key file", "s=%s: %s", p.selector, p.why);
	else if (p.bits < 2048)
		pf_report_add(d->rep, PF_MTA_WARN, check, NULL,
		    "a 2048-bit RSA key", "s=%s: published and matching, but "
		    "%u bits (Gmail recommends 2048)", p.selector, p.bits);
	else
		pf_report_add(d->rep, PF_MTA_OK, check, NULL, NULL,
		    "s=%s: %s %u bits, published and matching", p.selector,
		    p.alg, p.bits);
}

/* dmarc_at - the DMARC record at _dmarc.name: 1 found (parsed into
 * rec, valid says whether it parses), 0 none, -1 unknown */
static int
dmarc_at(struct pf_doctor *d, const char *name, struct pf_dmarc_rec *rec,
    int *valid, char *why, size_t wlen)
{
	struct pf_dns_budget b;
	struct pf_dns_result r;
	char q[300], txt[2048];
	size_t i;
	int found = 0, rc;

	snprintf(q, sizeof(q), "_dmarc.%s", name);
	pf_dns_budget_init(&b, DOCTOR_DNS_MS);
	pf_dns_query(d->dns, q, PF_DNS_T_TXT, &b, &r);
	if (r.rc == PF_DNS_TEMPFAIL) {
		snprintf(why, wlen, "%s", r.why);
		pf_dns_result_reset(&r);
		return -1;
	}
	for (i = 0; r.rc == PF_DNS_ANSWER && i < r.n && !found; i++) {
		if (pf_dns_txt(r.rdata[i], r.rlen[i], txt, sizeof(txt),
		    NULL) != PF_OK)
			continue;
		if ((rc = pf_dmarc_parse(txt, rec)) != 0) {
			found = 1;
			*valid = rc > 0;
		}
	}
	pf_dns_result_reset(&r);
	return found;
}

/* dmarc - the record of dom, else of its organizational domain */
static void
dmarc(struct pf_doctor *d, const psl_ctx_t *psl, const char *dom)
{
	struct pf_dmarc_rec rec;
	char check[300], org[256], why[256] = "";
	const char *at = dom;
	int valid = 0, f;

	snprintf(check, sizeof(check), "dmarc[%s]", dom);
	f = dmarc_at(d, dom, &rec, &valid, why, sizeof(why));
	if (f == 0 && psl != NULL &&
	    pf_dmarc_orgdomain(psl, dom, org, sizeof(org)) == PF_OK &&
	    strcasecmp(org, dom) != 0) {
		at = org;
		f = dmarc_at(d, org, &rec, &valid, why, sizeof(why));
	}
	if (f < 0)
		pf_report_add(d->rep, PF_MTA_UNKNOWN, check, NULL, NULL,
		    "%s", why);
	else if (f == 0)
		pf_report_add(d->rep, d->cfg->bulk == PF_BULK_YES ?
		    PF_MTA_FAIL :
		    PF_MTA_WARN, check, "bulk-dmarc-missing",
		    "publish \"v=DMARC1; p=none; rua=mailto:...\" at _dmarc",
		    "no DMARC record at _dmarc.%s", dom);
	else if (!valid)
		pf_report_add(d->rep, PF_MTA_FAIL, check,
		    "bulk-dmarc-missing", "a record that parses "
		    "(RFC 7489 6.3)", "the record at _dmarc.%s does not "
		    "parse", at);
	else
		pf_report_add(d->rep, PF_MTA_OK, check, NULL, NULL,
		    "_dmarc.%s: p=%s adkim=%c aspf=%c pct=%d", at, rec.p,
		    rec.adkim, rec.aspf, rec.pct);
}

/* pf_doctor_add_domain - a sending domain to check, once each */
void
pf_doctor_add_domain(struct pf_doctor *d, const char *dom)
{
	size_t i;

	for (i = 0; i < d->ndomains; i++)
		if (strcasecmp(d->domains[i], dom) == 0)
			return;
	if (d->ndomains < PF_DOCTOR_MAX_DOMAINS)
		d->domains[d->ndomains++] = dom;
}

/* pf_doctor_domains - every sending domain */
void
pf_doctor_domains(struct pf_doctor *d)
{
	struct pf_signers *sg = NULL;
	psl_ctx_t *psl = psl_latest(NULL);
	struct pf_err err;
	const char *dom;
	size_t i, given = d->ndomains;

	memset(&err, 0, sizeof(err));
	if (pf_signers_load(d->cfg, &sg, &err) != PF_OK) {
		char buf[800];

		pf_report_add(d->rep, PF_MTA_FAIL, "dkim", NULL,
		    "the KeyTable / SigningTable", "%s",
		    pf_err_format(&err, buf, sizeof(buf)));
		sg = NULL;
	}
	/* the KeyTable's domains too ("%" signs for any From domain) */
	for (i = 0; (dom = pf_signers_domain(sg, i)) != NULL; i++)
		if (strcmp(dom, "%") != 0)
			pf_doctor_add_domain(d, dom);
	if (d->ndomains == 0)
		pf_report_add(d->rep, PF_MTA_UNKNOWN, "domains", NULL,
		    "--domain, or Signer / KeyTable in preflight.conf",
		    "no sending domain to check");
	for (i = 0; i < d->ndomains; i++) {
		if (exists(d, d->domains[i]) == 0)
			continue;
		spf(d, d->domains[i]);
		dkim(d, sg, d->domains[i]);
		dmarc(d, psl, d->domains[i]);
	}
	/* the KeyTable's names go with it */
	d->ndomains = given;
	pf_signers_free(sg);
	psl_free(psl);
}
