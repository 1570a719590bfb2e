/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dkim-sign.c - test tool: sign a message with libopendkim's dkim_sign()
 * and print the DKIM-Signature field followed by the message.  Debian's
 * opendkim-testmsg signs rsa-sha1 only; the fixtures need rsa-sha256 and
 * ed25519 as well.  Reads the message on stdin (LF or CRLF line ends).
 *
 * usage: dkim-sign -d domain -s selector -k keyfile [-a alg] < msg
 *   alg: rsa-sha256 (default), rsa-sha1, ed25519-sha256
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <opendkim/dkim.h>

#define MAXMSG	(4 * 1024 * 1024)

/* slurp - read a whole stream, bounded */
static unsigned char *
slurp(FILE *f, size_t max, size_t *len)
{
	unsigned char *buf = malloc(max), *p;
	size_t n = 0, r;

	if (buf == NULL)
		return NULL;
	while ((r = fread(buf + n, 1, max - n, f)) > 0) {
		n += r;
		if (n == max) {
			free(buf);
			return NULL;
		}
	}
	*len = n;
	p = realloc(buf, n + 1);
	return p ? p : buf;
}

/* crlf - the same bytes with every bare LF made CRLF */
static unsigned char *
crlf(const unsigned char *in, size_t len, size_t *olen)
{
	unsigned char *out = malloc(len * 2 + 1);
	size_t i, o = 0;

	if (out == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r'))
			out[o++] = '\r';
		out[o++] = in[i];
	}
	*olen = o;
	return out;
}

/* usage - how to call */
static void
usage(void)
{
	fprintf(stderr, "usage: dkim-sign -d domain -s selector -k keyfile"
	    " [-a rsa-sha256|rsa-sha1|ed25519-sha256] < msg\n");
	exit(64);
}

/* main - sign stdin, print the signature field and the message */
int
main(int argc, char **argv)
{
	const char *dom = NULL, *sel = NULL, *keyfile = NULL;
	dkim_alg_t alg = DKIM_SIGN_RSASHA256;
	unsigned char *key, *msg, *cmsg, *hdr;
	size_t klen, mlen, clen, hlen;
	DKIM_LIB *lib;
	DKIM *d;
	DKIM_STAT st;
	unsigned int minbits;
	FILE *f;
	int c;

	while ((c = getopt(argc, argv, "a:d:k:s:")) != -1) {
		switch (c) {
		case 'a':
			if (strcmp(optarg, "rsa-sha256") == 0)
				alg = DKIM_SIGN_RSASHA256;
			else if (strcmp(optarg, "rsa-sha1") == 0)
				alg = DKIM_SIGN_RSASHA1;
			else if (strcmp(optarg, "ed25519-sha256") == 0)
				alg = DKIM_SIGN_ED25519SHA256;
			else
				usage();
			break;
		case 'd': dom = optarg; break;
		case 'k': keyfile = optarg; break;
		case 's': sel = optarg; break;
		default: usage();
		}
	}
	if (dom == NULL || sel == NULL || keyfile == NULL)
		usage();
	if ((f = fopen(keyfile, "r")) == NULL) {
		perror(keyfile);
		return 66;
	}
	key = slurp(f, 65536, &klen);
	fclose(f);
	if (key == NULL || (msg = slurp(stdin, MAXMSG, &mlen)) == NULL ||
	    (cmsg = crlf(msg, mlen, &clen)) == NULL) {
		fprintf(stderr, "dkim-sign: cannot read input\n");
		return 74;
	}
	key[klen] = '\0';
	if ((lib = dkim_init(NULL, NULL)) == NULL)
		return 70;
	/* the weak-key fixture needs a 512-bit signature */
	minbits = 512;
	(void)dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_MINKEYBITS, &minbits,
	    sizeof(minbits));
	d = dkim_sign(lib, (const u_char *)"dkim-sign", NULL, key,
	    (const u_char *)sel, (const u_char *)dom, DKIM_CANON_RELAXED,
	    DKIM_CANON_RELAXED, alg, -1, &st);
	if (d == NULL) {
		fprintf(stderr, "dkim-sign: dkim_sign: %s\n",
		    dkim_getresultstr(st));
		return 70;
	}
	if ((st = dkim_chunk(d, cmsg, clen)) != DKIM_STAT_OK ||
	    (st = dkim_chunk(d, NULL, 0)) != DKIM_STAT_OK ||
	    (st = dkim_eom(d, NULL)) != DKIM_STAT_OK ||
	    (st = dkim_getsighdr_d(d, strlen(DKIM_SIGNHEADER) + 2, &hdr,
	    &hlen)) != DKIM_STAT_OK) {
		fprintf(stderr, "dkim-sign: %s (%s)\n", dkim_getresultstr(st),
		    dkim_geterror(d) ? dkim_geterror(d) : "");
		return 70;
	}
	printf("%s: %s\n", DKIM_SIGNHEADER, hdr);
	fwrite(msg, 1, mlen, stdout);
	dkim_free(d);
	dkim_close(lib);
	free(key);
	free(msg);
	free(cmsg);
	return 0;
}
