#!/usr/bin/env bash
# msend.sh: sending N small messages to the harness's local postfix
# (tests/servers/mail.sh, plain SMTP port, no TLS, no AUTH), side by side
# in one run:
#   msend, one process per message;
#   msend --mbox, every message over one connection;
#   msmtp, one process per message (if installed);
#   curl, one process per message;
#   curl, every message over one connection (-T with a [1-N] glob).
# Prints messages per second.  Needs root (postfix) and a build in bin/
# or MKIT_BIN.
#
#	bash bench/msend.sh		# N=1000
#	N=200 MKIT_BIN=/tmp/x/bin bash bench/msend.sh
set -eu
cd "$(dirname "$0")/.."
N=${N:-1000}
BIN=${MKIT_BIN:-$PWD/bin}
[ "$(id -u)" = 0 ] || { echo "msend.sh: needs root (postfix)" >&2; exit 1; }
[ -x "$BIN/msend" ] || { echo "msend.sh: no $BIN/msend (make first)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/msendbench.XXXXXX)
cleanup() {
	tests/servers/mail.sh stop "$tmp/srv" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
tests/servers/mail.sh start "$tmp/srv" >"$tmp/start.log" 2>&1 ||
    { cat "$tmp/start.log" >&2; exit 1; }
set -a
. "$tmp/srv/env"
set +a
export MKIT_CONFIG=$tmp/config HOME=$tmp
: >"$MKIT_CONFIG"
URL=smtp://127.0.0.1:$SMTP_PORT

mkdir "$tmp/m"
for i in $(seq "$N"); do
	printf 'From: alice@example.org\r\nTo: bob@example.org\r\nSubject: bench %s\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-ID: <b%s@example.org>\r\n\r\nmessage %s\r\n' \
	    "$i" "$i" "$i" >"$tmp/m/m$i.eml"
done
for i in $(seq "$N"); do
	printf 'From alice@example.org Mon Jan  1 00:00:00 2024\n'
	tr -d '\r' <"$tmp/m/m$i.eml"
	echo
done >"$tmp/box"

# rate NAME COMMAND...: run COMMAND, print messages per second.
rate() {
	local name=$1 t0 t1
	shift
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>"$tmp/err" || { echo "$name: failed:" >&2; tail -3 "$tmp/err" >&2; }
	t1=$(date +%s.%N)
	awk -v n="$N" -v a="$t0" -v b="$t1" -v s="$name" \
	    'BEGIN { printf "%-34s %8.0f messages/s  (%.2f s)\n", s, n / (b - a), b - a }'
}

per_msend() {
	local i
	for i in $(seq "$N"); do
		"$BIN/msend" --server "$URL" --tls=off bob@example.org <"$tmp/m/m$i.eml"
	done
}
mbox_msend() {
	"$BIN/msend" --server "$URL" --tls=off --mbox "$tmp/box" bob@example.org
}
per_msmtp() {
	local i
	for i in $(seq "$N"); do
		msmtp --host=127.0.0.1 --port="$SMTP_PORT" --tls=off --auth=off \
		    --from=alice@example.org bob@example.org <"$tmp/m/m$i.eml"
	done
}
per_curl() {
	local i
	for i in $(seq "$N"); do
		curl -sS --mail-from alice@example.org --mail-rcpt bob@example.org \
		    -T "$tmp/m/m$i.eml" "$URL"
	done
}
one_curl() {
	curl -sS --mail-from alice@example.org --mail-rcpt bob@example.org \
	    -T "$tmp/m/m[1-$N].eml" "$URL"
}

echo "# $N messages of $(wc -c <"$tmp/m/m1.eml") bytes to postfix on $URL"
rate "msend, one process per message" per_msend
rate "msend --mbox, one connection" mbox_msend
if command -v msmtp >/dev/null; then
	rate "msmtp, one process per message" per_msmtp
else
	echo "msmtp: not installed, skipped"
fi
rate "curl, one process per message" per_curl
rate "curl, one connection" one_curl
