#!/usr/bin/env bats
# Hardening: what reaches the wire.
#
# - SMTP DATA: bodies with every malformed end-of-data sequence, bare CR
#   and LF, lone dots and no final line break, written to msend's stdin
#   in chunks of 1, 2, 3 and 7 bytes, go to a fake peer that logs the
#   lines it receives (a line's CR LF taken off; any other CR or LF
#   shown as \x0d, \x0a): only CR LF line ends, leading dots doubled,
#   exactly one end of data, checked line for line against a model.
#   The same bodies through the harness's real postfix arrive intact.
# - CR, LF (and, where bytes come from a file, NUL) through every
#   argument that reaches a protocol line: msend -s/-f/-F/-H and
#   recipients, mimap folder names, search criteria, flags, mpop --user,
#   mlookup names: refused with 64 (65 for standard input) before
#   connecting, the listener's log empty.  (argv cannot hold a NUL: a
#   C string ends there.)  An RFC 2047 word that decodes to CR LF given
#   to msend -s is encoded, never a raw CR LF in the header.

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
	mkit_isolate
	T=$BATS_TEST_TMPDIR
	PIDS=()
	NPEER=0
}

teardown() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
}

# sink: a fake SMTP server that takes one message; sets PEER_PORT and
# PEER_LOG (fakepeer.py's line log).
sink() {
	local d="$T/sink$((++NPEER))" i
	printf '%s\n' "sendline 220 fake ESMTP" "recv" "sendline 250-fake" \
	    "sendline 250 8BITMIME" "recv" "sendline 250 2.1.0 Ok" "recv" \
	    "sendline 250 2.1.5 Ok" "recv" "sendline 354 go ahead" \
	    "recv-until ." "sendline 250 2.0.0 Ok" "recv" "sendline 221 bye" \
	    "recv" >"$d.script"
	"$MKIT_TOP/tests/peers/fakepeer.py" --tcp --text --port 0 \
	    --script "$d.script" --log "$d.log" --timeout 20 \
	    >"$d.port" 2>"$d.err" 3>&- &
	PIDS+=($!)
	for i in $(seq 50); do
		[ -s "$d.port" ] && break
		sleep 0.1
	done
	PEER_PORT=$(head -n 1 "$d.port")
	PEER_LOG=$d.log
	SINK_PID=$!
	[ -n "$PEER_PORT" ] || { cat "$d.err" >&2; return 1; }
}

# listener: a TCP and UDP listener on one port that logs every
# connection and every byte or datagram it gets, and answers nothing;
# sets LPORT and LLOG.  Anything in LLOG means the tool went out.
listener() {
	LPORT=$(free_port)
	LLOG=$T/listener.log
	: >"$LLOG"
	python3 - "$LPORT" "$LLOG" 3>&- <<-'PY' &
	import select, socket, sys, time
	port, log = int(sys.argv[1]), open(sys.argv[2], "a", buffering=1)
	t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	t.bind(("127.0.0.1", port)); t.listen(8)
	u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	u.bind(("127.0.0.1", port))
	conns, end = [], time.time() + 60
	while time.time() < end:
	    r = select.select([t, u] + conns, [], [], 1)[0]
	    for s in r:
	        if s is t:
	            c = t.accept()[0]; conns.append(c); log.write("connect\n")
	        elif s is u:
	            log.write("udp %r\n" % u.recv(65535))
	        else:
	            d = s.recv(65535)
	            if not d:
	                conns.remove(s); s.close()
	            else:
	                log.write("tcp %r\n" % d)
	PY
	PIDS+=($!)
	# wait until it listens
	for _ in $(seq 50); do
		python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' \
		    "$LPORT" 2>/dev/null && break
		sleep 0.1
	done
	sleep 0.2
	: >"$LLOG"
}

# quiet: the listener saw nothing.
quiet() {
	sleep 0.2
	[ ! -s "$LLOG" ] || { cat "$LLOG" >&2; echo "the tool went out" >&2; return 1; }
}

# chunked N FILE: FILE to stdout in writes of N bytes, with a pause
# after each so that the reader gets them one by one.
chunked() {
	python3 - "$1" "$2" <<-'PY'
	import os, sys, time
	n, data = int(sys.argv[1]), open(sys.argv[2], "rb").read()
	for i in range(0, len(data), n):
	    os.write(1, data[i:i + n])
	    time.sleep(0.001)
	PY
}

# model FILE: the lines fakepeer.py should log for FILE sent as DATA:
# line ends CR LF, CR or LF each end a line, a dot starting a line is
# doubled, one "." at the end.
model() {
	python3 - "$1" <<-'PY'
	import re, sys
	data = open(sys.argv[1], "rb").read().decode("latin-1")
	lines = re.split(r"\r\n|\r|\n", data)
	if lines and lines[-1] == "":
	    lines.pop()
	print("EHLO client.example\nMAIL FROM:<a@example.org>\n"
	      "RCPT TO:<bob@example.org>\nDATA")
	for l in lines:
	    print("." + l if l.startswith(".") else l)
	print(".\nQUIT")
	PY
}

HEAD=$'Date: Mon, 1 Jan 2024 00:00:00 +0000\nMessage-ID: <w@example.org>\nFrom: a@example.org\nSubject: wire\n\n'

# The bodies: the name of each case, then its bytes (printf %b).
BODIES=(
	lf-dot-lf 'one\n.\ntwo\n'
	cr-dot-cr 'one\r.\rtwo\r'
	lf-dot-crlf 'one\n.\r\ntwo\r\n'
	crlf-dot-crlf-mid 'one\r\n.\r\ntwo\r\n.\r\n'
	cr-dot-lf 'one\r.\ntwo'
	bare-cr-lf 'a\rb\nc\r\nd\r\re\n\nf'
	lone-dot '.\n'
	lone-dot-noeol '.'
	two-dots '..\n'
	dots '.\n..\n...\n.x\n..x\n'
	no-final-newline 'last line, no line break'
	dot-at-end 'x\n.'
	crcrlf 'a\r\r\nb\r\r\n'
	only-eols '\r\n\n\r\r\n'
)

@test "wire: malformed end-of-data sequences, chunked: CR LF only, dots doubled, one end" {
	local bi name k
	for ((bi = 0; bi < ${#BODIES[@]}; bi += 2)); do
		name=${BODIES[bi]}
		{
			printf '%s' "$HEAD"
			printf '%b' "${BODIES[bi + 1]}"
		} >"$T/$name"
		model "$T/$name" >"$T/$name.want"
		for k in 1 2 3 7; do
			sink
			chunked "$k" "$T/$name" | {
				run --separate-stderr msend \
				    --server "smtp://127.0.0.1:$PEER_PORT" \
				    --tls=off --helo client.example \
				    -f a@example.org bob@example.org
				[ "$status" -eq 0 ] ||
				    fail_run "$name in $k-byte chunks: not sent"
			}
			wait "$SINK_PID" || true
			diff "$T/$name.want" "$PEER_LOG" >&2 ||
			    fail_run "$name in $k-byte chunks: not the wire the model wants"
		done
	done
}

@test "wire: the same bodies through the real postfix arrive as the model says" {
	need_servers
	local bi name tok f d=${MAILDIR_PATTERN/\%u/bob} end
	for ((bi = 0; bi < ${#BODIES[@]}; bi += 2)); do
		name=${BODIES[bi]}
		tok="w$$-$RANDOM-$name"
		{
			printf '%s' "${HEAD/Subject: wire/Subject: $tok}"
			printf '%b' "${BODIES[bi + 1]}"
		} >"$T/$name"
		run --separate-stderr msend \
		    --server "smtp://localhost:$SMTP_PORT" \
		    --ca-file "$MAIL_CA_FILE" -f a@example.org \
		    bob@example.org <"$T/$name"
		[ "$status" -eq 0 ] || fail_run "$name: not sent"
		# The Maildir holds LF lines, dots undone, as the model has
		# them before dot-stuffing.
		python3 - "$T/$name" >"$T/$name.want" <<-'PY'
		import re, sys
		data = open(sys.argv[1], "rb").read().decode("latin-1")
		lines = re.split(r"\r\n|\r|\n", data)
		if lines and lines[-1] == "":
		    lines.pop()
		print("\n".join(lines))
		PY
		end=$((SECONDS + 10))
		f=
		while [ -z "$f" ] && [ "$SECONDS" -le "$end" ]; do
			f=$(grep -lF -- "Subject: $tok" "$d"/new/* 2>/dev/null | head -n 1)
			[ -n "$f" ] || sleep 0.1
		done
		[ -n "$f" ] || fail_run "$name: not delivered"
		# less postfix's trace fields in front
		awk 'b { print; next } /^(Return-Path|X-Original-To|Delivered-To|Received):/ { s = 1; next }
		    s && /^[ \t]/ { next } { b = 1; print }' "$f" >"$T/$name.got"
		diff "$T/$name.want" "$T/$name.got" >&2 ||
		    fail_run "$name: delivered message differs"
	done
}

@test "wire: CR or LF in msend's -s, -f, -F, -H, recipients: 64 before connecting" {
	listener
	local srv=(--server "smtp://127.0.0.1:$LPORT" --tls=off --timeout 2)
	local bad
	for bad in $'\r\n' $'\n' $'\r'; do
		run --separate-stderr msend "${srv[@]}" -s "a${bad}Bcc: e@x" \
		    bob@example.org </dev/null
		[ "$status" -eq 64 ] || fail_run "-s"
		run --separate-stderr msend "${srv[@]}" -f "a@b${bad}RCPT TO:<e@x>" \
		    bob@example.org </dev/null
		[ "$status" -eq 64 ] || fail_run "-f"
		run --separate-stderr msend "${srv[@]}" -F "n${bad}Bcc: e@x" \
		    bob@example.org </dev/null
		[ "$status" -eq 64 ] || fail_run "-F"
		run --separate-stderr msend "${srv[@]}" -H "X-A: b${bad}Bcc: e@x" \
		    bob@example.org </dev/null
		[ "$status" -eq 64 ] || fail_run "-H"
		run --separate-stderr msend "${srv[@]}" "bob@example.org${bad}RCPT TO:<e@x>" \
		    </dev/null
		[ "$status" -eq 64 ] || fail_run "recipient"
		run --separate-stderr msend "${srv[@]}" --helo "h${bad}RSET" \
		    bob@example.org </dev/null
		[ "$status" -eq 64 ] || fail_run "--helo"
		run --separate-stderr msend "${srv[@]}" --user "u${bad}x" \
		    bob@example.org </dev/null
		[ "$status" -eq 64 ] || fail_run "--user"
		MKIT_PASSWORD=x run --separate-stderr msend "${srv[@]}" \
		    --user "u${bad}x" bob@example.org </dev/null
		[ "$status" -eq 64 ] || fail_run "--user with a password"
		# every message is one line
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] || fail_run "not one line"
	done
	quiet
}

@test "wire: msend -t: CR or NUL inside a recipient header never reaches a command line" {
	local bad
	for bad in '\0' '\r' '\r\n\t'; do
		printf "To: bob@example.org${bad}RCPT TO:<e@x>\n\nhi\n" >"$T/msg"
		sink
		run --separate-stderr msend --server "smtp://127.0.0.1:$PEER_PORT" \
		    --tls=off --helo client.example -f a@example.org -t <"$T/msg"
		wait "$SINK_PID" || true
		# The envelope is EHLO, MAIL, one RCPT, DATA: no other line,
		# no control byte in any (the peer script wants just these).
		sed -n '1,/^DATA$/p' "$PEER_LOG" >"$T/envelope"
		grep -Evq '^(EHLO client\.example|MAIL FROM:<a@example\.org>|RCPT TO:<[^<>\\]*>|DATA)$' \
		    "$T/envelope" && { cat "$T/envelope" >&2; fail_run "envelope ($bad)"; }
		[ "$(grep -c '^RCPT' "$T/envelope")" -eq 1 ] || fail_run "RCPTs ($bad)"
		[ "$status" -eq 0 ] || fail_run "not sent ($bad)"
	done
}

@test "wire: an RFC 2047 word that decodes to CR LF in msend -s is encoded" {
	local w
	w='=?UTF-8?B?aGkNCkJjYzogZUB4?='	# "hi\r\nBcc: e@x"
	sink
	printf 'body\n' | {
		run --separate-stderr msend --server "smtp://127.0.0.1:$PEER_PORT" \
		    --tls=off --helo client.example -f a@example.org \
		    -s "$w" bob@example.org
		[ "$status" -eq 0 ] || fail_run "not sent"
	}
	wait "$SINK_PID" || true
	# One RCPT, no Bcc: header, no control byte, one Subject line
	# that does not carry the word as it was (a decoder would give
	# back the CR LF).
	[ "$(grep -c '^RCPT' "$PEER_LOG")" -eq 1 ] || fail_run "RCPT count"
	! grep -qi '^bcc:' "$PEER_LOG" || fail_run "a Bcc: header"
	! grep -q '\\x0[da]' "$PEER_LOG" || fail_run "a raw CR or LF"
	[ "$(grep -c '^Subject:' "$PEER_LOG")" -eq 1 ] || fail_run "Subject count"
	! grep -qF "Subject: $w" "$PEER_LOG" || fail_run "the word as it was"
	grep -q '^Subject: =?UTF-8?[QB]?' "$PEER_LOG" || fail_run "not encoded"
	# decode what was sent: the text given, never a line break
	python3 - "$PEER_LOG" "$w" <<-'PY'
	import email.header, sys
	subj = [l for l in open(sys.argv[1]) if l.startswith("Subject:")][0]
	text = str(email.header.make_header(email.header.decode_header(subj[8:].strip())))
	assert text == sys.argv[2], (text, sys.argv[2])
	PY
}

@test "wire: CR or LF in mimap folder names, criteria, flags: 64 before connecting" {
	listener
	local s=(--server "imap://127.0.0.1:$LPORT" --tls=off --timeout 2)
	local x=$'\r\nA1 DELETE INBOX' args
	local cases=(
		"create|F$x" "delete|F$x" "subscribe|F$x" "unsubscribe|F$x"
		"rename|F$x|G" "rename|F|G$x" "list|F$x" "list|INBOX|--search|ALL$x"
		"search|F$x|ALL" "search|INBOX|SUBJECT|x$x" "fetch|F$x|1"
		"fetch|INBOX|1|--part|1$x" "copy|F$x|1|--to|G" "copy|F|1|--to|G$x"
		"move|F|1|--to|G$x" "flag|F$x|1|+\\Seen" "flag|F|1|+\\Seen$x"
		"unflag|F|1|\\Seen$x" "expunge|F$x" "expunge|F|1$x" "idle|F$x"
		"append|F$x" "append|F|--flags|\\Seen$x"
	)
	MKIT_PASSWORD=x run --separate-stderr mimap "${s[@]}" --user $'u\r\nx' folders
	[ "$status" -eq 64 ] || fail_run "--user"
	run --separate-stderr mimap "${s[@]}" --user $'u\r\nx' folders </dev/null
	[ "$status" -eq 64 ] || fail_run "--user, no password"
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] || fail_run "--user: not one line"
	quiet
	for args in "${cases[@]}"; do
		IFS='|' read -r -d '' -a a <<<"$args" || true
		a[-1]=${a[-1]%$'\n'}
		run --separate-stderr mimap "${s[@]}" "${a[@]}" </dev/null
		[ "$status" -eq 64 ] || fail_run "mimap ${a[*]}: not 64"
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] ||
		    fail_run "mimap ${a[*]}: not one line"
	done
	quiet
}

@test "wire: CR or LF in mpop --user: 64 before connecting, one line" {
	listener
	local s=(--server "pop3://127.0.0.1:$LPORT" --tls=off --timeout 2 --list)
	MKIT_PASSWORD=x run --separate-stderr mpop "${s[@]}" --user $'u\r\nPASS x'
	[ "$status" -eq 64 ] || fail_run "--user with a password: not 64"
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] || fail_run "not one line"
	quiet
	# Without a password, the user name is checked first too.
	run --separate-stderr mpop "${s[@]}" --user $'u\r\nPASS x' </dev/null
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] || fail_run "not one line"
	[ "$status" -eq 64 ] || fail_run "--user without a password: not 64"
	quiet
}

@test "wire: control bytes in mlookup names: 64 (operand) or 65 (stdin) before sending" {
	listener
	local srv="@127.0.0.1#$LPORT" bad
	for bad in $'\r\n' $'\n' $'\r' $'\x01' $'\x7f'; do
		run --separate-stderr mlookup --timeout 1 --retries 0 \
		    "a${bad}b.example." "$srv"
		[ "$status" -eq 64 ] || fail_run "operand: not 64"
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] || fail_run "not one line"
		run --separate-stderr mlookup --timeout 1 --retries 0 \
		    x.example. "a${bad}b.example." "$srv"
		[ "$status" -eq 64 ] || fail_run "second operand: not 64"
	done
	# A NUL from standard input must not cut the name short.
	printf 'a\0b.example.\n' >"$T/in"
	run --separate-stderr mlookup --timeout 1 --retries 0 - "$srv" <"$T/in"
	[ "$status" -eq 65 ] || fail_run "NUL in a batch line: not 65"
	printf 'a\x01b.example.\n' >"$T/in"
	run --separate-stderr mlookup --timeout 1 --retries 0 - "$srv" <"$T/in"
	[ "$status" -eq 65 ] || fail_run "control byte in a batch line: not 65"
	quiet
	# ... while a CR LF line end is fine (and this one does go out).
	printf 'a.example.\r\n' >"$T/in"
	run --separate-stderr mlookup --timeout 1 --retries 0 - "$srv" <"$T/in"
	[ "$status" -eq 75 ] || fail_run "CR LF line: not a timeout"
	grep -q '^udp ' "$LLOG" || fail_run "CR LF line: no query"
}
