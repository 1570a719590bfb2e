/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mimeparam.c - Content-Type and Content-Disposition values for the MIME
 * walk.  GMime's parsers build a GObject, a parameter list and a string
 * per piece for every part; most values are plain ("text/plain;
 * charset=utf-8"), and reading those here, as GMime reads them (its
 * lenient parameter mode, the default), costs no allocation.  A value
 * with anything GMime decodes or skips in its own way - a byte outside
 * ASCII, a control character, a comment, a backslash, an RFC 2231 "*", an
 * RFC 2047 "=?" - is handed to GMime unchanged.
 */
#include <gmime/gmime.h>
#include <string.h>
#include <strings.h>

#include "message/mimeparam.h"

/* classes of the ASCII bytes: the controls are not plain but for the
 * white space; the tspecials of RFC 2045 end a token */
#define C_STOP		0x1	/* not plain */
#define C_SPECIAL	0x2	/* a tspecial */
#define C_EQ		0x4	/* '=': not plain before '?' */

static const unsigned char cls[128] = {
	C_STOP, C_STOP, C_STOP, C_STOP, C_STOP, C_STOP, C_STOP, C_STOP,
	C_STOP, 0, 0, C_STOP, C_STOP, 0, C_STOP, C_STOP,
	C_STOP, C_STOP, C_STOP, C_STOP, C_STOP, C_STOP, C_STOP, C_STOP,
	C_STOP, C_STOP, C_STOP, C_STOP, C_STOP, C_STOP, C_STOP, C_STOP,
	['('] = C_STOP | C_SPECIAL, [')'] = C_SPECIAL, ['<'] = C_SPECIAL,
	['>'] = C_SPECIAL, ['@'] = C_SPECIAL, [','] = C_SPECIAL,
	[';'] = C_SPECIAL, [':'] = C_SPECIAL, ['\\'] = C_STOP | C_SPECIAL,
	['"'] = C_SPECIAL, ['/'] = C_SPECIAL, ['['] = C_SPECIAL,
	[']'] = C_SPECIAL, ['?'] = C_SPECIAL, ['='] = C_SPECIAL | C_EQ,
	['*'] = C_STOP, [0x7f] = C_STOP,
};

/* plain - nothing in the value that GMime would decode or skip */
static int
plain(const char *v)
{
	const unsigned char *p;

	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		if (*p >= 0x80 || (cls[*p] & C_STOP) ||
		    ((cls[*p] & C_EQ) && p[1] == '?'))
			return 0;
	}
	return 1;
}

/* lwsp - GMime's linear white space */
static int
lwsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* ttoken - an RFC 2045 token character (plain values only) */
static int
ttoken(char c)
{
	return c > ' ' && c < 0x7f && !(cls[(unsigned char)c] & C_SPECIAL);
}

static const char *
skip_ws(const char *p)
{
	while (lwsp(*p))
		p++;
	return p;
}

/* want_slot - which parameter asked for a name is, or -1 */
static int
want_slot(const char *const want[PF_MP_WANT], const char *n, size_t len)
{
	int i;

	for (i = 0; i < PF_MP_WANT; i++)
		if (want[i] != NULL && strlen(want[i]) == len &&
		    strncasecmp(want[i], n, len) == 0)
			return i;
	return -1;
}

/* param - one "name=value"; the end of it, or NULL when GMime would
 * drop it (no name, no "=", no value) */
static const char *
param(struct pf_mp *mp, const char *const want[PF_MP_WANT],
    const char *p)
{
	const char *name = p, *v, *e;
	size_t nlen;
	int k;

	while (ttoken(*p))
		p++;
	if ((nlen = (size_t)(p - name)) == 0 || *(p = skip_ws(p)) != '=')
		return NULL;
	p = skip_ws(p + 1);
	if (*p == '"') {
		/* unterminated: the rest, opening quote included */
		if ((e = strchr(p + 1, '"')) != NULL)
			v = p + 1;
		else
			e = (v = p) + strlen(p);
		p = *e != '\0' ? e + 1 : e;
	} else {
		/* lenient: up to ';', trailing white space dropped */
		v = p;
		p = e = v + strcspn(v, ";");
		while (e > v && lwsp(e[-1]))
			e--;
		if (e == v)
			return NULL;
	}
	if ((k = want_slot(want, name, nlen)) >= 0 &&
	    mp->param[k].p == NULL) {
		mp->param[k].p = v;
		mp->param[k].n = (size_t)(e - v);
	}
	return p;
}

/* params - the list after the first ';', as GMime's lenient reader
 * walks it: a bad parameter ends the list unless an empty one */
static void
params(struct pf_mp *mp, const char *const want[PF_MP_WANT], const char *p)
{
	const char *q;

	for (;;) {
		if (*(p = skip_ws(p)) == '\0')
			return;
		if ((q = param(mp, want, p)) == NULL) {
			if (*p++ != ';')
				return;
			continue;
		}
		if (*(p = skip_ws(q)) != ';')
			return;
		p++;
	}
}

static void
clear(struct pf_mp *mp)
{
	memset(mp, 0, sizeof(*mp));
}

/* pf_mp_fast_ctype - "type/subtype; params" of a plain value */
int
pf_mp_fast_ctype(struct pf_mp *mp, const char *v,
    const char *const want[PF_MP_WANT])
{
	const char *p, *s;

	clear(mp);
	if (!plain(v))
		return 0;
	for (p = s = skip_ws(v); ttoken(*p); p++)
		;
	mp->type.p = s;
	mp->type.n = (size_t)(p - s);
	if (*(p = skip_ws(p)) != '/')
		return 0;	/* GMime's fallback type: let it say so */
	for (p = s = skip_ws(p + 1); ttoken(*p); p++)
		;
	if (p == s)
		return 0;
	mp->subtype.p = s;
	mp->subtype.n = (size_t)(p - s);
	/* anything up to ';' is junk GMime skips */
	if ((p = strchr(p, ';')) != NULL && p[1] != '\0')
		params(mp, want, p + 1);
	mp->fast = 1;
	return 1;
}

/* pf_mp_fast_disposition - "value; params" of a plain value */
int
pf_mp_fast_disposition(struct pf_mp *mp, const char *v,
    const char *const want[PF_MP_WANT])
{
	const char *e;

	clear(mp);
	if (!plain(v))
		return 0;
	e = v + strcspn(v, ";");
	mp->type.p = skip_ws(v);
	while (e > mp->type.p && lwsp(e[-1]))
		e--;
	mp->type.n = (size_t)(e - mp->type.p);
	if ((e = strchr(v, ';')) != NULL && e[1] != '\0')
		params(mp, want, e + 1);
	mp->fast = 1;
	return 1;
}

/* set - a piece from a C string GMime owns */
static void
set(struct pf_mp_str *s, const char *p)
{
	s->p = p;
	s->n = p != NULL ? strlen(p) : 0;
}

/* pf_mp_ctype - a Content-Type value, here or by GMime */
void
pf_mp_ctype(struct pf_mp *mp, const char *v,
    const char *const want[PF_MP_WANT])
{
	GMimeContentType *ct;
	int i;

	if (pf_mp_fast_ctype(mp, v, want))
		return;
	clear(mp);
	if ((ct = g_mime_content_type_parse(NULL, v)) == NULL)
		return;
	mp->obj = ct;
	set(&mp->type, g_mime_content_type_get_media_type(ct));
	set(&mp->subtype, g_mime_content_type_get_media_subtype(ct));
	for (i = 0; i < PF_MP_WANT; i++)
		if (want[i] != NULL)
			set(&mp->param[i],
			    g_mime_content_type_get_parameter(ct, want[i]));
}

/* pf_mp_disposition - a Content-Disposition value, here or by GMime */
void
pf_mp_disposition(struct pf_mp *mp, const char *v,
    const char *const want[PF_MP_WANT])
{
	GMimeContentDisposition *d;
	int i;

	if (pf_mp_fast_disposition(mp, v, want))
		return;
	clear(mp);
	if ((d = g_mime_content_disposition_parse(NULL, v)) == NULL)
		return;
	mp->obj = d;
	set(&mp->type, g_mime_content_disposition_get_disposition(d));
	for (i = 0; i < PF_MP_WANT; i++)
		if (want[i] != NULL)
			set(&mp->param[i],
			    g_mime_content_disposition_get_parameter(d,
			    want[i]));
}

/* pf_mp_reset - give GMime's object back; the pieces go with it */
void
pf_mp_reset(struct pf_mp *mp)
{
	if (mp->obj != NULL)
		g_object_unref(mp->obj);
	clear(mp);
}

/* pf_mp_is - the piece equals s, ignoring ASCII case */
int
pf_mp_is(const struct pf_mp_str *x, const char *s)
{
	return x->p != NULL && strlen(s) == x->n &&
	    strncasecmp(x->p, s, x->n) == 0;
}

/* pf_mp_copy - the piece as a C string, cut to fit */
void
pf_mp_copy(const struct pf_mp_str *x, char *buf, size_t cap)
{
	size_t n = x->n < cap - 1 ? x->n : cap - 1;

	if (cap == 0)
		return;
	if (x->p != NULL)
		memcpy(buf, x->p, n);
	buf[x->p != NULL ? n : 0] = '\0';
}
