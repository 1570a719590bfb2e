/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy.h - what the milter does with a verdict: per sender domain, per
 * severity, overridable per rule id or rule class.  Pure core: no
 * libmilter.  The keys that fill a policy are documented in preflight.conf(5).
 */
#ifndef PF_POLICY_H
#define PF_POLICY_H

#include <stddef.h>

#include "base/pf.h"
#include "config/config.h"
#include "base/facts.h"
#include "catalog/rules.h"

/* in order of severity: a message gets the most severe of its actions */
enum pf_action {
	PF_A_ACCEPT = 0, PF_A_TAG, PF_A_HOLD, PF_A_TEMPFAIL, PF_A_REJECT
};

/* which sender domain chooses the Action lines */
enum pf_domain_src { PF_D_FROM, PF_D_ENVELOPE, PF_D_BOTH };

/* when the MTA adds a missing Message-ID, Date and From *after* the milter
 * saw the message (Sendmail: always; Postfix: never, its cleanup adds them
 * before milters see the message) */
enum pf_mta_adds { PF_M_NEVER, PF_M_LOCAL, PF_M_ALWAYS };

#define PF_MAX_ACTIONS	512

enum pf_sel { PF_SEL_PERMANENT, PF_SEL_TEMPORARY, PF_SEL_CLASS, PF_SEL_RULE,
	PF_SEL_CONFIDENCE };

/* one "Action SCOPE SELECTOR ACTION" line */
struct pf_action_rule {
	char		*scope;		/* "*" or a domain, lower case */
	enum pf_sel	 sel;
	char		*arg;		/* rule id, class name or
					 * confidence level; owned */
	enum pf_action	 action;
	unsigned	 line;
};

struct pf_policy {
	struct pf_action_rule	*rule;
	size_t			 nrule;
	int			 dry_run;
	enum pf_domain_src	 domain_src;
	int			 unknown_is_gmail; /* if rcpt unknown */
	int			 block_only_all_gmail;
	int			 tag_clean;	/* verdict accept */
	enum pf_action		 fail_action;
	enum pf_mta_adds	 mta_adds;
	enum pf_confidence	 min_confidence; /* MinConfidence */
};

/* the outcome for one message */
struct pf_decision {
	enum pf_action		 action;	/* what to do (dry run: */
						/* accept) */
	enum pf_action		 wanted;	/* what the policy asked for */
	enum pf_action		 would;		/* after the all-Gmail limit */
	const struct pf_pred	*pred;		/* headline, or NULL */
	const struct pf_action_rule *line;	/* its Action line, or NULL */
	int			 gmail;		/* predictions counted */
	int			 downgraded;	/* not all Gmail: tag */
	char			 reason[256];	/* for the log */
};

/* pf_policy_new - an empty policy; pf_config_default() fills in the
 * defaults.  Owned. */
struct pf_policy	*pf_policy_new(void);
void			 pf_policy_free(struct pf_policy *);

/* pf_policy_add - one Action line, words after the key; file:line on error */
int	pf_policy_add(struct pf_policy *, char **w, size_t nw,
	    const char *file, unsigned line, struct pf_err *);
/* pf_policy_check - every rule: and class: name exists in the rule set */
int	pf_policy_check(const struct pf_policy *, const char *file,
	    const struct pf_rules *, struct pf_err *);

/*
 * pf_policy_incomplete - must the message go to FailAction instead of the
 * policy?  When the message's DNS time budget ran out, the checks that
 * remained never ran: a verdict from the rest would be a guess.  The same
 * when nothing was predicted and a state rule was left open because the
 * state store could not be reached.  Returns the reason (PF_U_BUDGET,
 * PF_U_STORE_UNREACHABLE), or PF_U_NONE when the verdict may be used.  A
 * timeout or a server failure of one lookup leaves only its own rules
 * open, which the verdict lists as unknown.
 */
enum pf_undecided pf_policy_incomplete(const struct pf_verdict *);

/* pf_policy_decide - the action for a verdict, given the facts */
void	pf_policy_decide(const struct pf_policy *, const struct pf_verdict *,
	    const struct pf_facts *, struct pf_decision *);
/* pf_policy_decide_rcpt - the same; the envelope recipients (no angle
 * brackets) stand in when the rcpt.* facts are unknown: an address at
 * gmail.com or googlemail.com is Gmail-bound without any DNS */
void	pf_policy_decide_rcpt(const struct pf_policy *,
	    const struct pf_verdict *, const struct pf_facts *,
	    const char *const *rcpt, size_t nrcpt, struct pf_decision *);
/* pf_policy_action_for - the action one prediction asks for */
enum pf_action pf_policy_action_for(const struct pf_policy *,
	    const struct pf_rule *, const char *from_dom, const char *env_dom);
/* pf_policy_mta_adds - will the MTA add a missing Message-ID, Date and
 * From after the milter (local: a non-SMTP submission)?  1 or 0 */
int	pf_policy_mta_adds(const struct pf_policy *, int local);

/* pf_policy_line_text - an Action line as written ("Action example.com
 * permanent hold"); NULL says no line applied.  Returns buf. */
const char *pf_policy_line_text(const struct pf_action_rule *, char *buf,
	    size_t len);

const char	*pf_action_name(enum pf_action);
/* pf_action_parse - name to action; -1 if unknown */
int		 pf_action_parse(const char *);

#endif
