#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# quickstart.sh - the demo: install what preflight needs, build it, start
# a private Postfix on loopback with preflight-milter in its milter chain
# and an smtp-sink as the next hop, send the bundled sample messages
# (contrib/samples/*.eml) to a Gmail address, and show what happened to
# each: delivered (and tagged), held, or rejected with the predicted reply.
# It touches nothing of the system's own MTA: the private Postfix has its
# own configuration and queue under a temporary directory, listens on free
# loopback ports only, and everything it started is stopped on exit.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
if [ "$(id -u)" -ne 0 ]; then
	exec sudo "$0" "$@"
fi
"$top/contrib/install-deps.sh" || exit 1
PATH=$PATH:/usr/sbin

# build in build/, unless the source tree itself is already configured
bin=$top/build
if [ -f "$top/config.status" ]; then
	bin=$top
	make -C "$top" -j2 >/dev/null || { echo "quickstart: build failed"; exit 1; }
elif [ ! -x "$bin/preflight-milter" ]; then
	echo "building (a minute or two) ..."
	autoreconf -fi >/dev/null 2>&1 &&
	    mkdir -p build && (cd build && ../configure -q && make -j2 >/dev/null) ||
	    { echo "quickstart: build failed"; exit 1; }
fi
. "$top/tests/e2e/postfix-lib.sh"

T=$(mktemp -d /tmp/preflight-demo.XXXXXX)
MPID=
stop() {
	[ -n "$MPID" ] && kill "$MPID" 2>/dev/null && wait "$MPID" 2>/dev/null
	pfx_stop
	if [ "${KEEP:-0}" = 1 ]; then
		echo "kept $T (milter.log, maillog, sink/)"
	else
		rm -rf "$T"
	fi
}
trap stop EXIT
trap "exit 1" INT TERM HUP PIPE
chmod 755 "$T"

# The demo policy: predicted 5xx are refused at submission, except that a
# too-long Subject is only tagged and a second From field is held for
# review.  Content checks only (DNS no): no lookups leave this machine.
cat > "$T/preflight.conf" <<CONF
Rules $top/rules/gmail.rules
DNS no
State lmdb:$T/state/state
Socket local:$T/milter.sock
SocketMode 0666
Background no
Action * permanent reject
Action * temporary tempfail
Action * rule:subject-too-long tag
Action * rule:from-multiple hold
CONF
"$bin/preflight-milter" -n -c "$T/preflight.conf" >/dev/null || exit 1
"$bin/preflight-milter" -f -e -c "$T/preflight.conf" >"$T/milter.log" 2>&1 &
MPID=$!
for i in $(seq 1 100); do [ -S "$T/milter.sock" ] && break; sleep 0.05; done
# a submission server for remote clients: Postfix adds no missing headers
PFX_MAIN_EXTRA='local_header_rewrite_clients =' \
    pfx_start "$T" "unix:$T/milter.sock" || { echo "Postfix did not start"; exit 1; }
echo "private Postfix on 127.0.0.1:$PFX_SMTPD, preflight-milter on $T/milter.sock"
echo

declare -A reply
for f in "$top"/contrib/samples/*.eml; do
	reply[$f]=$(pfx_send orders@shop.example.com customer@gmail.com "$f")
done
pfx_queue_settle 20

for f in "$top"/contrib/samples/*.eml; do
	name=$(basename "$f")
	subj=$(sed -n 's/^Subject: //p' "$f" | head -1 | cut -c1-40)
	r=${reply[$f]}
	echo "== $name"
	case ${r%% *} in
	5*|4*)	echo "   REJECTED at SMTP, the sender sees:"
		echo "   $r" | fold -s -w 76 | sed '2,$s/^/   /' ;;
	250)	id=${r##* }
		sink=$(grep -l -F "$id" "$T"/sink/* 2>/dev/null | head -1)
		if [ -n "$sink" ]; then
			if grep -q '^X-Preflight-Prediction' "$sink"; then
				echo "   DELIVERED, tagged:"
				grep '^X-Preflight-' "$sink" | cut -c1-150 | sed 's/^/   /'
			else
				echo "   DELIVERED untouched (nothing predicted)"
			fi
		elif postqueue -c "$T/etc" -j | grep -q "\"queue_id\": *\"$id\".*\"queue_name\": *\"hold\"\|\"queue_name\": *\"hold\".*\"queue_id\": *\"$id\""; then
			echo "   HELD in Postfix's hold queue (postqueue -j shows queue_name hold)"
			grep -F "$id:" "$T/milter.log" | sed 's/.*\]: /   milter: /' | cut -c1-150
		else
			echo "   queued ($r)"
		fi ;;
	*)	echo "   $r" ;;
	esac
done
echo
echo "The milter's summary lines:"
grep 'action=' "$T/milter.log" | sed 's/^[^ ]* preflight-milter\[info\]: /  /' | cut -c1-160
