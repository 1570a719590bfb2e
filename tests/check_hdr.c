/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_hdr.c - the header and envelope observers, run through the message
 * builder as the CLI runs them: each row is a raw message (and envelope)
 * and the facts it must produce, "name=value|name=value".
 */
#include <check.h>
#include <gmime/gmime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/pf.h"
#include "base/facts.h"
#include "base/msg.h"
#include "message/addr.h"
#include "message/content.h"
#include "message/hdr.h"
#include "lib/pftest.h"

static const char ok_hdr[] =
    "From: Alice <alice@example.com>\n"
    "To: bob@example.org\n"
    "Subject: hello\n"
    "Date: Mon, 1 Jan 2024 10:00:00 +0000\n"
    "Message-ID: <1@example.com>\n";

static const struct row {
	const char	*label;
	const char	*mail;		/* NULL: none given */
	const char	*rcpt;		/* comma separated, NULL: none */
	const char	*in;		/* "%s" takes ok_hdr */
	const char	*want;
} rows[] = {
	{ "clean", "a@example.com", "b@example.org", "%s\nbody\n",
	  "hdr.count=5|hdr.duplicate_count=0|hdr.malformed_count=0|"
	  "from.address_count=1|from.valid_count=1|from.domain=example.com|"
	  "from.domain_valid=1|msgid.count=1|msgid.valid=1|msgid.bytes=15|"
	  "hdr.subject_bytes=5|hdr.received_count=0|hdr.from_count=1|"
	  "hdr.encoded_word_misuse_count=0|hdr.raw8bit_count=0|"
	  "from.display_symbol=0|hdr.max_name_bytes=10|"
	  "env.mail_from_valid=1|env.rcpt_count=1|env.rcpt_invalid_count=0|"
	  "env.null_sender=0|env.rcpt_domain_count=1|msg.malformed=0" },
	{ "total bytes are raw folded CRLF", NULL, NULL,
	  "A: 1\nB: 2\n\tx\n\n", "hdr.total_bytes=16|hdr.count=2" },
	{ "duplicate From", NULL, NULL, "%sFrom: x@example.com\n\n",
	  "hdr.duplicate_count=1|hdr.duplicate_name=From|hdr.from_count=2" },
	{ "duplicate Subject in other case", NULL, NULL, "%ssubject: again\n\n",
	  "hdr.duplicate_count=1|hdr.duplicate_name=Subject" },
	{ "Received may repeat", NULL, NULL,
	  "Received: a\nReceived: b\nComments: x\nComments: y\n"
	  "Resent-To: a@b.example\nResent-To: c@d.example\n%s\n",
	  "hdr.duplicate_count=0|hdr.received_count=2" },
	{ "two From addresses", NULL, NULL,
	  "From: a@example.com, b@example.com\n\n",
	  "from.address_count=2|from.valid_count=2" },
	{ "From without address", NULL, NULL, "From: Alice\n\n",
	  "from.address_count=1|from.valid_count=0|from.domain_valid=0|"
	  "hdr.malformed_count=1|hdr.malformed_name=From" },
	{ "no From", NULL, NULL, "Subject: x\n\n",
	  "hdr.from_count=0|from.address_count=0|from.domain=" },
	{ "From domain underscore", NULL, NULL, "From: a@bad_domain.example\n\n",
	  "from.valid_count=1|from.domain=bad_domain.example|"
	  "from.domain_valid=0" },
	{ "From IDN U-label", NULL, NULL, "From: a@b\xc3\xbc" "cher.example\n\n",
	  "from.domain_valid=1|hdr.raw8bit_count=1|hdr.raw8bit_name=From" },
	{ "From IDN A-label", NULL, NULL, "From: a@xn--bcher-kva.example\n\n",
	  "from.domain_valid=1|hdr.raw8bit_count=0" },
	{ "From bad A-label", NULL, NULL, "From: a@xn--a.example\n\n",
	  "from.domain_valid=0" },
	{ "emoji in display name", NULL, NULL,
	  "From: =?UTF-8?B?8J+OiSBTaG9w?= <a@example.com>\n\n",
	  "from.display_symbol=1|from.display_symbol_cp=U+1F389|"
	  "hdr.encoded_word_misuse_count=0" },
	{ "check mark badge raw", NULL, NULL,
	  "From: \xe2\x9c\x94 Bank <a@example.com>\n\n",
	  "from.display_symbol=1|from.display_symbol_cp=U+2714" },
	{ "accented name is no symbol", NULL, NULL,
	  "From: =?UTF-8?Q?J=C3=B6rg?= <a@example.com>\n\n",
	  "from.display_symbol=0|from.display_symbol_cp=" },
	{ "missing Message-ID", NULL, NULL, "Subject: x\n\n",
	  "msgid.count=0|msgid.valid=0|msgid.bytes=0" },
	{ "bad Message-ID", NULL, NULL, "Message-ID: 1234@example.com\n\n",
	  "msgid.count=1|msgid.valid=0|msgid.bytes=16" },
	{ "bad Date", NULL, NULL, "Date: yesterday\n\n",
	  "hdr.malformed_count=1|hdr.malformed_name=Date|"
	  "hdr.malformed_why=the Date does not parse" },
	{ "bad field name", NULL, NULL, "X Bad: 1\n\n",
	  "hdr.malformed_count=1|hdr.malformed_name=X?Bad|"
	  "hdr.malformed_why=bad characters in the field name" },
	{ "space before colon tolerated", NULL, NULL, "Subject : x\n\n",
	  "hdr.malformed_count=0|hdr.subject_bytes=1" },
	{ "line without colon", NULL, NULL, "Subject: x\nnot a field\n",
	  "hdr.malformed_count=1|msg.malformed=1|"
	  "hdr.malformed_why=a line without a colon in the header block" },
	{ "ew in Received", NULL, NULL, "Received: from =?utf-8?q?x?= by y\n\n",
	  "hdr.encoded_word_misuse_count=1|"
	  "hdr.encoded_word_misuse_name=Received" },
	{ "ew in Message-ID", NULL, NULL, "Message-ID: <=?utf-8?q?x?=@y>\n\n",
	  "hdr.encoded_word_misuse_count=1|"
	  "hdr.encoded_word_misuse_name=Message-ID" },
	{ "ew in addr-spec", NULL, NULL, "To: =?utf-8?q?x?=@example.com\n\n",
	  "hdr.encoded_word_misuse_count=1|hdr.encoded_word_misuse_name=To" },
	{ "ew in quoted display", NULL, NULL,
	  "From: \"=?utf-8?q?x?=\" <a@example.com>\n\n",
	  "hdr.encoded_word_misuse_count=1|hdr.encoded_word_misuse_name=From" },
	{ "ew in Subject is fine", NULL, NULL, "Subject: =?utf-8?q?x?=\n\n",
	  "hdr.encoded_word_misuse_count=0" },
	{ "subject bytes exclude the leading space", NULL, NULL,
	  "Subject:   abc\n\tdef\n\n", "hdr.subject_bytes=9" },
	{ "largest value exempts To", NULL, NULL,
	  "To: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com\nX-A: 12345\n\n",
	  "hdr.max_value_bytes=6|hdr.max_value_name=X-A" },
	{ "longest name", NULL, NULL, "X-Very-Long-Name: 1\nA: 2\n\n",
	  "hdr.max_name_bytes=16" },
	{ "null sender", "", "a@example.com,b@EXAMPLE.com,c@example.net",
	  "%s\n", "env.null_sender=1|env.mail_from_valid=1|env.rcpt_count=3|"
	  "env.rcpt_domain_count=2|env.rcpt_invalid_count=0" },
	{ "invalid rcpt", "a b@example.com", "ok@example.com,bad..x@example.com",
	  "%s\n", "env.mail_from_valid=0|env.rcpt_invalid_count=1|"
	  "env.rcpt_invalid=bad..x@example.com" },
	{ "no envelope", NULL, NULL, "%s\n", "env.rcpt_count=0|"
	  "env.rcpt_domain_count=0" },
};

/* check_fact - "name=value" against the store */
static void
check_fact(const char *label, const struct pf_facts *f, const char *kv,
    size_t len)
{
	const char *eq = memchr(kv, '=', len);
	int id;
	char got[256];

	ck_assert_msg(eq != NULL, "%s: bad want", label);
	id = pf_fact_lookup(kv, (size_t)(eq - kv));
	ck_assert_msg(id >= 0, "%s: no fact %.*s", label, (int)(eq - kv), kv);
	ck_assert_msg(pf_fact_known(f, id), "%s: %s unknown (%s)", label,
	    pf_fact_name(id), pf_fact_why(f, id));
	if (pf_fact_type(id) == PF_T_STR)
		snprintf(got, sizeof(got), "%s", pf_fact_gets(f, id));
	else
		snprintf(got, sizeof(got), "%lld",
		    (long long)pf_fact_getn(f, id));
	ck_assert_msg(strlen(got) == len - (size_t)(eq + 1 - kv) &&
	    memcmp(got, eq + 1, strlen(got)) == 0, "%s: %s is [%s], want "
	    "[%.*s]", label, pf_fact_name(id), got,
	    (int)(len - (size_t)(eq + 1 - kv)), eq + 1);
}

/* run_row - feed a row to the builder with every content observer */
static struct pf_facts *
run_row(const struct row *r)
{
	struct pf_facts *f = pf_facts_new();
	struct pf_msg *m = pf_msg_new();
	const struct pf_observer *const *obs;
	size_t n, i;
	char buf[4096], rc[512];
	char *tok, *save;
	int len;

	ck_assert_ptr_nonnull(f);
	obs = pf_content_observers(&n);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(pf_msg_observe(m, obs[i]), PF_OK);
	if (r->mail != NULL)
		ck_assert_int_eq(pf_msg_mail(m, r->mail), PF_OK);
	if (r->rcpt != NULL) {
		snprintf(rc, sizeof(rc), "%s", r->rcpt);
		for (tok = strtok_r(rc, ",", &save); tok != NULL;
		    tok = strtok_r(NULL, ",", &save))
			ck_assert_int_eq(pf_msg_rcpt(m, tok), PF_OK);
	}
	len = snprintf(buf, sizeof(buf), r->in, ok_hdr);
	ck_assert(len > 0 && (size_t)len < sizeof(buf));
	ck_assert_int_eq(pf_msg_raw(m, buf, (size_t)len), PF_OK);
	ck_assert_int_eq(pf_msg_end(m, f), PF_OK);
	pf_msg_free(m);
	return f;
}

START_TEST(test_rows)
{
	const struct row *r = &rows[_i];
	struct pf_facts *f = run_row(r);
	const char *p = r->want, *bar;

	while (*p != '\0') {
		bar = strchr(p, '|');
		if (bar == NULL)
			bar = p + strlen(p);
		check_fact(r->label, f, p, (size_t)(bar - p));
		p = *bar ? bar + 1 : bar;
	}
	pf_facts_free(f);
}
END_TEST

/* every fact of the header and message sections is set by the end */
START_TEST(test_all_set)
{
	struct pf_facts *f = run_row(&rows[_i]);
	int id;

	for (id = 0; id < PF_F__COUNT; id++) {
		const char *nm = pf_fact_name(id);
		if (strncmp(nm, "hdr.", 4) && strncmp(nm, "from.", 5) &&
		    strncmp(nm, "msgid.", 6) && strncmp(nm, "msg.", 4))
			continue;
		ck_assert_msg(pf_fact_known(f, id), "%s: %s not set",
		    rows[_i].label, nm);
	}
	pf_facts_free(f);
}
END_TEST

/* limits: 5,000 fields and a 60 KB To measured exactly */
START_TEST(test_big)
{
	struct pf_facts *f = pf_facts_new();
	struct pf_msg *m = pf_msg_new();
	const struct pf_observer *const *obs;
	size_t n, i;
	char line[64];
	int len;

	obs = pf_content_observers(&n);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(pf_msg_observe(m, obs[i]), PF_OK);
	for (i = 0; i < 5001; i++) {
		len = snprintf(line, sizeof(line), "X-N: %05zu\r\n", i);
		ck_assert_int_eq(pf_msg_raw(m, line, (size_t)len), PF_OK);
	}
	ck_assert_int_eq(pf_msg_raw(m, "To: ", 4), PF_OK);
	for (i = 0; i < 4000; i++)
		ck_assert_int_eq(pf_msg_raw(m, "a@example.com,\r\n ", 17),
		    PF_OK);
	ck_assert_int_eq(pf_msg_raw(m, "z@example.com\r\n\r\n", 17), PF_OK);
	ck_assert_int_eq(pf_msg_end(m, f), PF_OK);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_HDR_COUNT), 5002);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_HDR_MAX_VALUE_BYTES), 6);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_HDR_TOTAL_BYTES),
	    5001 * 12 + 4 + 4000 * 17 + 15);
	pf_msg_free(m);
	pf_facts_free(f);
}
END_TEST

/* hostile values cost linear time: 1 MB of unclosed encoded-word starts
 * in Received, To and Date, and 1 MB of nested comments in From */
START_TEST(test_hostile)
{
	static const char *const pre[] = { "Received: ", "To: \"", "Date: ",
	    "From: " };
	static char val[262143];	/* 4 of them: 1 MB per field */
	struct pf_facts *f = pf_facts_new();
	struct pf_msg *m = pf_msg_new();
	const struct pf_observer *const *obs;
	size_t n, i, j;

	obs = pf_content_observers(&n);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(pf_msg_observe(m, obs[i]), PF_OK);
	for (j = 0; j < PF_NELEM(pre); j++) {
		ck_assert_int_eq(pf_msg_raw(m, pre[j], strlen(pre[j])), PF_OK);
		for (i = 0; i + 7 <= sizeof(val); i += 7)
			memcpy(val + i, j == 3 ? "(((((((" : "=?a?Q?a", 7);
		for (i = 0; i < 4; i++)
			ck_assert_int_eq(pf_msg_raw(m, val, sizeof(val)),
			    PF_OK);
		ck_assert_int_eq(pf_msg_raw(m, "\r\n", 2), PF_OK);
	}
	ck_assert_int_eq(pf_msg_raw(m, "\r\nbody\r\n", 8), PF_OK);
	ck_assert_int_eq(pf_msg_end(m, f), PF_OK);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_HDR_EW_COUNT), 0);
	ck_assert_int_ge(pf_fact_getn(f, PF_F_HDR_MALFORMED_COUNT), 2);
	pf_msg_free(m);
	pf_facts_free(f);
}
END_TEST

/* a byte with the high bit set is found wherever it is in a value (the
 * word-at-a-time scan: in a 32-byte block, in the 8-byte tail, in the
 * last bytes), and names are matched whatever their case */
START_TEST(test_raw8)
{
	struct row r = { "raw8", NULL, NULL, NULL, NULL };
	char in[256], v[80];
	struct pf_facts *f;
	size_t len, at;

	for (len = 1; len < sizeof(v); len += 7)
		for (at = 0; at <= len; at++) {
			memset(v, 'a', len);
			v[len] = '\0';
			if (at < len)
				v[at] = (char)0xe9;
			snprintf(in, sizeof(in), "From: a@example.com\n"
			    "x-TEST: %s\nsUBJECT: x\n"
			    "from: b@example.com\n\n", v);
			r.in = in;
			f = run_row(&r);
			ck_assert_msg(pf_fact_getn(f, PF_F_HDR_8BIT_COUNT) ==
			    (at < len), "len %zu at %zu", len, at);
			ck_assert_int_eq(pf_fact_getn(f, PF_F_HDR_FROM_COUNT),
			    2);
			ck_assert_int_eq(pf_fact_getn(f,
			    PF_F_HDR_DUP_COUNT), 1);
			ck_assert_int_eq(pf_fact_getn(f,
			    PF_F_HDR_SUBJECT_BYTES), 1);
			pf_facts_free(f);
		}
}
END_TEST

/* phrase_agree - a display name pf_hdr_phrase_plain lets pass undecoded
 * decodes, by GMime, to ASCII only: no code point of a symbol (all past
 * U+2000), so GMime's way would find none either.  1 when plain. */
static int
phrase_agree(const char *raw)
{
	char *dec;
	const unsigned char *p;
	int plain = pf_hdr_phrase_plain(raw);

	pf_content_gmime();
	if ((dec = g_mime_utils_header_decode_phrase(NULL, raw)) == NULL)
		return plain;
	for (p = (const unsigned char *)dec; plain && *p != '\0'; p++)
		ck_assert_msg(*p < 0x80, "[%s] decodes to [%s]", raw, dec);
	g_free(dec);
	if (plain)
		ck_assert_msg(pf_hdr_symbol(raw) == 0, "[%s]", raw);
	return plain;
}

static const struct {
	const char	*raw;
	uint32_t	 sym;
} phrases[] = {
	{ "John Doe", 0 }, { "  spaced\tout  ", 0 }, { "a=b ?c", 0 },
	{ "O'Brien, Pat", 0 }, { "back\\slash", 0 }, { "", 0 },
	{ "=?UTF-8?B?8J+YgCBIaQ==?=", 0x1F600 },
	{ "=?UTF-8?Q?=E2=9C=93_Verified?=", 0x2713 },
	{ "\xe2\x9c\x93 Verified", 0x2713 }, { "caf\xc3\xa9", 0 },
	{ "Caf\xe9", 0 }, { "\x1b$B$3$s\x1b(B", 0 }, { "x=?y", 0 },
	{ "=?ISO-8859-1?Q?Andr=E9?= Pirard", 0 }, { "ctl\x01char", 0 },
	{ "\xe2\x84\xa2 Brand", 0x2122 },
};

/* the table: the symbol found, plain or not */
START_TEST(test_phrase_table)
{
	size_t i;
	int plain = 0;

	for (i = 0; i < PF_NELEM(phrases); i++) {
		plain += phrase_agree(phrases[i].raw);
		ck_assert_msg(pf_hdr_symbol(phrases[i].raw) == phrases[i].sym,
		    "[%s]: U+%04X", phrases[i].raw,
		    (unsigned)pf_hdr_symbol(phrases[i].raw));
	}
	ck_assert_int_eq(plain, 6);
}
END_TEST

/* phrase_field - a From, To or Cc value: its first display name as the
 * header observer reads it, and the whole value */
static int
phrase_field(const char *v, size_t n)
{
	struct pf_addrlist al;

	pf_addr_list_parse(v, n, &al);
	return phrase_agree(al.display) + phrase_agree(v);
}

/* every From, To and Cc phrase of the corpus */
START_TEST(test_phrase_corpus)
{
	static const char *const dirs[] = { "real", "gmail-bounces", NULL };
	static const char *const names[] = { "From", "To", "Cc", NULL };

	ck_assert_int_gt(pf_test_corpus_fields(dirs, names, 0, "\r\n",
	    phrase_field), 500);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("hdr");
	TCase *tc = pf_test_case(s, "hdr");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_rows, 0, PF_NELEM(rows));
	tcase_add_loop_test(tc, test_all_set, 0, PF_NELEM(rows));
	tcase_add_test(tc, test_big);
	tcase_add_test(tc, test_hostile);
	tcase_add_test(tc, test_raw8);
	tcase_add_test(tc, test_phrase_table);
	tcase_add_test(tc, test_phrase_corpus);
	return pf_test_run(s);
}
