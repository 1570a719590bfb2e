/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_date.c - date-time (RFC 5322 3.3 and the obsolete forms of 4.3)
 * on arbitrary bytes.
 */
#include <stdlib.h>

#include "base/pf.h"
#include "message/date.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	const char *why = NULL;
	int64_t t = 0;
	int rc;

	rc = pf_date_parse((const char *)d, n, &t, &why);
	if (rc != PF_OK && why == NULL)
		abort();
	return 0;
}
