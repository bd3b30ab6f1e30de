#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lookups and opens run with the root's own unprivileged credential (uid
# and gid "nobody" unless the root names others), so the kernel's
# permission checks decide, with the world-read rule on top: a directory
# nobody may search, an ACL that denies nobody, and a 0700 directory of
# root under a root added by a process that holds only CAP_NET_ADMIN
# never give a file away. A root that names the directory's owner reads
# it; naming another uid than one's own needs CAP_SETUID.

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

require_cmd curl setfacl setpriv
zch_setup
zch_load

P=8190
D=$WORK/www
mkdir -p "$D/home1000" "$D/acl" "$D/open"
for f in home1000/f.txt acl/f.txt open/f.txt open/denied.txt open/group.txt; do
	echo "$f" >"$D/$f"
done
chmod 755 "$D" "$D/acl" "$D/open"
chmod 644 "$D"/*/*.txt
chown -R 1000:1000 "$D/home1000"
chmod 700 "$D/home1000"
setfacl -m u:nobody:--- "$D/acl" || fail "setfacl on a directory"
setfacl -m u:nobody:--- "$D/open/denied.txt" || fail "setfacl on a file"
chgrp nogroup "$D/open/group.txt"
chmod 640 "$D/open/group.txt"
"$ZCCTL" root add "$D" port $P || fail "root add"

check_eq "a world-readable file" 200 "$(http_get "http://127.0.0.1:$P/open/f.txt")"
check_eq "inside a 0700 directory of uid 1000" 403 \
	"$(http_get "http://127.0.0.1:$P/home1000/f.txt")"
check_eq "inside a directory whose ACL denies nobody" 403 \
	"$(http_get "http://127.0.0.1:$P/acl/f.txt")"
check_eq "a 0644 file whose ACL denies nobody" 403 \
	"$(http_get "http://127.0.0.1:$P/open/denied.txt")"
check_eq "0640, group nogroup: readable by nobody, not world-readable" 403 \
	"$(http_get "http://127.0.0.1:$P/open/group.txt")"
log_test "the kernel's permission checks decide, as uid nobody"

"$ZCCTL" root add "$D" port $((P + 1)) uid 1000 gid 1000 || fail "root add uid 1000"
check_eq "uid 1000: its own 0700 directory" 200 \
	"$(http_get "http://127.0.0.1:$((P + 1))/home1000/f.txt")"
check_eq "uid 1000: the ACL names nobody only" 200 \
	"$(http_get "http://127.0.0.1:$((P + 1))/open/denied.txt")"
out=$("$ZCCTL" root show)
check_match "root show prints uid and gid" "$((P + 1)) .*uid 1000 gid 1000" "$out"
out=$("$ZCCTL" root show)
check_match "the default is nobody" "$P .*uid 65534 gid 65534" "$out"
log_test "a root may name the owner it reads as"

# A secret that only directory permissions protect, as /root is: a 0700
# directory of root in a file system (the guest's own /root is a mount
# point, which no lookup crosses anyway) served as a whole by a root
# added by uid 1000 with CAP_NET_ADMIN and no other capability.
S=$WORK/mnt-sys
mkdir -p "$S"
chmod o+x "$WORK"	# the caller resolves the document root itself
mount -t tmpfs -o mode=0755 none "$S" || fail "tmpfs"
mkdir -m 700 "$S/root"
echo secret >"$S/root/secret.txt"
echo public >"$S/public.txt"
chmod 644 "$S/root/secret.txt" "$S/public.txt"
as_netadmin()
{
	setpriv --reuid=1000 --regid=1000 --clear-groups \
		--inh-caps=-all,+net_admin --ambient-caps=-all,+net_admin -- "$@"
}
as_netadmin "$ZCCTL" root add "$S" port $((P + 2)) ||
	fail "root add with CAP_NET_ADMIN only"
check_eq "its public file" 200 \
	"$(http_get "http://127.0.0.1:$((P + 2))/public.txt")"
check_eq "root/secret.txt, root/ 0700" 403 \
	"$(http_get "http://127.0.0.1:$((P + 2))/root/secret.txt")"
out=$(as_netadmin "$ZCCTL" root add "$S" port $((P + 3)) uid 0 2>&1)
rc=$?
check_eq "uid 0 without CAP_SETUID: exit" 1 "$rc"
check_match "uid 0 without CAP_SETUID: message" "CAP_SETUID" "$out"
out=$(as_netadmin "$ZCCTL" root add "$S" port $((P + 3)) gid 0 2>&1)
check_match "gid 0 without CAP_SETGID: message" "CAP_SETGID" "$out"
as_netadmin "$ZCCTL" root add "$S" port $((P + 3)) uid 1000 gid 1000 ||
	fail "a root as one's own uid needs no CAP_SETUID"
log_test "CAP_NET_ADMIN alone does not read what its uid may not"

zch_exit
