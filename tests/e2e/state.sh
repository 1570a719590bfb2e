#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# state.sh - the state store end to end: preflight-milter behind a real,
# private Postfix (tests/e2e/postfix-lib.sh), delivering to smtp-sink.
#  1. 61 messages to one Gmail recipient within a minute: the 61st is
#     predicted 450 4.2.1 and refused by the policy; the first 60 pass.
#  2. 5,001 messages from news.example.com and shop.example.com to
#     personal Gmail: example.com turns bulk, and a message from it now
#     gets its bulk prediction (bulk-tls, TLS no).  For speed the first
#     4,990 are put into the store with tests/stateseed (counted the way
#     the engine counts); the last 11 go through Postfix.  The status
#     survives a restart of the daemon.
#  3. kill -9 of the daemon in the middle of a burst: the LMDB file opens
#     cleanly and no count committed before a 250 is lost.
#  4. 200 sessions through Postfix at once: the count is exact.
#  5. two daemons with their own configs sharing one redis-server: the
#     second sees the first's count (the sum), and predicts the 61st.
#  6. Redis stopped: mail still flows (FailAction accept), the log says why;
#     with FailAction tempfail, Gmail mail is refused 451 4.3.0 and retried.
# Skips (77) only when not root or Postfix / redis-server is missing.
set -u

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for b in postfix smtp-sink postqueue redis-server; do
	command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] ||
	    { echo "SKIP: $b not installed"; exit 77; }
done
PATH=$PATH:/usr/sbin

src=${PF_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${PF_BUILDDIR:-$src}
milter=$build/preflight-milter
pf=$build/preflight
seed=$build/tests/stateseed
rules=${PF_E2E_RULES:-${PF_RULES:-$src/rules/gmail.rules}}
for b in "$milter" "$pf" "$seed"; do
	[ -x "$b" ] || { echo "FAIL: $b not built"; exit 1; }
done
. "$src/tests/e2e/postfix-lib.sh"

T=$(mktemp -d /tmp/pf-e2e-state.XXXXXX)
MPID= M2PID= RPID=
fails=0
passes=0
cleanup() {
	for p in $MPID $M2PID $RPID; do kill -9 "$p" 2>/dev/null; done
	pfx_stop
	if [ "${KEEP:-0}" = 1 ] || [ "$fails" -gt 0 ]; then
		echo "kept $T for inspection"
		[ "$fails" -gt 0 ] && { echo "--- milter log"; tail -30 "$T/milter.log"; }
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap "exit 1" INT TERM HUP PIPE

ok() { passes=$((passes + 1)); echo "ok   - $*"; }
bad() { fails=$((fails + 1)); echo "FAIL - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

chmod 755 "$T"
mkdir -p "$T/run" "$T/state" && chown nobody "$T/run" "$T/state"

# write_conf NAME SOCKET STATE - a daemon configuration
write_conf() {
	cat > "$T/$1.conf" <<CONF
Rules $rules
DNS no
HELO mta.example.com
Socket local:$2
SocketMode 0666
User nobody
Background no
DrainTimeout 5
UnknownRecipients other
TLS no
Bulk auto
State $3
Action * temporary reject
Action * permanent tag
CONF
	chmod 644 "$T/$1.conf"
}

# start NAME SOCKET - a daemon; its pid in STARTED
start() {
	rm -f "$2"
	"$milter" -f -e -c "$T/$1.conf" >>"$T/milter.log" 2>&1 &
	STARTED=$!
	local i=0
	until [ -S "$2" ]; do
		i=$((i + 1))
		if [ "$i" -gt 100 ] || ! kill -0 "$STARTED" 2>/dev/null; then
			echo "milter $1 did not start"; tail "$T/milter.log"; exit 1
		fi
		sleep 0.05
	done
}

# stop PID - SIGTERM and wait
stop() {
	kill -TERM "$1" 2>/dev/null
	for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	wait "$1" 2>/dev/null
}

# send_many N CONCURRENCY FROM RCPT SUBJECT - N messages; RCPT and SUBJECT
# may hold {i}; prints one "i code text" line per message, in order
send_many() {
	python3 - "$PFX_SMTPD" "$@" <<'PY'
import smtplib, sys, concurrent.futures as cf
port, n, conc, frm, rcpt, subj = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
def one(i):
    r, s = rcpt.replace("{i}", str(i)), subj.replace("{i}", str(i))
    dom = frm.split("@")[1]
    data = ("From: Sender <%s>\r\nTo: <%s>\r\nSubject: %s\r\n"
            "Date: Sun, 29 Nov 2026 05:00:00 +0000\r\n"
            "Message-ID: <%s.%d@%s>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain\r\n\r\nBody %d.\r\n") % (frm, r, s, s, i, dom, i)
    try:
        c = smtplib.SMTP("127.0.0.1", port, local_hostname="client.example.com", timeout=120)
        c.sendmail(frm, [r], data.encode())
        c.quit()
        return "250 ok"
    except smtplib.SMTPRecipientsRefused as e:
        code, msg = list(e.recipients.values())[0]
        return "%d %s" % (code, msg.decode(errors="replace"))
    except smtplib.SMTPResponseException as e:
        return "%d %s" % (e.smtp_code, e.smtp_error.decode(errors="replace").replace("\n", " "))
    except Exception as e:
        return "000 %s" % e
with cf.ThreadPoolExecutor(max_workers=conc) as ex:
    for i, r in enumerate(ex.map(one, range(1, n + 1)), 1):
        print(i, r, flush=True)
PY
}

# codes FILE - "N code" per reply code
count_code() { awk -v c="$2" '$2 == c { n++ } END { print n + 0 }' "$1"; }

# state_json CONF ARGS... - preflight state --json
state_json() { local c=$1; shift; "$pf" state --json --config "$T/$c.conf" "$@"; }

write_conf lmdb "$T/m1.sock" "lmdb:$T/state/state"
out=$("$milter" -n -c "$T/lmdb.conf" 2>&1)
check "-n: configuration OK" [ "$out" = "configuration OK" ]
printf 'State lmdb:state\n' >> "$T/bad.conf"
out=$("$milter" -n -c "$T/bad.conf" 2>&1); rc=$?
check "-n on a bad State: exit 78 ($rc)" [ "$rc" -eq 78 ]
check "... and file:line ($out)" \
    [ "$out" = "$T/bad.conf:1: State: the LMDB path must be absolute: \"lmdb:state\"" ]

start lmdb "$T/m1.sock"; MPID=$STARTED
pfx_start "$T" "unix:$T/m1.sock" || { echo "postfix did not start"; exit 1; }

# 1. receiving too fast
send_many 61 1 a@rate.example.org fast@gmail.com "rate-{i}" > "$T/rate.out"
check "the first 60 to one recipient accepted" \
    [ "$(head -60 "$T/rate.out" | awk '$2 == 250' | wc -l)" -eq 60 ]
r=$(sed -n '61p' "$T/rate.out")
echo "     61st: $r"
check "the 61st refused with the predicted 450 4.2.1" \
    grep -q '^61 450 4\.2\.1 preflight: Gmail would answer 450 4\.2\.1 (recipient-receiving-too-fast)' <<<"$r"
j=$(state_json lmdb show fast@gmail.com)
check "the refused 61st is not counted ($j)" \
    jq -e '.recipient_minute == 60' <<<"$j" >/dev/null

# 2. bulk from two subdomains, most of it seeded
"$seed" "lmdb:$T/state/state" -f example.com -n 4990 seeded@gmail.com ||
    bad "seeding 4,990"
chown -R nobody "$T/state"
send_many 9 1 a@news.example.com "n{i}@gmail.com" "bulk-news-{i}" > "$T/bulk1.out"
send_many 2 1 a@shop.example.com "s{i}@gmail.com" "bulk-shop-{i}" > "$T/bulk2.out"
check "the 11 bulk messages accepted" \
    [ "$(cat "$T/bulk1.out" "$T/bulk2.out" | awk '$2 == 250' | wc -l)" -eq 11 ]
j=$(state_json lmdb show shop.example.com)
echo "     $j"
check "example.com: 5,001 to personal Gmail, bulk since today" \
    jq -e --arg d "$(date -u +%F)" '.personal_gmail_24h == 5001 and .bulk and .bulk_since == $d' <<<"$j" >/dev/null
pfx_queue_settle 30 || bad "queue did not settle"
f=$(pfx_sink_file "Subject: bulk-news-8")
check "the 4,998th carries no bulk prediction" \
    bash -c "[ -n '$f' ] && ! grep -q 'bulk-tls' '$f'"
f=$(pfx_sink_file "Subject: bulk-shop-2")
check "the 5,001st (from shop.) carries its bulk prediction" \
    bash -c "[ -n '$f' ] && grep -q '^X-Preflight-Prediction: 550 5\.7\.29 bulk-tls;' '$f'"
stop "$MPID"; MPID=
start lmdb "$T/m1.sock"; MPID=$STARTED
send_many 1 1 a@news.example.com "after@gmail.com" "bulk-restart-{i}" > "$T/bulk3.out"
pfx_queue_settle 30 || bad "queue did not settle"
f=$(pfx_sink_file "Subject: bulk-restart-1")
check "after a restart, still bulk" \
    bash -c "[ -n '$f' ] && grep -q 'bulk-tls;' '$f'"

# 3. kill -9 in the middle of a burst
send_many 120 10 a@kill.example.net "k{i}@gmail.com" "kill-{i}" > "$T/kill.out" &
SPID=$!
for _ in $(seq 1 200); do
	[ "$(wc -l < "$T/kill.out")" -ge 30 ] && break
	sleep 0.05
done
kill -9 "$MPID"; wait "$MPID" 2>/dev/null; MPID=
wait "$SPID"
acc=$(count_code "$T/kill.out" 250)
echo "     accepted before and after the kill: $acc of 120"
j=$(state_json lmdb show kill.example.net); rc=$?
check "after kill -9 the LMDB file opens cleanly (exit $rc)" [ "$rc" -eq 0 ]
n=$(jq -r .personal_gmail_24h <<<"$j")
check "no committed count lost: $n counted >= $acc accepted" [ "$n" -ge "$acc" ]
check "... and none invented: $n <= $acc + 10 in flight" [ "$n" -le $((acc + 10)) ]
check "some mail was accepted before the kill" [ "$acc" -gt 0 ]
start lmdb "$T/m1.sock"; MPID=$STARTED
send_many 1 1 a@kill.example.net "k-after@gmail.com" "kill-after" > "$T/kill2.out"
n2=$(state_json lmdb show kill.example.net | jq -r .personal_gmail_24h)
check "the restarted daemon counts on ($n -> $n2)" [ "$n2" -eq $((n + 1)) ]

# 4. 200 sessions at once
send_many 200 200 a@mail.concurrency.test "c{i}@gmail.com" "conc-{i}" > "$T/conc.out"
acc=$(count_code "$T/conc.out" 250)
check "200 concurrent sessions accepted ($acc)" [ "$acc" -eq 200 ]
n=$(state_json lmdb show concurrency.test | jq -r .personal_gmail_24h)
check "200 concurrent sessions: exactly 200 counted ($n)" [ "$n" -eq 200 ]
stop "$MPID"; MPID=

# 5. two daemons, two configs, one Redis
pfx_redis_start "$T"; up=$?
RPID=$PFX_REDIS_PID; rport=$PFX_REDIS_PORT
[ "$up" = 0 ] || bad "redis-server did not start"
write_conf host1 "$T/h1.sock" "redis://127.0.0.1:$rport/1"
write_conf host2 "$T/h2.sock" "redis://127.0.0.1:$rport/1"
start host1 "$T/h1.sock"; MPID=$STARTED
start host2 "$T/h2.sock"; M2PID=$STARTED
# use_milter SOCKET - point the private Postfix at one daemon
use_milter() {
	postconf -c "$T/etc" -e "smtpd_milters = unix:$1"
	postfix -c "$T/etc" reload >/dev/null 2>&1
	sleep 1
}
use_milter "$T/h1.sock"
send_many 30 1 a@fleet.example.org shared@gmail.com "fleet-a-{i}" > "$T/fleet1.out"
use_milter "$T/h2.sock"
send_many 31 1 a@fleet.example.org shared@gmail.com "fleet-b-{i}" > "$T/fleet2.out"
check "host 1 accepted 30" [ "$(count_code "$T/fleet1.out" 250)" -eq 30 ]
check "host 2 accepted its first 30" [ "$(head -30 "$T/fleet2.out" | awk '$2 == 250' | wc -l)" -eq 30 ]
check "host 2 refuses the 61st of the two: 450 4.2.1" \
    grep -q '^31 450 4\.2\.1 ' "$T/fleet2.out"
j=$(state_json host1 show shared@gmail.com)
check "Redis holds the sum ($j)" jq -e '.recipient_minute == 60' <<<"$j" >/dev/null
n=$(state_json host2 show fleet.example.org | jq -r .personal_gmail_24h)
check "the org count is the sum of both hosts ($n)" [ "$n" -eq 60 ]

# 6. Redis stopped: mail flows (FailAction accept), and the log says why
kill -TERM "$RPID"; wait "$RPID" 2>/dev/null; RPID=
send_many 2 1 a@fleet.example.org down@gmail.com "down-{i}" > "$T/down.out"
check "with Redis stopped, mail still accepted" [ "$(count_code "$T/down.out" 250)" -eq 2 ]
check "the log names the unreachable store" \
    grep -q 'fail="state store unreachable"' "$T/milter.log"
stop "$MPID"; MPID=
stop "$M2PID"; M2PID=
# ... and with FailAction tempfail, Gmail mail waits in the client's queue
write_conf host3 "$T/h3.sock" "redis://127.0.0.1:$rport/1"
echo "FailAction tempfail" >> "$T/host3.conf"
start host3 "$T/h3.sock"; MPID=$STARTED
use_milter "$T/h3.sock"
send_many 1 1 a@fleet.example.org down@gmail.com "down-t-{i}" > "$T/down2.out"
check "Redis stopped, FailAction tempfail: 451 4.3.0 ($(cat "$T/down2.out"))" \
    grep -q '^1 451 4\.3\.0 preflight: could not finish the checks (state store unreachable)' "$T/down2.out"
send_many 1 1 a@fleet.example.org someone@example.net "down-o-{i}" > "$T/down3.out"
check "... mail for other providers still flows" [ "$(count_code "$T/down3.out" 250)" -eq 1 ]
stop "$MPID"; MPID=

echo "state.sh: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
