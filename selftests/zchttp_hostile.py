#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Clients that misbehave, and configuration that races with traffic:
#  - clients that abort in the middle of a 16 MiB body (8 MiB under
#    KASAN), with FIN or RST;
#  - 1,000 pipelined requests in one write, answered in order;
#  - half-closed clients (request, then shutdown(SHUT_WR)) still get
#    their whole responses, then FIN;
#  - root add/del, stats dumps and resets, root show racing with load;
#  - rmmod while such transfers are being read.
# Nothing may be left open, a normal client must be served after each,
# and the kernel log must stay clean (checked for the whole run by
# ksft-run.sh; KASAN, lockdep and kmemleak on the debug lane).

import hashlib
import os
import random
import socket
import struct
import subprocess
import sys
import threading
import time

from zch_lib import (KO, KSFT_SKIP, ZCCTL, get, load_module, log_test,
                     read_response, scale, stat, summary, unload_module,
                     wait_for, zcctl)

PORT = 8260
BIG = scale(16, 8, 16) << 20
RST = struct.pack("ii", 1, 0)


def served(desc):
    st, _, body = get(PORT, "/hello.txt")
    ok = st == 200 and body == b"hello\n" and \
        wait_for(lambda: stat("conns_active", PORT) == 0, 60)
    log_test(desc, ok, "status %d, %d open" % (st, stat("conns_active", PORT)))


def aborts(n):
    """n clients start the 64 MiB body and go away in the middle."""
    def one(i):
        try:
            s = socket.create_connection(("127.0.0.1", PORT), timeout=30)
            s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            want = random.randrange(1, BIG // 2)
            got = 0
            while got < want:
                b = s.recv(65536)
                if not b:
                    break
                got += len(b)
            if i % 2:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RST)
            s.close()
        except OSError:
            pass
    ts = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def pipelined(n):
    s = socket.create_connection(("127.0.0.1", PORT), timeout=60)
    s.sendall(b"".join(b"GET /n%d HTTP/1.1\r\nHost: x\r\n\r\n" % (i % 2)
                       for i in range(n)))
    rest, order, last = b"", [], None
    for _ in range(n):
        st, hdrs, body, rest = read_response(s, rest)
        order.append((st, body))
        last = hdrs.get("connection")
    s.settimeout(10)
    eof = s.recv(1) == b""
    s.close()
    want = [(200, b"%d\n" % (i % 2)) for i in range(n)]
    log_test("%d pipelined requests in one write: answered in order" % n,
             order == want and last == "close" and eof,
             "%d right, last Connection: %s, EOF %s" %
             (sum(a == b for a, b in zip(order, want)), last, eof))


def half_closed():
    big = open("/tmp/zchttp-hostile/big.bin", "rb").read()
    digest = hashlib.sha256(big).hexdigest()
    ok = True
    why = ""
    for reqs in ([b"/big.bin"], [b"/hello.txt", b"/big.bin", b"/n1"]):
        s = socket.create_connection(("127.0.0.1", PORT), timeout=60)
        s.sendall(b"".join(b"GET " + r + b" HTTP/1.1\r\nHost: x\r\n\r\n"
                           for r in reqs))
        s.shutdown(socket.SHUT_WR)
        rest = b""
        for r in reqs:
            st, _, body, rest = read_response(s, rest)
            if st != 200 or (r == b"/big.bin" and
                             hashlib.sha256(body).hexdigest() != digest):
                ok, why = False, "bad response to %r" % r
        if s.recv(1) != b"":
            ok, why = False, "no EOF after the responses"
        s.close()
    log_test("half-closed clients get every response, then EOF", ok, why)


def config_races(www, seconds):
    """Load on PORT while roots come and go on PORT + 1 and counters are
    read and reset; every thread must keep working."""
    stop = threading.Event()
    errors = []
    counts = {"get": 0, "cfg": 0, "stats": 0}

    def load():
        while not stop.is_set():
            try:
                st, _, _ = get(PORT, "/hello.txt")
                if st != 200:
                    errors.append("status %d" % st)
                counts["get"] += 1
            except OSError as e:
                errors.append(str(e))

    def churn():
        while not stop.is_set():
            zcctl("root", "add", www, "port", PORT + 1)
            try:
                get(PORT + 1, "/hello.txt", timeout=5)
            except OSError:
                pass
            zcctl("root", "del", PORT + 1)
            counts["cfg"] += 1

    def stats():
        while not stop.is_set():
            for args in (("stats",), ("stats", "root", PORT), ("root", "show"),
                         ("-j", "stats"), ("stats", "reset")):
                zcctl(*args)
            counts["stats"] += 1
    ts = [threading.Thread(target=f) for f in (load, load, churn, stats)]
    for t in ts:
        t.start()
    time.sleep(seconds)  # the length of the race, not a synchronisation
    stop.set()
    for t in ts:
        t.join()
    print("# %d s of races: %d GETs, %d root add/del cycles, %d rounds of "
          "stats and resets" % (seconds, counts["get"], counts["cfg"],
                                counts["stats"]))
    log_test("root add/del, stats and resets racing with load",
             not errors and all(counts.values()),
             "%s, errors %s" % (counts, errors[:3]))


def rmmod_in_transfers(n):
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", PORT), timeout=30)
        s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        socks.append(s)
    stop = threading.Event()
    got = [0] * n

    def read(i):
        try:
            while not stop.is_set():
                b = socks[i].recv(1 << 20)
                if not b:
                    return
                got[i] += len(b)
        except OSError:
            return
    ts = [threading.Thread(target=read, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    wait_for(lambda: min(got) > (1 << 20), 60)
    t0 = time.monotonic()
    rc = subprocess.run(["rmmod", "zchttp"], timeout=60).returncode
    took = time.monotonic() - t0
    stop.set()
    for t in ts:
        t.join(30)
    for s in socks:
        s.close()
    gone = subprocess.run(["sh", "-c", "lsmod | grep -q '^zchttp '"]).returncode
    print("# rmmod with %d transfers being read: %.1f s" % (n, took))
    log_test("rmmod while %d transfers of %d MiB are read" % (n, BIG >> 20),
             rc == 0 and gone != 0 and min(got) < BIG + 4096,
             "rmmod %d after %.1f s, %d to %d bytes read" %
             (rc, took, min(got), max(got)))


def main():
    if not load_module():
        return KSFT_SKIP
    www = "/tmp/zchttp-hostile"
    os.makedirs(www, exist_ok=True)
    for name, data in (("hello.txt", b"hello\n"), ("n0", b"0\n"),
                       ("n1", b"1\n"), ("big.bin", os.urandom(BIG))):
        with open(os.path.join(www, name), "wb") as f:
            f.write(data)
        os.chmod(os.path.join(www, name), 0o644)
    zcctl("root", "add", www, "port", PORT)
    try:
        aborts(scale(32, 8, 16))
        served("clients that abort inside a body: all closed")
        pipelined(1000)
        half_closed()
        served("served after pipelining and half-closes")
        config_races(www, scale(20, 10, 10))
        served("served after the races")
        rmmod_in_transfers(scale(8, 4, 8))
        subprocess.run(["insmod", KO], check=True)
        subprocess.run([ZCCTL, "root", "add", www, "port", str(PORT)],
                       check=True)
        served("served after rmmod and a new insmod")
    finally:
        unload_module(PORT, PORT + 1)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
