#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Serving under memory pressure: a process holds all but about 150 MiB of
# the VM's available memory, a loop drops the page cache five times a
# second, and wrk fetches 1 KiB and 1 MiB files from ext4 for 10 s (so
# every body is read again and again). No oops or leak (the kernel log, kmemleak on
# the debug lane); every response is a 200 or, where an allocation
# failed, a 503 that nomem counts; the module serves normally afterwards.

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

require_cmd wrk python3 mkfs.ext4 losetup
long_lane || skip "a long test: the bookworm and debug lanes run it"
zch_setup
modprobe -q loop || skip "no loop module"
modprobe -q ext4 || skip "no ext4 module"

P=8300
SECONDS_LOAD=10

m=$WORK/mnt-ext4
ext4_mount "$m" 100 || fail "ext4 on a loop device"
head -c 1024 /dev/urandom >"$m/1k.bin"
head -c 1048576 /dev/urandom >"$m/1m.bin"
chmod 755 "$m"
chmod 644 "$m"/*.bin
zch_load
"$ZCCTL" root add "$m" port $P || fail "root add"

# the hog: all but ~150 MiB of MemAvailable, touched, held until killed
python3 - <<'PY' &
import mmap, time
def avail():
    for line in open("/proc/meminfo"):
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
chunks = []
while avail() > (150 << 20) + (16 << 20):
    # private anonymous memory, faulted in by the kernel at once
    chunks.append(mmap.mmap(-1, 16 << 20, mmap.MAP_PRIVATE |
                            mmap.MAP_ANONYMOUS | mmap.MAP_POPULATE))
print("# hog holds %d MiB, MemAvailable %d MiB" %
      (16 * len(chunks), avail() >> 20), flush=True)
time.sleep(3600)
PY
hog=$!
(while :; do echo 3 >/proc/sys/vm/drop_caches; sleep 0.2; done) &
dropper=$!
for _ in $(seq 300); do
	[ "$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)" -lt 250 ] && break
	sleep 0.1	# waiting for the hog, bounded
done

"$ZCCTL" stats reset
wrk -t 1 -c 16 -d ${SECONDS_LOAD}s "http://127.0.0.1:$P/1k.bin" >"$WORK/wrk1k" 2>&1 &
w1=$!
wrk -t 1 -c 8 -d ${SECONDS_LOAD}s "http://127.0.0.1:$P/1m.bin" >"$WORK/wrk1m" 2>&1
wait $w1
kill "$dropper" "$hog"
wait "$dropper" "$hog" 2>/dev/null
sed -n 's/^/    /; /requests in/p; /Non-2xx/p; /Socket errors/p' "$WORK/wrk1k" "$WORK/wrk1m"

req=$(stat requests $P)
ok2=$(stat resp_2xx $P)
e5=$(stat resp_5xx $P)
nomem=$(stat nomem $P)
echo "    requests $req: 2xx $ok2, 5xx $e5, nomem $nomem"
[ "$req" -gt 0 ] || fail "no request was served under pressure"
check_eq "4xx under pressure" 0 "$(stat resp_4xx $P)"
check_eq "every response 200 or 503" "$req" "$((ok2 + e5))"
[ "$e5" -le "$nomem" ] || fail "$e5 5xx, only $nomem allocation failures"
log_test "wrk for ${SECONDS_LOAD} s under memory pressure: 200, or 503 counted"

check_eq "after the pressure" 200 "$(http_get "http://127.0.0.1:$P/1m.bin")"
cmp -s "$WORK/body" "$m/1m.bin" || fail "the body after the pressure differs"
log_test "served normally once the pressure is gone"

"$ZCCTL" root del $P
zch_exit
