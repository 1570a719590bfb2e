/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state.c - `preflight state`: look inside the state store.
 *
 *   preflight state [OPTIONS] show DOMAIN|ADDRESS
 *   preflight state [OPTIONS] top [-n N]
 *   preflight state [OPTIONS] forget DOMAIN|ADDRESS
 *   OPTIONS: --json, --config FILE, --rules FILE
 *
 * The store is the one of the configuration (--config, or the daemon's
 * file, or the built-in default when that file does not exist).  show and
 * top only read; forget deletes.  Addresses are never stored: show ADDRESS
 * looks them up by their keyed hash, and top lists recipients as hashes.
 * Exit status: 0, 64 usage, 66 config missing, 69 store unreachable,
 * 78 bad config.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "base/json.h"
#include "base/pf.h"
#include "cli.h"
#include "config/config.h"
#include "engine/engine.h"
#include "state/count.h"
#include "state/state.h"

#ifndef PF_SYSCONFDIR
#define PF_SYSCONFDIR	"/etc"
#endif
#define TOP_MAX		1000

static void
state_usage(FILE *fp)
{
	fputs("usage: preflight state [--json] [--config FILE] [--rules FILE] "
	    "show DOMAIN|ADDRESS\n"
	    "       preflight state [--json] [--config FILE] [--rules FILE] "
	    "top [-n N]\n"
	    "       preflight state [--json] [--config FILE] [--rules FILE] "
	    "forget DOMAIN|ADDRESS\n", fp);
}


/* date - a time as YYYY-MM-DD UTC, or "" for 0 */
static const char *
date(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	buf[0] = '\0';
	if (t != 0 && gmtime_r(&tt, &tm) != NULL)
		strftime(buf, len, "%Y-%m-%d", &tm);
	return buf;
}

/* unreachable - the store could not be read: say so, EX_UNAVAILABLE */
static int
unreachable(const struct pf_err *err)
{
	char buf[800];

	fprintf(stderr, "preflight: %s\n", pf_err_format(err, buf,
	    sizeof(buf)));
	return EX_UNAVAILABLE;
}

/* show_domain - volume, peak, bulk status of an organizational domain */
static int
show_domain(struct pf_engine *e, const char *arg, int json)
{
	struct pf_state_view v;
	struct pf_err err = { 0 };
	char org[256], d[16];

	if (pf_engine_orgdomain(e, arg, org, sizeof(org)) != PF_OK) {
		fprintf(stderr, "preflight: '%s' is not a domain name\n", arg);
		return EX_USAGE;
	}
	if (pf_state_show_domain(pf_engine_state(e), org, &v, &err) != PF_OK)
		return unreachable(&err);
	date(v.bulk_since, d, sizeof(d));
	if (json) {
		fputs("{\"domain\":", stdout);
		pf_json_str(stdout, arg);
		fputs(",\"org_domain\":", stdout);
		pf_json_str(stdout, org);
		printf(",\"personal_gmail_24h\":%lld,\"peak_24h\":%lld,"
		    "\"bulk\":%s,\"bulk_since\":", (long long)v.org_day,
		    (long long)v.org_peak, v.bulk_since ? "true" : "false");
		pf_json_str(stdout, v.bulk_since ? d : NULL);
		printf(",\"relay_recipients_24h\":%lld,"
		    "\"relay_recipients_10min\":%lld}\n",
		    (long long)v.relay_org_day, (long long)v.relay_org_10min);
		return EX_OK;
	}
	printf("%s (organizational domain %s)\n", arg, org);
	printf("  to personal Gmail, last 24 h:  %lld\n", (long long)v.org_day);
	printf("  peak 24 h:                     %lld\n",
	    (long long)v.org_peak);
	printf("  bulk sender:                   %s%s\n",
	    v.bulk_since ? "yes, since " : "no", d);
	printf("  relayed recipients, 24 h:      %lld\n",
	    (long long)v.relay_org_day);
	printf("  relayed recipients, 10 min:    %lld\n",
	    (long long)v.relay_org_10min);
	return EX_OK;
}

/* show_addr - what is counted for an address, found by its hash */
static int
show_addr(struct pf_engine *e, const char *arg, int json)
{
	struct pf_state_view v;
	struct pf_err err = { 0 };
	char h[PF_STATE_HASH_LEN + 1];

	if (pf_state_show_addr(pf_engine_state(e), arg, &v, h, &err) != PF_OK)
		return unreachable(&err);
	if (json) {
		fputs("{\"address\":", stdout);
		pf_json_str(stdout, arg);
		printf(",\"key\":\"%s\",\"recipient_minute\":%lld,"
		    "\"recipient_hour\":%lld,\"recipient_24h\":%lld,"
		    "\"relay_messages_24h\":%lld,\"relay_recipients_24h\":%lld,"
		    "\"relay_distinct_recipients_24h\":%lld,"
		    "\"account_messages_24h\":%lld,"
		    "\"account_recipients_24h\":%lld}\n", h,
		    (long long)v.rcpt_minute, (long long)v.rcpt_hour,
		    (long long)v.rcpt_day, (long long)v.relay_msgs,
		    (long long)v.relay_rcpts, (long long)v.relay_unique,
		    (long long)v.account_msgs, (long long)v.account_rcpts);
		return EX_OK;
	}
	printf("%s (stored as %s)\n", arg, h);
	printf("  received, last minute / hour / 24 h:  %lld / %lld / %lld\n",
	    (long long)v.rcpt_minute, (long long)v.rcpt_hour,
	    (long long)v.rcpt_day);
	printf("  relayed as sender, 24 h: %lld messages, %lld recipients, "
	    "%lld distinct\n", (long long)v.relay_msgs,
	    (long long)v.relay_rcpts, (long long)v.relay_unique);
	printf("  as the smtp.gmail.com account, 24 h: %lld messages, "
	    "%lld recipients\n", (long long)v.account_msgs,
	    (long long)v.account_rcpts);
	return EX_OK;
}

/* top_list - one ranked list; prefix stripped from the keys */
static int
top_list(struct pf_engine *e, const char *title, const char *prefix,
    uint32_t window, size_t n, int json, int first)
{
	struct pf_state_row *rows = calloc(n, sizeof(*rows));
	struct pf_err err = { 0 };
	size_t got = 0, i, pl = strlen(prefix);

	if (rows == NULL)
		return EX_SOFTWARE;
	if (pf_state_scan(pf_engine_state(e), prefix, window, rows, n, &got,
	    &err) != PF_OK) {
		free(rows);
		return unreachable(&err);
	}
	if (json) {
		printf("%s\"%s\":[", first ? "{" : ",", title);
		for (i = 0; i < got; i++) {
			printf("%s{\"key\":", i ? "," : "");
			pf_json_str(stdout, rows[i].key + pl);
			printf(",\"count\":%lld}", (long long)rows[i].count);
		}
		fputs("]", stdout);
	} else {
		printf("%s%s\n", first ? "" : "\n", title);
		for (i = 0; i < got; i++)
			printf("  %10lld  %s\n", (long long)rows[i].count,
			    rows[i].key + pl);
		if (got == 0)
			puts("  (none)");
	}
	free(rows);
	return EX_OK;
}

/* top - the busiest sending domains and recipients right now */
static int
top(struct pf_engine *e, size_t n, int json)
{
	int rc;

	if ((rc = top_list(e, json ? "domains_personal_gmail_24h" :
	    "sending domains, messages to personal Gmail in 24 h", "o|",
	    PF_W_DAY, n, json, 1)) != EX_OK)
		return rc;
	if ((rc = top_list(e, json ? "recipients_hour" :
	    "recipients (keyed hashes), messages in the last hour", "r|",
	    PF_W_HOUR, n, json, 0)) != EX_OK)
		return rc;
	if (json)
		puts("}");
	return EX_OK;
}

/* forget - drop what is kept for a domain or an address */
static int
forget(struct pf_engine *e, const char *arg, int json)
{
	struct pf_err err = { 0 };
	char org[256];
	int rc;

	if (strchr(arg, '@') != NULL)
		rc = pf_state_forget_addr(pf_engine_state(e), arg, &err);
	else if (pf_engine_orgdomain(e, arg, org, sizeof(org)) != PF_OK) {
		fprintf(stderr, "preflight: '%s' is not a domain name\n", arg);
		return EX_USAGE;
	} else
		rc = pf_state_forget_domain(pf_engine_state(e), org, &err);
	if (rc != PF_OK)
		return unreachable(&err);
	if (json) {
		fputs("{\"forgot\":", stdout);
		pf_json_str(stdout, strchr(arg, '@') ? arg : org);
		puts("}");
	} else
		printf("forgot %s\n", strchr(arg, '@') ? arg : org);
	return EX_OK;
}

static const struct option state_longopts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "config", required_argument, NULL, 'c' },
	{ "rules", required_argument, NULL, 'R' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* subcommand - the arguments after show, top or forget (argv[optind] on);
 * top's -n may follow it; a sysexits status */
static int
subcommand(int argc, char **argv, const char *cmd, int64_t *n)
{
	int ch;

	if (strcmp(cmd, "top") == 0) {
		while ((ch = getopt_long(argc, argv, "n:", state_longopts,
		    NULL)) != -1)
			if (ch != 'n' || pf_strtonum(optarg, strlen(optarg), 1,
			    TOP_MAX, n) != PF_OK) {
				state_usage(stderr);
				return EX_USAGE;
			}
		if (optind == argc)
			return EX_OK;
	} else if ((strcmp(cmd, "show") == 0 || strcmp(cmd, "forget") == 0) &&
	    optind + 1 == argc) {
		if (argv[optind][0] != '\0' && argv[optind][0] != '-')
			return EX_OK;
	} else
		fprintf(stderr, "preflight: state: expected show, top or "
		    "forget with its argument\n");
	state_usage(stderr);
	return EX_USAGE;
}

/* pf_cli_state - the state subcommand */
int
pf_cli_state(int argc, char **argv)
{
	const struct option *longopts = state_longopts;
	const char *config = NULL, *rules = NULL, *cmd;
	struct pf_engine *e = NULL;
	int64_t n = 10;
	int ch, json = 0, rc;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+n:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'c':
			config = optarg;
			break;
		case 'R':
			rules = optarg;
			break;
		case 'n':
			if (pf_strtonum(optarg, strlen(optarg), 1, TOP_MAX,
			    &n) != PF_OK) {
				fprintf(stderr, "preflight: -n: expected "
				    "1..%d\n", TOP_MAX);
				return EX_USAGE;
			}
			break;
		case 'h':
			state_usage(stdout);
			return EX_OK;
		default:
			fprintf(stderr, "preflight: state: bad option '%s'\n",
			    argv[optind - 1]);
			state_usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		state_usage(stderr);
		return EX_USAGE;
	}
	cmd = argv[optind++];
	if ((rc = subcommand(argc, argv, cmd, &n)) != EX_OK)
		return rc;
	rc = pf_cli_state_engine(config, rules, strcmp(cmd, "forget") == 0, &e);
	if (rc != EX_OK)
		return rc;
	if (strcmp(cmd, "top") == 0)
		rc = top(e, (size_t)n, json);
	else if (strcmp(cmd, "forget") == 0)
		rc = forget(e, argv[optind], json);
	else if (strchr(argv[optind], '@') != NULL)
		rc = show_addr(e, argv[optind], json);
	else
		rc = show_domain(e, argv[optind], json);
	if (rc == EX_OK && fflush(stdout) != 0)
		rc = EX_IOERR;
	pf_engine_unref(e);
	return rc;
}
