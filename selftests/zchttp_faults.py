#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Injected allocation failures, on a kernel with fault injection (the
# debug lane; skipped elsewhere):
#  - FAILSLAB, limited to zchttp's own slab caches (cache-filter, and the
#    caches' failslab flag, which the debug lane's boot sets with
#    slub_debug=A,zch_conn,zch_buf): with every buffer allocation of a
#    request failing, it is answered 503 (Retry-After, from a static
#    text); with half of them failing, each answer is 200 or 503, every
#    503 counted in nomem; with every connection allocation failing,
#    connections are closed at accept and counted. After it, everything
#    is served again.
#  - fail-nth (/proc/thread-self/fail-nth) on ROOT_ADD, ROOT_DEL,
#    ROOT_GET and STATS_GET: the Nth allocation of the call fails, for N
#    from 1 until the call gets through; each failure reaches the caller
#    as an errno (ENOMEM, with zchttp's extack message where zchttp's own
#    allocation failed), and the state stays consistent: a root exists
#    exactly when ROOT_ADD succeeded. When the reply or ACK itself cannot
#    be allocated, after the operation ran, the caller gets the socket's
#    ENOBUFS instead (netlink(7)), and either state is consistent.
# kmemleak, lockdep and KASAN check the rest (the debug lane's wrapper).

import errno
import os
import socket
import sys

from zch_lib import (KSFT_SKIP, Genl, NetlinkError, get, load_module,
                     log_test, read_response, stat, summary, unload_module,
                     wait_for, zcctl)

PORT = 8280
FS = "/sys/kernel/debug/failslab"


def wr(path, value):
    with open(path, "w") as f:
        f.write(str(value))


def failslab(probability):
    """Fail `probability` percent of the allocations from zchttp's slab
    caches (cache-filter: only those have SLAB_FAILSLAB)."""
    wr(FS + "/probability", probability)


def get_failing(probability, timeout=10):
    """A GET on a connection opened while nothing fails, whose request
    meets `probability` percent of failing allocations: its own struct is
    allocated at accept, its buffers for the request. Return the status,
    or None if the connection was closed without an answer."""
    s = socket.create_connection(("127.0.0.1", PORT), timeout=timeout)
    try:
        wait_for(lambda: stat("conns_active", PORT) >= 1, 10)
        failslab(probability)
        s.sendall(b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        st, hdrs, _, _ = read_response(s)
        return st, hdrs
    except (ConnectionError, OSError):
        return None, {}
    finally:
        failslab(0)
        s.close()


def slab_faults():
    wr(FS + "/cache-filter", "Y")
    wr(FS + "/ignore-gfp-wait", "N")
    wr(FS + "/verbose", 0)
    wr(FS + "/interval", 1)
    wr(FS + "/times", -1)
    try:
        n0 = stat("nomem", PORT)
        res = [get_failing(100) for _ in range(20)]
        ok = all(st == 503 and "retry-after" in h for st, h in res)
        log_test("no memory for request buffers: every request 503",
                 ok and stat("nomem", PORT) - n0 == 20,
                 "statuses %s, nomem +%d" % (sorted({str(r[0]) for r in res}),
                                             stat("nomem", PORT) - n0))

        n0, e0 = stat("nomem", PORT), stat("resp_5xx", PORT)
        res = [get_failing(50)[0] for _ in range(100)]
        n503 = res.count(503)
        log_test("half the allocations fail: 200 or 503 each, 503s counted",
                 set(res) <= {200, 503} and 0 < n503 < 100 and
                 stat("nomem", PORT) - n0 == n503 and
                 stat("resp_5xx", PORT) - e0 == n503,
                 "%d x 503 of 100, nomem +%d, statuses %s" %
                 (n503, stat("nomem", PORT) - n0, sorted(set(map(str, res)))))

        n0 = stat("nomem", PORT)
        failslab(100)
        closed = 0
        for _ in range(20):
            try:
                get(PORT, "/hello.txt", timeout=10)
            except (ConnectionError, OSError):
                closed += 1
        failslab(0)
        log_test("no memory for connections: closed at accept, counted",
                 closed == 20 and stat("nomem", PORT) - n0 == 20,
                 "%d closed, nomem +%d" % (closed, stat("nomem", PORT) - n0))
    finally:
        failslab(0)
    st, _, body = get(PORT, "/hello.txt")
    log_test("served again once allocations succeed",
             st == 200 and body == b"hello\n" and
             wait_for(lambda: stat("conns_active", PORT) == 0, 30),
             "status %d" % st)


def with_fail_nth(n, call):
    """Run call() with its nth allocation failing; return (exception or
    None, whether the nth allocation was reached)."""
    fd = os.open("/proc/thread-self/fail-nth", os.O_RDWR)
    try:
        os.write(fd, b"%d" % n)
        try:
            call()
            err = None
        except (NetlinkError, OSError) as e:
            err = e
        left = int(os.pread(fd, 32, 0) or b"0")
        os.write(fd, b"0")
    finally:
        os.close(fd)
    return err, left == 0


def nth_faults():
    # every allocation of the task counts: no cache filter, and sleeping
    # (GFP_KERNEL) allocations of any order may fail too
    wr(FS + "/cache-filter", "N")
    wr(FS + "/ignore-gfp-wait", "N")
    pa = "/sys/kernel/debug/fail_page_alloc"
    wr(pa + "/ignore-gfp-wait", "N")
    wr(pa + "/ignore-gfp-highmem", "N")
    wr(pa + "/min-order", 0)
    wr(pa + "/verbose", 0)
    nl = Genl()
    www = "/tmp/zchttp-faults"
    ops = {
        "ROOT_ADD": lambda: nl.root_add(www, PORT + 1),
        "ROOT_GET dump": nl.root_ports,
        "STATS_GET": lambda: nl.request(nl.family, 4, b""),
        "ROOT_DEL": lambda: nl.root_del(PORT + 1),
    }
    # Besides ENOMEM, ROOT_ADD may fail with what the kernel makes of a
    # failed allocation: EADDRINUSE from inet_csk_get_port() (the bind
    # bucket), ENFILE from __sock_create() (the socket's inode).
    allowed = {name: (errno.ENOMEM, errno.ENOBUFS) for name in ops}
    allowed["ROOT_ADD"] += (errno.EADDRINUSE, errno.ENFILE)
    for name, call in ops.items():
        bad, n, ours, lost, errs = [], 0, 0, 0, set()
        while n < 500:
            n += 1
            if name == "ROOT_DEL" and PORT + 1 not in nl.root_ports():
                nl.root_add(www, PORT + 1)
            err, reached = with_fail_nth(n, call)
            exists = PORT + 1 in nl.root_ports()
            if err is not None and not isinstance(err, NetlinkError):
                # no answer: the socket's ENOBUFS (netlink(7)) when the
                # kernel could not allocate the reply or the ACK, after
                # the operation ran; only its effect tells how it ended
                if err.errno != errno.ENOBUFS:
                    bad.append("%d: %s" % (n, err))
                lost += 1
            elif err is not None:
                errs.add(errno.errorcode.get(err.errno, str(err.errno)))
                if err.errno not in allowed[name]:
                    bad.append("%d: %s" % (n, err))
                if err.msg:
                    ours += 1
                if name == "ROOT_ADD" and exists:
                    bad.append("%d: %s, but the root exists" % (n, err))
            elif name == "ROOT_ADD" and not exists:
                bad.append("%d: succeeded, but no root" % n)
            if name == "ROOT_ADD" and exists:
                nl.root_del(PORT + 1)
            if not reached:
                break
        log_test("fail-nth on %s: %d allocations, each failure an errno" %
                 (name, n - 1), not bad and 1 < n < 500 and errs,
                 "; ".join(bad[:4]) or "%d allocations, errors %s" %
                 (n - 1, sorted(errs)))
        print("# %s: errors %s, %d with zchttp's extack message, %d "
              "answers lost" % (name, sorted(errs), ours, lost))
    nl.root_ports()     # the socket still works
    if PORT + 1 in nl.root_ports():
        nl.root_del(PORT + 1)


def main():
    if not os.path.isdir(FS) or not os.path.exists("/proc/self/fail-nth"):
        print("SKIP: no fault injection (FAILSLAB, fail-nth) in %s" %
              os.uname().release)
        return KSFT_SKIP
    if not load_module():
        return KSFT_SKIP
    flags = [open("/sys/kernel/slab/%s/failslab" % c).read().strip()
             for c in ("zch_conn", "zch_buf")
             if os.path.exists("/sys/kernel/slab/%s/failslab" % c)]
    if flags != ["1", "1"]:
        print("SKIP: zchttp's caches are not marked for failslab (boot with "
              "slub_debug=A,zch_conn,zch_buf)")
        unload_module()
        return KSFT_SKIP
    www = "/tmp/zchttp-faults"
    os.makedirs(www, exist_ok=True)
    with open(os.path.join(www, "hello.txt"), "w") as f:
        f.write("hello\n")
    os.chmod(os.path.join(www, "hello.txt"), 0o644)
    zcctl("root", "add", www, "port", PORT)
    try:
        slab_faults()
        nth_faults()
    finally:
        unload_module(PORT, PORT + 1)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
