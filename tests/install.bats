#!/usr/bin/env bats
# make install / make uninstall with DESTDIR and PREFIX.

load helpers

setup() {
	# Build products of the run under test: $MKIT_BIN is O/bin.
	O=$(dirname "$MKIT_BIN")/
	DEST=$BATS_TEST_TMPDIR/dest
}

@test "make install lays out 5 binaries, 7 man pages and 15 completions" {
	run make -s -C "$MKIT_TOP" O="$O" DESTDIR="$DEST" PREFIX=/usr install
	[ "$status" = 0 ] || { echo "$output"; false; }
	for b in mlookup msend mpop mimap mmime; do
		[ -x "$DEST/usr/bin/$b" ]
		[ -f "$DEST/usr/share/man/man1/$b.1" ]
		[ -f "$DEST/usr/share/bash-completion/completions/$b" ]
		[ -f "$DEST/usr/share/zsh/site-functions/_$b" ]
		[ -f "$DEST/usr/share/fish/vendor_completions.d/$b.fish" ]
	done
	[ -f "$DEST/usr/share/man/man5/mkit-config.5" ]
	[ -f "$DEST/usr/share/man/man7/mkit.7" ]
	run find "$DEST" -type f
	[ "${#lines[@]}" = 27 ] || { echo "$output"; false; }
	run "$DEST/usr/bin/mlookup" --version
	[ "$status" = 0 ]
}

@test "make uninstall leaves no file behind" {
	make -s -C "$MKIT_TOP" O="$O" DESTDIR="$DEST" PREFIX=/opt/mk install
	run make -s -C "$MKIT_TOP" O="$O" DESTDIR="$DEST" PREFIX=/opt/mk uninstall
	[ "$status" = 0 ]
	run find "$DEST" -type f
	[ -z "$output" ] || { echo "$output"; false; }
}


@test "INSTALL_SENDMAIL=1 adds the sendmail link, uninstall removes it" {
	run make -s -C "$MKIT_TOP" O="$O" DESTDIR="$DEST" PREFIX=/usr \
	    INSTALL_SENDMAIL=1 install
	[ "$status" = 0 ] || { echo "$output"; false; }
	[ -L "$DEST/usr/sbin/sendmail" ]
	[ "$(readlink "$DEST/usr/sbin/sendmail")" = /usr/bin/msend ]
	run make -s -C "$MKIT_TOP" O="$O" DESTDIR="$DEST" PREFIX=/usr uninstall
	[ "$status" = 0 ]
	run find "$DEST" -type f -o -type l
	[ -z "$output" ] || { echo "$output"; false; }
}
