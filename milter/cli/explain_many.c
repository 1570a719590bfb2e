/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * explain_many.c - `preflight explain` over input that holds many replies:
 * a log (every delivery attempt to Gmail whose reply is a refusal, one
 * result per recipient) or a bounce for several recipients (one result
 * per Final-Recipient).  Each result shows the reply as it was seen next
 * to the catalog entry's own (an older bounce says 550 5.7.1 where the
 * entry now says 550 5.7.26: both are shown, neither is rewritten), and a
 * tally per entry ends the output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/pf.h"
#include "base/json.h"
#include "catalog/rules.h"
#include "explain/dsn.h"
#include "explain/explain.h"
#include "explain/reply.h"
#include "learn/logline.h"
#include "cli.h"

#define UNKNOWN_ID	"(not in the catalog)"

/* a tally of results per entry */
struct tally {
	const char	**id;
	size_t		 *n;
	size_t		  len;
	size_t		  results, unknown;
	size_t		  sent, noreply, other_relays, bad;
};

/* tally_add - count one result for id */
static void
tally_add(struct tally *t, const char *id)
{
	const char **nid;
	size_t *nn, i;

	t->results++;
	for (i = 0; i < t->len; i++)
		if (strcmp(t->id[i], id) == 0) {
			t->n[i]++;
			return;
		}
	if ((nid = realloc(t->id, (t->len + 1) * sizeof(*nid))) == NULL)
		return;
	t->id = nid;
	if ((nn = realloc(t->n, (t->len + 1) * sizeof(*nn))) == NULL)
		return;
	t->n = nn;
	t->id[t->len] = id;
	t->n[t->len++] = 1;
}

/* seen_note - "" when the reply was seen as the entry has it, else a
 * sentence that says both */
static void
seen_note(const struct pf_explanation *x, char *out, size_t osz)
{
	const struct pf_rule *r = x->rule;
	const struct pf_reply *rp = &x->reply;

	out[0] = '\0';
	if (r == NULL || ((rp->code == 0 || rp->code == r->reply) &&
	    (rp->status[0] == '\0' || strcmp(rp->status, r->status) == 0)))
		return;
	snprintf(out, osz, "seen as %d %s; the catalog's entry is %d %s",
	    rp->code, rp->status[0] != '\0' ? rp->status : "-", r->reply,
	    r->status);
}

/* print_result - one result, a line of text or a JSON object */
static void
print_result(const char *rcpt, const char *qid, const struct
    pf_explanation *x, int json, int first)
{
	const struct pf_reply *rp = &x->reply;
	char note[160], code[16];

	seen_note(x, note, sizeof(note));
	snprintf(code, sizeof(code), "%d", rp->code);
	if (!json) {
		printf("%s\t%s %s\t%s%s%s\n", rcpt, rp->code ? code : "-",
		    rp->status[0] != '\0' ? rp->status : "-",
		    x->rule != NULL ? x->rule->id : UNKNOWN_ID,
		    note[0] != '\0' ? "\t" : "", note);
		return;
	}
	fputs(first ? "\n  " : ",\n  ", stdout);
	fputs("{\"recipient\": ", stdout);
	pf_json_str(stdout, rcpt);
	if (qid != NULL) {
		fputs(", \"queue_id\": ", stdout);
		pf_json_str(stdout, qid);
	}
	if (rp->code != 0)
		printf(", \"seen_reply\": %d", rp->code);
	else
		fputs(", \"seen_reply\": null", stdout);
	fputs(", \"seen_status\": ", stdout);
	pf_json_str(stdout, rp->status);
	fputs(", \"seen_text\": ", stdout);
	pf_json_str(stdout, rp->text != NULL ? rp->text : "");
	if (x->rule != NULL) {
		fputs(", \"rule\": ", stdout);
		pf_json_str(stdout, x->rule->id);
		printf(", \"reply\": %d, \"status\": ", x->rule->reply);
		pf_json_str(stdout, x->rule->status);
	} else
		fputs(", \"rule\": null", stdout);
	if (note[0] != '\0') {
		fputs(", \"note\": ", stdout);
		pf_json_str(stdout, note);
	}
	fputs("}", stdout);
}

/* print_tally - the count per entry, most frequent first */
static void
print_tally(struct tally *t, int json)
{
	size_t i, j, tn;
	const char *ti;

	for (i = 1; i < t->len; i++)	/* insertion sort, stable */
		for (j = i; j > 0 && t->n[j - 1] < t->n[j]; j--) {
			tn = t->n[j];
			t->n[j] = t->n[j - 1];
			t->n[j - 1] = tn;
			ti = t->id[j];
			t->id[j] = t->id[j - 1];
			t->id[j - 1] = ti;
		}
	if (json) {
		fputs("\n], \"tally\": {", stdout);
		for (i = 0; i < t->len; i++) {
			fputs(i > 0 ? ", " : "", stdout);
			pf_json_str(stdout, t->id[i]);
			printf(": %zu", t->n[i]);
		}
		printf("}, \"replies\": %zu, \"delivered\": %zu, "
		    "\"no_remote_reply\": %zu, \"other_servers\": %zu, "
		    "\"unparsed\": %zu}\n", t->results, t->sent, t->noreply,
		    t->other_relays, t->bad);
		return;
	}
	printf("\n%zu replies:\n", t->results);
	for (i = 0; i < t->len; i++)
		printf("%6zu  %s\n", t->n[i], t->id[i]);
	if (t->sent + t->noreply + t->other_relays + t->bad > 0)
		printf("also: %zu delivered, %zu without a reply from the "
		    "server, %zu to other servers, %zu unparsed lines\n",
		    t->sent, t->noreply, t->other_relays, t->bad);
}

/* pf_cli_delivery_explain - what one delivery attempt got: 2 delivered,
 * 1 a refusal (explained into x, which the caller resets), 0 no reply
 * from the server (the connection failed).  Sendmail's permanent
 * failures carry only their dsn=, which is explained alone. */
int
pf_cli_delivery_explain(const struct pf_rules *rs,
    const struct pf_delivery *d, struct pf_explanation *x)
{
	struct pf_reply r = { 0 };
	struct pf_err err = { 0 };
	char buf[64];
	int n;

	if (d->status == PF_D_SENT)
		return 2;
	if (d->reply != NULL &&
	    pf_reply_parse(d->reply, d->reply_len, &r, &err) == PF_OK &&
	    (r.code >= 400 || r.status[0] == '4' || r.status[0] == '5'))
		return pf_explain_reply(rs, &r, x) == PF_OK;
	pf_reply_reset(&r);
	if (d->reply == NULL && d->mta == PF_LOG_SENDMAIL &&
	    (d->dsn[0] == '4' || d->dsn[0] == '5')) {
		n = snprintf(buf, sizeof(buf), "dsn=%s, stat=x", d->dsn);
		if (pf_reply_parse(buf, (size_t)n, &r, &err) == PF_OK)
			return pf_explain_reply(rs, &r, x) == PF_OK;
		pf_reply_reset(&r);
	}
	return 0;
}

/* log_reply - the reply of one Gmail delivery line, explained; 0 if the
 * line holds no refusal */
static int
log_reply(const struct pf_rules *rs, const struct pf_delivery *d,
    struct pf_explanation *x, struct tally *t)
{
	switch (pf_cli_delivery_explain(rs, d, x)) {
	case 2:
		t->sent++;
		return 0;
	case 1:
		return 1;
	default:
		t->noreply++;
		return 0;
	}
}

/* each_log_line - every delivery line of a log; the number of lines
 * that were deliveries */
static size_t
each_log_line(const struct pf_rules *rs, const char *in, size_t len,
    int json, int print, struct tally *t)
{
	const char *p = in, *end = in + len, *nl;
	struct pf_explanation x = { 0 };
	struct pf_delivery d;
	time_t now = time(NULL);
	char rcpt[320];
	size_t i, deliveries = 0;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		switch (pf_logline_parse(p, (size_t)(nl - p), PF_LOG_AUTO,
		    now, &d)) {
		case PF_L_DELIVERY:
			break;
		case PF_L_BAD:
			t->bad++;
			continue;
		default:
			continue;
		}
		deliveries++;
		if (!print)
			continue;
		if (!pf_delivery_gmail(&d)) {
			t->other_relays++;
			continue;
		}
		if (!log_reply(rs, &d, &x, t))
			continue;
		for (i = 0; pf_delivery_rcpt(&d, i, rcpt, sizeof(rcpt)); i++) {
			print_result(rcpt, d.queue_id, &x, json,
			    t->results == 0);
			tally_add(t, x.rule != NULL ? x.rule->id : UNKNOWN_ID);
			if (x.rule == NULL)
				t->unknown++;
		}
		pf_explanation_reset(&x);
	}
	return deliveries;
}

/* each_dsn_rcpt - every recipient of a bounce */
static void
each_dsn_rcpt(const struct pf_rules *rs, const struct pf_dsn_rcpt *g,
    size_t n, int json, struct tally *t)
{
	struct pf_explanation x = { 0 };
	struct pf_err err = { 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		if (pf_dsn_explain(rs, &g[i], &x, &err) != PF_OK) {
			t->noreply++;
			pf_explanation_reset(&x);
			continue;
		}
		print_result(g[i].rcpt, NULL, &x, json, t->results == 0);
		tally_add(t, x.rule != NULL ? x.rule->id : UNKNOWN_ID);
		if (x.rule == NULL)
			t->unknown++;
		pf_explanation_reset(&x);
	}
}

/* pf_cli_explain_many - explain every reply when the input holds more
 * than one (two delivery lines or more, or a bounce for two recipients or
 * more); 0 when it does not (the caller explains the one reply), else 1
 * with *status the exit status: 0 every reply is in the catalog, 1 some
 * are not, 70 on an internal error */
int
pf_cli_explain_many(const struct pf_rules *rs, const char *in, size_t len,
    int json, int *status)
{
	struct tally t = { 0 };
	struct pf_dsn_rcpt *g = NULL;
	size_t ng = 0;

	if (each_log_line(rs, in, len, json, 0, &t) >= 2) {
		memset(&t, 0, sizeof(t));
		if (json)
			fputs("{\"results\": [", stdout);
		each_log_line(rs, in, len, json, 1, &t);
	} else {
		if (pf_dsn_split(in, len, &g, &ng) != PF_OK) {
			*status = 70;
			return 1;
		}
		if (ng < 2) {
			free(g);
			return 0;
		}
		memset(&t, 0, sizeof(t));
		if (json)
			fputs("{\"results\": [", stdout);
		each_dsn_rcpt(rs, g, ng, json, &t);
		free(g);
	}
	print_tally(&t, json);
	*status = t.unknown > 0 || t.results == 0 ? 1 : 0;
	free(t.id);
	free(t.n);
	return 1;
}
