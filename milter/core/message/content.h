/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * content.h - the analyzers that need nothing but the message and its
 * envelope: header fields, addresses, Message-ID, Date, MIME structure,
 * attachments and archives.  Each is an observer of the message builder.
 */
#ifndef PF_CONTENT_H
#define PF_CONTENT_H

#include <stddef.h>

#include "base/msg.h"

/* pf_content_observers - the content analyzers, in order; borrowed, static */
const struct pf_observer *const *pf_content_observers(size_t *n);

/* pf_content_gmime - initialise GMime once (thread-safe); the analyzers
 * call it before they use GMime */
void	pf_content_gmime(void);

#endif
