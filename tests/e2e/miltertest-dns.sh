#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# miltertest-dns.sh - 09-negotiation.lua against the daemon with DNS on
# (a name server nobody answers at: no lookup is needed), on a unix socket
# and over TCP: MAIL and RCPT stay answered there, so that the MTA sends
# them at once and the lookups they start are not held back until DATA.
# Runs the daemon through miltertest.sh.
PF_MT_DNS=127.0.0.1:9 PF_MT_UNIX=1 "$(dirname "$0")/miltertest.sh" lua ||
    exit $?
PF_MT_DNS=127.0.0.1:9 exec "$(dirname "$0")/miltertest.sh" lua
