/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * engine.c - one configured predictor and the check of one message.
 *
 * An engine bundles the config snapshot, the loaded rules and the shared
 * authentication context.  It is immutable once built; a reference count
 * lets the daemon swap in a new engine on reload while messages in flight
 * finish on the one they started with.  A check runs the content analyzers
 * and the DKIM observer as the message streams, then the DNS checks, then
 * the rules.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "auth/auth.h"
#include "config/config.h"
#include "config/policy.h"
#include "message/content.h"
#include "engine/engine.h"
#include "base/facts.h"
#include "base/msg.h"
#include "catalog/rules.h"
#include "mta/doctor.h"
#include "state/count.h"
#include "state/hist.h"
#include "state/state.h"

/* the bulk-sender line when the rules file names none (const bulk_line) */
#define BULK_LINE_DEFAULT	5000

struct pf_engine {
	atomic_int	 refs;
	struct pf_config *cfg;
	struct pf_rules	*rules;
	struct pf_auth	*auth;
	struct pf_state	*state;		/* NULL: State none */
	int64_t		 bulk_line;
	struct pf_mta_state mta;	/* from PostfixDir, at load */
};

struct pf_check {
	struct pf_engine *eng;
	struct pf_msg	*msg;
	struct pf_facts	*facts;
	int		 ran;		/* pf_check_run got to the state */
	struct pf_state_memo memo;
	char		 org[256];	/* of From: */
	char		 sender_org[256];
};

/* pf_engine_new - rules and authentication for a config; owns cfg */
int
pf_engine_new(struct pf_config *cfg, struct pf_engine **out,
    struct pf_err *err)
{
	struct pf_engine *e;
	int rc;

	*out = NULL;
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		pf_config_free(cfg);
		return pf_err_set(err, PF_ENOMEM, "out of memory");
	}
	atomic_init(&e->refs, 1);
	e->cfg = cfg;
	/* GMime's tables are set up once per process: now, at start, rather
	 * than in the first message's time */
	pf_content_gmime();
	/* the MTA's own configuration, read once per engine: at start and
	 * on each reload; a failure leaves the mta.* facts unknown */
	pf_mta_state_load(cfg->postfix_dir, &e->mta);
	if ((rc = pf_rules_load(cfg->rules, &e->rules, err)) != PF_OK ||
	    (rc = pf_auth_new(cfg, &e->auth, err)) != PF_OK ||
	    (rc = pf_state_new(&cfg->state, cfg->state_readonly,
	    cfg->state_timeout_ms, &e->state, err)) != PF_OK) {
		pf_engine_unref(e);
		return rc;
	}
	if (!pf_rules_const(e->rules, "bulk_line", &e->bulk_line))
		e->bulk_line = BULK_LINE_DEFAULT;
	*out = e;
	return PF_OK;
}

struct pf_engine *
pf_engine_ref(struct pf_engine *e)
{
	atomic_fetch_add(&e->refs, 1);
	return e;
}

void
pf_engine_unref(struct pf_engine *e)
{
	if (e == NULL || atomic_fetch_sub(&e->refs, 1) != 1)
		return;
	pf_state_free(e->state);
	pf_auth_free(e->auth);
	pf_rules_free(e->rules);
	pf_config_free(e->cfg);
	free(e);
}

const struct pf_rules *
pf_engine_rules(const struct pf_engine *e)
{
	return e->rules;
}

const struct pf_config *
pf_engine_config(const struct pf_engine *e)
{
	return e->cfg;
}

/* pf_check_new - a message builder with every analyzer attached */
struct pf_check *
pf_check_new(struct pf_engine *e)
{
	const struct pf_observer *const *obs, *dkim;
	struct pf_check *c;
	size_t i, n;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->msg = pf_msg_new()) == NULL ||
	    (c->facts = pf_facts_new()) == NULL)
		goto fail;
	obs = pf_content_observers(&n);
	for (i = 0; i < n; i++)
		if (pf_msg_observe(c->msg, obs[i]) != PF_OK)
			goto fail;
	if ((dkim = pf_auth_observer(e->auth)) != NULL &&
	    pf_msg_observe(c->msg, dkim) != PF_OK)
		goto fail;
	c->eng = pf_engine_ref(e);
	return c;
fail:
	pf_msg_free(c->msg);
	pf_facts_free(c->facts);
	free(c);
	return NULL;
}

/* pf_check_reset - a new message in the same check */
int
pf_check_reset(struct pf_check *c)
{
	pf_facts_reset(c->facts);
	c->ran = 0;
	memset(&c->memo, 0, sizeof(c->memo));
	c->org[0] = c->sender_org[0] = '\0';
	return pf_msg_reset(c->msg);
}

const struct pf_engine *
pf_check_engine(const struct pf_check *c)
{
	return c->eng;
}

void
pf_check_prefetch_mail(struct pf_check *c)
{
	pf_auth_prefetch_mail(c->eng->auth, pf_msg_mail_get(c->msg),
	    pf_msg_helo_get(c->msg));
}

void
pf_check_prefetch_rcpt(struct pf_check *c, const char *rcpt)
{
	pf_auth_prefetch_rcpt(c->eng->auth, rcpt);
}

struct pf_msg *
pf_check_msg(struct pf_check *c)
{
	return c->msg;
}

const struct pf_facts *
pf_check_facts(const struct pf_check *c)
{
	return c->facts;
}

struct pf_state *
pf_engine_state(const struct pf_engine *e)
{
	return e->state;
}

int
pf_engine_orgdomain(const struct pf_engine *e, const char *d, char *buf,
    size_t len)
{
	return pf_auth_orgdomain(e->auth, d, buf, len);
}

/* config_facts - what the operator declared about the MTA, and what its
 * configuration says (PostfixDir): an unset TLS follows the MTA's level */
static void
config_facts(const struct pf_config *cfg, const struct pf_mta_state *mta,
    struct pf_facts *f)
{
	if (cfg->bulk != PF_BULK_AUTO)
		pf_fact_bool(f, PF_F_CFG_BULK, cfg->bulk == PF_BULK_YES);
	pf_fact_bool(f, PF_F_CFG_RELAY_GOOGLE, cfg->relay_via_google);
	pf_fact_bool(f, PF_F_CFG_GMAIL_ACCOUNT, cfg->gmail_account != NULL);
	/* auto: set from the store with the history (enforcement_auto) */
	pf_fact_strz(f, PF_F_CFG_ENFORCEMENT, cfg->ratelimit == 1 ?
	    "ratelimit" : "block");
	/* no PostfixDir, or one postconf cannot read: a setting missing */
	if (mta->tls_level[0] != '\0') {
		pf_fact_strz(f, PF_F_MTA_TLS_LEVEL, mta->tls_level);
		pf_fact_strz(f, PF_F_MTA_NEXTHOP, mta->nexthop);
	} else {
		pf_fact_unknown(f, PF_F_MTA_TLS_LEVEL, PF_U_NOT_CONFIGURED,
		    mta->why);
		pf_fact_unknown(f, PF_F_MTA_NEXTHOP, PF_U_NOT_CONFIGURED,
		    mta->why);
	}
	if (cfg->tls != PF_UNSET)
		pf_fact_bool(f, PF_F_CFG_TLS, cfg->tls == PF_YES);
	else if (mta->tls_level[0] != '\0')
		pf_fact_bool(f, PF_F_CFG_TLS,
		    strcmp(mta->tls_level, "none") != 0);
	else
		pf_fact_unknown(f, PF_F_CFG_TLS, PF_U_NOT_CONFIGURED,
		    "whether the MTA uses TLS to Gmail is not configured "
		    "(TLS yes|no, or PostfixDir)");
}

/* state_msg - what this message brings to the state store */
static void
state_msg(struct pf_check *c, struct pf_state_msg *m)
{
	const struct pf_facts *f = c->facts;

	memset(m, 0, sizeof(*m));
	m->msgid = pf_fact_known(f, PF_F_MSGID_VALUE) &&
	    pf_fact_gets(f, PF_F_MSGID_VALUE)[0] != '\0' ?
	    pf_fact_gets(f, PF_F_MSGID_VALUE) : NULL;
	m->org = c->org[0] != '\0' ? c->org : NULL;
	m->sender = pf_msg_mail_get(c->msg);
	m->sender_org = c->sender_org[0] != '\0' ? c->sender_org : NULL;
	m->relay = c->eng->cfg->relay_via_google;
	m->account = c->eng->cfg->gmail_account;
	m->bulk_line = c->eng->bulk_line;
}

/* orgs - the organizational domains of From: and of the envelope sender */
static void
orgs(struct pf_check *c)
{
	const char *from = pf_msg_mail_get(c->msg), *at;

	c->org[0] = c->sender_org[0] = '\0';
	if (pf_fact_known(c->facts, PF_F_FROM_DOMAIN) &&
	    pf_fact_gets(c->facts, PF_F_FROM_DOMAIN)[0] != '\0' &&
	    pf_auth_orgdomain(c->eng->auth, pf_fact_gets(c->facts,
	    PF_F_FROM_DOMAIN), c->org, sizeof(c->org)) != PF_OK)
		c->org[0] = '\0';
	/* the envelope sender's organization counts only for the relay */
	if (c->eng->cfg->relay_via_google && from != NULL &&
	    (at = strrchr(from, '@')) != NULL &&
	    pf_auth_orgdomain(c->eng->auth, at + 1, c->sender_org,
	    sizeof(c->sender_org)) != PF_OK)
		c->sender_org[0] = '\0';
}

/* rcpts - the envelope recipients as an array; owned, NULL if none */
static const char **
rcpts(const struct pf_msg *m, size_t *n)
{
	const char **r;
	size_t i;

	*n = pf_msg_rcpt_count(m);
	if (*n == 0 || (r = calloc(*n, sizeof(*r))) == NULL) {
		*n = 0;
		return NULL;
	}
	for (i = 0; i < *n; i++)
		r[i] = pf_msg_rcpt_get(m, i);
	return r;
}

/* enforcement_auto - with Enforcement auto, the form of the
 * sender-guideline replies Gmail last gave the envelope sender's domain
 * (learned from the log); block when it gave none or the store cannot
 * say */
static void
enforcement_auto(struct pf_check *c)
{
	const char *from = pf_msg_mail_get(c->msg), *at;
	struct pf_err err = { 0 };
	int form = 0;

	if (c->eng->cfg->ratelimit != PF_ENFORCE_AUTO || c->eng->state == NULL
	    || from == NULL || (at = strrchr(from, '@')) == NULL)
		return;
	if (pf_hist_enforcement(c->eng->state, at + 1, &form, &err) == PF_OK &&
	    form == 4)
		pf_fact_strz(c->facts, PF_F_CFG_ENFORCEMENT, "ratelimit");
}

/* hist_who - the domains the message goes out under, for the hist.*
 * facts: the envelope sender's, the DKIM d= (of the passing signatures,
 * present or predicted, else of the first one seen) and From:'s
 * organizational domain */
static void
hist_who(const struct pf_check *c, const struct pf_state_msg *m,
    struct pf_hist_who *w)
{
	const struct pf_facts *f = c->facts;

	w->sender_domain = m->sender != NULL && strrchr(m->sender, '@') !=
	    NULL ? strrchr(m->sender, '@') + 1 : NULL;
	w->dkim_domains = NULL;
	if (pf_fact_known(f, PF_F_DKIM_PASS_DOMAINS) &&
	    pf_fact_gets(f, PF_F_DKIM_PASS_DOMAINS)[0] != '\0')
		w->dkim_domains = pf_fact_gets(f, PF_F_DKIM_PASS_DOMAINS);
	else if (pf_fact_known(f, PF_F_DKIM_DOMAIN))
		w->dkim_domains = pf_fact_gets(f, PF_F_DKIM_DOMAIN);
	w->from_org = c->org[0] != '\0' ? c->org : NULL;
}

/* state_facts - read the history (after DNS: no lookup waits on the
 * store, and the store is never held across a lookup), and with Bulk
 * auto, cfg.bulk from it */
static void
state_facts(struct pf_check *c)
{
	struct pf_state_msg m;
	struct pf_hist_who w;
	const char **r;

	if (c->eng->state != NULL)
		orgs(c);
	state_msg(c, &m);
	r = c->eng->state != NULL ? rcpts(c->msg, &m.nrcpt) : NULL;
	m.rcpt = r;
	pf_state_read(c->eng->state, &m, c->facts, &c->memo);
	hist_who(c, &m, &w);
	pf_hist_read(c->eng->state, r, m.nrcpt, &w, c->facts);
	enforcement_auto(c);
	free(r);
	c->ran = 1;
	if (c->eng->cfg->bulk != PF_BULK_AUTO)
		return;
	if (c->eng->state == NULL)
		pf_fact_bool(c->facts, PF_F_CFG_BULK, 0);
	else if (pf_fact_known(c->facts, PF_F_STATE_BULK))
		pf_fact_bool(c->facts, PF_F_CFG_BULK,
		    (int)pf_fact_getn(c->facts, PF_F_STATE_BULK));
	else
		pf_fact_unknown(c->facts, PF_F_CFG_BULK,
		    pf_fact_reason(c->facts, PF_F_STATE_BULK),
		    pf_fact_why(c->facts, PF_F_STATE_BULK));
}

/* pf_check_record - count the message as sent */
int
pf_check_record(struct pf_check *c, struct pf_err *err)
{
	struct pf_state_msg m;
	const char **r;
	int rc;

	if (c->eng->state == NULL || !c->ran)
		return PF_OK;
	state_msg(c, &m);
	r = rcpts(c->msg, &m.nrcpt);
	m.rcpt = r;
	rc = pf_state_count(c->eng->state, &m, &c->memo, err);
	free(r);
	return rc;
}

/* pf_check_run - content facts, then DNS facts, then the rules */
int
pf_check_run(struct pf_check *c, struct pf_verdict *v, struct pf_err *err)
{
	int rc;

	memset(v, 0, sizeof(*v));
	if ((rc = pf_msg_end(c->msg, c->facts)) != PF_OK)
		return pf_err_set(err, rc, "message analysis failed");
	config_facts(c->eng->cfg, &c->eng->mta, c->facts);
	if ((rc = pf_auth_eval(c->eng->auth, c->msg, c->facts)) != PF_OK)
		return pf_err_set(err, rc, "authentication checks failed");
	state_facts(c);
	if ((rc = pf_rules_eval(c->eng->rules, c->facts, v)) != PF_OK)
		return pf_err_set(err, rc, "rule evaluation failed");
	return PF_OK;
}

/* pf_check_decide - the policy, with the envelope recipients at hand */
void
pf_check_decide(const struct pf_check *c, const struct pf_verdict *v,
    struct pf_decision *d)
{
	const struct pf_msg *m = c->msg;
	size_t n = pf_msg_rcpt_count(m), i;
	const char **r = n > 0 ? calloc(n, sizeof(*r)) : NULL;

	for (i = 0; r != NULL && i < n; i++)
		r[i] = pf_msg_rcpt_get(m, i);
	pf_policy_decide_rcpt(c->eng->cfg->policy, v, c->facts, r,
	    r != NULL ? n : 0, d);
	free(r);
}

void
pf_check_free(struct pf_check *c)
{
	if (c == NULL)
		return;
	pf_msg_free(c->msg);
	pf_facts_free(c->facts);
	pf_engine_unref(c->eng);
	free(c);
}
