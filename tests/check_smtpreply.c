/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_smtpreply.c - what an action gives the MTA and its log: the class
 * and codes of a refusal (a predicted 4xx stays 4xx), SMTP reply
 * text (printable ASCII, '%' doubled, bounded), the X-Preflight-Prediction
 * grammar, log escaping, and which header names are ours.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "config/smtpreply.h"
#include "lib/pftest.h"

static const struct {
	const char	*label;
	const char	*in;
	size_t		 max;
	int		 pct;
	const char	*want;
} clean_rows[] = {
	{ "plain", "hello world", 64, 1, "hello world" },
	{ "percent doubled", "100% sure", 64, 1, "100%% sure" },
	{ "percent kept for headers", "100% sure", 64, 0, "100% sure" },
	{ "controls and 8-bit", "a\x01" "b\xc3\xa9" "c", 64, 0, "a?b??c" },
	{ "line ends become one space", "a\r\n\tb  \n c", 64, 0, "a b c" },
	{ "leading and trailing blanks", "  a  ", 64, 0, "a" },
	{ "cut with ellipsis", "abcdefghijklmnop", 11, 0, "abcdefg..." },
	{ "exact fit is not cut", "abcdefghij", 11, 0, "abcdefghij" },
	{ "never splits a doubled percent", "abcdef%%%%%%", 12, 1,
	    "abcdef%%..." },
	{ "tiny buffer", "abcdef", 3, 0, "ab" },
	{ "null", NULL, 8, 0, "" },
};

START_TEST(test_clean)
{
	char out[256];
	size_t n;

	n = pf_smtp_clean(out, clean_rows[_i].max, clean_rows[_i].in,
	    clean_rows[_i].pct);
	ck_assert_msg(strcmp(out, clean_rows[_i].want) == 0,
	    "%s: got \"%s\"", clean_rows[_i].label, out);
	ck_assert_uint_eq(n, strlen(out));
	ck_assert_uint_lt(n, clean_rows[_i].max);
}
END_TEST

static struct pf_rule rule = { .id = "dmarc-reject", .reply = 550,
	.status = "5.7.26", .text = "Unauthenticated email from {domain-name} "
	"is not accepted due to domain's DMARC policy.",
	.fix = "Publish SPF and DKIM that align with the From domain.",
	.confidence = PF_CONF_HIGH };

START_TEST(test_reply_text)
{
	struct pf_pred p = { .rule = &rule, .text = "Unauthenticated email "
		"from example.com is not accepted due to domain's DMARC "
		"policy. 100% sure\r\n" };
	char out[PF_SMTP_REPLY_MAX + 1];

	pf_smtp_text(out, sizeof(out), &p);
	ck_assert_str_eq(out, "preflight: Gmail would answer 550 5.7.26 "
	    "(dmarc-reject): Unauthenticated email from example.com is not "
	    "accepted due to domain's DMARC policy. 100%% sure Fix: Publish "
	    "SPF and DKIM that align with the From domain.");
}
END_TEST

START_TEST(test_reply_text_bounded)
{
	char *big = malloc(100000), out[2000];
	struct pf_pred p = { .rule = &rule };
	size_t i, n;

	for (i = 0; i < 99999; i++)
		big[i] = i % 3 == 0 ? '%' : (char)(0x80 | (i & 0x7f));
	big[99999] = '\0';
	p.text = big;
	n = pf_smtp_text(out, sizeof(out), &p);
	ck_assert_uint_lt(n, PF_SMTP_REPLY_MAX);
	for (i = 0; i < n; i++)
		ck_assert(out[i] >= 0x20 && out[i] < 0x7f);
	/* every '%' run is even: smfi_setreply sees no format directive */
	for (i = 0; i < n; i++)
		if (out[i] == '%') {
			ck_assert_int_eq(out[i + 1], '%');
			i++;
		}
	free(big);
}
END_TEST

START_TEST(test_prediction_grammar)
{
	struct pf_pred p = { .rule = &rule, .text = "Bad\r\n  thing; here" };
	char out[PF_SMTP_HDRVAL_MAX + 64];

	pf_smtp_prediction(out, sizeof(out), &p);
	ck_assert_str_eq(out, " 550 5.7.26 dmarc-reject; confidence=high; "
	    "Bad thing; here");
	p.text = NULL;
	pf_smtp_prediction(out, sizeof(out), &p);
	ck_assert_str_eq(out, " 550 5.7.26 dmarc-reject; confidence=high; "
	    "Unauthenticated email from {domain-name} is not accepted due to "
	    "domain's DMARC policy.");
	/* every level by name, medium between the two others */
	rule.confidence = PF_CONF_MEDIUM;
	pf_smtp_prediction(out, sizeof(out), &p);
	ck_assert_ptr_nonnull(strstr(out, " dmarc-reject; confidence=medium; "));
	rule.confidence = PF_CONF_LOW;
	pf_smtp_prediction(out, sizeof(out), &p);
	ck_assert_ptr_nonnull(strstr(out, " dmarc-reject; confidence=low; "));
	rule.confidence = PF_CONF_HIGH;
}
END_TEST

START_TEST(test_prediction_bounded)
{
	char big[5000], out[PF_SMTP_HDRVAL_MAX + 64];
	struct pf_pred p = { .rule = &rule, .text = big };

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	pf_smtp_prediction(out, sizeof(out), &p);
	ck_assert_uint_lt(strlen(out), PF_SMTP_HDRVAL_MAX + 64);
	ck_assert_ptr_nonnull(strstr(out, "x..."));
}
END_TEST

START_TEST(test_logesc)
{
	char out[32];

	pf_smtp_logesc(out, sizeof(out), "a\"b\\c\n\xff", 7);
	ck_assert_str_eq(out, "a\\\"b\\\\c\\x0a\\xff");
	pf_smtp_logesc(out, 8, "abcdefghijkl", 12);
	ck_assert_str_eq(out, "abcdefg");
	pf_smtp_logesc(out, 6, "ab\x01", 3);
	ck_assert_str_eq(out, "ab");	/* no half escape */
}
END_TEST

/* the class of a refusal, and its codes moved to that class */
static const struct {
	const char	*label;
	enum pf_action	 action;
	int		 reply;
	const char	*status;
	int		 cls;
	const char	*rc, *xc;
} refuse_rows[] = {
	{ "reject a 5xx", PF_A_REJECT, 550, "5.7.26", 5, "550", "5.7.26" },
	{ "reject a 4xx stays 4xx", PF_A_REJECT, 421, "4.7.28", 4, "421",
	  "4.7.28" },
	{ "tempfail a 5xx", PF_A_TEMPFAIL, 550, "5.7.26", 4, "451",
	  "4.7.26" },
	{ "tempfail a 4xx", PF_A_TEMPFAIL, 452, "4.2.2", 4, "452", "4.2.2" },
	{ "status without a dot", PF_A_TEMPFAIL, 554, "5", 4, "451",
	  "4.7.0" },
	{ "accept refuses nothing", PF_A_ACCEPT, 550, "5.7.1", 0, NULL,
	  NULL },
	{ "tag refuses nothing", PF_A_TAG, 550, "5.7.1", 0, NULL, NULL },
	{ "hold refuses nothing", PF_A_HOLD, 550, "5.7.1", 0, NULL, NULL },
};

START_TEST(test_refuse)
{
	struct pf_rule r = { .id = "x", .reply = refuse_rows[_i].reply };
	struct pf_pred p = { .rule = &r };
	char rc[8], xc[24];
	int cls;

	snprintf(r.status, sizeof(r.status), "%s", refuse_rows[_i].status);
	cls = pf_smtp_class(refuse_rows[_i].action, &p);

	ck_assert_msg(cls == refuse_rows[_i].cls, "%s: class %d",
	    refuse_rows[_i].label, cls);
	if (cls == 0)
		return;
	pf_smtp_codes(&p, cls, rc, sizeof(rc), xc, sizeof(xc));
	ck_assert_str_eq(rc, refuse_rows[_i].rc);
	ck_assert_str_eq(xc, refuse_rows[_i].xc);
}
END_TEST

START_TEST(test_ours)
{
	ck_assert(pf_smtp_is_ours("X-Preflight-Verdict"));
	ck_assert(pf_smtp_is_ours("x-preflight-prediction"));
	ck_assert(pf_smtp_is_ours("X-PREFLIGHT-Anything"));
	ck_assert(!pf_smtp_is_ours("X-Preflightish"));
	ck_assert(!pf_smtp_is_ours("Subject"));
	ck_assert(!pf_smtp_is_ours(NULL));
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("smtpreply");
	TCase *tc = tcase_create("smtpreply");

	tcase_add_loop_test(tc, test_clean, 0, PF_NELEM(clean_rows));
	tcase_add_test(tc, test_reply_text);
	tcase_add_test(tc, test_reply_text_bounded);
	tcase_add_test(tc, test_prediction_grammar);
	tcase_add_test(tc, test_prediction_bounded);
	tcase_add_test(tc, test_logesc);
	tcase_add_test(tc, test_ours);
	tcase_add_loop_test(tc, test_refuse, 0, PF_NELEM(refuse_rows));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return pf_test_run(suite());
}
