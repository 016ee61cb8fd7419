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
	[[ $stderr == *"C: M2 EXAMINE"* ]] || fail_run "no trace"
	[[ $stderr != *"UID SEARCH"* ]] || fail_run "the SEARCH went out"
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
