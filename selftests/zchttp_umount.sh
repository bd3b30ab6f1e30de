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

# One Python process for all rounds (under TCG a process costs about a
# second): it reads "PORT DIR" lines and, for each, sends ROOT_DEL over
# netlink, then calls umount(2) at once; it answers "ok" or the error.
coproc DELUMOUNT { PYTHONPATH=$SELFTESTS exec python3 -u -c '
import ctypes, os, sys
from zch_lib import Genl
libc = ctypes.CDLL(None, use_errno=True)
nl = Genl()
for line in sys.stdin:
    port, path = line.split()
    nl.root_del(int(port))
    if libc.umount2(path.encode(), 0):
        print("umount: " + os.strerror(ctypes.get_errno()))
    else:
        print("ok")
'; }

# del_and_umount PORT DIR: ROOT_DEL, then umount(2) microseconds later
del_and_umount()
{
	local res

	echo "$1 $2" >&"${DELUMOUNT[1]}"
	read -r res <&"${DELUMOUNT[0]}" || res="no answer from the helper"
	[ "$res" = ok ] && return 0
	echo "    $res"
	return 1
}
D=$WORK/mnt-www
mkdir -p "$D"
# 10 rounds on bookworm, 5 on the short lanes, 3 on the debug lane
# (KASAN makes a round slow)
rounds=5
[ "$(lane)" = debug ] && rounds=3
[ "$(lane)" = bookworm ] && rounds=10
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
