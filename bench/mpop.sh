#!/usr/bin/env bash
# bench/mpop.sh: a full fetch of N (5,000) messages of ~5 KB from the
# harness's dovecot on loopback into a Maildir, side by side: mkit's mpop
# (PIPELINING, file and directory fsyncs), Debian's mpop (/usr/bin/mpop,
# by full path: ours has its name), fetchmail (into an MDA that only
# writes the message to a file, so it does less work than the others),
# and one curl process reusing one connection for a URL per message.
# One run each, same server, plain POP3 on 127.0.0.1 for all.  Prints
# seconds, messages/s and peak RSS (GNU time).  Needs root (tests/servers/mail.sh).
#
# usage: bench/mpop.sh [N]      MKIT_BIN: our binaries (default bin/)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
BIN=${MKIT_BIN:-$top/bin}
N=${1:-5000}
[ "$(id -u)" = 0 ] || { echo "bench/mpop.sh: needs root" >&2; exit 77; }
[ -x /usr/bin/time ] ||
    { echo "bench/mpop.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 69; }
D=$(mktemp -d /tmp/mpopbench.XXXXXX)
chmod 755 "$D"
stop() {
	"$top/tests/servers/mail.sh" stop "$D/srv" >/dev/null 2>&1 || true
	rm -rf "$D"
}
trap stop EXIT
"$top/tests/servers/mail.sh" start "$D/srv" >"$D/start.log" 2>&1 ||
    { cat "$D/start.log" >&2; exit 1; }
# shellcheck disable=SC1091
. "$D/srv/env"
SRV=$MAILDIR_ROOT/alice/Maildir
mkdir -p "$SRV/new" "$SRV/cur" "$SRV/tmp"
python3 - "$SRV/new" "$N" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
line = "The quick brown fox jumps over the lazy dog, again and again."
for i in range(1, n + 1):
    body = "".join("%04d %s\r\n" % (k, line) for k in range(72))
    msg = ("From: Bench <bench@example.org>\r\nTo: alice@example.org\r\n"
           "Subject: bench %d\r\nMessage-ID: <%d@bench>\r\n\r\n%s"
           % (i, i, body))
    with open(os.path.join(d, "%d.M%dP1Q1.bench" % (1700000000 + i, i)),
              "w", newline="") as f:
        f.write(msg)
PY
chown -R "$MAIL_UID:$MAIL_GID" "$MAILDIR_ROOT/alice"
export MKIT_PASSWORD=$MAIL_PASS1 XDG_STATE_HOME=$D/state HOME=$D/home
mkdir -p "$HOME"
# Warm dovecot's index so that no tool pays for building it.
"$BIN/mpop" --server "pop3://127.0.0.1:$POP3_PORT" --tls off \
    --user alice --list >/dev/null

# measure NAME CMD...: run CMD under /usr/bin/time (Debian package
# "time"), print a result line: seconds, messages/s, peak RSS.
measure() {
	local name=$1 rc=0 secs kb
	shift
	/usr/bin/time -f '%e %M' -o "$D/time" "$@" >/dev/null || rc=$?
	read -r secs kb <"$D/time"
	awk -v name="$name" -v n="$N" -v s="$secs" -v kb="$kb" -v rc="$rc" \
	    'BEGIN { printf "%-28s %7.2f s %8.0f msg/s %8d KB peak RSS%s\n",
	    name, s, (s > 0 ? n / s : 0), kb, (rc ? "  (exit " rc ")" : "") }'
}

count() {
	find "$1" -type f | wc -l
}

echo "full fetch of $N messages of ~5 KB, dovecot on loopback"
measure "mkit mpop" "$BIN/mpop" --server "pop3://127.0.0.1:$POP3_PORT" \
    --tls off --user alice --maildir "$D/out-mkit" -q
echo "  delivered: $(count "$D/out-mkit/new")"

if [ -x /usr/bin/mpop ]; then
	mkdir -p "$D/out-deb/new" "$D/out-deb/cur" "$D/out-deb/tmp"
	cat >"$D/mpoprc" <<-EOF2
	account bench
	host 127.0.0.1
	port $POP3_PORT
	user alice
	password $MAIL_PASS1
	auth user
	tls off
	pipelining on
	keep on
	uidls_file $D/deb.uidls
	delivery maildir $D/out-deb
	EOF2
	chmod 600 "$D/mpoprc"
	measure "Debian mpop $(/usr/bin/mpop --version | sed -n '1s/.* //p')" \
	    /usr/bin/mpop -C "$D/mpoprc" -q bench
	echo "  delivered: $(count "$D/out-deb/new")"
else
	echo "Debian mpop: not installed (apt-get install mpop)"
fi

if command -v fetchmail >/dev/null; then
	mkdir -p "$D/out-fm"
	cat >"$D/fetchmailrc" <<-EOF2
	set no syslog
	poll 127.0.0.1 protocol pop3 port $POP3_PORT
	  user alice password "$MAIL_PASS1" is root here
	  keep fetchall sslproto ''
	  mda "/bin/sh -c 'cat >$D/out-fm/\$\$'"
	EOF2
	chmod 600 "$D/fetchmailrc"
	measure "fetchmail $(fetchmail --version 2>/dev/null | sed -n '1s/^This is fetchmail release \([^ ,+]*\).*/\1/p')" \
	    fetchmail -f "$D/fetchmailrc" -i "$D/fm.ids" --nosyslog -s
	echo "  delivered: $(count "$D/out-fm")"
else
	echo "fetchmail: not installed (apt-get install fetchmail)"
fi

mkdir -p "$D/out-curl"
for i in $(seq 1 "$N"); do
	printf 'url = "pop3://127.0.0.1:%s/%d"\noutput = "%s/out-curl/%d"\n' \
	    "$POP3_PORT" "$i" "$D" "$i"
done >"$D/curl.cfg"
measure "curl $(curl --version | sed -n '1s/^curl \([^ ]*\).*/\1/p') (one connection)" \
    curl -s -u "alice:$MAIL_PASS1" -K "$D/curl.cfg"
echo "  delivered: $(count "$D/out-curl")"
