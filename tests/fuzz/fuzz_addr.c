/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_addr.c - address lists (RFC 5322 3.4), envelope paths (RFC 5321
 * 4.1.2) and domain names (IDNA 2008) on arbitrary bytes.  The first byte
 * picks the path-check flags.
 */
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "message/addr.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct pf_addrlist al;
	const char *why, *dom;
	char *s;
	int flags = n > 0 ? d[0] & (PF_ADDR_NULL_OK | PF_ADDR_UTF8) : 0;

	memset(&al, 0, sizeof(al));
	pf_addr_list_parse((const char *)d, n, &al);
	if (al.valid > al.count || strlen(al.domain) >= sizeof(al.domain) ||
	    strlen(al.display) > PF_ADDR_DISPLAY_MAX)
		abort();
	s = fuzz_cstr(d, n);
	why = NULL;
	if (pf_addr_path_check(s, flags, &why) != PF_OK && why == NULL)
		abort();
	if ((dom = pf_addr_domain_of(s)) != NULL) {
		if (dom < s || dom > s + n)
			abort();
		(void)pf_addr_domain_ok(dom, strlen(dom));
	}
	(void)pf_addr_domain_ok((const char *)d, n);
	free(s);
	return 0;
}
