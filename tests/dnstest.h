/*
 * dnstest.h - shared by the Check suites that talk to the private NSD
 * started by tests/dns/with-nsd.sh: where it listens, and how to stop it.
 */
#ifndef PF_DNSTEST_H
#define PF_DNSTEST_H

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <check.h>

/* dnstest_ns - "127.0.0.1:PORT" of the fixture server */
static inline const char *
dnstest_ns(void)
{
	static char buf[64];
	const char *port = getenv("PF_DNS_PORT");

	ck_assert_msg(port != NULL && *port != '\0',
	    "PF_DNS_PORT unset: run through tests/dns/with-nsd.sh");
	snprintf(buf, sizeof(buf), "127.0.0.1:%s", port);
	return buf;
}

/* dnstest_ppid - parent of pid, or -1 */
static inline pid_t
dnstest_ppid(pid_t pid)
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

/* dnstest_signal - send sig to the fixture server and every process under
 * it (NSD serves from a grandchild).  SIGSTOP: it stops answering;
 * SIGKILL: it is gone. */
static inline void
dnstest_signal(int sig)
{
	const char *p = getenv("PF_NSD_PID");
	pid_t nsd, pid, up, kids[64];
	size_t n = 0, i;
	DIR *d;
	struct dirent *e;
	int depth;

	ck_assert(p != NULL);
	nsd = (pid_t)strtol(p, NULL, 10);
	/* collect first: once a parent dies its children move to init */
	ck_assert((d = opendir("/proc")) != NULL);
	while ((e = readdir(d)) != NULL && n < 64) {
		if ((pid = (pid_t)strtol(e->d_name, NULL, 10)) <= 0)
			continue;
		for (up = pid, depth = 0; up > 1 && depth < 8; depth++) {
			up = dnstest_ppid(up);
			if (up == nsd) {
				kids[n++] = pid;
				break;
			}
		}
	}
	closedir(d);
	ck_assert_int_eq(kill(nsd, sig), 0);
	for (i = 0; i < n; i++)
		(void)kill(kids[i], sig);
}

#endif
