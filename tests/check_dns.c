/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_dns.c - the resolver layer against the private NSD: the four
 * outcomes, the rdata helpers, the local-zone trap, the message budget,
 * negative caching, threads, a server that stops answering, and lookups
 * started ahead (prefetch) answered from the cache.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth/dns.h"
#include "auth/prefetch.h"
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
	dns = NULL;
}

/* text - the first record as text (TXT joined, names dotted, addresses) */
static void
text(const struct pf_dns_result *r, char *buf, size_t len)
{
	size_t i, o = 0;
	char one[1024];

	buf[0] = '\0';
	for (i = 0; i < r->n; i++) {
		one[0] = '\0';
		switch (r->type) {
		case PF_DNS_T_TXT:
			pf_dns_txt(r->rdata[i], r->rlen[i], one, sizeof(one),
			    NULL);
			break;
		case PF_DNS_T_PTR:
			pf_dns_name(r->rdata[i], r->rlen[i], 0, one,
			    sizeof(one));
			break;
		case PF_DNS_T_MX:
			pf_dns_name(r->rdata[i], r->rlen[i], 2, one,
			    sizeof(one));
			break;
		case PF_DNS_T_A:
			inet_ntop(AF_INET, r->rdata[i], one, sizeof(one));
			break;
		case PF_DNS_T_AAAA:
			inet_ntop(AF_INET6, r->rdata[i], one, sizeof(one));
			break;
		}
		o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s|",
		    one);
		if (o >= len)
			break;
	}
}

static const struct {
	const char	*label;
	const char	*name;
	int		 type;
	enum pf_dns_rc	 want;
	const char	*has;	/* substring of the joined records */
} rows[] = {
	{ "txt", "example.com", PF_DNS_T_TXT, PF_DNS_ANSWER,
	  "v=spf1 ip4:192.0.2.10 ip6:2001:db8::10 -all|" },
	{ "txt two strings joined", "many.example.net", PF_DNS_T_TXT,
	  PF_DNS_ANSWER, "include:i6.example.net include:i7.example.net" },
	{ "txt two records", "two.example.net", PF_DNS_T_TXT, PF_DNS_ANSWER,
	  "192.0.2.1" },
	{ "a", "mail.example.com", PF_DNS_T_A, PF_DNS_ANSWER,
	  "192.0.2.10|" },
	{ "aaaa", "mail.example.com", PF_DNS_T_AAAA, PF_DNS_ANSWER,
	  "2001:db8::10|" },
	{ "mx", "example.com", PF_DNS_T_MX, PF_DNS_ANSWER,
	  "mail.example.com|" },
	{ "ptr under 2.0.192.in-addr.arpa (local-zone trap)",
	  "10.2.0.192.in-addr.arpa", PF_DNS_T_PTR, PF_DNS_ANSWER,
	  "mail.example.com|" },
	{ "ptr under 2001:db8::/32",
	  "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2"
	  ".ip6.arpa", PF_DNS_T_PTR, PF_DNS_ANSWER, "mail.example.com|" },
	{ "nodata", "nofcrdns.example.com", PF_DNS_T_A, PF_DNS_NODATA, "" },
	{ "nodata mx", "aonly.example.net", PF_DNS_T_MX, PF_DNS_NODATA, "" },
	{ "nxdomain", "nx.example.com", PF_DNS_T_TXT, PF_DNS_NXDOMAIN, "" },
	{ "no ptr", "12.2.0.192.in-addr.arpa", PF_DNS_T_PTR,
	  PF_DNS_NXDOMAIN, "" },
	/* outside the served zones NSD says REFUSED: a temporary failure,
	 * and under .test it proves the built-in local zone is off */
	{ "refused (.test)", "foo.test", PF_DNS_T_TXT, PF_DNS_TEMPFAIL, "" },
	{ "refused (.invalid)", "nowhere.invalid", PF_DNS_T_A,
	  PF_DNS_TEMPFAIL, "" },
	{ "cname to a refused name", "_dmarc.tempdmarc.example.net",
	  PF_DNS_T_TXT, PF_DNS_TEMPFAIL, "" },
	{ "label too long", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaa.example.com", PF_DNS_T_A, PF_DNS_NXDOMAIN, "" },
};

START_TEST(test_rows)
{
	struct pf_dns_result r;
	struct pf_dns_budget b;
	char buf[4096];

	pf_dns_budget_init(&b, 10000);
	ck_assert_int_eq(pf_dns_query(dns, rows[_i].name, rows[_i].type, &b,
	    &r), PF_OK);
	ck_assert_msg(r.rc == rows[_i].want, "%s: got %s want %s (%s)",
	    rows[_i].label, pf_dns_rc_name(r.rc),
	    pf_dns_rc_name(rows[_i].want), r.why);
	text(&r, buf, sizeof(buf));
	ck_assert_msg(strstr(buf, rows[_i].has) != NULL, "%s: [%s]",
	    rows[_i].label, buf);
	if (r.rc == PF_DNS_ANSWER) {
		ck_assert(r.ttl > 0 && r.ttl <= 300);
		ck_assert(r.packet != NULL && r.plen > 12);
	}
	/* every TEMPFAIL row is a server answering REFUSED */
	if (r.rc == PF_DNS_TEMPFAIL) {
		ck_assert_msg(strstr(r.why, rows[_i].name) != NULL, "%s",
		    r.why);
		ck_assert_msg(r.undec == PF_U_SERVER_FAILURE, "%s: %s",
		    rows[_i].label, pf_undecided_name(r.undec));
	}
	pf_dns_result_reset(&r);
}
END_TEST

START_TEST(test_nodns)
{
	struct pf_dns_result r;
	struct pf_dns_budget b;

	pf_dns_budget_init(&b, 0);
	b.nodns = 1;
	pf_dns_query(dns, "example.com", PF_DNS_T_TXT, &b, &r);
	ck_assert_int_eq(r.rc, PF_DNS_TEMPFAIL);
	ck_assert_str_eq(r.why, "DNS disabled (--no-dns)");
	ck_assert_int_eq(r.undec, PF_U_NO_DNS);
	pf_dns_result_reset(&r);
}
END_TEST

START_TEST(test_budget_spent)
{
	struct pf_dns_result r;
	struct pf_dns_budget b;

	pf_dns_budget_init(&b, 1);
	usleep(5000);
	pf_dns_query(dns, "example.com", PF_DNS_T_TXT, &b, &r);
	ck_assert_int_eq(r.rc, PF_DNS_TEMPFAIL);
	ck_assert_msg(strstr(r.why, "budget") != NULL, "%s", r.why);
	ck_assert_int_eq(r.undec, PF_U_BUDGET);
	pf_dns_result_reset(&r);
}
END_TEST

static const struct {
	const char *ns;
	int ok;
} fwd[] = {
	{ "127.0.0.1", 1 }, { "127.0.0.1:5353", 1 }, { "::1", 1 },
	{ "[::1]:5353", 1 }, { "[::1]", 1 }, { "ns.example.com", 0 },
	{ "127.0.0.1:0", 0 }, { "127.0.0.1:70000", 0 }, { "[::1", 0 },
	{ "127.0.0.1:53x", 0 }, { "[::1]x", 0 },
};

START_TEST(test_forwarder_syntax)
{
	struct pf_dns *d = NULL;
	struct pf_err err;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = pf_dns_new(fwd[_i].ns, 0, &d, &err);
	ck_assert_msg((rc == PF_OK) == fwd[_i].ok, "%s: %s", fwd[_i].ns,
	    err.msg);
	if (!fwd[_i].ok)
		ck_assert_msg(strstr(err.msg, fwd[_i].ns) != NULL, "%s",
		    err.msg);
	pf_dns_free(d);
}
END_TEST

START_TEST(test_reverse)
{
	char buf[128];

	ck_assert_int_eq(pf_dns_reverse("192.0.2.10", buf, sizeof(buf)),
	    PF_OK);
	ck_assert_str_eq(buf, "10.2.0.192.in-addr.arpa");
	ck_assert_int_eq(pf_dns_reverse("2001:db8::10", buf, sizeof(buf)),
	    PF_OK);
	ck_assert_str_eq(buf, "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "0.0.8.b.d.0.1.0.0.2.ip6.arpa");
	ck_assert_int_eq(pf_dns_reverse("300.1.1.1", buf, sizeof(buf)),
	    PF_ESYNTAX);
	ck_assert_int_eq(pf_dns_reverse("2001:db8::10", buf, 20),
	    PF_ELIMIT);
}
END_TEST

START_TEST(test_rdata_helpers)
{
	static const unsigned char txt[] = "\003abc\002de";
	static const unsigned char bad[] = "\011abc";
	static const unsigned char name[] = "\000\012\004mail\007example"
	    "\003com";
	char buf[64];
	size_t n;

	ck_assert_int_eq(pf_dns_txt(txt, 7, buf, sizeof(buf), &n), PF_OK);
	ck_assert_str_eq(buf, "abcde");
	ck_assert_int_eq(n, 5);
	ck_assert_int_eq(pf_dns_txt(txt, 7, buf, 3, &n), PF_OK);
	ck_assert_str_eq(buf, "ab");
	ck_assert_int_eq(pf_dns_txt(bad, 4, buf, sizeof(buf), NULL),
	    PF_ESYNTAX);
	ck_assert_int_eq(pf_dns_name(name, sizeof(name), 2, buf,
	    sizeof(buf)), PF_OK);
	ck_assert_str_eq(buf, "mail.example.com");
	ck_assert_int_eq(pf_dns_name(name, sizeof(name) - 3, 2, buf,
	    sizeof(buf)), PF_ESYNTAX);
	ck_assert_int_eq(pf_dns_name(name, sizeof(name), 2, buf, 8),
	    PF_ESYNTAX);
}
END_TEST

#define NTHREADS 8
#define NQUERIES 40

static void *
worker(void *arg)
{
	static const char *names[] = { "mail.example.com", "nx.example.com",
	    "nofcrdns.example.com", "out20.example.net" };
	static const enum pf_dns_rc want[] = { PF_DNS_ANSWER,
	    PF_DNS_NXDOMAIN, PF_DNS_NODATA, PF_DNS_ANSWER };
	struct pf_dns_result r;
	long bad = 0;
	int i, k;

	for (i = 0; i < NQUERIES; i++) {
		k = (i + (int)(long)arg) % 4;
		pf_dns_query(dns, names[k], PF_DNS_T_A, NULL, &r);
		if (r.rc != want[k])
			bad++;
		pf_dns_result_reset(&r);
	}
	return (void *)bad;
}

START_TEST(test_threads)
{
	pthread_t t[NTHREADS];
	void *bad;
	long i, total = 0;

	for (i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], &bad);
		total += (long)bad;
	}
	ck_assert_int_eq(total, 0);
}
END_TEST

/* elapsed_ms - since *t0 */
static long
elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * The server stops answering partway: answers already cached (positive and
 * negative, within their TTL) still come back; anything else is TEMPFAIL
 * within the query timeout, never "no record".  Runs last: it leaves the
 * server stopped, then resumes it.
 */
START_TEST(test_server_stops)
{
	struct pf_dns_result r;
	struct timespec t0;

	pf_dns_query(dns, "mail.example.com", PF_DNS_T_A, NULL, &r);
	ck_assert_int_eq(r.rc, PF_DNS_ANSWER);
	pf_dns_result_reset(&r);
	pf_dns_query(dns, "gone.example.com", PF_DNS_T_A, NULL, &r);
	ck_assert_int_eq(r.rc, PF_DNS_NXDOMAIN);
	pf_dns_result_reset(&r);
	pf_dns_query(dns, "ttl1.example.com", PF_DNS_T_A, NULL, &r);
	ck_assert_int_eq(r.rc, PF_DNS_ANSWER);
	ck_assert_int_le(r.ttl, 1);
	pf_dns_result_reset(&r);

	pf_test_nsd_signal(SIGSTOP);
	/* the TTL is honoured: a one-second record is gone from the cache
	 * (libunbound counts whole seconds, so wait for two of them) */
	usleep(2500 * 1000);
	pf_dns_query(dns, "ttl1.example.com", PF_DNS_T_A, NULL, &r);
	ck_assert_msg(r.rc == PF_DNS_TEMPFAIL, "got %s", pf_dns_rc_name(r.rc));
	pf_dns_result_reset(&r);
	pf_dns_query(dns, "mail.example.com", PF_DNS_T_A, NULL, &r);
	ck_assert_int_eq(r.rc, PF_DNS_ANSWER);		/* cached */
	pf_dns_result_reset(&r);
	pf_dns_query(dns, "gone.example.com", PF_DNS_T_A, NULL, &r);
	ck_assert_int_eq(r.rc, PF_DNS_NXDOMAIN);	/* negative cache */
	pf_dns_result_reset(&r);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pf_dns_query(dns, "pass.example.net", PF_DNS_T_TXT, NULL, &r);
	pf_test_nsd_signal(SIGCONT);
	ck_assert_msg(r.rc == PF_DNS_TEMPFAIL, "got %s", pf_dns_rc_name(r.rc));
	ck_assert_msg(strstr(r.why, "timeout") != NULL, "%s", r.why);
	ck_assert_str_eq(r.why, "DNS timeout looking up TXT pass.example.net");
	ck_assert_int_eq(r.undec, PF_U_TIMEOUT);
	ck_assert(elapsed_ms(&t0) >= 1400 && elapsed_ms(&t0) < 5000);
	pf_dns_result_reset(&r);
}
END_TEST

/* cached - name/type is answered with the server stopped (so from the
 * cache) with the outcome want */
static void
cached(const char *name, int type, enum pf_dns_rc want)
{
	struct pf_dns_result r;

	pf_dns_query(dns, name, type, NULL, &r);
	ck_assert_msg(r.rc == want, "%s: got %s (%s)", name,
	    pf_dns_rc_name(r.rc), r.why);
	pf_dns_result_reset(&r);
}

/*
 * A repeated lookup is answered from the resolver's memo: the same
 * records and reply packet, whatever the case of the name; another type
 * of the same name is not confused with it; and a failure is never kept
 * (the next lookup after the server is back gets the answer).
 */
START_TEST(test_memo)
{
	struct pf_dns_result a, b;
	size_t i;

	pf_dns_query(dns, "example.com", PF_DNS_T_MX, NULL, &a);
	ck_assert_int_eq(a.rc, PF_DNS_ANSWER);
	pf_dns_query(dns, "EXAMPLE.com", PF_DNS_T_MX, NULL, &b);
	ck_assert_int_eq(b.rc, PF_DNS_ANSWER);
	ck_assert_uint_eq(a.n, b.n);
	for (i = 0; i < a.n; i++) {
		ck_assert_uint_eq(a.rlen[i], b.rlen[i]);
		ck_assert(memcmp(a.rdata[i], b.rdata[i], a.rlen[i]) == 0);
	}
	ck_assert_uint_eq(a.plen, b.plen);
	ck_assert(a.plen > 0 && memcmp(a.packet, b.packet, a.plen) == 0);
	ck_assert_uint_le(b.ttl, a.ttl);
	pf_dns_result_reset(&a);
	pf_dns_result_reset(&b);
	pf_dns_query(dns, "mail.example.com", PF_DNS_T_A, NULL, &a);
	ck_assert_int_eq(a.rc, PF_DNS_ANSWER);
	pf_dns_query(dns, "mail.example.com", PF_DNS_T_MX, NULL, &b);
	ck_assert_int_ne(b.rc, PF_DNS_ANSWER);
	pf_dns_result_reset(&a);
	pf_dns_result_reset(&b);

	pf_test_nsd_signal(SIGSTOP);
	pf_dns_query(dns, "pass.example.net", PF_DNS_T_TXT, NULL, &a);
	pf_test_nsd_signal(SIGCONT);
	ck_assert_int_eq(a.rc, PF_DNS_TEMPFAIL);
	pf_dns_result_reset(&a);
	pf_dns_query(dns, "pass.example.net", PF_DNS_T_TXT, NULL, &a);
	ck_assert_msg(a.rc == PF_DNS_ANSWER, "after the failure: %s (%s)",
	    pf_dns_rc_name(a.rc), a.why);
	pf_dns_result_reset(&a);
}
END_TEST

/*
 * Lookups started ahead and never waited for fill the cache: with the
 * server stopped afterwards, the names prefetched (directly and from the
 * envelope, From and DKIM-Signature values) still get their answers, and
 * so do the names those answers led to (SPF includes and a/mx hosts, the
 * address of a PTR name, of a recipient domain without MX), while one
 * never asked for times out.  Bad input starts nothing.
 */
START_TEST(test_prefetch)
{
	static const char sig[] = " v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n"
	    "\td = example.com; s=sel1;\r\n\th=From:To; bh=x; b=y";
	char *egress[] = { "192.0.2.10" };
	struct pf_sender seen, guess;
	struct pf_dns *fresh;
	struct pf_dns_result r;
	struct pf_err err;

	memset(&seen, 0, sizeof(seen));
	memset(&guess, 0, sizeof(guess));
	memset(&err, 0, sizeof(err));
	ck_assert(pf_dns_new(pf_test_ns(), 1500, &fresh, &err) == PF_OK);
	pf_dns_prefetch(dns, "example.com", PF_DNS_T_MX);
	pf_prefetch_mail(dns, NULL, "alice@example.org", NULL, egress, 1);
	pf_prefetch_rcpt(dns, "<bob@aonly.example.net>");
	/* chains: SPF includes and a/mx hosts, PTR -> A, no MX -> A; the
	 * first goes on from an answer already in the memo */
	pf_dns_query(dns, "many.example.net", PF_DNS_T_TXT, NULL, &r);
	ck_assert_int_eq(r.rc, PF_DNS_ANSWER);
	pf_dns_result_reset(&r);
	pf_prefetch_mail(dns, NULL, "<carol@many.example.net>", NULL, NULL,
	    0);
	pf_prefetch_mail(dns, NULL, "<dave@voids.example.net>", NULL, NULL,
	    0);
	pf_prefetch_rcpt(dns, "<bob@gmail.com>");
	pf_prefetch_from(dns, NULL, "alice@example.net");
	/* the key is looked up, and noted for the sender memory */
	ck_assert_int_eq(pf_prefetch_dkim(dns, sig, strlen(sig), &seen), 1);
	ck_assert_int_eq(pf_prefetch_dkim(dns, " v=1; d=example.com", 19,
	    &seen), 0);
	ck_assert_int_eq(pf_prefetch_dkim(dns, "s=;d=example.com", 16, &seen),
	    0);
	ck_assert_str_eq(seen.key[0].s, "sel1");
	ck_assert_str_eq(seen.key[0].d, "example.com");
	ck_assert_str_eq(seen.key[1].s, "");
	/* a new resolver (empty cache): the next message of that sender
	 * starts its DMARC record at MAIL FROM, and what the memory has:
	 * the key, and the DMARC records of another From domain */
	pf_prefetch_mail(fresh, NULL, "<bob@Example.COM>", NULL, NULL, 0);
	guess = seen;
	ck_assert(pf_sender_add_from(&guess, "Example.ORG"));
	pf_prefetch_guess(fresh, NULL, "<bob@Example.COM>", &guess);
	pf_dns_prefetch(NULL, "example.com", PF_DNS_T_MX);
	pf_dns_prefetch(dns, "bad..name", PF_DNS_T_A);
	pf_prefetch_mail(dns, NULL, NULL, NULL, NULL, 0);
	pf_prefetch_guess(dns, NULL, "<bob@example.com>", NULL);
	pf_prefetch_rcpt(dns, "no-at-sign");
	pf_prefetch_from(dns, NULL, "@");
	usleep(500 * 1000);		/* the answers arrive */
	pf_test_nsd_signal(SIGSTOP);
	cached("example.com", PF_DNS_T_MX, PF_DNS_ANSWER);
	cached("example.org", PF_DNS_T_TXT, PF_DNS_ANSWER);
	cached("_dmarc.example.org", PF_DNS_T_TXT, PF_DNS_ANSWER);
	cached("10.2.0.192.in-addr.arpa", PF_DNS_T_PTR, PF_DNS_ANSWER);
	cached("aonly.example.net", PF_DNS_T_MX, PF_DNS_NODATA);
	cached("aonly.example.net", PF_DNS_T_A, PF_DNS_ANSWER);
	cached("mail.example.com", PF_DNS_T_A, PF_DNS_ANSWER);
	cached("i1.example.net", PF_DNS_T_TXT, PF_DNS_ANSWER);
	cached("i11.example.net", PF_DNS_T_TXT, PF_DNS_ANSWER);
	cached("v1.example.net", PF_DNS_T_A, PF_DNS_NXDOMAIN);
	cached("v3.example.net", PF_DNS_T_MX, PF_DNS_NXDOMAIN);
	cached("_dmarc.example.net", PF_DNS_T_TXT, PF_DNS_NXDOMAIN);
	cached("sel1._domainkey.example.com", PF_DNS_T_TXT, PF_DNS_ANSWER);
	pf_dns_query(fresh, "sel1._domainkey.example.com", PF_DNS_T_TXT, NULL,
	    &r);
	ck_assert_msg(r.rc == PF_DNS_ANSWER, "remembered key: %s (%s)",
	    pf_dns_rc_name(r.rc), r.why);
	pf_dns_result_reset(&r);
	pf_dns_query(fresh, "_dmarc.example.com", PF_DNS_T_TXT, NULL, &r);
	ck_assert_msg(r.rc == PF_DNS_ANSWER, "envelope DMARC: %s (%s)",
	    pf_dns_rc_name(r.rc), r.why);
	pf_dns_result_reset(&r);
	pf_dns_query(fresh, "_dmarc.example.org", PF_DNS_T_TXT, NULL, &r);
	ck_assert_msg(r.rc == PF_DNS_ANSWER, "remembered From DMARC: %s (%s)",
	    pf_dns_rc_name(r.rc), r.why);
	pf_dns_result_reset(&r);
	/* the control: never prefetched, so it waits for the server */
	pf_dns_query(dns, "nofcrdns.example.com", PF_DNS_T_A, NULL, &r);
	pf_test_nsd_signal(SIGCONT);
	ck_assert_msg(r.rc == PF_DNS_TEMPFAIL, "got %s", pf_dns_rc_name(r.rc));
	pf_dns_result_reset(&r);
	pf_dns_free(fresh);
}
END_TEST

/*
 * Warming a new resolver starts its threads with a lookup libunbound
 * answers itself: with the server stopped it still returns at once (a
 * query sent to the server would wait out the 1.5 s timeout), and a real
 * lookup afterwards works.
 */
START_TEST(test_warm)
{
	struct pf_dns_result r;
	struct timespec t0;

	pf_test_nsd_signal(SIGSTOP);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pf_dns_warm(dns);
	pf_dns_warm(NULL);
	pf_test_nsd_signal(SIGCONT);
	ck_assert_msg(elapsed_ms(&t0) < 500, "warming took %ld ms",
	    elapsed_ms(&t0));
	pf_dns_query(dns, "example.com", PF_DNS_T_MX, NULL, &r);
	ck_assert_int_eq(r.rc, PF_DNS_ANSWER);
	pf_dns_result_reset(&r);
}
END_TEST

/* The server is gone for good: still TEMPFAIL, within the timeout. */
START_TEST(test_server_killed)
{
	struct pf_dns_result r;
	struct timespec t0;

	pf_test_nsd_signal(SIGKILL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pf_dns_query(dns, "soft.example.net", PF_DNS_T_TXT, NULL, &r);
	ck_assert_int_eq(r.rc, PF_DNS_TEMPFAIL);
	/* nobody answers: our timeout or libunbound's SERVFAIL, never a
	 * reason that says a record is missing */
	ck_assert_msg(r.undec == PF_U_TIMEOUT ||
	    r.undec == PF_U_SERVER_FAILURE, "%s: %s",
	    pf_undecided_name(r.undec), r.why);
	ck_assert(elapsed_ms(&t0) < 5000);
	pf_dns_result_reset(&r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dns");
	TCase *tc = pf_test_case(s, "dns");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_rows, 0, (int)PF_NELEM(rows));
	tcase_add_test(tc, test_nodns);
	tcase_add_test(tc, test_budget_spent);
	tcase_add_loop_test(tc, test_forwarder_syntax, 0, (int)PF_NELEM(fwd));
	tcase_add_test(tc, test_reverse);
	tcase_add_test(tc, test_rdata_helpers);
	tcase_add_test(tc, test_threads);
	tcase_add_test(tc, test_prefetch);
	tcase_add_test(tc, test_warm);
	tcase_add_test(tc, test_memo);
	tcase_add_test(tc, test_server_stops);
	tcase_add_test(tc, test_server_killed);
	return pf_test_run(s);
}
