#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Prove with the kernel's own tracing, not with zchttp's counters, that the
# body of a 64 MiB file on ext4 reaches TCP by page reference and that TCP
# copies none of it, when a client in another network namespace fetches it
# over a veth pair.  Then show that the same measurement sees every byte
# copied when the root is in copy mode, so the proof can fail.
#
# Kretprobes on TCP's two ways in for data:
#   by reference  6.1: tcp_sendpage(), which attaches the page to the skb
#                 (or falls back to tcp_sendmsg_locked(), counted below);
#                 >= 6.5: skb_splice_from_iter(), which TCP calls for
#                 MSG_SPLICE_PAGES (6.1 defines the flag but TCP ignores it)
#   by copy       tcp_sendmsg_locked(): the bytes it queues are copied from
#                 the iterator into skb memory, except, on >= 6.5, those it
#                 spliced (subtracted).
# The copy primitives themselves (_copy_from_iter...) are notrace and cannot
# be probed.  Each probe records the bytes the call queued ($retval).
#
# Runs in the one-vCPU boot of its lane, as every tracer test
# (tracing_setup in lib.sh; Documentation/vm.rst, "The one-vCPU boot").

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

require_cmd curl ip mkfs.ext4 losetup sha256sum awk
zch_setup

tracing_setup kprobe_events "kprobe events (CONFIG_KPROBE_EVENTS)"
modprobe -q veth || skip "no veth module"
modprobe -q loop || skip "no loop module"
modprobe -q ext4 || skip "no ext4 module"

NS=zchcli$$
GRP=zchzc$$
SIZE=67108864
# under KASAN, with every call into TCP traced, 16 MiB (still far above
# the socket buffers)
[ "$(lane)" = debug ] && SIZE=16777216
ADDR=10.77.0.1
PORT_ZC=8130
PORT_COPY=8131

# shellcheck disable=SC2317 # called by zch_cleanup (lib.sh) at exit
zch_test_cleanup()
{
	kprobes_del "$GRP"
	ip netns del "$NS" 2>/dev/null
	ip link del zchzc0 2>/dev/null
	return 0
}

# the probes: bytes attached by reference (zc), bytes copied (sm)
kprobe_zc "$GRP" ||
	skip "no kretprobe on skb_splice_from_iter or tcp_sendpage in $(uname -r)"
MECH=splice
[ "$ZC_FN" = tcp_sendpage ] && MECH=sendpage
echo "# $(uname -r): pages reach TCP through $ZC_FN"
echo "r:$GRP/sm tcp_sendmsg_locked ret=\$retval:s32" >>"$T/kprobe_events" ||
	skip "cannot add the kretprobe on tcp_sendmsg_locked"

# the client's side of a veth pair lives in its own namespace
ip netns add "$NS" || fail "ip netns add"
ip link add zchzc0 type veth peer name zchzc1 netns "$NS" || fail "veth pair"
ip addr add "$ADDR/24" dev zchzc0 || fail "address"
ip link set zchzc0 up || fail "veth up"
ip -n "$NS" addr add 10.77.0.2/24 dev zchzc1 || fail "address in $NS"
ip -n "$NS" link set zchzc1 up || fail "veth up in $NS"
ip -n "$NS" link set lo up || fail "lo up in $NS"
log_test "veth pair between the root and a client namespace"

# a 64 MiB file on ext4 (on a loop device over a tmpfs image)
m=$WORK/mnt-ext4
ext4_mount "$m" 160 || fail "ext4 on a loop device"
mkdir -p "$m/www"
head -c $SIZE /dev/urandom >"$m/www/big.bin"
chmod -R a+rX "$m/www"
want=$(sha256sum <"$m/www/big.bin" | cut -d' ' -f1)

zch_load
"$ZCCTL" root add "$m/www" port $PORT_ZC addr $ADDR || fail "root add"
"$ZCCTL" root add "$m/www" port $PORT_COPY addr $ADDR copy || fail "root add copy"
log_test "64 MiB file on ext4, served on $ADDR in both modes"

# measure PORT: fetch big.bin from the client namespace with the probes on;
# sets ZC (bytes attached by reference), CP (bytes copied into skbs),
# VETH (bytes that left through the veth) and checks the body.
measure()
{
	local port=$1 tx0 out nmiss

	sync
	echo 3 >/proc/sys/vm/drop_caches
	"$ZCCTL" stats reset
	trace_clear 8192
	tx0=$(cat /sys/class/net/zchzc0/statistics/tx_bytes)
	echo 1 >"$T/events/$GRP/enable"
	out=$(ip netns exec "$NS" curl -s --max-time 300 \
		"http://$ADDR:$port/big.bin" | sha256sum | cut -d' ' -f1)
	echo 0 >"$T/events/$GRP/enable"
	VETH=$(($(cat /sys/class/net/zchzc0/statistics/tx_bytes) - tx0))
	check_eq "port $port: sha256 of the body" "$want" "$out"

	# nothing may be lost: kretprobe misses and ring-buffer overruns
	nmiss=$(awk '$1 == "zc" || $1 == "sm" { n += $3 } END { print n + 0 }' \
		"$T/kprobe_profile")
	check_eq "port $port: missed probes" 0 "$nmiss"
	check_eq "port $port: trace overruns" 0 \
		"$(trace_overruns)"

	read -r ZC SM < <(awk '
		/ zc: / && match($0, /ret=-?[0-9]+/) {
			v = substr($0, RSTART + 4, RLENGTH - 4) + 0; if (v > 0) zc += v }
		/ sm: / && match($0, /ret=-?[0-9]+/) {
			v = substr($0, RSTART + 4, RLENGTH - 4) + 0; if (v > 0) sm += v }
		END { printf "%.0f %.0f\n", zc, sm }' "$T/trace")
	# >= 6.5: tcp_sendmsg_locked() returns what it spliced as well
	if [ $MECH = splice ]; then
		CP=$((SM - ZC))
	else
		CP=$SM
	fi
	echo "# port $port: by reference $ZC B, copied into skbs $CP B," \
		"through the veth $VETH B"
}

measure $PORT_ZC
check_eq "zero-copy: bytes attached by reference ($ZC_FN)" $SIZE "$ZC"
[ "$CP" -lt 65536 ] ||
	fail "zero-copy: $CP bytes copied into skbs (only headers expected)"
[ "$VETH" -gt $SIZE ] || fail "zero-copy: only $VETH bytes left through the veth"
check_eq "zero-copy: counter body_bytes_zc" $SIZE "$(stat body_bytes_zc $PORT_ZC)"
check_eq "zero-copy: counter body_bytes_copy" 0 "$(stat body_bytes_copy $PORT_ZC)"
log_test "$MECH: 64 MiB attached by page reference, none copied"

# negative control: the copy mode must show every body byte copied
measure $PORT_COPY
check_eq "copy mode: bytes attached by reference" 0 "$ZC"
[ "$CP" -ge $SIZE ] || fail "copy mode: only $CP bytes copied, expected >= $SIZE"
check_eq "copy mode: counter body_bytes_copy" $SIZE "$(stat body_bytes_copy $PORT_COPY)"
log_test "$MECH: the same probes see copy mode copy all 64 MiB"

zch_exit
