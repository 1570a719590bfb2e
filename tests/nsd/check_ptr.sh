#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# check_ptr.sh - tests/check_ptr against the private NSD
exec "$PF_SRCDIR/tests/nsd/with-nsd.sh" "$PF_BUILDDIR/tests/check_ptr"
