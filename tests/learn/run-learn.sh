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
. "$srcdir/tests/learn/learn-lib.sh"

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
check "recipient domain" 5 "$(q '.recipient_domains[] | select(.key == "gmail.com") | .count')"
# the series: one number per bucket (a day, or an hour for these two days
# while they are recent), per sender domain and per egress IP
nb=$(q '.series.buckets | length')
case $(q .series.step) in
day) check "series: a bucket a day" 2 "$nb" ;;
hour) check "series: a bucket an hour" 48 "$nb" ;;
*) check "series: step" "day or hour" "$(q .series.step)" ;;
esac
sd='.series.sender_domains[] | select(.key == "example.org")'
check "series: example.org's refusals" 2 "$(q "$sd | .refused | add")"
check "series: example.org's 5.1.1" 1 "$(q "$sd | .no_such_user | add")"
check "series: example.org's receiving rate" 1 "$(q "$sd | .receiving_rate | add")"
check "series: example.org's lists have a number per bucket" "$nb $nb" \
    "$(q "$sd | [(.delivered | length), (.refused | length)] | join(\" \")")"
check "series: the egress IP from the reply" 1 \
    "$(q '.series.egress_ips[] | select(.key == "192.0.2.10") | .ip_reputation | add')"
check "series: the IP's refusal in the bucket of its day" 1 \
    "$(q '[.series.buckets as $b | .series.egress_ips[] | select(.key == "192.0.2.10") | .ip_reputation | to_entries[] | select(.value > 0) | $b[.key] | startswith("2026-11-30")] | length')"
"$pf" report --config "$tmp/pf.conf" --since 2026-11-29 --until 2026-11-30 \
    > "$tmp/rep.txt"
grep -q '^mailbox-does-not-exist  *2  *1  *0  *1  *1.00  *0.50$' "$tmp/rep.txt"
check "text report row" 0 $?
grep -q '^  example.org: 2$' "$tmp/rep.txt"
check "text report: the sender domain's series" 0 $?
"$pf" report --config "$tmp/pf.conf" --since 2026-11-29 --until 2026-11-30 \
    --html "$tmp/rep.html"
check "html report" 0 $?
grep -c '<rect class="bar"' "$tmp/rep.html" | grep -q '^[1-9]'
check "html has bars" 0 $?
check "html: a small chart per sender domain and egress IP" 2 \
    "$(grep -c '<svg class="series"' "$tmp/rep.html")"
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
# the same reply to the same address: high confidence, kept at every level
check "5.1.1 is high confidence" high "$("$pf" check --json --no-dns \
    --config "$tmp/pf.conf" --rcpt gone@gmail.com "$tmp/msg.eml" |
    jq -r '.predictions[].confidence')"
check "5.1.1 kept at --min-confidence high" mailbox-does-not-exist \
    "$("$pf" check --json --no-dns --config "$tmp/pf.conf" \
    --min-confidence high --rcpt gone@gmail.com "$tmp/msg.eml" |
    jq -r '[.predictions[].rule] | join(" ")')"
check "nothing predicted for ok" "" "$(pred ok@gmail.com)"
echo "Nov 30 06:00:00 mx1 $P 9JJJJJJJJJ: to=<gone@gmail.com>, $R, dsn=2.0.0, status=sent $OK" >> "$tmp/maillog"
"$pf" learn --config "$tmp/pf.conf" "$tmp/maillog" 2>"$tmp/err4"
check "the later delivery is learned" "1 0" "$(learned "$tmp/err4")"
check "no prediction after a 250" "" "$(pred gone@gmail.com)"

# the egress IP Gmail rate limited in the last hour (and its /24); an old
# line says nothing about this hour
ipform() {	# EGRESS-IP [OPTION...]: the predicted rules about IP reputation
	ip=$1; shift
	"$pf" check --json --no-dns --config "$tmp/pf.conf" --egress-ip "$ip" \
	    --rcpt a@gmail.com "$@" "$tmp/msg.eml" |
	    jq -r '[.predictions[].rule | select(startswith("low-ip"))] | join(" ")'
}
check "an IP refused hours ago is not rate limited now" "" "$(ipform 192.0.2.10)"
now=$(date -u '+%b %e %H:%M:%S')
echo "$now mx1 $P 9IPIPIPIP: to=<y@gmail.com>, $R, dsn=4.7.0, status=deferred $S $IPREP" >> "$tmp/maillog"
"$pf" learn --config "$tmp/pf.conf" "$tmp/maillog" 2>/dev/null
check "the IP rate limited just now" low-ip-reputation-ratelimit "$(ipform 192.0.2.10)"
check "... and its /24" low-ip-reputation-ratelimit "$(ipform 192.0.2.77)"
check "... not another network" "" "$(ipform 198.51.100.1)"
# a reputation window: medium confidence, shown at medium and low, hidden
# at high; MinConfidence in the file, --min-confidence over it
check "the IP's window is medium confidence" medium \
    "$("$pf" check --json --no-dns --config "$tmp/pf.conf" --egress-ip \
    192.0.2.10 --rcpt a@gmail.com "$tmp/msg.eml" | jq -r \
    '.predictions[] | select(.rule == "low-ip-reputation-ratelimit") | .confidence')"
"$pf" check --no-dns --config "$tmp/pf.conf" --egress-ip 192.0.2.10 \
    --rcpt a@gmail.com "$tmp/msg.eml" |
    grep -q '^421 4\.7\.0  low-ip-reputation-ratelimit  \[feedback, at end-of-data, medium confidence\]$'
check "the text report says medium confidence" 0 $?
check "shown at --min-confidence low" low-ip-reputation-ratelimit \
    "$(ipform 192.0.2.10 --min-confidence low)"
check "shown at --min-confidence medium" low-ip-reputation-ratelimit \
    "$(ipform 192.0.2.10 --min-confidence medium)"
check "hidden at --min-confidence high" "" \
    "$(ipform 192.0.2.10 --min-confidence high)"
"$pf" check --no-dns --config "$tmp/pf.conf" --egress-ip 192.0.2.10 \
    --rcpt a@gmail.com --min-confidence high "$tmp/msg.eml" >/dev/null
check "nothing left at --min-confidence high: exit 0" 0 $?
cp "$tmp/pf.conf" "$tmp/high.conf"
echo "MinConfidence high" >> "$tmp/high.conf"
check "MinConfidence high hides it" "" "$("$pf" check --json --no-dns \
    --config "$tmp/high.conf" --egress-ip 192.0.2.10 --rcpt a@gmail.com \
    "$tmp/msg.eml" | jq -r '[.predictions[].rule] | join(" ")')"
check "--min-confidence medium over MinConfidence high" \
    low-ip-reputation-ratelimit "$("$pf" check --json --no-dns \
    --config "$tmp/high.conf" --egress-ip 192.0.2.10 --rcpt a@gmail.com \
    --min-confidence medium "$tmp/msg.eml" |
    jq -r '[.predictions[].rule] | join(" ")')"

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

# the top sender domains, the rest summed as one: ten domains, each one
# more delivery than the last
printf 'Rules %s\nState lmdb:%s/top\n' "$rules" "$tmp" > "$tmp/top.conf"
: > "$tmp/top.log"
i=0
while [ $i -lt 10 ]; do
	i=$((i + 1)); j=0
	while [ $j -lt $i ]; do
		j=$((j + 1))
		echo "Nov 30 05:00:00 mx1 postfix/qmgr[812]: T${i}X$j: from=<a@d$i.example>, size=1, nrcpt=1 (queue active)"
		echo "Nov 30 05:00:01 mx1 $P T${i}X$j: to=<t$i.$j@gmail.com>, $R, dsn=2.0.0, status=sent $OK"
	done
done >> "$tmp/top.log"
"$pf" learn --config "$tmp/top.conf" "$tmp/top.log" 2>/dev/null
"$pf" report --config "$tmp/top.conf" --since 2026-11-30 --until 2026-11-30 \
    --json > "$tmp/top.json"
check "top: eight sender domains and the rest" \
    "d10.example d9.example d8.example d7.example d6.example d5.example d4.example d3.example null" \
    "$(jq -r '[.series.sender_domains[].key] | map(. // "null") | join(" ")' "$tmp/top.json")"
check "top: the rest sums two domains, 3 deliveries" "2 3" \
    "$(jq -r '.series.sender_domains[-1] | "\(.folded) \(.delivered | add)"' "$tmp/top.json")"
"$pf" report --config "$tmp/top.conf" --since 2026-11-30 --until 2026-11-30 \
    > "$tmp/top.txt"
grep -q '^  other (2): 3$' "$tmp/top.txt"
check "top: the rest in the text report" 0 $?

# the domains of preflight-milter's line: DKIM d=, SPF domain, From:'s
# organizational domain, joined by queue id with Gmail's replies
M="preflight-milter[700]:"
DK428='421-4.7.28 Gmail has detected an unusual rate of unsolicited email 421-4.7.28 originating from your DKIM domain esp.example. To protect our 421-4.7.28 users from spam, email sent from your domain has been temporarily rate 421-4.7.28 limited. a1si1 - gsmtp (in reply to RCPT TO command))'
SPF428='421-4.7.28 Gmail has detected an unusual rate of unsolicited email 421-4.7.28 originating from your SPF domain spf.example. To protect our 421-4.7.28 users from spam, email sent from your domain has been temporarily rate 421-4.7.28 limited. a1si1 - gsmtp (in reply to RCPT TO command))'
DOMBLK='550-5.7.1 Our system has detected that this message is likely suspicious 550-5.7.1 due to the very low reputation of the sending domain. To best protect 550-5.7.1 our users from spam, the message has been blocked. a1si1 - gsmtp (in reply to end of DATA command))'
{
	echo "$now mx1 $M queue_id=DK1 action=accept verdict=accept gmail=yes rules= from_domain=news.example.com rcpt_domains=gmail.com rcpt=1 client=192.0.2.9 dkim_domains=mail.example.com,esp.example spf_domain=bounce.example.com reason=\"\""
	echo "$now mx1 $P DK1: to=<d1@gmail.com>, $R, dsn=4.7.28, status=deferred $S $DK428"
	echo "$now mx1 $M queue_id=DK2 action=accept verdict=accept gmail=yes rules= from_domain=news.brand.co.uk rcpt_domains=gmail.com rcpt=1 client=192.0.2.9 dkim_domains=\"\" spf_domain=other.example reason=\"\""
	echo "$now mx1 $P DK2: to=<d2@gmail.com>, $R, dsn=5.7.1, status=bounced $S $DOMBLK"
	echo "$now mx1 $M queue_id=DK3 action=accept verdict=accept gmail=yes rules= from_domain=x.example rcpt_domains=gmail.com rcpt=1 client=192.0.2.9 dkim_domains=\"\" spf_domain=spf.example reason=\"\""
	echo "$now mx1 postfix/qmgr[812]: DK3: from=<b@envelope.example>, size=1, nrcpt=1 (queue active)"
	echo "$now mx1 $P DK3: to=<d3@gmail.com>, $R, dsn=4.7.28, status=deferred $S $SPF428"
} >> "$tmp/maillog"
"$pf" learn --config "$tmp/pf.conf" "$tmp/maillog" 2>"$tmp/err5"
check "the domain-keyed replies are learned" "3 0" "$(learned "$tmp/err5")"
domrules() {	# MAIL-FROM FROM [D=]: the predicted rules about sender domains
	{
		[ -n "${3:-}" ] && printf 'DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s; s=sel;\r\n h=from:to:subject; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=dGVzdA==\r\n' "$3"
		printf 'From: <%s>\r\nTo: a@gmail.com\r\nSubject: hi\r\nMessage-ID: <dk@x.example>\r\nDate: Mon, 30 Nov 2026 05:00:00 +0000\r\n\r\nhi\r\n' "$2"
	} > "$tmp/dk.eml"
	"$pf" check --json --no-dns --config "$tmp/pf.conf" --mail-from "$1" \
	    --rcpt a@gmail.com "$tmp/dk.eml" |
	    jq -r '[.predictions[].rule | select(test("domain"))] | join(" ")'
}
check "DKIM d= Gmail rate limited (4.7.28): predicted for a message signed by it" \
    unusual-rate-dkim-domain "$(domrules a@u.example a@u.example esp.example)"
check "... the first d= of the line too" \
    unusual-rate-dkim-domain "$(domrules a@u.example a@u.example mail.example.com)"
check "... not for another d=" "" "$(domrules a@u.example a@u.example u.example)"
check "... not for an unsigned message" "" "$(domrules a@u.example a@u.example)"
check "From: organizational domain Gmail blocked: predicted for its other hosts" \
    low-domain-reputation "$(domrules a@u.example a@mail.brand.co.uk)"
check "... not for the public suffix's other domains" "" \
    "$(domrules a@u.example a@other.co.uk)"
check "the milter's spf_domain (not qmgr's from=) is the SPF domain" \
    unusual-rate-spf-domain "$(domrules a@spf.example a@u.example)"
check "... so the envelope's domain is not" "" \
    "$(domrules a@envelope.example a@u.example)"
check "a blocked domain's reputation is under its SPF domain too" \
    low-domain-reputation "$(domrules a@other.example a@u.example)"
"$pf" report --config "$tmp/pf.conf" --json > "$tmp/rep5.json"
check "series: the SPF domain of the milter's line" 1 \
    "$(jq -r '.series.sender_domains[] | select(.key == "spf.example") | .domain_reputation | add' "$tmp/rep5.json")"

# a recipient Gmail said was receiving too fast: 450 4.2.1 predicted
# until something is delivered to it
RRATE='450-4.2.1 The user you are trying to contact is receiving mail at a rate that 450-4.2.1 prevents additional messages from being delivered. Please resend your 450-4.2.1 message at a later time. a1si1 - gsmtp (in reply to RCPT TO command))'
check "no rate history yet" "" "$(pred busy@gmail.com)"
echo "$now mx1 $P RR1: to=<busy@gmail.com>, $R, dsn=4.2.1, status=deferred $S $RRATE" >> "$tmp/maillog"
"$pf" learn --config "$tmp/pf.conf" "$tmp/maillog" 2>/dev/null
check "a recipient receiving too fast: 450 4.2.1 predicted" \
    recipient-receiving-rate "$(pred busy@gmail.com)"
check "... not for another recipient" "" "$(pred idle@gmail.com)"
echo "$now mx1 $P RR2: to=<busy@gmail.com>, $R, dsn=2.0.0, status=sent $OK" >> "$tmp/maillog"
"$pf" learn --config "$tmp/pf.conf" "$tmp/maillog" 2>/dev/null
check "... and no longer once delivered" "" "$(pred busy@gmail.com)"

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
