/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_dkim.c - DKIM verification through libopendkim with key lookups
 * over our resolver, against the private NSD.  Messages are signed at test
 * time by tests/tools/dkim-sign with the keys under tests/nsd/keys, then
 * streamed field by field and in small body chunks, as the builder does.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/dkim.h"
#include "lib/pftest.h"

static struct pf_dns *dns;
static struct pf_dkim *dk;

static const char base[] =
    "From: Alice <alice@example.com>\n"
    "To: bob@gmail.com\n"
    "Subject: a test\n"
    "Date: Sun, 29 Nov 2026 05:00:00 +0000\n"
    "Message-ID: <1@example.com>\n"
    "List-Unsubscribe: <https://example.com/u/1>,\n"
    "\t<mailto:u@example.com>\n"
    "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n"
    "\n"
    "Hello.\n"
    "\n"
    "Second paragraph.\n";

static void
setup(void)
{
	struct pf_err err;

	memset(&err, 0, sizeof(err));
	ck_assert_msg(pf_dns_new(pf_test_ns(), 1500, &dns, &err) == PF_OK,
	    "%s", err.msg);
	ck_assert_msg(pf_dkim_new(dns, &dk, &err) == PF_OK, "%s", err.msg);
}

static void
teardown(void)
{
	pf_dkim_free(dk);
	pf_dns_free(dns);
}

/* sign - run the signing tool over msg; the output in buf */
static size_t
sign(const char *msg, const char *dom, const char *sel, const char *key,
    const char *alg, char *buf, size_t len)
{
	char cmd[2048], in[] = "/tmp/pf-dkim-XXXXXX";
	FILE *f, *p;
	size_t n;
	int fd;

	ck_assert((fd = mkstemp(in)) >= 0);
	ck_assert((f = fdopen(fd, "w")) != NULL);
	fputs(msg, f);
	fclose(f);
	/* libopendkim leaks a little when signing: not ours to report */
	snprintf(cmd, sizeof(cmd), "ASAN_OPTIONS=detect_leaks=0 "
	    "'%s/tests/tools/dkim-sign' -d %s -s %s "
	    "-k '%s/tests/nsd/keys/%s.pem' -a %s < %s", getenv("PF_BUILDDIR"),
	    dom, sel, getenv("PF_SRCDIR"), key, alg, in);
	ck_assert((p = popen(cmd, "r")) != NULL);
	n = fread(buf, 1, len - 1, p);
	buf[n] = '\0';
	ck_assert_int_eq(pclose(p), 0);
	unlink(in);
	return n;
}

/* feed - split an LF message as the builder does and stream it */
static void
feed(struct pf_dkim_msg *m, const char *msg)
{
	char crlf[65536], *p, *e, *colon, *end;
	size_t o = 0, i, n;

	for (i = 0; msg[i] != '\0' && o + 2 < sizeof(crlf); i++) {
		if (msg[i] == '\n')
			crlf[o++] = '\r';
		crlf[o++] = msg[i];
	}
	crlf[o] = '\0';
	p = crlf;
	end = crlf + o;
	while (p < end && !(p[0] == '\r' && p[1] == '\n')) {
		/* one field: up to a CRLF not followed by white space */
		for (e = p; (e = strstr(e, "\r\n")) != NULL; e += 2)
			if (e[2] != ' ' && e[2] != '\t')
				break;
		ck_assert(e != NULL);
		ck_assert((colon = memchr(p, ':', (size_t)(e - p))) != NULL);
		pf_dkim_header(m, p, (size_t)(colon - p), colon + 1,
		    (size_t)(e - colon - 1));
		p = e + 2;
	}
	pf_dkim_eoh(m);
	p += 2;
	for (; p < end; p += n) {
		n = (size_t)(end - p) < 7 ? (size_t)(end - p) : 7;
		pf_dkim_body(m, (const unsigned char *)p, n);
	}
	pf_dkim_end(m);
}

enum mut { NONE, BODY, ADDHDR, SUBJECT };

static const struct {
	const char	*label;
	const char	*dom, *sel, *key, *alg;
	enum mut	 mut;
	const char	*result;
	unsigned	 bits;
	int		 weak, unsub;
	const char	*why;
} rows[] = {
	{ "good rsa-sha256", "example.com", "sel1", "rsa2048", "rsa-sha256",
	  NONE, "pass", 2048, 0, 1, "" },
	{ "good ed25519", "example.com", "ed1", "ed25519", "ed25519-sha256",
	  NONE, "pass", 256, 0, 1, "" },
	{ "1024-bit key is enough", "example.com", "other", "other1024",
	  "rsa-sha256", NONE, "pass", 1024, 0, 1, "" },
	{ "body changed", "example.com", "sel1", "rsa2048", "rsa-sha256", BODY,
	  "fail", 2048, 0, 1, "body hash mismatch" },
	{ "signed field changed", "example.com", "sel1", "rsa2048",
	  "rsa-sha256", SUBJECT, "fail", 2048, 0, 1, "" },
	{ "key under 1024 bits", "example.com", "weak", "weak512",
	  "rsa-sha256", NONE, "fail", 512, 1, 1, "512-bit key" },
	{ "key missing from DNS", "example.com", "gone", "rsa2048",
	  "rsa-sha256", NONE, "permerror", 0, 0, 1, "" },
	{ "key does not match", "example.com", "wrong", "rsa2048",
	  "rsa-sha256", NONE, "fail", 1024, 0, 1, "" },
	{ "rsa-sha1 verifies but Gmail fails it", "example.com", "sel1",
	  "rsa2048", "rsa-sha1", NONE, "fail", 2048, 0, 1, "rsa-sha1" },
	{ "rsa-sha1 against an h=sha256 key", "example.com", "sha256",
	  "rsa2048", "rsa-sha1", NONE, "permerror", 0, 0, 1, "" },
	{ "key lookup refused: temperror", "example.invalid", "sel1",
	  "rsa2048", "rsa-sha256", NONE, "temperror", 0, 0, 1,
	  "DNS server failure looking up TXT sel1._domainkey.example.invalid" },
	{ "unsubscribe fields added after signing", "example.com", "sel1",
	  "rsa2048", "rsa-sha256", ADDHDR, "pass", 2048, 0, 0, "" },
};

START_TEST(test_rows)
{
	static char signed_[65536], msg[65536 + 256];
	const struct pf_dkim_sig *s;
	struct pf_dkim_msg *m;
	struct pf_dns_budget b;
	const char *src = base;
	char *p;

	if (rows[_i].mut == ADDHDR)
		src = "From: Alice <alice@example.com>\nTo: bob@gmail.com\n"
		    "Subject: x\n\nHello.\n";
	sign(src, rows[_i].dom, rows[_i].sel, rows[_i].key, rows[_i].alg,
	    signed_, sizeof(signed_));
	switch (rows[_i].mut) {
	case BODY:
		snprintf(msg, sizeof(msg), "%sP.S. added later\n", signed_);
		break;
	case ADDHDR:
		snprintf(msg, sizeof(msg), "List-Unsubscribe: "
		    "<https://example.com/u>\nList-Unsubscribe-Post: "
		    "List-Unsubscribe=One-Click\n%s", signed_);
		break;
	case SUBJECT:
		snprintf(msg, sizeof(msg), "%s", signed_);
		ck_assert((p = strstr(msg, "Subject: a test")) != NULL);
		p[10] = 'A';
		break;
	default:
		snprintf(msg, sizeof(msg), "%s", signed_);
	}
	pf_dns_budget_init(&b, 10000);
	ck_assert((m = pf_dkim_msg_new(dk, &b)) != NULL);
	feed(m, msg);
	ck_assert_int_eq(pf_dkim_nsigs(m), 1);
	s = pf_dkim_sig(m, 0);
	ck_assert_msg(strcmp(s->result, rows[_i].result) == 0,
	    "%s: %s (%s)", rows[_i].label, s->result, s->why);
	ck_assert_str_eq(s->domain, rows[_i].dom);
	ck_assert_str_eq(s->selector, rows[_i].sel);
	ck_assert_str_eq(s->alg, rows[_i].alg);
	if (rows[_i].bits != 0)
		ck_assert_msg(s->bits == rows[_i].bits, "%s: %u bits",
		    rows[_i].label, s->bits);
	ck_assert_int_eq(s->weak, rows[_i].weak);
	ck_assert_int_eq(s->covers_from, 1);
	ck_assert_int_eq(s->covers_unsub, rows[_i].unsub);
	ck_assert_int_eq(s->covers_unsub_post, rows[_i].unsub);
	ck_assert_msg(strstr(s->why, rows[_i].why) != NULL, "%s: %s",
	    rows[_i].label, s->why);
	pf_dkim_msg_free(m);
}
END_TEST

START_TEST(test_unsigned)
{
	struct pf_dkim_msg *m = pf_dkim_msg_new(dk, NULL);

	feed(m, base);
	ck_assert_int_eq(pf_dkim_nsigs(m), 0);
	pf_dkim_msg_free(m);
}
END_TEST

START_TEST(test_two_signatures)
{
	static char one[65536], two[65536];
	struct pf_dkim_msg *m = pf_dkim_msg_new(dk, NULL);

	sign(base, "example.com", "gone", "rsa2048", "rsa-sha256", one,
	    sizeof(one));
	sign(one, "example.com", "ed1", "ed25519", "ed25519-sha256", two,
	    sizeof(two));
	feed(m, two);
	ck_assert_int_eq(pf_dkim_nsigs(m), 2);
	ck_assert_str_eq(pf_dkim_sig(m, 0)->result, "pass");
	ck_assert_str_eq(pf_dkim_sig(m, 0)->selector, "ed1");
	ck_assert_str_eq(pf_dkim_sig(m, 1)->result, "permerror");
	pf_dkim_msg_free(m);
}
END_TEST

/* hostile: 40 copies of a signature; only the first 16 are verified */
START_TEST(test_many_signatures)
{
	static char one[65536], many[65536 * 2];
	struct pf_dkim_msg *m = pf_dkim_msg_new(dk, NULL);
	char *body;
	size_t hl, o = 0, i;

	sign(base, "example.com", "sel1", "rsa2048", "rsa-sha256", one,
	    sizeof(one));
	/* the signature field ends where "From:" starts */
	ck_assert((body = strstr(one, "\nFrom:")) != NULL);
	hl = (size_t)(body - one) + 1;
	for (i = 0; i < 40; i++) {
		memcpy(many + o, one, hl);
		o += hl;
	}
	snprintf(many + o, sizeof(many) - o, "%s", one + hl);
	feed(m, many);
	ck_assert_int_eq(pf_dkim_nsigs(m), PF_DKIM_MAX_SIGS);
	for (i = 0; i < pf_dkim_nsigs(m); i++)
		ck_assert_str_eq(pf_dkim_sig(m, i)->result, "pass");
	pf_dkim_msg_free(m);
}
END_TEST

START_TEST(test_hlist)
{
	ck_assert(pf_dkim_hlist_has("From:To:Subject", "from"));
	ck_assert(pf_dkim_hlist_has("to : \r\n\tfrom", "From"));
	ck_assert(!pf_dkim_hlist_has("From:List-Unsubscribe",
	    "list-unsubscribe-post"));
	ck_assert(pf_dkim_hlist_has("List-Unsubscribe-Post:x",
	    "list-unsubscribe-post"));
	ck_assert(!pf_dkim_hlist_has("", "from"));
}
END_TEST

START_TEST(test_nodns)
{
	static char msg[65536];
	struct pf_dkim_msg *m;
	struct pf_dns_budget b;

	sign(base, "example.com", "sel1", "rsa2048", "rsa-sha256", msg,
	    sizeof(msg));
	pf_dns_budget_init(&b, 0);
	b.nodns = 1;
	m = pf_dkim_msg_new(dk, &b);
	feed(m, msg);
	ck_assert_str_eq(pf_dkim_sig(m, 0)->result, "temperror");
	ck_assert_str_eq(pf_dkim_sig(m, 0)->why, "DNS disabled (--no-dns)");
	pf_dkim_msg_free(m);
}
END_TEST

/* the server stops answering: temperror, not "no key" or "fail" */
START_TEST(test_server_stops)
{
	static char msg[65536];
	struct pf_dkim_msg *m;
	struct pf_dns_budget b;

	sign(base, "example.com", "ed1", "ed25519", "ed25519-sha256", msg,
	    sizeof(msg));
	pf_dns_budget_init(&b, 10000);
	m = pf_dkim_msg_new(dk, &b);
	pf_test_nsd_signal(SIGSTOP);
	feed(m, msg);
	pf_test_nsd_signal(SIGCONT);
	ck_assert_str_eq(pf_dkim_sig(m, 0)->result, "temperror");
	ck_assert_str_eq(pf_dkim_sig(m, 0)->why,
	    "DNS timeout looking up TXT ed1._domainkey.example.com");
	pf_dkim_msg_free(m);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dkim");
	TCase *tc = pf_test_case(s, "dkim");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_rows, 0, (int)PF_NELEM(rows));
	tcase_add_test(tc, test_unsigned);
	tcase_add_test(tc, test_two_signatures);
	tcase_add_test(tc, test_many_signatures);
	tcase_add_test(tc, test_hlist);
	tcase_add_test(tc, test_nodns);
	tcase_add_test(tc, test_server_stops);
	return pf_test_run(s);
}
