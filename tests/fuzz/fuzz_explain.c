/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_explain.c - `preflight explain` input: a reply, a log line or a
 * whole bounce, parsed (reply.c) and matched against the bundled catalog
 * (explain.c).  The catalog is loaded once, from the source tree's
 * rules/gmail.rules.
 */
#include <stdio.h>
#include <stdlib.h>

#include "base/pf.h"
#include "catalog/rules.h"
#include "explain/reply.h"
#include "explain/explain.h"
#include "fuzz.h"

#ifndef PF_FUZZ_RULES
#define PF_FUZZ_RULES	"rules/gmail.rules"
#endif

static struct pf_rules *rules;

/* LLVMFuzzerInitialize - load the catalog */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *path = PF_FUZZ_RULES;
	struct pf_err err = { 0 };
	char buf[800];

	if (pf_rules_load(path, &rules, &err) != PF_OK) {
		fprintf(stderr, "fuzz_explain: %s\n",
		    pf_err_format(&err, buf, sizeof(buf)));
		abort();
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct pf_explanation ex = { 0 };
	struct pf_reply r = { 0 };
	struct pf_err err = { 0 };

	if (pf_reply_parse((const char *)d, n, &r, &err) == PF_OK &&
	    r.text == NULL)
		abort();
	pf_reply_reset(&r);
	if (pf_explain(rules, (const char *)d, n, &ex, &err) == PF_OK &&
	    ex.kind == PF_X_MATCH && ex.rule == NULL)
		abort();
	pf_explanation_reset(&ex);
	return 0;
}
