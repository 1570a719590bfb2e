#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# dnslat.sh - what DNS adds to the time the SMTP client waits for its
# reply to the end of DATA, with the resolver RTT ms away (slowdns.py in
# front of the fixture NSD).  Through one private Postfix, one session at
# a time, a DKIM-signed message set; recipient on bench.example (an MX
# lookup), egress 192.0.2.10 (a PTR lookup), sender and DKIM signature on
# bench.example (SPF, DKIM key), From domains from the corpus (DMARC).
# With -C, lookups that follow from answers too: the SPF record includes
# another, and the PTR name has an A record (FCrDNS).  For each daemon:
#   warm  the resolver cache filled by a warm-up pass; with -k K each
#         message is sent K times to each configuration (interleaved) and
#         the fastest of the K counts, which keeps the scheduling noise of
#         a loaded machine out of the tail and leaves what the milter adds
#   cold  the daemon reloaded (SIGHUP: a new engine, an empty cache)
#         before every message
# With -E, each message's envelope sender is its From address (as most
# senders send) instead of bench@bench.example, so the DKIM key and the
# From domain's DMARC record are those of a sender the daemon has seen:
# "cold" is then a cold DNS cache with a known sender (the warm-up and
# warm passes went first, and a reload keeps the sender memory), the
# common case in service when DNS TTLs expire between a sender's messages.
# With -c MS, the client pauses MS ms before RCPT, DATA and the message
# (smtpbench.py SMTPBENCH_CLIENT_MS), as a client MS ms away would: the
# lookups started at MAIL FROM get that head start, which a client on
# loopback (the default) does not give them.
# Interleaved: every message is sent to each configuration in turn.
# "end of DATA" is smtpbench.py's eod time: from the final dot to the
# reply; Postfix without a milter is the baseline row.
# usage: contrib/bench/dnslat.sh [-C] [-E] [-c MS] [-k K] [-n MSGS] [-d RTT_MS] NAME=BINARY[,RULES]...
#   e.g. dnslat.sh before=/tmp/old/preflight-milter,/tmp/old/gmail.rules \
#            after=build/preflight-milter
#   (RULES: the rules file an older build can read; default the tree's)
set -u
. "$(dirname "$0")/lib.sh"

N=40
RTT=20
CHAINS=
K=1
ENVSEND=
CLIENT=
while getopts CEc:k:n:d: opt; do
	case $opt in
	E) ENVSEND=1 ;;
	c) CLIENT=$OPTARG; export SMTPBENCH_CLIENT_MS=$OPTARG ;;
	k) K=$OPTARG ;;
	C) CHAINS=1; export BENCH_DNS_CHAINS=1 ;;
	n) N=$OPTARG ;;
	d) RTT=$OPTARG ;;
	*) sed -n '2,30p' "$0" >&2; exit 64 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { sed -n '2,30p' "$0" >&2; exit 64; }
[ "$(id -u)" -eq 0 ] || { echo "dnslat: run as root" >&2; exit 77; }
export PF_BENCH_REQUIRE_DKIM=1

bench_init
bench_dns || exit 1
bench_msgs "$N" || exit 1
bench_sink
SLOW=$(bench_port)
"$PY" "$BENCH_DIR/slowdns.py" "$SLOW" "$DNS_PORT" "$RTT" &
BENCH_PIDS+=("$!")
sleep 0.5
dig +short +time=2 +tries=1 @127.0.0.1 -p "$SLOW" bench.example TXT |
    grep -q spf1 || { echo "dnslat: slowdns does not answer" >&2; exit 1; }
# the round trip the daemons will see: dig's query time through the relay
RTTS=$(for i in $(seq 1 20); do
	dig +time=2 +tries=1 @127.0.0.1 -p "$SLOW" "q$i.bench.example" A |
	    sed -n 's/^;; Query time: \([0-9]*\) msec/\1/p'
done | sort -n)
RTT_MED=$(echo "$RTTS" | sed -n "$(( ($(echo "$RTTS" | wc -l) + 1) / 2 ))p")
DNS_PORT=$SLOW		# the daemons ask through the delaying relay

L=("none=")
names=(none)
declare -A PID
for spec in "$@"; do
	n=${spec%%=*}
	bin=${spec#*=}
	rules=
	case $bin in *,*) rules=${bin#*,}; bin=${bin%%,*} ;; esac
	PF_MILTER_BIN=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
	PF_BENCH_RULES=$rules bench_preflight "$n" "unix:$T/sock/$n.sock"
	PID[$n]=${BENCH_PIDS[-1]}
	bench_wait_unix "$T/sock/$n.sock" || exit 1
	L+=("$n=unix:$T/sock/$n.sock")
	names+=("$n")
done
bench_postfix "${L[@]}" || exit 1
mkdir -p "$T/one"

# the envelope sender of each message: bench@bench.example, or with -E
# the message's From address (when it is a plain one)
declare -A SENDER
while IFS=$'\t' read -r f a; do
	SENDER[$f]=$a
done < <("$PY" - "$T/msgs" "$ENVSEND" <<'PYEOF'
import email, email.utils, os, re, sys
d, env = sys.argv[1], sys.argv[2]
for name in sorted(os.listdir(d)):
    a = ""
    if env:
        with open(os.path.join(d, name), "rb") as f:
            m = email.message_from_binary_file(f)
        a = email.utils.parseaddr(str(m.get("From", "")))[1]
    if not re.fullmatch(r"[A-Za-z0-9._+=-]+@[A-Za-z0-9.-]+\.[A-Za-z]+", a):
        a = "bench@bench.example"
    print("%s\t%s" % (name, a.lower()))
PYEOF
)

# send NAME MSGFILE - one message, one session; prints smtpbench's JSON
send() {
	local port=PORT_$1
	rm -f "$T/one"/*
	cp "$2" "$T/one/"
	"$PY" "$BENCH_DIR/smtpbench.py" 127.0.0.1 "${!port}" 1 1 "$T/one" \
	    "${SENDER[${2##*/}]}" user@bench.example
}

# reload NAME - SIGHUP, then wait for the daemon to log the new engine
reload() {
	local log=$T/preflight-$1.log before i=0
	before=$(grep -c 'reloaded' "$log")
	kill -HUP "${PID[$1]}"
	until [ "$(grep -c 'reloaded' "$log")" -gt "$before" ]; do
		i=$((i + 1))
		[ "$i" -gt 100 ] && { echo "dnslat: $1 did not reload" >&2; return 1; }
		sleep 0.05
	done
}

RES=$T/eod.tsv
: > "$RES"
# warm-up: every configuration sees every message once
for n in "${names[@]}"; do
	port=PORT_$n
	if [ -z "$ENVSEND" ]; then
		"$PY" "$BENCH_DIR/smtpbench.py" 127.0.0.1 "${!port}" 1 "$N" \
		    "$T/msgs" bench@bench.example user@bench.example >/dev/null
	else
		for f in "$T"/msgs/*.eml; do
			send "$n" "$f" >/dev/null
		done
	fi
done
bench_drain
for f in "$T"/msgs/*.eml; do
	for k in $(seq 1 "$K"); do
		for n in "${names[@]}"; do
			printf 'warm\t%s\t%s\t%s\n' "$n" "${f##*/}" \
			    "$(send "$n" "$f")" >> "$RES"
		done
	done
done
bench_drain
for f in "$T"/msgs/*.eml; do
	for n in "${names[@]}"; do
		[ "$n" = none ] || reload "$n" || exit 1
		printf 'cold\t%s\t%s\t%s\n' "$n" "${f##*/}" \
		    "$(send "$n" "$f")" >> "$RES"
	done
done
bench_drain

KOPT=; [ "$K" = 1 ] || KOPT=" -k $K"
echo "Run: \`contrib/bench/dnslat.sh${CHAINS:+ -C}${ENVSEND:+ -E}${CLIENT:+ -c $CLIENT}$KOPT -n $N -d $RTT\`, $(date -u +%Y-%m-%d)," \
    "$(nproc) cores, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
echo "Resolver $RTT ms away (slowdns.py; round trip measured with dig:" \
    "median $RTT_MED ms); $MSG_COUNT DKIM-signed messages" \
    "(median $MSG_MEDIAN bytes), one session at a time."
[ -z "$CLIENT" ] || echo "The client pauses $CLIENT ms before RCPT, DATA" \
    "and the message (a client $CLIENT ms away)."
[ -z "$ENVSEND" ] || echo "Envelope sender: each message's From address" \
    "($(printf '%s\n' "${SENDER[@]}" | sed 's/.*@//' | sort -u | wc -l)" \
    "domains); cold: a known sender, the DNS cache emptied by a reload."
echo
"$PY" - "$RES" <<'PYEOF'
import json, statistics, sys
rows = {}
order = []
best = {}
for line in open(sys.argv[1]):
    cache, name, msg, j = line.rstrip("\n").split("\t", 3)
    d = json.loads(j)
    k = (cache, name)
    if k not in rows:
        rows[k] = {"eod": [], "bad": 0}
        order.append(k)
    # the fastest of a message's sends (-k), so one per message
    if d["eod_p50_ms"] is not None:
        m = (cache, name, msg)
        best[m] = min(best.get(m, d["eod_p50_ms"]), d["eod_p50_ms"])
    rows[k]["bad"] += d["sent"] - d["accepted"]
for (cache, name, msg), v in best.items():
    rows[(cache, name)]["eod"].append(v)
def q(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p * len(v)))]
print("| cache | daemon | end of DATA to reply p50 ms | p90 ms | p99 ms "
      "| added p50 ms | added p99 ms | not accepted |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for cache in ("warm", "cold"):
    base = rows.get((cache, "none"))
    b50 = q(base["eod"], 0.5) if base and base["eod"] else None
    b99 = q(base["eod"], 0.99) if base and base["eod"] else None
    for (c, name) in order:
        if c != cache:
            continue
        v = rows[(c, name)]["eod"]
        if not v:
            continue
        add = "-" if name == "none" or b50 is None else \
            "%.2f" % (q(v, 0.5) - b50)
        add99 = "-" if name == "none" or b99 is None else \
            "%.2f" % (q(v, 0.99) - b99)
        print("| %s | %s | %.2f | %.2f | %.2f | %s | %s | %d |" % (
            cache, name, q(v, 0.5), q(v, 0.9), q(v, 0.99), add, add99,
            rows[(c, name)]["bad"]))
PYEOF
