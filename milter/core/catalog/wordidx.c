/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * wordidx.c - the catalog's word index, built once per loaded rule set.
 *
 * A term is a word or a pair of adjacent words, hashed (FNV-1a over the
 * lower-cased letters and digits; apostrophes are dropped, so "doesn't"
 * and "doesn’t" are one word).  A term's weight is its rarity over all the
 * templates (an inverse document frequency): log((templates + 1) /
 * (templates holding it + 1)) + 0.1, so that common words still count a
 * little.  The postings of a term list the templates that hold it and how
 * often, which is all a similarity score needs from the templates.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "catalog/rules.h"
#include "catalog/wordidx.h"

/* word_byte - does c belong to a word */
static int
word_byte(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

/* apostrophe - length of an apostrophe at p (', U+2018, U+2019), else 0 */
static size_t
apostrophe(const char *p, const char *end)
{
	if (*p == '\'')
		return 1;
	if (end - p >= 3 && (unsigned char)p[0] == 0xe2 &&
	    (unsigned char)p[1] == 0x80 &&
	    ((unsigned char)p[2] == 0x98 || (unsigned char)p[2] == 0x99))
		return 3;
	return 0;
}

/* terms_add - append a hashed term */
static int
terms_add(struct pf_terms *w, uint64_t h)
{
	uint64_t *nh;
	size_t ncap;

	if (w->n == w->cap) {
		ncap = w->cap ? w->cap * 2 : 64;
		if (ncap > SIZE_MAX / sizeof(*nh) ||
		    (nh = realloc(w->h, ncap * sizeof(*nh))) == NULL)
			return PF_ENOMEM;
		w->h = nh;
		w->cap = ncap;
	}
	w->h[w->n++] = h;
	return PF_OK;
}

/* split - hashed, lower-cased words of s; {placeholders} are skipped when
 * skip_ph is set */
static int
split(const char *s, int skip_ph, struct pf_terms *w)
{
	const char *p = s, *end = s + strlen(s), *q;
	uint64_t h = 0;
	size_t a;
	int in = 0;

	while (p < end) {
		if (skip_ph && *p == '{' &&
		    (q = memchr(p, '}', (size_t)(end - p))) != NULL) {
			if (in && terms_add(w, h) != PF_OK)
				return PF_ENOMEM;
			in = 0;
			p = q + 1;
			continue;
		}
		if (in && (a = apostrophe(p, end)) > 0) {
			p += a;
			continue;
		}
		if (word_byte((unsigned char)*p)) {
			if (!in)
				h = 14695981039346656037ULL;
			h ^= (uint64_t)tolower((unsigned char)*p);
			h *= 1099511628211ULL;
			in = 1;
		} else if (in) {
			if (terms_add(w, h) != PF_OK)
				return PF_ENOMEM;
			in = 0;
		}
		p++;
	}
	if (in && terms_add(w, h) != PF_OK)
		return PF_ENOMEM;
	return PF_OK;
}

/* cmp_u64 - qsort order of hashes */
static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* pf_terms_of - the words and adjacent word pairs of s, sorted */
int
pf_terms_of(const char *s, int skip_ph, struct pf_terms *t)
{
	size_t i, n;

	t->n = 0;
	if (split(s, skip_ph, t) != PF_OK)
		return PF_ENOMEM;
	for (i = 0, n = t->n; i + 1 < n; i++)
		if (terms_add(t, t->h[i] * 1000003ULL ^ t->h[i + 1]) != PF_OK)
			return PF_ENOMEM;
	if (t->n > 1)
		qsort(t->h, t->n, sizeof(*t->h), cmp_u64);
	return PF_OK;
}

/* pf_terms_free - release the terms */
void
pf_terms_free(struct pf_terms *t)
{
	free(t->h);
	memset(t, 0, sizeof(*t));
}

/* an occurrence while building: term, template, count */
struct occ {
	uint64_t	h;
	uint32_t	tmpl;
	uint32_t	count;
};

/* cmp_occ - by term, then template (rule order) */
static int
cmp_occ(const void *a, const void *b)
{
	const struct occ *x = a, *y = b;

	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return x->tmpl < y->tmpl ? -1 : x->tmpl > y->tmpl;
}

/* occ_add - the distinct terms of template k, with their counts */
static int
occ_add(struct occ **o, size_t *n, size_t *cap, const struct pf_terms *t,
    uint32_t k)
{
	struct occ *no;
	size_t i, j;

	for (i = 0; i < t->n; i = j) {
		for (j = i + 1; j < t->n && t->h[j] == t->h[i]; j++)
			;
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 1024;
			if ((no = realloc(*o, *cap * sizeof(*no))) == NULL)
				return PF_ENOMEM;
			*o = no;
		}
		(*o)[(*n)++] = (struct occ){ t->h[i], k, (uint32_t)(j - i) };
	}
	return PF_OK;
}

/* templates - list the templates in rule order and collect their terms */
static int
templates(const struct pf_rules *rs, struct pf_wordidx *x,
    struct pf_terms **tt, struct occ **o, size_t *no)
{
	size_t i, j, k = 0, cap = 0;

	for (i = 0; i < rs->nrule; i++)
		x->ntmpl += rs->rule[i].nmatch + 1;
	x->tmpl = calloc(x->ntmpl, sizeof(*x->tmpl));
	x->first = calloc(rs->nrule + 1, sizeof(*x->first));
	*tt = calloc(x->ntmpl, sizeof(**tt));
	if (x->tmpl == NULL || x->first == NULL || *tt == NULL)
		return PF_ENOMEM;
	for (i = 0; i < rs->nrule; i++) {
		x->first[i] = k;
		for (j = 0; j <= rs->rule[i].nmatch; j++, k++) {
			x->tmpl[k].rule = &rs->rule[i];
			x->tmpl[k].text = j == 0 ? rs->rule[i].text :
			    rs->rule[i].match[j - 1];
			if (pf_terms_of(x->tmpl[k].text, 1, &(*tt)[k]) !=
			    PF_OK || occ_add(o, no, &cap, &(*tt)[k],
			    (uint32_t)k) != PF_OK)
				return PF_ENOMEM;
		}
	}
	x->first[rs->nrule] = k;
	return PF_OK;
}

/* postings - distinct terms, their weights and postings from the sorted
 * occurrences */
static int
postings(struct pf_wordidx *x, const struct occ *o, size_t no)
{
	size_t i, k = 0;

	x->post = malloc((no ? no : 1) * sizeof(*x->post));
	x->term = malloc((no ? no : 1) * sizeof(*x->term));
	x->weight = malloc((no ? no : 1) * sizeof(*x->weight));
	x->off = malloc((no + 1) * sizeof(*x->off));
	if (x->post == NULL || x->term == NULL || x->weight == NULL ||
	    x->off == NULL)
		return PF_ENOMEM;
	for (i = 0; i < no; i++) {
		if (i == 0 || o[i].h != o[i - 1].h) {
			x->term[k] = o[i].h;
			x->off[k++] = i;
		}
		x->post[i] = (struct pf_wpost){ o[i].tmpl, o[i].count };
	}
	x->nterm = k;
	x->off[k] = no;
	for (i = 0; i < k; i++)
		x->weight[i] = log(((double)x->ntmpl + 1.0) /
		    ((double)(x->off[i + 1] - x->off[i]) + 1.0)) + 0.1;
	return PF_OK;
}

/* total_weights - each template's weight, summed in term order */
static void
total_weights(struct pf_wordidx *x, const struct pf_terms *tt)
{
	size_t k, i, s;

	for (k = 0; k < x->ntmpl; k++)
		for (i = 0; i < tt[k].n; i++) {
			s = pf_wordidx_find(x, tt[k].h[i]);
			x->tmpl[k].tw += s == SIZE_MAX ? 1.0 : x->weight[s];
		}
}

/* by_status - the rule indexes sorted by status, file order kept within
 * one status (an insertion sort: a catalog has a few hundred entries) */
static int
by_status(const struct pf_rules *rs, struct pf_wordidx *x)
{
	size_t i, j;

	x->nrule = rs->nrule;
	if ((x->bystatus = malloc((rs->nrule + 1) *
	    sizeof(*x->bystatus))) == NULL)
		return PF_ENOMEM;
	for (i = 0; i < rs->nrule; i++) {
		for (j = i; j > 0 && strcmp(rs->rule[x->bystatus[j - 1]].status,
		    rs->rule[i].status) > 0; j--)
			x->bystatus[j] = x->bystatus[j - 1];
		x->bystatus[j] = i;
	}
	return PF_OK;
}

/* pf_wordidx_new - index the rules' texts */
int
pf_wordidx_new(const struct pf_rules *rs, struct pf_wordidx **out)
{
	struct pf_wordidx *x;
	struct pf_terms *tt = NULL;
	struct occ *o = NULL;
	size_t no = 0, k;
	int rc;

	*out = NULL;
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return PF_ENOMEM;
	rc = templates(rs, x, &tt, &o, &no);
	if (rc == PF_OK) {
		if (no > 1)
			qsort(o, no, sizeof(*o), cmp_occ);
		rc = postings(x, o, no);
	}
	if (rc == PF_OK) {
		total_weights(x, tt);
		rc = by_status(rs, x);
	}
	for (k = 0; tt != NULL && k < x->ntmpl; k++)
		pf_terms_free(&tt[k]);
	free(tt);
	free(o);
	if (rc != PF_OK) {
		pf_wordidx_free(x);
		return rc;
	}
	*out = x;
	return PF_OK;
}

/* pf_wordidx_free - release the index */
void
pf_wordidx_free(struct pf_wordidx *x)
{
	if (x == NULL)
		return;
	free(x->tmpl);
	free(x->first);
	free(x->term);
	free(x->weight);
	free(x->off);
	free(x->post);
	free(x->bystatus);
	free(x);
}

/* pf_wordidx_find - binary search of a term */
size_t
pf_wordidx_find(const struct pf_wordidx *x, uint64_t h)
{
	size_t lo = 0, hi = x->nterm, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (x->term[mid] == h)
			return mid;
		if (x->term[mid] < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SIZE_MAX;
}

/* pf_wordidx_status - the range of bystatus[] with this status */
void
pf_wordidx_status(const struct pf_wordidx *x, const struct pf_rules *rs,
    const char *status, size_t *lo, size_t *hi)
{
	size_t a = 0, b = x->nrule, mid;

	while (a < b) {
		mid = a + (b - a) / 2;
		if (strcmp(rs->rule[x->bystatus[mid]].status, status) < 0)
			a = mid + 1;
		else
			b = mid;
	}
	*lo = a;
	for (b = a; b < x->nrule &&
	    strcmp(rs->rule[x->bystatus[b]].status, status) == 0; b++)
		;
	*hi = b;
}
