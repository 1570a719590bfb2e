/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * count.h - what preflight counts for each message, and the state.* facts
 * it reads back (docs/state.md).  The engine reads at end of message,
 * after DNS, and records once the policy has let the message go.
 */
#ifndef PF_STATE_COUNT_H
#define PF_STATE_COUNT_H

#include <stddef.h>
#include <stdint.h>

#include "base/pf.h"
#include "base/facts.h"
#include "state/state.h"

#define PF_STATE_MAX_RCPT	1000	/* recipients of one message counted */

/* windows, in seconds */
#define PF_W_MINUTE	60
#define PF_W_10MIN	600
#define PF_W_HOUR	3600
#define PF_W_DAY	86400

/* what one message brings; every pointer borrowed */
struct pf_state_msg {
	const char *const *rcpt;	/* envelope recipients, no <> */
	size_t		 nrcpt;
	const char	*msgid;		/* Message-ID as written, or NULL */
	const char	*org;		/* org. domain of From:, or NULL */
	const char	*sender;	/* envelope sender, NULL or "" for <> */
	const char	*sender_org;	/* its organizational domain, or NULL */
	int		 relay;		/* through smtp-relay.gmail.com */
	const char	*account;	/* smtp.gmail.com account, or NULL */
	int64_t		 bulk_line;	/* personal-Gmail messages in 24 h */
	int64_t		 times;		/* count it this many times (0: once);
					 * for importing history */
};

/* what the read learned, for the record that follows */
struct pf_state_memo {
	int		 read;		/* the read succeeded */
	int64_t		 org_day;	/* org_personal_day, this one included */
	int64_t		 new_pairs;	/* relay recipients new in 24 h */
};

/* pf_state_read - set every state.* fact, or mark each unknown with the
 * reason (store is NULL: "State none"; unreachable: the error) */
void	pf_state_read(struct pf_state *, const struct pf_state_msg *,
	    struct pf_facts *, struct pf_state_memo *);
/* pf_state_count - count the message as sent */
int	pf_state_count(struct pf_state *, const struct pf_state_msg *,
	    const struct pf_state_memo *, struct pf_err *);
/* pf_state_personal - an address at gmail.com or googlemail.com */
int	pf_state_personal(const char *addr);

/* for `preflight state`: the keys of an address or a domain */
struct pf_state_view {
	int64_t	 rcpt_minute, rcpt_hour, rcpt_day;
	int64_t	 relay_msgs, relay_rcpts, relay_unique;
	int64_t	 org_day, org_peak, bulk_since;	/* 0: never */
	int64_t	 relay_org_day, relay_org_10min;
	int64_t	 account_msgs, account_rcpts;
};
int	pf_state_show_addr(struct pf_state *, const char *addr,
	    struct pf_state_view *, char hash[PF_STATE_HASH_LEN + 1],
	    struct pf_err *);
int	pf_state_show_domain(struct pf_state *, const char *org,
	    struct pf_state_view *, struct pf_err *);
int	pf_state_forget_addr(struct pf_state *, const char *addr,
	    struct pf_err *);
int	pf_state_forget_domain(struct pf_state *, const char *org,
	    struct pf_err *);

#endif
