/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_mta.c - the parts of the MTA audit that need no running MTA: the
 * report (text columns, the catalog entry's codes, JSON, the worst
 * status), sendmail.cf options and filter lines, and postconf(1) itself
 * on a configuration directory written here (Postfix must be installed).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/facts.h"
#include "base/msg.h"
#include "base/pf.h"
#include "catalog/rules.h"
#include "catalog/verdict.h"
#include "config/config.h"
#include "engine/engine.h"
#include "mta/postconf.h"
#include "mta/report.h"
#include "mta/sendmailcf.h"
#include "lib/pftest.h"

/* render - the text report into a string (owned) */
static char *
render(const struct pf_report *r, const struct pf_rules *rules, int json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(fp);
	if (json)
		pf_report_json(fp, r, rules);
	else
		pf_report_text(fp, r, rules);
	fclose(fp);
	return buf;
}

START_TEST(test_report_text)
{
	struct pf_report *r = calloc(1, sizeof(*r));
	struct pf_rules *ru = pf_test_rules();
	char *out;

	pf_report_add(r, PF_MTA_OK, "helo", NULL, "not shown", "%s resolves",
	    "mta.example.com");
	pf_report_add(r, PF_MTA_FAIL, "tls.gmail", "tls-required-for-domain",
	    "smtp_tls_security_level = may", "level %s", "none");
	pf_report_add(r, PF_MTA_WARN, "x", "no-such-rule", NULL, "w");
	out = render(r, ru, 0);
	ck_assert_str_eq(out,
	    "ok       helo                      mta.example.com resolves\n"
	    "FAIL     tls.gmail                 level none -- fix: "
	    "smtp_tls_security_level = may -- would cause 421 4.7.0 "
	    "tls-required-for-domain\n"
	    "warn     x                         w -- would cause "
	    "no-such-rule\n");
	ck_assert_int_eq(pf_report_worst(r), PF_MTA_FAIL);
	free(out);
	pf_rules_free(ru);
	free(r);
}
END_TEST

START_TEST(test_report_worst_and_json)
{
	struct pf_report *r = calloc(1, sizeof(*r));
	struct pf_rules *ru = pf_test_rules();
	char *out;

	ck_assert_int_eq(pf_report_worst(r), PF_MTA_OK);
	pf_report_add(r, PF_MTA_WARN, "a", NULL, NULL, "w");
	ck_assert_int_eq(pf_report_worst(r), PF_MTA_WARN);
	pf_report_add(r, PF_MTA_UNKNOWN, "b\"", "ptr-missing", NULL,
	    "DNS \001" "down");
	ck_assert_int_eq(pf_report_worst(r), PF_MTA_UNKNOWN);
	out = render(r, ru, 1);
	ck_assert_str_eq(out, "{\"status\":\"unknown\",\"dropped\":0,"
	    "\"findings\":[{\"status\":\"warn\",\"check\":\"a\",\"seen\":"
	    "\"w\",\"fix\":null,\"rule\":null},{\"status\":\"unknown\","
	    "\"check\":\"b\\\"\",\"seen\":\"DNS \\u0001down\",\"fix\":null,"
	    "\"rule\":\"ptr-missing\",\"reply\":550,\"code\":\"5.7.25\"}]}\n");
	free(out);
	pf_rules_free(ru);
	free(r);
}
END_TEST

START_TEST(test_report_full)
{
	struct pf_report *r = calloc(1, sizeof(*r));
	size_t i;

	for (i = 0; i < PF_MTA_MAX_FINDINGS + 3; i++)
		pf_report_add(r, PF_MTA_OK, "c", NULL, NULL, "%zu", i);
	ck_assert_uint_eq(r->n, PF_MTA_MAX_FINDINGS);
	ck_assert_uint_eq(r->dropped, 3);
	free(r);
}
END_TEST

/* write - text into dir/name */
static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	fputs(text, fp);
	fclose(fp);
}

START_TEST(test_sendmailcf)
{
	char dir[] = "/tmp/check_mta.XXXXXX", path[4096], cf[4200];
	struct pf_sendmailcf *sm = NULL;
	struct pf_err err = { 0 };
	const struct pf_sm_filter *f;
	const char *src;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_file(dir, "sendmail.cf",
	    "# comment O InputMailFilters=nope\n"
	    "O InputMailFilters=preflight, opendkim\n"
	    "O Milter.macros.connect=j, _, {daemon_name}\n"
	    "Xpreflight, S=local:/run/preflight/milter.sock, F=T, "
	    "T=C:10s;S:30s\n"
	    "Xopendkim, S=inet:8891@127.0.0.1, F=\n"
	    "O InputMailFilters=preflight\n");
	snprintf(path, sizeof(path), "%s/sendmail.cf", dir);
	ck_assert_int_eq(pf_sendmailcf_load(path, &sm, &err), PF_OK);
	ck_assert_str_eq(pf_sendmailcf_opt(sm, "inputmailfilters"),
	    "preflight");
	ck_assert_str_eq(pf_sendmailcf_opt(sm, "Milter.macros.connect"),
	    "j, _, {daemon_name}");
	ck_assert_ptr_null(pf_sendmailcf_opt(sm, "CACertFile"));
	ck_assert_uint_eq(pf_sendmailcf_nfilters(sm), 2);
	f = pf_sendmailcf_filter(sm, 0);
	ck_assert_str_eq(f->name, "preflight");
	ck_assert_str_eq(f->socket, "local:/run/preflight/milter.sock");
	ck_assert_str_eq(f->flags, "T");
	f = pf_sendmailcf_filter(sm, 1);
	ck_assert_str_eq(f->socket, "inet:8891@127.0.0.1");
	ck_assert_str_eq(f->flags, "");
	ck_assert_ptr_null(pf_sendmailcf_filter(sm, 2));
	ck_assert_int_eq(pf_sendmailcf_access(sm, &src), PF_SM_ACCESS_NONE);
	ck_assert_ptr_null(src);
	pf_sendmailcf_free(sm);

	/* the access map's text source, named by its K line */
	snprintf(cf, sizeof(cf), "Kaccess hash -o -T<TMPF> %s/access.db\n",
	    dir);
	write_file(dir, "sendmail.cf", cf);
	ck_assert_int_eq(pf_sendmailcf_load(path, &sm, &err), PF_OK);
	ck_assert_int_eq(pf_sendmailcf_access(sm, &src),
	    PF_SM_ACCESS_UNREAD);
	snprintf(cf, sizeof(cf), "%s/access", dir);
	ck_assert_str_eq(src, cf);
	pf_sendmailcf_free(sm);
	write_file(dir, "access",
	    "# Try_TLS:gmail.com NO\n"
	    "Connect:127.0.0.1\tRELAY\n"
	    "try_tls:google.com  NO\n"
	    "TLS_Rcpt:gmail.com\tENCR:128\n"
	    "TLS_Rcpt:gmail.com\tENCR:256\n"
	    "TLS_Srv:\tVERIFY\n");
	ck_assert_int_eq(pf_sendmailcf_load(path, &sm, &err), PF_OK);
	ck_assert_int_eq(pf_sendmailcf_access(sm, &src), PF_SM_ACCESS_READ);
	ck_assert_str_eq(pf_sendmailcf_access_get(sm, "Try_TLS",
	    "google.com"), "NO");
	ck_assert_ptr_null(pf_sendmailcf_access_get(sm, "Try_TLS",
	    "gmail.com"));
	ck_assert_str_eq(pf_sendmailcf_access_get(sm, "tls_rcpt",
	    "GMAIL.com"), "ENCR:128");
	ck_assert_str_eq(pf_sendmailcf_access_get(sm, "TLS_Srv", ""),
	    "VERIFY");
	ck_assert_ptr_null(pf_sendmailcf_access_get(sm, "Connect",
	    "127.0.0.1"));
	pf_sendmailcf_free(sm);
	unlink(cf);

	unlink(path);
	ck_assert_int_eq(pf_sendmailcf_load(path, &sm, &err), PF_EIO);
	ck_assert_ptr_null(sm);
	rmdir(dir);
}
END_TEST

/* have_postconf - Postfix's postconf is installed */
static int
have_postconf(void)
{
	return access("/usr/sbin/postconf", X_OK) == 0;
}

START_TEST(test_postconf)
{
	char dir[] = "/tmp/check_mta.XXXXXX", buf[800];
	struct pf_postconf *pc = NULL;
	struct pf_err err = { 0 };
	const struct pf_pc_service *s = NULL;
	size_t i;

	ck_assert_msg(have_postconf(), "postconf is not installed "
	    "(contrib/install-deps.sh installs postfix)");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_file(dir, "main.cf", "compatibility_level = 3.6\n"
	    "myhostname = mta.example.com\n"
	    "smtpd_milters = unix:preflight/milter.sock\n"
	    "non_smtpd_milters = $smtpd_milters\n");
	write_file(dir, "master.cf",
	    "smtp      inet  n       -       y       -       -       smtpd\n"
	    "submission inet n       -       n       -       -       smtpd\n"
	    "  -o smtpd_milters=inet:127.0.0.1:8894\n"
	    "cleanup   unix  n       -       y       -       0       cleanup\n"
	    "smtp      unix  -       -       -       -       -       smtp\n");
	ck_assert_msg(pf_postconf_load(dir, &pc, &err) == PF_OK, "%s",
	    pf_err_format(&err, buf, sizeof(buf)));
	ck_assert_str_eq(pf_postconf_get(pc, "non_smtpd_milters"),
	    "unix:preflight/milter.sock");
	ck_assert_str_eq(pf_postconf_get(pc, "smtp_helo_name"),
	    "mta.example.com");
	ck_assert_ptr_null(pf_postconf_get(pc, "no_such_parameter"));
	ck_assert_uint_eq(pf_postconf_nservices(pc), 4);
	for (i = 0; i < pf_postconf_nservices(pc); i++) {
		s = pf_postconf_service(pc, i);
		if (strcmp(s->name, "submission") == 0)
			break;
	}
	ck_assert_str_eq(s->command, "smtpd");
	ck_assert_int_eq(s->chroot, 0);
	ck_assert_str_eq(pf_postconf_svc_get(pc, s, "smtpd_milters"),
	    "inet:127.0.0.1:8894");
	ck_assert(pf_postconf_svc_has(pc, s, "smtpd_milters"));
	ck_assert_int_eq(pf_postconf_service(pc, 0)->chroot, 1);
	ck_assert_str_eq(pf_postconf_svc_get(pc, pf_postconf_service(pc, 0),
	    "smtpd_milters"), "unix:preflight/milter.sock");
	pf_postconf_free(pc);

	/* a line postconf refuses: file:line: message */
	write_file(dir, "main.cf", "myhostname = a.example\nbroken line\n");
	ck_assert_int_eq(pf_postconf_load(dir, &pc, &err), PF_ESYNTAX);
	ck_assert_ptr_null(pc);
	ck_assert_uint_eq(err.line, 2);
	ck_assert_str_eq(err.msg,
	    "missing '=' after attribute name: \"broken line\"");
	snprintf(buf, sizeof(buf), "%s/main.cf", dir);
	ck_assert_str_eq(err.file, buf);
	unlink(buf);
	snprintf(buf, sizeof(buf), "%s/master.cf", dir);
	unlink(buf);

	/* no main.cf; not a directory */
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(pf_postconf_load(dir, &pc, &err), PF_EIO);
	ck_assert_ptr_nonnull(strstr(err.msg, "main.cf: No such file"));
	rmdir(dir);
	ck_assert_int_eq(pf_postconf_load("/dev/null", &pc, &err), PF_EIO);
	ck_assert_str_eq(err.msg, "/dev/null: Not a directory");
}
END_TEST

START_TEST(test_run)
{
	char *argv[] = { "sh", "-c", "echo out; echo warn >&2; "
	    "echo 'x: fatal: bad' >&2; exit 3", NULL };
	char *missing[] = { "/nonexistent/program", NULL };
	char *out = NULL, line[100];

	ck_assert_int_eq(pf_run(argv, 1024, &out, line, sizeof(line)), 3);
	ck_assert_str_eq(out, "out\n");
	ck_assert_str_eq(line, "x: fatal: bad");
	free(out);
	ck_assert_int_eq(pf_run(missing, 1024, &out, line, sizeof(line)),
	    127);
	free(out);
}
END_TEST

/* predicted - whether the verdict predicts rule id */
static int
predicted(const struct pf_verdict *v, const char *id)
{
	size_t i;

	for (i = 0; i < v->npred; i++)
		if (strcmp(v->pred[i].rule->id, id) == 0)
			return 1;
	return 0;
}

/* run_engine - a config of text (DIR replaced by dir) through the engine
 * on a clean message to Gmail; the facts' TLS level and whether
 * starttls-required is predicted */
static void
run_engine(const char *dir, const char *extra, char *level, size_t len,
    int *tls, int *starttls)
{
	static const char msg[] = "From: a@example.com\r\nTo: b@gmail.com\r\n"
	    "Subject: s\r\nDate: Sun, 29 Nov 2026 05:00:00 +0000\r\n"
	    "Message-ID: <m@example.com>\r\n\r\nbody\r\n";
	const char *src = getenv("PF_SRCDIR");
	char conf[4096], text[8192], buf[800];
	struct pf_config *cfg = NULL;
	struct pf_engine *e = NULL;
	struct pf_check *c;
	struct pf_verdict v;
	struct pf_err err = { 0 };
	const struct pf_facts *f;

	snprintf(text, sizeof(text), "Rules %s/rules/gmail.rules\nDNS no\n"
	    "PostfixDir %s\n%s", src ? src : ".", dir, extra);
	write_file(dir, "preflight.conf", text);
	snprintf(conf, sizeof(conf), "%s/preflight.conf", dir);
	ck_assert_msg(pf_config_load(conf, &cfg, &err) == PF_OK, "%s",
	    pf_err_format(&err, buf, sizeof(buf)));
	ck_assert_int_eq(pf_engine_new(cfg, &e, &err), PF_OK);
	ck_assert_ptr_nonnull(c = pf_check_new(e));
	pf_msg_rcpt(pf_check_msg(c), "b@gmail.com");
	pf_msg_raw(pf_check_msg(c), msg, sizeof(msg) - 1);
	ck_assert_int_eq(pf_check_run(c, &v, &err), PF_OK);
	f = pf_check_facts(c);
	snprintf(level, len, "%s", pf_fact_known(f, pf_fact_lookup(
	    "mta.tls_level", 13)) ? pf_fact_gets(f, pf_fact_lookup(
	    "mta.tls_level", 13)) : "?");
	*tls = pf_fact_known(f, pf_fact_lookup("cfg.tls", 7)) ?
	    (int)pf_fact_getn(f, pf_fact_lookup("cfg.tls", 7)) : -1;
	*starttls = predicted(&v, "starttls-required");
	pf_verdict_reset(&v);
	pf_check_free(c);
	pf_engine_unref(e);
}

START_TEST(test_mta_facts)
{
	char dir[] = "/tmp/check_mta.XXXXXX", lv[32], path[4096];
	int tls, st;

	ck_assert_msg(have_postconf(), "postconf is not installed");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_file(dir, "master.cf",
	    "smtp      unix  -       -       y       -       -       smtp\n");
	/* RelayViaGoogle and no TLS: 530 5.7.0, and cfg.tls follows */
	write_file(dir, "main.cf", "compatibility_level = 3.6\n"
	    "relayhost = [smtp-relay.gmail.com]:587\n"
	    "smtp_tls_security_level = none\n");
	run_engine(dir, "RelayViaGoogle yes\n", lv, sizeof(lv), &tls, &st);
	ck_assert_str_eq(lv, "none");
	ck_assert_int_eq(tls, 0);
	ck_assert_int_eq(st, 1);
	/* a master.cf -o on the smtp transport is what counts */
	write_file(dir, "master.cf",
	    "smtp      unix  -       -       y       -       -       smtp\n"
	    "  -o smtp_tls_security_level=encrypt\n");
	run_engine(dir, "RelayViaGoogle yes\n", lv, sizeof(lv), &tls, &st);
	ck_assert_str_eq(lv, "encrypt");
	ck_assert_int_eq(tls, 1);
	ck_assert_int_eq(st, 0);
	/* TLS in preflight.conf wins over the MTA's level */
	run_engine(dir, "RelayViaGoogle yes\nTLS no\n", lv, sizeof(lv), &tls,
	    &st);
	ck_assert_int_eq(tls, 0);
	/* no main.cf: unknown, nothing predicted */
	snprintf(path, sizeof(path), "%s/main.cf", dir);
	unlink(path);
	run_engine(dir, "RelayViaGoogle yes\n", lv, sizeof(lv), &tls, &st);
	ck_assert_str_eq(lv, "?");
	ck_assert_int_eq(tls, -1);
	ck_assert_int_eq(st, 0);
	unlink(path);
	snprintf(path, sizeof(path), "%s/master.cf", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/preflight.conf", dir);
	unlink(path);
	rmdir(dir);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("mta");
	TCase *tc = tcase_create("mta");

	tcase_add_test(tc, test_report_text);
	tcase_add_test(tc, test_report_worst_and_json);
	tcase_add_test(tc, test_report_full);
	tcase_add_test(tc, test_sendmailcf);
	tcase_add_test(tc, test_postconf);
	tcase_add_test(tc, test_run);
	tcase_add_test(tc, test_mta_facts);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return pf_test_run(suite());
}
