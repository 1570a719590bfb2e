/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * engine.h - one configured predictor (config, rules, authentication
 * context) and the check of one message through it.  An engine is
 * immutable once built and may be shared by many threads; the daemon swaps
 * engines on reload and each message pins the one it started with.
 */
#ifndef PF_ENGINE_H
#define PF_ENGINE_H

#include "base/pf.h"
#include "config/config.h"
#include "config/policy.h"
#include "base/facts.h"
#include "base/msg.h"
#include "catalog/rules.h"

struct pf_state;

struct pf_engine;
struct pf_check;

/* pf_engine_new - load the rules named by the config and set up DNS and
 * authentication; takes ownership of cfg.  Returns with one reference. */
int	pf_engine_new(struct pf_config *cfg, struct pf_engine **,
	    struct pf_err *);
struct pf_engine *pf_engine_ref(struct pf_engine *);
void	pf_engine_unref(struct pf_engine *);
const struct pf_rules	*pf_engine_rules(const struct pf_engine *);
const struct pf_config	*pf_engine_config(const struct pf_engine *);
/* pf_engine_state - the state store, NULL with State none; borrowed */
struct pf_state		*pf_engine_state(const struct pf_engine *);
/* pf_engine_warm - start the resolver's threads now (after any fork),
 * so that the first message after a start or reload does not wait for
 * them; a no-op without DNS */
void	pf_engine_warm(struct pf_engine *);
struct pf_sendmem;
/* pf_engine_set_sendmem - the sender memory (auth/sendmem.h) MAIL FROM
 * guesses from and the end of message learns into, kept by the caller
 * across engines (a reload keeps what was learned); borrowed.  Set it
 * before the engine is shared.  With a state store, entries are also
 * read from and written to the store. */
void	pf_engine_set_sendmem(struct pf_engine *, struct pf_sendmem *);
/* pf_engine_orgdomain - organizational domain of d, lower case */
int	pf_engine_orgdomain(const struct pf_engine *, const char *d,
	    char *buf, size_t len);

/* pf_check_new - a check of one message; pins the engine.  Owned. */
struct pf_check	*pf_check_new(struct pf_engine *);
/* pf_check_reset - the check of a new message through the same engine,
 * reusing what the last one allocated: nothing of the last message stays.
 * PF_ENOMEM (or another failure) leaves a check that may only be freed. */
int	pf_check_reset(struct pf_check *);
/* pf_check_engine - the engine the check pins; borrowed */
const struct pf_engine *pf_check_engine(const struct pf_check *);
/* pf_check_prefetch_mail - after pf_msg_mail (and pf_msg_helo): start
 * the DNS lookups the envelope decides, and those the sender memory
 * suggests, without waiting for them (the memory may read the state
 * store once for a sender it has no entry for);
 * pf_check_prefetch_rcpt - the same for one recipient, after
 * pf_msg_rcpt.  The header fields do it for themselves. */
void	pf_check_prefetch_mail(struct pf_check *);
void	pf_check_prefetch_rcpt(struct pf_check *, const char *rcpt);
/* pf_check_msg - the builder to feed; borrowed until pf_check_free */
struct pf_msg	*pf_check_msg(struct pf_check *);
/* pf_check_run - end of message: content facts, authentication facts,
 * then the rules.  The verdict is the caller's to reset. */
int	pf_check_run(struct pf_check *, struct pf_verdict *, struct pf_err *);
const struct pf_facts *pf_check_facts(const struct pf_check *);
/* pf_check_decide - what the configured policy does with the verdict of
 * this check (the daemon's action): Gmail-bound or not by the recipient
 * facts, else by the envelope recipients, else UnknownRecipients */
void	pf_check_decide(const struct pf_check *, const struct pf_verdict *,
	    struct pf_decision *);
/* pf_check_record - after pf_check_run, once the message is let go: count
 * it in the state store (no-op with State none).  PF_ETEMP if the store
 * is unreachable; the message is not affected. */
int	pf_check_record(struct pf_check *, struct pf_err *);
void	pf_check_free(struct pf_check *);

#endif
