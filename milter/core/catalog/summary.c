/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * summary.c - counting a batch and printing the count.  Rules are listed
 * most frequent first, then in catalog order; a share is of all messages
 * checked (input errors included in the total, so shares add up with the
 * error line).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "base/json.h"
#include "catalog/render.h"
#include "catalog/rules.h"
#include "catalog/summary.h"

/* count_rule - one more prediction of r */
static int
count_rule(struct pf_summary *s, const struct pf_rule *r)
{
	struct pf_summary_rule *nr;
	size_t i, cap;

	for (i = 0; i < s->nrule; i++)
		if (s->rule[i].rule == r) {
			s->rule[i].count++;
			return PF_OK;
		}
	if (s->nrule == s->rcap) {
		cap = s->rcap ? s->rcap * 2 : 32;
		if ((nr = realloc(s->rule, cap * sizeof(*nr))) == NULL)
			return PF_ENOMEM;
		s->rule = nr;
		s->rcap = cap;
	}
	s->rule[s->nrule].rule = r;
	s->rule[s->nrule++].count = 1;
	return PF_OK;
}

/* count_action - one more message with this action */
static void
count_action(struct pf_summary *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->naction; i++)
		if (strcmp(s->action[i].name, name) == 0) {
			s->action[i].count++;
			return;
		}
	if (s->naction < PF_SUMMARY_ACTIONS) {
		s->action[s->naction].name = name;
		s->action[s->naction++].count = 1;
	}
}

/* pf_summary_add - one message */
int
pf_summary_add(struct pf_summary *s, const struct pf_outcome *o,
    const struct pf_verdict *v)
{
	size_t i;
	int rc;

	s->messages++;
	if (o->error != NULL) {
		s->errors++;
		return PF_OK;
	}
	if (!o->gmail)
		s->not_gmail++;
	else if ((unsigned)v->kind < PF_NELEM(s->verdict))
		s->verdict[v->kind]++;
	if (o->gmail && v->nunk > 0)
		s->undecided++;
	if (o->failsafe)
		s->failsafe++;
	if (o->action != NULL)
		count_action(s, o->action);
	for (i = 0; i < v->npred; i++)
		if ((rc = count_rule(s, v->pred[i].rule)) != PF_OK)
			return rc;
	return PF_OK;
}

/* by_count - most frequent first, then catalog order (line) */
static int
by_count(const void *a, const void *b)
{
	const struct pf_summary_rule *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->rule->line < y->rule->line ? -1 :
	    x->rule->line > y->rule->line;
}

/* sort_rules - the rule table in print order (qsort wants a non-null
 * array even for no element) */
static void
sort_rules(const struct pf_summary *s)
{
	if (s->nrule > 1)
		qsort(s->rule, s->nrule, sizeof(*s->rule), by_count);
}

/* share - percent of all messages */
static double
share(const struct pf_summary *s, size_t n)
{
	return s->messages > 0 ? 100.0 * (double)n / (double)s->messages : 0;
}

/* row - one "  name  count  share" line */
static void
row(FILE *fp, const struct pf_summary *s, const char *name, size_t n)
{
	fprintf(fp, "  %-34s %7zu  %5.1f%%\n", name, n, share(s, n));
}

/* pf_summary_text - the table */
void
pf_summary_text(FILE *fp, const struct pf_summary *s)
{
	static const char *vn[] = { "accept", "tempfail", "reject" };
	char name[96];
	size_t i;

	sort_rules(s);
	fprintf(fp, "\nsummary: %zu message%s", s->messages,
	    s->messages == 1 ? "" : "s");
	if (s->seconds > 0)
		fprintf(fp, " in %.2f s (%.0f/s)", s->seconds,
		    (double)s->messages / s->seconds);
	fputc('\n', fp);
	for (i = 0; i < PF_NELEM(vn); i++)
		row(fp, s, vn[i], s->verdict[i]);
	if (s->not_gmail > 0)
		row(fp, s, "not bound for Gmail", s->not_gmail);
	if (s->errors > 0)
		row(fp, s, "not a message / unreadable", s->errors);
	if (s->undecided > 0)
		row(fp, s, "with checks not decided", s->undecided);
	if (s->naction > 0) {
		fputs("actions:\n", fp);
		for (i = 0; i < s->naction; i++)
			row(fp, s, s->action[i].name, s->action[i].count);
		if (s->failsafe > 0)
			row(fp, s, "(FailAction: checks incomplete)",
			    s->failsafe);
	}
	if (s->nrule > 0) {
		fputs("rules:\n", fp);
		for (i = 0; i < s->nrule; i++) {
			snprintf(name, sizeof(name), "%d %s %s",
			    s->rule[i].rule->reply, s->rule[i].rule->status,
			    s->rule[i].rule->id);
			row(fp, s, name, s->rule[i].count);
		}
	}
}

/* pf_summary_json - one object */
void
pf_summary_json(FILE *fp, const struct pf_summary *s)
{
	size_t i;

	sort_rules(s);
	fprintf(fp, "{\"schema\":\"%s\",\"messages\":%zu,\"errors\":%zu,"
	    "\"verdicts\":{\"accept\":%zu,\"tempfail\":%zu,\"reject\":%zu},"
	    "\"not_gmail\":%zu,\"undecided\":%zu,\"failsafe\":%zu,"
	    "\"seconds\":%.3f,\"actions\":{", PF_SUMMARY_SCHEMA, s->messages,
	    s->errors, s->verdict[PF_V_ACCEPT], s->verdict[PF_V_TEMPFAIL],
	    s->verdict[PF_V_REJECT], s->not_gmail, s->undecided, s->failsafe,
	    s->seconds);
	for (i = 0; i < s->naction; i++) {
		fputs(i ? "," : "", fp);
		pf_json_str(fp, s->action[i].name);
		fprintf(fp, ":%zu", s->action[i].count);
	}
	fputs("},\"rules\":[", fp);
	for (i = 0; i < s->nrule; i++) {
		fputs(i ? ",{\"rule\":" : "{\"rule\":", fp);
		pf_json_str(fp, s->rule[i].rule->id);
		fprintf(fp, ",\"reply\":%d,\"status\":", s->rule[i].rule->reply);
		pf_json_str(fp, s->rule[i].rule->status);
		fprintf(fp, ",\"count\":%zu,\"share\":%.4f}", s->rule[i].count,
		    share(s, s->rule[i].count) / 100.0);
	}
	fputs("]}\n", fp);
}

/* pf_summary_reset - release the rule table */
void
pf_summary_reset(struct pf_summary *s)
{
	free(s->rule);
	memset(s, 0, sizeof(*s));
}
