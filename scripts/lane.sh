#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run a command against another Debian suite's kernel: a "kernel lane".
#
# usage: scripts/lane.sh SUITE [VM.SH OPTIONS] -- COMMAND [ARGS...]
#        scripts/lane.sh SUITE --build-only
#   SUITE: trixie (6.12) | sid (newest kernel) | debug (debug 6.1 kernel)
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
# SUITE debug instead: scripts/debug-kernel.sh builds (cached) a 6.1 kernel
# with KASAN, lockdep, kmemleak, DEBUG_OBJECTS, ...; zchttp.ko (W=1), zcctl
# and the selftests are built on the host (its gcc) in the copy, the module
# against the debug build tree, and COMMAND runs in a VM booting the debug
# kernel with the host's / as root (like the bookworm run), wrapped: the
# guest copies /dev/kmsg continuously to kmsg.log in a directory of the
# boot's own, $ZCH_CACHE/build/debug/boot.XXXXXX, kept if the boot fails
# (the selftests' `dmesg -C` does not hide anything from it), clears the
# kmemleak suspects of the boot before COMMAND and scans twice after it
# (kmemleak.log).  The lane fails if either file or the guest dmesg holds a
# kernel report (DEBUG_REPORT_RE below); the lines are printed.
#
# Exit status: COMMAND's (see vm.sh); 3 if COMMAND succeeded but the debug
# lane found kernel reports; 4 if the lane is skipped (mirror or
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
SUITE: trixie | sid | debug.  Builds zchttp, zcctl and the selftests in the
suite's root (debug: on the host, against scripts/debug-kernel.sh's tree)
and runs COMMAND in a VM booting the suite's kernel; see the header of this
script and Documentation/vm.rst.
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

# The tree without .git and build products, as a tar stream on stdout.
tree_tar() {
	tar -C "$TOP" --exclude=./.git --exclude='*.o' --exclude='*.ko' \
		--exclude='*.cmd' --exclude='*.mod' --exclude='*.mod.c' \
		--exclude=./build -cf - .
}

# Fresh copy of the tree in $1.
copy_tree() {
	local dest=$1
	rm -rf --one-file-system "$dest"
	mkdir -p "$dest"
	tree_tar | tar -C "$dest" -xf -
}

# Build module, zcctl and selftests in the lane root (on the host if ROOT is
# empty) against the kernel build tree KDIR; $BUILD/build.log.
build_in_root() {
	local root=$1 rel=$2 src=$3 ksft=$4 kdir=$5 logf warn script
	logf=$BUILD/build.log
	if [[ -n $root ]]; then
		log "building zchttp.ko (W=1), zcctl and the selftests with $SUITE's gcc" \
			"against $rel (log: $logf)"
	else
		log "building zchttp.ko (W=1), zcctl and the selftests on the host" \
			"against $kdir (log: $logf)"
	fi
	script="
		cd '$src'
		echo \"== \$(gcc --version | head -n 1)\"
		make -C kmod KDIR='$kdir' clean >/dev/null
		make -C kmod KDIR='$kdir' W=1 -j$(nproc)
		make -C tools/zcctl clean >/dev/null
		make -C tools/zcctl -j$(nproc)
		make -C selftests KSFT='$ksft' clean >/dev/null
		make -C selftests KSFT='$ksft' -j$(nproc)
	"
	if ! if [[ -n $root ]]; then
		in_root "$root" "$script"
	else
		/bin/sh -ec "$script"
	fi >"$logf" 2>&1; then
		grep -E 'error|Error' "$logf" | head -n 40 >&2 || tail -n 40 "$logf" >&2
		[[ -n $root ]] || die "the host build for the $SUITE lane failed (full log: $logf)"
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

# Kernel reports that fail the debug lane, and lines of every boot that
# match them anyway (shared with lib.sh and ksft-run.sh).
DEBUG_REPORT_RE=$(sed -n 's/^report //p' "$SCRIPT_DIR/kernel-reports.re")
DEBUG_BENIGN_RE=$(sed -n 's/^benign //p' "$SCRIPT_DIR/kernel-reports.re")
readonly DEBUG_REPORT_RE DEBUG_BENIGN_RE

# The debug lane's guest wrapper (bash -c SCRIPT zch-debug KMSG LEAKS CMD...).
# A python3 reader copies /dev/kmsg to KMSG from the start of the ring
# buffer (riding over overruns) until it reads the end marker that the
# wrapper writes after the kmemleak scans: waiting for it is the
# synchronisation.
# shellcheck disable=SC2016 # expanded by the guest's bash
readonly DEBUG_GUEST='set -u
kmsg=$1 leaks=$2
shift 2
kml=/sys/kernel/debug/kmemleak
end="zchttp-debug-lane: end of run $$"
python3 -c "
import os, sys
fd = os.open(\"/dev/kmsg\", os.O_RDONLY)
with open(sys.argv[1], \"w\") as out:
    while True:
        try:
            rec = os.read(fd, 16384).decode(errors=\"replace\")
        except BrokenPipeError:
            out.write(\"zchttp-debug-lane: kmsg overrun, records lost\\n\")
            continue
        out.write(rec)
        out.flush()
        if sys.argv[2] in rec:
            break
" "$kmsg" "$end" &
reader=$!
if [ -w "$kml" ]; then
	echo scan >"$kml" && echo clear >"$kml" || echo "zchttp-debug-lane: kmemleak scan/clear failed" >&2
else
	echo "zchttp-debug-lane: no $kml: is kmemleak off?" >&2
fi
rc=0
"$@" || rc=$?
if [ -w "$kml" ]; then
	echo scan >"$kml" && echo scan >"$kml" && cat "$kml" >"$leaks" ||
		echo "zchttp-debug-lane: kmemleak scan failed" >&2
fi
echo "$end" >/dev/kmsg
wait "$reader" || echo "zchttp-debug-lane: the kmsg reader failed" >&2
exit "$rc"'

# Run COMMAND in the debug kernel, wrapped by DEBUG_GUEST, and check the
# guest's kernel log.  Exits.
run_debug() {
	local image=$1 moddir=$2 src=$3 rc=0 f bad
	shift 3
	local -a vmopts=() cmd=()
	while (($#)); do
		[[ $1 == -- ]] && { shift; cmd=("$@"); break; }
		vmopts+=("$1")
		shift
	done
	# logs of this boot: another may run beside it
	local logs
	logs=$(mktemp -d "$BUILD/boot.XXXXXX") || die "cannot make a log directory"
	local kmsg=$logs/kmsg.log leaks=$logs/kmemleak.log
	local vmlog=$logs/vm-dmesg.log
	log "booting the debug kernel $(basename "$moddir") (KASAN+TCG: slow)"
	cd "$src"
	# No PVH entry in the debug kernel (see debug-kernel.sh): boot the
	# bzImage without trying to extract one.
	ZCH_VM_PVH=0 ZCH_VM_LOG=$vmlog ZCH_LANE_SRC=$TOP ZCH_LANE_SUITE=$SUITE \
		"$SCRIPT_DIR/vm.sh" --kernel "$image" --modules-dir "$moddir" \
		--share "$ZCH_CACHE" --share "$TOP" --timeout 7200 \
		--append "log_buf_len=8M slub_debug=A,zch_conn,zch_buf" \
		"${vmopts[@]}" -- \
		/bin/bash -c "$DEBUG_GUEST" zch-debug "$kmsg" "$leaks" \
		/usr/bin/env "ZCH_KO=$src/kmod/zchttp.ko" \
		"ZCCTL=$src/tools/zcctl/zcctl" "${cmd[@]}" || rc=$?
	[[ -s $kmsg ]] || log "warning: no guest kmsg copy ($kmsg), checking the guest dmesg only"
	bad=0
	for f in "$kmsg" "$leaks" "$vmlog"; do
		[[ -s $f ]] || continue
		if grep -E "$DEBUG_REPORT_RE" "$f" | grep -qvE "$DEBUG_BENIGN_RE"; then
			echo "$PROG: kernel reports in $f:" >&2
			grep -nE "$DEBUG_REPORT_RE" "$f" | grep -vE "$DEBUG_BENIGN_RE" |
				head -n 200 >&2
			bad=1
		fi
	done
	if ((bad)); then
		log "FAIL: the debug kernel reported problems (logs: $kmsg $leaks $vmlog)"
		((rc)) || rc=3
	else
		log "no kernel reports (logs: $kmsg $leaks $vmlog)"
	fi
	# the caller's copy of the guest dmesg, if asked for
	if [[ -n ${ZCH_VM_LOG:-} && -e $vmlog ]]; then
		cp -f "$vmlog" "$ZCH_VM_LOG"
	fi
	# kept while they may tell something
	((rc)) || rm -rf "$logs"
	exit "$rc"
}

# built STAMP SRC: does SRC hold the build of the tree STAMP names?
built() {
	[[ $(cat "$BUILD/tree.stamp" 2>/dev/null) == "$1" &&
		-e $2/kmod/zchttp.ko && -x $2/tools/zcctl/zcctl ]]
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

	local root='' rc=0 rel ksrc ksft kdir image='' moddir=''
	if [[ $SUITE == debug ]]; then
		local -a paths
		mapfile -t paths < <("$SCRIPT_DIR/debug-kernel.sh" | tail -n 3)
		if ((${#paths[@]} != 3)) || [[ ! -d ${paths[2]} ]]; then
			die "scripts/debug-kernel.sh failed"
		fi
		image=${paths[0]} moddir=${paths[1]} kdir=${paths[2]}
		rel=$(basename "$moddir")
	else
		root=$("$SCRIPT_DIR/lane-root.sh" "$SUITE" | tail -n 1) || rc=$?
		((rc == 0)) || exit "$rc"
		rel=$(sed -n 's/^kernel_release=//p' "$root/.zchttp-lane")
		[[ -n $rel ]] || die "$root/.zchttp-lane names no kernel release"
		kdir=/lib/modules/$rel/build
	fi

	ksrc=$("$SCRIPT_DIR/deps.sh" | tail -n 1) || die "scripts/deps.sh failed"
	ksrc=$(realpath -e "$ksrc")
	ksft=$ksrc/tools/testing/selftests
	[[ -r $ksft/lib.mk ]] || die "no kselftest framework in $ksft"
	[[ $ksft == "$ZCH_CACHE"/* ]] ||
		die "$ksft is not under \$ZCH_CACHE=$ZCH_CACHE: not visible in the lane"

	# The build copy of a suite is shared: boots of the same tree use it
	# side by side (check.sh runs two boots of each lane, the selftests
	# and the one-vCPU ones) under a shared lock; a build of another tree
	# takes it alone, once no boot uses the copy.
	BUILD=$ZCH_CACHE/build/$SUITE
	mkdir -p "$BUILD"
	exec 8>"$BUILD.lock"
	flock -s 8 || die "cannot lock $BUILD.lock"

	local start=$SECONDS src=$BUILD/src stamp
	stamp=$( { echo "$rel $kdir $ksft"; tree_tar; } | sha256sum | cut -c1-16)
	# flock(2) drops a lock before it takes the other kind: a build of
	# another tree may come in between, so check again under each.
	while ! built "$stamp" "$src"; do
		flock -u 8
		flock 8 || die "cannot lock $BUILD.lock"
		if ! built "$stamp" "$src"; then
			rm -f "$BUILD/tree.stamp"
			copy_tree "$src"
			build_in_root "$root" "$rel" "$src" "$ksft" "$kdir"
			echo "$stamp" >"$BUILD/tree.stamp"
			log "built in $((SECONDS - start)) s: $src/kmod/zchttp.ko"
		fi
		flock -u 8
		flock -s 8 || die "cannot lock $BUILD.lock"
	done
	log "using the build of this tree: $src/kmod/zchttp.ko"
	((build_only)) && exit 0
	[[ $SUITE == debug ]] && run_debug "$image" "$moddir" "$src" "${vmopts[@]}" -- "${cmd[@]}"

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
