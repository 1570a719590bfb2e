/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_policy.c - from a verdict and facts to one action: domain scopes,
 * severity, class and rule overrides, Gmail-bound recipients, the
 * all-Gmail limit and dry run.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/pf.h"
#include "config/policy.h"
#include "lib/pftest.h"

/* five rules standing in for the catalog */
static struct pf_rule r_dmarc = { .id = "dmarc-reject", .reply = 550,
	.status = "5.7.26", .cls = PF_C_DNS, .stage = PF_S_EOD,
	.confidence = PF_CONF_HIGH };
static struct pf_rule r_subject = { .id = "subject-too-long", .reply = 552,
	.status = "5.3.4", .cls = PF_C_CONTENT, .stage = PF_S_EOD,
	.confidence = PF_CONF_HIGH };
static struct pf_rule r_temp = { .id = "dkim-temperror", .reply = 451,
	.status = "4.7.26", .cls = PF_C_DNS, .stage = PF_S_EOD,
	.confidence = PF_CONF_HIGH };
static struct pf_rule r_window = { .id = "low-ip-reputation", .reply = 550,
	.status = "5.7.1", .cls = PF_C_FEEDBACK, .stage = PF_S_EOD,
	.confidence = PF_CONF_MEDIUM };
static struct pf_rule r_guess = { .id = "policy-prohibits", .reply = 550,
	.status = "5.7.1", .cls = PF_C_STATE, .stage = PF_S_RCPT,
	.confidence = PF_CONF_LOW };

/* policy - a policy from config lines, through the real loader */
static struct pf_config *
policy(const char *text)
{
	char path[] = "/tmp/check_policy.XXXXXX", buf[600];
	struct pf_config *c = NULL;
	struct pf_err err;
	FILE *fp;
	int fd;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	fp = fdopen(fd, "w");
	fputs(text, fp);
	fclose(fp);
	memset(&err, 0, sizeof(err));
	ck_assert_msg(pf_config_load(path, &c, &err) == PF_OK, "%s",
	    pf_err_format(&err, buf, sizeof(buf)));
	unlink(path);
	return c;
}

static const char base[] =
    "Action * permanent tag\n"
    "Action * temporary accept\n"
    "Action example.com permanent hold\n"
    "Action example.com rule:dmarc-reject reject\n"
    "Action shop.example.com permanent accept\n"
    "Action example.net class:dns tempfail\n";

static const struct {
	const char	*label;
	const char	*extra;		/* config lines after base */
	const char	*from;		/* From domain, NULL = unknown */
	const char	*mail;		/* envelope sender */
	struct pf_rule	*rule[3];
	long		 google;	/* -1 = unknown */
	long		 rcpts;
	enum pf_action	 want;
	const char	*want_rule;	/* headline */
} rows[] = {
	{ "no prediction", "", "example.com",
	    "a@example.com", { NULL }, 1, 1, PF_A_ACCEPT, NULL },
	{ "no prediction, TagClean: verdict accept", "TagClean yes\n",
	    "example.com", "a@example.com", { NULL }, 1, 1, PF_A_TAG, NULL },
	{ "no prediction, TagClean, not to Gmail", "TagClean yes\n",
	    "example.com", "a@example.com", { NULL }, 0, 1, PF_A_ACCEPT,
	    NULL },
	{ "no prediction, TagClean, dry run", "TagClean yes\nDryRun yes\n",
	    "example.com", "a@example.com", { NULL }, 1, 1, PF_A_ACCEPT,
	    NULL },
	{ "default scope tags a permanent one", "", "other.org",
	    "a@other.org", { &r_subject }, 1, 1, PF_A_TAG, "subject-too-long" },
	{ "default scope accepts a temporary one", "", "other.org",
	    "a@other.org", { &r_temp }, 1, 1, PF_A_ACCEPT, "dkim-temperror" },
	{ "domain severity", "", "example.com", "a@other.org",
	    { &r_subject }, 1, 1, PF_A_HOLD, "subject-too-long" },
	{ "rule override beats severity", "", "example.com", "a@x.org",
	    { &r_subject, &r_dmarc }, 1, 1, PF_A_REJECT, "dmarc-reject" },
	{ "subdomain inherits", "", "mail.example.com", "", { &r_subject },
	    1, 1, PF_A_HOLD, "subject-too-long" },
	{ "more specific domain wins", "", "shop.example.com", "",
	    { &r_subject }, 1, 1, PF_A_ACCEPT, "subject-too-long" },
	{ "child scope beats a rule: line of the parent", "",
	    "shop.example.com",
	    "", { &r_dmarc }, 1, 1, PF_A_ACCEPT, "dmarc-reject" },
	{ "not a suffix match across labels", "", "badexample.com", "",
	    { &r_subject }, 1, 1, PF_A_TAG, "subject-too-long" },
	{ "class override", "", "example.net", "", { &r_temp }, 1, 1,
	    PF_A_TEMPFAIL, "dkim-temperror" },
	{ "envelope domain when From has no match", "", "other.org",
	    "bounce@example.com", { &r_subject }, 1, 1, PF_A_HOLD,
	    "subject-too-long" },
	{ "SenderDomain from ignores the envelope", "SenderDomain from\n",
	    "other.org", "bounce@example.com", { &r_subject }, 1, 1, PF_A_TAG,
	    "subject-too-long" },
	{ "SenderDomain envelope ignores From", "SenderDomain envelope\n",
	    "example.com", "bounce@other.org", { &r_subject }, 1, 1, PF_A_TAG,
	    "subject-too-long" },
	{ "no Gmail recipient", "", "example.com", "", { &r_dmarc }, 0, 2,
	    PF_A_ACCEPT, NULL },
	{ "unknown recipients count as Gmail", "", "example.com", "",
	    { &r_dmarc }, -1, 2, PF_A_REJECT, "dmarc-reject" },
	{ "unknown recipients as other", "UnknownRecipients other\n",
	    "example.com", "", { &r_dmarc }, -1, 2, PF_A_ACCEPT, NULL },
	{ "mixed recipients still reject", "", "example.com", "",
	    { &r_dmarc }, 1, 2, PF_A_REJECT, "dmarc-reject" },
	{ "mixed recipients, all-Gmail limit", "BlockOnlyAllGmail yes\n",
	    "example.com", "", { &r_dmarc }, 1, 2, PF_A_TAG, "dmarc-reject" },
	{ "all Gmail, all-Gmail limit", "BlockOnlyAllGmail yes\n",
	    "example.com", "", { &r_dmarc }, 2, 2, PF_A_REJECT,
	    "dmarc-reject" },
	{ "dry run", "DryRun yes\n", "example.com", "", { &r_dmarc }, 1, 1,
	    PF_A_ACCEPT, "dmarc-reject" },
	{ "later line wins a tie", "Action example.com permanent tag\n",
	    "example.com", "", { &r_subject }, 1, 1, PF_A_TAG,
	    "subject-too-long" },
	{ "headline is the first with the top action", "", "example.net",
	    "", { &r_subject, &r_temp, &r_dmarc }, 1, 1, PF_A_TEMPFAIL,
	    "dkim-temperror" },
	{ "no Action lines at all tags", NULL, "example.com", "",
	    { &r_dmarc }, 1, 1, PF_A_TAG, "dmarc-reject" },
	{ "confidence: beats severity",
	    "Action example.com confidence:medium tag\n", "example.com", "",
	    { &r_window }, 1, 1, PF_A_TAG, "low-ip-reputation" },
	{ "confidence: matches its own level only",
	    "Action example.com confidence:medium tag\n", "example.com", "",
	    { &r_guess, &r_subject }, 1, 1, PF_A_HOLD, "policy-prohibits" },
	{ "confidence: low", "Action example.com confidence:low accept\n",
	    "example.com", "", { &r_guess, &r_window }, 1, 1, PF_A_HOLD,
	    "low-ip-reputation" },
	{ "class: beats confidence:",
	    "Action other.org confidence:medium tag\n"
	    "Action other.org class:feedback reject\n", "other.org", "",
	    { &r_window }, 1, 1, PF_A_REJECT, "low-ip-reputation" },
	{ "rule: beats confidence:",
	    "Action other.org rule:low-ip-reputation accept\n"
	    "Action other.org confidence:medium reject\n", "other.org", "",
	    { &r_window }, 1, 1, PF_A_ACCEPT, "low-ip-reputation" },
};

START_TEST(test_decide)
{
	char text[1024];
	struct pf_config *c;
	struct pf_facts *f = pf_facts_new();
	struct pf_pred pred[3];
	struct pf_verdict v;
	struct pf_decision d;
	size_t i;

	snprintf(text, sizeof(text), "%s%s", rows[_i].extra ? base : "",
	    rows[_i].extra ? rows[_i].extra : "");
	c = policy(text);
	memset(&v, 0, sizeof(v));
	memset(pred, 0, sizeof(pred));
	for (i = 0; i < 3 && rows[_i].rule[i] != NULL; i++)
		pred[i].rule = rows[_i].rule[i];
	v.pred = pred;
	v.npred = i;
	if (rows[_i].from)
		pf_fact_strz(f, PF_F_FROM_DOMAIN, rows[_i].from);
	pf_fact_strz(f, PF_F_ENV_MAIL_FROM, rows[_i].mail);
	if (rows[_i].google >= 0)
		pf_fact_num(f, PF_F_RCPT_GOOGLE_COUNT, rows[_i].google);
	pf_fact_num(f, PF_F_ENV_RCPT_COUNT, rows[_i].rcpts);
	pf_policy_decide(c->policy, &v, f, &d);
	ck_assert_msg(d.action == rows[_i].want, "%s: got %s, want %s (%s)",
	    rows[_i].label, pf_action_name(d.action),
	    pf_action_name(rows[_i].want), d.reason);
	if (rows[_i].want_rule == NULL)
		ck_assert_ptr_null(d.pred);
	else {
		ck_assert_ptr_nonnull(d.pred);
		ck_assert_str_eq(d.pred->rule->id, rows[_i].want_rule);
	}
	pf_facts_free(f);
	pf_config_free(c);
}
END_TEST

START_TEST(test_dry_run_reason)
{
	struct pf_config *c = policy("Action * permanent reject\nDryRun yes\n");
	struct pf_facts *f = pf_facts_new();
	struct pf_pred p = { .rule = &r_dmarc };
	struct pf_verdict v = { .pred = &p, .npred = 1 };
	struct pf_decision d;

	pf_fact_num(f, PF_F_RCPT_GOOGLE_COUNT, 1);
	pf_policy_decide(c->policy, &v, f, &d);
	ck_assert_int_eq(d.action, PF_A_ACCEPT);
	ck_assert_int_eq(d.wanted, PF_A_REJECT);
	ck_assert_int_eq(d.would, PF_A_REJECT);
	ck_assert_str_eq(d.reason,
	    "dry run: reject by policy for dmarc-reject");
	pf_facts_free(f);
	pf_config_free(c);
}
END_TEST

START_TEST(test_check_rule_ids)
{
	struct pf_config *c = policy("\nAction * rule:subject-too-long hold\n"
	    "Action * rule:no-such-rule hold\n");
	struct pf_rule set[2] = { r_dmarc, r_subject };
	struct pf_rules rules = { .path = "gmail.rules", .rule = set,
		.nrule = 2 };
	struct pf_err err;
	char buf[600];

	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(pf_policy_check(c->policy, "p.conf", &rules, &err),
	    PF_ESYNTAX);
	ck_assert_str_eq(pf_err_format(&err, buf, sizeof(buf)),
	    "p.conf:3: Action: no rule \"no-such-rule\" in gmail.rules");
	rules.nrule = 2;
	pf_config_free(c);
	c = policy("Action * rule:dmarc-reject hold\n");
	ck_assert_int_eq(pf_policy_check(c->policy, "p.conf", &rules, &err),
	    PF_OK);
	pf_config_free(c);
}
END_TEST

START_TEST(test_envelope_stands_in)
{
	struct pf_config *c = policy("Action * permanent reject\n"
	    "UnknownRecipients other\nBlockOnlyAllGmail yes\n");
	struct pf_facts *f = pf_facts_new();
	struct pf_pred p = { .rule = &r_dmarc };
	struct pf_verdict v = { .pred = &p, .npred = 1 };
	struct pf_decision d;
	const char *other[] = { "bob@example.org" };
	const char *mixed[] = { "bob@example.org", "ann@GMail.com" };
	const char *all[] = { "ann@gmail.com", "joe@googlemail.com" };

	/* no rcpt.* facts: only the envelope tells */
	pf_policy_decide_rcpt(c->policy, &v, f, other, 1, &d);
	ck_assert_int_eq(d.action, PF_A_ACCEPT);
	ck_assert_int_eq(d.gmail, 0);
	pf_policy_decide_rcpt(c->policy, &v, f, mixed, 2, &d);
	ck_assert_int_eq(d.gmail, 1);
	ck_assert_int_eq(d.action, PF_A_TAG);
	ck_assert_int_eq(d.downgraded, 1);
	pf_policy_decide_rcpt(c->policy, &v, f, all, 2, &d);
	ck_assert_int_eq(d.action, PF_A_REJECT);
	/* known facts win over the envelope */
	pf_fact_num(f, PF_F_RCPT_GOOGLE_COUNT, 0);
	pf_policy_decide_rcpt(c->policy, &v, f, all, 2, &d);
	ck_assert_int_eq(d.action, PF_A_ACCEPT);
	pf_facts_free(f);
	pf_config_free(c);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(pf_action_name(PF_A_TEMPFAIL), "tempfail");
	ck_assert_int_eq(pf_action_parse("HOLD"), PF_A_HOLD);
	ck_assert_int_eq(pf_action_parse("discard"), -1);
	/* severity order: the message takes the most severe */
	ck_assert(PF_A_ACCEPT < PF_A_TAG && PF_A_TAG < PF_A_HOLD &&
	    PF_A_HOLD < PF_A_TEMPFAIL && PF_A_TEMPFAIL < PF_A_REJECT);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("policy");

	tcase_add_loop_test(tc, test_decide, 0, PF_NELEM(rows));
	tcase_add_test(tc, test_dry_run_reason);
	tcase_add_test(tc, test_check_rule_ids);
	tcase_add_test(tc, test_envelope_stands_in);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return pf_test_run(suite());
}
