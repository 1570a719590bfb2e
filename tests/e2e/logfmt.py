#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""logfmt.py - check the daemon's per-message log lines against
preflight-milter(8): strict logfmt, each key once, the documented keys in
the documented order, each value of the documented form.

Usage: logfmt.py LOG [MIN_LINES]   (lines holding "queue_id=" are checked)
Prints one complaint per bad line and "N lines" at the end; exit 1 if any
line is bad or fewer than MIN_LINES were found.  --count-held prints the
held messages by from_domain instead (as the man page's awk recipe does).
"""
import re
import sys

ORDER = ["queue_id", "action", "would", "verdict", "gmail", "rules", "more",
         "reply", "status", "from_domain", "rcpt_domains", "rcpt", "client",
         "dkim_domains", "spf_domain", "helo", "reason", "fail", "truncated"]
REQUIRED = {"queue_id", "action", "verdict", "gmail", "rules", "from_domain",
            "rcpt_domains", "rcpt", "client", "dkim_domains",
            "spf_domain", "reason"}
ACTIONS = {"accept", "tag", "hold", "tempfail", "reject"}
DOMAIN = r"[a-z0-9._-]*"
FORMS = {
    "queue_id": r"[A-Za-z0-9]+",
    "action": "|".join(ACTIONS),
    "would": "|".join(ACTIONS),
    "verdict": r"|accept|tempfail|reject",
    "gmail": r"|yes|no",
    "rules": r"|[a-z0-9-]+(,[a-z0-9-]+)*",
    "more": r"[0-9]+",
    "reply": r"[245][0-9][0-9]",
    "status": r"[245]\.[0-9]{1,3}\.[0-9]{1,3}",
    "from_domain": DOMAIN,
    "rcpt_domains": r"|%s(,%s)*(,\.\.\.)?" % (DOMAIN, DOMAIN),
    "rcpt": r"[0-9]+",
    "client": r"[0-9a-fA-F.:]+|local",
    "dkim_domains": r"|%s(,%s)*" % (DOMAIN, DOMAIN),
    "spf_domain": DOMAIN,
    "helo": r"[ -~]*",
    "reason": r"[ -~]*",
    "fail": r"[ -~]*",
    "truncated": "yes",
}
PAIR = re.compile(r'([a-z_]+)=("(?:[^"\\]|\\["\\]|\\x[0-9a-f]{2})*"|[^ "=]+)')


def parse(text):
    """[(key, value)] of a strict logfmt line, or raise ValueError"""
    out, pos = [], 0
    while pos < len(text):
        m = PAIR.match(text, pos)
        if not m:
            raise ValueError("not key=value at %r" % text[pos:pos + 30])
        v = m.group(2)
        if v.startswith('"'):
            v = re.sub(r'\\x([0-9a-f]{2})', lambda x: chr(int(x.group(1), 16)),
                       v[1:-1].replace('\\"', '"').replace('\\\\', '\\'))
        out.append((m.group(1), v))
        pos = m.end()
        if pos < len(text):
            if text[pos] != " ":
                raise ValueError("no space after %s" % m.group(1))
            pos += 1
    return out


def check(text):
    try:
        pairs = parse(text)
    except ValueError as e:
        return str(e)
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        return "a key repeats: %s" % keys
    unknown = [k for k in keys if k not in ORDER]
    if unknown:
        return "undocumented keys %s" % unknown
    if keys != sorted(keys, key=ORDER.index):
        return "keys out of order: %s" % keys
    missing = REQUIRED - set(keys)
    if missing and "truncated" not in keys:
        return "missing %s" % sorted(missing)
    for k, v in pairs:
        if not re.fullmatch(FORMS[k], v):
            return "%s=%r is not of the documented form" % (k, v)
    d = dict(pairs)
    if ("reply" in d) != ("status" in d):
        return "reply and status come together"
    if ("fail" in d) != (d.get("reason") == "fail-safe"):
        return "fail= goes with reason=fail-safe"
    return None


def main():
    path = sys.argv[1]
    lines = [l.rstrip("\n") for l in open(path, errors="replace")
             if "queue_id=" in l]
    bodies = [l[l.index("queue_id="):] for l in lines]
    if len(sys.argv) > 2 and sys.argv[2] == "--count-held":
        held = {}
        for b in bodies:
            d = dict(parse(b))
            if d["action"] == "hold":
                held[d["from_domain"]] = held.get(d["from_domain"], 0) + 1
        for dom, n in sorted(held.items(), key=lambda x: (-x[1], x[0])):
            print(n, dom)
        return 0
    need = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    bad = 0
    for b in bodies:
        why = check(b)
        if why:
            bad += 1
            print("bad line (%s): %s" % (why, b))
    print("%d lines" % len(bodies))
    return 1 if bad or len(bodies) < need else 0


sys.exit(main())
