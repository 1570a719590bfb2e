/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * quickack.c - TCP_QUICKACK on the connections libmilter accepted.
 * libmilter's context (struct smfi_str in its private libmilter.h, the
 * same head from sendmail 8.12 to 8.18) starts with the thread id and the
 * connection's socket descriptor.  That layout is not an interface, so
 * the number read there is trusted only after the kernel confirms it is a
 * connected TCP socket, not a listener, on the family, port and address
 * of preflight's own listener (pf_nodelay_accepted).  Anything else and
 * the connection keeps every packet answered, as without this module.
 * Even a wrong guess that passed the checks would only make one of the
 * MTA's own connections to us acknowledge early: TCP_QUICKACK changes
 * when an ACK is sent, never what is delivered.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "nodelay.h"
#include "quickack.h"

/* the head of libmilter's struct smfi_str */
struct smfi_head {
	pthread_t	 ctx_id;	/* sthread_t */
	int		 ctx_sd;	/* socket_t */
};

static const char *listen_spec;	/* TCP connspec; NULL: off */

/* pf_quickack_listen - the listener whose connections may be used */
void
pf_quickack_listen(const char *connspec)
{
	listen_spec = connspec;
}

/* pf_quickack_fd - ctx's descriptor, verified, with the option set */
int
pf_quickack_fd(SMFICTX *ctx)
{
	int fd, on = 1;

	if (listen_spec == NULL || ctx == NULL)
		return -1;
	memcpy(&fd, (const char *)ctx + offsetof(struct smfi_head, ctx_sd),
	    sizeof(fd));
	if (fd < 0 || !pf_nodelay_accepted(listen_spec, fd))
		return -1;
	if (setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &on, sizeof(on)) != 0)
		return -1;
	return fd;
}

/* pf_quickack - out with the pending ACK, and out of delayed-ACK mode
 * until the connection next sends */
void
pf_quickack(int fd)
{
	int on = 1;

	if (fd >= 0)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &on,
		    sizeof(on));
}
