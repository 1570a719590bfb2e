/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_logline.c - `preflight learn` input: MTA log lines (learn/logline.c)
 * in every format and prefix, each line of the input on its own, with the
 * accessors learn calls on what was parsed.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/pf.h"
#include "learn/logline.h"
#include "fuzz.h"

/* one_line - parse a line and use everything it gave */
static void
one_line(const char *p, size_t n)
{
	static const enum pf_logfmt fmts[] = {
		PF_LOG_AUTO, PF_LOG_POSTFIX, PF_LOG_SENDMAIL
	};
	struct pf_delivery d;
	char buf[320];
	size_t f, i;

	for (f = 0; f < PF_NELEM(fmts); f++) {
		switch (pf_logline_parse(p, n, fmts[f], (time_t)1796040000,
		    &d)) {
		case PF_L_DELIVERY:
			if (d.rcpt == NULL || d.rcpt + d.rcpt_len > p + n ||
			    (d.reply != NULL && d.reply + d.reply_len > p + n))
				abort();
			for (i = 0; i < 64 &&
			    pf_delivery_rcpt(&d, i, buf, sizeof(buf)); i++)
				if (strlen(buf) >= sizeof(buf))
					abort();
			(void)pf_delivery_gmail(&d);
			break;
		case PF_L_PREDICTION:
			for (i = 0; i < 16 &&
			    pf_prediction_rule(&d, i, buf, sizeof(buf)); i++)
				(void)pf_prediction_reply(&d, i);
			break;
		case PF_L_QUEUED:
			if (d.from + d.from_len > p + n)
				abort();
			break;
		default:
			break;
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *nl;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		one_line(p, (size_t)(nl - p));
	}
	return 0;
}
