/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * postconf.h - a Postfix configuration as Postfix itself reads it: every
 * main.cf parameter with its default and $name expanded (postconf -x),
 * the master.cf services (postconf -F) and their -o overrides
 * (postconf -P).  Nothing here parses main.cf by hand.
 */
#ifndef PF_MTA_POSTCONF_H
#define PF_MTA_POSTCONF_H

#include <stddef.h>

#include "base/pf.h"

#define PF_PC_MAX_SERVICES	128

struct pf_pc_service {
	char	 name[128];	/* "smtp", "127.0.0.1:2525", "submission" */
	char	 type[8];	/* inet unix unix-dgram fifo pass */
	int	 chroot;	/* 1: runs chrooted in queue_directory */
	char	 command[64];	/* "smtpd", "cleanup", ... */
};

struct pf_postconf;

/*
 * pf_postconf_load - run postconf -c dir; a main.cf that postconf refuses
 * gives file:line: message (PF_ESYNTAX), an unreadable directory PF_EIO,
 * a missing postconf PF_EINVAL.  Owned; free with pf_postconf_free.
 */
int	pf_postconf_load(const char *dir, struct pf_postconf **,
	    struct pf_err *);
void	pf_postconf_free(struct pf_postconf *);

/* pf_postconf_get - a main.cf value, expanded; NULL if no such name */
const char *pf_postconf_get(const struct pf_postconf *, const char *name);
/* pf_postconf_svc_get - the value a service sees: its -o override, else
 * the main.cf value */
const char *pf_postconf_svc_get(const struct pf_postconf *,
	    const struct pf_pc_service *, const char *name);
/* pf_postconf_svc_has - whether the service overrides name with -o */
int	pf_postconf_svc_has(const struct pf_postconf *,
	    const struct pf_pc_service *, const char *name);
size_t	pf_postconf_nservices(const struct pf_postconf *);
const struct pf_pc_service *pf_postconf_service(const struct pf_postconf *,
	    size_t i);
/* pf_postconf_dir - the configuration directory given to load */
const char *pf_postconf_dir(const struct pf_postconf *);

/* pf_field_next - copy the next field of *p (fields separated by any of
 * seps) into buf and advance *p past it; 0 when there is none */
int	pf_field_next(const char **p, const char *seps, char *buf,
	    size_t len);

/*
 * pf_run - run argv (argv[0] a path or a name in PATH) and capture its
 * standard output (at most max bytes, NUL-ended, owned) and the line of
 * its standard error that says "fatal:", else the first.  Returns the exit status, or -1 when it
 * could not run (why in err).
 */
int	pf_run(char *const argv[], size_t max, char **out, char *errline,
	    size_t errlen);

#endif
