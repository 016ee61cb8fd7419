#!/usr/bin/env bats
# The documentation agrees with the binaries (STYLE.md sections 5 and
# 11): each tool's --help, its man page (SYNOPSIS and options list) and
# its bash, zsh and fish completions name the same options; every page
# lists the whole exit-code table; every page passes mandoc -Tlint.
# The options are always taken from the binary's --help, so a change on
# either side that the other does not follow fails here.

bats_require_minimum_version 1.5.0

load helpers

# The exit codes of issue 2, in order.
EXIT_CODES="0 1 64 65 66 67 69 70 73 74 75 76 77 78"

setup() {
	mkit_isolate
	cd "$MKIT_TOP" || return 1
}

# fail MSG...: print the message and fail.
fail() {
	printf '%s\n' "$@" >&2
	return 1
}

# same_set WHAT EXPECTED ACTUAL: compare two newline-separated sets and
# fail naming what is missing from ACTUAL and what it has in excess.
same_set() {
	local missing extra
	missing=$(comm -23 <(sort -u <<<"$2") <(sort -u <<<"$3") | tr '\n' ' ')
	extra=$(comm -13 <(sort -u <<<"$2") <(sort -u <<<"$3") | tr '\n' ' ')
	[ -z "$missing$extra" ] ||
	    fail "$1" "  missing: ${missing:-none}" "  not in --help: ${extra:-none}"
}

# help_long TOOL, help_short TOOL: the long and short options that the
# usage shows, one a line ("--json", "-h").
help_long() {
	"$1" --help | grep -oE -- '--[[:alnum:]][[:alnum:]-]*' | sort -u
}
help_short() {
	"$1" --help | grep -oE -- '(\[| )-[[:alnum:]]([] ]|$)' |
	    grep -oE -- '-[[:alnum:]]' | sort -u
}
# help_opts TOOL: both, plus --help: the usage shows "[-h]" only, and
# --help is its long form on every tool (issue 2; tests/cli.bats runs it).
help_opts() {
	{
		help_long "$1"
		help_short "$1"
		! help_short "$1" | grep -qx -- -h || echo --help
	} | sort -u
}

# man_opts PAGE: the options of the page's options lists (".It Fl x",
# ".It Fl h , Fl -help"), one a line.
man_opts() {
	grep -E '^\.It Fl ' "$1" | grep -oE 'Fl [^ ]+' | sed 's/^Fl /-/' |
	    sort -u
}

# man_section PAGE NAME: the mdoc source of section NAME.
man_section() {
	awk -v sh=".Sh $2" '/^\.Sh /{ on = ($0 == sh) } on' "$1"
}

# exit_codes PAGE: the codes of the EXIT STATUS list, in order, on one line.
exit_codes() {
	man_section "$1" "EXIT STATUS" | awk '/^\.It [0-9]+/{ print $2 }' |
	    tr '\n' ' ' | sed 's/ $//'
}

# synopsis PAGE: the SYNOPSIS as mandoc renders it, blanks squeezed.
synopsis() {
	mandoc -Tascii -O width=1000 "$1" | sed 's/.\x08//g' |
	    awk '/^[^ \t]/{ on = ($0 == "SYNOPSIS"); next } on' |
	    tr -s ' \t\n' '   ' | sed 's/^ //; s/ $//'
}

# bash_complete TOOL WORD...: load completions/bash/TOOL (after
# bash-completion itself when it is installed), then complete the last
# WORD of the command line "TOOL WORD..." with the function that
# "complete -p TOOL" names; print the candidates, one a line.
bash_complete() {
	local bc=/usr/share/bash-completion/bash_completion
	[ -r "$bc" ] || bc=/dev/null
	bash -c '
		. "$1" >/dev/null 2>&1
		. "$2" || exit 1
		spec=$(complete -p "$3") || exit 1
		fn=${spec#*-F }
		fn=${fn%% *}
		shift 2
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		COMPREPLY=()
		"$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" \
		    "${COMP_WORDS[COMP_CWORD-1]}" || exit 1
		((${#COMPREPLY[@]} == 0)) || printf "%s\n" "${COMPREPLY[@]}"
	' bash "$bc" "completions/bash/$1" "$1" "$@"
}

# zsh_opts TOOL, fish_opts TOOL: the options that the zsh and fish
# completions offer, read from their specs (comments left out).
zsh_opts() {
	local f=completions/zsh/_$1
	{
		grep -v '^[[:space:]]*#' "$f" |
		    grep -oE -- '--[[:alnum:]][[:alnum:]-]*'
		grep -v '^[[:space:]]*#' "$f" |
		    grep -oE -- "[{',]-[[:alnum:]][],+=:}'[]" |
		    grep -oE -- '-[[:alnum:]]'
	} | sort -u
}
fish_opts() {
	local f=completions/fish/$1.fish
	{
		grep -v '^[[:space:]]*#' "$f" |
		    grep -oE -- '(^| )-l [[:alnum:]][[:alnum:]-]*' |
		    sed 's/^ *-l /--/'
		grep -v '^[[:space:]]*#' "$f" |
		    grep -oE -- '(^| )-s [[:alnum:]]' | sed 's/^ *-s /-/'
	} | sort -u
}

# check_help_in_man TOOL: every option of --help, long and short, is in
# an options list of man/TOOL.1 (".It Fl -json"), and the reverse.
check_help_in_man() {
	local page=man/$1.1
	[ -f "$page" ] || fail "$page: missing"
	local h m
	h=$(help_opts "$1")
	m=$(man_opts "$page")
	[ -n "$h" ] || fail "$1 --help: no options found"
	local o missing=
	while read -r o; do
		grep -qE "^\.It( .*)? Fl ${o#-}( |$)" "$page" ||
		    missing+=" $o"
	done <<<"$h"
	[ -z "$missing" ] ||
	    fail "$page: options of '$1 --help' not in its options list:$missing"
	same_set "$page: options list vs '$1 --help'" "$h" "$m"
}

# check_man_only_help TOOL: every option that man/TOOL.1 documents in an
# options list is one that --help shows.
check_man_only_help() {
	local page=man/$1.1 o extra=
	while read -r o; do
		[ -n "$o" ] || continue
		help_opts "$1" | grep -qxF -- "$o" || extra+=" $o"
	done <<<"$(man_opts "$page")"
	[ -z "$extra" ] ||
	    fail "$page documents options that '$1 --help' lacks:$extra"
}

# check_synopsis TOOL: the rendered SYNOPSIS is the usage, word for word.
check_synopsis() {
	local page=man/$1.1 usage syn
	usage=$("$1" --help | sed '1s/^usage: //' | tr -s ' \t\n' '   ' |
	    sed 's/^ //; s/ $//')
	syn=$(synopsis "$page")
	[ "$usage" = "$syn" ] ||
	    fail "$page: SYNOPSIS differs from '$1 --help'" \
	    "  --help:   $usage" "  SYNOPSIS: $syn"
}

# check_exit_status PAGE: its EXIT STATUS lists the whole table, in order.
check_exit_status() {
	local codes
	codes=$(exit_codes "$1")
	[ "$codes" = "$EXIT_CODES" ] ||
	    fail "$1: EXIT STATUS lists '$codes'" "  expected '$EXIT_CODES'"
}

# check_bash TOOL: "TOOL -<TAB>" offers exactly the options of --help.
check_bash() {
	local got
	got=$(bash_complete "$1" -) || fail "completions/bash/$1 failed"
	same_set "completions/bash/$1: '$1 -<TAB>' vs '$1 --help'" \
	    "$(help_opts "$1")" "$got"
}

# check_bash_json TOOL: "TOOL --js<TAB>" offers --json and nothing else;
# no option is offered as the value of --timeout.
check_bash_json() {
	local got
	got=$(bash_complete "$1" --js) || fail "completions/bash/$1 failed"
	[ "$got" = "--json" ] ||
	    fail "completions/bash/$1: '$1 --js<TAB>' offers '$got'"
	got=$(bash_complete "$1" --timeout -) ||
	    fail "completions/bash/$1 failed"
	[ -z "$got" ] ||
	    fail "completions/bash/$1: '$1 --timeout -<TAB>' offers '$got'"
}

# check_zsh TOOL: a #compdef TOOL file whose specs are the --help options.
check_zsh() {
	local f=completions/zsh/_$1 o
	[ -f "$f" ] || fail "$f: missing"
	[ "$(head -n 1 "$f")" = "#compdef $1" ] || fail "$f: no '#compdef $1'"
	while read -r o; do
		grep -qF -- "$o" "$f" || fail "$f: lacks $o"
	done <<<"$(help_long "$1")"
	same_set "$f: options vs '$1 --help'" "$(help_opts "$1")" \
	    "$(zsh_opts "$1")"
}

# check_fish TOOL: every line is "complete -c TOOL ...", and the options
# (-l NAME, -s X) are the --help options.
check_fish() {
	local f=completions/fish/$1.fish o
	[ -f "$f" ] || fail "$f: missing"
	! grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' \
	    -e "^complete -c $1 " "$f" ||
	    fail "$f: lines above are not 'complete -c $1 ...'"
	while read -r o; do
		grep -qE -- "-l ${o#--}( |$)" "$f" || fail "$f: lacks -l ${o#--}"
	done <<<"$(help_long "$1")"
	same_set "$f: options vs '$1 --help'" "$(help_opts "$1")" \
	    "$(fish_opts "$1")"
}

@test "every tool of the Makefile has a man page and three completions" {
	local tools t f missing=
	tools=$(sed -n 's/^BIN[[:space:]]*=[[:space:]]*//p' Makefile)
	[ -n "$tools" ]
	for t in $tools; do
		for f in man/$t.1 completions/bash/$t completions/zsh/_$t \
		    completions/fish/$t.fish; do
			[ -f "$f" ] || missing+=" $f"
		done
		grep -qE "^\.Xr $t 1( |$)" man/mkit.7 ||
		    missing+=" (mkit.7: .Xr $t 1)"
	done
	[ -z "$missing" ] || fail "missing:$missing"
}

@test "mandoc -Tlint -W warning is silent on every page of man/" {
	local f out bad=
	for f in man/*.[1-9]; do
		out=$(mandoc -Tlint -W warning "$f" 2>&1) || bad+="$f: exit $?"$'\n'
		[ -z "$out" ] || bad+="$out"$'\n'
	done
	[ -z "$bad" ] || fail "$bad"
}

@test "groff -mdoc -ww -z is silent on every page of man/" {
	command -v groff >/dev/null || skip "groff is not installed"
	local f out bad=
	for f in man/*.[1-9]; do
		out=$(groff -mdoc -ww -z "$f" 2>&1) || bad+="$f: exit $?"$'\n'
		[ -z "$out" ] || bad+="$f: $out"$'\n'
	done
	[ -z "$bad" ] || fail "$bad"
}

@test "mkit.7 and mkit-config.5 have the sections they need" {
	check_exit_status man/mkit.7
	local s
	for s in NAME DESCRIPTION "EXIT STATUS" "SEE ALSO"; do
		grep -qxF ".Sh $s" man/mkit.7 || fail "mkit.7: no $s"
	done
	for s in NAME DESCRIPTION ENVIRONMENT FILES EXAMPLES "SEE ALSO"; do
		grep -qxF ".Sh $s" man/mkit-config.5 || fail "mkit-config.5: no $s"
	done
	# every key of the accounts file is described
	for s in default from user password password-command password-file \
	    smtp pop3 imap tls ca-file insecure helo timeout; do
		grep -qE "^\.It Ic $s( |$)|^\.Ic $s( |$)" man/mkit-config.5 ||
		    fail "mkit-config.5: key $s not described"
	done
}

@test "bash -n accepts every bash completion" {
	local f
	for f in completions/bash/*; do
		bash -n "$f" || fail "$f: syntax error"
	done
}

@test "zsh -n accepts every zsh completion" {
	command -v zsh >/dev/null ||
	    skip "zsh is not installed: syntax not checked (options are, by grep)"
	local f
	for f in completions/zsh/_*; do
		zsh -n "$f" || fail "$f: syntax error"
	done
}

@test "fish --no-execute accepts every fish completion" {
	command -v fish >/dev/null ||
	    skip "fish is not installed: syntax not checked (options are, by grep)"
	local f
	for f in completions/fish/*.fish; do
		fish --no-execute "$f" || fail "$f: syntax error"
	done
}

@test "mlookup: every --help option is in mlookup.1's options list" {
	check_help_in_man mlookup
}
@test "mlookup: mlookup.1 documents no option that --help lacks" {
	check_man_only_help mlookup
}
@test "mlookup: the SYNOPSIS of mlookup.1 is the usage" {
	check_synopsis mlookup
}
@test "mlookup: mlookup.1 lists every exit code" {
	check_exit_status man/mlookup.1
}
@test "mlookup: bash completes exactly the --help options" {
	check_bash mlookup
}
@test "mlookup: bash completes --js to --json" {
	check_bash_json mlookup
}
@test "mlookup: the zsh completion has exactly the --help options" {
	check_zsh mlookup
}
@test "mlookup: the fish completion has exactly the --help options" {
	check_fish mlookup
}

@test "msend: every --help option is in msend.1's options list" {
	check_help_in_man msend
}
@test "msend: msend.1 documents no option that --help lacks" {
	check_man_only_help msend
}
@test "msend: the SYNOPSIS of msend.1 is the usage" {
	check_synopsis msend
}
@test "msend: msend.1 lists every exit code" {
	check_exit_status man/msend.1
}
@test "msend: bash completes exactly the --help options" {
	check_bash msend
}
@test "msend: bash completes --js to --json" {
	check_bash_json msend
}
@test "msend: the zsh completion has exactly the --help options" {
	check_zsh msend
}
@test "msend: the fish completion has exactly the --help options" {
	check_fish msend
}

@test "mpop: every --help option is in mpop.1's options list" {
	check_help_in_man mpop
}
@test "mpop: mpop.1 documents no option that --help lacks" {
	check_man_only_help mpop
}
@test "mpop: the SYNOPSIS of mpop.1 is the usage" {
	check_synopsis mpop
}
@test "mpop: mpop.1 lists every exit code" {
	check_exit_status man/mpop.1
}
@test "mpop: bash completes exactly the --help options" {
	check_bash mpop
}
@test "mpop: bash completes --js to --json" {
	check_bash_json mpop
}
@test "mpop: the zsh completion has exactly the --help options" {
	check_zsh mpop
}
@test "mpop: the fish completion has exactly the --help options" {
	check_fish mpop
}

@test "mimap: every --help option is in mimap.1's options list" {
	check_help_in_man mimap
}
@test "mimap: mimap.1 documents no option that --help lacks" {
	check_man_only_help mimap
}
@test "mimap: the SYNOPSIS of mimap.1 is the usage" {
	check_synopsis mimap
}
@test "mimap: mimap.1 lists every exit code" {
	check_exit_status man/mimap.1
}
@test "mimap: bash completes exactly the --help options" {
	check_bash mimap
}
@test "mimap: bash completes --js to --json" {
	check_bash_json mimap
}
@test "mimap: the zsh completion has exactly the --help options" {
	check_zsh mimap
}
@test "mimap: the fish completion has exactly the --help options" {
	check_fish mimap
}

@test "mmime: every --help option is in mmime.1's options list" {
	check_help_in_man mmime
}
@test "mmime: mmime.1 documents no option that --help lacks" {
	check_man_only_help mmime
}
@test "mmime: the SYNOPSIS of mmime.1 is the usage" {
	check_synopsis mmime
}
@test "mmime: mmime.1 lists every exit code" {
	check_exit_status man/mmime.1
}
@test "mmime: bash completes exactly the --help options" {
	check_bash mmime
}
@test "mmime: bash completes --js to --json" {
	check_bash_json mmime
}
@test "mmime: the zsh completion has exactly the --help options" {
	check_zsh mmime
}
@test "mmime: the fish completion has exactly the --help options" {
	check_fish mmime
}
