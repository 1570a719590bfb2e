#!/bin/sh
# run-corpus.sh - every real message of $PF_SHARED/corpus/real (*.eml)
# through `preflight check --json --no-dns`: no crash, no sanitizer report,
# valid JSON, and the predicted rule ids equal to the reviewed golden file
# tests/corpus/golden.txt ("file: rule rule ...", sorted).  A change in
# behaviour shows up as a diff; after reviewing it, regenerate with
# PF_GOLDEN_UPDATE=1.
set -u

srcdir=${PF_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${PF_BUILDDIR:-$srcdir}
corpus=${PF_SHARED:-$srcdir/../shared}/corpus/real
golden=$srcdir/tests/corpus/golden.txt
pf=${PF_PREFLIGHT:-}
for c in "$builddir/preflight" "$builddir/milter/cli/preflight"; do
	[ -z "$pf" ] && [ -x "$c" ] && pf=$c
done
if [ -z "$pf" ]; then
	echo "run-corpus: the preflight binary is not built; skipping" >&2
	exit 77
fi
if [ ! -d "$corpus" ]; then
	echo "run-corpus: no corpus at $corpus; skipping" >&2
	exit 77
fi
command -v jq >/dev/null || { echo "run-corpus: jq missing" >&2; exit 99; }

# a sanitizer report must not look like exit 1 (tempfail predicted)
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86:detect_leaks=1
UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=87:print_stacktrace=1
export ASAN_OPTIONS UBSAN_OPTIONS

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pf-corpus.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0 n=0
: >"$tmp/got"
for eml in "$corpus"/*.eml; do
	name=$(basename "$eml")
	n=$((n + 1))
	"$pf" check --json --no-dns --state none --rules "$srcdir/rules/gmail.rules" "$eml" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	case $rc in
	0|1|2) ;;
	65)	# no header field at all: an input error, recorded as such
		printf '%s: (not a message)\n' "$name" >>"$tmp/got"
		continue ;;
	*) echo "FAIL $name: exit $rc"; head -c 2000 "$tmp/err"; fail=$((fail + 1)); continue ;;
	esac
	if grep -q -E 'Sanitizer|runtime error' "$tmp/err"; then
		echo "FAIL $name: sanitizer report"; head -c 2000 "$tmp/err"
		fail=$((fail + 1)); continue
	fi
	if ! jq -e '.verdict and (.predictions | type == "array") and
	    (.unknown | type == "array")' "$tmp/out" >/dev/null 2>&1; then
		echo "FAIL $name: output is not the JSON of the contract"
		fail=$((fail + 1)); continue
	fi
	printf '%s:%s\n' "$name" \
	    "$(jq -r '.predictions[].rule' "$tmp/out" | sort -u | tr '\n' ' ' |
	    sed 's/ $//; s/^./ &/')" >>"$tmp/got"
done
if [ "${PF_GOLDEN_UPDATE:-0}" = 1 ]; then
	cp "$tmp/got" "$golden"
	echo "run-corpus: wrote $golden ($n messages); review the diff"
elif ! diff -u "$golden" "$tmp/got"; then
	echo "FAIL: predictions differ from tests/corpus/golden.txt"
	fail=$((fail + 1))
fi
echo "run-corpus: $n messages, $fail failures"
[ $fail = 0 ]
