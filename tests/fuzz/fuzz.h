/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz.h - what every fuzz target defines, and helpers they share.  A
 * target is built two ways: with clang -fsanitize=fuzzer (contrib/fuzz.sh)
 * libFuzzer supplies main(); without it (make check) replay.c does, and
 * feeds the target every file of its seed corpus, as is and mutated.
 */
#ifndef PF_FUZZ_H
#define PF_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***);

/* fuzz_cstr - a NUL-terminated copy of the input; owned, aborts on ENOMEM */
char	*fuzz_cstr(const uint8_t *, size_t);
/* fuzz_tmpfile - write the input to this process's scratch file; its path,
 * static; aborts when it cannot */
const char *fuzz_tmpfile(const uint8_t *, size_t);

#endif
