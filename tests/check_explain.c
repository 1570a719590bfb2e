/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_explain.c - `preflight explain` against every input form, against
 * every catalog entry as Gmail would send it, and against the real Gmail
 * bounces in tests/data/corpus/gmail-bounces (expectations in
 * tests/fixtures/explain/bounces.expect, decided by reading each bounce).
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/pf.h"
#include "cli.h"
#include "explain/explain.h"
#include "explain/reply.h"
#include "catalog/rules.h"
#include "lib/pftest.h"

static struct pf_rules *rules;

static void
setup(void)
{
	rules = pf_test_rules();
}

static void
teardown(void)
{
	pf_rules_free(rules);
	rules = NULL;
}

static const char *
value_of(const struct pf_explanation *x, const char *name)
{
	size_t i;

	for (i = 0; i < x->nph; i++)
		if (strcmp(x->ph[i].name, name) == 0)
			return x->ph[i].value;
	return NULL;
}

/* check_values - "name=value name=value" all read from the reply */
static void
check_values(const struct pf_explanation *x, const char *want,
    const char *label)
{
	char buf[512], *p, *eq, *save = NULL;
	const char *got;

	if (want == NULL)
		return;
	snprintf(buf, sizeof(buf), "%s", want);
	for (p = strtok_r(buf, " ", &save); p != NULL;
	    p = strtok_r(NULL, " ", &save)) {
		eq = strchr(p, '=');
		ck_assert_ptr_nonnull(eq);
		*eq = '\0';
		got = value_of(x, p);
		ck_assert_msg(got != NULL && strcmp(got, eq + 1) == 0,
		    "%s: {%s} is %s, want %s", label, p, got ? got : "(none)",
		    eq + 1);
	}
}

/* --- input forms --- */

static const struct {
	const char	*label;
	const char	*in;
	int		 rc;		/* PF_OK or PF_ESYNTAX */
	const char	*rule;		/* NULL: a reply not in the catalog */
	const char	*values;
} forms[] = {
	{ "single line",
	  "550 5.7.26 Unauthenticated email from example.com is not accepted "
	  "due to domain's DMARC policy. Please contact the administrator of "
	  "example.com domain if this was a legitimate mail. To learn about "
	  "the DMARC initiative, go to "
	  "https://support.google.com/mail/?p=DmarcRejection "
	  "a1-20020a05.12 - gsmtp",
	  PF_OK, "dmarc-reject", "domain-name=example.com" },
	{ "multi-line, CRLF, leading [ip n]",
	  "550-5.7.1 [203.0.113.5      12] Messages missing a valid "
	  "Message-ID: header are\r\n"
	  "550-5.7.1 not accepted. For more information, go to\r\n"
	  "550 5.7.1  https://support.google.com/mail/?p=RfcMessageNonCompliant"
	  " x3si1234567pjb.45 - gsmtp\r\n",
	  PF_OK, "msgid-invalid", NULL },
	{ "postfix bounced",
	  "Nov 29 05:14:11 mx postfix/smtp[1234]: 4XyzAbC: "
	  "to=<a@gmail.com>, relay=gmail-smtp-in.l.google.com"
	  "[142.250.102.27]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.7.26, "
	  "status=bounced (host gmail-smtp-in.l.google.com[142.250.102.27] "
	  "said: 550-5.7.26 This mail has been blocked because the sender is "
	  "unauthenticated. 550-5.7.26 Gmail requires all senders to "
	  "authenticate with either SPF or DKIM. 550-5.7.26  550-5.7.26  "
	  "Authentication results: 550-5.7.26  DKIM = did not pass "
	  "550-5.7.26  SPF [example.org] with ip: [192.0.2.10] = did not pass "
	  "550-5.7.26  550-5.7.26  For instructions on setting up "
	  "authentication, go to 550 5.7.26  "
	  "https://support.google.com/mail/answer/81126#authentication "
	  "d2e1a72fcca58-7e8a0bd4f1bsi1234567b3a.123 - gsmtp (in reply to "
	  "end of DATA command))",
	  PF_OK, "unauthenticated",
	  "domain-name=example.org ip-address=192.0.2.10" },
	{ "postfix deferred",
	  "Nov 29 05:14:11 mx postfix/smtp[1234]: 4XyzAbC: to=<a@gmail.com>,"
	  " relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, delay=3, "
	  "dsn=4.7.28, status=deferred (host gmail-smtp-in.l.google.com"
	  "[142.250.102.27] said: 421-4.7.28 Gmail has detected an unusual "
	  "rate of email originating from your IP address 192.0.2.77. "
	  "421-4.7.28 To protect our users from spam, email sent from your IP "
	  "address has been 421-4.7.28 temporarily rate limited. To review our "
	  "bulk email senders guidelines, 421 4.7.28 go to "
	  "https://support.google.com/mail/answer/81126 s5si99.7 - gsmtp "
	  "(in reply to end of DATA command))",
	  PF_OK, "unusual-rate-ip", "ip-address=192.0.2.77" },
	{ "sendmail deferred",
	  "Nov 29 05:14:11 mx sm-mta[4321]: 5ATE1xyz012345: to=<a@gmail.com>,"
	  " delay=00:00:03, xdelay=00:00:03, mailer=esmtp, pri=120000, "
	  "relay=gmail-smtp-in.l.google.com. [142.250.102.27], dsn=4.7.0, "
	  "stat=Deferred: 421-4.7.0 [192.0.2.10      15] This message is "
	  "suspicious due to the very low reputation of the sending IP "
	  "address. To protect our users from spam, mail sent from your IP "
	  "address has been temporarily rate limited. Please visit "
	  "https://support.google.com/mail/answer/188131 for more "
	  "information. a1si123.45 - gsmtp",
	  PF_OK, "low-ip-reputation-ratelimit", NULL },
	{ "sendmail status only, one entry has it",
	  "Nov 29 05:14:11 mx sm-mta[4321]: 5ATE1xyz012345: to=<a@gmail.com>,"
	  " delay=00:00:01, mailer=esmtp, pri=30000, relay=gmail-smtp-in.l."
	  "google.com. [142.250.102.27], dsn=5.1.1, stat=User unknown",
	  PF_OK, "mailbox-does-not-exist", NULL },
	{ "sendmail status only, several entries have it",
	  "Nov 29 05:14:11 mx sm-mta[4321]: 5ATE1xyz012345: to=<a@gmail.com>,"
	  " delay=00:00:01, mailer=esmtp, pri=30000, relay=gmail-smtp-in.l."
	  "google.com. [142.250.102.27], dsn=5.7.1, stat=Service unavailable",
	  PF_OK, NULL, NULL },
	{ "DSN with a folded Diagnostic-Code",
	  "From: MAILER-DAEMON@mx.example.net\n"
	  "Subject: Undelivered Mail Returned to Sender\n"
	  "MIME-Version: 1.0\n"
	  "Content-Type: multipart/report; report-type=delivery-status;\n"
	  "\tboundary=\"B\"\n\n"
	  "--B\nContent-Type: text/plain\n\nThe mail system\n\n"
	  "--B\nContent-Type: message/delivery-status\n\n"
	  "Reporting-MTA: dns; mx.example.net\n\n"
	  "Final-Recipient: rfc822; a@gmail.com\n"
	  "Action: failed\nStatus: 5.3.4\n"
	  "Diagnostic-Code: smtp; 552-5.3.4 The size of the X-Big header value"
	  " (40000 bytes)\n"
	  "    exceeds Google's limit of 32768 bytes per individual header "
	  "size. 552 5.3.4\n"
	  "    To view our header size guidelines, go to 552 5.3.4\n"
	  "    https://support.google.com/a/answer/14016360 a2si9.1 - gsmtp\n"
	  "\n--B--\n",
	  PF_OK, "header-value-too-large",
	  "header-name=X-Big size=40000 limit=32768" },
	{ "gcdp marker and session id",
	  "550 5.7.1 This message is not RFC 5322 compliant. There are "
	  "multiple To headers. To reduce the amount of spam sent to Gmail, "
	  "this message has been blocked. - gcdp <a1b2c3d4> - gsmtp",
	  PF_OK, "duplicate-header", "header-name=To" },
	{ "older wording under an older status",
	  "550-5.7.1 Unauthenticated email from example.jp is not accepted due"
	  " to domain's\n550-5.7.1 DMARC policy. Please contact the "
	  "administrator of example.jp domain\n550 5.7.1 if this was a "
	  "legitimate mail. y13si1773519pll.31 - gsmtp",
	  PF_OK, "dmarc-reject", "domain-name=example.jp" },
	{ "not Gmail's wording for a Gmail code",
	  "550 5.1.1 <bob@example.net>: Recipient address rejected: User "
	  "unknown in local recipient table",
	  PF_OK, NULL, NULL },
	{ "a blocklist reply",
	  "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked "
	  "using zen.spamhaus.org",
	  PF_OK, NULL, NULL },
	{ "a reply without an enhanced status",
	  "421 Service not available, closing transmission channel",
	  PF_OK, NULL, NULL },
	{ "garbage", "hello world, this is not a reply at all", PF_ESYNTAX,
	  NULL, NULL },
	{ "an IP address is not a reply",
	  "connect to 142.250.102.27[142.250.102.27]:25: Connection timed out",
	  PF_ESYNTAX, NULL, NULL },
	{ "empty", "", PF_ESYNTAX, NULL, NULL },
};

START_TEST(test_forms)
{
	struct pf_explanation x = { 0 };
	struct pf_err err = { 0 };
	int rc;

	rc = pf_explain(rules, forms[_i].in, strlen(forms[_i].in), &x, &err);
	ck_assert_msg(rc == forms[_i].rc, "%s: rc %d", forms[_i].label, rc);
	if (rc == PF_OK) {
		if (forms[_i].rule == NULL)
			ck_assert_msg(x.kind == PF_X_UNKNOWN, "%s: named %s",
			    forms[_i].label, x.rule ? x.rule->id : "?");
		else
			ck_assert_msg(x.kind == PF_X_MATCH &&
			    strcmp(x.rule->id, forms[_i].rule) == 0,
			    "%s: got %s (text \"%s\")", forms[_i].label,
			    x.rule ? x.rule->id : "nothing", x.reply.text);
		check_values(&x, forms[_i].values, forms[_i].label);
	}
	pf_explanation_reset(&x);
}
END_TEST

START_TEST(test_clean_text)
{
	static const char in[] =
	    "550-5.7.1 [192.0.2.22      18] Our system has detected that this\n"
	    "550-5.7.1 message is likely suspicious. Please visit\n"
	    "550 5.7.1  https://support.google.com/mail/answer/188131 for more "
	    "information. p22nn000202cat.22 - gsmtp\n";
	struct pf_reply r = { 0 };
	struct pf_err err = { 0 };

	ck_assert_int_eq(pf_reply_parse(in, sizeof(in) - 1, &r, &err), PF_OK);
	ck_assert_int_eq(r.code, 550);
	ck_assert_str_eq(r.status, "5.7.1");
	ck_assert_str_eq(r.ip, "192.0.2.22");
	ck_assert_str_eq(r.text, "Our system has detected that this message "
	    "is likely suspicious. Please visit for more information.");
	pf_reply_reset(&r);
}
END_TEST

/* --- every entry of the catalog, as Gmail sends it --- */

static const char *samples[][2] = {
	{ "ip-address", "192.0.2.45" },
	{ "domain-name", "mail.example.net" },
	{ "header-name", "X-Sample-Field" },
	{ "size", "40001" },
	{ "limit", "32768" },
	{ "limit-fields", "5000" },
	{ "num-attachments", "501" },
	{ "address", "bad..addr@example.net" },
	{ "argument", "bad_helo..name" },
	{ "command", "MAIL" },
};

static const char *
sample(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < PF_NELEM(samples); i++)
		if (strlen(samples[i][0]) == len &&
		    strncmp(samples[i][0], name, len) == 0)
			return samples[i][1];
	return NULL;
}

/* render - the entry's text with sample values */
static void
render(const char *t, char *out, size_t osz)
{
	const char *e, *v;
	size_t o = 0, n;

	while (*t != '\0' && o + 1 < osz) {
		if (*t == '{' && (e = strchr(t, '}')) != NULL &&
		    (v = sample(t + 1, (size_t)(e - t - 1))) != NULL) {
			n = strlen(v);
			if (o + n + 1 >= osz)
				break;
			memcpy(out + o, v, n);
			o += n;
			t = e + 1;
			continue;
		}
		out[o++] = *t++;
	}
	out[o] = '\0';
}

/* wrap - the reply as Gmail's multi-line form: "550-5.7.1 " lines of
 * about 70 characters, the last "550 5.7.1 ", a session id and trailer */
static void
wrap(const struct pf_rule *r, const char *text, const char *trailer,
    const char *sep, char *out, size_t osz)
{
	const char *p = text, *sp;
	size_t o = 0, line;
	int n;

	for (;;) {
		/* take words up to 70 characters */
		for (sp = p, line = 0; p[line] != '\0'; line++) {
			if (p[line] == ' ') {
				if (line > 70)
					break;
				sp = p + line;
			}
		}
		if (p[line] == '\0')
			break;
		n = snprintf(out + o, osz - o, "%d-%s %.*s%s", r->reply,
		    r->status, (int)(sp - p), p, sep);
		ck_assert(n > 0 && (size_t)n < osz - o);
		o += (size_t)n;
		p = sp + 1;
	}
	n = snprintf(out + o, osz - o, "%d %s %s %s", r->reply, r->status, p,
	    trailer);
	ck_assert(n > 0 && (size_t)n < osz - o);
}

static const char *trailers[] = {
	"a1b2c3d4e5f6si1234567qkb.12 - gsmtp",
	"- gcdp <x7YzAbCdEf> - gsmtp",
	"98e67ed59e1d1-2c2d0e28189si6418580a91.13 - gsmtp",
};

START_TEST(test_every_entry)
{
	struct pf_explanation x = { 0 };
	struct pf_err err = { 0 };
	const struct pf_rule *r;
	char text[8192], in[16384], label[128];
	const char *p, *e, *v, *got;
	size_t i, t;

	for (i = 0; i < rules->nrule; i++) {
		r = &rules->rule[i];
		render(r->text, text, sizeof(text));
		for (t = 0; t < PF_NELEM(trailers) * 2; t++) {
			/* even: reply lines; odd: one maillog-style line */
			wrap(r, text, trailers[t / 2], t % 2 ? " " : "\r\n",
			    in, sizeof(in));
			snprintf(label, sizeof(label), "%s (form %zu)", r->id,
			    t);
			ck_assert_int_eq(pf_explain(rules, in, strlen(in), &x,
			    &err), PF_OK);
			ck_assert_msg(x.kind == PF_X_MATCH && x.rule == r,
			    "%s: got %s\n%s", label, x.rule ? x.rule->id :
			    "nothing", in);
			/* every placeholder read back */
			for (p = r->text; (p = strchr(p, '{')) != NULL;
			    p = e) {
				e = strchr(p, '}');
				ck_assert_ptr_nonnull(e);
				v = sample(p + 1, (size_t)(e - p - 1));
				ck_assert_ptr_nonnull(v);
				got = NULL;
				{
					char name[64];

					snprintf(name, sizeof(name), "%.*s",
					    (int)(e - p - 1), p + 1);
					got = value_of(&x, name);
					ck_assert_msg(got != NULL &&
					    strcmp(got, v) == 0,
					    "%s: {%s} = %s", label, name,
					    got ? got : "(none)");
				}
			}
			pf_explanation_reset(&x);
		}
	}
}
END_TEST

/* --- wordings of real replies that are not the current table's --- */

static const struct {
	const char	*in;
	const char	*rule;
	const char	*values;
} wordings[] = {
	/* mailbox full, the 2023 page's wording, as Gmail wraps it */
	{ "452-4.2.2 The email account that you tried to reach is over quota. "
	  "Please direct\r\n452-4.2.2 the recipient to\r\n452 4.2.2  "
	  "https://support.google.com/mail/?p=OverQuotaTemp "
	  "a1si1234567qkb.12 - gsmtp\r\n", "recipient-inbox-full", NULL },
	{ "552-5.2.2 The email account that you tried to reach is over quota. "
	  "Please direct\r\n552-5.2.2 the recipient to\r\n552 5.2.2  "
	  "https://support.google.com/mail/?p=OverQuotaPerm "
	  "c17si1130468pgv.34 - gsmtp\r\n", "recipient-over-quota", NULL },
	/* misfiled before: 5.2.2 over quota and inactive is not 5.2.1 */
	{ "552-5.2.2 The email account that you tried to reach is over quota "
	  "and inactive. 552-5.2.2 Please direct the recipient to 552 5.2.2  "
	  "https://support.google.com/mail/?p=OverQuotaPerm "
	  "c17si1130468pgv.34 - gsmtp", "recipient-inbox-full-inactive", NULL },
	{ "552 5.2.2 The email account that you tried to reach is over quota "
	  "and inactive.", "recipient-inbox-full-inactive", NULL },
	/* misfiled before: the recipient's quota, not the daily limit */
	{ "550 5.7.1 Email quota exceeded. a1si1234567qkb.12 - gsmtp",
	  "recipient-quota-exceeded", NULL },
	{ "550 5.4.5 Daily sending quota exceeded. a1si1234567qkb.12 - gsmtp",
	  "daily-user-sending-limit", NULL },
	{ "454 5.5.1 STARTTLS may not be repeated. a1si1234567qkb.12 - gsmtp",
	  "starttls-repeated", NULL },
	{ "535 5.5.4 Optional Argument not permitted for that AUTH mode. "
	  "a1si1234567qkb.12 - gsmtp", "auth-argument-not-permitted", NULL },
	/* a Workspace administrator's custom rule (the page's own example) */
	{ "550 5.7.1 This message violates example.com email policy. - gcdp "
	  "<x7YzAbCdEf> - gsmtp", "policy-prohibits",
	  "domain-name=example.com" },
	{ "550-5.7.1 The user or domain that you are sending to (or from) has "
	  "a policy that\r\n550-5.7.1 prohibited the mail that you sent. Please "
	  "contact your domain\r\n550 5.7.1 administrator for further details. "
	  "a1si1234567qkb.12 - gsmtp", "policy-prohibits", NULL },
	/* status typos of the 2026 page map by text */
	{ "504 5.7.40 Unrecognized authentication type. For more information, "
	  "go to About SMTP error messages.", "auth-type-unrecognized", NULL },
	{ "535 5.7.80 Username and Password not accepted. For more "
	  "information, go to Can't sign in to your Google Account.",
	  "bad-credentials", NULL },
	{ "534 5.7.90 Application-specific password required. For more "
	  "information, go to Sign in with app passwords.",
	  "app-password-required", NULL },
	/* the 2023 page's 535 5.7.1 forms of the AUTH replies */
	{ "535 5.7.1 Username and Password not accepted. a1si1234567qkb.12 - "
	  "gsmtp", "bad-credentials", NULL },
	{ "535 5.7.1 Application-specific password required. "
	  "a1si1234567qkb.12 - gsmtp", "app-password-required", NULL },
};

START_TEST(test_wordings)
{
	struct pf_explanation x = { 0 };
	struct pf_err err = { 0 };
	const char *in = wordings[_i].in;

	ck_assert_int_eq(pf_explain(rules, in, strlen(in), &x, &err), PF_OK);
	ck_assert_msg(x.kind == PF_X_MATCH &&
	    strcmp(x.rule->id, wordings[_i].rule) == 0,
	    "%s: got %s, want %s", in, x.rule ? x.rule->id : "nothing",
	    wordings[_i].rule);
	check_values(&x, wordings[_i].values, in);
	pf_explanation_reset(&x);
}
END_TEST

/* --- many replies: a log, a bounce for several recipients --- */

static int run(const char **, size_t, char **);

/* run_file - the CLI with its input in a temporary file (-f) */
static int
run_file(const char *content, int json, char **out)
{
	char path[] = "/tmp/pfexplainmanyXXXXXX";
	const char *args[4];
	size_t n = 0;
	FILE *fp;
	int fd, rc;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	fp = fdopen(fd, "w");
	fputs(content, fp);
	fclose(fp);
	if (json)
		args[n++] = "--json";
	args[n++] = "-f";
	args[n++] = path;
	rc = run(args, n, out);
	unlink(path);
	return rc;
}

#define LOG_PFX "Nov 30 04:12:01 mx1 postfix/smtp[21345]: 4Z1k2L3m4nPz: "
#define LOG_RELAY "relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, " \
	"delay=1.2, delays=0.01/0.01/0.41/0.77, "
#define LOG_SAID "(host gmail-smtp-in.l.google.com[142.250.102.27] said: "

static const char many_log[] =
	"Nov 30 04:12:00 mx1 postfix/qmgr[812]: 4Z1k2L3m4nPz: "
	"from=<news@example.org>, size=2311, nrcpt=4 (queue active)\n"
	LOG_PFX "to=<gone@gmail.com>, " LOG_RELAY "dsn=5.1.1, status=bounced "
	LOG_SAID "550-5.1.1 The email account that you tried to reach does "
	"not exist. Please try 550-5.1.1 double-checking the recipient's "
	"email address for typos or 550-5.1.1 unnecessary spaces. 550 5.1.1  "
	"https://support.google.com/mail/?p=NoSuchUser a1si1234567qkb.12 - "
	"gsmtp (in reply to RCPT TO command))\n"
	LOG_PFX "to=<ok@gmail.com>, " LOG_RELAY "dsn=2.0.0, status=sent "
	"(250 2.0.0 OK  1796011921 a1si1234567qkb.12 - gsmtp)\n"
	LOG_PFX "to=<old@gmail.com>, " LOG_RELAY "dsn=5.7.1, status=bounced "
	LOG_SAID "550-5.7.1 Unauthenticated email from example.org is not "
	"accepted due to 550-5.7.1 domain's DMARC policy. Please contact the "
	"administrator of 550-5.7.1 example.org domain if this was a "
	"legitimate mail. 550 5.7.1 a1si1234567qkb.12 - gsmtp (in reply to "
	"end of DATA command))\n"
	LOG_PFX "to=<also.gone@gmail.com>, " LOG_RELAY "dsn=5.1.1, "
	"status=bounced " LOG_SAID "550-5.1.1 The email account that you "
	"tried to reach does not exist. 550 5.1.1 a1si1234567qkb.12 - gsmtp "
	"(in reply to RCPT TO command))\n"
	LOG_PFX "to=<slow@gmail.com>, relay=none, delay=30, "
	"delays=0.01/0/30/0, dsn=4.4.1, status=deferred (connect to "
	"gmail-smtp-in.l.google.com[142.250.102.27]:25: Connection timed "
	"out)\n";

START_TEST(test_many_log)
{
	char *out;

	ck_assert_int_eq(run_file(many_log, 0, &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "gone@gmail.com\t550 5.1.1\t"
	    "mailbox-does-not-exist\n"));
	ck_assert_ptr_nonnull(strstr(out, "also.gone@gmail.com\t550 5.1.1\t"
	    "mailbox-does-not-exist\n"));
	/* the older status is shown as seen, next to the entry's */
	ck_assert_ptr_nonnull(strstr(out, "old@gmail.com\t550 5.7.1\t"
	    "dmarc-reject\tseen as 550 5.7.1; the catalog's entry is 550 "
	    "5.7.26\n"));
	ck_assert_ptr_null(strstr(out, "ok@gmail.com"));
	ck_assert_ptr_nonnull(strstr(out, "3 replies:\n"));
	ck_assert_ptr_nonnull(strstr(out, "     2  mailbox-does-not-exist\n"
	    "     1  dmarc-reject\n"));
	ck_assert_ptr_nonnull(strstr(out, "1 delivered, 1 without a reply"));
	free(out);
	ck_assert_int_eq(run_file(many_log, 1, &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"tally\": {\"mailbox-does-not-"
	    "exist\": 2, \"dmarc-reject\": 1}"));
	ck_assert_ptr_nonnull(strstr(out, "\"seen_status\": \"5.7.1\""));
	ck_assert_ptr_nonnull(strstr(out, "\"status\": \"5.7.26\""));
	ck_assert_ptr_nonnull(strstr(out, "\"replies\": 3"));
	free(out);
}
END_TEST

static const char many_dsn[] =
	"From: MAILER-DAEMON@mx1.example.org (Mail Delivery System)\n"
	"To: news@example.org\n"
	"Subject: Undelivered Mail Returned to Sender\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/report; report-type=delivery-status;\n"
	"\tboundary=\"B\"\n\n"
	"--B\nContent-Type: text/plain\n\nThe mail system\n\n"
	"--B\nContent-Type: message/delivery-status\n\n"
	"Reporting-MTA: dns; mx1.example.org\n"
	"Arrival-Date: Mon, 30 Nov 2026 04:12:00 +0000 (UTC)\n\n"
	"Final-Recipient: rfc822; gone@gmail.com\n"
	"Original-Recipient: rfc822;gone@gmail.com\n"
	"Action: failed\nStatus: 5.1.1\n"
	"Remote-MTA: dns; gmail-smtp-in.l.google.com\n"
	"Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to\n"
	"    reach does not exist. Please try 550-5.1.1 double-checking the\n"
	"    recipient's email address for typos or 550-5.1.1 unnecessary "
	"spaces.\n    a1si1234567qkb.12 - gsmtp\n\n"
	"Final-Recipient: rfc822; old@gmail.com\n"
	"Action: failed\nStatus: 5.7.1\n"
	"Remote-MTA: dns; gmail-smtp-in.l.google.com\n"
	"Diagnostic-Code: smtp; 550-5.7.1 Unauthenticated email from\n"
	"    example.org is not accepted due to 550-5.7.1 domain's DMARC "
	"policy.\n    a1si1234567qkb.12 - gsmtp\n\n"
	"Final-Recipient: rfc822; local@example.org\n"
	"Action: failed\nStatus: 5.0.0\n\n"
	"--B--\n";

START_TEST(test_many_dsn)
{
	char *out;

	/* the third recipient's status names no single entry: exit 1 */
	ck_assert_int_eq(run_file(many_dsn, 0, &out), 1);
	ck_assert_ptr_nonnull(strstr(out, "gone@gmail.com\t550 5.1.1\t"
	    "mailbox-does-not-exist\n"));
	ck_assert_ptr_nonnull(strstr(out, "old@gmail.com\t550 5.7.1\t"
	    "dmarc-reject\tseen as 550 5.7.1; the catalog's entry is 550 "
	    "5.7.26\n"));
	ck_assert_ptr_nonnull(strstr(out, "local@example.org\t- 5.0.0\t"
	    "(not in the catalog)\n"));
	ck_assert_ptr_nonnull(strstr(out, "3 replies:\n"));
	free(out);
}
END_TEST

/* --- the real bounces --- */

START_TEST(test_bounces)
{
	const char *src = getenv("PF_SRCDIR");
	char path[1024], line[1024], *file, *rule, *values, *save = NULL;
	struct pf_explanation x = { 0 };
	struct pf_err err = { 0 };
	size_t nexp = 0, nfiles = 0, len;
	struct dirent *de;
	char *buf;
	FILE *fp, *ef;
	DIR *d;

	ck_assert_msg(src != NULL, "PF_SRCDIR is not set");
	snprintf(path, sizeof(path), "%s/tests/fixtures/explain/bounces.expect",
	    src);
	ef = fopen(path, "r");
	ck_assert_msg(ef != NULL, "%s", path);
	buf = malloc(PF_REPLY_INPUT_MAX);
	ck_assert_ptr_nonnull(buf);
	while (fgets(line, sizeof(line), ef) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		file = strtok_r(line, "\t", &save);
		rule = strtok_r(NULL, "\t", &save);
		values = strtok_r(NULL, "\t", &save);
		ck_assert_ptr_nonnull(rule);
		snprintf(path, sizeof(path),
		    "%s/tests/data/corpus/gmail-bounces/%s", src, file);
		fp = fopen(path, "rb");
		ck_assert_msg(fp != NULL, "%s", path);
		len = fread(buf, 1, PF_REPLY_INPUT_MAX, fp);
		fclose(fp);
		ck_assert_int_eq(pf_explain(rules, buf, len, &x, &err), PF_OK);
		if (strcmp(rule, "-") == 0)
			ck_assert_msg(x.kind == PF_X_UNKNOWN, "%s: named %s",
			    file, x.rule->id);
		else
			ck_assert_msg(x.kind == PF_X_MATCH &&
			    strcmp(x.rule->id, rule) == 0,
			    "%s: got %s, want %s (text \"%s\")", file,
			    x.rule ? x.rule->id : "nothing", rule,
			    x.reply.text);
		check_values(&x, values, file);
		pf_explanation_reset(&x);
		nexp++;
	}
	fclose(ef);
	free(buf);
	/* every bounce of the corpus has an expectation */
	snprintf(path, sizeof(path), "%s/tests/data/corpus/gmail-bounces",
	    src);
	d = opendir(path);
	ck_assert_msg(d != NULL, "%s", path);
	while ((de = readdir(d)) != NULL)
		if ((len = strlen(de->d_name)) > 4 &&
		    strcmp(de->d_name + len - 4, ".eml") == 0)
			nfiles++;
	closedir(d);
	ck_assert_uint_eq(nexp, nfiles);
	ck_assert_uint_eq(nexp, 26);
}
END_TEST

/* --- the command --- */

/* run - pf_cli_explain --rules (the source tree's catalog) with argv,
 * stdout to a file; exit status and the output (owned) */
static int
run(const char **args, size_t nargs, char **output)
{
	char *argv[16], tmpl[] = "/tmp/pfexplainXXXXXX", path[1024];
	int fd, saved, rc;
	size_t i, n;
	FILE *fp;

	ck_assert(nargs + 3 < PF_NELEM(argv));
	snprintf(path, sizeof(path), "%s/rules/gmail.rules",
	    getenv("PF_SRCDIR"));
	argv[0] = (char *)"explain";
	argv[1] = (char *)"--rules";
	argv[2] = path;
	for (i = 0; i < nargs; i++)
		argv[i + 3] = (char *)args[i];
	argv[nargs + 3] = NULL;
	fd = mkstemp(tmpl);
	ck_assert_int_ge(fd, 0);
	fflush(stdout);
	saved = dup(1);
	dup2(fd, 1);
	rc = pf_cli_explain((int)nargs + 3, argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	fp = fdopen(fd, "r");
	rewind(fp);
	*output = calloc(1, 65536);
	n = fread(*output, 1, 65535, fp);
	(*output)[n] = '\0';
	fclose(fp);
	unlink(tmpl);
	return rc;
}

START_TEST(test_cli)
{
	const char *json[] = { "--json", "550", "5.7.26",
	    "Unauthenticated email from example.com is not accepted due to",
	    "domain's DMARC policy. - gsmtp" };
	const char *human[] = { "550-5.7.1 This message is not RFC 5322 "
	    "compliant. There are multiple Subject headers. - gsmtp" };
	const char *other[] = { "550 5.1.1 User unknown in local table" };
	const char *window[] = { "--json", "421-4.7.0 [192.0.2.10      15] "
	    "Our system has detected that this message is suspicious due to "
	    "the very low reputation of the sending IP address. To protect "
	    "our users from spam, mail sent from your IP address has been "
	    "temporarily rate limited. - gsmtp" };
	const char *unpredicted[] = { "--json", "550 5.7.1 Email quota "
	    "exceeded. - gsmtp" };
	const char *junk[] = { "no reply here" };
	const char *bad[] = { "--bogus" };
	const char *both[] = { "-f", "x", "550 5.1.1 x" };
	const char *missing[] = { "-f", "/nonexistent/reply.txt" };
	const char *norules[] = { "--rules", "/nonexistent/gmail.rules",
	    "550 5.1.1 x" };
	char *out;

	ck_assert_int_eq(run(json, PF_NELEM(json), &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"rule\": \"dmarc-reject\""));
	ck_assert_ptr_nonnull(strstr(out, "\"reply\": 550"));
	ck_assert_ptr_nonnull(strstr(out, "\"status\": \"5.7.26\""));
	ck_assert_ptr_nonnull(strstr(out, "\"placeholders\": {\"domain-name\":"
	    " \"example.com\"}"));
	ck_assert_ptr_nonnull(strstr(out, "\"class\": \"dns\""));
	ck_assert_ptr_nonnull(strstr(out, "\"confidence\": \"high\""));
	free(out);
	/* a reputation window of the learned history: medium */
	ck_assert_int_eq(run(window, PF_NELEM(window), &out), 0);
	ck_assert_ptr_nonnull(strstr(out,
	    "\"rule\": \"low-ip-reputation-ratelimit\""));
	ck_assert_ptr_nonnull(strstr(out, "\"confidence\": \"medium\""));
	free(out);
	/* an entry no local check predicts has no confidence */
	ck_assert_int_eq(run(unpredicted, PF_NELEM(unpredicted), &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"confidence\": null"));
	free(out);
	ck_assert_int_eq(run(human, PF_NELEM(human), &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "duplicate-header"));
	ck_assert_ptr_nonnull(strstr(out, "{header-name}: Subject"));
	ck_assert_ptr_nonnull(strstr(out, "\nconfidence:"));
	free(out);
	ck_assert_int_eq(run(other, PF_NELEM(other), &out), 1);
	ck_assert_ptr_nonnull(strstr(out, "not in the catalog"));
	free(out);
	ck_assert_int_eq(run(junk, PF_NELEM(junk), &out), EX_DATAERR);
	free(out);
	ck_assert_int_eq(run(bad, PF_NELEM(bad), &out), EX_USAGE);
	free(out);
	ck_assert_int_eq(run(both, PF_NELEM(both), &out), EX_USAGE);
	free(out);
	ck_assert_int_eq(run(missing, PF_NELEM(missing), &out), EX_NOINPUT);
	free(out);
	ck_assert_int_eq(run(norules, PF_NELEM(norules), &out), EX_CONFIG);
	free(out);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("explain");
	TCase *tc = pf_test_case(s, "explain");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_forms, 0, PF_NELEM(forms));
	tcase_add_test(tc, test_clean_text);
	tcase_add_test(tc, test_every_entry);
	tcase_add_test(tc, test_bounces);
	tcase_add_loop_test(tc, test_wordings, 0, PF_NELEM(wordings));
	tcase_add_test(tc, test_cli);
	tcase_add_test(tc, test_many_log);
	tcase_add_test(tc, test_many_dsn);
	return pf_test_run(s);
}
