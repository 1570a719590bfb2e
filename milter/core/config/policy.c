/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy.c - turns a verdict into one action for the message.  Each
 * prediction asks for an action, chosen by the most specific Action line
 * that matches the sender domain (From and/or envelope) and the prediction
 * (rule id, then class, then severity); the message gets the most severe
 * of them.  Only messages with Gmail-bound recipients count.  The inputs
 * are the rules engine's verdict and facts, both trusted; the sender
 * domains come from the message and are only compared, never stored.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/pf.h"
#include "config/policy.h"

static const char *action_names[] = {
	"accept", "tag", "hold", "tempfail", "reject"
};

static const char *class_names[] = {
	"content", "dns", "state", "feedback", "transport", "transient",
	"protocol"
};

/* pf_action_name - the action's name as written in the config */
const char *
pf_action_name(enum pf_action a)
{
	return (unsigned)a < PF_NELEM(action_names) ? action_names[a] : "?";
}

/* pf_action_parse - name to action; -1 if unknown */
int
pf_action_parse(const char *s)
{
	size_t i;

	for (i = 0; i < PF_NELEM(action_names); i++)
		if (strcasecmp(s, action_names[i]) == 0)
			return (int)i;
	return -1;
}

/* pf_policy_mta_adds - MTAAddsHeaders for one submission */
int
pf_policy_mta_adds(const struct pf_policy *p, int local)
{
	return p->mta_adds == PF_M_ALWAYS ||
	    (p->mta_adds == PF_M_LOCAL && local);
}

/* pf_policy_new - an empty policy (no Action line: tag every
 * prediction); the other defaults come from the key table in config.c */
struct pf_policy *
pf_policy_new(void)
{
	return calloc(1, sizeof(struct pf_policy));
}

/* pf_policy_free - release a policy; NULL is a no-op */
void
pf_policy_free(struct pf_policy *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nrule; i++) {
		free(p->rule[i].scope);
		free(p->rule[i].arg);
	}
	free(p->rule);
	free(p);
}

/* lowdup - owned lower-case copy */
static char *
lowdup(const char *s)
{
	size_t n = strlen(s), i;
	char *p = malloc(n + 1);

	if (p == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		p[i] = (char)tolower((unsigned char)s[i]);
	p[n] = '\0';
	return p;
}

/* scope_ok - "*" or a domain name: letters, digits, "-", "_", "." */
static int
scope_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (strcmp(s, "*") == 0)
		return 1;
	if (n == 0 || n > 253 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '.' && s[i] != '_')
			return 0;
	return 1;
}

/* id_ok - a rule id as the rules file allows it: [a-z0-9-]+ */
static int
id_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!islower((unsigned char)*s) &&
		    !isdigit((unsigned char)*s) && *s != '-')
			return 0;
	return 1;
}

/* pf_policy_add - Action SCOPE SELECTOR ACTION */
int
pf_policy_add(struct pf_policy *p, char **w, size_t nw, const char *file,
    unsigned line, struct pf_err *err)
{
	struct pf_action_rule r, *nr;
	const char *sel;
	size_t i;
	int a;

	memset(&r, 0, sizeof(r));
	if (nw != 3)
		return pf_err_setl(err, PF_ESYNTAX, file, line,
		    "Action: expected SCOPE SELECTOR ACTION");
	if (!scope_ok(w[0]))
		return pf_err_setl(err, PF_ESYNTAX, file, line,
		    "Action: scope \"%s\" is not * or a domain", w[0]);
	sel = w[1];
	if (strcasecmp(sel, "permanent") == 0)
		r.sel = PF_SEL_PERMANENT;
	else if (strcasecmp(sel, "temporary") == 0)
		r.sel = PF_SEL_TEMPORARY;
	else if (strncasecmp(sel, "class:", 6) == 0) {
		r.sel = PF_SEL_CLASS;
		for (i = 0; i < PF_NELEM(class_names); i++)
			if (strcasecmp(sel + 6, class_names[i]) == 0)
				break;
		if (i == PF_NELEM(class_names))
			return pf_err_setl(err, PF_ESYNTAX, file, line,
			    "Action: unknown class \"%s\"", sel + 6);
	} else if (strncasecmp(sel, "confidence:", 11) == 0) {
		r.sel = PF_SEL_CONFIDENCE;
		if (strcasecmp(sel + 11, "low") != 0 &&
		    strcasecmp(sel + 11, "medium") != 0 &&
		    strcasecmp(sel + 11, "high") != 0)
			return pf_err_setl(err, PF_ESYNTAX, file, line,
			    "Action: confidence \"%s\" is not low, medium "
			    "or high", sel + 11);
	} else if (strncasecmp(sel, "rule:", 5) == 0) {
		r.sel = PF_SEL_RULE;
		if (!id_ok(sel + 5))
			return pf_err_setl(err, PF_ESYNTAX, file, line,
			    "Action: \"%s\" is not a rule id", sel + 5);
	} else
		return pf_err_setl(err, PF_ESYNTAX, file, line,
		    "Action: selector \"%s\" is not permanent, temporary, "
		    "confidence:LEVEL, class:NAME or rule:ID", sel);
	if ((a = pf_action_parse(w[2])) < 0)
		return pf_err_setl(err, PF_ESYNTAX, file, line,
		    "Action: \"%s\" is not accept, tag, hold, reject or "
		    "tempfail", w[2]);
	if (p->nrule >= PF_MAX_ACTIONS)
		return pf_err_setl(err, PF_ELIMIT, file, line,
		    "Action: more than %d lines", PF_MAX_ACTIONS);
	r.action = (enum pf_action)a;
	r.line = line;
	r.scope = lowdup(w[0]);
	r.arg = r.sel == PF_SEL_CLASS ? lowdup(sel + 6) :
	    r.sel == PF_SEL_RULE ? lowdup(sel + 5) :
	    r.sel == PF_SEL_CONFIDENCE ? lowdup(sel + 11) : NULL;
	nr = realloc(p->rule, (p->nrule + 1) * sizeof(*nr));
	if (r.scope == NULL || nr == NULL ||
	    (r.arg == NULL && r.sel >= PF_SEL_CLASS)) {
		free(r.scope);
		free(r.arg);
		if (nr != NULL)
			p->rule = nr;
		return pf_err_setl(err, PF_ENOMEM, file, line,
		    "out of memory");
	}
	p->rule = nr;
	p->rule[p->nrule++] = r;
	return PF_OK;
}

/* pf_policy_check - every rule: selector names a rule of the set */
int
pf_policy_check(const struct pf_policy *p, const char *file,
    const struct pf_rules *rules, struct pf_err *err)
{
	size_t i, j;

	for (i = 0; i < p->nrule; i++) {
		if (p->rule[i].sel != PF_SEL_RULE)
			continue;
		for (j = 0; j < rules->nrule; j++)
			if (strcmp(rules->rule[j].id, p->rule[i].arg) == 0)
				break;
		if (j == rules->nrule)
			return pf_err_setl(err, PF_ESYNTAX, file,
			    p->rule[i].line,
			    "Action: no rule \"%s\" in %s", p->rule[i].arg,
			    rules->path ? rules->path : "the rules file");
	}
	return PF_OK;
}

/* scope_spec - how specifically scope matches dom: 0 for "*", -1 none */
static int
scope_spec(const char *scope, const char *dom)
{
	size_t sl, dl;

	if (strcmp(scope, "*") == 0)
		return 0;
	if (dom == NULL || *dom == '\0')
		return -1;
	sl = strlen(scope);
	dl = strlen(dom);
	/* the domain itself, or any name below it */
	if (dl == sl && strcasecmp(dom, scope) == 0)
		return (int)sl + 1;
	if (dl > sl && dom[dl - sl - 1] == '.' &&
	    strcasecmp(dom + dl - sl, scope) == 0)
		return (int)sl + 1;
	return -1;
}

/* sel_rank - how specifically an Action line matches a rule; -1 none:
 * permanent/temporary < confidence: < class: < rule: */
static int
sel_rank(const struct pf_action_rule *a, const struct pf_rule *r)
{
	int permanent = r->reply >= 500;

	switch (a->sel) {
	case PF_SEL_PERMANENT:
		return permanent ? 1 : -1;
	case PF_SEL_TEMPORARY:
		return permanent ? -1 : 1;
	case PF_SEL_CONFIDENCE:
		return strcmp(a->arg, pf_confidence_name(r->confidence)) ==
		    0 ? 2 : -1;
	case PF_SEL_CLASS:
		return (unsigned)r->cls < PF_NELEM(class_names) &&
		    strcmp(a->arg, class_names[r->cls]) == 0 ? 3 : -1;
	case PF_SEL_RULE:
		return strcmp(a->arg, r->id) == 0 ? 4 : -1;
	}
	return -1;
}

/* best - the best-matching Action line for a domain; its score in *score */
static const struct pf_action_rule *
best(const struct pf_policy *p, const struct pf_rule *r, const char *dom,
    long *score)
{
	const struct pf_action_rule *b = NULL;
	size_t i;

	*score = -1;
	for (i = 0; i < p->nrule; i++) {
		int spec = scope_spec(p->rule[i].scope, dom);
		int rank = sel_rank(&p->rule[i], r);
		long s;

		if (spec < 0 || rank < 0)
			continue;
		/* scope first, then selector; a later line wins a tie */
		s = (long)spec * 5 + rank;
		if (s >= *score) {
			*score = s;
			b = &p->rule[i];
		}
	}
	return b;
}

/* line_for - the Action line that decides for one prediction, or NULL
 * when there is none (then the prediction is tagged) */
static const struct pf_action_rule *
line_for(const struct pf_policy *p, const struct pf_rule *r,
    const char *from_dom, const char *env_dom)
{
	const struct pf_action_rule *bf = NULL, *be = NULL;
	long sf = -1, se = -1;

	if (p->domain_src != PF_D_ENVELOPE)
		bf = best(p, r, from_dom, &sf);
	if (p->domain_src != PF_D_FROM)
		be = best(p, r, env_dom, &se);
	if (bf != NULL && sf >= se)
		return bf;
	return be;
}

/* pf_policy_action_for - the action one prediction asks for */
enum pf_action
pf_policy_action_for(const struct pf_policy *p, const struct pf_rule *r,
    const char *from_dom, const char *env_dom)
{
	const struct pf_action_rule *l = line_for(p, r, from_dom, env_dom);

	return l != NULL ? l->action : PF_A_TAG;	/* no line: tag */
}

/* pf_policy_line_text - the deciding Action line as written in the
 * config ("Action example.com permanent hold"), or how the default
 * decided */
const char *
pf_policy_line_text(const struct pf_action_rule *l, char *buf, size_t len)
{
	static const char *sel[] = { "permanent", "temporary", "class:",
	    "rule:", "confidence:" };

	if (l == NULL) {
		snprintf(buf, len, "no Action line applies: tag");
		return buf;
	}
	snprintf(buf, len, "Action %s %s%s %s", l->scope, sel[l->sel],
	    l->arg != NULL ? l->arg : "", pf_action_name(l->action));
	return buf;
}

/* domain_of - the part after the last "@" of an address, or NULL */
static const char *
domain_of(const char *addr)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;

	return at != NULL && at[1] != '\0' ? at + 1 : NULL;
}

/* personal - recipients at gmail.com or googlemail.com in a list */
static size_t
personal(const char *const *rcpt, size_t n)
{
	size_t i, k = 0;
	const char *d;

	for (i = 0; i < n; i++) {
		d = domain_of(rcpt[i]);
		if (d != NULL && (strcasecmp(d, "gmail.com") == 0 ||
		    strcasecmp(d, "googlemail.com") == 0))
			k++;
	}
	return k;
}

/* gmail_bound - whether the predictions count for this message: the
 * facts first; without them, a personal Gmail address in the envelope
 * is proof enough; else the UnknownRecipients setting */
static int
gmail_bound(const struct pf_policy *p, const struct pf_facts *f,
    const char *const *rcpt, size_t n)
{
	if (pf_fact_known(f, PF_F_RCPT_GOOGLE_COUNT))
		return pf_fact_getn(f, PF_F_RCPT_GOOGLE_COUNT) > 0;
	if (pf_fact_known(f, PF_F_RCPT_PERSONAL_COUNT) &&
	    pf_fact_getn(f, PF_F_RCPT_PERSONAL_COUNT) > 0)
		return 1;
	if (personal(rcpt, n) > 0)
		return 1;
	return p->unknown_is_gmail;
}

/* all_gmail - every recipient is known to be Gmail-bound */
static int
all_gmail(const struct pf_facts *f, const char *const *rcpt, size_t n)
{
	if (pf_fact_known(f, PF_F_RCPT_GOOGLE_COUNT) &&
	    pf_fact_known(f, PF_F_ENV_RCPT_COUNT))
		return pf_fact_getn(f, PF_F_RCPT_GOOGLE_COUNT) ==
		    pf_fact_getn(f, PF_F_ENV_RCPT_COUNT);
	return n > 0 && personal(rcpt, n) == n;
}

/* pf_policy_incomplete - FailAction when the DNS budget ran out, or when
 * nothing was predicted and a rule was left open because the state store
 * could not be reached (with a prediction made, the policy acts on it) */
enum pf_undecided
pf_policy_incomplete(const struct pf_verdict *v)
{
	if (pf_verdict_undecided(v, PF_U_BUDGET) > 0)
		return PF_U_BUDGET;
	if (v->npred == 0 &&
	    pf_verdict_undecided(v, PF_U_STORE_UNREACHABLE) > 0)
		return PF_U_STORE_UNREACHABLE;
	return PF_U_NONE;
}

/* pf_policy_decide - the action for a verdict, given the facts */
void
pf_policy_decide(const struct pf_policy *p, const struct pf_verdict *v,
    const struct pf_facts *f, struct pf_decision *d)
{
	pf_policy_decide_rcpt(p, v, f, NULL, 0, d);
}

/* pf_policy_decide_rcpt - the same, with the envelope recipients */
void
pf_policy_decide_rcpt(const struct pf_policy *p, const struct pf_verdict *v,
    const struct pf_facts *f, const char *const *rcpt, size_t nrcpt,
    struct pf_decision *d)
{
	const char *from_dom, *env_dom;
	size_t i;

	memset(d, 0, sizeof(*d));
	d->action = d->wanted = d->would = PF_A_ACCEPT;
	d->gmail = gmail_bound(p, f, rcpt, nrcpt);
	if (v->npred == 0) {
		/* X-Preflight-Verdict: accept, on mail to Gmail only */
		if (d->gmail && p->tag_clean)
			d->action = d->wanted = d->would = PF_A_TAG;
		if (p->dry_run)
			d->action = PF_A_ACCEPT;
		snprintf(d->reason, sizeof(d->reason), "no prediction");
		return;
	}
	if (!d->gmail) {
		snprintf(d->reason, sizeof(d->reason),
		    "no Gmail recipient");
		return;
	}
	from_dom = pf_fact_known(f, PF_F_FROM_DOMAIN) ?
	    pf_fact_gets(f, PF_F_FROM_DOMAIN) : NULL;
	env_dom = pf_fact_known(f, PF_F_ENV_MAIL_FROM) ?
	    domain_of(pf_fact_gets(f, PF_F_ENV_MAIL_FROM)) : NULL;
	for (i = 0; i < v->npred; i++) {
		const struct pf_action_rule *l = line_for(p, v->pred[i].rule,
		    from_dom, env_dom);
		enum pf_action a = l != NULL ? l->action : PF_A_TAG;

		/* the first prediction (stage order) with the action heads */
		if (d->pred == NULL || a > d->wanted) {
			d->wanted = a;
			d->pred = &v->pred[i];
			d->line = l;
		}
	}
	d->action = d->wanted;
	snprintf(d->reason, sizeof(d->reason), "%s by policy for %s",
	    pf_action_name(d->wanted), d->pred->rule->id);
	if (p->block_only_all_gmail && d->action >= PF_A_HOLD &&
	    !all_gmail(f, rcpt, nrcpt)) {
		d->action = PF_A_TAG;
		d->downgraded = 1;
		snprintf(d->reason, sizeof(d->reason),
		    "%s by policy for %s, tag only: not all recipients are "
		    "Gmail", pf_action_name(d->wanted), d->pred->rule->id);
	}
	d->would = d->action;
	if (p->dry_run) {
		char tmp[sizeof(d->reason)];

		snprintf(tmp, sizeof(tmp), "dry run: %.240s", d->reason);
		memcpy(d->reason, tmp, sizeof(d->reason));
		d->action = PF_A_ACCEPT;
	}
}
