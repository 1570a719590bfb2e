/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_state.c - the state store against the real things: LMDB files in
 * a private directory and a private redis-server on a free loopback port.
 * Each case runs on both back-ends (loop index 0 LMDB, 1 Redis).  Time is
 * the test's own clock: windows and expiry move without sleeping.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <hiredis/hiredis.h>
#include <lmdb.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <unistd.h>

#include "base/pf.h"
#include "base/facts.h"
#include "base/statespec.h"
#include "state/count.h"
#include "state/hist.h"
#include "state/state.h"
#include "redistest.h"
#include "lib/pftest.h"

static struct redistest srv;
static int have_redis;
static char dir[128];
static int64_t now_s;

static int64_t
clock_fn(void *arg)
{
	return now_s;
}

static void
suite_up(void)
{
	snprintf(dir, sizeof(dir), "/tmp/pf-state.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	have_redis = redistest_start(&srv, NULL) == 0;
}

static void
suite_down(void)
{
	char cmd[200];

	redistest_stop(&srv);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

/* spec - LMDB file NAME in the test directory, or the private Redis */
static void
spec(int which, const char *name, struct pf_state_spec *s)
{
	char text[400], why[400];

	if (which == 0)
		snprintf(text, sizeof(text), "lmdb:%s/%s", dir, name);
	else
		snprintf(text, sizeof(text), "redis://127.0.0.1:%u/0",
		    srv.port);
	ck_assert_msg(pf_state_spec_parse(text, s, why, sizeof(why)) == 0,
	    "%s", why);
}

/* open_store - a store with the test clock */
static struct pf_state *
open_store(int which, const char *name)
{
	struct pf_state_spec s;
	struct pf_state *st;
	struct pf_err err;

	if (which == 1)
		ck_assert_msg(have_redis, "redis-server did not start "
		    "(install the Debian package redis-server)");
	spec(which, name, &s);
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(pf_state_new(&s, 0, 1000, &st, &err), PF_OK);
	ck_assert_ptr_nonnull(st);
	pf_state_set_clock(st, clock_fn, NULL);
	return st;
}

/* key - a key of its own for each test and process */
static const char *
key(const char *tag, char *buf, size_t len)
{
	snprintf(buf, len, "t|%s.%ld", tag, (long)getpid());
	return buf;
}

static int64_t
get(struct pf_state *st, const char *k, uint32_t w)
{
	struct pf_err err;
	int64_t n = -1;

	memset(&err, 0, sizeof(err));
	ck_assert_msg(pf_state_get(st, k, w, &n, &err) == PF_OK, "%s",
	    err.msg);
	return n;
}

static void
add(struct pf_state *st, const char *k, uint32_t w, int64_t n)
{
	struct pf_err err;

	memset(&err, 0, sizeof(err));
	ck_assert_msg(pf_state_add(st, k, w, n, &err) == PF_OK, "%s",
	    err.msg);
}

/* op_of - an op of code on key k and window w, the rest zero */
static struct pf_state_op
op_of(enum pf_state_opcode code, const char *k, uint32_t w)
{
	struct pf_state_op op;

	memset(&op, 0, sizeof(op));
	op.op = code;
	op.window = w;
	pf_state_key(&op, "%s", k);
	return op;
}

/* run1 - run op alone (sent without waiting for its result when
 * record); the test fails if the store refuses */
static void
run1(struct pf_state *st, struct pf_state_op *op, int record)
{
	struct pf_err err;

	memset(&err, 0, sizeof(err));
	ck_assert_msg((record ? pf_state_record(st, op, 1, &err) :
	    pf_state_run(st, op, 1, &err)) == PF_OK, "%s", err.msg);
}

/* one - run one op and return it */
static struct pf_state_op
one(struct pf_state *st, enum pf_state_opcode code, const char *k,
    uint32_t w, int64_t n)
{
	struct pf_state_op op = op_of(code, k, w);

	op.n = n;
	run1(st, &op, 0);
	return op;
}

START_TEST(test_window_minute)
{
	struct pf_state *st = open_store(_i, "win");
	char k[64];

	key("minute", k, sizeof(k));
	now_s = 1000;
	add(st, k, 60, 3);
	ck_assert_int_eq(get(st, k, 60), 3);
	now_s = 1059;
	add(st, k, 60, 1);
	ck_assert_int_eq(get(st, k, 60), 4);
	now_s = 1060;			/* the bucket of 1000 has left */
	ck_assert_int_eq(get(st, k, 60), 1);
	now_s = 1200;
	ck_assert_int_eq(get(st, k, 60), 0);
	ck_assert_int_eq(get(st, "t|never-written", 60), 0);
	pf_state_free(st);
}
END_TEST

START_TEST(test_window_hour)
{
	struct pf_state *st = open_store(_i, "win");
	char k[64];
	int i;

	key("hour", k, sizeof(k));
	for (i = 0; i < 12; i++) {
		now_s = 36000 + 300 * i;
		add(st, k, 3600, 1);
	}
	ck_assert_int_eq(get(st, k, 3600), 12);
	now_s = 36000 + 3600;		/* the first bucket has left */
	ck_assert_int_eq(get(st, k, 3600), 11);
	/* the same key in another window is another counter */
	ck_assert_int_eq(get(st, k, 86400), 0);
	now_s = 36000 + 2 * 3600;
	ck_assert_int_eq(get(st, k, 3600), 0);
	pf_state_free(st);
}
END_TEST

START_TEST(test_marks)
{
	struct pf_state *st = open_store(_i, "marks");
	struct pf_state_op op;
	char k[64], m[64], f[64];

	key("sticky", k, sizeof(k));
	key("max", m, sizeof(m));
	key("first", f, sizeof(f));
	now_s = 5000;
	ck_assert_int_eq(one(st, PF_SOP_GET, k, 0, 0).found, 0);
	ck_assert_int_eq(one(st, PF_SOP_MARK, k, 0, 5).result, 5);
	ck_assert_int_eq(one(st, PF_SOP_MARK, k, 0, 9).result, 5);
	now_s += 400 * 86400;		/* a sticky mark never expires */
	op = one(st, PF_SOP_GET, k, 0, 0);
	ck_assert_int_eq(op.found, 1);
	ck_assert_int_eq(op.result, 5);
	ck_assert_int_eq(one(st, PF_SOP_MAX, m, 0, 3).result, 3);
	ck_assert_int_eq(one(st, PF_SOP_MAX, m, 0, 2).result, 3);
	ck_assert_int_eq(one(st, PF_SOP_MAX, m, 0, 7).result, 7);
	ck_assert_int_eq(one(st, PF_SOP_GET, m, 0, 0).result, 7);
	ck_assert_int_eq(one(st, PF_SOP_FIRST, f, 100, 0).result, 1);
	ck_assert_int_eq(one(st, PF_SOP_FIRST, f, 100, 0).result, 0);
	ck_assert_int_eq(one(st, PF_SOP_GET, f, 0, 0).found, 1);
	if (_i == 0) {
		/* Redis expires by its own clock; only LMDB follows ours */
		now_s += 101;
		ck_assert_int_eq(one(st, PF_SOP_GET, f, 0, 0).found, 0);
		ck_assert_int_eq(one(st, PF_SOP_FIRST, f, 100, 0).result, 1);
	}
	one(st, PF_SOP_DEL, k, 0, 0);
	ck_assert_int_eq(one(st, PF_SOP_GET, k, 0, 0).found, 0);
	add(st, k, 600, 4);
	ck_assert_int_eq(get(st, k, 600), 4);
	one(st, PF_SOP_DEL, k, 600, 0);
	ck_assert_int_eq(get(st, k, 600), 0);
	pf_state_free(st);
}
END_TEST

START_TEST(test_scan)
{
	struct pf_state *st = open_store(_i, "scan");
	struct pf_state_row rows[2];
	struct pf_err err;
	char a[80], b[80], c[80], p[64];
	size_t got = 0;

	snprintf(p, sizeof(p), "x|%ld.", (long)getpid());
	snprintf(a, sizeof(a), "%sa", p);
	snprintf(b, sizeof(b), "%sb", p);
	snprintf(c, sizeof(c), "%sc", p);
	now_s = 90000;
	add(st, a, 86400, 5);
	add(st, b, 86400, 9);
	add(st, c, 86400, 1);
	add(st, c, 3600, 50);		/* another window: not listed */
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(pf_state_scan(st, p, 86400, rows, 2, &got, &err),
	    PF_OK);
	ck_assert_uint_eq(got, 2);
	ck_assert_str_eq(rows[0].key, b);
	ck_assert_int_eq(rows[0].count, 9);
	ck_assert_str_eq(rows[1].key, a);
	ck_assert_int_eq(rows[1].count, 5);
	pf_state_free(st);
}
END_TEST

/* hmac_matches - the hash is HMAC-SHA-256 (RFC 2104) with the salt the
 * LMDB file NAME holds, its first 128 bits in hex */
static void
hmac_matches(const char *name, const char *data, const char *got)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0, i;
	char path[300], hex[PF_STATE_HASH_LEN + 1];
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { 4, "salt" }, v;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(mdb_env_create(&env), 0);
	ck_assert_int_eq(mdb_env_open(env, path, MDB_NOSUBDIR | MDB_RDONLY,
	    0), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
	ck_assert_int_eq(mdb_get(txn, dbi, &k, &v), 0);
	ck_assert_uint_eq(v.mv_size, 32);
	ck_assert_ptr_nonnull(HMAC(EVP_sha256(), v.mv_data, 32,
	    (const unsigned char *)data, strlen(data), md, &mdlen));
	mdb_txn_abort(txn);
	mdb_env_close(env);
	for (i = 0; i < PF_STATE_HASH_LEN / 2; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	ck_assert_str_eq(got, hex);
}

START_TEST(test_hash)
{
	struct pf_state *st = open_store(_i, "hash"), *st2;
	struct pf_err err;
	char h1[PF_STATE_HASH_LEN + 1], h2[PF_STATE_HASH_LEN + 1],
	    h3[PF_STATE_HASH_LEN + 1];

	memset(&err, 0, sizeof(err));
	/* the salt is made with the store, by its first write */
	ck_assert_int_eq(pf_state_writable(st, &err), PF_OK);
	ck_assert_int_eq(pf_state_hash(st, "b@gmail.com", 11, h1, &err),
	    PF_OK);
	ck_assert_int_eq(pf_state_hash(st, "c@gmail.com", 11, h2, &err),
	    PF_OK);
	ck_assert_uint_eq(strlen(h1), PF_STATE_HASH_LEN);
	ck_assert_str_ne(h1, h2);
	ck_assert_ptr_null(strstr(h1, "gmail"));
	pf_state_free(st);
	if (_i == 0)
		hmac_matches("hash", "b@gmail.com", h1);
	/* the salt is kept in the store: the same store, the same hash */
	st = open_store(_i, "hash");
	ck_assert_int_eq(pf_state_hash(st, "b@gmail.com", 11, h3, &err),
	    PF_OK);
	ck_assert_str_eq(h1, h3);
	pf_state_free(st);
	if (_i == 0) {
		/* another store has another salt */
		st2 = open_store(0, "hash-other");
		ck_assert_int_eq(pf_state_writable(st2, &err), PF_OK);
		ck_assert_int_eq(pf_state_hash(st2, "b@gmail.com", 11, h3,
		    &err), PF_OK);
		ck_assert_str_ne(h1, h3);
		pf_state_free(st2);
	}
}
END_TEST

/* several processes adding at once: not one increment lost */
START_TEST(test_processes)
{
	struct pf_state *st;
	char k[64];
	pid_t pid[4];
	int i, j, status;

	key("procs", k, sizeof(k));
	now_s = 70000;
	for (i = 0; i < 4; i++) {
		if ((pid[i] = fork()) == 0) {
			st = open_store(_i, "procs");
			for (j = 0; j < 250; j++)
				add(st, k, 86400, 1);
			pf_state_free(st);
			_exit(0);
		}
		ck_assert_int_ge(pid[i], 0);
	}
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	st = open_store(_i, "procs");
	ck_assert_int_eq(get(st, k, 86400), 1000);
	pf_state_free(st);
}
END_TEST

struct thr {
	struct pf_state *st;
	const char *key;
	int failed;
};

static void *
adder(void *arg)
{
	struct thr *t = arg;
	struct pf_err err;
	int j;

	for (j = 0; j < 250; j++)
		if (pf_state_add(t->st, t->key, 86400, 1, &err) != PF_OK)
			t->failed++;
	return NULL;
}

START_TEST(test_threads)
{
	struct pf_state *st = open_store(_i, "threads");
	struct thr t[8];
	pthread_t th[8];
	char k[64];
	int i;

	key("threads", k, sizeof(k));
	now_s = 80000;
	for (i = 0; i < 8; i++) {
		t[i].st = st;
		t[i].key = k;
		t[i].failed = 0;
		ck_assert_int_eq(pthread_create(&th[i], NULL, adder, &t[i]), 0);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		ck_assert_int_eq(t[i].failed, 0);
	}
	ck_assert_int_eq(get(st, k, 86400), 2000);
	pf_state_free(st);
}
END_TEST

/* sop_str - a PUTS (deferred when record) or a GETS into buf */
static int
sop_str(struct pf_state *st, enum pf_state_opcode code, const char *k,
    uint32_t w, char *buf, size_t len, int record)
{
	struct pf_state_op op = op_of(code, k, w);

	op.sval = buf;
	op.slen = len;
	run1(st, &op, record);
	return op.found;
}

/*
 * String values (the sender memory): written, read back (also into a
 * buffer too small), overwritten, gone after their lifetime (LMDB on the
 * test clock, swept by expire; Redis holds the EX lifetime), and a
 * missing key reads as not found with an empty string.
 */
START_TEST(test_strings)
{
	struct pf_state *st = open_store(_i, "strings");
	char k[64], buf[PF_STATE_SVAL_MAX], small[4];
	char v1[] = "f=a.example;k=sel:a.example", v2[] = "f=b.example;k=";
	struct pf_err err;
	size_t removed;

	key("str", k, sizeof(k));
	now_s = 2000000;
	strcpy(buf, "junk");
	ck_assert_int_eq(sop_str(st, PF_SOP_GETS, k, 0, buf, sizeof(buf), 0),
	    0);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(sop_str(st, PF_SOP_PUTS, k, 100, v1, 0, 0), 0);
	ck_assert_int_eq(sop_str(st, PF_SOP_GETS, k, 0, buf, sizeof(buf), 0),
	    1);
	ck_assert_str_eq(buf, v1);
	ck_assert_int_eq(sop_str(st, PF_SOP_GETS, k, 0, small, sizeof(small),
	    0), 1);
	ck_assert_str_eq(small, "f=a");
	/* deferred, as the engine writes it; read on the same store */
	(void)sop_str(st, PF_SOP_PUTS, k, 100, v2, 0, 1);
	ck_assert_int_eq(sop_str(st, PF_SOP_GETS, k, 0, buf, sizeof(buf), 0),
	    1);
	ck_assert_str_eq(buf, v2);
	if (_i == 0) {
		now_s += 101;
		ck_assert_int_eq(sop_str(st, PF_SOP_GETS, k, 0, buf,
		    sizeof(buf), 0), 0);
		memset(&err, 0, sizeof(err));
		ck_assert_int_eq(pf_state_expire(st, &removed, &err), PF_OK);
		ck_assert_uint_ge(removed, 1);
	} else {
		redisContext *c = redisConnect("127.0.0.1", (int)srv.port);
		redisReply *r;

		ck_assert(c != NULL && !c->err);
		r = redisCommand(c, "TTL pf:%s", k);
		ck_assert(r != NULL && r->type == REDIS_REPLY_INTEGER);
		ck_assert_msg(r->integer > 0 && r->integer <= 100, "TTL %lld",
		    r->integer);
		freeReplyObject(r);
		redisFree(c);
	}
	pf_state_free(st);
}
END_TEST

START_TEST(test_expire)
{
	struct pf_state *st = open_store(0, "expire");
	struct pf_err err;
	size_t removed = 99;
	char k[64], m[64];

	key("exp", k, sizeof(k));
	key("sticky", m, sizeof(m));
	now_s = 100000;
	add(st, k, 60, 2);
	one(st, PF_SOP_MARK, m, 0, 1);
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(pf_state_expire(st, &removed, &err), PF_OK);
	ck_assert_uint_eq(removed, 0);
	now_s += 200;
	ck_assert_int_eq(pf_state_expire(st, &removed, &err), PF_OK);
	ck_assert_uint_ge(removed, 1);
	ck_assert_int_eq(get(st, k, 60), 0);
	ck_assert_int_eq(one(st, PF_SOP_GET, m, 0, 0).found, 1);
	pf_state_free(st);
}
END_TEST

/* recs - record one message n times, reading before each like the
 * engine does */
static void
recs(struct pf_state *st, const struct pf_state_msg *m, int n,
    struct pf_facts *f)
{
	struct pf_state_memo memo;
	struct pf_err err;
	int i;

	for (i = 0; i < n; i++) {
		pf_facts_reset(f);
		pf_state_read(st, m, f, &memo);
		ck_assert_int_eq(memo.read, 1);
		memset(&err, 0, sizeof(err));
		ck_assert_msg(pf_state_count(st, m, &memo, &err) == PF_OK,
		    "%s", err.msg);
	}
	pf_facts_reset(f);
	pf_state_read(st, m, f, &memo);
}

START_TEST(test_count_rcpt_msgid)
{
	struct pf_state *st = open_store(_i, "count");
	struct pf_facts *f = pf_facts_new();
	char rcpt[64], msgid[64];
	const char *r[1] = { rcpt };
	struct pf_state_msg m;

	snprintf(rcpt, sizeof(rcpt), "r%ld@gmail.com", (long)getpid());
	snprintf(msgid, sizeof(msgid), "<%ld@example.com>", (long)getpid());
	memset(&m, 0, sizeof(m));
	m.rcpt = r;
	m.nrcpt = 1;
	m.msgid = msgid;
	m.org = "example.com";
	m.bulk_line = 5000;
	now_s = 1700000000;
	recs(st, &m, 60, f);
	/* the 61st in the minute */
	ck_assert_int_eq(pf_fact_getn(f, PF_F_STATE_RCPT_MINUTE), 61);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_STATE_RCPT_DAY), 61);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_STATE_MSGID_TRANSACTIONS), 61);
	now_s += 61;
	pf_facts_reset(f);
	{
		struct pf_state_memo memo;

		pf_state_read(st, &m, f, &memo);
	}
	ck_assert_int_eq(pf_fact_getn(f, PF_F_STATE_RCPT_MINUTE), 1);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_STATE_RCPT_HOUR), 61);
	/* addresses are counted without regard to case or brackets */
	snprintf(rcpt, sizeof(rcpt), "<R%ld@GMAIL.com>", (long)getpid());
	pf_facts_reset(f);
	{
		struct pf_state_memo memo;

		pf_state_read(st, &m, f, &memo);
	}
	ck_assert_int_eq(pf_fact_getn(f, PF_F_STATE_RCPT_HOUR), 61);
	pf_facts_free(f);
	pf_state_free(st);
}
END_TEST

START_TEST(test_count_bulk)
{
	struct pf_state *st = open_store(_i, "bulk");
	struct pf_facts *f = pf_facts_new();
	char org[64], since[16];
	const char *r[2] = { "one@gmail.com", "two@example.net" };
	struct pf_state_msg m;
	struct pf_state_view v;
	struct pf_err err;

	snprintf(org, sizeof(org), "org%ld.example", (long)getpid());
	memset(&m, 0, sizeof(m));
	m.rcpt = r;
	m.nrcpt = 2;			/* one personal Gmail recipient */
	m.org = org;
	m.bulk_line = 5;
	now_s = 1700000000;		/* 2023-11-14 */
	recs(st, &m, 3, f);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_STATE_ORG_PERSONAL_DAY), 4);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_STATE_BULK), 0);
	ck_assert_str_eq(pf_fact_gets(f, PF_F_STATE_BULK_SINCE), "");
	recs(st, &m, 2, f);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_STATE_ORG_PERSONAL_DAY), 6);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_STATE_BULK), 1);
	ck_assert_str_eq(pf_fact_gets(f, PF_F_STATE_BULK_SINCE), "2023-11-14");
	/* two days later: the volume is gone, the status stays */
	now_s += 2 * 86400;
	recs(st, &m, 0, f);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_STATE_ORG_PERSONAL_DAY), 1);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_STATE_ORG_PEAK), 5);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_STATE_BULK), 1);
	snprintf(since, sizeof(since), "%s",
	    pf_fact_gets(f, PF_F_STATE_BULK_SINCE));
	ck_assert_str_eq(since, "2023-11-14");
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(pf_state_show_domain(st, org, &v, &err), PF_OK);
	ck_assert_int_eq(v.org_peak, 5);
	ck_assert_int_eq(v.bulk_since, 1700000000);
	ck_assert_int_eq(pf_state_forget_domain(st, org, &err), PF_OK);
	recs(st, &m, 0, f);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_STATE_BULK), 0);
	pf_facts_free(f);
	pf_state_free(st);
}
END_TEST

START_TEST(test_count_relay)
{
	struct pf_state *st = open_store(_i, "relay");
	struct pf_facts *f = pf_facts_new();
	char s[64], org[64];
	const char *r1[2] = { "a@x.example", "b@x.example" };
	const char *r2[2] = { "b@x.example", "c@x.example" };
	struct pf_state_msg m;

	snprintf(s, sizeof(s), "s%ld@corp.example", (long)getpid());
	snprintf(org, sizeof(org), "corp%ld.example", (long)getpid());
	memset(&m, 0, sizeof(m));
	m.rcpt = r1;
	m.nrcpt = 2;
	m.sender = s;
	m.sender_org = org;
	m.relay = 1;
	now_s = 1700000000;
	recs(st, &m, 1, f);
	m.rcpt = r2;
	recs(st, &m, 0, f);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_STATE_RELAY_SENDER_MSGS), 2);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_STATE_RELAY_SENDER_RCPTS), 4);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_STATE_RELAY_SENDER_UNIQUE), 3);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_STATE_RELAY_ORG_DAY), 4);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_STATE_RELAY_ORG_PEAK), 4);
	now_s += 601;
	recs(st, &m, 0, f);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_STATE_RELAY_ORG_PEAK), 2);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_STATE_RELAY_ORG_DAY), 4);
	/* not relaying: unknown, never zero */
	m.relay = 0;
	recs(st, &m, 0, f);
	ck_assert(!pf_fact_known(f, PF_F_STATE_RELAY_SENDER_MSGS));
	ck_assert(!pf_fact_known(f, PF_F_STATE_ACCOUNT_MSGS));
	/* through smtp.gmail.com as an account: its messages, recipients */
	m.account = s;
	m.times = 3;
	recs(st, &m, 1, f);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_STATE_ACCOUNT_MSGS), 4);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_STATE_ACCOUNT_RCPTS), 8);
	pf_facts_free(f);
	pf_state_free(st);
}
END_TEST

/* assert_unknown - every state fact unknown, for a reason naming why */
static void
assert_unknown(const struct pf_facts *f, const char *why)
{
	int id;

	for (id = PF_F_STATE_RCPT_MINUTE; id <= PF_F_STATE_ACCOUNT_RCPTS;
	    id++) {
		ck_assert_msg(!pf_fact_known(f, id), "%s is known",
		    pf_fact_name(id));
		ck_assert_msg(strstr(pf_fact_why(f, id), why) != NULL,
		    "%s: \"%s\" lacks \"%s\"", pf_fact_name(id),
		    pf_fact_why(f, id), why);
	}
}

/* read_all - read the facts of a plain message */
static void
read_all(struct pf_state *st, struct pf_facts *f)
{
	const char *r[1] = { "x@gmail.com" };
	struct pf_state_msg m;
	struct pf_state_memo memo;

	memset(&m, 0, sizeof(m));
	m.rcpt = r;
	m.nrcpt = 1;
	m.org = "example.com";
	m.msgid = "<a@b>";
	m.sender = "s@example.com";
	m.relay = 1;
	m.account = "sender@example.com";
	pf_facts_reset(f);
	pf_state_read(st, &m, f, &memo);
	ck_assert_int_eq(memo.read, 0);
}

START_TEST(test_none)
{
	struct pf_facts *f = pf_facts_new();

	read_all(NULL, f);
	assert_unknown(f, "State none");
	pf_facts_free(f);
}
END_TEST

START_TEST(test_lmdb_corrupt)
{
	struct pf_state *st;
	struct pf_state_spec s;
	struct pf_facts *f = pf_facts_new();
	struct pf_err err;
	char path[300], junk[8192];
	int64_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/corrupt", dir);
	memset(junk, 'x', sizeof(junk));
	ck_assert_int_ge(fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600),
	    0);
	ck_assert_int_eq(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	close(fd);
	spec(0, "corrupt", &s);
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(pf_state_new(&s, 0, 500, &st, &err), PF_OK);
	ck_assert_int_eq(pf_state_get(st, "t|x", 60, &n, &err), PF_ETEMP);
	ck_assert_msg(strstr(err.msg, path) != NULL &&
	    strstr(err.msg, "unreachable") != NULL, "%s", err.msg);
	read_all(st, f);
	assert_unknown(f, "unreachable");
	/* within the pause, the next call fails fast and says so */
	ck_assert_int_eq(pf_state_get(st, "t|x", 60, &n, &err), PF_ETEMP);
	ck_assert_msg(strstr(err.msg, "next attempt") != NULL, "%s", err.msg);
	pf_state_free(st);
	pf_facts_free(f);
}
END_TEST

START_TEST(test_lmdb_unreadable)
{
	struct pf_state *st;
	struct pf_state_spec s;
	struct pf_err err;
	char path[300], why[300];
	int64_t n;
	int fd;

	/* the directory of the file is a plain file: no one can open it */
	snprintf(path, sizeof(path), "%s/plain", dir);
	ck_assert_int_ge(fd = open(path, O_CREAT | O_WRONLY, 0600), 0);
	close(fd);
	snprintf(path, sizeof(path), "lmdb:%s/plain/state", dir);
	ck_assert_int_eq(pf_state_spec_parse(path, &s, why, sizeof(why)), 0);
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(pf_state_new(&s, 0, 500, &st, &err), PF_OK);
	ck_assert_int_eq(pf_state_get(st, "t|x", 60, &n, &err), PF_ETEMP);
	ck_assert_msg(strstr(err.msg, "Not a directory") != NULL, "%s",
	    err.msg);
	pf_state_free(st);
	if (getuid() != 0) {
		/* a file the user may not read */
		spec(0, "noperm", &s);
		st = open_store(0, "noperm");
		add(st, "t|x", 60, 1);
		pf_state_free(st);
		snprintf(path, sizeof(path), "%s/noperm", dir);
		ck_assert_int_eq(chmod(path, 0), 0);
		ck_assert_int_eq(pf_state_new(&s, 0, 500, &st, &err), PF_OK);
		ck_assert_int_eq(pf_state_get(st, "t|x", 60, &n, &err),
		    PF_ETEMP);
		ck_assert_msg(strstr(err.msg, "ermission") != NULL, "%s",
		    err.msg);
		pf_state_free(st);
	}
}
END_TEST

START_TEST(test_lmdb_readonly_absent)
{
	struct pf_state *st;
	struct pf_state_spec s;
	struct pf_err err;
	struct stat sb;
	char path[300];
	int64_t n = -1;

	spec(0, "absent", &s);
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(pf_state_new(&s, 1, 500, &st, &err), PF_OK);
	ck_assert_int_eq(pf_state_get(st, "t|x", 60, &n, &err), PF_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(pf_state_add(st, "t|x", 60, 1, &err), PF_EINVAL);
	snprintf(path, sizeof(path), "%s/absent", dir);
	ck_assert_int_ne(stat(path, &sb), 0);	/* nothing created */
	pf_state_free(st);
}
END_TEST

/* reading a store whose file does not exist creates nothing; the first
 * write does, and another process's file is found when it appears */
START_TEST(test_lmdb_created_by_write)
{
	struct pf_state *st = open_store(0, "lazy"), *other;
	struct stat sb;
	char path[300];

	snprintf(path, sizeof(path), "%s/lazy", dir);
	now_s = 60000;
	ck_assert_int_eq(get(st, "t|x", 60), 0);
	ck_assert_int_ne(stat(path, &sb), 0);
	other = open_store(0, "lazy");
	ck_assert_int_eq(get(other, "t|x", 60), 0);
	add(st, "t|x", 60, 2);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(get(other, "t|x", 60), 2);
	pf_state_free(other);
	pf_state_free(st);
}
END_TEST

START_TEST(test_redis_stopped)
{
	struct redistest r;
	struct pf_state *st;
	struct pf_state_spec s;
	struct pf_facts *f = pf_facts_new();
	struct pf_err err;
	char text[100], why[200];
	int64_t n;

	ck_assert_msg(redistest_start(&r, NULL) == 0, "redis-server");
	snprintf(text, sizeof(text), "redis://127.0.0.1:%u", r.port);
	ck_assert_int_eq(pf_state_spec_parse(text, &s, why, sizeof(why)), 0);
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(pf_state_new(&s, 0, 500, &st, &err), PF_OK);
	ck_assert_int_eq(pf_state_add(st, "t|x", 60, 2, &err), PF_OK);
	ck_assert_int_eq(pf_state_get(st, "t|x", 60, &n, &err), PF_OK);
	ck_assert_int_eq(n, 2);
	redistest_stop(&r);
	ck_assert_int_eq(pf_state_get(st, "t|x", 60, &n, &err), PF_ETEMP);
	ck_assert_msg(strstr(err.msg, "unreachable") != NULL &&
	    strstr(err.msg, "redis") != NULL, "%s", err.msg);
	read_all(st, f);
	assert_unknown(f, "unreachable");
	pf_state_free(st);
	/* and one that was never there */
	ck_assert_int_eq(pf_state_new(&s, 0, 500, &st, &err), PF_OK);
	ck_assert_int_eq(pf_state_get(st, "t|x", 60, &n, &err), PF_ETEMP);
	ck_assert_msg(strstr(err.msg, "connect") != NULL, "%s", err.msg);
	pf_state_free(st);
	pf_facts_free(f);
}
END_TEST

/* Redis restarts between two messages: the pooled connection is dead,
 * and the next read goes through on a new one */
START_TEST(test_redis_restart)
{
	struct redistest r;
	struct pf_state *st;
	struct pf_state_spec s;
	struct pf_err err;
	char text[100], why[200];
	unsigned port;
	int64_t n = -1;

	ck_assert_msg(redistest_start(&r, NULL) == 0, "redis-server");
	port = r.port;
	snprintf(text, sizeof(text), "redis://127.0.0.1:%u", port);
	ck_assert_int_eq(pf_state_spec_parse(text, &s, why, sizeof(why)), 0);
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(pf_state_new(&s, 0, 500, &st, &err), PF_OK);
	ck_assert_int_eq(pf_state_add(st, "t|x", 60, 2, &err), PF_OK);
	redistest_stop(&r);
	ck_assert_msg(redistest_start_on(&r, NULL, port) == 0, "restart");
	ck_assert_msg(pf_state_get(st, "t|x", 60, &n, &err) == PF_OK, "%s",
	    err.msg);
	ck_assert_int_eq(n, 0);		/* nothing saved: a new Redis */
	ck_assert_int_eq(pf_state_add(st, "t|x", 60, 1, &err), PF_OK);
	ck_assert_int_eq(pf_state_get(st, "t|x", 60, &n, &err), PF_OK);
	ck_assert_int_eq(n, 1);
	pf_state_free(st);
	redistest_stop(&r);
}
END_TEST

START_TEST(test_redis_auth)
{
	struct redistest r;
	struct pf_state *st;
	struct pf_state_spec s;
	struct pf_err err;
	char text[100], why[200];
	int64_t n;

	ck_assert_msg(redistest_start(&r, "s3cret") == 0, "redis-server");
	snprintf(text, sizeof(text), "redis://:s3cret@127.0.0.1:%u/3",
	    r.port);
	ck_assert_int_eq(pf_state_spec_parse(text, &s, why, sizeof(why)), 0);
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(pf_state_new(&s, 0, 500, &st, &err), PF_OK);
	ck_assert_msg(pf_state_add(st, "t|x", 60, 2, &err) == PF_OK, "%s",
	    err.msg);
	ck_assert_int_eq(pf_state_get(st, "t|x", 60, &n, &err), PF_OK);
	ck_assert_int_eq(n, 2);
	pf_state_free(st);
	snprintf(text, sizeof(text), "redis://:wrong@127.0.0.1:%u/3", r.port);
	ck_assert_int_eq(pf_state_spec_parse(text, &s, why, sizeof(why)), 0);
	ck_assert_int_eq(pf_state_new(&s, 0, 500, &st, &err), PF_OK);
	ck_assert_int_eq(pf_state_get(st, "t|x", 60, &n, &err), PF_ETEMP);
	ck_assert_msg(strstr(err.msg, "AUTH") != NULL, "%s", err.msg);
	ck_assert_ptr_null(strstr(err.msg, "wrong"));	/* no password */
	pf_state_free(st);
	redistest_stop(&r);
}
END_TEST

/* a batch of writes sent without waiting is there for the next read */
START_TEST(test_redis_deferred)
{
	struct pf_state *st = open_store(1, "");
	struct pf_state_op ops[3];
	struct pf_err err;
	char k[64];
	int i;

	key("deferred", k, sizeof(k));
	now_s = 1700000000;
	memset(ops, 0, sizeof(ops));
	for (i = 0; i < 3; i++) {
		ops[i].op = PF_SOP_ADD;
		ops[i].window = 3600;
		ops[i].n = i + 1;
		pf_state_key(&ops[i], "%s", k);
	}
	memset(&err, 0, sizeof(err));
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(pf_state_record(st, ops, 3, &err), PF_OK);
	ck_assert_int_eq(get(st, k, 3600), 600);
	pf_state_free(st);
}
END_TEST

/* a Redis that answers errors: out of memory, writes refused */
START_TEST(test_redis_errors)
{
	struct redistest r;
	struct pf_state *st;
	struct pf_state_spec s;
	struct pf_state_op op;
	struct pf_err err;
	redisContext *c;
	redisReply *rep;
	char text[100], why[200];
	int64_t n;
	int i, rc = PF_OK;

	ck_assert_msg(redistest_start(&r, NULL) == 0, "redis-server");
	snprintf(text, sizeof(text), "redis://127.0.0.1:%u", r.port);
	ck_assert_int_eq(pf_state_spec_parse(text, &s, why, sizeof(why)), 0);
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(pf_state_new(&s, 0, 500, &st, &err), PF_OK);
	ck_assert_int_eq(pf_state_add(st, "t|x", 60, 1, &err), PF_OK);
	c = redisConnect("127.0.0.1", (int)r.port);
	ck_assert(c != NULL && !c->err);
	rep = redisCommand(c, "CONFIG SET maxmemory 1");
	freeReplyObject(rep);
	rep = redisCommand(c, "CONFIG SET maxmemory-policy noeviction");
	freeReplyObject(rep);
	ck_assert_int_eq(pf_state_add(st, "t|y", 60, 1, &err), PF_ETEMP);
	ck_assert_msg(strstr(err.msg, "OOM") != NULL, "%s", err.msg);
	/* reads still work */
	ck_assert_int_eq(pf_state_get(st, "t|x", 60, &n, &err), PF_OK);
	ck_assert_int_eq(n, 1);
	/* a refused write sent without waiting is reported by a later one */
	memset(&op, 0, sizeof(op));
	op.op = PF_SOP_ADD;
	op.window = 60;
	op.n = 1;
	pf_state_key(&op, "t|z");
	for (i = 0; i < 3 && rc == PF_OK; i++) {
		rc = pf_state_record(st, &op, 1, &err);
		if (rc == PF_OK)
			(void)pf_state_get(st, "t|x", 60, &n, &err);
	}
	ck_assert_int_eq(rc, PF_ETEMP);
	ck_assert_msg(strstr(err.msg, "earlier write failed") != NULL &&
	    strstr(err.msg, "OOM") != NULL, "%s", err.msg);
	redisFree(c);
	pf_state_free(st);
	redistest_stop(&r);
}
END_TEST

/* a server that accepts and never answers: StateTimeout bounds the wait */
START_TEST(test_redis_slow)
{
	struct sockaddr_in a;
	struct pf_state *st;
	struct pf_state_spec s;
	struct pf_facts *f = pf_facts_new();
	struct pf_err err;
	socklen_t len = sizeof(a);
	char text[100], why[200];
	struct timespec t0, t1;
	double secs;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(fd, 16), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	snprintf(text, sizeof(text), "redis://127.0.0.1:%u",
	    ntohs(a.sin_port));
	ck_assert_int_eq(pf_state_spec_parse(text, &s, why, sizeof(why)), 0);
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(pf_state_new(&s, 0, 300, &st, &err), PF_OK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	read_all(st, f);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_unknown(f, "unreachable");
	ck_assert_msg(secs >= 0.25 && secs < 2.0, "waited %.2f s", secs);
	pf_state_free(st);
	pf_facts_free(f);
	close(fd);
}
END_TEST

/* a full disk (a file size limit stands in for it): the write fails with
 * a clear error, nothing committed before is lost, the file opens */
START_TEST(test_lmdb_full)
{
	struct pf_state *st;
	struct rlimit rl;
	struct stat sb;
	struct pf_err err;
	char path[300], k[64];
	pid_t pid;
	int status, i;

	snprintf(path, sizeof(path), "%s/full", dir);
	now_s = 50000;
	st = open_store(0, "full");
	add(st, "t|before", 86400, 7);
	pf_state_free(st);
	ck_assert_int_eq(stat(path, &sb), 0);
	if ((pid = fork()) == 0) {
		signal(SIGXFSZ, SIG_IGN);
		rl.rlim_cur = rl.rlim_max = (rlim_t)sb.st_size + 8192;
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(2);
		st = open_store(0, "full");
		for (i = 0; i < 100000; i++) {
			snprintf(k, sizeof(k), "t|fill%d", i);
			memset(&err, 0, sizeof(err));
			if (pf_state_add(st, k, 86400, 1, &err) != PF_OK)
				break;
		}
		pf_state_free(st);
		_exit(i < 100000 && strstr(err.msg, "lmdb:") != NULL &&
		    strstr(err.msg, "File too large") != NULL ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "the full disk was not reported (status %d)", status);
	st = open_store(0, "full");
	ck_assert_int_eq(get(st, "t|before", 86400), 7);
	add(st, "t|before", 86400, 1);
	ck_assert_int_eq(get(st, "t|before", 86400), 8);
	pf_state_free(st);
}
END_TEST

/* hist_event - one outcome learned from the log, at now_s */
static struct pf_hist_event
hist_event(const char *rcpt, const char *rule, int permanent,
    const char *ip, const char *sd, const char *dkim, const char *org)
{
	struct pf_hist_event e;

	memset(&e, 0, sizeof(e));
	e.when = now_s;
	e.queue_id = "Q1";
	e.rcpt = rcpt;
	e.rule = rule;
	e.delivered = rule == NULL;
	e.permanent = permanent;
	e.egress_ip = ip;
	e.sender_domain = sd;
	e.dkim_domains = dkim;
	e.from_org = org;
	return e;
}

/* hist_facts - the hist.* facts of a message to rcpt from these domains
 * through egress IP ip, as a string of 0/1: rcpt no such user, rate, IP
 * rate limited, IP blocked, sender domain rate limited, DKIM domain rate
 * limited, From org rate limited, DKIM 4.7.28, SPF 4.7.28, DKIM blocked */
static void
hist_facts(struct pf_state *st, const char *rcpt, const char *ip,
    const struct pf_hist_who *w, char out[11])
{
	static const int id[10] = { PF_F_HIST_RCPT_NO_SUCH_USER,
	    PF_F_HIST_RCPT_RATE, PF_F_HIST_IP_RATE_LIMITED,
	    PF_F_HIST_IP_BLOCKED, PF_F_HIST_DOMAIN_RATE_LIMITED,
	    PF_F_HIST_DKIM_RATE_LIMITED, PF_F_HIST_ORG_RATE_LIMITED,
	    PF_F_HIST_DKIM_UNUSUAL_RATE, PF_F_HIST_SPF_UNUSUAL_RATE,
	    PF_F_HIST_DKIM_BLOCKED };
	struct pf_facts *f = pf_facts_new();
	const char *r[1] = { rcpt };
	size_t i;

	ck_assert_ptr_nonnull(f);
	pf_fact_strz(f, PF_F_EGRESS_IP, ip);
	pf_hist_read(st, r, 1, w, f);
	for (i = 0; i < 10; i++) {
		ck_assert_msg(pf_fact_known(f, id[i]), "fact %zu unknown", i);
		out[i] = pf_fact_getn(f, id[i]) ? '1' : '0';
	}
	out[10] = '\0';
	pf_facts_free(f);
}

/* redis_ttl_ok - every Redis key matching pattern lives at least lo and at
 * most hi more seconds (-1, -1: none expires); how many there are */
static size_t
redis_ttl_ok(const char *pattern, long long lo, long long hi)
{
	redisContext *c = redisConnect("127.0.0.1", (int)srv.port);
	redisReply *keys, *ttl;
	size_t i, n;

	ck_assert_msg(c != NULL && c->err == 0, "connect to redis");
	keys = redisCommand(c, "KEYS %s", pattern);
	ck_assert_ptr_nonnull(keys);
	ck_assert_int_eq(keys->type, REDIS_REPLY_ARRAY);
	for (i = 0; i < keys->elements; i++) {
		ttl = redisCommand(c, "TTL %s", keys->element[i]->str);
		ck_assert_msg(ttl->integer >= lo && ttl->integer <= hi,
		    "%s: TTL %lld, want %lld..%lld", keys->element[i]->str,
		    ttl->integer, lo, hi);
		freeReplyObject(ttl);
	}
	n = keys->elements;
	freeReplyObject(keys);
	redisFree(c);
	return n;
}

/* the history `preflight learn` keeps (state/hist.c) on both back-ends:
 * the same outcomes give the same hist.* facts and series, kept across a
 * reopening, each ending after its documented time; on Redis the keys
 * themselves carry the expiry of their window */
START_TEST(test_hist)
{
	struct pf_state *st;
	struct pf_hist_event ev[8];
	struct pf_hist_series ser;
	struct pf_hist_who w;
	struct pf_err err;
	char gone[80], busy[80], ip[40], sd[80], dk[80], org[80], dks[200];
	char pat[200], got[11];
	int fresh[8], i;
	int64_t t0 = 1796011921;	/* 2026-11-30 */
	long pid = (long)getpid();

	snprintf(gone, sizeof(gone), "gone.%ld@gmail.com", pid);
	snprintf(busy, sizeof(busy), "busy.%ld@gmail.com", pid);
	snprintf(ip, sizeof(ip), "198.51.%ld.7", pid % 250);
	snprintf(sd, sizeof(sd), "s%ld.example", pid);
	snprintf(dk, sizeof(dk), "d%ld.example", pid);
	snprintf(dks, sizeof(dks), "x%ld.example,%s", pid, dk);
	snprintf(org, sizeof(org), "o%ld.example", pid);
	now_s = t0;
	st = open_store(_i, "hist");
	ev[0] = hist_event(gone, "mailbox-does-not-exist", 1, ip, sd, NULL,
	    NULL);
	ev[1] = hist_event(busy, "recipient-receiving-rate", 0, NULL, NULL,
	    NULL, NULL);
	ev[2] = hist_event("a@gmail.com", "low-ip-reputation-ratelimit", 0, ip,
	    NULL, NULL, NULL);
	ev[3] = hist_event("b@gmail.com", "low-ip-reputation", 1, ip, NULL,
	    NULL, NULL);
	ev[4] = hist_event("c@gmail.com", "low-domain-reputation-deferred", 0,
	    NULL, sd, dks, org);
	ev[5] = hist_event("d@gmail.com", "unusual-rate-dkim-domain", 0, NULL,
	    sd, dk, org);
	ev[6] = hist_event("e@gmail.com", "unusual-rate-spf-domain", 0, NULL,
	    sd, dk, org);
	ev[7] = hist_event("f@gmail.com", NULL, 0, NULL, sd, dk, org);
	memset(&err, 0, sizeof(err));
	ck_assert_msg(pf_hist_record(st, ev, 8, fresh, &err) == PF_OK, "%s",
	    err.msg);
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(fresh[i], 1);
	ck_assert_int_eq(pf_hist_record(st, ev, 8, fresh, &err), PF_OK);
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(fresh[i], 0);	/* each counted once */
	pf_state_free(st);

	/* kept: a new handle on the same store reads it back */
	st = open_store(_i, "hist");
	w.sender_domain = sd;
	w.dkim_domains = dk;
	w.from_org = org;
	hist_facts(st, gone, ip, &w, got);
	ck_assert_str_eq(got, "1011111110");
	hist_facts(st, busy, ip, &w, got);
	ck_assert_str_eq(got, "0111111110");
	w.dkim_domains = w.from_org = NULL;	/* false, not unknown */
	hist_facts(st, "n@gmail.com", "203.0.113.1", &w, got);
	ck_assert_str_eq(got, "0000100010");
	ck_assert_int_eq(pf_hist_series(st, 0, t0 / 86400, 1, 8, &ser, &err),
	    PF_OK);
	for (i = 0; i < (int)ser.nsd && strcmp(ser.sd[i].key, sd) != 0; i++)
		;
	ck_assert_msg(i < (int)ser.nsd, "%s has no series", sd);
	ck_assert_int_eq(ser.sd[i].total, 5);
	ck_assert_int_eq(ser.sd[i].n[0], 1);		/* delivered */
	ck_assert_int_eq(ser.sd[i].n[1 + PF_H_DOMAIN], 3);
	ck_assert_int_eq(ser.sd[i].n[1 + PF_H_NOUSER], 1);
	for (i = 0; i < (int)ser.nip && strcmp(ser.ip[i].key, ip) != 0; i++)
		;
	ck_assert_msg(i < (int)ser.nip, "%s has no series", ip);
	ck_assert_int_eq(ser.ip[i].n[1 + PF_H_IP], 2);
	pf_hist_series_free(&ser);
	ck_assert_int_eq(pf_hist_series(st, 1, t0 / 3600, 1, 8, &ser, &err),
	    PF_OK);
	ck_assert_int_ge(ser.nsd, 1);
	pf_hist_series_free(&ser);
	if (_i == 1) {
		/* the keys Redis drops by itself: a reputation window, its
		 * length and one bucket at most; a day of the series, 400 */
		snprintf(pat, sizeof(pat), "pf:hist.ip.%s.t@*", ip);
		ck_assert_uint_eq(redis_ttl_ok(pat, 3000, 3600 + 300), 1);
		snprintf(pat, sizeof(pat), "pf:hist.ip.%s.p@*", ip);
		ck_assert_uint_eq(redis_ttl_ok(pat, 80000, 86400 + 7200), 1);
		snprintf(pat, sizeof(pat), "pf:hist.dk428.%s@*", dk);
		ck_assert_uint_eq(redis_ttl_ok(pat, 3000, 3600 + 300), 1);
		snprintf(pat, sizeof(pat), "pf:hist.ts.d.*.s.%s.*", sd);
		ck_assert_uint_ge(redis_ttl_ok(pat, 399LL * 86400,
		    434LL * 86400), 3);
		snprintf(pat, sizeof(pat), "pf:hist.ts.h.*.i.%s.*", ip);
		ck_assert_uint_ge(redis_ttl_ok(pat, 13LL * 86400,
		    16LL * 86400), 1);
		/* the marks of a recipient never expire, as in LMDB */
		ck_assert_uint_ge(redis_ttl_ok("pf:hist.r.*", -1, -1), 2);
	}

	/* an hour later: the 4xx windows are over */
	now_s = t0 + 3601;
	w.dkim_domains = dk;
	w.from_org = org;
	hist_facts(st, gone, ip, &w, got);
	ck_assert_str_eq(got, "1001000000");
	/* a day later: the 5xx windows and the receiving rate too; a 5.1.1
	 * stays until a delivery */
	now_s = t0 + 86401;
	hist_facts(st, busy, ip, &w, got);
	ck_assert_str_eq(got, "0000000000");
	hist_facts(st, gone, ip, &w, got);
	ck_assert_str_eq(got, "1000000000");
	ev[0] = hist_event(gone, NULL, 0, NULL, sd, NULL, NULL);
	ev[0].when = now_s;
	ck_assert_int_eq(pf_hist_record(st, ev, 1, fresh, &err), PF_OK);
	hist_facts(st, gone, ip, &w, got);
	ck_assert_str_eq(got, "0000000000");
	/* 401 days later the day's series is gone */
	now_s = t0 + 401LL * 86400;
	ck_assert_int_eq(pf_hist_series(st, 0, t0 / 86400, 1, 8, &ser, &err),
	    PF_OK);
	for (i = 0; i < (int)ser.nsd; i++)
		ck_assert_str_ne(ser.sd[i].key, sd);
	pf_hist_series_free(&ser);
	pf_state_free(st);
}
END_TEST

static Suite *
state_suite(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("store");

	tcase_add_unchecked_fixture(tc, suite_up, suite_down);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_window_minute, 0, 2);
	tcase_add_loop_test(tc, test_window_hour, 0, 2);
	tcase_add_loop_test(tc, test_marks, 0, 2);
	tcase_add_loop_test(tc, test_scan, 0, 2);
	tcase_add_loop_test(tc, test_hash, 0, 2);
	tcase_add_loop_test(tc, test_processes, 0, 2);
	tcase_add_loop_test(tc, test_threads, 0, 2);
	tcase_add_test(tc, test_expire);
	tcase_add_loop_test(tc, test_strings, 0, 2);
	tcase_add_loop_test(tc, test_count_rcpt_msgid, 0, 2);
	tcase_add_loop_test(tc, test_count_bulk, 0, 2);
	tcase_add_loop_test(tc, test_count_relay, 0, 2);
	tcase_add_loop_test(tc, test_hist, 0, 2);
	tcase_add_test(tc, test_none);
	tcase_add_test(tc, test_lmdb_corrupt);
	tcase_add_test(tc, test_lmdb_unreadable);
	tcase_add_test(tc, test_lmdb_readonly_absent);
	tcase_add_test(tc, test_lmdb_created_by_write);
	tcase_add_test(tc, test_redis_stopped);
	tcase_add_test(tc, test_redis_auth);
	tcase_add_test(tc, test_redis_restart);
	tcase_add_test(tc, test_redis_deferred);
	tcase_add_test(tc, test_redis_errors);
	tcase_add_test(tc, test_redis_slow);
	tcase_add_test(tc, test_lmdb_full);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return pf_test_run(state_suite());
}
