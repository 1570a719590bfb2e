#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# faults.sh - preflight-milter under load through a private Postfix, with
# faults injected mid-run, and an account of every message:
#   sent = accepted + refused at SMTP (5xx, 4xx) + connection errors
#   accepted = delivered (smtp-sink) + held (hold queue) + still queued
# "lost" is accepted minus what was delivered, held or queued, and must be
# 0 (so must "still queued" once the queue has drained).
#
# Scenarios (-S, default all but load):
#   load      no fault: just the load
#   dns-stop  the DNS server is stopped a third of the way in, started
#             again at two thirds
#   dns-slow  DNS answers come 3 s late (past the per-message budget) from
#             a third of the way in
#   kill      the daemon is killed (SIGKILL) a third of the way in and
#             started again a second later
#   hup-good  SIGHUP with a changed, valid configuration mid-run
#   hup-bad   SIGHUP with a broken configuration mid-run: the daemon must
#             keep running on the old one
#
# usage: contrib/bench/faults.sh [-b BUILDDIR] [-c SESSIONS] [-n MSGS]
#                                [-S "SCENARIOS"] [-s local|inet]
#   defaults: -c 50 -n 1500 -s local.  The long load run is load.sh.
# Prints a markdown table; exits 1 if anything was lost or a scenario's
# expectation failed, 77 if it cannot run here (not root, no build).
set -u
. "$(dirname "$0")/lib.sh"

BUILD=
SESS=50
NMSG=1500
SCEN="dns-stop dns-slow kill hup-good hup-bad"
SOCK=local
while getopts b:c:n:S:s: opt; do
	case $opt in
	b) BUILD=$OPTARG ;;
	c) SESS=$OPTARG ;;
	n) NMSG=$OPTARG ;;
	S) SCEN=$OPTARG ;;
	s) SOCK=$OPTARG ;;
	*) sed -n '2,27p' "$0" >&2; exit 64 ;;
	esac
done
[ "$(id -u)" -eq 0 ] || { echo "faults: run as root" >&2; exit 77; }
bench_find_preflight "$BUILD" ||
    { echo "faults: preflight-milter is not built" >&2; exit 77; }
command -v postfix >/dev/null || { echo "faults: no postfix" >&2; exit 77; }

BENCH_PROCS=$((SESS + 50))
bench_init
bench_dns || exit 1
bench_msgs 200 || exit 1
bench_sink -d

# DNS reaches the daemon through a relay whose delay can be changed
RELAY_PORT=$(bench_port)
echo 0 > "$T/dns-delay"
"$PY" "$BENCH_DIR/slowdns.py" "$RELAY_PORT" "$DNS_PORT" 0 "$T/dns-delay" &
BENCH_PIDS+=("$!")
sleep 0.3

if [ "$SOCK" = inet ]; then
	MPORT=$(bench_port)
	SPEC="inet:$MPORT@127.0.0.1"
	PFSPEC="inet:127.0.0.1:$MPORT"
else
	SPEC="unix:$T/sock/pf.sock"
	PFSPEC="$SPEC"
fi

# pf_conf [bad] - the daemon's configuration; "bad" breaks one line
pf_conf() {
	{
		echo "Rules $(cd "$BENCH_DIR/../../rules" && pwd)/gmail.rules"
		echo "State none"	# stateless (contrib/bench/state.sh)
		echo "EgressIP 192.0.2.10"
		echo "HELO mta.bench.example"
		echo "Nameserver 127.0.0.1:$RELAY_PORT"
		echo "DNSQueryTimeout 500"
		echo "DNSMessageBudget 1000"
		echo "Socket $SPEC"
		echo "SocketMode 0666"
		echo "Background no"
		echo "Action * class:content hold"
		echo "Action * rule:message-malformed reject"
		[ "${1:-}" = good2 ] && echo "Action * temporary tag"
		[ "${1:-}" = bad ] && echo "Action * permanent explode"
	} > "$T/preflight.conf"
}

# pf_start - the daemon, in the foreground, logging to $T/preflight.log
pf_start() {
	# PF_BENCH_WRAP: a command to run the daemon under (leaks.sh)
	(umask 0; exec ${PF_BENCH_WRAP:-} "$PF_MILTER_BIN" -f -e \
	    -c "$T/preflight.conf") >>"$T/preflight.log" 2>&1 &
	PF_PID=$!
	BENCH_PIDS+=("$PF_PID")
	if [ "$SOCK" = inet ]; then
		bench_wait_tcp "$MPORT" ${PF_BENCH_WRAP:+300}
	else
		bench_wait_unix "$T/sock/pf.sock" ${PF_BENCH_WRAP:+300}
	fi
}

pf_conf
pf_start || exit 1
bench_postfix "pf=$PFSPEC" || exit 1
# Postfix must hold on to the mail when the milter is away, not pass it
# unchecked: tempfail is what docs/benchmarks.md recommends.
grep -q '^milter_default_action = tempfail' "$T/etc/main.cf" || exit 1

# warm up
"$PY" "$BENCH_DIR/smtpbench.py" 127.0.0.1 "$PORT_pf" 4 40 "$T/msgs" >/dev/null
bench_drain

count() { find "$@" -type f 2>/dev/null | wc -l; }

echo "| scenario | sessions | sent | accepted | rejected | tempfailed" \
    "| errors | delivered | held | queued | lost | s | note |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
bad=0
for sc in $SCEN; do
	rm -f "$T"/sink/* 2>/dev/null
	postsuper -c "$T/etc" -d ALL hold >/dev/null 2>&1
	note=
	t0=$(date +%s.%N)
	"$PY" "$BENCH_DIR/smtpbench.py" 127.0.0.1 "$PORT_pf" "$SESS" "$NMSG" \
	    "$T/msgs" "bench@m%d.bench.example" >"$T/client.json" &
	client=$!
	# a third of the way: estimate from the first second's progress
	sleep 1
	case $sc in
	dns-stop)
		kill "$NSD_PID"
		sleep 4
		/usr/sbin/nsd -d -c "$T/nsd.conf" &
		NSD_PID=$!
		BENCH_PIDS+=("$NSD_PID")
		note="NSD down 4 s" ;;
	dns-slow)
		echo 3000 > "$T/dns-delay"
		sleep 5
		echo 0 > "$T/dns-delay"
		note="answers 3 s late for 5 s (budget 1 s)" ;;
	kill)
		kill -9 "$PF_PID"
		sleep 1
		pf_start || { bad=1; note="restart failed"; }
		note=${note:-"SIGKILL, restarted after 1 s"} ;;
	hup-good)
		n0=$(grep -c "reloaded" "$T/preflight.log")
		pf_conf good2
		kill -HUP "$PF_PID"
		sleep 2
		n1=$(grep -c "reloaded" "$T/preflight.log")
		if kill -0 "$PF_PID" 2>/dev/null && [ "$n1" -gt "$n0" ]; then
			note="reloaded"
		else
			note="no reload logged"
			bad=1
		fi ;;
	hup-bad)
		n0=$(grep -c "reload failed" "$T/preflight.log")
		pf_conf bad
		kill -HUP "$PF_PID"
		sleep 2
		n1=$(grep -c "reload failed" "$T/preflight.log")
		if kill -0 "$PF_PID" 2>/dev/null && [ "$n1" -gt "$n0" ]; then
			note="reload refused, old config kept"
		else
			note="daemon died or did not refuse"
			bad=1
		fi
		pf_conf ;;
	esac
	wait "$client"
	t1=$(date +%s.%N)
	bench_drain
	delivered=$(count "$T/sink")
	held=$(count "$T/spool/hold")
	queued=$(count "$T/spool/incoming" "$T/spool/active" \
	    "$T/spool/deferred" "$T/spool/maildrop")
	read -r sent acc rej tmp err < <("$PY" -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(r["sent"], r["accepted"], r["rejected"], r["tempfailed"], r["errors"])
' "$T/client.json")
	lost=$((acc - delivered - held - queued))
	[ "$lost" -ne 0 ] && bad=1
	[ "$queued" -ne 0 ] && bad=1
	[ $((acc + rej + tmp + err)) -ne "$sent" ] && bad=1
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %.0f | %s |\n' \
	    "$sc" "$SESS" "$sent" "$acc" "$rej" "$tmp" "$err" "$delivered" \
	    "$held" "$queued" "$lost" "$(awk "BEGIN {print $t1 - $t0}")" "$note"
done
kill -0 "$PF_PID" 2>/dev/null || { echo "faults: the daemon is gone" >&2; bad=1; }
if [ -n "${PF_BENCH_WRAP:-}" ]; then
	# let the wrapper (valgrind) see a clean exit and write its report
	kill -TERM "$PF_PID"
	bench_waitpid "$PF_PID" 1800 || echo "faults: the daemon did not exit" >&2
fi
[ "$bad" -eq 0 ] && echo "faults: nothing lost" || echo "faults: FAILED" >&2
exit "$bad"
