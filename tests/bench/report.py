#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# The tables of `make bench` from the results bench.py wrote: per lane and
# workload, each server's median over the rounds (min-max for requests/s),
# and zchttp's ratio to the best peer (nginx, lighttpd, h2o) in the same
# run: requests/s, and server CPU per request.
#
# usage: report.py RESULTS.json...

import json
import statistics
import sys

PEERS = ("nginx", "lighttpd", "h2o")


def med(rs, key):
    v = [r[key] for r in rs if r.get(key) is not None]
    return statistics.median(v) if v else None


def fmt_s(v):
    if v is None:
        return "-"
    return "%.0f us" % (v * 1e6) if v < 0.01 else "%.1f ms" % (v * 1e3)


def report(path):
    with open(path) as f:
        res = json.load(f)
    runs = res["runs"]
    print("== %s, %d vCPUs, %d rounds of %d s, %s" %
          (res["kernel"], res["cpus"], res["rounds"], res["seconds"],
           res["date"]))
    loads = []
    for by_load in runs.values():
        loads += [w for w in by_load if w not in loads]
    for load in loads:
        size, conns = load.split(":")
        print("\n%s files, %s connections" % (size.upper().replace(
            "K", " KiB").replace("M", " MiB"), conns))
        print("%-16s %21s %9s %10s %7s %8s %8s %6s" %
              ("server", "req/s (min-max)", "MiB/s", "CPU/req", "cs/req",
               "p50", "p99", "errors"))
        best = None
        for name, by_load in runs.items():
            rs = by_load.get(load)
            if not rs:
                continue
            rps = [r["rps"] for r in rs]
            line = "%-16s %9.0f (%.0f-%.0f) %9.1f %7.1f us %7.2f %8s %8s %6d" % (
                name, statistics.median(rps), min(rps), max(rps),
                med(rs, "mbps"), med(rs, "cpu_us"), med(rs, "ctxt"),
                fmt_s(med(rs, "p50")), fmt_s(med(rs, "p99")),
                sum(r["errors"] for r in rs))
            print(line)
            if name.startswith(PEERS):
                m = statistics.median(rps)
                if not best or m > best[1]:
                    best = (name, m, med(rs, "cpu_us"))
        z = runs.get("zchttp", {}).get(load)
        if best and z:
            print("zchttp vs best peer (%s): %.2fx requests/s, %.2fx CPU "
                  "per request" % (best[0], med(z, "rps") / best[1],
                                   med(z, "cpu_us") / best[2]))


def main():
    for path in sys.argv[1:]:
        report(path)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
