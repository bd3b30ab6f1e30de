#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the Debian packages (zchttp-dkms, zcctl) from a clean copy of the
# tree with dpkg-buildpackage, check their versions and contents, then
# install them in ROOT (a lane's root, e.g. trixie's, which has dkms and
# its kernel's headers) under a throw-away overlay: DKMS must build the
# module for that kernel, zcctl must run, and purging both must leave no
# module behind.
#
# usage: scripts/deb-check.sh [ROOT]   (without ROOT: build and check only)

set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
ROOT=${1:-}
VERSION=$(cat "$TOP/VERSION")

fail() {
	echo "deb-check.sh: $*" >&2
	exit 1
}

tmp=$(mktemp -d /tmp/zchttp-deb.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/zchttp-$VERSION
mkdir "$src"
# what git holds, plus new files not ignored: no build products
(cd "$TOP" && git ls-files --cached --others --exclude-standard -z |
	xargs -0 tar -cf - --no-recursion) | tar -xf - -C "$src"

changelog=$(cd "$src" && dpkg-parsechangelog -S Version)
[[ $changelog == "$VERSION" ]] ||
	fail "debian/changelog is at $changelog, VERSION says $VERSION"
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1 || {
	tail -n 40 "$tmp/build.log" >&2
	fail "dpkg-buildpackage failed"
}
dkms_deb=$tmp/zchttp-dkms_${VERSION}_all.deb
zcctl_deb=$(echo "$tmp"/zcctl_"${VERSION}"_*.deb)
[[ -f $dkms_deb && -f $zcctl_deb ]] || fail "packages missing: $(ls "$tmp")"

# contents: the module's source and dkms.conf in one, the tool in the other
contents() { dpkg-deb -c "$1" | awk '{ print $6 }' | sed 's|^\./|/|'; }
for f in /usr/src/zchttp-$VERSION/dkms.conf /usr/src/zchttp-$VERSION/VERSION \
	/usr/src/zchttp-$VERSION/kmod/Kbuild /usr/src/zchttp-$VERSION/kmod/main.c \
	/usr/src/zchttp-$VERSION/include/uapi/linux/zchttp.h \
	/usr/share/man/man7/zchttp.7.gz; do
	contents "$dkms_deb" | grep -qxF "$f" || fail "zchttp-dkms lacks $f"
done
for f in /usr/sbin/zcctl /usr/share/man/man8/zcctl.8.gz \
	/usr/share/bash-completion/completions/zcctl; do
	contents "$zcctl_deb" | grep -qxF "$f" || fail "zcctl lacks $f"
done
contents "$zcctl_deb" | grep -q '^/usr/src/' && fail "zcctl holds module source"
echo "deb-check.sh: built $(basename "$dkms_deb") and $(basename "$zcctl_deb")"
[[ -n $ROOT ]] || exit 0

# Install in an overlay over ROOT, in a private mount namespace.
kver=
for d in "$ROOT"/lib/modules/*/build; do
	[[ -e $d ]] && kver=$(basename "$(dirname "$d")")
done
[[ -n $kver ]] || fail "$ROOT has no kernel headers"
mkdir -p "$tmp/ovl/upper/tmp" "$tmp/ovl/work" "$tmp/ovl/root"
cp "$dkms_deb" "$zcctl_deb" "$tmp/ovl/upper/tmp/"
# shellcheck disable=SC2016 # expanded by the inner shells
unshare --mount --propagation private -- /bin/bash -ec '
	root=$1 ovl=$2 kver=$3 ver=$4
	mount -t overlay zchttp-deb -o "lowerdir=$root,upperdir=$ovl/upper,workdir=$ovl/work" "$ovl/root"
	mount -t proc proc "$ovl/root/proc"
	mount -t sysfs sysfs "$ovl/root/sys"
	mount --rbind /dev "$ovl/root/dev"
	exec chroot "$ovl/root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
		KVER="$kver" VERSION="$ver" /bin/bash -ec "
		command -v dkms >/dev/null || { echo \"no dkms in the root\"; exit 1; }
		dpkg -i /tmp/zchttp-dkms_*.deb /tmp/zcctl_*.deb
		ko=\$(find /lib/modules/\$KVER/updates -name \"zchttp.ko*\")
		[ -n \"\$ko\" ] || { echo \"DKMS built no module for \$KVER\"; exit 1; }
		magic=\$(modinfo -F vermagic \"\$ko\")
		case \$magic in \"\$KVER \"*) ;; *) echo \"\$ko: vermagic \$magic\"; exit 1 ;; esac
		[ \"\$(modinfo -F version \"\$ko\")\" = \"\$VERSION\" ] ||
			{ echo \"\$ko: version not \$VERSION\"; exit 1; }
		dkms status zchttp | grep -q \"\$KVER.*installed\" ||
			{ dkms status; exit 1; }
		zcctl -V | grep -q \"^zcctl \$VERSION \" || { zcctl -V; exit 1; }
		echo \"installed: \$ko for \$KVER (\$magic); \$(zcctl -V)\"
		dpkg --purge zcctl zchttp-dkms
		left=\$(find /lib/modules/\$KVER -name \"zchttp.ko*\")
		[ -z \"\$left\" ] || { echo \"left after purge: \$left\"; exit 1; }
		! dkms status zchttp | grep -q . || { dkms status; exit 1; }
		echo \"purged: no module left\"
	"' _ "$ROOT" "$tmp/ovl" "$kver" "$VERSION" >"$tmp/install.log" 2>&1 || {
	tail -n 40 "$tmp/install.log" >&2
	fail "installing the packages in $ROOT failed"
}
grep -E '^(installed|purged):' "$tmp/install.log" | sed 's/^/deb-check.sh: /'
