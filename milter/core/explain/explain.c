/*
 * explain.c - name the catalog entry behind a Gmail reply.
 *
 * Real replies differ from the help table: "mail" for "email", a URL
 * instead of the link title, wording from an older version of the page,
 * text cut after the first line by a relay.  So the text is not compared
 * for equality but scored, over its words and adjacent word pairs (case
 * and apostrophes ignored) against an entry's text and each of its `match`
 * wordings.  A term counts by its rarity in the catalog (an inverse
 * document frequency): "RFC 5322 compliant" is in many entries, "duplicate"
 * in few.  Placeholders are wildcards: they are left out of the template.
 *
 * Entries with the reply's code and status are tried first; the best one
 * wins if it scores at least PF_EXPLAIN_MIN_SCORE.  Since Gmail has moved
 * replies between statuses over the years (DMARC rejections were 5.7.1
 * before they were 5.7.26), the entries of the same class of reply (4xx or
 * 5xx) under other statuses are tried too; one of them wins if it scores
 * PF_EXPLAIN_MIN_SCORE_OTHER and beats the best of the reply's own status
 * by PF_EXPLAIN_MARGIN.
 *
 * Placeholder values are read back by anchoring: the words before the
 * placeholder in the template are found in the reply, and the token after
 * them is the value (or the token before the words after it, for a
 * placeholder that opens the text).
 */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "explain/reply.h"
#include "catalog/rules.h"
#include "explain/explain.h"

#define ANCHOR_MAX	3	/* words of context that locate a value */
#define VALUE_MAX	255	/* longest placeholder value kept */

struct words {
	uint64_t	*h;
	size_t		 n, cap;
};

/* word_byte - does c belong to a word (apostrophes are dropped, not
 * separators: "doesn't" and "doesn’t" are the word "doesnt") */
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

/* words_add - append a hashed term */
static int
words_add(struct words *w, uint64_t h)
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
split(const char *s, int skip_ph, struct words *w)
{
	const char *p = s, *end = s + strlen(s);
	uint64_t h;
	size_t a;
	int in = 0;

	h = 0;
	while (p < end) {
		if (skip_ph && *p == '{') {
			const char *q = memchr(p, '}', (size_t)(end - p));

			if (q != NULL) {
				if (in && words_add(w, h) != PF_OK)
					return PF_ENOMEM;
				in = 0;
				p = q + 1;
				continue;
			}
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
			if (words_add(w, h) != PF_OK)
				return PF_ENOMEM;
			in = 0;
		}
		p++;
	}
	if (in && words_add(w, h) != PF_OK)
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

/* pairs - append the adjacent word pairs of w, hashed, to w */
static int
pairs(struct words *w)
{
	size_t i, n = w->n;

	for (i = 0; i + 1 < n; i++)
		if (words_add(w, w->h[i] * 1000003ULL ^ w->h[i + 1]) != PF_OK)
			return PF_ENOMEM;
	return PF_OK;
}

/* terms - the words and word pairs of s, sorted */
static int
terms(const char *s, int skip_ph, struct words *t)
{
	struct words w = { 0 };
	int rc;

	if ((rc = split(s, skip_ph, &w)) == PF_OK &&
	    (rc = pairs(&w)) == PF_OK && w.n > 0)
		qsort(w.h, w.n, sizeof(*w.h), cmp_u64);
	if (rc != PF_OK) {
		free(w.h);
		return rc;
	}
	*t = w;
	return PF_OK;
}

/* weights - how rare each term is in the catalog: a word that every entry
 * has ("message", "information") tells entries apart less than one that few
 * have ("duplicate", "PTR") */
struct weights {
	uint64_t	*h;	/* distinct terms, sorted */
	uint32_t	*df;	/* templates that hold each */
	size_t		 n;
	size_t		 ntmpl;
};

/* weights_add - count each distinct term of tmpl once */
static int
weights_add(struct words *all, const char *tmpl)
{
	struct words t = { 0 };
	size_t i;
	int rc;

	if ((rc = terms(tmpl, 1, &t)) != PF_OK)
		return rc;
	for (i = 0; i < t.n && rc == PF_OK; i++)
		if (i == 0 || t.h[i] != t.h[i - 1])
			rc = words_add(all, t.h[i]);
	free(t.h);
	return rc;
}

/* weights_build - the rarity of every term of the catalog */
static int
weights_build(const struct pf_rules *rs, struct weights *wt)
{
	struct words all = { 0 };
	size_t i, j, k;
	int rc = PF_OK;

	memset(wt, 0, sizeof(*wt));
	for (i = 0; i < rs->nrule && rc == PF_OK; i++) {
		rc = weights_add(&all, rs->rule[i].text);
		wt->ntmpl++;
		for (j = 0; j < rs->rule[i].nmatch && rc == PF_OK; j++) {
			rc = weights_add(&all, rs->rule[i].match[j]);
			wt->ntmpl++;
		}
	}
	if (rc == PF_OK && all.n > 0) {
		qsort(all.h, all.n, sizeof(*all.h), cmp_u64);
		wt->h = malloc(all.n * sizeof(*wt->h));
		wt->df = malloc(all.n * sizeof(*wt->df));
		if (wt->h == NULL || wt->df == NULL)
			rc = PF_ENOMEM;
		for (i = 0, k = 0; rc == PF_OK && i < all.n; i++) {
			if (k > 0 && wt->h[k - 1] == all.h[i]) {
				wt->df[k - 1]++;
				continue;
			}
			wt->h[k] = all.h[i];
			wt->df[k++] = 1;
		}
		wt->n = k;
	}
	free(all.h);
	return rc;
}

/* weights_free - release the table */
static void
weights_free(struct weights *wt)
{
	free(wt->h);
	free(wt->df);
	memset(wt, 0, sizeof(*wt));
}

/* weight - log((templates + 1) / (templates holding it + 1)), plus a floor
 * so that common words still count a little; a term no template holds
 * (a domain, an IP, another system's wording) counts as an average word */
static double
weight(const struct weights *wt, uint64_t h)
{
	size_t lo = 0, hi = wt->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (wt->h[mid] == h)
			return log(((double)wt->ntmpl + 1.0) /
			    ((double)wt->df[mid] + 1.0)) + 0.1;
		if (wt->h[mid] < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 1.0;
}

/* similarity - how well a template explains a reply, from their terms
 * (sorted multisets), each term weighted by its rarity: two thirds the
 * share of the reply found in the template (replies are often cut short
 * or padded, so the reply's own terms weigh most), one third the share of
 * the template found in the reply (which breaks ties towards the closest
 * wording); 0..1 */
static double
similarity(const struct words *t, const struct words *x,
    const struct weights *wt)
{
	size_t i = 0, j = 0;
	double common = 0.0, tw = 0.0, xw = 0.0, w;

	while (i < t->n || j < x->n) {
		if (j >= x->n || (i < t->n && t->h[i] < x->h[j])) {
			tw += weight(wt, t->h[i++]);
		} else if (i >= t->n || x->h[j] < t->h[i]) {
			xw += weight(wt, x->h[j++]);
		} else {
			w = weight(wt, t->h[i]);
			common += w;
			tw += w;
			xw += w;
			i++;
			j++;
		}
	}
	if (tw <= 0.0 || xw <= 0.0)
		return 0.0;
	return (2.0 * common / xw + common / tw) / 3.0;
}

/* rule_score - the best score over an entry's text and match wordings;
 * *which is the template that gave it; -1 on ENOMEM */
static double
rule_score(const struct pf_rule *r, const struct words *x,
    const struct weights *wt, const char **which)
{
	struct words t;
	double best = -1.0, s;
	size_t i;

	for (i = 0; i <= r->nmatch; i++) {
		const char *tmpl = i == 0 ? r->text : r->match[i - 1];

		if (terms(tmpl, 1, &t) != PF_OK)
			return -1.0;
		s = similarity(&t, x, wt);
		free(t.h);
		if (s > best) {
			best = s;
			*which = tmpl;
		}
	}
	return best;
}

/* same_reply - the entry has the reply's code (if known) and status */
static int
same_reply(const struct pf_rule *r, const struct pf_reply *rp)
{
	if (rp->code != 0 && r->reply != rp->code)
		return 0;
	if (rp->status[0] == '\0')
		return rp->code != 0;
	return strcmp(r->status, rp->status) == 0;
}

/* same_class - 4xx with 4xx, 5xx with 5xx */
static int
same_class(const struct pf_rule *r, const struct pf_reply *rp)
{
	int c = rp->code != 0 ? rp->code / 100 : rp->status[0] - '0';

	return r->reply / 100 == c;
}

/* --- placeholder values --- */

struct rtok {
	const char	*p;		/* raw token */
	size_t		 len;
	char		 norm[64];	/* lower-case ASCII letters, digits */
};

/* normalize - letters and digits of [p, p+len), lower case, into out */
static void
normalize(const char *p, size_t len, char *out, size_t osz)
{
	size_t i, o = 0;

	for (i = 0; i < len && o + 1 < osz; i++)
		if ((unsigned char)p[i] < 0x80 && isalnum((unsigned char)p[i]))
			out[o++] = (char)tolower((unsigned char)p[i]);
	out[o] = '\0';
}

/* rtokens - white-space tokens of s whose normalized form is not empty,
 * plus those that hold a {placeholder} when tmpl is set */
static struct rtok *
rtokens(const char *s, int tmpl, size_t *n)
{
	struct rtok *v;
	const char *p = s, *q;
	size_t cap = strlen(s) / 2 + 1, k = 0;

	if ((v = calloc(cap, sizeof(*v))) == NULL)
		return NULL;
	while (*p != '\0' && k < cap) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		for (q = p; *q != '\0' && !isspace((unsigned char)*q); q++)
			;
		v[k].p = p;
		v[k].len = (size_t)(q - p);
		if (tmpl && memchr(p, '{', v[k].len) != NULL)
			memcpy(v[k].norm, "{", 2);
		else
			normalize(p, v[k].len, v[k].norm, sizeof(v[k].norm));
		if (v[k].norm[0] != '\0')
			k++;
		p = q;
	}
	*n = k;
	return v;
}

/* ph_name - the name of the first {placeholder} in a template token */
static int
ph_name(const struct rtok *t, char *out, size_t osz)
{
	const char *a = memchr(t->p, '{', t->len), *b;
	size_t n;

	if (a == NULL ||
	    (b = memchr(a, '}', t->len - (size_t)(a - t->p))) == NULL)
		return 0;
	n = (size_t)(b - a - 1);
	if (n == 0 || n >= osz)
		return 0;
	memcpy(out, a + 1, n);
	out[n] = '\0';
	return 1;
}

/* trim_value - strip the punctuation around a value token */
static void
trim_value(const char **p, size_t *len)
{
	while (*len > 0 && strchr("[(<\"'", **p) != NULL) {
		(*p)++;
		(*len)--;
	}
	while (*len > 0 && strchr("])>.,;:\"'", (*p)[*len - 1]) != NULL)
		(*len)--;
}

/* seq_at - do reply tokens x[j..] match template tokens t[a..b) */
static int
seq_at(const struct rtok *x, size_t nx, size_t j, const struct rtok *t,
    size_t a, size_t b)
{
	size_t i;

	if (j + (b - a) > nx)
		return 0;
	for (i = a; i < b; i++)
		if (strcmp(x[j + i - a].norm, t[i].norm) != 0)
			return 0;
	return 1;
}

/* find_value - the reply token that stands where template token t[i]
 * does; SIZE_MAX if it cannot be located */
static size_t
find_value(const struct rtok *t, size_t nt, size_t i, const struct rtok *x,
    size_t nx)
{
	size_t a, b, j;

	/* the words before it, back to the previous placeholder */
	for (a = i; a > 0 && i - a < ANCHOR_MAX && t[a - 1].norm[0] != '{';
	    a--)
		;
	if (a < i) {
		for (j = 0; j < nx; j++)
			if (seq_at(x, nx, j, t, a, i) && j + (i - a) < nx)
				return j + (i - a);
		return SIZE_MAX;
	}
	/* or the words after it */
	for (b = i + 1; b < nt && b - i - 1 < ANCHOR_MAX &&
	    t[b].norm[0] != '{'; b++)
		;
	if (b > i + 1)
		for (j = 1; j < nx; j++)
			if (seq_at(x, nx, j, t, i + 1, b))
				return j - 1;
	return SIZE_MAX;
}

/* looks_ip - could the value be an IPv4 or IPv6 address */
static int
looks_ip(const char *p, size_t len)
{
	size_t i;
	int digit = 0, sep = 0;

	for (i = 0; i < len; i++) {
		if (isdigit((unsigned char)p[i]))
			digit = 1;
		else if (p[i] == '.' || p[i] == ':')
			sep = 1;
		else if (!isxdigit((unsigned char)p[i]))
			return 0;
	}
	return digit && sep;
}

/* has_value - a value for the placeholder was read already */
static int
has_value(const struct pf_explanation *x, const char *name)
{
	size_t i;

	for (i = 0; i < x->nph; i++)
		if (strcmp(x->ph[i].name, name) == 0)
			return 1;
	return 0;
}

/* add_value - record a placeholder value (the first one wins) */
static int
add_value(struct pf_explanation *x, const char *name, const char *v,
    size_t len)
{
	struct pf_xvalue *nv;

	if (len == 0 || len > VALUE_MAX || has_value(x, name))
		return PF_OK;
	if (strcmp(name, "ip-address") == 0 && !looks_ip(v, len))
		return PF_OK;
	if ((nv = realloc(x->ph, (x->nph + 1) * sizeof(*nv))) == NULL)
		return PF_ENOMEM;
	x->ph = nv;
	nv = &x->ph[x->nph];
	nv->name = strdup(name);
	nv->value = strndup(v, len);
	if (nv->name == NULL || nv->value == NULL) {
		free(nv->name);
		free(nv->value);
		return PF_ENOMEM;
	}
	x->nph++;
	return PF_OK;
}

/* extract - placeholder values of tmpl from the reply text */
static int
extract(const char *tmpl, struct pf_explanation *x)
{
	struct rtok *t, *v;
	size_t nt, nv, i, j, len;
	const char *p;
	char name[64];
	int rc = PF_OK;

	if ((t = rtokens(tmpl, 1, &nt)) == NULL)
		return PF_ENOMEM;
	if ((v = rtokens(x->reply.text, 0, &nv)) == NULL) {
		free(t);
		return PF_ENOMEM;
	}
	for (i = 0; i < nt && rc == PF_OK; i++) {
		if (t[i].norm[0] != '{' || !ph_name(&t[i], name, sizeof(name)))
			continue;
		if ((j = find_value(t, nt, i, v, nv)) == SIZE_MAX)
			continue;
		/* the value is missing if the next template word is there */
		if (i + 1 < nt && strcmp(v[j].norm, t[i + 1].norm) == 0)
			continue;
		p = v[j].p;
		len = v[j].len;
		trim_value(&p, &len);
		rc = add_value(x, name, p, len);
	}
	if (rc == PF_OK && x->reply.ip[0] != '\0' &&
	    strstr(tmpl, "{ip-address}") != NULL)
		rc = add_value(x, "ip-address", x->reply.ip,
		    strlen(x->reply.ip));
	free(t);
	free(v);
	return rc;
}

/* --- matching --- */

/* best_of - the best entry among those pass() accepts */
static const struct pf_rule *
best_of(const struct pf_rules *rs, const struct pf_reply *rp,
    const struct words *w, const struct weights *wt,
    int (*pass)(const struct pf_rule *, const struct pf_reply *),
    double *score, const char **tmpl, size_t *count)
{
	const struct pf_rule *best = NULL;
	const char *which;
	double s;
	size_t i;

	*score = -1.0;
	*count = 0;
	for (i = 0; i < rs->nrule; i++) {
		if (!pass(&rs->rule[i], rp))
			continue;
		(*count)++;
		s = rule_score(&rs->rule[i], w, wt, &which);
		if (s > *score) {
			*score = s;
			best = &rs->rule[i];
			*tmpl = which;
		}
	}
	return best;
}

/* other_status - same class of reply, another code or status */
static int
other_status(const struct pf_rule *r, const struct pf_reply *rp)
{
	return same_class(r, rp) && !same_reply(r, rp);
}

/* pf_explain_reply - match a parsed reply; takes ownership of it */
int
pf_explain_reply(const struct pf_rules *rs, struct pf_reply *rp,
    struct pf_explanation *x)
{
	const struct pf_rule *r, *r2;
	const char *tmpl = NULL, *tmpl2 = NULL;
	struct words w = { 0 };
	struct weights wt;
	double score, score2;
	size_t count;

	pf_explanation_reset(x);
	x->reply = *rp;
	memset(rp, 0, sizeof(*rp));
	x->kind = PF_X_UNKNOWN;
	if (weights_build(rs, &wt) != PF_OK ||
	    terms(x->reply.text, 0, &w) != PF_OK) {
		weights_free(&wt);
		return PF_ENOMEM;
	}
	r = best_of(rs, &x->reply, &w, &wt, same_reply, &score, &tmpl,
	    &count);
	/* no text to compare, but only one entry has this code and status */
	if (r != NULL && w.n == 0 && count == 1)
		score = 1.0;
	if (r != NULL && score < PF_EXPLAIN_MIN_SCORE)
		r = NULL;
	if (w.n > 0 && (x->reply.code != 0 || x->reply.status[0] != '\0')) {
		/* an entry under another status, if clearly closer */
		r2 = best_of(rs, &x->reply, &w, &wt, other_status, &score2,
		    &tmpl2, &count);
		if (r2 != NULL && score2 >= PF_EXPLAIN_MIN_SCORE_OTHER &&
		    (r == NULL || score2 >= score + PF_EXPLAIN_MARGIN)) {
			r = r2;
			score = score2;
			tmpl = tmpl2;
		}
	}
	free(w.h);
	weights_free(&wt);
	if (r == NULL)
		return PF_OK;
	x->kind = PF_X_MATCH;
	x->rule = r;
	x->score = score;
	return extract(tmpl, x);
}

/* pf_explain - parse and match */
int
pf_explain(const struct pf_rules *rs, const char *in, size_t len,
    struct pf_explanation *x, struct pf_err *err)
{
	struct pf_reply rp = { 0 };
	int rc;

	pf_explanation_reset(x);
	if ((rc = pf_reply_parse(in, len, &rp, err)) != PF_OK) {
		pf_reply_reset(&rp);
		return rc;
	}
	if ((rc = pf_explain_reply(rs, &rp, x)) != PF_OK)
		return pf_err_set(err, rc, "out of memory");
	return PF_OK;
}

/* pf_explanation_reset - free everything and clear */
void
pf_explanation_reset(struct pf_explanation *x)
{
	size_t i;

	pf_reply_reset(&x->reply);
	for (i = 0; i < x->nph; i++) {
		free(x->ph[i].name);
		free(x->ph[i].value);
	}
	free(x->ph);
	memset(x, 0, sizeof(*x));
}
