#!/usr/bin/env bats
# The command line every tool shares (issue 2): -h/--help, --version,
# unknown options, --timeout checking, and, until each tool's own
# release, "not implemented" (exit 69).

# shellcheck disable=SC2154 # status, output, stderr, stderr_lines: set by run
bats_require_minimum_version 1.5.0

load helpers

setup() {
	mkit_isolate
}

# fail_run MSG: print MSG and what the last run saw, then fail.
fail_run() {
	printf '%s\nexit status: %s\n--- stdout\n%s\n--- stderr\n%s\n' \
	    "$1" "$status" "$output" "$stderr" >&2
	return 1
}

# help_of TOOL: what TOOL --help prints (the usage).
help_of() {
	"$1" --help
}

# check_help TOOL OPT: OPT prints the usage on stdout, nothing on
# stderr, and exits 0.
check_help() {
	run --separate-stderr "$1" "$2"
	[ "$status" -eq 0 ] || fail_run "$1 $2: exit status"
	[[ $output == "usage: $1 "* ]] || fail_run "$1 $2: no usage on stdout"
	[ -z "$stderr" ] || fail_run "$1 $2: stderr not empty"
}

# check_version TOOL: "TOOL (mkit) VERSION", VERSION that of the Makefile.
check_version() {
	local version
	version=$(sed -n 's/^VERSION[[:space:]]*=[[:space:]]*//p' \
	    "$MKIT_TOP/Makefile")
	[ -n "$version" ]
	run --separate-stderr "$1" --version
	[ "$status" -eq 0 ] || fail_run "$1 --version: exit status"
	[ "$output" = "$1 (mkit) $version" ] ||
	    fail_run "$1 --version: expected '$1 (mkit) $version'"
	[ -z "$stderr" ] || fail_run "$1 --version: stderr not empty"
}

# check_bad_option TOOL ARGS...: exit 64, nothing on stdout, and stderr
# ends with the usage (getopt may name the option on a line before it).
check_bad_option() {
	local tool=$1 usage
	usage=$(help_of "$tool")
	run --separate-stderr "$@"
	[ "$status" -eq 64 ] || fail_run "$*: exit status"
	[ -z "$output" ] || fail_run "$*: stdout not empty"
	[[ $stderr == *"$usage" ]] || fail_run "$*: no usage at the end of stderr"
	printf '%s\n' "${stderr_lines[@]}" | grep -q "^usage: $tool " ||
	    fail_run "$*: no line starting 'usage: $tool'"
	# The reason first, in the PROG: context: reason form.
	[[ ${stderr_lines[0]} == "$tool: $2: "* ]] ||
	    fail_run "$*: first line is not '$tool: $2: reason'"
}

# check_bad_timeout TOOL VALUE: exit 64, nothing on stdout, one line
# "TOOL: ..." on stderr that names the value.
check_bad_timeout() {
	run --separate-stderr "$1" --timeout "$2"
	[ "$status" -eq 64 ] || fail_run "$1 --timeout $2: exit status"
	[ -z "$output" ] || fail_run "$1 --timeout $2: stdout not empty"
	[ "${#stderr_lines[@]}" -eq 1 ] ||
	    fail_run "$1 --timeout $2: not one line on stderr"
	[[ $stderr == "$1: "*"$2"* ]] ||
	    fail_run "$1 --timeout $2: not '$1: ...' naming '$2'"
}

# check_stub TOOL ARGS...: exit 69, nothing on stdout, and exactly the
# line "TOOL: not implemented" on stderr.
check_stub() {
	local tool=$1
	run --separate-stderr "$@"
	[ "$status" -eq 69 ] || fail_run "$*: exit status"
	[ -z "$output" ] || fail_run "$*: stdout not empty"
	[ "$stderr" = "$tool: not implemented" ] ||
	    fail_run "$*: stderr is not exactly '$tool: not implemented'"
	[ "${#stderr_lines[@]}" -eq 1 ] || fail_run "$*: not one line"
}

# check_common TOOL: the common options are accepted, alone and
# together, in both long forms; the stub then exits 69.
check_common() {
	check_stub "$1" --json
	check_stub "$1" --trace
	check_stub "$1" --timeout 1
	check_stub "$1" --timeout=86400
	check_stub "$1" --json --trace --timeout 30
}

# check_timeout_range TOOL: 0 and 86401 are out of range.
check_timeout_range() {
	check_bad_timeout "$1" 0
	check_bad_timeout "$1" 86401
	check_bad_timeout "$1" -5
}

@test "mlookup: -h prints the usage on stdout, exit 0" {
	check_help mlookup -h
}
@test "mlookup: --help prints the usage on stdout, exit 0" {
	check_help mlookup --help
}
@test "mlookup: --version" {
	check_version mlookup
}
@test "mlookup: an unknown option is exit 64 with the usage on stderr" {
	check_bad_option mlookup --no-such-option
	check_bad_option mlookup -Z
}
@test "mlookup: --timeout without a value is exit 64 with the usage" {
	check_bad_option mlookup --timeout
}
@test "mlookup: --timeout abc is exit 64 with one error line" {
	check_bad_timeout mlookup abc
}
@test "mlookup: --timeout 0, 86401, -5 are exit 64 with one error line" {
	check_timeout_range mlookup
}
@test "mlookup: no name is exit 64 with the usage on stderr" {
	run --separate-stderr mlookup
	[ "$status" -eq 64 ] || fail_run "mlookup: exit status"
	[ -z "$output" ] || fail_run "mlookup: stdout not empty"
	[[ ${stderr_lines[0]} == "mlookup: "*missing* ]] ||
	    fail_run "mlookup: first line does not say what is missing"
	[[ $stderr == *"$(help_of mlookup)" ]] ||
	    fail_run "mlookup: no usage at the end of stderr"
}
@test "mlookup: bad --port, --retries, --bufsize, type, class, -x: exit 64" {
	local a
	for a in "--port 0" "--port 65536" "--retries 11" "--retries x" \
	    "--bufsize 511" "--bufsize 65536" "-t NOSUCH" "-c NOSUCH" \
	    "-x 192.0.2" "-x nothing" "-t AXFR" "-s 1.2.3.4#0" "--no-edns --nsid"; do
		# shellcheck disable=SC2086 # split on purpose
		run --separate-stderr mlookup $a example.
		[ "$status" -eq 64 ] || fail_run "mlookup $a: exit status"
		[ -z "$output" ] || fail_run "mlookup $a: stdout not empty"
		[ "${#stderr_lines[@]}" -eq 1 ] ||
		    fail_run "mlookup $a: not one line on stderr"
		[[ $stderr == "mlookup: "* ]] || fail_run "mlookup $a: not 'mlookup: ...'"
	done
}
@test "mlookup: a bad name or too many operands is exit 64" {
	run --separate-stderr mlookup 'a..b.'
	[ "$status" -eq 64 ] || fail_run "a..b.: exit status"
	[ "$stderr" = "mlookup: a..b.: empty label" ] || fail_run "a..b.: message"
	run --separate-stderr mlookup "$(printf 'x%.0s' {1..64})."
	[ "$status" -eq 64 ] || fail_run "long label: exit status"
	[[ $stderr == *"label too long" ]] || fail_run "long label: message"
	run --separate-stderr mlookup example. A extra
	[ "$status" -eq 64 ] || fail_run "extra operand: exit status"
	[ -z "$output" ] || fail_run "extra operand: stdout not empty"
}
@test "mlookup: --trace, --https and batch options misused are exit 64" {
	local a
	for a in "--trace @127.0.0.1" "--trace --short" "--root-hints /dev/null" \
	    "--https-get" "--insecure" "--ca-file /dev/null" \
	    "--https ftp://x/" "--https https://x/ --trace" "--deadline 0" \
	    "--parallel 0"; do
		# shellcheck disable=SC2086 # split on purpose
		run --separate-stderr mlookup $a example.
		[ "$status" -eq 64 ] || fail_run "mlookup $a: exit status"
		[ -z "$output" ] || fail_run "mlookup $a: stdout not empty"
		[[ $stderr == "mlookup: "* ]] || fail_run "mlookup $a: message"
	done
}

@test "msend: -h prints the usage on stdout, exit 0" {
	check_help msend -h
}
@test "msend: --help prints the usage on stdout, exit 0" {
	check_help msend --help
}
@test "msend: --version" {
	check_version msend
}
@test "msend: an unknown option is exit 64 with the usage on stderr" {
	check_bad_option msend --no-such-option
	check_bad_option msend -Z
}
@test "msend: --timeout without a value is exit 64 with the usage" {
	check_bad_option msend --timeout
}
@test "msend: --timeout abc is exit 64 with one error line" {
	check_bad_timeout msend abc
}
@test "msend: --timeout 0, 86401, -5 are exit 64 with one error line" {
	check_timeout_range msend
}
@test "msend: no recipients: exit 65 with one error line" {
	run --separate-stderr msend --server smtp://127.0.0.1:1 --dry-run \
	    </dev/null
	[ "$status" -eq 65 ] || fail_run "msend: exit status"
	[ -z "$output" ] || fail_run "msend: stdout not empty"
	[[ $stderr == "msend: no recipients"* ]] || fail_run "msend: message"
	[ "${#stderr_lines[@]}" -eq 1 ] || fail_run "msend: not one line"
}
@test "msend: the common options are accepted (--dry-run sends nothing)" {
	local o
	for o in --json --trace "--timeout 1" --timeout=86400 \
	    "--json --trace --timeout 30"; do
		# shellcheck disable=SC2086 # split o on purpose
		run --separate-stderr msend $o --dry-run -f a@example.org \
		    --server smtp://127.0.0.1:1 b@example.org </dev/null
		[ "$status" -eq 0 ] || fail_run "msend $o: exit status"
		[[ ${lines[0]} == "MAIL FROM:<a@example.org>" ]] ||
		    fail_run "msend $o: no envelope"
	done
}
@test "msend: --tls takes required, auto, off only" {
	run --separate-stderr msend --tls=maybe --dry-run b@example.org </dev/null
	[ "$status" -eq 64 ] || fail_run "--tls=maybe: exit status"
	[[ $stderr == "msend: --tls maybe: "* ]] || fail_run "--tls: message"
}
@test "msend: as sendmail, takes sendmail's options; as msend, not" {
	ln -s "$(command -v msend)" "$BATS_TEST_TMPDIR/sendmail"
	mkdir -p "${MKIT_CONFIG%/*}" && : >"$MKIT_CONFIG"
	run --separate-stderr "$BATS_TEST_TMPDIR/sendmail" --dry-run -oi -odi \
	    -oem -bm -B8BITMIME -FCron -f root@example.org b@example.org \
	    </dev/null
	[ "$status" -eq 0 ] || fail_run "sendmail: exit status"
	[[ ${lines[0]} == "MAIL FROM:<root@example.org> BODY=8BITMIME" ]] ||
	    fail_run "sendmail: envelope"
	check_bad_option msend -o
	check_bad_option msend -B
}

@test "mpop: -h prints the usage on stdout, exit 0" {
	check_help mpop -h
}
@test "mpop: --help prints the usage on stdout, exit 0" {
	check_help mpop --help
}
@test "mpop: --version" {
	check_version mpop
}
@test "mpop: an unknown option is exit 64 with the usage on stderr" {
	check_bad_option mpop --no-such-option
	check_bad_option mpop -Z
}
@test "mpop: --timeout without a value is exit 64 with the usage" {
	check_bad_option mpop --timeout
}
@test "mpop: --timeout abc is exit 64 with one error line" {
	check_bad_timeout mpop abc
}
@test "mpop: --timeout 0, 86401, -5 are exit 64 with one error line" {
	check_timeout_range mpop
}
@test "mpop: no arguments: exit 64, one line asking for a target" {
	run --separate-stderr mpop
	[ "$status" -eq 64 ] || fail_run "mpop: exit status"
	[ -z "$output" ] || fail_run "mpop: stdout not empty"
	[ "${#stderr_lines[@]}" -eq 1 ] || fail_run "mpop: not one line"
	[[ $stderr == "mpop: no target: "* ]] || fail_run "mpop: message"
}
@test "mpop: targets exclude each other, --list takes none: exit 64" {
	run --separate-stderr mpop --maildir d --mbox f
	[ "$status" -eq 64 ] || fail_run "two targets: exit status"
	run --separate-stderr mpop --list --stdout
	[ "$status" -eq 64 ] || fail_run "--list --stdout: exit status"
	run --separate-stderr mpop --maildir d --tls sometimes
	[ "$status" -eq 64 ] || fail_run "--tls sometimes: exit status"
	run --separate-stderr mpop --maildir d --max-size 0
	[ "$status" -eq 64 ] || fail_run "--max-size 0: exit status"
}
@test "mpop: no account and no --server: exit 64" {
	# (MKIT_CONFIG names a missing file: that alone would be 78.)
	run --separate-stderr env -u MKIT_CONFIG mpop \
	    --maildir "$BATS_TEST_TMPDIR/md"
	[ "$status" -eq 64 ] || fail_run "exit status"
	[[ $stderr == *"no account and no --server"* ]] || fail_run "message"
}
@test "mpop: the common options are accepted; a refused connection is 75" {
	local port
	port=$(free_port)
	run --separate-stderr mpop --json --trace --timeout 5 --list \
	    --server "pop3://127.0.0.1:$port" --tls off
	[ "$status" -eq 75 ] || fail_run "exit status"
	[ -z "$output" ] || fail_run "stdout not empty"
	[[ $stderr == *"* "*"127.0.0.1"* ]] || fail_run "no trace"
}

@test "mimap: -h prints the usage on stdout, exit 0" {
	check_help mimap -h
}
@test "mimap: --help prints the usage on stdout, exit 0" {
	check_help mimap --help
}
@test "mimap: --version" {
	check_version mimap
}
@test "mimap: an unknown option is exit 64 with the usage on stderr" {
	check_bad_option mimap --no-such-option
	check_bad_option mimap -Z
}
@test "mimap: --timeout without a value is exit 64 with the usage" {
	check_bad_option mimap --timeout
}
@test "mimap: --timeout abc is exit 64 with one error line" {
	check_bad_timeout mimap abc
}
@test "mimap: --timeout 0, 86401, -5 are exit 64 with one error line" {
	check_timeout_range mimap
}
@test "mimap: no command, an unknown command, a wrong count: exit 64" {
	local usage
	usage=$(help_of mimap)
	run --separate-stderr mimap
	[ "$status" -eq 64 ] || fail_run "no command: exit status"
	[[ $stderr == "mimap: no command"*"$usage" ]] || fail_run "no command"
	run --separate-stderr mimap --json --trace --timeout 30 frobnicate
	[ "$status" -eq 64 ] || fail_run "unknown command: exit status"
	[ "${stderr_lines[0]}" = "mimap: frobnicate: unknown command" ] ||
	    fail_run "unknown command: message"
	run --separate-stderr mimap rename onlyone
	[ "$status" -eq 64 ] || fail_run "rename with one operand"
	run --separate-stderr mimap list INBOX --to x
	[ "$status" -eq 64 ] || fail_run "--to is not an option of list"
	[ "${stderr_lines[0]}" = "mimap: list: --to is not an option of this command" ] ||
	    fail_run "--to of list: message"
	run --separate-stderr mimap list --limit 0
	[ "$status" -eq 64 ] || fail_run "--limit 0"
	[ -z "$output" ] || fail_run "stdout not empty"
}
@test "mimap: the common options are accepted; no account and no --server is 78" {
	run --separate-stderr env -u MKIT_CONFIG mimap --json --trace \
	    --timeout 30 folders
	[ "$status" -eq 78 ] || fail_run "exit status"
	[[ $stderr == "mimap: folders: no account in "*" and no --server" ]] ||
	    fail_run "message"
	run --separate-stderr mimap -a nosuch folders
	[ "$status" -eq 78 ] || fail_run "-a nosuch"
	run --separate-stderr mimap --server "imap://127.0.0.1:1" --tls off \
	    --timeout 5 search INBOX SUBJECT ab
	[ "$status" -eq 75 ] || fail_run "a refused connection is not 75"
	run --separate-stderr mimap --server "ftp://x" folders
	[ "$status" -eq 64 ] || fail_run "an ftp:// URL"
}

@test "mmime: -h prints the usage on stdout, exit 0" {
	check_help mmime -h
}
@test "mmime: --help prints the usage on stdout, exit 0" {
	check_help mmime --help
}
@test "mmime: --version" {
	check_version mmime
}
@test "mmime: an unknown option is exit 64 with the usage on stderr" {
	check_bad_option mmime --no-such-option
	check_bad_option mmime -Z
}
@test "mmime: --timeout without a value is exit 64 with the usage" {
	check_bad_option mmime --timeout
}
@test "mmime: --timeout abc is exit 64 with one error line" {
	check_bad_timeout mmime abc
}
@test "mmime: --timeout 0, 86401, -5 are exit 64 with one error line" {
	check_timeout_range mmime
}
@test "mmime: no command, an unknown command, a bad command option: exit 64" {
	local usage
	usage=$(help_of mmime)
	run --separate-stderr mmime
	[ "$status" -eq 64 ] || fail_run "no command"
	[[ $stderr == "mmime: no command"*"$usage" ]] || fail_run "no command"
	run --separate-stderr mmime --json --trace --timeout 30 frobnicate
	[ "$status" -eq 64 ] || fail_run "unknown command"
	[ "${stderr_lines[0]}" = "mmime: frobnicate: unknown command" ] ||
	    fail_run "unknown command message"
	run --separate-stderr mmime extract --utf8
	[ "$status" -eq 64 ] || fail_run "option of another command"
	[ "${stderr_lines[0]}" = "mmime: extract: --utf8: unknown option" ] ||
	    fail_run "option of another command: message"
}
@test "mmime: the common options are accepted before a command" {
	run --separate-stderr bash -c 'printf "x\n" | mmime --json --trace --timeout 30 encode -b'
	[ "$status" -eq 0 ] || fail_run "common options"
	[ "$output" = eAo= ] || fail_run "encode -b after the common options"
	run --separate-stderr bash -c 'printf "Subject: a\n\nb\n" | mmime --json list'
	[ "$status" -eq 0 ] || fail_run "--json before list"
	[[ $output == '[{"part":"1",'* ]] || fail_run "--json before list: JSON"
}
