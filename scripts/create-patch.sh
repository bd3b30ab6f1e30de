#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Turn the tree into a patch that adds zchttp to a kernel tree:
#   net/zchttp/                        kmod/ (Kbuild as its Makefile), Kconfig
#   net/Kconfig, net/Makefile          the hooks
#   include/uapi/linux/zchttp.h        the UAPI header
#   Documentation/networking/zchttp.rst, Documentation/netlink/specs/zchttp.yaml
#   tools/testing/selftests/net/zchttp/  the selftests, and their TARGETS line
#   MAINTAINERS                        an entry
#
# usage: scripts/create-patch.sh [-k KSRC] [-o FILE]
#        scripts/create-patch.sh --check [-k KSRC] BUILD_TREE
#
# KSRC is the kernel source the hooks are made against (default: the
# linux-source-6.1 that scripts/deps.sh extracts); the patch goes to FILE or
# standard output. --check makes the patch, applies it to an overlay of
# KSRC and builds net/zchttp/zchttp.ko with CONFIG_ZCHTTP=m in an overlay of
# BUILD_TREE, a configured and built make O= tree of KSRC (the debug lane's),
# so that neither is changed; the overlays go when it ends.

set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
PROG=create-patch.sh
KSRC=
OUT=
CHECK=0
OBJ=

die() {
	echo "$PROG: $*" >&2
	exit 1
}

while (($#)); do
	case $1 in
	-k) KSRC=$2; shift 2 ;;
	-o) OUT=$2; shift 2 ;;
	--check) CHECK=1; shift ;;
	-*) die "unknown option $1" ;;
	*) OBJ=$1; shift ;;
	esac
done
[[ -n $KSRC ]] || KSRC=$("$TOP/scripts/deps.sh" | tail -n 1)
[[ -f $KSRC/net/Kconfig ]] || die "$KSRC is not a kernel source tree"
((CHECK == 0)) || [[ -f $OBJ/.config ]] || die "--check needs a built O= tree"

VERSION=$(cat "$TOP/VERSION")
tmp=$(mktemp -d /tmp/zchttp-patch.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
a=$tmp/a
b=$tmp/b

# the kernel's files the patch changes, before and after
HOOKED=(net/Kconfig net/Makefile MAINTAINERS
	Documentation/networking/index.rst tools/testing/selftests/Makefile)
for f in "${HOOKED[@]}"; do
	mkdir -p "$(dirname "$a/$f")" "$(dirname "$b/$f")"
	cp "$KSRC/$f" "$a/$f"
	cp "$KSRC/$f" "$b/$f"
done

# insert FILE ANCHOR_RE TEXT: TEXT as lines after the first line that
# matches ANCHOR_RE (before it with a leading "^" in "before:")
insert() {
	local file=$1 anchor=$2 text=$3 where=after

	if [[ $anchor == before:* ]]; then
		where=before
		anchor=${anchor#before:}
	fi
	grep -qE "$anchor" "$file" || die "no '$anchor' in ${file#"$b"/}"
	awk -v re="$anchor" -v text="$text" -v where="$where" '
		!done && $0 ~ re {
			if (where == "before") print text
			print
			if (where == "after") print text
			done = 1
			next
		}
		{ print }' "$file" >"$file.new"
	mv "$file.new" "$file"
}

insert "$b/net/Kconfig" '^source "net/ncsi/Kconfig"$' 'source "net/zchttp/Kconfig"'
# shellcheck disable=SC2016 # make's $(...), not the shell's
insert "$b/net/Makefile" '^obj-\$\(CONFIG_MCTP\)' 'obj-$(CONFIG_ZCHTTP)		+= zchttp/'
insert "$b/tools/testing/selftests/Makefile" '^TARGETS \+= net/openvswitch$' \
	'TARGETS += net/zchttp'
insert "$b/Documentation/networking/index.rst" '^   xfrm_sysctl$' '   zchttp'
insert "$b/MAINTAINERS" 'before:^ZD1211RW WIRELESS DRIVER$' "ZCHTTP IN-KERNEL STATIC FILE HTTP SERVER
M:	The zchttp authors <zchttp@example.org>
L:	netdev@vger.kernel.org
S:	Maintained
F:	Documentation/netlink/specs/zchttp.yaml
F:	Documentation/networking/zchttp.rst
F:	include/uapi/linux/zchttp.h
F:	net/zchttp/
F:	tools/testing/selftests/net/zchttp/
"

# the new files
mkdir -p "$b/net/zchttp" "$b/include/uapi/linux" "$b/Documentation/networking" \
	"$b/Documentation/netlink/specs" "$b/tools/testing/selftests/net/zchttp"
(cd "$TOP" && git ls-files --cached --others --exclude-standard \
	'kmod/*.c' 'kmod/*.h') | while read -r f; do
	cp "$TOP/$f" "$b/net/zchttp/"
done
# in a kernel tree the UAPI header is on the include path, the version is
# the patch's, and $(src) is relative to the source tree, while the
# compiler runs in the build tree (make O=)
# shellcheck disable=SC2016 # make's $(...), not the shell's
sed -e 's| -I$(src)/../include -I$(src)| -I$(srctree)/$(src)|' \
	-e 's|-include $(src)/compat.h|-include $(srctree)/$(src)/compat.h|' \
	-e "s|\$(shell cat \$(src)/../VERSION)|$VERSION|" \
	"$TOP/kmod/Kbuild" >"$b/net/zchttp/Makefile"
grep -q 'VERSION)' "$b/net/zchttp/Makefile" && die "kmod/Kbuild: VERSION not replaced"
grep -q '\.\./include' "$b/net/zchttp/Makefile" && die "kmod/Kbuild: include path not replaced"
cp "$TOP/Kconfig" "$b/net/zchttp/Kconfig"
cp "$TOP/include/uapi/linux/zchttp.h" "$b/include/uapi/linux/zchttp.h"
cp "$TOP/Documentation/zchttp.rst" "$b/Documentation/networking/zchttp.rst"
cp "$TOP/Documentation/netlink/specs/zchttp.yaml" "$b/Documentation/netlink/specs/"
(cd "$TOP" && git ls-files --cached --others --exclude-standard selftests) |
	while read -r f; do
		cp "$TOP/$f" "$b/tools/testing/selftests/net/zchttp/"
	done

rc=0
(cd "$tmp" && diff -ruN a b) >"$tmp/patch" || rc=$?
[[ $rc -eq 1 ]] || die "diff: exit $rc (0: no difference made)"
# diff's own header names the temporary tree: keep the a/ b/ paths only
sed -i -E 's#^(---|\+\+\+) ([ab]/[^\t]*)\t.*#\1 \2#' "$tmp/patch"

if ((CHECK == 0)); then
	if [[ -n $OUT ]]; then
		cp "$tmp/patch" "$OUT"
	else
		cat "$tmp/patch"
	fi
	exit 0
fi

# --check: apply to an overlay of KSRC, build the module in an overlay of
# OBJ with CONFIG_ZCHTTP=m, in a private mount namespace
patch -p1 --dry-run -s -d "$KSRC" <"$tmp/patch" >/dev/null ||
	die "the patch does not apply to $KSRC"
mkdir -p "$tmp/src"/{u,w,m} "$tmp/obj"/{u,w,m}
# shellcheck disable=SC2016 # expanded by the inner shell
unshare --mount --propagation private -- /bin/bash -ec '
	ksrc=$1 obj=$2 tmp=$3
	mount -t overlay zchttp-src -o "lowerdir=$ksrc,upperdir=$tmp/src/u,workdir=$tmp/src/w" "$tmp/src/m"
	mount -t overlay zchttp-obj -o "lowerdir=$obj,upperdir=$tmp/obj/u,workdir=$tmp/obj/w" "$tmp/obj/m"
	patch -p1 -s -d "$tmp/src/m" <"$tmp/patch"
	"$tmp/src/m/scripts/config" --file "$tmp/obj/m/.config" -m ZCHTTP
	mk=(make -s -C "$tmp/src/m" O="$tmp/obj/m" -j"$(nproc)")
	"${mk[@]}" olddefconfig
	grep -qx "CONFIG_ZCHTTP=m" "$tmp/obj/m/.config" ||
		{ echo "CONFIG_ZCHTTP=m did not stay in the .config"; exit 1; }
	"${mk[@]}" W=1 KCFLAGS=-Werror net/zchttp/zchttp.ko
	ko=$tmp/obj/m/net/zchttp/zchttp.ko
	[ -f "$ko" ] || { echo "no net/zchttp/zchttp.ko"; exit 1; }
	modinfo -F version "$ko"
	modinfo -F vermagic "$ko"
' _ "$KSRC" "$OBJ" "$tmp" >"$tmp/build.log" 2>&1 || {
	tail -n 40 "$tmp/build.log" >&2
	die "the in-tree build failed"
}
ver=$(tail -n 2 "$tmp/build.log" | head -n 1)
[[ $ver == "$VERSION" ]] || die "in-tree zchttp.ko has version '$ver'"
echo "$PROG: the patch ($(grep -c '^+++ ' "$tmp/patch") files) applies to" \
	"$KSRC and builds zchttp.ko $ver with CONFIG_ZCHTTP=m" \
	"($(tail -n 1 "$tmp/build.log" | cut -d' ' -f1))"
