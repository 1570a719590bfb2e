/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hdr.c - the header observer.  It measures the top-level header block as
 * the builder streams it, one field at a time, and sets the hdr.*, from.*
 * and msgid.* facts at the end.  Sizes are raw bytes as sent: the field
 * name, the colon, the value with its folding, and CRLF (see
 * docs/content.md).  Fields may be cut by the builder (over 1 MB); sizes
 * then come from the builder's exact counts and the parsers see the start.
 * Values are untrusted; every copy kept here is bounded.
 */
#include <glib.h>
#include <gmime/gmime.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/pf.h"
#include "base/facts.h"
#include "base/msg.h"
#include "message/addr.h"
#include "message/date.h"
#include "message/msgid.h"
#include "message/tok822.h"
#include "message/content.h"
#include "message/hdr.h"

#define NAME_KEEP	128
#define MSGID_KEEP	999	/* a Message-ID kept for the state store */

/* a field name with its length, so that matching costs no strlen */
struct fname {
	const char	*s;
	size_t		 len;
};
#define N(s)	{ s, sizeof(s) - 1 }

/* RFC 5322 3.6: the fields that may occur at most once (Gmail's list) */
static const struct fname single[] = {
	N("Date"), N("From"), N("Sender"), N("Reply-To"), N("To"), N("Cc"),
	N("Bcc"), N("Message-ID"), N("In-Reply-To"), N("References"),
	N("Subject")
};

/* RFC 2047 section 5: no encoded-word in these (beyond address parts) */
static const struct fname no_ew[] = {
	N("Received"), N("Date"), N("Message-ID"), N("In-Reply-To"),
	N("References"), N("Resent-Date"), N("Resent-Message-ID")
};

/* address-list fields, parsed for syntax and encoded-words */
static const struct fname addr_fields[] = {
	N("From"), N("Sender"), N("Reply-To"), N("To"), N("Cc"), N("Bcc"),
	N("Resent-From"), N("Resent-Sender"), N("Resent-To"), N("Resent-Cc"),
	N("Resent-Bcc")
};

struct hdr {
	struct pf_msg	*msg;
	int64_t		 count, total, max_value, max_name, subject;
	int64_t		 received, from_count;
	char		 max_value_name[NAME_KEEP];
	unsigned	 seen[PF_NELEM(single)];
	int64_t		 dup_count;
	char		 dup_name[NAME_KEEP];
	int64_t		 malformed;
	char		 malformed_name[NAME_KEEP];
	char		 malformed_why[160];
	int64_t		 ew;
	char		 ew_name[NAME_KEEP];
	int64_t		 raw8;
	char		 raw8_name[NAME_KEEP];
	struct pf_addrlist from;
	int		 have_from;
	int64_t		 msgid_count, msgid_bytes;
	int		 msgid_valid;
	char		 msgid[MSGID_KEEP];	/* trimmed, first bytes */
};

/* keep_msgid - the Message-ID as written (its first MSGID_KEEP - 1
 * bytes; NUL bytes end it) */
static void
keep_msgid(struct hdr *h, const char *p, size_t n)
{
	if (n >= MSGID_KEEP)
		n = MSGID_KEEP - 1;
	memcpy(h->msgid, p, n);
	h->msgid[n] = '\0';
}

/* name_is - field name equal to s, ignoring case */
static int
name_is(const char *n, size_t nlen, const char *s)
{
	return strlen(s) == nlen && strncasecmp(n, s, nlen) == 0;
}

/* name_in - index of the name in a list, or -1 */
static int
name_in(const char *n, size_t nlen, const struct fname *list, size_t cnt)
{
	size_t i;

	/* every name listed starts with a letter: compare the first one
	 * before the rest */
	for (i = 0; i < cnt; i++)
		if (list[i].len == nlen &&
		    (n[0] | 0x20) == (list[i].s[0] | 0x20) &&
		    strncasecmp(n, list[i].s, nlen) == 0)
			return (int)i;
	return -1;
}

/* keep_name - a printable copy of a field name for a fact */
static void
keep_name(char *dst, size_t cap, const char *n, size_t nlen)
{
	size_t i;

	if (nlen >= cap)
		nlen = cap - 1;
	for (i = 0; i < nlen; i++) {
		unsigned char c = n[i];
		dst[i] = c > 0x20 && c < 0x7f ? c : '?';
	}
	dst[nlen] = '\0';
}

/* note - count one finding; remember the first field it was in */
static void
note(int64_t *cnt, char *first, const char *n, size_t nlen)
{
	if ((*cnt)++ == 0)
		keep_name(first, NAME_KEEP, n, nlen);
}

static void
malformed(struct hdr *h, const char *n, size_t nlen, const char *why)
{
	if (h->malformed == 0)
		snprintf(h->malformed_why, sizeof(h->malformed_why), "%s",
		    why);
	note(&h->malformed, h->malformed_name, n, nlen);
}

/* name_ok - RFC 5322 3.6.8: ftext is %d33-57 / %d59-126 */
static int
name_ok(const char *n, size_t nlen)
{
	size_t i;

	if (nlen == 0)
		return 0;
	for (i = 0; i < nlen; i++)
		if ((unsigned char)n[i] < 33 || (unsigned char)n[i] > 126)
			return 0;
	return 1;
}

/* has_8bit - any byte with the high bit set; 32 bytes a step, then
 * eight */
static int
has_8bit(const char *p, size_t len)
{
	const uint64_t high = 0x8080808080808080ULL;
	uint64_t w[4];
	size_t i = 0;

	for (; i + 32 <= len; i += 32) {
		memcpy(w, p + i, 32);
		if ((w[0] | w[1] | w[2] | w[3]) & high)
			return 1;
	}
	for (; i + 8 <= len; i += 8) {
		memcpy(w, p + i, 8);
		if (w[0] & high)
			return 1;
	}
	for (; i < len; i++)
		if ((unsigned char)p[i] >= 0x80)
			return 1;
	return 0;
}

/* addr_field - parse an address field; From also feeds the from.* facts */
static void
addr_field(struct hdr *h, const char *n, size_t nlen, const char *v,
    size_t vlen, int is_from)
{
	struct pf_addrlist al;

	pf_addr_list_parse(v, vlen, &al);
	if (al.ew_addrspec || al.ew_quoted)
		note(&h->ew, h->ew_name, n, nlen);
	/* an empty Bcc is allowed (RFC 5322 3.6.3); other empties are not */
	if (!al.syntax_ok || (al.count == 0 && !name_is(n, nlen, "Bcc") &&
	    !name_is(n, nlen, "To") && !name_is(n, nlen, "Cc")))
		malformed(h, n, nlen, "the address list does not parse");
	if (is_from && !h->have_from) {
		h->from = al;
		h->have_from = 1;
	}
}

/* hdr_header - one field of the top-level header block */
static void
hdr_header(void *st, const char *n, size_t nlen, const char *v, size_t vlen)
{
	struct hdr *h = st;
	size_t tn, tv, bare;
	const char *s;
	int64_t t;
	const char *why;
	int i;

	pf_msg_field_size(h->msg, &tn, &tv);
	h->count++;
	h->total += (int64_t)tn + 1 + (int64_t)tv + 2;
	if ((int64_t)tn > h->max_name)
		h->max_name = (int64_t)tn;
	if (has_8bit(n, nlen) || has_8bit(v, vlen))
		note(&h->raw8, h->raw8_name, n, nlen);
	/* obs-optional (RFC 5322 4.5): white space before the colon */
	while (nlen > 0 && (n[nlen - 1] == ' ' || n[nlen - 1] == '\t'))
		nlen--;
	if (!name_ok(n, nlen)) {
		malformed(h, n, nlen, "bad characters in the field name");
		return;
	}
	if (!name_is(n, nlen, "To") && !name_is(n, nlen, "Cc") &&
	    !name_is(n, nlen, "References") && (int64_t)tv > h->max_value) {
		h->max_value = (int64_t)tv;
		keep_name(h->max_value_name, NAME_KEEP, n, nlen);
	}
	if ((i = name_in(n, nlen, single, PF_NELEM(single))) >= 0 &&
	    ++h->seen[i] == 2)
		note(&h->dup_count, h->dup_name, single[i].s, single[i].len);
	if (name_in(n, nlen, no_ew, PF_NELEM(no_ew)) >= 0 &&
	    pf_tok_has_ew(v, vlen))
		note(&h->ew, h->ew_name, n, nlen);
	if (name_is(n, nlen, "Subject")) {
		(void)pf_tok_trim(v, vlen, &s);
		/* leading white space is the separator, not the subject */
		bare = tv - (size_t)(s - v);
		if ((int64_t)bare > h->subject)
			h->subject = (int64_t)bare;
	} else if (name_is(n, nlen, "Received"))
		h->received++;
	else if (name_is(n, nlen, "Date")) {
		if (pf_date_parse(v, vlen, &t, &why) != PF_OK)
			malformed(h, n, nlen, "the Date does not parse");
	} else if (name_is(n, nlen, "Message-ID")) {
		if (h->msgid_count++ == 0) {
			h->msgid_bytes = (int64_t)pf_tok_trim(v, vlen, &s);
			keep_msgid(h, s, (size_t)h->msgid_bytes);
			h->msgid_bytes += (int64_t)(tv - vlen);
			h->msgid_valid = tv == vlen && pf_msgid_valid(v, vlen);
		}
	}
	if ((i = name_in(n, nlen, addr_fields, PF_NELEM(addr_fields))) >= 0) {
		if (i == 0)
			h->from_count++;
		addr_field(h, n, nlen, v, vlen, i == 0);
	}
}

/* is_symbol - emoji and the symbols that pass for badges (U+2713 and the
 * like), per Gmail's display-name guidance */
static int
is_symbol(gunichar c)
{
	return (c >= 0x1F000 && c <= 0x1FAFF) ||	/* emoji, pictographs */
	    (c >= 0x2600 && c <= 0x27BF) ||	/* symbols, dingbats */
	    (c >= 0x2B00 && c <= 0x2BFF) ||	/* stars, arrows */
	    (c >= 0x2300 && c <= 0x23FF) ||	/* technical: clocks */
	    (c >= 0x2460 && c <= 0x24FF) ||	/* enclosed letters */
	    (c >= 0x25A0 && c <= 0x25FF) ||	/* geometric shapes */
	    (c >= 0x3297 && c <= 0x3299) ||	/* circled ideographs */
	    c == 0x2122 || c == 0x2139 ||		/* TM, information */
	    (c >= 0xE000 && c <= 0xF8FF);		/* private use */
}

/* pf_hdr_phrase_plain - printable ASCII and blanks, no "=?": what GMime
 * decodes it to is ASCII too (no encoded-word, no 8-bit charset, no
 * ISO-2022 escape), so it holds no symbol */
int
pf_hdr_phrase_plain(const char *raw)
{
	const unsigned char *p;

	for (p = (const unsigned char *)raw; *p != '\0'; p++)
		if ((*p < 0x20 && *p != '\t') || *p >= 0x7f ||
		    (*p == '=' && p[1] == '?'))
			return 0;
	return 1;
}

/* pf_hdr_symbol - the first symbol in the decoded display name, or 0 */
uint32_t
pf_hdr_symbol(const char *raw)
{
	char *dec;
	const char *p;
	gunichar c, found = 0;

	if (*raw == '\0' || pf_hdr_phrase_plain(raw))
		return 0;
	pf_content_gmime();
	if ((dec = g_mime_utils_header_decode_phrase(NULL, raw)) == NULL)
		return 0;
	for (p = dec; *p != '\0' && found == 0; p = g_utf8_next_char(p)) {
		c = g_utf8_get_char_validated(p, -1);
		if (c == (gunichar)-1 || c == (gunichar)-2)
			break;
		if (is_symbol(c))
			found = c;
	}
	g_free(dec);
	return found;
}

/* set_from - the from.* facts */
static int
set_from(struct hdr *h, struct pf_facts *f)
{
	const struct pf_addrlist *a = &h->from;
	char cp[16];
	gunichar sym;
	int rc, dom_ok;

	sym = h->have_from ? pf_hdr_symbol(a->display) : 0;
	cp[0] = '\0';
	if (sym != 0)
		snprintf(cp, sizeof(cp), "U+%04X", (unsigned)sym);
	dom_ok = h->have_from && a->valid > 0 && !a->domain_literal &&
	    !a->domain_cut && pf_addr_domain_ok(a->domain, strlen(a->domain));
	if ((rc = pf_fact_num(f, PF_F_FROM_ADDR_COUNT,
	    h->have_from ? (int64_t)a->count : 0)) != PF_OK ||
	    (rc = pf_fact_num(f, PF_F_FROM_VALID_COUNT,
	    h->have_from ? (int64_t)a->valid : 0)) != PF_OK ||
	    (rc = pf_fact_strz(f, PF_F_FROM_DOMAIN,
	    h->have_from ? a->domain : "")) != PF_OK ||
	    (rc = pf_fact_bool(f, PF_F_FROM_DOMAIN_VALID, dom_ok)) != PF_OK ||
	    (rc = pf_fact_bool(f, PF_F_FROM_SYMBOL, sym != 0)) != PF_OK)
		return rc;
	return pf_fact_strz(f, PF_F_FROM_SYMBOL_CP, cp);
}

/* framing - the builder's defects of the header block are malformed
 * header fields too */
static void
framing(struct hdr *h)
{
	unsigned d = pf_msg_defects(h->msg);
	const char *line = pf_msg_defect_line(h->msg);

	if (d & PF_MSG_D_NOCOLON)
		malformed(h, line, strlen(line) < 40 ? strlen(line) : 40,
		    "a line without a colon in the header block");
	if (d & PF_MSG_D_LEADWS)
		malformed(h, line, strlen(line) < 40 ? strlen(line) : 40,
		    "a continuation line before the first field");
}

/* hdr_end - set every fact this observer owns */
static void
hdr_end(void *st, struct pf_facts *f)
{
	struct hdr *h = st;

	framing(h);
	pf_fact_num(f, PF_F_HDR_COUNT, h->count);
	pf_fact_num(f, PF_F_HDR_TOTAL_BYTES, h->total);
	pf_fact_num(f, PF_F_HDR_MAX_VALUE_BYTES, h->max_value);
	pf_fact_strz(f, PF_F_HDR_MAX_VALUE_NAME, h->max_value_name);
	pf_fact_num(f, PF_F_HDR_MAX_NAME_BYTES, h->max_name);
	pf_fact_num(f, PF_F_HDR_SUBJECT_BYTES, h->subject);
	pf_fact_num(f, PF_F_HDR_RECEIVED_COUNT, h->received);
	pf_fact_num(f, PF_F_HDR_FROM_COUNT, h->from_count);
	pf_fact_num(f, PF_F_HDR_DUP_COUNT, h->dup_count);
	pf_fact_strz(f, PF_F_HDR_DUP_NAME, h->dup_name);
	pf_fact_num(f, PF_F_HDR_MALFORMED_COUNT, h->malformed);
	pf_fact_strz(f, PF_F_HDR_MALFORMED_NAME, h->malformed_name);
	pf_fact_strz(f, PF_F_HDR_MALFORMED_WHY, h->malformed_why);
	pf_fact_num(f, PF_F_HDR_EW_COUNT, h->ew);
	pf_fact_strz(f, PF_F_HDR_EW_NAME, h->ew_name);
	pf_fact_num(f, PF_F_HDR_8BIT_COUNT, h->raw8);
	pf_fact_strz(f, PF_F_HDR_8BIT_NAME, h->raw8_name);
	pf_fact_num(f, PF_F_MSGID_COUNT, h->msgid_count);
	pf_fact_bool(f, PF_F_MSGID_VALID, h->msgid_valid);
	pf_fact_num(f, PF_F_MSGID_BYTES, h->msgid_bytes);
	pf_fact_strz(f, PF_F_MSGID_VALUE, h->msgid);	/* "" without one */
	set_from(h, f);
}

static int
hdr_begin(void *arg, struct pf_msg *m, void **st)
{
	struct hdr *h;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return PF_ENOMEM;
	h->msg = m;
	*st = h;
	return PF_OK;
}

static void
hdr_free(void *st)
{
	free(st);
}

/* hdr_reset - the state of a new message, in place */
static void
hdr_reset(void *st)
{
	struct hdr *h = st;
	struct pf_msg *m = h->msg;

	memset(h, 0, sizeof(*h));
	h->msg = m;
}

const struct pf_observer pf_hdr_observer = {
	"hdr", NULL, hdr_begin, hdr_header, NULL, NULL, hdr_end, hdr_free,
	hdr_reset
};
