/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_learn.c - the MTA log reader (milter/core/learn): delivery lines in
 * Postfix's and Sendmail's formats behind every prefix syslog, journald and
 * RFC 5424 put on them, lines cut by syslog's limit, lines of other kinds,
 * and the reader over plain, gzip-compressed and over-long input.  The
 * Postfix lines of the real Gmail bounces in tests/data/corpus/gmail-bounces
 * are rebuilt as Postfix logs them (the bounce's reason is the log's status
 * text, wrapped) and must name the entry bounces.expect names.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "base/pf.h"
#include "catalog/rules.h"
#include "explain/explain.h"
#include "learn/logline.h"
#include "learn/reader.h"
#include "lib/pftest.h"

/* 2026-11-30T12:00:00Z, the time the logs are read in these tests */
#define NOW	((time_t)1796040000)

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

/* parse - a line given as a C string */
static enum pf_lineclass
parse(const char *line, struct pf_delivery *d)
{
	return pf_logline_parse(line, strlen(line), PF_LOG_AUTO, NOW, d);
}

/* reply_rule - the catalog entry of the delivery's reply, or "-" */
static const char *
reply_rule(const struct pf_delivery *d)
{
	static char id[128];
	struct pf_explanation x = { 0 };
	struct pf_err err = { 0 };

	if (d->reply == NULL)
		return "(none)";
	if (pf_explain(rules, d->reply, d->reply_len, &x, &err) != PF_OK)
		snprintf(id, sizeof(id), "(not a reply)");
	else
		snprintf(id, sizeof(id), "%s", x.kind == PF_X_MATCH ?
		    x.rule->id : "-");
	pf_explanation_reset(&x);
	return id;
}

#define PFX_SMTP "Nov 30 04:12:01 mx1 postfix/smtp[21345]: "
#define NOSUCH "550-5.1.1 The email account that you tried to reach does " \
	"not exist. Please try 550-5.1.1 double-checking the recipient's " \
	"email address for typos or 550-5.1.1 unnecessary spaces. For more " \
	"information, go to 550 5.1.1  " \
	"https://support.google.com/mail/?p=NoSuchUser " \
	"41be03b00d2f7-b8e1f1a3c5dsi2345678a12.345 - gsmtp"
#define BOUNCED "4Z1k2L3m4nPz: to=<No.One@gmail.com>, " \
	"relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, delay=1.2, " \
	"delays=0.01/0.01/0.41/0.77, dsn=5.1.1, status=bounced (host " \
	"gmail-smtp-in.l.google.com[142.250.102.27] said: " NOSUCH \
	" (in reply to RCPT TO command))"

START_TEST(test_postfix_bounced)
{
	struct pf_delivery d;
	char rcpt[320];

	ck_assert_int_eq(parse(PFX_SMTP BOUNCED, &d), PF_L_DELIVERY);
	ck_assert_int_eq(d.mta, PF_LOG_POSTFIX);
	ck_assert_str_eq(d.queue_id, "4Z1k2L3m4nPz");
	ck_assert_str_eq(d.host, "mx1");
	ck_assert(pf_delivery_rcpt(&d, 0, rcpt, sizeof(rcpt)));
	ck_assert_str_eq(rcpt, "no.one@gmail.com");
	ck_assert(!pf_delivery_rcpt(&d, 1, rcpt, sizeof(rcpt)));
	ck_assert_str_eq(d.relay, "gmail-smtp-in.l.google.com");
	ck_assert_str_eq(d.relay_ip, "142.250.102.27");
	ck_assert_str_eq(d.dsn, "5.1.1");
	ck_assert_int_eq(d.status, PF_D_BOUNCED);
	ck_assert(pf_delivery_gmail(&d));
	ck_assert(!d.truncated);
	ck_assert_int_eq((int)d.reply_len, (int)strlen(NOSUCH));
	ck_assert(strncmp(d.reply, NOSUCH, d.reply_len) == 0);
	/* Nov 30 04:12:01 of the year of NOW, read as UTC */
	ck_assert_int_eq((long)d.when, (long)(NOW - 7 * 3600 - 47 * 60 - 59));
	ck_assert_str_eq(reply_rule(&d), "mailbox-does-not-exist");
}
END_TEST

/* the same message behind every prefix */
static const struct {
	const char	*label;
	const char	*prefix;
	long		 when;		/* -1: NOW-relative classic stamp */
	const char	*host;
} prefixes[] = {
	{ "syslog", PFX_SMTP, -1, "mx1" },
	{ "syslog, microseconds",
	  "Nov 30 04:12:01.123456 mx1 postfix/smtp[21345]: ", -1, "mx1" },
	{ "journalctl short-iso",
	  "2026-11-30T04:12:01+0000 mx1 postfix/smtp[21345]: ", 1796011921,
	  "mx1" },
	{ "rsyslog high precision",
	  "2026-11-30T05:12:01.003210+01:00 mx1 postfix/smtp[21345]: ",
	  1796011921, "mx1" },
	{ "RFC 5424", "<22>1 2026-11-30T04:12:01.003Z mx1 postfix/smtp 21345 "
	  "- - ", 1796011921, "mx1" },
	{ "RFC 5424 with structured data", "<22>1 2026-11-30T04:12:01Z mx1 "
	  "postfix/smtp 21345 - [meta sequenceId=\"7\"] ", 1796011921, "mx1" },
	{ "journalctl -o cat", "", 0, "" },
	{ "multi-instance syslog_name",
	  "Nov 30 04:12:01 mx1 postfix-out/smtp[21345]: ", -1, "mx1" },
};

START_TEST(test_prefixes)
{
	struct pf_delivery d;
	char line[4096];
	long want = prefixes[_i].when;

	snprintf(line, sizeof(line), "%s%s", prefixes[_i].prefix, BOUNCED);
	ck_assert_msg(parse(line, &d) == PF_L_DELIVERY, "%s",
	    prefixes[_i].label);
	ck_assert_str_eq(d.queue_id, "4Z1k2L3m4nPz");
	ck_assert_str_eq(d.host, prefixes[_i].host);
	if (want == -1)
		want = 1796011921;
	ck_assert_msg((long)d.when == want, "%s: when %ld, want %ld",
	    prefixes[_i].label, (long)d.when, want);
	ck_assert_str_eq(reply_rule(&d), "mailbox-does-not-exist");
}
END_TEST

/* Postfix's other status texts */
START_TEST(test_postfix_statuses)
{
	struct pf_delivery d;

	/* no reply from Gmail: the connection failed */
	ck_assert_int_eq(parse(PFX_SMTP "4Z1k2L3m4nPz: to=<a@gmail.com>, "
	    "relay=none, delay=30, delays=0.01/0/30/0, dsn=4.4.1, "
	    "status=deferred (connect to gmail-smtp-in.l.google.com"
	    "[142.250.102.27]:25: Connection timed out)", &d), PF_L_DELIVERY);
	ck_assert_int_eq(d.status, PF_D_DEFERRED);
	ck_assert_ptr_null(d.reply);
	ck_assert(pf_delivery_gmail(&d));	/* by the name it tried */
	/* a relay that is not named as Google's, but whose reply carries
	 * Google's gsmtp trailer, is Gmail (a smarthost name, a test) */
	ck_assert_int_eq(parse(PFX_SMTP "4Z1k2L3m4nPz: to=<a@gmail.com>, "
	    "relay=127.0.0.1[127.0.0.1]:2525, delay=0.3, delays=0/0/0.1/0.2, "
	    "dsn=5.1.1, status=bounced (host 127.0.0.1[127.0.0.1] said: "
	    "550-5.1.1 The email account that you tried to reach does not "
	    "exist. 550 5.1.1 a1si1 - gsmtp (in reply to RCPT TO command))",
	    &d), PF_L_DELIVERY);
	ck_assert(pf_delivery_gmail(&d));
	ck_assert_int_eq(parse(PFX_SMTP "4Z1k2L3m4nPz: to=<a@example.net>, "
	    "relay=127.0.0.1[127.0.0.1]:2525, delay=0.3, delays=0/0/0.1/0.2, "
	    "dsn=5.1.1, status=bounced (host 127.0.0.1[127.0.0.1] said: "
	    "550 5.1.1 <a@example.net>: Recipient address rejected (in reply "
	    "to RCPT TO command))", &d), PF_L_DELIVERY);
	ck_assert(!pf_delivery_gmail(&d));
	/* delivered: Gmail's 250 is the reply */
	ck_assert_int_eq(parse(PFX_SMTP "4Z1k2L3m4nPz: to=<a@gmail.com>, "
	    "relay=gmail-smtp-in.l.google.com[2a00:1450:400c:c07::1b]:25, "
	    "conn_use=2, delay=0.9, delays=0.01/0/0.2/0.7, "
	    "tls=(!DANE)/(!CCERT), dsn=2.0.0, status=sent (250 2.0.0 OK  "
	    "1796011921 a1si1234567qkb.12 - gsmtp)", &d), PF_L_DELIVERY);
	ck_assert_int_eq(d.status, PF_D_SENT);
	ck_assert_str_eq(d.relay_ip, "2a00:1450:400c:c07::1b");
	ck_assert(pf_delivery_gmail(&d));
	ck_assert_ptr_nonnull(d.reply);
	ck_assert(strncmp(d.reply, "250 2.0.0 OK", 12) == 0);
	/* a greeting refused */
	ck_assert_int_eq(parse(PFX_SMTP "4Z1k2L3m4nPz: to=<a@gmail.com>, "
	    "relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, delay=0.3, "
	    "delays=0.01/0/0.3/0, dsn=4.7.0, status=deferred (host "
	    "gmail-smtp-in.l.google.com[142.250.102.27] refused to talk to me:"
	    " 421-4.7.0 Try again later, closing connection. 421 4.7.0  "
	    "a1si1234567qkb.12 - gsmtp)", &d), PF_L_DELIVERY);
	ck_assert_int_eq(d.status, PF_D_DEFERRED);
	ck_assert_str_eq(reply_rule(&d), "try-again-later");
	/* expired counts as bounced; orig_to does not hide to */
	ck_assert_int_eq(parse(PFX_SMTP "4Z1k2L3m4nPz: to=<a@gmail.com>, "
	    "orig_to=<alias@example.org>, relay=gmail-smtp-in.l.google.com"
	    "[142.250.102.27]:25, delay=432000, delays=432000/0/0.3/0, "
	    "dsn=4.2.1, status=expired (host gmail-smtp-in.l.google.com"
	    "[142.250.102.27] said: 450-4.2.1 The user you are trying to "
	    "contact is receiving mail too quickly. 450 4.2.1 a1si1 - gsmtp "
	    "(in reply to RCPT TO command))", &d), PF_L_DELIVERY);
	ck_assert_int_eq(d.status, PF_D_BOUNCED);
	ck_assert_int_eq((int)d.rcpt_len, 11);
}
END_TEST

/* a line cut by syslog's limit keeps what it has */
START_TEST(test_truncated)
{
	struct pf_delivery d;
	char line[4096];

	snprintf(line, sizeof(line), "%s%s", PFX_SMTP, BOUNCED);
	line[400] = '\0';		/* cut inside the reply */
	ck_assert_int_eq(parse(line, &d), PF_L_DELIVERY);
	ck_assert(d.truncated);
	ck_assert_int_eq(d.status, PF_D_BOUNCED);
	ck_assert_ptr_nonnull(d.reply);
	ck_assert_str_eq(reply_rule(&d), "mailbox-does-not-exist");
	/* cut before the status: counted as bad */
	line[150] = '\0';
	ck_assert_int_eq(parse(line, &d), PF_L_BAD);
	ck_assert(d.truncated);
}
END_TEST

/* Sendmail's stat= forms */
START_TEST(test_sendmail)
{
	struct pf_delivery d;
	char rcpt[320];

	ck_assert_int_eq(parse("Nov 30 04:12:01 mx1 sm-mta[12345]: "
	    "4AU4C1xX012345: to=<a@gmail.com>,<B@gmail.com>, "
	    "ctladdr=<news@example.org> (1000/1000), delay=00:00:03, "
	    "xdelay=00:00:02, mailer=esmtp, pri=120000, "
	    "relay=gmail-smtp-in.l.google.com. [142.250.102.27], dsn=4.7.0, "
	    "stat=Deferred: 421-4.7.0 [192.0.2.1 15] Our system has detected "
	    "that this message is suspicious due to the very low reputation of "
	    "the sending IP address. To protect our users from spam, mail sent "
	    "from your IP address has been temporarily rate limited.", &d),
	    PF_L_DELIVERY);
	ck_assert_int_eq(d.mta, PF_LOG_SENDMAIL);
	ck_assert_str_eq(d.queue_id, "4AU4C1xX012345");
	ck_assert(pf_delivery_rcpt(&d, 0, rcpt, sizeof(rcpt)));
	ck_assert_str_eq(rcpt, "a@gmail.com");
	ck_assert(pf_delivery_rcpt(&d, 1, rcpt, sizeof(rcpt)));
	ck_assert_str_eq(rcpt, "b@gmail.com");
	ck_assert(!pf_delivery_rcpt(&d, 2, rcpt, sizeof(rcpt)));
	ck_assert_str_eq(d.relay, "gmail-smtp-in.l.google.com");
	ck_assert_str_eq(d.relay_ip, "142.250.102.27");
	ck_assert_int_eq(d.status, PF_D_DEFERRED);
	ck_assert(pf_delivery_gmail(&d));
	ck_assert_str_eq(reply_rule(&d), "low-ip-reputation-ratelimit");

	ck_assert_int_eq(parse("Nov 30 04:12:01 mx1 sendmail[12345]: "
	    "4AU4C1xX012346: to=a@gmail.com, delay=00:00:01, xdelay=00:00:01, "
	    "mailer=esmtp, pri=30000, relay=gmail-smtp-in.l.google.com. "
	    "[142.250.102.27], dsn=2.0.0, stat=Sent (OK  1796011921 "
	    "a1si1234567qkb.12 - gsmtp)", &d), PF_L_DELIVERY);
	ck_assert_int_eq(d.status, PF_D_SENT);
	ck_assert(pf_delivery_rcpt(&d, 0, rcpt, sizeof(rcpt)));
	ck_assert_str_eq(rcpt, "a@gmail.com");

	/* a permanent failure: only dsn= tells the reply */
	ck_assert_int_eq(parse("Nov 30 04:12:01 mx1 sm-mta[12345]: "
	    "4AU4C1xX012347: to=<gone@gmail.com>, delay=00:00:01, "
	    "xdelay=00:00:01, mailer=esmtp, pri=30000, "
	    "relay=gmail-smtp-in.l.google.com. [142.250.102.27], dsn=5.1.1, "
	    "stat=User unknown", &d), PF_L_DELIVERY);
	ck_assert_int_eq(d.status, PF_D_BOUNCED);
	ck_assert_str_eq(d.dsn, "5.1.1");
	ck_assert_ptr_null(d.reply);

	/* Sendmail 8.17 at LogLevel 9, as it logged these in
	 * tests/e2e/run-learn-sendmail.sh: the first line of the reply in
	 * reply=, the relay by its name with Sendmail's trailing dot */
	ck_assert_int_eq(parse("Nov 30 05:50:19 mta sendmail[13746]: "
	    "6AU5oJPG013744: to=<gone@gmail.com>, delay=00:00:00, "
	    "xdelay=00:00:00, mailer=esmtp, pri=90141, "
	    "relay=gmail-smtp-in.l.google.com. [127.0.0.1], dsn=5.1.1, "
	    "reply=550-5.1.1 The email account that you tried to reach does "
	    "not exist. Please try, stat=User unknown", &d), PF_L_DELIVERY);
	ck_assert_int_eq(d.status, PF_D_BOUNCED);
	ck_assert_str_eq(d.relay, "gmail-smtp-in.l.google.com");
	ck_assert_ptr_nonnull(d.reply);
	ck_assert_str_eq(reply_rule(&d), "mailbox-does-not-exist");
	ck_assert_int_eq(parse("Nov 30 05:50:19 mta sendmail[13746]: "
	    "6AU5oJPG013744: to=<full@gmail.com>, delay=00:00:00, "
	    "xdelay=00:00:00, mailer=esmtp, pri=90141, "
	    "relay=gmail-smtp-in.l.google.com. [127.0.0.1], dsn=4.2.2, "
	    "reply=452-4.2.2 The recipient's inbox is out of storage space. "
	    "Please direct the, stat=Deferred: 452-4.2.2 The recipient's "
	    "inbox is out of storage space. Please direct the", &d),
	    PF_L_DELIVERY);
	ck_assert_int_eq(d.status, PF_D_DEFERRED);
	ck_assert_str_eq(reply_rule(&d), "recipient-inbox-full");
	/* a delivery through a relay not named as Google's: the gsmtp of
	 * Sent's text says it was Gmail */
	ck_assert_int_eq(parse("Nov 30 05:49:56 mta sendmail[9588]: "
	    "6AU5nu86009576: to=<ok@gmail.com>, delay=00:00:00, "
	    "xdelay=00:00:00, mailer=esmtp, pri=90141, relay=mta.example.com. "
	    "[127.0.0.1], dsn=2.0.0, stat=Sent (OK  1796011921 "
	    "a1si1234567qkb.12 - gsmtp)", &d), PF_L_DELIVERY);
	ck_assert_int_eq(d.status, PF_D_SENT);
	ck_assert(pf_delivery_gmail(&d));

	/* a local failure is no reply from Gmail */
	ck_assert_int_eq(parse("Nov 30 04:12:01 mx1 sm-mta[12345]: "
	    "4AU4C1xX012348: to=<a@gmail.com>, delay=00:05:00, "
	    "xdelay=00:05:00, mailer=esmtp, pri=30000, "
	    "relay=gmail-smtp-in.l.google.com., dsn=4.0.0, stat=Deferred: "
	    "Connection timed out with gmail-smtp-in.l.google.com.", &d),
	    PF_L_DELIVERY);
	ck_assert_int_eq(d.status, PF_D_DEFERRED);
	ck_assert_ptr_null(d.reply);
}
END_TEST

/* lines of other kinds are not deliveries */
static const char *others[] = {
	"Nov 30 04:12:00 mx1 postfix/smtpd[800]: connect from "
	    "client.example.org[192.0.2.9]",
	"Nov 30 04:12:00 mx1 postfix/smtpd[800]: NOQUEUE: reject: RCPT from "
	    "x[192.0.2.9]: 554 5.7.1 <a@example.org>: Relay access denied; "
	    "from=<b@example.net> to=<a@example.org> proto=ESMTP helo=<x>",
	"Nov 30 04:12:00 mx1 postfix/local[900]: 4Z1k2L3m4nPz: "
	    "to=<root@mx1.example.org>, relay=local, delay=0.1, "
	    "delays=0/0/0/0.1, dsn=2.0.0, status=sent (delivered to mailbox)",
	"Nov 30 04:12:00 mx1 postfix/qmgr[812]: 4Z1k2L3m4nPz: from=<>, "
	    "status=expired, returned to sender",
	"-- Boot 0f6b2a... --",
	"",
	"\x01\x02 binary \xff\xfe",
	"Nov 30 04:12:01 mx1 postfix/smtp[21345]: warning: TLS library "
	    "problem: error:0A000126:SSL routines::unexpected eof while reading",
};

START_TEST(test_others)
{
	struct pf_delivery d;

	ck_assert_int_eq(parse(others[_i], &d), PF_L_OTHER);
}
END_TEST

/* the lines that name the sender of a queue id, and the daemon's
 * predictions for it */
START_TEST(test_queued_and_predicted)
{
	struct pf_delivery d;
	char rule[64];

	ck_assert_int_eq(parse("Nov 30 04:12:00 mx1 postfix/qmgr[812]: "
	    "4Z1k2L3m4nPz: from=<news@Example.org>, size=2311, nrcpt=1 "
	    "(queue active)", &d), PF_L_QUEUED);
	ck_assert_str_eq(d.queue_id, "4Z1k2L3m4nPz");
	ck_assert_int_eq((int)d.from_len, 16);
	ck_assert(strncmp(d.from, "news@Example.org", 16) == 0);
	ck_assert_int_eq(parse("Nov 30 04:12:00 mx1 sm-mta[12345]: "
	    "4AU4C1xX012345: from=<news@example.org>, size=1000, class=0, "
	    "nrcpts=1, msgid=<1@example.org>, proto=ESMTP, daemon=MTA, "
	    "relay=localhost [127.0.0.1]", &d), PF_L_QUEUED);
	ck_assert_str_eq(d.queue_id, "4AU4C1xX012345");
	ck_assert_int_eq(parse("Nov 30 04:11:59 mx1 preflight-milter[700]: "
	    "4Z1k2L3m4nPz: action=tag rule=mailbox-does-not-exist reply=550 "
	    "status=5.1.1 rule=dmarc-reject reply=550 status=5.7.26 rcpt=2 "
	    "client=[192.0.2.9]", &d), PF_L_PREDICTION);
	ck_assert_str_eq(d.queue_id, "4Z1k2L3m4nPz");
	ck_assert(pf_prediction_rule(&d, 0, rule, sizeof(rule)));
	ck_assert_str_eq(rule, "mailbox-does-not-exist");
	ck_assert(pf_prediction_rule(&d, 1, rule, sizeof(rule)));
	ck_assert_str_eq(rule, "dmarc-reject");
	ck_assert(!pf_prediction_rule(&d, 2, rule, sizeof(rule)));
	ck_assert_int_eq(pf_prediction_reply(&d, 0), 550);
	ck_assert_int_eq(pf_prediction_reply(&d, 1), 550);
	ck_assert_int_eq(pf_prediction_reply(&d, 2), 0);
	/* the daemon's own log on stderr (preflight-milter -f) */
	ck_assert_int_eq(parse("2026-11-30T04:11:59Z preflight-milter[info]: "
	    "4Z1k2L3m4nPz: action=tag rule=mailbox-does-not-exist reply=550 "
	    "status=5.1.1 rcpt=1 client=localhost[127.0.0.1]", &d),
	    PF_L_PREDICTION);
	ck_assert_str_eq(d.queue_id, "4Z1k2L3m4nPz");
	ck_assert_int_eq((long)d.when, 1796011919L);
}
END_TEST

/* the domains of preflight-milter's logfmt line, for the domain-keyed
 * history: a value as it is, an empty quoted one, an absent one, an
 * escaped one (not a domain name), one too long for the buffer */
START_TEST(test_prediction_fields)
{
	struct pf_delivery d;
	char v[64], small[8];

	ck_assert_int_eq(parse("Nov 30 04:11:59 mx1 preflight-milter[700]: "
	    "queue_id=4Z1k2L3m4nPz action=tag verdict=reject gmail=yes "
	    "rules=mailbox-does-not-exist confidence=high reply=550 "
	    "status=5.1.1 from_domain=news.example.org rcpt_domains=gmail.com "
	    "rcpt=1 client=192.0.2.9 dkim_domains=a.example,b.example "
	    "spf_domain=\"\" helo=\"x\\\"y\" reason=x", &d),
	    PF_L_PREDICTION);
	ck_assert(pf_prediction_rule(&d, 0, v, sizeof(v)));
	ck_assert_str_eq(v, "mailbox-does-not-exist");
	ck_assert(!pf_prediction_rule(&d, 1, v, sizeof(v)));
	ck_assert_int_eq(pf_prediction_reply(&d, 0), 550);
	ck_assert(pf_prediction_field(&d, "confidence", v, sizeof(v)));
	ck_assert_str_eq(v, "high");
	ck_assert_str_eq(d.queue_id, "4Z1k2L3m4nPz");
	ck_assert(pf_prediction_field(&d, "dkim_domains", v, sizeof(v)));
	ck_assert_str_eq(v, "a.example,b.example");
	ck_assert(pf_prediction_field(&d, "from_domain", v, sizeof(v)));
	ck_assert_str_eq(v, "news.example.org");
	ck_assert(!pf_prediction_field(&d, "spf_domain", v, sizeof(v)));
	ck_assert(!pf_prediction_field(&d, "helo", v, sizeof(v)));
	ck_assert(!pf_prediction_field(&d, "nosuch", v, sizeof(v)));
	ck_assert(!pf_prediction_field(&d, "from_domain", small,
	    sizeof(small)));
	/* "rcpt_domains=" is not "domains=" */
	ck_assert(!pf_prediction_field(&d, "domains", v, sizeof(v)));
}
END_TEST

/* the year of a classic stamp: never far in the future */
START_TEST(test_year)
{
	struct pf_delivery d;

	/* Dec 31 read on Nov 30 is last year's */
	ck_assert_int_eq(parse("Dec 31 23:59:59 mx1 postfix/smtp[1]: " BOUNCED,
	    &d), PF_L_DELIVERY);
	ck_assert_int_eq((long)d.when, 1767225599L);	/* 2025-12-31 */
	/* Dec 1 read at noon on Nov 30 is this year's (clocks drift) */
	ck_assert_int_eq(parse("Dec  1 00:00:01 mx1 postfix/smtp[1]: " BOUNCED,
	    &d), PF_L_DELIVERY);
	ck_assert_int_eq((long)d.when, 1796083201L);
}
END_TEST

/* rebuild_line - the Postfix log line of a Postfix bounce: the reason
 * after "<rcpt>[ (expanded from <x>)]: " up to the blank line that ends
 * the paragraph, unwrapped; 0 if the bounce has no "host ... said:" */
static int
rebuild_line(const char *path, char *out, size_t osz, char *rcpt,
    size_t rsz)
{
	char *buf, *p, *e, *r, *said, reason[16384];
	size_t n, o = 0;
	FILE *fp;

	if ((fp = fopen(path, "rb")) == NULL)
		return 0;
	buf = calloc(1, 1 << 20);
	n = fread(buf, 1, (1 << 20) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	if ((said = strstr(buf, " said: ")) == NULL ||
	    (p = strstr(buf, "\n<")) == NULL || p > said) {
		free(buf);
		return 0;
	}
	/* the last paragraph start ("\n<rcpt>") before "said:" */
	while ((r = strstr(p + 1, "\n<")) != NULL && r < said)
		p = r;
	r = p + 2;
	e = strchr(r, '>');
	snprintf(rcpt, rsz, "%.*s", (int)(e - r), r);
	p = strstr(e, "): ") != NULL && strstr(e, "): ") < said ?
	    strstr(e, "): ") + 3 : e + 3;
	/* up to the blank line that ends the paragraph */
	for (; *p != '\0' && o + 1 < sizeof(reason); p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n') {
			e = p + 1;
			while (*e == '\r')
				e++;
			if (*e == '\n')
				break;
			while (p[1] == ' ' || p[1] == '\t')
				p++;
			if (o > 0 && reason[o - 1] != ' ')
				reason[o++] = ' ';
			continue;
		}
		reason[o++] = *p;
	}
	reason[o] = '\0';
	snprintf(out, osz, PFX_SMTP "4Z1k2L3m4nPz: to=<%s>, "
	    "relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, delay=1.2, "
	    "delays=0.01/0.01/0.41/0.77, dsn=5.0.0, status=bounced (%s)",
	    rcpt, reason);
	free(buf);
	return 1;
}

START_TEST(test_real_bounces)
{
	const char *src = getenv("PF_SRCDIR");
	char path[1024], line[1024], out[32768], rcpt[512], got[512];
	char *file, *rule, *save = NULL;
	struct pf_delivery d;
	size_t n = 0;
	FILE *ef;

	ck_assert_msg(src != NULL, "PF_SRCDIR is not set");
	snprintf(path, sizeof(path), "%s/tests/fixtures/explain/bounces.expect",
	    src);
	ck_assert_ptr_nonnull(ef = fopen(path, "r"));
	while (fgets(line, sizeof(line), ef) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		file = strtok_r(line, "\t", &save);
		rule = strtok_r(NULL, "\t", &save);
		snprintf(path, sizeof(path),
		    "%s/tests/data/corpus/gmail-bounces/%s", src, file);
		if (!rebuild_line(path, out, sizeof(out), rcpt, sizeof(rcpt)))
			continue;
		ck_assert_msg(parse(out, &d) == PF_L_DELIVERY, "%s: %s", file,
		    out);
		ck_assert_int_eq(d.status, PF_D_BOUNCED);
		ck_assert(pf_delivery_gmail(&d));
		ck_assert(pf_delivery_rcpt(&d, 0, got, sizeof(got)));
		ck_assert_ptr_nonnull(d.reply);
		ck_assert_msg(strcmp(reply_rule(&d), rule) == 0,
		    "%s: named %s, want %s\n%s", file, reply_rule(&d), rule,
		    out);
		n++;
	}
	fclose(ef);
	/* the Postfix-style bounces of the corpus (a "<rcpt>: host ... said:"
	 * paragraph) */
	ck_assert_uint_eq(n, 11);
}
END_TEST

/* --- the reader --- */

/* write_file - a temporary file with content, gzip-compressed if gz */
static void
write_file(char *path, const char *content, size_t len, int gz)
{
	int fd = mkstemp(path);
	gzFile g;

	ck_assert_int_ge(fd, 0);
	if (gz) {
		g = gzdopen(fd, "wb");
		ck_assert_ptr_nonnull(g);
		ck_assert_int_eq(gzwrite(g, content, (unsigned)len), (int)len);
		gzclose(g);
	} else {
		ck_assert_int_eq(write(fd, content, len), (ssize_t)len);
		close(fd);
	}
}

/* count_lines - lines and cut lines read from path */
static void
count_lines(const char *path, size_t *n, size_t *cut, size_t *deliv)
{
	struct pf_logreader *r;
	struct pf_err err = { 0 };
	struct pf_delivery d;
	const char *l;
	size_t len;
	int c, rc;

	*n = *cut = *deliv = 0;
	ck_assert_int_eq(pf_logreader_open(path, &r, &err), PF_OK);
	while ((rc = pf_logreader_next(r, &l, &len, &c)) == 1) {
		(*n)++;
		*cut += c;
		if (pf_logline_parse(l, len, PF_LOG_AUTO, NOW, &d) ==
		    PF_L_DELIVERY)
			(*deliv)++;
	}
	ck_assert_int_eq(rc, 0);
	pf_logreader_free(r);
}

START_TEST(test_reader_plain_gz)
{
	char plain[] = "/tmp/pflearnXXXXXX", gz[] = "/tmp/pflearnXXXXXX";
	const char *log = PFX_SMTP BOUNCED "\n"
	    "Nov 30 04:12:00 mx1 postfix/qmgr[812]: 4Z1k2L3m4nPz: "
	    "from=<news@example.org>, size=2311, nrcpt=1 (queue active)\n"
	    PFX_SMTP BOUNCED;		/* no newline at the end */
	size_t n, cut, deliv;

	write_file(plain, log, strlen(log), 0);
	write_file(gz, log, strlen(log), 1);
	count_lines(plain, &n, &cut, &deliv);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(deliv, 2);
	count_lines(gz, &n, &cut, &deliv);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(deliv, 2);
	ck_assert_uint_eq(cut, 0);
	unlink(plain);
	unlink(gz);
}
END_TEST

START_TEST(test_reader_long_and_resume)
{
	char path[] = "/tmp/pflearnXXXXXX";
	size_t biglen = PF_LOGLINE_MAX * 2 + 10, n, cut, deliv, len;
	char *big = malloc(biglen + 2 * sizeof(PFX_SMTP BOUNCED) + 4);
	struct pf_logreader *r;
	struct pf_err err = { 0 };
	const char *l;
	size_t o = 0;
	off_t first;
	int c;

	o += (size_t)sprintf(big + o, "%s\n", PFX_SMTP BOUNCED);
	memset(big + o, 'x', biglen);
	o += biglen;
	big[o++] = '\n';
	o += (size_t)sprintf(big + o, "%s\n", PFX_SMTP BOUNCED);
	write_file(path, big, o, 0);
	count_lines(path, &n, &cut, &deliv);
	/* the long line is handed out once, cut */
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(cut, 1);
	ck_assert_uint_eq(deliv, 2);
	/* resume after the first line */
	ck_assert_int_eq(pf_logreader_open(path, &r, &err), PF_OK);
	ck_assert_int_eq(pf_logreader_next(r, &l, &len, &c), 1);
	first = pf_logreader_offset(r);
	ck_assert_int_eq((long)first, (long)strlen(PFX_SMTP BOUNCED) + 1);
	pf_logreader_free(r);
	ck_assert_int_eq(pf_logreader_open(path, &r, &err), PF_OK);
	ck_assert_int_eq(pf_logreader_skip(r, first), PF_OK);
	ck_assert_int_eq(pf_logreader_next(r, &l, &len, &c), 1);
	ck_assert_int_eq(c, 1);
	ck_assert_int_eq(pf_logreader_next(r, &l, &len, &c), 1);
	ck_assert(strncmp(l, PFX_SMTP, strlen(PFX_SMTP)) == 0);
	ck_assert_int_eq(pf_logreader_next(r, &l, &len, &c), 0);
	ck_assert_int_eq((long)pf_logreader_offset(r), (long)o);
	pf_logreader_free(r);
	ck_assert_int_eq(pf_logreader_open("/nonexistent/maillog", &r, &err),
	    PF_EIO);
	unlink(path);
	free(big);
}
END_TEST

static Suite *
learn_suite(void)
{
	Suite *s = suite_create("learn");
	TCase *tc = tcase_create("logline");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_postfix_bounced);
	tcase_add_loop_test(tc, test_prefixes, 0, PF_NELEM(prefixes));
	tcase_add_test(tc, test_postfix_statuses);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_sendmail);
	tcase_add_loop_test(tc, test_others, 0, PF_NELEM(others));
	tcase_add_test(tc, test_queued_and_predicted);
	tcase_add_test(tc, test_prediction_fields);
	tcase_add_test(tc, test_year);
	tcase_add_test(tc, test_real_bounces);
	tcase_add_test(tc, test_reader_plain_gz);
	tcase_add_test(tc, test_reader_long_and_resume);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return pf_test_run(learn_suite());
}
