/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verdict.c - the verdict as JSON and as a readable report.  Everything
 * printed from a message (texts with placeholders filled from headers,
 * domains, reasons) goes through the JSON escaper or is printed as plain
 * text; nothing here interprets it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/facts.h"
#include "base/json.h"
#include "catalog/rules.h"
#include "catalog/verdict.h"

/* fact_json - a fact's value, or null when unknown */
static void
fact_json(FILE *fp, const struct pf_facts *f, int id)
{
	if (!pf_fact_known(f, id)) {
		fputs("null", fp);
		return;
	}
	switch (pf_fact_type(id)) {
	case PF_T_STR:
		pf_json_str(fp, pf_fact_gets(f, id));
		break;
	case PF_T_BOOL:
		fputs(pf_fact_getn(f, id) ? "true" : "false", fp);
		break;
	default:
		fprintf(fp, "%lld", (long long)pf_fact_getn(f, id));
	}
}

/* group_json - "name": {"key": fact, ..., "why": reason of the first
 * unknown} for one authentication mechanism */
static void
group_json(FILE *fp, const struct pf_facts *f, const char *name,
    const char **keys, const int *ids, size_t n)
{
	const char *why = NULL;
	size_t i;

	fprintf(fp, "\"%s\":{", name);
	for (i = 0; i < n; i++) {
		fprintf(fp, "%s\"%s\":", i ? "," : "", keys[i]);
		fact_json(fp, f, ids[i]);
		if (why == NULL && !pf_fact_known(f, ids[i]))
			why = pf_fact_why(f, ids[i]);
	}
	if (why != NULL) {
		fputs(",\"why\":", fp);
		pf_json_str(fp, why);
	}
	fputc('}', fp);
}

static void
auth_json(FILE *fp, const struct pf_facts *f)
{
	static const char *spf_k[] = { "result", "domain", "hardfail" };
	static const int spf_i[] = { PF_F_SPF_RESULT, PF_F_SPF_DOMAIN,
	    PF_F_SPF_HARDFAIL };
	static const char *dkim_k[] = { "pass", "domain", "signatures",
	    "weak_key", "key_mismatch" };
	static const int dkim_i[] = { PF_F_DKIM_PASS, PF_F_DKIM_DOMAIN,
	    PF_F_DKIM_COUNT, PF_F_DKIM_WEAK_KEY, PF_F_DKIM_KEY_MISMATCH };
	static const char *dmarc_k[] = { "record", "domain", "policy", "pass",
	    "spf_aligned", "dkim_aligned" };
	static const int dmarc_i[] = { PF_F_DMARC_RECORD, PF_F_DMARC_DOMAIN,
	    PF_F_DMARC_POLICY, PF_F_DMARC_PASS, PF_F_DMARC_SPF_ALIGNED,
	    PF_F_DMARC_DKIM_ALIGNED };
	static const char *ptr_k[] = { "ip", "name", "present", "fcrdns" };
	static const int ptr_i[] = { PF_F_EGRESS_IP, PF_F_PTR_NAME,
	    PF_F_PTR_PRESENT, PF_F_PTR_FCRDNS };

	fputs("\"auth\":{", fp);
	group_json(fp, f, "spf", spf_k, spf_i, PF_NELEM(spf_i));
	fputc(',', fp);
	group_json(fp, f, "dkim", dkim_k, dkim_i, PF_NELEM(dkim_i));
	fputc(',', fp);
	group_json(fp, f, "dmarc", dmarc_k, dmarc_i, PF_NELEM(dmarc_i));
	fputc(',', fp);
	group_json(fp, f, "ptr", ptr_k, ptr_i, PF_NELEM(ptr_i));
	fputc('}', fp);
}

/* state_json - "state": what the state store knows of this message */
static void
state_json(FILE *fp, const struct pf_facts *f)
{
	static const char *k[] = { "org_domain", "org_personal_day",
	    "org_peak", "bulk", "bulk_since", "rcpt_minute", "rcpt_hour",
	    "rcpt_day", "msgid_transactions", "relay_sender_messages",
	    "relay_sender_recipients", "relay_sender_unique", "relay_org_day",
	    "relay_org_10min", "account_messages", "account_recipients" };
	static const int ids[] = { PF_F_STATE_ORG_DOMAIN,
	    PF_F_STATE_ORG_PERSONAL_DAY, PF_F_STATE_ORG_PEAK, PF_F_STATE_BULK,
	    PF_F_STATE_BULK_SINCE, PF_F_STATE_RCPT_MINUTE,
	    PF_F_STATE_RCPT_HOUR, PF_F_STATE_RCPT_DAY,
	    PF_F_STATE_MSGID_TRANSACTIONS, PF_F_STATE_RELAY_SENDER_MSGS,
	    PF_F_STATE_RELAY_SENDER_RCPTS, PF_F_STATE_RELAY_SENDER_UNIQUE,
	    PF_F_STATE_RELAY_ORG_DAY, PF_F_STATE_RELAY_ORG_PEAK,
	    PF_F_STATE_ACCOUNT_MSGS, PF_F_STATE_ACCOUNT_RCPTS };

	group_json(fp, f, "state", k, ids, PF_NELEM(ids));
}

/* pf_verdict_json - one object, one line */
void
pf_verdict_json(FILE *fp, const struct pf_verdict *v,
    const struct pf_facts *f)
{
	fputc('{', fp);
	pf_verdict_json_members(fp, v, f);
	fputs("}\n", fp);
}

/* pf_verdict_json_members - the members of that object, no braces */
void
pf_verdict_json_members(FILE *fp, const struct pf_verdict *v,
    const struct pf_facts *f)
{
	size_t i;

	fprintf(fp, "\"verdict\":\"%s\",\"predictions\":[",
	    pf_verdict_name(v->kind));
	for (i = 0; i < v->npred; i++) {
		const struct pf_pred *p = &v->pred[i];
		const struct pf_rule *r = p->rule;

		fprintf(fp, "%s{\"rule\":", i ? "," : "");
		pf_json_str(fp, r->id);
		fprintf(fp, ",\"reply\":%d,\"status\":", r->reply);
		pf_json_str(fp, r->status);
		fputs(",\"text\":", fp);
		pf_json_str(fp, p->text);
		fprintf(fp, ",\"class\":\"%s\",\"stage\":\"%s\",\"detail\":",
		    pf_class_name(r->cls), pf_stage_name(r->stage));
		pf_json_str(fp, p->detail);
		fprintf(fp, ",\"confidence\":\"%s\"}",
		    pf_confidence_name(r->confidence));
	}
	fputs("],\"unknown\":[", fp);
	for (i = 0; i < v->nunk; i++) {
		const struct pf_rule *r = v->unk[i].rule;

		fprintf(fp, "%s{\"rule\":", i ? "," : "");
		pf_json_str(fp, r->id);
		fprintf(fp, ",\"reply\":%d,\"status\":", r->reply);
		pf_json_str(fp, r->status);
		fputs(",\"why\":", fp);
		pf_json_str(fp, v->unk[i].why);
		fputc('}', fp);
	}
	fputs("],", fp);
	auth_json(fp, f);
	fputc(',', fp);
	state_json(fp, f);
	if (v->rules != NULL && v->rules->version != NULL) {
		fputs(",\"catalog\":{\"version\":", fp);
		pf_json_str(fp, v->rules->version);
		fputs(",\"date\":", fp);
		pf_json_str(fp, v->rules->date);
		fputc('}', fp);
	}
}

/* clean - print untrusted text with control characters made visible */
static void
clean(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, fp);
}

/* pf_verdict_report - headline, then each prediction, then unknowns */
void
pf_verdict_report(FILE *fp, const struct pf_verdict *v,
    const struct pf_facts *f)
{
	size_t i;

	switch (v->kind) {
	case PF_V_REJECT:
		fprintf(fp, "verdict: reject - Gmail would refuse this "
		    "message (%zu prediction%s)\n", v->npred,
		    v->npred == 1 ? "" : "s");
		break;
	case PF_V_TEMPFAIL:
		fprintf(fp, "verdict: tempfail - Gmail would defer this "
		    "message (%zu prediction%s)\n", v->npred,
		    v->npred == 1 ? "" : "s");
		break;
	default:
		fputs("verdict: accept - no Gmail rejection predicted\n", fp);
	}
	for (i = 0; i < v->npred; i++) {
		const struct pf_pred *p = &v->pred[i];
		const struct pf_rule *r = p->rule;

		fprintf(fp, "\n%d %s  %s  [%s, at %s", r->reply,
		    r->status, r->id, pf_class_name(r->cls),
		    pf_stage_name(r->stage));
		if (r->confidence != PF_CONF_HIGH)
			fprintf(fp, ", %s confidence",
			    pf_confidence_name(r->confidence));
		fputs("]\n", fp);
		fputs("  reply:    ", fp);
		clean(fp, p->text);
		fputs("\n  measured: ", fp);
		clean(fp, p->detail);
		fprintf(fp, "\n  cause:    %s\n  fix:      %s\n", r->cause,
		    r->fix);
	}
	if (v->nunk > 0) {
		fprintf(fp, "\nnot decided (%zu):\n", v->nunk);
		for (i = 0; i < v->nunk; i++) {
			fprintf(fp, "  %d %s  %s: ", v->unk[i].rule->reply,
			    v->unk[i].rule->status, v->unk[i].rule->id);
			clean(fp, v->unk[i].why);
			fputc('\n', fp);
		}
	}
	(void)f;
}

/* pf_verdict_min_confidence - keep the predictions sure enough */
void
pf_verdict_min_confidence(struct pf_verdict *v, enum pf_confidence min)
{
	size_t i, k = 0;

	if (min == PF_CONF_LOW)
		return;
	v->kind = PF_V_ACCEPT;
	for (i = 0; i < v->npred; i++) {
		const struct pf_rule *r = v->pred[i].rule;

		if (r->confidence < min) {
			free(v->pred[i].text);
			free(v->pred[i].detail);
			continue;
		}
		v->pred[k++] = v->pred[i];
		if (r->reply >= 500)
			v->kind = PF_V_REJECT;
		else if (r->reply >= 400 && v->kind != PF_V_REJECT)
			v->kind = PF_V_TEMPFAIL;
	}
	v->npred = k;
}
