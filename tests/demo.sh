#!/usr/bin/env bash
# make demo: the lecture's mail and DNS story, told by the mkit tools on
# real servers on loopback (tests/servers/): a private DNS hierarchy and
# a resolver, postfix for example.org, dovecot for Bob's mailbox.
# Exits non-zero if any step failed; always stops every server it started.
set -u
cd "$(dirname "$0")/.." || exit 70
top=$PWD
: "${MKIT_BIN:=$top/bin}"
export PATH="$MKIT_BIN:$PATH"

failed=0
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
ok() { printf '   ok: %s\n' "$*"; }
bad() { printf '   FAILED: %s\n' "$*"; failed=1; }
show() { sed 's/^/   /'; }

step "The toolkit"
for t in mlookup msend mpop mimap mmime; do
	if v=$("$t" --version 2>&1); then ok "$v"; else bad "$t --version"; fi
done

if [ "$(id -u)" != 0 ]; then
	step "Real servers"
	echo "   skipped: the demo's servers (nsd, unbound, postfix) need root"
	exit $failed
fi

# MKIT_DEMO_DIR: a directory of the caller's (tests/demo.bats) instead
# of a new one, so it can check that nothing of this run is left.
if [ -n "${MKIT_DEMO_DIR:-}" ]; then
	dir=$MKIT_DEMO_DIR
	mkdir -p "$dir" || exit 73
else
	dir=$(mktemp -d /tmp/mkit-demo.XXXXXX)
fi
started=
cleanup() {
	for k in $started; do tests/servers/$k.sh stop "$dir/$k" >/dev/null 2>&1; done
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for k in dnsns dns mail; do
	mkdir -p "$dir/$k"
	if tests/servers/$k.sh start "$dir/$k" > "$dir/$k.log" 2>&1; then
		started="$started $k"
		set -a; . "$dir/$k/env"; set +a
	else
		bad "starting the $k servers:"; tail -n 20 "$dir/$k.log"
		exit 1
	fi
done

# The tools see only the harness: resolv.conf names the private
# resolver, the accounts file Bob's mailbox (mode 600: it holds his
# password), HOME and state live in the demo's directory.
export HOME=$dir/home XDG_STATE_HOME=$dir/home/state
export MKIT_RESOLV_CONF=$dir/resolv.conf MKIT_CONFIG=$dir/config
mkdir -p "$HOME"
printf 'nameserver %s#%s\n' "$DNS_RESOLVER_ADDR" "$DNS_RESOLVER_PORT" > "$MKIT_RESOLV_CONF"
cat > "$MKIT_CONFIG" <<CONF
# Bob's mailbox on the harness's dovecot
default = bob

[account bob]
user = $MAIL_USER2
password = $MAIL_PASS2
pop3 = pop3://127.0.0.1:$POP3_PORT
imap = imaps://localhost:$IMAPS_PORT
ca-file = $MAIL_CA_FILE
tls = auto
CONF
chmod 600 "$MKIT_CONFIG"

step "1. DNS: where does mail for example.org go? (mlookup --trace, from the root)"
echo "   a private hierarchy on port 53 in network namespace $DNSNS_NETNS:"
echo "   root 127.0.1.1, org. 127.0.2.1, example.org. 127.0.3.1"
if out=$(ip netns exec "$DNSNS_NETNS" mlookup --trace \
    --root-hints "$DNSNS_HINTS" example.org MX 2>&1); then
	printf '%s\n' "$out" | show
else bad "mlookup --trace example.org MX"; printf '%s\n' "$out" | show; fi
echo "   the same through the harness's recursive resolver (unbound):"
if mx=$(mlookup --short example.org MX) && host=${mx#* } &&
    addr=$(mlookup --short "$host" A) && [ -n "$addr" ]; then
	ok "the MX of example.org is $host, at $addr"
else bad "MX host address"; fi

step "2. Alice's user agent builds a message with an inline picture (mmime create)"
# A small PNG, made here: 8x8 pixels, red.
python3 - "$dir/dot.png" <<'PY'
import struct, sys, zlib
w = h = 8
raw = b''.join(b'\0' + b'\xff\x00\x00' * w for _ in range(h))
def chunk(t, d):
    return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) \
    + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b'')
open(sys.argv[1], 'wb').write(png)
PY
# A text part and an HTML part showing the picture inline by Content-ID.
printf '<p>Hi Bob,</p><p>the red dot from the lecture: <img src="cid:dot.png"></p>\n' \
    > "$dir/body.html"
printf 'Hi Bob,\n\nthe red dot from the lecture is in the HTML part.\n\nAlice\n' |
    mmime create -f 'Alice <alice@example.org>' -t 'Bob <bob@example.org>' \
    -s 'The red dot' --html "$dir/body.html" --inline "$dir/dot.png" \
    > "$dir/message.eml" &&
    ok "message.eml: $(wc -c < "$dir/message.eml") bytes, $(grep -c '^Content-ID:' "$dir/message.eml") inline image (Content-ID)" ||
    bad "mmime create"
mmime list "$dir/message.eml" 2>&1 | show

step "3. SMTP: msend --mx delivers it straight to example.org's MX (RFC 5321 dialogue)"
# No relay: msend asks DNS for the MX itself, as a mail server does.
# Only the port is the harness's (MX records carry none).
if msend --trace --mx --dns-server "$DNS_RESOLVER_ADDR#$DNS_RESOLVER_PORT" \
    --mx-port "$SMTP_PORT" --helo client.example.org \
    -f alice@example.org bob@example.org \
    < "$dir/message.eml" 2> "$dir/smtp.trace"; then
	grep -E '^(\* MX|(C|S): (<|EHLO|MAIL|RCPT|DATA|354|\.|250 |221|QUIT|220))' \
	    "$dir/smtp.trace" | show
	ok "accepted"
else bad "msend"; show < "$dir/smtp.trace"; fi

step "4a. POP3: Bob's mpop fetches his mailbox into a Maildir (password redacted)"
got=0
for i in $(seq 50); do
	[ -n "$(ls "$MAILDIR_ROOT/$MAIL_USER2/Maildir/new" 2>/dev/null)" ] && break
	sleep 0.1
done
if mpop --trace --maildir "$dir/Maildir" 2> "$dir/pop3.trace"; then
	grep -E '^(C|S): ' "$dir/pop3.trace" | grep -vE '^S: [^+-]' | head -n 20 | show
	got=$(ls "$dir/Maildir/new" | wc -l)
	[ "$got" = 1 ] && ok "1 message in Bob's Maildir" || bad "$got messages fetched"
else bad "mpop"; show < "$dir/pop3.trace"; fi

step "4b. IMAP: mimap lists Bob's INBOX, files the message, fetches its header"
if list=$(mimap list INBOX 2>&1); then
	printf '%s\n' "$list" | show
	uid=$(printf '%s\n' "$list" | awk -F'\t' 'NR == 1 { print $1 }')
else bad "mimap list"; printf '%s\n' "$list" | show; uid=; fi
if [ -n "$uid" ] && mimap create Lecture 2>/dev/null; mimap move INBOX "$uid" --to Lecture > "$dir/moved"; then
	ok "moved: $(cat "$dir/moved")"
	nuid=$(awk '{ print $2 }' "$dir/moved")
	mimap fetch Lecture "${nuid:-1}" --headers-only | grep -E '^(Subject|From|To):' | show
else bad "mimap move"; fi

step "5. MIME: the message as Bob got it, and the picture back"
msg=$(ls "$dir"/Maildir/new/* 2>/dev/null | head -n 1)
if [ -n "$msg" ]; then
	mmime headers -n received "$msg" | head -n 2 | show
	mmime list "$msg" | show
	mkdir -p "$dir/out"
	if mmime extract -d "$dir/out" "$msg" | show &&
	    a=$(sha256sum < "$dir/dot.png") && b=$(sha256sum < "$dir/out/dot.png") &&
	    [ "$a" = "$b" ]; then
		ok "dot.png extracted byte-identical to Alice's (sha256 ${a%% *})"
	else bad "the extracted picture differs"; fi
else bad "no message in the Maildir"; fi

step "Done: stopping every server"
exit $failed
