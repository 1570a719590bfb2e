/*
 * fuzz_config.c - preflight.conf, through pf_config_load on a scratch
 * file: every key, value type and bound of the configuration table.
 */
#include <stdlib.h>

#include "base/pf.h"
#include "config/policy.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct pf_config *cfg = NULL;
	struct pf_err err = { 0 };
	char buf[800];

	if (pf_config_load(fuzz_tmpfile(d, n), &cfg, &err) != PF_OK) {
		if (err.status == PF_OK)
			abort();
		(void)pf_err_format(&err, buf, sizeof(buf));
	}
	pf_config_free(cfg);
	return 0;
}
