/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * quickack.h - an immediate ACK for the MTA packets preflight does not
 * answer over TCP.  When the milter leaves a packet unanswered (SMFIP_NR_*),
 * the MTA's next small packet waits in its kernel (Nagle) for the ACK of
 * the first, which the milter's kernel delays by ~40 ms.  Linux sends a
 * pending ACK at once when TCP_QUICKACK is set on the socket and leaves
 * its delayed-ACK ("pingpong") mode until the milter sends again, so it is
 * set on the first packet left unanswered after each answer (session.c).
 * libmilter does not hand out a connection's descriptor; it is read from
 * the head of libmilter's private context structure and used
 * only once verified to be a connection accepted on preflight's own TCP
 * listener (docs/milter.md, docs/benchmarks.md).
 */
#ifndef PF_QUICKACK_H
#define PF_QUICKACK_H

#include <libmilter/mfapi.h>

/* pf_quickack_listen - remember the TCP connspec connections are accepted
 * on; NULL (or a unix spec) switches the mechanism off */
void	pf_quickack_listen(const char *connspec);

/* pf_quickack_fd - the verified descriptor of ctx's connection with
 * TCP_QUICKACK set once, or -1: not TCP, layout not as expected, the
 * descriptor not one of our accepted connections, or the option refused.
 * Called once per connection, at negotiation. */
int	pf_quickack_fd(SMFICTX *ctx);

/* pf_quickack - send the ACK a packet left unanswered would wait for */
void	pf_quickack(int fd);

#endif
