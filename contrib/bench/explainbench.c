/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * explainbench.c - replies classified per second by the explain matcher
 * (pf_explain) on full Postfix log lines, one per catalog entry as Gmail
 * sends it, in a loop.  Usage: explainbench RULES [SECONDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/pf.h"
#include "catalog/rules.h"
#include "explain/explain.h"

/* now - monotonic seconds */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* logline - a Postfix bounce line carrying the entry's text */
static char *
logline(const struct pf_rule *r)
{
	char *out;
	size_t n = strlen(r->text) + 512;

	if ((out = malloc(n)) == NULL)
		return NULL;
	snprintf(out, n, "Nov 30 04:12:01 mx1 postfix/smtp[21345]: "
	    "4Z1k2L3m4nP: to=<someone@gmail.com>, "
	    "relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, "
	    "delay=1.2, delays=0.01/0/0.4/0.8, dsn=%s, status=bounced "
	    "(host gmail-smtp-in.l.google.com[142.250.102.27] said: %d-%s "
	    "%s %d %s a1b2c3d4e5f6si1234567qkb.12 - gsmtp (in reply to "
	    "end of DATA command))", r->status, r->reply, r->status, r->text,
	    r->reply, r->status);
	return out;
}

int
main(int argc, char **argv)
{
	struct pf_explanation x = { 0 };
	struct pf_rules *rs;
	struct pf_err err = { 0 };
	char buf[1024], **lines;
	double t0, secs = argc > 2 ? atof(argv[2]) : 3.0;
	size_t i, n = 0, matched = 0;

	if (argc < 2 || pf_rules_load(argv[1], &rs, &err) != PF_OK) {
		fprintf(stderr, "usage: explainbench RULES [SECONDS] %s\n",
		    pf_err_format(&err, buf, sizeof(buf)));
		return 2;
	}
	if ((lines = calloc(rs->nrule, sizeof(*lines))) == NULL)
		return 1;
	for (i = 0; i < rs->nrule; i++)
		if ((lines[i] = logline(&rs->rule[i])) == NULL)
			return 1;
	t0 = now();
	while (now() - t0 < secs)
		for (i = 0; i < rs->nrule; i++, n++) {
			if (pf_explain(rs, lines[i], strlen(lines[i]), &x,
			    &err) == PF_OK && x.kind == PF_X_MATCH &&
			    x.rule == &rs->rule[i])
				matched++;
			pf_explanation_reset(&x);
		}
	printf("%zu replies in %.2f s: %.0f per second, %zu named right\n",
	    n, now() - t0, (double)n / (now() - t0), matched);
	return 0;
}
