#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# The tables of `make bench` from the results bench.py wrote: per lane and
# workload, each server's median over the rounds (min-max for requests/s),
# and zchttp's ratio to the best peer (nginx, lighttpd, h2o) in the same
# run: requests/s, and server CPU per request. Then the memory per idle
# connection, and the hot file's p99 latency without and with the cold
# load (bench.py's header).
#
# usage: report.py [--rst] [--plot FILE.png] RESULTS.json...
#   --rst   the tables in reStructuredText, as benchmarks.rst holds them
#   --plot  also draw, with gnuplot, each server's requests/s per workload
#           relative to the best peer's, from the first results file

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

PEERS = ("nginx", "lighttpd", "h2o")


def med(rs, key):
    v = [r[key] for r in rs if r.get(key) is not None]
    return statistics.median(v) if v else None


def size_label(size):
    """1k -> 1 KiB, 64m -> 64 MiB"""
    return size[:-1] + (" KiB" if size[-1] == "k" else " MiB")


def ratio(a, b):
    """a/b as "0.46x"; "-" where the server CPU of b is not measurable
    (busy CPU minus wrk's own rounds to 0 on a noisy short run)"""
    return "%.2fx" % (a / b) if a is not None and b else "-"


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
        print("\n%s files, %s connections" % (size_label(size), conns))
        print("%-16s %21s %9s %10s %10s %7s %8s %8s %6s" %
              ("server", "req/s (min-max)", "MiB/s", "CPU/req", "wrk/req",
               "cs/req", "p50", "p99", "errors"))
        best = None
        for name, by_load in runs.items():
            rs = by_load.get(load)
            if not rs:
                continue
            rps = [r["rps"] for r in rs]
            line = ("%-16s %9.0f (%.0f-%.0f) %9.1f %7.1f us %7.1f us %7.2f "
                    "%8s %8s %6d") % (
                name, statistics.median(rps), min(rps), max(rps),
                med(rs, "mbps"), med(rs, "cpu_us"),
                med(rs, "client_us") or 0, med(rs, "ctxt"),
                fmt_s(med(rs, "p50")), fmt_s(med(rs, "p99")),
                sum(r["errors"] for r in rs))
            print(line)
            if name.startswith(PEERS):
                m = statistics.median(rps)
                if not best or m > best[1]:
                    best = (name, m, med(rs, "cpu_us"))
        z = runs.get("zchttp", {}).get(load)
        if best and z:
            print("zchttp vs best peer (%s): %.2fx requests/s, %s CPU "
                  "per request" % (best[0], med(z, "rps") / best[1],
                                   ratio(med(z, "cpu_us"), best[2])))
    report_idle(res)
    report_cold(res)


def report_idle(res):
    idle = res.get("idle")
    if not idle:
        return
    print("\nMemory per idle keep-alive connection (%d connections), "
          "KiB" % res["idle_conns"])
    print("%-16s %8s %17s" % ("server", "median", "(min-max)"))
    for name, per in idle.items():
        print("%-16s %8.1f %17s" % (name, statistics.median(per) / 1024,
                                    "(%.1f-%.1f)" % (min(per) / 1024,
                                                     max(per) / 1024)))


def report_cold(res):
    cold = res.get("cold")
    if not cold:
        return
    print("\nHot 1 KiB file, 32 connections, alone and beside %d connections "
          "fetching cold files (%d ms per read)" % (res["cold_clients"],
                                                   res["cold_delay_ms"]))
    print("%-16s %9s %10s %9s %10s %10s %7s" %
          ("server", "req/s", "p99 alone", "req/s", "p99", "cold req/s",
           "ratio"))
    for name, cs in cold.items():
        alone = [c["alone"] for c in cs]
        loaded = [c["loaded"] for c in cs]
        # no hot request answered while the cold load ran: stalled
        p99 = med([r for r in loaded if r["requests"]], "p99") \
            if all(r["requests"] for r in loaded) else None
        a99 = med(alone, "p99")
        print("%-16s %9.0f %10s %9.0f %10s %10.1f %7s" %
              (name, med(alone, "rps"), fmt_s(a99), med(loaded, "rps"),
               fmt_s(p99) if p99 else "stalled",
               statistics.median(c["cold_rps"] for c in cs),
               "%.1fx" % (p99 / a99) if p99 and a99 else "-"))


PLOT = """
set terminal pngcairo size 960,480 font "sans,10"
set output "%(out)s"
set title "%(title)s"
set ylabel "requests/s against the best of nginx, lighttpd, h2o"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set yrange [0:*]
set grid ytics
set key top right
set xtics nomirror
plot for [i=2:%(cols)d] "%(data)s" using i:xtic(1) title columnheader(i)
"""


def plot(path, out):
    """A clustered bar chart: per workload, each server's median
    requests/s over the best peer's."""
    with open(path) as f:
        res = json.load(f)
    runs = res["runs"]
    names = [n for n in runs if n.startswith(("zchttp", "nginx", "lighttpd",
                                              "h2o"))]
    loads = []
    for by_load in runs.values():
        loads += [w for w in by_load if w not in loads]
    rows = []
    for load in loads:
        peers = [med(runs[n][load], "rps") for n in names
                 if n.startswith(PEERS) and load in runs[n]]
        if not peers:
            continue
        best = max(peers)
        size, conns = load.split(":")
        rows.append(["%s, %s conns" % (size_label(size), conns)] +
                    ["%.3f" % (med(runs[n][load], "rps") / best)
                     if load in runs[n] else "-" for n in names])
    with tempfile.TemporaryDirectory() as d:
        data = os.path.join(d, "data")
        with open(data, "w") as f:
            f.write("workload " + " ".join(names) + "\n")
            for r in rows:
                f.write('"%s" %s\n' % (r[0], " ".join(r[1:])))
        title = "make bench: %s, %d vCPUs (TCG), %s" % (
            res["kernel"], res["cpus"], res["date"])
        script = os.path.join(d, "plot.gp")
        with open(script, "w") as f:
            f.write(PLOT % dict(out=out, title=title, data=data,
                                cols=len(names) + 1))
        subprocess.run(["gnuplot", script], check=True)


def rst_table(head, rows):
    """A reStructuredText simple table."""
    w = [max(len(str(r[i])) for r in [head] + rows) for i in range(len(head))]
    rule = "  ".join("=" * n for n in w)
    line = lambda r: "  ".join(str(c).ljust(n) for c, n in zip(r, w)).rstrip()
    return "\n".join([rule, line(head), rule] + [line(r) for r in rows] +
                      [rule])


def rst(path):
    """The tables of report(), as Documentation/benchmarks.rst has them."""
    with open(path) as f:
        res = json.load(f)
    runs = res["runs"]
    loads = []
    for by_load in runs.values():
        loads += [w for w in by_load if w not in loads]
    for load in loads:
        size, conns = load.split(":")
        print("%s, %s connection%s:\n" % (size_label(size), conns,
                                           "" if conns == "1" else "s"))
        rows = []
        for name, by_load in runs.items():
            rs = by_load.get(load)
            if not rs:
                continue
            rps = [r["rps"] for r in rs]
            rows.append([name, "{:,.0f} ({:,.0f}-{:,.0f})".format(
                statistics.median(rps), min(rps), max(rps)),
                "%.1f" % med(rs, "mbps"), "%.0f µs" % med(rs, "cpu_us"),
                "%.0f µs" % (med(rs, "client_us") or 0),
                "%.2f" % med(rs, "ctxt"), fmt_s(med(rs, "p99"))])
        print(rst_table(["server", "requests/s", "MiB/s", "CPU/req",
                         "wrk/req", "cs/req", "p99"], rows))
        print()
    if res.get("idle"):
        print("Memory per idle keep-alive connection (%d connections):\n" %
              res["idle_conns"])
        print(rst_table(["server", "KiB, median (min-max)"], [
            [n, "%.1f (%.1f-%.1f)" % (statistics.median(v) / 1024,
                                      min(v) / 1024, max(v) / 1024)]
            for n, v in res["idle"].items()]))
        print()
    if res.get("cold"):
        print("Hot 1 KiB file, 32 connections, alone and beside %d "
              "connections fetching cold files (%d ms per read):\n" %
              (res["cold_clients"], res["cold_delay_ms"]))
        rows = []
        for name, cs in res["cold"].items():
            alone = [c["alone"] for c in cs]
            loaded = [c["loaded"] for c in cs]
            p99 = med(loaded, "p99") if all(r["requests"] for r in loaded) \
                else None
            a99 = med(alone, "p99")
            rows.append([name, "{:,.0f}".format(med(alone, "rps")),
                         fmt_s(a99), "{:,.0f}".format(med(loaded, "rps")),
                         fmt_s(p99) if p99 else "stalled",
                         "%.0f" % statistics.median(c["cold_rps"]
                                                    for c in cs),
                         "%.1fx" % (p99 / a99) if p99 and a99 else "-"])
        print(rst_table(["server", "hot req/s", "p99", "beside cold",
                         "p99", "cold req/s", "p99 ratio"], rows))
        print()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plot")
    ap.add_argument("--rst", action="store_true",
                    help="the tables in reStructuredText")
    ap.add_argument("results", nargs="+")
    a = ap.parse_args()
    for path in a.results:
        if a.rst:
            rst(path)
        else:
            report(path)
            print()
    if a.plot:
        plot(a.results[0], a.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
