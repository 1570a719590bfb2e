#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""fakegmail.py PORT SCRIPT LOG - an SMTP server on 127.0.0.1:PORT that
answers as Gmail does, for tests.  SCRIPT holds one line per recipient:
"address<TAB>reply[<TAB>reply...]", each reply as Gmail sends it with "|"
between its lines (550-5.1.1 ...|550 5.1.1 ... - gsmtp); the recipient's
replies are given in turn, the last one again once they run out.  A
recipient not in the script gets 250.  The end of DATA gets Gmail's 250
with its session id and "- gsmtp".  Every answer is appended to LOG as
"address<TAB>code" (what the test expects the MTA's log to show)."""
import socket
import sys
import threading

PORT, SCRIPT, LOG = int(sys.argv[1]), sys.argv[2], sys.argv[3]
lock = threading.Lock()
turn = {}


def load():
    replies = {}
    for line in open(SCRIPT):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        replies[parts[0].lower()] = parts[1:]
    return replies


def answer(rcpt):
    replies = load().get(rcpt)
    if not replies:
        return "250 2.1.5 OK a1si1234567qkb.12 - gsmtp"
    with lock:
        i = turn.get(rcpt, 0)
        turn[rcpt] = i + 1
    return replies[min(i, len(replies) - 1)]


def note(rcpt, reply):
    with lock, open(LOG, "a") as f:
        f.write("%s\t%s\n" % (rcpt, reply[:3]))


def session(conn):
    f = conn.makefile("rb")
    out = lambda s: conn.sendall(("\r\n".join(s.split("|")) + "\r\n").encode())
    out("220 mx.google.com ESMTP a1si1234567qkb.12 - gsmtp")
    ok_rcpts = []
    while True:
        line = f.readline()
        if not line:
            break
        cmd = line.decode(errors="replace").strip()
        verb = cmd[:4].upper()
        if verb in ("EHLO", "HELO"):
            out("250-mx.google.com at your service|250-SIZE 157286400|"
                "250-8BITMIME|250-ENHANCEDSTATUSCODES|250 SMTPUTF8")
        elif verb == "MAIL":
            ok_rcpts = []
            out("250 2.1.0 OK a1si1234567qkb.12 - gsmtp")
        elif verb == "RCPT":
            rcpt = cmd[cmd.find("<") + 1:cmd.rfind(">")].lower()
            reply = answer(rcpt)
            if reply.startswith("2"):
                ok_rcpts.append(rcpt)
            else:
                note(rcpt, reply)
            out(reply)
        elif verb == "DATA":
            if not ok_rcpts:
                out("554 5.5.1 No valid recipients")
                continue
            out("354 Go ahead a1si1234567qkb.12 - gsmtp")
            while True:
                l = f.readline()
                if not l or l in (b".\r\n", b".\n"):
                    break
            for r in ok_rcpts:
                note(r, "250")
            out("250 2.0.0 OK  1796011921 a1si1234567qkb.12 - gsmtp")
        elif verb == "RSET":
            ok_rcpts = []
            out("250 2.1.5 Flushed a1si1234567qkb.12 - gsmtp")
        elif verb == "QUIT":
            out("221 2.0.0 closing connection a1si1234567qkb.12 - gsmtp")
            break
        else:
            out("502 5.5.1 Unrecognized command. a1si1234567qkb.12 - gsmtp")
    conn.close()


def main():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", PORT))
    s.listen(16)
    while True:
        c, _ = s.accept()
        threading.Thread(target=session, args=(c,), daemon=True).start()


main()
