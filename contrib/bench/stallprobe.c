/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * stallprobe.c - the smallest milter that shows the loopback TCP stall.
 * It does what a tagging milter does at end of message (add one header,
 * then accept), and can switch each suspected cause on and off:
 *   -n  TCP_NODELAY on the listener (pf_nodelay_listener), inherited by
 *       every accepted socket
 *   -D  leave xxfi_data unset, so libmilter negotiates SMFIP_NODATA and
 *       the MTA sends the DATA macros with nothing to answer
 *   -H  add no header (end of message is then a single reply packet)
 * usage: stallprobe [-nDH] CONNSPEC
 * Built and run by contrib/bench/stall.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "nodelay.h"

static int addhdr = 1;

/* probe_data - answer DATA so the MTA never writes twice in a row */
static sfsistat
probe_data(SMFICTX *ctx)
{
	return SMFIS_CONTINUE;
}

/* probe_eom - one header, then the verdict: two packets */
static sfsistat
probe_eom(SMFICTX *ctx)
{
	if (addhdr)
		smfi_addheader(ctx, "X-Stall-Probe", "yes");
	return SMFIS_ACCEPT;
}

int
main(int argc, char **argv)
{
	struct smfiDesc desc;
	int c, nodelay = 0, nodata = 0;

	while ((c = getopt(argc, argv, "nDH")) != -1) {
		switch (c) {
		case 'n': nodelay = 1; break;
		case 'D': nodata = 1; break;
		case 'H': addhdr = 0; break;
		default:
			fprintf(stderr, "usage: stallprobe [-nDH] connspec\n");
			return 64;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: stallprobe [-nDH] connspec\n");
		return 64;
	}
	memset(&desc, 0, sizeof(desc));
	desc.xxfi_name = "stallprobe";
	desc.xxfi_version = SMFI_VERSION;
	desc.xxfi_flags = SMFIF_ADDHDRS;
	desc.xxfi_data = nodata ? NULL : probe_data;
	desc.xxfi_eom = probe_eom;
	if (smfi_setconn(argv[optind]) != MI_SUCCESS ||
	    smfi_register(desc) != MI_SUCCESS ||
	    smfi_opensocket(1) != MI_SUCCESS) {
		fprintf(stderr, "stallprobe: cannot listen on %s\n",
		    argv[optind]);
		return 1;
	}
	if (nodelay && pf_nodelay_listener(argv[optind]) < 0) {
		perror("stallprobe: pf_nodelay_listener");
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
