#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# state.sh - the added cost of the state store per message, over the
# stateless engine, for LMDB (a file in a temporary directory) and for a
# private redis-server on loopback, in the same run
# (contrib/bench/statebench.c).  A benchmark, not a test: it prints
# numbers and checks nothing.  The Redis read is one pipelined round trip
# per message and the write is sent without waiting, so the Redis line is
# compared with the time of one PING.  Times swing with the load of the
# machine; with valgrind installed, the instructions per message (which do
# not) are counted too, under callgrind, for each store alone.
# usage: contrib/bench/state.sh [-b BUILDDIR] [-n MESSAGES]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=$top/build
N=20000
while getopts b:n: opt; do
	case $opt in
	b) B=$OPTARG ;;
	n) N=$OPTARG ;;
	*) sed -n '2,13p' "$0" >&2; exit 64 ;;
	esac
done
[ -f "$B/libpfcore.a" ] || { echo "state: build first ($B)" >&2; exit 77; }
command -v redis-server >/dev/null || { echo "state: no redis-server" >&2; exit 77; }
B=$(cd "$B" && pwd)
. "$top/tests/e2e/postfix-lib.sh"
T=$(mktemp -d)
RPID=
trap '[ -n "$RPID" ] && kill "$RPID"; rm -rf "$T"' EXIT INT TERM
LIBS=$(printf 'print:\n\t@echo $(CORE_LIBS) $(LIBS)\n' |
    make -s --no-print-directory -C "$B" -f Makefile -f - print 2>/dev/null |
    tail -n 1)
(cd "$B" && cc -O2 -g -I"$top/milter/core" -I"$B" -o "$T/statebench" \
    "$top/contrib/bench/statebench.c" $LIBS) || exit 1
port=$(pfx_free_port)
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$T" >/dev/null 2>&1 &
RPID=$!
pfx_wait_port "$port" 10 || { echo "state: redis-server did not start" >&2; exit 1; }
echo "$N messages each; DNS off; $(nproc) CPUs"
"$T/statebench" "$top/rules/gmail.rules" "$N" none "lmdb:$T/state" \
    "redis://127.0.0.1:$port/0"
echo "LMDB file after $N messages (plus the warm-up):" \
    "$(du -k "$T/state" | cut -f1) KB on disk"
echo "Redis after the same: $(printf 'INFO memory\r\n' |
    timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; cat >&3; sleep 0.3; cat <&3" 2>/dev/null |
    sed -n 's/^used_memory_human:\([^\r]*\).*/\1/p') used," \
    "$(printf 'DBSIZE\r\n' | timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; cat >&3; sleep 0.3; cat <&3" 2>/dev/null |
    tr -d ':\r') keys"
if command -v valgrind >/dev/null; then
	cg=$((N / 10))
	echo "callgrind, $cg messages each (instructions per message," \
	    "averaged over the run and its warm-up):"
	base=
	for spec in none "lmdb:$T/cg-state" "redis://127.0.0.1:$port/1"; do
		valgrind --tool=callgrind --toggle-collect=one \
		    --callgrind-out-file="$T/cg.out" "$T/statebench" \
		    "$top/rules/gmail.rules" "$cg" "$spec" >/dev/null 2>&1 ||
		    { echo "  $spec: callgrind failed"; continue; }
		ir=$(sed -n 's/^summary: *//p' "$T/cg.out")
		per=$((ir / (cg + cg / 10)))
		[ -z "$base" ] && base=$per
		printf '  %-40s %9d instructions/message  +%d\n' "$spec" \
		    "$per" $((per - base))
	done
fi
