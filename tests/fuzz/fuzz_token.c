/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_token.c - the RFC 5322 / RFC 2047 tokens of message/tok822.c on
 * arbitrary bytes.  The input is walked as a lexer would walk it, each
 * delimited construct scanned where it starts, and the results are held
 * to the contract of tok822.h: an end inside (p, e], PF_TOK_OPEN only at
 * the end of the input, a closed construct ending on its delimiter; the
 * whole-span forms must agree with the scanners.
 */
#include <stdlib.h>
#include <string.h>

#include "message/tok822.h"
#include "fuzz.h"

/* check_end - the contract of one delimited scan starting at p */
static void
check_end(const char *p, const char *e, enum pf_tok_rc rc, const char *end,
    char close)
{
	if (end <= p || end > e)
		abort();
	if (rc == PF_TOK_OPEN && end != e)
		abort();
	if (rc == PF_TOK_OK && end[-1] != close)
		abort();
}

/* walk - scan every construct where it starts, as a lexer does */
static void
walk(const char *p, const char *e)
{
	const char *end;
	enum pf_tok_rc rc;

	while (p < e) {
		if (*p == '(') {
			rc = pf_tok_comment(p, e, &end);
			check_end(p, e, rc, end, ')');
		} else if (*p == '"') {
			rc = pf_tok_quoted(p, e, &end);
			check_end(p, e, rc, end, '"');
		} else if (*p == '[') {
			rc = pf_tok_literal(p, e, &end);
			check_end(p, e, rc, end, ']');
		} else if (pf_tok_is_wsp((unsigned char)*p)) {
			rc = pf_tok_cfws(p, e, &end);
			if (end <= p || end > e || (rc == PF_TOK_OPEN &&
			    end != e) || (rc == PF_TOK_OK && end < e &&
			    (*end == '(' || pf_tok_is_wsp((unsigned char)*end))))
				abort();
		} else
			end = p + 1;
		p = end;
	}
}

/* forms - the whole-span predicates against the scanners */
static void
forms(const char *p, const char *e)
{
	const char *end;

	if (pf_tok_dot_atom(p, e, 0) && !pf_tok_dot_atom(p, e,
	    PF_TOK_DOT_RUNS))
		abort();
	if (pf_tok_quoted_strict(p, e) &&
	    (pf_tok_quoted(p, e, &end) != PF_TOK_OK || end != e))
		abort();
	if (pf_tok_literal_ok(p, e, PF_TOK_NO_FOLD) &&
	    !pf_tok_literal_ok(p, e, 0))
		abort();
	if (pf_tok_literal_ok(p, e, 0) &&
	    (pf_tok_literal(p, e, &end) != PF_TOK_OK || end != e))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	const char *p = (const char *)d, *e = p + n, *f, *start;
	size_t k;

	walk(p, e);
	forms(p, e);
	if (n > 0) {
		f = pf_tok_find(p + 1, e, (char)d[0]);
		if (f != NULL && (f < p + 1 || f >= e || *f != (char)d[0]))
			abort();
	}
	(void)pf_tok_has_ew(p, n);
	k = pf_tok_trim(p, n, &start);
	if (start < p || start + k > e || (k > 0 &&
	    (pf_tok_is_wsp((unsigned char)start[0]) ||
	    pf_tok_is_wsp((unsigned char)start[k - 1]))))
		abort();
	return 0;
}
