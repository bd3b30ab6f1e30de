#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Root configuration through zcctl: add, show, delete, and every refusal
# with its exit code and message.

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

require_cmd curl python3 setpriv
# zcctl's command line and output; the debug lane's KASAN has the netlink
# paths under zchttp_nl, zchttp_nlfuzz.py and zchttp_faults.py
[ "$(lane)" = debug ] && skip "zcctl's interface: the other lanes run it"
zch_setup
zch_load

D=$WORK/www
make_tree "$D"

# --- add / show / del ---
out=$("$ZCCTL" root add "$D" port 8081 2>&1)
check_eq "root add exit" 0 $?
out=$("$ZCCTL" root show)
check_match "root show" "^port 8081 addr :: path $D index index.html reqline 4096 headsize 8192 headers 100 uid 65534 gid 65534 conns 0$" "$out"
out=$("$ZCCTL" -j root show)
check_match "root show json" "\"port\":8081" "$out"
check_match "root show json path" "\"path\":\"$D\"" "$out"
check_match "root show json default limits" \
	'"reqline":4096,"headsize":8192,"headers":100,' "$out"
check_eq "GET / on new root" 200 "$(http_get http://127.0.0.1:8081/)"
check_eq "GET / over IPv6" 200 "$(http_get 'http://[::1]:8081/')"
log_test "root add, show (text and JSON), serve on IPv4 and IPv6"

"$ZCCTL" root add "$D" port 8082 addr 127.0.0.1 index hello.txt
check_eq "add on 127.0.0.1" 0 $?
out=$("$ZCCTL" root show port 8082)
check_match "show one" "^port 8082 addr 127.0.0.1 path $D index hello.txt" "$out"
check_eq "index file" 200 "$(http_get http://127.0.0.1:8082/)"
check_eq "index body" hello "$(cat "$WORK/body")"
log_test "root with address and index file"

"$ZCCTL" root add "$D" port 8086 reqline 256 headsize 1024 headers 8
check_eq "add with limits" 0 $?
out=$("$ZCCTL" root show port 8086)
check_match "show limits" " index index.html reqline 256 headsize 1024 headers 8 uid 65534 gid 65534 conns 0$" "$out"
out=$("$ZCCTL" -j root show port 8086)
check_match "show limits json" '"reqline":256,"headsize":1024,"headers":8,' "$out"
"$ZCCTL" root add "$D" port 8087 reqline 16384 headsize 65536 headers 1000
check_eq "add with the largest limits" 0 $?
out=$("$ZCCTL" root show port 8087)
check_match "show largest limits" " reqline 16384 headsize 65536 headers 1000 " "$out"
"$ZCCTL" root add "$D" port 8088 headsize 1024 reqline 1024
check_eq "add with reqline = headsize" 0 $?
check_eq "GET on reqline = headsize" 200 "$(http_get http://127.0.0.1:8088/hello.txt)"
for p in 8086 8087 8088; do "$ZCCTL" root del $p; done
log_test "root with request head limits: add, show (text and JSON), serve"

"$ZCCTL" root del 8082
check_eq "root del exit" 0 $?
out=$("$ZCCTL" root show)
check_eq "one root left" 1 "$(grep -c '^port' <<<"$out")"
curl -s --max-time 5 http://127.0.0.1:8082/ >/dev/null
[ $? -eq 7 ] || fail "port 8082 still accepts connections"
log_test "root del stops listening"

# --- refusals: exit 1 and the kernel's message ---
expect_err()
{
	local desc=$1 msg=$2 out rc

	shift 2
	out=$("$@" 2>&1)
	rc=$?
	check_eq "$desc: exit code" 1 "$rc"
	check_match "$desc: message" "$msg" "$out"
}

expect_err "duplicate port" "a root already serves this port" \
	"$ZCCTL" root add "$D" port 8081
expect_err "missing dir" "document root does not exist" \
	"$ZCCTL" root add "$WORK/nonexistent" port 8083
expect_err "not a directory" "document root is not a directory" \
	"$ZCCTL" root add "$D/hello.txt" port 8083
expect_err "bad index" "index must be a plain file name" \
	"$ZCCTL" root add "$D" port 8083 index ../x
expect_err "reqline above the default head" \
	"Error: request line limit exceeds the head limit" \
	"$ZCCTL" root add "$D" port 8083 reqline 8193
expect_err "reqline above headsize" \
	"Error: request line limit exceeds the head limit" \
	"$ZCCTL" root add "$D" port 8083 reqline 2048 headsize 1024
expect_err "headsize below the default reqline" \
	"Error: request line limit exceeds the head limit" \
	"$ZCCTL" root add "$D" port 8083 headsize 2048
expect_err "del unknown" "no root on this port" "$ZCCTL" root del 8099
expect_err "stats unknown" "no root on this port" "$ZCCTL" stats root 8099
log_test "refusals: duplicate, missing or bad dir, index, limits, port"

# a port held by a user-space socket
fifo=$WORK/ready
mkfifo "$fifo"
python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 8084)); s.listen()
open(sys.argv[1], "w").write("ready\n")
import signal; signal.pause()
' "$fifo" &
holder=$!
read -r line <"$fifo"
check_eq "holder ready" ready "$line"
expect_err "port in use" "port already in use" "$ZCCTL" root add "$D" port 8084
kill $holder
log_test "port in use: EADDRINUSE with message"

# --- permissions: changes need CAP_NET_ADMIN, reads do not ---
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
expect_err "unprivileged add" "Operation not permitted" \
	"${nobody[@]}" "$ZCCTL" root add "$D" port 8085
expect_err "unprivileged del" "Operation not permitted" \
	"${nobody[@]}" "$ZCCTL" root del 8081
expect_err "unprivileged reset" "Operation not permitted" \
	"${nobody[@]}" "$ZCCTL" stats reset
expect_err "unprivileged cache flush" "Operation not permitted" \
	"${nobody[@]}" "$ZCCTL" cache flush
"${nobody[@]}" "$ZCCTL" root show >/dev/null
check_eq "unprivileged show" 0 $?
"${nobody[@]}" "$ZCCTL" stats >/dev/null
check_eq "unprivileged stats" 0 $?
"${nobody[@]}" "$ZCCTL" cache >/dev/null
check_eq "unprivileged cache show" 0 $?
log_test "non-root caller gets EPERM on changes, may read"

# --- limits ---
n=1
for p in $(seq 9001 9100); do
	"$ZCCTL" root add "$D" port "$p" >/dev/null 2>&1 || break
	n=$((n + 1))
done
check_eq "roots accepted" 64 "$n"
expect_err "too many roots" "too many roots" "$ZCCTL" root add "$D" port 9200
for p in $(seq 9001 9100); do
	"$ZCCTL" root del "$p" >/dev/null 2>&1
done
check_eq "roots left" 1 "$("$ZCCTL" root show | grep -c '^port')"
log_test "at most 64 roots"

# --- stats reset ---
http_get http://127.0.0.1:8081/hello.txt >/dev/null
[ "$(stat requests 8081)" -gt 0 ] || fail "requests not counted"
"$ZCCTL" stats reset
check_eq "global requests after reset" 0 "$(stat requests)"
check_eq "root requests after reset" 0 "$(stat requests 8081)"
http_get http://127.0.0.1:8081/hello.txt >/dev/null
check_eq "requests after one more" 1 "$(stat requests 8081)"
log_test "stats reset"

# --- stats monitor: rates per interval ---
mon=$WORK/monitor
"$ZCCTL" stats -i 1 -c 3 root 8081 >"$mon.txt" 2>&1 &
mpid=$!
"$ZCCTL" -j stats monitor root 8081 interval 1 count 3 >"$mon.json" 2>&1 &
jpid=$!
before=$(stat requests 8081)
for _ in $(seq 20); do
	http_get http://127.0.0.1:8081/hello.txt >/dev/null
done
after=$(stat requests 8081)
wait $mpid
check_eq "monitor exit" 0 $?
wait $jpid
check_eq "monitor -j exit" 0 $?
check_match "monitor header" "^ *time +req/s +hit% +MB/s-ref +MB/s-copy +conns" \
	"$(head -n 1 "$mon.txt")"
check_eq "monitor lines: header and 3" 4 "$(wc -l <"$mon.txt")"
# the requests counted over the three intervals (req/s times the seconds;
# each line's interval is at least 1 s and the rates are rounded)
sum=$(python3 - "$mon.json" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) == 3, lines
print(round(sum(l["requests_per_s"] * l["seconds"] for l in lines)))
PY
)
# the monitors started before the first request; the last requests may
# fall after the third line
[ "$sum" -ge 1 ] && [ "$sum" -le $((after - before)) ]
check_eq "requests seen by monitor -j within those made ($((after - before)))" \
	0 $?
log_test "stats monitor: a line per interval, in text and JSON lines"

# --- module not loaded ---
"$ZCCTL" root del 8081
rmmod zchttp
out=$("$ZCCTL" root show 2>&1)
check_eq "not loaded: exit code" 2 $?
check_match "not loaded: hint" "is the module loaded" "$out"
log_test "zcctl without the module: exit 2 and a hint"

zch_exit
