#!/usr/bin/env bats
# mimap against the harness's dovecot (tests/servers/mail.sh): every
# command, plain/STARTTLS/IMAPS, failures that must be 77, non-ASCII
# folder names, a 20 MB message in bounded memory, \Seen left alone,
# idle; and a fake peer for what dovecot never does (unsolicited
# EXPUNGE in the middle of a FETCH, no MOVE capability).

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
	need_root "dovecot"
	need_servers
	mkit_isolate
	T=$BATS_TEST_TMPDIR
	# Each test has its own user's view: alice over IMAPS by default.
	mkdir -p "$(dirname "$MKIT_CONFIG")"
	cat >"$MKIT_CONFIG" <<-EOF
	default = alice
	[account alice]
	user = alice
	imap = imaps://localhost:$IMAPS_PORT
	ca-file = $MAIL_CA_FILE
	[account bob]
	user = bob
	imap = imap://localhost:$IMAP_PORT
	ca-file = $MAIL_CA_FILE
	EOF
	chmod 600 "$MKIT_CONFIG"
	export MKIT_PASSWORD=$MAIL_PASS1
	# A folder of its own per test, so tests do not see each other.
	F="t$BATS_TEST_NUMBER-$$"
	mimap create "$F"
}

teardown() {
	[ -z "${MKIT_SERVERS_SKIP:-}" ] || return 0
	[ "$(id -u)" = 0 ] || return 0
	mimap delete "$F" 2>/dev/null || true
	if [ -n "${PEER_PID:-}" ]; then
		kill "$PEER_PID" 2>/dev/null || true
	fi
}

fail_run() {
	printf '%s\nexit status: %s\n--- output\n%s\n' "$1" "$status" \
	    "$output" >&2
	return 1
}

# mkmsg TOKEN: a small CRLF message whose Subject holds TOKEN.
mkmsg() {
	printf '%s\r\n' "From: Alice <alice@example.org>" \
	    "Subject: $1" "Date: Mon, 1 Jan 2024 00:00:00 +0000" "" \
	    "Hello $1." "From the start of a line" "end"
}

@test "mimap: append prints the new UID; list shows it decoded" {
	run mimap append "$F" <<<"$(printf '%s\n' \
	    'From: =?UTF-8?Q?J=C3=B6rg?= <jorg@example.org>' \
	    'Subject: =?UTF-8?B?SMOpbGxv?= world' '' 'body')"
	[ "$status" -eq 0 ] || fail_run "append failed"
	[ "$output" = 1 ] || fail_run "append did not print UID 1"
	run mimap list "$F"
	[ "$status" -eq 0 ] || fail_run "list failed"
	[[ $output == 1$'\t'*$'\tJörg <jorg@example.org>\tHéllo world\t'* ]] ||
	    fail_run "list line not as expected"
	run mimap --json list "$F"
	[[ $output == '{"uid":1,"flags":['*'],"date":"'*'","from":"Jörg <jorg@example.org>","subject":"Héllo world","size":'* ]] ||
	    fail_run "list --json not as expected"
}

@test "mimap: search gives UIDs, exit 1 when nothing matches, UTF-8 as a literal" {
	local i
	for i in 1 2 3; do
		mkmsg "s$i" | mimap append "$F" >/dev/null
	done
	mkmsg "Grüße" | mimap append "$F" >/dev/null
	run mimap search "$F" SUBJECT s2
	[ "$status" -eq 0 ] && [ "$output" = 2 ] || fail_run "SUBJECT s2"
	run mimap search "$F" OR SUBJECT s1 SUBJECT s3
	[ "$output" = $'1\n3' ] || fail_run "OR search"
	run mimap --json search "$F" ALL
	[ "$output" = "[1,2,3,4]" ] || fail_run "search --json"
	run --separate-stderr mimap --trace search "$F" SUBJECT "Grüße"
	[ "$output" = 4 ] || fail_run "UTF-8 search"
	[[ $stderr == *"UID SEARCH CHARSET UTF-8 SUBJECT {7+}"* ]] ||
	    fail_run "no literal for the UTF-8 criterion"
	run mimap search "$F" SUBJECT nothing-like-this
	[ "$status" -eq 1 ] && [ -z "$output" ] || fail_run "no match is not exit 1"
}

@test "mimap: a CR LF in a search argument is refused (64), nothing sent" {
	mkmsg x | mimap append "$F" >/dev/null
	run --separate-stderr mimap --trace search "$F" SUBJECT $'x\r\nA1 DELETE INBOX'
	[ "$status" -eq 64 ] || fail_run "CRLF not refused"
	[[ $stderr == "mimap: search: CR or LF in an argument"* ]] ||
	    fail_run "no one-line reason"
	# Refused before connecting: not one command went out.
	[[ $stderr != *"C: "* ]] || fail_run "something was sent"
	[[ $stderr != *"DELETE"* ]] || fail_run "the injected line went out"
}

@test "mimap: list --limit and --search use one FETCH" {
	local i
	for i in 1 2 3 4 5; do
		mkmsg "l$i" | mimap append "$F" >/dev/null
	done
	run mimap list "$F" --limit 2
	[ "$(cut -f1 <<<"$output" | tr '\n' ' ')" = "4 5 " ] || fail_run "--limit 2"
	run --separate-stderr mimap --trace list "$F" --search "SUBJECT l3"
	[ "$(cut -f1 <<<"$output")" = 3 ] || fail_run "--search"
	[ "$(grep -c '^C: M[0-9]* UID FETCH' <<<"$stderr")" = 1 ] ||
	    fail_run "not one UID FETCH"
}

@test "mimap: fetch is byte-exact, mboxrd for several, and leaves \\Seen alone" {
	mkmsg one | mimap append "$F" >/dev/null
	mkmsg two | mimap append "$F" >/dev/null
	run mimap fetch "$F" 1
	[ "$status" -eq 0 ] || fail_run "fetch failed"
	mimap fetch "$F" 1 >"$T/got"
	mkmsg one >"$T/sent"
	cmp "$T/got" "$T/sent" || fail_run "fetch not byte-exact"
	run mimap fetch "$F" --all
	[ "$(grep -c '^From MAILER-DAEMON ' <<<"$output")" = 2 ] ||
	    fail_run "not two mboxrd messages"
	[ "$(grep -c '^>From the start' <<<"$output")" = 2 ] ||
	    fail_run "From line not quoted"
	run mimap list "$F"
	[[ $output != *'\Seen'* ]] || fail_run "fetch set \\Seen"
	run mimap fetch "$F" --new
	[ "$status" -eq 0 ] || fail_run "fetch --new"
	mimap fetch "$F" 2 --mark-seen >/dev/null
	run mimap list "$F"
	[[ ${lines[1]} == 2$'\t\\Seen'* ]] || fail_run "--mark-seen did not set \\Seen"
	run mimap search "$F" UNSEEN
	[ "$output" = 1 ] || fail_run "UNSEEN"
	run mimap fetch "$F" --headers-only 1
	[[ $output == *"Subject: one"* && $output != *"Hello one"* ]] ||
	    fail_run "--headers-only"
	run mimap fetch "$F" 99
	[ "$status" -eq 1 ] || fail_run "a missing UID is not exit 1"
}

@test "mimap: fetch --part --decode decodes base64" {
	printf '%s\r\n' "From: a@example.org" "Subject: mime" "MIME-Version: 1.0" \
	    'Content-Type: multipart/mixed; boundary="b"' "" "--b" \
	    "Content-Type: text/plain" "" "first" "--b" \
	    "Content-Type: application/octet-stream" \
	    "Content-Transfer-Encoding: base64" "" "aGVsbG8gd29ybGQK" "--b--" |
	    mimap append "$F" >/dev/null
	run mimap fetch "$F" 1 --part 2 --decode
	[ "$status" -eq 0 ] && [ "$output" = "hello world" ] ||
	    fail_run "--part 2 --decode"
	run mimap fetch "$F" 1 --part 2
	[ "$output" = aGVsbG8gd29ybGQK ] || fail_run "--part 2 raw"
}

@test "mimap: fetch --maildir delivers atomically and names the UIDs" {
	mkmsg m1 | mimap append "$F" >/dev/null
	mkmsg m2 | mimap append "$F" >/dev/null
	run mimap fetch "$F" --all --maildir "$T/md"
	[ "$status" -eq 0 ] && [ "$output" = $'1\n2' ] || fail_run "maildir fetch"
	[ "$(find "$T/md/new" -type f | wc -l)" = 2 ] || fail_run "not 2 in new/"
	[ -z "$(ls -A "$T/md/tmp")" ] || fail_run "tmp/ not empty"
	mkmsg m1 >"$T/sent"
	grep -l "Subject: m1" "$T"/md/new/* | xargs cmp "$T/sent" ||
	    fail_run "maildir copy differs"
}

@test "mimap: message text that looks like protocol comes out byte-exact" {
	# Lines a careless reader would take for replies: our own next tags,
	# an untagged EXPUNGE, a continuation.
	printf '%s\r\n' "From: a@example.org" "Subject: tricky" "" \
	    "M3 OK fetched" "M4 OK bye" "A0003 OK done" "* 1 EXPUNGE" "+ " \
	    "+ go ahead" ")" "* BYE" >"$T/sent"
	printf 'no CRLF at the end )' >>"$T/sent"
	mimap append "$F" <"$T/sent" >/dev/null
	mimap fetch "$F" 1 >"$T/got"
	cmp "$T/got" "$T/sent" || fail_run "raw fetch differs"
	mimap --json fetch "$F" 1 >"$T/got.json"
	python3 -c '
import json, sys
m = json.loads(open(sys.argv[1]).read())
assert m["encoding"] == "utf-8", m
sys.stdout.buffer.write(m["message"].encode())' "$T/got.json" >"$T/got" ||
	    fail_run "--json not one object"
	cmp "$T/got" "$T/sent" || fail_run "--json message differs"
}

@test "mimap: fetch --json: one object per message, base64 when not UTF-8" {
	mkmsg "Grüße" | mimap append "$F" --flags flagged >/dev/null
	{
		printf '%s\r\n' "From: b@example.org" "Subject: latin-1" ""
		# (no NUL: dovecot stores it as 0x80)
		printf 'Gr\xfc\xdfe \x80\xff\r\n'
	} >"$T/bin"
	mimap append "$F" <"$T/bin" >/dev/null
	run --separate-stderr mimap --json fetch "$F" 1 2
	[ "$status" -eq 0 ] && [ "${#lines[@]}" -eq 2 ] ||
	    fail_run "not two JSON lines"
	[[ ${lines[0]} == '{"uid":1,"flags":["\\Flagged"'*'],"internaldate":"'*'","size":'[0-9]*',"encoding":"utf-8","message":"From: Alice <alice@example.org>\r\nSubject: Grüße\r\n'* ]] ||
	    fail_run "first object"
	[[ ${lines[1]} == '{"uid":2,"flags":['*'],"internaldate":"'*'","size":'[0-9]*',"encoding":"base64","message":"'* ]] ||
	    fail_run "second object"
	python3 -c '
import base64, json, sys
m = json.loads(sys.argv[1])
assert m["size"] == len(open(sys.argv[2], "rb").read()), m
sys.stdout.buffer.write(base64.b64decode(m["message"]))' "${lines[1]}" "$T/bin" >"$T/got" ||
	    fail_run "bad base64 object"
	cmp "$T/got" "$T/bin" || fail_run "base64 message differs"
	run mimap --json fetch "$F" 2 --headers-only
	[[ $output == *'"encoding":"utf-8","message":"From: b@example.org\r\nSubject: latin-1\r\n\r\n"}' ]] ||
	    fail_run "--headers-only --json"
	run mimap list "$F"
	[[ $output != *'\Seen'* ]] || fail_run "fetch --json set \\Seen"
}

@test "mimap: a 20 MB message is fetched byte-exact in bounded memory" {
	command -v /usr/bin/time >/dev/null || skip "no /usr/bin/time (package time)"
	{
		printf '%s\r\n' "From: big@example.org" "Subject: big" ""
		head -c 15000000 /dev/urandom | base64 -w 76 | sed 's/$/\r/'
	} >"$T/big"
	[ "$(stat -c %s "$T/big")" -gt 20000000 ]
	run mimap append "$F" <"$T/big"
	[ "$status" -eq 0 ] || fail_run "append of 20 MB failed"
	local uid=$output base rss
	# The same binary fetching a tiny message: the baseline (ASan
	# builds have a much larger one, and keep freed memory in a
	# quarantine, which OpenSSL's record buffers would fill).
	mkmsg tiny | mimap append "$F" >/dev/null
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1
	/usr/bin/time -v -o "$T/time0" mimap fetch "$F" 2 >/dev/null
	/usr/bin/time -v -o "$T/time" mimap fetch "$F" "$uid" >"$T/got"
	cmp "$T/got" "$T/big" || fail_run "20 MB message differs"
	base=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$T/time0")
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$T/time")
	echo "# peak RSS ${rss} kB (tiny message: ${base} kB)" >&3
	[ "$rss" -lt $((base + 8000)) ] ||
	    fail_run "peak RSS $rss kB against $base kB: not bounded"
}

@test "mimap: non-ASCII folder names: create, folders, rename, delete" {
	local name="$F.Prüfung €"
	run mimap create "$name"
	[ "$status" -eq 0 ] || fail_run "create failed"
	run mimap folders
	grep -qxF "$name"$'\t.\t0\t0\t\\HasNoChildren' <<<"$output" ||
	    fail_run "folder not listed in UTF-8"
	# On the wire and on disk it is modified UTF-7.
	ls -a "${MAILDIR_PATTERN/\%u/alice}" | grep -qF "$F.Pr&APw-fung &IKw-" ||
	    fail_run "not mUTF-7 on disk"
	run mimap rename "$name" "$F.日本"
	[ "$status" -eq 0 ] || fail_run "rename failed"
	run mimap --json folders
	[[ $output == *'{"name":"'"$F"'.日本","delimiter":".","flags":["\\HasNoChildren"],"messages":0,"unseen":0}'* ]] ||
	    fail_run "renamed folder not in --json"
	run mimap delete "$F.日本"
	[ "$status" -eq 0 ] || fail_run "delete failed"
	run mimap folders
	[[ $output != *"日本"* ]] || fail_run "still there"
}

@test "mimap: folders uses LIST-STATUS when offered: one command" {
	mkmsg a | mimap append "$F" >/dev/null
	mkmsg b | mimap append "$F" >/dev/null
	mimap flag "$F" 1 +seen
	run --separate-stderr mimap --trace folders
	[ "$status" -eq 0 ] || fail_run "folders"
	grep -qxF "$F"$'\t.\t2\t1\t\\HasNoChildren' <<<"$output" ||
	    fail_run "counts of $F not 2 and 1"
	[[ $stderr == *'C: M2 LIST "" "*" RETURN (CHILDREN STATUS (MESSAGES UNSEEN))'* ]] ||
	    fail_run "no LIST-STATUS"
	[[ $stderr != *"C: M3 STATUS"* ]] || fail_run "STATUS sent as well"
}

@test "mimap: folders without LIST-STATUS pipelines STATUS (fake peer)" {
	{
		peer_login ""
		cat <<-'EOF'
		recv
		sendline * LIST (\\HasNoChildren) "." INBOX
		sendline * LIST (\\Noselect \\HasChildren) "." Archive
		sendline * LIST (\\HasNoChildren) "." "Archive.&AOk-t&AOk-"
		sendline M2 OK listed
		recv
		recv
		sendline * STATUS INBOX (MESSAGES 3 UNSEEN 1)
		sendline M3 OK status
		sendline * STATUS "Archive.&AOk-t&AOk-" (MESSAGES 7 UNSEEN 0)
		sendline M4 OK status
		recv
		sendline M5 OK bye
		EOF
	} >"$T/script"
	peer "$T/script"
	run mimap --server "imap://127.0.0.1:$PORT" --tls off folders
	[ "$status" -eq 0 ] || fail_run "folders"
	[ "$output" = $'INBOX\t.\t3\t1\t\\HasNoChildren\nArchive\t.\t-\t-\t\\Noselect \\HasChildren\nArchive.été\t.\t7\t0\t\\HasNoChildren' ] ||
	    fail_run "folders output"
	wait "$PEER_PID" || true
	[ "$(sed -n '4,5p' "$LOG" | tr '\n' '|')" = 'M3 STATUS INBOX (MESSAGES UNSEEN)|M4 STATUS "Archive.&AOk-t&AOk-" (MESSAGES UNSEEN)|' ] || {
		cat "$LOG" >&2
		fail_run "not two pipelined STATUS"
	}
}

@test "mimap: copy and move print old and new UIDs (COPYUID, MOVE)" {
	mimap create "$F.dst"
	mkmsg c1 | mimap append "$F" >/dev/null
	mkmsg c2 | mimap append "$F" >/dev/null
	run mimap copy "$F" 1 --to "$F.dst"
	[ "$status" -eq 0 ] && [ "$output" = $'1\t1' ] || fail_run "copy"
	run --separate-stderr mimap --trace move "$F" 2 --to "$F.dst"
	[ "$status" -eq 0 ] && [ "$output" = $'2\t2' ] || fail_run "move"
	[[ $stderr == *"UID MOVE 2 "* ]] || fail_run "MOVE not used"
	run mimap search "$F" ALL
	[ "$output" = 1 ] || fail_run "moved message still in the source"
	run mimap search "$F.dst" ALL
	[ "$output" = $'1\n2' ] || fail_run "destination"
	run mimap move "$F" 1
	[ "$status" -eq 64 ] || fail_run "move without --to"
	mimap delete "$F.dst"
}

@test "mimap: flag, unflag and expunge of exactly the UIDs given" {
	local i
	for i in 1 2 3; do
		mkmsg "f$i" | mimap append "$F" >/dev/null
	done
	run mimap flag "$F" 1 2 +flagged +seen +Work
	[ "$status" -eq 0 ] || fail_run "flag"
	run mimap search "$F" FLAGGED KEYWORD Work
	[ "$output" = $'1\n2' ] || fail_run "flags not set"
	mimap unflag "$F" 2 flagged
	mimap flag "$F" 1 -- -seen
	run mimap search "$F" FLAGGED
	[ "$output" = 1 ] || fail_run "unflag"
	run mimap search "$F" SEEN
	[ "$output" = 2 ] || fail_run "-seen after --"
	mimap flag "$F" 1 2 3 +deleted
	run mimap --json expunge "$F" 2
	[ "$output" = '{"folder":"'"$F"'","expunged":1}' ] || fail_run "expunge 2"
	run mimap search "$F" ALL
	[ "$output" = $'1\n3' ] || fail_run "UID EXPUNGE took others"
	mimap expunge "$F"
	run mimap search "$F" ALL
	[ "$status" -eq 1 ] || fail_run "EXPUNGE left messages"
	run mimap flag "$F" 1 +no\\such
	[ "$status" -eq 64 ] || fail_run "a bad flag is not 64"
}

@test "mimap: subscribe and unsubscribe" {
	run mimap subscribe "$F"
	[ "$status" -eq 0 ] || fail_run "subscribe"
	grep -qx "$F" "${MAILDIR_PATTERN/\%u/alice}/subscriptions" ||
	    fail_run "not in dovecot's subscriptions"
	run mimap unsubscribe "$F"
	[ "$status" -eq 0 ] || fail_run "unsubscribe"
	! grep -qx "$F" "${MAILDIR_PATTERN/\%u/alice}/subscriptions"
}

@test "mimap: idle prints the UID of mail that arrives; exit 1 on timeout" {
	mkmsg old | mimap append "$F" >/dev/null
	mimap idle "$F" --timeout 10 >"$T/idle.out" 2>"$T/idle.err" &
	local pid=$!
	sleep 1
	mkmsg new | mimap append "$F" >/dev/null
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ] || { cat "$T/idle.err" >&2; false; }
	[ "$(cat "$T/idle.out")" = 2 ] || fail_run "idle printed $(cat "$T/idle.out")"
	SECONDS=0
	run mimap idle "$F" --timeout 1
	[ "$status" -eq 1 ] && [ -z "$output" ] || fail_run "timeout is not exit 1"
	[ "$SECONDS" -lt 5 ] || fail_run "idle --timeout 1 took $SECONDS s"
}

@test "mimap: plain loopback with --tls auto, STARTTLS required, IMAPS" {
	run mimap --server "imap://127.0.0.1:$IMAP_PORT" --user alice \
	    --tls off folders
	[ "$status" -eq 0 ] || fail_run "plain loopback (tls off)"
	run --separate-stderr mimap --trace --server "imap://localhost:$IMAP_PORT" \
	    --user alice --tls auto --ca-file "$MAIL_CA_FILE" folders
	[ "$status" -eq 0 ] || fail_run "tls auto"
	# Default: STARTTLS required, verified with the harness CA.
	run --separate-stderr mimap --trace -a bob --password-file <(echo "$MAIL_PASS2") folders
	[ "$status" -eq 0 ] || fail_run "STARTTLS"
	[[ $stderr == *"C: A002 STARTTLS"* || $stderr == *"STARTTLS"* ]] || fail_run "no STARTTLS"
	[[ $stderr == *"C: M1 CAPABILITY"* ]] || fail_run "no session after STARTTLS"
	[[ $stderr != *"$MAIL_PASS2"* ]] || fail_run "password in the trace"
	[[ $output == "INBOX"$'\t'* ]] || fail_run "bob's INBOX not listed"
	run mimap --server "imaps://localhost:$IMAPS_PORT" --user alice \
	    --ca-file "$MAIL_CA_FILE" folders
	[ "$status" -eq 0 ] || fail_run "IMAPS"
}

@test "mimap: wrong password is 77; unknown CA is 77; no such folder is 69" {
	MKIT_PASSWORD="not $MAIL_PASS1" run mimap folders
	[ "$status" -eq 77 ] || fail_run "auth failure not 77"
	run mimap --server "imaps://localhost:$IMAPS_PORT" --user alice \
	    --ca-file /etc/ssl/certs/ca-certificates.crt folders
	[ "$status" -eq 77 ] || fail_run "bad certificate not 77"
	run mimap --server "imap://localhost:$IMAP_PORT" --user alice \
	    --ca-file /etc/ssl/certs/ca-certificates.crt folders
	[ "$status" -eq 77 ] || fail_run "STARTTLS with a bad certificate not 77"
	run mimap list "$F.nope"
	[ "$status" -eq 69 ] || fail_run "missing folder"
}

# peer SCRIPT: start the fake IMAP peer; sets PORT, PEER_PID, LOG.
peer() {
	LOG=$T/peer.log
	rm -f "$T/peer.port"
	python3 "$MKIT_TOP/tests/peers/fakepeer.py" --tcp --text --port 0 \
	    --script "$1" --log "$LOG" --timeout 20 >"$T/peer.port" &
	PEER_PID=$!
	local n=0
	while [ ! -s "$T/peer.port" ] && [ $n -lt 50 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	PORT=$(head -n 1 "$T/peer.port")
}

# The greeting and libcurl's CAPABILITY, then ours.
peer_login() {
	cat <<-EOF
	sendline * OK fake IMAP ready
	recv
	sendline * CAPABILITY IMAP4rev1 $1
	sendline A001 OK done
	recv
	sendline * CAPABILITY IMAP4rev1 $1
	sendline M1 OK done
	EOF
}

@test "mimap: unsolicited EXISTS and EXPUNGE in the middle of a FETCH (fake peer)" {
	{
		peer_login "UIDPLUS LITERAL+"
		cat <<-'EOF'
		recv
		sendline * 3 EXISTS
		sendline * OK [UIDNEXT 10] next
		sendline M2 OK [READ-ONLY] examined
		recv
		sendline * 1 FETCH (UID 5 INTERNALDATE "01-Jan-2024 00:00:00 +0000" BODY[] {7}
		send 68656c6c6f0d0a290d0a
		sendline * 2 EXPUNGE
		sendline * 4 EXISTS
		sendline * 1 FETCH (FLAGS (\Seen))
		sendline * 2 FETCH (INTERNALDATE "02-Jan-2024 00:00:00 +0000" BODY[] {7}
		send 776f726c640d0a
		send 205549442037290d0a
		sendline M3 OK fetched
		recv
		sendline * BYE bye
		sendline M4 OK out
		EOF
	} >"$T/script"
	peer "$T/script"
	run mimap --server "imap://127.0.0.1:$PORT" --tls off fetch INBOX 5 7
	[ "$status" -eq 0 ] || fail_run "fetch with unsolicited responses"
	[ "$output" = $'From MAILER-DAEMON Mon Jan  1 00:00:00 2024\nhello\r\n\nFrom MAILER-DAEMON Tue Jan  2 00:00:00 2024\nworld\r' ] ||
	    fail_run "output not the two messages"
	grep -q '^M3 UID FETCH 5,7 (UID INTERNALDATE BODY.PEEK\[\])$' "$LOG" ||
	    fail_run "not one UID FETCH with BODY.PEEK"
}

@test "mimap: move without MOVE is COPY, STORE \\Deleted, UID EXPUNGE (fake peer)" {
	{
		peer_login "UIDPLUS"
		cat <<-'EOF'
		recv
		sendline * 2 EXISTS
		sendline M2 OK [READ-WRITE] selected
		recv
		sendline M3 OK [COPYUID 9 5 41] copied
		recv
		sendline M4 OK stored
		recv
		sendline * 1 EXPUNGE
		sendline M5 OK expunged
		recv
		sendline M6 OK out
		EOF
	} >"$T/script"
	peer "$T/script"
	run mimap --server "imap://127.0.0.1:$PORT" --tls off move INBOX 5 --to Archive
	[ "$status" -eq 0 ] && [ "$output" = $'5\t41' ] || fail_run "fallback move"
	grep -qx 'M2 SELECT INBOX' "$LOG" &&
	    grep -qx 'M3 UID COPY 5 "Archive"' "$LOG" &&
	    grep -qx 'M4 UID STORE 5 +FLAGS.SILENT (\\Deleted)' "$LOG" &&
	    grep -qx 'M5 UID EXPUNGE 5' "$LOG" || {
		cat "$LOG" >&2
		fail_run "not COPY + STORE + UID EXPUNGE"
	}
}

@test "mimap: a malformed reply is 76 (fake peer)" {
	{
		peer_login ""
		cat <<-'EOF'
		recv
		sendline * LIST (\\Noselect "/" {99999999999999999999999}
		sendline M2 OK x
		EOF
	} >"$T/script"
	peer "$T/script"
	run mimap --server "imap://127.0.0.1:$PORT" --tls off folders
	[ "$status" -eq 76 ] || fail_run "malformed reply not 76"
}

@test "mimap: a PREAUTH greeting on a plain connection with TLS required is 77, nothing sent (fake peer)" {
	cat >"$T/script" <<-'EOF'
	sendline * PREAUTH fake IMAP, logged in already
	recv
	sendline * CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN
	sendline A001 OK done
	recv
	sendline A002 OK anything
	recv
	EOF
	peer "$T/script"
	MKIT_PASSWORD=not-to-be-sent run mimap --server "imap://127.0.0.1:$PORT" \
	    --user alice --tls required folders
	[ "$status" -eq 77 ] || fail_run "PREAUTH without TLS is not 77"
	wait "$PEER_PID" || true
	# libcurl asks CAPABILITY (it must, to see STARTTLS), then stops.
	[ "$(cat "$LOG")" = "A001 CAPABILITY" ] || {
		cat "$LOG" >&2
		fail_run "more than CAPABILITY was sent"
	}
}

@test "mimap: without LITERAL+ a literal waits for \"+\" (fake peer)" {
	# The server refuses the literal: the message must not follow.
	{
		peer_login "UIDPLUS"
		cat <<-'EOF'
		recv
		sendline M2 NO [TOOBIG] not this one
		recv
		sendline M3 OK bye
		EOF
	} >"$T/script"
	peer "$T/script"
	run mimap --server "imap://127.0.0.1:$PORT" --tls off append INBOX \
	    < <(mkmsg refused)
	[ "$status" -ne 0 ] || fail_run "a refused APPEND is exit 0"
	wait "$PEER_PID" || true
	[[ $(sed -n 3p "$LOG") =~ ^'M2 APPEND INBOX {'[0-9]+'}'$ ]] &&
	    [ "$(sed -n 4p "$LOG")" = "M3 LOGOUT" ] &&
	    [ "$(wc -l <"$LOG")" -eq 4 ] || {
		cat "$LOG" >&2
		fail_run "the literal went out before the \"+\""
	}
	# The server says "+": then the bytes, then the command's end.
	{
		peer_login "UIDPLUS"
		cat <<-'EOF'
		recv
		sendline + go ahead
		recv-until end
		recv
		sendline M2 OK [APPENDUID 7 42] appended
		recv
		sendline M3 OK bye
		EOF
	} >"$T/script"
	: >"$LOG"
	peer "$T/script"
	run --separate-stderr mimap --trace --server "imap://127.0.0.1:$PORT" \
	    --tls off append INBOX < <(mkmsg accepted)
	[ "$status" -eq 0 ] && [ "$output" = 42 ] || fail_run "APPEND after +"
	wait "$PEER_PID" || true
	[[ $(sed -n 3p "$LOG") =~ ^'M2 APPEND INBOX {'[0-9]+'}'$ ]] &&
	    [ "$(sed -n 4p "$LOG")" = "From: Alice <alice@example.org>" ] &&
	    [ "$(sed -n 10p "$LOG")" = "end" ] &&
	    [ "$(sed -n 11p "$LOG")" = "" ] || {
		cat "$LOG" >&2
		fail_run "not APPEND {n}, the message, CRLF"
	}
	[[ $stderr == *'C: M2 APPEND INBOX {'[0-9]*'}'*'S: + go ahead'* ]] ||
	    fail_run "the trace does not show the wait for +"
}

@test "mimap: idle without IDLE polls with NOOP; exit 1 on timeout (fake peer)" {
	{
		peer_login "UIDPLUS"
		cat <<-'EOF'
		recv
		sendline * 1 EXISTS
		sendline * OK [UIDNEXT 6] next
		sendline M2 OK [READ-ONLY] examined
		recv
		sendline M3 OK nothing
		recv
		sendline M4 OK nothing
		recv
		sendline * 2 EXISTS
		sendline M5 OK new mail
		recv
		sendline * SEARCH 6
		sendline M6 OK searched
		recv
		sendline M7 OK bye
		EOF
	} >"$T/script"
	peer "$T/script"
	run mimap --server "imap://127.0.0.1:$PORT" --tls off idle INBOX --timeout 20
	[ "$status" -eq 0 ] && [ "$output" = 6 ] || fail_run "NOOP polling"
	wait "$PEER_PID" || true
	[ "$(sed -n '4,7p' "$LOG" | tr '\n' '|')" = \
	    "M3 NOOP|M4 NOOP|M5 NOOP|M6 UID SEARCH UID 6:*|" ] || {
		cat "$LOG" >&2
		fail_run "not NOOP, NOOP, NOOP, UID SEARCH"
	}
	! grep -q IDLE "$LOG" || fail_run "IDLE sent without the capability"
	# No new mail: every NOOP answered, then the timeout.
	{
		peer_login "UIDPLUS"
		printf '%s\n' recv "sendline * 1 EXISTS" \
		    "sendline M2 OK [READ-ONLY] examined"
		for i in 3 4 5 6 7 8 9 10 11 12; do
			printf '%s\n' recv "sendline M$i OK nothing"
		done
	} >"$T/script"
	: >"$LOG"
	peer "$T/script"
	run mimap --server "imap://127.0.0.1:$PORT" --tls off idle INBOX --timeout 2
	[ "$status" -eq 1 ] && [ -z "$output" ] || fail_run "timeout is not exit 1"
	wait "$PEER_PID" || true
	[ "$(grep -c NOOP "$LOG")" -ge 2 ] || fail_run "fewer than 2 NOOPs in 2 s"
	! grep -q 'IDLE\|SEARCH' "$LOG" || fail_run "IDLE or SEARCH sent"
}

# fetch_peer CAPS: login, then EXAMINE with one message; the FETCH reply
# follows from stdin (up to the tagged M3 reply), then LOGOUT.
fetch_peer() {
	peer_login "$1"
	cat <<-'EOF'
	recv
	sendline * 1 EXISTS
	sendline M2 OK [READ-ONLY] examined
	recv
	EOF
	cat
	printf '%s\n' recv "sendline M4 OK bye"
}

@test "mimap: --timeout is per message after the first: a slow but steady server is no failure (fake peer)" {
	# Each message of the FETCH sent after 0.9 s: the three take 2.7 s,
	# more than --timeout 2, but none takes it alone.
	local n msg
	{
		fetch_peer "UIDPLUS LITERAL+" <<-EOF
		$(for n in 1 2 3; do
			msg=$(printf 'Subject: %s\r\n\r\nbody %s\r\n' "$n" "$n" |
			    od -An -tx1 | tr -d ' \n')
			printf 'stall 0.9\nsendline * %s FETCH (UID %s BODY[] {%s}\nsend %s\nsendline )\n' \
			    "$n" "$n" $((${#msg} / 2)) "$msg"
		done)
		sendline M3 OK fetched
		EOF
	} >"$T/script"
	peer "$T/script"
	run --separate-stderr mimap --server "imap://127.0.0.1:$PORT" \
	    --tls off --timeout 2 fetch INBOX 1 2 3
	[ "$status" -eq 0 ] || fail_run "exit status"
	[ "$(tr -d '\r' <<<"$output" | grep -c '^body [123]$')" -eq 3 ] ||
	    fail_run "3 messages"
	wait "$PEER_PID" || true
}

@test "mimap: fetch --part --decode of a part sent as a quoted string (fake peer)" {
	# The MIME header is a literal (it holds CR LF), the part quoted,
	# in either order.
	local mime
	mime=$(printf 'Content-Transfer-Encoding: base64\r\n\r\n' | od -An -tx1 | tr -d ' \n')
	fetch_peer "" >"$T/script" <<-EOF
	sendline * 1 FETCH (UID 5 BODY[2.MIME] {37}
	send $mime
	sendline  BODY[2] "aGVsbG8gd29ybGQK")
	sendline M3 OK fetched
	EOF
	peer "$T/script"
	run mimap --server "imap://127.0.0.1:$PORT" --tls off fetch INBOX 5 --part 2 --decode
	[ "$status" -eq 0 ] && [ "$output" = "hello world" ] ||
	    fail_run "quoted part after its MIME header"
	wait "$PEER_PID" || true
	fetch_peer "" >"$T/script" <<-EOF
	sendline * 1 FETCH (UID 5 BODY[2] "aGVsbG8gd29ybGQK" BODY[2.MIME] {37}
	send $mime
	sendline )
	sendline M3 OK fetched
	EOF
	peer "$T/script"
	run mimap --server "imap://127.0.0.1:$PORT" --tls off fetch INBOX 5 --part 2 --decode
	[ "$status" -eq 0 ] && [ "$output" = "hello world" ] ||
	    fail_run "quoted part before its MIME header"
	wait "$PEER_PID" || true
	# A part that streams before its MIME header cannot be decoded: say so.
	fetch_peer "" >"$T/script" <<-EOF
	sendline * 1 FETCH (UID 5 BODY[2] {16}
	send $(printf aGVsbG8gd29ybGQK | od -An -tx1 | tr -d ' \n')
	sendline  BODY[2.MIME] {37}
	send $mime
	sendline )
	sendline M3 OK fetched
	EOF
	peer "$T/script"
	run mimap --server "imap://127.0.0.1:$PORT" --tls off fetch INBOX 5 --part 2 --decode
	[ "$status" -eq 76 ] || fail_run "an undecodable order is not 76"
}

@test "mimap: literals {0}, {4294967295} and 20 digits (fake peer)" {
	# Under a 400 MB address-space limit, an allocation of the claimed
	# size would fail (exit 70), so 76 means none was tried.  ASan
	# builds reserve terabytes of address space: no limit there.
	local lim="ulimit -v 400000;"
	! ldd "$(command -v mimap)" | grep -q libasan || lim=""
	{
		peer_login "LIST-STATUS"
		cat <<-'EOF'
		recv
		sendline * LIST (\\HasNoChildren) "." {4294967295}
		send 41424344
		stall 3
		EOF
	} >"$T/script"
	peer "$T/script"
	run bash -c "$lim mimap --server imap://127.0.0.1:$PORT --tls off folders"
	[ "$status" -eq 76 ] || fail_run "a 4 GB folder name is not 76"
	kill "$PEER_PID" 2>/dev/null || true
	fetch_peer "" >"$T/script" <<-'EOF'
	sendline * 1 FETCH (UID 5 BODY[] {18446744073709551615}
	send 41424344
	stall 3
	EOF
	peer "$T/script"
	run --separate-stderr bash -c "$lim mimap --server imap://127.0.0.1:$PORT --tls off fetch INBOX 5"
	[ "$status" -eq 76 ] && [ -z "$output" ] || fail_run "a 20-digit literal is not 76"
	kill "$PEER_PID" 2>/dev/null || true
	# A body may be that large: it streams (into tmp/, never delivered)
	# until the server goes away mid-literal.
	fetch_peer "" >"$T/script" <<-'EOF'
	sendline * 1 FETCH (UID 5 BODY[] {4294967295}
	send 41424344
	close
	EOF
	peer "$T/script"
	run bash -c "$lim mimap --server imap://127.0.0.1:$PORT --tls off fetch INBOX 5 --maildir $T/md"
	[ "$status" -eq 75 ] || fail_run "a lost connection mid-literal is not 75"
	[ -z "$(ls -A "$T/md/new")" ] || fail_run "a cut message was delivered"
	# {0} is an empty string, here and as the message itself.
	fetch_peer "" >"$T/script" <<-'EOF'
	sendline * 1 FETCH (UID 5 FLAGS (\\Seen) BODY[] {0}
	sendline  INTERNALDATE {0}
	sendline )
	sendline M3 OK fetched
	EOF
	peer "$T/script"
	run mimap --server "imap://127.0.0.1:$PORT" --tls off --json fetch INBOX 5
	[ "$status" -eq 0 ] || fail_run "{0} literals"
	[ "$output" = '{"uid":5,"flags":["\\Seen"],"internaldate":"","encoding":"utf-8","message":""}' ] ||
	    fail_run "{0} literals not empty strings"
}

@test "mimap: fetch --maildir names files itself: no server or folder name reaches the path" {
	# dovecot refuses "../" in names; the fake peer is the server that
	# says anything, the folder name is the user's.
	fetch_peer "" >"$T/script" <<-'EOF'
	sendline * 1 FETCH (UID 5 BODY[] {9}
	send 2e2e2f657363617065
	sendline )
	sendline M3 OK fetched
	EOF
	peer "$T/script"
	mkdir -p "$T/a"
	run mimap --server "imap://127.0.0.1:$PORT" --tls off fetch "../../x" 5 \
	    --maildir "$T/a/md"
	[ "$status" -eq 0 ] && [ "$output" = 5 ] || fail_run "fetch into a Maildir"
	wait "$PEER_PID" || true
	grep -qxF 'M2 EXAMINE "../../x"' "$LOG" || fail_run "folder not quoted"
	# One file, in new/, named by lib/maildir (time.MusecPpidQn.host).
	[ "$(find "$T" -newer "$T/script" -type f ! -path "$T/peer.*" | wc -l)" -eq 1 ] ||
	    fail_run "files outside the Maildir"
	find "$T/a/md/new" -type f | grep -qE '/new/[0-9]+\.M[0-9]+P[0-9]+Q[0-9]+\.[^/]+$' ||
	    fail_run "not a Maildir name"
}
