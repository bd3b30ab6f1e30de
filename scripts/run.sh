#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make run`: build everything, boot a VM with zchttp serving examples/www,
# forward it to http://127.0.0.1:8080 on this machine, and print live
# counters until Ctrl-C (or for ZCH_RUN_SECONDS seconds when it is set
# and not 0).

set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
HOST_PORT=${ZCH_RUN_PORT:-8080}

scripts/deps.sh >/dev/null
make -s module zcctl KDIR="${KDIR:-$(printf '%s\n' /usr/src/linux-headers-6.1.*-amd64 | sort -V | tail -n 1)}"

echo "run: booting the VM; http://127.0.0.1:$HOST_PORT/ will serve examples/www"
[ "${ZCH_RUN_SECONDS:-0}" != 0 ] || echo "run: Ctrl-C stops it"
exec scripts/vm.sh --timeout 86400 --fwd "$HOST_PORT:80" -- \
	scripts/run-guest.sh "${ZCH_RUN_SECONDS:-0}"
