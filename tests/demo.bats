#!/usr/bin/env bats
# make demo's script, run as the README's first command runs it.

load helpers

@test "the demo runs every step against the real servers and stops them" {
	need_root
	local dir
	dir=$(mktemp -d /tmp/mkit-demo.XXXXXX)
	MKIT_DEMO_DIR=$dir run bash "$MKIT_TOP/tests/demo.sh"
	echo "$output"
	[ "$status" = 0 ]
	[[ $output != *FAILED* ]]
	[[ $output == *"MX	10 mail.example.org."* ]]
	[[ $output == *"6 messages: 3 queries + 3 replies"* ]]
	[[ $output == *"C: RCPT TO:<bob@example.org>"* ]]
	[[ $output == *"C: ****"* ]]
	# Bob's password (from the harness) shows nowhere.
	[[ $output != *"b0b secret!"* ]]
	[[ $output == *"1 message in Bob's Maildir"* ]]
	[[ $output == *"Subject: The red dot"* ]]
	[[ $output == *"dot.png extracted byte-identical"* ]]
	# Every server it started is gone.
	run pgrep -f "$dir"
	[ "$status" = 1 ] || { ps -ef | grep -F "$dir"; false; }
	[ ! -e "$dir" ]
}
