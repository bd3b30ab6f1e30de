#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# make bench, inside the VM: zchttp and its peers serve the same files
# from the same tmpfs, one at a time, and wrk measures each in the same
# run, in alternating rounds (so that a slow spell of a shared host
# falls on every server alike); medians, with min and max, per server
# and workload.
#
#   servers  zchttp with its cache, without (cache_bytes=0), in copy
#            mode; nginx (1 worker, and one per vCPU; sendfile on,
#            tcp_nopush, open_file_cache, access_log off); lighttpd; h2o
#            (file.dir, no access log); zcserv --mode read, mmap and
#            sendfile (tests/bench/zcserv.c: the classic ways, bare)
#   measured requests/s, MiB/s, server CPU per request (busy CPU of the
#            machine minus wrk's own), context switches per request
#            (/proc/stat ctxt), p50 and p99 latency (wrk --latency),
#            errors (socket errors and non-2xx)
#
# Every server is told to keep a connection for 100,000 requests, so
# that none of them reconnects under wrk.
#
# Two more measurements, per round, of the servers named in IDLE_SERVERS
# and COLD_SERVERS (--idle N, --no-cold; both small with --smoke):
#   idle     kernel and user memory per idle keep-alive connection: the
#            growth of slab, anonymous, page-table, stack, vmalloc and
#            per-CPU memory (USED) with N connections that each made one
#            request and then sat idle for 5 s; the client's sockets are
#            the same for every server
#   cold     cold files never stall hot ones: an ext4 image behind
#            dm-delay (COLD_DELAY_MS per read); COLD_CLIENTS keep-alive
#            connections fetch distinct cold files (caches dropped first;
#            a wrk of its own) while wrk's 32 keep-alive connections
#            fetch one hot 1 KiB file; the hot p99 beside the cold load
#            against without it
#
# usage: bench.py --out FILE [--rounds N] [--seconds S] [--smoke]
#                 [--servers a,b,...] [--workloads 1k:32,...]
#                 [--idle N] [--no-cold]

import argparse
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.realpath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
# the selftests' library: the module and zcctl, /proc/meminfo, responses
sys.path.insert(0, os.path.join(TOP, "selftests"))
from zch_lib import KO, ZCCTL, meminfo, read_response  # noqa: E402

ZCSERV = os.environ.get("ZCSERV", os.path.join(HERE, "zcserv"))

SIZES = {"1k": 1024, "16k": 16384, "1m": 1 << 20, "64m": 64 << 20}
WORKLOADS = ["1k:1", "1k:32", "1k:1000", "16k:32", "1m:32", "64m:1"]
SMOKE = ["1k:32", "1m:1"]
PORT = 8300
IDLE_CONNS = 2000
IDLE_SERVERS = ["zchttp", "nginx", "lighttpd", "h2o"]
COLD_SERVERS = ["zchttp", "nginx", "nginx-aio", "lighttpd"]
# --smoke: each measurement once, for zchttp and one peer
SMOKE_IDLE_SERVERS = ["zchttp", "nginx"]
SMOKE_COLD_SERVERS = ["zchttp", "nginx-aio"]
# idle_memory()'s settling time and idle time: the idle time past zchttp's
# 2 s (ZCH_BUF_IDLE)
IDLE_WAITS, SMOKE_IDLE_WAITS = (2, 5), (0.5, 2.5)
COLD_CLIENTS = 64
COLD_FILES = 12000          # of 4 KiB: more than the clients fetch
SMOKE_COLD_FILES = 400
COLD_DELAY_MS = 50


def sh(*cmd, check=True, **kw):
    return subprocess.run([str(c) for c in cmd], check=check,
                          capture_output=True, text=True, **kw)


def wait_port(port, limit=20):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


class Server:
    """One server under test: start() it, then stop() it. @program is
    the executable it needs installed, if any."""

    program = None

    def __init__(self, name, www, tmp):
        self.name, self.www, self.tmp = name, www, tmp
        self.proc = None

    def start(self):
        raise NotImplementedError

    def stop(self):
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def config(self, name, text, **values):
        """Write @text, with %(d)s (a directory of its own), %(port)d,
        %(www)s and @values filled in, to a file @name in that
        directory; return (directory, file)."""
        d = tempfile.mkdtemp(dir=self.tmp)
        path = os.path.join(d, name)
        with open(path, "w") as f:
            f.write(text % dict(values, d=d, port=PORT, www=self.www))
        return d, path

    def spawn(self, *cmd):
        self.proc = subprocess.Popen([str(c) for c in cmd],
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        if not wait_port(PORT):
            raise RuntimeError("%s did not listen on %d" % (self.name, PORT))


class Zchttp(Server):
    def __init__(self, name, www, tmp, cache=True, copy=False):
        super().__init__(name, www, tmp)
        self.cache, self.copy = cache, copy

    def start(self):
        sh("sh", "-c", "lsmod | grep -q '^zchttp ' && rmmod zchttp || true")
        sh("insmod", KO, "max_requests=100000",
           "cache_bytes=%d" % ((256 << 20) if self.cache else 0))
        sh(ZCCTL, "root", "add", self.www, "port", PORT,
           "addr", "127.0.0.1", *(["copy"] if self.copy else []))

    def stop(self):
        sh(ZCCTL, "root", "del", PORT, check=False)
        sh("rmmod", "zchttp", check=False)


class Nginx(Server):
    program = "nginx"

    def __init__(self, name, www, tmp, workers, aio=False):
        super().__init__(name, www, tmp)
        self.workers, self.aio = workers, aio

    def start(self):
        d, conf = self.config("nginx.conf", """
user root;
worker_processes %(workers)d;
daemon off;
pid %(d)s/nginx.pid;
error_log %(d)s/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    open_file_cache max=1000 inactive=60s;
    open_file_cache_valid 60s;
    %(aio)s
    keepalive_requests 100000;
    keepalive_timeout 60s;
    default_type application/octet-stream;
    client_body_temp_path %(d)s/body;
    proxy_temp_path %(d)s/proxy;
    fastcgi_temp_path %(d)s/fastcgi;
    uwsgi_temp_path %(d)s/uwsgi;
    scgi_temp_path %(d)s/scgi;
    server { listen 127.0.0.1:%(port)d; root %(www)s; }
}
""", workers=self.workers, aio="aio threads;" if self.aio else "")
        self.spawn("nginx", "-c", conf, "-p", d + "/")


class Lighttpd(Server):
    program = "lighttpd"

    def start(self):
        _, conf = self.config("lighttpd.conf", """
server.document-root = "%(www)s"
server.bind = "127.0.0.1"
server.port = %(port)d
server.max-keep-alive-requests = 100000
server.max-keep-alive-idle = 60
server.max-connections = 4096
server.max-fds = 8192
server.errorlog = "%(d)s/error.log"
""")
        self.spawn("lighttpd", "-D", "-f", conf)


class H2o(Server):
    program = "h2o"

    def start(self):
        _, conf = self.config("h2o.conf", """
user: nobody
num-threads: 1
max-connections: 4096
listen:
  host: 127.0.0.1
  port: %(port)d
error-log: %(d)s/error.log
hosts:
  default:
    paths:
      /:
        file.dir: %(www)s
""")
        self.spawn("h2o", "-c", conf)


class Zcserv(Server):
    def __init__(self, name, www, tmp, mode):
        super().__init__(name, www, tmp)
        self.mode = mode

    def start(self):
        self.spawn(ZCSERV, "--root", self.www, "--port", PORT,
                   "--mode", self.mode)


def servers(www, tmp):
    ncpu = os.cpu_count()
    all_ = [Zchttp("zchttp", www, tmp),
            Zchttp("zchttp-nocache", www, tmp, cache=False),
            Zchttp("zchttp-copy", www, tmp, copy=True),
            Nginx("nginx", www, tmp, 1),
            Nginx("nginx-%d" % ncpu, www, tmp, ncpu),
            Nginx("nginx-aio", www, tmp, 1, aio=True),
            Lighttpd("lighttpd", www, tmp),
            H2o("h2o", www, tmp),
            Zcserv("zcserv-read", www, tmp, "read"),
            Zcserv("zcserv-mmap", www, tmp, "mmap"),
            Zcserv("zcserv-sendfile", www, tmp, "sendfile")]
    return {s.name: s for s in all_}


def proc_stat():
    """(busy jiffies of the machine, context switches)."""
    busy = ctxt = 0
    with open("/proc/stat") as f:
        for line in f:
            v = line.split()
            if v[0] == "cpu":
                n = [int(x) for x in v[1:]]
                busy = sum(n) - n[3] - n[4]     # not idle, not iowait
            elif v[0] == "ctxt":
                ctxt = int(v[1])
    return busy, ctxt


UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def seconds(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    return float(m.group(1)) * UNITS[m.group(2)]


# wrk's byte units, in MiB
MIB = {"B": 1 / 1048576, "KB": 1 / 1024, "MB": 1.0, "GB": 1024.0,
       "TB": 1048576.0}


def wrk(url, conns, secs):
    """Run wrk (2 threads) with its latency distribution; return the
    measurement, with the server's CPU: the machine's busy CPU minus
    what wrk itself used (its rusage)."""
    threads = min(2, conns)
    b0, c0 = proc_stat()
    p = subprocess.Popen(["wrk", "-t%d" % threads, "-c%d" % conns,
                          "-d%ds" % secs, "--latency", "--timeout", "10s",
                          url], stdout=subprocess.PIPE, text=True)
    _, status, ru = os.wait4(p.pid, 0)
    b1, c1 = proc_stat()
    out = p.stdout.read()
    p.stdout.close()
    m = re.search(r"(\d+) requests in ([\d.]+)(\w+), ([\d.]+)(\w+) read", out)
    if status or not m:
        raise RuntimeError("wrk: " + out)
    r = {"requests": int(m.group(1)), "errors": 0}
    r["seconds"] = seconds(m.group(2) + m.group(3))
    r["rps"] = r["requests"] / r["seconds"]
    r["mbps"] = float(m.group(4)) * MIB[m.group(5)] / r["seconds"]
    e = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                  r"timeout (\d+)", out)
    if e:
        r["errors"] += sum(int(x) for x in e.groups())
    e = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if e:
        r["errors"] += int(e.group(1))
    for pct in ("50", "99"):
        e = re.search(r"^\s+%s(?:\.000)?%%\s+(\S+)" % pct, out, re.M)
        r["p" + pct] = seconds(e.group(1)) if e else None
    hz = os.sysconf("SC_CLK_TCK")
    server = max(0.0, (b1 - b0) / hz - ru.ru_utime - ru.ru_stime)
    r["cpu_us"] = server / max(1, r["requests"]) * 1e6
    # wrk's own: what bounds any server's requests/s on shared vCPUs
    r["client_us"] = (ru.ru_utime + ru.ru_stime) / max(1, r["requests"]) * 1e6
    r["ctxt"] = (c1 - c0) / max(1, r["requests"])
    return r


def drop_caches():
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3")


def get(sock, path):
    """One keep-alive GET on @sock; return (status, body bytes)."""
    sock.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path.encode())
    status, _, body, _ = read_response(sock)
    return status, len(body)


# What servers and sockets take memory as: MemAvailable would be the sum
# of it all, but it moves by megabytes with the per-CPU free lists in one
# reading to the next (seen here: 3 MiB apart for two runs of nginx)
USED = ("Slab", "AnonPages", "KernelStack", "PageTables", "VmallocUsed",
        "Percpu")


def used_memory():
    return sum(meminfo(k) for k in USED)


def idle_memory(n, settle, secs):
    """Bytes per connection while @n keep-alive connections, each after
    one 1 KiB request, sit idle for @secs (after @settle seconds for the
    run before to close): the growth of USED, which holds
    the sockets of both ends (the same client for every server), the
    kernel's and the server's own memory for a connection."""
    socks = []
    try:
        drop_caches()
        # the connections of the run before are closing: a settling
        # time for the measurement, not a synchronisation
        time.sleep(settle)
        before = used_memory()
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", PORT), timeout=30)
            socks.append(s)
            if get(s, "/1k.bin")[0] != 200:
                raise RuntimeError("idle: a request failed")
        # idle for a while: zchttp frees an idle connection's buffers
        # after 2 s (ZCH_BUF_IDLE), nginx at once
        time.sleep(secs)
        return (used_memory() - before) / n
    finally:
        for s in socks:
            s.close()


class ColdDisk:
    """An ext4 file system on a dm-delay device over a loop device on
    tmpfs: reads wait COLD_DELAY_MS, writes do not. It holds COLD_FILES
    files of 4 KiB in cold/ and the hot 1 KiB file hot.bin."""

    def __init__(self, tmp, files):
        self.top = os.path.join(tmp, "cold")
        self.mnt = os.path.join(self.top, "mnt")
        os.makedirs(self.mnt)
        img = os.path.join(self.top, "img")
        os.mkdir(img)
        sh("mount", "-t", "tmpfs", "-o", "size=200m", "none", img)
        sh("truncate", "-s", "180M", img + "/ext4.img")
        sh("modprobe", "-q", "loop", check=False)
        self.loop = sh("losetup", "-f", "--show",
                       img + "/ext4.img").stdout.strip()
        sh("modprobe", "dm-delay")
        sectors = sh("blockdev", "--getsz", self.loop).stdout.strip()
        # no udev in the guest: dmsetup makes the node itself
        sh("dmsetup", "create", "--noudevsync", "zchcold", "--table",
           "0 %s delay %s 0 %d %s 0 0" % (sectors, self.loop,
                                          COLD_DELAY_MS, self.loop))
        sh("dmsetup", "mknodes", "zchcold")
        sh("mkfs.ext4", "-q", "-F", "/dev/mapper/zchcold")
        sh("mount", "/dev/mapper/zchcold", self.mnt)
        os.chmod(self.mnt, 0o755)
        cold = os.path.join(self.mnt, "cold")
        os.mkdir(cold, 0o755)
        block = os.urandom(4096)
        for i in range(files):
            with open(os.path.join(cold, "%d.bin" % i), "wb") as f:
                f.write(block)
            os.chmod(os.path.join(cold, "%d.bin" % i), 0o644)
        with open(os.path.join(self.mnt, "hot.bin"), "wb") as f:
            f.write(os.urandom(1024))
        os.chmod(os.path.join(self.mnt, "hot.bin"), 0o644)
        sh("sync")

    def close(self):
        sh("umount", self.mnt, check=False)
        sh("dmsetup", "remove", "--noudevsync", "zchcold", check=False)
        sh("losetup", "-d", self.loop, check=False)
        sh("umount", os.path.join(self.top, "img"), check=False)


COLD_LUA = """
-- one thread, one counter: every request names a file not asked before
n = 0
request = function()
    n = n + 1
    return wrk.format("GET", "/cold/" .. (n %% %d) .. ".bin")
end
"""


def cold(secs, tmp, files):
    """The hot file's wrk run without, then beside COLD_CLIENTS
    connections of a second wrk (one thread, a Lua script naming distinct
    cold files), both after the caches are dropped; return both runs and
    the cold one's requests/s."""
    url = "http://127.0.0.1:%d/hot.bin" % PORT
    script = os.path.join(tmp, "cold.lua")
    with open(script, "w") as f:
        f.write(COLD_LUA % files)
    drop_caches()
    wrk(url, 32, 1)             # the hot file in the page cache again
    alone = wrk(url, 32, secs)
    drop_caches()
    wrk(url, 32, 1)
    p = subprocess.Popen(["wrk", "-t1", "-c%d" % COLD_CLIENTS,
                          "-d%ds" % (secs + 2), "--timeout", "30s", "-s",
                          script, url], stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(1)           # the cold load running: a load, not a sync
        loaded = wrk(url, 32, secs)
    finally:
        out = p.communicate()[0]
    m = re.search(r"(\d+) requests in ([\d.]+)(\w+)", out)
    if p.returncode or not m:
        raise RuntimeError("wrk (cold): " + out)
    return {"alone": alone, "loaded": loaded,
            "cold_rps": int(m.group(1)) / seconds(m.group(2) + m.group(3))}


def make_files(www):
    for name, size in SIZES.items():
        with open(os.path.join(www, name + ".bin"), "wb") as f:
            left = size
            while left:
                n = min(left, 1 << 20)
                f.write(os.urandom(n))
                left -= n
        os.chmod(os.path.join(www, name + ".bin"), 0o644)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--servers")
    ap.add_argument("--workloads")
    ap.add_argument("--idle", type=int, default=IDLE_CONNS,
                    help="idle connections to measure, 0 for none")
    ap.add_argument("--no-cold", action="store_true")
    a = ap.parse_args()
    files = COLD_FILES
    if a.smoke:
        # every measurement once, small: it still works
        a.rounds, a.seconds, a.idle, files = 1, 1, 20, SMOKE_COLD_FILES
    loads = (a.workloads.split(",") if a.workloads else
             SMOKE if a.smoke else WORKLOADS)

    resource.setrlimit(resource.RLIMIT_NOFILE, (65536, 65536))
    tmp = tempfile.mkdtemp(prefix="zchttp-bench.")
    os.chmod(tmp, 0o755)    # h2o reads as nobody, by the full path
    www = os.path.join(tmp, "www")
    os.mkdir(www)
    sh("mount", "-t", "tmpfs", "-o", "size=160m,mode=755", "none", www)
    disk = None
    try:
        make_files(www)
        table = servers(www, tmp)
        names = a.servers.split(",") if a.servers else \
            [n for n in table if n != "nginx-aio"]
        missing = [n for n in names if n not in table]
        if missing:
            sys.exit("unknown servers: %s" % missing)
        names = [n for n in names
                 if not table[n].program or shutil.which(table[n].program)]
        idle_names = [n for n in (SMOKE_IDLE_SERVERS if a.smoke else
                                  IDLE_SERVERS) if n in names] \
            if a.idle else []
        idle_waits = SMOKE_IDLE_WAITS if a.smoke else IDLE_WAITS
        disk = None if a.no_cold else ColdDisk(tmp, files)
        cold_table = servers(disk.mnt, tmp) if disk else {}
        # nginx-aio goes with nginx
        cold_names = [n for n in (SMOKE_COLD_SERVERS if a.smoke else
                                  COLD_SERVERS) if disk and
                      (n in names or n == "nginx-aio" and "nginx" in names)
                      and (not cold_table[n].program or
                           shutil.which(cold_table[n].program))]
        runs, idle, colds = {}, {}, {}
        for rnd in range(a.rounds):
            # alternate the order, so no server always goes first
            order = names if rnd % 2 == 0 else names[::-1]
            for name in order:
                srv = table[name]
                srv.start()
                try:
                    for load in loads:
                        size, conns = load.split(":")
                        url = "http://127.0.0.1:%d/%s.bin" % (PORT, size)
                        r = wrk(url, int(conns), a.seconds)
                        runs.setdefault(name, {}).setdefault(load,
                                                             []).append(r)
                        print("# round %d %-16s %-8s %9.0f req/s %8.1f MiB/s "
                              "%7.1f us CPU/req %5.2f cs/req p99 %.2f ms "
                              "errors %d"
                              % (rnd + 1, name, load, r["rps"], r["mbps"],
                                 r["cpu_us"], r["ctxt"],
                                 (r["p99"] or 0) * 1e3, r["errors"]),
                              flush=True)
                    if name in idle_names:
                        per = idle_memory(a.idle, *idle_waits)
                        idle.setdefault(name, []).append(per)
                        print("# round %d %-16s %d idle connections: "
                              "%.1f KiB each" % (rnd + 1, name, a.idle,
                                                 per / 1024), flush=True)
                finally:
                    srv.stop()
            for name in (cold_names if rnd % 2 == 0 else cold_names[::-1]):
                srv = cold_table[name]
                srv.start()
                try:
                    c = cold(a.seconds, tmp, files)
                finally:
                    srv.stop()
                colds.setdefault(name, []).append(c)
                print("# round %d %-16s hot: %.0f req/s, p99 %.2f ms alone; "
                      "%d requests, p99 %.2f ms beside %.0f cold req/s"
                      % (rnd + 1, name, c["alone"]["rps"],
                         (c["alone"]["p99"] or 0) * 1e3,
                         c["loaded"]["requests"],
                         (c["loaded"]["p99"] or 0) * 1e3, c["cold_rps"]),
                      flush=True)
        result = {"kernel": os.uname().release, "cpus": os.cpu_count(),
                  "rounds": a.rounds, "seconds": a.seconds,
                  "date": time.strftime("%Y-%m-%d"), "runs": runs,
                  "idle": idle, "idle_conns": a.idle, "cold": colds,
                  "cold_delay_ms": COLD_DELAY_MS,
                  "cold_clients": COLD_CLIENTS}
        with open(a.out, "w") as f:
            json.dump(result, f, indent=1)
    finally:
        if disk:
            disk.close()
        sh("umount", www, check=False)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
