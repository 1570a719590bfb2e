/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_nodelay.c - pf_nodelay_listener against a real libmilter listener:
 * the option is off on what libmilter accepts until the call, on after it,
 * and only the listener named by the spec is touched.  pf_nodelay_accepted
 * tells our accepted connections from everything else, and
 * pf_quickack_fd finds a real libmilter connection's descriptor from its
 * context (the layout mirror in quickack.c checked against the installed
 * libmilter) and refuses anything not verified.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "nodelay.h"
#include "quickack.h"
#include "lib/pftest.h"

/* free_port - a loopback port nobody listens on right now */
static int
free_port(int family)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int s, port;

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = family;
	if (family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_addr.s_addr =
		    htonl(INADDR_LOOPBACK);
	else
		((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
	s = socket(family, SOCK_STREAM, 0);
	if (s < 0)
		return -1;
	if (bind(s, (struct sockaddr *)&ss, family == AF_INET ?
	    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) != 0 ||
	    getsockname(s, (struct sockaddr *)&ss, &len) != 0) {
		close(s);
		return -1;
	}
	port = family == AF_INET ? ntohs(((struct sockaddr_in *)&ss)->sin_port) :
	    ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	close(s);
	return port;
}

/* listener_on - the fd of this process listening on port, or -1 */
static int
listener_on(int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, on;
	socklen_t olen;

	for (fd = 0; fd < 1024; fd++) {
		on = 0;
		olen = sizeof(on);
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &olen) != 0 ||
		    !on)
			continue;
		len = sizeof(ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
			continue;
		if (ss.ss_family == AF_INET &&
		    ntohs(((struct sockaddr_in *)&ss)->sin_port) == port)
			return fd;
		if (ss.ss_family == AF_INET6 &&
		    ntohs(((struct sockaddr_in6 *)&ss)->sin6_port) == port)
			return fd;
	}
	return -1;
}

/* accepted_nodelay - connect to lfd's address, accept, report the option */
static int
accepted_nodelay(int lfd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int c, a, r;

	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&ss, &len), 0);
	c = socket(ss.ss_family, SOCK_STREAM, 0);
	ck_assert_int_ge(c, 0);
	ck_assert_int_eq(connect(c, (struct sockaddr *)&ss, len), 0);
	a = accept(lfd, NULL, NULL);
	ck_assert_int_ge(a, 0);
	r = pf_nodelay_get(a);
	close(a);
	close(c);
	return r;
}

static struct smfiDesc desc = {
	"check_nodelay", SMFI_VERSION, 0,
	NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	NULL, NULL, NULL
};

/* milter_listen - let libmilter bind spec; its listening fd */
static int
milter_listen(const char *spec, int port)
{
	ck_assert_int_eq(smfi_setconn((char *)spec), MI_SUCCESS);
	ck_assert_int_eq(smfi_register(desc), MI_SUCCESS);
	ck_assert_int_eq(smfi_opensocket(1), MI_SUCCESS);
	return listener_on(port);
}

START_TEST(t_specs)
{
	ck_assert_int_eq(pf_nodelay_listener("unix:/tmp/x.sock"), 0);
	ck_assert_int_eq(pf_nodelay_listener("local:/tmp/x.sock"), 0);
	ck_assert_int_eq(pf_nodelay_listener("/tmp/x.sock"), 0);
	errno = 0;
	ck_assert_int_eq(pf_nodelay_listener("inet:"), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(pf_nodelay_listener("inet:0@127.0.0.1"), -1);
	ck_assert_int_eq(pf_nodelay_listener("inet:65536"), -1);
	ck_assert_int_eq(pf_nodelay_listener("inet:12x@127.0.0.1"), -1);
	ck_assert_int_eq(pf_nodelay_listener("inet:25@"), -1);
	ck_assert_int_eq(pf_nodelay_listener("tcp:25"), -1);
	ck_assert_int_eq(pf_nodelay_listener(NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(t_no_listener)
{
	char spec[64];
	int port = free_port(AF_INET);

	ck_assert_int_gt(port, 0);
	snprintf(spec, sizeof(spec), "inet:%d@127.0.0.1", port);
	errno = 0;
	ck_assert_int_eq(pf_nodelay_listener(spec), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

/* the libmilter listener: off before, on after, inherited by accept() */
START_TEST(t_inet)
{
	char spec[64];
	int port = free_port(AF_INET), lfd;

	ck_assert_int_gt(port, 0);
	snprintf(spec, sizeof(spec), "inet:%d@127.0.0.1", port);
	lfd = milter_listen(spec, port);
	ck_assert_int_ge(lfd, 0);
	ck_assert_int_eq(pf_nodelay_get(lfd), 0);
	ck_assert_int_eq(accepted_nodelay(lfd), 0);
	ck_assert_int_eq(pf_nodelay_listener(spec), 1);
	ck_assert_int_eq(pf_nodelay_get(lfd), 1);
	ck_assert_int_eq(accepted_nodelay(lfd), 1);
}
END_TEST

/* a spec without a host, and another listener that must be left alone */
START_TEST(t_only_that_port)
{
	struct sockaddr_in sin;
	char spec[64];
	int port = free_port(AF_INET), lfd, other;
	socklen_t len = sizeof(sin);

	other = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(other, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(other, 5), 0);
	ck_assert_int_eq(getsockname(other, (struct sockaddr *)&sin, &len), 0);

	snprintf(spec, sizeof(spec), "inet:%d@127.0.0.1", port);
	lfd = milter_listen(spec, port);
	ck_assert_int_ge(lfd, 0);
	snprintf(spec, sizeof(spec), "inet:%d", port);
	ck_assert_int_eq(pf_nodelay_listener(spec), 1);
	ck_assert_int_eq(pf_nodelay_get(lfd), 1);
	ck_assert_int_eq(pf_nodelay_get(other), 0);
	ck_assert_int_eq(accepted_nodelay(other), 0);
	/* the same port on another address is not ours either */
	snprintf(spec, sizeof(spec), "inet:%d@127.0.0.2", port);
	ck_assert_int_eq(pf_nodelay_listener(spec), -1);
	close(other);
}
END_TEST

START_TEST(t_inet6)
{
	char spec[64];
	int port = free_port(AF_INET6), lfd;

	if (port < 0)
		return;		/* no IPv6 loopback on this host */
	snprintf(spec, sizeof(spec), "inet6:%d@[::1]", port);
	lfd = milter_listen(spec, port);
	ck_assert_int_ge(lfd, 0);
	ck_assert_int_eq(accepted_nodelay(lfd), 0);
	ck_assert_int_eq(pf_nodelay_listener(spec), 1);
	ck_assert_int_eq(accepted_nodelay(lfd), 1);
}
END_TEST

/* connect to lfd's address: *cfd the client's end, returns the accepted */
static int
pair_on(int lfd, int *cfd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int a;

	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&ss, &len), 0);
	*cfd = socket(ss.ss_family, SOCK_STREAM, 0);
	ck_assert_int_ge(*cfd, 0);
	ck_assert_int_eq(connect(*cfd, (struct sockaddr *)&ss, len), 0);
	a = accept(lfd, NULL, NULL);
	ck_assert_int_ge(a, 0);
	return a;
}

/* an accepted connection is ours; its listener, the client's end, another
 * port, a unix spec, a pipe and -1 are not */
START_TEST(t_accepted)
{
	char spec[64], other[64];
	int port = free_port(AF_INET), lfd, a, c, p[2];

	ck_assert_int_gt(port, 0);
	snprintf(spec, sizeof(spec), "inet:%d@127.0.0.1", port);
	lfd = milter_listen(spec, port);
	ck_assert_int_ge(lfd, 0);
	a = pair_on(lfd, &c);
	ck_assert_int_eq(pf_nodelay_accepted(spec, a), 1);
	snprintf(other, sizeof(other), "inet:%d", port);
	ck_assert_int_eq(pf_nodelay_accepted(other, a), 1);
	snprintf(other, sizeof(other), "inet:%d@0.0.0.0", port);
	ck_assert_int_eq(pf_nodelay_accepted(other, a), 1);
	snprintf(other, sizeof(other), "inet:%d@127.0.0.2", port);
	ck_assert_int_eq(pf_nodelay_accepted(other, a), 0);
	snprintf(other, sizeof(other), "inet:%d@127.0.0.1",
	    port == 65535 ? 1 : port + 1);
	ck_assert_int_eq(pf_nodelay_accepted(other, a), 0);
	snprintf(other, sizeof(other), "inet6:%d", port);
	ck_assert_int_eq(pf_nodelay_accepted(other, a), 0);
	ck_assert_int_eq(pf_nodelay_accepted(spec, lfd), 0);
	ck_assert_int_eq(pf_nodelay_accepted(spec, c), 0);
	ck_assert_int_eq(pf_nodelay_accepted("unix:/tmp/x.sock", a), 0);
	ck_assert_int_eq(pf_nodelay_accepted(NULL, a), 0);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(pf_nodelay_accepted(spec, p[0]), 0);
	ck_assert_int_eq(pf_nodelay_accepted(spec, -1), 0);
	ck_assert_int_eq(pf_nodelay_accepted(spec, 100000), 0);
	close(p[0]);
	close(p[1]);
	close(a);
	close(c);
}
END_TEST

/* what the negotiate callback saw: pf_quickack_fd's answer and the peer
 * port of that descriptor */
static pthread_mutex_t seen_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t seen_cv = PTHREAD_COND_INITIALIZER;
static int seen_done, seen_fd = -2, seen_port = -1;

/* qa_negotiate - libmilter's callback: find our descriptor from ctx */
static sfsistat
qa_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	int fd = pf_quickack_fd(ctx), port = -1;

	if (fd >= 0 && getpeername(fd, (struct sockaddr *)&peer, &len) == 0)
		port = ntohs(peer.sin_port);
	pthread_mutex_lock(&seen_mu);
	seen_fd = fd;
	seen_port = port;
	seen_done = 1;
	pthread_cond_signal(&seen_cv);
	pthread_mutex_unlock(&seen_mu);
	*pf0 = *pf1 = *pf2 = *pf3 = 0;
	return SMFIS_ALL_OPTS;
}

/* run_milter - libmilter's accept loop, in its own thread */
static void *
run_milter(void *arg)
{
	(void)arg;
	smfi_main();
	return NULL;
}

/* optneg - the MTA's first packet: protocol 6, every action and flag */
static void
optneg(int fd)
{
	unsigned char pkt[17];
	uint32_t v[4] = { htonl(13), htonl(6), htonl(0x1ff),
	    htonl(0x1fffff) };

	memcpy(pkt, &v[0], 4);
	pkt[4] = 'O';
	memcpy(pkt + 5, &v[1], 12);
	ck_assert_int_eq(write(fd, pkt, sizeof(pkt)), (ssize_t)sizeof(pkt));
}

/* a real libmilter session: the descriptor read from its context is the
 * connection this client made (the peer of it is the client's port) */
START_TEST(t_quickack_ctx)
{
	struct smfiDesc d = desc;
	struct sockaddr_in me;
	socklen_t len = sizeof(me);
	struct timespec until;
	char spec[64], buf[64];
	int port = free_port(AF_INET), c, r = 0;
	pthread_t th;

	ck_assert_int_gt(port, 0);
	snprintf(spec, sizeof(spec), "inet:%d@127.0.0.1", port);
	d.xxfi_negotiate = qa_negotiate;
	ck_assert_int_eq(smfi_setconn(spec), MI_SUCCESS);
	ck_assert_int_eq(smfi_register(d), MI_SUCCESS);
	ck_assert_int_eq(smfi_opensocket(1), MI_SUCCESS);
	pf_quickack_listen(spec);
	ck_assert_int_eq(pthread_create(&th, NULL, run_milter, NULL), 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	memset(&me, 0, sizeof(me));
	me.sin_family = AF_INET;
	me.sin_port = htons(port);
	me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(c, (struct sockaddr *)&me, sizeof(me)), 0);
	optneg(c);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&seen_mu);
	while (!seen_done && r == 0)
		r = pthread_cond_timedwait(&seen_cv, &seen_mu, &until);
	pthread_mutex_unlock(&seen_mu);
	ck_assert_msg(seen_done, "libmilter never called negotiate");
	ck_assert_int_gt(read(c, buf, sizeof(buf)), 0);	/* its answer */
	len = sizeof(me);
	ck_assert_int_eq(getsockname(c, (struct sockaddr *)&me, &len), 0);
	ck_assert_msg(seen_fd >= 0, "descriptor not found or not verified");
	ck_assert_int_eq(seen_port, ntohs(me.sin_port));
	close(c);
}
END_TEST

/* a context that is not libmilter's: nothing verified, nothing used */
START_TEST(t_quickack_refuses)
{
	char spec[64];
	int port = free_port(AF_INET), lfd, a, c, p[2];
	union {
		struct { pthread_t id; int sd; } head;
		char pad[256];
	} fake;

	ck_assert_int_gt(port, 0);
	snprintf(spec, sizeof(spec), "inet:%d@127.0.0.1", port);
	lfd = milter_listen(spec, port);
	a = pair_on(lfd, &c);
	memset(&fake, 0, sizeof(fake));
	/* off: no TCP listener named */
	fake.head.sd = a;
	pf_quickack_listen(NULL);
	ck_assert_int_eq(pf_quickack_fd((SMFICTX *)&fake), -1);
	pf_quickack_listen(spec);
	ck_assert_int_eq(pf_quickack_fd((SMFICTX *)&fake), a);
	ck_assert_int_eq(pf_quickack_fd(NULL), -1);
	fake.head.sd = lfd;
	ck_assert_int_eq(pf_quickack_fd((SMFICTX *)&fake), -1);
	fake.head.sd = c;
	ck_assert_int_eq(pf_quickack_fd((SMFICTX *)&fake), -1);
	ck_assert_int_eq(pipe(p), 0);
	fake.head.sd = p[1];
	ck_assert_int_eq(pf_quickack_fd((SMFICTX *)&fake), -1);
	fake.head.sd = -5;
	ck_assert_int_eq(pf_quickack_fd((SMFICTX *)&fake), -1);
	pf_quickack(-1);	/* harmless */
	close(p[0]);
	close(p[1]);
	close(a);
	close(c);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("nodelay");
	TCase *tc = pf_test_case(s, "nodelay");

	tcase_add_test(tc, t_specs);
	tcase_add_test(tc, t_no_listener);
	tcase_add_test(tc, t_inet);
	tcase_add_test(tc, t_only_that_port);
	tcase_add_test(tc, t_inet6);
	tcase_add_test(tc, t_accepted);
	tcase_add_test(tc, t_quickack_ctx);
	tcase_add_test(tc, t_quickack_refuses);
	return pf_test_run(s);
}
