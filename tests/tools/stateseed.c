/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * stateseed.c - put history into a state store the way the engine counts
 * it, many messages at once, for the tests of the state rules and the
 * end-to-end runs.  A test tool, not installed.
 *
 *   stateseed SPEC [-n TIMES] [-a SECONDS-AGO] [-f FROM-ORG] [-m MSGID]
 *             [-s SENDER -o SENDER-ORG] [-r] [-A ACCOUNT] RCPT...
 *
 * -r counts through smtp-relay.gmail.com, -A through smtp.gmail.com as
 * ACCOUNT.  The message is counted TIMES
 * times (default 1), as if sent SECONDS-AGO seconds ago (default 0).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/pf.h"
#include "base/facts.h"
#include "base/statespec.h"
#include "state/count.h"
#include "state/state.h"

static int64_t ago;

static int64_t
past(void *arg)
{
	return (int64_t)time(NULL) - ago;
}

static int
usage(void)
{
	fputs("usage: stateseed SPEC [-n TIMES] [-a SECONDS-AGO] "
	    "[-f FROM-ORG] [-m MSGID] [-s SENDER -o SENDER-ORG] [-r] "
	    "[-A ACCOUNT] RCPT...\n", stderr);
	return 64;
}

int
main(int argc, char **argv)
{
	struct pf_state_spec spec;
	struct pf_state_msg m;
	struct pf_state_memo memo;
	struct pf_state *st;
	struct pf_facts *f = pf_facts_new();
	struct pf_err err;
	char why[400];
	int ch, rc;

	memset(&m, 0, sizeof(m));
	memset(&err, 0, sizeof(err));
	m.bulk_line = 5000;
	if (argc < 2 || pf_state_spec_parse(argv[1], &spec, why,
	    sizeof(why)) != 0)
		return usage();
	optind = 2;
	while ((ch = getopt(argc, argv, "n:a:f:m:s:o:rb:A:")) != -1)
		switch (ch) {
		case 'n': m.times = strtoll(optarg, NULL, 10); break;
		case 'a': ago = strtoll(optarg, NULL, 10); break;
		case 'f': m.org = optarg; break;
		case 'm': m.msgid = optarg; break;
		case 's': m.sender = optarg; break;
		case 'o': m.sender_org = optarg; break;
		case 'r': m.relay = 1; break;
		case 'b': m.bulk_line = strtoll(optarg, NULL, 10); break;
		case 'A': m.account = optarg; break;
		default: return usage();
		}
	m.rcpt = (const char *const *)(argv + optind);
	m.nrcpt = (size_t)(argc - optind);
	if (pf_state_new(&spec, 0, 2000, &st, &err) != PF_OK || st == NULL)
		return usage();
	pf_state_set_clock(st, past, NULL);
	pf_state_read(st, &m, f, &memo);
	if (!memo.read) {
		fprintf(stderr, "stateseed: %s\n",
		    pf_fact_why(f, PF_F_STATE_RCPT_MINUTE));
		return 75;
	}
	rc = pf_state_count(st, &m, &memo, &err);
	if (rc == PF_OK) {
		/* a read drains what Redis owes for the deferred writes */
		pf_state_read(st, &m, f, &memo);
		rc = memo.read ? PF_OK : PF_ETEMP;
	}
	if (rc != PF_OK)
		fprintf(stderr, "stateseed: %s\n", err.msg);
	pf_state_free(st);
	pf_facts_free(f);
	return rc == PF_OK ? 0 : 75;
}
