/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_rules.c - the rules loader's validation and the condition language.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/pf.h"
#include "base/facts.h"
#include "catalog/rules.h"
#include "catalog/verdict.h"
#include "lib/pftest.h"

#define HEAD "rule r1\n reply 552\n status 5.3.4\n text \"Too big {size}.\"\n" \
	" class content\n stage end-of-data\n whose message\n cause \"c\"\n" \
	" fix \"f\"\n url https://example.com/x\n"

/* write_tmp - the text into a temporary file; the path is static */
static const char *
write_tmp(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/check_rules.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static const struct {
	const char	*label;
	const char	*text;
	const char	*want;	/* NULL: loads; else the error after file: */
} load_rows[] = {
	{ "minimal rule", HEAD "end\n", NULL },
	{ "rule with condition",
	  "const lim = 998\n" HEAD " when hdr.subject_bytes > lim\n"
	  " detail \"{hdr.subject_bytes} > {lim}\"\n fill size=hdr.subject_bytes\nend\n",
	  NULL },
	{ "comments and blank lines",
	  "# top\n\n" HEAD " # inside\nend # after\n", NULL },
	{ "unknown fact", HEAD " when hdr.nope > 1\n detail \"x\"\nend\n",
	  "11: unknown fact or constant 'hdr.nope'" },
	{ "type mismatch", HEAD " when spf.result > 1\n detail \"x\"\nend\n",
	  "11: cannot compare a string with a number" },
	{ "ordering of strings", HEAD " when spf.result < \"a\"\n detail \"x\"\nend\n",
	  "11: ordering needs numbers, not a string" },
	{ "number as condition", HEAD " when hdr.count\n detail \"x\"\nend\n",
	  "11: 'when' needs a boolean, not a number" },
	{ "and of a number", HEAD " when dmarc.pass and 3\n detail \"x\"\nend\n",
	  "11: 'and' needs a boolean, not a number" },
	{ "unbalanced", HEAD " when (dmarc.pass\n detail \"x\"\nend\n",
	  "11: missing ')' in condition" },
	{ "trailing junk", HEAD " when dmarc.pass dmarc.pass\n detail \"x\"\nend\n",
	  "11: unexpected 'dmarc.pass' after condition" },
	{ "duplicate id", HEAD "end\n" HEAD "end\n",
	  "12: duplicate rule id 'r1'" },
	{ "missing end", HEAD, "10: rule 'r1' has no 'end'" },
	{ "unknown key", HEAD " colour red\nend\n", "11: unknown key 'colour'" },
	{ "bad class", "rule r2\n class weather\n", "2: unknown class 'weather'" },
	{ "bad stage", "rule r2\n stage lunch\n", "2: unknown stage 'lunch'" },
	{ "confidence low", HEAD " confidence low\nend\n", NULL },
	{ "confidence medium", HEAD " confidence medium\nend\n", NULL },
	{ "confidence high", HEAD " confidence high\nend\n", NULL },
	{ "bad confidence", HEAD " confidence certain\nend\n",
	  "11: confidence is low, medium or high" },
	{ "confidence in capitals", HEAD " confidence Medium\nend\n",
	  "11: confidence is low, medium or high" },
	{ "status mismatch",
	  "rule r2\n reply 452\n status 5.3.4\n text x\n class content\n"
	  " stage data\n whose message\n cause c\n fix f\n url u\nend\n",
	  "11: status class does not match the reply code" },
	{ "status as Google printed it, dated and explain-only",
	  "rule r2\n reply 454\n status 5.5.1\n text x\n class protocol\n"
	  " stage starttls\n whose smtp-client\n since 2023-03-06\n cause c\n"
	  " fix f\n url u\nend\n", NULL },
	{ "missing fix",
	  "rule r2\n reply 452\n status 4.3.4\n text x\n class content\n"
	  " stage data\n whose message\n cause c\n url u\nend\n",
	  "10: rule lacks 'fix'" },
	{ "when without detail", HEAD " when dmarc.pass\nend\n",
	  "12: a rule with 'when' needs a 'detail'" },
	{ "detail names unknown fact",
	  HEAD " when dmarc.pass\n detail \"{nope.x}\"\nend\n",
	  "13: unknown fact or constant '{nope.x}'" },
	{ "fill from unknown", HEAD " fill size=nope\nend\n",
	  "11: unknown fact or constant 'nope'" },
	{ "predicting rule with an unfilled placeholder",
	  HEAD " when dmarc.pass\n detail \"d\"\nend\n",
	  "13: placeholder '{size}' has no fill" },
	{ "bad id", "rule Bad_Id\n", "1: rule id must be [a-z0-9-]+" },
	{ "const reuses a fact", "const hdr.count = 3\n",
	  "1: const needs '= number'" },
	{ "const not a number", "const x = ten\n",
	  "1: const value must be a whole number" },
	{ "empty file", "# nothing\n", "1: no rules" },
	{ "stray key", "reply 550\n", "1: expected 'rule', 'const' or 'catalog'" },
};

START_TEST(test_load)
{
	const char *path = write_tmp(load_rows[_i].text);
	struct pf_rules *rs = NULL;
	struct pf_err err;
	char buf[700], want[700];
	int rc = pf_rules_load(path, &rs, &err);

	if (load_rows[_i].want == NULL) {
		ck_assert_msg(rc == PF_OK, "%s: %s", load_rows[_i].label,
		    pf_err_format(&err, buf, sizeof(buf)));
		ck_assert_ptr_nonnull(rs);
	} else {
		ck_assert_msg(rc != PF_OK, "%s loaded", load_rows[_i].label);
		ck_assert_ptr_null(rs);
		snprintf(want, sizeof(want), "%s:%s", path,
		    load_rows[_i].want);
		ck_assert_str_eq(pf_err_format(&err, buf, sizeof(buf)), want);
	}
	pf_rules_free(rs);
	unlink(path);
}
END_TEST

/* conditions against facts: 1 = predicted, 0 = not, -1 = unknown */
static const struct {
	const char	*label;
	const char	*when;
	int		 want;
} eval_rows[] = {
	{ "over the limit", "hdr.subject_bytes > 998", 1 },
	{ "at the limit", "hdr.subject_bytes > 999", 0 },
	{ "equal string", "spf.result == \"fail\"", 1 },
	{ "unequal string", "spf.result != \"fail\"", 0 },
	{ "unknown fact", "dmarc.pass", -1 },
	{ "not unknown", "not dmarc.pass", -1 },
	{ "false and unknown", "hdr.count > 100 and dmarc.pass", 0 },
	{ "unknown and false", "dmarc.pass and hdr.count > 100", 0 },
	{ "true or unknown", "dmarc.pass or hdr.count == 3", 1 },
	{ "true and unknown", "hdr.count == 3 and dmarc.pass", -1 },
	{ "boolean literal", "true and not false", 1 },
	{ "precedence", "hdr.count == 3 or hdr.count == 1 and env.smtputf8", 1 },
	{ "parentheses", "(hdr.count == 3 or hdr.count == 1) and env.smtputf8", 0 },
	{ "boolean fact", "env.smtputf8", 0 },
	{ "boolean equality", "env.smtputf8 == false", 1 },
};

START_TEST(test_eval)
{
	char text[1024];
	const char *path;
	struct pf_rules *rs = NULL;
	struct pf_verdict v;
	struct pf_facts *f = pf_facts_new();
	struct pf_err err;
	char buf[700];

	snprintf(text, sizeof(text), HEAD " when %s\n detail \"d {hdr.count}\"\n"
	    " fill size=hdr.subject_bytes\nend\n", eval_rows[_i].when);
	path = write_tmp(text);
	ck_assert_msg(pf_rules_load(path, &rs, &err) == PF_OK, "%s",
	    pf_err_format(&err, buf, sizeof(buf)));
	pf_fact_num(f, PF_F_HDR_SUBJECT_BYTES, 999);
	pf_fact_num(f, PF_F_HDR_COUNT, 3);
	pf_fact_strz(f, PF_F_SPF_RESULT, "fail");
	pf_fact_bool(f, PF_F_ENV_SMTPUTF8, 0);
	pf_fact_unknown(f, PF_F_DMARC_PASS, PF_U_NO_DNS, "DNS disabled");
	ck_assert_int_eq(pf_rules_eval(rs, f, &v), PF_OK);
	switch (eval_rows[_i].want) {
	case 1:
		ck_assert_msg(v.npred == 1 && v.nunk == 0, "%s",
		    eval_rows[_i].label);
		ck_assert_str_eq(v.pred[0].text, "Too big 999.");
		ck_assert_str_eq(v.pred[0].detail, "d 3");
		ck_assert_int_eq(v.kind, PF_V_REJECT);
		break;
	case 0:
		ck_assert_msg(v.npred == 0 && v.nunk == 0, "%s",
		    eval_rows[_i].label);
		ck_assert_int_eq(v.kind, PF_V_ACCEPT);
		break;
	default:
		ck_assert_msg(v.npred == 0 && v.nunk == 1, "%s",
		    eval_rows[_i].label);
		ck_assert_str_eq(v.unk[0].why, "dmarc.pass: DNS disabled");
		ck_assert_int_eq(v.unk[0].reason, PF_U_NO_DNS);
		ck_assert_int_eq(v.unk[0].fact, PF_F_DMARC_PASS);
		ck_assert_uint_eq(pf_verdict_undecided(&v, PF_U_NO_DNS), 1);
		ck_assert_uint_eq(pf_verdict_undecided(&v, PF_U_BUDGET), 0);
	}
	pf_verdict_reset(&v);
	pf_rules_free(rs);
	pf_facts_free(f);
	unlink(path);
}
END_TEST

START_TEST(test_order)
{
	const char *path = write_tmp(
	    "rule late\n reply 452\n status 4.5.3\n text t\n class content\n"
	    " stage end-of-data\n whose message\n cause c\n fix f\n url u\n"
	    " when true\n detail d\nend\n"
	    "rule early\n reply 553\n status 5.1.7\n text t\n class content\n"
	    " stage mail\n whose message\n cause c\n fix f\n url u\n"
	    " when true\n detail d\nend\n"
	    "rule perm\n reply 552\n status 5.3.4\n text t\n class content\n"
	    " stage end-of-data\n whose message\n cause c\n fix f\n url u\n"
	    " when true\n detail d\nend\n");
	struct pf_rules *rs;
	struct pf_verdict v;
	struct pf_facts *f = pf_facts_new();
	struct pf_err err;

	ck_assert_int_eq(pf_rules_load(path, &rs, &err), PF_OK);
	ck_assert_int_eq(pf_rules_eval(rs, f, &v), PF_OK);
	ck_assert_int_eq(v.npred, 3);
	ck_assert_str_eq(v.pred[0].rule->id, "early");
	ck_assert_str_eq(v.pred[1].rule->id, "perm");
	ck_assert_str_eq(v.pred[2].rule->id, "late");
	ck_assert_int_eq(v.kind, PF_V_REJECT);
	pf_verdict_reset(&v);
	pf_rules_free(rs);
	pf_facts_free(f);
	unlink(path);
}
END_TEST

/* one rule per level, in the file in no particular order; each predicts */
#define CONF_RULE(id, reply, status, conf) \
	"rule " id "\n reply " reply "\n status " status "\n text t\n" \
	" class feedback\n stage rcpt\n whose recipient\n cause c\n fix f\n" \
	" url u\n when true\n detail d\n" conf "end\n"

/* the three levels are ordered low < medium < high; each is kept by
 * pf_verdict_min_confidence at its own level and below, and the verdict's
 * kind follows what is kept */
START_TEST(test_confidence)
{
	const char *path = write_tmp(
	    CONF_RULE("sure", "450", "4.2.1", "")
	    CONF_RULE("window", "550", "5.7.1", " confidence medium\n")
	    CONF_RULE("guess", "550", "5.7.26", " confidence low\n"));
	static const struct {
		enum pf_confidence	 min;
		const char		*kept;
		enum pf_verdict_kind	 kind;
	} rows[] = {
		{ PF_CONF_LOW, "window guess sure ", PF_V_REJECT },
		{ PF_CONF_MEDIUM, "window sure ", PF_V_REJECT },
		{ PF_CONF_HIGH, "sure ", PF_V_TEMPFAIL },
	};
	struct pf_rules *rs;
	struct pf_verdict v;
	struct pf_facts *f = pf_facts_new();
	struct pf_err err;
	char kept[64];
	size_t i, k, used;

	ck_assert(PF_CONF_LOW < PF_CONF_MEDIUM &&
	    PF_CONF_MEDIUM < PF_CONF_HIGH);
	ck_assert_int_eq(pf_confidence_parse("low"), PF_CONF_LOW);
	ck_assert_int_eq(pf_confidence_parse("medium"), PF_CONF_MEDIUM);
	ck_assert_int_eq(pf_confidence_parse("high"), PF_CONF_HIGH);
	ck_assert_int_eq(pf_confidence_parse("certain"), -1);
	ck_assert_int_eq(pf_confidence_parse(""), -1);
	ck_assert_str_eq(pf_confidence_name(PF_CONF_MEDIUM), "medium");
	ck_assert_int_eq(pf_rules_load(path, &rs, &err), PF_OK);
	ck_assert_int_eq(pf_rules_find(rs, "sure")->confidence, PF_CONF_HIGH);
	ck_assert_int_eq(pf_rules_find(rs, "window")->confidence,
	    PF_CONF_MEDIUM);
	ck_assert_int_eq(pf_rules_find(rs, "guess")->confidence, PF_CONF_LOW);
	for (i = 0; i < PF_NELEM(rows); i++) {
		memset(&v, 0, sizeof(v));
		ck_assert_int_eq(pf_rules_eval(rs, f, &v), PF_OK);
		ck_assert_int_eq(v.npred, 3);
		pf_verdict_min_confidence(&v, rows[i].min);
		kept[0] = '\0';
		for (k = 0, used = 0; k < v.npred; k++)
			used += (size_t)snprintf(kept + used,
			    sizeof(kept) - used, "%s ", v.pred[k].rule->id);
		ck_assert_str_eq(kept, rows[i].kept);
		ck_assert_int_eq(v.kind, rows[i].kind);
		pf_verdict_reset(&v);
	}
	pf_rules_free(rs);
	pf_facts_free(f);
	unlink(path);
}
END_TEST

START_TEST(test_missing_file)
{
	struct pf_rules *rs;
	struct pf_err err;

	ck_assert_int_eq(pf_rules_load("/nonexistent/x.rules", &rs, &err),
	    PF_EIO);
	ck_assert_str_eq(err.file, "/nonexistent/x.rules");
}
END_TEST

/* the shipped catalog must always load */
START_TEST(test_catalog_loads)
{
	struct pf_rules *rs = pf_test_rules();

	ck_assert_uint_gt(rs->nrule, 0);
	pf_rules_free(rs);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = pf_test_case(s, "core");

	tcase_add_loop_test(tc, test_load, 0, PF_NELEM(load_rows));
	tcase_add_loop_test(tc, test_eval, 0, PF_NELEM(eval_rows));
	tcase_add_test(tc, test_order);
	tcase_add_test(tc, test_confidence);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_catalog_loads);
	return pf_test_run(s);
}
