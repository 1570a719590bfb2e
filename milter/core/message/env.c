/* SPDX-License-Identifier: BSD-2-Clause */
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
#include <arpa/inet.h>

#include "base/pf.h"
#include "base/facts.h"
#include "base/msg.h"
#include "message/addr.h"
#include "message/env.h"

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

/* ldh_name - RFC 5321 Domain: dot-separated LDH labels of 1 to 63
 * characters, neither starting nor ending with a hyphen; one label is
 * allowed (Gmail takes "EHLO localhost"; only the syntax is checked) */
static int
ldh_name(const char *h, size_t n)
{
	size_t i, label = 0;

	if (n == 0 || n > 255)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)h[i];

		if (c == '.') {
			if (label == 0 || h[i - 1] == '-')
				return 0;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-') {
			if ((c == '-' && label == 0) || ++label > 63)
				return 0;
		} else
			return 0;
	}
	return label > 0 && h[n - 1] != '-';
}

/* helo_ok - RFC 5321 4.1.1.1: a Domain, or an address literal
 * ([192.0.2.1] or [IPv6:2001:db8::1]) */
static int
helo_ok(const char *h)
{
	unsigned char buf[16];
	char lit[64];
	size_t n = strlen(h);

	if (n >= 3 && h[0] == '[' && h[n - 1] == ']' && n - 2 < sizeof(lit)) {
		memcpy(lit, h + 1, n - 2);
		lit[n - 2] = '\0';
		if (strncasecmp(lit, "IPv6:", 5) == 0)
			return inet_pton(AF_INET6, lit + 5, buf) == 1;
		return inet_pton(AF_INET, lit, buf) == 1;
	}
	return ldh_name(h, n);
}

/* helo_facts - whether the HELO name Gmail will see is acceptable */
static void
helo_facts(struct pf_facts *f)
{
	if (pf_fact_known(f, PF_F_ENV_HELO))
		pf_fact_bool(f, PF_F_ENV_HELO_VALID,
		    helo_ok(pf_fact_gets(f, PF_F_ENV_HELO)));
	else
		pf_fact_unknown(f, PF_F_ENV_HELO_VALID,
		    pf_fact_reason(f, PF_F_ENV_HELO),
		    pf_fact_why(f, PF_F_ENV_HELO));
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
		pf_fact_unknown(f, PF_F_ENV_MAIL_FROM, PF_U_NO_INPUT,
		    "no envelope sender given");
		pf_fact_unknown(f, PF_F_ENV_NULL_SENDER, PF_U_NO_INPUT,
		    "no envelope sender given");
		pf_fact_unknown(f, PF_F_ENV_MAIL_FROM_VALID, PF_U_NO_INPUT,
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
			pf_fact_unknown(f, PF_F_ENV_HELO, PF_U_NO_INPUT,
			    "no HELO name given (--helo, or HELO in the config)");
	}
	helo_facts(f);
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

/* env_reset - the state of a new message, in place */
static void
env_reset(void *st)
{
	((struct env *)st)->smtputf8 = 0;
}

const struct pf_observer pf_env_observer = {
	"env", NULL, env_begin, NULL, NULL, NULL, env_end, env_free, env_reset
};
