# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers of the Python selftests: the module and zcctl under test,
# counters, test-case reporting in the format of lib.sh.

import os
import socket
import struct
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.realpath(__file__))
TOP = os.path.dirname(HERE)
KO = os.environ.get("ZCH_KO", os.path.join(TOP, "kmod/zchttp.ko"))
ZCCTL = os.environ.get("ZCCTL", os.path.join(TOP, "tools/zcctl/zcctl"))
KSFT_SKIP = 4

results = []


def log_test(desc, ok, why=""):
    """Report one test case, like lib.sh's log_test."""
    results.append(ok)
    print("TEST: %-64s [%s]" % (desc, " OK " if ok else "FAIL"))
    if not ok and why:
        print("    FAIL: " + why)


def zcctl(*args):
    return subprocess.run([ZCCTL, *map(str, args)], check=True,
                          capture_output=True, text=True).stdout


def stat(name, port=None):
    """One counter, global or of the root on port."""
    args = ["stats"] + (["root", port] if port else [])
    for line in zcctl(*args).splitlines():
        k, v = line.split()
        if k == name:
            return int(v)
    raise KeyError(name)


def load_module():
    """Load a fresh zchttp.ko; False if the test must be skipped."""
    if os.geteuid() != 0:
        print("SKIP: must run as root")
        return False
    subprocess.run(["sh", "-c", "lsmod | grep -q '^zchttp ' && rmmod zchttp"])
    subprocess.run(["insmod", KO], check=True)
    return True


def unload_module(*ports):
    for port in ports:
        subprocess.run([ZCCTL, "root", "del", str(port)], capture_output=True)
    subprocess.run(["rmmod", "zchttp"])


def summary():
    """Print the totals; return the kselftest exit status."""
    failed = results.count(False)
    print("# %d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


def set_param(name, value):
    """Set a module parameter of zchttp."""
    with open("/sys/module/zchttp/parameters/" + name, "w") as f:
        f.write(str(value))


def lane():
    """The kernel lane this runs on: bookworm (the host's kernel, which has
    no lane name), trixie, sid or debug."""
    return os.environ.get("ZCH_LANE_SUITE", "") or "bookworm"


def long_lane():
    """The long load and stress tests run on bookworm and the debug lane
    only; False, with the SKIP line, on the short lanes."""
    if lane() in ("bookworm", "debug"):
        return True
    print("SKIP: a load or stress test: the bookworm and debug lanes run it")
    return False


def scale(bookworm, debug, short):
    """The size of a long test on this lane: full on bookworm, what KASAN
    and lockdep need on the debug lane, short on trixie and sid
    (Documentation/vm.rst, "The test budget")."""
    return {"bookworm": bookworm, "debug": debug}.get(lane(), short)


def wait_for(cond, limit, step=0.05):
    """Poll cond() until it is true; False on the deadline. For counters
    and states that have no event to wait on, never as a synchronisation."""
    deadline = time.monotonic() + limit
    while not cond():
        if time.monotonic() > deadline:
            return False
        time.sleep(step)
    return True


def read_response(sock, buf=b"", head_only=False):
    """Read one response; return (status, headers, body, rest). headers
    has lower-case names; a HEAD response (head_only) has no body."""
    while b"\r\n\r\n" not in buf:
        b = sock.recv(65536)
        if not b:
            raise ConnectionError("closed before a response")
        buf += b
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    hdrs = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    clen = 0 if head_only else int(hdrs.get("content-length", "0"))
    while len(rest) < clen:
        b = sock.recv(65536)
        if not b:
            raise ConnectionError("closed inside a body")
        rest += b
    return status, hdrs, rest[:clen], rest[clen:]


def get(port, path, timeout=10, extra=b""):
    """One GET on a new connection; return (status, headers, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n" +
                  extra + b"Connection: close\r\n\r\n")
        status, hdrs, body, _ = read_response(s)
    return status, hdrs, body


def run(*cmd, check=True):
    return subprocess.run([str(c) for c in cmd], check=check,
                          capture_output=True, text=True)


class Ext4:
    """An ext4 file system on a loop device over a tmpfs image, mounted
    at a new directory under /tmp (unmounted by close())."""

    def __init__(self, mib=160):
        for mod in ("loop", "ext4"):
            run("modprobe", "-q", mod, check=False)
        self.top = tempfile.mkdtemp(prefix="zchttp-ext4.")
        self.img = os.path.join(self.top, "img")
        self.mnt = os.path.join(self.top, "mnt")
        os.mkdir(self.img)
        os.mkdir(self.mnt)
        run("mount", "-t", "tmpfs", "-o", "size=%dm" % (mib + 8), "none",
            self.img)
        run("truncate", "-s", "%dM" % mib, self.img + "/ext4.img")
        run("mkfs.ext4", "-q", "-F", self.img + "/ext4.img")
        run("mount", "-o", "loop", self.img + "/ext4.img", self.mnt)

    def close(self):
        run("umount", self.mnt, check=False)
        run("umount", self.img, check=False)
        subprocess.run(["rm", "-rf", self.top])


def meminfo(key):
    """A line of /proc/meminfo, in bytes."""
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(key)


def busy_cpu():
    """CPU seconds the whole machine has been busy (not idle or iowait)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")


def _threads(prefixes):
    """(pid, utime + stime in ticks) of each task whose name starts with
    one of @prefixes."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                st = f.read()
        except OSError:
            continue
        comm = st[st.index("(") + 1:st.rindex(")")]
        if comm.startswith(prefixes):
            f = st[st.rindex(")") + 2:].split()
            yield pid, int(f[11]) + int(f[12])


def server_cpu():
    """CPU seconds used by the threads zchttp's work runs on: the kernel's
    workqueue threads (the lookup path, accepts) and zchttp's per-CPU
    workers (requests the cache answers). The server's own CPU, without
    the clients'."""
    ticks = sum(t for _, t in _threads(("kworker/", "zchttp/")))
    return ticks / os.sysconf("SC_CLK_TCK")


def _schedstat():
    """Does /proc/PID/schedstat count run time (CONFIG_SCHED_INFO)? The
    debug lane's kernel has it off: no such file there."""
    try:
        with open("/proc/self/schedstat") as f:
            return int(f.read().split()[0]) > 0
    except OSError:
        return False


def worker_runtime():
    """Nanoseconds zchttp's per-CPU workers (workers.c) have run: from
    /proc/PID/schedstat, exact; else from the ticks of utime and stime,
    a sample (so measure over some tens of milliseconds)."""
    exact = _schedstat()
    total = 0
    for pid, ticks in _threads(("zchttp/",)):
        if not exact:
            total += ticks * 10**9 // os.sysconf("SC_CLK_TCK")
            continue
        try:
            with open("/proc/%s/schedstat" % pid) as f:
                total += int(f.read().split()[0])
        except OSError:
            continue
    return total


class NetlinkError(OSError):
    """An error from the kernel, with its extack message (or "")."""

    def __init__(self, err, msg):
        super().__init__(err, os.strerror(err))
        self.msg = msg


class Genl:
    """A bare generic netlink socket for the zchttp family: for tests that
    must act within microseconds of a reply (zcctl is a process away), or
    send what zcctl never would."""

    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
        self.s.setsockopt(270, 10, 1)     # SOL_NETLINK, NETLINK_CAP_ACK
        self.s.setsockopt(270, 11, 1)     # NETLINK_EXT_ACK
        self.s.bind((0, 0))
        self.s.settimeout(60)
        self.seq = 0
        # CTRL_CMD_GETFAMILY (3) for CTRL_ATTR_FAMILY_NAME (2)
        reply = self.request(0x10, 3, self.attr(2, b"zchttp\0"))[0]
        self.family = struct.unpack("=H", self.attrs(reply)[1])[0]

    @staticmethod
    def attr(kind, data):
        a = struct.pack("=HH", 4 + len(data), kind) + data
        return a + b"\0" * (-len(a) % 4)

    @staticmethod
    def attrs(msg, off=20):
        """The attributes of a message (after nlmsghdr and genlmsghdr)."""
        out = {}
        while off + 4 <= len(msg):
            n, kind = struct.unpack_from("=HH", msg, off)
            if n < 4:
                break
            out[kind & 0x3fff] = msg[off + 4:off + n]
            off += (n + 3) & ~3
        return out

    def request(self, family, cmd, payload, flags=0, version=1):
        """Send one request (payload: the attributes, as bytes) with an
        ACK; return the reply messages; raise NetlinkError on an error."""
        self.seq += 1
        body = struct.pack("=BBH", cmd, version, 0) + payload
        self.s.send(struct.pack("=IHHII", 16 + len(body), family,
                                0x5 | flags, self.seq, 0) + body)
        replies = []
        while True:
            data = self.s.recv(1 << 20)
            off = 0
            while off + 16 <= len(data):
                n, kind, _, seq = struct.unpack_from("=IHHI", data, off)
                msg = data[off:off + n]
                off += (n + 3) & ~3
                if seq != self.seq:         # left over from an earlier one
                    continue
                if kind == 3:               # NLMSG_DONE, ends a dump
                    return replies
                if kind != 2:
                    replies.append(msg)
                    continue
                err = struct.unpack_from("=i", msg, 16)[0]   # NLMSG_ERROR
                if err:
                    # NETLINK_CAP_ACK: nlmsgerr holds the header only;
                    # NLMSGERR_ATTR_MSG (1) follows
                    text = self.attrs(msg, 36).get(1, b"")
                    raise NetlinkError(-err, text.rstrip(b"\0").decode())
                return replies

    def root_add(self, path, port, extra=b""):
        # ZCHTTP_CMD_ROOT_ADD (1): PATH (4), PORT (2)
        self.request(self.family, 1, self.attr(4, path.encode() + b"\0") +
                     self.attr(2, struct.pack("=H", port)) + extra)

    def root_del(self, port):
        # ZCHTTP_CMD_ROOT_DEL (2), ZCHTTP_A_ROOT_PORT (2)
        self.request(self.family, 2, self.attr(2, struct.pack("=H", port)))

    def root_ports(self):
        """Ports of the roots, from a ROOT_GET (3) dump."""
        return sorted(struct.unpack("=H", self.attrs(m)[2])[0]
                      for m in self.request(self.family, 3, b"", 0x300))
