/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * logline.h - one delivery attempt read from an MTA's log line: Postfix
 * (`postfix/smtp[pid]: QUEUEID: to=<...>, relay=..., dsn=..., status=...
 * (...)`) or Sendmail (`sm-mta[pid]: QUEUEID: to=<...>, ..., relay=...,
 * dsn=..., stat=...`), behind a classic syslog prefix (`Nov 30 04:12:01
 * host tag[pid]:`, with or without fractional seconds), an ISO 8601 one
 * (journalctl -o short-iso, rsyslog's high-precision format, or a
 * program's own log on stderr, without the host), an RFC 5424 one
 * (`<22>1 2026-11-30T04:12:01Z host tag pid - - msg`), or none at all
 * (journalctl -o cat).  The parser keeps no state between lines and
 * borrows the line: the reply points into it.
 */
#ifndef PF_LOGLINE_H
#define PF_LOGLINE_H

#include <stddef.h>
#include <time.h>

#include "base/pf.h"

#define PF_LOGLINE_MAX	65536	/* bytes of one line looked at */

enum pf_logfmt { PF_LOG_AUTO, PF_LOG_POSTFIX, PF_LOG_SENDMAIL };

enum pf_dstatus {
	PF_D_SENT, PF_D_DEFERRED, PF_D_BOUNCED, PF_D_OTHER
};

/* what pf_logline_parse made of a line */
enum pf_lineclass {
	PF_L_DELIVERY,		/* a delivery attempt; d is filled */
	PF_L_OTHER,		/* a log line of another kind: ignored */
	PF_L_BAD,		/* a delivery line that does not parse */
	PF_L_QUEUED,		/* the queue manager's "from=<...>" line:
				 * queue_id, from */
	PF_L_PREDICTION		/* preflight-milter's line for a queue id:
				 * queue_id, detail = "action=... rule=..." */
};

struct pf_delivery {
	enum pf_logfmt	 mta;		/* POSTFIX or SENDMAIL */
	time_t		 when;		/* 0 when the line carries no time */
	char		 host[256];	/* the logging host, "" if none */
	char		 queue_id[64];
	const char	*rcpt;		/* to= value, borrowed; Sendmail may */
	size_t		 rcpt_len;	/* list several, comma-separated */
	char		 relay[256];	/* "gmail-smtp-in.l.google.com" */
	char		 relay_ip[64];	/* "142.250.102.27" */
	char		 dsn[16];	/* "5.1.1", "" if none */
	enum pf_dstatus	 status;
	const char	*reply;		/* the remote server's reply as */
	size_t		 reply_len;	/* logged, borrowed; NULL if none */
	const char	*detail;	/* the whole status text, borrowed */
	size_t		 detail_len;
	int		 truncated;	/* the line was cut before its end */
	const char	*from;		/* PF_L_QUEUED: the envelope sender, */
	size_t		 from_len;	/* borrowed, without <> */
};

/* pf_prediction_rule - the i-th "rule=ID" of a PF_L_PREDICTION line's
 * detail into buf; 0 when there is no i-th */
int	pf_prediction_rule(const struct pf_delivery *d, size_t i, char *buf,
	    size_t bsz);
/* pf_prediction_reply - the reply code logged after the i-th rule= (550),
 * 0 if none */
int	pf_prediction_reply(const struct pf_delivery *d, size_t i);

/* pf_prediction_field - the value of " NAME=" in a PF_L_PREDICTION line's
 * detail (preflight-milter's logfmt: dkim_domains, spf_domain,
 * from_domain) into buf, without its quotes; 0 when absent, empty, not
 * fitting, or escaped (a value with \ is not a domain name) */
int	pf_prediction_field(const struct pf_delivery *d, const char *name,
	    char *buf, size_t bsz);

/* pf_logline_parse - read one line (without its newline) as format fmt
 * (AUTO: by the program name, else by the fields).  now is the time the
 * log is read: a classic syslog stamp has no year, and takes the year
 * that puts it at most a day after now.  Never fails on bad input. */
enum pf_lineclass pf_logline_parse(const char *line, size_t len,
	    enum pf_logfmt fmt, time_t now, struct pf_delivery *d);

/* pf_delivery_rcpt - the i-th recipient of d into buf (without the angle
 * brackets), lower-cased; 0 when there is no i-th */
int	pf_delivery_rcpt(const struct pf_delivery *d, size_t i, char *buf,
	    size_t bsz);

/* pf_delivery_gmail - the attempt went to one of Google's mail servers:
 * the reply ends with Google's "gsmtp" trailer, or the relay's name (for
 * relay=none the server the status text names) is under google.com,
 * gmail.com or googlemail.com */
int	pf_delivery_gmail(const struct pf_delivery *d);

const char *pf_dstatus_name(enum pf_dstatus);

#endif
