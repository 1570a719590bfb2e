#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# learn.sh - preflight learn on the log of a real, private Postfix that
# delivers through preflight-milter to a loopback SMTP server playing Gmail
# (tests/e2e/fakegmail.py: Gmail's multi-line replies with their "- gsmtp"
# trailer, a 452 4.2.2 and later a 250 for the same recipient).  Proves:
# the report's counts are what the server answered; the next message to
# the 5.1.1 recipient is predicted 550 5.1.1 by the milter and by
# preflight check; the milter's prediction joined with Gmail's answer is
# a hit, then (after a scripted 250) a false alarm, and the prediction is
# gone; a DKIM-signed message answered 421 4.7.28 for its DKIM domain and
# 550 5.7.1 for its domain's reputation fills the domain-keyed history
# (the d= and SPF domain from the milter's line, joined by queue id), so
# that the next message signed by that domain is predicted 4.7.28 by the
# milter and by preflight check, and one from the same From:
# organizational domain 5.7.1; the report's series per sender domain
# counts what the server answered.  Skips (77) only when not root or
# Postfix is missing.
set -u

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for b in postfix postqueue; do
	command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] ||
	    { echo "SKIP: $b not installed"; exit 77; }
done
PATH=$PATH:/usr/sbin
command -v jq >/dev/null || { echo "FAIL: jq missing"; exit 99; }

src=${PF_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${PF_BUILDDIR:-$src}
milter=$build/preflight-milter
pf=$build/preflight
rules=$src/rules/gmail.rules
[ -x "$milter" ] && [ -x "$pf" ] || { echo "FAIL: not built"; exit 99; }
. "$src/tests/e2e/postfix-lib.sh"

T=$(mktemp -d /tmp/pf-e2e-learn.XXXXXX)
MPID= GPID=
fails=0
cleanup() {
	[ -n "$MPID" ] && kill "$MPID" 2>/dev/null
	[ -n "$GPID" ] && kill "$GPID" 2>/dev/null
	pfx_stop
	if [ "$fails" -gt 0 ]; then
		echo "kept $T for inspection"
		tail -20 "$T/maillog" 2>/dev/null
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap "exit 1" INT TERM HUP PIPE
ok() { echo "ok   - $*"; }
bad() { fails=$((fails + 1)); echo "FAIL - $*"; }
is() {	# WHAT WANT GOT
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: want '$2', got '$3'"; fi
}

chmod 755 "$T"
mkdir -p "$T/run" "$T/state" && chown nobody "$T/run" "$T/state"
sock=$T/milter.sock
cat > "$T/preflight.conf" <<EOF
Rules $rules
DNS no
HELO mta.example.com
Socket local:$sock
SocketMode 0666
User nobody
Background no
PidFile $T/run/milter.pid
State lmdb:$T/state/st
UnknownRecipients other
Action * permanent tag
EOF
chmod 644 "$T/preflight.conf"

# the server that plays Gmail
gport=$(pfx_free_port)
NOUSER='550-5.1.1 The email account that you tried to reach does not exist. Please try|550-5.1.1 double-checking the recipient'"'"'s email address for typos or|550-5.1.1 unnecessary spaces. For more information, go to|550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a1si1234567qkb.12 - gsmtp'
FULL='452-4.2.2 The recipient'"'"'s inbox is out of storage space. Please direct the|452-4.2.2 recipient to|452 4.2.2  https://support.google.com/mail/?p=OverQuotaTemp a1si1234567qkb.12 - gsmtp'
OK='250 2.1.5 OK a1si1234567qkb.12 - gsmtp'
printf 'gone@gmail.com\t%s\nfull@gmail.com\t%s\t%s\n' "$NOUSER" "$FULL" "$OK" \
    > "$T/script"
python3 "$src/tests/e2e/fakegmail.py" "$gport" "$T/script" "$T/answers" \
    >"$T/fakegmail.log" 2>&1 &
GPID=$!
pfx_wait_port "$gport" 10 || { bad "the fake Gmail did not start"; exit 1; }

"$milter" -f -e -c "$T/preflight.conf" >>"$T/milter.log" 2>&1 &
MPID=$!
i=0
until [ -S "$sock" ]; do
	i=$((i + 1))
	[ "$i" -gt 100 ] && { bad "milter did not start"; cat "$T/milter.log"; exit 1; }
	sleep 0.05
done
# everything goes to the fake Gmail but the bounces to the sender's domain
PFX_MAIN_EXTRA="relayhost = [127.0.0.1]:$gport
transport_maps = inline:{example.org=discard:}"
pfx_start "$T" "unix:$sock" || { bad "postfix did not start"; exit 1; }

msg() {	# FILE SUBJECT
	printf 'From: News <news@example.org>\r\nTo: <list@example.org>\r\nSubject: %s\r\nDate: Mon, 30 Nov 2026 05:00:00 +0000\r\nMessage-ID: <%s@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nhello\r\n' "$2" "$2" > "$1"
}
# wait_answers N - until the fake Gmail has given N answers
wait_answers() {
	local i=0
	while [ "$(wc -l < "$T/answers" 2>/dev/null || echo 0)" -lt "$1" ]; do
		i=$((i + 1))
		[ "$i" -gt 240 ] && return 1
		postqueue -c "$PFX_T/etc" -f >/dev/null 2>&1 || true
		sleep 0.25
	done
	pfx_queue_settle 20
}
learn() {
	"$pf" learn --config "$T/preflight.conf" "$T/milter.log" "$T/maillog" \
	    2>"$T/learn.err" || bad "learn exit $?"
	cat "$T/learn.err"
}
report() {
	"$pf" report --config "$T/preflight.conf" --json > "$T/rep.json"
	jq -r "$1" "$T/rep.json"
}
predicted() {
	"$pf" check --json --config "$T/preflight.conf" --no-dns --rcpt "$1" \
	    "$T/m1.eml" | jq -r '[.predictions[].rule] | join(" ")'
}

# 1. three recipients: 5.1.1, 4.2.2 then 250 on retry, 250
msg "$T/m1.eml" round1
r=$(pfx_send news@example.org gone@gmail.com,full@gmail.com,ok@gmail.com "$T/m1.eml")
is "round 1 accepted" 250 "${r%% *}"
wait_answers 4 || bad "round 1: the fake Gmail gave $(wc -l < "$T/answers") answers"
is "what Gmail answered" "full@gmail.com 250,full@gmail.com 452,gone@gmail.com 550,ok@gmail.com 250" \
    "$(sort "$T/answers" | tr '\t\n' ' ,' | sed 's/,$//')"
grep -q 'status=bounced (host 127.0.0.1\[127.0.0.1\] said: 550-5.1.1 The email' "$T/maillog"
is "Postfix logged the multi-line 5.1.1 joined" 0 $?
learn
report . > /dev/null
is "delivered" 2 "$(report .delivered)"
is "5.1.1 refused" 1 "$(report '.rules[] | select(.rule == "mailbox-does-not-exist") | .refused')"
is "4.2.2 refused" 1 "$(report '.rules[] | select(.rule == "recipient-inbox-full") | .refused')"
is "5.1.1 a miss (not predicted)" 1 "$(report '.rules[] | select(.rule == "mailbox-does-not-exist") | .misses')"
is "preflight check predicts 550 5.1.1 for gone" mailbox-does-not-exist "$(predicted gone@gmail.com)"
is "nothing for full (delivered since)" "" "$(predicted full@gmail.com)"

# 2. the next message to gone: the milter predicts it, Gmail refuses: a hit
msg "$T/m2.eml" round2
r=$(pfx_send news@example.org gone@gmail.com "$T/m2.eml")
is "round 2 accepted (tagged)" 250 "${r%% *}"
wait_answers 5 || bad "round 2 not answered"
grep -Eq 'preflight-milter\[info\]: queue_id=[0-9A-Z]* action=tag verdict=reject gmail=yes rules=mailbox-does-not-exist confidence=high reply=550 status=5.1.1' "$T/milter.log"
is "the milter predicted 550 5.1.1" 0 $?
learn
is "5.1.1 hit" 1 "$(report '.rules[] | select(.rule == "mailbox-does-not-exist") | .hits')"
is "5.1.1 refused twice" 2 "$(report '.rules[] | select(.rule == "mailbox-does-not-exist") | .refused')"

# 3. the account exists again: Gmail says 250; a false alarm, then no
# prediction
printf 'gone@gmail.com\t%s\n' "$OK" > "$T/script"
msg "$T/m3.eml" round3
r=$(pfx_send news@example.org gone@gmail.com "$T/m3.eml")
is "round 3 accepted" 250 "${r%% *}"
wait_answers 6 || bad "round 3 not answered"
learn
is "5.1.1 false alarm" 1 "$(report '.rules[] | select(.rule == "mailbox-does-not-exist") | .false_alarms')"
is "5.1.1 precision" 0.5 "$(report '.rules[] | select(.rule == "mailbox-does-not-exist") | .precision')"
is "5.1.1 recall" 0.5 "$(report '.rules[] | select(.rule == "mailbox-does-not-exist") | .recall')"
is "delivered in all" 3 "$(report .delivered)"
is "no prediction after the 250" "" "$(predicted gone@gmail.com)"
# 4. a DKIM-signed message (d=esp.example) from a From: domain under
# brand.co.uk: Gmail answers one recipient 421 4.7.28 for the DKIM domain
# (then 250 on the retry) and another 550 5.7.1 for the sending domain's
# reputation.  The milter's line carries the d= and the MTA's log Gmail's
# replies; learn joins them by queue id.
DK428='421-4.7.28 Gmail has detected an unusual rate of unsolicited email|421-4.7.28 originating from your DKIM domain esp.example. To protect our|421-4.7.28 users from spam, email sent from your domain has been|421 4.7.28 temporarily rate limited. a1si1234567qkb.12 - gsmtp'
DOMBLK='550-5.7.1 Our system has detected that this message is likely|550-5.7.1 suspicious due to the very low reputation of the sending domain.|550-5.7.1 To best protect our users from spam, the message has been|550 5.7.1 blocked. a1si1234567qkb.12 - gsmtp'
printf 'dkrate@gmail.com\t%s\t%s\nblk@gmail.com\t%s\n' "$DK428" "$OK" "$DOMBLK" \
    > "$T/script"
signed() {	# FILE SUBJECT FROM: a message DKIM-signed by esp.example
	{
		printf 'DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=esp.example;\r\n s=sel; h=from:to:subject; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n b=dGVzdA==\r\n'
		printf 'From: News <%s>\r\nTo: <list@example.org>\r\nSubject: %s\r\nDate: Mon, 30 Nov 2026 05:00:00 +0000\r\nMessage-ID: <%s@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nhello\r\n' "$3" "$2" "$2"
	} > "$1"
}
signed "$T/m4.eml" round4 news@news.brand.co.uk
r=$(pfx_send news@example.org dkrate@gmail.com,blk@gmail.com "$T/m4.eml")
is "round 4 accepted" 250 "${r%% *}"
wait_answers 9 || bad "round 4: the fake Gmail gave $(wc -l < "$T/answers") answers"
grep -Eq 'preflight-milter\[info\]: queue_id=[0-9A-Z]* .* dkim_domains=esp\.example spf_domain=example\.org ' "$T/milter.log"
is "the milter logged the message's DKIM and SPF domains" 0 $?
learn
is "4.7.28 DKIM domain refused" 1 "$(report '.rules[] | select(.rule == "unusual-rate-dkim-domain") | .refused')"
is "domain reputation refused" 1 "$(report '.rules[] | select(.rule == "low-domain-reputation") | .refused')"
is "the series of example.org: 4 delivered, 5 refused in all" "4 5" \
    "$(report '.series.sender_domains[] | select(.key == "example.org") | "\(.delivered | add) \(.refused | add)"')"
dompred() {	# FILE MAIL-FROM: the predicted rules about sender domains
	"$pf" check --json --config "$T/preflight.conf" --no-dns \
	    --mail-from "$2" --rcpt new@gmail.com "$1" |
	    jq -r '[.predictions[].rule | select(test("domain"))] | sort | join(" ")'
}
signed "$T/m5.eml" round5 info@shop.example
is "preflight check: a message signed by esp.example from elsewhere (its d= got both)" \
    "low-domain-reputation unusual-rate-dkim-domain" \
    "$(dompred "$T/m5.eml" info@shop.example)"
msg "$T/m6.eml" round6
sed 's/news@example.org>/alerts@mail.brand.co.uk>/' "$T/m6.eml" > "$T/m6b.eml"
is "preflight check: unsigned, From: under brand.co.uk" \
    low-domain-reputation "$(dompred "$T/m6b.eml" info@shop.example)"
is "preflight check: unsigned, another From: domain" "" \
    "$(dompred "$T/m6.eml" info@shop.example)"

# 5. the next message signed by esp.example: the milter predicts 4.7.28
r=$(pfx_send info@shop.example fresh@gmail.com "$T/m5.eml")
is "round 5 accepted (tagged)" 250 "${r%% *}"
wait_answers 10 || bad "round 5 not answered"
grep -Eq 'preflight-milter\[info\]: queue_id=[0-9A-Z]* .*rules=([a-z0-9-]+,)*unusual-rate-dkim-domain[, ].*confidence=([a-z]+,)*medium[, ].* dkim_domains=esp\.example spf_domain=shop\.example ' "$T/milter.log"
is "the milter predicted the DKIM domain's 4.7.28" 0 $?
learn
is "a predicted 4xx then delivered is no false alarm" 0 \
    "$(report '.rules[] | select(.rule == "unusual-rate-dkim-domain") | .false_alarms')"
is "esp.example's predicted 5.7.1 then delivered is one" 1 \
    "$(report '.rules[] | select(.rule == "low-domain-reputation") | .false_alarms')"

# 6. the confidence of those predictions: both are reputation windows
# (medium).  An Action line for that level decides for them; MinConfidence
# high drops them.  The configuration is reloaded in the running daemon.
is "preflight check: both windows are medium" "medium medium" \
    "$("$pf" check --json --config "$T/preflight.conf" --no-dns \
    --mail-from info@shop.example --rcpt new@gmail.com "$T/m5.eml" |
    jq -r '[.predictions[] | select(.rule == "low-domain-reputation" or
    .rule == "unusual-rate-dkim-domain") | .confidence] | join(" ")')"
lastline() {	# the milter's line for the last message
	grep 'preflight-milter\[info\]: queue_id=' "$T/milter.log" | tail -1
}
reload() {	# N: SIGHUP, until the N-th "reloaded" line
	kill -HUP "$MPID"
	i=0
	until [ "$(grep -c 'reloaded ' "$T/milter.log")" -ge "$1" ]; do
		i=$((i + 1))
		[ "$i" -gt 200 ] && { bad "reload $1 not logged"; return 1; }
		sleep 0.05
	done
}
echo "Action * confidence:medium accept" >> "$T/preflight.conf"
reload 1
r=$(pfx_send info@shop.example fresh6@gmail.com "$T/m5.eml")
is "round 6a accepted" 250 "${r%% *}"
wait_answers 11 || bad "round 6a not answered"
line=$(lastline)
echo "$line" | grep -Eq ' action=accept verdict=[a-z]+ gmail=yes rules=([a-z0-9-]+,)*unusual-rate-dkim-domain[, ]'
is "Action * confidence:medium accept: predicted, logged, not tagged" 0 $?
echo "$line" | grep -Eq ' confidence=medium(,medium)* '
is "... every prediction on the line is medium" 0 $?
echo "MinConfidence high" >> "$T/preflight.conf"
reload 2
r=$(pfx_send info@shop.example fresh7@gmail.com "$T/m5.eml")
is "round 6b accepted" 250 "${r%% *}"
wait_answers 12 || bad "round 6b not answered"
lastline | grep -Eq ' action=accept verdict=accept gmail=yes rules="" confidence="" '
is "MinConfidence high: the medium predictions are not made" 0 $?
learn

"$pf" learn --config "$T/preflight.conf" "$T/milter.log" "$T/maillog" 2>"$T/again.err"
grep -q ' 0 outcomes recorded' "$T/again.err"
is "learning the same logs again records nothing" 0 $?

[ "$fails" -eq 0 ] && echo "all passed"
exit $((fails > 0))
