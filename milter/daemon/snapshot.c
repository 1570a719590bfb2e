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
 *
 * Idle checks: a connection keeps its last message's check to reset for
 * its next message (session.c); when the connection closes, the check
 * comes here, and the next connection's first message takes it instead
 * of building one.  At most PF_IDLE_MAX are kept, only of the engine in
 * service: a reload and the exit free them.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "auth/sendmem.h"
#include "config/policy.h"
#include "stats.h"

/* idle checks kept across connections */
#define PF_IDLE_MAX	32

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct pf_engine *current;
static struct pf_sendmem *senders;	/* made by the first load */
static struct pf_check *idle[PF_IDLE_MAX];
static size_t nidle;

/* idle_drain - free every idle check (after a reload, at exit) */
static void
idle_drain(void)
{
	struct pf_check *gone[PF_IDLE_MAX];
	size_t n, i;

	pthread_mutex_lock(&lock);
	n = nidle;
	memcpy(gone, idle, n * sizeof(*gone));
	nidle = 0;
	pthread_mutex_unlock(&lock);
	for (i = 0; i < n; i++)
		pf_check_free(gone[i]);
}

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
	/* the idle checks hold the old engine */
	idle_drain();
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

/* pf_snap_idle_take - an idle check built on e, or NULL; the caller
 * resets it */
struct pf_check *
pf_snap_idle_take(const struct pf_engine *e)
{
	struct pf_check *c = NULL;

	pthread_mutex_lock(&lock);
	if (nidle > 0 && pf_check_engine(idle[nidle - 1]) == e)
		c = idle[--nidle];
	pthread_mutex_unlock(&lock);
	return c;
}

/* pf_snap_idle_give - keep a closed connection's check for the next one,
 * or free it (another engine than the one in service, or enough kept) */
void
pf_snap_idle_give(struct pf_check *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&lock);
	if (nidle < PF_IDLE_MAX && current != NULL &&
	    pf_check_engine(c) == current) {
		idle[nidle++] = c;
		c = NULL;
	}
	pthread_mutex_unlock(&lock);
	pf_check_free(c);
}

/* pf_snap_clear - drop the service reference and the idle checks at exit */
void
pf_snap_clear(void)
{
	struct pf_engine *old;

	idle_drain();

	pthread_mutex_lock(&lock);
	old = current;
	current = NULL;
	pthread_mutex_unlock(&lock);
	pf_engine_unref(old);
}
