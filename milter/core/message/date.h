/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * date.h - RFC 5322 3.3 date-time, with the obsolete forms of 4.3.
 */
#ifndef PF_DATE_H
#define PF_DATE_H

#include <stddef.h>
#include <stdint.h>

/* pf_date_parse - parse a Date value; PF_OK and seconds since the epoch
 * (UTC) in *t, or PF_ESYNTAX with a static reason in *why */
int	pf_date_parse(const char *p, size_t len, int64_t *t,
	    const char **why);

#endif
