#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# miltertest.sh [bigheader] - milter protocol edge cases against the real
# daemon.
# Starts $PF_BUILDDIR/preflight-milter with a private configuration (no
# DNS, content rules only, one sender domain per action) on a free
# loopback port, runs every tests/e2e/miltertest/[0-9]*.lua through
# miltertest(8), and stops the daemon.  Each script speaks the milter
# protocol as an MTA would and checks what the daemon asks for at end of
# message (mt.eom_check): added and deleted fields, quarantine, replies.
# Afterwards the daemon must still be running, must exit on SIGTERM, and
# its log must hold no sanitizer report.  Prints PASS/FAIL per script.
# With "bigheader", runs bigheader.py (60 KB and 64 KB Subjects, each in
# one header packet, which miltertest cannot send) instead of the Lua
# scripts.
# With PF_MT_UNIX=1 (tests/e2e/miltertest-unix.sh) the daemon listens on
# a unix socket instead, where it negotiates SMFIP_NR_* (no answers for
# the stages before end of message) and the scripts run the same way.
# With PF_MT_DNS=HOST:PORT (tests/e2e/miltertest-dns.sh) the daemon has
# DNS on, with that name server, and only 09-negotiation.lua runs: MAIL
# and RCPT must then stay answered.
# Exit 77 (skip) only if miltertest is not installed.
set -u

src=${PF_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${PF_BUILDDIR:-$src}
milter=$build/preflight-milter
rules=$src/rules/gmail.rules
dir=$src/tests/e2e/miltertest
mode=${1:-lua}

command -v miltertest >/dev/null 2>&1 ||
    { echo "SKIP: miltertest not installed"; exit 77; }
[ -x "$milter" ] || { echo "FAIL: $milter not built"; exit 99; }

T=$(mktemp -d "${TMPDIR:-/tmp}/pf-miltertest.XXXXXX") || exit 99
MPID=
fails=0
passes=0

cleanup() {
	if [ -n "$MPID" ] && kill -0 "$MPID" 2>/dev/null; then
		kill -9 "$MPID" 2>/dev/null
		wait "$MPID" 2>/dev/null
	fi
	if [ "$fails" -gt 0 ] || [ -n "${PF_KEEP:-}" ]; then
		echo "--- daemon log ($T/milter.log)"
		tail -40 "$T/milter.log"
	fi
	[ -n "${PF_KEEP:-}" ] && echo "kept $T" || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

port=$(python3 "$(dirname "$0")/../tools/free-port.py") || exit 99
chmod 755 "$T"
{
	echo "# miltertest: content rules only, no DNS"
	echo "Rules $rules"
	if [ -n "${PF_MT_DNS:-}" ]; then
		echo "Nameserver $PF_MT_DNS"
	else
		echo "DNS no"
	fi
	echo "State none"	# the state store has its own tests
	echo "HELO mta.example.com"
	if [ -n "${PF_MT_UNIX:-}" ]; then
		echo "Socket unix:$T/milter.sock"
	else
		echo "Socket inet:$port@127.0.0.1"
	fi
	echo "Background no"
	[ "$(id -u)" -eq 0 ] && echo "User nobody"
	echo "DrainTimeout 5"
	echo "UnknownRecipients other"
	echo "MTAAddsHeaders never"
	echo "Action * permanent tag"
	echo "Action hold.example permanent hold"
	echo "Action reject.example permanent reject"
	echo "Action tempfail.example permanent tempfail"
} >"$T/preflight.conf"
chmod 644 "$T/preflight.conf"

"$milter" -f -e -c "$T/preflight.conf" >"$T/milter.log" 2>&1 &
MPID=$!
n=0
# listening - the daemon accepts connections on its socket
listening() {
	if [ -n "${PF_MT_UNIX:-}" ]; then
		[ -S "$T/milter.sock" ]
	else
		python3 -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' \
		    "$port" 2>/dev/null
	fi
}
until listening; do
	n=$((n + 1))
	if [ "$n" -gt 100 ] || ! kill -0 "$MPID" 2>/dev/null; then
		echo "FAIL: preflight-milter did not listen"
		cat "$T/milter.log"
		exit 1
	fi
	sleep 0.1
done

if [ -n "${PF_MT_UNIX:-}" ]; then
	export PF_MT_SOCKET="unix:$T/milter.sock"
else
	export PF_MT_SOCKET="inet:$port@127.0.0.1"
fi
export PF_MT_RULES="$rules"
export PF_MT_PID="$MPID"
export PF_MT_LIB="$dir/common.lua"
# run NAME COMMAND... - one case, its output indented under PASS/FAIL
run() {
	name=$1
	shift
	if (cd "$T" && "$@") >"$T/$name.out" 2>&1; then
		passes=$((passes + 1))
		echo "PASS: $name"
		sed 's/^/    /' "$T/$name.out"
	else
		fails=$((fails + 1))
		echo "FAIL: $name"
		sed 's/^/    /' "$T/$name.out"
	fi
}
if [ "$mode" = bigheader ]; then
	run bigheader python3 "$src/tests/e2e/bigheader.py" "$PF_MT_SOCKET"
else
	for t in "$dir"/[0-9]*.lua; do
		[ -z "${PF_MT_DNS:-}" ] || [ "${t##*/}" = 09-negotiation.lua ] ||
		    continue
		run "miltertest $(basename "$t" .lua)" miltertest -s "$t"
	done
fi

# the daemon survived every session, and stops on SIGTERM
if kill -0 "$MPID" 2>/dev/null; then
	passes=$((passes + 1))
	echo "PASS: daemon still running after all sessions"
	kill -TERM "$MPID"
	n=0
	while kill -0 "$MPID" 2>/dev/null && [ "$n" -lt 150 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	if kill -0 "$MPID" 2>/dev/null; then
		fails=$((fails + 1))
		echo "FAIL: daemon still running 15 s after SIGTERM"
	else
		wait "$MPID"
		rc=$?
		MPID=
		if [ "$rc" -eq 0 ]; then
			passes=$((passes + 1))
			echo "PASS: daemon exited 0 on SIGTERM"
		else
			fails=$((fails + 1))
			echo "FAIL: daemon exited $rc on SIGTERM"
		fi
	fi
else
	fails=$((fails + 1))
	echo "FAIL: daemon died during the sessions"
fi
if grep -q -e 'ERROR: AddressSanitizer' -e 'ERROR: LeakSanitizer' \
    -e 'runtime error:' "$T/milter.log"; then
	fails=$((fails + 1))
	echo "FAIL: sanitizer report in the daemon log"
fi

echo "$(basename "$0" .sh) $mode${PF_MT_UNIX:+ (unix socket)}: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
