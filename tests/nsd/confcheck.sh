#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# confcheck.sh - tests/e2e/confcheck.sh with a private NSD, so that the
# Signer keys are compared with DNS too
exec "$PF_SRCDIR/tests/nsd/with-nsd.sh" bash "$PF_SRCDIR/tests/e2e/confcheck.sh"
