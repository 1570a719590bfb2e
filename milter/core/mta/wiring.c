/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * wiring.c - can the MTA reach preflight, and what happens when it
 * cannot.  For Postfix every master.cf service that runs smtpd (it applies
 * smtpd_milters) or cleanup (non_smtpd_milters) is looked at with its own
 * -o overrides: the milter address is resolved the way that service sees
 * it (chrooted services see the queue directory as "/", and every service
 * runs in the queue directory, so a relative path works either way), the
 * socket must exist there, every directory on the way must be searchable
 * and the socket writable by mail_owner, and a real connect() is made (as
 * mail_owner inside the chroot when we are root).  Then the default
 * action, the macros, and the position before a DKIM signer.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mta/doctor.h"

#define MAX_MILTERS	16

/* one entry of a Postfix milter list */
struct mentry {
	char	 addr[512];		/* unix:path, inet:host:port */
	char	 action[16];		/* per-milter default_action, "" */
};

/* preflight's own socket, from preflight.conf */
struct sock {
	int	 local;			/* 1: path; 0: inet */
	char	 path[512];
	char	 host[256];		/* inet */
	char	 port[8];
};

/* parse_socket - Socket of preflight.conf */
static void
parse_socket(const char *spec, struct sock *s)
{
	const char *p = strchr(spec, ':'), *at;

	memset(s, 0, sizeof(*s));
	p = p ? p + 1 : spec;
	if (strncasecmp(spec, "local:", 6) == 0 ||
	    strncasecmp(spec, "unix:", 5) == 0) {
		s->local = 1;
		snprintf(s->path, sizeof(s->path), "%s", p);
		return;
	}
	at = strchr(p, '@');
	snprintf(s->port, sizeof(s->port), "%.*s",
	    at ? (int)(at - p) : (int)strlen(p), p);
	snprintf(s->host, sizeof(s->host), "%s", at ? at + 1 : "");
}

/* token - the next item of a list: a word, or a { ... } group */
static const char *
token(const char *p, char *buf, size_t len)
{
	size_t n;

	while (*p == ' ' || *p == ',' || *p == '\t' || *p == '\n')
		p++;
	if (*p == '\0')
		return NULL;
	n = *p == '{' ? strcspn(p, "}") + (p[strcspn(p, "}")] ? 1 : 0) :
	    strcspn(p, " ,\t\n");
	snprintf(buf, len, "%.*s", (int)n, p);
	return p + n;
}

/* group - "{ addr, name=value, ... }" into e */
static void
group(char *g, struct mentry *e)
{
	const char *p = g + 1;
	char t[512];
	int first = 1;

	g[strcspn(g, "}")] = '\0';
	while (pf_field_next(&p, " ,\t\n", t, sizeof(t))) {
		if (first)
			snprintf(e->addr, sizeof(e->addr), "%s", t);
		else if (strncmp(t, "default_action=", 15) == 0)
			snprintf(e->action, sizeof(e->action), "%.15s", t + 15);
		first = 0;
	}
}

/* split - a smtpd_milters / non_smtpd_milters value into entries */
static size_t
split(const char *list, struct mentry *e, size_t max)
{
	char buf[1024];
	size_t n = 0;

	while (list != NULL && n < max &&
	    (list = token(list, buf, sizeof(buf))) != NULL) {
		memset(&e[n], 0, sizeof(e[n]));
		if (buf[0] == '{')
			group(buf, &e[n]);
		else
			snprintf(e[n].addr, sizeof(e[n].addr), "%.511s", buf);
		if (e[n].addr[0] != '\0')
			n++;
	}
	return n;
}

/* seen_path - where a service finds unix:p: chrooted, "/" is qdir;
 * relative paths start in qdir in both cases */
static void
seen_path(const char *qdir, int chroot, const char *p, char *out,
    size_t len)
{
	if (p[0] == '/')
		snprintf(out, len, "%s%s", chroot ? qdir : "", p);
	else
		snprintf(out, len, "%s/%s", qdir, p);
}

/* same_file - the same inode, or the same text when either is missing */
static int
same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	return strcmp(a, b) == 0;
}

/* is_local_host - 127.0.0.1, localhost, ::1 or empty */
static int
is_local_host(const char *h)
{
	return *h == '\0' || strcmp(h, "127.0.0.1") == 0 ||
	    strcasecmp(h, "localhost") == 0 || strcmp(h, "::1") == 0 ||
	    strcmp(h, "[::1]") == 0;
}

/* inet_match - Postfix inet:host:port against Socket inet:port@host */
static int
inet_match(const char *addr, const struct sock *s)
{
	const char *hp = addr + 5, *colon = strrchr(hp, ':');
	char host[256];

	if (s->local || strncasecmp(addr, "inet:", 5) != 0 || colon == NULL ||
	    strcmp(colon + 1, s->port) != 0)
		return 0;
	snprintf(host, sizeof(host), "%.*s", (int)(colon - hp), hp);
	return strcasecmp(host, s->host) == 0 ||
	    (is_local_host(host) && is_local_host(s->host));
}

/* modestr - "srw-rw---- preflight:postfix" for messages */
static void
modestr(const struct stat *st, char *buf, size_t len)
{
	static const char rwx[] = "rwxrwxrwx";
	struct passwd *pw = getpwuid(st->st_uid);
	struct group *gr = getgrgid(st->st_gid);
	char m[11];
	int i;

	m[0] = S_ISSOCK(st->st_mode) ? 's' : S_ISDIR(st->st_mode) ? 'd' : '-';
	for (i = 0; i < 9; i++)
		m[i + 1] = st->st_mode & (0400 >> i) ? rwx[i] : '-';
	m[10] = '\0';
	if (pw != NULL && gr != NULL)
		snprintf(buf, len, "%s %s:%s", m, pw->pw_name, gr->gr_name);
	else
		snprintf(buf, len, "%s %ld:%ld", m, (long)st->st_uid,
		    (long)st->st_gid);
}

/* allowed - may uid (primary group gid only, as Postfix runs) do bit
 * (1 search/execute, 2 write) on st */
static int
allowed(const struct stat *st, uid_t uid, gid_t gid, int bit)
{
	if (uid == 0)
		return 1;
	if (st->st_uid == uid)
		return (st->st_mode >> 6) & bit;
	if (st->st_gid == gid)
		return (st->st_mode >> 3) & bit;
	return st->st_mode & bit;
}

/* search_denied - a directory uid/gid may not search: its mode in why */
static int
search_denied(const char *dir, uid_t uid, gid_t gid, char *why, size_t len)
{
	char ms[96];
	struct stat st;

	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
	    allowed(&st, uid, gid, 1))
		return 0;
	modestr(&st, ms, sizeof(ms));
	snprintf(why, len, "cannot search %s (%s)", dir, ms);
	return 1;
}

/* walk_perms - base and every directory below it on the way to where
 * searchable, and the socket writable, by uid/gid; else why */
static int
walk_perms(const char *base, const char *where, uid_t uid, gid_t gid,
    char *why, size_t len)
{
	char dir[1024], ms[96];
	const char *slash;
	struct stat st;
	size_t i = strlen(base);

	if (search_denied(base, uid, gid, why, len))
		return 0;
	while (i < strlen(where) &&
	    (slash = strchr(where + i + 1, '/')) != NULL) {
		i = (size_t)(slash - where);
		snprintf(dir, sizeof(dir), "%.*s", (int)i, where);
		if (search_denied(dir, uid, gid, why, len))
			return 0;
	}
	if (stat(where, &st) == 0 && !allowed(&st, uid, gid, 2)) {
		modestr(&st, ms, sizeof(ms));
		snprintf(why, len, "cannot write to the socket (%s)", ms);
		return 0;
	}
	return 1;
}

/* connect_path - connect() to a unix socket; 0 or errno */
static int
connect_path(const char *path)
{
	struct sockaddr_un sa;
	int fd, rc = 0;
	size_t n = strlen(path);

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (n >= sizeof(sa.sun_path))
		return ENAMETOOLONG;
	memcpy(sa.sun_path, path, n);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		return errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		rc = errno;
	close(fd);
	return rc;
}

/* connect_as - as root: a child does what the Postfix service does (cd
 * to the queue directory, chroot there if it is chrooted, become
 * mail_owner with only its group) and connects to p as named */
static int
connect_as(const char *qdir, int chroot_it, const char *p, uid_t uid,
    gid_t gid)
{
	pid_t pid;
	int st;

	if ((pid = fork()) < 0)
		return errno;
	if (pid == 0) {
		if (chdir(qdir) != 0 ||
		    (chroot_it && (chroot(".") != 0 || chdir("/") != 0)) ||
		    setgroups(1, &gid) != 0 || setgid(gid) != 0 ||
		    setuid(uid) != 0)
			_exit(255);
		_exit(connect_path(p) & 0xff);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return errno;
	if (!WIFEXITED(st) || WEXITSTATUS(st) == 255)
		return EPERM;
	return WEXITSTATUS(st);
}

/* mail_owner - uid and primary gid of Postfix's mail_owner */
static int
mail_owner(const struct pf_postconf *pc, uid_t *uid, gid_t *gid,
    const char **name)
{
	struct passwd *pw;

	*name = pf_postconf_get(pc, "mail_owner");
	if (*name == NULL)
		*name = "postfix";
	if ((pw = getpwnam(*name)) == NULL)
		return -1;
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

/* check_unix - one unix: milter entry that names preflight's socket */
static void
check_unix(struct pf_doctor *d, const struct pf_pc_service *s,
    const char *check, const char *p, const char *where)
{
	const char *qdir = pf_postconf_get(d->pc, "queue_directory");
	const char *owner;
	char why[700];
	struct stat st;
	uid_t uid;
	gid_t gid;
	int e;

	if (stat(where, &st) != 0 || !S_ISSOCK(st.st_mode)) {
		pf_report_add(d->rep, PF_MTA_FAIL, check, NULL,
		    "start preflight-milter; its Socket must be this path",
		    "unix:%s: %s %s", p, where, stat(where, &st) != 0 ?
		    "does not exist" : "is not a socket");
		return;
	}
	if (mail_owner(d->pc, &uid, &gid, &owner) != 0) {
		pf_report_add(d->rep, PF_MTA_UNKNOWN, check, NULL,
		    "create the user or fix mail_owner",
		    "mail_owner %s: no such user", owner);
		return;
	}
	if (!walk_perms(s->chroot || p[0] != '/' ? qdir : "/", where, uid,
	    gid, why, sizeof(why))) {
		pf_report_add(d->rep, PF_MTA_FAIL, check, NULL,
		    "socket directory preflight:postfix 0750; SocketMode 0660 "
		    "and SocketGroup postfix in preflight.conf",
		    "unix:%s: %s %s", p, owner, why);
		return;
	}
	e = geteuid() == 0 ? connect_as(qdir, s->chroot, p, uid, gid) :
	    connect_path(where);
	if (e == EACCES && geteuid() != 0) {
		/* not root: we may not connect where postfix may */
		pf_report_add(d->rep, PF_MTA_OK, check, NULL, NULL,
		    "unix:%s -> %s%s, %s may connect (connection not tried: "
		    "not root)", p, where, s->chroot ? " (chrooted)" : "",
		    owner);
		return;
	}
	if (e != 0) {
		pf_report_add(d->rep, PF_MTA_FAIL, check, NULL,
		    "start preflight-milter (systemctl start preflight-milter)",
		    "unix:%s: connect%s%s: %s", p, geteuid() == 0 ? " as " :
		    "", geteuid() == 0 ? owner : "", strerror(e));
		return;
	}
	pf_report_add(d->rep, PF_MTA_OK, check, NULL, NULL,
	    "unix:%s -> %s%s, %s can connect", p, where,
	    s->chroot ? " (chrooted)" : "", owner);
}

/* check_action - what the service does while preflight is unreachable:
 * the milter's own default_action in a { } group, else the service's */
static void
check_action(struct pf_doctor *d, const struct pf_pc_service *s,
    const struct mentry *e)
{
	const char *a = e->action[0] ? e->action :
	    pf_postconf_svc_get(d->pc, s, "milter_default_action");
	const char *what = e->action[0] ? "default_action" :
	    "milter_default_action";
	const char *fix = e->action[0] ? "default_action=tempfail in the "
	    "milter's { } group" : "milter_default_action = tempfail";
	char check[200];

	snprintf(check, sizeof(check), "default_action[%s]", s->name);
	if (a == NULL)
		a = "tempfail";
	if (strcasecmp(a, "tempfail") == 0)
		pf_report_add(d->rep, PF_MTA_OK, check, NULL, NULL,
		    "%s = tempfail", what);
	else if (strcasecmp(a, "accept") == 0)
		pf_report_add(d->rep, PF_MTA_FAIL, check, NULL, fix,
		    "%s = accept: mail leaves unchecked while preflight is "
		    "down", what);
	else
		pf_report_add(d->rep, PF_MTA_WARN, check, NULL, fix,
		    "%s = %s: mail is %s while preflight is down", what, a,
		    strcasecmp(a, "reject") == 0 ? "refused for good" :
		    "held unchecked");
}

/* list_param - the milter list a service applies, NULL if none */
static const char *
list_param(const struct pf_pc_service *s)
{
	if (strcmp(s->command, "smtpd") == 0)
		return "smtpd_milters";
	if (strcmp(s->command, "cleanup") == 0)
		return "non_smtpd_milters";
	return NULL;
}

/* service - the milter list of one service; 1 when preflight is in it */
static int
service(struct pf_doctor *d, const struct pf_pc_service *s,
    const struct sock *ps)
{
	const char *qdir = pf_postconf_get(d->pc, "queue_directory");
	const char *param = list_param(s), *list, *p;
	struct mentry e[MAX_MILTERS];
	char where[1024], naive[1024], check[200];
	size_t n, i;

	if (param == NULL || qdir == NULL ||
	    (list = pf_postconf_svc_get(d->pc, s, param)) == NULL)
		return 0;
	n = split(list, e, MAX_MILTERS);
	snprintf(check, sizeof(check), "milter[%s]", s->name);
	for (i = 0; i < n; i++) {
		p = strchr(e[i].addr, ':') ? strchr(e[i].addr, ':') + 1 : "";
		if (!ps->local) {
			if (!inet_match(e[i].addr, ps))
				continue;
			pf_report_add(d->rep, PF_MTA_OK, check, NULL, NULL,
			    "%s = ... %s ...", param, e[i].addr);
		} else {
			if (strncasecmp(e[i].addr, "unix:", 5) != 0 &&
			    strncasecmp(e[i].addr, "local:", 6) != 0)
				continue;
			seen_path(qdir, s->chroot, p, where, sizeof(where));
			seen_path(qdir, 0, p, naive, sizeof(naive));
			if (same_file(where, ps->path))
				check_unix(d, s, check, p, where);
			else if (s->chroot && same_file(naive, ps->path))
				pf_report_add(d->rep, PF_MTA_FAIL, check, NULL,
				    "Socket under the queue directory, e.g. "
				    "local:/var/spool/postfix/preflight/"
				    "milter.sock, named unix:preflight/"
				    "milter.sock",
				    "unix:%s: %s is outside the chroot of %s "
				    "(%s); the service looks for %s", p,
				    ps->path, s->name, qdir, where);
			else
				continue;
		}
		check_action(d, s, &e[i]);
		if (i > 0 && (d->cfg->nsigner > 0 || d->cfg->keytable))
			pf_report_add(d->rep, PF_MTA_WARN, check, NULL,
			    "put preflight first in the list",
			    "%s: preflight is milter %zu of %zu; a DKIM "
			    "signer before it hides the unsigned message",
			    param, i + 1, n);
		return 1;
	}
	return 0;
}

/* has_macro - whether a space-separated macro list has m */
static int
has_macro(const char *list, const char *m)
{
	size_t n = strlen(m);
	const char *p = list;

	while (p != NULL && (p = strstr(p, m)) != NULL) {
		if ((p == list || p[-1] == ' ' || p[-1] == ',') &&
		    (p[n] == '\0' || p[n] == ' ' || p[n] == ','))
			return 1;
		p += n;
	}
	return 0;
}

/* one macro preflight uses, and the setting of each MTA that sends it */
struct need {
	const char	*postfix;	/* main.cf parameter */
	const char	*sendmail;	/* sendmail.cf option */
	const char	*macro;
};

static const struct need needs[] = {
	{ "milter_connect_macros", "Milter.macros.connect", "j" },
	{ "milter_connect_macros", "Milter.macros.connect", "{daemon_name}" },
	{ "milter_connect_macros", "Milter.macros.connect", "{client_addr}" },
	{ "milter_mail_macros", "Milter.macros.envfrom", "{auth_authen}" },
	{ "milter_end_of_data_macros", "Milter.macros.eom", "i" },
};

/* macros - the macros preflight uses are sent, or asked for: it asks
 * for them itself at connect (smfi_setsymlist), which Postfix and
 * Sendmail 8.14 and later honour, so a missing one is only noted */
static void
macros(struct pf_doctor *d)
{
	char missing[300] = "";
	const char *v, *name;
	size_t i, o = 0;

	for (i = 0; i < PF_NELEM(needs) && o < sizeof(missing); i++) {
		name = d->pc ? needs[i].postfix : needs[i].sendmail;
		v = d->pc ? pf_postconf_get(d->pc, name) :
		    pf_sendmailcf_opt(d->sm, name);
		if (v != NULL && has_macro(v, needs[i].macro))
			continue;
		o += (size_t)snprintf(missing + o, sizeof(missing) - o,
		    "%s%s %s", o ? ", " : "", name, needs[i].macro);
	}
	if (missing[0] == '\0')
		pf_report_add(d->rep, PF_MTA_OK, "milter.macros", NULL, NULL,
		    "the macros preflight uses are sent");
	else
		pf_report_add(d->rep, PF_MTA_OK, "milter.macros", NULL, NULL,
		    "not listed: %s; preflight asks for them at connect "
		    "(smfi_setsymlist)", missing);
}

/* postfix - every service that applies milters */
static void
postfix(struct pf_doctor *d, const struct sock *ps)
{
	size_t i, wired = 0;

	for (i = 0; i < pf_postconf_nservices(d->pc); i++)
		wired += (size_t)service(d, pf_postconf_service(d->pc, i),
		    ps);
	if (wired == 0)
		pf_report_add(d->rep, PF_MTA_FAIL, "milter", NULL,
		    "smtpd_milters = unix:preflight/milter.sock and "
		    "non_smtpd_milters = $smtpd_milters (contrib/postfix)",
		    "no smtpd or cleanup service of %s applies a milter at "
		    "%s", pf_postconf_dir(d->pc), d->cfg->daemon.socket);
	macros(d);
}

/* sendmail_filter - the X line naming preflight's socket */
static const struct pf_sm_filter *
sendmail_filter(const struct pf_sendmailcf *sm, const struct sock *ps)
{
	const struct pf_sm_filter *f;
	const char *p;
	char addr[600];
	size_t i;

	for (i = 0; i < pf_sendmailcf_nfilters(sm); i++) {
		f = pf_sendmailcf_filter(sm, i);
		p = strchr(f->socket, ':') ? strchr(f->socket, ':') + 1 : "";
		if (ps->local && (strncasecmp(f->socket, "local:", 6) == 0 ||
		    strncasecmp(f->socket, "unix:", 5) == 0) &&
		    same_file(p, ps->path))
			return f;
		/* Sendmail writes inet:port@host, as preflight.conf does */
		snprintf(addr, sizeof(addr), "inet:%s:%.*s",
		    strchr(p, '@') ? strchr(p, '@') + 1 : "",
		    (int)strcspn(p, "@"), p);
		if (!ps->local && strncasecmp(f->socket, "inet:", 5) == 0 &&
		    inet_match(addr, ps))
			return f;
	}
	return NULL;
}

/* sendmail - INPUT_MAIL_FILTER, InputMailFilters, F=, the socket */
static void
sendmail(struct pf_doctor *d, const struct sock *ps)
{
	const struct pf_sm_filter *f = sendmail_filter(d->sm, ps);
	const char *in = pf_sendmailcf_opt(d->sm, "InputMailFilters");
	int e;

	if (f == NULL) {
		pf_report_add(d->rep, PF_MTA_FAIL, "milter", NULL,
		    "INPUT_MAIL_FILTER(`preflight', `S=...') in sendmail.mc "
		    "(contrib/sendmail)", "no X line of %s names %s",
		    pf_sendmailcf_path(d->sm), d->cfg->daemon.socket);
		return;
	}
	if (in == NULL || !has_macro(in, f->name))
		pf_report_add(d->rep, PF_MTA_FAIL, "milter", NULL,
		    "INPUT_MAIL_FILTER (not MAIL_FILTER) in sendmail.mc",
		    "filter %s is not in InputMailFilters (%s)", f->name,
		    in ? in : "unset");
	else if (ps->local && (e = connect_path(ps->path)) != 0)
		pf_report_add(d->rep, PF_MTA_FAIL, "milter", NULL,
		    "start preflight-milter", "%s: connect: %s", ps->path,
		    strerror(e));
	else
		pf_report_add(d->rep, PF_MTA_OK, "milter", NULL, NULL,
		    "filter %s, S=%s, in InputMailFilters", f->name,
		    f->socket);
	if (strchr(f->flags, 'T') != NULL)
		pf_report_add(d->rep, PF_MTA_OK, "default_action", NULL, NULL,
		    "F=%s: tempfail while preflight is down", f->flags);
	else
		pf_report_add(d->rep, strchr(f->flags, 'R') ? PF_MTA_WARN :
		    PF_MTA_FAIL, "default_action", NULL, "F=T",
		    "F=%s: mail is %s while preflight is down", f->flags,
		    strchr(f->flags, 'R') ? "refused for good" :
		    "sent unchecked");
	macros(d);
}

/* pf_doctor_wiring - the milter wiring of whichever MTA was given */
void
pf_doctor_wiring(struct pf_doctor *d)
{
	struct sock ps;

	parse_socket(d->cfg->daemon.socket, &ps);
	if (d->pc != NULL)
		postfix(d, &ps);
	if (d->sm != NULL)
		sendmail(d, &ps);
}
