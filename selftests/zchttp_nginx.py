#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Differential test against nginx: the same tree, served by zchttp and by
# Debian's nginx (a plain process with its own configuration), gets the
# same table of raw requests; every response on every connection is parsed
# and compared. What may differ is listed in EXPECTED_DIFFS with its
# reason; an unlisted difference, or a listed one that no longer differs,
# fails the test.
#
# Compared, per response: the status; for 2xx, 3xx, 304 and 416 also
# Content-Type (MIME type and charset, case-insensitively), Content-Range,
# the path of Location, Last-Modified, Accept-Ranges and the presence of
# ETag; Content-Length for 2xx and 304 (3xx and 416 bodies are each
# server's own error page); the body of 2xx. For every response the
# "close" token of Connection, the number of responses on the connection
# and whether the server closed it. Never Server, Date or error bodies.

import concurrent.futures
import email.utils
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

from zch_lib import (KSFT_SKIP, lane, load_module, log_test, summary,
                     unload_module, zcctl)

PORT_Z = 8160
PORT_N = 8161
NGINX = "/usr/sbin/nginx"
MTIME = 784111777                     # every file: Sun, 06 Nov 1994 08:49:37
LM = email.utils.formatdate(MTIME, usegmt=True).encode()
OLD = email.utils.formatdate(MTIME - 86400, usegmt=True).encode()
NEW = email.utils.formatdate(MTIME + 86400, usegmt=True).encode()
IDLE = 5.0          # seconds without a byte while a response is due
CLOSE_WAIT = 1.5    # seconds to see whether the server closes afterwards

# Intended differences. The key is a request name of the table, or
# "any NNN" for every response on which both servers answer status NNN.
# The value starts with the differing aspects, then the reason. Aspects:
# status, close (Connection: close sent, or the connection closed),
# responses (how many), content-length, content-type, content-range,
# location, last-modified, accept-ranges, etag (presence), body. An aspect
# listed here must differ, and nothing else may. A "any NNN" entry only
# takes its aspects out of each such response; the request's own entry,
# if any, must still match.
EXPECTED_DIFFS = {
    "any 206": "accept-ranges: zchttp repeats Accept-Ranges on 206; nginx sends it on 200 only",
    "any 301": "content-type: zchttp labels its redirect page text/html; charset=utf-8, nginx text/html",
    "any 304": "accept-ranges: zchttp repeats Accept-Ranges on 304; nginx clears it",
    "any 416": "accept-ranges,last-modified: zchttp keeps the file's Accept-Ranges and Last-Modified on 416; nginx's error page drops them",
    "GET /app.js": "content-type: zchttp text/javascript (RFC 9239); nginx's mime.types application/javascript",
    "GET /secret.txt (0600)": "status: zchttp serves world-readable files only (403); nginx's workers run as root here and read it (200)",
    "GET /link.css (symlink inside)": "status: zchttp refuses every symlink (403, LOOKUP_NO_SYMLINKS); nginx follows it (200)",
    "GET /outlink (symlink out of root)": "status: zchttp refuses every symlink (403); nginx follows it out of the root (200): disable_symlinks is off by default",
    "GET /linkdir/index.html (symlinked dir)": "status: zchttp refuses a symlink anywhere in the path (403); nginx follows it (200)",
    "GET /noindex/ (no index)": "status: a directory without its index: zchttp 404 (no listings exist); nginx 403 (listing forbidden)",
    "GET /sub%2findex.html": "status,close: zchttp refuses an encoded '/' (400, then closes); nginx decodes it and serves sub/index.html (200)",
    "GET /sub\\index.html": "status,close: zchttp refuses a raw '\\' (400, then closes); nginx takes it as a file-name byte (404)",
    "GET /..%5c..%5cetc%5cpasswd": "status,close: zchttp refuses an encoded '\\' (400, then closes); nginx looks the name up (404)",
    "GET /..\\..\\etc\\passwd": "status,close: zchttp refuses a raw '\\' (400, then closes); nginx looks the name up (404)",
    "unknown method BREW": "status,close: unknown method: zchttp 501 and closes; nginx 405 and keeps the connection",
    "POST": "close: zchttp closes after a refused method (405), as after every request it refuses while parsing; nginx reads the empty body and keeps it",
    "lowercase method get": "status: zchttp: 'get' is a token but no method it knows (501); nginx: methods are upper-case, malformed line (400)",
    "request line of 5000 bytes": "status,close: zchttp's request-line limit is 4 KiB (414, closes); nginx's buffers take 8 KiB and the name is too long for the fs (404)",
    "200 headers": "status,close: zchttp allows 100 header lines (431, closes); nginx has no line-count limit (200)",
    "20 KB header block (40 x 500 B)": "status,close: zchttp's head limit is 8 KiB (431, closes); nginx's is 4 x 8 KiB (200)",
    "one 20 KB header line": "status: a line longer than any buffer: zchttp 431; nginx 400 (its 494, sent as 400)",
    "two spaces after method": "status,close: zchttp's request line is strictly 'method SP target SP version' (400, closes); nginx skips the extra space (200)",
    "GET with a body (Content-Length: 5)": "status,close: zchttp refuses content on GET/HEAD (400, closes); nginx discards it (200)",
    "range: several ranges": "status: zchttp sends the whole file for several ranges (200, documented); nginx multipart/byteranges (206)",
    "range: MS15-034 on big.bin": "status: zchttp clamps the huge last-pos to the size (206, RFC 9110 14.1.2); nginx calls the overflow unsatisfiable (416)",
    "range: last < first": "status: zchttp ignores an invalid range set (200, RFC 9110 14.2 MAY ignore); nginx rejects it (416)",
    "range: empty file": "status: zchttp: no range of a 0-byte file is satisfiable (416, RFC 9110 14.1.1); nginx ignores Range on it (200)",
    "HEAD with Range": "status: zchttp ignores Range on HEAD (200); nginx announces the 206 it would send",
    "If-Modified-Since newer": "status: zchttp: not modified since a later date (304, RFC 9110 13.1.3); nginx's default if_modified_since exact needs equality (200)",
}

H = b"Host: x\r\n"


def get(path, extra=b"", method=b"GET", ver=b"HTTP/1.1"):
    host = H if ver == b"HTTP/1.1" else b""
    return method + b" " + path + b" " + ver + b"\r\n" + host + extra + b"\r\n"


def head(path, extra=b"", ver=b"HTTP/1.1"):
    return get(path, extra, b"HEAD", ver)


def rng(spec, path=b"/r.txt"):
    return get(path, b"Range: " + spec + b"\r\n")


def cond(extra, path=b"/r.txt", method=b"GET"):
    return get(path, extra, method)


# (name, requests, sequential): the requests go out in one send, or one
# after the other's responses when sequential. @ETAG@ and @ETAG2@ are the
# ETags of /r.txt and /a.css as the server at hand sent them.
TABLE = [
    ("GET /", [get(b"/")]),
    ("HEAD /", [head(b"/")]),
    ("GET /index.html", [get(b"/index.html")]),
    ("GET /sub/", [get(b"/sub/")]),
    ("GET /sub/index.html", [get(b"/sub/index.html")]),
    ("GET /sub/page.html", [get(b"/sub/page.html")]),
    ("GET /a.css", [get(b"/a.css")]),
    ("GET /app.js", [get(b"/app.js")]),
    ("GET /data.json", [get(b"/data.json")]),
    ("GET /pic.svg", [get(b"/pic.svg")]),
    ("GET /img.png", [get(b"/img.png")]),
    ("GET /notes.txt", [get(b"/notes.txt")]),
    ("GET /big.bin (1 MiB + 7)", [get(b"/big.bin")]),
    ("HEAD /big.bin", [head(b"/big.bin")]),
    ("GET /mid.bin HTTP/1.0", [get(b"/mid.bin", ver=b"HTTP/1.0")]),
    ("GET /file.unknownext", [get(b"/file.unknownext")]),
    ("GET /noext", [get(b"/noext")]),
    ("GET /empty.txt (0 bytes)", [get(b"/empty.txt")]),
    ("HEAD /empty.txt", [head(b"/empty.txt")]),
    ("GET /with%20space.txt", [get(b"/with%20space.txt")]),
    ("GET /h%C3%A9llo.txt", [get(b"/h%C3%A9llo.txt")]),
    ("GET raw UTF-8 name", [get("/héllo.txt".encode())]),
    ("GET /secret.txt (0600)", [get(b"/secret.txt")]),
    ("GET /link.css (symlink inside)", [get(b"/link.css")]),
    ("GET /outlink (symlink out of root)", [get(b"/outlink")]),
    ("GET /linkdir/index.html (symlinked dir)", [get(b"/linkdir/index.html")]),
    ("GET /noindex/ (no index)", [get(b"/noindex/")]),
    ("GET /noindex (redirect)", [get(b"/noindex")]),
    ("GET /noindex/x.txt", [get(b"/noindex/x.txt")]),
    ("GET /sub (redirect)", [get(b"/sub")]),
    ("GET /sub?x=1 (redirect)", [get(b"/sub?x=1")]),
    ("HEAD /sub (redirect)", [head(b"/sub")]),
    ("GET /missing.html", [get(b"/missing.html")]),
    ("GET /sub/missing", [get(b"/sub/missing")]),
    ("HEAD /missing.html", [head(b"/missing.html")]),
    # zchttp bug, deliberately not in EXPECTED_DIFFS: a target ending in
    # '/' asks for a directory (http.h), yet zch_lookup() serves a regular
    # file for it (200); nginx, like the fs (ENOTDIR), answers 404.
    ("GET /a.css/ (file with slash)", [get(b"/a.css/")]),
    ("GET /sub/page.html/ (file with slash)", [get(b"/sub/page.html/")]),
    ("GET /A.CSS (case)", [get(b"/A.CSS")]),
    # versions and keep-alive
    ("GET HTTP/1.0", [get(b"/a.css", ver=b"HTTP/1.0")]),
    ("GET HTTP/1.0 keep-alive",
     [get(b"/a.css", b"Connection: keep-alive\r\n", ver=b"HTTP/1.0")]),
    ("GET HTTP/1.1 Connection: close", [get(b"/a.css", b"Connection: close\r\n")]),
    ("GET HTTP/1.1 Connection: Keep-Alive", [get(b"/a.css", b"Connection: Keep-Alive\r\n")]),
    ("HEAD HTTP/1.0", [head(b"/a.css", ver=b"HTTP/1.0")]),
    ("GET 404 HTTP/1.0", [get(b"/missing", ver=b"HTTP/1.0")]),
    # targets
    ("GET /a.css?v=1", [get(b"/a.css?v=1")]),
    ("GET /sub/?q=a%20b", [get(b"/sub/?q=a%20b")]),
    ("GET /a.css?", [get(b"/a.css?")]),
    ("absolute-form /a.css", [get(b"http://x/a.css")]),
    ("absolute-form /sub/ HTTP/1.0", [get(b"http://x/sub/", ver=b"HTTP/1.0")]),
    ("GET //a.css", [get(b"//a.css")]),
    ("GET /./a.css", [get(b"/./a.css")]),
    ("GET /sub/../a.css", [get(b"/sub/../a.css")]),
    ("GET /%61.css", [get(b"/%61.css")]),
    # traversal
    ("GET /../etc/passwd", [get(b"/../etc/passwd")]),
    ("GET /%2e%2e/etc/passwd", [get(b"/%2e%2e/etc/passwd")]),
    ("GET /sub/../../etc/passwd", [get(b"/sub/../../etc/passwd")]),
    ("GET /%2e%2e%2fetc%2fpasswd", [get(b"/%2e%2e%2fetc%2fpasswd")]),
    ("GET /sub%2findex.html", [get(b"/sub%2findex.html")]),
    ("GET /a.css%00.txt", [get(b"/a.css%00.txt")]),
    ("GET /sub\\index.html", [get(b"/sub\\index.html")]),
    ("GET /..%5c..%5cetc%5cpasswd", [get(b"/..%5c..%5cetc%5cpasswd")]),
    ("GET /..\\..\\etc\\passwd", [get(b"/..\\..\\etc\\passwd")]),
    ("absolute-form traversal", [get(b"http://x/../etc/passwd")]),
    # malformed
    ("space before colon", [get(b"/a.css", b"X-Foo : bar\r\n")]),
    ("obs-fold", [get(b"/a.css", b"X-Foo: a\r\n b\r\n")]),
    ("HTTP/2.0", [get(b"/a.css", ver=b"HTTP/2.0")]),
    ("HTTP/1.2", [b"GET /a.css HTTP/1.2\r\n" + H + b"\r\n"]),
    ("HTTP/1.1 without Host", [b"GET /a.css HTTP/1.1\r\n\r\n"]),
    ("two Host headers", [get(b"/a.css", b"Host: y\r\n")]),
    ("bad Host value", [b"GET /a.css HTTP/1.1\r\nHost: a b\r\n\r\n"]),
    ("unknown method BREW", [get(b"/a.css", method=b"BREW")]),
    ("POST", [get(b"/a.css", b"Content-Length: 0\r\n", method=b"POST")]),
    ("lowercase method get", [get(b"/a.css", method=b"get")]),
    ("bare LF line ends", [b"GET /a.css HTTP/1.1\nHost: x\n\n"]),
    ("request line of 5000 bytes",
     [b"GET /" + b"a" * (5000 - 14) + b" HTTP/1.1\r\n" + H + b"\r\n"]),
    ("200 headers",
     [get(b"/a.css", b"".join(b"X-H%d: v\r\n" % i for i in range(200)))]),
    ("20 KB header block (40 x 500 B)",
     [get(b"/a.css", b"".join(b"X-H%02d: " % i + b"v" * 490 + b"\r\n"
                              for i in range(40)))]),
    ("one 20 KB header line", [get(b"/a.css", b"X-Big: " + b"v" * 20480 + b"\r\n")]),
    ("garbage request line", [b"\x01\x02 junk\r\n\r\n"]),
    ("two spaces after method", [b"GET  /a.css HTTP/1.1\r\n" + H + b"\r\n"]),
    ("GET with a body (Content-Length: 5)",
     [get(b"/a.css", b"Content-Length: 5\r\n") + b"hello"]),
    # ranges
    ("range: a-b", [rng(b"bytes=0-3")]),
    ("range: a-", [rng(b"bytes=7-")]),
    ("range: -n", [rng(b"bytes=-2")]),
    ("range: clamped a-b", [rng(b"bytes=5-99")]),
    ("range: past the end", [rng(b"bytes=10-")]),
    ("range: several ranges", [rng(b"bytes=0-1,4-5")]),
    ("range: bad unit", [rng(b"items=0-1")]),
    ("range: MS15-034 on r.txt", [rng(b"bytes=18-18446744073709551615")]),
    ("range: MS15-034 on big.bin",
     [rng(b"bytes=18-18446744073709551615", b"/big.bin")]),
    ("range: tail of big.bin", [rng(b"bytes=1048000-", b"/big.bin")]),
    ("range: last < first", [rng(b"bytes=3-2")]),
    ("range: -0", [rng(b"bytes=-0")]),
    ("range: empty file", [rng(b"bytes=0-0", b"/empty.txt")]),
    ("HEAD with Range", [head(b"/r.txt", b"Range: bytes=0-3\r\n")]),
    # conditionals
    ("If-Modified-Since equal", [cond(b"If-Modified-Since: " + LM + b"\r\n")]),
    ("If-Modified-Since older", [cond(b"If-Modified-Since: " + OLD + b"\r\n")]),
    ("If-Modified-Since newer", [cond(b"If-Modified-Since: " + NEW + b"\r\n")]),
    ("If-Modified-Since garbage", [cond(b"If-Modified-Since: yesterday\r\n")]),
    ("If-None-Match own tag", [cond(b"If-None-Match: @ETAG@\r\n")]),
    ("If-None-Match W/ own tag", [cond(b"If-None-Match: W/@ETAG@\r\n")]),
    ("If-None-Match *", [cond(b"If-None-Match: *\r\n")]),
    ("If-None-Match list", [cond(b'If-None-Match: "x", @ETAG@, "y"\r\n')]),
    ("If-None-Match other tag", [cond(b'If-None-Match: "nope"\r\n')]),
    ("If-None-Match other file's tag", [cond(b"If-None-Match: @ETAG2@\r\n")]),
    ("If-None-Match miss beats IMS",
     [cond(b'If-None-Match: "nope"\r\nIf-Modified-Since: ' + LM + b"\r\n")]),
    ("HEAD If-None-Match own tag", [cond(b"If-None-Match: @ETAG@\r\n", method=b"HEAD")]),
    ("If-None-Match own tag HTTP/1.0",
     [b"GET /r.txt HTTP/1.0\r\nIf-None-Match: @ETAG@\r\n\r\n"]),
    ("If-Range own tag", [cond(b"Range: bytes=0-0\r\nIf-Range: @ETAG@\r\n")]),
    ("If-Range other tag", [cond(b'Range: bytes=0-0\r\nIf-Range: "nope"\r\n')]),
    ("If-Range date equal", [cond(b"Range: bytes=0-0\r\nIf-Range: " + LM + b"\r\n")]),
    ("If-Range date older", [cond(b"Range: bytes=0-0\r\nIf-Range: " + OLD + b"\r\n")]),
    # pipelining
    ("pipelined: two GETs", [get(b"/a.css"), get(b"/r.txt")]),
    ("pipelined: GET, HEAD, GET", [get(b"/big.bin"), head(b"/a.css"), get(b"/r.txt")]),
    ("pipelined: GET, 404, GET", [get(b"/a.css"), get(b"/nope"), get(b"/sub/")]),
    ("pipelined: close in the middle",
     [get(b"/a.css"), get(b"/r.txt", b"Connection: close\r\n"), get(b"/sub/")]),
    ("pipelined: GET then garbage", [get(b"/a.css"), b"\x01junk\r\n\r\n"]),
    ("pipelined: three ranges",
     [rng(b"bytes=0-0"), rng(b"bytes=-1"), rng(b"bytes=1000-1999", b"/big.bin")]),
    ("pipelined: 304 then 200",
     [cond(b"If-None-Match: @ETAG@\r\n"), get(b"/r.txt")]),
    # keep-alive sequences
    ("keep-alive sequence of 6", [get(b"/"), get(b"/a.css"), head(b"/big.bin"),
                                  get(b"/missing"), rng(b"bytes=2-4"),
                                  get(b"/empty.txt")], True),
    ("HTTP/1.0 keep-alive sequence of 3",
     [get(p, b"Connection: keep-alive\r\n", ver=b"HTTP/1.0")
      for p in (b"/a.css", b"/r.txt", b"/sub/")], True),
]

FILES = {
    "index.html": b"<!doctype html><title>root</title><p>root index</p>\n",
    "sub/index.html": b"<!doctype html><p>sub index</p>\n",
    "sub/page.html": b"<p>page</p>\n" * 300,
    "a.css": b"body { color: #123; }\n",
    "app.js": b"console.log('zchttp');\n" * 50,
    "data.json": b'{"k": [1, 2, 3]}\n',
    "pic.svg": b'<svg xmlns="http://www.w3.org/2000/svg"/>\n',
    "img.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40,
    "notes.txt": "ünïcode text\n".encode() * 100,
    "r.txt": b"0123456789",
    "big.bin": os.urandom(1048576 + 7),
    "mid.bin": os.urandom(70000),
    "file.unknownext": b"unknown\n",
    "noext": b"no extension\n",
    "empty.txt": b"",
    "with space.txt": b"space\n",
    "héllo.txt": b"utf-8 name\n",
    "secret.txt": b"not world-readable\n",
    "noindex/x.txt": b"x\n",
}

NGINX_CONF = """\
user root;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    etag on;
    server_tokens off;
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    charset utf-8;
    charset_types text/css text/plain text/xml text/markdown
                  text/csv application/javascript application/json
                  application/xml application/rss+xml application/atom+xml
                  image/svg+xml;
    server {{
        listen 127.0.0.1:{port};
        root {www};
        index index.html;
    }}
}}
"""


def build_tree(www):
    for name, data in FILES.items():
        p = os.path.join(www, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
        os.chmod(p, 0o600 if name == "secret.txt" else 0o644)
    os.symlink("a.css", os.path.join(www, "link.css"))
    os.symlink("/etc/debian_version", os.path.join(www, "outlink"))
    os.symlink("sub", os.path.join(www, "linkdir"))
    for d, _, files in os.walk(www):
        for n in files:
            os.utime(os.path.join(d, n), (MTIME, MTIME))


def start_nginx(tmp, www):
    conf = os.path.join(tmp, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF.format(tmp=tmp, www=www, port=PORT_N))
    proc = subprocess.Popen([NGINX, "-c", conf, "-p", tmp + "/",
                             "-g", "daemon off;"])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("nginx exited with %d" % proc.returncode)
        try:
            socket.create_connection(("127.0.0.1", PORT_N), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("nginx does not accept connections")


class Resp:
    def __init__(self, status, hdrs, body):
        self.status = status
        self.hdrs = hdrs        # lower-case name -> list of values
        self.body = body

    def h(self, name):
        v = self.hdrs.get(name)
        return ", ".join(v) if v else None


def method_of(req):
    return req.lstrip(b"\r\n").split(b" ", 1)[0]


def parse_one(buf, method, closed):
    """One response from buf: (Resp, rest), or None if incomplete."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = buf[:end].decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    try:
        status = int(parts[1])
    except (IndexError, ValueError):
        status = -1
    hdrs = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        hdrs.setdefault(k.strip().lower(), []).append(v.strip())
    rest = buf[end + 4:]
    if method == b"HEAD" or status in (204, 304) or status < 200:
        n = 0
    elif "content-length" in hdrs:
        n = int(hdrs["content-length"][0])
    elif closed:
        n = len(rest)
    else:
        return None
    if len(rest) < n:
        return None
    return Resp(status, hdrs, rest[:n]), rest[n:]


def exchange(port, reqs, sequential):
    """Responses and whether the server closed the connection."""
    s = socket.create_connection(("127.0.0.1", port), timeout=IDLE)
    methods = [method_of(r) for r in reqs]
    sends = [(r, i + 1) for i, r in enumerate(reqs)] if sequential else \
        [(b"".join(reqs), len(reqs))]
    buf, resps, closed = b"", [], False

    def drain(want, wait):
        nonlocal buf, closed
        s.settimeout(wait)
        while True:
            while len(resps) < len(methods):
                r = parse_one(buf, methods[len(resps)], closed)
                if not r:
                    break
                resps.append(r[0])
                buf = r[1]
            if closed or len(resps) >= want:
                return
            try:
                b = s.recv(65536)
            except (socket.timeout, TimeoutError):
                return
            except OSError:
                b = b""
            if not b:
                closed = True
            buf += b

    for data, want in sends:
        try:
            s.sendall(data)
        except OSError:
            pass
        drain(want, IDLE)
        if closed:
            break
    # then: does the server close (or send anything more)?
    drain(len(methods) + 1, CLOSE_WAIT)
    s.close()
    return resps, closed, buf


def mime(v):
    if v is None:
        return None
    t, _, params = v.partition(";")
    cs = [p.strip().lower() for p in params.split(";") if p.strip()]
    return (t.strip().lower(), tuple(cs))


def loc_path(v):
    return None if v is None else urllib.parse.urlsplit(v).path


def compare(rz, rn):
    """{aspect: 'zchttp value / nginx value'} for one response pair."""
    d = {}

    def diff(aspect, z, n):
        if z != n:
            d[aspect] = "%r / %r" % (z if not isinstance(z, bytes) else z[:40],
                                     n if not isinstance(n, bytes) else n[:40])

    diff("status", rz.status, rn.status)
    diff("close", "close" in (rz.h("connection") or "").lower(),
         "close" in (rn.h("connection") or "").lower())
    if rz.status != rn.status:
        return d
    st = rz.status
    if not (200 <= st < 400 or st == 416):
        return d
    if st < 300 or st == 304:
        diff("content-length", rz.h("content-length"), rn.h("content-length"))
    diff("content-type", mime(rz.h("content-type")), mime(rn.h("content-type")))
    diff("content-range", rz.h("content-range"), rn.h("content-range"))
    diff("location", loc_path(rz.h("location")), loc_path(rn.h("location")))
    diff("last-modified", rz.h("last-modified"), rn.h("last-modified"))
    diff("accept-ranges", rz.h("accept-ranges"), rn.h("accept-ranges"))
    diff("etag", "etag" in rz.hdrs, "etag" in rn.hdrs)
    if st < 300:
        diff("body", rz.body, rn.body)
    return d


def aspects_of(reason):
    return set(a for a in reason.partition(":")[0].split(",") if a)


def run_table(etags):
    def job(entry, port):
        reqs = entry[1]
        seq = len(entry) > 2 and entry[2]
        reqs = [r.replace(b"@ETAG@", etags[port][0])
                 .replace(b"@ETAG2@", etags[port][1]) for r in reqs]
        return exchange(port, reqs, seq)

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as ex:
        futs = [(e, ex.submit(job, e, PORT_Z), ex.submit(job, e, PORT_N))
                for e in TABLE]
        results = [(e, fz.result(), fn.result()) for e, fz, fn in futs]

    seen_class = set()
    for entry, (rz, cz, xz), (rn, cn, xn) in results:
        name = entry[0]
        found = {}
        if len(rz) != len(rn):
            found["responses"] = "%d / %d" % (len(rz), len(rn))
        for i, (a, b) in enumerate(zip(rz, rn)):
            d = compare(a, b)
            key = "any %d" % a.status
            if a.status == b.status and key in EXPECTED_DIFFS:
                for asp in aspects_of(EXPECTED_DIFFS[key]) & set(d):
                    seen_class.add(key)
                    del d[asp]
            for asp, v in d.items():
                found.setdefault(asp, "#%d %s" % (i + 1, v))
        if cz != cn:
            found["close"] = "%s / %s" % (cz, cn)
        if xz != xn:
            found["trailing bytes"] = "%r / %r" % (xz[:40], xn[:40])
        want = aspects_of(EXPECTED_DIFFS.get(name, ""))
        sz = ",".join(str(r.status) for r in rz)
        sn = ",".join(str(r.status) for r in rn)
        statuses = sz if sz == sn else sz + " / " + sn
        why = []
        for asp in sorted(set(found) - want):
            why.append("%s differs: %s" % (asp, found[asp]))
        for asp in sorted(want - set(found)):
            why.append("listed %s no longer differs" % asp)
        log_test("%-40s %s" % (name[:40], statuses), not why,
                 "; ".join(why) + " (zchttp / nginx)")
    for key in EXPECTED_DIFFS:
        if key.startswith("any "):
            log_test("expected difference on '%s' seen" % key,
                     key in seen_class)
    names = set(e[0] for e in TABLE)
    stale = [k for k in EXPECTED_DIFFS
             if not k.startswith("any ") and k not in names]
    log_test("EXPECTED_DIFFS names only requests of the table", not stale,
             "unknown: %s" % stale)


def first_etags():
    """The ETags of /r.txt and /a.css, from each server."""
    etags = {}
    for port in (PORT_Z, PORT_N):
        tags = []
        for path in (b"/r.txt", b"/a.css"):
            resps, _, _ = exchange(port, [get(path)], False)
            tags.append(resps[0].h("etag").encode() if resps and
                        resps[0].h("etag") else b'"missing"')
        etags[port] = tags
    ok = all(t != b'"missing"' for p in etags for t in etags[p])
    log_test("both servers send an ETag on 200", ok, repr(etags))
    return etags


def main():
    if lane() == "debug":
        print("SKIP: a comparison of answers, not of memory safety: the "
              "debug lane leaves it to bookworm (zchttp_http.py runs there)")
        return KSFT_SKIP
    if not os.path.exists(NGINX):
        print("SKIP: %s not installed" % NGINX)
        return KSFT_SKIP
    if not load_module():
        return KSFT_SKIP
    tmp = tempfile.mkdtemp(prefix="zchttp-nginx.")
    www = os.path.join(tmp, "www")
    os.mkdir(www)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755", "zchttp-nginx",
                    www], check=True)
    nginx = None
    try:
        build_tree(www)
        zcctl("root", "add", www, "port", PORT_Z)
        nginx = start_nginx(tmp, www)
        t0 = time.monotonic()
        run_table(first_etags())
        print("# %d requests in %.1f s" % (len(TABLE), time.monotonic() - t0))
    finally:
        if nginx:
            nginx.terminate()
            nginx.wait(10)
        unload_module(PORT_Z)
        subprocess.run(["umount", www])
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
