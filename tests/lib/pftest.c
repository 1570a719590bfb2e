/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pftest.c - test-only helpers shared by the Check suites (pftest.h).
 */
#include <dirent.h>
#include <strings.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/pf.h"
#include "catalog/rules.h"
#include "pftest.h"

#define NSD_KIDS_MAX	64

/* pf_test_case - a new test case named name, added to s */
TCase *
pf_test_case(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);

	suite_add_tcase(s, tc);
	return tc;
}

/* pf_test_run - run every test of s, free it; the exit status for main */
int
pf_test_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* pf_test_rules_path - the bundled catalog's path */
const char *
pf_test_rules_path(void)
{
	static char path[4096];
	const char *src = getenv("PF_SRCDIR");

	ck_assert_msg(src != NULL, "PF_SRCDIR is not set");
	snprintf(path, sizeof(path), "%s/rules/gmail.rules", src);
	return path;
}

/* pf_test_rules - the bundled catalog, loaded */
struct pf_rules *
pf_test_rules(void)
{
	struct pf_rules *rs = NULL;
	struct pf_err err = { 0 };
	char buf[1024];

	ck_assert_msg(pf_rules_load(pf_test_rules_path(), &rs, &err) ==
	    PF_OK, "%s", pf_err_format(&err, buf, sizeof(buf)));
	return rs;
}

/* pf_test_ns - "127.0.0.1:PORT" of the fixture NSD */
const char *
pf_test_ns(void)
{
	static char buf[64];
	const char *port = getenv("PF_DNS_PORT");

	ck_assert_msg(port != NULL && *port != '\0',
	    "PF_DNS_PORT unset: run through tests/nsd/with-nsd.sh");
	snprintf(buf, sizeof(buf), "127.0.0.1:%s", port);
	return buf;
}

/* parent_of - parent of pid from /proc, or -1 */
static pid_t
parent_of(pid_t pid)
{
	char path[64], buf[512], *q;
	int ppid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) == NULL ||
	    (q = strrchr(buf, ')')) == NULL ||
	    sscanf(q + 2, "%*c %d", &ppid) != 1)
		ppid = -1;
	fclose(f);
	return (pid_t)ppid;
}

/* descends_from - pid has root among its ancestors (8 levels at most) */
static int
descends_from(pid_t pid, pid_t root)
{
	int depth;

	for (depth = 0; pid > 1 && depth < 8; depth++)
		if ((pid = parent_of(pid)) == root)
			return 1;
	return 0;
}

/* pf_test_nsd_signal - sig to the fixture server and its descendants */
void
pf_test_nsd_signal(int sig)
{
	const char *p = getenv("PF_NSD_PID");
	pid_t nsd, pid, kids[NSD_KIDS_MAX];
	struct dirent *e;
	size_t n = 0, i;
	DIR *d;

	ck_assert_msg(p != NULL, "PF_NSD_PID unset: run through "
	    "tests/nsd/with-nsd.sh");
	nsd = (pid_t)strtol(p, NULL, 10);
	/* collect first: once a parent dies its children move to init */
	ck_assert((d = opendir("/proc")) != NULL);
	while ((e = readdir(d)) != NULL && n < NSD_KIDS_MAX)
		if ((pid = (pid_t)strtol(e->d_name, NULL, 10)) > 0 &&
		    descends_from(pid, nsd))
			kids[n++] = pid;
	closedir(d);
	ck_assert_int_eq(kill(nsd, sig), 0);
	for (i = 0; i < n; i++)
		(void)kill(kids[i], sig);
}

/* named - the value of line when its field name is one of names, else
 * NULL */
static const char *
named(const char *line, const char *const *names)
{
	size_t i, n;

	for (i = 0; names[i] != NULL; i++) {
		n = strlen(names[i]);
		if (strncasecmp(line, names[i], n) == 0 && line[n] == ':')
			return line + n + 1;
	}
	return NULL;
}

/* fields_of - pf_test_corpus_fields for one file */
static int
fields_of(const char *path, const char *const *names, int all,
    const char *fold, pf_test_field_fn *fn)
{
	static char v[65536];
	char line[4096];
	const char *val;
	size_t n = 0, l, fl = strlen(fold);
	int in = 0, sum = 0;
	FILE *fp = fopen(path, "rb");

	ck_assert_msg(fp != NULL, "%s", path);
	while (fgets(line, sizeof(line), fp) != NULL) {
		l = strcspn(line, "\r\n");
		line[l] = '\0';
		if (in && (line[0] == ' ' || line[0] == '\t')) {
			if (n + fl + l < sizeof(v)) {
				memcpy(v + n, fold, fl);
				memcpy(v + n + fl, line, l + 1);
				n += fl + l;
			}
			continue;
		}
		if (in)
			sum += fn(v, n);
		in = 0;
		if (l == 0 && !all)
			break;		/* the end of the top header block */
		if ((val = named(line, names)) != NULL) {
			n = strlen(val);
			memcpy(v, val, n + 1);
			in = 1;
		}
	}
	if (in)
		sum += fn(v, n);
	fclose(fp);
	return sum;
}

/* pf_test_corpus_fields - every named field of the corpus directories */
int
pf_test_corpus_fields(const char *const *dirs, const char *const *names,
    int all, const char *fold, pf_test_field_fn *fn)
{
	const char *src = getenv("PF_SRCDIR");
	char dir[4096], path[8192];
	struct dirent *de;
	int sum = 0;
	DIR *d;

	ck_assert_msg(src != NULL, "PF_SRCDIR is not set");
	for (; *dirs != NULL; dirs++) {
		snprintf(dir, sizeof(dir), "%s/tests/data/corpus/%s", src,
		    *dirs);
		ck_assert_msg((d = opendir(dir)) != NULL, "%s", dir);
		while ((de = readdir(d)) != NULL)
			if (strstr(de->d_name, ".eml") != NULL) {
				snprintf(path, sizeof(path), "%s/%s", dir,
				    de->d_name);
				sum += fields_of(path, names, all, fold, fn);
			}
		closedir(d);
	}
	return sum;
}
