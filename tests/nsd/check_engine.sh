#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# check_engine.sh - tests/check_engine against the private NSD
exec "$PF_SRCDIR/tests/nsd/with-nsd.sh" "$PF_BUILDDIR/tests/check_engine"
