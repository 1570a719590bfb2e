/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_config.c - preflight.conf: every key, its defaults, and the exact
 * file:line: message for each kind of mistake.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/pf.h"
#include "config/policy.h"
#include "lib/pftest.h"

/* load - write text to a temp file and load it; path returned in buf */
static int
load(const char *text, struct pf_config **cfg, struct pf_err *err,
    char *path, size_t plen)
{
	FILE *fp;
	int fd, rc;

	snprintf(path, plen, "/tmp/check_config.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	fp = fdopen(fd, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
	memset(err, 0, sizeof(*err));
	rc = pf_config_load(path, cfg, err);
	unlink(path);
	return rc;
}

static const struct {
	const char	*label;
	const char	*text;
	const char	*want;	/* message after "file:" */
} bad[] = {
	{ "unknown key", "Rules /x\nNoSuchKey 1\n",
	    "2: unknown key \"NoSuchKey\"" },
	{ "bad egress address", "# c\n\nEgressIP 192.0.2.300\n",
	    "3: EgressIP: \"192.0.2.300\" is not an IPv4 or IPv6 address" },
	{ "too many egress addresses",
	    "EgressIP 192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4\n"
	    "EgressIP 192.0.2.5 192.0.2.6 192.0.2.7 192.0.2.8\n"
	    "EgressIP 192.0.2.9 192.0.2.10 192.0.2.11 192.0.2.12\n"
	    "EgressIP 192.0.2.13 192.0.2.14 192.0.2.15 192.0.2.16\n"
	    "EgressIP 192.0.2.17\n",
	    "5: EgressIP: more than 16 addresses" },
	{ "bool not yes or no", "TagClean maybe\n",
	    "1: TagClean: expected one of yes, no" },
	{ "bulk not yes, no or auto", "Bulk maybe\n",
	    "1: Bulk: expected yes, no or auto" },
	{ "state kind", "State mysql://db\n",
	    "1: State: expected none, lmdb:/PATH, redis://HOST[:PORT][/DB] "
	    "or redis+unix:/PATH: \"mysql://db\"" },
	{ "state relative lmdb", "State lmdb:var/state\n",
	    "1: State: the LMDB path must be absolute: \"lmdb:var/state\"" },
	{ "state redis port", "State redis://127.0.0.1:70000/0\n",
	    "1: State: the port is not in 1..65535: "
	    "\"redis://127.0.0.1:70000/0\"" },
	{ "state redis db", "State redis://127.0.0.1:6379/x\n",
	    "1: State: the database is not a number: "
	    "\"redis://127.0.0.1:6379/x\"" },
	{ "state redis no host", "State redis://:6379\n",
	    "1: State: no Redis host: \"redis://:6379\"" },
	{ "state unix relative", "State redis+unix:run/redis.sock\n",
	    "1: State: the socket path must be absolute: "
	    "\"redis+unix:run/redis.sock\"" },
	{ "state unix parameter", "State redis+unix:/run/r.sock?dbx=1\n",
	    "1: State: unknown parameter (db=, password=, user=): "
	    "\"redis+unix:/run/r.sock?dbx=1\"" },
	{ "state two words", "State none lmdb:/x\n",
	    "1: State takes one value" },
	{ "gmail account", "GmailAccount sender\n",
	    "1: GmailAccount: \"sender\" is not an address" },
	{ "state timeout", "StateTimeout 5\n",
	    "1: StateTimeout: 5 is out of range 10..60000" },
	{ "tristate", "TLS sometimes\n",
	    "1: TLS: expected yes, no or unknown, not \"sometimes\"" },
	{ "number out of range", "DNSQueryTimeout 5\n",
	    "1: DNSQueryTimeout: 5 is out of range 10..60000" },
	{ "not a number", "DNSMessageBudget 1s\n",
	    "1: DNSMessageBudget: \"1s\" is not a number" },
	{ "single key twice", "Rules /a\nRules /b\n",
	    "2: Rules given twice (first at line 1)" },
	{ "missing value", "HELO\n", "1: HELO: missing value" },
	{ "two values", "Rules /a /b\n", "1: Rules takes one value" },
	{ "bad helo", "HELO bad_name!\n",
	    "1: HELO: \"bad_name!\" is not a host name" },
	{ "nameserver not an address", "Nameserver ns.example.com\n",
	    "1: Nameserver: \"ns.example.com\" is not an IP address" },
	{ "nameserver bad port", "Nameserver 127.0.0.1:99999\n",
	    "1: Nameserver: port \"99999\" is not in 1..65535" },
	{ "dns word", "DNS perhaps\n", "1: DNS: expected yes or no" },
	{ "signer too short", "Signer example.com sel\n",
	    "1: Signer: expected DOMAIN SELECTOR KEYFILE [SENDER-PATTERN]" },
	{ "signer bad domain", "Signer exa$mple.com s1 /k\n",
	    "1: Signer: \"exa$mple.com\" is not a domain name" },
	{ "action bad scope", "Action ex@mple.com permanent tag\n",
	    "1: Action: scope \"ex@mple.com\" is not * or a domain" },
	{ "action bad selector", "Action * fatal tag\n",
	    "1: Action: selector \"fatal\" is not permanent, temporary, "
	    "confidence:LEVEL, class:NAME or rule:ID" },
	{ "action bad confidence", "Action * confidence:certain tag\n",
	    "1: Action: confidence \"certain\" is not low, medium or high" },
	{ "min confidence", "MinConfidence sure\n",
	    "1: MinConfidence: expected one of low, medium, high" },
	{ "action bad class", "Action * class:spam tag\n",
	    "1: Action: unknown class \"spam\"" },
	{ "action bad rule id", "Action * rule:Bad_Id tag\n",
	    "1: Action: \"Bad_Id\" is not a rule id" },
	{ "action bad action", "Action * permanent discard\n",
	    "1: Action: \"discard\" is not accept, tag, hold, reject or "
	    "tempfail" },
	{ "action word count", "Action * permanent\n",
	    "1: Action: expected SCOPE SELECTOR ACTION" },
	{ "fail action cannot reject", "FailAction reject\n",
	    "1: FailAction: expected one of accept, hold, tempfail" },
	{ "mta adds", "MTAAddsHeaders sometimes\n",
	    "1: MTAAddsHeaders: expected one of never, local, always" },
	{ "sender domain", "SenderDomain header\n",
	    "1: SenderDomain: expected one of from, envelope, both" },
	{ "socket scheme", "Socket tcp:25\n",
	    "1: Socket: \"tcp:25\": expected inet:PORT@HOST, inet6:PORT@HOST "
	    "or local:/PATH" },
	{ "socket port", "Socket inet:0@127.0.0.1\n",
	    "1: Socket: \"inet:0@127.0.0.1\": port is not in 1..65535" },
	{ "socket relative path", "Socket local:run/x.sock\n",
	    "1: Socket: \"local:run/x.sock\": the path must be absolute" },
	{ "socket mode", "SocketMode 0999\n",
	    "1: SocketMode: \"0999\" is not an octal mode" },
	{ "socket mode nobody may write", "SocketMode 0440\n",
	    "1: SocketMode: 0440: nobody could connect (connecting needs "
	    "write permission)" },
	{ "socket mode too long", "SocketMode 00660\n",
	    "1: SocketMode: \"00660\" is not an octal mode" },
	{ "socket group", "SocketGroup post/fix\n",
	    "1: SocketGroup: \"post/fix\": not a group name" },
	{ "socket group option", "SocketGroup -postfix\n",
	    "1: SocketGroup: \"-postfix\": not a group name" },
	{ "facility", "LogFacility kern\n",
	    "1: LogFacility: expected mail, daemon, user or local0..local7" },
	{ "control character", "Rules /a\x01\n",
	    "1: control character in line" },
	{ "key is case-insensitive but still single",
	    "bulk yes\nBULK no\n", "2: Bulk given twice (first at line 1)" },
};

START_TEST(test_bad)
{
	struct pf_config *cfg = (void *)1;
	struct pf_err err;
	char path[64], got[1024], want[1024];
	int rc;

	rc = load(bad[_i].text, &cfg, &err, path, sizeof(path));
	ck_assert_msg(rc != PF_OK, "%s: accepted", bad[_i].label);
	ck_assert_ptr_null(cfg);
	pf_err_format(&err, got, sizeof(got));
	snprintf(want, sizeof(want), "%s:%s", path, bad[_i].want);
	ck_assert_msg(strcmp(got, want) == 0, "%s: got \"%s\", want \"%s\"",
	    bad[_i].label, got, want);
}
END_TEST

START_TEST(test_long_line)
{
	struct pf_config *cfg;
	struct pf_err err;
	char path[64], got[1024], want[1024], *text;

	text = malloc(6000);
	ck_assert_ptr_nonnull(text);
	memset(text, 'a', 5998);
	memcpy(text, "Rules ", 6);
	text[5998] = '\n';
	text[5999] = '\0';
	ck_assert_int_eq(load(text, &cfg, &err, path, sizeof(path)),
	    PF_ELIMIT);
	pf_err_format(&err, got, sizeof(got));
	snprintf(want, sizeof(want), "%s:1: line longer than 4096 bytes", path);
	ck_assert_str_eq(got, want);
	free(text);
}
END_TEST

START_TEST(test_missing_file)
{
	struct pf_config *cfg;
	struct pf_err err;
	char got[512];

	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(pf_config_load("/nonexistent/preflight.conf", &cfg,
	    &err), PF_EIO);
	pf_err_format(&err, got, sizeof(got));
	ck_assert_str_eq(got,
	    "/nonexistent/preflight.conf: No such file or directory");
}
END_TEST

START_TEST(test_defaults)
{
	struct pf_config *c = pf_config_default();
	struct pf_policy *p;

	ck_assert_ptr_nonnull(c);
	p = c->policy;
	ck_assert_ptr_nonnull(strstr(c->rules, "gmail.rules"));
	ck_assert_int_eq(c->negress, 0);
	ck_assert_ptr_null(c->nameserver);
	ck_assert_int_eq(c->no_dns, 0);
	ck_assert_uint_eq(c->dns_query_ms, 2000);
	ck_assert_uint_eq(c->dns_message_ms, 8000);
	ck_assert_int_eq(c->tls, PF_UNSET);
	ck_assert_int_eq(c->bulk, PF_BULK_AUTO);
	ck_assert_int_eq(c->state.kind, PF_STATE_LMDB);
	ck_assert_str_eq(c->state.path, "/var/lib/preflight/state");
	ck_assert_uint_eq(c->state_timeout_ms, 500);
	ck_assert_int_eq(p->dry_run, 0);
	ck_assert_int_eq(p->fail_action, PF_A_ACCEPT);
	ck_assert_int_eq(p->mta_adds, PF_M_NEVER);
	ck_assert_int_eq(p->min_confidence, PF_CONF_LOW);
	ck_assert_int_eq(p->domain_src, PF_D_BOTH);
	ck_assert_int_eq(p->unknown_is_gmail, 1);
	ck_assert_int_eq(p->tag_clean, 0);
	ck_assert_str_eq(c->daemon.socket,
	    "local:/var/spool/postfix/preflight/milter.sock");
	ck_assert_ptr_null(c->daemon.socket_group);
	ck_assert_uint_eq(c->daemon.socket_mode, 0660);
	ck_assert_int_eq(c->daemon.background, 1);
	pf_config_free(c);
	pf_config_free(NULL);
}
END_TEST

START_TEST(test_good)
{
	static const char text[] =
	    "# a full configuration\n"
	    "\n"
	    "rules /etc/preflight/gmail.rules   # trailing comment\n"
	    "EgressIP 192.0.2.10\n"
	    "EgressIP 2001:db8::10 198.51.100.7\n"
	    "HELO mta.example.com\n"
	    "Nameserver 127.0.0.1:5300\n"
	    "DNS no\n"
	    "DNSQueryTimeout 500\n"
	    "DNSMessageBudget 3000\n"
	    "Bulk yes\n"
	    "TLS no\n"
	    "RelayViaGoogle yes\n"
	    "State redis://pf:s3cret@[::1]:6380/2\n"
	    "StateTimeout 250\n"
	    "Signer example.com s2026 /etc/keys/example.key\n"
	    "Signer example.org s1 /etc/keys/org.key *@example.org\n"
	    "KeyTable /etc/opendkim/KeyTable\n"
	    "SigningTable /etc/opendkim/SigningTable\n"
	    "\tAction * permanent hold\n"
	    "Action example.com rule:dmarc-reject reject\n"
	    "Action example.com class:dns tempfail\n"
	    "Action example.org confidence:Medium tag\n"
	    "DryRun yes\n"
	    "SenderDomain from\n"
	    "UnknownRecipients other\n"
	    "BlockOnlyAllGmail yes\n"
	    "TagClean yes\n"
	    "FailAction tempfail\n"
	    "MTAAddsHeaders always\n"
	    "MinConfidence medium\n"
	    "Socket inet:8899@127.0.0.1\n"
	    "SocketMode 0600\n"
	    "User preflight\n"
	    "Group mail\n"
	    "PidFile /run/preflight/milter.pid\n"
	    "Background no\n"
	    "LogFacility local3\n"
	    "MilterTimeout 120\n"
	    "DrainTimeout 5\n";
	struct pf_config *c;
	struct pf_policy *p;
	struct pf_err err;
	char path[64], buf[600];

	ck_assert_msg(load(text, &c, &err, path, sizeof(path)) == PF_OK, "%s",
	    pf_err_format(&err, buf, sizeof(buf)));
	p = c->policy;
	ck_assert_str_eq(c->path, path);
	ck_assert_str_eq(c->rules, "/etc/preflight/gmail.rules");
	ck_assert_int_eq(c->negress, 3);
	ck_assert_str_eq(c->egress[1], "2001:db8::10");
	ck_assert_str_eq(c->helo, "mta.example.com");
	ck_assert_str_eq(c->nameserver, "127.0.0.1:5300");
	ck_assert_int_eq(c->no_dns, 1);
	ck_assert_uint_eq(c->dns_query_ms, 500);
	ck_assert_uint_eq(c->dns_message_ms, 3000);
	ck_assert_int_eq(c->bulk, 1);
	ck_assert_int_eq(c->tls, PF_NO);
	ck_assert_int_eq(c->relay_via_google, 1);
	ck_assert_int_eq(c->state.kind, PF_STATE_REDIS);
	ck_assert_str_eq(c->state.host, "::1");
	ck_assert_uint_eq(c->state.port, 6380);
	ck_assert_uint_eq(c->state.db, 2);
	ck_assert_str_eq(c->state.user, "pf");
	ck_assert_str_eq(c->state.pass, "s3cret");
	ck_assert_uint_eq(c->state_timeout_ms, 250);
	ck_assert_int_eq(c->nsigner, 2);
	ck_assert_str_eq(c->signer[0].selector, "s2026");
	ck_assert_ptr_null(c->signer[0].match);
	ck_assert_str_eq(c->signer[1].match, "*@example.org");
	ck_assert_str_eq(c->keytable, "/etc/opendkim/KeyTable");
	ck_assert_str_eq(c->signingtable, "/etc/opendkim/SigningTable");
	ck_assert_int_eq(p->nrule, 4);
	ck_assert_int_eq(p->rule[3].sel, PF_SEL_CONFIDENCE);
	ck_assert_str_eq(p->rule[3].arg, "medium");
	ck_assert_int_eq(p->rule[1].sel, PF_SEL_RULE);
	ck_assert_str_eq(p->rule[1].arg, "dmarc-reject");
	ck_assert_uint_eq(p->rule[1].line, 21);
	ck_assert_int_eq(p->dry_run, 1);
	ck_assert_int_eq(p->domain_src, PF_D_FROM);
	ck_assert_int_eq(p->unknown_is_gmail, 0);
	ck_assert_int_eq(p->block_only_all_gmail, 1);
	ck_assert_int_eq(p->tag_clean, 1);
	ck_assert_int_eq(p->fail_action, PF_A_TEMPFAIL);
	ck_assert_int_eq(p->mta_adds, PF_M_ALWAYS);
	ck_assert_int_eq(p->min_confidence, PF_CONF_MEDIUM);
	ck_assert_str_eq(c->daemon.socket, "inet:8899@127.0.0.1");
	ck_assert_uint_eq(c->daemon.socket_mode, 0600);
	ck_assert_str_eq(c->daemon.user, "preflight");
	ck_assert_str_eq(c->daemon.group, "mail");
	ck_assert_str_eq(c->daemon.pidfile, "/run/preflight/milter.pid");
	ck_assert_int_eq(c->daemon.background, 0);
	ck_assert_str_eq(c->daemon.log_facility, "local3");
	ck_assert_uint_eq(c->daemon.milter_timeout, 120);
	ck_assert_uint_eq(c->daemon.drain_seconds, 5);
	pf_config_free(c);
}
END_TEST

static const struct {
	const char	*label;
	const char	*text;
} good_small[] = {
	{ "empty file", "" },
	{ "comments only", "# nothing\n   # indented\n\n" },
	{ "nameserver system", "Nameserver system\n" },
	{ "nameserver v6 with port", "Nameserver [::1]:5300\n" },
	{ "nameserver bare v6", "Nameserver ::1\n" },
	{ "socket inet6", "Socket inet6:8891@::1\n" },
	{ "socket local", "Socket local:/run/preflight/milter.sock\n" },
	{ "socket unix", "Socket unix:/tmp/x.sock\n" },
	{ "socket group and mode", "SocketGroup postfix\nSocketMode 0620\n" },
	{ "tls unknown", "TLS unknown\n" },
	{ "crlf line ends", "Bulk yes\r\nDNS no\r\n" },
	{ "bool synonyms", "Bulk true\nRelayViaGoogle off\n" },
	{ "bulk auto, no state", "Bulk auto\nState none\n" },
	{ "state unix socket", "State redis+unix:/run/redis/redis.sock"
	    "?db=3&password=x\n" },
	{ "state lmdb", "State lmdb:/var/lib/preflight/other\n" },
	{ "gmail account", "GmailAccount news@example.com\n" },
	{ "state redis defaults", "State redis://localhost\n" },
};

START_TEST(test_good_small)
{
	struct pf_config *c;
	struct pf_err err;
	char path[64], buf[600];

	ck_assert_msg(load(good_small[_i].text, &c, &err, path,
	    sizeof(path)) == PF_OK, "%s: %s", good_small[_i].label,
	    pf_err_format(&err, buf, sizeof(buf)));
	ck_assert(pf_config_key_known("egressip"));
	ck_assert(!pf_config_key_known("egress"));
	pf_config_free(c);
}
END_TEST

/*
 * pf_config_set takes the same way in as a file line: every one-line
 * mistake of the table above gives the same message without "file:1: ".
 */
START_TEST(test_set_as_file)
{
	const char *text = bad[_i].text, *nl = strchr(text, '\n');
	struct pf_config *c;
	struct pf_err err;
	char line[256], *key, *value, *sp;

	/* several lines, or a message about the line itself */
	if (nl == NULL || nl[1] != '\0' || strstr(text, "\x01") != NULL ||
	    strncmp(bad[_i].want, "1: ", 3) != 0)
		return;
	snprintf(line, sizeof(line), "%.*s", (int)(nl - text), text);
	key = line;
	sp = strchr(line, ' ');
	value = sp != NULL ? sp + 1 : (char *)"";
	if (sp != NULL)
		*sp = '\0';
	ck_assert_ptr_nonnull(c = pf_config_default());
	memset(&err, 0, sizeof(err));
	ck_assert_msg(pf_config_set(c, key, value, &err) != PF_OK,
	    "%s: accepted", bad[_i].label);
	ck_assert_msg(strcmp(err.msg, bad[_i].want + 3) == 0 &&
	    err.file[0] == '\0', "%s: got \"%s\", want \"%s\"",
	    bad[_i].label, err.msg, bad[_i].want + 3);
	pf_config_free(c);
}
END_TEST

/* what the command-line options rely on */
START_TEST(test_set)
{
	struct pf_config *c = pf_config_default();
	struct pf_err err;

	ck_assert_ptr_nonnull(c);
	memset(&err, 0, sizeof(err));
	ck_assert_uint_eq(c->dns_query_ms, PF_DNS_QUERY_MS);
	ck_assert_uint_eq(c->dns_message_ms, PF_DNS_MESSAGE_MS);
	/* --helo is checked as HELO is */
	ck_assert_int_eq(pf_config_set(c, "HELO", "bad_name!", &err),
	    PF_ESYNTAX);
	ck_assert_str_eq(err.msg, "HELO: \"bad_name!\" is not a host name");
	ck_assert_int_eq(pf_config_set(c, "helo", "mta.example.com", &err),
	    PF_OK);
	ck_assert_str_eq(c->helo, "mta.example.com");
	/* --nameserver system goes back to the system resolver */
	ck_assert_int_eq(pf_config_set(c, "Nameserver", "[::1]:5300", &err),
	    PF_OK);
	ck_assert_str_eq(c->nameserver, "[::1]:5300");
	ck_assert_int_eq(pf_config_set(c, "Nameserver", "system", &err),
	    PF_OK);
	ck_assert_ptr_null(c->nameserver);
	ck_assert_int_eq(pf_config_set(c, "Nameserver", "[::1", &err),
	    PF_ESYNTAX);
	ck_assert_str_eq(err.msg, "Nameserver: \"[::1\": expected "
	    "address[:port] or [address]:port");
	/* a key given again replaces, EgressIP adds, unset empties it */
	ck_assert_int_eq(pf_config_set(c, "EgressIP", "192.0.2.1", &err),
	    PF_OK);
	ck_assert_int_eq(pf_config_set(c, "EgressIP", "192.0.2.2 ::1", &err),
	    PF_OK);
	ck_assert_uint_eq(c->negress, 3);
	ck_assert_int_eq(pf_config_unset(c, "EgressIP", &err), PF_OK);
	ck_assert_uint_eq(c->negress, 0);
	ck_assert_int_eq(pf_config_set(c, "Rules", "/a.rules", &err), PF_OK);
	ck_assert_int_eq(pf_config_set(c, "Rules", "/b.rules", &err), PF_OK);
	ck_assert_str_eq(c->rules, "/b.rules");
	ck_assert_int_eq(pf_config_unset(c, "Rules", &err), PF_OK);
	ck_assert_ptr_nonnull(strstr(c->rules, "/gmail.rules"));
	ck_assert_int_eq(pf_config_set(c, "DNS", "no", &err), PF_OK);
	ck_assert_int_eq(c->no_dns, 1);
	ck_assert_int_eq(pf_config_set(c, "FailAction", "tempfail", &err),
	    PF_OK);
	ck_assert_int_eq(c->policy->fail_action, PF_A_TEMPFAIL);
	ck_assert_int_eq(pf_config_set(c, "NoSuchKey", "1", &err),
	    PF_ESYNTAX);
	ck_assert_str_eq(err.msg, "unknown key \"NoSuchKey\"");
	ck_assert_int_eq(pf_config_unset(c, "Action", &err), PF_EINVAL);
	pf_config_free(c);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_loop_test(tc, test_bad, 0, PF_NELEM(bad));
	tcase_add_test(tc, test_long_line);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_good);
	tcase_add_loop_test(tc, test_good_small, 0, PF_NELEM(good_small));
	tcase_add_loop_test(tc, test_set_as_file, 0, PF_NELEM(bad));
	tcase_add_test(tc, test_set);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return pf_test_run(suite());
}
