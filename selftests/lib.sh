#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for the zchttp selftests, in the style of
# tools/testing/selftests/net/lib.sh. Each test sources this file, calls
# zch_setup, runs its checks with check/log_test and ends with zch_exit.

ksft_pass=0
ksft_fail=1
ksft_skip=4

SELFTESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
TOP=$(cd "$SELFTESTS/.." && pwd)
ZCH_KO=${ZCH_KO:-$TOP/kmod/zchttp.ko}
ZCCTL=${ZCCTL:-$TOP/tools/zcctl/zcctl}
WORK=$(mktemp -d /tmp/zchttp.XXXXXX)

RET=0		# status of the checks of the current test case
NFAIL=0		# failed test cases
NPASS=0

# log_test DESCRIPTION: report the checks made since the last log_test.
log_test()
{
	if [ "$RET" -eq 0 ]; then
		printf 'TEST: %-64s [ OK ]\n' "$1"
		NPASS=$((NPASS + 1))
	else
		printf 'TEST: %-64s [FAIL]\n' "$1"
		NFAIL=$((NFAIL + 1))
	fi
	RET=0
}

# fail MESSAGE: mark the current test case failed.
fail()
{
	echo "    FAIL: $*"
	RET=1
}

# check_eq WHAT EXPECTED ACTUAL
check_eq()
{
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

# check_match WHAT REGEX TEXT
check_match()
{
	grep -Eq -- "$2" <<<"$3" || fail "$1: '$3' does not match /$2/"
}

skip()
{
	echo "SKIP: $*"
	exit "$ksft_skip"
}

# lane: the kernel lane this runs on: bookworm (the host's kernel, which
# has no lane name), trixie, sid or debug (Documentation/vm.rst).
lane()
{
	echo "${ZCH_LANE_SUITE:-bookworm}"
}

# long_lane: true on the lanes that run the long tests, bookworm and debug.
long_lane()
{
	case ${ZCH_LANE_SUITE:-} in
	"" | debug) return 0 ;;
	esac
	return 1
}

require_cmd()
{
	local c

	for c in "$@"; do
		command -v "$c" >/dev/null || skip "$c not installed"
	done
}

zch_load()
{
	lsmod | grep -q '^zchttp ' && rmmod zchttp
	insmod "$ZCH_KO" || { echo "cannot load $ZCH_KO"; exit "$ksft_fail"; }
}

zch_cleanup()
{
	local rc=$?

	jobs -p | xargs -r kill 2>/dev/null
	wait 2>/dev/null
	# a test's own teardown, if it defines one
	declare -F zch_test_cleanup >/dev/null && zch_test_cleanup
	if lsmod | grep -q '^zchttp '; then
		rmmod zchttp || echo "cleanup: rmmod zchttp failed"
	fi
	for m in "$WORK"/mnt*; do
		mountpoint -q "$m" 2>/dev/null && umount -R "$m"
	done
	rm -rf "$WORK"
	return $rc
}

zch_setup()
{
	[ "$(id -u)" -eq 0 ] || skip "must run as root"
	[ -r "$ZCH_KO" ] || skip "$ZCH_KO not built"
	[ -x "$ZCCTL" ] || skip "$ZCCTL not built"
	trap zch_cleanup EXIT
	dmesg -C 2>/dev/null || true
}

# zch_exit: end the test with the kselftest status of its cases.
zch_exit()
{
	local bad

	bad=$(dmesg 2>/dev/null |
	      grep -E "$(sed -n 's/^report //p' "$TOP/scripts/kernel-reports.re")" |
	      grep -vE "$(sed -n 's/^benign //p' "$TOP/scripts/kernel-reports.re")" || true)
	if [ -n "$bad" ]; then
		echo "kernel log has errors:"
		echo "$bad"
		NFAIL=$((NFAIL + 1))
	fi
	echo "# $NPASS passed, $NFAIL failed"
	[ "$NFAIL" -eq 0 ] && exit "$ksft_pass"
	exit "$ksft_fail"
}

# stat NAME [PORT]: one counter, global or of a root.
stat()
{
	local args=()

	[ -n "${2:-}" ] && args=(root "$2")
	"$ZCCTL" stats "${args[@]}" | awk -v n="$1" '$1 == n { print $2 }'
}

# ext4_mount DIR MIB: an ext4 file system of MIB MiB mounted at DIR, on a
# loop device over an image in a tmpfs of its own at $WORK/mnt-img (the
# VM's /tmp may be an overlay that cannot back a loop device); zch_cleanup
# unmounts both.
ext4_mount()
{
	local img=$WORK/mnt-img

	modprobe -q loop && modprobe -q ext4 || return 1
	mkdir -p "$1" "$img"
	mount -t tmpfs -o size=$(($2 + $2 / 4))m none "$img" || return 1
	truncate -s "$2M" "$img/ext4.img"
	mkfs.ext4 -q -F "$img/ext4.img" || return 1
	mount -o loop "$img/ext4.img" "$1"
}

# tracing_setup FILE WHAT: set T to the tracing directory (tracefs, or
# its debugfs mount) that has FILE, or skip for want of WHAT. Tracers run
# only in the one-vCPU boot of a lane: arming probes and events patches
# kernel text, and under TCG another vCPU may run a patched site at that
# moment and die on a stray int3 (Documentation/vm.rst, "The one-vCPU boot").
tracing_setup()
{
	T=/sys/kernel/tracing
	[ -e "$T/$1" ] || T=/sys/kernel/debug/tracing
	[ -e "$T/$1" ] || skip "no $2 in $(uname -r)"
	[ "$(nproc)" -eq 1 ] ||
		skip "tracing on several vCPUs under TCG (run in the one-vCPU boot)"
}

# trace_clear KIB: an empty ring buffer of KIB KiB per CPU, without
# command-line recording (it would switch the scheduler's tracepoints on).
trace_clear()
{
	echo 0 >"$T/options/record-cmd"
	echo "$1" >"$T/buffer_size_kb"
	echo >"$T/trace"
}

# trace_overruns: events the ring buffer lost since trace_clear.
trace_overruns()
{
	awk '/^overrun:/ { n += $2 } END { print n + 0 }' "$T"/per_cpu/cpu*/stats
}

# kprobe_zc GRP: a kretprobe GRP/zc on the function by which the kernel
# attaches pages to TCP (skb_splice_from_iter from 6.5, tcp_sendpage
# before), with ZC_FN set to its name; fails if there is neither. The
# type of $retval is the function's: the upper half of %rax is undefined
# when it returns an int.
kprobe_zc()
{
	local ret

	if grep -qw skb_splice_from_iter /proc/kallsyms; then
		ZC_FN=skb_splice_from_iter ret=s64	# ssize_t
	elif grep -qw tcp_sendpage /proc/kallsyms; then
		ZC_FN=tcp_sendpage ret=s32		# int
	else
		return 1
	fi
	echo "r:$1/zc $ZC_FN ret=\$retval:$ret" >>"$T/kprobe_events"
}

# kprobes_del GRP: disable and remove every probe of event group GRP.
kprobes_del()
{
	local p probes

	[ -d "$T/events/$1" ] && echo 0 >"$T/events/$1/enable"
	probes=$(sed -n "s|^[pr][0-9]*:\($1/[^ ]*\) .*|-:\1|p" "$T/kprobe_events" 2>/dev/null)
	while read -r p; do
		[ -n "$p" ] && echo "$p" >>"$T/kprobe_events"
	done <<<"$probes"
	return 0
}

# stats_read ARRAY [PORT]: every counter, global or of a root, into the
# associative ARRAY (declare -A), for many checks from one zcctl call.
stats_read()
{
	local -n _stats=$1
	local name val

	_stats=()
	while read -r name val _; do
		[ -n "$val" ] && _stats["$name"]=$val
	done < <("$ZCCTL" stats ${2:+root "$2"})
}

# http_get URL: print the status code; the body goes to $WORK/body.
http_get()
{
	curl -s -o "$WORK/body" -w '%{http_code}' --max-time 60 "$@"
}

# http_raw PORT REQUEST: send REQUEST (printf escapes such as \r\n are
# expanded) as is, then print everything the server sends until it closes.
http_raw()
{
	# shellcheck disable=SC2059 # the request is the format, on purpose
	printf "$2" | python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(sys.stdin.buffer.read())
while True:
    b = s.recv(65536)
    if not b:
        break
    sys.stdout.buffer.write(b)
' "$1"
}

# make_tree DIR: the standard test files.
make_tree()
{
	local d=$1 s

	mkdir -p "$d/sub"
	for s in 0 1 4095 4096 4097 1048576; do
		head -c "$s" /dev/urandom >"$d/f$s.bin"
	done
	echo '<html><body>index</body></html>' >"$d/index.html"
	echo 'sub index' >"$d/sub/index.html"
	echo 'hello' >"$d/hello.txt"
	echo 'secret' >"$d/private.txt"
	chmod 600 "$d/private.txt"
	chmod -R a+rX "$d"
	chmod 600 "$d/private.txt"
}
