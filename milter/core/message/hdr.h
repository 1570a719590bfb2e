/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hdr.h - the header observer: counts and sizes of the top-level header
 * block, duplicates, malformed fields, encoded-word misuse, raw 8-bit
 * bytes, the From address and the Message-ID.
 */
#ifndef PF_HDR_H
#define PF_HDR_H

#include <stddef.h>

#include "base/msg.h"

extern const struct pf_observer pf_hdr_observer;

#endif
