#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) and cache a Debian root file system for a kernel lane: a
# debootstrap "minbase" of SUITE with the suite's kernel, headers, compiler
# and everything the selftests run.  scripts/lane.sh builds zchttp in it
# (chroot) and boots its kernel with it as the guest root (vm.sh --root).
#
# usage: scripts/lane-root.sh SUITE        (SUITE: trixie | sid)
#
# The root is $ZCH_CACHE/roots/<suite>-<key>, <key> a hash of the suite, the
# package list and this script.  It is complete when it holds the stamp file
# .zchttp-lane (suite, key, kernel release, build date); a directory without
# the stamp is a partial build and is rebuilt.  Safe to run concurrently
# (flock).  Prints the root's path on stdout (last line).
#
# Exit status: 0; 4 (after "SKIP: <suite> lane: <reason>") if the mirror
# cannot be reached or the suite cannot be installed; 1 on other errors.
#
# Environment:
#   ZCH_CACHE         cache directory (default: $HOME/.cache/zchttp)
#   ZCH_LANE_MIRROR   Debian mirror (default: http://deb.debian.org/debian)

set -euo pipefail

readonly PROG=lane-root.sh
readonly STAMP=.zchttp-lane
# Installed by debootstrap (--include).
readonly PACKAGES=(
	gcc make libc6-dev linux-headers-amd64 linux-image-amd64 kmod
	libnl-3-dev libnl-genl-3-dev pkg-config iproute2 curl wget python3
	e2fsprogs util-linux mount procps busybox bash coreutils mawk
	xz-utils zstd perl acl nfs-kernel-server dkms
)
# Installed afterwards if the suite has them (util-linux splits over time;
# the load test skips without ab and wrk). nginx is left out on purpose:
# the differential test's table of differences is for bookworm's nginx.
readonly OPTIONAL_PACKAGES=(setpriv apache2-utils wrk)
# What the build and the selftests run; checked in the finished root.
readonly NEEDED_CMDS=(
	gcc make pkg-config insmod rmmod lsmod modprobe depmod ip curl wget
	python3 mkfs.ext4 losetup setpriv mountpoint timeout awk sha256sum
	bash stat truncate mount setfacl rpc.nfsd rpc.mountd exportfs genl
)

ZCH_CACHE=${ZCH_CACHE:-${HOME:-/root}/.cache/zchttp}
MIRROR=${ZCH_LANE_MIRROR:-http://deb.debian.org/debian}

die() {
	echo "$PROG: error: $*" >&2
	exit 1
}

log() {
	echo "$PROG: $*" >&2
}

skip() {
	echo "SKIP: $SUITE lane: $*" >&2
	exit 4
}

cache_key() {
	{
		echo "suite $SUITE"
		echo "mirror $MIRROR"
		echo "packages ${PACKAGES[*]} / ${OPTIONAL_PACKAGES[*]}"
		cat "${BASH_SOURCE[0]}"
	} | sha256sum | cut -c1-12
}

# Newest kernel image of the root (its /boot/vmlinuz-*).
root_kernel() {
	find "$1/boot" -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' 2>/dev/null |
		sort -V | tail -n 1
}

# Run a command chrooted in $1 in a private mount namespace with /proc,
# /sys and /dev: every mount disappears with the namespace, even if killed.
in_root() {
	local root=$1
	shift
	# shellcheck disable=SC2016 # expanded by the inner sh
	unshare --mount --propagation private -- /bin/sh -ec '
		root=$1; shift
		mount -t proc proc "$root/proc"
		mount -t sysfs sysfs "$root/sys"
		mount --rbind /dev "$root/dev"
		exec chroot "$root" /usr/bin/env -i \
			PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
			DEBIAN_FRONTEND=noninteractive "$@"' sh "$root" "$@"
}

# Remove a partial root; never crosses into a mount that might be left.
remove_partial() {
	local dir=$1
	[[ -e $dir ]] || return 0
	if grep -qF " $dir/" /proc/self/mounts; then
		die "$dir has mounts below it; unmount them first"
	fi
	log "removing partial root $dir"
	rm -rf --one-file-system "$dir"
}

check_mirror() {
	local url=$MIRROR/dists/$SUITE/Release
	if command -v curl >/dev/null; then
		curl -fsS -m 30 -o /dev/null "$url" 2>/dev/null ||
			skip "cannot reach $url"
	elif command -v wget >/dev/null; then
		wget -q -T 30 -O /dev/null "$url" || skip "cannot reach $url"
	fi
}

build_root() {
	local dir=$1 log=$2 include rel p
	local -a opt=()

	check_mirror
	include=$(IFS=,; echo "${PACKAGES[*]}")
	log "debootstrap $SUITE into $dir (a few minutes; log: $log)"
	# debootstrap mounts /proc etc. in the target: keep them private.
	if ! unshare --mount --propagation private -- \
		debootstrap --variant=minbase --include="$include" \
		--components=main "$SUITE" "$dir" "$MIRROR" >"$log" 2>&1; then
		tail -n 15 "$log" >&2
		grep -E '^[EW]: ' "$log" | tail -n 3 >&2 || :
		skip "debootstrap $SUITE failed (see $log)"
	fi

	# no service may start inside the root (a postinst might try)
	printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
	chmod 755 "$dir/usr/sbin/policy-rc.d"
	for p in "${OPTIONAL_PACKAGES[@]}"; do
		if in_root "$dir" apt-cache show "$p" >/dev/null 2>&1; then
			opt+=("$p")
		fi
	done
	if ((${#opt[@]})); then
		in_root "$dir" apt-get install -y -q --no-install-recommends "${opt[@]}" \
			>>"$log" 2>&1 || skip "installing ${opt[*]} in $SUITE failed (see $log)"
	fi
	in_root "$dir" apt-get clean >>"$log" 2>&1 || :

	local missing=() c
	for c in "${NEEDED_CMDS[@]}"; do
		in_root "$dir" /bin/sh -c "command -v $c" >/dev/null 2>&1 || missing+=("$c")
	done
	((${#missing[@]} == 0)) || die "the $SUITE root lacks: ${missing[*]} (fix PACKAGES)"

	rel=$(root_kernel "$dir")
	rel=${rel#vmlinuz-}
	[[ -n $rel ]] || skip "no /boot/vmlinuz-* in the $SUITE root"
	[[ -d $dir/lib/modules/$rel/kernel ]] || die "no /lib/modules/$rel in the root"
	[[ -e $dir/usr/src/linux-headers-$rel/Makefile ]] ||
		die "no /usr/src/linux-headers-$rel in the root"
	# The kernel images in /boot are 0600: QEMU (and users) read them.
	chmod 0644 "$dir/boot/vmlinuz-$rel"
	{
		echo "suite=$SUITE"
		echo "key=$KEY"
		echo "kernel_release=$rel"
		echo "vmlinuz=/boot/vmlinuz-$rel"
		echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	} >"$dir/$STAMP.tmp"
	mv -f "$dir/$STAMP.tmp" "$dir/$STAMP"
}

main() {
	(($# == 1)) || die "usage: $0 SUITE (trixie | sid)"
	SUITE=$1
	case $SUITE in
	trixie | sid) ;;
	*) die "unknown suite '$SUITE' (trixie | sid)" ;;
	esac
	[[ $(id -u) -eq 0 ]] || die "must run as root (debootstrap, chroot)"
	local t
	for t in debootstrap unshare chroot sha256sum; do
		command -v "$t" >/dev/null || die "$t not found (run scripts/deps.sh)"
	done

	KEY=$(cache_key)
	local roots=$ZCH_CACHE/roots dir
	dir=$roots/$SUITE-$KEY
	mkdir -p "$roots"
	if [[ ! -e $dir/$STAMP ]]; then
		exec 9>"$roots/.$SUITE-$KEY.lock"
		flock 9 || die "cannot lock $roots/.$SUITE-$KEY.lock"
		if [[ ! -e $dir/$STAMP ]]; then
			local start=$SECONDS
			remove_partial "$dir"
			build_root "$dir" "$roots/$SUITE-$KEY.log"
			log "$SUITE root ready in $((SECONDS - start)) s:" \
				"kernel $(sed -n 's/^kernel_release=//p' "$dir/$STAMP")"
		fi
		exec 9>&-
	fi
	echo "$dir"
}

main "$@"
