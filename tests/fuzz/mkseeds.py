#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""mkseeds.py - (re)build the small seed corpora in tests/fuzz/corpus from
the fixtures in the tree: header values, header blocks, MIME bodies, reply
texts, rule entries, configurations and tiny archives.  Run from the top
of the source tree; the output is committed, so make check needs neither
this script nor zip.

usage: tests/fuzz/mkseeds.py
"""
import hashlib
import io
import os
import re
import subprocess
import tarfile
import gzip
import zipfile

OUT = "tests/fuzz/corpus"
FIX = "tests/fixtures/content"


def put(target, data, name=None):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    name = name or hashlib.sha1(data).hexdigest()[:12]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def messages():
    for n in sorted(os.listdir(FIX)):
        if n.endswith(".eml"):
            with open(os.path.join(FIX, n), "rb") as f:
                yield n[:-4], f.read()


def fields(raw):
    raw = raw.replace(b"\r\n", b"\n")
    head = raw.split(b"\n\n", 1)[0]
    out = []
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t") and out:
            out[-1] = (out[-1][0], out[-1][1] + b"\r\n" + line)
        elif b":" in line:
            k, v = line.split(b":", 1)
            out.append((k.strip().lower(), v))
    return out


def tokens():
    """token: the lexical corners of RFC 5322 / 2047 (the header values of
    the fixtures are added by main)"""
    for s in ["(a (b (c)) d) x", "(a \\) b) c", "(unterminated (nested)",
              "(a \\", "\"q \\\" s\" x", "\"open", "\"a\\\"",
              "[192.0.2.1] x", "[open", "[a\\]b]", " \t\r\n (c) x",
              "a.b.c", "a..b", ".a", "a.", "!#$%&'*+-/=?^_`{|}~",
              "\"a\x01b\"", "[a b]", "[\u00e9]",
              "=?utf-8?q?caf=C3=A9?= =?UTF-8?B?Y2Fmw6k=?=", "=?a?\0?b?=",
              "=?utf-8?q?open", "=??q?a?=", "((((((((((((((((x",
              "x <\"a<b\"@c> (<) [<] ,"]:
        put("token", s)


def main():
    seen = {"addr": set(), "msgid": set(), "date": set()}
    for name, raw in messages():
        if len(raw) > 65536:
            continue
        for k, v in fields(raw):
            t = None
            if k in (b"from", b"to", b"cc", b"reply-to", b"sender"):
                t = "addr"
            elif k in (b"message-id", b"in-reply-to", b"references"):
                t = "msgid"
            elif k == b"date":
                t = "date"
            if t and v not in seen[t] and len(seen[t]) < 40:
                seen[t].add(v)
                put(t, v[:2048])
                put("token", v[:2048])
        head = raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
        put("header", head[:4096], name)
        m = re.search(rb"(?im)^content-type:(.*(?:\n[ \t].*)*)", head)
        if m and b"multipart" in m.group(1).lower():
            body = raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[1]
            ct = m.group(1).replace(b"\n", b" ").strip()
            put("mime", ct + b"\n" + body[:16384], name)
    # envelope paths and domains for the path checks
    for s in ["<>", "a@example.com", "\"a b\"@example.com", "a@[192.0.2.1]",
              "a@xn--bcher-kva.example", "a@b\u00fccher.example",
              "@relay.example:a@example.com", "a@-bad-.example"]:
        put("addr", s)
    for s in ["Mon, 2 Jan 2006 15:04:05 -0700", "2 Jan 06 15:04 EST",
              "Thu, 13 Feb 1969 23:32:54 -0330 (Newfoundland Time)",
              "Fri, 31 Dec 9999 23:59:60 +1400"]:
        put("date", s)

    for s in ["<a.b@example.com>", " <x@y> (comment)", "<\"q\"@[1.2.3.4]>",
              "<a@b> <c@d>", "<" + "x" * 600 + "@example.com>", "<@>"]:
        put("msgid", s)

    tokens()

    # explain: the reply fixtures, Gmail's own table lines, real forms
    seeds = "tests/data/seeds/gmail-smtp-errors-and-codes.txt"
    if os.path.exists(seeds):
        with open(seeds, encoding="utf-8", errors="replace") as f:
            lines = [l.strip() for l in f if re.match(r"\s*[45]\d\d", l)]
        for l in lines[:200:8]:
            put("explain", l)
    ex = "tests/fixtures/explain"
    for n in sorted(os.listdir(ex)):
        with open(os.path.join(ex, n), "rb") as f:
            for block in f.read().split(b"\n\n")[:40]:
                if block.strip():
                    put("explain", block)
    for s in [
        "550-5.7.26 This mail has been blocked because the sender is\n"
        "550-5.7.26 unauthenticated. Gmail requires all senders to\n"
        "550 5.7.26 authenticate with either SPF or DKIM. - gsmtp",
        "Nov 29 05:20:03 mta postfix/smtp[1]: 4XyZ: to=<a@gmail.com>, "
        "relay=gmail-smtp-in.l.google.com[142.250.1.1]:25, delay=1, "
        "dsn=5.7.1, status=bounced (host said: 550 5.7.1 [192.0.2.1 12] "
        "Our system has detected that this message is likely unsolicited "
        "mail. - gsmtp)",
        "421 4.7.0 [192.0.2.1 15] Try again later, closing connection.",
        "Reporting-MTA: dns; mta.example.com\n\nFinal-Recipient: rfc822; "
        "a@gmail.com\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: "
        "smtp; 550-5.1.1 The email account that you tried to reach does "
        "not exist.\n"]:
        put("explain", s)

    # rules: the constants and a few whole entries of the bundled catalog
    with open("rules/gmail.rules", encoding="utf-8") as f:
        text = f.read()
    consts = "\n".join(l for l in text.splitlines() if l.startswith("const "))
    entries = re.findall(r"(?ms)^rule .*?^end$", text)
    for i in range(0, min(len(entries), 40), 5):
        put("rules", consts + "\n\n" + "\n\n".join(entries[i:i + 5]) + "\n")
    put("rules", consts + "\n")
    # every confidence level, and a word that is none of them
    rated = [e for e in entries if "\tconfidence " in e]
    for level in ("low", "medium"):
        put("rules", consts + "\n\n" + "\n\n".join(
            [e for e in rated if "\tconfidence %s" % level in e][:3]) + "\n")
    put("rules", re.sub(r"(?m)^(\tclass .*)$", "\\1\n\tconfidence certain",
                        entries[0], 1) + "\n")

    # config: every key once, and a few broken lines
    put("config", "\n".join([
        "# all keys", "Rules /usr/share/preflight/gmail.rules",
        "EgressIP 192.0.2.10 2001:db8::10", "HELO mta.example.com",
        "Nameserver 127.0.0.1:5300", "DNS yes", "DNSQueryTimeout 2000",
        "DNSMessageBudget 5000", "Bulk no", "TLS unknown",
        "RelayViaGoogle no", "Signer example.com s1 /etc/k.pem *@example.com",
        "KeyTable /etc/opendkim/KeyTable",
        "SigningTable refile:/etc/opendkim/SigningTable",
        "Action * permanent hold", "Action example.com class:dns tempfail",
        "Action example.com rule:dmarc-reject reject",
        "Action * confidence:medium tag", "MinConfidence low", "DryRun no",
        "SenderDomain both", "UnknownRecipients other",
        "BlockOnlyAllGmail yes", "FailAction accept",
        "MTAAddsHeaders local", "Socket inet:8891@127.0.0.1",
        "SocketMode 0660", "User preflight", "Group preflight",
        "PidFile /run/preflight/preflight.pid", "Background yes",
        "LogFacility mail", "MilterTimeout 300", "DrainTimeout 30", ""]))
    for s in ["Rules /x\nNoSuchKey 1\n", "Bulk maybe\n",
              "Nameserver [::1]:53\nDNS no\n", "Action * fatal tag\n",
              "Action * confidence:certain tag\nMinConfidence sure\n",
              "Socket unix:/run/preflight/sock\n\tAction * permanent hold\n",
              "EgressIP 192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4 192.0.2.5\n"]:
        put("config", s)

    # archives: tiny ones of each kind the MIME walk lists
    def zbytes(members, pw=None):
        b = io.BytesIO()
        with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
            for n, d in members:
                z.writestr(n, d)
        return b.getvalue()
    put("archive", zbytes([("readme.txt", "hello\n")]), "plain.zip")
    put("archive", zbytes([("setup.exe", b"MZ\x90\x00" + b"\0" * 60)]),
        "exe.zip")
    inner = zbytes([("run.js", "WScript.Echo(1)\n")])
    put("archive", zbytes([("inner.zip", inner), ("a.txt", "a")]),
        "nested.zip")
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w:gz") as t:
        data = b"MZ" + b"\0" * 62
        ti = tarfile.TarInfo("bin/tool.exe")
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
    put("archive", b.getvalue(), "exe.tar.gz")
    put("archive", gzip.compress(b"MZ" + b"\0" * 100), "x.exe.gz")
    try:
        d = os.path.abspath(os.path.join(OUT, "archive"))
        subprocess.run(["sh", "-c", "cd \"$1\" && printf 'MZ' > t.exe && "
                        "zip -q -P secret enc.zip t.exe && rm -f t.exe",
                        "sh", d], check=True)
    except (OSError, subprocess.CalledProcessError):
        pass


if __name__ == "__main__":
    main()
