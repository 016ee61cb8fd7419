#!/usr/bin/env bash
# tests/servers/dnsns.sh start DIR | stop DIR
#
# start: a private DNS hierarchy on port 53 (NS records carry no port)
# of several loopback addresses inside a network namespace of its own,
# made with "ip netns add", so nothing clashes with the host and nothing
# reaches the real network.  One nsd per server, zones from
# tests/servers/dnsns/:
#   127.0.1.1  the root "."                       root.zone
#   127.0.2.1  the TLDs org. and net.             org.zone net.zone
#   127.0.3.1  example.org., lame.org.            example-org.zone ...
#   127.0.3.2  example.net., glueless.org.        example-net.zone ...
#   127.0.4.1  a lame server (REFUSED for all of the above)
#   127.0.5.1  a black hole: takes queries, never answers
# then write DIR/env (NAME=value lines):
#   DNSNS_NETNS   the namespace: run a client with
#                 "ip netns exec $DNSNS_NETNS mlookup ..."
#   DNSNS_HINTS   named.root hints naming the private root
# Logs: DIR/NAME.log and DIR/NAME.out.
# stop: stop the servers (by DIR/*.pid), delete the namespace; never
# fails.  Needs root, ip(8) and nsd.
set -u

SRC=$(cd "$(dirname "$0")/dnsns" && pwd) || exit 1
# server name, address, zones (name:file,...)
SERVERS="root 127.0.1.1 .:root.zone
tld 127.0.2.1 org.:org.zone,net.:net.zone
auth1 127.0.3.1 example.org.:example-org.zone,lame.org.:lame-org.zone
auth2 127.0.3.2 example.net.:example-net.zone,glueless.org.:glueless-org.zone
lame 127.0.4.1 unrelated.invalid.:unrelated.zone"
HOLE=127.0.5.1

die() {
	echo "dnsns.sh: $*" >&2
	exit 1
}

[ $# -eq 2 ] || die "usage: dnsns.sh start|stop DIR"
DIR=$(cd "$2" && pwd) || die "$2: no such directory"

nsx() {
	ip netns exec "$NETNS" "$@"
}

# probe ADDR: an SOA query for "." over UDP gets a reply (any rcode).
probe() {
	nsx python3 - "$1" <<'PY'
import socket, struct, sys
q = struct.pack(">HHHHHH", 4242, 0, 1, 0, 0, 0) + b"\0" + struct.pack(">HH", 6, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.3)
try:
    s.sendto(q, (sys.argv[1], 53))
    r = s.recv(65535)
except OSError:
    sys.exit(1)
sys.exit(0 if r[:2] == q[:2] else 1)
PY
}

nsd_conf() {
	local name=$1 addr=$2 zones=$3 z
	cat <<EOF
server:
	ip-address: $addr@53
	do-ip4: yes
	do-ip6: no
	reuseport: no
	server-count: 1
	username: ""
	chroot: ""
	zonesdir: "$DIR/zones"
	database: ""
	zonelistfile: "$DIR/$name.zonelist"
	xfrdfile: "$DIR/$name.xfrd"
	xfrdir: "$DIR"
	pidfile: "$DIR/$name.self.pid"
	logfile: "$DIR/$name.log"
	cookie-secret-file: "$DIR/$name.cookie"
	verbosity: 1
	minimal-responses: no
	refuse-any: no
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
remote-control:
	control-enable: no
EOF
	for z in ${zones//,/ }; do
		printf 'zone:\n\tname: "%s"\n\tzonefile: "%s"\n' "${z%%:*}" \
		    "${z#*:}"
	done
}

# The black hole: binds UDP and TCP port 53 and reads, never answers.
hole() {
	nsx python3 - "$HOLE" <<'PY' &
import select, socket, sys
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind((sys.argv[1], 53))
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind((sys.argv[1], 53))
t.listen(16)
conns = []
while True:
    r, _, _ = select.select([u, t] + conns, [], [], 1)
    for s in r:
        if s is u:
            u.recv(65535)
        elif s is t:
            conns.append(t.accept()[0])
        elif not s.recv(65535):
            conns.remove(s)
            s.close()
PY
	echo $! > "$DIR/hole.pid"
}

start() {
	local name addr zones i
	command -v ip >/dev/null || die "needs ip (Debian: iproute2)"
	command -v nsd >/dev/null || die "needs nsd"
	NETNS="mkit-dnsns-$$-$RANDOM"
	ip netns add "$NETNS" || die "ip netns add failed"
	echo "$NETNS" > "$DIR/netns"
	nsx ip link set lo up || die "lo up failed"
	mkdir -p "$DIR/zones"
	cp "$SRC"/*.zone "$DIR/zones/"
	cp "$SRC/root.hints" "$DIR/root.hints"
	while read -r name addr zones; do
		nsd_conf "$name" "$addr" "$zones" > "$DIR/$name.conf"
		nsd-checkconf "$DIR/$name.conf" >> "$DIR/$name.out" 2>&1 ||
		    die "$name: bad config"
		nsx nsd -d -c "$DIR/$name.conf" < /dev/null \
		    >> "$DIR/$name.out" 2>&1 &
		echo $! > "$DIR/$name.pid"
	done <<< "$SERVERS"
	hole
	while read -r name addr zones; do
		for i in $(seq 50); do
			probe "$addr" && break
			sleep 0.1
		done
		probe "$addr" || { tail "$DIR/$name.out" >&2; die "$name ($addr) did not start"; }
	done <<< "$SERVERS"
	printf 'DNSNS_NETNS=%s\nDNSNS_HINTS=%s\n' "$NETNS" "$DIR/root.hints" \
	    > "$DIR/env"
}

stop() {
	local f pid i
	for f in "$DIR"/*.pid; do
		[ -e "$f" ] || continue
		case $f in *.self.pid) continue ;; esac
		read -r pid < "$f" || continue
		kill -TERM "$pid" 2>/dev/null
	done
	for i in $(seq 50); do
		left=
		for f in "$DIR"/*.pid; do
			[ -e "$f" ] || continue
			case $f in *.self.pid) continue ;; esac
			read -r pid < "$f" || continue
			kill -0 "$pid" 2>/dev/null && left=$pid
		done
		[ -z "$left" ] && break
		sleep 0.1
	done
	# nsd forks; its children left in the namespace end with it.
	if [ -s "$DIR/netns" ]; then
		read -r NETNS < "$DIR/netns"
		for pid in $(ip netns pids "$NETNS" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns del "$NETNS" 2>/dev/null
		rm -f "$DIR/netns"
	fi
	rm -f "$DIR"/*.pid
	return 0
}

case $1 in
start)
	[ "$(id -u)" = 0 ] || die "needs root (ip netns)"
	start
	;;
stop)
	stop
	;;
*)
	die "usage: dnsns.sh start|stop DIR"
	;;
esac
