/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nodelay.h - switch off Nagle's algorithm on the milter's TCP listener, so
 * that every connection libmilter accepts from the MTA has TCP_NODELAY.
 * Without it a milter reached over loopback TCP stalls about 40 ms
 * whenever it answers end-of-message with more than one packet (a header
 * change, then the verdict): docs/benchmarks.md has the measurements.
 */
#ifndef PF_NODELAY_H
#define PF_NODELAY_H

/*
 * pf_nodelay_listener - find the listening sockets of this process bound to
 * the TCP address of connspec ("inet:PORT[@HOST]" or "inet6:PORT[@HOST]",
 * the libmilter syntax) and set TCP_NODELAY on them.  Call it after
 * smfi_opensocket() and before smfi_main(): on Linux and the BSDs an
 * accepted socket inherits TCP_NODELAY from its listener.  Returns the
 * number of sockets changed; 0 for "unix:"/"local:" specs (nothing to do);
 * -1 with errno set (EINVAL: bad spec; ENOENT: no listener on that port;
 * others from the system calls).
 */
int	pf_nodelay_listener(const char *connspec);

/* pf_nodelay_get - 1 if fd has TCP_NODELAY, 0 if not, -1 on error */
int	pf_nodelay_get(int fd);

/*
 * pf_nodelay_accepted - 1 if fd is a connected TCP socket (not a listener)
 * whose local family and port (and address, when connspec names one and
 * the socket is not bound to the wildcard) are those of the TCP connspec:
 * a connection accepted on preflight's own listener.  0 otherwise, for
 * unix specs, bad specs and descriptors that are not sockets.
 */
int	pf_nodelay_accepted(const char *connspec, int fd);

#endif
