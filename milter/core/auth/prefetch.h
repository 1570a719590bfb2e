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

/*
 * The DKIM key a sender used last: per envelope domain, the key name of
 * the first DKIM-Signature of its last message, in a fixed table (256
 * slots, a new domain overwrites the one in its slot).  Lets MAIL FROM
 * start the key lookup before the signature arrives.  Thread-safe.
 */
struct pf_keymem;
struct pf_keymem *pf_keymem_new(void);
void	pf_keymem_free(struct pf_keymem *);

/* pf_prefetch_mail - SPF record of the envelope domain (HELO for a null
 * sender), PTR of every egress address, and, guessing that the From
 * domain is the envelope domain, its DMARC records and the DKIM key it
 * used last (km may be NULL) */
void	pf_prefetch_mail(struct pf_dns *, const psl_ctx_t *,
	    struct pf_keymem *, const char *mail_from, const char *helo,
	    char *const *egress, size_t negress);
/* pf_prefetch_rcpt - MX of a recipient's domain (not personal Gmail) */
void	pf_prefetch_rcpt(struct pf_dns *, const char *rcpt);
/* pf_prefetch_from - DMARC records of a From address's domain and of
 * its organizational domain */
void	pf_prefetch_from(struct pf_dns *, const psl_ctx_t *,
	    const char *from_addr);
/* pf_prefetch_dkim - the key a DKIM-Signature value names (s=, d=);
 * 1 if a lookup was started.  With km and the envelope sender, the key is
 * remembered for that sender's domain. */
int	pf_prefetch_dkim(struct pf_dns *, struct pf_keymem *,
	    const char *mail_from, const char *value, size_t vlen);

#endif
