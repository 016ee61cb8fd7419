#!/usr/bin/env bash
# b64.sh: base64 encode and decode throughput, side by side in one run:
# mmime encode -b / decode -b (with its vector code, and forced scalar
# with MKIT_B64_SCALAR=1), coreutils base64 and openssl base64, with the
# machine's ceilings: reading the file (dd), a pipe, memcpy; and the bare
# codec in memory (bench/b64bench.c -t) for each implementation.
#
#	bash bench/b64.sh			# $MKIT_BIN/mmime or bin/mmime
#	MKIT_BIN=/tmp/x/bin SIZE_MB=64 RUNS=5 bash bench/b64.sh
#
# Each figure is the best of RUNS runs, in MB/s: 10^6 bytes of binary
# data per second (the input of encode, the output of decode).  "file"
# reads a file in the page cache and writes to /dev/null; "pipe" is
# cat FILE | TOOL | cat > /dev/null, so both sides are pipes.  Encoded
# text is wrapped at 76 with LF, as coreutils writes it.  The work
# directory is on tmpfs (/dev/shm) when there is one.
set -eu
cd "$(dirname "$0")/.."

MKIT_BIN=${MKIT_BIN:-$PWD/bin}
SIZE_MB=${SIZE_MB:-256}
RUNS=${RUNS:-3}
CC=${CC:-cc}
mmime=$MKIT_BIN/mmime

base=${TMPDIR:-/tmp}
[ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm
tmp=$(mktemp -d "$base/b64bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

bytes=$((SIZE_MB * 1000 * 1000))

echo "# building bench/b64bench.c with $CC -O2"
"$CC" -O2 -std=c17 -Wall -Wextra -D_DEFAULT_SOURCE -Ilib \
    -o "$tmp/b64bench" bench/b64bench.c lib/b64.c
cat > "$tmp/memcpy.c" <<'EOC'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
/* Best of 5 copies of argv[1] bytes; prints nanoseconds. */
int
main(int argc, char *argv[])
{
	struct timespec	a, b;
	size_t		n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1;
	char		*s = malloc(n), *d = malloc(n);
	long long	best = -1, t;
	int		i;

	if (s == NULL || d == NULL)
		return 1;
	memset(s, 1, n);
	memset(d, 2, n);
	for (i = 0; i < 5; i++) {
		clock_gettime(CLOCK_MONOTONIC, &a);
		memcpy(d, s, n);
		clock_gettime(CLOCK_MONOTONIC, &b);
		t = (b.tv_sec - a.tv_sec) * 1000000000LL + b.tv_nsec - a.tv_nsec;
		if (best < 0 || t < best)
			best = t;
	}
	printf("%lld\n", best + (d[n / 2] == 3));
	return 0;
}
EOC
"$CC" -O2 -D_DEFAULT_SOURCE -o "$tmp/memcpy" "$tmp/memcpy.c"

echo "# making $SIZE_MB MB of random data in $tmp"
head -c "$bytes" /dev/urandom > "$tmp/in"
base64 < "$tmp/in" > "$tmp/in.b64"

# mmime once it has encode -b / decode -b, else the bare driver.
if [ -x "$mmime" ] && "$mmime" encode -b < /dev/null > /dev/null 2>&1; then
	enc=("$mmime" encode -b) dec=("$mmime" decode -b) ours="mmime"
else
	enc=("$tmp/b64bench") dec=("$tmp/b64bench" -d) ours="b64bench"
fi

# Correctness first: the same text as coreutils, and back, both ways.
"${enc[@]}" < "$tmp/in" | cmp -s - "$tmp/in.b64" ||
    { echo "$ours: encode differs from coreutils" >&2; exit 1; }
"${enc[@]}" "$tmp/in" | cmp -s - "$tmp/in.b64" ||
    { echo "$ours: encode FILE differs from coreutils" >&2; exit 1; }
"${dec[@]}" < "$tmp/in.b64" | cmp -s - "$tmp/in" ||
    { echo "$ours: decode differs" >&2; exit 1; }
MKIT_B64_SCALAR=1 "${dec[@]}" < "$tmp/in.b64" | cmp -s - "$tmp/in" ||
    { echo "$ours: scalar decode differs" >&2; exit 1; }

# ns IN CMD...: the best wall time of RUNS runs of CMD < IN > /dev/null.
ns() {
	local in=$1 best= s e r
	shift
	for ((r = 0; r < RUNS; r++)); do
		s=$(date +%s%N)
		"$@" < "$in" > /dev/null
		e=$(date +%s%N)
		if [ -z "$best" ] || [ $((e - s)) -lt "$best" ]; then
			best=$((e - s))
		fi
	done
	echo "$best"
}

# nsp IN CMD...: the same for cat IN | CMD | cat > /dev/null.
nsp() {
	local in=$1
	shift
	ns "$in" sh -c 'cat | "$@" | cat' sh "$@"
}

mbs() {
	awk -v b="$bytes" -v t="$1" 'BEGIN { printf "%8.0f", b * 1000 / t }'
}

row() {
	printf "%-26s %9s %9s %9s %9s\n" "$@"
}

# name ENC... -- DEC...: one row, file then pipe, encode then decode.
declare -A T
measure() {
	local name=$1 e=() d=()
	shift
	while [ "$1" != -- ]; do e+=("$1"); shift; done
	shift
	d=("$@")
	T[$name.fe]=$(ns "$tmp/in" "${e[@]}")
	T[$name.fd]=$(ns "$tmp/in.b64" "${d[@]}")
	T[$name.pe]=$(nsp "$tmp/in" "${e[@]}")
	T[$name.pd]=$(nsp "$tmp/in.b64" "${d[@]}")
	row "$name" "$(mbs "${T[$name.fe]}")" "$(mbs "${T[$name.fd]}")" \
	    "$(mbs "${T[$name.pe]}")" "$(mbs "${T[$name.pd]}")"
}

echo
echo "# $SIZE_MB MB, best of $RUNS, MB/s of binary data; $(nproc) CPUs," \
    "load $(cut -d' ' -f1 /proc/loadavg)"
row "tool" "enc file" "dec file" "enc pipe" "dec pipe"
measure "$ours" "${enc[@]}" -- "${dec[@]}"
if [ "$ours" = mmime ]; then
	measure "$ours (scalar)" env MKIT_B64_SCALAR=1 "${enc[@]}" -- \
	    env MKIT_B64_SCALAR=1 "${dec[@]}"
fi
measure "coreutils base64" base64 -- base64 -d
if command -v openssl > /dev/null 2>&1; then
	ssl="openssl base64"
	if ! openssl base64 -d < "$tmp/in.b64" | cmp -s - "$tmp/in"; then
		ssl="openssl base64 (bad -d)"
	fi
	measure "$ssl" openssl base64 -e -- openssl base64 -d
fi
echo
row "ceiling: dd read" "$(mbs "$(ns "$tmp/in" dd bs=1M status=none)")"
row "ceiling: pipe (cat|cat)" "$(mbs "$(ns "$tmp/in" sh -c 'cat | cat')")"
row "ceiling: memcpy" "$(mbs "$("$tmp/memcpy" "$bytes")")"
echo
echo "# bare codec in memory, $SIZE_MB MB, 1 MiB calls, best of 5, MB/s"
row "implementation" "encode" "decode"
"$tmp/b64bench" -t "$SIZE_MB" | while read -r i e d; do
	row "lib/b64.c $i" "$e" "$d"
done
echo
awk -v fe="${T[$ours.fe]}" -v fd="${T[$ours.fd]}" -v pe="${T[$ours.pe]}" \
    -v pd="${T[$ours.pd]}" -v cfe="${T[coreutils base64.fe]}" \
    -v cfd="${T[coreutils base64.fd]}" -v cpe="${T[coreutils base64.pe]}" \
    -v cpd="${T[coreutils base64.pd]}" -v n="$ours" 'BEGIN {
	printf "%s vs coreutils, file: encode %.1fx, decode %.1fx (goal: 3x)\n",
	    n, cfe / fe, cfd / fd
	printf "%s vs coreutils, pipe: encode %.1fx, decode %.1fx\n",
	    n, cpe / pe, cpd / pd }'
