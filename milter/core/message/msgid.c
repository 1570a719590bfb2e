/*
 * msgid.c - msg-id syntax, RFC 5322 3.6.4:
 *	msg-id   = [CFWS] "<" id-left "@" id-right ">" [CFWS]
 *	id-left  = dot-atom-text / obs-id-left
 *	id-right = dot-atom-text / no-fold-literal / obs-id-right
 * The obsolete forms (a quoted local-part on the left, a domain literal on
 * the right) are accepted: they are still "valid" for any reader.  UTF-8
 * is allowed (RFC 6532); raw 8-bit bytes are a separate fact.  Input is
 * an untrusted header value of any length.
 */
#include <string.h>

#include "base/pf.h"
#include "message/msgid.h"

/* RFC 5322 3.2.3 atext, with UTF-8 (RFC 6532 3.2) */
static int
is_atext(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c >= 0x80)
		return 1;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static int
is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* skip_cfws - past white space and (nested) comments */
static const char *
skip_cfws(const char *p, const char *e)
{
	size_t depth;

	for (;;) {
		while (p < e && is_wsp(*p))
			p++;
		if (p >= e || *p != '(')
			return p;
		for (depth = 0; p < e; p++) {
			if (*p == '\\' && p + 1 < e)
				p++;
			else if (*p == '(')
				depth++;
			else if (*p == ')' && --depth == 0) {
				p++;
				break;
			}
		}
		if (depth != 0)
			return NULL;	/* unterminated comment */
	}
}

/* dot_atom_text - 1*atext *("." 1*atext) over all of [p, e); runs of
 * dots are tolerated on the left, where widely used generators put them */
static int
dot_atom_text(const char *p, const char *e, int left)
{
	if (p == e || *p == '.' || e[-1] == '.')
		return 0;
	for (; p < e; p++) {
		if (*p == '.') {
			if (p[1] == '.' && !left)
				return 0;
		} else if (!is_atext((unsigned char)*p))
			return 0;
	}
	return 1;
}

/* quoted - a quoted-string over all of [p, e) */
static int
quoted(const char *p, const char *e)
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

/* literal - "[" *dtext "]" over all of [p, e) */
static int
literal(const char *p, const char *e)
{
	if (e - p < 2 || *p != '[' || e[-1] != ']')
		return 0;
	for (p++, e--; p < e; p++)
		if (*p == '[' || *p == ']' || *p == '\\' ||
		    (unsigned char)*p <= 32 || (unsigned char)*p >= 127)
			return 0;
	return 1;
}

/* pf_msgid_valid - exactly one msg-id */
int
pf_msgid_valid(const char *p, size_t len)
{
	const char *e = p + len, *gt, *at, *q;

	if ((p = skip_cfws(p, e)) == NULL || p >= e || *p != '<')
		return 0;
	/* the '>' that ends it: the first one outside a quoted left part */
	q = p + 1;
	if (q < e && *q == '"') {
		for (q++; q < e && *q != '"'; q++)
			if (*q == '\\')
				q++;
		if (q >= e)
			return 0;
	}
	if ((gt = memchr(q, '>', (size_t)(e - q))) == NULL)
		return 0;
	/* the last '@' in it splits id-left from id-right */
	for (at = NULL, q = p + 1; q < gt; q++)
		if (*q == '@')
			at = q;
	if (at == NULL)
		return 0;
	if (!dot_atom_text(p + 1, at, 1) && !quoted(p + 1, at))
		return 0;
	if (!dot_atom_text(at + 1, gt, 0) && !literal(at + 1, gt))
		return 0;
	q = skip_cfws(gt + 1, e);
	return q != NULL && q == e;
}

/* pf_msgid_trim - strip white space at both ends */
size_t
pf_msgid_trim(const char *p, size_t len, const char **start)
{
	const char *e = p + len;

	while (p < e && is_wsp(*p))
		p++;
	while (e > p && is_wsp(e[-1]))
		e--;
	*start = p;
	return (size_t)(e - p);
}
