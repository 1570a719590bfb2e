/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_facts.c - the fact registry and store.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "base/facts.h"
#include "lib/pftest.h"

static const struct {
	const char	*label;
	const char	*name;
	int		 want_found;
	enum pf_type	 type;
} lookup_rows[] = {
	{ "subject bytes is a number", "hdr.subject_bytes", 1, PF_T_NUM },
	{ "spf result is a string", "spf.result", 1, PF_T_STR },
	{ "dmarc pass is a boolean", "dmarc.pass", 1, PF_T_BOOL },
	{ "unknown name", "hdr.nope", 0, 0 },
	{ "prefix of a name", "hdr.subject", 0, 0 },
	{ "empty", "", 0, 0 },
};

START_TEST(test_lookup)
{
	int id = pf_fact_lookup(lookup_rows[_i].name,
	    strlen(lookup_rows[_i].name));

	ck_assert_msg((id >= 0) == lookup_rows[_i].want_found, "%s",
	    lookup_rows[_i].label);
	if (id >= 0) {
		ck_assert_int_eq(pf_fact_type(id), lookup_rows[_i].type);
		ck_assert_str_eq(pf_fact_name(id), lookup_rows[_i].name);
	}
}
END_TEST

START_TEST(test_names_unique)
{
	int i, j;

	for (i = 0; i < PF_F__COUNT; i++)
		for (j = i + 1; j < PF_F__COUNT; j++)
			ck_assert_str_ne(pf_fact_name(i), pf_fact_name(j));
}
END_TEST

START_TEST(test_store)
{
	struct pf_facts *f = pf_facts_new();

	ck_assert_ptr_nonnull(f);
	ck_assert(!pf_fact_known(f, PF_F_SPF_RESULT));
	ck_assert_str_eq(pf_fact_why(f, PF_F_SPF_RESULT), "not measured");
	ck_assert_int_eq(pf_fact_reason(f, PF_F_SPF_RESULT), PF_U_NOT_MEASURED);
	ck_assert_int_eq(pf_fact_strz(f, PF_F_SPF_RESULT, "pass"), PF_OK);
	ck_assert(pf_fact_known(f, PF_F_SPF_RESULT));
	ck_assert_str_eq(pf_fact_gets(f, PF_F_SPF_RESULT), "pass");
	ck_assert_int_eq(pf_fact_reason(f, PF_F_SPF_RESULT), PF_U_NONE);
	ck_assert_int_eq(pf_fact_unknown(f, PF_F_SPF_RESULT, PF_U_TIMEOUT,
	    "DNS timeout looking up TXT example.com"), PF_OK);
	ck_assert(!pf_fact_known(f, PF_F_SPF_RESULT));
	ck_assert_str_eq(pf_fact_why(f, PF_F_SPF_RESULT),
	    "DNS timeout looking up TXT example.com");
	ck_assert_int_eq(pf_fact_reason(f, PF_F_SPF_RESULT), PF_U_TIMEOUT);
	/* without a text, the reason's own */
	ck_assert_int_eq(pf_fact_unknown(f, PF_F_SPF_RESULT, PF_U_BUDGET,
	    NULL), PF_OK);
	ck_assert_str_eq(pf_fact_why(f, PF_F_SPF_RESULT),
	    "DNS time budget for the message spent");
	ck_assert(pf_undecided_ours(PF_U_BUDGET));
	ck_assert(!pf_undecided_ours(PF_U_SERVER_FAILURE));
	ck_assert_str_eq(pf_undecided_name(PF_U_SERVER_FAILURE),
	    "server-failure");
	pf_fact_num(f, PF_F_HDR_COUNT, 5001);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_HDR_COUNT), 5001);
	pf_facts_reset(f);
	ck_assert(!pf_fact_known(f, PF_F_HDR_COUNT));
	pf_facts_free(f);
}
END_TEST

/* texts for people: a run of facts with one text shares a copy; a text
 * taken from the store itself, or from a buffer reused after the call,
 * stays what it was */
START_TEST(test_why_texts)
{
	struct pf_facts *f = pf_facts_new();
	char buf[64];

	snprintf(buf, sizeof(buf), "State none");
	ck_assert_int_eq(pf_fact_unknown(f, PF_F_SPF_RESULT,
	    PF_U_NOT_CONFIGURED, buf), PF_OK);
	ck_assert_int_eq(pf_fact_unknown(f, PF_F_HDR_COUNT,
	    PF_U_NOT_CONFIGURED, buf), PF_OK);
	ck_assert_ptr_eq(pf_fact_why(f, PF_F_SPF_RESULT),
	    pf_fact_why(f, PF_F_HDR_COUNT));
	snprintf(buf, sizeof(buf), "changed");
	ck_assert_str_eq(pf_fact_why(f, PF_F_HDR_COUNT), "State none");
	/* the same fact again, with the text it already has */
	ck_assert_int_eq(pf_fact_unknown(f, PF_F_HDR_COUNT, PF_U_TIMEOUT,
	    pf_fact_why(f, PF_F_HDR_COUNT)), PF_OK);
	ck_assert_str_eq(pf_fact_why(f, PF_F_HDR_COUNT), "State none");
	ck_assert_int_eq(pf_fact_unknown(f, PF_F_HDR_COUNT, PF_U_TIMEOUT,
	    buf), PF_OK);
	ck_assert_str_eq(pf_fact_why(f, PF_F_HDR_COUNT), "changed");
	ck_assert_str_eq(pf_fact_why(f, PF_F_SPF_RESULT), "State none");
	/* known again: no text, and reset forgets them all */
	pf_fact_num(f, PF_F_HDR_COUNT, 1);
	ck_assert_int_eq(pf_fact_reason(f, PF_F_HDR_COUNT), PF_U_NONE);
	pf_facts_reset(f);
	ck_assert_str_eq(pf_fact_why(f, PF_F_SPF_RESULT), "not measured");
	ck_assert_int_eq(pf_fact_unknown(f, PF_F_SPF_RESULT, PF_U_TIMEOUT,
	    "again"), PF_OK);
	ck_assert_str_eq(pf_fact_why(f, PF_F_SPF_RESULT), "again");
	pf_facts_free(f);
}
END_TEST

/* several facts made unknown at once read as if made unknown one by
 * one, over values set before (a number, a string, another reason) */
START_TEST(test_unknown_many)
{
	static const int ids[] = { PF_F_SPF_RESULT, PF_F_HDR_COUNT,
	    PF_F_DKIM_PASS };
	struct pf_facts *one = pf_facts_new(), *many = pf_facts_new(), *f;
	int k, id, first = PF_F_STATE_RCPT_MINUTE;
	size_t i;

	for (k = 0; k < 2; k++) {
		f = k == 0 ? one : many;
		pf_fact_num(f, PF_F_HDR_COUNT, 7);
		pf_fact_strz(f, PF_F_SPF_RESULT, "pass");
		pf_fact_unknown(f, first + 1, PF_U_TIMEOUT, "slow");
	}
	for (i = 0; i < PF_NELEM(ids); i++)
		pf_fact_unknown(one, ids[i], PF_U_NO_DNS, "off");
	for (id = first; id <= first + 3; id++)
		pf_fact_unknown(one, id, PF_U_NOT_CONFIGURED, NULL);
	ck_assert_int_eq(pf_fact_unknown_ids(many, ids, PF_NELEM(ids),
	    PF_U_NO_DNS, "off"), PF_OK);
	ck_assert_int_eq(pf_fact_unknown_range(many, first, first + 3,
	    PF_U_NOT_CONFIGURED, NULL), PF_OK);
	for (id = 0; id < PF_F__COUNT; id++) {
		ck_assert_int_eq(pf_fact_known(one, id),
		    pf_fact_known(many, id));
		ck_assert_int_eq(pf_fact_getn(one, id), pf_fact_getn(many, id));
		ck_assert_str_eq(pf_fact_gets(one, id), pf_fact_gets(many, id));
		ck_assert_int_eq(pf_fact_reason(one, id),
		    pf_fact_reason(many, id));
		ck_assert_str_eq(pf_fact_why(one, id), pf_fact_why(many, id));
	}
	ck_assert_str_eq(pf_fact_why(many, PF_F_DKIM_PASS), "off");
	ck_assert_int_eq(pf_fact_reason(many, first + 1),
	    PF_U_NOT_CONFIGURED);
	pf_facts_free(one);
	pf_facts_free(many);
}
END_TEST

static const struct {
	const char	*in;
	int64_t		 min, max;
	int		 want;
	int64_t		 val;
} num_rows[] = {
	{ "0", 0, 10, PF_OK, 0 },
	{ "998", 0, 1000, PF_OK, 998 },
	{ "-5", -10, 10, PF_OK, -5 },
	{ "11", 0, 10, PF_ELIMIT, 0 },
	{ "9223372036854775808", 0, INT64_MAX, PF_ELIMIT, 0 },
	{ "12a", 0, 100, PF_ESYNTAX, 0 },
	{ "", 0, 100, PF_ESYNTAX, 0 },
	{ "-", -1, 100, PF_ESYNTAX, 0 },
};

START_TEST(test_strtonum)
{
	int64_t v = -1;
	int rc = pf_strtonum(num_rows[_i].in, strlen(num_rows[_i].in),
	    num_rows[_i].min, num_rows[_i].max, &v);

	ck_assert_int_eq(rc, num_rows[_i].want);
	if (rc == PF_OK)
		ck_assert_int_eq(v, num_rows[_i].val);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("facts");
	TCase *tc = pf_test_case(s, "core");

	tcase_add_loop_test(tc, test_lookup, 0, PF_NELEM(lookup_rows));
	tcase_add_test(tc, test_names_unique);
	tcase_add_test(tc, test_store);
	tcase_add_test(tc, test_why_texts);
	tcase_add_test(tc, test_unknown_many);
	tcase_add_loop_test(tc, test_strtonum, 0, PF_NELEM(num_rows));
	return pf_test_run(s);
}
