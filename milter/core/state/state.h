/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state.h - what preflight remembers across messages: a small store of
 * windowed counters and marks, behind one interface, with two back-ends
 * chosen at run time by the State setting (lmdb.c, redis.c).
 *
 * Counters count in a sliding window of W seconds, kept as PF_STATE_NB
 * buckets of W/PF_STATE_NB seconds each, so a count covers between
 * W - W/NB and W seconds.  Marks are single numbers: sticky (never
 * expire), a maximum (the peak), or a first-seen flag with a lifetime.
 *
 * Keys are short strings built by the caller; anything that names a
 * person (addresses, Message-IDs) goes in only as pf_state_hash() of it,
 * keyed with a salt kept in the store itself.
 *
 * A store opens lazily, on the first operation, so that a daemon can open
 * it after fork and setuid; after a failure it waits PF_STATE_RETRY
 * seconds before trying again, and every call in that time fails fast
 * with PF_ETEMP.  All calls are thread-safe; none is made while a lock of
 * the caller is held, and the store holds none of its own across I/O to
 * anything but itself.
 */
#ifndef PF_STATE_H
#define PF_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "base/pf.h"
#include "base/statespec.h"

#define PF_STATE_NB		12	/* buckets a window */
#define PF_STATE_KEY_MAX	300	/* bytes of a key: a kind, "|" and a
					 * domain name or a hash */
#define PF_STATE_HASH_LEN	32	/* hex characters of a keyed hash */
#define PF_STATE_RETRY		5	/* seconds between open attempts */

struct pf_state;

/* pf_state_clock - seconds since the epoch; tests inject their own */
typedef int64_t (*pf_state_clock)(void *arg);

enum pf_state_opcode {
	PF_SOP_COUNT,	/* result = count of key in window */
	PF_SOP_ADD,	/* add n to key in window */
	PF_SOP_MARK,	/* sticky: set key = n unless set; result = value */
	PF_SOP_GET,	/* result = mark (found = 0 if none) */
	PF_SOP_MAX,	/* key = max(key, n), no expiry; result = new value */
	PF_SOP_FIRST,	/* set key for window seconds unless set; result =
			 * 1 if it was not set (first in the window) */
	PF_SOP_DEL	/* forget key (a counter: give its window) */
};

/* one operation of a batch; key, window and n in, result and found out */
struct pf_state_op {
	enum pf_state_opcode op;
	char		 key[PF_STATE_KEY_MAX];
	uint32_t	 window;	/* seconds; COUNT, ADD, FIRST, DEL */
	int64_t		 n;
	int64_t		 result;
	int		 found;
};

/* one counter found by pf_state_each: its key (without the window) and
 * its count over the window; only counts above 0 are passed */
typedef void pf_state_each_fn(void *arg, const char *key, size_t klen,
	    int64_t count);

/* one counter found by pf_state_scan */
struct pf_state_row {
	char		 key[PF_STATE_KEY_MAX];
	int64_t		 count;
};

/* pf_state_new - a store for spec (not opened yet); NULL spec kind NONE
 * gives NULL with PF_OK: no store.  readonly: never writes (and an LMDB
 * file that does not exist yet reads as empty).  Owned. */
int	pf_state_new(const struct pf_state_spec *, int readonly,
	    unsigned timeout_ms, struct pf_state **, struct pf_err *);
void	pf_state_free(struct pf_state *);
/* pf_state_set_clock - use fn instead of time(); for tests */
void	pf_state_set_clock(struct pf_state *, pf_state_clock fn, void *arg);
int64_t	pf_state_now(const struct pf_state *);
/* pf_state_name - the spec, for logs and errors; borrowed */
const char *pf_state_name(const struct pf_state *);

/* pf_state_run - every op of the batch in one transaction (LMDB) or one
 * pipeline (Redis).  PF_ETEMP: the store is unreachable, nothing done. */
int	pf_state_run(struct pf_state *, struct pf_state_op *, size_t,
	    struct pf_err *);
/* pf_state_record - like pf_state_run for a batch of writes whose
 * results are not wanted: Redis sends it without waiting for the replies
 * (they are read before the connection's next command) */
int	pf_state_record(struct pf_state *, struct pf_state_op *, size_t,
	    struct pf_err *);

/* pf_state_writable - before the first write: make the store exist (an
 * LMDB file is created only when something is written to it; until then
 * it reads as empty history) */
int	pf_state_writable(struct pf_state *, struct pf_err *);

/* the small interface, one operation at a time */
int	pf_state_get(struct pf_state *, const char *key, uint32_t window,
	    int64_t *count, struct pf_err *);
int	pf_state_add(struct pf_state *, const char *key, uint32_t window,
	    int64_t n, struct pf_err *);
/* pf_state_expire - drop what has aged out (LMDB; Redis expires keys
 * itself); *removed counts the records dropped */
int	pf_state_expire(struct pf_state *, size_t *removed, struct pf_err *);
/* pf_state_scan - the counters of one window whose keys start with
 * prefix, the n largest first, into rows (at most n); *got = how many */
int	pf_state_scan(struct pf_state *, const char *prefix, uint32_t window,
	    struct pf_state_row *rows, size_t n, size_t *got,
	    struct pf_err *);
/* pf_state_each - every counter of one window whose key starts with
 * prefix, to fn, in one pass over the store (one SCAN of a Redis
 * keyspace, one cursor range of LMDB) */
int	pf_state_each(struct pf_state *, const char *prefix, uint32_t window,
	    pf_state_each_fn *fn, void *arg, struct pf_err *);

/* pf_state_hash - keyed hash of [p, p+len) (HMAC-SHA-256 with the
 * store's salt, first 128 bits as hex) into out[PF_STATE_HASH_LEN + 1];
 * the salt is read (or created) on first use */
int	pf_state_hash(struct pf_state *, const void *p, size_t len,
	    char *out, struct pf_err *);

/* pf_state_key - a key from printf-style parts, into op->key;
 * PF_ELIMIT if it does not fit */
int	pf_state_key(struct pf_state_op *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
