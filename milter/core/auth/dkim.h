/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dkim.h - DKIM verification as Gmail does it, streaming: libopendkim
 * with its key lookups sent through dns.c.  A signature passes when it
 * verifies, uses a key of at least 1024 bits and is not rsa-sha1.
 */
#ifndef PF_DKIM_H
#define PF_DKIM_H

#include <stddef.h>

#include "base/pf.h"
#include "auth/dns.h"

#define PF_DKIM_MAX_SIGS	16
#define PF_DKIM_MIN_BITS	1024	/* Gmail fails shorter keys */

struct pf_dkim;
struct pf_dkim_msg;

struct pf_dkim_sig {
	char	 domain[256];	/* d= */
	char	 selector[128];	/* s= */
	char	 alg[24];	/* rsa-sha256, rsa-sha1, ed25519-sha256 */
	char	 result[12];	/* pass, fail, permerror, temperror */
	enum pf_undecided undec;	/* temperror: why, as a value */
	char	 why[256];	/* what failed */
	unsigned bits;		/* key size, 0 = unknown */
	int	 weak;		/* key under PF_DKIM_MIN_BITS */
	int	 covers_from;	/* h= lists From */
	int	 covers_unsub;	/* h= lists List-Unsubscribe */
	int	 covers_unsub_post;	/* h= lists List-Unsubscribe-Post */
};

/* pf_dkim_new - one libopendkim library over dns (borrowed); owned */
int	pf_dkim_new(struct pf_dns *, struct pf_dkim **, struct pf_err *);
void	pf_dkim_free(struct pf_dkim *);

/* per message: budget borrowed until pf_dkim_msg_free; owned */
struct pf_dkim_msg *pf_dkim_msg_new(struct pf_dkim *, struct pf_dns_budget *);
void	pf_dkim_msg_free(struct pf_dkim_msg *);
/* pf_dkim_msg_reset - ready for the next message, with the same budget */
void	pf_dkim_msg_reset(struct pf_dkim_msg *);
/* value: every byte after the colon, folding and CRLF included */
void	pf_dkim_header(struct pf_dkim_msg *, const char *name, size_t nlen,
	    const char *value, size_t vlen);
void	pf_dkim_eoh(struct pf_dkim_msg *);
void	pf_dkim_body(struct pf_dkim_msg *, const unsigned char *, size_t);
/* pf_dkim_end - verify; the signatures are then readable */
void	pf_dkim_end(struct pf_dkim_msg *);
size_t	pf_dkim_nsigs(const struct pf_dkim_msg *);
/* header fields and bytes past which signatures are not verified */
#define PF_DKIM_MAX_FIELDS	10000
#define PF_DKIM_MAX_HBYTES	(2 * 1024 * 1024)
int	pf_dkim_toolarge(const struct pf_dkim_msg *);
/* pf_dkim_nomem - a signature was there but no memory to verify it */
int	pf_dkim_nomem(const struct pf_dkim_msg *);
/* borrowed until pf_dkim_msg_free */
const struct pf_dkim_sig *pf_dkim_sig(const struct pf_dkim_msg *, size_t);

/* pf_dkim_hlist_has - does a DKIM h= list name field (case-insensitive) */
int	pf_dkim_hlist_has(const char *hlist, const char *field);

#endif
