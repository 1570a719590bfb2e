/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_batch.c - the messages in a mailbox and the batch run over them:
 * mbox splitting (separators, the blank line before them, Content-Length,
 * ">From " unquoting), Maildir and directory listing, the envelope a
 * header implies, the MTA-added headers model, and a pool of threads
 * giving exactly the results of one thread, in order.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "base/json.h"
#include "base/msg.h"
#include "catalog/render.h"
#include "config/config.h"
#include "engine/batch.h"
#include "engine/engine.h"
#include "message/envguess.h"
#include "message/mailbox.h"
#include "message/mtahdr.h"
#include "lib/pftest.h"

/* fixture - a file under tests/fixtures/batch */
static const char *
fixture(const char *name)
{
	static char path[4096];
	const char *src = getenv("PF_SRCDIR");

	snprintf(path, sizeof(path), "%s/tests/fixtures/batch/%s",
	    src != NULL ? src : ".", name);
	return path;
}

/* slurp - a message of a list as a string, owned */
static char *
slurp(const struct pf_mitem *it)
{
	struct pf_err err = { 0 };
	char *buf;
	size_t len;

	ck_assert_int_eq(pf_mailbox_read(it, &buf, &len, &err), PF_OK);
	ck_assert_uint_eq(strlen(buf), len);
	return buf;
}

/* list - the items under a fixture path */
static void
list(const char *name, enum pf_mbox_format fmt, int rec, struct pf_mlist *l)
{
	struct pf_err err = { 0 };

	memset(l, 0, sizeof(*l));
	ck_assert_int_eq(pf_mailbox_list(fixture(name), fmt, rec, l, &err),
	    PF_OK);
}

START_TEST(test_three)
{
	struct pf_mlist l;
	char *m;

	list("three.mbox", PF_MB_AUTO, 0, &l);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_uint_eq(l.item[2].index, 3);
	m = slurp(&l.item[0]);
	ck_assert_msg(strncmp(m, "From: Alice", 11) == 0, "%s", m);
	/* the blank line before the next separator is the format's */
	ck_assert_msg(strcmp(m + strlen(m) - 8, "\nHello.\n") == 0, "%s", m);
	free(m);
	m = slurp(&l.item[2]);
	ck_assert_ptr_nonnull(strstr(m, "\nFrom here on, the line"));
	ck_assert_ptr_nonnull(strstr(m, "\n>From deeper\n"));
	ck_assert_ptr_nonnull(strstr(m, "\nFrom the desk of nobody"));
	ck_assert_ptr_null(strstr(m, ">From here"));
	free(m);
	pf_mailbox_free(&l);
	/* forced to one message, it is the whole file */
	list("three.mbox", PF_MB_EML, 0, &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.item[0].index, 0);
	pf_mailbox_free(&l);
}
END_TEST

START_TEST(test_content_length)
{
	struct pf_mlist l;
	char *m;

	list("cl.mbox", PF_MB_AUTO, 0, &l);
	ck_assert_uint_eq(l.n, 2);
	m = slurp(&l.item[0]);
	/* an unquoted postmark line inside the counted body stays there */
	ck_assert_ptr_nonnull(strstr(m, "\nFrom someone Mon Jan  5"));
	ck_assert_ptr_nonnull(strstr(m, "\nEnd.\n"));
	free(m);
	m = slurp(&l.item[1]);
	ck_assert_msg(strncmp(m, "From: Bob", 9) == 0, "%s", m);
	free(m);
	pf_mailbox_free(&l);
}
END_TEST

START_TEST(test_split_edges)
{
	static const char noblank[] = "From a@b Mon Jan  5 10:00:00 2026\n"
	    "Subject: x\n\nbody\nFrom b@c Mon Jan  5 10:00:00 2026\n";
	static const char crlf[] = "From a@b Mon Jan  5 10:00:00 2026\r\n"
	    "Subject: x\r\n\r\nbody\r\n\r\nFrom b@c Mon Jan  5 10:01:00 2026"
	    "\r\nSubject: y\r\n\r\nz\r\n";
	struct pf_mlist l = { 0 };

	/* a "From " line that does not follow a blank line is body */
	ck_assert_int_eq(pf_mailbox_split("x", noblank, strlen(noblank), &l),
	    PF_OK);
	ck_assert_uint_eq(l.n, 1);
	pf_mailbox_free(&l);
	ck_assert_int_eq(pf_mailbox_split("x", crlf, strlen(crlf), &l),
	    PF_OK);
	ck_assert_uint_eq(l.n, 2);
	/* "Subject: x\r\n\r\nbody\r\n": 20 bytes, blank line excluded */
	ck_assert_uint_eq(l.item[0].len, 20);
	pf_mailbox_free(&l);
	ck_assert_int_eq(pf_mailbox_split("x", "", 0, &l), PF_OK);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.item[0].len, 0);
	pf_mailbox_free(&l);
}
END_TEST

START_TEST(test_unquote)
{
	char b[] = ">From a\n>>From b\nx>From c\n>Fromage\n>From";
	size_t n = pf_mailbox_unquote(b, strlen(b));

	b[n] = '\0';
	ck_assert_str_eq(b, "From a\n>From b\nx>From c\n>Fromage\n>From");
}
END_TEST

START_TEST(test_maildir_and_tree)
{
	struct pf_mlist l;

	list("maildir", PF_MB_AUTO, 0, &l);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_ptr_nonnull(strstr(l.item[0].path, "/cur/"));
	ck_assert_ptr_nonnull(strstr(l.item[2].path, "/new/"));
	pf_mailbox_free(&l);
	list("tree", PF_MB_AUTO, 0, &l);
	ck_assert_uint_eq(l.n, 1);
	pf_mailbox_free(&l);
	list("tree", PF_MB_AUTO, 1, &l);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_ptr_nonnull(strstr(l.item[0].path, "sub/deeper/low.eml"));
	pf_mailbox_free(&l);
	/* a directory forced to be a Maildir that is not one */
	list("tree", PF_MB_MAILDIR, 0, &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_ptr_nonnull(l.item[0].error);
	pf_mailbox_free(&l);
	list("no-such-file", PF_MB_AUTO, 0, &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_ptr_nonnull(l.item[0].error);
	pf_mailbox_free(&l);
}
END_TEST

START_TEST(test_envguess)
{
	static const char h[] = "From x Mon Jan  5 10:00:00 2026\n"
	    "Return-Path: <bounce@example.com>\nFrom: A <a@example.com>\n"
	    "To: \"Smith, B\" <b@example.net>, c@example.org (C),\n"
	    " team: d@example.com, E <e@example.com>;\n"
	    "Cc: undisclosed-recipients:;\nBcc: f@example.com\n\n"
	    "To: not@header.example\n";
	static const char nort[] = "From: A <a@example.com>\r\n"
	    "Return-Path: <>\r\n\r\n";
	static const char onlyfrom[] = "From: a@example.com\n\n";
	struct pf_env_guess g;

	ck_assert_int_eq(pf_env_guess(h, strlen(h), &g), PF_OK);
	ck_assert_str_eq(g.mail, "bounce@example.com");
	ck_assert_str_eq(g.mail_src, "Return-Path");
	ck_assert_uint_eq(g.nrcpt, 5);
	ck_assert_str_eq(g.rcpt[0], "b@example.net");
	ck_assert_str_eq(g.rcpt[1], "c@example.org");
	ck_assert_str_eq(g.rcpt[2], "d@example.com");
	ck_assert_str_eq(g.rcpt[3], "e@example.com");
	ck_assert_str_eq(g.rcpt[4], "f@example.com");
	pf_env_guess_reset(&g);
	ck_assert_int_eq(pf_env_guess(nort, strlen(nort), &g), PF_OK);
	ck_assert_str_eq(g.mail, "");
	ck_assert_uint_eq(g.nrcpt, 0);
	pf_env_guess_reset(&g);
	ck_assert_int_eq(pf_env_guess(onlyfrom, strlen(onlyfrom), &g),
	    PF_OK);
	ck_assert_str_eq(g.mail, "a@example.com");
	ck_assert_str_eq(g.mail_src, "From");
	pf_env_guess_reset(&g);
}
END_TEST

/* add_fields - what the MTA adds, from the header block's end */
static void
add_fields(void *arg, struct pf_msg *m)
{
	struct pf_mtahdr_env env = { arg, pf_msg_mail_get(m), 0 };
	unsigned s = pf_msg_seen(m);
	const char *why;

	ck_assert_int_eq(pf_mtahdr_add(m, (s & PF_MSG_SEEN_MSGID ?
	    PF_MTAHDR_MSGID : 0) | (s & PF_MSG_SEEN_DATE ? PF_MTAHDR_DATE : 0) |
	    (s & PF_MSG_SEEN_FROM ? PF_MTAHDR_FROM : 0), &env, &why), PF_OK);
}

/* seen_after - the PF_MSG_SEEN_* bits once the hook ran on raw bytes */
static unsigned
seen_after(const char *raw, int hook)
{
	struct pf_msg *m = pf_msg_new();
	struct pf_facts *f = pf_facts_new();
	unsigned s;

	ck_assert_ptr_nonnull(m);
	pf_msg_mail(m, "<s@example.com>");
	if (hook)
		pf_msg_before_eoh(m, add_fields, "mx.example.com");
	ck_assert_int_eq(pf_msg_raw(m, raw, strlen(raw)), PF_OK);
	ck_assert_int_eq(pf_msg_end(m, f), PF_OK);
	s = pf_msg_seen(m);
	pf_msg_free(m);
	pf_facts_free(f);
	return s;
}

START_TEST(test_mta_adds)
{
	const char *bare = "Subject: x\n\nbody\n";
	const char *nosep = "Subject: x\nno colon here\n";
	unsigned all = PF_MSG_SEEN_MSGID | PF_MSG_SEEN_DATE | PF_MSG_SEEN_FROM;

	ck_assert_uint_eq(seen_after(bare, 0), 0);
	ck_assert_uint_eq(seen_after(bare, 1), all);
	/* the header block also ends at a line that is not a field */
	ck_assert_uint_eq(seen_after(nosep, 1), all);
	ck_assert_uint_eq(seen_after("Subject: x", 1), all);
}
END_TEST

START_TEST(test_json_escape)
{
	static const char in[] = "plain a\"b\\c\n\x01\x7f\xc3\xa9\xff\xed\xa0\x80 end";
	static const char want[] = "\"plain a\\\"b\\\\c\\n\\u0001\\u007f\xc3\xa9"
	    "\\ufffd\\ufffd\\ufffd\\ufffd end\"";
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);

	ck_assert_ptr_nonnull(fp);
	pf_json_strn(fp, in, sizeof(in) - 1);
	fclose(fp);
	ck_assert_str_eq(out, want);
	free(out);
}
END_TEST

/* the rule ids of each result, one string per message */
struct got {
	char	 line[64][256];
	size_t	 n;
};

static int
collect(void *arg, struct pf_result *r)
{
	struct got *g = arg;
	char *s = g->line[g->n++];
	size_t i, o;

	o = (size_t)snprintf(s, 256, "%s %s", r->out.label,
	    r->out.error != NULL ? "error" : r->out.gmail ?
	    pf_verdict_name(r->v.kind) : "no-gmail");
	for (i = 0; r->out.error == NULL && i < r->v.npred && o < 256; i++)
		o += (size_t)snprintf(s + o, 256 - o, " %s",
		    r->v.pred[i].rule->id);
	return 0;
}

START_TEST(test_pool_equals_serial)
{
	static const char *paths[] = { "three.mbox", "nosep.mbox", "maildir",
	    "tree", "cl.mbox", "empty.eml", "notmail.txt", "nomsgid.eml" };
	struct pf_config *cfg = pf_config_default();
	struct pf_engine *eng = NULL;
	struct pf_batch_opts o = { 0 };
	struct pf_mlist l = { 0 };
	struct pf_err err = { 0 };
	static struct got one, four;
	size_t i;

	ck_assert_ptr_nonnull(cfg);
	ck_assert_int_eq(pf_config_set(cfg, "Rules", pf_test_rules_path(),
	    &err), PF_OK);
	ck_assert_int_eq(pf_config_set(cfg, "DNS", "no", &err), PF_OK);
	ck_assert_int_eq(pf_engine_new(cfg, &eng, &err), PF_OK);
	for (i = 0; i < PF_NELEM(paths); i++)
		ck_assert_int_eq(pf_mailbox_list(fixture(paths[i]), PF_MB_AUTO,
		    1, &l, &err), PF_OK);
	ck_assert_uint_eq(l.n, 3 + 2 + 3 + 3 + 2 + 1 + 1 + 1);
	o.mta_adds = -1;
	o.min_confidence = -1;
	o.jobs = 1;
	ck_assert_int_eq(pf_batch_run(eng, &l, &o, collect, &one, &err),
	    PF_OK);
	o.jobs = 4;
	ck_assert_int_eq(pf_batch_run(eng, &l, &o, collect, &four, &err),
	    PF_OK);
	ck_assert_uint_eq(one.n, l.n);
	ck_assert_uint_eq(four.n, l.n);
	for (i = 0; i < l.n; i++)
		ck_assert_str_eq(one.line[i], four.line[i]);
	ck_assert_ptr_nonnull(strstr(one.line[1], "reject msgid-invalid"));
	ck_assert_ptr_nonnull(strstr(one.line[4], "message-malformed"));
	ck_assert_ptr_nonnull(strstr(one.line[13], "empty.eml error"));
	ck_assert_ptr_nonnull(strstr(one.line[14], "notmail.txt error"));
	pf_mailbox_free(&l);
	pf_engine_unref(eng);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("batch");
	TCase *tc = tcase_create("batch");

	tcase_add_test(tc, test_three);
	tcase_add_test(tc, test_content_length);
	tcase_add_test(tc, test_split_edges);
	tcase_add_test(tc, test_unquote);
	tcase_add_test(tc, test_maildir_and_tree);
	tcase_add_test(tc, test_envguess);
	tcase_add_test(tc, test_mta_adds);
	tcase_add_test(tc, test_pool_equals_serial);
	tcase_add_test(tc, test_json_escape);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return pf_test_run(suite());
}
