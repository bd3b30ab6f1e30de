#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once, cached) a debug 6.1 kernel for the "debug" lane of
# scripts/lane.sh: KASAN, lockdep, kmemleak, DEBUG_OBJECTS, DEBUG_LIST, ...
#
# usage: scripts/debug-kernel.sh [--force]
#
# The source is Debian's linux-source-6.1 as extracted by scripts/deps.sh;
# it is left pristine: the build is out of tree (make O=) in
#   $ZCH_CACHE/debug-kernel/KEY/obj              build tree (make -C ... M=)
#   $ZCH_CACHE/debug-kernel/KEY/lib/modules/REL  modules_install output
# where KEY hashes the linux-source package version, the config fragment
# and this script.  The config is `make allnoconfig` with the fragment
# below forced (KCONFIG_ALLCONFIG): everything the VM and the selftests need
# is built in, so the modules dir holds no module and zchttp.ko is the only
# one ever loaded.  No PVH entry: with KASAN it booted to no output at all
# (its early C code, arch/x86/platform/pvh/enlighten.c, is instrumented and
# runs before the KASAN shadow exists); without it vm.sh boots the bzImage.  Every line of the fragment is checked in the final
# .config.  A failed build keeps its tree and is resumed incrementally.
#
# Prints, as its last three lines: the bzImage, the modules dir, the build
# tree.  Build log: KEY/build.log; cold build time: KEY/build-seconds.
#
# Environment: ZCH_CACHE (default $HOME/.cache/zchttp), ZCH_JOBS (make -j,
# default nproc).  The build runs under `nice -n 10`.

set -euo pipefail

readonly PROG=debug-kernel.sh
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
readonly LOCALVERSION=-zchdebug

die() {
	echo "$PROG: error: $*" >&2
	exit 1
}

log() {
	echo "$PROG: $*" >&2
}

# The configuration, on top of allnoconfig.
fragment() {
	cat <<'EOF'
CONFIG_64BIT=y
CONFIG_SMP=y
CONFIG_LOCALVERSION="-zchdebug"
# CONFIG_LOCALVERSION_AUTO is not set
CONFIG_KERNEL_GZIP=y
CONFIG_CC_OPTIMIZE_FOR_PERFORMANCE=y
CONFIG_PREEMPT=y
CONFIG_HIGH_RES_TIMERS=y
CONFIG_NO_HZ_IDLE=y
CONFIG_SLUB=y
CONFIG_SLUB_DEBUG=y
CONFIG_SYSVIPC=y
CONFIG_POSIX_MQUEUE=y
CONFIG_BLK_DEV_INITRD=y
CONFIG_KALLSYMS=y
CONFIG_KALLSYMS_ALL=y
CONFIG_PRINTK=y
CONFIG_PRINTK_TIME=y
CONFIG_BUG=y
CONFIG_MULTIUSER=y
CONFIG_FUTEX=y
CONFIG_EPOLL=y
CONFIG_SIGNALFD=y
CONFIG_TIMERFD=y
CONFIG_EVENTFD=y
CONFIG_SHMEM=y
CONFIG_AIO=y
CONFIG_FILE_LOCKING=y
CONFIG_POSIX_TIMERS=y
CONFIG_ADVISE_SYSCALLS=y
CONFIG_MEMBARRIER=y
CONFIG_FHANDLE=y
CONFIG_INOTIFY_USER=y
CONFIG_NAMESPACES=y
CONFIG_UTS_NS=y
CONFIG_IPC_NS=y
CONFIG_PID_NS=y
CONFIG_NET_NS=y
CONFIG_USER_NS=y
CONFIG_BINFMT_ELF=y
CONFIG_BINFMT_SCRIPT=y
CONFIG_MODULES=y
CONFIG_MODULE_UNLOAD=y
# CONFIG_MODVERSIONS is not set
# CONFIG_MODULE_SIG is not set
CONFIG_HYPERVISOR_GUEST=y
CONFIG_PARAVIRT=y
CONFIG_KVM_GUEST=y
# CONFIG_PVH is not set
CONFIG_ACPI=y
CONFIG_PCI=y
CONFIG_UNWINDER_ORC=y
CONFIG_TTY=y
CONFIG_UNIX98_PTYS=y
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y
CONFIG_MAGIC_SYSRQ=y
CONFIG_VIRTIO_MENU=y
CONFIG_VIRTIO_PCI=y
CONFIG_VIRTIO_CONSOLE=y
CONFIG_NETDEVICES=y
CONFIG_NET_CORE=y
CONFIG_VIRTIO_NET=y
CONFIG_VETH=y
CONFIG_BLOCK=y
CONFIG_BLK_DEV=y
CONFIG_BLK_DEV_LOOP=y
CONFIG_NET=y
CONFIG_UNIX=y
CONFIG_PACKET=y
CONFIG_INET=y
CONFIG_IPV6=y
CONFIG_SYN_COOKIES=y
CONFIG_NET_9P=y
CONFIG_NET_9P_VIRTIO=y
CONFIG_NETWORK_FILESYSTEMS=y
CONFIG_9P_FS=y
CONFIG_9P_FS_POSIX_ACL=y
CONFIG_FS_POSIX_ACL=y
CONFIG_PROC_FS=y
CONFIG_PROC_SYSCTL=y
CONFIG_SYSFS=y
CONFIG_DEVTMPFS=y
CONFIG_TMPFS=y
CONFIG_TMPFS_POSIX_ACL=y
CONFIG_TMPFS_XATTR=y
CONFIG_OVERLAY_FS=y
CONFIG_EXT4_FS=y
CONFIG_EXT4_FS_POSIX_ACL=y
CONFIG_NFS_FS=y
CONFIG_NFS_V4=y
CONFIG_NFSD=y
CONFIG_NFSD_V4=y
CONFIG_DEBUG_FS=y
CONFIG_FTRACE=y
CONFIG_FUNCTION_TRACER=y
CONFIG_DYNAMIC_FTRACE=y
CONFIG_KPROBES=y
CONFIG_KPROBE_EVENTS=y
# CONFIG_DEBUG_INFO is not set
CONFIG_DEBUG_INFO_NONE=y
CONFIG_DEBUG_KERNEL=y
CONFIG_PANIC_ON_OOPS=y
CONFIG_KASAN=y
CONFIG_KASAN_GENERIC=y
CONFIG_KASAN_INLINE=y
CONFIG_PROVE_LOCKING=y
CONFIG_DEBUG_ATOMIC_SLEEP=y
CONFIG_DEBUG_KMEMLEAK=y
CONFIG_DEBUG_KMEMLEAK_MEM_POOL_SIZE=32000
# CONFIG_DEBUG_KMEMLEAK_DEFAULT_OFF is not set
# CONFIG_DEBUG_KMEMLEAK_AUTO_SCAN is not set
CONFIG_DEBUG_OBJECTS=y
CONFIG_DEBUG_OBJECTS_FREE=y
CONFIG_DEBUG_OBJECTS_TIMERS=y
CONFIG_DEBUG_OBJECTS_WORK=y
CONFIG_DEBUG_OBJECTS_ENABLE_DEFAULT=1
CONFIG_DEBUG_LIST=y
CONFIG_DEBUG_VM=y
CONFIG_FAULT_INJECTION=y
CONFIG_FAULT_INJECTION_DEBUG_FS=y
CONFIG_FAILSLAB=y
CONFIG_FAIL_PAGE_ALLOC=y
CONFIG_FUNCTION_ERROR_INJECTION=y
CONFIG_FAIL_FUNCTION=y
EOF
}

# Check that every fragment line made it into .config ($1).
check_config() {
	local config=$1 line sym bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			grep -qxF -- "$line" "$config" || {
				log "config: wanted $line, got: $(grep -E "^(# )?${line%%=*}[= ]" "$config" || echo unset)"
				bad=1
			}
			;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			! grep -q "^$sym=" "$config" || {
				log "config: wanted $sym unset, got: $(grep "^$sym=" "$config")"
				bad=1
			}
			;;
		esac
	done < <(fragment)
	((bad == 0))
}

main() {
	local force=0
	case ${1:-} in
	'') ;;
	--force) force=1 ;;
	-h | --help) sed -n '3,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "usage: $0 [--force]" ;;
	esac

	local ksrc ver key dir obj
	ksrc=$("$SCRIPT_DIR/deps.sh" | tail -n 1) || die "scripts/deps.sh failed"
	ksrc=$(realpath -e "$ksrc")
	ver=$(<"$ksrc/.zchttp-extracted") || die "$ksrc is not a deps.sh extraction"
	ZCH_CACHE=${ZCH_CACHE:-${HOME:-/root}/.cache/zchttp}
	ZCH_CACHE=$(realpath -e "$ZCH_CACHE")
	[[ -e $ksrc/.config || -d $ksrc/include/config ]] &&
		die "$ksrc is not pristine (has a .config or include/config): out-of-tree builds refuse it"

	key=$({
		echo "linux-source-6.1 $ver"
		fragment
		cat "${BASH_SOURCE[0]}"
	} | sha256sum | cut -c1-16)
	dir=$ZCH_CACHE/debug-kernel/$key
	obj=$dir/obj
	mkdir -p "$dir"
	exec 9>"$dir.lock"
	flock 9 || die "cannot lock $dir.lock"
	((force)) && rm -f "$dir/.done"

	local rel image moddir
	if [[ ! -e $dir/.done ]]; then
		local tool
		for tool in flex bison bc; do
			command -v "$tool" >/dev/null || die "$tool missing (run scripts/deps.sh)"
		done
		local -a mk=(nice -n 10 make -C "$ksrc" O="$obj" -j"${ZCH_JOBS:-$(nproc)}")
		local start=$SECONDS logf=$dir/build.log
		mkdir -p "$obj"
		fragment >"$dir/fragment.config"
		log "building the debug kernel $ver in $obj (log: $logf; 15-20 min on 2 busy cores)"
		{
			echo "== $(date -u) start"
			"${mk[@]}" KCONFIG_ALLCONFIG="$dir/fragment.config" allnoconfig
		} >"$logf" 2>&1 || { tail -n 30 "$logf" >&2; die "allnoconfig failed (log: $logf)"; }
		check_config "$obj/.config" ||
			die "the fragment does not apply to $ver (see above; $obj/.config)"
		if ! "${mk[@]}" bzImage modules >>"$logf" 2>&1; then
			grep -E 'error|Error' "$logf" | head -n 30 >&2 || tail -n 30 "$logf" >&2
			die "kernel build failed (log: $logf; rerun to resume)"
		fi
		rm -rf "${dir:?}/lib"
		"${mk[@]}" INSTALL_MOD_PATH="$dir" modules_install >>"$logf" 2>&1 ||
			{ tail -n 30 "$logf" >&2; die "modules_install failed (log: $logf)"; }
		echo "$((SECONDS - start))" >"$dir/build-seconds"
		echo "== $(date -u) done in $((SECONDS - start)) s" >>"$logf"
		log "built in $((SECONDS - start)) s"
		: >"$dir/.done"
	fi

	rel=$(<"$obj/include/config/kernel.release") || die "no kernel.release in $obj"
	[[ $rel == *"$LOCALVERSION" ]] || die "unexpected kernel release $rel"
	image=$obj/arch/x86/boot/bzImage
	moddir=$dir/lib/modules/$rel
	[[ -s $image ]] || die "$image missing (rerun with --force)"
	[[ -r $moddir/modules.dep && -r $moddir/modules.builtin ]] ||
		die "$moddir is incomplete (rerun with --force)"
	echo "$image"
	echo "$moddir"
	echo "$obj"
}

main "$@"
