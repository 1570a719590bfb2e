#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""smtpbench.py - an SMTP load generator that times every message.

Like smtp-source, it opens one SMTP session per message (EHLO, MAIL, RCPT,
DATA, QUIT) and keeps SESSIONS of them in flight; unlike smtp-source it
sends a set of real messages round-robin and records, per message, the time
from the TCP connect to the server's reply to the end of DATA.  That reply
comes after every milter has answered end-of-message, so the difference
between two configurations is the latency the milter adds.

usage: smtpbench.py HOST PORT SESSIONS COUNT MSGDIR [SENDER RCPT]
A SENDER with %d in it gets the message's number there (a new domain per
message defeats DNS caches, for the fault tests).
Prints one JSON object: sent, accepted, rejected, tempfailed, errors,
elapsed_s, msgs_per_s, p50_ms, p90_ms, p99_ms, max_ms, and eod_p50_ms,
eod_p99_ms: the time from the end of DATA (the final dot sent) to the
server's reply, i.e. what the milter's end-of-message work adds.
With SMTPBENCH_CLIENT_MS set, the client pauses that many milliseconds
before RCPT, DATA and the message, as a client that many milliseconds
(round trip) away would between its MAIL FROM reaching the server and its
end of DATA; the end-of-DATA time is measured as before.
"""
import asyncio
import json
import os
import sys
import time


def load(msgdir):
    msgs = []
    for name in sorted(os.listdir(msgdir)):
        with open(os.path.join(msgdir, name), "rb") as f:
            raw = f.read().replace(b"\r\n", b"\n").split(b"\n")
        if raw and raw[-1] == b"":
            raw.pop()
        lines = [b"." + ln if ln.startswith(b".") else ln for ln in raw]
        msgs.append(b"\r\n".join(lines) + b"\r\n.\r\n")
    return msgs


async def reply(r):
    while True:
        line = await r.readline()
        if len(line) < 4:
            raise ConnectionError("short reply %r" % line)
        if line[3:4] != b"-":
            return int(line[:3])


CLIENT_S = float(os.environ.get("SMTPBENCH_CLIENT_MS") or 0) / 1000.0


async def away():
    """the pause of a client farther away, if any"""
    if CLIENT_S > 0:
        await asyncio.sleep(CLIENT_S)


async def one(host, port, data, sender, rcpt, i, eod):
    if b"%d" in sender:
        sender = sender.replace(b"%d", b"%d" % i)
    r, w = await asyncio.open_connection(host, port)
    try:
        if await reply(r) != 220:
            return "error"
        w.write(b"EHLO bench.example\r\n")
        if await reply(r) != 250:
            return "error"
        w.write(b"MAIL FROM:<%s>\r\n" % sender)
        c = await reply(r)
        if c != 250:
            return "rejected" if c >= 500 else "tempfailed"
        await away()
        w.write(b"RCPT TO:<%s>\r\n" % rcpt)
        c = await reply(r)
        if c != 250:
            return "rejected" if c >= 500 else "tempfailed"
        await away()
        w.write(b"DATA\r\n")
        c = await reply(r)
        if c != 354:
            return "rejected" if c >= 500 else "tempfailed"
        await away()
        w.write(data)
        t = time.perf_counter()
        c = await reply(r)
        eod.append((time.perf_counter() - t) * 1000.0)
        w.write(b"QUIT\r\n")
        if c == 250:
            return "accepted"
        return "rejected" if c >= 500 else "tempfailed"
    finally:
        w.close()


async def run(host, port, sessions, count, msgs, sender, rcpt):
    lat = []
    eod = []
    res = {"accepted": 0, "rejected": 0, "tempfailed": 0, "errors": 0}
    nxt = [0]

    async def worker():
        while nxt[0] < count:
            i = nxt[0]
            nxt[0] += 1
            t0 = time.perf_counter()
            try:
                k = await asyncio.wait_for(
                    one(host, port, msgs[i % len(msgs)], sender, rcpt, i,
                        eod),
                    120)
            except (OSError, ConnectionError, asyncio.TimeoutError):
                k = "errors"
            if k == "error":
                k = "errors"
            res[k] += 1
            lat.append((time.perf_counter() - t0) * 1000.0)

    t0 = time.perf_counter()
    await asyncio.gather(*[worker() for _ in range(sessions)])
    el = time.perf_counter() - t0
    lat.sort()
    eod.sort()

    def q(p, v=lat):
        return round(v[min(len(v) - 1, int(p * len(v)))], 2) if v else None
    out = {"sent": count, **res, "elapsed_s": round(el, 3),
           "msgs_per_s": round(count / el, 1), "p50_ms": q(0.50),
           "p90_ms": q(0.90), "p99_ms": q(0.99), "max_ms": round(lat[-1], 2),
           "eod_p50_ms": q(0.50, eod), "eod_p99_ms": q(0.99, eod)}
    return out


def main(argv):
    if len(argv) < 6:
        sys.stderr.write(__doc__)
        return 64
    host, port = argv[1], int(argv[2])
    sessions, count = int(argv[3]), int(argv[4])
    msgs = load(argv[5])
    sender = (argv[6] if len(argv) > 6 else "bench@bench.example").encode()
    rcpt = (argv[7] if len(argv) > 7 else "user@gmail.com").encode()
    out = asyncio.run(run(host, port, sessions, count, msgs, sender, rcpt))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
