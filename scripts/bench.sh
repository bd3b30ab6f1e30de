#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: zchttp against nginx, lighttpd, h2o and the bare user-space
# ways (tests/bench/zcserv) in one VM boot, alternating rounds
# (tests/bench/bench.py), then the tables (tests/bench/report.py). Never
# part of make check, but for its smoke run (--smoke).
#
# usage: scripts/bench.sh [BENCH.PY OPTIONS]   e.g. --rounds 5 --seconds 8
# Results: $ZCH_BENCH_OUT (default build/bench)/LANE.json, and LANE.png,
# the plot of requests/s against the best peer.
# What it measured: Documentation/benchmarks.rst (written from the results,
# with the date and setup).

set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
OUT=${ZCH_BENCH_OUT:-$TOP/build/bench}

scripts/deps.sh >/dev/null
make -s module zcctl KDIR="${KDIR:-$(printf '%s\n' /usr/src/linux-headers-6.1.*-amd64 | sort -V | tail -n 1)}"
make -s -C tests/bench
mkdir -p "$OUT"

# bookworm's 6.1 (->sendpage); 2 vCPUs, as in the issue's measurements
scripts/vm.sh --cpus 2 --mem 2G --timeout 14400 --share "$OUT" -- \
	python3 tests/bench/bench.py --out "$OUT/bookworm.json" "$@"
python3 tests/bench/report.py --plot "$OUT/bookworm.png" "$OUT/bookworm.json"
