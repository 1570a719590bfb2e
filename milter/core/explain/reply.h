/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * reply.h - find an SMTP reply in what a postmaster pastes: the reply
 * itself (one line or `550-5.7.26 ...` continuations), a Postfix or
 * Sendmail log line, or a whole delivery status notification.  The result
 * is the reply code, the enhanced status and the text with the transport
 * noise taken out (continuation prefixes, URLs, `- gsmtp`, `- gcdp <id>`,
 * session ids, a leading `[ip n]`).
 */
#ifndef PF_REPLY_H
#define PF_REPLY_H

#include <stddef.h>

#include "base/pf.h"

#define PF_REPLY_INPUT_MAX	(4 * 1024 * 1024)	/* bytes looked at */
#define PF_REPLY_TEXT_MAX	16384	/* bytes of reply text kept */

struct pf_reply {
	int	 code;		/* 550; 0 if only a status was found */
	char	 status[16];	/* "5.7.26"; "" if the reply had none */
	char	*text;		/* cleaned text; owned, set by parse */
	char	 ip[64];	/* from the leading "[192.0.2.1 18]" */
	const char *form;	/* "reply", "dsn", "postfix", "sendmail" */
};

/* pf_reply_parse - find the reply in in[0..len).  PF_ESYNTAX when the input
 * holds no SMTP reply at all; PF_ENOMEM.  The reply must be reset. */
int	pf_reply_parse(const char *in, size_t len, struct pf_reply *,
	    struct pf_err *);
void	pf_reply_reset(struct pf_reply *);

#endif
