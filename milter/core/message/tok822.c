/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tok822.c - RFC 5322 lexical tokens (3.2: atext, quoted-string, comments
 * and CFWS, dot-atom; 3.4.1: domain literals) and RFC 2047 encoded-word
 * detection, in the spirit of Postfix's tok822 and OpenSMTPD's rfc5322.c:
 * the parsers of addresses, Message-IDs and dates are built on these and
 * keep no lexer of their own.  Input is untrusted header text of any
 * length; every scan is bounded by its end pointer, linear, and
 * allocation free.  See tok822.h for the one failure convention.
 */
#include <string.h>

#include "message/tok822.h"

/* pf_tok_is_atext - RFC 5322 3.2.3 atext, with UTF-8 (RFC 6532) */
int
pf_tok_is_atext(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c >= 0x80)
		return 1;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* pf_tok_is_wsp - SP, HTAB, and the CR LF left in a folded value */
int
pf_tok_is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* pf_tok_comment - p at '(': past the matching ')' */
enum pf_tok_rc
pf_tok_comment(const char *p, const char *e, const char **end)
{
	size_t depth = 0;

	for (; p < e; p++) {
		if (*p == '\\' && p + 1 < e)
			p++;
		else if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0) {
			*end = p + 1;
			return PF_TOK_OK;
		}
	}
	*end = e;
	return PF_TOK_OPEN;
}

/* pf_tok_quoted - p at '"': past the closing '"' */
enum pf_tok_rc
pf_tok_quoted(const char *p, const char *e, const char **end)
{
	for (p++; p < e; p++) {
		if (*p == '\\' && p + 1 < e)
			p++;
		else if (*p == '"') {
			*end = p + 1;
			return PF_TOK_OK;
		}
	}
	*end = e;
	return PF_TOK_OPEN;
}

/* pf_tok_literal - p at '[': past the first ']' */
enum pf_tok_rc
pf_tok_literal(const char *p, const char *e, const char **end)
{
	const char *r = memchr(p, ']', (size_t)(e - p));

	*end = r != NULL ? r + 1 : e;
	return r != NULL ? PF_TOK_OK : PF_TOK_OPEN;
}

/* pf_tok_cfws - past white space and comments */
enum pf_tok_rc
pf_tok_cfws(const char *p, const char *e, const char **end)
{
	for (;;) {
		while (p < e && pf_tok_is_wsp((unsigned char)*p))
			p++;
		if (p >= e || *p != '(') {
			*end = p;
			return PF_TOK_OK;
		}
		if (pf_tok_comment(p, e, &p) != PF_TOK_OK) {
			*end = e;
			return PF_TOK_OPEN;
		}
	}
}

/* pf_tok_find - the first c outside quotes, comments and literals */
const char *
pf_tok_find(const char *p, const char *e, char c)
{
	while (p < e) {
		if (*p == c)
			return p;
		if (*p == '"')
			(void)pf_tok_quoted(p, e, &p);
		else if (*p == '(')
			(void)pf_tok_comment(p, e, &p);
		else if (*p == '[' && c != '[')
			(void)pf_tok_literal(p, e, &p);
		else
			p++;
	}
	return NULL;
}

/* pf_tok_dot_atom - [p, e) is dot-atom-text */
int
pf_tok_dot_atom(const char *p, const char *e, int flags)
{
	if (p == e || *p == '.' || e[-1] == '.')
		return 0;
	for (; p < e; p++) {
		/* p[1] is inside: the text does not end with a dot */
		if (*p == '.') {
			if (p[1] == '.' && !(flags & PF_TOK_DOT_RUNS))
				return 0;
		} else if (!pf_tok_is_atext((unsigned char)*p))
			return 0;
	}
	return 1;
}

/* pf_tok_quoted_strict - [p, e) is one quoted-string, no bare controls */
int
pf_tok_quoted_strict(const char *p, const char *e)
{
	if (e - p < 2 || *p != '"' || e[-1] != '"')
		return 0;
	for (p++, e--; p < e; p++) {
		if (*p == '\\') {
			if (++p >= e)
				return 0;
		} else if (*p == '"' || (unsigned char)*p < 32)
			return 0;
	}
	return 1;
}

/* pf_tok_literal_ok - [p, e) is "[" *dtext "]" */
int
pf_tok_literal_ok(const char *p, const char *e, int flags)
{
	unsigned char c;

	if (e - p < 2 || *p != '[' || e[-1] != ']')
		return 0;
	for (p++, e--; p < e; p++) {
		c = (unsigned char)*p;
		if (c == '[' || c == ']' || c == '\\')
			return 0;
		if ((flags & PF_TOK_NO_FOLD) && (c <= 32 || c >= 127))
			return 0;
	}
	return 1;
}

/* pf_tok_has_ew - an RFC 2047 encoded-word anywhere in [p, p+len) */
int
pf_tok_has_ew(const char *p, size_t len)
{
	const char *e = p + len, *q, *r;

	for (; p + 1 < e; p++) {
		/* a start is "=?": the next '=' with a byte after it */
		if ((p = memchr(p, '=', (size_t)(e - p - 1))) == NULL)
			return 0;
		if (p[1] != '?')
			continue;
		q = memchr(p + 2, '?', (size_t)(e - p - 2));
		if (q == NULL || q == p + 2 || q + 3 >= e)
			continue;
		if (q[1] == '\0' || strchr("BbQq", q[1]) == NULL ||
		    q[2] != '?')
			continue;
		for (r = q + 3; r + 1 < e; r++)
			if (r[0] == '?' && r[1] == '=')
				return 1;
		/* no "?=" up to the end: no later start can close either
		 * (and hostile input gets no quadratic scan) */
		return 0;
	}
	return 0;
}

/* pf_tok_trim - strip white space at both ends */
size_t
pf_tok_trim(const char *p, size_t len, const char **start)
{
	const char *e = p + len;

	while (p < e && pf_tok_is_wsp((unsigned char)*p))
		p++;
	while (e > p && pf_tok_is_wsp((unsigned char)e[-1]))
		e--;
	*start = p;
	return (size_t)(e - p);
}
