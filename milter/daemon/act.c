/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * act.c - end of message: strip forged X-Preflight-* fields, run the
 * check, let the policy choose, apply the action through libmilter, and
 * write the one summary line.  Any internal error or failed check leads
 * to FailAction (accept, hold or tempfail); nothing here ever discards.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "catalog/verdict.h"
#include "config/policy.h"
#include "logfmt.h"
#include "config/smtpreply.h"
#include "session.h"
#include "stats.h"

/* predictions written as X-Preflight-Prediction fields, and logged */
#define MAX_TAGS	32
#define MAX_LOGGED	12
/* recipient domains named in the log line */
#define MAX_DOMAINS	16

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

/* listed - whether dom is one of the comma-joined list */
static int
listed(const char *list, const char *dom)
{
	size_t n = strlen(dom);
	const char *p = list;

	while ((p = strstr(p, dom)) != NULL) {
		if ((p == list || p[-1] == ',') &&
		    (p[n] == ',' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

/* rcpt_domains - the distinct recipient domains, lower case, comma-joined
 * (at most MAX_DOMAINS, then ",..."), into buf */
static void
rcpt_domains(const struct sess *s, char *buf, size_t len)
{
	const struct pf_msg *m;
	const char *r, *at;
	char dom[256];
	size_t n, i, k, used = 0, shown = 0;

	buf[0] = '\0';
	if (s->chk == NULL)
		return;
	m = pf_check_msg(s->chk);
	n = pf_msg_rcpt_count(m);
	for (i = 0; i < n; i++) {
		if ((r = pf_msg_rcpt_get(m, i)) == NULL ||
		    (at = strrchr(r, '@')) == NULL)
			continue;
		for (k = 0; at[k + 1] != '\0' && at[k + 1] != '>' &&
		    k + 1 < sizeof(dom); k++)
			dom[k] = (char)tolower((unsigned char)at[k + 1]);
		dom[k] = '\0';
		if (k == 0 || listed(buf, dom))
			continue;
		if (shown == MAX_DOMAINS || used + k + 5 >= len) {
			if (used + 4 < len)
				snprintf(buf + used, len - used, ",...");
			return;
		}
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
		    used ? "," : "", dom);
		shown++;
	}
}

/* from_domain - the From domain the checks found, else "" */
static const char *
from_domain(const struct sess *s)
{
	const struct pf_facts *f;

	if (s->chk == NULL)
		return "";
	f = pf_check_facts(s->chk);
	return f != NULL && pf_fact_known(f, PF_F_FROM_DOMAIN) ?
	    pf_fact_gets(f, PF_F_FROM_DOMAIN) : "";
}

/* fact_str - a string fact of the message's checks, else "" */
static const char *
fact_str(const struct sess *s, int id)
{
	const struct pf_facts *f = s->chk != NULL ? pf_check_facts(s->chk) :
	    NULL;

	return f != NULL && pf_fact_known(f, id) ? pf_fact_gets(f, id) : "";
}

/* dkim_domains - the d= the message goes out signed with (the passing
 * signatures, present or predicted, else the first one seen),
 * comma-joined, into buf */
static void
dkim_domains(const struct sess *s, char *buf, size_t len)
{
	const char *d = fact_str(s, PF_F_DKIM_PASS_DOMAINS);
	size_t i;

	if (d[0] == '\0')
		d = fact_str(s, PF_F_DKIM_DOMAIN);
	snprintf(buf, len, "%s", d);
	for (i = 0; buf[i] != '\0'; i++)
		buf[i] = buf[i] == ' ' ? ',' :
		    (char)tolower((unsigned char)buf[i]);
}

/* spf_domain - the domain SPF is checked for, else the envelope
 * sender's, lower case, into buf */
static const char *
spf_domain(const struct sess *s, char *buf, size_t len)
{
	const char *d = fact_str(s, PF_F_SPF_DOMAIN), *from, *at;
	size_t i;

	if (d[0] == '\0' && s->chk != NULL &&
	    (from = pf_msg_mail_get(pf_check_msg(s->chk))) != NULL &&
	    (at = strrchr(from, '@')) != NULL)
		d = at + 1;
	for (i = 0; d[i] != '\0' && d[i] != '>' && i + 1 < len; i++)
		buf[i] = (char)tolower((unsigned char)d[i]);
	buf[i] = '\0';
	return buf;
}

/* elapsed - seconds since MAIL FROM */
static double
elapsed(const struct sess *s)
{
	struct timespec now;

	if (s->t0.tv_sec == 0 && s->t0.tv_nsec == 0)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - s->t0.tv_sec) +
	    (double)(now.tv_nsec - s->t0.tv_nsec) / 1e9;
}

/* summary - the one info line per message, in logfmt (logfmt.h), in
 * this order: queue_id action [would] verdict gmail rules confidence
 * [more] reply status from_domain rcpt_domains rcpt client dkim_domains spf_domain
 * [helo] reason [fail]; and
 * the message in the counters */
static void
summary(const char *qid, struct sess *s, enum pf_action a, const char *would,
    const struct pf_verdict *v, const struct pf_decision *d,
    const char *fail)
{
	struct pf_lf lf;
	char rules[1200], confs[MAX_LOGGED * 8], doms[600], num[16],
	    sdom[256];
	const char *fd = from_domain(s);
	size_t i, used = 0;

	pf_lf_init(&lf);
	pf_lf_add(&lf, "queue_id", qid);
	pf_lf_add(&lf, "action", pf_action_name(a));
	if (would != NULL)
		pf_lf_add(&lf, "would", would);
	pf_lf_add(&lf, "verdict", v != NULL ? pf_verdict_name(v->kind) : "");
	pf_lf_add(&lf, "gmail", d == NULL ? "" : d->gmail ? "yes" : "no");
	rules[0] = '\0';
	for (i = 0; v != NULL && i < v->npred && i < MAX_LOGGED; i++)
		used += (size_t)snprintf(rules + used, sizeof(rules) - used,
		    "%s%s", i ? "," : "", v->pred[i].rule->id);
	pf_lf_add(&lf, "rules", rules);
	/* the confidence of each of those rules, in the same order */
	confs[0] = '\0';
	for (i = 0, used = 0; v != NULL && i < v->npred && i < MAX_LOGGED;
	    i++)
		used += (size_t)snprintf(confs + used, sizeof(confs) - used,
		    "%s%s", i ? "," : "",
		    pf_confidence_name(v->pred[i].rule->confidence));
	pf_lf_add(&lf, "confidence", confs);
	if (v != NULL && v->npred > MAX_LOGGED)
		pf_lf_addu(&lf, "more", v->npred - MAX_LOGGED);
	if (d != NULL && d->pred != NULL) {
		snprintf(num, sizeof(num), "%d", d->pred->rule->reply);
		pf_lf_add(&lf, "reply", num);
		pf_lf_add(&lf, "status", d->pred->rule->status);
	}
	pf_lf_add(&lf, "from_domain", fd);
	rcpt_domains(s, doms, sizeof(doms));
	pf_lf_add(&lf, "rcpt_domains", doms);
	pf_lf_addu(&lf, "rcpt", s->nrcpt);
	pf_lf_add(&lf, "client", s->client);
	dkim_domains(s, doms, sizeof(doms));
	pf_lf_add(&lf, "dkim_domains", doms);
	pf_lf_add(&lf, "spf_domain", spf_domain(s, sdom, sizeof(sdom)));
	if (s->helo[0] != '\0')
		pf_lf_add(&lf, "helo", s->helo);
	pf_lf_add(&lf, "reason", fail != NULL ? "fail-safe" :
	    d != NULL ? d->reason : "");
	if (fail != NULL)
		pf_lf_add(&lf, "fail", fail);
	pf_log(LOG_INFO, "%s", pf_lf_line(&lf));
	pf_stats_message(a, fail != NULL, v, fd, elapsed(s));
}

/* failsafe - FailAction for a message the check could not finish */
static sfsistat
failsafe(SMFICTX *ctx, struct sess *s, const char *qid, const char *why,
    const struct pf_verdict *v)
{
	const struct pf_policy *p = s->eng != NULL ?
	    pf_engine_config(s->eng)->policy : NULL;
	enum pf_action a = p != NULL ? p->fail_action : PF_A_ACCEPT;

	if (p != NULL && p->dry_run)
		a = PF_A_ACCEPT;
	if (a == PF_A_HOLD &&
	    smfi_quarantine(ctx, "preflight: internal error") != MI_SUCCESS)
		a = PF_A_ACCEPT;
	summary(qid, s, a, NULL, v, NULL, why);
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
	char ebuf[600];
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
	p = pf_engine_config(s->eng)->policy;
	/* MinConfidence: the less sure predictions are not made at all */
	pf_verdict_min_confidence(&v, p->min_confidence);
	if ((undecided = pf_policy_incomplete(&v)) != PF_U_NONE) {
		/* the checks are incomplete: FailAction, not a guess */
		st = failsafe(ctx, s, qid, pf_undecided_text(undecided), &v);
		pf_verdict_reset(&v);
		return st;
	}
	pf_check_decide(s->chk, &v, &d);
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
	    PF_A_TEMPFAIL : d.action,
	    p->dry_run ? pf_action_name(d.would) : NULL, &v, &d, NULL);
	pf_verdict_reset(&v);
	return st;
}
