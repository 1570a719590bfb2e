/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * undecided.h - why a fact, and so a rule, could not be decided, as a
 * value.  Each source of facts says which reason applies where it finds
 * out (the resolver, the MIME walker, the configuration, later the state
 * store); the value travels with the fact into the verdict, and every
 * decision (is this our own failure to find out or something Gmail would
 * see too? does the message go to FailAction?) looks at it, never at the
 * text.  The text shown to people comes with it as the detail.
 */
#ifndef PF_UNDECIDED_H
#define PF_UNDECIDED_H

enum pf_undecided {
	PF_U_NONE = 0,		/* decided (or no reason recorded) */
	PF_U_NOT_MEASURED,	/* no module set the fact */
	PF_U_NO_DNS,		/* lookups are off: --no-dns, "DNS no" */
	PF_U_TIMEOUT,		/* a query got no answer in time */
	PF_U_BUDGET,		/* the message's DNS time budget was spent */
	PF_U_SERVER_FAILURE,	/* a server answered with a failure:
				 * SERVFAIL, REFUSED, bogus DNSSEC */
	PF_U_NO_MEMORY,		/* an allocation failed */
	PF_U_INTERNAL,		/* a library failed inside (libspf2) */
	PF_U_NOT_CONFIGURED,	/* a setting the check needs is missing */
	PF_U_NO_INPUT,		/* the message or envelope lacks what the
				 * check needs: no From domain, no MAIL FROM,
				 * no HELO name */
	PF_U_TOO_LARGE,		/* the input crossed a cap first */
	PF_U_STORE_UNREACHABLE,	/* the state store could not be reached */
	PF_U__COUNT
};

/* pf_undecided_name - a stable word: "timeout", "budget", ... */
const char	*pf_undecided_name(enum pf_undecided);
/* pf_undecided_text - the reason for people, when no detail says more:
 * "DNS timeout", "DNS time budget for the message spent", ... */
const char	*pf_undecided_text(enum pf_undecided);
/*
 * pf_undecided_ours - did our side fail to find out (DNS off, a timeout,
 * the budget, memory, a library), rather than a server answering with a
 * failure Gmail would likely see too?  The first leaves a fact unknown;
 * the second is a result (an SPF or DKIM temperror, DMARC's 4.7.26).
 */
int		 pf_undecided_ours(enum pf_undecided);

#endif
