#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# The responder's HTTP behaviour on the wire: methods, versions, keep-alive
# rules, error statuses with their short bodies, Content-Type,
# Last-Modified and If-Modified-Since.

import os
import socket
import sys

from zch_lib import KSFT_SKIP, load_module, log_test, summary, unload_module, zcctl

PORT = 8140
WWW = "/tmp/zchttp-http"

def exchange(raw):
    """Send raw bytes; return (status, headers dict, body, closed)."""
    s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
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
    clen = int(hdrs.get("content-length", "0"))
    while len(body) < clen:
        b = s.recv(65536)
        if not b:
            break
        body += b
    # closed: the server ends the connection by itself within the timeout
    s.settimeout(3)
    try:
        closed = s.recv(1) == b""
    except (socket.timeout, TimeoutError):
        closed = False
    except ConnectionResetError:
        closed = True
    s.close()
    return status, hdrs, body, closed


def check(desc, raw, status, keep=None, hdrs=None, body=None):
    st, h, b, closed = exchange(raw)
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


def main():
    if not load_module():
        return KSFT_SKIP
    os.makedirs(WWW, exist_ok=True)
    files = {"a.css": b"body{}\n", "b.svg": b"<svg/>\n", "c.json": b"{}\n",
             "d.unknownext": b"x\n", "index.html": b"<p>i</p>\n"}
    for name, data in files.items():
        with open(os.path.join(WWW, name), "wb") as f:
            f.write(data)
        os.chmod(os.path.join(WWW, name), 0o644)
    os.utime(os.path.join(WWW, "a.css"), (784111777, 784111777))
    zcctl("root", "add", WWW, "port", PORT)
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
    finally:
        unload_module(PORT)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
