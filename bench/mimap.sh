#!/usr/bin/env bash
# bench/mimap.sh [COUNT]: mimap against curl and mbsync on the harness's
# dovecot, one run, same folder of COUNT (5000) messages over IMAPS:
#   - headers summary: mimap list (one UID FETCH) vs curl fetching each
#     header over one connection, and curl's single UID FETCH 1:*;
#   - all messages into a Maildir: mimap fetch --all --maildir vs
#     mbsync's full pull vs one curl process per message (sampled).
# Prints seconds, messages/s and peak RSS (kB, /usr/bin/time).  Needs
# root (the harness), curl, mbsync (package isync) and time.
set -u
N=${1:-5000}
SAMPLE=200	# messages fetched with one curl process each
TOP=$(cd "$(dirname "$0")/.." && pwd)
BIN=${MKIT_BIN:-$TOP/bin}
D=$(mktemp -d /tmp/mimap-bench.XXXXXX)
trap '"$TOP/tests/servers/mail.sh" stop "$D/srv" >/dev/null 2>&1; rm -rf "$D"' EXIT

for t in curl mbsync /usr/bin/time; do
	command -v "$t" >/dev/null || { echo "bench: $t is missing" >&2; exit 1; }
done
mkdir -p "$D/srv"
"$TOP/tests/servers/mail.sh" start "$D/srv" >"$D/start.log" 2>&1 ||
    { cat "$D/start.log" >&2; exit 1; }
set -a
. "$D/srv/env"
set +a

# COUNT messages of 2-6 kB straight into alice's Maildir.
md=${MAILDIR_PATTERN/\%u/alice}
mkdir -p "$md/new" "$md/cur" "$md/tmp"
for i in $(seq "$N"); do
	{
		printf 'From: Sender %d <s%d@example.org>\r\n' "$i" "$i"
		printf 'To: alice@example.org\r\nSubject: bench message %d\r\n' "$i"
		printf 'Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n'
		printf 'Message-ID: <%d@bench.example.org>\r\n\r\n' "$i"
		head -c $((1500 + (i * 37) % 3000)) /dev/zero | tr '\0' 'x' |
		    fold -w 72 | sed 's/$/\r/'
	} >"$md/new/$i.bench.localhost"
done
chown -R "$MAIL_UID:$MAIL_GID" "$md"

export MKIT_CONFIG=$D/config HOME=$D/home MKIT_PASSWORD=$MAIL_PASS1
mkdir -p "$HOME"
printf '[account a]\nuser = alice\nimap = imaps://localhost:%s\nca-file = %s\n' \
    "$IMAPS_PORT" "$MAIL_CA_FILE" >"$MKIT_CONFIG"
chmod 600 "$MKIT_CONFIG"
URL="imaps://localhost:$IMAPS_PORT/INBOX"
CURL=(curl -sS --cacert "$MAIL_CA_FILE" -u "alice:$MAIL_PASS1")

# Let dovecot build its index before anything is timed.
"$BIN/mimap" list INBOX --limit 1 >/dev/null || exit 1

# run NAME COUNT CMD...: time CMD, print one line of results.
run() {
	local name=$1 count=$2 s e rss rc
	shift 2
	s=$(date +%s.%N)
	/usr/bin/time -f %M -o "$D/rss" "$@" >"$D/out" 2>"$D/err"
	rc=$?
	e=$(date +%s.%N)
	rss=$(tail -n 1 "$D/rss")
	awk -v n="$name" -v c="$count" -v s="$s" -v e="$e" -v r="$rss" \
	    -v rc="$rc" 'BEGIN { t = e - s; printf "%-44s %7.2f s %9.0f msg/s %8s kB  exit %d\n", n, t, c / t, r, rc }'
}

echo "# $N messages, dovecot over IMAPS on loopback"
run "mimap list (one UID FETCH)" "$N" "$BIN/mimap" list INBOX
[ "$(wc -l <"$D/out")" -eq "$N" ] || echo "  mimap list: $(wc -l <"$D/out") lines"
run "curl UID FETCH 1:* BODY.PEEK[HEADER]" "$N" "${CURL[@]}" \
    -X 'UID FETCH 1:* BODY.PEEK[HEADER]' "$URL"
[ -s "$D/err" ] && echo "  curl: $(head -n 1 "$D/err")"
for i in $(seq "$N"); do
	echo "url = \"$URL;UID=$i;SECTION=HEADER\""
done >"$D/curl.cfg"
run "curl each header, one connection" "$N" "${CURL[@]}" -K "$D/curl.cfg"

run "mimap fetch --all --maildir" "$N" "$BIN/mimap" fetch INBOX --all \
    --maildir "$D/md-mimap"
[ "$(find "$D/md-mimap/new" -type f | wc -l)" -eq "$N" ] ||
    echo "  mimap: not $N files"

cat >"$D/mbsyncrc" <<EOF
IMAPAccount a
Host localhost
Port $IMAPS_PORT
User alice
PassCmd "printf %s '$MAIL_PASS1'"
SSLType IMAPS
CertificateFile $MAIL_CA_FILE

IMAPStore far
Account a

MaildirStore near
Path $D/md-mbsync/
Inbox $D/md-mbsync/INBOX

Channel c
Far :far:
Near :near:
Patterns INBOX
Create Near
Sync Pull
SyncState *
EOF
mkdir -p "$D/md-mbsync"
run "mbsync full pull" "$N" mbsync -q -c "$D/mbsyncrc" c
[ -s "$D/err" ] && echo "  mbsync: $(head -n 3 "$D/err")"
[ "$(find "$D/md-mbsync/INBOX" -type f | wc -l)" -ge "$N" ] ||
    echo "  mbsync: not $N files"

seqfile=$D/seq
seq "$SAMPLE" >"$seqfile"
run "curl one process per message ($SAMPLE)" "$SAMPLE" sh -c '
	while read -r i; do
		"$@" -o /dev/null "'"$URL"';UID=$i" || exit 1
	done <"'"$seqfile"'"' sh "${CURL[@]}"
