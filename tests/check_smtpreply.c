/*
 * check_reply.c - text the daemon gives the MTA and its log: SMTP reply
 * text (printable ASCII, '%' doubled, bounded), the X-Preflight-Prediction
 * grammar, log escaping, and which header names are ours.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "smtpreply.h"
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

	n = pf_reply_clean(out, clean_rows[_i].max, clean_rows[_i].in,
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
	.fix = "Publish SPF and DKIM that align with the From domain." };

START_TEST(test_reply_text)
{
	struct pf_pred p = { .rule = &rule, .text = "Unauthenticated email "
		"from example.com is not accepted due to domain's DMARC "
		"policy. 100% sure\r\n" };
	char out[PF_REPLY_MAX + 1];

	pf_reply_text(out, sizeof(out), &p);
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
	n = pf_reply_text(out, sizeof(out), &p);
	ck_assert_uint_lt(n, PF_REPLY_MAX);
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
	char out[PF_HDRVAL_MAX + 64];

	pf_reply_prediction(out, sizeof(out), &p);
	ck_assert_str_eq(out, " 550 5.7.26 dmarc-reject; Bad thing; here");
	p.text = NULL;
	pf_reply_prediction(out, sizeof(out), &p);
	ck_assert_str_eq(out, " 550 5.7.26 dmarc-reject; Unauthenticated "
	    "email from {domain-name} is not accepted due to domain's DMARC "
	    "policy.");
}
END_TEST

START_TEST(test_prediction_bounded)
{
	char big[5000], out[PF_HDRVAL_MAX + 64];
	struct pf_pred p = { .rule = &rule, .text = big };

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	pf_reply_prediction(out, sizeof(out), &p);
	ck_assert_uint_lt(strlen(out), PF_HDRVAL_MAX + 64);
	ck_assert_ptr_nonnull(strstr(out, "x..."));
}
END_TEST

START_TEST(test_logesc)
{
	char out[32];

	pf_reply_logesc(out, sizeof(out), "a\"b\\c\n\xff", 7);
	ck_assert_str_eq(out, "a\\\"b\\\\c\\x0a\\xff");
	pf_reply_logesc(out, 8, "abcdefghijkl", 12);
	ck_assert_str_eq(out, "abcdefg");
	pf_reply_logesc(out, 6, "ab\x01", 3);
	ck_assert_str_eq(out, "ab");	/* no half escape */
}
END_TEST

START_TEST(test_ours)
{
	ck_assert(pf_reply_is_ours("X-Preflight-Verdict"));
	ck_assert(pf_reply_is_ours("x-preflight-prediction"));
	ck_assert(pf_reply_is_ours("X-PREFLIGHT-Anything"));
	ck_assert(!pf_reply_is_ours("X-Preflightish"));
	ck_assert(!pf_reply_is_ours("Subject"));
	ck_assert(!pf_reply_is_ours(NULL));
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("reply");
	TCase *tc = tcase_create("reply");

	tcase_add_loop_test(tc, test_clean, 0, PF_NELEM(clean_rows));
	tcase_add_test(tc, test_reply_text);
	tcase_add_test(tc, test_reply_text_bounded);
	tcase_add_test(tc, test_prediction_grammar);
	tcase_add_test(tc, test_prediction_bounded);
	tcase_add_test(tc, test_logesc);
	tcase_add_test(tc, test_ours);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return pf_test_run(suite());
}
