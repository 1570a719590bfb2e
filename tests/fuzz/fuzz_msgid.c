/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_msgid.c - msg-id syntax (RFC 5322 3.6.4) on arbitrary bytes.
 */
#include <stdlib.h>

#include "message/msgid.h"
#include "message/tok822.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	const char *p = (const char *)d, *start = NULL;
	size_t k;

	(void)pf_msgid_valid(p, n);
	k = pf_tok_trim(p, n, &start);
	if (k > n || (k > 0 && (start < p || start + k > p + n)))
		abort();
	if (k > 0)
		(void)pf_msgid_valid(start, k);
	return 0;
}
