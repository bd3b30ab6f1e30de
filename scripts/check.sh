#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Everything that tests zchttp; `make check` runs this and .ci/run runs
# `make check`. Each step prints its name and time; the last line says
# "N passed, N failed". Exit status is non-zero if any step failed.
#
# Environment: KDIR (kernel headers), FUZZ_SECONDS (default 60),
# KERNELS (kernel lanes to run the VM selftests on, default
# "bookworm trixie sid debug"; "debug" is the KASAN/lockdep/kmemleak 6.1
# lane), ZCH_CACHE (cache directory, see
# scripts/deps.sh).

set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
FUZZ_SECONDS=${FUZZ_SECONDS:-60}

KERNELS=${KERNELS:-bookworm trixie sid debug}

PASSED=0
FAILED=0
SKIPPED=0
FAILED_STEPS=()

step()
{
	local name=$1 start rc

	shift
	echo "=== $name"
	start=$(date +%s)
	"$@"
	rc=$?
	if [ $rc -eq 0 ]; then
		PASSED=$((PASSED + 1))
		echo "=== $name: ok ($(( $(date +%s) - start )) s)"
	else
		FAILED=$((FAILED + 1))
		FAILED_STEPS+=("$name")
		echo "=== $name: FAILED, exit $rc ($(( $(date +%s) - start )) s)"
	fi
	return $rc
}

KSRC=$(scripts/deps.sh | tail -n 1)
if [ ! -d "$KSRC/tools/testing/selftests" ]; then
	echo "check: no kernel source from scripts/deps.sh" >&2
	exit 1
fi
KSFT=$KSRC/tools/testing/selftests
# the kernel sources of the project, not files the kernel build generates
mapfile -t KSRCS < <(git ls-files --cached --others --exclude-standard 'kmod/*.c' 'kmod/*.h')
if [ ${#KSRCS[@]} -eq 0 ]; then
	echo "check.sh: no kmod/*.[ch] listed by git: run it in a git checkout" >&2
	exit 1
fi
KDIR=${KDIR:-$(printf '%s\n' /usr/src/linux-headers-6.1.*-amd64 | sort -V | tail -n 1)}

# What the lanes need beyond this machine's kernel (the trixie and sid
# roots, the debug kernel) is built in the background while the static
# checks and the bookworm lane run, in two jobs side by side: the root
# builds mostly wait on the mirror, and the kernel build, the longest
# (the debug lane's main boot, the longest boot, waits for it), runs at
# nice 10 in this session (so in the scheduler autogroup of the VMs,
# which keep their priority) and takes what CPU the guests leave. The
# lanes call the same scripts again; both cache and lock, so a lane
# waits for a job still running and then reuses what it made. A job's
# failure is only logged here: the lane reruns it and reports the
# failure, or its SKIP.
PREP_LOG=$(mktemp /tmp/zchttp-lanes.XXXXXX)
PREP_PIDS=()
for k in $KERNELS; do
	case $k in
	trixie|sid) scripts/lane-root.sh "$k" ;;
	esac
done >>"$PREP_LOG" 2>&1 </dev/null &
PREP_PIDS+=($!)
if [[ " $KERNELS " == *" debug "* ]]; then
	scripts/debug-kernel.sh >>"$PREP_LOG.debug" 2>&1 </dev/null &
	PREP_PIDS+=($!)
fi
echo "=== preparing the lanes ($KERNELS) in the background: logs $PREP_LOG{,.debug}"

# Build with W=1 and sparse, the kernel's way for an external module
# (make -C KDIR M=DIR, which kmod/Makefile also runs); any compiler or
# sparse warning fails, and so does a module whose version is not VERSION.
build_module()
{
	local log ver

	log=$(mktemp)
	make -C "$KDIR" M="$TOP/kmod" clean >/dev/null
	make -C "$KDIR" M="$TOP/kmod" W=1 C=1 KCFLAGS=-Werror 2>&1 | tee "$log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || return 1
	if grep -E 'warning:|error:' "$log" | grep -v 'Skipping BTF'; then
		echo "warnings above"
		return 1
	fi
	ver=$(/sbin/modinfo -F version kmod/zchttp.ko)
	if [ "$ver" != "$(cat VERSION)" ]; then
		echo "zchttp.ko has version '$ver', VERSION says $(cat VERSION)"
		return 1
	fi
}

checkpatch()
{
	local cp=$KSRC/scripts/checkpatch.pl out

	out=$(perl "$cp" --no-tree --strict --terse --show-types \
		--ignore LINUX_VERSION_CODE \
		-f "${KSRCS[@]}" include/uapi/linux/zchttp.h 2>&1 |
		grep -E '(ERROR|WARNING|CHECK):')
	[ -z "$out" ] && return 0
	echo "$out"
	return 1
}

kerneldoc()
{
	local out

	out=$(perl "$KSRC/scripts/kernel-doc" -none "${KSRCS[@]}" 2>&1)
	[ -z "$out" ] && return 0
	echo "$out"
	return 1
}

shellcheck_all()
{
	shellcheck -x scripts/*.sh selftests/*.sh tools/zcctl/*.sh .ci/run &&
		shellcheck -s bash tools/zcctl/zcctl.bash-completion
}

# run_tests LANE [VM.SH OPTION...] -- [TEST...]: selftests in a VM of the
# lane (all those of the main boot if none are named). Exit status 4: the
# lane's root cannot be installed (no mirror), which skips the lane.
run_tests()
{
	local lane=$1
	local -a opts=()

	shift
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	if [ "$lane" = bookworm ]; then
		scripts/vm.sh "${opts[@]}" -- scripts/ksft-run.sh "$KSFT" "$@"
	else
		scripts/lane.sh "$lane" "${opts[@]}" -- scripts/ksft-run.sh "$KSFT" "$@"
	fi
}

# run_boot LANE BOOT: one boot of a lane (BOOT: main, with all the tests
# of the main boot, or one, with those of the one-vCPU boot) into
# LANE_DIR/LANE.BOOT.log, with "STATUS SECONDS" in LANE_DIR/LANE.BOOT.rc.
run_boot()
{
	local lane=$1 boot=$2 t0=$SECONDS rc

	if [ "$boot" = main ]; then
		run_tests "$lane" --timeout 3000 -- >"$LANE_DIR/$lane.main.log" 2>&1
	else
		run_tests "$lane" --cpus 1 --timeout 1800 -- "${ONE_CPU_TESTS[@]}" \
			>"$LANE_DIR/$lane.one.log" 2>&1
	fi
	rc=$?
	echo "$rc $((SECONDS - t0))" >"$LANE_DIR/$lane.$boot.rc"
}

# next_boot: print the next boot of BOOTS ("LANE BOOT") not yet started,
# preferring one whose lane runs no other boot (the two boots of a lane
# share its build, but each runs faster beside another lane's), else any:
# the debug lane's one-vCPU boot beside its main boot; fail when none is
# left.
# Under a lock: two workers ask.
next_boot()
{
	(
		local item free

		flock 7
		for free in 1 0; do
			for item in "${BOOTS[@]}"; do
				[ -e "$LANE_DIR/${item/ /.}.started" ] && continue
				[ "$free" = 1 ] && [ -e "$LANE_DIR/${item% *}.busy" ] &&
					continue
				: >"$LANE_DIR/${item/ /.}.started"
				: >"$LANE_DIR/${item% *}.busy"
				echo "$item"
				exit 0
			done
		done
		exit 1
	) 7>"$LANE_DIR/queue.lock"
}

# boot_worker: run boots until none is left.
boot_worker()
{
	local item

	while item=$(next_boot); do
		# shellcheck disable=SC2086 # "LANE BOOT", two words
		run_boot $item
		rm -f "$LANE_DIR/${item% *}.busy"
	done
}

# report NAME LANE BOOT: the step of a finished boot, as step() prints it.
report()
{
	local name=$1 rc secs

	echo "=== $name"
	cat "$LANE_DIR/$2.$3.log" 2>/dev/null
	read -r rc secs <"$LANE_DIR/$2.$3.rc" || rc=1
	if [ "$rc" -eq 4 ]; then
		echo "########## SKIP: the $2 lane could not be set up (see above)"
		SKIPPED=$((SKIPPED + 1))
		rc=0
	fi
	if [ "$rc" -eq 0 ]; then
		PASSED=$((PASSED + 1))
		echo "=== $name: ok (${secs:-0} s)"
	else
		FAILED=$((FAILED + 1))
		FAILED_STEPS+=("$name")
		echo "=== $name: FAILED, exit $rc (${secs:-0} s)"
	fi
}

step "build zchttp.ko (W=1, sparse)" build_module
step "checkpatch --strict" checkpatch
step "UAPI header matches the YNL spec" python3 scripts/check-uapi.py
step "kernel-doc" kerneldoc
step "shellcheck" shellcheck_all
step "pyflakes" /usr/bin/python3 -m pyflakes selftests/*.py scripts/*.py tests/bench/*.py
step "Documentation parses (docutils)" /usr/bin/python3 scripts/check-rst.py
step "man pages and docs: every counter and parameter" /usr/bin/python3 scripts/check-docs.py
step "zcctl build and tests" make -C tools/zcctl check
step "HTTP parser unit tests" make -C tests/unit check
step "dkms build from dkms.conf" scripts/dkms-check.sh
# libFuzzer logs every new input: keep the log, show its end
fuzz()
{
	local log rc

	log=$(mktemp)
	make -C tests/fuzz fuzz FUZZ_SECONDS="$FUZZ_SECONDS" >"$log" 2>&1
	rc=$?
	tail -n 12 "$log"
	rm -f "$log"
	return $rc
}

step "HTTP parser fuzzing (${FUZZ_SECONDS} s)" fuzz
# the selftests, and zcserv for the smoke run of make bench
selftests_build()
{
	make -C selftests KSFT="$KSFT" && make -C tests/bench
}

step "selftests build" selftests_build
# Tests that trace (kprobes, trace events) or need the work to run when the
# client pauses get a boot of their own with one vCPU: under TCG, text
# patching can kill a guest with several (Documentation/vm.rst, "The
# one-vCPU boot").
read -r -a ONE_CPU_TESTS < <(make -s -C selftests KSFT="$KSFT" list_one_cpu_tests)

# Two boots run at a time, the longest first (the debug lane's main boot,
# then bookworm's, ...), each worker taking the next boot whose lane is
# free: the guests often wait (timeouts, lingering closes, a client's
# pace) and leave CPU to the other VM. Each boot's output is kept and
# printed in lane order when all are done.
LANE_DIR=$(mktemp -d /tmp/zchttp-check.XXXXXX)
LANES=()
for k in $KERNELS; do
	case $k in
	bookworm|trixie|sid|debug) LANES+=("$k") ;;
	*) step "unknown kernel lane '$k' (bookworm, trixie, sid, debug)" false ;;
	esac
done
BOOTS=()
for item in "debug main" "bookworm main" "trixie main" "sid main" \
	    "debug one" "bookworm one" "trixie one" "sid one"; do
	[[ " ${LANES[*]} " == *" ${item% *} "* ]] && BOOTS+=("$item")
done
# The Debian packages: built, then installed in the trixie root, whose
# DKMS builds the module for its kernel (scripts/deb-check.sh). Beside
# the boots, since it waits for that root, at nice 19 as the two below
# run: the guests' timing tests (the smoke run of make bench, slowloris)
# must not lose their CPU to builds; only built if the lane is not run
# or its root cannot be made.
deb_check()
{
	local root rc

	[[ " ${LANES[*]} " == *" trixie "* ]] || { scripts/deb-check.sh; return; }
	root=$(scripts/lane-root.sh trixie)
	rc=$?
	if [ $rc -eq 0 ]; then
		scripts/deb-check.sh "${root##*$'\n'}"
	elif [ $rc -eq 4 ]; then
		echo "no trixie root: the packages are built, not installed"
		scripts/deb-check.sh
	else
		return $rc
	fi
}

# The in-tree patch (scripts/create-patch.sh): applied to an overlay of
# the kernel source and built with CONFIG_ZCHTTP=m in an overlay of the
# debug lane's build tree, which it waits for; skipped without that lane.
patch_check()
{
	local out

	if [[ " ${LANES[*]} " != *" debug "* ]]; then
		echo "no debug lane: no configured kernel tree to build in"
		return 4
	fi
	out=$(scripts/debug-kernel.sh) || return
	scripts/create-patch.sh --check -k "$KSRC" "${out##*$'\n'}"
}

# side NAME FUNCTION: run a check beside the boots into LANE_DIR/NAME.check.log,
# with "STATUS SECONDS" in LANE_DIR/NAME.check.rc, as run_boot() does
side()
{
	local t0=$SECONDS rc

	"$2" >"$LANE_DIR/$1.check.log" 2>&1
	rc=$?
	echo "$rc $((SECONDS - t0))" >"$LANE_DIR/$1.check.rc"
}

echo "=== VM selftests of the lanes ${LANES[*]} running (logs: $LANE_DIR)"
{
	renice -n 19 -p $BASHPID >/dev/null
	side deb deb_check
	side patch patch_check
} </dev/null &
wd=$!
boot_worker </dev/null &
w1=$!
boot_worker </dev/null &
w2=$!
wait $w1 $w2 $wd
report "Debian packages: built, installed with DKMS in the trixie root" deb check
report "in-tree patch: applies to linux-source-6.1, builds with CONFIG_ZCHTTP=m" patch check
for k in "${LANES[@]}"; do
	name=$k
	[ "$k" = bookworm ] && name="bookworm ($(basename "$KDIR"))"
	report "VM selftests: $name" "$k" main
	report "VM selftests, one vCPU: $name" "$k" one
done
rm -rf "$LANE_DIR"

wait "${PREP_PIDS[@]}" 2>/dev/null
echo
if [ $FAILED -ne 0 ]; then
	printf 'failed step: %s\n' "${FAILED_STEPS[@]}"
fi
echo "check: $PASSED passed, $FAILED failed, $SKIPPED skipped"
[ $FAILED -eq 0 ]
