#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# load.sh - 200 concurrent SMTP sessions through a private Postfix with
# preflight-milter, for as many messages as asked (default 20000, several
# minutes here), and an account of every one: faults.sh's "load" scenario.
# usage: contrib/bench/load.sh [-c SESSIONS] [-n MSGS] [-s local|inet]
set -u
SESS=200
NMSG=20000
SOCK=local
while getopts c:n:s: opt; do
	case $opt in
	c) SESS=$OPTARG ;;
	n) NMSG=$OPTARG ;;
	s) SOCK=$OPTARG ;;
	*) sed -n '2,5p' "$0" >&2; exit 64 ;;
	esac
done
exec "$(dirname "$0")/faults.sh" -S load -c "$SESS" -n "$NMSG" -s "$SOCK"
