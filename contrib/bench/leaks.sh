#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# leaks.sh - preflight-milter under valgrind (memcheck) for MSGS messages
# through a private Postfix (faults.sh's "load" scenario), then its leak
# summary.  Fails if valgrind reports any byte definitely lost or any
# memory error.
# usage: contrib/bench/leaks.sh [-b BUILDDIR] [-n MSGS] [-c SESSIONS] [-o DIR]
#   defaults: -n 10000 -c 8; valgrind's logs go to DIR (default: a new
#   directory under /tmp, printed at the end)
set -u
here=$(cd "$(dirname "$0")" && pwd)
BUILD=
NMSG=10000
SESS=8
OUT=
while getopts b:n:c:o: opt; do
	case $opt in
	b) BUILD=$OPTARG ;;
	n) NMSG=$OPTARG ;;
	c) SESS=$OPTARG ;;
	o) OUT=$OPTARG ;;
	*) sed -n '2,9p' "$0" >&2; exit 64 ;;
	esac
done
command -v valgrind >/dev/null ||
    { echo "leaks: valgrind is missing (install-peers.sh)" >&2; exit 77; }
[ -n "$OUT" ] || OUT=$(mktemp -d /tmp/pf-leaks.XXXXXX)
mkdir -p "$OUT"
export PF_BENCH_WRAP="valgrind --suppressions=$here/valgrind.supp \
--leak-check=full --show-leak-kinds=definite \
--errors-for-leak-kinds=definite --num-callers=30 \
--log-file=$OUT/valgrind.%p.log"
"$here/faults.sh" ${BUILD:+-b "$BUILD"} -S load -c "$SESS" -n "$NMSG"
rc=$?
bad=0
for f in "$OUT"/valgrind.*.log; do
	[ -f "$f" ] || continue
	grep -q "LEAK SUMMARY\|All heap blocks were freed" "$f" || continue
	def=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$f" |
	    tr -d , | head -1)
	errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$f" |
	    head -1)
	echo "leaks: $(basename "$f"): definitely lost ${def:-0} bytes," \
	    "${errs:-?} errors"
	[ "${def:-0}" -ne 0 ] && bad=1
	[ "${errs:-1}" -ne 0 ] && bad=1
done
ls "$OUT"/valgrind.*.log >/dev/null 2>&1 ||
    { echo "leaks: no valgrind report" >&2; bad=1; }
echo "leaks: logs in $OUT"
[ "$rc" -eq 0 ] && [ "$bad" -eq 0 ]
