#!/usr/bin/env bats
# Hardening, promise 4 of mkit(7): when TLS is required, not one byte of
# credentials or mail leaves before a verified handshake, and anything
# the server sent before the handshake is discarded.
#
# Fake peers (tests/peers/fakepeer.py; its "starttls" action does the
# server side of the handshake and logs "-- tls --") play what a man in
# the middle would: STARTTLS stripped (not offered), STARTTLS refused
# after it was offered, a reply injected after the STARTTLS "ready" in
# the same write (CVE-2021-22947: libcurl 7.88 must not take it as the
# answer to a command sent over TLS) or in a write of its own (it then
# reaches the TLS layer and breaks the handshake), and an IMAP PREAUTH
# greeting on a plain connection.  msend, mpop and mimap with TLS
# required either refuse (77 for no TLS, 76 for the injected reply) or,
# where the injection is harmless, stay in step with the script; in no
# case does a credential byte appear in the peer's transcript before
# "-- tls --".  The first test shows the transcript check catches the
# credentials when TLS is off on purpose.  The peers use a throwaway CA
# made here (no root needed); msend's own stripping test is in
# msend.bats, mimap's PREAUTH with STARTTLS offered in mimap.bats.

# shellcheck disable=SC2154 # status, output, stderr: set by run
bats_require_minimum_version 1.5.0

load helpers

PW='Tls-canary-9q!z'

setup_file() {
	local d=$BATS_FILE_TMPDIR/tls
	mkdir -p "$d"
	# A CA and a server certificate for localhost and 127.0.0.1 (EC
	# keys: quick to make).
	if ! (
		set -e
		cd "$d"
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		    -nodes -days 2 -keyout ca.key -out ca.crt \
		    -subj "/O=mkit tests/CN=mkit tls test CA" \
		    -addext "basicConstraints=critical,CA:TRUE" \
		    -addext "keyUsage=critical,keyCertSign,cRLSign"
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		    -nodes -keyout server.key -out server.csr \
		    -subj "/O=mkit tests/CN=localhost"
		printf '%s\n' "basicConstraints=critical,CA:FALSE" \
		    "keyUsage=critical,digitalSignature" \
		    "extendedKeyUsage=serverAuth" \
		    "subjectAltName=DNS:localhost,IP:127.0.0.1" >server.ext
		openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key \
		    -CAcreateserial -days 2 -extfile server.ext -out server.crt
	) >"$d/openssl.log" 2>&1; then
		export TLS_SKIP="openssl cannot make a test certificate: $(tail -n 1 "$d/openssl.log")"
	fi
	export TLS_CA=$d/ca.crt TLS_CERT=$d/server.crt TLS_KEY=$d/server.key
}

setup() {
	[ -z "${TLS_SKIP:-}" ] || skip "$TLS_SKIP"
	mkit_isolate
	T=$BATS_TEST_TMPDIR
	NPEER=0
	PEER_PIDS=()
	STARTTLS="starttls $TLS_CERT $TLS_KEY"
	printf 'From: a@example.org\nTo: b@example.org\nSubject: tls\n\nMAILBODY-7c1\n' >"$T/msg"
}

teardown() {
	kill_all "${PEER_PIDS[@]}"
}

# fail_run MSG: print MSG, what the last run saw and the last transcript.
fail_run() {
	printf '%s\nexit status: %s\n--- stdout\n%s\n--- stderr\n%s\n' \
	    "$1" "$status" "$output" "${stderr:-}" >&2
	[ -z "${PEER_LOG:-}" ] || { echo "--- transcript" >&2; cat "$PEER_LOG" >&2; }
	return 1
}

# peer SCRIPT-LINES...: fakepeer.py over TCP text with these actions;
# sets PEER_PORT, PEER_PID, PEER_LOG.
peer() {
	local d="$T/peer$((++NPEER))"
	printf '%s\n' "$@" >"$d.script"
	"$MKIT_TOP/tests/peers/fakepeer.py" --tcp --text --port 0 \
	    --script "$d.script" --log "$d.log" --timeout 20 \
	    >"$d.port" 2>"$d.err" 3>&- &
	PEER_PID=$!
	PEER_PIDS+=("$PEER_PID")
	PEER_LOG=$d.log
	: >"$PEER_LOG"
	for _ in $(seq 100); do
		[ -s "$d.port" ] && break
		sleep 0.05
	done
	PEER_PORT=$(head -n 1 "$d.port")
	[ -n "$PEER_PORT" ] || { cat "$d.err" >&2; return 1; }
}

# peer_done: wait for the peer to finish its transcript (it ends when
# the client closes; its --timeout bounds the wait).
peer_done() {
	wait "$PEER_PID" 2>/dev/null || true
}

# needles: what counts as a credential byte on the wire: the password,
# the base64 of the password at each of the three alignments (so it is
# found inside any base64 blob, AUTH PLAIN or LOGIN), the user's LOGIN
# blob; and the body of the mail.
needles() {
	python3 - "$PW" <<'PY'
import base64, sys
pw = sys.argv[1].encode()
print(pw.decode())
for k in range(3):
    # The characters that only the password's bits decide.
    s = base64.b64encode(b"\0" * k + pw).decode()
    print(s[-(-8 * k // 6):(8 * (k + len(pw))) // 6])
print(base64.b64encode(b"alice").decode())
print("MAILBODY-7c1")
PY
}

# clear_before_tls LOG: nothing of the credentials or the mail in LOG
# before its first "-- tls --" line (all of it if there is none): no
# needle, no command that carries them.
clear_before_tls() {
	local before n
	before=$(sed '/^-- tls --$/,$d' "$1")
	while IFS= read -r n; do
		[ -n "$n" ] || continue
		if grep -qF -- "$n" <<<"$before"; then
			echo "before TLS: '$n' found in the transcript" >&2
			return 1
		fi
	done < <(needles)
	if grep -Eiq '^([A-Za-z0-9]+ )?(AUTH|AUTHENTICATE|LOGIN|USER|PASS|APOP|MAIL|RCPT|DATA|APPEND|BDAT)( |$)' <<<"$before"; then
		echo "before TLS: a command that carries credentials or mail:" >&2
		grep -Ei '^([A-Za-z0-9]+ )?(AUTH|AUTHENTICATE|LOGIN|USER|PASS|APOP|MAIL|RCPT|DATA|APPEND|BDAT)( |$)' <<<"$before" >&2
		return 1
	fi
}

# The tools against the last peer, TLS required unless told otherwise.
run_msend() {
	MKIT_PASSWORD=$PW run --separate-stderr msend \
	    --server "smtp://127.0.0.1:$PEER_PORT" --ca-file "$TLS_CA" \
	    --user alice -f a@example.org "$@" b@example.org <"$T/msg"
	peer_done
}

run_mpop() {
	MKIT_PASSWORD=$PW run --separate-stderr mpop \
	    --server "pop3://127.0.0.1:$PEER_PORT" --ca-file "$TLS_CA" \
	    --user alice "$@"
	peer_done
}

run_mimap() {
	MKIT_PASSWORD=$PW run --separate-stderr mimap \
	    --server "imap://127.0.0.1:$PEER_PORT" --ca-file "$TLS_CA" \
	    --user alice "$@"
	peer_done
}

# one_line: stderr is one line.
one_line() {
	[ -n "$stderr" ] && [ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] ||
	    fail_run "not one line on stderr"
}

# Dialogues after the handshake, as each tool has them with TLS: login,
# the work, the goodbye.
SMTP_AFTER=(recv 'sendline 250-fake\r\n250 AUTH PLAIN' recv 'sendline 334'
    recv 'sendline 235 2.7.0 ok' recv 'sendline 250 ok' recv
    'sendline 250 ok' recv 'sendline 354 go' 'recv-until .'
    'sendline 250 ok' recv 'sendline 221 bye')
POP3_AFTER=(recv 'sendline +OK\r\nUSER\r\nUIDL\r\n.' recv 'sendline +OK'
    recv 'sendline +OK logged in' recv 'sendline +OK 0 messages\r\n.'
    recv 'sendline +OK\r\n.' recv 'sendline +OK bye')
IMAP_AFTER=(recv 'sendline * CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA003 OK done'
    recv 'sendline +' recv 'sendline A004 OK logged in'
    recv 'sendline * CAPABILITY IMAP4rev1\r\nM1 OK done'
    recv 'sendline * LIST () "/" INBOX\r\nM2 OK done'
    recv 'sendline * STATUS INBOX (MESSAGES 0 UNSEEN 0)\r\nM3 OK done'
    recv 'sendline * BYE\r\nM4 OK bye')
SMTP_HELLO=('sendline 220 fake ESMTP' recv 'sendline 250-fake\r\n250-PIPELINING\r\n250 STARTTLS')
POP3_HELLO=('sendline +OK fake POP3' recv 'sendline +OK\r\nSTLS\r\nUSER\r\nUIDL\r\n.')
IMAP_HELLO=('sendline * OK fake IMAP ready' recv
    'sendline * CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\nA001 OK done')

@test "tls: the transcript check finds credentials and mail sent in clear (--tls off)" {
	# The same peers with TLS off on purpose: each tool's credentials
	# (and msend's mail) reach the transcript, and the check says so.
	peer 'sendline 220 fake ESMTP' recv 'sendline 250-fake\r\n250 AUTH PLAIN' \
	    "${SMTP_AFTER[@]:2}"
	run_msend --tls off
	[ "$status" -eq 0 ] || fail_run "msend in clear"
	run clear_before_tls "$PEER_LOG"
	[ "$status" -eq 1 ] || fail_run "msend: the check missed the credentials"
	grep -q "AUTH PLAIN" "$PEER_LOG" && grep -q MAILBODY-7c1 "$PEER_LOG"

	peer 'sendline +OK fake POP3' "${POP3_AFTER[@]}"
	run_mpop --tls off --list
	[ "$status" -eq 0 ] || fail_run "mpop in clear"
	run clear_before_tls "$PEER_LOG"
	[ "$status" -eq 1 ] && [[ $output == *"'$PW' found"* ]] ||
	    fail_run "mpop: the check missed the password"

	peer 'sendline * OK fake IMAP ready' \
	    recv 'sendline * CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA001 OK done' \
	    recv 'sendline +' recv 'sendline A002 OK logged in' \
	    "${IMAP_AFTER[@]:6}"
	run_mimap --tls off folders
	[ "$status" -eq 0 ] || fail_run "mimap in clear"
	run clear_before_tls "$PEER_LOG"
	[ "$status" -eq 1 ] || fail_run "mimap: the check missed the credentials"
}

@test "tls: the fake peers' STARTTLS works: each tool logs in over TLS, nothing before it" {
	# The positive control for the injection tests: the same scripts
	# without the injected reply succeed, and the credentials appear
	# only after "-- tls --".
	peer "${SMTP_HELLO[@]}" recv 'sendline 220 2.0.0 ready' "$STARTTLS" \
	    "${SMTP_AFTER[@]}"
	run_msend
	[ "$status" -eq 0 ] || fail_run "msend over STARTTLS"
	clear_before_tls "$PEER_LOG" || fail_run "msend"
	grep -q MAILBODY-7c1 "$PEER_LOG" || fail_run "no mail after TLS"

	peer "${POP3_HELLO[@]}" recv 'sendline +OK begin TLS' "$STARTTLS" \
	    "${POP3_AFTER[@]}"
	run_mpop --list
	[ "$status" -eq 0 ] || fail_run "mpop over STLS"
	clear_before_tls "$PEER_LOG" || fail_run "mpop"
	grep -qx "PASS $PW" "$PEER_LOG" || fail_run "no login after TLS"

	peer "${IMAP_HELLO[@]}" recv 'sendline A002 OK begin TLS' "$STARTTLS" \
	    "${IMAP_AFTER[@]}"
	run_mimap folders
	[ "$status" -eq 0 ] || fail_run "mimap over STARTTLS"
	[ "$output" = $'INBOX\t/\t0\t0\t-' ] || [[ $output == INBOX* ]] ||
	    fail_run "mimap folders output"
	clear_before_tls "$PEER_LOG" || fail_run "mimap"
	grep -q "AUTHENTICATE PLAIN" "$PEER_LOG" || fail_run "no login after TLS"
}

@test "tls: STARTTLS stripped: mpop and mimap exit 77, nothing but CAPA/CAPABILITY sent" {
	# (msend: tests/msend.bats, "STARTTLS stripped by the peer".)
	peer 'sendline +OK fake POP3' recv 'sendline +OK\r\nUSER\r\nSASL PLAIN\r\nUIDL\r\n.' \
	    recv 'sendline +OK' recv 'sendline +OK' recv 'sendline +OK'
	run_mpop --list
	[ "$status" -eq 77 ] || fail_run "mpop: STLS not offered is not 77"
	one_line
	clear_before_tls "$PEER_LOG" || fail_run "mpop sent credentials in clear"
	[ "$(cat "$PEER_LOG")" = CAPA ] || fail_run "mpop sent more than CAPA"

	peer 'sendline * OK fake IMAP ready' recv \
	    'sendline * CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA001 OK done' \
	    recv 'sendline +' recv 'sendline A002 OK' recv 'sendline M1 OK'
	run_mimap folders
	[ "$status" -eq 77 ] || fail_run "mimap: STARTTLS not offered is not 77"
	one_line
	clear_before_tls "$PEER_LOG" || fail_run "mimap sent credentials in clear"
	[ "$(cat "$PEER_LOG")" = "A001 CAPABILITY" ] ||
	    fail_run "mimap sent more than CAPABILITY"
}

@test "tls: STARTTLS offered, then refused: msend, mpop, mimap exit 77, no credentials" {
	peer "${SMTP_HELLO[@]}" recv 'sendline 454 4.7.0 TLS not available' \
	    recv 'sendline 250 ok' recv 'sendline 250 ok' recv 'sendline 221 bye'
	run_msend
	[ "$status" -eq 77 ] || fail_run "msend: 454 to STARTTLS is not 77"
	one_line
	clear_before_tls "$PEER_LOG" || fail_run "msend"

	peer "${POP3_HELLO[@]}" recv 'sendline -ERR no TLS today' \
	    recv 'sendline +OK' recv 'sendline +OK' recv 'sendline +OK'
	run_mpop --list
	[ "$status" -eq 77 ] || fail_run "mpop: -ERR to STLS is not 77"
	one_line
	clear_before_tls "$PEER_LOG" || fail_run "mpop"

	peer "${IMAP_HELLO[@]}" recv 'sendline A002 NO no TLS today' \
	    recv 'sendline A003 OK' recv 'sendline A004 OK' recv 'sendline M1 OK'
	run_mimap folders
	[ "$status" -eq 77 ] || fail_run "mimap: NO to STARTTLS is not 77"
	one_line
	clear_before_tls "$PEER_LOG" || fail_run "mimap"
}

@test "tls: a reply injected after SMTP '220 ready' (same write): msend refuses (76) or ignores it" {
	peer "${SMTP_HELLO[@]}" recv \
	    'sendline 220 2.0.0 ready\r\n250-forged\r\n250 AUTH PLAIN' \
	    "$STARTTLS" "${SMTP_AFTER[@]}"
	run_msend
	clear_before_tls "$PEER_LOG" || fail_run "credentials or mail before TLS"
	case $status in
	76)	one_line ;;
	0)	# Ignored: then the dialogue over TLS stayed in step.
		grep -qx 'EHLO .*' <(sed '1,/^-- tls --$/d' "$PEER_LOG") ||
		    fail_run "accepted, but no EHLO after TLS"
		;;
	*)	fail_run "neither refused (76) nor in step (0)" ;;
	esac
	echo "# msend, injected 250 after 220 ready: exit $status" >&3
}

@test "tls: a reply injected after POP3 '+OK begin TLS' (same write): mpop refuses (76) or ignores it" {
	peer "${POP3_HELLO[@]}" recv 'sendline +OK begin TLS\r\n+OK forged' \
	    "$STARTTLS" "${POP3_AFTER[@]}"
	run_mpop --list
	clear_before_tls "$PEER_LOG" || fail_run "credentials before TLS"
	case $status in
	76)	one_line ;;
	0)	sed '1,/^-- tls --$/d' "$PEER_LOG" | head -n 1 | grep -qx CAPA ||
		    fail_run "accepted, but out of step after TLS" ;;
	*)	fail_run "neither refused (76) nor in step (0)" ;;
	esac
	echo "# mpop, injected +OK after STLS: exit $status" >&3
}

@test "tls: a reply injected after IMAP 'A002 OK begin' (same write): mimap refuses (76) or ignores it" {
	peer "${IMAP_HELLO[@]}" recv 'sendline A002 OK begin TLS\r\nA003 OK forged' \
	    "$STARTTLS" "${IMAP_AFTER[@]}"
	run_mimap folders
	clear_before_tls "$PEER_LOG" || fail_run "credentials before TLS"
	case $status in
	76)	one_line ;;
	0)	sed '1,/^-- tls --$/d' "$PEER_LOG" | head -n 1 |
		    grep -qx 'A003 CAPABILITY' ||
		    fail_run "accepted, but out of step after TLS" ;;
	*)	fail_run "neither refused (76) nor in step (0)" ;;
	esac
	echo "# mimap, injected A003 OK after STARTTLS: exit $status" >&3
}

@test "tls: a reply injected in a write of its own after 'ready': the handshake fails, nothing sent" {
	# The forged line then reaches the client's TLS layer as a record:
	# a failed handshake (77), or a refusal if it arrived together with
	# the ready line after all (76).  Never a login.
	peer "${SMTP_HELLO[@]}" recv 'sendline 220 2.0.0 ready' 'stall 0.05' \
	    'sendline 250 AUTH PLAIN' "$STARTTLS" "${SMTP_AFTER[@]}"
	run_msend
	[ "$status" -eq 77 ] || [ "$status" -eq 76 ] || fail_run "msend"
	one_line
	echo "# msend, injected reply in its own write: exit $status" >&3
	clear_before_tls "$PEER_LOG" || fail_run "msend"
	! grep -q AUTH <(sed '1,/^-- tls --$/d' "$PEER_LOG") || fail_run "msend: AUTH"

	peer "${POP3_HELLO[@]}" recv 'sendline +OK begin TLS' 'stall 0.05' \
	    'sendline +OK forged' "$STARTTLS" "${POP3_AFTER[@]}"
	run_mpop --list
	[ "$status" -eq 77 ] || [ "$status" -eq 76 ] || fail_run "mpop"
	one_line
	echo "# mpop, injected reply in its own write: exit $status" >&3
	clear_before_tls "$PEER_LOG" || fail_run "mpop"
	! grep -q PASS "$PEER_LOG" || fail_run "mpop: PASS"

	peer "${IMAP_HELLO[@]}" recv 'sendline A002 OK begin TLS' 'stall 0.05' \
	    'sendline A003 OK forged' "$STARTTLS" "${IMAP_AFTER[@]}"
	run_mimap folders
	[ "$status" -eq 77 ] || [ "$status" -eq 76 ] || fail_run "mimap"
	one_line
	echo "# mimap, injected reply in its own write: exit $status" >&3
	clear_before_tls "$PEER_LOG" || fail_run "mimap"
	! grep -q AUTHENTICATE "$PEER_LOG" || fail_run "mimap: AUTHENTICATE"
}

@test "tls: IMAP PREAUTH on a plain connection, STARTTLS not offered: mimap exits 77, nothing but CAPABILITY" {
	# (With STARTTLS offered: tests/mimap.bats.)  A PREAUTH session
	# cannot be upgraded (STARTTLS is for the not-authenticated state),
	# so with TLS required there is nothing to do but refuse; folders
	# would read the mailbox in clear, append would send mail in clear.
	local cmd
	for cmd in folders append; do
		peer 'sendline * PREAUTH fake IMAP, logged in already' recv \
		    'sendline * CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA001 OK done' \
		    recv 'sendline * LIST () "/" INBOX\r\nM1 OK done' \
		    recv 'sendline +' recv 'sendline M2 OK' recv 'sendline M3 OK'
		if [ "$cmd" = append ]; then
			MKIT_PASSWORD=$PW run --separate-stderr mimap \
			    --server "imap://127.0.0.1:$PEER_PORT" \
			    --ca-file "$TLS_CA" --user alice append INBOX <"$T/msg"
			peer_done
		else
			run_mimap folders
		fi
		[ "$status" -eq 77 ] || fail_run "$cmd: PREAUTH without TLS is not 77"
		one_line
		clear_before_tls "$PEER_LOG" || fail_run "$cmd"
		[ "$(cat "$PEER_LOG")" = "A001 CAPABILITY" ] ||
		    fail_run "$cmd: more than CAPABILITY was sent"
	done
}
