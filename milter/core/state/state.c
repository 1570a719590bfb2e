/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state.c - the store in front of its back-end: lazy opening with a pause
 * after a failure, the clock, the keyed hash, and the one-op helpers.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "base/pf.h"
#include "base/statespec.h"
#include "state/backend.h"
#include "state/state.h"

struct pf_state {
	struct pf_state_spec	 spec;
	const struct pf_state_be *be;
	int			 readonly;
	unsigned		 timeout_ms;
	char			 name[300];
	pthread_mutex_t		 mu;		/* open, handle, salt */
	void			*h;		/* back-end handle, or NULL */
	int64_t			 retry_at;	/* no attempt before */
	char			 last[256];	/* why the last open failed */
	int			 have_salt;
	unsigned char		 salt[32];
	EVP_MD_CTX		*hin, *hout;	/* HMAC with the salt, keyed:
						 * SHA-256 after ipad, opad */
	pf_state_clock		 clock;
	void			*clock_arg;
};

/* wall - the default clock */
static int64_t
wall(void *arg)
{
	return (int64_t)time(NULL);
}

/* pf_state_new - a store for spec, opened on first use */
int
pf_state_new(const struct pf_state_spec *spec, int readonly,
    unsigned timeout_ms, struct pf_state **out, struct pf_err *err)
{
	struct pf_state *s;

	*out = NULL;
	if (spec->kind == PF_STATE_NONE)
		return PF_OK;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return pf_err_set(err, PF_ENOMEM, "out of memory");
	s->spec = *spec;
	s->be = spec->kind == PF_STATE_LMDB ? &pf_state_lmdb :
	    &pf_state_redis;
	s->readonly = readonly;
	s->timeout_ms = timeout_ms ? timeout_ms : 500;
	s->clock = wall;
	pf_state_spec_name(spec, s->name, sizeof(s->name));
	pthread_mutex_init(&s->mu, NULL);
	*out = s;
	return PF_OK;
}

void
pf_state_free(struct pf_state *s)
{
	if (s == NULL)
		return;
	if (s->h != NULL)
		s->be->close(s->h);
	pthread_mutex_destroy(&s->mu);
	explicit_bzero(s->salt, sizeof(s->salt));
	EVP_MD_CTX_free(s->hin);
	EVP_MD_CTX_free(s->hout);
	free(s);
}

void
pf_state_set_clock(struct pf_state *s, pf_state_clock fn, void *arg)
{
	s->clock = fn != NULL ? fn : wall;
	s->clock_arg = arg;
}

int64_t
pf_state_now(const struct pf_state *s)
{
	return s->clock(s->clock_arg);
}

const char *
pf_state_name(const struct pf_state *s)
{
	return s->name;
}

/* handle - the back-end handle, opening it if need be (not more often
 * than every PF_STATE_RETRY seconds after a failure) */
static void *
handle(struct pf_state *s, struct pf_err *err)
{
	struct pf_err e;
	int64_t now = (int64_t)time(NULL);
	void *h;

	pthread_mutex_lock(&s->mu);
	if ((h = s->h) != NULL) {
		pthread_mutex_unlock(&s->mu);
		return h;
	}
	if (now < s->retry_at) {
		pf_err_set(err, PF_ETEMP, "state store %s unreachable (%s); "
		    "next attempt in %llds", s->name, s->last,
		    (long long)(s->retry_at - now));
		pthread_mutex_unlock(&s->mu);
		return NULL;
	}
	memset(&e, 0, sizeof(e));
	if (s->be->open(&s->spec, s->readonly, s->timeout_ms, &h, &e) !=
	    PF_OK) {
		snprintf(s->last, sizeof(s->last), "%.250s", e.msg);
		s->retry_at = now + PF_STATE_RETRY;
		pf_err_set(err, PF_ETEMP, "state store %s unreachable: %s",
		    s->name, e.msg);
		pthread_mutex_unlock(&s->mu);
		return NULL;
	}
	s->h = h;
	pthread_mutex_unlock(&s->mu);
	return h;
}

/* failed - an operation failed: keep the message, name the store */
static int
failed(struct pf_state *s, int rc, struct pf_err *err)
{
	char msg[sizeof(err->msg)];

	snprintf(msg, sizeof(msg), "%s", err->msg);
	return pf_err_set(err, rc == PF_ENOMEM ? rc : PF_ETEMP,
	    "state store %s unreachable: %.400s", s->name, msg);
}

/* batch - run or record */
static int
batch(struct pf_state *s, struct pf_state_op *ops, size_t n, int defer,
    struct pf_err *err)
{
	void *h;
	size_t i;
	int rc;

	if (s->readonly)
		for (i = 0; i < n; i++)
			if (ops[i].op != PF_SOP_COUNT && ops[i].op != PF_SOP_GET)
				return pf_err_set(err, PF_EINVAL, "state store "
				    "%s is open read-only", s->name);
	if ((h = handle(s, err)) == NULL)
		return PF_ETEMP;
	for (i = 0; i < n; i++) {
		ops[i].result = 0;
		ops[i].found = 0;
	}
	if ((rc = s->be->run(h, ops, n, pf_state_now(s), defer, err)) !=
	    PF_OK)
		return failed(s, rc, err);
	return PF_OK;
}

int
pf_state_run(struct pf_state *s, struct pf_state_op *ops, size_t n,
    struct pf_err *err)
{
	return batch(s, ops, n, 0, err);
}

int
pf_state_record(struct pf_state *s, struct pf_state_op *ops, size_t n,
    struct pf_err *err)
{
	return batch(s, ops, n, 1, err);
}

/* pf_state_get - the count of key in its window */
int
pf_state_get(struct pf_state *s, const char *key, uint32_t window,
    int64_t *count, struct pf_err *err)
{
	struct pf_state_op op;
	int rc;

	memset(&op, 0, sizeof(op));
	op.op = PF_SOP_COUNT;
	op.window = window;
	if (pf_state_key(&op, "%s", key) != PF_OK)
		return pf_err_set(err, PF_ELIMIT, "state key too long");
	rc = pf_state_run(s, &op, 1, err);
	*count = op.result;
	return rc;
}

/* pf_state_add - n more for key in its window */
int
pf_state_add(struct pf_state *s, const char *key, uint32_t window,
    int64_t n, struct pf_err *err)
{
	struct pf_state_op op;

	memset(&op, 0, sizeof(op));
	op.op = PF_SOP_ADD;
	op.window = window;
	op.n = n;
	if (pf_state_key(&op, "%s", key) != PF_OK)
		return pf_err_set(err, PF_ELIMIT, "state key too long");
	return pf_state_run(s, &op, 1, err);
}

int
pf_state_expire(struct pf_state *s, size_t *removed, struct pf_err *err)
{
	void *h;
	int rc;

	*removed = 0;
	if (s->readonly)
		return PF_OK;
	if ((h = handle(s, err)) == NULL)
		return PF_ETEMP;
	if ((rc = s->be->expire(h, pf_state_now(s), removed, err)) != PF_OK)
		return failed(s, rc, err);
	return PF_OK;
}

int
pf_state_each(struct pf_state *s, const char *prefix, uint32_t window,
    pf_state_each_fn *fn, void *arg, struct pf_err *err)
{
	void *h;
	int rc;

	if ((h = handle(s, err)) == NULL)
		return PF_ETEMP;
	if ((rc = s->be->scan(h, prefix, window, pf_state_now(s), fn, arg,
	    err)) != PF_OK)
		return failed(s, rc, err);
	return PF_OK;
}

/* the n largest rows, while a scan goes */
struct top {
	struct pf_state_row	*rows;
	size_t			 n, *got;
};

/* top_add - insert (key, count) into rows kept sorted, largest first */
static void
top_add(void *arg, const char *key, size_t klen, int64_t count)
{
	struct top *t = arg;
	struct pf_state_row *rows = t->rows;
	size_t i, n = t->n;

	if (n == 0 || klen >= PF_STATE_KEY_MAX)
		return;
	if (*t->got == n && rows[n - 1].count >= count)
		return;
	i = *t->got < n ? (*t->got)++ : n - 1;
	while (i > 0 && rows[i - 1].count < count) {
		rows[i] = rows[i - 1];
		i--;
	}
	memcpy(rows[i].key, key, klen);
	rows[i].key[klen] = '\0';
	rows[i].count = count;
}

int
pf_state_scan(struct pf_state *s, const char *prefix, uint32_t window,
    struct pf_state_row *rows, size_t n, size_t *got, struct pf_err *err)
{
	struct top t = { rows, n, got };

	*got = 0;
	return pf_state_each(s, prefix, window, top_add, &t, err);
}

/* keyed - SHA-256 contexts that have taken the salt XOR ipad and XOR
 * opad (RFC 2104), so that each hash starts from a copy, not from the key;
 * 0 on success */
static int
keyed(struct pf_state *s)
{
	unsigned char pad[64];
	size_t i;

	if ((s->hin = EVP_MD_CTX_new()) == NULL ||
	    (s->hout = EVP_MD_CTX_new()) == NULL)
		return -1;
	memset(pad, 0x36, sizeof(pad));
	for (i = 0; i < sizeof(s->salt); i++)
		pad[i] ^= s->salt[i];
	if (EVP_DigestInit_ex(s->hin, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(s->hin, pad, sizeof(pad)) != 1)
		return -1;
	memset(pad, 0x5c, sizeof(pad));
	for (i = 0; i < sizeof(s->salt); i++)
		pad[i] ^= s->salt[i];
	if (EVP_DigestInit_ex(s->hout, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(s->hout, pad, sizeof(pad)) != 1)
		return -1;
	explicit_bzero(pad, sizeof(pad));
	return 0;
}

/* keyed_hash - HMAC-SHA-256 of [p, p+len) from the keyed contexts */
static int
keyed_hash(const struct pf_state *s, const void *p, size_t len,
    unsigned char *md, unsigned *mdlen)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned char in[EVP_MAX_MD_SIZE];
	unsigned inlen = 0;
	int ok;

	ok = c != NULL && EVP_MD_CTX_copy_ex(c, s->hin) == 1 &&
	    EVP_DigestUpdate(c, p, len) == 1 &&
	    EVP_DigestFinal_ex(c, in, &inlen) == 1 &&
	    EVP_MD_CTX_copy_ex(c, s->hout) == 1 &&
	    EVP_DigestUpdate(c, in, inlen) == 1 &&
	    EVP_DigestFinal_ex(c, md, mdlen) == 1;
	EVP_MD_CTX_free(c);
	return ok ? 0 : -1;
}

/* salt - the store's salt into out; read once and remembered, unless the
 * back-end gave a throwaway (a store with no file yet) */
static int
salt(struct pf_state *s, unsigned char out[32], struct pf_err *err)
{
	unsigned char buf[32];
	void *h;
	int rc, kept = 0;

	pthread_mutex_lock(&s->mu);
	if (s->have_salt) {
		memcpy(out, s->salt, sizeof(s->salt));
		pthread_mutex_unlock(&s->mu);
		return PF_OK;
	}
	pthread_mutex_unlock(&s->mu);
	if ((h = handle(s, err)) == NULL)
		return PF_ETEMP;
	if ((rc = s->be->salt(h, buf, &kept, err)) != PF_OK)
		return failed(s, rc, err);
	pthread_mutex_lock(&s->mu);
	if (kept && !s->have_salt) {
		memcpy(s->salt, buf, sizeof(buf));
		if (keyed(s) != 0) {
			EVP_MD_CTX_free(s->hin);
			EVP_MD_CTX_free(s->hout);
			s->hin = s->hout = NULL;
		}
		s->have_salt = 1;	/* after the contexts: see hash */
	}
	memcpy(out, s->have_salt ? s->salt : buf, sizeof(buf));
	pthread_mutex_unlock(&s->mu);
	explicit_bzero(buf, sizeof(buf));
	return PF_OK;
}

/* pf_state_writable - make the store exist before a write is hashed */
int
pf_state_writable(struct pf_state *s, struct pf_err *err)
{
	void *h;
	int rc;

	if (s->readonly)
		return pf_err_set(err, PF_EINVAL, "state store %s is open "
		    "read-only", s->name);
	if ((h = handle(s, err)) == NULL)
		return PF_ETEMP;
	if (s->be->create != NULL && (rc = s->be->create(h, err)) != PF_OK)
		return failed(s, rc, err);
	return PF_OK;
}

/* pf_state_hash - HMAC-SHA-256(salt, data), 128 bits in hex */
int
pf_state_hash(struct pf_state *s, const void *p, size_t len, char *out,
    struct pf_err *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE], key[32];
	unsigned mdlen = 0;
	int rc, i;

	if ((rc = salt(s, key, err)) != PF_OK)
		return rc;
	pthread_mutex_lock(&s->mu);
	rc = s->have_salt && s->hin != NULL;
	pthread_mutex_unlock(&s->mu);
	/* the keyed contexts never change once made: read them unlocked */
	if (rc ? keyed_hash(s, p, len, md, &mdlen) != 0 :
	    HMAC(EVP_sha256(), key, (int)sizeof(key), p, len, md,
	    &mdlen) == NULL) {
		explicit_bzero(key, sizeof(key));
		return pf_err_set(err, PF_ENOMEM, "HMAC failed");
	}
	explicit_bzero(key, sizeof(key));
	if (mdlen < PF_STATE_HASH_LEN / 2)
		return pf_err_set(err, PF_EINVAL, "HMAC too short");
	for (i = 0; i < PF_STATE_HASH_LEN / 2; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[PF_STATE_HASH_LEN] = '\0';
	return PF_OK;
}

/* pf_state_key - printf into op->key, refusing to cut */
int
pf_state_key(struct pf_state_op *op, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(op->key, sizeof(op->key), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(op->key)) {
		op->key[0] = '\0';
		return PF_ELIMIT;
	}
	return PF_OK;
}

/* pf_state_blen - seconds a bucket of this window covers (>= 1) */
uint32_t
pf_state_blen(uint32_t window)
{
	uint32_t b = window / PF_STATE_NB;

	return b > 0 ? b : 1;
}

/* pf_state_bucket - index of the bucket that holds time now */
int64_t
pf_state_bucket(int64_t now, uint32_t window)
{
	return now / (int64_t)pf_state_blen(window);
}

