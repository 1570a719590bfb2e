#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# faults-short.sh - the short version of contrib/bench/load.sh and
# faults.sh for make check: 200 concurrent sessions for 600 messages, then
# each fault (DNS stopped, DNS slow past the budget, daemon killed and
# restarted, SIGHUP with a good and with a bad configuration) under 20
# sessions, through a private Postfix.  Nothing may be lost.  Needs root
# and Postfix; skipped (77) without them.
set -u
srcdir=${PF_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${PF_BUILDDIR:-$srcdir}
[ "$(id -u)" -eq 0 ] || { echo "faults-short: needs root; skipped"; exit 77; }
command -v postfix >/dev/null || { echo "faults-short: no postfix; skipped"; exit 77; }
[ -x "$builddir/preflight-milter" ] || { echo "faults-short: preflight-milter is not built"; exit 99; }
rc=0
"$srcdir/contrib/bench/faults.sh" -b "$builddir" -S load -c 200 -n 600 ||
    rc=1
"$srcdir/contrib/bench/faults.sh" -b "$builddir" -c 20 -n 200 || rc=1
exit $rc
