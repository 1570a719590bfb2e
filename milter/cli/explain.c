/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * explain.c - `preflight explain`: name the catalog entry behind a Gmail
 * reply.  The reply comes as arguments (joined with spaces), from a file
 * (-f FILE) or from standard input (- or nothing): a bare reply, a Postfix
 * or Sendmail log line, or a whole bounce message.  Exit status: 0 the
 * reply is in the catalog, 1 a reply that is not, 64 usage, 65 input that
 * holds no reply, 66 unreadable input, 70 internal error, 78 a rules file
 * that cannot be read or is refused.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "base/json.h"
#include "base/pf.h"
#include "cli.h"
#include "explain/explain.h"
#include "catalog/render.h"
#include "catalog/rules.h"

/* explain_usage - the synopsis, on stderr */
static void
explain_usage(void)
{
	fputs("usage: preflight explain [--json] [--rules FILE] "
	    "[REPLY... | -f FILE | -]\n", stderr);
}

/* read_all - up to PF_REPLY_INPUT_MAX bytes of fp into an owned buffer */
static int
read_all(FILE *fp, char **out, size_t *outlen)
{
	size_t cap = 65536, len = 0, n;
	char *buf, *nb;

	if ((buf = malloc(cap + 1)) == NULL)
		return PF_ENOMEM;
	for (;;) {
		if (len == cap) {
			if (cap >= PF_REPLY_INPUT_MAX)
				break;	/* the rest is not looked at */
			cap *= 2;
			if ((nb = realloc(buf, cap + 1)) == NULL) {
				free(buf);
				return PF_ENOMEM;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		free(buf);
		return PF_EIO;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return PF_OK;
}

static char *join_args(char **, int, size_t *);

/* bad_option - the option getopt refused, and the usage; EX_USAGE */
static int
bad_option(char **argv)
{
	if (optopt != 0)
		fprintf(stderr, "preflight explain: bad option -%c\n", optopt);
	else
		fprintf(stderr, "preflight explain: bad option %s\n",
		    argv[optind - 1]);
	explain_usage();
	return EX_USAGE;
}

/* read_input - the text to explain, owned in *in: the file (or standard
 * input for none or "-") or the arguments joined (a file and arguments
 * together are a usage error); EX_OK or the exit status, with the error
 * printed */
static int
read_input(const char *file, int argc, char **argv, char **in, size_t *len)
{
	FILE *fp;
	int rc;

	if (file != NULL && argc > 0) {
		explain_usage();
		return EX_USAGE;
	}
	if (file == NULL && argc > 0 &&
	    !(argc == 1 && strcmp(argv[0], "-") == 0)) {
		if ((*in = join_args(argv, argc, len)) != NULL)
			return EX_OK;
		fputs("preflight: out of memory\n", stderr);
		return EX_SOFTWARE;
	}
	if (file != NULL && strcmp(file, "-") != 0) {
		if ((fp = fopen(file, "rb")) == NULL) {
			fprintf(stderr, "preflight: %s: %s\n", file,
			    strerror(errno));
			return EX_NOINPUT;
		}
	} else {
		fp = stdin;
		file = "standard input";
	}
	rc = read_all(fp, in, len);
	if (fp != stdin)
		fclose(fp);
	if (rc != PF_OK) {
		fprintf(stderr, "preflight: %s: %s\n", file,
		    rc == PF_EIO ? "read error" : "out of memory");
		return rc == PF_EIO ? EX_NOINPUT : EX_SOFTWARE;
	}
	return EX_OK;
}

/* join_args - the arguments joined by spaces, owned */
static char *
join_args(char **argv, int argc, size_t *len)
{
	size_t n = 0, o = 0, l;
	char *s;
	int i;

	for (i = 0; i < argc; i++) {
		l = strlen(argv[i]);
		if (n > PF_REPLY_INPUT_MAX || l > PF_REPLY_INPUT_MAX)
			return NULL;
		n += l + 1;
	}
	if ((s = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0; i < argc; i++) {
		if (i > 0)
			s[o++] = ' ';
		l = strlen(argv[i]);
		memcpy(s + o, argv[i], l);
		o += l;
	}
	s[o] = '\0';
	*len = o;
	return s;
}

/* rules_path - --rules, else the installed catalog */
static const char *
rules_path(const char *opt)
{
	return opt != NULL ? opt : PF_RULESDIR "/gmail.rules";
}

/* emit - what a renderer wrote into buf; a JSON object gets the
 * catalog's version as its last member */
static void
emit(const char *buf, size_t len, const struct pf_rules *rs, int json)
{
	if (!json || rs->version == NULL || len < 2 || buf[len - 2] != '}' ||
	    buf[len - 1] != '\n') {
		fwrite(buf, 1, len, stdout);
		return;
	}
	fwrite(buf, 1, len - 2, stdout);
	fputs(",\"catalog\":{\"version\":", stdout);
	pf_json_str(stdout, rs->version);
	fputs(",\"date\":", stdout);
	pf_json_str(stdout, rs->date);
	fputs("}}\n", stdout);
}

/* print_match - the matched entry, through the core's renderer */
static int
print_match(FILE *out, const struct pf_explanation *x, int json)
{
	struct pf_render_ph *ph = NULL;
	size_t i;

	if (x->nph > 0 && (ph = calloc(x->nph, sizeof(*ph))) == NULL)
		return PF_ENOMEM;
	for (i = 0; i < x->nph; i++) {
		ph[i].name = x->ph[i].name;
		ph[i].value = x->ph[i].value;
	}
	/* the reply as seen, next to the entry's own code and status */
	pf_render_rule_seen(out, x->rule, ph, x->nph, x->reply.code,
	    x->reply.status, json);
	free(ph);
	return PF_OK;
}

/* explain_one - one reply (in) explained and printed; the exit status */
static int
explain_one(const struct pf_rules *rs, const char *in, size_t len, int json)
{
	struct pf_explanation x = { 0 };
	struct pf_err err = { 0 };
	char *obuf = NULL, ebuf[1024];
	FILE *out = NULL;
	size_t olen = 0;
	int rc;

	rc = pf_explain(rs, in, len, &x, &err);
	if (rc == PF_ESYNTAX) {
		fprintf(stderr, "preflight: not an SMTP reply: %s\n",
		    pf_err_format(&err, ebuf, sizeof(ebuf)));
		rc = EX_DATAERR;
	} else if (rc != PF_OK) {
		fprintf(stderr, "preflight: %s\n",
		    pf_err_format(&err, ebuf, sizeof(ebuf)));
		rc = EX_SOFTWARE;
	} else if ((out = open_memstream(&obuf, &olen)) == NULL) {
		rc = EX_OSERR;
	} else if (x.kind == PF_X_MATCH) {
		rc = print_match(out, &x, json) == PF_OK ? EX_OK : EX_SOFTWARE;
	} else {
		pf_render_reply_unknown(out, x.reply.code, x.reply.status,
		    x.reply.text, json);
		if (!json)
			fputs("this reply is not one of Gmail's documented "
			    "replies in the catalog\n", stderr);
		rc = 1;
	}
	if (out != NULL && fclose(out) == 0)
		emit(obuf, olen, rs, json);
	free(obuf);
	pf_explanation_reset(&x);
	return rc;
}

/* pf_cli_explain - argv[0] is "explain" */
int
pf_cli_explain(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "rules", required_argument, NULL, 'r' },
		{ "file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct pf_rules *rs = NULL;
	struct pf_err err = { 0 };
	const char *rules = NULL, *file = NULL;
	char *in = NULL, ebuf[1024];
	size_t len = 0;
	int json = 0, c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jr:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'r':
			rules = optarg;
			break;
		case 'f':
			file = optarg;
			break;
		case 'h':
			explain_usage();
			return EX_OK;
		default:
			return bad_option(argv);
		}
	}
	argc -= optind;
	argv += optind;
	if ((rc = read_input(file, argc, argv, &in, &len)) != EX_OK)
		return rc;
	if (pf_rules_load(rules_path(rules), &rs, &err) != PF_OK) {
		fprintf(stderr, "preflight: %s\n",
		    pf_err_format(&err, ebuf, sizeof(ebuf)));
		free(in);
		return EX_CONFIG;
	}
	/* a log or a bounce for several recipients: every reply */
	if (pf_cli_explain_many(rs, in, len, json, &rc)) {
		free(in);
		pf_rules_free(rs);
		return rc;
	}
	rc = explain_one(rs, in, len, json);
	free(in);
	pf_rules_free(rs);
	return rc;
}
