#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# A small fuzzer of the zchttp generic netlink family: random and mutated
# messages (any command number and version, random, nested, oversized and
# lying attributes, dump flags), a bounded number of them (20,000 on the
# debug lane, 5,000 on bookworm, 2,000 on trixie and sid; the seed is
# printed, and taken from ZCH_NLFUZZ_SEED if set).
#  - as root: no crash, leak or lockdep report (the kernel log, kmemleak);
#    no unexpected success: a message the family's strict policies must
#    refuse (an unknown command, an attribute type or length outside the
#    policy, an attribute nested that is not a nest) is refused, and a
#    root is added only by a ROOT_ADD that names a path and a port;
#  - as nobody, without CAP_NET_ADMIN: every ROOT_ADD, ROOT_DEL,
#    STATS_RESET and CACHE_FLUSH is EPERM, whatever it carries (or, with a
#    dump flag, may be refused first as a dump the command does not have).

import os
import random
import struct
import sys

from zch_lib import (KSFT_SKIP, Genl, NetlinkError, load_module, log_test,
                     long_lane, scale, summary, unload_module)

PORT = 8290
NLA_F_NESTED = 0x8000
# attributes of the root set: type -> (kind, length the policy accepts)
ROOT_ATTRS = {2: ("u16", 2), 3: ("bin", 16), 4: ("str", 4095),
              5: ("str", 63), 6: ("u32", 4), 7: ("u32", 4), 8: ("nest", 0),
              9: ("u32", 4), 10: ("u32", 4), 11: ("u32", 4), 12: ("u32", 4),
              13: ("u32", 4)}
ATTR_MAX = 13
CMD_MAX = 6
ADMIN_CMDS = (1, 2, 5, 6)       # ROOT_ADD, ROOT_DEL, STATS_RESET, CACHE_FLUSH
# attributes each command's policy knows (the rest must be refused)
POLICY = {1: {2, 3, 4, 5, 6, 9, 10, 11, 12, 13}, 2: {2}, 3: {2}, 4: {2},
          5: {2}, 6: {2}}
PATHS = [b"/tmp\0", b"/\0", b"/nonexistent\0", b"relative\0", b"\0",
         b"/tmp", b"/" + b"a" * 5000 + b"\0"]


def value(rnd, kind):
    """A value of an attribute: often well formed, sometimes not."""
    r = rnd.random()
    if r < 0.15:
        return os.urandom(rnd.choice((0, 1, 3, 5, 17, 300, 65000)))
    if kind == "u16":
        return struct.pack("=H", rnd.choice((0, 1, PORT, 65535,
                                             rnd.randrange(65536))))
    if kind == "u32":
        return struct.pack("=I", rnd.choice((0, 1, 255, 256, 1024, 65536,
                                             65537, 0xffffffff,
                                             rnd.randrange(1 << 32))))
    if kind == "str":
        return rnd.choice(PATHS + [b"index.html\0", b"..\0", b"a/b\0"])
    if kind == "bin":
        return os.urandom(rnd.choice((4, 16, 0, 8)))
    return b""


def message(rnd):
    """(cmd, version, flags, payload, attrs) of a random message; attrs is
    None when an attribute's length lies (what the kernel then parses is
    not what was meant)."""
    cmd = rnd.choice(list(range(0, CMD_MAX + 3)) + [1, 1, 1, 2, 3, 4])
    version = rnd.choice((1, 1, 1, 0, 2, 255))
    flags = rnd.choice((0, 0, 0x300))
    attrs = []
    payload = b""
    for _ in range(rnd.choice((0, 1, 2, 3, 4, 6, 12))):
        t = rnd.choice(list(range(0, ATTR_MAX + 4)) + [2, 4])
        kind = ROOT_ATTRS.get(t, ("bin", 0))[0]
        data = value(rnd, kind)
        if rnd.random() < 0.1:      # a nest of random attributes
            data = b"".join(Genl.attr(rnd.randrange(20), value(rnd, "u32"))
                            for _ in range(rnd.randrange(4)))[:65000]
            t |= NLA_F_NESTED
        a = Genl.attr(t, data)
        if attrs is not None and rnd.random() < 0.03:   # a length that lies
            a = struct.pack("=H", rnd.randrange(1, 65535)) + a[2:]
            attrs = None
        if attrs is not None:
            attrs.append((t, data))
        payload += a
    return cmd, version, flags, payload, attrs


def must_fail(cmd, flags, attrs):
    """What the policies refuse for sure (else: may or may not succeed)."""
    if cmd < 1 or cmd > CMD_MAX:
        return "unknown command"
    if flags and cmd != 3:
        return "dump of a command without one"
    for t, data in attrs:
        base = t & ~NLA_F_NESTED
        if base not in POLICY[cmd]:
            return "attribute %d not in the policy" % base
        kind, size = ROOT_ATTRS[base]
        if t & NLA_F_NESTED and kind != "nest":
            return "attribute %d nested" % base
        if kind in ("u16", "u32") and len(data) != size:
            return "attribute %d of %d bytes" % (base, len(data))
        # NLA_NUL_STRING: a NUL within len + 1 bytes, at most len bytes
        # before a trailing one
        if kind == "str" and (b"\0" not in data[:size + 1] or
                              len(data) - data.endswith(b"\0") > size):
            return "string attribute %d" % base
        if base == 3 and len(data) not in (4, 16):
            return "address of %d bytes" % len(data)
    return None


def fuzz(nl, rnd, n, unprivileged):
    bad = []
    outcomes = {}
    for _ in range(n):
        cmd, version, flags, payload, attrs = message(rnd)
        try:
            nl.request(nl.family, cmd, payload, flags, version)
            err = 0
        except NetlinkError as e:
            err = e.errno
        except OSError as e:
            err = e.errno
        outcomes[err] = outcomes.get(err, 0) + 1
        if unprivileged:
            # EPERM; a dump of a command that has none may be refused
            # first, as unknown (EOPNOTSUPP, split ops from 6.2)
            if cmd in ADMIN_CMDS and err != 1 and \
                    not (flags and err == 95):
                bad.append("cmd %d as nobody: errno %d" % (cmd, err))
            continue
        if attrs is not None:
            why = must_fail(cmd, flags, attrs)
            if not err and why:
                bad.append("cmd %d succeeded: %s" % (cmd, why))
            if not err and cmd == 1 and not {2, 4} <= {t for t, _ in attrs}:
                bad.append("ROOT_ADD without path or port succeeded")
        if not err and cmd == 1:
            for port in nl.root_ports():
                nl.root_del(port)
    return bad, outcomes


def main():
    if not long_lane() or not load_module():
        return KSFT_SKIP
    n = scale(5000, 2000, 0)
    seed = int(os.environ.get("ZCH_NLFUZZ_SEED", "0")) or \
        int.from_bytes(os.urandom(4), "little")
    print("# %d messages, seed %d (ZCH_NLFUZZ_SEED to repeat)" % (n, seed))
    rnd = random.Random(seed)
    nl = Genl()
    try:
        bad, outcomes = fuzz(nl, rnd, n, False)
        print("# as root, errno: count %s" % sorted(outcomes.items()))
        log_test("%d random messages as root: no unexpected success" % n,
                 not bad, "; ".join(bad[:5]))
        left = nl.root_ports()
        log_test("no root is left behind", left == [], "roots %s" % left)

        pid = os.fork()
        if not pid:
            os.setgid(65534)
            os.setuid(65534)
            bad, outcomes = fuzz(Genl(), rnd, n // 4, True)
            print("# as nobody, errno: count %s" % sorted(outcomes.items()))
            for b in bad[:5]:
                print("    " + b)
            os._exit(1 if bad else 0)
        _, status = os.waitpid(pid, 0)
        log_test("%d random messages as nobody: EPERM for every change" %
                 (n // 4), os.WIFEXITED(status) and
                 os.WEXITSTATUS(status) == 0, "status %d" % status)
        nl.root_add("/tmp", PORT)
        ok = nl.root_ports() == [PORT]
        nl.root_del(PORT)
        log_test("the family still works", ok and nl.root_ports() == [],
                 "roots %s" % nl.root_ports())
    finally:
        unload_module(PORT)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
