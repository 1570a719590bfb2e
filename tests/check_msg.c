/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_msg.c - the message builder: splitting raw messages into fields and
 * body, line-end normalisation, size as sent, framing defects, and that the
 * result does not depend on how the input is cut into chunks.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "base/facts.h"
#include "base/msg.h"
#include "lib/pftest.h"

/* a recording observer: "name|value\n" per field, "EOH\n", then the body */
struct rec {
	char	*p;
	size_t	 len, cap;
	int	 ended;
};

static void
rec_add(struct rec *r, const void *p, size_t len)
{
	if (r->len + len + 1 > r->cap) {
		r->cap = (r->len + len + 1) * 2;
		r->p = realloc(r->p, r->cap);
		ck_assert_ptr_nonnull(r->p);
	}
	memcpy(r->p + r->len, p, len);
	r->len += len;
	r->p[r->len] = '\0';
}

/* the recorder of the message being run (tests run one at a time) */
static struct rec *cur;
static unsigned nbegin;		/* rec_begin calls */

static int
rec_begin(void *arg, struct pf_msg *m, void **st)
{
	nbegin++;
	*st = cur = calloc(1, sizeof(struct rec));
	return *st ? PF_OK : PF_ENOMEM;
}

static void
rec_header(void *st, const char *n, size_t nl, const char *v, size_t vl)
{
	rec_add(st, n, nl);
	rec_add(st, "|", 1);
	rec_add(st, v, vl);
	rec_add(st, "\n", 1);
}

static void
rec_eoh(void *st)
{
	rec_add(st, "EOH\n", 4);
}

static void
rec_body(void *st, const unsigned char *p, size_t len)
{
	rec_add(st, p, len);
}

static void
rec_end(void *st, struct pf_facts *f)
{
	((struct rec *)st)->ended = 1;
}

static void
rec_free(void *st)
{
	struct rec *r = st;

	free(r->p);
	free(r);
}

static const struct pf_observer rec_obs = {
	"rec", NULL, rec_begin, rec_header, rec_eoh, rec_body, rec_end,
	rec_free, NULL
};

static const struct row {
	const char	*label;
	const char	*in;
	const char	*want;		/* recorder output */
	long		 size;
	unsigned	 defects;
	int		 malformed;
} rows[] = {
	{ "CRLF message", "Subject: hi\r\nFrom: a@b\r\n\r\nbody\r\n",
	  "Subject| hi\nFrom| a@b\nEOH\nbody\r\n", 32, 0, 0 },
	{ "bare LF is CRLF", "Subject: hi\nFrom: a@b\n\nbody\n",
	  "Subject| hi\nFrom| a@b\nEOH\nbody\r\n", 32, 0, 0 },
	{ "mbox From line skipped",
	  "From a@b Mon Jan  1 00:00:00 2024\nSubject: hi\n\nx\n",
	  "Subject| hi\nEOH\nx\r\n", 18, 0, 0 },
	{ "folded field keeps CRLF", "Subject: a\n\tb\n  c\nTo: x\n\n",
	  "Subject| a\r\n\tb\r\n  c\nTo| x\nEOH\n", 30, 0, 0 },
	{ "no body, no blank line", "Subject: a\r\n",
	  "Subject| a\nEOH\n", 12, 0, 0 },
	{ "no final line end", "Subject: a",
	  "Subject| a\nEOH\n", 12, 0, 0 },
	{ "line without colon starts body",
	  "Subject: a\nthis is body\nmore\n",
	  "Subject| a\nEOH\nthis is body\r\nmore\r\n", 32,
	  PF_MSG_D_NOCOLON, 1 },
	{ "leading continuation", " x\nSubject: a\n\n",
	  "Subject| a\nEOH\n", 18, PF_MSG_D_LEADWS, 1 },
	{ "NUL in header", "Subject: a\0b\n\n",
	  "Subject| a\0b\nEOH\n", 16, PF_MSG_D_NUL, 1 },
	{ "NUL in body", "Subject: a\n\nx\0y\n",
	  "Subject| a\nEOH\nx\0y\r\n", 19, PF_MSG_D_NUL, 1 },
	{ "empty message", "", "EOH\n", 0, PF_MSG_D_EMPTY, 1 },
	{ "blank line only", "\n\nbody\n", "EOH\n\r\nbody\r\n", 10,
	  PF_MSG_D_EMPTY, 1 },
	{ "CRLF inside body kept, bare CR kept",
	  "A: 1\r\n\r\nx\ry\r\nz", "A| 1\nEOH\nx\ry\r\nz", 14, 0, 0 },
	{ "colon in obs field name spacing", "Subject : a\n\n",
	  "Subject | a\nEOH\n", 15, 0, 0 },
	{ "empty value", "X-Empty:\n\n", "X-Empty|\nEOH\n", 12, 0, 0 },
	{ "From-like first line with colon is a field",
	  "From: a@b\nTo: c@d\n\n", "From| a@b\nTo| c@d\nEOH\n", 22, 0, 0 },
};

/* sizes in the table must match: keep the arithmetic honest */
static size_t
row_len(const struct row *r)
{
	/* rows with NUL bytes: the literal length */
	if (strcmp(r->label, "NUL in header") == 0)
		return 14;
	if (strcmp(r->label, "NUL in body") == 0)
		return 16;
	return strlen(r->in);
}

static size_t
want_len(const struct row *r)
{
	if (strcmp(r->label, "NUL in header") == 0)
		return 17;
	if (strcmp(r->label, "NUL in body") == 0)
		return 20;
	return strlen(r->want);
}

static void
check_rec(const struct row *r, struct pf_msg *m, struct pf_facts *f,
    const struct rec *rec, unsigned defects, const char *how)
{
	ck_assert_msg(rec->ended, "%s %s: end() not called", r->label, how);
	ck_assert_msg(rec->len == want_len(r) &&
	    memcmp(rec->p ? rec->p : "", r->want, rec->len) == 0,
	    "%s %s: got [%s] want [%s]", r->label, how, rec->p ? rec->p : "",
	    r->want);
	ck_assert_msg(pf_fact_getn(f, PF_F_MSG_SIZE) == r->size,
	    "%s %s: size %lld want %ld", r->label, how,
	    (long long)pf_fact_getn(f, PF_F_MSG_SIZE), r->size);
	ck_assert_msg(defects == r->defects, "%s %s: defects %#x want %#x",
	    r->label, how, defects, r->defects);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_MSG_MALFORMED), r->malformed);
	ck_assert(pf_fact_known(f, PF_F_MSG_MALFORMED_WHY));
}

/* one_run - feed a row, check it, clean up */
static void
one_run(const struct row *r, size_t step, size_t cut, const char *how)
{
	struct pf_facts *f = pf_facts_new();
	struct pf_msg *m = pf_msg_new();
	size_t len = row_len(r), off = 0, n;

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(pf_msg_observe(m, &rec_obs), PF_OK);
	if (step == 0) {
		ck_assert_int_eq(pf_msg_raw(m, r->in, cut), PF_OK);
		ck_assert_int_eq(pf_msg_raw(m, r->in + cut, len - cut),
		    PF_OK);
	} else {
		while (off < len) {
			n = len - off < step ? len - off : step;
			ck_assert_int_eq(pf_msg_raw(m, r->in + off, n), PF_OK);
			off += n;
		}
	}
	ck_assert_int_eq(pf_msg_end(m, f), PF_OK);
	check_rec(r, m, f, cur, pf_msg_defects(m), how);
	pf_msg_free(m);
	pf_facts_free(f);
}

START_TEST(test_whole)
{
	one_run(&rows[_i], 0, 0, "whole");
}
END_TEST

START_TEST(test_bytewise)
{
	one_run(&rows[_i], 1, 0, "byte by byte");
}
END_TEST

START_TEST(test_every_cut)
{
	size_t cut, len = row_len(&rows[_i]);
	char how[32];

	for (cut = 0; cut <= len; cut++) {
		snprintf(how, sizeof(how), "cut at %zu", cut);
		one_run(&rows[_i], 0, cut, how);
	}
}
END_TEST

/* a 100 MB header line: memory bounded, lengths exact */
START_TEST(test_huge_line)
{
	static char chunk[1 << 20];
	struct pf_facts *f = pf_facts_new();
	struct pf_msg *m = pf_msg_new();
	size_t i, nlen, vlen, hlen;
	const char *h = "Subject: ";

	ck_assert_int_eq(pf_msg_observe(m, &rec_obs), PF_OK);
	hlen = strlen(h);
	ck_assert_int_eq(pf_msg_raw(m, h, hlen), PF_OK);
	memset(chunk, 'x', sizeof(chunk));
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(pf_msg_raw(m, chunk, sizeof(chunk)), PF_OK);
	ck_assert_int_eq(pf_msg_raw(m, "\n\nbody\n", 7), PF_OK);
	ck_assert_int_eq(pf_msg_end(m, f), PF_OK);
	pf_msg_field_size(m, &nlen, &vlen);
	ck_assert_uint_eq(nlen, 7);
	ck_assert_uint_eq(vlen, 1 + 100 * sizeof(chunk));
	ck_assert(pf_msg_defects(m) & PF_MSG_D_CUT);
	/* kept: at most PF_MSG_FIELD_KEEP bytes of the field */
	ck_assert_uint_le(cur->len, PF_MSG_FIELD_KEEP + 64);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_MSG_SIZE),
	    (int64_t)(hlen + 100 * sizeof(chunk) + 2 + 2 + 6));
	ck_assert_int_eq(pf_fact_getn(f, PF_F_MSG_MALFORMED), 0);
	pf_msg_free(m);
	pf_facts_free(f);
}
END_TEST

/* the milter path: fields one at a time, body chunks split inside CRLF */
/*
 * A body far past the builder's line-end buffer, with bare LFs, CRLFs, a
 * bare CR and a CR/LF pair cut between two chunks: the observers see the
 * same CRLF text whatever the chunk size, and the size counts the CRs
 * the bare LFs gained.
 */
START_TEST(test_long_mixed_body)
{
	static const size_t steps[] = { 1, 7, 4096, 8191, 8192, 8193, 70000 };
	char *in, *want;
	size_t i, k, inlen = 0, wlen = 0, hlen, off, n;
	struct pf_facts *f;
	struct pf_msg *m;

	in = malloc(70000);
	want = malloc(80000);
	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(want);
	inlen = (size_t)sprintf(in, "A: 1\n\n");
	hlen = inlen;
	wlen = (size_t)sprintf(want, "A| 1\nEOH\n");
	for (i = 0; inlen < 60000; i++) {
		const char *line = i % 3 == 0 ? "bare lf line\n" :
		    i % 3 == 1 ? "crlf line\r\n" : "cr\rinside\n";
		const char *out = i % 3 == 0 ? "bare lf line\r\n" :
		    i % 3 == 1 ? "crlf line\r\n" : "cr\rinside\r\n";
		inlen += (size_t)sprintf(in + inlen, "%s", line);
		wlen += (size_t)sprintf(want + wlen, "%s", out);
	}
	for (k = 0; k < PF_NELEM(steps); k++) {
		f = pf_facts_new();
		m = pf_msg_new();
		ck_assert_int_eq(pf_msg_observe(m, &rec_obs), PF_OK);
		for (off = 0; off < inlen; off += n) {
			n = inlen - off < steps[k] ? inlen - off : steps[k];
			ck_assert_int_eq(pf_msg_raw(m, in + off, n), PF_OK);
		}
		ck_assert_int_eq(pf_msg_end(m, f), PF_OK);
		ck_assert_msg(cur->len == wlen && memcmp(cur->p, want, wlen) == 0,
		    "step %zu: body differs (%zu bytes, want %zu)", steps[k],
		    cur->len, wlen);
		ck_assert_int_eq(pf_fact_getn(f, PF_F_MSG_SIZE),
		    (int64_t)(wlen - strlen("A| 1\nEOH\n") + hlen + 2));
		ck_assert_uint_eq(pf_msg_defects(m), 0);
		pf_msg_free(m);
		pf_facts_free(f);
	}
	free(in);
	free(want);
}
END_TEST

START_TEST(test_fields)
{
	struct pf_facts *f = pf_facts_new();
	struct pf_msg *m = pf_msg_new();

	ck_assert_int_eq(pf_msg_observe(m, &rec_obs), PF_OK);
	ck_assert_int_eq(pf_msg_header(m, "Subject", 7, " a\r\n b", 6),
	    PF_OK);
	ck_assert_int_eq(pf_msg_header(m, "To", 2, " a,\n b,\r\n c", 11),
	    PF_OK);
	ck_assert_int_eq(pf_msg_eoh(m), PF_OK);
	ck_assert_int_eq(pf_msg_body(m, "x\r", 2), PF_OK);
	ck_assert_int_eq(pf_msg_body(m, "\ny\n", 3), PF_OK);
	ck_assert_int_eq(pf_msg_end(m, f), PF_OK);
	ck_assert_str_eq(cur->p,
	    "Subject| a\r\n b\nTo| a,\r\n b,\r\n c\nEOH\nx\r\ny\r\n");
	ck_assert_int_eq(pf_fact_getn(f, PF_F_MSG_SIZE), 16 + 17 + 2 + 6);
	ck_assert_int_eq(pf_msg_observe(m, &rec_obs), PF_EINVAL);
	pf_msg_free(m);
	pf_facts_free(f);
}
END_TEST

static const struct env_row {
	const char	*label;
	const char	*in;
	const char	*want;
} env_rows[] = {
	{ "brackets stripped", "<a@b.example>", "a@b.example" },
	{ "bare address kept", "a@b.example", "a@b.example" },
	{ "null sender", "<>", "" },
	{ "one bracket kept", "<a@b", "<a@b" },
};

START_TEST(test_envelope)
{
	struct pf_msg *m = pf_msg_new();
	size_t i;

	ck_assert_int_eq(pf_msg_mail(m, env_rows[_i].in), PF_OK);
	ck_assert_str_eq(pf_msg_mail_get(m), env_rows[_i].want);
	for (i = 0; i < 20; i++)
		ck_assert_int_eq(pf_msg_rcpt(m, env_rows[_i].in), PF_OK);
	ck_assert_uint_eq(pf_msg_rcpt_count(m), 20);
	ck_assert_str_eq(pf_msg_rcpt_get(m, 19), env_rows[_i].want);
	ck_assert_ptr_null(pf_msg_rcpt_get(m, 20));
	ck_assert_int_eq(pf_msg_helo(m, "mx.example"), PF_OK);
	ck_assert_str_eq(pf_msg_helo_get(m), "mx.example");
	pf_msg_free(m);
}
END_TEST

/* one builder reset between every row and the next, each row first
 * abandoned half-way under another envelope: the same output as a new
 * builder, the envelope gone, the observer begun again */
START_TEST(test_reset)
{
	struct pf_facts *f = pf_facts_new();
	struct pf_msg *m = pf_msg_new();
	unsigned begun;
	size_t i, len;

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(pf_msg_observe(m, &rec_obs), PF_OK);
	for (i = 0; i < PF_NELEM(rows); i++) {
		len = row_len(&rows[i]);
		ck_assert_int_eq(pf_msg_helo(m, "old.example"), PF_OK);
		ck_assert_int_eq(pf_msg_mail(m, "<old@old.example>"), PF_OK);
		ck_assert_int_eq(pf_msg_rcpt(m, "<r@old.example>"), PF_OK);
		pf_msg_smtputf8(m, 1);
		ck_assert_int_eq(pf_msg_raw(m, rows[i].in, len / 2), PF_OK);
		begun = nbegin;
		ck_assert_int_eq(pf_msg_reset(m), PF_OK);
		ck_assert_uint_eq(nbegin, begun + 1);	/* begun again */
		ck_assert_ptr_null(pf_msg_helo_get(m));
		ck_assert_ptr_null(pf_msg_mail_get(m));
		ck_assert_uint_eq(pf_msg_rcpt_count(m), 0);
		ck_assert_int_eq(pf_msg_smtputf8_get(m), 0);
		ck_assert_uint_eq(pf_msg_defects(m), 0);
		ck_assert_uint_eq(pf_msg_seen(m), 0);
		ck_assert_int_eq(pf_msg_raw(m, rows[i].in, len), PF_OK);
		ck_assert_int_eq(pf_msg_end(m, f), PF_OK);
		check_rec(&rows[i], m, f, cur, pf_msg_defects(m), "reset");
		pf_facts_reset(f);
		ck_assert_int_eq(pf_msg_reset(m), PF_OK);
	}
	pf_msg_free(m);
	pf_facts_free(f);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("msg");
	TCase *tc = pf_test_case(s, "msg");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_whole, 0, PF_NELEM(rows));
	tcase_add_loop_test(tc, test_bytewise, 0, PF_NELEM(rows));
	tcase_add_loop_test(tc, test_every_cut, 0, PF_NELEM(rows));
	tcase_add_test(tc, test_huge_line);
	tcase_add_test(tc, test_long_mixed_body);
	tcase_add_test(tc, test_fields);
	tcase_add_test(tc, test_reset);
	tcase_add_loop_test(tc, test_envelope, 0, PF_NELEM(env_rows));
	return pf_test_run(s);
}
