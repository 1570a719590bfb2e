#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""bigheader.py SOCKET - huge header fields sent as an MTA sends them:
the whole field in one SMFIC_HEADER packet.  miltertest cannot send this
(it copies a header field into a 1 KB stack buffer), so this speaks the
milter protocol (version 6) itself, offering what Postfix 3.7 offers.

Postfix passes at most about 60,000 bytes of one header field to its
milters (a 64 KB Subject arrives as 59,992 bytes); Sendmail refuses a
header over MaxHeadersLength (32 KB by default) itself, and with that
raised it answered 451 4.3.2 for a 64 KB field in our runs, whatever the
milter accepts.  libmilter's own default packet limit is 64 KB, which the
daemon raises.  So two sizes, both well over Gmail's 32,768-byte limit:
60,000 bytes (the most Postfix passes on) and 65,536 bytes (over
libmilter's default packet limit).

SOCKET is inet:PORT@HOST or unix:PATH.  For each size, two messages, each on its own
connection:
  tag.example     -> X-Preflight-Prediction "552 5.3.4 header-value-too-large"
                     is added at end of message, and the message goes on;
  reject.example  -> the end-of-message reply is 552 5.3.4 with the text
                     of a prediction tagged for the same message and the
                     rule's fix.
Prints ok/FAIL lines; exits 1 on any failure."""

import os
import re
import socket
import struct
import sys

SUBJECTS = (60000, 65536)
TIMEOUT = 30

# milter protocol commands (MTA to filter) and replies
SMFIC_OPTNEG, SMFIC_CONNECT, SMFIC_HELO = b"O", b"C", b"H"
SMFIC_MAIL, SMFIC_RCPT, SMFIC_DATA = b"M", b"R", b"T"
SMFIC_HEADER, SMFIC_EOH, SMFIC_BODY = b"L", b"N", b"B"
SMFIC_BODYEOB, SMFIC_QUIT = b"E", b"Q"
SMFIP_HDR_LEADSPC = 0x100000
# per step: the "do not send" bit and the "no reply" bit (libmilter/mfdef.h)
NO_NR = {SMFIC_CONNECT: (0x1, 0x1000), SMFIC_HELO: (0x2, 0x2000),
         SMFIC_MAIL: (0x4, 0x4000), SMFIC_RCPT: (0x8, 0x8000),
         SMFIC_DATA: (0x200, 0x10000), SMFIC_HEADER: (0x20, 0x80),
         SMFIC_EOH: (0x40, 0x40000), SMFIC_BODY: (0x10, 0x80000)}


class Closed(Exception):
    pass


class Milter:
    def __init__(self, spec):
        if spec.startswith("unix:"):
            self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.s.settimeout(TIMEOUT)
            self.s.connect(spec[5:])
        elif spec.startswith("inet:") and "@" in spec:
            port, host = spec[5:].split("@", 1)
            self.s = socket.create_connection((host, int(port)), TIMEOUT)
        else:
            raise SystemExit("bigheader.py: expected inet:PORT@HOST or "
                             "unix:PATH")
        self.s.settimeout(TIMEOUT)
        self.proto = 0

    def send(self, cmd, data=b""):
        self.s.sendall(struct.pack(">I", len(data) + 1) + cmd + data)

    def recvn(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.s.recv(n - len(buf))
            if not chunk:
                raise Closed("the milter closed the connection")
            buf += chunk
        return buf

    def read(self):
        (n,) = struct.unpack(">I", self.recvn(4))
        if n < 1 or n > 4 * 1024 * 1024:
            raise Closed("bad reply length %d" % n)
        body = self.recvn(n)
        return body[:1], body[1:]

    def negotiate(self):
        # what Postfix 3.7 offers: version 6, all actions, all steps
        self.send(SMFIC_OPTNEG, struct.pack(">III", 6, 0x1FF, 0x1FFFFF))
        cmd, data = self.read()
        if cmd != b"O":
            raise Closed("negotiation reply %r" % cmd)
        _, _, self.proto = struct.unpack(">III", data[:12])

    def step(self, cmd, data):
        """send one command unless the filter negotiated it away, and
        read its reply unless the filter waived that"""
        no, nr = NO_NR[cmd]
        if self.proto & no:
            return b"c", b""
        self.send(cmd, data)
        if self.proto & nr:
            return b"c", b""
        return self.read()

    def eom(self):
        """end of message: the modifications, then the final reply"""
        self.send(SMFIC_BODYEOB)
        mods = []
        while True:
            cmd, data = self.read()
            if cmd == b"p":			# progress
                continue
            if cmd in (b"h", b"i", b"m", b"q", b"+", b"-", b"e", b"b"):
                mods.append((cmd, data))
                continue
            return mods, cmd, data

    def quit(self):
        try:
            self.send(SMFIC_QUIT)
        except OSError:
            pass
        self.s.close()


def z(s):
    return s.encode() + b"\0"


def message(spec, sender, size):
    """one session; the header fields are sent as the MTA would"""
    m = Milter(spec)
    m.negotiate()
    lead = " " if m.proto & SMFIP_HDR_LEADSPC else ""
    for cmd, data in (
            (SMFIC_CONNECT, z("client.example.com") + b"4" +
             struct.pack(">H", 25000) + z("192.0.2.55")),
            (SMFIC_HELO, z("client.example.com")),
            (SMFIC_MAIL, z("<%s>" % sender)),
            (SMFIC_RCPT, z("<bob@gmail.com>")),
            (SMFIC_DATA, b"")):
        cmdr, _ = m.step(cmd, data)
        if cmdr != b"c":
            raise Closed("reply %r to %r" % (cmdr, cmd))
    dom = sender.split("@", 1)[1]
    fields = [("From", "Sender <%s>" % sender), ("To", "<bob@gmail.com>"),
              ("Subject", "x" * size),
              ("Date", "Sun, 29 Nov 2026 05:00:00 +0000"),
              ("Message-ID", "<bigheader@%s>" % dom),
              ("MIME-Version", "1.0"), ("Content-Type", "text/plain")]
    for name, value in fields:
        cmdr, _ = m.step(SMFIC_HEADER, z(name) + z(lead + value))
        if cmdr != b"c":
            raise Closed("reply %r to header %s" % (cmdr, name))
    for cmd, data in ((SMFIC_EOH, b""),
                      (SMFIC_BODY, b"A long subject.\r\n")):
        cmdr, _ = m.step(cmd, data)
        if cmdr != b"c":
            raise Closed("reply %r to %r" % (cmdr, cmd))
    mods, final, data = m.eom()
    m.quit()
    return mods, final, data


def rule_fix(rule_id):
    """the fix line of one rule in $PF_MT_RULES"""
    inside = False
    with open(os.environ["PF_MT_RULES"], encoding="utf-8") as f:
        for line in f:
            m = re.match(r"rule\s+(\S+)", line)
            if m:
                inside = m.group(1) == rule_id
            elif inside:
                m = re.match(r'\s+fix\s+"(.*)"\s*$', line)
                if m:
                    return re.sub(r'\\(["\\])', r"\1", m.group(1))
    raise SystemExit("bigheader.py: no fix for %s in $PF_MT_RULES" % rule_id)


def main():
    if len(sys.argv) != 2:
        print("usage: bigheader.py inet:PORT@HOST|unix:PATH", file=sys.stderr)
        return 64
    spec = sys.argv[1]
    fails = 0

    def check(cond, what):
        nonlocal fails
        print(("ok - " if cond else "FAIL: ") + what)
        if not cond:
            fails += 1

    for size in SUBJECTS:
        what = "%d-byte Subject" % size
        texts = {}
        try:
            mods, final, _ = message(spec, "a@tag.example", size)
            for c, d in mods:
                name, value = d.split(b"\0")[:2]
                if c == b"h" and name == b"X-Preflight-Prediction":
                    m = re.match(r"552 5\.3\.4 (\S+); confidence=high; "
                                 r"(.*)$",
                                 value.decode("ascii", "replace").strip())
                    if m:
                        texts[m.group(1)] = m.group(2)
            check(final in (b"c", b"a"),
                  "%s, tag.example: message goes on (%r)" % (what, final))
            check("header-value-too-large" in texts,
                  "%s, tag.example: 552 5.3.4 header-value-too-large "
                  "tagged: %s" % (what, texts.get("header-value-too-large")))
        except (Closed, OSError) as e:
            check(False, "%s, tag.example: %s" % (what, e))
        try:
            mods, final, data = message(spec, "a@reject.example", size)
            reply = data.rstrip(b"\0").decode("ascii", "replace")
            want = ["552 5.3.4 preflight: Gmail would answer 552 5.3.4 "
                    "(%s): %s Fix: %s" % (rid, text, rule_fix(rid))
                    for rid, text in texts.items()]
            check(final == b"y" and reply in want,
                  "%s, reject.example: the predicted reply, with the "
                  "tagged text and the rule's fix: %r" % (what, reply[:80]))
        except (Closed, OSError) as e:
            check(False, "%s, reject.example: %s" % (what, e))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
