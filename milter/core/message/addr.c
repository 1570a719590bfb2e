/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * addr.c - address syntax.  Header address lists (RFC 5322 3.4, with the
 * obsolete forms of section 4.4 that mail software still meets: routes,
 * empty list elements, dots in display names, CFWS around dots) are parsed
 * to count mailboxes and find the first valid one; envelope paths are held
 * to RFC 5321 4.1.2 and its size limits (4.5.3.1); domain names go through
 * libidn2 (IDNA 2008, UTS #46 non-transitional mapping).  Input is untrusted
 * header or envelope text of any length; nothing here allocates except the
 * conversion libidn2 makes.
 */
#include <arpa/inet.h>
#include <idn2.h>
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "message/addr.h"
#include "message/tok822.h"

/* quoted - p at '"': past the quoted-string; *ok = 0 when unterminated */
static const char *
quoted(const char *p, const char *e, int *ok)
{
	if (pf_tok_quoted(p, e, &p) != PF_TOK_OK)
		*ok = 0;
	return p;
}

/* comment - p at '(': past the comment; *ok = 0 when unterminated */
static const char *
comment(const char *p, const char *e, int *ok)
{
	if (pf_tok_comment(p, e, &p) != PF_TOK_OK)
		*ok = 0;
	return p;
}

/* only_cfws - [p, e) is all white space and comments; an unterminated
 * comment counts, and sets *ok = 0 */
static int
only_cfws(const char *p, const char *e, int *ok)
{
	if (pf_tok_cfws(p, e, &p) != PF_TOK_OK)
		*ok = 0;
	return p == e;
}

/*
 * clean - copy [p, e) without comments and white space outside quoted
 * strings into buf (the obs forms allow CFWS around the dots of an
 * addr-spec).  Notes encoded-words in quoted strings.  0 if it does not fit.
 */
static int
clean(const char *p, const char *e, char *buf, size_t cap, size_t *len,
    int *ok, int *ew_quoted)
{
	const char *q;
	size_t n = 0;

	while (p < e) {
		if (pf_tok_is_wsp(*p)) {
			p++;
			continue;
		}
		if (*p == '(') {
			p = comment(p, e, ok);
			continue;
		}
		q = *p == '"' ? quoted(p, e, ok) : p + 1;
		if (*p == '"' && pf_tok_has_ew(p, (size_t)(q - p)))
			*ew_quoted = 1;
		if ((size_t)(q - p) > cap - n)
			return 0;
		memcpy(buf + n, p, (size_t)(q - p));
		n += (size_t)(q - p);
		p = q;
	}
	*len = n;
	return 1;
}

/* local_ok - RFC 5322 3.4.1 local-part, tolerating obs-local-part and the
 * runs of dots some old systems still produce */
static int
local_ok(const char *p, const char *e)
{
	if (p == e || *p == '.')
		return 0;
	while (p < e) {
		if (*p == '"') {
			if (pf_tok_quoted(p, e, &p) != PF_TOK_OK)
				return 0;
		} else if (*p == '.' || pf_tok_is_atext((unsigned char)*p))
			p++;
		else
			return 0;
	}
	return 1;
}

/* domain_syntax - RFC 5322 dot-atom or (non-empty) domain-literal */
static int
domain_syntax(const char *p, const char *e, int *literal)
{
	*literal = p < e && *p == '[';
	if (*literal)
		return e - p >= 3 && pf_tok_literal_ok(p, e, 0);
	return pf_tok_dot_atom(p, e, 0);
}

/* addr_spec - check an addr-spec; fill the first valid one's domain */
static int
addr_spec(const char *p, const char *e, struct pf_addrlist *al, int *ok)
{
	char buf[1024];
	const char *at = NULL, *q;
	size_t len, i, dl;
	int lit;

	if (!clean(p, e, buf, sizeof(buf), &len, ok, &al->ew_quoted))
		return 0;
	/* the last '@' outside quoted strings */
	for (q = buf; q < buf + len; ) {
		if (*q == '"') {
			(void)pf_tok_quoted(q, buf + len, &q);
			continue;
		}
		if (*q == '@')
			at = q;
		q++;
	}
	if (at == NULL)
		return 0;
	if (pf_tok_has_ew(buf, (size_t)(at - buf)))
		al->ew_addrspec = 1;
	if (!local_ok(buf, at) || !domain_syntax(at + 1, buf + len, &lit))
		return 0;
	if (al->valid == 0) {
		dl = (size_t)(buf + len - at - 1);
		al->domain_cut = dl >= sizeof(al->domain);
		if (al->domain_cut)
			dl = sizeof(al->domain) - 1;
		for (i = 0; i < dl; i++) {
			unsigned char c = at[1 + i];
			al->domain[i] = c >= 'A' && c <= 'Z' ? c + 32 : c;
		}
		al->domain[dl] = '\0';
		al->domain_literal = lit;
	}
	return 1;
}

/* display_copy - the display name without comments and quote marks */
static void
display_copy(const char *p, const char *e, char *out, size_t cap)
{
	size_t n = 0;
	int ok = 1, sp = 0;

	while (p < e && n + 1 < cap) {
		if (*p == '(') {
			p = comment(p, e, &ok);
			continue;
		}
		if (*p == '"') {
			p++;
			continue;
		}
		if (*p == '\\' && p + 1 < e)
			p++;
		if (pf_tok_is_wsp(*p)) {
			sp = n > 0;
			p++;
			continue;
		}
		if (sp && n + 2 < cap)
			out[n++] = ' ';
		sp = 0;
		out[n++] = *p++;
	}
	out[n] = '\0';
}

/* mailbox - one element of the list: name-addr or addr-spec */
static void
mailbox(const char *p, const char *e, struct pf_addrlist *al, int *ok)
{
	const char *lt, *gt, *a, *c, *q, *r;
	int valid;
	char disp[PF_ADDR_DISPLAY_MAX + 1];

	disp[0] = '\0';
	al->count++;
	if ((lt = pf_tok_find(p, e, '<')) != NULL) {
		gt = pf_tok_find(lt + 1, e, '>');
		if (gt == NULL) {
			*ok = 0;
			return;
		}
		if (!only_cfws(gt + 1, e, ok))
			*ok = 0;
		display_copy(p, lt, disp, sizeof(disp));
		a = lt + 1;
		while (a < gt && pf_tok_is_wsp(*a))
			a++;
		/* obs-route: "@a,@b:" before the address */
		if (a < gt && *a == '@' && (c = pf_tok_find(a, gt, ':')) != NULL)
			a = c + 1;
		valid = addr_spec(a, gt, al, ok);
		/* a display name with encoded-words in quotes is checked too */
		for (q = p; (q = pf_tok_find(q, lt, '"')) != NULL; q = r) {
			(void)pf_tok_quoted(q, lt, &r);
			if (pf_tok_has_ew(q, (size_t)(r - q)))
				al->ew_quoted = 1;
		}
	} else
		valid = addr_spec(p, e, al, ok);
	if (valid) {
		if (al->valid == 0)
			memcpy(al->display, disp, sizeof(disp));
		al->valid++;
	} else
		*ok = 0;
}

/* the bytes the address-list walk stops at */
static const unsigned char list_stop[256] = {
	['"'] = 1, ['('] = 1, ['<'] = 1, ['['] = 1, [','] = 1, [';'] = 1,
	[':'] = 1,
};

/* list_skip - past the bytes of [q, e) the walk does not stop at, four
 * at a time while they last */
static const char *
list_skip(const char *q, const char *e)
{
	const unsigned char *u = (const unsigned char *)q;

	while (e - (const char *)u >= 4 && !(list_stop[u[0]] | list_stop[u[1]] |
	    list_stop[u[2]] | list_stop[u[3]]))
		u += 4;
	while ((const char *)u < e && !list_stop[*u])
		u++;
	return (const char *)u;
}

/* pf_addr_list_parse - count and check the mailboxes of an address list */
void
pf_addr_list_parse(const char *p, size_t len, struct pf_addrlist *al)
{
	const char *e = p + len, *s = p, *q = p;
	int ok = 1, group = 0;

	memset(al, 0, sizeof(*al));
	while (q <= e) {
		char c;

		q = list_skip(q, e);
		c = q < e ? *q : ',';

		if (q < e && *q == '"') {
			q = quoted(q, e, &ok);
			continue;
		}
		if (q < e && *q == '(') {
			q = comment(q, e, &ok);
			continue;
		}
		if (q < e && *q == '<') {
			const char *g = pf_tok_find(q, e, '>');
			q = g ? g + 1 : e;
			if (g == NULL)
				ok = 0;
			continue;
		}
		if (q < e && *q == '[') {
			(void)pf_tok_literal(q, e, &q);
			continue;
		}
		if (c == ',' || c == ';' || c == ':') {
			if (c == ':') {
				/* RFC 5322 3.4 group: no mailbox */
				if (group)
					ok = 0;
				group = 1;
			} else if (!only_cfws(s, q, &ok))
				mailbox(s, q, al, &ok);
			if (c == ';') {
				if (!group)
					ok = 0;
				group = 0;
			}
			s = q + 1;
		}
		q++;
	}
	if (group)
		ok = 0;		/* RFC 5322 3.4: a group ends with ';' */
	al->syntax_ok = ok;
}

/* ldh_ok - an ASCII host name: LDH labels of 1..63, 2+ labels, <= 253 */
static int
ldh_ok(const char *d)
{
	size_t n = strlen(d), lab = 0, labels = 0, i;
	int alldigit = 1;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i <= n; i++) {
		char c = d[i];

		if (c == '.' || c == '\0') {
			if (lab == 0 || lab > 63 || d[i - 1] == '-' ||
			    d[i - lab] == '-')
				return 0;
			labels++;
			if (c == '\0')
				break;
			lab = 0;
			alldigit = 1;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-'))
			return 0;
		if (c < '0' || c > '9')
			alldigit = 0;
		lab++;
	}
	return labels >= 2 && !alldigit;
}

/* ldh_plain - only letters, digits, '-' and '.', and no label with "--"
 * in its third and fourth places (an A-label, or what IDNA 2008 keeps
 * for one): libidn2 would only lowercase such a name */
static int
ldh_plain(const char *d, size_t len)
{
	size_t i, lab = 0;

	for (i = 0; i < len; i++) {
		char c = d[i];

		if (c == '.') {
			lab = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-'))
			return 0;
		if (lab++ == 3 && c == '-' && d[i - 1] == '-')
			return 0;
	}
	return 1;
}

/* pf_addr_domain_ok - a compliant domain name, IDNA 2008 through libidn2 */
int
pf_addr_domain_ok(const char *d, size_t len)
{
	char buf[256];
	char *out = NULL;
	int rc, flags = IDN2_NONTRANSITIONAL;

	if (len == 0 || len >= sizeof(buf) || memchr(d, '\0', len) != NULL)
		return 0;
	memcpy(buf, d, len);
	buf[len] = '\0';
	/* the common case, without libidn2's mapping tables: its answer
	 * for such a name is the name lowercased, and ldh_ok ignores case */
	if (ldh_plain(buf, len))
		return ldh_ok(buf);
#ifdef IDN2_ALABEL_ROUNDTRIP
	flags |= IDN2_ALABEL_ROUNDTRIP;
#endif
	rc = idn2_lookup_u8((const uint8_t *)buf, (uint8_t **)&out, flags);
	if (rc != IDN2_OK) {
		free(out);
		return 0;
	}
	rc = ldh_ok(out);
	free(out);
	return rc;
}

/* sub_domains - RFC 5321 Domain: sub-domain *("." sub-domain); U-labels
 * (8-bit) allowed when utf8 */
static int
sub_domains(const char *p, const char *e, int utf8, const char **why)
{
	size_t lab = 0;
	const char *q;

	if (p == e) {
		*why = "empty domain";
		return 0;
	}
	if ((size_t)(e - p) > 255) {
		*why = "domain over 255 octets";
		return 0;
	}
	for (q = p; q <= e; q++) {
		unsigned char c = q < e ? *q : '.';

		if (c == '.') {
			if (lab == 0 || q[-1] == '-') {
				*why = "bad domain label";
				return 0;
			}
			lab = 0;
			continue;
		}
		if (lab == 0 && c == '-') {
			*why = "bad domain label";
			return 0;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' ||
		    (utf8 && c >= 0x80))) {
			*why = "bad character in domain";
			return 0;
		}
		if (++lab > 63) {
			*why = "domain label over 63 octets";
			return 0;
		}
	}
	return 1;
}

/* addr_literal - RFC 5321 4.1.3 address-literal */
static int
addr_literal(const char *p, const char *e)
{
	char buf[64];
	unsigned char sink[16];
	size_t n = (size_t)(e - p);

	if (n < 2 || n - 2 >= sizeof(buf) || e[-1] != ']')
		return 0;
	memcpy(buf, p + 1, n - 2);
	buf[n - 2] = '\0';
	if (strncmp(buf, "IPv6:", 5) == 0)
		return inet_pton(AF_INET6, buf + 5, sink) == 1;
	return inet_pton(AF_INET, buf, sink) == 1;
}

/* path_route - RFC 5321 A-d-l "@a,@b:" (obsolete, still valid syntax) at
 * p: past its ':', or NULL with *why set */
static const char *
path_route(const char *p, const char *e, int utf8, const char **why)
{
	const char *q, *c;

	if ((q = memchr(p, ':', (size_t)(e - p))) == NULL) {
		*why = "source route without ':'";
		return NULL;
	}
	while (p < q) {
		if ((c = memchr(p, ',', (size_t)(q - p))) == NULL)
			c = q;
		if (*p != '@' || !sub_domains(p + 1, c, utf8, why)) {
			*why = "bad source route";
			return NULL;
		}
		p = c == q ? q : c + 1;
	}
	return q + 1;
}

/* path_quoted - RFC 5321 Quoted-string local-part at p: its '@', or NULL
 * with *why set */
static const char *
path_quoted(const char *p, const char *e, int utf8, const char **why)
{
	const char *q, *c;

	if (pf_tok_quoted(p, e, &q) != PF_TOK_OK || q >= e || *q != '@') {
		*why = "bad quoted local-part";
		return NULL;
	}
	for (c = p + 1; c < q - 1; c++)
		if ((unsigned char)*c < 32 || (*c == 127) ||
		    ((unsigned char)*c >= 0x80 && !utf8)) {
			*why = "bad character in quoted local-part";
			return NULL;
		}
	return q;
}

/* path_dot_string - RFC 5321 Dot-string = Atom *("." Atom) local-part at
 * p: its '@', or NULL with *why set */
static const char *
path_dot_string(const char *p, const char *e, int utf8, const char **why)
{
	const char *at, *q;

	if ((at = memchr(p, '@', (size_t)(e - p))) == NULL) {
		*why = "no '@' in the address";
		return NULL;
	}
	if (at == p || *p == '.' || at[-1] == '.') {
		*why = "bad local-part";
		return NULL;
	}
	for (q = p; q < at; q++) {
		unsigned char c = *q;
		if (c == '.' && q[1] == '.') {
			*why = "empty atom in local-part";
			return NULL;
		}
		if (c != '.' &&
		    (!pf_tok_is_atext(c) || (c >= 0x80 && !utf8))) {
			*why = "bad character in local-part";
			return NULL;
		}
	}
	return at;
}

/* pf_addr_path_check - RFC 5321 4.1.2 Path, sizes of 4.5.3.1 */
int
pf_addr_path_check(const char *s, int flags, const char **why)
{
	const char *e = s + strlen(s), *p = s, *at;
	int utf8 = (flags & PF_ADDR_UTF8) != 0;

	*why = "";
	if (p == e) {
		if (flags & PF_ADDR_NULL_OK)
			return PF_OK;
		*why = "empty path";
		return PF_ESYNTAX;
	}
	if ((size_t)(e - p) + 2 > 256) {
		*why = "path over 256 octets";
		return PF_ESYNTAX;
	}
	if (*p == '@' && (p = path_route(p, e, utf8, why)) == NULL)
		return PF_ESYNTAX;
	if (p < e && *p == '"')
		at = path_quoted(p, e, utf8, why);
	else
		at = path_dot_string(p, e, utf8, why);
	if (at == NULL)
		return PF_ESYNTAX;
	if (at - p > 64) {
		*why = "local-part over 64 octets";
		return PF_ESYNTAX;
	}
	if (at + 1 < e && at[1] == '[') {
		if (!addr_literal(at + 1, e)) {
			*why = "bad address literal";
			return PF_ESYNTAX;
		}
		return PF_OK;
	}
	if (!sub_domains(at + 1, e, utf8, why))
		return PF_ESYNTAX;
	return PF_OK;
}

/* pf_addr_domain_of - what follows the last '@' */
const char *
pf_addr_domain_of(const char *s)
{
	const char *at = strrchr(s, '@');

	return at ? at + 1 : NULL;
}
