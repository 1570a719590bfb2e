/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * backend.h - what a state back-end provides (lmdb.c, redis.c).  Private
 * to state/.  Every function gets the time from state.c, so that tests
 * move the clock of both back-ends the same way.
 */
#ifndef PF_STATE_BACKEND_H
#define PF_STATE_BACKEND_H

#include "base/pf.h"
#include "base/statespec.h"
#include "state/state.h"

struct pf_state_be {
	const char *name;
	/* open - connect or map; PF_ETEMP when unreachable */
	int	(*open)(const struct pf_state_spec *, int readonly,
		    unsigned timeout_ms, void **be, struct pf_err *);
	void	(*close)(void *be);
	/* create - make the store before a first write (NULL: nothing to
	 * make) */
	int	(*create)(void *be, struct pf_err *);
	/* run - the batch at time now; defer: results are not wanted */
	int	(*run)(void *be, struct pf_state_op *, size_t, int64_t now,
		    int defer, struct pf_err *);
	int	(*expire)(void *be, int64_t now, size_t *removed,
		    struct pf_err *);
	/* scan - every counter of window under prefix with a count above
	 * 0, to fn */
	int	(*scan)(void *be, const char *prefix, uint32_t window,
		    int64_t now, pf_state_each_fn *fn, void *arg,
		    struct pf_err *);
	/* salt - read the store's salt, or create it; 32 bytes; *kept = 0
	 * if it is a throwaway that must not be remembered */
	int	(*salt)(void *be, unsigned char out[32], int *kept,
		    struct pf_err *);
};

extern const struct pf_state_be pf_state_lmdb;
extern const struct pf_state_be pf_state_redis;

/* the ring of one counter: bucket index of the newest bucket and counts;
 * shared by both back-ends' arithmetic */
int64_t	pf_state_bucket(int64_t now, uint32_t window);
uint32_t pf_state_blen(uint32_t window);

#endif
