/*
 * env.c - the envelope observer.  At the end of the message it reads the
 * envelope the builder holds and sets the env.* facts: whether MAIL FROM
 * and each RCPT TO are valid RFC 5321 paths (UTF-8 only with SMTPUTF8),
 * how many recipients there are and in how many distinct domains.  The
 * addresses come from the MTA or the command line: untrusted, any length.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pf.h"
#include "facts.h"
#include "msg.h"
#include "addr.h"
#include "env.h"

struct env {
	struct pf_msg	*msg;
	int		 smtputf8;
};

/* distinct - recipient domains, ignoring case (n is small: O(n^2) with a
 * cap keeps it bounded) */
static int64_t
distinct(const struct pf_msg *m)
{
	size_t i, j, n = pf_msg_rcpt_count(m);
	const char *a, *b;
	int64_t cnt = 0;

	if (n > 2000)
		n = 2000;	/* more is over every limit anyway */
	for (i = 0; i < n; i++) {
		a = pf_addr_domain_of(pf_msg_rcpt_get(m, i));
		if (a == NULL)
			continue;
		for (j = 0; j < i; j++) {
			b = pf_addr_domain_of(pf_msg_rcpt_get(m, j));
			if (b != NULL && strcasecmp(a, b) == 0)
				break;
		}
		if (j == i)
			cnt++;
	}
	return cnt;
}

static void
env_end(void *st, struct pf_facts *f)
{
	struct env *e = st;
	const struct pf_msg *m = e->msg;
	const char *mail = pf_msg_mail_get(m), *why, *bad = NULL;
	int utf8 = pf_fact_known(f, PF_F_ENV_SMTPUTF8) ?
	    (int)pf_fact_getn(f, PF_F_ENV_SMTPUTF8) : 0;
	int flags = utf8 ? PF_ADDR_UTF8 : 0;
	size_t i, n = pf_msg_rcpt_count(m);
	int64_t invalid = 0;

	if (mail != NULL) {
		pf_fact_strz(f, PF_F_ENV_MAIL_FROM, mail);
		pf_fact_bool(f, PF_F_ENV_NULL_SENDER, *mail == '\0');
		pf_fact_bool(f, PF_F_ENV_MAIL_FROM_VALID,
		    pf_addr_path_check(mail, flags | PF_ADDR_NULL_OK, &why) ==
		    PF_OK);
	} else {
		pf_fact_unknown(f, PF_F_ENV_MAIL_FROM,
		    "no envelope sender given");
		pf_fact_unknown(f, PF_F_ENV_NULL_SENDER,
		    "no envelope sender given");
		pf_fact_unknown(f, PF_F_ENV_MAIL_FROM_VALID,
		    "no envelope sender given");
	}
	for (i = 0; i < n; i++)
		if (pf_addr_path_check(pf_msg_rcpt_get(m, i), flags, &why) !=
		    PF_OK && invalid++ == 0)
			bad = pf_msg_rcpt_get(m, i);
	pf_fact_num(f, PF_F_ENV_RCPT_COUNT, (int64_t)n);
	pf_fact_num(f, PF_F_ENV_RCPT_INVALID_COUNT, invalid);
	pf_fact_strz(f, PF_F_ENV_RCPT_INVALID, bad ? bad : "");
	pf_fact_num(f, PF_F_ENV_RCPT_DOMAIN_COUNT, distinct(m));
	if (!pf_fact_known(f, PF_F_ENV_SMTPUTF8))
		pf_fact_bool(f, PF_F_ENV_SMTPUTF8, pf_msg_smtputf8_get(m));
	if (!pf_fact_known(f, PF_F_ENV_HELO)) {
		if (pf_msg_helo_get(m) != NULL)
			pf_fact_strz(f, PF_F_ENV_HELO, pf_msg_helo_get(m));
		else
			pf_fact_unknown(f, PF_F_ENV_HELO,
			    "no HELO name given (--helo, or HELO in the config)");
	}
	else if (!pf_fact_known(f, PF_F_ENV_HELO))
		pf_fact_unknown(f, PF_F_ENV_HELO, "no HELO name given "
		    "(--helo, or HELO in the config)");
}

static int
env_begin(void *arg, struct pf_msg *m, void **st)
{
	struct env *e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return PF_ENOMEM;
	e->msg = m;
	*st = e;
	return PF_OK;
}

static void
env_free(void *st)
{
	free(st);
}

const struct pf_observer pf_env_observer = {
	"env", NULL, env_begin, NULL, NULL, NULL, env_end, env_free
};
