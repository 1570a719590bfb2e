/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sendmailcf.c - reading sendmail.cf: option lines "O Name=value",
 * mail filter lines "Xname, S=local:/path, F=T, T=C:10s;..." and the
 * access map's "Kaccess CLASS [-flags] FILE"; then the TLS lines of that
 * map's text source (what makemap compiled it from).  Comments and every
 * other line are skipped; nothing is evaluated.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mta/postconf.h"
#include "mta/sendmailcf.h"

#define SM_MAX_LINE	8192
#define SM_MAX_OPTS	512
#define SM_MAX_TLS	256	/* TLS lines kept from the access map */

struct opt {
	char	 name[64];
	char	*value;
};

/* one "Try_TLS:key value" (or TLS_Srv:, TLS_Rcpt:) line */
struct tlsent {
	char	 tag[16];
	char	 key[256];
	char	 value[64];
};

struct pf_sendmailcf {
	char	*path;
	struct opt opt[SM_MAX_OPTS];
	size_t	 nopt;
	struct pf_sm_filter filter[PF_SM_MAX_FILTERS];
	size_t	 nfilter;
	char	 access[1024];	/* the access map's text source, or "" */
	enum pf_sm_access astate;
	struct tlsent tls[SM_MAX_TLS];
	size_t	 ntls;
};

/* trim - strip leading and trailing white space in place */
static char *
trim(char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* option - "O Name=value" (long form only: m4 writes those) */
static int
option(struct pf_sendmailcf *sm, char *line)
{
	char *eq = strchr(line, '='), *name;
	struct opt *o;

	if (line[0] != ' ' || eq == NULL || sm->nopt >= SM_MAX_OPTS)
		return 0;
	*eq = '\0';
	name = trim(line);
	o = &sm->opt[sm->nopt];
	snprintf(o->name, sizeof(o->name), "%s", name);
	if ((o->value = strdup(trim(eq + 1))) == NULL)
		return -1;
	sm->nopt++;
	return 0;
}

/* filter - "Xname, S=..., F=..., T=..." */
static void
filter(struct pf_sendmailcf *sm, const char *line)
{
	struct pf_sm_filter *f;
	char tok[600], *t;
	const char *p = line;

	if (sm->nfilter >= PF_SM_MAX_FILTERS)
		return;
	f = &sm->filter[sm->nfilter];
	memset(f, 0, sizeof(*f));
	if (!pf_field_next(&p, ",", tok, sizeof(tok)))
		return;
	snprintf(f->name, sizeof(f->name), "%s", trim(tok));
	while (pf_field_next(&p, ",", tok, sizeof(tok))) {
		t = trim(tok);
		if (strncasecmp(t, "S=", 2) == 0)
			snprintf(f->socket, sizeof(f->socket), "%s", t + 2);
		else if (strncasecmp(t, "F=", 2) == 0)
			snprintf(f->flags, sizeof(f->flags), "%s", t + 2);
	}
	if (f->name[0] != '\0')
		sm->nfilter++;
}

/* kmap - "Kaccess hash -o -T<TMPF> /etc/mail/access": the last word
 * not a flag is the map's file; a database's text source is that file
 * without ".db" (m4 writes it without) */
static void
kmap(struct pf_sendmailcf *sm, const char *line)
{
	char tok[1024], *t;
	const char *p = line + strlen("access");
	size_t n;

	if (!isspace((unsigned char)*p))
		return;
	sm->astate = PF_SM_ACCESS_UNREAD;
	while (pf_field_next(&p, " \t\n", tok, sizeof(tok))) {
		t = trim(tok);
		if (*t != '\0' && *t != '-')
			snprintf(sm->access, sizeof(sm->access), "%s", t);
	}
	n = strlen(sm->access);
	if (n > 3 && strcmp(sm->access + n - 3, ".db") == 0)
		sm->access[n - 3] = '\0';
}

/* tls_line - keep a "Try_TLS:", "TLS_Srv:" or "TLS_Rcpt:" line */
static void
tls_line(struct pf_sendmailcf *sm, char *line)
{
	static const char *const tags[] = { "Try_TLS", "TLS_Srv", "TLS_Rcpt" };
	struct tlsent *e;
	char *colon, *v;
	size_t i, n;

	line = trim(line);
	if ((colon = strchr(line, ':')) == NULL || sm->ntls >= SM_MAX_TLS)
		return;
	n = (size_t)(colon - line);
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (strlen(tags[i]) == n && strncasecmp(line, tags[i], n) == 0)
			break;
	if (i == sizeof(tags) / sizeof(tags[0]))
		return;
	for (v = colon + 1; *v != '\0' && !isspace((unsigned char)*v); v++)
		;
	if (*v != '\0')
		*v++ = '\0';
	e = &sm->tls[sm->ntls++];
	snprintf(e->tag, sizeof(e->tag), "%s", tags[i]);
	snprintf(e->key, sizeof(e->key), "%s", colon + 1);
	snprintf(e->value, sizeof(e->value), "%s", trim(v));
}

/* access_src - the TLS lines of the access map's text source */
static void
access_src(struct pf_sendmailcf *sm)
{
	char line[SM_MAX_LINE];
	FILE *fp;

	if (sm->access[0] == '\0' || (fp = fopen(sm->access, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (line[0] != '#')
			tls_line(sm, line);
	fclose(fp);
	sm->astate = PF_SM_ACCESS_READ;
}

/* pf_sendmailcf_load - the options and filters of path */
int
pf_sendmailcf_load(const char *path, struct pf_sendmailcf **out,
    struct pf_err *err)
{
	struct pf_sendmailcf *sm;
	char line[SM_MAX_LINE];
	unsigned ln = 0;
	FILE *fp;

	*out = NULL;
	if ((fp = fopen(path, "r")) == NULL)
		return pf_err_set(err, PF_EIO, "%s: %s", path,
		    strerror(errno));
	if ((sm = calloc(1, sizeof(*sm))) == NULL ||
	    (sm->path = strdup(path)) == NULL) {
		free(sm);
		fclose(fp);
		return pf_err_set(err, PF_ENOMEM, "out of memory");
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		ln++;
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			fclose(fp);
			pf_sendmailcf_free(sm);
			return pf_err_setl(err, PF_ELIMIT, path, ln,
			    "line longer than %d bytes", SM_MAX_LINE - 1);
		}
		if (line[0] == 'O' && option(sm, line + 1) != 0) {
			fclose(fp);
			pf_sendmailcf_free(sm);
			return pf_err_set(err, PF_ENOMEM, "out of memory");
		}
		if (line[0] == 'X')
			filter(sm, line + 1);
		if (strncmp(line, "Kaccess", 7) == 0)
			kmap(sm, line + 1);
	}
	fclose(fp);
	access_src(sm);
	*out = sm;
	return PF_OK;
}

/* pf_sendmailcf_free - release; NULL is a no-op */
void
pf_sendmailcf_free(struct pf_sendmailcf *sm)
{
	size_t i;

	if (sm == NULL)
		return;
	for (i = 0; i < sm->nopt; i++)
		free(sm->opt[i].value);
	free(sm->path);
	free(sm);
}

/* pf_sendmailcf_opt - the last "O name=" wins, as in sendmail */
const char *
pf_sendmailcf_opt(const struct pf_sendmailcf *sm, const char *name)
{
	size_t i = sm->nopt;

	while (i-- > 0)
		if (strcasecmp(sm->opt[i].name, name) == 0)
			return sm->opt[i].value;
	return NULL;
}

size_t
pf_sendmailcf_nfilters(const struct pf_sendmailcf *sm)
{
	return sm->nfilter;
}

const struct pf_sm_filter *
pf_sendmailcf_filter(const struct pf_sendmailcf *sm, size_t i)
{
	return i < sm->nfilter ? &sm->filter[i] : NULL;
}

const char *
pf_sendmailcf_path(const struct pf_sendmailcf *sm)
{
	return sm->path;
}

enum pf_sm_access
pf_sendmailcf_access(const struct pf_sendmailcf *sm, const char **src)
{
	*src = sm->access[0] != '\0' ? sm->access : NULL;
	return sm->astate;
}

/* pf_sendmailcf_access_get - the first line of TAG:KEY, the one makemap
 * keeps (it refuses later duplicates of a key) */
const char *
pf_sendmailcf_access_get(const struct pf_sendmailcf *sm, const char *tag,
    const char *key)
{
	size_t i;

	for (i = 0; i < sm->ntls; i++)
		if (strcasecmp(sm->tls[i].tag, tag) == 0 &&
		    strcasecmp(sm->tls[i].key, key) == 0)
			return sm->tls[i].value;
	return NULL;
}
