#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# postfix.sh - preflight-milter end to end through a real, private Postfix
# (smtpd_milters and non_smtpd_milters) delivering to smtp-sink.  Proves:
# tagged fields arrive at the sink; held mail sits in the hold queue; a
# rejected message gets the predicted reply at the SMTP client; mail to
# non-Gmail recipients passes untouched; forged X-Preflight fields are
# stripped; a Message-ID Postfix adds is not predicted; dry run; SIGHUP
# reloads and a bad reload keeps the old config; a spent DNS budget gets
# FailAction; with the daemon killed mid-run nothing is lost (delivered +
# held + refused with 4xx = sent); SIGTERM drains; background mode.
# With PF_PFX_INET=1 (tests/e2e/postfix-inet.sh) the daemon listens on
# 127.0.0.1 TCP instead of a unix socket: the same checks over the other
# negotiation (SMFIP_NR_* with TCP_QUICKACK, docs/milter.md).
# Skips (77) only when not root or Postfix is missing.
set -u

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for b in postfix smtp-sink postqueue postcat; do
	command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] ||
	    { echo "SKIP: $b not installed"; exit 77; }
done
PATH=$PATH:/usr/sbin

src=${PF_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${PF_BUILDDIR:-$src}
milter=$build/preflight-milter
rules=${PF_E2E_RULES:-$src/rules/gmail.rules}
[ -x "$milter" ] || { echo "FAIL: $milter not built"; exit 1; }
. "$src/tests/e2e/postfix-lib.sh"

T=$(mktemp -d /tmp/pf-e2e-postfix.XXXXXX)
MPID=
cleanup() {
	[ -n "$MPID" ] && kill -9 "$MPID" 2>/dev/null
	pfx_stop
	if [ "${KEEP:-0}" = 1 ] || [ "$fails" -gt 0 ]; then
		echo "kept $T for inspection"
		[ "$fails" -gt 0 ] && { echo "--- milter log"; tail -40 "$T/milter.log";
		    echo "--- maillog"; tail -30 "$T/maillog" 2>/dev/null; }
	else
		rm -rf "$T"
	fi
}
fails=0
passes=0
trap cleanup EXIT
trap "exit 1" INT TERM HUP PIPE

ok() { passes=$((passes + 1)); echo "ok   - $*"; }
bad() { fails=$((fails + 1)); echo "FAIL - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

chmod 755 "$T"
# the daemon drops to nobody: its pid file lives in a directory it owns
mkdir -p "$T/run" && chown nobody "$T/run"
sock=$T/milter.sock
if [ -n "${PF_PFX_INET:-}" ]; then
	mport=$(pfx_free_port)
	mspec="inet:$mport@127.0.0.1"
	pfxspec="inet:127.0.0.1:$mport"
else
	mspec="local:$sock"
	pfxspec="unix:$sock"
fi
# bound - the daemon's socket is there (the file, or a TCP listener)
bound() {
	if [ -n "${PF_PFX_INET:-}" ]; then
		ss -Hltn "sport = :$mport" 2>/dev/null | grep -q .
	else
		[ -S "$sock" ]
	fi
}
write_conf() {
	cat > "$T/preflight.conf" <<EOF
# end-to-end configuration: content rules only
Rules $rules
$(case "$1" in *"DNS yes"*) ;; *) echo "DNS no";; esac)
HELO mta.example.com
Socket $mspec
SocketMode 0666
User nobody
$(case "$1" in *"Background yes"*) ;; *) echo "Background no";; esac)
PidFile $T/run/milter.pid
DrainTimeout 10
# stateless: the state store has its own end-to-end test (state.sh)
State none
UnknownRecipients other
Action * permanent tag
Action hold.example permanent hold
Action reject.example permanent reject
$1
EOF
	chmod 644 "$T/preflight.conf"
}

start_milter() {
	rm -f "$sock"
	"$milter" -f -e -c "$T/preflight.conf" >>"$T/milter.log" 2>&1 &
	MPID=$!
	local i=0
	until bound; do
		i=$((i + 1))
		if [ "$i" -gt 100 ] || ! kill -0 "$MPID" 2>/dev/null; then
			echo "milter did not start"; cat "$T/milter.log"; exit 1
		fi
		sleep 0.05
	done
}

# a bad config: -n names file:line, and the daemon refuses to start
write_conf "Action * rule:no-such-rule hold"
ln=$(grep -n no-such-rule "$T/preflight.conf" | cut -d: -f1)
out=$("$milter" -n -c "$T/preflight.conf" 2>&1); rc=$?
check "-n on an unknown rule id: exit 78 ($rc)" [ "$rc" -eq 78 ]
check "-n names file:line ($out)" [ "$out" = "$T/preflight.conf:$ln: Action: no rule \"no-such-rule\" in $rules" ]
"$milter" -f -e -c "$T/preflight.conf" >"$T/refused.log" 2>&1; rc=$?
check "the daemon refuses a bad config (exit $rc)" [ "$rc" -eq 78 ]
check "... and says file:line" grep -q "^$T/preflight.conf:$ln: " "$T/refused.log"
check "... and binds nothing" eval '! bound && [ ! -e "$sock" ]'
write_conf ""
out=$("$milter" -n -c "$T/preflight.conf" 2>&1)
check "-n says configuration OK" [ "$out" = "configuration OK" ]
start_milter
pfx_start "$T" "$pfxspec" || { echo "postfix did not start"; exit 1; }

# msg FILE FROM-ADDR SUBJECT [EXTRA-HEADER-LINES] [two-from] [no-msgid]
msg() {
	local f=$1 from=$2 subj=$3 extra=${4:-} mode=${5:-}
	{
		printf 'From: Sender <%s>\r\n' "$from"
		[ "$mode" = two-from ] && printf 'From: Other <other@%s>\r\n' "${from#*@}"
		printf 'To: <bob@gmail.com>\r\nSubject: %s\r\n' "$subj"
		printf 'Date: Sun, 29 Nov 2026 05:00:00 +0000\r\n'
		[ "$mode" = no-msgid ] || printf 'Message-ID: <%s@%s>\r\n' "$subj" "${from#*@}"
		[ -n "$extra" ] && printf '%s\r\n' "$extra"
		printf 'MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n'
		printf 'Body of %s.\r\n' "$subj"
	} > "$f"
}

# 1. tag: two From fields is a predicted 550 5.7.1; the policy tags
msg "$T/tag.eml" a@tag.example e2e-tag "" two-from
r=$(pfx_send a@tag.example bob@gmail.com "$T/tag.eml")
check "tagged message accepted ($r)" [ "${r%% *}" = 250 ]

# 2. hold
msg "$T/hold.eml" a@hold.example e2e-hold "" two-from
r=$(pfx_send a@hold.example bob@gmail.com "$T/hold.eml")
check "held message accepted at SMTP ($r)" [ "${r%% *}" = 250 ]

# 3. reject: the predicted reply reaches the client
msg "$T/reject.eml" a@reject.example e2e-reject "" two-from
r=$(pfx_send a@reject.example bob@gmail.com "$T/reject.eml")
echo "     reply: $r"
check "rejected with the predicted 550 5.7.1" \
    [ "${r:0:10}" = "550 5.7.1 " ]
check "reply text starts with preflight: and names the Gmail reply" \
    grep -q "5.7.1 preflight: Gmail would answer 550 5.7.1 (" <<<"$r"

# 4. the same message to a non-Gmail recipient passes untouched
msg "$T/other.eml" a@reject.example e2e-other "" two-from
r=$(pfx_send a@reject.example carol@example.org "$T/other.eml")
check "non-Gmail recipient accepted ($r)" [ "${r%% *}" = 250 ]

# 5. forged X-Preflight fields on a clean message are stripped
msg "$T/forged.eml" a@tag.example e2e-forged \
    $'X-Preflight-Verdict: accept\r\nx-preflight-prediction: 250 2.0.0 forged; trust me\r\nX-Preflight-Verdict: accept'
r=$(pfx_send a@tag.example bob@gmail.com "$T/forged.eml")
check "forged message accepted ($r)" [ "${r%% *}" = 250 ]

# 5b. a flood of other X-Preflight-* names cannot shield a forged verdict
flood=$(for i in $(seq 1 300); do printf 'X-Preflight-Junk-%d: x\r\n' "$i"; done)
msg "$T/flood.eml" a@tag.example e2e-flood \
    "${flood}X-Preflight-Verdict: accept"$'\r\n'"X-Preflight-Prediction: 250 2.0.0 forged; ok" two-from
r=$(pfx_send a@tag.example bob@gmail.com "$T/flood.eml")
check "flooded message accepted ($r)" [ "${r%% *}" = 250 ]

# 5c. a 100 KB folded header field (Postfix keeps about 60 KB of it; the
#     milter protocol case over 64 KB is tests/e2e/bigheader.sh)
long=$(python3 -c 'print("\r\n".join(" " + "x" * 69 for _ in range(1400)), end="")')
msg "$T/long.eml" a@tag.example e2e-long "X-Long:$long"
r=$(pfx_send a@tag.example bob@gmail.com "$T/long.eml")
check "100 KB header field accepted ($r)" [ "${r%% *}" = 250 ]

# 6. no Message-ID from a loopback client: Postfix adds one (local
#    submission), so it is not predicted; reject.example would refuse it
msg "$T/nomsgid.eml" a@reject.example e2e-nomsgid "" no-msgid
r=$(pfx_send a@reject.example bob@gmail.com "$T/nomsgid.eml")
check "missing Message-ID the MTA adds is not refused ($r)" \
    [ "${r%% *}" = 250 ]

# 7. sendmail(1): the non_smtpd_milters path
msg "$T/local.eml" a@tag.example e2e-local "" two-from
sendmail -C "$T/etc" -f a@tag.example bob@gmail.com < "$T/local.eml"
check "sendmail(1) submission queued" [ $? -eq 0 ]

pfx_queue_settle 30 || bad "queue did not settle"

f=$(pfx_sink_file "Subject: e2e-tag")
check "tagged message delivered to the sink" [ -n "$f" ]
check "X-Preflight-Verdict: reject arrives" grep -q '^X-Preflight-Verdict: reject' "$f"
check "X-Preflight-Prediction: 550 5.7.1 <rule>; confidence=<level>; <text> arrives" \
    grep -Eq '^X-Preflight-Prediction: 550 5\.7\.1 [a-z0-9-]+; confidence=(low|medium|high); .+' "$f"

check "held message is in the hold queue" [ "$(pfx_held e2e-hold)" = 1 ]
check "held message not delivered" [ -z "$(pfx_sink_file 'Subject: e2e-hold')" ]
check "maillog shows the milter HOLD" \
    grep -q 'milter-hold: END-OF-MESSAGE.*from=<a@hold.example>' "$T/maillog"
check "rejected message not delivered" [ -z "$(pfx_sink_file 'Subject: e2e-reject')" ]

f=$(pfx_sink_file "Subject: e2e-other")
check "non-Gmail message delivered" [ -n "$f" ]
check "non-Gmail message carries no X-Preflight field" \
    bash -c "! grep -qi '^X-Preflight-' '$f'"
check "non-Gmail body intact" grep -q 'Body of e2e-other.' "$f"

f=$(pfx_sink_file "Subject: e2e-forged")
check "forged message delivered" [ -n "$f" ]
check "forged X-Preflight fields stripped" bash -c "! grep -qi '^X-Preflight-' '$f'"

f=$(pfx_sink_file "Subject: e2e-flood")
check "flood: delivered" [ -n "$f" ]
check "flood: the forged verdict and prediction are gone" \
    bash -c "! grep -qi -e '^X-Preflight-Verdict: accept' -e 'forged; ok' '$f'"

f=$(pfx_sink_file "Subject: e2e-long")
check "100 KB header field: tagged 552 5.3.4" \
    grep -Eq '^X-Preflight-Prediction: 552 5\.3\.4 ' "$f"

f=$(pfx_sink_file "Subject: e2e-nomsgid")
check "message without Message-ID delivered, Message-ID added by Postfix" \
    grep -qi '^Message-ID:' "$f"

f=$(pfx_sink_file "Subject: e2e-local")
check "sendmail(1) message tagged (non_smtpd_milters)" \
    grep -q '^X-Preflight-Verdict: reject' "$f"

check "one summary line per message, keyed by queue id" \
    grep -Eq 'info\]: queue_id=[0-9A-F]{6,} action=hold verdict=reject gmail=yes rules=[a-z0-9,-]+ confidence=[a-z,]+ reply=550 status=5\.7\.1 from_domain=hold\.example rcpt_domains=gmail\.com rcpt=1 ' "$T/milter.log"
check "summary for the reject" grep -Eq ' action=reject verdict=reject gmail=yes rules=' "$T/milter.log"
check "the daemon runs as nobody" \
    [ "$(ps -o user= -p "$MPID" | tr -d ' ')" = nobody ]

# reload CONF-LINES - rewrite the config, SIGHUP, wait for the log line
nreload=0
reload() {
	write_conf "$1"
	nreload=$((nreload + 1))
	kill -HUP "$MPID"
	for i in $(seq 1 50); do
		[ "$(grep -c "reloaded $T/preflight.conf" "$T/milter.log")" -ge "$nreload" ] && return 0
		sleep 0.1
	done
	return 1
}

# 8. a client Postfix does not add headers for: the missing Message-ID
#    is Gmail's 550 5.7.1, refused; with "MTAAddsHeaders always" (an MTA
#    that adds it after the milter, like Sendmail) it is not
postconf -c "$T/etc" -e 'local_header_rewrite_clients =' &&
    postfix -c "$T/etc" reload >/dev/null 2>&1 && sleep 1
msg "$T/nomsgid2.eml" a@reject.example e2e-nomsgid2 "" no-msgid
r=$(pfx_send a@reject.example bob@gmail.com "$T/nomsgid2.eml")
check "missing Message-ID nobody adds: 550 5.7.1 ($r)" [ "${r:0:10}" = "550 5.7.1 " ]
check "SIGHUP reloaded (MTAAddsHeaders always, TagClean yes)" \
    reload "$(printf '%s\n' "MTAAddsHeaders always" "TagClean yes")"
msg "$T/nomsgid3.eml" a@reject.example e2e-nomsgid3 "" no-msgid
r=$(pfx_send a@reject.example bob@gmail.com "$T/nomsgid3.eml")
check "MTAAddsHeaders always: not refused ($r)" [ "${r%% *}" = 250 ]
pfx_queue_settle 20
f=$(pfx_sink_file "Subject: e2e-nomsgid3")
check "TagClean: nothing predicted, X-Preflight-Verdict: accept" \
    [ "$(grep -i '^X-Preflight-' "$f")" = "X-Preflight-Verdict: accept" ]
postconf -c "$T/etc" -X local_header_rewrite_clients &&
    postfix -c "$T/etc" reload >/dev/null 2>&1 && sleep 1

# 8b. dry run: logs what would happen and does nothing else
check "SIGHUP reloaded (DryRun yes)" reload "DryRun yes"
msg "$T/dry.eml" a@reject.example e2e-dry "" two-from
r=$(pfx_send a@reject.example bob@gmail.com "$T/dry.eml")
check "dry run: a would-be reject is accepted ($r)" [ "${r%% *}" = 250 ]
pfx_queue_settle 20
f=$(pfx_sink_file "Subject: e2e-dry")
check "dry run: delivered untouched" bash -c "[ -n '$f' ] && ! grep -qi '^X-Preflight-' '$f'"
check "dry run: logged as action=accept would=reject" \
    grep -Eq ' action=accept would=reject verdict=reject gmail=yes rules=[a-z0-9,-]+ confidence=[a-z,]+ reply=550 status=5\.7\.1 ' "$T/milter.log"

# 9. SIGHUP reload: tag.example now holds
check "SIGHUP reloaded" reload "Action tag.example permanent hold"
msg "$T/tag2.eml" a@tag.example e2e-tag2 "" two-from
pfx_send a@tag.example bob@gmail.com "$T/tag2.eml" >/dev/null
pfx_queue_settle 20
check "after reload, tag.example is held" [ "$(pfx_held e2e-tag2)" = 1 ]

# 10. a bad config on SIGHUP keeps the running one and says why
write_conf "Action tag.example permanent shred"
kill -HUP "$MPID"
for i in $(seq 1 50); do grep -q 'reload failed' "$T/milter.log" && break; sleep 0.1; done
check "bad reload logged with file:line" \
    grep -q "reload failed, keeping the running configuration: $T/preflight.conf:[0-9]*: Action" "$T/milter.log"
check "daemon still running after a bad reload" kill -0 "$MPID"
msg "$T/tag3.eml" a@tag.example e2e-tag3 "" two-from
pfx_send a@tag.example bob@gmail.com "$T/tag3.eml" >/dev/null
pfx_queue_settle 20
check "old config still in force (held)" [ "$(pfx_held e2e-tag3)" = 1 ]

# 10b. a resolver that never answers: the DNS budget runs out, and the
#      message gets FailAction (tempfail here), never a guess
python3 -c 'import socket, sys, time
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
print(u.getsockname()[1]); sys.stdout.flush()
time.sleep(300)' > "$T/blackhole.port" &
BHPID=$!
for i in $(seq 1 50); do [ -s "$T/blackhole.port" ] && break; sleep 0.1; done
bh=$(cat "$T/blackhole.port")
check "SIGHUP reloaded (silent resolver)" reload "$(printf '%s\n' \
    "DNS yes" "Nameserver 127.0.0.1:$bh" "EgressIP 192.0.2.10" \
    "DNSQueryTimeout 100" "DNSMessageBudget 120" "FailAction tempfail")"
msg "$T/budget.eml" a@tag.example e2e-budget
r=$(pfx_send a@tag.example bob@gmail.com "$T/budget.eml")
check "DNS budget spent: FailAction tempfail, 451 4.3.0 ($r)" \
    grep -q '^451 4.3.0 preflight: could not finish the checks (DNS time budget' <<<"$r"
check "DNS budget spent: logged as fail=" \
    grep -q 'action=tempfail .*fail="DNS time budget for the message spent"' "$T/milter.log"
kill "$BHPID" 2>/dev/null
wait "$BHPID" 2>/dev/null

# 11. SIGTERM drains and exits; under the sanitizers the exit status also
#     says that every session, reload and message freed what it took
kill -TERM "$MPID"
for i in $(seq 1 150); do kill -0 "$MPID" 2>/dev/null || break; sleep 0.1; done
check "SIGTERM: the daemon exits" bash -c "! kill -0 $MPID 2>/dev/null"
wait "$MPID" 2>/dev/null
check "SIGTERM: exit status 0" [ $? -eq 0 ]
MPID=
check "SIGTERM: pid file removed" [ ! -e "$T/run/milter.pid" ]

# 12. kill -9 mid-run: nothing is lost
write_conf ""
start_milter
N=40
: > "$T/kill.results"
for i in $(seq 1 $N); do
	mode=two-from
	[ $((i % 3)) = 0 ] && mode=""
	dom=tag.example
	[ $((i % 4)) = 1 ] && dom=hold.example
	msg "$T/k$i.eml" "a@$dom" "e2e-kill-$i" "" $mode
done
pids=()
for i in $(seq 1 $N); do
	dom=$(sed -n 's/^From: Sender <a@\(.*\)>\r$/\1/p' "$T/k$i.eml")
	( r=$(pfx_send "a@$dom" bob@gmail.com "$T/k$i.eml"); echo "$i $r" >> "$T/kill.results" ) &
	pids+=($!)
	if [ "$i" = 20 ]; then
		# let some finish through the daemon, then kill it mid-stream
		for w in $(seq 1 100); do
			[ "$(wc -l < "$T/kill.results")" -ge 8 ] && break
			sleep 0.1
		done
		kill -9 "$MPID"
	fi
	sleep 0.05
done
wait "${pids[@]}"
MPID=
pfx_queue_settle 30 || bad "queue did not settle after the kill"
delivered=0; held=0; temp=0; other=0
for i in $(seq 1 $N); do
	r=$(sed -n "s/^$i //p" "$T/kill.results")
	if [ -n "$(pfx_sink_file "Subject: e2e-kill-$i")" ]; then
		delivered=$((delivered + 1))
	elif [ "$(pfx_held "e2e-kill-$i")" = 1 ]; then
		held=$((held + 1))
	elif [ "${r:0:1}" = 4 ]; then
		temp=$((temp + 1))
	else
		other=$((other + 1)); echo "     lost? $i: $r"
	fi
done
echo "     sent=$N delivered=$delivered held=$held refused-4xx=$temp other=$other"
check "killed mid-run: delivered + held + 4xx = sent" \
    [ $((delivered + held + temp)) -eq $N ] && [ "$other" -eq 0 ]
check "some mail was refused with 4xx after the kill" [ "$temp" -gt 0 ]
check "4xx refusals are Postfix's milter_default_action tempfail" \
    grep -q '^[0-9]* 451 4.7.1' "$T/kill.results"

# 13. a restarted daemon serves again, without stalls
start_milter
msg "$T/after.eml" a@tag.example e2e-after "" two-from
r=$(pfx_send a@tag.example bob@gmail.com "$T/after.eml")
check "restarted daemon serves ($r)" [ "${r%% *}" = 250 ]
# ... and no packet it leaves unanswered waits for a delayed ACK: over TCP
# that costs ~40 ms a message (docs/benchmarks.md, "The 40 ms stall").
# 20 messages over one SMTP connection, and 20 over one connection each;
# the best of three tries, since load slows one try and a stall every one
tr -d '\r' < "$T/after.eml" > "$T/after.lf"
# per_msg_ms SMTP-SOURCE-ARGS... - ms a message, the best of three tries
per_msg_ms() {
	local best= i t0 t1 ms
	for i in 1 2 3; do
		t0=$(date +%s%N)
		smtp-source "$@" -m 20 -F "$T/after.lf" -M client.example.com \
		    -f a@tag.example -t bob@gmail.com "127.0.0.1:$PFX_SMTPD" \
		    >/dev/null 2>&1
		t1=$(date +%s%N)
		ms=$(((t1 - t0) / 20000000))
		if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
	done
	echo "$best"
}
ms=$(per_msg_ms -d)
check "20 messages on one connection: no delayed-ACK stall ($ms ms each)" \
    [ "$ms" -lt 25 ]
ms=$(per_msg_ms)
check "20 connections: no delayed-ACK stall ($ms ms each)" [ "$ms" -lt 25 ]
kill -TERM "$MPID"
wait "$MPID" 2>/dev/null
check "second SIGTERM: exit status 0" [ $? -eq 0 ]
MPID=

# 14. background mode: the launcher returns, the pid file names the daemon
write_conf "Background yes"
rm -f "$sock"
"$milter" -c "$T/preflight.conf" >"$T/bg.out" 2>&1
check "background: the launcher exits 0" [ $? -eq 0 ]
for i in $(seq 1 100); do bound && [ -s "$T/run/milter.pid" ] && break; sleep 0.05; done
bgpid=$(cat "$T/run/milter.pid" 2>/dev/null)
case $bgpid in ''|*[!0-9]*) bgpid= ;; esac
check "background: pid file names a live daemon ($bgpid)" \
    bash -c "[ -n '$bgpid' ] && kill -0 '$bgpid'"
if [ -n "$bgpid" ]; then
	MPID=$bgpid	# for the cleanup
	msg "$T/bg.eml" a@tag.example e2e-bg "" two-from
	r=$(pfx_send a@tag.example bob@gmail.com "$T/bg.eml")
	check "background daemon serves ($r)" [ "${r%% *}" = 250 ]
	kill -TERM "$bgpid"
	for i in $(seq 1 150); do kill -0 "$bgpid" 2>/dev/null || break; sleep 0.1; done
	check "background daemon stops on SIGTERM" bash -c "! kill -0 $bgpid 2>/dev/null"
	MPID=
fi

# 15. the per-message lines of this whole run (tag, hold, reject, dry
#     run, fail-safe, forged fields, restarts): strict logfmt, each key
#     once, as preflight-milter(8) documents; and the man page's awk recipe
#     counts held mail per sender domain as a real logfmt parser does
out=$(python3 "$src/tests/e2e/logfmt.py" "$T/milter.log" 20)
check "every per-message log line is strict logfmt ($(tail -1 <<<"$out"))" \
    [ $? -eq 0 ]
[ "$fails" -gt 0 ] && head -5 <<<"$out"
awkout=$(grep 'preflight-milter.*queue_id=' "$T/milter.log" |
  awk '{ a = d = ""
         for (i = 1; i <= NF; i++) {
           if ($i ~ /^action=/) a = substr($i, 8)
           if ($i ~ /^from_domain=/) d = substr($i, 13) }
         if (a == "hold") n[d]++ }
       END { for (d in n) print n[d], d }' | sort)
pyout=$(python3 "$src/tests/e2e/logfmt.py" "$T/milter.log" --count-held | sort)
check "the man page's awk recipe agrees with the parser ($(echo $awkout))" \
    [ -n "$awkout" ] && [ "$awkout" = "$pyout" ]

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
