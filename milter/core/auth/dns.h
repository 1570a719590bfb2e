/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns.h - the one resolver of the core.  Every lookup (SPF, DKIM keys,
 * DMARC, PTR and forward lookups, MX, recipient domains) goes through it.
 * Built on libunbound: a forwarder host[:port] or the system resolv.conf,
 * a per-query timeout and a per-message budget, libunbound's TTL-honouring
 * cache (negative answers included), one thread-safe context per engine.
 */
#ifndef PF_DNS_H
#define PF_DNS_H

#include <stddef.h>
#include <stdint.h>

#include "base/pf.h"
#include "base/undecided.h"
#include "config/config.h"	/* PF_DNS_QUERY_MS, PF_DNS_MESSAGE_MS */

#define PF_DNS_T_A	1
#define PF_DNS_T_NS	2
#define PF_DNS_T_PTR	12
#define PF_DNS_T_MX	15
#define PF_DNS_T_TXT	16
#define PF_DNS_T_AAAA	28

#define PF_DNS_MAX_RR		64	/* records kept from one answer */

/* the uniform outcome of one lookup */
enum pf_dns_rc {
	PF_DNS_ANSWER = 0,	/* records of the type asked for */
	PF_DNS_NODATA,		/* the name exists, no records of that type */
	PF_DNS_NXDOMAIN,	/* the name does not exist */
	PF_DNS_TEMPFAIL		/* timeout, SERVFAIL, REFUSED, budget spent */
};

struct pf_dns;

/* a per-message deadline shared by every lookup of one message */
struct pf_dns_budget {
	uint64_t deadline;	/* monotonic ms; 0 = none */
	int	 nodns;		/* lookups are disabled: always TEMPFAIL */
};

struct pf_dns_result {
	enum pf_dns_rc rc;
	int	 type;
	unsigned ttl;
	size_t	 n;			/* records */
	unsigned char *rdata[PF_DNS_MAX_RR];	/* owned, wire rdata */
	size_t	 rlen[PF_DNS_MAX_RR];
	unsigned char *packet;		/* owned: the whole reply (DKIM) */
	size_t	 plen;
	enum pf_undecided undec;	/* TEMPFAIL: why, as a value */
	char	 why[160];		/* TEMPFAIL: what failed, for users */
};

/*
 * pf_dns_new - a resolver.  nameserver is "host[:port]", "[v6]:port" or
 * NULL for the system resolver; query_ms is the per-query timeout (0 =
 * default).  Owned; free with pf_dns_free.
 */
int	pf_dns_new(const char *nameserver, unsigned query_ms,
	    struct pf_dns **, struct pf_err *);
void	pf_dns_free(struct pf_dns *);
/* pf_dns_warm - start the resolver's threads now rather than with the
 * first lookup of a message (a fresh context spends milliseconds on its
 * first one); waits for a lookup that never leaves the process.  Only
 * after any fork. */
void	pf_dns_warm(struct pf_dns *);

/* pf_dns_budget_init - start a message budget of ms (0 = default) */
void	pf_dns_budget_init(struct pf_dns_budget *, unsigned ms);

/*
 * pf_dns_query - look name up (type as above).  Always fills *res (even
 * on error, rc is then TEMPFAIL with undec and why set: PF_U_NO_DNS,
 * PF_U_BUDGET, PF_U_TIMEOUT, PF_U_SERVER_FAILURE or PF_U_NO_MEMORY);
 * returns PF_OK, or PF_ENOMEM.
 * budget may be NULL (query timeout only); a NULL resolver means DNS is
 * disabled.  Free with pf_dns_result_reset.
 */
int	pf_dns_query(struct pf_dns *, const char *name, int type,
	    struct pf_dns_budget *, struct pf_dns_result *res);
void	pf_dns_result_reset(struct pf_dns_result *);

/* pf_dns_observe - fn is called after every lookup that reached the
 * resolver (not with DNS disabled) with its outcome, whether the
 * message's budget ran out, and the seconds it took; set once before
 * any lookup (the daemon's metrics), NULL for none */
typedef void pf_dns_observer_fn(enum pf_dns_rc, int budget_spent,
    double secs);
void	pf_dns_observe(pf_dns_observer_fn *);

/*
 * pf_dns_prefetch - start looking name up and return at once: the answer
 * goes into the cache, where a later pf_dns_query of the same name and
 * type finds it (or joins it while it is still on its way).  Outside any
 * budget; bounded by a cap on prefetches in flight.  A NULL resolver, a
 * bad name or a full cap: nothing happens.
 */
void	pf_dns_prefetch(struct pf_dns *, const char *name, int type);

/*
 * A chain of prefetches: what one answer leads to (the records an SPF
 * record includes, the address of a PTR name) is started as soon as that
 * answer arrives, not at end of message.  fn is called in the resolver's
 * own thread with each answer of the chain (name as asked; res borrows
 * libunbound's records, valid during the call only; rc TEMPFAIL for a
 * server failure); it must not block, and starts the next lookups with
 * pf_dns_prefetch_next.  A chain starts at most `most` lookups beyond the
 * first, whatever its answers say (records are untrusted: loops, fan-out).
 */
struct pf_dns_chain;
typedef void pf_dns_follow_fn(struct pf_dns *, struct pf_dns_chain *,
    const char *name, const struct pf_dns_result *res);
/* pf_dns_prefetch_chain - pf_dns_prefetch, its answer handed to fn;
 * flags are the caller's, for fn (pf_dns_chain_flags) */
void	pf_dns_prefetch_chain(struct pf_dns *, const char *name, int type,
	    pf_dns_follow_fn *fn, unsigned most, unsigned flags);
/* pf_dns_prefetch_next - from fn: start name/type in the same chain; -1
 * if the chain's allowance is spent or nothing was started */
int	pf_dns_prefetch_next(struct pf_dns *, struct pf_dns_chain *,
	    const char *name, int type);
unsigned pf_dns_chain_flags(const struct pf_dns_chain *);

/* helpers over rdata */
/* pf_dns_txt - the character-strings of a TXT rdata joined, NUL-ended;
 * PF_ESYNTAX if malformed.  Truncated to len - 1. */
int	pf_dns_txt(const unsigned char *rd, size_t rlen, char *buf,
	    size_t len, size_t *outlen);
/* pf_dns_name - an uncompressed wire name as text without the final dot;
 * skip bytes of rdata first (2 for MX) */
int	pf_dns_name(const unsigned char *rd, size_t rlen, size_t skip,
	    char *buf, size_t len);
/* pf_dns_rc_name - "answer", "nodata", "nxdomain", "tempfail" */
const char *pf_dns_rc_name(enum pf_dns_rc);
/* pf_dns_type_name - "TXT", "A", ... */
const char *pf_dns_type_name(int type);
/* pf_dns_reverse - the in-addr.arpa / ip6.arpa name of an address */
int	pf_dns_reverse(const char *ip, char *buf, size_t len);

#endif
