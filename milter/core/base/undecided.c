/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * undecided.c - the names, texts and classes of the reasons a fact was
 * left undecided (undecided.h).
 */
#include "base/undecided.h"

static const struct {
	const char	*name;
	const char	*text;
	int		 ours;
} reasons[PF_U__COUNT] = {
	/* a temporary failure with no reason recorded: not a result */
	[PF_U_NONE] = { "none", "", 1 },
	[PF_U_NOT_MEASURED] = { "not-measured", "not measured", 1 },
	[PF_U_NO_DNS] = { "no-dns", "DNS disabled (--no-dns)", 1 },
	[PF_U_TIMEOUT] = { "timeout", "DNS timeout", 1 },
	[PF_U_BUDGET] = { "budget", "DNS time budget for the message spent",
	    1 },
	[PF_U_SERVER_FAILURE] = { "server-failure", "DNS server failure",
	    0 },
	[PF_U_NO_MEMORY] = { "no-memory", "out of memory", 1 },
	[PF_U_INTERNAL] = { "internal", "internal error", 1 },
	[PF_U_NOT_CONFIGURED] = { "not-configured", "not configured", 1 },
	[PF_U_NO_INPUT] = { "no-input", "not in the message", 1 },
	[PF_U_TOO_LARGE] = { "too-large", "input over a limit", 1 },
	[PF_U_STORE_UNREACHABLE] = { "store-unreachable",
	    "state store unreachable", 1 },
};

/* valid - r is one of the reasons */
static int
valid(enum pf_undecided r)
{
	return (int)r >= 0 && r < PF_U__COUNT;
}

/* pf_undecided_name - a stable word for logs and JSON */
const char *
pf_undecided_name(enum pf_undecided r)
{
	return valid(r) ? reasons[r].name : "?";
}

/* pf_undecided_text - the reason for people */
const char *
pf_undecided_text(enum pf_undecided r)
{
	return valid(r) ? reasons[r].text : "?";
}

/* pf_undecided_ours - our side could not find out */
int
pf_undecided_ours(enum pf_undecided r)
{
	return valid(r) && reasons[r].ours;
}
