/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dkim.c - the only user of libopendkim.  It verifies every DKIM-Signature
 * of a message as it streams past (header, end of header, body, end) and
 * judges each as Gmail does: a verified signature still fails with rsa-sha1
 * or a key under 1024 bits.  The header fields are held until the end of
 * the header and given to the library only when one is a DKIM-Signature;
 * the library's verify handle is made only then too.  Key lookups go through dns.c by libopendkim's
 * query callbacks: the reply packet is handed over as is, and a temporary
 * failure (SERVFAIL, REFUSED, timeout, budget) becomes DKIM_DNS_ERROR so
 * the library reports KEYFAIL (temperror), never "no key".
 * Input trusted: none; libopendkim bounds what it parses.
 */
#include <ctype.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <opendkim/dkim.h>

#include "auth/dkim.h"

struct pf_dkim {
	DKIM_LIB	*lib;
	struct pf_dns	*dns;
};

struct pf_dkim_msg {
	struct pf_dkim		*dk;
	DKIM			*d;
	struct pf_dns_budget	*budget;
	int			 nosig;	/* no signature: stop */
	int			 done;
	int			 toolarge;	/* header block past the caps */
	int			 nomem;	/* no verify handle could be made */
	size_t			 hfields, hbytes;
	/* the header fields, held until the end of the header shows a
	 * signature (most mail has none: libopendkim never sees it) */
	unsigned char		*held;
	size_t			 hlen, hcap;
	int			 signed_;	/* a DKIM-Signature field */
	enum pf_undecided	 undec;		/* first DNS failure */
	char			 why[256];
	size_t			 nsigs;
	/* last: not cleared at creation (nsigs says what is in it) */
	struct pf_dkim_sig	 sigs[PF_DKIM_MAX_SIGS];
};

/* one query in flight, from start to cancel */
struct dkim_q {
	int	 failed;
	size_t	 len;
};

/* the message whose library call is running in this thread */
static __thread struct pf_dkim_msg *cur;

/* synth - a reply with no answers, for NXDOMAIN / NODATA that libunbound
 * returned without a packet: header, the question, nothing else */
static size_t
synth(const char *qname, int type, int nx, unsigned char *buf, size_t len)
{
	const char *p = qname, *dot;
	size_t o = 12, n;

	if (len < 12 + 255 + 5)
		return 0;
	memset(buf, 0, 12);
	buf[2] = 0x84;			/* QR, AA */
	buf[3] = nx ? 3 : 0;		/* NXDOMAIN or NOERROR */
	buf[5] = 1;			/* one question */
	while (*p != '\0') {
		dot = strchr(p, '.');
		n = dot ? (size_t)(dot - p) : strlen(p);
		if (n == 0 || n > 63 || o + n + 1 > 12 + 255)
			return 0;
		buf[o++] = (unsigned char)n;
		memcpy(buf + o, p, n);
		o += n;
		p += n + (dot != NULL);
	}
	buf[o++] = 0;
	buf[o++] = (unsigned char)(type >> 8);
	buf[o++] = (unsigned char)type;
	buf[o++] = 0;
	buf[o++] = 1;			/* class IN */
	return o;
}

/* q_start - libopendkim asks a question; we answer it right away */
static int
q_start(void *srv, int type, unsigned char *qname, unsigned char *buf,
    size_t buflen, void **qh)
{
	struct pf_dkim *dk = srv;
	struct pf_dns_result r;
	struct dkim_q *q;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return DKIM_DNS_ERROR;
	pf_dns_query(dk->dns, (const char *)qname, type,
	    cur ? cur->budget : NULL, &r);
	if (r.rc != PF_DNS_TEMPFAIL && r.rc != PF_DNS_ANSWER &&
	    r.packet == NULL)
		q->len = synth((const char *)qname, type,
		    r.rc == PF_DNS_NXDOMAIN, buf, buflen);
	if (q->len > 0)
		;	/* synthesized above */
	else if (r.rc == PF_DNS_TEMPFAIL || r.packet == NULL ||
	    r.plen > buflen) {
		/* a SERVFAIL packet would read as "no key": report an error */
		q->failed = 1;
		if (cur != NULL && cur->why[0] == '\0') {
			cur->undec = r.rc == PF_DNS_TEMPFAIL ? r.undec :
			    PF_U_SERVER_FAILURE;
			snprintf(cur->why, sizeof(cur->why), "%s",
			    r.rc == PF_DNS_TEMPFAIL ? r.why :
			    "unusable DNS reply for a DKIM key");
		}
	} else {
		memcpy(buf, r.packet, r.plen);
		q->len = r.plen;
	}
	pf_dns_result_reset(&r);
	*qh = q;
	return 0;
}

/* q_wait - the answer is already there */
static int
q_wait(void *srv, void *qh, struct timeval *to, size_t *bytes, int *error,
    int *dnssec)
{
	struct dkim_q *q = qh;

	if (dnssec != NULL)
		*dnssec = DKIM_DNSSEC_UNKNOWN;
	if (q == NULL || q->failed) {
		if (error != NULL)
			*error = 0;
		return DKIM_DNS_ERROR;
	}
	*bytes = q->len;
	return DKIM_DNS_SUCCESS;
}

/* q_cancel - libopendkim is done with the query */
static int
q_cancel(void *srv, void *qh)
{
	free(qh);
	return 0;
}

/* prescreen - hostile mail may carry thousands of signatures: verify the
 * first PF_DKIM_MAX_SIGS, ignore the rest (no key lookups for them) */
static DKIM_CBSTAT
prescreen(DKIM *d, DKIM_SIGINFO **sigs, int nsigs)
{
	int i;

	for (i = PF_DKIM_MAX_SIGS; i < nsigs; i++)
		dkim_sig_ignore(sigs[i]);
	return DKIM_CBSTAT_CONTINUE;
}

/* dns_init, dns_close - the service handle is ours: nothing to set up,
 * and libopendkim must not free it (its default close does) */
static int
dns_init(void **srv)
{
	return 0;
}

static void
dns_close(void *srv)
{
}

/* pf_dkim_new - the shared library handle */
int
pf_dkim_new(struct pf_dns *dns, struct pf_dkim **out, struct pf_err *err)
{
	struct pf_dkim *dk;
	unsigned int minbits = 1;

	*out = NULL;
	if ((dk = calloc(1, sizeof(*dk))) == NULL)
		return pf_err_set(err, PF_ENOMEM, "out of memory");
	dk->dns = dns;
	if ((dk->lib = dkim_init(NULL, NULL)) == NULL) {
		free(dk);
		return pf_err_set(err, PF_ENOMEM, "dkim_init failed");
	}
	/* verify short keys too, so we can name the size; judged below */
	(void)dkim_options(dk->lib, DKIM_OP_SETOPT, DKIM_OPTS_MINKEYBITS,
	    &minbits, sizeof(minbits));
	(void)dkim_set_prescreen(dk->lib, prescreen);
	dkim_dns_set_init(dk->lib, dns_init);
	dkim_dns_set_close(dk->lib, dns_close);
	dkim_dns_set_query_service(dk->lib, dk);
	dkim_dns_set_query_start(dk->lib, q_start);
	dkim_dns_set_query_waitreply(dk->lib, q_wait);
	dkim_dns_set_query_cancel(dk->lib, q_cancel);
	*out = dk;
	return PF_OK;
}

/* pf_dkim_free - NULL is a no-op */
void
pf_dkim_free(struct pf_dkim *dk)
{
	if (dk == NULL)
		return;
	dkim_close(dk->lib);
	free(dk);
}

/* pf_dkim_msg_new - a verifier for one message; NULL on ENOMEM.  The
 * library's handle waits for a signature (pf_dkim_eoh). */
struct pf_dkim_msg *
pf_dkim_msg_new(struct pf_dkim *dk, struct pf_dns_budget *b)
{
	struct pf_dkim_msg *m;

	if ((m = malloc(sizeof(*m))) == NULL)
		return NULL;
	memset(m, 0, offsetof(struct pf_dkim_msg, sigs));
	m->dk = dk;
	m->budget = b;
	return m;
}

/* pf_dkim_msg_reset - what pf_dkim_msg_new made, in place, keeping the
 * buffer of held fields (given back past 64 KB) */
void
pf_dkim_msg_reset(struct pf_dkim_msg *m)
{
	struct pf_dkim *dk = m->dk;
	struct pf_dns_budget *b = m->budget;
	unsigned char *held = m->held;
	size_t hcap = m->hcap;

	if (m->d != NULL)
		dkim_free(m->d);
	if (hcap > 65536) {
		free(held);
		held = NULL;
		hcap = 0;
	}
	memset(m, 0, offsetof(struct pf_dkim_msg, sigs));
	m->dk = dk;
	m->budget = b;
	m->held = held;
	m->hcap = hcap;
}

/* pf_dkim_msg_free - NULL is a no-op */
void
pf_dkim_msg_free(struct pf_dkim_msg *m)
{
	if (m == NULL)
		return;
	if (m->d != NULL)
		dkim_free(m->d);
	free(m->held);
	free(m);
}

/* hold - keep one "Name:value" field (after its length) for
 * pf_dkim_eoh; a field that finds no memory is left out, as before */
static void
hold(struct pf_dkim_msg *m, const char *name, size_t nlen,
    const char *value, size_t vlen)
{
	size_t n = nlen + vlen + 1, need = m->hlen + sizeof(n) + n, cap;
	unsigned char *p;

	if (need > m->hcap) {
		for (cap = m->hcap ? m->hcap : 4096; cap < need; cap *= 2)
			;
		if ((p = realloc(m->held, cap)) == NULL)
			return;
		m->held = p;
		m->hcap = cap;
	}
	p = m->held + m->hlen;
	memcpy(p, &n, sizeof(n));
	memcpy(p + sizeof(n), name, nlen);
	p[sizeof(n) + nlen] = ':';
	memcpy(p + sizeof(n) + nlen + 1, value, vlen);
	m->hlen = need;
}

/* replay - hand the held fields to libopendkim, in order */
static void
replay(struct pf_dkim_msg *m)
{
	size_t o = 0, n;

	while (o < m->hlen) {
		memcpy(&n, m->held + o, sizeof(n));
		(void)dkim_header(m->d, m->held + o + sizeof(n), n);
		o += sizeof(n) + n;
	}
}

/* pf_dkim_header - "Name:value" exactly as sent (c=simple needs it) */
void
pf_dkim_header(struct pf_dkim_msg *m, const char *name, size_t nlen,
    const char *value, size_t vlen)
{
	if (m == NULL || m->nosig || m->done || nlen + vlen + 1 < vlen)
		return;
	/*
	 * libopendkim keeps every field it is given.  A header block far past
	 * Gmail's own limits (which predict a 552 for it anyway) is not
	 * verified: the handle is dropped so memory stays bounded.
	 */
	m->hbytes += nlen + vlen + 1;
	if (++m->hfields > PF_DKIM_MAX_FIELDS ||
	    m->hbytes > PF_DKIM_MAX_HBYTES) {
		m->toolarge = 1;
		m->nosig = 1;
		free(m->held);
		m->held = NULL;
		m->hlen = m->hcap = 0;
		return;
	}
	/* any field libopendkim could take for a signature (its name is
	 * compared with trailing space dropped) */
	if (nlen >= 14 && strncasecmp(name, "DKIM-Signature", 14) == 0)
		m->signed_ = 1;
	hold(m, name, nlen, value, vlen);
}

/* pf_dkim_eoh - end of header; no signature means nothing more to do,
 * else the library gets its handle and the held fields */
void
pf_dkim_eoh(struct pf_dkim_msg *m)
{
	DKIM_STAT st;

	if (m == NULL || m->nosig || m->done)
		return;
	if (!m->signed_) {
		m->nosig = 1;	/* what dkim_eoh says without one */
		return;
	}
	m->d = dkim_verify(m->dk->lib, (const unsigned char *)"preflight",
	    NULL, &st);
	if (m->d == NULL) {
		m->nomem = 1;
		m->nosig = 1;
		return;
	}
	cur = m;
	replay(m);
	if (dkim_eoh(m->d) == DKIM_STAT_NOSIG)
		m->nosig = 1;
	cur = NULL;
}

/* pf_dkim_body - a chunk of body, CRLF line ends.  Without a resolver no
 * key can be fetched, every signature ends undecided before its body hash
 * is compared, so the body is not hashed at all. */
void
pf_dkim_body(struct pf_dkim_msg *m, const unsigned char *p, size_t len)
{
	if (m == NULL || m->nosig || m->done || m->dk->dns == NULL)
		return;
	cur = m;
	(void)dkim_body(m->d, (unsigned char *)p, len);
	cur = NULL;
}

/* pf_dkim_hlist_has - h= is colon-separated, may hold folding spaces */
int
pf_dkim_hlist_has(const char *h, const char *field)
{
	const char *p = h, *e, *s, *t;
	size_t n = strlen(field);

	while (h != NULL && *p != '\0') {
		e = p + strcspn(p, ":");
		s = p;
		t = e;
		while (s < t && isspace((unsigned char)*s))
			s++;
		while (t > s && isspace((unsigned char)t[-1]))
			t--;
		if ((size_t)(t - s) == n && strncasecmp(s, field, n) == 0)
			return 1;
		p = *e ? e + 1 : e;
	}
	return 0;
}

/* alg_name - a= as text */
static const char *
alg_name(dkim_alg_t a)
{
	switch (a) {
	case DKIM_SIGN_RSASHA1:		return "rsa-sha1";
	case DKIM_SIGN_RSASHA256:	return "rsa-sha256";
	case DKIM_SIGN_ED25519SHA256:	return "ed25519-sha256";
	default:			return "unknown";
	}
}

/* judge - one signature, as Gmail would see it */
static void
judge(struct pf_dkim_msg *m, DKIM_SIGINFO *s, struct pf_dkim_sig *o)
{
	const unsigned char *v;
	unsigned int bits = 0;
	dkim_alg_t alg = DKIM_SIGN_UNKNOWN;
	int err = dkim_sig_geterror(s);
	const char *es;

	memset(o, 0, sizeof(*o));
	if ((v = dkim_sig_getdomain(s)) != NULL)
		snprintf(o->domain, sizeof(o->domain), "%s", v);
	if ((v = dkim_sig_getselector(s)) != NULL)
		snprintf(o->selector, sizeof(o->selector), "%s", v);
	if (dkim_sig_getkeysize(s, &bits) == DKIM_STAT_OK)
		o->bits = bits;
	(void)dkim_sig_getsignalg(s, &alg);
	snprintf(o->alg, sizeof(o->alg), "%s", alg_name(alg));
	if ((v = dkim_sig_gettagvalue(s, 0, (u_char *)"h")) != NULL) {
		o->covers_from = pf_dkim_hlist_has((const char *)v, "from");
		o->covers_unsub = pf_dkim_hlist_has((const char *)v,
		    "list-unsubscribe");
		o->covers_unsub_post = pf_dkim_hlist_has((const char *)v,
		    "list-unsubscribe-post");
	}
	o->weak = o->bits != 0 && o->bits < PF_DKIM_MIN_BITS &&
	    alg != DKIM_SIGN_ED25519SHA256;
	if (DKIM_SIG_CHECK(s)) {
		/* libopendkim reports no size for Ed25519: always 256 bits */
		if (alg == DKIM_SIGN_ED25519SHA256 && o->bits == 0)
			o->bits = 256;
		if (alg == DKIM_SIGN_RSASHA1) {
			snprintf(o->result, sizeof(o->result), "fail");
			snprintf(o->why, sizeof(o->why), "rsa-sha1 signature "
			    "(Gmail requires SHA-256)");
		} else if (o->weak) {
			snprintf(o->result, sizeof(o->result), "fail");
			snprintf(o->why, sizeof(o->why), "%u-bit key (Gmail "
			    "requires at least %d)", o->bits, PF_DKIM_MIN_BITS);
		} else
			snprintf(o->result, sizeof(o->result), "pass");
		return;
	}
	es = err != DKIM_SIGERROR_OK ? dkim_sig_geterrorstr(err) : NULL;
	if (err == DKIM_SIGERROR_KEYFAIL) {
		snprintf(o->result, sizeof(o->result), "temperror");
		/* no lookup of ours failed: what a server sent */
		o->undec = m->why[0] ? m->undec : PF_U_SERVER_FAILURE;
		snprintf(o->why, sizeof(o->why), "%s", m->why[0] ? m->why :
		    "key DNS query failed");
		return;
	}
	if (err == DKIM_SIGERROR_BADSIG || err == DKIM_SIGERROR_OK ||
	    dkim_sig_getbh(s) == DKIM_SIGBH_MISMATCH)
		snprintf(o->result, sizeof(o->result), "fail");
	else
		snprintf(o->result, sizeof(o->result), "permerror");
	if (dkim_sig_getbh(s) == DKIM_SIGBH_MISMATCH)
		snprintf(o->why, sizeof(o->why), "body hash mismatch (body "
		    "changed after signing)");
	else
		snprintf(o->why, sizeof(o->why), "%s", es ? es :
		    "signature did not verify");
}

/* pf_dkim_end - verify and judge every signature */
void
pf_dkim_end(struct pf_dkim_msg *m)
{
	DKIM_SIGINFO **sigs = NULL;
	int n = 0, i;

	if (m == NULL || m->done)
		return;
	m->done = 1;
	if (m->nosig || m->d == NULL)	/* no signature, or no end of header */
		return;
	cur = m;
	(void)dkim_eom(m->d, NULL);
	cur = NULL;
	if (dkim_getsiglist(m->d, &sigs, &n) != DKIM_STAT_OK || sigs == NULL)
		return;
	for (i = 0; i < n && m->nsigs < PF_DKIM_MAX_SIGS; i++)
		if (!(dkim_sig_getflags(sigs[i]) & DKIM_SIGFLAG_IGNORE))
			judge(m, sigs[i], &m->sigs[m->nsigs++]);
}

/* pf_dkim_toolarge - the header block was too large to verify */
int
pf_dkim_toolarge(const struct pf_dkim_msg *m)
{
	return m != NULL && m->toolarge;
}

/* pf_dkim_nomem - a signature was there, but no memory to verify it */
int
pf_dkim_nomem(const struct pf_dkim_msg *m)
{
	return m != NULL && m->nomem;
}

/* pf_dkim_nsigs - signatures judged */
size_t
pf_dkim_nsigs(const struct pf_dkim_msg *m)
{
	return m != NULL ? m->nsigs : 0;
}

/* pf_dkim_sig - the i-th judged signature */
const struct pf_dkim_sig *
pf_dkim_sig(const struct pf_dkim_msg *m, size_t i)
{
	return m != NULL && i < m->nsigs ? &m->sigs[i] : NULL;
}
