/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_sendmem.c - the sender memory on its own: what a message teaches
 * and in which order, when an entry is due for the state store, the text
 * form and hostile text, threads, and a stream of distinct domains that
 * must not grow the process's memory.
 */
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/sendmem.h"
#include "lib/pftest.h"

/* seen - a message's From domain and one key */
static struct pf_sender
seen(const char *from, const char *sel, const char *d)
{
	struct pf_sender s;

	memset(&s, 0, sizeof(s));
	if (from != NULL)
		ck_assert(pf_sender_add_from(&s, from));
	if (sel != NULL)
		ck_assert(pf_sender_add_key(&s, sel, d));
	return s;
}

/* The key of a message: the envelope domain, else the HELO name. */
START_TEST(test_domain)
{
	char buf[PF_SENDMEM_DOM], longname[300];

	ck_assert(pf_sendmem_domain("<Alice@Mail.Example.COM>", "h", buf,
	    sizeof(buf)));
	ck_assert_str_eq(buf, "mail.example.com");
	ck_assert(pf_sendmem_domain("bob@example.net", NULL, buf,
	    sizeof(buf)));
	ck_assert_str_eq(buf, "example.net");
	ck_assert(pf_sendmem_domain("<>", "MTA.Example.org", buf,
	    sizeof(buf)));
	ck_assert_str_eq(buf, "mta.example.org");
	ck_assert(!pf_sendmem_domain("<>", NULL, buf, sizeof(buf)));
	ck_assert(!pf_sendmem_domain(NULL, "h.example", buf, sizeof(buf)));
	ck_assert(!pf_sendmem_domain("<a@>", NULL, buf, sizeof(buf)));
	ck_assert(!pf_sendmem_domain("<a@bad domain>", NULL, buf,
	    sizeof(buf)));
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	longname[0] = '@';
	ck_assert(!pf_sendmem_domain(longname, NULL, buf, sizeof(buf)));
}
END_TEST

/* Most recent first, a bounded list, and names checked. */
START_TEST(test_learn)
{
	struct pf_sendmem *m = pf_sendmem_new();
	struct pf_sender s, got;
	char name[PF_SENDMEM_SEL + 8];
	int i;

	ck_assert_ptr_nonnull(m);
	ck_assert(!pf_sendmem_get(m, "bounce.example", &got));
	s = seen("news.example", "sel1", "news.example");
	pf_sendmem_learn(m, "bounce.example", &s);
	ck_assert(pf_sendmem_get(m, "bounce.example", &got));
	ck_assert_str_eq(got.from[0], "news.example");
	ck_assert_str_eq(got.key[0].s, "sel1");
	ck_assert_str_eq(got.key[0].d, "news.example");
	s = seen("Shop.Example", "s2", "esp.example");
	pf_sendmem_learn(m, "bounce.example", &s);
	ck_assert(pf_sendmem_get(m, "bounce.example", &got));
	ck_assert_str_eq(got.from[0], "shop.example");
	ck_assert_str_eq(got.from[1], "news.example");
	ck_assert_str_eq(got.key[0].s, "s2");
	ck_assert_str_eq(got.key[1].s, "sel1");
	/* seen again: to the front, not twice */
	s = seen("news.example", NULL, NULL);
	pf_sendmem_learn(m, "bounce.example", &s);
	ck_assert(pf_sendmem_get(m, "bounce.example", &got));
	ck_assert_str_eq(got.from[0], "news.example");
	ck_assert_str_eq(got.from[1], "shop.example");
	ck_assert_str_eq(got.from[2], "");
	/* more than fit: the oldest go */
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "d%d.example", i);
		s = seen(name, "k", name);
		pf_sendmem_learn(m, "bounce.example", &s);
	}
	ck_assert(pf_sendmem_get(m, "bounce.example", &got));
	ck_assert_str_eq(got.from[0], "d9.example");
	ck_assert_str_eq(got.from[PF_SENDMEM_FROM - 1], "d7.example");
	ck_assert_str_eq(got.key[0].d, "d9.example");
	ck_assert_str_eq(got.key[PF_SENDMEM_KEYS - 1].d, "d7.example");
	/* names that are not names, or too long, are not kept */
	memset(&s, 0, sizeof(s));
	ck_assert(!pf_sender_add_from(&s, "a b.example"));
	ck_assert(!pf_sender_add_from(&s, ""));
	ck_assert(!pf_sender_add_key(&s, "s;1", "example.com"));
	memset(name, 'x', sizeof(name) - 1);
	name[PF_SENDMEM_SEL] = '\0';		/* one byte too long */
	ck_assert(!pf_sender_add_key(&s, name, "example.com"));
	ck_assert(pf_sender_empty(&s));
	/* nothing seen teaches nothing */
	pf_sendmem_learn(m, "quiet.example", &s);
	ck_assert(!pf_sendmem_get(m, "quiet.example", &got));
	pf_sendmem_free(m);
}
END_TEST

/* An entry goes to the store when it changed, or once a day. */
START_TEST(test_dirty)
{
	struct pf_sendmem *m = pf_sendmem_new();
	struct pf_sender s, got;
	const int64_t t = 1800000000;

	ck_assert_ptr_nonnull(m);
	ck_assert(!pf_sendmem_dirty(m, "a.example", t, &got));
	s = seen("a.example", "sel", "a.example");
	pf_sendmem_learn(m, "a.example", &s);
	ck_assert(pf_sendmem_dirty(m, "a.example", t, &got));
	ck_assert_str_eq(got.key[0].s, "sel");
	ck_assert(!pf_sendmem_dirty(m, "a.example", t + 1, &got));
	/* the same names again: nothing to write */
	pf_sendmem_learn(m, "a.example", &s);
	ck_assert(!pf_sendmem_dirty(m, "a.example", t + 2, &got));
	/* a day later, written again so the store keeps it */
	ck_assert(pf_sendmem_dirty(m, "a.example", t + PF_SENDMEM_REFRESH,
	    &got));
	/* a new key: written */
	s = seen(NULL, "sel2", "a.example");
	pf_sendmem_learn(m, "a.example", &s);
	ck_assert(pf_sendmem_dirty(m, "a.example", t + PF_SENDMEM_REFRESH +
	    1, &got));
	/* read from the store: not written back until a message is seen
	 * (then once, which keeps it in the store) */
	s = seen("b.example", NULL, NULL);
	pf_sendmem_put(m, "b.example", &s);
	ck_assert(pf_sendmem_get(m, "b.example", &got));
	ck_assert_str_eq(got.from[0], "b.example");
	/* the store knew nothing: remembered as such */
	memset(&s, 0, sizeof(s));
	pf_sendmem_put(m, "c.example", &s);
	ck_assert(pf_sendmem_get(m, "c.example", &got));
	ck_assert(pf_sender_empty(&got));
	ck_assert(!pf_sendmem_dirty(m, "c.example", t, &got));
	pf_sendmem_free(m);
}
END_TEST

/* The text form round-trips; hostile text yields only valid names. */
START_TEST(test_text)
{
	struct pf_sender s, back;
	char buf[PF_SENDMEM_TEXT], big[4096];
	size_t i;

	memset(&s, 0, sizeof(s));
	ck_assert(pf_sender_add_from(&s, "a.example"));
	ck_assert(pf_sender_add_from(&s, "b.example"));
	ck_assert(pf_sender_add_key(&s, "sel1", "a.example"));
	ck_assert(pf_sender_add_key(&s, "2024a", "esp.example"));
	pf_sender_format(&s, buf, sizeof(buf));
	ck_assert_str_eq(buf, "f=a.example,b.example;k=sel1:a.example,"
	    "2024a:esp.example");
	ck_assert(pf_sender_parse(buf, &back));
	ck_assert_mem_eq(&s, &back, sizeof(s));
	ck_assert(!pf_sender_parse("", &back));
	ck_assert(!pf_sender_parse(NULL, &back));
	ck_assert(!pf_sender_parse("garbage", &back));
	ck_assert(!pf_sender_parse("f=;k=", &back));
	ck_assert(pf_sender_parse("x=1;f=bad name,ok.example,,;k=nocolon,"
	    ":d.example,s:,s:d.example;f", &back));
	ck_assert_str_eq(back.from[0], "ok.example");
	ck_assert_str_eq(back.from[1], "");
	ck_assert_str_eq(back.key[0].s, "s");
	ck_assert_str_eq(back.key[0].d, "d.example");
	ck_assert_str_eq(back.key[1].s, "");
	/* one very long item, then a good one */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "f=", 2);
	memcpy(big + sizeof(big) - 12, ",ok.example", 11);
	ck_assert(pf_sender_parse(big, &back));
	ck_assert_str_eq(back.from[0], "ok.example");
	for (i = 0; i < sizeof(big) - 1; i++)
		big[i] = (char)(1 + i % 255);
	(void)pf_sender_parse(big, &back);
}
END_TEST

static struct pf_sendmem *shared;

/* hammer - learn and read a few domains, as sessions would */
static void *
hammer(void *arg)
{
	struct pf_sender s, got;
	char dom[64];
	int i;

	for (i = 0; i < 20000; i++) {
		snprintf(dom, sizeof(dom), "d%d.example", i % 50);
		s = seen(dom, "sel", dom);
		pf_sendmem_learn(shared, dom, &s);
		if (pf_sendmem_get(shared, dom, &got))
			ck_assert(got.from[0][0] == '\0' ||
			    strncmp(got.from[0], "d", 1) == 0);
		(void)pf_sendmem_dirty(shared, dom, i, &got);
	}
	return arg;
}

START_TEST(test_threads)
{
	pthread_t t[4];
	int i;

	ck_assert_ptr_nonnull(shared = pf_sendmem_new());
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, hammer, NULL), 0);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	pf_sendmem_free(shared);
}
END_TEST

/*
 * A hostile stream of distinct envelope domains: the heap in use does
 * not grow by a byte, the slots are reused, and the most recent sender
 * is still remembered.
 */
START_TEST(test_bounded)
{
	struct pf_sendmem *m = pf_sendmem_new();
	struct pf_sender s, got;
	struct mallinfo2 before, after;
	char env[96], from[96];
	int i, kept = 0;

	ck_assert_ptr_nonnull(m);
	s = seen("first.example", "sel", "first.example");
	pf_sendmem_learn(m, "first.example", &s);
	before = mallinfo2();
	for (i = 0; i < 200000; i++) {
		snprintf(env, sizeof(env), "e%d.attacker.example", i);
		snprintf(from, sizeof(from), "f%d.attacker.example", i);
		memset(&s, 0, sizeof(s));
		(void)pf_sender_add_from(&s, from);
		(void)pf_sender_add_key(&s, "s", from);
		pf_sendmem_learn(m, env, &s);
	}
	after = mallinfo2();
	ck_assert_msg(after.uordblks <= before.uordblks, "heap grew by %zu "
	    "bytes", after.uordblks - before.uordblks);
	ck_assert(pf_sendmem_get(m, env, &got));
	ck_assert_str_eq(got.from[0], from);
	ck_assert(!pf_sendmem_get(m, "first.example", &got));
	for (i = 200000 - PF_SENDMEM_SLOTS; i < 200000; i++) {
		snprintf(env, sizeof(env), "e%d.attacker.example", i);
		kept += pf_sendmem_get(m, env, &got);
	}
	/* direct-mapped: most of the last SLOTS domains are there, never
	 * more than the slots */
	ck_assert_int_le(kept, PF_SENDMEM_SLOTS);
	ck_assert_int_gt(kept, PF_SENDMEM_SLOTS / 2);
	pf_sendmem_free(m);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sendmem");
	TCase *tc = pf_test_case(s, "sendmem");

	tcase_add_test(tc, test_domain);
	tcase_add_test(tc, test_learn);
	tcase_add_test(tc, test_dirty);
	tcase_add_test(tc, test_text);
	tcase_add_test(tc, test_threads);
	tcase_add_test(tc, test_bounded);
	return pf_test_run(s);
}
