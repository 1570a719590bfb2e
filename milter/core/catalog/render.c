/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * render.c - the printed forms of a checked message and of a catalog
 * entry.  Text from a message (addresses, file names, reasons) is printed
 * through the JSON escaper or with control characters made visible;
 * nothing here interprets it.
 */
#include <stdio.h>
#include <string.h>

#include "base/facts.h"
#include "base/json.h"
#include "catalog/render.h"
#include "catalog/rules.h"
#include "catalog/verdict.h"

/* visible - untrusted text with control characters as '?' */
static void
visible(FILE *fp, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, fp);
}

/* envelope - the two envelope lines and where their values came from */
static void
envelope(FILE *fp, const struct pf_outcome *o)
{
	size_t i;

	fputs("envelope:  MAIL FROM:<", fp);
	visible(fp, o->mail_from != NULL ? o->mail_from : "");
	fprintf(fp, ">  (%s)\n", o->mail_src != NULL ? o->mail_src :
	    "none given");
	fputs("           RCPT TO:", fp);
	for (i = 0; i < o->nrcpt && i < 8; i++) {
		fputs(i ? ", <" : "<", fp);
		visible(fp, o->rcpt[i]);
		fputc('>', fp);
	}
	if (o->nrcpt > 8)
		fprintf(fp, " and %zu more", o->nrcpt - 8);
	fprintf(fp, "  (%s)\n", o->rcpt_src != NULL ? o->rcpt_src : "given");
	if (o->mta_added != NULL)
		fprintf(fp, "mta adds:  %s (MTAAddsHeaders)\n", o->mta_added);
}

/* pf_render_report - envelope, verdict, action */
void
pf_render_report(FILE *fp, const struct pf_outcome *o,
    const struct pf_verdict *v, const struct pf_facts *f)
{
	if (o->error != NULL) {
		fprintf(fp, "%s: not checked: ", o->label);
		visible(fp, o->error);
		fputc('\n', fp);
		return;
	}
	envelope(fp, o);
	if (!o->gmail)
		fputs("gmail:     not bound for Gmail: no recipient is known to "
		    "be handled by Google\n           (UnknownRecipients "
		    "decides when that is unknown), so no Gmail reply is "
		    "predicted\n", fp);
	fputc('\n', fp);
	pf_verdict_report(fp, v, f);
	if (o->action != NULL) {
		fprintf(fp, "\naction: %s (", o->action);
		visible(fp, o->action_why);
		fputs(")\n", fp);
	}
}

/* pf_render_line - one message in a batch */
void
pf_render_line(FILE *fp, const struct pf_outcome *o,
    const struct pf_verdict *v)
{
	size_t i;

	visible(fp, o->label);
	if (o->error != NULL) {
		fputs("  error  ", fp);
		visible(fp, o->error);
		fputc('\n', fp);
		return;
	}
	fprintf(fp, "  %s", o->gmail ? pf_verdict_name(v->kind) :
	    "not-gmail");
	for (i = 0; i < v->npred; i++)
		fprintf(fp, "%s%s", i ? " " : "  ", v->pred[i].rule->id);
	if (o->action != NULL)
		fprintf(fp, "  [%s%s]", o->failsafe ? "FailAction " : "",
		    o->action);
	fputc('\n', fp);
}

/* pf_render_json - one object per message */
void
pf_render_json(FILE *fp, const struct pf_outcome *o,
    const struct pf_verdict *v, const struct pf_facts *f)
{
	size_t i;

	fprintf(fp, "{\"schema\":\"%s\",\"path\":", PF_CHECK_SCHEMA);
	pf_json_str(fp, o->path);
	fprintf(fp, ",\"index\":%u", o->index);
	if (o->error != NULL) {
		fputs(",\"error\":", fp);
		pf_json_str(fp, o->error);
		fputs("}\n", fp);
		return;
	}
	fputs(",\"envelope\":{\"mail_from\":", fp);
	pf_json_str(fp, o->mail_from);
	fputs(",\"mail_from_source\":", fp);
	pf_json_str(fp, o->mail_src);
	fputs(",\"rcpt\":[", fp);
	for (i = 0; i < o->nrcpt; i++) {
		if (i)
			fputc(',', fp);
		pf_json_str(fp, o->rcpt[i]);
	}
	fputs("],\"rcpt_source\":", fp);
	pf_json_str(fp, o->rcpt_src);
	fputs(",\"mta_added\":", fp);
	pf_json_str(fp, o->mta_added);
	fprintf(fp, "},\"gmail\":%s,\"action\":", o->gmail ? "true" :
	    "false");
	pf_json_str(fp, o->action);
	fputs(",\"action_reason\":", fp);
	pf_json_str(fp, o->action_why);
	fprintf(fp, ",\"failsafe\":%s,", o->failsafe ? "true" : "false");
	pf_verdict_json_members(fp, v, f);
	fputs("}\n", fp);
}

/* field - one "name: value" line of the entry */
static void
field(FILE *fp, const char *name, const char *value)
{
	fprintf(fp, "%-12s %s\n", name, value != NULL ? value : "");
}

/* json_field - one "name": "value" member */
static void
json_field(FILE *fp, const char *name, const char *value, int comma)
{
	fputs(comma ? ", " : "", fp);
	pf_json_str(fp, name);
	fputs(": ", fp);
	pf_json_str(fp, value);
}

/* rule_json - the entry as one object */
static void
rule_json(FILE *fp, const struct pf_rule *r, const struct pf_render_ph *ph,
    size_t nph, int seen_code, const char *seen_status)
{
	size_t i;

	fputs("{", fp);
	json_field(fp, "rule", r->id, 0);
	fprintf(fp, ", \"reply\": %d", r->reply);
	json_field(fp, "status", r->status, 1);
	json_field(fp, "text", r->text, 1);
	json_field(fp, "class", pf_class_name(r->cls), 1);
	json_field(fp, "stage", pf_stage_name(r->stage), 1);
	/* how sure a prediction of the entry is; null: it is never predicted */
	if (r->when != NULL)
		json_field(fp, "confidence", pf_confidence_name(r->confidence),
		    1);
	else
		fputs(", \"confidence\": null", fp);
	json_field(fp, "whose", r->whose, 1);
	json_field(fp, "cause", r->cause, 1);
	json_field(fp, "fix", r->fix, 1);
	json_field(fp, "url", r->url, 1);
	if (seen_status != NULL) {
		if (seen_code != 0)
			fprintf(fp, ", \"seen_reply\": %d", seen_code);
		else
			fputs(", \"seen_reply\": null", fp);
		json_field(fp, "seen_status", seen_status, 1);
	}
	fputs(", \"placeholders\": {", fp);
	for (i = 0; i < nph; i++)
		json_field(fp, ph[i].name, ph[i].value, i > 0);
	fputs("}}\n", fp);
}

/* pf_render_rule - a catalog entry for a person or a program */
void
pf_render_rule(FILE *fp, const struct pf_rule *r,
    const struct pf_render_ph *ph, size_t nph, int json)
{
	pf_render_rule_seen(fp, r, ph, nph, 0, NULL, json);
}

/* pf_render_rule_seen - the entry, and the reply as seen */
void
pf_render_rule_seen(FILE *fp, const struct pf_rule *r,
    const struct pf_render_ph *ph, size_t nph, int seen_code,
    const char *seen_status, int json)
{
	char code[32];
	size_t i;

	if (json) {
		rule_json(fp, r, ph, nph, seen_code, seen_status);
		return;
	}
	field(fp, "rule:", r->id);
	snprintf(code, sizeof(code), "%d %s", r->reply, r->status);
	field(fp, "reply:", code);
	if (seen_status != NULL && ((seen_code != 0 && seen_code != r->reply)
	    || (seen_status[0] != '\0' && strcmp(seen_status, r->status) !=
	    0))) {
		snprintf(code, sizeof(code), "%d %s", seen_code,
		    seen_status[0] != '\0' ? seen_status : "-");
		field(fp, "seen:", code);
	}
	field(fp, "class:", pf_class_name(r->cls));
	field(fp, "stage:", pf_stage_name(r->stage));
	if (r->when != NULL)
		field(fp, "confidence:", pf_confidence_name(r->confidence));
	field(fp, "whose:", r->whose);
	field(fp, "text:", r->text);
	field(fp, "cause:", r->cause);
	field(fp, "fix:", r->fix);
	field(fp, "url:", r->url);
	if (r->since != NULL)
		field(fp, "since:", r->since);
	for (i = 0; i < nph; i++)
		fprintf(fp, "{%s}: %s\n", ph[i].name, ph[i].value);
}

/* pf_render_reply_unknown - a reply in no entry */
void
pf_render_reply_unknown(FILE *fp, int code, const char *status,
    const char *text, int json)
{
	if (json) {
		fputs("{\"rule\": null", fp);
		if (code != 0)
			fprintf(fp, ", \"reply\": %d", code);
		else
			fputs(", \"reply\": null", fp);
		json_field(fp, "status", status, 1);
		json_field(fp, "text", text, 1);
		fputs(", \"placeholders\": {}}\n", fp);
		return;
	}
	fprintf(fp, "not in the catalog: %d %s %s\n", code,
	    status[0] != '\0' ? status : "-", text);
}
