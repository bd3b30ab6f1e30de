#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch files of the sizes that matter with curl, wget and Python, from
# tmpfs and from ext4 on a loop device; compare by sha256; check that the
# counters move exactly as the traffic says.

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

require_cmd curl wget python3 sha256sum mkfs.ext4 losetup
zch_setup
zch_load

SIZES="0 1 4095 4096 4097 1048576 67108864"
# 16 MiB is enough on the newer kernels' short lanes, 4 MiB under KASAN
# (many folios, far above the socket buffers and cache_file_max)
case $(lane) in
bookworm) ;;
debug) SIZES=${SIZES/67108864/4194304} ;;
*) SIZES=${SIZES/67108864/16777216} ;;
esac
# wget, a third client but no new path, on bookworm only
TOOLS="curl python"
[ "$(lane)" = bookworm ] && TOOLS="curl wget python"

# fs_setup NAME: a document root on tmpfs or ext4, mounted at $WORK/mnt-NAME
fs_setup()
{
	local m=$WORK/mnt-$1

	mkdir -p "$m"
	case $1 in
	tmpfs)
		mount -t tmpfs -o size=256m none "$m" ;;
	ext4)
		ext4_mount "$m" 256 || return 1 ;;
	esac
	mkdir -p "$m/www"
	for s in $SIZES; do
		head -c "$s" /dev/urandom >"$m/www/f$s.bin"
	done
	echo '<html>x</html>' >"$m/www/index.html"
	chmod -R a+rX "$m/www"
	(cd "$m/www" && sha256sum ./*.bin >"$WORK/sums-$1")
}

# fetch_all TOOL PORT: fetch every file with TOOL, in one process of it
# (curl and wget keep the connection, Python's urllib does not), and check
# every sha256 in one sha256sum: under TCG a process costs about a second.
fetch_all()
{
	local tool=$1 port=$2 s args=()

	rm -rf "$WORK/got"
	mkdir -p "$WORK/got"
	for s in $SIZES; do
		args+=("f$s.bin")
	done
	case $tool in
	curl)
		curl -sf --max-time 300 --output-dir "$WORK/got" \
			--remote-name-all "${args[@]/#/http://127.0.0.1:$port/}" ;;
	wget)
		wget -q -T 120 -P "$WORK/got" "${args[@]/#/http://127.0.0.1:$port/}" ;;
	python)
		python3 - "$port" "$WORK/got" "${args[@]}" <<'PY'
import sys, urllib.request
port, out = sys.argv[1], sys.argv[2]
for name in sys.argv[3:]:
    url = "http://127.0.0.1:%s/%s" % (port, name)
    with urllib.request.urlopen(url, timeout=120) as r, \
         open("%s/%s" % (out, name), "wb") as f:
        f.write(r.read())
PY
		;;
	esac || fail "$tool: fetching failed"
	(cd "$WORK/got" && sha256sum --quiet -c "$WORK/sums-$FS") ||
		fail "$tool: a file's sha256 differs (above)"
}

total=0
for s in $SIZES; do
	total=$((total + s))
done

declare -A st all
port=8090
for FS in tmpfs ext4; do
	port=$((port + 1))
	fs_setup $FS || { fail "cannot set up $FS"; log_test "$FS setup"; continue; }
	"$ZCCTL" root add "$WORK/mnt-$FS/www" port $port || fail "root add"
	log_test "$FS: root added"

	for tool in $TOOLS; do
		"$ZCCTL" stats reset
		# written pages are dirty until synced, and drop_caches keeps those
		[ $FS = ext4 ] && sync && echo 3 >/proc/sys/vm/drop_caches
		fetch_all "$tool" $port
		n=$(wc -w <<<"$SIZES")
		stats_read st $port
		stats_read all
		check_eq "requests" "$n" "${st[requests]}"
		check_eq "2xx" "$n" "${st[resp_2xx]}"
		check_eq "body bytes by reference" "$total" "${st[body_bytes_zc]}"
		check_eq "body bytes by copy" 0 "${st[body_bytes_copy]}"
		check_eq "global = root" "${st[body_bytes_zc]}" "${all[body_bytes_zc]}"
		[ "${st[header_bytes]:-0}" -gt 0 ] || fail "no header bytes"
		if [ $FS = ext4 ]; then
			[ "${st[pagecache_misses]:-0}" -gt 0 ] ||
				fail "cold ext4 read shows no page-cache miss"
		fi
		log_test "$FS: $tool fetches $n sizes, sha256 equal, counters exact"
	done

	# HEAD: headers of the GET, no body
	out=$(curl -sI --max-time 10 http://127.0.0.1:$port/f4097.bin)
	check_match "HEAD status" "^HTTP/1.1 200" "$out"
	check_match "HEAD length" "Content-Length: 4097" "$out"
	check_match "HEAD type" "Content-Type: application/octet-stream" "$out"
	check_match "HEAD last-modified" "Last-Modified: [A-Z][a-z]{2}, " "$out"
	check_match "HEAD date" "Date: [A-Z][a-z]{2}, .* GMT" "$out"
	"$ZCCTL" stats reset
	out=$(http_raw $port "HEAD /f4097.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" |
	      sed -n '/^\r$/,$p' | wc -c)
	check_eq "HEAD: nothing after the header block" 2 "$out"
	check_eq "HEAD body bytes" 0 "$(stat body_bytes_zc $port)"
	log_test "$FS: HEAD"

	check_eq "404" 404 "$(http_get http://127.0.0.1:$port/nope.bin)"
	check_match "404 body" "404" "$(cat "$WORK/body")"
	check_eq "index" 200 "$(http_get http://127.0.0.1:$port/)"
	check_eq "index body" "<html>x</html>" "$(cat "$WORK/body")"
	log_test "$FS: 404 and index.html"

	"$ZCCTL" root del $port
done

# copy mode: same bytes, counted as copies
FS=ext4
"$ZCCTL" root add "$WORK/mnt-ext4/www" port 8099 copy
"$ZCCTL" stats reset
fetch_all curl 8099
check_eq "copy mode: by reference" 0 "$(stat body_bytes_zc 8099)"
check_eq "copy mode: by copy" "$total" "$(stat body_bytes_copy 8099)"
log_test "copy mode sends the same bytes by copy"

# a file system without ->read_folio (overlayfs): the counted copy path
modprobe -q overlay || fail "no overlayfs"
o=$WORK/mnt-ovl
mkdir -p "$o"
mount -t tmpfs -o size=8m none "$o" || fail "tmpfs for overlay"
mkdir -p "$o/lower" "$o/upper" "$o/work" "$o/merged"
head -c 1048577 /dev/urandom >"$o/lower/f.bin"
chmod -R a+rX "$o/lower"
mount -t overlay ovl -o "lowerdir=$o/lower,upperdir=$o/upper,workdir=$o/work" \
	"$o/merged" || fail "mount overlay"
"$ZCCTL" root add "$o/merged" port 8098 || fail "root add on overlayfs"
"$ZCCTL" stats reset
curl -sf --max-time 60 -o "$WORK/ovl.bin" http://127.0.0.1:8098/f.bin || fail "fetch"
check_eq "overlayfs sha256" "$(sha256sum <"$o/lower/f.bin")" "$(sha256sum <"$WORK/ovl.bin")"
check_eq "overlayfs: by reference" 0 "$(stat body_bytes_zc 8098)"
check_eq "overlayfs: by copy" 1048577 "$(stat body_bytes_copy 8098)"
"$ZCCTL" root del 8098
umount "$o/merged"
log_test "overlayfs (no read_folio) is served by counted copy"

zch_exit
