/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * logfmt.h - one log line of key=value pairs: each key once, a value
 * quoted when it is empty or holds a space, '=' or '"', untrusted bytes
 * escaped (\" \\ \xNN); a line that would overflow drops the pair that
 * does not fit and ends with truncated=yes.
 */
#ifndef PF_LOGFMT_H
#define PF_LOGFMT_H

#include <stddef.h>

#define PF_LF_MAX	2000

struct pf_lf {
	char	 buf[PF_LF_MAX];
	size_t	 used;
	int	 full;
};

void	pf_lf_init(struct pf_lf *);
/* pf_lf_add - key=value; value may be NULL (an empty value) */
void	pf_lf_add(struct pf_lf *, const char *key, const char *value);
void	pf_lf_addu(struct pf_lf *, const char *key, unsigned long long);
/* pf_lf_line - the finished line */
const char *pf_lf_line(struct pf_lf *);

#endif
