#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# bigheader.sh - 60 KB (the largest field Postfix hands to a milter) and
# 64 KB Subjects through the milter protocol, each in one header packet
# (see bigheader.py).
# Runs the daemon through miltertest.sh.
exec "$(dirname "$0")/miltertest.sh" bigheader
