/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * authmsg.c - pf_auth_eval: the envelope of a built message handed to
 * pf_auth_eval_env.  Kept apart so the DNS checks can be tested without
 * the message builder.
 */
#include <stdlib.h>

#include "auth/auth.h"

#define MAX_RCPT	1000	/* recipients looked at */

/* pf_auth_eval - the DNS facts of one message */
int
pf_auth_eval(struct pf_auth *a, const struct pf_msg *m, struct pf_facts *f)
{
	struct pf_auth_env env;
	const char **rcpt;
	size_t i, n = pf_msg_rcpt_count(m);
	int rc;

	if (n > MAX_RCPT)
		n = MAX_RCPT;
	if ((rcpt = calloc(n ? n : 1, sizeof(*rcpt))) == NULL)
		return PF_ENOMEM;
	for (i = 0; i < n; i++)
		rcpt[i] = pf_msg_rcpt_get(m, i);
	env.mail_from = pf_msg_mail_get(m);
	env.helo = pf_msg_helo_get(m);
	env.rcpt = rcpt;
	env.nrcpt = n;
	rc = pf_auth_eval_env(a, &env, f);
	free(rcpt);
	return rc;
}
