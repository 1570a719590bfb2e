#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""make-fixtures.py BUILDDIR - (re)write tests/fixtures/dns/*.eml and
*.expect: one positive and one negative case per dns-class rule of
rules/gmail.rules, against the zones in tests/nsd/zones.  Signed messages
are made with BUILDDIR/tests/tools/dkim-sign and the test keys in
tests/nsd/keys; run it again after changing a key or a fixture below.

An .expect holds `args: ...` (options for `preflight check`; @PORT@ is the
private NSD's port, @CONF@ the fixture's <name>.conf with @SRCDIR@ filled
in) and lines `+rule` (must be predicted), `-rule` (must
not be) and `?rule` (must be listed as unknown)."""
import os
import subprocess
import sys

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(SRC, "tests", "fixtures", "dns")
KEYS = os.path.join(SRC, "tests", "dns", "keys")

BASE = """From: Alice <{frm}>
To: Bob <bob@gmail.com>
Subject: Quarterly report
Date: Sun, 29 Nov 2026 05:00:00 +0000
Message-ID: <{name}@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
List-Unsubscribe: <https://example.com/u/{name}>
List-Unsubscribe-Post: List-Unsubscribe=One-Click

Hello Bob,

the quarterly figures are in, and they look good.

Alice
"""

GOOD = ("example.com", "sel1", "rsa2048", "rsa-sha256")

# name: (From, signature or None, mutation, args, expectations, comment)
FIXTURES = [
    # spf-hardfail (550 5.7.26, -all)
    ("spf-hardfail", "alice@example.com", None, None,
     "--egress-ip 192.0.2.20 --mail-from alice@example.com",
     "+spf-hardfail -unauthenticated -dmarc-reject",
     "egress address not in example.com's -all record"),
    ("spf-softfail-not-hardfail", "alice@soft.example.net", None, None,
     "--egress-ip 192.0.2.20 --mail-from alice@soft.example.net",
     "-spf-hardfail +unauthenticated",
     "~all: softfail is not the hard-fail reply (and nothing passes)"),
    # unauthenticated (550 5.7.26)
    ("unauthenticated", "alice@soft.example.net", None, None,
     "--egress-ip 192.0.2.20 --mail-from alice@soft.example.net",
     "+unauthenticated -spf-hardfail -dmarc-reject",
     "SPF softfail, no DKIM, no DMARC reject"),
    ("unauthenticated-dkim-other-domain", "alice@soft.example.net", GOOD,
     None, "--egress-ip 192.0.2.20 --mail-from alice@soft.example.net",
     "-unauthenticated",
     "DKIM passes for example.com: authenticated, even if not aligned"),
    # dmarc-reject (550 5.7.26)
    ("dmarc-reject", "alice@example.com", None, None,
     "--egress-ip 192.0.2.20 --mail-from bounce@soft.example.net",
     "+dmarc-reject -spf-hardfail -unauthenticated -dmarc-temperror",
     "p=reject, SPF softfail for an unaligned domain, no DKIM"),
    ("dmarc-reject-dkim-aligned", "alice@example.com", GOOD, None,
     "--egress-ip 192.0.2.20 --mail-from bounce@soft.example.net",
     "-dmarc-reject -unauthenticated",
     "the same, with an aligned rsa-sha256 signature"),
    # dmarc-temperror (451 4.7.26)
    ("dmarc-temperror-spf", "alice@example.com", None, None,
     "--egress-ip 192.0.2.10 --mail-from bounce@temp.example.net",
     "+dmarc-temperror -dmarc-reject -unauthenticated",
     "SPF include: of a name the server refuses: temperror"),
    ("dmarc-temperror-servfail", "alice@example.com", None, None,
     "--egress-ip 192.0.2.10 --mail-from bounce@sender.invalid",
     "+dmarc-temperror -dmarc-reject -spf-hardfail -spf-suspicious",
     "MAIL FROM domain answered REFUSED (SERVFAIL): temperror, no verdict"),
    ("dmarc-temperror-dkim", "alice@example.com",
     ("example.invalid", "sel1", "rsa2048", "rsa-sha256"), None,
     "--egress-ip 192.0.2.20 --mail-from bounce@soft.example.net",
     "+dmarc-temperror -dmarc-reject",
     "DKIM key lookup refused: dkim.temperror"),
    ("dmarc-pass", "alice@example.com", None, None,
     "--egress-ip 192.0.2.10 --mail-from alice@example.com",
     "-dmarc-temperror -dmarc-reject -unauthenticated -spf-hardfail",
     "aligned SPF pass"),
    # spf-suspicious (550 5.7.24)
    ("spf-suspicious-plusall", "alice@plusall.example.net", None, None,
     "--egress-ip 192.0.2.10 --mail-from alice@plusall.example.net",
     "+spf-suspicious", "v=spf1 +all"),
    ("spf-suspicious-ptr", "alice@ptrmech.example.net", None, None,
     "--egress-ip 192.0.2.10 --mail-from alice@ptrmech.example.net",
     "+spf-suspicious", "the ptr mechanism"),
    ("spf-suspicious-wide", "alice@wide.example.net", None, None,
     "--egress-ip 192.0.2.10 --mail-from alice@wide.example.net",
     "+spf-suspicious", "ip4:0.0.0.0/1"),
    ("spf-suspicious-lookups", "alice@many.example.net", None, None,
     "--egress-ip 192.0.2.10 --mail-from alice@many.example.net",
     "+spf-suspicious", "11 include: terms"),
    ("spf-suspicious-voids", "alice@voids.example.net", None, None,
     "--egress-ip 192.0.2.10 --mail-from alice@voids.example.net",
     "+spf-suspicious", "3 void lookups"),
    ("spf-suspicious-two-records", "alice@two.example.net", None, None,
     "--egress-ip 192.0.2.10 --mail-from alice@two.example.net",
     "+spf-suspicious", "two SPF records"),
    ("spf-not-suspicious", "alice@example.com", GOOD, None,
     "--egress-ip 192.0.2.10 --mail-from alice@example.com",
     "-spf-suspicious -spf-hardfail -unauthenticated -dmarc-reject "
     "-ptr-missing -ptr-mismatch -ipv6-guidelines "
     "-recipient-domain-not-found",
     "a well-configured sender: none of the dns rules"),
    # ptr-missing / ptr-mismatch (550 5.7.25)
    ("ptr-missing", "alice@example.com", GOOD, None,
     "--egress-ip 192.0.2.12 --mail-from alice@example.com",
     "+ptr-missing -ptr-mismatch", "192.0.2.12 has no PTR"),
    ("ptr-present", "alice@example.com", GOOD, None,
     "--egress-ip 192.0.2.20 --mail-from alice@example.com",
     "-ptr-missing -ptr-mismatch",
     "192.0.2.20 -> out20.example.net -> 192.0.2.20"),
    ("ptr-mismatch", "alice@example.com", GOOD, None,
     "--egress-ip 192.0.2.11 --mail-from alice@example.com",
     "+ptr-mismatch -ptr-missing",
     "192.0.2.11 -> nofcrdns.example.com, which has no address"),
    ("ptr-confirmed", "alice@example.com", GOOD, None,
     "--egress-ip 192.0.2.10 --mail-from alice@example.com",
     "-ptr-mismatch -ptr-missing", "forward-confirmed"),
    # ipv6-guidelines (550 5.7.1)
    ("ipv6-no-fcrdns", "alice@example.com", GOOD, None,
     "--egress-ip 2001:db8::11 --mail-from alice@example.com",
     "+ipv6-guidelines -ptr-missing -ptr-mismatch",
     "IPv6 egress whose PTR name has no AAAA"),
    ("ipv6-good", "alice@example.com", GOOD, None,
     "--egress-ip 2001:db8::10 --mail-from alice@example.com",
     "-ipv6-guidelines", "IPv6 egress with FCrDNS, SPF and DKIM pass"),
    # recipient-domain-not-found (553 5.1.2)
    ("rcpt-nxdomain", "alice@example.com", GOOD, None,
     "--egress-ip 192.0.2.10 --mail-from alice@example.com "
     "--rcpt carol@nx.example.net",
     "+recipient-domain-not-found", "the domain does not exist"),
    ("rcpt-no-mx-no-address", "alice@example.com", GOOD, None,
     "--egress-ip 192.0.2.10 --mail-from alice@example.com "
     "--rcpt carol@nomx.example.net --rcpt bob@gmail.com",
     "+recipient-domain-not-found", "neither MX nor A/AAAA"),
    ("rcpt-workspace", "alice@example.com", GOOD, None,
     "--egress-ip 192.0.2.10 --mail-from alice@example.com "
     "--rcpt carol@ws.example.net --rcpt dave@aonly.example.net",
     "-recipient-domain-not-found",
     "MX at aspmx.l.google.com; and an A record only"),
    # bulk senders
    ("bulk-compliant", "alice@example.com", GOOD, None,
     "--bulk --egress-ip 192.0.2.10 --mail-from alice@example.com",
     "-bulk-spf-fail -bulk-dkim-fail -bulk-dmarc-missing "
     "-bulk-from-not-aligned",
     "SPF, DKIM, DMARC and alignment all in order"),
    ("bulk-spf-fail", "alice@example.com", GOOD, None,
     "--bulk --egress-ip 192.0.2.20 --mail-from bounce@soft.example.net",
     "+bulk-spf-fail -bulk-dkim-fail", "SPF softfail"),
    ("bulk-dkim-unsigned", "alice@example.com", None, None,
     "--bulk --egress-ip 192.0.2.10 --mail-from alice@example.com",
     "+bulk-dkim-fail -bulk-spf-fail", "no signature"),
    ("bulk-dkim-body-changed", "alice@example.com", GOOD, "body",
     "--bulk --egress-ip 192.0.2.10 --mail-from alice@example.com",
     "+bulk-dkim-fail", "body changed after signing"),
    ("bulk-dkim-weak-key", "alice@example.com",
     ("example.com", "weak", "weak512", "rsa-sha256"), None,
     "--bulk --egress-ip 192.0.2.10 --mail-from alice@example.com",
     "+bulk-dkim-fail", "512-bit key"),
    ("bulk-dkim-rsa-sha1", "alice@example.com",
     ("example.com", "sel1", "rsa2048", "rsa-sha1"), None,
     "--bulk --egress-ip 192.0.2.10 --mail-from alice@example.com",
     "+bulk-dkim-fail", "rsa-sha1"),
    ("bulk-dkim-key-missing", "alice@example.com",
     ("example.com", "gone", "rsa2048", "rsa-sha256"), None,
     "--bulk --egress-ip 192.0.2.10 --mail-from alice@example.com",
     "+bulk-dkim-fail", "no key at gone._domainkey.example.com"),
    ("bulk-dkim-key-mismatch", "alice@example.com",
     ("example.com", "wrong", "rsa2048", "rsa-sha256"), None,
     "--bulk --egress-ip 192.0.2.10 --mail-from alice@example.com",
     "+bulk-dkim-fail", "the key in DNS is another key"),
    ("bulk-dkim-ed25519", "alice@example.com",
     ("example.com", "ed1", "ed25519", "ed25519-sha256"), None,
     "--bulk --egress-ip 192.0.2.10 --mail-from alice@example.com",
     "-bulk-dkim-fail", "a good ed25519-sha256 signature"),
    ("bulk-dmarc-missing", "alice@nodmarc.example.net", GOOD, None,
     "--bulk --egress-ip 192.0.2.10 --mail-from alice@nodmarc.example.net",
     "+bulk-dmarc-missing -bulk-from-not-aligned",
     "no DMARC record at the domain or example.net"),
    ("bulk-dmarc-invalid", "alice@badmarc.example.net", GOOD, None,
     "--bulk --egress-ip 192.0.2.10 --mail-from alice@badmarc.example.net",
     "+bulk-dmarc-missing", "a DMARC record with v= not first"),
    ("bulk-from-not-aligned", "alice@ruaonly.example.net", GOOD, None,
     "--bulk --egress-ip 192.0.2.10 --mail-from bounce@example.org",
     "+bulk-from-not-aligned -bulk-spf-fail -bulk-dkim-fail "
     "-bulk-dmarc-missing",
     "SPF passes for example.org, DKIM for example.com: neither aligned"),
    ("bulk-from-aligned-spf", "alice@ruaonly.example.net", GOOD, None,
     "--bulk --egress-ip 192.0.2.10 --mail-from bounce@ruaonly.example.net",
     "-bulk-from-not-aligned -bulk-dmarc-missing",
     "SPF aligned; p=none from rua= without p="),
    # signing after preflight: declared in a config file (<name>.conf)
    ("bulk-signer-predicted", "alice@example.com", None, None,
     "--bulk --config @CONF@ --egress-ip 192.0.2.20 "
     "--mail-from bounce@soft.example.net",
     "-bulk-dkim-fail -bulk-from-not-aligned -dmarc-reject +bulk-spf-fail",
     "unsigned here; the declared signer's key matches DNS: DKIM will pass"),
    ("bulk-signer-key-mismatch", "alice@example.com", None, None,
     "--bulk --config @CONF@ --egress-ip 192.0.2.20 "
     "--mail-from bounce@soft.example.net",
     "+bulk-dkim-fail +dmarc-reject",
     "the declared signer's private key is not the key in DNS"),
    # cannot decide: never a verdict
    ("no-egress-ip", "alice@example.com", None, None,
     "--mail-from alice@example.com",
     "-spf-hardfail -ptr-missing -ptr-mismatch -unauthenticated "
     "?ptr-missing ?spf-hardfail",
     "no egress address: SPF and PTR rules are unknown, not predicted"),
]


# config files for fixtures that need one; @SRCDIR@ is the source tree
CONFS = {
    "bulk-signer-predicted":
        "Signer example.com sel1 @SRCDIR@/tests/nsd/keys/rsa2048.pem\n",
    "bulk-signer-key-mismatch":
        "Signer example.com sel1 @SRCDIR@/tests/nsd/keys/other1024.pem\n",
}


def sign(msg, spec, build):
    dom, sel, key, alg = spec
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
    r = subprocess.run([os.path.join(build, "tests", "tools", "dkim-sign"),
                        "-d", dom, "-s", sel,
                        "-k", os.path.join(KEYS, key + ".pem"), "-a", alg],
                       input=msg.encode(), capture_output=True, env=env,
                       check=True)
    return r.stdout.decode()


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make-fixtures.py BUILDDIR")
    build = sys.argv[1]
    os.makedirs(OUT, exist_ok=True)
    for name, frm, spec, mut, args, expect, comment in FIXTURES:
        msg = BASE.format(frm=frm, name=name)
        if spec:
            msg = sign(msg, spec, build)
        if mut == "body":
            msg += "P.S. added after signing.\n"
        with open(os.path.join(OUT, name + ".eml"), "w") as f:
            f.write(msg)
        if name in CONFS:
            with open(os.path.join(OUT, name + ".conf"), "w") as f:
                f.write("# %s\n%s" % (comment, CONFS[name]))
        with open(os.path.join(OUT, name + ".expect"), "w") as f:
            f.write("# %s\n" % comment)
            f.write("args: --helo mail.example.com --nameserver "
                    "127.0.0.1:@PORT@ --rcpt bob@gmail.com %s\n" % args)
            for e in expect.split():
                f.write(e + "\n")


main()
