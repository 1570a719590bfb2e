#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# check_auth.sh - tests/check_auth against the private NSD
exec "$PF_SRCDIR/tests/nsd/with-nsd.sh" "$PF_BUILDDIR/tests/check_auth"
