#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# A request head trickled one byte per segment costs the server CPU in
# proportion to its bytes, not to their square: a 64 KiB head sent one
# byte at a time (TCP_NODELAY, and a pause after each byte long enough
# for the work to run on it alone) costs at most twice the server CPU of
# the same 64 KiB sent the same way as 64 requests of 1 KiB (the same
# segments and wakeups). A parser that starts again from the first byte
# on every wakeup scans 32 KiB per byte on average here.
#
# Server CPU: the CPU time of the threads zchttp's work runs on (the
# workqueue's and zchttp's own workers, server_cpu()). One vCPU (the
# one-vCPU boot, Documentation/vm.rst): the client's pause hands the only
# CPU to the work at once, one run per byte.

import os
import socket
import sys
import time

from zch_lib import (KSFT_SKIP, lane, load_module, log_test, read_response,
                     server_cpu, set_param, summary, unload_module, zcctl)

PORT = 8250
HEAD = 65536


def request(size):
    """A valid GET whose head is exactly size bytes."""
    line = b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n"
    hdr = b"X-Pad: " + b"p" * 57 + b"\r\n"        # 66 bytes a line
    n = (size - len(line) - 2) // len(hdr)
    req = line + hdr * n
    fill = size - len(req) - 2 - len(b"X-End: \r\n")
    return req + b"X-End: " + b"e" * fill + b"\r\n\r\n"


def trickle(reqs):
    """Send reqs one byte per segment on one connection, reading each
    response before the next request; return the server's CPU seconds."""
    s = socket.create_connection(("127.0.0.1", PORT), timeout=60)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    cpu0 = server_cpu()
    rest = b""
    for req in reqs:
        for i in range(len(req)):
            s.send(req[i:i + 1])
            time.sleep(0.00005)     # pacing, so that each byte is one run
        st, _, _, rest = read_response(s, rest)
        if st != 200:
            raise RuntimeError("status %d" % st)
    cpu = server_cpu() - cpu0
    s.close()
    return cpu


def main():
    if lane() != "bookworm":
        # the unit tests feed every request byte by byte under ASan
        print("SKIP: the parser's scan is the same C on every kernel, and "
              "its CPU is measured where it is not KASAN's: on bookworm")
        return KSFT_SKIP
    if os.cpu_count() != 1:
        print("SKIP: one run per byte needs one vCPU (run in the one-vCPU boot)")
        return KSFT_SKIP
    if not load_module():
        return KSFT_SKIP
    www = "/tmp/zchttp-trickle"
    os.makedirs(www, exist_ok=True)
    with open(os.path.join(www, "hello.txt"), "w") as f:
        f.write("hello\n")
    os.chmod(os.path.join(www, "hello.txt"), 0o644)
    zcctl("root", "add", www, "port", PORT, "headsize", HEAD,
          "headers", 1000)
    set_param("header_timeout", 600)    # slow by design
    try:
        one = request(HEAD)
        small = [request(1024)] * (HEAD // 1024)
        assert len(one) == HEAD and len(small[0]) == 1024
        big_cpu = trickle([one])
        small_cpu = trickle(small)
        print("# server CPU: a 64 KiB head trickled %.2f s, 64 x 1 KiB %.2f s"
              % (big_cpu, small_cpu))
        log_test("a 64 KiB head trickled byte by byte: CPU linear in its size",
                 big_cpu <= 2 * max(small_cpu, 0.1),
                 "%.2f s vs %.2f s" % (big_cpu, small_cpu))
    finally:
        unload_module(PORT)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
