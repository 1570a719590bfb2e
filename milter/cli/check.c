/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check.c - `preflight check`: run the engine on saved messages, one or
 * many (files, directories, Maildirs, mboxes), and say what Gmail would
 * answer and what the daemon's policy would do.
 *
 * The configuration the daemon reads is read here too unless --no-config;
 * options given here override it, checked by the same key table
 * (pf_config_set): --helo as HELO, --nameserver as Nameserver, ...  Each
 * message goes through the same builder, analyzers and policy decision as
 * in the milter (engine/batch.c), so the two cannot disagree.  One
 * message gets the full report; many get one line each and a summary
 * table (or NDJSON with --json).
 *
 * Exit status: 0 nothing predicted, 1 only temporary (4xx) failures, 2 a
 * permanent (5xx) failure, 3 (--strict) checks left undecided, 64 usage,
 * 65 an input that is not a message, 66 unreadable input, 70 internal
 * error, 78 a bad or missing config or rules file.  Over many messages
 * the most severe wins, in the order 70, 2, 1, 65/66, 3, 0.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "base/pf.h"
#include "catalog/render.h"
#include "catalog/rules.h"
#include "catalog/summary.h"
#include "cli.h"
#include "config/config.h"
#include "config/policy.h"
#include "engine/batch.h"
#include "engine/engine.h"
#include "message/mailbox.h"

#define CHECK_MAX_RCPT	10000
#define CHECK_MAX_JOBS	256
#define STDIN_MAX	PF_MAILBOX_MSG_MAX
/* --strict: checks were left undecided */
#define EX_UNDECIDED	3

static void
check_usage(FILE *fp)
{
	fputs("usage: preflight check [--json] [--config FILE | --no-config] "
	    "[--rules FILE]\n"
	    "           [-j N] [-r] [--format eml|mbox|maildir] "
	    "[--mail-from ADDR] [--rcpt ADDR]...\n"
	    "           [--mta-adds never|local|always] [--local] "
	    "[--strict]\n"
	    "           [--min-confidence high|medium|low] [--egress-ip IP] "
	    "[--helo NAME]\n"
	    "           [--nameserver HOST[:PORT]] [--no-dns] [--bulk] "
	    "[--state SPEC] [--record]\n"
	    "           [--no-progress] [PATH... | -]\n", fp);
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
	int		 no_config;
	const char	*mail_from;
	const char	**rcpt;
	size_t		 nrcpt;
	struct setting	 set[CHECK_MAX_SET];	/* in command-line order */
	size_t		 nset;
	size_t		 negress;
	unsigned	 jobs;
	int		 recursive;
	enum pf_mbox_format format;
	int		 mta_adds;	/* -1: the config's */
	int		 local;
	int		 strict;
	int		 min_confidence; /* -1: the config's */
	int		 progress;
	int		 record;	/* --record: count in the state store */
	char		**paths;
	int		 npaths;
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
			check_usage(stderr);
			return EX_USAGE;
		}
	}
	/* the store is read; written only when asked */
	cfg->state_readonly = !o->record;
	return EX_OK;
}

/* word - index of s in a NULL-terminated list, or -1 */
static int
word(const char *s, const char *const *list)
{
	int i;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(s, list[i]) == 0)
			return i;
	return -1;
}

/* bad_value - "--opt: 'v' is not one of ..."; EX_USAGE */
static int
bad_value(const char *opt, const char *v, const char *want)
{
	fprintf(stderr, "preflight: --%s: '%s' is not %s\n", opt, v, want);
	check_usage(stderr);
	return EX_USAGE;
}

enum {
	O_JSON = 256, O_CONFIG, O_NOCONFIG, O_MAIL, O_RCPT, O_EGRESS, O_HELO,
	O_NS, O_NODNS, O_BULK, O_FORMAT, O_MTA, O_LOCAL, O_STRICT, O_CONF,
	O_NOPROG, O_RULES, O_STATE, O_RECORD
};

/* option - one parsed option into o; EX_OK or EX_USAGE */
static int
option(int ch, const char *arg, struct check_opts *o)
{
	static const char *const fmts[] = { "auto", "eml", "mbox", "maildir",
	    NULL };
	static const char *const adds[] = { "never", "local", "always",
	    NULL };
	static const char *const confs[] = { "high", "medium", "low", NULL };
	int64_t n;
	int i;

	switch (ch) {
	case O_JSON: o->json = 1; break;
	case O_CONFIG: o->config = arg; break;
	case O_NOCONFIG: o->no_config = 1; break;
	case O_MAIL: o->mail_from = arg; break;
	case O_RULES: return add_setting(o, "--rules", "Rules", arg);
	case O_HELO: return add_setting(o, "--helo", "HELO", arg);
	case O_NS: return add_setting(o, "--nameserver", "Nameserver", arg);
	case O_NODNS: return add_setting(o, "--no-dns", "DNS", "no");
	case O_BULK: return add_setting(o, "--bulk", "Bulk", "yes");
	case O_STATE: return add_setting(o, "--state", "State", arg);
	case O_RECORD: o->record = 1; break;
	case O_LOCAL: o->local = 1; break;
	case O_STRICT: o->strict = 1; break;
	case O_NOPROG: o->progress = 0; break;
	case 'r': o->recursive = 1; break;
	case O_RCPT:
		if (o->nrcpt >= CHECK_MAX_RCPT) {
			fprintf(stderr, "preflight: too many --rcpt (at most "
			    "%d)\n", CHECK_MAX_RCPT);
			return EX_USAGE;
		}
		o->rcpt[o->nrcpt++] = arg;
		break;
	case O_EGRESS:
		if (o->negress >= PF_MAX_EGRESS) {
			fprintf(stderr, "preflight: too many --egress-ip (at "
			    "most %d)\n", PF_MAX_EGRESS);
			return EX_USAGE;
		}
		o->negress++;
		return add_setting(o, "--egress-ip", "EgressIP", arg);
	case 'j':
		if (pf_strtonum(arg, strlen(arg), 1, CHECK_MAX_JOBS, &n) !=
		    PF_OK)
			return bad_value("jobs", arg, "a number of threads "
			    "from 1 to 256");
		o->jobs = (unsigned)n;
		break;
	case O_FORMAT:
		if ((i = word(arg, fmts)) < 0)
			return bad_value("format", arg, "eml, mbox or maildir");
		o->format = (enum pf_mbox_format)i;
		break;
	case O_MTA:
		if ((i = word(arg, adds)) < 0)
			return bad_value("mta-adds", arg, "never, local or "
			    "always");
		o->mta_adds = i == 0 ? PF_M_NEVER : i == 1 ? PF_M_LOCAL :
		    PF_M_ALWAYS;
		break;
	case O_CONF:
		if ((i = word(arg, confs)) < 0)
			return bad_value("min-confidence", arg, "high, medium "
			    "or low");
		o->min_confidence = i == 0 ? PF_CONF_HIGH : i == 1 ?
		    PF_CONF_MEDIUM : PF_CONF_LOW;
		break;
	default:
		return EX_USAGE;
	}
	return EX_OK;
}

/* parse_opts - getopt_long over the check contract; EX_* on error */
static int
parse_opts(int argc, char **argv, struct check_opts *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "config", required_argument, NULL, O_CONFIG },
		{ "rules", required_argument, NULL, O_RULES },
		{ "no-config", no_argument, NULL, O_NOCONFIG },
		{ "mail-from", required_argument, NULL, O_MAIL },
		{ "rcpt", required_argument, NULL, O_RCPT },
		{ "egress-ip", required_argument, NULL, O_EGRESS },
		{ "helo", required_argument, NULL, O_HELO },
		{ "nameserver", required_argument, NULL, O_NS },
		{ "no-dns", no_argument, NULL, O_NODNS },
		{ "bulk", no_argument, NULL, O_BULK },
		{ "jobs", required_argument, NULL, 'j' },
		{ "recursive", no_argument, NULL, 'r' },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "mta-adds", required_argument, NULL, O_MTA },
		{ "local", no_argument, NULL, O_LOCAL },
		{ "strict", no_argument, NULL, O_STRICT },
		{ "min-confidence", required_argument, NULL, O_CONF },
		{ "no-progress", no_argument, NULL, O_NOPROG },
		{ "state", required_argument, NULL, O_STATE },
		{ "record", no_argument, NULL, O_RECORD },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch, rc;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "j:rh", longopts, NULL)) != -1) {
		if (ch == 'h') {
			check_usage(stdout);
			exit(EX_OK);
		}
		if (ch == '?' || ch == ':') {
			fprintf(stderr, "preflight: check: bad option '%s'\n",
			    argv[optind - 1]);
			check_usage(stderr);
			return EX_USAGE;
		}
		if ((rc = option(ch, optarg, o)) != EX_OK)
			return rc;
	}
	if (o->config != NULL && o->no_config) {
		fputs("preflight: --config and --no-config exclude each "
		    "other\n", stderr);
		return EX_USAGE;
	}
	o->paths = argv + optind;
	o->npaths = argc - optind;
	if (o->npaths == 0 && isatty(STDIN_FILENO)) {
		fputs("preflight: no message given (files, directories, "
		    "mailboxes, or - for standard input)\n", stderr);
		check_usage(stderr);
		return EX_USAGE;
	}
	return EX_OK;
}

/* load_config - --config, else the daemon's file when it exists, else
 * the defaults; EX_* */
static int
load_config(const struct check_opts *o, struct pf_config **cfg)
{
	const char *path = o->config;
	struct pf_err err = { 0 };
	struct stat st;
	char ebuf[1024];

	if (path == NULL && !o->no_config &&
	    stat(PF_SYSCONFDIR "/preflight.conf", &st) == 0)
		path = PF_SYSCONFDIR "/preflight.conf";
	if (path == NULL)
		return (*cfg = pf_config_default()) != NULL ? EX_OK :
		    EX_SOFTWARE;
	if (pf_config_load(path, cfg, &err) != PF_OK) {
		fprintf(stderr, "preflight: %s\n",
		    pf_err_format(&err, ebuf, sizeof(ebuf)));
		return err.status == PF_EIO ? EX_NOINPUT : EX_CONFIG;
	}
	return EX_OK;
}

/* read_stdin - all of standard input, owned */
static int
read_stdin(char **out, size_t *len)
{
	size_t cap = 65536, n;
	char *buf = malloc(cap), *nb;

	*len = 0;
	if (buf == NULL)
		return EX_SOFTWARE;
	while ((n = fread(buf + *len, 1, cap - *len, stdin)) > 0) {
		*len += n;
		if (*len == cap) {
			if (cap >= STDIN_MAX) {
				fputs("preflight: standard input: larger than "
				    "256 MB\n", stderr);
				free(buf);
				return EX_DATAERR;
			}
			if ((nb = realloc(buf, cap * 2)) == NULL) {
				free(buf);
				return EX_SOFTWARE;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (ferror(stdin)) {
		fprintf(stderr, "preflight: standard input: %s\n",
		    strerror(errno));
		free(buf);
		return EX_NOINPUT;
	}
	*out = buf;
	return EX_OK;
}

/* what a run prints and counts */
struct run {
	const struct check_opts *o;
	int		 many;		/* line per message and a summary */
	struct pf_summary sum;
	int		 worst;		/* exit status so far */
	size_t		 done, total;
	struct timespec	 t0, last;
	int		 bar;		/* a progress bar is showing */
	int		 out_tty;	/* results go to the same terminal */
};

/* rank - the order in which statuses win over many messages */
static int
rank(int st)
{
	switch (st) {
	case EX_SOFTWARE: return 6;
	case 2: return 5;
	case 1: return 4;
	case EX_NOINPUT: case EX_DATAERR: return 3;
	case EX_UNDECIDED: return 2;
	default: return 0;
	}
}

/* status - the exit status one message calls for */
static int
status(const struct check_opts *o, const struct pf_result *r)
{
	if (r->out.error != NULL)
		return r->internal ? EX_SOFTWARE : r->noinput ? EX_NOINPUT :
		    EX_DATAERR;
	if (!r->out.gmail)
		return 0;
	if (r->v.kind == PF_V_REJECT)
		return 2;
	if (r->v.kind == PF_V_TEMPFAIL)
		return 1;
	if (o->strict && (r->v.nunk > 0 || r->out.failsafe))
		return EX_UNDECIDED;
	return 0;
}

/* since - seconds from a to b */
static double
since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* progress - messages done, rate, ETA on a terminal, after a second */
static void
progress(struct run *run)
{
	struct timespec now;
	double el, rate;
	int w = 30, k;

	if (!run->o->progress || !run->many)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	el = since(&run->t0, &now);
	if (el < 1.0 || (run->bar && since(&run->last, &now) < 0.1 &&
	    run->done < run->total))
		return;
	run->last = now;
	run->bar = 1;
	rate = el > 0 ? (double)run->done / el : 0;
	k = run->total ? (int)((double)w * (double)run->done /
	    (double)run->total) : w;
	fprintf(stderr, "\r[%.*s%*s] %zu/%zu  %.0f/s  ETA %.0fs ", k,
	    "##############################", w - k, "", run->done,
	    run->total, rate, rate > 0 ? (double)(run->total - run->done) /
	    rate : 0.0);
}

/* clear_bar - erase the progress line before printing the summary */
static void
clear_bar(struct run *run)
{
	if (run->bar)
		fputs("\r\033[K", stderr);
	run->bar = 0;
}

/* render - the printed form of one message, made in the worker that
 * checked it (open_memstream); the caller writes it out in order */
static void
render(void *arg, struct pf_result *r)
{
	const struct run *run = arg;
	FILE *fp;

	if ((fp = open_memstream(&r->text, &r->textlen)) == NULL)
		return;		/* one() prints it itself */
	if (run->many && run->o->json)
		pf_render_json(fp, &r->out, &r->v, r->facts);
	else if (run->many)
		pf_render_line(fp, &r->out, &r->v);
	else if (r->out.error != NULL) {
		if (run->o->json)
			pf_render_json(fp, &r->out, &r->v, r->facts);
	} else if (run->o->json)
		pf_render_json(fp, &r->out, &r->v, r->facts);
	else
		pf_render_report(fp, &r->out, &r->v, r->facts);
	if (fclose(fp) != 0) {
		free(r->text);
		r->text = NULL;
		r->textlen = 0;
	}
}

/* one - print and count one message */
static int
one(void *arg, struct pf_result *r)
{
	struct run *run = arg;
	int st = status(run->o, r);

	/* the bar gives way to what is printed on the terminal */
	if (run->bar && (run->out_tty || r->out.error != NULL))
		clear_bar(run);
	if (r->text == NULL)
		render(run, r);
	if (r->text != NULL)
		fwrite(r->text, 1, r->textlen, stdout);
	else
		st = EX_SOFTWARE;
	if (r->out.error != NULL && (!run->many || !run->o->json))
		fprintf(stderr, "preflight: %s: %s\n", r->out.label,
		    r->out.error);
	if (r->record_err[0] != '\0')
		fprintf(stderr, "preflight: %s: not recorded: %s\n",
		    r->out.label, r->record_err);
	if (pf_summary_add(&run->sum, &r->out, &r->v) != PF_OK)
		st = EX_SOFTWARE;
	if (rank(st) > rank(run->worst))
		run->worst = st;
	run->done++;
	progress(run);
	return 0;
}

/* list - the messages of every path; EX_* */
static int
list(const struct check_opts *o, struct pf_mlist *l, char **in, int *many)
{
	struct pf_err err = { 0 };
	char ebuf[600];
	size_t len;
	struct stat st;
	int i, rc;

	*many = o->npaths > 1;
	if (o->npaths == 0 || (o->npaths == 1 &&
	    strcmp(o->paths[0], "-") == 0)) {
		if ((rc = read_stdin(in, &len)) != EX_OK)
			return rc;
		if (pf_mailbox_list_mem("-", *in, len, o->format, l) != PF_OK)
			return EX_SOFTWARE;
	}
	for (i = 0; i < o->npaths && *in == NULL; i++) {
		if (stat(o->paths[i], &st) == 0 && S_ISDIR(st.st_mode))
			*many = 1;
		if (pf_mailbox_list(o->paths[i], o->format, o->recursive, l,
		    &err) != PF_OK) {
			fprintf(stderr, "preflight: %s\n",
			    pf_err_format(&err, ebuf, sizeof(ebuf)));
			return EX_SOFTWARE;
		}
	}
	/* a file with an mbox "From " line that holds one message is
	 * reported as one message */
	if (l->n != 1)
		*many = 1;
	return EX_OK;
}

/* default_jobs - one thread per core */
static unsigned
default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > CHECK_MAX_JOBS ? CHECK_MAX_JOBS : (unsigned)n;
}

/* run_all - engine, list, pool, summary; EX_* */
static int
run_all(struct check_opts *o, struct pf_engine *eng)
{
	const struct pf_config *cfg = pf_engine_config(eng);
	struct pf_batch_opts bo;
	struct pf_mlist l = { 0 };
	struct pf_err err = { 0 };
	struct run run;
	struct timespec t1;
	char host[256] = "", *in = NULL, ebuf[600];
	int rc;

	memset(&run, 0, sizeof(run));
	run.o = o;
	run.out_tty = isatty(STDOUT_FILENO);
	if ((rc = list(o, &l, &in, &run.many)) != EX_OK)
		goto out;
	memset(&bo, 0, sizeof(bo));
	bo.jobs = o->jobs ? o->jobs : default_jobs();
	bo.mail_from = o->mail_from;
	bo.rcpt = o->rcpt;
	bo.nrcpt = o->nrcpt;
	bo.mta_adds = o->mta_adds;
	bo.local = o->local;
	if (cfg->helo == NULL && gethostname(host, sizeof(host) - 1) != 0)
		host[0] = '\0';
	bo.mta_host = cfg->helo != NULL ? cfg->helo : host;
	bo.min_confidence = o->min_confidence;
	bo.record = o->record;
	bo.render = render;
	bo.render_arg = &run;
	run.total = l.n;
	clock_gettime(CLOCK_MONOTONIC, &run.t0);
	if (pf_batch_run(eng, &l, &bo, one, &run, &err) != PF_OK) {
		fprintf(stderr, "preflight: %s\n",
		    pf_err_format(&err, ebuf, sizeof(ebuf)));
		rc = EX_SOFTWARE;
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	clear_bar(&run);
	run.sum.seconds = since(&run.t0, &t1);
	if (run.many && o->json)
		pf_summary_json(stdout, &run.sum);
	else if (run.many)
		pf_summary_text(stdout, &run.sum);
	rc = run.worst;
	/* one message: unreadable or not a message keep their own codes */
	if (fflush(stdout) != 0)
		rc = EX_IOERR;
out:
	pf_summary_reset(&run.sum);
	pf_mailbox_free(&l);
	free(in);
	return rc;
}

/* pf_cli_check - the check subcommand */
int
pf_cli_check(int argc, char **argv)
{
	struct check_opts o;
	struct pf_config *cfg = NULL;
	struct pf_engine *eng = NULL;
	struct pf_err err = { 0 };
	char ebuf[1024];
	int rc;

	memset(&o, 0, sizeof(o));
	o.mta_adds = -1;
	o.min_confidence = -1;
	o.progress = isatty(STDERR_FILENO);
	if ((o.rcpt = calloc(CHECK_MAX_RCPT, sizeof(*o.rcpt))) == NULL)
		return EX_SOFTWARE;
	if ((rc = parse_opts(argc, argv, &o)) != EX_OK)
		goto out;
	if ((rc = load_config(&o, &cfg)) != EX_OK)
		goto out;
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
	rc = run_all(&o, eng);
out:
	pf_engine_unref(eng);
	free(o.rcpt);
	return rc;
}
