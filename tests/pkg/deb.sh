#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# deb.sh - the Debian packages from a copy of the tree: build them with
# dpkg-buildpackage -us -uc -b, check them with lintian (no errors),
# install them on this machine, run preflight-milter -n on the installed
# configuration and preflight check on an installed sample, then purge
# them and check that nothing of them is left.  Needs root, debhelper,
# lintian and no preflight package installed already; skips (77)
# otherwise.  KEEP=1 keeps the build directory.
set -u
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for b in dpkg-buildpackage lintian dh; do
	command -v "$b" >/dev/null 2>&1 || { echo "SKIP: $b not installed"; exit 77; }
done
for p in preflight preflight-milter; do
	if dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q installed; then
		echo "SKIP: $p is installed on this machine"; exit 77
	fi
done
src=${PF_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d /tmp/pf-deb.XXXXXX)
fails=0 passes=0
installed=0
cleanup() {
	if [ "$installed" = 1 ]; then
		dpkg --purge preflight-milter preflight >/dev/null 2>&1
	fi
	if [ "${KEEP:-0}" = 1 ] || [ "$fails" -gt 0 ]; then
		echo "kept $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap "exit 1" INT TERM HUP PIPE
ok() { passes=$((passes + 1)); echo "ok   - $*"; }
bad() { fails=$((fails + 1)); echo "FAIL - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

# the files of a checkout (tracked or not, but not ignored), else the tree
mkdir -p "$T/preflight"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$src" && git ls-files -z --cached --others --exclude-standard |
	    tar --null -T - -cf -) |
	    tar -C "$T/preflight" -xf -
else
	tar -C "$src" --exclude=./build --exclude='*.o' -cf - . |
	    tar -C "$T/preflight" -xf -
fi
(cd "$T/preflight" && dpkg-buildpackage -us -uc -b) > "$T/build.log" 2>&1
rc=$?
check "dpkg-buildpackage -us -uc -b (exit $rc)" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || { tail -30 "$T/build.log"; exit 1; }
debs=$(ls "$T"/preflight_*.deb "$T"/preflight-milter_*.deb 2>/dev/null)
check "two binary packages built" [ "$(echo "$debs" | wc -l)" -eq 2 ]

lintian --tag-display-limit 0 "$T"/*.changes > "$T/lintian.log" 2>&1
grep '^[EW]:' "$T/lintian.log" | sed 's/^/     /'
check "lintian: no errors" bash -c "! grep -q '^E:' '$T/lintian.log'"

DEBIAN_FRONTEND=noninteractive dpkg -i $debs > "$T/install.log" 2>&1
rc=$?
installed=1
check "dpkg -i (exit $rc)" [ "$rc" -eq 0 ] || cat "$T/install.log"
check "/etc/preflight.conf is a conffile" \
    bash -c "dpkg-query -W -f '\${Conffiles}' preflight-milter | grep -q ' /etc/preflight.conf '"
check "the preflight system user exists" getent passwd preflight
check "state directory /var/lib/preflight belongs to it" \
    [ "$(stat -c %U /var/lib/preflight 2>/dev/null)" = preflight ]
check "the unit is installed" test -f /lib/systemd/system/preflight-milter.service
check "the unit runs /usr/sbin/preflight-milter" \
    grep -q '^ExecStart=/usr/sbin/preflight-milter ' /lib/systemd/system/preflight-milter.service
if getent group postfix >/dev/null; then
	check "socket directory in Postfix's chroot, preflight:postfix" \
	    [ "$(stat -c %U:%G /var/spool/postfix/preflight 2>/dev/null)" = preflight:postfix ]
fi
out=$(/usr/sbin/preflight-milter -n -c /etc/preflight.conf 2>&1); rc=$?
check "preflight-milter -n on the installed configuration: $out" \
    [ "$rc" -eq 0 ] && [ "$out" = "configuration OK" ]
out=$(/usr/sbin/preflight-milter -V)
check "preflight-milter -V names the installed catalog" \
    grep -q '^catalog .* /usr/share/preflight/gmail.rules, ' <<<"$out"
sample=/usr/share/doc/preflight/examples/duplicate-from.eml
[ -f "$sample" ] || sample=$(ls /usr/share/doc/preflight/examples/*.eml* 2>/dev/null | head -1)
case $sample in *.gz) gunzip -c "$sample" > "$T/sample.eml"; sample=$T/sample.eml ;; esac
out=$(env -u PF_RULES /usr/bin/preflight check --json --no-dns "$sample" 2>&1); rc=$?
check "preflight check on an installed sample (exit $rc)" \
    bash -c "jq -e '.verdict and .catalog.version' >/dev/null <<<'$out'"

dpkg --purge preflight-milter preflight > "$T/purge.log" 2>&1
rc=$?
installed=0
check "dpkg --purge (exit $rc)" [ "$rc" -eq 0 ]
left=$(ls -d /etc/preflight.conf /usr/sbin/preflight-milter /usr/bin/preflight \
    /usr/share/preflight /var/lib/preflight /var/spool/postfix/preflight \
    /lib/systemd/system/preflight-milter.service /usr/share/doc/preflight \
    /usr/share/doc/preflight-milter 2>/dev/null)
check "purge leaves nothing of the packages (${left:-none})" [ -z "$left" ]
check "dpkg forgot them" bash -c "! dpkg-query -W preflight preflight-milter >/dev/null 2>&1"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
