#!/usr/bin/env bats
# Hardening: every wait has a deadline (promise 5 of mkit(7)).
#
# Slow-loris peers: a greeting dribbled at 1 byte/s, a server silent
# after DATA or after a command, a DNS server dribbling its TCP answer.
# With --timeout 2, msend, mpop, mimap and mlookup exit 75 within the
# timeout + 1 s (for the mail tools --timeout bounds the whole session
# with the server, not each read: lib/conn.h); the bound checked is twice that (6 s), to stay a
# functional check on a loaded machine, not a benchmark.  The peers
# would keep going for 30 s.  The real servers show the same options
# work when the server is quick.

# shellcheck disable=SC2154 # status, output, stderr: set by run
bats_require_minimum_version 1.5.0

load helpers

LIMIT=6	# (--timeout 2 + 1 s) x 2

setup_file() {
	[ "$(id -u)" = 0 ] || return 0
	servers_start mail
}

teardown_file() {
	servers_stop
}

setup() {
	mkit_isolate
	T=$BATS_TEST_TMPDIR
	PIDS=()
	NPEER=0
}

teardown() {
	kill_all "${PIDS[@]}"
}

# dribble MODE TEXT: a TCP peer on 127.0.0.1 that, for one connection,
# sends TEXT and CR LF one byte a second (MODE greet), or reads one DNS
# query (2-byte length first) and sends a valid answer to it one byte a
# second (MODE dns); sets PEER_PORT.
dribble() {
	local d="$T/dribble$((++NPEER))"
	cat >"$d.py" <<-'PY'
	import socket, struct, sys, time
	mode, text, portfile = sys.argv[1], sys.argv[2].encode(), sys.argv[3]
	s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	s.bind(("127.0.0.1", 0)); s.listen(4)
	open(portfile, "w").write("%d\n" % s.getsockname()[1])
	c = s.accept()[0]
	if mode == "dns":
	    buf = b""
	    while len(buf) < 2 or len(buf) < 2 + struct.unpack(">H", buf[:2])[0]:
	        buf += c.recv(4096)
	    q = buf[2:]
	    end = 12
	    while q[end]:
	        end += 1 + q[end]
	    end += 5
	    r = q[:2] + b"\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00" + q[12:end]
	    r += b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\xc0\x00\x02\x01"
	    data = struct.pack(">H", len(r)) + r
	else:
	    data = text + b"\r\n"
	for b in data:
	    try:
	        c.send(bytes([b]))
	    except OSError:
	        break
	    time.sleep(1)
	time.sleep(30)
	PY
	python3 "$d.py" "$1" "$2" "$d.port" 3>&- &
	PIDS+=($!)
	for _ in $(seq 50); do
		[ -s "$d.port" ] && break
		sleep 0.1
	done
	PEER_PORT=$(cat "$d.port")
	[ -n "$PEER_PORT" ]
}

# peer SCRIPT-LINES...: fakepeer.py over TCP text; sets PEER_PORT.
peer() {
	local d="$T/peer$((++NPEER))"
	printf '%s\n' "$@" >"$d.script"
	"$MKIT_TOP/tests/peers/fakepeer.py" --tcp --text --port 0 \
	    --script "$d.script" --log "$d.log" --timeout 40 \
	    >"$d.port" 2>"$d.err" 3>&- &
	PIDS+=($!)
	for _ in $(seq 50); do
		[ -s "$d.port" ] && break
		sleep 0.1
	done
	PEER_PORT=$(head -n 1 "$d.port")
	[ -n "$PEER_PORT" ] || { cat "$d.err" >&2; return 1; }
}

# timed CMD...: run CMD (stdin from $T/in if it exists), set status,
# output, stderr and ELAPSED (seconds, 0.1 s precision).
timed() {
	local t0 t1
	[ -f "$T/in" ] || : >"$T/in"
	t0=$(date +%s.%N)
	run --separate-stderr "$@" <"$T/in"
	t1=$(date +%s.%N)
	ELAPSED=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
}

# within75 WHAT: the last timed run exited 75 within LIMIT seconds, with
# one line on stderr that says it timed out.
within75() {
	[ "$status" -eq 75 ] || fail_run "$1: exit $status, not 75 (after $ELAPSED s)"
	awk -v e="$ELAPSED" -v l="$LIMIT" 'BEGIN { exit !(e <= l) }' ||
	    fail_run "$1: took $ELAPSED s, more than $LIMIT s"
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] ||
	    fail_run "$1: not one line on stderr"
	printf '%s\n' "$stderr" | grep -Eqi 'time|within' ||
	    fail_run "$1: the error does not say it timed out"
}

@test "slow: the tools with --timeout 2 against the quick real servers" {
	need_servers
	export MKIT_PASSWORD=$MAIL_PASS1
	printf 'Subject: slow\n\nquick\n' >"$T/in"
	timed msend --timeout 2 --server "smtp://localhost:$SMTP_PORT" \
	    --ca-file "$MAIL_CA_FILE" -f alice@example.org bob@example.org
	[ "$status" -eq 0 ] || fail_run "msend"
	rm -f "$T/in"
	timed mpop --timeout 2 --server "pop3s://localhost:$POP3S_PORT" \
	    --ca-file "$MAIL_CA_FILE" --user alice --list
	[ "$status" -eq 0 ] || fail_run "mpop"
	timed mimap --timeout 2 --server "imaps://localhost:$IMAPS_PORT" \
	    --ca-file "$MAIL_CA_FILE" --user alice folders
	[ "$status" -eq 0 ] || fail_run "mimap"
}

@test "slow: msend, a greeting at 1 byte/s: 75 in time" {
	dribble greet "220 slow.example ESMTP at one byte a second"
	printf 'Subject: slow\n\nbody\n' >"$T/in"
	timed msend --timeout 2 --tls=off --server "smtp://127.0.0.1:$PEER_PORT" \
	    -f a@example.org bob@example.org
	within75 "greeting"
}

@test "slow: msend, a server silent after DATA: 75 in time" {
	peer "sendline 220 fake ESMTP" "recv" "sendline 250 fake" "recv" \
	    "sendline 250 Ok" "recv" "sendline 250 Ok" "recv" \
	    "sendline 354 go ahead" "recv-until ." "stall 35"
	printf 'Subject: slow\n\nbody\n' >"$T/in"
	timed msend --timeout 2 --tls=off --server "smtp://127.0.0.1:$PEER_PORT" \
	    -f a@example.org bob@example.org
	within75 "after DATA"
}

@test "slow: msend, a server that answers each command just in time: the whole send is bounded" {
	# Each reply comes 1.5 s after the command: every single wait is
	# under --timeout 2, the whole session is not.
	peer "sendline 220 fake ESMTP" "recv" "stall 1.5" "sendline 250 fake" \
	    "recv" "stall 1.5" "sendline 250 Ok" "recv" "stall 1.5" \
	    "sendline 250 Ok" "recv" "stall 1.5" "sendline 354 go ahead" \
	    "recv-until ." "stall 1.5" "sendline 250 Ok" "recv" "sendline 221 bye"
	printf 'Subject: slow\n\nbody\n' >"$T/in"
	timed msend --timeout 2 --tls=off --server "smtp://127.0.0.1:$PEER_PORT" \
	    -f a@example.org bob@example.org
	within75 "a reply every 1.5 s"
}

@test "slow: mpop, a greeting at 1 byte/s: 75 in time" {
	dribble greet "+OK slow POP3 server at one byte a second"
	timed env MKIT_PASSWORD=x mpop --timeout 2 --tls=off \
	    --server "pop3://127.0.0.1:$PEER_PORT" --user alice --list
	within75 "greeting"
}

@test "slow: mpop, a server silent after login: 75 in time" {
	peer "sendline +OK fake" "recv" "sendline -ERR no CAPA" "recv" \
	    "sendline +OK" "recv" "sendline +OK logged in" "recv" "stall 35"
	timed env MKIT_PASSWORD=x mpop --timeout 2 --tls=off \
	    --server "pop3://127.0.0.1:$PEER_PORT" --user alice --list
	within75 "after login"
}

# After a quick login, each reply comes 1.5 s after the command.
@test "slow: mpop, a server that answers each command just in time: the session is bounded" {
	peer "sendline +OK fake" "recv" "sendline -ERR no CAPA" "recv" \
	    "sendline +OK" "recv" "sendline +OK logged in" "recv" "stall 1.5" \
	    "sendline +OK" "sendline 1 10" "sendline ." "recv" "stall 1.5" \
	    "sendline +OK" "sendline 1 u1" "sendline ." "recv" "stall 1.5" \
	    "sendline +OK bye"
	timed env MKIT_PASSWORD=x mpop --timeout 2 --tls=off \
	    --server "pop3://127.0.0.1:$PEER_PORT" --user alice --list
	within75 "a reply every 1.5 s"
}

@test "slow: mimap, a server that answers each command just in time: the session is bounded" {
	peer "sendline * OK fake" "recv" "sendline * CAPABILITY IMAP4rev1" \
	    "sendline A001 OK done" "recv" "sendline A002 OK logged in" \
	    "recv" "stall 1.5" "sendline * CAPABILITY IMAP4rev1" \
	    "sendline M1 OK done" "recv" "stall 1.5" \
	    "sendline * LIST () \"/\" INBOX" "sendline M2 OK listed" "recv" \
	    "stall 1.5" "sendline M3 OK" "recv" "stall 1.5" "sendline M4 OK"
	timed env MKIT_PASSWORD=x mimap --timeout 2 --tls=off \
	    --server "imap://127.0.0.1:$PEER_PORT" --user alice folders
	within75 "a reply every 1.5 s"
}

@test "slow: mimap, a greeting at 1 byte/s: 75 in time" {
	dribble greet "* OK slow IMAP server at one byte a second"
	timed env MKIT_PASSWORD=x mimap --timeout 2 --tls=off \
	    --server "imap://127.0.0.1:$PEER_PORT" --user alice folders
	within75 "greeting"
}

@test "slow: mimap, a server silent after login: 75 in time" {
	peer "sendline * OK fake" "recv" "sendline * CAPABILITY IMAP4rev1" \
	    "sendline A001 OK done" "recv" "sendline A002 OK logged in" \
	    "recv" "stall 35"
	timed env MKIT_PASSWORD=x mimap --timeout 2 --tls=off \
	    --server "imap://127.0.0.1:$PEER_PORT" --user alice folders
	within75 "after login"
}

@test "slow: mlookup, a TCP answer at 1 byte/s: 75 in time" {
	dribble dns ""
	timed mlookup --tcp --timeout 2 --retries 0 x.example. \
	    "@127.0.0.1#$PEER_PORT"
	within75 "--tcp"
	[ -z "$output" ] || fail_run "partial output"
}

@test "slow: mlookup, a TCP answer at 1 byte/s, one retry: each try bounded" {
	# --deadline bounds a name only with --trace (mlookup(1)); here two
	# tries of 2 s: 75 within 2 x 2 + 1 s, bound doubled.
	dribble dns ""
	timed mlookup --tcp --timeout 2 --retries 1 x.example. \
	    "@127.0.0.1#$PEER_PORT"
	LIMIT=10 within75 "--retries 1"
	[ -z "$output" ] || fail_run "partial output"
}
