/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nodelay-preload.c - LD_PRELOAD shim that sets TCP_NODELAY on every TCP
 * socket a program accepts.  Used by contrib/bench/stall.sh to show how
 * much of a peer milter's loopback stall is its own end-of-message writes
 * (the part TCP_NODELAY cures) and how much is the MTA's.
 */
#define _GNU_SOURCE
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <dlfcn.h>
#include <stddef.h>

static void
setnd(int fd)
{
	int on = 1;

	if (fd >= 0)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
}

int
accept(int s, struct sockaddr *sa, socklen_t *len)
{
	static int (*real)(int, struct sockaddr *, socklen_t *);
	int fd;

	if (real == NULL)
		real = (int (*)(int, struct sockaddr *, socklen_t *))
		    dlsym(RTLD_NEXT, "accept");
	fd = real(s, sa, len);
	setnd(fd);
	return fd;
}

int
accept4(int s, struct sockaddr *sa, socklen_t *len, int flags)
{
	static int (*real)(int, struct sockaddr *, socklen_t *, int);
	int fd;

	if (real == NULL)
		real = (int (*)(int, struct sockaddr *, socklen_t *, int))
		    dlsym(RTLD_NEXT, "accept4");
	fd = real(s, sa, len, flags);
	setnd(fd);
	return fd;
}
