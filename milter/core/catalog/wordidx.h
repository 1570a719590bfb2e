/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * wordidx.h - the words of the catalog, indexed once when the rules are
 * loaded: every entry's text and `match` wordings as sorted terms (words and
 * adjacent word pairs, hashed, case and apostrophes ignored, placeholders
 * left out), how rare each term is in the catalog, which templates hold
 * each term (an inverted index), and the entries sorted by reply status.
 * explain scores a reply against it by walking the reply's terms' postings
 * instead of comparing the reply with every template in full.
 */
#ifndef PF_WORDIDX_H
#define PF_WORDIDX_H

#include <stddef.h>
#include <stdint.h>

#include "base/pf.h"

struct pf_rules;
struct pf_rule;

/* a sorted multiset of hashed terms */
struct pf_terms {
	uint64_t	*h;
	size_t		 n, cap;
};

/* one template: an entry's text or one of its `match` wordings */
struct pf_wtmpl {
	const struct pf_rule	*rule;	/* borrowed from the rules */
	const char		*text;	/* borrowed from the rule */
	double			 tw;	/* the weight of all its terms */
};

/* a term's occurrence in a template */
struct pf_wpost {
	uint32_t	tmpl;		/* index in tmpl[] */
	uint32_t	count;		/* how often the template holds it */
};

struct pf_wordidx {
	struct pf_wtmpl	*tmpl;		/* rule order, text then wordings */
	size_t		 ntmpl;
	size_t		*first;		/* per rule: its first template */
	uint64_t	*term;		/* distinct terms, sorted */
	double		*weight;	/* per term: its rarity */
	size_t		*off;		/* per term: postings [off[i], off[i+1]) */
	struct pf_wpost	*post;
	size_t		 nterm;
	size_t		*bystatus;	/* rule indexes by status */
	size_t		 nrule;
};

/* pf_terms_of - the words and word pairs of s, sorted; {placeholders} are
 * skipped when skip_ph is set.  PF_ENOMEM; t must be freed either way. */
int	pf_terms_of(const char *s, int skip_ph, struct pf_terms *t);
void	pf_terms_free(struct pf_terms *);

/* pf_wordidx_new - index the rules' texts.  Owned; PF_ENOMEM. */
int	pf_wordidx_new(const struct pf_rules *, struct pf_wordidx **out);
void	pf_wordidx_free(struct pf_wordidx *);

/* pf_wordidx_find - the slot of term h, or SIZE_MAX when no template
 * holds it */
size_t	pf_wordidx_find(const struct pf_wordidx *, uint64_t h);

/* pf_wordidx_status - the entries with this status, in file order, as a
 * range [*lo, *hi) of bystatus[] */
void	pf_wordidx_status(const struct pf_wordidx *, const struct pf_rules *,
	    const char *status, size_t *lo, size_t *hi);

#endif
