#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# floor.sh - preflight-milter against the floor: what any libmilter milter
# costs.  One private Postfix, one listener per configuration, every
# configuration measured in every round, interleaved (the order rotates),
# so machine load falls on all of them alike:
#   none            no milter
#   floor           floor.c: every callback answered, one field added
#   floornr         floornr.c: SMFIP_NR_* for every stage a content
#                   milter reads, SMFIP_NO* for the rest, one field added
#   floor_inet      floor over 127.0.0.1 TCP (TCP_NODELAY listener): what
#                   TCP itself costs a milter that answers every packet
#   floornr_inet    with -T: the same over 127.0.0.1 TCP (TCP_NODELAY
#                   listener), to show the stall unanswered packets cause
#                   there (~50 ms a message: slow to measure)
#   preflight       preflight-milter on a unix socket, and over TCP
# For each: msgs/s of smtp-source (one session per message, median-size
# message) and its ratio to no milter, milter CPU per message (utime +
# stime of the milter process over the smtp-source run, /proc/PID/stat),
# and added p50/p99 latency from smtpbench.py over the message set.
# DNS off in preflight (PF_BENCH_NODNS=1 is set here).  -B adds another
# preflight-milter binary (an older build, say) as "before", both sockets;
# -B BINARY,RULES gives it a rules file it can read.  -m N sends N
# messages in each SMTP session instead of one (smtp-source -d, run with
# N x SESSIONS messages as often as MSGS allows; smtpbench.py still opens
# a session per message).
# usage: contrib/bench/floor.sh [-b BUILDDIR] [-B BINARY] [-T] [-n MSGS]
#                               [-m PERSESSION] [-c "1 8"] [-r ROUNDS]
#                               [-o OUT.md]
# Needs root (Postfix, smtp-sink -u postfix).
set -u
. "$(dirname "$0")/lib.sh"

BUILD=
BEFORE=
BRULES=
TCPNR=
NMSG=300
PERSESS=1
CONC="1 8"
ROUNDS=3
OUT=
while getopts b:B:Tn:m:c:r:o: opt; do
	case $opt in
	b) BUILD=$OPTARG ;;
	B) BEFORE=${OPTARG%%,*}
	   BEFORE=$(cd "$(dirname "$BEFORE")" && pwd)/$(basename "$BEFORE")
	   case $OPTARG in *,*) BRULES=${OPTARG#*,} ;; esac ;;
	T) TCPNR=1 ;;
	n) NMSG=$OPTARG ;;
	m) PERSESS=$OPTARG ;;
	c) CONC=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	o) OUT=$OPTARG ;;
	*) sed -n '2,27p' "$0" >&2; exit 64 ;;
	esac
done
case $PERSESS in ''|*[!0-9]*|0) echo "floor: -m takes a count" >&2; exit 64 ;; esac
[ "$(id -u)" -eq 0 ] || { echo "floor: run as root" >&2; exit 77; }
bench_find_preflight "$BUILD" ||
    { echo "floor: preflight-milter not built" >&2; exit 77; }
export PF_BENCH_NODNS=1

bench_init
top=$BENCH_DIR/../..
for f in floor floornr; do
	cc -O2 -Wall -Wno-unused-parameter -I"$top/milter/core" \
	    -I"$top/milter/daemon" -o "$T/$f" "$BENCH_DIR/$f.c" \
	    "$top/milter/daemon/nodelay.c" "$top/milter/core/base/pf.c" \
	    $(pkg-config --cflags --libs milter) -lpthread || exit 1
done
bench_dns || exit 1
bench_msgs || exit 1
tr -d '\r' < "$T/one.eml" > "$T/one.lf"
bench_sink

L=("none=")
declare -A PID
# start NAME BINARY SOCKET(local|inet) - a floor milter, remembered
start() {
	if [ "$3" = inet ]; then
		local p=$(bench_port)
		"$T/$2" -n "inet:$p@127.0.0.1" &
		PID[$1]=$!
		BENCH_PIDS+=("$!")
		bench_wait_tcp "$p" || exit 1
		L+=("$1=inet:127.0.0.1:$p")
	else
		(umask 0; exec "$T/$2" "unix:$T/sock/$1.sock") &
		PID[$1]=$!
		BENCH_PIDS+=("$!")
		bench_wait_unix "$T/sock/$1.sock" || exit 1
		L+=("$1=unix:$T/sock/$1.sock")
	fi
}
start floor_local floor local
start floor_inet floor inet
start floornr_local floornr local
[ -n "$TCPNR" ] && start floornr_inet floornr inet
p=$(bench_port)
bench_preflight local "unix:$T/sock/preflight.sock"
PID[preflight_local]=${BENCH_PIDS[-1]}
bench_preflight inet "inet:$p@127.0.0.1"
PID[preflight_inet]=${BENCH_PIDS[-1]}
bench_wait_unix "$T/sock/preflight.sock" && bench_wait_tcp "$p" || exit 1
L+=("preflight_local=unix:$T/sock/preflight.sock"
    "preflight_inet=inet:127.0.0.1:$p")
if [ -n "$BEFORE" ]; then
	now=$PF_MILTER_BIN
	PF_MILTER_BIN=$BEFORE
	p=$(bench_port)
	PF_BENCH_RULES=$BRULES bench_preflight blocal \
	    "unix:$T/sock/before.sock"
	PID[before_local]=${BENCH_PIDS[-1]}
	PF_BENCH_RULES=$BRULES bench_preflight binet "inet:$p@127.0.0.1"
	PID[before_inet]=${BENCH_PIDS[-1]}
	bench_wait_unix "$T/sock/before.sock" && bench_wait_tcp "$p" || exit 1
	L+=("before_local=unix:$T/sock/before.sock"
	    "before_inet=inet:127.0.0.1:$p")
	PF_MILTER_BIN=$now
fi
bench_postfix "${L[@]}" || exit 1
names=()
for l in "${L[@]}"; do
	names+=("${l%%=*}")
done

# ticks PID - utime + stime of the whole process, in clock ticks
ticks() {
	[ -n "$1" ] || { echo 0; return; }
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

for n in "${names[@]}"; do
	port=PORT_$n
	"$PY" "$BENCH_DIR/smtpbench.py" 127.0.0.1 "${!port}" 2 20 "$T/msgs" \
	    >/dev/null
done
bench_drain

RES=$T/results.tsv
CPU=$T/cpu.tsv
: > "$RES"
: > "$CPU"
for r in $(seq 1 "$ROUNDS"); do
	for c in $CONC; do
		cnt=${#names[@]}
		for i in $(seq 0 $((cnt - 1))); do
			n=${names[$(((i + r - 1) % cnt))]}
			port=PORT_$n
			pid=${PID[$n]:-}
			k0=$(ticks "$pid")
			sent=0
			t0=$(date +%s.%N)
			if [ "$PERSESS" -eq 1 ]; then
				smtp-source -s "$c" -m "$NMSG" -F "$T/one.lf" \
				    -M client.bench.example \
				    -f bench@bench.example \
				    -t user@gmail.com "127.0.0.1:${!port}" \
				    2>"$T/ss.err"
				sent=$NMSG
			else
				# c sessions of PERSESS messages each, again
				# until NMSG are sent
				: > "$T/ss.err"
				while [ "$sent" -lt "$NMSG" ]; do
					smtp-source -d -s "$c" \
					    -m $((c * PERSESS)) -F "$T/one.lf" \
					    -M client.bench.example \
					    -f bench@bench.example \
					    -t user@gmail.com \
					    "127.0.0.1:${!port}" 2>>"$T/ss.err"
					sent=$((sent + c * PERSESS))
				done
			fi
			t1=$(date +%s.%N)
			k1=$(ticks "$pid")
			errs=$(grep -c . "$T/ss.err")
			bench_drain
			j=$("$PY" "$BENCH_DIR/smtpbench.py" 127.0.0.1 "${!port}" \
			    "$c" "$NMSG" "$T/msgs")
			bench_drain
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$n" "$c" \
			    "$sent" "$t0" "$t1" "$errs" >> "$T/ss.tsv"
			printf '%s\t%s\t%s\t%s\n' "$r" "$n" "$c" "$j" >> "$RES"
			[ -n "$pid" ] && printf '%s\t%s\t%s\t%s\t%s\n' "$r" "$n" \
			    "$c" "$sent" "$((k1 - k0))" >> "$CPU"
			echo "floor: round $r c=$c $n done" >&2
		done
	done
done

{
	pm=
	[ "$PERSESS" -gt 1 ] && pm=" -m $PERSESS"
	echo "Run: \`contrib/bench/floor.sh${BEFORE:+ -B BEFORE}${TCPNR:+ -T} -n $NMSG$pm -c \"$CONC\" -r $ROUNDS\`," \
	    "$(date -u +%Y-%m-%d), $(nproc) cores, $(uname -r)," \
	    "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
	if [ "$PERSESS" -gt 1 ]; then
		echo "smtp-source sends $PERSESS messages per SMTP session."
	fi
	echo "smtp-source sends a median-size message ($MSG_MEDIAN bytes);" \
	    "smtpbench.py the $MSG_COUNT messages of the set (mean $MSG_MEAN)."
	echo
	"$PY" "$BENCH_DIR/report.py" "$T/ss.tsv" "$RES" "$CPU" \
	    "$(getconf CLK_TCK)"
	echo
	bench_versions " preflight "
} | tee ${OUT:+"$OUT"}
