#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""signals.py - SIGHUPs at random moments under a steady message load.

Usage: signals.py PID LOG SMTPD_PORT OUTDIR N

Two threads send mail through the private Postfix all along, cycling
through three kinds (a clean message, one the policy holds, one it
rejects), and write each result to OUTDIR/results ("KIND MARKER CODE").
Meanwhile N SIGHUPs go to the daemon one by one: after each, the daemon's
log must show the next reload ("(reload K)") before a random pause of 0 to
5 ms and the next signal; then a burst of N/4 SIGHUPs with no wait at all.
Prints "reloads K", "burst_last K" and "alive yes|no"; exits 1 on the
first reload that does not come within 10 s or when the daemon dies.
"""
import os
import random
import re
import signal
import smtplib
import sys
import threading
import time

pid, log, port, out, n = (int(sys.argv[1]), sys.argv[2], int(sys.argv[3]),
                          sys.argv[4], int(sys.argv[5]))
stop = threading.Event()
lock = threading.Lock()
results = open(os.path.join(out, "results"), "w")
reload_re = re.compile(r"reloaded .* \(reload (\d+)[,)]")
seq = [0]


def message(kind, marker):
    frm = {"clean": "a@tag.example", "hold": "a@hold.example",
           "reject": "a@reject.example"}[kind]
    dom = frm.split("@")[1]
    lines = ["From: Sender <%s>" % frm]
    if kind != "clean":
        lines.append("From: Other <other@%s>" % dom)   # a predicted 550
    lines += ["To: <bob@gmail.com>", "Subject: %s" % marker,
              "Date: Sun, 29 Nov 2026 05:00:00 +0000",
              "Message-ID: <%s@%s>" % (marker, dom), "MIME-Version: 1.0",
              "Content-Type: text/plain", "", "Body of %s." % marker, ""]
    return frm, "\r\n".join(lines).encode()


def load(worker):
    kinds = ["clean", "hold", "reject"]
    i = 0
    while not stop.is_set():
        kind = kinds[i % 3]
        i += 1
        marker = "sig-%d-%d" % (worker, i)
        frm, data = message(kind, marker)
        try:
            s = smtplib.SMTP("127.0.0.1", port, local_hostname="c.example",
                             timeout=60)
            s.sendmail(frm, ["bob@gmail.com"], data)
            code = 250
            s.quit()
        except smtplib.SMTPResponseException as e:
            code = e.smtp_code
        except smtplib.SMTPRecipientsRefused as e:
            code = list(e.recipients.values())[0][0]
        except (OSError, smtplib.SMTPException):
            code = 0
        with lock:
            results.write("%s %s %d\n" % (kind, marker, code))
            results.flush()


def alive():
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


class Tail:
    """the highest reload number in the log so far"""
    def __init__(self):
        self.f = open(log, "r", errors="replace")
        self.last = 0
        self.rest = ""      # a line read before its end was written

    def poll(self):
        lines = (self.rest + self.f.read()).split("\n")
        self.rest = lines.pop()
        for line in lines:
            m = reload_re.search(line)
            if m:
                self.last = max(self.last, int(m.group(1)))
        return self.last


def main():
    tail = Tail()
    start = tail.poll()
    threads = [threading.Thread(target=load, args=(w,)) for w in (1, 2)]
    for t in threads:
        t.start()
    ok = True
    try:
        for k in range(1, n + 1):
            os.kill(pid, signal.SIGHUP)
            deadline = time.time() + 10
            while tail.poll() < start + k:
                if time.time() > deadline or not alive():
                    print("no reload %d after SIGHUP %d" % (start + k, k))
                    ok = False
                    break
                time.sleep(0.0005)
            if not ok:
                break
            time.sleep(random.uniform(0, 0.005))
        print("reloads %d" % (tail.poll() - start))
        if ok:
            # a burst: signals folded together still end in a reload
            # that starts after the last of them was read
            for k in range(n // 4):
                os.kill(pid, signal.SIGHUP)
                time.sleep(random.uniform(0, 0.005) if k % 2 else 0)
            before = tail.poll()
            deadline = time.time() + 10
            while tail.poll() == before and time.time() < deadline:
                time.sleep(0.01)
            time.sleep(0.5)
            print("burst_last %d" % (tail.poll() - start))
    finally:
        stop.set()
        for t in threads:
            t.join()
    print("alive %s" % ("yes" if alive() else "no"))
    return 0 if ok and alive() else 1


sys.exit(main())
