#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# nsd.sh - a private NSD serving tests/nsd/zones on a free loopback port.
#
# Sourced by test scripts:
#     . "$PF_SRCDIR/tests/nsd/nsd.sh"
#     pf_nsd_start || exit 99      # sets and exports PF_DNS_PORT, PF_NSD_DIR
#     trap pf_nsd_stop EXIT
# or run:  nsd.sh start DIR  (prints the port)  /  nsd.sh stop DIR
#
# The port is probed free with python3 (UDP and TCP both), the config and
# state live in a private temporary directory, and start waits until the
# server answers.  NSD is authoritative only: names outside the zones get
# REFUSED, which the resolver reports as a temporary failure.

pf_nsd_srcdir=${PF_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
pf_nsd_zonedir=$pf_nsd_srcdir/tests/nsd/zones

# pf_nsd_freeport - a port free for both UDP and TCP on 127.0.0.1
pf_nsd_freeport() {
	python3 "$pf_nsd_srcdir/tests/tools/free-port.py" --udp
}

# pf_nsd_conf DIR PORT - write the private configuration
pf_nsd_conf() {
	{
		printf 'server:\n'
		printf '\tip-address: 127.0.0.1@%s\n\tport: %s\n' "$2" "$2"
		printf '\tusername: ""\n\tchroot: ""\n\tdatabase: ""\n'
		printf '\tzonesdir: "%s"\n' "$pf_nsd_zonedir"
		printf '\tzonelistfile: "%s/zone.list"\n' "$1"
		printf '\txfrdfile: "%s/xfrd.state"\n\txfrdir: "%s"\n' "$1" "$1"
		printf '\tpidfile: "%s/nsd.pid"\n\tlogfile: "%s/nsd.log"\n' \
		    "$1" "$1"
		printf '\tserver-count: 1\n\tverbosity: 1\n'
		printf '\treuseport: no\n\tsend-buffer-size: 0\n'
		printf 'remote-control:\n\tcontrol-enable: no\n'
		for z in "$pf_nsd_zonedir"/*.zone; do
			n=$(basename "$z" .zone)
			printf 'zone:\n\tname: "%s"\n\tzonefile: "%s.zone"\n' \
			    "$n" "$n"
		done
	} > "$1/nsd.conf"
}

# pf_nsd_answers PORT - does the server answer an SOA query?
pf_nsd_answers() {
	dig +time=1 +tries=1 +short -p "$1" @127.0.0.1 example.com SOA \
	    2>/dev/null | grep -q hostmaster
}

# pf_nsd_start [DIR] - start NSD; exports PF_DNS_PORT, PF_NSD_DIR, PF_NSD_PID
pf_nsd_start() {
	PF_NSD_DIR=${1:-$(mktemp -d "${TMPDIR:-/tmp}/pf-nsd.XXXXXX")} || return 1
	for try in 1 2 3 4 5; do
		PF_DNS_PORT=$(pf_nsd_freeport)
		[ -n "$PF_DNS_PORT" ] || return 1
		pf_nsd_conf "$PF_NSD_DIR" "$PF_DNS_PORT"
		/usr/sbin/nsd -d -c "$PF_NSD_DIR/nsd.conf" \
		    >>"$PF_NSD_DIR/nsd.out" 2>&1 &
		PF_NSD_PID=$!
		echo "$PF_NSD_PID" > "$PF_NSD_DIR/nsd.dpid"
		i=0
		while [ $i -lt 100 ]; do
			if pf_nsd_answers "$PF_DNS_PORT"; then
				export PF_DNS_PORT PF_NSD_DIR PF_NSD_PID
				return 0
			fi
			kill -0 "$PF_NSD_PID" 2>/dev/null || break
			sleep 0.1
			i=$((i + 1))
		done
		# lost a race for the port, or a slow start: try again
		kill "$PF_NSD_PID" 2>/dev/null
		wait "$PF_NSD_PID" 2>/dev/null
	done
	echo "nsd.sh: NSD did not start; see $PF_NSD_DIR/nsd.log" >&2
	cat "$PF_NSD_DIR/nsd.out" "$PF_NSD_DIR/nsd.log" >&2 2>/dev/null
	return 1
}

# pf_nsd_stop [DIR] - stop the server we started and remove its directory
pf_nsd_stop() {
	d=${1:-${PF_NSD_DIR:-}}
	[ -n "$d" ] || return 0
	if [ -f "$d/nsd.dpid" ]; then
		pid=$(cat "$d/nsd.dpid")
		kill "$pid" 2>/dev/null
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 30 ]; do
			sleep 0.1
			i=$((i + 1))
		done
	fi
	case $d in
	*/pf-nsd.*) rm -rf "$d" ;;
	esac
	return 0
}

case ${0##*/} in
nsd.sh)
	case ${1:-} in
	start)
		[ -n "${2:-}" ] && mkdir -p "$2"
		pf_nsd_start "${2:-}" || exit 1
		echo "$PF_DNS_PORT"
		;;
	stop)
		[ -n "${2:-}" ] || { echo "usage: nsd.sh stop DIR" >&2; exit 64; }
		pf_nsd_stop "$2"
		;;
	*)
		echo "usage: nsd.sh start [DIR] | stop DIR" >&2
		exit 64
		;;
	esac
	;;
esac
