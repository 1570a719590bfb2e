#!/bin/sh
# quickstart.sh - install what preflight needs, build it, and run
# `preflight check` over the bundled sample messages.  Touches nothing of
# the system's own mail setup.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
"$top/contrib/install-deps.sh"

if [ ! -x "$top/build/preflight" ]; then
	autoreconf -fi >/dev/null 2>&1
	mkdir -p build
	(cd build && ../configure -q && make -j2 >/dev/null)
fi

for msg in "$top"/contrib/samples/*.eml; do
	echo "=== $(basename "$msg")"
	rc=0
	PF_RULES="$top/rules/gmail.rules" "$top/build/preflight" check \
	    --no-dns "$msg" || rc=$?
	echo "(exit $rc)"
	echo
done
