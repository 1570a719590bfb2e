/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_rules.c - the rules file parser and validator (docs/rules.md),
 * through pf_rules_load on a scratch file; a file that loads is then
 * evaluated against facts that are all unknown, and every rule's texts
 * are filled.
 */
#include <stdlib.h>

#include "base/pf.h"
#include "base/facts.h"
#include "catalog/rules.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct pf_rules *rs = NULL;
	struct pf_verdict v = { 0 };
	struct pf_facts *f;
	struct pf_err err = { 0 };
	size_t i;
	char *s;

	if (pf_rules_load(fuzz_tmpfile(d, n), &rs, &err) != PF_OK) {
		if (rs != NULL || err.status == PF_OK)
			abort();
		return 0;
	}
	if ((f = pf_facts_new()) == NULL)
		abort();
	(void)pf_rules_eval(rs, f, &v);
	pf_verdict_reset(&v);
	for (i = 0; i < rs->nrule; i++) {
		if (rs->rule[i].text != NULL &&
		    (s = pf_rules_fill(rs, &rs->rule[i], rs->rule[i].text, f)))
			free(s);
		if (rs->rule[i].detail != NULL &&
		    (s = pf_rules_fill(rs, &rs->rule[i], rs->rule[i].detail,
		    f)))
			free(s);
	}
	pf_facts_free(f);
	pf_rules_free(rs);
	return 0;
}
