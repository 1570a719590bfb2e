#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# scaling.sh - throughput from 1 to 64 concurrent SMTP sessions for each
# configuration, as a table and a plot.  It is e2e.sh with more
# concurrency levels, then plot.py over the raw measurements.
# usage: contrib/bench/scaling.sh [-n MSGS] [-k CONFIGS] [-s SOCKETS]
#                                 [-c LEVELS] [-o OUTPREFIX]
#   defaults: -n 200 -k "none preflight opendkim rspamd" -s local
#             -c "1 2 4 8 16 32 64" -o docs/scaling
# Writes OUTPREFIX.md (the table), OUTPREFIX.svg and, when
# python3-matplotlib is there, OUTPREFIX.png.
set -u
here=$(cd "$(dirname "$0")" && pwd)
NMSG=200
CONFIGS="none preflight opendkim rspamd"
SOCKS=local
LEVELS="1 2 4 8 16 32 64"
OUTP=$here/../../docs/scaling
while getopts n:k:s:c:o: opt; do
	case $opt in
	n) NMSG=$OPTARG ;;
	k) CONFIGS=$OPTARG ;;
	s) SOCKS=$OPTARG ;;
	c) LEVELS=$OPTARG ;;
	o) OUTP=$OPTARG ;;
	*) sed -n '2,10p' "$0" >&2; exit 64 ;;
	esac
done
raw=$(mktemp -d)
trap 'rm -rf "$raw"' EXIT
"$here/e2e.sh" -n "$NMSG" -c "$LEVELS" -k "$CONFIGS" -s "$SOCKS" \
    -o "$OUTP.md" -d "$raw" || exit 1
/usr/bin/python3 "$here/plot.py" "$raw/ss.tsv" "$OUTP" || exit 1
ls -l "$OUTP".*
