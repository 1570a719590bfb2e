/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_config.c - preflight.conf, through pf_config_load on a scratch
 * file: every key, value type and bound of the configuration table; then
 * each line again through pf_config_set, the way the command-line options
 * come in (key, then the rest of the line as the value, bytes as given).
 */
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "config/policy.h"
#include "fuzz.h"

/* set_lines - "key value" per line of d into a default configuration */
static void
set_lines(const uint8_t *d, size_t n)
{
	struct pf_config *cfg = pf_config_default();
	struct pf_err err = { 0 };
	char line[512], *sp;
	size_t i = 0, j, len;

	if (cfg == NULL)
		return;
	while (i < n) {
		for (j = i; j < n && d[j] != '\n'; j++)
			;
		len = j - i < sizeof(line) - 1 ? j - i : sizeof(line) - 1;
		memcpy(line, d + i, len);
		line[len] = '\0';
		i = j + 1;
		if ((sp = strchr(line, ' ')) == NULL)
			continue;
		*sp = '\0';
		memset(&err, 0, sizeof(err));
		if (pf_config_set(cfg, line, sp + 1, &err) != PF_OK &&
		    err.status == PF_OK)
			abort();
	}
	pf_config_free(cfg);
}

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
	set_lines(d, n);
	return 0;
}
