#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""mkmaillog.py N FILE - a Postfix maillog of N lines for the learn
benchmark: per message the lines Postfix writes (smtpd connect, cleanup,
qmgr, one smtp delivery per recipient, removed, disconnect), a third of
the deliveries to Gmail refused with one of its common replies."""
import random
import sys

REPLIES = [
    ("5.1.1", "bounced", "550-5.1.1 The email account that you tried to "
     "reach does not exist. Please try 550-5.1.1 double-checking the "
     "recipient's email address for typos or 550-5.1.1 unnecessary spaces. "
     "For more information, go to 550 5.1.1  "
     "https://support.google.com/mail/?p=NoSuchUser %s - gsmtp"),
    ("4.2.2", "deferred", "452-4.2.2 The recipient's inbox is out of "
     "storage space. Please direct 452-4.2.2 the recipient to 452 4.2.2  "
     "https://support.google.com/mail/?p=OverQuotaTemp %s - gsmtp"),
    ("4.7.0", "deferred", "421-4.7.0 [192.0.2.10      15] Our system has "
     "detected that this message is 421-4.7.0 suspicious due to the very "
     "low reputation of the sending IP 421-4.7.0 address. To protect our "
     "users from spam, mail sent from your IP 421-4.7.0 address has been "
     "temporarily rate limited. %s - gsmtp"),
    ("5.7.26", "bounced", "550-5.7.26 Unauthenticated email from "
     "example.org is not accepted due to 550-5.7.26 domain's DMARC policy. "
     "Please contact the administrator of 550-5.7.26 example.org domain if "
     "this was a legitimate mail. %s - gsmtp"),
]


def main(n, path):
    rnd = random.Random(1)
    out = open(path, "w")
    lines = 0
    msg = 0
    while lines < n:
        msg += 1
        q = "4Z%09X" % msg
        t = "Nov 30 %02d:%02d:%02d" % (msg // 3600 % 24, msg // 60 % 60,
                                       msg % 60)
        pid = 1000 + msg % 5000
        out.write("%s mx1 postfix/smtpd[%d]: connect from client[192.0.2.9]\n"
                  "%s mx1 postfix/smtpd[%d]: %s: client=client[192.0.2.9]\n"
                  "%s mx1 postfix/cleanup[%d]: %s: message-id=<%d@example.org>\n"
                  "%s mx1 postfix/qmgr[812]: %s: from=<news@example.org>, "
                  "size=2311, nrcpt=2 (queue active)\n"
                  % (t, pid, t, pid, q, t, pid, q, msg, t, q))
        lines += 4
        for r in range(2):
            sid = "a%dsi%d.%d" % (msg, r, pid)
            rel = ("gmail-smtp-in.l.google.com[142.250.102.27]:25"
                   if r == 0 or msg % 3 else "mx.example.net[198.51.100.7]:25")
            head = ("%s mx1 postfix/smtp[%d]: %s: to=<u%d.%d@%s>, relay=%s, "
                    "delay=1.2, delays=0.01/0.01/0.41/0.77, "
                    % (t, pid, q, msg, r,
                       "gmail.com" if "google" in rel else "example.net", rel))
            if "google" in rel and rnd.random() < 0.33:
                dsn, st, text = rnd.choice(REPLIES)
                out.write(head + "dsn=%s, status=%s (host %s said: %s (in "
                          "reply to RCPT TO command))\n"
                          % (dsn, st, rel.rsplit(":", 1)[0], text % sid))
            else:
                out.write(head + "dsn=2.0.0, status=sent (250 2.0.0 OK  "
                          "1796011921 %s - gsmtp)\n" % sid)
            lines += 1
        out.write("%s mx1 postfix/qmgr[812]: %s: removed\n"
                  "%s mx1 postfix/smtpd[%d]: disconnect from client[192.0.2.9]"
                  " ehlo=1 mail=1 rcpt=2 data=1 quit=1 commands=5\n"
                  % (t, q, t, pid))
        lines += 2
    out.close()


main(int(sys.argv[1]), sys.argv[2])
