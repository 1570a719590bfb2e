/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * postconf.c - reading a Postfix configuration through postconf(1), so
 * that defaults, $name expansion and master.cf -o overrides are Postfix's
 * own.  Three runs: "postconf -c DIR -x" (main.cf, every parameter),
 * "-F -x" (the master.cf fields of each service) and "-P -x" (the -o
 * overrides).  Each output line is "name = value".
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mta/postconf.h"

#define PC_MAX_OUTPUT	(4 * 1024 * 1024)

struct kv {
	char	*k;
	char	*v;
};

struct table {
	struct kv *kv;
	size_t	 n;
};

struct pf_postconf {
	char	*dir;
	struct table main;		/* name = value */
	struct table fld;		/* svc/type/field = value */
	struct table ovr;		/* svc/type/param = value */
	struct pf_pc_service svc[PF_PC_MAX_SERVICES];
	size_t	 nsvc;
};

/* drain - read fd to the end into a growing buffer, at most max bytes */
static int
drain(int fd, size_t max, char **out, size_t *outlen)
{
	size_t len = 0, cap = 8192;
	char *buf = malloc(cap), *nb;
	ssize_t r;

	if (buf == NULL)
		return -1;
	for (;;) {
		if (len + 1 >= cap) {
			if (cap >= max || (nb = realloc(buf, cap * 2)) == NULL)
				break;
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}

/* child - exec argv with stdout and stderr on the given pipes */
static void
child(char *const argv[], int out, int err)
{
	int null = open("/dev/null", O_RDONLY);

	if (null >= 0)
		dup2(null, 0);
	dup2(out, 1);
	dup2(err, 2);
	execvp(argv[0], argv);
	dprintf(2, "%s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* first_line - the line of s that says "fatal:", else the first one,
 * into buf (warnings about main.cf come before the fatal error) */
static void
first_line(const char *s, char *buf, size_t len)
{
	const char *f = strstr(s, "fatal:");
	size_t n;

	if (f != NULL) {
		while (f > s && f[-1] != '\n')
			f--;
		s = f;
	}
	n = strcspn(s, "\n");

	if (len == 0)
		return;
	if (n >= len)
		n = len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

/* pf_run - run a command and capture what it prints */
int
pf_run(char *const argv[], size_t max, char **out, char *errline,
    size_t errlen)
{
	int po[2], pe[2], st;
	char *errs = NULL;
	size_t n;
	pid_t pid;

	*out = NULL;
	if (errlen > 0)
		errline[0] = '\0';
	if (pipe(po) != 0)
		return -1;
	if (pipe(pe) != 0) {
		close(po[0]);
		close(po[1]);
		return -1;
	}
	if ((pid = fork()) < 0) {
		close(po[0]); close(po[1]); close(pe[0]); close(pe[1]);
		return -1;
	}
	if (pid == 0)
		child(argv, po[1], pe[1]);
	close(po[1]);
	close(pe[1]);
	/* postconf's stderr is a line or two: stdout first cannot block */
	if (drain(po[0], max, out, &n) != 0)
		*out = NULL;
	if (drain(pe[0], 65536, &errs, &n) == 0) {
		first_line(errs, errline, errlen);
		free(errs);
	}
	close(po[0]);
	close(pe[0]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (*out == NULL)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* add - append k = v to a table */
static int
add(struct table *t, const char *k, size_t klen, const char *v)
{
	struct kv *nk;

	if ((t->n & (t->n - 1)) == 0 || t->n == 0) {
		nk = realloc(t->kv, sizeof(*nk) * (t->n ? t->n * 2 : 64));
		if (nk == NULL)
			return -1;
		t->kv = nk;
	}
	if ((t->kv[t->n].k = strndup(k, klen)) == NULL)
		return -1;
	if ((t->kv[t->n].v = strdup(v)) == NULL) {
		free(t->kv[t->n].k);
		return -1;
	}
	t->n++;
	return 0;
}

/* parse - "name = value" lines into t (text is changed in place) */
static int
parse(char *text, struct table *t)
{
	char *line = text, *end, *eq;
	size_t kl;

	for (; *line != '\0'; line = end) {
		end = line + strcspn(line, "\n");
		if (*end == '\n')
			*end++ = '\0';
		if ((eq = strstr(line, " =")) == NULL)
			continue;
		kl = (size_t)(eq - line);
		eq += 2;
		if (*eq == ' ')
			eq++;
		if (add(t, line, kl, eq) != 0)
			return -1;
	}
	return 0;
}

/* pf_field_next - the next field of *p between separators */
int
pf_field_next(const char **p, const char *seps, char *buf, size_t len)
{
	size_t n;

	*p += strspn(*p, seps);
	if (**p == '\0')
		return 0;
	n = strcspn(*p, seps);
	snprintf(buf, len, "%.*s", (int)n, *p);
	*p += n;
	return 1;
}

/* lookup - the value of k in t, or NULL */
static const char *
lookup(const struct table *t, const char *k)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->kv[i].k, k) == 0)
			return t->kv[i].v;
	return NULL;
}

/* fatal_to_err - postconf's "fatal: FILE, line N: MSG" as file:line */
static int
fatal_to_err(const char *line, struct pf_err *err)
{
	const char *p = strstr(line, "fatal: "), *comma, *colon;
	char file[256];
	int64_t n;

	if (p == NULL)
		return pf_err_set(err, PF_EIO, "%s", line);
	p += 7;
	if ((comma = strstr(p, ", line ")) != NULL &&
	    (size_t)(comma - p) < sizeof(file) &&
	    (colon = strchr(comma + 7, ':')) != NULL &&
	    pf_strtonum(comma + 7, (size_t)(colon - comma - 7), 1,
	    UINT32_MAX, &n) == PF_OK) {
		memcpy(file, p, (size_t)(comma - p));
		file[comma - p] = '\0';
		return pf_err_setl(err, PF_ESYNTAX, file, (unsigned)n, "%s",
		    colon[1] == ' ' ? colon + 2 : colon + 1);
	}
	return pf_err_set(err, PF_EIO, "%s", p);
}

/* run_postconf - one postconf run over dir into t */
static int
run_postconf(const char *dir, const char *flag, struct table *t,
    struct pf_err *err)
{
	char *argv[6], errline[512], *out;
	int n = 0, rc;

	argv[n++] = access("/usr/sbin/postconf", X_OK) == 0 ?
	    "/usr/sbin/postconf" : "postconf";
	argv[n++] = "-c";
	argv[n++] = (char *)dir;
	argv[n++] = "-x";
	if (flag != NULL)
		argv[n++] = (char *)flag;
	argv[n] = NULL;
	rc = pf_run(argv, PC_MAX_OUTPUT, &out, errline, sizeof(errline));
	if (rc < 0)
		return pf_err_set(err, PF_EINVAL, "cannot run postconf: %s",
		    strerror(errno));
	if (rc == 127) {
		free(out);
		return pf_err_set(err, PF_EINVAL, "postconf is not installed "
		    "(%s)", errline);
	}
	if (rc != 0) {
		free(out);
		return fatal_to_err(errline, err);
	}
	rc = parse(out, t);
	free(out);
	return rc == 0 ? PF_OK : pf_err_set(err, PF_ENOMEM, "out of memory");
}

/* services - the svc/type pairs of the -F table, with chroot and command */
static void
services(struct pf_postconf *pc)
{
	struct pf_pc_service *s;
	char key[300];
	const char *v;
	size_t i, n;

	for (i = 0; i < pc->fld.n && pc->nsvc < PF_PC_MAX_SERVICES; i++) {
		n = strlen(pc->fld.kv[i].k);
		if (n < 8 || strcmp(pc->fld.kv[i].k + n - 8, "/service") != 0)
			continue;
		s = &pc->svc[pc->nsvc];
		snprintf(s->name, sizeof(s->name), "%s", pc->fld.kv[i].v);
		snprintf(key, sizeof(key), "%.*s/type", (int)(n - 8),
		    pc->fld.kv[i].k);
		if ((v = lookup(&pc->fld, key)) == NULL)
			continue;
		snprintf(s->type, sizeof(s->type), "%s", v);
		snprintf(key, sizeof(key), "%s/%s/chroot", s->name, s->type);
		/* "-": the default, n since Postfix 3.0 */
		s->chroot = (v = lookup(&pc->fld, key)) != NULL &&
		    (v[0] == 'y' || v[0] == 'Y');
		snprintf(key, sizeof(key), "%s/%s/command", s->name, s->type);
		v = lookup(&pc->fld, key);
		snprintf(s->command, sizeof(s->command), "%.*s",
		    v ? (int)strcspn(v, " \t") : 0, v ? v : "");
		pc->nsvc++;
	}
}

/* pf_postconf_load - the three postconf runs */
int
pf_postconf_load(const char *dir, struct pf_postconf **out,
    struct pf_err *err)
{
	struct pf_postconf *pc;
	struct stat st;
	char mc[4096];

	*out = NULL;
	if (stat(dir, &st) != 0)
		return pf_err_set(err, PF_EIO, "%s: %s", dir,
		    strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return pf_err_set(err, PF_EIO, "%s: %s", dir,
		    strerror(ENOTDIR));
	if (access(dir, R_OK | X_OK) != 0)
		return pf_err_set(err, PF_EIO, "%s: %s", dir,
		    strerror(errno));
	snprintf(mc, sizeof(mc), "%s/main.cf", dir);
	if (access(mc, R_OK) != 0)
		return pf_err_set(err, PF_EIO, "%s: %s", mc, strerror(errno));
	if ((pc = calloc(1, sizeof(*pc))) == NULL ||
	    (pc->dir = strdup(dir)) == NULL) {
		free(pc);
		return pf_err_set(err, PF_ENOMEM, "out of memory");
	}
	if (run_postconf(dir, NULL, &pc->main, err) != PF_OK ||
	    run_postconf(dir, "-F", &pc->fld, err) != PF_OK ||
	    run_postconf(dir, "-P", &pc->ovr, err) != PF_OK) {
		pf_postconf_free(pc);
		return err->status;
	}
	services(pc);
	*out = pc;
	return PF_OK;
}

/* free_table - every key and value */
static void
free_table(struct table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->kv[i].k);
		free(t->kv[i].v);
	}
	free(t->kv);
}

/* pf_postconf_free - release; NULL is a no-op */
void
pf_postconf_free(struct pf_postconf *pc)
{
	if (pc == NULL)
		return;
	free_table(&pc->main);
	free_table(&pc->fld);
	free_table(&pc->ovr);
	free(pc->dir);
	free(pc);
}

/* pf_postconf_get - a main.cf value */
const char *
pf_postconf_get(const struct pf_postconf *pc, const char *name)
{
	return lookup(&pc->main, name);
}

/* pf_postconf_svc_has - does the service override name */
int
pf_postconf_svc_has(const struct pf_postconf *pc,
    const struct pf_pc_service *s, const char *name)
{
	char key[400];

	snprintf(key, sizeof(key), "%s/%s/%s", s->name, s->type, name);
	return lookup(&pc->ovr, key) != NULL;
}

/* pf_postconf_svc_get - override, else main.cf */
const char *
pf_postconf_svc_get(const struct pf_postconf *pc,
    const struct pf_pc_service *s, const char *name)
{
	char key[400];
	const char *v;

	snprintf(key, sizeof(key), "%s/%s/%s", s->name, s->type, name);
	if ((v = lookup(&pc->ovr, key)) != NULL)
		return v;
	return lookup(&pc->main, name);
}

size_t
pf_postconf_nservices(const struct pf_postconf *pc)
{
	return pc->nsvc;
}

const struct pf_pc_service *
pf_postconf_service(const struct pf_postconf *pc, size_t i)
{
	return i < pc->nsvc ? &pc->svc[i] : NULL;
}

const char *
pf_postconf_dir(const struct pf_postconf *pc)
{
	return pc->dir;
}
