#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# run-learn-redis.sh - the learn -> hist -> prediction path on a private
# redis-server, side by side with LMDB: the same log learned into each
# store gives the same outcomes, the same predictions (a 5.1.1
# recipient, a rate-limited DKIM domain, a receiving-rate recipient) and
# the same report; learning it again records nothing (the file positions
# and outcome marks are in Redis too); a later delivery ends the
# predictions in both.  A long report scans the Redis keyspace once, not
# once per day.
set -u

srcdir=${PF_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${PF_BUILDDIR:-$srcdir}
pf=$builddir/preflight
. "$srcdir/tests/e2e/postfix-lib.sh"
[ -x "$pf" ] || { echo "run-learn-redis: $pf is not built" >&2; exit 99; }
command -v jq >/dev/null || { echo "run-learn-redis: jq missing" >&2; exit 99; }
. "$srcdir/tests/learn/learn-lib.sh"

pfx_redis_scratch run-learn-redis
tmp=$PFX_TMP rport=$PFX_REDIS_PORT
rules=$srcdir/rules/gmail.rules
printf 'Rules %s\nState lmdb:%s/st\n' "$rules" "$tmp" > "$tmp/lmdb.conf"
printf 'Rules %s\nState redis://127.0.0.1:%s/2\n' "$rules" "$rport" \
    > "$tmp/redis.conf"

fail=0

now=$(date -u '+%b %e %H:%M:%S')
P='postfix/smtp[2134]:'
M='preflight-milter[700]:'
R='relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, delay=1.2, delays=0.01/0.01/0.41/0.77'
S='(host gmail-smtp-in.l.google.com[142.250.102.27] said:'
NOUSER='550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking the recipient'"'"'s email address for typos. a1si1 - gsmtp (in reply to RCPT TO command))'
DK428='421-4.7.28 Gmail has detected an unusual rate of unsolicited email 421-4.7.28 originating from your DKIM domain esp.example. To protect our 421-4.7.28 users from spam, email sent from your domain has been temporarily rate 421-4.7.28 limited. a1si1 - gsmtp (in reply to RCPT TO command))'
RRATE='450-4.2.1 The user you are trying to contact is receiving mail at a rate that 450-4.2.1 prevents additional messages from being delivered. a1si1 - gsmtp (in reply to RCPT TO command))'
OK='(250 2.0.0 OK  1796011921 a1si1234567qkb.12 - gsmtp)'
cat > "$tmp/maillog" <<EOF
$now mx1 $M queue_id=Q1 action=tag verdict=reject gmail=yes rules=mailbox-does-not-exist reply=550 status=5.1.1 from_domain=news.example.org rcpt_domains=gmail.com rcpt=3 client=192.0.2.9 dkim_domains=esp.example spf_domain=example.org reason=x
$now mx1 postfix/qmgr[812]: Q1: from=<news@example.org>, size=2311, nrcpt=3 (queue active)
$now mx1 $P Q1: to=<gone@gmail.com>, $R, dsn=5.1.1, status=bounced $S $NOUSER
$now mx1 $P Q1: to=<d@gmail.com>, $R, dsn=4.7.28, status=deferred $S $DK428
$now mx1 $P Q1: to=<busy@gmail.com>, $R, dsn=4.2.1, status=deferred $S $RRATE
$now mx1 $P Q1: to=<ok@gmail.com>, $R, dsn=2.0.0, status=sent $OK
EOF
cat > "$tmp/msg.eml" <<'EOF'
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=esp.example; s=sel;
 h=from:to:subject; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=dGVzdA==
From: News <news@example.org>
To: someone@gmail.com
Subject: hello
Message-ID: <a1@example.org>
Date: Mon, 30 Nov 2026 05:00:00 +0000

hi
EOF
pred() {	# STORE RCPT: the predicted rules, sorted
	"$pf" check --json --no-dns --config "$tmp/$1.conf" \
	    --mail-from news@example.org --rcpt "$2" "$tmp/msg.eml" |
	    jq -r '[.predictions[].rule] | sort | join(" ")'
}
report() {	# STORE: the report without its dates
	"$pf" report --config "$tmp/$1.conf" --json |
	    jq -c 'del(.since, .until)'
}

for st in lmdb redis; do
	"$pf" learn --config "$tmp/$st.conf" "$tmp/maillog" 2>"$tmp/$st.err"
	check "$st: learn exits 0" 0 $?
	check "$st: every outcome recorded" "4 0" "$(learned "$tmp/$st.err")"
	"$pf" learn --config "$tmp/$st.conf" "$tmp/maillog" 2>"$tmp/$st.err2"
	check "$st: the same file again reads nothing" "0 0" \
	    "$(learned "$tmp/$st.err2")"
	cat "$tmp/maillog" | "$pf" learn --config "$tmp/$st.conf" - \
	    2>"$tmp/$st.err3"
	check "$st: the same lines again are already counted" "0 4" \
	    "$(learned "$tmp/$st.err3")"
	check "$st: 5.1.1 and the DKIM domain's 4.7.28 predicted" \
	    "mailbox-does-not-exist unusual-rate-dkim-domain" \
	    "$(pred "$st" gone@gmail.com)"
	check "$st: 4.2.1 and the DKIM domain's 4.7.28 predicted" \
	    "recipient-receiving-rate unusual-rate-dkim-domain" \
	    "$(pred "$st" busy@gmail.com)"
	report "$st" > "$tmp/$st.rep"
	check "$st: the closed loop: a 5.1.1 hit" 1 "$(jq '.rules[] | select(.rule == "mailbox-does-not-exist") | .hits' "$tmp/$st.rep")"
	check "$st: the series of example.org" "1 3" "$(jq -r '.series.sender_domains[] | select(.key == "example.org") | "\(.delivered | add) \(.refused | add)"' "$tmp/$st.rep")"
done
check "the same report from LMDB and Redis" "$(cat "$tmp/lmdb.rep")" \
    "$(cat "$tmp/redis.rep")"

# a report over 400 days scans the keyspace once per kind of counter
# (days, series, refused domains), not once per day
rcli() { redis-cli -p "$rport" "$@"; }
rcli CONFIG RESETSTAT > /dev/null
"$pf" report --config "$tmp/redis.conf" --json \
    --since "$(date -u -d '-399 days' +%F)" > /dev/null
scans=$(rcli INFO commandstats | tr -d '\r' |
    sed -n 's/^cmdstat_scan:calls=\([0-9]*\),.*/\1/p')
check "a 400-day report on Redis: at most 3 SCANs (${scans:-none})" yes \
    "$([ -n "$scans" ] && [ "$scans" -le 3 ] && echo yes)"

later=$(date -u '+%b %e %H:%M:%S' -d '+2 seconds')
{
	echo "$later mx1 $P Q2: to=<gone@gmail.com>, $R, dsn=2.0.0, status=sent $OK"
	echo "$later mx1 $P Q2: to=<busy@gmail.com>, $R, dsn=2.0.0, status=sent $OK"
} >> "$tmp/maillog"
for st in lmdb redis; do
	"$pf" learn --config "$tmp/$st.conf" "$tmp/maillog" 2>"$tmp/$st.err4"
	check "$st: only the new lines are read" "2 0" \
	    "$(learned "$tmp/$st.err4")"
	check "$st: after the deliveries only the DKIM domain's window" \
	    "unusual-rate-dkim-domain" "$(pred "$st" gone@gmail.com)"
	report "$st" > "$tmp/$st.rep"
done
check "the same report again" "$(cat "$tmp/lmdb.rep")" \
    "$(cat "$tmp/redis.rep")"
exit "$fail"
