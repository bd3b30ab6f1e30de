#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tests of zcctl's bash completion: each line types a command and names
# the words it must complete to. Prints TAP.
#
# Usage: completion-tests.sh [ path/to/zcctl.bash-completion ]

set -u
# shellcheck source-path=SCRIPTDIR source=zcctl.bash-completion
source "${1:-$(dirname "$0")/zcctl.bash-completion}"

n=0
fail=0
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/www" "$TMP/wwx"
: >"$TMP/file"

# expect "WORDS" "COMPLETIONS": the last word of WORDS is being typed
expect()
{
	local got

	read -r -a COMP_WORDS <<<"$1"
	[[ $1 == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_zcctl
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | xargs)
	n=$((n + 1))
	if [[ $got == "$2" ]]; then
		echo "ok $n - '$1' -> '$2'"
	else
		fail=$((fail + 1))
		echo "not ok $n - '$1' -> '$got', want '$2'"
	fi
}

expect "zcctl " "cache help root stats"
expect "zcctl r" "root"
expect "zcctl -" "--help --json --pretty --version -V -h -j -p"
expect "zcctl -j " "cache help root stats"
expect "zcctl root " "add del help list show"
expect "zcctl -j root s" "show"
expect "zcctl stats " "help monitor reset root show"
expect "zcctl stats monitor " "count interval root"
expect "zcctl stats monitor interval " ""
expect "zcctl cache f" "flush"
expect "zcctl cache flush " "root"
expect "zcctl root add $TMP/ww" "$TMP/www $TMP/wwx"
expect "zcctl root add $TMP/www " "addr copy gid headers headsize index port reqline uid"
expect "zcctl root add $TMP/www port " ""
expect "zcctl root add $TMP/www port 80 h" "headers headsize"
expect "zcctl root del " "port"
echo "1..$n"
echo "$((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
