/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * enginebench.c - the engine alone, in one process: every message of a
 * directory through pf_check (content analyzers, then the rules; DNS off),
 * ROUNDS times, timed.  Prints messages, bytes, seconds, msgs/s and MB/s.
 * Under callgrind, --toggle-collect=check_one counts only the per-message
 * work, so instructions per byte leave out start-up (rules loading).
 * One check is reset and reused across the messages, as the daemon does
 * within an SMTP session; with PF_BENCH_FRESH=1 in the environment each
 * message gets a new check instead (the cost of building one).
 * usage: enginebench CONFIG DIR [ROUNDS]
 * Built and run by contrib/bench/engine.sh.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/pf.h"
#include "config/policy.h"	/* and the core's config.h */
#include "engine/engine.h"
#include "catalog/rules.h"

struct msgbuf {
	unsigned char	*p;
	size_t		 n;
};

/* load - a whole file; 0 on failure */
static int
load(const char *path, struct msgbuf *m)
{
	FILE *fp = fopen(path, "rb");
	size_t cap = 1 << 16, got;

	m->n = 0;
	if (fp == NULL || (m->p = malloc(cap)) == NULL)
		return 0;
	while ((got = fread(m->p + m->n, 1, cap - m->n, fp)) > 0)
		if ((m->n += got) == cap &&
		    (m->p = realloc(m->p, cap *= 2)) == NULL)
			abort();
	fclose(fp);
	return 1;
}

/* check_one - one message through the engine: through *cp reset, or a
 * new check when *cp is NULL (fresh) */
__attribute__((noinline)) static void
check_one(struct pf_engine *e, const struct msgbuf *m, struct pf_check **cp)
{
	struct pf_check *c = *cp != NULL ? *cp : pf_check_new(e);
	struct pf_verdict v;
	struct pf_err err;
	struct pf_msg *msg;

	memset(&v, 0, sizeof(v));
	memset(&err, 0, sizeof(err));
	if (c == NULL || (*cp != NULL && pf_check_reset(c) != PF_OK))
		abort();
	msg = pf_check_msg(c);
	pf_msg_helo(msg, "mta.bench.example");
	pf_msg_mail(msg, "<bench@bench.example>");
	pf_msg_rcpt(msg, "<user@gmail.com>");
	if (pf_msg_raw(msg, m->p, m->n) != PF_OK ||
	    pf_check_run(c, &v, &err) != PF_OK)
		abort();
	pf_verdict_reset(&v);
	if (*cp == NULL)
		pf_check_free(c);
}

int
main(int argc, char **argv)
{
	struct pf_config *cfg = NULL;
	struct pf_engine *e = NULL;
	struct pf_check *c = NULL;
	const char *fresh = getenv("PF_BENCH_FRESH");
	struct pf_err err;
	struct msgbuf *msgs = NULL;
	struct dirent **ents;
	struct timespec t0, t1;
	char path[4096], buf[800];
	size_t nmsg = 0, bytes = 0, i;
	int k, j, rounds = argc > 3 ? atoi(argv[3]) : 1;

	if (argc < 3 || rounds < 1) {
		fprintf(stderr, "usage: enginebench CONFIG DIR [ROUNDS]\n");
		return 64;
	}
	memset(&err, 0, sizeof(err));
	if (pf_config_load(argv[1], &cfg, &err) != PF_OK ||
	    pf_engine_new(cfg, &e, &err) != PF_OK) {
		fprintf(stderr, "enginebench: %s\n",
		    pf_err_format(&err, buf, sizeof(buf)));
		return 1;
	}
	if ((k = scandir(argv[2], &ents, NULL, alphasort)) < 0 ||
	    (msgs = calloc((size_t)k, sizeof(*msgs))) == NULL)
		return 1;
	for (j = 0; j < k; j++) {
		if (strstr(ents[j]->d_name, ".eml") != NULL &&
		    (size_t)snprintf(path, sizeof(path), "%s/%s", argv[2],
		    ents[j]->d_name) < sizeof(path) && load(path, &msgs[nmsg]))
			bytes += msgs[nmsg++].n;
		free(ents[j]);
	}
	free(ents);
	if ((fresh == NULL || strcmp(fresh, "1") != 0) &&
	    (c = pf_check_new(e)) == NULL)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (j = 0; j < rounds; j++)
		for (i = 0; i < nmsg; i++)
			check_one(e, &msgs[i], &c);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	{
		double s = (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

		printf("messages %zu bytes %zu rounds %d seconds %.3f "
		    "msgs_per_s %.1f MB_per_s %.2f\n", nmsg, bytes, rounds, s,
		    (double)nmsg * rounds / s,
		    (double)bytes * rounds / s / 1e6);
	}
	for (i = 0; i < nmsg; i++)
		free(msgs[i].p);
	free(msgs);
	pf_check_free(c);
	pf_engine_unref(e);
	return 0;
}
