#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# learn.sh - `preflight learn` over a generated Postfix maillog
# (contrib/bench/mkmaillog.py, default 1,000,000 lines) into a fresh LMDB
# store on one core: lines per CPU second (user+sys: the build machine is
# shared, so wall time says more about the neighbours), the Gmail replies
# classified, the peak memory (which includes the LMDB file's mapped
# pages), then the same file again (the idempotent path: nothing to read).
# usage: contrib/bench/learn.sh [BUILDDIR] [LINES]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${1:-$top/build}
N=${2:-1000000}
T=$(mktemp -d "${TMPDIR:-/tmp}/pf-learnbench.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
python3 "$top/contrib/bench/mkmaillog.py" "$N" "$T/maillog" || exit 1
printf 'Rules %s\nState lmdb:%s/st\n' "$top/rules/gmail.rules" "$T" > "$T/pf.conf"
run() {
	taskset -c 0 /usr/bin/time -f 'cpu %U %S rss %M' "$B/preflight" learn \
	    --config "$T/pf.conf" "$T/maillog" 2>"$T/err"
	grep 'preflight learn:' "$T/err"
	sed -n 's/^cpu \([0-9.]*\) \([0-9.]*\) rss \([0-9]*\)$/\1 \2 \3/p' \
	    "$T/err" | awk -v n="$N" -v what="$1" '{cpu = $1 + $2;
	    printf "%s: %.2f s of CPU (user+sys), %.0f lines per CPU second, " \
	    "peak RSS %d KB\n", what, cpu, n / (cpu > 0 ? cpu : 0.01), $3}'
	g=$(sed -n 's/.* \([0-9]*\) to Gmail.*/\1/p' "$T/err")
	echo "  $g Gmail replies classified and recorded"
}
run "first read"
run "second read (the position is kept: nothing to do)"
