#!/usr/bin/env bats
# mlookup --trace: iterative resolution from a private root, through a
# hierarchy of real nsd servers on port 53 of several 127.x addresses
# inside a network namespace of the test's own (tests/servers/dnsns.sh):
# root -> org./net. -> example.org., example.net., glueless.org. (no
# glue), lame.org. (its first server REFUSES), loop.org./loop.net. (a
# referral loop), slow.org. (a server that never answers), fanout.org.
# (100 glueless server names that do not exist: NXNSAttack), and CNAMEs
# across zones and in a loop.  mlookup runs in the namespace too, so it
# can reach none but these servers.

# shellcheck disable=SC2154 # status, output, stderr, lines: set by run
bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	if [ "$(id -u)" != 0 ]; then
		export MKIT_SERVERS_SKIP="needs root for a network namespace (ip netns) and nsd on port 53"
		return 0
	fi
	if ! command -v ip >/dev/null || ! command -v nsd >/dev/null; then
		export MKIT_SERVERS_SKIP="needs ip (iproute2) and nsd"
		return 0
	fi
	servers_start dnsns
}

teardown_file() {
	servers_stop
}

setup() {
	mkit_isolate
	# Timeouts and tries from the options alone, not the host's file.
	: > "$BATS_TEST_TMPDIR/resolv.conf"
	export MKIT_RESOLV_CONF=$BATS_TEST_TMPDIR/resolv.conf
}

# trace ARGS...: mlookup --trace from the private root, in the namespace.
trace() {
	ip netns exec "$DNSNS_NETNS" "$MKIT_BIN/mlookup" --trace \
	    --root-hints "$DNSNS_HINTS" --timeout 2 "$@"
}

@test "root -> TLD -> authoritative, delegations with glue" {
	need_servers
	run --separate-stderr trace www.example.org.
	[ "$status" -eq 0 ] || fail_run "exit status"
	[ "${lines[0]}" = ";; www.example.org. A from the root" ] ||
	    fail_run "title"
	[[ ${lines[1]} == "www.example.org. A at a.root.test. (127.0.1.1#53) for .: referral to org. in "*" ms" ]] ||
	    fail_run "step 1: the root"
	[ "${lines[2]}" = "    org. NS ns.nic.org. (127.0.2.1)" ] ||
	    fail_run "step 1: NS set and glue"
	[[ ${lines[3]} == "www.example.org. A at ns.nic.org. (127.0.2.1#53) for org.: referral to example.org. in "* ]] ||
	    fail_run "step 2: the TLD"
	[[ ${lines[5]} == "www.example.org. A at ns1.example.org. (127.0.3.1#53) for example.org.: answer in "* ]] ||
	    fail_run "step 3: the authoritative server"
	[ "${lines[-2]}" = "$(printf 'www.example.org.\t3600\tIN\tA\t192.0.2.1')" ] ||
	    fail_run "the answer"
	[[ ${lines[-1]} == ";; 6 messages: 3 queries + 3 replies in "*" ms" ]] ||
	    fail_run "the count"
	run --separate-stderr trace --json mail.example.org. MX
	[ "$status" -eq 0 ] || fail_run "json: exit status"
	python3 -c '
import json, sys
o = json.loads(sys.argv[1])
assert o["input"] == "mail.example.org. MX" and o["status"] == "NOERROR"
s = o["steps"]
assert [x["result"] for x in s] == ["referral", "referral", "answer"], s
assert [x["address"] for x in s] == ["127.0.1.1#53", "127.0.2.1#53", "127.0.3.1#53"]
assert s[0]["ns"] == [{"name": "ns.nic.org.", "addresses": ["127.0.2.1"]}]
assert o["answer"][0]["data"] == "10 www.example.org.", o["answer"]
assert o["queries"] == 3 and o["replies"] == 3
' "$output" || fail_run "json"
}

@test "a delegation without glue: the server's name is resolved first" {
	need_servers
	run --separate-stderr trace www.glueless.org.
	[ "$status" -eq 0 ] || fail_run "exit status"
	[[ $output == *"    glueless.org. NS ns.example.net. (no glue)"* ]] ||
	    fail_run "no glue shown"
	[[ $output == *"  ns.example.net. A at ns.example.net. (127.0.3.2#53) for example.net.: answer"* ]] ||
	    fail_run "the server's name resolved, indented"
	[[ $output == *"www.glueless.org. A at ns.example.net. (127.0.3.2#53) for glueless.org.: answer"* ]] ||
	    fail_run "then asked"
	[[ ${lines[-2]} == *"192.0.2.3" ]] || fail_run "answer"
}

@test "a lame server (REFUSED) is skipped for the next one" {
	need_servers
	run --separate-stderr trace www.lame.org.
	[ "$status" -eq 0 ] || fail_run "exit status"
	[[ $output == *"at ns1.lame.org. (127.0.4.1#53) for lame.org.: lame (REFUSED), next server"* ]] ||
	    fail_run "lame server"
	[[ $output == *"at ns2.lame.org. (127.0.3.1#53) for lame.org.: answer"* ]] ||
	    fail_run "next server"
	[[ ${lines[-1]} == ";; 8 messages: 4 queries + 4 replies in "* ]] ||
	    fail_run "count"
}

@test "a CNAME across zones is chased from the top" {
	need_servers
	run --separate-stderr trace alias.example.org.
	[ "$status" -eq 0 ] || fail_run "exit status"
	[[ $output == *"for example.org.: CNAME to www.example.net."* ]] ||
	    fail_run "CNAME step"
	[[ $output == *"www.example.net. A at ns.example.net. (127.0.3.2#53) for example.net.: answer"* ]] ||
	    fail_run "target resolved"
	[ "${lines[-3]}" = "$(printf 'alias.example.org.\t3600\tIN\tCNAME\twww.example.net.')" ] ||
	    fail_run "answer: the CNAME"
	[ "${lines[-2]}" = "$(printf 'www.example.net.\t3600\tIN\tA\t192.0.2.2')" ] ||
	    fail_run "answer: the address"
}

@test "a CNAME loop and a referral loop end with exit 69" {
	need_servers
	run --separate-stderr trace cloop.example.org.
	[ "$status" -eq 69 ] || fail_run "CNAME loop: exit status"
	[ "$stderr" = "mlookup: cloop.example.org. A: CNAME loop" ] ||
	    fail_run "CNAME loop: message"
	run --separate-stderr trace www.loop.org.
	[ "$status" -eq 69 ] || fail_run "referral loop: exit status"
	[[ $stderr == "mlookup: www.loop.org. A: referral loop"* ]] ||
	    fail_run "referral loop: message"
	[[ ${lines[-1]} == ";; "*" messages: "* ]] || fail_run "count"
}

@test "NXNSAttack: 100 glueless server names cost a bounded number of queries" {
	need_servers
	local n
	run --separate-stderr trace www.fanout.org.
	echo "# $stderr; ${lines[-1]}" >&3
	[ "$status" -ne 0 ] || fail_run "no server of fanout.org. exists"
	[[ ${lines[-1]} =~ ^";; "([0-9]+)" messages: "([0-9]+)" queries" ]] ||
	    fail_run "count"
	n=${BASH_REMATCH[2]}
	# The issue's bound is ~200; the referral's NS set is cut to 13 and
	# one name is allowed 100 queries in all.
	[ "$n" -le 100 ] || fail_run "$n queries"
	# 13 of the 100 names were looked up, no more.
	[ "$(grep -cE '^ns[0-9]+\.fan\.net\. A at a server of fanout\.org\.' \
	    <<<"$output")" -eq 13 ] ||
	    fail_run "server names looked up"
}

@test "NXDOMAIN from the authoritative server is exit 1" {
	need_servers
	run --separate-stderr trace nx.example.org.
	[ "$status" -eq 1 ] || fail_run "exit status"
	[[ $output == *"for example.org.: NXDOMAIN in "* ]] || fail_run "step"
}

@test "--deadline: exit 75 with the steps so far" {
	need_servers
	local t0=$SECONDS
	run --separate-stderr trace --deadline 2 --timeout 1 --retries 5 \
	    www.slow.org.
	[ "$status" -eq 75 ] || fail_run "exit status"
	[ $((SECONDS - t0)) -le 5 ] || fail_run "took longer than the deadline"
	[[ $output == *"referral to slow.org."* ]] || fail_run "steps so far"
	[[ $output == *"at ns.slow.org. (127.0.5.1#53) for slow.org.: no answer from 127.0.5.1#53"* ]] ||
	    fail_run "the timeout step"
	[ "$stderr" = "mlookup: www.slow.org. A: deadline of 2 s passed" ] ||
	    fail_run "message"
}

@test "batch trace: the root and the TLD come from the cache" {
	need_servers
	run --separate-stderr trace - <<<$'www.example.org.\ninzone.example.org.\nwww.lame.org. A'
	[ "$status" -eq 0 ] || fail_run "exit status"
	[[ $output == *"inzone.example.org. A at . (cached): referral to org."* ]] ||
	    fail_run "root cached"
	[[ $output == *"inzone.example.org. A at org. (cached): referral to example.org."* ]] ||
	    fail_run "TLD cached"
	[[ $output == *";; 2 messages: 1 query + 1 reply in "* ]] ||
	    fail_run "one query for the second name"
	[[ $output == *"www.lame.org. A at . (cached): referral to org."* ]] ||
	    fail_run "third name: root cached"
	[[ $output == *"www.lame.org. A at ns.nic.org. (127.0.2.1#53) for org.: referral to lame.org."* ]] ||
	    fail_run "third name: TLD asked"
	run --separate-stderr trace --json - <<<$'www.example.org.\nwww.example.org.'
	[ "${#lines[@]}" -eq 2 ] || fail_run "json: an object per name"
	[[ ${lines[1]} == *'"cached":true'* && ${lines[1]} == *'"queries":0'* ]] ||
	    fail_run "json: the answer cached"
}

@test "the built-in root hints, and bad hints files" {
	need_servers
	printf '. 3600 NS a.root.test.\n' > "$BATS_TEST_TMPDIR/bad.hints"
	run --separate-stderr trace --root-hints "$BATS_TEST_TMPDIR/bad.hints" www.example.org.
	[ "$status" -eq 65 ] || fail_run "no address: exit status"
	run --separate-stderr trace --root-hints "$BATS_TEST_TMPDIR/none" www.example.org.
	[ "$status" -eq 66 ] || fail_run "missing file: exit status"
	# The real root is unreachable in the namespace: every try fails.
	run --separate-stderr ip netns exec "$DNSNS_NETNS" "$MKIT_BIN/mlookup" \
	    --trace --deadline 3 --timeout 1 www.example.org.
	[ "$status" -eq 75 ] || fail_run "built-in hints: exit status"
	[[ $output == *"at a.root-servers.net. (198.41.0.4#53) for .:"* ]] ||
	    fail_run "built-in hints: a.root-servers.net first"
}
