/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * expr.h - conditions over facts, as written after `when` in a rules file.
 */
#ifndef PF_EXPR_H
#define PF_EXPR_H

#include <stddef.h>
#include <stdint.h>

#include "base/facts.h"

struct pf_expr;

/* resolve a named constant: 1 and *out if name is one, else 0 */
typedef int (*pf_expr_const_fn)(void *arg, const char *name, size_t len,
    int64_t *out);

/* pf_expr_compile - parse and type-check a boolean condition; owned.  NULL
 * with a message in err (no file or line: the caller adds them). */
struct pf_expr	*pf_expr_compile(const char *, size_t, pf_expr_const_fn,
		    void *arg, char *err, size_t errlen);
void		 pf_expr_free(struct pf_expr *);
/* pf_expr_eval - 1 true, 0 false, -1 unknown: *why is the fact whose
 * unknown value left the outcome open */
int		 pf_expr_eval(const struct pf_expr *, const struct pf_facts *,
		    int *why);
/* pf_expr_uses - does the condition read the fact (by its id) */
int		 pf_expr_uses(const struct pf_expr *, int fact);
/* pf_expr_unquote - the body of a quoted string, \" and \\ resolved; owned */
char		*pf_expr_unquote(const char *, size_t);

#endif
