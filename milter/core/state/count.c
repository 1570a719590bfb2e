/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * count.c - the history preflight keeps (docs/state.md) and the state.*
 * facts read from it.  Keys, one letter a kind:
 *
 *   r|H  recipient H: messages, windows 1 min, 1 h, 24 h
 *   m|H  Message-ID H: transactions, 24 h
 *   o|D  org. domain D of From: messages to personal Gmail, 24 h
 *   p|D  the peak of o|D (no expiry);  b|D  bulk since (sticky)
 *   s|H  envelope sender H via the relay: messages, 24 h
 *   n|H  its recipients each time, 24 h;  u|H  distinct ones, 24 h
 *   q|H  a sender-recipient pair already counted in u|, 24 h lifetime
 *   c|D  relay recipients of the sender's organization, 24 h and 10 min
 *   a|H  GmailAccount H (smtp.gmail.com): messages, 24 h
 *   e|H  its recipients, counted each time, 24 h
 *
 * H is pf_state_hash() of the lower-cased address or of the Message-ID:
 * the store holds domains, numbers and hashes, never an address.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/pf.h"
#include "base/facts.h"
#include "base/undecided.h"
#include "state/count.h"
#include "state/state.h"

#define ADDR_MAX	512

static const uint32_t rcpt_windows[3] = { PF_W_MINUTE, PF_W_HOUR, PF_W_DAY };

/* ops - a growable batch */
struct ops {
	struct pf_state_op *op;
	size_t		 n, cap;
};

/* push - one more op; NULL on ENOMEM */
static struct pf_state_op *
push(struct ops *b, enum pf_state_opcode code, uint32_t window, int64_t n)
{
	struct pf_state_op *o;

	if (b->n == b->cap) {
		size_t nc = b->cap ? b->cap * 2 : 32;

		if ((o = realloc(b->op, nc * sizeof(*o))) == NULL)
			return NULL;
		b->op = o;
		b->cap = nc;
	}
	o = &b->op[b->n++];
	memset(o, 0, sizeof(*o));
	o->op = code;
	o->window = window;
	o->n = n;
	return o;
}

/* norm - an address without angle brackets, lower case; its length */
static size_t
norm(const char *a, char *buf, size_t cap)
{
	size_t n = 0;

	if (*a == '<')
		a++;
	for (; *a != '\0' && *a != '>' && n + 1 < cap; a++)
		buf[n++] = (char)tolower((unsigned char)*a);
	buf[n] = '\0';
	return n;
}

/* hash_addr - the keyed hash of an address */
static int
hash_addr(struct pf_state *st, const char *a, char *h, struct pf_err *err)
{
	char buf[ADDR_MAX];
	size_t n = norm(a, buf, sizeof(buf));

	return pf_state_hash(st, buf, n, h, err);
}

/* hash_pair - the keyed hash of a sender and a recipient together */
static int
hash_pair(struct pf_state *st, const char *s, const char *r, char *h,
    struct pf_err *err)
{
	char buf[2 * ADDR_MAX + 1];
	size_t n = norm(s, buf, ADDR_MAX);

	buf[n++] = '\n';
	n += norm(r, buf + n, ADDR_MAX);
	return pf_state_hash(st, buf, n, h, err);
}

/* pf_state_personal - gmail.com or googlemail.com */
int
pf_state_personal(const char *addr)
{
	const char *at = strrchr(addr, '@');
	char d[64];
	size_t n;

	if (at == NULL)
		return 0;
	n = norm(at + 1, d, sizeof(d));
	return (n == 9 && strcmp(d, "gmail.com") == 0) ||
	    (n == 14 && strcmp(d, "googlemail.com") == 0);
}

/* personal - how many of the message's recipients are personal Gmail */
static int64_t
personal(const struct pf_state_msg *m)
{
	size_t i;
	int64_t n = 0;

	for (i = 0; i < m->nrcpt && i < PF_STATE_MAX_RCPT; i++)
		n += pf_state_personal(m->rcpt[i]);
	return n;
}

static int
has_sender(const struct pf_state_msg *m)
{
	return m->sender != NULL && m->sender[0] != '\0' &&
	    strcmp(m->sender, "<>") != 0;
}

/* nrcpt - the recipients counted */
static size_t
nrcpt(const struct pf_state_msg *m)
{
	return m->nrcpt < PF_STATE_MAX_RCPT ? m->nrcpt : PF_STATE_MAX_RCPT;
}

/* all_unknown - every state.* fact unknown for the same reason */
static void
all_unknown(struct pf_facts *f, enum pf_undecided u, const char *why)
{
	pf_fact_unknown_range(f, PF_F_STATE_RCPT_MINUTE,
	    PF_F_STATE_ACCOUNT_RCPTS, u, why);
}

/* date - a time as YYYY-MM-DD, UTC */
static void
date(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d", &tm);
}

/* op - one more op on the key KIND|NAME */
static int
op(struct ops *b, enum pf_state_opcode code, uint32_t w, int64_t n,
    char kind, const char *name)
{
	struct pf_state_op *o;

	if ((o = push(b, code, w, n)) == NULL)
		return PF_ENOMEM;
	if (pf_state_key(o, "%c|%s", kind, name) != PF_OK) {
		b->n--;
		return PF_ELIMIT;
	}
	return PF_OK;
}

/* on_addr - op on KIND|hash of an address */
static int
on_addr(struct pf_state *st, struct ops *b, enum pf_state_opcode code,
    uint32_t w, int64_t n, char kind, const char *addr, struct pf_err *err)
{
	char h[PF_STATE_HASH_LEN + 1];
	int rc;

	if ((rc = hash_addr(st, addr, h, err)) != PF_OK)
		return rc;
	return op(b, code, w, n, kind, h);
}

/* on_msgid - op on m|hash of the Message-ID, in the 24-hour window */
static int
on_msgid(struct pf_state *st, struct ops *b, enum pf_state_opcode code,
    int64_t n, const char *msgid, struct pf_err *err)
{
	char h[PF_STATE_HASH_LEN + 1];
	int rc;

	if ((rc = pf_state_hash(st, msgid, strlen(msgid), h, err)) != PF_OK)
		return rc;
	return op(b, code, PF_W_DAY, n, 'm', h);
}

/* per_rcpt - op on r| of every recipient, in its three windows */
static int
per_rcpt(struct pf_state *st, const struct pf_state_msg *m, struct ops *b,
    enum pf_state_opcode code, int64_t n, struct pf_err *err)
{
	size_t i, w;
	int rc;

	for (i = 0; i < nrcpt(m); i++)
		for (w = 0; w < 3; w++)
			if ((rc = on_addr(st, b, code, rcpt_windows[w], n, 'r',
			    m->rcpt[i], err)) != PF_OK)
				return rc;
	return PF_OK;
}

/* per_pair - op on q| of every sender-recipient pair (24 hours) */
static int
per_pair(struct pf_state *st, const struct pf_state_msg *m, struct ops *b,
    enum pf_state_opcode code, struct pf_err *err)
{
	char h[PF_STATE_HASH_LEN + 1];
	size_t i;
	int rc;

	for (i = 0; i < nrcpt(m); i++)
		if ((rc = hash_pair(st, m->sender, m->rcpt[i], h, err)) !=
		    PF_OK || (rc = op(b, code, PF_W_DAY, 0, 'q', h)) != PF_OK)
			return rc;
	return PF_OK;
}

/* read_ops - the batch that reads every fact of the message; the index
 * of the first op of each part is in idx[] */
enum { I_RCPT, I_MSGID, I_ORG, I_ACCOUNT, I_SENDER, I_PAIRS, I_CUST,
    I__N };

static int
read_ops(struct pf_state *st, const struct pf_state_msg *m, struct ops *b,
    size_t idx[I__N], struct pf_err *err)
{
	const char *a = m->account, *s = m->sender;
	int rc;

	idx[I_RCPT] = b->n;
	if ((rc = per_rcpt(st, m, b, PF_SOP_COUNT, 0, err)) != PF_OK)
		return rc;
	idx[I_MSGID] = b->n;
	if (m->msgid != NULL && (rc = on_msgid(st, b, PF_SOP_COUNT, 0,
	    m->msgid, err)) != PF_OK)
		return rc;
	idx[I_ORG] = b->n;
	if (m->org != NULL &&
	    ((rc = op(b, PF_SOP_COUNT, PF_W_DAY, 0, 'o', m->org)) != PF_OK ||
	    (rc = op(b, PF_SOP_GET, 0, 0, 'p', m->org)) != PF_OK ||
	    (rc = op(b, PF_SOP_GET, 0, 0, 'b', m->org)) != PF_OK))
		return rc;
	idx[I_ACCOUNT] = b->n;
	if (a != NULL &&
	    ((rc = on_addr(st, b, PF_SOP_COUNT, PF_W_DAY, 0, 'a', a, err)) !=
	    PF_OK ||
	    (rc = on_addr(st, b, PF_SOP_COUNT, PF_W_DAY, 0, 'e', a, err)) !=
	    PF_OK))
		return rc;
	idx[I_SENDER] = idx[I_PAIRS] = idx[I_CUST] = b->n;
	if (!m->relay || !has_sender(m))
		return PF_OK;
	if ((rc = on_addr(st, b, PF_SOP_COUNT, PF_W_DAY, 0, 's', s, err)) !=
	    PF_OK ||
	    (rc = on_addr(st, b, PF_SOP_COUNT, PF_W_DAY, 0, 'n', s, err)) !=
	    PF_OK ||
	    (rc = on_addr(st, b, PF_SOP_COUNT, PF_W_DAY, 0, 'u', s, err)) !=
	    PF_OK)
		return rc;
	idx[I_PAIRS] = b->n;
	if ((rc = per_pair(st, m, b, PF_SOP_GET, err)) != PF_OK)
		return rc;
	idx[I_CUST] = b->n;
	if (m->sender_org != NULL &&
	    ((rc = op(b, PF_SOP_COUNT, PF_W_DAY, 0, 'c', m->sender_org)) !=
	    PF_OK ||
	    (rc = op(b, PF_SOP_COUNT, PF_W_10MIN, 0, 'c', m->sender_org)) !=
	    PF_OK))
		return rc;
	return PF_OK;
}

/* set_rcpt - the busiest recipient's counts, this message included */
static void
set_rcpt(const struct pf_state_msg *m, const struct ops *b, size_t at,
    struct pf_facts *f)
{
	int64_t max[3] = { 0, 0, 0 };
	size_t i, w;

	for (i = 0; i < nrcpt(m); i++)
		for (w = 0; w < 3; w++)
			if (b->op[at + 3 * i + w].result > max[w])
				max[w] = b->op[at + 3 * i + w].result;
	if (nrcpt(m) == 0) {
		pf_fact_unknown(f, PF_F_STATE_RCPT_MINUTE, PF_U_NO_INPUT,
		    "no recipients");
		pf_fact_unknown(f, PF_F_STATE_RCPT_HOUR, PF_U_NO_INPUT,
		    "no recipients");
		pf_fact_unknown(f, PF_F_STATE_RCPT_DAY, PF_U_NO_INPUT,
		    "no recipients");
		return;
	}
	pf_fact_num(f, PF_F_STATE_RCPT_MINUTE, max[0] + 1);
	pf_fact_num(f, PF_F_STATE_RCPT_HOUR, max[1] + 1);
	pf_fact_num(f, PF_F_STATE_RCPT_DAY, max[2] + 1);
}

/* set_org - volume to personal Gmail, peak and bulk status */
static void
set_org(struct pf_state *st, const struct pf_state_msg *m,
    const struct ops *b, size_t at, int have, struct pf_facts *f,
    struct pf_state_memo *memo)
{
	int64_t day, peak, since = 0;
	char d[16] = "";

	if (m->org == NULL || !have) {
		const char *why = "the From address has no domain";

		pf_fact_unknown(f, PF_F_STATE_ORG_DOMAIN, PF_U_NO_INPUT, why);
		pf_fact_unknown(f, PF_F_STATE_ORG_PERSONAL_DAY, PF_U_NO_INPUT, why);
		pf_fact_unknown(f, PF_F_STATE_ORG_PEAK, PF_U_NO_INPUT, why);
		pf_fact_unknown(f, PF_F_STATE_BULK, PF_U_NO_INPUT, why);
		pf_fact_unknown(f, PF_F_STATE_BULK_SINCE, PF_U_NO_INPUT, why);
		return;
	}
	day = b->op[at].result + personal(m);
	peak = b->op[at + 1].result > day ? b->op[at + 1].result : day;
	if (b->op[at + 2].found)
		since = b->op[at + 2].result;
	else if (m->bulk_line > 0 && day >= m->bulk_line)
		since = pf_state_now(st);
	if (since != 0)
		date(since, d, sizeof(d));
	memo->org_day = day;
	pf_fact_strz(f, PF_F_STATE_ORG_DOMAIN, m->org);
	pf_fact_num(f, PF_F_STATE_ORG_PERSONAL_DAY, day);
	pf_fact_num(f, PF_F_STATE_ORG_PEAK, peak);
	pf_fact_bool(f, PF_F_STATE_BULK, since != 0);
	pf_fact_strz(f, PF_F_STATE_BULK_SINCE, d);
}

/* set_account - the smtp.gmail.com account's day, or unknown */
static void
set_account(const struct pf_state_msg *m, const struct ops *b, size_t at,
    struct pf_facts *f)
{
	const char *why = "the MTA does not send through smtp.gmail.com "
	    "(no GmailAccount)";

	if (m->account == NULL) {
		pf_fact_unknown(f, PF_F_STATE_ACCOUNT_MSGS, PF_U_NOT_CONFIGURED,
		    why);
		pf_fact_unknown(f, PF_F_STATE_ACCOUNT_RCPTS, PF_U_NOT_CONFIGURED,
		    why);
		return;
	}
	pf_fact_num(f, PF_F_STATE_ACCOUNT_MSGS, b->op[at].result + 1);
	pf_fact_num(f, PF_F_STATE_ACCOUNT_RCPTS, b->op[at + 1].result +
	    (int64_t)nrcpt(m));
}

/* set_relay - the relay counters, or unknown when not relaying */
static void
set_relay(const struct pf_state_msg *m, const struct ops *b,
    const size_t idx[I__N], struct pf_facts *f, struct pf_state_memo *memo)
{
	const char *why = !m->relay ? "mail is not relayed through "
	    "smtp-relay.gmail.com (RelayViaGoogle no)" :
	    "the envelope sender is empty";
	int64_t fresh = 0, n = (int64_t)nrcpt(m);
	size_t i;

	if (!m->relay || !has_sender(m)) {
		for (i = PF_F_STATE_RELAY_SENDER_MSGS;
		    i <= PF_F_STATE_RELAY_ORG_PEAK; i++)
			pf_fact_unknown(f, (int)i, m->relay ?
			    PF_U_NO_INPUT : PF_U_NOT_CONFIGURED, why);
		return;
	}
	for (i = idx[I_PAIRS]; i < idx[I_CUST]; i++)
		fresh += !b->op[i].found;
	memo->new_pairs = fresh;
	pf_fact_num(f, PF_F_STATE_RELAY_SENDER_MSGS,
	    b->op[idx[I_SENDER]].result + 1);
	pf_fact_num(f, PF_F_STATE_RELAY_SENDER_RCPTS,
	    b->op[idx[I_SENDER] + 1].result + n);
	pf_fact_num(f, PF_F_STATE_RELAY_SENDER_UNIQUE,
	    b->op[idx[I_SENDER] + 2].result + fresh);
	if (idx[I_CUST] + 2 > b->n) {
		pf_fact_unknown(f, PF_F_STATE_RELAY_ORG_DAY, PF_U_NO_INPUT,
		    "the envelope sender has no organizational domain");
		pf_fact_unknown(f, PF_F_STATE_RELAY_ORG_PEAK, PF_U_NO_INPUT,
		    "the envelope sender has no organizational domain");
		return;
	}
	pf_fact_num(f, PF_F_STATE_RELAY_ORG_DAY, b->op[idx[I_CUST]].result + n);
	pf_fact_num(f, PF_F_STATE_RELAY_ORG_PEAK,
	    b->op[idx[I_CUST] + 1].result + n);
}

/* pf_state_read - every state.* fact for this message */
void
pf_state_read(struct pf_state *st, const struct pf_state_msg *m,
    struct pf_facts *f, struct pf_state_memo *memo)
{
	struct ops b = { NULL, 0, 0 };
	struct pf_err err;
	size_t idx[I__N];
	char why[600];
	int rc;

	memset(memo, 0, sizeof(*memo));
	memset(&err, 0, sizeof(err));
	if (st == NULL) {
		all_unknown(f, PF_U_NOT_CONFIGURED,
		    "no state store (State none)");
		return;
	}
	if ((rc = read_ops(st, m, &b, idx, &err)) == PF_OK)
		rc = pf_state_run(st, b.op, b.n, &err);
	else if (rc == PF_ENOMEM || rc == PF_ELIMIT)
		pf_err_set(&err, rc, rc == PF_ENOMEM ? "out of memory" :
		    "a state key is too long");
	if (rc != PF_OK) {
		snprintf(why, sizeof(why), "%s", err.msg);
		all_unknown(f, rc == PF_ENOMEM ? PF_U_NO_MEMORY :
		    rc == PF_ELIMIT ? PF_U_TOO_LARGE : PF_U_STORE_UNREACHABLE,
		    why);
		free(b.op);
		return;
	}
	memo->read = 1;
	set_rcpt(m, &b, idx[I_RCPT], f);
	if (idx[I_ORG] > idx[I_MSGID])
		pf_fact_num(f, PF_F_STATE_MSGID_TRANSACTIONS,
		    b.op[idx[I_MSGID]].result + 1);
	else
		pf_fact_unknown(f, PF_F_STATE_MSGID_TRANSACTIONS, PF_U_NO_INPUT,
		    "the message has no Message-ID");
	set_org(st, m, &b, idx[I_ORG], idx[I_ACCOUNT] - idx[I_ORG] == 3, f,
	    memo);
	set_account(m, &b, idx[I_ACCOUNT], f);
	set_relay(m, &b, idx, f, memo);
	free(b.op);
}

/* count_org - the org. domain's volume to personal Gmail, its peak, and
 * the bulk mark once the line is reached */
static int
count_org(struct pf_state *st, const struct pf_state_msg *m,
    const struct pf_state_memo *memo, struct ops *b, int64_t pers)
{
	int64_t day = memo->org_day + pers - personal(m);
	int rc;

	if ((rc = op(b, PF_SOP_ADD, PF_W_DAY, pers, 'o', m->org)) != PF_OK)
		return rc;
	if (!memo->read)
		return PF_OK;
	if ((rc = op(b, PF_SOP_MAX, 0, day, 'p', m->org)) != PF_OK)
		return rc;
	if (m->bulk_line > 0 && day >= m->bulk_line)
		return op(b, PF_SOP_MARK, 0, pf_state_now(st), 'b', m->org);
	return PF_OK;
}

/* count_relay - the envelope sender's and its organization's counts */
static int
count_relay(struct pf_state *st, const struct pf_state_msg *m,
    const struct pf_state_memo *memo, struct ops *b, int64_t x, int64_t n,
    struct pf_err *err)
{
	const char *s = m->sender, *c = m->sender_org;
	int rc;

	if ((rc = on_addr(st, b, PF_SOP_ADD, PF_W_DAY, x, 's', s, err)) !=
	    PF_OK ||
	    (rc = on_addr(st, b, PF_SOP_ADD, PF_W_DAY, n, 'n', s, err)) !=
	    PF_OK)
		return rc;
	if (memo->read && memo->new_pairs > 0 &&
	    (rc = on_addr(st, b, PF_SOP_ADD, PF_W_DAY, memo->new_pairs, 'u',
	    s, err)) != PF_OK)
		return rc;
	if ((rc = per_pair(st, m, b, PF_SOP_FIRST, err)) != PF_OK)
		return rc;
	if (c != NULL &&
	    ((rc = op(b, PF_SOP_ADD, PF_W_DAY, n, 'c', c)) != PF_OK ||
	    (rc = op(b, PF_SOP_ADD, PF_W_10MIN, n, 'c', c)) != PF_OK))
		return rc;
	return PF_OK;
}

/* count_ops - the writes for one message sent (times times) */
static int
count_ops(struct pf_state *st, const struct pf_state_msg *m,
    const struct pf_state_memo *memo, struct ops *b, struct pf_err *err)
{
	int64_t x = m->times > 0 ? m->times : 1;
	int64_t pers = personal(m) * x, n = (int64_t)nrcpt(m) * x;
	const char *a = m->account;
	int rc;

	if ((rc = per_rcpt(st, m, b, PF_SOP_ADD, x, err)) != PF_OK)
		return rc;
	if (m->msgid != NULL && (rc = on_msgid(st, b, PF_SOP_ADD, x,
	    m->msgid, err)) != PF_OK)
		return rc;
	if (m->org != NULL && pers > 0 &&
	    (rc = count_org(st, m, memo, b, pers)) != PF_OK)
		return rc;
	if (a != NULL &&
	    ((rc = on_addr(st, b, PF_SOP_ADD, PF_W_DAY, x, 'a', a, err)) !=
	    PF_OK ||
	    (rc = on_addr(st, b, PF_SOP_ADD, PF_W_DAY, n, 'e', a, err)) !=
	    PF_OK))
		return rc;
	if (!m->relay || !has_sender(m))
		return PF_OK;
	return count_relay(st, m, memo, b, x, n, err);
}

/* pf_state_count - the message was sent: count it */
int
pf_state_count(struct pf_state *st, const struct pf_state_msg *m,
    const struct pf_state_memo *memo, struct pf_err *err)
{
	struct ops b = { NULL, 0, 0 };
	int rc;

	if (st == NULL)
		return PF_OK;
	if ((rc = pf_state_writable(st, err)) != PF_OK)
		return rc;
	if ((rc = count_ops(st, m, memo, &b, err)) == PF_ENOMEM ||
	    rc == PF_ELIMIT)
		rc = pf_err_set(err, rc, rc == PF_ENOMEM ? "out of memory" :
		    "a state key is too long");
	else if (rc == PF_OK && b.n > 0)
		rc = pf_state_record(st, b.op, b.n, err);
	free(b.op);
	return rc;
}

/* addr_ops - the reads (or deletes) of everything kept for an address */
#define ADDR_OPS	8

static int
addr_ops(struct pf_state *st, const char *addr, enum pf_state_opcode code,
    struct pf_state_op o[ADDR_OPS], char *h, struct pf_err *err)
{
	static const uint32_t w[ADDR_OPS] = { PF_W_MINUTE, PF_W_HOUR,
	    PF_W_DAY, PF_W_DAY, PF_W_DAY, PF_W_DAY, PF_W_DAY, PF_W_DAY };
	static const char *const k[ADDR_OPS] = { "r", "r", "r", "s", "n", "u",
	    "a", "e" };
	size_t i;
	int rc;

	if ((rc = hash_addr(st, addr, h, err)) != PF_OK)
		return rc;
	memset(o, 0, ADDR_OPS * sizeof(*o));
	for (i = 0; i < ADDR_OPS; i++) {
		o[i].op = code;
		o[i].window = w[i];
		pf_state_key(&o[i], "%s|%s", k[i], h);
	}
	return PF_OK;
}

/* pf_state_show_addr - what is kept for one address (recipient, sender) */
int
pf_state_show_addr(struct pf_state *st, const char *addr,
    struct pf_state_view *v, char h[PF_STATE_HASH_LEN + 1],
    struct pf_err *err)
{
	struct pf_state_op o[ADDR_OPS];
	int rc;

	memset(v, 0, sizeof(*v));
	if ((rc = addr_ops(st, addr, PF_SOP_COUNT, o, h, err)) != PF_OK ||
	    (rc = pf_state_run(st, o, ADDR_OPS, err)) != PF_OK)
		return rc;
	v->rcpt_minute = o[0].result;
	v->rcpt_hour = o[1].result;
	v->rcpt_day = o[2].result;
	v->relay_msgs = o[3].result;
	v->relay_rcpts = o[4].result;
	v->relay_unique = o[5].result;
	v->account_msgs = o[6].result;
	v->account_rcpts = o[7].result;
	return PF_OK;
}

/* dom_ops - the reads (or deletes) of everything kept for a domain */
static size_t
dom_ops(const char *org, int del, struct pf_state_op o[5])
{
	memset(o, 0, 5 * sizeof(*o));
	o[0].op = del ? PF_SOP_DEL : PF_SOP_COUNT;
	o[0].window = PF_W_DAY;
	o[1].op = del ? PF_SOP_DEL : PF_SOP_GET;
	o[2].op = del ? PF_SOP_DEL : PF_SOP_GET;
	o[3].op = del ? PF_SOP_DEL : PF_SOP_COUNT;
	o[3].window = PF_W_DAY;
	o[4].op = del ? PF_SOP_DEL : PF_SOP_COUNT;
	o[4].window = PF_W_10MIN;
	if (pf_state_key(&o[0], "o|%s", org) != PF_OK)
		return 0;
	pf_state_key(&o[1], "p|%s", org);
	pf_state_key(&o[2], "b|%s", org);
	pf_state_key(&o[3], "c|%s", org);
	pf_state_key(&o[4], "c|%s", org);
	return 5;
}

/* pf_state_show_domain - volume, peak and bulk status of a domain */
int
pf_state_show_domain(struct pf_state *st, const char *org,
    struct pf_state_view *v, struct pf_err *err)
{
	struct pf_state_op o[5];
	int rc;

	memset(v, 0, sizeof(*v));
	if (dom_ops(org, 0, o) == 0)
		return pf_err_set(err, PF_ELIMIT, "domain name too long");
	if ((rc = pf_state_run(st, o, 5, err)) != PF_OK)
		return rc;
	v->org_day = o[0].result;
	v->org_peak = o[1].result;
	v->bulk_since = o[2].found ? o[2].result : 0;
	v->relay_org_day = o[3].result;
	v->relay_org_10min = o[4].result;
	return PF_OK;
}

/* pf_state_forget_addr - drop what is kept for an address */
int
pf_state_forget_addr(struct pf_state *st, const char *addr,
    struct pf_err *err)
{
	struct pf_state_op o[ADDR_OPS];
	char h[PF_STATE_HASH_LEN + 1];
	int rc;

	if ((rc = addr_ops(st, addr, PF_SOP_DEL, o, h, err)) != PF_OK)
		return rc;
	return pf_state_run(st, o, ADDR_OPS, err);
}

/* pf_state_forget_domain - drop what is kept for a domain, bulk mark
 * included */
int
pf_state_forget_domain(struct pf_state *st, const char *org,
    struct pf_err *err)
{
	struct pf_state_op o[5];

	if (dom_ops(org, 1, o) == 0)
		return pf_err_set(err, PF_ELIMIT, "domain name too long");
	return pf_state_run(st, o, 5, err);
}
