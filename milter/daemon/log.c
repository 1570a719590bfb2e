/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.c - the daemon's one log sink: syslog with the configured facility,
 * or stderr (-e) with a timestamp, one write(2) per line.  Callers
 * escape untrusted text before it gets here.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"

static int to_stderr = 1;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static const struct {
	const char	*name;
	int		 fac;
} facs[] = {
	{ "mail", LOG_MAIL }, { "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

/* pf_log_open - choose the sink; facility by name (config-validated) */
void
pf_log_open(const char *ident, int err, const char *facility)
{
	int fac = LOG_MAIL;
	size_t i;

	for (i = 0; facility != NULL && i < PF_NELEM(facs); i++)
		if (strcasecmp(facility, facs[i].name) == 0)
			fac = facs[i].fac;
	to_stderr = err;
	if (!err)
		openlog(ident, LOG_PID | LOG_NDELAY, fac);
}

/* pf_log - one line at a priority */
void
pf_log(int prio, const char *fmt, ...)
{
	static const char *names[] = { "emerg", "alert", "crit", "error",
		"warning", "notice", "info", "debug" };
	char line[2048], ts[32], out[2200];
	va_list ap;
	int n;
	time_t now;
	struct tm tm;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!to_stderr) {
		syslog(prio, "%s", line);
		return;
	}
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* one write(2) per line, so that a reader never sees half of one */
	n = snprintf(out, sizeof(out), "%s preflight-milter[%s]: %s\n", ts,
	    names[prio & 7], line);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(out))
		n = (int)sizeof(out) - 1;
	pthread_mutex_lock(&lock);
	(void)!write(STDERR_FILENO, out, (size_t)n);
	pthread_mutex_unlock(&lock);
}
