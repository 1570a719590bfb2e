#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# fuzz.sh - build the fuzz targets in tests/fuzz with libFuzzer, ASan and
# UBSan, and run each for a while.  The core library is rebuilt with
# coverage instrumentation in its own build directory.
#
# usage: contrib/fuzz.sh [-s SECONDS] [-r RUNS] [-j JOBS] [-b BUILDDIR] [-m] [TARGET...]
#   -s  seconds per target (default 60)
#   -r  stop a target earlier, after RUNS executions (libFuzzer -runs)
#   -j  libFuzzer jobs per target (default 1; the machine has 2 cores)
#   -b  build directory (default build-fuzz)
#   -m  afterwards, minimize (libFuzzer -merge=1) what the run found together
#       with tests/fuzz/corpus/TARGET into tests/fuzz/corpus/TARGET, which
#       make check replays; inputs with a name of their own (crash-...,
#       regression seeds) are kept as they are
#   TARGET  token addr msgid date header mime archive rules config explain
#           content mailbox logline
#           (default: all)
# Prints a markdown table (target, seconds, runs, coverage, corpus,
# crashes) and leaves crashing inputs in BUILDDIR/fuzz/artifacts; a crash
# makes the exit status 1.  Reproduce one with BUILDDIR/fuzz/fuzz_X FILE.
# The working corpus of each target stays in BUILDDIR/fuzz/corpus-TARGET,
# so a later run goes on from there.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
SECS=60
JOBS=1
B=$top/build-fuzz
MERGE=0
RUNS=-1
while getopts s:r:j:b:m opt; do
	case $opt in
	s) SECS=$OPTARG ;;
	r) RUNS=$OPTARG ;;
	j) JOBS=$OPTARG ;;
	b) B=$OPTARG ;;
	m) MERGE=1 ;;
	*) sed -n '2,22p' "$0" >&2; exit 64 ;;
	esac
done
shift $((OPTIND - 1))
TARGETS=${*:-token addr msgid date header mime archive rules config explain content mailbox logline}

command -v clang >/dev/null || { echo "fuzz: clang is missing" >&2; exit 77; }
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
CFL="-g -O1 -fno-omit-frame-pointer $SAN"

mkdir -p "$B" || exit 1
B=$(cd "$B" && pwd)
if [ ! -f "$B/Makefile" ]; then
	[ -f "$top/configure" ] || (cd "$top" && autoreconf -fi) || exit 1
	(cd "$B" && "$top/configure" -q CC=clang \
	    CFLAGS="$CFL -fsanitize=fuzzer-no-link") || exit 1
fi
# always: the core may have changed since the last run
(cd "$B" && make -j2 libpfcore.a >/dev/null) || exit 1
LIBS=$(printf 'print:\n\t@echo $(CORE_LIBS) $(LIBS)\n' |
    make -s --no-print-directory -C "$B" -f Makefile -f - print 2>/dev/null |
    tail -n 1)
case $LIBS in
*libpfcore.a*) ;;
*) echo "fuzz: cannot read the link flags from $B/Makefile" >&2; exit 1 ;;
esac
INC="-I$top/milter/core -I$top/tests/fuzz -I$B"
mkdir -p "$B/fuzz/artifacts"

# minimize TARGET DIR... - the smallest set of inputs of the DIRs with the
# coverage of all of them, into tests/fuzz/corpus/TARGET (names: SHA-1 of
# the content); named inputs there (not 40 hex digits) are kept as well
minimize() {
	local t=$1 new=$B/fuzz/min-$1 keep=$top/tests/fuzz/corpus/$1 f
	shift
	rm -rf "$new" && mkdir -p "$new" || return 1
	(cd "$B/fuzz" && "./fuzz_$t" -merge=1 -timeout=10 -rss_limit_mb=2048 \
	    "$new" "$@" >"$B/fuzz/merge-$t.log" 2>&1) || {
		echo "fuzz: merging $t failed ($B/fuzz/merge-$t.log)" >&2
		return 1
	}
	for f in "$keep"/*; do
		case ${f##*/} in
		*[!0-9a-f]*|?????????????????????????????????????????) ;;
		????????????????????????????????????????) rm -f "$f" ;;
		esac
	done
	cp "$new"/* "$keep"/ && rm -rf "$new" || return 1
	# a kept input the merge chose is there twice now: once is enough
	for f in "$keep"/*; do
		case ${f##*/} in
		????????????????????????????????????????) ;;
		*) rm -f "$keep/$(sha1sum < "$f" | cut -c1-40)" ;;
		esac
	done
}

echo "| target | seconds | runs | coverage (edges) | corpus | crashes |"
echo "|---|---:|---:|---:|---:|---:|"
bad=0
for t in $TARGETS; do
	src=$top/tests/fuzz/fuzz_$t.c
	[ -f "$src" ] || { echo "fuzz: no target $t" >&2; bad=1; continue; }
	extra="$top/tests/fuzz/fuzzutil.c"
	[ "$t" = content ] && extra=
	(cd "$B" && clang $CFL -fsanitize=fuzzer -DPF_LIBFUZZER $INC \
	    -DPF_FUZZ_RULES="\"$top/rules/gmail.rules\"" \
	    -o "$B/fuzz/fuzz_$t" "$src" $extra $LIBS) || { bad=1; continue; }
	work=$B/fuzz/corpus-$t
	mkdir -p "$work"
	keep=$top/tests/fuzz/corpus/$t
	mkdir -p "$keep"
	seeds=$keep
	[ "$t" = content ] && seeds="$seeds $top/tests/fixtures/content"
	par=
	[ "$JOBS" -gt 1 ] && par="-jobs=$JOBS -workers=$JOBS"
	# PF_FUZZ_SEED fixes libFuzzer's random seed (CI: the same mutations
	# every run); unset, each run explores differently
	[ -n "${PF_FUZZ_SEED:-}" ] && par="$par -seed=$PF_FUZZ_SEED"
	rm -f "$B/fuzz/$t".log "$B/fuzz"/fuzz-*.log
	start=$(date +%s)
	(cd "$B/fuzz" && ASAN_OPTIONS=detect_leaks=1 \
	    UBSAN_OPTIONS=print_stacktrace=1 \
	    "./fuzz_$t" -max_total_time="$SECS" -runs="$RUNS" -timeout=10 \
	    -rss_limit_mb=2048 $par \
	    -artifact_prefix="$B/fuzz/artifacts/$t-" -print_final_stats=1 \
	    "$work" $seeds >"$B/fuzz/$t.log" 2>&1)
	cat "$B/fuzz"/fuzz-*.log >> "$B/fuzz/$t.log" 2>/dev/null
	secs=$(($(date +%s) - start))
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
	    "$B/fuzz/$t.log" | awk '{s += $1} END {print s}')
	cov=$(grep -o 'cov: [0-9]*' "$B/fuzz/$t.log" | tail -1 | cut -d' ' -f2)
	n=$(ls "$work" | wc -l)
	crashes=$(ls "$B/fuzz/artifacts" | grep -c "^$t-")
	[ "$crashes" -gt 0 ] && bad=1
	echo "| $t | $secs | ${runs:-?} | ${cov:-?} | $n | $crashes |"
	[ "$MERGE" = 1 ] && { minimize "$t" "$work" $seeds || bad=1; }
done
exit $bad
