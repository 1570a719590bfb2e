#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# confcheck.sh - preflight-milter -n on each kind of broken configuration:
# exit 78 and exactly "file:line: message".  A Signer key file that is
# missing, not PEM, or a public key (also through an OpenDKIM KeyTable);
# User and Group that do not exist;
# Rules naming a missing file (the config's line is kept) or a rules file
# with an error (the rules file's own line); a socket directory that does
# not exist.  Then the same checks at start (78) and at reload (the
# running configuration stays, the error is logged).  Under a private NSD
# ($PF_DNS_PORT, from tests/nsd/with-nsd.sh) the Signer keys are also
# compared with DNS: a match says nothing, a mismatch or a missing record
# is a warning, never a failure.
set -u
src=${PF_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${PF_BUILDDIR:-$src}
milter=$build/preflight-milter
rules=${PF_RULES:-$src/rules/gmail.rules}
keys=$src/tests/nsd/keys
[ -x "$milter" ] || { echo "FAIL: $milter not built"; exit 1; }

T=$(mktemp -d /tmp/pf-confcheck.XXXXXX)
# the postfix account must reach the sockets made here (see below)
chmod 755 "$T"
MPID=
fails=0 passes=0
cleanup() {
	[ -n "$MPID" ] && kill -9 "$MPID" 2>/dev/null
	if [ "$fails" -gt 0 ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
ok() { passes=$((passes + 1)); echo "ok   - $*"; }
bad() { fails=$((fails + 1)); echo "FAIL - $*"; }

conf=$T/preflight.conf
# write EXTRA-LINES - a good base with the lines appended (from line 6)
write() {
	printf '%s\n' "Rules $rules" "DNS no" "Socket local:$T/milter.sock" \
	    "Background no" "SocketMode 0666" "$@" > "$conf"
}

# expect WHAT MESSAGE - -n exits 78 with exactly MESSAGE
expect() {
	local out rc
	out=$("$milter" -n -c "$conf" 2>&1); rc=$?
	if [ "$rc" -eq 78 ] && [ "$out" = "$2" ]; then
		ok "$1: $out"
	else
		bad "$1: exit $rc, \"$out\", wanted 78 and \"$2\""
	fi
}

printf 'not a key\n' > "$T/text.pem"
write "Signer example.com sel1 $T/missing.pem"
expect "missing key file" \
    "$conf:6: Signer: $T/missing.pem: No such file or directory"
write "HELO mta.example.com" "Signer example.com sel1 $T/text.pem"
expect "key file that is not PEM" "$conf:7: Signer: $T/text.pem: not a PEM private key"
write "Signer example.com sel1 $keys/rsa2048.pem" \
    "Signer example.com ed1 $keys/ed25519.pub"
expect "a public key instead of a private one" \
    "$conf:7: Signer: $keys/ed25519.pub: not a PEM private key"
printf '# OpenDKIM KeyTable\nk1 example.com:sel1:%s\n\nk2 example.com:ed1:%s\n' \
    "$keys/rsa2048.pem" "$T/missing.pem" > "$T/KeyTable"
write "KeyTable $T/KeyTable"
expect "KeyTable naming a missing key file: the table's line" \
    "$T/KeyTable:4: $T/missing.pem: No such file or directory"
write "KeyTable file:$T/NoKeyTable"
expect "KeyTable that does not exist: the config's line" \
    "$conf:6: KeyTable: $T/NoKeyTable: No such file or directory"
write "User no-such-user-pf"
expect "User that does not exist" "$conf:6: User: no user \"no-such-user-pf\""
write "User nobody" "Group no-such-group-pf"
expect "Group that does not exist" "$conf:7: Group: no group \"no-such-group-pf\""
write "SocketGroup no-such-group-pf"
expect "SocketGroup that does not exist" "$conf:6: SocketGroup: no group \"no-such-group-pf\""
printf '%s\n' "DNS no" "Rules /nonexistent/gmail.rules" > "$conf"
expect "Rules naming a missing file keeps the config's line" \
    "$conf:2: Rules: /nonexistent/gmail.rules: No such file or directory"
printf 'rule broken-rule\n  reply 550\n  status 5.7.1\n  nonsense here\n' > "$T/bad.rules"
printf '%s\n' "DNS no" "Rules $T/bad.rules" > "$conf"
out=$("$milter" -n -c "$conf" 2>&1); rc=$?
if [ "$rc" -eq 78 ] && [[ $out == "$T/bad.rules:"[0-9]*": "* ]]; then
	ok "an error inside the rules file: its own file:line ($out)"
else
	bad "an error inside the rules file: exit $rc, \"$out\""
fi
printf '%s\n' "DNS no" "Rules $rules" "Socket local:$T/no/such/dir/m.sock" > "$conf"
expect "socket directory that does not exist" \
    "$conf:3: Socket: directory $T/no/such/dir: No such file or directory"

# a socket the postfix account cannot reach: a warning naming the
# directory that stops it, and the configuration is still taken
if getent passwd postfix >/dev/null; then
	mkdir -p "$T/private/sub" && chmod 700 "$T/private"
	printf '%s\n' "DNS no" "Rules $rules" \
	    "Socket local:$T/private/sub/m.sock" > "$conf"
	out=$("$milter" -n -c "$conf" 2>&1); rc=$?
	want="$conf:3: Socket: the postfix user cannot reach $T/private/sub/m.sock: $T/private is mode 0700, owner 0:0"
	if [ "$rc" -eq 0 ] && grep -qF "[warning]: $want" <<<"$out" &&
	    grep -qx "configuration OK" <<<"$out"; then
		ok "socket the postfix user cannot reach: warned, still OK"
	else
		bad "unreachable socket: exit $rc, \"$out\", wanted 0 and \"$want\""
	fi
	chmod 750 "$T/private" && chgrp postfix "$T/private" &&
	    chmod 755 "$T/private/sub"
	out=$("$milter" -n -c "$conf" 2>&1)
	[ "$out" = "configuration OK" ] &&
	    ok "the same socket through a postfix-group directory: no warning" ||
	    bad "postfix-group directory: \"$out\""
fi

write "Signer example.com sel1 $keys/rsa2048.pem" \
    "Signer example.com ed1 $keys/ed25519.pem"
out=$("$milter" -n -c "$conf" 2>&1)
[ "$out" = "configuration OK" ] && ok "good keys: configuration OK" ||
    bad "good keys: \"$out\""

# at start: 78, nothing bound
write "Signer example.com sel1 $T/missing.pem"
"$milter" -f -e -c "$conf" > "$T/start.log" 2>&1; rc=$?
[ "$rc" -eq 78 ] && grep -q "^$conf:6: Signer: " "$T/start.log" &&
    [ ! -e "$T/milter.sock" ] && ok "start refused with 78 and file:line" ||
    bad "start with a missing key: exit $rc, $(cat "$T/start.log")"

# at reload: the running configuration stays
write
"$milter" -f -e -c "$conf" > "$T/milter.log" 2>&1 &
MPID=$!
for i in $(seq 1 100); do [ -S "$T/milter.sock" ] && break; sleep 0.05; done
write "User no-such-user-pf"
kill -HUP "$MPID"
for i in $(seq 1 100); do grep -q 'reload failed' "$T/milter.log" && break; sleep 0.05; done
grep -q "reload failed, keeping the running configuration: $conf:6: User: no user \"no-such-user-pf\"" \
    "$T/milter.log" && kill -0 "$MPID" && ok "bad reload: logged with file:line, still running" ||
    bad "bad reload: $(tail -2 "$T/milter.log")"
kill -TERM "$MPID"; wait "$MPID"; MPID=

# against DNS, when a private NSD serves tests/nsd/zones
if [ -n "${PF_DNS_PORT:-}" ]; then
	write "DNS yes" "Nameserver 127.0.0.1:$PF_DNS_PORT" \
	    "Signer example.com sel1 $keys/rsa2048.pem" \
	    "Signer example.com wrong $keys/rsa2048.pem" \
	    "Signer example.com nokey $keys/rsa2048.pem"
	sed -i '/^DNS no$/d' "$conf"	# lines 7, 8, 9: the Signers
	out=$("$milter" -n -c "$conf" 2>&1); rc=$?
	echo "$out" | sed 's/^/     /'
	[ "$rc" -eq 0 ] && ok "DNS mismatches are warnings: exit 0" || bad "DNS: exit $rc"
	grep -q "sel1._domainkey" <<<"$out" && bad "a matching key warned" ||
	    ok "the key published at sel1 matches: no warning"
	grep -q "$conf:8: Signer: the key in wrong._domainkey.example.com is not the public half of $keys/rsa2048.pem" <<<"$out" &&
	    ok "mismatched key: warning with file:line" || bad "no mismatch warning"
	grep -q "$conf:9: Signer: no DKIM key published at nokey._domainkey.example.com" <<<"$out" &&
	    ok "missing record: warning with file:line" || bad "no missing-record warning"
	grep -q "configuration OK" <<<"$out" && ok "-n still says configuration OK" ||
	    bad "-n did not say configuration OK"
fi

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
