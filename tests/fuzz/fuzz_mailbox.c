/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_mailbox.c - an mbox split on arbitrary bytes: every span must lie
 * inside the input, spans must not overlap and must come in order; each
 * span, unquoted, must not grow; the envelope read from each must stay
 * within its limits.
 */
#include <stdlib.h>
#include <string.h>

#include "message/envguess.h"
#include "message/mailbox.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct pf_mlist l = { 0 };
	struct pf_env_guess g;
	uint64_t end = 0;
	size_t i, k;
	char *b;

	if (pf_mailbox_split("fuzz", (const char *)d, n, &l) != PF_OK)
		return 0;
	for (i = 0; i < l.n; i++) {
		const struct pf_mitem *it = &l.item[i];

		if (it->off < end || it->off + it->len > n ||
		    it->index != i + 1)
			abort();
		end = it->off + it->len;
		if ((b = malloc(it->len + 1)) == NULL)
			continue;
		memcpy(b, d + it->off, it->len);
		if ((k = pf_mailbox_unquote(b, it->len)) > it->len)
			abort();
		if (pf_env_guess(b, k, &g) == PF_OK &&
		    g.nrcpt > PF_ENVGUESS_MAX_RCPT)
			abort();
		pf_env_guess_reset(&g);
		free(b);
	}
	pf_mailbox_free(&l);
	return 0;
}
