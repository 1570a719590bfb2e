/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auth.h - the checks that need DNS: SPF, DKIM (present and predicted),
 * DMARC, PTR of the egress addresses, recipient domains and whether they
 * are Google's.  One shared, thread-safe context per engine.
 */
#ifndef PF_AUTH_H
#define PF_AUTH_H

#include "base/pf.h"
#include "config/config.h"
#include "base/facts.h"
#include "base/msg.h"

struct pf_auth;

/* pf_auth_new - resolver, SPF server, DKIM library, PSL; owned */
int	pf_auth_new(const struct pf_config *, struct pf_auth **,
	    struct pf_err *);
void	pf_auth_free(struct pf_auth *);
/* pf_auth_prefetch_mail, _rcpt - start, without waiting, the lookups
 * the envelope so far will need at pf_auth_eval (SPF, egress PTR,
 * recipient MX); the observer does the same for DMARC and DKIM keys as
 * the header fields stream in.  NULL or no resolver: nothing. */
void	pf_auth_prefetch_mail(struct pf_auth *, const char *mail_from,
	    const char *helo);
void	pf_auth_prefetch_rcpt(struct pf_auth *, const char *rcpt);
/* pf_auth_warm - start the resolver's threads (pf_dns_warm) */
void	pf_auth_warm(struct pf_auth *);

struct pf_sendmem;
struct pf_sender;
/* pf_auth_set_sendmem - the sender memory (auth/sendmem.h) the observer
 * learns into at end of message; borrowed, must outlive the context.
 * Set before the context is shared; ignored without a resolver. */
void	pf_auth_set_sendmem(struct pf_auth *, struct pf_sendmem *);
/* pf_auth_sender_domain - the sender memory's key of a message (the
 * envelope domain, else the HELO name); 0 if none or no memory set */
int	pf_auth_sender_domain(const struct pf_auth *, const char *mail_from,
	    const char *helo, char *buf, size_t len);
/* pf_auth_guess - start the lookups a remembered sender suggests (the
 * DMARC records of its From domains, its DKIM keys); never waits */
void	pf_auth_guess(struct pf_auth *, const char *mail_from,
	    const struct pf_sender *);
/* pf_auth_observer - sees the message as it streams (DKIM); borrowed */
const struct pf_observer *pf_auth_observer(struct pf_auth *);
/* pf_auth_eval - after the content facts are set: sets the egress, spf,
 * dkim, dmarc, ptr, rcpt and unsub facts, or marks them unknown with the
 * reason (no egress address, --no-dns, DNS timed out). */
int	pf_auth_eval(struct pf_auth *, const struct pf_msg *,
	    struct pf_facts *);

/* pf_auth_orgdomain - the organizational domain of a domain (Public
 * Suffix List), lower case, into buf; PF_EINVAL or PF_ELIMIT */
int	pf_auth_orgdomain(const struct pf_auth *, const char *domain,
	    char *buf, size_t len);

/* the envelope pf_auth_eval reads from the message; all borrowed */
struct pf_auth_env {
	const char		*mail_from;	/* NULL unknown, "" for <> */
	const char		*helo;		/* NULL: config's helo only */
	const char *const	*rcpt;		/* addresses, no <> */
	size_t			 nrcpt;
};
/* pf_auth_eval_env - pf_auth_eval for an envelope given directly */
int	pf_auth_eval_env(struct pf_auth *, const struct pf_auth_env *,
	    struct pf_facts *);

#endif
