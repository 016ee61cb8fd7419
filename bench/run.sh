#!/usr/bin/env bash
# bench/run.sh [NAME ...]: run the benchmarks (bench/NAME.sh; all of
# them when no NAME is given), one after the other, and write their
# figures as markdown tables to bench/RESULTS.md, with the date and the
# machine.  Each script starts the servers it needs (the harness's nsd,
# unbound, postfix and dovecot), so this needs root, and installs the
# peer tools it is missing with apt-get.
#
#	make bench			# all, full size: about 20 minutes
#	BENCH_QUICK=1 bash bench/run.sh	# small sizes: checks that all run
#	bash bench/run.sh mlookup msend	# only these
#
# MKIT_BIN: the binaries to measure (default bin/ of the tree).
# BENCH_OUT: the file to write (default bench/RESULTS.md).
# BENCH_RAW: a directory to keep the raw output of every script in
# (NAME.txt, NAME.err; default: a temporary directory, removed).
# Exit status: 0 when every script ran and exited 0, else 1 (the
# tables of the others are written all the same).
set -u
cd "$(dirname "$0")/.." || exit 1
TOP=$PWD
export MKIT_BIN=${MKIT_BIN:-$TOP/bin}
OUT=${BENCH_OUT:-$TOP/bench/RESULTS.md}
RAW=${BENCH_RAW:-}
QUICK=${BENCH_QUICK:-0}

ALL="mlookup mlookup-batch msend mpop mimap mmime b64"
names=${*:-$ALL}

if [ ! -x "$MKIT_BIN/mlookup" ]; then
	echo "bench/run.sh: no $MKIT_BIN/mlookup: build first (make)" >&2
	exit 1
fi
if [ -z "$RAW" ]; then
	RAW=$(mktemp -d /tmp/mkit-bench.XXXXXX) || exit 1
	trap 'rm -rf "$RAW"' EXIT
fi
mkdir -p "$RAW" || exit 1

# args NAME: the command line of bench/NAME.sh, full size or quick.
args() {
	if [ "$QUICK" = 1 ]; then
		case $1 in
		mlookup) echo "env bash bench/mlookup.sh 20" ;;
		mlookup-batch) echo "env bash bench/mlookup-batch.sh 1000" ;;
		msend) echo "env N=50 bash bench/msend.sh" ;;
		mpop) echo "env bash bench/mpop.sh 200" ;;
		mimap) echo "env bash bench/mimap.sh 200" ;;
		mmime) echo "env SIZE_MB=16 MSG_MB=20 RUNS=1 bash bench/mmime.sh" ;;
		b64) echo "env SIZE_MB=16 RUNS=1 bash bench/b64.sh" ;;
		*) echo "env bash bench/$1.sh" ;;
		esac
	else
		echo "env bash bench/$1.sh"
	fi
}

started=$(date -u '+%Y-%m-%d %H:%M UTC')
load=$(cut -d ' ' -f 1-3 /proc/loadavg)
rc=0
: >"$RAW/status"
for n in $names; do
	if [ ! -f "bench/$n.sh" ]; then
		echo "bench/run.sh: no bench/$n.sh" >&2
		rc=1
		continue
	fi
	cmd=$(args "$n")
	echo "== bench/$n.sh ($cmd)" >&2
	s=$(date +%s)
	# shellcheck disable=SC2086
	$cmd >"$RAW/$n.txt" 2>"$RAW/$n.err"
	st=$?
	secs=$(($(date +%s) - s))
	cat "$RAW/$n.txt" >&2
	[ "$st" = 0 ] || { tail -n 5 "$RAW/$n.err" >&2; rc=1; }
	printf '%s\t%s\t%s\t%s\n' "$n" "$st" "$secs" "$cmd" >>"$RAW/status"
done

cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo |
    head -n 1)
mem=$(awk '/^MemTotal:/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)
python3 - "$RAW" "$OUT" "$started" "$(nproc)" "${cpu:-unknown CPU}" \
    "$(uname -sr)" "$mem" "$load" "$QUICK" <<'PY' || rc=1
import os, re, sys

raw, out, date, ncpu, cpu, kernel, mem, load, quick = sys.argv[1:]
NUM = re.compile(r"^-?(\d+(\.\d*)?|\.\d+|inf|nan)$")

TITLES = {
    "mlookup": "mlookup: one query as a whole process",
    "mlookup-batch": "mlookup: bulk resolution (batch mode)",
    "msend": "msend: sending messages to postfix",
    "mpop": "mpop: full fetch into a Maildir",
    "mimap": "mimap: headers summary and full fetch",
    "mmime": "mmime: base64 and attachment extraction",
    "b64": "lib/b64.c: base64 codec throughput",
}

# Lines with units: (regex, column names).  The first group is the
# tool, the others the values.
UNIT_ROWS = [
    (re.compile(r"^(\S.*?)\s+(\d+) names\s+([\d.]+) s\s+(\d+) names/s\s+"
                r"(\d+/\d+) answered\s+(\d+) KB\s*$"),
     ["tool", "names", "s", "names/s", "answered", "peak RSS KB"]),
    (re.compile(r"^(dnsperf \(ceiling\)), qps\s+([\d.]+) lost (\d+)\s*$"),
     ["tool", "qps", "lost"]),
    (re.compile(r"^(\S.*?)\s+(\d+) messages/s\s+\(([\d.]+) s\)\s*$"),
     ["tool", "messages/s", "s"]),
    (re.compile(r"^(\S.*?)\s+([\d.]+) s\s+(\S+) msg/s\s+(\d+) KB peak RSS"
                r"(?:\s+\((.*)\))?\s*$"),
     ["tool", "s", "msg/s", "peak RSS KB", "note"]),
    (re.compile(r"^(\S.*?)\s+([\d.]+) s\s+(\S+) msg/s\s+(\d+) kB\s+"
                r"exit (\d+)\s*$"),
     ["tool", "s", "msg/s", "peak RSS KB", "exit"]),
]


def cell(s):
    return (s or "").replace("|", "\\|").strip()


class Table:
    def __init__(self, title, cols):
        self.title, self.cols, self.rows = title, cols, []
        self.base = cols

    def md(self):
        cols = self.cols
        # drop a column no row has a value in (e.g. an unused "note")
        keep = [i for i in range(len(cols))
                if i == 0 or any(i < len(r) and r[i] for r in self.rows)]
        lines = []
        if self.title:
            lines += ["*%s*" % cell(self.title), ""]
        lines.append("| " + " | ".join(cols[i] for i in keep) + " |")
        lines.append("|" + "|".join(
            "---" if i == 0 or cols[i] == "note" else "---:"
            for i in keep) + "|")
        for r in self.rows:
            r = r + [""] * (len(cols) - len(r))
            lines.append("| " + " | ".join(cell(r[i]) for i in keep) + " |")
        return "\n".join(lines)


def parse(text):
    """Blocks of the output: Tables and note lines, in order."""
    blocks, table, title = [], None, None
    for line in text.splitlines():
        if not line.strip():
            if table is not None and table.kind == "unit":
                table = None
            continue
        s = line.strip()
        # a header of a table of columns: "tool  a b  c d"
        if re.match(r"^(tool|implementation)\s{2,}", line):
            cols = re.split(r"\s{2,}", s)
            table = Table(title, cols)
            table.kind = "ws"
            title = None
            blocks.append(table)
            continue
        for rx, cols in UNIT_ROWS:
            m = rx.match(line)
            if m:
                break
        else:
            m = None
        if m:
            if table is None or table.base != cols:
                table = Table(title, cols)
                table.kind = "unit"
                title = None
                blocks.append(table)
            table.rows.append([g or "" for g in m.groups()])
            continue
        if (table is not None and table.kind == "ws"
                and not line.startswith((" ", "#"))):
            toks = s.split()
            vals = []
            while toks and NUM.match(toks[-1]) and \
                    len(vals) < len(table.cols) - 1:
                vals.insert(0, toks.pop())
            if vals and toks:
                table.rows.append([" ".join(toks)] + vals)
                continue
        if table is not None and line.startswith("  ") and table.rows:
            # "  delivered: 200", "  curl: ...": a note on the last row
            table.rows[-1].append("")
            note = table.rows[-1]
            while len(note) > len(table.cols):
                note.pop()
            if "note" not in table.cols:
                table.cols = table.cols + ["note"]
                for r in table.rows[:-1]:
                    r += [""] * (len(table.cols) - len(r))
                note += [""] * (len(table.cols) - len(note))
            i = table.cols.index("note")
            note[i] = (note[i] + "; " if note[i] else "") + s
            continue
        # A heading ("# 200 messages ...", "== 1000 names, nsd", or a
        # plain line outside a table) titles the next table; other
        # lines ("msmtp: not installed", "x vs y: 2.0x") are notes.
        h = re.sub(r"^(#|==)\s*", "", s)
        if re.match(r"^(building|making|installing) ", h):
            continue        # progress
        if line.startswith(("#", "==")) or table is None:
            if title:
                blocks.append(title)
            title, table = h, None
        else:
            blocks.append(h)
    if title:
        blocks.append(title)
    return blocks


status = []
with open(os.path.join(raw, "status")) as f:
    for line in f:
        n, st, secs, cmd = line.rstrip("\n").split("\t")
        status.append((n, int(st), int(secs), cmd))

md = ["# Benchmark results", "",
      "Written by `make bench` (`bench/run.sh`); the scripts and what "
      "they measure are described at the top of each `bench/NAME.sh`. "
      "Every tool runs on the same machine, against the same loopback "
      "servers of the test harness, in the same run.", "",
      "- date: %s" % date,
      "- machine: %s CPUs, %s, %s RAM" % (ncpu, cpu, mem),
      "- kernel: %s" % kernel,
      "- load average at the start: %s" % load]
if quick == "1":
    md.append("- **quick run** (`BENCH_QUICK=1`: small sizes, one run "
              "each): these figures check that the scripts work, they "
              "do not measure much")
md.append("")
for n, st, secs, cmd in status:
    md += ["## %s" % TITLES.get(n, n), "",
           "`%s` (%d s)%s" % (cmd.replace("env ", "", 1), secs,
                              "" if st == 0 else
                              ": **failed, exit %d**" % st), ""]
    try:
        with open(os.path.join(raw, n + ".txt")) as f:
            text = f.read()
    except OSError:
        text = ""
    notes = []
    for b in parse(text):
        if isinstance(b, Table):
            if notes:
                md += ["- " + x for x in notes] + [""]
                notes = []
            md += [b.md(), ""]
        else:
            notes.append(cell(b))
    if st != 0:
        try:
            with open(os.path.join(raw, n + ".err")) as f:
                err = f.read().strip().splitlines()[-5:]
        except OSError:
            err = []
        notes += ["stderr: " + x for x in err]
    if notes:
        md += ["- " + x for x in notes] + [""]
with open(out + ".tmp", "w") as f:
    f.write("\n".join(md).rstrip("\n") + "\n")
os.rename(out + ".tmp", out)
PY
echo "bench/run.sh: wrote $OUT" >&2
exit $rc
