#!/usr/bin/env bash
# tests/run.sh BUILD_DIR - runs every unit test binary, every static check
# of the source tree (tests/static) and every CLI test script, each of
# which prints TAP lines ("ok N - ..." / "not ok N - ...").
# Sums them up and ends with "N passed, N failed".  A script that exits
# non-zero without reporting a failure counts as one failure.
set -u
B=${1:-build}
export BERTH_BUILD=$(cd "$B" && pwd)
export BERTH=$BERTH_BUILD/berth
cd "$(dirname "$0")/.."
pass=0 fail=0 skip=0
run_one() {
	local name=$1; shift
	local out rc
	echo "=== $name"
	out=$("$@" 2>&1); rc=$?
	printf '%s\n' "$out"
	local p f s
	p=$(printf '%s\n' "$out" | grep -E '^ok [0-9]+' | grep -vc '# skip')
	s=$(printf '%s\n' "$out" | grep -cE '^ok [0-9]+.*# skip')
	f=$(printf '%s\n' "$out" | grep -cE '^not ok [0-9]+')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited $rc"
		f=1
	fi
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
}
for t in "$BERTH_BUILD"/tests/test-*; do
	[ -x "$t" ] && run_one "$(basename "$t")" timeout 300 "$t"
done
for t in tests/static/*.sh; do
	[ -f "$t" ] && run_one "$(basename "$t")" bash "$t" "$BERTH_BUILD"
done
for t in tests/cli/t[0-9]*.sh; do
	[ -f "$t" ] && run_one "$(basename "$t")" timeout 900 bash "$t"
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
