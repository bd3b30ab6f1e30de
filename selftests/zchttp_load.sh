#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Keep-alive load from ab and wrk: every request answered, no error, and
# the module's counters agree with the clients' counts. This is not a
# benchmark (make bench is): it checks correctness under concurrency.

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

require_cmd ab wrk
long_lane || skip "a load test: the bookworm and debug lanes run it"
zch_setup
zch_load

D=$WORK/www
mkdir -p "$D"
mount -t tmpfs -o size=16m none "$D" || fail "tmpfs"
head -c 1024 /dev/urandom >"$D/1k.bin"
head -c 1048576 /dev/urandom >"$D/1m.bin"
chmod a+r "$D"/*.bin
"$ZCCTL" root add "$D" port 8150 || fail "root add"

# 2,000 requests of each size; of the 1 MiB file 200 under KASAN
declare -A st
for f in 1k.bin 1m.bin; do
	n=2000
	[ $f = 1m.bin ] && [ "$(lane)" = debug ] && n=200
	"$ZCCTL" stats reset
	out=$(ab -k -q -n $n -c 20 "http://127.0.0.1:8150/$f" 2>&1)
	check_match "ab $f completed" "^Complete requests: +$n$" "$out"
	check_match "ab $f failed" "^Failed requests: +0$" "$out"
	grep -q "^Non-2xx responses" <<<"$out" && fail "ab $f: non-2xx responses"
	check_match "ab $f keep-alive" "^Keep-Alive requests: +$n$" "$out"
	stats_read st 8150
	check_eq "ab $f: requests counted" $n "${st[requests]}"
	check_eq "ab $f: 2xx counted" $n "${st[resp_2xx]}"
	size=$(wc -c <"$D/$f")
	check_eq "ab $f: body bytes by reference" $((n * size)) \
		"${st[body_bytes_zc]}"
	log_test "ab -k -n $n -c 20 $f: no failure, counters agree"
done

"$ZCCTL" stats reset
out=$(wrk -t 2 -c 50 -d 5s --latency http://127.0.0.1:8150/1k.bin 2>&1)
echo "$out" | sed -n '/requests in/p'
n=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' <<<"$out")
if [ -z "$n" ] || [ "$n" -eq 0 ]; then
	fail "wrk made no request: $out"
fi
grep -Eq "Socket errors|Non-2xx" <<<"$out" && fail "wrk saw errors: $out"
# wrk counts completed responses; requests still in flight when it stops
# are parsed by the module but not counted by wrk
r=$(stat requests 8150)
if [ "$r" -lt "${n:-0}" ] || [ "$r" -gt $((${n:-0} + 50)) ]; then
	fail "module counted $r requests, wrk $n"
fi
check_eq "wrk: only 2xx" "$(stat requests 8150)" "$(stat resp_2xx 8150)"
log_test "wrk -c 50 keep-alive for 5 s: no error, counters agree"

"$ZCCTL" root del 8150
umount "$D"
zch_exit
