/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * replay.c - main() for a fuzz target built without libFuzzer: every file
 * of the target's seed corpus goes through LLVMFuzzerTestOneInput, as is
 * and with deterministic mutations (bytes flipped, spans cut, duplicated
 * or truncated), so that make check exercises each parser on more than
 * its seeds even where clang is missing.  Under the sanitizer build a
 * memory error fails the run.
 *   fuzz_X [FILE|DIR]...     default: $PF_SRCDIR/tests/fuzz/corpus/X
 *   PF_FUZZ_ROUNDS=n         mutations per file (default 64)
 * Prints "fuzz_X: N inputs from M files" and fails when it found no file.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/pf.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *, char ***) __attribute__((weak));

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static unsigned long inputs;

/* next - xorshift64 */
static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* mutate - one deterministic variant of p[0..n) into out (cap 2n+16) */
static size_t
mutate(const uint8_t *p, size_t n, uint8_t *out)
{
	static const uint8_t interesting[] = { 0, 0xff, 0x7f, 0x80, '\n',
	    '\r', ':', ';', '"', '\\', '=', '%', '<', '>', '@', ' ', '(' };
	size_t a, b, k;

	if (n == 0) {
		out[0] = (uint8_t)next();
		return 1;
	}
	memcpy(out, p, n);
	a = next() % n;
	b = a + next() % (n - a);
	switch (next() % 5) {
	case 0:		/* change a few bytes */
		for (k = 0; k < 1 + next() % 8; k++)
			out[next() % n] = interesting[next() %
			    sizeof(interesting)];
		return n;
	case 1:		/* flip bits */
		for (k = 0; k < 1 + next() % 8; k++)
			out[next() % n] ^= (uint8_t)(1u << (next() % 8));
		return n;
	case 2:		/* cut [a, b) */
		memmove(out + a, p + b, n - b);
		return n - (b - a);
	case 3:		/* duplicate [a, b) */
		memcpy(out + b, p + a, b - a);
		memcpy(out + b + (b - a), p + b, n - b);
		return n + (b - a);
	default:	/* truncate */
		return a;
	}
}

/* run - one input, then its variants */
static void
run(const uint8_t *buf, size_t n, int rounds)
{
	uint8_t *out = malloc(2 * n + 16);
	int i;

	if (out == NULL)
		abort();
	LLVMFuzzerTestOneInput(buf, n);
	inputs++;
	for (i = 0; i < rounds; i++) {
		LLVMFuzzerTestOneInput(out, mutate(buf, n, out));
		inputs++;
	}
	free(out);
}

/* replay_file - read a whole file and run it; 1 if it was read */
static int
replay_file(const char *path, int rounds)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL, *nb;
	size_t n = 0, cap = 0, got;

	if (fp == NULL) {
		perror(path);
		return 0;
	}
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			if ((nb = realloc(buf, cap)) == NULL)
				abort();
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, fp);
		n += got;
	} while (got > 0);
	fclose(fp);
	run(buf, n, rounds);
	free(buf);
	return 1;
}

/* replay - a file, or every regular file of a directory, sorted */
static int
replay(const char *path, int rounds)
{
	char sub[4096];
	struct dirent **ents;
	struct stat st;
	int i, k, done = 0;

	if (stat(path, &st) != 0) {
		perror(path);
		return 0;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path, rounds);
	if ((k = scandir(path, &ents, NULL, alphasort)) < 0)
		return 0;
	for (i = 0; i < k; i++) {
		if (ents[i]->d_name[0] != '.' &&
		    (size_t)snprintf(sub, sizeof(sub), "%s/%s", path,
		    ents[i]->d_name) < sizeof(sub))
			done += replay(sub, rounds);
		free(ents[i]);
	}
	free(ents);
	return done;
}

int
main(int argc, char **argv)
{
	const char *src = getenv("PF_SRCDIR"), *r = getenv("PF_FUZZ_ROUNDS");
	const char *name = strrchr(argv[0], '/');
	char dir[4096];
	int64_t v;
	int i, files = 0, rounds = 64;

	name = name != NULL ? name + 1 : argv[0];
	if (strncmp(name, "lt-", 3) == 0)
		name += 3;
	if (r != NULL && pf_strtonum(r, strlen(r), 0, 1000000, &v) == PF_OK)
		rounds = (int)v;
	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	if (argc > 1) {
		for (i = 1; i < argc; i++)
			files += replay(argv[i], rounds);
	} else {
		if (strncmp(name, "fuzz_", 5) != 0 || (size_t)snprintf(dir,
		    sizeof(dir), "%s/tests/fuzz/corpus/%s",
		    src != NULL ? src : ".", name + 5) >= sizeof(dir)) {
			fprintf(stderr, "%s: name the corpus\n", name);
			return 2;
		}
		files = replay(dir, rounds);
	}
	printf("%s: %lu inputs from %d files\n", name, inputs, files);
	return files > 0 ? 0 : 1;
}
