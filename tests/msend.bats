#!/usr/bin/env bats
# msend against the harness's real postfix (tests/servers/mail.sh):
# plain SMTP with STARTTLS, submission with STARTTLS and AUTH, SMTPS;
# delivered messages are read back from the Maildirs postfix writes.
# --mx asks the harness's resolver (tests/servers/dns.sh), whose
# example.net. names route mail to that postfix.
# The fake peer (tests/peers/fakepeer.py) stands in only for what
# postfix will not do: show the raw DATA bytes, strip STARTTLS.

# shellcheck disable=SC2154 # status, output, stderr: set by run
bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	servers_start dns mail
}

teardown_file() {
	servers_stop
}

setup() {
	mkit_isolate
	T=$BATS_TEST_TMPDIR
	mkdir -p "$HOME/.config/mkit"
	: >"$MKIT_CONFIG"
}

teardown() {
	local p
	for p in "$T"/*.fpid; do
		[ -f "$p" ] || continue
		kill "$(cat "$p")" 2>/dev/null || true
	done
}

# token: a string unique to this test, to find its message by.
token() {
	echo "m$BATS_SUITE_TEST_NUMBER-$$-$RANDOM"
}

# smtp_url PORT [SCHEME]: the harness's server by its certificate name.
smtp_url() {
	echo "${2:-smtp}://localhost:$1"
}

# wait_mail USER TOKEN: print the Maildir file of USER holding TOKEN,
# polling for up to 10 s (postfix delivers asynchronously).
wait_mail() {
	local d=${MAILDIR_PATTERN/\%u/$1} f end=$((SECONDS + 10))
	while [ "$SECONDS" -le "$end" ]; do
		f=$(grep -lF -- "$2" "$d"/new/* 2>/dev/null | head -n 1)
		if [ -n "$f" ]; then
			echo "$f"
			return 0
		fi
		sleep 0.1
	done
	echo "no message with $2 for $1 after 10 s" >&2
	return 1
}

# no_mail USER TOKEN: after a second, still no message holds TOKEN.
no_mail() {
	local d=${MAILDIR_PATTERN/\%u/$1}
	sleep 1
	! grep -lqF -- "$2" "$d"/new/* 2>/dev/null
}

# strip_trace FILE: the message less the trace fields postfix put in
# front (Return-Path, X-Original-To, Delivered-To, Received).
strip_trace() {
	awk 'body { print; next }
	    /^(Return-Path|X-Original-To|Delivered-To|Received):/ { skip = 1; next }
	    skip && /^[ \t]/ { next }
	    { body = 1; print }' "$1"
}

# lf FILE: FILE with its line ends made LF, and one after the last line
# (SMTP cannot carry a message whose last line is open).
lf() {
	awk '{ sub(/\r$/, ""); print }' "$1"
}

# same_mail GOT SENT: GOT, less the trace fields, is SENT as lf makes
# it (the Maildir stores LF).
same_mail() {
	if ! cmp -s <(strip_trace "$1") <(lf "$2"); then
		echo "delivered message differs from the one sent:" >&2
		diff <(lf "$2") <(strip_trace "$1") >&2
		return 1
	fi
}

# mkmsg FILE TOKEN [TO]: a message with Date and Message-ID (so msend
# adds nothing), a lone-dot line, lines starting with dots, no final
# line break, with CRLF line ends.
mkmsg() {
	printf '%s\r\n' "From: Alice <alice@example.org>" \
	    "To: <${3:-bob@example.org}>" "Subject: msend $2" \
	    "Date: Mon, 1 Jan 2024 00:00:00 +0000" \
	    "Message-ID: <$2@example.org>" "" "Hello $2." "." ".." \
	    "..two dots" ".one dot" >"$1"
	printf 'last line, no line break' >>"$1"
}

# account NAME KEY=VALUE...: write an accounts file with one account.
account() {
	local a=$1 kv
	shift
	{
		echo "[account $a]"
		for kv in "$@"; do
			echo "${kv%%=*} = ${kv#*=}"
		done
	} >"$MKIT_CONFIG"
	chmod 600 "$MKIT_CONFIG"
}

# fakepeer NAME SCRIPT-LINES...: start the fake SMTP peer with that
# script; sets PEER_PORT, logs to $T/NAME.log.
fakepeer() {
	local name=$1 n
	shift
	printf '%s\n' "$@" >"$T/$name.script"
	python3 "$MKIT_TOP/tests/peers/fakepeer.py" --tcp --text --port 0 \
	    --script "$T/$name.script" --log "$T/$name.log" --timeout 20 \
	    --pidfile "$T/$name.fpid" >"$T/$name.port" 2>"$T/$name.err" &
	for n in $(seq 50); do
		[ -s "$T/$name.port" ] && break
		sleep 0.1
	done
	PEER_PORT=$(head -n 1 "$T/$name.port")
	[ -n "$PEER_PORT" ] || { cat "$T/$name.err" >&2; return 1; }
}

@test "msend: plain SMTP port, --tls=auto: delivered byte for byte" {
	need_servers
	local tok f
	tok=$(token)
	mkmsg "$T/sent" "$tok"
	run --separate-stderr msend --server "$(smtp_url "$SMTP_PORT")" \
	    --tls=auto --ca-file "$MAIL_CA_FILE" bob@example.org <"$T/sent"
	[ "$status" -eq 0 ] || fail_run "send failed"
	[ -z "$output" ] || fail_run "stdout not empty"
	f=$(wait_mail bob "$tok")
	same_mail "$f" "$T/sent"
	# STARTTLS was offered, so auto used it.
	grep -q "with ESMTPS" "$f"
}

@test "msend: plain SMTP port, TLS required by default for --server" {
	need_servers
	local tok f
	tok=$(token)
	mkmsg "$T/sent" "$tok"
	run --separate-stderr msend --server "$(smtp_url "$SMTP_PORT")" \
	    --ca-file "$MAIL_CA_FILE" bob@example.org <"$T/sent"
	[ "$status" -eq 0 ] || fail_run "send failed"
	f=$(wait_mail bob "$tok")
	grep -q "with ESMTPS" "$f"
	same_mail "$f" "$T/sent"
}

@test "msend: bare-LF input: lone dot and dot lines survive" {
	need_servers
	local tok f
	tok=$(token)
	mkmsg "$T/crlf" "$tok"
	tr -d '\r' <"$T/crlf" >"$T/sent"
	run --separate-stderr msend --server "$(smtp_url "$SMTP_PORT")" \
	    --ca-file "$MAIL_CA_FILE" bob@example.org <"$T/sent"
	[ "$status" -eq 0 ] || fail_run "send failed"
	f=$(wait_mail bob "$tok")
	same_mail "$f" "$T/sent"
	grep -qx '\.\.two dots' "$f"
	grep -qx '\.' "$f"
}

@test "msend: submission with STARTTLS and AUTH, password from --password-file" {
	need_servers
	local tok f
	tok=$(token)
	mkmsg "$T/sent" "$tok" bob@example.net
	printf '%s\n' "$MAIL_PASS1" >"$T/pw"
	chmod 600 "$T/pw"
	run --separate-stderr msend --server "$(smtp_url "$SUBMISSION_PORT")" \
	    --ca-file "$MAIL_CA_FILE" --user alice --password-file "$T/pw" \
	    bob@example.net <"$T/sent"
	[ "$status" -eq 0 ] || fail_run "send failed"
	f=$(wait_mail bob "$tok")
	same_mail "$f" "$T/sent"
	grep -q "Authenticated sender: alice" "$f" ||
	    grep -q "sasl_username=alice" "$MAIL_LOG"
}

@test "msend: submission, password from MKIT_PASSWORD" {
	need_servers
	local tok
	tok=$(token)
	mkmsg "$T/sent" "$tok"
	MKIT_PASSWORD=$MAIL_PASS1 run --separate-stderr msend \
	    --server "$(smtp_url "$SUBMISSION_PORT")" --ca-file "$MAIL_CA_FILE" \
	    --user alice bob@example.org <"$T/sent"
	[ "$status" -eq 0 ] || fail_run "send failed"
	wait_mail bob "$tok" >/dev/null
}

@test "msend: submission through the accounts file (-a), from its from" {
	need_servers
	local tok f
	tok=$(token)
	account work "smtp=$(smtp_url "$SUBMISSION_PORT")" user=alice \
	    "password=$MAIL_PASS1" "ca-file=$MAIL_CA_FILE" \
	    "from=Alice <alice@example.org>"
	printf 'Subject: %s\n\nno from, no date\n' "$tok" >"$T/sent"
	run --separate-stderr msend -a work bob@example.org <"$T/sent"
	[ "$status" -eq 0 ] || fail_run "send failed"
	f=$(wait_mail bob "$tok")
	grep -q '^Return-Path: <alice@example.org>' "$f"
	# Date, Message-ID and From were added; the rest is as sent.
	grep -q '^Date: ' "$f"
	grep -q '^Message-ID: <[a-z0-9]*@example.org>' "$f"
	grep -q '^From: alice@example.org' "$f"
	strip_trace "$f" | tail -n 2 | cmp -s - <(printf '\nno from, no date\n')
}

@test "msend: SMTPS with --ca-file" {
	need_servers
	local tok f
	tok=$(token)
	mkmsg "$T/sent" "$tok"
	MKIT_PASSWORD=$MAIL_PASS2 run --separate-stderr msend \
	    --server "$(smtp_url "$SMTPS_PORT" smtps)" --ca-file "$MAIL_CA_FILE" \
	    --user bob -f bob@example.org bob@example.org <"$T/sent"
	[ "$status" -eq 0 ] || fail_run "send failed"
	f=$(wait_mail bob "$tok")
	same_mail "$f" "$T/sent"
	grep -q '^Return-Path: <bob@example.org>' "$f"
}

@test "msend: -t reads To, Cc, Bcc and removes Bcc" {
	need_servers
	local tok fb fa
	tok=$(token)
	printf '%s\n' "From: alice@example.org" "To: Bob <bob@example.org>" \
	    "Bcc: alice@example.org" "Subject: $tok" "" "secret copy" >"$T/sent"
	run --separate-stderr msend -t --server "$(smtp_url "$SMTP_PORT")" \
	    --ca-file "$MAIL_CA_FILE" <"$T/sent"
	[ "$status" -eq 0 ] || fail_run "send failed"
	fb=$(wait_mail bob "$tok")
	fa=$(wait_mail alice "$tok")
	! grep -qi '^Bcc:' "$fb" "$fa"
	# Removed by msend itself, not only by postfix: see the dry run.
	run --separate-stderr msend -t --dry-run <"$T/sent"
	[ "$status" -eq 0 ] || fail_run "dry run failed"
	[[ $output == *"RCPT TO:<bob@example.org>"*"RCPT TO:<alice@example.org>"* ]] ||
	    fail_run "envelope lacks the -t recipients"
	[[ $output != *"Bcc:"* ]] || fail_run "Bcc left in the message"
}

@test "msend: sendmail mode, as cron calls it" {
	need_servers
	local tok f
	tok=$(token)
	ln -s "$(command -v msend)" "$T/sendmail"
	account local "smtp=$(smtp_url "$SMTP_PORT")" tls=auto \
	    "ca-file=$MAIL_CA_FILE"
	printf '%s\n' "From: root (Cron Daemon)" "To: bob@example.org" \
	    "Subject: Cron <root@host> echo $tok" \
	    "MIME-Version: 1.0" "Content-Type: text/plain; charset=UTF-8" \
	    "Content-Transfer-Encoding: 8bit" "" "caf$(printf '\303\251') $tok" \
	    >"$T/sent"
	run --separate-stderr "$T/sendmail" -i -FCronDaemon -B8BITMIME -oem \
	    bob@example.org <"$T/sent"
	[ "$status" -eq 0 ] || fail_run "sendmail mode failed"
	f=$(wait_mail bob "Cron <root@host> echo $tok")
	grep -q "^caf$(printf '\303\251') $tok\$" "$f"
	# The other spellings: separate values, -t, -f, -odi, -oi, -bm.
	run --separate-stderr "$T/sendmail" -oi -odi -bm -t -f root@example.org \
	    -F "Cron Daemon" -B 8BITMIME <"$T/sent"
	[ "$status" -eq 0 ] || fail_run "sendmail -t failed"
	run --separate-stderr "$T/sendmail" -bp
	[ "$status" -eq 64 ] || fail_run "-bp not refused"
}

@test "msend: 8-bit body goes with BODY=8BITMIME, bytes intact" {
	need_servers
	local tok f
	tok=$(token)
	printf 'From: alice@example.org\nSubject: %s\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nMessage-ID: <%s@x>\n\n%s\n' \
	    "$tok" "$tok" "Grüße, ½ € and \377 raw" >"$T/sent"
	run --separate-stderr msend --trace --server "$(smtp_url "$SMTP_PORT")" \
	    --ca-file "$MAIL_CA_FILE" bob@example.org <"$T/sent"
	[ "$status" -eq 0 ] || fail_run "send failed"
	[[ $stderr == *"C: MAIL FROM:<alice@example.org> BODY=8BITMIME"* ]] ||
	    fail_run "no BODY=8BITMIME"
	f=$(wait_mail bob "$tok")
	same_mail "$f" "$T/sent"
}

@test "msend: a rejected recipient is exit 67, the others get it" {
	need_servers
	local tok
	tok=$(token)
	mkmsg "$T/sent" "$tok"
	run --separate-stderr msend --server "$(smtp_url "$SMTP_PORT")" \
	    --ca-file "$MAIL_CA_FILE" bob@example.org nobody@example.org \
	    alice@example.org <"$T/sent"
	[ "$status" -eq 67 ] || fail_run "not exit 67"
	[[ $stderr == "msend: nobody@example.org: rejected: 550 5.1.1 "* ]] ||
	    fail_run "the rejected recipient is not named"
	[ "$(wc -l <<<"$stderr")" -eq 1 ] || fail_run "more than one line"
	wait_mail bob "$tok" >/dev/null
	wait_mail alice "$tok" >/dev/null
}

@test "msend: every recipient rejected is exit 67, nothing delivered" {
	need_servers
	local tok
	tok=$(token)
	mkmsg "$T/sent" "$tok"
	run --separate-stderr msend --trace --server "$(smtp_url "$SMTP_PORT")" \
	    --ca-file "$MAIL_CA_FILE" nobody@example.org <"$T/sent"
	[ "$status" -eq 67 ] || fail_run "not exit 67"
	# postfix offers CHUNKING: the data went with BDAT in the same
	# write as the RCPT, and the server refused it.
	[[ $stderr == *"C: BDAT "*"S: 550 5.1.1 "*"S: 554 5.5.1 "* ]] ||
	    fail_run "BDAT not refused"
	[[ $stderr != *"queued as"* ]] || fail_run "queued anyway"
}

@test "msend: lock-step, every recipient rejected: no DATA, no data" {
	fakepeer rej "sendline 220 fake ESMTP" "recv" "sendline 250 fake" \
	    "recv" "sendline 250 2.1.0 Ok" "recv" "sendline 550 5.1.1 no" \
	    "recv" "sendline 550 5.1.1 no" "recv" "sendline 221 bye"
	mkmsg "$T/sent" "$(token)"
	run --separate-stderr msend --server "smtp://127.0.0.1:$PEER_PORT" \
	    --tls=off --helo client.example a@example.org b@example.org <"$T/sent"
	[ "$status" -eq 67 ] || fail_run "not exit 67"
	diff - "$T/rej.log" <<-'EOF'
	EHLO client.example
	MAIL FROM:<alice@example.org>
	RCPT TO:<a@example.org>
	RCPT TO:<b@example.org>
	QUIT
	EOF
}

@test "msend: --json gives per-recipient results" {
	need_servers
	local tok
	tok=$(token)
	mkmsg "$T/sent" "$tok"
	run --separate-stderr msend --json --server "$(smtp_url "$SMTP_PORT")" \
	    --ca-file "$MAIL_CA_FILE" bob@example.org nobody@example.org <"$T/sent"
	[ "$status" -eq 67 ] || fail_run "not exit 67"
	[ -z "$stderr" ] || fail_run "stderr not empty with --json"
	python3 - "$output" <<-'PY' || fail_run "bad JSON"
	import json, sys
	o = json.loads(sys.argv[1])
	assert o["message"] == 1 and o["status"] == "partial" and o["exit"] == 67, o
	r = {x["recipient"]: x for x in o["recipients"]}
	assert r["bob@example.org"]["status"] == "accepted", r
	assert r["bob@example.org"]["code"] == 250, r
	assert r["nobody@example.org"]["status"] == "rejected", r
	assert r["nobody@example.org"]["code"] == 550, r
	assert r["nobody@example.org"]["reply"].startswith("550 5.1.1 "), r
	# DATA: "Ok: queued as X"; BDAT: "Ok: N bytes queued as X".
	assert o["code"] == 250 and o["reply"].startswith("250 2.0.0 Ok: "), o
	assert " queued as " in o["reply"], o
	PY
}

@test "msend: wrong password is exit 77" {
	need_servers
	mkmsg "$T/sent" "$(token)"
	MKIT_PASSWORD="not $MAIL_PASS1" run --separate-stderr msend \
	    --server "$(smtp_url "$SUBMISSION_PORT")" --ca-file "$MAIL_CA_FILE" \
	    --user alice bob@example.org <"$T/sent"
	[ "$status" -eq 77 ] || fail_run "not exit 77"
	[[ $stderr != *"$MAIL_PASS1"* ]] || fail_run "password in the message"
}

@test "msend: an untrusted certificate is exit 77, trusted with --ca-file" {
	need_servers
	local tok
	tok=$(token)
	mkmsg "$T/sent" "$tok"
	MKIT_PASSWORD=$MAIL_PASS2 run --separate-stderr msend \
	    --server "$(smtp_url "$SMTPS_PORT" smtps)" --user bob \
	    bob@example.org <"$T/sent"
	[ "$status" -eq 77 ] || fail_run "SMTPS: not exit 77"
	run --separate-stderr msend --server "$(smtp_url "$SMTP_PORT")" \
	    bob@example.org <"$T/sent"
	[ "$status" -eq 77 ] || fail_run "STARTTLS: not exit 77"
	no_mail bob "$tok"
}

@test "msend: server down is exit 75" {
	local port
	port=$(free_port)
	mkmsg "$T/sent" "$(token)"
	run --separate-stderr msend --server "smtp://127.0.0.1:$port" \
	    --tls=off bob@example.org <"$T/sent"
	[ "$status" -eq 75 ] || fail_run "not exit 75"
	[[ $stderr == "msend: smtp://127.0.0.1:$port"*": "* ]] ||
	    fail_run "no 'msend: URL: reason' line"
}

@test "msend: STARTTLS stripped by the peer: exit 77, no AUTH, no MAIL" {
	fakepeer strip "sendline 220 fake ESMTP" "recv" \
	    "sendline 250-fake" "sendline 250-PIPELINING" \
	    "sendline 250 AUTH PLAIN LOGIN" "recv" "sendline 221 bye" "recv"
	mkmsg "$T/sent" "$(token)"
	MKIT_PASSWORD=secret run --separate-stderr msend \
	    --server "smtp://127.0.0.1:$PEER_PORT" --user alice \
	    bob@example.org <"$T/sent"
	[ "$status" -eq 77 ] || fail_run "not exit 77"
	grep -q '^EHLO ' "$T/strip.log" || fail_run "peer saw no EHLO"
	! grep -Eiq '^(AUTH|MAIL|RCPT|DATA)' "$T/strip.log" ||
	    { cat "$T/strip.log" >&2; fail_run "sent past EHLO in clear"; }
	! grep -q secret "$T/strip.log"
}

@test "msend: the DATA bytes on the wire: CRLF, dots doubled, one end" {
	fakepeer wire "sendline 220 fake ESMTP" "recv" \
	    "sendline 250-fake" "sendline 250 8BITMIME" \
	    "recv" "sendline 250 2.1.0 Ok" "recv" "sendline 250 2.1.5 Ok" \
	    "recv" "sendline 354 go ahead" "recv-until ." \
	    "sendline 250 2.0.0 Ok" "recv" "sendline 221 bye"
	printf 'Date: x\nMessage-ID: <a@b>\nFrom: a@example.org\n\nl1\n.\n..b\r\nc\rd\n.e' >"$T/sent"
	run --separate-stderr msend --server "smtp://127.0.0.1:$PEER_PORT" \
	    --tls=off --helo client.example bob@example.org <"$T/sent"
	[ "$status" -eq 0 ] || fail_run "send failed"
	# Every line arrived with CR LF (a bare LF or CR would show as
	# \x0a or \x0d), each leading dot doubled, one "." at the end.
	diff - "$T/wire.log" <<-'EOF'
	EHLO client.example
	MAIL FROM:<a@example.org>
	RCPT TO:<bob@example.org>
	DATA
	Date: x
	Message-ID: <a@b>
	From: a@example.org

	l1
	..
	...b
	c
	d
	..e
	.
	QUIT
	EOF
}

@test "msend: BDAT bytes on the wire: CRLF, no dot-stuffing, exact size" {
	fakepeer bdat "sendline 220 fake ESMTP" "recv" \
	    "sendline 250-fake" "sendline 250-PIPELINING" \
	    "sendline 250 CHUNKING" "recv-until QUIT" \
	    "sendline 250 2.1.0 Ok" "sendline 250 2.1.5 Ok" \
	    "sendline 250 2.0.0 Ok" "sendline 221 bye"
	printf 'Date: x\nMessage-ID: <a@b>\nFrom: a@example.org\n\nl1\n.\n..b\r\nc\rd\n.e' >"$T/sent"
	run --separate-stderr msend --server "smtp://127.0.0.1:$PEER_PORT" \
	    --tls=off --helo client.example bob@example.org <"$T/sent"
	[ "$status" -eq 0 ] || fail_run "send failed"
	# 53 bytes of text and 10 CR LF: dots as they are (BDAT has no
	# end-of-data line to protect), the open last line ended.
	diff - "$T/bdat.log" <<-'EOF'
	EHLO client.example
	MAIL FROM:<a@example.org>
	RCPT TO:<bob@example.org>
	BDAT 73 LAST
	Date: x
	Message-ID: <a@b>
	From: a@example.org

	l1
	.
	..b
	c
	d
	.e
	QUIT
	EOF
}

# grouppeer NAME CAPS: a peer that offers the EHLO keywords CAPS (comma
# separated), waits half a second after its EHLO reply, writes the first
# read of what the client then sent to $T/NAME.first and hangs up; sets
# PEER_PORT.  A client that waits for each reply sends only MAIL by
# then; one that pipelines, the whole group.
grouppeer() {
	cat >"$T/$1.py" <<-'PY'
	import socket, sys, time
	caps, first, portfile = sys.argv[1], sys.argv[2], sys.argv[3]
	s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	s.bind(("127.0.0.1", 0)); s.listen(1)
	open(portfile, "w").write("%d\n" % s.getsockname()[1])
	s.settimeout(20)
	c = s.accept()[0]
	c.settimeout(10)
	c.sendall(b"220 fake ESMTP\r\n")
	buf = b""
	while b"\n" not in buf:
	    buf += c.recv(4096)
	lines = ["fake"] + [k for k in caps.split(",") if k]
	c.sendall("".join("250%s%s\r\n" % ("-" if i + 1 < len(lines) else " ", l)
	    for i, l in enumerate(lines)).encode())
	time.sleep(0.5)
	open(first, "wb").write(c.recv(65536))
	c.close()
	PY
	python3 "$T/$1.py" "$2" "$T/$1.first" "$T/$1.port" 3>&- &
	echo $! >"$T/$1.fpid"
	for _ in $(seq 50); do
		[ -s "$T/$1.port" ] && break
		sleep 0.1
	done
	PEER_PORT=$(cat "$T/$1.port")
	[ -n "$PEER_PORT" ]
}

# group_send NAME: msend one message to the grouppeer NAME (under strace
# into $T/NAME.st when strace is there: the writes it made).
group_send() {
	local st=()
	if command -v strace >/dev/null; then
		st=(strace -f -qq -e trace=sendto,write -s 4096 -o "$T/$1.st")
	fi
	printf 'From: a@example.org\nDate: x\nMessage-ID: <g@x>\n\nbody\n' >"$T/in"
	run --separate-stderr "${st[@]}" "$MKIT_BIN/msend" \
	    --server "smtp://127.0.0.1:$PEER_PORT" --tls=off --timeout 5 \
	    -f a@example.org b@example.org c@example.org <"$T/in"
	for _ in $(seq 50); do
		[ -e "$T/$1.first" ] && break
		sleep 0.1
	done
}

@test "msend: PIPELINING: the command group goes in one write, else lock-step" {
	local g='MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<c@example.org>\r\n'
	local d='From: a@example.org\r\nDate: x\r\nMessage-ID: <g@x>\r\n\r\nbody\r\n'
	# PIPELINING and CHUNKING: the whole transaction, QUIT included.
	grouppeer pc PIPELINING,CHUNKING
	group_send pc
	[ "$(cat "$T/pc.first")" = "$(printf "${g}BDAT 57 LAST\r\n${d}QUIT\r\n")" ] ||
	    { cat "$T/pc.first" >&2; fail_run "not one group (BDAT)"; }
	# PIPELINING alone: MAIL, RCPTs and DATA, then the wait for 354.
	grouppeer p PIPELINING
	group_send p
	[ "$(cat "$T/p.first")" = "$(printf "${g}DATA\r\n")" ] ||
	    { cat "$T/p.first" >&2; fail_run "not one group (DATA)"; }
	# Neither: MAIL alone, then the wait for its reply.
	grouppeer n CHUNKING
	group_send n
	[ "$(cat "$T/n.first")" = "$(printf 'MAIL FROM:<a@example.org>\r\n')" ] ||
	    { cat "$T/n.first" >&2; fail_run "pipelined without PIPELINING"; }
	if ! command -v strace >/dev/null; then
		skip "strace not installed: the single write is not checked"
	fi
	# One sendto() holds the group (libcurl sends with send(2)).
	grep -q 'sendto(.*"MAIL FROM:<a@example.org>\\r\\nRCPT TO:<b@example.org>\\r\\nRCPT TO:<c@example.org>\\r\\nBDAT 57 LAST\\r\\nFrom: a@example.org\\r\\nDate: x\\r\\nMessage-ID: <g@x>\\r\\n\\r\\nbody\\r\\nQUIT\\r\\n"' \
	    "$T/pc.st" || { cat "$T/pc.st" >&2; fail_run "BDAT group not one write"; }
	grep -q 'sendto(.*"MAIL FROM:<a@example.org>\\r\\nRCPT TO:<b@example.org>\\r\\nRCPT TO:<c@example.org>\\r\\nDATA\\r\\n"' \
	    "$T/p.st" || { cat "$T/p.st" >&2; fail_run "DATA group not one write"; }
}

@test "msend: -s builds a text/plain message, RFC 2047 subject" {
	need_servers
	local tok f
	tok=$(token)
	printf 'Grüße %s\nline two\n' "$tok" >"$T/body"
	run --separate-stderr msend -s "Schöne $tok" -F "Jörg Z" \
	    -f alice@example.org -H "X-Mkit: yes" \
	    --server "$(smtp_url "$SMTP_PORT")" --ca-file "$MAIL_CA_FILE" \
	    bob@example.org <"$T/body"
	[ "$status" -eq 0 ] || fail_run "send failed"
	f=$(wait_mail bob "line two")
	grep -q '^Subject: =?UTF-8?' "$f"
	grep -q '^From: =?UTF-8?[BQ]?[^ ]*?= Z <alice@example.org>$' "$f"
	grep -q '^To: bob@example.org$' "$f"
	grep -q '^MIME-Version: 1.0$' "$f"
	grep -q '^Content-Type: text/plain; charset=utf-8$' "$f"
	grep -q '^Content-Transfer-Encoding: quoted-printable$' "$f"
	grep -q '^X-Mkit: yes$' "$f"
	grep -q "^Gr=C3=BC=C3=9Fe $tok\$" "$f"
	grep -q '^Date: ' "$f" && grep -q '^Message-ID: <' "$f"
}

@test "msend: CR or LF in -s, -f, -F, -H or a recipient is exit 64" {
	run --separate-stderr msend --dry-run -s $'hi\r\nBcc: e@x' bob@example.org </dev/null
	[ "$status" -eq 64 ] || fail_run "-s"
	[[ $stderr == "msend: -s: CR or LF"* ]] || fail_run "-s message"
	run --separate-stderr msend --dry-run -f $'a@b\nRCPT TO:<e@x>' bob@example.org </dev/null
	[ "$status" -eq 64 ] || fail_run "-f"
	run --separate-stderr msend --dry-run -F $'n\nBcc: e@x' bob@example.org </dev/null
	[ "$status" -eq 64 ] || fail_run "-F"
	run --separate-stderr msend --dry-run -H $'X-A: b\nBcc: e@x' bob@example.org </dev/null
	[ "$status" -eq 64 ] || fail_run "-H"
	run --separate-stderr msend --dry-run $'bob@example.org\r\nRCPT TO:<e@x>' </dev/null
	[ "$status" -eq 64 ] || fail_run "recipient"
	[ -z "$output" ] || fail_run "something printed"
}

@test "msend: --dry-run prints envelope and message, contacts nobody" {
	local port
	port=$(free_port)
	printf 'Subject: dry\n\nbody\n.\n' >"$T/sent"
	run --separate-stderr msend --dry-run --server "smtp://127.0.0.1:$port" \
	    -f alice@example.org bob@example.org carol@example.org <"$T/sent"
	[ "$status" -eq 0 ] || fail_run "dry run failed"
	[ "${lines[0]}" = "MAIL FROM:<alice@example.org>" ] || fail_run "MAIL"
	[ "${lines[1]}" = "RCPT TO:<bob@example.org>" ] || fail_run "RCPT 1"
	[ "${lines[2]}" = "RCPT TO:<carol@example.org>" ] || fail_run "RCPT 2"
	[ "${lines[3]}" = "Subject: dry" ] || fail_run "message"
	[[ $output == *$'\nDate: '*$'\nMessage-ID: <'*"@example.org>"$'\n\nbody\n.' ]] ||
	    fail_run "Date/Message-ID not added, or body changed"
	# No recipient at all: exit 65.
	run --separate-stderr msend --dry-run <"$T/sent"
	[ "$status" -eq 65 ] || fail_run "no recipients: not 65"
}

@test "msend: --trace shows C:/S: lines and hides the AUTH payload" {
	need_servers
	mkmsg "$T/sent" "$(token)"
	MKIT_PASSWORD=$MAIL_PASS1 run --separate-stderr msend --trace \
	    --server "$(smtp_url "$SUBMISSION_PORT")" --ca-file "$MAIL_CA_FILE" \
	    --user alice bob@example.org <"$T/sent"
	[ "$status" -eq 0 ] || fail_run "send failed"
	[[ $stderr == *"S: 220 "*"C: EHLO "*"C: STARTTLS"* ]] || fail_run "no C:/S:"
	[[ $stderr == *"C: AUTH PLAIN"* ]] || fail_run "no AUTH line"
	[[ $stderr == *"C: RCPT TO:<bob@example.org>"*"S: 250 2.0.0 Ok: "*"queued as"* ]] ||
	    fail_run "no transaction"
	[[ $stderr == *"C: ****"* || $stderr == *"C: AUTH PLAIN ****"* ]] ||
	    fail_run "no redacted payload"
	local b64
	b64=$(printf '\0alice\0%s' "$MAIL_PASS1" | base64 -w0)
	[[ $stderr != *"$b64"* && $stderr != *"$MAIL_PASS1"* ]] ||
	    fail_run "credentials in the trace"
}

@test "msend: --mbox sends every message over one connection" {
	need_servers
	local tok i
	tok=$(token)
	for i in 1 2 3 4 5; do
		printf 'From alice@example.org Mon Jan  1 00:00:00 2024\n'
		printf 'From: alice@example.org\nSubject: %s n%s\n\n' "$tok" "$i"
		printf 'body %s\n>From the mboxrd quoting\n\n' "$i"
	done >"$T/box"
	run --separate-stderr msend --trace --mbox "$T/box" \
	    --server "$(smtp_url "$SMTP_PORT")" --ca-file "$MAIL_CA_FILE" \
	    bob@example.org
	[ "$status" -eq 0 ] || fail_run "mbox send failed"
	[ "$(grep -c '^\* Connected to' <<<"$stderr")" -eq 1 ] ||
	    fail_run "not one connection"
	[ "$(grep -c '^C: MAIL FROM' <<<"$stderr")" -eq 5 ] ||
	    fail_run "not five transactions"
	for i in 1 2 3 4 5; do
		f=$(wait_mail bob "$tok n$i")
		grep -qx "body $i" "$f"
		grep -qx "From the mboxrd quoting" "$f"
	done
	# A rejected recipient in one message: RSET, the rest go on.
	run --separate-stderr msend --trace --mbox "$T/box" \
	    --server "$(smtp_url "$SMTP_PORT")" --ca-file "$MAIL_CA_FILE" \
	    nobody@example.org
	[ "$status" -eq 67 ] || fail_run "not 67"
	[ "$(grep -c '^C: RSET' <<<"$stderr")" -eq 4 ] || fail_run "no RSET between"
}

# check_box DIR WANT: python3: wait (up to 120 s) until every message
# of DIR/want/* (named USER.TOKEN) has reached USER's Maildir, then
# compare each, less postfix's trace fields, byte for byte.
check_box() {
	python3 - "$1" "$MAILDIR_PATTERN" <<-'PY'
	import os, re, sys, time
	d, pat = sys.argv[1], sys.argv[2]
	want = {}
	for n in os.listdir(d + "/want"):
	    user, tok = n.split(".", 1)
	    want[tok] = (user, open(d + "/want/" + n, "rb").read())
	got, end = {}, time.time() + 120
	while len(got) < len(want) and time.time() < end:
	    for user in {u for u, _ in want.values()}:
	        nd = pat.replace("%u", user) + "/new"
	        for f in os.listdir(nd):
	            b = open(nd + "/" + f, "rb").read()
	            m = re.search(rb"Message-ID: <([^>]+)@example.org>", b)
	            if m and m.group(1).decode() in want:
	                got[(m.group(1).decode(), user)] = b
	        time.sleep(0.2)
	trace = re.compile(rb"^(Return-Path|X-Original-To|Delivered-To|Received):")
	bad = 0
	for tok, (user, sent) in want.items():
	    b = got.get((tok, user))
	    if b is None:
	        print("missing:", tok, user); bad += 1; continue
	    lines, out, skip = b.split(b"\n"), [], True
	    for i, l in enumerate(lines):
	        if skip and trace.match(l):
	            continue
	        if skip and l[:1] in (b" ", b"\t") and out == []:
	            continue
	        skip = False
	        out.append(l)
	    if b"\n".join(out) != sent:
	        print("differs:", tok, user); bad += 1
	print("%d of %d delivered byte for byte" % (len(want) - bad, len(want)))
	sys.exit(bad != 0)
	PY
}

@test "msend: --mbox, 1,000 messages over one connection, all byte for byte" {
	need_servers
	local tok
	tok=$(token)
	mkdir "$T/want"
	python3 - "$T" "$tok" <<-'PY'
	import sys
	t, tok = sys.argv[1], sys.argv[2]
	with open(t + "/box", "wb") as box:
	    for i in range(1, 1001):
	        m = ("From: alice@example.org\nTo: bob@example.org\n"
	            "Subject: %s n%d\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n"
	            "Message-ID: <%s.%d@example.org>\n\nline %d\n.\n..\n"
	            ".dot %d\n" % (tok, i, tok, i, i, i)).encode()
	        box.write(b"From alice@example.org Mon Jan  1 00:00:00 2024\n")
	        box.write(m + b"\n")
	        open("%s/want/bob.%s.%d" % (t, tok, i), "wb").write(m)
	PY
	run --separate-stderr msend --trace --mbox "$T/box" \
	    --server "$(smtp_url "$SMTP_PORT")" --ca-file "$MAIL_CA_FILE" \
	    bob@example.org
	[ "$status" -eq 0 ] || fail_run "mbox send failed"
	[ "$(grep -c '^\* Connected to' <<<"$stderr")" -eq 1 ] ||
	    fail_run "not one connection"
	[ "$(grep -c '^C: BDAT [0-9]* LAST$' <<<"$stderr")" -eq 1000 ] ||
	    fail_run "not 1,000 BDAT transactions"
	[ "$(grep -c '^S: 250 2.0.0 Ok: .*queued as' <<<"$stderr")" -eq 1000 ] ||
	    fail_run "not 1,000 queued"
	check_box "$T"
}

@test "msend: --mbox -t, one recipient rejected in one message, all in another" {
	need_servers
	local tok
	tok=$(token)
	mkdir "$T/want"
	# Message 2 has one bad recipient, message 4 only bad ones.
	python3 - "$T" "$tok" <<-'PY'
	import sys
	t, tok = sys.argv[1], sys.argv[2]
	to = {1: ["bob"], 2: ["bob", "nobody"], 3: ["alice"],
	    4: ["nobody", "nobody2"], 5: ["bob", "alice"]}
	with open(t + "/box", "wb") as box:
	    for i in range(1, 6):
	        m = ("From: alice@example.org\nTo: %s\nSubject: %s n%d\n"
	            "Date: Mon, 1 Jan 2024 00:00:00 +0000\n"
	            "Message-ID: <%s.%d@example.org>\n\n.\nbody %d\n" % (
	            ", ".join(u + "@example.org" for u in to[i]), tok, i,
	            tok, i, i)).encode()
	        box.write(b"From alice@example.org Mon Jan  1 00:00:00 2024\n")
	        box.write(m + b"\n")
	        for u in to[i]:
	            if not u.startswith("nobody"):
	                open("%s/want/%s.%s.%d" % (t, u, tok, i), "wb").write(m)
	PY
	run --separate-stderr msend -t --json --trace --mbox "$T/box" \
	    --server "$(smtp_url "$SMTP_PORT")" --ca-file "$MAIL_CA_FILE"
	[ "$status" -eq 67 ] || fail_run "not exit 67"
	python3 - "$output" <<-'PY' || fail_run "bad JSON"
	import json, sys
	o = [json.loads(l) for l in sys.argv[1].splitlines()]
	assert [x["message"] for x in o] == [1, 2, 3, 4, 5], o
	assert [x["exit"] for x in o] == [0, 67, 0, 67, 0], o
	assert [x["status"] for x in o][1:4:2] == ["partial", "failed"], o
	st = [[(r["recipient"].split("@")[0], r["status"], r["code"])
	    for r in x["recipients"]] for x in o]
	assert st[1] == [("bob", "accepted", 250), ("nobody", "rejected", 550)], st
	assert st[3] == [("nobody", "rejected", 550), ("nobody2", "rejected", 550)], st
	assert st[4] == [("bob", "accepted", 250), ("alice", "accepted", 250)], st
	for i in (0, 1, 2, 4):
	    assert o[i]["code"] == 250 and " queued as " in o[i]["reply"], o[i]
	PY
	# Message 4: refused at BDAT, then RSET; after message 2 too.
	[ "$(grep -c '^S: 554 5.5.1 ' <<<"$stderr")" -eq 1 ] || fail_run "no 554"
	[ "$(grep -c '^C: RSET' <<<"$stderr")" -eq 2 ] || fail_run "not two RSETs"
	[ "$(grep -c 'queued as' <<<"$stderr")" -eq 4 ] || fail_run "not 4 queued"
	check_box "$T"
}

@test "msend: --file, repeated, over one connection" {
	need_servers
	local tok
	tok=$(token)
	mkmsg "$T/a" "$tok-a"
	mkmsg "$T/b" "$tok-b"
	run --separate-stderr msend --trace --file "$T/a" --file "$T/b" \
	    --server "$(smtp_url "$SMTP_PORT")" --ca-file "$MAIL_CA_FILE" \
	    bob@example.org
	[ "$status" -eq 0 ] || fail_run "send failed"
	[ "$(grep -c '^\* Connected to' <<<"$stderr")" -eq 1 ] ||
	    fail_run "not one connection"
	same_mail "$(wait_mail bob "$tok-a")" "$T/a"
	same_mail "$(wait_mail bob "$tok-b")" "$T/b"
	run --separate-stderr msend --file "$T/none" bob@example.org
	[ "$status" -eq 66 ] || fail_run "missing file: not 66"
}

# mx ARGS...: msend --mx through the harness's resolver to its postfix.
mx() {
	msend --mx --dns-server "$DNS_RESOLVER_ADDR#$DNS_RESOLVER_PORT" \
	    --mx-port "$SMTP_PORT" "$@"
}

@test "msend: --mx: the first MX is dead, the next one takes it" {
	need_servers
	local tok f
	tok=$(token)
	mkmsg "$T/sent" "$tok" bob@example.net
	run --separate-stderr mx --trace --json bob@example.net <"$T/sent"
	[ "$status" -eq 0 ] || fail_run "--mx send failed"
	# Preference order: 5 dead.example.net, then 10 mail.example.org.
	[[ $stderr == *"* MX of example.net: 5 dead.example.net [127.0.0.3], 10 mail.example.org [127.0.0.1]"* ]] ||
	    fail_run "no MX list in the trace"
	[[ $stderr == *"* MX host dead.example.net [127.0.0.3]"*"Connection refused"*"* MX host mail.example.org [127.0.0.1]"*"C: RCPT TO:<bob@example.net>"* ]] ||
	    fail_run "not the dead host first, then the next"
	python3 - "$output" <<-'PY' || fail_run "bad JSON"
	import json, sys
	o = json.loads(sys.argv[1])
	assert o["status"] == "sent" and o["exit"] == 0, o
	r = o["recipients"][0]
	assert r["recipient"] == "bob@example.net" and r["status"] == "accepted", r
	assert r["host"] == "mail.example.org", r
	PY
	f=$(wait_mail bob "$tok")
	same_mail "$f" "$T/sent"
	# Opportunistic STARTTLS: offered, so used.
	grep -q "with ESMTPS" "$f"
}

@test "msend: --mx: no MX is the domain's address; domains go one by one" {
	need_servers
	local tok f
	tok=$(token)
	mkmsg "$T/sent" "$tok"
	run --separate-stderr mx --trace --json bob@nomx.example.net \
	    bob@example.org <"$T/sent"
	# nomx.example.net's own address is the harness's postfix, which
	# relays for nobody: its refusal proves where msend went.
	[ "$status" -eq 67 ] || fail_run "not exit 67"
	python3 - "$output" <<-'PY' || fail_run "bad JSON"
	import json, sys
	o = json.loads(sys.argv[1])
	assert o["status"] == "partial" and o["exit"] == 67, o
	r = {x["recipient"]: x for x in o["recipients"]}
	n = r["bob@nomx.example.net"]
	assert n["status"] == "rejected" and n["host"] == "nomx.example.net", n
	assert "Relay access denied" in n["reply"], n
	b = r["bob@example.org"]
	assert b["status"] == "accepted" and b["host"] == "mail.example.org", b
	PY
	[[ $stderr == *"* MX of nomx.example.net: none, so the domain itself: 0 nomx.example.net [127.0.0.1]"* ]] ||
	    fail_run "no fallback to the address"
	# One transaction per domain, over the one connection to 127.0.0.1.
	[ "$(grep -c '^C: MAIL FROM' <<<"$stderr")" -eq 2 ] ||
	    fail_run "not two transactions"
	[ "$(grep -c '^\* Connected to' <<<"$stderr")" -eq 1 ] ||
	    fail_run "not one connection"
	f=$(wait_mail bob "$tok")
	same_mail "$f" "$T/sent"
}

@test "msend: --mx: null MX, no such domain, no address: rejected, no connection" {
	need_servers
	local tok
	tok=$(token)
	mkmsg "$T/sent" "$tok"
	run --separate-stderr mx --trace bob@nullmx.example.net <"$T/sent"
	[ "$status" -eq 67 ] || fail_run "null MX: not exit 67"
	[[ $stderr == *"msend: bob@nullmx.example.net: rejected: 556 5.1.10 "* ]] ||
	    fail_run "null MX not reported"
	[[ $stderr != *"Trying"* ]] || fail_run "connected despite a null MX"
	run --separate-stderr mx bob@nosuch.example.net bob@noaddr.example.net \
	    <"$T/sent"
	[ "$status" -eq 67 ] || fail_run "NXDOMAIN: not exit 67"
	[[ $stderr == *"bob@nosuch.example.net: rejected: 550 5.1.2 nosuch.example.net: no such domain"* ]] ||
	    fail_run "NXDOMAIN not reported"
	[[ $stderr == *"bob@noaddr.example.net: rejected: 550 5.1.2 "* ]] ||
	    fail_run "no address not reported"
	no_mail bob "$tok"
}

@test "msend: --mx: the resolver down is exit 75" {
	local port
	port=$(free_port)
	mkmsg "$T/sent" "$(token)"
	run --separate-stderr msend --mx --dns-server "127.0.0.1#$port" \
	    bob@example.net <"$T/sent"
	[ "$status" -eq 75 ] || fail_run "not exit 75"
	[[ $stderr == "msend: bob@example.net: deferred: 451 4.4.3 MX of example.net: "* ]] ||
	    fail_run "no deferred line"
}

@test "msend: --mx --tls=required: an MX without STARTTLS gets nothing (77)" {
	fakepeer nostarttls "sendline 220 fake ESMTP" "recv" \
	    "sendline 250-fake" "sendline 250 PIPELINING" "recv" \
	    "sendline 221 bye" "recv"
	mkmsg "$T/sent" "$(token)"
	# An address literal: no DNS at all.
	run --separate-stderr msend --mx --tls=required --mx-port "$PEER_PORT" \
	    'bob@[127.0.0.1]' <"$T/sent"
	[ "$status" -eq 77 ] || fail_run "not exit 77"
	grep -q '^EHLO ' "$T/nostarttls.log" || fail_run "peer saw no EHLO"
	! grep -Eiq '^(MAIL|RCPT|DATA)' "$T/nostarttls.log" ||
	    fail_run "mail sent without TLS"
}

@test "msend: --mx refuses --server and AUTH; --dns-server needs --mx" {
	run --separate-stderr msend --mx --server smtp://127.0.0.1:1 \
	    bob@example.org </dev/null
	[ "$status" -eq 64 ] || fail_run "--mx --server: not 64"
	run --separate-stderr msend --mx --user alice bob@example.org </dev/null
	[ "$status" -eq 64 ] || fail_run "--mx --user: not 64"
	run --separate-stderr msend --dns-server 127.0.0.1 bob@example.org </dev/null
	[ "$status" -eq 64 ] || fail_run "--dns-server alone: not 64"
	run --separate-stderr msend --mx --mx-port 0 bob@example.org </dev/null
	[ "$status" -eq 64 ] || fail_run "--mx-port 0: not 64"
}
