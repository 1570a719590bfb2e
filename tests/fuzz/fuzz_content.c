/*
 * fuzz_content.c - the message builder and every content analyzer on
 * arbitrary bytes.  Built with -DPF_LIBFUZZER and clang -fsanitize=fuzzer
 * it is a libFuzzer target:
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -DPF_LIBFUZZER \
 *	    -Imilter/core tests/fuzz/fuzz_content.c libpfcore.a ... (CORE_LIBS)
 * Without it (make check) it replays a seed corpus - the content fixtures
 * and the real messages - each as is and with deterministic mutations
 * (bytes changed, spans deleted or repeated, boundary and header syntax
 * inserted, truncation), fed in chunks of varying size.  Under the
 * sanitizer build any memory error or leak fails the run.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf.h"
#include "facts.h"
#include "msg.h"
#include "content.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* one_run - the input in chunks whose sizes come from the first byte */
int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	const struct pf_observer *const *obs;
	struct pf_facts *f = pf_facts_new();
	struct pf_msg *m = pf_msg_new();
	size_t i, k, off = 0, chunk = n ? (size_t)d[0] * 37 + 1 : 1;

	if (f == NULL || m == NULL)
		abort();
	obs = pf_content_observers(&k);
	for (i = 0; i < k; i++)
		if (pf_msg_observe(m, obs[i]) != PF_OK)
			abort();
	pf_msg_mail(m, "<a@example.com>");
	pf_msg_rcpt(m, "<b@example.org>");
	while (off < n) {
		i = n - off < chunk ? n - off : chunk;
		if (pf_msg_raw(m, d + off, i) != PF_OK)
			abort();
		off += i;
		chunk = chunk * 7 % 4093 + 1;
	}
	if (pf_msg_end(m, f) != PF_OK)
		abort();
	pf_msg_free(m);
	pf_facts_free(f);
	return 0;
}

#ifndef PF_LIBFUZZER
static uint64_t rng = 88172645463325252ULL;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* mutate - one deterministic change of [p, n) into out (cap 2n + 64) */
static size_t
mutate(const uint8_t *p, size_t n, uint8_t *out)
{
	static const char *const ins[] = { "\n--", "\r\n\r\n", ":", "=?",
	    "?=", "\"", "(", "<", "\nContent-Type: multipart/mixed; "
	    "boundary=x\n\n--x\n", "\0", "\n ", "begin 644 x.exe\n",
	    "Content-Transfer-Encoding: base64\n", "PK\003\004", "MZ" };
	size_t a = n ? next() % n : 0, b = n ? next() % n : 0, len, t;
	const char *s;

	if (a > b) {
		t = a;
		a = b;
		b = t;
	}
	switch (next() % 5) {
	case 0:		/* change bytes */
		memcpy(out, p, n);
		for (t = 0; t < 1 + next() % 8 && n; t++)
			out[next() % n] = (uint8_t)next();
		return n;
	case 1:		/* delete a span */
		memcpy(out, p, a);
		memcpy(out + a, p + b, n - b);
		return n - (b - a);
	case 2:		/* repeat a span */
		len = b - a < n ? b - a : n;
		memcpy(out, p, b);
		memcpy(out + b, p + a, len);
		memcpy(out + b + len, p + b, n - b);
		return n + len;
	case 3:		/* insert syntax */
		s = ins[next() % PF_NELEM(ins)];
		len = strlen(s) ? strlen(s) : 1;
		memcpy(out, p, a);
		memcpy(out + a, s, len);
		memcpy(out + a + len, p + a, n - a);
		return n + len;
	default:	/* truncate */
		memcpy(out, p, a);
		return a;
	}
}

/* replay - a file as is, then mutated */
static int
replay(const char *path, int rounds)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf, *out;
	size_t n = 0, cap = 1 << 16, got;
	int i;

	if (fp == NULL)
		return 0;
	buf = malloc(cap);
	while (buf && (got = fread(buf + n, 1, cap - n, fp)) > 0)
		if ((n += got) == cap)
			buf = realloc(buf, cap *= 2);
	fclose(fp);
	if (buf == NULL || (out = malloc(2 * n + 64)) == NULL)
		abort();
	LLVMFuzzerTestOneInput(buf, n);
	for (i = 0; i < rounds; i++)
		LLVMFuzzerTestOneInput(out, mutate(buf, n, out));
	free(out);
	free(buf);
	return 1;
}

/* replay_dir - every regular file of a directory */
static int
replay_dir(const char *dir, int rounds)
{
	char path[4096];
	struct dirent **ents;
	int i, k, done = 0;

	if ((k = scandir(dir, &ents, NULL, alphasort)) < 0)
		return 0;
	for (i = 0; i < k; i++) {
		if (ents[i]->d_name[0] != '.' &&
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    ents[i]->d_name) < sizeof(path))
			done += replay(path, rounds);
		free(ents[i]);
	}
	free(ents);
	return done;
}

int
main(int argc, char **argv)
{
	const char *src = getenv("PF_SRCDIR"), *shared = getenv("PF_SHARED");
	const char *seed = getenv("PF_FUZZ_SEED"), *r = getenv("PF_FUZZ_ROUNDS");
	char dir[4096];
	int64_t v;
	int i, done = 0, rounds = 200;

	/* longer runs by hand: PF_FUZZ_SEED=n PF_FUZZ_ROUNDS=n files... */
	if (seed != NULL && pf_strtonum(seed, strlen(seed), 1, INT64_MAX,
	    &v) == PF_OK)
		rng = (uint64_t)v;
	if (r != NULL && pf_strtonum(r, strlen(r), 1, 1000000, &v) == PF_OK)
		rounds = (int)v;
	for (i = 1; i < argc; i++)
		done += replay(argv[i], rounds);
	if (argc > 1)
		return done ? 0 : 1;
	snprintf(dir, sizeof(dir), "%s/tests/fixtures/content",
	    src ? src : ".");
	done += replay_dir(dir, 100);
	if (shared != NULL && *shared != '\0') {
		snprintf(dir, sizeof(dir), "%s/corpus/real", shared);
		done += replay_dir(dir, 20);
	}
	printf("fuzz_content: %d seeds replayed\n", done);
	return done > 0 ? 0 : 77;
}
#endif
