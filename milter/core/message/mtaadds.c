/*
 * mtaadds.c - what the MTA will add after the milter: a Message-ID made of
 * the time and its own name, the Date of now in UTC, and From from the
 * envelope sender.  The exact values do not matter to the rules; that the
 * fields exist and are well formed does.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/pf.h"
#include "base/msg.h"
#include "message/mtaadds.h"

/* pf_mta_add_missing - Message-ID, Date, From as the MTA would write them */
int
pf_mta_add_missing(struct pf_msg *m, const char *host, time_t now)
{
	unsigned seen = pf_msg_seen(m);
	const char *mail = pf_msg_mail_get(m);
	char v[512];
	struct tm tm;
	int rc;

	if (host == NULL || *host == '\0')
		host = "localhost.localdomain";
	if (!(seen & PF_MSG_SEEN_MSGID)) {
		snprintf(v, sizeof(v), " <%lld.preflight@%.200s>",
		    (long long)now, host);
		if ((rc = pf_msg_header(m, "Message-ID", 10, v, strlen(v))) !=
		    PF_OK)
			return rc;
	}
	if (!(seen & PF_MSG_SEEN_DATE)) {
		gmtime_r(&now, &tm);
		strftime(v, sizeof(v), " %a, %d %b %Y %H:%M:%S +0000", &tm);
		if ((rc = pf_msg_header(m, "Date", 4, v, strlen(v))) != PF_OK)
			return rc;
	}
	if (!(seen & PF_MSG_SEEN_FROM)) {
		if (mail == NULL || *mail == '\0')
			snprintf(v, sizeof(v), " MAILER-DAEMON@%.200s", host);
		else
			snprintf(v, sizeof(v), " <%.400s>", mail);
		if ((rc = pf_msg_header(m, "From", 4, v, strlen(v))) != PF_OK)
			return rc;
	}
	return PF_OK;
}

/* pf_mta_hook - pf_mta_add_missing at the end of the header block */
void
pf_mta_hook(void *host, struct pf_msg *m)
{
	(void)pf_mta_add_missing(m, host, time(NULL));
}
