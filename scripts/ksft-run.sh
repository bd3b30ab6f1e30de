#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the zchttp selftests with the kselftest runner, inside a test VM.
#
# usage: scripts/ksft-run.sh KSFT [TEST...]
#
# KSFT is <kernel source>/tools/testing/selftests. The runner expects the
# installed kselftest layout (BASE_DIR/kselftest, BASE_DIR/<suite>), which
# is laid out here with symlinks in /tmp. Prints TAP, then one summary
# line "N passed, N failed, N skipped"; exits 1 if any test failed.
#
# Then reads the whole kernel log of the boot from /dev/kmsg (the tests'
# "dmesg -C" does not clear it) and exits 1 if it holds a kernel report
# (WARNING, BUG, Oops, KASAN, lockdep, ...), printing the lines: a report
# outside any test's own check, or from a WARN_ONCE that fired in an
# earlier test, still fails the run.

set -uo pipefail

KSFT=${1:?usage: ksft-run.sh KSFT [TEST...]}
shift
TOP=$(cd "$(dirname "$0")/.." && pwd)

base=$(mktemp -d /tmp/ksft.XXXXXX)
ln -s "$KSFT/kselftest" "$base/kselftest"
ln -s "$TOP/selftests" "$base/zchttp"

if (($#)); then
	tests=("$@")
else
	read -r -a tests < <(make -s -C "$TOP/selftests" KSFT="$KSFT" list_tests)
fi

log=$base/tap.log
(
	set +u
	cd "$base/zchttp" || exit 1
	export BASE_DIR=$base
	# shellcheck disable=SC1091
	. "$base/kselftest/runner.sh"
	run_many "${tests[@]/#/./}"
) 2>&1 | while IFS= read -r line; do
	# each test's time, from bash's clock (no process per line)
	case $line in
	"# selftests: zchttp: "*) echo "${EPOCHREALTIME%.*} start ${line##* }" >>"$base/times" ;;
	"ok "* | "not ok "*) echo "${EPOCHREALTIME%.*} end" >>"$base/times" ;;
	esac
	printf '%s\n' "$line"
done | tee "$log"

pass=$(grep -cE '^ok [0-9]+ ' "$log" | tr -d ' ')
skipped=$(grep -cE '^ok [0-9]+ .*# SKIP' "$log" | tr -d ' ')
failed=$(grep -cE '^not ok [0-9]+ ' "$log" | tr -d ' ')
echo "selftests: $((pass - skipped)) passed, $failed failed, $skipped skipped"
[ -r "$base/times" ] && awk '
	$2 == "start" { name = $3; t0 = $1 }
	$2 == "end" && name != "" { printf "%s%s %d s", sep, name, $1 - t0; sep = ", "; name = "" }
	END { if (sep) print "" }' "$base/times" | sed 's/^/selftests: times: /'

# every record still in the ring buffer (vm.sh boots with log_buf_len=4M)
kernel_reports()
{
	python3 - "$TOP/scripts/kernel-reports.re" <<'PY'
import errno, os, re, sys
pat = dict(l.rstrip("\n").split(" ", 1) for l in open(sys.argv[1])
           if l[0] != "#" and " " in l)
bad, benign = re.compile(pat["report"]), re.compile(pat["benign"])
fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
found = 0
while True:
    try:
        rec = os.read(fd, 8192).decode(errors="replace")
    except OSError as e:
        if e.errno == errno.EPIPE:	# overwritten records: go on
            continue
        if e.errno == errno.EAGAIN:	# the end
            break
        raise
    msg = rec.split(";", 1)[-1].rstrip("\n")
    if bad.search(msg) and not benign.search(msg):
        print("kernel report: " + msg.splitlines()[0])
        found += 1
sys.exit(1 if found else 0)
PY
}

status=0
[ "$failed" -eq 0 ] && [ $((pass + failed)) -eq "${#tests[@]}" ] || status=1
if ! kernel_reports; then
	echo "selftests: the kernel log of this run holds the reports above"
	status=1
fi
exit $status
