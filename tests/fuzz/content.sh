#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# content.sh - replay the content fuzz target over its seeds: the corpus
# its long runs kept (tests/fuzz/corpus/content), the content fixtures and
# the real messages (replay.c mutates each deterministically)
set -u
seeds="$PF_SRCDIR/tests/fixtures/content $PF_SRCDIR/tests/data/corpus/real"
[ -d "$PF_SRCDIR/tests/fuzz/corpus/content" ] &&
    seeds="$PF_SRCDIR/tests/fuzz/corpus/content $seeds"
exec "$PF_BUILDDIR/tests/fuzz_content" $seeds
