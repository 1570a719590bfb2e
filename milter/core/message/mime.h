/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mime.h - the MIME observer: structure, attachments, blocked types.
 */
#ifndef PF_MIME_H
#define PF_MIME_H

#include "base/msg.h"

extern const struct pf_observer pf_mime_observer;

#endif
