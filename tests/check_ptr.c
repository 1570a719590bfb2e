/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_ptr.c - reverse DNS with forward confirmation of egress addresses
 * (IPv4 and IPv6), and recipient domains (existence, Google-ness), against
 * the private NSD; a server that stops answering gives unknown.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/ptr.h"
#include "auth/rcpt.h"
#include "lib/pftest.h"

static struct pf_dns *dns;

static void
setup(void)
{
	struct pf_err err;

	memset(&err, 0, sizeof(err));
	ck_assert_msg(pf_dns_new(pf_test_ns(), 1500, &dns, &err) == PF_OK,
	    "%s", err.msg);
}

static void
teardown(void)
{
	pf_dns_free(dns);
}

static const struct {
	const char *ip;
	int present, fcrdns, ipv6;
	const char *name;
} ptrs[] = {
	{ "192.0.2.10", 1, 1, 0, "mail.example.com" },
	{ "192.0.2.20", 1, 1, 0, "out20.example.net" },
	{ "192.0.2.11", 1, 0, 0, "nofcrdns.example.com" },
	{ "192.0.2.12", 0, 0, 0, "" },
	{ "2001:db8::10", 1, 1, 1, "mail.example.com" },
	{ "2001:db8::11", 1, 0, 1, "nofcrdns.example.com" },
	{ "2001:db8::12", 0, 0, 1, "" },
	/* outside the served zones: REFUSED, so unknown */
	{ "198.51.100.7", -1, -1, 0, "" },
};

START_TEST(test_ptr)
{
	struct pf_ptr_result r;
	struct pf_dns_budget b;

	pf_dns_budget_init(&b, 10000);
	ck_assert_int_eq(pf_ptr_check(dns, ptrs[_i].ip, &b, &r), PF_OK);
	ck_assert_msg(r.present == ptrs[_i].present &&
	    r.fcrdns == ptrs[_i].fcrdns, "%s: present %d fcrdns %d (%s)",
	    ptrs[_i].ip, r.present, r.fcrdns, r.why);
	ck_assert_int_eq(r.ipv6, ptrs[_i].ipv6);
	ck_assert_str_eq(r.name, ptrs[_i].name);
	if (r.present < 0)
		ck_assert_msg(strstr(r.why, "100.51.198.in-addr.arpa") != NULL,
		    "%s", r.why);
}
END_TEST

START_TEST(test_ptr_bad_ip)
{
	struct pf_ptr_result r;

	ck_assert_int_eq(pf_ptr_check(dns, "192.0.2", NULL, &r), PF_EINVAL);
}
END_TEST

static const struct {
	const char *dom;
	int exists, google, personal;
	const char *why;
} rcpts[] = {
	{ "gmail.com", 1, 1, 1, "" },
	{ "GoogleMail.com", 1, 1, 1, "" },
	{ "ws.example.net", 1, 1, 0, "" },
	{ "legacy.example.net", 1, 1, 0, "" },
	{ "example.com", 1, 0, 0, "" },
	{ "aonly.example.net", 1, 0, 0, "" },
	{ "nomx.example.net", 0, 0, 0, "neither MX nor A/AAAA" },
	{ "nullmx.example.net", 0, 0, 0, "null MX" },
	{ "nx.example.net", 0, 0, 0, "does not exist" },
	{ "elsewhere.invalid", -1, -1, 0, "elsewhere.invalid" },
};

START_TEST(test_rcpt)
{
	struct pf_rcpt_info r;
	struct pf_dns_budget b;

	pf_dns_budget_init(&b, 10000);
	pf_rcpt_domain(dns, rcpts[_i].dom, &b, &r);
	ck_assert_msg(r.exists == rcpts[_i].exists &&
	    r.google == rcpts[_i].google &&
	    r.personal == rcpts[_i].personal, "%s: exists %d google %d "
	    "personal %d (%s)", rcpts[_i].dom, r.exists, r.google, r.personal,
	    r.why);
	ck_assert_msg(strstr(r.why, rcpts[_i].why) != NULL, "%s: %s",
	    rcpts[_i].dom, r.why);
}
END_TEST

START_TEST(test_google_mx)
{
	ck_assert(pf_rcpt_google_mx("aspmx.l.google.com"));
	ck_assert(pf_rcpt_google_mx("ASPMX2.GOOGLEMAIL.COM."));
	ck_assert(pf_rcpt_google_mx("smtp.google.com"));
	ck_assert(!pf_rcpt_google_mx("google.com.example.net"));
	ck_assert(!pf_rcpt_google_mx("notgoogle.com"));
}
END_TEST

START_TEST(test_nodns)
{
	struct pf_rcpt_info r;
	struct pf_ptr_result p;
	struct pf_dns_budget b;

	pf_dns_budget_init(&b, 0);
	b.nodns = 1;
	pf_rcpt_domain(dns, "gmail.com", &b, &r);
	ck_assert(r.exists == 1 && r.google == 1 && r.personal == 1);
	pf_rcpt_domain(dns, "ws.example.net", &b, &r);
	ck_assert(r.exists == -1 && r.google == -1 && r.personal == 0);
	pf_ptr_check(dns, "192.0.2.10", &b, &p);
	ck_assert(p.present == -1 && p.fcrdns == -1);
	ck_assert_str_eq(p.why, "DNS disabled (--no-dns)");
}
END_TEST

START_TEST(test_server_stops)
{
	struct pf_ptr_result p;
	struct pf_rcpt_info r;
	struct pf_dns_budget b;

	pf_dns_budget_init(&b, 10000);
	pf_test_nsd_signal(SIGSTOP);
	pf_ptr_check(dns, "192.0.2.20", &b, &p);
	pf_rcpt_domain(dns, "ws.example.net", &b, &r);
	pf_test_nsd_signal(SIGCONT);
	ck_assert(p.present == -1 && p.fcrdns == -1);
	ck_assert_str_eq(p.why,
	    "DNS timeout looking up PTR 20.2.0.192.in-addr.arpa");
	ck_assert(r.exists == -1 && r.google == -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ptr");
	TCase *tc = pf_test_case(s, "ptr");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_ptr, 0, (int)PF_NELEM(ptrs));
	tcase_add_test(tc, test_ptr_bad_ip);
	tcase_add_loop_test(tc, test_rcpt, 0, (int)PF_NELEM(rcpts));
	tcase_add_test(tc, test_google_mx);
	tcase_add_test(tc, test_nodns);
	tcase_add_test(tc, test_server_stops);
	return pf_test_run(s);
}
