#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# When `zcctl root del` returns, zchttp holds nothing of the root's file
# system any more: `zcctl root del PORT && umount DIR` works every time,
# even right after wrk had the files open. (Files closed by a kernel
# thread with fput() are released later, from a workqueue; the mount
# would still be busy.) The deletion and the umount(2) come from one
# process, microseconds apart: a shell's next command comes late enough
# to hide the difference.

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

require_cmd wrk umount mountpoint
zch_setup
zch_load

P=8210

# del_and_umount PORT DIR: ROOT_DEL over netlink, then umount(2) at once
del_and_umount()
{
	PYTHONPATH=$SELFTESTS python3 - "$@" <<'PY'
import ctypes, os, sys
from zch_lib import Genl
libc = ctypes.CDLL(None, use_errno=True)
Genl().root_del(int(sys.argv[1]))
if libc.umount2(sys.argv[2].encode(), 0):
    print("    umount: " + os.strerror(ctypes.get_errno()))
    sys.exit(1)
PY
}
D=$WORK/mnt-www
mkdir -p "$D"
# 20 rounds on bookworm, 5 on the debug lane (KASAN makes a round slow)
# and the short lanes
rounds=5
[ "$(lane)" = bookworm ] && rounds=20
failed=0
for i in $(seq $rounds); do
	mount -t tmpfs -o size=8m none "$D" || { fail "round $i: mount"; break; }
	head -c 65536 /dev/urandom >"$D/64k.bin"
	chmod a+r "$D/64k.bin"
	"$ZCCTL" root add "$D" port $P || { fail "round $i: root add"; break; }
	wrk -t 2 -c 32 -d 30s "http://127.0.0.1:$P/64k.bin" >/dev/null 2>&1 &
	w=$!
	for _ in $(seq 200); do
		[ "$(stat requests $P)" -gt 50 ] && break
		sleep 0.05	# polling a counter, bounded
	done
	[ "$(stat requests $P)" -gt 50 ] || fail "round $i: no load"
	if ! del_and_umount $P "$D"; then
		failed=$((failed + 1))
		echo "    round $i: umount right after root del failed"
		"$ZCCTL" root del $P 2>/dev/null
		# what was busy is released by now: clean up for the next round
		for _ in $(seq 100); do
			umount "$D" 2>/dev/null && break
			sleep 0.1	# bounded, cleanup only
		done
	fi
	kill "$w" 2>/dev/null
	wait "$w" 2>/dev/null
	mountpoint -q "$D" && { fail "round $i: still mounted"; break; }
done
check_eq "rounds where umount failed right after root del" 0 "$failed"
log_test "$rounds x under wrk: zcctl root del && umount"

zch_exit
