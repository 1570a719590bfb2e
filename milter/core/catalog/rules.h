/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rules.h - the catalog of Gmail replies (rules/gmail.rules) and the small
 * expression language its conditions are written in.  A loaded rule set is
 * immutable: many threads may evaluate it at once.  The file format and the
 * language are documented in docs/rules.md.
 */
#ifndef PF_RULES_H
#define PF_RULES_H

#include <stddef.h>

#include "base/pf.h"
#include "base/facts.h"

enum pf_class {
	PF_C_CONTENT, PF_C_DNS, PF_C_STATE, PF_C_FEEDBACK, PF_C_TRANSPORT,
	PF_C_TRANSIENT, PF_C_PROTOCOL
};

/* the SMTP stage at which Gmail gives the reply, in protocol order */
enum pf_stage {
	PF_S_CONNECT, PF_S_HELO, PF_S_STARTTLS, PF_S_AUTH, PF_S_MAIL,
	PF_S_RCPT, PF_S_DATA, PF_S_EOD
};

/* how sure a prediction of the entry is, in increasing order: a heuristic,
 * a window of the sender's recent history, a repeat of the same reply to
 * the same recipient or a check of the message itself */
enum pf_confidence { PF_CONF_LOW, PF_CONF_MEDIUM, PF_CONF_HIGH };

struct pf_expr;
struct pf_wordidx;
struct pf_tmpl;

struct pf_fill {
	char	*placeholder;		/* "ip-address" */
	char	*source;		/* fact or constant name */
};

struct pf_rule {
	char		*id;
	unsigned	 line;
	int		 reply;		/* 550 */
	char		 status[16];	/* "5.7.26" */
	char		*text;		/* documented text, {placeholder}s */
	enum pf_class	 cls;
	enum pf_stage	 stage;
	char		*whose;
	char		*cause;
	char		*fix;
	char		*url;
	char		*since;		/* date of the source, newer replies */
	enum pf_confidence confidence;	/* default high */
	struct pf_expr	*when;		/* NULL: no local check predicts it */
	char		*detail;	/* template: {fact} and {constant} */
	struct pf_fill	*fill;
	size_t		 nfill;
	char		**match;	/* other wordings seen in real replies */
	size_t		 nmatch;
	struct pf_tmpl	*ctext;		/* text and detail with their */
	struct pf_tmpl	*cdetail;	/* placeholders resolved (tmpl.h) */
};

struct pf_rules {
	char		*path;
	char		*version;	/* "catalog VERSION DATE", NULL if none */
	char		 date[11];	/* YYYY-MM-DD, "" if none */
	long long	 date_epoch;	/* that date, 00:00 UTC; 0 if none */
	struct pf_rule	*rule;
	size_t		 nrule;
	struct pf_const	*cst;
	size_t		 ncst;
	struct pf_wordidx *words;	/* the texts' word index (wordidx.h) */
};

/* pf_rules_load - parse and validate a rules file; every problem is
 * reported as file:line: message and nothing is returned.  Owned. */
int	pf_rules_load(const char *path, struct pf_rules **out, struct pf_err *);
void	pf_rules_free(struct pf_rules *);
const struct pf_rule *pf_rules_find(const struct pf_rules *, const char *id);
/* pf_rules_const - the value of a const of the rules file; 0 if none */
int	pf_rules_const(const struct pf_rules *, const char *name,
	    int64_t *out);

const char	*pf_class_name(enum pf_class);
const char	*pf_stage_name(enum pf_stage);
const char	*pf_confidence_name(enum pf_confidence);
/* pf_confidence_parse - "low", "medium" or "high"; -1 if none of them */
int		 pf_confidence_parse(const char *);

/* evaluation */
enum pf_verdict_kind { PF_V_ACCEPT, PF_V_TEMPFAIL, PF_V_REJECT };

struct pf_pred {
	const struct pf_rule *rule;	/* borrowed from the rule set */
	char	*text;			/* placeholders filled; owned */
	char	*detail;		/* owned */
};

struct pf_unknown {
	const struct pf_rule *rule;
	int	 fact;			/* the fact that left it open */
	enum pf_undecided reason;	/* why that fact is unknown */
	char	*why;			/* "fact: text" for people; in the
					 * verdict's whybuf */
};

struct pf_verdict {
	enum pf_verdict_kind kind;
	struct pf_pred	*pred;		/* stage order, then 5xx before 4xx */
	size_t		 npred;
	struct pf_unknown *unk;
	size_t		 nunk;
	char		*whybuf;	/* the texts of unk[].why; owned */
	const struct pf_rules *rules;	/* the catalog evaluated */
};

/* pf_rules_eval - evaluate every rule with a condition against the facts.
 * A rule whose outcome depends on an unknown fact goes to unk, with the
 * fact's reason.  The verdict must be reset by the caller. */
int	pf_rules_eval(const struct pf_rules *, const struct pf_facts *,
	    struct pf_verdict *);
void	pf_verdict_reset(struct pf_verdict *);
/* pf_verdict_undecided - how many rules were left open for reason r */
size_t	pf_verdict_undecided(const struct pf_verdict *, enum pf_undecided r);
const char *pf_verdict_name(enum pf_verdict_kind);

/* pf_rules_fill - text of a rule with placeholders replaced from the facts;
 * an unfilled placeholder stays as {name}.  Owned. */
char	*pf_rules_fill(const struct pf_rules *, const struct pf_rule *,
	    const char *tmpl, const struct pf_facts *);

#endif
