/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * json.h - the few pieces of JSON output the tools need.  Strings from a
 * message are untrusted: control characters are escaped and bytes that are
 * not UTF-8 become U+FFFD, so the output is always valid JSON.
 */
#ifndef PF_JSON_H
#define PF_JSON_H

#include <stdio.h>

/* pf_json_str - s as a quoted JSON string; NULL prints null */
void	pf_json_str(FILE *, const char *s);
/* pf_json_strn - the same for len bytes */
void	pf_json_strn(FILE *, const char *s, size_t len);

#endif
