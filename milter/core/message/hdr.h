/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hdr.h - the header observer: counts and sizes of the top-level header
 * block, duplicates, malformed fields, encoded-word misuse, raw 8-bit
 * bytes, the From address and the Message-ID.
 */
#ifndef PF_HDR_H
#define PF_HDR_H

#include <stddef.h>
#include <stdint.h>

#include "base/msg.h"

extern const struct pf_observer pf_hdr_observer;

/* pf_hdr_symbol - the first emoji or badge-like symbol (a code point) in
 * a raw display name as GMime decodes it (RFC 2047), or 0 */
uint32_t	pf_hdr_symbol(const char *raw);

/* pf_hdr_phrase_plain - a display name of printable ASCII and blanks
 * without "=?": pf_hdr_symbol says 0 without decoding it; 1 or 0 */
int		pf_hdr_phrase_plain(const char *raw);

#endif
