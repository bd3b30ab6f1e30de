#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Connections that end as soon as they begin. Several threads connect,
# set SO_LINGER {1, 0} and close at once (an RST right after the
# handshake, some after part of a request), 20,000 times under KASAN on
# the debug lane (10,000 on bookworm, 5,000 on trixie and sid):
# the RST reaches the socket while the module takes it over, on another
# CPU. Then the same while the root is deleted and added again under the
# storm. Every connection must be accounted for, none may stay open, and
# the kernel log (KASAN, refcount and list debugging on the debug lane)
# must stay clean; ksft-run.sh checks the latter for the whole run.

import os
import socket
import struct
import sys
import threading

from zch_lib import (KSFT_SKIP, get, load_module, log_test, long_lane, scale,
                     stat, summary, unload_module, wait_for, zcctl)

PORT = 8180
THREADS = 4
RST = struct.pack("ii", 1, 0)


def storm(n, errors, partial):
    """n connections reset right after connect (every third one after a
    partial request); connection errors are counted, not raised."""
    for i in range(n):
        try:
            s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
            if partial and i % 3 == 0:
                s.sendall(b"GET /hello.txt HTTP/1.1\r\nHo")
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RST)
            s.close()
        except OSError:
            errors[0] += 1


def tcp_ext(name):
    """A TcpExt counter of /proc/net/netstat."""
    with open("/proc/net/netstat") as f:
        lines = [line.split() for line in f if line.startswith("TcpExt:")]
    return int(lines[1][lines[0].index(name)])


def never_accepted():
    """Connections the client saw connected that the server never had to
    accept, as (dropped by a full backlog, reset as request sockets): the
    ListenDrops and EmbryonicRsts counters. The latter count an RST, sent
    from another CPU, that TCP handled before the handshake's last ACK."""
    return (tcp_ext("ListenDrops"), tcp_ext("EmbryonicRsts"))


def run_storm(total, partial=True):
    errors = [0]
    per = total // THREADS
    ts = [threading.Thread(target=storm, args=(per, errors, partial))
          for _ in range(THREADS)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return per * THREADS, errors[0]


def main():
    if not long_lane() or not load_module():
        return KSFT_SKIP
    www = "/tmp/zchttp-accept"
    os.makedirs(www, exist_ok=True)
    with open(os.path.join(www, "hello.txt"), "w") as f:
        f.write("hello\n")
    os.chmod(os.path.join(www, "hello.txt"), 0o644)
    zcctl("root", "add", www, "port", PORT)
    total = scale(10000, 4000, 0)
    try:
        drops0, resets0 = never_accepted()

        def unaccepted():
            drops, resets = never_accepted()
            return drops - drops0, resets - resets0

        n, errors = run_storm(total)
        # the accept work may still be behind the clients
        closed = wait_for(lambda: stat("conns_accepted", PORT) +
                          sum(unaccepted()) >= n and
                          stat("conns_active", PORT) == 0, 120)
        accepted = stat("conns_accepted", PORT)
        drops, resets = unaccepted()
        log_test("%d connections reset at once: all accepted, all closed" % n,
                 errors == 0 and accepted + drops + resets == n and closed,
                 "%d connect errors, %d accepted, %d dropped by a full "
                 "backlog, %d reset before the server's handshake ended, "
                 "%d still open" % (errors, accepted, drops, resets,
                                    stat("conns_active", PORT)))
        print("#     %d accepted, %d dropped by a full backlog, %d reset as "
              "request sockets" % (accepted, drops, resets))
        st, _, body = get(PORT, "/hello.txt")
        log_test("served normally after the storm",
                 st == 200 and body == b"hello\n", "status %d" % st)

        # the same storm while the root is deleted and added again
        stop = threading.Event()
        cycles = [0]

        def churn():
            while not stop.is_set():
                zcctl("root", "del", PORT)
                zcctl("root", "add", www, "port", PORT)
                cycles[0] += 1
        t = threading.Thread(target=churn)
        t.start()
        try:
            run_storm(total // 4)
        finally:
            stop.set()
            t.join()
        closed = wait_for(lambda: stat("conns_active") == 0, 60)
        log_test("storm during %d root del/add cycles: nothing left open" %
                 cycles[0], closed and cycles[0] > 0,
                 "%d connections open" % stat("conns_active"))
        st, _, body = get(PORT, "/hello.txt")
        log_test("served normally after the churn",
                 st == 200 and body == b"hello\n", "status %d" % st)
    finally:
        unload_module(PORT)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
