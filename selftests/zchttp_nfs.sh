#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Files on NFS are served as NFS's ->read_iter sees them, never from
# pages it has not revalidated: knfsd in this VM exports a tmpfs, it is
# mounted over loopback NFSv4, a file is rewritten on the export, and the
# next fetch through the mount returns the new bytes (by copy: only
# filesystems that keep the page cache authoritative are sent by page
# reference). Then a root whose reader is stuck on a stopped NFS server
# is deleted: the deletion waits for it without holding netlink, so other
# netlink users and zcctl root show are answered meanwhile.

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

require_cmd curl rpc.nfsd rpc.mountd exportfs sha256sum genl
zch_setup

E=$WORK/mnt-export
M=$WORK/mnt-nfs
P=8220
NFSD=/proc/fs/nfsd
STARTED_NFSD=0

# shellcheck disable=SC2317 # called by zch_cleanup (lib.sh) at exit
zch_test_cleanup()
{
	umount -f "$M" 2>/dev/null
	((STARTED_NFSD)) || return 0
	rpc.nfsd 0 2>/dev/null
	exportfs -ua 2>/dev/null
	pkill -x rpc.mountd 2>/dev/null
	return 0
}

modprobe -q nfsd 2>/dev/null
modprobe -q nfsv4 2>/dev/null
grep -qw nfsd /proc/filesystems || skip "no nfsd in $(uname -r)"
grep -qw nfs4 /proc/filesystems || skip "no NFSv4 client in $(uname -r)"
mountpoint -q $NFSD || mount -t nfsd nfsd $NFSD || fail "mount nfsd"

mkdir -p "$E" "$M" /var/lib/nfs/v4recovery /run/rpc_pipefs
mount -t tmpfs -o size=16m none "$E" || fail "tmpfs export"
mkdir -p "$E/www"
head -c 1048576 /dev/urandom >"$E/www/f.bin"
head -c 4194304 /dev/urandom >"$E/www/big.bin"
chmod -R a+rX "$E"
echo "$E 127.0.0.1(rw,sync,no_subtree_check,no_root_squash,fsid=0)" >/etc/exports
# NFSv4 only (no rpcbind), and short grace and lease times for a test
echo 10 >$NFSD/nfsv4gracetime
echo 10 >$NFSD/nfsv4leasetime
rpc.mountd -N 2 -N 3 || fail "rpc.mountd"
exportfs -ra || fail "exportfs"
rpc.nfsd -N 3 -H 127.0.0.1 4 || fail "rpc.nfsd"
STARTED_NFSD=1
if ! mount -t nfs4 -o vers=4,timeo=10,retrans=2 127.0.0.1:/ "$M"; then
	fail "cannot mount the loopback NFS export"
	log_test "knfsd exports a tmpfs, mounted over loopback NFSv4"
	zch_exit
fi
log_test "knfsd exports a tmpfs, mounted over loopback NFSv4"

zch_load
"$ZCCTL" root add "$M/www" port $P || fail "root add on NFS"
sum() { sha256sum "$1" | cut -d' ' -f1; }
check_eq "first fetch" 200 "$(http_get "http://127.0.0.1:$P/f.bin")"
check_eq "first fetch: the file's bytes" "$(sum "$E/www/f.bin")" "$(sum "$WORK/body")"
# rewritten in place on the server, same size
head -c 1048576 /dev/urandom | dd of="$E/www/f.bin" conv=notrunc status=none
check_eq "fetch after the rewrite" 200 "$(http_get "http://127.0.0.1:$P/f.bin")"
check_eq "fetch after the rewrite: the new bytes" "$(sum "$E/www/f.bin")" \
	"$(sum "$WORK/body")"
check_eq "NFS bodies go by copy: body_bytes_zc" 0 "$(stat body_bytes_zc $P)"
log_test "a file rewritten on the NFS server is served fresh"

# a request stuck on a stopped server (in the lookup or the open); the
# root is deleted meanwhile
rpc.nfsd 0 || fail "stopping nfsd"
n=$(stat requests $P)
curl -s -o /dev/null --max-time 300 "http://127.0.0.1:$P/big.bin" &
for _ in $(seq 200); do
	[ "$(stat requests $P)" -gt "$n" ] && break
	sleep 0.05	# polling a counter, bounded
done
[ "$(stat requests $P)" -gt "$n" ] || fail "the request did not arrive"
"$ZCCTL" root del $P &
del=$!
sleep 1		# root del is waiting by now (a window, not a sync)
kill -0 $del 2>/dev/null || fail "root del returned while its request was stuck"
t0=$(date +%s%N)
timeout 30 genl ctrl get name nlctrl >/dev/null || fail "genl ctrl get"
t1=$(date +%s%N)
timeout 30 "$ZCCTL" root show >/dev/null || fail "zcctl root show"
t2=$(date +%s%N)
echo "    while root del waits: genl $(((t1 - t0) / 1000000)) ms," \
	"root show $(((t2 - t1) / 1000000)) ms"
# they wait for nothing, whatever a loaded TCG machine takes to start them;
# a wait would last until nfsd is back, below
[ $(((t1 - t0) / 1000000)) -lt 10000 ] || fail "genl waited for root del"
[ $(((t2 - t1) / 1000000)) -lt 10000 ] || fail "root show waited for root del"
rpc.nfsd -N 3 -H 127.0.0.1 4 || fail "restarting nfsd"
timeout 120 tail --pid=$del -f /dev/null || fail "root del did not return"
wait $del
check_eq "root del exit" 0 $?
log_test "root del of a root stuck on NFS does not hold netlink"

zch_exit
