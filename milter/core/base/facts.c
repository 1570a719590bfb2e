/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * facts.c - the fact registry (from facts.def) and the per-message store of
 * values.  Every fact is unknown until the module that owns it sets it.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "base/facts.h"

/* a string buffer larger than this is given back at a reset */
#define KEEP_MAX	4096

static const struct {
	const char	*name;
	enum pf_type	 type;
	const char	*doc;
} registry[PF_F__COUNT] = {
#define PF_FACT(id, name, type, doc)	{ name, PF_T_##type, doc },
#include "base/facts.def"
#undef PF_FACT
};

/* pf_fact_lookup - id of the fact with this name, or -1 */
int
pf_fact_lookup(const char *name, size_t len)
{
	int i;

	for (i = 0; i < PF_F__COUNT; i++)
		if (strlen(registry[i].name) == len &&
		    memcmp(registry[i].name, name, len) == 0)
			return i;
	return -1;
}

const char *
pf_fact_name(int id)
{
	return id >= 0 && id < PF_F__COUNT ? registry[id].name : "?";
}

enum pf_type
pf_fact_type(int id)
{
	return registry[id].type;
}

const char *
pf_fact_doc(int id)
{
	return registry[id].doc;
}

/* pf_facts_new - a store with every fact unknown */
struct pf_facts *
pf_facts_new(void)
{
	return calloc(1, sizeof(struct pf_facts));
}

/* forget - one fact back to unknown; its string buffer stays for the
 * next value unless it is large */
static void
forget(struct pf_fact_val *v)
{
	if (v->cap > KEEP_MAX) {
		free(v->buf);
		v->buf = NULL;
		v->cap = 0;
	}
	memset(v, 0, offsetof(struct pf_fact_val, buf));
}

/* pf_facts_reset - forget every value: only the facts written since the
 * last reset can differ from unknown, so only those are cleared */
void
pf_facts_reset(struct pf_facts *f)
{
	struct pf_fact_why *w, *next;
	uint64_t bits;
	int i;

	for (i = 0; i < PF_FACTS_WORDS; i++) {
		for (bits = f->set[i]; bits != 0; bits &= bits - 1)
			forget(&f->v[i * 64 + __builtin_ctzll(bits)]);
		f->set[i] = 0;
	}
	for (w = f->whys; w != NULL; w = next) {
		next = w->next;
		free(w);
	}
	f->whys = NULL;
}

void
pf_facts_free(struct pf_facts *f)
{
	int i;

	if (f == NULL)
		return;
	pf_facts_reset(f);
	for (i = 0; i < PF_F__COUNT; i++)
		free(f->v[i].buf);
	free(f);
}

/* clear - drop the old value of one fact, about to be written, and note
 * it for the next reset */
static void
clear(struct pf_facts *f, int id)
{
	struct pf_fact_val *v = &f->v[id];

	f->set[id / 64] |= UINT64_C(1) << (id % 64);
	memset(v, 0, offsetof(struct pf_fact_val, buf));
}

int
pf_fact_num(struct pf_facts *f, int id, int64_t n)
{
	clear(f, id);
	f->v[id].state = PF_FS_KNOWN;
	f->v[id].n = n;
	return PF_OK;
}

int
pf_fact_bool(struct pf_facts *f, int id, int b)
{
	return pf_fact_num(f, id, b != 0);
}

/* pf_fact_str - a copy of s, in the fact's own buffer (grown when too
 * small; s may be the fact's current value) */
int
pf_fact_str(struct pf_facts *f, int id, const char *s, size_t len)
{
	struct pf_fact_val *v = &f->v[id];
	size_t cap;
	char *p;

	if (len + 1 > v->cap) {
		for (cap = v->cap ? v->cap : 32; cap < len + 1; cap *= 2)
			;
		if ((p = malloc(cap)) == NULL)
			return PF_ENOMEM;
		memcpy(p, s, len);
		free(v->buf);
		v->buf = p;
		v->cap = cap;
	} else
		memmove(v->buf, s, len);
	v->buf[len] = '\0';
	clear(f, id);
	v->state = PF_FS_KNOWN;
	v->s = v->buf;
	return PF_OK;
}

int
pf_fact_strz(struct pf_facts *f, int id, const char *s)
{
	return pf_fact_str(f, id, s ? s : "", s ? strlen(s) : 0);
}

/* keep_why - the store's copy of a text for people: the newest one when
 * it is the same text (facts made unknown in a run), else a new one */
static const char *
keep_why(struct pf_facts *f, const char *why)
{
	struct pf_fact_why *w;
	size_t n;

	if (f->whys != NULL && (f->whys->text == why ||
	    strcmp(f->whys->text, why) == 0))
		return f->whys->text;
	n = strlen(why);
	if ((w = malloc(sizeof(*w) + n + 1)) == NULL)
		return NULL;
	memcpy(w->text, why, n + 1);
	w->next = f->whys;
	f->whys = w;
	return w->text;
}

int
pf_fact_unknown(struct pf_facts *f, int id, enum pf_undecided reason,
    const char *why)
{
	const char *copy = NULL;

	if (why != NULL && (copy = keep_why(f, why)) == NULL)
		return PF_ENOMEM;
	clear(f, id);
	f->v[id].reason = reason;
	f->v[id].why = copy;
	return PF_OK;
}

/* pf_fact_unknown_ids - pf_fact_unknown of each fact of a list, for one
 * reason: the text is looked up and copied once */
int
pf_fact_unknown_ids(struct pf_facts *f, const int *ids, size_t n,
    enum pf_undecided reason, const char *why)
{
	const char *copy = NULL;
	size_t i;

	if (why != NULL && (copy = keep_why(f, why)) == NULL)
		return PF_ENOMEM;
	for (i = 0; i < n; i++) {
		clear(f, ids[i]);
		f->v[ids[i]].reason = reason;
		f->v[ids[i]].why = copy;
	}
	return PF_OK;
}

/* pf_fact_unknown_range - the same for the facts first to last */
int
pf_fact_unknown_range(struct pf_facts *f, int first, int last,
    enum pf_undecided reason, const char *why)
{
	const char *copy = NULL;
	int id;

	if (why != NULL && (copy = keep_why(f, why)) == NULL)
		return PF_ENOMEM;
	for (id = first; id <= last; id++) {
		clear(f, id);
		f->v[id].reason = reason;
		f->v[id].why = copy;
	}
	return PF_OK;
}

int
pf_fact_known(const struct pf_facts *f, int id)
{
	return f->v[id].state == PF_FS_KNOWN;
}

int64_t
pf_fact_getn(const struct pf_facts *f, int id)
{
	return f->v[id].n;
}

const char *
pf_fact_gets(const struct pf_facts *f, int id)
{
	return f->v[id].s ? f->v[id].s : "";
}

const char *
pf_fact_why(const struct pf_facts *f, int id)
{
	return f->v[id].why ? f->v[id].why :
	    pf_undecided_text(pf_fact_reason(f, id));
}

enum pf_undecided
pf_fact_reason(const struct pf_facts *f, int id)
{
	if (f->v[id].state == PF_FS_KNOWN)
		return PF_U_NONE;
	return f->v[id].reason != PF_U_NONE ? f->v[id].reason :
	    PF_U_NOT_MEASURED;
}
