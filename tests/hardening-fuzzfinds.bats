#!/usr/bin/env bats
# Hardening: what fuzzing found, replayed through the tools themselves.
# Each input is also in tests/fuzz/corpus/, which make check replays
# against the library function; these tests check the user-visible
# effect stays fixed.
#
# - fuzz_smtp: a quoted local part with a backslash-escaped control byte
#   ("x\<0x01>y"@example.org) passed smtp_addr_ok(), so msend -t put the
#   control byte into RCPT TO.  Now it is a bad address: exit 65, and
#   nothing goes out.
# - fuzz_name: mime_name_sanitize() copied the kept extension of a name
#   cut at 200 bytes without its C1 filter, so a name ending in
#   ".a<U+009B>b" (CSI, a terminal escape) reached the file system.  (A
#   cut that left no stem gave a dot file ".ext"; mmime turns invalid
#   UTF-8 into U+FFFD first, so only the corpus input name/dot-file-cut
#   reaches that path.)

# shellcheck disable=SC2154 # status, output, stderr: set by run
bats_require_minimum_version 1.5.0

load helpers

setup() {
	mkit_isolate
	T=$BATS_TEST_TMPDIR
	mkdir -p "$HOME/.config/mkit"
	: >"$MKIT_CONFIG"
}

@test "msend -t: an escaped control byte in a quoted local part is exit 65" {
	printf 'From: a@example.org\nTo: "x\\\001y"@example.org\nSubject: t\n\nhi\n' \
	    > "$T/msg"
	run -65 --separate-stderr msend -t --dry-run < "$T/msg"
	[ -z "$output" ]
	[[ $stderr == *"bad address"* ]]
	[ "$(printf '%s\n' "$stderr" | wc -l)" = 1 ]
}

@test "msend -t: the same address with a printable escaped byte is sent" {
	printf 'From: a@example.org\nTo: "x\\"y"@example.org\nSubject: t\n\nhi\n' \
	    > "$T/msg"
	run -0 msend -t --dry-run < "$T/msg"
	[[ ${lines[1]} == 'RCPT TO:<"x\"y"@example.org>' ]]
}

# A message whose attachment is named NAME (RFC 2231, UTF-8, %-encoded).
named() {
	printf 'From: a@example.org\nMIME-Version: 1.0\n'
	printf 'Content-Type: multipart/mixed; boundary=b\n\n--b\n'
	printf 'Content-Type: text/plain\n\nhi\n--b\n'
	printf 'Content-Type: application/octet-stream\n'
	printf "Content-Disposition: attachment; filename*=utf-8''%s\n\n" "$1"
	printf 'zzz\n--b--\n'
}

@test "mmime extract: a C1 control in the kept extension of a long name is replaced" {
	named "$(printf 'x%.0s' $(seq 250)).a%C2%9Bb" > "$T/m.eml"
	mkdir "$T/out"
	run -0 mmime extract -d "$T/out" "$T/m.eml"
	name=$(ls "$T/out")
	[ "${#name}" -le 200 ]
	[[ $name == *.a_b ]]
	! printf '%s' "$name" | LC_ALL=C grep -q $'\xc2\x9b'
	[ "$(cat "$T/out/$name")" = zzz ]
}
