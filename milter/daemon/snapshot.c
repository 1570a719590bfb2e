/*
 * snapshot.c - the engine in service.  A reload builds a whole new engine
 * (config, rules, DNS and authentication context) off to the side and
 * swaps the pointer only if everything loaded; a bad new config leaves the
 * old engine in place.  Each message pins the engine it started with by a
 * reference, so a swap never pulls anything from under a session.
 */
#include <pthread.h>
#include <stddef.h>

#include "daemon.h"
#include "config/policy.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct pf_engine *current;

/* pf_snap_load - load path into a new engine and put it in service */
int
pf_snap_load(const char *path, struct pf_err *err)
{
	struct pf_config *cfg;
	struct pf_engine *e, *old;
	int rc;

	if ((rc = pf_config_load(path, &cfg, err)) != PF_OK)
		return rc;
	/* pf_engine_new owns cfg from here, failed or not */
	if ((rc = pf_engine_new(cfg, &e, err)) != PF_OK)
		return rc;
	cfg = (struct pf_config *)pf_engine_config(e);
	if ((rc = pf_policy_check(cfg->policy, path, pf_engine_rules(e),
	    err)) != PF_OK) {
		pf_engine_unref(e);
		return rc;
	}
	pthread_mutex_lock(&lock);
	old = current;
	current = e;
	pthread_mutex_unlock(&lock);
	if (old != NULL)
		pf_engine_unref(old);
	return PF_OK;
}

/* pf_snap_get - the engine in service, with a reference for the caller */
struct pf_engine *
pf_snap_get(void)
{
	struct pf_engine *e;

	pthread_mutex_lock(&lock);
	e = current != NULL ? pf_engine_ref(current) : NULL;
	pthread_mutex_unlock(&lock);
	return e;
}

/* pf_snap_clear - drop the service reference at exit */
void
pf_snap_clear(void)
{
	struct pf_engine *old;

	pthread_mutex_lock(&lock);
	old = current;
	current = NULL;
	pthread_mutex_unlock(&lock);
	pf_engine_unref(old);
}
