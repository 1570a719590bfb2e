/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_header.c - the header block as the milter delivers it: one field
 * at a time (name, value) through pf_msg_header to every content
 * analyzer, then end of headers, a short body and end of message.  Input
 * lines are "name:value"; a line starting with white space continues the
 * previous value, as folding does (RFC 5322 2.2.3).  Encoded words
 * (RFC 2047) are looked for in every value.
 */
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "base/facts.h"
#include "base/msg.h"
#include "message/content.h"
#include "message/hdr.h"
#include "message/tok822.h"
#include "fuzz.h"

/* field - hand one "name:value" span to the builder */
static void
field(struct pf_msg *m, const char *p, size_t len)
{
	const char *colon = memchr(p, ':', len);
	size_t nlen = colon != NULL ? (size_t)(colon - p) : len;
	const char *v = colon != NULL ? colon + 1 : p + len;
	size_t vlen = colon != NULL ? len - nlen - 1 : 0;

	(void)pf_tok_has_ew(v, vlen);
	(void)pf_msg_header(m, p, nlen, v, vlen);
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	const struct pf_observer *const *obs;
	struct pf_facts *f = pf_facts_new();
	struct pf_msg *m = pf_msg_new();
	const char *p = (const char *)d, *end = p + n, *start = p, *nl;
	size_t i, k;

	if (f == NULL || m == NULL)
		abort();
	obs = pf_content_observers(&k);
	for (i = 0; i < k; i++)
		if (pf_msg_observe(m, obs[i]) != PF_OK)
			abort();
	(void)pf_msg_helo(m, "client.example.com");
	(void)pf_msg_mail(m, "<a@example.com>");
	(void)pf_msg_rcpt(m, "<b@gmail.com>");
	/* split at line ends that are not followed by folding white space */
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			break;
		p = nl + 1;
		if (p < end && (*p == ' ' || *p == '\t'))
			continue;
		field(m, start, (size_t)(nl - start));
		start = p;
	}
	if (start < end)
		field(m, start, (size_t)(end - start));
	(void)pf_msg_eoh(m);
	(void)pf_msg_body(m, "body\r\n", 6);
	if (pf_msg_end(m, f) != PF_OK)
		abort();
	pf_msg_free(m);
	pf_facts_free(f);
	return 0;
}
