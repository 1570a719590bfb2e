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
 *   hist.sdrep.DOMAIN.{t,p}                 domain reputation, as for an
 *   hist.dkrep.DOMAIN.{t,p}                 IP, of the envelope sender's
 *   hist.orgrep.DOMAIN.{t,p}                (SPF) domain, of each DKIM d=
 *                                           and of From:'s organizational
 *                                           domain
 *   hist.dk428.DOMAIN, hist.spf428.DOMAIN   the 4.7.28 DKIM- and SPF-domain
 *                                           forms, 1-hour window
 *   hist.sdform.DOMAIN.{4,5}                the last sender-guideline
 *                                           reply of each form
 *   hist.dpol.DOMAIN, hist.dallow.DOMAIN    the last policy or allowlist
 *                                           refusal of a recipient domain
 *   hist.rd.DOMAIN                          refusals per recipient domain,
 *                                           30-day window, for reports
 *   hist.day.DAY.RULE.{r,h,f,m}             per UTC day and rule: refused,
 *                                           hits, false alarms, misses;
 *                                           RULE "=sent" counts deliveries
 *   hist.seen.H                             a counted line (idempotence)
 *   hist.ts.d.DAY.{s,i}.SCOPE.COL           per UTC day (400 days) and hour
 *   hist.ts.h.HOUR.{s,i}.SCOPE.COL          (14 days), per sender domain
 *                                           (s) and egress IP (i): the
 *                                           deliveries and refusals by kind
 *                                           (COL, pf_hist_col_name)
 * The kinds of reply are named by entry id below: which Gmail replies are
 * about a recipient, an IP or a domain is the catalog's meaning, kept
 * here next to the keys it decides.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
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
#define HOUR_WINDOW	((uint32_t)PF_HIST_HOURS * 3600u)
#define DKIM_MAX	8	/* DKIM domains of one message looked at */
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

/* dkim_next - the next d= of a comma- or space-separated list into buf
 * (lower case); NULL at the end */
static const char *
dkim_next(const char *p, char *buf, size_t bsz)
{
	size_t n = 0;

	while (p != NULL && (*p == ',' || *p == ' '))
		p++;
	if (p == NULL || *p == '\0')
		return NULL;
	for (; *p != '\0' && *p != ',' && *p != ' '; p++)
		if (n + 1 < bsz)
			buf[n++] = (char)tolower((unsigned char)*p);
	buf[n] = '\0';
	return p;
}

/* domain_ops_w - a domain-reputation reply, or a 4.7.28 domain form,
 * under the domains it is about: the DKIM form under each d=, the SPF
 * form under the envelope sender's domain, a reputation reply (Gmail
 * does not say which of its domains) under all three kinds of sender
 * domain; the URL form names no domain of the sender */
static void
domain_ops_w(struct batch *b, const struct pf_hist_event *e)
{
	const char *form = e->permanent ? "p" : "t", *p = e->dkim_domains;
	int dkim = strcmp(e->rule, "unusual-rate-dkim-domain") == 0;
	int spf = strcmp(e->rule, "unusual-rate-spf-domain") == 0;
	char d[256];
	size_t i;

	if (strcmp(e->rule, "unusual-rate-url-domain") == 0)
		return;
	if (!dkim && lower(e->sender_domain, d, sizeof(d))[0] != '\0')
		put(b, PF_SOP_ADD, IP_WINDOW(e), 1, spf ? "hist.spf428.%s%s" :
		    "hist.sdrep.%s.%s", d, spf ? NULL : form);
	if (spf)
		return;
	for (i = 0; i < DKIM_MAX && (p = dkim_next(p, d, sizeof(d))) != NULL;
	    i++)
		if (d[0] != '\0')
			put(b, PF_SOP_ADD, IP_WINDOW(e), 1, dkim ?
			    "hist.dk428.%s%s" : "hist.dkrep.%s.%s", d,
			    dkim ? NULL : form);
	if (!dkim && lower(e->from_org, d, sizeof(d))[0] != '\0')
		put(b, PF_SOP_ADD, IP_WINDOW(e), 1, "hist.orgrep.%s.%s", d,
		    form);
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
		if (k == PF_H_IP && now - e->when < IP_WINDOW(e)) {
			put(b, PF_SOP_ADD, IP_WINDOW(e), 1, "hist.ip.%s.%s",
			    e->egress_ip, e->permanent ? "p" : "t");
			if (netblock(e->egress_ip, net, sizeof(net)))
				put(b, PF_SOP_ADD, IP_WINDOW(e), 1,
				    "hist.net.%s.%s", net,
				    e->permanent ? "p" : "t");
		}
	}
	if (k == PF_H_DOMAIN && now - e->when < IP_WINDOW(e))
		domain_ops_w(b, e);
	if (lower(e->sender_domain, sd, sizeof(sd))[0] == '\0')
		return;
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

static const char *col_names[PF_HIST_NCOL] = {
	"delivered", "other", "no_such_user", "inactive", "mailbox_full",
	"receiving_rate", "ip_reputation", "domain_reputation",
	"domain_policy", "allowlist"
};

/* pf_hist_col_name - a column's name in keys and JSON */
const char *
pf_hist_col_name(size_t col)
{
	return col < PF_HIST_NCOL ? col_names[col] : "";
}

/* series_ops - the answer in the day's and the hour's bucket of its
 * sender domain and egress IP (the hour only while it is kept) */
static void
series_ops(struct batch *b, const struct pf_hist_event *e,
    enum pf_hist_kind k, int64_t now)
{
	char pre[64], sc[320], sd[256];
	const char *ip = e->egress_ip != NULL && e->egress_ip[0] != '\0' ?
	    e->egress_ip : e->egress_host;
	const char *col;
	int hour = now - e->when < (int64_t)HOUR_WINDOW;
	int i;

	if (!e->delivered && e->rule == NULL)
		return;
	col = pf_hist_col_name(e->delivered ? 0 : 1 + (size_t)k);
	lower(e->sender_domain, sd, sizeof(sd));
	for (i = 0; i < 4; i++) {
		const char *scope = i % 2 ? ip : sd;

		if (scope == NULL || scope[0] == '\0' || (i >= 2 && !hour))
			continue;
		snprintf(pre, sizeof(pre), "hist.ts.%c.%lld.%c.",
		    i < 2 ? 'd' : 'h', (long long)(i < 2 ? e->when / 86400 :
		    e->when / 3600), i % 2 ? 'i' : 's');
		if ((size_t)snprintf(sc, sizeof(sc), "%s.%s", scope, col) <
		    sizeof(sc))
			put(b, PF_SOP_ADD, i < 2 ? DAY_WINDOW : HOUR_WINDOW, 1,
			    "%s%s", pre, sc);
	}
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
	series_ops(b, e, k, pf_state_now(st));
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
	/* the store must exist before the marks are hashed with its salt */
	if ((rc = pf_state_writable(st, err)) != PF_OK)
		return rc;
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
	PF_F_HIST_DKIM_RATE_LIMITED, PF_F_HIST_DKIM_BLOCKED,
	PF_F_HIST_ORG_RATE_LIMITED, PF_F_HIST_ORG_BLOCKED,
	PF_F_HIST_DKIM_UNUSUAL_RATE, PF_F_HIST_SPF_UNUSUAL_RATE,
};

/* all_unknown - every hist.* fact unknown, with the reason */
static void
all_unknown(struct pf_facts *f, enum pf_undecided u, const char *why)
{
	pf_fact_unknown_ids(f, hist_facts, PF_NELEM(hist_facts), u, why);
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

/* after the recipients' ops, the sender's: the IP's four, then per
 * domain its reputation (t, p) and its 4.7.28 form */
#define T_IP	0
#define T_SPF	4
#define T_ORG	7
#define T_DKIM	10
#define TAIL	(T_DKIM + 3 * DKIM_MAX)

/* dom_ops - the reputation counts of one domain (three ops); a missing
 * domain reads nothing */
static void
dom_ops(const char *domain, const char *rep, const char *form,
    struct pf_state_op *op)
{
	char d[256];
	size_t i;

	lower(domain, d, sizeof(d));
	for (i = 0; i < 3; i++) {
		op[i].op = PF_SOP_COUNT;
		op[i].window = i == 1 ? PF_HIST_IP_BLOCK_TTL :
		    PF_HIST_IP_RATE_TTL;
		if (d[0] == '\0' || (i < 2 && pf_state_key(&op[i],
		    "hist.%s.%s.%s", rep, d, i ? "p" : "t") != PF_OK) ||
		    (i == 2 && (form == NULL || pf_state_key(&op[i],
		    "hist.%s.%s", form, d) != PF_OK)))
			pf_state_key(&op[i], "hist.-");
	}
}

/* sender_reads - the IP's and every sender domain's counts */
static void
sender_reads(const char *ip, const struct pf_hist_who *w,
    struct pf_state_op *op)
{
	const char *p = w->dkim_domains;
	char d[256];
	size_t i;

	if (ip != NULL)
		ip_ops(ip, &op[T_IP]);
	else
		for (i = 0; i < 4; i++) {
			op[T_IP + i].op = PF_SOP_GET;
			pf_state_key(&op[T_IP + i], "hist.-");
		}
	dom_ops(w->sender_domain, "sdrep", "spf428", &op[T_SPF]);
	dom_ops(w->from_org, "orgrep", NULL, &op[T_ORG]);
	for (i = 0; i < DKIM_MAX; i++) {
		p = dkim_next(p, d, sizeof(d));
		dom_ops(p != NULL ? d : NULL, "dkrep", "dk428",
		    &op[T_DKIM + 3 * i]);
	}
}

/* sender_facts - hist.ip_*, hist.sender_domain_* (unknown without a
 * sender), hist.dkim_domain_* and hist.from_org_* (false without one) */
static void
sender_facts(const struct pf_state_op *op, const char *ip,
    const struct pf_hist_who *w, struct pf_facts *f)
{
	int64_t dt = 0, dp = 0, du = 0;
	size_t i;

	ip_facts(&op[T_IP], ip, f, f);
	for (i = 0; i < DKIM_MAX; i++) {
		dt += op[T_DKIM + 3 * i].result;
		dp += op[T_DKIM + 3 * i + 1].result;
		du += op[T_DKIM + 3 * i + 2].result;
	}
	pf_fact_bool(f, PF_F_HIST_DKIM_RATE_LIMITED, dt > 0);
	pf_fact_bool(f, PF_F_HIST_DKIM_BLOCKED, dp > 0);
	pf_fact_bool(f, PF_F_HIST_DKIM_UNUSUAL_RATE, du > 0);
	pf_fact_bool(f, PF_F_HIST_ORG_RATE_LIMITED, op[T_ORG].result > 0);
	pf_fact_bool(f, PF_F_HIST_ORG_BLOCKED, op[T_ORG + 1].result > 0);
	if (w->sender_domain == NULL) {
		pf_fact_unknown(f, PF_F_HIST_DOMAIN_RATE_LIMITED, PF_U_NO_INPUT,
		    "no envelope sender domain");
		pf_fact_unknown(f, PF_F_HIST_DOMAIN_BLOCKED, PF_U_NO_INPUT,
		    "no envelope sender domain");
		pf_fact_unknown(f, PF_F_HIST_SPF_UNUSUAL_RATE, PF_U_NO_INPUT,
		    "no envelope sender domain");
		return;
	}
	pf_fact_bool(f, PF_F_HIST_DOMAIN_RATE_LIMITED, op[T_SPF].result > 0);
	pf_fact_bool(f, PF_F_HIST_DOMAIN_BLOCKED, op[T_SPF + 1].result > 0);
	pf_fact_bool(f, PF_F_HIST_SPF_UNUSUAL_RATE, op[T_SPF + 2].result > 0);
}

/* nonempty - s, or NULL when it is NULL or "" */
static const char *
nonempty(const char *s)
{
	return s != NULL && *s != '\0' ? s : NULL;
}

/* pf_hist_read - the hist.* facts of a message */
void
pf_hist_read(struct pf_state *st, const char *const *rcpt, size_t n,
    const struct pf_hist_who *who, struct pf_facts *f)
{
	struct pf_hist_who w = { NULL, NULL, NULL };
	const char *ip = pf_fact_known(f, PF_F_EGRESS_IP) &&
	    pf_fact_gets(f, PF_F_EGRESS_IP)[0] != '\0' ?
	    pf_fact_gets(f, PF_F_EGRESS_IP) : NULL;
	int nouser = 0, inactive = 0, full = 0, rate = 0, pol = 0, allow = 0;
	int rc = PF_OK;
	struct pf_state_op *op, *o;
	struct pf_err err = { 0 };
	int64_t now, ok;
	size_t i;

	if (who != NULL) {
		w.sender_domain = nonempty(who->sender_domain);
		w.dkim_domains = nonempty(who->dkim_domains);
		w.from_org = nonempty(who->from_org);
	}
	if (st == NULL) {
		all_unknown(f, PF_U_NOT_CONFIGURED,
		    "no state store (State none)");
		return;
	}
	if (n > 1000)
		n = 1000;
	if ((op = calloc(n * PER_RCPT + TAIL, sizeof(*op))) == NULL) {
		all_unknown(f, PF_U_NO_MEMORY, NULL);
		return;
	}
	sender_reads(ip, &w, &op[n * PER_RCPT]);
	if ((rc = read_ops(st, rcpt, n, op, &err)) != PF_OK ||
	    (rc = pf_state_run(st, op, n * PER_RCPT + TAIL, &err)) != PF_OK) {
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
		rate |= since(&o[4]) > ok &&
		    now - since(&o[4]) < PF_HIST_RATE_TTL;
		pol |= since(&o[5]) != 0 &&
		    now - since(&o[5]) < PF_HIST_DOMAIN_TTL;
		allow |= since(&o[6]) != 0 &&
		    now - since(&o[6]) < PF_HIST_DOMAIN_TTL;
	}
	sender_facts(&op[n * PER_RCPT], ip, &w, f);
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

/* the per-rule counters of a range of days, while the store is scanned */
struct days {
	struct pf_hist_rule	*rows;
	size_t			 n, *got;
	int64_t			 from, to, *delivered, *day_kind;
};

/* bucket_of - the number that starts key "N.REST" (a day or an hour);
 * *rest points past its dot; -1 if there is none */
static int64_t
bucket_of(const char *key, const char **rest)
{
	char *end;
	long long v;

	if (*key < '0' || *key > '9')
		return -1;
	errno = 0;
	v = strtoll(key, &end, 10);
	if (errno != 0 || *end != '.')
		return -1;
	*rest = end + 1;
	return v;
}

/* day_row - one counter "hist.day.D.RULE.K" */
static void
day_row(void *arg, const char *key, size_t klen, int64_t count)
{
	struct days *a = arg;
	struct pf_hist_rule *r;
	char buf[PF_STATE_KEY_MAX], rule[64];
	const char *k, *dot;
	int64_t d;

	if (klen >= sizeof(buf))
		return;
	memcpy(buf, key, klen);
	buf[klen] = '\0';
	if ((d = bucket_of(buf + strlen("hist.day."), &k)) < a->from ||
	    d > a->to)
		return;
	if ((dot = strrchr(k, '.')) == NULL || dot[1] == '\0')
		return;
	if (strncmp(k, "=sent.", 6) == 0) {
		*a->delivered += count;
		return;
	}
	snprintf(rule, sizeof(rule), "%.*s", (int)(dot - k), k);
	if ((r = find_row(a->rows, a->n, a->got, k, (size_t)(dot - k))) ==
	    NULL)
		return;
	switch (dot[1]) {
	case 'r':
		r->refused += count;
		if (a->day_kind != NULL)
			a->day_kind[(d - a->from) * PF_HIST_NKIND +
			    pf_hist_kind_of(rule)] += count;
		break;
	case 'h': r->hits += count; break;
	case 'f': r->false_alarms += count; break;
	case 'm': r->misses += count; break;
	}
}

/* pf_hist_report - the per-rule counters of a range of days, in one
 * pass over the store */
int
pf_hist_report(struct pf_state *st, int64_t from, int64_t to,
    struct pf_hist_rule *rows, size_t n, size_t *got, int64_t *delivered,
    int64_t *day_kind, struct pf_err *err)
{
	struct days a = { rows, n, got, from, to, delivered, day_kind };

	*got = 0;
	*delivered = 0;
	return pf_state_each(st, "hist.day.", DAY_WINDOW, day_row, &a, err);
}

/* pf_hist_top - the largest per-scope counts */
int
pf_hist_top(struct pf_state *st, const char *prefix, uint32_t window,
    struct pf_state_row *rows, size_t n, size_t *got, struct pf_err *err)
{
	return pf_state_scan(st, prefix, window ? window : REPORT_WINDOW, rows,
	    n, got, err);
}

/* a growing list of scopes, while the series is gathered */
struct scopes {
	struct pf_hist_scope	*v;
	size_t			 n, cap, nbucket;
};

/* scope_of - the entry of key in a list, added if new; NULL when the
 * list is full or out of memory */
static struct pf_hist_scope *
scope_of(struct scopes *l, const char *key, size_t len)
{
	struct pf_hist_scope *p;
	size_t i;

	if (len == 0 || len >= sizeof(l->v[0].key))
		return NULL;
	for (i = 0; i < l->n; i++)
		if (strncmp(l->v[i].key, key, len) == 0 &&
		    l->v[i].key[len] == '\0')
			return &l->v[i];
	if (l->n == PF_HIST_SCOPES_MAX)
		return NULL;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 32;

		if ((p = realloc(l->v, nc * sizeof(*p))) == NULL)
			return NULL;
		l->v = p;
		l->cap = nc;
	}
	p = &l->v[l->n];
	memset(p, 0, sizeof(*p));
	if ((p->n = calloc(l->nbucket * PF_HIST_NCOL, sizeof(*p->n))) == NULL)
		return NULL;
	memcpy(p->key, key, len);
	l->n++;
	return p;
}

/* col_of - the column of a name, -1 if none */
static int
col_of(const char *name)
{
	size_t i;

	for (i = 0; i < PF_HIST_NCOL; i++)
		if (strcmp(col_names[i], name) == 0)
			return (int)i;
	return -1;
}

/* series_row - one scanned counter "s.SCOPE.COL" of bucket b */
static void
series_row(struct scopes *l, const char *k, int64_t count, size_t b)
{
	const char *dot = strrchr(k, '.');
	struct pf_hist_scope *sc;
	int col;

	if (dot == NULL || dot < k + 2 || (col = col_of(dot + 1)) < 0 ||
	    (sc = scope_of(&l[k[0] == 'i'], k + 2, (size_t)(dot - k - 2))) ==
	    NULL)
		return;
	sc->n[b * PF_HIST_NCOL + (size_t)col] += count;
	sc->total += count;
}

/* cmp_scope - the largest total first, then by name */
static int
cmp_scope(const void *a, const void *b)
{
	const struct pf_hist_scope *x = a, *y = b;

	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return strcmp(x->key, y->key);
}

/* fold - keep the top scopes, the rest summed into one entry (key "") */
static void
fold(struct scopes *l, size_t top)
{
	struct pf_hist_scope *rest;
	size_t i, j;

	if (l->n <= 1)		/* l->v may be NULL: nothing to sort */
		return;
	qsort(l->v, l->n, sizeof(l->v[0]), cmp_scope);
	if (l->n <= top + 1)
		return;
	rest = &l->v[top];
	rest->key[0] = '\0';
	rest->folded = l->n - top;
	for (i = top + 1; i < l->n; i++) {
		for (j = 0; j < l->nbucket * PF_HIST_NCOL; j++)
			rest->n[j] += l->v[i].n[j];
		rest->total += l->v[i].total;
		free(l->v[i].n);
	}
	l->n = top + 1;
}

/* the series while the store is scanned */
struct series {
	struct scopes	*l;
	size_t		 plen;
	int64_t		 first;
};

/* series_each - one counter "hist.ts.X.N.s.SCOPE.COL" */
static void
series_each(void *arg, const char *key, size_t klen, int64_t count)
{
	struct series *a = arg;
	char buf[PF_STATE_KEY_MAX];
	const char *k;
	int64_t b;

	if (klen >= sizeof(buf))
		return;
	memcpy(buf, key, klen);
	buf[klen] = '\0';
	if ((b = bucket_of(buf + a->plen, &k)) < a->first ||
	    b - a->first >= (int64_t)a->l[0].nbucket)
		return;
	series_row(a->l, k, count, (size_t)(b - a->first));
}

/* pf_hist_series - what Gmail answered per sender domain and egress IP,
 * per day or hour, in one pass over the store */
int
pf_hist_series(struct pf_state *st, int hourly, int64_t first,
    size_t nbucket, size_t top, struct pf_hist_series *out,
    struct pf_err *err)
{
	struct scopes l[2];
	const char *prefix = hourly ? "hist.ts.h." : "hist.ts.d.";
	struct series a = { l, strlen(prefix), first };
	int rc;

	memset(out, 0, sizeof(*out));
	memset(l, 0, sizeof(l));
	l[0].nbucket = l[1].nbucket = nbucket;
	rc = pf_state_each(st, prefix, hourly ? HOUR_WINDOW : DAY_WINDOW,
	    series_each, &a, err);
	fold(&l[0], top);
	fold(&l[1], top);
	out->hourly = hourly;
	out->first = first;
	out->nbucket = nbucket;
	out->sd = l[0].v;
	out->nsd = l[0].n;
	out->ip = l[1].v;
	out->nip = l[1].n;
	if (rc != PF_OK)
		pf_hist_series_free(out);
	return rc;
}

/* pf_hist_series_free - what pf_hist_series allocated */
void
pf_hist_series_free(struct pf_hist_series *s)
{
	size_t i;

	for (i = 0; i < s->nsd; i++)
		free(s->sd[i].n);
	for (i = 0; i < s->nip; i++)
		free(s->ip[i].n);
	free(s->sd);
	free(s->ip);
	memset(s, 0, sizeof(*s));
}
