#!/bin/sh
# bigheader.sh - a 60 KB Subject through the milter protocol in one header
# packet, the largest field Postfix hands to a milter (see bigheader.py).
# Runs the daemon through miltertest.sh.
exec "$(dirname "$0")/miltertest.sh" bigheader
