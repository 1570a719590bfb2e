/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * statespec.h - the syntax of the State setting of preflight.conf, shared
 * by the config loader (which reports a bad value as file:line) and the
 * state store (which opens what it names).
 *
 *   none
 *   lmdb:/ABSOLUTE/PATH
 *   redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]      HOST may be [IPv6]
 *   redis+unix:/ABSOLUTE/PATH[?db=N][&password=P][&user=U]
 */
#ifndef PF_STATESPEC_H
#define PF_STATESPEC_H

#include <stddef.h>

enum pf_state_kind { PF_STATE_NONE = 0, PF_STATE_LMDB, PF_STATE_REDIS };

#define PF_STATE_DEFAULT	"lmdb:/var/lib/preflight/state"
#define PF_REDIS_PORT		6379

struct pf_state_spec {
	enum pf_state_kind kind;
	char		 path[256];	/* LMDB file, or Redis unix socket */
	char		 host[256];	/* Redis TCP host ("" with a socket) */
	unsigned	 port;
	unsigned	 db;
	char		 user[128];	/* AUTH user, "" = default */
	char		 pass[256];	/* AUTH password, "" = no AUTH */
};

/* pf_state_spec_parse - s into *out; on a bad value returns -1 with the
 * reason in why (no file:line; the caller adds it) */
int	pf_state_spec_parse(const char *s, struct pf_state_spec *out,
	    char *why, size_t whylen);
/* pf_state_spec_name - the spec for logs, without the password */
const char *pf_state_spec_name(const struct pf_state_spec *, char *buf,
	    size_t len);

#endif
