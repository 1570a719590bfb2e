#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# run-state-rules.sh - each rule that reads the state store, both ways:
# history is put into a private LMDB file by stateseed (the way the engine
# counts it, many messages at once), then `preflight check --json
# --no-dns --state lmdb:...` must predict the rule just over the limit
# and must not just under it.  The Bulk auto case goes through
# `preflight check --record` for its last messages.
set -u

srcdir=${PF_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${PF_BUILDDIR:-$srcdir}
pf=$builddir/preflight
seed=$builddir/tests/stateseed
for b in "$pf" "$seed"; do
	[ -x "$b" ] || { echo "run-state-rules: $b is not built" >&2; exit 99; }
done
command -v jq >/dev/null || { echo "run-state-rules: jq missing" >&2; exit 99; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pf-strules.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
rules=$srcdir/rules/gmail.rules

cat > "$tmp/msg.eml" <<'MSG'
From: News <news@news.example.com>
To: someone@gmail.com
Subject: state rules
Message-ID: <reused-1@news.example.com>
Date: Mon, 1 Jan 2024 00:00:00 +0000

hello
MSG
cat > "$tmp/relay.conf" <<CONF
Rules $rules
RelayViaGoogle yes
TLS yes
CONF
cat > "$tmp/account.conf" <<CONF
Rules $rules
GmailAccount sender@corp.example
CONF
cat > "$tmp/notls.conf" <<CONF
Rules $rules
TLS no
Bulk auto
CONF

pass=0 fail=0 n=0
# case NAME WANT(+rule|-rule) CHECK-ARGS -- SEED-ARGS...
case_() {
	name=$1 want=$2 cargs=$3
	shift 3
	n=$((n + 1))
	st=lmdb:$tmp/st$n
	if [ $# -gt 0 ] && ! "$seed" "$st" "$@" 2>"$tmp/err"; then
		echo "FAIL $name: stateseed: $(cat "$tmp/err")"
		fail=$((fail + 1)); return
	fi
	# shellcheck disable=SC2086 # cargs are split on purpose
	"$pf" check --rules "$rules" --json --no-dns --state "$st" $cargs "$tmp/msg.eml" \
	    >"$tmp/out" 2>"$tmp/err"
	got=$(jq -r '.predictions[].rule' "$tmp/out" 2>/dev/null)
	rule=${want#?}
	if printf '%s\n' "$got" | grep -qx -- "$rule"; then has=+; else has=-; fi
	if [ "$has" = "${want%"$rule"}" ]; then
		pass=$((pass + 1))
	else
		echo "FAIL $name: wanted $want; got: $(echo $got) $(head -c 200 "$tmp/err")"
		fail=$((fail + 1))
	fi
}

g=--rcpt\ r@gmail.com
# the 61st message in a minute, and the 60th
case_ too-fast-61 +recipient-receiving-too-fast "$g" -n 60 r@gmail.com
case_ too-fast-60 -recipient-receiving-too-fast "$g" -n 59 r@gmail.com
# over the hour but not the minute: the other 4.2.1 form
case_ rate-hour +recipient-receiving-rate "$g" -n 3600 -a 120 r@gmail.com
case_ rate-hour-under -recipient-receiving-rate "$g" -n 3599 -a 120 r@gmail.com
case_ rate-hour-not-fast -recipient-receiving-too-fast "$g" -n 3600 -a 120 r@gmail.com
# over the day: the permanent 5.2.1
case_ rate-day +recipient-receiving-rate-perm "$g" -n 86400 -a 7200 r@gmail.com
case_ rate-day-under -recipient-receiving-rate-perm "$g" -n 86399 -a 7200 r@gmail.com
# a Workspace recipient is not known to be Google's without DNS: no
# prediction (unknown), whatever the count
case_ too-fast-not-gmail -recipient-receiving-too-fast "--rcpt r@example.net" -n 60 r@example.net
# Message-ID reuse: 26 transactions, 25
case_ msgid-26 +same-message-id-quota "$g" -n 25 -m '<reused-1@news.example.com>' x@gmail.com
case_ msgid-25 -same-message-id-quota "$g" -n 24 -m '<reused-1@news.example.com>' x@gmail.com
# smtp-relay.gmail.com: per envelope sender, per organization
r="--config $tmp/relay.conf --mail-from s@corp.example $g"
case_ relay-user +daily-relay-limit-user "$r" -r -s s@corp.example -o corp.example -n 10000 x@gmail.com
case_ relay-user-under -daily-relay-limit-user "$r" -r -s s@corp.example -o corp.example -n 9999 x@gmail.com
case_ relay-user-norelay -daily-relay-limit-user "$g --mail-from s@corp.example" -r -s s@corp.example -o corp.example -n 10000 x@gmail.com
case_ relay-customer +daily-relay-limit-customer "$r" -r -s t@corp.example -o corp.example -n 4600000 x@gmail.com
case_ relay-customer-under -daily-relay-limit-customer "$r" -r -s t@corp.example -o corp.example -n 4599999 x@gmail.com
case_ relay-peak +relay-peak-limit "$r" -r -s t@corp.example -o corp.example -n 319444 x@gmail.com
case_ relay-peak-under -relay-peak-limit "$r" -r -s t@corp.example -o corp.example -n 319443 x@gmail.com
case_ relay-peak-later -relay-peak-limit "$r" -r -s t@corp.example -o corp.example -n 319444 -a 700 x@gmail.com
rc100=$(i=0; while [ $i -lt 100 ]; do printf ' r%d@x.example' $i; i=$((i + 1)); done)
# shellcheck disable=SC2086
case_ rcpt-sender +too-many-recipients-sender "$r" -r -s s@corp.example -o corp.example -n 100 $rc100
# shellcheck disable=SC2086
case_ rcpt-sender-under -too-many-recipients-sender "$r" -r -s s@corp.example -o corp.example -n 99 $rc100
# smtp.gmail.com as one account: 2,000 messages, 10,000 recipients a day
a="--config $tmp/account.conf $g"
case_ account-msgs +daily-user-sending-limit "$a" -A sender@corp.example -n 2000 x@gmail.com
case_ account-msgs-under -daily-user-sending-limit "$a" -A sender@corp.example -n 1999 x@gmail.com
case_ account-not-configured -daily-user-sending-limit "$g" -A sender@corp.example -n 2000 x@gmail.com
# shellcheck disable=SC2086
case_ account-rcpts +too-many-recipients-sender "$a" -A sender@corp.example -n 100 $rc100
# shellcheck disable=SC2086
case_ account-rcpts-under -too-many-recipients-sender "$a" -A sender@corp.example -n 99 $rc100
# Bulk auto: 4,999 from news. and shop. counted, the 5,000th (this one)
# makes example.com bulk, and a bulk rule applies
b="--config $tmp/notls.conf $g"
case_ bulk-auto +bulk-tls "$b" -f example.com -n 4999 y@gmail.com
case_ bulk-auto-under -bulk-tls "$b" -f example.com -n 4998 y@gmail.com
case_ bulk-workspace-not-counted -bulk-tls "$b" -f example.com -n 6000 y@example.net
# the status is sticky: two days later, with no volume, still bulk
case_ bulk-sticky +bulk-tls "$b" -f example.com -n 5000 -a 172800 y@gmail.com
# State none keeps today's stateless behaviour: Bulk auto is no
case_ bulk-none -bulk-tls "--config $tmp/notls.conf --state none $g"

# the last messages through check --record, from two subdomains
st=lmdb:$tmp/rec
"$seed" "$st" -f example.com -n 4997 y@gmail.com
for from in shop news; do
	sed "s/news@news.example.com/$from@$from.example.com/" "$tmp/msg.eml" \
	    >"$tmp/$from.eml"
	"$pf" check --rules "$rules" --json --no-dns --config "$tmp/notls.conf" --state "$st" \
	    --record $g "$tmp/$from.eml" >/dev/null
done
"$pf" check --rules "$rules" --json --no-dns --config "$tmp/notls.conf" --state "$st" $g \
    "$tmp/msg.eml" >"$tmp/out"
if jq -e '.state.org_personal_day == 5000 and .state.bulk and
    ([.predictions[].rule] | index("bulk-tls"))' "$tmp/out" >/dev/null; then
	pass=$((pass + 1))
else
	echo "FAIL record: $(jq -c .state "$tmp/out")"; fail=$((fail + 1))
fi
# without --record nothing was written
"$pf" check --rules "$rules" --json --no-dns --state "$st" $g "$tmp/msg.eml" >"$tmp/out2"
if jq -e '.state.org_personal_day == 5000' "$tmp/out2" >/dev/null; then
	pass=$((pass + 1))
else
	echo "FAIL read-only: $(jq -c .state "$tmp/out2")"; fail=$((fail + 1))
fi

echo "run-state-rules: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
