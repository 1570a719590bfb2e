/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_engine.c - whole messages through the engine, as both doors run
 * them: configuration through pf_config_set, the envelope and the message
 * into the builder, the verdict out.  Against the private NSD started by
 * tests/nsd/with-nsd.sh.  The reasons a rule is left open travel as
 * values from the resolver to the verdict, and the FailAction choice
 * (pf_policy_incomplete) is made on them.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/policy.h"
#include "engine/engine.h"
#include "lib/pftest.h"

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
	return pf_test_run(s);
}
