/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf.c - the only user of libspf2.  It evaluates SPF (RFC 7208) through a
 * custom libspf2 DNS layer that sends every lookup to dns.c, so SPF sees
 * the same forwarder, timeouts, budget and cache as everything else, and
 * maps libspf2's results and quirks (Debian 1.2.10) into our words.  It
 * also reads the published record itself, through dns.c, to say whether
 * it ends in -all and whether it holds entries Gmail calls suspicious.
 * Input trusted: none; records are bounded (depth, terms, lookups).
 */
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ctype.h>
#include <netdb.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <spf2/spf.h>

#include "auth/spf.h"

#define MAX_DEPTH	10	/* include/redirect nesting we follow */
#define MAX_LOOKUPS	40	/* lookups the analysis may spend */
#define MAX_RECORD	4096

struct pf_spf {
	SPF_server_t		*server;
	SPF_dns_server_t	*layer;
	struct pf_dns		*dns;
};

/* per-thread context of the check in progress (libspf2 calls us back) */
struct spf_call {
	struct pf_dns_budget	*budget;
	enum pf_undecided	 undec;		/* first temporary failure */
	char			 why[256];
	sigjmp_buf		 jb;	/* escape from SPF_error */
};
static __thread struct spf_call *cur;

/* quiet - libspf2's warnings, info and debug go nowhere */
static void
quiet(const char *file, int line, const char *msg)
{
}

/* fatal - libspf2 hit an internal error: unwind to pf_spf_check */
static void __attribute__((noreturn))
fatal(const char *file, int line, const char *msg)
{
	if (cur != NULL) {
		cur->undec = PF_U_INTERNAL;
		snprintf(cur->why, sizeof(cur->why), "SPF library error: %s",
		    msg ? msg : "?");
		siglongjmp(cur->jb, 1);
	}
	abort();
}

/* layer_lookup - libspf2 asks for a record; dns.c answers */
static SPF_dns_rr_t *
layer_lookup(SPF_dns_server_t *l, const char *dom, ns_type t, int cache)
{
	struct pf_spf *s = l->hook;
	struct pf_dns_result r;
	SPF_dns_rr_t *rr;
	char buf[MAX_RECORD];
	size_t i, n = 0, len;
	int herrno;

	/* obsolete type SPF (99): RFC 7208 3.1 says TXT only */
	if (t == ns_t_spf)
		return SPF_dns_rr_new_init(l, dom, t, 0, NO_DATA);
	if (t != ns_t_a && t != ns_t_aaaa && t != ns_t_txt && t != ns_t_mx &&
	    t != ns_t_ptr)
		return SPF_dns_rr_new_init(l, dom, t, 0, NO_DATA);
	if (pf_dns_query(s->dns, dom, (int)t, cur ? cur->budget : NULL, &r)
	    != PF_OK) {
		if (cur != NULL && cur->why[0] == '\0') {
			cur->undec = r.undec;
			snprintf(cur->why, sizeof(cur->why), "%s", r.why);
		}
		pf_dns_result_reset(&r);
		return SPF_dns_rr_new_init(l, dom, t, 0, TRY_AGAIN);
	}
	switch (r.rc) {
	case PF_DNS_ANSWER:	herrno = NETDB_SUCCESS; break;
	case PF_DNS_NODATA:	herrno = NO_DATA; break;
	case PF_DNS_NXDOMAIN:	herrno = HOST_NOT_FOUND; break;
	default:
		herrno = TRY_AGAIN;
		if (cur != NULL && cur->why[0] == '\0') {
			cur->undec = r.undec;
			snprintf(cur->why, sizeof(cur->why), "%s", r.why);
		}
		break;
	}
	rr = SPF_dns_rr_new_init(l, dom, t, (int)r.ttl, herrno);
	if (rr == NULL || herrno != NETDB_SUCCESS) {
		pf_dns_result_reset(&r);
		return rr;
	}
	for (i = 0; i < r.n; i++) {
		switch (t) {
		case ns_t_a:
			if (r.rlen[i] != 4 || SPF_dns_rr_buf_realloc(rr,
			    (int)n, 4) != SPF_E_SUCCESS)
				continue;
			memcpy(&rr->rr[n]->a, r.rdata[i], 4);
			break;
		case ns_t_aaaa:
			if (r.rlen[i] != 16 || SPF_dns_rr_buf_realloc(rr,
			    (int)n, 16) != SPF_E_SUCCESS)
				continue;
			memcpy(&rr->rr[n]->aaaa, r.rdata[i], 16);
			break;
		case ns_t_txt:
			if (pf_dns_txt(r.rdata[i], r.rlen[i], buf, sizeof(buf),
			    &len) != PF_OK || SPF_dns_rr_buf_realloc(rr, (int)n,
			    len + 1) != SPF_E_SUCCESS)
				continue;
			memcpy(rr->rr[n]->txt, buf, len + 1);
			break;
		default:	/* MX (skip the preference) and PTR: a name */
			if (pf_dns_name(r.rdata[i], r.rlen[i],
			    t == ns_t_mx ? 2 : 0, buf, sizeof(buf)) != PF_OK)
				continue;
			len = strlen(buf);
			if (SPF_dns_rr_buf_realloc(rr, (int)n, len + 1) !=
			    SPF_E_SUCCESS)
				continue;
			memcpy(rr->rr[n]->ptr, buf, len + 1);
			break;
		}
		n++;
	}
	rr->num_rr = (int)n;
	if (n == 0)
		rr->herrno = NO_DATA;
	pf_dns_result_reset(&r);
	return rr;
}

/* layer_destroy - SPF_dns_free frees the layer struct through this */
static void
layer_destroy(SPF_dns_server_t *l)
{
	free(l);
}

/* pf_spf_new - the shared libspf2 server over our resolver */
int
pf_spf_new(struct pf_dns *dns, const char *rec_dom, struct pf_spf **out,
    struct pf_err *err)
{
	struct pf_spf *s;

	*out = NULL;
	/* the default error handler abort()s, the others print */
	SPF_error_handler = fatal;
	SPF_warning_handler = quiet;
	SPF_info_handler = quiet;
	SPF_debug_handler = quiet;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->layer = calloc(1, sizeof(*s->layer))) == NULL) {
		free(s);
		return pf_err_set(err, PF_ENOMEM, "out of memory");
	}
	s->dns = dns;
	s->layer->lookup = layer_lookup;
	s->layer->destroy = layer_destroy;
	s->layer->name = "preflight";
	s->layer->hook = s;
	if ((s->server = SPF_server_new_dns(s->layer, 0)) == NULL) {
		pf_spf_free(s);
		return pf_err_set(err, PF_ENOMEM, "SPF_server_new_dns failed");
	}
	if (rec_dom != NULL && *rec_dom != '\0')
		SPF_server_set_rec_dom(s->server, rec_dom);
	*out = s;
	return PF_OK;
}

/* pf_spf_free - NULL is a no-op */
void
pf_spf_free(struct pf_spf *s)
{
	if (s == NULL)
		return;
	if (s->server != NULL)
		SPF_server_free(s->server);
	if (s->layer != NULL)
		SPF_dns_free(s->layer);	/* not freed by the server */
	free(s);
}

/* pf_spf_rank - worst first: fail, permerror, temperror, softfail, ... */
int
pf_spf_rank(const char *r)
{
	static const char *order[] = { "fail", "permerror", "temperror",
	    "softfail", "none", "neutral", "pass" };
	size_t i;

	for (i = 0; i < PF_NELEM(order); i++)
		if (strcmp(r, order[i]) == 0)
			return (int)i;
	return 0;
}

/* map_result - libspf2's result and error code as RFC 7208 words */
static const char *
map_result(SPF_result_t res, SPF_errcode_t ec)
{
	switch (res) {
	case SPF_RESULT_PASS:		return "pass";
	case SPF_RESULT_FAIL:		return "fail";
	case SPF_RESULT_SOFTFAIL:	return "softfail";
	case SPF_RESULT_NEUTRAL:	return "neutral";
	case SPF_RESULT_NONE:		return "none";
	case SPF_RESULT_TEMPERROR:	return "temperror";
	case SPF_RESULT_PERMERROR:	return "permerror";
	default:
		/* Debian 1.2.10: a DNS error on the top-level record and a
		 * syntax error both come back as INVALID */
		return ec == SPF_E_DNS_ERROR ? "temperror" : "permerror";
	}
}

/* evaluate - run libspf2; fills result/why */
static int
evaluate(struct pf_spf *s, const char *ip, const char *from,
    const char *helo, struct spf_call *call, struct pf_spf_result *out)
{
	SPF_request_t *rq;
	SPF_response_t *resp = NULL;
	SPF_errcode_t ec;
	struct in6_addr a6;
	struct in_addr a4;
	volatile int v6;

	if (inet_pton(AF_INET, ip, &a4) == 1)
		v6 = 0;
	else if (inet_pton(AF_INET6, ip, &a6) == 1)
		v6 = 1;
	else
		return PF_EINVAL;
	if ((rq = SPF_request_new(s->server)) == NULL)
		return PF_ENOMEM;
	if (sigsetjmp(call->jb, 0) != 0) {
		/* XXX libspf2 failed inside: request and response leak */
		snprintf(out->result, sizeof(out->result), "temperror");
		out->undec = call->undec;
		snprintf(out->why, sizeof(out->why), "%s", call->why);
		return PF_OK;
	}
	if (v6)
		SPF_request_set_ipv6(rq, a6);
	else
		SPF_request_set_ipv4(rq, a4);
	SPF_request_set_helo_dom(rq, helo);
	SPF_request_set_env_from(rq, from);
	ec = SPF_request_query_mailfrom(rq, &resp);
	/* the top-level DNS error shows in the returned code only */
	if (resp != NULL && SPF_response_errcode(resp) != SPF_E_SUCCESS)
		ec = SPF_response_errcode(resp);
	if (ec == SPF_E_NO_MEMORY) {
		call->undec = PF_U_NO_MEMORY;
		snprintf(call->why, sizeof(call->why), "%s",
		    pf_undecided_text(PF_U_NO_MEMORY));
	}
	snprintf(out->result, sizeof(out->result), "%s",
	    ec == SPF_E_NO_MEMORY ? "temperror" : map_result(resp ?
	    SPF_response_result(resp) : SPF_RESULT_INVALID, ec));
	if (strcmp(out->result, "temperror") == 0) {
		/* no lookup of ours failed: what a server sent */
		out->undec = call->why[0] ? call->undec : PF_U_SERVER_FAILURE;
		snprintf(out->why, sizeof(out->why), "%s", call->why[0] ?
		    call->why : "temporary DNS failure during SPF evaluation");
	}
	if (resp != NULL)
		SPF_response_free(resp);
	SPF_request_free(rq);
	return PF_OK;
}

/* --- the record analysis ------------------------------------------- */

struct walk {
	struct pf_dns		*dns;
	struct pf_dns_budget	*budget;
	int	 lookups;	/* queries spent by the analysis */
	int	 dnsterms;	/* include a mx ptr exists redirect */
	int	 voids;
	int	 tempfail;
	enum pf_undecided undec;	/* tempfail reason */
	char	 why[256];
	char	 sus[256];	/* suspicious reasons, "; "-joined */
	char	 top_all;	/* qualifier of the evaluated all */
};

/* addsus - note one suspicious entry (once) */
static void
addsus(struct walk *w, const char *what)
{
	size_t o = strlen(w->sus);

	if (strstr(w->sus, what) != NULL)
		return;
	snprintf(w->sus + o, sizeof(w->sus) - o, "%s%s", o ? "; " : "",
	    what);
}

/* query - one lookup for the analysis; rc, or -1 when out of lookups */
static int
query(struct walk *w, const char *name, int type, struct pf_dns_result *r)
{
	memset(r, 0, sizeof(*r));
	if (w->lookups >= MAX_LOOKUPS)
		return -1;
	w->lookups++;
	pf_dns_query(w->dns, name, type, w->budget, r);
	if (r->rc == PF_DNS_TEMPFAIL && !w->tempfail) {
		w->tempfail = 1;
		w->undec = r->undec;
		snprintf(w->why, sizeof(w->why), "%s", r->why);
	}
	return (int)r->rc;
}

/* is_spf - "v=spf1" followed by a space or the end (RFC 7208 4.5) */
static int
is_spf(const char *t)
{
	return strncasecmp(t, "v=spf1", 6) == 0 && (t[6] == ' ' ||
	    t[6] == '\0');
}

/* fetch - the SPF record of dom into rec; 0 none, 1 found, -1 tempfail */
static int
fetch(struct walk *w, const char *dom, char *rec, size_t len, int top)
{
	struct pf_dns_result r;
	char buf[MAX_RECORD];
	size_t i;
	int n = 0, rc;

	rc = query(w, dom, PF_DNS_T_TXT, &r);
	if (rc == PF_DNS_TEMPFAIL) {
		pf_dns_result_reset(&r);
		return -1;
	}
	if (rc == PF_DNS_NXDOMAIN || rc == PF_DNS_NODATA)
		if (!top)
			w->voids++;
	for (i = 0; rc == PF_DNS_ANSWER && i < r.n; i++) {
		if (pf_dns_txt(r.rdata[i], r.rlen[i], buf, sizeof(buf), NULL)
		    != PF_OK || !is_spf(buf))
			continue;
		if (n++ == 0)
			snprintf(rec, len, "%s", buf);
	}
	pf_dns_result_reset(&r);
	if (n > 1)
		addsus(w, "several SPF records");
	return n > 0;
}

/* target - the domain of "mech:domain/cidr", or dflt; NULL if a macro */
static const char *
target(const char *arg, const char *dflt, char *buf, size_t len)
{
	size_t n;

	if (arg == NULL || *arg == '\0')
		return dflt;
	n = strcspn(arg, "/");
	if (n == 0 || n >= len)
		return NULL;
	memcpy(buf, arg, n);
	buf[n] = '\0';
	return strchr(buf, '%') != NULL ? NULL : buf;
}

/* prefix - the /n of an ip4/ip6 argument, or the full length */
static int
prefix(const char *arg, int full)
{
	const char *sl = strchr(arg, '/');
	int64_t n;

	if (sl == NULL)
		return full;
	/* ip6 "//n" forms only appear on a/mx; take the first number */
	if (pf_strtonum(sl + 1, strcspn(sl + 1, "/"), 0, full, &n) != PF_OK)
		return full;
	return (int)n;
}

static void walk_domain(struct walk *, const char *, int);

/* void_check - count a void lookup (RFC 7208 4.6.4) for a: / mx: */
static void
void_check(struct walk *w, const char *dom, int type)
{
	struct pf_dns_result r;
	int rc = query(w, dom, type, &r);

	if (rc == PF_DNS_NXDOMAIN || rc == PF_DNS_NODATA)
		w->voids++;
	pf_dns_result_reset(&r);
}

/* walk_term - one term of a record */
static void
walk_term(struct walk *w, const char *dom, char *t, int depth, int top,
    char *redirect, size_t rlen)
{
	char q = '+', name[16], tbuf[256], msg[96];
	const char *arg, *tg;
	size_t n;
	int explicit = 0;

	if (*t != '\0' && strchr("+-~?", *t) != NULL) {
		q = *t++;
		explicit = 1;
	}
	n = strcspn(t, ":/=");
	if (t[n] == '=') {		/* a modifier */
		if (strncasecmp(t, "redirect", n) == 0 && n == 8) {
			w->dnsterms++;
			snprintf(redirect, rlen, "%s", t + n + 1);
		}
		return;
	}
	if (n >= sizeof(name))
		return;
	memcpy(name, t, n);
	name[n] = '\0';
	arg = t[n] == ':' ? t + n + 1 : (t[n] == '/' ? t + n : "");
	if (strcasecmp(name, "all") == 0) {
		if (top)
			w->top_all = q;
		if (q == '+')
			addsus(w, explicit ? "+all" : "bare all (same as "
			    "+all)");
	} else if (strcasecmp(name, "include") == 0) {
		w->dnsterms++;
		if ((tg = target(arg, NULL, tbuf, sizeof(tbuf))) != NULL)
			walk_domain(w, tg, depth + 1);
	} else if (strcasecmp(name, "a") == 0 || strcasecmp(name, "mx") == 0) {
		w->dnsterms++;
		tg = target(*arg == '/' ? NULL : arg, dom, tbuf, sizeof(tbuf));
		if (tg != NULL)
			void_check(w, tg, name[0] == 'a' || name[0] == 'A' ?
			    PF_DNS_T_A : PF_DNS_T_MX);
	} else if (strcasecmp(name, "ptr") == 0) {
		w->dnsterms++;
		addsus(w, "ptr mechanism");
	} else if (strcasecmp(name, "exists") == 0) {
		w->dnsterms++;
	} else if (strcasecmp(name, "ip4") == 0 && q != '-' &&
	    prefix(arg, 32) < PF_SPF_WIDE_V4) {
		snprintf(msg, sizeof(msg), "ip4 range wider than /%d (%s)",
		    PF_SPF_WIDE_V4, arg);
		addsus(w, msg);
	} else if (strcasecmp(name, "ip6") == 0 && q != '-' &&
	    prefix(arg, 128) < PF_SPF_WIDE_V6) {
		snprintf(msg, sizeof(msg), "ip6 range wider than /%d (%s)",
		    PF_SPF_WIDE_V6, arg);
		addsus(w, msg);
	}
}

/* walk_domain - analyse the record of dom and what it includes */
static void
walk_domain(struct walk *w, const char *dom, int depth)
{
	char rec[MAX_RECORD], redirect[256] = "", *p, *t;
	int top = depth == 0, found;

	if (depth > MAX_DEPTH || w->tempfail)
		return;
	if ((found = fetch(w, dom, rec, sizeof(rec), top)) <= 0)
		return;
	for (p = rec + 6; *p != '\0';) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		t = p;
		p += strcspn(p, " ");
		if (*p != '\0')
			*p++ = '\0';
		walk_term(w, dom, t, depth, top, redirect, sizeof(redirect));
	}
	/* RFC 7208 6.1: redirect applies only when there is no all */
	if (redirect[0] != '\0' && strchr(redirect, '%') == NULL &&
	    !(top && w->top_all)) {
		walk_domain(w, redirect, top ? 0 : depth + 1);
	}
}

/* analyse - hardfail and suspicious for dom */
static void
analyse(struct pf_spf *s, const char *dom, struct pf_dns_budget *b,
    struct pf_spf_result *out)
{
	struct walk w;
	char msg[64];

	memset(&w, 0, sizeof(w));
	w.dns = s->dns;
	w.budget = b;
	walk_domain(&w, dom, 0);
	if (w.tempfail) {
		out->hardfail = out->suspicious = -1;
		out->record_undec = w.undec;
		snprintf(out->record_why, sizeof(out->record_why), "%s",
		    w.why);
		return;
	}
	if (w.dnsterms > PF_SPF_MAX_DNS_TERMS) {
		snprintf(msg, sizeof(msg), "%d DNS-querying terms (limit %d)",
		    w.dnsterms, PF_SPF_MAX_DNS_TERMS);
		addsus(&w, msg);
	}
	if (w.voids > PF_SPF_MAX_VOID) {
		snprintf(msg, sizeof(msg), "%d void lookups (limit %d)",
		    w.voids, PF_SPF_MAX_VOID);
		addsus(&w, msg);
	}
	out->hardfail = w.top_all == '-';
	out->suspicious = w.sus[0] != '\0';
	snprintf(out->suspicious_why, sizeof(out->suspicious_why), "%s",
	    w.sus);
}

/* pf_spf_check - evaluate, then analyse the record */
int
pf_spf_check(struct pf_spf *s, const char *ip, const char *mail_from,
    const char *helo, struct pf_dns_budget *b, struct pf_spf_result *out)
{
	struct spf_call *call;
	char from[512];
	const char *at, *dom;
	int rc;

	memset(out, 0, sizeof(*out));
	out->hardfail = out->suspicious = -1;
	if (helo == NULL || *helo == '\0')
		helo = "localhost";
	/* RFC 7208 2.3/2.4: a null sender is checked as postmaster@HELO */
	if (mail_from == NULL || *mail_from == '\0' ||
	    (at = strrchr(mail_from, '@')) == NULL || at[1] == '\0') {
		snprintf(from, sizeof(from), "postmaster@%s", helo);
		dom = helo;
	} else {
		snprintf(from, sizeof(from), "%s", mail_from);
		dom = at + 1;
	}
	snprintf(out->domain, sizeof(out->domain), "%s", dom);
	if ((call = calloc(1, sizeof(*call))) == NULL)
		return PF_ENOMEM;
	call->budget = b;
	cur = call;
	rc = evaluate(s, ip, from, helo, call, out);
	cur = NULL;
	free(call);
	if (rc != PF_OK)
		return rc;
	analyse(s, dom, b, out);
	return PF_OK;
}
