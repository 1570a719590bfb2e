/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_nodelay.c - pf_nodelay_listener against a real libmilter listener:
 * the option is off on what libmilter accepts until the call, on after it,
 * and only the listener named by the spec is touched.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "nodelay.h"
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
	return pf_test_run(s);
}
