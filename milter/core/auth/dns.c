/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns.c - the resolver layer every DNS-using module goes through.  It owns
 * one libunbound context (threaded mode, shared by all threads), points it
 * at the configured forwarder or the system resolv.conf, and turns every
 * reply into one of four outcomes: answer, no data, NXDOMAIN or temporary
 * failure.  A query runs asynchronously under our own deadline (the smaller
 * of the per-query timeout and what is left of the message budget); when
 * it passes, the query is cancelled and the outcome is TEMPFAIL, never "no
 * record".  Caching is libunbound's own: it honours record TTLs and caches
 * NXDOMAIN / NODATA for the SOA minimum (RFC 2308), and is thread-safe.
 * One pump thread per context (started with the first lookup, so after
 * any fork) delivers every answer; a waiting query sleeps on a condition
 * variable until its answer or its deadline.  pf_dns_prefetch starts a
 * lookup nobody waits for: its answer only fills the cache, so that the
 * query made for it later (at end of message) finds it there, or joins
 * it while still in flight.  Answers a query waited for are also kept in
 * a small memo of the context's own (ANS_SLOTS, each for its TTL capped
 * at ANS_TTL_MAX), so that a repeated lookup is answered in the calling
 * thread: a lookup through libunbound, even from its cache, hands off to
 * its worker thread and back through the pump, three wake-ups that a
 * loaded machine can stretch to milliseconds.  A prefetch may carry a
 * follow-up function
 * (pf_dns_prefetch_chain): the pump hands it the answer, and it starts
 * the lookups that answer leads to, within the chain's allowance.
 * Input trusted: nothing from the network beyond what libunbound parsed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <unbound.h>

#include "auth/dns.h"
#include "base/net.h"

/*
 * libunbound answers these zones itself (RFC 6303, RFC 6761, RFC 5737
 * reverse zones) with NXDOMAIN, before any forwarder sees the query.  Real
 * deployments never need its local answers (the upstream resolver has the
 * same data), and the test zones live under them, so switch them off.
 * ub_ctx_set_option("local-zone:") is silently ignored in 1.17; only a
 * config file read with ub_ctx_config() works.
 */
static const char *nodefault_zones[] = {
	"test.", "invalid.", "example.", "localhost.", "onion.", "home.arpa.",
	"2.0.192.in-addr.arpa.", "100.51.198.in-addr.arpa.",
	"113.0.203.in-addr.arpa.", "8.b.d.0.1.0.0.2.ip6.arpa.",
};

/* prefetches in flight at once, over every message: beyond it, skipped */
#define PREFETCH_MAX	512

#define ANS_SLOTS	1024	/* answers memoised (one per slot) */
#define ANS_TTL_MAX	300	/* s: at most this long, at most the TTL */
#define ANS_NAME	256

/* one memoised answer */
struct memo {
	char		 name[ANS_NAME];
	int		 type;
	uint64_t	 expires;	/* monotonic ms */
	struct pf_dns_result res;
};

struct pf_dns {
	struct ub_ctx	*ctx;
	unsigned	 query_ms;
	pthread_mutex_t	 mu;	/* guards the done flags, pumping */
	pthread_cond_t	 cv;	/* an answer was delivered */
	int		 pumping;	/* the pump thread runs */
	pthread_t	 pump;
	int		 wake[2];	/* pf_dns_free stops the pump */
	atomic_int	 prefetching;	/* prefetches in flight */
	pthread_mutex_t	 fmu;		/* guards fetches */
	struct fetch	*fetches;	/* in flight, freed with the context */
	pthread_mutex_t	 amu;		/* guards memo */
	struct memo	*memo[ANS_SLOTS];
};

/* the lookups one prefetch led to, and may still lead to */
struct pf_dns_chain {
	pf_dns_follow_fn *fn;
	unsigned	 flags;
	atomic_int	 left;	/* further lookups allowed */
	atomic_int	 refs;	/* prefetches of the chain in flight */
};

/* one prefetch in flight */
struct fetch {
	struct pf_dns	*dns;
	struct pf_dns_chain *chain;	/* NULL: nothing follows */
	struct fetch	*prev, *next;	/* the context's list */
};

struct pending {
	struct pf_dns	*dns;
	int		 done;
	int		 err;
	struct ub_result *r;
};

/* now_ms - monotonic clock in milliseconds */
static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* parse_forwarder - "host[:port]", "[v6]:port" or bare v6 -> "addr@port" */
static int
parse_forwarder(const char *ns, char *out, size_t len, struct pf_err *err)
{
	char host[PF_HOST_MAX];
	unsigned port = 53;
	struct pf_err e;
	int n;

	if (pf_hostport(ns, host, &port, &e) != PF_OK)
		return pf_err_set(err, PF_ESYNTAX, "nameserver %s: %s", ns,
		    e.msg);
	n = snprintf(out, len, "%s@%u", host, port);
	if (n < 0 || (size_t)n >= len)
		return pf_err_set(err, PF_ESYNTAX, "nameserver %s: too long",
		    ns);
	return PF_OK;
}

/* write_conf - the generated config that switches the local zones off */
static int
write_conf(struct ub_ctx *ctx, struct pf_err *err)
{
	char path[256];
	const char *tmp = getenv("TMPDIR");
	FILE *f;
	size_t i;
	int fd, rc;

	if (tmp == NULL || *tmp == '\0' || strlen(tmp) > 200)
		tmp = "/tmp";
	snprintf(path, sizeof(path), "%s/pf-unbound-XXXXXX", tmp);
	if ((fd = mkstemp(path)) < 0)
		return pf_err_set(err, PF_EIO, "%s: %s", path,
		    strerror(errno));
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(path);
		return pf_err_set(err, PF_ENOMEM, "fdopen: %s",
		    strerror(errno));
	}
	fputs("server:\n", f);
	for (i = 0; i < PF_NELEM(nodefault_zones); i++)
		fprintf(f, "\tlocal-zone: \"%s\" nodefault\n",
		    nodefault_zones[i]);
	if (fclose(f) != 0) {
		unlink(path);
		return pf_err_set(err, PF_EIO, "%s: write failed", path);
	}
	rc = ub_ctx_config(ctx, path);
	unlink(path);
	if (rc != 0)
		return pf_err_set(err, PF_EINVAL, "unbound config: %s",
		    ub_strerror(rc));
	return PF_OK;
}

/* cv_init - the lock, the monotonic condition variable, the wake pipe */
static int
cv_init(struct pf_dns *d)
{
	pthread_condattr_t ca;

	if (pipe(d->wake) != 0)
		return -1;
	(void)fcntl(d->wake[0], F_SETFD, FD_CLOEXEC);
	(void)fcntl(d->wake[1], F_SETFD, FD_CLOEXEC);
	pthread_mutex_init(&d->mu, NULL);
	pthread_mutex_init(&d->fmu, NULL);
	pthread_mutex_init(&d->amu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&d->cv, &ca);
	pthread_condattr_destroy(&ca);
	return 0;
}

/* pump - deliver every answer as it arrives, until pf_dns_free */
static void *
pump(void *arg)
{
	struct pf_dns *d = arg;
	struct pollfd pfd[2];

	pfd[0].fd = ub_fd(d->ctx);
	pfd[1].fd = d->wake[0];
	pfd[0].events = pfd[1].events = POLLIN;
	for (;;) {
		pfd[0].revents = pfd[1].revents = 0;
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			usleep(1000);
		if (pfd[1].revents != 0)
			return NULL;
		if (pfd[0].revents != 0 && ub_process(d->ctx) != 0)
			usleep(1000);
	}
}

/* pump_start - the pump thread, once: 0 when it runs */
static int
pump_start(struct pf_dns *d)
{
	int rc = 0;

	pthread_mutex_lock(&d->mu);
	if (!d->pumping) {
		if (pthread_create(&d->pump, NULL, pump, d) == 0)
			d->pumping = 1;
		else
			rc = -1;
	}
	pthread_mutex_unlock(&d->mu);
	return rc;
}

/* pf_dns_new - set up the libunbound context */
int
pf_dns_new(const char *nameserver, unsigned query_ms, struct pf_dns **out,
    struct pf_err *err)
{
	struct pf_dns *d;
	char fwd[PF_HOST_MAX + 16];
	int rc;

	*out = NULL;
	if (nameserver != NULL && *nameserver != '\0' &&
	    parse_forwarder(nameserver, fwd, sizeof(fwd), err) != PF_OK)
		return err->status;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return pf_err_set(err, PF_ENOMEM, "out of memory");
	d->query_ms = query_ms ? query_ms : PF_DNS_QUERY_MS;
	d->wake[0] = d->wake[1] = -1;
	if (cv_init(d) != 0) {
		free(d);
		return pf_err_set(err, PF_ENOMEM, "resolver: %s",
		    strerror(errno));
	}
	if ((d->ctx = ub_ctx_create()) == NULL) {
		pf_dns_free(d);
		return pf_err_set(err, PF_ENOMEM, "ub_ctx_create failed");
	}
	/* threads, not a forked worker: the cache must live in-process */
	if ((rc = ub_ctx_async(d->ctx, 1)) != 0 ||
	    (rc = ub_ctx_set_option(d->ctx, "do-not-query-localhost:",
	    "no")) != 0)
		goto uberr;
	if (write_conf(d->ctx, err) != PF_OK) {
		pf_dns_free(d);
		return err->status;
	}
	if (nameserver != NULL && *nameserver != '\0')
		rc = ub_ctx_set_fwd(d->ctx, fwd);
	else
		rc = ub_ctx_resolvconf(d->ctx, NULL);
	if (rc != 0)
		goto uberr;
	*out = d;
	return PF_OK;
uberr:
	pf_dns_free(d);
	return pf_err_set(err, PF_EINVAL, "resolver setup: %s",
	    ub_strerror(rc));
}

static void fetches_free(struct pf_dns *);
static void memo_free(struct pf_dns *);

/* pf_dns_free - stop the pump, release the context; NULL is a no-op */
void
pf_dns_free(struct pf_dns *d)
{
	if (d == NULL)
		return;
	if (d->pumping) {
		(void)write(d->wake[1], "x", 1);
		pthread_join(d->pump, NULL);
	}
	if (d->ctx != NULL)
		ub_ctx_delete(d->ctx);
	fetches_free(d);
	memo_free(d);
	close(d->wake[0]);
	close(d->wake[1]);
	pthread_cond_destroy(&d->cv);
	pthread_mutex_destroy(&d->mu);
	pthread_mutex_destroy(&d->fmu);
	pthread_mutex_destroy(&d->amu);
	free(d);
}

/* pf_dns_budget_init - a deadline ms from now */
void
pf_dns_budget_init(struct pf_dns_budget *b, unsigned ms)
{
	b->deadline = now_ms() + (ms ? ms : PF_DNS_MESSAGE_MS);
	b->nodns = 0;
}

/* pf_dns_result_reset - free what a result owns */
void
pf_dns_result_reset(struct pf_dns_result *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->rdata[i]);
	free(r->packet);
	memset(r, 0, sizeof(*r));
}

/* done_cb - libunbound delivers an answer (in whichever thread processes) */
static void
done_cb(void *arg, int err, struct ub_result *r)
{
	struct pending *p = arg;

	pthread_mutex_lock(&p->dns->mu);
	p->err = err;
	p->r = r;
	p->done = 1;
	pthread_cond_broadcast(&p->dns->cv);
	pthread_mutex_unlock(&p->dns->mu);
}

/* tempfail - a TEMPFAIL outcome: the reason, and for people what failed
 * (NULL: the reason's own text) looking up what */
static void
tempfail(struct pf_dns_result *res, enum pf_undecided why, const char *what,
    const char *name)
{
	res->rc = PF_DNS_TEMPFAIL;
	res->undec = why;
	snprintf(res->why, sizeof(res->why), "%s looking up %s %s",
	    what != NULL ? what : pf_undecided_text(why),
	    pf_dns_type_name(res->type), name);
}

/* sleep_until - wait for p's answer up to the monotonic ms deadline;
 * returns whether it came */
static int
sleep_until(struct pf_dns *d, struct pending *p, uint64_t deadline)
{
	struct timespec ts;
	int done;

	ts.tv_sec = (time_t)(deadline / 1000);
	ts.tv_nsec = (long)(deadline % 1000) * 1000000L;
	pthread_mutex_lock(&d->mu);
	while (!p->done &&
	    pthread_cond_timedwait(&d->cv, &d->mu, &ts) == 0)
		;
	done = p->done;
	pthread_mutex_unlock(&d->mu);
	return done;
}

/*
 * wait_for - sleep until the query's answer or the deadline.  0 =
 * answered, 1 = timed out and cancelled, 2 = timed out and the callback
 * may still run: the caller must then leave p alone (a small leak, not a
 * crash).
 */
static int
wait_for(struct pf_dns *d, struct pending *p, int id, uint64_t deadline)
{
	if (sleep_until(d, p, deadline))
		return 0;
	/* cancelled: the callback will never run */
	if (ub_cancel(d->ctx, id) == 0)
		return 1;
	/* else the answer is already on its way: collect it */
	return sleep_until(d, p, now_ms() + 2000) ? 0 : 2;
}

/* copy_result - take what we keep from a libunbound result */
static int
copy_result(struct ub_result *r, struct pf_dns_result *res)
{
	size_t i;

	res->ttl = r->ttl > 0 ? (unsigned)r->ttl : 0;
	for (i = 0; r->havedata && r->data[i] != NULL &&
	    i < PF_DNS_MAX_RR; i++) {
		if ((res->rdata[i] = malloc(r->len[i] ? r->len[i] : 1))
		    == NULL)
			return PF_ENOMEM;
		memcpy(res->rdata[i], r->data[i], r->len[i]);
		res->rlen[i] = r->len[i];
		res->n = i + 1;
	}
	if (r->answer_packet != NULL && r->answer_len > 0) {
		if ((res->packet = malloc(r->answer_len)) == NULL)
			return PF_ENOMEM;
		memcpy(res->packet, r->answer_packet, r->answer_len);
		res->plen = r->answer_len;
	}
	return PF_OK;
}

/* ub_error - the reason for a libunbound error code: its own failures
 * (memory, sockets, threads) are ours; what a server sent is not */
static enum pf_undecided
ub_error(int err)
{
	switch (err) {
	case UB_NOMEM:
		return PF_U_NO_MEMORY;
	case UB_SERVFAIL:
		return PF_U_SERVER_FAILURE;
	default:
		return PF_U_INTERNAL;
	}
}

/* valid_name - short enough for DNS: 253 octets, labels of 1..63 */
static int
valid_name(const char *name)
{
	size_t len = strlen(name), lab = 0, i;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return 0;
	for (i = 0; i < len; i++) {
		if (name[i] == '.') {
			if (lab == 0)
				return 0;
			lab = 0;
		} else if (++lab > 63)
			return 0;
	}
	return lab > 0;
}

/* take_result - libunbound's answer to a finished query into res */
static int
take_result(const struct pending *p, const char *name,
    struct pf_dns_result *res)
{
	int status = PF_OK;

	if (p->err != 0 || p->r == NULL)
		tempfail(res, ub_error(p->err), ub_strerror(p->err), name);
	else if (p->r->bogus)
		tempfail(res, PF_U_SERVER_FAILURE, "DNSSEC validation failure",
		    name);
	else if (p->r->rcode == 3)
		res->rc = PF_DNS_NXDOMAIN;
	else if (p->r->rcode != 0)
		tempfail(res, PF_U_SERVER_FAILURE, p->r->rcode == 5 ?
		    "DNS refused" : NULL, name);
	else {
		res->rc = p->r->havedata ? PF_DNS_ANSWER : PF_DNS_NODATA;
		status = copy_result(p->r, res);
		if (status == PF_OK && res->rc == PF_DNS_ANSWER && res->n == 0)
			res->rc = PF_DNS_NODATA;
	}
	if (p->r != NULL && res->rc != PF_DNS_TEMPFAIL && res->ttl == 0)
		res->ttl = (unsigned)(p->r->ttl > 0 ? p->r->ttl : 0);
	return status;
}

/* result_copy - a deep copy of src into dst; PF_ENOMEM leaves dst empty */
static int
result_copy(struct pf_dns_result *dst, const struct pf_dns_result *src)
{
	size_t i;

	*dst = *src;
	dst->n = 0;
	dst->packet = NULL;
	dst->plen = 0;
	for (i = 0; i < src->n; i++) {
		if ((dst->rdata[i] = malloc(src->rlen[i] ? src->rlen[i] : 1))
		    == NULL)
			goto fail;
		memcpy(dst->rdata[i], src->rdata[i], src->rlen[i]);
		dst->n = i + 1;
	}
	if (src->packet != NULL) {
		if ((dst->packet = malloc(src->plen)) == NULL)
			goto fail;
		memcpy(dst->packet, src->packet, src->plen);
		dst->plen = src->plen;
	}
	return PF_OK;
fail:
	pf_dns_result_reset(dst);
	return PF_ENOMEM;
}

/* memo_slot - where name/type is memoised (FNV-1a, case-insensitive) */
static size_t
memo_slot(const char *name, int type)
{
	uint32_t h = 2166136261u ^ (uint32_t)type;
	const char *p;

	for (p = name; *p != '\0'; p++)
		h = (h ^ (unsigned char)(*p | 0x20)) * 16777619u;
	return h % ANS_SLOTS;
}

/* memo_get - the memoised answer for name/type into res (NULL: only
 * whether there is one); 1 if found */
static int
memo_get(struct pf_dns *d, const char *name, int type,
    struct pf_dns_result *res)
{
	size_t k = memo_slot(name, type);
	uint64_t now = now_ms();
	struct memo *m;
	int found = 0;

	pthread_mutex_lock(&d->amu);
	m = d->memo[k];
	if (m != NULL && m->type == type && m->expires > now &&
	    strcasecmp(m->name, name) == 0 &&
	    (res == NULL || result_copy(res, &m->res) == PF_OK)) {
		if (res != NULL)
			res->ttl = (unsigned)((m->expires - now + 999) / 1000);
		found = 1;
	}
	pthread_mutex_unlock(&d->amu);
	return found;
}

/* memo_put - keep an answer (not a failure) for its TTL */
static void
memo_put(struct pf_dns *d, const char *name, const struct pf_dns_result *res)
{
	struct memo *m, *old;
	size_t k;

	if (res->rc == PF_DNS_TEMPFAIL || res->ttl == 0 ||
	    strlen(name) >= ANS_NAME || (m = malloc(sizeof(*m))) == NULL)
		return;
	if (result_copy(&m->res, res) != PF_OK) {
		free(m);
		return;
	}
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->type = res->type;
	m->expires = now_ms() + 1000ull *
	    (res->ttl < ANS_TTL_MAX ? res->ttl : ANS_TTL_MAX);
	k = memo_slot(name, res->type);
	pthread_mutex_lock(&d->amu);
	old = d->memo[k];
	d->memo[k] = m;
	pthread_mutex_unlock(&d->amu);
	if (old != NULL) {
		pf_dns_result_reset(&old->res);
		free(old);
	}
}

/* memo_free - every memoised answer */
static void
memo_free(struct pf_dns *d)
{
	size_t k;

	for (k = 0; k < ANS_SLOTS; k++)
		if (d->memo[k] != NULL) {
			pf_dns_result_reset(&d->memo[k]->res);
			free(d->memo[k]);
			d->memo[k] = NULL;
		}
}

/* lookup - one lookup under the query timeout and message budget */
static int
lookup(struct pf_dns *d, const char *name, int type,
    struct pf_dns_budget *b, struct pf_dns_result *res)
{
	struct pending *p;
	uint64_t deadline, now = now_ms();
	int id, rc, status, by_budget = 0;

	memset(res, 0, sizeof(*res));
	res->type = type;
	if ((b != NULL && b->nodns) || d == NULL) {
		res->rc = PF_DNS_TEMPFAIL;
		res->undec = PF_U_NO_DNS;
		pf_strcopy(res->why, sizeof(res->why),
		    pf_undecided_text(PF_U_NO_DNS));
		return PF_OK;
	}
	if (!valid_name(name)) {
		res->rc = PF_DNS_NXDOMAIN;
		return PF_OK;
	}
	if (memo_get(d, name, type, res))
		return PF_OK;
	deadline = now + d->query_ms;
	if (b != NULL && b->deadline != 0 && b->deadline < deadline) {
		deadline = b->deadline;
		by_budget = 1;
	}
	if (deadline <= now) {
		tempfail(res, PF_U_BUDGET,
		    "DNS time budget for the message spent before", name);
		return PF_OK;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		res->rc = PF_DNS_TEMPFAIL;
		res->undec = PF_U_NO_MEMORY;
		snprintf(res->why, sizeof(res->why), "%s",
		    pf_undecided_text(PF_U_NO_MEMORY));
		return PF_ENOMEM;
	}
	p->dns = d;
	if (pump_start(d) != 0) {
		free(p);
		tempfail(res, PF_U_INTERNAL, "cannot start the resolver thread",
		    name);
		return PF_OK;
	}
	rc = ub_resolve_async(d->ctx, name, type, 1, p, done_cb, &id);
	if (rc != 0) {
		free(p);
		if (rc == UB_SYNTAX)
			res->rc = PF_DNS_NXDOMAIN;
		else
			tempfail(res, ub_error(rc), ub_strerror(rc), name);
		return PF_OK;
	}
	if ((rc = wait_for(d, p, id, deadline)) != 0) {
		if (rc == 1)
			free(p);
		/* cut short by the message's budget, or its own timeout */
		tempfail(res, by_budget ? PF_U_BUDGET : PF_U_TIMEOUT,
		    NULL, name);
		return PF_OK;
	}
	status = take_result(p, name, res);
	ub_resolve_free(p->r);
	free(p);
	if (status == PF_OK)
		memo_put(d, name, res);
	if (status != PF_OK) {
		pf_dns_result_reset(res);
		res->type = type;
		tempfail(res, PF_U_NO_MEMORY, NULL, name);
	}
	return status;
}

static pf_dns_observer_fn *observer;

/* pf_dns_observe - set the function told about each lookup (metrics) */
void
pf_dns_observe(pf_dns_observer_fn *fn)
{
	observer = fn;
}

/* pf_dns_query - lookup(), timed and reported to the observer */
int
pf_dns_query(struct pf_dns *d, const char *name, int type,
    struct pf_dns_budget *b, struct pf_dns_result *res)
{
	struct timespec t0, t1;
	int rc;

	if ((b != NULL && b->nodns) || d == NULL)
		return lookup(d, name, type, b, res);	/* nothing to time */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = lookup(d, name, type, b, res);
	if (observer != NULL && d != NULL && (b == NULL || !b->nodns)) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		observer(res->rc, res->rc == PF_DNS_TEMPFAIL && b != NULL &&
		    b->deadline != 0 && now_ms() >= b->deadline,
		    (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	}
	return rc;
}

/* chain_unref - one prefetch of the chain is over */
static void
chain_unref(struct pf_dns_chain *c)
{
	if (c != NULL && atomic_fetch_sub(&c->refs, 1) == 1)
		free(c);
}

/* fetch_link - f into the context's list of prefetches in flight */
static void
fetch_link(struct pf_dns *d, struct fetch *f)
{
	pthread_mutex_lock(&d->fmu);
	f->prev = NULL;
	f->next = d->fetches;
	if (d->fetches != NULL)
		d->fetches->prev = f;
	d->fetches = f;
	pthread_mutex_unlock(&d->fmu);
}

/* fetch_done - f out of the list and freed, its chain released */
static void
fetch_done(struct pf_dns *d, struct fetch *f)
{
	pthread_mutex_lock(&d->fmu);
	if (f->prev != NULL)
		f->prev->next = f->next;
	else
		d->fetches = f->next;
	if (f->next != NULL)
		f->next->prev = f->prev;
	pthread_mutex_unlock(&d->fmu);
	chain_unref(f->chain);
	free(f);
}

/* fetches_free - the prefetches whose answers will never come (the
 * context is gone) */
static void
fetches_free(struct pf_dns *d)
{
	struct fetch *f, *n;

	for (f = d->fetches; f != NULL; f = n) {
		n = f->next;
		chain_unref(f->chain);
		free(f);
	}
	d->fetches = NULL;
}

/* view_result - r as a pf_dns_result borrowing r's records (for the
 * follow-up function only; never reset) */
static void
view_result(struct ub_result *r, int type, struct pf_dns_result *v)
{
	size_t i;

	memset(v, 0, sizeof(*v));
	v->type = type;
	if (r->bogus || (r->rcode != 0 && r->rcode != 3)) {
		v->rc = PF_DNS_TEMPFAIL;
		return;
	}
	v->rc = r->rcode == 3 ? PF_DNS_NXDOMAIN : PF_DNS_NODATA;
	for (i = 0; r->rcode == 0 && r->havedata && r->data[i] != NULL &&
	    i < PF_DNS_MAX_RR; i++) {
		v->rdata[i] = (unsigned char *)r->data[i];
		v->rlen[i] = (size_t)r->len[i];
		v->n = i + 1;
	}
	if (v->n > 0)
		v->rc = PF_DNS_ANSWER;
}

/* prefetched - an answer nobody waits for: it is in the cache now, and
 * the chain's function may start what it leads to */
static void
prefetched(void *arg, int err, struct ub_result *r)
{
	struct fetch *f = arg;
	struct pf_dns_result v;

	if (err == 0 && r != NULL && r->qname != NULL && f->chain != NULL &&
	    atomic_load(&f->chain->left) > 0) {
		view_result(r, r->qtype, &v);
		f->chain->fn(f->dns, f->chain, r->qname, &v);
	}
	ub_resolve_free(r);
	atomic_fetch_sub(&f->dns->prefetching, 1);
	fetch_done(f->dns, f);
}

/* memoised - whether name/type is in the memo already; for a chain its
 * function goes on from the memoised answer, in this thread */
static int
memoised(struct pf_dns *d, const char *name, int type,
    struct pf_dns_chain *c)
{
	struct pf_dns_result v;

	if (c == NULL)
		return memo_get(d, name, type, NULL);
	if (!memo_get(d, name, type, &v))
		return 0;
	if (atomic_load(&c->left) > 0)
		c->fn(d, c, name, &v);
	pf_dns_result_reset(&v);
	return 1;
}

/* start - one prefetch, of the chain c (or none); 0 if started or
 * already answered */
static int
start(struct pf_dns *d, const char *name, int type, struct pf_dns_chain *c)
{
	struct fetch *f;
	int id;

	if (d == NULL || name == NULL || !valid_name(name))
		return -1;
	/* nothing to fetch: no hand-off to libunbound's thread and back */
	if (memoised(d, name, type, c))
		return 0;
	if (pump_start(d) != 0)
		return -1;
	if (atomic_fetch_add(&d->prefetching, 1) >= PREFETCH_MAX ||
	    (f = malloc(sizeof(*f))) == NULL) {
		atomic_fetch_sub(&d->prefetching, 1);
		return -1;
	}
	f->dns = d;
	f->chain = c;
	if (c != NULL)
		atomic_fetch_add(&c->refs, 1);
	fetch_link(d, f);
	if (ub_resolve_async(d->ctx, name, type, 1, f, prefetched, &id)
	    != 0) {
		atomic_fetch_sub(&d->prefetching, 1);
		fetch_done(d, f);
		return -1;
	}
	return 0;
}

/* pf_dns_prefetch - start a lookup for the cache; never waits */
void
pf_dns_prefetch(struct pf_dns *d, const char *name, int type)
{
	(void)start(d, name, type, NULL);
}

/* pf_dns_prefetch_chain - a prefetch whose answer goes to fn */
void
pf_dns_prefetch_chain(struct pf_dns *d, const char *name, int type,
    pf_dns_follow_fn *fn, unsigned most, unsigned flags)
{
	struct pf_dns_chain *c;

	if (fn == NULL || most == 0) {
		pf_dns_prefetch(d, name, type);
		return;
	}
	if (d == NULL || (c = malloc(sizeof(*c))) == NULL)
		return;
	c->fn = fn;
	c->flags = flags;
	atomic_init(&c->left, (int)(most > INT32_MAX ? INT32_MAX : most));
	atomic_init(&c->refs, 1);	/* ours, until the start */
	(void)start(d, name, type, c);
	chain_unref(c);
}

/* pf_dns_prefetch_next - a lookup an answer of chain c leads to */
int
pf_dns_prefetch_next(struct pf_dns *d, struct pf_dns_chain *c,
    const char *name, int type)
{
	if (c == NULL || atomic_fetch_sub(&c->left, 1) <= 0)
		return -1;
	return start(d, name, type, c);
}

/* pf_dns_chain_flags - what the chain was started with */
unsigned
pf_dns_chain_flags(const struct pf_dns_chain *c)
{
	return c->flags;
}

/* pf_dns_txt - join the character-strings of one TXT record */
int
pf_dns_txt(const unsigned char *rd, size_t rlen, char *buf, size_t len,
    size_t *outlen)
{
	const unsigned char *p = rd, *end = rd + rlen;
	size_t o = 0, n, take;

	if (len == 0)
		return PF_EINVAL;
	while (p < end) {
		n = *p++;
		if (n > (size_t)(end - p)) {
			buf[o] = '\0';
			return PF_ESYNTAX;
		}
		take = n;
		if (take > len - 1 - o)
			take = len - 1 - o;
		memcpy(buf + o, p, take);
		o += take;
		p += n;
	}
	buf[o] = '\0';
	if (outlen != NULL)
		*outlen = o;
	return PF_OK;
}

/* pf_dns_name - uncompressed wire name to dotted text */
int
pf_dns_name(const unsigned char *rd, size_t rlen, size_t skip, char *buf,
    size_t len)
{
	const unsigned char *p, *end = rd + rlen;
	size_t o = 0, n, i;

	if (len == 0 || skip > rlen)
		return PF_EINVAL;
	p = rd + skip;
	while (p < end && *p != 0) {
		n = *p++;
		if (n > 63 || n > (size_t)(end - p))
			goto bad;
		if (o != 0) {
			if (o + 1 >= len)
				goto bad;
			buf[o++] = '.';
		}
		for (i = 0; i < n; i++) {
			if (o + 1 >= len)
				goto bad;
			buf[o++] = (char)p[i];
		}
		p += n;
	}
	if (p >= end)
		goto bad;
	buf[o] = '\0';
	return PF_OK;
bad:
	buf[0] = '\0';
	return PF_ESYNTAX;
}

/* pf_dns_rc_name - the outcome as a word */
const char *
pf_dns_rc_name(enum pf_dns_rc rc)
{
	switch (rc) {
	case PF_DNS_ANSWER:	return "answer";
	case PF_DNS_NODATA:	return "nodata";
	case PF_DNS_NXDOMAIN:	return "nxdomain";
	default:		return "tempfail";
	}
}

/* pf_dns_type_name - the record type as text */
const char *
pf_dns_type_name(int type)
{
	switch (type) {
	case PF_DNS_T_A:	return "A";
	case PF_DNS_T_NS:	return "NS";
	case PF_DNS_T_PTR:	return "PTR";
	case PF_DNS_T_MX:	return "MX";
	case PF_DNS_T_TXT:	return "TXT";
	case PF_DNS_T_AAAA:	return "AAAA";
	case 99:		return "SPF";
	default:		return "record";
	}
}

/* pf_dns_reverse - 10.2.0.192.in-addr.arpa or the nibble ip6.arpa name */
int
pf_dns_reverse(const char *ip, char *buf, size_t len)
{
	unsigned char a[16];
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	int i, n;

	if (inet_pton(AF_INET, ip, a) == 1) {
		n = snprintf(buf, len, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2],
		    a[1], a[0]);
		return n > 0 && (size_t)n < len ? PF_OK : PF_ELIMIT;
	}
	if (inet_pton(AF_INET6, ip, a) != 1)
		return PF_ESYNTAX;
	if (len < 64 + 9 + 1)
		return PF_ELIMIT;
	for (i = 15; i >= 0; i--) {
		buf[o++] = hex[a[i] & 0xf];
		buf[o++] = '.';
		buf[o++] = hex[a[i] >> 4];
		buf[o++] = '.';
	}
	memcpy(buf + o, "ip6.arpa", 9);
	return PF_OK;
}
