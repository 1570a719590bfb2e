/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * doctor.h - the MTA audit behind `preflight doctor`: what the MTA's own
 * configuration and DNS say about the problems that hit every message at
 * once (no TLS towards Gmail, a bad HELO name or reverse DNS, SPF, DKIM
 * and DMARC of each sending domain, a milter the MTA cannot reach).  Each
 * check adds findings to a report (report.h); docs/doctor.md lists them.
 */
#ifndef PF_MTA_DOCTOR_H
#define PF_MTA_DOCTOR_H

#include <stddef.h>

#include "auth/dns.h"
#include "config/config.h"
#include "mta/postconf.h"
#include "mta/report.h"
#include "mta/sendmailcf.h"

#define PF_DOCTOR_MAX_DOMAINS	64

struct pf_doctor {
	const struct pf_config	  *cfg;		/* preflight.conf */
	const struct pf_postconf  *pc;		/* Postfix, or NULL */
	const struct pf_sendmailcf *sm;		/* Sendmail, or NULL */
	struct pf_dns		  *dns;		/* NULL: DNS off, unknown */
	const char		  *domains[PF_DOCTOR_MAX_DOMAINS];
	size_t			   ndomains;
	const char		  *probe;	/* host[:port], or NULL */
	struct pf_report	  *rep;
	char			   helo[256];	/* what the MTA presents */
};

/* what the engine takes from the MTA's configuration (PostfixDir), for
 * the mta.* facts of every message */
struct pf_mta_state {
	char	 tls_level[32];	/* none may encrypt ...; "" unknown */
	char	 nexthop[256];	/* where mail to gmail.com goes */
	char	 why[640];	/* unknown: why */
};

/* pf_mta_state_load - run postconf on postfix_dir (NULL: unknown) */
void	pf_mta_state_load(const char *postfix_dir, struct pf_mta_state *);
/* pf_mta_tls_level - the smtp client's TLS level for gmail.com, following
 * transport_maps, relayhost, the transport's -o and smtp_tls_policy_maps */
void	pf_mta_tls_level(const struct pf_postconf *, char *level, size_t,
	    char *nexthop, size_t);

/* pf_doctor_run - every check in order: wiring, TLS, the probe,
 * identity, the sending domains, 8-bit settings */
void	pf_doctor_run(struct pf_doctor *);

/* the groups, one module each */
void	pf_doctor_wiring(struct pf_doctor *);	/* wiring.c */
void	pf_doctor_tls(struct pf_doctor *);	/* tls.c */
void	pf_doctor_probe(struct pf_doctor *);	/* probe.c */
void	pf_doctor_identity(struct pf_doctor *);	/* identity.c */

/* how Postfix uses an egress address of its family */
enum pf_egress_use {
	PF_EGRESS_USED,		/* as any other */
	PF_EGRESS_FALLBACK,	/* only when the other family fails */
	PF_EGRESS_UNUSED	/* never */
};
/* pf_doctor_egress_use - from inet_protocols and smtp_address_preference
 * (main.cf); why gets the reason when not USED; identity.c */
enum pf_egress_use pf_doctor_egress_use(const struct pf_doctor *,
	    const char *ip, char *why, size_t);
void	pf_doctor_add_domain(struct pf_doctor *, const char *);	/* domain.c */
void	pf_doctor_domains(struct pf_doctor *);	/* domain.c */
void	pf_doctor_8bit(struct pf_doctor *);	/* tls.c */

#endif
