#!/bin/sh
# engine.sh - the content engine's cost: messages per second over the real
# corpus (one process, batch), instructions per message byte (callgrind),
# and peak memory for a 5 KB against a 50 MB message (/usr/bin/time -v),
# which must stay flat in message size.  Run from a configured build tree:
#	contrib/bench/engine.sh [BUILDDIR]
# It drives tests/factdump (the builder and every content analyzer, no
# DNS), which it builds if needed.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$top}" && pwd)
corpus=${PF_SHARED:-$top/../shared}/corpus/real
(cd "$build" && make -s tests/factdump >/dev/null)
fd=$build/tests/factdump
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pf-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

files=$(ls "$corpus"/*.eml)
n=$(echo "$files" | wc -l)
bytes=$(cat $files | wc -c)

# throughput: the corpus ten times in one process
set -- $files
list=""
for i in 1 2 3 4 5 6 7 8 9 10; do list="$list $*"; done
t0=$(date +%s.%N)
# shellcheck disable=SC2086
"$fd" -q $list
t1=$(date +%s.%N)
echo "corpus: $n messages, $bytes bytes"
awk -v n="$n" -v b="$bytes" -v a="$t0" -v z="$t1" 'BEGIN {
	s = z - a; printf "throughput: %.0f messages/s, %.1f MB/s\n",
	    10 * n / s, 10 * b / s / 1e6 }'

# instructions per byte over the corpus
if command -v valgrind >/dev/null; then
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" \
	    "$fd" -q $files >/dev/null 2>"$tmp/cg.err"
	ir=$(sed -n 's/^summary: *//p' "$tmp/cg.out" | head -1)
	awk -v ir="$ir" -v b="$bytes" 'BEGIN {
		printf "instructions: %d in all, %.0f per message byte\n",
		    ir, ir / b }'
else
	echo "instructions: valgrind not installed"
fi

# peak memory: a 5 KB message and 50 MB ones (a base64 attachment, a zip
# spooled to a temporary file and listed)
python3 - "$tmp" <<'PY'
import base64, io, os, sys, zipfile
d = sys.argv[1]
hdr = ("From: a@example.com\r\nTo: b@example.org\r\nSubject: s\r\n"
       "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
       "Message-ID: <1@example.com>\r\nMIME-Version: 1.0\r\n")
def mime(name, data):
    b = base64.encodebytes(data).replace(b"\n", b"\r\n")
    return (hdr + "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
            "--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\n"
            "Content-Type: application/octet-stream; name=" + name + "\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n").encode() + b + \
        b"--b--\r\n"
open(os.path.join(d, "small.eml"), "wb").write(
    (hdr + "\r\n").encode() + (b"x" * 76 + b"\r\n") * 64)
rnd = os.urandom(37 * 1024 * 1024)
open(os.path.join(d, "big-bin.eml"), "wb").write(mime("data.bin", rnd))
z = io.BytesIO()
with zipfile.ZipFile(z, "w", zipfile.ZIP_STORED) as f:
    f.writestr("data.bin", rnd)
    f.writestr("readme.txt", b"hi\n")
open(os.path.join(d, "big-zip.eml"), "wb").write(mime("data.zip", z.getvalue()))
PY
for m in small big-bin big-zip; do
	sz=$(wc -c <"$tmp/$m.eml")
	/usr/bin/time -v "$fd" -q "$tmp/$m.eml" 2>"$tmp/time.txt"
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time.txt")
	el=$(sed -n 's/.*Elapsed (wall clock) time.*: //p' "$tmp/time.txt")
	echo "peak RSS: $m ($sz bytes): $rss KB, $el wall"
done
