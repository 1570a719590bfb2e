/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_content.c - the message builder and every content analyzer on
 * arbitrary bytes.  Built with -DPF_LIBFUZZER and clang -fsanitize=fuzzer
 * it is a libFuzzer target:
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -DPF_LIBFUZZER \
 *	    -Imilter/core tests/fuzz/fuzz_content.c libpfcore.a ... (CORE_LIBS)
 * Without it (make check) the replay driver of every target (replay.c)
 * feeds it its corpus, the content fixtures and the real messages
 * (tests/fuzz/content.sh), each as is and with deterministic mutations, in
 * chunks of varying size.  Under
 * the sanitizer build any memory error or leak fails the run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "base/facts.h"
#include "base/msg.h"
#include "message/content.h"
#include "fuzz.h"

/* one_run - the input in chunks whose sizes come from the first byte */
int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	const struct pf_observer *const *obs;
	struct pf_facts *f = pf_facts_new();
	struct pf_msg *m = pf_msg_new();
	size_t i, k, off = 0, chunk = n ? (size_t)d[0] * 37 + 1 : 1;

	if (f == NULL || m == NULL)
		abort();
	obs = pf_content_observers(&k);
	for (i = 0; i < k; i++)
		if (pf_msg_observe(m, obs[i]) != PF_OK)
			abort();
	pf_msg_mail(m, "<a@example.com>");
	pf_msg_rcpt(m, "<b@example.org>");
	while (off < n) {
		i = n - off < chunk ? n - off : chunk;
		if (pf_msg_raw(m, d + off, i) != PF_OK)
			abort();
		off += i;
		chunk = chunk * 7 % 4093 + 1;
	}
	if (pf_msg_end(m, f) != PF_OK)
		abort();
	pf_msg_free(m);
	pf_facts_free(f);
	return 0;
}
