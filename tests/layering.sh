#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# layering.sh - fail when a core source includes a header of an area it must
# not depend on.  The table is the one in docs/architecture.md: an area may
# include itself and the areas listed after it, nothing else; no core file
# may include libmilter or a door's header.
set -u
core=${PF_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/milter/core

allowed() {
	case $1 in
	base)	 echo "base" ;;
	message) echo "message base" ;;
	catalog) echo "catalog base" ;;
	config)	 echo "config catalog base" ;;
	auth)	 echo "auth config catalog base" ;;
	explain) echo "explain catalog base" ;;
	learn)	 echo "learn base" ;;
	state)	 echo "state base" ;;
	mta)	 echo "mta auth config catalog base" ;;
	engine)	 echo "engine mta auth catalog config explain learn message state base" ;;
	*)	 echo "" ;;
	esac
}

bad=0
out=$(mktemp) || exit 99
for dir in "$core"/*/; do
	area=$(basename "$dir")
	ok=$(allowed "$area")
	if [ -z "$ok" ]; then
		echo "layering: milter/core/$area/ is not in the table" \
		    "(tests/layering.sh, docs/architecture.md)"
		bad=1
		continue
	fi
	for f in "$dir"*.[ch] "$dir"*.def; do
		[ -f "$f" ] || continue
		rel=milter/core/$area/$(basename "$f")
		grep -n '^[[:space:]]*#[[:space:]]*include' "$f" |
		while IFS= read -r line; do
			n=${line%%:*}
			inc=$(printf '%s\n' "$line" |
			    sed -n 's/.*#[[:space:]]*include[[:space:]]*[<"]\([^">]*\)[">].*/\1/p')
			case $inc in
			libmilter/*|*mfapi.h)
				echo "$rel:$n: the core never includes libmilter ($inc)"
				echo x ;;
			*/*)
				to=${inc%%/*}
				[ -d "$core/$to" ] || continue
				case " $ok " in
				*" $to "*) ;;
				*) echo "$rel:$n: $area/ must not include $inc" \
				       "(allowed: $ok)"
				   echo x ;;
				esac ;;
			*.h|*.def)
				# a bare name must be a system header, not a core one
				for d in "$core"/*/; do
					[ -f "$d$inc" ] || continue
					echo "$rel:$n: include \"$(basename "$d")/$inc\"," \
					    "not \"$inc\""
					echo x
				done ;;
			esac
		done
	done
done | tee "$out" | grep -v '^x$'
grep -q '^x$' "$out" && bad=1
rm -f "$out"
[ "$bad" -eq 0 ] && echo "layering: every core include follows docs/architecture.md"
exit "$bad"
