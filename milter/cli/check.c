/*
 * check.c - `preflight check`: run the engine on a saved message.
 *
 * The message goes through the same builder and analyzers as in the milter,
 * fed in chunks, so the two can never disagree.  Options given here
 * override the config file, and are checked by the same key table
 * (pf_config_set): --helo as HELO, --nameserver as Nameserver, ...  Exit status: 0 nothing predicted, 1 only
 * temporary (4xx) failures, 2 a permanent (5xx) failure, 64 usage, 66
 * unreadable input, 70 internal error, 78 a bad or missing config or
 * rules file.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/pf.h"
#include "cli.h"
#include "config/config.h"
#include "engine/engine.h"
#include "base/msg.h"
#include "catalog/rules.h"
#include "catalog/verdict.h"

#define CHECK_MAX_RCPT	10000
#define CHUNK		65536
/* with no --rcpt, the message goes to a personal Gmail address */
#define DEFAULT_RCPT	"recipient@gmail.com"

static void
check_usage(void)
{
	fputs("usage: preflight check [--json] [--config FILE] "
	    "[--rules FILE]\n"
	    "                       [--mail-from ADDR] [--rcpt ADDR]...\n"
	    "                       [--egress-ip IP] [--helo NAME] "
	    "[--nameserver HOST[:PORT]]\n"
	    "                       [--no-dns] [--bulk] [--state SPEC] "
	    "[--record] [FILE | -]\n", stderr);
}

/* an option that stands for a preflight.conf key */
struct setting {
	const char	*opt;		/* "--helo" */
	const char	*key;		/* "HELO" */
	const char	*value;
};

#define CHECK_MAX_SET	(PF_MAX_EGRESS + 8)

struct check_opts {
	int		 json;
	const char	*config;
	const char	*mail_from;
	const char	**rcpt;
	size_t		 nrcpt;
	struct setting	 set[CHECK_MAX_SET];	/* in command-line order */
	size_t		 nset;
	size_t		 negress;
	int		 record;		/* --record */
	const char	*file;
};

/* add_setting - remember an option for pf_config_set; EX_* */
static int
add_setting(struct check_opts *o, const char *opt, const char *key,
    const char *value)
{
	if (o->nset >= CHECK_MAX_SET) {
		fprintf(stderr, "preflight: too many %s\n", opt);
		return EX_USAGE;
	}
	o->set[o->nset].opt = opt;
	o->set[o->nset].key = key;
	o->set[o->nset].value = value;
	o->nset++;
	return EX_OK;
}

/* apply - command-line options over the config, through its key table;
 * EX_USAGE with the key's own message for a bad value */
static int
apply(const struct check_opts *o, struct pf_config *cfg)
{
	struct pf_err err = { 0 };
	size_t i;
	int rc;

	/* --egress-ip replaces the file's list rather than adding to it */
	if (o->negress > 0 && pf_config_unset(cfg, "EgressIP", &err) != PF_OK)
		return EX_SOFTWARE;
	for (i = 0; i < o->nset; i++) {
		rc = pf_config_set(cfg, o->set[i].key, o->set[i].value, &err);
		if (rc == PF_ENOMEM)
			return EX_SOFTWARE;
		if (rc != PF_OK) {
			fprintf(stderr, "preflight: %s (%s)\n", err.msg,
			    o->set[i].opt);
			check_usage();
			return EX_USAGE;
		}
	}
	/* the store is read; written only when asked */
	cfg->state_readonly = !o->record;
	return EX_OK;
}

/* parse_opts - getopt_long over the check contract; EX_* on error */
static int
parse_opts(int argc, char **argv, struct check_opts *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "config", required_argument, NULL, 'c' },
		{ "rules", required_argument, NULL, 'R' },
		{ "mail-from", required_argument, NULL, 'f' },
		{ "rcpt", required_argument, NULL, 'r' },
		{ "egress-ip", required_argument, NULL, 'e' },
		{ "helo", required_argument, NULL, 'H' },
		{ "nameserver", required_argument, NULL, 'n' },
		{ "no-dns", no_argument, NULL, 'N' },
		{ "bulk", no_argument, NULL, 'b' },
		{ "state", required_argument, NULL, 's' },
		{ "record", no_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch, rc = EX_OK;

	opterr = 0;
	optind = 1;
	while (rc == EX_OK &&
	    (ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			o->json = 1;
			break;
		case 'c':
			o->config = optarg;
			break;
		case 'R':
			rc = add_setting(o, "--rules", "Rules", optarg);
			break;
		case 'f':
			o->mail_from = optarg;
			break;
		case 'r':
			if (o->nrcpt >= CHECK_MAX_RCPT) {
				fprintf(stderr, "preflight: too many --rcpt "
				    "(at most %d)\n", CHECK_MAX_RCPT);
				return EX_USAGE;
			}
			o->rcpt[o->nrcpt++] = optarg;
			break;
		case 'e':
			if (o->negress >= PF_MAX_EGRESS) {
				fprintf(stderr, "preflight: too many "
				    "--egress-ip (at most %d)\n",
				    PF_MAX_EGRESS);
				return EX_USAGE;
			}
			o->negress++;
			rc = add_setting(o, "--egress-ip", "EgressIP", optarg);
			break;
		case 'H':
			rc = add_setting(o, "--helo", "HELO", optarg);
			break;
		case 'n':
			rc = add_setting(o, "--nameserver", "Nameserver",
			    optarg);
			break;
		case 'N':
			rc = add_setting(o, "--no-dns", "DNS", "no");
			break;
		case 'b':
			rc = add_setting(o, "--bulk", "Bulk", "yes");
			break;
		case 's':
			rc = add_setting(o, "--state", "State", optarg);
			break;
		case 'W':
			o->record = 1;
			break;
		case 'h':
			check_usage();
			exit(EX_OK);
		default:
			fprintf(stderr, "preflight: check: bad option '%s'\n",
			    argv[optind - 1]);
			check_usage();
			return EX_USAGE;
		}
	}
	if (rc != EX_OK)
		return rc;
	if (argc - optind > 1) {
		fputs("preflight: check takes one message\n", stderr);
		check_usage();
		return EX_USAGE;
	}
	o->file = optind < argc ? argv[optind] : "-";
	if (strcmp(o->file, "-") == 0 && isatty(STDIN_FILENO)) {
		fputs("preflight: no message given (a file, or - for "
		    "standard input)\n", stderr);
		check_usage();
		return EX_USAGE;
	}
	return EX_OK;
}

/* feed - envelope and message into the builder; EX_* */
static int
feed(const struct check_opts *o, const struct pf_config *cfg,
    struct pf_msg *m)
{
	unsigned char *buf;
	FILE *fp = stdin;
	size_t i, n;
	int rc = EX_OK;

	if (cfg->helo != NULL)
		pf_msg_helo(m, cfg->helo);
	if (o->mail_from != NULL)
		pf_msg_mail(m, o->mail_from);
	if (o->nrcpt == 0)
		pf_msg_rcpt(m, DEFAULT_RCPT);
	for (i = 0; i < o->nrcpt; i++)
		pf_msg_rcpt(m, o->rcpt[i]);
	if (strcmp(o->file, "-") != 0 && (fp = fopen(o->file, "rb")) == NULL) {
		fprintf(stderr, "preflight: %s: %s\n", o->file,
		    strerror(errno));
		return EX_NOINPUT;
	}
	if ((buf = malloc(CHUNK)) == NULL) {
		rc = EX_SOFTWARE;
		goto out;
	}
	while ((n = fread(buf, 1, CHUNK, fp)) > 0)
		if (pf_msg_raw(m, buf, n) != PF_OK) {
			fputs("preflight: out of memory\n", stderr);
			rc = EX_SOFTWARE;
			goto out;
		}
	if (ferror(fp)) {
		fprintf(stderr, "preflight: %s: %s\n", o->file,
		    strerror(errno));
		rc = EX_NOINPUT;
	}
out:
	free(buf);
	if (fp != stdin)
		fclose(fp);
	return rc;
}

/* pf_cli_check - the check subcommand */
int
pf_cli_check(int argc, char **argv)
{
	struct check_opts o;
	struct pf_config *cfg = NULL;
	struct pf_engine *eng = NULL;
	struct pf_check *chk = NULL;
	struct pf_verdict v;
	struct pf_err err = { 0 };
	char ebuf[1024];
	int rc;

	memset(&o, 0, sizeof(o));
	memset(&v, 0, sizeof(v));
	if ((o.rcpt = calloc(CHECK_MAX_RCPT, sizeof(*o.rcpt))) == NULL)
		return EX_SOFTWARE;
	if ((rc = parse_opts(argc, argv, &o)) != EX_OK)
		goto out;
	if (o.config != NULL) {
		if (pf_config_load(o.config, &cfg, &err) != PF_OK) {
			fprintf(stderr, "preflight: %s\n",
			    pf_err_format(&err, ebuf, sizeof(ebuf)));
			rc = err.status == PF_EIO ? EX_NOINPUT : EX_CONFIG;
			goto out;
		}
	} else if ((cfg = pf_config_default()) == NULL) {
		rc = EX_SOFTWARE;
		goto out;
	}
	if ((rc = apply(&o, cfg)) != EX_OK) {
		pf_config_free(cfg);
		goto out;
	}
	if (pf_engine_new(cfg, &eng, &err) != PF_OK) {
		fprintf(stderr, "preflight: %s\n",
		    pf_err_format(&err, ebuf, sizeof(ebuf)));
		/* a rules file that is missing or refused is a setup error */
		rc = err.status == PF_ESYNTAX || err.status == PF_EIO ?
		    EX_CONFIG : EX_SOFTWARE;
		goto out;
	}
	if ((chk = pf_check_new(eng)) == NULL) {
		rc = EX_SOFTWARE;
		goto out;
	}
	if ((rc = feed(&o, cfg, pf_check_msg(chk))) != EX_OK)
		goto out;
	if (pf_check_run(chk, &v, &err) != PF_OK) {
		fprintf(stderr, "preflight: %s\n",
		    pf_err_format(&err, ebuf, sizeof(ebuf)));
		rc = EX_SOFTWARE;
		goto out;
	}
	if (o.record && pf_check_record(chk, &err) != PF_OK)
		fprintf(stderr, "preflight: not recorded: %s\n",
		    pf_err_format(&err, ebuf, sizeof(ebuf)));
	if (o.json)
		pf_verdict_json(stdout, &v, pf_check_facts(chk));
	else
		pf_verdict_report(stdout, &v, pf_check_facts(chk));
	rc = v.kind == PF_V_REJECT ? 2 : v.kind == PF_V_TEMPFAIL ? 1 : 0;
	if (fflush(stdout) != 0)
		rc = EX_IOERR;
out:
	pf_verdict_reset(&v);
	pf_check_free(chk);
	pf_engine_unref(eng);
	free(o.rcpt);
	return rc;
}
