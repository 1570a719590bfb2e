/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * facts.h - the measurements of one message, by name.  C code sets facts;
 * rules (the rules files) name them.  The list lives in facts.def.
 */
#ifndef PF_FACTS_H
#define PF_FACTS_H

#include <stddef.h>
#include <stdint.h>

#include "base/undecided.h"

enum pf_fact_id {
#define PF_FACT(id, name, type, doc)	PF_F_##id,
#include "base/facts.def"
#undef PF_FACT
	PF_F__COUNT
};

enum pf_type { PF_T_NUM = 1, PF_T_BOOL, PF_T_STR };

enum pf_fact_state { PF_FS_UNKNOWN = 0, PF_FS_KNOWN };

struct pf_fact_val {
	/* the value: all zero is unknown, not measured */
	enum pf_fact_state state;
	enum pf_undecided reason;	/* UNKNOWN: why, as a value */
	int64_t	 n;		/* NUM and BOOL */
	char	*s;		/* STR: the value, in buf; NULL otherwise */
	const char *why;	/* UNKNOWN: text for people (in the store's
				 * list of texts), NULL = the reason's own */
	/* last: owned, kept across resets (cap bytes) */
	char	*buf;
	size_t	 cap;
};

/* a text for people, kept until the store is reset: a run of facts made
 * unknown for one reason shares one copy */
struct pf_fact_why {
	struct pf_fact_why *next;
	char	 text[];
};

#define PF_FACTS_WORDS	((PF_F__COUNT + 63) / 64)

struct pf_facts {
	struct pf_fact_val v[PF_F__COUNT];
	struct pf_fact_why *whys;	/* newest first */
	uint64_t set[PF_FACTS_WORDS];	/* facts written since the last
					 * reset: the only ones it clears */
};

/* registry */
int		 pf_fact_lookup(const char *name, size_t len);	/* id or -1 */
const char	*pf_fact_name(int id);
enum pf_type	 pf_fact_type(int id);
const char	*pf_fact_doc(int id);

/* pf_facts_new - all facts unknown ("not measured"); NULL on ENOMEM */
struct pf_facts	*pf_facts_new(void);
void		 pf_facts_free(struct pf_facts *);
/* pf_facts_reset - back to all unknown, freeing strings; clears only the
 * facts set since the last reset */
void		 pf_facts_reset(struct pf_facts *);

/* setters return PF_OK or PF_ENOMEM; the type must match the registry */
int	pf_fact_num(struct pf_facts *, int id, int64_t);
int	pf_fact_bool(struct pf_facts *, int id, int);
int	pf_fact_str(struct pf_facts *, int id, const char *, size_t);
int	pf_fact_strz(struct pf_facts *, int id, const char *);
/* pf_fact_unknown - mark a fact undecidable: the reason, and the text for
 * people (NULL: the reason's own text) */
int	pf_fact_unknown(struct pf_facts *, int id, enum pf_undecided,
	    const char *why);

/* pf_fact_unknown_ids, _range - pf_fact_unknown of several facts for
 * one reason (a list of ids, or the ids first to last) */
int	pf_fact_unknown_ids(struct pf_facts *, const int *ids, size_t n,
	    enum pf_undecided, const char *why);
int	pf_fact_unknown_range(struct pf_facts *, int first, int last,
	    enum pf_undecided, const char *why);

/* getters: borrowed until the next set or reset */
int		 pf_fact_known(const struct pf_facts *, int id);
int64_t		 pf_fact_getn(const struct pf_facts *, int id);
const char	*pf_fact_gets(const struct pf_facts *, int id);	/* "" if unset */
const char	*pf_fact_why(const struct pf_facts *, int id);
/* pf_fact_reason - why an unknown fact is unknown (PF_U_NOT_MEASURED if
 * no module set it); PF_U_NONE for a known fact */
enum pf_undecided pf_fact_reason(const struct pf_facts *, int id);

#endif
