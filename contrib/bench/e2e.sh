#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# e2e.sh - end-to-end throughput and added latency of each milter, side by
# side in one run: smtp-source / smtpbench.py -> a private Postfix ->
# smtp-sink, with real messages from tests/data/corpus/real (signed for a
# fixture domain), over a unix socket (local:) and loopback TCP (inet:).
#
# usage: contrib/bench/e2e.sh [-b BUILDDIR] [-n MSGS] [-c "1 8 32"]
#                             [-r ROUNDS] [-k CONFIGS] [-s SOCKETS]
#                             [-o OUT.md] [-d RAWDIR]
#   -b  build directory holding preflight-milter (default: ./build, then .)
#   -n  messages per measurement (default 200)
#   -c  concurrency levels (default "1 8 32")
#   -r  rounds; each round runs every configuration once, interleaved, and
#       the report takes the median over rounds (default 1)
#   -k  configurations (default: "none opendkim rspamd preflight"; a missing
#       preflight-milter is skipped with a note)
#   -s  sockets to measure (default "local inet")
#   -o  write the markdown report there too (default: stdout only)
#   -d  keep the raw measurements (ss.tsv, timed.tsv) in this directory
# Needs root (Postfix, smtp-sink -u postfix) and contrib/bench/install-peers.sh.
set -u
. "$(dirname "$0")/lib.sh"

BUILD=
NMSG=200
CONC="1 8 32"
ROUNDS=1
CONFIGS="none opendkim rspamd preflight"
OUT=
RAW=
SOCKS="local inet"
while getopts b:n:c:r:k:o:d:s: opt; do
	case $opt in
	b) BUILD=$OPTARG ;;
	n) NMSG=$OPTARG ;;
	c) CONC=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	k) CONFIGS=$OPTARG ;;
	o) OUT=$OPTARG ;;
	d) RAW=$OPTARG ;;
	s) SOCKS=$OPTARG ;;
	*) sed -n '2,21p' "$0" >&2; exit 64 ;;
	esac
done
[ "$(id -u)" -eq 0 ] || { echo "e2e: run as root" >&2; exit 77; }
export PF_BENCH_REQUIRE_DKIM=1

bench_init
bench_dns || exit 1
bench_msgs || exit 1
tr -d '\r' < "$T/one.eml" > "$T/one.lf"
bench_sink

listeners=("none=")
have=" none "
notes=()
for k in $CONFIGS; do
	case $k in
	none) ;;
	opendkim)
		p=$(bench_port)
		bench_opendkim local "local:$T/sock/opendkim.sock"
		bench_opendkim inet "inet:$p@127.0.0.1"
		bench_wait_unix "$T/sock/opendkim.sock" && bench_wait_tcp "$p" ||
		    exit 1
		listeners+=("opendkim_local=unix:$T/sock/opendkim.sock"
		    "opendkim_inet=inet:127.0.0.1:$p")
		have+="opendkim " ;;
	rspamd)
		p=$(bench_port)
		bench_rspamd "$T/sock/rspamd.sock" "$p"
		bench_wait_unix "$T/sock/rspamd.sock" 90 &&
		    bench_wait_tcp "$p" 90 || exit 1
		listeners+=("rspamd_local=unix:$T/sock/rspamd.sock"
		    "rspamd_inet=inet:127.0.0.1:$p")
		have+="rspamd " ;;
	preflight)
		if ! bench_find_preflight "$BUILD"; then
			notes+=("preflight-milter not built: skipped")
			continue
		fi
		p=$(bench_port)
		bench_preflight local "unix:$T/sock/preflight.sock" &&
		bench_preflight inet "inet:$p@127.0.0.1" &&
		bench_wait_unix "$T/sock/preflight.sock" &&
		    bench_wait_tcp "$p" || exit 1
		listeners+=("preflight_local=unix:$T/sock/preflight.sock"
		    "preflight_inet=inet:127.0.0.1:$p")
		have+="preflight " ;;
	*) echo "e2e: unknown configuration $k" >&2; exit 64 ;;
	esac
done
bench_postfix "${listeners[@]}" || exit 1

names=()
for l in "${listeners[@]}"; do
	n=${l%%=*}
	case $n in
	none) ;;
	*_local) [[ " $SOCKS " == *" local "* ]] || continue ;;
	*_inet) [[ " $SOCKS " == *" inet "* ]] || continue ;;
	esac
	names+=("$n")
done

# warm up: every listener once (caches, worker pools, rspamd's maps)
for n in "${names[@]}"; do
	port=PORT_$n
	"$PY" "$BENCH_DIR/smtpbench.py" 127.0.0.1 "${!port}" 2 20 "$T/msgs" \
	    >/dev/null
done
bench_drain

RES=$T/results.tsv
: > "$RES"
for r in $(seq 1 "$ROUNDS"); do
	for c in $CONC; do
		# rotate the order every round so no configuration always runs
		# right after the same neighbour
		cnt=${#names[@]}
		for i in $(seq 0 $((cnt - 1))); do
			n=${names[$(((i + r - 1) % cnt))]}
			port=PORT_$n
			t0=$(date +%s.%N)
			smtp-source -s "$c" -m "$NMSG" -F "$T/one.lf" \
			    -M client.bench.example -f bench@bench.example \
			    -t user@gmail.com "127.0.0.1:${!port}" \
			    2>"$T/ss.err"
			t1=$(date +%s.%N)
			errs=$(grep -c . "$T/ss.err")
			bench_drain
			j=$("$PY" "$BENCH_DIR/smtpbench.py" 127.0.0.1 "${!port}" \
			    "$c" "$NMSG" "$T/msgs")
			bench_drain
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$n" "$c" \
			    "$NMSG" "$t0" "$t1" "$errs" >> "$T/ss.tsv"
			printf '%s\t%s\t%s\t%s\n' "$r" "$n" "$c" "$j" >> "$RES"
			echo "e2e: round $r c=$c $n done" >&2
		done
	done
done

{
	echo "Run: \`contrib/bench/e2e.sh -n $NMSG -c \"$CONC\" -r $ROUNDS" \
	    "-k \"$CONFIGS\" -s \"$SOCKS\"\`," \
	    "$(date -u +%Y-%m-%d), $(nproc) cores, $(uname -r)."
	echo "Messages: $MSG_COUNT real messages from corpus/real (median" \
	    "$MSG_MEDIAN bytes, mean $MSG_MEAN), each DKIM-signed rsa-sha256" \
	    "for a fixture domain served by NSD; smtp-source sends a" \
	    "median-size one."
	for n in "${notes[@]}"; do
		echo "Note: $n."
	done
	echo
	"$PY" "$BENCH_DIR/report.py" "$T/ss.tsv" "$RES"
	echo
	bench_versions "$have"
} | tee ${OUT:+"$OUT"}
if [ -n "$RAW" ]; then
	mkdir -p "$RAW" && cp "$T/ss.tsv" "$RAW/ss.tsv" &&
	    cp "$RES" "$RAW/timed.tsv"
fi
