/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_date.c - Date values (RFC 5322 3.3 and the obsolete forms of 4.3)
 * and msg-id syntax (RFC 5322 3.6.4).
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "message/date.h"
#include "message/msgid.h"
#include "lib/pftest.h"

static const struct date_row {
	const char	*label;
	const char	*in;
	int		 want_ok;
	int64_t		 want_t;
} date_rows[] = {
	{ "rfc 5322", " Mon, 01 Jan 2024 10:00:00 +0000", 1, 1704103200 },
	{ "no day of week", " 1 Jan 2024 10:00:00 +0000", 1, 1704103200 },
	{ "zone offset", " Mon, 1 Jan 2024 12:00:00 +0200", 1, 1704103200 },
	{ "no seconds", " Mon, 1 Jan 2024 10:00 +0000", 1, 1704103200 },
	{ "trailing comment", " Mon, 1 Jan 2024 10:00:00 +0000 (UTC)", 1,
	  1704103200 },
	{ "obs zone GMT", " Mon, 1 Jan 2024 10:00:00 GMT", 1, 1704103200 },
	{ "obs zone EST", " Mon, 1 Jan 2024 05:00:00 EST", 1, 1704103200 },
	{ "obs two-digit year", " 1 Jan 24 10:00:00 +0000", 1, 1704103200 },
	{ "obs cfws everywhere", " Mon ,1 (x) Jan\r\n 2024 10 : 00 : 00 +0000",
	  1, 1704103200 },
	{ "lower case month", " 1 jan 2024 10:00:00 +0000", 1, 1704103200 },
	{ "missing zone tolerated", " 1 Jan 2024 10:00:00", 1, 1704103200 },
	{ "leap day", " 29 Feb 2024 00:00:00 +0000", 1, 1709164800 },
	{ "not a leap day", " 29 Feb 2023 00:00:00 +0000", 0, 0 },
	{ "iso 8601", " 2024-01-01T10:00:00Z", 0, 0 },
	{ "empty", "", 0, 0 },
	{ "bad month", " 1 Foo 2024 10:00:00 +0000", 0, 0 },
	{ "hour 24", " 1 Jan 2024 24:00:00 +0000", 0, 0 },
	{ "bad weekday", " Xyz, 1 Jan 2024 10:00:00 +0000", 0, 0 },
	{ "junk after", " 1 Jan 2024 10:00:00 +0000 junk more", 0, 0 },
	{ "short zone", " 1 Jan 2024 10:00:00 +000", 0, 0 },
	{ "unix date(1)", " Mon Jan  1 10:00:00 UTC 2024", 0, 0 },
	{ "unterminated comment", " 1 Jan 2024 10:00:00 +0000 (x", 0, 0 },
};

START_TEST(test_date)
{
	const struct date_row *r = &date_rows[_i];
	const char *why;
	int64_t t = 0;
	int rc = pf_date_parse(r->in, strlen(r->in), &t, &why);

	ck_assert_msg((rc == PF_OK) == r->want_ok, "%s: rc %d %s", r->label,
	    rc, why);
	if (r->want_ok)
		ck_assert_msg(t == r->want_t, "%s: %lld", r->label,
		    (long long)t);
	else
		ck_assert_msg(*why != '\0', "%s: no reason", r->label);
}
END_TEST

static const struct id_row {
	const char	*label;
	const char	*in;
	int		 want;
} id_rows[] = {
	{ "plain", " <abc.123@example.com>", 1 },
	{ "no space", "<a@b>", 1 },
	{ "comment after", " <a@b> (x)", 1 },
	{ "folded", "\r\n <a@b>", 1 },
	{ "literal right", " <a@[192.0.2.1]>", 1 },
	{ "obs quoted left", " <\"a b\"@example.com>", 1 },
	{ "no brackets", " abc@example.com", 0 },
	{ "no at", " <abc>", 0 },
	{ "empty left", " <@example.com>", 0 },
	{ "empty right", " <a@>", 0 },
	{ "two ids", " <a@b> <c@d>", 0 },
	{ "space inside", " <a b@example.com>", 0 },
	{ "double dot left tolerated", " <a..b@example.com>", 1 },
	{ "double dot right", " <ab@example..com>", 0 },
	{ "two ats", " <a@b@example.com>", 0 },
	{ "unclosed", " <a@b", 0 },
	{ "empty", "", 0 },
	{ "utf-8", " <\xc3\xa9@example.com>", 1 },
	{ "encoded-word", " <=?utf-8?q?a?=@b>", 1 },	/* syntax allows it */
};

START_TEST(test_msgid)
{
	const struct id_row *r = &id_rows[_i];

	ck_assert_msg(pf_msgid_valid(r->in, strlen(r->in)) == r->want, "%s",
	    r->label);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("date");
	TCase *tc = pf_test_case(s, "date");

	tcase_add_loop_test(tc, test_date, 0, PF_NELEM(date_rows));
	tcase_add_loop_test(tc, test_msgid, 0, PF_NELEM(id_rows));
	return pf_test_run(s);
}
