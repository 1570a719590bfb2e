/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mime.c - the MIME observer: a streaming walk over the body (RFC 2045,
 * 2046).  It keeps its own boundary stack (bounded: deeper nesting is
 * reported, never recursed into), reads each part's header fields with
 * GMime's parameter decoding (RFC 2231 continuations, RFC 2047 names),
 * decodes base64 and quoted-printable incrementally where it must look at
 * content, and checks every part for Gmail's blocked types: by name, by
 * magic bytes, and by listing archives (spooled to memory, then to a
 * temporary file, under a hard cap).  message/rfc822 parts are walked like
 * the message.  Sets mime.* facts; a broken structure may set
 * msg.malformed.  The body is untrusted and never held whole.
 */
#include <glib.h>
#include <gmime/gmime.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/pf.h"
#include "base/facts.h"
#include "base/msg.h"
#include "message/content.h"
#include "message/tok822.h"
#include "message/blocked.h"
#include "message/mime.h"
#include "message/mimeparam.h"

#define MIME_DEPTH	64		/* nested multiparts and messages */
#define BOUNDARY_MAX	200		/* RFC 2046 5.1.1 says 70 */
#define PEEK		512		/* body line looked at for a boundary */
#define PHDR_KEEP	16384		/* one part header field kept */
#define FIELD_KEEP	16384		/* one top-level MIME field kept */
#define SNIFF		4096		/* decoded bytes for magic, at most */
#define SPOOL_MEM	(1 << 20)	/* archive bytes held in memory */
#define SPOOL_MAX	(64 << 20)	/* archive bytes spooled at most */

enum st { S_HDR, S_BODY, S_SKIP };

struct level {
	char	 b[BOUNDARY_MAX + 1];
	size_t	 blen;
	int	 nest;		/* message/rfc822 nesting inside it */
};

struct mime {
	struct pf_msg	*msg;
	/* the top-level MIME fields */
	char		*top[3];	/* Content-Type, -Transfer-Encoding,
					 * -Disposition */
	/* part header fields being read */
	char		*ph[3];
	size_t		 flen;
	/* boundaries */
	size_t		 nlev;
	int		 nest;
	int64_t		 depth;
	int		 too_deep;
	int		 no_boundary;
	enum st		 st;
	/* line assembly */
	size_t		 llen;
	int		 long_line;	/* past the limit: rest of line */
	int		 pend_crlf;
	/* the leaf part being read */
	int		 leaf;
	int		 sniff;		/* look at its content */
	int		 decode;
	GMimeEncoding	 enc;
	char		 fname[512];
	int		 named;
	size_t		 hlen;
	int		 judged;
	int		 spool;
	unsigned char	*mem;
	size_t		 mlen, mcap;	/* held in memory, and its room */
	FILE		*tmp;
	uint64_t	 slen;
	int64_t		 parts;
	int		 part_blocked;
	/* results */
	int64_t		 attach;
	int64_t		 blocked;
	char		 bname[512];
	char		 bwhy[200];
	int64_t		 param_ew;
	int		 limited;
	/* last: buffers not cleared at creation (their lengths say what
	 * is in them); 50 KB cleared per message showed in the profile */
	char		 field[PHDR_KEEP + 1];
	struct level	 lev[MIME_DEPTH];
	char		 line[PHDR_KEEP];
	unsigned char	 head[SNIFF];
};

static const char *const mime_fields[] = {
	"Content-Type", "Content-Transfer-Encoding", "Content-Disposition"
};
static const size_t mime_len[] = { 12, 25, 19 };

/* keep - store a bounded, NUL-free copy of a field value */
static void
keep(char **dst, const char *v, size_t vlen)
{
	size_t n = vlen < FIELD_KEEP ? vlen : FIELD_KEEP;
	char *c, *z;

	if (*dst != NULL || (c = malloc(n + 1)) == NULL)
		return;		/* the first one counts */
	memcpy(c, v, n);
	for (z = c; (z = memchr(z, '\0', n - (size_t)(z - c))) != NULL; z++)
		*z = ' ';
	c[n] = '\0';
	*dst = c;
}

/* field_index - which MIME field a name is, or -1 */
static int
field_index(const char *n, size_t nlen)
{
	size_t i;

	while (nlen > 0 && (n[nlen - 1] == ' ' || n[nlen - 1] == '\t'))
		nlen--;
	/* all three start "Content-" and differ in length */
	if (nlen < 12 || (n[0] != 'C' && n[0] != 'c'))
		return -1;
	for (i = 0; i < PF_NELEM(mime_fields); i++)
		if (mime_len[i] == nlen &&
		    strncasecmp(n, mime_fields[i], nlen) == 0)
			return (int)i;
	return -1;
}

/* param_ew - an encoded-word in the parameters (RFC 2047 section 5:
 * not allowed in a MIME parameter; RFC 2231 is the way) */
static void
check_param_ew(struct mime *m, int idx, const char *v, size_t vlen)
{
	const char *semi;

	if (idx == 1 || (semi = memchr(v, ';', vlen)) == NULL)
		return;
	if (pf_tok_has_ew(semi, vlen - (size_t)(semi - v)))
		m->param_ew++;
}

static void
mime_header(void *st, const char *n, size_t nlen, const char *v, size_t vlen)
{
	struct mime *m = st;
	int i;

	if ((i = field_index(n, nlen)) < 0)
		return;
	check_param_ew(m, i, v, vlen);
	keep(&m->top[i], v, vlen);
}

/* set_blocked - the current part is blocked; count each part once */
static void
set_blocked(struct mime *m, const char *name, const char *why)
{
	if (m->part_blocked)
		return;
	m->part_blocked = 1;
	if (m->blocked++ > 0)
		return;
	snprintf(m->bname, sizeof(m->bname), "%s", name);
	snprintf(m->bwhy, sizeof(m->bwhy), "%s", why);
}

/* part_name - the name to report a part by */
static const char *
part_name(struct mime *m, char *buf, size_t cap)
{
	if (m->named)
		return m->fname;
	snprintf(buf, cap, "(part %lld)", (long long)m->parts);
	return buf;
}

/* spool_add - keep archive bytes: memory first, then a temporary file */
static void
spool_add(struct mime *m, const unsigned char *p, size_t len)
{
	unsigned char *nm;
	size_t ncap;

	if (!m->spool || len == 0)
		return;
	if (m->slen + len > SPOOL_MAX) {
		m->spool = 0;
		m->limited = 1;
		return;
	}
	m->slen += len;
	if (m->tmp == NULL && m->mlen + len <= SPOOL_MEM) {
		/* room doubles: the MTA may hand the body over in small
		 * pieces, and growing by each piece would copy it all again
		 * every time */
		if (m->mlen + len > m->mcap) {
			ncap = m->mcap ? m->mcap : 8192;
			while (ncap < m->mlen + len)
				ncap *= 2;
			if (ncap > SPOOL_MEM)
				ncap = SPOOL_MEM;
			if ((nm = realloc(m->mem, ncap)) == NULL) {
				m->spool = 0;
				return;
			}
			m->mem = nm;
			m->mcap = ncap;
		}
		memcpy(m->mem + m->mlen, p, len);
		m->mlen += len;
		return;
	}
	if (m->tmp == NULL) {
		if ((m->tmp = tmpfile()) == NULL ||
		    fwrite(m->mem, 1, m->mlen, m->tmp) != m->mlen) {
			m->spool = 0;
			m->limited = 1;
			return;
		}
		free(m->mem);
		m->mem = NULL;
		m->mlen = m->mcap = 0;
	}
	if (fwrite(p, 1, len, m->tmp) != len) {
		m->spool = 0;
		m->limited = 1;
	}
}

/* judge - the first decoded bytes are in: executable?  archive? */
static void
judge(struct mime *m)
{
	const char *ex;
	char buf[32], why[200];

	m->judged = 1;
	if ((ex = pf_blocked_magic_exec(m->head, m->hlen)) != NULL) {
		snprintf(why, sizeof(why), "%s, found by its content", ex);
		set_blocked(m, part_name(m, buf, sizeof(buf)), why);
		return;
	}
	if (pf_blocked_magic_archive(m->head, m->hlen) ||
	    (m->named && pf_blocked_name_is_archive(m->fname))) {
		m->spool = 1;
		spool_add(m, m->head, m->hlen);
	}
}

/* sniff - decoded content of the current leaf */
static void
sniff(struct mime *m, const unsigned char *p, size_t len)
{
	size_t n;

	if (!m->judged) {
		n = SNIFF - m->hlen < len ? SNIFF - m->hlen : len;
		memcpy(m->head + m->hlen, p, n);
		m->hlen += n;
		p += n;
		len -= n;
		/* judged as soon as more bytes cannot change the answer:
		 * most parts stop being decoded after a few lines */
		if (m->hlen < SNIFF &&
		    !pf_blocked_magic_decided(m->head, m->hlen))
			return;
		judge(m);
	}
	if (len > 0)
		spool_add(m, p, len);
}

/* wanted - is the current leaf's content still looked at?  Checked
 * before each call: most lines are of parts already judged */
static int
wanted(const struct mime *m)
{
	return m->leaf && m->sniff && !m->part_blocked &&
	    (!m->judged || m->spool);
}

/* decode - transfer-encoded bytes of the current leaf, decoded */
static void
decode(struct mime *m, const char *p, size_t len)
{
	char out[8192];
	size_t n, step;

	while (len > 0 && wanted(m)) {
		/* base64 and QP never grow: 4 KB in fits 8 KB out */
		step = len < 4096 ? len : 4096;
		n = g_mime_encoding_step(&m->enc, p, step, out);
		sniff(m, (unsigned char *)out, n);
		p += step;
		len -= step;
	}
}

/* content - raw (transfer-encoded) bytes of the current leaf */
static void
content(struct mime *m, const char *p, size_t len)
{
	if (!wanted(m))
		return;
	if (!m->decode)
		sniff(m, (const unsigned char *)p, len);
	else
		decode(m, p, len);
}

/* end_leaf - the current leaf is over: judge it, list its archive */
static void
end_leaf(struct mime *m)
{
	struct pf_blocked_res r;
	char buf[32];

	if (!m->leaf)
		return;
	m->leaf = 0;
	if (m->sniff && !m->judged)
		judge(m);
	if (m->spool && !m->part_blocked) {
		memset(&r, 0, sizeof(r));
		if (m->tmp != NULL) {
			fflush(m->tmp);
			pf_blocked_scan_fd(fileno(m->tmp), m->slen,
			    part_name(m, buf, sizeof(buf)), &r);
		} else
			pf_blocked_scan_mem(m->mem, m->mlen,
			    part_name(m, buf, sizeof(buf)), &r);
		if (r.blocked)
			set_blocked(m, r.name, r.why);
		if (r.limited)
			m->limited = 1;
	}
	if (m->tmp != NULL)
		fclose(m->tmp);
	m->tmp = NULL;
	free(m->mem);
	m->mem = NULL;
	m->mlen = m->mcap = 0;
	m->slen = 0;
	m->spool = 0;
}

/* cur_depth - the nesting of the part now being read */
static void
note_depth(struct mime *m)
{
	int64_t d = (int64_t)m->nlev + m->nest;

	if (d > m->depth)
		m->depth = d;
}

/* leaf_begin - a part with content: name, attachment, blocked type;
 * ct is NULL when the part has no Content-Type */
static void
leaf_begin(struct mime *m, const struct pf_mp *ct, const char *cte,
    const char *cd)
{
	static const char *const want[PF_MP_WANT] = { "filename", NULL };
	struct pf_mp d;
	const struct pf_mp_str *fn = NULL;
	const char *ext;
	char why[160];
	int attach = 0;

	m->leaf = 1;
	m->parts++;
	m->named = m->judged = m->spool = m->part_blocked = 0;
	m->hlen = 0;
	memset(&d, 0, sizeof(d));
	if (cd != NULL) {
		pf_mp_disposition(&d, cd, want);
		attach = pf_mp_is(&d.type, "attachment");
		fn = &d.param[0];
	}
	if ((fn == NULL || fn->n == 0) && ct != NULL)
		fn = &ct->param[1];
	if (fn != NULL && fn->n > 0) {
		pf_mp_copy(fn, m->fname, sizeof(m->fname));
		m->named = 1;
	}
	pf_mp_reset(&d);
	if (m->named || attach)
		m->attach++;
	if (m->named && (ext = pf_blocked_name_blocked(m->fname)) != NULL) {
		snprintf(why, sizeof(why), "blocked file type .%s", ext);
		set_blocked(m, m->fname, why);
	}
	/* look at content that could be a file: not plain body text */
	m->decode = 0;
	if (cte != NULL) {
		GMimeContentEncoding e = g_mime_content_encoding_from_string(
		    g_strstrip((char *)cte));
		if (e == GMIME_CONTENT_ENCODING_BASE64 ||
		    e == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE) {
			g_mime_encoding_init_decode(&m->enc, e);
			m->decode = 1;
		}
	}
	m->sniff = m->named || attach || m->decode ||
	    (ct != NULL && !pf_mp_is(&ct->type, "text"));
}

/* open_multipart - a multipart's boundary goes on the stack */
static void
open_multipart(struct mime *m, const struct pf_mp_str *b)
{
	struct level *l;

	m->st = S_SKIP;		/* the preamble, or the whole part */
	if (b->p == NULL || b->n == 0 || b->n > BOUNDARY_MAX) {
		m->no_boundary = 1;
	} else if (m->nlev + (size_t)m->nest + 1 >= MIME_DEPTH) {
		m->too_deep = 1;
	} else {
		l = &m->lev[m->nlev++];
		l->blen = b->n;
		memcpy(l->b, b->p, l->blen);
		l->b[l->blen] = '\0';
		l->nest = m->nest;
		note_depth(m);
	}
}

/* open_message - a message/rfc822 part is walked like the message */
static void
open_message(struct mime *m, const struct pf_mp *ct, char *const *f)
{
	/* count it as an attachment when it is one */
	if (f[2] != NULL || ct->param[1].p != NULL) {
		leaf_begin(m, ct, f[1], f[2]);
		m->leaf = 0;
	}
	if (m->nlev + (size_t)m->nest + 1 >= MIME_DEPTH) {
		m->too_deep = 1;
		m->st = S_SKIP;
	} else {
		m->nest++;
		m->st = S_HDR;
		note_depth(m);
	}
}

/* part_begin - the header of a part (or the message) is complete */
static void
part_begin(struct mime *m, char *const *f)
{
	static const char *const want[PF_MP_WANT] = { "boundary", "name" };
	struct pf_mp ct;
	int enc = 0;

	pf_content_gmime();
	note_depth(m);
	memset(&ct, 0, sizeof(ct));
	if (f[0] != NULL)
		pf_mp_ctype(&ct, f[0], want);
	if (f[1] != NULL) {
		GMimeContentEncoding e = g_mime_content_encoding_from_string(
		    g_strstrip(f[1]));
		enc = e == GMIME_CONTENT_ENCODING_BASE64 ||
		    e == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
	}
	if (f[0] != NULL && pf_mp_is(&ct.type, "multipart"))
		open_multipart(m, &ct.param[0]);
	else if (f[0] != NULL && !enc && pf_mp_is(&ct.type, "message") &&
	    (pf_mp_is(&ct.subtype, "rfc822") ||
	    pf_mp_is(&ct.subtype, "global")))
		open_message(m, &ct, f);
	else {
		leaf_begin(m, f[0] != NULL ? &ct : NULL, f[1], f[2]);
		m->st = S_BODY;
	}
	pf_mp_reset(&ct);
}

/* clear_ph - forget the part header fields */
static void
clear_ph(struct mime *m)
{
	size_t i;

	for (i = 0; i < 3; i++) {
		free(m->ph[i]);
		m->ph[i] = NULL;
	}
	m->flen = 0;
}

/* ph_flush - a part header field is complete */
static void
ph_flush(struct mime *m)
{
	const char *colon;
	int i;

	if (m->flen == 0)
		return;
	colon = memchr(m->field, ':', m->flen);
	if (colon != NULL && (i = field_index(m->field,
	    (size_t)(colon - m->field))) >= 0) {
		check_param_ew(m, i, colon + 1,
		    m->flen - (size_t)(colon + 1 - m->field));
		keep(&m->ph[i], colon + 1,
		    m->flen - (size_t)(colon + 1 - m->field));
	}
	m->flen = 0;
}

/* ph_line - a line of a part's header block */
static void
ph_line(struct mime *m, const char *p, size_t len)
{
	size_t n;

	if (len == 0) {
		ph_flush(m);
		part_begin(m, m->ph);
		clear_ph(m);
		return;
	}
	if (*p != ' ' && *p != '\t')
		ph_flush(m);
	n = PHDR_KEEP - m->flen < len ? PHDR_KEEP - m->flen : len;
	memcpy(m->field + m->flen, p, n);
	m->flen += n;
}

/* boundary - is the line a delimiter of an open multipart?  Level + 1 and
 * *close, or 0 */
static size_t
boundary(struct mime *m, const char *p, size_t len, int *close)
{
	size_t k, i;
	const struct level *l;

	if (len < 2 || p[0] != '-' || p[1] != '-')
		return 0;
	for (k = m->nlev; k > 0; k--) {
		l = &m->lev[k - 1];
		if (len < 2 + l->blen || memcmp(p + 2, l->b, l->blen) != 0)
			continue;
		i = 2 + l->blen;
		*close = len >= i + 2 && p[i] == '-' && p[i + 1] == '-';
		if (*close)
			i += 2;
		/* RFC 2046 5.1.1: only transport padding may follow */
		for (; i < len; i++)
			if (p[i] != ' ' && p[i] != '\t')
				break;
		if (i == len)
			return k;
	}
	return 0;
}

/* line - one body line (without CRLF), at most PHDR_KEEP bytes of it */
static void
line(struct mime *m, const char *p, size_t len)
{
	size_t k;
	int close;

	if ((k = boundary(m, p, len, &close)) != 0) {
		end_leaf(m);
		clear_ph(m);
		m->pend_crlf = 0;
		m->nest = m->lev[k - 1].nest;
		if (close) {
			m->nlev = k - 1;
			m->st = S_SKIP;		/* the epilogue */
		} else {
			m->nlev = k;
			m->st = S_HDR;
		}
		return;
	}
	if (m->st == S_HDR)
		ph_line(m, p, len);
	else if (m->st == S_BODY) {
		if (m->pend_crlf && wanted(m))
			content(m, "\r\n", 2);
		if (wanted(m))
			content(m, p, len);
		m->pend_crlf = 1;
	}
}

/* inert - no line of the part can matter but a delimiter: a preamble or
 * epilogue, or content no longer looked at (that cannot change before
 * the next delimiter) */
static int
inert(const struct mime *m)
{
	return m->st == S_SKIP || (m->st == S_BODY && !wanted(m));
}

/* skip_lines - pass the whole lines at p that cannot be delimiters (one
 * starts with '-'); where to look again: a line starting with '-', or
 * the start of the last, unfinished line */
static const char *
skip_lines(const char *p, const char *e)
{
	const char *dash, *lf, *q;

	while (p < e && *p != '-') {
		if ((dash = memchr(p, '-', (size_t)(e - p))) == NULL)
			dash = e;
		else if (dash[-1] == '\n')
			return dash;
		/* past the line the '-' is in (base64 has none) */
		if ((lf = dash < e ? memchr(dash, '\n', (size_t)(e - dash)) :
		    NULL) == NULL) {
			for (q = dash; q > p && q[-1] != '\n'; q--)
				;
			return q;
		}
		p = lf + 1;
	}
	return p;
}

/* mime_body - split the body stream into lines; long lines of content
 * go straight through, lines that cannot matter are passed over */
static void
mime_body(void *st, const unsigned char *up, size_t len)
{
	struct mime *m = st;
	const char *p = (const char *)up, *e = p + len, *lf;
	size_t n, lim;

	while (p < e) {
		if (m->llen == 0 && !m->long_line && inert(m)) {
			if (m->nlev == 0)
				return;		/* no delimiter can come */
			if ((p = skip_lines(p, e)) == e)
				return;
		}
		lf = memchr(p, '\n', (size_t)(e - p));
		n = (size_t)((lf ? lf : e) - p);
		if (m->long_line) {
			if (m->st == S_BODY)
				content(m, p, lf ? n + 1 : n);
			if (lf)
				m->long_line = 0;
			p += lf ? n + 1 : n;
			continue;
		}
		lim = m->st == S_HDR ? PHDR_KEEP : PEEK;
		if (m->llen + n > lim) {
			/* too long to be a boundary: content as it comes
			 * (a header line is cut) */
			if (m->st == S_BODY) {
				if (m->pend_crlf)
					content(m, "\r\n", 2);
				m->pend_crlf = 0;
				content(m, m->line, m->llen);
				m->llen = 0;
			} else if (m->st == S_HDR) {
				n = lim - m->llen;
				memcpy(m->line + m->llen, p, n);
				m->llen += n;
				ph_line(m, m->line, m->llen);
				m->llen = 0;
			} else
				m->llen = 0;
			m->long_line = 1;
			continue;
		}
		if (m->llen == 0 && lf != NULL) {
			/* a whole line in this chunk: read it where it is */
			line(m, p, n > 0 && p[n - 1] == '\r' ? n - 1 : n);
			p = lf + 1;
			continue;
		}
		memcpy(m->line + m->llen, p, n);
		m->llen += n;
		if (lf == NULL)
			break;
		if (m->llen > 0 && m->line[m->llen - 1] == '\r')
			m->llen--;
		line(m, m->line, m->llen);
		m->llen = 0;
		p = lf + 1;
	}
}

static void
mime_eoh(void *st)
{
	struct mime *m = st;

	part_begin(m, m->top);
}

/* mime_end - the last line, the last leaf, and the facts */
static void
mime_end(void *st, struct pf_facts *f)
{
	struct mime *m = st;
	const char *why = NULL;

	if (m->llen > 0 && !m->long_line)
		line(m, m->line, m->llen);
	m->llen = 0;
	end_leaf(m);
	pf_fact_num(f, PF_F_MIME_ATTACH_COUNT, m->attach);
	pf_fact_num(f, PF_F_MIME_DEPTH, m->depth);
	/* an archive listed only in part may hide a blocked file past the
	 * cap: nothing found is then not a pass */
	if (m->blocked == 0 && m->limited)
		pf_fact_unknown(f, PF_F_MIME_BLOCKED_COUNT, PF_U_TOO_LARGE,
		    "an archive was too large or too deep to list whole "
		    "(listing caps: entries, size, nesting, ratio)");
	else
		pf_fact_num(f, PF_F_MIME_BLOCKED_COUNT, m->blocked);
	pf_fact_strz(f, PF_F_MIME_BLOCKED_NAME, m->bname);
	pf_fact_strz(f, PF_F_MIME_BLOCKED_WHY, m->bwhy);
	pf_fact_num(f, PF_F_MIME_PARAM_EW_COUNT, m->param_ew);
	pf_fact_bool(f, PF_F_MIME_ARCHIVE_LIMITED, m->limited);
	if (m->too_deep)
		why = "MIME parts nested deeper than the walk follows";
	else if (m->no_boundary)
		why = "a multipart without a usable boundary";
	if (why != NULL && !pf_fact_getn(f, PF_F_MSG_MALFORMED)) {
		pf_fact_bool(f, PF_F_MSG_MALFORMED, 1);
		pf_fact_strz(f, PF_F_MSG_MALFORMED_WHY, why);
	}
}

static int
mime_begin(void *arg, struct pf_msg *msg, void **st)
{
	struct mime *m;

	if ((m = malloc(sizeof(*m))) == NULL)
		return PF_ENOMEM;
	memset(m, 0, offsetof(struct mime, field));
	m->msg = msg;
	*st = m;
	return PF_OK;
}

/* mime_release - what the state holds beyond itself */
static void
mime_release(struct mime *m)
{
	size_t i;

	for (i = 0; i < 3; i++)
		free(m->top[i]);
	clear_ph(m);
	if (m->tmp != NULL)
		fclose(m->tmp);
	free(m->mem);
}

static void
mime_free(void *st)
{
	struct mime *m = st;

	if (m == NULL)
		return;
	mime_release(m);
	free(m);
}

/* mime_reset - the state of a new message, in place */
static void
mime_reset(void *st)
{
	struct mime *m = st;
	struct pf_msg *msg = m->msg;

	mime_release(m);
	memset(m, 0, offsetof(struct mime, field));
	m->msg = msg;
}

const struct pf_observer pf_mime_observer = {
	"mime", NULL, mime_begin, mime_header, mime_eoh, mime_body, mime_end,
	mime_free, mime_reset
};
