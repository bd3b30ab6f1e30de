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

tmp=$(mktemp -d /tmp/zchttp-dkms.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/src/$name-$ver
mkdir -p "$src" "$tmp/dkms"
# what a release tarball would hold for the module
cp -r "$TOP/dkms.conf" "$TOP/kmod" "$TOP/include" "$src/"
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
echo "dkms-check.sh: dkms built $name $ver for $kver (vermagic $magic)"
