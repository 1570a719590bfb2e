/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_engine.c - whole messages through the engine, as both doors run
 * them: configuration through pf_config_set, the envelope and the message
 * into the builder, the verdict out.  Against the private NSD started by
 * tests/nsd/with-nsd.sh.  The reasons a rule is left open travel as
 * values from the resolver to the verdict, and the FailAction choice
 * (pf_policy_incomplete) is made on them.
 */
#define _GNU_SOURCE	/* nftw */
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth/sendmem.h"
#include "config/policy.h"
#include "engine/engine.h"
#include "lib/pftest.h"
#include "redistest.h"

static const char plain[] =
    "From: Alice <alice@example.com>\r\n"
    "To: bob@gmail.com\r\n"
    "Subject: hello\r\n"
    "Date: Mon, 30 Nov 2026 10:00:00 +0000\r\n"
    "Message-ID: <1@example.com>\r\n"
    "\r\n"
    "Hello.\r\n";

/* conf - one setting on cfg, as a preflight.conf line would set it */
static void
conf(struct pf_config *cfg, const char *key, const char *value)
{
	struct pf_err err;

	memset(&err, 0, sizeof(err));
	ck_assert_msg(pf_config_set(cfg, key, value, &err) == PF_OK,
	    "%s %s: %s", key, value, err.msg);
}

/* engine - the source tree's catalog, the fixture server, and the
 * settings given as key, value pairs ending with NULL */
static struct pf_engine *
engine(const char *key, ...)
{
	struct pf_config *cfg = pf_config_default();
	struct pf_engine *e = NULL;
	struct pf_err err;
	va_list ap;

	ck_assert_ptr_nonnull(cfg);
	conf(cfg, "Rules", pf_test_rules_path());
	conf(cfg, "Nameserver", pf_test_ns());
	conf(cfg, "DNSQueryTimeout", "1000");
	va_start(ap, key);
	for (; key != NULL; key = va_arg(ap, const char *))
		conf(cfg, key, va_arg(ap, const char *));
	va_end(ap);
	memset(&err, 0, sizeof(err));
	ck_assert_msg(pf_engine_new(cfg, &e, &err) == PF_OK, "%s", err.msg);
	return e;
}

/* run - one message with its envelope (helo may be NULL) */
static struct pf_check *
run(struct pf_engine *e, const char *helo, const char *mail_from,
    const char *msg, struct pf_verdict *v)
{
	struct pf_check *c = pf_check_new(e);
	struct pf_err err;

	ck_assert_ptr_nonnull(c);
	if (helo != NULL)
		ck_assert_int_eq(pf_msg_helo(pf_check_msg(c), helo), PF_OK);
	ck_assert_int_eq(pf_msg_mail(pf_check_msg(c), mail_from), PF_OK);
	ck_assert_int_eq(pf_msg_rcpt(pf_check_msg(c), "bob@gmail.com"),
	    PF_OK);
	ck_assert_int_eq(pf_msg_raw(pf_check_msg(c),
	    (const unsigned char *)msg, strlen(msg)), PF_OK);
	memset(&err, 0, sizeof(err));
	ck_assert_msg(pf_check_run(c, v, &err) == PF_OK, "%s", err.msg);
	return c;
}

/* predicted - is rule id among the predictions? */
static int
predicted(const struct pf_verdict *v, const char *id)
{
	size_t i;

	for (i = 0; i < v->npred; i++)
		if (strcmp(v->pred[i].rule->id, id) == 0)
			return 1;
	return 0;
}

/*
 * The HELO name the MTA presents in the session (not the configured one,
 * which is refused as a configuration error): Gmail's 501 5.5.4.
 */
START_TEST(test_session_helo)
{
	struct pf_engine *e = engine("DNS", "no", NULL);
	struct pf_verdict v;
	struct pf_check *c;

	c = run(e, "bad_helo..name", "alice@example.com", plain, &v);
	ck_assert(predicted(&v, "helo-argument-invalid"));
	pf_verdict_reset(&v);
	pf_check_free(c);
	c = run(e, "localhost", "alice@example.com", plain, &v);
	ck_assert(!predicted(&v, "helo-argument-invalid"));
	pf_verdict_reset(&v);
	pf_check_free(c);
	pf_engine_unref(e);
}
END_TEST

/* open_for - the reasons the verdict's open rules give, as names */
static void
open_for(const struct pf_verdict *v, char *buf, size_t len)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < v->nunk && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s=%s", o ? " " :
		    "", v->unk[i].rule->id, pf_undecided_name(v->unk[i].reason));
}

/*
 * A server that stops answering: each lookup times out, the rules that
 * need it are open for "timeout", and the verdict is still used (the
 * budget was not spent).
 */
START_TEST(test_timeout)
{
	struct pf_engine *e = engine("EgressIP", "192.0.2.10",
	    "DNSQueryTimeout", "300", "DNSMessageBudget", "60000", NULL);
	const struct pf_facts *f;
	struct pf_verdict v;
	struct pf_check *c;
	char open[4096];

	pf_test_nsd_signal(SIGSTOP);
	c = run(e, NULL, "alice@soft.example.net", plain, &v);
	pf_test_nsd_signal(SIGCONT);
	f = pf_check_facts(c);
	open_for(&v, open, sizeof(open));
	ck_assert_int_eq(pf_fact_reason(f, PF_F_SPF_RESULT), PF_U_TIMEOUT);
	ck_assert_str_eq(pf_fact_why(f, PF_F_SPF_RESULT),
	    "DNS timeout looking up TXT soft.example.net");
	ck_assert_msg(pf_verdict_undecided(&v, PF_U_TIMEOUT) > 0, "%s", open);
	ck_assert_msg(pf_verdict_undecided(&v, PF_U_BUDGET) == 0, "%s", open);
	ck_assert_int_eq(pf_policy_incomplete(&v), PF_U_NONE);
	pf_verdict_reset(&v);
	pf_check_free(c);
	pf_engine_unref(e);
}
END_TEST

/*
 * A server answering with a failure (REFUSED for sender.invalid): Gmail
 * would see it too, so SPF's temperror is a result, and what is still
 * open is open for "server-failure", not for our side.
 */
START_TEST(test_server_failure)
{
	struct pf_engine *e = engine("EgressIP", "192.0.2.10", NULL);
	const struct pf_facts *f;
	struct pf_verdict v;
	struct pf_check *c;

	c = run(e, NULL, "alice@sender.invalid", plain, &v);
	f = pf_check_facts(c);
	ck_assert(pf_fact_known(f, PF_F_SPF_RESULT));
	ck_assert_str_eq(pf_fact_gets(f, PF_F_SPF_RESULT), "temperror");
	ck_assert_int_eq(pf_fact_reason(f, PF_F_SPF_HARDFAIL),
	    PF_U_SERVER_FAILURE);
	ck_assert_uint_eq(pf_verdict_undecided(&v, PF_U_TIMEOUT), 0);
	ck_assert_int_eq(pf_policy_incomplete(&v), PF_U_NONE);
	pf_verdict_reset(&v);
	pf_check_free(c);
	pf_engine_unref(e);
}
END_TEST

/*
 * The message's DNS time budget runs out (a stopped server, a budget
 * shorter than one query): the rules left are open for "budget", and the
 * verdict must not be used: the daemon takes FailAction.
 */
START_TEST(test_budget)
{
	struct pf_engine *e = engine("EgressIP", "192.0.2.10",
	    "DNSQueryTimeout", "2000", "DNSMessageBudget", "150",
	    "FailAction", "tempfail", NULL);
	const struct pf_facts *f;
	struct pf_verdict v;
	struct pf_check *c;
	char open[4096];

	pf_test_nsd_signal(SIGSTOP);
	c = run(e, NULL, "alice@soft.example.net", plain, &v);
	pf_test_nsd_signal(SIGCONT);
	f = pf_check_facts(c);
	open_for(&v, open, sizeof(open));
	ck_assert_int_eq(pf_fact_reason(f, PF_F_SPF_RESULT), PF_U_BUDGET);
	ck_assert_msg(pf_verdict_undecided(&v, PF_U_BUDGET) > 0, "%s", open);
	ck_assert_int_eq(pf_policy_incomplete(&v), PF_U_BUDGET);
	ck_assert_str_eq(pf_undecided_text(pf_policy_incomplete(&v)),
	    "DNS time budget for the message spent");
	ck_assert_int_eq(pf_engine_config(e)->policy->fail_action,
	    PF_A_TEMPFAIL);
	pf_verdict_reset(&v);
	pf_check_free(c);
	pf_engine_unref(e);
}
END_TEST

/* --no-dns: open for "no-dns", and that is not a reason for FailAction */
START_TEST(test_no_dns)
{
	struct pf_engine *e = engine("EgressIP", "192.0.2.10", "DNS", "no",
	    NULL);
	struct pf_verdict v;
	struct pf_check *c;

	c = run(e, NULL, "alice@example.com", plain, &v);
	ck_assert_uint_gt(pf_verdict_undecided(&v, PF_U_NO_DNS), 0);
	ck_assert_uint_eq(pf_verdict_undecided(&v, PF_U_NO_DNS), v.nunk -
	    pf_verdict_undecided(&v, PF_U_NOT_CONFIGURED) -
	    pf_verdict_undecided(&v, PF_U_NO_INPUT));
	ck_assert_int_eq(pf_policy_incomplete(&v), PF_U_NONE);
	pf_verdict_reset(&v);
	pf_check_free(c);
	pf_engine_unref(e);
}
END_TEST

/*
 * Reuse: every fixture and corpus message through one check reset between
 * messages (as a session reuses it across MAIL FROMs) gives the same facts
 * and verdict as a new check.  The envelopes differ from one message to
 * the next, and every fifth message is abandoned half-way first (RSET), so
 * that anything the reset forgot shows up in the next message.
 */
#define REUSE_MAX	2048

static char	*reuse_path[REUSE_MAX];
static size_t	 reuse_n;

/* reuse_add - nftw: collect the .eml files */
static int
reuse_add(const char *path, const struct stat *sb, int type,
    struct FTW *ftw)
{
	size_t len = strlen(path);

	(void)sb;
	(void)ftw;
	if (type == FTW_F && len > 4 && strcmp(path + len - 4, ".eml") == 0 &&
	    reuse_n < REUSE_MAX)
		reuse_path[reuse_n++] = strdup(path);
	return 0;
}

/* slurp - a whole file, NUL-terminated; *len its size */
static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *p;
	long n;

	ck_assert_msg(fp != NULL, "%s", path);
	ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
	ck_assert_int_ge(n = ftell(fp), 0);
	rewind(fp);
	ck_assert_ptr_nonnull(p = malloc((size_t)n + 1));
	ck_assert_uint_eq(fread(p, 1, (size_t)n, fp), (size_t)n);
	p[n] = '\0';
	fclose(fp);
	*len = (size_t)n;
	return p;
}

/* feed - message i's envelope and the first len bytes of it */
static void
feed(struct pf_check *c, size_t i, const char *msg, size_t len)
{
	struct pf_msg *m = pf_check_msg(c);
	static const char *const helo[] = { "mta.example.com",
	    "bad_helo..name", "localhost" };
	char a[64];
	size_t k;

	ck_assert_int_eq(pf_msg_helo(m, helo[i % 3]), PF_OK);
	snprintf(a, sizeof(a), "<s%zu@sender%zu.example>", i, i % 4);
	ck_assert_int_eq(pf_msg_mail(m, a), PF_OK);
	for (k = 0; k <= i % 3; k++) {
		snprintf(a, sizeof(a), "r%zu@%s", k, k == 1 ? "example.org" :
		    "gmail.com");
		ck_assert_int_eq(pf_msg_rcpt(m, a), PF_OK);
	}
	pf_msg_smtputf8(m, (int)(i % 2));
	ck_assert_int_eq(pf_msg_raw(m, msg, len), PF_OK);
}

/* same_str - equal strings, NULL as "" */
static int
same_str(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

/* same_facts - every fact the same in both stores */
static void
same_facts(const struct pf_facts *a, const struct pf_facts *b,
    const char *path)
{
	int id;

	for (id = 0; id < PF_F__COUNT; id++) {
		ck_assert_msg(pf_fact_known(a, id) == pf_fact_known(b, id),
		    "%s: %s known differs", path, pf_fact_name(id));
		if (pf_fact_known(a, id)) {
			ck_assert_msg(pf_fact_getn(a, id) == pf_fact_getn(b,
			    id) && same_str(pf_fact_gets(a, id),
			    pf_fact_gets(b, id)), "%s: %s differs", path,
			    pf_fact_name(id));
		} else
			ck_assert_msg(pf_fact_reason(a, id) ==
			    pf_fact_reason(b, id) && same_str(pf_fact_why(a,
			    id), pf_fact_why(b, id)), "%s: %s: why differs",
			    path, pf_fact_name(id));
	}
}

/* same_verdict - the same predictions and open rules, in order */
static void
same_verdict(const struct pf_verdict *a, const struct pf_verdict *b,
    const char *path)
{
	size_t i;

	ck_assert_msg(a->kind == b->kind && a->npred == b->npred &&
	    a->nunk == b->nunk, "%s: verdicts differ", path);
	for (i = 0; i < a->npred; i++)
		ck_assert_msg(a->pred[i].rule == b->pred[i].rule &&
		    same_str(a->pred[i].text, b->pred[i].text) &&
		    same_str(a->pred[i].detail, b->pred[i].detail),
		    "%s: prediction %zu differs", path, i);
	for (i = 0; i < a->nunk; i++)
		ck_assert_msg(a->unk[i].rule == b->unk[i].rule &&
		    a->unk[i].fact == b->unk[i].fact &&
		    a->unk[i].reason == b->unk[i].reason &&
		    same_str(a->unk[i].why, b->unk[i].why),
		    "%s: open rule %zu differs", path, i);
}

START_TEST(test_reset_reuse)
{
	struct pf_engine *e = engine("DNS", "no", NULL);
	struct pf_check *reused, *fresh;
	struct pf_verdict va, vb;
	struct pf_err err;
	const char *src = getenv("PF_SRCDIR");
	char dir[4096];
	size_t i, len, with = 0;
	char *msg;

	memset(&err, 0, sizeof(err));
	src = src != NULL ? src : ".";
	snprintf(dir, sizeof(dir), "%s/tests/fixtures", src);
	ck_assert_int_eq(nftw(dir, reuse_add, 16, FTW_PHYS), 0);
	snprintf(dir, sizeof(dir), "%s/tests/data/corpus", src);
	ck_assert_int_eq(nftw(dir, reuse_add, 16, FTW_PHYS), 0);
	ck_assert_uint_gt(reuse_n, 300);
	ck_assert_ptr_nonnull(reused = pf_check_new(e));
	for (i = 0; i < reuse_n; i++) {
		msg = slurp(reuse_path[i], &len);
		if (i % 5 == 4) {	/* a message abandoned half-way */
			feed(reused, i + 1, msg, len / 2);
			ck_assert_int_eq(pf_check_reset(reused), PF_OK);
		}
		feed(reused, i, msg, len);
		ck_assert_msg(pf_check_run(reused, &va, &err) == PF_OK, "%s",
		    err.msg);
		ck_assert_ptr_nonnull(fresh = pf_check_new(e));
		feed(fresh, i, msg, len);
		ck_assert_msg(pf_check_run(fresh, &vb, &err) == PF_OK, "%s",
		    err.msg);
		same_facts(pf_check_facts(reused), pf_check_facts(fresh),
		    reuse_path[i]);
		same_verdict(&va, &vb, reuse_path[i]);
		with += va.npred > 0;
		pf_verdict_reset(&va);
		pf_verdict_reset(&vb);
		pf_check_free(fresh);
		ck_assert_int_eq(pf_check_reset(reused), PF_OK);
		free(msg);
		free(reuse_path[i]);
	}
	/* messages with predictions followed by ones without: a leak from
	 * one message into the next had something to show */
	ck_assert_uint_gt(with, 50);
	ck_assert_uint_gt(reuse_n - with, 50);
	pf_check_free(reused);
	pf_engine_unref(e);
}
END_TEST

/* a sender's message whose From domain is not the envelope's, signed by
 * a third domain (the signature does not verify: only the key lookup
 * matters here) */
static const char guessed[] =
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com;\r\n"
    "\ts=sel1; h=From:To:Subject;\r\n"
    "\tbh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=dGVzdA==\r\n"
    "From: News <news@example.org>\r\n"
    "To: bob@gmail.com\r\n"
    "Subject: hello\r\n"
    "Date: Mon, 30 Nov 2026 10:00:00 +0000\r\n"
    "Message-ID: <2@example.org>\r\n"
    "\r\n"
    "Hello.\r\n";

/* mem_engine - a new engine (an empty resolver cache, as after a
 * reload) on the State given, sharing the sender memory m */
static struct pf_engine *
mem_engine(const char *state, struct pf_sendmem *m)
{
	struct pf_engine *e = engine("State", state, "DNSQueryTimeout", "300",
	    "DNSMessageBudget", "60000", NULL);

	pf_engine_set_sendmem(e, m);
	return e;
}

/* enveloped - a new check of e past MAIL FROM and RCPT TO bob@gmail.com,
 * with what MAIL FROM starts started */
static struct pf_check *
enveloped(struct pf_engine *e, const char *mail_from)
{
	struct pf_check *c = pf_check_new(e);

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(pf_msg_mail(pf_check_msg(c), mail_from), PF_OK);
	ck_assert_int_eq(pf_msg_rcpt(pf_check_msg(c), "bob@gmail.com"), PF_OK);
	pf_check_prefetch_mail(c);
	return c;
}

/* teach - the sender's first message through e, server up, counted */
static void
teach(struct pf_engine *e, const char *mail_from)
{
	struct pf_check *c = enveloped(e, mail_from);
	struct pf_verdict v;
	struct pf_err err;

	ck_assert_int_eq(pf_msg_raw(pf_check_msg(c),
	    (const unsigned char *)guessed, strlen(guessed)), PF_OK);
	memset(&err, 0, sizeof(err));
	ck_assert_msg(pf_check_run(c, &v, &err) == PF_OK, "%s", err.msg);
	ck_assert_msg(pf_check_record(c, &err) == PF_OK, "%s", err.msg);
	pf_verdict_reset(&v);
	pf_check_free(c);
}

/* after_mail - the next message: what MAIL FROM starts gets 300 ms, then
 * the server stops before the header fields arrive (as with Postfix,
 * which hands them over only after the whole message) */
static struct pf_check *
after_mail(struct pf_engine *e, const char *mail_from)
{
	struct pf_check *c = enveloped(e, mail_from);
	struct pf_verdict v;
	struct pf_err err;

	usleep(300 * 1000);
	pf_test_nsd_signal(SIGSTOP);
	ck_assert_int_eq(pf_msg_raw(pf_check_msg(c),
	    (const unsigned char *)guessed, strlen(guessed)), PF_OK);
	memset(&err, 0, sizeof(err));
	ck_assert_msg(pf_check_run(c, &v, &err) == PF_OK, "%s", err.msg);
	pf_test_nsd_signal(SIGCONT);
	pf_verdict_reset(&v);
	return c;
}

/* guessed_right - were the key and the From domain's DMARC record in
 * the cache at end of message? */
static int
guessed_right(const struct pf_facts *f)
{
	return pf_fact_known(f, PF_F_DKIM_TEMPERROR) &&
	    !pf_fact_getn(f, PF_F_DKIM_TEMPERROR) &&
	    pf_fact_known(f, PF_F_DMARC_RECORD) &&
	    strcmp(pf_fact_gets(f, PF_F_DMARC_RECORD), "present") == 0;
}

/*
 * The sender memory: a message of bounce@example.net, From example.org,
 * signed by example.com, teaches it; the next message of the same
 * envelope domain, on a new engine (a reload: empty resolver cache),
 * has the DKIM key and the From domain's DMARC record looked up at MAIL
 * FROM, so they are answered with the server stopped from the header
 * fields on.  Loop 0: the memory kept across the reload (State none);
 * 1 and 2: learned by another process and found in the state store
 * (LMDB, then a private redis-server), as after a restart or on another
 * host of a fleet.  The control, a sender never seen on a new engine,
 * gets neither.
 */
START_TEST(test_sender_memory)
{
	struct redistest rs;
	char dir[64] = "/tmp/pf-sendmem.XXXXXX", state[200], cmd[100];
	struct pf_sendmem *m;
	struct pf_sender got;
	struct pf_engine *e;
	struct pf_check *c;
	pid_t pid;
	int st;

	snprintf(state, sizeof(state), "none");
	if (_i == 1) {
		ck_assert_ptr_nonnull(mkdtemp(dir));
		snprintf(state, sizeof(state), "lmdb:%s/state", dir);
	} else if (_i == 2) {
		ck_assert_msg(redistest_start(&rs, NULL) == 0, "redis-server "
		    "did not start (install the Debian package redis-server)");
		snprintf(state, sizeof(state), "redis://127.0.0.1:%u/0",
		    rs.port);
	}
	if (_i == 0) {
		ck_assert_ptr_nonnull(m = pf_sendmem_new());
		e = mem_engine(state, m);
		teach(e, "bounce@example.net");
		pf_engine_unref(e);
	} else {
		/* another process learns and exits */
		ck_assert_int_ne(pid = fork(), -1);
		if (pid == 0) {
			ck_assert_ptr_nonnull(m = pf_sendmem_new());
			e = mem_engine(state, m);
			teach(e, "bounce@example.net");
			pf_engine_unref(e);
			pf_sendmem_free(m);
			_exit(0);
		}
		ck_assert_int_eq(waitpid(pid, &st, 0), pid);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		    "the learning process failed");
		ck_assert_ptr_nonnull(m = pf_sendmem_new());
	}
	e = mem_engine(state, m);
	c = after_mail(e, "<bounce@Example.NET>");
	ck_assert_msg(guessed_right(pf_check_facts(c)), "dkim.temperror %s, "
	    "dmarc.record %s", pf_fact_why(pf_check_facts(c),
	    PF_F_DKIM_TEMPERROR), pf_fact_gets(pf_check_facts(c),
	    PF_F_DMARC_RECORD));
	ck_assert(pf_sendmem_get(m, "example.net", &got));
	ck_assert_str_eq(got.from[0], "example.org");
	ck_assert_str_eq(got.key[0].s, "sel1");
	ck_assert_str_eq(got.key[0].d, "example.com");
	pf_check_free(c);
	pf_engine_unref(e);
	/* the control: a sender never seen */
	e = mem_engine(state, m);
	c = after_mail(e, "bounce@aonly.example.net");
	ck_assert(!guessed_right(pf_check_facts(c)));
	ck_assert_int_eq(pf_fact_reason(pf_check_facts(c),
	    PF_F_DKIM_TEMPERROR), PF_U_TIMEOUT);
	pf_check_free(c);
	pf_engine_unref(e);
	pf_sendmem_free(m);
	if (_i == 1) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		ck_assert_int_eq(system(cmd), 0);
	} else if (_i == 2)
		redistest_stop(&rs);
}
END_TEST

/*
 * The From field starts its domain's DMARC lookup when it arrives, also
 * when the address carries a comment: with the server stopped after the
 * header fields, the record is still found at end of message.
 */
START_TEST(test_from_prefetch)
{
	static const char *const from[] = {
		"news@example.org (The \\) News)",
		"(News) news@example.org",
		"\"News (daily)\" <news@example.org>",
	};
	char msg[512];
	struct pf_engine *e = engine("DNSQueryTimeout", "300",
	    "DNSMessageBudget", "60000", NULL);
	struct pf_check *c = enveloped(e, "<a@aonly.example.net>");
	struct pf_verdict v;
	struct pf_err err;
	const struct pf_facts *f;

	snprintf(msg, sizeof(msg), "From: %s\r\nTo: bob@gmail.com\r\n"
	    "Subject: hello\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\n"
	    "Message-ID: <3@example.org>\r\n\r\nHello.\r\n", from[_i]);
	ck_assert_int_eq(pf_msg_raw(pf_check_msg(c),
	    (const unsigned char *)msg, strlen(msg)), PF_OK);
	usleep(300 * 1000);
	pf_test_nsd_signal(SIGSTOP);
	memset(&err, 0, sizeof(err));
	ck_assert_msg(pf_check_run(c, &v, &err) == PF_OK, "%s", err.msg);
	pf_test_nsd_signal(SIGCONT);
	f = pf_check_facts(c);
	ck_assert_msg(pf_fact_known(f, PF_F_DMARC_RECORD) &&
	    strcmp(pf_fact_gets(f, PF_F_DMARC_RECORD), "present") == 0,
	    "From: %s: dmarc.record %s", from[_i],
	    pf_fact_why(f, PF_F_DMARC_RECORD));
	pf_verdict_reset(&v);
	pf_check_free(c);
	pf_engine_unref(e);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = pf_test_case(s, "engine");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_session_helo);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_server_failure);
	tcase_add_test(tc, test_budget);
	tcase_add_test(tc, test_no_dns);
	tcase_add_test(tc, test_reset_reuse);
	tcase_add_loop_test(tc, test_sender_memory, 0, 3);
	tcase_add_loop_test(tc, test_from_prefetch, 0, 3);
	return pf_test_run(s);
}
