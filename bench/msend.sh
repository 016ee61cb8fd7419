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
# Fairness on a shared, noisy machine: postfix is warmed up first (its
# smtpd, cleanup and trivial-rewrite processes started, its maps read);
# msend and curl take turns (message by message for one process per
# message, run by run for one connection), so that a burst of other
# load hits both alike; the queue is left to drain before each
# one-connection run.
#
#	bash bench/msend.sh		# N=1000
#	N=200 MKIT_BIN=/tmp/x/bin bash bench/msend.sh
#	MSMTP=0 bash bench/msend.sh	# without msmtp (a minute at N=1000)
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

# drain: wait (up to 120 s) until postfix has delivered everything.
drain() {
	local i n
	for i in $(seq 1200); do
		n=$(find "$tmp/srv/postfix/spool/incoming" \
		    "$tmp/srv/postfix/spool/active" \
		    "$tmp/srv/postfix/spool/maildrop" -type f 2>/dev/null | wc -l)
		[ "$n" -eq 0 ] && break
		sleep 0.1
	done
	sleep 0.5
}

# now: the time in microseconds (bash's $EPOCHREALTIME: no fork).
now() {
	T=${EPOCHREALTIME/[.,]/}
}

# show NAME USECS: print the rate of N messages in USECS microseconds.
show() {
	awk -v n="$N" -v us="$2" -v s="$1" 'BEGIN {
	    printf "%-34s %8.0f messages/s  (%.2f s)\n", s, n / (us / 1e6),
	    us / 1e6 }'
}

# fail NAME: say that a run of NAME failed.
fail() {
	echo "$1: failed:" >&2
	tail -3 "$tmp/err" >&2
}

# One process per message: msend and curl take turns, message by
# message (who goes first alternates), so both see the same load of a
# shared machine and the same postfix, busy delivering in the
# background; each one's own time is summed.
per_process() {
	local i t0 tm=0 tc=0 k
	drain
	for i in $(seq "$N"); do
		for k in 0 1; do
			now
			t0=$T
			if [ $(((i + k) % 2)) = 0 ]; then
				"$BIN/msend" --server "$URL" --tls=off \
				    bob@example.org <"$tmp/m/m$i.eml" \
				    >/dev/null 2>"$tmp/err" || fail msend
				now
				tm=$((tm + T - t0))
			else
				curl -sS --mail-from alice@example.org \
				    --mail-rcpt bob@example.org \
				    -T "$tmp/m/m$i.eml" "$URL" \
				    >/dev/null 2>"$tmp/err" || fail curl
				now
				tc=$((tc + T - t0))
			fi
		done
	done
	show "msend, one process per message" "$tm"
	show "curl, one process per message" "$tc"
}

# One connection: msend --mbox and curl's -T glob take turns, ROUNDS
# times each (default 3), the queue drained before each; the times are
# summed (rates are per message over all rounds).
one_connection() {
	local r t0 tm=0 tc=0 rounds=${ROUNDS:-3}
	for r in $(seq "$rounds"); do
		drain
		now
		t0=$T
		"$BIN/msend" --server "$URL" --tls=off --mbox "$tmp/box" \
		    bob@example.org >/dev/null 2>"$tmp/err" || fail "msend --mbox"
		now
		tm=$((tm + T - t0))
		drain
		now
		t0=$T
		curl -sS --mail-from alice@example.org \
		    --mail-rcpt bob@example.org -T "$tmp/m/m[1-$N].eml" "$URL" \
		    >/dev/null 2>"$tmp/err" || fail "curl, one connection"
		now
		tc=$((tc + T - t0))
	done
	show "msend --mbox, one connection" "$((tm / rounds))"
	show "curl, one connection" "$((tc / rounds))"
}

# msmtp alone (too slow to take turns with: a minute at N=1000).
per_msmtp() {
	local i t0
	drain
	now
	t0=$T
	for i in $(seq "$N"); do
		msmtp --host=127.0.0.1 --port="$SMTP_PORT" --tls=off --auth=off \
		    --from=alice@example.org bob@example.org <"$tmp/m/m$i.eml" \
		    >/dev/null 2>"$tmp/err" || fail msmtp
	done
	now
	show "msmtp, one process per message" "$((T - t0))"
}

# Warm-up, not timed: 20 messages each way.
for i in $(seq 20); do
	curl -sS --mail-from alice@example.org --mail-rcpt bob@example.org \
	    -T "$tmp/m/m1.eml" "$URL" >/dev/null 2>&1 || true
	"$BIN/msend" --server "$URL" --tls=off bob@example.org \
	    <"$tmp/m/m1.eml" >/dev/null 2>&1 || true
done

echo "# $N messages of $(wc -c <"$tmp/m/m1.eml") bytes to postfix on $URL"
per_process
one_connection
if [ "${MSMTP:-1}" = 0 ]; then
	echo "msmtp: skipped (MSMTP=0)"
elif command -v msmtp >/dev/null; then
	per_msmtp
else
	echo "msmtp: not installed, skipped"
fi
