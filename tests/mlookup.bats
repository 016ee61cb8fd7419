#!/usr/bin/env bats
# mlookup against the harness's real nsd (authoritative) and unbound
# (recursive) servers, compared with dig on the same server; the fake
# peer only for faults a real server never makes (spoofed and malformed
# replies).  resolv.conf is always a file of the test's own
# (MKIT_RESOLV_CONF), naming the harness resolver, never the machine's.

# shellcheck disable=SC2154 # status, output, stderr, lines: set by run
bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	servers_start dns
}

teardown_file() {
	servers_stop
}

setup() {
	mkit_isolate
	PEER_PIDS=()
	NPEER=0
	RC=$BATS_TEST_TMPDIR/resolv.conf
	printf 'nameserver %s#%s\n' "${DNS_RESOLVER_ADDR:-127.0.0.1}" \
	    "${DNS_RESOLVER_PORT:-9}" > "$RC"
	export MKIT_RESOLV_CONF=$RC
	AUTH="@${DNS_AUTH_ADDR:-}#${DNS_AUTH_PORT:-}"
	RES="@${DNS_RESOLVER_ADDR:-}#${DNS_RESOLVER_PORT:-}"
}

teardown() {
	local pid
	for pid in "${PEER_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
}

need_dig() {
	command -v dig >/dev/null || skip "needs dig (Debian: bind9-dnsutils)"
}

# dig_auth ARGS...: dig at nsd, no recursion, like "mlookup ... $AUTH".
dig_auth() {
	dig @"$DNS_AUTH_ADDR" -p "$DNS_AUTH_PORT" +norec +time=2 +tries=1 "$@"
}

# json_answers: the answer section of mlookup --json on stdin as lines
# "name ttl class type data" (one space between the fields).
json_answers() {
	python3 -c '
import json, sys
for line in sys.stdin:
    for a in json.loads(line)["answer"]:
        print(a["name"], a["ttl"], a["class"], a["type"], a["data"])
'
}

# dig_answers ARGS...: dig's answer section in the same shape.
dig_answers() {
	dig_auth +noall +answer "$@" | python3 -c '
import sys
for line in sys.stdin:
    print(" ".join(line.rstrip("\n").split(None, 4)))
'
}

# peer SCRIPT ARGS...: start fakepeer.py with the script text SCRIPT and
# ARGS; sets PEER_PORT and PEER_LOG.
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

# The records of the test zones, one "NAME TYPE" a line: every type the
# issue names, and the TXT forms that need quoting and escapes.
QUERIES="example. A
example. AAAA
example. NS
example. SOA
example. MX
example. TXT
example. CAA
example. HTTPS
example. ANY
www.example. A
www.example. SSHFP
www.example. HTTPS
alias.example. CNAME
alias.example. A
_443._tcp.www.example. TLSA
_submission._tcp.example. SRV
_pop3s._tcp.example. SRV
sip.example. NAPTR
_dns.ns1.example. SVCB
unknown.example. TYPE65400
txt.example. TXT
quoted.example. TXT
escaped.example. TXT
multi.example. TXT
long.example. TXT
emptytxt.example. TXT
nomail.example. MX
many.example. A
any.thing.wild.example. TXT
exact.wild.example. A
10.2.0.192.in-addr.arpa. PTR
80.2.0.192.in-addr.arpa. PTR
1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. PTR
example. DS
example. DNSKEY
example. RRSIG
example. NSEC
example. NSEC3"

@test "--short agrees with dig +short on every type of the test zones" {
	need_servers
	need_dig
	local name type want bad=
	while read -r name type; do
		want=$(dig_auth +short "$name" "$type")
		run --separate-stderr mlookup --short "$name" "$type" "$AUTH"
		if [ -n "$want" ]; then
			[ "$status" -eq 0 ] || bad+="$name $type: exit $status"$'\n'
		else
			[ "$status" -eq 1 ] || bad+="$name $type: exit $status, want 1"$'\n'
		fi
		[ "$output" = "$want" ] ||
		    bad+="$name $type: got '$output', dig '$want'"$'\n'
	done <<<"$QUERIES"
	[ -z "$bad" ] || { echo "$bad" >&2; return 1; }
}

@test "--json answers agree with dig (name, TTL, class, type, data)" {
	need_servers
	need_dig
	local name type want got bad=
	while read -r name type; do
		want=$(dig_answers "$name" "$type")
		got=$(mlookup --json "$name" "$type" "$AUTH" | json_answers) ||
		    bad+="$name $type: no JSON"$'\n'
		[ "$got" = "$want" ] ||
		    bad+="$name $type:"$'\n'"  got  $got"$'\n'"  dig  $want"$'\n'
	done <<<"$QUERIES"
	[ -z "$bad" ] || { echo "$bad" >&2; return 1; }
}

@test "--json has the shape of the issue, one object per line" {
	need_servers
	run --separate-stderr mlookup --json www.example. A "$AUTH"
	[ "$status" -eq 0 ] || fail_run "exit status"
	[ "${#lines[@]}" -eq 1 ] || fail_run "not one line"
	python3 - "$output" "$DNS_AUTH_PORT" <<'PY' || fail_run "shape"
import json, sys
o = json.loads(sys.argv[1])
assert list(o) == ["server", "id", "status", "flags", "question", "answer",
    "authority", "additional", "edns", "time_ms", "transport"], list(o)
assert o["server"] == "127.0.0.1#" + sys.argv[2]
assert isinstance(o["id"], int) and 0 <= o["id"] < 65536
assert o["status"] == "NOERROR"
assert o["flags"] == ["qr", "aa", "rd"], o["flags"]
assert o["question"] == {"name": "www.example.", "type": "A", "class": "IN"}
assert o["answer"] == [{"name": "www.example.", "ttl": 3600, "class": "IN",
    "type": "A", "data": "192.0.2.10"}], o["answer"]
assert [a["data"] for a in o["authority"]] == ["ns1.example.", "ns2.example."]
assert all(a["type"] != "OPT" for a in o["additional"])
assert o["edns"]["version"] == 0 and o["edns"]["udp"] == 4096, o["edns"]
assert isinstance(o["time_ms"], float) and 0 <= o["time_ms"] < 5000
assert o["transport"] == "udp"
PY
}

@test "the default output: dig's header, sections and answer lines" {
	need_servers
	need_dig
	run --separate-stderr mlookup www.example. A "$AUTH"
	[ "$status" -eq 0 ] || fail_run "exit status"
	[[ ${lines[0]} == ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: "* ]] ||
	    fail_run "header line"
	[ "${lines[1]}" = ";; flags: qr aa rd; QUERY: 1, ANSWER: 1, AUTHORITY: 2, ADDITIONAL: 3" ] ||
	    fail_run "flags line"
	[ "${lines[2]}" = ";; authoritative answer" ] || fail_run "aa line"
	[[ $output == *";; QUESTION SECTION:"$'\n'";www.example."$'\t\t\t'"IN"$'\t'"A"* ]] ||
	    fail_run "question"
	# the answer section, line for line as dig prints it
	local want
	want=$(dig_auth +noall +answer www.example. A)
	[[ $output == *";; ANSWER SECTION:"$'\n'"$want"$'\n'* ]] ||
	    fail_run "answer section differs from dig's: $want"
	[[ $output == *";; Query time: "*" msec"* ]] || fail_run "query time"
	[[ $output == *";; SERVER: 127.0.0.1#$DNS_AUTH_PORT (UDP)"* ]] ||
	    fail_run "server line"
	[[ $output == *";; MSG SIZE  rcvd: 124" ]] || fail_run "size line"
	run --separate-stderr mlookup www.example. A "$RES"
	[ "${lines[2]}" = ";; non-authoritative answer" ] || fail_run "not aa"
}

@test "a truncated UDP reply is asked again over TCP; --tcp forces TCP" {
	need_servers
	run --separate-stderr mlookup --short big.test. TXT "$AUTH"
	[ "$status" -eq 0 ] || fail_run "exit status"
	[ "${#lines[@]}" -eq 40 ] || fail_run "not 40 records"
	run --separate-stderr mlookup --json big.test. TXT "$AUTH"
	[[ $output == *'"transport":"tcp"}' ]] || fail_run "not over TCP"
	run --separate-stderr mlookup --bufsize 4096 --short huge.test. AAAA "$RES"
	[ "${#lines[@]}" -eq 160 ] || fail_run "huge: not 160 records"
	# small enough for UDP, but --tcp
	run --separate-stderr mlookup --tcp www.example. A "$AUTH"
	[[ $output == *"(TCP)"* ]] || fail_run "--tcp: not over TCP"
	run --separate-stderr mlookup www.example. A "$AUTH"
	[[ $output == *"(UDP)"* ]] || fail_run "plain: not over UDP"
	# without EDNS 32 A records (541 bytes) do not fit in 512
	run --separate-stderr mlookup --no-edns --json many.example. A "$AUTH"
	[[ $output == *'"edns":null'* ]] || fail_run "--no-edns sent EDNS"
	[[ $output == *'"transport":"tcp"}' ]] || fail_run "many: not TCP"
}

@test "NXDOMAIN and NODATA are exit 1, the reply still printed" {
	need_servers
	run --separate-stderr mlookup nonexistent.example. A "$AUTH"
	[ "$status" -eq 1 ] || fail_run "NXDOMAIN: exit status"
	[[ $output == *"status: NXDOMAIN"* ]] || fail_run "NXDOMAIN: status"
	[[ $output == *";; AUTHORITY SECTION:"*SOA* ]] || fail_run "no SOA"
	[ -z "$stderr" ] || fail_run "NXDOMAIN: stderr"
	run --separate-stderr mlookup --short nonexistent.example. A "$RES"
	[ "$status" -eq 1 ] || fail_run "NXDOMAIN via resolver"
	[ -z "$output" ] || fail_run "--short printed something"
	run --separate-stderr mlookup --json b.ent.example. A "$AUTH"
	[ "$status" -eq 1 ] || fail_run "NODATA (empty non-terminal)"
	[[ $output == *'"status":"NOERROR"'*'"answer":[]'* ]] ||
	    fail_run "NODATA: JSON"
	run --separate-stderr mlookup --short www.example. MX "$AUTH"
	[ "$status" -eq 1 ] || fail_run "NODATA (no MX)"
}

@test "SERVFAIL (a CNAME loop at the resolver) is exit 69, stdout empty" {
	need_servers
	run --separate-stderr mlookup loop1.example. A "$RES"
	[ "$status" -eq 69 ] || fail_run "exit status"
	[ -z "$output" ] || fail_run "stdout not empty"
	[ "$stderr" = "mlookup: loop1.example. A: SERVFAIL from 127.0.0.1#$DNS_RESOLVER_PORT" ] ||
	    fail_run "message"
}

@test "REFUSED (a zone nsd does not serve) is exit 69" {
	need_servers
	run --separate-stderr mlookup -c HS www.example. A "$AUTH"
	[ "$status" -eq 69 ] || fail_run "exit status"
	[ -z "$output" ] || fail_run "stdout not empty"
	[[ $stderr == "mlookup: www.example. A: REFUSED from "* ]] ||
	    fail_run "message"
}

@test "reverse lookups: -x for IPv4 and IPv6" {
	need_servers
	run --separate-stderr mlookup --short -x 192.0.2.25 "$RES"
	[ "$output" = mx1.example. ] || fail_run "-x v4 via resolver"
	run --separate-stderr mlookup --short -x 2001:db8::10 "$AUTH"
	[ "$output" = www.example. ] || fail_run "-x v6"
	run --separate-stderr mlookup --json --reverse 192.0.2.1 "$AUTH"
	[[ $output == *'"question":{"name":"1.2.0.192.in-addr.arpa.","type":"PTR","class":"IN"}'* ]] ||
	    fail_run "-x question"
	run --separate-stderr mlookup -x 192.0.2.99 "$AUTH"
	[ "$status" -eq 1 ] || fail_run "-x unknown address: exit status"
}

@test "the search list and ndots of resolv.conf" {
	need_servers
	printf 'nameserver 127.0.0.1#%s\nsearch example test\n' \
	    "$DNS_RESOLVER_PORT" > "$RC"
	run --separate-stderr mlookup --short www
	[ "$output" = 192.0.2.10 ] || fail_run "www: first search domain"
	# host.example. is NXDOMAIN: host.test. is next
	run --separate-stderr mlookup --json host
	[[ $output == *'"name":"host.test."'*'"data":"192.0.2.80"'* ]] ||
	    fail_run "host: second search domain"
	# with ndots:2, www.example is tried with the domains first
	printf 'nameserver 127.0.0.1#%s\nsearch test\noptions ndots:2\n' \
	    "$DNS_RESOLVER_PORT" > "$RC"
	run --separate-stderr mlookup --short back
	[ "$output" = "www.example.
192.0.2.10" ] || fail_run "back: back.test."
	run --separate-stderr mlookup --short back.
	[ "$status" -eq 1 ] || fail_run "back.: absolute, no search"
	run --separate-stderr mlookup --json www.example
	[[ $output == *'"question":{"name":"www.example."'* ]] ||
	    fail_run "www.example as is, last"
	run --separate-stderr mlookup --short nothing-here
	[ "$status" -eq 1 ] || fail_run "NXDOMAIN everywhere: exit status"
}

@test "failover: the first server refuses, the second answers" {
	need_servers
	local dead
	dead=$(free_port)
	printf 'nameserver 127.0.0.1#%s\nnameserver 127.0.0.1#%s\n' \
	    "$dead" "$DNS_RESOLVER_PORT" > "$RC"
	run --separate-stderr mlookup www.example.
	[ "$status" -eq 0 ] || fail_run "exit status"
	[[ $output == *";; SERVER: 127.0.0.1#$DNS_RESOLVER_PORT (UDP)"* ]] ||
	    fail_run "not the second server"
}

@test "failover: the first server times out, the second answers" {
	need_servers
	peer $'recv\nstall 5' --udp --port 0
	printf 'nameserver 127.0.0.1#%s\nnameserver 127.0.0.1#%s\n' \
	    "$PEER_PORT" "$DNS_RESOLVER_PORT" > "$RC"
	run --separate-stderr mlookup --timeout 1 --short www.example.
	[ "$status" -eq 0 ] || fail_run "exit status"
	[ "$output" = 192.0.2.10 ] || fail_run "answer"
	grep -q ' www\.example\. 1$' "$PEER_LOG" || fail_run "peer not asked first"
}

@test "no server reachable, or none answers: exit 75" {
	local dead
	dead=$(free_port)
	run --separate-stderr mlookup www.example. "@127.0.0.1#$dead"
	[ "$status" -eq 75 ] || fail_run "refused: exit status"
	[ -z "$output" ] || fail_run "stdout not empty"
	[ "$stderr" = "mlookup: www.example. A: 127.0.0.1#$dead: Connection refused" ] ||
	    fail_run "refused: message"
	peer $'recv\nrecv\nstall 5' --udp --port 0
	run --separate-stderr mlookup --timeout 1 --retries 1 www.example. \
	    "@127.0.0.1#$PEER_PORT"
	[ "$status" -eq 75 ] || fail_run "timeout: exit status"
	[[ $stderr == *"no answer from 127.0.0.1#$PEER_PORT within 1000 ms" ]] ||
	    fail_run "timeout: message"
	# --retries 1: two tries, each a new ID
	[ "$(wc -l < "$PEER_LOG")" -eq 2 ] || fail_run "not two tries"
	[ "$(cut -c1-4 "$PEER_LOG" | sort -u | wc -l)" -eq 2 ] ||
	    fail_run "the same ID twice"
}

@test "spoofed replies (wrong ID, another port) are ignored" {
	peer $'recv\nreply wrong-id A:192.0.2.99\nreply from-other-port A:192.0.2.98\nreply A:192.0.2.1' \
	    --udp --port 0
	run --separate-stderr mlookup --short x.example. "@127.0.0.1#$PEER_PORT"
	[ "$status" -eq 0 ] || fail_run "exit status"
	[ "$output" = 192.0.2.1 ] || fail_run "took a spoofed answer"
	[[ $stderr == *"ignored 1 replies with a wrong ID"* ]] ||
	    fail_run "not counted"
	# a wrong question, and nothing else: a timeout, saying why
	peer $'recv\nreply qname=y.example. A:192.0.2.97\nstall 3' --udp --port 0
	run --separate-stderr mlookup --short --timeout 1 --retries 0 \
	    x.example. "@127.0.0.1#$PEER_PORT"
	[ "$status" -eq 75 ] || fail_run "wrong question: exit status"
	[ -z "$output" ] || fail_run "wrong question: stdout"
	[[ $stderr == *"0 replies with a wrong ID, 1 with a wrong question"* ]] ||
	    fail_run "wrong question: not counted"
}

@test "malformed replies are exit 76 with the reason" {
	local script reason
	# a CNAME whose rdata (at offset 48 for x.example. A) points to
	# itself, has a label longer than the data, a reserved label type;
	# a reply cut after 14 bytes that still counts a question
	while IFS='|' read -r script reason; do
		peer "${script//;/$'\n'}" --udp --port 0
		run --separate-stderr mlookup x.example. "@127.0.0.1#$PEER_PORT"
		[ "$status" -eq 76 ] || fail_run "$reason: exit status"
		[ -z "$output" ] || fail_run "$reason: stdout not empty"
		[ "$stderr" = "mlookup: x.example. A: malformed reply from 127.0.0.1#$PEER_PORT: $reason" ] ||
		    fail_run "$reason: message"
	done <<'EOF'
recv;reply TYPE5:c030|compression pointer loop
recv;reply TYPE5:3f41|truncated name
recv;reply TYPE5:4141|reserved label type
recv;drop 14|count exceeds data
EOF
}

# In batch, replies are parsed once, on the output side (res_params.lazy):
# the same line, the same exit status, and the name's JSON object.
@test "batch: a malformed reply is that name's error, exit 76" {
	local script reason
	while IFS='|' read -r script reason; do
		peer "${script//;/$'\n'}" --udp --port 0
		run --separate-stderr mlookup --short - "@127.0.0.1#$PEER_PORT" \
		    <<<"x.example."
		[ "$status" -eq 76 ] || fail_run "$reason: exit status"
		[ -z "$output" ] || fail_run "$reason: stdout not empty"
		[ "$stderr" = "mlookup: x.example. A: malformed reply from 127.0.0.1#$PEER_PORT: $reason" ] ||
		    fail_run "$reason: message"
		peer "${script//;/$'\n'}" --udp --port 0
		run --separate-stderr mlookup --json - "@127.0.0.1#$PEER_PORT" \
		    <<<"x.example."
		[ "$status" -eq 76 ] || fail_run "$reason: --json: exit status"
		[ "$output" = '{"input":"x.example. A","status":"ERROR","error":"malformed reply from 127.0.0.1#'"$PEER_PORT: $reason"'"}' ] ||
		    fail_run "$reason: --json: object"
	done <<'EOF'
recv;reply TYPE5:c030|compression pointer loop
recv;drop 14|count exceeds data
EOF
}

@test "FORMERR to EDNS: asked again without EDNS" {
	peer $'recv\nreply FORMERR\nrecv\nreply A:192.0.2.5' --udp --port 0
	run --separate-stderr mlookup --short x.example. "@127.0.0.1#$PEER_PORT"
	[ "$status" -eq 0 ] || fail_run "exit status"
	[ "$output" = 192.0.2.5 ] || fail_run "answer"
	# the first query has an OPT record (ARCOUNT 1), the second none
	[ "$(cut -c21-24 "$PEER_LOG")" = "0001
0000" ] || fail_run "ARCOUNT of the two queries"
}

@test "TC=1 from a peer: the same server over TCP" {
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
	run --separate-stderr mlookup --json x.example. "@127.0.0.1#$PEER_PORT"
	[ "$status" -eq 0 ] || fail_run "exit status"
	[[ $output == *'"data":"192.0.2.99"'*'"transport":"tcp"}' ]] ||
	    fail_run "answer over TCP"
	grep -q ' x\.example\. 1$' "$udp_log" || fail_run "UDP not asked"
	grep -q ' x\.example\. 1$' "$PEER_LOG" || fail_run "TCP not asked"
}

@test "batch: NAME [TYPE] per line, JSON one object a line" {
	need_servers
	run --separate-stderr mlookup --short - "$AUTH" <<'EOF'
www.example.
# a comment

example. MX
www.example.	AAAA
EOF
	[ "$status" -eq 0 ] || fail_run "exit status"
	[ "$output" = "www.example. A 192.0.2.10
example. MX 10 mx1.example.
example. MX 20 mx2.example.
example. MX 30 mx3.test.
www.example. AAAA 2001:db8::10" ] || fail_run "answers"
	run --separate-stderr mlookup --json - "$AUTH" <<'EOF'
www.example. A
nonexistent.example.
EOF
	[ "$status" -eq 1 ] || fail_run "json: exit status (one NXDOMAIN)"
	[ "${#lines[@]}" -eq 2 ] || fail_run "json: not two lines"
	[[ ${lines[0]} == '{"input":"www.example. A","server":'* ]] ||
	    fail_run "json: line 1 has no input"
	[[ ${lines[1]} == *'"status":"NXDOMAIN"'* ]] || fail_run "json: line 2"
	run --separate-stderr mlookup --short - "$AUTH" <<<'www.example. NOSUCH'
	[ "$status" -eq 64 ] || fail_run "bad type: exit status"
}

@test "--dissect shows the message field by field" {
	need_servers
	run --separate-stderr mlookup --dissect www.example. A "$AUTH"
	[ "$status" -eq 0 ] || fail_run "exit status"
	local want
	for want in "[0..1] Transaction ID: 0x" \
	    "    1... .... .... .... = Response: Message is a response" \
	    "    .... .1.. .... .... = Authoritative: Server is an authority for domain" \
	    "[6..7] Answer RRs: 1" "[10..11] Additional RRs: 3" \
	    "Queries" "    [12..28] www.example." \
	    "        Name: www.example. (13 bytes on the wire)" \
	    "        Type: A (1)" "        Time to live: 3600" \
	    "        Name: www.example. (2 bytes on the wire, compressed)" \
	    "        Data length: 4 (at 41)" "        Data: 192.0.2.10" \
	    "        UDP payload size: 4096"; do
		grep -qxF -- "$want" <<<"$output" ||
		    [[ $want == *0x && $output == *"$want"* ]] ||
		    fail_run "missing line: $want"
	done
}

@test "query flags: --norecurse, --dnssec, -c CH" {
	need_servers
	run --separate-stderr mlookup --json --norecurse www.example. "$AUTH"
	[[ $output == *'"flags":["qr","aa"]'* ]] || fail_run "--norecurse"
	run --separate-stderr mlookup --json --dnssec www.example. "$AUTH"
	[[ $output == *'"edns":{"version":0,"flags":["do"]'* ]] ||
	    fail_run "--dnssec: no DO bit in the reply"
	run --separate-stderr mlookup --short -c CH version.bind TXT "$AUTH"
	[[ $output == '"NSD '* ]] || fail_run "version.bind"
	run --separate-stderr mlookup -6 www.example. "$AUTH"
	[ "$status" -eq 64 ] || fail_run "-6 with an IPv4 server"
	run --separate-stderr mlookup --short -p "$DNS_AUTH_PORT" -s 127.0.0.1 \
	    www.example.
	[ "$output" = 192.0.2.10 ] || fail_run "-p and -s"
}

@test "IDN: a non-ASCII name is asked in IDNA2008 form, shown in both" {
	need_servers
	[ -e /usr/lib/x86_64-linux-gnu/libidn2.so.0 ] ||
	    ldconfig -p | grep -q 'libidn2\.so\.0 ' ||
	    skip "needs libidn2 (Debian: libidn2-0)"
	run --separate-stderr mlookup bücher.example. "$AUTH"
	[ "$status" -eq 1 ] || fail_run "exit status (NXDOMAIN)"
	[ "${lines[0]}" = "; IDN: bücher.example. is xn--bcher-kva.example." ] ||
	    fail_run "both forms"
	[[ $output == *";xn--bcher-kva.example."* ]] || fail_run "question"
	run --separate-stderr mlookup --json bücher.example. "$AUTH"
	[[ $output == *'"name":"xn--bcher-kva.example.","type":"A","class":"IN","idn":"bücher.example."'* ]] ||
	    fail_run "json"
}

@test "a plain query loads neither libidn2 nor libcurl" {
	need_servers
	local bin
	bin=$(command -v mlookup)
	! ldd "$bin" | grep -E 'libcurl|libidn2' || fail_run "ldd: linked"
	run env LD_DEBUG=files mlookup --short www.example. "$AUTH"
	[[ $output == *192.0.2.10* ]] || fail_run "answer"
	[[ $output != *libidn2* && $output != *libcurl* ]] ||
	    fail_run "a plain query loaded libidn2 or libcurl"
	run env LD_DEBUG=files mlookup --short bücher.example. "$AUTH"
	[[ $output == *libidn2.so.0* ]] || fail_run "IDN did not load libidn2"
}

@test "--nsid: the server's NSID shown as dig shows it, and in --json" {
	need_servers
	run --separate-stderr mlookup --nsid example. SOA "$AUTH"
	[ "$status" -eq 0 ] || fail_run "exit status"
	grep -qxF '; NSID: 6d 6b 69 74 2d 74 65 73 74 2d 6e 73 64 ("mkit-test-nsd")' \
	    <<<"$output" || fail_run "no NSID line"
	run --separate-stderr mlookup --json --nsid example. SOA "$AUTH"
	[[ $output == *'{"code":3,"data":"6d6b69742d746573742d6e7364","nsid":"mkit-test-nsd"}'* ]] ||
	    fail_run "no NSID in --json"
	run --separate-stderr mlookup example. SOA "$AUTH"
	[[ $output != *NSID* ]] || fail_run "NSID without --nsid"
}

@test "resolv.conf options timeout: and attempts: are honoured" {
	need_servers
	peer $'recv\nstall 10' --udp --port 0
	printf 'nameserver 127.0.0.1#%s\nnameserver 127.0.0.1#%s\noptions timeout:1 attempts:1\n' \
	    "$PEER_PORT" "$DNS_RESOLVER_PORT" > "$RC"
	SECONDS=0
	run --separate-stderr mlookup --short www.example.
	[ "$status" -eq 0 ] || fail_run "exit status"
	[ "$output" = 192.0.2.10 ] || fail_run "answer"
	# timeout:1, not the default 5 s, before the failover
	[ "$SECONDS" -lt 4 ] || fail_run "took $SECONDS s: timeout: ignored"
	# attempts:1: the first server asked once, not again
	[ "$(grep -c ' www\.example\. 1$' "$PEER_LOG")" = 1 ] ||
	    fail_run "the dead server was asked $(grep -c . "$PEER_LOG") times"
}

@test "resolv.conf option rotate spreads queries over the servers" {
	need_servers
	peer $'recv\nreply answer A:192.0.2.1' --udp --port 0 --loop
	local p1=$PEER_PORT
	peer $'recv\nreply answer A:192.0.2.2' --udp --port 0 --loop
	local p2=$PEER_PORT seen i
	printf 'nameserver 127.0.0.1#%s\nnameserver 127.0.0.1#%s\n' \
	    "$p1" "$p2" > "$RC"
	for i in $(seq 10); do
		run --separate-stderr mlookup --short a.example.
		[ "$output" = 192.0.2.1 ] || fail_run "without rotate: not the first"
	done
	printf 'nameserver 127.0.0.1#%s\nnameserver 127.0.0.1#%s\noptions rotate\n' \
	    "$p1" "$p2" > "$RC"
	seen=
	for i in $(seq 30); do
		run --separate-stderr mlookup --short a.example.
		seen="$seen $output"
	done
	[[ $seen == *192.0.2.1* && $seen == *192.0.2.2* ]] ||
	    fail_run "rotate: always the same server:$seen"
}

# The batch engine (issue 4): many names, --parallel in flight.

@test "batch: names as operands, --short NAME TYPE DATA; errors on stderr" {
	need_servers
	run --separate-stderr mlookup --short www.example. nope.example. \
	    alias.example. "$AUTH"
	[ "$status" -eq 1 ] || fail_run "exit status (one NXDOMAIN)"
	[ "$output" = "www.example. A 192.0.2.10
alias.example. CNAME www.example.
www.example. A 192.0.2.10" ] || fail_run "stdout"
	[ "$stderr" = "mlookup: nope.example. A: NXDOMAIN" ] ||
	    fail_run "stderr: the reason for the name missing on stdout"
	run --separate-stderr mlookup --short www.example. alias.example. AAAA \
	    "$AUTH"
	[ "$status" -eq 0 ] || fail_run "names then a type: exit status"
	[ "$output" = "www.example. AAAA 2001:db8::10
alias.example. CNAME www.example.
www.example. AAAA 2001:db8::10" ] ||
	    fail_run "names then a type: the type applies to every name"
}

# names10k FILE: 10,000 "NAME TYPE" lines, existing names, NXDOMAIN
# and MX mixed.
names10k() {
	python3 - "$1" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(10000):
        f.write(["www.example. A\n", "nx%d.example. A\n" % i,
                 "example. MX\n", "www.example. AAAA\n"][i % 4])
PY
}

# check_batch IN OUT: OUT holds one NDJSON object per line of IN, in
# order, each with the status the name must have.
check_batch() {
	python3 - "$1" "$2" <<'PY'
import json, sys
inp = [l.split() for l in open(sys.argv[1])]
out = [json.loads(l) for l in open(sys.argv[2])]
assert len(out) == len(inp), "%d results for %d names" % (len(out), len(inp))
for i, (q, r) in enumerate(zip(inp, out)):
    assert r["input"] == " ".join(q), "line %d: %r is %r" % (i, q, r["input"])
    want = "NXDOMAIN" if q[0].startswith("nx") else "NOERROR"
    assert r["status"] == want, "line %d: %s" % (i, r["status"])
    if want == "NOERROR":
        assert r["answer"], "line %d: no answer" % i
PY
}

# check_unordered IN OUT: OUT holds one NDJSON object for each line of
# IN, in any order.
check_unordered() {
	python3 - "$1" "$2" <<'PY'
import json, sys
a = sorted(l.strip() for l in open(sys.argv[1]))
b = sorted(json.loads(l)["input"] for l in open(sys.argv[2]))
assert a == b, "%d results for %d names, or others" % (len(b), len(a))
PY
}

@test "batch: 10,000 names against nsd, every one answered, in order" {
	need_servers
	local in=$BATS_TEST_TMPDIR/names out=$BATS_TEST_TMPDIR/out
	names10k "$in"
	run --separate-stderr mlookup --json --retries 3 - "$AUTH" < "$in"
	[ "$status" -eq 1 ] || fail_run "exit status (NXDOMAIN among them)"
	printf '%s\n' "$output" > "$out"
	check_batch "$in" "$out" || fail_run "results"
	[ -z "$stderr" ] || fail_run "stderr: not a terminal, no progress"
	run --separate-stderr mlookup --json --parallel 256 --retries 3 \
	    --unordered - "$AUTH" < "$in"
	printf '%s\n' "$output" > "$out"
	check_unordered "$in" "$out" || fail_run "--unordered: not every name once"
}

# The output thread prints and hands slots back; with the reader of
# stdout stalled it blocks, every slot fills and the network side must
# wait for one (eventfd) without losing, doubling or reordering a name.
@test "batch: a stalled reader of stdout: every slot taken, nothing lost" {
	need_servers
	local in=$BATS_TEST_TMPDIR/names out=$BATS_TEST_TMPDIR/out
	names10k "$in"
	timeout 60 mlookup --json --parallel 8 --retries 3 - "$AUTH" < "$in" \
	    2> /dev/null | { sleep 1; cat; } > "$out"
	check_batch "$in" "$out" || fail_run "in order"
	timeout 60 mlookup --json --parallel 8 --retries 3 --unordered - \
	    "$AUTH" < "$in" 2> /dev/null | { sleep 1; cat; } > "$out"
	check_unordered "$in" "$out" || fail_run "--unordered: not every name once"
}

# stdout is written in blocks of up to 64 KB (BAT_OUTBUF), as mlookup(1)
# says; setvbuf without a buffer of its own left glibc's 4 KB.
@test "batch: results go out in writes of up to 64 KB" {
	need_servers
	local in=$BATS_TEST_TMPDIR/names out=$BATS_TEST_TMPDIR/out max
	names10k "$in"
	run --separate-stderr strace -f -e trace=write -o "$BATS_TEST_TMPDIR/st" \
	    mlookup --json - "$AUTH" < "$in"
	[ "$status" -eq 1 ] || fail_run "exit status (NXDOMAIN among them)"
	printf '%s\n' "$output" > "$out"
	check_batch "$in" "$out" || fail_run "results"
	max=$(grep -E 'write\(1, ' "$BATS_TEST_TMPDIR/st" |
	    sed -E 's/.*= ([0-9]+)$/\1/' | sort -n | tail -n 1)
	[ "$max" -gt 4096 ] || fail_run "largest write to stdout: $max bytes"
	[ "$max" -le 65536 ] || fail_run "a write of $max bytes"
}

# Names that come one at a time: each result reaches the pipe before the
# next name is written (a lost wake-up of the output thread would hang).
@test "batch: each result reaches a pipe while stdin stays open" {
	need_servers
	local line rc=0
	coproc ML { mlookup --short - "$AUTH" 2>&1 3>&-; }
	PEER_PIDS+=("$ML_PID")
	echo "www.example. A" >&"${ML[1]}"
	read -t 5 -r line <&"${ML[0]}" || fail_run "no first result"
	[ "$line" = "www.example. A 192.0.2.10" ] || fail_run "first: $line"
	echo "nx1.example. A" >&"${ML[1]}"
	read -t 5 -r line <&"${ML[0]}" || fail_run "no second result"
	[ "$line" = "mlookup: nx1.example. A: NXDOMAIN" ] ||
	    fail_run "second: $line"
	echo "example. MX" >&"${ML[1]}"
	read -t 5 -r line <&"${ML[0]}" || fail_run "no third result"
	[ "$line" = "example. MX 10 mx1.example." ] || fail_run "third: $line"
	exec {ML[1]}>&-
	wait "$ML_PID" || rc=$?
	[ "$rc" -eq 1 ] || fail_run "exit status $rc (NXDOMAIN among them)"
}

# Few queries in flight, many names: each query object and its socket
# serve name after name (a new source port each time), so a reply left
# over from one name must never be taken for the next.
@test "batch: queries reused name after name: every answer its own name's" {
	need_servers
	local in=$BATS_TEST_TMPDIR/in want=$BATS_TEST_TMPDIR/want p
	python3 - "$in" "$want" <<'PY'
import sys
names = [("www.example.", "A", "192.0.2.10"), ("mail.example.", "A", "192.0.2.20"),
         ("a.b.ent.example.", "A", "192.0.2.60"), ("www.example.", "AAAA", "2001:db8::10"),
         ("exact.wild.example.", "A", "192.0.2.51"), ("nx%d.example.", "A", None)]
with open(sys.argv[1], "w") as i, open(sys.argv[2], "w") as w:
    for k in range(600):
        n, t, d = names[k % len(names)]
        n = n % k if "%" in n else n
        i.write("%s %s\n" % (n, t))
        if d:
            w.write("%s %s %s\n" % (n, t, d))
PY
	for p in 1 3 16; do
		run --separate-stderr mlookup --short --parallel "$p" - "$AUTH" \
		    < "$in"
		[ "$status" -eq 1 ] || fail_run "--parallel $p: exit status"
		[ "$output" = "$(cat "$want")" ] ||
		    fail_run "--parallel $p: answers, in input order"
		[ "$(grep -c ': NXDOMAIN$' <<<"$stderr")" -eq 100 ] ||
		    fail_run "--parallel $p: 100 NXDOMAIN reasons"
		! grep -q 'ignored' <<<"$stderr" ||
		    fail_run "--parallel $p: a reply of another name seen"
	done
	run --separate-stderr mlookup --short --parallel 3 --unordered - \
	    "$AUTH" < "$in"
	[ "$(sort <<<"$output")" = "$(sort "$want")" ] ||
	    fail_run "--unordered: not the same answers"
}

@test "batch: timeouts are per-name results, counted right, exit 75" {
	need_servers
	local s i
	# Answers every other query it gets, never the rest.
	peer $'recv\nreply A:192.0.2.1\nrecv' --udp --port 0 --loop
	s="@127.0.0.1#$PEER_PORT"
	for i in 1 2 3 4 5 6; do echo "n$i.example."; done > "$BATS_TEST_TMPDIR/in"
	# --retransmit 0: a query the peer skips stays unanswered
	run --separate-stderr mlookup --json --timeout 1 --retries 0 \
	    --retransmit 0 --parallel 6 - "$s" < "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 75 ] || fail_run "exit status"
	[ "${#lines[@]}" -eq 6 ] || fail_run "not one object per name"
	[ "$(grep -c '"status":"TIMEOUT"' <<<"$output")" -eq 3 ] ||
	    fail_run "not 3 timeouts"
	[ "$(grep -c '"data":"192.0.2.1"' <<<"$output")" -eq 3 ] ||
	    fail_run "not 3 answers"
	for i in 1 2 3 4 5 6; do
		[[ ${lines[i-1]} == '{"input":"n'$i'.example. A",'* ]] ||
		    fail_run "line $i: not in input order"
	done
	[[ $stderr == *"mlookup: 3 of 6 names timed out"* ]] ||
	    fail_run "summary"
	run --separate-stderr mlookup --short --timeout 1 --retries 0 \
	    --retransmit 0 --parallel 1 - "$s" < "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 75 ] || fail_run "--short: exit status"
	[ "${#lines[@]}" -eq 3 ] || fail_run "--short: timeouts on stdout"
	[ "$(grep -c 'no answer from' <<<"$stderr")" -eq 3 ] ||
	    fail_run "--short: a reason per timed-out name"
}

# A datagram lost on the way (here: a query the peer skips) costs the
# retransmission interval, not the try: the same query goes again on the
# same socket with the same ID, and the answer to the copy counts.
@test "batch: a lost query is sent again after --retransmit, same ID" {
	local ids
	peer $'recv\nrecv\nreply A:192.0.2.7' --udp --port 0
	run --separate-stderr timeout 10 mlookup --short --timeout 30 \
	    --retries 0 - "@127.0.0.1#$PEER_PORT" <<<"x.example."
	[ "$status" -eq 0 ] || fail_run "exit status (30 s try, 10 s limit)"
	[ "$output" = "x.example. A 192.0.2.7" ] || fail_run "answer"
	[ "$(wc -l < "$PEER_LOG")" -eq 2 ] || fail_run "not two copies"
	ids=$(cut -c1-4 "$PEER_LOG" | sort -u | wc -l)
	[ "$ids" -eq 1 ] || fail_run "copies with $ids IDs"
	# A single query, when asked; --retransmit 0: never.
	peer $'recv\nrecv\nreply A:192.0.2.8' --udp --port 0
	run --separate-stderr timeout 10 mlookup --short --timeout 30 \
	    --retries 0 --retransmit 50 x.example. "@127.0.0.1#$PEER_PORT"
	[ "$output" = 192.0.2.8 ] || fail_run "single query: answer"
	peer $'recv\nstall 3' --udp --port 0
	run --separate-stderr mlookup --short --timeout 1 --retries 0 \
	    --retransmit 0 - "@127.0.0.1#$PEER_PORT" <<<"x.example."
	[ "$status" -eq 75 ] || fail_run "--retransmit 0: exit status"
	[ "$(wc -l < "$PEER_LOG")" -eq 1 ] || fail_run "--retransmit 0: sent again"
	run --separate-stderr mlookup --retransmit 60001 -
	[ "$status" -eq 64 ] || fail_run "--retransmit 60001"
}

@test "batch: --parallel bounds, bad values are exit 64" {
	run --separate-stderr mlookup --parallel 0 -
	[ "$status" -eq 64 ] || fail_run "--parallel 0"
	run --separate-stderr mlookup --parallel 4097 -
	[ "$status" -eq 64 ] || fail_run "--parallel 4097"
}

# DNS over HTTPS: a small HTTPS front (python3's http.server with a
# certificate of a throwaway CA made here) that forwards every message
# to the harness's unbound and logs "METHOD CLIENT-PORT PATH".
doh_start() {
	local d=$BATS_TEST_TMPDIR/doh i
	command -v openssl >/dev/null || skip "needs openssl"
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" \
	    -out "$d/ca.pem" -days 2 -subj /CN=mkit-test-ca \
	    -addext basicConstraints=critical,CA:TRUE 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout "$d/srv.key" \
	    -out "$d/srv.csr" -subj /CN=127.0.0.1 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1\n' > "$d/ext"
	openssl x509 -req -in "$d/srv.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
	    -CAcreateserial -out "$d/srv.pem" -days 2 -extfile "$d/ext" \
	    2>/dev/null
	cat > "$d/doh.py" <<'PY'
import base64, http.server, socket, ssl, sys
cert, key, up, port, log = sys.argv[1:6]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        pass
    def answer(self, q):
        with open(log, "a") as f:
            f.write("%s %d %s\n" % (self.command, self.client_address[1],
                                    self.path.split("?")[0]))
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(3)
        s.sendto(q, (up, int(port)))
        r = s.recv(65535)
        self.send_response(200)
        self.send_header("Content-Type", "application/dns-message")
        self.send_header("Content-Length", str(len(r)))
        self.end_headers()
        self.wfile.write(r)
    def do_POST(self):
        if self.headers.get("Content-Type") != "application/dns-message":
            self.send_error(415)
            return
        self.answer(self.rfile.read(int(self.headers["Content-Length"])))
    def do_GET(self):
        qs = dict(x.split("=", 1) for x in self.path.partition("?")[2].split("&")
                  if "=" in x)
        if "dns" not in qs or "=" in qs["dns"]:
            self.send_error(400)
            return
        d = qs["dns"]
        self.answer(base64.urlsafe_b64decode(d + "=" * (-len(d) % 4)))
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(srv.server_address[1], flush=True)
srv.serve_forever()
PY
	python3 "$d/doh.py" "$d/srv.pem" "$d/srv.key" "$DNS_RESOLVER_ADDR" \
	    "$DNS_RESOLVER_PORT" "$d/log" > "$d/port" 2> "$d/err" 3>&- &
	PEER_PIDS+=($!)
	for i in $(seq 50); do
		[ -s "$d/port" ] && break
		sleep 0.1
	done
	DOH_URL="https://127.0.0.1:$(cat "$d/port")/dns-query"
	DOH_CA=$d/ca.pem
	DOH_LOG=$d/log
}

@test "DoH: POST and --https-get round trips through an HTTPS front" {
	need_servers
	doh_start
	run --separate-stderr mlookup --https "$DOH_URL" --ca-file "$DOH_CA" \
	    --json www.example.
	[ "$status" -eq 0 ] || fail_run "POST: exit status"
	[[ $output == *'"data":"192.0.2.10"'* ]] || fail_run "POST: answer"
	[[ $output == *'"transport":"https"'* ]] || fail_run "POST: transport"
	[ "$(cut -d' ' -f1,3 "$DOH_LOG")" = "POST /dns-query" ] ||
	    fail_run "POST: not what the server got"
	run --separate-stderr mlookup --https "$DOH_URL" --ca-file "$DOH_CA" \
	    --https-get --short example. MX
	[ "$status" -eq 0 ] || fail_run "GET: exit status"
	[[ $output == *"10 mx1.example."* ]] || fail_run "GET: answer"
	[ "$(tail -n 1 "$DOH_LOG" | cut -d' ' -f1)" = GET ] ||
	    fail_run "GET: not a GET"
	run --separate-stderr mlookup --https "$DOH_URL" --ca-file "$DOH_CA" \
	    nope.example.
	[ "$status" -eq 1 ] || fail_run "NXDOMAIN over HTTPS: exit status"
}

@test "DoH: a batch uses one connection; a bad certificate is exit 77" {
	need_servers
	doh_start
	run --separate-stderr mlookup --https "$DOH_URL" --ca-file "$DOH_CA" \
	    --short - <<<$'www.example.\nexample. MX\nnope.example.\nwww.example. AAAA'
	[ "$status" -eq 1 ] || fail_run "exit status"
	[ "${lines[0]}" = "www.example. A 192.0.2.10" ] || fail_run "line 1"
	[ "${lines[4]}" = "www.example. AAAA 2001:db8::10" ] ||
	    fail_run "in input order"
	[ "$(wc -l < "$DOH_LOG")" -eq 4 ] || fail_run "not 4 requests"
	[ "$(cut -d' ' -f2 "$DOH_LOG" | sort -u | wc -l)" -eq 1 ] ||
	    fail_run "more than one connection"
	run --separate-stderr mlookup --https "$DOH_URL" www.example.
	[ "$status" -eq 77 ] || fail_run "unknown CA: exit status"
	[ -z "$output" ] || fail_run "unknown CA: stdout"
	run --separate-stderr mlookup --https "$DOH_URL" --insecure --short \
	    www.example.
	[ "$status" -eq 0 ] || fail_run "--insecure: exit status"
	[[ $stderr == *"warning: --insecure"* ]] || fail_run "--insecure: warning"
	run --separate-stderr mlookup --https "http://127.0.0.1:9/" www.example.
	[ "$status" -eq 64 ] || fail_run "http:// URL: exit status"
}

@test "DoH: libcurl is loaded for --https only" {
	need_servers
	doh_start
	run env LD_DEBUG=files mlookup --https "$DOH_URL" --ca-file "$DOH_CA" \
	    --short www.example.
	[[ $output == *libcurl.so.4* ]] || fail_run "--https did not load libcurl"
	[[ $output == *192.0.2.10* ]] || fail_run "answer"
}
