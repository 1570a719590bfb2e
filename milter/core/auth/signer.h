/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * signer.h - DKIM signing that happens after preflight has seen the
 * message (a later milter, a later hop).  The operator declares the signer
 * (`signer domain selector keyfile` lines, or OpenDKIM's KeyTable and
 * SigningTable); we predict the signature it will add and check that the
 * public key in DNS matches the private key file.
 */
#ifndef PF_SIGNER_H
#define PF_SIGNER_H

#include <stddef.h>

#include "base/pf.h"
#include "config/config.h"
#include "auth/dns.h"

struct pf_signers;

/* what one declared key will give */
struct pf_sign_pred {
	char	 domain[256];	/* d= */
	char	 selector[128];	/* s= */
	char	 alg[24];
	unsigned bits;
	int	 match;		/* key in DNS matches the file: 1, 0, -1 */
	enum pf_undecided undec;	/* unknown: why, as a value */
	char	 why[640];	/* mismatch or unknown: why */
};

/* pf_signers_load - the declared keys; file:line: message on a bad
 * KeyTable or SigningTable.  *out is NULL when nothing is declared. */
int	pf_signers_load(const struct pf_config *, struct pf_signers **,
	    struct pf_err *);
void	pf_signers_free(struct pf_signers *);

/*
 * pf_signers_predict - the signature the signer will add to mail From
 * addr (domain: its domain, lower case): 1 with *p filled, 0 when no
 * declared key applies.
 */
int	pf_signers_predict(const struct pf_signers *, struct pf_dns *,
	    const char *addr, const char *domain, struct pf_dns_budget *,
	    struct pf_sign_pred *);

/* pf_signers_domain - d= of declared key i ("%": the From domain), or
 * NULL past the last; borrowed until pf_signers_free */
const char *pf_signers_domain(const struct pf_signers *, size_t i);

/* pf_signer_pubkey - the DKIM p= value for a PEM private key file */
int	pf_signer_pubkey(const char *keyfile, char *b64, size_t len,
	    unsigned *bits, int *ed25519, struct pf_err *);

#endif
