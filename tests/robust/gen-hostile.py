#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""gen-hostile.py - write the hostile messages that tests/robust/hostile.sh
feeds to `preflight check`.  They are made at test time (several are
large) and never committed.

usage: gen-hostile.py OUTDIR [NAME...]
"""
import base64
import io
import os
import sys
import zipfile
import zlib

HEAD = (b"From: Alice <alice@example.com>\r\nTo: bob@gmail.com\r\n"
        b"Subject: hostile\r\nDate: Mon, 2 Jan 2006 15:04:05 -0700\r\n"
        b"Message-ID: <hostile@example.com>\r\n")


def million_fields(f):
    f.write(HEAD)
    line = b"X-Field: value\r\n"
    f.write(line * 1000000)
    f.write(b"\r\nbody\r\n")


def long_line(f):
    f.write(HEAD)
    f.write(b"X-Long: ")
    chunk = b"a" * (1 << 20)
    for _ in range(100):
        f.write(chunk)
    f.write(b"\r\n\r\nbody\r\n")


def deep_mime(f, depth=10000):
    f.write(HEAD + b"MIME-Version: 1.0\r\n")
    f.write(b"Content-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n")
    for i in range(depth):
        f.write(b"--b%d\r\nContent-Type: multipart/mixed; boundary=\"b%d\""
                b"\r\n\r\n" % (i, i + 1))
    f.write(b"--b%d\r\nContent-Type: text/plain\r\n\r\ndeep\r\n" % depth)
    for i in range(depth, -1, -1):
        f.write(b"--b%d--\r\n" % i)


def attach(f, name, data):
    f.write(HEAD + b"MIME-Version: 1.0\r\n")
    f.write(b"Content-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n")
    f.write(b"--zz\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n")
    f.write(b"--zz\r\nContent-Type: application/zip; name=\"%s\"\r\n"
            b"Content-Disposition: attachment; filename=\"%s\"\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n" % (name, name))
    b = base64.encodebytes(data).replace(b"\n", b"\r\n")
    f.write(b)
    f.write(b"--zz--\r\n")


def zip_raw_deflate(name, size):
    """a zip with one entry of size zero bytes, deflated in a stream"""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b"\0" * (1 << 20)
    parts, crc, left = [], 0, size
    while left > 0:
        c = chunk[:min(left, len(chunk))]
        crc = zlib.crc32(c, crc)
        parts.append(comp.compress(c))
        left -= len(c)
    parts.append(comp.flush())
    data = b"".join(parts)
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        zi = zipfile.ZipInfo(name)
        zi.compress_type = zipfile.ZIP_DEFLATED
        # write the precompressed stream through the low-level API
        zi.file_size = size
        zi.compress_size = len(data)
        zi.CRC = crc
        z.fp.write(zi.FileHeader())
        z.fp.write(data)
        z.filelist.append(zi)
        z.NameToInfo[name] = zi
        zi.header_offset = 0
        z.start_dir = z.fp.tell()
    return b.getvalue()


def zip_bomb(f):
    inner = zip_raw_deflate("zeros.bin", 1 << 30)     # 1 GiB of zeros
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_STORED) as z:
        for i in range(8):
            z.writestr("layer%d.zip" % i, inner)
    attach(f, b"bomb.zip", b.getvalue())


def zip_many(f):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_STORED) as z:
        for i in range(100000):
            z.writestr("f%06d.txt" % i, b"")
        z.writestr("zz/last.exe", b"MZ")
    attach(f, b"many.zip", b.getvalue())


def no_separator(f):
    f.write(HEAD)
    f.write(b"X-Then: the body starts without a blank line\r\n")
    f.write(b"this line has no colon and is not folded\r\n" * 1000)


def nul_bytes(f):
    f.write(b"From: a\0lice@example.com\r\nTo: bob@gmail.com\r\n"
            b"Subj\0ect: n\0ul\r\nMessage-ID: <a\0b@example.com>\r\n"
            b"Date: Mon, 2 Jan 2006\0 15:04:05 -0700\r\n"
            b"Content-Type: multipart/mixed; boundary=\"a\0b\"\r\n\r\n"
            b"--a\0b\r\nContent-Type: text/plain\r\n\r\n\0\0\0\r\n")
    f.write(b"\0" * (1 << 20))
    f.write(b"\r\n--a\0b--\r\n")


CASES = {
    "million-fields": million_fields,
    "header-line-100mb": long_line,
    "mime-depth-10000": deep_mime,
    "zip-bomb": zip_bomb,
    "zip-100000-entries": zip_many,
    "no-separator": no_separator,
    "nul-bytes": nul_bytes,
}


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 64
    os.makedirs(argv[1], exist_ok=True)
    for name in argv[2:] or CASES:
        with open(os.path.join(argv[1], name + ".eml"), "wb") as f:
            CASES[name](f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
