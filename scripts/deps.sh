#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian package zchttp needs (build, VM tests, fuzzing,
# benchmarks) and extract the kernel source once into the cache.
#
# Idempotent and cheap when everything is present: apt-get runs only if
# dpkg-query reports a missing package.  Safe to run concurrently (flock).
# Prints the path of the extracted kernel source on stdout (last line).
#
# Environment:
#   ZCH_CACHE   cache directory (default: $HOME/.cache/zchttp)

set -euo pipefail

readonly PACKAGES=(
	build-essential linux-headers-amd64 linux-image-amd64 linux-source-6.1
	qemu-system-x86 libnl-3-dev libnl-genl-3-dev pkg-config sparse
	busybox-static kmod iproute2 curl wget python3 e2fsprogs
	nginx-light lighttpd h2o wrk apache2-utils clang libclang-rt-14-dev
	cpio xz-utils bc flex bison libelf-dev libssl-dev debootstrap
	shellcheck python3-pyflakes python3-docutils zstd dkms openssl acl
	nfs-kernel-server dmsetup gnuplot-nox debhelper dh-dkms
)
readonly KSRC_PKG=linux-source-6.1

ZCH_CACHE=${ZCH_CACHE:-${HOME:-/root}/.cache/zchttp}

die() {
	echo "deps.sh: error: $*" >&2
	exit 1
}

log() {
	echo "deps.sh: $*" >&2
}

# Print the packages of PACKAGES that are not fully installed.
missing_packages() {
	local pkg status
	for pkg in "${PACKAGES[@]}"; do
		status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null) || status=
		[[ $status == installed ]] || echo "$pkg"
	done
}

install_packages() {
	local -a missing
	mapfile -t missing < <(missing_packages)
	((${#missing[@]} == 0)) && return 0

	[[ $(id -u) -eq 0 ]] || die "missing packages (${missing[*]}) and not root"
	log "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2

	mapfile -t missing < <(missing_packages)
	((${#missing[@]} == 0)) || die "still missing after apt-get: ${missing[*]}"
}

# Extract /usr/src/linux-source-6.1.tar.xz into
# $ZCH_CACHE/linux-source-<pkgversion> once; $ZCH_CACHE/ksrc points to it.
extract_kernel_source() {
	local ver tarball dest tmp stamp
	ver=$(dpkg-query -W -f='${Version}' "$KSRC_PKG") ||
		die "$KSRC_PKG is not installed"
	tarball=/usr/src/${KSRC_PKG}.tar.xz
	[[ -r $tarball ]] || die "$tarball not found (package $KSRC_PKG $ver)"

	dest=$ZCH_CACHE/linux-source-$ver
	stamp=$dest/.zchttp-extracted
	if [[ ! -e $stamp ]]; then
		log "extracting $tarball into $dest (takes a minute)"
		rm -rf "$dest"
		tmp=$(mktemp -d "$ZCH_CACHE/.ksrc.XXXXXX")
		# shellcheck disable=SC2064 # expand $tmp now
		trap "rm -rf '$tmp'" EXIT
		tar -C "$tmp" -xf "$tarball"
		[[ -d $tmp/$KSRC_PKG ]] || die "unexpected layout in $tarball"
		echo "$ver" >"$tmp/$KSRC_PKG/.zchttp-extracted"
		mv "$tmp/$KSRC_PKG" "$dest"
		rm -rf "$tmp"
		trap - EXIT
	fi

	if [[ $(readlink "$ZCH_CACHE/ksrc" 2>/dev/null) != "linux-source-$ver" ]]; then
		ln -sfn "linux-source-$ver" "$ZCH_CACHE/ksrc.tmp.$$"
		mv -T "$ZCH_CACHE/ksrc.tmp.$$" "$ZCH_CACHE/ksrc"
	fi
	echo "$ZCH_CACHE/ksrc"
}

main() {
	(($# == 0)) || die "usage: $0 (no arguments; set ZCH_CACHE to move the cache)"
	mkdir -p "$ZCH_CACHE"
	exec 9>"$ZCH_CACHE/.deps.lock"
	flock 9 || die "cannot lock $ZCH_CACHE/.deps.lock"

	install_packages
	extract_kernel_source
}

main "$@"
