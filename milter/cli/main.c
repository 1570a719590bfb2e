/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main.c - preflight(1): dispatch to a subcommand.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "autoconf.h"
#include "cli.h"
#include "engine/version.h"

#ifndef PF_SYSCONFDIR
#define PF_SYSCONFDIR	"/etc"
#endif

static void
usage(FILE *fp)
{
	fputs("usage: preflight check [--json] [--config FILE | --no-config] "
	    "[--rules FILE]\n"
	    "                       [-j N] [-r] [--format eml|mbox|maildir] "
	    "[--mail-from ADDR]\n"
	    "                       [--rcpt ADDR]...\n"
	    "                       [--mta-adds never|local|always] [--local] "
	    "[--strict]\n"
	    "                       [--min-confidence high|medium|low] "
	    "[--egress-ip IP]\n"
	    "                       [--helo NAME] [--nameserver HOST[:PORT]] "
	    "[--no-dns] [--bulk]\n"
	    "                       [--state SPEC] [--record] [PATH... | -]\n"
	    "       preflight explain [--json] [--rules FILE] "
	    "[REPLY... | -f FILE | -]\n"
	    "       preflight state [--json] [--config FILE] "
	    "show DOMAIN|ADDRESS | top [-n N] | forget DOMAIN|ADDRESS\n"
	    "       preflight doctor [--config FILE] [--postfix-dir DIR | "
	    "--sendmail-cf FILE]\n"
	    "                        [--domain DOMAIN]... [--json] "
	    "[--probe HOST[:PORT]]\n"
	    "       preflight learn [--config FILE] [--rules FILE] "
	    "[--follow]\n"
	    "                       [--format postfix|sendmail|auto] "
	    "[FILE...|-]\n"
	    "       preflight report [--config FILE] [--rules FILE] "
	    "[--since DAY]\n"
	    "                        [--until DAY] [--json] [--html FILE]\n"
	    "       preflight --version\n", fp);
}

/* version - the program, the catalog the installed configuration names
 * (else the default one), the libraries */
static int
version(void)
{
	struct pf_config *cfg = NULL;
	struct pf_err err = { 0 };

	printf("preflight %s\n", PACKAGE_VERSION);
	if (access(PF_SYSCONFDIR "/preflight.conf", R_OK) != 0 ||
	    pf_config_load(PF_SYSCONFDIR "/preflight.conf", &cfg, &err) !=
	    PF_OK)
		cfg = NULL;
	pf_version_catalog(stdout, cfg);
	pf_version_libs(stdout);
	pf_config_free(cfg);
	return EX_OK;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EX_USAGE;
	}
	if (strcmp(argv[1], "check") == 0)
		return pf_cli_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "explain") == 0)
		return pf_cli_explain(argc - 1, argv + 1);
	if (strcmp(argv[1], "state") == 0)
		return pf_cli_state(argc - 1, argv + 1);
	if (strcmp(argv[1], "doctor") == 0)
		return pf_cli_doctor(argc - 1, argv + 1);
	if (strcmp(argv[1], "learn") == 0)
		return pf_cli_learn(argc - 1, argv + 1);
	if (strcmp(argv[1], "report") == 0)
		return pf_cli_report(argc - 1, argv + 1);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
		return version();
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return EX_OK;
	}
	fprintf(stderr, "preflight: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EX_USAGE;
}
