/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mtahdr.c - the Message-ID, Date and From an MTA adds to a message that
 * lacks them, in the forms Sendmail and Postfix write: "<time.id@host>",
 * an RFC 5322 date in UTC, and the envelope sender (MAILER-DAEMON@host
 * for the null sender).  Only the syntax matters to the predictions, so
 * the exact id an MTA would choose does not.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/pf.h"
#include "message/mtahdr.h"

/* pf_mtahdr_seen - the bit of a field the MTA completes */
int
pf_mtahdr_seen(const char *name)
{
	if (strcasecmp(name, "Message-ID") == 0)
		return PF_MTAHDR_MSGID;
	if (strcasecmp(name, "Date") == 0)
		return PF_MTAHDR_DATE;
	if (strcasecmp(name, "From") == 0)
		return PF_MTAHDR_FROM;
	return 0;
}

/* add - one field; the reason on failure */
static int
add(struct pf_msg *m, const char *name, const char *v, const char *oom,
    const char **why)
{
	int rc = pf_msg_header(m, name, strlen(name), v, strlen(v));

	if (rc != PF_OK)
		*why = oom;
	return rc;
}

/* pf_mtahdr_add - the missing fields, as the MTA writes them */
int
pf_mtahdr_add(struct pf_msg *m, int seen, const struct pf_mtahdr_env *env,
    const char **why)
{
	const char *host = env->host, *a = env->mail;
	char v[512];
	struct tm tm;
	int rc;

	*why = "";
	if (host == NULL || *host == '\0')
		host = "localhost.localdomain";
	if (!(seen & PF_MTAHDR_MSGID)) {
		snprintf(v, sizeof(v), " <%lld.preflight@%.200s>",
		    (long long)env->now, host);
		if ((rc = add(m, "Message-ID", v, "out of memory (Message-ID)",
		    why)) != PF_OK)
			return rc;
	}
	if (!(seen & PF_MTAHDR_DATE)) {
		gmtime_r(&env->now, &tm);
		strftime(v, sizeof(v), " %a, %d %b %Y %H:%M:%S +0000", &tm);
		if ((rc = add(m, "Date", v, "out of memory (Date)", why)) !=
		    PF_OK)
			return rc;
	}
	if (!(seen & PF_MTAHDR_FROM)) {
		if (a == NULL || *a == '\0' || strcmp(a, "<>") == 0)
			snprintf(v, sizeof(v), " MAILER-DAEMON@%.200s", host);
		else
			snprintf(v, sizeof(v), " %.400s", a);
		return add(m, "From", v, "out of memory (From)", why);
	}
	return PF_OK;
}
