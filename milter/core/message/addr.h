/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * addr.h - addresses: RFC 5322 address lists as header fields carry them,
 * RFC 5321 paths as the envelope carries them, and domain names checked
 * against IDNA 2008.
 */
#ifndef PF_ADDR_H
#define PF_ADDR_H

#include <stddef.h>

#define PF_ADDR_DISPLAY_MAX	512	/* display name bytes kept */

/* what one address-list field holds */
struct pf_addrlist {
	size_t	 count;		/* mailboxes, group members included */
	size_t	 valid;		/* of those, with a valid addr-spec */
	int	 syntax_ok;	/* the whole value parsed as an address list */
	int	 ew_addrspec;	/* an encoded-word inside an addr-spec */
	int	 ew_quoted;	/* an encoded-word inside a quoted-string */
	/* the first valid mailbox */
	char	 domain[256];	/* its domain as written, lower case ASCII */
	int	 domain_literal;	/* ... is an address literal [..] */
	int	 domain_cut;	/* ... was longer than the buffer */
	char	 display[PF_ADDR_DISPLAY_MAX + 1];	/* its display name,
					 * raw, comments dropped */
};

/* pf_addr_list_parse - parse an RFC 5322 address-list (obs forms as mail
 * software tolerates them); the result says what it found.  Never fails:
 * a value that does not parse has syntax_ok 0. */
void	pf_addr_list_parse(const char *p, size_t len, struct pf_addrlist *);

/* pf_addr_path_check - is s (no angle brackets; "" is the null path) a valid
 * RFC 5321 path?  PF_OK, or PF_ESYNTAX with a static reason in *why. */
#define PF_ADDR_NULL_OK	0x1	/* "" is valid (a reverse-path) */
#define PF_ADDR_UTF8	0x2	/* SMTPUTF8: UTF-8 allowed (RFC 6531) */
int	pf_addr_path_check(const char *s, int flags, const char **why);

/* pf_addr_domain_ok - a compliant domain name: LDH labels or IDNA 2008
 * U-labels / A-labels, at least two labels, within the lengths of
 * RFC 1035.  1 or 0. */
int	pf_addr_domain_ok(const char *d, size_t len);

/* pf_addr_domain_of - the domain part of a path (after the last '@'),
 * borrowed from s; NULL without one */
const char *pf_addr_domain_of(const char *s);

#endif
