# SPDX-License-Identifier: BSD-2-Clause
# postfix-lib.sh - a private Postfix on loopback for tests and the demo.
# Sourced by bash scripts.  Everything lives under one directory ($PFX_T):
# its own config_directory, queue_directory and data_directory, smtpd on a
# free loopback port, relayhost an smtp-sink (-d: one file per message)
# on another.  The system's own Postfix configuration is never read or
# touched.  Needs root (Postfix drops to the postfix user itself).

# pfx_free_port - a loopback TCP port nobody listens on right now
pfx_free_port() {
	python3 "$(dirname "${BASH_SOURCE[0]}")/../tools/free-port.py"
}

# pfx_wait_port PORT SECONDS - until something accepts on 127.0.0.1:PORT
pfx_wait_port() {
	local i=0
	while ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -gt $(($2 * 20)) ] && return 1
		sleep 0.05
	done
	return 0
}

# pfx_redis_start DIR - a throwaway redis-server on a free loopback port,
# no persistence, its files in DIR; sets PFX_REDIS_PORT and PFX_REDIS_PID
# (the caller stops it); fails if it does not accept within 10 s
pfx_redis_start() {
	PFX_REDIS_PORT=$(pfx_free_port)
	redis-server --port "$PFX_REDIS_PORT" --bind 127.0.0.1 --save '' \
	    --appendonly no --dir "$1" >/dev/null 2>&1 &
	PFX_REDIS_PID=$!
	pfx_wait_port "$PFX_REDIS_PORT" 10
}

# pfx_redis_scratch NAME - for a script that needs a scratch directory
# and a redis-server only: PFX_TMP a new temporary directory, a
# redis-server with its files there (PFX_REDIS_PORT), both gone at exit;
# exits 99 (a hard error: the packages are installed for the tests) when
# redis-server is missing or does not start.  Sets the EXIT trap.
pfx_redis_scratch() {
	command -v redis-server >/dev/null ||
		{ echo "$1: redis-server missing" >&2; exit 99; }
	PFX_TMP=$(mktemp -d "${TMPDIR:-/tmp}/pf-$1.XXXXXX") || exit 99
	PFX_REDIS_PID=
	trap pfx_redis_scratch_end EXIT
	trap 'exit 1' INT TERM
	pfx_redis_start "$PFX_TMP" ||
		{ echo "$1: redis-server did not start" >&2; exit 99; }
}

# pfx_redis_scratch_end - stop that redis-server, remove PFX_TMP
pfx_redis_scratch_end() {
	[ -n "$PFX_REDIS_PID" ] && kill "$PFX_REDIS_PID" 2>/dev/null &&
	    wait "$PFX_REDIS_PID" 2>/dev/null
	rm -rf "$PFX_TMP"
}

# pfx_start DIR MILTER - Postfix and its sink; MILTER is a Postfix milter
# address (unix:/path or inet:host:port); PFX_MAIN_EXTRA, if set, is
# appended to main.cf; PFX_CHROOT=yes keeps Debian's chroot column;
# PFX_MYHOSTNAME replaces mta.example.com.  Sets
# PFX_SMTPD and PFX_SINK_PID.
pfx_start() {
	PFX_T=$1
	local milter=$2 sinkport
	chmod 755 "$PFX_T"
	mkdir -p "$PFX_T/etc" "$PFX_T/spool" "$PFX_T/data" "$PFX_T/sink"
	chown postfix "$PFX_T/data" "$PFX_T/sink"
	PFX_SMTPD=$(pfx_free_port)
	sinkport=$(pfx_free_port)
	while [ "$sinkport" = "$PFX_SMTPD" ]; do sinkport=$(pfx_free_port); done
	cat > "$PFX_T/etc/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $PFX_T/spool
data_directory = $PFX_T/data
maillog_file = $PFX_T/maillog
maillog_file_prefixes = $PFX_T
mail_owner = postfix
setgid_group = postdrop
myhostname = ${PFX_MYHOSTNAME:-mta.example.com}
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
relayhost = [127.0.0.1]:$sinkport
smtpd_milters = $milter
non_smtpd_milters = \$smtpd_milters
milter_default_action = tempfail
milter_connect_timeout = 10s
smtp_connect_timeout = 5s
smtp_helo_timeout = 10s
# keep the test quick: retry deferred mail soon
queue_run_delay = 2s
minimal_backoff_time = 2s
maximal_backoff_time = 4s
${PFX_MAIN_EXTRA:-}
CF
	if [ "${PFX_CHROOT:-no}" = yes ]; then
		# Debian's master.cf as shipped (smtpd, cleanup and most others
		# chrooted in the queue directory), smtpd on the private port,
		# and the chroot populated as Debian's init does it
		sed -e "s/^smtp      inet .*/127.0.0.1:$PFX_SMTPD inet n - y - - smtpd/" \
		    /etc/postfix/master.cf > "$PFX_T/etc/master.cf"
		MAIL_CONFIG=$PFX_T/etc /usr/lib/postfix/configure-instance.sh - \
		    >"$PFX_T/configure-instance.log" 2>&1 ||
		    { cat "$PFX_T/configure-instance.log"; return 1; }
	else
		# Debian's master.cf, chroot off, smtpd on the private port
		sed -e "s/^smtp      inet .*/127.0.0.1:$PFX_SMTPD inet n - n - - smtpd/" \
		    -e '/^[a-z0-9.:]/ s/^\(\S\+\s\+\S\+\s\+\S\+\s\+\S\+\s\+\)y/\1n/' \
		    /etc/postfix/master.cf > "$PFX_T/etc/master.cf"
	fi
	smtp-sink -u postfix -d "$PFX_T/sink/%M%S." "127.0.0.1:$sinkport" 64 \
	    >"$PFX_T/sink.log" 2>&1 &
	PFX_SINK_PID=$!
	postfix -c "$PFX_T/etc" start >"$PFX_T/postfix-start.log" 2>&1 ||
	    { cat "$PFX_T/postfix-start.log"; return 1; }
	pfx_wait_port "$PFX_SMTPD" 20 && pfx_wait_port "$sinkport" 5
}

# pfx_stop - stop what pfx_start started (safe to call twice)
pfx_stop() {
	[ -n "${PFX_T:-}" ] || return 0
	postfix -c "$PFX_T/etc" stop >/dev/null 2>&1 || true
	if [ -n "${PFX_SINK_PID:-}" ]; then
		kill "$PFX_SINK_PID" 2>/dev/null || true
		wait "$PFX_SINK_PID" 2>/dev/null || true
		PFX_SINK_PID=
	fi
}

# pfx_send FROM RCPT[,RCPT...] FILE - one SMTP transaction to the private
# smtpd; prints the final reply as "CODE TEXT" (250 when accepted)
pfx_send() {
	python3 - "$PFX_SMTPD" "$1" "$2" "$3" <<'PY'
import smtplib, sys
port, sender, rcpts, path = int(sys.argv[1]), sys.argv[2], sys.argv[3].split(","), sys.argv[4]
data = open(path, "rb").read()
try:
    s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.example.com", timeout=60)
    s.ehlo()
    code, msg = s.mail(sender)
    if code >= 400:
        print(code, msg.decode(errors="replace")); sys.exit(0)
    ok = 0
    for r in rcpts:
        code, msg = s.rcpt(r)
        if code < 400:
            ok += 1
        last = (code, msg)
    if ok == 0:
        print(last[0], last[1].decode(errors="replace")); sys.exit(0)
    code, msg = s.data(data)
    print(code, msg.decode(errors="replace").replace("\n", " "))
    s.quit()
except smtplib.SMTPResponseException as e:
    print(e.smtp_code, e.smtp_error.decode(errors="replace").replace("\n", " "))
except (OSError, smtplib.SMTPException) as e:
    print("000", "connection:", e)
PY
}

# pfx_sink_file MARKER - the sink file holding a message with MARKER
pfx_sink_file() {
	grep -l -F -- "$1" "$PFX_T"/sink/* 2>/dev/null | head -1
}

# pfx_held MARKER - messages in the hold queue whose file has MARKER
pfx_held() {
	local n=0 id
	for id in $(postqueue -c "$PFX_T/etc" -j 2>/dev/null |
	    python3 -c 'import json,sys
for l in sys.stdin:
    j = json.loads(l)
    if j.get("queue_name") == "hold": print(j["queue_id"])'); do
		if postcat -c "$PFX_T/etc" -q "$id" 2>/dev/null |
		    grep -q -F -- "$1"; then
			n=$((n + 1))
		fi
	done
	echo "$n"
}

# pfx_queue_settle SECONDS - wait until only held mail is left in the queue
pfx_queue_settle() {
	local i=0
	while postqueue -c "$PFX_T/etc" -j 2>/dev/null |
	    grep -q '"queue_name": *"\(active\|incoming\|deferred\|maildrop\)"'; do
		i=$((i + 1))
		[ "$i" -gt $(($1 * 4)) ] && return 1
		postqueue -c "$PFX_T/etc" -f >/dev/null 2>&1 || true
		sleep 0.25
	done
	# the maildrop directory (sendmail(1)) is not in postqueue -j
	while [ -n "$(ls -A "$PFX_T/spool/maildrop" 2>/dev/null)" ]; do
		i=$((i + 1))
		[ "$i" -gt $(($1 * 4)) ] && return 1
		sleep 0.25
	done
	return 0
}
