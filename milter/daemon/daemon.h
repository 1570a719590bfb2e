/*
 * daemon.h - the parts of preflight-milter: logging, the engine snapshot
 * that reload swaps, and the libmilter callbacks.
 */
#ifndef PF_DAEMON_H
#define PF_DAEMON_H

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

/* session.c: the filter description and the count of live sessions */
extern struct smfiDesc pf_filter;
int	pf_session_live(void);
/* pf_session_unix - the listener is a unix socket: negotiate SMFIP_NR_* */
void	pf_session_unix(int);

#endif
