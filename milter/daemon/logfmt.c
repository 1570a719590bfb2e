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
	char esc[PF_LF_MAX];
	int n;

	if (lf->full)
		return;
	pf_smtp_logesc(esc, sizeof(esc), value, value ? strlen(value) : 0);
	n = snprintf(lf->buf + lf->used, sizeof(lf->buf) - lf->used,
	    needs_quotes(esc) ? "%s%s=\"%s\"" : "%s%s=%s",
	    lf->used ? " " : "", key, esc);
	if (n < 0 || (size_t)n >= sizeof(lf->buf) - lf->used - 16) {
		lf->buf[lf->used] = '\0';
		lf->full = 1;
		snprintf(lf->buf + lf->used, sizeof(lf->buf) - lf->used,
		    "%struncated=yes", lf->used ? " " : "");
		return;
	}
	lf->used += (size_t)n;
}

/* pf_lf_addu - a number */
void
pf_lf_addu(struct pf_lf *lf, const char *key, unsigned long long v)
{
	char num[24];

	snprintf(num, sizeof(num), "%llu", v);
	pf_lf_add(lf, key, num);
}

/* pf_lf_line - the line so far */
const char *
pf_lf_line(struct pf_lf *lf)
{
	return lf->buf;
}
