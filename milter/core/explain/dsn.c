/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dsn.c - one explanation per recipient of a bounce.
 *
 * The per-recipient groups of the message/delivery-status part are found
 * by their Final-Recipient field at the start of a line; a group runs to
 * the next blank line.  Its reply is the one in its Diagnostic-Code (read
 * by reply.c, which sees the group as a small DSN); a group without one
 * (a bounce of the MTA's own making) is explained by its Status field
 * alone, which names an entry only when a single one has that status.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/pf.h"
#include "catalog/rules.h"
#include "explain/dsn.h"
#include "explain/explain.h"
#include "explain/reply.h"

/* next_field - the next line in [p, end) that starts with name (any
 * case); NULL if none */
static const char *
next_field(const char *p, const char *end, const char *name)
{
	size_t n = strlen(name);

	while (p < end) {
		if ((size_t)(end - p) >= n && strncasecmp(p, name, n) == 0)
			return p;
		if ((p = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return NULL;
		p++;
	}
	return NULL;
}

/* group_end - the blank line after p, or end */
static const char *
group_end(const char *p, const char *end)
{
	const char *q, *r;

	for (q = p; q < end && (q = memchr(q, '\n', (size_t)(end - q))) !=
	    NULL; q++) {
		for (r = q + 1; r < end && (*r == '\r' || *r == ' ' ||
		    *r == '\t'); r++)
			;
		if (r >= end || *r == '\n')
			return q;
	}
	return end;
}

/* address - the address of "Final-Recipient: rfc822; a@b" */
static void
address(const char *p, const char *end, char *out, size_t osz)
{
	const char *e, *semi;
	size_t n;

	p += strlen("Final-Recipient:");
	e = memchr(p, '\n', (size_t)(end - p));
	if (e == NULL)
		e = end;
	if ((semi = memchr(p, ';', (size_t)(e - p))) != NULL)
		p = semi + 1;
	while (p < e && (isspace((unsigned char)*p) || *p == '<'))
		p++;
	while (e > p && (isspace((unsigned char)e[-1]) || e[-1] == '>'))
		e--;
	n = (size_t)(e - p) < osz ? (size_t)(e - p) : osz - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* pf_dsn_split - the per-recipient groups */
int
pf_dsn_split(const char *in, size_t len, struct pf_dsn_rcpt **out,
    size_t *n)
{
	const char *end = in + len, *p = in, *e;
	struct pf_dsn_rcpt *v = NULL, *nv;
	size_t k = 0;

	*out = NULL;
	*n = 0;
	while (k < PF_DSN_RCPT_MAX &&
	    (p = next_field(p, end, "Final-Recipient:")) != NULL) {
		if ((nv = realloc(v, (k + 1) * sizeof(*v))) == NULL) {
			free(v);
			return PF_ENOMEM;
		}
		v = nv;
		e = group_end(p, end);
		address(p, e, v[k].rcpt, sizeof(v[k].rcpt));
		v[k].group = p;
		v[k].group_len = (size_t)(e - p);
		k++;
		p = e;
	}
	*out = v;
	*n = k;
	return PF_OK;
}

/* status_only - a reply made of the group's Status field */
static int
status_only(const struct pf_dsn_rcpt *g, struct pf_reply *r)
{
	const char *end = g->group + g->group_len, *p, *q;
	size_t n;

	if ((p = next_field(g->group, end, "Status:")) == NULL)
		return 0;
	for (p += 7; p < end && (*p == ' ' || *p == '\t'); p++)
		;
	for (q = p; q < end && (isdigit((unsigned char)*q) || *q == '.'); q++)
		;
	n = (size_t)(q - p);
	if (n < 5 || n >= sizeof(r->status) || (*p != '4' && *p != '5'))
		return 0;
	memset(r, 0, sizeof(*r));
	memcpy(r->status, p, n);
	r->status[n] = '\0';
	r->form = "dsn";
	return (r->text = strdup("")) != NULL ? 1 : -1;
}

/* pf_dsn_explain - one recipient's explanation */
int
pf_dsn_explain(const struct pf_rules *rs, const struct pf_dsn_rcpt *g,
    struct pf_explanation *x, struct pf_err *err)
{
	const char *end = g->group + g->group_len;
	struct pf_reply r = { 0 };
	int rc;

	pf_explanation_reset(x);
	if (next_field(g->group, end, "Diagnostic-Code:") != NULL &&
	    pf_reply_parse(g->group, g->group_len, &r, err) == PF_OK &&
	    r.code != 0)
		return pf_explain_reply(rs, &r, x) == PF_OK ? PF_OK :
		    pf_err_set(err, PF_ENOMEM, "out of memory");
	pf_reply_reset(&r);
	if ((rc = status_only(g, &r)) < 0)
		return pf_err_set(err, PF_ENOMEM, "out of memory");
	if (rc == 0)
		return pf_err_set(err, PF_ESYNTAX, "%s: no reply and no status",
		    g->rcpt);
	return pf_explain_reply(rs, &r, x) == PF_OK ? PF_OK :
	    pf_err_set(err, PF_ENOMEM, "out of memory");
}
