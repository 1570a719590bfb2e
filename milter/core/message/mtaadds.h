/*
 * mtaadds.h - the header fields an MTA adds to a message that lacks them
 * (Message-ID, Date, From), modelled so that a field the MTA will supply
 * after preflight has seen the message is not predicted as missing.  The
 * daemon and `preflight check --mta-adds` use the same model.
 */
#ifndef PF_MTAADDS_H
#define PF_MTAADDS_H

#include <time.h>

#include "base/msg.h"

/* pf_mta_add_missing - feed the fields the message lacks (pf_msg_seen)
 * as the MTA named host would write them at time now; the envelope
 * sender (pf_msg_mail_get) becomes From, MAILER-DAEMON@host for <>.
 * Call before the end of the header block.  PF_OK or PF_ENOMEM. */
int	pf_mta_add_missing(struct pf_msg *, const char *host, time_t now);

/* pf_mta_hook - the same from pf_msg_before_eoh; arg is the host name,
 * borrowed until the end of the header block */
void	pf_mta_hook(void *host, struct pf_msg *);

#endif
