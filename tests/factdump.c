/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * factdump.c - feed files through the message builder and the content
 * analyzers and print the facts they set, "name=value" a line.  With -q,
 * print nothing (for timing and memory measurements).  A test and
 * benchmark driver, not an installed tool.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "base/facts.h"
#include "base/msg.h"
#include "message/content.h"

/* one_file - run one message; 0, or 1 on error */
static int
one_file(const char *path, int quiet)
{
	static char buf[65536];
	const struct pf_observer *const *obs;
	struct pf_facts *f = pf_facts_new();
	struct pf_msg *m = pf_msg_new();
	FILE *fp;
	size_t n, i;
	int id;

	if (f == NULL || m == NULL)
		return 1;
	if ((fp = strcmp(path, "-") ? fopen(path, "rb") : stdin) == NULL) {
		perror(path);
		return 1;
	}
	obs = pf_content_observers(&n);
	for (i = 0; i < n; i++)
		if (pf_msg_observe(m, obs[i]) != PF_OK)
			return 1;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		if (pf_msg_raw(m, buf, n) != PF_OK)
			return 1;
	if (fp != stdin)
		fclose(fp);
	if (pf_msg_end(m, f) != PF_OK)
		return 1;
	for (id = 0; !quiet && id < PF_F__COUNT; id++) {
		if (!pf_fact_known(f, id))
			continue;
		if (pf_fact_type(id) == PF_T_STR)
			printf("%s=%s\n", pf_fact_name(id), pf_fact_gets(f, id));
		else
			printf("%s=%lld\n", pf_fact_name(id),
			    (long long)pf_fact_getn(f, id));
	}
	pf_msg_free(m);
	pf_facts_free(f);
	return 0;
}

int
main(int argc, char **argv)
{
	int i, quiet = 0, rc = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-q") == 0) {
			quiet = 1;
			continue;
		}
		if (!quiet && argc > 2)
			printf("== %s\n", argv[i]);
		rc |= one_file(argv[i], quiet);
	}
	return rc;
}
