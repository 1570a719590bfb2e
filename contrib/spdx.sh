#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# spdx.sh - give every source file of the tree an SPDX-License-Identifier
# line, in the comment syntax of its kind, as its first line (after a "#!"
# line).  A file that already names a licence in its first five lines is
# left alone, so the script can run again at any time.  Test inputs
# (messages, zones, keys, fuzz seeds, golden outputs) and quoted third-party
# text (rules/gmail.rules, tests/data/) are not touched: LICENSES.md covers
# them.  Run from anywhere inside a git checkout; -n lists what would change.
set -eu

id=${SPDX_ID:-BSD-2-Clause}
dry=0
[ "${1:-}" = "-n" ] && dry=1
cd "$(git rev-parse --show-toplevel)"

# comment_for FILE - the line to add, or nothing for a file left alone
comment_for() {
	case $1 in
	tests/data/*|tests/fuzz/corpus/*|tests/fixtures/*|tests/corpus/*) ;;
	*.c|*.h) echo "/* SPDX-License-Identifier: $id */" ;;
	*.sh|*.py|*.am|*.cf|*.service|*.supp|*/preflight.conf|.gitignore|.clang-format)
		echo "# SPDX-License-Identifier: $id" ;;
	*.lua) echo "-- SPDX-License-Identifier: $id" ;;
	*.mc|configure.ac) echo "dnl SPDX-License-Identifier: $id" ;;
	man/*.[0-9]) echo ".\\\" SPDX-License-Identifier: $id" ;;
	*.md) echo "<!-- SPDX-License-Identifier: $id -->" ;;
	esac
}

# add FILE LINE - LINE first, or second after a "#!" line; mode kept
add() {
	tmp=$1.spdx.$$
	if head -1 "$1" | grep -q '^#!'; then
		{ head -1 "$1"; echo "$2"; tail -n +2 "$1"; } > "$tmp"
	else
		{ echo "$2"; cat "$1"; } > "$tmp"
	fi
	cat "$tmp" > "$1"
	rm -f "$tmp"
}

n=0
git ls-files | while IFS= read -r f; do
	[ -f "$f" ] || continue
	line=$(comment_for "$f")
	[ -n "$line" ] || continue
	head -5 "$f" | grep -q 'SPDX-License-Identifier' && continue
	n=$((n + 1))
	if [ "$dry" -eq 1 ]; then
		echo "$f"
	else
		add "$f" "$line"
	fi
done
