#!/usr/bin/env bats
# Hardening, promise 3 of mkit(7): no secret in argv, stdout, stderr,
# --trace, --json, state files or created files.
#
# A canary password is given to msend, mpop and mimap through each
# source (accounts file, --password-file, --password-command,
# MKIT_PASSWORD) against the harness's real postfix and dovecot (a
# "canary" user is added to dovecot's passwd-file for this file), and
# against fake peers that echo the password and the AUTH blob back in
# their error replies.  Every byte the tools leave behind is searched
# for the password, its percent-encoded form, the AUTH PLAIN and LOGIN
# blobs and the base64 of the password at each of the three alignments
# (so it is found inside any base64 blob): zero hits.  Every exec(2)
# of the tools and their children is recorded with strace, and
# /proc/PID/cmdline of every process is read while a tool is stalled
# after AUTH.

# shellcheck disable=SC2154 # status, output, stderr: set by run
bats_require_minimum_version 1.5.0

load helpers

CANARY='Canary-7f3a!x'

setup_file() {
	[ "$(id -u)" = 0 ] || return 0
	servers_start mail || return 1
	local d=$BATS_FILE_TMPDIR/srv-mail
	# dovecot re-reads its passwd-file when it changes; postfix's
	# submission AUTH asks dovecot, so the canary user works for both.
	printf 'canary:{PLAIN}%s:%s:%s::%s/canary::\n' "$CANARY" \
	    "$MAIL_UID" "$MAIL_GID" "$MAILDIR_ROOT" >>"$d/dovecot/users"
	mkdir -p "$MAILDIR_ROOT/canary/Maildir/new" \
	    "$MAILDIR_ROOT/canary/Maildir/cur" "$MAILDIR_ROOT/canary/Maildir/tmp"
	chown -R "$MAIL_UID:$MAIL_GID" "$MAILDIR_ROOT/canary"
}

teardown_file() {
	servers_stop
}

setup() {
	mkit_isolate
	T=$BATS_TEST_TMPDIR
	# The secrets live outside $T: everything under $T is searched.
	SEC=$(mktemp -d /tmp/mkit-sec.XXXXXX)
	printf '%s\n' "$CANARY" >"$SEC/pw"
	chmod 600 "$SEC/pw"
	needles >"$SEC/needles"
	NPEER=0
	PEER_PIDS=()
	command -v strace >/dev/null || skip "needs strace (Debian: strace)"
}

teardown() {
	local p
	for p in "${PEER_PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	rm -rf "$SEC"
}

# needles: the forms of the canary to look for, one a line: as it is,
# percent-encoded, the AUTH PLAIN blobs of the users the tests log in
# as, and the part of base64(X + canary) that depends on the canary
# alone, for X of 0, 1 and 2 bytes.
needles() {
	python3 - "$CANARY" <<-'PY'
	import base64, sys, urllib.parse
	pw = sys.argv[1].encode()
	out = [pw, urllib.parse.quote(pw, safe="").encode()]
	for user in (b"canary", b"alice"):
	    out.append(base64.b64encode(b"\0" + user + b"\0" + pw))
	for k in range(3):
	    s = base64.b64encode(b"\0" * k + pw)
	    out.append(s[-(-8 * k // 6):(8 * (k + len(pw))) // 6])
	for n in sorted(set(out)):
	    print(n.decode())
	PY
}

# no_canary PATH...: search every file under PATH for every needle;
# print each hit and fail if there is one.
no_canary() {
	python3 - "$SEC/needles" "$@" <<-'PY'
	import os, sys
	needles = [n.encode() for n in open(sys.argv[1]).read().split("\n") if n]
	hits = 0
	def scan(path, data):
	    global hits
	    for n in needles:
	        at = data.find(n)
	        if at >= 0:
	            hits += 1
	            ctx = data[max(0, at - 60):at + len(n) + 20]
	            print("canary %r in %s: %r" % (n, path, ctx), file=sys.stderr)
	for top in sys.argv[2:]:
	    for root, dirs, files in os.walk(top):
	        for f in files:
	            p = os.path.join(root, f)
	            if os.path.isfile(p) and not os.path.islink(p):
	                scan(p, open(p, "rb").read())
	    if os.path.isfile(top):
	        scan(top, open(top, "rb").read())
	sys.exit(1 if hits else 0)
	PY
}

# traced NAME CMD...: run CMD under strace (every execve of it and its
# children, arguments in full), stdout to $T/NAME.out, stderr to
# $T/NAME.err, the exec log to $T/NAME.exec; sets status.
traced() {
	local name=$1
	shift
	status=0
	# LeakSanitizer cannot run under ptrace: off for these runs only.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    strace -f -qq -s 65535 -e trace=execve -o "$T/$name.exec" \
	    "$@" >"$T/$name.out" 2>"$T/$name.err" || status=$?
	output=$(cat "$T/$name.out")
	stderr=$(cat "$T/$name.err")
}

# source_args KIND USER SECTIONS...: PW (the options that give the
# password) and the environment for KIND: config (an accounts file in
# $SEC with SECTIONS' key = value lines), file, command or env.
source_args() {
	local kind=$1 user=$2
	shift 2
	unset MKIT_PASSWORD
	export MKIT_CONFIG=$T/home/.config/mkit/config
	PW=(--user "$user")
	case $kind in
	config)
		{
			echo "[account c]"
			echo "user = $user"
			echo "password = $CANARY"
			printf '%s\n' "$@"
		} >"$SEC/config"
		chmod 600 "$SEC/config"
		export MKIT_CONFIG=$SEC/config
		PW=(-a c)
		;;
	file) PW+=(--password-file "$SEC/pw") ;;
	command) PW+=(--password-command "head -n 1 $SEC/pw") ;;
	env) export MKIT_PASSWORD=$CANARY ;;
	esac
}

# peer NAME SCRIPT-LINES...: a fake text peer; sets PEER_PORT, PEER_LOG.
peer() {
	local d="$T/peer$((++NPEER))" i
	shift
	printf '%s\n' "$@" >"$SEC/peer$NPEER.script"
	"$MKIT_TOP/tests/peers/fakepeer.py" --tcp --text --port 0 \
	    --script "$SEC/peer$NPEER.script" --log "$SEC/peer$NPEER.log" \
	    --timeout 20 >"$d.port" 2>"$d.err" 3>&- &
	PEER_PIDS+=($!)
	for i in $(seq 50); do
		[ -s "$d.port" ] && break
		sleep 0.1
	done
	PEER_PORT=$(head -n 1 "$d.port")
	PEER_LOG=$SEC/peer$NPEER.log
	[ -n "$PEER_PORT" ] || { cat "$d.err" >&2; return 1; }
}

# blob USER: the AUTH PLAIN blob of USER with the canary.
blob() {
	printf '\0%s\0%s' "$1" "$CANARY" | base64 -w0
}

@test "secrets: the needles are found where they are (the search can fail)" {
	printf 'x %s y\n' "$CANARY" >"$T/a"
	run no_canary "$T/a"
	[ "$status" -eq 1 ]
	printf 'AUTH PLAIN %s\n' "$(printf 'zz\0alice\0%s' "$CANARY" | base64 -w0)" >"$T/a"
	run no_canary "$T/a"
	[ "$status" -eq 1 ]
	printf 'u%s' "$CANARY" | base64 -w0 >"$T/a"
	run no_canary "$T/a"
	[ "$status" -eq 1 ]
	echo harmless >"$T/a"
	run no_canary "$T/a"
	[ "$status" -eq 0 ]
}

@test "secrets: msend through real submission, each password source: none leaks" {
	need_servers
	local k i=0
	printf 'Subject: canary\n\nhello\n' >"$T/msg"
	for k in config file command env; do
		source_args "$k" canary
		traced "msend-$k" msend --trace --json \
		    --server "smtp://localhost:$SUBMISSION_PORT" \
		    --ca-file "$MAIL_CA_FILE" -f canary@example.org "${PW[@]}" \
		    bob@example.org <"$T/msg"
		[ "$status" -eq 0 ] || fail_run "msend with the $k source"
		[[ $stderr == *"C: AUTH PLAIN"* ]] || fail_run "no AUTH ($k)"
		[[ $output == *'"status":"sent"'* || $output == *'"exit":0'* ]] ||
		    fail_run "no JSON result ($k)"
		i=$((i + 1))
	done
	# The same password for a user it is not: 77, and still nothing.
	source_args env alice
	traced msend-wrong msend --trace --json \
	    --server "smtp://localhost:$SUBMISSION_PORT" \
	    --ca-file "$MAIL_CA_FILE" "${PW[@]}" bob@example.org <"$T/msg"
	[ "$status" -eq 77 ] || fail_run "wrong password not 77"
	no_canary "$T"
}

@test "secrets: mpop through real POP3 (STARTTLS) and POP3S, each source: none leaks" {
	need_servers
	local k n=0 srv
	for k in config file command env; do
		n=$((n + 1))
		printf 'Subject: canary %s\r\n\r\nbody %s\r\n' "$n" "$n" \
		    >"$MAILDIR_ROOT/canary/Maildir/new/$n.M$$.$BATS_TEST_NUMBER"
		chown -R "$MAIL_UID:$MAIL_GID" "$MAILDIR_ROOT/canary/Maildir"
		srv="pop3s://localhost:$POP3S_PORT"
		[ "$k" = file ] && srv="pop3://localhost:$POP3_PORT"
		source_args "$k" canary
		traced "mpop-$k" mpop --trace -v --server "$srv" \
		    --ca-file "$MAIL_CA_FILE" "${PW[@]}" --maildir "$T/md"
		[ "$status" -eq 0 ] || fail_run "mpop with the $k source"
		[[ $stderr == *"C: AUTH "* || $stderr == *"C: PASS "* ]] ||
		    fail_run "no login in the trace ($k)"
		traced "mpop-json-$k" mpop --trace --json --list --server "$srv" \
		    --ca-file "$MAIL_CA_FILE" "${PW[@]}"
		[ "$status" -eq 0 ] || fail_run "mpop --list --json ($k)"
		[[ $output == "["*"uidl"* ]] || fail_run "no JSON list ($k)"
	done
	# (the state file is per server, so POP3 and POP3S fetch twice)
	[ "$(cat "$T"/md/new/* | grep -c '^Subject: canary' | tr -d ' ')" -ge 4 ] &&
	    [ "$(cat "$T"/md/new/* | sort -u | grep -c '^Subject: canary')" -eq 4 ] ||
	    fail_run "not the 4 messages fetched"
	ls "$XDG_STATE_HOME"/mkit/mpop.canary@* >/dev/null ||
	    fail_run "no state file"
	source_args env alice
	traced mpop-wrong mpop --trace --server "pop3s://localhost:$POP3S_PORT" \
	    --ca-file "$MAIL_CA_FILE" "${PW[@]}" --list
	[ "$status" -eq 77 ] || fail_run "wrong password not 77"
	no_canary "$T"
	find "$MAILDIR_ROOT/canary/Maildir" -type f -delete
}

@test "secrets: mimap through real IMAP (STARTTLS) and IMAPS, each source: none leaks" {
	need_servers
	local k srv
	for k in config file command env; do
		srv="imaps://localhost:$IMAPS_PORT"
		[ "$k" = command ] && srv="imap://localhost:$IMAP_PORT"
		source_args "$k" canary
		printf 'Subject: canary %s\r\n\r\nbody\r\n' "$k" >"$T/msg"
		traced "mimap-append-$k" mimap --trace --server "$srv" \
		    --ca-file "$MAIL_CA_FILE" "${PW[@]}" append INBOX <"$T/msg"
		[ "$status" -eq 0 ] || fail_run "mimap append with the $k source"
		[[ $stderr == *"AUTHENTICATE"* || $stderr == *"LOGIN"* ]] ||
		    fail_run "no login in the trace ($k)"
		traced "mimap-list-$k" mimap --trace --json --server "$srv" \
		    --ca-file "$MAIL_CA_FILE" "${PW[@]}" list INBOX
		[ "$status" -eq 0 ] || fail_run "mimap list --json ($k)"
		traced "mimap-fetch-$k" mimap --trace --json --server "$srv" \
		    --ca-file "$MAIL_CA_FILE" "${PW[@]}" fetch INBOX --all
		[ "$status" -eq 0 ] || fail_run "mimap fetch --json ($k)"
		traced "mimap-md-$k" mimap --server "$srv" \
		    --ca-file "$MAIL_CA_FILE" "${PW[@]}" fetch INBOX --all \
		    --maildir "$T/md-$k"
		[ "$status" -eq 0 ] || fail_run "mimap fetch --maildir ($k)"
	done
	source_args env alice
	traced mimap-wrong mimap --trace --server "imaps://localhost:$IMAPS_PORT" \
	    --ca-file "$MAIL_CA_FILE" "${PW[@]}" folders
	[ "$status" -eq 77 ] || fail_run "wrong password not 77"
	no_canary "$T"
	find "$MAILDIR_ROOT/canary/Maildir" -type f -delete
}

@test "secrets: msend, a server that echoes the AUTH blob and password: none leaks" {
	local b l
	b=$(blob alice)
	l=$(printf '%s' "$CANARY" | base64 -w0)
	printf 'Subject: x\n\nhi\n' >"$T/msg"
	export MKIT_PASSWORD=$CANARY
	peer plain "sendline 220 fake ESMTP" "recv" "sendline 250-fake" \
	    "sendline 250 AUTH PLAIN" "recv" "sendline 334 " "recv" \
	    "sendline 535 5.7.8 bad $b for $CANARY" "recv" "sendline 221 bye"
	traced msend-plain msend --trace --json --tls=off --user alice \
	    --server "smtp://127.0.0.1:$PEER_PORT" bob@example.org <"$T/msg"
	[ "$status" -eq 77 ] || fail_run "PLAIN: not 77"
	grep -qF "$b" "$PEER_LOG" || fail_run "the peer did not get the blob"
	peer login "sendline 220 fake ESMTP" "recv" "sendline 250-fake" \
	    "sendline 250 AUTH LOGIN" "recv" "sendline 334 VXNlcm5hbWU6" \
	    "recv" "sendline 334 UGFzc3dvcmQ6" "recv" \
	    "sendline 535 5.7.8 bad $l ($CANARY)" "recv" "sendline 221 bye"
	traced msend-login msend --trace --json --tls=off --user alice \
	    --server "smtp://127.0.0.1:$PEER_PORT" bob@example.org <"$T/msg"
	[ "$status" -eq 77 ] || fail_run "LOGIN: not 77"
	grep -qxF "$l" "$PEER_LOG" || fail_run "the peer did not get LOGIN"
	no_canary "$T"
}

@test "secrets: mpop, a server that echoes USER/PASS and AUTH: none leaks" {
	local b
	b=$(blob alice)
	export MKIT_PASSWORD=$CANARY
	peer pass "sendline +OK fake" "recv" "sendline +OK" "sendline USER" \
	    "sendline ." "recv" "sendline +OK" "recv" \
	    "sendline -ERR [AUTH] PASS $CANARY is wrong" "recv" "sendline +OK"
	traced mpop-pass mpop --trace --tls=off --user alice \
	    --server "pop3://127.0.0.1:$PEER_PORT" --list
	[ "$status" -eq 77 ] || fail_run "USER/PASS: not 77"
	grep -qF "PASS $CANARY" "$PEER_LOG" || fail_run "the peer got no PASS"
	peer auth "sendline +OK fake" "recv" "sendline +OK" \
	    "sendline SASL PLAIN" "sendline ." "recv" "sendline + " "recv" \
	    "sendline -ERR [AUTH] bad $b for $CANARY" "recv" "sendline +OK"
	traced mpop-auth mpop --trace --tls=off --user alice \
	    --server "pop3://127.0.0.1:$PEER_PORT" --list
	[ "$status" -eq 77 ] || fail_run "AUTH PLAIN: not 77"
	grep -qF "$b" "$PEER_LOG" || fail_run "the peer did not get the blob"
	no_canary "$T"
}

@test "secrets: mimap, a server that echoes LOGIN and AUTHENTICATE: none leaks" {
	local b
	b=$(blob alice)
	export MKIT_PASSWORD=$CANARY
	peer login "sendline * OK fake" "recv" "sendline * CAPABILITY IMAP4rev1" \
	    "sendline A001 OK done" "recv" \
	    "sendline A002 NO [AUTHENTICATIONFAILED] $CANARY is wrong" \
	    "recv" "sendline * BYE"
	traced mimap-login mimap --trace --json --tls=off --user alice \
	    --server "imap://127.0.0.1:$PEER_PORT" folders
	[ "$status" -eq 77 ] || fail_run "LOGIN: not 77"
	grep -qF "$CANARY" "$PEER_LOG" || fail_run "the peer got no LOGIN"
	peer auth "sendline * OK fake" "recv" \
	    "sendline * CAPABILITY IMAP4rev1 AUTH=PLAIN" "sendline A001 OK done" \
	    "recv" "sendline + " "recv" \
	    "sendline A002 NO [AUTHENTICATIONFAILED] $b / $CANARY" \
	    "recv" "sendline * BYE"
	traced mimap-auth mimap --trace --json --tls=off --user alice \
	    --server "imap://127.0.0.1:$PEER_PORT" folders
	[ "$status" -eq 77 ] || fail_run "AUTHENTICATE: not 77"
	grep -qF "$b" "$PEER_LOG" || fail_run "the peer did not get the blob"
	no_canary "$T"
}

# cmdline_while NAME PEER-SCRIPT-LINES -- CMD...: start CMD against a
# peer that stalls 3 s after the login; meanwhile copy the cmdline of
# every process on the machine into $T/NAME.cmdlines.
cmdline_while() {
	local name=$1 pid i p
	shift
	local script=()
	while [ "$1" != -- ]; do
		script+=("$1")
		shift
	done
	shift
	peer "$name" "${script[@]}"
	"$@" --server "${SCHEME}://127.0.0.1:$PEER_PORT" >"$T/$name.out" \
	    2>"$T/$name.err" 3>&- &
	pid=$!
	# Wait until the peer has the password, then look.
	for i in $(seq 50); do
		grep -q "$CANARY\|$(blob alice)" "$PEER_LOG" 2>/dev/null && break
		sleep 0.1
	done
	grep -q "$CANARY\|$(blob alice)" "$PEER_LOG" ||
	    { kill "$pid"; echo "$name: no login within 5 s" >&2; return 1; }
	kill -0 "$pid" || { echo "$name: already gone" >&2; return 1; }
	tr '\0' ' ' <"/proc/$pid/cmdline" >"$T/$name.self"
	for p in /proc/[0-9]*; do
		tr '\0' ' ' <"$p/cmdline" 2>/dev/null || true
		echo
	done >"$T/$name.cmdlines"
	wait "$pid" || true
}

@test "secrets: /proc/PID/cmdline of msend, mpop, mimap stalled after login" {
	export MKIT_PASSWORD=$CANARY
	printf 'Subject: x\n\nhi\n' >"$T/msg"
	SCHEME=smtp cmdline_while msend "sendline 220 fake ESMTP" "recv" \
	    "sendline 250-fake" "sendline 250 AUTH PLAIN" "recv" \
	    "sendline 334 " "recv" "stall 3" -- \
	    msend --tls=off --user alice bob@example.org <"$T/msg"
	[[ $(cat "$T/msend.self") == "msend --tls=off --user alice bob@example.org --server"* ]] ||
	    fail_run "msend's cmdline not read"
	SCHEME=pop3 cmdline_while mpop "sendline +OK fake" "recv" \
	    "sendline +OK" "sendline USER" "sendline ." "recv" "sendline +OK" \
	    "recv" "stall 3" -- \
	    mpop --tls=off --user alice --password-file "$SEC/pw" --list
	[[ $(cat "$T/mpop.self") == "mpop "* ]] || fail_run "mpop's cmdline"
	SCHEME=imap cmdline_while mimap "sendline * OK fake" "recv" \
	    "sendline * CAPABILITY IMAP4rev1" "sendline A001 OK done" "recv" \
	    "stall 3" -- \
	    mimap --tls=off --user alice --password-command "cat $SEC/pw" folders
	[[ $(cat "$T/mimap.self") == "mimap "* ]] || fail_run "mimap's cmdline"
	no_canary "$T"
}
