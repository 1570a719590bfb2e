# SPDX-License-Identifier: BSD-2-Clause
# lib.sh - shared pieces of the benchmark and load scripts (sourced, bash).
# Everything runs from one private directory $T, on free loopback ports,
# and bench_cleanup (installed on EXIT by bench_init) stops what was started.
# Nothing here reads or writes the system's own Postfix, OpenDKIM or rspamd
# configuration.

PY=${PYTHON:-/usr/bin/python3}
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_PIDS=()

# bench_init - make $T and arrange for cleanup
bench_init() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/pfbench.XXXXXX")
	chmod 755 "$T"
	mkdir -p "$T/sock"
	chmod 1777 "$T/sock"
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
}

bench_cleanup() {
	local p
	[ -f "$T/etc/main.cf" ] && postfix -c "$T/etc" stop >/dev/null 2>&1
	for p in "${BENCH_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${BENCH_PIDS[@]}"; do
		bench_waitpid "$p" 50 || kill -9 "$p" 2>/dev/null
	done
	if [ -n "${BENCH_KEEP:-}" ]; then
		echo "bench: kept $T" >&2
	else
		rm -rf "$T"
	fi
}

# bench_waitpid PID TENTHS - wait up to TENTHS/10 s for PID to go away
bench_waitpid() {
	local i=0
	while kill -0 "$1" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -gt "$2" ] && return 1
		sleep 0.1
	done
	return 0
}

# bench_port - a loopback TCP port that is free right now
bench_port() {
	"$PY" "$BENCH_DIR/../../tests/tools/free-port.py"
}

# bench_wait_tcp PORT [SECONDS] - until something listens on 127.0.0.1:PORT
bench_wait_tcp() {
	local i=0
	until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -gt $((${2:-10} * 20)) ] &&
		    { echo "bench: nothing on port $1" >&2; return 1; }
		sleep 0.05
	done
}

# bench_wait_unix PATH [SECONDS] - until a unix socket exists at PATH
bench_wait_unix() {
	local i=0
	until [ -S "$1" ]; do
		i=$((i + 1))
		[ "$i" -gt $((${2:-10} * 20)) ] &&
		    { echo "bench: no socket $1" >&2; return 1; }
		sleep 0.05
	done
}

# bench_dns - a fixture NSD for bench.example with the DKIM key, SPF and
# DMARC, and an empty root zone so that every other name gets a
# cacheable NXDOMAIN at once (like a warm resolver: nothing waits on the
# network, and nothing is refused); sets DNS_PORT.  With BENCH_DNS_CHAINS
# set, SPF includes another record and the egress address 192.0.2.10 has
# a PTR name with an A record, so both chains of lookups are exercised.
bench_dns() {
	local pub
	openssl genrsa -out "$T/dkim.pem" 2048 2>/dev/null
	pub=$(openssl rsa -in "$T/dkim.pem" -pubout 2>/dev/null |
	    grep -v -- '-----' | tr -d '\n')
	DNS_PORT=$(bench_port)
	mkdir -p "$T/zones"
	cat > "$T/zones/bench.example.zone" <<ZONE
\$ORIGIN bench.example.
\$TTL 3600
@	IN SOA ns1 hostmaster ( 1 3600 600 86400 300 )
@	IN NS ns1
ns1	IN A 127.0.0.1
@	IN A 127.0.0.1
@	IN MX 10 mail
mail	IN A 127.0.0.1
_dmarc	IN TXT "v=DMARC1; p=none"
s1._domainkey IN TXT ( "v=DKIM1; k=rsa; p=${pub:0:200}" "${pub:200}" )
ZONE
	if [ -n "${BENCH_DNS_CHAINS:-}" ]; then
		# lookups that follow from answers: an SPF include, and the
		# forward lookup of the egress address's PTR name (FCrDNS)
		cat >> "$T/zones/bench.example.zone" <<ZONE
@	IN TXT "v=spf1 ip4:127.0.0.0/8 include:_spf.bench.example -all"
_spf	IN TXT "v=spf1 ip4:198.51.100.0/24 -all"
out	IN A 192.0.2.10
ZONE
		cat > "$T/zones/reverse.zone" <<ZONE
\$ORIGIN 2.0.192.in-addr.arpa.
\$TTL 3600
@	IN SOA ns1.bench.example. hostmaster.bench.example. ( 1 3600 600 86400 300 )
@	IN NS ns1.bench.example.
10	IN PTR out.bench.example.
ZONE
	else
		echo '@	IN TXT "v=spf1 ip4:127.0.0.0/8 -all"' \
		    >> "$T/zones/bench.example.zone"
	fi
	cat > "$T/zones/root.zone" <<ZONE
\$ORIGIN .
\$TTL 3600
@	IN SOA ns1.bench.example. hostmaster.bench.example. ( 1 3600 600 86400 3600 )
@	IN NS ns1.bench.example.
ZONE
	cat > "$T/nsd.conf" <<CONF
server:
    ip-address: 127.0.0.1@$DNS_PORT
    port: $DNS_PORT
    username: ""
    chroot: ""
    zonesdir: "$T/zones"
    database: ""
    zonelistfile: "$T/zone.list"
    xfrdfile: "$T/xfrd.state"
    xfrdir: "$T"
    pidfile: "$T/nsd.pid"
    logfile: "$T/nsd.log"
    server-count: 1
    verbosity: 0
remote-control:
    control-enable: no
zone:
    name: "bench.example"
    zonefile: "bench.example.zone"
zone:
    name: "."
    zonefile: "root.zone"
CONF
	[ -n "${BENCH_DNS_CHAINS:-}" ] && cat >> "$T/nsd.conf" <<CONF
zone:
    name: "2.0.192.in-addr.arpa"
    zonefile: "reverse.zone"
CONF
	/usr/sbin/nsd -d -c "$T/nsd.conf" &
	NSD_PID=$!
	BENCH_PIDS+=("$NSD_PID")
	local i=0
	until dig +short +time=1 +tries=1 @127.0.0.1 -p "$DNS_PORT" \
	    s1._domainkey.bench.example TXT 2>/dev/null | grep -q DKIM1; do
		i=$((i + 1))
		[ "$i" -gt 50 ] && { echo "bench: nsd did not start" >&2; return 1; }
		sleep 0.1
	done
	# OpenDKIM gets the same key as in-memory test data (see
	# bench_opendkim for why not through DNS)
	printf 's1._domainkey.bench.example v=DKIM1;k=rsa;p=%s\n' "$pub" \
	    > "$T/dkim-keys"
}

# bench_msgs [LIMIT] - the message set in $T/msgs, built from the real
# corpus and signed for bench.example; $T/one.eml is a median-size one
bench_msgs() {
	local src=$BENCH_DIR/../../tests/data/corpus/real
	[ -d "$src" ] || { echo "bench: no corpus at $src" >&2; return 1; }
	read -r MSG_COUNT MSG_MEDIAN MSG_MEAN < <("$PY" "$BENCH_DIR/mkmsgs.py" \
	    "$src" "$T/msgs" "$T/dkim.pem" bench.example s1 262144 "${1:-1000}")
	local f
	for f in "$T"/msgs/*.eml; do
		if [ "$(stat -c %s "$f")" -ge "$MSG_MEDIAN" ]; then
			cp "$f" "$T/one.eml"
			break
		fi
	done
}

# bench_sink [-d] - smtp-sink on a free port; sets SINK_PORT.  With -d each
# message is written to $T/sink (for counting deliveries).
bench_sink() {
	SINK_PORT=$(bench_port)
	mkdir -p "$T/sink"
	chown postfix "$T/sink"
	if [ "${1:-}" = -d ]; then
		smtp-sink -u postfix -d "$T/sink/%M." "127.0.0.1:$SINK_PORT" 512 &
	else
		smtp-sink -u postfix "127.0.0.1:$SINK_PORT" 512 &
	fi
	SINK_PID=$!
	BENCH_PIDS+=("$SINK_PID")
	bench_wait_tcp "$SINK_PORT"
}

# bench_postfix NAME=MILTERS ... - one private Postfix relaying to the sink,
# with one smtpd listener per NAME; sets PORT_<NAME>.  MILTERS is the
# smtpd_milters value for that listener (empty for none).
bench_postfix() {
	mkdir -p "$T/etc" "$T/spool" "$T/data"
	chown postfix "$T/data"
	cat > "$T/etc/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $T/spool
data_directory = $T/data
maillog_file = $T/maillog
maillog_file_prefixes = $T
mail_owner = postfix
setgid_group = postdrop
myhostname = mta.bench.example
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
relayhost = [127.0.0.1]:$SINK_PORT
milter_default_action = tempfail
milter_protocol = 6
default_process_limit = ${BENCH_PROCS:-150}
smtp_destination_concurrency_limit = 50
default_destination_concurrency_limit = 50
smtpd_milters =
non_smtpd_milters =
CF
	sed -e '/^smtp      inet /d' \
	    -e '/^[a-z0-9.:]/ s/^\(\S\+\s\+\S\+\s\+\S\+\s\+\S\+\s\+\)y/\1n/' \
	    /etc/postfix/master.cf > "$T/etc/master.cf"
	local spec name milters port
	for spec in "$@"; do
		name=${spec%%=*}
		milters=${spec#*=}
		port=$(bench_port)
		printf '127.0.0.1:%s inet n - n - - smtpd -o smtpd_milters=%s\n' \
		    "$port" "$milters" >> "$T/etc/master.cf"
		printf -v "PORT_$name" '%s' "$port"
	done
	postfix -c "$T/etc" start >/dev/null 2>&1 ||
	    { echo "bench: postfix did not start" >&2; tail "$T/maillog" >&2; return 1; }
	for spec in "$@"; do
		name=${spec%%=*}
		port=PORT_$name
		bench_wait_tcp "${!port}" || return 1
	done
}

# bench_drain - wait until the private Postfix queue is empty (60 s)
bench_drain() {
	local i=0
	while [ -n "$(find "$T/spool/incoming" "$T/spool/active" \
	    "$T/spool/deferred" -type f 2>/dev/null | head -1)" ]; do
		i=$((i + 1))
		[ "$i" -gt 600 ] && { echo "bench: queue did not drain" >&2; return 1; }
		sleep 0.1
	done
}

# bench_opendkim NAME SOCKET - OpenDKIM in verify mode on SOCKET
# (local:PATH or inet:PORT@127.0.0.1).  The key comes from TestDNSData, an
# in-memory table, i.e. a cache that is always warm.  Pointing Debian's
# OpenDKIM 2.11 at the fixture server needs ResolverConfiguration (a
# libunbound config file, for do-not-query-localhost and a non-53 port),
# and OpenDKIM parses that file for every message: two messages at once
# race in libunbound's (non-reentrant) config parser and the milter
# tempfails or crashes.  Nameservers alone cannot reach 127.0.0.1.
bench_opendkim() {
	cat > "$T/opendkim-$1.conf" <<CONF
Mode			v
Socket			$2
PidFile			$T/sock/opendkim-$1.pid
Syslog			no
Background		no
UMask			000
UserID			opendkim
TestDNSData		file:$T/dkim-keys
DNSTimeout		5
InternalHosts		192.0.2.1
AlwaysAddARHeader	yes
AuthservID		mta.bench.example
CONF
	/usr/sbin/opendkim -f -x "$T/opendkim-$1.conf" &
	BENCH_PIDS+=("$!")
}

# bench_rspamd UNIXPATH TCPPORT - rspamd_proxy in milter mode, scanning
# itself (self_scan), with a private configuration directory, DNS at the
# fixture server, and no workers on rspamd's default ports
bench_rspamd() {
	local d=$T/rspamd
	mkdir -p "$d/local.d" "$d/run" "$d/db" "$d/log"
	chown -R _rspamd "$d" 2>/dev/null || true
	cat > "$d/local.d/options.inc" <<CONF
dns {
    nameserver = ["127.0.0.1:$DNS_PORT"];
    timeout = 1s;
    retransmits = 1;
}
disable_monitoring = true;
map_watch_interval = 1h;
CONF
	# network-only modules off: no maps or lookups leave the machine
	local m
	for m in fuzzy_check rbl emails phishing url_redirector asn dcc \
	    external_services metadata_exporter clickhouse elastic p0f \
	    reputation neural ratelimit greylist replies history_redis; do
		echo "enabled = false;" > "$d/local.d/$m.conf"
	done
	cat > "$d/rspamd.conf" <<CONF
.include "\$CONFDIR/common.conf"
options {
    pidfile = "\$RUNDIR/rspamd.pid";
    .include "\$CONFDIR/options.inc"
    .include(try=true; priority=1,duplicate=merge) "\$LOCAL_CONFDIR/local.d/options.inc"
}
logging {
    type = "file";
    filename = "\$LOGDIR/rspamd.log";
    level = "error";
}
worker "rspamd_proxy" {
    bind_socket = "127.0.0.1:$2";
    bind_socket = "$1 mode=0666";
    milter = yes;
    timeout = 120s;
    upstream "local" {
        default = yes;
        self_scan = yes;
    }
    count = 2;
    max_retries = 5;
    discard_on_reject = false;
    quarantine_on_reject = false;
    spam_header = "X-Spam";
}
CONF
	/usr/bin/rspamd -f -c "$d/rspamd.conf" -u _rspamd -g _rspamd \
	    --var "LOCAL_CONFDIR=$d" --var "RUNDIR=$d/run" \
	    --var "DBDIR=$d/db" --var "LOGDIR=$d/log" >"$d/log/stdout" 2>&1 &
	BENCH_PIDS+=("$!")
}

# bench_find_preflight [BUILDDIR] - set PF_MILTER_BIN, or fail
bench_find_preflight() {
	local d
	for d in ${1:+"$1"} "$BENCH_DIR/../../build" "$BENCH_DIR/../.."; do
		if [ -x "$d/preflight-milter" ]; then
			PF_MILTER_BIN=$(cd "$d" && pwd)/preflight-milter
			return 0
		fi
	done
	return 1
}

# bench_preflight NAME CONNSPEC - preflight-milter on CONNSPEC with the
# fixture DNS server as its name server (set PF_BENCH_NODNS=1 to run it
# with DNS off; PF_BENCH_RULES names another rules file, for an older
# build)
bench_preflight() {
	local conf=$T/preflight-$1.conf
	{
		echo "Rules ${PF_BENCH_RULES:-$(cd "$BENCH_DIR/../../rules" && pwd)/gmail.rules}"
		# stateless (contrib/bench/state.sh); an older build with its
		# own rules file may not know the setting
		[ -n "${PF_BENCH_RULES:-}" ] || echo "State none"
		echo "EgressIP 192.0.2.10"
		echo "HELO mta.bench.example"
		if [ -n "${PF_BENCH_NODNS:-}" ]; then
			echo "DNS no"
		else
			echo "Nameserver 127.0.0.1:$DNS_PORT"
		fi
		echo "Socket $2"
		echo "SocketMode 0666"
		echo "PidFile $T/sock/preflight-$1.pid"
		echo "Background no"
	} > "$conf"
	# umask: the postfix user must be able to connect to a unix socket
	(umask 0; exec "$PF_MILTER_BIN" -f -e -c "$conf") \
	    >"$T/preflight-$1.log" 2>&1 &
	BENCH_PIDS+=("$!")
}

# bench_versions " NAMES " - versions and settings of the peers in use
bench_versions() {
	echo "Versions: $(postconf -d mail_version 2>/dev/null | sed 's/ = / /;s/mail_version/Postfix/')"
	case $1 in *" opendkim "*)
		echo "- OpenDKIM $(dpkg-query -W -f '${Version}' opendkim):" \
		    "Mode v, key from TestDNSData (in memory; ResolverConfiguration" \
		    "makes 2.11 re-parse a libunbound file per message and crash" \
		    "under concurrency), InternalHosts not" \
		    "matching the client so every message is verified;" \
		    "AlwaysAddARHeader yes; libmilter worker pool defaults." ;;
	esac
	case $1 in *" rspamd "*)
		echo "- rspamd $(dpkg-query -W -f '${Version}' rspamd):" \
		    "rspamd_proxy, milter = yes, self_scan = yes, count = 2;" \
		    "Debian's default rules with network-only modules off" \
		    "(fuzzy_check, rbl, emails, phishing, url_redirector, asn," \
		    "dcc, external_services, reputation, neural, ratelimit," \
		    "greylist, replies, history_redis); DNS at the fixture NSD." ;;
	esac
	case $1 in *" preflight "*)
		echo "- preflight $(git -C "$BENCH_DIR" describe --always --dirty 2>/dev/null):" \
		    "the bundled rules, DNS $([ -n "${PF_BENCH_NODNS:-}" ] && echo off || echo "through the fixture NSD (warm after the warm-up pass)")." ;;
	esac
	echo "- Postfix: one private instance, one smtpd listener per" \
	    "configuration, milter_protocol 6, relaying to smtp-sink."
}
