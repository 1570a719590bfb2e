/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sendmem.c - the sender memory (see sendmem.h): a direct-mapped table of
 * PF_SENDMEM_SLOTS slots under one lock, allocated once, so a stream of
 * distinct domains overwrites slots and never grows it.  Names are
 * checked here (letters, digits, '-', '_', '.'; bounded lengths) before
 * they are kept, since they come from messages and from the store.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/sendmem.h"

struct slot {
	char		 dom[PF_SENDMEM_DOM];	/* "" if unused */
	struct pf_sender s;
	int		 dirty;		/* changed since handed out */
	int64_t		 written;	/* when last handed out */
};

struct pf_sendmem {
	pthread_mutex_t	 mu;
	struct slot	 slot[PF_SENDMEM_SLOTS];
};

/* pf_sendmem_new - every slot empty */
struct pf_sendmem *
pf_sendmem_new(void)
{
	struct pf_sendmem *m = calloc(1, sizeof(*m));

	if (m != NULL)
		pthread_mutex_init(&m->mu, NULL);
	return m;
}

/* pf_sendmem_free - NULL is a no-op */
void
pf_sendmem_free(struct pf_sendmem *m)
{
	if (m == NULL)
		return;
	pthread_mutex_destroy(&m->mu);
	free(m);
}

/* name_ok - a name we keep: [A-Za-z0-9._-], 1..len-1 bytes */
static int
name_ok(const char *p, size_t n, size_t len)
{
	size_t i;

	if (n == 0 || n >= len)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '-' &&
		    p[i] != '_' && p[i] != '.')
			return 0;
	return 1;
}

/* lower - [p, p+n) lower-cased into buf (n < len checked by name_ok) */
static void
lower(char *buf, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (char)tolower((unsigned char)p[i]);
	buf[n] = '\0';
}

/* pf_sendmem_domain - envelope domain, or HELO for a null sender */
int
pf_sendmem_domain(const char *mail_from, const char *helo, char *buf,
    size_t len)
{
	const char *at, *p;
	size_t n;

	if (mail_from == NULL)
		return 0;
	if ((at = strrchr(mail_from, '@')) != NULL)
		p = at + 1;
	else if (helo != NULL)
		p = helo;
	else
		return 0;
	n = strcspn(p, ">");
	if (len > PF_SENDMEM_DOM)
		len = PF_SENDMEM_DOM;
	if (!name_ok(p, n, len))
		return 0;
	lower(buf, p, n);
	return 1;
}

/* slot_of - FNV-1a of the (lower-case) domain */
static struct slot *
slot_of(struct pf_sendmem *m, const char *dom)
{
	uint32_t h = 2166136261u;

	for (; *dom != '\0'; dom++)
		h = (h ^ (unsigned char)*dom) * 16777619u;
	return &m->slot[h % PF_SENDMEM_SLOTS];
}

/* pf_sendmem_get - dom's slot, if it holds dom */
int
pf_sendmem_get(struct pf_sendmem *m, const char *dom, struct pf_sender *out)
{
	struct slot *sl;
	int found = 0;

	if (m == NULL || dom == NULL || *dom == '\0')
		return 0;
	sl = slot_of(m, dom);
	pthread_mutex_lock(&m->mu);
	if (strcmp(sl->dom, dom) == 0) {
		*out = sl->s;
		found = 1;
	}
	pthread_mutex_unlock(&m->mu);
	return found;
}

/* pf_sendmem_put - dom's entry from the store: not dirty */
void
pf_sendmem_put(struct pf_sendmem *m, const char *dom,
    const struct pf_sender *s)
{
	struct slot *sl;
	size_t n;

	if (m == NULL || dom == NULL || (n = strlen(dom)) == 0 ||
	    n >= PF_SENDMEM_DOM)
		return;
	sl = slot_of(m, dom);
	pthread_mutex_lock(&m->mu);
	memcpy(sl->dom, dom, n + 1);
	sl->s = *s;
	sl->dirty = 0;
	sl->written = 0;	/* refreshed after the first new message */
	pthread_mutex_unlock(&m->mu);
}

/* has_from - is dom in s's From list? */
static int
has_from(const struct pf_sender *s, const char *dom)
{
	size_t i;

	for (i = 0; i < PF_SENDMEM_FROM && s->from[i][0] != '\0'; i++)
		if (strcmp(s->from[i], dom) == 0)
			return 1;
	return 0;
}

/* has_key - is (sel, dom) in s's key list? */
static int
has_key(const struct pf_sender *s, const char *sel, const char *dom)
{
	size_t i;

	for (i = 0; i < PF_SENDMEM_KEYS && s->key[i].s[0] != '\0'; i++)
		if (strcmp(s->key[i].s, sel) == 0 &&
		    strcmp(s->key[i].d, dom) == 0)
			return 1;
	return 0;
}

/* pf_sender_add_from - append a From domain (lower case) */
int
pf_sender_add_from(struct pf_sender *s, const char *dom)
{
	size_t i, n = strlen(dom);
	char low[PF_SENDMEM_DOM];

	if (!name_ok(dom, n, PF_SENDMEM_DOM))
		return 0;
	lower(low, dom, n);
	if (has_from(s, low))
		return 0;
	for (i = 0; i < PF_SENDMEM_FROM; i++)
		if (s->from[i][0] == '\0') {
			memcpy(s->from[i], low, n + 1);
			return 1;
		}
	return 0;
}

/* pf_sender_add_key - append a key: selector as given, domain lower case */
int
pf_sender_add_key(struct pf_sender *s, const char *sel, const char *dom)
{
	size_t i, n = strlen(dom), k = strlen(sel);
	char low[PF_SENDMEM_DOM];

	if (!name_ok(dom, n, PF_SENDMEM_DOM) ||
	    !name_ok(sel, k, PF_SENDMEM_SEL))
		return 0;
	lower(low, dom, n);
	if (has_key(s, sel, low))
		return 0;
	for (i = 0; i < PF_SENDMEM_KEYS; i++)
		if (s->key[i].s[0] == '\0') {
			memcpy(s->key[i].s, sel, k + 1);
			memcpy(s->key[i].d, low, n + 1);
			return 1;
		}
	return 0;
}

/* pf_sender_empty - no From domain and no key */
int
pf_sender_empty(const struct pf_sender *s)
{
	return s->from[0][0] == '\0' && s->key[0].s[0] == '\0';
}

/* same - the same names in both, in whatever order */
static int
same(const struct pf_sender *a, const struct pf_sender *b)
{
	size_t i, na = 0, nb = 0;

	for (i = 0; i < PF_SENDMEM_FROM; i++) {
		na += a->from[i][0] != '\0';
		nb += b->from[i][0] != '\0';
		if (a->from[i][0] != '\0' && !has_from(b, a->from[i]))
			return 0;
	}
	for (i = 0; i < PF_SENDMEM_KEYS; i++) {
		na += a->key[i].s[0] != '\0';
		nb += b->key[i].s[0] != '\0';
		if (a->key[i].s[0] != '\0' &&
		    !has_key(b, a->key[i].s, a->key[i].d))
			return 0;
	}
	return na == nb;
}

/* merge - seen's names first, then old's, as many as fit */
static void
merge(const struct pf_sender *seen, const struct pf_sender *old,
    struct pf_sender *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < PF_SENDMEM_FROM; i++)
		(void)pf_sender_add_from(out, seen->from[i]);
	for (i = 0; i < PF_SENDMEM_FROM; i++)
		(void)pf_sender_add_from(out, old->from[i]);
	for (i = 0; i < PF_SENDMEM_KEYS; i++)
		(void)pf_sender_add_key(out, seen->key[i].s, seen->key[i].d);
	for (i = 0; i < PF_SENDMEM_KEYS; i++)
		(void)pf_sender_add_key(out, old->key[i].s, old->key[i].d);
}

/* pf_sendmem_learn - what a message showed, in front */
void
pf_sendmem_learn(struct pf_sendmem *m, const char *dom,
    const struct pf_sender *seen)
{
	static const struct pf_sender none;
	struct pf_sender merged;
	struct slot *sl;
	size_t n;

	if (m == NULL || dom == NULL || (n = strlen(dom)) == 0 ||
	    n >= PF_SENDMEM_DOM || pf_sender_empty(seen))
		return;
	sl = slot_of(m, dom);
	pthread_mutex_lock(&m->mu);
	if (strcmp(sl->dom, dom) != 0) {
		memcpy(sl->dom, dom, n + 1);
		merge(seen, &none, &sl->s);
		sl->dirty = 1;
		sl->written = 0;
	} else {
		merge(seen, &sl->s, &merged);
		if (!same(&merged, &sl->s))
			sl->dirty = 1;
		sl->s = merged;
	}
	pthread_mutex_unlock(&m->mu);
}

/* pf_sendmem_dirty - the entry to write to the store, if it is due */
int
pf_sendmem_dirty(struct pf_sendmem *m, const char *dom, int64_t now,
    struct pf_sender *out)
{
	struct slot *sl;
	int due = 0;

	if (m == NULL || dom == NULL || *dom == '\0')
		return 0;
	sl = slot_of(m, dom);
	pthread_mutex_lock(&m->mu);
	if (strcmp(sl->dom, dom) == 0 && !pf_sender_empty(&sl->s) &&
	    (sl->dirty || now - sl->written >= PF_SENDMEM_REFRESH)) {
		*out = sl->s;
		sl->dirty = 0;
		sl->written = now;
		due = 1;
	}
	pthread_mutex_unlock(&m->mu);
	return due;
}

/* pf_sender_format - the text form */
void
pf_sender_format(const struct pf_sender *s, char *buf, size_t len)
{
	size_t i, o;

	o = (size_t)snprintf(buf, len, "f=");
	for (i = 0; i < PF_SENDMEM_FROM && s->from[i][0] != '\0' && o < len;
	    i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? "," : "",
		    s->from[i]);
	if (o < len)
		o += (size_t)snprintf(buf + o, len - o, ";k=");
	for (i = 0; i < PF_SENDMEM_KEYS && s->key[i].s[0] != '\0' && o < len;
	    i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s:%s", i ? "," : "",
		    s->key[i].s, s->key[i].d);
}

/* item - the next comma-separated item of [*p, e) into buf; 0 at the end
 * or if it does not fit */
static int
item(const char **p, const char *e, char *buf, size_t len)
{
	const char *c;
	size_t n;

	if (*p >= e)
		return 0;
	c = memchr(*p, ',', (size_t)(e - *p));
	n = (size_t)((c != NULL ? c : e) - *p);
	if (n < len) {
		memcpy(buf, *p, n);
		buf[n] = '\0';
	} else
		buf[0] = '\0';
	*p = c != NULL ? c + 1 : e;
	return 1;
}

/* pf_sender_parse - the text form, each name checked again */
int
pf_sender_parse(const char *text, struct pf_sender *out)
{
	const char *p = text, *e, *semi;
	char one[PF_SENDMEM_SEL + PF_SENDMEM_DOM + 2], *colon;
	int list;

	memset(out, 0, sizeof(*out));
	if (text == NULL)
		return 0;
	e = text + strlen(text);
	while (p < e) {
		semi = memchr(p, ';', (size_t)(e - p));
		if (semi == NULL)
			semi = e;
		list = semi - p >= 2 && p[1] == '=' ? p[0] : 0;
		for (p += list ? 2 : 0; list && item(&p, semi, one,
		    sizeof(one));)
			if (list == 'f')
				(void)pf_sender_add_from(out, one);
			else if (list == 'k' &&
			    (colon = strchr(one, ':')) != NULL) {
				*colon = '\0';
				(void)pf_sender_add_key(out, one, colon + 1);
			}
		p = semi + 1;
	}
	return !pf_sender_empty(out);
}
