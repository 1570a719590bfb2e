#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# run-learn.sh - preflight learn and report on a private LMDB store: a
# Postfix log (with the daemon's prediction lines and a rotated .gz part)
# is learned, learned again (nothing changes), learned under another name
# (every outcome already counted); the report's counts are the log's; the
# next check of a message to a recipient Gmail said does not exist
# predicts 550 5.1.1, and no longer after a later 250; --follow keeps
# reading across a real logrotate in create and in copytruncate mode.
set -u

srcdir=${PF_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${PF_BUILDDIR:-$srcdir}
pf=$builddir/preflight
[ -x "$pf" ] || { echo "run-learn: $pf is not built" >&2; exit 99; }
command -v jq >/dev/null || { echo "run-learn: jq missing" >&2; exit 99; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pf-learn.XXXXXX") || exit 99
fpid=
cleanup() {
	[ -n "$fpid" ] && kill "$fpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
rules=$srcdir/rules/gmail.rules
printf 'Rules %s\nState lmdb:%s/st\n' "$rules" "$tmp" > "$tmp/pf.conf"

fail=0
check() {	# NAME WANT GOT
	if [ "$2" = "$3" ]; then
		echo "ok   $1"
	else
		echo "FAIL $1: want '$2', got '$3'"
		fail=1
	fi
}
# learned - the "N outcomes recorded" and "M already counted" of a run
learned() {
	sed -n 's/.*: \([0-9]*\) outcomes recorded, \([0-9]*\) already counted.*/\1 \2/p' "$1"
}

P='postfix/smtp[2134]:'
R='relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, delay=1.2, delays=0.01/0.01/0.41/0.77'
S='(host gmail-smtp-in.l.google.com[142.250.102.27] said:'
NOUSER='550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking the recipient'"'"'s email address for typos or 550-5.1.1 unnecessary spaces. For more information, go to 550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a1si1234567qkb.12 - gsmtp (in reply to RCPT TO command))'
DMARC='550-5.7.26 Unauthenticated email from example.org is not accepted due to 550-5.7.26 domain'"'"'s DMARC policy. Please contact the administrator of 550-5.7.26 example.org domain if this was a legitimate mail. a1si1234567qkb.12 - gsmtp (in reply to end of DATA command))'
RATE='450-4.2.1 The user you are trying to contact is receiving mail too quickly. 450 4.2.1 a1si1234567qkb.12 - gsmtp (in reply to RCPT TO command))'
IPREP='421-4.7.0 [192.0.2.10      15] Our system has detected that this message is 421-4.7.0 suspicious due to the very low reputation of the sending IP 421-4.7.0 address. To protect our users from spam, mail sent from your IP 421-4.7.0 address has been temporarily rate limited. a1si1 - gsmtp (in reply to end of DATA command))'
OK='(250 2.0.0 OK  1796011921 a1si1234567qkb.12 - gsmtp)'

# the older, rotated part: one refusal
cat > "$tmp/maillog.1" <<EOF
Nov 29 10:00:00 mx1 postfix/qmgr[812]: 1AAAAAAAAA: from=<news@example.org>, size=2311, nrcpt=1 (queue active)
Nov 29 10:00:01 mx1 $P 1AAAAAAAAA: to=<full@gmail.com>, $R, dsn=4.2.1, status=deferred $S $RATE
EOF
gzip -9 "$tmp/maillog.1"
cat > "$tmp/maillog" <<EOF
Nov 30 04:11:59 mx1 preflight-milter[700]: 2BBBBBBBBB: action=tag rule=mailbox-does-not-exist reply=550 status=5.1.1 rcpt=1 client=[192.0.2.9]
Nov 30 04:12:00 mx1 postfix/qmgr[812]: 2BBBBBBBBB: from=<news@example.org>, size=2311, nrcpt=1 (queue active)
Nov 30 04:12:01 mx1 $P 2BBBBBBBBB: to=<gone@gmail.com>, $R, dsn=5.1.1, status=bounced $S $NOUSER
Nov 30 04:12:02 mx1 preflight-milter[700]: 3CCCCCCCCC: action=tag rule=dmarc-reject reply=550 status=5.7.26 rcpt=1 client=[192.0.2.9]
Nov 30 04:12:03 mx1 $P 3CCCCCCCCC: to=<ok@gmail.com>, $R, dsn=2.0.0, status=sent $OK
Nov 30 04:12:04 mx1 preflight-milter[700]: 4DDDDDDDDD: action=accept rcpt=2 client=[192.0.2.9]
Nov 30 04:12:05 mx1 $P 4DDDDDDDDD: to=<gone2@gmail.com>, $R, dsn=5.1.1, status=bounced $S $NOUSER
Nov 30 04:12:05 mx1 $P 4DDDDDDDDD: to=<dm@gmail.com>, $R, dsn=5.7.26, status=bounced $S $DMARC
Nov 30 04:12:06 mx1 $P 5EEEEEEEEE: to=<x@gmail.com>, $R, dsn=4.7.0, status=deferred $S $IPREP
Nov 30 04:12:07 mx1 $P 6FFFFFFFFF: to=<slow@gmail.com>, relay=none, delay=30, delays=0.01/0/30/0, dsn=4.4.1, status=deferred (connect to gmail-smtp-in.l.google.com[142.250.102.27]:25: Connection timed out)
Nov 30 04:12:08 mx1 $P 7GGGGGGGGG: to=<a@example.net>, relay=mx.example.net[198.51.100.7]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 1234)
Nov 30 04:12:09 mx1 $P 8HHHHHHHHH: to=<cut@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, de
Nov 30 04:12:10 mx1 postfix/smtpd[800]: connect from client.example.org[192.0.2.9]
EOF

"$pf" learn --config "$tmp/pf.conf" "$tmp/maillog.1.gz" "$tmp/maillog" \
    2>"$tmp/err1"
check "first learn exits 0" 0 $?
check "first learn records every outcome" "6 0" "$(learned "$tmp/err1")"
grep -q '1 without a reply' "$tmp/err1"
check "the connection timeout is no reply" 0 $?
grep -q '1 lines unparsed' "$tmp/err1"
check "the cut line is counted as unparsed" 0 $?

"$pf" learn --config "$tmp/pf.conf" "$tmp/maillog.1.gz" "$tmp/maillog" \
    2>"$tmp/err2"
check "second learn reads nothing new" "0 0" "$(learned "$tmp/err2")"
cp "$tmp/maillog" "$tmp/maillog.copy"
"$pf" learn --config "$tmp/pf.conf" - < "$tmp/maillog.copy" 2>"$tmp/err3"
check "the same lines again are already counted" "0 5" \
    "$(learned "$tmp/err3")"

"$pf" report --config "$tmp/pf.conf" --since 2026-11-29 --until 2026-11-30 \
    --json > "$tmp/rep.json"
check "report exits 0" 0 $?
q() { jq -r "$1" "$tmp/rep.json"; }
check "delivered" 1 "$(q .delivered)"
check "refused" 5 "$(q .refused)"
r='.rules[] | select(.rule == "mailbox-does-not-exist")'
check "5.1.1 refused" 2 "$(q "$r | .refused")"
check "5.1.1 hit" 1 "$(q "$r | .hits")"
check "5.1.1 miss" 1 "$(q "$r | .misses")"
check "5.1.1 precision" 1 "$(q "$r | .precision")"
check "5.1.1 recall" 0.5 "$(q "$r | .recall")"
r='.rules[] | select(.rule == "dmarc-reject")'
check "dmarc false alarm" 1 "$(q "$r | .false_alarms")"
check "dmarc miss" 1 "$(q "$r | .misses")"
check "dmarc precision" 0 "$(q "$r | .precision")"
check "rate refusal of the rotated part" 1 \
    "$(q '.rules[] | select(.rule == "recipient-receiving-too-fast") | .refused')"
check "IP reputation" 1 \
    "$(q '.rules[] | select(.rule == "low-ip-reputation-ratelimit") | .refused')"
check "per day" 1 "$(q '.days[0]["receiving rate"]')"
check "egress IP from the reply" 1 \
    "$(q '.egress_ips[] | select(.key == "192.0.2.10.low-ip-reputation-ratelimit") | .count')"
check "recipient domain" 5 "$(q '.recipient_domains[] | select(.key == "gmail.com") | .count')"
"$pf" report --config "$tmp/pf.conf" --since 2026-11-29 --until 2026-11-30 \
    > "$tmp/rep.txt"
grep -q '^mailbox-does-not-exist  *2  *1  *0  *1  *1.00  *0.50$' "$tmp/rep.txt"
check "text report row" 0 $?
"$pf" report --config "$tmp/pf.conf" --since 2026-11-29 --until 2026-11-30 \
    --html "$tmp/rep.html"
check "html report" 0 $?
grep -c '<rect class="bar"' "$tmp/rep.html" | grep -q '^[1-9]'
check "html has bars" 0 $?
grep -qi '<script\|<link\|src=' "$tmp/rep.html"
check "html loads nothing (no script, link or src)" 1 $?

# the next message to gone@gmail.com is predicted 550 5.1.1
cat > "$tmp/msg.eml" <<'EOF'
From: News <news@example.org>
To: gone@gmail.com
Subject: hello
Message-ID: <a1@example.org>
Date: Mon, 30 Nov 2026 05:00:00 +0000

hi
EOF
pred() {
	"$pf" check --json --no-dns --config "$tmp/pf.conf" --rcpt "$1" \
	    "$tmp/msg.eml" | jq -r '[.predictions[].rule] | join(" ")'
}
check "5.1.1 predicted for gone" mailbox-does-not-exist "$(pred gone@gmail.com)"
check "nothing predicted for ok" "" "$(pred ok@gmail.com)"
echo "Nov 30 06:00:00 mx1 $P 9JJJJJJJJJ: to=<gone@gmail.com>, $R, dsn=2.0.0, status=sent $OK" >> "$tmp/maillog"
"$pf" learn --config "$tmp/pf.conf" "$tmp/maillog" 2>"$tmp/err4"
check "the later delivery is learned" "1 0" "$(learned "$tmp/err4")"
check "no prediction after a 250" "" "$(pred gone@gmail.com)"

# the egress IP Gmail rate limited in the last hour (and its /24); an old
# line says nothing about this hour
ipform() {	# EGRESS-IP: the predicted rules about IP reputation
	"$pf" check --json --no-dns --config "$tmp/pf.conf" --egress-ip "$1" \
	    --rcpt a@gmail.com "$tmp/msg.eml" |
	    jq -r '[.predictions[].rule | select(startswith("low-ip"))] | join(" ")'
}
check "an IP refused hours ago is not rate limited now" "" "$(ipform 192.0.2.10)"
now=$(date -u '+%b %e %H:%M:%S')
echo "$now mx1 $P 9IPIPIPIP: to=<y@gmail.com>, $R, dsn=4.7.0, status=deferred $S $IPREP" >> "$tmp/maillog"
"$pf" learn --config "$tmp/pf.conf" "$tmp/maillog" 2>/dev/null
check "the IP rate limited just now" low-ip-reputation-ratelimit "$(ipform 192.0.2.10)"
check "... and its /24" low-ip-reputation-ratelimit "$(ipform 192.0.2.77)"
check "... not another network" "" "$(ipform 198.51.100.1)"

# the sender domain Gmail rate limited in the last hour
domform() {	# MAIL-FROM: the predicted rules about domain reputation
	"$pf" check --json --no-dns --config "$tmp/pf.conf" --mail-from "$1" \
	    --rcpt a@gmail.com "$tmp/msg.eml" |
	    jq -r '[.predictions[].rule | select(startswith("low-domain"))] | join(" ")'
}
check "no domain refused yet" "" "$(domform news@lists.example.com)"
{
	echo "$now mx1 postfix/qmgr[812]: 9DOMDOMDOM: from=<news@lists.example.com>, size=1, nrcpt=1 (queue active)"
	echo "$now mx1 $P 9DOMDOMDOM: to=<z@gmail.com>, $R, dsn=4.7.0, status=deferred $S 421-4.7.0 This message is suspicious due to the very low reputation of the 421-4.7.0 sending domain. To best protect our users from spam, the message has 421-4.7.0 been blocked. a1si1 - gsmtp (in reply to end of DATA command))"
} >> "$tmp/maillog"
"$pf" learn --config "$tmp/pf.conf" "$tmp/maillog" 2>/dev/null
check "the sender domain rate limited just now" low-domain-reputation-deferred \
    "$(domform news@lists.example.com)"
check "... not another sender domain" "" "$(domform news@example.net)"

# Enforcement auto: the form of the sender-guideline replies Gmail last
# gave the sender's domain (here the 4xx, then the 5xx, of 5.7.24)
cp "$tmp/pf.conf" "$tmp/auto.conf"
echo "Enforcement auto" >> "$tmp/auto.conf"
form() {	# which form of spf-suspicious is in play for news@example.org
	"$pf" check --json --no-dns --config "$tmp/auto.conf" \
	    --mail-from news@example.org --rcpt a@gmail.com "$tmp/msg.eml" |
	    jq -r '[.unknown[].rule | select(startswith("spf-suspicious"))] | join(" ")'
}
check "auto before any reply: the 5xx form" spf-suspicious "$(form)"
{
	echo "Nov 30 08:00:00 mx1 postfix/qmgr[812]: AUTO1: from=<news@example.org>, size=1, nrcpt=1 (queue active)"
	echo "Nov 30 08:00:01 mx1 $P AUTO1: to=<s@gmail.com>, $R, dsn=4.7.24, status=deferred $S 451-4.7.24 The SPF record of the sending domain has one or more suspicious 451-4.7.24 entries. To protect our users from spam, mail sent from your IP 451-4.7.24 address has been temporarily rate limited. a1si1 - gsmtp (in reply to end of DATA command))"
} >> "$tmp/maillog"
"$pf" learn --config "$tmp/pf.conf" "$tmp/maillog" 2>/dev/null
check "auto after a 451 4.7.24: the 4xx form" spf-suspicious-ratelimit "$(form)"
{
	echo "Nov 30 09:00:00 mx1 postfix/qmgr[812]: AUTO2: from=<news@example.org>, size=1, nrcpt=1 (queue active)"
	echo "Nov 30 09:00:01 mx1 $P AUTO2: to=<s@gmail.com>, $R, dsn=5.7.24, status=bounced $S 550-5.7.24 The SPF record of the sending domain has one or more suspicious 550-5.7.24 entries. a1si1 - gsmtp (in reply to end of DATA command))"
} >> "$tmp/maillog"
"$pf" learn --config "$tmp/pf.conf" "$tmp/maillog" 2>/dev/null
check "auto after a later 550 5.7.24: the 5xx form" spf-suspicious "$(form)"

# --follow across a real logrotate, create then copytruncate
if command -v logrotate >/dev/null; then
	log=$tmp/follow.log
	: > "$log"
	"$pf" learn --config "$tmp/pf.conf" --follow "$log" 2>"$tmp/ferr" &
	fpid=$!
	n=0
	emit() {	# N lines, each a new refusal
		i=0
		while [ $i -lt "$1" ]; do
			n=$((n + 1)); i=$((i + 1))
			echo "Nov 30 07:00:$(printf %02d $((n % 60))) mx1 $P F$n: to=<f$n@gmail.com>, $R, dsn=5.1.1, status=bounced $S $NOUSER" >> "$log"
		done
	}
	for mode in create copytruncate; do
		emit 3
		sleep 2
		cat > "$tmp/lr.conf" <<EOF
$log {
	$mode
	rotate 2
	missingok
}
EOF
		logrotate -f -s "$tmp/lr.state" "$tmp/lr.conf" ||
		    check "logrotate $mode" 0 $?
		[ -f "$log" ] || : > "$log"
		sleep 2
		emit 2
		sleep 3
	done
	kill -TERM "$fpid"
	wait "$fpid"
	check "follow exits 0 on TERM" 0 $?
	fpid=
	check "follow read every line across both rotations" "10 0" \
	    "$(learned "$tmp/ferr")"
else
	echo "skip follow: logrotate is not installed"
fi

exit "$fail"
