#!/usr/bin/env bats
# mpop against the harness's real dovecot (tests/servers/mail.sh): TLS
# modes, authentication, Maildir/mbox/MDA/stdout delivery, the UIDL
# state, --delete, locks, and no loss under SIGKILL (strace-placed here,
# 100 random trials in hardening-mpop.bats); the fake peer only
# for a connection cut in the middle of a message.

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
	NPEER=0
	PEER_PIDS=()
}

teardown() {
	kill_all "${PEER_PIDS[@]}"
}

# mkmsg N [BODYLINES]: $T/src/N, a CRLF message with lines that need
# care (From_, dots), Subject "msg N".
mkmsg() {
	local i
	{
		printf '%s\r\n' "From: Alice <alice@example.org>" \
		    "To: <alice@example.org>" "Subject: msg $1" \
		    "Message-ID: <$1.$$@example.org>" "" "Hello $1." \
		    "From the start of a line" ">From quoted once" \
		    "." ".." ".leading dot" "..two dots" "last"
		for ((i = 0; i < ${2:-0}; i++)); do
			printf 'filler line %06d of message %s: %s\r\n' "$i" "$1" \
			    "0123456789abcdefghijklmnopqrstuvwxyz"
		done
	} >"$T/src/$1"
}

# put N...: mkmsg N and drop it into alice's server Maildir.
put() {
	local n
	for n in "$@"; do
		[ -f "$T/src/$n" ] || mkmsg "$n"
		# As a Maildir delivery does: complete in tmp/, then renamed
		# into new/ (dovecot may move it on to cur/ at once).
		mkdir -p "$SRV/tmp"
		cp "$T/src/$n" "$SRV/tmp/$n.M1P$$Q$n.mkit"
		chown "$MAIL_UID:$MAIL_GID" "$SRV/tmp/$n.M1P$$Q$n.mkit"
		mv "$SRV/tmp/$n.M1P$$Q$n.mkit" "$SRV/new/$n.M1P$$Q$n.mkit"
	done
}

# server_count: messages left in alice's server Maildir.
server_count() {
	find "$SRV/new" "$SRV/cur" -type f | wc -l
}

# got DIR N: the file of DIR/new holding message N (exactly one).
got() {
	local f
	f=$(grep -l "^Subject: msg $2"$'\r'"\$" "$1"/new/* 2>/dev/null)
	[ "$(printf '%s' "$f" | grep -c .)" = 1 ] || {
		echo "message $2: $(printf '%s' "$f" | grep -c .) copies in $1" >&2
		return 1
	}
	echo "$f"
}

# same DIR N...: each message N is in DIR once, byte for byte.
same() {
	local d=$1 n f
	shift
	for n in "$@"; do
		f=$(got "$d" "$n") || return 1
		cmp "$f" "$T/src/$n" || return 1
	done
}

# peer SCRIPT: the fake peer over TCP text; sets PEER_PORT, PEER_LOG.
peer() {
	local d="$T/peer$((++NPEER))" i
	printf '%s\n' "$1" >"$d.script"
	"$MKIT_TOP/tests/peers/fakepeer.py" --tcp --text --port 0 \
	    --script "$d.script" --log "$d.log" --timeout 15 \
	    >"$d.port" 2>"$d.err" 3>&- &
	PEER_PIDS+=($!)
	for i in $(seq 50); do
		[ -s "$d.port" ] && break
		sleep 0.1
	done
	PEER_PORT=$(head -n 1 "$d.port")
	PEER_LOG=$d.log
	[ -n "$PEER_PORT" ] || { cat "$d.err" >&2; return 1; }
}

@test "mpop: plain POP3 with --tls auto on loopback lists the maildrop" {
	put 1 2
	run --separate-stderr mpop --server "pop3://127.0.0.1:$POP3_PORT" \
	    --tls auto --ca-file "$MAIL_CA_FILE" --user alice --list
	[ "$status" -eq 0 ] || fail_run "exit status"
	[ "${#lines[@]}" -eq 2 ] || fail_run "not two lines"
	[[ ${lines[0]} =~ ^1\ [0-9]+\ [0-9A-Fa-f]+$ ]] || fail_run "bad line"
	[ "${lines[0]#1 }" != "${lines[1]#2 }" ]
}

@test "mpop: STARTTLS required by default, then login" {
	put 1
	run --separate-stderr mpop --server "pop3://localhost:$POP3_PORT" \
	    --ca-file "$MAIL_CA_FILE" --user alice --list --trace
	[ "$status" -eq 0 ] || fail_run "exit status"
	[[ $stderr == *"C: STLS"* ]] || fail_run "no STLS"
	[[ $stderr != *"$MAIL_PASS1"* ]] || fail_run "password in the trace"
	[[ $stderr == *"C: AUTH PLAIN"*"C: LIST"* ]] || fail_run "no login"
	[ "${#lines[@]}" -eq 1 ] || fail_run "not one line"
}

@test "mpop: POP3S with --ca-file" {
	put 1
	run --separate-stderr mpop "${S[@]}" --list
	[ "$status" -eq 0 ] || fail_run "exit status"
	[ "${#lines[@]}" -eq 1 ] || fail_run "not one line"
}

@test "mpop: wrong password is exit 77" {
	MKIT_PASSWORD="not $MAIL_PASS1" run --separate-stderr mpop "${S[@]}" \
	    --list
	[ "$status" -eq 77 ] || fail_run "exit status"
	[[ $stderr != *"$MAIL_PASS1"* ]] || fail_run "password in a message"
}

@test "mpop: a certificate it cannot verify is exit 77" {
	run --separate-stderr mpop --server "pop3s://127.0.0.1:$POP3S_PORT" \
	    --user alice --list
	[ "$status" -eq 77 ] || fail_run "exit status"
	run --separate-stderr mpop --server "pop3://127.0.0.1:$POP3_PORT" \
	    --user alice --list
	[ "$status" -eq 77 ] || fail_run "exit status (STARTTLS)"
}

@test "mpop: Maildir byte-exact, second run fetches nothing, then only new mail" {
	put 1 2 3
	run --separate-stderr mpop "${S[@]}" --maildir "$T/md" -v
	[ "$status" -eq 0 ] || fail_run "exit status"
	[[ $stderr == "3 new messages, "*" KB, "*" s" ]] || fail_run "summary"
	[ -d "$T/md/cur" ] && [ -d "$T/md/tmp" ]
	same "$T/md" 1 2 3
	[ "$(ls "$T/md/new" | wc -l)" -eq 3 ]
	[ -z "$(ls "$T/md/tmp")" ]
	run --separate-stderr mpop "${S[@]}" --maildir "$T/md" -v
	[ "$status" -eq 0 ] || fail_run "second run"
	[[ $stderr == "0 new messages, 0 KB, "* ]] || fail_run "not nothing"
	put 4
	run --separate-stderr mpop "${S[@]}" --maildir "$T/md" -v
	[[ $stderr == "1 new message, "* ]] || fail_run "not one new"
	same "$T/md" 1 2 3 4
	[ "$(ls "$T/md/new" | wc -l)" -eq 4 ]
	# Kept on the server; the state file is where the man page says.
	[ "$(server_count)" -eq 4 ]
	ls "$XDG_STATE_HOME"/mkit/mpop.alice@*.uidl >/dev/null
	# --all fetches them all again.
	run mpop "${S[@]}" --maildir "$T/md2" --all
	[ "$status" -eq 0 ]
	same "$T/md2" 1 2 3 4
}

@test "mpop: --delete removes exactly the delivered messages" {
	put 1 2
	run mpop "${S[@]}" --maildir "$T/md"
	[ "$status" -eq 0 ] || fail_run "first run"
	mkmsg 3 400
	put 3 4
	# 3 is too big: left on the server, named on stderr; 1, 2 (earlier)
	# and 4 (now) are deleted.
	run --separate-stderr mpop "${S[@]}" --maildir "$T/md" --delete \
	    --max-size 10000 -v
	[ "$status" -eq 0 ] || fail_run "exit status"
	[[ $stderr == *"message 3 "*"over --max-size"* ]] || fail_run "no warning"
	[[ $stderr == *"1 new message, "*", 3 deleted"* ]] || fail_run "summary"
	[ "$(server_count)" -eq 1 ]
	grep -q "^Subject: msg 3" "$SRV"/*/*
	same "$T/md" 1 2 4
	[ "$(ls "$T/md/new" | wc -l)" -eq 3 ]
}

@test "mpop: --mbox quotes From_ lines (mboxrd) and appends" {
	put 1 2
	printf 'From old@example.org Mon Jan  1 00:00:00 2024\nSubject: old\n\nold body\n' >"$T/mbox"
	run --separate-stderr mpop "${S[@]}" --mbox "$T/mbox"
	[ "$status" -eq 0 ] || fail_run "exit status"
	[ "$(grep -c '^From ' "$T/mbox")" -eq 3 ] || fail_run "not 3 From_"
	grep -qx '>From the start of a line' "$T/mbox"
	grep -qx '>>From quoted once' "$T/mbox"
	grep -qx 'old body' "$T/mbox"
	! grep -q $'\r' "$T/mbox"
	# A blank line before each separator but the first.
	[ "$(grep -B1 '^From ' "$T/mbox" | grep -c '^$')" -eq 2 ]
	[ ! -e "$T/mbox.lock" ]
}

@test "mpop: --mbox waits for a lock another process holds, then fails cleanly" {
	put 1
	: >"$T/mbox"
	# Held for 1.5 s: mpop waits and then delivers.
	python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "a"); fcntl.lockf(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").close(); time.sleep(1.5)' "$T/mbox" "$T/held" &
	while [ ! -e "$T/held" ]; do sleep 0.05; done
	run --separate-stderr mpop "${S[@]}" --mbox "$T/mbox"
	wait
	[ "$status" -eq 0 ] || fail_run "did not wait for the lock"
	[ "$(grep -c '^From ' "$T/mbox")" -eq 1 ]
	# Held longer than --timeout: exit 75, the mbox untouched, the
	# message still new for the next run.
	put 2
	rm -f "$T/held"
	python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "a"); fcntl.lockf(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").close(); time.sleep(4)' "$T/mbox" "$T/held" &
	while [ ! -e "$T/held" ]; do sleep 0.05; done
	cp "$T/mbox" "$T/before"
	run --separate-stderr mpop "${S[@]}" --mbox "$T/mbox" --timeout 1
	[ "$status" -eq 75 ] || fail_run "exit status"
	[[ $stderr == *"locked by another process"* ]] || fail_run "message"
	cmp "$T/mbox" "$T/before"
	wait
	# A dotlock is honoured too.
	: >"$T/mbox.lock"
	run mpop "${S[@]}" --mbox "$T/mbox" --timeout 1
	[ "$status" -eq 75 ] || fail_run "dotlock ignored"
	rm "$T/mbox.lock"
	run mpop "${S[@]}" --mbox "$T/mbox"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^From ' "$T/mbox")" -eq 2 ]
}

@test "mpop: --mda exit 75 leaves the message on the server and exits 75" {
	put 1
	run --separate-stderr mpop "${S[@]}" --mda 'cat >/dev/null; exit 75' \
	    --delete
	[ "$status" -eq 75 ] || fail_run "exit status"
	[ "$(server_count)" -eq 1 ]
	# Not counted as fetched: the next MDA gets it, byte for byte.
	run mpop "${S[@]}" --mda "cat >'$T/out'"
	[ "$status" -eq 0 ] || fail_run "second run"
	cmp "$T/out" "$T/src/1"
	# Another failure is 69, and the message stays new.
	put 2
	run --separate-stderr mpop "${S[@]}" --mda 'cat >/dev/null; exit 1' \
	    --delete
	[ "$status" -eq 69 ] || fail_run "exit status of a refusal"
	[[ $stderr == *"--mda exited 1 for message 2"* ]] || fail_run "warning"
	[ "$(server_count)" -eq 2 ]
}

@test "mpop: a second mpop on the same mailbox exits 75 'already running'" {
	put 1
	mpop "${S[@]}" --mda 'sleep 2; cat >/dev/null' 3>&- &
	local pid=$!
	sleep 1
	run --separate-stderr mpop "${S[@]}" --maildir "$T/md"
	[ "$status" -eq 75 ] || fail_run "exit status"
	[[ $stderr == *"already running"* ]] || fail_run "message"
	wait "$pid"
}

@test "mpop: --list --json" {
	put 1 2
	run mpop "${S[@]}" --maildir "$T/md"
	put 3
	run --separate-stderr mpop "${S[@]}" --list --json
	[ "$status" -eq 0 ] || fail_run "exit status"
	python3 -c 'import json, sys
v = json.loads(sys.argv[1])
assert [m["num"] for m in v] == [1, 2, 3], v
assert [m["fetched"] for m in v] == [True, True, False], v
assert all(m["size"] > 100 and m["uidl"] for m in v), v' "$output"
}

@test "mpop: --stdout writes an mboxrd stream" {
	put 1 2
	run --separate-stderr mpop "${S[@]}" --stdout
	[ "$status" -eq 0 ] || fail_run "exit status"
	[ "$(grep -c '^From MAILER-DAEMON ' <<<"$output")" -eq 2 ]
	grep -qx '>From the start of a line' <<<"$output"
	grep -qx '>>From quoted once' <<<"$output"
	# Unquoted and with CRLF again, each message is the one on the server.
	mpop "${S[@]}" --stdout --all >"$T/stream"
	python3 -c 'import sys, re
data = sys.stdin.read()
msgs = re.split(r"(?m)^From MAILER-DAEMON .*\n", data)[1:]
for i, m in enumerate(msgs, 1):
    assert m.endswith("\n\n"), repr(m[-5:])
    m = m[:-1]
    m = re.sub(r"(?m)^>(>*From )", r"\1", m).replace("\n", "\r\n")
    want = open(sys.argv[1] + "/%d" % i, newline="").read()
    assert m == want, (i, m, want)' "$T/src" <"$T/stream"
	# Fetched: the next run writes nothing.
	run --separate-stderr mpop "${S[@]}" --stdout
	[ "$status" -eq 0 ] && [ -z "$output" ]
}

@test "mpop: --headers-only fetches the header with TOP n 0 and remembers nothing" {
	put 1
	run --separate-stderr mpop "${S[@]}" --maildir "$T/md" --headers-only \
	    --trace
	[ "$status" -eq 0 ] || fail_run "exit status"
	[[ $stderr == *"C: TOP 1 0"* ]] || fail_run "no TOP"
	f=$(got "$T/md" 1)
	grep -q '^Subject: msg 1' "$f"
	! grep -q 'Hello 1' "$f"
	run mpop "${S[@]}" --maildir "$T/md2"
	same "$T/md2" 1
}

@test "mpop: -q is silent on success, -v prints the summary" {
	put 1
	run --separate-stderr mpop "${S[@]}" --maildir "$T/md" -q
	[ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ] ||
	    fail_run "-q not silent"
	run --separate-stderr mpop "${S[@]}" --maildir "$T/md"
	[ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ] ||
	    fail_run "default not silent"
	put 2
	run --separate-stderr mpop "${S[@]}" --maildir "$T/md" -v
	[[ $stderr =~ ^1\ new\ message,\ 1\ KB,\ [0-9]+\.[0-9]\ s$ ]] ||
	    fail_run "-v summary"
}

@test "mpop: a Maildir that cannot be created is exit 73, before any login" {
	: >"$T/file"
	run --separate-stderr mpop "${S[@]}" --maildir "$T/file/md"
	[ "$status" -eq 73 ] || fail_run "exit status"
}

@test "mpop: the connection cut in the middle of a message: 75, nothing delivered" {
	local script
	script=$(cat <<'EOF'
sendline +OK fake POP3
recv
sendline +OK
sendline USER
sendline UIDL
sendline .
recv
sendline +OK
recv
sendline +OK logged in
recv
sendline +OK 1 messages
sendline 1 120
sendline .
recv
sendline +OK
sendline 1 cut-1
sendline .
recv
sendline +OK 120 octets
sendline Subject: cut
sendline
sendline half of the body
close
EOF
)
	peer "$script"
	run --separate-stderr mpop --server "pop3://127.0.0.1:$PEER_PORT" \
	    --tls auto --user alice --maildir "$T/md" --delete
	[ "$status" -eq 75 ] || fail_run "exit status"
	[ -z "$(ls "$T/md/new")" ] && [ -z "$(ls "$T/md/tmp")" ] ||
	    fail_run "a partial message was delivered"
	! grep -q '^DELE' "$PEER_LOG"
	grep -qx 'RETR 1' "$PEER_LOG"
	# Nothing remembered: the next run asks for it again.
	peer "$script"
	run mpop --server "pop3://127.0.0.1:$PEER_PORT" --tls auto \
	    --user alice --maildir "$T/md"
	[ "$status" -eq 75 ]
	grep -qx 'RETR 1' "$PEER_LOG"
}

@test "mpop: a full disk is exit 74 and loses nothing" {
	local i
	mkdir "$T/small"
	mount -t tmpfs -o size=64k tmpfs "$T/small" ||
	    skip "cannot mount a tmpfs"
	for i in 1 2 3 4 5 6; do mkmsg "$i" 200; done
	put 1 2 3 4 5 6
	run --separate-stderr mpop "${S[@]}" --maildir "$T/small/md" --delete
	local st=$status
	cp -r "$T/small/md" "$T/md"
	umount "$T/small"
	status=$st
	[ "$status" -eq 74 ] || fail_run "exit status"
	# What was delivered is whole; the rest is still on the server.
	local have
	have=$(ls "$T/md/new" | wc -l)
	[ $((have + $(server_count))) -ge 6 ]
	run mpop "${S[@]}" --maildir "$T/md" --delete
	[ "$status" -eq 0 ] || fail_run "the run after"
	same "$T/md" 1 2 3 4 5 6
	[ "$(server_count)" -eq 0 ]
}

# nouidl_script MODE: a POP3 server without UIDL (CAPA has TOP, no
# UIDL; UIDL is -ERR) holding three messages, 1 and 3 with the same
# header and size.  MODE: fetch (RETR all three), none (no RETR), or
# delete (DELE all three).
nouidl_script() {
	local n
	printf '%s\n' 'sendline +OK fake POP3 without UIDL' recv \
	    'sendline +OK' 'sendline USER' 'sendline TOP' 'sendline .' \
	    recv 'sendline +OK' recv 'sendline +OK logged in' \
	    recv 'sendline +OK 3 messages' 'sendline 1 60' 'sendline 2 61' \
	    'sendline 3 60' 'sendline .' recv 'sendline -ERR unknown command'
	for n in 1 2 3; do
		printf '%s\n' recv 'sendline +OK' \
		    "sendline Subject: same$((n == 2 ? 2 : 1))" \
		    'sendline Message-ID: <same@example.org>' 'sendline' \
		    'sendline .'
	done
	case $1 in
	fetch)
		for n in 1 2 3; do
			printf '%s\n' recv 'sendline +OK' \
			    "sendline Subject: same$((n == 2 ? 2 : 1))" \
			    'sendline Message-ID: <same@example.org>' \
			    'sendline' "sendline body of message $n" \
			    'sendline .'
		done
		;;
	delete)
		printf '%s\n' recv 'sendline +OK' recv 'sendline +OK' \
		    recv 'sendline +OK'
		;;
	esac
	printf '%s\n' recv 'sendline +OK bye'
}

# fake_account: account "fake" for the last peer, so that the state
# file (named after the account) survives the peer's changing port.
fake_account() {
	mkdir -p "${MKIT_CONFIG%/*}"
	printf '[account fake]\npop3 = pop3://127.0.0.1:%s\nuser = alice\ntls = auto\n' \
	    "$PEER_PORT" >"$MKIT_CONFIG"
}

@test "mpop: --timeout is per message after the first: a slow but steady server is no failure" {
	# Each RETR answered after 0.9 s: the three take 2.7 s, more than
	# --timeout 2, but none takes it alone (each message renews it).
	peer "$(nouidl_script fetch | awk '{ l[NR] = $0 }
	    END { for (i = 1; i <= NR; i++) {
		if (l[i] == "sendline +OK" && l[i + 4] ~ /^sendline body of/)
			print "stall 0.9"
		print l[i] } }')"
	fake_account
	run --separate-stderr mpop -a fake --timeout 2 --maildir "$T/md"
	[ "$status" -eq 0 ] || fail_run "exit status"
	[ "$(ls "$T/md/new" | wc -l)" -eq 3 ] || fail_run "not 3 delivered"
	[ "$(grep -c '^stall' "$T/peer$NPEER.script")" -eq 3 ] || fail_run "script"
}

@test "mpop: a server without UIDL: a hash of the header, one warning, --delete" {
	peer "$(nouidl_script fetch)"
	fake_account
	run --separate-stderr mpop -a fake --maildir "$T/md"
	[ "$status" -eq 0 ] || fail_run "exit status"
	[ "$(grep -c 'no UIDL' <<<"$stderr")" -eq 1 ] || fail_run "not one warning"
	[ "$(wc -l <<<"$stderr")" -eq 1 ] || fail_run "more on stderr"
	grep -qx 'TOP 1 0' "$PEER_LOG" && grep -qx 'TOP 3 0' "$PEER_LOG"
	grep -qx 'RETR 3' "$PEER_LOG"
	# Three messages, 1 and 3 alike but both delivered.
	[ "$(ls "$T/md/new" | wc -l)" -eq 3 ] || fail_run "not 3 delivered"
	[ "$(grep -l 'body of message 3' "$T/md"/new/* | wc -l)" -eq 1 ]
	grep -c '^sha256:[0-9a-f]\{48\}\(+2\)\?$' \
	    "$XDG_STATE_HOME"/mkit/mpop.alice@fake.uidl | grep -qx 3
	# The second run knows them all: TOP only, no RETR; -q: silent.
	peer "$(nouidl_script none)"
	fake_account
	run --separate-stderr mpop -a fake --maildir "$T/md" -q
	[ "$status" -eq 0 ] || fail_run "second run"
	[ -z "$stderr" ] || fail_run "-q not silent"
	! grep -q '^RETR' "$PEER_LOG"
	grep -qx QUIT "$PEER_LOG"
	[ "$(ls "$T/md/new" | wc -l)" -eq 3 ]
	# --delete removes the three by number, then QUIT.
	peer "$(nouidl_script delete)"
	fake_account
	run --separate-stderr mpop -a fake --maildir "$T/md" --delete -v
	[ "$status" -eq 0 ] || fail_run "--delete run"
	[[ $stderr == *"0 new messages, "*", 3 deleted"* ]] || fail_run "summary"
	[ "$(grep -c '^DELE [123]$' "$PEER_LOG")" -eq 3 ]
	! grep -q '^RETR' "$PEER_LOG"
	[ "$(tail -n 1 "$PEER_LOG")" = QUIT ]
}

@test "mpop: --received adds a Received: header, only when asked" {
	put 1
	run --separate-stderr mpop "${S[@]}" --maildir "$T/md" --received
	[ "$status" -eq 0 ] || fail_run "exit status"
	f=$(got "$T/md" 1)
	head -n 1 "$f" | grep -q "^Received: from 127\.0\.0\.1 by $(hostname) with POP3 (mkit mpop [0-9.]*);"$'\r'"\$" ||
	    fail_run "first line: $(head -n 1 "$f")"
	sed -n 2p "$f" | grep -Eq $'^\t[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} [-+][0-9]{4}\r$' ||
	    fail_run "second line: $(sed -n 2p "$f")"
	tail -n +3 "$f" | cmp - "$T/src/1"
	# Not by default.
	run mpop "${S[@]}" --maildir "$T/md2" --all
	same "$T/md2" 1
	! grep -q '^Received: from 127' "$(got "$T/md2" 1)"
}

@test "mpop: --mda never sees a message cut off in the middle" {
	peer "$(printf '%s\n' 'sendline +OK fake' recv 'sendline +OK' \
	    'sendline USER' 'sendline UIDL' 'sendline .' recv 'sendline +OK' \
	    recv 'sendline +OK in' recv 'sendline +OK 1 messages' \
	    'sendline 1 120' 'sendline .' recv 'sendline +OK' \
	    'sendline 1 cut-1' 'sendline .' recv 'sendline +OK' \
	    'sendline Subject: cut' 'sendline' 'sendline half' close)"
	run --separate-stderr mpop --server "pop3://127.0.0.1:$PEER_PORT" \
	    --tls auto --user alice --mda "cat >'$T/mda.out'"
	[ "$status" -eq 75 ] || fail_run "exit status"
	[ ! -e "$T/mda.out" ] || fail_run "the MDA ran on a partial message"
}

# mbox_check MBOX N: the mbox holds messages 1..N of $T/src, each once,
# byte for byte once unquoted and with CRLF again, and nothing else.
mbox_check() {
	python3 - "$1" "$T/src" "$2" <<'PY'
import re, sys
data = open(sys.argv[1], newline="").read()
msgs = re.split(r"(?m)^From MAILER-DAEMON .*\n", data)
assert msgs[0] == "", "text before the first separator: %r" % msgs[0][:80]
seen = {}
for m in msgs[1:]:
    assert m.endswith("\n\n"), "torn message: %r" % m[-80:]
    m = re.sub(r"(?m)^>(>*From )", r"\1", m[:-1]).replace("\n", "\r\n")
    k = re.search(r"(?m)^Subject: msg (\d+)\r$", m)
    assert k, "no Subject: %r" % m[:200]
    n = int(k.group(1))
    assert m == open("%s/%d" % (sys.argv[2], n), newline="").read(), \
        "message %d differs" % n
    seen[n] = seen.get(n, 0) + 1
want = set(range(1, int(sys.argv[3]) + 1))
assert set(seen) == want, "missing: %s" % sorted(want - set(seen))
dup = [n for n, c in seen.items() if c > 1]
assert not dup, "duplicates: %s" % dup
PY
}

@test "mpop: --mbox killed in an append (strace) and at random: no torn message, none lost or doubled" {
	local i k=5 n=0 pid
	command -v strace >/dev/null || skip "needs strace to kill at a write"
	# Big enough (130 KB each) that an append takes several writes.
	for i in $(seq 1 64); do
		mkmsg "$i"
		python3 -c 'import sys
sys.stdout.write("".join("filler %06d: %s\r\n" % (k, "x" * 50)
    for k in range(2000)))' >>"$T/src/$i"
	done
	put 1 2 3 4
	# SIGKILL at the Nth write(2): the journal, the mbox's pieces, the
	# state; each run first repairs what the one before left.
	for i in $(seq 1 9); do
		strace -f -o /dev/null -e inject=write:signal=KILL:when="$i" \
		    mpop "${S[@]}" --mbox "$T/mbox" -q 3>&- || true
	done
	# Then at random moments, two new messages for each run.
	for i in $(seq 1 30); do
		put "$k" $((k + 1))
		k=$((k + 2))
		if [ $((i % 2)) = 0 ]; then
			mpop "${S[@]}" --mbox "$T/mbox" --delete -q 3>&- &
		else
			mpop "${S[@]}" --mbox "$T/mbox" -q 3>&- &
		fi
		pid=$!
		sleep "0.$((RANDOM % 2))$((RANDOM % 10))"
		kill -KILL "$pid" 2>/dev/null && n=$((n + 1))
		wait "$pid" 2>/dev/null || true
	done
	echo "# killed $n of 30 runs at random" >&3
	run --separate-stderr mpop "${S[@]}" --mbox "$T/mbox" --delete
	[ "$status" -eq 0 ] || fail_run "final run"
	run mbox_check "$T/mbox" 64
	[ "$status" -eq 0 ] || fail_run "mbox check"
	[ "$(server_count)" -eq 0 ]
	[ ! -e "$XDG_STATE_HOME"/mkit/mpop.alice@*.uidl.mbox ]
}
