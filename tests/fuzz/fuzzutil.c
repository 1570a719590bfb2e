/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzzutil.c - helpers shared by the fuzz targets: a NUL-terminated copy
 * of the input, and one scratch file per process for the parsers that
 * read a named file (rules, config).  The file lives in $TMPDIR and is
 * removed at exit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

static char tmppath[4096];

/* fuzz_cstr - NUL-terminated copy */
char *
fuzz_cstr(const uint8_t *d, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	if (n > 0)
		memcpy(s, d, n);
	s[n] = '\0';
	return s;
}

/* rmtmp - remove the scratch file at exit */
static void
rmtmp(void)
{
	if (tmppath[0] != '\0')
		unlink(tmppath);
}

/* fuzz_tmpfile - the input as the scratch file */
const char *
fuzz_tmpfile(const uint8_t *d, size_t n)
{
	FILE *fp;
	int fd;

	if (tmppath[0] == '\0') {
		const char *t = getenv("TMPDIR");

		if ((size_t)snprintf(tmppath, sizeof(tmppath),
		    "%s/pf-fuzz.XXXXXX", t != NULL && *t ? t : "/tmp") >=
		    sizeof(tmppath) || (fd = mkstemp(tmppath)) < 0)
			abort();
		close(fd);
		atexit(rmtmp);
	}
	if ((fp = fopen(tmppath, "wb")) == NULL)
		abort();
	if (n > 0 && fwrite(d, 1, n, fp) != n)
		abort();
	if (fclose(fp) != 0)
		abort();
	return tmppath;
}
