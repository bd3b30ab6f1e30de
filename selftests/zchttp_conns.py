#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# 10,000 concurrent keep-alive connections (2,000 under KASAN on the debug
# lane, 1,000 on trixie and sid), each answered twice, with the memory an
# idle one costs; pipelined
# requests answered in order; max_requests ends a connection; idle and
# header-read timeouts close stale connections; deleting a root closes
# its connections; a response that ends a connection is followed by a
# lingering close (FIN, not RST, even with unread request bytes).

import os
import resource
import selectors
import socket
import sys
import threading
import time

from zch_lib import (KSFT_SKIP, load_module, log_test, scale,
                     read_response, set_param, stat, summary,
                     unload_module, zcctl)

PORT = 8110
NCONN = scale(10000, 1000, 1000)


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


EXTRA = 256 * 1024     # bytes sent after a request that ends the connection


def read_to_eof(sock, limit=30):
    """Read until EOF; return (data, None) or (data, the exception)."""
    sock.settimeout(limit)
    data = b""
    try:
        while True:
            b = sock.recv(65536)
            if not b:
                return data, None
            data += b
    except OSError as e:  # ECONNRESET above all, or a timeout
        return data, e


def closing_with_extra(raw, extra=EXTRA):
    """Send raw then extra bytes (from a thread: the server may stop
    reading), read everything until EOF; return (data, error)."""
    s = socket.create_connection(("127.0.0.1", PORT), timeout=30)

    def send():
        try:
            s.sendall(raw + b"x" * extra)
        except OSError:
            pass  # the old behaviour: RST while sending
    t = threading.Thread(target=send)
    t.start()
    data, err = read_to_eof(s)
    t.join(30)
    s.close()
    return data, err


def wait_active(n, limit):
    """Poll conns_active of the root until it is n; False on the deadline."""
    deadline = time.monotonic() + limit
    while stat("conns_active", PORT) != n:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)  # polling a counter with a deadline, not a sync
    return True


def lingering_close(www):
    big = open(os.path.join(www, "big.bin"), "rb").read()
    h11 = b" HTTP/1.1\r\nHost: x\r\n"
    cases = (
        ("400 (no Host)", b"GET /hello.txt HTTP/1.1\r\n\r\n", b"HTTP/1.1 400 "),
        ("431 (head too large)", b"GET /hello.txt" + h11 + b"X: " +
         b"v" * 9000 + b"\r\n\r\n", b"HTTP/1.1 431 "),
        ("414 (line too long)", b"GET /" + b"a" * 5000 + h11 +
         b"\r\n", b"HTTP/1.1 414 "),
        ("505 (HTTP/2.0)", b"GET / HTTP/2.0\r\n\r\n", b"HTTP/1.1 505 "),
    )
    for desc, raw, start in cases:
        data, err = closing_with_extra(raw)
        head, _, body = data.partition(b"\r\n\r\n")
        clen = 0
        for l in head.split(b"\r\n")[1:]:
            k, _, v = l.partition(b":")
            if k.strip().lower() == b"content-length":
                clen = int(v)
        log_test("%s then %d KiB: whole response, then EOF" %
                 (desc, EXTRA // 1024),
                 data.startswith(start) and clen and len(body) == clen and
                 err is None,
                 "got %r... (%d bytes), error %r" % (data[:20], len(data), err))

    # a response with a body still in flight when the request is done
    for desc, raw in (
            ("Connection: close", b"GET /big.bin" + h11 +
             b"Connection: close\r\n\r\n"),
            ("HTTP/1.0", b"GET /big.bin HTTP/1.0\r\n\r\n")):
        data, err = closing_with_extra(raw + b"GET /hello.txt" + h11 + b"\r\n")
        ok = data.startswith(b"HTTP/1.") and data.endswith(big) and \
            err is None
        log_test("%s with pipelined bytes: 1 MiB body, then EOF" % desc, ok,
                 "%d bytes, error %r" % (len(data), err))

    set_param("max_requests", 2)
    data, err = closing_with_extra(b"GET /hello.txt" + h11 + b"\r\n" +
                                   b"GET /big.bin" + h11 + b"\r\n")
    set_param("max_requests", 1000)
    log_test("max_requests reached with pipelined bytes: 2 responses, EOF",
             data.count(b"HTTP/1.1 200 ") == 2 and data.endswith(big) and
             err is None, "%d bytes, error %r" % (len(data), err))

    # the server lets go once the peer closes
    ok = wait_active(0, 30)
    log_test("lingering connections released when the peer closes", ok,
             "conns_active %d" % stat("conns_active", PORT))

    # a peer that never closes is let go after the linger time
    s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    s.sendall(b"GET /hello.txt HTTP/1.0\r\n\r\n")
    data, err = read_to_eof(s)
    ok = data.startswith(b"HTTP/1.1 200 ") and data.endswith(b"\r\nhello\n") \
        and err is None
    t0 = time.monotonic()
    released = wait_active(0, 30)
    log_test("a peer that does not close is let go after the linger time",
             ok and released, "EOF %s, released %s after %.1f s" %
             (ok, released, time.monotonic() - t0))
    s.close()

    # deleting a root does not wait for lingering connections
    socks = []
    for _ in range(5):
        s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
        s.sendall(b"GET /hello.txt HTTP/1.0\r\n\r\n")
        read_to_eof(s)
        socks.append(s)
    lingering = stat("conns_active", PORT)
    t0 = time.monotonic()
    zcctl("root", "del", PORT)
    took = time.monotonic() - t0
    zcctl("root", "add", www, "port", PORT)
    for s in socks:
        s.close()
    log_test("root del does not wait for lingering connections",
             lingering == 5 and took < 3, "%d lingering, root del took %.1f s" %
             (lingering, took))


def mem_available():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 0


def many_connections(www):
    body = open(os.path.join(www, "hello.txt"), "rb").read()
    req = b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n"
    socks = []
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3")
    mem0 = mem_available()
    for _ in range(NCONN):
        s = socket.create_connection(("127.0.0.1", PORT), timeout=60)
        socks.append(s)
    deadline = time.monotonic() + 60 + NCONN / 50
    while stat("conns_active", PORT) < NCONN:
        if time.monotonic() > deadline:
            return False, "only %d connections open" % stat("conns_active", PORT)
        time.sleep(0.1)  # polling a counter with a deadline, not a sync
    # both ends are in this VM: a connection pair, client socket included
    per = (mem0 - mem_available()) / NCONN
    print("# %d idle keep-alive connections: %.1f KiB of MemAvailable each "
          "(client and server sockets, and zchttp's struct)" %
          (NCONN, per / 1024))
    for rnd in range(2):
        deadline = time.monotonic() + 60 + NCONN / 50
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
    # the client's 10,000 sockets need as many local ports
    with open("/proc/sys/net/ipv4/ip_local_port_range", "w") as f:
        f.write("10000 65000")
    www = "/tmp/zchttp-conns"
    os.makedirs(www, exist_ok=True)
    with open(os.path.join(www, "hello.txt"), "w") as f:
        f.write("hello\n")
    os.chmod(os.path.join(www, "hello.txt"), 0o644)
    with open(os.path.join(www, "big.bin"), "wb") as f:
        f.write(os.urandom(1048576))
    os.chmod(os.path.join(www, "big.bin"), 0o644)
    zcctl("root", "add", www, "port", PORT)
    try:
        lingering_close(www)

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
            # the HEAD response announces a body it does not carry
            status, _, _, rest = read_response(s, rest, head_only=i == 2)
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
            status, _, _, rest = read_response(s, rest)
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
