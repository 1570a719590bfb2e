/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * reply.c - find an SMTP reply in a pasted reply, log line or DSN.
 *
 * A reply is a three-digit code, a space or dash, and an enhanced status
 * whose class digit is the code's (RFC 3463), or that of another class
 * where Gmail prints one (454 5.5.1).  In a DSN the reply comes
 * from the first Diagnostic-Code field that holds one; elsewhere from the
 * first place in the input where one starts.  The reply runs to Gmail's
 * `gsmtp` trailer, to Postfix's "(in reply to ...)", or to a blank line.
 * Its text is then cleaned token by token: the continuation prefixes that
 * relays leave inside the text (`550-5.7.1`, `550 5.7.1`, Sendmail's
 * `<<<`), URLs, `- gsmtp`, `- gcdp <id>`, the trailing session id and the
 * leading `[ip n]` that Gmail adds.  Input is untrusted: only the first
 * PF_REPLY_INPUT_MAX bytes are read and the text kept is bounded.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "explain/reply.h"

#define REGION_MAX	65536	/* bytes of input one reply may span */

struct tok {
	const char	*p;
	size_t		 len;
};

/* status_len - length of an enhanced status "c.ddd.ddd" at p, else 0; cls
 * is the required class digit, or 0 for any of 2, 4, 5 */
static size_t
status_len(const char *p, const char *end, int cls)
{
	const char *q = p;
	int part, n;

	if (q >= end || (*q != '2' && *q != '4' && *q != '5'))
		return 0;
	if (cls != 0 && *q != cls)
		return 0;
	q++;
	for (part = 0; part < 2; part++) {
		if (q >= end || *q != '.')
			return 0;
		q++;
		for (n = 0; q < end && isdigit((unsigned char)*q) && n < 4;
		    n++)
			q++;
		if (n == 0 || n > 3)
			return 0;
	}
	/* not part of a longer dotted number (an IP address) */
	if (q < end && (isalnum((unsigned char)*q) ||
	    (*q == '.' && q + 1 < end && isdigit((unsigned char)q[1]))))
		return 0;
	return (size_t)(q - p);
}

/* code_at - a reply code at p: three digits, first 2, 4 or 5, not inside
 * a longer number or word */
static int
code_at(const char *start, const char *p, const char *end)
{
	if (end - p < 4)
		return 0;
	if (p > start && (isalnum((unsigned char)p[-1]) || p[-1] == '.' ||
	    p[-1] == ':' || p[-1] == '-'))
		return 0;
	if ((p[0] != '2' && p[0] != '4' && p[0] != '5') ||
	    !isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]))
		return 0;
	return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
}

/* find_reply - the first "NNN[ -]c.d.d" in [s, end); its start, code and
 * status; NULL if none */
static const char *
find_reply(const char *s, const char *end, int *code, char *status,
    size_t ssz, const char **after)
{
	const char *p, *dot;
	size_t n;
	int c;

	/* every reply has the status's first dot at p + 5: visit those */
	for (dot = s; dot < end &&
	    (dot = memchr(dot, '.', (size_t)(end - dot))) != NULL; dot++) {
		if (dot - s < 5 || dot + 4 > end)
			continue;
		p = dot - 5;
		if ((c = code_at(s, p, end)) == 0)
			continue;
		if (p[3] != ' ' && p[3] != '-')
			continue;
		/* the status's class is the code's, except in a few rows
		 * Gmail prints otherwise (454 5.5.1) */
		if ((n = status_len(p + 4, end, p[0])) == 0 &&
		    (n = status_len(p + 4, end, 0)) == 0)
			continue;
		if (n >= ssz)
			continue;
		*code = c;
		memcpy(status, p + 4, n);
		status[n] = '\0';
		*after = p + 4 + n;
		return p;
	}
	return NULL;
}

/* find_ci - case-insensitive search for needle in [p, end); candidates
 * are the places of the needle's first byte in either case, found with
 * memchr, so that a long input costs one pass */
static const char *
find_ci(const char *p, const char *end, const char *needle)
{
	size_t n = strlen(needle);
	const char *lo, *up, *c;
	int a, b;

	if (n == 0)
		return p;
	if ((size_t)(end - p) < n)
		return NULL;
	end -= n - 1;		/* the last place a match can start */
	a = tolower((unsigned char)needle[0]);
	b = toupper((unsigned char)needle[0]);
	lo = memchr(p, a, (size_t)(end - p));
	up = a == b ? NULL : memchr(p, b, (size_t)(end - p));
	while (lo != NULL || up != NULL) {
		c = up == NULL || (lo != NULL && lo < up) ? lo : up;
		if (strncasecmp(c + 1, needle + 1, n - 1) == 0)
			return c;
		if (c == lo)
			lo = memchr(c + 1, a, (size_t)(end - c - 1));
		else
			up = memchr(c + 1, b, (size_t)(end - c - 1));
	}
	return NULL;
}

/* region_end - where the reply that starts at p ends; *complete is set
 * when it ends at Gmail's gsmtp trailer */
static const char *
region_end(const char *p, const char *end, int *complete)
{
	const char *e = end, *q, *r, *g;

	if (end - p > REGION_MAX)
		e = end = p + REGION_MAX;
	*complete = 0;
	if ((g = find_ci(p, end, "gsmtp")) != NULL && g + 5 < e)
		e = g + 5;
	if ((q = find_ci(p, e, "(in reply to ")) != NULL)
		e = q;
	/* a blank line */
	for (q = p; q < e; q++) {
		if (*q != '\n')
			continue;
		for (r = q + 1; r < e && (*r == ' ' || *r == '\t' ||
		    *r == '\r'); r++)
			;
		if (r < e && *r == '\n') {
			e = q;
			break;
		}
	}
	*complete = g != NULL && g + 5 <= e;
	return e;
}

/* line_start - is p the start of a line of [s, ...) */
static int
line_start(const char *s, const char *p)
{
	return p == s || p[-1] == '\n';
}

/* dsn_field - the unfolded value of the first field `name` (with colon)
 * at a line start that holds a reply; [*vp, *ve) or 0 */
static int
dsn_field(const char *s, const char *end, const char *name,
    const char **vp, const char **ve)
{
	const char *p = s, *q;
	size_t n = strlen(name);

	while ((p = find_ci(p, end, name)) != NULL) {
		if (!line_start(s, p)) {
			p += n;
			continue;
		}
		q = p + n;
		*vp = q;
		/* the field runs while the next line is indented */
		while (q < end) {
			if (*q == '\n' && !(q + 1 < end && (q[1] == ' ' ||
			    q[1] == '\t')))
				break;
			q++;
		}
		*ve = q;
		return 1;
	}
	return 0;
}

/* is_tok - the token is s, ignoring case */
static int
is_tok(const struct tok *t, const char *s)
{
	return t->len == strlen(s) && strncasecmp(t->p, s, t->len) == 0;
}

/* is_prefix_tok - "550-5.7.1" as one token */
static int
is_prefix_tok(const struct tok *t)
{
	const char *e = t->p + t->len;

	return t->len >= 9 && code_at(t->p, t->p, e) != 0 && t->p[3] == '-' &&
	    status_len(t->p + 4, e, 0) == t->len - 4;
}

/* is_code_tok - a bare reply code, "550" */
static int
is_code_tok(const struct tok *t)
{
	return t->len == 3 && (t->p[0] == '2' || t->p[0] == '4' ||
	    t->p[0] == '5') && isdigit((unsigned char)t->p[1]) &&
	    isdigit((unsigned char)t->p[2]);
}

/* is_status_tok - a bare enhanced status, "5.7.1" */
static int
is_status_tok(const struct tok *t)
{
	return t->len >= 5 && status_len(t->p, t->p + t->len, 0) == t->len;
}

/* is_session_id - Gmail's trailing id: "v14si1155795plk.134",
 * "98e67ed59e1d1-2c2d0e28189si6418580a91.13", "q2.22" */
static int
is_session_id(const struct tok *t)
{
	const char *dot = NULL;
	size_t i;
	int digit = 0;

	for (i = 0; i < t->len; i++) {
		if (t->p[i] == '.') {
			if (dot != NULL)
				return 0;
			dot = t->p + i;
		} else if (isdigit((unsigned char)t->p[i])) {
			digit = 1;
		} else if (!isalpha((unsigned char)t->p[i]) &&
		    t->p[i] != '-') {
			return 0;
		}
	}
	if (dot == NULL || !digit || dot == t->p ||
	    dot + 1 == t->p + t->len)
		return 0;
	for (dot++; dot < t->p + t->len; dot++)
		if (!isdigit((unsigned char)*dot))
			return 0;
	return 1;
}

/* looks_ip - "[192.0.2.1" or "[2001:db8::1" */
static int
looks_ip(const struct tok *t)
{
	size_t i;
	int digit = 0, sep = 0;

	if (t->len < 2 || t->p[0] != '[')
		return 0;
	for (i = 1; i < t->len; i++) {
		if (isxdigit((unsigned char)t->p[i]))
			digit |= isdigit((unsigned char)t->p[i]);
		else if (t->p[i] == '.' || t->p[i] == ':')
			sep = 1;
		else if (t->p[i] != ']')
			return 0;
	}
	return digit && sep;
}

/* tokenize - split [p, e) at white space; *n tokens into an owned array */
static struct tok *
tokenize(const char *p, const char *e, size_t *n)
{
	struct tok *v;
	size_t cap = (size_t)(e - p) / 2 + 1, k = 0;

	if ((v = calloc(cap, sizeof(*v))) == NULL)
		return NULL;
	while (p < e) {
		while (p < e && isspace((unsigned char)*p))
			p++;
		if (p >= e)
			break;
		v[k].p = p;
		while (p < e && !isspace((unsigned char)*p))
			p++;
		v[k].len = (size_t)(p - v[k].p);
		k++;
	}
	*n = k;
	return v;
}

/* take_ip - the leading "[ip n]" group: up to three tokens ending in ']' */
static size_t
take_ip(const struct tok *v, size_t n, size_t i, struct pf_reply *r)
{
	size_t j, len;
	const char *p;

	if (i >= n || !looks_ip(&v[i]))
		return 0;
	for (j = i; j < n && j < i + 3; j++) {
		if (v[j].p[v[j].len - 1] != ']')
			continue;
		p = v[i].p + 1;
		len = v[i].len - 1;
		if (len > 0 && p[len - 1] == ']')
			len--;
		if (len < sizeof(r->ip)) {
			memcpy(r->ip, p, len);
			r->ip[len] = '\0';
		}
		return j - i + 1;
	}
	return 0;
}

/* clean - the reply text of [p, e) without transport noise, owned */
static char *
clean(const char *p, const char *e, struct pf_reply *r)
{
	struct tok *v;
	size_t n, i, k, out = 0, *keep;
	char *s;
	int first = 1;

	if ((v = tokenize(p, e, &n)) == NULL)
		return NULL;
	if ((keep = calloc(n + 1, sizeof(*keep))) == NULL) {
		free(v);
		return NULL;
	}
	for (i = 0, k = 0; i < n; i++) {
		if (is_tok(&v[i], "<<<") || is_tok(&v[i], ">>>") ||
		    is_prefix_tok(&v[i]) || is_tok(&v[i], "gsmtp"))
			continue;
		if (is_code_tok(&v[i]) && i + 1 < n &&
		    is_status_tok(&v[i + 1])) {
			i++;
			continue;
		}
		if (v[i].len > 7 && (strncasecmp(v[i].p, "http://", 7) == 0 ||
		    strncasecmp(v[i].p, "https://", 8) == 0))
			continue;
		if (is_tok(&v[i], "-") && i + 1 < n &&
		    is_tok(&v[i + 1], "gsmtp")) {
			i++;
			continue;
		}
		if (is_tok(&v[i], "-") && i + 1 < n &&
		    is_tok(&v[i + 1], "gcdp")) {
			i += 2;
			continue;
		}
		if (is_tok(&v[i], "gcdp")) {
			i++;
			continue;
		}
		if (first) {
			size_t m = take_ip(v, n, i, r);

			if (m > 0) {
				i += m - 1;
				continue;
			}
		}
		first = 0;
		keep[k++] = i;
	}
	if (k > 0 && is_session_id(&v[keep[k - 1]]))
		k--;
	if (k > 0 && is_tok(&v[keep[k - 1]], "-"))
		k--;
	for (i = 0; i < k; i++)
		out += v[keep[i]].len + 1;
	if (out > PF_REPLY_TEXT_MAX)
		out = PF_REPLY_TEXT_MAX;
	if ((s = malloc(out + 1)) != NULL) {
		size_t o = 0, len;

		for (i = 0; i < k; i++) {
			len = v[keep[i]].len;
			if (o + len + (o > 0) > out)
				break;
			if (o > 0)
				s[o++] = ' ';
			memcpy(s + o, v[keep[i]].p, len);
			o += len;
		}
		s[o] = '\0';
	}
	free(keep);
	free(v);
	return s;
}

/* guess_form - what kind of input the reply came from */
static const char *
guess_form(const char *s, const char *end, int dsn)
{
	if (dsn)
		return "dsn";
	if (find_ci(s, end, "status=") != NULL &&
	    (find_ci(s, end, "postfix") != NULL ||
	    find_ci(s, end, " said: ") != NULL))
		return "postfix";
	if (find_ci(s, end, "stat=") != NULL ||
	    find_ci(s, end, "dsn=") != NULL)
		return "sendmail";
	if (find_ci(s, end, "\nContent-Type:") != NULL ||
	    find_ci(s, end, "\nFrom:") != NULL)
		return "dsn";
	return "reply";
}

/* sendmail_status - "dsn=5.7.1" of a Sendmail log line that carries no
 * reply text; the status only, code unknown */
static int
sendmail_status(const char *s, const char *end, struct pf_reply *r)
{
	const char *p = s;
	size_t n;

	while ((p = find_ci(p, end, "dsn=")) != NULL) {
		p += 4;
		if ((n = status_len(p, end, 0)) == 0 || n >= sizeof(r->status))
			continue;
		memcpy(r->status, p, n);
		r->status[n] = '\0';
		r->code = 0;
		r->form = "sendmail";
		return 1;
	}
	return 0;
}

/* code_only - a reply without an enhanced status: a line that starts with
 * the code, or the code after "said: " */
static const char *
code_only(const char *s, const char *end, int *code)
{
	const char *p, *q;

	for (p = s; p < end; p++) {
		q = p;
		if (line_start(s, p)) {
			while (q < end && (*q == ' ' || *q == '\t'))
				q++;
		} else if (end - p > 6 && strncasecmp(p, " said: ", 7) == 0) {
			q = p + 7;
		} else {
			continue;
		}
		if (end - q >= 4 && (*code = code_at(s, q, end)) != 0 &&
		    (q[3] == ' ' || q[3] == '-') && *code >= 400)
			return q;
		if (end - q == 3 && (*code = code_at(s, q, end)) >= 400)
			return q;
	}
	return NULL;
}

/* pf_reply_reset - free the text and clear the reply */
void
pf_reply_reset(struct pf_reply *r)
{
	free(r->text);
	memset(r, 0, sizeof(*r));
}

/* pick - the reply to explain: the first one that runs whole to its gsmtp
 * trailer (Sendmail's Diagnostic-Code holds only the first line of a
 * multi-line reply; its transcript holds all), with the code and status of
 * the DSN's Diagnostic-Code when there is one; else the Diagnostic-Code's;
 * else the first reply found */
static const char *
pick(const char *in, const char *end, struct pf_reply *r, const char **after,
    const char **e, int *dsn)
{
	const char *vp = in, *ve, *p, *a, *re, *dp = NULL;
	char st[sizeof(r->status)], dst[sizeof(r->status)] = "";
	int code, dcode = 0, complete, n;

	*dsn = 0;
	while (dsn_field(vp, end, "Diagnostic-Code:", &vp, &ve)) {
		*dsn = 1;
		if ((p = find_reply(vp, ve, &dcode, dst, sizeof(dst), &a)) !=
		    NULL) {
			dp = p;
			*after = a;
			*e = region_end(a, ve, &complete);
			break;
		}
		vp = ve;
	}
	for (p = in, n = 0; n < 1000 && (p = find_reply(p, end, &code, st,
	    sizeof(st), &a)) != NULL; p = a, n++) {
		re = region_end(a, end, &complete);
		if (!complete || (dp != NULL && (code != dcode ||
		    strcmp(st, dst) != 0)))
			continue;
		r->code = code;
		memcpy(r->status, st, sizeof(st));
		*after = a;
		*e = re;
		return p;
	}
	if (dp != NULL) {
		r->code = dcode;
		memcpy(r->status, dst, sizeof(dst));
		return dp;
	}
	if ((p = find_reply(in, end, &r->code, r->status, sizeof(r->status),
	    after)) != NULL)
		*e = region_end(*after, end, &complete);
	return p;
}

/* pf_reply_parse - find the reply in in[0..len) */
int
pf_reply_parse(const char *in, size_t len, struct pf_reply *r,
    struct pf_err *err)
{
	const char *end, *p, *after = NULL, *e = NULL;
	int dsn = 0, complete;

	pf_reply_reset(r);
	if (len > PF_REPLY_INPUT_MAX)
		len = PF_REPLY_INPUT_MAX;
	end = in + len;
	p = pick(in, end, r, &after, &e, &dsn);
	r->form = guess_form(in, end, dsn);
	if (p == NULL) {
		if (sendmail_status(in, end, r)) {
			after = e = end;
		} else if ((p = code_only(in, end, &r->code)) != NULL) {
			after = p + 3;
			e = region_end(after, end, &complete);
		} else {
			return pf_err_set(err, PF_ESYNTAX, "no SMTP reply "
			    "found (expected a reply such as \"550 5.7.26 "
			    "...\", a maillog line or a bounce message)");
		}
		if (after == end) {
			if ((r->text = strdup("")) == NULL)
				return pf_err_set(err, PF_ENOMEM,
				    "out of memory");
			return PF_OK;
		}
	}
	if ((r->text = clean(after, e, r)) == NULL)
		return pf_err_set(err, PF_ENOMEM, "out of memory");
	return PF_OK;
}
