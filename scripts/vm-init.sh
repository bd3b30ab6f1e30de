#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the scripts/vm.sh guest.  POSIX sh run by busybox, twice:
#
# stage 1 (/init in the initramfs): load the 9p/virtio modules, mount the
#   host root read-only over virtio-9p on /newroot, lay out every mount
#   (writable overlays, tmpfs, proc/sys/dev, debugfs, tracefs, the "out"
#   share...), set the hostname, bring up lo (and eth0 for --fwd), copy
#   busybox and this script to /run/zchttp and switch_root.
# stage 2 (/run/zchttp/init on the real root): run /run/zchttp/out/cmd.sh
#   with its output on the virtio port "zch.out", write the exit status and
#   dmesg to the out share, power off.
#
# Everything runs from busybox in the initramfs/tmpfs: executing the host's
# dynamic binaries over 9p under TCG costs ~0.3 s each.
#
# The out share (mount tag "out") is a writable host directory prepared by
# vm.sh: config (shell assignments) and cmd.sh; we write status, dmesg.log.

BB=/bin/busybox
OUT=/run/zchttp/out
RWDIRS="etc root home tmp var srv mnt opt"
ROOT_OPTS="trans=virtio,version=9p2000.L,cache=loose,msize=512000,ro"
RW_OPTS="trans=virtio,version=9p2000.L,cache=none,msize=512000"

msg() {
	echo "vm-init: $*" >&2
}

halt_now() {
	"$BB" sync
	"$BB" poweroff -f
	echo o >/proc/sysrq-trigger
	# PID 1 must never return.
	while :; do "$BB" sleep 1000; done
}

fail() {
	msg "FATAL: $*"
	halt_now
}

# Writable overlay (upper on tmpfs) over a directory of the read-only root,
# falling back to an empty tmpfs if overlayfs refuses the 9p lower layer.
mount_rw_dir() {
	d=$1
	[ -d "/newroot/$d" ] || return 0
	mkdir -p "/newroot/run/zchttp/rw/$d/u" "/newroot/run/zchttp/rw/$d/w"
	mount -t overlay "ovl-$d" -o "lowerdir=/newroot/$d,upperdir=/newroot/run/zchttp/rw/$d/u,workdir=/newroot/run/zchttp/rw/$d/w" "/newroot/$d" ||
		mount -t tmpfs -o mode=0755 "tmp-$d" "/newroot/$d" ||
		fail "cannot make /$d writable"
}

setup_network() {
	hostname "$ZCH_HOSTNAME" || msg "cannot set hostname"
	ip link set lo up || msg "cannot bring up lo"
	[ "$ZCH_NET" = 1 ] || return 0
	while read -r m; do
		insmod "/lib/modules/$m" || fail "insmod $m"
	done </modules.net
	# No default route: the guest only answers connections forwarded
	# from the host (hostfwd), it never reaches out.
	if ! ip addr add 10.0.2.15/24 dev eth0 || ! ip link set eth0 up; then
		msg "cannot configure eth0"
	fi
}

stage1() {
	mount -t devtmpfs devtmpfs /dev || fail "mount devtmpfs"
	exec </dev/console >/dev/console 2>&1
	mount -t proc proc /proc || fail "mount proc"
	mount -t sysfs sysfs /sys || fail "mount sysfs"
	case " $(cat /proc/cmdline) " in *" zch.debug "*) set -x ;; esac

	while read -r m; do
		insmod "/lib/modules/$m" || fail "insmod $m"
	done </modules.order

	mount -t 9p -o "$ROOT_OPTS" root /newroot || fail "mount 9p root"
	mount -t tmpfs -o mode=0755,nosuid,nodev run /newroot/run || fail "tmpfs /run"
	mkdir -p /newroot/run/zchttp/rw "/newroot$OUT" /newroot/run/lock
	chmod 1777 /newroot/run/lock
	mount -t 9p -o "$RW_OPTS" out "/newroot$OUT" || fail "mount out share"

	ZCH_NET=0
	ZCH_MODDIR=
	ZCH_NSHARES=0
	ZCH_HOSTNAME=zchttp-vm
	# shellcheck source=/dev/null
	. "/newroot$OUT/config" || fail "cannot read $OUT/config"

	mount -t tmpfs -o mode=0755 zchttp-rw /newroot/run/zchttp/rw || fail "tmpfs rw"
	for d in $RWDIRS; do
		mount_rw_dir "$d"
	done
	[ -d /newroot/tmp ] && chmod 1777 /newroot/tmp

	mount --move /dev /newroot/dev || fail "move /dev"
	mount --move /proc /newroot/proc || fail "move /proc"
	mount --move /sys /newroot/sys || fail "move /sys"
	mkdir -p /newroot/dev/pts /newroot/dev/shm
	mount -t devpts -o gid=5,mode=0620,ptmxmode=0666 devpts /newroot/dev/pts
	mount -t tmpfs -o mode=1777,nosuid,nodev shm /newroot/dev/shm
	mount -t debugfs debugfs /newroot/sys/kernel/debug || msg "no debugfs"
	mount -t tracefs tracefs /newroot/sys/kernel/tracing || msg "no tracefs"
	mount -t cgroup2 cgroup2 /newroot/sys/fs/cgroup || msg "no cgroup2"
	ln -s /proc/self/fd /newroot/dev/fd
	ln -s /proc/self/fd/0 /newroot/dev/stdin
	ln -s /proc/self/fd/1 /newroot/dev/stdout
	ln -s /proc/self/fd/2 /newroot/dev/stderr

	if [ -n "$ZCH_MODDIR" ]; then
		# Guest modules outside /lib/modules/$(uname -r) of the host.
		rel=$(uname -r)
		if ! mount -t tmpfs -o mode=0755 modules /newroot/lib/modules ||
			! mkdir -p "/newroot/lib/modules/$rel" ||
			! mount --bind "/newroot$ZCH_MODDIR" "/newroot/lib/modules/$rel"; then
			fail "cannot bind $ZCH_MODDIR on /lib/modules/$rel"
		fi
	fi

	i=0
	while [ "$i" -lt "$ZCH_NSHARES" ]; do
		dir=
		eval "dir=\$ZCH_SHARE_$i"
		mount -t 9p -o "$RW_OPTS" "share$i" "/newroot$dir" ||
			fail "cannot mount share$i on $dir"
		i=$((i + 1))
	done

	setup_network

	cp /bin/busybox /newroot/run/zchttp/busybox || fail "copy busybox"
	cp /init /newroot/run/zchttp/init || fail "copy init"
	# shellcheck disable=SC2093 # fail() runs only if exec fails
	exec switch_root /newroot /run/zchttp/busybox sh /run/zchttp/init stage2
	fail "switch_root"
}

# Device node of the virtio-serial port named $1 (empty if absent).
find_port() {
	for p in /sys/class/virtio-ports/*; do
		[ -r "$p/name" ] || continue
		if [ "$("$BB" cat "$p/name")" = "$1" ]; then
			echo "/dev/${p##*/}"
			return 0
		fi
	done
}

stage2() {
	BB=/run/zchttp/busybox
	export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	case " $("$BB" cat /proc/cmdline) " in *" zch.debug "*) set -x ;; esac

	port=$(find_port zch.out)
	[ -n "$port" ] || port=/dev/console

	"$BB" sh "$OUT/cmd.sh" </dev/null >"$port" 2>&1
	rc=$?

	"$BB" dmesg >"$OUT/dmesg.log" 2>&1
	echo "$rc" >"$OUT/status.tmp" && "$BB" mv "$OUT/status.tmp" "$OUT/status"
	"$BB" sync
	"$BB" umount "$OUT"
	halt_now
}

case ${1:-} in
stage2) stage2 ;;
*) stage1 ;;
esac
