/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report.c - collecting findings and printing them, as text lines or as
 * one JSON object.  A line reads
 *     FAIL     tls.gmail  smtp_tls_security_level = none -- fix: ... --
 *         would cause 421 4.7.0 tls-required-for-domain
 * (on one line); the first two columns are padded so that a terminal
 * shows a table.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "mta/report.h"

static const char *names[] = { "ok", "warn", "FAIL", "unknown" };

/* pf_mta_status_name - the word printed for a status */
const char *
pf_mta_status_name(enum pf_mta_status st)
{
	return (unsigned)st < 4 ? names[st] : "?";
}

/* pf_report_add - append one finding */
void
pf_report_add(struct pf_report *r, enum pf_mta_status st, const char *check,
    const char *rule, const char *fix, const char *seenfmt, ...)
{
	struct pf_finding *f;
	va_list ap;

	if (r->n >= PF_MTA_MAX_FINDINGS) {
		r->dropped++;
		return;
	}
	f = &r->f[r->n++];
	f->st = st;
	snprintf(f->check, sizeof(f->check), "%s", check);
	snprintf(f->rule, sizeof(f->rule), "%s", rule ? rule : "");
	snprintf(f->fix, sizeof(f->fix), "%s", fix ? fix : "");
	va_start(ap, seenfmt);
	vsnprintf(f->seen, sizeof(f->seen), seenfmt, ap);
	va_end(ap);
}

/* weight - FAIL over unknown over warn over ok */
static int
weight(enum pf_mta_status st)
{
	switch (st) {
	case PF_MTA_FAIL:	return 3;
	case PF_MTA_UNKNOWN:	return 2;
	case PF_MTA_WARN:	return 1;
	default:		return 0;
	}
}

/* pf_report_worst - the heaviest status of the report */
enum pf_mta_status
pf_report_worst(const struct pf_report *r)
{
	enum pf_mta_status w = PF_MTA_OK;
	size_t i;

	for (i = 0; i < r->n; i++)
		if (weight(r->f[i].st) > weight(w))
			w = r->f[i].st;
	return w;
}

/* would_cause - "550 5.7.26 rule-id", or the bare id if not in rules */
static void
would_cause(const struct pf_rules *rules, const char *id, char *buf,
    size_t len)
{
	const struct pf_rule *ru = rules ? pf_rules_find(rules, id) : NULL;

	if (ru != NULL)
		snprintf(buf, len, "%d %s %s", ru->reply, ru->status, id);
	else
		snprintf(buf, len, "%s", id);
}

/* pf_report_text - the checklist */
void
pf_report_text(FILE *fp, const struct pf_report *r,
    const struct pf_rules *rules)
{
	char wc[96];
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct pf_finding *f = &r->f[i];

		fprintf(fp, "%-7s  %-24s  %s", pf_mta_status_name(f->st),
		    f->check, f->seen);
		if (f->fix[0] != '\0' && f->st != PF_MTA_OK)
			fprintf(fp, " -- fix: %s", f->fix);
		if (f->rule[0] != '\0' && f->st != PF_MTA_OK) {
			would_cause(rules, f->rule, wc, sizeof(wc));
			fprintf(fp, " -- would cause %s", wc);
		}
		fputc('\n', fp);
	}
	if (r->dropped > 0)
		fprintf(fp, "warn     doctor                    %zu more "
		    "findings not shown\n", r->dropped);
}

/* json_finding - one object of the findings array */
static void
json_finding(FILE *fp, const struct pf_finding *f,
    const struct pf_rules *rules)
{
	const struct pf_rule *ru;

	fputs("{\"status\":", fp);
	pf_json_str(fp, pf_mta_status_name(f->st));
	fputs(",\"check\":", fp);
	pf_json_str(fp, f->check);
	fputs(",\"seen\":", fp);
	pf_json_str(fp, f->seen);
	fputs(",\"fix\":", fp);
	pf_json_str(fp, f->fix[0] ? f->fix : NULL);
	fputs(",\"rule\":", fp);
	pf_json_str(fp, f->rule[0] ? f->rule : NULL);
	ru = f->rule[0] && rules ? pf_rules_find(rules, f->rule) : NULL;
	if (ru != NULL) {
		fprintf(fp, ",\"reply\":%d,\"code\":", ru->reply);
		pf_json_str(fp, ru->status);
	}
	fputc('}', fp);
}

/* pf_report_json - the whole report as one object */
void
pf_report_json(FILE *fp, const struct pf_report *r,
    const struct pf_rules *rules)
{
	size_t i;

	fputs("{\"status\":", fp);
	pf_json_str(fp, pf_mta_status_name(pf_report_worst(r)));
	fprintf(fp, ",\"dropped\":%zu,\"findings\":[", r->dropped);
	for (i = 0; i < r->n; i++) {
		if (i > 0)
			fputc(',', fp);
		json_finding(fp, &r->f[i], rules);
	}
	fputs("]}\n", fp);
}
