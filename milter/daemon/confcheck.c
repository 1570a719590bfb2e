/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * confcheck.c - what only the daemon needs from preflight.conf, checked
 * in -n, at start and at every reload, each failure as file:line: message
 * (exit 78 at start, the running engine kept at reload):
 *  - every Signer key file, and every key file of a KeyTable, is read
 *    and parsed as a PEM private key (a
 *    typo in a key path would otherwise predict "no signature" and, under
 *    a reject policy, refuse legitimate mail);
 *  - User, Group and SocketGroup exist;
 *  - a local socket's directory exists (when Socket is in the file);
 *  - MetricsListen is [address:]port.
 * The comparison of each key with the public key in DNS is a warning
 * (pf_confcheck_dns), never a failure: DNS may lag a key rotation.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "daemon.h"
#include "auth/dns.h"
#include "auth/signer.h"

/* check_signers - each Signer key file parses */
static int
check_signers(const struct pf_config *cfg, struct pf_err *err)
{
	char pub[2048];
	unsigned bits;
	int ed;
	size_t i;
	struct pf_err kerr;

	for (i = 0; i < cfg->nsigner; i++) {
		memset(&kerr, 0, sizeof(kerr));
		if (pf_signer_pubkey(cfg->signer[i].keyfile, pub, sizeof(pub),
		    &bits, &ed, &kerr) != PF_OK)
			return pf_err_setl(err, PF_ESYNTAX, cfg->path,
			    cfg->signer[i].line, "Signer: %s", kerr.msg);
	}
	return PF_OK;
}

/* keyfile_of - the key file of a KeyTable line ("name dom:sel:file"),
 * NUL-ended in place; NULL for a blank or comment line or a malformed
 * one (the engine's loader reports those) */
static char *
keyfile_of(char *line)
{
	char *p, *f;

	line[strcspn(line, "#\r\n")] = '\0';
	p = line + strspn(line, " \t");
	if (*p == '\0')
		return NULL;
	p += strcspn(p, " \t");		/* past the name */
	p += strspn(p, " \t");
	if ((f = strchr(p, ':')) == NULL || (f = strchr(f + 1, ':')) == NULL)
		return NULL;
	f++;
	f[strcspn(f, " \t")] = '\0';
	return *f != '\0' ? f : NULL;
}

/* check_keytable - each key file an OpenDKIM KeyTable names parses */
static int
check_keytable(const struct pf_config *cfg, struct pf_err *err)
{
	const char *path = cfg->keytable;
	char line[4096], pub[2048], *file;
	unsigned n = 0, bits;
	struct pf_err kerr;
	FILE *fp;
	int ed, rc = PF_OK;

	if (path == NULL)
		return PF_OK;
	if (strncmp(path, "refile:", 7) == 0)
		path += 7;
	else if (strncmp(path, "file:", 5) == 0)
		path += 5;
	if ((fp = fopen(path, "r")) == NULL)
		return pf_err_setl(err, PF_EIO, cfg->path,
		    pf_config_line(cfg, "KeyTable"), "KeyTable: %s: %s", path,
		    strerror(errno));
	while (rc == PF_OK && fgets(line, sizeof(line), fp) != NULL) {
		n++;
		memset(&kerr, 0, sizeof(kerr));
		if ((file = keyfile_of(line)) != NULL &&
		    pf_signer_pubkey(file, pub, sizeof(pub), &bits, &ed,
		    &kerr) != PF_OK)
			rc = pf_err_setl(err, PF_ESYNTAX, path, n, "%s",
			    kerr.msg);
	}
	fclose(fp);
	return rc;
}

/* check_ids - User, Group and SocketGroup name existing accounts */
static int
check_ids(const struct pf_config *cfg, struct pf_err *err)
{
	const struct pf_daemon_cfg *dc = &cfg->daemon;

	if (dc->user != NULL && getpwnam(dc->user) == NULL)
		return pf_err_setl(err, PF_ESYNTAX, cfg->path,
		    pf_config_line(cfg, "User"), "User: no user \"%s\"",
		    dc->user);
	if (dc->group != NULL && getgrnam(dc->group) == NULL)
		return pf_err_setl(err, PF_ESYNTAX, cfg->path,
		    pf_config_line(cfg, "Group"), "Group: no group \"%s\"",
		    dc->group);
	if (dc->socket_group != NULL && getgrnam(dc->socket_group) == NULL)
		return pf_err_setl(err, PF_ESYNTAX, cfg->path,
		    pf_config_line(cfg, "SocketGroup"),
		    "SocketGroup: no group \"%s\"", dc->socket_group);
	return PF_OK;
}

/* check_socket - a local socket's directory exists */
static int
check_socket(const struct pf_config *cfg, struct pf_err *err)
{
	const char *spec = cfg->daemon.socket, *path = NULL, *slash;
	char dir[PATH_MAX];
	struct stat st;

	/* the built-in default's directory is made by the service manager
	 * (RuntimeDirectory) or the package */
	if (spec == NULL || pf_config_line(cfg, "Socket") == 0)
		return PF_OK;
	if (strncasecmp(spec, "local:", 6) == 0)
		path = spec + 6;
	else if (strncasecmp(spec, "unix:", 5) == 0)
		path = spec + 5;
	if (path == NULL || (slash = strrchr(path, '/')) == NULL)
		return PF_OK;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (dir[0] == '\0')
		snprintf(dir, sizeof(dir), "/");
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return pf_err_setl(err, PF_ESYNTAX, cfg->path,
		    pf_config_line(cfg, "Socket"),
		    "Socket: directory %s: %s", dir, stat(dir, &st) != 0 ?
		    strerror(errno) : "not a directory");
	return PF_OK;
}

/* check_metrics - MetricsListen is [host:]port with a literal host */
static int
check_metrics(const struct pf_config *cfg, struct pf_err *err)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (cfg->daemon.metrics_listen != NULL &&
	    pf_metrics_parse(cfg->daemon.metrics_listen, &ss, &len) != 0)
		return pf_err_setl(err, PF_ESYNTAX, cfg->path,
		    pf_config_line(cfg, "MetricsListen"),
		    "MetricsListen: expected [ADDRESS:]PORT, not \"%s\"",
		    cfg->daemon.metrics_listen);
	return PF_OK;
}

/* pf_confcheck - the daemon's own checks of a loaded configuration */
int
pf_confcheck(const struct pf_config *cfg, struct pf_err *err)
{
	int rc;

	if ((rc = check_signers(cfg, err)) != PF_OK ||
	    (rc = check_keytable(cfg, err)) != PF_OK ||
	    (rc = check_ids(cfg, err)) != PF_OK ||
	    (rc = check_socket(cfg, err)) != PF_OK ||
	    (rc = check_metrics(cfg, err)) != PF_OK)
		return rc;
	return PF_OK;
}

/* published - the p= of the DKIM key record at name, "" if none */
static void
published(struct pf_dns *dns, const char *name, char *p, size_t len)
{
	struct pf_dns_result r;
	char txt[4096], *at, *end;
	size_t i, n, o;

	p[0] = '\0';
	if (pf_dns_query(dns, name, PF_DNS_T_TXT, NULL, &r) != PF_OK ||
	    r.rc != PF_DNS_ANSWER) {
		pf_dns_result_reset(&r);
		return;
	}
	for (i = 0; i < r.n && p[0] == '\0'; i++) {
		if (pf_dns_txt(r.rdata[i], r.rlen[i], txt, sizeof(txt),
		    &n) != PF_OK || (at = strstr(txt, "p=")) == NULL)
			continue;
		at += 2;
		end = strchr(at, ';');
		for (o = 0; at < (end ? end : txt + n) && o + 1 < len; at++)
			if (*at != ' ' && *at != '\t')
				p[o++] = *at;
		p[o] = '\0';
	}
	pf_dns_result_reset(&r);
}

/* searchable - may the account (uid, its groups) pass through dir? */
static int
searchable(const struct stat *st, uid_t uid, const gid_t *gids, int ngids)
{
	int i;

	if (uid == 0)
		return 1;
	if (st->st_uid == uid)
		return (st->st_mode & S_IXUSR) != 0;
	for (i = 0; i < ngids; i++)
		if (st->st_gid == gids[i])
			return (st->st_mode & S_IXGRP) != 0;
	return (st->st_mode & S_IXOTH) != 0;
}

/* blocked - warn if the postfix account cannot pass through dir */
static int
blocked(const struct pf_config *cfg, const char *sock, const char *dir,
    const struct passwd *pw, const gid_t *gids, int ngids)
{
	struct stat st;

	if (stat(dir, &st) != 0 || searchable(&st, pw->pw_uid, gids, ngids))
		return 0;
	pf_log(LOG_WARNING, "%s:%u: Socket: the postfix user cannot reach "
	    "%s: %s is mode %04o, owner %u:%u", cfg->path,
	    pf_config_line(cfg, "Socket"), sock, dir,
	    (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid,
	    (unsigned)st.st_gid);
	return 1;
}

/* pf_confcheck_reach - warn when the postfix account cannot pass through
 * every directory above a local socket (Postfix then defers or accepts
 * unchecked, by milter_default_action).  A warning, not a refusal: the
 * MTA may be Sendmail, which connects as root. */
void
pf_confcheck_reach(const struct pf_config *cfg)
{
	const char *spec = cfg->daemon.socket, *path = NULL;
	char dir[PATH_MAX];
	gid_t gids[64];
	int ngids = 64;
	struct passwd *pw;
	size_t i, end;

	if (spec == NULL)
		return;
	if (strncasecmp(spec, "local:", 6) == 0)
		path = spec + 6;
	else if (strncasecmp(spec, "unix:", 5) == 0)
		path = spec + 5;
	if (path == NULL || path[0] != '/' ||
	    (pw = getpwnam("postfix")) == NULL ||
	    getgrouplist("postfix", pw->pw_gid, gids, &ngids) < 0)
		return;
	/* "/", then each directory down to the socket's own */
	end = (size_t)(strrchr(path, '/') - path);
	if (blocked(cfg, path, "/", pw, gids, ngids))
		return;
	for (i = 1; i <= end; i++) {
		if (i < end && path[i] != '/')
			continue;
		snprintf(dir, sizeof(dir), "%.*s", (int)i, path);
		if (blocked(cfg, path, dir, pw, gids, ngids))
			return;
	}
}

/* pf_confcheck_dns - warn about each Signer key whose public half is not
 * the one published in DNS (only when DNS is on) */
void
pf_confcheck_dns(const struct pf_config *cfg)
{
	struct pf_dns *dns = NULL;
	struct pf_err err;
	char pub[2048], dnsp[2048], name[600];
	unsigned bits;
	int ed;
	size_t i;

	if (cfg->no_dns || cfg->nsigner == 0)
		return;
	memset(&err, 0, sizeof(err));
	if (pf_dns_new(cfg->nameserver, cfg->dns_query_ms, &dns, &err) !=
	    PF_OK)
		return;
	for (i = 0; i < cfg->nsigner; i++) {
		const struct pf_signer *s = &cfg->signer[i];

		if (pf_signer_pubkey(s->keyfile, pub, sizeof(pub), &bits, &ed,
		    &err) != PF_OK)
			continue;
		snprintf(name, sizeof(name), "%s._domainkey.%s", s->selector,
		    s->domain);
		published(dns, name, dnsp, sizeof(dnsp));
		if (dnsp[0] == '\0')
			pf_log(LOG_WARNING, "%s:%u: Signer: no DKIM key "
			    "published at %s", cfg->path, s->line, name);
		else if (strcmp(dnsp, pub) != 0)
			pf_log(LOG_WARNING, "%s:%u: Signer: the key in %s is "
			    "not the public half of %s", cfg->path, s->line,
			    name, s->keyfile);
	}
	pf_dns_free(dns);
}
