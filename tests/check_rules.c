/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_rules.c - the rules loader's validation and the condition language.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/pf.h"
#include "base/facts.h"
#include "catalog/expr.h"
#include "catalog/rules.h"
#include "catalog/tmpl.h"
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

/*
 * Conditions at random against a reference: Kleene's three-valued logic,
 * written out as truth tables over T, F and U (unknown).  Each atom has a
 * known outcome under the facts set in test_eval_random; a condition is
 * built from them with and, or (chains of two or three), not and
 * parentheses, its value found by the tables as it is built, and
 * pf_expr_eval must agree.  The seed is fixed.
 */
enum { F3, T3, U3 };
static const int and3[3][3] = { /* F T U */
	/* F */ { F3, F3, F3 },
	/* T */ { F3, T3, U3 },
	/* U */ { F3, U3, U3 } };
static const int or3[3][3] = {
	/* F */ { F3, T3, U3 },
	/* T */ { T3, T3, T3 },
	/* U */ { U3, T3, U3 } };
static const int not3[3] = { T3, F3, U3 };

static const struct {
	const char	*text;
	int		 val;
} atoms[] = {
	{ "true", T3 }, { "false", F3 },
	{ "env.smtputf8", F3 }, { "not env.smtputf8", T3 },
	{ "hdr.count == 3", T3 }, { "hdr.count > 3", F3 },
	{ "spf.result == \"fail\"", T3 }, { "spf.result != \"fail\"", F3 },
	{ "dmarc.pass", U3 }, { "hdr.subject_bytes > 5", U3 },
};

static uint32_t rnd_state = 12345;

/* rnd - the next of a fixed sequence (xorshift32), below n */
static unsigned
rnd(unsigned n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state % n;
}

/* random_cond - a condition of at most depth levels appended to b; its
 * value by the tables */
static int
random_cond(char *b, size_t size, int depth)
{
	size_t at = strlen(b);
	unsigned n, pick = depth > 0 ? rnd(4) : 0;
	int l, r;

	switch (pick) {
	case 0:
		pick = rnd(PF_NELEM(atoms));
		snprintf(b + at, size - at, "%s", atoms[pick].text);
		return atoms[pick].val;
	case 1:
		snprintf(b + at, size - at, "not (");
		l = random_cond(b, size, depth - 1);
		strncat(b, ")", size - strlen(b) - 1);
		return not3[l];
	default:	/* a chain of two or three: "(A and B and C)" */
		strncat(b, "(", size - strlen(b) - 1);
		l = random_cond(b, size, depth - 1);
		for (n = 2 + rnd(2); n > 1; n--) {
			strncat(b, pick == 2 ? " and " : " or ",
			    size - strlen(b) - 1);
			r = random_cond(b, size, depth - 1);
			l = pick == 2 ? and3[l][r] : or3[l][r];
		}
		strncat(b, ")", size - strlen(b) - 1);
		return l;
	}
}

START_TEST(test_eval_random)
{
	static const int want[3] = { 0, 1, -1 };	/* F3 T3 U3 */
	struct pf_facts *f = pf_facts_new();
	struct pf_expr *e;
	char cond[32768], err[256];
	int i, v, why, seen[3] = { 0, 0, 0 };

	pf_fact_num(f, PF_F_HDR_COUNT, 3);
	pf_fact_strz(f, PF_F_SPF_RESULT, "fail");
	pf_fact_bool(f, PF_F_ENV_SMTPUTF8, 0);
	pf_fact_unknown(f, PF_F_DMARC_PASS, PF_U_NO_DNS, "DNS disabled");
	for (i = 0; i < 5000; i++) {
		cond[0] = '\0';
		v = random_cond(cond, sizeof(cond), 1 + i % 6);
		e = pf_expr_compile(cond, strlen(cond), NULL, NULL, err,
		    sizeof(err));
		ck_assert_msg(e != NULL, "%s: %s", cond, err);
		why = -1;
		ck_assert_msg(pf_expr_eval(e, f, &why) == want[v],
		    "%s: not %d", cond, want[v]);
		if (v == U3)
			ck_assert_msg(why == PF_F_DMARC_PASS ||
			    why == PF_F_HDR_SUBJECT_BYTES, "%s: why %d", cond,
			    why);
		seen[v]++;
		pf_expr_free(e);
	}
	ck_assert(seen[F3] > 500 && seen[T3] > 500 && seen[U3] > 500);
	pf_facts_free(f);
}
END_TEST

/*
 * Compiled templates.  A rule's text and detail are compiled when the file
 * is loaded (tmpl.c); pf_rules_fill on any other string reads it afresh.
 * Both must give the same bytes for every template under any facts.
 */

/* the fact-value sets: how fact id of set k is given (k < NSETS) */
#define NSETS	7
static char long_str[5000];

/* set_fact - fact id as set k has it */
static void
set_fact(struct pf_facts *f, int id, int k)
{
	static const int64_t nums[] = { 0, INT64_MAX, INT64_MIN, -1, 998 };

	if (k == 0 || (k == 6 && id % 3 == 0)) {
		if (k == 6)
			pf_fact_unknown(f, id, PF_U_NO_DNS, "DNS disabled");
		return;
	}
	switch (pf_fact_type(id)) {
	case PF_T_STR:
		ck_assert_int_eq(pf_fact_strz(f, id, k == 2 ? "" : k == 3 ?
		    long_str : k == 4 ? "{hdr.count}}{" : "x.example"), PF_OK);
		break;
	case PF_T_BOOL:
		ck_assert_int_eq(pf_fact_bool(f, id, (id + k) % 2), PF_OK);
		break;
	default:
		ck_assert_int_eq(pf_fact_num(f, id,
		    nums[(id + k) % PF_NELEM(nums)]), PF_OK);
	}
}

/* same_fill - the compiled template c of t equals the general reading */
static void
same_fill(const struct pf_rules *rs, const struct pf_rule *r,
    const char *t, const struct pf_tmpl *c, const struct pf_facts *f, int k)
{
	char *copy, *want, *got;

	if (t == NULL)
		return;
	ck_assert_msg(c != NULL, "%s: not compiled", r->id);
	/* a copy is not the rule's own text: read afresh, not compiled */
	ck_assert_ptr_nonnull(copy = strdup(t));
	ck_assert_ptr_nonnull(want = pf_rules_fill(rs, r, copy, f));
	ck_assert_ptr_nonnull(got = pf_tmpl_fill(c, f));
	ck_assert_msg(strcmp(got, want) == 0,
	    "%s, set %d: compiled \"%.200s\" != \"%.200s\"", r->id, k, got,
	    want);
	free(got);
	free(want);
	free(copy);
}

/* every_rule - each text and detail of a predicting rule of rs (those
 * are compiled; the others are only read by explain) under every set */
static void
every_rule(const struct pf_rules *rs)
{
	struct pf_facts *f;
	size_t i, n = 0;
	int k, id;

	memset(long_str, 'a', sizeof(long_str) - 1);
	long_str[100] = '{';
	long_str[4000] = '}';
	for (k = 0; k < NSETS; k++) {
		ck_assert_ptr_nonnull(f = pf_facts_new());
		for (id = 0; id < PF_F__COUNT; id++)
			set_fact(f, id, k);
		for (i = 0; i < rs->nrule; i++) {
			const struct pf_rule *r = &rs->rule[i];

			if (r->when == NULL)
				continue;
			ck_assert_ptr_nonnull(r->detail);
			same_fill(rs, r, r->text, r->ctext, f, k);
			same_fill(rs, r, r->detail, r->cdetail, f, k);
			n++;
		}
		pf_facts_free(f);
	}
	ck_assert_uint_gt(n, 0);
}

/* the bundled catalog: every text and detail */
START_TEST(test_tmpl_catalog)
{
	struct pf_rules *rs = pf_test_rules();

	every_rule(rs);
	pf_rules_free(rs);
}
END_TEST

/* the corners of the reading that the catalog may not have: a constant,
 * a fill from a fact and one from a constant, placeholders side by side,
 * at both ends, a stray '}', a template with none */
START_TEST(test_tmpl_corners)
{
	const char *path = write_tmp("const lim = 42\n"
	    "rule r1\n reply 552\n status 5.3.4\n"
	    " text \"{size} {lim}}{hdr.count}{alias}\"\n"
	    " class content\n stage end-of-data\n whose message\n cause c\n"
	    " fix f\n url u\n when hdr.count > lim\n"
	    " detail \"{lim}{hdr.subject_bytes} {env.smtputf8} }{spf.result}\"\n"
	    " fill size=hdr.subject_bytes\n fill alias=lim\nend\n"
	    "rule r2\n reply 452\n status 4.5.3\n text plain\n class content\n"
	    " stage end-of-data\n whose message\n cause c\n fix f\n url u\n"
	    " when true\n detail \"\"\nend\n");
	struct pf_rules *rs = NULL;
	struct pf_err err;
	char buf[700];

	ck_assert_msg(pf_rules_load(path, &rs, &err) == PF_OK, "%s",
	    pf_err_format(&err, buf, sizeof(buf)));
	every_rule(rs);
	pf_rules_free(rs);
	unlink(path);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = pf_test_case(s, "core");

	tcase_add_loop_test(tc, test_load, 0, PF_NELEM(load_rows));
	tcase_add_loop_test(tc, test_eval, 0, PF_NELEM(eval_rows));
	tcase_add_test(tc, test_eval_random);
	tcase_add_test(tc, test_order);
	tcase_add_test(tc, test_confidence);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_catalog_loads);
	tcase_add_test(tc, test_tmpl_catalog);
	tcase_add_test(tc, test_tmpl_corners);
	return pf_test_run(s);
}
