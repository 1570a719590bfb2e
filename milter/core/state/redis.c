/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * redis.c - the shared state back-end: Redis, for several MTAs that must
 * see one history.  A counter of window W is PF_STATE_NB keys
 * "pf:KEY@W:BUCKET", each an INCRBY with an EXPIRE, so Redis itself drops
 * what ages out; a read is one MGET.  A batch is one pipeline: every
 * command is written, then every reply read, one round trip.  A batch of
 * writes whose results are not wanted (pf_state_record) is written and
 * not waited for; its replies are read before that connection's next
 * batch, so recording costs no round trip at all.
 *
 * Connections are pooled; each is used by one thread at a time.  A
 * connection that fails is dropped, and the pool opens a new one on the
 * next call.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>
#include <openssl/rand.h>

#include "base/pf.h"
#include "state/backend.h"
#include "state/state.h"

#define KEYP		"pf:"
#define SALT_KEY	KEYP "salt"
#define MAX_PENDING	4096	/* deferred replies a connection may owe */
#define MAX_ARGS	(PF_STATE_NB + 8)

/* MAX: keep the larger of the stored number and ARGV[1] */
static const char max_lua[] =
    "local c = tonumber(redis.call('GET', KEYS[1]) or '-1') "
    "local n = tonumber(ARGV[1]) "
    "if n > c then redis.call('SET', KEYS[1], ARGV[1]) return n end "
    "return c";

struct conn {
	struct conn	*next;
	redisContext	*c;
	size_t		 pending;	/* replies of deferred batches */
	char		 failed[200];	/* the first error among them */
	int		 reused;	/* has been back in the pool */
};

struct rds {
	struct pf_state_spec spec;
	unsigned	 tmo;
	pthread_mutex_t	 mu;
	struct conn	*idle;
};

/* tv - milliseconds as a timeval */
static struct timeval
tv(unsigned ms)
{
	struct timeval t = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) *
	    1000 };

	return t;
}

/* rerr - a Redis failure as an error */
static int
rerr(struct pf_err *err, const char *what, const char *detail)
{
	return pf_err_set(err, PF_ETEMP, "redis: %s: %.300s", what,
	    detail != NULL ? detail : "no reply");
}

/* simple - one command and its reply; 0 if the reply is not an error */
static int
simple(redisContext *c, struct pf_err *err, const char *what, int argc,
    const char **argv, const size_t *len)
{
	redisReply *r = redisCommandArgv(c, argc, argv, len);
	int rc = 0;

	if (r == NULL)
		rc = rerr(err, what, c->errstr);
	else if (r->type == REDIS_REPLY_ERROR)
		rc = rerr(err, what, r->str);
	if (r != NULL)
		freeReplyObject(r);
	return rc;
}

/* conn_new - connect, AUTH and SELECT */
static struct conn *
conn_new(struct rds *r, struct pf_err *err)
{
	const struct pf_state_spec *s = &r->spec;
	const char *argv[3];
	size_t len[3];
	char db[16];
	struct conn *k;
	redisContext *c;

	c = s->path[0] != '\0' ?
	    redisConnectUnixWithTimeout(s->path, tv(r->tmo)) :
	    redisConnectWithTimeout(s->host, (int)s->port, tv(r->tmo));
	if (c == NULL || c->err) {
		rerr(err, "connect", c != NULL ? c->errstr : "out of memory");
		if (c != NULL)
			redisFree(c);
		return NULL;
	}
	redisSetTimeout(c, tv(r->tmo));
	if (s->pass[0] != '\0') {
		int n = 0;

		argv[n] = "AUTH";
		len[n++] = 4;
		if (s->user[0] != '\0') {
			argv[n] = s->user;
			len[n++] = strlen(s->user);
		}
		argv[n] = s->pass;
		len[n++] = strlen(s->pass);
		if (simple(c, err, "AUTH", n, argv, len) != 0)
			goto fail;
	}
	if (s->db != 0) {
		snprintf(db, sizeof(db), "%u", s->db);
		argv[0] = "SELECT";
		len[0] = 6;
		argv[1] = db;
		len[1] = strlen(db);
		if (simple(c, err, "SELECT", 2, argv, len) != 0)
			goto fail;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		pf_err_set(err, PF_ENOMEM, "out of memory");
		goto fail;
	}
	k->c = c;
	return k;
fail:
	redisFree(c);
	return NULL;
}

static void
conn_free(struct conn *k)
{
	if (k == NULL)
		return;
	redisFree(k->c);
	free(k);
}

/* take - an idle connection, or a new one */
static struct conn *
take(struct rds *r, struct pf_err *err)
{
	struct conn *k;

	pthread_mutex_lock(&r->mu);
	if ((k = r->idle) != NULL)
		r->idle = k->next;
	pthread_mutex_unlock(&r->mu);
	return k != NULL ? k : conn_new(r, err);
}

/* give - back to the pool, or closed if it failed */
static void
give(struct rds *r, struct conn *k, int broken)
{
	if (broken || k->c->err) {
		conn_free(k);
		return;
	}
	k->reused = 1;
	pthread_mutex_lock(&r->mu);
	k->next = r->idle;
	r->idle = k;
	pthread_mutex_unlock(&r->mu);
}

/* be_open - check that the server answers; keep that connection */
static int
be_open(const struct pf_state_spec *spec, int readonly, unsigned tmo,
    void **out, struct pf_err *err)
{
	struct rds *r = calloc(1, sizeof(*r));
	struct conn *k;

	if (r == NULL)
		return pf_err_set(err, PF_ENOMEM, "out of memory");
	r->spec = *spec;
	r->tmo = tmo;
	pthread_mutex_init(&r->mu, NULL);
	if ((k = conn_new(r, err)) == NULL) {
		pthread_mutex_destroy(&r->mu);
		free(r);
		return PF_ETEMP;
	}
	give(r, k, 0);
	*out = r;
	return PF_OK;
}

/* drain - read the replies a connection owes for deferred batches */
static int
drain(struct conn *k, struct pf_err *err)
{
	redisReply *rep;

	while (k->pending > 0) {
		if (redisGetReply(k->c, (void **)&rep) != REDIS_OK)
			return rerr(err, "reply", k->c->errstr);
		k->pending--;
		if (rep->type == REDIS_REPLY_ERROR && k->failed[0] == '\0')
			snprintf(k->failed, sizeof(k->failed), "%.190s",
			    rep->str);
		freeReplyObject(rep);
	}
	return PF_OK;
}

static void
be_close(void *h)
{
	struct rds *r = h;
	struct conn *k;
	struct pf_err err;

	while ((k = r->idle) != NULL) {
		r->idle = k->next;
		(void)drain(k, &err);
		conn_free(k);
	}
	pthread_mutex_destroy(&r->mu);
	explicit_bzero(r->spec.pass, sizeof(r->spec.pass));
	free(r);
}

/* bkey - the key of one bucket */
static size_t
bkey(char *buf, size_t len, const struct pf_state_op *op, int64_t idx)
{
	int n = snprintf(buf, len, KEYP "%s@%u:%lld", op->key, op->window,
	    (long long)idx);

	return n > 0 && (size_t)n < len ? (size_t)n : 0;
}

/* cmd - append argv; the count of replies it will produce */
static int
cmd(redisContext *c, int argc, const char **argv, const size_t *len)
{
	return redisAppendCommandArgv(c, argc, argv, len) == REDIS_OK ? 1 : -1;
}

#define KB	(PF_STATE_KEY_MAX + 40)

/* append - the commands of one op; the replies it will produce, -1 */
static int
append(redisContext *c, const struct pf_state_op *op, int64_t now)
{
	char keys[PF_STATE_NB][KB], num[2][24], plain[KB];
	const char *argv[MAX_ARGS];
	size_t len[MAX_ARGS];
	int64_t idx = pf_state_bucket(now, op->window);
	int i;

	snprintf(plain, sizeof(plain), KEYP "%s", op->key);
	switch (op->op) {
	case PF_SOP_COUNT:
	case PF_SOP_DEL:
		if (op->op == PF_SOP_DEL && op->window == 0) {
			argv[0] = "DEL"; len[0] = 3;
			argv[1] = plain; len[1] = strlen(plain);
			return cmd(c, 2, argv, len);
		}
		argv[0] = op->op == PF_SOP_COUNT ? "MGET" : "DEL";
		len[0] = strlen(argv[0]);
		for (i = 0; i < PF_STATE_NB; i++) {
			len[i + 1] = bkey(keys[i], KB, op, idx - i);
			argv[i + 1] = keys[i];
		}
		return cmd(c, PF_STATE_NB + 1, argv, len);
	case PF_SOP_ADD:
		len[1] = bkey(keys[0], KB, op, idx);
		argv[1] = keys[0];
		snprintf(num[0], sizeof(num[0]), "%lld", (long long)op->n);
		snprintf(num[1], sizeof(num[1]), "%u", op->window +
		    pf_state_blen(op->window));
		argv[0] = "INCRBY"; len[0] = 6;
		argv[2] = num[0]; len[2] = strlen(num[0]);
		if (cmd(c, 3, argv, len) < 0)
			return -1;
		argv[0] = "EXPIRE"; len[0] = 6;
		argv[2] = num[1]; len[2] = strlen(num[1]);
		return cmd(c, 3, argv, len) < 0 ? -1 : 2;
	case PF_SOP_MARK:
		snprintf(num[0], sizeof(num[0]), "%lld", (long long)op->n);
		argv[0] = "SET"; len[0] = 3;
		argv[1] = plain; len[1] = strlen(plain);
		argv[2] = num[0]; len[2] = strlen(num[0]);
		argv[3] = "NX"; len[3] = 2;
		if (cmd(c, 4, argv, len) < 0)
			return -1;
		argv[0] = "GET";
		return cmd(c, 2, argv, len) < 0 ? -1 : 2;
	case PF_SOP_GET:
		argv[0] = "GET"; len[0] = 3;
		argv[1] = plain; len[1] = strlen(plain);
		return cmd(c, 2, argv, len);
	case PF_SOP_MAX:
		snprintf(num[0], sizeof(num[0]), "%lld", (long long)op->n);
		argv[0] = "EVAL"; len[0] = 4;
		argv[1] = max_lua; len[1] = sizeof(max_lua) - 1;
		argv[2] = "1"; len[2] = 1;
		argv[3] = plain; len[3] = strlen(plain);
		argv[4] = num[0]; len[4] = strlen(num[0]);
		return cmd(c, 5, argv, len);
	case PF_SOP_FIRST:
		snprintf(num[0], sizeof(num[0]), "%u", op->window ?
		    op->window : 1);
		argv[0] = "SET"; len[0] = 3;
		argv[1] = plain; len[1] = strlen(plain);
		argv[2] = "1"; len[2] = 1;
		argv[3] = "NX"; len[3] = 2;
		argv[4] = "EX"; len[4] = 2;
		argv[5] = num[0]; len[5] = strlen(num[0]);
		return cmd(c, 6, argv, len);
	}
	return -1;
}

/* num - a reply as a number (nil: 0) */
static int64_t
num(const redisReply *r, int *found)
{
	int64_t v = 0;

	if (r->type == REDIS_REPLY_INTEGER)
		v = r->integer;
	else if (r->type == REDIS_REPLY_STRING && r->len > 0 &&
	    r->str[0] == '-') {
		if (pf_strtonum(r->str + 1, r->len - 1, 0, INT64_MAX, &v) !=
		    PF_OK)
			return 0;
		v = -v;
	} else if (r->type == REDIS_REPLY_STRING) {
		if (pf_strtonum(r->str, r->len, 0, INT64_MAX, &v) != PF_OK)
			return 0;
	} else
		return 0;
	if (found != NULL)
		*found = 1;
	return v;
}

/* result - what the reply of one op means; reply i of nrep */
static void
result(struct pf_state_op *op, const redisReply *r, int i)
{
	size_t j;

	switch (op->op) {
	case PF_SOP_COUNT:
		if (r->type != REDIS_REPLY_ARRAY)
			return;
		for (j = 0; j < r->elements; j++)
			op->result += num(r->element[j], &op->found);
		break;
	case PF_SOP_MARK:
		if (i == 1)
			op->result = num(r, &op->found);
		break;
	case PF_SOP_GET:
	case PF_SOP_MAX:
		op->result = num(r, &op->found);
		break;
	case PF_SOP_FIRST:
		op->result = r->type == REDIS_REPLY_STATUS;
		break;
	default:
		break;
	}
}

/* flush - write the output buffer without waiting for replies */
static int
flush(redisContext *c)
{
	int done = 0;

	while (!done)
		if (redisBufferWrite(c, &done) != REDIS_OK)
			return -1;
	return 0;
}

/* pipeline - the batch on connection k: every command written, then
 * (unless defer) every reply read */
static int
pipeline(struct conn *k, struct pf_state_op *ops, size_t n, int64_t now,
    int defer, int *nrep, struct pf_err *err)
{
	redisReply *rep;
	size_t o;
	int i, rc = PF_OK;

	if ((!defer || k->pending > MAX_PENDING) &&
	    (rc = drain(k, err)) != PF_OK)
		return rc;
	for (o = 0; o < n; o++)
		if ((nrep[o] = append(k->c, &ops[o], now)) < 0)
			return pf_err_set(err, PF_ENOMEM,
			    "redis: out of memory");
	if (defer) {
		if (flush(k->c) != 0)
			return rerr(err, "write", k->c->errstr);
		for (o = 0; o < n; o++)
			k->pending += (size_t)nrep[o];
		if (k->failed[0] != '\0') {
			/* an earlier deferred write was refused: say so once */
			pf_err_set(err, PF_ETEMP, "redis: an earlier write "
			    "failed: %s", k->failed);
			k->failed[0] = '\0';
			return PF_EIO;
		}
		return PF_OK;
	}
	for (o = 0; o < n; o++)
		for (i = 0; i < nrep[o]; i++) {
			if (redisGetReply(k->c, (void **)&rep) != REDIS_OK)
				return rerr(err, "reply", k->c->errstr);
			if (rep->type == REDIS_REPLY_ERROR && rc == PF_OK)
				rc = rerr(err, ops[o].key, rep->str);
			else
				result(&ops[o], rep, i);
			freeReplyObject(rep);
		}
	return rc;
}

/* reads_only - a batch that changes nothing may be sent again */
static int
reads_only(const struct pf_state_op *ops, size_t n)
{
	size_t o;

	for (o = 0; o < n; o++)
		if (ops[o].op != PF_SOP_COUNT && ops[o].op != PF_SOP_GET)
			return 0;
	return 1;
}

/* be_run - the batch as one pipeline.  A read on a pooled connection
 * that turns out dead (Redis restarted) is tried once more on a new one. */
static int
be_run(void *h, struct pf_state_op *ops, size_t n, int64_t now, int defer,
    struct pf_err *err)
{
	struct rds *r = h;
	struct conn *k;
	int *nrep, rc, again = reads_only(ops, n);
	size_t o;

	if ((nrep = calloc(n ? n : 1, sizeof(*nrep))) == NULL)
		return pf_err_set(err, PF_ENOMEM, "out of memory");
	for (;;) {
		if ((k = take(r, err)) == NULL) {
			rc = PF_ETEMP;
			break;
		}
		rc = pipeline(k, ops, n, now, defer, nrep, err);
		if (rc != PF_OK && again && k->reused && k->c->err != 0) {
			conn_free(k);
			for (o = 0; o < n; o++)
				ops[o].result = ops[o].found = 0;
			again = 0;
			continue;
		}
		/* a refused earlier write leaves the connection usable */
		give(r, k, rc != PF_OK && !(rc == PF_EIO && k->c->err == 0));
		if (rc == PF_EIO)
			rc = PF_ETEMP;
		break;
	}
	free(nrep);
	return rc;
}

/* be_expire - Redis drops expired keys itself */
static int
be_expire(void *h, int64_t now, size_t *removed, struct pf_err *err)
{
	*removed = 0;
	return PF_OK;
}

/* one bucket key found by a scan */
struct hit {
	char	 base[PF_STATE_KEY_MAX];
	int64_t	 idx, count;
};

static int
hitcmp(const void *a, const void *b)
{
	return strcmp(((const struct hit *)a)->base,
	    ((const struct hit *)b)->base);
}

/* mget - the values of the keys of one SCAN page */
static redisReply *
mget(redisContext *c, const redisReply *keys, struct pf_err *err)
{
	const char **argv = calloc(keys->elements + 1, sizeof(*argv));
	size_t *len = calloc(keys->elements + 1, sizeof(*len)), j;
	redisReply *vals = NULL;

	if (argv == NULL || len == NULL) {
		pf_err_set(err, PF_ENOMEM, "out of memory");
		goto out;
	}
	argv[0] = "MGET";
	len[0] = 4;
	for (j = 0; j < keys->elements; j++) {
		argv[j + 1] = keys->element[j]->str;
		len[j + 1] = keys->element[j]->len;
	}
	if ((vals = redisCommandArgv(c, (int)keys->elements + 1, argv,
	    len)) == NULL)
		rerr(err, "scan", c->errstr);
out:
	free(argv);
	free(len);
	return vals;
}

/* collect - one SCAN page of keys into hits, with their values */
static int
collect(redisContext *c, redisReply *keys, const char *suffix,
    struct hit **hits, size_t *nh, size_t *cap, struct pf_err *err)
{
	redisReply *vals;
	size_t j, plen = strlen(KEYP), slen = strlen(suffix);

	if (keys->elements == 0)
		return PF_OK;
	if ((vals = mget(c, keys, err)) == NULL)
		return err->status ? err->status : PF_ETEMP;
	if (vals->type != REDIS_REPLY_ARRAY) {
		freeReplyObject(vals);
		return rerr(err, "scan", "MGET did not answer an array");
	}
	for (j = 0; j < keys->elements && j < vals->elements; j++) {
		const char *k = keys->element[j]->str, *at;
		struct hit *h;

		at = strstr(k, suffix);
		if (at == NULL || (size_t)(at - k) < plen ||
		    (size_t)(at - k) - plen >= PF_STATE_KEY_MAX)
			continue;
		if (*nh == *cap) {
			size_t nc = *cap ? *cap * 2 : 256;
			struct hit *p = realloc(*hits, nc * sizeof(*p));

			if (p == NULL) {
				freeReplyObject(vals);
				return pf_err_set(err, PF_ENOMEM,
				    "out of memory");
			}
			*hits = p;
			*cap = nc;
		}
		h = &(*hits)[(*nh)++];
		memcpy(h->base, k + plen, (size_t)(at - k) - plen);
		h->base[(size_t)(at - k) - plen] = '\0';
		h->idx = strtoll(at + slen, NULL, 10);
		h->count = num(vals->element[j], NULL);
	}
	freeReplyObject(vals);
	return PF_OK;
}

/* be_scan - SCAN for the buckets under prefix, summed per counter */
static int
be_scan(void *h, const char *prefix, uint32_t window, int64_t now,
    pf_state_each_fn *fn, void *arg, struct pf_err *err)
{
	struct rds *r = h;
	struct conn *k;
	struct hit *hits = NULL;
	size_t nh = 0, cap = 0, i, j;
	char match[PF_STATE_KEY_MAX + 40], suffix[24], cursor[32] = "0";
	int64_t idx = pf_state_bucket(now, window);
	redisReply *rep;
	int rc = PF_OK;

	snprintf(suffix, sizeof(suffix), "@%u:", window);
	snprintf(match, sizeof(match), KEYP "%s*%s*", prefix, suffix);
	if ((k = take(r, err)) == NULL)
		return PF_ETEMP;
	if ((rc = drain(k, err)) != PF_OK)
		goto out;
	do {
		rep = redisCommand(k->c, "SCAN %s MATCH %s COUNT 1000", cursor,
		    match);
		if (rep == NULL || rep->type != REDIS_REPLY_ARRAY ||
		    rep->elements != 2) {
			rc = rerr(err, "SCAN", rep && rep->type ==
			    REDIS_REPLY_ERROR ? rep->str : k->c->errstr);
			if (rep != NULL)
				freeReplyObject(rep);
			goto out;
		}
		snprintf(cursor, sizeof(cursor), "%s", rep->element[0]->str);
		rc = collect(k->c, rep->element[1], suffix, &hits, &nh, &cap,
		    err);
		freeReplyObject(rep);
		if (rc != PF_OK)
			goto out;
	} while (strcmp(cursor, "0") != 0);
	if (nh > 1)		/* hits is NULL when nothing matched */
		qsort(hits, nh, sizeof(*hits), hitcmp);
	for (i = 0; i < nh; i = j) {
		int64_t sum = 0;

		for (j = i; j < nh && strcmp(hits[j].base, hits[i].base) == 0;
		    j++)
			if (hits[j].idx > idx - PF_STATE_NB &&
			    hits[j].idx <= idx)
				sum += hits[j].count;
		if (sum > 0)
			fn(arg, hits[i].base, strlen(hits[i].base), sum);
	}
out:
	free(hits);
	give(r, k, rc != PF_OK);
	return rc;
}

/* be_salt - SET NX a fresh salt, then read whichever won */
static int
be_salt(void *h, unsigned char out[32], int *kept, struct pf_err *err)
{
	struct rds *r = h;
	unsigned char fresh[32];
	struct conn *k;
	redisReply *rep;
	int rc = PF_OK;

	*kept = 1;
	if (RAND_bytes(fresh, sizeof(fresh)) != 1)
		return pf_err_set(err, PF_EIO, "no random bytes for the salt");
	if ((k = take(r, err)) == NULL)
		return PF_ETEMP;
	if ((rc = drain(k, err)) != PF_OK)
		goto out;
	rep = redisCommand(k->c, "SET %s %b NX", SALT_KEY, fresh,
	    sizeof(fresh));
	if (rep != NULL)
		freeReplyObject(rep);
	rep = redisCommand(k->c, "GET %s", SALT_KEY);
	if (rep == NULL || rep->type != REDIS_REPLY_STRING || rep->len != 32)
		rc = rerr(err, "salt", rep && rep->type == REDIS_REPLY_ERROR ?
		    rep->str : k->c->errstr);
	else
		memcpy(out, rep->str, 32);
	if (rep != NULL)
		freeReplyObject(rep);
out:
	give(r, k, rc != PF_OK);
	return rc;
}

const struct pf_state_be pf_state_redis = {
	"redis", be_open, be_close, NULL, be_run, be_expire, be_scan,
	be_salt
};
