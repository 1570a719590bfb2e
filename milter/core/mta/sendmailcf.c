/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sendmailcf.c - reading sendmail.cf: option lines "O Name=value" and
 * mail filter lines "Xname, S=local:/path, F=T, T=C:10s;...".  Comments
 * and every other line are skipped; nothing is evaluated.
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

struct opt {
	char	 name[64];
	char	*value;
};

struct pf_sendmailcf {
	char	*path;
	struct opt opt[SM_MAX_OPTS];
	size_t	 nopt;
	struct pf_sm_filter filter[PF_SM_MAX_FILTERS];
	size_t	 nfilter;
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
	}
	fclose(fp);
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
