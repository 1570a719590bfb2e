/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * logline.c - read a delivery attempt out of one MTA log line.
 *
 * A line is a prefix (the time, the host, the program and its pid, in one
 * of the layouts of logline.h, or nothing) and a message.  The message of
 * a delivery attempt is a queue id, a colon and comma-separated fields:
 *
 *   Postfix (log_adhoc.c): to=<a>[, orig_to=<b>], relay=NAME[IP]:PORT
 *     [, conn_use=N], delay=D, delays=a/b/c/d[, tls=...], dsn=X.Y.Z,
 *     status=sent|deferred|bounced|expired (TEXT)
 *   Sendmail: to=<a>[,<b>...], ..., relay=NAME. [IP], dsn=X.Y.Z,
 *     stat=TEXT
 *
 * Postfix's TEXT holds the remote reply after "host NAME[IP] said: " (or
 * "refused to talk to me: ") up to " (in reply to ... command)"; Postfix
 * has joined a multi-line reply with spaces already.  Sendmail's stat= is
 * "Sent (...)", "Deferred: <reply or local reason>" or a short text, the
 * reply then being carried only by dsn=.  A line that syslog cut short
 * still gives what it holds, marked truncated.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/pf.h"
#include "learn/logline.h"

/* a cursor over [p, end) */
struct cur {
	const char	*p, *end;
};

/* skip_sp - past blanks */
static void
skip_sp(struct cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

/* word - the next blank-delimited word; its length, 0 at the end */
static size_t
word(struct cur *c, const char **w)
{
	const char *s;

	skip_sp(c);
	s = c->p;
	while (c->p < c->end && *c->p != ' ' && *c->p != '\t')
		c->p++;
	*w = s;
	return (size_t)(c->p - s);
}

/* digits - n digits at p as a number, -1 if not */
static int
digits(const char *p, const char *end, int n)
{
	int v = 0, i;

	if (end - p < n)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* copy - [p, p+n) into a fixed buffer, cut to fit */
static void
copy(char *dst, size_t dsz, const char *p, size_t n)
{
	if (n >= dsz)
		n = dsz - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

/* utc - seconds since the epoch of a broken-down UTC time */
static time_t
utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = { 0 };

	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return timegm(&tm);
}

/* month - "Jan".."Dec" as 1..12, 0 if not */
static int
month(const char *p, size_t n)
{
	static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int i;

	if (n != 3)
		return 0;
	for (i = 0; i < 12; i++)
		if (strncmp(names + 3 * i, p, 3) == 0)
			return i + 1;
	return 0;
}

/* classic_time - "Nov 30 04:12:01[.ffffff]" (no year, local time read as
 * UTC: logs are compared with themselves); the year is now's, or the one
 * before when that would put the line more than a day ahead of now */
static int
classic_time(struct cur *c, time_t now, time_t *out)
{
	struct cur s = *c;
	const char *w;
	size_t n;
	int mo, d, h, mi, sec, y;
	struct tm tm;

	n = word(&s, &w);
	if ((mo = month(w, n)) == 0)
		return 0;
	n = word(&s, &w);
	if (n < 1 || n > 2 || (d = digits(w, w + n, (int)n)) < 1 || d > 31)
		return 0;
	n = word(&s, &w);
	if (n < 8 || w[2] != ':' || w[5] != ':' ||
	    (h = digits(w, w + 2, 2)) < 0 || (mi = digits(w + 3, w + 5, 2)) < 0
	    || (sec = digits(w + 6, w + 8, 2)) < 0)
		return 0;
	gmtime_r(&now, &tm);
	y = tm.tm_year + 1900;
	*out = utc(y, mo, d, h, mi, sec);
	if (*out > now + 86400)
		*out = utc(y - 1, mo, d, h, mi, sec);
	*c = s;
	return 1;
}

/* iso_time - "2026-11-30T04:12:01[.fff](Z|+hh:mm|+hhmm)" */
static int
iso_time(struct cur *c, time_t *out)
{
	struct cur s = *c;
	const char *w, *q, *e;
	size_t n = word(&s, &w);
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;

	e = w + n;
	if (n < 19 || w[4] != '-' || w[7] != '-' || (w[10] != 'T' &&
	    w[10] != ' ') || w[13] != ':' || w[16] != ':')
		return 0;
	if ((y = digits(w, e, 4)) < 0 || (mo = digits(w + 5, e, 2)) < 1 ||
	    (d = digits(w + 8, e, 2)) < 1 || (h = digits(w + 11, e, 2)) < 0 ||
	    (mi = digits(w + 14, e, 2)) < 0 || (sec = digits(w + 17, e, 2)) < 0)
		return 0;
	for (q = w + 19; q < e && (*q == '.' || isdigit((unsigned char)*q));
	    q++)
		;
	if (q < e && (*q == '+' || *q == '-')) {
		sign = *q == '+' ? 1 : -1;
		oh = digits(q + 1, e, 2);
		om = digits(q + (q + 3 < e && q[3] == ':' ? 4 : 3), e, 2);
		if (oh < 0 || om < 0)
			return 0;
	}
	*out = utc(y, mo, d, h, mi, sec) - sign * (oh * 3600 + om * 60);
	*c = s;
	return 1;
}

/* tag - "postfix/smtp[123]:" or "sm-mta[123]:": the program into prog */
static int
tag(struct cur *c, char *prog, size_t psz)
{
	struct cur s = *c;
	const char *w, *b;
	size_t n = word(&s, &w);

	if (n < 2 || w[n - 1] != ':')
		return 0;
	n--;
	if ((b = memchr(w, '[', n)) != NULL)
		n = (size_t)(b - w);
	copy(prog, psz, w, n);
	*c = s;
	return 1;
}

/* prefix - the time, host and program before the message; *prog is ""
 * when the line has no prefix (journalctl -o cat) */
static void
prefix(struct cur *c, time_t now, struct pf_delivery *d, char *prog,
    size_t psz)
{
	struct cur s = *c;
	const char *w, *app;
	size_t n, an;

	prog[0] = '\0';
	/* RFC 5424: <PRI>1 TIME HOST APP PROCID MSGID SD MSG */
	if (s.p < s.end && *s.p == '<') {
		while (s.p < s.end && *s.p != '>')
			s.p++;
		if (s.p < s.end && s.p + 2 < s.end && s.p[1] == '1' &&
		    s.p[2] == ' ') {
			s.p += 3;
			if (!iso_time(&s, &d->when) && (n = word(&s, &w)) > 0 &&
			    !(n == 1 && *w == '-'))
				return;
			n = word(&s, &w);
			copy(d->host, sizeof(d->host), w, n);
			an = word(&s, &app);
			copy(prog, psz, app, an);
			word(&s, &w);		/* PROCID */
			word(&s, &w);		/* MSGID */
			skip_sp(&s);
			if (s.p < s.end && *s.p == '[') {
				while (s.p < s.end && *s.p != ']')
					s.p++;
				if (s.p < s.end)
					s.p++;
			} else
				word(&s, &w);	/* "-" */
			skip_sp(&s);
			*c = s;
		}
		return;
	}
	if (!classic_time(&s, now, &d->when) && !iso_time(&s, &d->when))
		return;
	/* a program's own log on stderr has no host: "TIME prog[x]: msg" */
	if (tag(&s, prog, psz)) {
		skip_sp(&s);
		*c = s;
		return;
	}
	n = word(&s, &w);
	copy(d->host, sizeof(d->host), w, n);
	if (!tag(&s, prog, psz)) {
		prog[0] = '\0';
		d->when = 0;
		d->host[0] = '\0';
		return;
	}
	skip_sp(&s);
	*c = s;
}

/* field - the value of "name=" in [p, end) at a field start (after ": "
 * or ", "); NULL if absent */
static const char *
field(const char *p, const char *end, const char *name)
{
	size_t n = strlen(name);
	const char *q;

	for (q = p; q + n <= end; q++) {
		q = memchr(q, name[0], (size_t)(end - q));
		if (q == NULL || q + n > end)
			return NULL;
		if (memcmp(q, name, n) == 0 &&
		    (q == p || q[-1] == ' ' || q[-1] == ','))
			return q + n;
	}
	return NULL;
}

/* field_end - the end of a field value: ", " or the end */
static const char *
field_end(const char *v, const char *end)
{
	const char *q;

	for (q = v; q < end; q++)
		if (*q == ',' && q + 1 < end && q[1] == ' ')
			return q;
	return end;
}

/* queue_id - "4Z1k2L3m4nP: " at the start of the message */
static int
queue_id(struct cur *c, struct pf_delivery *d)
{
	const char *p = c->p;

	while (p < c->end && isalnum((unsigned char)*p))
		p++;
	if (p == c->p || p + 1 >= c->end || *p != ':' || p[1] != ' ' ||
	    (size_t)(p - c->p) >= sizeof(d->queue_id))
		return 0;
	copy(d->queue_id, sizeof(d->queue_id), c->p, (size_t)(p - c->p));
	c->p = p + 2;
	return 1;
}

/* relay_postfix - "NAME[IP]:PORT", "NAME[IP]", or "none" */
static void
relay_postfix(const char *v, const char *e, struct pf_delivery *d)
{
	const char *b = memchr(v, '[', (size_t)(e - v)), *k;

	if (b == NULL) {
		copy(d->relay, sizeof(d->relay), v, (size_t)(e - v));
		return;
	}
	copy(d->relay, sizeof(d->relay), v, (size_t)(b - v));
	if ((k = memchr(b, ']', (size_t)(e - b))) != NULL)
		copy(d->relay_ip, sizeof(d->relay_ip), b + 1,
		    (size_t)(k - b - 1));
}

/* relay_sendmail - "NAME. [IP]" or "[IP] [IP]" */
static void
relay_sendmail(const char *v, const char *e, struct pf_delivery *d)
{
	const char *sp = memchr(v, ' ', (size_t)(e - v)), *b, *k;
	size_t n = sp != NULL ? (size_t)(sp - v) : (size_t)(e - v);

	if (n > 0 && v[n - 1] == '.')
		n--;
	if (n > 0 && *v != '[')
		copy(d->relay, sizeof(d->relay), v, n);
	if ((b = memchr(v, '[', (size_t)(e - v))) != NULL &&
	    (k = memchr(b, ']', (size_t)(e - b))) != NULL)
		copy(d->relay_ip, sizeof(d->relay_ip), b + 1,
		    (size_t)(k - b - 1));
}

/* find - needle in [p, end), NULL if absent */
static const char *
find(const char *p, const char *end, const char *needle)
{
	size_t n = strlen(needle);

	for (; p != NULL && p + n <= end; p++) {
		p = memchr(p, needle[0], (size_t)(end - p));
		if (p == NULL || p + n > end)
			return NULL;
		if (memcmp(p, needle, n) == 0)
			return p;
	}
	return NULL;
}

/* postfix_reply - the remote reply inside Postfix's status text */
static void
postfix_reply(struct pf_delivery *d)
{
	const char *t = d->detail, *e, *s, *r;

	if (t == NULL)			/* cut after the status word */
		return;
	e = t + d->detail_len;
	if ((s = find(t, e, " said: ")) != NULL)
		s += 7;
	else if ((s = find(t, e, " refused to talk to me: ")) != NULL)
		s += 24;
	else if (d->status == PF_D_SENT && e - t > 4 &&
	    isdigit((unsigned char)t[0]) && isdigit((unsigned char)t[1]) &&
	    isdigit((unsigned char)t[2]) && (t[3] == ' ' || t[3] == '-'))
		s = t;		/* "250 2.0.0 OK ..." */
	else
		return;
	if ((r = find(s, e, " (in reply to ")) != NULL)
		e = r;
	d->reply = s;
	d->reply_len = (size_t)(e - s);
}

/* status_postfix - "status=WORD (TEXT)" */
static int
status_postfix(const char *v, const char *end, struct pf_delivery *d)
{
	const char *w = v, *t;

	while (w < end && isalpha((unsigned char)*w))
		w++;
	if (w - v == 4 && memcmp(v, "sent", 4) == 0)
		d->status = PF_D_SENT;
	else if (w - v == 8 && memcmp(v, "deferred", 8) == 0)
		d->status = PF_D_DEFERRED;
	else if ((w - v == 7 && memcmp(v, "bounced", 7) == 0) ||
	    (w - v == 7 && memcmp(v, "expired", 7) == 0))
		d->status = PF_D_BOUNCED;
	else if (w > v)
		d->status = PF_D_OTHER;
	else
		return 0;
	if (w + 1 < end && w[0] == ' ' && w[1] == '(') {
		t = w + 2;
		d->detail = t;
		d->detail_len = (size_t)(end - t);
		if (end[-1] == ')')
			d->detail_len--;
		else
			d->truncated = 1;
	} else if (w < end)
		return 0;
	else
		d->truncated = 1;
	postfix_reply(d);
	return 1;
}

/* is_reply - does [p, end) start with "NNN " or "NNN-" */
static int
is_reply(const char *p, const char *end)
{
	return end - p > 4 && p[0] >= '2' && p[0] <= '5' &&
	    isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
	    (p[3] == ' ' || p[3] == '-');
}

/* status_sendmail - "stat=Sent (...)", "stat=Deferred: ...", "stat=..." */
static int
status_sendmail(const char *v, const char *end, struct pf_delivery *d)
{
	const char *t;

	if (v >= end)
		return 0;
	d->detail = v;
	d->detail_len = (size_t)(end - v);
	if (end - v >= 4 && memcmp(v, "Sent", 4) == 0) {
		d->status = PF_D_SENT;
		if ((t = memchr(v, '(', (size_t)(end - v))) != NULL &&
		    is_reply(t + 1, end)) {
			d->reply = t + 1;
			d->reply_len = (size_t)(end - t - 1);
			if (end[-1] == ')')
				d->reply_len--;
		}
		return 1;
	}
	if (end - v >= 9 && memcmp(v, "Deferred:", 9) == 0) {
		d->status = PF_D_DEFERRED;
		t = v + 9;
		while (t < end && *t == ' ')
			t++;
	} else {
		d->status = d->dsn[0] == '4' ? PF_D_DEFERRED : PF_D_BOUNCED;
		t = v;
	}
	if (is_reply(t, end)) {
		d->reply = t;
		d->reply_len = (size_t)(end - t);
	}
	return 1;
}

/* message - the fields after the queue id */
static enum pf_lineclass
message(struct cur *c, struct pf_delivery *d)
{
	const char *to, *te, *st, *v, *e;
	int postfix = d->mta == PF_LOG_POSTFIX;

	if ((to = field(c->p, c->end, "to=")) == NULL || to != c->p + 3)
		return PF_L_OTHER;
	st = field(c->p, c->end, postfix ? "status=" : "stat=");
	if (st == NULL) {
		/* cut before the status, or not a delivery at all */
		if (field(c->p, c->end, "relay=") == NULL)
			return PF_L_OTHER;
		d->truncated = 1;
		return PF_L_BAD;
	}
	te = field_end(to, st);
	if (postfix && te > to && *to == '<' && te[-1] == '>') {
		to++;
		te--;
	}
	d->rcpt = to;
	d->rcpt_len = (size_t)(te - to);
	if ((v = field(c->p, st, "relay=")) != NULL) {
		e = field_end(v, st);
		if (postfix)
			relay_postfix(v, e, d);
		else
			relay_sendmail(v, e, d);
	}
	if ((v = field(c->p, st, "dsn=")) != NULL)
		copy(d->dsn, sizeof(d->dsn), v, (size_t)(field_end(v, st) - v));
	if (postfix ? !status_postfix(st, c->end, d) :
	    !status_sendmail(st, c->end, d))
		return PF_L_BAD;
	/* Sendmail (LogLevel 9 and up) logs the remote reply's first line
	 * as reply=, before stat=; it is the reply when stat= has none */
	if (!postfix && d->reply == NULL &&
	    (v = field(c->p, st, "reply=")) != NULL && is_reply(v, st)) {
		e = st - strlen("stat=");
		while (e > v && (e[-1] == ' ' || e[-1] == ','))
			e--;
		d->reply = v;
		d->reply_len = (size_t)(e - v);
	}
	return PF_L_DELIVERY;
}

/* queued - "QID: from=<sender>, size=..." (the queue id may have been
 * read already) */
static enum pf_lineclass
queued(struct cur *c, struct pf_delivery *d)
{
	const char *v, *e;

	if (d->queue_id[0] == '\0' && !queue_id(c, d))
		return PF_L_OTHER;
	if (c->end - c->p < 5 || memcmp(c->p, "from=", 5) != 0 ||
	    find(c->p, c->end, ", nrcpt") == NULL)
		return PF_L_OTHER;	/* not the line that queues it */
	v = c->p + 5;
	e = field_end(v, c->end);
	if (e > v && *v == '<')
		v++;
	if (e > v && e[-1] == '>')
		e--;
	d->from = v;
	d->from_len = (size_t)(e - v);
	return PF_L_QUEUED;
}

/* prediction - preflight-milter's "QID: action=A rule=ID ..." line */
static enum pf_lineclass
prediction(struct cur *c, struct pf_delivery *d)
{
	const char *q;

	/* the logfmt form: "queue_id=QID action=A ... rules=ID,ID ..." */
	if (c->end - c->p > 9 && memcmp(c->p, "queue_id=", 9) == 0) {
		for (q = c->p + 9; q < c->end && *q != ' '; q++)
			;
		copy(d->queue_id, sizeof(d->queue_id), c->p + 9,
		    (size_t)(q - c->p - 9));
		c->p = q < c->end ? q + 1 : q;
	} else if (!queue_id(c, d))
		return PF_L_OTHER;
	if (c->end - c->p < 7 || memcmp(c->p, "action=", 7) != 0)
		return PF_L_OTHER;
	d->detail = c->p;
	d->detail_len = (size_t)(c->end - c->p);
	return PF_L_PREDICTION;
}

/* pf_prediction_rule - the i-th rule= of a prediction line */
int
pf_prediction_rule(const struct pf_delivery *d, size_t i, char *buf,
    size_t bsz)
{
	const char *p = d->detail, *end = d->detail + d->detail_len, *e;
	size_t k = 0;

	if ((p = find(d->detail, end, " rules=")) != NULL) {
		/* the logfmt form: one comma-joined list */
		for (p += 7; p < end && *p != ' ' && *p != '"'; p = e + 1) {
			for (e = p; e < end && *e != ',' && *e != ' '; e++)
				;
			if (k++ == i) {
				copy(buf, bsz, p, (size_t)(e - p));
				return buf[0] != '\0';
			}
			if (e >= end || *e == ' ')
				break;
		}
		return 0;
	}
	p = d->detail;
	while (p != NULL && (p = find(p, end, " rule=")) != NULL) {
		p += 6;
		for (e = p; e < end && *e != ' '; e++)
			;
		if (k++ == i) {
			copy(buf, bsz, p, (size_t)(e - p));
			return buf[0] != '\0';
		}
		p = e;
	}
	return 0;
}

/* pf_prediction_reply - the reply= after the i-th rule= */
int
pf_prediction_reply(const struct pf_delivery *d, size_t i)
{
	const char *p = d->detail, *end = d->detail + d->detail_len, *e;
	size_t k = 0;

	if (find(d->detail, end, " rules=") != NULL) {
		/* the logfmt form names the reply of the headline only */
		p = i == 0 ? find(d->detail, end, " reply=") : NULL;
		return p != NULL && end - p >= 10 ? digits(p + 7, end, 3) : 0;
	}
	while (p != NULL && (p = find(p, end, " rule=")) != NULL) {
		p += 6;
		if (k++ != i)
			continue;
		e = find(p, end, " rule=");
		p = find(p, e != NULL ? e : end, " reply=");
		return p != NULL && end - p >= 10 ? digits(p + 7, end, 3) : 0;
	}
	return 0;
}

/* pf_prediction_field - a logfmt value of the daemon's line */
int
pf_prediction_field(const struct pf_delivery *d, const char *name,
    char *buf, size_t bsz)
{
	const char *end = d->detail + d->detail_len, *p, *e;
	char key[40];
	int n = snprintf(key, sizeof(key), " %s=", name);

	if (n < 0 || (size_t)n >= sizeof(key) || d->detail == NULL ||
	    (p = find(d->detail, end, key)) == NULL)
		return 0;
	p += n;
	if (p < end && *p == '"') {
		for (e = ++p; e < end && *e != '"'; e++)
			;
	} else
		for (e = p; e < end && *e != ' '; e++)
			;
	if (e == p || (size_t)(e - p) >= bsz || memchr(p, '\\',
	    (size_t)(e - p)) != NULL)
		return 0;
	copy(buf, bsz, p, (size_t)(e - p));
	return 1;
}

/* which_mta - the MTA by its program name, else by the fields */
static enum pf_logfmt
which_mta(const char *prog, const struct cur *c, enum pf_logfmt fmt)
{
	if (fmt != PF_LOG_AUTO)
		return fmt;
	if (strstr(prog, "postfix") != NULL)
		return PF_LOG_POSTFIX;
	if (strstr(prog, "sendmail") != NULL || strstr(prog, "sm-mta") != NULL)
		return PF_LOG_SENDMAIL;
	if (find(c->p, c->end, ", status=") != NULL)
		return PF_LOG_POSTFIX;
	if (find(c->p, c->end, ", stat=") != NULL)
		return PF_LOG_SENDMAIL;
	return PF_LOG_POSTFIX;
}

/* pf_logline_parse - one log line into a delivery attempt */
enum pf_lineclass
pf_logline_parse(const char *line, size_t len, enum pf_logfmt fmt,
    time_t now, struct pf_delivery *d)
{
	struct cur c;
	char prog[128];

	memset(d, 0, sizeof(*d));
	if (len > PF_LOGLINE_MAX) {
		len = PF_LOGLINE_MAX;
		d->truncated = 1;
	}
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	c.p = line;
	c.end = line + len;
	prefix(&c, now, d, prog, sizeof(prog));
	if (strstr(prog, "preflight-milter") != NULL)
		return prediction(&c, d);
	if (strstr(prog, "postfix") != NULL && strstr(prog, "/qmgr") != NULL)
		return queued(&c, d);
	/* only the delivery agents' lines: smtp, lmtp, sendmail's mailer */
	if (prog[0] != '\0' && strstr(prog, "postfix") != NULL &&
	    strstr(prog, "/smtp") == NULL && strstr(prog, "/lmtp") == NULL)
		return PF_L_OTHER;
	d->mta = which_mta(prog, &c, fmt);
	if (!queue_id(&c, d))
		return PF_L_OTHER;
	if (c.end - c.p > 5 && memcmp(c.p, "from=", 5) == 0)
		return queued(&c, d) == PF_L_QUEUED ? PF_L_QUEUED : PF_L_OTHER;
	return message(&c, d);
}

/* pf_delivery_rcpt - the i-th recipient, without angle brackets */
int
pf_delivery_rcpt(const struct pf_delivery *d, size_t i, char *buf,
    size_t bsz)
{
	const char *p = d->rcpt, *end = d->rcpt + d->rcpt_len, *e;
	size_t k, n;

	if (p == NULL || bsz == 0)
		return 0;
	for (k = 0; p < end; k++) {
		for (e = p; e < end && *e != ','; e++)
			if (*e == '"')		/* a quoted local part */
				while (++e < end && *e != '"')
					;
		if (k == i) {
			while (p < e && (*p == '<' || *p == ' '))
				p++;
			n = (size_t)(e - p);
			while (n > 0 && (p[n - 1] == '>' || p[n - 1] == ' '))
				n--;
			if (n == 0)
				return 0;
			copy(buf, bsz, p, n);
			for (n = 0; buf[n] != '\0'; n++)
				buf[n] = (char)tolower((unsigned char)buf[n]);
			return 1;
		}
		p = e < end ? e + 1 : end;
	}
	return 0;
}

/* under - is name (a trailing dot ignored) domain or under it */
static int
under(const char *name, const char *domain)
{
	size_t n = strlen(name), m = strlen(domain);

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n < m || strncasecmp(name + n - m, domain, m) != 0)
		return 0;
	return n == m || name[n - m - 1] == '.';
}

/* google - is the name one of Google's mail servers */
static int
google(const char *name)
{
	return under(name, "google.com") || under(name, "gmail.com") ||
	    under(name, "googlemail.com");
}

/* ends_gsmtp - does [p, p+n) end with Gmail's "gsmtp" trailer */
static int
ends_gsmtp(const char *p, size_t n)
{
	const char *e;

	if (p == NULL)
		return 0;
	for (e = p + n; e > p && (e[-1] == ' ' || e[-1] == ')'); e--)
		;
	return e - p >= 5 && strncasecmp(e - 5, "gsmtp", 5) == 0;
}

/* gsmtp - does the reply (or the status text that holds it, Sendmail's
 * "Sent (OK ... - gsmtp)") end with the trailer Google adds to every
 * reply of its servers */
static int
gsmtp(const struct pf_delivery *d)
{
	return ends_gsmtp(d->reply, d->reply_len) ||
	    ends_gsmtp(d->detail, d->detail_len);
}

/* pf_delivery_gmail - the relay is one of Google's, or the reply carries
 * Google's trailer; with no relay (relay=none: the connection failed) the
 * server named in the status text ("connect to NAME[IP]:25: ...") */
int
pf_delivery_gmail(const struct pf_delivery *d)
{
	const char *b, *a;
	char name[256];

	if (gsmtp(d))
		return 1;
	if (d->relay[0] != '\0' && strcmp(d->relay, "none") != 0)
		return google(d->relay);
	if (d->detail == NULL ||
	    (b = memchr(d->detail, '[', d->detail_len)) == NULL)
		return 0;
	for (a = b; a > d->detail && a[-1] != ' '; a--)
		;
	copy(name, sizeof(name), a, (size_t)(b - a));
	return google(name);
}

/* pf_dstatus_name - "sent", "deferred", "bounced", "other" */
const char *
pf_dstatus_name(enum pf_dstatus s)
{
	switch (s) {
	case PF_D_SENT:		return "sent";
	case PF_D_DEFERRED:	return "deferred";
	case PF_D_BOUNCED:	return "bounced";
	default:		return "other";
	}
}
