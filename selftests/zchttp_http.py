#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# The responder's HTTP behaviour on the wire: methods, versions, keep-alive
# rules, error statuses with their short bodies, Content-Type,
# Last-Modified and If-Modified-Since, ranges, ETag, If-None-Match and
# If-Range, real clients resuming downloads, and per-root request head
# limits (414/431 exactly past each configured threshold).

import hashlib
import os
import socket
import subprocess
import sys

from zch_lib import KSFT_SKIP, load_module, log_test, summary, unload_module, zcctl

PORT = 8140
SMALL = 8141        # a root with small request head limits
WWW = "/tmp/zchttp-http"

def exchange(raw, port=PORT, wait_close=2):
    """Send raw bytes; return (status, headers dict, body, closed): closed
    if the server ended the connection within wait_close seconds of the
    response (None: not waited for). A server that closes does so at once
    after the response."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(raw)
    data = b""
    while b"\r\n\r\n" not in data:
        b = s.recv(65536)
        if not b:
            break
        data += b
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines[0] else 0
    hdrs = {}
    for l in lines[1:]:
        k, _, v = l.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    # a HEAD response announces the length of a body it does not carry
    clen = 0 if raw.startswith(b"HEAD") else int(hdrs.get("content-length", "0"))
    while len(body) < clen:
        b = s.recv(65536)
        if not b:
            break
        body += b
    closed = None
    if wait_close:
        s.settimeout(wait_close)
        try:
            closed = s.recv(1) == b""
        except (socket.timeout, TimeoutError):
            closed = False
        except ConnectionResetError:
            closed = True
    s.close()
    return status, hdrs, body, closed


def check(desc, raw, status, keep=None, hdrs=None, body=None, port=PORT):
    st, h, b, closed = exchange(raw, port, 2 if keep is not None else 0)
    why = []
    if st != status:
        why.append("status %d, expected %d" % (st, status))
    if keep is not None and closed == keep:
        why.append("connection %s" % ("closed" if closed else "kept open"))
    for k, v in (hdrs or {}).items():
        if h.get(k) != v:
            why.append("%s: %r, expected %r" % (k, h.get(k), v))
    if body is not None and b != body:
        why.append("body %r" % b[:60])
    log_test(desc, not why, "; ".join(why))


def ranges_and_validators():
    h = b"HTTP/1.1\r\nHost: x\r\n"
    get = b"GET /r.txt " + h
    st, hd, _, _ = exchange(get + b"\r\n")
    etag = hd.get("etag", "")
    lm = hd.get("last-modified", "")
    log_test("ETag and Accept-Ranges on 200",
             st == 200 and etag.startswith('"') and etag.endswith('"') and
             hd.get("accept-ranges") == "bytes", "%d %r" % (st, hd))
    e = etag.encode()
    check("Range a-b: 206", get + b"Range: bytes=0-3\r\n\r\n", 206,
          hdrs={"content-range": "bytes 0-3/10", "content-length": "4"},
          body=b"0123")
    check("Range a-: 206", get + b"Range: bytes=7-\r\n\r\n", 206,
          hdrs={"content-range": "bytes 7-9/10"}, body=b"789")
    check("Range -n: 206", get + b"Range: bytes=-2\r\n\r\n", 206,
          hdrs={"content-range": "bytes 8-9/10"}, body=b"89")
    check("Range clamped to the end", get + b"Range: bytes=5-99\r\n\r\n",
          206, hdrs={"content-range": "bytes 5-9/10"}, body=b"56789")
    check("Range past the end: 416", get + b"Range: bytes=10-\r\n\r\n", 416,
          keep=True, hdrs={"content-range": "bytes */10"})
    check("MS15-034 Range: 206, no overflow",
          get + b"Range: bytes=2-18446744073709551615\r\n\r\n", 206,
          hdrs={"content-range": "bytes 2-9/10"}, body=b"23456789")
    check("several ranges: whole file", get +
          b"Range: bytes=0-1,4-5\r\n\r\n", 200, body=b"0123456789")
    check("other unit: whole file", get + b"Range: items=0-1\r\n\r\n", 200,
          body=b"0123456789")
    check("HEAD ignores Range", b"HEAD /r.txt " + h +
          b"Range: bytes=0-3\r\n\r\n", 200,
          hdrs={"content-length": "10"}, body=b"")
    check("If-None-Match same tag: 304 with ETag",
          get + b"If-None-Match: " + e + b"\r\n\r\n", 304,
          hdrs={"etag": etag}, body=b"")
    check("If-None-Match weak form matches",
          get + b"If-None-Match: W/" + e + b"\r\n\r\n", 304)
    check("If-None-Match list and *", get +
          b'If-None-Match: "nope", ' + e + b"\r\n\r\n", 304)
    check("If-None-Match: *", get + b"If-None-Match: *\r\n\r\n", 304)
    check("If-None-Match other tag: 200", get +
          b'If-None-Match: "nope"\r\n\r\n', 200, body=b"0123456789")
    check("If-None-Match decides over If-Modified-Since", get +
          b'If-None-Match: "nope"\r\nIf-Modified-Since: ' + lm.encode() +
          b"\r\n\r\n", 200)
    check("If-Range same tag: 206", get + b"Range: bytes=0-0\r\nIf-Range: " +
          e + b"\r\n\r\n", 206, body=b"0")
    check("If-Range other tag: 200", get +
          b'Range: bytes=0-0\r\nIf-Range: "nope"\r\n\r\n', 200,
          body=b"0123456789")
    check("If-Range weak tag: 200 (strong comparison)", get +
          b"Range: bytes=0-0\r\nIf-Range: W/" + e + b"\r\n\r\n", 200)
    check("If-Range date = Last-Modified: 206", get +
          b"Range: bytes=0-0\r\nIf-Range: " + lm.encode() + b"\r\n\r\n", 206)
    check("If-Range date of a Wednesday = Last-Modified: 206",
          b"GET /w.txt " + h + b"Range: bytes=0-0\r\n"
          b"If-Range: Wed, 09 Nov 1994 08:49:37 GMT\r\n\r\n", 206, body=b"0")
    check("If-Range older date: 200", get +
          b"Range: bytes=0-0\r\nIf-Range: Sun, 06 Nov 1994 08:49:37 GMT"
          b"\r\n\r\n", 200)


def req_line(n):
    """GET of a.css whose request line is n bytes."""
    pre = b"GET /a.css?"
    return pre + b"q" * (n - len(pre) - 9) + b" HTTP/1.1\r\nHost: x\r\n\r\n"


def req_headers(n):
    """GET of a.css with n header lines, Host the first."""
    return (b"GET /a.css HTTP/1.1\r\nHost: x\r\n" + b"X-A: b\r\n" * (n - 1) +
            b"\r\n")


def req_head(n):
    """GET of a.css whose head is n bytes (one long field)."""
    pre = b"GET /a.css HTTP/1.1\r\nHost: x\r\nX: "
    return pre + b"v" * (n - len(pre) - 4) + b"\r\n\r\n"


def root_limits(css):
    """The root on SMALL has reqline 256, headsize 1024, headers 8."""
    assert len(req_line(256).split(b"\r\n")[0]) == 256
    assert len(req_head(1024)) == 1024
    for desc, raw, code in (
            ("request line of 256 bytes", req_line(256), 200),
            ("request line of 257 bytes", req_line(257), 414),
            ("8 header lines", req_headers(8), 200),
            ("9 header lines", req_headers(9), 431),
            ("head of 1024 bytes", req_head(1024), 200),
            ("head of 1025 bytes", req_head(1025), 431),
            ("head of 4000 bytes", req_head(4000), 431)):
        check("small limits: %s: %d" % (desc, code), raw, code,
              keep=code == 200, body=css if code == 200 else None,
              port=SMALL)
        check("default limits: %s: 200" % desc, raw, 200, keep=True,
              body=css)
    check("small limits: 414 before 431 when both are exceeded",
          req_line(2000), 414, keep=False, port=SMALL)
    check("default limits: request line of 4097 bytes: 414",
          req_line(4097), 414, keep=False)
    check("default limits: 101 header lines: 431", req_headers(101), 431,
          keep=False)
    check("default limits: head of 8193 bytes: 431", req_head(8193), 431,
          keep=False)


def real_clients():
    url = "http://127.0.0.1:%d/big.bin" % PORT
    full = open(os.path.join(WWW, "big.bin"), "rb").read()
    want = hashlib.sha256(full).hexdigest()
    part = "/tmp/zchttp-http-part"

    def sha(p):
        return hashlib.sha256(open(p, "rb").read()).hexdigest()

    with open(part, "wb") as f:
        f.write(full[:300000])
    r = subprocess.run(["curl", "-sf", "-C", "-", "-o", part, url])
    log_test("curl -C - resumes a partial download",
             r.returncode == 0 and sha(part) == want, "curl %d" % r.returncode)
    with open(part, "wb") as f:
        f.write(full[:123457])
    r = subprocess.run(["wget", "-q", "-c", "-O", part, url])
    log_test("wget --continue resumes a partial download",
             r.returncode == 0 and sha(part) == want, "wget %d" % r.returncode)
    r = subprocess.run(["curl", "-sf", "-r", "1000-1999", url],
                       capture_output=True)
    log_test("curl -r fetches a byte range",
             r.returncode == 0 and r.stdout == full[1000:2000], "")
    for v in ("--http1.0", "--http1.1"):
        r = subprocess.run(["curl", "-sf", v, url], capture_output=True)
        log_test("curl %s fetches the whole file" % v,
                 r.returncode == 0 and r.stdout == full, "")


def main():
    if not load_module():
        return KSFT_SKIP
    os.makedirs(WWW, exist_ok=True)
    files = {"a.css": b"body{}\n", "b.svg": b"<svg/>\n", "c.json": b"{}\n",
             "d.unknownext": b"x\n", "index.html": b"<p>i</p>\n",
             "r.txt": b"0123456789", "w.txt": b"0123456789",
             "big.bin": os.urandom(1048576 + 7)}
    for name, data in files.items():
        with open(os.path.join(WWW, name), "wb") as f:
            f.write(data)
        os.chmod(os.path.join(WWW, name), 0o644)
    os.utime(os.path.join(WWW, "a.css"), (784111777, 784111777))
    os.utime(os.path.join(WWW, "w.txt"), (784370977, 784370977))  # a Wednesday
    zcctl("root", "add", WWW, "port", PORT)
    zcctl("root", "add", WWW, "port", SMALL, "reqline", 256, "headsize", 1024,
          "headers", 8)
    try:
        h11 = b" HTTP/1.1\r\nHost: x\r\n\r\n"
        check("GET 1.1 keeps the connection", b"GET /a.css" + h11, 200,
              keep=True, body=files["a.css"])
        check("GET 1.0 closes the connection",
              b"GET /a.css HTTP/1.0\r\n\r\n", 200, keep=False)
        check("GET 1.0 with keep-alive keeps it",
              b"GET /a.css HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 200,
              keep=True, hdrs={"connection": "keep-alive"})
        check("GET 1.1 with Connection: close closes it",
              b"GET /a.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
              200, keep=False, hdrs={"connection": "close"})
        check("Content-Type text/css", b"GET /a.css" + h11, 200,
              hdrs={"content-type": "text/css; charset=utf-8",
                    "content-length": "7"})
        check("Content-Type image/svg+xml", b"GET /b.svg" + h11, 200,
              hdrs={"content-type": "image/svg+xml; charset=utf-8"})
        check("Content-Type application/json", b"GET /c.json" + h11, 200,
              hdrs={"content-type": "application/json; charset=utf-8"})
        check("unknown extension: application/octet-stream",
              b"GET /d.unknownext" + h11, 200,
              hdrs={"content-type": "application/octet-stream"})
        check("Last-Modified from mtime", b"GET /a.css" + h11, 200,
              hdrs={"last-modified": "Sun, 06 Nov 1994 08:49:37 GMT"})
        check("If-Modified-Since not older: 304, no body",
              b"GET /a.css HTTP/1.1\r\nHost: x\r\n"
              b"If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n",
              304, keep=True, body=b"")
        check("If-Modified-Since older: 200",
              b"GET /a.css HTTP/1.1\r\nHost: x\r\n"
              b"If-Modified-Since: Sun, 06 Nov 1994 08:49:36 GMT\r\n\r\n", 200)
        check("POST: 405 with Allow",
              b"POST /a.css HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
              405, hdrs={"allow": "GET, HEAD"})
        check("unknown method: 501", b"BREW /a.css" + h11, 501)
        check("HTTP/2.0: 505", b"GET /a.css HTTP/2.0\r\nHost: x\r\n\r\n", 505,
              keep=False)
        check("HTTP/1.2 is answered as 1.1", b"GET /a.css HTTP/1.2\r\n"
              b"Host: x\r\n\r\n", 200, body=files["a.css"])
        check("file with a trailing slash: 404", b"GET /a.css/" + h11, 404)
        check("HTTP/1.1 without Host: 400",
              b"GET /a.css HTTP/1.1\r\n\r\n", 400, keep=False)
        check("garbage request line: 400, closed", b"\x01\x02 junk\r\n\r\n",
              400, keep=False)
        st, h, b, _ = exchange(b"GET /missing" + h11)
        log_test("404 has a short HTML body",
                 st == 404 and b"404" in b and
                 h.get("content-type", "").startswith("text/html"),
                 "status %d body %r" % (st, b[:60]))
        check("index.html for /", b"GET /" + h11, 200, body=files["index.html"])
        check("absolute-form target", b"GET http://x/a.css" + h11, 200,
              body=files["a.css"])
        check("query string ignored", b"GET /a.css?v=1" + h11, 200,
              body=files["a.css"])
        # a directory without its slash is redirected; a Location too long
        # for the header buffer is a 414, without a body for HEAD
        os.makedirs(os.path.join(WWW, "sub"), exist_ok=True)
        check("directory without slash: 301 to the slashed form",
              b"GET /sub" + h11, 301, keep=True, hdrs={"location": "/sub/"})
        os.makedirs(os.path.join(WWW, "caf\u00e9"), exist_ok=True)
        check("non-ASCII directory: the Location is percent-encoded",
              b"GET /caf\xc3\xa9" + h11, 301,
              hdrs={"location": "/caf%C3%A9/"})
        deep = os.path.join(WWW, *["\u00e9" * 120] * 3)
        os.makedirs(deep, exist_ok=True)
        target = b"/" + "/".join(["\u00e9" * 120] * 3).encode()
        check("redirect that does not fit: 414 with a body",
              b"GET " + target + h11, 414, keep=False)
        st, hd, _, closed = exchange(b"HEAD " + target + h11)
        log_test("redirect that does not fit, HEAD: 414 without a body",
                 st == 414 and closed and
                 int(hd.get("content-length", "0")) > 0,
                 "status %d, %s after the head" %
                 (st, "nothing" if closed else "more bytes"))
        ranges_and_validators()
        root_limits(files["a.css"])
        real_clients()
    finally:
        unload_module(PORT, SMALL)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
