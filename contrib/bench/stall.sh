#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# stall.sh - take the loopback TCP milter stall apart.  Runs, through one
# private Postfix at one session (where the stall shows most):
#   stallprobe (a milter that adds one header at end of message) over
#   local: and inet:, with and without TCP_NODELAY, with and without a
#   DATA callback, and without the header;
#   OpenDKIM (verify) over local:, inet:, and inet: with TCP_NODELAY forced
#   on its accepted sockets by an LD_PRELOAD shim;
#   rspamd_proxy the same way, with -r (it takes a minute to start).
# Prints a markdown table of per-message latency and msgs/s.
#   preflight-milter the same way, when built (-b BUILDDIR, default ./build).
# usage: contrib/bench/stall.sh [-b BUILDDIR] [-n MSGS] [-r]
set -u
. "$(dirname "$0")/lib.sh"

NMSG=100
RSPAMD=
BUILD=
while getopts b:n:r opt; do
	case $opt in
	b) BUILD=$OPTARG ;;
	n) NMSG=$OPTARG ;;
	r) RSPAMD=1 ;;
	*) sed -n '2,15p' "$0" >&2; exit 64 ;;
	esac
done
[ "$(id -u)" -eq 0 ] || { echo "stall: run as root" >&2; exit 77; }
export PF_BENCH_REQUIRE_DKIM=1

bench_init
top=$BENCH_DIR/../..
cc -O2 -Wall -I"$top/milter/core" -I"$top/milter/daemon" \
    -o "$T/stallprobe" "$BENCH_DIR/stallprobe.c" \
    "$top/milter/daemon/nodelay.c" "$top/milter/core/base/pf.c" \
    $(pkg-config --cflags --libs milter) -lpthread || exit 1
cc -O2 -Wall -shared -fPIC -o "$T/nodelay.so" \
    "$BENCH_DIR/nodelay-preload.c" -ldl || exit 1

bench_dns || exit 1
bench_msgs 100 || exit 1
bench_sink

L=("none=")
probe() {	# NAME FLAGS SOCKET
	if [ "${3%%:*}" = inet ]; then
		local p=$(bench_port)
		"$T/stallprobe" $2 "inet:$p@127.0.0.1" &
		BENCH_PIDS+=("$!")
		bench_wait_tcp "$p" || exit 1
		L+=("$1=inet:127.0.0.1:$p")
	else
		(umask 0; exec "$T/stallprobe" $2 "unix:$T/sock/$1.sock") &
		BENCH_PIDS+=("$!")
		bench_wait_unix "$T/sock/$1.sock" || exit 1
		L+=("$1=unix:$T/sock/$1.sock")
	fi
}
probe probe_local "" local
probe probe_inet "" inet
probe probe_inet_nodelay "-n" inet
probe probe_inet_nodata "-D" inet
probe probe_inet_nodata_nodelay "-D -n" inet
probe probe_inet_noheader "-H" inet
probe probe_inet_noheader_nodata "-H -D" inet

bench_opendkim local "local:$T/sock/od.sock"
p=$(bench_port)
bench_opendkim inet "inet:$p@127.0.0.1"
q=$(bench_port)
LD_PRELOAD=$T/nodelay.so bench_opendkim inetnd "inet:$q@127.0.0.1"
bench_wait_unix "$T/sock/od.sock" && bench_wait_tcp "$p" &&
    bench_wait_tcp "$q" || exit 1
L+=("opendkim_local=unix:$T/sock/od.sock" "opendkim_inet=inet:127.0.0.1:$p"
    "opendkim_inet_nodelay=inet:127.0.0.1:$q")
if [ -n "$RSPAMD" ]; then
	p=$(bench_port)
	bench_rspamd "$T/sock/rs.sock" "$p"
	bench_wait_unix "$T/sock/rs.sock" 90 && bench_wait_tcp "$p" 90 ||
	    exit 1
	L+=("rspamd_local=unix:$T/sock/rs.sock" "rspamd_inet=inet:127.0.0.1:$p")
	# a second instance with TCP_NODELAY forced on its accepted sockets
	q=$(bench_port)
	T0=$T
	T=$T/nd
	mkdir -p "$T/sock" && chmod 1777 "$T/sock"
	LD_PRELOAD=$T0/nodelay.so bench_rspamd "$T/sock/rs.sock" "$q"
	T=$T0
	bench_wait_tcp "$q" 90 || exit 1
	L+=("rspamd_inet_nodelay=inet:127.0.0.1:$q")
fi
if bench_find_preflight "${BUILD:-}"; then
	bench_preflight local "unix:$T/sock/pf.sock"
	p=$(bench_port)
	bench_preflight inet "inet:$p@127.0.0.1"
	bench_wait_unix "$T/sock/pf.sock" && bench_wait_tcp "$p" || exit 1
	L+=("preflight_local=unix:$T/sock/pf.sock"
	    "preflight_inet=inet:127.0.0.1:$p")
	if [ -z "${PF_BENCH_NOSHIM:-}" ]; then
		q=$(bench_port)
		LD_PRELOAD=$T/nodelay.so bench_preflight inetnd \
		    "inet:$q@127.0.0.1"
		bench_wait_tcp "$q" || exit 1
		L+=("preflight_inet_nodelay=inet:127.0.0.1:$q")
	fi
fi
bench_postfix "${L[@]}" || exit 1

echo "| milter | socket | TCP_NODELAY | DATA answered | header added" \
    "| msgs/s | p50 ms | p99 ms | not accepted |"
echo "|---|---|---|---|---|---:|---:|---:|---:|"
for l in "${L[@]}"; do
	n=${l%%=*}
	port=PORT_$n
	"$PY" "$BENCH_DIR/smtpbench.py" 127.0.0.1 "${!port}" 1 10 "$T/msgs" \
	    >/dev/null
	j=$("$PY" "$BENCH_DIR/smtpbench.py" 127.0.0.1 "${!port}" 1 "$NMSG" \
	    "$T/msgs")
	bench_drain
	sock=inet:
	case $n in *local*) sock=local: ;; none) sock=- ;; esac
	nd=no
	case $n in *nodelay*) nd=yes ;; *local*|none) nd=- ;;
	preflight_inet) nd="as built" ;; esac
	data=yes
	case $n in *nodata*) data=no ;; opendkim*) data="no (OpenDKIM)" ;;
	rspamd*) data="(rspamd)" ;; preflight*) data="(preflight)" ;;
	none) data=- ;; esac
	hdr=yes
	case $n in *noheader*) hdr=no ;; none) hdr=- ;; esac
	"$PY" - "$n" "$sock" "$nd" "$data" "$hdr" "$j" <<'PYEOF'
import json, sys
n, sock, nd, data, hdr, j = sys.argv[1:7]
r = json.loads(j)
print("| %s | %s | %s | %s | %s | %.1f | %.2f | %.2f | %d |" % (
    n.split("_")[0], sock, nd, data, hdr, r["msgs_per_s"], r["p50_ms"],
    r["p99_ms"], r["sent"] - r["accepted"]))
PYEOF
done
