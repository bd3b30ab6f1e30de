#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel in QEMU with the host root shared read-only over virtio-9p
# and run one command in it (like virtme-ng).  See Documentation/vm.rst.
#
# Exit status: the command's; 124 on --timeout; 125 if QEMU failed, the guest
# panicked or never reported a status; 130 on Ctrl-C.

set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
readonly PROG=vm.sh
readonly GUEST_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

ZCH_CACHE=${ZCH_CACHE:-${HOME:-/root}/.cache/zchttp}
export ZCH_CACHE

KERNEL=
MODDIR=
ROOTFS=
MEM=2G
CPUS=2
TIMEOUT=1800
VERBOSE=0
APPEND_EXTRA=
FWDS=()
SHARES=()
CMD=()

BOOT_IMAGE=
OUTDIR=
QEMU_PID=

usage() {
	cat <<EOF
usage: scripts/vm.sh [--root DIR] [--kernel VMLINUZ] [--modules-dir /lib/modules/REL]
                     [--mem 2G] [--cpus 2] [--fwd HOSTPORT:GUESTPORT]... [--timeout SECONDS]
                     [--share DIR]... [--verbose] [--append KERNEL_ARGS] -- COMMAND [ARGS...]

Boots KERNEL (default: newest /boot/vmlinuz-6.1.*) in QEMU with the host's /
mounted read-only as the guest root, runs COMMAND as root in the current
directory, streams its stdout/stderr here and exits with its status
(124: timeout, 125: VM failure, 130: interrupted).

  --root DIR             guest root: DIR instead of the host's / (e.g. a lane
                         root of scripts/lane-root.sh); the current directory is
                         then shared read-write at its own path
  --kernel VMLINUZ       bzImage to boot (with --root: newest DIR/boot/vmlinuz-*)
  --modules-dir DIR      guest modules (default /lib/modules/<kernel release>,
                         of the --root DIR if given)
  --mem SIZE             guest RAM (default $MEM)
  --cpus N               guest CPUs (default $CPUS)
  --fwd HOST:GUEST       forward tcp 127.0.0.1:HOST to guest port GUEST
                         (adds a virtio NIC, guest eth0 = 10.0.2.15/24)
  --timeout SECONDS      kill the VM after SECONDS (default $TIMEOUT)
  --share DIR            also mount host DIR read-write at the same path
  --verbose              show kernel messages and QEMU's serial console
  --append ARGS          extra kernel command line arguments
Environment: ZCH_VM_LOG (guest dmesg file), ZCH_CACHE (initramfs cache);
ZCH_* and CI are passed into the guest, which also gets ZCH_IN_VM=1.
EOF
}

die() {
	echo "$PROG: error: $*" >&2
	exit 125
}

msg() {
	echo "$PROG: $*" >&2
}

# POSIX-sh single quoting (vm-init.sh runs under dash).
shq() {
	local s=${1//\'/\'\\\'\'}
	printf "'%s'" "$s"
}

parse_args() {
	while (($#)); do
		case $1 in
		--root) ROOTFS=${2:?--root needs a dir}; shift 2 ;;
		--kernel) KERNEL=${2:?--kernel needs a file}; shift 2 ;;
		--modules-dir) MODDIR=${2:?--modules-dir needs a dir}; shift 2 ;;
		--mem) MEM=${2:?--mem needs a size}; shift 2 ;;
		--cpus) CPUS=${2:?--cpus needs a number}; shift 2 ;;
		--fwd) FWDS+=("${2:?--fwd needs HOSTPORT:GUESTPORT}"); shift 2 ;;
		--timeout) TIMEOUT=${2:?--timeout needs seconds}; shift 2 ;;
		--share) SHARES+=("${2:?--share needs a dir}"); shift 2 ;;
		--append) APPEND_EXTRA+=" ${2:?--append needs arguments}"; shift 2 ;;
		--verbose | -v) VERBOSE=1; shift ;;
		-h | --help) usage; exit 0 ;;
		--) shift; CMD=("$@"); break ;;
		-*) usage >&2; die "unknown option $1" ;;
		*) CMD=("$@"); break ;;
		esac
	done
	((${#CMD[@]})) || { usage >&2; die "no COMMAND given"; }
	[[ $CPUS =~ ^[1-9][0-9]*$ ]] || die "--cpus: not a number: $CPUS"
	[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "--timeout: not a number: $TIMEOUT"
	[[ $MEM =~ ^[1-9][0-9]*[MGmg]?$ ]] || die "--mem: bad size: $MEM"
	local f
	for f in "${FWDS[@]}"; do
		[[ $f =~ ^[1-9][0-9]*:[1-9][0-9]*$ ]] || die "--fwd: expected HOSTPORT:GUESTPORT, got $f"
	done
}

# Release string of a bzImage (from the setup header, no `file` needed).
kernel_release() {
	local img=$1 magic off
	magic=$(dd if="$img" bs=1 skip=514 count=4 status=none)
	[[ $magic == HdrS ]] || die "$img is not a bzImage"
	off=$(od -An -tu2 -j 526 -N 2 "$img" | tr -d ' ')
	dd if="$img" bs=1 skip=$((off + 512)) count=256 status=none |
		tr '\0' '\n' | sed -n '1s/ .*//p' 
}

# Offset of the compressed payload of a bzImage and its length.
payload_range() {
	local img=$1 sects poff plen
	sects=$(od -An -tu1 -j 497 -N 1 "$img" | tr -d ' ')
	((sects)) || sects=4
	poff=$(od -An -tu4 -j 584 -N 4 "$img" | tr -d ' ')
	plen=$(od -An -tu4 -j 588 -N 4 "$img" | tr -d ' ')
	echo "$(((sects + 1) * 512 + poff)) $plen"
}

# Decompress the vmlinux ELF out of bzImage $1 into $2.
extract_vmlinux() {
	local img=$1 out=$2 off len magic
	read -r off len < <(payload_range "$img")
	((len > 0)) || return 1
	magic=$(od -An -tx1 -j "$off" -N 4 "$img" | tr -d ' ')
	local -a dec
	case $magic in
	fd377a58) dec=(xz -dc) ;;
	1f8b*) dec=(gzip -dc) ;;
	28b52ffd) dec=(zstd -qdc) ;;
	*) return 1 ;;
	esac
	command -v "${dec[0]}" >/dev/null || return 1
	tail -c +$((off + 1)) "$img" | head -c "$len" | "${dec[@]}" >"$out" 2>/dev/null || :
	[[ $(od -An -tx1 -N 4 "$out" | tr -d ' ') == 7f454c46 ]] || return 1
	# QEMU can boot the ELF directly only with the PVH entry note
	# (XEN_ELFNOTE_PHYS32_ENTRY = 0x12).
	readelf -n "$out" 2>/dev/null | grep -Eq 'Xen.*(0x00000012|PHYS32_ENTRY)'
}

# Booting the uncompressed vmlinux through its PVH entry point skips the
# firmware's real-mode path and the in-guest decompression: ~3 s under TCG.
# The extracted ELF is cached; fall back to the bzImage when impossible.
pick_boot_image() {
	BOOT_IMAGE=$KERNEL
	[[ ${ZCH_VM_PVH:-1} == 1 ]] || return 0
	local dir key out
	dir=$ZCH_CACHE/vmlinux
	key=$(stat -L -c '%n %s %Y' "$KERNEL" | sha256sum | cut -c1-16)
	out=$dir/$(basename "$KERNEL")-$key.elf
	if [[ ! -s $out && ! -e $out.nopvh ]]; then
		mkdir -p "$dir"
		if extract_vmlinux "$KERNEL" "$out.tmp.$$"; then
			mv -f "$out.tmp.$$" "$out"
			find "$dir" -maxdepth 1 -name '*.elf' -mtime +7 -delete
		else
			rm -f "$out.tmp.$$"
			: >"$out.nopvh"
		fi
	fi
	[[ -s $out ]] && BOOT_IMAGE=$out
	return 0
}

pick_kernel() {
	if [[ -z $KERNEL && -n $ROOTFS ]]; then
		KERNEL=$(find "$ROOTFS/boot" -maxdepth 1 -name 'vmlinuz-*' | sort -V | tail -n 1)
		[[ -n $KERNEL ]] || die "no $ROOTFS/boot/vmlinuz-* found"
	fi
	if [[ -z $KERNEL ]]; then
		KERNEL=$(find /boot -maxdepth 1 -name 'vmlinuz-6.1.*' | sort -V | tail -n 1)
		[[ -n $KERNEL ]] || die "no /boot/vmlinuz-6.1.* found (run scripts/deps.sh)"
	fi
	[[ -r $KERNEL ]] || die "cannot read kernel $KERNEL"
	local rel
	rel=$(kernel_release "$KERNEL")
	[[ -n $rel ]] || die "cannot find the release of $KERNEL"
	MODDIR=${MODDIR:-$ROOTFS/lib/modules/$rel}
	MODDIR=$(realpath -e "$MODDIR") || die "modules dir $MODDIR does not exist"
	if [[ -n $ROOTFS ]]; then
		[[ $MODDIR == "$ROOTFS"/* ]] || die "--modules-dir $MODDIR is not under --root $ROOTFS"
	fi
}

# With --root: check DIR, share the current directory at its own path
# (unless a --share already covers it) and create the shares' mount points
# in DIR, which the guest sees read-only.
setup_root() {
	local cwd s mnt covered=0
	ROOTFS=$(realpath -e "$ROOTFS") || die "--root: $ROOTFS does not exist"
	[[ -d $ROOTFS && $ROOTFS != / ]] || die "--root: $ROOTFS is not a directory other than /"
	[[ -x $ROOTFS/usr/bin/env ]] || die "--root: $ROOTFS has no /usr/bin/env (not a root file system?)"
	cwd=$(pwd -P)
	for s in "${SHARES[@]}"; do
		[[ $cwd == "$s" || $cwd == "$s"/* ]] && covered=1
	done
	((covered)) || SHARES+=("$cwd")
	for s in "${SHARES[@]}"; do
		mnt=$ROOTFS$s
		# Refuse symlinks leading out of DIR (we mkdir on the host).
		[[ $(realpath -m "$mnt") == "$ROOTFS"/* ]] ||
			die "--share $s: its mount point $mnt leaves $ROOTFS"
		mkdir -p "$mnt" || die "cannot create the mount point $mnt"
	done
}

write_guest_files() {
	local i v
	{
		echo "ZCH_NET=$((${#FWDS[@]} ? 1 : 0))"
		if [[ $MODDIR != "$(realpath -m "$ROOTFS/lib/modules/$(basename "$MODDIR")")" ]]; then
			echo "ZCH_MODDIR=$(shq "${MODDIR#"$ROOTFS"}")"
		fi
		echo "ZCH_NSHARES=${#SHARES[@]}"
		for i in "${!SHARES[@]}"; do
			echo "ZCH_SHARE_$i=$(shq "${SHARES[i]}")"
		done
	} >"$OUTDIR/config"

	{
		# Run by the guest's busybox sh; a clean environment.
		echo '# generated by scripts/vm.sh'
		printf 'cd -- %s || exit 126\n' "$(shq "$(pwd -P)")"
		printf 'exec /usr/bin/env -i'
		printf ' %s' "$(shq "PATH=$GUEST_PATH")" HOME=/root USER=root \
			LOGNAME=root SHELL=/bin/bash LANG=C.UTF-8 TERM=dumb ZCH_IN_VM=1
		while IFS= read -r v; do
			[[ $v == ZCH_VM_LOG || $v == ZCH_IN_VM ]] && continue
			printf ' %s' "$(shq "$v=${!v}")"
		done < <(compgen -e | grep -E '^(ZCH_[A-Za-z0-9_]*|CI)$' || :)
		for v in "${CMD[@]}"; do
			printf ' %s' "$(shq "$v")"
		done
		printf '\n'
	} >"$OUTDIR/cmd.sh"
}

# shellcheck disable=SC2054 # commas are QEMU option syntax
build_qemu_cmd() {
	local initrd=$1 append accel=tcg i net
	append="console=ttyS0 panic=-1 rdinit=/init 8250.nr_uarts=1 i8042.noaux"
	append+=" i8042.nokbd i8042.nopnp net.ifnames=0 random.trust_cpu=on"
	append+=" mitigations=off log_buf_len=4M"
	if ((VERBOSE)); then
		append+=" loglevel=7 zch.debug"
	else
		append+=" quiet loglevel=3"
	fi
	append+=$APPEND_EXTRA

	QEMU=(qemu-system-x86_64 -machine q35 -accel "$accel" -cpu max
		-m "$MEM" -smp "$CPUS" -nodefaults -no-user-config -display none
		-no-reboot -kernel "$BOOT_IMAGE" -initrd "$initrd" -append "$append"
		-device virtio-serial-pci,id=vser0)
	if ((VERBOSE)); then
		QEMU+=(-chardev stdio,id=con,mux=on,signal=off -serial chardev:con)
	else
		QEMU+=(-chardev "file,id=ser,path=$OUTDIR/serial.log" -serial chardev:ser
			-chardev stdio,id=con,signal=off)
	fi
	QEMU+=(-device virtserialport,bus=vser0.0,chardev=con,name=zch.out
		-fsdev "local,id=fsroot,path=${ROOTFS:-/},security_model=none,readonly=on,multidevs=remap"
		-device virtio-9p-pci,fsdev=fsroot,mount_tag=root
		-fsdev "local,id=fsout,path=$OUTDIR,security_model=none"
		-device virtio-9p-pci,fsdev=fsout,mount_tag=out)
	for i in "${!SHARES[@]}"; do
		QEMU+=(-fsdev "local,id=fsshare$i,path=${SHARES[i]},security_model=none,multidevs=remap"
			-device "virtio-9p-pci,fsdev=fsshare$i,mount_tag=share$i")
	done
	if ((${#FWDS[@]})); then
		net=user,id=n0,restrict=on
		for i in "${FWDS[@]}"; do
			net+=",hostfwd=tcp:127.0.0.1:${i%%:*}-:${i#*:}"
		done
		QEMU+=(-netdev "$net" -device virtio-net-pci,netdev=n0)
	fi
}

# shellcheck disable=SC2317 # called from traps
stop_qemu() {
	if [[ -n $QEMU_PID ]] && kill -0 "$QEMU_PID" 2>/dev/null; then
		kill -TERM "$QEMU_PID" 2>/dev/null || :
		wait "$QEMU_PID" 2>/dev/null || :
	fi
	QEMU_PID=
}

# shellcheck disable=SC2317 # called from traps
on_signal() {
	trap - INT TERM HUP
	msg "interrupted, stopping the VM"
	stop_qemu
	finish_logs
	exit "$1"
}

# Move the guest dmesg to $ZCH_VM_LOG (or leave it in OUTDIR), print where.
finish_logs() {
	[[ -n $OUTDIR && -d $OUTDIR ]] || return 0
	local log=$OUTDIR/vm-dmesg.log
	if [[ -s $OUTDIR/dmesg.log ]]; then
		mv -f "$OUTDIR/dmesg.log" "$log"
	elif [[ -s $OUTDIR/serial.log ]]; then
		cp -f "$OUTDIR/serial.log" "$log"
	fi
	rm -f "$OUTDIR/config" "$OUTDIR/cmd.sh" "$OUTDIR/status" "$OUTDIR/status.tmp" \
		"$OUTDIR/stdin"
	if [[ -n ${ZCH_VM_LOG:-} ]]; then
		if [[ -e $log ]]; then
			cp -f "$log" "$ZCH_VM_LOG"
		else
			: >"$ZCH_VM_LOG"
		fi
		rm -rf "$OUTDIR"
		log=$ZCH_VM_LOG
	fi
	OUTDIR=
	[[ -e $log ]] && msg "guest dmesg: $log"
	return 0
}

# Explain why no exit status came back.
report_failure() {
	local serial=$OUTDIR/serial.log
	if [[ -s $serial ]] && grep -q 'Kernel panic' "$serial"; then
		msg "guest kernel panicked:"
	else
		msg "VM ended without reporting an exit status (QEMU failed or the guest crashed)"
	fi
	if [[ -s $serial ]]; then
		local first
		first=$(grep -n -m 1 -E 'Kernel panic|BUG:|Oops|general protection|RIP:' "$serial" |
			cut -d: -f1) || first=
		echo "---- serial console ($serial) ----" >&2
		if [[ -n $first ]]; then
			sed -n "${first},$((first + 59))p" "$serial" >&2
		else
			tail -n 40 "$serial" >&2
		fi
		echo "------------------------------------------" >&2
	fi
}

main() {
	parse_args "$@"
	command -v qemu-system-x86_64 >/dev/null ||
		die "qemu-system-x86_64 not found (run scripts/deps.sh)"
	local s
	for s in "${SHARES[@]}"; do
		[[ -d $s ]] || die "--share: $s is not a directory"
	done
	for s in "${!SHARES[@]}"; do
		SHARES[s]=$(realpath -e "${SHARES[s]}")
	done
	[[ -z $ROOTFS ]] || setup_root
	pick_kernel
	pick_boot_image

	local initrd rc=0
	initrd=$("$SCRIPT_DIR/mkinitramfs.sh" "$MODDIR") || die "building the initramfs failed"

	OUTDIR=$(mktemp -d "${TMPDIR:-/tmp}/zchttp-vm.XXXXXX")
	trap 'on_signal 130' INT
	trap 'on_signal 143' TERM
	trap 'on_signal 129' HUP
	trap 'stop_qemu' EXIT
	write_guest_files
	build_qemu_cmd "$initrd"

	# QEMU's stdio chardev reads stdin and reports the port closed on EOF
	# (guest writes would then block).  Give it a FIFO that we keep open
	# and never write: no EOF, no data, and the host tty is left alone.
	local stdin_fd
	mkfifo "$OUTDIR/stdin"
	exec {stdin_fd}<>"$OUTDIR/stdin"
	timeout -k 10 "$TIMEOUT" "${QEMU[@]}" <"$OUTDIR/stdin" {stdin_fd}>&- &
	QEMU_PID=$!
	wait "$QEMU_PID" || rc=$?
	QEMU_PID=
	exec {stdin_fd}>&-

	if [[ -s $OUTDIR/status ]]; then
		rc=$(<"$OUTDIR/status")
		[[ $rc =~ ^[0-9]+$ ]] || { msg "bad status '$rc' from guest"; rc=125; }
	elif ((rc == 124)); then
		msg "timed out after ${TIMEOUT}s, VM killed"
	else
		report_failure
		rc=125
	fi
	finish_logs
	exit "$rc"
}

main "$@"
