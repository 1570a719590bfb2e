/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tmpl.h - a rule's text or detail with its {placeholders} resolved once,
 * when the rules file is loaded: each becomes literal text (a constant, or
 * a name that is neither fact nor constant) or a fact id, so that filling
 * it for a prediction is a copy of pieces with no lookup by name.
 */
#ifndef PF_TMPL_H
#define PF_TMPL_H

#include "base/facts.h"
#include "catalog/rules.h"

struct pf_tmpl;

/* pf_tmpl_compile - the pieces of template t of rule r, as pf_rules_fill
 * reads it with facts at hand; owned.  NULL when out of memory. */
struct pf_tmpl	*pf_tmpl_compile(const struct pf_rules *,
		    const struct pf_rule *, const char *t);
void		 pf_tmpl_free(struct pf_tmpl *);
/* pf_tmpl_fill - the text with the facts' values; an unknown fact's
 * placeholder stays as {name}.  Owned; NULL when out of memory. */
char		*pf_tmpl_fill(const struct pf_tmpl *, const struct pf_facts *);

#endif
