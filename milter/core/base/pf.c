/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf.c - the error record and the one checked number parser every module
 * uses instead of atoi/strtol.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/pf.h"

/* pf_err_set - record status and a message */
int
pf_err_set(struct pf_err *e, int status, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return status;
	e->status = status;
	e->file[0] = '\0';
	e->line = 0;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return status;
}

/* pf_err_setl - record status and a message about file:line */
int
pf_err_setl(struct pf_err *e, int status, const char *file, unsigned line,
    const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return status;
	e->status = status;
	snprintf(e->file, sizeof(e->file), "%s", file ? file : "");
	e->line = line;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return status;
}

/* pf_err_format - render the error the way every tool prints it */
const char *
pf_err_format(const struct pf_err *e, char *buf, size_t len)
{
	if (e->file[0] != '\0' && e->line > 0)
		snprintf(buf, len, "%s:%u: %s", e->file, e->line, e->msg);
	else if (e->file[0] != '\0')
		snprintf(buf, len, "%s: %s", e->file, e->msg);
	else
		snprintf(buf, len, "%s", e->msg);
	return buf;
}

/* pf_strcopy - a terminated copy cut to fit (NULL copies as "") */
size_t
pf_strcopy(char *buf, size_t len, const char *s)
{
	size_t n;

	if (s == NULL)
		s = "";
	n = strlen(s);
	if (len > 0) {
		memmove(buf, s, n < len ? n : len - 1);
		buf[n < len ? n : len - 1] = '\0';
	}
	return n;
}

/* pf_strtonum - decimal integer in [min, max], overflow-checked */
int
pf_strtonum(const char *p, size_t len, int64_t min, int64_t max,
    int64_t *out)
{
	int64_t v = 0;
	int neg = 0;
	size_t i = 0;

	if (len > 0 && p[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i == len)
		return PF_ESYNTAX;
	for (; i < len; i++) {
		int d;

		if (p[i] < '0' || p[i] > '9')
			return PF_ESYNTAX;
		d = p[i] - '0';
		if (v > (INT64_MAX - d) / 10)
			return PF_ELIMIT;
		v = v * 10 + d;
	}
	if (neg)
		v = -v;
	if (v < min || v > max)
		return PF_ELIMIT;
	*out = v;
	return PF_OK;
}
