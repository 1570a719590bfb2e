#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# doctor.sh - the shipped deployment on a stock Debian Postfix layout, and
# `preflight doctor` on it.  A private Postfix keeps Debian's master.cf
# chroot column (smtpd and cleanup chrooted in the queue directory, the
# chroot populated by Debian's configure-instance.sh); preflight-milter is
# started the way contrib/systemd/preflight-milter.service starts it (its
# User, Group, UMask, NoNewPrivileges and ExecStart line, through setpriv,
# since systemd is not PID 1 here) with contrib/preflight.conf, and a
# message through the chrooted smtpd gets tagged; with PostfixDir the
# daemon reads Postfix's TLS level on reload (the mta.* facts) and predicts
# 530 5.7.0 for RelayViaGoogle without TLS, and not with it.  Then doctor on that
# instance must find nothing wrong, and each thing broken in turn (socket
# outside the chroot, socket mode, milter_default_action, TLS level, HELO
# without FCrDNS, SPF, DKIM selector, a 1024-bit key, DMARC, a domain that
# does not exist, DNS down) must give its exact line and exit status; the
# STARTTLS probe against the instance with STARTTLS on and off; bad
# input.  A private NSD serves the zones written below.
# Skips (77) only when not root or Postfix, NSD or setpriv is missing.
set -u

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for b in postfix smtp-sink postconf nsd setpriv openssl dig; do
	command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] ||
	    { echo "SKIP: $b not installed"; exit 77; }
done
[ -x /usr/lib/postfix/configure-instance.sh ] ||
    { echo "SKIP: Debian's postfix configure-instance.sh missing"; exit 77; }
getent group postfix >/dev/null || { echo "SKIP: no postfix group"; exit 77; }
PATH=$PATH:/usr/sbin

src=${PF_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${PF_BUILDDIR:-$src}
milter=$build/preflight-milter
pf=$build/preflight
unit=$src/contrib/systemd/preflight-milter.service
[ -x "$milter" ] && [ -x "$pf" ] || { echo "FAIL: not built"; exit 1; }
. "$src/tests/e2e/postfix-lib.sh"
. "$src/tests/nsd/nsd.sh"

T=$(mktemp -d /tmp/pf-e2e-doctor.XXXXXX)
MPID=
fails=0
passes=0
cleanup() {
	[ -n "$MPID" ] && kill "$MPID" 2>/dev/null
	pfx_stop
	pf_nsd_stop "$T/nsd"
	if [ "${KEEP:-0}" = 1 ] || [ "$fails" -gt 0 ]; then
		echo "kept $T for inspection"
		[ "$fails" -gt 0 ] && { echo "--- milter log";
		    tail -20 "$T/milter.log" 2>/dev/null; echo "--- maillog";
		    tail -20 "$T/maillog" 2>/dev/null; }
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap "exit 1" INT TERM HUP PIPE

ok() { passes=$((passes + 1)); echo "ok   - $*"; }
bad() { fails=$((fails + 1)); echo "FAIL - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
nogrep() { ! grep -q "$@"; }
# line STATUS CHECK TEXT - a report line as doctor prints it
line() { printf '%-7s  %-24s  %s' "$1" "$2" "$3"; }

chmod 755 "$T"
mkdir -p "$T/zones" "$T/nsd" "$T/keys"

# --- the shipped user: preflight, group postfix (created once, kept)
if ! id preflight >/dev/null 2>&1; then
	useradd --system --gid postfix --no-create-home \
	    --home-dir /var/lib/preflight --shell /usr/sbin/nologin \
	    preflight 2>/dev/null || id preflight >/dev/null 2>&1 ||
	    { echo "FAIL: cannot create the preflight user"; exit 1; }
fi

# --- keys and zones
keys=$src/tests/nsd/keys
pub() { openssl pkey -in "$1" -pubout -outform DER 2>/dev/null | base64 -w0; }
p2048=$(pub "$keys/rsa2048.pem")
p1024=$(pub "$keys/other1024.pem")
txt() {	# a long TXT value as quoted 200-byte strings
	local v=$1 out=""
	while [ -n "$v" ]; do out="$out \"${v:0:200}\""; v=${v:200}; done
	echo "($out )"
}
cat > "$T/zones/stock.example.zone" <<EOF
\$ORIGIN stock.example.
\$TTL 300
@	IN SOA ns1 hostmaster ( 1 3600 600 86400 300 )
@	IN NS	ns1
ns1	IN A	198.51.100.53
@	IN MX	10 mta
@	IN TXT	"v=spf1 ip4:198.51.100.10 -all"
mta	IN A	198.51.100.10
nofcrdns IN A	198.51.100.99
_dmarc	IN TXT	"v=DMARC1; p=reject; rua=mailto:dmarc@stock.example"
s2048._domainkey IN TXT $(txt "v=DKIM1; k=rsa; p=$p2048")
; SPF that leaves the egress address out
nospf	IN MX	10 mta
nospf	IN TXT	"v=spf1 ip4:198.51.100.20 -all"
; a signer whose selector is not published
unpub	IN MX	10 mta
unpub	IN TXT	"v=spf1 ip4:198.51.100.10 -all"
; an access provider's generic name for 198.51.100.11
198-51-100-11.pool IN A	198.51.100.11
; a 1024-bit key
weak	IN MX	10 mta
weak	IN TXT	"v=spf1 ip4:198.51.100.10 -all"
s1024._domainkey.weak IN TXT $(txt "v=DKIM1; k=rsa; p=$p1024")
EOF
# a domain without DMARC (its own registrable domain: no fallback)
cat > "$T/zones/nodmarc.example.zone" <<EOF
\$ORIGIN nodmarc.example.
\$TTL 300
@	IN SOA ns1.stock.example. hostmaster.stock.example. ( 1 3600 600 86400 300 )
@	IN NS	ns1.stock.example.
@	IN MX	10 mta.stock.example.
@	IN TXT	"v=spf1 ip4:198.51.100.10 -all"
s2048._domainkey IN TXT $(txt "v=DKIM1; k=rsa; p=$p2048")
EOF
cat > "$T/zones/100.51.198.in-addr.arpa.zone" <<EOF
\$ORIGIN 100.51.198.in-addr.arpa.
\$TTL 300
@	IN SOA ns1.stock.example. hostmaster.stock.example. ( 1 3600 600 86400 300 )
@	IN NS	ns1.stock.example.
10	IN PTR	mta.stock.example.
11	IN PTR	198-51-100-11.pool.stock.example.
EOF
# IPv6: the reverse zone exists, the egress address has no PTR in it
cat > "$T/zones/8.b.d.0.1.0.0.2.ip6.arpa.zone" <<EOF
\$ORIGIN 8.b.d.0.1.0.0.2.ip6.arpa.
\$TTL 300
@	IN SOA ns1.stock.example. hostmaster.stock.example. ( 1 3600 600 86400 300 )
@	IN NS	ns1.stock.example.
EOF
pf_nsd_zonedir=$T/zones
# nsd.sh waits for an answer from its own zones; these are not those
pf_nsd_answers() {
	dig +time=1 +tries=1 +short -p "$1" @127.0.0.1 stock.example SOA \
	    2>/dev/null | grep -q hostmaster
}
pf_nsd_start "$T/nsd" >/dev/null || { echo "FAIL: NSD did not start"; exit 1; }
ns=127.0.0.1:$PF_DNS_PORT

# --- a self-signed certificate for STARTTLS
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=mta.stock.example \
    -keyout "$T/keys/tls.key" -out "$T/keys/tls.crt" >/dev/null 2>&1 ||
    { echo "FAIL: openssl req"; exit 1; }

# --- preflight.conf: the shipped one, with this instance's paths
spool=$T/spool
sock=$spool/preflight/milter.sock
mkdir -p "$T/run" "$T/state" && chown preflight:postfix "$T/run" "$T/state"
# conf FILE [EXTRA LINES] - contrib/preflight.conf for this instance
conf() {
	sed -e "s|^Socket .*|Socket local:$sock|" \
	    -e "s|^PidFile .*|PidFile $T/run/milter.pid|" \
	    -e "s|^Nameserver .*|Nameserver $ns|" \
	    -e "s|^DNSQueryTimeout .*|DNSQueryTimeout 1000|" \
	    -e "s|^State .*|State lmdb:$T/state/state|" \
	    "$src/contrib/preflight.conf" > "$1"
	cat >> "$1" <<EOF
Rules $src/rules/gmail.rules
EgressIP 198.51.100.10
HELO mta.stock.example
${2:-}
Signer stock.example s2048 $keys/rsa2048.pem
EOF
	chmod 644 "$1"
}
conf "$T/preflight.conf"

# --- the unit: its settings and command lines, with this instance's paths
uval() { sed -n "s/^$1=//p" "$unit" | head -1; }
u_user=$(uval User)
u_group=$(uval Group)
u_umask=$(uval UMask)
u_nnp=$(uval NoNewPrivileges)
u_mkdir=$(sed -n 's/^ExecStartPre=+//p' "$unit" | head -1)
u_start=$(uval ExecStart)
check "unit: User=preflight Group=postfix UMask=0007 ($u_user $u_group $u_umask)" \
    [ "$u_user:$u_group:$u_umask" = preflight:postfix:0007 ]
check "unit: the socket directory is made in the chroot ($u_mkdir)" \
    [ "$u_mkdir" = "/usr/bin/install -d -o preflight -g postfix -m 0750 /var/spool/postfix/preflight" ]
check "unit: ReadWritePaths has the socket and state directories" \
    grep -q '^ReadWritePaths=.*/var/spool/postfix/preflight .*/var/lib/preflight' "$unit"
check "unit: the shipped default socket is that directory" \
    grep -q '^Socket local:/var/spool/postfix/preflight/milter.sock$' \
    "$src/contrib/preflight.conf"
check "main.cf snippet names it relative to the chroot" \
    grep -q '^smtpd_milters = unix:preflight/milter.sock$' \
    "$src/contrib/postfix/main.cf"
# unit_run CMDLINE - as the unit runs it: its user, group, umask, no new
# privileges; the binary and file paths of this build and instance
# privileges; the binary and file paths of this build and instance.  It
# replaces the shell it runs in: call it in ( ) or with &.
unit_exec() {
	local cmd=$1
	cmd=${cmd//\/usr\/local\/sbin\/preflight-milter/$milter}
	cmd=${cmd//\/etc\/preflight.conf/$T/preflight.conf}
	# the unit's -f logs to syslog; the test reads standard error
	cmd=${cmd/ -f / -f -e }
	umask "$u_umask"
	# shellcheck disable=SC2086
	exec setpriv --reuid="$u_user" --regid="$u_group" --init-groups \
	    $([ "$u_nnp" = yes ] && echo --no-new-privs) $cmd
}

# --- Postfix, Debian layout: chrooted smtpd and cleanup, STARTTLS on
export PFX_CHROOT=yes
export PFX_MYHOSTNAME=mta.stock.example
PFX_MAIN_EXTRA="smtp_tls_security_level = may
smtpd_tls_security_level = may
smtpd_tls_chain_files = $T/keys/tls.key, $T/keys/tls.crt"
mkdir -p "$spool"
# ExecStartPre=+: as root, the directory in the chroot
${u_mkdir//\/var\/spool\/postfix/$spool} || { echo "FAIL: $u_mkdir"; exit 1; }
check "socket directory preflight:postfix 0750" \
    [ "$(stat -c '%U:%G %a' "$spool/preflight")" = "preflight:postfix 750" ]
(unit_exec "$(sed -n 's/^ExecStartPre=\(\/.*\)/\1/p' "$unit" | head -1)") \
    >"$T/pre.log" 2>&1
check "ExecStartPre -n as the user: configuration OK" \
    grep -q "^configuration OK$" "$T/pre.log"
unit_exec "$u_start" >"$T/milter.log" 2>&1 &
MPID=$!
i=0
until [ -S "$sock" ] || [ "$i" -gt 100 ] || ! kill -0 "$MPID" 2>/dev/null; do
	sleep 0.05; i=$((i + 1))
done
check "the daemon runs as the unit starts it" [ -S "$sock" ]
[ -S "$sock" ] || { cat "$T/milter.log"; exit 1; }
check "socket preflight:postfix 0660 ($(stat -c '%U:%G %a' "$sock"))" \
    [ "$(stat -c '%U:%G %a' "$sock")" = "preflight:postfix 660" ]
check "daemon runs as preflight, group postfix, no way back to root" \
    grep -q "^Uid:	$(id -u preflight)	$(id -u preflight)	$(id -u preflight)	" "/proc/$MPID/status"
pfx_start "$T" "unix:preflight/milter.sock" ||
    { echo "FAIL: postfix did not start"; exit 1; }
svc="127.0.0.1:$PFX_SMTPD"
check "master.cf keeps the chroot for smtpd and cleanup" \
    [ "$(postconf -c "$T/etc" -Fh "$svc/inet/chroot" cleanup/unix/chroot | tr '\n' ' ')" = "y y " ]

# a message through the chrooted smtpd gets tagged (two From fields)
printf 'From: A <a@stock.example>\r\nFrom: B <b@stock.example>\r\nTo: <bob@gmail.com>\r\nSubject: stock\r\nDate: Sun, 29 Nov 2026 05:00:00 +0000\r\nMessage-ID: <stock@stock.example>\r\n\r\nbody\r\n' > "$T/tag.eml"
r=$(pfx_send a@stock.example bob@gmail.com "$T/tag.eml")
check "accepted through the chrooted smtpd ($r)" [ "${r%% *}" = 250 ]
pfx_queue_settle 30
f=$(pfx_sink_file "Message-ID: <stock@stock.example>")
check "delivered with X-Preflight fields" \
    grep -q "^X-Preflight-Verdict: " "${f:-/dev/null}"
# ExecReload: -n, then HUP to the daemon, as the user
(unit_exec "$(sed -n 's/^ExecReload=\(\/usr.*\)/\1/p' "$unit")") >/dev/null 2>&1 &&
    setpriv --reuid="$u_user" --regid="$u_group" --init-groups kill -HUP "$MPID"
i=0
until grep -q "reloaded" "$T/milter.log" || [ "$i" -gt 60 ]; do
	sleep 0.05; i=$((i + 1))
done
check "ExecReload reloads the daemon" grep -q "reloaded" "$T/milter.log"

# the mta.* facts, computed by the daemon at start and on reload: with
# PostfixDir, RelayViaGoogle and no TLS, every message is predicted 530
# 5.7.0 (starttls-required); back to TLS may, it is not
reload_wait() {	# N - until the log has N "reloaded" lines
	local i=0
	setpriv --reuid="$u_user" --regid="$u_group" --init-groups \
	    kill -HUP "$MPID"
	until [ "$(grep -c reloaded "$T/milter.log")" -ge "$1" ] ||
	    [ "$i" -gt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
}
cp "$T/preflight.conf" "$T/preflight.conf.stock"
sed -i 's/^RelayViaGoogle no/RelayViaGoogle yes/' "$T/preflight.conf"
echo "PostfixDir $T/etc" >> "$T/preflight.conf"
postconf -c "$T/etc" -e "smtp_tls_security_level = none"
reload_wait 2
printf 'From: A <a@stock.example>\r\nTo: <bob@gmail.com>\r\nSubject: notls\r\nDate: Sun, 29 Nov 2026 05:00:00 +0000\r\nMessage-ID: <notls@stock.example>\r\n\r\nbody\r\n' > "$T/notls.eml"
r=$(pfx_send a@stock.example bob@gmail.com "$T/notls.eml")
pfx_queue_settle 30
f=$(pfx_sink_file "Message-ID: <notls@stock.example>")
check "PostfixDir at reload: no TLS to the relay predicts 530 5.7.0 ($r)" \
    grep -q "^X-Preflight-Prediction: 530 5.7.0 starttls-required" "${f:-/dev/null}"
postconf -c "$T/etc" -e "smtp_tls_security_level = may"
reload_wait 3
sed -i 's/notls/maytls/g' "$T/notls.eml"
r=$(pfx_send a@stock.example bob@gmail.com "$T/notls.eml")
pfx_queue_settle 30
f=$(pfx_sink_file "Message-ID: <maytls@stock.example>")
check "... and with TLS may it is not ($r)" \
    nogrep "^X-Preflight-Prediction: 530" "${f:-/dev/null}"
check "... (the message did arrive)" [ -n "$f" ]
cp "$T/preflight.conf.stock" "$T/preflight.conf"
reload_wait 4

# --- doctor on the stock instance
doc() { "$pf" doctor "$@" >"$T/out" 2>"$T/err"; echo $?; }
rc=$(doc --config "$T/preflight.conf" --postfix-dir "$T/etc" --domain stock.example)
cat "$T/out" | sed 's/^/     /'
check "stock layout: exit 0 ($rc)" [ "$rc" = 0 ]
check "stock layout: no FAIL and nothing unknown" \
    nogrep -q '^\(FAIL\|unknown\)' "$T/out"
check "stock layout: the only warning is TLS level may" \
    [ "$(grep '^warn' "$T/out" | awk '{print $2}')" = tls.gmail ]
for c in "milter\[$svc\]" "milter\[cleanup\]" "default_action\[$svc\]" \
    helo "ptr\[198.51.100.10\]" "helo.fcrdns\[198.51.100.10\]" \
    "mx\[stock.example\]" "spf\[stock.example\]" \
    "spf.record\[stock.example\]" "dkim\[stock.example\]" \
    "dmarc\[stock.example\]" smtputf8; do
	check "stock layout: ok $c" grep -q "^ok  *$c  " "$T/out"
done
check "the smtpd milter is reached inside the chroot as postfix" \
    grep -qF "$(line ok "milter[$svc]" "unix:preflight/milter.sock -> $sock (chrooted), postfix can connect")" "$T/out"
rc=$(doc --json --config "$T/preflight.conf" --postfix-dir "$T/etc" --domain stock.example)
check "--json parses, status warn, exit 0 ($rc)" python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["status"] == "warn", j["status"]
t = [f for f in j["findings"] if f["check"] == "tls.gmail"][0]
assert t["rule"] == "tls-required-for-domain" and t["reply"] == 421, t
' "$T/out"

# the sending domains also come from Action scopes (and Signer lines)
conf "$T/action.conf" "Action weak.stock.example permanent tag"
rc=$(doc --config "$T/action.conf" --postfix-dir "$T/etc")
check "an Action scope is a sending domain to check (exit $rc)" \
    grep -q "^ok       mx\[weak.stock.example\]  " "$T/out"
check "... and so is a Signer domain" \
    grep -q "^ok       dkim\[stock.example\]  " "$T/out"

# --- one thing broken at a time
# pfdir NAME - a copy of the instance's config directory to break
pfdir() {
	rm -rf "$T/$1"; cp -a "$T/etc" "$T/$1"; echo "$T/$1"
}
# expect WHAT RC LINE DOCTOR-ARGS... - exit status and the exact line
expect() {
	local what=$1 want=$2 line=$3 rc
	shift 3
	rc=$(doc "$@")
	check "$what: exit $want ($rc)" [ "$rc" = "$want" ]
	if grep -qxF -- "$line" "$T/out"; then
		ok "$what: the line"
	else
		bad "$what: no line: $line"; grep -v '^ok' "$T/out" | sed 's/^/     /'
	fi
}
fix_sock="Socket under the queue directory, e.g. local:/var/spool/postfix/preflight/milter.sock, named unix:preflight/milter.sock"

# socket outside the chroot: Socket /run-like path, main.cf names it absolute
d=$(pfdir etc-outside)
mkdir -p "$T/outside"
postconf -c "$d" -e "smtpd_milters = unix:$T/outside/milter.sock"
conf "$T/outside.conf"
sed -i "s|^Socket .*|Socket local:$T/outside/milter.sock|" "$T/outside.conf"
expect "socket outside the chroot" 1 \
    "$(line FAIL "milter[$svc]" "unix:$T/outside/milter.sock: $T/outside/milter.sock is outside the chroot of $svc ($spool); the service looks for $spool$T/outside/milter.sock -- fix: $fix_sock")" \
    --config "$T/outside.conf" --postfix-dir "$d" --domain stock.example

# wrong mode on the socket
chmod 0600 "$sock"
expect "socket mode 0600" 1 \
    "$(line FAIL "milter[$svc]" "unix:preflight/milter.sock: postfix cannot write to the socket (srw------- preflight:postfix) -- fix: socket directory preflight:postfix 0750; SocketMode 0660 and SocketGroup postfix in preflight.conf")" \
    --config "$T/preflight.conf" --postfix-dir "$T/etc" --domain stock.example
chmod 0660 "$sock"

# milter_default_action = accept
d=$(pfdir etc-accept)
postconf -c "$d" -e "milter_default_action = accept"
expect "milter_default_action = accept" 1 \
    "$(line FAIL "default_action[$svc]" "milter_default_action = accept: mail leaves unchecked while preflight is down -- fix: milter_default_action = tempfail")" \
    --config "$T/preflight.conf" --postfix-dir "$d" --domain stock.example

# ... or per milter, in a { } group (Postfix 3.0)
d=$(pfdir etc-group)
postconf -c "$d" -e "smtpd_milters = { unix:preflight/milter.sock, default_action=accept }"
expect "a milter's own default_action = accept" 1 \
    "$(line FAIL "default_action[$svc]" "default_action = accept: mail leaves unchecked while preflight is down -- fix: default_action=tempfail in the milter's { } group")" \
    --config "$T/preflight.conf" --postfix-dir "$d" --domain stock.example

# smtp_tls_security_level = none
d=$(pfdir etc-notls)
postconf -c "$d" -e "smtp_tls_security_level = none"
expect "smtp_tls_security_level = none" 1 \
    "$(line FAIL "tls.gmail" "smtp_tls_security_level = none for [127.0.0.1]:$(postconf -c "$d" -h relayhost | sed 's/.*://') (transport smtp, relayhost) -- fix: smtp_tls_security_level = may (or encrypt) -- would cause 421 4.7.0 tls-required-for-domain")" \
    --config "$T/preflight.conf" --postfix-dir "$d" --domain stock.example
# ... and a -o override on the smtp transport counts too
d=$(pfdir etc-notls-o)
postconf -c "$d" -P "smtp/unix/smtp_tls_security_level=none"
rc=$(doc --config "$T/preflight.conf" --postfix-dir "$d" --domain stock.example)
check "a master.cf -o smtp_tls_security_level=none fails (exit $rc)" \
    grep -q "^FAIL     tls.gmail                 smtp_tls_security_level (-o in master.cf) = none" "$T/out"

# a HELO name without FCrDNS
d=$(pfdir etc-helo)
postconf -c "$d" -e "myhostname = nofcrdns.stock.example"
conf "$T/helo.conf"
sed -i "s|^HELO .*|HELO nofcrdns.stock.example|" "$T/helo.conf"
expect "HELO without FCrDNS" 1 \
    "$(line FAIL "helo.fcrdns[198.51.100.10]" "HELO nofcrdns.stock.example does not resolve to 198.51.100.10 (PTR mta.stock.example) -- fix: HELO name = the PTR name of the address, with an A/AAAA record pointing back to it -- would cause 550 5.7.25 ptr-mismatch")" \
    --config "$T/helo.conf" --postfix-dir "$d" --domain stock.example

# an IPv6 egress without PTR, when Postfix sends over IPv6
d=$(pfdir etc-v6)
postconf -c "$d" -e "inet_protocols = all"
conf "$T/v6.conf" "EgressIP 2001:db8::99"
expect "IPv6 egress without PTR" 1 \
    "$(line FAIL "ptr[2001:db8::99]" "2001:db8::99 has no PTR record -- fix: ask the owner of the address for a PTR naming the HELO name -- would cause 550 5.7.1 ipv6-guidelines")" \
    --config "$T/v6.conf" --postfix-dir "$d" --domain stock.example
check "... and SPF does not cover it" grep -qF \
    "$(line FAIL "spf[stock.example]" "2001:db8::99: fail; the record does not cover this address")" "$T/out"
rc=$(doc --config "$T/v6.conf" --postfix-dir "$T/etc" --domain stock.example)
check "... not used when inet_protocols has no IPv6" grep -qxF \
    "$(line ok "ptr[2001:db8::99]" "inet_protocols has no IPv6: not used")" "$T/out"
check "... and its SPF not judged then" grep -qxF \
    "$(line ok "spf[stock.example]" "2001:db8::99: inet_protocols has no IPv6: not used")" "$T/out"
# ... and only a warning when Postfix prefers IPv4 (IPv6 only as fallback)
d=$(pfdir etc-v6pref)
postconf -c "$d" -e "inet_protocols = all" "smtp_address_preference = ipv4"
rc=$(doc --config "$T/v6.conf" --postfix-dir "$d" --domain stock.example)
check "IPv6 egress without PTR under smtp_address_preference = ipv4 warns" grep -qxF \
    "$(line warn "ptr[2001:db8::99]" "2001:db8::99 has no PTR record; used only when delivery over IPv4 fails (smtp_address_preference = ipv4) -- fix: ask the owner of the address for a PTR naming the HELO name -- would cause 550 5.7.1 ipv6-guidelines")" "$T/out"
check "... and so does its SPF" grep -qF \
    "$(line warn "spf[stock.example]" "2001:db8::99: fail; the record does not cover this address; used only when delivery over IPv4 fails")" "$T/out"

# an egress address whose PTR looks like a provider's pool
conf "$T/generic.conf"
sed -i 's/^EgressIP 198.51.100.10$/EgressIP 198.51.100.11/' "$T/generic.conf"
rc=$(doc --config "$T/generic.conf" --postfix-dir "$T/etc")
check "a generic PTR warns (exit $rc)" grep -qxF \
    "$(line warn "ptr.generic[198.51.100.11]" "PTR 198-51-100-11.pool.stock.example looks generic: holds the address (198-51-100-11) -- fix: a PTR naming your mail host, not the provider's pool -- would cause 550 5.7.1 ip-not-authorized-direct")" "$T/out"

# SPF without the egress address
expect "SPF missing the egress address" 1 \
    "$(line FAIL "spf[nospf.stock.example]" "198.51.100.10: fail; the record does not cover this address -- fix: add the address to the SPF record (ip4:/ip6:) -- would cause 550 5.7.26 spf-hardfail")" \
    --config "$T/preflight.conf" --postfix-dir "$T/etc" --domain nospf.stock.example

# a DKIM selector that is not published
conf "$T/unpub.conf" "Signer unpub.stock.example s2048 $keys/rsa2048.pem"
expect "DKIM selector not published" 1 \
    "$(line FAIL "dkim[unpub.stock.example]" "s=s2048: no DKIM key published at s2048._domainkey.unpub.stock.example -- fix: publish the public key as TXT at the selector -- would cause 550 5.7.26 unauthenticated")" \
    --config "$T/unpub.conf" --postfix-dir "$T/etc" --domain unpub.stock.example

# a 1024-bit key: accepted by Gmail, a warning, exit 0
conf "$T/weak.conf" "Signer weak.stock.example s1024 $keys/other1024.pem"
expect "1024-bit DKIM key" 0 \
    "$(line warn "dkim[weak.stock.example]" "s=s1024: published and matching, but 1024 bits (Gmail recommends 2048) -- fix: a 2048-bit RSA key")" \
    --config "$T/weak.conf" --postfix-dir "$T/etc" --domain weak.stock.example

# no DMARC, for a bulk sender
conf "$T/nodmarc.conf" "Signer nodmarc.example s2048 $keys/rsa2048.pem"
sed -i 's/^Bulk .*/Bulk yes/' "$T/nodmarc.conf"
expect "no DMARC (bulk sender)" 1 \
    "$(line FAIL "dmarc[nodmarc.example]" "no DMARC record at _dmarc.nodmarc.example -- fix: publish \"v=DMARC1; p=none; rua=mailto:...\" at _dmarc -- would cause 550 5.7.40 bulk-dmarc-missing")" \
    --config "$T/nodmarc.conf" --postfix-dir "$T/etc" --domain nodmarc.example

# a domain that does not exist
expect "a domain that does not exist" 1 \
    "$(line FAIL "mx[gone.stock.example]" "gone.stock.example does not exist (NXDOMAIN) -- fix: publish the domain, or send from one that exists -- would cause 550 5.7.26 unauthenticated")" \
    --config "$T/preflight.conf" --postfix-dir "$T/etc" --domain gone.stock.example

# DNS down: every DNS check unknown, none ok
conf "$T/nodns.conf"
sed -i "s|^Nameserver .*|Nameserver 127.0.0.1:$(pfx_free_port)|; s|^DNSQueryTimeout .*|DNSQueryTimeout 300|" "$T/nodns.conf"
rc=$(doc --config "$T/nodns.conf" --postfix-dir "$T/etc" --domain stock.example)
check "DNS down: exit 1 ($rc)" [ "$rc" = 1 ]
for c in helo "ptr\[198.51.100.10\]" "mx\[stock.example\]" "spf\[stock.example\]" \
    "dkim\[stock.example\]" "dmarc\[stock.example\]"; do
	check "DNS down: $c is unknown" grep -q "^unknown  $c  " "$T/out"
done
check "DNS down: no DNS check says ok" \
    nogrep '^ok  *\(helo\|ptr\|mx\|spf\|dkim\|dmarc\)' "$T/out"

# --- the STARTTLS probe, on and off
rc=$(doc --config "$T/preflight.conf" --postfix-dir "$T/etc" --domain stock.example --probe "127.0.0.1:$PFX_SMTPD")
check "probe with STARTTLS: exit 0 ($rc)" [ "$rc" = 0 ]
check "probe with STARTTLS: handshake, self-signed certificate" \
    grep -q "^ok       tls.probe\[127.0.0.1:$PFX_SMTPD\]  TLSv1.[23] .*CN = mta.stock.example.*verify: self-signed certificate\|^ok       tls.probe\[127.0.0.1:$PFX_SMTPD\]  TLSv1.[23] .*CN=mta.stock.example.*verify: self-signed certificate" "$T/out"
postconf -c "$T/etc" -e "smtpd_tls_security_level = none"
postfix -c "$T/etc" reload >/dev/null 2>&1
sleep 1
expect "probe without STARTTLS" 1 \
    "$(line FAIL "tls.probe[127.0.0.1:$PFX_SMTPD]" "STARTTLS is not offered after EHLO -- fix: smtpd_tls_security_level = may with a certificate (smtpd_tls_chain_files) on that host -- would cause 421 4.7.0 tls-required-for-domain")" \
    --config "$T/preflight.conf" --postfix-dir "$T/etc" --domain stock.example --probe "127.0.0.1:$PFX_SMTPD"

# --- bad input
mkdir -p "$T/secret" && cp "$T/etc/main.cf" "$T/etc/master.cf" "$T/secret/" &&
    chmod 700 "$T/secret"
rc=$(cd /; setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$pf" doctor --config "$T/preflight.conf" --postfix-dir "$T/secret" \
    2>"$T/err" >/dev/null; echo $?)
check "unreadable config dir: exit 66 ($rc)" [ "$rc" = 66 ]
check "... and says why ($(cat "$T/err"))" \
    grep -qx "preflight: $T/secret: Permission denied" "$T/err"
d=$(pfdir etc-syntax)
printf 'this line has no equals sign\n' >> "$d/main.cf"
n=$(wc -l < "$d/main.cf")
rc=$(doc --config "$T/preflight.conf" --postfix-dir "$d")
check "main.cf syntax error: exit 78 ($rc)" [ "$rc" = 78 ]
check "... as file:line: message ($(cat "$T/err"))" \
    grep -qx "preflight: $d/main.cf:$n: missing '=' after attribute name: \"this line has no equals sign\"" "$T/err"
rc=$(doc --config "$T/preflight.conf" --postfix-dir "$T/etc" --domain 'bad domain')
check "a --domain that is not a name: exit 64 ($rc)" [ "$rc" = 64 ]
rc=$(doc --postfix-dir "$T/etc" --sendmail-cf /dev/null)
check "--postfix-dir with --sendmail-cf: exit 64 ($rc)" [ "$rc" = 64 ]

echo "doctor: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
