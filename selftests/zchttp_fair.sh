#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One run of a connection's work sends at most ZCH_TX_BUDGET (256 KiB)
# and then requeues itself behind the other connections of its CPU, so a
# fast reader of a large file cannot hold a worker while others wait.
# Measured with the kernel's tracing, not zchttp's counters: the
# workqueue_execute_start/_end events bracket each run of zch_conn_work,
# and a kretprobe on the function TCP attaches pages with (as in
# zchttp_zerocopy.sh) gives the bytes each run queued, while a 64 MiB file
# (16 MiB on the debug, trixie and sid lanes) is fetched. Deleting the
# root in the middle of a transfer four times as long returns within a
# second.
#
# Runs in the one-vCPU boot of its lane, as every tracer test
# (tracing_setup in lib.sh; Documentation/vm.rst, "The one-vCPU boot").

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

require_cmd curl awk
zch_setup

tracing_setup kprobe_events "kprobe events (CONFIG_KPROBE_EVENTS)"
[ -d "$T/events/workqueue/workqueue_execute_start" ] || skip "no workqueue events"

GRP=zchfair$$
BUDGET=262144
SIZE=67108864
[ "$(lane)" = bookworm ] || SIZE=16777216	# KASAN, or a short lane
P=8230

# shellcheck disable=SC2317 # called by zch_cleanup (lib.sh) at exit
zch_test_cleanup()
{
	echo 0 >"$T/events/workqueue/workqueue_execute_start/enable"
	echo 0 >"$T/events/workqueue/workqueue_execute_end/enable"
	kprobes_del "$GRP"
}

kprobe_zc "$GRP" || skip "cannot add a kretprobe on the page path"

D=$WORK/mnt-www
mkdir -p "$D"
mount -t tmpfs -o size=$((5 * SIZE / 1048576 + 20))m none "$D" || fail "tmpfs"
head -c $SIZE /dev/urandom >"$D/big.bin"
head -c $((4 * SIZE)) /dev/zero >"$D/huge.bin"
chmod a+r "$D"/*.bin
zch_load
"$ZCCTL" root add "$D" port $P || fail "root add"

trace_clear 16384
echo 1 >"$T/events/workqueue/workqueue_execute_start/enable"
echo 1 >"$T/events/workqueue/workqueue_execute_end/enable"
echo 1 >"$T/events/$GRP/enable"
got=$(curl -s --max-time 300 "http://127.0.0.1:$P/big.bin" | wc -c)
echo 0 >"$T/events/$GRP/enable"
echo 0 >"$T/events/workqueue/workqueue_execute_end/enable"
echo 0 >"$T/events/workqueue/workqueue_execute_start/enable"
check_eq "body" $SIZE "$got"
check_eq "trace overruns" 0 "$(trace_overruns)"

# bytes queued by each run of zch_conn_work; one vCPU: events in order
read -r runs max total < <(awk '
	/workqueue_execute_start:.*function zch_conn_work/ { inrun = 1; n = 0; next }
	/workqueue_execute_end:.*function zch_conn_work/ {
		if (inrun) { runs++; if (n > max) max = n; total += n }
		inrun = 0; next }
	/ zc: / && inrun && match($0, /ret=-?[0-9]+/) {
		v = substr($0, RSTART + 4, RLENGTH - 4) + 0; if (v > 0) n += v }
	END { printf "%d %d %d\n", runs, max, total }' "$T/trace")
echo "# $runs runs of the connection work sent $total B, at most $max B in one"
check_eq "bytes by reference within the runs" $SIZE "$total"
[ "$max" -le $BUDGET ] || fail "a run sent $max B, more than $BUDGET"
log_test "no run of the work sends more than $BUDGET B"

curl -s -o /dev/null --max-time 300 "http://127.0.0.1:$P/huge.bin" &
for _ in $(seq 400); do
	[ "$(stat body_bytes_zc $P)" -gt $((2 * SIZE)) ] && break
	sleep 0.05	# polling a counter, bounded
done
[ "$(stat body_bytes_zc $P)" -gt $((2 * SIZE)) ] || fail "the transfer did not start"
# the ROOT_DEL call alone, timed in the process that makes it: zcctl's
# start (exec, libnl, the family lookup) is not zchttp's to bound
ms=$(PYTHONPATH=$SELFTESTS python3 - $P <<'PY'
import sys, time
from zch_lib import Genl
nl = Genl()
t0 = time.monotonic()
nl.root_del(int(sys.argv[1]))
print(int((time.monotonic() - t0) * 1000))
PY
) || { fail "root del"; ms=99999; }
echo "# root del in the middle of a transfer took $ms ms"
[ "$ms" -lt 1000 ] || fail "root del took $ms ms"
log_test "root del in the middle of a $((4 * SIZE >> 20)) MiB transfer returns at once"

zch_exit
