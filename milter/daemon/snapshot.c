/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * snapshot.c - the engine in service.  A reload builds a whole new engine
 * (config, rules, DNS and authentication context) off to the side and
 * swaps the pointer only if everything loaded; a bad new config leaves the
 * old engine in place.  Each message pins the engine it started with by a
 * reference, so a swap never pulls anything from under a session.  The
 * sender memory (auth/sendmem.h) belongs to the process, not to an
 * engine: every engine is given the same one, so a reload keeps what it
 * learned.  It lives until the process exits.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "auth/sendmem.h"
#include "config/policy.h"
#include "stats.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct pf_engine *current;
static struct pf_sendmem *senders;	/* made by the first load */

/* rewrap - "path:line: key: <the error as it was>" */
static void
rewrap(struct pf_err *err, const char *path, unsigned line, const char *key)
{
	char was[800];

	pf_err_format(err, was, sizeof(was));
	pf_err_setl(err, err->status, path, line, "%s: %s", key, was);
}

/* pf_snap_load - load path into a new engine and put it in service */
int
pf_snap_load(const char *path, struct pf_err *err)
{
	struct pf_config *cfg;
	struct pf_engine *e, *old;
	int rc;

	unsigned rules_line;
	char rules[1024];

	if ((rc = pf_config_load(path, &cfg, err)) != PF_OK)
		return rc;
	if ((rc = pf_confcheck(cfg, err)) != PF_OK) {
		pf_config_free(cfg);
		return rc;
	}
	rules_line = pf_config_line(cfg, "Rules");
	snprintf(rules, sizeof(rules), "%s", cfg->rules ? cfg->rules : "");
	/* pf_engine_new owns cfg from here, failed or not */
	if ((rc = pf_engine_new(cfg, &e, err)) != PF_OK) {
		/* a rules file that cannot be opened: say which line of
		 * the configuration named it */
		if (err->line == 0 && rules_line > 0 && rules[0] != '\0' &&
		    (strcmp(err->file, rules) == 0 ||
		    strncmp(err->msg, rules, strlen(rules)) == 0))
			rewrap(err, path, rules_line, "Rules");
		return rc;
	}
	cfg = (struct pf_config *)pf_engine_config(e);
	/* loads run one at a time (start, then the signal thread) */
	if (senders == NULL && (senders = pf_sendmem_new()) == NULL) {
		pf_engine_unref(e);
		return pf_err_set(err, PF_ENOMEM, "out of memory");
	}
	pf_engine_set_sendmem(e, senders);
	/* a reload runs after any fork: the new resolver's threads start
	 * here, not in the first message's MAIL FROM */
	if (current != NULL)
		pf_engine_warm(e);
	if ((rc = pf_policy_check(cfg->policy, path, pf_engine_rules(e),
	    err)) != PF_OK) {
		pf_engine_unref(e);
		return rc;
	}
	pf_confcheck_dns(cfg);
	pf_confcheck_reach(cfg);
	pf_stats_catalog(pf_engine_rules(e)->version,
	    pf_engine_rules(e)->date_epoch);
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
