/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rules.c - load, validate and evaluate a rules file (docs/rules.md).
 *
 * The file is trusted no more than any config: every problem is reported as
 * file:line: message and the whole file is refused.  A loaded rule set is
 * immutable; evaluation only reads it, so threads may share one.  Conditions
 * are compiled once into a small tree with every fact name resolved to its
 * id and every constant folded in, and types checked.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/pf.h"
#include "base/facts.h"
#include "catalog/rules.h"
#include "catalog/wordidx.h"
#include "catalog/expr.h"
#include "catalog/tmpl.h"

#define RULES_LINE_MAX	16384	/* longest line of a rules file */
#define RULES_MAX	4096	/* rules in one file */

struct pf_const {
	char	*name;
	int64_t	 value;
};

static const char *class_names[] = {
	"content", "dns", "state", "feedback", "transport", "transient",
	"protocol"
};
static const char *stage_names[] = {
	"connect", "helo", "starttls", "auth", "mail", "rcpt", "data",
	"end-of-data"
};
static const char *confidence_names[] = { "low", "medium", "high" };
static const char *whose_names[] = {
	"message", "sender-dns", "volume", "reputation", "recipient",
	"smtp-client", "account", "google"
};

const char *
pf_class_name(enum pf_class c)
{
	return (size_t)c < PF_NELEM(class_names) ? class_names[c] : "?";
}

const char *
pf_stage_name(enum pf_stage s)
{
	return (size_t)s < PF_NELEM(stage_names) ? stage_names[s] : "?";
}

const char *
pf_confidence_name(enum pf_confidence c)
{
	return (size_t)c < PF_NELEM(confidence_names) ?
	    confidence_names[c] : "?";
}

/* pf_confidence_parse - a level by name; -1 if it is none of them */
int
pf_confidence_parse(const char *s)
{
	size_t i;

	for (i = 0; i < PF_NELEM(confidence_names); i++)
		if (strcmp(s, confidence_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
pf_verdict_name(enum pf_verdict_kind k)
{
	switch (k) {
	case PF_V_REJECT:
		return "reject";
	case PF_V_TEMPFAIL:
		return "tempfail";
	default:
		return "accept";
	}
}

/* lookup_name - index of s in a table of names, or -1 */
static int
lookup_name(const char **tab, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(tab[i], s) == 0)
			return (int)i;
	return -1;
}

/* --- the parser state for one file ------------------------------------ */

struct loader {
	const char	*path;
	unsigned	 line;
	struct pf_rules	*rs;
	struct pf_err	*err;
};

static int
fail(struct loader *ld, const char *fmt, const char *arg)
{
	char msg[400];

	snprintf(msg, sizeof(msg), fmt, arg ? arg : "");
	return pf_err_setl(ld->err, PF_ESYNTAX, ld->path, ld->line, "%s",
	    msg);
}

static const struct pf_const *
find_const(const struct pf_rules *rs, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < rs->ncst; i++)
		if (strlen(rs->cst[i].name) == len &&
		    memcmp(rs->cst[i].name, name, len) == 0)
			return &rs->cst[i];
	return NULL;
}

/* const_value - a rules file's constants, for the condition compiler */
static int
const_value(void *arg, const char *name, size_t len, int64_t *out)
{
	const struct pf_const *c = find_const(arg, name, len);

	if (c == NULL)
		return 0;
	*out = c->value;
	return 1;
}

/* compile - a condition, with errors placed at the current line */
static struct pf_expr *
compile(struct loader *ld, const char *p, size_t len)
{
	char msg[300];
	struct pf_expr *e;

	if ((e = pf_expr_compile(p, len, const_value, ld->rs, msg,
	    sizeof(msg))) == NULL)
		fail(ld, "%s", msg);
	return e;
}

/* --- rule statements --------------------------------------------------- */

/* strip - cut a trailing comment (outside quotes) and surrounding space */
static void
strip(char *s, const char **start, size_t *len)
{
	char *p = s, *e;
	int q = 0;

	for (e = s; *e != '\0'; e++) {
		if (*e == '\\' && q && e[1] != '\0')
			e++;
		else if (*e == '"')
			q = !q;
		else if (*e == '#' && !q)
			break;
	}
	while (e > p && isspace((unsigned char)e[-1]))
		e--;
	while (p < e && isspace((unsigned char)*p))
		p++;
	*start = p;
	*len = (size_t)(e - p);
}

/* value_str - a bare or quoted value, owned */
static char *
value_str(struct loader *ld, const char *v, size_t len)
{
	char *s;

	if (len > 0 && v[0] == '"') {
		size_t i;

		for (i = 1; i < len; i++) {
			if (v[i] == '\\')
				i++;
			else if (v[i] == '"')
				break;
		}
		if (i != len - 1) {
			fail(ld, "badly quoted value", NULL);
			return NULL;
		}
		s = pf_expr_unquote(v + 1, len - 2);
	} else {
		if ((s = malloc(len + 1)) != NULL) {
			memcpy(s, v, len);
			s[len] = '\0';
		}
	}
	if (s == NULL)
		fail(ld, "out of memory", NULL);
	return s;
}

/* check_template - every {name} in a detail is a fact or a constant; in
 * the text of a rule that predicts, every placeholder is filled, so that a
 * prediction never shows a bare {placeholder} */
static int
check_template(struct loader *ld, const struct pf_rule *r, const char *t,
    int text)
{
	const char *p, *q;
	char name[128];
	size_t i;

	for (p = strchr(t, '{'); p != NULL; p = strchr(q, '{')) {
		if ((q = strchr(p, '}')) == NULL)
			return fail(ld, "unclosed '{' in template", NULL);
		snprintf(name, sizeof(name), "%.*s", (int)(q - p - 1), p + 1);
		for (i = 0; i < r->nfill; i++)
			if (strcmp(r->fill[i].placeholder, name) == 0)
				break;
		if (i < r->nfill ||
		    find_const(ld->rs, name, strlen(name)) != NULL ||
		    pf_fact_lookup(name, strlen(name)) >= 0)
			continue;
		if (text && r->when == NULL)
			continue;	/* documented placeholder: explain only */
		return fail(ld, text ? "placeholder '{%s}' has no fill" :
		    "unknown fact or constant '{%s}'", name);
	}
	return PF_OK;
}

/* add_fills - parse "placeholder=source ..." */
static int
add_fills(struct loader *ld, struct pf_rule *r, const char *v, size_t len)
{
	const char *p = v, *end = v + len;

	while (p < end) {
		const char *eq, *w;
		struct pf_fill *nf;

		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p == end)
			break;
		for (w = p; w < end && !isspace((unsigned char)*w); w++)
			;
		eq = memchr(p, '=', (size_t)(w - p));
		if (eq == NULL || eq == p || eq + 1 == w)
			return fail(ld, "fill needs placeholder=source", NULL);
		if (find_const(ld->rs, eq + 1, (size_t)(w - eq - 1)) == NULL &&
		    pf_fact_lookup(eq + 1, (size_t)(w - eq - 1)) < 0) {
			char name[128];

			snprintf(name, sizeof(name), "%.*s",
			    (int)(w - eq - 1), eq + 1);
			return fail(ld, "unknown fact or constant '%s'", name);
		}
		nf = realloc(r->fill, (r->nfill + 1) * sizeof(*nf));
		if (nf == NULL)
			return fail(ld, "out of memory", NULL);
		r->fill = nf;
		nf = &r->fill[r->nfill];
		nf->placeholder = strndup(p, (size_t)(eq - p));
		nf->source = strndup(eq + 1, (size_t)(w - eq - 1));
		r->nfill++;
		if (nf->placeholder == NULL || nf->source == NULL)
			return fail(ld, "out of memory", NULL);
		p = w;
	}
	return PF_OK;
}

/* set_enum - a key whose value is one of a fixed list */
static int
set_enum(struct loader *ld, const char **tab, size_t n, const char *v,
    const char *what, int *out)
{
	int i = lookup_name(tab, n, v);

	if (i < 0) {
		char msg[200];

		snprintf(msg, sizeof(msg), "unknown %s '%s'", what, v);
		return fail(ld, "%s", msg);
	}
	*out = i;
	return PF_OK;
}

/* set_once - a string key that may appear once per rule */
static int
set_once(struct loader *ld, char **slot, const char *key, const char *v,
    size_t len)
{
	if (*slot != NULL)
		return fail(ld, "'%s' given twice", key);
	return (*slot = value_str(ld, v, len)) == NULL ? PF_ESYNTAX : PF_OK;
}

/* rule_key - one "key value" line inside a rule */
static int
rule_key(struct loader *ld, struct pf_rule *r, const char *key, size_t klen,
    const char *v, size_t vlen)
{
	char k[32], *s = NULL;
	int rc = PF_OK, i;

	snprintf(k, sizeof(k), "%.*s", (int)klen, key);
	if (vlen == 0)
		return fail(ld, "'%s' needs a value", k);
	if (strcmp(k, "reply") == 0) {
		int64_t n;

		if (pf_strtonum(v, vlen, 200, 599, &n) != PF_OK)
			return fail(ld, "reply must be a 3-digit code", NULL);
		r->reply = (int)n;
	} else if (strcmp(k, "status") == 0) {
		unsigned a, b, c;
		char tail, st[sizeof(r->status)];

		if (vlen >= sizeof(r->status))
			return fail(ld, "status must look like 5.7.1", NULL);
		memcpy(st, v, vlen);
		st[vlen] = '\0';
		if (sscanf(st, "%u.%u.%u%c", &a, &b, &c, &tail) != 3 ||
		    a < 2 || a > 5 || b > 999 || c > 999)
			return fail(ld, "status must look like 5.7.1", NULL);
		memcpy(r->status, v, vlen);
		r->status[vlen] = '\0';
	} else if (strcmp(k, "text") == 0)
		rc = set_once(ld, &r->text, k, v, vlen);
	else if (strcmp(k, "whose") == 0) {
		if ((rc = set_once(ld, &r->whose, k, v, vlen)) == PF_OK)
			rc = set_enum(ld, whose_names, PF_NELEM(whose_names),
			    r->whose, "whose", &i);
	} else if (strcmp(k, "cause") == 0)
		rc = set_once(ld, &r->cause, k, v, vlen);
	else if (strcmp(k, "fix") == 0)
		rc = set_once(ld, &r->fix, k, v, vlen);
	else if (strcmp(k, "url") == 0)
		rc = set_once(ld, &r->url, k, v, vlen);
	else if (strcmp(k, "since") == 0)
		rc = set_once(ld, &r->since, k, v, vlen);
	else if (strcmp(k, "detail") == 0)
		rc = set_once(ld, &r->detail, k, v, vlen);
	else if (strcmp(k, "class") == 0 || strcmp(k, "stage") == 0 ||
	    strcmp(k, "confidence") == 0) {
		if ((s = value_str(ld, v, vlen)) == NULL)
			return PF_ESYNTAX;
		if (k[0] == 'c' && k[1] == 'l')
			rc = set_enum(ld, class_names, PF_NELEM(class_names),
			    s, "class", &i), r->cls = i;
		else if (k[0] == 's')
			rc = set_enum(ld, stage_names, PF_NELEM(stage_names),
			    s, "stage", &i), r->stage = i;
		else if ((i = pf_confidence_parse(s)) >= 0)
			r->confidence = (enum pf_confidence)i;
		else
			rc = fail(ld, "confidence is low, medium or high",
			    NULL);
		free(s);
	} else if (strcmp(k, "when") == 0) {
		if (r->when != NULL)
			return fail(ld, "'when' given twice", NULL);
		if ((r->when = compile(ld, v, vlen)) == NULL)
			return PF_ESYNTAX;
	} else if (strcmp(k, "fill") == 0)
		rc = add_fills(ld, r, v, vlen);
	else if (strcmp(k, "match") == 0) {
		char **nm = realloc(r->match, (r->nmatch + 1) * sizeof(*nm));

		if (nm == NULL)
			return fail(ld, "out of memory", NULL);
		r->match = nm;
		if ((nm[r->nmatch] = value_str(ld, v, vlen)) == NULL)
			return PF_ESYNTAX;
		r->nmatch++;
	} else
		return fail(ld, "unknown key '%s'", k);
	return rc;
}

/* rule_done - the checks that need the whole rule */
static int
rule_done(struct loader *ld, struct pf_rule *r)
{
	static const char *required[] = {
		"text", "whose", "cause", "fix", "url"
	};
	char *vals[5];
	size_t i;

	vals[0] = r->text;
	vals[1] = r->whose;
	vals[2] = r->cause;
	vals[3] = r->fix;
	vals[4] = r->url;
	if (r->reply == 0)
		return fail(ld, "rule lacks 'reply'", NULL);
	if (r->status[0] == '\0')
		return fail(ld, "rule lacks 'status'", NULL);
	/* a historical row Google printed with another class (454 5.5.1)
	 * is kept as printed, for explain only */
	if (r->status[0] - '0' != r->reply / 100 &&
	    (r->since == NULL || r->when != NULL))
		return fail(ld, "status class does not match the reply code",
		    NULL);
	for (i = 0; i < PF_NELEM(required); i++)
		if (vals[i] == NULL)
			return fail(ld, "rule lacks '%s'", required[i]);
	if ((int)r->cls < 0)
		return fail(ld, "rule lacks 'class'", NULL);
	if ((int)r->stage < 0)
		return fail(ld, "rule lacks 'stage'", NULL);
	if (r->when != NULL && r->detail == NULL)
		return fail(ld, "a rule with 'when' needs a 'detail'", NULL);
	if (r->when == NULL && r->detail != NULL)
		return fail(ld, "'detail' without 'when'", NULL);
	if (r->detail != NULL && check_template(ld, r, r->detail, 0) != PF_OK)
		return PF_ESYNTAX;
	if (check_template(ld, r, r->text, 1) != PF_OK)
		return PF_ESYNTAX;
	return PF_OK;
}

static void
rule_reset(struct pf_rule *r)
{
	size_t i;

	free(r->id);
	free(r->text);
	free(r->whose);
	free(r->cause);
	free(r->fix);
	free(r->url);
	free(r->since);
	free(r->detail);
	pf_expr_free(r->when);
	pf_tmpl_free(r->ctext);
	pf_tmpl_free(r->cdetail);
	for (i = 0; i < r->nfill; i++) {
		free(r->fill[i].placeholder);
		free(r->fill[i].source);
	}
	free(r->fill);
	for (i = 0; i < r->nmatch; i++)
		free(r->match[i]);
	free(r->match);
	memset(r, 0, sizeof(*r));
}

/* valid_id - [a-z0-9-]+ */
static int
valid_id(const char *p, size_t len)
{
	size_t i;

	if (len == 0 || len > 64)
		return 0;
	for (i = 0; i < len; i++)
		if (!(islower((unsigned char)p[i]) ||
		    isdigit((unsigned char)p[i]) || p[i] == '-'))
			return 0;
	return 1;
}

/* statement_const - "const name = number" */
static int
statement_const(struct loader *ld, const char *p, size_t len)
{
	struct pf_rules *rs = ld->rs;
	const char *end = p + len, *n, *ne;
	struct pf_const *nc;
	int64_t v;

	for (n = p; n < end && isspace((unsigned char)*n); n++)
		;
	for (ne = n; ne < end && (isalnum((unsigned char)*ne) ||
	    *ne == '_'); ne++)
		;
	if (ne == n || isdigit((unsigned char)*n))
		return fail(ld, "const needs a name", NULL);
	if (pf_fact_lookup(n, (size_t)(ne - n)) >= 0 ||
	    find_const(rs, n, (size_t)(ne - n)) != NULL)
		return fail(ld, "const name already in use", NULL);
	for (p = ne; p < end && isspace((unsigned char)*p); p++)
		;
	if (p == end || *p != '=')
		return fail(ld, "const needs '= number'", NULL);
	for (p++; p < end && isspace((unsigned char)*p); p++)
		;
	if (pf_strtonum(p, (size_t)(end - p), 0, INT64_MAX, &v) != PF_OK)
		return fail(ld, "const value must be a whole number", NULL);
	if ((nc = realloc(rs->cst, (rs->ncst + 1) * sizeof(*nc))) == NULL)
		return fail(ld, "out of memory", NULL);
	rs->cst = nc;
	if ((nc[rs->ncst].name = strndup(n, (size_t)(ne - n))) == NULL)
		return fail(ld, "out of memory", NULL);
	nc[rs->ncst].value = v;
	rs->ncst++;
	return PF_OK;
}

/* statement_catalog - "catalog VERSION YYYY-MM-DD", at most once: the
 * catalog's own version and the date of its newest source */
static int
statement_catalog(struct loader *ld, const char *p, size_t len)
{
	struct pf_rules *rs = ld->rs;
	const char *sp;
	size_t vlen, i;
	struct tm tm;

	if (rs->version != NULL)
		return fail(ld, "catalog given twice", NULL);
	if ((sp = memchr(p, ' ', len)) == NULL)
		return fail(ld, "catalog needs VERSION YYYY-MM-DD", NULL);
	vlen = (size_t)(sp - p);
	for (i = 0; i < vlen; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '.' &&
		    p[i] != '-')
			return fail(ld, "catalog version must be "
			    "[A-Za-z0-9.-]+", NULL);
	while (sp < p + len && *sp == ' ')
		sp++;
	memset(&tm, 0, sizeof(tm));
	if (vlen == 0 || vlen > 32 || (size_t)(p + len - sp) != 10 ||
	    sscanf(sp, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday) != 3 || sp[4] != '-' || sp[7] != '-' ||
	    tm.tm_year < 2000 || tm.tm_mon < 1 || tm.tm_mon > 12 ||
	    tm.tm_mday < 1 || tm.tm_mday > 31)
		return fail(ld, "catalog needs VERSION YYYY-MM-DD", NULL);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	if ((rs->version = strndup(p, vlen)) == NULL)
		return fail(ld, "out of memory", NULL);
	memcpy(rs->date, sp, 10);
	rs->date[10] = '\0';
	rs->date_epoch = (long long)timegm(&tm);
	return PF_OK;
}

/* rule_start - "rule ID": a new entry, in *cur; the id is unique */
static int
rule_start(struct loader *ld, const char *v, size_t len, struct pf_rule **cur)
{
	struct pf_rules *rs = ld->rs;
	struct pf_rule *nr, *r;

	if (!valid_id(v, len))
		return fail(ld, "rule id must be [a-z0-9-]+", NULL);
	if (rs->nrule >= RULES_MAX)
		return fail(ld, "too many rules", NULL);
	if ((nr = realloc(rs->rule, (rs->nrule + 1) * sizeof(*nr))) == NULL)
		return fail(ld, "out of memory", NULL);
	rs->rule = nr;
	r = *cur = &rs->rule[rs->nrule++];
	memset(r, 0, sizeof(*r));
	r->cls = -1;
	r->stage = -1;
	r->confidence = PF_CONF_HIGH;
	r->line = ld->line;
	if ((r->id = strndup(v, len)) == NULL)
		return fail(ld, "out of memory", NULL);
	if (pf_rules_find(rs, r->id) != r)
		return fail(ld, "duplicate rule id '%s'", r->id);
	return PF_OK;
}

/* load_lines - the statement loop over an open file */
static int
load_lines(struct loader *ld, FILE *fp)
{
	struct pf_rules *rs = ld->rs;
	struct pf_rule *cur = NULL;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = PF_OK;

	while (rc == PF_OK && (n = getline(&buf, &cap, fp)) != -1) {
		const char *p, *kw, *v;
		size_t len, klen;

		ld->line++;
		if (n > RULES_LINE_MAX) {
			rc = fail(ld, "line too long", NULL);
			break;
		}
		if (memchr(buf, '\0', (size_t)n) != NULL) {
			rc = fail(ld, "NUL byte in line", NULL);
			break;
		}
		strip(buf, &p, &len);
		if (len == 0)
			continue;
		for (klen = 0; klen < len && !isspace((unsigned char)p[klen]);
		    klen++)
			;
		kw = p;
		for (v = p + klen; v < p + len && isspace((unsigned char)*v);
		    v++)
			;
		len -= (size_t)(v - p);
		if (cur == NULL) {
			if (klen == 5 && memcmp(kw, "const", 5) == 0)
				rc = statement_const(ld, v, len);
			else if (klen == 7 && memcmp(kw, "catalog", 7) == 0)
				rc = statement_catalog(ld, v, len);
			else if (klen == 4 && memcmp(kw, "rule", 4) == 0)
				rc = rule_start(ld, v, len, &cur);
			else
				rc = fail(ld, "expected 'rule', 'const' or "
				    "'catalog'", NULL);
		} else if (klen == 3 && memcmp(kw, "end", 3) == 0 && len == 0) {
			rc = rule_done(ld, cur);
			cur = NULL;
		} else
			rc = rule_key(ld, cur, kw, klen, v, len);
	}
	free(buf);
	if (rc == PF_OK && ferror(fp))
		rc = pf_err_setl(ld->err, PF_EIO, ld->path, 0, "%s",
		    strerror(errno));
	if (rc == PF_OK && cur != NULL)
		rc = fail(ld, "rule '%s' has no 'end'", cur->id);
	if (rc == PF_OK && rs->nrule == 0)
		rc = fail(ld, "no rules", NULL);
	return rc;
}

/* compile_templates - the texts and details of the rules that predict,
 * read once with every constant known (tmpl.h) */
static int
compile_templates(struct pf_rules *rs)
{
	size_t i;

	for (i = 0; i < rs->nrule; i++) {
		struct pf_rule *r = &rs->rule[i];

		if (r->when == NULL)
			continue;
		if ((r->ctext = pf_tmpl_compile(rs, r, r->text)) == NULL ||
		    (r->detail != NULL && (r->cdetail =
		    pf_tmpl_compile(rs, r, r->detail)) == NULL))
			return PF_ENOMEM;
	}
	return PF_OK;
}

/* pf_rules_load - parse and validate a whole rules file */
int
pf_rules_load(const char *path, struct pf_rules **out, struct pf_err *err)
{
	struct loader ld = { path, 0, NULL, err };
	FILE *fp;
	int rc;

	*out = NULL;
	err->status = PF_OK;
	if ((fp = fopen(path, "r")) == NULL)
		return pf_err_setl(err, PF_EIO, path, 0, "%s",
		    strerror(errno));
	if ((ld.rs = calloc(1, sizeof(*ld.rs))) == NULL ||
	    (ld.rs->path = strdup(path)) == NULL) {
		fclose(fp);
		pf_rules_free(ld.rs);
		return pf_err_set(err, PF_ENOMEM, "out of memory");
	}
	rc = load_lines(&ld, fp);
	fclose(fp);
	if (rc == PF_OK && (pf_wordidx_new(ld.rs, &ld.rs->words) != PF_OK ||
	    compile_templates(ld.rs) != PF_OK))
		rc = pf_err_set(err, PF_ENOMEM, "out of memory");
	if (rc != PF_OK) {
		pf_rules_free(ld.rs);
		return rc;
	}
	*out = ld.rs;
	return PF_OK;
}

void
pf_rules_free(struct pf_rules *rs)
{
	size_t i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->nrule; i++)
		rule_reset(&rs->rule[i]);
	for (i = 0; i < rs->ncst; i++)
		free(rs->cst[i].name);
	free(rs->cst);
	free(rs->rule);
	free(rs->path);
	free(rs->version);
	pf_wordidx_free(rs->words);
	free(rs);
}

const struct pf_rule *
pf_rules_find(const struct pf_rules *rs, const char *id)
{
	size_t i;

	for (i = 0; i < rs->nrule; i++)
		if (rs->rule[i].id != NULL && strcmp(rs->rule[i].id, id) == 0)
			return &rs->rule[i];
	return NULL;
}

/* sbuf - a small growing string for template output */
struct sbuf {
	char	*p;
	size_t	 len, cap;
	int	 oom;
};

static void
sb_add(struct sbuf *b, const char *s, size_t len)
{
	if (b->oom)
		return;
	if (b->len + len + 1 > b->cap) {
		size_t cap = (b->cap ? b->cap * 2 : 128) + len;
		char *np = realloc(b->p, cap);

		if (np == NULL) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, len);
	b->len += len;
	b->p[b->len] = '\0';
}

/* source_value - the text of a fact or const for a template, or NULL */
static int
source_value(const struct pf_rules *rs, const char *name,
    const struct pf_facts *f, struct sbuf *b)
{
	const struct pf_const *c = find_const(rs, name, strlen(name));
	char num[32];
	int id;

	if (c != NULL) {
		snprintf(num, sizeof(num), "%" PRId64, c->value);
		sb_add(b, num, strlen(num));
		return 1;
	}
	if ((id = pf_fact_lookup(name, strlen(name))) < 0 ||
	    !pf_fact_known(f, id))
		return 0;
	switch (pf_fact_type(id)) {
	case PF_T_STR:
		sb_add(b, pf_fact_gets(f, id), strlen(pf_fact_gets(f, id)));
		break;
	case PF_T_BOOL:
		sb_add(b, pf_fact_getn(f, id) ? "yes" : "no",
		    pf_fact_getn(f, id) ? 3 : 2);
		break;
	default:
		snprintf(num, sizeof(num), "%" PRId64, pf_fact_getn(f, id));
		sb_add(b, num, strlen(num));
	}
	return 1;
}

/* pf_rules_fill - expand {name} from the rule's fills, facts and consts;
 * the rule's own text and detail from their compiled form */
char *
pf_rules_fill(const struct pf_rules *rs, const struct pf_rule *r,
    const char *t, const struct pf_facts *f)
{
	struct sbuf b = { NULL, 0, 0, 0 };
	const char *p, *q;
	char name[128];
	size_t i;

	if (f != NULL && t == r->text && r->ctext != NULL)
		return pf_tmpl_fill(r->ctext, f);
	if (f != NULL && t == r->detail && r->cdetail != NULL)
		return pf_tmpl_fill(r->cdetail, f);

	sb_add(&b, "", 0);
	for (p = t; (q = strchr(p, '{')) != NULL; ) {
		const char *close = strchr(q, '}');
		const char *src;

		sb_add(&b, p, (size_t)(q - p));
		if (close == NULL || close - q - 1 >= (long)sizeof(name)) {
			p = q;
			break;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(close - q - 1),
		    q + 1);
		src = name;
		for (i = 0; i < r->nfill; i++)
			if (strcmp(r->fill[i].placeholder, name) == 0)
				src = r->fill[i].source;
		if (f == NULL || !source_value(rs, src, f, &b))
			sb_add(&b, q, (size_t)(close - q + 1));
		p = close + 1;
	}
	sb_add(&b, p, strlen(p));
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* pred_cmp - headline first: stage order, then 5xx before 4xx */
static int
pred_cmp(const void *a, const void *b)
{
	const struct pf_pred *x = a, *y = b;

	if (x->rule->stage != y->rule->stage)
		return x->rule->stage < y->rule->stage ? -1 : 1;
	if (x->rule->reply / 100 != y->rule->reply / 100)
		return x->rule->reply / 100 > y->rule->reply / 100 ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/* why_len - the length of "fact: why" for an open rule, at most WHY_MAX
 * bytes */
#define WHY_MAX	599
static size_t
why_len(size_t a, size_t b)
{
	return a + 2 + b > WHY_MAX ? WHY_MAX : a + 2 + b;
}

/* why_put - "fact: why" at t, cut at n bytes, with its NUL */
static void
why_put(char *t, size_t n, const char *name, size_t a, const char *why)
{
	memcpy(t, name, a < n ? a : n);
	if (a < n)
		memcpy(t + a, ": ", n - a < 2 ? n - a : 2);
	if (a + 2 < n)
		memcpy(t + a + 2, why, n - a - 2);
	t[n] = '\0';
}

/* why_texts - the texts of the open rules, all in one block the verdict
 * owns, one per fact: the open rules of a message mostly wait on a few
 * facts, and those share it (a plain concatenation, one allocation: this
 * runs for every open rule of every message) */
static int
why_texts(const struct pf_facts *f, struct pf_verdict *out)
{
	unsigned short first[PF_F__COUNT];	/* 1 + its first open rule */
	size_t i, total = 0, n, a;
	char *p;

	memset(first, 0, sizeof(first));
	for (i = 0; i < out->nunk; i++) {
		int id = out->unk[i].fact;

		if (first[id] != 0)
			continue;
		first[id] = (unsigned short)(i + 1);
		total += why_len(strlen(pf_fact_name(id)),
		    strlen(pf_fact_why(f, id))) + 1;
	}
	if ((out->whybuf = malloc(total + 1)) == NULL)
		return PF_ENOMEM;
	for (p = out->whybuf, i = 0; i < out->nunk; i++) {
		int id = out->unk[i].fact;
		const char *name, *why;

		if (first[id] != i + 1) {
			out->unk[i].why = out->unk[first[id] - 1].why;
			continue;
		}
		name = pf_fact_name(id);
		why = pf_fact_why(f, id);
		a = strlen(name);
		n = why_len(a, strlen(why));
		why_put(p, n, name, a, why);
		out->unk[i].why = p;
		p += n + 1;
	}
	return PF_OK;
}

/* pf_rules_eval - every rule with a condition, against the facts */
int
pf_rules_eval(const struct pf_rules *rs, const struct pf_facts *f,
    struct pf_verdict *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	out->rules = rs;
	/* not cleared: npred and nunk say how much is filled */
	if ((out->pred = malloc(rs->nrule * sizeof(*out->pred) + 1)) == NULL ||
	    (out->unk = malloc(rs->nrule * sizeof(*out->unk) + 1)) == NULL) {
		pf_verdict_reset(out);
		return PF_ENOMEM;
	}
	for (i = 0; i < rs->nrule; i++) {
		const struct pf_rule *r = &rs->rule[i];
		int t, why = -1;

		if (r->when == NULL)
			continue;
		t = pf_expr_eval(r->when, f, &why);
		if (t < 0) {
			struct pf_unknown *u = &out->unk[out->nunk++];

			u->rule = r;
			u->fact = why;
			u->reason = pf_fact_reason(f, why);
			u->why = NULL;
		} else if (t) {
			struct pf_pred *p = &out->pred[out->npred++];

			p->rule = r;
			p->text = pf_rules_fill(rs, r, r->text, f);
			p->detail = pf_rules_fill(rs, r, r->detail, f);
			if (p->text == NULL || p->detail == NULL)
				goto oom;
			if (r->reply >= 500)
				out->kind = PF_V_REJECT;
			else if (r->reply >= 400 && out->kind != PF_V_REJECT)
				out->kind = PF_V_TEMPFAIL;
		}
	}
	if (out->nunk > 0 && why_texts(f, out) != PF_OK)
		goto oom;
	qsort(out->pred, out->npred, sizeof(*out->pred), pred_cmp);
	return PF_OK;
oom:
	pf_verdict_reset(out);
	return PF_ENOMEM;
}

/* pf_verdict_undecided - the open rules whose fact is unknown for r */
size_t
pf_verdict_undecided(const struct pf_verdict *v, enum pf_undecided r)
{
	size_t i, n = 0;

	for (i = 0; i < v->nunk; i++)
		if (v->unk[i].reason == r)
			n++;
	return n;
}

void
pf_verdict_reset(struct pf_verdict *v)
{
	size_t i;

	for (i = 0; i < v->npred; i++) {
		free(v->pred[i].text);
		free(v->pred[i].detail);
	}
	free(v->whybuf);
	free(v->pred);
	free(v->unk);
	memset(v, 0, sizeof(*v));
}

/* pf_rules_const - a named number of the rules file, for the engine */
int
pf_rules_const(const struct pf_rules *rs, const char *name, int64_t *out)
{
	size_t i;

	for (i = 0; i < rs->ncst; i++)
		if (strcmp(rs->cst[i].name, name) == 0) {
			*out = rs->cst[i].value;
			return 1;
		}
	return 0;
}
