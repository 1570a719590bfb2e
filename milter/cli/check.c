/*
 * check.c - `preflight check`: run the engine on a saved message.
 *
 * The message goes through the same builder and analyzers as in the milter,
 * fed in chunks, so the two can never disagree.  Options given here
 * override the config file.  Exit status: 0 nothing predicted, 1 only
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
#include <arpa/inet.h>

#include "base/pf.h"
#include "cli.h"
#include "base/statespec.h"
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
	    "[--mail-from ADDR] [--rcpt ADDR]...\n"
	    "                       [--egress-ip IP] [--helo NAME] "
	    "[--nameserver HOST[:PORT]]\n"
	    "                       [--no-dns] [--bulk] [--state SPEC] "
	    "[--record] [FILE | -]\n", stderr);
}

struct check_opts {
	int		 json;
	const char	*config;
	const char	*mail_from;
	const char	**rcpt;
	size_t		 nrcpt;
	const char	*egress[PF_MAX_EGRESS];
	size_t		 negress;
	const char	*helo;
	const char	*nameserver;
	int		 no_dns;
	int		 bulk;
	const char	*state;
	int		 record;
	const char	*file;
};

/* replace - swap a config string for a copy of an option */
static int
replace(char **slot, const char *v)
{
	char *s = strdup(v);

	if (s == NULL)
		return PF_ENOMEM;
	free(*slot);
	*slot = s;
	return PF_OK;
}

/* apply - command-line options over the config */
static int
apply(const struct check_opts *o, struct pf_config *cfg)
{
	const char *rules = getenv("PF_RULES");
	size_t i;

	if (rules != NULL && *rules != '\0' &&
	    replace(&cfg->rules, rules) != PF_OK)
		return PF_ENOMEM;
	if (o->negress > 0) {
		for (i = 0; i < cfg->negress; i++)
			free(cfg->egress[i]);
		cfg->negress = 0;
		for (i = 0; i < o->negress; i++)
			if ((cfg->egress[cfg->negress++] =
			    strdup(o->egress[i])) == NULL)
				return PF_ENOMEM;
	}
	if (o->helo != NULL && replace(&cfg->helo, o->helo) != PF_OK)
		return PF_ENOMEM;
	if (o->nameserver != NULL &&
	    replace(&cfg->nameserver, o->nameserver) != PF_OK)
		return PF_ENOMEM;
	if (o->no_dns)
		cfg->no_dns = 1;
	if (o->bulk)
		cfg->bulk = PF_BULK_YES;
	/* the store is read; written only when asked */
	cfg->state_readonly = !o->record;
	return PF_OK;
}

/* valid_ip - an IPv4 or IPv6 address */
static int
valid_ip(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 ||
	    inet_pton(AF_INET6, s, buf) == 1;
}

/* parse_opts - getopt_long over the check contract; EX_* on error */
static int
parse_opts(int argc, char **argv, struct check_opts *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "config", required_argument, NULL, 'c' },
		{ "mail-from", required_argument, NULL, 'f' },
		{ "rcpt", required_argument, NULL, 'r' },
		{ "egress-ip", required_argument, NULL, 'e' },
		{ "helo", required_argument, NULL, 'H' },
		{ "nameserver", required_argument, NULL, 'n' },
		{ "no-dns", no_argument, NULL, 'N' },
		{ "bulk", no_argument, NULL, 'b' },
		{ "state", required_argument, NULL, 's' },
		{ "record", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			o->json = 1;
			break;
		case 'c':
			o->config = optarg;
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
			if (!valid_ip(optarg)) {
				fprintf(stderr, "preflight: --egress-ip: "
				    "'%s' is not an IP address\n", optarg);
				return EX_USAGE;
			}
			if (o->negress >= PF_MAX_EGRESS) {
				fprintf(stderr, "preflight: too many "
				    "--egress-ip (at most %d)\n",
				    PF_MAX_EGRESS);
				return EX_USAGE;
			}
			o->egress[o->negress++] = optarg;
			break;
		case 'H':
			o->helo = optarg;
			break;
		case 'n':
			o->nameserver = optarg;
			break;
		case 'N':
			o->no_dns = 1;
			break;
		case 'b':
			o->bulk = 1;
			break;
		case 's':
			o->state = optarg;
			break;
		case 'R':
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
	if (o.state != NULL) {
		char why[400];

		if (pf_state_spec_parse(o.state, &cfg->state, why,
		    sizeof(why)) != 0) {
			fprintf(stderr, "preflight: --state: %s\n", why);
			pf_config_free(cfg);
			check_usage();
			rc = EX_USAGE;
			goto out;
		}
	}
	if (apply(&o, cfg) != PF_OK) {
		pf_config_free(cfg);
		rc = EX_SOFTWARE;
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
