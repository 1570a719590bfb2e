/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon.h - the parts of preflight-milter: logging, the engine snapshot
 * that reload swaps, and the libmilter callbacks.
 */
#ifndef PF_DAEMON_H
#define PF_DAEMON_H

#include <sys/socket.h>
#include <syslog.h>

#include <libmilter/mfapi.h>

#include "base/pf.h"
#include "engine/engine.h"

/* log.c: syslog, or stderr in the foreground */
void	pf_log_open(const char *ident, int to_stderr, const char *facility);
void	pf_log(int prio, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* snapshot.c: the current engine; callers pin it with a reference */
int	pf_snap_load(const char *path, struct pf_err *);
struct pf_engine *pf_snap_get(void);	/* referenced; unref when done */
void	pf_snap_clear(void);
/* idle checks of the engine in service, kept across connections */
struct pf_check *pf_snap_idle_take(const struct pf_engine *);
void	pf_snap_idle_give(struct pf_check *);

/* signals.c: ours are blocked everywhere and read from a signalfd */
int	pf_sig_block(void);
int	pf_sig_next(int ms);		/* signal number, 0 on timeout */
int	pf_sig_milter_waits(void);

/* confcheck.c: the daemon's own checks of a configuration */
int	pf_confcheck(const struct pf_config *, struct pf_err *);
void	pf_confcheck_dns(const struct pf_config *);	/* warnings */
void	pf_confcheck_reach(const struct pf_config *);	/* warnings */

/* metrics.c: GET /metrics on MetricsListen */
int	pf_metrics_parse(const char *spec, struct sockaddr_storage *,
	    socklen_t *len);
int	pf_metrics_start(const char *spec);
void	pf_metrics_stop(void);

/* session.c: the filter description and the count of live sessions */
extern struct smfiDesc pf_filter;
int	pf_session_live(void);
/* pf_session_unix - the listener is a unix socket: negotiate SMFIP_NR_* */
void	pf_session_unix(int);

#endif
