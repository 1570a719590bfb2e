/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * config.h - preflight.conf, as one immutable snapshot.  The CLI and the
 * daemon read the same file; the daemon swaps snapshots on SIGHUP.  The
 * file format and every key are documented in preflight.conf(5).
 */
#ifndef PF_CONFIG_H
#define PF_CONFIG_H

#include <stddef.h>

#include "base/pf.h"
#include "base/statespec.h"

#define PF_MAX_EGRESS	16
/* the default socket: inside Postfix's chroot (queue_directory), so that a
 * chrooted smtpd and cleanup reach it as unix:preflight/milter.sock */
#define PF_SOCKET_DEFAULT	"/var/spool/postfix/preflight/milter.sock"
#define PF_MAX_SIGNERS	64

/* the documented defaults of DNSQueryTimeout and DNSMessageBudget (ms);
 * the resolver's own defaults are these too */
#define PF_DNS_QUERY_MS		2000
#define PF_DNS_MESSAGE_MS	8000

#define PF_STR(x)	#x
#define PF_XSTR(x)	PF_STR(x)

struct pf_policy;

enum pf_tristate { PF_NO = 0, PF_YES = 1, PF_UNSET = -1 };

/* Bulk: the operator's word, or auto (from the state store's count) */
enum pf_bulk { PF_BULK_NO = 0, PF_BULK_YES = 1, PF_BULK_AUTO = 2 };

/* a DKIM signer that signs after preflight has seen the message */
struct pf_signer {
	char	*domain;	/* d= */
	char	*selector;	/* s= */
	char	*keyfile;	/* PEM private key */
	char	*match;		/* sender pattern (SigningTable), NULL = domain */
	unsigned line;		/* of the Signer line in the file */
};

/* preflight-milter's own settings; `preflight check` ignores them (it
 * reads the policy, not these) */
struct pf_daemon_cfg {
	char		*metrics_listen;	/* [host:]port, NULL = off */
	char		*socket;		/* inet:PORT@HOST, inet6:, local: */
	unsigned	 socket_mode;		/* of a local socket */
	char		*socket_group;		/* of a local socket; NULL =
						 * the daemon's group */
	char		*user;			/* run as; NULL = as started */
	char		*group;			/* NULL = the user's group */
	char		*pidfile;		/* NULL = none */
	int		 background;
	char		*log_facility;
	unsigned	 milter_timeout;	/* seconds, towards the MTA */
	unsigned	 drain_seconds;		/* SIGTERM: wait for sessions */
};

/* room for the line of each key of the table in config.c */
#define PF_CONF_MAX_KEYS	64
/* Enforcement auto: the form Gmail last gave this sender (state/hist.c) */
#define PF_ENFORCE_AUTO	2

struct pf_config {
	char		*path;
	char		*rules;			/* rules file */
	char		*egress[PF_MAX_EGRESS];	/* addresses Gmail will see */
	size_t		 negress;
	char		*helo;			/* name the MTA presents */
	char		*nameserver;		/* host[:port], NULL = system */
	int		 no_dns;
	unsigned	 dns_query_ms;		/* per-query budget */
	unsigned	 dns_message_ms;	/* per-message budget */
	int		 bulk;			/* enum pf_bulk */
	struct pf_state_spec state;		/* State */
	unsigned	 state_timeout_ms;	/* StateTimeout */
	int		 state_readonly;	/* not a key: set by a door */
	enum pf_tristate tls;			/* MTA uses TLS to Gmail */
	int		 relay_via_google;
	char		*gmail_account;		/* submits via smtp.gmail.com */
	int		 ratelimit;		/* Enforcement ratelimit (1),
						 * auto (PF_ENFORCE_AUTO) */
	struct pf_signer signer[PF_MAX_SIGNERS];
	size_t		 nsigner;
	char		*keytable;		/* OpenDKIM KeyTable */
	char		*signingtable;		/* OpenDKIM SigningTable */
	char		*postfix_dir;		/* PostfixDir: the mta.* facts */
	struct pf_policy *policy;		/* daemon actions: policy.h */
	struct pf_daemon_cfg daemon;
	unsigned	 key_line[PF_CONF_MAX_KEYS]; /* see pf_config_line */
};

/* pf_config_default - a snapshot with built-in defaults; owned */
struct pf_config *pf_config_default(void);
/* pf_config_load - defaults, then the file; file:line: message on error */
int	pf_config_load(const char *path, struct pf_config **, struct pf_err *);
void	pf_config_free(struct pf_config *);
/* pf_config_line - the line of the file that first set key; 0 when the
 * built-in default applies (or for an unknown key) */
unsigned pf_config_line(const struct pf_config *, const char *key);
/*
 * pf_config_set - set key (any case) from value, the rest of a file line
 * after the key: checked exactly as in the file.  The command-line options
 * and the tests set values this way.  A repeatable key (EgressIP, Signer,
 * Action) adds to what is there.  On error err reads "Key: message"
 * without a file position.
 */
int	pf_config_set(struct pf_config *, const char *key, const char *value,
	    struct pf_err *);
/* pf_config_unset - key back to its built-in default; a repeatable key
 * that can be emptied (EgressIP) is emptied, so that a command line can
 * replace the file's list */
int	pf_config_unset(struct pf_config *, const char *key, struct pf_err *);
/* pf_config_key_known - whether name is a key of preflight.conf */
int	pf_config_key_known(const char *name);

#endif
