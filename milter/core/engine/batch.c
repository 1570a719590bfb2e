/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * batch.c - many messages through one engine.
 *
 * A message file is streamed (only its first HEAD_MAX bytes are held, to
 * find the envelope in its header); a message cut out of an mbox is read
 * whole, since its ">From " quoting must be undone.  The envelope is the
 * options', else what the header implies, else a personal Gmail
 * recipient.  The verdict then goes through the daemon's own decision
 * (pf_check_decide, pf_policy_incomplete): the same Gmail-bound test,
 * the same Action lines, the same FailAction when the DNS budget ran out.
 *
 * Threads take items in list order and park their results; the calling
 * thread hands them to the callback in order.  A worker does not run
 * further ahead than WINDOW items of the last one handed over, so memory
 * stays bounded whatever the list's length.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "base/pf.h"
#include "base/msg.h"
#include "catalog/render.h"
#include "catalog/rules.h"
#include "catalog/verdict.h"
#include "config/config.h"
#include "config/policy.h"
#include "engine/batch.h"
#include "engine/engine.h"
#include "message/envguess.h"
#include "message/mailbox.h"
#include "message/mtahdr.h"

#define HEAD_MAX	(1024 * 1024)	/* bytes read before streaming */
#define CHUNK		65536
#define WINDOW(j)	((size_t)(j) * 4 + 16)

/* the MTA-added fields hook: which fields it supplied */
struct adds {
	const char	*host;
	unsigned	 added;		/* PF_MSG_SEEN_* it added */
	int		 failed;
};

/* mtahdr_bits - the builder's PF_MSG_SEEN_* as PF_MTAHDR_* */
static int
mtahdr_bits(unsigned seen)
{
	return (seen & PF_MSG_SEEN_MSGID ? PF_MTAHDR_MSGID : 0) |
	    (seen & PF_MSG_SEEN_DATE ? PF_MTAHDR_DATE : 0) |
	    (seen & PF_MSG_SEEN_FROM ? PF_MTAHDR_FROM : 0);
}

/* mta_hook - add the missing fields just before the end of the header,
 * as the daemon does at its end of header (message/mtahdr.c) */
static void
mta_hook(void *arg, struct pf_msg *m)
{
	struct adds *a = arg;
	struct pf_mtahdr_env env;
	const char *why;
	unsigned seen = pf_msg_seen(m);

	env.host = a->host;
	env.mail = pf_msg_mail_get(m);
	env.now = time(NULL);
	a->added = ~seen & (PF_MSG_SEEN_MSGID | PF_MSG_SEEN_DATE |
	    PF_MSG_SEEN_FROM);
	if (pf_mtahdr_add(m, mtahdr_bits(seen), &env, &why) != PF_OK)
		a->failed = 1;
}

/* fail - the message is not checked: an input error (or ours) */
static void
fail(struct pf_result *r, int internal, const char *fmt, const char *arg)
{
	snprintf(r->error, sizeof(r->error), fmt, arg);
	r->out.error = r->error;
	r->internal = internal;
}

/* blank - nothing but blanks and line ends */
static int
blank(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != '\r' && p[i] != '\n' && p[i] != ' ' &&
		    p[i] != '\t')
			return 0;
	return 1;
}

/* envelope - options, else the header's, else a personal Gmail address */
static int
envelope(struct pf_result *r, const struct pf_batch_opts *o,
    const char *head, size_t hlen, struct pf_msg *m)
{
	struct pf_outcome *out = &r->out;
	size_t i;

	if ((o->mail_from == NULL || o->nrcpt == 0) &&
	    pf_env_guess(head, hlen, &r->guess) != PF_OK)
		return PF_ENOMEM;
	if (o->mail_from != NULL) {
		out->mail_from = o->mail_from;
		out->mail_src = "--mail-from";
	} else if (r->guess.mail != NULL) {
		out->mail_from = r->guess.mail;
		out->mail_src = strcmp(r->guess.mail_src, "Return-Path") == 0 ?
		    "from Return-Path:" : "from the From: address";
	} else
		out->mail_src = "none in the message";
	if (out->mail_from != NULL && pf_msg_mail(m, out->mail_from) != PF_OK)
		return PF_ENOMEM;
	if (o->nrcpt > 0) {
		out->rcpt = o->rcpt;
		out->nrcpt = o->nrcpt;
		out->rcpt_src = "--rcpt";
	} else if (r->guess.nrcpt > 0) {
		out->rcpt = (const char *const *)r->guess.rcpt;
		out->nrcpt = r->guess.nrcpt;
		out->rcpt_src = "from To/Cc/Bcc";
	} else {
		static const char *const dflt[] = { PF_BATCH_DEFAULT_RCPT };

		out->rcpt = dflt;
		out->nrcpt = 1;
		out->rcpt_src = "none in the message: a personal Gmail address";
	}
	for (i = 0; i < out->nrcpt; i++)
		if (pf_msg_rcpt(m, out->rcpt[i]) != PF_OK)
			return PF_ENOMEM;
	return PF_OK;
}

/* head_of - the first bytes of a message: all of an mbox span or of
 * standard input, the start of a file (*fd left open for the rest) */
static int
head_of(const struct pf_mitem *it, char **buf, size_t *len, int *fd,
    struct pf_err *err)
{
	struct stat st;
	size_t cap;
	ssize_t n;

	*fd = -1;
	if (it->mem != NULL || it->index != 0)
		return pf_mailbox_read(it, buf, len, err);
	if ((*fd = open(it->path, O_RDONLY | O_CLOEXEC)) < 0)
		return pf_err_set(err, PF_EIO, "%s", strerror(errno));
	/* no more than the file holds: most messages are small */
	cap = fstat(*fd, &st) == 0 && st.st_size >= 0 &&
	    (uint64_t)st.st_size < HEAD_MAX ? (size_t)st.st_size + 1 :
	    HEAD_MAX;
	if ((*buf = malloc(cap + 1)) == NULL)
		return pf_err_set(err, PF_ENOMEM, "out of memory");
	*len = 0;
	while (*len < cap) {
		n = read(*fd, *buf + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return pf_err_set(err, PF_EIO, "%s", strerror(errno));
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	(*buf)[*len] = '\0';
	return PF_OK;
}

/* stream - the rest of a file into the builder */
static int
stream(int fd, struct pf_msg *m, struct pf_err *err)
{
	char *buf = malloc(CHUNK);
	ssize_t n;
	int rc = PF_OK;

	if (buf == NULL)
		return pf_err_set(err, PF_ENOMEM, "out of memory");
	for (;;) {
		n = read(fd, buf, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = pf_err_set(err, PF_EIO, "%s", strerror(errno));
			break;
		}
		if (n == 0)
			break;
		if (pf_msg_raw(m, buf, (size_t)n) != PF_OK) {
			rc = pf_err_set(err, PF_ENOMEM, "out of memory");
			break;
		}
	}
	free(buf);
	return rc;
}

/* added_names - "Message-ID Date From" for the bits */
static void
added_names(struct pf_result *r, unsigned bits)
{
	snprintf(r->added, sizeof(r->added), "%s%s%s",
	    bits & PF_MSG_SEEN_MSGID ? "Message-ID " : "",
	    bits & PF_MSG_SEEN_DATE ? "Date " : "",
	    bits & PF_MSG_SEEN_FROM ? "From " : "");
	if (r->added[0] != '\0') {
		r->added[strlen(r->added) - 1] = '\0';
		r->out.mta_added = r->added;
	}
}

/* decide - the daemon's decision on the verdict */
static void
decide(struct pf_engine *eng, struct pf_result *r)
{
	const struct pf_policy *p = pf_engine_config(eng)->policy;
	struct pf_decision d;
	enum pf_undecided why;
	char line[300];

	if ((why = pf_policy_incomplete(&r->v)) != PF_U_NONE) {
		/* incomplete checks: FailAction, as the daemon does */
		r->out.gmail = 1;
		r->out.failsafe = 1;
		r->out.action = pf_action_name(p->dry_run ? PF_A_ACCEPT :
		    p->fail_action);
		snprintf(r->why, sizeof(r->why), "FailAction: %s",
		    pf_undecided_text(why));
		r->out.action_why = r->why;
		return;
	}
	pf_check_decide(r->chk, &r->v, &d);
	r->out.gmail = d.gmail;
	r->out.action = pf_action_name(d.action);
	if (d.pred != NULL && !d.downgraded) {
		pf_policy_line_text(d.line, line, sizeof(line));
		snprintf(r->why, sizeof(r->why), "%s%s%s%s",
		    p->dry_run ? "dry run, would " : "",
		    p->dry_run ? pf_action_name(d.would) : "",
		    p->dry_run ? ": " : "", line);
	} else
		snprintf(r->why, sizeof(r->why), "%s", d.reason);
	r->out.action_why = r->why;
	if (!d.gmail) {
		/* Gmail's replies do not apply to this message */
		pf_verdict_reset(&r->v);
		memset(&r->v, 0, sizeof(r->v));
	}
}

/* batch_check - the check of the next message: *spare (a check of the
 * same engine a result gave back) reset in place if there is one, else a
 * new one; NULL on ENOMEM */
static struct pf_check *
batch_check(struct pf_engine *eng, struct pf_check **spare)
{
	struct pf_check *c = spare != NULL ? *spare : NULL;

	if (c == NULL)
		return pf_check_new(eng);
	*spare = NULL;
	if (pf_check_reset(c) == PF_OK)
		return c;
	pf_check_free(c);
	return pf_check_new(eng);
}

/* batch_one - read, envelope, check, decide; spare as batch_check's */
static void
batch_one(struct pf_engine *eng, const struct pf_mitem *it,
    const struct pf_batch_opts *o, struct pf_result *r,
    struct pf_check **spare)
{
	const struct pf_config *cfg = pf_engine_config(eng);
	struct adds adds = { o->mta_host, 0, 0 };
	struct pf_err err = { 0 };
	struct pf_msg *m;
	char *head = NULL, ebuf[600];
	size_t hlen = 0;
	int fd = -1, madds;

	memset(r, 0, sizeof(*r));
	r->out.label = pf_mailbox_label(it, r->label, sizeof(r->label));
	r->out.path = it->path;
	r->out.index = it->index;
	if (it->error != NULL) {
		fail(r, 0, "%s", it->error);
		r->noinput = 1;
		return;
	}
	if (head_of(it, &head, &hlen, &fd, &err) != PF_OK) {
		fail(r, err.status == PF_ENOMEM, "%s",
		    pf_err_format(&err, ebuf, sizeof(ebuf)));
		r->noinput = err.status == PF_EIO;
		goto out;
	}
	if (fd < 0 ? blank(head, hlen) : hlen == 0) {
		fail(r, 0, "%s", "empty input, not a message");
		goto out;
	}
	if ((r->chk = batch_check(eng, spare)) == NULL) {
		fail(r, 1, "%s", "out of memory");
		goto out;
	}
	m = pf_check_msg(r->chk);
	if ((cfg->helo != NULL && pf_msg_helo(m, cfg->helo) != PF_OK) ||
	    envelope(r, o, head, hlen, m) != PF_OK) {
		fail(r, 1, "%s", "out of memory");
		goto out;
	}
	madds = o->mta_adds >= 0 ? (o->mta_adds == PF_M_ALWAYS ||
	    (o->mta_adds == PF_M_LOCAL && o->local)) :
	    pf_policy_mta_adds(cfg->policy, o->local);
	if (madds)
		pf_msg_before_eoh(m, mta_hook, &adds);
	if (pf_msg_raw(m, head, hlen) != PF_OK ||
	    (fd >= 0 && stream(fd, m, &err) != PF_OK) || adds.failed) {
		fail(r, err.status != PF_EIO, "%s", err.status == PF_EIO ?
		    pf_err_format(&err, ebuf, sizeof(ebuf)) : "out of memory");
		goto out;
	}
	if (pf_check_run(r->chk, &r->v, &err) != PF_OK) {
		fail(r, 1, "%s", pf_err_format(&err, ebuf, sizeof(ebuf)));
		goto out;
	}
	/* the builder found no header field at all: not a message (the
	 * same test that makes msg.malformed say so) */
	if (pf_msg_defects(m) & PF_MSG_D_EMPTY) {
		fail(r, 0, "%s", "not a message: no header field before the "
		    "first line that is not one");
		goto out;
	}
	added_names(r, adds.added);
	if (o->record && pf_check_record(r->chk, &err) != PF_OK)
		snprintf(r->record_err, sizeof(r->record_err), "%s",
		    pf_err_format(&err, ebuf, sizeof(ebuf)));
	pf_verdict_min_confidence(&r->v, o->min_confidence >= 0 ?
	    (enum pf_confidence)o->min_confidence :
	    cfg->policy->min_confidence);
	r->facts = pf_check_facts(r->chk);
	decide(eng, r);
out:
	if (fd >= 0)
		close(fd);
	free(head);
}

/* pf_batch_one - read, envelope, check, decide */
void
pf_batch_one(struct pf_engine *eng, const struct pf_mitem *it,
    const struct pf_batch_opts *o, struct pf_result *r)
{
	batch_one(eng, it, o, r, NULL);
}

/* result_recycle - pf_result_reset, keeping the check in *spare for the
 * next message when that is empty */
static void
result_recycle(struct pf_result *r, struct pf_check **spare)
{
	if (*spare == NULL) {
		*spare = r->chk;
		r->chk = NULL;
	}
	pf_result_reset(r);
}

/* pf_result_reset - release what a result holds */
void
pf_result_reset(struct pf_result *r)
{
	pf_verdict_reset(&r->v);
	pf_check_free(r->chk);
	pf_env_guess_reset(&r->guess);
	free(r->text);
	memset(r, 0, sizeof(*r));
}

struct pool {
	struct pf_engine	*eng;
	const struct pf_mlist	*l;
	const struct pf_batch_opts *o;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;		/* workers: the window moved */
	pthread_cond_t		 ready;		/* caller: its result is in */
	size_t			 next;		/* next item to take */
	size_t			 handed;	/* items given to the caller */
	size_t			 want;		/* the item the caller waits
						 * for, or SIZE_MAX */
	unsigned		 blocked;	/* workers waiting on the window */
	struct pf_result	**res;
	struct pf_check		**spare;	/* checks delivered results gave
						 * back, for the workers to reuse;
						 * one per thread at most */
	size_t			 nspare, spcap;
	int			 stop;
};

/* worker - take items in order, park their results */
static void *
worker(void *arg)
{
	struct pool *p = arg;
	struct pf_result *r;
	struct pf_check *c;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (!p->stop && p->next < p->l->n &&
		    p->next >= p->handed + WINDOW(p->o->jobs)) {
			p->blocked++;
			pthread_cond_wait(&p->cv, &p->mu);
			p->blocked--;
		}
		if (p->stop || p->next >= p->l->n) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		i = p->next++;
		c = p->nspare > 0 ? p->spare[--p->nspare] : NULL;
		pthread_mutex_unlock(&p->mu);
		if ((r = malloc(sizeof(*r))) != NULL) {
			batch_one(p->eng, &p->l->item[i], p->o, r, &c);
			if (p->o->render != NULL)
				p->o->render(p->o->render_arg, r);
		}
		pthread_mutex_lock(&p->mu);
		/* not taken (no result, or an unreadable input): keep it */
		if (c != NULL && p->nspare < p->spcap) {
			p->spare[p->nspare++] = c;
			c = NULL;
		}
		/* a result that could not be made is reported by the caller */
		p->res[i] = r != NULL ? r : (struct pf_result *)p;
		/* wake the caller only for the one it waits for */
		if (i == p->want)
			pthread_cond_signal(&p->ready);
		pthread_mutex_unlock(&p->mu);
		pf_check_free(c);
	}
}

/* deliver - hand one result over; nonzero stops */
static int
deliver(struct pool *p, struct pf_result *r, size_t i, pf_batch_fn fn,
    void *arg)
{
	struct pf_result oom;
	int stop;

	if (r == (struct pf_result *)p) {
		memset(&oom, 0, sizeof(oom));
		oom.out.label = pf_mailbox_label(&p->l->item[i], oom.label,
		    sizeof(oom.label));
		oom.out.path = p->l->item[i].path;
		oom.out.index = p->l->item[i].index;
		fail(&oom, 1, "%s", "out of memory");
		if (p->o->render != NULL)
			p->o->render(p->o->render_arg, &oom);
		stop = fn(arg, &oom);
		free(oom.text);
		return stop;
	}
	stop = fn(arg, r);
	/* its check goes back to the workers */
	pthread_mutex_lock(&p->mu);
	if (r->chk != NULL && p->nspare < p->spcap) {
		p->spare[p->nspare++] = r->chk;
		r->chk = NULL;
	}
	pthread_mutex_unlock(&p->mu);
	pf_result_reset(r);
	free(r);
	return stop;
}

/* run_serial - one thread: no pool at all */
static int
run_serial(struct pf_engine *eng, const struct pf_mlist *l,
    const struct pf_batch_opts *o, pf_batch_fn fn, void *arg)
{
	struct pf_result *r = malloc(sizeof(*r));
	struct pf_check *spare = NULL;	/* one check, reset per message */
	size_t i;
	int stop = 0;

	if (r == NULL)
		return PF_ENOMEM;
	for (i = 0; i < l->n && !stop; i++) {
		batch_one(eng, &l->item[i], o, r, &spare);
		if (o->render != NULL)
			o->render(o->render_arg, r);
		stop = fn(arg, r);
		result_recycle(r, &spare);
	}
	pf_check_free(spare);
	free(r);
	return stop ? PF_EINVAL : PF_OK;
}

/* pf_batch_run - the pool, and the results in order */
int
pf_batch_run(struct pf_engine *eng, const struct pf_mlist *l,
    const struct pf_batch_opts *o, pf_batch_fn fn, void *arg,
    struct pf_err *err)
{
	struct pool p;
	pthread_t *t;
	size_t i, nt = o->jobs, started = 0;
	int stop = 0;

	if (nt > l->n)
		nt = l->n;
	if (nt <= 1)
		return run_serial(eng, l, o, fn, arg);
	memset(&p, 0, sizeof(p));
	p.eng = eng;
	p.l = l;
	p.o = o;
	p.spcap = nt;
	if ((p.res = calloc(l->n, sizeof(*p.res))) == NULL ||
	    (p.spare = calloc(nt, sizeof(*p.spare))) == NULL ||
	    (t = calloc(nt, sizeof(*t))) == NULL) {
		free(p.res);
		free(p.spare);
		return pf_err_set(err, PF_ENOMEM, "out of memory");
	}
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	pthread_cond_init(&p.ready, NULL);
	p.want = SIZE_MAX;
	for (i = 0; i < nt; i++)
		if (pthread_create(&t[i], NULL, worker, &p) == 0)
			started++;
		else
			break;
	if (started == 0) {
		free(t);
		free(p.res);
		free(p.spare);
		pthread_mutex_destroy(&p.mu);
		pthread_cond_destroy(&p.cv);
		pthread_cond_destroy(&p.ready);
		return run_serial(eng, l, o, fn, arg);
	}
	for (i = 0; i < l->n && !stop; i++) {
		struct pf_result *r;

		pthread_mutex_lock(&p.mu);
		p.want = i;
		while (p.res[i] == NULL)
			pthread_cond_wait(&p.ready, &p.mu);
		p.want = SIZE_MAX;
		r = p.res[i];
		p.res[i] = NULL;
		p.handed = i + 1;
		if (p.blocked > 0)
			pthread_cond_broadcast(&p.cv);
		pthread_mutex_unlock(&p.mu);
		stop = deliver(&p, r, i, fn, arg);
	}
	pthread_mutex_lock(&p.mu);
	p.stop = 1;
	pthread_cond_broadcast(&p.cv);
	pthread_mutex_unlock(&p.mu);
	for (i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	/* results parked after a stop */
	for (i = 0; i < l->n; i++)
		if (p.res[i] != NULL && p.res[i] != (struct pf_result *)&p) {
			pf_result_reset(p.res[i]);
			free(p.res[i]);
		}
	for (i = 0; i < p.nspare; i++)
		pf_check_free(p.spare[i]);
	free(p.spare);
	free(t);
	free(p.res);
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.cv);
	pthread_cond_destroy(&p.ready);
	return stop ? PF_EINVAL : PF_OK;
}
