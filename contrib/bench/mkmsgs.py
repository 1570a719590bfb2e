#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""mkmsgs.py - build the benchmark message set from a directory of real
messages, without copying them into the repository.

Each message is read, an mbox "From " line is dropped, line ends become
CRLF, old DKIM-Signature/ARC-* fields are removed (their keys are not
reachable here), Message-ID is made unique, and the message is signed
rsa-sha256 for d=DOMAIN s=SELECTOR with KEY, so that every verifier in the
benchmark does the same real work: fetch the key from the fixture DNS
server, hash the body, check the signature.

Without python3-dkim the messages are left unsigned (enough for the load
and fault tests), unless PF_BENCH_REQUIRE_DKIM is set (the benchmarks).

usage: mkmsgs.py SRCDIR OUTDIR KEY.pem DOMAIN SELECTOR [MAXBYTES [LIMIT]]
Writes OUTDIR/NNNN.eml and prints "count median_bytes mean_bytes".
"""
import os
import sys

try:
    import dkim
except ImportError:         # python3-dkim: contrib/bench/install-peers.sh
    dkim = None


def clean(raw):
    raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if raw.startswith(b"From "):
        raw = raw.split(b"\n", 1)[1] if b"\n" in raw else b""
    head, sep, body = raw.partition(b"\n\n")
    if not sep:
        return None
    fields = []
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += b"\n" + line
        elif b":" in line:
            fields.append(line)
    drop = (b"dkim-signature", b"arc-", b"message-id", b"return-path",
            b"received", b"x-original-to", b"delivered-to")
    kept = [f for f in fields
            if not f.split(b":", 1)[0].strip().lower().startswith(drop)]
    if not any(f.lower().startswith(b"from:") for f in kept):
        return None
    return kept, body


def main(argv):
    if len(argv) < 6:
        sys.stderr.write(__doc__)
        return 64
    src, out, keyfile, domain, selector = argv[1:6]
    maxbytes = int(argv[6]) if len(argv) > 6 else 262144
    limit = int(argv[7]) if len(argv) > 7 else 1000
    key = open(keyfile, "rb").read()
    if dkim is None:
        if os.environ.get("PF_BENCH_REQUIRE_DKIM"):
            sys.stderr.write("mkmsgs: python3-dkim is missing "
                             "(contrib/bench/install-peers.sh)\n")
            return 1
        sys.stderr.write("mkmsgs: python3-dkim is missing; not signing\n")
    os.makedirs(out, exist_ok=True)
    sizes = []
    for name in sorted(os.listdir(src)):
        if len(sizes) >= limit:
            break
        path = os.path.join(src, name)
        if not name.endswith(".eml") or not os.path.isfile(path):
            continue
        raw = open(path, "rb").read()
        if len(raw) > maxbytes:
            continue
        got = clean(raw)
        if got is None:
            continue
        fields, body = got
        n = len(sizes)
        fields.append(b"Message-ID: <bench.%d@%s>" % (n, domain.encode()))
        msg = (b"\n".join(fields) + b"\n\n" + body).replace(b"\n", b"\r\n")
        if not msg.endswith(b"\r\n"):
            msg += b"\r\n"
        if dkim is not None:
            try:
                sig = dkim.sign(msg, selector.encode(), domain.encode(), key,
                                include_headers=[b"from", b"to", b"subject",
                                                 b"date", b"message-id"])
            except Exception:
                continue
            msg = sig.replace(b"\r\n", b"\n").replace(b"\n",
                                                       b"\r\n") + msg
        with open(os.path.join(out, "%04d.eml" % n), "wb") as f:
            f.write(msg)
        sizes.append(len(msg))
    if not sizes:
        sys.stderr.write("mkmsgs: no usable message in %s\n" % src)
        return 1
    s = sorted(sizes)
    print(len(s), s[len(s) // 2], sum(s) // len(s))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
