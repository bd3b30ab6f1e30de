#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# The documents that list the counters and the module parameters say what
# the code has: every counter of the UAPI header (ZCHTTP_A_STATS_*) is
# described in zchttp(7), zcctl(8) and Documentation/zchttp.rst, and
# every module parameter in zchttp(7) and zchttp.rst with the default the
# code gives it. The man pages are checked by groff for warnings too.
# Prints each problem; exits 1 if there is any.

import glob
import os
import re
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read(rel):
    with open(os.path.join(TOP, rel)) as f:
        return f.read()


def counters():
    uapi = read("include/uapi/linux/zchttp.h")
    names = re.findall(r"^\s*ZCHTTP_A_STATS_([A-Z0-9_]+),", uapi, re.M)
    return [n.lower() for n in names if n not in ("UNSPEC", "PAD")]


def params():
    """name -> default, from module_param_named() and its variable"""
    out = {}
    for path in glob.glob(os.path.join(TOP, "kmod", "*.c")):
        with open(path) as f:
            src = f.read()
        for name, var in re.findall(
                r"module_param_named\((\w+),\s*(\w+),", src):
            m = re.search(r"\b%s\s*=\s*([^;]+);" % re.escape(var), src)
            if not m:
                out[name] = None
                continue
            expr = m.group(1).strip()
            expr = re.sub(r"\bSZ_(\d+)([KM])\b", lambda g: str(
                int(g.group(1)) << (10 if g.group(2) == "K" else 20)), expr)
            try:
                out[name] = int(eval(expr, {"__builtins__": {}}))
            except Exception:
                out[name] = None
    return out


def mentions(text, word, roff):
    """a description of word: a .TP/.B tag in roff, a table row or a
    definition in rst"""
    if roff:
        pat = r"^\.(?:B|BR|TP)\s.*\b%s\b" % re.escape(word)
    else:
        pat = r"^(?:``)?%s(?:``)?\b" % re.escape(word)
    return re.search(pat, text, re.M) is not None


def main():
    bad = []
    docs = {"Documentation/zchttp.7": True, "tools/zcctl/zcctl.8": True,
            "Documentation/zchttp.rst": False}
    texts = {d: read(d) for d in docs}
    cs = counters()
    if len(cs) < 20:
        bad.append("UAPI: only %d counters found" % len(cs))
    for c in cs:
        # resp_2xx .. resp_5xx are described together
        word = "resp_2xx" if re.match(r"resp_[2-5]xx$", c) else c
        for d, roff in docs.items():
            if not mentions(texts[d], word, roff):
                bad.append("%s: no counter %s" % (d, c))
    ps = params()
    if not ps:
        bad.append("kmod: no module parameter found")
    for name, default in ps.items():
        if default is None:
            bad.append("kmod: no default found for %s" % name)
            continue
        for d, pat in (("Documentation/zchttp.7",
                        r"^\.BR %s \" \(default (\d+)\)\"" % name),
                       ("Documentation/zchttp.rst",
                        r"^``%s`` \(default (\d+)\)" % name)):
            m = re.search(pat, texts[d], re.M)
            if not m:
                bad.append("%s: no module parameter %s" % (d, name))
            elif int(m.group(1)) != default:
                bad.append("%s: %s default %s, the code says %d"
                           % (d, name, m.group(1), default))
    for d, roff in docs.items():
        if not roff:
            continue
        r = subprocess.run(["groff", "-man", "-ww", "-z",
                            os.path.join(TOP, d)],
                           capture_output=True, text=True)
        if r.returncode or r.stderr:
            bad.append("%s: groff: %s" % (d, r.stderr.strip()))
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
