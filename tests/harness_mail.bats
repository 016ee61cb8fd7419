#!/usr/bin/env bats
# The mail servers of tests/servers/mail.sh (postfix and dovecot on
# loopback), checked with the curl command line before any mkit tool
# relies on them: delivery, STARTTLS, AUTH, certificates, rejections.

bats_require_minimum_version 1.5.0

load helpers

# Without root every test skips (need_root in setup): bats 1.8.2 reports
# a skip in setup_file as a failure of the file.
setup_file() {
	[ "$(id -u)" = 0 ] || return 0
	servers_start mail
}

teardown_file() {
	servers_stop
}

setup() {
	need_root "postfix and dovecot"
	mkit_isolate
	T=$BATS_TEST_TMPDIR
}

# fail_run MSG: print MSG and what the last run saw, then fail.
fail_run() {
	printf '%s\nexit status: %s\n--- output\n%s\n' \
	    "$1" "$status" "$output" >&2
	return 1
}

# mcurl PORT ARGS...: curl with the harness CA (--cacert), and
# localhost:PORT (the certificate's name) resolved to the servers.
mcurl() {
	local port=$1
	shift
	curl -sS --max-time 10 --cacert "$MAIL_CA_FILE" \
	    --resolve "localhost:$port:$MAIL_HOST" "$@"
}

# mkmsg FILE TO TOKEN: a CRLF message to TO whose Subject holds TOKEN.
mkmsg() {
	printf '%s\r\n' "From: Alice <alice@example.org>" "To: <$2>" \
	    "Subject: harness $3" "Date: Mon, 1 Jan 2024 00:00:00 +0000" \
	    "Message-ID: <$3@example.org>" "" "Hello $3." \
	    ".a line starting with a dot" "last line" >"$1"
}

# token: a string unique to this test run, for Subjects to look for.
token() {
	echo "t$BATS_SUITE_TEST_NUMBER-$$-$RANDOM"
}

# smtp_send FILE TO: send FILE to TO through the plain SMTP port.
smtp_send() {
	run mcurl "$SMTP_PORT" --mail-from alice@example.org \
	    --mail-rcpt "$2" -T "$1" "smtp://localhost:$SMTP_PORT"
	[ "$status" -eq 0 ] || fail_run "SMTP to $2 failed"
}

# imap_find USER PASS TOKEN: the UID of the INBOX message whose Subject
# holds TOKEN, polling IMAPS for up to 10 s (delivery is asynchronous).
imap_find() {
	local uid end=$((SECONDS + 10))
	while [ "$SECONDS" -le "$end" ]; do
		uid=$(mcurl "$IMAPS_PORT" -u "$1:$2" \
		    -X "UID SEARCH SUBJECT \"$3\"" \
		    "imaps://localhost:$IMAPS_PORT/INBOX" |
		    sed -n 's/^\* SEARCH \([0-9][0-9]*\).*/\1/p')
		if [ -n "$uid" ]; then
			echo "$uid"
			return 0
		fi
		sleep 0.2
	done
	echo "no message with $3 for $1 over IMAPS after 10 s" >&2
	return 1
}

# pop3_find USER PASS TOKEN OUT: retrieve over POP3 with STARTTLS
# (required) into OUT the message whose Subject holds TOKEN, polling
# for up to 10 s.
pop3_find() {
	local i count end=$((SECONDS + 10))
	while [ "$SECONDS" -le "$end" ]; do
		count=$(mcurl "$POP3_PORT" --ssl-reqd -u "$1:$2" \
		    "pop3://localhost:$POP3_PORT/" | wc -l)
		for i in $(seq "$count"); do
			mcurl "$POP3_PORT" --ssl-reqd -u "$1:$2" \
			    "pop3://localhost:$POP3_PORT/$i" >"$4" || return 1
			grep -q "^Subject: harness $3" "$4" && return 0
		done
		sleep 0.2
	done
	echo "no message with $3 for $1 over POP3 after 10 s" >&2
	return 1
}

# same_tail GOT SENT: GOT (as delivered) ends with exactly SENT; the
# servers only add trace headers in front.
same_tail() {
	local size
	size=$(wc -c <"$2")
	if ! tail -c "$size" "$1" | cmp -s - "$2"; then
		echo "delivered message differs from the one sent:" >&2
		diff <(tr -d '\r' <"$2") <(tr -d '\r' <"$1") >&2
		return 1
	fi
}

@test "mail harness: published environment" {
	[ -s "$MAIL_CA_FILE" ]
	[ "$MAIL_HOST" = 127.0.0.1 ] && [ "$MAIL_TLS_NAME" = localhost ]
	for p in "$SMTP_PORT" "$SUBMISSION_PORT" "$SMTPS_PORT" "$POP3_PORT" \
	    "$POP3S_PORT" "$IMAP_PORT" "$IMAPS_PORT"; do
		[[ $p =~ ^[0-9]+$ ]]
	done
	[ "$MAIL_USER1" = alice ] && [ -n "$MAIL_PASS1" ]
	[ "$MAIL_USER2" = bob ] && [ -n "$MAIL_PASS2" ]
	[ -d "$MAILDIR_ROOT" ] && [ "$MAIL_DOMAIN" = example.org ]
}

@test "mail harness: SMTP delivery to bob is readable over IMAPS" {
	local tok uid
	tok=$(token)
	mkmsg "$T/sent" bob@example.org "$tok"
	smtp_send "$T/sent" bob@example.org
	uid=$(imap_find bob "$MAIL_PASS2" "$tok")
	run mcurl "$IMAPS_PORT" -u "bob:$MAIL_PASS2" -o "$T/got" \
	    "imaps://localhost:$IMAPS_PORT/INBOX;UID=$uid"
	[ "$status" -eq 0 ] || fail_run "IMAPS fetch of UID $uid failed"
	grep -q "^Subject: harness $tok"$'\r'"\$" "$T/got"
	grep -q '^Delivered-To: bob@example.org' "$T/got"
	same_tail "$T/got" "$T/sent"
	# And in the Maildir the harness publishes.
	grep -rlq "^Subject: harness $tok" "${MAILDIR_PATTERN/\%u/bob}"
}

@test "mail harness: SMTP delivery to alice is readable over POP3 STARTTLS" {
	local tok
	tok=$(token)
	mkmsg "$T/sent" alice@example.org "$tok"
	smtp_send "$T/sent" alice@example.org
	pop3_find alice "$MAIL_PASS1" "$tok" "$T/got"
	grep -q '^Delivered-To: alice@example.org' "$T/got"
	same_tail "$T/got" "$T/sent"
	# --ssl-reqd did STLS: dovecot logged a TLS login for alice.
	grep -q "pop3-login: Info: Login: user=<alice>.*, TLS" "$MAIL_DOVECOT_LOG"
}

@test "mail harness: submission needs STARTTLS, then AUTH" {
	local tok
	tok=$(token)
	mkmsg "$T/sent" bob@example.net "$tok"
	# Before STARTTLS: no AUTH offered, MAIL refused.
	run mcurl "$SUBMISSION_PORT" -v --mail-from alice@example.org \
	    --mail-rcpt bob@example.net -T "$T/sent" \
	    "smtp://localhost:$SUBMISSION_PORT"
	[ "$status" -eq 55 ] || fail_run "plain submission not refused"
	[[ $output == *"< 250-STARTTLS"* ]] || fail_run "no STARTTLS offered"
	[[ $output != *"< 250-AUTH"* ]] || fail_run "AUTH offered in clear"
	[[ $output == *"< 530 5.7.0 Must issue a STARTTLS"* ]] ||
	    fail_run "no 530 before STARTTLS"
	# After STARTTLS, without credentials: 530 at MAIL.
	run mcurl "$SUBMISSION_PORT" -v --ssl-reqd --mail-from alice@example.org \
	    --mail-rcpt bob@example.net -T "$T/sent" \
	    "smtp://localhost:$SUBMISSION_PORT"
	[ "$status" -eq 55 ] || fail_run "submission without AUTH not refused"
	[[ $output == *"< 250-AUTH PLAIN LOGIN"* ]] || fail_run "no AUTH after STARTTLS"
	[[ $output == *"< 530 5.7.0 "*"Authentication required"* ]] ||
	    fail_run "no 530 without AUTH"
	# With credentials: accepted and delivered.
	run mcurl "$SUBMISSION_PORT" -v --ssl-reqd -u "alice:$MAIL_PASS1" \
	    --mail-from alice@example.org --mail-rcpt bob@example.net \
	    -T "$T/sent" "smtp://localhost:$SUBMISSION_PORT"
	[ "$status" -eq 0 ] || fail_run "authenticated submission failed"
	[[ $output == *"< 235 "* ]] || fail_run "no 235 for AUTH"
	[[ $output == *"< 250 2.0.0 Ok: queued"* ]] || fail_run "not queued"
	imap_find bob "$MAIL_PASS2" "$tok" >/dev/null
}

@test "mail harness: SMTPS verifies with the harness CA only" {
	local tok
	tok=$(token)
	mkmsg "$T/sent" bob@example.org "$tok"
	run mcurl "$SMTPS_PORT" -u "bob:$MAIL_PASS2" \
	    --mail-from bob@example.org --mail-rcpt bob@example.org \
	    -T "$T/sent" "smtps://localhost:$SMTPS_PORT"
	[ "$status" -eq 0 ] || fail_run "SMTPS with the harness CA failed"
	# The system bundle does not know the harness CA: exit 60.
	run curl -sS --max-time 10 --cacert /etc/ssl/certs/ca-certificates.crt \
	    --resolve "localhost:$SMTPS_PORT:$MAIL_HOST" -u "bob:$MAIL_PASS2" \
	    --mail-from bob@example.org --mail-rcpt bob@example.org \
	    -T "$T/sent" "smtps://localhost:$SMTPS_PORT"
	[ "$status" -eq 60 ] || fail_run "SMTPS with a wrong CA did not fail verification"
	# Nor does the certificate name another host.
	run curl -sS --max-time 10 --cacert "$MAIL_CA_FILE" \
	    --resolve "mail.example.org:$SMTPS_PORT:$MAIL_HOST" \
	    -u "bob:$MAIL_PASS2" --mail-from bob@example.org \
	    --mail-rcpt bob@example.org -T "$T/sent" \
	    "smtps://mail.example.org:$SMTPS_PORT"
	[ "$status" -eq 60 ] || fail_run "SMTPS accepted a wrong host name"
	imap_find bob "$MAIL_PASS2" "$tok" >/dev/null
}

@test "mail harness: unknown recipient rejected at RCPT with 550 5.1.1" {
	local tok
	tok=$(token)
	mkmsg "$T/sent" nobody@example.org "$tok"
	run mcurl "$SMTP_PORT" -v --mail-from alice@example.org \
	    --mail-rcpt nobody@example.org -T "$T/sent" \
	    "smtp://localhost:$SMTP_PORT"
	[ "$status" -eq 55 ] || fail_run "unknown recipient accepted"
	[[ $output == *"> RCPT TO:<nobody@example.org>"*"< 550 5.1.1 "* ]] ||
	    fail_run "no 550 5.1.1 at RCPT"
	[[ $output != *"> DATA"* ]] || fail_run "DATA sent after the 550"
	# Other domains are not relayed.
	run mcurl "$SMTP_PORT" -v --mail-from alice@example.org \
	    --mail-rcpt someone@example.com -T "$T/sent" \
	    "smtp://localhost:$SMTP_PORT"
	[ "$status" -eq 55 ] || fail_run "relay to example.com accepted"
	[[ $output == *"< 554 5.7.1 "*"Relay access denied"* ]] ||
	    fail_run "no relay denial"
}

@test "mail harness: wrong password refused over IMAP" {
	run mcurl "$IMAPS_PORT" -v -u "bob:not $MAIL_PASS2" \
	    "imaps://localhost:$IMAPS_PORT/INBOX"
	[ "$status" -eq 67 ] || fail_run "wrong password not refused"
	[[ $output == *"NO [AUTHENTICATIONFAILED]"* ]] || fail_run "no AUTHENTICATIONFAILED"
	run mcurl "$IMAPS_PORT" -u "bob:$MAIL_PASS2" \
	    "imaps://localhost:$IMAPS_PORT/INBOX"
	[ "$status" -eq 0 ] || fail_run "right password refused"
}

@test "mail harness: plaintext login on 127.0.0.1, LOGINDISABLED on the strict port" {
	# 127.0.0.1: login without TLS (what --tls=auto against a server
	# without STARTTLS needs); STARTTLS still offered.
	run curl -sS --max-time 10 -v -u "alice:$MAIL_PASS1" \
	    "imap://$MAIL_HOST:$IMAP_PORT/INBOX"
	[ "$status" -eq 0 ] || fail_run "plaintext IMAP login refused on 127.0.0.1"
	[[ $output == *" STARTTLS "* ]] || fail_run "no STARTTLS on $IMAP_PORT"
	[[ $output != *LOGINDISABLED* ]] || fail_run "LOGINDISABLED on $IMAP_PORT"
	# 127.0.0.2: the realistic default, no login before STARTTLS ...
	run curl -sS --max-time 10 -v -u "alice:$MAIL_PASS1" \
	    "imap://$MAIL_STRICT_HOST:$IMAP_STRICT_PORT/INBOX"
	[ "$status" -ne 0 ] || fail_run "plaintext login accepted on the strict port"
	[[ $output == *LOGINDISABLED* ]] || fail_run "no LOGINDISABLED"
	run curl -sS --max-time 10 -v -u "alice:$MAIL_PASS1" \
	    "pop3://$MAIL_STRICT_HOST:$POP3_STRICT_PORT/"
	[ "$status" -ne 0 ] || fail_run "plaintext POP3 login accepted on the strict port"
	# ... and after it.
	run curl -sS --max-time 10 --cacert "$MAIL_CA_FILE" --ssl-reqd \
	    --resolve "localhost:$IMAP_STRICT_PORT:$MAIL_STRICT_HOST" \
	    -u "alice:$MAIL_PASS1" "imap://localhost:$IMAP_STRICT_PORT/INBOX"
	[ "$status" -eq 0 ] || fail_run "login after STARTTLS refused on the strict port"
}
