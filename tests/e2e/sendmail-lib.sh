# SPDX-License-Identifier: BSD-2-Clause
# sendmail-lib.sh - a private, throwaway Sendmail for end-to-end tests.
#
# Sourced by tests/e2e/run-sendmail.sh (bash).  Debian's sendmail-bin
# conflicts with postfix, so it is never installed: the three .debs are
# fetched once with `apt-get download` into a cache directory, unpacked
# into the run's own root with `dpkg-deb -x`, and the daemon runs from
# there inside a private mount namespace (`unshare -m`) where /etc/hosts
# and /etc/nsswitch.conf are bind-mounted from the run directory, so that
# startup never waits on DNS to canonicalize the host name.  The daemon
# listens on a free loopback port, relays everything to an smtp-sink on
# another free port, and calls one milter given as a socket spec.
#
# Everything lives under $SM_T (made by sm_init with mktemp -d); sm_cleanup
# stops what was started and removes it.  The caller installs the trap.
#
# Needs: apt-get (only while the cache is empty), dpkg-deb, m4, unshare,
# python3, smtp-sink (postfix), and Sendmail's runtime libraries
# (contrib/install-deps.sh installs them).

SM_DEBS="sendmail-bin sendmail-cf sendmail-base"
SM_CACHE=${PF_SENDMAIL_DEBS:-${TMPDIR:-/tmp}/preflight-sendmail-debs}
SM_T=
SM_PIDS=

# sm_log - one line on stderr
sm_log() {
	echo "sendmail-e2e: $*" >&2
}

# sm_free_port - print a loopback TCP port that is free right now
sm_free_port() {
	python3 "$(dirname "${BASH_SOURCE[0]}")/../tools/free-port.py"
}

# sm_wait_port - wait up to $2 tenths of a second for 127.0.0.1:$1
sm_wait_port() {
	_n=0
	while [ "$_n" -lt "$2" ]; do
		python3 -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)
s.close()' "$1" 2>/dev/null && return 0
		sleep 0.1
		_n=$((_n + 1))
	done
	return 1
}

# sm_init - make the run directory; sets SM_T
sm_init() {
	SM_T=$(mktemp -d "${TMPDIR:-/tmp}/pf-sendmail.XXXXXX") || return 1
	chmod 755 "$SM_T"
	mkdir -p "$SM_T/root" "$SM_T/queue" "$SM_T/sink" "$SM_T/msg" &&
	    chmod 700 "$SM_T/queue"
}

# sm_fetch - the three .debs in the cache, downloaded once, same version;
# runs that start together take turns (flock on the cache)
sm_fetch() {
	mkdir -p "$SM_CACHE" || return 1
	(
		flock -w 300 9 || { sm_log "cache $SM_CACHE is locked"; exit 1; }
		sm_fetch_locked
	) 9>"$SM_CACHE/.lock" || return 1
	SM_VERSION=$(dpkg-deb -f "$SM_CACHE"/sendmail-bin_*.deb Version)
}

# sm_cache_ok - exactly one readable .deb of each package, one version
sm_cache_ok() {
	_v=
	for _p in $SM_DEBS; do
		set -- "$SM_CACHE/${_p}"_*.deb
		[ "$#" -eq 1 ] && [ -f "$1" ] || return 1
		_pv=$(dpkg-deb -f "$1" Version 2>/dev/null) || return 1
		[ -z "$_v" ] || [ "$_v" = "$_pv" ] || return 1
		_v=$_pv
	done
}

# sm_fetch_locked - sm_fetch with the cache lock held: (re)download
# unless the cache is whole
sm_fetch_locked() {
	sm_cache_ok && return 0
	sm_log "downloading $SM_DEBS into $SM_CACHE"
	rm -f "$SM_CACHE"/*.deb
	(cd "$SM_CACHE" && apt-get download $SM_DEBS >download.log 2>&1) || {
		# an empty or old package list: refresh it once
		apt-get update -qq >/dev/null 2>&1
		(cd "$SM_CACHE" && apt-get download $SM_DEBS \
		    >download.log 2>&1)
	} || { cat "$SM_CACHE/download.log" >&2; return 1; }
	sm_cache_ok || { sm_log "bad download in $SM_CACHE"; return 1; }
}

# sm_unpack - the packages into $SM_T/root; checks the binary can load
sm_unpack() {
	for _p in $SM_DEBS; do
		dpkg-deb -x "$SM_CACHE/${_p}"_*.deb "$SM_T/root" || return 1
	done
	SM_BIN=$SM_T/root/usr/libexec/sendmail/sendmail
	SM_CF_DIR=$SM_T/root/usr/share/sendmail/cf
	[ -x "$SM_BIN" ] || { sm_log "no $SM_BIN in the package"; return 1; }
	if ldd "$SM_BIN" | grep -q 'not found'; then
		sm_log "missing runtime libraries (run contrib/install-deps.sh):"
		ldd "$SM_BIN" | grep 'not found' >&2
		return 1
	fi
}

# sm_configure MILTER_SPEC [SNIPPET] - write $SM_T/sendmail.cf and the
# files it names; MILTER_SPEC is Sendmail's S= value (inet:PORT@127.0.0.1,
# local:/path).  SNIPPET is an .mc fragment with the INPUT_MAIL_FILTER line
# and macro lists (contrib/sendmail/preflight.mc), used as shipped with
# only its S= value replaced; without it, a generic filter line is used;
# an empty MILTER_SPEC means no filter.  SM_RELAY_NAME (default 127.0.0.1,
# a bracketed smart host) names the relay, also written into the hosts
# file as 127.0.0.1; SM_LOG_LEVEL (default 14) is Sendmail's LogLevel;
# SM_MC_EXTRA is added to the .mc as it is.  Sets SM_PORT and
# SM_SINK_PORT (the relay's port).
sm_configure() {
	if [ -z "$1" ]; then
		_filter=
	elif [ -n "${2:-}" ]; then
		grep -q "^INPUT_MAIL_FILTER(.*S=[^,']*" "$2" ||
		    { sm_log "$2: no INPUT_MAIL_FILTER with S="; return 1; }
		_filter=$(sed "s|S=[^,']*|S=$1|" "$2")
	else
		_filter="INPUT_MAIL_FILTER(\`milter', \`S=$1, F=T,"
		_filter="$_filter T=C:10s;S:30s;R:30s;E:60s')dnl"
	fi
	SM_PORT=$(sm_free_port) && SM_SINK_PORT=$(sm_free_port) || return 1
	[ "$SM_PORT" != "$SM_SINK_PORT" ] || SM_SINK_PORT=$(sm_free_port)
	_relay=${SM_RELAY_NAME:-127.0.0.1}
	case $_relay in
	127.0.0.1) _names= ;;
	*) _names="$_relay " ;;
	esac
	printf '127.0.0.1\t%smta.example.com %s localhost\n' "$_names" \
	    "$(hostname)" >"$SM_T/hosts"
	printf 'hosts: files\n' >"$SM_T/nsswitch.conf"
	printf 'hosts files\naliases files\n' >"$SM_T/service.switch"
	: >"$SM_T/aliases"
	: >"$SM_T/statistics"
	cat >"$SM_T/sendmail.mc" <<EOF
OSTYPE(\`linux')dnl
define(\`confDOMAIN_NAME', \`mta.example.com')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
define(\`QUEUE_DIR', \`$SM_T/queue')dnl
define(\`confPID_FILE', \`$SM_T/sendmail.pid')dnl
define(\`STATUS_FILE', \`$SM_T/statistics')dnl
define(\`ALIAS_FILE', \`$SM_T/aliases')dnl
define(\`confSERVICE_SWITCH_FILE', \`$SM_T/service.switch')dnl
define(\`confHOST_STATUS_DIRECTORY', \`')dnl
define(\`confDONT_BLAME_SENDMAIL', \`GroupWritableDirPathSafe,InsufficientEntropy,TrustStickyBit')dnl
define(\`confTO_IDENT', \`0')dnl
define(\`confLOG_LEVEL', \`${SM_LOG_LEVEL:-14}')dnl
define(\`SMART_HOST', \`esmtp:[$_relay]')dnl
define(\`ESMTP_MAILER_ARGS', \`TCP \$h $SM_SINK_PORT')dnl
DAEMON_OPTIONS(\`Port=$SM_PORT, Addr=127.0.0.1, Name=MTA')dnl
$_filter
${SM_MC_EXTRA:-}
FEATURE(\`nocanonify')dnl
FEATURE(\`promiscuous_relay')dnl
FEATURE(\`accept_unresolvable_domains')dnl
FEATURE(\`no_default_msa')dnl
MAILER(\`smtp')dnl
EOF
	m4 -D_CF_DIR_="$SM_CF_DIR/" "$SM_CF_DIR/m4/cf.m4" "$SM_T/sendmail.mc" \
	    >"$SM_T/sendmail.cf" 2>"$SM_T/m4.err" ||
	    { cat "$SM_T/m4.err" >&2; return 1; }
}

# sm_configure_msp - $SM_T/submit.cf: the mail submission program that
# sendmail(1) on the command line uses (as in Debian's submit.mc), relaying
# to our daemon's port over SMTP, where the milter sees the message
sm_configure_msp() {
	mkdir -p "$SM_T/clientmqueue" && chmod 770 "$SM_T/clientmqueue" &&
	    chown nobody:nogroup "$SM_T/clientmqueue" || return 1
	: >"$SM_T/sm-client.st"
	cat >"$SM_T/submit.mc" <<EOF
define(\`confCF_VERSION', \`Submit')dnl
define(\`__OSTYPE__',\`')dnl
define(\`confTIME_ZONE', \`USE_TZ')dnl
define(\`confDONT_INIT_GROUPS', \`True')dnl
define(\`confDOMAIN_NAME', \`mta.example.com')dnl
define(\`confRUN_AS_USER', \`nobody')dnl
define(\`MSP_QUEUE_DIR', \`$SM_T/clientmqueue')dnl
define(\`confPID_FILE', \`$SM_T/sm-client.pid')dnl
define(\`STATUS_FILE', \`$SM_T/sm-client.st')dnl
define(\`confSERVICE_SWITCH_FILE', \`$SM_T/service.switch')dnl
define(\`confHOST_STATUS_DIRECTORY', \`')dnl
define(\`confDONT_BLAME_SENDMAIL', \`GroupWritableDirPathSafe,InsufficientEntropy,TrustStickyBit')dnl
define(\`RELAY_MAILER_ARGS', \`TCP \$h $SM_PORT')dnl
FEATURE(\`msp', \`[127.0.0.1]')dnl
EOF
	m4 -D_CF_DIR_="$SM_CF_DIR/" "$SM_CF_DIR/m4/cf.m4" "$SM_T/submit.mc" \
	    >"$SM_T/submit.cf" 2>"$SM_T/m4.err" ||
	    { cat "$SM_T/m4.err" >&2; return 1; }
}

# sm_submit ARGS... - command-line submission through submit.cf
sm_submit() {
	unshare -m --propagation private sh -c '
		mount --bind "$1" /etc/hosts &&
		mount --bind "$2" /etc/nsswitch.conf || exit 71
		shift 2
		exec "$@"' sh "$SM_T/hosts" "$SM_T/nsswitch.conf" \
	    "$SM_BIN" -C "$SM_T/submit.cf" "$@"
}

# sm_run ARGS... - run the unpacked sendmail with our .cf inside the
# mount namespace (every invocation needs it, not only the daemon)
sm_run() {
	unshare -m --propagation private sh -c '
		mount --bind "$1" /etc/hosts &&
		mount --bind "$2" /etc/nsswitch.conf || exit 71
		shift 2
		exec "$@"' sh "$SM_T/hosts" "$SM_T/nsswitch.conf" \
	    "$SM_BIN" -C "$SM_T/sendmail.cf" "$@"
}

# sm_start_sink - smtp-sink -d on $SM_SINK_PORT, one file per message
sm_start_sink() {
	chown postfix "$SM_T/sink" 2>/dev/null
	smtp-sink -u postfix -d "$SM_T/sink/%H%M%S." "127.0.0.1:$SM_SINK_PORT" \
	    64 >"$SM_T/sink.log" 2>&1 &
	SM_PIDS="$SM_PIDS $!"
	sm_wait_port "$SM_SINK_PORT" 50 ||
	    { sm_log "smtp-sink did not start"; cat "$SM_T/sink.log" >&2; return 1; }
}

# sm_start - the Sendmail daemon in the foreground (-bD), as a child of ours
sm_start() {
	sm_run -bD -q1m -O LogLevel=14 >"$SM_T/sendmail.log" 2>&1 &
	SM_PIDS="$SM_PIDS $!"
	SM_DAEMON=$!
	sm_wait_port "$SM_PORT" 150 || {
		sm_log "sendmail did not listen on 127.0.0.1:$SM_PORT"
		cat "$SM_T/sendmail.log" >&2
		return 1
	}
}

# sm_cleanup - stop what we started (children of ours only), remove $SM_T
sm_cleanup() {
	if [ -n "$SM_T" ] && [ -s "$SM_T/sendmail.pid" ]; then
		kill "$(head -1 "$SM_T/sendmail.pid")" 2>/dev/null
	fi
	for _pid in $SM_PIDS; do
		kill "$_pid" 2>/dev/null
	done
	for _pid in $SM_PIDS; do
		wait "$_pid" 2>/dev/null
	done
	SM_PIDS=
	if [ -n "$SM_T" ] && [ -z "${PF_KEEP:-}" ]; then
		rm -rf "$SM_T"
	elif [ -n "$SM_T" ]; then
		sm_log "kept $SM_T"
	fi
}

# sm_send FROM RCPT FILE - submit FILE over SMTP to the daemon; prints
# "CODE TEXT" of the reply that ended the transaction (the end-of-data
# reply, or the first refusal), on one line
sm_send() {
	python3 - "$SM_PORT" "$1" "$2" "$3" <<'EOF'
import smtplib, sys
port, sender, rcpt, path = int(sys.argv[1]), sys.argv[2], sys.argv[3], \
    sys.argv[4]
data = open(path, "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
s = smtplib.SMTP("127.0.0.1", port, "client.example.com", timeout=120)
def show(code, text):
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    print(code, " ".join(text.split()))
try:
    s.ehlo("client.example.com")
    code, text = s.mail(sender)
    if code >= 400:
        show(code, text); sys.exit(0)
    code, text = s.rcpt(rcpt)
    if code >= 400:
        show(code, text); sys.exit(0)
    code, text = s.data(data)
    show(code, text)
except smtplib.SMTPDataError as e:
    show(e.smtp_code, e.smtp_error)
except smtplib.SMTPResponseException as e:
    show(e.smtp_code, e.smtp_error)
finally:
    try:
        s.quit()
    except Exception:
        pass
EOF
}

# sm_sink_wait TOKEN - the sink file holding TOKEN, waiting up to 30 s
sm_sink_wait() {
	_n=0
	while [ "$_n" -lt 300 ]; do
		_f=$(grep -l -F -e "$1" "$SM_T/sink"/* 2>/dev/null | head -1)
		[ -n "$_f" ] && { echo "$_f"; return 0; }
		sleep 0.1
		_n=$((_n + 1))
	done
	return 1
}

# sm_queue_quarantined - the quarantine listing (sendmail -bp -qQ)
sm_queue_quarantined() {
	sm_run -bp -qQ 2>&1
}
