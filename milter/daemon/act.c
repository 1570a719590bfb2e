/*
 * act.c - end of message: strip forged X-Preflight-* fields, run the
 * check, let the policy choose, apply the action through libmilter, and
 * write the one summary line.  Any internal error or failed check leads
 * to FailAction (accept, hold or tempfail); nothing here ever discards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "config/policy.h"
#include "config/smtpreply.h"
#include "session.h"

/* predictions written as X-Preflight-Prediction fields, and logged */
#define MAX_TAGS	32
#define MAX_LOGGED	12

/* strip - delete every X-Preflight-* field that came with the message */
static int
strip(SMFICTX *ctx, struct sess *s)
{
	size_t i;
	unsigned k;

	for (i = 0; i < s->nours; i++)
		/* highest index first, so the others keep their numbers */
		for (k = s->ours[i].count; k >= 1; k--)
			if (smfi_chgheader(ctx, s->ours[i].name, (int)k,
			    NULL) != MI_SUCCESS)
				return -1;
	return 0;
}

/* tag - X-Preflight-Verdict and one X-Preflight-Prediction each */
static int
tag(SMFICTX *ctx, const struct pf_verdict *v)
{
	char val[PF_SMTP_HDRVAL_MAX + 64];
	size_t i;

	snprintf(val, sizeof(val), " %s", pf_verdict_name(v->kind));
	if (smfi_addheader(ctx, "X-Preflight-Verdict", val) != MI_SUCCESS)
		return -1;
	for (i = 0; i < v->npred && i < MAX_TAGS; i++) {
		pf_smtp_prediction(val, sizeof(val), &v->pred[i]);
		if (smfi_addheader(ctx, "X-Preflight-Prediction", val) !=
		    MI_SUCCESS)
			return -1;
	}
	return 0;
}

/* refuse - smfi_setreply with the predicted reply; 4 or 5 */
static sfsistat
refuse(SMFICTX *ctx, const struct pf_pred *p, int cls)
{
	char rc[8], xc[24], text[PF_SMTP_REPLY_MAX + 1];

	pf_smtp_codes(p, cls, rc, sizeof(rc), xc, sizeof(xc));
	pf_smtp_text(text, sizeof(text), p);
	if (smfi_setreply(ctx, rc, xc, text) != MI_SUCCESS)
		pf_log(LOG_WARNING, "smfi_setreply %s %s refused; the MTA "
		    "uses its generic reply", rc, xc);
	return cls == 5 ? SMFIS_REJECT : SMFIS_TEMPFAIL;
}

/* hold - quarantine with a reason naming the prediction */
static int
hold(SMFICTX *ctx, const struct pf_pred *p)
{
	char raw[512], reason[300];

	snprintf(raw, sizeof(raw), "preflight: Gmail would answer %d %s (%s)",
	    p->rule->reply, p->rule->status, p->rule->id);
	pf_smtp_clean(reason, sizeof(reason), raw, 0);
	return smfi_quarantine(ctx, reason) == MI_SUCCESS ? 0 : -1;
}

/* summary - the one info line per message, keyed by queue id:
 * "QID: action=A [would=A] rule=ID reply=N status=S ... rcpt=N" then
 * the context (verdict, gmail, reason, client) */
static void
summary(const char *qid, struct sess *s, const char *action,
    const char *would, const char *extra, const struct pf_verdict *v)
{
	char line[1800], q[40];
	size_t used, i;
	int n;

	pf_smtp_logesc(q, sizeof(q), qid, strlen(qid));
	n = snprintf(line, sizeof(line), "%s: action=%s%s%s", q, action,
	    would ? " would=" : "", would ? would : "");
	used = n > 0 && (size_t)n < sizeof(line) ? (size_t)n : 0;
	for (i = 0; v != NULL && i < v->npred && i < MAX_LOGGED; i++) {
		n = snprintf(line + used, sizeof(line) - used,
		    " rule=%s reply=%d status=%s", v->pred[i].rule->id,
		    v->pred[i].rule->reply, v->pred[i].rule->status);
		if (n < 0 || (size_t)n >= sizeof(line) - used)
			break;
		used += (size_t)n;
	}
	if (v != NULL && v->npred > MAX_LOGGED && used < sizeof(line)) {
		n = snprintf(line + used, sizeof(line) - used, " more=%zu",
		    v->npred - MAX_LOGGED);
		if (n > 0 && (size_t)n < sizeof(line) - used)
			used += (size_t)n;
	}
	if (used < sizeof(line))
		snprintf(line + used, sizeof(line) - used,
		    " rcpt=%u%s client=%s%s%s", s->nrcpt, extra, s->client,
		    s->helo[0] ? " helo=" : "", s->helo);
	pf_log(LOG_INFO, "%s", line);
}

/* failsafe - FailAction for a message the check could not finish */
static sfsistat
failsafe(SMFICTX *ctx, struct sess *s, const char *qid, const char *why,
    const struct pf_verdict *v)
{
	const struct pf_policy *p = s->eng != NULL ?
	    pf_engine_config(s->eng)->policy : NULL;
	enum pf_action a = p != NULL ? p->fail_action : PF_A_ACCEPT;
	char esc[200], extra[260];

	pf_smtp_logesc(esc, sizeof(esc), why, strlen(why));
	snprintf(extra, sizeof(extra), " fail=\"%s\"", esc);
	if (p != NULL && p->dry_run)
		a = PF_A_ACCEPT;
	if (a == PF_A_HOLD &&
	    smfi_quarantine(ctx, "preflight: internal error") != MI_SUCCESS)
		a = PF_A_ACCEPT;
	summary(qid, s, pf_action_name(a), NULL, extra, v);
	if (a == PF_A_TEMPFAIL) {
		char raw[400], text[400];

		snprintf(raw, sizeof(raw), "preflight: could not finish the "
		    "checks (%.200s); try again later", why);
		pf_smtp_clean(text, sizeof(text), raw, 1);
		smfi_setreply(ctx, "451", "4.3.0", text);
		return SMFIS_TEMPFAIL;
	}
	return SMFIS_CONTINUE;
}

/* record - count a message that goes on (accepted, tagged, or any
 * message in dry run) in the state store */
static void
record(struct sess *s, const char *qid, const struct pf_decision *d)
{
	struct pf_err err;
	char esc[300];

	if (d->action != PF_A_ACCEPT && d->action != PF_A_TAG)
		return;
	memset(&err, 0, sizeof(err));
	if (pf_check_record(s->chk, &err) != PF_OK) {
		pf_smtp_logesc(esc, sizeof(esc), err.msg, strlen(err.msg));
		pf_log(LOG_WARNING, "%s: not counted: %s", qid, esc);
	}
}

/* pf_act_eom - check, decide, apply, log */
sfsistat
pf_act_eom(SMFICTX *ctx, struct sess *s)
{
	const char *qid = smfi_getsymval(ctx, "i");
	const struct pf_policy *p;
	struct pf_verdict v;
	struct pf_decision d;
	struct pf_err err;
	enum pf_undecided undecided;
	char extra[400], esc[300], ebuf[600];
	sfsistat st = SMFIS_CONTINUE;
	const char *why = s->failed ? s->why : NULL;

	if (qid == NULL || *qid == '\0')
		qid = "NOQUEUE";
	memset(&err, 0, sizeof(err));
	memset(&v, 0, sizeof(v));
	/* forged verdicts go whatever else happens, dry run included; the
	 * first failure of the message is the one reported */
	if (strip(ctx, s) != 0 && why == NULL)
		why = "could not delete X-Preflight-* fields";
	if (why == NULL && s->chk == NULL)
		why = "no message state";
	if (why != NULL)
		return failsafe(ctx, s, qid, why, NULL);
	if (pf_check_run(s->chk, &v, &err) != PF_OK) {
		pf_verdict_reset(&v);
		return failsafe(ctx, s, qid, pf_err_format(&err, ebuf,
		    sizeof(ebuf)), NULL);
	}
	if ((undecided = pf_policy_incomplete(&v)) != PF_U_NONE) {
		/* the checks are incomplete: FailAction, not a guess */
		st = failsafe(ctx, s, qid, pf_undecided_text(undecided), &v);
		pf_verdict_reset(&v);
		return st;
	}
	p = pf_engine_config(s->eng)->policy;
	pf_check_decide(s->chk, &v, &d);
	pf_smtp_logesc(esc, sizeof(esc), d.reason, strlen(d.reason));
	snprintf(extra, sizeof(extra), " verdict=%s gmail=%s reason=\"%s\"",
	    pf_verdict_name(v.kind), d.gmail ? "yes" : "no", esc);
	switch (d.action) {
	case PF_A_ACCEPT:
		break;
	case PF_A_TAG:
		if (tag(ctx, &v) != 0)
			pf_log(LOG_WARNING, "%s: adding X-Preflight fields "
			    "failed", qid);
		break;
	case PF_A_HOLD:
		if (tag(ctx, &v) != 0 || hold(ctx, d.pred) != 0) {
			st = failsafe(ctx, s, qid, "quarantine failed", &v);
			pf_verdict_reset(&v);
			return st;
		}
		break;
	case PF_A_TEMPFAIL:
	case PF_A_REJECT:
		/* a predicted 4xx stays temporary: never a 5xx Gmail
		 * would not give */
		st = refuse(ctx, d.pred, pf_smtp_class(d.action, d.pred));
		break;
	}
	record(s, qid, &d);
	summary(qid, s, st == SMFIS_TEMPFAIL && d.action == PF_A_REJECT ?
	    "tempfail" : pf_action_name(d.action),
	    p->dry_run ? pf_action_name(d.would) : NULL, extra, &v);
	pf_verdict_reset(&v);
	return st;
}
