#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build zchttp.ko with DKMS from dkms.conf, in private DKMS trees (nothing
# is added to /var/lib/dkms or /usr/src), for kernel KVER, and check that
# the module it made is for that kernel.
#
# usage: scripts/dkms-check.sh [KVER]   (default: newest installed 6.1 headers)

set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
kver=${1:-$(basename "$(printf '%s\n' /usr/src/linux-headers-6.1.*-amd64 |
	sort -V | tail -n 1)" | sed 's/^linux-headers-//')}
[[ -d /lib/modules/$kver/build ]] || {
	echo "dkms-check.sh: no headers for $kver" >&2
	exit 1
}
name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"/\1/p' "$TOP/dkms.conf")
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$TOP/dkms.conf")
[[ $ver == "$(cat "$TOP/VERSION")" ]] || {
	echo "dkms-check.sh: PACKAGE_VERSION $ver is not VERSION $(cat "$TOP/VERSION")" >&2
	exit 1
}

# BUILD_EXCLUSIVE_KERNEL as dkms reads it (it sources dkms.conf and
# matches with =~): every kernel of 6.1 and later, none older
excl=$(kernel_source_dir=/nonexistent bash -c \
	'. "$1" && echo "$BUILD_EXCLUSIVE_KERNEL"' _ "$TOP/dkms.conf")
for k in "$kver" 6.1.0-1-amd64 6.12.9+deb13-amd64 6.19.1-cloud-amd64 \
	7.2.13+deb14-amd64 10.0.0-1-amd64; do
	[[ $k =~ $excl ]] || {
		echo "dkms-check.sh: BUILD_EXCLUSIVE_KERNEL refuses $k" >&2
		exit 1
	}
done
for k in 5.10.0-30-amd64 6.0.12-amd64 4.19.0-1-amd64 3.16.0; do
	[[ $k =~ $excl ]] && {
		echo "dkms-check.sh: BUILD_EXCLUSIVE_KERNEL takes $k" >&2
		exit 1
	}
done

tmp=$(mktemp -d /tmp/zchttp-dkms.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/src/$name-$ver
mkdir -p "$src" "$tmp/dkms"
# what a release tarball would hold for the module
cp -r "$TOP/dkms.conf" "$TOP/VERSION" "$TOP/kmod" "$TOP/include" "$src/"
make -s -C "$src/kmod" clean KDIR="/lib/modules/$kver/build" >/dev/null 2>&1 || :

opts=(--dkmstree "$tmp/dkms" --sourcetree "$tmp/src" -m "$name" -v "$ver")
if ! { dkms add "${opts[@]}" && dkms build "${opts[@]}" -k "$kver"; } \
	>"$tmp/log" 2>&1; then
	cat "$tmp/log" "$tmp/dkms/$name/$ver/build/make.log" 2>/dev/null >&2
	echo "dkms-check.sh: dkms build failed for $kver" >&2
	exit 1
fi
ko=$(find "$tmp/dkms/$name/$ver/$kver" -name "$name.ko*" | head -n 1)
[[ -n $ko ]] || { echo "dkms-check.sh: dkms built no $name.ko" >&2; exit 1; }
magic=$(modinfo -F vermagic "$ko")
[[ $magic == "$kver "* ]] || {
	echo "dkms-check.sh: $ko is for '$magic', not $kver" >&2
	exit 1
}
modver=$(modinfo -F version "$ko")
[[ $modver == "$ver" ]] || {
	echo "dkms-check.sh: $ko has version '$modver', not $ver" >&2
	exit 1
}
echo "dkms-check.sh: dkms built $name $ver for $kver (vermagic $magic)"
