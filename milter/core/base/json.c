/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * json.c - JSON string output.  Input is any bytes; output is valid JSON:
 * quotes, backslashes and control characters are escaped, and anything that
 * is not well-formed UTF-8 (overlongs, surrogates, truncated sequences) is
 * replaced by U+FFFD.
 */
#include <string.h>

#include "base/json.h"

/* utf8_len - length of a well-formed UTF-8 sequence at p, or 0 */
static size_t
utf8_len(const unsigned char *p, size_t avail)
{
	size_t n, i;
	unsigned cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (n > avail)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* plain - the run of printable ASCII at p that needs no escape */
static size_t
plain(const unsigned char *p, const unsigned char *end)
{
	const unsigned char *q = p;

	while (q < end && *q >= 0x20 && *q < 0x7f && *q != '"' && *q != '\\')
		q++;
	return (size_t)(q - p);
}

/* pf_json_strn - runs of plain ASCII are written whole; the rest byte by
 * byte or sequence by sequence */
void
pf_json_strn(FILE *fp, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	size_t k;

	fputc('"', fp);
	while (p < end) {
		size_t n;

		if ((k = plain(p, end)) > 0) {
			fwrite(p, 1, k, fp);
			p += k;
			continue;
		}
		n = utf8_len(p, (size_t)(end - p));

		if (n == 0) {
			fputs("\\ufffd", fp);
			p++;
			continue;
		}
		if (n > 1) {
			fwrite(p, 1, n, fp);
			p += n;
			continue;
		}
		switch (*p) {
		case '"':
			fputs("\\\"", fp);
			break;
		case '\\':
			fputs("\\\\", fp);
			break;
		case '\n':
			fputs("\\n", fp);
			break;
		case '\r':
			fputs("\\r", fp);
			break;
		case '\t':
			fputs("\\t", fp);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(fp, "\\u%04x", *p);
			else
				fputc(*p, fp);
		}
		p++;
	}
	fputc('"', fp);
}

void
pf_json_str(FILE *fp, const char *s)
{
	if (s == NULL)
		fputs("null", fp);
	else
		pf_json_strn(fp, s, strlen(s));
}
