/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * floor.c - the cheapest milter that still looks at a whole message: every
 * callback registered and answered "continue", one header field added at
 * end of message, then accept.  What any libmilter milter costs the MTA
 * (a connection per session, libmilter's threads, one round trip per
 * packet); contrib/bench/floor.sh measures preflight-milter against it.
 * usage: floor [-n] CONNSPEC   (-n: TCP_NODELAY on an inet: listener)
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "nodelay.h"

/* floor_go - the answer to every packet */
static sfsistat floor_conn(SMFICTX *c, char *h, _SOCK_ADDR *a) { return SMFIS_CONTINUE; }
static sfsistat floor_helo(SMFICTX *c, char *h) { return SMFIS_CONTINUE; }
static sfsistat floor_argv(SMFICTX *c, char **v) { return SMFIS_CONTINUE; }
static sfsistat floor_hdr(SMFICTX *c, char *n, char *v) { return SMFIS_CONTINUE; }
static sfsistat floor_ctx(SMFICTX *c) { return SMFIS_CONTINUE; }
static sfsistat floor_body(SMFICTX *c, unsigned char *p, size_t n) { return SMFIS_CONTINUE; }
static sfsistat floor_unkn(SMFICTX *c, const char *cmd) { return SMFIS_CONTINUE; }

/* floor_eom - one header field, then accept: two packets, like a tagger */
static sfsistat
floor_eom(SMFICTX *ctx)
{
	smfi_addheader(ctx, "X-Floor", "yes");
	return SMFIS_ACCEPT;
}

int
main(int argc, char **argv)
{
	struct smfiDesc d;
	int c, nodelay = 0;

	while ((c = getopt(argc, argv, "n")) != -1) {
		if (c != 'n') {
			fprintf(stderr, "usage: floor [-n] connspec\n");
			return 64;
		}
		nodelay = 1;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: floor [-n] connspec\n");
		return 64;
	}
	memset(&d, 0, sizeof(d));
	d.xxfi_name = "floor";
	d.xxfi_version = SMFI_VERSION;
	d.xxfi_flags = SMFIF_ADDHDRS;
	d.xxfi_connect = floor_conn;
	d.xxfi_helo = floor_helo;
	d.xxfi_envfrom = floor_argv;
	d.xxfi_envrcpt = floor_argv;
	d.xxfi_data = floor_ctx;
	d.xxfi_header = floor_hdr;
	d.xxfi_eoh = floor_ctx;
	d.xxfi_body = floor_body;
	d.xxfi_eom = floor_eom;
	d.xxfi_abort = floor_ctx;
	d.xxfi_close = floor_ctx;
	d.xxfi_unknown = floor_unkn;
	if (smfi_setconn(argv[optind]) != MI_SUCCESS ||
	    smfi_register(d) != MI_SUCCESS || smfi_opensocket(1) != MI_SUCCESS) {
		fprintf(stderr, "floor: cannot listen on %s\n", argv[optind]);
		return 1;
	}
	if (nodelay && pf_nodelay_listener(argv[optind]) < 0) {
		perror("floor: pf_nodelay_listener");
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
