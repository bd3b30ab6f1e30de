#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inside the `make run` VM: load zchttp, serve examples/www on port 80 and
# print the rates of the counters every two seconds (zcctl stats monitor),
# for $1 seconds (0: until stopped).

set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
ZCCTL=$TOP/tools/zcctl/zcctl
duration=${1:-0}

insmod "$TOP/kmod/zchttp.ko"
# The site is copied to a tmpfs: the guest's /tmp is an overlay over the
# host's 9p root, and files there have no page cache of their own, so they
# would go out by copy. tmpfs files are sent by page reference.
mkdir -p /tmp/www
mount -t tmpfs -o size=64m zchttp-www /tmp/www
cp -r "$TOP/examples/www/." /tmp/www/
chmod -R a+rX /tmp/www
"$ZCCTL" root add /tmp/www port 80
"$ZCCTL" root show

if [ "$duration" -eq 0 ]; then
	"$ZCCTL" stats monitor interval 2 || :
else
	"$ZCCTL" stats monitor interval 2 count $(((duration + 1) / 2)) || :
fi
"$ZCCTL" root del 80
rmmod zchttp
