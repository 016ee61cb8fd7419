#!/usr/bin/env bash
# b64.sh: base64 encode and decode throughput, side by side in one run:
# lib/b64.c (through bench/b64bench.c, or bin/mmime encode -b when it
# exists), coreutils base64, openssl base64 (if installed), with the
# machine's ceilings: reading the file (dd), a pipe, and memcpy.
#
#	bash bench/b64.sh		# 256 MB, best of 3 runs
#	SIZE_MB=64 RUNS=5 bash bench/b64.sh
#
# MB/s are 10^6 bytes of binary data per second: the input of encode and
# the output of decode.  Every tool reads a file in the page cache and
# writes to /dev/null.  Encoded text is wrapped at 76 with LF.
set -eu
cd "$(dirname "$0")/.."

SIZE_MB=${SIZE_MB:-256}
RUNS=${RUNS:-3}
CC=${CC:-cc}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/b64bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

bytes=$((SIZE_MB * 1000 * 1000))

echo "# building bench/b64bench.c with $CC -O2"
"$CC" -O2 -std=c17 -Wall -Wextra -D_DEFAULT_SOURCE -Ilib \
    -o "$tmp/b64bench" bench/b64bench.c lib/b64.c
cat > "$tmp/memcpy.c" <<'EOF'
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
EOF
"$CC" -O2 -D_DEFAULT_SOURCE -o "$tmp/memcpy" "$tmp/memcpy.c"

echo "# making $SIZE_MB MB of random data"
head -c "$bytes" /dev/urandom > "$tmp/in"
base64 < "$tmp/in" > "$tmp/in.b64"

# The driver, or mmime once it has encode -b / decode -b.
enc=("$tmp/b64bench") dec=("$tmp/b64bench" -d) ours="lib/b64.c"
if [ -x bin/mmime ] && bin/mmime encode -b < /dev/null > /dev/null 2>&1; then
	enc=(bin/mmime encode -b) dec=(bin/mmime decode -b) ours="mmime"
fi

# Correctness first: the same text as coreutils, and back.
"${enc[@]}" < "$tmp/in" > "$tmp/out.b64"
cmp -s "$tmp/out.b64" "$tmp/in.b64" || { echo "$ours: encode differs" >&2; exit 1; }
"${dec[@]}" < "$tmp/in.b64" | cmp -s - "$tmp/in" ||
    { echo "$ours: decode differs" >&2; exit 1; }
rm -f "$tmp/out.b64"

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

mbs() {
	awk -v b="$bytes" -v t="$1" 'BEGIN { printf "%8.0f", b * 1000 / t }'
}

row() {
	printf "%-24s %s %s\n" "$1" "$2" "$3"
}

ce=$(ns "$tmp/in" base64)
cd_=$(ns "$tmp/in.b64" base64 -d)
oe=$(ns "$tmp/in" "${enc[@]}")
od=$(ns "$tmp/in.b64" "${dec[@]}")

echo
echo "# $SIZE_MB MB, best of $RUNS, MB/s (10^6 bytes of binary data per s)"
row "tool" "  encode" "  decode"
row "$ours" "$(mbs "$oe")" "$(mbs "$od")"
row "coreutils base64" "$(mbs "$ce")" "$(mbs "$cd_")"
if command -v openssl > /dev/null 2>&1; then
	ssl="openssl base64"
	if ! openssl base64 -d < "$tmp/in.b64" | cmp -s - "$tmp/in"; then
		ssl="openssl base64 (bad -d)"
	fi
	row "$ssl" "$(mbs "$(ns "$tmp/in" openssl base64 -e)")" \
	    "$(mbs "$(ns "$tmp/in.b64" openssl base64 -d)")"
fi
echo
row "ceiling: dd read" "$(mbs "$(ns "$tmp/in" dd bs=1M status=none)")" ""
row "ceiling: pipe" "$(mbs "$(ns "$tmp/in" sh -c 'cat | cat')")" ""
row "ceiling: memcpy" "$(mbs "$("$tmp/memcpy" "$bytes")")" ""
echo
awk -v a="$ce" -v b="$oe" -v c="$cd_" -v d="$od" 'BEGIN {
	printf "%s vs coreutils: encode %.1fx, decode %.1fx (goal: 3x)\n",
	    "'"$ours"'", a / b, c / d }'
