#!/usr/bin/env bash
# make demo: the lecture's mail and DNS story on real servers on loopback.
# It grows as the tools land; until a tool has landed, its step is shown
# with a peer tool (dig, curl) and says so.  Exits non-zero if any step
# failed; always stops every server it started.
set -u
cd "$(dirname "$0")/.." || exit 70
top=$PWD
: "${MKIT_BIN:=$top/bin}"
export PATH="$MKIT_BIN:$PATH"

failed=0
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
ok() { printf '   ok: %s\n' "$*"; }
bad() { printf '   FAILED: %s\n' "$*"; failed=1; }

step "The toolkit"
for t in mlookup msend mpop mimap mmime; do
	if v=$("$t" --version 2>&1); then ok "$v"; else bad "$t --version"; fi
done

if [ "$(id -u)" != 0 ]; then
	step "Real servers"
	echo "   skipped: the demo's servers (nsd, unbound, postfix) need root"
	exit $failed
fi

dir=$(mktemp -d /tmp/mkit-demo.XXXXXX)
started=
cleanup() {
	for k in $started; do tests/servers/$k.sh stop "$dir/$k" >/dev/null 2>&1; done
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for k in dns mail; do
	mkdir -p "$dir/$k"
	if tests/servers/$k.sh start "$dir/$k" > "$dir/$k.log" 2>&1; then
		started="$started $k"
		set -a; . "$dir/$k/env"; set +a
	else
		bad "starting the $k servers:"; tail -n 20 "$dir/$k.log"
		exit 1
	fi
done

step "DNS: a private hierarchy on loopback (root, TLDs, example.org's zone) and a resolver"
echo "   authoritative nsd on $DNS_AUTH_ADDR#$DNS_AUTH_PORT, recursive unbound on $DNS_RESOLVER_ADDR#$DNS_RESOLVER_PORT"
echo "   (shown with dig until mlookup lands)"
if out=$(dig +noall +answer @"$DNS_RESOLVER_ADDR" -p "$DNS_RESOLVER_PORT" \
    example.org. MX 2>&1) && [ -n "$out" ]; then
	printf '%s\n' "$out" | sed 's/^/   /'
else bad "MX lookup through the resolver"; fi
if out=$(dig +noall +answer @"$DNS_RESOLVER_ADDR" -p "$DNS_RESOLVER_PORT" \
    mail.example.org. A 2>&1) && [ -n "$out" ]; then
	printf '%s\n' "$out" | sed 's/^/   /'
else bad "A lookup of the MX host"; fi

step "SMTP: Alice sends to Bob through postfix (shown with curl until msend lands)"
msg=$dir/message.eml
printf 'From: alice@%s\r\nTo: bob@%s\r\nSubject: hello from the demo\r\n\r\nHi Bob!\r\n' \
    "$MAIL_DOMAIN" "$MAIL_DOMAIN" > "$msg"
if curl -sS --url "smtp://127.0.0.1:$SMTP_PORT/client.example.org" --mail-from "alice@$MAIL_DOMAIN" \
    --mail-rcpt "bob@$MAIL_DOMAIN" -T "$msg" -v 2>&1 |
    grep -E '^[<>] (EHLO|MAIL|RCPT|DATA|QUIT|250|354|221)' | sed 's/^/   /'; then
	ok "submitted"
else bad "SMTP submission"; fi

step "IMAP: Bob reads his INBOX over TLS (shown with curl until mimap lands)"
# The password goes through a netrc file, never argv.
printf 'machine localhost login %s password "%s"\n' "$MAIL_USER2" "$MAIL_PASS2" > "$dir/netrc"
got=
for i in $(seq 1 50); do
	got=$(curl -sS --cacert "$MAIL_CA_FILE" \
	    --resolve "localhost:$IMAPS_PORT:127.0.0.1" --netrc-file "$dir/netrc" \
	    "imaps://localhost:$IMAPS_PORT/INBOX;UID=1;SECTION=HEADER.FIELDS%20(SUBJECT)" 2>/dev/null) &&
	    [ -n "$got" ] && break
	sleep 0.1
done
case $got in
*"hello from the demo"*) ok "Bob's INBOX has: $(printf '%s' "$got" | tr -d '\r' | head -n 1)" ;;
*) bad "message not found in Bob's INBOX" ;;
esac

step "Done: stopping every server"
exit $failed
