#!/usr/bin/env bats
# Source rules that the compiler does not enforce (STYLE.md section 7).

load helpers

@test "no banned string or number functions in lib/ and cmd/" {
	run grep -nE '\b(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi|atol|sscanf)[[:space:]]*\(' \
	    "$MKIT_TOP"/lib/*.[ch] "$MKIT_TOP"/cmd/*.[ch] "$MKIT_TOP"/cmd/*/*.[ch]
	[ "$status" = 1 ] || { echo "$output"; false; }
}

@test "the build uses -Wall -Wextra -Werror -Wvla and hardening flags" {
	run make -n -B -C "$MKIT_TOP" O=/nonexistent/ /nonexistent/lib/mk.o
	[ "$status" = 0 ]
	for f in -std=c17 -Wall -Wextra -Werror -Wvla -D_FORTIFY_SOURCE=2 \
	    -fstack-protector-strong -fPIE; do
		[[ "$output" == *" $f "* ]] || { echo "missing $f"; false; }
	done
}

@test "the binaries are position independent" {
	for b in mlookup msend mpop mimap mmime; do
		run file -L "$MKIT_BIN/$b"
		[[ "$output" == *"pie executable"* ]] || { echo "$output"; false; }
	done
}
