#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# No request may read outside its root: traversal, encoded dots, symlinks,
# mount points, absolute paths, and files that are not world-readable.

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

require_cmd python3
zch_setup
zch_load

R=$WORK/root
mkdir -p "$R/www/sub" "$R/www/mnt" "$R/outside"
echo OUTSIDE-SECRET >"$R/secret.txt"
echo OUTSIDE-SECRET >"$R/outside/secret.txt"
echo hello >"$R/www/hello.txt"
echo private >"$R/www/private.txt"
ln -s ../secret.txt "$R/www/link-out"
ln -s hello.txt "$R/www/link-in"
ln -s /etc/passwd "$R/www/link-abs"
ln -s .. "$R/www/sub/up"
chmod -R a+rX "$R"
chmod 600 "$R/www/private.txt"
mount --bind "$R/outside" "$R/www/mnt"

"$ZCCTL" root add "$R/www" port 8100 || fail "root add"

# raw TARGET: send "GET TARGET HTTP/1.1" as is; print status and body
raw()
{
	# % and \ in targets are data, not printf escapes
	local t=${1//\\/\\\\}

	http_raw 8100 "GET ${t//%/%%} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
}

# expect TARGET STATUS...: the status is one of those, no outside bytes.
# Queued; expect_run sends the queued requests from one Python process
# (under TCG a process costs about a second) and checks each.
EXPECT_TARGETS=()
EXPECT_STATUS=()
expect()
{
	EXPECT_TARGETS+=("$1")
	shift
	EXPECT_STATUS+=("$*")
}

expect_run()
{
	local i=0 st outside passwd

	while read -r st outside passwd; do
		local target=${EXPECT_TARGETS[i]}

		[ "$outside" = 0 ] || fail "$target leaked outside data"
		[ "$passwd" = 0 ] || fail "$target leaked /etc/passwd"
		[[ " ${EXPECT_STATUS[i]} " == *" $st "* ]] ||
			fail "$target: status $st, expected one of: ${EXPECT_STATUS[i]}"
		i=$((i + 1))
	done < <(python3 - "${EXPECT_TARGETS[@]}" <<'PY'
import socket, sys
for target in sys.argv[1:]:
    s = socket.create_connection(("127.0.0.1", 8100), timeout=10)
    s.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
              % target.encode("latin-1"))
    out = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
    s.close()
    st = out.split(b" ", 2)[1].decode() if out.count(b" ") >= 2 else "none"
    print(st, int(b"OUTSIDE-SECRET" in out), int(b"root:x:0" in out))
PY
	)
	[ "$i" -eq ${#EXPECT_TARGETS[@]} ] ||
		fail "answers to $i of ${#EXPECT_TARGETS[@]} requests"
	EXPECT_TARGETS=()
	EXPECT_STATUS=()
}

"$ZCCTL" stats reset
expect /../secret.txt 400
expect /%2e%2e/secret.txt 400
expect /%2E%2E/secret.txt 400
expect /sub/../../secret.txt 400
expect /..%2fsecret.txt 400
expect /%2e%2e%2fsecret.txt 400
expect '/..\secret.txt' 400
expect '/%5c..%5csecret.txt' 400
expect /sub/%2e%2e/%2e%2e/secret.txt 400
expect 'http://x/../secret.txt' 400
expect /%00 400
expect /hello.txt%00.html 400
expect_run
log_test "traversal and encoded dots: 400"

expect /etc/passwd 404
expect //etc/passwd 404
expect '/.%2e/secret.txt' 400
expect_run
log_test "absolute paths stay below the root"

before=$(stat path_rejects 8100)
expect /link-out 403
expect /link-abs 403
expect /link-in 403
expect /sub/up/secret.txt 403
expect /sub/up/../secret.txt 404
expect /mnt/secret.txt 403
expect /private.txt 403
expect_run
after=$(stat path_rejects 8100)
check_eq "path rejects counted" $((before + 6)) "$after"
log_test "symlinks, mount points, non-world-readable files: 403"

out=$(raw /hello.txt)
check_match "inside file served" "^HTTP/1.1 200" "$out"
check_match "inside body" "^hello" "$(tail -n2 <<<"$out")"
out=$(raw /sub)
check_match "dir redirect" "^HTTP/1.1 301" "$out"
check_match "dir location" "Location: /sub/" "$out"
log_test "files inside are served; a directory without slash redirects"

umount "$R/www/mnt"
zch_exit
