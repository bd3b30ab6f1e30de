#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# zcctl tests that need no loaded module: usage, help, argument errors,
# exit codes, and the "module not loaded" path. Prints TAP.
#
# Usage: tests.sh [ path/to/zcctl ]

ZCCTL=${1:-./zcctl}
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT

n=0
pass=0
fail=0

# run ARGS...: run zcctl, keep stdout, stderr and exit code
run()
{
	"$ZCCTL" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
}

ok()
{
	n=$((n + 1))
	pass=$((pass + 1))
	echo "ok $n - $1"
}

not_ok()
{
	n=$((n + 1))
	fail=$((fail + 1))
	echo "not ok $n - $1"
	echo "#   exit code: $rc"
	sed 's/^/#   stdout: /' "$TMP/out"
	sed 's/^/#   stderr: /' "$TMP/err"
}

skip()
{
	n=$((n + 1))
	pass=$((pass + 1))
	echo "ok $n - $1 # SKIP $2"
}

# expect DESC RC [ FILE TEXT ]: last run exited RC (and FILE holds TEXT)
expect()
{
	desc=$1
	want=$2
	if [ "$rc" -ne "$want" ]; then
		not_ok "$desc (want exit $want)"
		return
	fi
	if [ $# -ge 4 ] && ! grep -qF -- "$4" "$TMP/$3"; then
		not_ok "$desc (want $3 to contain: $4)"
		return
	fi
	ok "$desc"
}

if [ ! -x "$ZCCTL" ]; then
	echo "1..0 # SKIP $ZCCTL not built"
	exit 1
fi

# help and version
run -h;			expect "-h" 0 out "Usage: zcctl"
run --help;		expect "--help" 0 out "Usage: zcctl"
run help;		expect "help" 0 out "Usage: zcctl"
# one version everywhere: VERSION at the top of the tree
VERSION=$(cat "$(dirname "$0")/../../VERSION")
run -V;			expect "-V: VERSION" 0 out "zcctl $VERSION ("
run --version;		expect "--version" 0 out "zcctl $VERSION ("
run root help;		expect "root help" 0 out "zcctl root add DIR"
run stats help;		expect "stats help" 0 out "zcctl stats reset"
run cache help;		expect "cache help" 0 out "zcctl cache flush"
run c f h;		expect "prefix: c f h" 0 out "zcctl cache flush"
run r h;		expect "prefix: r h" 0 out "zcctl root add DIR"

# usage errors
run;			expect "no arguments" 1 err "Usage: zcctl"
run -x root;		expect "unknown option" 1 err 'Option "-x" is unknown'
run foo;		expect "unknown object" 1 err \
	'Object "foo" is unknown, try "zcctl help".'
run root x;		expect "unknown root command" 1 err \
	'Command "x" is unknown, try "zcctl root help".'
run stats x;		expect "unknown stats command" 1 err \
	'Command "x" is unknown, try "zcctl stats help".'
run stats -i 0;		expect "monitor interval 0" 1 err 'interval "0" is invalid: 1..3600.'
run stats -i 1 -c x;	expect "monitor count x" 1 err 'count "x" is invalid'
run stats monitor bogus; expect "monitor argument" 1 err 'unknown argument "bogus"'
run stats monitor help;	expect "monitor help" 0 out "zcctl stats monitor"
run cache x;		expect "unknown cache command" 1 err \
	'Command "x" is unknown, try "zcctl cache help".'
run root add;		expect "root add without DIR" 1 err "missing DIR"
run root add /tmp port x; expect "invalid port" 1 err 'zcctl: invalid port "x"'
run root add /tmp port 0; expect "port 0" 1 err 'zcctl: invalid port "0"'
run root add /tmp port 65536; expect "port 65536" 1 err 'invalid port "65536"'
run root add /tmp port -1; expect "port -1" 1 err 'invalid port "-1"'
run root add /tmp port;	expect "port without value" 1 err 'missing argument'
run root add /tmp addr 1.2.3; expect "invalid IPv4 addr" 1 err \
	'zcctl: invalid address "1.2.3"'
run root add /tmp addr '[1.2.3.4]'; expect "IPv4 in brackets" 1 err \
	'invalid address'
run root add /tmp addr ::g; expect "invalid IPv6 addr" 1 err 'invalid address'
run root add /tmp port 1 port 2; expect "duplicate port" 1 err 'duplicate "port"'
run root add /tmp bogus; expect "unknown root add argument" 1 err \
	'unknown argument "bogus"'

# request head limits: syntax and bounds, checked before the kernel is asked
run root help;		expect "root help lists the limits" 0 out \
	'reqline BYTES := 256..16384'
run root add /tmp reqline 255; expect "reqline below 256" 1 err \
	'invalid reqline "255" (256 to 16384)'
run root add /tmp reqline 16385; expect "reqline above 16384" 1 err \
	'invalid reqline "16385"'
run root add /tmp headsize 1023; expect "headsize below 1024" 1 err \
	'invalid headsize "1023" (1024 to 65536)'
run root add /tmp headsize 65537; expect "headsize above 65536" 1 err \
	'invalid headsize "65537"'
run root add /tmp headers 7; expect "headers below 8" 1 err \
	'invalid headers "7" (8 to 1000)'
run root add /tmp headers 1001; expect "headers above 1000" 1 err \
	'invalid headers "1001"'
run root add /tmp headers -8; expect "negative headers" 1 err \
	'invalid headers "-8"'
run root add /tmp reqline 4294967552; expect "reqline beyond 32 bits" 1 err \
	'invalid reqline "4294967552"'
run root add /tmp reqline ''; expect "empty reqline" 1 err 'invalid reqline ""'
run root add /tmp reqline 1e3; expect "reqline 1e3" 1 err 'invalid reqline "1e3"'
run root add /tmp reqline 512x; expect "reqline with a suffix" 1 err \
	'invalid reqline "512x"'
run root add /tmp headsize; expect "headsize without value" 1 err \
	'missing argument after "headsize"'
run root add /tmp headers 8 headers 9; expect "duplicate headers" 1 err \
	'duplicate "headers"'
run root add /tmp hea 1; expect "prefix hea is headsize" 1 err \
	'invalid headsize "1"'
run root add /tmp heade 1; expect "prefix heade is headers" 1 err \
	'invalid headers "1"'
run root add /tmp uid -1; expect "negative uid" 1 err \
	'invalid uid "-1" (0 to 4294967294)'
run root add /tmp uid 4294967295; expect "uid (uid_t)-1" 1 err \
	'invalid uid "4294967295"'
run root add /tmp gid www; expect "gid not a number" 1 err \
	'invalid gid "www"'
run root add /tmp uid 1 uid 2; expect "duplicate uid" 1 err \
	'duplicate "uid"'
run root del;		expect "root del without PORT" 1 err "missing PORT"
run root del port;	expect "root del port without PORT" 1 err \
	'missing argument'
run root del abc;	expect "root del invalid port" 1 err 'invalid port "abc"'
run root del 80 81;	expect "root del extra argument" 1 err 'unknown argument'
run root show port x;	expect "root show invalid port" 1 err 'invalid port'
run root show 80;	expect "root show bare port" 1 err 'unknown argument'
run stats root;		expect "stats root without PORT" 1 err 'missing argument'
run stats root 0;	expect "stats root 0" 1 err 'invalid port "0"'
run stats reset root x;	expect "stats reset invalid port" 1 err 'invalid port'
run stats show extra;	expect "stats show extra argument" 1 err \
	'unknown argument "extra"'
run cache flush root 0;	expect "cache flush root 0" 1 err 'invalid port "0"'
run cache root 80 root 81; expect "cache root twice" 1 err 'duplicate'
run cache show extra;	expect "cache show extra argument" 1 err \
	'unknown argument "extra"'
run -j root del x;	expect "JSON error object" 1 out \
	'{"error":"invalid port \"x\""}'

# without the module: exit code 2 and a hint
if [ -d /sys/module/zchttp ] || modinfo zchttp >/dev/null 2>&1; then
	for t in "root show" "stats" "cache" "-j root show"; do
		skip "module not loaded: $t" "zchttp module is available"
	done
else
	msg='generic netlink family "zchttp" not found: is the module loaded?'
	run root show;	expect "module not loaded: root show" 2 err "$msg"
	run root add /tmp port 8080; expect "module not loaded: root add" 2 \
		err "modprobe zchttp"
	run root add /tmp port 8080 reqline 16384 headsize 65536 headers 1000
	expect "module not loaded: root add with limits at their maximum" 2 \
		err "modprobe zchttp"
	run root add /tmp port 8080 reqline 256 headsize 1024 headers 8
	expect "module not loaded: root add with limits at their minimum" 2 \
		err "modprobe zchttp"
	run root del 8080; expect "module not loaded: root del" 2 err "$msg"
	run stats;	expect "module not loaded: stats" 2 err "$msg"
	run stats reset; expect "module not loaded: stats reset" 2 err "$msg"
	run cache;	expect "module not loaded: cache" 2 err "$msg"
	run cache flush root 80; expect "module not loaded: cache flush" 2 \
		err "$msg"
	run -j root show; expect "module not loaded: -j root show" 2 out \
		'{"error":"generic netlink family'
fi

echo "1..$n"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
