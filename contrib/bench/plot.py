#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""plot.py - messages per second against concurrent sessions, one line per
configuration, from e2e.sh's raw smtp-source measurements.

usage: plot.py SS.tsv OUTPREFIX
Writes OUTPREFIX.svg with gnuplot (always) and OUTPREFIX.png with
matplotlib when it is installed.  Values are medians over rounds.
"""
import os
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict


def load(path):
    rates = defaultdict(list)
    for line in open(path):
        r, name, c, n, t0, t1, e = line.rstrip("\n").split("\t")
        rates[(name, int(c))].append(int(n) / (float(t1) - float(t0)))
    series = defaultdict(list)
    for (name, c), v in sorted(rates.items(), key=lambda x: x[0][1]):
        series[name].append((c, statistics.median(v)))
    return series


def label(name):
    m, _, s = name.partition("_")
    return m if not s else "%s (%s:)" % (m, s)


def gnuplot(series, out):
    d = tempfile.mkdtemp()
    cmds = ['set terminal svg size 800,500 dynamic font "sans,12"',
            'set output "%s.svg"' % out,
            'set title "End-to-end throughput through Postfix"',
            'set xlabel "concurrent SMTP sessions"',
            'set ylabel "messages per second"',
            "set logscale x 2", "set grid", "set key left top",
            "set yrange [0:*]"]
    plots = []
    for name, pts in series.items():
        f = os.path.join(d, name + ".dat")
        with open(f, "w") as fh:
            for c, v in pts:
                fh.write("%d %.2f\n" % (c, v))
        plots.append('"%s" using 1:2 with linespoints title "%s"' %
                     (f, label(name)))
    cmds.append("plot " + ", ".join(plots))
    subprocess.run(["gnuplot"], input="\n".join(cmds) + "\n", text=True,
                   check=True)


def matplot(series, out):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, ax = plt.subplots(figsize=(8, 5))
    for name, pts in series.items():
        ax.plot([c for c, _ in pts], [v for _, v in pts], marker="o",
                label=label(name))
    ax.set_xscale("log", base=2)
    ax.set_xlabel("concurrent SMTP sessions")
    ax.set_ylabel("messages per second")
    ax.set_title("End-to-end throughput through Postfix")
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out + ".png", dpi=100)


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 64
    series = load(argv[1])
    if not series:
        sys.stderr.write("plot: no data\n")
        return 1
    gnuplot(series, argv[2])
    matplot(series, argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
