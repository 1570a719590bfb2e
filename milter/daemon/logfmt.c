/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * logfmt.c - building one logfmt line (see logfmt.h for the format).
 */
#include <stdio.h>
#include <string.h>

#include "logfmt.h"
#include "config/smtpreply.h"

/* pf_lf_init - an empty line */
void
pf_lf_init(struct pf_lf *lf)
{
	lf->buf[0] = '\0';
	lf->used = 0;
	lf->full = 0;
}

/* needs_quotes - whether an escaped value must be quoted */
static int
needs_quotes(const char *v)
{
	return *v == '\0' || strpbrk(v, " =\"\\") != NULL;
}

/* pf_lf_add - one pair; a pair that does not fit is dropped whole */
void
pf_lf_add(struct pf_lf *lf, const char *key, const char *value)
{
	char esc[PF_LF_MAX], *p;
	size_t elen, klen, n;
	int q;

	if (lf->full)
		return;
	elen = pf_smtp_logesc(esc, sizeof(esc), value,
	    value ? strlen(value) : 0);
	q = needs_quotes(esc);
	klen = strlen(key);
	/* the pair as snprintf("%s%s=%s") would write it, with quotes */
	n = (lf->used ? 1 : 0) + klen + 1 + elen + (q ? 2 : 0);
	if (n >= sizeof(lf->buf) - lf->used - 16) {
		lf->buf[lf->used] = '\0';
		lf->full = 1;
		snprintf(lf->buf + lf->used, sizeof(lf->buf) - lf->used,
		    "%struncated=yes", lf->used ? " " : "");
		return;
	}
	p = lf->buf + lf->used;
	if (lf->used)
		*p++ = ' ';
	memcpy(p, key, klen);
	p += klen;
	*p++ = '=';
	if (q)
		*p++ = '"';
	memcpy(p, esc, elen);
	p += elen;
	if (q)
		*p++ = '"';
	*p = '\0';
	lf->used += n;
}

void
pf_lf_addu(struct pf_lf *lf, const char *key, unsigned long long v)
{
	char num[24], *p = num + sizeof(num) - 1;

	/* the digits of "%llu", without the cost of snprintf */
	*p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	pf_lf_add(lf, key, p);
}

const char *
pf_lf_line(struct pf_lf *lf)
{
	return lf->buf;
}
