/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * doctor.c - `preflight doctor`: audit the MTA and DNS for the problems
 * that make Gmail refuse every message at once.  Reads preflight.conf
 * (the daemon's Socket, EgressIP, HELO, Signer, Bulk), the MTA's own
 * configuration (postconf -c DIR, or a sendmail.cf) and DNS, and prints
 * one line per check (docs/doctor.md).  Exit status: 0 nothing failed,
 * 1 a check failed or could not be made, 64 usage, 66 an unreadable MTA
 * configuration, 70 internal error, 78 a bad preflight.conf or main.cf.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/pf.h"
#include "cli.h"
#include "config/config.h"
#include "config/policy.h"
#include "auth/dns.h"
#include "catalog/rules.h"
#include "mta/doctor.h"

#ifndef PF_SYSCONFDIR
#define PF_SYSCONFDIR	"/etc"
#endif

struct doctor_opts {
	const char	*config;
	const char	*postfix_dir;
	const char	*sendmail_cf;
	const char	*domains[PF_DOCTOR_MAX_DOMAINS];
	size_t		 ndomains;
	const char	*probe;
	int		 json;
};

static void
doctor_usage(void)
{
	fputs("usage: preflight doctor [--config FILE] "
	    "[--postfix-dir DIR | --sendmail-cf FILE]\n"
	    "                        [--domain DOMAIN]... [--json] "
	    "[--probe HOST[:PORT]]\n", stderr);
}

/* domain_ok - a plausible domain name for --domain */
static int
domain_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 253 || s[0] == '.' || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!(s[i] == '.' || s[i] == '-' || (s[i] >= '0' &&
		    s[i] <= '9') || ((s[i] | 0x20) >= 'a' &&
		    (s[i] | 0x20) <= 'z')))
			return 0;
	return 1;
}

/* parse_opts - getopt_long over the doctor contract; EX_* */
static int
parse_opts(int argc, char **argv, struct doctor_opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "postfix-dir", required_argument, NULL, 'p' },
		{ "sendmail-cf", required_argument, NULL, 's' },
		{ "domain", required_argument, NULL, 'd' },
		{ "probe", required_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': o->config = optarg; break;
		case 'p': o->postfix_dir = optarg; break;
		case 's': o->sendmail_cf = optarg; break;
		case 'P': o->probe = optarg; break;
		case 'j': o->json = 1; break;
		case 'd':
			if (!domain_ok(optarg)) {
				fprintf(stderr, "preflight: --domain: '%s' "
				    "is not a domain name\n", optarg);
				return EX_USAGE;
			}
			if (o->ndomains >= PF_DOCTOR_MAX_DOMAINS) {
				fprintf(stderr, "preflight: too many --domain "
				    "(at most %d)\n", PF_DOCTOR_MAX_DOMAINS);
				return EX_USAGE;
			}
			o->domains[o->ndomains++] = optarg;
			break;
		case 'h':
			doctor_usage();
			exit(EX_OK);
		default:
			fprintf(stderr, "preflight: doctor: bad option '%s'\n",
			    argv[optind - 1]);
			doctor_usage();
			return EX_USAGE;
		}
	}
	if (optind != argc || (o->postfix_dir && o->sendmail_cf) ||
	    (o->probe != NULL && *o->probe == '\0')) {
		fputs(optind != argc ? "preflight: doctor takes no operands\n" :
		    o->probe ? "preflight: --probe: empty host\n" :
		    "preflight: --postfix-dir or --sendmail-cf, not both\n",
		    stderr);
		doctor_usage();
		return EX_USAGE;
	}
	return EX_OK;
}

/* load_config - --config, else the installed file if there is one */
static int
load_config(const char *path, struct pf_config **cfg)
{
	struct pf_err err = { 0 };
	char buf[1024];

	if (path == NULL && access(PF_SYSCONFDIR "/preflight.conf", F_OK) == 0)
		path = PF_SYSCONFDIR "/preflight.conf";
	if (path == NULL)
		return (*cfg = pf_config_default()) ? EX_OK : EX_SOFTWARE;
	if (pf_config_load(path, cfg, &err) != PF_OK) {
		fprintf(stderr, "preflight: %s\n",
		    pf_err_format(&err, buf, sizeof(buf)));
		return err.status == PF_EIO ? EX_NOINPUT : EX_CONFIG;
	}
	return EX_OK;
}

/* load_mta - postconf or sendmail.cf; EX_* */
static int
load_mta(const struct doctor_opts *o, struct pf_doctor *d,
    struct pf_postconf **pc, struct pf_sendmailcf **sm)
{
	struct pf_err err = { 0 };
	char buf[1024];
	int st = PF_OK;

	if (o->postfix_dir != NULL)
		st = pf_postconf_load(o->postfix_dir, pc, &err);
	else if (o->sendmail_cf != NULL)
		st = pf_sendmailcf_load(o->sendmail_cf, sm, &err);
	if (st != PF_OK) {
		fprintf(stderr, "preflight: %s\n",
		    pf_err_format(&err, buf, sizeof(buf)));
		return st == PF_EIO ? EX_NOINPUT : st == PF_EINVAL ?
		    EX_UNAVAILABLE : st == PF_ENOMEM ? EX_SOFTWARE : EX_CONFIG;
	}
	d->pc = *pc;
	d->sm = *sm;
	return EX_OK;
}

/* pf_cli_doctor - the doctor subcommand */
int
pf_cli_doctor(int argc, char **argv)
{
	struct doctor_opts o;
	struct pf_doctor d;
	struct pf_config *cfg = NULL;
	struct pf_postconf *pc = NULL;
	struct pf_sendmailcf *sm = NULL;
	struct pf_rules *rules = NULL;
	struct pf_report *rep = NULL;
	struct pf_err err = { 0 };
	char buf[1024];
	size_t i;
	int rc;

	memset(&o, 0, sizeof(o));
	memset(&d, 0, sizeof(d));
	if ((rc = parse_opts(argc, argv, &o)) != EX_OK ||
	    (rc = load_config(o.config, &cfg)) != EX_OK ||
	    (rc = load_mta(&o, &d, &pc, &sm)) != EX_OK)
		goto out;
	if ((rep = calloc(1, sizeof(*rep))) == NULL) {
		rc = EX_SOFTWARE;
		goto out;
	}
	if (pf_rules_load(cfg->rules, &rules, &err) != PF_OK)
		fprintf(stderr, "preflight: %s (catalog entries are named "
		    "without their codes)\n", pf_err_format(&err, buf,
		    sizeof(buf)));
	if (!cfg->no_dns && pf_dns_new(cfg->nameserver, cfg->dns_query_ms,
	    &d.dns, &err) != PF_OK) {
		fprintf(stderr, "preflight: %s\n",
		    pf_err_format(&err, buf, sizeof(buf)));
		rc = EX_CONFIG;
		goto out;
	}
	d.cfg = cfg;
	d.rep = rep;
	d.probe = o.probe;
	for (i = 0; i < o.ndomains; i++)
		pf_doctor_add_domain(&d, o.domains[i]);
	for (i = 0; i < cfg->nsigner; i++)
		pf_doctor_add_domain(&d, cfg->signer[i].domain);
	for (i = 0; cfg->policy != NULL &&
	    i < ((const struct pf_policy *)cfg->policy)->nrule; i++) {
		const char *sc = ((const struct pf_policy *)
		    cfg->policy)->rule[i].scope;

		if (strcmp(sc, "*") != 0)
			pf_doctor_add_domain(&d, sc);
	}
	pf_doctor_run(&d);
	if (o.json)
		pf_report_json(stdout, rep, rules);
	else
		pf_report_text(stdout, rep, rules);
	rc = pf_report_worst(rep) == PF_MTA_FAIL ||
	    pf_report_worst(rep) == PF_MTA_UNKNOWN ? 1 : 0;
	if (fflush(stdout) != 0)
		rc = EX_IOERR;
out:
	pf_dns_free(d.dns);
	pf_rules_free(rules);
	pf_postconf_free(pc);
	pf_sendmailcf_free(sm);
	pf_config_free(cfg);
	free(rep);
	return rc;
}
