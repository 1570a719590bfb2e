#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# agree.sh - the daemon and `preflight check` give the same answer.  Every
# fixture message goes through a private Postfix with preflight-milter and
# a known policy (tag every prediction; hold one sender domain's); nothing
# leaves the queue (defer_transports), so each message is read back as the
# milter saw it: Postfix's queue file, without the X-Preflight-* fields
# the milter added.  That message, with the same envelope and the same
# configuration file, goes through `preflight check --config`; message by
# message, the rule ids of the daemon's X-Preflight-Prediction fields and
# its action (its log line) must equal the command's.  What Postfix adds
# before the milter (its Received: field, a missing Message-ID or Date) is
# in both.  The test asserts zero differences.
#
# The original file is checked too, with --mta-adds always standing for
# the fields Postfix's cleanup adds before the milter: it must agree as
# well, except for the few fixtures whose header block Postfix repairs
# (a line that is not a field: Postfix starts the body there with a blank
# line, so Gmail never sees the defect).  Those are listed below.
# Skips (77) only when not root or Postfix is missing.
set -u

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for b in postfix smtp-sink postqueue postcat; do
	command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] ||
	    { echo "SKIP: $b not installed"; exit 77; }
done
command -v jq >/dev/null || { echo "agree: jq missing"; exit 99; }
PATH=$PATH:/usr/sbin

src=${PF_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${PF_BUILDDIR:-$src}
milter=$build/preflight-milter
cli=$build/preflight
rules=${PF_E2E_RULES:-${PF_RULES:-$src/rules/gmail.rules}}
[ -x "$milter" ] && [ -x "$cli" ] || { echo "FAIL: not built"; exit 1; }
. "$src/tests/e2e/postfix-lib.sh"

PF_SRCDIR=$src
. "$src/tests/nsd/nsd.sh"
T=$(mktemp -d /tmp/pf-e2e-agree.XXXXXX) || exit 99
MPID=
fails=0 same=0 skipped=0
cleanup() {
	[ -n "$MPID" ] && kill "$MPID" 2>/dev/null && wait "$MPID" 2>/dev/null
	pfx_stop
	pf_nsd_stop
	if [ "${KEEP:-0}" = 1 ] || [ "$fails" -gt 0 ]; then
		echo "kept $T for inspection"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap "exit 1" INT TERM HUP PIPE

pf_nsd_start || { echo "FAIL: NSD did not start"; exit 99; }
chmod 755 "$T"
mkdir -p "$T/run" "$T/msg" && chown nobody "$T/run"
sock=$T/milter.sock
cat > "$T/preflight.conf" <<CONF
Rules $rules
Nameserver 127.0.0.1:$PF_DNS_PORT
EgressIP 192.0.2.11
HELO mta.example.com
BlockOnlyAllGmail yes
Socket local:$sock
SocketMode 0666
User nobody
Background no
PidFile $T/run/milter.pid
Action * permanent tag
Action * temporary tag
Action hold.example permanent hold
CONF
chmod 644 "$T/preflight.conf"
"$milter" -f -e -c "$T/preflight.conf" >>"$T/milter.log" 2>&1 &
MPID=$!
for i in $(seq 1 100); do [ -S "$sock" ] && break; sleep 0.05; done
[ -S "$sock" ] || { echo "FAIL: milter did not start"; cat "$T/milter.log"; exit 1; }
# nothing is delivered: every message stays in the queue to be read back
PFX_MAIN_EXTRA="defer_transports = smtp" pfx_start "$T" "unix:$sock" ||
    { echo "FAIL: postfix did not start"; exit 1; }

# daemon_rules QID - the rule ids of the queued message's
# X-Preflight-Prediction fields, sorted, on one line
daemon_rules() {
	postcat -c "$T/etc" -h -q "$1" 2>/dev/null |
	    sed -n 's/^X-Preflight-Prediction: [0-9]* [0-9.]* \([a-z0-9-]*\);.*/\1/p' |
	    sort | tr '\n' ' '
}

# as_seen QID FILE - the queued message without the milter's own fields
as_seen() {
	{
		postcat -c "$T/etc" -h -q "$1"
		postcat -c "$T/etc" -b -q "$1"
	} 2>/dev/null | awk '
		/^X-Preflight-[A-Za-z-]*:/ { skip = 1; next }
		skip && /^[ \t]/ { next }
		{ skip = 0; print }' >"$2"
}

# fixtures whose header block Postfix rewrites before the milter sees it
repaired=" content/from-invalid.eml content/header-malformed-name.eml 
    content/message-malformed-no-separator.eml "
orig_same=0 orig_repaired=0

n=0
# one FILE SENDER [RCPT,...] - send, read back, compare
one() {
	local f=$1 from=$2 rcpts=${3:-bob@gmail.com} name r qid line act cact
	local drules crules oact orules i rargs=()
	name=${f#"$src"/tests/fixtures/}
	[ -n "${3:-}" ] && name="$name to $rcpts"
	n=$((n + 1))
	IFS=, read -r -a rs <<<"$rcpts"
	for i in "${rs[@]}"; do rargs+=(--rcpt "$i"); done
	r=$(pfx_send "$from" "$rcpts" "$f")
	qid=$(sed -n 's/^250 .*queued as \([0-9A-Za-z]*\).*/\1/p' <<<"$r")
	if [ -z "$qid" ]; then
		# refused by Postfix itself (size, syntax): nothing to compare
		echo "skip $name: Postfix answered $r"
		skipped=$((skipped + 1))
		return
	fi
	line=
	for i in $(seq 1 100); do
		line=$(grep -E "queue_id=$qid action=" "$T/milter.log" | tail -1)
		[ -n "$line" ] && break
		sleep 0.05
	done
	act=$(sed -n 's/.* action=\([a-z]*\).*/\1/p' <<<"$line")
	drules=$(daemon_rules "$qid")
	as_seen "$qid" "$T/msg/$n.eml"
	"$cli" check --json --no-progress --config "$T/preflight.conf" \
	    --mail-from "$from" "${rargs[@]}" "$T/msg/$n.eml" \
	    >"$T/msg/$n.json" 2>"$T/msg/$n.err"
	cact=$(jq -r '.action' "$T/msg/$n.json" 2>/dev/null)
	crules=$(jq -r '.predictions[].rule' "$T/msg/$n.json" 2>/dev/null |
	    head -32 | sort | tr '\n' ' ')
	# the original file, with what Postfix adds modelled
	"$cli" check --json --no-progress --config "$T/preflight.conf" \
	    --mta-adds always --mail-from "$from" "${rargs[@]}" "$f" \
	    >"$T/msg/$n.orig.json" 2>/dev/null
	oact=$(jq -r '.action' "$T/msg/$n.orig.json" 2>/dev/null)
	orules=$(jq -r '.predictions[].rule' "$T/msg/$n.orig.json" \
	    2>/dev/null | head -32 | sort | tr '\n' ' ')
	if [ "$oact" = "$act" ] && [ "$orules" = "$drules" ]; then
		orig_same=$((orig_same + 1))
	elif [ -z "${3:-}" ] && case $repaired in *" $name "*) true ;;
	    *) false ;; esac; then
		orig_repaired=$((orig_repaired + 1))
		echo "note $name: the original predicts ${orules:-none}," \
		    "which Postfix repairs"
	else
		fails=$((fails + 1))
		echo "DIFF $name (original file): daemon action=${act:-?}" \
		    "rules: ${drules:-none}; check action=${oact:-?} rules:" \
		    "${orules:-none}"
	fi
	if [ -n "$act" ] && [ "$act" = "$cact" ] && [ "$drules" = "$crules" ]
	then
		same=$((same + 1))
		echo "same $name: action=$act rules: ${drules:-none}"
	else
		fails=$((fails + 1))
		echo "DIFF $name ($qid): daemon action=${act:-?} rules:" \
		    "${drules:-none}; check action=${cact:-?} rules:" \
		    "${crules:-none} $(head -c 200 "$T/msg/$n.err")"
	fi
}

for f in "$src"/tests/fixtures/content/*.eml "$src"/tests/fixtures/dns/*.eml \
    "$src"/tests/fixtures/batch/*.eml "$src"/tests/fixtures/batch/tree/*.eml; do
	[ -s "$f" ] || continue		# empty: not a message for either door
	one "$f" a@example.com
done
# a sender domain with its own Action line: hold rather than tag
one "$src/tests/fixtures/batch/nomsgid.eml" a@hold.example
one "$src/tests/fixtures/batch/lowconf.eml" a@hold.example
# not bound for Gmail (example.net's MX is not Google's): no prediction
# counts; a mixed list with Workspace (ws.example.net): hold becomes tag
for f in lowconf.eml return-path.eml; do
	one "$src/tests/fixtures/batch/$f" a@example.com bob@example.net
	one "$src/tests/fixtures/batch/$f" a@hold.example bob@example.net
	one "$src/tests/fixtures/batch/$f" a@hold.example \
	    bob@example.net,x@ws.example.net
	one "$src/tests/fixtures/batch/$f" a@hold.example x@ws.example.net
done

echo "agree: $n messages: $same the same, $fails different," \
    "$skipped refused by Postfix; the original files: $orig_same the same," \
    "$orig_repaired repaired by Postfix"
[ "$same" -gt 0 ] || { echo "FAIL: nothing compared"; fails=1; exit 1; }
[ "$fails" = 0 ]
