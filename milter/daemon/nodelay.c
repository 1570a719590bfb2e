/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nodelay.c - TCP_NODELAY for the sockets libmilter accepts.  libmilter
 * owns the listening socket and the accept loop and offers no hook for
 * socket options, so after smfi_opensocket() we find the listener among
 * the process's descriptors (a socket in the listening state whose local
 * address has the family and port of the connection spec) and set the
 * option there; Linux copies it to every socket accept() returns.  The
 * connection spec is our own configuration, not untrusted input, but it
 * is still parsed with bounds.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "nodelay.h"

#define NODELAY_MAXFD	4096	/* fds scanned where /proc is missing */

struct spec {
	int		 family;
	uint16_t	 port;
	int		 anyaddr;	/* no host, or a name we do not resolve */
	union {
		struct in_addr	v4;
		struct in6_addr	v6;
	} addr;
};

/* parse_spec - "inet:PORT[@HOST]" / "inet6:PORT[@HOST]"; 0 = not TCP */
static int
parse_spec(const char *cs, struct spec *sp)
{
	const char *p, *at;
	char host[256];
	int64_t port;
	size_t hlen;

	memset(sp, 0, sizeof(*sp));
	if (strncmp(cs, "inet6:", 6) == 0) {
		sp->family = AF_INET6;
		p = cs + 6;
	} else if (strncmp(cs, "inet:", 5) == 0) {
		sp->family = AF_INET;
		p = cs + 5;
	} else if (strncmp(cs, "unix:", 5) == 0 ||
	    strncmp(cs, "local:", 6) == 0 || cs[0] == '/')
		return 0;
	else
		return -1;
	at = strchr(p, '@');
	if (pf_strtonum(p, at != NULL ? (size_t)(at - p) : strlen(p), 1,
	    65535, &port) != PF_OK)
		return -1;
	sp->port = (uint16_t)port;
	sp->anyaddr = 1;
	if (at == NULL)
		return 1;
	hlen = strlen(at + 1);
	if (hlen == 0 || hlen >= sizeof(host))
		return -1;
	memcpy(host, at + 1, hlen + 1);
	/* libmilter also accepts [addr] for inet6 */
	if (host[0] == '[' && host[hlen - 1] == ']') {
		memmove(host, host + 1, hlen - 2);
		host[hlen - 2] = '\0';
	}
	/* the wildcard address names no one address */
	if (inet_pton(sp->family, host, &sp->addr) == 1)
		sp->anyaddr = sp->family == AF_INET ?
		    sp->addr.v4.s_addr == INADDR_ANY :
		    IN6_IS_ADDR_UNSPECIFIED(&sp->addr.v6);
	return 1;
}

/* matches - whether fd is a TCP socket on the spec's family and port,
 * listening or (listening == 0) an accepted, connected one */
static int
matches(int fd, const struct spec *sp, int listening)
{
	struct sockaddr_storage ss, peer;
	socklen_t len = sizeof(ss), plen = sizeof(peer);
	int on = 0, type = 0, proto = 0;
	socklen_t olen = sizeof(on);

	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &olen) != 0 ||
	    !on != !listening)
		return 0;
	olen = sizeof(type);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &olen) != 0 ||
	    type != SOCK_STREAM)
		return 0;
	olen = sizeof(proto);
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &olen) != 0 ||
	    proto != IPPROTO_TCP)
		return 0;
	if (!listening &&
	    getpeername(fd, (struct sockaddr *)&peer, &plen) != 0)
		return 0;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0 ||
	    ss.ss_family != sp->family)
		return 0;
	if (sp->family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;

		if (ntohs(in->sin_port) != sp->port)
			return 0;
		return sp->anyaddr || in->sin_addr.s_addr == INADDR_ANY ||
		    in->sin_addr.s_addr == sp->addr.v4.s_addr;
	} else {
		const struct sockaddr_in6 *in6 =
		    (const struct sockaddr_in6 *)&ss;

		if (ntohs(in6->sin6_port) != sp->port)
			return 0;
		return sp->anyaddr ||
		    IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr) ||
		    memcmp(&in6->sin6_addr, &sp->addr.v6,
		    sizeof(sp->addr.v6)) == 0;
	}
}

/* setone - set TCP_NODELAY on fd if it is the listener; 1 if set */
static int
setone(int fd, const struct spec *sp, int *saved)
{
	int on = 1;

	if (!matches(fd, sp, 1))
		return 0;
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) != 0) {
		*saved = errno;
		return 0;
	}
	return 1;
}

/* pf_nodelay_listener - set TCP_NODELAY on the listener for connspec */
int
pf_nodelay_listener(const char *connspec)
{
	struct spec sp;
	struct dirent *de;
	DIR *d;
	int64_t fd;
	int r, n = 0, saved = 0;

	if (connspec == NULL) {
		errno = EINVAL;
		return -1;
	}
	if ((r = parse_spec(connspec, &sp)) <= 0) {
		if (r < 0)
			errno = EINVAL;
		return r;
	}
	if ((d = opendir("/proc/self/fd")) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (pf_strtonum(de->d_name, strlen(de->d_name), 0,
			    INT32_MAX, &fd) != PF_OK || fd == dirfd(d))
				continue;
			if (setone((int)fd, &sp, &saved))
				n++;
		}
		closedir(d);
	} else {
		/* no /proc: the low descriptors, where a daemon's are */
		for (fd = 0; fd < NODELAY_MAXFD; fd++)
			if (setone((int)fd, &sp, &saved))
				n++;
	}
	if (n == 0) {
		errno = saved != 0 ? saved : ENOENT;
		return -1;
	}
	return n;
}

/* pf_nodelay_get - whether fd has TCP_NODELAY */
int
pf_nodelay_get(int fd)
{
	int on = 0;
	socklen_t len = sizeof(on);

	if (getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, &len) != 0)
		return -1;
	return on != 0;
}

/* pf_nodelay_accepted - whether fd is a connection accepted on connspec */
int
pf_nodelay_accepted(const char *connspec, int fd)
{
	struct spec sp;

	if (connspec == NULL || fd < 0 || parse_spec(connspec, &sp) <= 0)
		return 0;
	return matches(fd, &sp, 0);
}
