#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# run-fixtures.sh - every DNS fixture through `preflight check --json`
# against the private NSD: tests/fixtures/dns/<name>.eml with <name>.expect,
# whose `args:` line holds the options (@PORT@ becomes the server's port,
# @CONF@ the fixture's <name>.conf with @SRCDIR@ filled in)
# and whose lines `+rule` / `-rule` / `?rule` say the rule must be
# predicted / must not be / must be listed as unknown.  The fixtures are
# written by tests/nsd/make-fixtures.py.
set -u

srcdir=${PF_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${PF_BUILDDIR:-$srcdir}
pf=${PF_PREFLIGHT:-}
for c in "$builddir/preflight" "$builddir/milter/cli/preflight"; do
	[ -z "$pf" ] && [ -x "$c" ] && pf=$c
done
if [ -z "$pf" ]; then
	echo "run-fixtures (dns): the preflight binary is not built" >&2
	exit 99
fi
command -v jq >/dev/null || { echo "run-fixtures: jq missing" >&2; exit 99; }

PF_SRCDIR=$srcdir
. "$srcdir/tests/nsd/nsd.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pf-dnsfix.XXXXXX") || exit 99
pf_nsd_start || exit 99
trap 'pf_nsd_stop; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

pass=0 fail=0
# check_one EML EXPECT
check_one() {
	eml=$1 exp=$2 name=$(basename "$1" .eml)
	conf=${eml%.eml}.conf
	if [ -f "$conf" ]; then
		sed "s|@SRCDIR@|$srcdir|g" "$conf" > "$tmp/$name.conf"
	fi
	args=$(sed -n 's/^args: //p' "$exp" |
	    sed -e "s/@PORT@/$PF_DNS_PORT/g" -e "s|@CONF@|$tmp/$name.conf|g")
	out="$tmp/out.json"
	# shellcheck disable=SC2086 # args are split on purpose
	eval "set -- $args"
	"$pf" check --json --state none --rules "$srcdir/rules/gmail.rules" "$@" "$eml" >"$out" 2>"$tmp/err"
	rc=$?
	case $rc in
	0|1|2) ;;
	*) echo "FAIL $name: exit $rc: $(head -c 300 "$tmp/err")"
	   fail=$((fail + 1)); return ;;
	esac
	if ! jq -e . "$out" >/dev/null 2>&1; then
		echo "FAIL $name: output is not JSON"; fail=$((fail + 1)); return
	fi
	got=$(jq -r '.predictions[].rule' "$out" | sort -u)
	unk=$(jq -r '.unknown[]?.rule' "$out" | sort -u)
	ok=1
	for want in $(grep -E '^[-+?]' "$exp"); do
		rule=${want#?}
		has=0; isunk=0
		printf '%s\n' "$got" | grep -qx -- "$rule" && has=1
		printf '%s\n' "$unk" | grep -qx -- "$rule" && isunk=1
		case $want in
		+*) [ $has = 1 ] || { echo "FAIL $name: $rule not predicted" \
		    "(got: $(echo $got); unknown: $(echo $unk))"; ok=0; } ;;
		-*) [ $has = 0 ] || { echo "FAIL $name: $rule predicted"; ok=0; } ;;
		\?*) [ $isunk = 1 ] || { echo "FAIL $name: $rule not unknown" \
		    "(unknown: $(echo $unk))"; ok=0; } ;;
		esac
	done
	if [ $ok = 1 ]; then pass=$((pass + 1)); else
		fail=$((fail + 1)); jq -c .auth "$out"; fi
}

for eml in "$srcdir"/tests/fixtures/dns/*.eml; do
	[ -f "$eml" ] || continue
	exp=${eml%.eml}.expect
	[ -f "$exp" ] || { echo "FAIL $(basename "$eml"): no .expect"
		fail=$((fail + 1)); continue; }
	check_one "$eml" "$exp"
done
echo "run-fixtures (dns): $pass passed, $fail failed"
[ $fail = 0 ]
