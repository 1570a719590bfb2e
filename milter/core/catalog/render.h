/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * render.h - everything `preflight check` and `preflight explain` print,
 * for people and for programs: the report of one checked message, its
 * one-line form in a batch, its JSON object, and a catalog entry named by
 * explain.  The outcome holds what the engine and the policy decided
 * about a message as plain values, so that this module needs nothing but
 * the catalog.
 */
#ifndef PF_RENDER_H
#define PF_RENDER_H

#include <stdio.h>

#include "base/facts.h"
#include "catalog/rules.h"

/* the version of the JSON objects `preflight check --json` writes */
#define PF_CHECK_SCHEMA		"preflight.check/1"
#define PF_SUMMARY_SCHEMA	"preflight.summary/1"

/* what was decided about one message, besides the verdict */
struct pf_outcome {
	const char	*label;		/* "path" or "path#n" */
	const char	*path;
	unsigned	 index;		/* in an mbox, else 0 */
	const char	*error;		/* input error: nothing else is set */
	int		 gmail;		/* bound for Gmail: predictions count */
	const char	*action;	/* the policy's action; NULL: none */
	const char	*action_why;	/* the Action line or the reason */
	int		 failsafe;	/* checks incomplete: FailAction */
	const char	*mail_from;	/* "" for <>; NULL: none */
	const char	*mail_src;	/* where it came from */
	const char *const *rcpt;
	size_t		 nrcpt;
	const char	*rcpt_src;
	const char	*mta_added;	/* "Message-ID Date From" modelled,
					 * or NULL */
};

/* pf_render_report - the full human report of one message */
void	pf_render_report(FILE *, const struct pf_outcome *,
	    const struct pf_verdict *, const struct pf_facts *);
/* pf_render_line - "label  verdict  rule...", one line */
void	pf_render_line(FILE *, const struct pf_outcome *,
	    const struct pf_verdict *);
/* pf_render_json - one JSON object on one line (PF_CHECK_SCHEMA) */
void	pf_render_json(FILE *, const struct pf_outcome *,
	    const struct pf_verdict *, const struct pf_facts *);

/* a placeholder value read back from a reply */
struct pf_render_ph {
	const char	*name;
	const char	*value;
};

/* pf_render_rule - a catalog entry (explain), with the placeholder values
 * read from the reply; human lines or one JSON object */
void	pf_render_rule(FILE *, const struct pf_rule *,
	    const struct pf_render_ph *, size_t nph, int json);
/* pf_render_rule_seen - the same, with the reply's code and status as
 * they were seen (0 and "" when unknown): a "seen:" line when they differ
 * from the entry's, "seen_reply" and "seen_status" in JSON */
void	pf_render_rule_seen(FILE *, const struct pf_rule *,
	    const struct pf_render_ph *, size_t nph, int seen_code,
	    const char *seen_status, int json);
/* pf_render_reply_unknown - a reply that is in no entry; code 0 and
 * status "" when the reply had none */
void	pf_render_reply_unknown(FILE *, int code, const char *status,
	    const char *text, int json);

#endif
