/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pftest.h - test-only helpers shared by the Check suites: running a
 * suite from main(), and reaching the private NSD that tests/nsd/with-nsd.sh
 * starts for the suites that need DNS.  Linked from tests/lib/libpftest.a;
 * nothing here is part of preflight.
 */
#ifndef PF_TEST_H
#define PF_TEST_H

#include <sys/types.h>

#include <check.h>

/* pf_test_case - a new test case named name, added to s */
TCase *pf_test_case(Suite *s, const char *name);

/* pf_test_run - run every test of s (each in its own process, CK_FORK),
 * free it; EXIT_SUCCESS when none failed, else EXIT_FAILURE */
int pf_test_run(Suite *s);

struct pf_rules;

/* pf_test_rules_path - the bundled catalog, $PF_SRCDIR/rules/gmail.rules;
 * fails the test when PF_SRCDIR is not set */
const char *pf_test_rules_path(void);

/* pf_test_rules - the bundled catalog loaded; fails the test with the
 * loader's file:line message when it does not load */
struct pf_rules *pf_test_rules(void);

/* pf_test_ns - "127.0.0.1:PORT" of the fixture NSD ($PF_DNS_PORT); fails
 * the test when the suite was not started through tests/nsd/with-nsd.sh */
const char *pf_test_ns(void);

/* pf_test_nsd_signal - send sig to the fixture NSD ($PF_NSD_PID) and every
 * process under it (NSD serves from a grandchild): SIGSTOP makes it stop
 * answering, SIGKILL makes it gone */
void pf_test_nsd_signal(int sig);

/* pf_test_field_fn - one field value of a corpus message (after its
 * colon, unfolded, NUL-terminated); returns what the caller counts */
typedef int pf_test_field_fn(const char *value, size_t len);

/* pf_test_corpus_fields - every field named in names (a NULL-ended list,
 * "From" ...) of every .eml file of each $PF_SRCDIR/tests/data/corpus/DIR
 * of dirs (NULL-ended): in the top header block only, or (all) in every
 * header block of the file, MIME parts' included; continuation lines
 * joined with fold between them ("\r\n" as sent, "" as unfolded).  The
 * sum of what fn returned. */
int pf_test_corpus_fields(const char *const *dirs, const char *const *names,
    int all, const char *fold, pf_test_field_fn *fn);

#endif
