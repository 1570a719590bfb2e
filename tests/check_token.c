/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_token.c - the RFC 5322 / RFC 2047 tokens of message/tok822.c:
 * comments (nested, quoted-pairs, unterminated), quoted-strings, domain
 * literals, CFWS, finding a character at the top level, dot-atoms, the
 * strict quoted-string and literal forms, encoded-word detection, and
 * the limits: deep nesting and long hostile inputs in linear time.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "message/tok822.h"
#include "lib/pftest.h"

/* one delimited scan: the scanner, its input (starting at the opening
 * delimiter for the first three), the result, where it ends */
enum scanner { COMMENT, QUOTED, LITERAL, CFWS };

static const struct scan_row {
	const char	*label;
	enum scanner	 fn;
	const char	*in;
	enum pf_tok_rc	 rc;
	int		 end;	/* offset of *end; -1: the end of input */
} scan_rows[] = {
	{ "comment", COMMENT, "(a b) c", PF_TOK_OK, 5 },
	{ "empty comment", COMMENT, "()x", PF_TOK_OK, 2 },
	{ "nested comment", COMMENT, "(a (b (c)) d) e", PF_TOK_OK, 13 },
	{ "escaped close", COMMENT, "(a \\) b) c", PF_TOK_OK, 8 },
	{ "escaped open", COMMENT, "(a \\( b) c", PF_TOK_OK, 8 },
	{ "escaped backslash", COMMENT, "(a \\\\) b", PF_TOK_OK, 6 },
	{ "quote inside comment", COMMENT, "(a \" b) c", PF_TOK_OK, 7 },
	{ "unterminated comment", COMMENT, "(a b", PF_TOK_OPEN, -1 },
	{ "unterminated nested", COMMENT, "(a (b) c", PF_TOK_OPEN, -1 },
	{ "backslash at the end", COMMENT, "(a \\", PF_TOK_OPEN, -1 },
	{ "escaped last close", COMMENT, "(a \\)", PF_TOK_OPEN, -1 },
	{ "quoted", QUOTED, "\"a b\" c", PF_TOK_OK, 5 },
	{ "empty quoted", QUOTED, "\"\"", PF_TOK_OK, 2 },
	{ "escaped quote", QUOTED, "\"a \\\" b\" c", PF_TOK_OK, 8 },
	{ "comment inside quotes", QUOTED, "\"(a\" b)", PF_TOK_OK, 4 },
	{ "unterminated quoted", QUOTED, "\"a b", PF_TOK_OPEN, -1 },
	{ "escaped last quote", QUOTED, "\"a\\\"", PF_TOK_OPEN, -1 },
	{ "lone quote", QUOTED, "\"", PF_TOK_OPEN, -1 },
	{ "literal", LITERAL, "[1.2.3.4] x", PF_TOK_OK, 9 },
	{ "empty literal", LITERAL, "[]", PF_TOK_OK, 2 },
	{ "literal has no quoting", LITERAL, "[a\\]b]", PF_TOK_OK, 4 },
	{ "unterminated literal", LITERAL, "[1.2.3.4", PF_TOK_OPEN, -1 },
	{ "no cfws", CFWS, "abc", PF_TOK_OK, 0 },
	{ "empty input", CFWS, "", PF_TOK_OK, 0 },
	{ "white space", CFWS, " \t\r\n x", PF_TOK_OK, 5 },
	{ "comments and space", CFWS, " (a) (b(c))\r\n\tx", PF_TOK_OK, 14 },
	{ "only cfws", CFWS, " (a) ", PF_TOK_OK, -1 },
	{ "cfws unterminated", CFWS, " (a) (b", PF_TOK_OPEN, -1 },
	{ "stray close is not cfws", CFWS, " ) x", PF_TOK_OK, 1 },
};

START_TEST(test_scan)
{
	const struct scan_row *r = &scan_rows[_i];
	const char *p = r->in, *e = p + strlen(p), *end = NULL;
	enum pf_tok_rc rc = PF_TOK_OK;

	switch (r->fn) {
	case COMMENT:
		rc = pf_tok_comment(p, e, &end);
		break;
	case QUOTED:
		rc = pf_tok_quoted(p, e, &end);
		break;
	case LITERAL:
		rc = pf_tok_literal(p, e, &end);
		break;
	case CFWS:
		rc = pf_tok_cfws(p, e, &end);
		break;
	}
	ck_assert_msg(rc == r->rc, "%s: rc %d", r->label, rc);
	ck_assert_msg(end == (r->end < 0 ? e : p + r->end), "%s: end at %td",
	    r->label, end - p);
}
END_TEST

/* the first c outside quotes, comments and literals */
static const struct find_row {
	const char	*label;
	const char	*in;
	char		 c;
	int		 at;	/* offset, -1: none */
} find_rows[] = {
	{ "plain", "a <b>", '<', 2 },
	{ "inside quotes", "\"a<\" <b>", '<', 5 },
	{ "inside comment", "(a<) <b>", '<', 5 },
	{ "inside nested comment", "(a(<)) <", '<', 7 },
	{ "inside literal", "[a<] <", '<', 5 },
	{ "a literal when looking for [", "x [a]", '[', 2 },
	{ "a quote itself", "a \"b\"", '"', 2 },
	{ "hidden by an open quote", "\"a <b>", '<', -1 },
	{ "hidden by an open comment", "(a <b>", '<', -1 },
	{ "hidden by an open literal", "[a <b>", '<', -1 },
	{ "none", "abc", '<', -1 },
	{ "empty", "", '<', -1 },
};

START_TEST(test_find)
{
	const struct find_row *r = &find_rows[_i];
	const char *e = r->in + strlen(r->in);
	const char *got = pf_tok_find(r->in, e, r->c);

	ck_assert_msg(got == (r->at < 0 ? NULL : r->in + r->at), "%s",
	    r->label);
}
END_TEST

/* whole-span forms: dot-atom, strict quoted-string, literals */
enum form { ATOM, ATOM_RUNS, QSTRICT, LIT, LIT_NOFOLD };

static const struct form_row {
	const char	*label;
	enum form	 form;
	const char	*in;
	int		 want;
} form_rows[] = {
	{ "atom", ATOM, "abc", 1 },
	{ "dot-atom", ATOM, "a.b.c", 1 },
	{ "every atext special", ATOM, "!#$%&'*+-/=?^_`{|}~", 1 },
	{ "utf-8", ATOM, "\xc3\xa9t\xc3\xa9", 1 },
	{ "empty", ATOM, "", 0 },
	{ "leading dot", ATOM, ".a", 0 },
	{ "trailing dot", ATOM, "a.", 0 },
	{ "double dot", ATOM, "a..b", 0 },
	{ "double dot tolerated", ATOM_RUNS, "a..b", 1 },
	{ "leading dot with runs", ATOM_RUNS, ".a", 0 },
	{ "space", ATOM, "a b", 0 },
	{ "special", ATOM, "a@b", 0 },
	{ "control", ATOM, "a\x01", 0 },
	{ "quoted", QSTRICT, "\"a b\"", 1 },
	{ "quoted pair", QSTRICT, "\"a\\\"b\"", 1 },
	{ "quoted control escaped", QSTRICT, "\"a\\\x01\"", 1 },
	{ "quoted empty", QSTRICT, "\"\"", 1 },
	{ "quoted bare control", QSTRICT, "\"a\x01\"", 0 },
	{ "quoted inner quote", QSTRICT, "\"a\"b\"", 0 },
	{ "quoted escaped end", QSTRICT, "\"a\\\"", 0 },
	{ "quoted text after", QSTRICT, "\"a\"b", 0 },
	{ "lone quote", QSTRICT, "\"", 0 },
	{ "literal", LIT, "[1.2.3.4]", 1 },
	{ "empty literal", LIT, "[]", 1 },
	{ "literal with space", LIT, "[a b]", 1 },
	{ "literal with backslash", LIT, "[a\\b]", 0 },
	{ "literal with bracket", LIT, "[a[b]", 0 },
	{ "literal text after", LIT, "[a]b", 0 },
	{ "no-fold literal", LIT_NOFOLD, "[a.b]", 1 },
	{ "no-fold literal with space", LIT_NOFOLD, "[a b]", 0 },
	{ "no-fold literal with 8-bit", LIT_NOFOLD, "[\xc3\xa9]", 0 },
	{ "no-fold literal with DEL", LIT_NOFOLD, "[a\x7f]", 0 },
};

START_TEST(test_form)
{
	const struct form_row *r = &form_rows[_i];
	const char *p = r->in, *e = p + strlen(p);
	int got = -1;

	switch (r->form) {
	case ATOM:
		got = pf_tok_dot_atom(p, e, 0);
		break;
	case ATOM_RUNS:
		got = pf_tok_dot_atom(p, e, PF_TOK_DOT_RUNS);
		break;
	case QSTRICT:
		got = pf_tok_quoted_strict(p, e);
		break;
	case LIT:
		got = pf_tok_literal_ok(p, e, 0);
		break;
	case LIT_NOFOLD:
		got = pf_tok_literal_ok(p, e, PF_TOK_NO_FOLD);
		break;
	}
	ck_assert_msg(got == r->want, "%s", r->label);
}
END_TEST

/* RFC 2047 encoded-words */
static const struct ew_row {
	const char	*label;
	const char	*in;
	size_t		 len;	/* 0: strlen */
	int		 want;
} ew_rows[] = {
	{ "q", "=?utf-8?q?caf=C3=A9?=", 0, 1 },
	{ "b", "x =?UTF-8?B?Y2Fmw6k=?= y", 0, 1 },
	{ "empty text", "=?utf-8?Q?\?=", 0, 1 },
	{ "no charset", "=??q?a?=", 0, 0 },
	{ "bad encoding", "=?utf-8?x?a?=", 0, 0 },
	{ "not closed", "=?utf-8?q?abc", 0, 0 },
	{ "no encoding mark", "=?utf-8?", 0, 0 },
	{ "plain text", "a = b ? c", 0, 0 },
	{ "NUL as the encoding", "=?a?\0?b?=", 9, 0 },
	{ "a later one", "=? x =?utf-8?q?a?=", 0, 1 },
	{ "'=' last", "abc=", 0, 0 },
	{ "'=?' last", "abc=?", 0, 0 },
	{ "two '=' before '?'", "==?utf-8?q?a?=", 0, 1 },
	{ "cut before its end", "=?utf-8?q?a?=", 12, 0 },
	{ "'=' runs", "a=b=c==d=?utf-8?b?YQ==?=", 0, 1 },
};

START_TEST(test_ew)
{
	const struct ew_row *r = &ew_rows[_i];
	size_t n = r->len ? r->len : strlen(r->in);

	ck_assert_msg(pf_tok_has_ew(r->in, n) == r->want, "%s", r->label);
}
END_TEST

START_TEST(test_trim)
{
	const char *s = " \t\r\n<a@b> \r\n", *start;
	size_t n = pf_tok_trim(s, strlen(s), &start);

	ck_assert_uint_eq(n, 5);
	ck_assert_ptr_eq(start, s + 4);
	ck_assert_uint_eq(pf_tok_trim(s, 4, &start), 0);
	ck_assert_uint_eq(pf_tok_trim("", 0, &start), 0);
}
END_TEST

/* fill - a heap buffer of n bytes of pattern pat (repeated) */
static char *
fill(const char *pat, size_t n)
{
	char *b = malloc(n);
	size_t i, k = strlen(pat);

	ck_assert_ptr_nonnull(b);
	for (i = 0; i < n; i++)
		b[i] = pat[i % k];
	return b;
}

/* limits: a million levels of nesting, closed and not, and long hostile
 * runs, all in one linear pass (a quadratic scan would exceed the test
 * timeout by hours) */
START_TEST(test_limits)
{
	size_t n = 1000000, i;
	char *b = fill("(", 2 * n);
	const char *end;

	for (i = n; i < 2 * n; i++)
		b[i] = ')';
	ck_assert_int_eq(pf_tok_comment(b, b + 2 * n, &end), PF_TOK_OK);
	ck_assert_ptr_eq(end, b + 2 * n);
	ck_assert_int_eq(pf_tok_cfws(b, b + 2 * n, &end), PF_TOK_OK);
	ck_assert_ptr_eq(end, b + 2 * n);
	ck_assert_int_eq(pf_tok_comment(b, b + 2 * n - 1, &end),
	    PF_TOK_OPEN);
	ck_assert_ptr_eq(end, b + 2 * n - 1);
	ck_assert_ptr_null(pf_tok_find(b, b + 2 * n - 1, ','));
	free(b);

	b = fill("=?a?q?x", 4 * n);
	ck_assert_int_eq(pf_tok_has_ew(b, 4 * n), 0);
	free(b);
	b = fill("\"\\", 4 * n);
	ck_assert_int_eq(pf_tok_quoted(b, b + 4 * n, &end), PF_TOK_OPEN);
	ck_assert_ptr_null(pf_tok_find(b, b + 4 * n, '<'));
	free(b);
	b = fill("a.", 4 * n - 1);
	ck_assert_int_eq(pf_tok_dot_atom(b, b + 4 * n - 1, 0), 1);
	free(b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("token");
	TCase *tc = pf_test_case(s, "token");

	tcase_add_loop_test(tc, test_scan, 0, PF_NELEM(scan_rows));
	tcase_add_loop_test(tc, test_find, 0, PF_NELEM(find_rows));
	tcase_add_loop_test(tc, test_form, 0, PF_NELEM(form_rows));
	tcase_add_loop_test(tc, test_ew, 0, PF_NELEM(ew_rows));
	tcase_add_test(tc, test_trim);
	tcase_add_test(tc, test_limits);
	return pf_test_run(s);
}
