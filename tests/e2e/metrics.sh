#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# metrics.sh - preflight-milter's /metrics (MetricsListen), scraped with
# curl after a known set of messages through a private Postfix: 3 clean
# (accept), 2 tagged, 2 held, 1 rejected, each counter asserted, then a
# reload (reload counter, engine generation) to rules that give one rule
# another confidence (a new series; the old one keeps its count).  Every line of the scrape
# must be of the text exposition format.  Run by tests/nsd/metrics.sh
# under a private NSD ($PF_DNS_PORT): a reload to DNS on and one more
# message then moves the DNS counters and histogram.  Skips (77) only
# when not root or Postfix or curl is missing.
set -u

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for b in postfix smtp-sink postqueue postcat curl; do
	command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] ||
	    { echo "SKIP: $b not installed"; exit 77; }
done
PATH=$PATH:/usr/sbin

src=${PF_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${PF_BUILDDIR:-$src}
milter=$build/preflight-milter
rules=${PF_E2E_RULES:-${PF_RULES:-$src/rules/gmail.rules}}
[ -x "$milter" ] || { echo "FAIL: $milter not built"; exit 1; }
. "$src/tests/e2e/postfix-lib.sh"

T=$(mktemp -d /tmp/pf-e2e-metrics.XXXXXX)
MPID=
fails=0 passes=0
cleanup() {
	[ -n "$MPID" ] && kill -9 "$MPID" 2>/dev/null
	pfx_stop
	if [ "$fails" -gt 0 ]; then
		echo "kept $T"; tail -20 "$T/milter.log"
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
mkdir -p "$T/sock" && chown nobody "$T/sock"
sock=$T/sock/milter.sock
mport=$(pfx_free_port)
write_conf() {
	cat > "$T/preflight.conf" <<EOF2
Rules ${rules2:-$rules}
State none
HELO mta.example.com
Socket local:$sock
SocketMode 0666
User nobody
Background no
UnknownRecipients other
MetricsListen $mport
Action * permanent tag
Action hold.example permanent hold
Action reject.example permanent reject
$1
EOF2
}
write_conf "DNS no"
"$milter" -f -e -c "$T/preflight.conf" >"$T/milter.log" 2>&1 &
MPID=$!
for i in $(seq 1 100); do [ -S "$sock" ] && break; sleep 0.05; done
pfx_wait_port "$mport" 5 || { bad "no metrics listener on $mport"; exit 1; }
pfx_start "$T" "unix:$sock" || { echo "postfix did not start"; exit 1; }

# the metrics listener runs as the unprivileged user, on loopback
check "listening on 127.0.0.1:$mport only" \
    bash -c "ss -ltnH 'sport = :$mport' | awk '{print \$4}' | grep -qx '127.0.0.1:$mport'"

n=0
send() {	# send KIND FROM-DOMAIN
	n=$((n + 1))
	local f=$T/m$n.eml
	{
		printf 'From: <a@%s>\r\n' "$2"
		[ "$1" = bad ] && printf 'From: <b@%s>\r\n' "$2"
		printf 'To: <bob@gmail.com>\r\nSubject: metrics-%d\r\n' "$n"
		printf 'Date: Sun, 29 Nov 2026 05:00:00 +0000\r\n'
		printf 'Message-ID: <metrics-%d@%s>\r\n\r\nHello.\r\n' "$n" "$2"
	} > "$f"
	pfx_send "a@$2" bob@gmail.com "$f" > "$T/r$n"
}
for d in tag.example tag.example hold.example; do send good "$d"; done
send bad tag.example; send bad tag.example
send bad hold.example; send bad hold.example
send bad reject.example
check "the rejected one got 550 ($(cat "$T/r8"))" grep -q '^550 5.7.1' "$T/r8"

scrape() { curl -fsS "http://127.0.0.1:$mport/metrics" -o "$T/scrape" -D "$T/headers"; }
check "curl scrapes /metrics" scrape
check "Content-Type is the text format 0.0.4" \
    grep -qi '^Content-Type: text/plain; version=0.0.4' "$T/headers"
val() { awk -v k="$1" '$1 == k { print $2 }' "$T/scrape"; }
is() {	# is SERIES VALUE
	local v
	v=$(val "$1")
	check "$1 = $2 (${v:-missing})" [ "$v" = "$2" ]
}
is 'preflight_messages_total{action="accept",verdict="accept"}' 3
is 'preflight_messages_total{action="tag",verdict="reject"}' 2
is 'preflight_messages_total{action="hold",verdict="reject"}' 2
is 'preflight_messages_total{action="reject",verdict="reject"}' 1
is 'preflight_messages_total{action="tempfail",verdict="reject"}' 0
is 'preflight_failsafe_total{action="accept"}' 0
is 'preflight_predictions_total{rule="from-multiple",class="content",confidence="high"}' 5
is 'preflight_predictions_by_class_total{class="content"}' 5
is 'preflight_predicted_messages_total{from_domain="tag.example"}' 2
is 'preflight_predicted_messages_total{from_domain="hold.example"}' 2
is 'preflight_predicted_messages_total{from_domain="reject.example"}' 1
is 'preflight_predicted_messages_total{from_domain="other"}' 0
is 'preflight_milter_seconds_count' 8
is 'preflight_milter_seconds_bucket{le="+Inf"}' 8
is 'preflight_dns_queries_total{result="answer"}' 0
is 'preflight_reloads_total{result="ok"}' 0
is 'preflight_engine_generation' 1
read -r _ cver cdate < <(grep -m1 '^catalog ' "$rules")
is "preflight_catalog_info{version=\"$cver\"}" 1
is 'preflight_catalog_date_seconds' "$(date -u -d "$cdate" +%s)"
check "preflight_sessions is a gauge with a value" \
    grep -Eq '^preflight_sessions [0-9]+$' "$T/scrape"
check "every line is of the exposition format" python3 - "$T/scrape" <<'PY'
import re, sys
fam = {}
ok = True
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    m = re.match(r'# (HELP|TYPE) ([a-z_]+) (.+)$', line)
    if m:
        key = (m.group(1), m.group(2))
        if key in fam:
            print("twice:", line); ok = False
        fam[key] = m.group(3)
        continue
    m = re.match(r'([a-z_]+)(\{([a-z_]+="([^"\\]|\\.)*",?)*\})? (-?[0-9.e+]+|\+Inf)$', line)
    if not m:
        print("bad line:", line); ok = False
        continue
    base = re.sub(r'_(bucket|sum|count)$', '', m.group(1))
    if ("TYPE", m.group(1)) not in fam and ("TYPE", base) not in fam:
        print("no TYPE for:", line); ok = False
sys.exit(0 if ok else 1)
PY
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$mport/other")
check "another path is 404 ($code)" [ "$code" = 404 ]
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$mport/metrics")
check "POST is 405 ($code)" [ "$code" = 405 ]

# a reload: the counter and the generation move, the counts stay; the
# new rules make from-multiple medium
rules2=$T/medium.rules
awk '/^rule from-multiple$/ { r = 1 } r && /^\tclass/ { print "\tconfidence medium"; r = 0 } { print }' \
    "$rules" > "$rules2"
check "the copy of the rules has one more confidence line" \
    [ "$(grep -c '^	confidence' "$rules2")" = "$(($(grep -c '^	confidence' "$rules") + 1))" ]
if [ -n "${PF_DNS_PORT:-}" ]; then
	write_conf "DNS yes
Nameserver 127.0.0.1:$PF_DNS_PORT
EgressIP 192.0.2.10
DNSQueryTimeout 500"
else
	write_conf "DNS no"
fi
kill -HUP "$MPID"
for i in $(seq 1 100); do grep -q 'reloaded' "$T/milter.log" && break; sleep 0.05; done
scrape
is 'preflight_reloads_total{result="ok"}' 1
is 'preflight_engine_generation' 2
is 'preflight_milter_seconds_count' 8
send bad tag.example
scrape
is 'preflight_predictions_total{rule="from-multiple",class="content",confidence="medium"}' 1
is 'preflight_predictions_total{rule="from-multiple",class="content",confidence="high"}' 5

if [ -n "${PF_DNS_PORT:-}" ]; then
	send good example.com
	scrape
	q=$(awk '/^preflight_dns_queries_total/ { s += $2 } END { print s + 0 }' "$T/scrape")
	c=$(val preflight_dns_seconds_count)
	check "DNS lookups counted ($q) and timed ($c)" [ "$q" -gt 0 ] && [ "$q" = "$c" ]
	check "some lookups answered (NSD serves example.com)" \
	    [ "$(val 'preflight_dns_queries_total{result="answer"}')" -gt 0 ]
	is 'preflight_dns_budget_spent_total' 0
	is 'preflight_milter_seconds_count' 10
fi

kill -TERM "$MPID"; wait "$MPID"; MPID=
check "listener closed at stop" bash -c "! curl -s 'http://127.0.0.1:$mport/metrics' >/dev/null"
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
