#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# signals.sh - preflight-milter never dies of a signal.  Under a steady
# message load through a private Postfix: 1,000 SIGHUPs at random moments
# (0-5 ms after the previous reload) each give a reload, then a burst of
# 250 with no pause; the daemon never exits, and every message sent is
# delivered, held or refused as the policy says (delivered + held +
# refused = sent, nothing tempfailed).  SIGUSR1 logs the counters in one
# line and they agree; SIGUSR2 and SIGPIPE are ignored; SIGTERM with no
# session open stops within 0.5 s, exit status 0, socket file removed.
# PF_SIGNALS_N changes the number of SIGHUPs.  Skips (77) only when not
# root or Postfix is missing.
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
rules=${PF_E2E_RULES:-${PF_RULES:-$src/rules/gmail.rules}}
n=${PF_SIGNALS_N:-1000}
[ -x "$milter" ] || { echo "FAIL: $milter not built"; exit 1; }
. "$src/tests/e2e/postfix-lib.sh"

T=$(mktemp -d /tmp/pf-e2e-signals.XXXXXX)
MPID=
fails=0
passes=0
cleanup() {
	[ -n "$MPID" ] && kill -9 "$MPID" 2>/dev/null
	pfx_stop
	if [ "${KEEP:-0}" = 1 ] || [ "$fails" -gt 0 ]; then
		echo "kept $T for inspection"
		[ "$fails" -gt 0 ] && { echo "--- milter log"; tail -20 "$T/milter.log"; }
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
# the socket's directory belongs to the daemon's user, so that it can
# remove the socket file at stop
mkdir -p "$T/sock" && chown nobody "$T/sock"
sock=$T/sock/milter.sock
cat > "$T/preflight.conf" <<EOF2
Rules $rules
DNS no
State none
HELO mta.example.com
Socket local:$sock
SocketMode 0666
User nobody
Background no
DrainTimeout 10
UnknownRecipients other
Action * permanent tag
Action hold.example permanent hold
Action reject.example permanent reject
EOF2
chmod 644 "$T/preflight.conf"

# -f alone logs to syslog, not to standard error
"$milter" -f -c "$T/preflight.conf" >"$T/fg.out" 2>&1 &
MPID=$!
for i in $(seq 1 100); do [ -S "$sock" ] && break; sleep 0.05; done
kill -TERM "$MPID"; wait "$MPID"; MPID=
check "-f without -e writes nothing to standard error" [ ! -s "$T/fg.out" ]

"$milter" -f -e -c "$T/preflight.conf" >"$T/milter.log" 2>&1 &
MPID=$!
for i in $(seq 1 100); do [ -S "$sock" ] && break; sleep 0.05; done
[ -S "$sock" ] || { echo "milter did not start"; cat "$T/milter.log"; exit 1; }
pfx_start "$T" "unix:$sock" || { echo "postfix did not start"; exit 1; }

# SIGUSR2 and SIGPIPE: ignored
kill -USR2 "$MPID"; kill -PIPE "$MPID"; sleep 0.2
check "SIGUSR2 and SIGPIPE ignored" kill -0 "$MPID"

python3 "$src/tests/e2e/signals.py" "$MPID" "$T/milter.log" "$PFX_SMTPD" \
    "$T" "$n" > "$T/driver.out" 2>&1
rc=$?
cat "$T/driver.out"
check "driver finished ($rc)" [ "$rc" -eq 0 ]
reloads=$(sed -n 's/^reloads //p' "$T/driver.out")
burst=$(sed -n 's/^burst_last //p' "$T/driver.out")
check "$n SIGHUPs gave $n reloads ($reloads)" [ "${reloads:-0}" -eq "$n" ]
check "the burst reloaded too ($burst > $reloads)" [ "${burst:-0}" -gt "${reloads:-0}" ]
check "the daemon is alive" kill -0 "$MPID"
check "no reload failed" bash -c "! grep -q 'reload failed\|loop ended' '$T/milter.log'"

pfx_queue_settle 60 || bad "queue did not settle"
sent=$(wc -l < "$T/results")
delivered=0 held=0 refused=0 wrong=0
while read -r kind marker code; do
	case $kind:$code in
	clean:250) [ -n "$(pfx_sink_file "Subject: $marker")" ] &&
		delivered=$((delivered + 1)) || wrong=$((wrong + 1)) ;;
	reject:550) refused=$((refused + 1)) ;;
	hold:250) ;;	# counted from the hold queue below
	*) wrong=$((wrong + 1)); echo "     unexpected: $kind $marker $code" ;;
	esac
done < "$T/results"
held=$(postqueue -c "$T/etc" -j | grep -c '"queue_name": *"hold"')
echo "     sent $sent: delivered $delivered, held $held, refused $refused, other $wrong"
check "messages were sent under the signals ($sent)" [ "$sent" -ge 30 ]
check "delivered + held + refused = sent" \
    [ $((delivered + held + refused)) -eq "$sent" ]
check "every message went where the policy says" [ "$wrong" -eq 0 ]

# SIGUSR1: the counters in one line, and they agree
kill -USR1 "$MPID"
for i in $(seq 1 50); do grep -q 'counters: ' "$T/milter.log" && break; sleep 0.1; done
line=$(grep 'counters: ' "$T/milter.log" | tail -1)
echo "     $line"
check "SIGUSR1 logs messages=$sent" grep -q " messages=$sent " <<<"$line"
check "SIGUSR1 logs reloads=$burst reload_failures=0" \
    grep -q " reloads=$burst reload_failures=0 " <<<"$line"
check "SIGUSR1 counts accept/hold/reject" \
    grep -Eq " accept=$delivered tag=0 hold=$held tempfail=0 reject=$refused " <<<"$line"

out=$(python3 "$src/tests/e2e/logfmt.py" "$T/milter.log" "$sent")
check "every per-message line is strict logfmt ($(tail -1 <<<"$out"))" [ $? -eq 0 ]

# SIGTERM with no session open: quick, clean, socket gone
t0=$(date +%s%N)
kill -TERM "$MPID"
wait "$MPID"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
MPID=
check "SIGTERM: exit status 0 ($rc)" [ "$rc" -eq 0 ]
check "SIGTERM with no session open: stopped in $ms ms (< 500)" [ "$ms" -lt 500 ]
check "socket file removed at stop" [ ! -e "$sock" ]

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
