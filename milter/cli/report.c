/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report.c - `preflight report`: what Gmail answered, and how right
 * preflight's predictions were, rule by rule, from what `preflight learn`
 * kept in the state store (docs/learn.md).
 *
 *   preflight report [--config FILE] [--rules FILE] [--since DAY]
 *       [--until DAY] [--json] [--html FILE]
 *
 * DAY is YYYY-MM-DD (UTC); the range defaults to the last 30 days.  Per
 * rule: refusals, hits (predicted and refused with that reply), false
 * alarms (predicted and delivered), misses (refused with it, not
 * predicted), precision hits / (hits + false alarms) and recall hits /
 * (hits + misses).  Then the most refused recipient domains (the last 30
 * days: a windowed count, not a dated one), and what Gmail answered per
 * sender domain and per egress IP over time: a series per UTC day, or per
 * hour when the range is one or two days of the last 14, for the TOP_N
 * largest of each and the rest summed as one.  --html writes one
 * self-contained page with its charts as inline SVG.  Exit status: 0, 64 usage, 69 store
 * unreachable, 73 the HTML file cannot be written, 78 configuration.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "base/json.h"
#include "base/pf.h"
#include "cli.h"
#include "engine/engine.h"
#include "state/hist.h"
#include "state/state.h"

#define RULES_MAX	512
#define TOP_N		10
#define DAYS_MAX	400
#define SERIES_TOP	8	/* sender domains, egress IPs shown */
#define HOURLY_DAYS	2	/* a range this short is shown per hour */

static const char *kind_name[PF_HIST_NKIND] = {
	"other", "no such user", "inactive", "mailbox full", "receiving rate",
	"IP reputation", "domain reputation", "domain policy", "allowlist"
};
static const char *kind_color[PF_HIST_NKIND] = {
	"#9e9e9e", "#d32f2f", "#7b1fa2", "#f57c00", "#fbc02d", "#1976d2",
	"#0097a7", "#388e3c", "#5d4037"
};

struct report {
	int64_t		 from, to;	/* UTC day numbers */
	struct pf_hist_rule rule[RULES_MAX];
	size_t		 nrule;
	int64_t		 delivered, refused;
	int64_t		*day_kind;
	struct pf_state_row rd[TOP_N];
	size_t		 nrd;
	struct pf_hist_series ser;
};

/* the series' column colours: deliveries, then the kinds */
static const char *
col_color(size_t col)
{
	return col == 0 ? "#a5d6a7" : kind_color[col - 1];
}

static void
report_usage(FILE *fp)
{
	fputs("usage: preflight report [--config FILE] [--rules FILE] "
	    "[--since YYYY-MM-DD]\n"
	    "                        [--until YYYY-MM-DD] [--json] "
	    "[--html FILE]\n", fp);
}

/* day_of - "YYYY-MM-DD" as a UTC day number; -1 if malformed */
static int64_t
day_of(const char *s)
{
	struct tm tm = { 0 };
	int y, m, d, n = 0;

	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3
	    || n != 10 || y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	return (int64_t)timegm(&tm) / 86400;
}

/* day_str - a day number as YYYY-MM-DD */
static const char *
day_str(int64_t d, char *buf, size_t len)
{
	time_t t = (time_t)(d * 86400);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d", &tm);
	return buf;
}

/* ratio - a/(a+b) as text, "-" without data */
static const char *
ratio(int64_t a, int64_t b, char *buf, size_t len)
{
	if (a + b == 0)
		return "-";
	snprintf(buf, len, "%.2f", (double)a / (double)(a + b));
	return buf;
}

/* cmp_rule - most refused first, then by name */
static int
cmp_rule(const void *a, const void *b)
{
	const struct pf_hist_rule *x = a, *y = b;

	if (x->refused != y->refused)
		return x->refused < y->refused ? 1 : -1;
	return strcmp(x->rule, y->rule);
}

/* gather_series - per hour when the range is short and recent enough to
 * be kept per hour, else per day */
static int
gather_series(struct pf_state *st, struct report *r, struct pf_err *err)
{
	int64_t days = r->to - r->from + 1;
	int64_t hour_now = pf_state_now(st) / 3600;
	int hourly = days <= HOURLY_DAYS &&
	    r->from * 24 > hour_now - PF_HIST_HOURS;

	return pf_hist_series(st, hourly, hourly ? r->from * 24 : r->from,
	    (size_t)(hourly ? days * 24 : days), SERIES_TOP, &r->ser, err);
}

/* bucket_str - a bucket of the series as YYYY-MM-DD or YYYY-MM-DDTHH */
static const char *
bucket_str(const struct pf_hist_series *s, size_t b, char *buf, size_t len)
{
	time_t t = (time_t)((s->first + (int64_t)b) * (s->hourly ? 3600 :
	    86400));
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, s->hourly ? "%Y-%m-%dT%H" : "%Y-%m-%d", &tm);
	return buf;
}

/* scope_name - a scope's name for people: the rest is "other (N)" */
static const char *
scope_name(const struct pf_hist_scope *sc, char *buf, size_t len)
{
	if (sc->key[0] != '\0')
		return sc->key;
	snprintf(buf, len, "other (%zu)", sc->folded);
	return buf;
}

/* gather - everything the report shows */
static int
gather(struct pf_state *st, struct report *r, struct pf_err *err)
{
	size_t i;
	int rc;

	r->day_kind = calloc((size_t)(r->to - r->from + 1) * PF_HIST_NKIND,
	    sizeof(*r->day_kind));
	if (r->day_kind == NULL)
		return pf_err_set(err, PF_ENOMEM, "out of memory");
	if ((rc = pf_hist_report(st, r->from, r->to, r->rule, RULES_MAX,
	    &r->nrule, &r->delivered, r->day_kind, err)) != PF_OK ||
	    (rc = pf_hist_top(st, "hist.rd.", 0, r->rd, TOP_N, &r->nrd,
	    err)) != PF_OK ||
	    (rc = gather_series(st, r, err)) != PF_OK)
		return rc;
	qsort(r->rule, r->nrule, sizeof(r->rule[0]), cmp_rule);
	for (i = 0; i < r->nrule; i++)
		r->refused += r->rule[i].refused;
	return PF_OK;
}

/* text_series - per scope, each bucket that has answers: the deliveries
 * and the refusals by kind */
static void
text_series(const char *what, const struct pf_hist_series *s,
    const struct pf_hist_scope *sc, size_t n)
{
	char a[32], name[64];
	size_t i, b, c, k;
	const int64_t *v;

	printf("\nwhat Gmail answered per %s, per %s (UTC):\n", what,
	    s->hourly ? "hour" : "day");
	for (i = 0; i < n; i++) {
		printf("  %s: %lld\n", scope_name(&sc[i], name, sizeof(name)),
		    (long long)sc[i].total);
		for (b = 0; b < s->nbucket; b++) {
			v = &sc[i].n[b * PF_HIST_NCOL];
			for (c = 0, k = 0; c < PF_HIST_NCOL; c++)
				k += v[c] != 0;
			if (k == 0)
				continue;
			printf("    %-14s", bucket_str(s, b, a, sizeof(a)));
			for (c = 0, k = 0; c < PF_HIST_NCOL; c++)
				if (v[c] != 0)
					printf("%s %s %lld", k++ ? "," : "",
					    pf_hist_col_name(c),
					    (long long)v[c]);
			putchar('\n');
		}
	}
}

/* print_text - the report for a terminal */
static void
print_text(const struct report *r)
{
	char a[16], b[16];
	size_t i;

	printf("preflight report %s .. %s (UTC)\n", day_str(r->from, a,
	    sizeof(a)), day_str(r->to, b, sizeof(b)));
	printf("delivered to Gmail: %lld; refused: %lld\n\n",
	    (long long)r->delivered, (long long)r->refused);
	printf("%-34s %8s %6s %8s %7s %9s %6s\n", "rule", "refused", "hits",
	    "f.alarms", "misses", "precision", "recall");
	for (i = 0; i < r->nrule; i++)
		printf("%-34s %8lld %6lld %8lld %7lld %9s %6s\n",
		    r->rule[i].rule, (long long)r->rule[i].refused,
		    (long long)r->rule[i].hits,
		    (long long)r->rule[i].false_alarms,
		    (long long)r->rule[i].misses,
		    ratio(r->rule[i].hits, r->rule[i].false_alarms, a,
		    sizeof(a)), ratio(r->rule[i].hits, r->rule[i].misses, b,
		    sizeof(b)));
	printf("\nmost refused recipient domains (last 30 days):\n");
	for (i = 0; i < r->nrd; i++)
		printf("%8lld  %s\n", (long long)r->rd[i].count,
		    r->rd[i].key + strlen("hist.rd."));
	text_series("sender domain", &r->ser, r->ser.sd, r->ser.nsd);
	text_series("egress IP", &r->ser, r->ser.ip, r->ser.nip);
}

/* json_rows - a ranked list as [{"key": ..., "count": N}] */
static void
json_rows(const char *name, const struct pf_state_row *rows, size_t n,
    const char *prefix)
{
	size_t i;

	printf(", \"%s\": [", name);
	for (i = 0; i < n; i++) {
		fputs(i > 0 ? ", {\"key\": " : "{\"key\": ", stdout);
		pf_json_str(stdout, rows[i].key + strlen(prefix));
		printf(", \"count\": %lld}", (long long)rows[i].count);
	}
	fputs("]", stdout);
}

/* json_scopes - "name": [{"key": K, "folded": N, "total": T,
 * "refused": [...], "delivered": [...], "no_such_user": [...], ...}],
 * one number per bucket in each list; key null for the rest */
static void
json_scopes(const char *name, const struct pf_hist_series *s,
    const struct pf_hist_scope *sc, size_t n)
{
	size_t i, b, c;
	int64_t sum;

	printf(", \"%s\": [", name);
	for (i = 0; i < n; i++) {
		fputs(i > 0 ? ", {\"key\": " : "{\"key\": ", stdout);
		if (sc[i].key[0] != '\0')
			pf_json_str(stdout, sc[i].key);
		else
			fputs("null", stdout);
		printf(", \"folded\": %zu, \"total\": %lld, \"refused\": [",
		    sc[i].folded, (long long)sc[i].total);
		for (b = 0; b < s->nbucket; b++) {
			for (sum = 0, c = 1; c < PF_HIST_NCOL; c++)
				sum += sc[i].n[b * PF_HIST_NCOL + c];
			printf("%s%lld", b ? ", " : "", (long long)sum);
		}
		fputs("]", stdout);
		for (c = 0; c < PF_HIST_NCOL; c++) {
			printf(", \"%s\": [", pf_hist_col_name(c));
			for (b = 0; b < s->nbucket; b++)
				printf("%s%lld", b ? ", " : "",
				    (long long)sc[i].n[b * PF_HIST_NCOL + c]);
			fputs("]", stdout);
		}
		fputs("}", stdout);
	}
	fputs("]", stdout);
}

/* json_series - "series": the buckets, then per sender domain and per
 * egress IP */
static void
json_series(const struct pf_hist_series *s)
{
	char a[32];
	size_t b, c;

	printf(", \"series\": {\"step\": \"%s\", \"buckets\": [",
	    s->hourly ? "hour" : "day");
	for (b = 0; b < s->nbucket; b++)
		printf("%s\"%s\"", b ? ", " : "", bucket_str(s, b, a,
		    sizeof(a)));
	fputs("], \"columns\": [", stdout);
	for (c = 0; c < PF_HIST_NCOL; c++)
		printf("%s\"%s\"", c ? ", " : "", pf_hist_col_name(c));
	fputs("]", stdout);
	json_scopes("sender_domains", s, s->sd, s->nsd);
	json_scopes("egress_ips", s, s->ip, s->nip);
	fputs("}", stdout);
}

/* print_json - the report as one object */
static void
print_json(const struct report *r)
{
	char a[16], b[16];
	size_t i, k;
	int64_t d;

	printf("{\"since\": \"%s\", \"until\": \"%s\", \"delivered\": %lld, "
	    "\"refused\": %lld, \"rules\": [", day_str(r->from, a, sizeof(a)),
	    day_str(r->to, b, sizeof(b)), (long long)r->delivered,
	    (long long)r->refused);
	for (i = 0; i < r->nrule; i++) {
		fputs(i > 0 ? ", {\"rule\": " : "{\"rule\": ", stdout);
		pf_json_str(stdout, r->rule[i].rule);
		printf(", \"refused\": %lld, \"hits\": %lld, "
		    "\"false_alarms\": %lld, \"misses\": %lld, "
		    "\"precision\": %s, \"recall\": %s}",
		    (long long)r->rule[i].refused, (long long)r->rule[i].hits,
		    (long long)r->rule[i].false_alarms,
		    (long long)r->rule[i].misses,
		    strcmp(ratio(r->rule[i].hits, r->rule[i].false_alarms, a,
		    sizeof(a)), "-") == 0 ? "null" : a,
		    strcmp(ratio(r->rule[i].hits, r->rule[i].misses, b,
		    sizeof(b)), "-") == 0 ? "null" : b);
	}
	fputs("], \"days\": [", stdout);
	for (d = r->from; d <= r->to; d++) {
		printf("%s{\"day\": \"%s\"", d > r->from ? ", " : "",
		    day_str(d, a, sizeof(a)));
		for (k = 0; k < PF_HIST_NKIND; k++)
			if (r->day_kind[(d - r->from) * PF_HIST_NKIND + k])
				printf(", \"%s\": %lld", kind_name[k],
				    (long long)r->day_kind[(d - r->from) *
				    PF_HIST_NKIND + k]);
		fputs("}", stdout);
	}
	fputs("]", stdout);
	json_rows("recipient_domains", r->rd, r->nrd, "hist.rd.");
	json_series(&r->ser);
	fputs("}\n", stdout);
}

/* html_esc - text for HTML */
static void
html_esc(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '&': fputs("&amp;", fp); break;
		case '"': fputs("&quot;", fp); break;
		default: fputc(*s, fp);
		}
}

/* svg_days - replies per day, stacked by kind */
static void
svg_days(FILE *fp, const struct report *r)
{
	int64_t d, max = 1, tot, y;
	size_t k, ndays = (size_t)(r->to - r->from + 1);
	double bw = 760.0 / (double)ndays, h;
	char a[16];

	for (d = r->from; d <= r->to; d++) {
		for (tot = 0, k = 0; k < PF_HIST_NKIND; k++)
			tot += r->day_kind[(d - r->from) * PF_HIST_NKIND + k];
		if (tot > max)
			max = tot;
	}
	fprintf(fp, "<svg id=\"days\" xmlns=\"http://www.w3.org/2000/svg\" "
	    "width=\"800\" height=\"260\" role=\"img\" aria-label=\"replies "
	    "per day\">\n<line x1=\"30\" y1=\"220\" x2=\"790\" y2=\"220\" "
	    "stroke=\"#333\"/>\n<text x=\"0\" y=\"20\" font-size=\"11\">"
	    "%lld</text>\n", (long long)max);
	for (d = r->from; d <= r->to; d++) {
		y = 220;
		for (k = 0; k < PF_HIST_NKIND; k++) {
			tot = r->day_kind[(d - r->from) * PF_HIST_NKIND + k];
			if (tot == 0)
				continue;
			h = 200.0 * (double)tot / (double)max;
			fprintf(fp, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" "
			    "width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
			    "<title>%s %s: %lld</title></rect>\n",
			    30.0 + bw * (double)(d - r->from), (double)y - h,
			    bw > 2 ? bw - 1 : bw, h, kind_color[k],
			    day_str(d, a, sizeof(a)), kind_name[k],
			    (long long)tot);
			y -= (int64_t)h;
		}
	}
	fprintf(fp, "<text x=\"30\" y=\"240\" font-size=\"11\">%s</text>\n",
	    day_str(r->from, a, sizeof(a)));
	fprintf(fp, "<text x=\"720\" y=\"240\" font-size=\"11\">%s</text>\n"
	    "</svg>\n", day_str(r->to, a, sizeof(a)));
	fputs("<p>", fp);
	for (k = 0; k < PF_HIST_NKIND; k++)
		fprintf(fp, "<span style=\"color:%s\">&#9632;</span> %s "
		    "&nbsp;", kind_color[k], kind_name[k]);
	fputs("</p>\n", fp);
}

/* svg_rules - precision and recall per rule that was predicted or
 * missed */
static void
svg_rules(FILE *fp, const struct report *r)
{
	size_t i, n = 0;
	double p, q;
	int y;

	for (i = 0; i < r->nrule; i++)
		if (r->rule[i].hits + r->rule[i].false_alarms +
		    r->rule[i].misses > 0)
			n++;
	fprintf(fp, "<svg id=\"rules\" xmlns=\"http://www.w3.org/2000/svg\" "
	    "width=\"800\" height=\"%zu\" role=\"img\" aria-label=\"precision "
	    "and recall per rule\">\n", 30 + 40 * (n ? n : 1));
	if (n == 0)
		fputs("<text x=\"10\" y=\"20\" font-size=\"12\">no predictions "
		    "joined with outcomes in this range</text>\n", fp);
	for (i = 0, y = 10; i < r->nrule; i++) {
		const struct pf_hist_rule *x = &r->rule[i];

		if (x->hits + x->false_alarms + x->misses == 0)
			continue;
		p = x->hits + x->false_alarms ? (double)x->hits /
		    (double)(x->hits + x->false_alarms) : 0;
		q = x->hits + x->misses ? (double)x->hits /
		    (double)(x->hits + x->misses) : 0;
		fputs("<text x=\"0\" y=\"", fp);
		fprintf(fp, "%d\" font-size=\"11\">", y + 12);
		html_esc(fp, x->rule);
		fprintf(fp, "</text>\n<rect class=\"bar\" x=\"300\" y=\"%d\" "
		    "width=\"%.1f\" height=\"14\" fill=\"#1976d2\"><title>"
		    "precision %.2f</title></rect>\n<rect class=\"bar\" "
		    "x=\"300\" y=\"%d\" width=\"%.1f\" height=\"14\" "
		    "fill=\"#388e3c\"><title>recall %.2f</title></rect>\n",
		    y, 1 + 480 * p, p, y + 16, 1 + 480 * q, q);
		y += 40;
	}
	fputs("</svg>\n<p><span style=\"color:#1976d2\">&#9632;</span> "
	    "precision &nbsp; <span style=\"color:#388e3c\">&#9632;</span> "
	    "recall</p>\n", fp);
}

/* svg_scope - one small chart: a scope's answers per bucket, stacked,
 * deliveries at the bottom */
static void
svg_scope(FILE *fp, const struct pf_hist_series *s,
    const struct pf_hist_scope *sc)
{
	double bw = 760.0 / (double)s->nbucket, h, y;
	int64_t max = 1, tot;
	size_t b, c;
	char a[32], name[64];
	const char *nm = scope_name(sc, name, sizeof(name));

	for (b = 0; b < s->nbucket; b++) {
		for (tot = 0, c = 0; c < PF_HIST_NCOL; c++)
			tot += sc->n[b * PF_HIST_NCOL + c];
		if (tot > max)
			max = tot;
	}
	fputs("<svg class=\"series\" xmlns=\"http://www.w3.org/2000/svg\" "
	    "width=\"800\" height=\"130\" role=\"img\" aria-label=\"", fp);
	html_esc(fp, nm);
	fputs("\">\n<text x=\"30\" y=\"12\" font-size=\"12\">", fp);
	html_esc(fp, nm);
	fprintf(fp, " (%lld)</text>\n<text x=\"0\" y=\"26\" font-size=\"10\">"
	    "%lld</text>\n<line x1=\"30\" y1=\"110\" x2=\"790\" y2=\"110\" "
	    "stroke=\"#333\"/>\n", (long long)sc->total, (long long)max);
	for (b = 0; b < s->nbucket; b++)
		for (y = 110, c = 0; c < PF_HIST_NCOL; c++) {
			if ((tot = sc->n[b * PF_HIST_NCOL + c]) == 0)
				continue;
			h = 88.0 * (double)tot / (double)max;
			y -= h;
			fprintf(fp, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" "
			    "width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
			    "<title>%s %s: %lld</title></rect>\n",
			    30.0 + bw * (double)b, y, bw > 2 ? bw - 1 : bw, h,
			    col_color(c), bucket_str(s, b, a, sizeof(a)),
			    pf_hist_col_name(c), (long long)tot);
		}
	fprintf(fp, "<text x=\"30\" y=\"124\" font-size=\"10\">%s</text>\n",
	    bucket_str(s, 0, a, sizeof(a)));
	fprintf(fp, "<text x=\"700\" y=\"124\" font-size=\"10\">%s</text>\n"
	    "</svg>\n", bucket_str(s, s->nbucket - 1, a, sizeof(a)));
}

/* html_series - a small chart per sender domain or egress IP, and the
 * legend */
static void
html_series(FILE *fp, const char *what, const struct pf_hist_series *s,
    const struct pf_hist_scope *sc, size_t n)
{
	size_t i, c;

	fprintf(fp, "<h2>What Gmail answered per %s, per %s</h2>\n", what,
	    s->hourly ? "hour" : "day");
	if (n == 0)
		fputs("<p>nothing in this range</p>\n", fp);
	for (i = 0; i < n; i++)
		svg_scope(fp, s, &sc[i]);
	fputs("<p>", fp);
	for (c = 0; n > 0 && c < PF_HIST_NCOL; c++)
		fprintf(fp, "<span style=\"color:%s\">&#9632;</span> %s "
		    "&nbsp;", col_color(c), pf_hist_col_name(c));
	fputs("</p>\n", fp);
}

/* write_html - one self-contained page */
static int
write_html(const char *path, const struct report *r)
{
	FILE *fp = fopen(path, "w");
	char a[16], b[16];
	size_t i;

	if (fp == NULL)
		return -1;
	fprintf(fp, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
	    "charset=\"utf-8\"><title>preflight report %s .. %s</title>\n"
	    "<style>body{font-family:sans-serif;margin:2em}table{border-"
	    "collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid "
	    "#ddd;text-align:right}td:first-child,th:first-child{text-align:"
	    "left}</style></head><body>\n<h1>preflight report %s .. %s"
	    "</h1>\n<p>delivered to Gmail: %lld; refused: %lld</p>\n"
	    "<h2>Replies per day</h2>\n", day_str(r->from, a, sizeof(a)),
	    day_str(r->to, b, sizeof(b)), a, b, (long long)r->delivered,
	    (long long)r->refused);
	svg_days(fp, r);
	fputs("<h2>Precision and recall per rule</h2>\n", fp);
	svg_rules(fp, r);
	fputs("<h2>Rules</h2>\n<table><tr><th>rule</th><th>refused</th>"
	    "<th>hits</th><th>false alarms</th><th>misses</th>"
	    "<th>precision</th><th>recall</th></tr>\n", fp);
	for (i = 0; i < r->nrule; i++) {
		fputs("<tr><td>", fp);
		html_esc(fp, r->rule[i].rule);
		fprintf(fp, "</td><td>%lld</td><td>%lld</td><td>%lld</td>"
		    "<td>%lld</td><td>%s</td><td>%s</td></tr>\n",
		    (long long)r->rule[i].refused, (long long)r->rule[i].hits,
		    (long long)r->rule[i].false_alarms,
		    (long long)r->rule[i].misses,
		    ratio(r->rule[i].hits, r->rule[i].false_alarms, a,
		    sizeof(a)), ratio(r->rule[i].hits, r->rule[i].misses, b,
		    sizeof(b)));
	}
	fputs("</table>\n<h2>Most refused recipient domains (last 30 days)"
	    "</h2>\n<table>\n", fp);
	for (i = 0; i < r->nrd; i++) {
		fputs("<tr><td>", fp);
		html_esc(fp, r->rd[i].key + strlen("hist.rd."));
		fprintf(fp, "</td><td>%lld</td></tr>\n",
		    (long long)r->rd[i].count);
	}
	fputs("</table>\n", fp);
	html_series(fp, "sender domain", &r->ser, r->ser.sd, r->ser.nsd);
	html_series(fp, "egress IP", &r->ser, r->ser.ip, r->ser.nip);
	fputs("</body></html>\n", fp);
	return fclose(fp) == 0 ? 0 : -1;
}

/* pf_cli_report - argv[0] is "report" */
int
pf_cli_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "rules", required_argument, NULL, 'R' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "json", no_argument, NULL, 'j' },
		{ "html", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *config = NULL, *rules = NULL, *since = NULL, *until = NULL;
	const char *html = NULL;
	struct report *r;
	struct pf_engine *e;
	struct pf_err err = { 0 };
	char buf[800];
	int c, json = 0, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "c:R:s:u:jH:h", longopts, NULL)) !=
	    -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'R': rules = optarg; break;
		case 's': since = optarg; break;
		case 'u': until = optarg; break;
		case 'j': json = 1; break;
		case 'H': html = optarg; break;
		case 'h': report_usage(stdout); return EX_OK;
		default: report_usage(stderr); return EX_USAGE;
		}
	}
	if (optind != argc || (r = calloc(1, sizeof(*r))) == NULL) {
		report_usage(stderr);
		return EX_USAGE;
	}
	r->to = until != NULL ? day_of(until) : (int64_t)time(NULL) / 86400;
	r->from = since != NULL ? day_of(since) : r->to - 29;
	if (r->from < 0 || r->to < 0 || r->from > r->to ||
	    r->to - r->from >= DAYS_MAX) {
		fprintf(stderr, "preflight report: the range must be "
		    "YYYY-MM-DD days, since <= until, at most %d days\n",
		    DAYS_MAX);
		free(r);
		return EX_USAGE;
	}
	if ((rc = pf_cli_state_engine(config, rules, 0, &e)) != EX_OK) {
		free(r);
		return rc;
	}
	rc = EX_OK;
	if (gather(pf_engine_state(e), r, &err) != PF_OK) {
		fprintf(stderr, "preflight: %s\n", pf_err_format(&err, buf,
		    sizeof(buf)));
		rc = err.status == PF_ENOMEM ? EX_SOFTWARE : EX_UNAVAILABLE;
	} else if (html != NULL && write_html(html, r) != 0) {
		fprintf(stderr, "preflight: %s: cannot write\n", html);
		rc = EX_CANTCREAT;
	} else if (json)
		print_json(r);
	else if (html == NULL)
		print_text(r);
	free(r->day_kind);
	pf_hist_series_free(&r->ser);
	free(r);
	pf_engine_unref(e);
	return rc;
}
