#!/usr/bin/env bash
# bench/mlookup.sh [N]: one DNS query as a whole process, N times (200)
# for each tool: mlookup vs dig, kdig, drill, host, adnshost, all asking
# the same nsd (the test harness's zones) on loopback for www.example. A.
# Prints the median wall time and the median and largest peak RSS of
# each.  The tools run in turn (one run of each, N rounds) so that a
# slow moment of the machine hits them all alike.
#
# adnshost cannot ask another port than 53, so the nsd of
# tests/servers/dns.sh is started a second time on 127.0.0.2#53 and
# every tool asks that one.  As root, missing peer tools are installed
# with apt-get.  MKIT_BIN: where mlookup is (default: bin/ of the tree).
set -u

N=${1:-200}
TOP=$(cd "$(dirname "$0")/.." && pwd)
MLOOKUP=${MKIT_BIN:-$TOP/bin}/mlookup
ADDR=127.0.0.2
PORT=53

die() {
	echo "mlookup.sh: $*" >&2
	exit 1
}

[ -x "$MLOOKUP" ] || die "no $MLOOKUP: build first (make)"
need=
for t in dig:bind9-dnsutils kdig:knot-dnsutils drill:ldnsutils \
    host:bind9-host adnshost:adns-tools nsd:nsd python3:python3; do
	command -v "${t%%:*}" >/dev/null || need="$need ${t#*:}"
done
if [ -n "$need" ]; then
	[ "$(id -u)" = 0 ] || die "missing:$need (as root: apt-get install$need)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $need >&2 || die "apt-get failed"
fi

DIR=$(mktemp -d /tmp/mlookup-bench.XXXXXX) || die "mktemp"
NSD_PID=
cleanup() {
	[ -n "$NSD_PID" ] && kill "$NSD_PID" 2>/dev/null && wait "$NSD_PID"
	"$TOP/tests/servers/dns.sh" stop "$DIR/srv" >/dev/null 2>&1
	rm -rf "$DIR"
}
trap cleanup EXIT

# The harness writes the config and checks the zones; a copy of its nsd
# then serves them on ADDR#53.
"$TOP/tests/servers/dns.sh" start "$DIR/srv" > "$DIR/start.log" 2>&1 ||
    { cat "$DIR/start.log" >&2; die "dns.sh start failed"; }
sed -e "s/^\(\tip-address:\).*/\1 $ADDR@$PORT/" \
    -e 's#/nsd\.\([a-z]*\)"#/nsd53.\1"#' \
    "$DIR/srv/nsd.conf" > "$DIR/srv/nsd53.conf"
nsd -d -c "$DIR/srv/nsd53.conf" > "$DIR/nsd53.out" 2>&1 &
NSD_PID=$!
for i in $(seq 50); do
	dig @"$ADDR" -p "$PORT" +short +time=1 +tries=1 www.example. A \
	    2>/dev/null | grep -q . && break
	[ "$i" = 50 ] && { cat "$DIR/nsd53.out" >&2; die "nsd on $ADDR#$PORT"; }
	sleep 0.1
done

# The timer: fork, exec, wait4 from a small C process, so that the peak
# RSS of a child is its own (a child of python3 starts with python's).
cat > "$DIR/runone.c" <<'EOF'
#include <sys/resource.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
int
main(int argc, char *argv[])
{
	struct timespec	a, b;
	struct rusage	ru;
	int		st, fd;
	pid_t		pid;

	if (argc < 2)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &a);
	if ((pid = fork()) == 0) {
		fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	if (pid == -1 || wait4(pid, &st, 0, &ru) == -1)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%ld %ld %d\n", (long)((b.tv_sec - a.tv_sec) * 1000000 +
	    (b.tv_nsec - a.tv_nsec) / 1000), ru.ru_maxrss,
	    WIFEXITED(st) ? WEXITSTATUS(st) : 128);
	return 0;
}
EOF
${CC:-cc} -O2 -o "$DIR/runone" "$DIR/runone.c" || die "cannot build the timer"

# Every tool without the resolv.conf search list, one UDP query.
printf 'nameserver %s\n' "$ADDR" > "$DIR/resolv.conf"
export MKIT_RESOLV_CONF=$DIR/resolv.conf

python3 - "$N" <<PY
import statistics, subprocess, sys
n = int(sys.argv[1])
tools = [
    ("mlookup", ["$MLOOKUP", "--short", "www.example.", "A", "@$ADDR"]),
    ("adnshost", ["adnshost", "--config", "nameserver $ADDR", "-t", "a",
                  "www.example."]),
    ("kdig", ["kdig", "@$ADDR", "+short", "www.example.", "A"]),
    ("drill", ["drill", "@$ADDR", "www.example.", "A"]),
    ("host", ["host", "-t", "A", "www.example.", "$ADDR"]),
    ("dig", ["dig", "@$ADDR", "+short", "www.example.", "A"]),
]
for name, cmd in tools:
    out = subprocess.run(cmd, capture_output=True, text=True)
    if "192.0.2.10" not in out.stdout:
        sys.exit("%s did not answer: %s %s" % (name, out.stdout, out.stderr))
wall = {t[0]: [] for t in tools}
rss = {t[0]: [] for t in tools}
for i in range(n + 10):
    for name, cmd in tools:
        us, kb, rc = map(int, subprocess.run(["$DIR/runone"] + cmd,
                         capture_output=True, text=True).stdout.split())
        if rc != 0:
            sys.exit("%s: exit %d" % (name, rc))
        if i >= 10:  # the first rounds warm the caches
            wall[name].append(us / 1000)
            rss[name].append(kb / 1024)
print("one query as a whole process, %d runs each, %s#%s, www.example. A"
      % (n, "$ADDR", "$PORT"))
print("%-10s %12s %12s %14s %14s" % ("tool", "median ms", "p90 ms",
      "median RSS MB", "max RSS MB"))
for name, _ in tools:
    w = sorted(wall[name])
    print("%-10s %12.2f %12.2f %14.2f %14.2f" % (name, statistics.median(w),
          w[int(len(w) * 0.9)], statistics.median(rss[name]),
          max(rss[name])))
PY
