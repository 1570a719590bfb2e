/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * probe.c - `--probe HOST[:PORT]`: a real STARTTLS handshake, as the
 * MTA's smtp client would make it: the banner, EHLO, STARTTLS offered,
 * "220" to STARTTLS, then OpenSSL's handshake with the host as SNI.  The
 * certificate is verified against the system's trust store and the result
 * is reported, but only a failed handshake fails: an MTA at level "may"
 * or "encrypt" does not verify either.  Every step has a 10 s timeout and
 * replies are read at most 64 KB.
 */
#define _GNU_SOURCE	/* strcasestr */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "mta/doctor.h"

#define PROBE_TIMEOUT_MS	10000
#define PROBE_MAX_REPLY		65536

/* dial - a TCP connection to host:port within the timeout; fd or -1 */
static int
dial(const char *host, const char *port, char *why, size_t wlen)
{
	struct addrinfo hints, *res, *ai;
	struct timeval tv = { PROBE_TIMEOUT_MS / 1000, 0 };
	struct pollfd pfd;
	int fd = -1, rc, e = 0;
	socklen_t el = sizeof(e);

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(why, wlen, "%s: %s", host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, SOCK_STREAM, 0)) < 0)
			continue;
		fcntl(fd, F_SETFL, O_NONBLOCK);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 &&
		    errno == EINPROGRESS) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, PROBE_TIMEOUT_MS) != 1)
				e = ETIMEDOUT;
			else
				getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el);
		} else if (errno != 0 && errno != EINPROGRESS) {
			e = errno;
		}
		if (e == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(why, wlen, "connect: %s", strerror(e ? e : EHOSTUNREACH));
		return -1;
	}
	fcntl(fd, F_SETFL, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

/* reply - one SMTP reply, all its lines; its code, or -1 */
static int
reply(int fd, char *buf, size_t len)
{
	size_t n = 0, start = 0;
	int64_t code;
	ssize_t r;

	buf[0] = '\0';
	while (n + 1 < len) {
		if ((r = read(fd, buf + n, 1)) <= 0)
			return -1;
		buf[++n] = '\0';
		if (buf[n - 1] != '\n')
			continue;
		/* the last line is "NNN text", the others "NNN-text" */
		if (n - start >= 4 && buf[start + 3] == ' ')
			return pf_strtonum(buf + start, 3, 100, 599, &code) ==
			    PF_OK ? (int)code : -1;
		start = n;
	}
	return -1;
}

/* say - one command line */
static int
say(int fd, const char *cmd)
{
	size_t n = strlen(cmd);

	return write(fd, cmd, n) == (ssize_t)n ? 0 : -1;
}

/* handshake - OpenSSL over fd; what was agreed, or why not */
static int
handshake(int fd, const char *host, char *seen, size_t len)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = NULL;
	X509 *cert;
	char subj[256] = "none";
	long v;
	int ok = 0;

	if (ctx == NULL)
		return 0;
	SSL_CTX_set_default_verify_paths(ctx);
	if ((ssl = SSL_new(ctx)) != NULL && SSL_set_fd(ssl, fd) == 1) {
		SSL_set_tlsext_host_name(ssl, host);
		if (SSL_connect(ssl) == 1) {
			ok = 1;
			if ((cert = SSL_get1_peer_certificate(ssl)) != NULL) {
				X509_NAME_oneline(X509_get_subject_name(cert),
				    subj, sizeof(subj));
				X509_free(cert);
			}
			v = SSL_get_verify_result(ssl);
			snprintf(seen, len, "%s %s, certificate %s, verify: %s",
			    SSL_get_version(ssl), SSL_get_cipher_name(ssl),
			    subj, X509_verify_cert_error_string(v));
		} else {
			snprintf(seen, len, "handshake failed: %s",
			    ERR_reason_error_string(ERR_get_error()) ?
			    ERR_reason_error_string(ERR_peek_last_error()) :
			    "connection closed");
		}
	}
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	return ok;
}

/* split_hostport - "host", "host:port", "[v6]:port" */
static void
split_hostport(const char *s, char *host, size_t hlen, char *port,
    size_t plen)
{
	const char *c;

	snprintf(port, plen, "25");
	if (s[0] == '[' && (c = strchr(s, ']')) != NULL) {
		snprintf(host, hlen, "%.*s", (int)(c - s - 1), s + 1);
		if (c[1] == ':')
			snprintf(port, plen, "%s", c + 2);
		return;
	}
	if ((c = strrchr(s, ':')) != NULL && strchr(s, ':') == c) {
		snprintf(host, hlen, "%.*s", (int)(c - s), s);
		snprintf(port, plen, "%s", c + 1);
		return;
	}
	snprintf(host, hlen, "%s", s);
}

/* starttls - banner, EHLO, STARTTLS offered and accepted */
static int
starttls(int fd, const char *helo, char *why, size_t wlen)
{
	char buf[PROBE_MAX_REPLY], cmd[300];
	int code;

	if ((code = reply(fd, buf, sizeof(buf))) != 220) {
		snprintf(why, wlen, "banner: %.200s", code < 0 ?
		    "no reply" : buf);
		return 0;
	}
	snprintf(cmd, sizeof(cmd), "EHLO %s\r\n", helo);
	if (say(fd, cmd) != 0 || (code = reply(fd, buf, sizeof(buf))) != 250) {
		snprintf(why, wlen, "EHLO: %.200s", code < 0 ? "no reply" : buf);
		return 0;
	}
	if (strcasestr(buf, "STARTTLS") == NULL) {
		snprintf(why, wlen, "STARTTLS is not offered after EHLO");
		return 0;
	}
	if (say(fd, "STARTTLS\r\n") != 0 ||
	    (code = reply(fd, buf, sizeof(buf))) != 220) {
		snprintf(why, wlen, "STARTTLS: %.200s", code < 0 ?
		    "no reply" : buf);
		return 0;
	}
	return 1;
}

/* pf_doctor_probe - the handshake, when --probe asked for it */
void
pf_doctor_probe(struct pf_doctor *d)
{
	const char *rule = d->cfg->bulk == PF_BULK_YES ? "bulk-tls" :
	    "tls-required-for-domain";
	char host[256], port[16], seen[600] = "", check[300];
	int fd;

	if (d->probe == NULL)
		return;
	split_hostport(d->probe, host, sizeof(host), port, sizeof(port));
	snprintf(check, sizeof(check), "tls.probe[%s:%s]", host, port);
	if ((fd = dial(host, port, seen, sizeof(seen))) < 0) {
		pf_report_add(d->rep, PF_MTA_FAIL, check, NULL,
		    "check the host, the port and the firewall", "%s", seen);
		return;
	}
	if (!starttls(fd, d->helo[0] ? d->helo : "localhost", seen,
	    sizeof(seen)))
		pf_report_add(d->rep, PF_MTA_FAIL, check, rule,
		    "smtpd_tls_security_level = may with a certificate "
		    "(smtpd_tls_chain_files) on that host", "%s", seen);
	else if (!handshake(fd, host, seen, sizeof(seen)))
		pf_report_add(d->rep, PF_MTA_FAIL, check, rule,
		    "check the TLS settings and certificate of that host",
		    "%s", seen);
	else
		pf_report_add(d->rep, PF_MTA_OK, check, NULL, NULL, "%s",
		    seen);
	close(fd);
}
