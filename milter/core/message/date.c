/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * date.c - the Date field, RFC 5322 3.3:
 *	date-time = [ day-of-week "," ] day month year hour ":" minute
 *	            [ ":" second ] zone
 * with the obsolete forms of 4.3 that real mail still carries: CFWS between
 * any two tokens, two- and three-digit years, alphabetic zones (UT, GMT,
 * the US zones, military letters, and unknown names read as -0000).  A
 * missing zone is tolerated (read as -0000), as every mail reader does;
 * anything else that does not fit is unparseable.  Input is an untrusted
 * header value; CFWS is skipped by tok822.c.
 */
#include <string.h>
#include <strings.h>

#include "base/pf.h"
#include "message/date.h"
#include "message/tok822.h"

struct tok {
	const char	*p, *e;
};

/* skip - past CFWS; 0 on an unterminated comment */
static int
skip(struct tok *t)
{
	return pf_tok_cfws(t->p, t->e, &t->p) == PF_TOK_OK;
}

/* digits - up to max digits; the count read, value in *v */
static size_t
digits(struct tok *t, size_t max, int *v)
{
	size_t n = 0;

	*v = 0;
	while (t->p < t->e && n < max && *t->p >= '0' && *t->p <= '9') {
		*v = *v * 10 + (*t->p - '0');
		t->p++;
		n++;
	}
	return n;
}

/* word - letters; the count read */
static size_t
word(struct tok *t, const char **w)
{
	size_t n = 0;

	*w = t->p;
	while (t->p < t->e && ((*t->p >= 'a' && *t->p <= 'z') ||
	    (*t->p >= 'A' && *t->p <= 'Z'))) {
		t->p++;
		n++;
	}
	return n;
}

static const char *const months[] = {
	"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
	"nov", "dec"
};
static const char *const days[] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun"
};

/* zone_name - minutes east of UTC for an obs-zone name (RFC 5322 4.3) */
static int
zone_name(const char *w, size_t n)
{
	static const struct { const char *n; int off; } z[] = {
		{ "UT", 0 }, { "GMT", 0 }, { "EST", -300 }, { "EDT", -240 },
		{ "CST", -360 }, { "CDT", -300 }, { "MST", -420 },
		{ "MDT", -360 }, { "PST", -480 }, { "PDT", -420 }, { "Z", 0 },
	};
	size_t i;

	for (i = 0; i < PF_NELEM(z); i++)
		if (strlen(z[i].n) == n && strncasecmp(w, z[i].n, n) == 0)
			return z[i].off;
	return 0;	/* military letters and unknown names: -0000 */
}

/* civil - days since 1970-01-01 (proleptic Gregorian) */
static int64_t
civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
mdays(int y, int m)
{
	static const int n[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return n[m - 1];
}

/* pf_date_parse - RFC 5322 3.3 date-time to seconds since the epoch */
int
pf_date_parse(const char *p, size_t len, int64_t *out, const char **why)
{
	struct tok t = { p, p + len };
	const char *w;
	size_t n, i;
	int day, mon = 0, year, hh, mm, ss = 0, zh, zm, sign, off = 0;

	*why = "unterminated comment";
	if (!skip(&t))
		return PF_ESYNTAX;
	n = word(&t, &w);
	if (n > 0) {
		for (i = 0; i < PF_NELEM(days); i++)
			if (n == 3 && strncasecmp(w, days[i], 3) == 0)
				break;
		*why = "bad day of week";
		if (i == PF_NELEM(days) || !skip(&t) || t.p >= t.e ||
		    *t.p != ',')
			return PF_ESYNTAX;
		t.p++;
		if (!skip(&t))
			return PF_ESYNTAX;
	}
	*why = "bad day";
	if ((n = digits(&t, 3, &day)) == 0 || n > 2 || day < 1 || day > 31 ||
	    !skip(&t))
		return PF_ESYNTAX;
	*why = "bad month";
	n = word(&t, &w);
	for (i = 0; n == 3 && i < PF_NELEM(months); i++)
		if (strncasecmp(w, months[i], 3) == 0)
			mon = (int)i + 1;
	if (mon == 0 || !skip(&t))
		return PF_ESYNTAX;
	*why = "bad year";
	if ((n = digits(&t, 5, &year)) < 2 || n > 4 || !skip(&t))
		return PF_ESYNTAX;
	if (n == 2)
		year += year < 50 ? 2000 : 1900;	/* RFC 5322 4.3 */
	else if (n == 3)
		year += 1900;
	if (year < 1900)
		return PF_ESYNTAX;
	*why = "bad day of month";
	if (day > mdays(year, mon))
		return PF_ESYNTAX;
	*why = "bad time";
	if (digits(&t, 3, &hh) != 2 || hh > 23 || !skip(&t) ||
	    t.p >= t.e || *t.p++ != ':' || !skip(&t) ||
	    digits(&t, 3, &mm) != 2 || mm > 59 || !skip(&t))
		return PF_ESYNTAX;
	if (t.p < t.e && *t.p == ':') {
		t.p++;
		if (!skip(&t) || digits(&t, 3, &ss) != 2 || ss > 60 ||
		    !skip(&t))
			return PF_ESYNTAX;
	}
	*why = "bad zone";
	if (t.p < t.e && (*t.p == '+' || *t.p == '-')) {
		sign = *t.p++ == '-' ? -1 : 1;
		if (digits(&t, 5, &zh) != 4)
			return PF_ESYNTAX;
		zm = zh % 100;
		zh /= 100;
		if (zm > 59)
			return PF_ESYNTAX;
		off = sign * (zh * 60 + zm);
	} else if ((n = word(&t, &w)) > 0) {
		if (n > 5)
			return PF_ESYNTAX;
		off = zone_name(w, n);
	}
	*why = "text after the date";
	if (!skip(&t) || t.p != t.e)
		return PF_ESYNTAX;
	*out = civil(year, mon, day) * 86400 + hh * 3600 + mm * 60 + ss -
	    (int64_t)off * 60;
	*why = "";
	return PF_OK;
}
