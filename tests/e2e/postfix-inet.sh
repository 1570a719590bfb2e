#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# postfix-inet.sh - postfix.sh with the daemon on 127.0.0.1 TCP, where it
# negotiates SMFIP_NR_* and has each unanswered packet acknowledged at once
# (TCP_QUICKACK) instead of taking a unix socket's negotiation.
PF_PFX_INET=1 exec "$(dirname "$0")/postfix.sh"
