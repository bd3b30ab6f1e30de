#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A connection that only ever sees the peer's FIN (idle keep-alive
# connections closed by their clients, port scanners) is closed without
# the module allocating anything: there are no bytes to receive, so no
# request buffer. Seen by the kernel's own kmem tracepoints: no
# allocation from zchttp's code while 200 such connections are closed,
# and, as the control, allocations from it when they send a request.
#
# Runs in the one-vCPU boot of its lane, as every tracer test
# (tracing_setup in lib.sh; Documentation/vm.rst, "The one-vCPU boot").

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

require_cmd python3 awk
zch_setup

tracing_setup events/kmem/kmem_cache_alloc "kmem events"

P=8240
N=200
EVENTS=(kmem_cache_alloc kmalloc mm_page_alloc)

# shellcheck disable=SC2317 # called by zch_cleanup (lib.sh) at exit
zch_test_cleanup()
{
	local e

	for e in "${EVENTS[@]}"; do
		echo 0 >"$T/events/kmem/$e/enable"
	done
	return 0
}

make_tree "$WORK/www"
zch_load
"$ZCCTL" root add "$WORK/www" port $P || fail "root add"

# allocations whose call site is in zchttp, while N connections are
# opened, then each sends $1 and shuts its side down
allocs()
{
	local e

	trace_clear 8192
	PYTHONPATH=$SELFTESTS python3 - "$P" "$N" "$1" "$T" "${EVENTS[@]}" <<'PY'
import socket, sys
from zch_lib import stat, wait_for
port, n, req = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].encode()
ev = ["%s/events/kmem/%s/enable" % (sys.argv[4], e) for e in sys.argv[5:]]
def trace(on):
    for e in ev:
        with open(e, "w") as f:
            f.write(on)
socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
# accepted (a connection's own struct is allocated then), and idle
if not wait_for(lambda: stat("conns_active", port) == n, 60):
    sys.exit("only %d connections accepted" % stat("conns_active", port))
trace("1")
for s in socks:
    if req:
        s.sendall(req.replace(b"\\r\\n", b"\r\n"))
    s.shutdown(socket.SHUT_WR)
for s in socks:
    s.settimeout(30)
    while s.recv(65536):
        pass
trace("0")
PY
	for e in "${EVENTS[@]}"; do
		echo 0 >"$T/events/kmem/$e/enable"
	done
	check_eq "trace overruns" 0 "$(trace_overruns)"
	grep -c 'call_site=[^ ]* \[zchttp\]' "$T/trace"
}

n=$(allocs "")
echo "# $N connections closed by their peer: $n allocations by zchttp"
check_eq "allocations by zchttp to read $N FINs" 0 "$n"
n=$(allocs 'GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n')
echo "# $N connections with a request: $n allocations by zchttp"
[ "$n" -ge $N ] || fail "the control saw only $n allocations for $N requests"
log_test "a FIN alone allocates nothing; a request does"

zch_exit
