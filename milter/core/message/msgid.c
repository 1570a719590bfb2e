/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * msgid.c - msg-id syntax, RFC 5322 3.6.4:
 *	msg-id   = [CFWS] "<" id-left "@" id-right ">" [CFWS]
 *	id-left  = dot-atom-text / obs-id-left
 *	id-right = dot-atom-text / no-fold-literal / obs-id-right
 * The obsolete forms (a quoted local-part on the left, a domain literal on
 * the right) are accepted: they are still "valid" for any reader.  UTF-8
 * is allowed (RFC 6532); raw 8-bit bytes are a separate fact.  Input is
 * an untrusted header value of any length; the tokens come from tok822.c.
 */
#include <string.h>

#include "base/pf.h"
#include "message/msgid.h"
#include "message/tok822.h"

/* pf_msgid_valid - exactly one msg-id */
int
pf_msgid_valid(const char *p, size_t len)
{
	const char *e = p + len, *gt, *at, *q;

	if (pf_tok_cfws(p, e, &p) != PF_TOK_OK || p >= e || *p != '<')
		return 0;
	/* the '>' that ends it: the first one outside a quoted left part */
	q = p + 1;
	if (q < e && *q == '"' && pf_tok_quoted(q, e, &q) != PF_TOK_OK)
		return 0;
	if ((gt = memchr(q, '>', (size_t)(e - q))) == NULL)
		return 0;
	/* the last '@' in it splits id-left from id-right */
	for (at = NULL, q = p + 1; q < gt; q++)
		if (*q == '@')
			at = q;
	if (at == NULL)
		return 0;
	/* runs of dots are tolerated on the left, where widely used
	 * generators put them */
	if (!pf_tok_dot_atom(p + 1, at, PF_TOK_DOT_RUNS) &&
	    !pf_tok_quoted_strict(p + 1, at))
		return 0;
	if (!pf_tok_dot_atom(at + 1, gt, 0) &&
	    !pf_tok_literal_ok(at + 1, gt, PF_TOK_NO_FOLD))
		return 0;
	return pf_tok_cfws(gt + 1, e, &q) == PF_TOK_OK && q == e;
}
