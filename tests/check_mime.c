/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_mime.c - the MIME walk and blocked attachment types, with real
 * archives built by libarchive at test time (zip, zip in zip, tar.gz, 7z,
 * gzip, encrypted zip, a bomb), fed through the message builder.
 */
#include <archive.h>
#include <gmime/gmime.h>
#include <archive_entry.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/pf.h"
#include "base/facts.h"
#include "base/msg.h"
#include "message/blocked.h"
#include "message/content.h"
#include "message/mimeparam.h"
#include "lib/pftest.h"

struct buf {
	char	*p;
	size_t	 len, cap;
};

static void
add(struct buf *b, const void *p, size_t len)
{
	if (b->len + len + 1 > b->cap) {
		b->cap = (b->len + len + 1) * 2;
		b->p = realloc(b->p, b->cap);
		ck_assert_ptr_nonnull(b->p);
	}
	memcpy(b->p + b->len, p, len);
	b->len += len;
	b->p[b->len] = '\0';
}

static void
adds(struct buf *b, const char *s)
{
	add(b, s, strlen(s));
}

/* b64 - base64 in 76-column lines */
static void
b64(struct buf *out, const unsigned char *p, size_t len)
{
	static const char t[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, col = 0;
	char q[4];

	for (i = 0; i < len; i += 3) {
		unsigned v = p[i] << 16 | (i + 1 < len ? p[i + 1] << 8 : 0) |
		    (i + 2 < len ? p[i + 2] : 0);
		q[0] = t[v >> 18 & 63];
		q[1] = t[v >> 12 & 63];
		q[2] = i + 1 < len ? t[v >> 6 & 63] : '=';
		q[3] = i + 2 < len ? t[v & 63] : '=';
		add(out, q, 4);
		if ((col += 4) >= 76) {
			adds(out, "\n");
			col = 0;
		}
	}
	adds(out, "\n");
}

/* an archive member */
struct ent {
	const char		*name;
	const unsigned char	*data;
	size_t			 len;
};

enum fmt { F_ZIP, F_ZIPENC, F_TGZ, F_TAR, F_7Z, F_GZ };

/* mkarc - an archive in memory with libarchive's writer */
static void
mkarc(struct buf *out, enum fmt f, const struct ent *e, size_t n)
{
	struct archive *a = archive_write_new();
	struct archive_entry *ae;
	size_t cap = 64 << 20, used = 0, i;

	out->p = malloc(cap);
	ck_assert_ptr_nonnull(out->p);
	switch (f) {
	case F_ZIP:
		archive_write_set_format_zip(a);
		break;
	case F_ZIPENC:
		archive_write_set_format_zip(a);
		ck_assert_int_eq(archive_write_set_options(a,
		    "zip:encryption=zipcrypt"), ARCHIVE_OK);
		ck_assert_int_eq(archive_write_set_passphrase(a, "secret"),
		    ARCHIVE_OK);
		break;
	case F_TGZ:
		archive_write_set_format_pax_restricted(a);
		archive_write_add_filter_gzip(a);
		break;
	case F_TAR:
		archive_write_set_format_pax_restricted(a);
		break;
	case F_7Z:
		archive_write_set_format_7zip(a);
		break;
	case F_GZ:
		archive_write_set_format_raw(a);
		archive_write_add_filter_gzip(a);
		break;
	}
	ck_assert_int_eq(archive_write_open_memory(a, out->p, cap, &used),
	    ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		ae = archive_entry_new();
		archive_entry_set_pathname(ae, e[i].name);
		archive_entry_set_size(ae, (la_int64_t)e[i].len);
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_perm(ae, 0644);
		ck_assert_int_eq(archive_write_header(a, ae), ARCHIVE_OK);
		ck_assert(archive_write_data(a, e[i].data, e[i].len) ==
		    (la_ssize_t)e[i].len);
		archive_entry_free(ae);
	}
	ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	out->len = used;
}

/* a minimal PE file: DOS header, e_lfanew = 0x40, the PE signature */
static const unsigned char mz[] =
    "MZ\x90\0\3\0\0\0\4\0\0\0\xff\xff\0\0"
    "\xb8\0\0\0\0\0\0\0\x40\0\0\0\0\0\0\0"
    "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
    "\0\0\0\0\0\0\0\0\0\0\0\0\x40\0\0\0"
    "PE\0\0\x4c\x01\x01\0";
static const unsigned char txt[] = "just some text\n";

/* message - multipart/mixed with a text part and one attachment */
static void
message(struct buf *m, const char *ctype, const char *extra,
    const unsigned char *data, size_t len)
{
	adds(m, "From: a@example.com\nSubject: t\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"=_b\"\n\n"
	    "preamble\n--=_b\nContent-Type: text/plain\n\nhello\n--=_b\n");
	adds(m, "Content-Type: ");
	adds(m, ctype);
	adds(m, "\nContent-Transfer-Encoding: base64\n");
	adds(m, extra);
	adds(m, "\n");
	b64(m, data, len);
	adds(m, "--=_b--\nepilogue\n");
}

/* run - the message through the builder with every content observer */
static struct pf_facts *
run(const char *p, size_t len, size_t chunk)
{
	struct pf_facts *f = pf_facts_new();
	struct pf_msg *m = pf_msg_new();
	const struct pf_observer *const *obs;
	size_t n, i, off;

	obs = pf_content_observers(&n);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(pf_msg_observe(m, obs[i]), PF_OK);
	for (off = 0; off < len; off += chunk)
		ck_assert_int_eq(pf_msg_raw(m, p + off,
		    len - off < chunk ? len - off : chunk), PF_OK);
	ck_assert_int_eq(pf_msg_end(m, f), PF_OK);
	pf_msg_free(m);
	return f;
}

static void
want(struct pf_facts *f, const char *label, int64_t attach, int64_t blocked,
    const char *bname, const char *bwhy_part)
{
	ck_assert_msg(pf_fact_getn(f, PF_F_MIME_ATTACH_COUNT) == attach,
	    "%s: attachments %lld", label,
	    (long long)pf_fact_getn(f, PF_F_MIME_ATTACH_COUNT));
	ck_assert_msg(pf_fact_getn(f, PF_F_MIME_BLOCKED_COUNT) == blocked,
	    "%s: blocked %lld (%s: %s)", label,
	    (long long)pf_fact_getn(f, PF_F_MIME_BLOCKED_COUNT),
	    pf_fact_gets(f, PF_F_MIME_BLOCKED_NAME),
	    pf_fact_gets(f, PF_F_MIME_BLOCKED_WHY));
	ck_assert_msg(strcmp(pf_fact_gets(f, PF_F_MIME_BLOCKED_NAME), bname) ==
	    0, "%s: name [%s]", label,
	    pf_fact_gets(f, PF_F_MIME_BLOCKED_NAME));
	ck_assert_msg(strstr(pf_fact_gets(f, PF_F_MIME_BLOCKED_WHY),
	    bwhy_part) != NULL, "%s: why [%s]", label,
	    pf_fact_gets(f, PF_F_MIME_BLOCKED_WHY));
}

/* rows: one attachment, named, with content built per kind */
enum kind { K_TEXT, K_MZ, K_MZTEXT, K_ZIP_TXT, K_ZIP_JS, K_ZIPZIP_EXE, K_TGZ_VBS,
    K_GZ_MZ, K_DEEP_ZIP, K_ENC_ZIP_ZIP, K_ENC_ZIP_TXT, K_7Z_EXE, K_BIG_ZIP_JS,
    K_BOMB, K_MZ_FAR, K_TAR_VBS };

static const struct row {
	const char	*label;
	enum kind	 kind;
	const char	*ctype;
	const char	*extra;
	int64_t		 blocked;
	const char	*bname;
	const char	*bwhy;
	int64_t		 param_ew;
	int		 limited;
} rows[] = {
	{ "text attachment", K_TEXT, "text/plain",
	  "Content-Disposition: attachment; filename=\"notes.txt\"\n",
	  0, "", "", 0, 0 },
	{ "exe by name", K_TEXT, "application/octet-stream",
	  "Content-Disposition: attachment; filename=\"run.exe\"\n",
	  1, "run.exe", "blocked file type .exe", 0, 0 },
	{ "upper case, trailing dot", K_TEXT, "application/octet-stream",
	  "Content-Disposition: attachment; filename=\"RUN.EXE.\"\n",
	  1, "RUN.EXE.", ".exe", 0, 0 },
	{ "name on Content-Type only", K_TEXT,
	  "application/octet-stream; name=\"tool.scr\"", "",
	  1, "tool.scr", ".scr", 0, 0 },
	{ "mjs", K_TEXT, "text/javascript",
	  "Content-Disposition: attachment; filename=a.mjs\n",
	  1, "a.mjs", ".mjs", 0, 0 },
	{ "diagpack spelling", K_TEXT, "application/octet-stream",
	  "Content-Disposition: attachment; filename=x.diagpack\n",
	  1, "x.diagpack", ".diagpack", 0, 0 },
	{ "compressed form", K_TEXT, "application/gzip",
	  "Content-Disposition: attachment; filename=setup.exe.gz\n",
	  1, "setup.exe.gz", ".exe", 0, 0 },
	{ "RFC 2231 continuation", K_TEXT, "application/octet-stream",
	  "Content-Disposition: attachment;\n"
	  " filename*0*=UTF-8''%E2%82%AC%20invoice%20;\n"
	  " filename*1*=2026.pdf%2Eexe\n",
	  1, "\xe2\x82\xac invoice 2026.pdf.exe", ".exe", 0, 0 },
	{ "RFC 2047 name", K_TEXT, "application/octet-stream",
	  "Content-Disposition: attachment;\n"
	  " filename=\"=?UTF-8?B?w6ljaGFudGlsbG9uLnNjcg==?=\"\n",
	  1, "\xc3\xa9" "chantillon.scr", ".scr", 1, 0 },
	{ "MZ text is no executable", K_MZTEXT, "text/csv",
	  "Content-Disposition: attachment; filename=codes.csv\n",
	  0, "", "", 0, 0 },
	{ "exe by name and by content counts once", K_MZ,
	  "application/octet-stream",
	  "Content-Disposition: attachment; filename=\"setup.exe\"\n",
	  1, "setup.exe", "blocked file type .exe", 0, 0 },
	{ "pdf that is an executable", K_MZ, "application/pdf",
	  "Content-Disposition: attachment; filename=invoice.pdf\n",
	  1, "invoice.pdf", "Windows executable", 0, 0 },
	{ "PE header far into the file", K_MZ_FAR, "application/pdf",
	  "Content-Disposition: attachment; filename=report.pdf\n",
	  1, "report.pdf", "Windows executable", 0, 0 },
	{ "tar by its content, innocent name", K_TAR_VBS,
	  "application/octet-stream",
	  "Content-Disposition: attachment; filename=data.bin\n",
	  1, "data.bin/run.vbs", ".vbs", 0, 0 },
	{ "zip of text", K_ZIP_TXT, "application/zip",
	  "Content-Disposition: attachment; filename=docs.zip\n",
	  0, "", "", 0, 0 },
	{ "zip with js", K_ZIP_JS, "application/zip",
	  "Content-Disposition: attachment; filename=docs.zip\n",
	  1, "docs.zip/dir/evil.js", ".js inside an archive", 0, 0 },
	{ "zip in zip with exe", K_ZIPZIP_EXE, "application/zip",
	  "Content-Disposition: attachment; filename=outer.zip\n",
	  1, "outer.zip/inner.zip/a.exe", ".exe inside", 0, 0 },
	{ "tgz with vbs", K_TGZ_VBS, "application/gzip",
	  "Content-Disposition: attachment; filename=b.tgz\n",
	  1, "b.tgz/run.vbs", ".vbs", 0, 0 },
	{ "gz of an executable, innocent name", K_GZ_MZ, "application/gzip",
	  "Content-Disposition: attachment; filename=data.gz\n",
	  1, "data.gz/data", "Windows executable", 0, 0 },
	{ "zips nested past the depth cap", K_DEEP_ZIP, "application/zip",
	  "Content-Disposition: attachment; filename=deep.zip\n",
	  0, "", "", 0, 1 },
	{ "encrypted zip with a zip", K_ENC_ZIP_ZIP, "application/zip",
	  "Content-Disposition: attachment; filename=locked.zip\n",
	  1, "locked.zip/inner.zip", "encrypted archive", 0, 0 },
	{ "encrypted zip with text", K_ENC_ZIP_TXT, "application/zip",
	  "Content-Disposition: attachment; filename=locked.zip\n",
	  0, "", "", 0, 0 },
	{ "7z with exe", K_7Z_EXE, "application/x-7z-compressed",
	  "Content-Disposition: attachment; filename=a.7z\n",
	  1, "a.7z/setup.exe", ".exe", 0, 0 },
	{ "zip spooled to a file", K_BIG_ZIP_JS, "application/zip",
	  "Content-Disposition: attachment; filename=big.zip\n",
	  1, "big.zip/z.js", ".js", 0, 0 },
	{ "bomb", K_BOMB, "application/zip",
	  "Content-Disposition: attachment; filename=bomb.zip\n",
	  0, "", "", 0, 1 },
};

/* content - the attachment bytes for a kind */
static void
content(struct buf *c, enum kind k)
{
	struct buf inner = { 0 };
	struct ent e[3];
	unsigned char *big;
	size_t i, n;
	unsigned x = 12345;

	memset(c, 0, sizeof(*c));
	switch (k) {
	case K_TEXT:
		add(c, txt, sizeof(txt) - 1);
		break;
	case K_MZ:
		add(c, mz, sizeof(mz));
		break;
	case K_MZ_FAR:
		/* e_lfanew 0xf00: the PE signature near the end of the
		 * 4 KB looked at */
		big = calloc(1, 0x1000);
		memcpy(big, mz, 0x40);
		big[0x3c] = 0x00;
		big[0x3d] = 0x0f;
		memcpy(big + 0xf00, "PE\0\0", 4);
		add(c, big, 0x1000);
		free(big);
		break;
	case K_TAR_VBS:
		e[0] = (struct ent){ "run.vbs", txt, sizeof(txt) - 1 };
		mkarc(c, F_TAR, e, 1);
		break;
	case K_MZTEXT:
		for (i = 0; i < 20; i++)
			adds(c, "MZ,1000,Maputo,Mozambique,0x40,PE\n");
		break;
	case K_ZIP_TXT:
		e[0] = (struct ent){ "a.txt", txt, sizeof(txt) - 1 };
		mkarc(c, F_ZIP, e, 1);
		break;
	case K_ZIP_JS:
		e[0] = (struct ent){ "a.txt", txt, sizeof(txt) - 1 };
		e[1] = (struct ent){ "dir/evil.js", txt, sizeof(txt) - 1 };
		mkarc(c, F_ZIP, e, 2);
		break;
	case K_ZIPZIP_EXE:
		e[0] = (struct ent){ "a.exe", mz, sizeof(mz) };
		mkarc(&inner, F_ZIP, e, 1);
		e[0] = (struct ent){ "inner.zip",
		    (unsigned char *)inner.p, inner.len };
		mkarc(c, F_ZIP, e, 1);
		break;
	case K_TGZ_VBS:
		e[0] = (struct ent){ "run.vbs", txt, sizeof(txt) - 1 };
		mkarc(c, F_TGZ, e, 1);
		break;
	case K_GZ_MZ:
		e[0] = (struct ent){ "data", mz, sizeof(mz) };
		mkarc(c, F_GZ, e, 1);
		break;
	case K_DEEP_ZIP:
		/* x.exe inside 6 zips: deeper than PF_BLOCKED_DEPTH */
		e[0] = (struct ent){ "x.exe", mz, sizeof(mz) };
		mkarc(c, F_ZIP, e, 1);
		for (i = 0; i < 5; i++) {
			e[0] = (struct ent){ "in.zip", (unsigned char *)c->p,
			    c->len };
			mkarc(&inner, F_ZIP, e, 1);
			free(c->p);
			*c = inner;
			memset(&inner, 0, sizeof(inner));
		}
		break;
	case K_ENC_ZIP_ZIP:
		e[0] = (struct ent){ "a.txt", txt, sizeof(txt) - 1 };
		mkarc(&inner, F_ZIP, e, 1);
		e[0] = (struct ent){ "inner.zip",
		    (unsigned char *)inner.p, inner.len };
		mkarc(c, F_ZIPENC, e, 1);
		break;
	case K_ENC_ZIP_TXT:
		e[0] = (struct ent){ "a.txt", txt, sizeof(txt) - 1 };
		mkarc(c, F_ZIPENC, e, 1);
		break;
	case K_7Z_EXE:
		e[0] = (struct ent){ "setup.exe", txt, sizeof(txt) - 1 };
		mkarc(c, F_7Z, e, 1);
		break;
	case K_BIG_ZIP_JS:
		/* just past the 1 MB mime.c holds in memory (SPOOL_MEM), so
		 * the archive is spooled to a file: noise that does not
		 * compress, then the blocked member */
		n = (1 << 20) + (64 << 10);
		big = malloc(n);
		for (i = 0; i < n; i++)
			big[i] = (unsigned char)((x = x * 1103515245 + 12345) >>
			    16);
		e[0] = (struct ent){ "noise.bin", big, n };
		e[1] = (struct ent){ "z.js", txt, sizeof(txt) - 1 };
		mkarc(c, F_ZIP, e, 2);
		free(big);
		break;
	case K_BOMB:
		/* zeros just past what one nested archive may inflate to */
		n = PF_BLOCKED_ENTRY_MAX + (1 << 20);
		big = calloc(1, n);
		e[0] = (struct ent){ "zeros.zip", big, n };
		mkarc(c, F_ZIP, e, 1);
		free(big);
		break;
	}
	free(inner.p);
}

START_TEST(test_rows)
{
	const struct row *r = &rows[_i];
	struct buf c, m = { 0 };
	struct pf_facts *f;

	content(&c, r->kind);
	message(&m, r->ctype, r->extra, (unsigned char *)c.p, c.len);
	f = run(m.p, m.len, 65536);
	want(f, r->label, 1, r->blocked, r->bname, r->bwhy);
	ck_assert_msg(pf_fact_getn(f, PF_F_MIME_PARAM_EW_COUNT) ==
	    r->param_ew, "%s: param ew", r->label);
	ck_assert_msg(pf_fact_getn(f, PF_F_MIME_ARCHIVE_LIMITED) == r->limited,
	    "%s: limited", r->label);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_MIME_DEPTH), 1);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_MSG_MALFORMED), 0);
	pf_facts_free(f);
	/* the same message fed in odd-sized chunks */
	f = run(m.p, m.len, 7);
	want(f, r->label, 1, r->blocked, r->bname, r->bwhy);
	pf_facts_free(f);
	free(c.p);
	free(m.p);
}
END_TEST

/* message/rfc822 inside multipart, with its own blocked attachment */
START_TEST(test_rfc822)
{
	struct buf m = { 0 };
	struct pf_facts *f;

	adds(&m, "From: a@example.com\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=outer\n\n"
	    "--outer\nContent-Type: message/rfc822\n\n"
	    "From: b@example.com\nSubject: fwd\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=inner\n\n"
	    "--inner\nContent-Type: text/plain\n\nhi\n"
	    "--inner\nContent-Type: application/x-msdownload; name=x.bat\n\n"
	    "echo\n--inner--\n--outer--\n");
	f = run(m.p, m.len, 65536);
	want(f, "rfc822", 1, 1, "x.bat", ".bat");
	ck_assert_int_eq(pf_fact_getn(f, PF_F_MIME_DEPTH), 3);
	pf_facts_free(f);
	free(m.p);
}
END_TEST

/* 10,000 nested multiparts: bounded, no recursion, reported */
START_TEST(test_deep)
{
	struct buf m = { 0 };
	struct pf_facts *f;
	char line[128];
	int i;

	adds(&m, "From: a@example.com\nMIME-Version: 1.0\n");
	for (i = 0; i < 10000; i++) {
		snprintf(line, sizeof(line), "Content-Type: multipart/mixed; "
		    "boundary=b%d\n\n--b%d\n", i, i);
		adds(&m, line);
	}
	adds(&m, "Content-Type: text/plain\n\nx\n");
	f = run(m.p, m.len, 4096);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_MSG_MALFORMED), 1);
	ck_assert_int_le(pf_fact_getn(f, PF_F_MIME_DEPTH), 64);
	pf_facts_free(f);
	free(m.p);
}
END_TEST

/* attachment count: 501 named parts */
START_TEST(test_many)
{
	struct buf m = { 0 };
	struct pf_facts *f;
	char line[128];
	int i;

	adds(&m, "From: a@example.com\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=b\n\n");
	for (i = 0; i < 501; i++) {
		snprintf(line, sizeof(line), "--b\nContent-Type: text/plain; "
		    "name=f%d.txt\n\nx\n", i);
		adds(&m, line);
	}
	adds(&m, "--b--\n");
	f = run(m.p, m.len, 65536);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_MIME_ATTACH_COUNT), 501);
	ck_assert_int_eq(pf_fact_getn(f, PF_F_MIME_BLOCKED_COUNT), 0);
	pf_facts_free(f);
	free(m.p);
}
END_TEST

/* a plain message: nothing, and every mime fact set */
START_TEST(test_plain)
{
	static const char msg[] = "From: a@example.com\nSubject: x\n\n"
	    "MZ is how this line starts, in plain text\n";
	struct pf_facts *f = run(msg, sizeof(msg) - 1, 65536);

	want(f, "plain", 0, 0, "", "");
	ck_assert_int_eq(pf_fact_getn(f, PF_F_MIME_DEPTH), 0);
	ck_assert(pf_fact_known(f, PF_F_MIME_ARCHIVE_LIMITED));
	pf_facts_free(f);
}
END_TEST

/* NUL bytes in a part's fields read as spaces, wherever they are */
START_TEST(test_nul_fields)
{
	static const char msg[] = "From: a@example.com\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
	    "Content-Type: application/octet-stream; name=\"\0a\0\0b.exe\"\n"
	    "\nbody\n--b\nContent-Type: text/plain\n"
	    "Content-Disposition: attachment; filename=\"c\0.scr\0\"\n"
	    "\ntext\n--b--\n";
	struct pf_facts *f = run(msg, sizeof(msg) - 1, 65536);

	want(f, "NUL in fields", 2, 2, " a  b.exe", ".exe");
	pf_facts_free(f);
}
END_TEST

/* lines that cannot be delimiters are passed over once a part is judged
 * (or in a preamble and epilogue): the same facts whatever the chunks */
START_TEST(test_skip)
{
	static const size_t chunks[] = { 1, 2, 3, 7, 100, 65536 };
	struct buf m = { 0 };
	struct pf_facts *f;
	char pad[700];
	size_t i;

	adds(&m, "From: a@example.com\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=b\n\n"
	    "preamble - with a dash\n-b not a delimiter\n"
	    "--b\nContent-Type: text/plain\n\n"
	    "text - with - dashes\n- a dash first\n--bb another boundary\n"
	    "a--b\n\nmore text\n");
	/* a delimiter but for its length (padding is allowed after one) */
	memset(pad, ' ', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	adds(&m, "--b");
	adds(&m, pad);
	adds(&m, "\n--b\nContent-Type: application/pdf\n"
	    "Content-Transfer-Encoding: base64\n\n");
	for (i = 0; i < 100; i++)	/* 5,700 bytes of 'A' */
		adds(&m, "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU"
		    "FBQUFBQUFBQUFBQUFB\n");
	adds(&m, "--b\nContent-Type: application/octet-stream\n"
	    "Content-Transfer-Encoding: base64\n\n"
	    "f0VMRgIBAQAAAAAAAAAAAA==\n"
	    "--b--\nepilogue - x\n--b\n");
	for (i = 0; i < PF_NELEM(chunks); i++) {
		f = run(m.p, m.len, chunks[i]);
		want(f, "skip", 0, 1, "(part 3)", "found by its content");
		ck_assert_int_eq(pf_fact_getn(f, PF_F_MIME_DEPTH), 1);
		ck_assert_int_eq(pf_fact_getn(f, PF_F_MSG_MALFORMED), 0);
		pf_facts_free(f);
	}
	free(m.p);
}
END_TEST

/* file names: the extension after the last dot, compressed forms,
 * archives, and what is not one */
static const struct {
	const char	*name;
	const char	*blocked;	/* NULL: not */
	int		 archive;
} names[] = {
	{ "a.exe", "exe", 0 }, { "A.EXE", "exe", 0 }, { "x.exe.", "exe", 0 },
	{ "x.exe . .", "exe", 0 }, { ".exe", NULL, 0 }, { "dir/.exe", NULL, 0 },
	{ "dir\\.exe", NULL, 0 }, { "d/x.exe", "exe", 0 },
	{ "x.ex_", "ex_", 0 }, { "x.ex", "ex", 0 }, { "x.exee", NULL, 0 },
	{ "x.xexe", NULL, 0 }, { "exe", NULL, 0 }, { "x.", NULL, 0 },
	{ "", NULL, 0 }, { ".", NULL, 0 }, { "x.pdf", NULL, 0 },
	{ "setup.exe.gz", "exe", 1 }, { "s.EXE.GZ.bz2", "exe", 1 },
	{ "s.exe.gz.bz2.xz", NULL, 1 }, { "a.tar.gz", NULL, 1 },
	{ "a.TGZ", NULL, 1 }, { "a.7z", NULL, 1 }, { "a.7Z", NULL, 1 },
	{ "x.appxbundle", "appxbundle", 0 }, { "x.appx", "appx", 0 },
	{ "x.js", "js", 0 }, { "x.jse", "jse", 0 }, { "x.mjs", "mjs", 0 },
	{ "x.vb", "vb", 0 }, { "x.vbs", "vbs", 0 }, { "x.zip", NULL, 1 },
	{ "x.gz", NULL, 1 }, { "x.gz.", NULL, 1 }, { "x.z", NULL, 1 },
	{ "x.lzh", NULL, 1 }, { "x.iso", "iso", 1 }, { "x.cab", "cab", 1 },
	{ "x.@xe", NULL, 0 }, { "x.\x05xe", NULL, 0 }, { "x.Exe", "exe", 0 },
};

START_TEST(test_names)
{
	const char *b;
	size_t i;

	for (i = 0; i < PF_NELEM(names); i++) {
		b = pf_blocked_name_blocked(names[i].name);
		ck_assert_msg(names[i].blocked == NULL ? b == NULL :
		    b != NULL && strcmp(b, names[i].blocked) == 0,
		    "[%s]: %s", names[i].name, b != NULL ? b : "(none)");
		ck_assert_msg(pf_blocked_name_is_archive(names[i].name) ==
		    names[i].archive, "[%s]: archive", names[i].name);
	}
}
END_TEST

/* starts of content the magic checks know, and some they do not */
static const struct {
	const char	*p;
	size_t		 n;
	size_t		 at;	/* where it goes */
} starts[] = {
	{ "MZ", 2, 0 }, { "\177ELF", 4, 0 }, { "\xfe\xed\xfa\xcf", 4, 0 },
	{ "\xca\xfe\xba\xbe\0\0\0\2", 8, 0 },
	{ "L\0\0\0\001\024\002\0", 8, 0 }, { "MSCF", 4, 0 },
	{ "PK\003\004", 4, 0 }, { "\x1f\x8b", 2, 0 }, { "BZh", 3, 0 },
	{ "\xfd" "7zXZ\0", 6, 0 }, { "Rar!\032\007", 6, 0 },
	{ "7z\xbc\xaf\x27\x1c", 6, 0 }, { "ustar", 5, 257 },
	{ "%PDF-1.4", 8, 0 }, { "", 0, 0 },
};

/* magic_same - the answers on the first len and len + 1 bytes */
static int
magic_same(const unsigned char *p, size_t len)
{
	const char *a = pf_blocked_magic_exec(p, len),
	    *b = pf_blocked_magic_exec(p, len + 1);

	return (a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0) &&
	    pf_blocked_magic_archive(p, len) ==
	    pf_blocked_magic_archive(p, len + 1);
}

/* the MIME walk judges a part as soon as pf_blocked_magic_decided says
 * so, not after 4 KB: once decided, a byte more must change neither the
 * answers nor the decision (so, by induction, no longer start does) */
START_TEST(test_magic_decided)
{
	static const size_t pes[] = { 0x40, 0x100, 0x105, 0x800, 0xffc,
	    0xffd, 0x2000 };
	unsigned char *p = malloc(4097);
	unsigned x = 7;
	size_t i, j, k, len, pe;
	int fill, decided;

	ck_assert_ptr_nonnull(p);
	for (k = 0; k < PF_NELEM(starts); k++)
		for (fill = 0; fill < 3; fill++)
			for (j = 0; j < PF_NELEM(pes); j++) {
				pe = pes[j];
				for (i = 0; i < 4097; i++)
					p[i] = fill == 0 ? 0 : fill == 1 ?
					    'A' : (unsigned char)((x = x *
					    1103515245 + 12345) >> 16);
				memcpy(p + starts[k].at, starts[k].p,
				    starts[k].n);
				/* an MZ start's PE header, near or far */
				p[0x3c] = (unsigned char)pe;
				p[0x3d] = (unsigned char)(pe >> 8);
				p[0x3e] = p[0x3f] = 0;
				if (pe + 4 <= 4096)
					memcpy(p + pe, "PE\0\0", 4);
				decided = 0;
				for (len = 0; len < 4096; len++) {
					if (!pf_blocked_magic_decided(p, len)) {
						ck_assert_msg(!decided,
						    "start %zu: undecided "
						    "again at %zu", k, len);
						continue;
					}
					decided = 1;
					ck_assert_msg(magic_same(p, len),
					    "start %zu fill %d pe %zu: "
					    "decided at %zu, changed at %zu",
					    k, fill, pe, len, len + 1);
				}
				/* all but an MZ start decide early */
				ck_assert_msg(pf_blocked_magic_decided(p,
				    262) == (k != 0), "start %zu", k);
			}
	free(p);
}
END_TEST

/* values the fast reader must read the way GMime reads them, or leave
 * to GMime */
static const char *const mp_values[] = {
	"text/plain", " text/plain; charset=utf-8", "TEXT/HTML;CHARSET=\"x\"",
	"multipart/mixed; boundary=\"--=_b 1\"", "multipart/alternative;\r\n"
	"\tboundary=abc", "multipart/mixed; boundary=", "multipart/mixed;",
	"multipart/mixed; boundary=\"unterminated", "a/b junk; name=x.exe",
	"a/b; ; name=x", "a/b; foo; name=x", "a/b; =x; name=y",
	"a/b; name=\"q\" junk; boundary=z", "a/b; name = spaced value ; x=1",
	"a/b; NAME=first; name=second", "/plain; name=a", "text", "text/",
	"", "  ", "a/b; name=\"\"", "a/b; name=;boundary=q",
	"attachment", " Attachment ; filename=\"a b.exe\"", "inline;",
	"attachment; filename=x.zip; filename=y.zip", "attachment;;filename=z",
	"a/b; name*=UTF-8''x.exe", "a/b; name=\"=?UTF-8?B?eC5leGU=?=\"",
	"a/b (comment); name=x", "a/b; name=\"a\\\"b\"", "a/b; name=caf\xc3\xa9",
	"a/b; name=x\x01y", "a/b;\tname=\tx\t;\tboundary=\t\"y\"\t",
};

/* mp_same - a piece read here equals GMime's string */
static void
mp_same(const struct pf_mp_str *x, const char *g, const char *what,
    const char *v)
{
	ck_assert_msg((x->p == NULL) == (g == NULL), "%s of [%s]: present",
	    what, v);
	if (g != NULL)
		ck_assert_msg(x->n == strlen(g) && memcmp(x->p, g, x->n) == 0,
		    "%s of [%s]: [%.*s], GMime [%s]", what, v, (int)x->n,
		    x->p, g);
}

/* mp_agree - the fast reader agrees with GMime on v (both ways); 1 when
 * it read v itself */
static int
mp_agree(const char *v)
{
	static const char *const ctw[PF_MP_WANT] = { "boundary", "name" };
	static const char *const cdw[PF_MP_WANT] = { "filename", "name" };
	GMimeContentType *ct;
	GMimeContentDisposition *cd;
	struct pf_mp mp;
	int fast = 0;

	pf_content_gmime();
	if (pf_mp_fast_ctype(&mp, v, ctw)) {
		fast = 1;
		ct = g_mime_content_type_parse(NULL, v);
		mp_same(&mp.type, g_mime_content_type_get_media_type(ct),
		    "type", v);
		mp_same(&mp.subtype, g_mime_content_type_get_media_subtype(ct),
		    "subtype", v);
		mp_same(&mp.param[0], g_mime_content_type_get_parameter(ct,
		    "boundary"), "boundary", v);
		mp_same(&mp.param[1], g_mime_content_type_get_parameter(ct,
		    "name"), "name", v);
		g_object_unref(ct);
	}
	if (pf_mp_fast_disposition(&mp, v, cdw)) {
		cd = g_mime_content_disposition_parse(NULL, v);
		mp_same(&mp.type, g_mime_content_disposition_get_disposition(cd),
		    "disposition", v);
		mp_same(&mp.param[0], g_mime_content_disposition_get_parameter(
		    cd, "filename"), "filename", v);
		mp_same(&mp.param[1], g_mime_content_disposition_get_parameter(
		    cd, "name"), "name", v);
		g_object_unref(cd);
	}
	return fast;
}

START_TEST(test_param_table)
{
	size_t i;
	int fast = 0;

	for (i = 0; i < PF_NELEM(mp_values); i++)
		fast += mp_agree(mp_values[i]);
	/* the plain ones are read without GMime */
	ck_assert_int_ge(fast, 15);
	ck_assert(mp_agree("text/plain; charset=utf-8"));
	ck_assert(!mp_agree("a/b; name*=UTF-8''x.exe"));
	ck_assert(!mp_agree("a/b; name=\"=?UTF-8?B?eC5leGU=?=\""));
}
END_TEST

/* every byte in every place of a value: type, subtype, parameter name,
 * plain and quoted value, after '=' */
START_TEST(test_param_bytes)
{
	static const char *const forms[] = {
	    "te%cxt/plain; name=a", "text/pl%cain; name=a",
	    "a/b; na%cme=x; boundary=y", "a/b; name=x%cy; boundary=z",
	    "a/b; name=\"x%cy\"; boundary=z", "a/b; name=%c?x",
	    "attach%cment; filename=q", "%c" };
	char v[64];
	size_t i;
	int c, fast = 0;

	for (c = 1; c < 256; c++)
		for (i = 0; i < PF_NELEM(forms); i++) {
			snprintf(v, sizeof(v), forms[i], c);
			fast += mp_agree(v);
		}
	ck_assert_int_gt(fast, 500);
}
END_TEST

/* mp_field - one Content-Type or -Disposition value, unfolded as the
 * MIME walk keeps it (continuation lines joined without their line ends);
 * 1 when read fast */
static int
mp_field(const char *v, size_t n)
{
	(void)n;
	return mp_agree(v);
}

/* the corpus's own values, in every header block: the same result either
 * way */
START_TEST(test_param_corpus)
{
	static const char *const dirs[] = { "real", NULL };
	static const char *const names[] = { "Content-Type",
	    "Content-Disposition", NULL };

	ck_assert_int_gt(pf_test_corpus_fields(dirs, names, 1, "", mp_field),
	    300);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mime");
	TCase *tc = pf_test_case(s, "mime");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_rows, 0, PF_NELEM(rows));
	tcase_add_test(tc, test_rfc822);
	tcase_add_test(tc, test_deep);
	tcase_add_test(tc, test_many);
	tcase_add_test(tc, test_plain);
	tcase_add_test(tc, test_skip);
	tcase_add_test(tc, test_nul_fields);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_magic_decided);
	tcase_add_test(tc, test_param_table);
	tcase_add_test(tc, test_param_bytes);
	tcase_add_test(tc, test_param_corpus);
	return pf_test_run(s);
}
