#!/bin/sh
# bigheader.sh - a 64 KB Subject through the milter protocol as Postfix
# sends it (one header packet over libmilter's default 64 KB limit); see
# bigheader.py.  Runs the daemon through miltertest.sh.
exec "$(dirname "$0")/miltertest.sh" bigheader
