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

/* stamp - now in UTC as 2026-01-02T03:04:05Z into ts, formatted again
 * only when the second changes (per thread); returns its length */
static size_t
stamp(char *ts, size_t len)
{
	static __thread time_t last = (time_t)-1;
	static __thread char cached[32];
	static __thread size_t clen;
	time_t now = time(NULL);
	struct tm tm;

	if (now != last) {
		gmtime_r(&now, &tm);
		clen = strftime(cached, sizeof(cached), "%Y-%m-%dT%H:%M:%SZ",
		    &tm);
		last = now;
	}
	if (clen >= len)
		clen = 0;
	memcpy(ts, cached, clen);
	return clen;
}

/* pf_log - one line at a priority */
void
pf_log(int prio, const char *fmt, ...)
{
	static const char *names[] = { "emerg", "alert", "crit", "error",
		"warning", "notice", "info", "debug" };
	char line[2048], out[2200];
	const char *name = names[prio & 7];
	va_list ap;
	size_t n, k;
	int m;

	va_start(ap, fmt);
	if (!to_stderr) {
		vsnprintf(line, sizeof(line), fmt, ap);
		va_end(ap);
		syslog(prio, "%s", line);
		return;
	}
	/* "TIME preflight-milter[PRIO]: LINE\n", LINE cut at 2047 bytes;
	 * the prefix is at most 48 bytes, so the whole always fits */
	n = stamp(out, 32);
	memcpy(out + n, " preflight-milter[", 18);
	n += 18;
	k = strlen(name);
	memcpy(out + n, name, k);
	n += k;
	memcpy(out + n, "]: ", 3);
	n += 3;
	m = vsnprintf(out + n, sizeof(line), fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += (size_t)m < sizeof(line) ? (size_t)m : sizeof(line) - 1;
	out[n++] = '\n';
	/* one write(2) per line, so that a reader never sees half of one */
	pthread_mutex_lock(&lock);
	(void)!write(STDERR_FILENO, out, n);
	pthread_mutex_unlock(&lock);
}
