/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * prefetch.h - start the DNS lookups of the end-of-message checks as soon
 * as their input is known in the SMTP dialogue (MAIL FROM, RCPT TO, the
 * header fields), without waiting for any of them: the answers go into
 * the resolver's cache, where the checks find them.  A guess that turns
 * out wrong costs one unused lookup, never a different result.
 */
#ifndef PF_PREFETCH_H
#define PF_PREFETCH_H

#include <stddef.h>

#include <libpsl.h>

#include "auth/dns.h"
#include "auth/sendmem.h"

/* pf_prefetch_mail - SPF record of the envelope domain (HELO for a null
 * sender), PTR of every egress address, and, guessing that the From
 * domain is the envelope domain, its DMARC records */
void	pf_prefetch_mail(struct pf_dns *, const psl_ctx_t *,
	    const char *mail_from, const char *helo, char *const *egress,
	    size_t negress);
/* pf_prefetch_guess - what the sender memory has for the sender: the
 * DMARC records of each From domain (and its organizational domain) and
 * each DKIM key; s may be NULL */
void	pf_prefetch_guess(struct pf_dns *, const psl_ctx_t *,
	    const char *mail_from, const struct pf_sender *s);
/* pf_prefetch_rcpt - MX of a recipient's domain (not personal Gmail) */
void	pf_prefetch_rcpt(struct pf_dns *, const char *rcpt);
/* pf_prefetch_from - DMARC records of a From address's domain and of
 * its organizational domain */
void	pf_prefetch_from(struct pf_dns *, const psl_ctx_t *,
	    const char *from_addr);
/* pf_prefetch_dkim - the key a DKIM-Signature value names (s=, d=);
 * 1 if a lookup was started.  With seen, the key is added to it (for the
 * sender memory). */
int	pf_prefetch_dkim(struct pf_dns *, const char *value, size_t vlen,
	    struct pf_sender *seen);

#endif
