/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * floornr.c - the cheapest milter that reads what a content milter must
 * read (connection, envelope, header fields, body) and asks for as few
 * answers as the milter protocol allows: every SMFIP_NR_* the MTA offers
 * for those stages, and SMFIP_NO* for HELO, DATA and unknown commands.
 * Only end of message is answered: one header field added, then accept.
 * The best any milter reading the whole message can do; measured by
 * contrib/bench/floor.sh.
 * usage: floornr [-n] CONNSPEC   (-n: TCP_NODELAY on an inet: listener)
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "nodelay.h"

#define NR_WANT	(SMFIP_NR_CONN | SMFIP_NR_MAIL | SMFIP_NR_RCPT | \
    SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY)
#define NO_WANT	(SMFIP_NOHELO | SMFIP_NODATA | SMFIP_NOUNKNOWN)

/* floornr_* - take the packet, send nothing back */
static sfsistat nr_conn(SMFICTX *c, char *h, _SOCK_ADDR *a) { return SMFIS_NOREPLY; }
static sfsistat nr_argv(SMFICTX *c, char **v) { return SMFIS_NOREPLY; }
static sfsistat nr_hdr(SMFICTX *c, char *n, char *v) { return SMFIS_NOREPLY; }
static sfsistat nr_eoh(SMFICTX *c) { return SMFIS_NOREPLY; }
static sfsistat nr_body(SMFICTX *c, unsigned char *p, size_t n) { return SMFIS_NOREPLY; }
static sfsistat nr_ctx(SMFICTX *c) { return SMFIS_CONTINUE; }

/* nr_negotiate - what the MTA offers of NR_WANT and NO_WANT */
static sfsistat
nr_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	*pf0 = f0 & SMFIF_ADDHDRS;
	*pf1 = f1 & (NR_WANT | NO_WANT);
	*pf2 = *pf3 = 0;
	return SMFIS_CONTINUE;
}

/* nr_eom - one header field, then accept */
static sfsistat
nr_eom(SMFICTX *ctx)
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
			fprintf(stderr, "usage: floornr [-n] connspec\n");
			return 64;
		}
		nodelay = 1;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: floornr [-n] connspec\n");
		return 64;
	}
	memset(&d, 0, sizeof(d));
	d.xxfi_name = "floornr";
	d.xxfi_version = SMFI_VERSION;
	d.xxfi_flags = SMFIF_ADDHDRS;
	d.xxfi_connect = nr_conn;
	d.xxfi_envfrom = nr_argv;
	d.xxfi_envrcpt = nr_argv;
	d.xxfi_header = nr_hdr;
	d.xxfi_eoh = nr_eoh;
	d.xxfi_body = nr_body;
	d.xxfi_eom = nr_eom;
	d.xxfi_abort = nr_ctx;
	d.xxfi_close = nr_ctx;
	d.xxfi_negotiate = nr_negotiate;
	if (smfi_setconn(argv[optind]) != MI_SUCCESS ||
	    smfi_register(d) != MI_SUCCESS || smfi_opensocket(1) != MI_SUCCESS) {
		fprintf(stderr, "floornr: cannot listen on %s\n", argv[optind]);
		return 1;
	}
	if (nodelay && pf_nodelay_listener(argv[optind]) < 0) {
		perror("floornr: pf_nodelay_listener");
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
