#!/bin/sh
# make deps: check for what building and testing mkit need; as root,
# install what is missing with apt-get, else print the one command to run.
set -u

PKGS="gcc make pkg-config libc6-dev libcurl4-openssl-dev libmagic-dev bats
      nsd unbound dovecot-core dovecot-imapd dovecot-pop3d postfix
      openssl ca-certificates curl python3 mandoc iproute2 file
      bind9-dnsutils clang isync time libidn2-0 strace
      bash-completion zsh fish"

missing=
for p in $PKGS; do
	st=$(dpkg-query -W -f '${db:Status-Abbrev}' "$p" 2>/dev/null)
	case $st in
	ii*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
	echo "mkit: missing packages:$missing; as root, run:" >&2
	echo "$cmd" >&2
	exit 1
fi

echo "mkit: installing:$missing" >&2
# Keep apt from starting a system dovecot/postfix/nsd/unbound on the
# ports the tests want: a policy-rc.d that forbids starting services,
# removed again afterwards if we put it there.
made_policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	made_policy=1
fi
echo "postfix postfix/main_mailer_type select No configuration" |
    debconf-set-selections 2>/dev/null
export DEBIAN_FRONTEND=noninteractive
rc=0
apt-get update -qq >&2 || rc=$?
[ $rc = 0 ] && { $cmd -qq >&2 || rc=$?; }
[ -n "$made_policy" ] && rm -f /usr/sbin/policy-rc.d
if [ $rc != 0 ]; then
	echo "mkit: apt-get failed (exit $rc)" >&2
	exit 1
fi
exit 0
