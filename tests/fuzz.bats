#!/usr/bin/env bats
# The fuzz targets of tests/fuzz/: every corpus replayed (any compiler),
# and a short libFuzzer run of each where clang is installed.

load helpers

: "${MKIT_FUZZ:=$MKIT_TOP/tests/fuzz}"
: "${MKIT_FUZZ_TARGETS:=dns}"
: "${MKIT_FUZZ_SECONDS:=5}"

# The replay of each target over its seed corpus, as make check built it.
replay() {
	local t=$1
	[ -x "$MKIT_FUZZ/replay_$t" ] || skip "replay_$t not built"
	run "$MKIT_FUZZ/replay_$t" "$MKIT_TOP"/tests/fuzz/corpus/"$t"/*
	echo "$output"
	[ "$status" = 0 ]
	[[ $output == *"inputs replayed"* ]]
}

CLANG_FLAGS="-g -O1 -fno-sanitize-recover=all -std=c17 -D_DEFAULT_SOURCE"

# The library, built once for every libFuzzer target of this file.
setup_file() {
	local d=$BATS_FILE_TMPDIR/fuzzlib f
	command -v clang >/dev/null || return 0
	mkdir -p "$d"
	for f in "$MKIT_TOP"/lib/*.c; do
		# shellcheck disable=SC2086
		clang $CLANG_FLAGS -fsanitize=fuzzer-no-link,address,undefined \
		    -I"$MKIT_TOP/lib" $(pkg-config --cflags libcurl) \
		    -c "$f" -o "$d/$(basename "$f" .c).o" 2>>"$d/build.log" &
	done
	wait
	ar rcs "$d/libmkit-fuzz.a" "$d"/*.o 2>>"$d/build.log"
}

# A libFuzzer run from a scratch copy of the corpus; any crash fails.
libfuzz() {
	local t=$1 d=$BATS_TEST_TMPDIR lib=$BATS_FILE_TMPDIR/fuzzlib
	command -v clang >/dev/null || skip "needs clang (libFuzzer) to fuzz"
	[ -f "$lib/libmkit-fuzz.a" ] || { cat "$lib/build.log"; false; }
	# shellcheck disable=SC2086
	run clang $CLANG_FLAGS -fsanitize=fuzzer,address,undefined \
	    -I"$MKIT_TOP/lib" "$MKIT_TOP/tests/fuzz/fuzz_$t.c" \
	    "$lib/libmkit-fuzz.a" $(pkg-config --libs libcurl) -o "$d/fuzz_$t"
	[ "$status" = 0 ] || { echo "$output"; false; }
	mkdir "$d/corpus"
	cp "$MKIT_TOP"/tests/fuzz/corpus/"$t"/* "$d/corpus/"
	run "$d/fuzz_$t" -max_total_time="$MKIT_FUZZ_SECONDS" -max_len=65536 \
	    -artifact_prefix="$d/" "$d/corpus"
	[ "$status" = 0 ] || { echo "$output" | tail -n 40; false; }
}

@test "fuzz dns: the seed corpus replays cleanly" {
	replay dns
}

@test "fuzz dns: libFuzzer finds no crash in a short run" {
	libfuzz dns
}

@test "fuzz hdr: the seed corpus replays cleanly" {
	replay hdr
}

@test "fuzz hdr: libFuzzer finds no crash in a short run" {
	libfuzz hdr
}

@test "fuzz imap: the seed corpus replays cleanly" {
	replay imap
}

@test "fuzz imap: libFuzzer finds no crash in a short run" {
	libfuzz imap
}

@test "fuzz mime: the seed corpus replays cleanly" {
	replay mime
}

@test "fuzz mime: libFuzzer finds no crash in a short run" {
	libfuzz mime
}

@test "fuzz mbox: the seed corpus replays cleanly" {
	replay mbox
}

@test "fuzz mbox: libFuzzer finds no crash in a short run" {
	libfuzz mbox
}

@test "fuzz pop3: the seed corpus replays cleanly" {
	replay pop3
}

@test "fuzz pop3: libFuzzer finds no crash in a short run" {
	libfuzz pop3
}

@test "fuzz uidl: the seed corpus replays cleanly" {
	replay uidl
}

@test "fuzz uidl: libFuzzer finds no crash in a short run" {
	libfuzz uidl
}

@test "fuzz codec: the seed corpus replays cleanly" {
	replay codec
}

@test "fuzz codec: libFuzzer finds no crash in a short run" {
	libfuzz codec
}

@test "fuzz conf: the seed corpus replays cleanly" {
	replay conf
}

@test "fuzz conf: libFuzzer finds no crash in a short run" {
	libfuzz conf
}

@test "fuzz name: the seed corpus replays cleanly" {
	replay name
}

@test "fuzz name: libFuzzer finds no crash in a short run" {
	libfuzz name
}

@test "fuzz smtp: the seed corpus replays cleanly" {
	replay smtp
}

@test "fuzz smtp: libFuzzer finds no crash in a short run" {
	libfuzz smtp
}
