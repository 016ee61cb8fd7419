#!/usr/bin/env bash
# tests/servers/mail.sh start|stop DIR: the real mail servers of the bats
# tests (loaded through servers_start/servers_stop in tests/helpers.bash).
#
# start DIR sets up, entirely inside DIR (plus a short /tmp/mkm.XXXXXX
# for dovecot's unix sockets, which must stay under 108 characters):
#   - a throwaway CA and a server certificate for localhost / 127.0.0.1;
#   - dovecot: POP3 (STLS) and POP3S, IMAP (STARTTLS) and IMAPS on
#     127.0.0.1, users from a passwd-file, Maildirs under DIR/mail, and
#     its auth service as the SASL backend of postfix;
#   - postfix: SMTP (STARTTLS offered, no AUTH), submission (STARTTLS and
#     AUTH required) and SMTPS (implicit TLS, AUTH required) on 127.0.0.1;
#     mail for example.org / example.net is delivered by postfix virtual(8)
#     into the Maildirs dovecot reads; unknown users get 550 5.1.1 at RCPT;
#     nothing ever leaves the machine (every other transport is error:).
# It waits until every listener answers, then writes DIR/env (NAME='value'
# lines).  stop DIR stops only the processes start recorded (pid and
# start time), waits for them to exit, removes the /tmp directory and
# puts back the modes start changed; it is idempotent.
#
# Needs root (postfix runs only as root); all ports are picked at run time.
# Plaintext login: dovecot allows it without TLS on the 127.0.0.1 ports
# (disable_plaintext_auth = no there, and dovecot counts a connection
# whose remote and local addresses are equal as secured anyway).  The
# realistic default, LOGINDISABLED until STARTTLS, is on the *_STRICT_PORT
# listeners on 127.0.0.2 (the client's address, 127.0.0.1, differs there).
# For quick tests: no dovecot auth delay or penalty after a failed login,
# and postfix adds no Date/Message-ID nor rewrites headers (as for mail
# from afar), so a delivered message is the one sent plus trace headers.
set -u
umask 022
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

MAIL_UID=65534 # nobody: owns the Maildirs; dovecot and virtual(8) use it
MAIL_GID=65534
PASS1='Al1ce-pass'
PASS2='b0b secret!'
WAIT=15 # seconds to wait for the listeners

die() {
	echo "mail.sh: $*" >&2
	exit 1
}

usage() {
	echo "usage: mail.sh start|stop DIR" >&2
	exit 64
}

# showlogs: the tail of every log, for a failed start.
showlogs() {
	local f
	for f in "$D"/log/*; do
		case $f in
		*/openssl.log) continue ;;
		esac
		[ -f "$f" ] || continue
		echo "--- ${f#"$D"/} (last 40 lines)"
		tail -n 40 "$f"
	done
}

# fail MSG: a failed start: say why, show the logs, stop what did start.
fail() {
	echo "mail.sh: $*" >&2
	showlogs >&2
	stop_all
	exit 1
}

# q VALUE: VALUE single-quoted for sh.
q() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# starttime PID: the start time of PID in clock ticks since boot (field
# 22 of /proc/PID/stat), or nothing when PID does not exist or is a
# zombie (exited; our pid 1 may take seconds to reap it).
starttime() {
	local s f
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	read -r -a f <<<"${s##*) }"
	[ "${f[0]}" = Z ] || echo "${f[19]}"
}

# record NAME PID: remember a daemon we started, with its start time so
# that stop never signals a recycled pid.
record() {
	echo "$2 $(starttime "$2")" >"$D/run/$1.pid"
}

# ours NAME: print the recorded pid of NAME if it still runs as the same
# process.
ours() {
	local pid st
	[ -f "$D/run/$1.pid" ] || return 1
	read -r pid st <"$D/run/$1.pid" || return 1
	[ -n "$pid" ] && [ -n "$st" ] || return 1
	[ "$(starttime "$pid")" = "$st" ] || return 1
	echo "$pid"
}

# session NAME: the processes left in the session of NAME's recorded
# leader (both daemons call setsid), started no earlier than it.
session() {
	local pid st p s t
	[ -f "$D/run/$1.pid" ] || return 0
	read -r pid st <"$D/run/$1.pid" || return 0
	[ -n "$pid" ] && [ -n "$st" ] || return 0
	ps -e -o pid=,sid= | while read -r p s; do
		[ "$s" = "$pid" ] || continue
		t=$(starttime "$p")
		[ -n "$t" ] && [ "$t" -ge "$st" ] && echo "$p"
	done
}

# gone NAME SECONDS: wait until NAME's leader and session have exited.
gone() {
	local n=$(($2 * 10))
	while [ "$n" -gt 0 ]; do
		if ! ours "$1" >/dev/null && [ -z "$(session "$1")" ]; then
			return 0
		fi
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# finish NAME: make sure nothing of NAME is left, then forget it.
finish() {
	local p
	if ! gone "$1" 10; then
		for p in $(ours "$1") $(session "$1"); do
			kill -KILL "$p" 2>/dev/null
		done
		gone "$1" 5 || echo "mail.sh: $1 did not exit" >&2
	fi
	rm -f "$D/run/$1.pid"
}

# adopt NAME PIDFILE MARK: if start died before recording NAME, take
# the pid from the daemon's own pid file, but only when MARK (our config)
# is a line of that process's command line or environment.
adopt() {
	local pid
	if [ -f "$D/run/$1.pid" ] || [ ! -f "$2" ]; then
		return 0
	fi
	pid=$(tr -dc 0-9 <"$2")
	[ -n "$pid" ] || return 0
	if cat "/proc/$pid/cmdline" "/proc/$pid/environ" 2>/dev/null |
	    tr '\0' '\n' | grep -qxF -- "$3"; then
		record "$1" "$pid"
	fi
}

stop_all() {
	local pid base
	mkdir -p "$D/run"
	adopt postfix "$D/postfix/spool/pid/master.pid" \
	    "MAIL_CONFIG=$D/postfix/etc"
	if [ -f "$D/run/basedir" ]; then
		adopt dovecot "$(cat "$D/run/basedir")/master.pid" \
		    "$D/dovecot/dovecot.conf"
	fi
	# Both masters kill their children on SIGTERM (postfix stop sends it).
	if pid=$(ours postfix); then
		postfix -c "$D/postfix/etc" stop >/dev/null 2>&1 ||
		    kill -TERM "$pid" 2>/dev/null
	fi
	if pid=$(ours dovecot); then
		kill -TERM "$pid" 2>/dev/null
	fi
	finish postfix
	finish dovecot
	if [ -f "$D/run/basedir" ]; then
		base=$(cat "$D/run/basedir")
		case $base in
		/tmp/mkm.??????) rm -rf "$base" ;;
		esac
		rm -f "$D/run/basedir"
	fi
	restore_paths
	rm -f "$D/env"
}

# open_paths: the daemons' unprivileged users (postfix, dovecot, nobody)
# must reach DIR; bats makes its run directory 0700.  Add search (x, not
# read) permission for others to each ancestor that lacks it, and record
# it so that stop can put the mode back.
open_paths() {
	local d=$D mode
	: >"$D/run/chmod"
	while [ "$d" != / ]; do
		mode=$(stat -c %a "$d")
		if [ $((0$mode & 1)) = 0 ]; then
			echo "$mode $d" >>"$D/run/chmod"
			chmod o+x "$d" || return 1
		fi
		d=$(dirname "$d")
	done
}

# restore_paths: put back the modes open_paths changed, except where
# another running mail.sh (its /tmp/mkm.*/owner names its DIR) is below.
restore_paths() {
	local mode d o busy
	[ -f "$D/run/chmod" ] || return 0
	while read -r mode d; do
		busy=
		for o in /tmp/mkm.??????/owner; do
			[ -f "$o" ] || continue
			case $(cat "$o") in
			"$d"/*) busy=1 ;;
			esac
		done
		if [ -z "$busy" ] && [ -d "$d" ]; then
			chmod "$mode" "$d"
		fi
	done <"$D/run/chmod"
	rm -f "$D/run/chmod"
}

# free_ports N: N distinct TCP ports on 127.0.0.1 that nothing listens
# on (all held open together, so no two are the same).
free_ports() {
	python3 - "$1" <<'PY'
import socket, sys
held, ports = [], []
while len(ports) < int(sys.argv[1]):
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind(("127.0.0.1", 0))
    port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", port))
    except OSError:
        t.close(); continue
    held += [t, u]; ports.append(port)
print(" ".join(map(str, ports)))
PY
}

# make_tls: the throwaway CA and the server certificate it signs.
make_tls() {
	local t=$D/tls
	mkdir -p "$t" && chmod 0755 "$t"
	(
		set -e
		cd "$t"
		openssl req -x509 -newkey rsa:2048 -nodes -days 30 \
		    -keyout ca.key -out ca.crt -subj "/O=mkit tests/CN=mkit test CA" \
		    -addext "basicConstraints=critical,CA:TRUE" \
		    -addext "keyUsage=critical,keyCertSign,cRLSign"
		openssl req -new -newkey rsa:2048 -nodes \
		    -keyout server.key -out server.csr -subj "/O=mkit tests/CN=localhost"
		cat >server.ext <<-'EOF'
		basicConstraints = critical,CA:FALSE
		keyUsage = critical,digitalSignature,keyEncipherment
		extendedKeyUsage = serverAuth
		subjectAltName = DNS:localhost,IP:127.0.0.1
		EOF
		openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key \
		    -CAcreateserial -days 30 -extfile server.ext -out server.crt
		chmod 0600 ca.key server.key
		chmod 0644 ca.crt server.crt
	) >"$D/log/openssl.log" 2>&1
}

write_dovecot() {
	local c=$D/dovecot
	mkdir -p "$c/state" && chmod 0755 "$c"
	{
		printf 'alice:{PLAIN}%s:%s:%s::%s/mail/alice::\n' \
		    "$PASS1" "$MAIL_UID" "$MAIL_GID" "$D"
		printf 'bob:{PLAIN}%s:%s:%s::%s/mail/bob::\n' \
		    "$PASS2" "$MAIL_UID" "$MAIL_GID" "$D"
	} >"$c/users"
	chown root:dovecot "$c/users" && chmod 0640 "$c/users"
	cat >"$c/dovecot.conf" <<EOF
# Written by tests/servers/mail.sh; thrown away by its stop.
instance_name = mkit-mail-$POP3_PORT
base_dir = $BASE
state_dir = $c/state
log_path = $D/log/dovecot.log
info_log_path = $D/log/dovecot.log
debug_log_path = $D/log/dovecot.log
auth_verbose = yes
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
protocols = imap pop3
listen = 127.0.0.1
shutdown_clients = yes

ssl = yes
ssl_cert = <$D/tls/server.crt
ssl_key = <$D/tls/server.key
ssl_dh = </usr/share/dovecot/dh.pem

auth_mechanisms = plain login
# Refuse a wrong password at once (default 2 s) to keep the tests quick.
auth_failure_delay = 0
# Realistic default: no plaintext login before STARTTLS ...
disable_plaintext_auth = yes
# ... except on 127.0.0.1, where the tests of --tls=auto need it (dovecot
# counts remote == local as secured anyway, this only makes it explicit).
local 127.0.0.1 {
  disable_plaintext_auth = no
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN $c/users
}
userdb {
  driver = passwd-file
  args = $c/users
}

mail_location = maildir:~/Maildir
first_valid_uid = $MAIL_UID
last_valid_uid = $MAIL_UID
pop3_uidl_format = %08Xu%08Xv

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS_PORT
    ssl = yes
  }
  inet_listener imap_strict {
    address = 127.0.0.2
    port = $IMAP_STRICT_PORT
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $POP3_PORT
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = $POP3S_PORT
    ssl = yes
  }
  inet_listener pop3_strict {
    address = 127.0.0.2
    port = $POP3_STRICT_PORT
  }
}
service auth {
  unix_listener auth-postfix {
    mode = 0660
    user = postfix
    group = postfix
  }
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
EOF
	mkdir -p "$D/mail/alice" "$D/mail/bob"
	chmod 0755 "$D/mail"
	chown "$MAIL_UID:$MAIL_GID" "$D/mail/alice" "$D/mail/bob"
	chmod 0700 "$D/mail/alice" "$D/mail/bob"
}

write_postfix() {
	local p=$D/postfix
	mkdir -p "$p/etc" "$p/spool" "$p/data"
	chmod 0755 "$p" "$p/etc" "$p/spool"
	chown postfix:postfix "$p/data" && chmod 0700 "$p/data"
	cat >"$p/etc/vmailbox" <<'EOF'
alice@example.org alice/Maildir/
bob@example.org bob/Maildir/
bob@example.net bob/Maildir/
EOF
	cat >"$p/etc/main.cf" <<EOF
# Written by tests/servers/mail.sh; thrown away by its stop.
compatibility_level = 3.6
queue_directory = $p/spool
data_directory = $p/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $D/log/maillog
maillog_file_prefixes = $D/log
syslog_name = mkit-postfix

myhostname = localhost
mydomain = example.org
myorigin = \$mydomain
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
smtpd_banner = \$myhostname ESMTP mkit test postfix
biff = no
append_dot_mydomain = no
smtputf8_enable = yes
# Like mail from afar: never add a missing Date or Message-ID, nor
# rewrite header addresses, so tests see what the client sent.
local_header_rewrite_clients =

# Only the test domains are accepted, and nothing ever leaves.
mydestination =
local_recipient_maps =
local_transport = error:5.1.1 no local delivery
alias_maps =
alias_database =
relay_domains =
relayhost =
default_transport = error:5.7.1 no outside delivery
relay_transport = error:5.7.1 no outside delivery
virtual_mailbox_domains = example.org example.net
virtual_mailbox_maps = texthash:$p/etc/vmailbox
virtual_mailbox_base = $D/mail
virtual_uid_maps = static:$MAIL_UID
virtual_gid_maps = static:$MAIL_GID
unknown_virtual_mailbox_reject_code = 550
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions =
bounce_queue_lifetime = 0
maximal_queue_lifetime = 1h
delay_warning_time = 0

# TLS with the harness certificate; dovecot's auth for SASL.
smtpd_tls_chain_files = $D/tls/server.key, $D/tls/server.crt
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
smtpd_tls_received_header = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $BASE/auth-postfix
smtpd_sasl_auth_enable = no
smtpd_tls_auth_only = yes
# Submission and SMTPS: MAIL FROM without AUTH gets 530 5.7.0.
mua_sender_restrictions = permit_sasl_authenticated,
  check_sender_access static:{530 5.7.0 Authentication required}
mua_relay_restrictions = permit_sasl_authenticated, reject
EOF
	cat >"$p/etc/master.cf" <<EOF
# Written by tests/servers/mail.sh; thrown away by its stop.
# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$SMTP_PORT inet n - n - - smtpd
  -o syslog_name=mkit-postfix/smtp
127.0.0.1:$SUBMISSION_PORT inet n - n - - smtpd
  -o syslog_name=mkit-postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_delay_reject=no
  -o smtpd_client_restrictions=
  -o smtpd_helo_restrictions=
  -o smtpd_sender_restrictions=\$mua_sender_restrictions
  -o smtpd_relay_restrictions=\$mua_relay_restrictions
127.0.0.1:$SMTPS_PORT inet n - n - - smtpd
  -o syslog_name=mkit-postfix/smtps
  -o smtpd_tls_wrappermode=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_delay_reject=no
  -o smtpd_client_restrictions=
  -o smtpd_helo_restrictions=
  -o smtpd_sender_restrictions=\$mua_sender_restrictions
  -o smtpd_relay_restrictions=\$mua_relay_restrictions
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

# wait_listeners: poll until every listener greets (through TLS where
# it is implicit), for at most WAIT seconds.
wait_listeners() {
	python3 - "$WAIT" "$D/tls/ca.crt" \
	    smtp:127.0.0.1:"$SMTP_PORT" smtp:127.0.0.1:"$SUBMISSION_PORT" \
	    smtps:127.0.0.1:"$SMTPS_PORT" pop3:127.0.0.1:"$POP3_PORT" \
	    pop3s:127.0.0.1:"$POP3S_PORT" imap:127.0.0.1:"$IMAP_PORT" \
	    imaps:127.0.0.1:"$IMAPS_PORT" pop3:127.0.0.2:"$POP3_STRICT_PORT" \
	    imap:127.0.0.2:"$IMAP_STRICT_PORT" <<'PY'
import socket, ssl, sys, time
deadline = time.monotonic() + float(sys.argv[1])
ctx = ssl.create_default_context(cafile=sys.argv[2])
greet = {"smtp": b"220 ", "pop3": b"+OK", "imap": b"* OK"}
todo = [a.split(":") for a in sys.argv[3:]]
last = {}
while todo:
    for kind, host, port in list(todo):
        try:
            s = socket.create_connection((host, int(port)), timeout=2)
            if kind.endswith("s"):
                s = ctx.wrap_socket(s, server_hostname="localhost")
            line = s.makefile("rb").readline()
            s.close()
            if line.startswith(greet[kind.rstrip("s")]):
                todo.remove([kind, host, port])
            else:
                last[port] = repr(line)
        except (OSError, ssl.SSLError) as e:
            last[port] = str(e)
    if todo and time.monotonic() > deadline:
        for kind, host, port in todo:
            print("%s on %s:%s does not answer: %s"
                  % (kind, host, port, last.get(port)), file=sys.stderr)
        sys.exit(1)
    if todo:
        time.sleep(0.1)
PY
}

start_all() {
	local pid n u
	[ "$(id -u)" = 0 ] || die "start needs root (postfix runs only as root)"
	for u in postfix dovecot dovenull; do
		id "$u" >/dev/null 2>&1 || die "no user $u: are postfix and dovecot installed?"
	done
	if [ -e "$D/env" ] || [ -e "$D/run/dovecot.pid" ] || [ -e "$D/run/postfix.pid" ]; then
		die "$D: already started (stop it first)"
	fi
	mkdir -p "$D/run" "$D/log" || die "cannot create $D"
	chmod 0755 "$D" "$D/log"
	BASE=$(mktemp -d /tmp/mkm.XXXXXX) || fail "mktemp failed"
	echo "$BASE" >"$D/run/basedir"
	echo "$D" >"$BASE/owner"
	chmod 0755 "$BASE"
	open_paths || fail "cannot open the path to $D for the daemons"

	read -r SMTP_PORT SUBMISSION_PORT SMTPS_PORT POP3_PORT POP3S_PORT \
	    IMAP_PORT IMAPS_PORT POP3_STRICT_PORT IMAP_STRICT_PORT \
	    < <(free_ports 9)
	[ -n "${IMAP_STRICT_PORT:-}" ] || fail "cannot find free ports"

	make_tls || fail "openssl failed: $(tail -n 20 "$D/log/openssl.log")"

	write_dovecot
	dovecot -c "$D/dovecot/dovecot.conf" >>"$D/log/dovecot.start" 2>&1 ||
	    fail "dovecot did not start: $(cat "$D/log/dovecot.start")"
	# No auth penalty: after a failed login, dovecot delays every
	# later login from that IP (here all of them) by 2 to 15 s.  There is
	# no setting for it; its auth process, started on the first login
	# (none yet), connects to this socket once and, finding none, skips
	# the penalty silently.
	rm -f "$BASE/anvil-auth-penalty"
	for n in $(seq 100); do
		[ -s "$BASE/master.pid" ] && [ -S "$BASE/auth-postfix" ] && break
		sleep 0.1
	done
	pid=$(cat "$BASE/master.pid" 2>/dev/null)
	[ -n "$pid" ] || fail "dovecot wrote no $BASE/master.pid"
	record dovecot "$pid"
	[ -S "$BASE/auth-postfix" ] || fail "dovecot made no $BASE/auth-postfix"

	write_postfix
	# (No "postfix check" first: it takes 2 s; start checks what is fatal.)
	if ! postfix -c "$D/postfix/etc" start >>"$D/log/postfix.start" 2>&1; then
		postfix -c "$D/postfix/etc" check >>"$D/log/postfix.start" 2>&1
		fail "postfix did not start: $(cat "$D/log/postfix.start")"
	fi
	pid=$(sed -n 's/ //gp;q' "$D/postfix/spool/pid/master.pid" 2>/dev/null)
	[ -n "$pid" ] || fail "postfix wrote no master.pid"
	record postfix "$pid"

	wait_listeners || fail "not every listener answers"

	if ! {
		echo "MAIL_CA_FILE=$(q "$D/tls/ca.crt")"
		echo "MAIL_HOST=127.0.0.1"
		echo "MAIL_TLS_NAME=localhost"
		echo "SMTP_PORT=$SMTP_PORT"
		echo "SUBMISSION_PORT=$SUBMISSION_PORT"
		echo "SMTPS_PORT=$SMTPS_PORT"
		echo "POP3_PORT=$POP3_PORT"
		echo "POP3S_PORT=$POP3S_PORT"
		echo "IMAP_PORT=$IMAP_PORT"
		echo "IMAPS_PORT=$IMAPS_PORT"
		echo "MAIL_STRICT_HOST=127.0.0.2"
		echo "POP3_STRICT_PORT=$POP3_STRICT_PORT"
		echo "IMAP_STRICT_PORT=$IMAP_STRICT_PORT"
		echo "MAIL_USER1=alice"
		echo "MAIL_PASS1=$(q "$PASS1")"
		echo "MAIL_ADDR1=alice@example.org"
		echo "MAIL_USER2=bob"
		echo "MAIL_PASS2=$(q "$PASS2")"
		echo "MAIL_ADDR2=bob@example.org"
		echo "MAIL_DOMAIN=example.org"
		echo "MAIL_DOMAIN2=example.net"
		echo "MAILDIR_ROOT=$(q "$D/mail")"
		echo "MAILDIR_PATTERN=$(q "$D/mail/%u/Maildir")"
		echo "MAIL_UID=$MAIL_UID"
		echo "MAIL_GID=$MAIL_GID"
		echo "MAIL_LOG=$(q "$D/log/maillog")"
		echo "MAIL_DOVECOT_LOG=$(q "$D/log/dovecot.log")"
	} >"$D/env.tmp" || ! mv "$D/env.tmp" "$D/env"; then
		fail "cannot write $D/env"
	fi
}

[ $# = 2 ] || usage
case $2 in
/*) D=$2 ;;
*) D=$PWD/$2 ;;
esac
D=${D%/}

case $1 in
start)
	mkdir -p "$D" || die "cannot create $D"
	D=$(cd "$D" && pwd -P) || die "cannot enter $D"
	# The path goes into postfix and dovecot configuration files as is.
	case $D in
	*[!A-Za-z0-9_./+-]*) die "DIR must be a plain path: $D" ;;
	esac
	start_all
	;;
stop)
	[ -d "$D" ] || exit 0
	D=$(cd "$D" && pwd -P) || exit 0
	stop_all
	;;
*) usage ;;
esac
