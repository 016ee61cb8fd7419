# tests/helpers.bash: loaded by every bats file ("load helpers").
#
# - The binaries under test are on PATH (tests/run.sh puts $MKIT_BIN
#   first); MKIT_BIN names their directory.
# - Nothing touches $HOME or the real network: HOME, MKIT_CONFIG and
#   XDG_* point into the test's own temporary directory.
# - servers_start KIND... (in setup_file) starts the real servers of
#   tests/servers/KIND.sh in a private directory and exports what they
#   publish (ports, CA file, users); servers_stop (in teardown_file)
#   stops them all.  bats 1.8 cannot skip from setup_file, so without
#   root servers_start only records why, and each test that needs the
#   servers calls need_servers, which skips with that reason.

MKIT_TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
export MKIT_TOP
: "${MKIT_BIN:=$MKIT_TOP/bin}"
export MKIT_BIN PATH="$MKIT_BIN:$PATH"

mkit_isolate() {
	local d=${BATS_TEST_TMPDIR:-${BATS_FILE_TMPDIR:-$(mktemp -d)}}
	export HOME="$d/home" XDG_CONFIG_HOME="$d/home/.config"
	export XDG_STATE_HOME="$d/home/.local/state"
	export XDG_CACHE_HOME="$d/home/.cache"
	export MKIT_CONFIG="$d/home/.config/mkit/config"
	unset MKIT_PASSWORD
	mkdir -p "$HOME"
}

# need_root: skip this test when not root, saying why.
need_root() {
	if [ "$(id -u)" != 0 ]; then
		skip "needs root to run the real servers (${1:-daemons})"
	fi
}

# servers_start KIND...: tests/servers/KIND.sh start DIR, then export
# every NAME=value line of DIR/env.  On failure the servers' logs go to
# fd 3 (shown by bats) and the file fails.
servers_start() {
	local kind dir
	if [ "$(id -u)" != 0 ]; then
		export MKIT_SERVERS_SKIP="needs root to run the real servers ($*)"
		return 0
	fi
	for kind in "$@"; do
		dir="$BATS_FILE_TMPDIR/srv-$kind"
		mkdir -p "$dir"
		if ! "$MKIT_TOP/tests/servers/$kind.sh" start "$dir" >"$dir/start.log" 2>&1; then
			echo "# $kind servers did not start:" >&3
			sed 's/^/#   /' "$dir/start.log" >&3
			"$MKIT_TOP/tests/servers/$kind.sh" stop "$dir" >/dev/null 2>&1
			return 1
		fi
		MKIT_SERVERS="${MKIT_SERVERS:-} $kind"
		set -a
		. "$dir/env"
		set +a
	done
	export MKIT_SERVERS
}

# need_servers: skip this test when servers_start could not run them.
need_servers() {
	[ -z "${MKIT_SERVERS_SKIP:-}" ] || skip "$MKIT_SERVERS_SKIP"
}

servers_stop() {
	local kind
	for kind in ${MKIT_SERVERS:-}; do
		"$MKIT_TOP/tests/servers/$kind.sh" stop \
		    "$BATS_FILE_TMPDIR/srv-$kind" >/dev/null 2>&1 || true
	done
}

# free_port: print a TCP+UDP port on 127.0.0.1 that nothing listens on.
free_port() {
	python3 - <<'PY'
import socket
while True:
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind(("127.0.0.1", 0))
    port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", port))
    except OSError:
        t.close(); continue
    print(port); break
PY
}

# fail_run MSG: print MSG and what the last run saw (status, stdout,
# stderr of run --separate-stderr), then fail.
fail_run() {
	printf '%s\nexit status: %s\n--- stdout\n%s\n--- stderr\n%s\n' \
	    "$1" "$status" "$output" "${stderr:-}" >&2
	return 1
}

# kill_all PID...: end these background processes (a peer, a server of
# the test's own) and reap them; those already gone are fine.
kill_all() {
	local p
	for p in "$@"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}

# pop3_alice_setup: for a test of mpop against the harness's dovecot
# (need_servers first): an isolated home, T, alice's server Maildir SRV
# emptied, $T/src for the messages to put there, her password in
# MKIT_PASSWORD and S, the options that reach her mailbox over POP3S.
pop3_alice_setup() {
	need_servers
	mkit_isolate
	T=$BATS_TEST_TMPDIR
	SRV=$MAILDIR_ROOT/alice/Maildir
	mkdir -p "$SRV/new" "$SRV/cur" "$SRV/tmp" "$T/src"
	find "$SRV/new" "$SRV/cur" -type f -delete
	chown -R "$MAIL_UID:$MAIL_GID" "$MAILDIR_ROOT/alice"
	export MKIT_PASSWORD=$MAIL_PASS1
	S=(--server "pop3s://127.0.0.1:$POP3S_PORT" --ca-file "$MAIL_CA_FILE"
	    --user alice)
}
