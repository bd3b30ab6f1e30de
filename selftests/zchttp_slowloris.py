#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Slowloris: 2,000 connections (500 on the debug, trixie and sid lanes)
# trickle header bytes, one byte each every half second, and never end
# their heads. Throughout, a normal client's requests are each answered
# within a second (3 s under KASAN; the slowest is printed); at
# header_timeout (6 s here) every trickler gets 408 and is closed, its
# bytes never extending it, and the counters agree: one timeout and one
# 4xx each.

import os
import resource
import selectors
import socket
import sys
import threading
import time

from zch_lib import (KSFT_SKIP, get, lane, load_module, log_test, long_lane,
                     scale, set_param, stat, summary, unload_module, wait_for,
                     zcctl)

PORT = 8270
TIMEOUT = 6
# A normal client's answer within 1 s (28 to 67 ms measured); under KASAN
# beside another VM the test's own client lags (up to 1.55 s measured),
# so there the bound is what a server that served the tricklers first
# would miss: half the timeout they hold it for.
PROBE_MAX = 3 if lane() == "debug" else 1


def main():
    if not long_lane() or not load_module():
        return KSFT_SKIP
    n = scale(2000, 500, 0)
    resource.setrlimit(resource.RLIMIT_NOFILE, (n + 200, n + 200))
    www = "/tmp/zchttp-slowloris"
    os.makedirs(www, exist_ok=True)
    with open(os.path.join(www, "hello.txt"), "w") as f:
        f.write("hello\n")
    os.chmod(os.path.join(www, "hello.txt"), 0o644)
    zcctl("root", "add", www, "port", PORT)
    set_param("header_timeout", TIMEOUT)
    try:
        socks = [socket.create_connection(("127.0.0.1", PORT), timeout=30)
                 for _ in range(n)]
        wait_for(lambda: stat("conns_active", PORT) == n, 120)
        opened = stat("conns_active", PORT)
        t0 = time.monotonic()
        for s in socks:
            s.sendall(b"GET /hello.txt HTTP/1.1\r\nX-Slow: ")

        # a normal client, throughout
        stop = threading.Event()
        lat = []

        def probe():
            while not stop.is_set():
                t = time.monotonic()
                try:
                    st, _, body = get(PORT, "/hello.txt", timeout=10)
                    ok = st == 200 and body == b"hello\n"
                except OSError:
                    ok = False
                lat.append(time.monotonic() - t if ok else 99)
                time.sleep(0.05)  # a request every 50 ms
        pt = threading.Thread(target=probe)
        pt.start()

        # trickle until the server has answered them all; collect the 408s
        sel = selectors.DefaultSelector()
        data = {}
        for s in socks:
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ)
            data[s] = b""
        done = 0
        deadline = time.monotonic() + TIMEOUT + 60
        next_byte = time.monotonic()
        while done < n and time.monotonic() < deadline:
            if time.monotonic() >= next_byte:
                for s in socks:
                    if data[s] is not None:
                        try:
                            s.send(b"a")
                        except OSError:
                            pass
                next_byte += 0.5
            for key, _ in sel.select(timeout=0.1):
                s = key.fileobj
                try:
                    b = s.recv(4096)
                except OSError:
                    b = b""
                if b:
                    data[s] += b
                    continue
                sel.unregister(s)
                data[s] = data[s] if data[s].startswith(
                    b"HTTP/1.1 408 ") else None
                done += 1
        took = time.monotonic() - t0
        stop.set()
        pt.join()
        got408 = sum(1 for s in socks if data[s] is not None and
                     data[s].startswith(b"HTTP/1.1 408 "))
        print("# %d tricklers all answered 408 and closed %.1f s after their "
              "first byte; %d probe requests, slowest %.3f s" %
              (n, took, len(lat), max(lat or [99])))
        for s in socks:
            s.close()
        # Bounds of behaviour, not of speed: a trickler's bytes must not
        # keep it open (it would then trickle until the test's deadline,
        # 60 s past the timeout), and the normal client must never wait
        # for the tricklers to time out. Between the two, this client's
        # own pace on a slow guest shows (the debug kernel beside another
        # VM: 13 to 15 s for 500).
        log_test("%d slowloris connections: 408 each, after %d to %d s" %
                 (n, TIMEOUT, 5 * TIMEOUT),
                 opened == n and got408 == n and
                 TIMEOUT <= took <= 5 * TIMEOUT,
                 "%d open, %d got 408, all closed after %.1f s" %
                 (opened, got408, took))
        log_test("a normal client answered throughout, within %d s each" %
                 PROBE_MAX, lat and max(lat) < PROBE_MAX,
                 "%d requests, slowest %.2f s" % (len(lat), max(lat or [99])))
        wait_for(lambda: stat("conns_active", PORT) == 0, 60)
        log_test("counters agree: timeouts and 4xx",
                 stat("timeouts", PORT) == n and
                 stat("resp_4xx", PORT) == n and
                 stat("conns_active", PORT) == 0,
                 "timeouts %d, resp_4xx %d, active %d" %
                 (stat("timeouts", PORT), stat("resp_4xx", PORT),
                  stat("conns_active", PORT)))
    finally:
        set_param("header_timeout", 10)
        unload_module(PORT)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
