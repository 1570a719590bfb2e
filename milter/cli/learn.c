/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * learn.c - `preflight learn`: read the MTA's log and remember what Gmail
 * answered, in the state store of the configuration (docs/learn.md).
 *
 *   preflight learn [--config FILE] [--rules FILE] [--follow]
 *       [--format postfix|sendmail|auto] [FILE...|-]
 *
 * Each delivery attempt to one of Google's servers is classified with the
 * explain matcher and recorded per recipient, egress IP, sender domain and
 * recipient domain (state/hist.c), with the daemon's predictions for the
 * same queue id when its log line was read first.  Reading is idempotent:
 * the position in each file (by device and inode) is kept in the store,
 * and each counted outcome is marked.  --follow keeps reading one growing
 * file across its rotation (a new file under the name, or the old one
 * truncated), as tail -F does.  Unparseable lines are counted, never
 * fatal.  Exit status: 0, 64 usage, 66 a file cannot be read, 69 store
 * unreachable, 78 bad configuration or no store configured.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "base/pf.h"
#include "catalog/expr.h"
#include "catalog/rules.h"
#include "cli.h"
#include "config/config.h"
#include "engine/engine.h"
#include "explain/explain.h"
#include "learn/logline.h"
#include "learn/reader.h"
#include "state/hist.h"
#include "state/state.h"

#ifndef PF_SYSCONFDIR
#define PF_SYSCONFDIR	"/etc"
#endif
#define QMAP_SIZE	16384	/* queue ids remembered (sender, prediction) */
#define SAVE_EVERY	1000	/* lines between saved positions (follow) */
#define PENDING_MAX	512	/* outcomes written in one transaction */

/* what a queue id brought before its deliveries: direct-mapped, a newer
 * queue id takes the slot of an older one */
struct qinfo {
	char	 qid[64];
	char	 sender_domain[256];	/* the queue manager's from= */
	char	 spf_domain[256];	/* the daemon's spf_domain= */
	char	 dkim[256];		/* the daemon's dkim_domains= */
	char	 from_org[256];		/* of the daemon's from_domain= */
	char	 pred[PF_HIST_PRED_MAX][64];
	int	 pred_code[PF_HIST_PRED_MAX];
	size_t	 npred;
	int	 have_pred;
};

/* an outcome waiting for the next write, with copies of what it names */
struct pending {
	struct pf_hist_event e;
	char	 rcpt[320], qid[64], ip[64], sd[256], dkim[256], org[256];
	char	 pred[PF_HIST_PRED_MAX][64];
};

struct learner {
	struct pf_engine	*eng;
	struct pf_state		*st;
	const struct pf_rules	*rules;
	enum pf_logfmt		 fmt;
	struct qinfo		*q;
	struct pending		*pend;
	size_t			 npend;
	/* counts */
	size_t	 lines, deliveries, gmail, recorded, repeated, noreply,
		 unknown, bad, cut;
	int	 unreachable;
	struct pf_err err;
};

static volatile sig_atomic_t stop;

/* on_signal - finish the current line, save the position, exit */
static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
learn_usage(FILE *fp)
{
	fputs("usage: preflight learn [--config FILE] [--rules FILE] "
	    "[--follow] [--format postfix|sendmail|auto] [FILE...|-]\n", fp);
}

/* pf_cli_state_engine - the configuration's engine (--config, else the
 * daemon's file, else the defaults; --rules over it) with its store,
 * writable or not */
int
pf_cli_state_engine(const char *path, const char *rules, int write,
    struct pf_engine **e)
{
	const char *def = PF_SYSCONFDIR "/preflight.conf";
	struct pf_config *cfg = NULL;
	struct pf_err err = { 0 };
	char buf[800];

	if (path == NULL && access(def, F_OK) == 0)
		path = def;
	if (path != NULL && pf_config_load(path, &cfg, &err) != PF_OK) {
		fprintf(stderr, "preflight: %s\n",
		    pf_err_format(&err, buf, sizeof(buf)));
		return err.status == PF_EIO ? EX_NOINPUT : EX_CONFIG;
	}
	if (cfg == NULL && (cfg = pf_config_default()) == NULL)
		return EX_SOFTWARE;
	/* nothing here needs DNS */
	if ((rules != NULL && pf_config_set(cfg, "Rules", rules, &err) !=
	    PF_OK) || pf_config_set(cfg, "DNS", "no", &err) != PF_OK) {
		fprintf(stderr, "preflight: %s\n", err.msg);
		pf_config_free(cfg);
		return EX_USAGE;
	}
	cfg->state_readonly = !write;
	if (pf_engine_new(cfg, e, &err) != PF_OK) {
		fprintf(stderr, "preflight: %s\n",
		    pf_err_format(&err, buf, sizeof(buf)));
		return EX_CONFIG;
	}
	if (pf_engine_state(*e) == NULL) {
		fputs("preflight: no state store is configured (State none)\n",
		    stderr);
		pf_engine_unref(*e);
		return EX_CONFIG;
	}
	return EX_OK;
}

/* slot - the queue map's slot of a queue id */
static struct qinfo *
slot(struct learner *l, const char *qid, int create)
{
	uint32_t h = 2166136261u;
	const char *p;
	struct qinfo *s;

	for (p = qid; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	s = &l->q[h % QMAP_SIZE];
	if (strcmp(s->qid, qid) == 0)
		return s;
	if (!create)
		return NULL;
	memset(s, 0, sizeof(*s));
	snprintf(s->qid, sizeof(s->qid), "%s", qid);
	return s;
}

/* note_queued - the envelope sender's domain of a queue id */
static void
note_queued(struct learner *l, const struct pf_delivery *d)
{
	struct qinfo *s = slot(l, d->queue_id, 1);
	const char *at = memchr(d->from, '@', d->from_len);
	size_t n;

	s->sender_domain[0] = '\0';
	if (at == NULL)
		return;
	n = d->from_len - (size_t)(at + 1 - d->from);
	if (n < sizeof(s->sender_domain)) {
		memcpy(s->sender_domain, at + 1, n);
		s->sender_domain[n] = '\0';
	}
}

/* note_prediction - the daemon's rules for a queue id */
static void
note_prediction(struct learner *l, const struct pf_delivery *d)
{
	struct qinfo *s = slot(l, d->queue_id, 0);
	char fd[256];

	if (s == NULL)
		s = slot(l, d->queue_id, 1);
	s->have_pred = 1;
	if (!pf_prediction_field(d, "spf_domain", s->spf_domain,
	    sizeof(s->spf_domain)))
		s->spf_domain[0] = '\0';
	if (!pf_prediction_field(d, "dkim_domains", s->dkim, sizeof(s->dkim)))
		s->dkim[0] = '\0';
	if (!pf_prediction_field(d, "from_domain", fd, sizeof(fd)) ||
	    pf_engine_orgdomain(l->eng, fd, s->from_org,
	    sizeof(s->from_org)) != PF_OK)
		s->from_org[0] = '\0';
	for (s->npred = 0; s->npred < PF_HIST_PRED_MAX &&
	    pf_prediction_rule(d, s->npred, s->pred[s->npred],
	    sizeof(s->pred[0])); s->npred++)
		s->pred_code[s->npred] = pf_prediction_reply(d, s->npred);
}

/* flush - write the pending outcomes */
static void
flush(struct learner *l)
{
	struct pf_hist_event ev[PENDING_MAX];
	int fresh[PENDING_MAX];
	size_t i;

	if (l->npend == 0 || l->unreachable)
		return;
	for (i = 0; i < l->npend; i++)
		ev[i] = l->pend[i].e;
	if (pf_hist_record(l->st, ev, l->npend, fresh, &l->err) != PF_OK)
		l->unreachable = 1;
	for (i = 0; !l->unreachable && i < l->npend; i++) {
		if (fresh[i])
			l->recorded++;
		else
			l->repeated++;
	}
	l->npend = 0;
}

/* queue - one recipient's outcome, copied, for the next write */
static void
queue(struct learner *l, const struct pf_hist_event *e, const char *rcpt)
{
	struct pending *p;
	size_t i;

	if (l->npend == PENDING_MAX)
		flush(l);
	p = &l->pend[l->npend++];
	p->e = *e;
	snprintf(p->rcpt, sizeof(p->rcpt), "%s", rcpt);
	snprintf(p->qid, sizeof(p->qid), "%s", e->queue_id);
	p->e.rcpt = p->rcpt;
	p->e.queue_id = p->qid;
	if (e->egress_ip != NULL) {
		snprintf(p->ip, sizeof(p->ip), "%s", e->egress_ip);
		p->e.egress_ip = p->ip;
	}
	if (e->sender_domain != NULL) {
		snprintf(p->sd, sizeof(p->sd), "%s", e->sender_domain);
		p->e.sender_domain = p->sd;
	}
	if (e->dkim_domains != NULL) {
		snprintf(p->dkim, sizeof(p->dkim), "%s", e->dkim_domains);
		p->e.dkim_domains = p->dkim;
	}
	if (e->from_org != NULL) {
		snprintf(p->org, sizeof(p->org), "%s", e->from_org);
		p->e.from_org = p->org;
	}
	for (i = 0; i < e->npredicted; i++) {
		snprintf(p->pred[i], sizeof(p->pred[i]), "%s", e->predicted[i]);
		p->e.predicted[i] = p->pred[i];
	}
}

/* record - every recipient of one Gmail delivery line */
static void
record(struct learner *l, const struct pf_delivery *d)
{
	struct pf_explanation x = { 0 };
	struct pf_hist_event e;
	struct qinfo *q = slot(l, d->queue_id, 0);
	const struct pf_config *cfg = pf_engine_config(l->eng);
	char rcpt[320];
	size_t i;
	int delivered, rc;

	if ((rc = pf_cli_delivery_explain(l->rules, d, &x)) == 0) {
		l->noreply++;
		pf_explanation_reset(&x);
		return;
	}
	delivered = rc == 2;
	memset(&e, 0, sizeof(e));
	e.when = d->when != 0 ? (int64_t)d->when : pf_state_now(l->st);
	e.queue_id = d->queue_id;
	e.delivered = delivered;
	/* the form as seen (the status alone when the log gave no code) */
	e.permanent = x.reply.code != 0 ? x.reply.code / 100 == 5 :
	    x.reply.status[0] == '5';
	e.rule = x.rule != NULL ? x.rule->id : NULL;	/* lives with rules */
	e.egress_ip = x.reply.ip[0] != '\0' ? x.reply.ip : NULL;
	/* a sender-guideline reply: its entry's form depends on Enforcement */
	if (x.rule != NULL && pf_expr_uses(x.rule->when, PF_F_CFG_ENFORCEMENT))
		e.guideline = e.permanent ? 5 : 4;
	if (!delivered && x.rule == NULL)
		l->unknown++;
	/* the egress IP of an answer that names none: the one configured */
	if (cfg->negress == 1)
		e.egress_host = cfg->egress[0];
	if (q != NULL) {
		/* the SPF domain the daemon logged, else the envelope's */
		e.sender_domain = q->spf_domain[0] ? q->spf_domain :
		    q->sender_domain[0] ? q->sender_domain : NULL;
		e.dkim_domains = q->dkim[0] ? q->dkim : NULL;
		e.from_org = q->from_org[0] ? q->from_org : NULL;
		e.have_prediction = q->have_pred;
		for (i = 0; i < q->npred; i++) {
			e.predicted[i] = q->pred[i];
			e.predicted_code[i] = q->pred_code[i];
		}
		e.npredicted = q->npred;
	}
	for (i = 0; pf_delivery_rcpt(d, i, rcpt, sizeof(rcpt)); i++)
		queue(l, &e, rcpt);
	pf_explanation_reset(&x);
}

/* one_line - parse and record one line */
static void
one_line(struct learner *l, const char *line, size_t len, int cut)
{
	struct pf_delivery d;

	l->lines++;
	l->cut += cut;
	switch (pf_logline_parse(line, len, l->fmt, time(NULL), &d)) {
	case PF_L_QUEUED:
		note_queued(l, &d);
		return;
	case PF_L_PREDICTION:
		note_prediction(l, &d);
		return;
	case PF_L_BAD:
		l->bad++;
		return;
	case PF_L_OTHER:
		return;
	case PF_L_DELIVERY:
		break;
	}
	l->deliveries++;
	if (!pf_delivery_gmail(&d))
		return;
	l->gmail++;
	record(l, &d);
}

/* pos_key - the store key of a file's position */
static int
pos_key(struct pf_state_op *o, const struct pf_logreader *r)
{
	dev_t dev;
	ino_t ino;

	if (!pf_logreader_identity(r, &dev, &ino))
		return 0;
	return pf_state_key(o, "hist.pos.%llu.%llu", (unsigned long long)dev,
	    (unsigned long long)ino) == PF_OK;
}

/* resume - skip what an earlier run read of this file; a file now
 * shorter than the position (truncated in place) is read from its start */
static int
resume(struct learner *l, struct pf_logreader *r, const char *path)
{
	struct pf_state_op o;
	struct stat st;

	memset(&o, 0, sizeof(o));
	o.op = PF_SOP_GET;
	if (!pos_key(&o, r))
		return PF_OK;
	if (pf_state_run(l->st, &o, 1, &l->err) != PF_OK) {
		l->unreachable = 1;
		return PF_ETEMP;
	}
	if (!o.found || o.result <= 0)
		return PF_OK;
	if (!pf_logreader_compressed(r) && stat(path, &st) == 0 &&
	    st.st_size < o.result)
		return PF_OK;
	/* a compressed file shorter than the position is read to its end:
	 * nothing more is in it */
	(void)pf_logreader_skip(r, (off_t)o.result);
	return PF_OK;
}

/* save - the outcomes read so far, then the position reached in this
 * file (so that a crash between the two reads the lines again: their
 * marks make that harmless) */
static void
save(struct learner *l, struct pf_logreader *r)
{
	struct pf_state_op o[2];

	flush(l);
	if (l->unreachable)
		return;
	memset(o, 0, sizeof(o));
	if (!pos_key(&o[0], r))
		return;
	o[1] = o[0];
	o[0].op = PF_SOP_DEL;
	o[1].op = PF_SOP_MAX;
	o[1].n = (int64_t)pf_logreader_offset(r);
	if (pf_state_run(l->st, o, 2, &l->err) != PF_OK)
		l->unreachable = 1;
}

/* read_file - every line of one file from where the last run stopped */
static int
read_file(struct learner *l, const char *path)
{
	struct pf_logreader *r;
	struct pf_err err = { 0 };
	const char *line;
	size_t len;
	int cut, rc;
	char buf[800];

	if (pf_logreader_open(path, &r, &err) != PF_OK) {
		fprintf(stderr, "preflight: %s\n",
		    pf_err_format(&err, buf, sizeof(buf)));
		return EX_NOINPUT;
	}
	if (resume(l, r, path) != PF_OK) {
		pf_logreader_free(r);
		return EX_UNAVAILABLE;
	}
	while (!stop && !l->unreachable &&
	    (rc = pf_logreader_next(r, &line, &len, &cut)) == 1)
		one_line(l, line, len, cut);
	if (!l->unreachable)
		save(l, r);
	pf_logreader_free(r);
	return l->unreachable ? EX_UNAVAILABLE : EX_OK;
}

/* rotated - the name now holds another file, or this one was truncated
 * below what was read */
static int
rotated(const char *path, struct pf_logreader *r)
{
	struct stat st;
	dev_t dev;
	ino_t ino;

	if (stat(path, &st) != 0)
		return 0;		/* between rename and create */
	pf_logreader_identity(r, &dev, &ino);
	return st.st_dev != dev || st.st_ino != ino ||
	    st.st_size < pf_logreader_offset(r);
}

/* follow - read path as it grows, across rotation, until a signal */
static int
follow(struct learner *l, const char *path)
{
	struct pf_logreader *r = NULL;
	struct pf_err err = { 0 };
	const char *line;
	size_t len, since = 0;
	int cut, said = 0, newfile = 0;
	char buf[800];

	while (!stop && !l->unreachable) {
		if (r == NULL) {
			if (pf_logreader_open(path, &r, &err) != PF_OK) {
				if (!said)	/* once, not every second */
					fprintf(stderr, "preflight: %s\n",
					    pf_err_format(&err, buf,
					    sizeof(buf)));
				said = 1;
				newfile = 1;	/* when it comes, read it all */
				sleep(1);
				continue;
			}
			pf_logreader_hold_partial(r, 1);
			/* the file of an earlier run resumes where it was */
			if (!newfile && resume(l, r, path) != PF_OK)
				break;
		}
		while (!stop && pf_logreader_next(r, &line, &len, &cut) == 1) {
			one_line(l, line, len, cut);
			if (++since >= SAVE_EVERY) {
				save(l, r);
				since = 0;
			}
		}
		if (stop)
			break;
		if (rotated(path, r)) {
			/* the rest of the old file was read above; the new
			 * one (or the truncated one) is read from its start */
			save(l, r);
			pf_logreader_free(r);
			r = NULL;
			newfile = 1;
			continue;
		}
		save(l, r);
		sleep(1);
	}
	if (r != NULL) {
		save(l, r);
		pf_logreader_free(r);
	}
	return l->unreachable ? EX_UNAVAILABLE : EX_OK;
}

/* summary - what was read, on standard error */
static void
summary(const struct learner *l)
{
	fprintf(stderr, "preflight learn: %zu lines, %zu delivery attempts, "
	    "%zu to Gmail: %zu outcomes recorded, %zu already counted, %zu "
	    "without a reply, %zu replies not in the catalog; %zu lines "
	    "unparsed, %zu cut\n", l->lines, l->deliveries, l->gmail,
	    l->recorded, l->repeated, l->noreply, l->unknown, l->bad, l->cut);
}

/* log_format - --format's value; a usage message when it is not one */
static int
log_format(const char *v, enum pf_logfmt *fmt)
{
	if (strcmp(v, "postfix") == 0)
		*fmt = PF_LOG_POSTFIX;
	else if (strcmp(v, "sendmail") == 0)
		*fmt = PF_LOG_SENDMAIL;
	else if (strcmp(v, "auto") == 0)
		*fmt = PF_LOG_AUTO;
	else {
		fprintf(stderr, "preflight learn: unknown format '%s'\n", v);
		learn_usage(stderr);
		return -1;
	}
	return 0;
}

/* pf_cli_learn - argv[0] is "learn" */
int
pf_cli_learn(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "rules", required_argument, NULL, 'R' },
		{ "follow", no_argument, NULL, 'F' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct learner l;
	const char *config = NULL, *rules = NULL;
	int c, rc = EX_OK, i, fol = 0;
	char buf[800];

	memset(&l, 0, sizeof(l));
	l.fmt = PF_LOG_AUTO;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "c:R:Ff:h", longopts, NULL)) !=
	    -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'R':
			rules = optarg;
			break;
		case 'F':
			fol = 1;
			break;
		case 'f':
			if (log_format(optarg, &l.fmt) != 0)
				return EX_USAGE;
			break;
		case 'h':
			learn_usage(stdout);
			return EX_OK;
		default:
			learn_usage(stderr);
			return EX_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (fol && (argc != 1 || strcmp(argv[0], "-") == 0)) {
		fputs("preflight learn: --follow reads one named file\n",
		    stderr);
		learn_usage(stderr);
		return EX_USAGE;
	}
	if ((rc = pf_cli_state_engine(config, rules, 1, &l.eng)) != EX_OK)
		return rc;
	l.st = pf_engine_state(l.eng);
	l.rules = pf_engine_rules(l.eng);
	if ((l.q = calloc(QMAP_SIZE, sizeof(*l.q))) == NULL ||
	    (l.pend = calloc(PENDING_MAX, sizeof(*l.pend))) == NULL) {
		free(l.q);
		pf_engine_unref(l.eng);
		return EX_SOFTWARE;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (fol)
		rc = follow(&l, argv[0]);
	else if (argc == 0)
		rc = read_file(&l, "-");
	for (i = 0; !fol && i < argc && rc != EX_UNAVAILABLE; i++) {
		c = read_file(&l, argv[i]);
		if (c != EX_OK)
			rc = c;
	}
	flush(&l);
	if (l.unreachable)
		fprintf(stderr, "preflight: %s\n", pf_err_format(&l.err, buf,
		    sizeof(buf)));
	summary(&l);
	free(l.pend);
	free(l.q);
	pf_engine_unref(l.eng);
	return rc;
}
