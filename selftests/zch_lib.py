# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers of the Python selftests: the module and zcctl under test,
# counters, test-case reporting in the format of lib.sh.

import os
import subprocess

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
