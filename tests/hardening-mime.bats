#!/usr/bin/env bats
# Hardening: hostile MIME (issue 9).  Each input is made by the test:
#
# - 10,000-deep nesting and a million parts: capped (depth 64, 10,000
#   parts), exit 65 with one message, in time linear in the input;
# - 10,000 RFC 2231 continuations and a million "=?" in one field: exit 0,
#   linear time, no "out of memory" (a header line over the 256 KiB cap
#   is dropped with a warning under -v, whether read from a file or a
#   pipe);
# - attachment names that spell "../" as %2e%2e%2f (RFC 2231), as
#   encoded words (RFC 2047 Q and B), with backslashes, and an existing
#   symlink in the target directory: nothing outside the directory,
#   nothing written through the link.
#
# "Linear" is checked as a ratio of CPU seconds (user + system, from
# /usr/bin/time) of one input and the same input ten times smaller, run
# in the same test: at most 25 times, with the small run counted as at
# least 0.05 s.  A quadratic parser gives about 100 times; load and the
# sanitizers slow both runs alike.

# shellcheck disable=SC2154 # status, output, stderr: set by run
bats_require_minimum_version 1.5.0

load helpers

setup() {
	mkit_isolate
	T=$BATS_TEST_TMPDIR
	cd "$T" || return 1
}

# cpu CMD...: run CMD (stdout to /dev/null) and print its CPU seconds.
cpu() {
	/usr/bin/time -f '%U %S' -o "$T/time" "$@" >/dev/null 2>&1 || true
	tail -n 1 "$T/time" | awk '{ printf "%.3f\n", $1 + $2 }'
}

# linear SMALL BIG: BIG seconds at most 25 times max(SMALL, 0.05).
linear() {
	echo "# cpu: small $1 s, big $2 s" >&3
	awk -v s="$1" -v b="$2" 'BEGIN { if (s < 0.05) s = 0.05;
	    exit !(b <= 25 * s) }'
}

deep() {
	python3 -c '
import sys
n = int(sys.argv[1])
for i in range(n):
    sys.stdout.write("Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n" % (i, i))
sys.stdout.write("\ndeep\n")' "$1"
}

parts() {
	python3 -c '
import sys
sys.stdout.write("Content-Type: multipart/mixed; boundary=b\n\n")
sys.stdout.write("--b\n\nx\n" * int(sys.argv[1]))
sys.stdout.write("--b--\n")' "$1"
}

continuations() {
	python3 -c '
import sys
n = int(sys.argv[1])
p = "; ".join("filename*%d=\"x%d\"" % (i, i % 10) for i in range(n))
sys.stdout.write("MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n"
    "--b\nContent-Type: application/octet-stream\n"
    "Content-Disposition: attachment; %s\n\nzz\n--b--\n" % p)' "$1"
}

words() {
	python3 -c '
import sys
sys.stdout.write("Subject: " + "=?" * int(sys.argv[1]) + "\nFrom: a@example.org\n\nbody\n")' "$1"
}

@test "mime: 10,000-deep nesting: 65, one message, 65 parts, linear time" {
	deep 1000 > small.eml
	deep 10000 > big.eml
	run -65 --separate-stderr mmime list big.eml
	[ "${#lines[@]}" -eq 65 ]
	[[ $stderr == *"nested more than 64 deep"* ]]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	linear "$(cpu mmime list small.eml)" "$(cpu mmime list big.eml)"
}

@test "mime: a million parts: 65 after 10,000 listed, linear time" {
	parts 100000 > small.eml
	parts 1000000 > big.eml
	run -65 --separate-stderr mmime list big.eml
	[ "${#lines[@]}" -eq 10000 ]
	[[ $stderr == *"more than 10000 parts"* ]]
	run -65 --separate-stderr mmime extract --all -d . big.eml
	[ "$(find . -name 'part-*' | wc -l)" -le 10000 ]
	linear "$(cpu mmime list small.eml)" "$(cpu mmime list big.eml)"
}

@test "mime: 10,000 RFC 2231 continuations: one capped name, linear time" {
	continuations 1000 > small.eml
	continuations 10000 > big.eml
	run -0 --separate-stderr mmime list --json big.eml
	name=$(python3 -c 'import json,sys; print(json.load(sys.stdin)[1]["filename"])' <<<"$output")
	[[ $name == x0x1x2* ]]
	mkdir out
	run -0 mmime extract -d out big.eml
	[ "$(ls out | wc -l)" -eq 1 ]
	[ "$(ls out | head -n 1 | wc -c)" -le 201 ]
	linear "$(cpu mmime list small.eml)" "$(cpu mmime list big.eml)"
}

@test "mime: a million '=?' in a field: exit 0, no out of memory, linear time" {
	words 100000 > small.eml
	words 1000000 > big.eml
	run -0 --separate-stderr mmime headers -v big.eml
	[[ $stderr != *"out of memory"* ]]
	[[ $stderr == *"too long"* ]]
	run -0 --separate-stderr mmime headers -n From -v < big.eml
	[ "$output" = "From: a@example.org" ]
	[[ $stderr == *"header line too long"* ]]
	run -0 --separate-stderr mmime headers -n Subject small.eml
	[ "$output" = "Subject: $(python3 -c 'print("=?" * 100000)')" ]
	linear "$(cpu mmime headers small.eml)" "$(cpu mmime headers big.eml)"
}

# A message with one attachment per name given (raw parameter text).
named() {
	local i=0 p
	printf 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n'
	for p in "$@"; do
		i=$((i + 1))
		printf -- '--b\nContent-Type: application/octet-stream\n'
		printf 'Content-Disposition: attachment; %s\n\nbody%d\n' "$p" "$i"
	done
	printf -- '--b--\n'
}

@test "mime: encoded '../', slashes and backslashes stay inside DIR" {
	named "filename*=utf-8''%2e%2e%2f%2e%2e%2fescape1" \
	    'filename="=?utf-8?q?=2E=2E=2F=2E=2E=2Fescape2?="' \
	    'filename="=?utf-8?b?Li4vLi4vZXNjYXBlMw==?="' \
	    'filename="..\..\escape4"' \
	    "filename*0*=utf-8''%2e%2e; filename*1=\"/escape5\"" \
	    'filename="/abs/escape6"' > m.eml
	mkdir -p a/b
	run -0 --separate-stderr mmime extract -d a/b m.eml
	[ "${#lines[@]}" -eq 6 ]
	for i in 1 2 3 4 5 6; do
		[ -f "a/b/escape$i" ] || { echo "escape$i: $output"; false; }
		[ "$(cat "a/b/escape$i")" = "body$i" ]
	done
	[ "$(find a -type f | wc -l)" -eq 6 ]
	[ -z "$(find "$T" -name 'escape*' -not -path "$T/a/b/*")" ]
}

@test "mime: a symlink in DIR under an attachment's name is never written through" {
	named 'filename="notes.txt"' > m.eml
	mkdir out
	echo secret > target
	ln -s "$T/target" out/notes.txt
	run -0 mmime extract -d out m.eml
	[ "$output" = "out/notes-1.txt" ]
	[ "$(cat target)" = secret ]
	run -0 mmime extract -f -d out m.eml
	[ "$output" = "out/notes.txt" ]
	[ ! -L out/notes.txt ]
	[ "$(cat out/notes.txt)" = body1 ]
	[ "$(cat target)" = secret ]
}
