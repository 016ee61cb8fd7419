#!/usr/bin/env bash
# bench/mlookup-batch.sh [SIZES]: bulk resolution, names per second, on
# loopback, one run: mlookup's batch (--parallel 64 and 256) vs "dig -f",
# kdig (names as arguments, 1,000 a process) and "adnshost -a -f", with
# dnsperf's maximum qps as the ceiling, against the same nsd (the test
# harness's zones) and against the harness's unbound.  SIZES: the batch
# sizes (default "10000 100000"); half the names exist (A, AAAA, MX),
# half are NXDOMAIN.  For each run: wall time, names/s, answers present
# (a name counts when the tool printed a result for it) and peak RSS.
# dnsperf and mlookup run three times each, in turn, and show the median
# (mlookup: the run of the median time, with the fewest answers of the
# three); the slower peers run once.
#
# adnshost can only ask port 53, so a copy of the harness's nsd serves
# the zones on 127.0.0.2#53 and every tool asks that one; against
# unbound (on its harness port) adnshost is left out.  As root, missing
# tools are installed with apt-get.  MKIT_BIN: where mlookup is;
# BENCH_KEEP: a directory to keep each tool's output in.
set -u

SIZES=${1:-"10000 100000"}
TOP=$(cd "$(dirname "$0")/.." && pwd)
MLOOKUP=${MKIT_BIN:-$TOP/bin}/mlookup
ADDR=127.0.0.2

die() {
	echo "mlookup-batch.sh: $*" >&2
	exit 1
}

[ -x "$MLOOKUP" ] || die "no $MLOOKUP: build first (make)"
need=
for t in dig:bind9-dnsutils kdig:knot-dnsutils adnshost:adns-tools \
    dnsperf:dnsperf nsd:nsd unbound:unbound python3:python3; do
	command -v "${t%%:*}" >/dev/null || need="$need ${t#*:}"
done
if [ -n "$need" ]; then
	[ "$(id -u)" = 0 ] || die "missing:$need (as root: apt-get install$need)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $need >&2 || die "apt-get failed"
fi

# Outputs go to memory (tmpfs) when there is one, so that no tool is
# timed writing to a disk: dnsperf, the ceiling, writes nothing.
TMPBASE=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && TMPBASE=/dev/shm
DIR=$(mktemp -d "$TMPBASE/mlookup-batch.XXXXXX") || die "mktemp"
NSD_PID=
cleanup() {
	[ -n "$NSD_PID" ] && kill "$NSD_PID" 2>/dev/null && wait "$NSD_PID"
	"$TOP/tests/servers/dns.sh" stop "$DIR/srv" >/dev/null 2>&1
	rm -rf "$DIR"
}
trap cleanup EXIT

"$TOP/tests/servers/dns.sh" start "$DIR/srv" > "$DIR/start.log" 2>&1 ||
    { cat "$DIR/start.log" >&2; die "dns.sh start failed"; }
. "$DIR/srv/env"
sed -e "s/^\(\tip-address:\).*/\1 $ADDR@53/" \
    -e 's#/nsd\.\([a-z]*\)"#/nsd53.\1"#' \
    "$DIR/srv/nsd.conf" > "$DIR/srv/nsd53.conf"
nsd -d -c "$DIR/srv/nsd53.conf" > "$DIR/nsd53.out" 2>&1 &
NSD_PID=$!
for i in $(seq 50); do
	dig @"$ADDR" +short +time=1 +tries=1 www.example. A 2>/dev/null |
	    grep -q . && break
	[ "$i" = 50 ] && { cat "$DIR/nsd53.out" >&2; die "nsd on $ADDR#53"; }
	sleep 0.1
done

# names N FILE: N "NAME TYPE" lines, half existing, half NXDOMAIN.
names() {
	python3 - "$1" "$2" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    for i in range(n):
        f.write(["www.example. A\n", "nx%d.example. A\n" % i,
                 "example. MX\n", "nx%d.example. AAAA\n" % i,
                 "www.example. AAAA\n", "nx%d.test. A\n" % i][i % 6])
PY
}

# run LABEL N COUNTCMD CMD...: time CMD (stdout to $DIR/out), then
# COUNTCMD counts the names it has a result for in $DIR/out.
run() {
	local label=$1 n=$2 count=$3 t rss got
	shift 3
	/usr/bin/time -f '%e %M' -o "$DIR/time" "$@" > "$DIR/out" 2>/dev/null
	tail -n 1 "$DIR/time" > "$DIR/time1"
	read -r t rss < "$DIR/time1"
	got=$(eval "$count")
	[ -z "${BENCH_KEEP:-}" ] ||
	    cp "$DIR/out" "$BENCH_KEEP/$(echo "$label.$n" | tr -c 'a-z0-9.\n' _)"
	printf '%-30s %7s names %7.2f s %9.0f names/s %7s/%s answered %7s KB\n' \
	    "$label" "$n" "$t" "$(echo "$n / ($t + 0.0001)" | bc -l)" "$got" \
	    "$n" "$rss"
}

# median FILE: of the three lines of run in FILE, the one of the median
# time, with the fewest names answered of the three (a name lost in any
# run counts).
median() {
	awk '{ for (i = 1; i < NF; i++) if ($(i + 1) == "s") { t = $i; break }
		match($0, /[0-9]+\/[0-9]+ answered/)
		got = substr($0, RSTART, RLENGTH); sub(/\/.*/, "", got)
		if (min == "" || got + 0 < min + 0) min = got
		print t, $0 }
	    END { print "min", min }' "$1" |
	    sort -n | awk '/^min / { min = $2; next } { l[++n] = $0 }
		END { line = l[2]; sub(/^[^ ]+ /, "", line)
		    sub(/ [0-9]+\//, " " min "/", line); print line }'
}

# dnsperf_qps SERVER PORT FILE: the qps dnsperf reaches over FILE once.
dnsperf_qps() {
	dnsperf -s "$1" -p "$2" -d "$3" -n 1 -c 4 -q 500 -t 2 2>&1 |
	    awk '/Queries per second/ { print $4 } /Queries lost/ { lost = $3 }
		END { if (lost != "") print "lost", lost }' | paste -sd' '
}

printf '%s\n' "mlookup batch benchmark, $(date -u +%F), $(nproc) CPUs"
for n in $SIZES; do
	f=$DIR/names.$n
	names "$n" "$f"
	# adnshost -f: an option line sets the type for the names after it.
	awk '{ print "-t" tolower($2); print $1 }' "$f" > "$f.adns"
	for target in nsd unbound; do
		if [ "$target" = nsd ]; then
			srv=$ADDR port=53
		else
			srv=$DNS_RESOLVER_ADDR port=$DNS_RESOLVER_PORT
		fi
		echo "== $n names, $target ($srv#$port)"
		# The ceiling and mlookup three times, in turn, the ceiling
		# first (before any tool has loaded the server): the machine's
		# pace drifts by 10-20% within minutes, so each gets the median
		# of three runs made side by side.
		: > "$DIR/ceil"
		: > "$DIR/m64"
		: > "$DIR/m256"
		for i in 1 2 3; do
			dnsperf_qps "$srv" "$port" "$f" >> "$DIR/ceil"
			run "mlookup --parallel 64" "$n" 'wc -l < $DIR/out' \
			    "$MLOOKUP" --json --parallel 64 - "@$srv#$port" \
			    < "$f" >> "$DIR/m64"
			run "mlookup --parallel 256" "$n" 'wc -l < $DIR/out' \
			    "$MLOOKUP" --json --parallel 256 - "@$srv#$port" \
			    < "$f" >> "$DIR/m256"
		done
		printf '%-30s %s\n' "dnsperf (ceiling), qps" \
		    "$(sort -n "$DIR/ceil" | sed -n 2p)"
		median "$DIR/m64"
		median "$DIR/m256"
		run "dig -f" "$n" 'grep -c "^;; ->>HEADER<<-" $DIR/out' \
		    dig @"$srv" -p "$port" +noall +comments +tries=2 +time=2 \
		    -f "$f"
		run "kdig (1,000 a process)" "$n" \
		    'grep -c "^;; ->>HEADER<<-" $DIR/out' \
		    xargs -n 2000 kdig @"$srv" -p "$port" +noall +header \
		    +retry=1 +time=2 < "$f"
		if [ "$target" = nsd ]; then
			run "adnshost -a -f" "$n" \
			    'grep -cE "^[0-9]+ [0-9]+ (ok|permfail [0-9]+ nxdomain) " $DIR/out' \
			    adnshost --config "nameserver $srv" -a -f < "$f.adns"
		fi
	done
done
