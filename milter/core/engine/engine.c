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
#include "message/content.h"
#include "engine/engine.h"
#include "base/facts.h"
#include "base/msg.h"
#include "catalog/rules.h"
#include "mta/doctor.h"

struct pf_engine {
	atomic_int	 refs;
	struct pf_config *cfg;
	struct pf_rules	*rules;
	struct pf_auth	*auth;
	struct pf_mta_state mta;	/* from PostfixDir, at load */
};

struct pf_check {
	struct pf_engine *eng;
	struct pf_msg	*msg;
	struct pf_facts	*facts;
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
	/* the MTA's own configuration, read once per engine: at start and
	 * on each reload; a failure leaves the mta.* facts unknown */
	pf_mta_state_load(cfg->postfix_dir, &e->mta);
	if ((rc = pf_rules_load(cfg->rules, &e->rules, err)) != PF_OK ||
	    (rc = pf_auth_new(cfg, &e->auth, err)) != PF_OK) {
		pf_engine_unref(e);
		return rc;
	}
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

/* config_facts - what the operator declared about the MTA, and what its
 * configuration says (PostfixDir): an unset TLS follows the MTA's level */
static void
config_facts(const struct pf_config *cfg, const struct pf_mta_state *mta,
    struct pf_facts *f)
{
	pf_fact_bool(f, PF_F_CFG_BULK, cfg->bulk);
	pf_fact_bool(f, PF_F_CFG_RELAY_GOOGLE, cfg->relay_via_google);
	pf_fact_strz(f, PF_F_CFG_ENFORCEMENT, cfg->ratelimit ? "ratelimit" :
	    "block");
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
	if ((rc = pf_rules_eval(c->eng->rules, c->facts, v)) != PF_OK)
		return pf_err_set(err, rc, "rule evaluation failed");
	return PF_OK;
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
