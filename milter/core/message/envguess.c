/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * envguess.c - the envelope a saved message implies.  The header block is
 * read line by line as the builder reads it (a line without a colon ends
 * it); folded fields are joined.  Addresses are taken the way mail readers
 * show them: what is inside <...>, else a bare word with an "@", with
 * comments, quoted display names and group names left out.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/pf.h"
#include "message/envguess.h"

/* a field being joined from its folded lines */
struct field {
	char	*p;
	size_t	 len, cap;
};

/* field_add - append a span to the field; PF_ENOMEM */
static int
field_add(struct field *f, const char *p, size_t n)
{
	char *np;
	size_t cap;

	if (f->len + n + 1 > f->cap) {
		cap = (f->len + n + 1) * 2;
		if ((np = realloc(f->p, cap)) == NULL)
			return PF_ENOMEM;
		f->p = np;
		f->cap = cap;
	}
	memcpy(f->p + f->len, p, n);
	f->len += n;
	f->p[f->len] = '\0';
	return PF_OK;
}

/* trim - the span without blanks at either end */
static void
trim(const char **p, size_t *n)
{
	while (*n > 0 && (**p == ' ' || **p == '\t' || **p == '\r' ||
	    **p == '\n')) {
		(*p)++;
		(*n)--;
	}
	while (*n > 0 && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t' ||
	    (*p)[*n - 1] == '\r' || (*p)[*n - 1] == '\n'))
		(*n)--;
}

/* bare - a word outside <...> that holds an "@": an addr-spec */
static int
bare(const char *w, size_t n, int (*fn)(void *, const char *, size_t),
    void *arg)
{
	trim(&w, &n);
	if (n == 0 || memchr(w, '@', n) == NULL || memchr(w, ' ', n) != NULL)
		return 0;
	return fn(arg, w, n);
}

/* pf_env_addrs - addr-specs of an address list, in order */
void
pf_env_addrs(const char *v, size_t len,
    int (*fn)(void *, const char *, size_t), void *arg)
{
	char word[1024];
	size_t i, wn = 0, depth = 0, a;
	int quoted = 0, angle = 0;

	for (i = 0; i < len; i++) {
		char c = v[i];

		if (quoted) {
			if (c == '\\' && i + 1 < len)
				i++;
			else if (c == '"')
				quoted = 0;
			continue;
		}
		if (depth > 0) {
			if (c == '\\' && i + 1 < len)
				i++;
			else if (c == '(')
				depth++;
			else if (c == ')')
				depth--;
			continue;
		}
		switch (c) {
		case '"':
			quoted = 1;
			break;
		case '(':
			depth = 1;
			break;
		case '<':
			for (a = i + 1; a < len && v[a] != '>'; a++)
				;
			if (a < len && a > i + 1 && fn(arg, v + i + 1,
			    a - i - 1))
				return;
			angle = 1;
			i = a;
			break;
		case ':':		/* a group's name */
			wn = 0;
			angle = 0;
			break;
		case ',':
		case ';':
			if (!angle && bare(word, wn, fn, arg))
				return;
			wn = 0;
			angle = 0;
			break;
		default:
			if (wn < sizeof(word))
				word[wn++] = c;
		}
	}
	if (!angle)
		(void)bare(word, wn, fn, arg);
}

/* add_rcpt - one recipient into the guess; stops at the cap */
static int
add_rcpt(void *arg, const char *a, size_t n)
{
	struct pf_env_guess *g = arg;
	char **nr, *s;

	if (g->nrcpt >= PF_ENVGUESS_MAX_RCPT)
		return 1;
	if ((s = strndup(a, n)) == NULL)
		return 1;
	if ((nr = realloc(g->rcpt, (g->nrcpt + 1) * sizeof(*nr))) == NULL) {
		free(s);
		return 1;
	}
	g->rcpt = nr;
	g->rcpt[g->nrcpt++] = s;
	return 0;
}

/* first_addr - the first addr-spec of a value; "" for "<>" */
static int
first_addr(void *arg, const char *a, size_t n)
{
	char **out = arg;

	*out = strndup(a, n);
	return 1;
}

/* use_field - one complete field */
static int
use_field(struct pf_env_guess *g, const char *f, size_t n, char **from)
{
	const char *colon = memchr(f, ':', n), *v;
	size_t nl, vl;

	if (colon == NULL)
		return PF_OK;
	nl = (size_t)(colon - f);
	while (nl > 0 && (f[nl - 1] == ' ' || f[nl - 1] == '\t'))
		nl--;
	v = colon + 1;
	vl = n - (size_t)(v - f);
	if (nl == 11 && strncasecmp(f, "Return-Path", 11) == 0 &&
	    g->mail == NULL) {
		const char *t = v;
		size_t tl = vl;

		trim(&t, &tl);
		if (tl == 2 && memcmp(t, "<>", 2) == 0)
			g->mail = strdup("");
		else
			pf_env_addrs(v, vl, first_addr, &g->mail);
		if (g->mail == NULL)
			return PF_OK;
		g->mail_src = "Return-Path";
	} else if (nl == 4 && strncasecmp(f, "From", 4) == 0 && *from == NULL)
		pf_env_addrs(v, vl, first_addr, from);
	else if ((nl == 2 && (strncasecmp(f, "To", 2) == 0 ||
	    strncasecmp(f, "Cc", 2) == 0)) ||
	    (nl == 3 && strncasecmp(f, "Bcc", 3) == 0))
		pf_env_addrs(v, vl, add_rcpt, g);
	return PF_OK;
}

/* pf_env_guess - sender and recipients from the header block */
int
pf_env_guess(const char *raw, size_t len, struct pf_env_guess *g)
{
	const char *p = raw, *end = raw + len, *lf, *line;
	struct field f = { 0 };
	char *from = NULL;
	size_t n;
	int rc = PF_OK, first = 1;

	memset(g, 0, sizeof(*g));
	for (; p < end; p = lf + 1) {
		if ((lf = memchr(p, '\n', (size_t)(end - p))) == NULL)
			lf = end;
		line = p;
		n = (size_t)(lf - p);
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (first && n >= 5 && memcmp(line, "From ", 5) == 0) {
			first = 0;
			continue;
		}
		first = 0;
		if (n > 0 && (line[0] == ' ' || line[0] == '\t')) {
			if (f.len > 0 && (rc = field_add(&f, line, n)) != PF_OK)
				break;
			continue;
		}
		if (f.len > 0 && (rc = use_field(g, f.p, f.len, &from)) !=
		    PF_OK)
			break;
		f.len = 0;
		if (n == 0 || memchr(line, ':', n) == NULL)
			break;		/* the end of the header block */
		if ((rc = field_add(&f, line, n)) != PF_OK)
			break;
		if (lf == end)
			break;
	}
	if (rc == PF_OK && f.len > 0)
		rc = use_field(g, f.p, f.len, &from);
	free(f.p);
	if (g->mail == NULL && from != NULL) {
		g->mail = from;
		g->mail_src = "From";
		from = NULL;
	}
	free(from);
	return rc;
}

/* pf_env_guess_reset - release the guess */
void
pf_env_guess_reset(struct pf_env_guess *g)
{
	size_t i;

	free(g->mail);
	for (i = 0; i < g->nrcpt; i++)
		free(g->rcpt[i]);
	free(g->rcpt);
	memset(g, 0, sizeof(*g));
}
