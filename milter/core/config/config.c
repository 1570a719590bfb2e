/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * config.c - preflight.conf: "Name value" lines, "#" comments, one table
 * row per key carrying its type, default, bounds and setter.  Every value
 * comes in through that table: the built-in defaults, the file, and
 * pf_config_set() for command-line options and tests, so a value is
 * checked the same way wherever it is given.  The file is trusted to be
 * the administrator's, but is still parsed with bounds: a line over
 * PF_CONF_LINE_MAX, an unknown key, a repeated single key or a bad value
 * is reported as file:line: message, and nothing is returned.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/net.h"
#include "base/pf.h"
#include "config/config.h"
#include "config/policy.h"

#ifndef PF_RULESDIR
#define PF_RULESDIR	"/usr/local/share/preflight"
#endif

#define PF_CONF_LINE_MAX	4096
#define PF_CONF_WORDS		8

enum ktype {
	K_STR,		/* one word, copied */
	K_BOOL,		/* yes|no */
	K_TRI,		/* yes|no|unknown */
	K_UINT,		/* decimal in [min, max] */
	K_OCTAL,	/* octal in [min, max] */
	K_FN		/* the row's own setter */
};

struct ctx {
	struct pf_config	*cfg;
	const char		*file;		/* NULL: pf_config_set */
	unsigned		 line;
	struct pf_err		*err;
};

struct key;
typedef int (*setter)(struct ctx *, const struct key *, char **, size_t);

struct key {
	const char	*name;
	enum ktype	 type;
	size_t		 off;		/* into struct pf_config */
	const char	*def;		/* default value, NULL = unset */
	int64_t		 min, max;
	int		 repeat;	/* may be given more than once */
	setter		 set;		/* for K_FN */
};

#define OFF(f)	offsetof(struct pf_config, f)

static int set_egress(struct ctx *, const struct key *, char **, size_t);
static int set_nameserver(struct ctx *, const struct key *, char **, size_t);
static int set_dns(struct ctx *, const struct key *, char **, size_t);
static int set_signer(struct ctx *, const struct key *, char **, size_t);
static int set_action(struct ctx *, const struct key *, char **, size_t);
static int set_enum(struct ctx *, const struct key *, char **, size_t);
static int set_socket(struct ctx *, const struct key *, char **, size_t);
static int set_helo(struct ctx *, const struct key *, char **, size_t);
static int set_facility(struct ctx *, const struct key *, char **, size_t);
static int set_bulk(struct ctx *, const struct key *, char **, size_t);
static int set_account(struct ctx *, const struct key *, char **, size_t);
static int set_state(struct ctx *, const struct key *, char **, size_t);
static int set_socket_mode(struct ctx *, const struct key *, char **, size_t);
static int set_socket_group(struct ctx *, const struct key *, char **,
    size_t);
static void clear_egress(struct pf_config *);
static int defaults(struct pf_config *);

/*
 * The one table of keys: name, type, where it is stored, its default (as
 * it would be written in the file, applied through the same code; NULL:
 * unset), bounds, whether it may repeat, and its setter.
 */
static const struct key keys[] = {
	{ "Rules", K_STR, OFF(rules), PF_RULESDIR "/gmail.rules",
	    0, 0, 0, NULL },
	{ "EgressIP", K_FN, 0, NULL,
	    0, 0, 1, set_egress },
	{ "HELO", K_FN, 0, NULL,
	    0, 0, 0, set_helo },
	{ "Nameserver", K_FN, 0, "system",
	    0, 0, 0, set_nameserver },
	{ "DNS", K_FN, 0, "yes",
	    0, 0, 0, set_dns },
	{ "DNSQueryTimeout", K_UINT, OFF(dns_query_ms),
	    PF_XSTR(PF_DNS_QUERY_MS),
	    10, 60000, 0, NULL },
	{ "DNSMessageBudget", K_UINT, OFF(dns_message_ms),
	    PF_XSTR(PF_DNS_MESSAGE_MS),
	    10, 600000, 0, NULL },
	{ "Bulk", K_FN, 0, "auto",
	    0, 0, 0, set_bulk },
	{ "State", K_FN, 0, PF_STATE_DEFAULT,
	    0, 0, 0, set_state },
	{ "StateTimeout", K_UINT, OFF(state_timeout_ms), "500",
	    10, 60000, 0, NULL },
	{ "TLS", K_TRI, OFF(tls), "unknown",
	    0, 0, 0, NULL },
	{ "RelayViaGoogle", K_BOOL, OFF(relay_via_google), "no",
	    0, 0, 0, NULL },
	{ "GmailAccount", K_FN, 0, NULL,
	    0, 0, 0, set_account },
	{ "Enforcement", K_FN, 0, "block",
	    0, 0, 0, set_enum },
	{ "Signer", K_FN, 0, NULL,
	    0, 0, 1, set_signer },
	{ "KeyTable", K_STR, OFF(keytable), NULL,
	    0, 0, 0, NULL },
	{ "SigningTable", K_STR, OFF(signingtable), NULL,
	    0, 0, 0, NULL },
	{ "PostfixDir", K_STR, OFF(postfix_dir), NULL,
	    0, 0, 0, NULL },
	/* policy */
	{ "Action", K_FN, 0, NULL,
	    0, 0, 1, set_action },
	{ "DryRun", K_FN, 0, "no",
	    0, 0, 0, set_enum },
	{ "SenderDomain", K_FN, 0, "both",
	    0, 0, 0, set_enum },
	{ "UnknownRecipients", K_FN, 0, "gmail",
	    0, 0, 0, set_enum },
	{ "BlockOnlyAllGmail", K_FN, 0, "no",
	    0, 0, 0, set_enum },
	{ "TagClean", K_FN, 0, "no",
	    0, 0, 0, set_enum },
	{ "FailAction", K_FN, 0, "accept",
	    0, 0, 0, set_enum },
	{ "MTAAddsHeaders", K_FN, 0, "never",
	    0, 0, 0, set_enum },
	{ "MinConfidence", K_FN, 0, "low",
	    0, 0, 0, set_enum },
	/* daemon */
	{ "Socket", K_FN, 0, "local:" PF_SOCKET_DEFAULT,
	    0, 0, 0, set_socket },
	{ "SocketMode", K_FN, 0, "0660",
	    0, 0777, 0, set_socket_mode },
	{ "SocketGroup", K_FN, 0, NULL,
	    0, 0, 0, set_socket_group },
	{ "User", K_STR, OFF(daemon.user), NULL,
	    0, 0, 0, NULL },
	{ "Group", K_STR, OFF(daemon.group), NULL,
	    0, 0, 0, NULL },
	{ "PidFile", K_STR, OFF(daemon.pidfile), NULL,
	    0, 0, 0, NULL },
	{ "MetricsListen", K_STR, OFF(daemon.metrics_listen), NULL,
	    0, 0, 0, NULL },
	{ "Background", K_BOOL, OFF(daemon.background), "yes",
	    0, 0, 0, NULL },
	{ "LogFacility", K_FN, 0, "mail",
	    0, 0, 0, set_facility },
	{ "MilterTimeout", K_UINT, OFF(daemon.milter_timeout), "600",
	    1, 86400, 0, NULL },
	{ "DrainTimeout", K_UINT, OFF(daemon.drain_seconds), "30",
	    0, 3600, 0, NULL },
};
_Static_assert(PF_NELEM(keys) <= PF_CONF_MAX_KEYS,
    "raise PF_CONF_MAX_KEYS in config.h");

/* enumerated policy keys: name, accepted words, value stored */
static const struct {
	const char	*key;
	const char	*word;
	int		 val;
} enums[] = {
	{ "DryRun", "yes", 1 }, { "DryRun", "no", 0 },
	{ "SenderDomain", "from", PF_D_FROM },
	{ "SenderDomain", "envelope", PF_D_ENVELOPE },
	{ "SenderDomain", "both", PF_D_BOTH },
	{ "UnknownRecipients", "gmail", 1 },
	{ "UnknownRecipients", "other", 0 },
	{ "BlockOnlyAllGmail", "yes", 1 }, { "BlockOnlyAllGmail", "no", 0 },
	{ "TagClean", "yes", 1 }, { "TagClean", "no", 0 },
	{ "FailAction", "accept", PF_A_ACCEPT },
	{ "FailAction", "hold", PF_A_HOLD },
	{ "FailAction", "tempfail", PF_A_TEMPFAIL },
	{ "MTAAddsHeaders", "never", PF_M_NEVER },
	{ "MTAAddsHeaders", "local", PF_M_LOCAL },
	{ "MTAAddsHeaders", "always", PF_M_ALWAYS },
	{ "MinConfidence", "low", PF_CONF_LOW },
	{ "MinConfidence", "medium", PF_CONF_MEDIUM },
	{ "MinConfidence", "high", PF_CONF_HIGH },
	{ "Enforcement", "block", 0 },
	{ "Enforcement", "ratelimit", 1 },
	{ "Enforcement", "auto", PF_ENFORCE_AUTO },
};

/* the repeatable keys that pf_config_unset can empty */
static const struct {
	setter	 set;
	void	(*clear)(struct pf_config *);
} clears[] = {
	{ set_egress, clear_egress },
};

static const char *facilities[] = {
	"mail", "daemon", "user", "local0", "local1", "local2", "local3",
	"local4", "local5", "local6", "local7"
};

/* failf - record file:line: message for the current line */
static int
failf(struct ctx *c, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
failf(struct ctx *c, int status, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->file == NULL)
		return pf_err_set(c->err, status, "%s", msg);
	return pf_err_setl(c->err, status, c->file, c->line, "%s", msg);
}

/* dupstr - owned copy, or NULL on ENOMEM */
static char *
dupstr(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

/* replace - free *slot and store an owned copy of s there */
static int
replace(struct ctx *c, char **slot, const char *s)
{
	char *p = dupstr(s);

	if (p == NULL)
		return failf(c, PF_ENOMEM, "out of memory");
	free(*slot);
	*slot = p;
	return PF_OK;
}

/* parse_bool - yes/no and the usual synonyms; -1 if neither */
static int
parse_bool(const char *w)
{
	if (strcasecmp(w, "yes") == 0 || strcasecmp(w, "true") == 0 ||
	    strcasecmp(w, "on") == 0 || strcmp(w, "1") == 0)
		return 1;
	if (strcasecmp(w, "no") == 0 || strcasecmp(w, "false") == 0 ||
	    strcasecmp(w, "off") == 0 || strcmp(w, "0") == 0)
		return 0;
	return -1;
}

/* pf_config_default - a snapshot with built-in defaults */
struct pf_config *
pf_config_default(void)
{
	struct pf_config *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	if ((c->policy = pf_policy_new()) == NULL ||
	    defaults(c) != PF_OK) {
		pf_config_free(c);
		return NULL;
	}
	return c;
}

/* pf_config_free - release a snapshot; NULL is a no-op */
void
pf_config_free(struct pf_config *c)
{
	size_t i;

	if (c == NULL)
		return;
	explicit_bzero(c->state.pass, sizeof(c->state.pass));
	free(c->path);
	free(c->rules);
	for (i = 0; i < c->negress; i++)
		free(c->egress[i]);
	free(c->helo);
	free(c->nameserver);
	for (i = 0; i < c->nsigner; i++) {
		free(c->signer[i].domain);
		free(c->signer[i].selector);
		free(c->signer[i].keyfile);
		free(c->signer[i].match);
	}
	free(c->gmail_account);
	free(c->keytable);
	free(c->signingtable);
	free(c->postfix_dir);
	pf_policy_free(c->policy);
	free(c->daemon.socket);
	free(c->daemon.user);
	free(c->daemon.group);
	free(c->daemon.socket_group);
	free(c->daemon.pidfile);
	free(c->daemon.metrics_listen);
	free(c->daemon.log_facility);
	free(c);
}

/* find - the table row for a key name, case-insensitively */
static const struct key *
find(const char *name)
{
	size_t i;

	for (i = 0; i < PF_NELEM(keys); i++)
		if (strcasecmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

/* pf_config_key_known - whether name is a key of preflight.conf */
int
pf_config_key_known(const char *name)
{
	return find(name) != NULL;
}

/* valid_hostname - letters, digits, hyphens and dots, labels <= 63 */
static int
valid_hostname(const char *s)
{
	size_t n = strlen(s), label = 0, i;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!isalnum(ch) && ch != '-' && ch != '_')
			return 0;
		if (++label > 63)
			return 0;
	}
	return 1;
}

/* set_egress - one more address Gmail will see (repeatable) */
static int
set_egress(struct ctx *c, const struct key *k, char **w, size_t nw)
{
	struct pf_config *cfg = c->cfg;
	size_t i;

	for (i = 0; i < nw; i++) {
		if (!pf_ip_valid(w[i]))
			return failf(c, PF_ESYNTAX,
			    "EgressIP: \"%s\" is not an IPv4 or IPv6 address",
			    w[i]);
		if (cfg->negress >= PF_MAX_EGRESS)
			return failf(c, PF_ELIMIT,
			    "EgressIP: more than %d addresses", PF_MAX_EGRESS);
		cfg->egress[cfg->negress] = dupstr(w[i]);
		if (cfg->egress[cfg->negress] == NULL)
			return failf(c, PF_ENOMEM, "out of memory");
		cfg->negress++;
	}
	return PF_OK;
}

/* clear_egress - no address: before a command line replaces the list */
static void
clear_egress(struct pf_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->negress; i++) {
		free(cfg->egress[i]);
		cfg->egress[i] = NULL;
	}
	cfg->negress = 0;
}

/* set_helo - the name the MTA presents to Gmail */
static int
set_helo(struct ctx *c, const struct key *k, char **w, size_t nw)
{
	if (nw != 1)
		return failf(c, PF_ESYNTAX, "HELO takes one name");
	if (!valid_hostname(w[0]))
		return failf(c, PF_ESYNTAX, "HELO: \"%s\" is not a host name",
		    w[0]);
	return replace(c, &c->cfg->helo, w[0]);
}

/* set_nameserver - HOST[:PORT], [V6]:PORT, V6, or "system" */
static int
set_nameserver(struct ctx *c, const struct key *k, char **w, size_t nw)
{
	char host[PF_HOST_MAX];
	unsigned port;
	struct pf_err e;

	if (nw != 1)
		return failf(c, PF_ESYNTAX, "Nameserver takes one address");
	if (strcasecmp(w[0], "system") == 0) {
		free(c->cfg->nameserver);
		c->cfg->nameserver = NULL;
		return PF_OK;
	}
	if (pf_hostport(w[0], host, &port, &e) != PF_OK)
		return failf(c, e.status, "Nameserver: %s", e.msg);
	return replace(c, &c->cfg->nameserver, w[0]);
}

/* set_dns - "DNS no" is the file's --no-dns */
static int
set_dns(struct ctx *c, const struct key *k, char **w, size_t nw)
{
	int b = nw == 1 ? parse_bool(w[0]) : -1;

	if (b < 0)
		return failf(c, PF_ESYNTAX, "DNS: expected yes or no");
	c->cfg->no_dns = !b;
	return PF_OK;
}

/* set_signer - DOMAIN SELECTOR KEYFILE [SENDER-PATTERN] */
static int
set_signer(struct ctx *c, const struct key *k, char **w, size_t nw)
{
	struct pf_config *cfg = c->cfg;
	struct pf_signer *s;

	if (nw < 3 || nw > 4)
		return failf(c, PF_ESYNTAX, "Signer: expected DOMAIN "
		    "SELECTOR KEYFILE [SENDER-PATTERN]");
	if (!valid_hostname(w[0]))
		return failf(c, PF_ESYNTAX,
		    "Signer: \"%s\" is not a domain name", w[0]);
	if (!valid_hostname(w[1]))
		return failf(c, PF_ESYNTAX,
		    "Signer: \"%s\" is not a valid selector", w[1]);
	if (cfg->nsigner >= PF_MAX_SIGNERS)
		return failf(c, PF_ELIMIT, "Signer: more than %d signers",
		    PF_MAX_SIGNERS);
	s = &cfg->signer[cfg->nsigner];
	s->domain = dupstr(w[0]);
	s->selector = dupstr(w[1]);
	s->keyfile = dupstr(w[2]);
	s->match = nw == 4 ? dupstr(w[3]) : NULL;
	s->line = c->line;
	cfg->nsigner++;		/* counted now so that free() sees it */
	if (s->domain == NULL || s->selector == NULL || s->keyfile == NULL ||
	    (nw == 4 && s->match == NULL))
		return failf(c, PF_ENOMEM, "out of memory");
	return PF_OK;
}

/* set_action - Action SCOPE SELECTOR ACTION, handed to the policy */
static int
set_action(struct ctx *c, const struct key *k, char **w, size_t nw)
{
	return pf_policy_add(c->cfg->policy, w, nw, c->file, c->line, c->err);
}

/* set_enum - the policy keys whose values are one word of a fixed set */
static int
set_enum(struct ctx *c, const struct key *k, char **w, size_t nw)
{
	struct pf_policy *p = c->cfg->policy;
	char choices[128];
	size_t i, used = 0;
	int val = -1;

	choices[0] = '\0';
	for (i = 0; i < PF_NELEM(enums); i++) {
		if (strcmp(enums[i].key, k->name) != 0)
			continue;
		if (nw == 1 && strcasecmp(enums[i].word, w[0]) == 0)
			val = enums[i].val;
		if (used < sizeof(choices)) {
			int n = snprintf(choices + used, sizeof(choices) - used,
			    "%s%s", used ? ", " : "", enums[i].word);

			if (n > 0)
				used += (size_t)n;
		}
	}
	if (val < 0)
		return failf(c, PF_ESYNTAX, "%s: expected one of %s", k->name,
		    choices);
	if (strcmp(k->name, "DryRun") == 0)
		p->dry_run = val;
	else if (strcmp(k->name, "SenderDomain") == 0)
		p->domain_src = (enum pf_domain_src)val;
	else if (strcmp(k->name, "UnknownRecipients") == 0)
		p->unknown_is_gmail = val;
	else if (strcmp(k->name, "BlockOnlyAllGmail") == 0)
		p->block_only_all_gmail = val;
	else if (strcmp(k->name, "TagClean") == 0)
		p->tag_clean = val;
	else if (strcmp(k->name, "FailAction") == 0)
		p->fail_action = (enum pf_action)val;
	else if (strcmp(k->name, "MTAAddsHeaders") == 0)
		p->mta_adds = (enum pf_mta_adds)val;
	else if (strcmp(k->name, "MinConfidence") == 0)
		p->min_confidence = (enum pf_confidence)val;
	else if (strcmp(k->name, "Enforcement") == 0)
		c->cfg->ratelimit = val;
	return PF_OK;
}

/* set_socket - inet:PORT[@HOST], inet6:PORT[@HOST], local:/PATH, unix: */
static int
set_socket(struct ctx *c, const struct key *k, char **w, size_t nw)
{
	const char *s = w[0], *p, *at;
	int64_t port;

	if (nw != 1)
		return failf(c, PF_ESYNTAX, "Socket takes one address");
	if (strncasecmp(s, "local:", 6) == 0 ||
	    strncasecmp(s, "unix:", 5) == 0) {
		p = strchr(s, ':') + 1;
		if (p[0] != '/')
			return failf(c, PF_ESYNTAX,
			    "Socket: \"%s\": the path must be absolute", s);
		if (strlen(p) >= 108)
			return failf(c, PF_ELIMIT,
			    "Socket: \"%s\": path too long for a socket", s);
		return replace(c, &c->cfg->daemon.socket, s);
	}
	if (strncasecmp(s, "inet:", 5) == 0)
		p = s + 5;
	else if (strncasecmp(s, "inet6:", 6) == 0)
		p = s + 6;
	else
		return failf(c, PF_ESYNTAX, "Socket: \"%s\": expected "
		    "inet:PORT@HOST, inet6:PORT@HOST or local:/PATH", s);
	at = strchr(p, '@');
	if (pf_strtonum(p, at ? (size_t)(at - p) : strlen(p), 1, 65535,
	    &port) != PF_OK)
		return failf(c, PF_ESYNTAX,
		    "Socket: \"%s\": port is not in 1..65535", s);
	if (at != NULL && at[1] == '\0')
		return failf(c, PF_ESYNTAX, "Socket: \"%s\": empty host", s);
	return replace(c, &c->cfg->daemon.socket, s);
}

/* set_socket_mode - octal permission bits of a local socket; connecting
 * to a socket needs write permission, so a mode nobody may write to is an
 * error, not a socket the MTA silently cannot use */
static int
set_socket_mode(struct ctx *c, const struct key *k, char **w, size_t nw)
{
	int64_t v;
	size_t i;

	if (nw != 1)
		return failf(c, PF_ESYNTAX, "SocketMode takes one value");
	for (i = 0, v = 0; w[0][i] >= '0' && w[0][i] <= '7' && i < 5; i++)
		v = v * 8 + (w[0][i] - '0');
	if (i == 0 || w[0][i] != '\0' || i > 4 || v > k->max)
		return failf(c, PF_ESYNTAX, "SocketMode: \"%s\" is not an "
		    "octal mode", w[0]);
	if ((v & 0222) == 0)
		return failf(c, PF_ESYNTAX, "SocketMode: %s: nobody could "
		    "connect (connecting needs write permission)", w[0]);
	c->cfg->daemon.socket_mode = (unsigned)v;
	return PF_OK;
}

/* set_socket_group - the group of a local socket: a portable group name
 * (letters, digits, ".", "_", "-", not starting with "-"); that it exists
 * is checked by the daemon, which needs the group database */
static int
set_socket_group(struct ctx *c, const struct key *k, char **w, size_t nw)
{
	const char *s = w[0];
	size_t i;

	if (nw != 1)
		return failf(c, PF_ESYNTAX, "SocketGroup takes one name");
	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' &&
		    s[i] != '_' && s[i] != '-')
			break;
	if (s[i] != '\0' || s[0] == '-' || i > 32)
		return failf(c, PF_ESYNTAX, "SocketGroup: \"%s\": not a "
		    "group name", s);
	return replace(c, &c->cfg->daemon.socket_group, s);
}

/* set_facility - a syslog facility by name */
static int
set_facility(struct ctx *c, const struct key *k, char **w, size_t nw)
{
	size_t i;

	for (i = 0; nw == 1 && i < PF_NELEM(facilities); i++)
		if (strcasecmp(w[0], facilities[i]) == 0)
			return replace(c, &c->cfg->daemon.log_facility,
			    facilities[i]);
	return failf(c, PF_ESYNTAX, "LogFacility: expected mail, daemon, "
	    "user or local0..local7");
}

/* set_bulk - yes, no, or auto (the state store decides) */
static int
set_bulk(struct ctx *c, const struct key *k, char **w, size_t nw)
{
	int b = nw == 1 ? parse_bool(w[0]) : -1;

	if (nw == 1 && strcasecmp(w[0], "auto") == 0)
		b = PF_BULK_AUTO;
	if (b < 0)
		return failf(c, PF_ESYNTAX, "Bulk: expected yes, no or auto");
	c->cfg->bulk = b;
	return PF_OK;
}

/* set_account - the Google account the MTA authenticates as to
 * smtp.gmail.com */
static int
set_account(struct ctx *c, const struct key *k, char **w, size_t nw)
{
	const char *at;

	if (nw != 1)
		return failf(c, PF_ESYNTAX, "GmailAccount takes one address");
	at = strrchr(w[0], '@');
	if (at == NULL || at == w[0] || !valid_hostname(at + 1) ||
	    strlen(w[0]) > 254)
		return failf(c, PF_ESYNTAX, "GmailAccount: \"%.100s\" is not "
		    "an address", w[0]);
	return replace(c, &c->cfg->gmail_account, w[0]);
}

/* set_state - none, lmdb:/PATH, redis://..., redis+unix:/PATH */
static int
set_state(struct ctx *c, const struct key *k, char **w, size_t nw)
{
	char why[400];

	if (nw != 1)
		return failf(c, PF_ESYNTAX, "State takes one value");
	if (pf_state_spec_parse(w[0], &c->cfg->state, why, sizeof(why)) != 0)
		return failf(c, PF_ESYNTAX, "%s", why);
	return PF_OK;
}

/* apply - set one key from its words, by the row's type */
static int
apply(struct ctx *c, const struct key *k, char **w, size_t nw)
{
	char *base = (char *)c->cfg;
	int64_t v;
	char *end;
	int b;

	if (nw == 0)
		return failf(c, PF_ESYNTAX, "%s: missing value", k->name);
	if (k->type != K_FN && nw != 1)
		return failf(c, PF_ESYNTAX, "%s takes one value", k->name);
	switch (k->type) {
	case K_STR:
		return replace(c, (char **)(base + k->off), w[0]);
	case K_BOOL:
		if ((b = parse_bool(w[0])) < 0)
			return failf(c, PF_ESYNTAX, "%s: expected yes or "
			    "no, not \"%s\"", k->name, w[0]);
		*(int *)(base + k->off) = b;
		return PF_OK;
	case K_TRI:
		if (strcasecmp(w[0], "unknown") == 0)
			b = PF_UNSET;
		else if ((b = parse_bool(w[0])) < 0)
			return failf(c, PF_ESYNTAX,
			    "%s: expected yes, no or unknown, not \"%s\"",
			    k->name, w[0]);
		*(enum pf_tristate *)(base + k->off) = (enum pf_tristate)b;
		return PF_OK;
	case K_UINT:
		switch (pf_strtonum(w[0], strlen(w[0]), k->min, k->max, &v)) {
		case PF_OK:
			*(unsigned *)(base + k->off) = (unsigned)v;
			return PF_OK;
		case PF_ELIMIT:
			return failf(c, PF_ELIMIT, "%s: %s is out of range "
			    "%lld..%lld", k->name, w[0], (long long)k->min,
			    (long long)k->max);
		default:
			return failf(c, PF_ESYNTAX,
			    "%s: \"%s\" is not a number", k->name, w[0]);
		}
	case K_OCTAL:
		errno = 0;
		v = strtoll(w[0], &end, 8);
		if (w[0][0] < '0' || w[0][0] > '7' || *end != '\0' ||
		    errno != 0 || v < k->min || v > k->max)
			return failf(c, PF_ESYNTAX,
			    "%s: \"%s\" is not an octal mode", k->name, w[0]);
		*(unsigned *)(base + k->off) = (unsigned)v;
		return PF_OK;
	case K_FN:
		return k->set(c, k, w, nw);
	}
	return failf(c, PF_EINVAL, "%s: bad table row", k->name);
}

/* lookup - the row of a key name, or "unknown key" */
static int
lookup(struct ctx *c, const char *name, const struct key **out)
{
	if ((*out = find(name)) == NULL)
		return failf(c, PF_ESYNTAX, "unknown key \"%.64s\"", name);
	return PF_OK;
}

/* split - cut a line into blank-separated words; "#" starts a comment */
static int
split(struct ctx *c, char *s, char **w, size_t *nw)
{
	*nw = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		if (*s == '\0' || *s == '#')
			return PF_OK;
		if (*nw == PF_CONF_WORDS)
			return failf(c, PF_ESYNTAX, "too many words");
		w[(*nw)++] = s;
		while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '\r' &&
		    *s != '\n')
			s++;
		if (*s != '\0')
			*s++ = '\0';
	}
}

/* line_ok - printable text only: no NUL, no control bytes but tab */
static int
line_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\0' || (ch < 0x20 && ch != '\t' && ch != '\r' &&
		    ch != '\n') || ch == 0x7f)
			return 0;
	}
	return 1;
}

/* parse - every line of fp into cfg; stops at the first error */
static int
parse(struct ctx *c, FILE *fp)
{
	unsigned seen[PF_NELEM(keys)];
	char *buf = NULL, *w[PF_CONF_WORDS];
	size_t cap = 0, nw;
	ssize_t n;
	int rc = PF_OK;

	memset(seen, 0, sizeof(seen));
	while ((n = getline(&buf, &cap, fp)) != -1) {
		const struct key *k;
		size_t idx;

		c->line++;
		if (n > PF_CONF_LINE_MAX) {
			rc = failf(c, PF_ELIMIT, "line longer than %d bytes",
			    PF_CONF_LINE_MAX);
			break;
		}
		if (!line_ok(buf, (size_t)n)) {
			rc = failf(c, PF_ESYNTAX, "control character in line");
			break;
		}
		if ((rc = split(c, buf, w, &nw)) != PF_OK)
			break;
		if (nw == 0)
			continue;
		if ((rc = lookup(c, w[0], &k)) != PF_OK)
			break;
		idx = (size_t)(k - keys);
		if (!k->repeat && seen[idx] != 0) {
			rc = failf(c, PF_ESYNTAX,
			    "%s given twice (first at line %u)", k->name,
			    seen[idx]);
			break;
		}
		if (seen[idx] == 0)
			seen[idx] = c->line;
		if (idx < PF_CONF_MAX_KEYS && c->cfg->key_line[idx] == 0)
			c->cfg->key_line[idx] = c->line;
		if ((rc = apply(c, k, w + 1, nw - 1)) != PF_OK)
			break;
	}
	if (rc == PF_OK && ferror(fp))
		rc = pf_err_setl(c->err, PF_EIO, c->file, 0, "read error");
	free(buf);
	return rc;
}

/* defaults - every row's default, through pf_config_set */
static int
defaults(struct pf_config *cfg)
{
	struct pf_err err;
	size_t i;
	int rc;

	for (i = 0; i < PF_NELEM(keys); i++)
		if (keys[i].def != NULL &&
		    (rc = pf_config_set(cfg, keys[i].name, keys[i].def, &err))
		    != PF_OK)
			return rc;
	return PF_OK;
}

/* pf_config_line - where the file set key (the first time) */
unsigned
pf_config_line(const struct pf_config *cfg, const char *key)
{
	const struct key *k = find(key);
	size_t idx;

	if (cfg == NULL || k == NULL)
		return 0;
	idx = (size_t)(k - keys);
	return idx < PF_CONF_MAX_KEYS ? cfg->key_line[idx] : 0;
}

/* pf_config_set - one key from its value text, as a file line would */
int
pf_config_set(struct pf_config *cfg, const char *key, const char *value,
    struct pf_err *err)
{
	struct ctx c = { cfg, NULL, 0, err };
	char buf[PF_CONF_LINE_MAX], *w[PF_CONF_WORDS];
	const struct key *k;
	size_t nw;
	int rc;

	if ((rc = lookup(&c, key, &k)) != PF_OK)
		return rc;
	if (strlen(value) >= sizeof(buf))
		return failf(&c, PF_ELIMIT, "%s: value longer than %d bytes",
		    k->name, PF_CONF_LINE_MAX - 1);
	if (!line_ok(value, strlen(value)))
		return failf(&c, PF_ESYNTAX, "%s: control character in value",
		    k->name);
	memcpy(buf, value, strlen(value) + 1);
	if ((rc = split(&c, buf, w, &nw)) != PF_OK)
		return rc;
	return apply(&c, k, w, nw);
}

/* pf_config_unset - a key back to its built-in default (a list: empty) */
int
pf_config_unset(struct pf_config *cfg, const char *key, struct pf_err *err)
{
	struct ctx c = { cfg, NULL, 0, err };
	const struct key *k;
	size_t i;
	int rc;

	if ((rc = lookup(&c, key, &k)) != PF_OK)
		return rc;
	if (k->repeat) {
		for (i = 0; i < PF_NELEM(clears); i++)
			if (clears[i].set == k->set) {
				clears[i].clear(cfg);
				return PF_OK;
			}
		return failf(&c, PF_EINVAL, "%s cannot be unset", k->name);
	}
	if (k->type == K_STR) {
		free(*(char **)((char *)cfg + k->off));
		*(char **)((char *)cfg + k->off) = NULL;
	}
	if (k->def == NULL)
		return k->type == K_STR ? PF_OK :
		    failf(&c, PF_EINVAL, "%s has no default", k->name);
	return pf_config_set(cfg, k->name, k->def, err);
}

/* pf_config_load - defaults, then the file; file:line: message on error */
int
pf_config_load(const char *path, struct pf_config **out,
    struct pf_err *err)
{
	struct pf_config *cfg;
	struct ctx c;
	FILE *fp;
	int rc;

	*out = NULL;
	if ((cfg = pf_config_default()) == NULL)
		return pf_err_set(err, PF_ENOMEM, "out of memory");
	if ((fp = fopen(path, "r")) == NULL) {
		rc = pf_err_setl(err, PF_EIO, path, 0, "%s", strerror(errno));
		pf_config_free(cfg);
		return rc;
	}
	c.cfg = cfg;
	c.file = path;
	c.line = 0;
	c.err = err;
	rc = parse(&c, fp);
	fclose(fp);
	if (rc == PF_OK && (cfg->path = dupstr(path)) == NULL)
		rc = pf_err_set(err, PF_ENOMEM, "out of memory");
	if (rc != PF_OK) {
		pf_config_free(cfg);
		return rc;
	}
	*out = cfg;
	return PF_OK;
}
