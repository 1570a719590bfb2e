#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# check.sh - `preflight check` over a whole corpus in one run against one
# run per message, and against the engine alone (enginebench.c): wall
# time, messages per second, the speed-up, and the share of the engine's
# own throughput the batch reaches.  DNS off, no config file, the bundled
# rules, output to /dev/null.  A benchmark, not a test: it prints numbers
# and says whether the batch is at least 20x faster than single runs and
# within 10 % of the engine's throughput at the same number of threads.
# The batch runs take the corpus REPEAT times over (the directory given
# REPEAT times) so that start-up, mostly loading the catalog, weighs as
# little as it does in enginebench, which times its REPEAT rounds only.
# usage: contrib/bench/check.sh [-b BUILDDIR] [-j JOBS] [-r ROUNDS]
#                               [-x REPEAT] [DIR]
#   defaults: -b build -j 2 -r 3 -x 10; DIR: tests/data/corpus/real
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=$top/build
JOBS=2
ROUNDS=3
REPEAT=10
while getopts b:j:r:x: opt; do
	case $opt in
	b) B=$OPTARG ;;
	j) JOBS=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	x) REPEAT=$OPTARG ;;
	*) sed -n '2,14p' "$0" >&2; exit 64 ;;
	esac
done
shift $((OPTIND - 1))
DIR=${1:-}
if [ -z "$DIR" ]; then
	DIR=$top/tests/data/corpus/real
fi
[ -d "$DIR" ] || { echo "check: no corpus at $DIR" >&2; exit 77; }
[ -x "$B/preflight" ] || { echo "check: build first ($B)" >&2; exit 77; }
B=$(cd "$B" && pwd)
pf=$B/preflight
rules=$top/rules/gmail.rules
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
n=$(find "$DIR" -maxdepth 1 -name '*.eml' -type f | wc -l)

# now - monotonic-ish seconds with nanoseconds
now() { date +%s.%N; }
# best CMD... - the fastest of ROUNDS runs, in seconds
best() {
	b=
	r=0
	while [ $r -lt "$ROUNDS" ]; do
		t0=$(now)
		"$@" >/dev/null 2>&1
		t1=$(now)
		b=$(awk -v a="$t0" -v z="$t1" -v b="$b" \
		    'BEGIN { d = z - a; if (b == "" || d < b) b = d; print b }')
		r=$((r + 1))
	done
	echo "$b"
}
singles() {
	for f in "$DIR"/*.eml; do
		"$pf" check --no-config --rules "$rules" --no-dns --json "$f"
	done
}
batch() {
	# shellcheck disable=SC2046 # the directory, REPEAT times
	"$pf" check --no-config --rules "$rules" --no-dns --json \
	    --no-progress -j "$1" \
	    $(i=0; while [ $i -lt "$REPEAT" ]; do echo "$DIR"; i=$((i + 1)); done)
}

echo "corpus: $DIR ($n messages; batch runs take it $REPEAT times)," \
    "$(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), best of $ROUNDS"
ts=$(best singles)
tb=$(best batch "$JOBS")
t1=$(best batch 1)

# the engine alone, in one process and one thread (enginebench.c)
LIBS=$(printf 'print:\n\t@echo $(CORE_LIBS) $(LIBS)\n' |
    make -s --no-print-directory -C "$B" -f Makefile -f - print 2>/dev/null |
    tail -n 1)
eng=
if (cd "$B" && cc -O2 -g -I"$top/milter/core" -I"$B" -o "$T/enginebench" \
    "$top/contrib/bench/enginebench.c" $LIBS) 2>"$T/cc.err"; then
	printf 'Rules %s\nDNS no\n' "$rules" > "$T/pf.conf"
	r=0
	while [ $r -lt "$ROUNDS" ]; do
		e=$("$T/enginebench" "$T/pf.conf" "$DIR" "$REPEAT" |
		    sed -n 's/.* msgs_per_s \([0-9.]*\) .*/\1/p')
		eng=$(awk -v a="$e" -v b="$eng" \
		    'BEGIN { print (b == "" || a > b) ? a : b }')
		r=$((r + 1))
	done
fi

awk -v n="$n" -v x="$REPEAT" -v ts="$ts" -v tb="$tb" -v t1="$t1" -v j="$JOBS" \
    -v eng="$eng" -v cores="$(nproc)" 'BEGIN {
	printf "%-34s %9s %10s\n", "", "seconds", "msgs/s"
	printf "%-34s %9.3f %10.1f\n", n " single runs", ts, n / ts
	printf "%-34s %9.3f %10.1f\n", "one run, -j 1", t1, n * x / t1
	printf "%-34s %9.3f %10.1f\n", "one run, -j " j, tb, n * x / tb
	if (eng != "")
		printf "%-34s %9s %10.1f\n", "engine alone, one thread", "",
		    eng
	up = (n / ts > 0) ? (n * x / tb) / (n / ts) : 0
	printf "\nspeed-up of -j %d over single runs: %.1fx (goal: 20x) %s\n",
	    j, up, ((up >= 20) ? "met" : "NOT met")
	if (eng != "") {
		t = (j < cores) ? j : cores
		printf "-j 1 reaches %.0f%% of the engine alone " \
		    "(goal: 90%%) %s\n", 100 * (n * x / t1) / eng,
		    (((n * x / t1) >= 0.9 * eng) ? "met" : "NOT met")
		printf "-j %d reaches %.0f%% of %d x the engine alone\n", j,
		    100 * (n * x / tb) / (eng * t), t
	}
}'
