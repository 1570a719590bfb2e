#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# metrics.sh - tests/e2e/metrics.sh with a private NSD, so that the DNS
# counters move too
exec "$PF_SRCDIR/tests/nsd/with-nsd.sh" bash "$PF_SRCDIR/tests/e2e/metrics.sh"
