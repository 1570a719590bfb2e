/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * stats.c - counters, histograms and gauges of the running daemon, under
 * one mutex (a few increments per message).  Every label set is bounded:
 * actions, verdicts and classes are enums; rules are the catalog's
 * (capped at MAX_RULES, then "other"); sender domains get a series of
 * their own for the first PF_STATS_DOMAINS seen with a prediction since
 * start, every later one counts under "other", so a series never moves
 * and memory never grows with traffic.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "stats.h"
#include "auth/dns.h"

#define NACT		5
#define NVERD		3
#define NCLS		7
#define NRC		4
#define MAX_RULES	256
#define NB		14

static const double bounds[NB] = { 0.0005, 0.001, 0.0025, 0.005, 0.01,
	0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };

struct hist {
	unsigned long long b[NB];	/* per bucket, not cumulative */
	unsigned long long count;
	double		 sum;
};

struct rulec {
	char		 id[64];
	int		 cls;
	int		 conf;		/* enum pf_confidence */
	unsigned long long n;
};

static struct {
	pthread_mutex_t	 lock;
	time_t		 start;
	unsigned long long msgs[NACT][NVERD];
	unsigned long long failsafe[NACT];
	struct rulec	 rule[MAX_RULES];
	size_t		 nrule;
	unsigned long long rule_other;
	unsigned long long cls[NCLS];
	char		 dom[PF_STATS_DOMAINS][256];
	unsigned long long domn[PF_STATS_DOMAINS];
	size_t		 ndom;
	unsigned long long dom_other;
	unsigned long long dns[NRC];
	unsigned long long dns_budget;
	struct hist	 milter_h, dns_h;
	unsigned long long reloads, reload_fail;
	unsigned long long sighup, sigusr1;
	char		 cat_version[64];
	long long	 cat_date;
} st = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* observe - one value into a histogram */
static void
observe(struct hist *h, double v)
{
	size_t i;

	for (i = 0; i < NB; i++)
		if (v <= bounds[i]) {
			h->b[i]++;
			break;
		}
	h->count++;
	h->sum += v;
}

/* dns_seen - the resolver's observer */
static void
dns_seen(enum pf_dns_rc rc, int budget, double secs)
{
	pthread_mutex_lock(&st.lock);
	if ((size_t)rc < NRC)
		st.dns[rc]++;
	if (budget)
		st.dns_budget++;
	observe(&st.dns_h, secs);
	pthread_mutex_unlock(&st.lock);
}

/* pf_stats_init - start time, and the resolver's observer */
void
pf_stats_init(void)
{
	st.start = time(NULL);
	pf_dns_observe(dns_seen);
}

/* count_rule - one prediction of rule r */
static void
count_rule(const struct pf_rule *r)
{
	size_t i;

	if ((size_t)r->cls < NCLS)
		st.cls[r->cls]++;
	/* a reload may give the rule another class or confidence: that is
	 * another series, and the old one keeps its count */
	for (i = 0; i < st.nrule; i++)
		if (st.rule[i].cls == (int)r->cls &&
		    st.rule[i].conf == (int)r->confidence &&
		    strcmp(st.rule[i].id, r->id) == 0) {
			st.rule[i].n++;
			return;
		}
	if (st.nrule == MAX_RULES || strlen(r->id) >= sizeof(st.rule[0].id)) {
		st.rule_other++;
		return;
	}
	snprintf(st.rule[st.nrule].id, sizeof(st.rule[0].id), "%s", r->id);
	st.rule[st.nrule].cls = (int)r->cls;
	st.rule[st.nrule].conf = (int)r->confidence;
	st.rule[st.nrule++].n = 1;
}

/* count_domain - one predicted message from domain d */
static void
count_domain(const char *d)
{
	size_t i;

	if (d == NULL || *d == '\0' || strlen(d) >= sizeof(st.dom[0])) {
		st.dom_other++;
		return;
	}
	for (i = 0; i < st.ndom; i++)
		if (strcmp(st.dom[i], d) == 0) {
			st.domn[i]++;
			return;
		}
	if (st.ndom == PF_STATS_DOMAINS) {
		st.dom_other++;
		return;
	}
	snprintf(st.dom[st.ndom], sizeof(st.dom[0]), "%s", d);
	st.domn[st.ndom++] = 1;
}

/* pf_stats_message - one message's outcome */
void
pf_stats_message(enum pf_action a, int failsafe, const struct pf_verdict *v,
    const char *from_domain, double secs)
{
	size_t i;

	pthread_mutex_lock(&st.lock);
	if ((size_t)a < NACT) {
		if (failsafe)
			st.failsafe[a]++;
		else if (v != NULL && (size_t)v->kind < NVERD)
			st.msgs[a][v->kind]++;
	}
	if (v != NULL && !failsafe) {
		for (i = 0; i < v->npred; i++)
			count_rule(v->pred[i].rule);
		if (v->npred > 0)
			count_domain(from_domain);
	}
	observe(&st.milter_h, secs);
	pthread_mutex_unlock(&st.lock);
}

/* pf_stats_reload - one reload done, good or bad */
void
pf_stats_reload(int ok)
{
	pthread_mutex_lock(&st.lock);
	if (ok)
		st.reloads++;
	else
		st.reload_fail++;
	pthread_mutex_unlock(&st.lock);
}

/* pf_stats_reloads - good reloads so far */
unsigned long long
pf_stats_reloads(void)
{
	unsigned long long n;

	pthread_mutex_lock(&st.lock);
	n = st.reloads;
	pthread_mutex_unlock(&st.lock);
	return n;
}

/* pf_stats_signal - a signal read by the main thread */
void
pf_stats_signal(int sig)
{
	pthread_mutex_lock(&st.lock);
	if (sig == SIGHUP)
		st.sighup++;
	else if (sig == SIGUSR1)
		st.sigusr1++;
	pthread_mutex_unlock(&st.lock);
}

/* pf_stats_catalog - the catalog now in service */
void
pf_stats_catalog(const char *version, long long date)
{
	pthread_mutex_lock(&st.lock);
	snprintf(st.cat_version, sizeof(st.cat_version), "%s",
	    version != NULL ? version : "");
	st.cat_date = date;
	pthread_mutex_unlock(&st.lock);
}

/* sum_action - messages with action a, over verdicts and fail-safes */
static unsigned long long
sum_action(int a)
{
	unsigned long long n = st.failsafe[a];
	int k;

	for (k = 0; k < NVERD; k++)
		n += st.msgs[a][k];
	return n;
}

/* pf_stats_summary - "messages=N accept=N ... reloads=N" */
void
pf_stats_summary(char *buf, size_t len)
{
	unsigned long long fs = 0, all = 0, dq = 0;
	int a;

	pthread_mutex_lock(&st.lock);
	for (a = 0; a < NACT; a++) {
		fs += st.failsafe[a];
		all += sum_action(a);
	}
	for (a = 0; a < NRC; a++)
		dq += st.dns[a];
	snprintf(buf, len, "counters: messages=%llu accept=%llu tag=%llu "
	    "hold=%llu tempfail=%llu reject=%llu failsafe=%llu "
	    "dns_queries=%llu dns_tempfail=%llu dns_budget_spent=%llu "
	    "reloads=%llu reload_failures=%llu sighup=%llu sessions=%d "
	    "uptime=%lld", all, sum_action(PF_A_ACCEPT),
	    sum_action(PF_A_TAG), sum_action(PF_A_HOLD),
	    sum_action(PF_A_TEMPFAIL), sum_action(PF_A_REJECT), fs, dq,
	    st.dns[PF_DNS_TEMPFAIL], st.dns_budget, st.reloads,
	    st.reload_fail, st.sighup, pf_session_live(),
	    (long long)(time(NULL) - st.start));
	pthread_mutex_unlock(&st.lock);
}

/* label - a label value with \, " and newline escaped */
static void
label(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(fp, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", fp);
		else
			fputc(*s, fp);
	}
}

/* render_hist - a histogram family */
static void
render_hist(FILE *fp, const char *name, const char *help,
    const struct hist *h)
{
	unsigned long long cum = 0;
	size_t i;

	fprintf(fp, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
	for (i = 0; i < NB; i++) {
		cum += h->b[i];
		fprintf(fp, "%s_bucket{le=\"%g\"} %llu\n", name, bounds[i],
		    cum);
	}
	fprintf(fp, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.6f\n"
	    "%s_count %llu\n", name, h->count, name, h->sum, name, h->count);
}

/* render_counts - messages, fail-safes, predictions */
static void
render_counts(FILE *fp)
{
	static const char *rcs[NRC] = { "answer", "nodata", "nxdomain",
		"tempfail" };
	size_t i;
	int a, k;

	fputs("# HELP preflight_messages_total Messages checked, by the "
	    "action applied and the predicted verdict.\n"
	    "# TYPE preflight_messages_total counter\n", fp);
	for (a = 0; a < NACT; a++)
		for (k = 0; k < NVERD; k++)
			fprintf(fp, "preflight_messages_total{action=\"%s\","
			    "verdict=\"%s\"} %llu\n", pf_action_name(a),
			    pf_verdict_name(k), st.msgs[a][k]);
	fputs("# HELP preflight_failsafe_total Messages given FailAction "
	    "(internal error, spent DNS budget), by the action applied.\n"
	    "# TYPE preflight_failsafe_total counter\n", fp);
	for (a = 0; a < NACT; a++)
		fprintf(fp, "preflight_failsafe_total{action=\"%s\"} %llu\n",
		    pf_action_name(a), st.failsafe[a]);
	fputs("# HELP preflight_predictions_total Predicted Gmail replies, "
	    "by catalog rule.\n"
	    "# TYPE preflight_predictions_total counter\n", fp);
	for (i = 0; i < st.nrule; i++) {
		fputs("preflight_predictions_total{rule=\"", fp);
		label(fp, st.rule[i].id);
		fprintf(fp, "\",class=\"%s\",confidence=\"%s\"} %llu\n",
		    pf_class_name(st.rule[i].cls),
		    pf_confidence_name(st.rule[i].conf), st.rule[i].n);
	}
	fprintf(fp, "preflight_predictions_total{rule=\"other\","
	    "class=\"other\",confidence=\"other\"} %llu\n", st.rule_other);
	fputs("# HELP preflight_predictions_by_class_total Predicted Gmail "
	    "replies, by catalog class.\n"
	    "# TYPE preflight_predictions_by_class_total counter\n", fp);
	for (k = 0; k < NCLS; k++)
		fprintf(fp, "preflight_predictions_by_class_total{class=\"%s\"} "
		    "%llu\n", pf_class_name(k), st.cls[k]);
	fputs("# HELP preflight_predicted_messages_total Messages with at "
	    "least one prediction, by sender (From) domain; the first "
	    "domains seen have their own series, the rest are \"other\".\n"
	    "# TYPE preflight_predicted_messages_total counter\n", fp);
	for (i = 0; i < st.ndom; i++) {
		fputs("preflight_predicted_messages_total{from_domain=\"", fp);
		label(fp, st.dom[i]);
		fprintf(fp, "\"} %llu\n", st.domn[i]);
	}
	fprintf(fp, "preflight_predicted_messages_total{from_domain=\"other\"} "
	    "%llu\n", st.dom_other);
	fputs("# HELP preflight_dns_queries_total DNS lookups, by outcome.\n"
	    "# TYPE preflight_dns_queries_total counter\n", fp);
	for (k = 0; k < NRC; k++)
		fprintf(fp, "preflight_dns_queries_total{result=\"%s\"} %llu\n",
		    rcs[k], st.dns[k]);
	fprintf(fp, "# HELP preflight_dns_budget_spent_total Lookups cut "
	    "short by the message's DNS time budget.\n"
	    "# TYPE preflight_dns_budget_spent_total counter\n"
	    "preflight_dns_budget_spent_total %llu\n", st.dns_budget);
}

/* pf_stats_render - everything, in the text exposition format 0.0.4 */
void
pf_stats_render(FILE *fp)
{
	pthread_mutex_lock(&st.lock);
	render_counts(fp);
	render_hist(fp, "preflight_milter_seconds", "Time from MAIL FROM to "
	    "the end-of-message reply, per message.", &st.milter_h);
	render_hist(fp, "preflight_dns_seconds", "Time of one DNS lookup.",
	    &st.dns_h);
	fprintf(fp, "# HELP preflight_reloads_total Configuration reloads, "
	    "by outcome.\n# TYPE preflight_reloads_total counter\n"
	    "preflight_reloads_total{result=\"ok\"} %llu\n"
	    "preflight_reloads_total{result=\"failed\"} %llu\n"
	    "# HELP preflight_sessions Milter connections open now.\n"
	    "# TYPE preflight_sessions gauge\npreflight_sessions %d\n"
	    "# HELP preflight_engine_generation Engines put in service since "
	    "start (1 + good reloads).\n"
	    "# TYPE preflight_engine_generation gauge\n"
	    "preflight_engine_generation %llu\n"
	    "# HELP preflight_catalog_date_seconds Date of the catalog in "
	    "service, as a Unix time.\n"
	    "# TYPE preflight_catalog_date_seconds gauge\n"
	    "preflight_catalog_date_seconds %lld\n"
	    "# HELP preflight_catalog_info The catalog in service.\n"
	    "# TYPE preflight_catalog_info gauge\n"
	    "preflight_catalog_info{version=\"", st.reloads, st.reload_fail,
	    pf_session_live(), 1 + st.reloads, st.cat_date);
	label(fp, st.cat_version);
	fprintf(fp, "\"} 1\n# HELP preflight_start_time_seconds Start of "
	    "the daemon, as a Unix time.\n"
	    "# TYPE preflight_start_time_seconds gauge\n"
	    "preflight_start_time_seconds %lld\n", (long long)st.start);
	pthread_mutex_unlock(&st.lock);
}
