#!/bin/sh
# content.sh - replay the content fuzz target over its seeds: the content
# fixtures and the real corpus (replay.c mutates each deterministically)
set -u
seeds="$PF_SRCDIR/tests/fixtures/content"
[ -d "$PF_SHARED/corpus/real" ] && seeds="$seeds $PF_SHARED/corpus/real"
exec "$PF_BUILDDIR/tests/fuzz_content" $seeds
