#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# miltertest-unix.sh - the miltertest scripts and bigheader.py against the
# daemon on a unix socket, where it asks the MTA for no answers before end
# of message (SMFIP_NR_*, SMFIP_NODATA, SMFIP_NOUNKNOWN).
# Runs the daemon through miltertest.sh.
PF_MT_UNIX=1 "$(dirname "$0")/miltertest.sh" lua || exit $?
PF_MT_UNIX=1 exec "$(dirname "$0")/miltertest.sh" bigheader
