#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The smoke run of make bench: tests/bench/bench.py, one round of one
# second per workload (1 KiB with 32 connections, 1 MiB with one), with
# zchttp, its copy mode, the bare sendfile server, nginx, lighttpd and h2o:
# every server answered every request of wrk with a 2xx and no socket
# error (a peer misconfigured, or a server that died, fails it); the
# idle-connection memory and the cold-file load (dm-delay) were measured
# for zchttp and one peer (nginx; nginx with aio threads); report.py makes the tables, zchttp's ratio
# to the best peer among them, and the plot. The figures themselves are
# not checked: performance claims live in make bench.
# Bookworm lane only, where the peers are installed.

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

require_cmd wrk nginx lighttpd h2o python3 dmsetup gnuplot
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

bad=$(python3 - "$OUT" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))
idle, cold = res["idle"], res["cold"]
# bench.py's SMOKE_IDLE_SERVERS and SMOKE_COLD_SERVERS
for name in ("zchttp", "nginx"):
    # a number; 20 connections are within the noise of its sign
    if len(idle.get(name, [])) != 1 or \
            not isinstance(idle[name][0], float):
        print("idle %s: %s" % (name, idle.get(name)))
for name in ("zchttp", "nginx-aio"):
    cs = cold.get(name, [])
    if len(cs) != 1 or cs[0]["alone"]["requests"] <= 0 or \
            cs[0]["alone"]["errors"] or cs[0]["cold_rps"] <= 0:
        print("cold %s: %s" % (name, cs))
PY
)
check_eq "idle and cold measurements" "" "$bad"
log_test "idle connections' memory and the cold-file load measured"

report=$(python3 "$TOP/tests/bench/report.py" --plot "$WORK/bench.png" \
	"$OUT") || fail "report.py"
check_match "report.py" "zchttp vs best peer \((nginx|lighttpd|h2o)" "$report"
check_match "report.py" "Memory per idle keep-alive connection" "$report"
check_match "report.py" "Hot 1 KiB file, 32 connections" "$report"
check_eq "plot, a PNG" "PNG" "$(head -c 4 "$WORK/bench.png" | tail -c 3)"
log_test "report.py makes the tables, the ratios and the plot"
zch_exit
