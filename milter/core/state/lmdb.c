/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lmdb.c - the embedded state back-end: one LMDB file (and its -lock
 * file) shared by every process on the host.  Each batch is one
 * transaction; LMDB serializes writers across processes and a reader
 * never waits.  A process killed at any moment leaves the file as of its
 * last committed transaction; stale reader slots are cleared on open.
 *
 * Commits are not flushed one by one (MDB_NOSYNC, with an msync at most
 * once a second): a killed process loses nothing the kernel has, a power
 * loss at most the last second of counts.  LMDB must not be opened twice
 * in one process, so environments are shared through a registry keyed by
 * path: a reload that builds a new engine reuses the one already open.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <lmdb.h>
#include <openssl/rand.h>

#include "base/pf.h"
#include "state/backend.h"
#include "state/state.h"

#define MAPSIZE		((size_t)4 << 30)	/* address space, not disk */
#define EXPIRE_EVERY	300			/* seconds between sweeps */
#define EXPIRE_VISIT	20000			/* records a sweep transaction */
#define SALT_KEY	"salt"

enum rtype { T_RING = 1, T_MARK, T_TTL };

/* one stored record: a counter ring, a mark, or a mark with a lifetime */
struct rec {
	uint32_t type;
	uint32_t blen;		/* ring: seconds a bucket */
	int64_t	 head;		/* ring: newest bucket; mark: the value */
	int64_t	 expires;	/* when it may be dropped; 0 = never */
	uint32_t c[PF_STATE_NB];
};

struct env {
	struct env	*next;
	char		 path[256];
	int		 readonly;
	atomic_int	 empty;		/* no file yet: no history, and the
					 * first write creates it */
	pthread_mutex_t	 open_mu;	/* creating or opening it later */
	unsigned	 refs;
	MDB_env		*env;
	MDB_dbi		 dbi;
	atomic_llong	 synced;	/* time of the last msync */
	atomic_llong	 swept;		/* time of the last expiry step */
	pthread_mutex_t	 sweep_mu;
	char		 sweep_from[PF_STATE_KEY_MAX + 16];
	size_t		 sweep_len;	/* where the next step starts */
};

static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static struct env *reg;

/* lmerr - an LMDB failure as an error */
static int
lmerr(struct pf_err *err, const char *path, const char *what, int rc)
{
	return pf_err_set(err, rc == ENOMEM ? PF_ENOMEM : PF_EIO,
	    "lmdb:%s: %s: %s", path, what, mdb_strerror(rc));
}

/* env_open - map the file; with create, make it (and its directory)
 * if need be, else a file that does not exist leaves the store empty */
static int
env_open(struct env *e, int create, struct pf_err *err)
{
	unsigned flags = MDB_NOSUBDIR | MDB_NOTLS | MDB_NOSYNC |
	    MDB_NOMETASYNC;
	MDB_txn *txn;
	char dir[256], *slash;
	int rc, dead;

	if ((!create || e->readonly) && access(e->path, F_OK) != 0 &&
	    errno == ENOENT) {
		atomic_store(&e->empty, 1);
		return PF_OK;
	}
	if (e->readonly)
		flags |= MDB_RDONLY;
	else {
		snprintf(dir, sizeof(dir), "%s", e->path);
		if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
			*slash = '\0';
			(void)mkdir(dir, 0750);
		}
	}
	if ((rc = mdb_env_create(&e->env)) != 0)
		return lmerr(err, e->path, "mdb_env_create", rc);
	mdb_env_set_mapsize(e->env, MAPSIZE);
	mdb_env_set_maxreaders(e->env, 510);
	if ((rc = mdb_env_open(e->env, e->path, flags, 0640)) != 0)
		return lmerr(err, e->path, "open", rc);
	(void)mdb_reader_check(e->env, &dead);
	if ((rc = mdb_txn_begin(e->env, NULL, e->readonly ? MDB_RDONLY : 0,
	    &txn)) != 0)
		return lmerr(err, e->path, "begin", rc);
	if ((rc = mdb_dbi_open(txn, NULL, 0, &e->dbi)) != 0) {
		mdb_txn_abort(txn);
		return lmerr(err, e->path, "open database", rc);
	}
	if ((rc = mdb_txn_commit(txn)) != 0)
		return lmerr(err, e->path, "commit", rc);
	atomic_store(&e->synced, (long long)time(NULL));
	atomic_store(&e->empty, 0);	/* after env and dbi are set */
	return PF_OK;
}

/* materialize - an empty store's file, once it exists or (create) is
 * needed; PF_OK with the store still empty if neither */
static int
materialize(struct env *e, int create, struct pf_err *err)
{
	int rc = PF_OK;

	if (!create && access(e->path, F_OK) != 0)
		return PF_OK;
	pthread_mutex_lock(&e->open_mu);
	if (atomic_load(&e->empty) && (rc = env_open(e, create, err)) !=
	    PF_OK && e->env != NULL) {
		mdb_env_close(e->env);
		e->env = NULL;
	}
	pthread_mutex_unlock(&e->open_mu);
	return rc;
}

/* be_open - the registry's environment for this path, opened once */
static int
be_open(const struct pf_state_spec *spec, int readonly, unsigned tmo,
    void **out, struct pf_err *err)
{
	struct env *e;
	int rc;

	pthread_mutex_lock(&reg_mu);
	for (e = reg; e != NULL; e = e->next)
		if (strcmp(e->path, spec->path) == 0 &&
		    e->readonly == readonly)
			break;
	if (e != NULL) {
		e->refs++;
		pthread_mutex_unlock(&reg_mu);
		*out = e;
		return PF_OK;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		pthread_mutex_unlock(&reg_mu);
		return pf_err_set(err, PF_ENOMEM, "out of memory");
	}
	snprintf(e->path, sizeof(e->path), "%s", spec->path);
	e->readonly = readonly;
	pthread_mutex_init(&e->sweep_mu, NULL);
	pthread_mutex_init(&e->open_mu, NULL);
	if ((rc = env_open(e, 0, err)) != PF_OK) {
		if (e->env != NULL)
			mdb_env_close(e->env);
		pthread_mutex_destroy(&e->sweep_mu);
		pthread_mutex_destroy(&e->open_mu);
		free(e);
		pthread_mutex_unlock(&reg_mu);
		return rc;
	}
	e->refs = 1;
	e->next = reg;
	reg = e;
	pthread_mutex_unlock(&reg_mu);
	*out = e;
	return PF_OK;
}

/* be_close - drop a reference; the last one syncs and unmaps */
static void
be_close(void *h)
{
	struct env *e = h, **pp;

	pthread_mutex_lock(&reg_mu);
	if (--e->refs > 0) {
		pthread_mutex_unlock(&reg_mu);
		return;
	}
	for (pp = &reg; *pp != NULL; pp = &(*pp)->next)
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	pthread_mutex_unlock(&reg_mu);
	if (e->env != NULL) {
		if (!e->readonly)
			mdb_env_sync(e->env, 1);
		mdb_env_close(e->env);
	}
	pthread_mutex_destroy(&e->sweep_mu);
	pthread_mutex_destroy(&e->open_mu);
	free(e);
}

/* ring_count - the sum of the buckets still inside the window */
static int64_t
ring_count(const struct rec *r, int64_t now, uint32_t window)
{
	int64_t idx = pf_state_bucket(now, window), j, sum = 0;

	if (r->type != T_RING)
		return 0;
	if (idx < r->head)
		idx = r->head;		/* the clock went back */
	for (j = idx - PF_STATE_NB + 1; j <= r->head; j++)
		if (j >= 0 && j > r->head - PF_STATE_NB)
			sum += r->c[j % PF_STATE_NB];
	return sum;
}

/* ring_add - move the ring to now, clearing what fell out, and add n */
static void
ring_add(struct rec *r, int64_t now, uint32_t window, int64_t n)
{
	int64_t idx = pf_state_bucket(now, window), j;

	if (r->type != T_RING) {
		memset(r, 0, sizeof(*r));
		r->type = T_RING;
		r->head = idx;
	}
	r->blen = pf_state_blen(window);
	if (idx > r->head) {
		for (j = r->head + 1; j <= idx && j <= r->head + PF_STATE_NB;
		    j++)
			r->c[j % PF_STATE_NB] = 0;
		r->head = idx;
	}
	j = idx < r->head ? r->head : idx;
	r->c[j % PF_STATE_NB] += (uint32_t)(n > 0 ? n : 0);
	r->expires = (r->head + 1) * (int64_t)r->blen + window;
}

/* dbkey - the stored key: a counter's carries its window */
static void
dbkey(const struct pf_state_op *op, char *buf, size_t len, MDB_val *k)
{
	int ring = op->op == PF_SOP_COUNT || op->op == PF_SOP_ADD ||
	    (op->op == PF_SOP_DEL && op->window > 0);
	int n = ring ? snprintf(buf, len, "%s@%u", op->key, op->window) :
	    snprintf(buf, len, "%s", op->key);

	k->mv_data = buf;
	k->mv_size = n > 0 && (size_t)n < len ? (size_t)n : strlen(buf);
}

/* load - the record at k, zeroed if absent or not ours */
static int
load(MDB_txn *txn, MDB_dbi dbi, MDB_val *k, struct rec *r)
{
	MDB_val v;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = mdb_get(txn, dbi, k, &v)) == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if (v.mv_size == sizeof(*r))
		memcpy(r, v.mv_data, sizeof(*r));
	return 0;
}

/* apply - one op inside the transaction */
static int
apply(MDB_txn *txn, MDB_dbi dbi, struct pf_state_op *op, int64_t now)
{
	char kb[PF_STATE_KEY_MAX + 16];
	MDB_val k, v;
	struct rec r;
	int rc, put = 0;

	dbkey(op, kb, sizeof(kb), &k);
	if (op->op == PF_SOP_DEL) {
		rc = mdb_del(txn, dbi, &k, NULL);
		return rc == MDB_NOTFOUND ? 0 : rc;
	}
	if ((rc = load(txn, dbi, &k, &r)) != 0)
		return rc;
	switch (op->op) {
	case PF_SOP_COUNT:
		op->result = ring_count(&r, now, op->window);
		op->found = r.type == T_RING;
		break;
	case PF_SOP_ADD:
		ring_add(&r, now, op->window, op->n);
		op->result = ring_count(&r, now, op->window);
		put = 1;
		break;
	case PF_SOP_MARK:
		if (r.type != T_MARK) {
			memset(&r, 0, sizeof(r));
			r.type = T_MARK;
			r.head = op->n;
			put = 1;
		}
		op->result = r.head;
		op->found = 1;
		break;
	case PF_SOP_GET:
		op->found = r.type == T_MARK ||
		    (r.type == T_TTL && r.expires > now);
		op->result = op->found ? r.head : 0;
		break;
	case PF_SOP_MAX:
		if (r.type != T_MARK || r.head < op->n) {
			memset(&r, 0, sizeof(r));
			r.type = T_MARK;
			r.head = op->n;
			put = 1;
		}
		op->result = r.head;
		op->found = 1;
		break;
	case PF_SOP_FIRST:
		op->result = !(r.type == T_TTL && r.expires > now);
		if (op->result) {
			memset(&r, 0, sizeof(r));
			r.type = T_TTL;
			r.head = 1;
			r.expires = now + op->window;
			put = 1;
		}
		break;
	case PF_SOP_DEL:
		break;
	}
	if (!put)
		return 0;
	v.mv_data = &r;
	v.mv_size = sizeof(r);
	return mdb_put(txn, dbi, &k, &v, 0);
}

/* sweep - one transaction of the expiry sweep: visit at most
 * EXPIRE_VISIT records from the key in *from (empty: the first), delete
 * the expired ones, leave in *from where to go on ("" at the end) */
static int
sweep(struct env *e, int64_t now, char *from, size_t *fromlen,
    size_t *removed, struct pf_err *err)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k, v;
	MDB_cursor_op how = *fromlen ? MDB_SET_RANGE : MDB_FIRST;
	struct rec r;
	size_t seen = 0;
	int rc;

	if ((rc = mdb_txn_begin(e->env, NULL, 0, &txn)) != 0)
		return lmerr(err, e->path, "begin", rc);
	if ((rc = mdb_cursor_open(txn, e->dbi, &cur)) != 0) {
		mdb_txn_abort(txn);
		return lmerr(err, e->path, "cursor", rc);
	}
	k.mv_data = from;
	k.mv_size = *fromlen;
	while ((rc = mdb_cursor_get(cur, &k, &v, how)) == 0) {
		how = MDB_NEXT;
		if (++seen > EXPIRE_VISIT) {
			/* go on from here next time */
			*fromlen = k.mv_size < PF_STATE_KEY_MAX + 16 ?
			    k.mv_size : 0;
			memcpy(from, k.mv_data, *fromlen);
			break;
		}
		if (v.mv_size != sizeof(r))
			continue;
		memcpy(&r, v.mv_data, sizeof(r));
		if (r.expires == 0 || r.expires > now)
			continue;
		if ((rc = mdb_cursor_del(cur, 0)) != 0)
			break;
		(*removed)++;
	}
	mdb_cursor_close(cur);
	if (rc == MDB_NOTFOUND)
		*fromlen = 0;		/* the end: start over next time */
	if (rc != 0 && rc != MDB_NOTFOUND) {
		mdb_txn_abort(txn);
		return lmerr(err, e->path, "expire", rc);
	}
	if ((rc = mdb_txn_commit(txn)) != 0)
		return lmerr(err, e->path, "commit", rc);
	return PF_OK;
}

/* be_expire - the whole sweep, a bounded transaction at a time */
static int
be_expire(void *h, int64_t now, size_t *removed, struct pf_err *err)
{
	struct env *e = h;
	char from[PF_STATE_KEY_MAX + 16];
	size_t len = 0;
	int rc;

	*removed = 0;
	if (atomic_load(&e->empty) || e->readonly)
		return PF_OK;
	do {
		if ((rc = sweep(e, now, from, &len, removed, err)) != PF_OK)
			return rc;
	} while (len > 0);
	return PF_OK;
}

/* housekeeping - msync once a second; every EXPIRE_EVERY seconds one
 * bounded step of the sweep, going on where the last one stopped */
static void
housekeeping(struct env *e, int64_t now)
{
	long long last = atomic_load(&e->synced), t = (long long)time(NULL);
	struct pf_err err;
	size_t n = 0;

	if (t > last && atomic_compare_exchange_strong(&e->synced, &last, t))
		mdb_env_sync(e->env, 1);
	last = atomic_load(&e->swept);
	if (now - last < EXPIRE_EVERY ||
	    !atomic_compare_exchange_strong(&e->swept, &last, (long long)now))
		return;
	pthread_mutex_lock(&e->sweep_mu);
	(void)sweep(e, now, e->sweep_from, &e->sweep_len, &n, &err);
	/* not at the end yet: the next step comes sooner */
	if (e->sweep_len > 0)
		atomic_store(&e->swept, (long long)(now - EXPIRE_EVERY + 5));
	pthread_mutex_unlock(&e->sweep_mu);
}

/* be_run - the batch in one transaction (read-only if nothing writes) */
static int
be_run(void *h, struct pf_state_op *ops, size_t n, int64_t now, int defer,
    struct pf_err *err)
{
	struct env *e = h;
	MDB_txn *txn;
	size_t i;
	int rc, ro = 1;

	for (i = 0; i < n; i++)
		if (ops[i].op != PF_SOP_COUNT && ops[i].op != PF_SOP_GET)
			ro = 0;
	if (atomic_load(&e->empty) && ((rc = materialize(e, !ro, err)) !=
	    PF_OK || atomic_load(&e->empty)))
		return rc;		/* no file yet: no history */
	if ((rc = mdb_txn_begin(e->env, NULL, ro ? MDB_RDONLY : 0, &txn)) !=
	    0)
		return lmerr(err, e->path, "begin", rc);
	for (i = 0; i < n; i++)
		if ((rc = apply(txn, e->dbi, &ops[i], now)) != 0) {
			mdb_txn_abort(txn);
			return lmerr(err, e->path, ops[i].key, rc);
		}
	if (ro) {
		mdb_txn_abort(txn);
		return PF_OK;
	}
	if ((rc = mdb_txn_commit(txn)) != 0)
		return lmerr(err, e->path, "commit", rc);
	housekeeping(e, now);
	return PF_OK;
}

/* be_scan - the counters of one window under a prefix, in key order */
static int
be_scan(void *h, const char *prefix, uint32_t window, int64_t now,
    pf_state_each_fn *fn, void *arg, struct pf_err *err)
{
	struct env *e = h;
	char suffix[16];
	size_t plen = strlen(prefix), slen;
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k, v;
	struct rec r;
	MDB_cursor_op how = MDB_SET_RANGE;
	int64_t count;
	int rc;

	if (atomic_load(&e->empty) && ((rc = materialize(e, 0, err)) !=
	    PF_OK || atomic_load(&e->empty)))
		return rc;
	slen = (size_t)snprintf(suffix, sizeof(suffix), "@%u", window);
	if ((rc = mdb_txn_begin(e->env, NULL, MDB_RDONLY, &txn)) != 0)
		return lmerr(err, e->path, "begin", rc);
	if ((rc = mdb_cursor_open(txn, e->dbi, &cur)) != 0) {
		mdb_txn_abort(txn);
		return lmerr(err, e->path, "cursor", rc);
	}
	k.mv_data = (void *)prefix;
	k.mv_size = plen;
	while ((rc = mdb_cursor_get(cur, &k, &v, how)) == 0) {
		how = MDB_NEXT;
		if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0)
			break;
		if (k.mv_size <= slen || v.mv_size != sizeof(r) ||
		    memcmp((char *)k.mv_data + k.mv_size - slen, suffix,
		    slen) != 0)
			continue;
		memcpy(&r, v.mv_data, sizeof(r));
		if ((count = ring_count(&r, now, window)) > 0)
			fn(arg, k.mv_data, k.mv_size - slen, count);
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return lmerr(err, e->path, "scan", rc);
	return PF_OK;
}

/* be_create - make the file now, before the first write is hashed */
static int
be_create(void *h, struct pf_err *err)
{
	struct env *e = h;

	if (e->readonly || !atomic_load(&e->empty))
		return PF_OK;
	return materialize(e, 1, err);
}

/* be_salt - the store's salt; the first writer creates it.  *kept is 0
 * for a store with no file yet: the salt is a throwaway (nothing stored
 * can match anything) and must not be remembered. */
static int
be_salt(void *h, unsigned char out[32], int *kept, struct pf_err *err)
{
	struct env *e = h;
	unsigned char fresh[32];
	MDB_txn *txn;
	MDB_val k = { sizeof(SALT_KEY) - 1, SALT_KEY }, v;
	int rc;

	if (RAND_bytes(fresh, sizeof(fresh)) != 1)
		return pf_err_set(err, PF_EIO, "no random bytes for the salt");
	*kept = 1;
	if (atomic_load(&e->empty) && ((rc = materialize(e, 0, err)) !=
	    PF_OK || atomic_load(&e->empty))) {
		/* nothing is stored, so nothing can match: any salt will do */
		memcpy(out, fresh, 32);
		*kept = 0;
		return rc;
	}
	if ((rc = mdb_txn_begin(e->env, NULL, e->readonly ? MDB_RDONLY : 0,
	    &txn)) != 0)
		return lmerr(err, e->path, "begin", rc);
	rc = mdb_get(txn, e->dbi, &k, &v);
	if (rc == 0 && v.mv_size == 32) {
		memcpy(out, v.mv_data, 32);
		mdb_txn_abort(txn);
		return PF_OK;
	}
	if (rc != 0 && rc != MDB_NOTFOUND) {
		mdb_txn_abort(txn);
		return lmerr(err, e->path, "salt", rc);
	}
	memcpy(out, fresh, 32);
	if (e->readonly) {
		*kept = 0;		/* a writer will make another */
		mdb_txn_abort(txn);
		return PF_OK;
	}
	v.mv_data = fresh;
	v.mv_size = sizeof(fresh);
	if ((rc = mdb_put(txn, e->dbi, &k, &v, 0)) != 0) {
		mdb_txn_abort(txn);
		return lmerr(err, e->path, "salt", rc);
	}
	if ((rc = mdb_txn_commit(txn)) != 0)
		return lmerr(err, e->path, "commit", rc);
	mdb_env_sync(e->env, 1);
	return PF_OK;
}

const struct pf_state_be pf_state_lmdb = {
	"lmdb", be_open, be_close, be_create, be_run, be_expire, be_scan,
	be_salt
};
