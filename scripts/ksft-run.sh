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
) 2>&1 | tee "$log"

pass=$(grep -cE '^ok [0-9]+ ' "$log" | tr -d ' ')
skipped=$(grep -cE '^ok [0-9]+ .*# SKIP' "$log" | tr -d ' ')
failed=$(grep -cE '^not ok [0-9]+ ' "$log" | tr -d ' ')
echo "selftests: $((pass - skipped)) passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ $((pass + failed)) -eq "${#tests[@]}" ]
