#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Memory per busy connection (MemAvailable per connection while 200-400
# connections each hold part of a request head) stays within what
# Documentation/zchttp.rst states: the default buffers for a short head
# whatever the root's head limit, and for a 60 KB head on a root that
# allows 64 KiB no more than the limit and 16 KiB, that is no high-order
# allocation (a 64 KiB kmalloc() takes 128 KiB).
#
# MemAvailable also moves with what the rest of the machine does meanwhile,
# most of all with the pages the per-CPU free lists hold, which count as
# used (from 6.7 the kernel tunes their size as it goes: one measurement
# on 6.12 read 31.8 KiB where the others read 7.8). So the lists are kept
# short while measuring (vm.percpu_pagelist_high_fraction), and each
# figure is the least of three measurements: what the connections cost is
# in all three, the noise seldom is.

import os
import socket
import sys
import time

from zch_lib import (KSFT_SKIP, lane, load_module, log_test, meminfo,
                     set_param, stat, summary, unload_module, wait_for, zcctl)

PORT = 8200
BIG_HEAD = 65536


def server_unread(port):
    """Bytes waiting in the receive queues of the root's sockets (the
    roots listen on 127.0.0.1, so /proc/net/tcp holds them)."""
    n = 0
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            v = line.split()
            if v[1].endswith(":%04X" % port):
                n += int(v[4].split(":")[1], 16)
    return n


def busy_memory(port, partial, n):
    """Bytes of MemAvailable per connection while n connections each hold
    the partial head sent (and are busy: their buffer is allocated)."""
    socks = []
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3")
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        socks.append(s)
    wait_for(lambda: stat("conns_active", port) == n, 60)
    time.sleep(1)  # let per-CPU page lists settle (a measurement, not a sync)
    before = meminfo("MemAvailable")
    for s in socks:
        s.sendall(partial)
    # the server has read every byte when its receive queues are empty
    wait_for(lambda: server_unread(port) == 0, 60)
    time.sleep(1)  # as above
    per = (before - meminfo("MemAvailable")) / n
    for s in socks:
        s.close()
    wait_for(lambda: stat("conns_active", port) == 0, 60)
    return per


def least_busy_memory(port, partial, n, rounds=3):
    per = [busy_memory(port, partial, n) for _ in range(rounds)]
    print("# %s KiB" % ", ".join("%.1f" % (p / 1024) for p in per))
    return min(per)


def memory():
    n = 400
    head = b"GET /hello.txt HTTP/1.1\r\nHost: x\r\nX-Pad: "
    for port, what in ((PORT + 2, "8 KiB"), (PORT + 1, "64 KiB")):
        small = least_busy_memory(port, head + b"p" * 100, n)
        print("# busy connection, %s head limit, short head: %.1f KiB" %
              (what, small / 1024))
        log_test("busy connection, %s head limit, short head: <= 16 KiB" %
                 what, small <= 16 * 1024, "%.1f KiB each" % (small / 1024))
    big = least_busy_memory(PORT + 1, head + b"p" * 60000, n)
    print("# busy connection, 64 KiB head limit, 60 KB head: %.1f KiB" %
          (big / 1024))
    log_test("busy connection with a 60 KB head: at most head limit + 16 KiB",
             big <= BIG_HEAD + 16 * 1024, "%.1f KiB each" % (big / 1024))


def main():
    if lane() == "debug":
        print("SKIP: KASAN's redzones and quarantine change what memory an "
              "allocation costs: measured on the other lanes")
        return KSFT_SKIP
    if not load_module():
        return KSFT_SKIP
    www = "/tmp/zchttp-heads"
    os.makedirs(www, exist_ok=True)
    with open(os.path.join(www, "hello.txt"), "w") as f:
        f.write("hello\n")
    os.chmod(os.path.join(www, "hello.txt"), 0o644)
    zcctl("root", "add", www, "port", PORT + 1, "headsize", BIG_HEAD,
          "headers", 1000, "addr", "127.0.0.1")
    zcctl("root", "add", www, "port", PORT + 2, "addr", "127.0.0.1")
    # the heads held below must not meet the header timeout
    set_param("header_timeout", 600)
    fraction = "/proc/sys/vm/percpu_pagelist_high_fraction"
    with open(fraction) as f:
        saved = f.read().strip()
    try:
        # the per-CPU free lists as short as the kernel allows
        with open(fraction, "w") as f:
            f.write("1000000")
        memory()
    finally:
        with open(fraction, "w") as f:
            f.write(saved)
        unload_module(PORT + 1, PORT + 2)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
