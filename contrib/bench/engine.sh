#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# engine.sh - engine cost over the real corpus: messages per second and
# MB/s in one process (contrib/bench/enginebench.c, DNS off, the bundled
# rules), and instructions per message byte under callgrind, counting only
# the per-message work: over the whole directory, then over its messages
# without a DKIM-Signature field (nothing to verify), each with the top of
# callgrind's list.  One check is reset and reused across the messages, as
# in an SMTP session; -f builds a new check per message instead.
# usage: contrib/bench/engine.sh [-b BUILDDIR] [-r ROUNDS] [-f] [CORPUSDIR]
#   defaults: -b build -r 5, tests/data/corpus/real
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=$top/build
ROUNDS=5
while getopts b:r:f opt; do
	case $opt in
	f) PF_BENCH_FRESH=1; export PF_BENCH_FRESH ;;
	b) B=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	*) sed -n '2,11p' "$0" >&2; exit 64 ;;
	esac
done
shift $((OPTIND - 1))
DIR=${1:-$top/tests/data/corpus/real}
[ -f "$B/libpfcore.a" ] || { echo "engine: build first ($B)" >&2; exit 77; }
B=$(cd "$B" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
LIBS=$(printf 'print:\n\t@echo $(CORE_LIBS) $(LIBS)\n' |
    make -s --no-print-directory -C "$B" -f Makefile -f - print 2>/dev/null |
    tail -n 1)
(cd "$B" && cc -O2 -g -I"$top/milter/core" -I"$B" -o "$T/enginebench" \
    "$top/contrib/bench/enginebench.c" $LIBS) || exit 1
printf 'Rules %s\nDNS no\nState none\n' "$top/rules/gmail.rules" > "$T/pf.conf"
echo "corpus: $DIR"
"$T/enginebench" "$T/pf.conf" "$DIR" "$ROUNDS" || exit 1
# cg NAME DIR - instructions per byte over DIR, and the top of the list
cg() {
	valgrind --tool=callgrind --toggle-collect=check_one \
	    --callgrind-out-file="$T/$1.out" \
	    "$T/enginebench" "$T/pf.conf" "$2" 1 > "$T/$1.txt" 2>"$T/$1.err" ||
	    { tail "$T/$1.err" >&2; exit 1; }
	ir=$(sed -n 's/^summary: *//p' "$T/$1.out")
	bytes=$(sed -n 's/.* bytes \([0-9]*\) .*/\1/p' "$T/$1.txt")
	msgs=$(sed -n 's/^messages \([0-9]*\) .*/\1/p' "$T/$1.txt")
	echo "callgrind, $1: $ir instructions for $msgs messages, $bytes bytes:" \
	    "$(awk "BEGIN {printf \"%.1f\", $ir / $bytes}") per byte," \
	    "$(awk "BEGIN {printf \"%.0f\", $ir / $msgs}") per message"
	callgrind_annotate "$T/$1.out" 2>/dev/null | sed -n '/^Ir/,$p' |
	    head -25
}
if command -v valgrind >/dev/null; then
	cg all "$DIR"
	# the messages with no signature to verify (a DKIM-Signature field
	# anywhere, even in an attached message, counts as one)
	mkdir "$T/nodkim"
	for f in "$DIR"/*.eml; do
		grep -qi '^DKIM-Signature:' "$f" || ln -s "$f" "$T/nodkim/"
	done
	cg no-dkim "$T/nodkim"
fi
