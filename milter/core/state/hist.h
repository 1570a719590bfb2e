/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hist.h - what Gmail answered, remembered from the MTA's log by
 * `preflight learn`, and the hist.* facts read back for a message
 * (docs/learn.md).
 *
 * Each outcome is kept under the scope the reply is about:
 *   recipient (keyed hash of the address): does-not-exist (5.1.1) and
 *     inactive (5.2.1, 5.2.2 inactive) until a later delivery; mailbox
 *     full (4.2.2, 5.2.2, 5.7.1 quota) for 7 days unless delivered since;
 *     receiving rate (4.2.1, 5.2.1) for 24 hours;
 *   egress IP and its /24 or /64 (the "[ip n]" Gmail puts in its reply):
 *     reputation and rate replies, the 4xx counted in a one-hour window,
 *     the 5xx in a one-day window;
 *   sender domains: domain-reputation replies under the envelope
 *     sender's domain (the SPF domain: the milter's spf_domain=, else the
 *     queue manager's from=), each DKIM d= and the organizational domain
 *     of From: (both from the milter's line for the queue id); the 4.7.28
 *     DKIM-domain form under the DKIM domains, the SPF-domain form under
 *     the SPF domain; windowed as for an IP; and the form (4xx or 5xx)
 *     of the last sender-guideline reply, for Enforcement auto;
 *   recipient domain: policy refusals and IP-not-in-allowlist, 7 days.
 * What Gmail answered (deliveries, and refusals by kind) is also kept per
 * sender domain and egress IP, per UTC day (PF_HIST_DAYS) and per hour
 * (PF_HIST_HOURS), for the series of `preflight report`.
 * Every count is also kept per rule and day, for `preflight report`, with
 * the closed loop of the daemon's predictions: per rule and day, hits
 * (predicted and refused with that reply), false alarms (a permanent
 * refusal predicted and the message delivered: a predicted 4xx may be
 * followed by a delivery) and misses (refused with a catalogued reply not
 * predicted).
 */
#ifndef PF_STATE_HIST_H
#define PF_STATE_HIST_H

#include <stddef.h>
#include <stdint.h>

#include "base/pf.h"
#include "base/facts.h"
#include "state/state.h"

#define PF_HIST_FULL_TTL	(7 * 86400)	/* mailbox full remembered */
#define PF_HIST_RATE_TTL	86400		/* receiving rate remembered */
#define PF_HIST_DOMAIN_TTL	(7 * 86400)	/* recipient-domain policy */
#define PF_HIST_IP_RATE_TTL	3600		/* an IP rate limited (4xx) */
#define PF_HIST_IP_BLOCK_TTL	86400		/* an IP blocked (5xx) */
#define PF_HIST_SEEN_TTL	(400 * 86400)	/* a counted line, for
						 * idempotence */
#define PF_HIST_DAYS		400		/* per-day report counters */
#define PF_HIST_PRED_MAX	8		/* predictions of one message */
#define PF_HIST_HOURS		(14 * 24)	/* per-hour series kept */

/* what a reply is about */
enum pf_hist_kind {
	PF_H_OTHER,		/* catalogued, nothing remembered per scope */
	PF_H_NOUSER, PF_H_INACTIVE, PF_H_FULL, PF_H_RATE,	/* recipient */
	PF_H_IP,		/* egress IP reputation and rate */
	PF_H_DOMAIN,		/* sender-domain reputation */
	PF_H_POLICY, PF_H_ALLOWLIST	/* recipient domain */
};

/* pf_hist_kind_of - the scope of a catalog entry's reply, by its id */
enum pf_hist_kind pf_hist_kind_of(const char *rule_id);

/* one delivery outcome read from the log; pointers borrowed */
struct pf_hist_event {
	int64_t		 when;		/* the log line's time */
	const char	*queue_id;
	const char	*rcpt;		/* the address */
	int		 delivered;	/* Gmail said 250 */
	int		 permanent;	/* the refusal was a 5xx */
	const char	*rule;		/* the entry of the refusal, or NULL
					 * (delivered, or not catalogued) */
	const char	*egress_ip;	/* from the reply, or NULL */
	const char	*sender_domain;	/* the SPF (envelope) domain, or NULL */
	const char	*dkim_domains;	/* d= of the message, comma- or
					 * space-separated, or NULL */
	const char	*from_org;	/* organizational domain of From:, or
					 * NULL */
	const char	*egress_host;	/* the egress IP when the reply names
					 * none (the configured one), for the
					 * report's series only; or NULL */
	int		 guideline;	/* the refusal is a sender-guideline
					 * reply whose form (4 or 5) Gmail
					 * picks by the sender; 0 if not */
	const char	*predicted[PF_HIST_PRED_MAX];	/* the daemon's rules
					 * for this queue id */
	int		 predicted_code[PF_HIST_PRED_MAX];	/* their
					 * replies (550), 0 unknown */
	size_t		 npredicted;
	int		 have_prediction;	/* the daemon logged it */
};

/* pf_hist_record - remember outcomes, each once: an event already
 * counted (same queue id, recipient, time and outcome) changes nothing and
 * gets fresh[i] = 0.  The events are written in two transactions (the
 * marks that make it idempotent, then the counts).  PF_ETEMP: the store is
 * unreachable. */
int	pf_hist_record(struct pf_state *, const struct pf_hist_event *,
	    size_t n, int *fresh, struct pf_err *);

/* the domains a message is sent under, for pf_hist_read; each NULL when
 * the message has none */
struct pf_hist_who {
	const char	*sender_domain;	/* the envelope sender's */
	const char	*dkim_domains;	/* space- or comma-separated d= */
	const char	*from_org;	/* organizational domain of From: */
};

/* pf_hist_read - the hist.* facts of a message to these recipients, from
 * these domains (and the egress IP already in the facts), now; each
 * unknown with the reason when the store is absent or unreachable */
void	pf_hist_read(struct pf_state *, const char *const *rcpt, size_t n,
	    const struct pf_hist_who *, struct pf_facts *);

/* pf_hist_enforcement - which form of the sender-guideline replies Gmail
 * gave the sender domain last: 4 (rate limited), 5 (blocked), 0 none
 * seen; PF_ETEMP when the store is unreachable */
int	pf_hist_enforcement(struct pf_state *, const char *sender_domain,
	    int *form, struct pf_err *);

/* a per-rule row of the report over a range of days */
struct pf_hist_rule {
	char	 rule[64];
	int64_t	 refused, hits, false_alarms, misses;
};

/* pf_hist_report - sum the per-rule, per-day counters of the days
 * [from, to] (UTC day numbers since the epoch) into rows (at most n,
 * *got of them) and the delivered count into *delivered; *day_total
 * (optional, to - from + 1 entries) gets the refusals of each day by
 * kind (PF_H_* columns, 9 per day) */
int	pf_hist_report(struct pf_state *, int64_t from, int64_t to,
	    struct pf_hist_rule *rows, size_t n, size_t *got,
	    int64_t *delivered, int64_t *day_kind, struct pf_err *);

/* pf_hist_top - the largest per-scope refusal counts over the last
 * window seconds (0: 30 days): prefix "hist.rd." (recipient domains) */
int	pf_hist_top(struct pf_state *, const char *prefix, uint32_t window,
	    struct pf_state_row *rows, size_t n, size_t *got,
	    struct pf_err *);

#define PF_HIST_NKIND	9

/* the report's series: what Gmail answered per sender domain and egress
 * IP, per bucket (a UTC day or hour); column 0 counts deliveries, column
 * 1 + k the refusals of kind k (enum pf_hist_kind) */
#define PF_HIST_NCOL	(1 + PF_HIST_NKIND)
#define PF_HIST_SCOPES_MAX 4096	/* distinct domains or IPs gathered */

struct pf_hist_scope {
	char		 key[256];	/* the domain or IP; "" for the rest */
	int64_t		 total;		/* every answer in the range */
	size_t		 folded;	/* the rest: how many scopes it sums */
	int64_t		*n;		/* nbucket * PF_HIST_NCOL, owned */
};

struct pf_hist_series {
	int		 hourly;	/* buckets are hours, else days */
	int64_t		 first;		/* the first bucket's number: days
					 * or hours since the epoch */
	size_t		 nbucket;
	struct pf_hist_scope *sd, *ip;	/* largest total first; the last
					 * one, key "", sums the rest */
	size_t		 nsd, nip;
};

/* pf_hist_series - the series of nbucket buckets from first (days, or
 * hours when hourly): the top scopes by total and the rest summed into
 * one; free with pf_hist_series_free */
int	pf_hist_series(struct pf_state *, int hourly, int64_t first,
	    size_t nbucket, size_t top, struct pf_hist_series *,
	    struct pf_err *);
void	pf_hist_series_free(struct pf_hist_series *);
/* pf_hist_kind_key - the short name of a kind in keys and JSON
 * ("no_such_user"); column 0 is "delivered" */
const char *pf_hist_col_name(size_t col);

#endif
