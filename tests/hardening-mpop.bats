#!/usr/bin/env bats
# Hardening, promise 1 of mkit(7): a POP3 message is deleted only after
# durable storage; a crash at any point gives at worst a duplicate (and
# for a Maildir or an mbox, by mpop(1), not even that).
#
# Against the harness's real dovecot (tests/servers/mail.sh):
# - 100 SIGKILLs at random moments of `mpop --maildir` and 100 of
#   `mpop --mbox` (every other one with --delete), new mail arriving
#   between them (each kill at a random moment within the length of the
#   last run that finished); after a final clean run every message is there once,
#   byte for byte, none lost, none doubled, no torn mbox message.  The
#   tallies (runs killed, the phase each kill left behind, lost,
#   duplicated) go to fd 3 for the CI log.
# - The system calls of one message under strace: its data written and
#   synced (syncfs(2) per batch on Linux, or fsync), renamed or linked
#   into new/, new/ fsynced, the state file saved (write, fsync, rename,
#   directory fsync), and only then "DELE" on the socket (plain POP3 on
#   loopback, so the command is readable in the trace).
# - strace's fault injection: a failed write of the message or of the
#   state, a failed syncfs/fsync (of the data, the journal, new/, the
#   state, their directory), a failed rename of the message or of the
#   state: exit 73 or 74 with one line, no DELE, nothing partial in new/,
#   the state readable, and a clean run then delivers every message once.
# (The full disk: tests/mpop.bats.)

# shellcheck disable=SC2154 # status, output, stderr: set by run
bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	[ "$(id -u)" = 0 ] || return 0
	servers_start mail
}

teardown_file() {
	servers_stop
}

setup() {
	pop3_alice_setup
	# Plain POP3 on loopback (dovecot allows the login there): the
	# commands are readable in an strace of the socket.
	P=(--server "pop3://127.0.0.1:$POP3_PORT" --tls off --user alice)
	NPUT=0
	# LeakSanitizer cannot run under ptrace: no leak check under strace
	# (the other tests of the ASan build check for leaks).
	NOLEAK=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
}

# mkmsgs FIRST LAST LINES: $T/src/N for N in FIRST..LAST, CRLF messages
# with lines that need care (From_, dots), Subject "msg N", and LINES
# filler lines.
mkmsgs() {
	python3 - "$T/src" "$1" "$2" "$3" <<'PY'
import sys
d, first, last, lines = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
for n in range(first, last + 1):
    head = ["From: Alice <alice@example.org>", "To: <alice@example.org>",
            "Subject: msg %d" % n, "Message-ID: <%d.hardening@example.org>" % n,
            "", "Hello %d." % n, "From the start of a line",
            ">From quoted once", ".", "..", ".leading dot", "last"]
    body = ["filler %06d of %d: %s" % (k, n, "x" * 40) for k in range(lines)]
    with open("%s/%d" % (d, n), "w", newline="") as f:
        f.write("".join(l + "\r\n" for l in head + body))
PY
}

# put N...: drop $T/src/N into alice's server Maildir, as a Maildir
# delivery does (complete in tmp/, then renamed into new/), under a name
# never used before (dovecot remembers the names it saw, with their
# UIDs: a name used again could come back under a new UIDL).
put() {
	local n f
	for n in "$@"; do
		f="$(date +%s).M${RANDOM}P$$Q$((++NPUT)).mkit"
		cp "$T/src/$n" "$SRV/tmp/$f"
		chown "$MAIL_UID:$MAIL_GID" "$SRV/tmp/$f"
		mv "$SRV/tmp/$f" "$SRV/new/$f"
	done
}

# server_count: messages left in alice's server Maildir.
server_count() {
	find "$SRV/new" "$SRV/cur" -type f | wc -l
}

# state: the state file's path prefix (the file, .pending, .mbox ...).
# (Named after the lock, there from the first run on.)
state() {
	local f=("$XDG_STATE_HOME"/mkit/mpop.alice@*.uidl.lock)
	printf '%s' "${f[0]%.lock}"
}

# tally KIND TARGET N: Maildir (new/ and cur/) or mbox TARGET against
# messages 1..N of $T/src: each copy byte for byte (mbox: unquoted and
# with CRLF again), nothing torn or foreign.  Prints "lost L duplicated
# D"; fails with the details if anything is lost, doubled or damaged.
tally() {
	python3 - "$1" "$2" "$T/src" "$3" <<'PY'
import os, re, sys
kind, target, src, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
want = {i: open("%s/%d" % (src, i), "rb").read() for i in range(1, n + 1)}
bad, seen = [], {}
if kind == "maildir":
    msgs = []
    for sub in ("new", "cur"):
        for f in sorted(os.listdir(os.path.join(target, sub))):
            msgs.append((f, open(os.path.join(target, sub, f), "rb").read()))
else:
    data = open(target, "rb").read()
    parts = re.split(rb"(?m)^From MAILER-DAEMON .*\n", data)
    if parts[0]:
        bad.append("text before the first separator: %r" % parts[0][:80])
    msgs = []
    for k, m in enumerate(parts[1:], 1):
        if not m.endswith(b"\n\n"):
            bad.append("torn message %d: ends %r" % (k, m[-60:]))
            continue
        m = re.sub(rb"(?m)^>(>*From )", rb"\1", m[:-1]).replace(b"\n", b"\r\n")
        msgs.append(("#%d" % k, m))
for name, m in msgs:
    k = re.search(rb"(?m)^Subject: msg (\d+)\r$", m)
    i = int(k.group(1)) if k else None
    if i not in want or m != want[i]:
        bad.append("%s: not byte for byte one of the messages" % name)
        continue
    seen[i] = seen.get(i, 0) + 1
lost = sorted(set(want) - set(seen))
dup = sorted(i for i, c in seen.items() if c > 1)
print("lost %d duplicated %d" % (len(lost), sum(seen[i] - 1 for i in dup)))
if lost:
    bad.append("lost: %s" % lost)
if dup:
    bad.append("duplicated: %s" % dup)
for b in bad:
    print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}

# rand_ms MAX: a random pause of 0 to MAX-1 milliseconds, for sleep.
rand_ms() {
	local ms=$((RANDOM % $1))
	printf '%d.%03d' $((ms / 1000)) $((ms % 1000))
}

# adapt T0: after a run that started at T0 (date +%s%N) and was not
# killed, MAXMS becomes its length (at least 30 ms), so that the kills
# spread over a whole run on a quick or a slow (ASan, loaded) machine.
adapt() {
	local ms=$((($(date +%s%N) - $1) / 1000000))
	MAXMS=$((ms > 30 ? ms : 30))
}

@test "mpop: 100 SIGKILLs at random moments of --maildir (half with --delete): none lost or doubled" {
	local i k=41 pid st killed=0 jour=0 intmp=0 after=0 early=0 n0 res t0
	MAXMS=200
	mkmsgs 1 240 20
	put $(seq 1 40)
	for i in $(seq 1 100); do
		put "$k" $((k + 1))
		k=$((k + 2))
		n0=$(find "$T/md/new" -type f 2>/dev/null | wc -l)
		t0=$(date +%s%N)
		if [ $((i % 2)) = 0 ]; then
			mpop "${S[@]}" --maildir "$T/md" --delete -q 3>&- &
		else
			mpop "${S[@]}" --maildir "$T/md" -q 3>&- &
		fi
		pid=$!
		sleep "$(rand_ms "$MAXMS")"
		kill -KILL "$pid" 2>/dev/null || true
		st=0
		wait "$pid" 2>/dev/null || st=$?
		[ "$st" -eq 0 ] || [ "$st" -eq 137 ] ||
		    fail_run "trial $i: mpop exited $st, not 0 or killed"
		[ "$st" -eq 137 ] || { adapt "$t0"; continue; }
		killed=$((killed + 1))
		# What the kill left behind tells roughly where it hit.
		if [ -e "$(state).pending" ]; then
			jour=$((jour + 1))
		elif [ -n "$(ls -A "$T/md/tmp" 2>/dev/null)" ]; then
			intmp=$((intmp + 1))
		elif [ "$(find "$T/md/new" -type f 2>/dev/null | wc -l)" -gt "$n0" ]; then
			after=$((after + 1))
		else
			early=$((early + 1))
		fi
	done
	run --separate-stderr mpop "${S[@]}" --maildir "$T/md" --delete
	[ "$status" -eq 0 ] || fail_run "final run"
	run tally maildir "$T/md" 240
	res=$output
	echo "# maildir (half --delete): 100 trials, $killed killed (connecting or listing $early, writing a message $intmp, committing with the journal $jour, after a commit $after), $res" >&3
	[ "$status" -eq 0 ] || fail_run "tally"
	[ "$(server_count)" -eq 0 ] || fail_run "left on the server"
}

@test "mpop: 100 SIGKILLs at random moments of --mbox: no torn message, none lost or doubled" {
	local i k=5 pid st killed=0 jour=0 after=0 early=0 s0 res mj t0
	MAXMS=300
	# Every third message 130 KB, so that a run's appends take several
	# write(2)s (mpop writes at 256 KB); the others small.
	mkmsgs 1 204 20
	for i in $(seq 3 3 204); do mkmsgs "$i" "$i" 2000; done
	put 1 2 3 4
	for i in $(seq 1 100); do
		put "$k" $((k + 1))
		k=$((k + 2))
		s0=$(stat -c %s "$T/mbox" 2>/dev/null || echo 0)
		t0=$(date +%s%N)
		if [ $((i % 2)) = 0 ]; then
			mpop "${S[@]}" --mbox "$T/mbox" --delete -q 3>&- &
		else
			mpop "${S[@]}" --mbox "$T/mbox" -q 3>&- &
		fi
		pid=$!
		sleep "$(rand_ms "$MAXMS")"
		kill -KILL "$pid" 2>/dev/null || true
		st=0
		wait "$pid" 2>/dev/null || st=$?
		[ "$st" -eq 0 ] || [ "$st" -eq 137 ] ||
		    fail_run "trial $i: mpop exited $st, not 0 or killed"
		[ "$st" -eq 137 ] || { adapt "$t0"; continue; }
		killed=$((killed + 1))
		mj=$(state).mbox
		if [ -e "$mj" ]; then
			jour=$((jour + 1))
		elif [ "$(stat -c %s "$T/mbox" 2>/dev/null || echo 0)" -gt "$s0" ]; then
			after=$((after + 1))
		else
			early=$((early + 1))
		fi
	done
	run --separate-stderr mpop "${S[@]}" --mbox "$T/mbox" --delete
	[ "$status" -eq 0 ] || fail_run "final run"
	run tally mbox "$T/mbox" 204
	res=$output
	echo "# mbox: 100 trials, $killed killed (connecting or listing $early, in a journaled append $jour, after a commit $after), $res" >&3
	[ "$status" -eq 0 ] || fail_run "tally"
	[ "$(server_count)" -eq 0 ] || fail_run "left on the server"
	[ ! -e "$(state).mbox" ] || fail_run "the mbox journal is left"
}

# order TRACE UIDL: check, in an strace -f -y of mpop --delete --maildir
# fetching one message, that its data was written and synced, moved into
# new/, new/ fsynced, the state holding UIDL saved and its directory
# synced, all before DELE went out.  Prints the steps found.
order() {
	python3 - "$1" "$2" "$T/md" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
uidl, md = sys.argv[2], sys.argv[3]
def find(pred, start=0, what=""):
    for i in range(start, len(lines)):
        if pred(lines[i]):
            print("%-28s %d: %s" % (what, i, lines[i][:150]))
            return i
    sys.exit("not found after line %d: %s" % (start, what))
tmp = md + "/tmp/"
w = find(lambda l: re.search(r"\bwrite\(\d+<" + re.escape(tmp), l),
         what="write the message in tmp/")
name = re.search(re.escape(tmp) + r"([^>]+)>", lines[w]).group(1)
# The last write to it, then its data synced: syncfs of the file
# system, or fsync of the file.
last = max(i for i, l in enumerate(lines)
           if re.search(r"\bwrite\(\d+<" + re.escape(tmp + name) + ">", l))
s = find(lambda l: re.search(r"\b(syncfs\(\d+<%s|fsync\(\d+<%s|fdatasync\(\d+<%s)"
                             % (re.escape(md), re.escape(tmp + name),
                                re.escape(tmp + name)), l) and "= 0" in l,
         last, "data synced")
r = find(lambda l: re.search(r"\b(renameat2?|linkat|rename|link)\(", l)
         and name in l and (md + "/new" in l) and l.rstrip().endswith("= 0"),
         s, "moved into new/")
d = find(lambda l: re.search(r"\bfsync\(\d+<%s/new>\)\s+= 0" % re.escape(md), l),
         r, "new/ fsynced")
sw = find(lambda l: re.search(r"\bwrite\(\d+<[^>]*/mkit/\.mpop\.[^>]*\.uidl\.\w+\.tmp>", l)
          and uidl in l, d, "state written (holds UIDL)")
tmpf = re.search(r"<([^>]*\.tmp)>", lines[sw]).group(1)
sf = find(lambda l: re.search(r"\bfsync\(\d+<%s>\)\s+= 0" % re.escape(tmpf), l),
          sw, "state fsynced")
sr = find(lambda l: re.search(r'\brename\("%s", "[^"]*\.uidl"\)\s+= 0'
                              % re.escape(tmpf), l), sf, "state renamed")
sd = find(lambda l: re.search(r"\bfsync\(\d+<[^>]*/mkit>\)\s+= 0", l),
          sr, "state directory fsynced")
dele = find(lambda l: re.search(r'\b(sendto|write|sendmsg)\(\d+<(socket|TCP)[^>]*>, "DELE 1\\r\\n"', l),
            0, "DELE sent")
if dele < sd:
    sys.exit("DELE (line %d) before the state was durable (line %d)" % (dele, sd))
PY
}

@test "mpop: under strace, one message: written, synced, into new/, new/ synced, state saved, then DELE" {
	command -v strace >/dev/null || skip "needs strace (Debian: strace)"
	local uidl
	mkmsgs 1 1 20
	put 1
	uidl=$(mpop "${P[@]}" --list | awk '$1 == 1 { print $3 }')
	[ -n "$uidl" ] || fail_run "no UIDL from --list"
	run --separate-stderr env "ASAN_OPTIONS=$NOLEAK" strace -f -y -s 256 -o "$T/trace" \
	    -e trace=write,fsync,fdatasync,syncfs,rename,renameat,renameat2,link,linkat,sendto,sendmsg,openat \
	    mpop "${P[@]}" --maildir "$T/md" --delete
	[ "$status" -eq 0 ] || fail_run "mpop under strace"
	[ "$(server_count)" -eq 0 ] || fail_run "not deleted"
	run order "$T/trace" "$uidl"
	echo "$output" | sed 's/^/# /' >&3
	[ "$status" -eq 0 ] || fail_run "order"
	# The check can fail: DELE moved before the state in a copy of the
	# trace is caught.
	awk '/"DELE 1\\r\\n"/ { next } { print } /renameat2|linkat/ && !done { print "1 sendto(3<socket:[1]>, \"DELE 1\\r\\n\", 8, 0, NULL, 0) = 8"; done = 1 }' \
	    "$T/trace" >"$T/trace.bad"
	run order "$T/trace.bad" "$uidl"
	[ "$status" -ne 0 ] && [[ $output == *"before the state was durable"* ]] ||
	    fail_run "the order check missed a DELE sent too early"
}

# inject SPEC...: with the messages 1 and 2 on the server, run mpop
# --delete --maildir under strace with each -e inject=SPEC; then check
# the failure: exit 73 or 74 (by mpop(1): cannot create, or I/O error),
# one line on stderr, no DELE sent, both still on the server, every
# file of new/ a whole message, the state file (if any) readable; then
# a clean run delivers both, once each, and deletes them.
inject() {
	local a=() spec
	for spec in "$@"; do a+=(-e "inject=$spec"); done
	find "$SRV/new" "$SRV/cur" -type f -delete
	rm -rf "$T/md" "$XDG_STATE_HOME/mkit"
	put 1 2
	run --separate-stderr env "ASAN_OPTIONS=$NOLEAK" strace -f -y -s 64 -o "$T/trace" \
	    -e trace=write,fsync,syncfs,rename,renameat2,linkat,sendto "${a[@]}" \
	    mpop "${P[@]}" --maildir "$T/md" --delete
	echo "# inject $*: exit $status: $stderr" >&3
	[ "$status" -eq 74 ] || [ "$status" -eq 73 ] ||
	    fail_run "$*: exit $status, not 73 or 74"
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] &&
	    [[ $stderr == "mpop: "* ]] || fail_run "$*: not one 'mpop: ' line"
	grep -q 'INJECTED' "$T/trace" || fail_run "$*: nothing injected"
	! grep -q '"DELE ' "$T/trace" || fail_run "$*: DELE sent"
	[ "$(server_count)" -eq 2 ] || fail_run "$*: not both still on the server"
	if [ -d "$T/md/new" ]; then
		run tally maildir "$T/md" 2
		[[ $output != *"not byte for byte"* ]] ||
		    fail_run "$*: a partial file in new/"
	fi
	if [ -e "$(state)" ]; then
		head -n 1 "$(state)" | grep -qx '# mkit mpop uidl 1' ||
		    fail_run "$*: the state file is not one"
	fi
	# (Straight to the clean run: a --list first loses the journal,
	# see the BUG test below.)  It reads the state, or exits 65.
	run --separate-stderr mpop "${P[@]}" --maildir "$T/md" --delete
	[ "$status" -eq 0 ] || fail_run "$*: the clean run after"
	run tally maildir "$T/md" 2
	[ "$status" -eq 0 ] || fail_run "$*: after the clean run"
	[ "$(server_count)" -eq 0 ] || fail_run "$*: not deleted by the clean run"
}

@test "mpop: failed write, syncfs/fsync and rename (strace inject): 73/74, no DELE, nothing lost" {
	command -v strace >/dev/null || skip "needs strace (Debian: strace)"
	mkmsgs 1 2 20
	# The syscalls in order: write of message 1, of message 2 (each to
	# tmp/), syncfs of the batch, the journal (write, fsync, rename,
	# fsync of its directory), renameat2 of each into new/, fsync of
	# new/, the state (write, fsync, rename, directory fsync).
	inject write:error=EIO:when=1		# message 1's data
	inject write:error=ENOSPC:when=2	# message 2's data
	inject write:error=EIO:when=3		# the journal
	inject write:error=EIO:when=4		# the state
	inject syncfs:error=EIO:when=1		# the batch's data
	inject syncfs:error=ENOSYS fsync:error=EIO:when=2  # without syncfs(2)
	inject fsync:error=EIO:when=1		# the journal
	inject fsync:error=EIO:when=2		# the journal's directory
	inject fsync:error=EIO:when=3		# new/
	inject fsync:error=EIO:when=4		# the state
	inject fsync:error=EIO:when=5		# the state's directory
	inject renameat2:error=EIO:when=1	# message 1 into new/
	inject renameat2:error=EIO:when=2	# message 2 into new/
	inject renameat2:error=EINVAL linkat:error=EIO:when=1  # the link(2) way
	inject rename:error=EIO:when=1		# the journal
	inject rename:error=EIO:when=2		# the state
}

@test "mpop: a --list between a failed Maildir commit and the next run keeps the journal (no duplicate)" {
	command -v strace >/dev/null || skip "needs strace (Debian: strace)"
	mkmsgs 1 2 20
	put 1 2
	# The state write fails after both are in new/ (journal saved).
	run --separate-stderr env "ASAN_OPTIONS=$NOLEAK" strace -f -o /dev/null -e trace=write \
	    -e inject=write:error=EIO:when=4 \
	    mpop "${P[@]}" --maildir "$T/md" --delete
	[ "$status" -eq 74 ] || fail_run "injected state write"
	[ -e "$(state).pending" ] || fail_run "no journal left"
	[ "$(find "$T/md/new" -type f | wc -l)" -eq 2 ] || fail_run "not both in new/"
	run --separate-stderr mpop "${P[@]}" --list --json
	[ "$status" -eq 0 ] || fail_run "--list"
	[ -e "$(state).pending" ] || fail_run "--list removed the journal"
	run --separate-stderr mpop "${P[@]}" --maildir "$T/md" --delete
	[ "$status" -eq 0 ] || fail_run "the clean run"
	run tally maildir "$T/md" 2
	[ "$status" -eq 0 ] || fail_run "after --list and the clean run"
}
