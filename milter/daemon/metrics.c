/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics.c - GET /metrics in Prometheus's text exposition format, served
 * by libmicrohttpd on MetricsListen ([host:]port; loopback when no host
 * is given; off when unset).  A scrape is rendered from stats.c into
 * memory and sent whole; the listener has its own thread (libmicrohttpd's
 * internal polling thread, made after the signal mask is set, so it takes
 * no signal), at most a few connections, and a short timeout, so a slow
 * or hostile client costs nothing to mail flow.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "daemon.h"
#include "stats.h"

#define MAX_CONN	8
#define TIMEOUT_S	10

static struct MHD_Daemon *mhd;

/* pf_metrics_parse - "[host:]port" or "[v6]:port" into an address; the
 * host must be a literal (no lookups at start); -1 if malformed */
int
pf_metrics_parse(const char *spec, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char host[128] = "127.0.0.1";
	const char *colon, *port = spec;
	char *end;
	long p;

	memset(ss, 0, sizeof(*ss));
	if (spec[0] == '[') {
		if ((colon = strstr(spec, "]:")) == NULL ||
		    (size_t)(colon - spec - 1) >= sizeof(host))
			return -1;
		snprintf(host, sizeof(host), "%.*s", (int)(colon - spec - 1),
		    spec + 1);
		port = colon + 2;
	} else if ((colon = strrchr(spec, ':')) != NULL) {
		if ((size_t)(colon - spec) >= sizeof(host))
			return -1;
		snprintf(host, sizeof(host), "%.*s", (int)(colon - spec),
		    spec);
		port = colon + 1;
	}
	p = strtol(port, &end, 10);
	if (*port == '\0' || *end != '\0' || p < 1 || p > 65535)
		return -1;
	if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((unsigned short)p);
		*len = sizeof(*in);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)p);
		*len = sizeof(*in6);
		return 0;
	}
	return -1;
}

/* reply - a response with a body we own, and its content type */
static enum MHD_Result
reply(struct MHD_Connection *c, unsigned code, char *body, size_t len,
    const char *type)
{
	struct MHD_Response *r;
	enum MHD_Result rc;

	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	rc = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return rc;
}

/* text - a short plain-text response */
static enum MHD_Result
text(struct MHD_Connection *c, unsigned code, const char *msg)
{
	char *b = strdup(msg);

	return b != NULL ? reply(c, code, b, strlen(b), "text/plain") : MHD_NO;
}

/* handler - GET (or HEAD) /metrics; everything else 404 or 405 */
static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_len, void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET only\n");
	if (strcmp(url, "/metrics") != 0)
		return text(c, MHD_HTTP_NOT_FOUND, "see /metrics\n");
	if ((fp = open_memstream(&buf, &len)) == NULL)
		return MHD_NO;
	pf_stats_render(fp);
	if (fclose(fp) != 0) {
		free(buf);
		return MHD_NO;
	}
	return reply(c, MHD_HTTP_OK, buf, len,
	    "text/plain; version=0.0.4; charset=utf-8");
}

/* pf_metrics_start - listen on spec; -1 (logged) if it cannot */
int
pf_metrics_start(const char *spec)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (spec == NULL)
		return 0;
	if (pf_metrics_parse(spec, &ss, &len) != 0) {
		pf_log(LOG_ERR, "MetricsListen %s: expected [host:]port", spec);
		return -1;
	}
	mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
	    ntohs(((struct sockaddr_in *)&ss)->sin_port), NULL, NULL,
	    handler, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONN,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)TIMEOUT_S,
	    MHD_OPTION_END);
	if (mhd == NULL) {
		pf_log(LOG_ERR, "MetricsListen %s: cannot listen", spec);
		return -1;
	}
	pf_log(LOG_NOTICE, "metrics on http://%s/metrics", spec);
	return 0;
}

/* pf_metrics_stop - close the listener (no-op when off) */
void
pf_metrics_stop(void)
{
	if (mhd != NULL)
		MHD_stop_daemon(mhd);
	mhd = NULL;
}
