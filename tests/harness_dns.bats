#!/usr/bin/env bats
# The DNS part of the test harness: tests/servers/dns.sh (nsd for a
# private root, example., test. and reverse zones; unbound resolving
# from that root) and tests/peers/fakepeer.py, checked with dig.

load helpers

# bats 1.8 cannot skip from setup_file: it notes why here, and the
# tests that need the servers (need_servers) or dig (need_dig) skip.
setup_file() {
	if ! command -v dig >/dev/null; then
		export DNS_SKIP="needs dig (Debian: bind9-dnsutils)"
	elif [ "$(id -u)" != 0 ]; then
		export DNS_SKIP="needs root to run the servers (nsd, unbound)"
	else
		servers_start dns
	fi
}

teardown_file() {
	servers_stop
}

setup() {
	mkit_isolate
	PEER_PIDS=()
	NPEER=0
}

teardown() {
	local pid
	for pid in "${PEER_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
}

need_servers() {
	[ -z "${DNS_SKIP:-}" ] || skip "$DNS_SKIP"
}

need_dig() {
	command -v dig >/dev/null || skip "needs dig (Debian: bind9-dnsutils)"
}

# auth/res ARGS...: dig at the authoritative server (no recursion
# wanted) or at the resolver
auth() {
	dig @"$DNS_AUTH_ADDR" -p "$DNS_AUTH_PORT" +norec +time=2 +tries=1 "$@"
}
res() {
	dig @"$DNS_RESOLVER_ADDR" -p "$DNS_RESOLVER_PORT" +time=3 +tries=1 "$@"
}

# peer SCRIPT ARGS...: start fakepeer.py with the script text SCRIPT and
# ARGS; sets PEER_PORT and PEER_LOG (files peerN.* in the test's dir).
peer() {
	local d="$BATS_TEST_TMPDIR/peer$((++NPEER))" i
	printf '%s\n' "$1" > "$d.script"
	shift
	"$MKIT_TOP/tests/peers/fakepeer.py" --script "$d.script" \
	    --log "$d.log" --timeout 15 "$@" > "$d.port" 2> "$d.err" 3>&- &
	PEER_PIDS+=($!)
	for i in $(seq 50); do
		[ -s "$d.port" ] && break
		sleep 0.1
	done
	PEER_PORT=$(head -n 1 "$d.port")
	PEER_LOG=$d.log
	[ -n "$PEER_PORT" ] || { cat "$d.err" >&2; return 1; }
}

@test "dns.sh publishes two distinct ports and the zone directory" {
	need_servers
	[ "$DNS_AUTH_ADDR" = 127.0.0.1 ]
	[ "$DNS_RESOLVER_ADDR" = 127.0.0.1 ]
	[ "$DNS_AUTH_PORT" -gt 1024 ]
	[ "$DNS_RESOLVER_PORT" -gt 1024 ]
	[ "$DNS_AUTH_PORT" != "$DNS_RESOLVER_PORT" ]
	[ -s "$DNS_ZONES/example.zone" ]
	[ -s "$DNS_ZONES/root.zone" ]
}

@test "authoritative: example. A, MX and TXT, with AA" {
	need_servers
	run auth example. A
	[ "$status" -eq 0 ]
	[[ $output == *"status: NOERROR"* ]]
	[[ $output == *"flags: qr aa;"* ]]
	run auth +short example. A
	[ "$output" = 192.0.2.1 ]
	run auth +short example. MX
	[ "$(sort -n <<< "$output")" = "10 mx1.example.
20 mx2.example.
30 mx3.test." ]
	run auth +short example. TXT
	[ "$output" = '"v=spf1 ip4:192.0.2.0/24 -all"' ]
}

@test "authoritative: the root zone refers nowhere. (NS and glue, no AA)" {
	need_servers
	run auth www.nowhere. A
	[ "$status" -eq 0 ]
	[[ $output == *"status: NOERROR"* ]]
	[[ $output == *"flags: qr;"* ]]
	[[ $output == *"ANSWER: 0, AUTHORITY: 1,"* ]]
	run auth +noall +authority +additional www.nowhere. A
	[[ $output == *nowhere.*IN*NS*ns.nowhere.* ]]
	[[ $output == *ns.nowhere.*IN*A*127.0.0.1* ]]
	run auth +short . SOA
	[[ $output == "ns.root. hostmaster.root. "* ]]
}

@test "authoritative: the zones hold the record types the client needs" {
	need_servers
	run auth +short nomail.example. MX
	[ "$output" = "0 ." ]
	run auth +short multi.example. TXT
	[ "$output" = '"first" "second" "third"' ]
	run auth +short quoted.example. TXT
	[ "$output" = '"say \"hi\""' ]
	run auth +short long.example. TXT
	[ "${#output}" -gt 300 ]
	run auth +short _submission._tcp.example. SRV
	[ "${#lines[@]}" -eq 3 ]
	run auth +short sip.example. NAPTR
	[ "${#lines[@]}" -eq 3 ]
	run auth +short example. CAA
	[[ $output == *'0 issue "ca.example.net"'* ]]
	run auth +short www.example. SSHFP
	[ "${#lines[@]}" -eq 2 ]
	run auth +short _443._tcp.www.example. TLSA
	[[ $output == "3 1 1 "* ]]
	run auth +short www.example. HTTPS
	[[ $output == '1 . alpn="h2,h3" port=443 '* ]]
	run auth +short _dns.ns1.example. SVCB
	[[ $output == "1 ns1.example. "* ]]
	run auth +short unknown.example. TYPE65400
	[ "$output" = '\# 4 0A000001' ]
	run auth +short many.example. A
	[ "${#lines[@]}" -eq 32 ]
	run auth +short any.thing.wild.example. A
	[ "$output" = 192.0.2.50 ]
	run auth +short exact.wild.example. A
	[ "$output" = 192.0.2.51 ]
	run auth -x 192.0.2.10 +short
	[ "$output" = www.example. ]
	run auth -x 2001:db8::1 +short
	[ "$output" = example. ]
}

@test "authoritative: NXDOMAIN, and NODATA for an empty non-terminal" {
	need_servers
	run auth nonexistent.example. A
	[[ $output == *"status: NXDOMAIN"* ]]
	run auth b.ent.example. A
	[[ $output == *"status: NOERROR"* ]]
	[[ $output == *"ANSWER: 0,"* ]]
	run auth +short a.b.ent.example. A
	[ "$output" = 192.0.2.60 ]
}

@test "big RRset: TC=1 over UDP, whole over TCP, also via the resolver" {
	need_servers
	run auth +ignore +notcp big.test. TXT
	[[ $output == *"flags: qr aa tc;"* ]]
	run auth +tcp +short big.test. TXT
	[ "${#lines[@]}" -eq 40 ]
	run auth +ignore +bufsize=4096 huge.test. AAAA
	[[ $output == *"flags: qr aa tc;"* ]]
	run auth +tcp +short huge.test. AAAA
	[ "${#lines[@]}" -eq 160 ]
	run res +ignore big.test. TXT
	[[ $output == *"flags: qr tc rd ra;"* ]]
	run res +tcp +short big.test. TXT
	[ "${#lines[@]}" -eq 40 ]
}

@test "resolver: recursion from the private root, CNAMEs across zones" {
	need_servers
	run res www.example. A
	[ "$status" -eq 0 ]
	[[ $output == *"flags: qr rd ra;"* ]]
	run res +short www.example. A
	[ "$output" = 192.0.2.10 ]
	run res +short chain1.example. A
	[ "$output" = "chain2.example.
chain3.example.
www.example.
192.0.2.10" ]
	run res +short cross.example. A
	[ "$output" = "host.test.
192.0.2.80" ]
	run res +short -x 192.0.2.25
	[ "$output" = mx1.example. ]
	run res nonexistent.example. A
	[[ $output == *"status: NXDOMAIN"* ]]
}

@test "resolver: a real internet name is NXDOMAIN from the private root" {
	need_servers
	run res debian.com. A
	[ "$status" -eq 0 ]
	[[ $output == *"status: NXDOMAIN"* ]]
	[[ $output == *"ANSWER: 0,"* ]]
	[[ $output == *"ns.root. hostmaster.root."* ]]
}

@test "fakepeer: a UDP reply with the wrong ID is ignored, dig times out" {
	need_dig
	peer $'recv\nreply wrong-id A:192.0.2.99' --udp --port 0
	run dig @127.0.0.1 -p "$PEER_PORT" +tries=1 +time=1 www.example. A
	[ "$status" -eq 9 ]
	[[ $output == *"ID mismatch"* ]]
	[[ $output != *192.0.2.99* ]]
	grep -q ' www\.example\. 1$' "$PEER_LOG"
}

@test "fakepeer: TC=1 over UDP, then the answer over TCP on that port" {
	need_dig
	local udp_log try
	# UDP on a free port, then TCP on the same number: that one may be
	# taken already, so try again with another (a few times at most).
	for try in 1 2 3 4 5; do
		peer $'recv\nreply tc' --udp --port 0
		udp_log=$PEER_LOG
		peer $'recv\nreply aa A:192.0.2.99' --tcp --port "$PEER_PORT" \
		    2>/dev/null && break
		kill "${PEER_PIDS[-1]}" "${PEER_PIDS[-2]}" 2>/dev/null || true
	done
	run dig @127.0.0.1 -p "$PEER_PORT" +tries=1 +time=2 +short x.example. A
	[ "$status" -eq 0 ]
	[ "$output" = 192.0.2.99 ]
	grep -q ' x\.example\. 1$' "$udp_log"
	grep -q ' x\.example\. 1$' "$PEER_LOG"
}

@test "fakepeer: a TCP answer cut short makes dig fail" {
	need_dig
	peer $'recv\ndrop 6' --tcp --port 0
	run dig @127.0.0.1 -p "$PEER_PORT" +tcp +tries=1 +time=2 cut.example. A
	[ "$status" -ne 0 ]
	[[ $output != *"status: NOERROR"* ]]
	grep -q ' cut\.example\. 1$' "$PEER_LOG"
}

@test "fakepeer: a text peer logs the lines the client sent" {
	local greeting reply bye script='sendline 220 fake ESMTP
recv
sendline 250 fake
recv
sendline 221 bye
close'
	peer "$script" --tcp --text --port 0
	exec 5<>"/dev/tcp/127.0.0.1/$PEER_PORT"
	read -r -t 5 greeting <&5
	printf 'EHLO client.example\r\n' >&5
	read -r -t 5 reply <&5
	printf 'QUIT\r\n' >&5
	read -r -t 5 bye <&5
	exec 5<&-
	[ "$greeting" = $'220 fake ESMTP\r' ]
	[ "$reply" = $'250 fake\r' ]
	[ "$bye" = $'221 bye\r' ]
	[ "$(cat "$PEER_LOG")" = "EHLO client.example
QUIT" ]
}
