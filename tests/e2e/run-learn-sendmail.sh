#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# run-learn-sendmail.sh [BUILDDIR] - preflight learn on the log of a real, private
# Sendmail (the unpacked Debian package of tests/e2e/sendmail-lib.sh, in
# its own mount namespace) relaying to a loopback server that plays Gmail
# (tests/e2e/fakegmail.py), reached under Gmail's name through the
# namespace's own /etc/hosts.  Sendmail logs only to syslog: the namespace
# gets its own /dev with a /dev/log socket that a small syslog receiver
# writes to a file the way syslogd does.  Proves: Sendmail's delivery
# lines (a 550 5.1.1 whose reply is only in reply=, stat=User unknown; a
# 452 4.2.2 deferral; Sent (... - gsmtp)) are learned, counted as the
# server answered, and the next message to the 5.1.1 recipient is
# predicted 550 5.1.1.  Not part of make check (like run-sendmail.sh, it
# fetches the Sendmail packages): contrib/run-tests.sh runs it.
set -u

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
src=${PF_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${1:-${PF_BUILDDIR:-$src}}
pf=$build/preflight
rules=$src/rules/gmail.rules
. "$src/tests/e2e/sendmail-lib.sh"
GPID= RPID=
fails=0
cleanup() {
	[ -n "$GPID" ] && kill "$GPID" 2>/dev/null
	[ -n "$RPID" ] && kill "$RPID" 2>/dev/null
	[ "$fails" -gt 0 ] && PF_KEEP=1
	sm_cleanup
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
ok() { echo "ok   - $*"; }
bad() { fails=$((fails + 1)); echo "FAIL - $*"; }
is() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: want '$2', got '$3'"; fi; }

sm_init && sm_fetch && sm_unpack || { echo "FAIL: sendmail setup"; exit 1; }
# no filter: this run reads Sendmail's log, the milter is not needed
SM_RELAY_NAME=gmail-smtp-in.l.google.com SM_LOG_LEVEL=9 \
    SM_MC_EXTRA="define(\`confMIN_QUEUE_AGE', \`0')dnl" \
    sm_configure "" || { echo "FAIL: sendmail configuration"; exit 1; }
GPORT=$SM_SINK_PORT

# the syslog receiver: "<PRI>Mmm dd hh:mm:ss tag[pid]: msg" in, the line
# syslogd would write out (the host name put after the time)
python3 - "$SM_T/devlog" "$SM_T/maillog" >"$SM_T/syslog.err" 2>&1 <<'PY' &
import os, re, socket, sys
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)
with open(out, "a") as f:
    while True:
        m = s.recv(65536).decode(errors="replace").rstrip("\n\0")
        m = re.sub(r"^<\d+>", "", m)
        f.write(m[:15] + " mta" + m[15:] + "\n")
        f.flush()
PY
RPID=$!
for _ in $(seq 50); do [ -S "$SM_T/devlog" ] && break; sleep 0.1; done
# the namespace's /dev: the host's devices, and our /dev/log
mkdir -p "$SM_T/dev"
for d in null zero random urandom; do : > "$SM_T/dev/$d"; done
: > "$SM_T/dev/log"
sm_ns() {	# run ARGS in the namespace: our hosts, nsswitch and /dev
	unshare -m --propagation private sh -c '
		T=$1; shift
		for d in null zero random urandom; do
			mount --bind /dev/$d $T/dev/$d || exit 71
		done
		mount --bind $T/devlog $T/dev/log &&
		mount --rbind $T/dev /dev &&
		mount --bind $T/hosts /etc/hosts &&
		mount --bind $T/nsswitch.conf /etc/nsswitch.conf || exit 71
		exec "$@"' sh "$SM_T" "$@"
}

NOUSER='550-5.1.1 The email account that you tried to reach does not exist. Please try|550-5.1.1 double-checking the recipient'"'"'s email address for typos or|550 5.1.1 unnecessary spaces. a1si1234567qkb.12 - gsmtp'
FULL='452-4.2.2 The recipient'"'"'s inbox is out of storage space. Please direct the|452 4.2.2 recipient to a1si1234567qkb.12 - gsmtp'
OK='250 2.1.5 OK a1si1234567qkb.12 - gsmtp'
printf 'gone@gmail.com\t%s\nfull@gmail.com\t%s\t%s\n' "$NOUSER" "$FULL" "$OK" \
    >"$SM_T/script"
python3 "$src/tests/e2e/fakegmail.py" "$GPORT" "$SM_T/script" \
    "$SM_T/answers" >"$SM_T/fakegmail.log" 2>&1 &
GPID=$!
sm_wait_port "$GPORT" 50 || { bad "the fake Gmail did not start"; exit 1; }

sm_ns "$SM_BIN" -C "$SM_T/sendmail.cf" -bD -q2s >"$SM_T/sendmail.log" 2>&1 &
SM_PIDS="$SM_PIDS $!"
sm_wait_port "$SM_PORT" 150 || { bad "sendmail did not start"; cat "$SM_T/sendmail.log"; exit 1; }

python3 - "$SM_PORT" <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="client.example.com")
msg = ("From: News <news@example.org>\r\nTo: list@example.org\r\n"
       "Subject: learn\r\nDate: Mon, 30 Nov 2026 05:00:00 +0000\r\n"
       "Message-ID: <sm1@example.org>\r\n\r\nhello\r\n")
s.sendmail("news@example.org", ["gone@gmail.com", "full@gmail.com", "ok@gmail.com"], msg)
s.quit()
PY
i=0
# the three recipients, the retry of full, and the bounce of gone to the
# sender (the smart host takes everything)
while [ "$(wc -l < "$SM_T/answers" 2>/dev/null || echo 0)" -lt 5 ] && [ $i -lt 240 ]; do
	i=$((i + 1)); sleep 0.25
done
is "what Gmail answered" "full@gmail.com 250,full@gmail.com 452,gone@gmail.com 550,news@example.org 250,ok@gmail.com 250" \
    "$(sort "$SM_T/answers" | tr '\t\n' ' ,' | sed 's/,$//')"
sleep 1
grep -q 'stat=' "$SM_T/maillog"
is "Sendmail logged its stat= lines" 0 $?

printf 'Rules %s\nState lmdb:%s/st\n' "$rules" "$SM_T" > "$SM_T/pf.conf"
"$pf" learn --config "$SM_T/pf.conf" "$SM_T/maillog" 2>"$SM_T/learn.err"
cat "$SM_T/learn.err"
"$pf" report --config "$SM_T/pf.conf" --json > "$SM_T/rep.json"
q() { jq -r "$1" "$SM_T/rep.json"; }
is "delivered (with the bounce to the sender)" 3 "$(q .delivered)"
is "5.1.1 refused (its reply= line)" 1 "$(q '.rules[] | select(.rule == "mailbox-does-not-exist") | .refused')"
is "4.2.2 refused" 1 "$(q '.rules[] | select(.rule == "recipient-inbox-full") | .refused')"
printf 'From: a@example.org\nTo: gone@gmail.com\nSubject: x\nDate: Mon, 30 Nov 2026 06:00:00 +0000\nMessage-ID: <m2@example.org>\n\nx\n' > "$SM_T/m.eml"
is "the next message to gone is predicted 550 5.1.1" mailbox-does-not-exist \
    "$("$pf" check --json --no-dns --config "$SM_T/pf.conf" --rcpt gone@gmail.com "$SM_T/m.eml" | jq -r '[.predictions[].rule] | join(" ")')"
[ "$fails" -eq 0 ] && echo "all passed"
exit $((fails > 0))
