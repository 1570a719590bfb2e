#!/bin/sh
# content.sh - replay the content fuzz target over its seeds: the content
# fixtures and the real corpus (replay.c mutates each deterministically)
set -u
seeds="$PF_SRCDIR/tests/fixtures/content $PF_SRCDIR/tests/data/corpus/real"
exec "$PF_BUILDDIR/tests/fuzz_content" $seeds
