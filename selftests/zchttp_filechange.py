#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# The file changes under a request:
#  - truncated to 0 while its body is sent (64 MiB on ext4, 16 MiB on the
#    debug, trixie and sid lanes): the connection is aborted, the
#    client never gets bytes the file does not hold (no zero padding), and
#    the response is counted in resp_torn;
#  - held under a write lease that its owner does not give up: the open
#    does not wait for the lease break (503 with Retry-After at once), and
#    netlink stays answered meanwhile;
#  - renamed to and fro between a long and a short name while fetched:
#    the Content-Type always belongs to the name asked for (it is taken
#    from the request, never from a dentry name that can change).

import fcntl
import os
import signal
import socket
import subprocess
import sys
import threading
import time

from zch_lib import (KSFT_SKIP, Ext4, get, load_module, log_test, scale,
                     read_response, stat, summary, unload_module, zcctl)

PORT = 8170
BIG = scale(64, 16, 16) << 20


def stat_or_none(name, port):
    try:
        return stat(name, port)
    except KeyError:
        return None


def truncated_mid_body():
    fs = Ext4()
    try:
        www = os.path.join(fs.mnt, "www")
        os.mkdir(www, 0o755)
        path = os.path.join(www, "big.bin")
        data = os.urandom(BIG)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, 0o644)
        zcctl("root", "add", www, "port", PORT + 1)

        s = socket.create_connection(("127.0.0.1", PORT + 1), timeout=30)
        s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        buf = b""
        while b"\r\n\r\n" not in buf:
            buf += s.recv(65536)
        head, _, body = buf.partition(b"\r\n\r\n")
        chunks = [body]
        got = len(body)
        while got < (1 << 20):
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
            got += len(b)
        # the server has filled the socket buffers by now, or soon will;
        # what it queues after this point is no longer in the file
        os.truncate(path, 0)
        end = "EOF"
        try:
            while True:
                b = s.recv(1 << 20)
                if not b:
                    break
                chunks.append(b)
                got += len(b)
        except ConnectionResetError:
            end = "reset"
        except socket.timeout:
            end = "timeout"
        s.close()
        body = b"".join(chunks)
        ok = b"Content-Length: %d" % BIG in head and got < BIG and \
            body == data[:got] and end != "timeout"
        log_test("%d MiB truncated to 0 after 1 MiB: aborted, no padding" %
                 (BIG >> 20),
                 ok, "%d of %d bytes, %s, prefix %s" %
                 (got, BIG, end, "intact" if body == data[:got] else
                  "NOT the file's bytes"))
        torn = stat_or_none("resp_torn", PORT + 1)
        log_test("the torn response is counted (resp_torn)", torn == 1,
                 "resp_torn %s" % torn)
        zcctl("root", "del", PORT + 1)
    finally:
        fs.close()


class Lease:
    """A write lease on path that its holder does not give up when asked
    (it ignores SIGIO), so every open for reading must wait for the lease
    break time, lease-break-time seconds, before it succeeds."""

    def __init__(self, path, break_time):
        self.path, self.break_time = path, break_time

    def __enter__(self):
        signal.signal(signal.SIGIO, signal.SIG_IGN)
        with open("/proc/sys/fs/lease-break-time") as f:
            self.old = f.read().strip()
        with open("/proc/sys/fs/lease-break-time", "w") as f:
            f.write(str(self.break_time))
        self.fd = os.open(self.path, os.O_RDONLY)
        fcntl.fcntl(self.fd, fcntl.F_SETLEASE, fcntl.F_WRLCK)
        return self

    def __exit__(self, *exc):
        try:
            fcntl.fcntl(self.fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
        except OSError:
            pass        # broken by the kernel after the break time
        os.close(self.fd)
        with open("/proc/sys/fs/lease-break-time", "w") as f:
            f.write(self.old)


def leased(www):
    path = os.path.join(www, "leased.txt")
    with open(path, "w") as f:
        f.write("leased\n")
    os.chmod(path, 0o644)

    # root del of a root whose request meets the lease, while another
    # netlink user asks the kernel something: neither waits for it
    zcctl("root", "add", www, "port", PORT + 2)
    res = {}

    def slow_get():
        try:
            res["get"] = get(PORT + 2, "/leased.txt", timeout=30)[0]
        except OSError as e:
            res["get"] = e

    def root_del():
        t0 = time.monotonic()
        zcctl("root", "del", PORT + 2)
        res["del"] = time.monotonic() - t0
    with Lease(path, 20):
        tg = threading.Thread(target=slow_get)
        tg.start()
        time.sleep(0.5)  # let the request reach the open (a window, not a sync)
        td = threading.Thread(target=root_del)
        td.start()
        time.sleep(0.5)  # let root del start waiting, if it waits
        t0 = time.monotonic()
        p = subprocess.run(["genl", "ctrl", "get", "name", "nlctrl"],
                           capture_output=True, timeout=60)
        took = time.monotonic() - t0
        td.join(60)
        tg.join(60)
    # waiting would last the 20 s of the lease break
    log_test("root del and other netlink users do not wait for a lease",
             p.returncode == 0 and took < 10 and res.get("del", 99) < 10,
             "genl took %.1f s, root del %.1f s" % (took, res.get("del", -1)))

    with Lease(path, 10):
        t0 = time.monotonic()
        try:
            st, hdrs, _ = get(PORT, "/leased.txt", timeout=6)
        except (socket.timeout, TimeoutError):
            st, hdrs = None, {}
        took = time.monotonic() - t0
    log_test("a leased file is answered at once: 503 and Retry-After",
             st == 503 and "retry-after" in hdrs and took < 5,
             "status %s after %.1f s, Retry-After %s" %
             (st, took, hdrs.get("retry-after")))
    st, _, body = get(PORT, "/leased.txt", timeout=20)
    log_test("the lease released: 200", st == 200 and body == b"leased\n",
             "status %d" % st)


def renamed(www, seconds):
    long_name = "a-name-too-long-for-the-dentry-inline-storage-" * 2 + ".html"
    short_name = "s.txt"
    want = {long_name: "text/html", short_name: "text/plain"}
    with open(os.path.join(www, short_name), "w") as f:
        f.write("x" * 100)
    os.chmod(os.path.join(www, short_name), 0o644)
    stop = threading.Event()
    renames = [0]

    def flip():
        a, b = os.path.join(www, short_name), os.path.join(www, long_name)
        while not stop.is_set():
            os.rename(a, b)
            os.rename(b, a)
            renames[0] += 2
    t = threading.Thread(target=flip)
    t.start()
    n200 = {long_name: 0, short_name: 0}
    bad = []
    s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    rest = b""
    t_end = time.monotonic() + seconds
    try:
        while time.monotonic() < t_end:
            for name in (long_name, short_name):
                s.sendall(b"GET /%s HTTP/1.1\r\nHost: x\r\n\r\n" %
                          name.encode())
                st, hdrs, _, rest = read_response(s, rest)
                if hdrs.get("connection") == "close":   # max_requests
                    s.close()
                    s = socket.create_connection(("127.0.0.1", PORT),
                                                 timeout=10)
                    rest = b""
                if st != 200:
                    continue
                n200[name] += 1
                ctype = hdrs.get("content-type", "").split(";")[0]
                if ctype != want[name]:
                    bad.append((name[:8], ctype))
    finally:
        stop.set()
        t.join()
        s.close()
    log_test("rename loop: Content-Type always that of the name asked for",
             not bad and n200[long_name] and n200[short_name],
             "%d wrong of %d, first %s" % (len(bad), sum(n200.values()),
                                           bad[:3]))
    print("# %d renames, %d and %d answers of the long and short name" %
          (renames[0], n200[long_name], n200[short_name]))


def main():
    if not load_module():
        return KSFT_SKIP
    www = "/tmp/zchttp-filechange"
    os.makedirs(www, exist_ok=True)
    zcctl("root", "add", www, "port", PORT)
    try:
        truncated_mid_body()
        leased(www)
        renamed(www, scale(20, 20, 10))
    finally:
        unload_module(PORT)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
