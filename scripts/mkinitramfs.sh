#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse from the cache) the small initramfs used by scripts/vm.sh:
# busybox-static, scripts/vm-init.sh as /init, and the kernel modules needed
# to mount the host root over virtio-9p (plus virtio_console for the output
# port and overlay for the writable directories).  Modules that are built
# into the kernel (modules.builtin) are skipped.
#
# Usage: scripts/mkinitramfs.sh MODULES_DIR
#   Prints the path of the (cached) uncompressed cpio archive.  MODULES_DIR
#   may be under another root (vm.sh --root: DIR/lib/modules/<release>);
#   compressed modules (.ko.xz, .ko.zst, .ko.gz) are stored decompressed.
#
# Environment:
#   ZCH_CACHE   cache directory (default: $HOME/.cache/zchttp)

set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
readonly INIT_SCRIPT=$SCRIPT_DIR/vm-init.sh
readonly BUSYBOX=${ZCH_BUSYBOX:-/bin/busybox}
# Wanted in the initramfs; their dependencies come from modules.dep.
readonly WANTED=(virtio_pci 9pnet_virtio 9p virtio_console overlay)
# Loaded by vm-init.sh only when vm.sh --fwd adds a NIC.
readonly WANTED_NET=(virtio_net)

ZCH_CACHE=${ZCH_CACHE:-${HOME:-/root}/.cache/zchttp}

die() {
	echo "mkinitramfs.sh: error: $*" >&2
	exit 1
}

declare -A DEP_LINE=()  # module name -> "path: dep dep..." from modules.dep
declare -A BUILTIN=()   # module name -> 1
declare -A ADDED=()
MODNAME=
ORDER=()                # relative module paths in load order
NBASE=0                 # ORDER[0..NBASE) always loaded, the rest for --fwd

# Set MODNAME to the canonical module name of a path (no subshell: this
# runs for every line of modules.dep).
modname() {
	MODNAME=${1##*/}
	MODNAME=${MODNAME%%.ko*}
	MODNAME=${MODNAME//-/_}
}

read_module_db() {
	local moddir=$1 line
	[[ -r $moddir/modules.dep ]] || die "$moddir/modules.dep not found (run depmod?)"
	while IFS= read -r line; do
		modname "${line%%:*}"
		DEP_LINE[$MODNAME]=$line
	done <"$moddir/modules.dep"
	if [[ -r $moddir/modules.builtin ]]; then
		while IFS= read -r line; do
			modname "$line"
			BUILTIN[$MODNAME]=1
		done <"$moddir/modules.builtin"
	fi
}

# Append PATH to ORDER once.
add_path() {
	[[ -n ${ADDED[$1]:-} ]] && return 0
	ADDED[$1]=1
	ORDER+=("$1")
}

# Resolve a module and its dependencies (modules.dep lists the full closure;
# loading it reversed gives a valid order).
add_module() {
	local name line path i
	modname "$1"
	name=$MODNAME
	line=${DEP_LINE[$name]:-}
	if [[ -z $line ]]; then
		[[ -n ${BUILTIN[$name]:-} ]] && return 0
		echo "mkinitramfs.sh: module $1 is neither in modules.dep nor modules.builtin" >&2
		return 1
	fi
	path=${line%%:*}
	local -a deps
	read -r -a deps <<<"${line#*:}"
	for ((i = ${#deps[@]} - 1; i >= 0; i--)); do
		add_path "${deps[i]}"
	done
	add_path "$path"
}

# Copy (decompressing if needed) module REL from MODDIR into DEST as .ko,
# appending its name to DEST/LIST.
install_module() {
	local moddir=$1 rel=$2 dest=$3 list=$4 out
	out=$dest/lib/modules/$(basename "${rel%.ko*}").ko
	# busybox insmod loads only plain ELF modules: decompress here.
	case $rel in
	*.ko.xz) command -v xz >/dev/null || die "xz missing for $rel (apt-get install xz-utils)" ;;
	*.ko.zst) command -v zstd >/dev/null || die "zstd missing for $rel (apt-get install zstd)" ;;
	esac
	case $rel in
	*.ko) cp "$moddir/$rel" "$out" ;;
	*.ko.xz) xz -dc "$moddir/$rel" >"$out" ;;
	*.ko.zst) zstd -qdc "$moddir/$rel" >"$out" ;;
	*.ko.gz) gzip -dc "$moddir/$rel" >"$out" ;;
	*) die "unknown module format: $rel" ;;
	esac
	basename "$out" >>"$dest/$list"
}

# Hash of everything that goes into the archive.
cache_key() {
	local moddir=$1 rel
	{
		echo "format 1"
		cat "$INIT_SCRIPT" "${BASH_SOURCE[0]}"
		stat -c '%s %Y' "$(readlink -f "$BUSYBOX")"
		for rel in "${ORDER[@]}"; do
			stat -c "$rel %s %Y" "$moddir/$rel"
		done
	} | sha256sum | cut -c1-16
}

build() {
	local moddir=$1 out=$2 tmp cmd i list
	tmp=$(mktemp -d "$ZCH_CACHE/.initramfs.XXXXXX")
	# shellcheck disable=SC2064 # expand $tmp now
	trap "rm -rf '$tmp'" EXIT
	mkdir -p "$tmp"/{bin,dev,proc,sys,newroot,lib/modules}
	cp "$BUSYBOX" "$tmp/bin/busybox"
	for cmd in $("$BUSYBOX" --list); do
		[[ $cmd == busybox ]] || ln -s busybox "$tmp/bin/$cmd"
	done
	cp "$INIT_SCRIPT" "$tmp/init"
	chmod 755 "$tmp/init"
	: >"$tmp/modules.order"
	: >"$tmp/modules.net"
	for ((i = 0; i < ${#ORDER[@]}; i++)); do
		if ((i < NBASE)); then list=modules.order; else list=modules.net; fi
		install_module "$moddir" "${ORDER[i]}" "$tmp" "$list"
	done
	(cd "$tmp" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc --owner=0:0 --quiet) >"$out.tmp.$$"
	mv -f "$out.tmp.$$" "$out"
	rm -rf "$tmp"
	trap - EXIT
}

main() {
	(($# == 1)) || die "usage: $0 MODULES_DIR"
	local moddir=${1%/} key out m
	[[ -d $moddir ]] || die "modules dir $moddir does not exist"
	[[ -r $INIT_SCRIPT ]] || die "$INIT_SCRIPT missing"
	[[ -x $BUSYBOX ]] || die "$BUSYBOX missing (apt-get install busybox-static)"
	command -v cpio >/dev/null || die "cpio missing (apt-get install cpio)"

	read_module_db "$moddir"
	for m in "${WANTED[@]}"; do
		add_module "$m" || die "required module $m missing"
	done
	NBASE=${#ORDER[@]}
	for m in "${WANTED_NET[@]}"; do
		add_module "$m" || echo "mkinitramfs.sh: warning: no $m, --fwd will not work" >&2
	done

	mkdir -p "$ZCH_CACHE/initramfs"
	key=$(cache_key "$moddir")
	out=$ZCH_CACHE/initramfs/$(basename "$moddir")-$key.cpio
	if [[ ! -s $out ]]; then
		exec 9>"$ZCH_CACHE/initramfs/.lock"
		flock 9
		if [[ ! -s $out ]]; then
			build "$moddir" "$out"
			# Drop archives of older init scripts/module builds.
			find "$ZCH_CACHE/initramfs" -maxdepth 1 -name '*.cpio' -mtime +7 -delete
		fi
		exec 9>&-
	fi
	echo "$out"
}

main "$@"
