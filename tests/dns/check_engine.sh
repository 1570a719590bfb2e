#!/bin/sh
# check_engine.sh - tests/check_engine against the private NSD
exec "$PF_SRCDIR/tests/dns/with-nsd.sh" "$PF_BUILDDIR/tests/check_engine"
