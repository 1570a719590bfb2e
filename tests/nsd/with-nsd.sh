#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# with-nsd.sh PROGRAM [ARGS] - run a test program against a private NSD
# serving tests/nsd/zones; the program finds the port in $PF_DNS_PORT (and
# the server's pid in $PF_NSD_PID, to stop it mid-run).  Exit 99 (hard
# error) when the server cannot start.
PF_SRCDIR=${PF_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$PF_SRCDIR/tests/nsd/nsd.sh"
pf_nsd_start || exit 99
trap pf_nsd_stop EXIT
trap 'exit 1' INT TERM
"$@"
