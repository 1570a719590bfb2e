/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tmpl.c - rule templates compiled at load time (tmpl.h).  The reading of
 * a template is the one of pf_rules_fill in rules.c, done once: text up to
 * a '{', then a name up to the next '}' (at most 127 bytes, else the rest
 * is text), looked up through the rule's fills, then as a constant, then
 * as a fact.  Filling then only formats the facts' values.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "base/facts.h"
#include "catalog/rules.h"
#include "catalog/tmpl.h"

#define NAME_MAX_LEN	127	/* longest placeholder name read */
#define NUM_MAX_LEN	20	/* "-9223372036854775808" */

/* a piece: text of the literal buffer, or a fact (with its {name} as
 * the text, for when it is unknown) */
struct seg {
	size_t	 off, len;
	int	 fact;		/* -1: text */
};

struct pf_tmpl {
	char		*lit;	/* the texts of every piece */
	size_t		 litlen;
	struct seg	*seg;
	size_t		 nseg, cap;
	int		 oom;
};

/* add_text - append text to the last text piece, or start one */
static void
add_text(struct pf_tmpl *t, const char *s, size_t len, int fact)
{
	char *nl;
	struct seg *ns;

	if (t->oom || (len == 0 && fact < 0))
		return;
	if ((nl = realloc(t->lit, t->litlen + len + 1)) == NULL) {
		t->oom = 1;
		return;
	}
	t->lit = nl;
	memcpy(t->lit + t->litlen, s, len);
	if (fact < 0 && t->nseg > 0 && t->seg[t->nseg - 1].fact < 0)
		t->seg[t->nseg - 1].len += len;
	else {
		if (t->nseg == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 4;

			if ((ns = realloc(t->seg, cap * sizeof(*ns))) == NULL) {
				t->oom = 1;
				return;
			}
			t->seg = ns;
			t->cap = cap;
		}
		t->seg[t->nseg].off = t->litlen;
		t->seg[t->nseg].len = len;
		t->seg[t->nseg].fact = fact;
		t->nseg++;
	}
	t->litlen += len;
}

/* placeholder - {name} (q at '{', close at '}') as a constant's value, a
 * fact, or its own text */
static void
placeholder(struct pf_tmpl *t, const struct pf_rules *rs,
    const struct pf_rule *r, const char *q, const char *close)
{
	char name[NAME_MAX_LEN + 1], num[32];
	const char *src = name;
	int64_t cv;
	size_t i;
	int id;

	snprintf(name, sizeof(name), "%.*s", (int)(close - q - 1), q + 1);
	for (i = 0; i < r->nfill; i++)
		if (strcmp(r->fill[i].placeholder, name) == 0)
			src = r->fill[i].source;
	if (pf_rules_const(rs, src, &cv)) {
		snprintf(num, sizeof(num), "%" PRId64, cv);
		add_text(t, num, strlen(num), -1);
	} else if ((id = pf_fact_lookup(src, strlen(src))) >= 0)
		add_text(t, q, (size_t)(close - q + 1), id);
	else
		add_text(t, q, (size_t)(close - q + 1), -1);
}

/* pf_tmpl_compile - the pieces of a template */
struct pf_tmpl *
pf_tmpl_compile(const struct pf_rules *rs, const struct pf_rule *r,
    const char *s)
{
	struct pf_tmpl *t = calloc(1, sizeof(*t));
	const char *p, *q, *close;

	if (t == NULL)
		return NULL;
	for (p = s; (q = strchr(p, '{')) != NULL; p = close + 1) {
		close = strchr(q, '}');
		add_text(t, p, (size_t)(q - p), -1);
		if (close == NULL || close - q - 1 > NAME_MAX_LEN) {
			p = q;
			break;
		}
		placeholder(t, rs, r, q, close);
	}
	add_text(t, p, strlen(p), -1);
	if (t->oom) {
		pf_tmpl_free(t);
		return NULL;
	}
	return t;
}

/* pf_tmpl_free - release a compiled template */
void
pf_tmpl_free(struct pf_tmpl *t)
{
	if (t == NULL)
		return;
	free(t->lit);
	free(t->seg);
	free(t);
}

/* put_num - a number in decimal, as "%" PRId64 writes it; its length */
static size_t
put_num(char *o, int64_t v)
{
	char d[NUM_MAX_LEN + 1];
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	size_t n = 0, i = 0;

	do {
		d[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		o[i++] = '-';
	while (n > 0)
		o[i++] = d[--n];
	return i;
}

/* seg_len - at most how many bytes a piece fills in */
static size_t
seg_len(const struct seg *g, const struct pf_facts *f)
{
	const struct pf_fact_val *fv;

	if (g->fact < 0 || !pf_fact_known(f, g->fact))
		return g->len;
	fv = &f->v[g->fact];
	switch (pf_fact_type(g->fact)) {
	case PF_T_STR:
		return fv->s != NULL ? strlen(fv->s) : 0;
	case PF_T_BOOL:
		return 3;
	default:
		return NUM_MAX_LEN;
	}
}

/* pf_tmpl_fill - every piece, facts by their values; one allocation */
char *
pf_tmpl_fill(const struct pf_tmpl *t, const struct pf_facts *f)
{
	size_t i, n = 0;
	char *out, *o;

	for (i = 0; i < t->nseg; i++)
		n += seg_len(&t->seg[i], f);
	if ((o = out = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0; i < t->nseg; i++) {
		const struct seg *g = &t->seg[i];
		const struct pf_fact_val *fv = &f->v[g->fact < 0 ? 0 : g->fact];

		if (g->fact < 0 || !pf_fact_known(f, g->fact)) {
			memcpy(o, t->lit + g->off, g->len);
			o += g->len;
			continue;
		}
		switch (pf_fact_type(g->fact)) {
		case PF_T_STR:
			if (fv->s != NULL) {
				n = strlen(fv->s);
				memcpy(o, fv->s, n);
				o += n;
			}
			break;
		case PF_T_BOOL:
			memcpy(o, fv->n ? "yes" : "no", fv->n ? 3 : 2);
			o += fv->n ? 3 : 2;
			break;
		default:
			o += put_num(o, fv->n);
		}
	}
	*o = '\0';
	return out;
}
