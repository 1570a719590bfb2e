#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# run-report-html.sh - the HTML report of `preflight report --html` in a
# real headless Chromium: the page loads from a file with nothing else
# (no network, no script), its charts are drawn (SVG bars in the rendered
# DOM, coloured pixels in a screenshot) and the console shows no error.
# Exit 77 (skip) where Chromium is not installed.
set -u

srcdir=${PF_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${PF_BUILDDIR:-$srcdir}
pf=$builddir/preflight
[ -x "$pf" ] || { echo "run-report-html: $pf is not built" >&2; exit 99; }
chrome=
for c in chromium chromium-browser google-chrome; do
	command -v "$c" >/dev/null && { chrome=$c; break; }
done
[ -n "$chrome" ] || { echo "run-report-html: no Chromium: skipped"; exit 77; }
command -v python3 >/dev/null || { echo "python3 missing" >&2; exit 99; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pf-html.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
rules=$srcdir/rules/gmail.rules
printf 'Rules %s\nState lmdb:%s/st\nEgressIP 192.0.2.5\n' "$rules" "$tmp" \
    > "$tmp/pf.conf"

R='relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, delay=1, delays=0/0/0.5/0.5'
S='(host gmail-smtp-in.l.google.com[142.250.102.27] said:'
{
	echo "Nov 28 04:00:00 mx1 preflight-milter[7]: 1A: action=tag rule=mailbox-does-not-exist reply=550 status=5.1.1 rcpt=1 client=[192.0.2.9]"
	echo "Nov 28 04:00:00 mx1 postfix/qmgr[3]: 1A: from=<news@example.org>, size=1, nrcpt=1 (queue active)"
	echo "Nov 29 04:00:00 mx1 postfix/qmgr[3]: 2B: from=<news@example.org>, size=1, nrcpt=1 (queue active)"
	echo "Nov 28 04:00:01 mx1 postfix/smtp[2]: 1A: to=<a@gmail.com>, $R, dsn=5.1.1, status=bounced $S 550 5.1.1 The email account that you tried to reach does not exist. a1 - gsmtp (in reply to RCPT TO command))"
	echo "Nov 29 04:00:01 mx1 postfix/smtp[2]: 2B: to=<b@gmail.com>, $R, dsn=4.2.2, status=deferred $S 452 4.2.2 The recipient's inbox is out of storage space. a1 - gsmtp (in reply to RCPT TO command))"
	echo "Nov 30 04:00:01 mx1 postfix/smtp[2]: 3C: to=<c@gmail.com>, $R, dsn=2.0.0, status=sent (250 2.0.0 OK a1 - gsmtp)"
} > "$tmp/maillog"
"$pf" learn --config "$tmp/pf.conf" "$tmp/maillog" 2>/dev/null || exit 1
"$pf" report --config "$tmp/pf.conf" --since 2026-11-27 --until 2026-11-30 \
    --html "$tmp/report.html" || exit 1

fail=0
run_chrome() {
	timeout 120 "$chrome" --headless --no-sandbox --disable-gpu \
	    --user-data-dir="$tmp/profile" --window-size=1000,1000 \
	    --enable-logging=stderr --v=0 "$@" "file://$tmp/report.html"
}
run_chrome --dump-dom > "$tmp/dom.html" 2> "$tmp/dom.err"
bars=$(grep -o '<rect class="bar"' "$tmp/dom.html" | wc -l)
echo "rendered DOM: $bars bars"
[ "$bars" -ge 4 ] || { echo "FAIL: the charts have no bars"; fail=1; }
series=$(grep -o '<svg class="series"' "$tmp/dom.html" | wc -l)
echo "rendered DOM: $series series charts"
[ "$series" -eq 2 ] ||
	{ echo "FAIL: want a series chart for example.org and 192.0.2.5"; fail=1; }
run_chrome --screenshot="$tmp/shot.png" > /dev/null 2> "$tmp/shot.err"
[ -s "$tmp/shot.png" ] || { echo "FAIL: no screenshot"; exit 1; }
px=$(python3 "$srcdir/tests/learn/pngcolor.py" "$tmp/shot.png") || exit 1
echo "screenshot: $px coloured pixels"
[ "$px" -ge 1000 ] || { echo "FAIL: the charts are blank"; fail=1; }
if grep -h 'CONSOLE' "$tmp/dom.err" "$tmp/shot.err" | grep -qi 'error\|uncaught'; then
	echo "FAIL: console errors:"
	grep -h 'CONSOLE' "$tmp/dom.err" "$tmp/shot.err"
	fail=1
fi
exit "$fail"
