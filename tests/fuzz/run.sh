#!/usr/bin/env bash
# tests/fuzz/run.sh: run every libFuzzer target of tests/fuzz/ for a time
# budget, a few at a time, and print one line of figures per target.
#
#	make fuzz FUZZ_SECONDS=N [FUZZ_JOBS=J] [FUZZ_TARGETS="dns mime"]
#	FUZZ_SECONDS=1800 FUZZ_OUT=/var/tmp/fuzz bash tests/fuzz/run.sh
#
# Needs clang (Debian: clang, which brings libFuzzer).  The library is
# built once with -fsanitize=fuzzer-no-link,address,undefined into
# $FUZZ_OUT/lib; each target then runs from a scratch copy of its seed
# corpus in $FUZZ_OUT/TARGET/corpus (new inputs stay there, the committed
# seeds are not touched).  A crash, leak or sanitizer report leaves its
# input as $FUZZ_OUT/TARGET/crash-* and makes the run fail: fix it, then
# add the input to tests/fuzz/corpus/TARGET/ so make check replays it.
#
# Output, one line per target:
#	TARGET  execs  exec/s  cov  ft  corpus  crashes  seconds
# then "N passed, M failed" (a target passes when it ran clean), and
# the exit status is 1 when any target crashed or failed to build.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${FUZZ_SECONDS:-20}
jobs=${FUZZ_JOBS:-2}
out=${FUZZ_OUT:-${TMPDIR:-/tmp}/mkit-fuzz}
targets=${FUZZ_TARGETS:-$(cd "$top/tests/fuzz" && ls fuzz_*.c |
    sed 's/^fuzz_//; s/\.c$//' | tr '\n' ' ')}
flags="-g -O1 -fno-sanitize-recover=all -std=c17 -D_DEFAULT_SOURCE"

command -v clang >/dev/null || {
	echo "fuzz: needs clang with libFuzzer (apt-get install clang)" >&2
	exit 69
}
case $secs in
''|*[!0-9]*) echo "fuzz: FUZZ_SECONDS must be a number" >&2; exit 64 ;;
esac
mkdir -p "$out/lib" || exit 73

# The library, instrumented, built once.
echo "fuzz: building the library with clang into $out/lib" >&2
for f in "$top"/lib/*.c; do
	# shellcheck disable=SC2086
	clang $flags -fsanitize=fuzzer-no-link,address,undefined \
	    -I"$top/lib" $(pkg-config --cflags libcurl) \
	    -c "$f" -o "$out/lib/$(basename "$f" .c).o" &
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n
	done
done
wait
rm -f "$out/lib/libmkit-fuzz.a"
ar rcs "$out/lib/libmkit-fuzz.a" "$out"/lib/*.o || exit 70

# One target: build, fuzz, summarise in $out/T/summary.
one() {
	local t=$1 d=$out/$1 log st line
	rm -rf "$d"
	mkdir -p "$d/corpus"
	cp "$top"/tests/fuzz/corpus/"$t"/* "$d/corpus/" 2>/dev/null
	# shellcheck disable=SC2086
	if ! clang $flags -fsanitize=fuzzer,address,undefined -I"$top/lib" \
	    "$top/tests/fuzz/fuzz_$t.c" "$out/lib/libmkit-fuzz.a" \
	    $(pkg-config --libs libcurl) -o "$d/fuzz_$t" 2>"$d/build.log"; then
		echo "$t build-failed" > "$d/summary"
		return
	fi
	log=$d/fuzz.log
	(cd "$d" && ./"fuzz_$t" -max_total_time="$secs" -max_len=65536 \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$d/" corpus >"$log" 2>&1)
	st=$?
	line=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
	awk -v t="$t" -v st="$st" -v line="$line" -v secs="$secs" \
	    -v corp="$(ls "$d/corpus" | wc -l)" \
	    -v crashes="$(ls "$d" | grep -cE '^(crash|leak|timeout|oom)-')" '
	    /stat::number_of_executed_units/ { ex = $2 }
	    /stat::average_exec_per_sec/ { eps = $2 }
	    END {
		n = split(line, f, " ")
		for (i = 1; i < n; i++) {
			if (f[i] == "cov:") cov = f[i + 1]
			if (f[i] == "ft:") ft = f[i + 1]
		}
		if (st != 0 && crashes == 0) crashes = "exit" st
		printf "%-6s %12s %8s %6s %7s %7s %7s %7s\n", t, ex, eps,
		    cov, ft, corp, crashes, secs
	    }' "$log" > "$d/summary"
}

for t in $targets; do
	[ -f "$top/tests/fuzz/fuzz_$t.c" ] || {
		echo "fuzz: no target $t" >&2
		exit 64
	}
	one "$t" &
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n
	done
done
wait

printf "%-6s %12s %8s %6s %7s %7s %7s %7s\n" target execs exec/s cov ft \
    corpus crashes seconds
bad=0
for t in $targets; do
	cat "$out/$t/summary"
	awk '$2 == "build-failed" || ($7 != "0" && $7 != "") { exit 1 }' \
	    "$out/$t/summary" || bad=1
done
for t in $targets; do
	for f in "$out/$t"/crash-* "$out/$t"/leak-* "$out/$t"/timeout-*; do
		[ -e "$f" ] || continue
		echo "fuzz: $t: $f" >&2
		grep -m 3 -E 'ERROR|SUMMARY|runtime error' "$out/$t/fuzz.log" >&2
	done
done
# One "test" per target, for CI's tally.
for t in $targets; do
	cat "$out/$t/summary"
done | awk '{ n++ } $2 != "build-failed" && $7 == "0" { p++ }
    END { printf "%d passed, %d failed\n", p, n - p }'
exit $bad
