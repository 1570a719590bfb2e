/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * statebench.c - what the state store adds to each message: N synthetic
 * messages (each to its own Gmail recipient, its own Message-ID, from one
 * of 50 sending domains) through the engine with pf_check_run and
 * pf_check_record, once per State given, timed.  The first State is the
 * baseline (State none); the others print their added microseconds per
 * message over it.  With a Redis store it also times PING, one loopback
 * round trip, for comparison.
 * usage: statebench RULES N STATE...
 * Built and run by contrib/bench/state.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "base/pf.h"
#include "config/config.h"
#include "engine/engine.h"
#include "catalog/rules.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* one - message i through the engine; 0 on success */
static int
one(struct pf_engine *e, long i, long run)
{
	struct pf_check *c = pf_check_new(e);
	struct pf_verdict v;
	struct pf_err err;
	struct pf_msg *m;
	char rcpt[64], buf[600];
	int n, rc;

	if (c == NULL)
		return -1;
	m = pf_check_msg(c);
	snprintf(rcpt, sizeof(rcpt), "r%ld.%ld@gmail.com", run, i);
	pf_msg_helo(m, "mta.example.com");
	pf_msg_mail(m, "<bounce@example.com>");
	pf_msg_rcpt(m, rcpt);
	n = snprintf(buf, sizeof(buf), "From: News <news@d%ld.example.com>\r\n"
	    "To: <%s>\r\nSubject: bench %ld\r\n"
	    "Date: Mon, 30 Nov 2026 05:00:00 +0000\r\n"
	    "Message-ID: <%ld.%ld@d%ld.example.com>\r\n"
	    "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n"
	    "Hello %ld.\r\n", i % 50, rcpt, i, run, i, i % 50, i);
	pf_msg_raw(m, buf, (size_t)n);
	memset(&err, 0, sizeof(err));
	rc = pf_check_run(c, &v, &err);
	if (rc == PF_OK)
		rc = pf_check_record(c, &err);
	if (rc != PF_OK)
		fprintf(stderr, "statebench: %s\n", err.msg);
	pf_verdict_reset(&v);
	pf_check_free(c);
	return rc == PF_OK ? 0 : -1;
}

/* ping_us - one loopback round trip to the Redis of spec, in us */
static double
ping_us(const struct pf_state_spec *s)
{
	redisContext *c = redisConnect(s->host, (int)s->port);
	double t0, t;
	int i;

	if (c == NULL || c->err)
		return -1;
	t0 = now();
	for (i = 0; i < 2000; i++)
		freeReplyObject(redisCommand(c, "PING"));
	t = (now() - t0) / 2000 * 1e6;
	redisFree(c);
	return t;
}

int
main(int argc, char **argv)
{
	double base = 0;
	long n, i;
	int k;

	if (argc < 4) {
		fputs("usage: statebench RULES N STATE...\n", stderr);
		return 64;
	}
	n = strtol(argv[2], NULL, 10);
	for (k = 3; k < argc; k++) {
		struct pf_config *cfg = pf_config_default();
		struct pf_engine *e;
		struct pf_err err;
		double t0, us;

		memset(&err, 0, sizeof(err));
		if (pf_config_set(cfg, "Rules", argv[1], &err) != PF_OK ||
		    pf_config_set(cfg, "DNS", "no", &err) != PF_OK ||
		    pf_config_set(cfg, "State", argv[k], &err) != PF_OK) {
			fprintf(stderr, "statebench: %s\n", err.msg);
			return 64;
		}
		if (pf_engine_new(cfg, &e, &err) != PF_OK) {
			fprintf(stderr, "statebench: %s\n", err.msg);
			return 1;
		}
		for (i = 0; i < n / 10; i++)	/* warm up: open, salt */
			if (one(e, i, 1000 + k) != 0)
				return 1;
		t0 = now();
		for (i = 0; i < n; i++)
			if (one(e, i, k) != 0)
				return 1;
		us = (now() - t0) / (double)n * 1e6;
		if (k == 3)
			base = us;
		printf("%-40s %8.1f us/message", argv[k], us);
		if (k > 3)
			printf("  +%.1f us over %s", us - base, argv[3]);
		if (strncmp(argv[k], "redis://", 8) == 0)
			printf("  (loopback PING %.1f us)",
			    ping_us(&pf_engine_config(e)->state));
		putchar('\n');
		pf_engine_unref(e);
	}
	return 0;
}
