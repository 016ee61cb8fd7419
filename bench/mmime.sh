#!/usr/bin/env bash
# mmime.sh: mmime side by side with its peers, in one run.
#
#   1. base64 encode and decode of SIZE_MB of random data: mmime encode -b
#      and decode -b vs coreutils base64 and openssl base64, MB/s, file to
#      /dev/null and through pipes, with the ceilings of the machine (a
#      file read, a pipe, memcpy): bench/b64.sh.
#   2. Extract every attachment of one ~200 MB message with four binary
#      attachments: mmime extract vs munpack (mpack), ripmime and
#      reformime (maildrop); wall time, MB/s and peak RSS (GNU time).
#
#	bash bench/mmime.sh			# bin/mmime, 256 MB, best of 3
#	MKIT_BIN=/tmp/x/bin SIZE_MB=64 RUNS=5 bash bench/mmime.sh
#
# Missing peers are installed with apt-get when run as root (mpack,
# ripmime, maildrop, time), else left out.  The work directory is on
# tmpfs (/dev/shm) when there is one, so that the disk is not what is
# measured (mmime fsyncs every file it extracts; the peers do not).
set -eu
cd "$(dirname "$0")/.."

MKIT_BIN=${MKIT_BIN:-$PWD/bin}
SIZE_MB=${SIZE_MB:-256}
MSG_MB=${MSG_MB:-200}
RUNS=${RUNS:-3}
CC=${CC:-cc}
mmime=$MKIT_BIN/mmime
[ -x "$mmime" ] || { echo "no $mmime: build first (make)" >&2; exit 1; }

base=${TMPDIR:-/tmp}
[ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm
tmp=$(mktemp -d "$base/mmimebench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

need=()
command -v munpack > /dev/null || need+=(mpack)
command -v ripmime > /dev/null || need+=(ripmime)
command -v reformime > /dev/null || need+=(maildrop)
[ -x /usr/bin/time ] || need+=(time)
if [ "${#need[@]}" -gt 0 ] && [ "$(id -u)" = 0 ]; then
	echo "# installing ${need[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends "${need[@]}" > "$tmp/apt.log" 2>&1 ||
	    echo "# apt-get failed: $(tail -n 1 "$tmp/apt.log")"
fi

mbs() {
	awk -v b="$1" -v t="$2" 'BEGIN { printf "%8.0f", b * 1000 / t }'
}

row() {
	printf "%-24s %10s %10s %10s\n" "$@"
}

# ---- 1. base64: bench/b64.sh, the one definition of that comparison.

MKIT_BIN=$MKIT_BIN SIZE_MB=$SIZE_MB RUNS=$RUNS CC=$CC bash bench/b64.sh

# ---- 2. extraction

echo
each=$((MSG_MB * 1000 * 1000 / 4 * 3 / 4))	# base64 grows by 4/3
echo "# making a message of ~$MSG_MB MB with four binary attachments"
for i in 1 2 3 4; do
	head -c "$each" /dev/urandom > "$tmp/att$i.bin"
done
printf 'Four attachments.\n' | "$mmime" create -f a@example.org \
    -t b@example.org -s bench -a "$tmp/att1.bin" -a "$tmp/att2.bin" \
    -a "$tmp/att3.bin" -a "$tmp/att4.bin" --crlf > "$tmp/msg.eml"
msgbytes=$(stat -c %s "$tmp/msg.eml")
echo "# message: $msgbytes bytes"

# run_x NAME DIR CMD...: best of RUNS in a fresh DIR; prints the row.
run_x() {
	local name=$1 dir=$2 best= rss= r t m
	shift 2
	for ((r = 0; r < RUNS; r++)); do
		rm -rf "$dir"
		mkdir -p "$dir"
		/usr/bin/time -f "%e %M" -o "$tmp/time" "$@" > /dev/null 2>&1 ||
		    { row "$name" failed "" ""; return 0; }
		read -r t m < "$tmp/time"
		t=$(awk -v t="$t" 'BEGIN { printf "%d", t * 1000 }')
		if [ -z "$best" ] || [ "$t" -lt "$best" ]; then
			best=$t
			rss=$m
		fi
	done
	# Check the bytes: every attachment must be there, whole.
	for i in 1 2 3 4; do
		find "$dir" -type f -size "${each}c" -exec cmp -s \
		    "$tmp/att$i.bin" {} \; -print | grep -q . ||
		    { row "$name" "wrong output" "" ""; return 0; }
	done
	row "$name" "$(awk -v t="$best" 'BEGIN { printf "%.2f", t / 1000 }')" \
	    "$(mbs "$msgbytes" "$((best * 1000000))")" "$rss"
	echo "$best" > "$tmp/best.$name"
}

echo "# extract all attachments, best of $RUNS; time s, MB/s of message, peak RSS KB"
row tool "time s" "MB/s" "RSS KB"
run_x mmime "$tmp/o-mmime" "$mmime" extract -d "$tmp/o-mmime" "$tmp/msg.eml"
if command -v munpack > /dev/null; then
	run_x munpack "$tmp/o-munpack" munpack -q -C "$tmp/o-munpack" \
	    "$tmp/msg.eml"
fi
if command -v ripmime > /dev/null; then
	run_x ripmime "$tmp/o-ripmime" ripmime -i "$tmp/msg.eml" \
	    -d "$tmp/o-ripmime" --no-nameless
fi
if command -v reformime > /dev/null; then
	# reformime -x and -X crash (SIGSEGV) in Debian 12's maildrop 3.1,
	# so each attachment is its own "reformime -s SECTION -e" pass: four
	# reads of the message, which the figure includes.
	run_x reformime "$tmp/o-reformime" sh -c \
	    'for s in 1.2 1.3 1.4 1.5; do reformime -s $s -e < "$2" > "$1/$s" ||
	    exit 1; done' sh "$tmp/o-reformime" "$tmp/msg.eml"
fi
fastest=
for n in munpack ripmime reformime; do
	[ -f "$tmp/best.$n" ] || continue
	t=$(cat "$tmp/best.$n")
	if [ -z "$fastest" ] || [ "$t" -lt "$fastest" ]; then
		fastest=$t
		fname=$n
	fi
done
if [ -n "$fastest" ] && [ -f "$tmp/best.mmime" ]; then
	awk -v a="$fastest" -v b="$(cat "$tmp/best.mmime")" -v n="$fname" \
	    'BEGIN { printf "mmime vs the fastest peer (%s): %.1fx (goal: 2x)\n",
	    n, a / b }'
fi
