#!/usr/bin/env bats
# mmime: create, list, cat, extract, headers, encode, decode, through the
# documented interface only, over the corpus of broken and hostile
# messages in tests/data/mime/ and over messages mmime builds itself.
# mmime talks to no server, so nothing here needs root.

# shellcheck disable=SC2154 # status, output, stderr, lines: set by run
bats_require_minimum_version 1.5.0

load helpers

D=$BATS_TEST_DIRNAME/data/mime

setup() {
	mkit_isolate
	T=$BATS_TEST_TMPDIR
	cd "$T" || return 1
}

# A message with a text body, a binary and a text attachment.
make_msg() {
	head -c 100000 /dev/urandom > "$T/bin.dat"
	printf 'plain text attachment\nline two\n' > "$T/notes.txt"
	printf 'Hello Bob,\nthe report.\n' |
	    mmime create -f 'Alice <alice@example.org>' -t bob@example.org \
	    -s 'Report' -a "$T/bin.dat" -a "$T/notes.txt" > "$T/msg.eml"
}

# ---- command line

@test "mmime: no command and an unknown command are exit 64" {
	run --separate-stderr mmime
	[ "$status" -eq 64 ] || fail_run "no command"
	[[ ${stderr_lines[0]} == "mmime: no command" ]] || fail_run "message"
	run --separate-stderr mmime frobnicate
	[ "$status" -eq 64 ] || fail_run "unknown command"
	[[ ${stderr_lines[0]} == "mmime: frobnicate: unknown command" ]] ||
	    fail_run "message"
	run --separate-stderr mmime list -Z
	[ "$status" -eq 64 ] || fail_run "list -Z"
	[[ ${stderr_lines[0]} == "mmime: list: -Z: unknown option" ]] ||
	    fail_run "list -Z message"
	run --separate-stderr mmime list a b
	[ "$status" -eq 64 ] || fail_run "two operands"
}

@test "mmime: a missing input file is exit 66" {
	run --separate-stderr mmime list "$T/nope.eml"
	[ "$status" -eq 66 ] || fail_run "missing file"
	[[ $stderr == "mmime: list: $T/nope.eml: "* ]] || fail_run "message"
}

# ---- create

@test "mmime create: a plain message has Date, Message-ID, MIME-Version" {
	run --separate-stderr bash -c 'printf "hi\n" | mmime create -f "A <a@example.org>" -t b@example.org -s Hello'
	[ "$status" -eq 0 ] || fail_run "create"
	[[ $output == *$'\nMIME-Version: 1.0\n'* ]] || fail_run "MIME-Version"
	grep -qE '^Date: [A-Z][a-z]{2}, [0-9]+ [A-Z][a-z]{2} [0-9]{4} ' <<<"$output" ||
	    fail_run "Date"
	grep -qE '^Message-ID: <[a-z2-7]{26}@example\.org>$' <<<"$output" ||
	    fail_run "Message-ID"
	grep -qx 'Content-Type: text/plain; charset=us-ascii' <<<"$output" ||
	    fail_run "type"
	grep -qx 'Content-Transfer-Encoding: 7bit' <<<"$output" ||
	    fail_run "7bit"
	[[ $output == *$'\n\nhi' ]] || fail_run "body"
}

@test "mmime create: non-ASCII headers become encoded words, lines <= 76" {
	run --separate-stderr bash -c 'printf "Grüße, this body is mostly ASCII text.\n" | mmime create -t "Jörg Müller <j@example.org>" -s "Grüße aus Köln und ein sehr langer Betreff, der gefaltet werden muss"'
	[ "$status" -eq 0 ] || fail_run "create"
	grep -q '^To: =?UTF-8?' <<<"$output" || fail_run "To"
	grep -q '^Subject: .*=?UTF-8?' <<<"$output" || fail_run "Subject"
	! grep -qP '[^\x00-\x7f]' <<<"$output" || fail_run "8-bit output"
	! awk 'length > 76 { bad = 1 } END { exit !bad }' <<<"$output" ||
	    fail_run "a line over 76"
	grep -qx 'Content-Transfer-Encoding: quoted-printable' <<<"$output" ||
	    fail_run "qp body"
	run mmime headers -n subject <<<"$output"
	[ "$output" = "Subject: Grüße aus Köln und ein sehr langer Betreff, der gefaltet werden muss" ] ||
	    fail_run "decoded subject"
}

@test "mmime create: the type comes from the bytes, or after a ':'" {
	printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\10\6\0\0\0\37\25\304\211' > "$T/img.png"
	cp "$T/img.png" "$T/noext"
	printf 'x' > "$T/a:b"
	run --separate-stderr mmime create -a "$T/img.png" -a "$T/noext" \
	    -a "$T/noext:application/x-custom" -a "$T/a:b" </dev/null
	[ "$status" -eq 0 ] || fail_run "create"
	[ "$(grep -c '^Content-Type: image/png' <<<"$output")" -eq 2 ] ||
	    fail_run "libmagic: image/png twice"
	grep -q '^Content-Type: application/x-custom; name=noext' <<<"$output" ||
	    fail_run "explicit type"
	grep -q 'filename="a:b"' <<<"$output" || fail_run "a:b is a file name"
	grep -q '^Content-Type: multipart/mixed' <<<"$output" || fail_run "mixed"
}

@test "mmime create: --crlf ends every line with CR LF" {
	run --separate-stderr bash -c 'printf "a\nb\n" | mmime create --crlf -s x -a /etc/hostname | python3 -c "import sys; d = sys.stdin.buffer.read(); print(d.count(b\"\\n\") - d.count(b\"\\r\\n\"), d.count(b\"\\r\\n\") > 10)"'
	[ "$output" = "0 True" ] || fail_run "a bare LF"
	run --separate-stderr bash -c 'printf "a\nb\n" | mmime create --crlf -s x | mmime cat -p 1'
	[ "$output" = $'a\r\nb\r' ] || fail_run "body read back"
}

@test "mmime create: --html and --inline make alternative and related" {
	printf '<p><img src="cid:dot.png"></p>\n' > "$T/page.html"
	printf 'GIF89a\1\0\1\0\0\0\0;' > "$T/dot.png"
	run --separate-stderr bash -c "printf 'text\n' | mmime create -s x --html '$T/page.html' --inline '$T/dot.png' | mmime list"
	[ "$status" -eq 0 ] || fail_run "create | list"
	[ "${lines[0]%% *}" = 0 ] && [[ ${lines[0]} == "0 multipart/alternative "* ]] ||
	    fail_run "alternative at the top"
	[[ ${lines[2]} == "2 multipart/related "* ]] || fail_run "related"
	[[ ${lines[3]} == "2.1 text/html "* ]] || fail_run "html"
	[[ ${lines[4]} == "2.2 "*" inline dot.png" ]] || fail_run "inline image"
	run bash -c "mmime create --html '$T/page.html' --inline '$T/dot.png' </dev/null | grep -x 'Content-ID: <dot.png>'"
	[ "$status" -eq 0 ] || fail_run "Content-ID"
	run --separate-stderr mmime create --inline "$T/dot.png"
	[ "$status" -eq 64 ] || fail_run "--inline without --html"
}

@test "mmime create: a missing attachment is exit 66 and nothing is written" {
	run --separate-stderr mmime create -s x -a "$T/missing.pdf" </dev/null
	[ "$status" -eq 66 ] || fail_run "exit"
	[ -z "$output" ] || fail_run "partial output"
}

@test "mmime create: header values with line breaks are refused (64)" {
	run --separate-stderr mmime create -s $'a\nBcc: evil@example.org' </dev/null
	[ "$status" -eq 64 ] || fail_run "subject"
	run --separate-stderr mmime create -H 'no colon' </dev/null
	[ "$status" -eq 64 ] || fail_run "-H"
	run --separate-stderr mmime create -H 'X-Mailer: mkit' </dev/null
	[ "$status" -eq 0 ] && grep -qx 'X-Mailer: mkit' <<<"$output" ||
	    fail_run "-H good"
}

@test "mmime create: a long non-ASCII file name goes as RFC 2231 and back" {
	local name="résumé – a rather long file name for the quarterly report 2026.pdf"
	printf 'pdf' > "$T/$name"
	mmime create -a "$T/$name" </dev/null > "$T/m.eml"
	grep -q "filename\*0\*=UTF-8''" "$T/m.eml"
	! awk 'length > 76 { bad = 1 } END { exit !bad }' "$T/m.eml"
	mkdir "$T/out"
	run --separate-stderr mmime extract -d "$T/out" "$T/m.eml"
	[ "$status" -eq 0 ] || fail_run "extract"
	[ "$output" = "$T/out/$name" ] || fail_run "name"
	cmp "$T/$name" "$T/out/$name"
}

# ---- round trips

@test "mmime: create -> list -> extract gives the same bytes" {
	make_msg
	run --separate-stderr mmime list "$T/msg.eml"
	[ "$status" -eq 0 ] || fail_run "list"
	[ "${#lines[@]}" -eq 4 ] || fail_run "4 parts"
	[[ ${lines[0]} == "0 multipart/mixed 7bit "* ]] || fail_run "part 0"
	[ "${lines[1]}" = "1 text/plain 7bit 23 - -" ] || fail_run "part 1"
	[ "${lines[2]}" = "2 application/octet-stream base64 100000 attachment bin.dat" ] ||
	    fail_run "part 2"
	[ "${lines[3]}" = "3 text/plain 7bit 31 attachment notes.txt" ] ||
	    fail_run "part 3"
	mkdir out
	run --separate-stderr mmime extract -d out "$T/msg.eml"
	[ "$status" -eq 0 ] || fail_run "extract"
	[ "$output" = $'out/bin.dat\nout/notes.txt' ] || fail_run "paths"
	cmp bin.dat out/bin.dat
	cmp notes.txt out/notes.txt
	run mmime cat -p 1 "$T/msg.eml"
	[ "$output" = $'Hello Bob,\nthe report.' ] || fail_run "cat body"
	mmime cat -p 2 < "$T/msg.eml" | cmp - bin.dat
}

@test "mmime: round trip of binary with CR, NUL and 8-bit text, LF and CRLF" {
	printf 'a\r\nb\rc\0d\n' > "$T/crnul.bin"
	printf 'caf\xc3\xa9 au lait\nnaïve\n' > "$T/utf8.txt"
	head -c 777 /dev/urandom > "$T/rand"
	for crlf in "" --crlf; do
		mmime create $crlf -a "$T/crnul.bin" -a "$T/utf8.txt" \
		    -a "$T/rand" </dev/null > "$T/m.eml"
		rm -rf "$T/o"
		mkdir "$T/o"
		mmime extract -d "$T/o" "$T/m.eml" > /dev/null
		cmp "$T/crnul.bin" "$T/o/crnul.bin"
		cmp "$T/rand" "$T/o/rand"
		if [ -z "$crlf" ]; then
			cmp "$T/utf8.txt" "$T/o/utf8.txt"
		fi
	done
}

@test "mmime list --json: the documented shape" {
	run --separate-stderr mmime list --json "$D/nested.eml"
	[ "$status" -eq 0 ] || fail_run "list --json"
	python3 - "$output" <<'PY'
import json, sys
a = json.loads(sys.argv[1])
keys = ["part", "type", "charset", "encoding", "disposition", "filename",
        "content_id", "size"]
assert all(list(o.keys()) == keys for o in a), a
p = {o["part"]: o for o in a}
assert [o["part"] for o in a] == ["0", "1", "1.1", "1.2", "1.2.1", "1.2.2", "2"]
assert p["1.2.2"] == {"part": "1.2.2", "type": "image/png", "charset": None,
    "encoding": "base64", "disposition": "inline", "filename": "dot.png",
    "content_id": "<dot.png>", "size": 8}, p["1.2.2"]
assert p["1.1"]["charset"] == "utf-8" and p["1.1"]["size"] == 7
assert p["2"]["filename"] == "\u20ac report for Q3.pdf", p["2"]
PY
}

# ---- the corpus

@test "mmime list: nested multiparts are numbered as IMAP does" {
	run --separate-stderr mmime list "$D/nested.eml"
	[ "$status" -eq 0 ] || fail_run "list"
	[ "$(cut -d' ' -f1-3 <<<"$output" | tr '\n' ',')" = "0 multipart/mixed 7bit,1 multipart/alternative 7bit,1.1 text/plain quoted-printable,1.2 multipart/related 7bit,1.2.1 text/html 7bit,1.2.2 image/png base64,2 application/octet-stream base64," ] ||
	    fail_run "numbering"
	run mmime cat -p 1.1 "$D/nested.eml"
	[ "$output" = "Grüße" ] || fail_run "qp decoded"
}

@test "mmime list: message/rfc822 and digest parts are numbered beneath" {
	run --separate-stderr mmime list "$D/rfc822.eml"
	[ "$(cut -d' ' -f1,2 <<<"$output" | tr '\n' ',')" = "0 multipart/mixed,1 text/plain,2 message/rfc822,2.0 multipart/mixed,2.1 text/plain,2.2 image/gif," ] ||
	    fail_run "rfc822"
	run --separate-stderr mmime list "$D/digest.eml"
	[ "$(cut -d' ' -f1,2 <<<"$output" | tr '\n' ',')" = "0 multipart/digest,1 message/rfc822,1.1 text/plain,2 message/rfc822,2.0 multipart/mixed,2.1 text/plain,2.2 text/plain," ] ||
	    fail_run "digest"
	run mmime cat -p 2.2 "$D/digest.eml"
	[ "$output" = attached ] || fail_run "cat 2.2"
}

@test "mmime list: a single part message is part 1, no MIME-Version needed" {
	run --separate-stderr mmime list "$D/nomime.eml"
	[ "$output" = "1 text/html 7bit 10 - -" ] || fail_run "nomime"
}

@test "mmime list: prefix boundaries do not end each other's parts" {
	run --separate-stderr mmime list "$D/prefix.eml"
	[ "$(cut -d' ' -f1,4 <<<"$output" | tr '\n' ',')" = "0 153,1 89,1.1 19,1.1.1 4,1.2 6,2 4," ] ||
	    fail_run "prefix"
	run mmime cat -p 1.2 "$D/prefix.eml"
	[ "$output" = middle ] || fail_run "middle"
}

@test "mmime list: broken mail is repaired, exit 0, warnings with -v only" {
	run --separate-stderr mmime list "$D/broken.eml"
	[ "$status" -eq 0 ] || fail_run "exit"
	[ -z "$stderr" ] || fail_run "warnings without -v"
	[ "$(cut -d' ' -f1-4 <<<"$output" | tr '\n' ',')" = "0 multipart/mixed 7bit 265,1 text/plain 7bit 17,2 application/x-thing x-unknown 9,3 multipart/mixed 7bit 22,3.1 text/plain 7bit 13," ] ||
	    fail_run "parts"
	run --separate-stderr mmime list -v "$D/broken.eml"
	[ "$status" -eq 0 ] || fail_run "exit -v"
	[[ $stderr == *"missing closing boundary"* ]] || fail_run "warned"
	[[ $stderr == *"unknown transfer encoding"* ]] || fail_run "warned enc"
	run mmime cat -p 1 "$D/broken.eml"
	[ "$output" = $'line one\nline\rtwo' ] || fail_run "bare CR kept"
}

@test "mmime: nesting deeper than 64 is exit 65 with a message" {
	python3 -c '
import sys
for i in range(80):
    sys.stdout.write("Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n" % (i, i))
sys.stdout.write("\ndeep\n")' > "$T/deep.eml"
	run --separate-stderr mmime list "$T/deep.eml"
	[ "$status" -eq 65 ] || fail_run "exit"
	[[ $stderr == *"nested more than 64 deep"* ]] || fail_run "message"
	[ "${#lines[@]}" -eq 65 ] || fail_run "65 parts listed"
}

@test "mmime: more than 10000 parts is exit 65 with a message" {
	python3 -c '
import sys
sys.stdout.write("Content-Type: multipart/mixed; boundary=b\n\n")
sys.stdout.write("--b\n\nx\n" * 10050)' > "$T/many.eml"
	run --separate-stderr mmime list "$T/many.eml"
	[ "$status" -eq 65 ] || fail_run "exit"
	[[ $stderr == *"more than 10000 parts"* ]] || fail_run "message"
	[ "${#lines[@]}" -eq 10000 ] || fail_run "10000 listed"
}

# ---- extract

@test "mmime extract: hostile file names stay inside DIR" {
	mkdir out
	run --separate-stderr mmime extract -d out "$D/traversal.eml"
	[ "$status" -eq 0 ] || fail_run "extract"
	[ "$output" = "out/passwd
out/path.txt
out/part-3.txt
out/a_b_[31m.txt
out/hidden
out/windowswin.ini
out/same.txt
out/same-1.txt" ] || fail_run "names"
	[ "$(find out -mindepth 1 | wc -l)" -eq 8 ] || fail_run "8 files"
	[ "$(cat out/passwd)" = root ] || fail_run "content"
	[ "$(cat out/same.txt)" = first ] && [ "$(cat out/same-1.txt)" = second ] ||
	    fail_run "same names"
	[ ! -e "$T/etc" ] && [ ! -e /abs ] || fail_run "escaped"
}

@test "mmime extract: a very long name is cut to 200 bytes, extension kept" {
	run --separate-stderr mmime extract "$D/longname.eml"
	[ "$status" -eq 0 ] || fail_run "extract"
	[ "${#output}" -eq 200 ] || fail_run "length ${#output}"
	[[ $output == *xxx.txt ]] || fail_run "extension"
	[ -f "$output" ]
}

@test "mmime extract: no overwrite without -f; -f replaces a symlink" {
	make_msg
	mkdir out
	echo keep > out/bin.dat
	echo secret > "$T/target"
	ln -s "$T/target" out/notes.txt
	run --separate-stderr mmime extract -d out msg.eml
	[ "$status" -eq 0 ] || fail_run "extract"
	[ "$output" = $'out/bin-1.dat\nout/notes-1.txt' ] || fail_run "suffixes"
	[ "$(cat out/bin.dat)" = keep ] || fail_run "overwritten"
	run --separate-stderr mmime extract -f -d out msg.eml
	[ "$status" -eq 0 ] || fail_run "extract -f"
	[ "$output" = $'out/bin.dat\nout/notes.txt' ] || fail_run "-f names"
	[ ! -L out/notes.txt ] || fail_run "still a symlink"
	[ "$(cat "$T/target")" = secret ] || fail_run "written through"
	cmp out/bin.dat bin.dat
}

@test "mmime extract: -p, --all, --type, --name select parts" {
	make_msg
	mkdir a b c d
	run --separate-stderr mmime extract -d a -p 3 msg.eml
	[ "$output" = a/notes.txt ] || fail_run "-p 3"
	run --separate-stderr mmime extract -d b --all msg.eml
	[ "$output" = $'b/part-1.txt\nb/bin.dat\nb/notes.txt' ] || fail_run "--all"
	run --separate-stderr mmime extract -d c --type 'text/*' msg.eml
	[ "$output" = $'c/part-1.txt\nc/notes.txt' ] || fail_run "--type"
	run --separate-stderr mmime extract -d d --name '*.DAT' msg.eml
	[ "$output" = d/bin.dat ] || fail_run "--name"
	run --separate-stderr mmime extract -d d --name '*.pdf' msg.eml
	[ "$status" -eq 1 ] && [ -z "$output" ] || fail_run "no match is 1"
	run --separate-stderr mmime extract -d d -p 9 msg.eml
	[ "$status" -eq 1 ] || fail_run "no such part"
	[[ $stderr == *"no part 9"* ]] || fail_run "message"
}

@test "mmime extract: a missing DIR is exit 73; no temp files are left" {
	make_msg
	run --separate-stderr mmime extract -d "$T/none" msg.eml
	[ "$status" -eq 73 ] || fail_run "exit"
	mkdir out
	mmime extract -d out msg.eml > /dev/null
	[ -z "$(find out -name '.*')" ] || fail_run "temp file left"
}

@test "mmime extract: mpop --stdout style mbox input, every message" {
	make_msg
	{
		echo "From MAILER-DAEMON Thu Nov 28 14:32:00 2026"
		cat msg.eml
		echo
		echo "From MAILER-DAEMON Thu Nov 28 14:33:00 2026"
		cat "$D/rfc822.eml"
		echo
	} > box.mbox
	mkdir out
	run --separate-stderr mmime extract -d out < box.mbox
	[ "$status" -eq 0 ] || fail_run "extract"
	[ "$output" = $'out/bin.dat\nout/notes.txt\nout/fwd.eml' ] ||
	    fail_run "both messages"
	cmp bin.dat out/bin.dat
	# The forwarded message whole, up to the break before "--b--".
	sed -n '/^Subject: =?ISO/,/^--c--$/p' "$D/rfc822.eml" | head -c -1 |
	    cmp - out/fwd.eml
	run mmime list box.mbox
	[ "${#lines[@]}" -eq 4 ] || fail_run "list reads the first message"
}

@test "mmime extract: a forwarded message is written whole as .eml" {
	mkdir out
	run --separate-stderr mmime extract -d out "$D/fwd-attached.eml"
	[ "$status" -eq 0 ] || fail_run "extract"
	[ "$output" = $'out/Quartalsbericht.eml\nout/part-3.eml' ] ||
	    fail_run "the two messages, not their leaves"
	cmp "$D/fwd-inner.eml" out/Quartalsbericht.eml
	printf 'From: dave@example.org\nSubject: short\n\nno name, no disposition\n' |
	    cmp - out/part-3.eml
	# The same in CR LF: the CR LF before the boundary is not the message's.
	sed 's/$/\r/' "$D/fwd-attached.eml" > crlf.eml
	sed 's/$/\r/' "$D/fwd-inner.eml" > inner-crlf.eml
	mkdir crlf
	mmime extract -d crlf crlf.eml > /dev/null
	cmp inner-crlf.eml crlf/Quartalsbericht.eml
	# -p picks the message, or a leaf inside it; --all takes leaves only.
	mkdir p2 p22 all types
	run mmime extract -d p2 -p 2 "$D/fwd-attached.eml"
	[ "$output" = "p2/Quartalsbericht.eml" ] || fail_run "-p 2"
	cmp "$D/fwd-inner.eml" p2/Quartalsbericht.eml
	run mmime extract -d p22 -p 2.2 "$D/fwd-attached.eml"
	[ "$output" = "p22/q3.pdf" ] || fail_run "-p 2.2"
	run mmime extract -d all --all "$D/fwd-attached.eml"
	[ "$output" = $'all/part-1.txt\nall/part-2.1.txt\nall/q3.pdf\nall/part-3.1.txt' ] ||
	    fail_run "--all"
	run mmime extract -d types --type 'message/*' "$D/fwd-attached.eml"
	[ "$output" = $'types/Quartalsbericht.eml\ntypes/part-3.eml' ] ||
	    fail_run "--type"
}

@test "mmime extract: a base64 message/rfc822 part is decoded to its .eml" {
	{
		printf 'Subject: b\nContent-Type: multipart/mixed; boundary=z\n\n'
		printf -- '--z\nContent-Type: message/rfc822\n'
		printf 'Content-Transfer-Encoding: base64\n\n'
		mmime encode -b "$D/fwd-inner.eml"
		printf -- '--z--\n'
	} > b64.eml
	mkdir out
	run mmime extract -d out b64.eml
	[ "$output" = "out/part-1.eml" ] || fail_run "extract"
	cmp "$D/fwd-inner.eml" out/part-1.eml
}

@test "mmime extract: a big forwarded message read in small pieces is whole" {
	head -c 2000000 /dev/urandom > big.bin
	{
		printf 'Subject: big\nContent-Type: application/octet-stream\n'
		printf 'Content-Transfer-Encoding: base64\n\n'
		mmime encode -b big.bin
	} > inner.eml
	{
		printf 'Subject: x\nContent-Type: multipart/mixed; boundary=zz\n\n'
		printf -- '--zz\nContent-Type: message/rfc822\n\n'
		cat inner.eml
		printf -- '\n--zz--\n'
	} > outer.eml
	mkdir out small
	mmime extract -d out outer.eml > /dev/null
	cmp inner.eml out/part-1.eml
	# A pipe written 4093 bytes at a time: lines cut at every chunk.
	python3 -c '
import os, sys
d = open(sys.argv[1], "rb").read()
for i in range(0, len(d), 4093):
    os.write(1, d[i:i + 4093])' outer.eml | mmime extract -d small > /dev/null
	cmp inner.eml small/part-1.eml
}

@test "mmime extract: memory does not grow with a 40 MB attachment" {
	command -v /usr/bin/time >/dev/null || skip "needs GNU time (package time)"
	head -c 40000000 /dev/urandom > big.bin
	mmime create -a big.bin </dev/null > big.eml
	mkdir out
	/usr/bin/time -f %M -o rss mmime extract -d out big.eml > /dev/null
	cmp big.bin out/big.bin
	if ldd "$(command -v mmime)" | grep -q libasan; then
		skip "sanitizer build: RSS not meaningful (bytes matched)"
	fi
	[ "$(cat rss)" -lt 8192 ] || { echo "peak RSS $(cat rss) KB"; false; }
}

# ---- cat, headers

@test "mmime cat: --utf8 converts from the declared charset" {
	printf 'Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\ncaf=E9\n' > l1.eml
	run mmime cat -p 1 l1.eml
	[ "$output" = $'caf\xe9' ] || fail_run "raw"
	run mmime cat -p 1 --utf8 l1.eml
	[ "$output" = "café" ] || fail_run "utf8"
	run --separate-stderr mmime cat l1.eml
	[ "$status" -eq 64 ] || fail_run "no -p"
	run --separate-stderr mmime cat -p 0 "$D/nested.eml"
	[ "$status" -eq 65 ] || fail_run "a container"
}

@test "mmime headers: unfolded and decoded; -n; --json; malformed words kept" {
	run --separate-stderr mmime headers "$D/words.eml"
	[ "$status" -eq 0 ] || fail_run "headers"
	[ "${lines[0]}" = "Subject: Grüße aus Köln" ] || fail_run "subject"
	[ "${lines[1]}" = "From: André <andre@example.org>" ] || fail_run "latin1"
	[ "${lines[2]}" = "X-Broken: =?UTF-8?Q?unterminated and =?bogus?X?abc?=" ] ||
	    fail_run "broken words"
	[ "${lines[3]}" = "X-Split: €" ] || fail_run "split character"
	[ "${lines[4]}" = "X-Folded: first second third" ] || fail_run "unfolded"
	run mmime headers -n subject -n X-FOLDED "$D/words.eml"
	[ "${#lines[@]}" -eq 3 ] || fail_run "-n"
	run --separate-stderr mmime headers -n x-none "$D/words.eml"
	[ "$status" -eq 1 ] || fail_run "no match is 1"
	run mmime headers --json -n x-folded "$D/words.eml"
	[ "$output" = '[{"name":"X-Folded","value":"first second\tthird","raw":"first\n second\n\tthird"}]' ] ||
	    fail_run "json"
}

# ---- encode, decode

@test "mmime encode/decode -b: same text as coreutils, and back" {
	head -c 100003 /dev/urandom > r
	mmime encode -b r > r.b64
	base64 r | cmp - r.b64
	mmime decode -b r.b64 | cmp - r
	tr -d '\n' < r.b64 | fold -w 13 | mmime decode -b | cmp - r
	run mmime encode -b </dev/null
	[ "$status" -eq 0 ] && [ -z "$output" ] || fail_run "empty"
}

@test "mmime encode -b: big files, split between two threads, as coreutils" {
	# Chunks are 57 * 4096 bytes; files of 4 chunks and more are split.
	local c=233472 n
	for n in $((4 * c)) $((4 * c + 1)) $((4 * c + 2)) $((5 * c - 1)) \
	    $((7 * c)) $((6 * c + 100)); do
		head -c "$n" /dev/urandom > r
		base64 r > want
		mmime encode -b r | cmp - want || fail_run "file $n"
		mmime encode -b < r | cmp - want || fail_run "stdin file $n"
		cat r | mmime encode -b | cmp - want || fail_run "pipe $n"
		MKIT_B64_SCALAR=1 mmime encode -b r | cmp - want ||
		    fail_run "scalar $n"
	done
	# Standard input is read from its offset, and left at the end.
	{
		dd bs=1000 count=1 of=/dev/null status=none
		mmime encode -b > part.b64
		cat > rest
	} < r
	tail -c +1001 r | base64 | cmp - part.b64
	[ ! -s rest ] || fail_run "offset not at the end"
}

@test "mmime encode -b: a file that shrinks and grows meanwhile" {
	head -c 3000000 /dev/urandom > src
	cp src r
	(
		for i in $(seq 200); do
			truncate -s $((i * 7919 % 2000000)) r
			head -c 3000000 src >> r
		done
	) &
	local pid=$! i
	for i in $(seq 20); do
		run bash -c 'mmime encode -b r > out.b64'
		[ "$status" -eq 0 ] || { kill "$pid"; fail_run "run $i"; }
		# Whatever was read, the text is whole, padded base64.
		mmime decode -b out.b64 > /dev/null ||
		    { kill "$pid"; fail_run "decode $i"; }
	done
	wait "$pid"
}

@test "mmime decode: invalid input is exit 65 with the byte offset; --lenient" {
	run --separate-stderr bash -c 'printf "aGVs\nbG8*\n" | mmime decode -b'
	[ "$status" -eq 65 ] || fail_run "exit"
	[ "$stderr" = "mmime: decode: standard input: invalid character at byte 8" ] ||
	    fail_run "message"
	run --separate-stderr bash -c 'printf "aGVs\nbG8*=\n" | mmime decode -b --lenient'
	[ "$status" -eq 0 ] && [ "$output" = hello ] || fail_run "lenient"
	run --separate-stderr bash -c 'printf "a=ZZb\n" | mmime decode -q'
	[ "$status" -eq 65 ] || fail_run "qp exit"
	[[ $stderr == *"at byte 1" ]] || fail_run "qp offset"
	run --separate-stderr bash -c 'printf "a=ZZb\n" | mmime decode -q --lenient'
	[ "$output" = "a=ZZb" ] || fail_run "qp lenient"
}

@test "mmime encode/decode -q: RFC 2045 quoted-printable round trip" {
	printf 'caf\xc3\xa9 = 100%%   \nlong %s\nend' "$(printf 'x%.0s' {1..100})" > q
	run mmime encode -q q
	[ "$status" -eq 0 ] || fail_run "encode"
	[[ $output == *"caf=C3=A9 =3D 100%  =20"* ]] || fail_run "escapes"
	! awk 'length > 76 { bad = 1 } END { exit !bad }' <<<"$output" ||
	    fail_run "line over 76"
	mmime encode -q q | mmime decode -q | cmp - q
	run --separate-stderr mmime encode q
	[ "$status" -eq 64 ] || fail_run "neither -b nor -q"
	run --separate-stderr mmime encode -b -q q
	[ "$status" -eq 64 ] || fail_run "both"
}
