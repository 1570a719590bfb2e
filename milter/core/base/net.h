/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net.h - addresses as the administrator writes them: an IP address, and
 * a nameserver as "ip[:port]", "[v6]:port" or a bare IPv6 address.  The
 * one parser of both for the configuration and the resolver.
 */
#ifndef PF_NET_H
#define PF_NET_H

#include <stddef.h>

#include "base/pf.h"

/* room for any address pf_hostport accepts, with its NUL */
#define PF_HOST_MAX	46

/* pf_ip_valid - is s an IPv4 or IPv6 address in text form? */
int	pf_ip_valid(const char *s);

/*
 * pf_hostport - split s into an IP address (host, PF_HOST_MAX bytes) and
 * a port (*port, left alone when s names none).  Fails with PF_ESYNTAX,
 * the message naming what is wrong with s, and does not name the caller's
 * key: "\"x\" is not an IP address", "port \"0\" is not in 1..65535".
 */
int	pf_hostport(const char *s, char *host, unsigned *port,
	    struct pf_err *);

#endif
