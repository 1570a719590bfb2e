/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sendmem.h - the sender memory: per envelope sender domain (the HELO name
 * for a null sender), the From domains and the DKIM keys (d=, s=) its last
 * messages showed, most recent first.  MAIL FROM starts the lookups these
 * name (prefetch.c) before the header fields arrive, which with Postfix is
 * only after the whole message.  A guess, never an input of a check: a
 * wrong one costs an unused lookup.
 *
 * A fixed table of slots (a domain overwrites the one in its slot), owned
 * by whoever outlives the engines (the daemon: a reload keeps it), and
 * thread-safe.  The text form (pf_sender_format, pf_sender_parse) is what
 * the engine keeps in the state store, so that a restart or another host
 * of a fleet starts from what was learned.
 */
#ifndef PF_SENDMEM_H
#define PF_SENDMEM_H

#include <stddef.h>
#include <stdint.h>

#define PF_SENDMEM_SLOTS	2048	/* envelope domains remembered */
#define PF_SENDMEM_FROM		3	/* From domains a sender */
#define PF_SENDMEM_KEYS		3	/* DKIM keys a sender */
#define PF_SENDMEM_DOM		128	/* bytes of a domain, NUL included */
#define PF_SENDMEM_SEL		64	/* bytes of a selector, NUL included */
#define PF_SENDMEM_TEXT		1024	/* bytes of the text form */
#define PF_SENDMEM_REFRESH	86400	/* seconds before an unchanged entry
					 * is written to the store again */

/* what one sender showed; empty strings end each list */
struct pf_sender {
	char	 from[PF_SENDMEM_FROM][PF_SENDMEM_DOM];
	struct {
		char	 s[PF_SENDMEM_SEL];
		char	 d[PF_SENDMEM_DOM];
	} key[PF_SENDMEM_KEYS];
};

struct pf_sendmem;

/* pf_sendmem_new - an empty table of PF_SENDMEM_SLOTS slots; NULL if out
 * of memory */
struct pf_sendmem *pf_sendmem_new(void);
void	pf_sendmem_free(struct pf_sendmem *);

/* pf_sendmem_domain - the key of a message: the envelope sender's domain,
 * else (null sender) the HELO name; lower case, without "<>"; 0 if none
 * or too long */
int	pf_sendmem_domain(const char *mail_from, const char *helo, char *buf,
	    size_t len);

/* pf_sendmem_get - what is remembered for dom, into out; 1 if the slot
 * holds dom (possibly with nothing learned: see pf_sendmem_put), else 0 */
int	pf_sendmem_get(struct pf_sendmem *, const char *dom,
	    struct pf_sender *out);
/* pf_sendmem_put - dom's entry as read from the store (an empty one says
 * "the store knows nothing": the next MAIL FROM does not ask again);
 * not to be written back */
void	pf_sendmem_put(struct pf_sendmem *, const char *dom,
	    const struct pf_sender *);
/* pf_sendmem_learn - merge what one message showed (seen: the From
 * domains and keys of that message) in front of what dom's entry holds */
void	pf_sendmem_learn(struct pf_sendmem *, const char *dom,
	    const struct pf_sender *seen);
/* pf_sendmem_dirty - dom's entry if it changed since it was last handed
 * out by this call, or was last handed out more than PF_SENDMEM_REFRESH
 * seconds before now: 1 and the entry in out, the entry marked as
 * written; else 0 */
int	pf_sendmem_dirty(struct pf_sendmem *, const char *dom, int64_t now,
	    struct pf_sender *out);

/* pf_sender_add_from, pf_sender_add_key - append to a list unless there
 * already, full, or too long; 1 if added */
int	pf_sender_add_from(struct pf_sender *, const char *dom);
int	pf_sender_add_key(struct pf_sender *, const char *s, const char *d);
/* pf_sender_empty - nothing in either list */
int	pf_sender_empty(const struct pf_sender *);

/* pf_sender_format - "f=a.example,b.example;k=sel:d.example,..." into
 * buf (at least PF_SENDMEM_TEXT bytes) */
void	pf_sender_format(const struct pf_sender *, char *buf, size_t len);
/* pf_sender_parse - the text form back; what does not parse (untrusted:
 * another host or an old version wrote it) is left out.  0 if nothing
 * usable. */
int	pf_sender_parse(const char *text, struct pf_sender *out);

#endif
