/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mailbox.h - the messages in what a user points `preflight check` at: a
 * message file, a directory of them (recursively if asked), a Maildir
 * (cur/ and new/), or an mbox.  Listing finds the messages and where each
 * one lies; reading one gives its bytes as the MTA would have had them
 * (an mbox's separator line dropped, its ">From " quoting undone).
 */
#ifndef PF_MAILBOX_H
#define PF_MAILBOX_H

#include <stddef.h>
#include <stdint.h>

#include "base/pf.h"

enum pf_mbox_format {
	PF_MB_AUTO,		/* mbox if the first line is "From ...",
				 * Maildir if cur/ or new/, else one message */
	PF_MB_EML,		/* each file is one message */
	PF_MB_MBOX,		/* each file is an mbox */
	PF_MB_MAILDIR		/* each directory is a Maildir */
};

/* one message: a whole file, or a span of an mbox */
struct pf_mitem {
	char		*path;		/* owned; "-" is standard input */
	unsigned	 index;		/* 1-based in an mbox, 0: whole file */
	uint64_t	 off, len;	/* the span, separator line excluded */
	int		 mbox;		/* undo ">From " quoting */
	char		*error;		/* listing problem; owned, or NULL */
	const char	*mem;		/* the bytes, when not in a file */
};

struct pf_mlist {
	struct pf_mitem	*item;
	size_t		 n, cap;
};

/* the largest message read (larger ones are an input error) */
#define PF_MAILBOX_MSG_MAX	((uint64_t)256 * 1024 * 1024)

/* pf_mailbox_list - append the messages under path.  A path that cannot
 * be read becomes an item with an error (the run goes on); PF_ENOMEM
 * and PF_EINVAL (a path that does not fit the forced format) fail. */
int	pf_mailbox_list(const char *path, enum pf_mbox_format, int recursive,
	    struct pf_mlist *, struct pf_err *);
/* pf_mailbox_list_mem - the same for bytes in memory (standard input);
 * the items borrow buf.  PF_ENOMEM. */
int	pf_mailbox_list_mem(const char *label, const char *buf, size_t len,
	    enum pf_mbox_format, struct pf_mlist *);
void	pf_mailbox_free(struct pf_mlist *);

/* pf_mailbox_split - the messages of an mbox held in memory, as spans
 * appended to the list under the given path: "From " lines after a blank
 * line (or first) separate; a Content-Length field is honoured when it
 * lands on the next separator or the end.  PF_ENOMEM. */
int	pf_mailbox_split(const char *path, const char *buf, size_t len,
	    struct pf_mlist *);

/* pf_mailbox_read - the bytes of one message, owned; ">From " unquoted
 * for an mbox item.  PF_EIO (errno-style reason in err), PF_ELIMIT. */
int	pf_mailbox_read(const struct pf_mitem *, char **out, size_t *len,
	    struct pf_err *);

/* pf_mailbox_unquote - undo mboxrd quoting in place: a line ">From ",
 * ">>From " ... loses one '>'.  Returns the new length. */
size_t	pf_mailbox_unquote(char *buf, size_t len);

/* pf_mailbox_label - "path" or "path#n" into buf; returns buf */
const char *pf_mailbox_label(const struct pf_mitem *, char *buf, size_t);

#endif
