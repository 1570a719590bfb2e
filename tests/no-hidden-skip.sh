#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# no-hidden-skip.sh TEST [ARG]... - runs one test of make check (it is the
# LOG_COMPILER of every test).  The test's status passes through, except a
# skip (77): that becomes a failure (1) unless tests/expected-skips lists
# the test with the reason it printed.
set -u
list=${PF_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/tests/expected-skips
out=$(mktemp "${TMPDIR:-/tmp}/pf-skip.XXXXXX") || exit 99
trap 'rm -f "$out"' EXIT INT TERM
# into a file, not a pipe: a daemon a test leaves behind must not hold us
"$@" >"$out" 2>&1
rc=$?
cat "$out"
[ "$rc" -eq 77 ] || exit "$rc"
while IFS='	' read -r name why; do
	case $name in ''|'#'*) continue ;; esac
	case $1 in
	"$name"|*/"$name") ;;
	*) continue ;;
	esac
	if grep -qF -- "$why" "$out"; then
		echo "expected skip ($why), listed in tests/expected-skips"
		exit 77
	fi
done < "$list"
echo "FAIL: $1 skipped, and tests/expected-skips does not list this skip"
exit 1
