/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_spf.c - SPF through libspf2 over our resolver, against the
 * private NSD: every result, the null sender, the libspf2 quirks, the
 * record analysis (hardfail, suspicious entries), a server that stops.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/spf.h"
#include "lib/pftest.h"

static struct pf_dns *dns;
static struct pf_spf *spf;

static void
setup(void)
{
	struct pf_err err;

	memset(&err, 0, sizeof(err));
	ck_assert_msg(pf_dns_new(pf_test_ns(), 1500, &dns, &err) == PF_OK,
	    "%s", err.msg);
	ck_assert_msg(pf_spf_new(dns, "mta.example.com", &spf, &err) == PF_OK,
	    "%s", err.msg);
}

static void
teardown(void)
{
	pf_spf_free(spf);
	pf_dns_free(dns);
}

static const struct {
	const char	*label;
	const char	*ip;
	const char	*from;
	const char	*helo;
	const char	*result;
	int		 hardfail;
	int		 suspicious;
	const char	*why;	/* in suspicious_why (or why) */
} rows[] = {
	{ "pass", "192.0.2.10", "u@example.com", "mta.example.com", "pass",
	  1, 0, "" },
	{ "pass ipv6", "2001:db8::10", "u@example.com", NULL, "pass", 1, 0,
	  "" },
	{ "fail", "192.0.2.99", "u@example.com", NULL, "fail", 1, 0, "" },
	{ "fail ipv6", "2001:db8::99", "u@example.com", NULL, "fail", 1, 0,
	  "" },
	{ "softfail", "192.0.2.20", "u@soft.example.net", NULL, "softfail", 0,
	  0, "" },
	{ "neutral", "192.0.2.20", "u@neutral.example.net", NULL, "neutral",
	  0, 0, "" },
	{ "none (no TXT)", "192.0.2.20", "u@none.example.net", NULL, "none",
	  0, 0, "" },
	{ "none (NXDOMAIN)", "192.0.2.20", "u@nx.example.net", NULL, "none", 0,
	  0, "" },
	{ "permerror (syntax; libspf2 says INVALID)", "192.0.2.10",
	  "u@perm.example.net", NULL, "permerror", 1, 0, "" },
	{ "temperror inside include", "192.0.2.10", "u@temp.example.net", NULL,
	  "temperror", -1, -1, "nowhere.invalid" },
	{ "temperror top level (INVALID + SPF_E_DNS_ERROR)", "192.0.2.10",
	  "u@sender.invalid", NULL, "temperror", -1, -1, "sender.invalid" },
	{ "null sender: HELO checked", "192.0.2.10", "", "pass.example.net",
	  "pass", 1, 0, "" },
	{ "null sender: HELO fails", "192.0.2.20", NULL, "pass.example.net",
	  "fail", 1, 0, "" },
	{ "+all", "192.0.2.99", "u@plusall.example.net", NULL, "pass", 0, 1,
	  "+all" },
	{ "bare all", "192.0.2.99", "u@bareall.example.net", NULL, "pass", 0, 1,
	  "bare all" },
	{ "wide ip4", "192.0.2.99", "u@wide.example.net", NULL, "fail", 1, 1,
	  "ip4 range wider than /8 (0.0.0.0/1)" },
	{ "wide ip6", "192.0.2.10", "u@wide6.example.net", NULL, "pass", 1, 1,
	  "ip6 range wider than /19 (2000::/3)" },
	{ "ptr mechanism", "192.0.2.10", "u@ptrmech.example.net", NULL, "fail",
	  1, 1, "ptr mechanism" },
	{ "more than 10 lookups", "192.0.2.10", "u@many.example.net", NULL,
	  "permerror", 1, 1, "11 DNS-querying terms (limit 10)" },
	{ "more than 2 void lookups", "192.0.2.10", "u@voids.example.net",
	  NULL, "pass", 1, 1, "3 void lookups (limit 2)" },
	{ "several records", "192.0.2.10", "u@two.example.net", NULL,
	  "permerror", 1, 1, "several SPF records" },
};

START_TEST(test_rows)
{
	struct pf_spf_result r;
	struct pf_dns_budget b;

	pf_dns_budget_init(&b, 10000);
	ck_assert_int_eq(pf_spf_check(spf, rows[_i].ip, rows[_i].from,
	    rows[_i].helo, &b, &r), PF_OK);
	ck_assert_msg(strcmp(r.result, rows[_i].result) == 0,
	    "%s: result %s want %s (%s)", rows[_i].label, r.result,
	    rows[_i].result, r.why);
	ck_assert_msg(r.hardfail == rows[_i].hardfail,
	    "%s: hardfail %d (%s)", rows[_i].label, r.hardfail, r.record_why);
	ck_assert_msg(r.suspicious == rows[_i].suspicious,
	    "%s: suspicious %d (%s)", rows[_i].label, r.suspicious,
	    r.suspicious_why);
	if (strcmp(r.result, "temperror") == 0)
		ck_assert_msg(strstr(r.why, rows[_i].why) != NULL, "%s: %s",
		    rows[_i].label, r.why);
	else
		ck_assert_msg(strstr(r.suspicious_why, rows[_i].why) != NULL,
		    "%s: %s", rows[_i].label, r.suspicious_why);
}
END_TEST

START_TEST(test_domain)
{
	struct pf_spf_result r;

	pf_spf_check(spf, "192.0.2.10", "u@example.com", "h.example.net",
	    NULL, &r);
	ck_assert_str_eq(r.domain, "example.com");
	pf_spf_check(spf, "192.0.2.10", "", "h.example.net", NULL, &r);
	ck_assert_str_eq(r.domain, "h.example.net");
	ck_assert_int_eq(pf_spf_check(spf, "not-an-ip", "u@example.com",
	    NULL, NULL, &r), PF_EINVAL);
}
END_TEST

START_TEST(test_nodns)
{
	struct pf_spf_result r;
	struct pf_dns_budget b;

	pf_dns_budget_init(&b, 0);
	b.nodns = 1;
	pf_spf_check(spf, "192.0.2.10", "u@example.com", NULL, &b, &r);
	ck_assert_str_eq(r.result, "temperror");
	ck_assert_str_eq(r.why, "DNS disabled (--no-dns)");
	ck_assert_int_eq(r.hardfail, -1);
	ck_assert_int_eq(r.suspicious, -1);
}
END_TEST

/* a server that stops answering: temperror, never fail or none */
START_TEST(test_server_stops)
{
	struct pf_spf_result r;
	struct pf_dns_budget b;

	pf_dns_budget_init(&b, 10000);
	pf_spf_check(spf, "192.0.2.10", "u@example.com", NULL, &b, &r);
	ck_assert_str_eq(r.result, "pass");
	pf_test_nsd_signal(SIGSTOP);
	pf_spf_check(spf, "192.0.2.99", "u@soft.example.net", NULL, &b, &r);
	pf_test_nsd_signal(SIGCONT);
	ck_assert_str_eq(r.result, "temperror");
	ck_assert_str_eq(r.why, "DNS timeout looking up TXT soft.example.net");
	ck_assert_int_eq(r.hardfail, -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("spf");
	TCase *tc = pf_test_case(s, "spf");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_rows, 0, (int)PF_NELEM(rows));
	tcase_add_test(tc, test_domain);
	tcase_add_test(tc, test_nodns);
	tcase_add_test(tc, test_server_stops);
	return pf_test_run(s);
}
