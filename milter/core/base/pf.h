/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf.h - definitions shared by every module of the preflight core: status
 * codes, the caller-owned error record, and the checked number parser.  The
 * core never exits, never logs on its own and never touches libmilter.
 */
#ifndef PF_H
#define PF_H

#include <stddef.h>
#include <stdint.h>

enum pf_status {
	PF_OK = 0,
	PF_ENOMEM,		/* allocation failed */
	PF_ELIMIT,		/* a configured ceiling was reached */
	PF_ESYNTAX,		/* input does not parse */
	PF_ETEMP,		/* temporary failure (DNS, I/O); try again */
	PF_EIO,			/* a file could not be read or written */
	PF_EINVAL		/* caller error: bad argument */
};

/* Detail for a failed call, owned by the caller.  file/line are set when
 * the error is about a line of a file the caller named. */
struct pf_err {
	int	 status;
	char	 file[256];
	unsigned line;
	char	 msg[512];
};

/* pf_err_set - record status and a printf-style message */
int	pf_err_set(struct pf_err *, int status, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* pf_err_setl - the same, for a position in a named file */
int	pf_err_setl(struct pf_err *, int status, const char *file,
	    unsigned line, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
/* pf_err_format - "file:line: message" or "message" into buf */
const char *pf_err_format(const struct pf_err *, char *buf, size_t len);

/* pf_strtonum - parse a decimal integer in [min, max]; PF_ESYNTAX or
 * PF_ELIMIT on failure.  The whole of [p, p+len) must be digits. */
int	pf_strtonum(const char *p, size_t len, int64_t min, int64_t max,
	    int64_t *out);

/* pf_strcopy - s into buf[len] (len > 0), cut to fit and terminated, as
 * snprintf(buf, len, "%s", s) does without its formatting cost; returns
 * strlen(s) */
size_t	pf_strcopy(char *buf, size_t len, const char *s);

#define PF_NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#endif
