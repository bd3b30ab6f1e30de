#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The smoke run of make bench: tests/bench/bench.py, one round of one
# second per workload (1 KiB with 32 connections, 1 MiB with one), with
# zchttp, its copy mode, the bare sendfile server, nginx, lighttpd and h2o:
# every server answered every request of wrk with a 2xx and no socket
# error (a peer misconfigured, or a server that died, fails it), and
# report.py makes the tables, zchttp's ratio to the best peer among them. The figures
# themselves are not checked: performance claims live in make bench.
# Bookworm lane only, where the peers are installed.

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

require_cmd wrk nginx lighttpd h2o python3
zch_setup
[ "$(lane)" = bookworm ] || skip "the smoke run of make bench is the bookworm lane's"
[ -x "$TOP/tests/bench/zcserv" ] || skip "tests/bench/zcserv not built"

SERVERS=zchttp,zchttp-copy,zcserv-sendfile,nginx,lighttpd,h2o
OUT=$WORK/bench.json
ZCH_KO=$ZCH_KO ZCCTL=$ZCCTL python3 "$TOP/tests/bench/bench.py" \
	--smoke --servers "$SERVERS" --out "$OUT" >"$WORK/bench.log" 2>&1 ||
	fail "bench.py --smoke exit $?"
sed 's/^/# /' "$WORK/bench.log"
log_test "bench.py --smoke runs"

bad=$(python3 - "$OUT" "$SERVERS" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["runs"]
for name in sys.argv[2].split(","):
    for load in ("1k:32", "1m:1"):
        rs = runs.get(name, {}).get(load, [])
        if not rs or any(r["requests"] <= 0 or r["errors"] for r in rs):
            print("%s %s: %s" % (name, load, rs))
PY
)
check_eq "requests and errors" "" "$bad"
log_test "every server answered every request of wrk, no error"
report=$(python3 "$TOP/tests/bench/report.py" "$OUT") || fail "report.py"
check_match "report.py" "zchttp vs best peer \((nginx|lighttpd|h2o)" "$report"
log_test "report.py makes the tables, zchttp's ratio to the best peer"
zch_exit
