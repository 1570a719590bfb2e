#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""report.py - turn the raw e2e.sh measurements into a markdown table.

usage: report.py SS.tsv TIMED.tsv [CPU.tsv CLK_TCK]
SS.tsv:    round name concurrency messages t0 t1 errors   (smtp-source)
TIMED.tsv: round name concurrency json                    (smtpbench.py)
CPU.tsv:   round name concurrency messages ticks       (milter process)
Values are medians over rounds.  "ratio" is msgs/s of the configuration
over msgs/s without a milter at the same concurrency; "added" latency is
the configuration's p50/p99 minus the no-milter p50/p99.
"""
import json
import statistics
import sys
from collections import defaultdict


def main(argv):
    ss = defaultdict(list)
    errs = defaultdict(int)
    for line in open(argv[1]):
        r, name, c, n, t0, t1, e = line.split("\t")
        ss[(name, int(c))].append(int(n) / (float(t1) - float(t0)))
        errs[(name, int(c))] += int(e)
    timed = defaultdict(list)
    for line in open(argv[2]):
        r, name, c, j = line.split("\t", 3)
        timed[(name, int(c))].append(json.loads(j))
    cpu = defaultdict(list)
    if len(argv) > 4:
        hz = float(argv[4])
        for line in open(argv[3]):
            r, name, c, n, k = line.split("\t")
            cpu[(name, int(c))].append(int(k) * 1000.0 / hz / int(n))
    names = []
    for (name, c) in list(ss) + list(timed):
        if name not in names:
            names.append(name)
    concs = sorted({c for (_, c) in ss} | {c for (_, c) in timed})
    med = statistics.median

    print("| sessions | milter | socket | msgs/s | ratio | timed msgs/s "
          "| p50 ms | p99 ms | added p50 ms | added p99 ms | not accepted |" +
          (" CPU ms/msg |" if cpu else ""))
    print("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|" +
          ("---:|" if cpu else ""))
    for c in concs:
        base = ss.get(("none", c))
        b = med(base) if base else None
        bt = timed.get(("none", c), [])
        b50 = med([x["p50_ms"] for x in bt]) if bt else None
        b99 = med([x["p99_ms"] for x in bt]) if bt else None
        for name in names:
            if (name, c) not in ss and (name, c) not in timed:
                continue
            milter, _, sock = name.partition("_")
            sock = {"local": "local:", "inet": "inet:"}.get(sock, "-")
            rate = med(ss[(name, c)]) if (name, c) in ss else None
            t = timed.get((name, c), [])
            tr = med([x["msgs_per_s"] for x in t]) if t else None
            p50 = med([x["p50_ms"] for x in t]) if t else None
            p99 = med([x["p99_ms"] for x in t]) if t else None
            bad = sum(x["sent"] - x["accepted"] for x in t) + \
                errs[(name, c)]

            def f(v, d=1):
                return "-" if v is None else "%.*f" % (d, v)
            ratio = "-" if rate is None or not b else "%.2f" % (rate / b)
            a50 = None if p50 is None or b50 is None else p50 - b50
            a99 = None if p99 is None or b99 is None else p99 - b99
            if name == "none":
                a50 = a99 = None
            k = cpu.get((name, c))
            print("| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d |" % (
                c, milter, sock, f(rate), ratio, f(tr), f(p50, 2),
                f(p99, 2), f(a50, 2), f(a99, 2), bad) +
                ((" %s |" % f(med(k) if k else None, 2)) if cpu else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
