#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# versions.sh - which catalog is in use, everywhere it must show: the
# `catalog VERSION DATE` statement of rules/gmail.rules is what
# `preflight-milter -V`, `preflight --version` (the libraries too), the
# daemon's start-up and reload lines, and the JSON of `preflight check`
# and `preflight explain` name; a bad or repeated statement is refused
# with file:line.
set -u
src=${PF_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${PF_BUILDDIR:-$src}
rules=${PF_RULES:-$src/rules/gmail.rules}
T=$(mktemp -d /tmp/pf-versions.XXXXXX)
MPID=
fails=0 passes=0
cleanup() {
	[ -n "$MPID" ] && kill -9 "$MPID" 2>/dev/null
	if [ "$fails" -gt 0 ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
ok() { passes=$((passes + 1)); echo "ok   - $*"; }
bad() { fails=$((fails + 1)); echo "FAIL - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

read -r _ ver date < <(grep -m1 '^catalog ' "$rules")
check "the rules file has a catalog statement ($ver $date)" \
    [ -n "$ver" ] && [[ $date =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]]
version=$(sed -n 's/^AC_INIT(\[preflight\], \[\([^]]*\)\].*/\1/p' "$src/configure.ac")

printf 'Rules %s\nDNS no\nSocket local:%s/m.sock\nBackground no\n' \
    "$rules" "$T" > "$T/p.conf"
out=$("$build/preflight-milter" -V -c "$T/p.conf"); rc=$?
echo "$out" | sed 's/^/     /'
check "-V exits 0" [ "$rc" -eq 0 ]
check "-V: program version" grep -qx "preflight-milter $version" <<<"$out"
check "-V: catalog version, date and path" \
    grep -qF "catalog $ver ($date) $rules," <<<"$out"
check "-V: core libraries" grep -Eq '^libraries: libopendkim [0-9.]+, libspf2 [0-9.]+, GMime [0-9.]+, libarchive [0-9.]+, libunbound [0-9.]+, libpsl [0-9.]+.*, libidn2 [0-9.]+, OpenSSL [0-9]' <<<"$out"
check "-V: libmilter and libmicrohttpd" \
    grep -Eq '^libraries: libmilter [0-9.]+ \(API 0x[0-9a-f]+\), libmicrohttpd [0-9.]+$' <<<"$out"

out=$("$build/preflight" --version); rc=$?
check "preflight --version exits 0" [ "$rc" -eq 0 ]
check "preflight --version: program, catalog line, libraries" bash -c '
    grep -qx "preflight $1" <<<"$2" && grep -q "^catalog" <<<"$2" &&
    grep -q "^libraries: libopendkim" <<<"$2"' _ "$version" "$out"

j=$(env -u PF_RULES "$build/preflight" check --json --no-dns --config "$T/p.conf" \
    "$src/contrib/samples/clean.eml")
check "check --json carries the catalog" \
    [ "$(jq -r '.catalog.version + " " + .catalog.date' <<<"$j")" = "$ver $date" ]
j=$("$build/preflight" explain --json --rules "$rules" \
    '550 5.7.26 This mail has been blocked because the sender is unauthenticated.')
check "explain --json carries the catalog" \
    [ "$(jq -r '.catalog.version + " " + .catalog.date' <<<"$j")" = "$ver $date" ]

"$build/preflight-milter" -f -e -c "$T/p.conf" > "$T/log" 2>&1 &
MPID=$!
for i in $(seq 1 100); do [ -S "$T/m.sock" ] && break; sleep 0.05; done
kill -HUP "$MPID"
for i in $(seq 1 100); do grep -q reloaded "$T/log" && break; sleep 0.05; done
kill -TERM "$MPID"; wait "$MPID"; MPID=
check "start-up line names the catalog" \
    grep -qF "(config $T/p.conf, catalog $ver $date $rules, " "$T/log"
check "reload line names the catalog" grep -qF "(reload 1, catalog $ver $date)" "$T/log"

# the statement itself: once, VERSION YYYY-MM-DD
sed "s/^catalog .*/catalog $ver 2026-13-01/" "$rules" > "$T/bad.rules"
ln=$(grep -n '^catalog ' "$T/bad.rules" | cut -d: -f1)
printf 'Rules %s\n' "$T/bad.rules" > "$T/bad.conf"
out=$(env -u PF_RULES "$build/preflight" check --no-dns --config "$T/bad.conf" "$src/contrib/samples/clean.eml" 2>&1)
check "a bad date is refused at its line ($out)" \
    grep -qF "$T/bad.rules:$ln: catalog needs VERSION YYYY-MM-DD" <<<"$out"
{ grep '^catalog ' "$rules"; cat "$rules"; } > "$T/twice.rules"
ln=$(grep -n '^catalog ' "$T/twice.rules" | sed -n 2p | cut -d: -f1)
printf 'Rules %s\n' "$T/twice.rules" > "$T/twice.conf"
out=$(env -u PF_RULES "$build/preflight" check --no-dns --config "$T/twice.conf" "$src/contrib/samples/clean.eml" 2>&1)
check "a second catalog statement is refused ($out)" \
    grep -qF "$T/twice.rules:$ln: catalog given twice" <<<"$out"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
