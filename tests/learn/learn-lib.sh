# SPDX-License-Identifier: BSD-2-Clause
# learn-lib.sh - sourced by the learn test scripts: check and learned.
# The caller sets fail=0; check sets it to 1 on a mismatch.

# check NAME WANT GOT - one comparison, printed
check() {
	if [ "$2" = "$3" ]; then
		echo "ok   $1"
	else
		echo "FAIL $1: want '$2', got '$3'"
		fail=1
	fi
}

# learned FILE - the "N outcomes recorded" and "M already counted" of the
# run whose standard error is FILE, as "N M"
learned() {
	sed -n 's/.*: \([0-9]*\) outcomes recorded, \([0-9]*\) already counted.*/\1 \2/p' "$1"
}
