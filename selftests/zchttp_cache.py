#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# The pinned cache answers like an uncached lookup, at every moment.
#
# Two roots serve the same ext4 directory: one caches, the other is in
# copy mode, which never caches, and is the reference. Checked:
#  - a repeated GET, HEAD, an index, HTTP/1.0 with and without keep-alive
#    are hits (cache_hits), and each hit is the reference's response
#    byte for byte but for the Date value; range and conditional requests
#    are not hits and stay right;
#  - coherence, for each change a file can undergo: content rewritten in
#    place, a rename over it, unlink, chmod of the file, chmod of and an
#    ACL on a directory above it, truncation, a symlink and a mount
#    appearing in its path. After each change the very next request
#    answers as the reference does; then, racing, a thread flips between
#    the two states while the client fetches, and every response must be
#    one of the two states' complete responses, never a mix of one
#    state's header and the other's body;
#  - the two executors (Documentation/zchttp.rst, "Connections"): hits run
#    on zchttp's per-CPU workers and a root that does not cache never
#    does; one connection's pipelined mix of hits and requests of the
#    lookup path (a file above cache_file_max, a range, a 404) hands the
#    connection over and back, every response in order and right;
#  - the budget: with cache_bytes small, the pinned bytes stay within it
#    and entries are evicted; files above cache_file_max are not cached;
#  - root deletion releases every entry: the file system unmounts at once.

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time

from zch_lib import (KSFT_SKIP, ZCCTL, Ext4, load_module, log_test,
                     read_response, run, scale, set_param, stat, summary,
                     unload_module, worker_runtime, zcctl)

PORT = 8260             # caching root
REF = 8261              # copy mode: never cached, the reference
RACE = scale(200, 100, 150)


def request(port, path, method="GET", version="1.1", extra=""):
    """One request on a new connection: (status, headers, body, raw head)."""
    conn = "" if version == "1.0" else "Connection: close\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(("%s %s HTTP/%s\r\nHost: x\r\n%s%s\r\n" %
                   (method, path, version, conn, extra)).encode())
        status, hdrs, body, _ = read_response(s, head_only=method == "HEAD")
    return status, hdrs, body


def without_date(hdrs):
    return {k: v for k, v in hdrs.items() if k != "date"}


def same(port, path, **kw):
    """Do the caching root and the reference answer @path alike? Returns
    (equal, what the caching root said, what the reference said)."""
    a = request(port, path, **kw)
    b = request(REF, path, **kw)
    equal = a[0] == b[0] and without_date(a[1]) == without_date(b[1]) and \
        a[2] == b[2]
    return equal, a, b


def file_tag(hdrs):
    """The size a 200's header gives its file, in the ETag ("ino-size-
    ctime", hex) and Content-Length alike (else a mismatch); None for a
    response without an ETag."""
    etag = hdrs.get("etag")
    if not etag:
        return None
    size = int(etag.strip('"').split("-")[1], 16)
    if size != int(hdrs.get("content-length", "-1")):
        return ("mismatch", etag, hdrs.get("content-length"))
    return size


def show(r):
    return "%d %s %d bytes" % (r[0], sorted(without_date(r[1]).items()),
                               len(r[2]))


def hits():
    return stat("cache_hits", PORT)


def basics(www):
    ok, a, b = same(PORT, "/f1k.bin")
    h0 = hits()
    ok2, a2, _ = same(PORT, "/f1k.bin")
    log_test("a repeated GET is a hit, as the reference answers it",
             ok and ok2 and hits() == h0 + 1 and a2[0] == 200,
             "%s / %s / hits %d -> %d" % (show(a2), show(b), h0, hits()))

    # the raw bytes, Date value aside
    raw = {}
    for port in (PORT, REF):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"GET /f1k.bin HTTP/1.1\r\nHost: x\r\n"
                      b"Connection: close\r\n\r\n")
            data = b""
            while True:
                c = s.recv(65536)
                if not c:
                    break
                data += c
        lines = data.split(b"\r\n")
        raw[port] = b"\r\n".join(l for l in lines
                                 if not l.startswith(b"Date: "))
    log_test("a hit is the reference's response byte for byte but Date",
             raw[PORT] == raw[REF], repr(raw[PORT][:300]))

    h0 = hits()
    r = [same(PORT, "/f1k.bin", method="HEAD"),
         same(PORT, "/sub/", method="GET"),
         same(PORT, "/sub/", method="GET"),
         same(PORT, "/f1k.bin", version="1.0"),
         same(PORT, "/f1k.bin", version="1.0",
              extra="Connection: keep-alive\r\n")]
    ka = r[4][1][1].get("connection")
    log_test("HEAD, an index, HTTP/1.0 with and without keep-alive are hits",
             all(x[0] for x in r) and hits() >= h0 + 4 and ka == "keep-alive",
             "%s; hits %d -> %d" % ([show(x[1]) for x in r if not x[0]],
                                    h0, hits()))

    # a HEAD hit has no body: a GET pipelined behind it parses
    with socket.create_connection(("127.0.0.1", PORT), timeout=10) as s:
        s.sendall(b"HEAD /f1k.bin HTTP/1.1\r\nHost: x\r\n\r\n"
                  b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n"
                  b"Connection: close\r\n\r\n")
        st1, _, _, rest = read_response(s, head_only=True)
        st2, _, body, _ = read_response(s, rest)
    log_test("a GET pipelined behind a HEAD hit is answered",
             st1 == 200 and st2 == 200 and body == b"hello\n",
             "%d %d %r" % (st1, st2, body))

    pipelined_heads()

    h0, m0 = hits(), stat("cache_misses", PORT)
    etag = request(PORT, "/f1k.bin")[1]["etag"]
    r = [same(PORT, "/f1k.bin", extra="Range: bytes=10-19\r\n"),
         same(PORT, "/f1k.bin", extra="If-None-Match: %s\r\n" % etag)]
    log_test("range and conditional requests are right and not hits",
             all(x[0] for x in r) and r[0][1][0] == 206 and
             r[1][1][0] == 304 and hits() == h0 + 1 and
             stat("cache_misses", PORT) == m0,
             "%s; hits %d -> %d" % ([show(x[1]) for x in r], h0, hits()))


def pipelined_heads(n=900):
    """HEAD hits pipelined to a client that reads in small pieces through
    a small receive buffer: the server's sends come short, inside headers
    too, and resume; the stream must be n whole headers, no body byte."""
    want = request(PORT, "/f1k.bin", method="HEAD")
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
        s.connect(("127.0.0.1", PORT))
        s.settimeout(30)
        req = b"HEAD /f1k.bin HTTP/1.1\r\nHost: x\r\n\r\n"
        t = threading.Thread(target=s.sendall, args=(req * n,))
        t.start()
        data = b""
        try:
            while data.count(b"\r\n\r\n") < n:
                c = s.recv(97)
                if not c:
                    break
                data += c
        finally:
            t.join()
    heads = data.split(b"\r\n\r\n")
    bad = [h[:40] for h in heads[:-1] if not h.startswith(b"HTTP/1.1 200 ")]
    log_test("%d pipelined HEAD hits read slowly: headers only" % n,
             len(heads) == n + 1 and heads[-1] == b"" and not bad and
             want[0] == 200,
             "%d headers, %d bad (%s), %d bytes after the last" %
             (len(heads) - 1, len(bad), bad[:2], len(heads[-1])))


def tool():
    """zcctl cache show and flush, per root, in text and JSON."""
    request(PORT, "/f1k.bin")
    request(PORT, "/f1k.bin")
    text = dict(l.split() for l in zcctl("cache", "root", PORT).splitlines())
    js = json.loads(zcctl("-j", "cache", "root", PORT))
    ratio = js["hits"] / (js["hits"] + js["misses"])
    log_test("zcctl cache root: entries, bytes, hits, ratio (text, JSON)",
             text["root"] == str(PORT) and int(text["entries"]) > 0 and
             int(text["bytes"]) >= 8192 and js["root"] == PORT and
             js["entries"] == int(text["entries"]) and
             abs(js["hit_ratio"] - ratio) < 1e-3 and
             float(text["hit_ratio"]) > 0, "%s / %s" % (text, js))

    zcctl("cache", "flush", "root", PORT)
    h0 = hits()
    after = stat("cache_entries", PORT)
    request(PORT, "/f1k.bin")
    refilled = stat("cache_entries", PORT)
    request(PORT, "/f1k.bin")
    log_test("zcctl cache flush root: no entry left, the next GET refills",
             after == 0 and refilled == 1 and hits() == h0 + 1,
             "entries %d, then %d; hits +%d" % (after, refilled, hits() - h0))

    r = subprocess.run([ZCCTL, "cache", "flush", "root", "9999"],
                       capture_output=True, text=True)
    log_test("zcctl cache flush of a port without a root: exit 1, reason",
             r.returncode == 1 and "no root on this port" in r.stderr,
             "%d %r" % (r.returncode, r.stderr))


def write(path, data, mode=0o644):
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)


class Change:
    """A change between two states of the tree, a then b; also(status,
    body) accepts a response of a state the tree passes through between
    them, or that the kernel's own sendfile semantics allow (bytes
    written, or zeroed by a truncation, after TCP took the page)."""

    def __init__(self, name, url, a, b, also=None):
        self.name, self.url, self.a, self.b = name, url, a, b
        self.also = also or (lambda st, body: False)


def changes(www):
    d = os.path.join(www, "d")
    f = os.path.join(d, "f.txt")
    alt = os.path.join(www, "alt")
    one, two = b"1" * 3000, b"2" * 3000
    tmp = os.path.join(d, ".tmp")

    def rename_to(data):
        write(tmp, data)
        os.rename(tmp, f)

    def rewrite(data, at=0):
        with open(f, "r+b") as fh:
            os.pwrite(fh.fileno(), data, at)

    def dir_mode(mode):
        os.chmod(d, mode)

    def acl(deny):
        # the root reads files as nobody (65534) by default
        if deny:
            run("setfacl", "-m", "u:65534:---", d)
        else:
            run("setfacl", "-b", d)

    def symlink(on):
        if on and not os.path.islink(d):
            os.rename(d, alt)
            os.symlink("alt", d)
        elif not on and os.path.islink(d):
            os.unlink(d)
            os.rename(alt, d)

    def mount(on):
        # lazily: a lookup in flight may hold the mount for an instant
        if on and not os.path.ismount(d):
            run("mount", "-t", "tmpfs", "-o", "size=1m,mode=755", "none", d)
        elif not on and os.path.ismount(d):
            run("umount", "-l", d)

    def mixed(st, body):
        return st == 200 and len(body) == 3000 and set(body) <= set(b"12")

    def zeroed(st, body):
        return st == 200 and len(body) == 3000 and \
            body[:1000] == one[:1000] and set(body[1000:]) <= set(b"1\0")

    zeroed.torn = True      # the lookup path resets a response it cannot end

    return [
        Change("content rewritten in place", "/d/f.txt",
               lambda: rewrite(one), lambda: rewrite(two), mixed),
        Change("a rename over it", "/d/f.txt",
               lambda: rename_to(one), lambda: rename_to(b"3" * 5000)),
        Change("unlink", "/d/f.txt",
               lambda: rename_to(one), lambda: os.unlink(f)),
        Change("chmod of the file", "/d/f.txt",
               lambda: os.chmod(f, 0o644), lambda: os.chmod(f, 0o600)),
        Change("chmod of its directory", "/d/f.txt",
               lambda: dir_mode(0o755), lambda: dir_mode(0o700)),
        Change("an ACL on its directory", "/d/f.txt",
               lambda: acl(False), lambda: acl(True)),
        Change("truncation", "/d/f.txt",
               lambda: rewrite(one[1000:], 1000),
               lambda: os.truncate(f, 1000), zeroed),
        Change("a symlink in its path", "/d/f.txt",
               lambda: symlink(False), lambda: symlink(True),
               lambda st, body: st == 404),
        Change("a mount in its path", "/d/f.txt",
               lambda: mount(False), lambda: mount(True)),
    ]


def coherence(www):
    d = os.path.join(www, "d")
    os.mkdir(d, 0o755)
    write(os.path.join(d, "f.txt"), b"1" * 3000)
    for c in changes(www):
        c.a()
        # the next request after each change, both ways, twice each
        bad = []
        for i in range(4):
            request(PORT, c.url)            # fill, or hit
            request(PORT, c.url)
            (c.b if i % 2 == 0 else c.a)()
            ok, got, want = same(PORT, c.url)
            if not ok:
                bad.append("after %s: %s, reference %s" %
                           ("b" if i % 2 == 0 else "a", show(got), show(want)))
        log_test("%s: the next request sees it" % c.name, not bad,
                 "; ".join(bad[:2]))

        # racing: every response is one state's, whole
        states = []
        for flip in (c.a, c.b):
            flip()
            states.append(request(REF, c.url))
        c.a()
        valid = {(s[0], s[2], file_tag(s[1])) for s in states}
        stop = threading.Event()
        flips = [0, None]       # count, the error that stopped them

        def flipper():
            try:
                while not stop.is_set():
                    (c.b if flips[0] % 2 == 0 else c.a)()
                    flips[0] += 1
            except (OSError, subprocess.CalledProcessError) as e:
                flips[1] = e

        t = threading.Thread(target=flipper)
        t.start()
        h0, bad, n = hits(), [], 0
        deadline = time.monotonic() + 120
        try:
            # RACE requests, and over four flips at least (mount and
            # setfacl are processes, slow to start under TCG)
            while (n < RACE or flips[0] < 4) and \
                    time.monotonic() < deadline and not flips[1]:
                n += 1
                try:
                    st, hdrs, body = request(PORT, c.url)
                except ConnectionError:
                    if not getattr(c.also, "torn", False):
                        bad.append("connection reset")
                    continue
                tag = file_tag(hdrs)
                if (st, body, tag) not in valid and not (
                        c.also(st, body) and tag in (None, len(body))):
                    bad.append("%d, %d bytes, %s" % (st, len(body), tag))
        finally:
            stop.set()
            t.join()
        c.a()
        log_test("%s: %d requests racing it, each one state's" %
                 (c.name, n), not bad and flips[0] >= 4 and not flips[1],
                 "%d bad: %s; %d flips, %s" %
                 (len(bad), bad[:3], flips[0], flips[1]))
        print("# %s: %d flips, %d of %d racing requests were hits" %
              (c.name, flips[0], hits() - h0, n))


def keepalive(port, reqs):
    """Send reqs, a list of (method, path, extra header lines), pipelined
    in one write on one connection; return their responses in order."""
    data = b"".join(("%s %s HTTP/1.1\r\nHost: x\r\n%s\r\n" %
                     (m, p, x)).encode() for m, p, x in reqs)
    out, rest = [], b""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(data)
        for m, _, _ in reqs:
            st, hdrs, body, rest = read_response(s, rest,
                                                 head_only=m == "HEAD")
            out.append((st, without_date(hdrs), body))
    return out


def executors(www):
    write(os.path.join(www, "big.bin"), os.urandom(300 * 1024))
    request(PORT, "/f1k.bin")
    n = 1000                # tens of milliseconds, even where ticks count
    with socket.create_connection(("127.0.0.1", PORT), timeout=10) as ka:
        w0, h0 = worker_runtime(), hits()
        for _ in range(n):
            ka.sendall(b"GET /f1k.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            read_response(ka)
        w1 = worker_runtime()
        # the caching root's connection stays open and idle meanwhile;
        # the workers may still close an earlier one, a run or two
        for _ in range(n // 5):
            request(REF, "/f1k.bin")
        w2 = worker_runtime()
        # a hit is counted as its bytes go out: read once they surely have
        h1 = hits()
    print("# workers ran %.1f ms over %d hits, %.1f ms over %d requests of "
          "the reference" % ((w1 - w0) / 1e6, n, (w2 - w1) / 1e6, n // 5))
    log_test("%d hits run on the per-CPU workers, uncached requests not" % n,
             h1 - h0 == n and w1 > w0 and 10 * (w2 - w1) < w1 - w0,
             "hits %d; worker runtime +%d ns over the hits, +%d ns over "
             "the reference's requests" % (h1 - h0, w1 - w0, w2 - w1))

    f1k = ("GET", "/f1k.bin", "")
    reqs = [f1k, ("GET", "/big.bin", ""), f1k,
            ("GET", "/f1k.bin", "Range: bytes=5-9\r\n"), f1k,
            ("HEAD", "/missing", ""), f1k, ("GET", "/big.bin", ""),
            ("GET", "/sub/", ""), ("HEAD", "/f1k.bin", "")]
    h0, m0 = hits(), stat("cache_misses", PORT)
    got, want = keepalive(PORT, reqs), keepalive(REF, reqs)
    bad = [(i, r[0], x[0]) for i, (r, x) in enumerate(zip(got, want))
           if r != x]
    log_test("hits and lookups pipelined on one connection: handed over",
             not bad and [r[0] for r in got] ==
             [200, 200, 200, 206, 200, 404, 200, 200, 200, 200] and
             hits() - h0 >= 5 and stat("cache_misses", PORT) - m0 >= 3,
             "differing (index, status, reference's): %s; hits +%d, "
             "misses +%d" % (bad, hits() - h0,
                             stat("cache_misses", PORT) - m0))


def budget(www):
    big = os.path.join(www, "many")
    os.mkdir(big, 0o755)
    for i in range(48):
        write(os.path.join(big, "%d.bin" % i), os.urandom(1024))
    write(os.path.join(www, "large.bin"), os.urandom(300 * 1024))
    limit = 16 * 8192       # sixteen 1 KiB entries: an entry page, a folio
    set_param("cache_bytes", limit)
    ev0 = stat("cache_evictions")
    bad, peak = 0, 0
    for rnd in range(2):
        for i in range(48):
            st, _, body = request(PORT, "/many/%d.bin" % i)
            with open(os.path.join(big, "%d.bin" % i), "rb") as fh:
                bad += st != 200 or body != fh.read()
            peak = max(peak, stat("cache_bytes"))
    ev = stat("cache_evictions") - ev0
    log_test("cache_bytes %d: at most %d pinned, %d evictions" %
             (limit, peak, ev), not bad and 0 < peak <= limit and ev > 0,
             "%d bad responses" % bad)
    set_param("cache_bytes", 64 << 20)

    request(PORT, "/large.bin")
    h0 = hits()
    st, _, body = request(PORT, "/large.bin")
    with open(os.path.join(www, "large.bin"), "rb") as fh:
        want = fh.read()
    log_test("a file above cache_file_max is served, not cached",
             st == 200 and body == want and hits() == h0)


def main():
    if not load_module():
        return KSFT_SKIP
    if not shutil.which("setfacl"):
        print("SKIP: setfacl not installed")
        return KSFT_SKIP
    fs = Ext4(32)
    try:
        www = os.path.join(fs.mnt, "www")
        os.mkdir(www, 0o755)
        os.mkdir(os.path.join(www, "sub"), 0o755)
        write(os.path.join(www, "f1k.bin"), os.urandom(1024))
        write(os.path.join(www, "hello.txt"), b"hello\n")
        write(os.path.join(www, "sub", "index.html"), b"<p>sub</p>\n")
        zcctl("root", "add", www, "port", PORT)
        zcctl("root", "add", www, "port", REF, "copy")

        basics(www)
        tool()
        executors(www)
        coherence(www)
        budget(www)

        n = stat("cache_entries")
        zcctl("root", "del", PORT)
        zcctl("root", "del", REF)
        um = subprocess.run(["umount", fs.mnt], capture_output=True,
                            text=True)
        log_test("root del releases its %d entries: umount at once" % n,
                 n > 0 and um.returncode == 0 and stat("cache_entries") == 0,
                 um.stderr.strip())
    finally:
        unload_module(PORT, REF)
        fs.close()
    return summary()


if __name__ == "__main__":
    sys.exit(main())
