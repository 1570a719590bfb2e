/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * msg.h - the streaming message builder.  The CLI and the milter feed it the
 * same way: envelope, then one header field at a time, then body chunks,
 * then end.  It never keeps the whole body; modules that look at the message
 * (header analysis, MIME walk, DKIM) see it through observers, as it streams.
 */
#ifndef PF_MSG_H
#define PF_MSG_H

#include <stddef.h>

#include "base/facts.h"

struct pf_msg;

/*
 * An observer sees the message as it streams.  Every callback is optional.
 * begin() makes per-message state from the shared, read-only arg; end()
 * sets facts; free() releases the state (also after an abort, when end()
 * was never called).  reset(), if set, makes the state what begin() made,
 * in place, for the next message of the same builder (pf_msg_reset);
 * without it the state is freed and begun again.
 *
 * header(): name as sent; value is every byte after the colon, folding
 *           included, line ends normalised to CRLF, without the final CRLF.
 * body():   body bytes, line ends normalised to CRLF.
 */
struct pf_observer {
	const char	*name;
	void		*arg;
	int	(*begin)(void *arg, struct pf_msg *, void **st);
	void	(*header)(void *st, const char *name, size_t nlen,
		    const char *value, size_t vlen);
	void	(*eoh)(void *st);
	void	(*body)(void *st, const unsigned char *p, size_t len);
	void	(*end)(void *st, struct pf_facts *);
	void	(*free)(void *st);
	void	(*reset)(void *st);
};

/* pf_msg_new - an empty message; owned, free with pf_msg_free */
struct pf_msg	*pf_msg_new(void);
void		 pf_msg_free(struct pf_msg *);
/* pf_msg_reset - back to an empty message with the same observers, each
 * with the state of a new message; the buffers are kept.  On failure
 * (ENOMEM in an observer's begin()) the message may only be freed. */
int		 pf_msg_reset(struct pf_msg *);

/* pf_msg_observe - add an observer; before any header or body call */
int	pf_msg_observe(struct pf_msg *, const struct pf_observer *);

/* envelope: arguments as the MTA saw them ("<a@b>" or "a@b") */
int	pf_msg_helo(struct pf_msg *, const char *);
int	pf_msg_mail(struct pf_msg *, const char *);
int	pf_msg_rcpt(struct pf_msg *, const char *);
void	pf_msg_smtputf8(struct pf_msg *, int);

/* content, one field at a time (milter) ... */
int	pf_msg_header(struct pf_msg *, const char *name, size_t nlen,
	    const char *value, size_t vlen);
int	pf_msg_eoh(struct pf_msg *);
int	pf_msg_body(struct pf_msg *, const void *, size_t);

/* ... or raw bytes of a whole message in chunks (CLI): CRLF or bare LF,
 * an optional leading mbox "From " line; split into fields and body here. */
int	pf_msg_raw(struct pf_msg *, const void *, size_t);

/* pf_msg_end - finish: set the envelope, header and MIME facts, then every
 * observer's end().  Malformed mail is a fact, not an error: this fails only
 * on ENOMEM or a broken internal state. */
int	pf_msg_end(struct pf_msg *, struct pf_facts *);

/*
 * Defects the raw splitter (pf_msg_raw) and the body stream found; a bit set.
 * Observers read them at end() through the pf_msg pointer begin() got.
 */
#define PF_MSG_D_NUL		0x01	/* a NUL byte in the message */
#define PF_MSG_D_NOCOLON	0x02	/* a header line without a colon: the
					 * body began without a blank line */
#define PF_MSG_D_LEADWS		0x04	/* the header block begins with a
					 * continuation line */
#define PF_MSG_D_CUT		0x08	/* a header field over PF_MSG_FIELD_KEEP
					 * bytes: only its start was kept */
#define PF_MSG_D_EMPTY		0x10	/* no header field at all */

/* the most of one header field the splitter keeps; lengths stay exact */
#define PF_MSG_FIELD_KEEP	(1024 * 1024)

unsigned	 pf_msg_defects(const struct pf_msg *);
/* the start of the first line without a colon, NUL-terminated; borrowed */
const char	*pf_msg_defect_line(const struct pf_msg *);
/* pf_msg_field_size - the true name and value lengths of the field last
 * passed to header(); larger than what was passed when it was cut */
void		 pf_msg_field_size(const struct pf_msg *, size_t *nlen,
		    size_t *vlen);

/* pf_msg_seen - the fields among Message-ID, Date and From the message
 * had, as PF_MSG_SEEN_* bits (what an MTA would add is the rest) */
#define PF_MSG_SEEN_MSGID	0x1
#define PF_MSG_SEEN_DATE	0x2
#define PF_MSG_SEEN_FROM	0x4
unsigned	 pf_msg_seen(const struct pf_msg *);
/* pf_msg_before_eoh - fn(arg, m) runs once just before the end of the
 * header block, however it is reached (blank line, a line that is not a
 * field, end of input); it may still add header fields */
void		 pf_msg_before_eoh(struct pf_msg *,
		    void (*fn)(void *, struct pf_msg *), void *arg);

/* borrowed until pf_msg_free */
const char	*pf_msg_helo_get(const struct pf_msg *);
const char	*pf_msg_mail_get(const struct pf_msg *);	/* no <> */
int		 pf_msg_smtputf8_get(const struct pf_msg *);
size_t		 pf_msg_rcpt_count(const struct pf_msg *);
/* no <> */
const char	*pf_msg_rcpt_get(const struct pf_msg *, size_t);

#endif
