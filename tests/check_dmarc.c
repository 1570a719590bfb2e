/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_dmarc.c - hand-written DMARC: record parsing, alignment with the
 * Public Suffix List, and policy discovery against the private NSD
 * (organizational fallback, sp=, strict alignment, none / invalid /
 * unknown kept apart, a server that stops answering).
 */
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/dmarc.h"
#include "lib/pftest.h"

static struct pf_dns *dns;
static psl_ctx_t *psl;

static void
setup(void)
{
	struct pf_err err;

	memset(&err, 0, sizeof(err));
	ck_assert_msg(pf_dns_new(pf_test_ns(), 1500, &dns, &err) == PF_OK,
	    "%s", err.msg);
	ck_assert((psl = psl_latest(NULL)) != NULL);
}

static void
teardown(void)
{
	pf_dns_free(dns);
	psl_free(psl);
}

static const struct {
	const char *txt;
	int want;
	const char *p, *sp;
	char adkim, aspf;
	int pct;
} parse[] = {
	{ "v=DMARC1; p=reject", 1, "reject", "", 'r', 'r', 100 },
	{ "v=DMARC1;p=none;sp=reject;adkim=s;aspf=s;pct=50", 1, "none",
	  "reject", 's', 's', 50 },
	{ " v = DMARC1 ; p = quarantine ; ", 1, "quarantine", "", 'r', 'r',
	  100 },
	{ "v=DMARC1; P=Reject; ADKIM=s", 1, "reject", "", 's', 'r', 100 },
	{ "p=reject; v=DMARC1", -1, "", "", 'r', 'r', 100 },
	{ "v=spf1 -all", 0, "", "", 'r', 'r', 100 },
	{ "v=DMARC1; rua=mailto:d@example.com", 1, "none", "", 'r', 'r',
	  100 },
	{ "v=DMARC1; p=bogus", -1, "", "", 'r', 'r', 100 },
	{ "v=DMARC1; p=bogus; rua=mailto:d@example.com", 1, "none", "", 'r',
	  'r', 100 },
	{ "v=DMARC1; p=reject; sp=bogus", -1, "reject", "", 'r', 'r', 100 },
	{ "v=DMARC1", -1, "", "", 'r', 'r', 100 },
	{ "v=DMARC1; p=reject; pct=200; adkim=x", 1, "reject", "", 'r', 'r',
	  100 },
	{ "v=dmarc1; p=reject", -1, "", "", 'r', 'r', 100 },
};

START_TEST(test_parse)
{
	struct pf_dmarc_rec r;
	int rc = pf_dmarc_parse(parse[_i].txt, &r);

	ck_assert_msg(rc == parse[_i].want, "%s: %d", parse[_i].txt, rc);
	if (rc <= 0)
		return;
	ck_assert_str_eq(r.p, parse[_i].p);
	ck_assert_str_eq(r.sp, parse[_i].sp);
	ck_assert_int_eq(r.adkim, parse[_i].adkim);
	ck_assert_int_eq(r.aspf, parse[_i].aspf);
	ck_assert_int_eq(r.pct, parse[_i].pct);
}
END_TEST

static const struct {
	const char *a, *b;
	char mode;
	int want;
} align[] = {
	{ "mail.example.com", "example.com", 'r', 1 },
	{ "mail.example.com", "example.com", 's', 0 },
	{ "EXAMPLE.COM", "example.com.", 's', 1 },
	{ "a.example.co.uk", "example.co.uk", 'r', 1 },
	{ "a.co.uk", "b.co.uk", 'r', 0 },
	{ "foo.blogspot.com", "bar.blogspot.com", 'r', 0 },
	{ "x.y.example.test", "example.test", 'r', 1 },
	{ "example.com", "example.net", 'r', 0 },
	/* two labels that are a public suffix: their own org domain */
	{ "co.uk", "a.co.uk", 'r', 0 },
	{ "blogspot.com", "foo.blogspot.com", 'r', 0 },
	{ "Example.COM", "a.b.example.com", 'r', 1 },
};

START_TEST(test_align)
{
	ck_assert_msg(pf_dmarc_aligned(psl, align[_i].a, align[_i].b,
	    align[_i].mode) == align[_i].want, "%s %s %c", align[_i].a,
	    align[_i].b, align[_i].mode);
}
END_TEST

/* relaxed alignment passes over the suffix list when the last labels
 * differ: on every pair of these it must say what the organizational
 * domains say */
static const char *const org_names[] = {
	"example.com", "mail.example.com", "EXAMPLE.COM.", "example.net",
	"com", "net", "co.uk", "uk", "example.co.uk", "a.example.co.uk",
	"example.uk", "b.co.uk", "blogspot.com", "foo.blogspot.com",
	"bar.blogspot.com", "example.test", "x.y.example.test", "test",
	"a.b.c.d.example.org", "example.org", "org.example", "com.example",
	"xn--p1ai", "xn--e1afmkfd.xn--p1ai", "a.xn--e1afmkfd.xn--p1ai",
	"bench.example", "a.bench.example", "localhost", "x.ck", "www.ck",
};

START_TEST(test_align_org)
{
	char oa[256], ob[256], la[256], lb[256];
	size_t i, j, k;
	int want;

	for (i = 0; i < PF_NELEM(org_names); i++)
		for (j = 0; j < PF_NELEM(org_names); j++) {
			const char *a = org_names[i], *b = org_names[j];

			/* the definition: the same name, or the same
			 * organizational domain (names compared lower-case,
			 * without a final dot) */
			for (k = 0; a[k] != '\0' && !(a[k] == '.' &&
			    a[k + 1] == '\0'); k++)
				la[k] = (char)tolower((unsigned char)a[k]);
			la[k] = '\0';
			for (k = 0; b[k] != '\0' && !(b[k] == '.' &&
			    b[k + 1] == '\0'); k++)
				lb[k] = (char)tolower((unsigned char)b[k]);
			lb[k] = '\0';
			want = strcmp(la, lb) == 0 ||
			    (pf_dmarc_orgdomain(psl, a, oa, sizeof(oa)) ==
			    PF_OK && pf_dmarc_orgdomain(psl, b, ob,
			    sizeof(ob)) == PF_OK && strcmp(oa, ob) == 0);
			ck_assert_msg(pf_dmarc_aligned(psl, a, b, 'r') == want,
			    "%s %s: want %d", a, b, want);
		}
}
END_TEST

static const struct {
	const char	*label;
	const char	*from;
	const char	*spf_domain;
	int		 spf_pass;
	const char	*dkim;		/* one passing d=, or NULL */
	int		 dkim_temp;
	const char	*record;
	const char	*domain;
	const char	*policy;
	int		 spf_aligned, dkim_aligned, pass;
} rows[] = {
	{ "own record, SPF aligned", "example.com", "example.com", 1, NULL, 0,
	  "present", "example.com", "reject", 1, 0, 1 },
	{ "subdomain falls back to org (no sp)", "news.example.com",
	  "example.com", 1, NULL, 0, "present", "example.com", "reject", 1, 0,
	  1 },
	{ "nonexistent subdomain falls back too", "nx.example.com",
	  "example.net", 1, NULL, 0, "present", "example.com", "reject", 0, 0,
	  0 },
	{ "sp= for a subdomain, strict SPF equal", "sub.example.org",
	  "sub.example.org", 1, NULL, 0, "present", "example.org", "reject",
	  1, 0, 1 },
	{ "aspf=s: bounce subdomain does not align", "example.org",
	  "bounce.example.org", 1, NULL, 0, "present", "example.org",
	  "quarantine", 0, 0, 0 },
	{ "adkim=s: subdomain d= does not align", "example.org",
	  "example.net", 0, "sub.example.org", 0, "present", "example.org",
	  "quarantine", 0, 0, 0 },
	{ "adkim=s: same d= aligns", "example.org", "example.net", 0,
	  "EXAMPLE.org", 0, "present", "example.org", "quarantine", 0, 1, 1 },
	{ "relaxed DKIM", "example.com", "example.net", 0, "mail.example.com",
	  0, "present", "example.com", "reject", 0, 1, 1 },
	{ "SPF fails", "example.com", "example.com", 0, NULL, 0, "present",
	  "example.com", "reject", 0, 0, 0 },
	{ "no record anywhere", "nodmarc.example.net", "nodmarc.example.net",
	  1, NULL, 0, "none", "", "", 1, 0, 1 },
	{ "v not first: invalid", "badmarc.example.net", "example.com", 1,
	  NULL, 0, "invalid", "", "", 0, 0, 0 },
	{ "rua without p: p=none", "ruaonly.example.net", "example.com", 1,
	  NULL, 0, "present", "ruaonly.example.net", "none", 0, 0, 0 },
	{ "pct kept", "pct.example.net", "pct.example.net", 0, NULL, 0,
	  "present", "pct.example.net", "reject", 0, 0, 0 },
	{ "tempfail, strictly aligned SPF still passes",
	  "tempdmarc.example.net", "tempdmarc.example.net", 1, NULL, 0, "", "",
	  "", 1, 0, 1 },
	{ "tempfail, relaxed-only alignment is unknown",
	  "tempdmarc.example.net", "bounce.tempdmarc.example.net", 1, NULL, 0,
	  "", "", "", -1, 0, -1 },
	{ "tempfail, unaligned is unaligned", "tempdmarc.example.net",
	  "example.com", 1, NULL, 0, "", "", "", 0, 0, 0 },
	{ "SPF temperror: unknown, not fail", "example.com", "example.com",
	  -1, NULL, 0, "present", "example.com", "reject", -1, 0, -1 },
	{ "DKIM key tempfail: unknown, not fail", "example.com",
	  "example.net", 1, NULL, 1, "present", "example.com", "reject", 0,
	  -1, -1 },
};

START_TEST(test_rows)
{
	struct pf_dmarc_result r;
	struct pf_dns_budget b;
	const char *d[1] = { rows[_i].dkim };

	pf_dns_budget_init(&b, 10000);
	ck_assert_int_eq(pf_dmarc_check(dns, psl, rows[_i].from,
	    rows[_i].spf_domain, rows[_i].spf_pass, d, rows[_i].dkim ? 1 : 0,
	    rows[_i].dkim_temp, &b, &r), PF_OK);
	ck_assert_msg(strcmp(r.record, rows[_i].record) == 0,
	    "%s: record [%s] (%s)", rows[_i].label, r.record, r.why);
	ck_assert_msg(strcmp(r.domain, rows[_i].domain) == 0, "%s: domain %s",
	    rows[_i].label, r.domain);
	ck_assert_msg(strcmp(r.policy, rows[_i].policy) == 0, "%s: policy %s",
	    rows[_i].label, r.policy);
	ck_assert_msg(r.spf_aligned == rows[_i].spf_aligned &&
	    r.dkim_aligned == rows[_i].dkim_aligned &&
	    r.pass == rows[_i].pass, "%s: spf %d dkim %d pass %d",
	    rows[_i].label, r.spf_aligned, r.dkim_aligned, r.pass);
	if (r.record[0] == '\0')
		ck_assert_str_eq(r.why, "DNS server failure looking up TXT "
		    "_dmarc.tempdmarc.example.net");
}
END_TEST

START_TEST(test_pct)
{
	struct pf_dmarc_result r;

	pf_dmarc_check(dns, psl, "pct.example.net", "x", 0, NULL, 0, 0, NULL,
	    &r);
	ck_assert_int_eq(r.rec.pct, 50);
	pf_dmarc_check(dns, psl, "sub.example.org", "x", 0, NULL, 0, 0, NULL,
	    &r);
	ck_assert_int_eq(r.rec.adkim, 's');
	ck_assert_str_eq(r.rec.p, "quarantine");
	ck_assert_str_eq(r.rec.sp, "reject");
}
END_TEST

START_TEST(test_server_stops)
{
	struct pf_dmarc_result r;

	pf_test_nsd_signal(SIGSTOP);
	pf_dmarc_check(dns, psl, "example.org", "bounce.example.org", 1, NULL,
	    0, 0, NULL, &r);
	pf_test_nsd_signal(SIGCONT);
	ck_assert_str_eq(r.record, "");
	ck_assert_str_eq(r.why, "DNS timeout looking up TXT _dmarc.example.org");
	ck_assert_int_eq(r.pass, -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dmarc");
	TCase *tc = pf_test_case(s, "dmarc");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_parse, 0, (int)PF_NELEM(parse));
	tcase_add_loop_test(tc, test_align, 0, (int)PF_NELEM(align));
	tcase_add_test(tc, test_align_org);
	tcase_add_loop_test(tc, test_rows, 0, (int)PF_NELEM(rows));
	tcase_add_test(tc, test_pct);
	tcase_add_test(tc, test_server_stops);
	return pf_test_run(s);
}
