#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# hostile.sh - messages built to hurt a parser, through `preflight check
# --json --no-dns`: a million header fields, a 100 MB header line, MIME
# nested 10,000 deep, a zip bomb (8 x 1 GiB of zeros), a zip listing
# 100,000 entries, no header/body separator, NUL bytes.  Each must exit 0,
# 1 or 2 (a prediction), print valid JSON, and stay within the limits:
#   time    HOSTILE_SECS (default 30 s; 240 s in a sanitizer build)
#   memory  HOSTILE_MB address space (default 1024 MB; not enforced in a
#           sanitizer build, whose shadow memory needs terabytes of it) and
#           HOSTILE_RSS_MB peak resident set (default 512 MB; 2048 with
#           sanitizers)
# The messages are generated into a private directory and removed.
set -u

srcdir=${PF_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${PF_BUILDDIR:-$srcdir}
pf=
for c in "$builddir/preflight" "$builddir/milter/cli/preflight"; do
	[ -z "$pf" ] && [ -x "$c" ] && pf=$c
done
[ -n "$pf" ] || { echo "hostile: preflight is not built" >&2; exit 99; }
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
command -v jq >/dev/null || { echo "hostile: jq missing" >&2; exit 99; }
catalog=$srcdir/rules/gmail.rules

if [ -n "${PF_SANITIZED:-}" ]; then
	secs=${HOSTILE_SECS:-240} as_mb=0 rss_mb=${HOSTILE_RSS_MB:-2048}
else
	secs=${HOSTILE_SECS:-30} as_mb=${HOSTILE_MB:-1024}
	rss_mb=${HOSTILE_RSS_MB:-512}
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pf-hostile.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
"$PY" "$srcdir/tests/robust/gen-hostile.py" "$tmp/in" || exit 99

# limited OUT CMD... - run CMD with the limits; prints "rc seconds rss_kb"
limited() {
	"$PY" - "$secs" "$as_mb" "$@" <<'PYEOF'
import resource, subprocess, sys, time
secs, as_mb, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
def lim():
    if as_mb > 0:
        resource.setrlimit(resource.RLIMIT_AS, (as_mb << 20, as_mb << 20))
t = time.monotonic()
try:
    with open(out, "wb") as f:
        rc = subprocess.run(sys.argv[4:], stdout=f, stderr=subprocess.PIPE,
                            preexec_fn=lim, timeout=secs).returncode
except subprocess.TimeoutExpired:
    rc = "timeout"
el = time.monotonic() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(rc, "%.2f" % el, rss)
PYEOF
}

pass=0 fail=0
for eml in "$tmp"/in/*.eml; do
	name=$(basename "$eml" .eml)
	set -- $(limited "$tmp/out.json" "$pf" check --json --no-dns \
	    --rules "$catalog" \
	    --mail-from alice@example.com --rcpt bob@gmail.com "$eml")
	rc=$1 el=$2 rss=$3
	size=$(wc -c < "$eml")
	why=
	case $rc in 0|1|2) ;; *) why="exit $rc" ;; esac
	[ -z "$why" ] && ! jq -e '.predictions' "$tmp/out.json" >/dev/null 2>&1 &&
	    why="output is not the JSON report"
	[ -z "$why" ] && [ "$rss" -gt $((rss_mb * 1024)) ] &&
	    why="peak RSS ${rss} KB over ${rss_mb} MB"
	rules=$(jq -r '[.predictions[].rule] | join(",")' "$tmp/out.json" \
	    2>/dev/null)
	# each input gets its prediction; a ?rule is one that must be left
	# undecided (an archive listed only up to its caps)
	case $name in
	header-line-100mb)	want=header-value-too-large ;;
	million-fields)		want=header-too-large ;;
	mime-depth-10000|no-separator|nul-bytes) want=message-malformed ;;
	zip-100000-entries)	want=?blocked-content ;;
	*)			want= ;;
	esac
	case $want in
	"") ;;
	\?*)	[ -z "$why" ] && ! jq -e --arg r "${want#?}" \
		    'any(.unknown[]; .rule == $r)' "$tmp/out.json" >/dev/null &&
		    why="${want#?} not listed as undecided" ;;
	*)	[ -z "$why" ] && ! jq -e --arg r "$want" \
		    'any(.predictions[]; .rule == $r)' "$tmp/out.json" \
		    >/dev/null && why="$want not predicted" ;;
	esac
	if [ -z "$why" ]; then
		pass=$((pass + 1))
		echo "PASS $name: $size bytes, exit $rc, ${el} s, ${rss} KB," \
		    "predicted: ${rules:-none}"
	else
		fail=$((fail + 1))
		echo "FAIL $name: $size bytes: $why (${el} s, ${rss} KB)"
	fi
done
echo "hostile: limits ${secs} s, address space ${as_mb} MB (0: none)," \
    "peak RSS ${rss_mb} MB"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
