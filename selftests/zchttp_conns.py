#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# 1,000 concurrent keep-alive connections, each answered twice; pipelined
# requests answered in order; max_requests ends a connection; idle and
# header-read timeouts close stale connections; deleting a root closes
# its connections.

import os
import resource
import selectors
import socket
import sys
import time

from zch_lib import (KSFT_SKIP, load_module, log_test, stat, summary,
                     unload_module, zcctl)

PORT = 8110
NCONN = 1000


def set_param(name, value):
    with open("/sys/module/zchttp/parameters/" + name, "w") as f:
        f.write(str(value))


def read_response(sock, buf=b""):
    """Read one response with Content-Length; return (status, body, rest)."""
    while b"\r\n\r\n" not in buf:
        b = sock.recv(65536)
        if not b:
            raise ConnectionError("closed before a response")
        buf += b
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    clen = 0
    for l in lines[1:]:
        k, _, v = l.partition(":")
        if k.lower() == "content-length":
            clen = int(v)
    while len(rest) < clen:
        b = sock.recv(65536)
        if not b:
            raise ConnectionError("closed inside a body")
        rest += b
    return status, rest[:clen], rest[clen:]


def wait_closed(sock, limit):
    """Block until the peer closes; return seconds waited or None."""
    sock.settimeout(limit)
    t0 = time.monotonic()
    try:
        while sock.recv(4096):
            pass
    except (socket.timeout, TimeoutError):
        return None
    except ConnectionResetError:
        pass
    return time.monotonic() - t0


def many_connections(www):
    body = open(os.path.join(www, "hello.txt"), "rb").read()
    req = b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n"
    socks = []
    for _ in range(NCONN):
        s = socket.create_connection(("127.0.0.1", PORT), timeout=60)
        socks.append(s)
    deadline = time.monotonic() + 120
    while stat("conns_active", PORT) < NCONN:
        if time.monotonic() > deadline:
            return False, "only %d connections open" % stat("conns_active", PORT)
        time.sleep(0.1)  # polling a counter with a deadline, not a sync
    for rnd in range(2):
        for s in socks:
            s.sendall(req)
        sel = selectors.DefaultSelector()
        pending = {}
        for s in socks:
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ)
            pending[s] = b""
        done = 0
        while done < NCONN:
            if time.monotonic() > deadline:
                return False, "round %d: %d of %d answered" % (rnd, done, NCONN)
            for key, _ in sel.select(timeout=5):
                s = key.fileobj
                b = s.recv(65536)
                if not b:
                    return False, "a connection was closed"
                pending[s] += b
                if pending[s].endswith(body) and b"\r\n\r\n" in pending[s]:
                    if not pending[s].startswith(b"HTTP/1.1 200"):
                        return False, "bad response"
                    sel.unregister(s)
                    done += 1
        for s in socks:
            s.setblocking(True)
    active = stat("conns_active", PORT)
    for s in socks:
        s.close()
    if active != NCONN:
        return False, "conns_active %d while %d open" % (active, NCONN)
    return True, ""


def main():
    if not load_module():
        return KSFT_SKIP
    resource.setrlimit(resource.RLIMIT_NOFILE, (NCONN + 100, NCONN + 100))
    www = "/tmp/zchttp-conns"
    os.makedirs(www, exist_ok=True)
    with open(os.path.join(www, "hello.txt"), "w") as f:
        f.write("hello\n")
    os.chmod(os.path.join(www, "hello.txt"), 0o644)
    zcctl("root", "add", www, "port", PORT)
    try:
        ok, why = many_connections(www)
        log_test("%d concurrent keep-alive connections, 2 requests each" % NCONN,
                 ok, why)

        s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
        s.sendall(b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                  b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                  b"HEAD /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                  b"GET /hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        st = []
        rest = b""
        for i in range(4):
            if i == 2:  # HEAD: no body to read
                status, _, rest = read_response(s, rest)
                st.append(status)
                continue
            status, body, rest = read_response(s, rest)
            st.append(status)
        closed = wait_closed(s, 10) is not None
        log_test("pipelined requests answered in order, then close",
                 st == [200, 404, 200, 200] and closed, "got %s" % st)

        set_param("max_requests", 3)
        s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
        s.sendall(b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n" * 4)
        rest = b""
        heads = []
        for i in range(3):
            status, _, rest = read_response(s, rest)
            heads.append(status)
        closed = wait_closed(s, 10) is not None
        log_test("max_requests: the last allowed response closes",
                 heads == [200, 200, 200] and closed and rest == b"",
                 "got %s, closed %s, extra %r" % (heads, closed, rest[:40]))
        set_param("max_requests", 1000)

        set_param("idle_timeout", 3)
        set_param("header_timeout", 2)
        s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
        s.sendall(b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        read_response(s)
        t0 = stat("timeouts", PORT)
        waited = wait_closed(s, 30)
        log_test("idle keep-alive connection closed after idle_timeout",
                 waited is not None and waited >= 2 and
                 stat("timeouts", PORT) == t0 + 1, "waited %s" % waited)

        s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
        s.sendall(b"GET /hello.txt HTTP/1.1\r\nHo")
        s.settimeout(30)
        data = b""
        try:
            while True:
                b = s.recv(4096)
                if not b:
                    break
                data += b
        except (ConnectionResetError, socket.timeout):
            pass
        log_test("partial request head: 408 after header_timeout, then close",
                 data.startswith(b"HTTP/1.1 408"), repr(data[:40]))

        socks = [socket.create_connection(("127.0.0.1", PORT), timeout=10)
                 for _ in range(10)]
        for s in socks:
            s.sendall(b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            read_response(s)
        zcctl("root", "del", PORT)
        closed = [wait_closed(s, 10) is not None for s in socks]
        log_test("deleting a root closes its connections", all(closed),
                 "%d of 10 closed" % sum(closed))
    finally:
        unload_module(PORT)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
