/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hist.c - Gmail's answers from the MTA log, kept in the state store, and
 * the hist.* facts (hist.h).
 *
 * Keys (H is the keyed hash of a lower-cased address; times are the log
 * line's, in seconds since the epoch):
 *   hist.r.H.{ok,nouser,inactive,full,rate}  the last time (a maximum)
 *   hist.ip.IP.{t,p}, hist.net.NET.{t,p}    IP reputation and rate
 *                                           replies: 4xx in a 1-hour, 5xx
 *                                           in a 24-hour window
 *   hist.sdrep.DOMAIN.{t,p}                 sender-domain reputation, as
 *                                           for an IP
 *   hist.sdform.DOMAIN.{4,5}                the last sender-guideline
 *                                           reply of each form
 *   hist.dpol.DOMAIN, hist.dallow.DOMAIN    the last policy or allowlist
 *                                           refusal of a recipient domain
 *   hist.rd.DOMAIN, hist.sd.DOMAIN.RULE,    refusals per recipient domain,
 *   hist.ipr.IP.RULE                        sender domain and egress IP,
 *                                           30-day windows, for reports
 *   hist.day.DAY.RULE.{r,h,f,m}             per UTC day and rule: refused,
 *                                           hits, false alarms, misses;
 *                                           RULE "=sent" counts deliveries
 *   hist.seen.H                             a counted line (idempotence)
 * The kinds of reply are named by entry id below: which Gmail replies are
 * about a recipient, an IP or a domain is the catalog's meaning, kept
 * here next to the keys it decides.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "base/facts.h"
#include "state/hist.h"
#include "state/state.h"

#define ADDR_MAX	512
#define REPORT_WINDOW	(30u * 86400u)
#define DAY_WINDOW	((uint32_t)PF_HIST_DAYS * 86400u)
#define SCAN_MAX	4096
/* how long a reputation refusal of an IP or a sender domain counts: the
 * 4xx (rate limited) for an hour, the 5xx (blocked) for a day */
#define IP_WINDOW(e)	((e)->permanent ? PF_HIST_IP_BLOCK_TTL : \
			    PF_HIST_IP_RATE_TTL)

static const struct {
	const char		*rule;
	enum pf_hist_kind	 kind;
} kinds[] = {
	{ "mailbox-does-not-exist",	PF_H_NOUSER },
	{ "account-inactive",		PF_H_INACTIVE },
	{ "recipient-inbox-full-inactive", PF_H_INACTIVE },
	{ "recipient-inbox-full",	PF_H_FULL },
	{ "recipient-over-quota",	PF_H_FULL },
	{ "recipient-quota-exceeded",	PF_H_FULL },
	{ "recipient-receiving-too-fast", PF_H_RATE },
	{ "recipient-receiving-rate",	PF_H_RATE },
	{ "recipient-receiving-rate-perm", PF_H_RATE },
	{ "low-ip-reputation-ratelimit", PF_H_IP },
	{ "low-ip-reputation",		PF_H_IP },
	{ "unusual-rate",		PF_H_IP },
	{ "unusual-rate-ip",		PF_H_IP },
	{ "unusual-rate-netblock",	PF_H_IP },
	{ "unusual-amount-ip-blocked",	PF_H_IP },
	{ "unusual-rate-ip-blocked",	PF_H_IP },
	{ "low-domain-reputation-deferred", PF_H_DOMAIN },
	{ "low-domain-reputation",	PF_H_DOMAIN },
	{ "unusual-rate-dkim-domain",	PF_H_DOMAIN },
	{ "unusual-rate-spf-domain",	PF_H_DOMAIN },
	{ "unusual-rate-url-domain",	PF_H_DOMAIN },
	{ "policy-prohibits",		PF_H_POLICY },
	{ "ip-not-in-allowlist",	PF_H_ALLOWLIST },
};

/* pf_hist_kind_of - the scope of an entry's reply */
enum pf_hist_kind
pf_hist_kind_of(const char *rule)
{
	size_t i;

	for (i = 0; rule != NULL && i < PF_NELEM(kinds); i++)
		if (strcmp(kinds[i].rule, rule) == 0)
			return kinds[i].kind;
	return PF_H_OTHER;
}

/* hash_addr - the keyed hash of a lower-cased address */
static int
hash_addr(struct pf_state *st, const char *a, char *h, struct pf_err *err)
{
	char buf[ADDR_MAX];
	size_t n = 0;

	if (*a == '<')
		a++;
	for (; *a != '\0' && *a != '>' && n + 1 < sizeof(buf); a++)
		buf[n++] = (char)tolower((unsigned char)*a);
	buf[n] = '\0';
	return pf_state_hash(st, buf, n, h, err);
}

/* lower - a domain in lower case into buf; "" if it does not fit */
static const char *
lower(const char *s, char *buf, size_t bsz)
{
	size_t n;

	for (n = 0; s != NULL && s[n] != '\0' && n + 1 < bsz; n++)
		buf[n] = (char)tolower((unsigned char)s[n]);
	buf[n] = '\0';
	return s != NULL && s[n] != '\0' ? "" : buf;
}

/* netblock - the /24 of an IPv4 or the /64 of an IPv6 address */
static int
netblock(const char *ip, char *out, size_t osz)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, ip, a) == 1) {
		snprintf(out, osz, "%u.%u.%u.0/24", a[0], a[1], a[2]);
		return 1;
	}
	if (inet_pton(AF_INET6, ip, a) == 1) {
		memset(a + 8, 0, 8);
		if (inet_ntop(AF_INET6, a, out, (socklen_t)osz) == NULL)
			return 0;
		strncat(out, "/64", osz - strlen(out) - 1);
		return 1;
	}
	return 0;
}

/* a batch of operations being built; it grows */
struct batch {
	struct pf_state_op	*op;
	size_t			 n, cap;
	int			 nomem;
};

/* put - one operation; a key that does not fit is left out */
static void
put(struct batch *b, enum pf_state_opcode code, uint32_t window,
    int64_t n, const char *fmt, const char *a, const char *c)
{
	struct pf_state_op *o;
	size_t ncap;

	if (b->n == b->cap) {
		ncap = b->cap ? b->cap * 2 : 256;
		if ((o = realloc(b->op, ncap * sizeof(*o))) == NULL) {
			b->nomem = 1;
			return;
		}
		b->op = o;
		b->cap = ncap;
	}
	o = &b->op[b->n];
	memset(o, 0, sizeof(*o));
	o->op = code;
	o->window = window;
	o->n = n;
	if (pf_state_key(o, fmt, a, c != NULL ? c : "") == PF_OK)
		b->n++;
}

/* seen_op - the mark of an event (its keyed hash), as a FIRST op */
static int
seen_op(struct pf_state *st, const struct pf_hist_event *e,
    struct pf_state_op *op, struct pf_err *err)
{
	char buf[1024], h[PF_STATE_HASH_LEN + 1];
	int n, rc;

	n = snprintf(buf, sizeof(buf), "%s\n%s\n%lld\n%d\n%s",
	    e->queue_id != NULL ? e->queue_id : "", e->rcpt,
	    (long long)e->when, e->delivered, e->rule != NULL ? e->rule : "");
	if (n < 0 || (size_t)n >= sizeof(buf))
		n = (int)sizeof(buf) - 1;
	if ((rc = pf_state_hash(st, buf, (size_t)n, h, err)) != PF_OK)
		return rc;
	memset(op, 0, sizeof(*op));
	op->op = PF_SOP_FIRST;
	op->window = PF_HIST_SEEN_TTL;
	if ((rc = pf_state_key(op, "hist.seen.%s", h)) != PF_OK)
		return pf_err_set(err, rc, "key too long");
	return PF_OK;
}

/* recipient_ops - the recipient's marks, its domain's */
static void
recipient_ops(struct batch *b, const struct pf_hist_event *e,
    enum pf_hist_kind k, const char *h, const char *dom)
{
	static const char *mark[] = {
		[PF_H_NOUSER] = "nouser", [PF_H_INACTIVE] = "inactive",
		[PF_H_FULL] = "full", [PF_H_RATE] = "rate",
	};

	if (e->delivered)
		put(b, PF_SOP_MAX, 0, e->when, "hist.r.%s.ok%s", h, NULL);
	else if (k >= PF_H_NOUSER && k <= PF_H_RATE)
		put(b, PF_SOP_MAX, 0, e->when, "hist.r.%s.%s", h, mark[k]);
	if (dom[0] == '\0' || e->delivered || e->rule == NULL)
		return;
	put(b, PF_SOP_ADD, REPORT_WINDOW, 1, "hist.rd.%s%s", dom, NULL);
	if (k == PF_H_POLICY)
		put(b, PF_SOP_MAX, 0, e->when, "hist.dpol.%s%s", dom, NULL);
	if (k == PF_H_ALLOWLIST)
		put(b, PF_SOP_MAX, 0, e->when, "hist.dallow.%s%s", dom, NULL);
}

/* sender_ops - the egress IP's and the sender domain's counts; the IP
 * windows count only a reply that is still inside them now (an old log
 * says nothing about this hour) */
static void
sender_ops(struct batch *b, const struct pf_hist_event *e,
    enum pf_hist_kind k, int64_t now)
{
	char net[80], sd[256];

	if (e->rule == NULL)
		return;
	if (e->egress_ip != NULL && e->egress_ip[0] != '\0') {
		put(b, PF_SOP_ADD, REPORT_WINDOW, 1, "hist.ipr.%s.%s",
		    e->egress_ip, e->rule);
		if (k == PF_H_IP && now - e->when < IP_WINDOW(e)) {
			put(b, PF_SOP_ADD, IP_WINDOW(e), 1, "hist.ip.%s.%s",
			    e->egress_ip, e->permanent ? "p" : "t");
			if (netblock(e->egress_ip, net, sizeof(net)))
				put(b, PF_SOP_ADD, IP_WINDOW(e), 1,
				    "hist.net.%s.%s", net,
				    e->permanent ? "p" : "t");
		}
	}
	if (lower(e->sender_domain, sd, sizeof(sd))[0] == '\0')
		return;
	put(b, PF_SOP_ADD, REPORT_WINDOW, 1, "hist.sd.%s.%s", sd, e->rule);
	if (k == PF_H_DOMAIN && now - e->when < IP_WINDOW(e))
		put(b, PF_SOP_ADD, IP_WINDOW(e), 1, "hist.sdrep.%s.%s", sd,
		    e->permanent ? "p" : "t");
	if (e->guideline == 4 || e->guideline == 5)
		put(b, PF_SOP_MAX, 0, e->when, "hist.sdform.%s.%s", sd,
		    e->guideline == 4 ? "4" : "5");
}

/* predicted - was rule among the daemon's predictions */
static int
predicted(const struct pf_hist_event *e, const char *rule)
{
	size_t i;

	for (i = 0; rule != NULL && i < e->npredicted; i++)
		if (strcmp(e->predicted[i], rule) == 0)
			return 1;
	return 0;
}

/* loop_ops - the per-day counters: refusals, deliveries, and the closed
 * loop of the daemon's predictions for this queue id */
static void
loop_ops(struct batch *b, const struct pf_hist_event *e)
{
	char day[24];
	size_t i;

	snprintf(day, sizeof(day), "%lld", (long long)(e->when / 86400));
	if (e->delivered)
		put(b, PF_SOP_ADD, DAY_WINDOW, 1, "hist.day.%s.=sent.r%s", day,
		    NULL);
	else if (e->rule != NULL)
		put(b, PF_SOP_ADD, DAY_WINDOW, 1, "hist.day.%s.%s.r", day,
		    e->rule);
	if (!e->have_prediction)
		return;
	if (e->rule != NULL && predicted(e, e->rule))
		put(b, PF_SOP_ADD, DAY_WINDOW, 1, "hist.day.%s.%s.h", day,
		    e->rule);
	else if (e->rule != NULL)
		put(b, PF_SOP_ADD, DAY_WINDOW, 1, "hist.day.%s.%s.m", day,
		    e->rule);
	if (e->delivered)
		for (i = 0; i < e->npredicted; i++)
			if (e->predicted_code[i] / 100 != 4)
				put(b, PF_SOP_ADD, DAY_WINDOW, 1,
				    "hist.day.%s.%s.f", day, e->predicted[i]);
}

/* event_ops - the writes of one fresh event */
static int
event_ops(struct pf_state *st, struct batch *b, const struct pf_hist_event *e,
    struct pf_err *err)
{
	enum pf_hist_kind k = pf_hist_kind_of(e->rule);
	char h[PF_STATE_HASH_LEN + 1], dom[256];
	const char *at;
	int rc;

	if ((rc = hash_addr(st, e->rcpt, h, err)) != PF_OK)
		return rc;
	at = strrchr(e->rcpt, '@');
	lower(at != NULL ? at + 1 : NULL, dom, sizeof(dom));
	recipient_ops(b, e, k, h, dom);
	sender_ops(b, e, k, pf_state_now(st));
	loop_ops(b, e);
	return b->nomem ? pf_err_set(err, PF_ENOMEM, "out of memory") : PF_OK;
}

/* pf_hist_record - remember outcomes, each once */
int
pf_hist_record(struct pf_state *st, const struct pf_hist_event *e,
    size_t n, int *fresh, struct pf_err *err)
{
	struct pf_state_op *seen;
	struct batch b = { NULL, 0, 0, 0 };
	size_t i;
	int rc = PF_OK;

	if (n == 0)
		return PF_OK;
	if ((seen = calloc(n, sizeof(*seen))) == NULL)
		return pf_err_set(err, PF_ENOMEM, "out of memory");
	for (i = 0; i < n && rc == PF_OK; i++)
		rc = seen_op(st, &e[i], &seen[i], err);
	if (rc == PF_OK)
		rc = pf_state_run(st, seen, n, err);
	for (i = 0; i < n && rc == PF_OK; i++) {
		fresh[i] = seen[i].result == 1;
		if (fresh[i])
			rc = event_ops(st, &b, &e[i], err);
	}
	if (rc == PF_OK && b.n > 0)
		rc = pf_state_run(st, b.op, b.n, err);
	free(b.op);
	free(seen);
	return rc;
}

/* facts of this file, for all_unknown */
static const int hist_facts[] = {
	PF_F_HIST_RCPT_NO_SUCH_USER, PF_F_HIST_RCPT_INACTIVE,
	PF_F_HIST_RCPT_MAILBOX_FULL, PF_F_HIST_RCPT_RATE,
	PF_F_HIST_RCPT_DOMAIN_POLICY, PF_F_HIST_RCPT_DOMAIN_ALLOWLIST,
	PF_F_HIST_IP_RATE_LIMITED, PF_F_HIST_IP_BLOCKED,
	PF_F_HIST_DOMAIN_RATE_LIMITED, PF_F_HIST_DOMAIN_BLOCKED,
};

/* all_unknown - every hist.* fact unknown, with the reason */
static void
all_unknown(struct pf_facts *f, enum pf_undecided u, const char *why)
{
	size_t i;

	for (i = 0; i < PF_NELEM(hist_facts); i++)
		pf_fact_unknown(f, hist_facts[i], u, why);
}

/* per recipient: ok, nouser, inactive, full, rate, dpol, dallow */
#define PER_RCPT	7

/* read_ops - the marks of every recipient */
static int
read_ops(struct pf_state *st, const char *const *rcpt, size_t n,
    struct pf_state_op *op, struct pf_err *err)
{
	static const char *mark[] = { "ok", "nouser", "inactive", "full",
	    "rate" };
	char h[PF_STATE_HASH_LEN + 1], dom[256];
	const char *at;
	size_t i, j;
	int rc;

	for (i = 0; i < n; i++) {
		if ((rc = hash_addr(st, rcpt[i], h, err)) != PF_OK)
			return rc;
		at = strrchr(rcpt[i], '@');
		lower(at != NULL ? at + 1 : "", dom, sizeof(dom));
		for (j = 0; j < PER_RCPT; j++) {
			op[i * PER_RCPT + j].op = PF_SOP_GET;
			if (j < 5)
				rc = pf_state_key(&op[i * PER_RCPT + j],
				    "hist.r.%s.%s", h, mark[j]);
			else
				rc = pf_state_key(&op[i * PER_RCPT + j],
				    j == 5 ? "hist.dpol.%s" : "hist.dallow.%s",
				    dom[0] != '\0' ? dom : "-");
			if (rc != PF_OK)	/* a domain too long */
				pf_state_key(&op[i * PER_RCPT + j], "hist.-");
		}
	}
	return PF_OK;
}

/* since - the mark's value, 0 if none */
static int64_t
since(const struct pf_state_op *o)
{
	return o->found ? o->result : 0;
}

/* ip_ops - the egress IP's and its network's reputation counts */
static void
ip_ops(const char *ip, struct pf_state_op *op)
{
	static const char *kind[] = { "t", "p" };
	char net[80];
	size_t i;

	for (i = 0; i < 4; i++) {
		op[i].op = PF_SOP_COUNT;
		op[i].window = i % 2 ? PF_HIST_IP_BLOCK_TTL :
		    PF_HIST_IP_RATE_TTL;
		if (i < 2)
			pf_state_key(&op[i], "hist.ip.%s.%s", ip, kind[i]);
		else if (netblock(ip, net, sizeof(net)))
			pf_state_key(&op[i], "hist.net.%s.%s", net,
			    kind[i - 2]);
		else
			pf_state_key(&op[i], "hist.-");
	}
}

/* ip_facts - hist.ip_*, or unknown with the egress IP's reason */
static void
ip_facts(const struct pf_state_op *op, const char *ip,
    const struct pf_facts *in, struct pf_facts *f)
{
	if (ip == NULL) {
		pf_fact_unknown(f, PF_F_HIST_IP_RATE_LIMITED,
		    pf_fact_reason(in, PF_F_EGRESS_IP),
		    pf_fact_why(in, PF_F_EGRESS_IP));
		pf_fact_unknown(f, PF_F_HIST_IP_BLOCKED,
		    pf_fact_reason(in, PF_F_EGRESS_IP),
		    pf_fact_why(in, PF_F_EGRESS_IP));
		return;
	}
	pf_fact_bool(f, PF_F_HIST_IP_RATE_LIMITED,
	    op[0].result + op[2].result > 0);
	pf_fact_bool(f, PF_F_HIST_IP_BLOCKED, op[1].result + op[3].result > 0);
}

/* domain_ops - the sender domain's reputation counts */
static void
domain_ops(const char *domain, struct pf_state_op *op)
{
	char sd[256];
	size_t i;

	lower(domain, sd, sizeof(sd));
	for (i = 0; i < 2; i++) {
		op[i].op = PF_SOP_COUNT;
		op[i].window = i ? PF_HIST_IP_BLOCK_TTL : PF_HIST_IP_RATE_TTL;
		if (sd[0] == '\0' || pf_state_key(&op[i], "hist.sdrep.%s.%s",
		    sd, i ? "p" : "t") != PF_OK)
			pf_state_key(&op[i], "hist.-");
	}
}

/* domain_facts - hist.sender_domain_*, unknown without a sender */
static void
domain_facts(const struct pf_state_op *op, const char *domain,
    struct pf_facts *f)
{
	if (domain == NULL) {
		pf_fact_unknown(f, PF_F_HIST_DOMAIN_RATE_LIMITED, PF_U_NO_INPUT,
		    "no envelope sender domain");
		pf_fact_unknown(f, PF_F_HIST_DOMAIN_BLOCKED, PF_U_NO_INPUT,
		    "no envelope sender domain");
		return;
	}
	pf_fact_bool(f, PF_F_HIST_DOMAIN_RATE_LIMITED, op[0].result > 0);
	pf_fact_bool(f, PF_F_HIST_DOMAIN_BLOCKED, op[1].result > 0);
}

/* pf_hist_read - the hist.* facts of a message */
void
pf_hist_read(struct pf_state *st, const char *const *rcpt, size_t n,
    const char *sender_domain, struct pf_facts *f)
{
	const char *sd = sender_domain != NULL && *sender_domain != '\0' ?
	    sender_domain : NULL;
	const char *ip = pf_fact_known(f, PF_F_EGRESS_IP) &&
	    pf_fact_gets(f, PF_F_EGRESS_IP)[0] != '\0' ?
	    pf_fact_gets(f, PF_F_EGRESS_IP) : NULL;
	int nouser = 0, inactive = 0, full = 0, rate = 0, pol = 0, allow = 0;
	int rc = PF_OK;
	struct pf_state_op *op, *o;
	struct pf_err err = { 0 };
	int64_t now, ok;
	size_t i;

	if (st == NULL) {
		all_unknown(f, PF_U_NOT_CONFIGURED,
		    "no state store (State none)");
		return;
	}
	if (n > 1000)
		n = 1000;
	if ((op = calloc(n * PER_RCPT + 6, sizeof(*op))) == NULL) {
		all_unknown(f, PF_U_NO_MEMORY, NULL);
		return;
	}
	/* after the recipients' ops: the IP's four, the domain's two */
	if (ip != NULL)
		ip_ops(ip, &op[n * PER_RCPT]);
	else
		for (i = 0; i < 4; i++) {
			op[n * PER_RCPT + i].op = PF_SOP_GET;
			pf_state_key(&op[n * PER_RCPT + i], "hist.-");
		}
	domain_ops(sd, &op[n * PER_RCPT + 4]);
	if ((rc = read_ops(st, rcpt, n, op, &err)) != PF_OK ||
	    (rc = pf_state_run(st, op, n * PER_RCPT + 6, &err)) != PF_OK) {
		all_unknown(f, rc == PF_ENOMEM ? PF_U_NO_MEMORY :
		    PF_U_STORE_UNREACHABLE, err.msg[0] != '\0' ? err.msg : NULL);
		free(op);
		return;
	}
	now = pf_state_now(st);
	for (i = 0; i < n; i++) {
		o = &op[i * PER_RCPT];
		ok = since(&o[0]);
		nouser |= since(&o[1]) > ok;
		inactive |= since(&o[2]) > ok;
		full |= since(&o[3]) > ok &&
		    now - since(&o[3]) < PF_HIST_FULL_TTL;
		rate |= since(&o[4]) != 0 &&
		    now - since(&o[4]) < PF_HIST_RATE_TTL;
		pol |= since(&o[5]) != 0 &&
		    now - since(&o[5]) < PF_HIST_DOMAIN_TTL;
		allow |= since(&o[6]) != 0 &&
		    now - since(&o[6]) < PF_HIST_DOMAIN_TTL;
	}
	ip_facts(&op[n * PER_RCPT], ip, f, f);
	domain_facts(&op[n * PER_RCPT + 4], sd, f);
	free(op);
	pf_fact_bool(f, PF_F_HIST_RCPT_NO_SUCH_USER, nouser);
	pf_fact_bool(f, PF_F_HIST_RCPT_INACTIVE, inactive);
	pf_fact_bool(f, PF_F_HIST_RCPT_MAILBOX_FULL, full);
	pf_fact_bool(f, PF_F_HIST_RCPT_RATE, rate);
	pf_fact_bool(f, PF_F_HIST_RCPT_DOMAIN_POLICY, pol);
	pf_fact_bool(f, PF_F_HIST_RCPT_DOMAIN_ALLOWLIST, allow);
}

/* pf_hist_enforcement - the form of the last sender-guideline reply */
int
pf_hist_enforcement(struct pf_state *st, const char *domain, int *form,
    struct pf_err *err)
{
	struct pf_state_op o[2];
	char sd[256];
	int rc;

	*form = 0;
	if (lower(domain, sd, sizeof(sd))[0] == '\0')
		return PF_OK;
	memset(o, 0, sizeof(o));
	o[0].op = o[1].op = PF_SOP_GET;
	if (pf_state_key(&o[0], "hist.sdform.%s.4", sd) != PF_OK ||
	    pf_state_key(&o[1], "hist.sdform.%s.5", sd) != PF_OK)
		return PF_OK;
	if ((rc = pf_state_run(st, o, 2, err)) != PF_OK)
		return rc;
	if (o[0].found || o[1].found)
		*form = since(&o[0]) > since(&o[1]) ? 4 : 5;
	return PF_OK;
}

/* find_row - the row of rule in rows[0..*got), added if new */
static struct pf_hist_rule *
find_row(struct pf_hist_rule *rows, size_t n, size_t *got, const char *rule,
    size_t len)
{
	size_t i;

	if (len >= sizeof(rows[0].rule))
		return NULL;
	for (i = 0; i < *got; i++)
		if (strlen(rows[i].rule) == len &&
		    strncmp(rows[i].rule, rule, len) == 0)
			return &rows[i];
	if (*got >= n)
		return NULL;
	memset(&rows[*got], 0, sizeof(rows[0]));
	memcpy(rows[*got].rule, rule, len);
	return &rows[(*got)++];
}

/* pf_hist_report - the per-rule counters of a range of days */
int
pf_hist_report(struct pf_state *st, int64_t from, int64_t to,
    struct pf_hist_rule *rows, size_t n, size_t *got, int64_t *delivered,
    int64_t *day_kind, struct pf_err *err)
{
	struct pf_state_row *scan;
	struct pf_hist_rule *r;
	char prefix[64], rule[64];
	const char *k, *dot;
	size_t i, ns, plen;
	int64_t d;
	int rc = PF_OK;

	*got = 0;
	*delivered = 0;
	if ((scan = calloc(SCAN_MAX, sizeof(*scan))) == NULL)
		return pf_err_set(err, PF_ENOMEM, "out of memory");
	for (d = from; d <= to && rc == PF_OK; d++) {
		plen = (size_t)snprintf(prefix, sizeof(prefix), "hist.day.%lld.",
		    (long long)d);
		if ((rc = pf_state_scan(st, prefix, DAY_WINDOW, scan, SCAN_MAX,
		    &ns, err)) != PF_OK)
			break;
		for (i = 0; i < ns; i++) {
			k = scan[i].key + plen;
			if ((dot = strrchr(k, '.')) == NULL || dot[1] == '\0')
				continue;
			if (strncmp(k, "=sent.", 6) == 0) {
				*delivered += scan[i].count;
				continue;
			}
			snprintf(rule, sizeof(rule), "%.*s", (int)(dot - k), k);
			if ((r = find_row(rows, n, got, k,
			    (size_t)(dot - k))) == NULL)
				continue;
			switch (dot[1]) {
			case 'r':
				r->refused += scan[i].count;
				if (day_kind != NULL)
					day_kind[(d - from) * PF_HIST_NKIND +
					    pf_hist_kind_of(rule)] +=
					    scan[i].count;
				break;
			case 'h': r->hits += scan[i].count; break;
			case 'f': r->false_alarms += scan[i].count; break;
			case 'm': r->misses += scan[i].count; break;
			}
		}
	}
	free(scan);
	return rc;
}

/* pf_hist_top - the largest per-scope counts */
int
pf_hist_top(struct pf_state *st, const char *prefix, uint32_t window,
    struct pf_state_row *rows, size_t n, size_t *got, struct pf_err *err)
{
	return pf_state_scan(st, prefix, window ? window : REPORT_WINDOW, rows,
	    n, got, err);
}
