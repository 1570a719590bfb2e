/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * redistest.h - a private redis-server for a test: a free loopback port,
 * its own directory, nothing saved to disk; stopped at exit.
 */
#ifndef PF_REDISTEST_H
#define PF_REDISTEST_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct redistest {
	pid_t	 pid;
	unsigned port;
	char	 dir[128];
};

/* redistest_port - a loopback port nobody listens on right now */
static unsigned
redistest_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	close(fd);
	return ntohs(a.sin_port);
}

/* redistest_up - whether something accepts on the port */
static int
redistest_up(unsigned port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((unsigned short)port);
	ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* redistest_start_on - start redis-server on port (0: a free one); pass:
 * requirepass or NULL.  0 on success, -1 if it is not installed or did
 * not come up */
static int
redistest_start_on(struct redistest *r, const char *pass, unsigned on)
{
	char port[16];
	int i;

	memset(r, 0, sizeof(*r));
	snprintf(r->dir, sizeof(r->dir), "/tmp/pf-redis.XXXXXX");
	if (mkdtemp(r->dir) == NULL ||
	    (r->port = on ? on : redistest_port()) == 0)
		return -1;
	snprintf(port, sizeof(port), "%u", r->port);
	if ((r->pid = fork()) < 0)
		return -1;
	if (r->pid == 0) {
		freopen("/dev/null", "w", stdout);
		if (pass != NULL)
			execlp("redis-server", "redis-server", "--port", port,
			    "--bind", "127.0.0.1", "--save", "",
			    "--appendonly", "no", "--dir", r->dir,
			    "--requirepass", pass, (char *)NULL);
		else
			execlp("redis-server", "redis-server", "--port", port,
			    "--bind", "127.0.0.1", "--save", "",
			    "--appendonly", "no", "--dir", r->dir,
			    (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200; i++) {
		struct timespec ts = { 0, 25000000 };
		int st;

		if (redistest_up(r->port))
			return 0;
		if (waitpid(r->pid, &st, WNOHANG) == r->pid) {
			r->pid = 0;
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	return -1;
}

/* redistest_start - start redis-server on a free port */
static int
redistest_start(struct redistest *r, const char *pass)
{
	return redistest_start_on(r, pass, 0);
}

/* redistest_stop - stop it and wait for it */
static void
redistest_stop(struct redistest *r)
{
	char cmd[200];

	if (r->pid > 0) {
		kill(r->pid, SIGTERM);
		waitpid(r->pid, NULL, 0);
		r->pid = 0;
	}
	if (r->dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", r->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", r->dir);
		r->dir[0] = '\0';
	}
}

#endif
