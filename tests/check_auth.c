/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_auth.c - the DNS facts of whole messages: the auth observer fed
 * field by field, then pf_auth_eval_env, against the private NSD.  Covers
 * the worst of several egress addresses, no egress address, --no-dns, the
 * declared signer (config line, KeyTable/SigningTable, wrong key), the
 * recipient domains, and a server that stops answering.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/auth.h"
#include "lib/pftest.h"

static struct pf_config *cfg;
static char keydir[1024];

static const char plain[] =
    "From: Alice <alice@example.com>\n"
    "To: bob@gmail.com\n"
    "Subject: hello\n"
    "List-Unsubscribe: <https://example.com/u/1>\n"
    "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n"
    "\n"
    "Hello.\n";

/* conf - one setting, as a preflight.conf line "key value" would set it */
static void
conf(const char *key, const char *value)
{
	struct pf_err err;

	memset(&err, 0, sizeof(err));
	ck_assert_msg(pf_config_set(cfg, key, value, &err) == PF_OK,
	    "%s %s: %s", key, value, err.msg);
}

/* egress - the egress addresses, replacing the ones set before */
static void
egress(const char *list)
{
	struct pf_err err;

	ck_assert_int_eq(pf_config_unset(cfg, "EgressIP", &err), PF_OK);
	if (list != NULL)
		conf("EgressIP", list);
}

/* cfg_init - the configuration every test starts from */
static void
cfg_init(void)
{
	pf_config_free(cfg);
	ck_assert_ptr_nonnull(cfg = pf_config_default());
	conf("Nameserver", pf_test_ns());
	conf("DNSQueryTimeout", "1000");
	conf("DNSMessageBudget", "4000");
	conf("EgressIP", "192.0.2.10");
	conf("HELO", "mail.example.com");
	snprintf(keydir, sizeof(keydir), "%s/tests/nsd/keys",
	    getenv("PF_SRCDIR"));
}

/* sign - the signing tool over msg */
static void
sign(const char *msg, const char *sel, const char *key, char *buf,
    size_t len)
{
	char cmd[2048], in[] = "/tmp/pf-auth-XXXXXX";
	FILE *f, *p;
	size_t n;
	int fd;

	ck_assert((fd = mkstemp(in)) >= 0);
	ck_assert((f = fdopen(fd, "w")) != NULL);
	fputs(msg, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "ASAN_OPTIONS=detect_leaks=0 "
	    "'%s/tests/tools/dkim-sign' -d example.com "
	    "-s %s -k '%s/%s.pem' < %s", getenv("PF_BUILDDIR"), sel, keydir,
	    key, in);
	ck_assert((p = popen(cmd, "r")) != NULL);
	n = fread(buf, 1, len - 1, p);
	buf[n] = '\0';
	ck_assert_int_eq(pclose(p), 0);
	unlink(in);
}

/* run_with - observer over msg (LF), then eval, on a shared context */
static struct pf_facts *
run_with(struct pf_auth *a, const char *msg, const char *mail_from,
    const char *rcpt0, const char *rcpt1)
{
	const struct pf_observer *o;
	struct pf_facts *f = pf_facts_new();
	struct pf_auth_env env;
	const char *rcpt[2] = { rcpt0, rcpt1 };
	char crlf[65536], *p, *e, *colon, *end;
	size_t i, n = 0;
	void *st;

	o = pf_auth_observer(a);
	ck_assert_int_eq(o->begin(o->arg, NULL, &st), PF_OK);
	for (i = 0; msg[i] != '\0' && n + 2 < sizeof(crlf); i++) {
		if (msg[i] == '\n')
			crlf[n++] = '\r';
		crlf[n++] = msg[i];
	}
	crlf[n] = '\0';
	p = crlf;
	end = crlf + n;
	while (p < end && !(p[0] == '\r' && p[1] == '\n')) {
		for (e = p; (e = strstr(e, "\r\n")) != NULL; e += 2)
			if (e[2] != ' ' && e[2] != '\t')
				break;
		colon = memchr(p, ':', (size_t)(e - p));
		o->header(st, p, (size_t)(colon - p), colon + 1,
		    (size_t)(e - colon - 1));
		p = e + 2;
	}
	o->eoh(st);
	o->body(st, (const unsigned char *)p + 2, (size_t)(end - p - 2));
	/* what hdr.c would have set */
	pf_fact_strz(f, PF_F_FROM_DOMAIN, "example.com");
	o->end(st, f);
	o->free(st);
	env.mail_from = mail_from;
	env.helo = NULL;
	env.rcpt = rcpt;
	env.nrcpt = rcpt1 ? 2 : rcpt0 ? 1 : 0;
	ck_assert_int_eq(pf_auth_eval_env(a, &env, f), PF_OK);
	return f;
}

/* run - the same with a context of its own, built from cfg */
static struct pf_facts *
run(const char *msg, const char *mail_from, const char *rcpt0,
    const char *rcpt1)
{
	struct pf_auth *a;
	struct pf_err err;
	struct pf_facts *f;

	memset(&err, 0, sizeof(err));
	ck_assert_msg(pf_auth_new(cfg, &a, &err) == PF_OK, "%s", err.msg);
	f = run_with(a, msg, mail_from, rcpt0, rcpt1);
	pf_auth_free(a);
	return f;
}

/* want - a fact's value as text, "?" + reason when unknown */
static void
want(const struct pf_facts *f, const char *name, const char *val)
{
	int id = pf_fact_lookup(name, strlen(name));
	char got[1024];

	ck_assert_msg(id >= 0, "no fact %s", name);
	if (!pf_fact_known(f, id))
		snprintf(got, sizeof(got), "?%s", pf_fact_why(f, id));
	else if (pf_fact_type(id) == PF_T_STR)
		snprintf(got, sizeof(got), "%s", pf_fact_gets(f, id));
	else
		snprintf(got, sizeof(got), "%lld",
		    (long long)pf_fact_getn(f, id));
	ck_assert_msg(strcmp(got, val) == 0, "%s: got [%s] want [%s]", name,
	    got, val);
}

START_TEST(test_good)
{
	static char msg[65536];
	struct pf_facts *f;

	cfg_init();
	sign(plain, "sel1", "rsa2048", msg, sizeof(msg));
	f = run(msg, "alice@example.com", "bob@gmail.com", "c@ws.example.net");
	want(f, "egress.ip", "192.0.2.10");
	want(f, "egress.ipv6", "0");
	want(f, "spf.result", "pass");
	want(f, "spf.domain", "example.com");
	want(f, "spf.hardfail", "1");
	want(f, "spf.suspicious", "0");
	want(f, "ptr.present", "1");
	want(f, "ptr.name", "mail.example.com");
	want(f, "ptr.fcrdns", "1");
	want(f, "dkim.count", "1");
	want(f, "dkim.pass", "1");
	want(f, "dkim.domain", "example.com");
	want(f, "dkim.pass_domains", "example.com");
	want(f, "dkim.weak_key", "0");
	want(f, "dkim.temperror", "0");
	want(f, "dkim.key_mismatch", "0");
	want(f, "dkim.predicted", "0");
	want(f, "dmarc.record", "present");
	want(f, "dmarc.domain", "example.com");
	want(f, "dmarc.policy", "reject");
	want(f, "dmarc.pass", "1");
	want(f, "dmarc.spf_aligned", "1");
	want(f, "dmarc.dkim_aligned", "1");
	want(f, "auth.pass", "1");
	want(f, "unsub.one_click", "1");
	want(f, "unsub.dkim_covered", "1");
	want(f, "rcpt.google_count", "2");
	want(f, "rcpt.personal_count", "1");
	want(f, "rcpt.bad_domain_count", "0");
	pf_facts_free(f);
}
END_TEST

START_TEST(test_unauthenticated)
{
	struct pf_facts *f;

	cfg_init();
	egress("192.0.2.12");
	f = run(plain, "alice@example.com", "x@nx.example.net", NULL);
	want(f, "spf.result", "fail");
	want(f, "dkim.count", "0");
	want(f, "dkim.pass", "0");
	want(f, "auth.pass", "0");
	want(f, "dmarc.pass", "0");
	want(f, "ptr.present", "0");
	want(f, "ptr.fcrdns", "0");
	want(f, "unsub.one_click", "1");
	want(f, "unsub.dkim_covered", "0");
	want(f, "rcpt.bad_domain_count", "1");
	want(f, "rcpt.bad_domain", "nx.example.net");
	want(f, "rcpt.google_count", "0");
	pf_facts_free(f);
}
END_TEST

START_TEST(test_worst_egress)
{
	struct pf_facts *f;

	cfg_init();
	conf("EgressIP", "192.0.2.20 2001:db8::10");
	f = run(plain, "alice@example.com", NULL, NULL);
	want(f, "egress.ip", "192.0.2.20");
	want(f, "spf.result", "fail");
	want(f, "ptr.name", "out20.example.net");
	want(f, "auth.pass", "0");
	pf_facts_free(f);
}
END_TEST

START_TEST(test_ipv6_no_fcrdns)
{
	struct pf_facts *f;

	cfg_init();
	egress("2001:db8::11");
	f = run(plain, "alice@example.com", NULL, NULL);
	want(f, "egress.ipv6", "1");
	want(f, "spf.result", "fail");
	want(f, "ptr.present", "1");
	want(f, "ptr.fcrdns", "0");
	pf_facts_free(f);
}
END_TEST

START_TEST(test_no_egress)
{
	static char msg[65536];
	struct pf_facts *f;

	cfg_init();
	egress(NULL);
	sign(plain, "sel1", "rsa2048", msg, sizeof(msg));
	f = run(msg, "alice@example.com", NULL, NULL);
	want(f, "egress.ip", "?no egress IP configured");
	want(f, "spf.result", "?no egress IP configured");
	want(f, "ptr.fcrdns", "?no egress IP configured");
	/* DKIM alone decides these */
	want(f, "dkim.pass", "1");
	want(f, "dmarc.pass", "1");
	want(f, "auth.pass", "1");
	want(f, "dmarc.spf_aligned", "?no egress IP configured");
	pf_facts_free(f);
	f = run(plain, "alice@example.com", NULL, NULL);
	want(f, "auth.pass", "?no egress IP configured");
	want(f, "dmarc.pass", "?no egress IP configured");
	pf_facts_free(f);
}
END_TEST

START_TEST(test_nodns)
{
	static char msg[65536];
	struct pf_facts *f;

	cfg_init();
	conf("DNS", "no");
	sign(plain, "sel1", "rsa2048", msg, sizeof(msg));
	f = run(msg, "alice@example.com", "a@gmail.com", "b@googlemail.com");
	want(f, "spf.result", "?DNS disabled (--no-dns)");
	want(f, "ptr.present", "?DNS disabled (--no-dns)");
	want(f, "dkim.count", "1");
	want(f, "dkim.pass", "?DNS disabled (--no-dns)");
	want(f, "dkim.temperror", "?DNS disabled (--no-dns)");
	want(f, "dmarc.record", "?DNS disabled (--no-dns)");
	want(f, "dmarc.pass", "?DNS disabled (--no-dns)");
	want(f, "auth.pass", "?DNS disabled (--no-dns)");
	want(f, "rcpt.google_count", "2");
	want(f, "rcpt.personal_count", "2");
	want(f, "rcpt.bad_domain_count", "0");
	pf_facts_free(f);
	f = run(msg, "alice@example.com", "a@gmail.com", "c@ws.example.net");
	want(f, "rcpt.personal_count", "1");
	want(f, "rcpt.google_count", "1");	/* at least */
	pf_facts_free(f);
	f = run(msg, "alice@example.com", "c@ws.example.net", NULL);
	want(f, "rcpt.google_count", "?DNS disabled (--no-dns)");
	want(f, "rcpt.bad_domain_count", "?DNS disabled (--no-dns)");
	pf_facts_free(f);
}
END_TEST

START_TEST(test_signer_config)
{
	static char key[1200];
	struct pf_facts *f;

	cfg_init();
	snprintf(key, sizeof(key), "example.com sel1 %s/rsa2048.pem", keydir);
	conf("Signer", key);
	egress("192.0.2.12");	/* SPF fails: DKIM must carry it */
	f = run(plain, "alice@example.com", NULL, NULL);
	want(f, "dkim.predicted", "1");
	want(f, "dkim.count", "1");
	want(f, "dkim.pass", "1");
	want(f, "dkim.key_mismatch", "0");
	want(f, "dmarc.dkim_aligned", "1");
	want(f, "dmarc.pass", "1");
	want(f, "unsub.dkim_covered", "1");
	pf_facts_free(f);
}
END_TEST

START_TEST(test_signer_mismatch)
{
	static char key[1200];
	struct pf_facts *f;

	cfg_init();
	snprintf(key, sizeof(key), "example.com sel1 %s/other1024.pem",
	    keydir);
	conf("Signer", key);
	egress("192.0.2.12");
	f = run(plain, "alice@example.com", NULL, NULL);
	want(f, "dkim.predicted", "1");
	want(f, "dkim.key_mismatch", "1");
	want(f, "dkim.pass", "0");
	want(f, "dmarc.pass", "0");
	pf_facts_free(f);
}
END_TEST

/* writefile - a small file in a private directory */
static void
writefile(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert(f != NULL);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_opendkim_tables)
{
	char dir[] = "/tmp/pf-tables-XXXXXX", kt[1200], st[1200], text[4096];
	static char keytable[1300], signingtable[1300];
	struct pf_facts *f;

	cfg_init();
	ck_assert(mkdtemp(dir) != NULL);
	snprintf(kt, sizeof(kt), "%s/KeyTable", dir);
	snprintf(st, sizeof(st), "%s/SigningTable", dir);
	snprintf(text, sizeof(text), "# keys\n"
	    "wrongkey  example.com:sel1:%s/other1024.pem\n"
	    "goodkey   example.com:other:%s/other1024.pem\n", keydir, keydir);
	writefile(kt, text);
	writefile(st, "*@example.net wrongkey\n*@example.com goodkey\n");
	snprintf(keytable, sizeof(keytable), "%s", kt);
	snprintf(signingtable, sizeof(signingtable), "refile:%s", st);
	conf("KeyTable", keytable);
	conf("SigningTable", signingtable);
	egress("192.0.2.12");
	f = run(plain, "alice@example.com", NULL, NULL);
	want(f, "dkim.predicted", "1");
	want(f, "dkim.key_mismatch", "0");
	want(f, "dkim.pass", "1");
	pf_facts_free(f);

	/* a plain table: by address or domain; the first match counts */
	writefile(st, "example.com wrongkey\n");
	conf("SigningTable", st);
	f = run(plain, "alice@example.com", NULL, NULL);
	want(f, "dkim.key_mismatch", "1");
	want(f, "dkim.pass", "0");
	pf_facts_free(f);
	unlink(kt);
	unlink(st);
	rmdir(dir);
}
END_TEST

START_TEST(test_bad_tables)
{
	char dir[] = "/tmp/pf-tables-XXXXXX", kt[1200], st[1200];
	struct pf_auth *a;
	struct pf_err err;

	cfg_init();
	ck_assert(mkdtemp(dir) != NULL);
	snprintf(kt, sizeof(kt), "%s/KeyTable", dir);
	snprintf(st, sizeof(st), "%s/SigningTable", dir);
	writefile(kt, "good example.com:sel1:/nonexistent.pem\nbroken line here\n");
	conf("KeyTable", kt);
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(pf_auth_new(cfg, &a, &err), PF_ESYNTAX);
	ck_assert_int_eq(err.line, 2);
	ck_assert_str_eq(err.file, kt);
	writefile(kt, "good example.com:sel1:/nonexistent.pem\n");
	writefile(st, "*@example.com missing\n");
	conf("SigningTable", st);
	ck_assert_int_eq(pf_auth_new(cfg, &a, &err), PF_ESYNTAX);
	ck_assert_msg(strstr(err.msg, "missing") != NULL, "%s", err.msg);
	unlink(kt);
	unlink(st);
	rmdir(dir);
}
END_TEST

#define NTHREADS	4
#define NRUNS		12

static struct pf_auth *shared;
static char signed_msg[65536];

/* worker - alternate a passing and a failing message on one context */
static void *
worker(void *arg)
{
	struct pf_facts *f;
	long bad = 0;
	int i, good;

	for (i = 0; i < NRUNS; i++) {
		good = (i + (int)(long)arg) % 2;
		f = run_with(shared, good ? signed_msg : plain,
		    good ? "alice@example.com" : "alice@wide.example.net",
		    "bob@gmail.com", NULL);
		if (pf_fact_getn(f, PF_F_AUTH_PASS) != good ||
		    pf_fact_getn(f, PF_F_DKIM_PASS) != good ||
		    strcmp(pf_fact_gets(f, PF_F_SPF_RESULT), good ? "pass" :
		    "fail") != 0)
			bad++;
		pf_facts_free(f);
	}
	return (void *)bad;
}

/* one context shared by several threads, as the daemon shares it */
START_TEST(test_threads)
{
	pthread_t t[NTHREADS];
	struct pf_err err;
	void *bad;
	long i, total = 0;

	cfg_init();
	sign(plain, "sel1", "rsa2048", signed_msg, sizeof(signed_msg));
	memset(&err, 0, sizeof(err));
	ck_assert_msg(pf_auth_new(cfg, &shared, &err) == PF_OK, "%s",
	    err.msg);
	for (i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], &bad);
		total += (long)bad;
	}
	pf_auth_free(shared);
	ck_assert_int_eq(total, 0);
}
END_TEST

/* the server stops answering: unknown with the reason, never a verdict */
START_TEST(test_server_stops)
{
	static char msg[65536];
	struct pf_facts *f;

	cfg_init();
	sign(plain, "sel1", "rsa2048", msg, sizeof(msg));
	pf_test_nsd_signal(SIGSTOP);
	f = run(msg, "alice@soft.example.net", "c@ws.example.net", NULL);
	pf_test_nsd_signal(SIGCONT);
	want(f, "dkim.pass", "?DNS timeout looking up TXT "
	    "sel1._domainkey.example.com");
	want(f, "spf.result", "?DNS timeout looking up TXT soft.example.net");
	want(f, "auth.pass", "?DNS timeout looking up TXT soft.example.net");
	ck_assert(!pf_fact_known(f, pf_fact_lookup("dmarc.pass", 10)));
	ck_assert(!pf_fact_known(f, pf_fact_lookup("ptr.fcrdns", 10)));
	ck_assert(!pf_fact_known(f, pf_fact_lookup("rcpt.google_count", 17)));
	ck_assert(!pf_fact_known(f, pf_fact_lookup("rcpt.bad_domain_count",
	    21)));
	pf_facts_free(f);
}
END_TEST

/* a server answering SERVFAIL (REFUSED) for the sender's domain */
START_TEST(test_servfail)
{
	struct pf_facts *f;

	cfg_init();
	f = run(plain, "alice@sender.invalid", NULL, NULL);
	want(f, "spf.result", "temperror");
	want(f, "spf.hardfail", "?DNS server failure looking up TXT "
	    "sender.invalid");
	/* Gmail would see the same failure: not authenticated */
	want(f, "auth.pass", "0");
	want(f, "dmarc.record", "present");
	want(f, "dmarc.spf_aligned", "0");
	pf_facts_free(f);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("auth");
	TCase *tc = pf_test_case(s, "auth");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_good);
	tcase_add_test(tc, test_unauthenticated);
	tcase_add_test(tc, test_worst_egress);
	tcase_add_test(tc, test_ipv6_no_fcrdns);
	tcase_add_test(tc, test_no_egress);
	tcase_add_test(tc, test_nodns);
	tcase_add_test(tc, test_signer_config);
	tcase_add_test(tc, test_signer_mismatch);
	tcase_add_test(tc, test_opendkim_tables);
	tcase_add_test(tc, test_bad_tables);
	tcase_add_test(tc, test_servfail);
	tcase_add_test(tc, test_threads);
	tcase_add_test(tc, test_server_stops);
	return pf_test_run(s);
}
