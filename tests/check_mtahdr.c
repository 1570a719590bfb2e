/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_mtahdr.c - the fields an MTA adds after the milter (message/
 * mtahdr.c) and the policy's MTAAddsHeaders decision: the added
 * Message-ID, Date and From parse as the header observer reads them, a
 * field the message has is never added twice, and the null sender
 * becomes MAILER-DAEMON at the MTA's name.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "base/facts.h"
#include "base/msg.h"
#include "config/policy.h"
#include "message/content.h"
#include "message/mtahdr.h"
#include "lib/pftest.h"

static const struct row {
	const char	*label;
	const char	*hdr;	/* the message's own fields */
	const char	*host;
	const char	*mail;
	int64_t		 msgids;	/* msgid.count after */
	int64_t		 from_fields;	/* hdr.from_count after */
	const char	*from_domain;
} rows[] = {
	{ "nothing", "Subject: x", "mta.example.com", "a@example.org", 1, 1,
	  "example.org" },
	{ "null sender", "Subject: x", "mta.example.com", "<>", 1, 1,
	  "mta.example.com" },
	{ "no sender at all", "Subject: x", "mta.example.com", NULL, 1, 1,
	  "mta.example.com" },
	{ "no host name", "Subject: x", "", "", 1, 1,
	  "localhost.localdomain" },
	{ "all present", "Message-ID: <1@a.example>\r\nDate: Mon, 1 Jan "
	  "2024 10:00:00 +0000\r\nFrom: b@c.example", "mta.example.com",
	  "a@example.org", 1, 1, "c.example" },
	{ "names in any case", "message-id: <1@a.example>\r\nFROM: "
	  "b@c.example", "mta.example.com", "a@example.org", 1, 1,
	  "c.example" },
};

/* run - the row's fields, then what the MTA adds, through the observers */
static struct pf_facts *
run(const struct row *r)
{
	struct pf_facts *f = pf_facts_new();
	struct pf_msg *m = pf_msg_new();
	const struct pf_observer *const *obs;
	struct pf_mtahdr_env env = { r->host, r->mail, 1704103200 };
	const char *p = r->hdr, *colon, *eol, *why = NULL;
	char name[64];
	size_t n, i;
	int seen = 0;

	obs = pf_content_observers(&n);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(pf_msg_observe(m, obs[i]), PF_OK);
	while (*p != '\0') {
		colon = strchr(p, ':');
		eol = strstr(p, "\r\n");
		if (eol == NULL)
			eol = p + strlen(p);
		ck_assert((size_t)(colon - p) < sizeof(name));
		memcpy(name, p, (size_t)(colon - p));
		name[colon - p] = '\0';
		seen |= pf_mtahdr_seen(name);
		ck_assert_int_eq(pf_msg_header(m, name, strlen(name), colon + 1,
		    (size_t)(eol - colon - 1)), PF_OK);
		p = *eol ? eol + 2 : eol;
	}
	ck_assert_int_eq(pf_mtahdr_add(m, seen, &env, &why), PF_OK);
	ck_assert_str_eq(why, "");
	ck_assert_int_eq(pf_msg_eoh(m), PF_OK);
	ck_assert_int_eq(pf_msg_end(m, f), PF_OK);
	pf_msg_free(m);
	return f;
}

START_TEST(test_rows)
{
	const struct row *r = &rows[_i];
	struct pf_facts *f = run(r);

	ck_assert_msg(pf_fact_getn(f, PF_F_MSGID_COUNT) == r->msgids,
	    "%s: msgid.count", r->label);
	ck_assert_msg(pf_fact_getn(f, PF_F_MSGID_VALID) == 1,
	    "%s: msgid.valid", r->label);
	ck_assert_msg(pf_fact_getn(f, PF_F_HDR_FROM_COUNT) == r->from_fields,
	    "%s: hdr.from_count", r->label);
	ck_assert_msg(strcmp(pf_fact_gets(f, PF_F_FROM_DOMAIN),
	    r->from_domain) == 0, "%s: from.domain %s", r->label,
	    pf_fact_gets(f, PF_F_FROM_DOMAIN));
	ck_assert_msg(pf_fact_getn(f, PF_F_HDR_MALFORMED_COUNT) == 0,
	    "%s: %s malformed", r->label,
	    pf_fact_gets(f, PF_F_HDR_MALFORMED_NAME));
	ck_assert_msg(pf_fact_getn(f, PF_F_HDR_DUP_COUNT) == 0,
	    "%s: a field added twice", r->label);
	pf_facts_free(f);
}
END_TEST

START_TEST(test_seen)
{
	ck_assert_int_eq(pf_mtahdr_seen("Message-Id"), PF_MTAHDR_MSGID);
	ck_assert_int_eq(pf_mtahdr_seen("DATE"), PF_MTAHDR_DATE);
	ck_assert_int_eq(pf_mtahdr_seen("from"), PF_MTAHDR_FROM);
	ck_assert_int_eq(pf_mtahdr_seen("Sender"), 0);
	ck_assert_int_eq(pf_mtahdr_seen("From "), 0);
}
END_TEST

/* MTAAddsHeaders never|local|always against local and SMTP submissions */
START_TEST(test_policy)
{
	struct pf_policy *p = pf_policy_new();

	ck_assert_ptr_nonnull(p);
	p->mta_adds = PF_M_NEVER;
	ck_assert_int_eq(pf_policy_mta_adds(p, 0), 0);
	ck_assert_int_eq(pf_policy_mta_adds(p, 1), 0);
	p->mta_adds = PF_M_LOCAL;
	ck_assert_int_eq(pf_policy_mta_adds(p, 0), 0);
	ck_assert_int_eq(pf_policy_mta_adds(p, 1), 1);
	p->mta_adds = PF_M_ALWAYS;
	ck_assert_int_eq(pf_policy_mta_adds(p, 0), 1);
	ck_assert_int_eq(pf_policy_mta_adds(p, 1), 1);
	pf_policy_free(p);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mtahdr");
	TCase *tc = pf_test_case(s, "mtahdr");

	tcase_add_loop_test(tc, test_rows, 0, PF_NELEM(rows));
	tcase_add_test(tc, test_seen);
	tcase_add_test(tc, test_policy);
	return pf_test_run(s);
}
