#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run a command against another Debian suite's kernel: a "kernel lane".
#
# usage: scripts/lane.sh SUITE [VM.SH OPTIONS] -- COMMAND [ARGS...]
#        scripts/lane.sh SUITE --build-only
#   SUITE: trixie (6.12) | sid (newest kernel)
#
# 1. scripts/lane-root.sh SUITE: the suite's cached debootstrap root ROOT.
# 2. Copies this tree to $ZCH_CACHE/build/SUITE/src (the host build in
#    kmod/ is left alone) and builds zchttp.ko (W=1), zcctl and the
#    selftests there, chrooted in ROOT with the suite's own gcc against its
#    kernel headers.  $ZCH_CACHE is bind-mounted at its own path in ROOT,
#    so the build copy and the host's kernel source (scripts/deps.sh, for
#    the kselftest framework) have the same paths in and out of the chroot.
# 3. scripts/vm.sh --root ROOT boots ROOT's kernel with ROOT as the guest's
#    root and runs COMMAND in the build copy (same layout as this tree),
#    with ZCH_KO and ZCCTL naming the lane's module and tool.  $ZCH_CACHE
#    and this tree are shared read-write at their own paths; ZCH_LANE_SRC
#    names this tree, ZCH_LANE_SUITE the suite.
#
# Exit status: COMMAND's (see vm.sh); 4 if the lane is skipped (mirror or
# suite unavailable, "SKIP: ..." on stderr); 1 if the build fails or, with
# ZCH_LANE_WERROR=1 (the default), the module build warns.
#
# Environment: ZCH_CACHE, ZCH_LANE_MIRROR (see lane-root.sh),
# ZCH_LANE_WERROR (0: report W=1 warnings but go on), ZCH_VM_LOG.

set -euo pipefail

readonly PROG=lane.sh
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
TOP=$(cd "$SCRIPT_DIR/.." && pwd -P)
readonly TOP

ZCH_CACHE=${ZCH_CACHE:-${HOME:-/root}/.cache/zchttp}
mkdir -p "$ZCH_CACHE"
ZCH_CACHE=$(realpath -e "$ZCH_CACHE")
export ZCH_CACHE

die() {
	echo "$PROG: error: $*" >&2
	exit 1
}

log() {
	echo "$PROG: $*" >&2
}

usage() {
	cat <<EOF
usage: scripts/lane.sh SUITE [VM.SH OPTIONS] -- COMMAND [ARGS...]
       scripts/lane.sh SUITE --build-only
SUITE: trixie | sid.  Builds zchttp, zcctl and the selftests in the suite's
root and runs COMMAND in a VM booting the suite's kernel; see the header of
this script and Documentation/vm.rst.
EOF
}

# Run "sh -c SCRIPT" chrooted in ROOT with $ZCH_CACHE bind-mounted at its own
# path, in a private mount namespace (nothing stays mounted afterwards).
in_root() {
	local root=$1 script=$2
	mkdir -p "$root$ZCH_CACHE"
	# shellcheck disable=SC2016 # expanded by the inner sh
	unshare --mount --propagation private -- /bin/sh -ec '
		root=$1 cache=$2 script=$3
		mount -t proc proc "$root/proc"
		mount -t sysfs sysfs "$root/sys"
		mount --rbind /dev "$root/dev"
		mount --bind "$cache" "$root$cache"
		exec chroot "$root" /usr/bin/env -i \
			PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
			/bin/sh -ec "$script"' sh "$root" "$ZCH_CACHE" "$script"
}

# Fresh copy of the tree (no .git, no build products) in $1.
copy_tree() {
	local dest=$1
	rm -rf --one-file-system "$dest"
	mkdir -p "$dest"
	tar -C "$TOP" --exclude=./.git --exclude='*.o' --exclude='*.ko' \
		--exclude='*.cmd' --exclude='*.mod' --exclude='*.mod.c' \
		--exclude=./build -cf - . | tar -C "$dest" -xf -
}

# Build module, zcctl and selftests in the lane root; $BUILD/build.log.
build_in_root() {
	local root=$1 rel=$2 src=$3 ksft=$4 logf warn
	logf=$BUILD/build.log
	log "building zchttp.ko (W=1), zcctl and the selftests with $SUITE's gcc" \
		"against $rel (log: $logf)"
	if ! in_root "$root" "
		cd '$src'
		echo \"== \$(gcc --version | head -n 1)\"
		make -C kmod KDIR=/lib/modules/$rel/build clean >/dev/null
		make -C kmod KDIR=/lib/modules/$rel/build W=1 -j$(nproc)
		make -C tools/zcctl clean >/dev/null
		make -C tools/zcctl -j$(nproc)
		make -C selftests KSFT='$ksft' clean >/dev/null
		make -C selftests KSFT='$ksft' -j$(nproc)
	" >"$logf" 2>&1; then
		grep -E 'error|Error' "$logf" | head -n 40 >&2 || tail -n 40 "$logf" >&2
		die "the build in the $SUITE root failed (full log: $logf)"
	fi
	[[ -e $src/kmod/zchttp.ko && -x $src/tools/zcctl/zcctl ]] ||
		die "build finished without zchttp.ko or zcctl (log: $logf)"
	warn=$(grep -E '(warning|error):' "$logf" | grep -vc 'Skipping BTF') || warn=0
	log "$(grep -m 1 '^== ' "$logf" | cut -c4-): $warn warning(s)"
	if ((warn)); then
		grep -E '(warning|error):' "$logf" | grep -v 'Skipping BTF' >&2
		[[ ${ZCH_LANE_WERROR:-1} == 0 ]] ||
			die "W=1 warnings in the $SUITE build (ZCH_LANE_WERROR=0 to go on)"
	fi
}

main() {
	(($#)) || { usage >&2; exit 1; }
	case $1 in -h | --help) usage; exit 0 ;; esac
	SUITE=$1
	shift
	local build_only=0
	local -a vmopts=() cmd=()
	while (($#)); do
		case $1 in
		--build-only) build_only=1; shift ;;
		--) shift; cmd=("$@"); break ;;
		*) vmopts+=("$1"); shift ;;
		esac
	done
	((build_only || ${#cmd[@]})) || { usage >&2; die "no COMMAND given"; }

	local root rc=0 rel ksrc ksft
	root=$("$SCRIPT_DIR/lane-root.sh" "$SUITE" | tail -n 1) || rc=$?
	((rc == 0)) || exit "$rc"
	rel=$(sed -n 's/^kernel_release=//p' "$root/.zchttp-lane")
	[[ -n $rel ]] || die "$root/.zchttp-lane names no kernel release"

	ksrc=$("$SCRIPT_DIR/deps.sh" | tail -n 1) || die "scripts/deps.sh failed"
	ksrc=$(realpath -e "$ksrc")
	ksft=$ksrc/tools/testing/selftests
	[[ -r $ksft/lib.mk ]] || die "no kselftest framework in $ksft"
	[[ $ksft == "$ZCH_CACHE"/* ]] ||
		die "$ksft is not under \$ZCH_CACHE=$ZCH_CACHE: not visible in the lane"

	# One lane run per suite at a time: the build copy is shared.
	BUILD=$ZCH_CACHE/build/$SUITE
	mkdir -p "$BUILD"
	exec 8>"$BUILD.lock"
	flock 8 || die "cannot lock $BUILD.lock"

	local start=$SECONDS src=$BUILD/src
	copy_tree "$src"
	build_in_root "$root" "$rel" "$src" "$ksft"
	log "built in $((SECONDS - start)) s: $src/kmod/zchttp.ko"
	((build_only)) && exit 0

	log "booting $SUITE's $rel"
	cd "$src"
	rc=0
	ZCH_LANE_SRC=$TOP ZCH_LANE_SUITE=$SUITE \
		"$SCRIPT_DIR/vm.sh" --root "$root" --share "$ZCH_CACHE" --share "$TOP" \
		"${vmopts[@]}" -- /usr/bin/env "ZCH_KO=$src/kmod/zchttp.ko" \
		"ZCCTL=$src/tools/zcctl/zcctl" "${cmd[@]}" || rc=$?
	exit "$rc"
}

main "$@"
