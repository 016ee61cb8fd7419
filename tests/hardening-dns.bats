#!/usr/bin/env bats
# Hardening: mlookup against off-path spoofing and malformed replies
# (promises 5 and 6 of mkit(7); the DNS part of the fault catalogue).
#
# - Over 1,100 queries of one mlookup batch (a fresh source port a query,
#   mlookup(1)), a UDP server of this file logs each query's ID and
#   source port and answers it: at least 970 distinct IDs and 950
#   distinct ports (what a uniform random source gives, birthday
#   collisions included) and no constant step between successive IDs
#   or ports.  The same for 100 separate processes.
# - Replies that are spoofed (wrong ID, wrong question, wrong type, a
#   zero-length datagram, another source port, another source address)
#   and sent before the real one are ignored: the real answer is shown.
# - Malformed replies from the server asked (a forward compression
#   pointer, a 321-byte name, RDLENGTH past the message, RDLENGTH cutting
#   a name, an A record of 6 bytes, an answer count of 65,535): exit 76
#   with one line naming the fault, at once, not after the retries.
# The real resolver of the harness shows the batch itself works.

# shellcheck disable=SC2154 # status, output, stderr: set by run
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
	T=$BATS_TEST_TMPDIR
	printf 'nameserver %s#%s\n' "${DNS_RESOLVER_ADDR:-127.0.0.1}" \
	    "${DNS_RESOLVER_PORT:-9}" >"$T/resolv.conf"
	export MKIT_RESOLV_CONF=$T/resolv.conf
	PIDS=()
}

teardown() {
	kill_all "${PIDS[@]}"
}

# dns_server MODE: a small DNS server of this test on 127.0.0.1 (UDP);
# sets DPORT.  MODE log: answer every query (A 192.0.2.1) and log "ID
# PORT" for each to $T/queries.  MODE spoof: for each query, first send
# the spoofed replies listed above, 50 ms apart, then the real one.
dns_server() {
	cat >"$T/dns.py" <<-'PY'
	import socket, struct, sys, time
	mode, portfile, log = sys.argv[1], sys.argv[2], sys.argv[3]
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.bind(("127.0.0.1", 0))
	port = s.getsockname()[1]
	# a socket on another loopback address, same port: "wrong address"
	other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	other.bind(("127.0.0.2", port))
	open(portfile, "w").write("%d\n" % port)
	out = open(log, "a", buffering=1)
	def question(q):
	    end = 12
	    while q[end]:
	        end += 1 + q[end]
	    return end + 5
	def reply(q, qid=None, qname=None, qtype=None, addr="192.0.2.1"):
	    qid = struct.unpack(">H", q[:2])[0] if qid is None else qid
	    end = question(q)
	    name, tail = q[12:end - 4], q[end - 4:end]
	    if qname is not None:
	        name = b"".join(bytes([len(l)]) + l for l in qname.split(b".") if l) + b"\0"
	    if qtype is not None:
	        tail = struct.pack(">H", qtype) + tail[2:]
	    head = struct.pack(">HHHHHH", qid, 0x8180 | (struct.unpack(">H", q[2:4])[0] & 0x0100), 1, 1, 0, 0)
	    rr = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton(addr)
	    return head + name + tail + rr
	def bad(q, case):
	    # a reply with the query's ID and question, and a broken answer
	    qid = struct.unpack(">H", q[:2])[0]
	    end = question(q)
	    qd = q[12:end]
	    an = 1
	    if case == "forward-pointer":
	        # the owner name points at a name after it, in the message
	        at = 12 + len(qd) + 16
	        rr = bytes([0xc0 | at >> 8, at & 0xff]) + struct.pack(">HHIH", 1, 1, 60, 4) + bytes(4) + b"\x01a\x00"
	    elif case == "long-name":
	        # a CNAME target of five 63-byte labels: 321 bytes
	        t = (b"\x3f" + b"a" * 63) * 5 + b"\x00"
	        rr = b"\xc0\x0c" + struct.pack(">HHIH", 5, 1, 60, len(t)) + t
	    elif case == "rdlength-over":
	        rr = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 200) + bytes(4)
	    elif case == "rdlength-short-name":
	        # RDLENGTH 2 around a 5-byte name
	        rr = b"\xc0\x0c" + struct.pack(">HHIH", 5, 1, 60, 2) + b"\x03www\x00"
	    elif case == "a-rdlength-6":
	        rr = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 6) + bytes(6)
	    elif case == "count-lie":
	        an = 65535
	        rr = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + bytes(4)
	    head = struct.pack(">HHHHHH", qid, 0x8180, 1, an, 0, 0)
	    return head + qd + rr
	while True:
	    q, peer = s.recvfrom(65535)
	    if len(q) < 17:
	        continue
	    qid = struct.unpack(">H", q[:2])[0]
	    out.write("%d %d\n" % (qid, peer[1]))
	    if mode.startswith("bad:"):
	        s.sendto(bad(q, mode[4:]), peer)
	        continue
	    if mode == "spoof":
	        fakes = [
	            (s, reply(q, qid=qid ^ 0x5555, addr="192.0.2.66")),
	            (s, reply(q, qname=b"other.example", addr="192.0.2.67")),
	            (s, reply(q, qtype=28, addr="192.0.2.68")),
	            (s, b""),
	            (s, reply(q)[:11]),
	            (other, reply(q, addr="192.0.2.69")),
	        ]
	        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as o:
	            fakes.append((o, reply(q, addr="192.0.2.70")))
	            for sock, data in fakes:
	                sock.sendto(data, peer)
	                time.sleep(0.05)
	    s.sendto(reply(q), peer)
	PY
	rm -f "$T/dport"
	python3 "$T/dns.py" "$1" "$T/dport" "$T/queries" 3>&- &
	PIDS+=($!)
	for _ in $(seq 50); do
		[ -s "$T/dport" ] && break
		sleep 0.1
	done
	DPORT=$(cat "$T/dport")
	[ -n "$DPORT" ]
}

# check_random FIELD MIN: the FIELD-th column of $T/queries (1: IDs,
# 2: ports) has at least MIN distinct values and no constant step: no
# difference between successive values (mod 65536) occurs more than 1%
# of the time (plus 3, for chance); print the figures.
check_random() {
	python3 - "$T/queries" "$1" "$2" <<-'PY'
	import collections, sys
	vals = [int(l.split()[int(sys.argv[2]) - 1]) for l in open(sys.argv[1])]
	want = int(sys.argv[3])
	steps = collections.Counter((b - a) % 65536 for a, b in zip(vals, vals[1:]))
	step, count = steps.most_common(1)[0]
	print("%d values, %d distinct, commonest step %d x%d"
	      % (len(vals), len(set(vals)), step, count), file=sys.stderr)
	if len(set(vals)) < want:
	    sys.exit("only %d distinct of %d" % (len(set(vals)), len(vals)))
	if count > len(vals) // 100 + 3:
	    sys.exit("step %d between %d of %d successive values" % (step, count, len(vals)))
	PY
}

@test "dns: the batch works against the harness resolver (real server)" {
	need_servers
	run --separate-stderr mlookup --short www.example. example.
	[ "$status" -eq 0 ] || fail_run "batch against unbound"
	[ "${#lines[@]}" -ge 2 ] || fail_run "not two answers"
}

@test "dns: 1,100 queries of one batch: random IDs and source ports" {
	dns_server log
	seq -f 'n%g.example. A' 1 1100 >"$T/names"
	# --retransmit 0: a slow reply (sanitizers, a loaded machine) must
	# not put a copy of a query, same ID and port, among the samples
	run --separate-stderr mlookup --short --timeout 2 --retransmit 0 - \
	    "@127.0.0.1#$DPORT" <"$T/names"
	[ "$status" -eq 0 ] || fail_run "batch failed"
	[ "${#lines[@]}" -eq 1100 ] || fail_run "not 1,100 answers"
	[ "$(wc -l <"$T/queries")" -ge 1100 ] || fail_run "not 1,100 queries"
	check_random 1 970 || fail_run "IDs not random enough"
	check_random 2 950 || fail_run "source ports not random enough"
}

@test "dns: 100 processes: random IDs and source ports" {
	local n
	dns_server log
	for n in $(seq 100); do
		mlookup --short --timeout 2 "p$n.example." "@127.0.0.1#$DPORT" \
		    >/dev/null || fail_run "query $n"
	done
	[ "$(wc -l <"$T/queries")" -eq 100 ] || fail_run "not 100 queries"
	check_random 1 95 || fail_run "IDs"
	check_random 2 90 || fail_run "ports"
}

@test "dns: the check above can fail: a counter and a fixed port do" {
	seq 1000 2099 | awk '{ print $1, 5353 }' >"$T/queries"
	run check_random 1 970
	[ "$status" -ne 0 ]
	run check_random 2 950
	[ "$status" -ne 0 ]
	awk 'BEGIN { srand(7); for (i = 0; i < 1100; i++) print int(rand() * 65536), 1024 + (i * 7) % 60000 }' >"$T/queries"
	run check_random 1 970
	[ "$status" -eq 0 ]
	run check_random 2 950
	[ "$status" -ne 0 ]
}

@test "dns: spoofed replies before the real one are ignored" {
	dns_server spoof
	run --separate-stderr mlookup --short --timeout 3 --retries 0 \
	    x.example. "@127.0.0.1#$DPORT"
	[ "$status" -eq 0 ] || fail_run "no answer"
	[ "$output" = 192.0.2.1 ] || fail_run "took a spoofed answer"
	[[ $stderr == *"warning: ignored"* ]] || fail_run "spoofs not reported"
	# the same in a batch, 8 names in flight at once
	: >"$T/queries"
	seq -f 'b%g.example. A' 1 8 >"$T/names"
	run --separate-stderr mlookup --short --timeout 5 --retries 0 \
	    --parallel 8 - "@127.0.0.1#$DPORT" <"$T/names"
	[ "$status" -eq 0 ] || fail_run "batch: no answers"
	[ "${#lines[@]}" -eq 8 ] || fail_run "batch: not 8 answers"
	! printf '%s\n' "${lines[@]}" | grep -qv ' 192\.0\.2\.1$' ||
	    fail_run "batch: took a spoofed answer"
}

@test "dns: malformed replies from the server asked: exit 76 at once, one line" {
	local c t0
	for c in forward-pointer long-name rdlength-over rdlength-short-name \
	    a-rdlength-6 count-lie; do
		dns_server "bad:$c"
		t0=$SECONDS
		run --separate-stderr mlookup --timeout 3 --retries 2 \
		    x.example. "@127.0.0.1#$DPORT"
		echo "# $c: $stderr" >&3
		[ "$status" -eq 76 ] || fail_run "$c: exit"
		[ -z "$output" ] || fail_run "$c: stdout"
		[[ $stderr == *"malformed reply from 127.0.0.1#$DPORT: "* ]] ||
		    fail_run "$c: message"
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] || fail_run "$c: lines"
		# at once: not after the 3 tries of 3 s a silent server costs
		[ $((SECONDS - t0)) -le 2 ] || fail_run "$c: waited"
		kill "${PIDS[-1]}"
	done
}
