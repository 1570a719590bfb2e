/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * statespec.c - parse the State setting (none, lmdb:PATH, redis://...,
 * redis+unix:PATH).  Pure string work with fixed-size fields: a value
 * longer than a field is refused, never cut.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/pf.h"
#include "base/statespec.h"

/* bad - write the reason, return -1 */
static int
bad(char *why, size_t len, const char *msg, const char *s)
{
	snprintf(why, len, "%s: \"%.200s\"", msg, s);
	return -1;
}

/* copy - [p, p+n) into a field of size cap; -1 if it does not fit */
static int
copy(char *dst, size_t cap, const char *p, size_t n)
{
	if (n >= cap)
		return -1;
	memcpy(dst, p, n);
	dst[n] = '\0';
	return 0;
}

/* number - decimal [p, p+n) in [min, max] */
static int
number(const char *p, size_t n, int64_t min, int64_t max, unsigned *out)
{
	int64_t v;

	if (pf_strtonum(p, n, min, max, &v) != PF_OK)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* userinfo - "[USER]:PASSWORD" or "PASSWORD" before the '@' */
static int
userinfo(const char *p, size_t n, struct pf_state_spec *o)
{
	const char *colon = memchr(p, ':', n);

	if (colon == NULL)
		return copy(o->pass, sizeof(o->pass), p, n);
	if (copy(o->user, sizeof(o->user), p, (size_t)(colon - p)) != 0)
		return -1;
	return copy(o->pass, sizeof(o->pass), colon + 1,
	    n - (size_t)(colon - p) - 1);
}

/* parse_tcp - the part after "redis://" */
static int
parse_tcp(const char *s, const char *full, struct pf_state_spec *o,
    char *why, size_t wl)
{
	const char *at = strrchr(s, '@'), *h, *end, *slash, *colon;

	if (at != NULL) {
		if (userinfo(s, (size_t)(at - s), o) != 0)
			return bad(why, wl, "State: user or password too long",
			    full);
		s = at + 1;
	}
	slash = strchr(s, '/');
	end = slash != NULL ? slash : s + strlen(s);
	h = s;
	if (*h == '[') {
		const char *rb = memchr(h, ']', (size_t)(end - h));

		if (rb == NULL || (rb + 1 != end && rb[1] != ':'))
			return bad(why, wl, "State: bad [address]", full);
		if (copy(o->host, sizeof(o->host), h + 1,
		    (size_t)(rb - h - 1)) != 0)
			return bad(why, wl, "State: host too long", full);
		colon = rb + 1 < end ? rb + 1 : NULL;
	} else {
		colon = memchr(h, ':', (size_t)(end - h));
		if (copy(o->host, sizeof(o->host), h,
		    (size_t)((colon ? colon : end) - h)) != 0)
			return bad(why, wl, "State: host too long", full);
	}
	if (o->host[0] == '\0')
		return bad(why, wl, "State: no Redis host", full);
	o->port = PF_REDIS_PORT;
	if (colon != NULL && number(colon + 1, (size_t)(end - colon - 1), 1,
	    65535, &o->port) != 0)
		return bad(why, wl, "State: the port is not in 1..65535", full);
	if (slash != NULL && slash[1] != '\0' &&
	    number(slash + 1, strlen(slash + 1), 0, 65535, &o->db) != 0)
		return bad(why, wl, "State: the database is not a number",
		    full);
	return 0;
}

/* parse_unix - the part after "redis+unix:" */
static int
parse_unix(const char *s, const char *full, struct pf_state_spec *o,
    char *why, size_t wl)
{
	const char *q = strchr(s, '?'), *p, *amp, *end;

	if (s[0] != '/')
		return bad(why, wl, "State: the socket path must be absolute",
		    full);
	if (copy(o->path, sizeof(o->path), s, q ? (size_t)(q - s) :
	    strlen(s)) != 0)
		return bad(why, wl, "State: path too long", full);
	for (p = q ? q + 1 : NULL; p != NULL && *p != '\0'; p = amp ?
	    amp + 1 : NULL) {
		amp = strchr(p, '&');
		end = amp ? amp : p + strlen(p);
		if (strncmp(p, "db=", 3) == 0) {
			if (number(p + 3, (size_t)(end - p - 3), 0, 65535,
			    &o->db) != 0)
				return bad(why, wl, "State: db= is not a "
				    "number", full);
		} else if (strncmp(p, "password=", 9) == 0) {
			if (copy(o->pass, sizeof(o->pass), p + 9,
			    (size_t)(end - p - 9)) != 0)
				return bad(why, wl, "State: password too "
				    "long", full);
		} else if (strncmp(p, "user=", 5) == 0) {
			if (copy(o->user, sizeof(o->user), p + 5,
			    (size_t)(end - p - 5)) != 0)
				return bad(why, wl, "State: user too long",
				    full);
		} else
			return bad(why, wl, "State: unknown parameter (db=, "
			    "password=, user=)", full);
	}
	return 0;
}

/* pf_state_spec_parse - none, lmdb:PATH, redis://..., redis+unix:PATH */
int
pf_state_spec_parse(const char *s, struct pf_state_spec *o, char *why,
    size_t wl)
{
	memset(o, 0, sizeof(*o));
	if (strcasecmp(s, "none") == 0) {
		o->kind = PF_STATE_NONE;
		return 0;
	}
	if (strncasecmp(s, "lmdb:", 5) == 0) {
		o->kind = PF_STATE_LMDB;
		if (s[5] != '/')
			return bad(why, wl, "State: the LMDB path must be "
			    "absolute", s);
		if (copy(o->path, sizeof(o->path), s + 5, strlen(s + 5)) != 0)
			return bad(why, wl, "State: path too long", s);
		return 0;
	}
	if (strncasecmp(s, "redis://", 8) == 0) {
		o->kind = PF_STATE_REDIS;
		return parse_tcp(s + 8, s, o, why, wl);
	}
	if (strncasecmp(s, "redis+unix:", 11) == 0) {
		o->kind = PF_STATE_REDIS;
		return parse_unix(s + 11, s, o, why, wl);
	}
	return bad(why, wl, "State: expected none, lmdb:/PATH, "
	    "redis://HOST[:PORT][/DB] or redis+unix:/PATH", s);
}

/* pf_state_spec_name - for logs: the spec without its password */
const char *
pf_state_spec_name(const struct pf_state_spec *o, char *buf, size_t len)
{
	switch (o->kind) {
	case PF_STATE_NONE:
		snprintf(buf, len, "none");
		break;
	case PF_STATE_LMDB:
		snprintf(buf, len, "lmdb:%s", o->path);
		break;
	case PF_STATE_REDIS:
		if (o->path[0] != '\0')
			snprintf(buf, len, "redis+unix:%s?db=%u", o->path,
			    o->db);
		else
			snprintf(buf, len, "redis://%s%s%s:%u/%u",
			    strchr(o->host, ':') ? "[" : "", o->host,
			    strchr(o->host, ':') ? "]" : "", o->port, o->db);
		break;
	}
	return buf;
}
