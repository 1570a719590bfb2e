/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * msg.c - the streaming message builder.  It owns the envelope and hands the
 * content, as it arrives, to the observers (header analysis, MIME walk,
 * DKIM).  Two ways in: the milter passes one header field at a time and
 * body chunks; the CLI passes the raw message in chunks of any size, which
 * the splitter here cuts into fields and body.  Everything is untrusted:
 * one header field is kept up to PF_MSG_FIELD_KEEP bytes (its length is
 * still counted exactly), the body is never kept, and defects of the
 * framing (NUL bytes, a line without a colon, no blank line before the
 * body) become facts rather than errors.
 */
#include <stdint.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/pf.h"
#include "base/facts.h"
#include "base/msg.h"

#define MAX_OBSERVERS	16
#define OUTBUF		8192
#define DEFECT_LINE	80
#define BBUF_KEEP	(64 * 1024)	/* kept across pf_msg_reset */

enum phase { PH_HDR = 0, PH_BODY };

/* a bounded byte buffer: keeps up to PF_MSG_FIELD_KEEP, counts everything */
struct bbuf {
	char	*p;
	size_t	 len;		/* bytes kept */
	size_t	 cap;
	uint64_t total;		/* bytes seen */
};

struct obs {
	const struct pf_observer *o;
	void	*st;
};

struct pf_msg {
	char		*helo;
	char		*mail;
	char		**rcpt;
	size_t		 nrcpt, rcap;
	int		 smtputf8;

	struct obs	 obs[MAX_OBSERVERS];
	size_t		 nobs;

	enum phase	 phase;
	int		 eoh_sent;
	int		 ended;
	uint64_t	 size;
	unsigned	 defects;
	char		 defect_line[DEFECT_LINE + 1];
	size_t		 nfields;

	/* raw splitter */
	int		 raw_started;	/* a line was seen */
	struct bbuf	 line;		/* the physical line being read */
	int64_t		 line_colon;	/* offset of its first ':' or -1 */
	int		 line_cr;	/* its last byte was CR */
	struct bbuf	 field;		/* the field waiting for its end */
	uint64_t	 field_nlen;
	int		 field_open;

	/* body line ends */
	int		 body_cr;
	size_t		 outlen;

	size_t		 last_nlen, last_vlen;

	unsigned	 seen;		/* PF_MSG_SEEN_* */
	void		(*pre_eoh)(void *, struct pf_msg *);
	void		*pre_eoh_arg;

	/* last: not cleared at creation (outlen says what is in it) */
	unsigned char	 out[OUTBUF];
};

/* bbuf_add - append, keeping at most PF_MSG_FIELD_KEEP bytes */
static int
bbuf_add(struct bbuf *b, const void *p, size_t len, unsigned *defects)
{
	size_t room, take, ncap;
	char *np;

	b->total += len;
	room = b->len < PF_MSG_FIELD_KEEP ? PF_MSG_FIELD_KEEP - b->len : 0;
	take = len < room ? len : room;
	if (take < len)
		*defects |= PF_MSG_D_CUT;
	if (take == 0)
		return PF_OK;
	if (b->len + take > b->cap) {
		ncap = b->cap ? b->cap : 256;
		while (ncap < b->len + take)
			ncap *= 2;
		if (ncap > PF_MSG_FIELD_KEEP)
			ncap = PF_MSG_FIELD_KEEP;
		if ((np = realloc(b->p, ncap)) == NULL)
			return PF_ENOMEM;
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, p, take);
	b->len += take;
	return PF_OK;
}

static void
bbuf_clear(struct bbuf *b)
{
	b->len = 0;
	b->total = 0;
}

/* bbuf_trim - empty, giving back a buffer a long field grew past
 * BBUF_KEEP (a session keeps its builder between messages) */
static void
bbuf_trim(struct bbuf *b)
{
	bbuf_clear(b);
	if (b->cap > BBUF_KEEP) {
		free(b->p);
		b->p = NULL;
		b->cap = 0;
	}
}

/* pf_msg_new - an empty message */
struct pf_msg *
pf_msg_new(void)
{
	struct pf_msg *m;

	if ((m = malloc(sizeof(*m))) == NULL)
		return NULL;
	memset(m, 0, offsetof(struct pf_msg, out));
	m->line_colon = -1;
	return m;
}

/* pf_msg_free - release the message and every observer's state */
void
pf_msg_free(struct pf_msg *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nobs; i++)
		if (m->obs[i].o->free != NULL)
			m->obs[i].o->free(m->obs[i].st);
	for (i = 0; i < m->nrcpt; i++)
		free(m->rcpt[i]);
	free(m->rcpt);
	free(m->helo);
	free(m->mail);
	free(m->line.p);
	free(m->field.p);
	free(m);
}

/* obs_restart - the observers of m with the state of a new message; on
 * failure the ones from the failing one on are dropped */
static int
obs_restart(struct pf_msg *m)
{
	const struct pf_observer *o;
	size_t i, j;
	int rc;

	for (i = 0; i < m->nobs; i++) {
		o = m->obs[i].o;
		if (o->reset != NULL) {
			o->reset(m->obs[i].st);
			continue;
		}
		if (o->free != NULL)
			o->free(m->obs[i].st);
		m->obs[i].st = NULL;
		if (o->begin != NULL &&
		    (rc = o->begin(o->arg, m, &m->obs[i].st)) != PF_OK) {
			for (j = i + 1; j < m->nobs; j++)
				if (m->obs[j].o->free != NULL)
					m->obs[j].o->free(m->obs[j].st);
			m->nobs = i;
			return rc;
		}
	}
	return PF_OK;
}

/* pf_msg_reset - an empty message again, keeping observers and buffers */
int
pf_msg_reset(struct pf_msg *m)
{
	struct obs obs[MAX_OBSERVERS];
	struct bbuf line = m->line, field = m->field;
	char **rcpt = m->rcpt;
	size_t nobs = m->nobs, rcap = m->rcap, i;

	for (i = 0; i < m->nrcpt; i++)
		free(m->rcpt[i]);
	free(m->helo);
	free(m->mail);
	memcpy(obs, m->obs, nobs * sizeof(obs[0]));
	memset(m, 0, offsetof(struct pf_msg, out));
	memcpy(m->obs, obs, nobs * sizeof(obs[0]));
	m->nobs = nobs;
	m->rcpt = rcpt;
	m->rcap = rcap;
	m->line_colon = -1;
	bbuf_trim(&line);
	bbuf_trim(&field);
	m->line = line;
	m->field = field;
	return obs_restart(m);
}

/* pf_msg_observe - add an observer and let it make its state */
int
pf_msg_observe(struct pf_msg *m, const struct pf_observer *o)
{
	void *st = NULL;
	int rc;

	if (m->nobs >= MAX_OBSERVERS || m->nfields > 0 || m->phase != PH_HDR ||
	    m->raw_started)
		return PF_EINVAL;
	if (o->begin != NULL && (rc = o->begin(o->arg, m, &st)) != PF_OK)
		return rc;
	m->obs[m->nobs].o = o;
	m->obs[m->nobs].st = st;
	m->nobs++;
	return PF_OK;
}

/* dupaddr - copy an envelope address without its angle brackets */
static char *
dupaddr(const char *s)
{
	size_t len = strlen(s);
	char *d;

	if (len >= 2 && s[0] == '<' && s[len - 1] == '>') {
		s++;
		len -= 2;
	}
	if ((d = malloc(len + 1)) == NULL)
		return NULL;
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

int
pf_msg_helo(struct pf_msg *m, const char *s)
{
	char *d;

	if ((d = strdup(s)) == NULL)
		return PF_ENOMEM;
	free(m->helo);
	m->helo = d;
	return PF_OK;
}

int
pf_msg_mail(struct pf_msg *m, const char *s)
{
	char *d;

	if ((d = dupaddr(s)) == NULL)
		return PF_ENOMEM;
	free(m->mail);
	m->mail = d;
	return PF_OK;
}

int
pf_msg_rcpt(struct pf_msg *m, const char *s)
{
	char **nr;
	size_t ncap;

	if (m->nrcpt == m->rcap) {
		ncap = m->rcap ? m->rcap * 2 : 8;
		if (ncap > SIZE_MAX / sizeof(*nr))
			return PF_ENOMEM;
		if ((nr = realloc(m->rcpt, ncap * sizeof(*nr))) == NULL)
			return PF_ENOMEM;
		m->rcpt = nr;
		m->rcap = ncap;
	}
	if ((m->rcpt[m->nrcpt] = dupaddr(s)) == NULL)
		return PF_ENOMEM;
	m->nrcpt++;
	return PF_OK;
}

void
pf_msg_smtputf8(struct pf_msg *m, int on)
{
	m->smtputf8 = on != 0;
}

/* seen_bit - the PF_MSG_SEEN_* bit of a field name, or 0 */
static unsigned
seen_bit(const char *name, size_t nlen)
{
	if (nlen == 10 && strncasecmp(name, "Message-ID", 10) == 0)
		return PF_MSG_SEEN_MSGID;
	if (nlen == 4 && strncasecmp(name, "Date", 4) == 0)
		return PF_MSG_SEEN_DATE;
	if (nlen == 4 && strncasecmp(name, "From", 4) == 0)
		return PF_MSG_SEEN_FROM;
	return 0;
}

/* emit_header - count a field as sent and show it to every observer */
static void
emit_header(struct pf_msg *m, const char *name, size_t nlen,
    const char *value, size_t vlen, size_t true_nlen, size_t true_vlen)
{
	size_t i;

	m->nfields++;
	m->seen |= seen_bit(name, nlen);
	m->last_nlen = true_nlen;
	m->last_vlen = true_vlen;
	/* name ":" value CRLF */
	m->size += (uint64_t)true_nlen + 1 + true_vlen + 2;
	if (memchr(name, '\0', nlen) != NULL ||
	    memchr(value, '\0', vlen) != NULL)
		m->defects |= PF_MSG_D_NUL;
	for (i = 0; i < m->nobs; i++)
		if (m->obs[i].o->header != NULL)
			m->obs[i].o->header(m->obs[i].st, name, nlen, value,
			    vlen);
}

/* pf_msg_header - one field as the MTA passed it; folding with a bare LF
 * (libmilter passes "\n") goes out as CRLF */
int
pf_msg_header(struct pf_msg *m, const char *name, size_t nlen,
    const char *value, size_t vlen)
{
	const char *p, *e = value + vlen, *lf;
	size_t n;
	int rc;

	if (m->phase != PH_HDR)
		return PF_EINVAL;
	if (memchr(value, '\n', vlen) == NULL) {
		emit_header(m, name, nlen, value, vlen, nlen, vlen);
		return PF_OK;
	}
	bbuf_clear(&m->field);
	for (p = value; p < e; p = lf + 1) {
		if ((lf = memchr(p, '\n', (size_t)(e - p))) == NULL)
			lf = e;
		n = (size_t)(lf - p);
		if (lf < e && n > 0 && lf[-1] == '\r')
			n--;
		if ((rc = bbuf_add(&m->field, p, n, &m->defects)) != PF_OK)
			return rc;
		if (lf == e)
			break;
		if ((rc = bbuf_add(&m->field, "\r\n", 2, &m->defects)) != PF_OK)
			return rc;
	}
	emit_header(m, name, nlen, m->field.p ? m->field.p : "",
	    m->field.len, nlen, (size_t)m->field.total);
	bbuf_clear(&m->field);
	return PF_OK;
}

/* pf_msg_eoh - the blank line: header block done */
int
pf_msg_eoh(struct pf_msg *m)
{
	size_t i;

	if (m->eoh_sent)
		return PF_OK;
	if (m->pre_eoh != NULL) {
		void (*fn)(void *, struct pf_msg *) = m->pre_eoh;

		m->pre_eoh = NULL;	/* once, and not from within */
		fn(m->pre_eoh_arg, m);
	}
	m->eoh_sent = 1;
	m->phase = PH_BODY;
	m->size += 2;
	for (i = 0; i < m->nobs; i++)
		if (m->obs[i].o->eoh != NULL)
			m->obs[i].o->eoh(m->obs[i].st);
	return PF_OK;
}

/* emit_body - hand body bytes (CRLF line ends) to the observers */
static void
emit_body(struct pf_msg *m, const unsigned char *p, size_t len)
{
	size_t i;

	if (len == 0)
		return;
	m->size += len;
	for (i = 0; i < m->nobs; i++)
		if (m->obs[i].o->body != NULL)
			m->obs[i].o->body(m->obs[i].st, p, len);
}

/* flush_out - hand the bytes waiting in the line-end buffer on */
static void
flush_out(struct pf_msg *m)
{
	emit_body(m, m->out, m->outlen);
	m->outlen = 0;
}

/* out_add - queue bytes in the line-end buffer, flushing when full */
static void
out_add(struct pf_msg *m, const unsigned char *p, size_t len)
{
	size_t take;

	while (len > 0) {
		if (m->outlen == OUTBUF)
			flush_out(m);
		take = OUTBUF - m->outlen < len ? OUTBUF - m->outlen : len;
		memcpy(m->out + m->outlen, p, take);
		m->outlen += take;
		p += take;
		len -= take;
	}
}

/* bare_lf - the first LF in [p, end) not preceded by CR, or NULL; prev_cr
 * says whether the byte before p was a CR */
static const unsigned char *
bare_lf(const unsigned char *p, const unsigned char *end, int prev_cr)
{
	const unsigned char *lf;

	while ((lf = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (lf == p ? !prev_cr : lf[-1] != '\r')
			return lf;
		p = lf + 1;
	}
	return NULL;
}

/* pf_msg_body - body bytes; a bare LF goes out as CRLF.  A chunk with CRLF
 * line ends (the milter's case) goes to the observers as it is; only a
 * chunk with bare LFs is copied, span by span, to insert the CRs. */
int
pf_msg_body(struct pf_msg *m, const void *vp, size_t len)
{
	const unsigned char *p = vp, *end = p + len, *lf;
	int prev_cr = m->body_cr;

	if (!m->eoh_sent)
		pf_msg_eoh(m);
	if (len == 0)
		return PF_OK;
	if (!(m->defects & PF_MSG_D_NUL) && memchr(p, '\0', len) != NULL)
		m->defects |= PF_MSG_D_NUL;
	m->body_cr = end[-1] == '\r';
	if ((lf = bare_lf(p, end, prev_cr)) == NULL && m->outlen == 0) {
		emit_body(m, p, len);
		return PF_OK;
	}
	while (lf != NULL) {
		if ((size_t)(lf - p) + 2 <= OUTBUF - m->outlen) {
			/* the common case: the line and its CRLF fit */
			memcpy(m->out + m->outlen, p, (size_t)(lf - p));
			m->outlen += (size_t)(lf - p);
			m->out[m->outlen++] = '\r';
			m->out[m->outlen++] = '\n';
		} else {
			out_add(m, p, (size_t)(lf - p));
			out_add(m, (const unsigned char *)"\r\n", 2);
		}
		p = lf + 1;
		lf = bare_lf(p, end, 0);
	}
	out_add(m, p, (size_t)(end - p));
	flush_out(m);
	return PF_OK;
}

/* flush_field - the pending field is complete: pass it on */
static void
flush_field(struct pf_msg *m)
{
	size_t nkeep, vkeep;
	uint64_t vtrue;

	if (!m->field_open)
		return;
	m->field_open = 0;
	nkeep = m->field_nlen < m->field.len ? m->field_nlen : m->field.len;
	vkeep = m->field.len > nkeep + 1 ? m->field.len - nkeep - 1 : 0;
	vtrue = m->field.total - m->field_nlen - 1;
	emit_header(m, m->field.p ? m->field.p : "", nkeep,
	    m->field.p ? m->field.p + (nkeep < m->field.len ? nkeep + 1 :
	    m->field.len) : "", vkeep, (size_t)m->field_nlen, (size_t)vtrue);
	bbuf_clear(&m->field);
}

/* note_defect_line - remember the start of the first bad line */
static void
note_defect_line(struct pf_msg *m)
{
	size_t n, i;

	if (m->defect_line[0] != '\0')
		return;
	n = m->line.len < DEFECT_LINE ? m->line.len : DEFECT_LINE;
	for (i = 0; i < n; i++) {
		unsigned char c = m->line.p[i];
		m->defect_line[i] = c >= 0x20 && c < 0x7f ? c : '?';
	}
	m->defect_line[n] = '\0';
}

/* end_line - a physical header line is complete (without its line end) */
static int
end_line(struct pf_msg *m)
{
	struct bbuf *l = &m->line;
	int first = !m->raw_started;
	int rc = PF_OK;

	m->raw_started = 1;
	if (first && l->len >= 5 && memcmp(l->p, "From ", 5) == 0) {
		/* mbox separator: not part of the message */
	} else if (l->total == 0) {
		flush_field(m);
		pf_msg_eoh(m);
	} else if (l->p[0] == ' ' || l->p[0] == '\t') {
		if (m->field_open) {
			/* RFC 5322 2.2.3: folding keeps the CRLF */
			if ((rc = bbuf_add(&m->field, "\r\n", 2,
			    &m->defects)) == PF_OK)
				rc = bbuf_add(&m->field, l->p, l->len,
				    &m->defects);
			m->field.total += l->total - l->len;
		} else {
			m->defects |= PF_MSG_D_LEADWS;
			note_defect_line(m);
			m->size += l->total + 2;
		}
	} else if (m->line_colon < 0) {
		/* Like Postfix's cleanup: a line that is not a field ends
		 * the header block and starts the body. */
		flush_field(m);
		m->defects |= PF_MSG_D_NOCOLON;
		note_defect_line(m);
		pf_msg_eoh(m);
		m->size -= 2;	/* no blank line was sent */
		m->size += l->total - l->len;
		pf_msg_body(m, l->p, l->len);
		pf_msg_body(m, "\r\n", 2);
	} else {
		flush_field(m);
		m->field_open = 1;
		m->field_nlen = (uint64_t)m->line_colon;
		rc = bbuf_add(&m->field, l->p, l->len, &m->defects);
		m->field.total += l->total - l->len;
	}
	bbuf_clear(l);
	m->line_colon = -1;
	m->line_cr = 0;
	return rc;
}

/* add_line - append a span (no LF in it) to the current header line */
static int
add_line(struct pf_msg *m, const char *p, size_t len)
{
	const char *c;

	if (len == 0)
		return PF_OK;
	if (m->line_colon < 0 && (c = memchr(p, ':', len)) != NULL)
		m->line_colon = (int64_t)(m->line.total + (size_t)(c - p));
	m->line_cr = p[len - 1] == '\r';
	return bbuf_add(&m->line, p, len, &m->defects);
}

/* pf_msg_raw - raw message bytes: split into fields, then body */
int
pf_msg_raw(struct pf_msg *m, const void *vp, size_t len)
{
	const char *p = vp, *end = p + len, *lf;
	int rc;

	while (p < end && m->phase == PH_HDR) {
		lf = memchr(p, '\n', (size_t)(end - p));
		if (lf == NULL) {
			return add_line(m, p, (size_t)(end - p));
		}
		if ((rc = add_line(m, p, (size_t)(lf - p))) != PF_OK)
			return rc;
		if (m->line_cr) {
			/* drop the CR of CRLF */
			if (m->line.len == m->line.total)
				m->line.len--;
			m->line.total--;
		}
		if ((rc = end_line(m)) != PF_OK)
			return rc;
		p = lf + 1;
	}
	if (p < end)
		return pf_msg_body(m, p, (size_t)(end - p));
	return PF_OK;
}

/* set_malformed - msg.malformed from the framing defects */
static int
set_malformed(struct pf_msg *m, struct pf_facts *f)
{
	char why[160];
	const char *w = NULL;
	int rc;

	if (m->defects & PF_MSG_D_EMPTY)
		w = "the message has no header fields";
	else if (m->defects & PF_MSG_D_NOCOLON) {
		snprintf(why, sizeof(why), "no blank line between header and "
		    "body: the line \"%.60s\" is not a header field",
		    m->defect_line);
		w = why;
	} else if (m->defects & PF_MSG_D_LEADWS)
		w = "the header block begins with a continuation line";
	else if (m->defects & PF_MSG_D_NUL)
		w = "the message contains NUL bytes";
	if ((rc = pf_fact_bool(f, PF_F_MSG_MALFORMED, w != NULL)) != PF_OK)
		return rc;
	return pf_fact_strz(f, PF_F_MSG_MALFORMED_WHY, w ? w : "");
}

/* pf_msg_end - finish the stream, set the message facts, end observers */
int
pf_msg_end(struct pf_msg *m, struct pf_facts *f)
{
	size_t i;
	int rc;

	if (m->ended)
		return PF_EINVAL;
	m->ended = 1;
	if (m->phase == PH_HDR) {
		if (m->line.total > 0 || m->line_cr)
			if ((rc = end_line(m)) != PF_OK)
				return rc;
		flush_field(m);
		if (m->phase == PH_HDR) {
			/* no body: nothing (not even the blank line) follows */
			pf_msg_eoh(m);
			m->size -= 2;
		}
	}
	flush_out(m);
	if (m->nfields == 0)
		m->defects |= PF_MSG_D_EMPTY;
	if ((rc = pf_fact_num(f, PF_F_MSG_SIZE, (int64_t)m->size)) != PF_OK)
		return rc;
	if ((rc = set_malformed(m, f)) != PF_OK)
		return rc;
	for (i = 0; i < m->nobs; i++)
		if (m->obs[i].o->end != NULL)
			m->obs[i].o->end(m->obs[i].st, f);
	return PF_OK;
}

unsigned
pf_msg_defects(const struct pf_msg *m)
{
	return m->defects;
}

const char *
pf_msg_defect_line(const struct pf_msg *m)
{
	return m->defect_line;
}

void
pf_msg_field_size(const struct pf_msg *m, size_t *nlen, size_t *vlen)
{
	*nlen = m->last_nlen;
	*vlen = m->last_vlen;
}

const char *
pf_msg_helo_get(const struct pf_msg *m)
{
	return m->helo;
}

const char *
pf_msg_mail_get(const struct pf_msg *m)
{
	return m->mail;
}

int
pf_msg_smtputf8_get(const struct pf_msg *m)
{
	return m->smtputf8;
}

size_t
pf_msg_rcpt_count(const struct pf_msg *m)
{
	return m->nrcpt;
}

const char *
pf_msg_rcpt_get(const struct pf_msg *m, size_t i)
{
	return i < m->nrcpt ? m->rcpt[i] : NULL;
}

/* pf_msg_seen - which of Message-ID, Date and From were fed */
unsigned
pf_msg_seen(const struct pf_msg *m)
{
	return m->seen;
}

/* pf_msg_before_eoh - fn runs once, just before the end of the header */
void
pf_msg_before_eoh(struct pf_msg *m, void (*fn)(void *, struct pf_msg *),
    void *arg)
{
	m->pre_eoh = fn;
	m->pre_eoh_arg = arg;
}
