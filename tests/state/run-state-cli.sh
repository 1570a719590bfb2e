#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# run-state-cli.sh - `preflight state` show, top and forget (text and
# --json) on LMDB and on a private redis-server, its exit statuses, and
# `preflight check` reading the store without writing it unless --record.
set -u

srcdir=${PF_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${PF_BUILDDIR:-$srcdir}
pf=$builddir/preflight
seed=$builddir/tests/stateseed
. "$srcdir/tests/e2e/postfix-lib.sh"
for b in "$pf" "$seed"; do
	[ -x "$b" ] || { echo "run-state-cli: $b is not built" >&2; exit 99; }
done
command -v jq >/dev/null || { echo "run-state-cli: jq missing" >&2; exit 99; }

pfx_redis_scratch run-state-cli
tmp=$PFX_TMP rport=$PFX_REDIS_PORT
rules=$srcdir/rules/gmail.rules

pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
# expect_rc WANT NAME CMD... - the exit status of a command
expect_rc() {
	want=$1 name=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" = "$want" ]; then ok; else bad "$name: exit $rc, want $want: $(head -c 200 "$tmp/err")"; fi
}

for spec in "lmdb:$tmp/st" "redis://127.0.0.1:$rport/5"; do
	kind=${spec%%:*}
	printf 'State %s\n' "$spec" >"$tmp/c.conf"
	c="--config $tmp/c.conf"
	"$seed" "$spec" -f example.com -n 5001 y@gmail.com || bad "$kind: seed"
	"$seed" "$spec" -f other.org -n 7 r@gmail.com || bad "$kind: seed"
	"$pf" state --rules "$rules" $c show news.example.com >"$tmp/out" || bad "$kind: show"
	grep -q 'to personal Gmail, last 24 h: *5001' "$tmp/out" &&
	    grep -q 'bulk sender: *yes, since' "$tmp/out" && ok ||
	    bad "$kind: show domain: $(cat "$tmp/out")"
	"$pf" state --rules "$rules" --json $c show shop.example.com >"$tmp/out"
	jq -e '.org_domain == "example.com" and .personal_gmail_24h == 5001
	    and .bulk and (.bulk_since | test("^[0-9]{4}-"))' "$tmp/out" \
	    >/dev/null && ok || bad "$kind: show --json: $(cat "$tmp/out")"
	"$pf" state --rules "$rules" --json $c show Y@Gmail.com >"$tmp/out"
	jq -e '.recipient_minute == 5001 and (.key | length) == 32' \
	    "$tmp/out" >/dev/null && ok || bad "$kind: show addr: $(cat "$tmp/out")"
	"$pf" state --rules "$rules" --json $c top -n 1 >"$tmp/out"
	jq -e '.domains_personal_gmail_24h == [{"key":"example.com","count":5001}]
	    and (.recipients_hour | length) == 1' "$tmp/out" >/dev/null && ok ||
	    bad "$kind: top: $(cat "$tmp/out")"
	"$pf" state --rules "$rules" $c top >"$tmp/out"
	grep -q '^ *7  other.org$' "$tmp/out" && ! grep -q '@' "$tmp/out" && ok ||
	    bad "$kind: top text: $(cat "$tmp/out")"
	expect_rc 0 "$kind: forget" "$pf" state --rules "$rules" $c forget news.example.com
	"$pf" state --rules "$rules" --json $c show example.com >"$tmp/out"
	jq -e '.personal_gmail_24h == 0 and (.bulk | not)' "$tmp/out" \
	    >/dev/null && ok || bad "$kind: after forget: $(cat "$tmp/out")"
	expect_rc 0 "$kind: forget addr" "$pf" state --rules "$rules" $c forget y@gmail.com
	"$pf" state --rules "$rules" --json $c show y@gmail.com >"$tmp/out"
	jq -e '.recipient_24h == 0' "$tmp/out" >/dev/null && ok ||
	    bad "$kind: addr after forget: $(cat "$tmp/out")"
done

# usage and setup errors
expect_rc 64 "no subcommand" "$pf" state --rules "$rules"
expect_rc 64 "unknown subcommand" "$pf" state --rules "$rules" --config "$tmp/c.conf" list
expect_rc 64 "show without argument" "$pf" state --rules "$rules" --config "$tmp/c.conf" show
expect_rc 64 "bad -n" "$pf" state --rules "$rules" --config "$tmp/c.conf" top -n 0
expect_rc 66 "missing config" "$pf" state --rules "$rules" --config "$tmp/nope.conf" top
printf 'State none\n' >"$tmp/none.conf"
expect_rc 78 "State none" "$pf" state --rules "$rules" --config "$tmp/none.conf" top
printf 'State lmdb:relative\n' >"$tmp/bad.conf"
expect_rc 78 "bad State" "$pf" state --rules "$rules" --config "$tmp/bad.conf" top
grep -q "bad.conf:1: State: the LMDB path must be absolute" "$tmp/err" && ok ||
    bad "bad State message: $(cat "$tmp/err")"
dead=$(pfx_free_port)
printf 'State redis://127.0.0.1:%s\n' "$dead" >"$tmp/dead.conf"
expect_rc 69 "Redis not there" "$pf" state --rules "$rules" --config "$tmp/dead.conf" top
grep -q "unreachable" "$tmp/err" && ok || bad "unreachable message: $(cat "$tmp/err")"

# check reads the store; it writes only with --record
cat > "$tmp/m.eml" <<'MSG'
From: a@news.example.com
To: r@gmail.com
Subject: x
Message-ID: <cli-1@news.example.com>
Date: Mon, 1 Jan 2024 00:00:00 +0000

x
MSG
st=lmdb:$tmp/check
"$pf" check --rules "$rules" --json --no-dns --state "$st" --rcpt r@gmail.com "$tmp/m.eml" >/dev/null
[ ! -e "$tmp/check" ] && ok || bad "check without --record created the store"
for i in 1 2; do
	"$pf" check --rules "$rules" --json --no-dns --state "$st" --record --rcpt r@gmail.com \
	    "$tmp/m.eml" >/dev/null
done
"$pf" check --rules "$rules" --json --no-dns --state "$st" --rcpt r@gmail.com "$tmp/m.eml" >"$tmp/out"
"$pf" check --rules "$rules" --json --no-dns --state "$st" --rcpt r@gmail.com "$tmp/m.eml" >"$tmp/out"
jq -e '.state.rcpt_minute == 3 and .state.msgid_transactions == 3' \
    "$tmp/out" >/dev/null && ok || bad "check read: $(jq -c .state "$tmp/out")"
expect_rc 64 "check bad --state" "$pf" check --rules "$rules" --state bogus --no-dns "$tmp/m.eml"
"$pf" check --rules "$rules" --json --no-dns --state "redis://127.0.0.1:$dead" \
    --rcpt r@gmail.com "$tmp/m.eml" >"$tmp/out"
jq -e '.state.rcpt_minute == null and (.state.why | test("unreachable"))' \
    "$tmp/out" >/dev/null && ok || bad "check, store down: $(jq -c .state "$tmp/out")"

echo "run-state-cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
