/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tok822.h - the tokens of RFC 5322 header text and RFC 2047
 * encoded-words, shared by the address, Message-ID and Date parsers.
 *
 * Every scanner takes the untrusted text as [p, e), never reads outside
 * it, allocates nothing and runs in time linear in e - p.  The ones that
 * read a delimited construct (a comment, a quoted-string, a domain
 * literal, CFWS) follow one convention: they return PF_TOK_OK with *end
 * just past the construct, or PF_TOK_OPEN with *end == e when the input
 * ends before the construct is closed.
 */
#ifndef PF_TOK822_H
#define PF_TOK822_H

#include <stddef.h>

/* how a delimited construct ended */
enum pf_tok_rc {
	PF_TOK_OK = 0,		/* closed; *end is just past it */
	PF_TOK_OPEN		/* the input ended first; *end is e */
};

/* pf_tok_is_atext - RFC 5322 3.2.3 atext; 8-bit bytes count as UTF-8
 * (RFC 6532 3.2) */
int	pf_tok_is_atext(unsigned char c);

/* pf_tok_is_wsp - white space between tokens: SP, HTAB and the CR LF of
 * a folded line */
int	pf_tok_is_wsp(unsigned char c);

/* pf_tok_comment - p at '(': past the matching ')'.  Comments nest to any
 * depth (a counter, no recursion); a backslash quotes the next byte. */
enum pf_tok_rc pf_tok_comment(const char *p, const char *e,
	    const char **end);

/* pf_tok_quoted - p at '"': past the closing '"'; a backslash quotes the
 * next byte */
enum pf_tok_rc pf_tok_quoted(const char *p, const char *e,
	    const char **end);

/* pf_tok_literal - p at '[': past the first ']' (dtext has no quoting) */
enum pf_tok_rc pf_tok_literal(const char *p, const char *e,
	    const char **end);

/* pf_tok_cfws - past any run of white space and comments (none is fine);
 * PF_TOK_OPEN on an unterminated comment.  [p, e) is all CFWS when *end
 * comes back as e. */
enum pf_tok_rc pf_tok_cfws(const char *p, const char *e, const char **end);

/* pf_tok_find - the first c in [p, e) outside quoted-strings, comments
 * and (unless c is '[') domain literals; NULL without one.  An open
 * construct hides the rest of the input. */
const char *pf_tok_find(const char *p, const char *e, char c);

/* pf_tok_dot_atom - all of [p, e) is dot-atom-text: 1*atext *("."
 * 1*atext).  PF_TOK_DOT_RUNS tolerates empty atoms between dots (the
 * runs of dots some generators put in id-left). */
#define PF_TOK_DOT_RUNS	0x1
int	pf_tok_dot_atom(const char *p, const char *e, int flags);

/* pf_tok_quoted_strict - all of [p, e) is one quoted-string with no bare
 * control character (RFC 5322 3.2.4 qtext / quoted-pair) */
int	pf_tok_quoted_strict(const char *p, const char *e);

/* pf_tok_literal_ok - all of [p, e) is "[" *dtext "]" ("[]" included).  Without flags
 * dtext is any byte but '[', ']' and '\' (the obs-dtext of a domain
 * literal in an address); PF_TOK_NO_FOLD also refuses controls, space
 * and 8-bit bytes (the no-fold-literal of a msg-id, RFC 5322 3.6.4). */
#define PF_TOK_NO_FOLD	0x1
int	pf_tok_literal_ok(const char *p, const char *e, int flags);

/* pf_tok_has_ew - an RFC 2047 encoded-word ("=?charset?B|Q?text?=")
 * anywhere in [p, p + len) */
int	pf_tok_has_ew(const char *p, size_t len);

/* pf_tok_trim - [p, p + len) without white space at either end: its
 * length, and its start (borrowed from p) in *start */
size_t	pf_tok_trim(const char *p, size_t len, const char **start);

#endif
