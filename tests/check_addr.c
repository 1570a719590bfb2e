/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_addr.c - address lists, envelope paths and domain names.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "message/addr.h"
#include "lib/pftest.h"

static const struct list_row {
	const char	*label;
	const char	*in;
	size_t		 count, valid;
	int		 syntax_ok;
	const char	*domain;
	const char	*display;
	int		 ew_addrspec, ew_quoted;
} list_rows[] = {
	{ "bare addr-spec", " a@example.com", 1, 1, 1, "example.com", "", 0, 0 },
	{ "name-addr", " John Doe <j@Example.COM>", 1, 1, 1, "example.com",
	  "John Doe", 0, 0 },
	{ "quoted display", " \"Doe, John\" <j@x.example>", 1, 1, 1,
	  "x.example", "Doe, John", 0, 0 },
	{ "comment display", " j@x.example (John)", 1, 1, 1, "x.example",
	  "", 0, 0 },
	{ "two addresses", " a@x.example, b@y.example", 2, 2, 1, "x.example",
	  "", 0, 0 },
	{ "angle only", " <a@x.example>", 1, 1, 1, "x.example", "", 0, 0 },
	{ "folded", " John\r\n Doe\r\n <j@x.example>", 1, 1, 1, "x.example",
	  "John Doe", 0, 0 },
	{ "group", " team: a@x.example, b@x.example;", 2, 2, 1, "x.example",
	  "", 0, 0 },
	{ "empty group", " undisclosed-recipients:;", 0, 0, 1, "", "", 0, 0 },
	{ "unterminated group", " team: a@x.example", 1, 1, 0, "x.example",
	  "", 0, 0 },
	{ "obs route", " <@relay.example:a@x.example>", 1, 1, 1, "x.example",
	  "", 0, 0 },
	{ "obs empty element", " a@x.example,, b@x.example", 2, 2, 1,
	  "x.example", "", 0, 0 },
	{ "obs dot in phrase", " J. Doe <j@x.example>", 1, 1, 1, "x.example",
	  "J. Doe", 0, 0 },
	{ "quoted local", " \"a b\"@x.example", 1, 1, 1, "x.example", "", 0,
	  0 },
	{ "cfws around at", " a (c) @ (d) x.example", 1, 1, 1, "x.example",
	  "", 0, 0 },
	{ "domain literal", " a@[192.0.2.1]", 1, 1, 1, "[192.0.2.1]", "", 0,
	  0 },
	{ "no at", " John", 1, 0, 0, "", "", 0, 0 },
	{ "empty", "", 0, 0, 1, "", "", 0, 0 },
	{ "empty angle", " <>", 1, 0, 0, "", "", 0, 0 },
	{ "two ats", " a@b@x.example", 1, 0, 0, "", "", 0, 0 },
	{ "unclosed angle", " John <j@x.example", 1, 0, 0, "", "", 0, 0 },
	{ "junk after angle", " <j@x.example> junk", 1, 1, 0, "x.example",
	  "", 0, 0 },
	{ "domain with double dot", " a@x..example", 1, 0, 0, "", "", 0, 0 },
	{ "utf8 address", " ü@bücher.example", 1, 1, 1, "bücher.example", "",
	  0, 0 },
	{ "encoded-word in local part", " =?utf-8?q?a?=@x.example", 1, 1, 1,
	  "x.example", "", 1, 0 },
	{ "encoded-word in quotes", " \"=?utf-8?q?J=C3=B6rg?=\" <j@x.example>",
	  1, 1, 1, "x.example", "=?utf-8?q?J=C3=B6rg?=", 0, 1 },
	{ "encoded-word unquoted is fine", " =?utf-8?q?J=C3=B6rg?= <j@x.example>",
	  1, 1, 1, "x.example", "=?utf-8?q?J=C3=B6rg?=", 0, 0 },
	{ "second valid after invalid", " bad, b@y.example", 2, 1, 0,
	  "y.example", "", 0, 0 },
	{ "comma in quoted display", " \"a, b\" <x@y.example>, c@d.example",
	  2, 2, 1, "y.example", "a, b", 0, 0 },
	/* the walk skips four bytes a step: stops at every offset */
	{ "stop at offset 1", "ab@x.example,c@y.example", 2, 2, 1,
	  "x.example", "", 0, 0 },
	{ "stop at offset 2", "abc@x.example,c@y.example(z)", 2, 2, 1,
	  "x.example", "", 0, 0 },
	{ "stop at offset 3", "abcd@x.example,c@y.example<", 2, 1, 0,
	  "x.example", "", 0, 0 },
	{ "stop at the last byte", "Ann Lee <a@x.example>", 1, 1, 1,
	  "x.example", "Ann Lee", 0, 0 },
};

START_TEST(test_list)
{
	const struct list_row *r = &list_rows[_i];
	struct pf_addrlist al;

	pf_addr_list_parse(r->in, strlen(r->in), &al);
	ck_assert_msg(al.count == r->count, "%s: count %zu", r->label,
	    al.count);
	ck_assert_msg(al.valid == r->valid, "%s: valid %zu", r->label,
	    al.valid);
	ck_assert_msg(al.syntax_ok == r->syntax_ok, "%s: syntax %d", r->label,
	    al.syntax_ok);
	ck_assert_msg(strcmp(al.domain, r->domain) == 0, "%s: domain [%s]",
	    r->label, al.domain);
	ck_assert_msg(strcmp(al.display, r->display) == 0, "%s: display [%s]",
	    r->label, al.display);
	ck_assert_msg(al.ew_addrspec == r->ew_addrspec, "%s: ew addrspec",
	    r->label);
	ck_assert_msg(al.ew_quoted == r->ew_quoted, "%s: ew quoted",
	    r->label);
}
END_TEST

static char long_local[80], long_domain[300], long_path[300];

static const struct path_row {
	const char	*label;
	const char	*in;
	int		 flags;
	int		 want_ok;
} path_rows[] = {
	{ "plain", "a@example.com", 0, 1 },
	{ "null reverse-path", "", PF_ADDR_NULL_OK, 1 },
	{ "null forward-path", "", 0, 0 },
	{ "no at", "postmaster", 0, 0 },
	{ "dot-string", "first.last@example.com", 0, 1 },
	{ "double dot", "first..last@example.com", 0, 0 },
	{ "leading dot", ".a@example.com", 0, 0 },
	{ "quoted local", "\"a b\"@example.com", 0, 1 },
	{ "space unquoted", "a b@example.com", 0, 0 },
	{ "source route", "@r1.example,@r2.example:a@example.com", 0, 1 },
	{ "bad source route", "@:a@example.com", 0, 0 },
	{ "ipv4 literal", "a@[192.0.2.1]", 0, 1 },
	{ "ipv6 literal", "a@[IPv6:2001:db8::1]", 0, 1 },
	{ "bad literal", "a@[300.1.1.1]", 0, 0 },
	{ "underscore in domain", "a@ex_ample.com", 0, 0 },
	{ "hyphen edge", "a@-example.com", 0, 0 },
	{ "trailing dot", "a@example.com.", 0, 0 },
	{ "utf8 without smtputf8", "ü@example.com", 0, 0 },
	{ "utf8 with smtputf8", "ü@bücher.example", PF_ADDR_UTF8, 1 },
	{ "local 64", NULL, 0, 1 },	/* filled in below */
	{ "local 65", NULL, 0, 0 },
	{ "domain label 64", NULL, 0, 0 },
	{ "path 257", NULL, 0, 0 },
};

/* fill - the generated rows: lengths at the edge of RFC 5321 4.5.3.1 */
static const char *
fill(const struct path_row *r)
{
	if (r->in != NULL)
		return r->in;
	if (strcmp(r->label, "local 64") == 0 ||
	    strcmp(r->label, "local 65") == 0) {
		size_t n = r->label[7] == '4' ? 64 : 65;
		memset(long_local, 'a', n);
		memcpy(long_local + n, "@x.example", 11);
		return long_local;
	}
	if (strcmp(r->label, "domain label 64") == 0) {
		memcpy(long_domain, "a@", 2);
		memset(long_domain + 2, 'd', 64);
		memcpy(long_domain + 66, ".example", 9);
		return long_domain;
	}
	/* 255 octets between the brackets: 63.63.63.61 labels */
	memcpy(long_path, "a@", 2);
	memset(long_path + 2, 'b', 255);
	for (size_t i = 2 + 63; i < 257; i += 64)
		long_path[i] = '.';
	long_path[257] = '\0';
	return long_path;
}

START_TEST(test_path)
{
	const struct path_row *r = &path_rows[_i];
	const char *why;
	int rc = pf_addr_path_check(fill(r), r->flags, &why);

	ck_assert_msg((rc == PF_OK) == r->want_ok, "%s: rc %d (%s)", r->label,
	    rc, why);
	if (rc != PF_OK)
		ck_assert_msg(*why != '\0', "%s: no reason", r->label);
}
END_TEST

static const struct dom_row {
	const char	*label;
	const char	*in;
	int		 want;
} dom_rows[] = {
	{ "ascii", "example.com", 1 },
	{ "upper case", "EXAMPLE.com", 1 },
	{ "u-label", "bücher.example", 1 },
	{ "a-label", "xn--bcher-kva.example", 1 },
	{ "bad a-label", "xn--zz-.example", 0 },
	{ "invalid punycode", "xn--a.example", 0 },
	{ "one label", "localhost", 0 },
	{ "underscore", "a_b.example", 0 },
	{ "empty label", "a..example", 0 },
	{ "hyphen end", "a-.example", 0 },
	{ "numeric tld", "192.0.2.1", 0 },
	{ "literal", "[192.0.2.1]", 0 },
	{ "disallowed code point", "a\xe2\x98\x83.example", 0 },	/* snowman */
	{ "label 63", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example", 1 },
	{ "label 64", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example", 0 },
	{ "empty", "", 0 },
	/* libidn2's answers for names that are LDH already */
	{ "hyphens 3-4", "ab--cd.example", 0 },
	{ "hyphens 2-3", "0--0.example", 1 },
	{ "upper a-label", "XN--BCHER-KVA.example", 1 },
	{ "hyphen start", "-a.example", 0 },
	{ "empty a-label", "xn--.example", 0 },
	{ "trailing dot", "a.example.", 0 },
};

START_TEST(test_domain)
{
	const struct dom_row *r = &dom_rows[_i];

	ck_assert_msg(pf_addr_domain_ok(r->in, strlen(r->in)) == r->want,
	    "%s", r->label);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("addr");
	TCase *tc = pf_test_case(s, "addr");

	tcase_add_loop_test(tc, test_list, 0, PF_NELEM(list_rows));
	tcase_add_loop_test(tc, test_path, 0, PF_NELEM(path_rows));
	tcase_add_loop_test(tc, test_domain, 0, PF_NELEM(dom_rows));
	return pf_test_run(s);
}
