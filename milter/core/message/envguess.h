/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * envguess.h - an envelope for a saved message, when none is given: the
 * sender from Return-Path:, else the From: address; the recipients from
 * To:, Cc: and Bcc:.  This is what `preflight check` uses for a message
 * taken out of a mailbox, where the SMTP envelope is gone.
 */
#ifndef PF_ENVGUESS_H
#define PF_ENVGUESS_H

#include <stddef.h>

/* recipients taken from one message at most */
#define PF_ENVGUESS_MAX_RCPT	1000

struct pf_env_guess {
	char		*mail;		/* no angle brackets, "" for <>;
					 * NULL: none found; owned */
	const char	*mail_src;	/* "Return-Path", "From" or NULL */
	char		**rcpt;		/* owned */
	size_t		 nrcpt;
};

/* pf_env_guess - read the header block of raw[0..len) (CRLF or LF, an
 * optional mbox "From " line first).  PF_OK or PF_ENOMEM; a message
 * without those fields leaves the guess empty.  Reset it after. */
int	pf_env_guess(const char *raw, size_t len, struct pf_env_guess *);
void	pf_env_guess_reset(struct pf_env_guess *);

/* pf_env_addrs - the addr-specs of an address-list value, in order,
 * group names and display names dropped; fn returns nonzero to stop */
void	pf_env_addrs(const char *v, size_t len,
	    int (*fn)(void *, const char *addr, size_t alen), void *arg);

#endif
