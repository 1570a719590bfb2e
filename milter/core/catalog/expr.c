/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * expr.c - the condition language of the rules files (docs/rules.md):
 * lexer, recursive-descent parser with types checked at compile time, and
 * a three-valued (Kleene) evaluator over the facts of one message.  A
 * compiled condition is immutable; many threads may evaluate it at once.
 * Input trusted: none; nesting is capped, numbers are range-checked.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "base/facts.h"
#include "catalog/expr.h"

#define EXPR_DEPTH_MAX	64	/* nesting of a condition */

enum expr_op {
	E_NUM, E_STR, E_BOOL, E_FACT, E_AND, E_OR, E_NOT,
	E_EQ, E_NE, E_LT, E_LE, E_GT, E_GE
};

struct pf_expr {
	enum expr_op	 op;
	enum pf_type	 type;		/* type of the result */
	int64_t		 n;		/* E_NUM, E_BOOL */
	char		*s;		/* E_STR */
	int		 fact;		/* E_FACT */
	struct pf_expr	*l, *r;
	/* E_AND, E_OR at the top of a chain of the same operator: its
	 * operands in order, borrowed from the tree (see flatten) */
	struct pf_expr	**kid;
	size_t		 nkid;
	/* the usual operands of a chain, read without looking at the
	 * operand nodes: what kind (enum leaf_kind), which fact, and the
	 * constant compared with (see flatten) */
	int		 lk;
	int		 lfact;
	int64_t		 ln;
	const char	*ls;
};

enum leaf_kind {
	LK_OTHER, LK_FACT, LK_NOT_FACT, LK_CMP_NUM, LK_CMP_STR
};

/* pf_expr_free - release a condition tree */
void
pf_expr_free(struct pf_expr *e)
{
	if (e == NULL)
		return;
	pf_expr_free(e->l);
	pf_expr_free(e->r);
	free(e->kid);
	free(e->s);
	free(e);
}

/* pf_expr_uses - does the condition read the fact */
int
pf_expr_uses(const struct pf_expr *e, int fact)
{
	if (e == NULL)
		return 0;
	if (e->op == E_FACT && e->fact == fact)
		return 1;
	return pf_expr_uses(e->l, fact) || pf_expr_uses(e->r, fact);
}

enum tok {
	T_END, T_NUM, T_STR, T_NAME, T_LP, T_RP, T_EQ, T_NE, T_LT, T_LE,
	T_GT, T_GE, T_AND, T_OR, T_NOT, T_TRUE, T_FALSE, T_BAD
};

struct lexer {
	const char	*p, *end;
	enum tok	 tok;
	const char	*tp;		/* token text */
	size_t		 tlen;
	int		 depth;
	pf_expr_const_fn cst;
	void		*arg;
	char		*err;
	size_t		 errlen;
	int		 failed;
};

static int
isname(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '-';
}

/* lex_string - p at '"': a string token without its quotes; T_BAD when
 * it is not closed */
static void
lex_string(struct lexer *lx, const char *p)
{
	const char *q = p + 1;

	while (q < lx->end && *q != '"') {
		if (*q == '\\' && q + 1 < lx->end)
			q++;
		q++;
	}
	if (q >= lx->end) {
		lx->tok = T_BAD;
		lx->p = lx->end;
		return;
	}
	lx->tok = T_STR;
	lx->tp = p + 1;
	lx->tlen = (size_t)(q - p - 1);
	lx->p = q + 1;
}

/* lex_word - p at a letter or '_': a keyword or a name */
static void
lex_word(struct lexer *lx, const char *p)
{
	static const struct { const char *w; enum tok t; } kw[] = {
		{ "and", T_AND }, { "or", T_OR }, { "not", T_NOT },
		{ "true", T_TRUE }, { "false", T_FALSE },
	};
	const char *q = p;
	size_t i;

	while (q < lx->end && isname((unsigned char)*q))
		q++;
	lx->tlen = (size_t)(q - p);
	lx->p = q;
	lx->tok = T_NAME;
	for (i = 0; i < PF_NELEM(kw); i++)
		if (lx->tlen == strlen(kw[i].w) &&
		    memcmp(p, kw[i].w, lx->tlen) == 0)
			lx->tok = kw[i].t;
}

/* lex_op - a parenthesis or a comparison; T_BAD for anything else */
static void
lex_op(struct lexer *lx, const char *p)
{
	lx->tlen = 1;
	lx->p = p + 1;
	switch (*p) {
	case '(':
		lx->tok = T_LP;
		return;
	case ')':
		lx->tok = T_RP;
		return;
	case '=':
	case '!':
	case '<':
	case '>':
		if (p + 1 < lx->end && p[1] == '=') {
			lx->tlen = 2;
			lx->p = p + 2;
			lx->tok = *p == '=' ? T_EQ : *p == '!' ? T_NE :
			    *p == '<' ? T_LE : T_GE;
			return;
		}
		if (*p == '<' || *p == '>') {
			lx->tok = *p == '<' ? T_LT : T_GT;
			return;
		}
		/* FALLTHROUGH */
	default:
		lx->tok = T_BAD;
	}
}

/* next - advance to the next token of a condition */
static void
next(struct lexer *lx)
{
	const char *p = lx->p, *q;

	while (p < lx->end && isspace((unsigned char)*p))
		p++;
	lx->tp = p;
	lx->tlen = 0;
	if (p >= lx->end) {
		lx->tok = T_END;
		lx->p = p;
	} else if (*p == '"')
		lex_string(lx, p);
	else if (isdigit((unsigned char)*p)) {
		for (q = p; q < lx->end && isdigit((unsigned char)*q); q++)
			;
		lx->tok = T_NUM;
		lx->tlen = (size_t)(q - p);
		lx->p = q;
	} else if (isalpha((unsigned char)*p) || *p == '_')
		lex_word(lx, p);
	else
		lex_op(lx, p);
}

static struct pf_expr *parse_or(struct lexer *);

static struct pf_expr *
node(enum expr_op op, enum pf_type type)
{
	struct pf_expr *e = calloc(1, sizeof(*e));

	if (e != NULL) {
		e->op = op;
		e->type = type;
		e->fact = -1;
	}
	return e;
}

/* pf_expr_unquote - copy a quoted string's body, resolving \" and \\ */
char *
pf_expr_unquote(const char *p, size_t len)
{
	char *s = malloc(len + 1), *o = s;
	size_t i;

	if (s == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		if (p[i] == '\\' && i + 1 < len)
			i++;
		*o++ = p[i];
	}
	*o = '\0';
	return s;
}

static struct pf_expr *
lexfail(struct lexer *lx, const char *fmt, const char *arg)
{
	if (!lx->failed) {
		snprintf(lx->err, lx->errlen, fmt, arg ? arg : "");
		lx->failed = 1;
	}
	return NULL;
}

/* parse_term - NUMBER | STRING | true | false | NAME | ( expr ) */
static struct pf_expr *
parse_term(struct lexer *lx)
{
	struct pf_expr *e;
	char name[128];

	switch (lx->tok) {
	case T_NUM:
		if ((e = node(E_NUM, PF_T_NUM)) == NULL)
			return lexfail(lx, "out of memory", NULL);
		if (pf_strtonum(lx->tp, lx->tlen, 0, INT64_MAX, &e->n) !=
		    PF_OK) {
			free(e);
			return lexfail(lx, "number out of range", NULL);
		}
		next(lx);
		return e;
	case T_STR:
		if ((e = node(E_STR, PF_T_STR)) == NULL ||
		    (e->s = pf_expr_unquote(lx->tp, lx->tlen)) == NULL) {
			free(e);
			return lexfail(lx, "out of memory", NULL);
		}
		next(lx);
		return e;
	case T_TRUE:
	case T_FALSE:
		if ((e = node(E_BOOL, PF_T_BOOL)) == NULL)
			return lexfail(lx, "out of memory", NULL);
		e->n = lx->tok == T_TRUE;
		next(lx);
		return e;
	case T_NAME: {
		int64_t cv;
		int id;

		snprintf(name, sizeof(name), "%.*s", (int)lx->tlen, lx->tp);
		if (lx->cst != NULL && lx->cst(lx->arg, lx->tp, lx->tlen, &cv)) {
			if ((e = node(E_NUM, PF_T_NUM)) == NULL)
				return lexfail(lx, "out of memory", NULL);
			e->n = cv;
		} else if ((id = pf_fact_lookup(lx->tp, lx->tlen)) >= 0) {
			if ((e = node(E_FACT, pf_fact_type(id))) == NULL)
				return lexfail(lx, "out of memory", NULL);
			e->fact = id;
		} else
			return lexfail(lx, "unknown fact or constant '%s'",
			    name);
		next(lx);
		return e;
	}
	case T_LP:
		if (++lx->depth > EXPR_DEPTH_MAX)
			return lexfail(lx, "condition nested too deeply",
			    NULL);
		next(lx);
		if ((e = parse_or(lx)) == NULL)
			return NULL;
		if (lx->tok != T_RP) {
			pf_expr_free(e);
			return lexfail(lx, "missing ')' in condition", NULL);
		}
		lx->depth--;
		next(lx);
		return e;
	case T_END:
		return lexfail(lx, "condition ends too early", NULL);
	default:
		snprintf(name, sizeof(name), "%.*s", (int)lx->tlen, lx->tp);
		return lexfail(lx, "unexpected '%s' in condition", name);
	}
}

static const char *
type_name(enum pf_type t)
{
	return t == PF_T_NUM ? "number" : t == PF_T_BOOL ? "boolean" :
	    "string";
}

/* pair - a boolean node over l and r; both are freed when it fails */
static struct pf_expr *
pair(struct lexer *lx, enum expr_op op, struct pf_expr *l, struct pf_expr *r)
{
	struct pf_expr *e;

	if ((e = node(op, PF_T_BOOL)) == NULL) {
		pf_expr_free(l);
		pf_expr_free(r);
		return lexfail(lx, "out of memory", NULL);
	}
	e->l = l;
	e->r = r;
	return e;
}

/* parse_cmp - term [op term], with the operand types checked */
static struct pf_expr *
parse_cmp(struct lexer *lx)
{
	struct pf_expr *l, *r;
	enum expr_op op;
	char msg[128];

	if ((l = parse_term(lx)) == NULL)
		return NULL;
	switch (lx->tok) {
	case T_EQ: op = E_EQ; break;
	case T_NE: op = E_NE; break;
	case T_LT: op = E_LT; break;
	case T_LE: op = E_LE; break;
	case T_GT: op = E_GT; break;
	case T_GE: op = E_GE; break;
	default:
		return l;
	}
	next(lx);
	if ((r = parse_term(lx)) == NULL) {
		pf_expr_free(l);
		return NULL;
	}
	if (l->type != r->type ||
	    (op != E_EQ && op != E_NE && l->type != PF_T_NUM)) {
		snprintf(msg, sizeof(msg), "cannot compare a %s with a %s",
		    type_name(l->type), type_name(r->type));
		if (l->type == r->type)
			snprintf(msg, sizeof(msg),
			    "ordering needs numbers, not a %s",
			    type_name(l->type));
		pf_expr_free(l);
		pf_expr_free(r);
		return lexfail(lx, "%s", msg);
	}
	return pair(lx, op, l, r);
}

/* want_bool - a logical operand must be boolean */
static struct pf_expr *
want_bool(struct lexer *lx, struct pf_expr *e, const char *what)
{
	char msg[128];

	if (e != NULL && e->type != PF_T_BOOL) {
		snprintf(msg, sizeof(msg), "'%s' needs a boolean, not a %s",
		    what, type_name(e->type));
		pf_expr_free(e);
		return lexfail(lx, "%s", msg);
	}
	return e;
}

static struct pf_expr *
parse_not(struct lexer *lx)
{
	struct pf_expr *e, *n;

	if (lx->tok != T_NOT)
		return parse_cmp(lx);
	if (++lx->depth > EXPR_DEPTH_MAX)
		return lexfail(lx, "condition nested too deeply", NULL);
	next(lx);
	if ((e = want_bool(lx, parse_not(lx), "not")) == NULL)
		return NULL;
	lx->depth--;
	if ((n = node(E_NOT, PF_T_BOOL)) == NULL) {
		pf_expr_free(e);
		return lexfail(lx, "out of memory", NULL);
	}
	n->l = e;
	return n;
}

/* parse_binary - left-associative chain of 'and' or 'or' */
static struct pf_expr *
parse_binary(struct lexer *lx, enum tok tok, enum expr_op op,
    struct pf_expr *(*sub)(struct lexer *), const char *what)
{
	struct pf_expr *l, *r;

	if ((l = sub(lx)) == NULL)
		return NULL;
	while (lx->tok == tok) {
		if ((l = want_bool(lx, l, what)) == NULL)
			return NULL;
		next(lx);
		if ((r = want_bool(lx, sub(lx), what)) == NULL) {
			pf_expr_free(l);
			return NULL;
		}
		if ((l = pair(lx, op, l, r)) == NULL)
			return NULL;
	}
	return l;
}

static struct pf_expr *
parse_and(struct lexer *lx)
{
	return parse_binary(lx, T_AND, E_AND, parse_not, "and");
}

static struct pf_expr *
parse_or(struct lexer *lx)
{
	return parse_binary(lx, T_OR, E_OR, parse_and, "or");
}

/* chain - the operands of a chain of op under e, left to right, into kid
 * (NULL: only counted) */
static size_t
chain(struct pf_expr *e, enum expr_op op, struct pf_expr **kid, size_t n)
{
	if (e->op != op) {
		if (kid != NULL)
			kid[n] = e;
		return n + 1;
	}
	n = chain(e->l, op, kid, n);
	return chain(e->r, op, kid, n);
}

/* leaf_kind - a fact, the negation of one, or a fact compared with a
 * constant: the node's own copy of what evaluating it reads */
static void
leaf_kind(struct pf_expr *e)
{
	const struct pf_expr *l = e->l, *r = e->r;

	e->lk = LK_OTHER;
	if (e->op == E_FACT) {
		e->lk = LK_FACT;
		e->lfact = e->fact;
	} else if (e->op == E_NOT && l->op == E_FACT) {
		e->lk = LK_NOT_FACT;
		e->lfact = l->fact;
	} else if (e->op >= E_EQ && l->op == E_FACT &&
	    (r->op == E_NUM || r->op == E_BOOL || r->op == E_STR)) {
		e->lk = l->type == PF_T_STR ? LK_CMP_STR : LK_CMP_NUM;
		e->lfact = l->fact;
		e->ln = r->n;
		e->ls = r->s;
	}
}

/* flatten - give every chain of 'and' (or of 'or') its operands as one
 * list: Kleene's 'and' and 'or' are associative, the value and the
 * deciding fact alike (a false operand decides an 'and', else the
 * leftmost unknown one leaves it open), so a b c is evaluated in one loop
 * instead of two nested calls */
static int
flatten(struct pf_expr *e)
{
	size_t i;

	if (e == NULL)
		return PF_OK;
	leaf_kind(e);
	if (e->op != E_AND && e->op != E_OR)
		return flatten(e->l) == PF_OK ? flatten(e->r) : PF_ENOMEM;
	e->nkid = chain(e, e->op, NULL, 0);
	if ((e->kid = calloc(e->nkid, sizeof(*e->kid))) == NULL)
		return PF_ENOMEM;
	chain(e, e->op, e->kid, 0);
	for (i = 0; i < e->nkid; i++)
		if (flatten(e->kid[i]) != PF_OK)
			return PF_ENOMEM;
	return PF_OK;
}

/* pf_expr_compile - a whole condition: one boolean expression and nothing
 * after it.  On failure, NULL and a message in err. */
struct pf_expr *
pf_expr_compile(const char *p, size_t len, pf_expr_const_fn cst, void *arg,
    char *err, size_t errlen)
{
	struct lexer lx;
	struct pf_expr *e;

	memset(&lx, 0, sizeof(lx));
	lx.p = p;
	lx.end = p + len;
	lx.cst = cst;
	lx.arg = arg;
	lx.err = err;
	lx.errlen = errlen;
	next(&lx);
	if ((e = want_bool(&lx, parse_or(&lx), "when")) == NULL)
		return NULL;
	if (lx.tok != T_END) {
		char rest[64];

		snprintf(rest, sizeof(rest), "%.*s", (int)(lx.end - lx.tp),
		    lx.tp);
		pf_expr_free(e);
		return lexfail(&lx, "unexpected '%s' after condition", rest);
	}
	if (flatten(e) != PF_OK) {
		pf_expr_free(e);
		return lexfail(&lx, "out of memory", NULL);
	}
	return e;
}
/*
 * Evaluation.  A boolean node answers 1, 0 or -1 (unknown, *why the fact
 * that left it open); the operands of a comparison are read in place.  No
 * value is built per node: this runs for every rule of every message.
 * Boolean facts are stored as 0 or 1 (pf_fact_bool), so a known boolean is
 * always one of those two.
 */
static int	eval(const struct pf_expr *, const struct pf_facts *, int *);

/* operand - the number or string an operand of a comparison stands for;
 * 0 and *why when it is unknown */
static inline int
operand(const struct pf_expr *e, const struct pf_facts *f, int64_t *n,
    const char **s, int *why)
{
	const struct pf_fact_val *fv;
	int t;

	switch (e->op) {
	case E_NUM:
	case E_BOOL:
		*n = e->n;
		return 1;
	case E_STR:
		*s = e->s;
		return 1;
	case E_FACT:
		fv = &f->v[e->fact];
		if (fv->state != PF_FS_KNOWN) {
			*why = e->fact;
			return 0;
		}
		*n = fv->n;
		*s = fv->s != NULL ? fv->s : "";
		return 1;
	default:
		if ((t = eval(e, f, why)) < 0)
			return 0;
		*n = t;
		return 1;
	}
}

/* cmp_num - an ordering or equality of two numbers */
static inline int
cmp_num(enum expr_op op, int64_t l, int64_t r)
{
	switch (op) {
	case E_EQ: return l == r;
	case E_NE: return l != r;
	case E_LT: return l < r;
	case E_LE: return l <= r;
	case E_GT: return l > r;
	default: return l >= r;
	}
}

/* compare - a comparison node: both operands read, the left one's
 * unknown first */
static int
compare(const struct pf_expr *e, const struct pf_facts *f, int *why)
{
	int64_t ln = 0, rn = 0;
	const char *ls = NULL, *rs = NULL;
	int lw = -1, rw = -1, lk, rk;

	lk = operand(e->l, f, &ln, &ls, &lw);
	rk = operand(e->r, f, &rn, &rs, &rw);
	if (!lk) {
		*why = lw;
		return -1;
	}
	if (!rk) {
		*why = rw;
		return -1;
	}
	if (e->l->type == PF_T_STR) {
		int c = strcmp(ls, rs);

		return e->op == E_EQ ? c == 0 : c != 0;
	}
	return cmp_num(e->op, ln, rn);
}

/* leaf - the usual operands of a chain read in place (a fact, its
 * negation, a fact against a constant: see leaf_kind), anything else
 * through eval */
static inline int
leaf(const struct pf_expr *e, const struct pf_facts *f, int *why)
{
	const struct pf_fact_val *fv;
	int c;

	if (e->lk == LK_OTHER)
		return eval(e, f, why);
	fv = &f->v[e->lfact];
	if (fv->state != PF_FS_KNOWN) {
		*why = e->lfact;
		return -1;
	}
	switch (e->lk) {
	case LK_FACT:
		return fv->n != 0;
	case LK_NOT_FACT:
		return fv->n == 0;
	case LK_CMP_NUM:
		return cmp_num(e->op, fv->n, e->ln);
	default:
		c = strcmp(fv->s != NULL ? fv->s : "", e->ls);
		return e->op == E_EQ ? c == 0 : c != 0;
	}
}

/* eval - a boolean node, Kleene's three values: a known deciding operand
 * of 'and'/'or' wins over an unknown one, else the leftmost unknown one
 * leaves it open */
static int
eval(const struct pf_expr *e, const struct pf_facts *f, int *why)
{
	const struct pf_expr *pair[2];
	const struct pf_expr *const *kid;
	size_t i, n;
	int v, w, win, open = 0, first = -1;

	switch (e->op) {
	case E_BOOL:
		return e->n != 0;
	case E_FACT:
		if (f->v[e->fact].state != PF_FS_KNOWN) {
			*why = e->fact;
			return -1;
		}
		return f->v[e->fact].n != 0;
	case E_NOT:
		v = leaf(e->l, f, why);
		return v < 0 ? v : !v;
	case E_AND:
	case E_OR:
		break;
	default:
		return compare(e, f, why);
	}
	win = e->op == E_OR;
	if (e->kid != NULL) {
		kid = (const struct pf_expr *const *)e->kid;
		n = e->nkid;
	} else {
		pair[0] = e->l;
		pair[1] = e->r;
		kid = pair;
		n = 2;
	}
	for (i = 0; i < n; i++) {
		w = -1;
		if ((v = leaf(kid[i], f, &w)) == win)
			return win;
		if (v < 0 && !open) {
			open = 1;
			first = w;
		}
	}
	if (open) {
		*why = first;
		return -1;
	}
	return !win;
}

/* pf_expr_eval - 1 true, 0 false, -1 unknown with *why the deciding fact */
int
pf_expr_eval(const struct pf_expr *e, const struct pf_facts *f, int *why)
{
	return eval(e, f, why);
}
