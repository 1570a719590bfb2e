/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auth.c - the checks that need DNS, tied together.  One shared context per
 * engine (resolver, libspf2 server, libopendkim library, Public Suffix
 * List, declared signers); per message, an observer that verifies DKIM as
 * the message streams and predicts the signature a later signer will add,
 * then an evaluation that runs SPF and PTR for each configured egress
 * address (reporting the worst), DMARC, and the recipient domains.  Every
 * fact it cannot decide (no egress address, --no-dns, a DNS timeout) is
 * marked unknown with the reason: never a pass or a fail it did not see.
 * Input trusted: the config snapshot; the message only through the
 * modules, which bound what they read.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpsl.h>

#include "auth/auth.h"
#include "auth/dkim.h"
#include "auth/dmarc.h"
#include "auth/dns.h"
#include "auth/prefetch.h"
#include "auth/ptr.h"
#include "auth/rcpt.h"
#include "auth/sendmem.h"
#include "auth/signer.h"
#include "auth/spf.h"

#define MAX_RCPT_DOMAINS	100	/* distinct domains looked up */
#define FROM_MAX		512

struct pf_auth {
	const struct pf_config	*cfg;	/* borrowed from the engine */
	struct pf_dns		*dns;
	struct pf_spf		*spf;
	struct pf_dkim		*dkim;
	psl_ctx_t		*psl;
	struct pf_signers	*signers;
	struct pf_sendmem	*mem;	/* borrowed; NULL: no guesses */
	struct pf_observer	 obs;
};

/* per-message state of the observer */
struct obs_st {
	struct pf_auth		*a;
	struct pf_dns_budget	 budget;
	struct pf_dkim_msg	*dm;
	struct pf_msg		*msg;	/* for the envelope sender; may be NULL */
	char	 from[FROM_MAX];	/* first From address */
	int	 unsub_https;	/* List-Unsubscribe has an https URI */
	int	 unsub_post;	/* List-Unsubscribe-Post One-Click */
	int	 nkeys;		/* DKIM keys prefetched */
	struct pf_sender seen;	/* DKIM keys, for the sender memory */
};

/* DKIM keys of one message looked up before end of message */
#define PREFETCH_KEYS	4

/* a reason a fact is unknown, and its text for people */
struct why {
	enum pf_undecided r;
	char	 text[640];
};

/* why_set - note a reason */
static void
why_set(struct why *w, enum pf_undecided r, const char *text)
{
	w->r = r;
	pf_strcopy(w->text, sizeof(w->text), text);
}

/* budget_init - a message budget, or "no lookups at all" */
static void
budget_init(const struct pf_auth *a, struct pf_dns_budget *b)
{
	pf_dns_budget_init(b, a->cfg->dns_message_ms);
	b->nodns = a->cfg->no_dns != 0;
}

/* --- the observer: DKIM and one-click unsubscribe ------------------ */

/* obs_begin - per-message state */
static int
obs_begin(void *arg, struct pf_msg *msg, void **stp)
{
	struct pf_auth *a = arg;
	struct obs_st *st;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return PF_ENOMEM;
	st->a = a;
	st->msg = msg;
	budget_init(a, &st->budget);
	if ((st->dm = pf_dkim_msg_new(a->dkim, &st->budget)) == NULL) {
		free(st);
		return PF_ENOMEM;
	}
	*stp = st;
	return PF_OK;
}

/* obs_reset - what obs_begin made, in place: the DKIM verifier keeps its
 * buffers */
static void
obs_reset(void *stp)
{
	struct obs_st *st = stp;
	struct pf_dkim_msg *dm = st->dm;
	struct pf_auth *a = st->a;
	struct pf_msg *msg = st->msg;

	memset(st, 0, sizeof(*st));
	st->a = a;
	st->msg = msg;
	budget_init(a, &st->budget);
	st->dm = dm;
	pf_dkim_msg_reset(dm);
}

/* hname - is the field named n (case-insensitive)? */
static int
hname(const char *name, size_t nlen, const char *n)
{
	return nlen == strlen(n) && strncasecmp(name, n, nlen) == 0;
}

/* contains - case-insensitive search in [p, p+len) */
static int
contains(const char *p, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= len; i++)
		if (strncasecmp(p + i, needle, n) == 0)
			return 1;
	return 0;
}

/* from_addr - the addr-spec of a From value, roughly: inside <>, or the
 * whole value without white space, quotes and comments; enough to match
 * a SigningTable and to name the domain's DMARC record early */
static void
from_addr(const char *v, size_t len, char *out, size_t olen)
{
	const char *lt = memchr(v, '<', len), *gt, *e = v + len;
	size_t o = 0, depth = 0;
	int quoted = 0;

	if (lt != NULL && (gt = memchr(lt, '>', (size_t)(e - lt))) != NULL) {
		v = lt + 1;
		e = gt;
	}
	for (; v < e && o + 1 < olen; v++) {
		if (*v == '\\' && (quoted || depth > 0) && v + 1 < e) {
			if (++v, depth == 0)	/* a quoted pair */
				out[o++] = (char)tolower((unsigned char)*v);
		} else if (*v == '"' && depth == 0)
			quoted = !quoted;
		else if (*v == '(' && !quoted)
			depth++;
		else if (*v == ')' && !quoted && depth > 0)
			depth--;
		else if (depth == 0 && !isspace((unsigned char)*v))
			out[o++] = (char)tolower((unsigned char)*v);
	}
	out[o] = '\0';
}

/* post_oneclick - RFC 8058 3.1: exactly List-Unsubscribe=One-Click */
static int
post_oneclick(const char *v, size_t len)
{
	while (len > 0 && isspace((unsigned char)*v)) {
		v++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)v[len - 1]))
		len--;
	return len == 26 && strncmp(v, "List-Unsubscribe=One-Click", 26) == 0;
}

/* obs_header - DKIM sees every field; we note From and the unsubscribe
 * fields */
static void
obs_header(void *stp, const char *name, size_t nlen, const char *value,
    size_t vlen)
{
	struct obs_st *st = stp;

	pf_dkim_header(st->dm, name, nlen, value, vlen);
	if (hname(name, nlen, "From") && st->from[0] == '\0') {
		from_addr(value, vlen, st->from, sizeof(st->from));
		pf_prefetch_from(st->a->dns, st->a->psl, st->from);
	} else if (hname(name, nlen, "DKIM-Signature") &&
	    st->nkeys < PREFETCH_KEYS)
		st->nkeys += pf_prefetch_dkim(st->a->dns, value, vlen,
		    &st->seen);
	else if (hname(name, nlen, "List-Unsubscribe"))
		st->unsub_https = contains(value, vlen, "<https:");
	else if (hname(name, nlen, "List-Unsubscribe-Post"))
		st->unsub_post = post_oneclick(value, vlen);
}

/* obs_eoh - end of the header block */
static void
obs_eoh(void *stp)
{
	pf_dkim_eoh(((struct obs_st *)stp)->dm);
}

/* obs_body - a body chunk, CRLF line ends */
static void
obs_body(void *stp, const unsigned char *p, size_t len)
{
	pf_dkim_body(((struct obs_st *)stp)->dm, p, len);
}

/* dkim tallies, present and predicted */
struct tally {
	int	 count, pass, temp, temp_undecided, weak, covered;
	int	 mismatch;	/* 1, 0, -1 */
	char	 domain[256];
	char	 first[256];
	char	 pass_domains[1024];
	struct why why;		/* first temporary failure */
};

/* add_pass - note a passing d= */
static void
add_pass(struct tally *t, const char *d)
{
	size_t o = strlen(t->pass_domains);

	if (t->pass++ == 0)
		pf_strcopy(t->domain, sizeof(t->domain), d);
	if (o + strlen(d) + 2 < sizeof(t->pass_domains))
		snprintf(t->pass_domains + o, sizeof(t->pass_domains) - o,
		    "%s%s", o ? " " : "", d);
}

/* add_temp - note a temporary failure */
static void
add_temp(struct tally *t, enum pf_undecided r, const char *why)
{
	if (t->temp++ == 0)
		why_set(&t->why, r, why);
	if (pf_undecided_ours(r))
		t->temp_undecided = 1;
}

/* predict - the declared signer's signature */
static void
predict(struct obs_st *st, struct pf_facts *f, struct tally *t)
{
	struct pf_sign_pred p;
	const char *dom = pf_fact_gets(f, PF_F_FROM_DOMAIN);

	t->mismatch = 0;
	if (st->a->signers == NULL) {
		pf_fact_bool(f, PF_F_DKIM_PREDICTED, 0);
		return;
	}
	if (!pf_fact_known(f, PF_F_FROM_DOMAIN) || *dom == '\0') {
		pf_fact_unknown(f, PF_F_DKIM_PREDICTED, PF_U_NO_INPUT,
		    "no From domain");
		t->mismatch = -1;
		return;
	}
	if (!pf_signers_predict(st->a->signers, st->a->dns, st->from, dom,
	    &st->budget, &p)) {
		pf_fact_bool(f, PF_F_DKIM_PREDICTED, 0);
		return;
	}
	pf_fact_bool(f, PF_F_DKIM_PREDICTED, 1);
	t->count++;
	if (t->first[0] == '\0')
		pf_strcopy(t->first, sizeof(t->first), p.domain);
	if (p.bits != 0 && p.bits < PF_DKIM_MIN_BITS)
		t->weak = 1;
	if (p.match == 1 && !(p.bits != 0 && p.bits < PF_DKIM_MIN_BITS)) {
		add_pass(t, p.domain);
		/* OpenDKIM signs every field present by default */
		if (st->unsub_https && st->unsub_post)
			t->covered = 1;
	} else if (p.match == 0) {
		t->mismatch = 1;
	} else if (p.match < 0) {
		t->mismatch = -1;
		add_temp(t, p.undec, p.why);
	}
}

/* learn - what this message showed, into the sender memory: its From
 * domain and the keys of its DKIM-Signature fields */
static void
learn(struct obs_st *st, const struct pf_facts *f)
{
	struct pf_sender *seen = &st->seen;
	const char *at;
	char dom[PF_SENDMEM_DOM];

	if (st->a->mem == NULL || st->msg == NULL ||
	    !pf_auth_sender_domain(st->a, pf_msg_mail_get(st->msg),
	    pf_msg_helo_get(st->msg), dom, sizeof(dom)))
		return;
	if (pf_fact_known(f, PF_F_FROM_DOMAIN) &&
	    pf_fact_gets(f, PF_F_FROM_DOMAIN)[0] != '\0')
		(void)pf_sender_add_from(seen, pf_fact_gets(f,
		    PF_F_FROM_DOMAIN));
	else if ((at = strrchr(st->from, '@')) != NULL)
		(void)pf_sender_add_from(seen, at + 1);
	pf_sendmem_learn(st->a->mem, dom, seen);
}

/* obs_end - verify DKIM, predict the later signature, set the facts */
static void
obs_end(void *stp, struct pf_facts *f)
{
	struct obs_st *st = stp;
	const struct pf_dkim_sig *s;
	struct tally t;
	size_t i;

	learn(st, f);
	memset(&t, 0, sizeof(t));
	pf_dkim_end(st->dm);
	for (i = 0; i < pf_dkim_nsigs(st->dm); i++) {
		s = pf_dkim_sig(st->dm, i);
		t.count++;
		if (i == 0)
			pf_strcopy(t.first, sizeof(t.first), s->domain);
		if (s->weak)
			t.weak = 1;
		if (strcmp(s->result, "pass") == 0) {
			add_pass(&t, s->domain);
			if (s->covers_unsub && s->covers_unsub_post &&
			    st->unsub_https && st->unsub_post)
				t.covered = 1;
		} else if (strcmp(s->result, "temperror") == 0)
			add_temp(&t, s->undec, s->why);
	}
	predict(st, f, &t);

	pf_fact_num(f, PF_F_DKIM_COUNT, t.count);
	pf_fact_strz(f, PF_F_DKIM_DOMAIN, t.pass ? t.domain : t.first);
	pf_fact_strz(f, PF_F_DKIM_PASS_DOMAINS, t.pass_domains);
	pf_fact_bool(f, PF_F_DKIM_WEAK_KEY, t.weak);
	/* only our own failure to find out leaves the outcome open; a
	 * server failure Gmail would see too is simply not a pass */
	if (t.pass)
		pf_fact_bool(f, PF_F_DKIM_PASS, 1);
	else if (pf_dkim_nomem(st->dm))
		pf_fact_unknown(f, PF_F_DKIM_PASS, PF_U_NO_MEMORY,
		    "out of memory verifying DKIM signatures");
	else if (pf_dkim_toolarge(st->dm))
		pf_fact_unknown(f, PF_F_DKIM_PASS, PF_U_TOO_LARGE,
		    "header block too large to verify DKIM signatures");
	else if (t.temp_undecided)
		pf_fact_unknown(f, PF_F_DKIM_PASS, t.why.r, t.why.text);
	else
		pf_fact_bool(f, PF_F_DKIM_PASS, 0);
	if (t.temp && t.temp_undecided)
		pf_fact_unknown(f, PF_F_DKIM_TEMPERROR, t.why.r, t.why.text);
	else
		pf_fact_bool(f, PF_F_DKIM_TEMPERROR, t.temp > 0);
	if (t.mismatch < 0 && t.why.text[0] != '\0')
		pf_fact_unknown(f, PF_F_DKIM_KEY_MISMATCH, t.why.r,
		    t.why.text);
	else if (t.mismatch < 0)
		pf_fact_unknown(f, PF_F_DKIM_KEY_MISMATCH, PF_U_NO_INPUT,
		    "no From domain to choose the signing key");
	else
		pf_fact_bool(f, PF_F_DKIM_KEY_MISMATCH, t.mismatch);
	pf_fact_bool(f, PF_F_UNSUB_ONE_CLICK, st->unsub_https &&
	    st->unsub_post);
	if (t.covered || !(st->unsub_https && st->unsub_post) ||
	    !t.temp_undecided)
		pf_fact_bool(f, PF_F_UNSUB_DKIM_COVERED, t.covered);
	else
		pf_fact_unknown(f, PF_F_UNSUB_DKIM_COVERED, t.why.r,
		    t.why.text);
}

/* obs_free - also after an abort */
static void
obs_free(void *stp)
{
	struct obs_st *st = stp;

	if (st == NULL)
		return;
	pf_dkim_msg_free(st->dm);
	free(st);
}

/* --- the shared context -------------------------------------------- */

/* pf_auth_new - everything the checks share; cfg is borrowed */
int
pf_auth_new(const struct pf_config *cfg, struct pf_auth **out,
    struct pf_err *err)
{
	struct pf_auth *a;
	int rc;

	*out = NULL;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return pf_err_set(err, PF_ENOMEM, "out of memory");
	a->cfg = cfg;
	/* with --no-dns there is no resolver at all: every lookup says so */
	if ((!cfg->no_dns && (rc = pf_dns_new(cfg->nameserver,
	    cfg->dns_query_ms, &a->dns, err)) != PF_OK) ||
	    (rc = pf_spf_new(a->dns, cfg->helo, &a->spf, err)) != PF_OK ||
	    (rc = pf_dkim_new(a->dns, &a->dkim, err)) != PF_OK ||
	    (rc = pf_signers_load(cfg, &a->signers, err)) != PF_OK) {
		pf_auth_free(a);
		return rc;
	}
	if ((a->psl = psl_latest(NULL)) == NULL) {
		pf_auth_free(a);
		return pf_err_set(err, PF_EIO, "cannot load the Public Suffix "
		    "List (install the Debian package publicsuffix)");
	}
	a->obs.name = "auth";
	a->obs.arg = a;
	a->obs.begin = obs_begin;
	a->obs.header = obs_header;
	a->obs.eoh = obs_eoh;
	a->obs.body = obs_body;
	a->obs.end = obs_end;
	a->obs.free = obs_free;
	a->obs.reset = obs_reset;
	*out = a;
	return PF_OK;
}

/* pf_auth_free - NULL is a no-op */
void
pf_auth_free(struct pf_auth *a)
{
	if (a == NULL)
		return;
	pf_signers_free(a->signers);
	pf_dkim_free(a->dkim);
	pf_spf_free(a->spf);
	pf_dns_free(a->dns);
	if (a->psl != NULL)
		psl_free(a->psl);
	free(a);
}

/* pf_auth_prefetch_mail - start the lookups MAIL FROM decides */
void
pf_auth_prefetch_mail(struct pf_auth *a, const char *mail_from,
    const char *helo)
{
	if (a != NULL)
		pf_prefetch_mail(a->dns, a->psl, mail_from,
		    a->cfg->helo ? a->cfg->helo : helo, a->cfg->egress,
		    a->cfg->negress);
}

/* pf_auth_warm - the resolver's threads started */
void
pf_auth_warm(struct pf_auth *a)
{
	if (a != NULL)
		pf_dns_warm(a->dns);
}

/* pf_auth_set_sendmem - the sender memory to learn into; borrowed */
void
pf_auth_set_sendmem(struct pf_auth *a, struct pf_sendmem *m)
{
	if (a != NULL)
		a->mem = a->dns != NULL ? m : NULL;
}

/* pf_auth_sender_domain - the sender memory's key of a message */
int
pf_auth_sender_domain(const struct pf_auth *a, const char *mail_from,
    const char *helo, char *buf, size_t len)
{
	return a != NULL && a->mem != NULL && pf_sendmem_domain(mail_from,
	    a->cfg->helo ? a->cfg->helo : helo, buf, len);
}

/* pf_auth_guess - start the lookups the sender memory suggests */
void
pf_auth_guess(struct pf_auth *a, const char *mail_from,
    const struct pf_sender *s)
{
	if (a != NULL)
		pf_prefetch_guess(a->dns, a->psl, mail_from, s);
}

/* pf_auth_prefetch_rcpt - start the lookup of a recipient's domain */
void
pf_auth_prefetch_rcpt(struct pf_auth *a, const char *rcpt)
{
	if (a != NULL)
		pf_prefetch_rcpt(a->dns, rcpt);
}

/* pf_auth_observer - the DKIM observer */
const struct pf_observer *
pf_auth_observer(struct pf_auth *a)
{
	return a != NULL ? &a->obs : NULL;
}

/* --- evaluation ---------------------------------------------------- */

/* unknown_all - mark a list of facts unknown with one reason */
static void
unknown_all(struct pf_facts *f, const int *ids, size_t n,
    enum pf_undecided r, const char *why)
{
	pf_fact_unknown_ids(f, ids, n, r, why);
}

/* one egress address, evaluated */
struct egress {
	const char		*ip;
	struct pf_spf_result	 spf;
	struct pf_ptr_result	 ptr;
};

/* spf_known - is the SPF result a verdict Gmail would share? */
static int
spf_known(const struct pf_spf_result *s)
{
	return strcmp(s->result, "temperror") != 0 ||
	    !pf_undecided_ours(s->undec);
}

/* worse - is e worse than w (more likely to be rejected)? */
static int
worse(const struct egress *e, const struct egress *w)
{
	int re = pf_spf_rank(e->spf.result), rw = pf_spf_rank(w->spf.result);

	if (re != rw)
		return re < rw;
	/* no PTR, then PTR without FCrDNS, then unknown, then good */
	return (e->ptr.present == 0 ? 0 : e->ptr.fcrdns == 0 ? 1 :
	    e->ptr.fcrdns < 0 ? 2 : 3) < (w->ptr.present == 0 ? 0 :
	    w->ptr.fcrdns == 0 ? 1 : w->ptr.fcrdns < 0 ? 2 : 3);
}

/* set_spf - spf.* facts from one result */
static void
set_spf(const struct egress *e, struct pf_facts *f)
{
	const struct pf_spf_result *s = &e->spf;

	pf_fact_strz(f, PF_F_SPF_DOMAIN, s->domain);
	if (spf_known(s))
		pf_fact_strz(f, PF_F_SPF_RESULT, s->result);
	else
		pf_fact_unknown(f, PF_F_SPF_RESULT, s->undec, s->why);
	if (s->hardfail < 0)
		pf_fact_unknown(f, PF_F_SPF_HARDFAIL, s->record_undec,
		    s->record_why);
	else
		pf_fact_bool(f, PF_F_SPF_HARDFAIL, s->hardfail);
	if (s->suspicious < 0) {
		pf_fact_unknown(f, PF_F_SPF_SUSPICIOUS, s->record_undec,
		    s->record_why);
		pf_fact_unknown(f, PF_F_SPF_SUSPICIOUS_WHY, s->record_undec,
		    s->record_why);
	} else {
		pf_fact_bool(f, PF_F_SPF_SUSPICIOUS, s->suspicious);
		pf_fact_strz(f, PF_F_SPF_SUSPICIOUS_WHY, s->suspicious_why);
	}
}

/* set_ptr - ptr.* facts from one result */
static void
set_ptr(const struct egress *e, struct pf_facts *f)
{
	const struct pf_ptr_result *p = &e->ptr;

	if (p->present < 0) {
		pf_fact_unknown(f, PF_F_PTR_PRESENT, p->undec, p->why);
		pf_fact_unknown(f, PF_F_PTR_NAME, p->undec, p->why);
	} else {
		pf_fact_bool(f, PF_F_PTR_PRESENT, p->present);
		pf_fact_strz(f, PF_F_PTR_NAME, p->name);
	}
	if (p->fcrdns < 0)
		pf_fact_unknown(f, PF_F_PTR_FCRDNS, p->undec, p->why);
	else
		pf_fact_bool(f, PF_F_PTR_FCRDNS, p->fcrdns);
}

/* eval_egress - SPF and PTR of every egress address; the worst counts.
 * *spf_pass gets the SPF state for DMARC: 1, 0, -1 unknown. */
static int
eval_egress(struct pf_auth *a, const struct pf_auth_env *env,
    struct pf_dns_budget *b, struct pf_facts *f, char *spf_dom, size_t len,
    int *spf_pass, struct why *spf_why)
{
	static const int ids[] = { PF_F_EGRESS_IP, PF_F_EGRESS_IPV6,
	    PF_F_SPF_RESULT, PF_F_SPF_HARDFAIL, PF_F_SPF_SUSPICIOUS,
	    PF_F_SPF_SUSPICIOUS_WHY, PF_F_PTR_PRESENT, PF_F_PTR_NAME,
	    PF_F_PTR_FCRDNS };
	const struct pf_config *cfg = a->cfg;
	struct egress e, w;
	const char *helo = cfg->helo ? cfg->helo : env->helo, *at;
	size_t i;
	int rc, have = 0;

	spf_dom[0] = '\0';
	why_set(spf_why, PF_U_NONE, "");
	*spf_pass = -1;
	/* the checked domain is known without an egress address */
	if (env->mail_from != NULL && *env->mail_from != '\0' &&
	    (at = strrchr(env->mail_from, '@')) != NULL && at[1] != '\0')
		pf_strcopy(spf_dom, len, at + 1);
	else if (env->mail_from != NULL && helo != NULL)
		pf_strcopy(spf_dom, len, helo);
	if (spf_dom[0] != '\0')
		pf_fact_strz(f, PF_F_SPF_DOMAIN, spf_dom);
	if (cfg->negress == 0) {
		unknown_all(f, ids, PF_NELEM(ids), PF_U_NOT_CONFIGURED,
		    "no egress IP configured");
		return PF_OK;
	}
	if (env->mail_from == NULL || (*env->mail_from == '\0' &&
	    (helo == NULL || *helo == '\0'))) {
		unknown_all(f, ids + 2, 4, PF_U_NO_INPUT,
		    env->mail_from == NULL ? "no envelope sender (MAIL FROM)" :
		    "null sender and no HELO name configured");
		pf_fact_unknown(f, PF_F_SPF_DOMAIN, PF_U_NO_INPUT,
		    "no envelope sender");
	}
	for (i = 0; i < cfg->negress; i++) {
		memset(&e, 0, sizeof(e));
		e.ip = cfg->egress[i];
		if (env->mail_from != NULL && (*env->mail_from != '\0' ||
		    (helo != NULL && *helo != '\0'))) {
			rc = pf_spf_check(a->spf, e.ip, env->mail_from, helo, b,
			    &e.spf);
			if (rc == PF_ENOMEM)
				return rc;
			if (rc != PF_OK)
				continue;
		} else
			snprintf(e.spf.result, sizeof(e.spf.result), "none");
		if (pf_ptr_check(a->dns, e.ip, b, &e.ptr) != PF_OK)
			continue;
		if (!have || worse(&e, &w))
			w = e;
		have = 1;
	}
	if (!have) {
		unknown_all(f, ids, PF_NELEM(ids), PF_U_NOT_CONFIGURED,
		    "no valid egress IP");
		return PF_OK;
	}
	pf_fact_strz(f, PF_F_EGRESS_IP, w.ip);
	pf_fact_bool(f, PF_F_EGRESS_IPV6, w.ptr.ipv6);
	if (env->mail_from != NULL && (*env->mail_from != '\0' ||
	    (helo != NULL && *helo != '\0'))) {
		set_spf(&w, f);
		pf_strcopy(spf_dom, len, w.spf.domain);
	}
	set_ptr(&w, f);
	why_set(spf_why, w.spf.undec, w.spf.why);
	/* a temperror Gmail would share is simply not a pass */
	if (!pf_fact_known(f, PF_F_SPF_RESULT))
		*spf_pass = -1;
	else
		*spf_pass = strcmp(w.spf.result, "pass") == 0;
	return PF_OK;
}

/* split - the space-separated d= list into pointers (in buf) */
static size_t
split(const char *list, char *buf, size_t len, const char **v, size_t max)
{
	size_t n = 0;
	char *p;

	pf_strcopy(buf, len, list);
	for (p = buf; *p != '\0' && n < max;) {
		v[n++] = p;
		p += strcspn(p, " ");
		if (*p != '\0')
			*p++ = '\0';
	}
	return n;
}

/* tri - a yes/no fact, unknown (-1) with the reason w */
static void
tri(struct pf_facts *f, int id, int v, const struct why *w)
{
	if (v < 0)
		pf_fact_unknown(f, id, w->r, w->text);
	else
		pf_fact_bool(f, id, v);
}

/* eval_dmarc - policy and alignment; returns nothing, sets dmarc.* */
static void
eval_dmarc(struct pf_auth *a, int spf_pass, const char *spf_dom,
    const struct why *spf_why, struct pf_dns_budget *b, struct pf_facts *f)
{
	static const int ids[] = { PF_F_DMARC_RECORD, PF_F_DMARC_DOMAIN,
	    PF_F_DMARC_POLICY, PF_F_DMARC_PASS, PF_F_DMARC_SPF_ALIGNED,
	    PF_F_DMARC_DKIM_ALIGNED };
	struct pf_dmarc_result r;
	struct why dkim, own;
	const char *from = pf_fact_gets(f, PF_F_FROM_DOMAIN), *d[16];
	char buf[1024];
	size_t nd;
	int dkim_temp;

	if (!pf_fact_known(f, PF_F_FROM_DOMAIN) || *from == '\0') {
		unknown_all(f, ids, PF_NELEM(ids), PF_U_NO_INPUT,
		    "no From domain");
		return;
	}
	nd = split(pf_fact_gets(f, PF_F_DKIM_PASS_DOMAINS), buf, sizeof(buf),
	    d, PF_NELEM(d));
	dkim_temp = !pf_fact_known(f, PF_F_DKIM_PASS);
	pf_dmarc_check(a->dns, a->psl, from, spf_dom, spf_pass, d, nd,
	    dkim_temp, b, &r);
	if (r.record[0] == '\0' && pf_undecided_ours(r.undec)) {
		unknown_all(f, ids, 3, r.undec, r.why);
	} else if (r.record[0] == '\0') {
		/* the DNS server answered with a failure: Gmail's 4.7.26 */
		pf_fact_strz(f, PF_F_DMARC_RECORD, "temperror");
		pf_fact_unknown(f, PF_F_DMARC_DOMAIN, r.undec, r.why);
		pf_fact_unknown(f, PF_F_DMARC_POLICY, r.undec, r.why);
	} else {
		pf_fact_strz(f, PF_F_DMARC_RECORD, r.record);
		pf_fact_strz(f, PF_F_DMARC_DOMAIN, r.domain);
		pf_fact_strz(f, PF_F_DMARC_POLICY, r.policy[0] ? r.policy :
		    "none");
	}
	why_set(&dkim, pf_fact_reason(f, PF_F_DKIM_PASS),
	    pf_fact_why(f, PF_F_DKIM_PASS));
	why_set(&own, r.undec, r.why);
	tri(f, PF_F_DMARC_SPF_ALIGNED, r.spf_aligned, r.why[0] ? &own :
	    spf_why);
	tri(f, PF_F_DMARC_DKIM_ALIGNED, r.dkim_aligned, r.why[0] ? &own :
	    &dkim);
	tri(f, PF_F_DMARC_PASS, r.pass, r.why[0] ? &own :
	    r.spf_aligned < 0 ? spf_why : &dkim);
}

/* eval_authpass - SPF or DKIM passes, for any domain */
static void
eval_authpass(int spf_pass, const struct why *spf_why, struct pf_facts *f)
{
	int dkim = pf_fact_known(f, PF_F_DKIM_PASS) ?
	    (int)pf_fact_getn(f, PF_F_DKIM_PASS) : -1;

	if (spf_pass == 1 || dkim == 1)
		pf_fact_bool(f, PF_F_AUTH_PASS, 1);
	else if (spf_pass == 0 && dkim == 0)
		pf_fact_bool(f, PF_F_AUTH_PASS, 0);
	else if (spf_pass < 0)
		pf_fact_unknown(f, PF_F_AUTH_PASS, spf_why->r, spf_why->text);
	else
		pf_fact_unknown(f, PF_F_AUTH_PASS,
		    pf_fact_reason(f, PF_F_DKIM_PASS),
		    pf_fact_why(f, PF_F_DKIM_PASS));
}

/* eval_rcpt - recipient domains: bad ones, Google's, personal Gmail */
static int
eval_rcpt(struct pf_auth *a, const struct pf_auth_env *env,
    struct pf_dns_budget *b, struct pf_facts *f)
{
	struct pf_rcpt_info info;
	const char *at, *dom;
	char bad[256] = "", seen[MAX_RCPT_DOMAINS][256];
	struct why why = { PF_U_NONE, "" };
	int64_t google = 0, personal = 0, nbad = 0;
	size_t i, j, nseen = 0;
	int gunk = 0, bunk = 0, dup;

	for (i = 0; i < env->nrcpt; i++) {
		if (env->rcpt[i] == NULL ||
		    (at = strrchr(env->rcpt[i], '@')) == NULL)
			continue;
		dom = at + 1;
		for (dup = 0, j = 0; j < nseen && !dup; j++)
			dup = strcasecmp(seen[j], dom) == 0;
		if (pf_rcpt_personal(dom)) {
			personal++;
			google++;
			continue;
		}
		if (nseen >= MAX_RCPT_DOMAINS) {
			gunk = bunk = 1;
			why.r = PF_U_TOO_LARGE;
			snprintf(why.text, sizeof(why.text), "more than %d "
			    "recipient domains", MAX_RCPT_DOMAINS);
			continue;
		}
		pf_rcpt_domain(a->dns, dom, b, &info);
		if (!dup)
			pf_strcopy(seen[nseen++], sizeof(seen[0]), dom);
		if (info.google == 1)
			google++;
		else if (info.google < 0)
			gunk = 1;
		if (info.exists == 0 && !dup && nbad++ == 0)
			pf_strcopy(bad, sizeof(bad), dom);
		if (info.exists < 0)
			bunk = 1;
		if ((info.exists < 0 || info.google < 0) &&
		    why.text[0] == '\0')
			why_set(&why, info.undec, info.why);
	}
	pf_fact_num(f, PF_F_RCPT_PERSONAL_COUNT, personal);
	/* a count > 0 is a sure lower bound; 0 with an unknown is unknown */
	if (gunk && google == 0)
		pf_fact_unknown(f, PF_F_RCPT_GOOGLE_COUNT, why.r, why.text);
	else
		pf_fact_num(f, PF_F_RCPT_GOOGLE_COUNT, google);
	if (bunk && nbad == 0) {
		pf_fact_unknown(f, PF_F_RCPT_BAD_DOMAIN_COUNT, why.r,
		    why.text);
		pf_fact_unknown(f, PF_F_RCPT_BAD_DOMAIN, why.r, why.text);
	} else {
		pf_fact_num(f, PF_F_RCPT_BAD_DOMAIN_COUNT, nbad);
		pf_fact_strz(f, PF_F_RCPT_BAD_DOMAIN, bad);
	}
	return PF_OK;
}

/* pf_auth_eval_env - every DNS fact for one message's envelope */
int
pf_auth_eval_env(struct pf_auth *a, const struct pf_auth_env *env,
    struct pf_facts *f)
{
	struct pf_dns_budget b;
	struct why spf_why;
	char spf_dom[256];
	int spf_pass;

	budget_init(a, &b);
	if (eval_egress(a, env, &b, f, spf_dom, sizeof(spf_dom), &spf_pass,
	    &spf_why) != PF_OK)
		return PF_ENOMEM;
	/* the reason an unknown SPF state gives */
	if (spf_why.text[0] == '\0')
		why_set(&spf_why, pf_fact_reason(f, PF_F_SPF_RESULT),
		    pf_fact_why(f, PF_F_SPF_RESULT));
	eval_dmarc(a, spf_pass, spf_dom, &spf_why, &b, f);
	eval_authpass(spf_pass, &spf_why, f);
	return eval_rcpt(a, env, &b, f);
}

/* pf_auth_orgdomain - the organizational domain, by the engine's PSL */
int
pf_auth_orgdomain(const struct pf_auth *a, const char *d, char *buf,
    size_t len)
{
	return pf_dmarc_orgdomain(a->psl, d, buf, len);
}
