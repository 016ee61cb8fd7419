#!/usr/bin/env bash
# The whole suite: every unit test binary, then every bats file, each as
# TAP; ends with one line "N passed, M failed, K skipped".
# MKIT_BIN: directory of the binaries under test; MKIT_UNIT: of the unit
# test binaries.  Extra arguments: bats files to run instead of all.
set -u
cd "$(dirname "$0")/.." || exit 70
: "${MKIT_BIN:?}" "${MKIT_UNIT:?}"
export MKIT_BIN PATH="$MKIT_BIN:$PATH"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

pass=0 fail=0 skip=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# count NAME STATUS: tally the TAP in $log; a run that exited non-zero
# without a failing test line (a crash) counts as one failure.
count() {
	local p f s
	p=$(grep -c '^ok ' "$log" | tr -d ' ')
	s=$(grep -Eci '^ok [0-9]+.*# skip' "$log" | tr -d ' ')
	f=$(grep -c '^not ok ' "$log" | tr -d ' ')
	if [ "$2" != 0 ] && [ "$f" = 0 ]; then
		echo "not ok - $1 exited $2 without a failing test"
		f=1
	fi
	pass=$((pass + p - s)) skip=$((skip + s)) fail=$((fail + f))
}

if [ $# = 0 ]; then
	for t in "$MKIT_UNIT"/test_*; do
		[ -x "$t" ] || continue
		echo "# unit: ${t##*/}"
		"$t" > "$log" 2>&1
		rc=$?
		cat "$log"
		count "${t##*/}" "$rc"
	done
	set -- tests/*.bats
fi

# /dev/null must stay the device: a test (or a tool) that removes or
# renames over it breaks every later "> /dev/null" (seen once, culprit
# unknown).  Checked after each file; it counts as a failure of that file
# and, as root, the device is made again.
devnull_check() {
	[ -c /dev/null ] && return 0
	echo "not ok - /dev/null is no longer a character device after $1"
	fail=$((fail + 1))
	if [ "$(id -u)" = 0 ]; then
		rm -f /dev/null && mknod -m 666 /dev/null c 1 3
	fi
}

for b in "$@"; do
	echo "# bats: $b"
	bats --tap "$b" > "$log" 2>&1
	rc=$?
	cat "$log"
	count "$b" "$rc"
	devnull_check "$b"
done

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
