#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# memory.sh - preflight-milter's memory through a private Postfix: peak RSS
# (VmHWM) after a 5 KB message and after a 50 MB one (a fresh daemon for
# each), and RSS per idle connection (N SMTP sessions held open after
# RCPT, so each has its milter connection and session state).
# usage: contrib/bench/memory.sh [-b BUILDDIR] [-n IDLE_SESSIONS] [-s local|inet]
#   defaults: -n 100 -s local
set -u
. "$(dirname "$0")/lib.sh"

BUILD=
NIDLE=100
SOCK=local
while getopts b:n:s: opt; do
	case $opt in
	b) BUILD=$OPTARG ;;
	n) NIDLE=$OPTARG ;;
	s) SOCK=$OPTARG ;;
	*) sed -n '2,8p' "$0" >&2; exit 64 ;;
	esac
done
[ "$(id -u)" -eq 0 ] || { echo "memory: run as root" >&2; exit 77; }
bench_find_preflight "$BUILD" || { echo "memory: not built" >&2; exit 77; }

BENCH_PROCS=$((NIDLE + 50))
bench_init
bench_dns || exit 1
bench_sink

# mkmsg BYTES FILE - a message of about BYTES, base64 attachment
mkmsg() {
	"$PY" - "$1" "$2" <<'PYEOF'
import base64, os, sys
n, out = int(sys.argv[1]), sys.argv[2]
head = (b"From: a@bench.example\r\nTo: b@gmail.com\r\nSubject: size\r\n"
        b"Date: Mon, 2 Jan 2006 15:04:05 -0700\r\n"
        b"Message-ID: <size@bench.example>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
        b"Content-Type: text/plain\r\n\r\nhello\r\n--b\r\n"
        b"Content-Type: application/octet-stream; name=x.bin\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n")
raw = os.urandom(max(0, (n - len(head) - 16) * 3 // 4))
body = base64.encodebytes(raw).replace(b"\n", b"\r\n")
with open(out, "wb") as f:
    f.write(head + body + b"--b--\r\n")
PYEOF
}
mkdir -p "$T/m5k" "$T/m50m"
mkmsg 5000 "$T/m5k/a.eml"
mkmsg 52000000 "$T/m50m/a.eml"

if [ "$SOCK" = inet ]; then
	MPORT=$(bench_port)
	SPEC="inet:$MPORT@127.0.0.1"
	PFSPEC="inet:127.0.0.1:$MPORT"
else
	SPEC="unix:$T/sock/pf.sock"
	PFSPEC=$SPEC
fi

# start_pf - a fresh daemon; sets PF_PID
start_pf() {
	[ -n "${PF_PID:-}" ] && kill "$PF_PID" 2>/dev/null &&
	    bench_waitpid "$PF_PID" 100
	rm -f "$T/sock/pf.sock"
	bench_preflight mem "$SPEC"
	PF_PID=${BENCH_PIDS[-1]}
	if [ "$SOCK" = inet ]; then
		bench_wait_tcp "$MPORT"
	else
		bench_wait_unix "$T/sock/pf.sock"
	fi
}
kb() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$PF_PID/status"; }

start_pf || exit 1
bench_postfix "pf=$PFSPEC" || exit 1
postconf -c "$T/etc" -e message_size_limit=60000000 >/dev/null
postfix -c "$T/etc" reload >/dev/null 2>&1
sleep 1

echo "| measurement | KB |"
echo "|---|---:|"
idle0=$(kb VmRSS)
echo "| daemon at rest (VmRSS) | $idle0 |"
for size in 5k 50m; do
	start_pf || exit 1
	"$PY" "$BENCH_DIR/smtpbench.py" 127.0.0.1 "$PORT_pf" 1 1 "$T/m$size" \
	    > "$T/r.json"
	grep -q '"accepted": 1' "$T/r.json" ||
	    { echo "memory: $size message not accepted: $(cat "$T/r.json")" >&2; exit 1; }
	echo "| peak RSS (VmHWM), one $size message | $(kb VmHWM) |"
done

# idle sessions: each stops after RCPT and waits
start_pf || exit 1
base=$(kb VmRSS)
"$PY" - "$PORT_pf" "$NIDLE" "$T/idle.ready" <<'PYEOF' &
import socket, sys, time
port, n, ready = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
socks = []
def cmd(s, line):
    if line:
        s.sendall(line + b"\r\n")
    data = b""
    while not data.endswith(b"\n") or data.split(b"\n")[-2][3:4] == b"-":
        data += s.recv(4096)
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    cmd(s, None)
    for line in (b"EHLO idle.example", b"MAIL FROM:<a@bench.example>",
                 b"RCPT TO:<b@gmail.com>"):
        cmd(s, line)
    socks.append(s)
open(ready, "w").close()
time.sleep(60)
PYEOF
holder=$!
BENCH_PIDS+=("$holder")
i=0
until [ -f "$T/idle.ready" ]; do
	i=$((i + 1)); [ "$i" -gt 600 ] && { echo "memory: sessions not open" >&2; exit 1; }
	sleep 0.1
done
sleep 1
busy=$(kb VmRSS)
echo "| daemon with $NIDLE idle sessions (VmRSS) | $busy |"
echo "| per idle session | $(( (busy - base) / NIDLE )) |"
kill "$holder" 2>/dev/null
