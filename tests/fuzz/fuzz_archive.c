/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_archive.c - archive listing (zip, tar, 7z, rar, gzip ... through
 * libarchive, nested, under the caps of blocked.h) on arbitrary bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "message/blocked.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct pf_blocked_res res;

	memset(&res, 0, sizeof(res));
	if (pf_blocked_scan_mem(d, n, "fuzz.zip", &res) != PF_OK &&
	    res.blocked)
		abort();
	if (res.entries > PF_BLOCKED_ENTRIES + 1 ||
	    res.bytes > (uint64_t)PF_BLOCKED_BYTES + PF_BLOCKED_ENTRY_MAX ||
	    memchr(res.name, '\0', sizeof(res.name)) == NULL ||
	    memchr(res.why, '\0', sizeof(res.why)) == NULL)
		abort();
	(void)pf_blocked_magic_exec(d, n);
	(void)pf_blocked_magic_archive(d, n);
	return 0;
}
