#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# run-sendmail.sh BUILDDIR - preflight-milter end to end through a real
# Sendmail (Debian's 8.17 packages, unpacked into a private root and run in
# a mount namespace; see sendmail-lib.sh), relaying to smtp-sink.  Proves,
# on messages built here and sent over SMTP:
#   tag     - predicted mail arrives at the sink with X-Preflight-Verdict and
#             one X-Preflight-Prediction naming the predicted reply and rule;
#   clean   - a clean message arrives with no prediction;
#   hold    - the message is quarantined: `sendmail -bp -qQ` shows
#             "QUARANTINE: preflight: ..." naming the prediction, and it is
#             not delivered;
#   reject  - the SMTP client gets the predicted 5xx reply and status, with
#             a text that starts with "preflight:";
#   huge    - a 20 KB Subject gets the predicted 552 5.3.4; a 64 KB one is
#             refused by Sendmail itself (552 5.6.0, MaxHeadersLength);
#   other   - the same refusable message to a non-Gmail recipient passes;
#   forged  - X-Preflight-* fields sent by the client are removed;
#   msgid   - a missing Message-ID that Sendmail adds is not refused;
#   local   - `sendmail -t` through the submission program (submit.cf)
#             reaches the milter and is tagged;
#   doctor  - `preflight doctor --sendmail-cf` finds the shipped filter
#             line wired with F=T, and fails a .cf without F=T, without
#             the filter in InputMailFilters, or on another socket; reads
#             the access map's TLS entries (TLS_Rcpt: required, Try_TLS: NO);
#   down    - with the daemon stopped, Sendmail (F=T) answers 4xx.
# The daemon's summary line for the held message carries Sendmail's queue
# id.
# The expected reply of each case comes from `preflight check --json` on the
# same file with the same configuration, and is also checked against the
# rule the message was built to trigger.  Prints PASS/FAIL per case, exits
# non-zero on any failure.  Needs root, network access to the Debian mirror
# the first time (the .debs are cached), and the packages of
# contrib/install-deps.sh.
set -u

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-${PF_BUILDDIR:-$src}}
build=$(cd "$build" && pwd) || exit 1
milter=$build/preflight-milter
cli=$build/preflight
rules=$src/rules/gmail.rules
PATH=$PATH:/usr/sbin:/sbin

. "$src/tests/e2e/sendmail-lib.sh"

passes=0
fails=0
MPID=

pass() { passes=$((passes + 1)); echo "PASS: sendmail $*"; }
fail() { fails=$((fails + 1)); echo "FAIL: sendmail $*"; }

[ "$(id -u)" -eq 0 ] || { echo "FAIL: sendmail harness needs root"; exit 1; }
for t in "$milter" "$cli"; do
	[ -x "$t" ] || { echo "FAIL: $t not built"; exit 1; }
done
for b in smtp-sink unshare m4 dpkg-deb python3 jq; do
	command -v "$b" >/dev/null 2>&1 ||
	    { echo "FAIL: $b not installed (contrib/install-deps.sh)"; exit 1; }
done

cleanup() {
	if [ -n "$MPID" ]; then
		kill "$MPID" 2>/dev/null
		wait "$MPID" 2>/dev/null
	fi
	if [ "$fails" -gt 0 ] && [ -n "$SM_T" ]; then
		echo "--- preflight-milter log"
		tail -30 "$SM_T/milter.log" 2>/dev/null
		echo "--- sendmail output"
		tail -20 "$SM_T/sendmail.log" 2>/dev/null
	fi
	sm_cleanup
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

sm_init && sm_fetch && sm_unpack || { echo "FAIL: sendmail setup"; exit 1; }
echo "sendmail $SM_VERSION unpacked in $SM_T"
sock=$SM_T/milter.sock
# the filter line and macros are contrib/sendmail/preflight.mc as shipped
sm_configure "local:$sock" "$src/contrib/sendmail/preflight.mc" ||
    { echo "FAIL: sendmail .cf"; exit 1; }

# the daemon drops to nobody: its pid file lives in a directory it owns
mkdir -p "$SM_T/run" && chown nobody "$SM_T/run"
cat >"$SM_T/preflight.conf" <<EOF
# Sendmail end-to-end: content rules only, no DNS, no state store
Rules $rules
DNS no
State none
HELO mta.example.com
Socket local:$sock
SocketMode 0666
User nobody
Background no
PidFile $SM_T/run/milter.pid
DrainTimeout 5
UnknownRecipients other
# Sendmail adds a missing Message-ID and Date to every message
MTAAddsHeaders always
Action * permanent tag
Action hold.example permanent hold
Action reject.example permanent reject
EOF
chmod 644 "$SM_T/preflight.conf"
out=$("$milter" -n -c "$SM_T/preflight.conf" 2>&1) ||
    { echo "FAIL: preflight-milter -n: $out"; exit 1; }

"$milter" -f -e -c "$SM_T/preflight.conf" >"$SM_T/milter.log" 2>&1 &
MPID=$!
n=0
until [ -S "$sock" ]; do
	n=$((n + 1))
	if [ "$n" -gt 100 ] || ! kill -0 "$MPID" 2>/dev/null; then
		echo "FAIL: preflight-milter did not start"
		cat "$SM_T/milter.log"
		exit 1
	fi
	sleep 0.05
done
sm_start_sink && sm_start || { echo "FAIL: sendmail did not start"; exit 1; }
echo "sendmail on 127.0.0.1:$SM_PORT, sink on 127.0.0.1:$SM_SINK_PORT," \
    "milter on $sock"

# msg NAME FROM-ADDR [two-from|no-msgid] [EXTRA-FIELD-LINES] - $SM_T/msg/NAME
msg() {
	_f=$SM_T/msg/$1
	{
		printf 'From: Sender <%s>\r\n' "$2"
		[ "${3:-}" = two-from ] &&
		    printf 'From: Other <other@%s>\r\n' "${2#*@}"
		printf 'To: <bob@gmail.com>\r\nSubject: sm-%s\r\n' "$1"
		printf 'Date: Sun, 29 Nov 2026 05:00:00 +0000\r\n'
		[ "${3:-}" = no-msgid ] ||
		    printf 'Message-ID: <sm-%s@%s>\r\n' "$1" "${2#*@}"
		[ -n "${4:-}" ] && printf '%s\r\n' "$4"
		printf 'MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n'
		printf 'Body of sm-%s.\r\n' "$1"
	} >"$_f"
}

# predict NAME FROM RCPT - "REPLY STATUS RULE" of the CLI's headline
# prediction for the file, or "none"
predict() {
	"$cli" check --json --config "$SM_T/preflight.conf" --no-dns \
	    --mail-from "$2" --rcpt "$3" "$SM_T/msg/$1" 2>/dev/null |
	    jq -r 'if (.predictions | length) == 0 then "none" else
		.predictions[0] | "\(.reply) \(.status) \(.rule)" end'
}

# expect_pred NAME FROM RCPT WANT - the CLI predicts WANT for the case
expect_pred() {
	_p=$(predict "$1" "$2" "$3")
	[ "$_p" = "$4" ] && return 0
	fail "$1: preflight check predicts \"$_p\", the message was built" \
	    "for \"$4\""
	return 1
}

# 1. tag: two From fields, a predicted 550 5.7.1; tag.example tags
msg tag a@tag.example two-from
if expect_pred tag a@tag.example bob@gmail.com "550 5.7.1 from-multiple"; then
	set -- $(predict tag a@tag.example bob@gmail.com)
	r=$(sm_send a@tag.example bob@gmail.com "$SM_T/msg/tag")
	if [ "${r%% *}" != 250 ]; then
		fail "tag: SMTP reply $r"
	elif ! f=$(sm_sink_wait "Subject: sm-tag"); then
		fail "tag: not delivered to the sink"
	elif ! grep -q "^X-Preflight-Verdict: reject" "$f"; then
		fail "tag: no X-Preflight-Verdict: reject at the sink"
	elif ! grep -q "^X-Preflight-Prediction: $1 $2 $3; " "$f"; then
		fail "tag: no X-Preflight-Prediction: $1 $2 $3 at the sink"
	else
		pass "tag: delivered with $(grep -c '^X-Preflight-' "$f")" \
		    "X-Preflight fields, $1 $2 $3 among them"
	fi
fi

# 2. clean: nothing predicted, delivered without a prediction
msg clean a@tag.example
if expect_pred clean a@tag.example bob@gmail.com none; then
	r=$(sm_send a@tag.example bob@gmail.com "$SM_T/msg/clean")
	if [ "${r%% *}" != 250 ]; then
		fail "clean: SMTP reply $r"
	elif ! f=$(sm_sink_wait "Subject: sm-clean"); then
		fail "clean: not delivered to the sink"
	elif grep -q "^X-Preflight-Prediction:" "$f"; then
		fail "clean: a prediction was added: $(grep '^X-Preflight-Prediction:' "$f")"
	else
		pass "clean: delivered, no prediction"
	fi
fi

# 3. hold: quarantined by Sendmail with the prediction as the reason
msg hold a@hold.example two-from
if expect_pred hold a@hold.example bob@gmail.com "550 5.7.1 from-multiple"; then
	set -- $(predict hold a@hold.example bob@gmail.com)
	r=$(sm_send a@hold.example bob@gmail.com "$SM_T/msg/hold")
	qid=$(echo "$r" | sed -n 's/^250 2\.0\.0 \([A-Za-z0-9]*\) .*/\1/p')
	q=$(sm_queue_quarantined)
	want="QUARANTINE: preflight: Gmail would answer $1 $2 ($3)"
	if [ -z "$qid" ]; then
		fail "hold: SMTP reply $r"
	elif ! echo "$q" | grep -q "^$qid" ||
	    ! echo "$q" | grep -qF "$want"; then
		fail "hold: $qid not quarantined with \"$want\":"
		echo "$q"
	elif grep -q -l "Subject: sm-hold" "$SM_T/sink"/* 2>/dev/null; then
		fail "hold: quarantined, but also delivered"
	else
		pass "hold: $qid quarantined: $want"
	fi
	# the daemon's summary line is keyed by Sendmail's queue id
	if [ -n "$qid" ] && grep -Eq "queue_id=$qid action=hold .*rules=([^ ]*,)?$3[, ]" \
	    "$SM_T/milter.log"; then
		pass "hold: log line \"queue_id=$qid action=hold ... rules=...$3\""
	else
		fail "hold: no log line \"queue_id=$qid action=hold ... rules=...$3\""
	fi
fi

# 4. reject: the client gets the predicted reply
msg reject a@reject.example two-from
if expect_pred reject a@reject.example bob@gmail.com \
    "550 5.7.1 from-multiple"; then
	set -- $(predict reject a@reject.example bob@gmail.com)
	r=$(sm_send a@reject.example bob@gmail.com "$SM_T/msg/reject")
	# the text: the CLI's prediction text, then the rule's fix
	text=$("$cli" check --json --config "$SM_T/preflight.conf" --no-dns \
	    --mail-from a@reject.example --rcpt bob@gmail.com \
	    "$SM_T/msg/reject" | jq -r '.predictions[0].text')
	fix=$(awk -v id="$3" '$1 == "rule" { in_rule = ($2 == id) }
	    in_rule && $1 == "fix" { sub(/^[ \t]*fix[ \t]+"/, "");
	    sub(/"[ \t]*$/, ""); gsub(/\\"/, "\""); print; exit }' "$rules")
	want="$1 $2 preflight: Gmail would answer $1 $2 ($3): $text Fix: $fix"
	want=$(echo "$want" | tr -s ' \t' '  ')
	if [ "$r" = "$want" ]; then
		pass "reject: client got \"$(echo "$r" | cut -c1-72)...\""
	else
		fail "reject: client got \"$r\", predicted \"$want\""
	fi
fi

# 4b. huge header fields: a 20 KB Subject gets the predicted reply; a 64 KB
#     one is refused by Sendmail itself (MaxHeadersLength, 32 KB) before
#     any milter sees it
subject=$(head -c 20000 /dev/zero | tr '\0' s)
msg huge a@reject.example
sed -i "s/^Subject: sm-huge/Subject: sm-huge $subject/" "$SM_T/msg/huge"
set -- $(predict huge a@reject.example bob@gmail.com)
r=$(sm_send a@reject.example bob@gmail.com "$SM_T/msg/huge")
case $1 in
5*)	case $r in
	"$1 $2 preflight: Gmail would answer $1 $2 ($3): "*)
		pass "huge: 20 KB Subject refused as predicted: $1 $2 $3" ;;
	*)	fail "huge: 20 KB Subject: client got \"$r\", predicted $1 $2 $3" ;;
	esac ;;
*)	fail "huge: preflight check predicts \"$*\" for a 20 KB Subject" ;;
esac
subject=$(head -c 65536 /dev/zero | tr '\0' s)
msg huge64 a@reject.example
sed -i "s/^Subject: sm-huge64/Subject: sm-huge64 $subject/" "$SM_T/msg/huge64"
r=$(sm_send a@reject.example bob@gmail.com "$SM_T/msg/huge64")
case $r in
"552 5.6.0 "*)	pass "huge64: 64 KB Subject refused by Sendmail: $r" ;;
*)		fail "huge64: 64 KB Subject: client got \"$r\"" ;;
esac

# 5. the same refusable message to a non-Gmail recipient passes
msg other a@reject.example two-from
r=$(sm_send a@reject.example carol@example.org "$SM_T/msg/other")
if [ "${r%% *}" != 250 ]; then
	fail "other: non-Gmail recipient refused: $r"
elif ! f=$(sm_sink_wait "Subject: sm-other"); then
	fail "other: not delivered to the sink"
else
	pass "other: non-Gmail recipient delivered"
fi

# 6. forged X-Preflight-* fields are removed; only ours arrive
msg forged a@tag.example "" "X-Preflight-Verdict: accept
x-preflight-prediction: 250 2.0.0 forged; trust me
X-Preflight-Forged: yes"
r=$(sm_send a@tag.example bob@gmail.com "$SM_T/msg/forged")
if [ "${r%% *}" != 250 ]; then
	fail "forged: SMTP reply $r"
elif ! f=$(sm_sink_wait "Subject: sm-forged"); then
	fail "forged: not delivered to the sink"
elif grep -i '^X-Preflight-' "$f" | grep -qi -e forged -e 'Verdict: accept'
then
	fail "forged: forged fields arrived:" \
	    "$(grep -i '^X-Preflight' "$f" | tr '\n' '|')"
else
	pass "forged: client's X-Preflight fields removed"
fi

# 7. no Message-ID: Sendmail adds one, so it is not refused
msg msgid a@reject.example no-msgid
r=$(sm_send a@reject.example bob@gmail.com "$SM_T/msg/msgid")
if [ "${r%% *}" != 250 ]; then
	fail "msgid: refused although Sendmail adds the Message-ID: $r"
elif ! f=$(sm_sink_wait "Subject: sm-msgid"); then
	fail "msgid: not delivered to the sink"
elif ! grep -qi '^Message-Id: <' "$f"; then
	fail "msgid: Sendmail did not add a Message-ID"
else
	pass "msgid: delivered; Sendmail added the Message-ID"
fi

# 8. command-line submission: sendmail -t through the submission program
#    (submit.cf), which relays over SMTP to the daemon, where the milter
#    sees it (Sendmail runs no milter on a -C sendmail.cf command line)
msg local a@tag.example two-from
sm_configure_msp &&
    sm_submit -f a@tag.example -t <"$SM_T/msg/local" >"$SM_T/local.out" 2>&1
rc=$?
if [ "$rc" -ne 0 ]; then
	fail "local: sendmail -t exited $rc: $(cat "$SM_T/local.out")"
elif ! f=$(sm_sink_wait "Subject: sm-local"); then
	fail "local: not delivered to the sink"
elif ! grep -q "^X-Preflight-Prediction: 550 5.7.1 from-multiple; " "$f"; then
	fail "local: delivered without the prediction"
else
	pass "local: sendmail -t submission tagged"
fi

# 9. preflight doctor on this Sendmail: the wiring and TLS checks (DNS is
#    off in this configuration, so those checks are unknown: exit 1)
doctor_line() {	# STATUS CHECK TEXT - the line as doctor prints it
	printf '%-7s  %-24s  %s' "$1" "$2" "$3"
}
doctor_case() {	# NAME CF WANT-LINE
	"$cli" doctor --config "$SM_T/preflight.conf" --sendmail-cf "$2" \
	    >"$SM_T/doctor.out" 2>&1
	if grep -qxF -- "$3" "$SM_T/doctor.out"; then
		pass "doctor: $1"
	else
		fail "doctor: $1: no line \"$3\" in: $(cat "$SM_T/doctor.out")"
	fi
}
doctor_case "the filter of the shipped .mc is wired" "$SM_T/sendmail.cf" \
    "$(doctor_line ok milter "filter preflight, S=local:$sock, in InputMailFilters")"
doctor_case "F=T of the shipped .mc" "$SM_T/sendmail.cf" \
    "$(doctor_line ok default_action "F=T: tempfail while preflight is down")"
doctor_case "the macros of the shipped .mc" "$SM_T/sendmail.cf" \
    "$(doctor_line ok milter.macros "the macros preflight uses are sent")"
sed 's/^O Milter.macros.eom=.*/O Milter.macros.eom={msg_id}/' \
    "$SM_T/sendmail.cf" >"$SM_T/nomacro.cf"
doctor_case "a macro left out is named" "$SM_T/nomacro.cf" \
    "$(doctor_line ok milter.macros "not listed: Milter.macros.eom i; preflight asks for them at connect (smfi_setsymlist)")"
doctor_case "Sendmail's TLS is opportunistic" "$SM_T/sendmail.cf" \
    "$(doctor_line warn tls.gmail "Sendmail uses STARTTLS when Gmail offers it (opportunistic, CACertFile unset; no access map (FEATURE(access_db))) -- fix: TLS_Rcpt:gmail.com ENCR:128 in the access map -- would cause 421 4.7.0 tls-required-for-domain")"
# the access map's TLS entries (its text source, as makemap reads it)
{ cat "$SM_T/sendmail.cf"; echo "Kaccess hash -o -T<TMPF> $SM_T/access.db"; } \
    >"$SM_T/access.cf"
doctor_case "an access map whose source is missing is named" "$SM_T/access.cf" \
    "$(doctor_line warn tls.gmail "Sendmail uses STARTTLS when Gmail offers it (opportunistic, CACertFile unset; access map source $SM_T/access not readable) -- fix: TLS_Rcpt:gmail.com ENCR:128 in the access map -- would cause 421 4.7.0 tls-required-for-domain")"
printf 'Connect:127.0.0.1\tRELAY\nTLS_Rcpt:gmail.com\tENCR:128\n' >"$SM_T/access"
doctor_case "TLS_Rcpt:gmail.com ENCR:128 requires STARTTLS" "$SM_T/access.cf" \
    "$(doctor_line ok tls.gmail "STARTTLS required towards Gmail (TLS_Rcpt:gmail.com ENCR:128 in $SM_T/access)")"
printf 'Try_TLS:google.com\tNO\nTLS_Rcpt:gmail.com\tENCR:128\n' >"$SM_T/access"
doctor_case "Try_TLS:google.com NO fails" "$SM_T/access.cf" \
    "$(doctor_line FAIL tls.gmail "Sendmail does not try STARTTLS with Gmail's servers (Try_TLS:google.com NO in $SM_T/access) -- fix: remove the entry, or narrow it to other hosts -- would cause 421 4.7.0 tls-required-for-domain")"
sed 's/^\(Xpreflight, .*\), F=T,/\1,/' "$SM_T/sendmail.cf" >"$SM_T/noT.cf"
doctor_case "no F=T fails" "$SM_T/noT.cf" \
    "$(doctor_line FAIL default_action "F=: mail is sent unchecked while preflight is down -- fix: F=T")"
sed 's/^O InputMailFilters=.*/O InputMailFilters=other/' "$SM_T/sendmail.cf" \
    >"$SM_T/noinput.cf"
doctor_case "a filter not in InputMailFilters fails" "$SM_T/noinput.cf" \
    "$(doctor_line FAIL milter "filter preflight is not in InputMailFilters (other) -- fix: INPUT_MAIL_FILTER (not MAIL_FILTER) in sendmail.mc")"
sed "s|S=local:$sock|S=local:$SM_T/elsewhere.sock|" "$SM_T/sendmail.cf" \
    >"$SM_T/other.cf"
doctor_case "a filter on another socket fails" "$SM_T/other.cf" \
    "$(doctor_line FAIL milter "no X line of $SM_T/other.cf names local:$sock -- fix: INPUT_MAIL_FILTER(\`preflight', \`S=...') in sendmail.mc (contrib/sendmail)")"

# 10. the daemon stopped: Sendmail (F=T) refuses with a temporary code, so
#    the client keeps the message; nothing is lost
kill "$MPID"
wait "$MPID" 2>/dev/null
MPID=
msg down a@reject.example two-from
r=$(sm_send a@reject.example bob@gmail.com "$SM_T/msg/down")
case $r in
4*)	pass "down: daemon stopped, Sendmail answers \"$r\"" ;;
*)	fail "down: daemon stopped, Sendmail answers \"$r\", not 4xx" ;;
esac

# a sanitized build reports into the daemon's log
if grep -q -e 'ERROR: AddressSanitizer' -e 'ERROR: LeakSanitizer' \
    -e 'runtime error:' "$SM_T/milter.log"; then
	fail "sanitizer report in the daemon log"
fi

echo "sendmail: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
