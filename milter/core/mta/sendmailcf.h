/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sendmailcf.h - the parts of a generated sendmail.cf that decide how
 * Sendmail talks to milters and to Gmail: "O Name=value" options, the
 * "X" lines of the mail filters (INPUT_MAIL_FILTER in sendmail.mc), and
 * the TLS entries of the access map's text source (FEATURE(access_db)).
 */
#ifndef PF_MTA_SENDMAILCF_H
#define PF_MTA_SENDMAILCF_H

#include <stddef.h>

#include "base/pf.h"

#define PF_SM_MAX_FILTERS	32

struct pf_sm_filter {
	char	 name[64];
	char	 socket[512];	/* S= */
	char	 flags[16];	/* F= */
};

struct pf_sendmailcf;

/* pf_sendmailcf_load - parse path; file:line: message on a line that is
 * too long; owned */
int	pf_sendmailcf_load(const char *path, struct pf_sendmailcf **,
	    struct pf_err *);
void	pf_sendmailcf_free(struct pf_sendmailcf *);
/* pf_sendmailcf_opt - the value of "O name=value", NULL if not set */
const char *pf_sendmailcf_opt(const struct pf_sendmailcf *, const char *);
size_t	pf_sendmailcf_nfilters(const struct pf_sendmailcf *);
const struct pf_sm_filter *pf_sendmailcf_filter(
	    const struct pf_sendmailcf *, size_t);
const char *pf_sendmailcf_path(const struct pf_sendmailcf *);

/* the access map, for its TLS entries (Try_TLS:, TLS_Srv:, TLS_Rcpt:) */
enum pf_sm_access {
	PF_SM_ACCESS_NONE,	/* no "Kaccess" line: no access map */
	PF_SM_ACCESS_READ,	/* its text source was read */
	PF_SM_ACCESS_UNREAD	/* a map whose text source cannot be read */
};
/* pf_sendmailcf_access - the state of the access map; *src its text
 * source (the map's file without ".db"), or NULL */
enum pf_sm_access pf_sendmailcf_access(const struct pf_sendmailcf *,
	    const char **src);
/* pf_sendmailcf_access_get - the value of "TAG:KEY" in the access map's
 * text source (tag case-insensitive; key "" is the bare tag), NULL if
 * no such line */
const char *pf_sendmailcf_access_get(const struct pf_sendmailcf *,
	    const char *tag, const char *key);

#endif
