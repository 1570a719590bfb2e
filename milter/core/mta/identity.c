/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * identity.c - what Gmail sees of the MTA before the message: the HELO
 * name (RFC 5321 4.1.1.1 wants a fully-qualified domain name; Gmail
 * answers 501 5.5.4 to one that is not a domain), the reverse DNS of each
 * egress address (Gmail's sender guidelines: a PTR whose name resolves
 * back to the address, 550 5.7.25; stricter for IPv6, 550 5.7.1), whether
 * the HELO name is that confirmed name, and whether the PTR name looks
 * like an ISP's generic or dynamic naming, which blocklists such as
 * Spamhaus PBL take as "should not send mail directly" (550 5.7.1).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth/ptr.h"
#include "mta/doctor.h"

#define DOCTOR_DNS_MS	20000

/* ldh_fqdn - 1 a fully-qualified LDH name; 0 not a domain name at all;
 * -1 a domain name of one label */
static int
ldh_fqdn(const char *s)
{
	size_t n = strlen(s), lab = 0, i;
	int dots = 0;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (lab == 0 || s[i - 1] == '-')
				return 0;
			lab = 0;
			dots++;
			continue;
		}
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return 0;
		if ((lab == 0 && s[i] == '-') || ++lab > 63)
			return 0;
	}
	if (s[n - 1] == '-')
		return 0;
	return dots == 0 || (dots == 1 && s[n - 1] == '.') ? -1 : 1;
}

/* helo_name - the name the MTA presents: Postfix's smtp_helo_name (for
 * the smtp service, -o included), Sendmail's $j via HeloName, else
 * preflight.conf HELO */
static void
helo_name(struct pf_doctor *d, char *buf, size_t len)
{
	const char *v = NULL;
	size_t i;

	if (d->pc != NULL) {
		for (i = 0; i < pf_postconf_nservices(d->pc); i++) {
			const struct pf_pc_service *s =
			    pf_postconf_service(d->pc, i);

			if (strcmp(s->name, "smtp") == 0 &&
			    strcmp(s->type, "unix") == 0)
				v = pf_postconf_svc_get(d->pc, s,
				    "smtp_helo_name");
		}
		if (v == NULL)
			v = pf_postconf_get(d->pc, "smtp_helo_name");
	}
	if (v == NULL && d->sm != NULL)
		v = pf_sendmailcf_opt(d->sm, "HeloName");
	if (v == NULL)
		v = d->cfg->helo;
	snprintf(buf, len, "%s", v ? v : "");
}

/* resolves - the A/AAAA records of name: 1 some, 0 none, -1 unknown;
 * has is set when one of them is ip */
static int
resolves(struct pf_doctor *d, const char *name, const char *ip, int *has,
    char *why, size_t wlen)
{
	static const int types[] = { PF_DNS_T_A, PF_DNS_T_AAAA };
	unsigned char bin[16];
	struct pf_dns_budget b;
	struct pf_dns_result r;
	int any = 0, unknown = 0, v6 = ip && strchr(ip, ':') != NULL;
	size_t t, i, alen = v6 ? 16 : 4;

	*has = 0;
	if (ip != NULL && inet_pton(v6 ? AF_INET6 : AF_INET, ip, bin) != 1)
		ip = NULL;
	for (t = 0; t < 2; t++) {
		pf_dns_budget_init(&b, DOCTOR_DNS_MS);
		pf_dns_query(d->dns, name, types[t], &b, &r);
		if (r.rc == PF_DNS_TEMPFAIL) {
			unknown = 1;
			snprintf(why, wlen, "%s", r.why);
		}
		for (i = 0; r.rc == PF_DNS_ANSWER && i < r.n; i++) {
			any = 1;
			if (ip != NULL && (types[t] == PF_DNS_T_AAAA) == v6 &&
			    r.rlen[i] == alen && memcmp(r.rdata[i], bin,
			    alen) == 0)
				*has = 1;
		}
		pf_dns_result_reset(&r);
	}
	return any ? 1 : unknown ? -1 : 0;
}

/* generic_ptr - does a PTR name look like an ISP's generic naming: the
 * address's own digits in it, or a word for dynamic or end-user space */
static int
generic_ptr(const char *name, const char *ip, char *why, size_t len)
{
	static const char *words[] = { "dynamic", "dyn", "dhcp", "dsl",
	    "adsl", "cable", "pool", "ppp", "dial", "dialup", "cust",
	    "customer", "client", "broadband", "residential", "static",
	    "ip" };
	unsigned a[4];
	char dashed[64], rev[64], low[256], tok[256];
	const char *p = low;
	size_t i, w;

	if (sscanf(ip, "%u.%u.%u.%u", &a[0], &a[1], &a[2], &a[3]) == 4) {
		snprintf(dashed, sizeof(dashed), "%u-%u-%u-%u", a[0], a[1],
		    a[2], a[3]);
		snprintf(rev, sizeof(rev), "%u-%u-%u-%u", a[3], a[2], a[1],
		    a[0]);
		if (strstr(name, dashed) || strstr(name, rev)) {
			snprintf(why, len, "holds the address (%s)",
			    strstr(name, dashed) ? dashed : rev);
			return 1;
		}
	}
	snprintf(low, sizeof(low), "%s", name);
	for (i = 0; low[i]; i++)
		low[i] = (char)tolower((unsigned char)low[i]);
	/* only the host label and the one after it: "dsl" in a domain name
	 * further up says nothing about this host */
	for (i = 0; i < 4 && pf_field_next(&p, ".-0123456789", tok,
	    sizeof(tok)); i++) {
		for (w = 0; w < PF_NELEM(words); w++)
			if (strcmp(tok, words[w]) == 0 && strpbrk(name,
			    "0123456789") != NULL) {
				snprintf(why, len, "\"%.100s\" and digits", tok);
				return 1;
			}
	}
	return 0;
}

/* helo - the name itself: syntax, then that it resolves */
static void
helo(struct pf_doctor *d)
{
	char why[256] = "";
	int f = ldh_fqdn(d->helo), has, r;

	if (d->helo[0] == '\0') {
		pf_report_add(d->rep, PF_MTA_UNKNOWN, "helo", NULL,
		    "HELO in preflight.conf, or --postfix-dir",
		    "no HELO name known");
		return;
	}
	if (f == 0) {
		pf_report_add(d->rep, PF_MTA_FAIL, "helo",
		    "helo-argument-invalid",
		    "smtp_helo_name = a fully-qualified name with an A record",
		    "\"%s\" is not a domain name", d->helo);
		return;
	}
	if (f < 0) {
		pf_report_add(d->rep, PF_MTA_FAIL, "helo", NULL,
		    "myhostname (or smtp_helo_name) = the fully-qualified name",
		    "\"%s\" is not fully qualified (RFC 5321 4.1.1.1)",
		    d->helo);
		return;
	}
	if ((r = resolves(d, d->helo, NULL, &has, why, sizeof(why))) < 0)
		pf_report_add(d->rep, PF_MTA_UNKNOWN, "helo", NULL, NULL,
		    "%s: %s", d->helo, why);
	else if (r == 0)
		pf_report_add(d->rep, PF_MTA_FAIL, "helo", "ptr-mismatch",
		    "an A (and AAAA) record for it, the egress address",
		    "%s has no address record", d->helo);
	else
		pf_report_add(d->rep, PF_MTA_OK, "helo", NULL, NULL,
		    "%s resolves", d->helo);
}

/* egress_ptr - PTR and its forward confirmation for one address; a
 * fallback address (its reason in fb) warns where another fails */
static int
egress_ptr(struct pf_doctor *d, const char *ip, const char *fb,
    struct pf_ptr_result *pr)
{
	struct pf_dns_budget b;
	char check[80];
	int v6 = strchr(ip, ':') != NULL;
	enum pf_mta_status bad = fb ? PF_MTA_WARN : PF_MTA_FAIL;
	const char *rule, *sep = fb ? "; " : "";

	snprintf(check, sizeof(check), "ptr[%s]", ip);
	pf_dns_budget_init(&b, DOCTOR_DNS_MS);
	if (pf_ptr_check(d->dns, ip, &b, pr) != PF_OK) {
		pf_report_add(d->rep, PF_MTA_FAIL, check, NULL,
		    "EgressIP in preflight.conf", "not an address");
		return -1;
	}
	if (pr->present < 0 || (pr->present && pr->fcrdns < 0)) {
		pf_report_add(d->rep, PF_MTA_UNKNOWN, check, NULL, NULL,
		    "%s", pr->why[0] ? pr->why : "DNS did not answer");
		return -1;
	}
	rule = v6 ? "ipv6-guidelines" : pr->present ? "ptr-mismatch" :
	    "ptr-missing";
	if (fb == NULL)
		fb = "";
	if (!pr->present) {
		pf_report_add(d->rep, bad, check, rule,
		    "ask the owner of the address for a PTR naming the HELO "
		    "name", "%s has no PTR record%s%s", ip, sep, fb);
		return 0;
	}
	if (!pr->fcrdns) {
		pf_report_add(d->rep, bad, check, rule,
		    "an A/AAAA record for the PTR name pointing back to the "
		    "address", "PTR %s does not resolve back to %s%s%s",
		    pr->name, ip, sep, fb);
		return 0;
	}
	pf_report_add(d->rep, PF_MTA_OK, check, NULL, NULL,
	    "PTR %s, forward-confirmed", pr->name);
	return 1;
}

/* egress_helo - the HELO name is the confirmed name of the address */
static void
egress_helo(struct pf_doctor *d, const char *ip,
    const struct pf_ptr_result *pr)
{
	char check[80], why[256] = "", gw[128];
	int has, r;

	snprintf(check, sizeof(check), "helo.fcrdns[%s]", ip);
	if ((r = resolves(d, d->helo, ip, &has, why, sizeof(why))) < 0) {
		pf_report_add(d->rep, PF_MTA_UNKNOWN, check, NULL, NULL,
		    "%s: %s", d->helo, why);
		return;
	}
	if (!has)
		pf_report_add(d->rep, PF_MTA_FAIL, check, "ptr-mismatch",
		    "HELO name = the PTR name of the address, with an A/AAAA "
		    "record pointing back to it",
		    "HELO %s does not resolve to %s (PTR %s)", d->helo, ip,
		    pr->name);
	else if (strcasecmp(pr->name, d->helo) != 0)
		pf_report_add(d->rep, PF_MTA_WARN, check, NULL,
		    "HELO name = the PTR name of the address",
		    "HELO %s resolves to %s, whose PTR names %s", d->helo, ip,
		    pr->name);
	else
		pf_report_add(d->rep, PF_MTA_OK, check, NULL, NULL,
		    "HELO %s = PTR of %s, forward-confirmed", d->helo, ip);
	snprintf(check, sizeof(check), "ptr.generic[%s]", ip);
	if (generic_ptr(pr->name, ip, gw, sizeof(gw)))
		pf_report_add(d->rep, PF_MTA_WARN, check,
		    "ip-not-authorized-direct",
		    "a PTR naming your mail host, not the provider's pool",
		    "PTR %s looks generic: %s", pr->name, gw);
}

/* family_on - does inet_protocols value p enable family fam ("ipv4",
 * "ipv6") */
static int
family_on(const char *p, const char *fam)
{
	return p == NULL || strstr(p, "all") != NULL || strstr(p, fam) != NULL;
}

enum pf_egress_use
pf_doctor_egress_use(const struct pf_doctor *d, const char *ip, char *why,
    size_t len)
{
	int v6 = strchr(ip, ':') != NULL;
	const char *fam = v6 ? "ipv6" : "ipv4", *other = v6 ? "ipv4" : "ipv6";
	const char *p, *pref;

	if (d->pc == NULL)
		return PF_EGRESS_USED;
	p = pf_postconf_get(d->pc, "inet_protocols");
	if (!family_on(p, fam)) {
		snprintf(why, len, "inet_protocols has no %s: not used",
		    v6 ? "IPv6" : "IPv4");
		return PF_EGRESS_UNUSED;
	}
	pref = pf_postconf_get(d->pc, "smtp_address_preference");
	if (family_on(p, other) && pref != NULL && strcmp(pref, other) == 0) {
		snprintf(why, len, "used only when delivery over %s fails "
		    "(smtp_address_preference = %s)", v6 ? "IPv4" : "IPv6",
		    pref);
		return PF_EGRESS_FALLBACK;
	}
	return PF_EGRESS_USED;
}

/* pf_doctor_identity - HELO, then each egress address */
void
pf_doctor_identity(struct pf_doctor *d)
{
	struct pf_ptr_result pr;
	size_t i;

	helo_name(d, d->helo, sizeof(d->helo));
	if (d->cfg->helo != NULL && d->helo[0] != '\0' &&
	    strcasecmp(d->cfg->helo, d->helo) != 0)
		pf_report_add(d->rep, PF_MTA_WARN, "helo.config", NULL,
		    "the same name in both",
		    "preflight.conf HELO %s, the MTA presents %s",
		    d->cfg->helo, d->helo);
	helo(d);
	if (d->cfg->negress == 0) {
		pf_report_add(d->rep, PF_MTA_UNKNOWN, "ptr", NULL,
		    "EgressIP in preflight.conf (each address Gmail sees)",
		    "no EgressIP: reverse DNS and SPF coverage not checked");
		return;
	}
	for (i = 0; i < d->cfg->negress; i++) {
		const char *ip = d->cfg->egress[i];
		char check[80], why[160];
		enum pf_egress_use use = pf_doctor_egress_use(d, ip, why,
		    sizeof(why));

		if (use == PF_EGRESS_UNUSED) {
			snprintf(check, sizeof(check), "ptr[%s]", ip);
			pf_report_add(d->rep, PF_MTA_OK, check, NULL, NULL,
			    "%s", why);
			continue;
		}
		if (egress_ptr(d, ip, use == PF_EGRESS_FALLBACK ? why : NULL,
		    &pr) == 1 && d->helo[0] != '\0' && ldh_fqdn(d->helo) == 1)
			egress_helo(d, ip, &pr);
	}
}
