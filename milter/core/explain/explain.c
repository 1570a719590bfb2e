/* SPDX-License-Identifier: BSD-2-Clause */
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
 * The templates' terms, their rarity and which templates hold each term
 * are indexed once when the rules are loaded (catalog/wordidx.c), so a
 * reply costs a walk over its own terms' postings, not a pass over the
 * catalog.
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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "explain/reply.h"
#include "catalog/rules.h"
#include "catalog/wordidx.h"
#include "explain/explain.h"

#define ANCHOR_MAX	3	/* words of context that locate a value */
#define VALUE_MAX	255	/* longest placeholder value kept */

/* scores - every template's similarity to one reply */
struct scores {
	double	*s;		/* per template, 0..1 */
	size_t	 nterm;		/* terms in the reply */
};

/* similarity - how well each template explains the reply, from their
 * terms (sorted multisets), each term weighted by its rarity: two thirds
 * the share of the reply found in the template (replies are often cut
 * short or padded, so the reply's own terms weigh most), one third the
 * share of the template found in the reply (which breaks ties towards the
 * closest wording).  Only the templates that share a term with the reply
 * are visited, through the index's postings; a term no template holds (a
 * domain, an IP, another system's wording) counts as an average word. */
static int
similarity(const struct pf_wordidx *ix, const struct pf_terms *x,
    struct scores *sc)
{
	const struct pf_wpost *p, *pe;
	double *common, xw = 0.0, w;
	size_t i, j, k, slot, cx, n;

	if ((sc->s = calloc(ix->ntmpl + 1, sizeof(*sc->s))) == NULL ||
	    (common = calloc(ix->ntmpl + 1, sizeof(*common))) == NULL) {
		free(sc->s);
		sc->s = NULL;
		return PF_ENOMEM;
	}
	sc->nterm = x->n;
	for (i = 0; i < x->n; i = j) {
		for (j = i + 1; j < x->n && x->h[j] == x->h[i]; j++)
			;
		cx = j - i;
		slot = pf_wordidx_find(ix, x->h[i]);
		w = slot == SIZE_MAX ? 1.0 : ix->weight[slot];
		for (k = 0; k < cx; k++)
			xw += w;
		if (slot == SIZE_MAX)
			continue;
		pe = ix->post + ix->off[slot + 1];
		for (p = ix->post + ix->off[slot]; p < pe; p++)
			for (n = 0; n < cx && n < p->count; n++)
				common[p->tmpl] += w;
	}
	for (k = 0; k < ix->ntmpl; k++)
		if (ix->tmpl[k].tw > 0.0 && xw > 0.0)
			sc->s[k] = (2.0 * common[k] / xw +
			    common[k] / ix->tmpl[k].tw) / 3.0;
	free(common);
	return PF_OK;
}

/* rule_score - the best score over an entry's text and match wordings;
 * *which is the template that gave it */
static double
rule_score(const struct pf_wordidx *ix, size_t ri, const struct scores *sc,
    const char **which)
{
	double best = -1.0;
	size_t k;

	for (k = ix->first[ri]; k < ix->first[ri + 1]; k++)
		if (sc->s[k] > best) {
			best = sc->s[k];
			*which = ix->tmpl[k].text;
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

/* a running best entry */
struct best {
	const struct pf_rule	*rule;
	const char		*tmpl;
	double			 score;
	size_t			 count;		/* entries looked at */
};

/* consider - rule ri as a candidate: the first of equal scores wins */
static void
consider(const struct pf_rules *rs, size_t ri, const struct scores *sc,
    struct best *b)
{
	const char *which = NULL;
	double s = rule_score(rs->words, ri, sc, &which);

	b->count++;
	if (s > b->score) {
		b->score = s;
		b->rule = &rs->rule[ri];
		b->tmpl = which;
	}
}

/* own_status - the best entry with the reply's code and status: the
 * status index gives the entries of one status; a reply without a status
 * is compared with every entry of its code */
static void
own_status(const struct pf_rules *rs, const struct pf_reply *rp,
    const struct scores *sc, struct best *b)
{
	size_t lo, hi, i, ri;

	b->rule = NULL;
	b->score = -1.0;
	b->count = 0;
	if (rp->status[0] == '\0') {
		for (ri = 0; rp->code != 0 && ri < rs->nrule; ri++)
			if (rs->rule[ri].reply == rp->code)
				consider(rs, ri, sc, b);
		return;
	}
	pf_wordidx_status(rs->words, rs, rp->status, &lo, &hi);
	for (i = lo; i < hi; i++) {
		ri = rs->words->bystatus[i];
		if (same_reply(&rs->rule[ri], rp))
			consider(rs, ri, sc, b);
	}
}

/* other_status - the best entry of the same class of reply under another
 * code or status */
static void
other_status(const struct pf_rules *rs, const struct pf_reply *rp,
    const struct scores *sc, struct best *b)
{
	size_t ri;

	b->rule = NULL;
	b->score = -1.0;
	b->count = 0;
	for (ri = 0; ri < rs->nrule; ri++)
		if (same_class(&rs->rule[ri], rp) &&
		    !same_reply(&rs->rule[ri], rp))
			consider(rs, ri, sc, b);
}

/* pf_explain_reply - match a parsed reply; takes ownership of it */
int
pf_explain_reply(const struct pf_rules *rs, struct pf_reply *rp,
    struct pf_explanation *x)
{
	struct pf_terms w = { 0 };
	struct scores sc = { 0 };
	struct best own, other;

	pf_explanation_reset(x);
	x->reply = *rp;
	memset(rp, 0, sizeof(*rp));
	x->kind = PF_X_UNKNOWN;
	if (pf_terms_of(x->reply.text, 0, &w) != PF_OK ||
	    similarity(rs->words, &w, &sc) != PF_OK) {
		pf_terms_free(&w);
		return PF_ENOMEM;
	}
	own_status(rs, &x->reply, &sc, &own);
	/* no text to compare, but only one entry has this code and status */
	if (own.rule != NULL && w.n == 0 && own.count == 1)
		own.score = 1.0;
	if (own.rule != NULL && own.score < PF_EXPLAIN_MIN_SCORE)
		own.rule = NULL;
	if (w.n > 0 && (x->reply.code != 0 || x->reply.status[0] != '\0')) {
		/* an entry under another status, if clearly closer */
		other_status(rs, &x->reply, &sc, &other);
		if (other.rule != NULL &&
		    other.score >= PF_EXPLAIN_MIN_SCORE_OTHER &&
		    (own.rule == NULL ||
		    other.score >= own.score + PF_EXPLAIN_MARGIN))
			own = other;
	}
	pf_terms_free(&w);
	free(sc.s);
	if (own.rule == NULL)
		return PF_OK;
	x->kind = PF_X_MATCH;
	x->rule = own.rule;
	x->score = own.score;
	return extract(own.tmpl, x);
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
