/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * msgid.h - RFC 5322 3.6.4 msg-id syntax (Message-ID, In-Reply-To,
 * References).
 */
#ifndef PF_MSGID_H
#define PF_MSGID_H

#include <stddef.h>

/* pf_msgid_valid - the value is exactly one msg-id, CFWS around it
 * allowed; 1 or 0 */
int	pf_msgid_valid(const char *p, size_t len);

#endif
