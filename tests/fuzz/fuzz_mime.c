/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_mime.c - the MIME walk (RFC 2045, 2046), part header parameters
 * (RFC 2231 continuations and charsets, RFC 2047 encoded names),
 * transfer decoding and attachment checks.  The first input line is the
 * message's Content-Type value; the rest is the body, streamed in chunks
 * whose sizes vary, as the milter receives it.
 */
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "base/facts.h"
#include "base/msg.h"
#include "message/content.h"
#include "fuzz.h"

#define HDR(m, n, v)	pf_msg_header(m, n, strlen(n), v, strlen(v))

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	const struct pf_observer *const *obs;
	struct pf_facts *f = pf_facts_new();
	struct pf_msg *m = pf_msg_new();
	const uint8_t *nl = memchr(d, '\n', n);
	size_t i, k, ctlen = nl != NULL ? (size_t)(nl - d) : n;
	size_t off, chunk;

	if (f == NULL || m == NULL)
		abort();
	obs = pf_content_observers(&k);
	for (i = 0; i < k; i++)
		if (pf_msg_observe(m, obs[i]) != PF_OK)
			abort();
	(void)pf_msg_mail(m, "<a@example.com>");
	(void)pf_msg_rcpt(m, "<b@gmail.com>");
	(void)HDR(m, "From", " a@example.com");
	(void)HDR(m, "To", " b@gmail.com");
	(void)HDR(m, "MIME-Version", " 1.0");
	(void)pf_msg_header(m, "Content-Type", 12, (const char *)d, ctlen);
	(void)pf_msg_eoh(m);
	off = nl != NULL ? ctlen + 1 : n;
	chunk = n > 0 ? (size_t)d[0] % 97 + 1 : 1;
	while (off < n) {
		i = n - off < chunk ? n - off : chunk;
		(void)pf_msg_body(m, d + off, i);
		off += i;
		chunk = chunk * 5 % 8191 + 1;
	}
	if (pf_msg_end(m, f) != PF_OK)
		abort();
	pf_msg_free(m);
	pf_facts_free(f);
	return 0;
}
