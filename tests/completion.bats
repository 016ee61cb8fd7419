#!/usr/bin/env bats
# The completions complete: options and their values, the operands that
# have a fixed set of values, files, and account names.  The bash files
# run as bash-completion runs them (its bash_completion loaded, then the
# file; COMP_WORDS split at COMP_WORDBREAKS as bash splits them, then
# the function that "complete -p" names), and once more without
# bash-completion, which they also support.  fish evaluates its own
# completions ("complete -C LINE"); zsh runs them on a TAB typed into
# an interactive zsh in a pseudo-terminal.  docs.bats runs "zsh -n" and
# "fish --no-execute", and checks that the options are those of --help.

bats_require_minimum_version 1.5.0

load helpers

BC=/usr/share/bash-completion/bash_completion

# The values, as mlookup(1), mimap(1) and mmime(1) give them.
TYPES="A AAAA ANY CAA CDNSKEY CDS CERT CNAME DNAME DNSKEY DS HINFO HTTPS LOC
MX NAPTR NS NSEC NSEC3 NSEC3PARAM OPENPGPKEY PTR RRSIG SMIMEA SOA SRV SSHFP
SVCB TLSA TXT URI ZONEMD"
CLASSES="IN CH HS ANY"
TLS="required auto off"
MIMAP_CMDS="folders list search fetch append create delete rename subscribe
unsubscribe copy move flag unflag expunge idle"
MMIME_CMDS="create list cat extract headers encode decode"

setup() {
	mkit_isolate
	cd "$MKIT_TOP" || return 1
	D=$BATS_TEST_TMPDIR/files
	mkdir -p "$D/sub" "$D/subdir"
	: >"$D/cert.pem"
	: >"$D/named.root"
	: >"$D/pic.png"
	: >"$D/msg.eml"
	mkdir -p "${MKIT_CONFIG%/*}"
	cat >"$MKIT_CONFIG" <<-'EOF'
	default = home
	# [account commented]
	[account home]
	user = alice
	  [ account   work-2 ]
	user = bob
	[account me@work]
	user = carol
	EOF
}

fail() {
	printf '%s\n' "$@" >&2
	return 1
}

need_bc() {
	[ -r "$BC" ] ||
	    skip "bash-completion is not installed ($BC): make deps installs it"
}
need_fish() {
	command -v fish >/dev/null ||
	    skip "fish is not installed: make deps installs it"
}

# words LIST: the words of LIST, sorted, one a line.
words() {
	tr -s ' \t\n' '\n\n\n' <<<"$1" | sed '/^$/d' | sort
}

# bcomp MODE LINE: complete the end of the command line LINE as bash
# does on TAB, with completions/bash/TOOL (TOOL: LINE's first word).
# MODE "bc" loads bash-completion first, "plain" does not.  Prints the
# candidates (COMPREPLY), sorted, one a line.
bcomp() {
	local bc=$BC
	[ "$1" = bc ] || bc=/dev/null
	bash --norc --noprofile -c '
		. "$1" >/dev/null 2>&1
		if [ "$1" != /dev/null ] && ! declare -F _init_completion >/dev/null; then
			echo "bash-completion did not load" >&2
			exit 1
		fi
		line=$2
		read -ra toks <<<"$line"
		# bash splits the words at the characters of COMP_WORDBREAKS
		# ("=", ":" and "@" here; bash-completion takes "@" out), kept
		# as words of their own: "--type=MX" is "--type" "=" "MX".
		brk=
		for c in = : @; do
			[[ $COMP_WORDBREAKS == *$c* ]] && brk+=$c
		done
		COMP_WORDS=()
		for t in "${toks[@]}"; do
			while [[ -n $t ]]; do
				[[ $t =~ ^[$brk]+ ]] || [[ $t =~ ^[^$brk]+ ]]
				COMP_WORDS+=("${BASH_REMATCH[0]}")
				t=${t:${#BASH_REMATCH[0]}}
			done
		done
		[[ $line == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$line
		COMP_POINT=${#line}
		COMP_TYPE=9
		COMP_KEY=9
		. "completions/bash/${COMP_WORDS[0]}" || exit 1
		spec=$(complete -p "${COMP_WORDS[0]}") || exit 1
		fn=${spec#*-F }
		fn=${fn%% *}
		COMPREPLY=()
		"$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" \
		    "${COMP_WORDS[COMP_CWORD-1]}" || exit 1
		((${#COMPREPLY[@]} == 0)) || printf "%s\n" "${COMPREPLY[@]}"
	' bash "$bc" "$2" | sort
}

# bash_is EXPECTED LINE: both with and without bash-completion, TAB at
# the end of LINE offers exactly the words of EXPECTED.
bash_is() {
	local mode got want
	want=$(words "$1")
	for mode in bc plain; do
		got=$(bcomp "$mode" "$2") || fail "'$2' ($mode): failed"
		[ "$got" = "$want" ] ||
		    fail "'$2<TAB>' ($mode) offers:" "$(echo $got)" \
		    "expected:" "$(echo $want)"
	done
}

# bash_has WORD LINE: TAB at the end of LINE offers WORD (and maybe more).
bash_has() {
	local mode got
	for mode in bc plain; do
		got=$(bcomp "$mode" "$2") || fail "'$2' ($mode): failed"
		grep -qxF -- "$1" <<<"$got" ||
		    fail "'$2<TAB>' ($mode) does not offer $1:" "$(echo $got)"
	done
}

# fcomp LINE: what fish offers at the end of LINE, with the fish file
# of LINE's first word loaded; the candidates only, sorted.
fcomp() {
	local tool=${1%% *}
	fish --no-config -c 'source $argv[1]; complete -C $argv[2]' \
	    "completions/fish/$tool.fish" "$1" | cut -f 1 | sort
}

# fish_is EXPECTED LINE, fish_has WORD LINE: as bash_is and bash_has.
fish_is() {
	local got want
	want=$(words "$1")
	got=$(fcomp "$2") || fail "fish: '$2' failed"
	[ "$got" = "$want" ] ||
	    fail "fish: '$2<TAB>' offers:" "$(echo $got)" "expected:" \
	    "$(echo $want)"
}
fish_has() {
	local got
	got=$(fcomp "$2") || fail "fish: '$2' failed"
	grep -qxF -- "$1" <<<"$got" ||
	    fail "fish: '$2<TAB>' does not offer $1:" "$(echo $got)"
}

# zcomp LINE: what an interactive zsh offers on TAB at the end of LINE,
# with completions/zsh first in its fpath; the candidates, sorted.  A
# zsh in a pseudo-terminal (zsh/zpty) runs compinit, a compadd that
# also prints what it adds, then exits after the completion.
zcomp() {
	zsh -f -c "$ZCOMP" zsh "$MKIT_TOP/completions/zsh" "$1" |
	    sed '/^[[:space:]]*$/d' | sort -u
}
ZCOMP=$(cat <<'ZSH'
zmodload zsh/zpty || exit 1
dir=$1 line=$2
zpty z zsh -f -i
zpty -w z "PS1= PROMPT= RPROMPT=; unsetopt zle_bracketed_paste 2>/dev/null"
zpty -w z "fpath=(${(q)dir} \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z 'bindkey "^I" complete-word'
zpty -w z 'zstyle ":completion:*" list-grouped false'
zpty -w z 'zstyle ":completion:*" insert-tab false'
zpty -w z 'mkit_end() { print -r -- "MKIT""-END" }'
zpty -w z 'comppostfuncs=(mkit_end exit)'
zpty -w z 'compadd() {'
zpty -w z '  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then'
zpty -w z '    builtin compadd "$@"; return'
zpty -w z '  fi'
zpty -w z '  local -a __hits; local h'
zpty -w z '  builtin compadd -A __hits "$@"'
zpty -w z '  for h in $__hits; do print -r -- "MKIT""-CAND:$h"; done'
zpty -w z '}'
zpty -w z "$line"$'\t'
local l i
for ((i = 0; i < 200; i++)); do
	if ! zpty -rt z l; then
		sleep 0.05
		continue
	fi
	l=${l//$'\r'/}
	[[ $l == *MKIT-CAND:* ]] && print -r -- ${l#*MKIT-CAND:}
	[[ $l == *MKIT-END* ]] && break
done
zpty -d z 2>/dev/null
ZSH
)

need_zsh() {
	command -v zsh >/dev/null ||
	    skip "zsh is not installed: make deps installs it"
	zsh -f -c 'zmodload zsh/zpty' ||
	    skip "zsh has no zsh/zpty module: completions not run"
}

# zsh_is EXPECTED LINE, zsh_has WORD LINE: as bash_is and bash_has.
zsh_is() {
	local got want
	want=$(words "$1")
	got=$(zcomp "$2") || fail "zsh: '$2' failed"
	[ "$got" = "$want" ] ||
	    fail "zsh: '$2<TAB>' offers:" "$(echo $got)" "expected:" \
	    "$(echo $want)"
}
zsh_has() {
	local got
	got=$(zcomp "$2") || fail "zsh: '$2' failed"
	grep -qxF -- "$1" <<<"$got" ||
	    fail "zsh: '$2<TAB>' does not offer $1:" "$(echo $got)"
}

# zsh_list FILE VAR: the words of "VAR=(...)" in a zsh completion, the
# "name:description" entries cut to their names.
zsh_list() {
	awk -v v="$2=(" 'index($0, v) { on = 1 } on { print } on && /\)/ { exit }' \
	    "$1" | sed "s/^[^(]*(//; s/).*//; s/'\\([^:']*\\):[^']*'/\\1/g" |
	    tr -s ' \t\n' '\n\n\n' | sed '/^$/d' | sort
}

# --- bash: mlookup ---------------------------------------------------

@test "bash: bash-completion loads and defines _init_completion" {
	need_bc
	run bash --norc -c '. "$1"; declare -F _init_completion' bash "$BC"
	[ "$status" -eq 0 ]
	[ "$output" = _init_completion ]
}

@test "bash: mlookup -t and --type complete the DNS types" {
	need_bc
	bash_is "$TYPES" "mlookup -t "
	bash_is "$TYPES" "mlookup --type "
	bash_is "$TYPES" "mlookup --type="
	bash_is "MX" "mlookup -t M"
	bash_is "MX" "mlookup --type=M"
	bash_is "SMIMEA SOA SRV SSHFP SVCB" "mlookup example.org -t S"
	# lower case in, lower case out: types are not case-sensitive
	bash_is "txt tlsa" "mlookup -t t"
	bash_is "ns nsec nsec3 nsec3param" "mlookup --type=ns"
}

@test "bash: mlookup completes the optional type operand after a name" {
	need_bc
	bash_is "" "mlookup "
	bash_is "" "mlookup exa"
	bash_is "$TYPES" "mlookup example.org "
	bash_is "MX" "mlookup example.org M"
	bash_is "$TYPES" "mlookup -4 --timeout 3 example.org "
	bash_is "$TYPES" "mlookup example.org example.net "
	# the type is given: what follows is not a type
	bash_is "" "mlookup example.org MX "
	bash_is "" "mlookup example.org mx "
	bash_is "" "mlookup example.org @"
	bash_is "" "mlookup example.org @ns"
	bash_is "" "mlookup example.org @127.0.0.1 "
	# the value of an option is not the name
	bash_is "" "mlookup -s 127.0.0.1 "
}

@test "bash: mlookup -c and --class complete the classes" {
	need_bc
	bash_is "$CLASSES" "mlookup -c "
	bash_is "$CLASSES" "mlookup --class="
	bash_is "CH" "mlookup --class C"
	bash_is "ch" "mlookup -c c"
}

@test "bash: mlookup --ca-file and --root-hints complete files" {
	need_bc
	bash_is "$D/cert.pem" "mlookup --ca-file $D/ce"
	bash_is "$D/cert.pem" "mlookup --ca-file=$D/ce"
	bash_is "$D/named.root" "mlookup --root-hints $D/na"
	bash_has "$D/sub" "mlookup --root-hints=$D/s"
}

@test "bash: mlookup options with a value of the user's own offer nothing" {
	need_bc
	local o
	for o in -p --port -s --server -x --reverse --bufsize --retries \
	    --timeout --deadline --https --parallel; do
		bash_is "" "mlookup $o "
	done
	bash_is "--tcp --timeout --trace --type" "mlookup --t"
}

# --- bash: mimap, msend, mpop ---------------------------------------

@test "bash: --tls completes required, auto and off (mimap, msend, mpop)" {
	need_bc
	local t
	for t in mimap msend mpop; do
		bash_is "$TLS" "$t --tls "
		bash_is "$TLS" "$t --tls="
		bash_is "auto" "$t --tls a"
		bash_is "off" "$t --tls=o"
	done
}

@test "bash: mimap completes its commands, once" {
	need_bc
	bash_is "$MIMAP_CMDS" "mimap "
	bash_is "fetch flag folders" "mimap f"
	bash_is "subscribe search" "mimap --tls auto s"
	bash_is "copy create" "mimap -a work c"
	bash_is "unflag unsubscribe" "mimap --server=imaps://h --trace un"
	# after the command: its operands (folders), not the commands
	bash_is "" "mimap fetch "
	bash_is "" "mimap list INBOX "
}

@test "bash: mimap completes files after --ca-file and --password-file" {
	need_bc
	bash_is "$D/cert.pem" "mimap --ca-file $D/ce"
	bash_is "$D/cert.pem" "mimap --password-file=$D/c"
	bash_is "$D/sub $D/subdir" "mimap fetch INBOX --all --maildir $D/s"
}

@test "bash: -a completes the account names of the accounts file" {
	need_bc
	bash_is "home me@work work-2" "mimap -a "
	bash_is "work-2" "mimap -a w"
	# without bash-completion, "@" is in COMP_WORDBREAKS: readline
	# replaces only what follows it
	[ "$(bcomp bc "mimap -a me@w")" = me@work ]
	[ "$(bcomp plain "mimap -a me@w")" = work ]
	bash_is "home" "msend --account h"
	bash_is "home me@work work-2" "msend -a "
	bash_is "home me@work work-2" "mpop -a "
	bash_is "work-2" "mpop --account w"
	# the default path, when MKIT_CONFIG is unset
	unset MKIT_CONFIG
	bash_is "home me@work work-2" "mimap -a "
	mv "$XDG_CONFIG_HOME/mkit" "$BATS_TEST_TMPDIR/elsewhere"
	bash_is "" "mimap -a "
	# MKIT_CONFIG names the file
	MKIT_CONFIG=$BATS_TEST_TMPDIR/elsewhere/config bash_is "home me@work work-2" \
	    "mimap -a "
}

# --- bash: mmime -----------------------------------------------------

@test "bash: mmime completes its commands" {
	need_bc
	bash_is "$MMIME_CMDS" "mmime "
	bash_is "cat create" "mmime c"
	bash_is "decode" "mmime --json --timeout 5 de"
	bash_has "--timeout" "mmime --t"
}

@test "bash: mmime completes the options of the command given" {
	need_bc
	bash_is "-H -a -b -c -f -h -s -t --crlf --help --html --inline" \
	    "mmime create -"
	bash_is "--lenient" "mmime decode --l"
	bash_is "-b -q -h --help" "mmime encode -"
	bash_is "--all" "mmime extract --a"
}

@test "bash: mmime completes files after -a, --html, --inline; dirs after -d" {
	need_bc
	bash_is "$D/pic.png" "mmime create -a $D/pi"
	bash_is "$D/pic.png" "mmime create -t bob@example.org --inline=$D/p"
	bash_is "$D/msg.eml" "mmime create --html $D/m"
	bash_is "$D/sub $D/subdir" "mmime extract --all -d $D/s"
	bash_is "$D/msg.eml" "mmime list $D/m"
	bash_is "$D/msg.eml" "mmime extract -p 2 $D/m"
	bash_is "$D/msg.eml" "mmime create --html=$D/m"
	# values of the user's own
	bash_is "" "mmime create -s "
	bash_is "" "mmime extract --type "
	bash_is "" "mmime --timeout "
}

# --- fish --------------------------------------------------------------

@test "fish: mlookup -t, --type and -c complete types and classes" {
	need_fish
	fish_is "$TYPES" "mlookup -t "
	fish_is "MX" "mlookup --type M"
	fish_has "--type=MX" "mlookup --type=M"
	fish_is "$CLASSES" "mlookup -c "
	# the optional type operand: after a name, until a type or @server
	fish_is "" "mlookup "
	fish_is "$TYPES" "mlookup example.org "
	fish_is "MX" "mlookup -4 example.org M"
	fish_is "" "mlookup example.org MX "
	fish_is "" "mlookup example.org @127.0.0.1 "
	fish_has "$D/cert.pem" "mlookup --ca-file $D/ce"
}

@test "fish: --tls completes required, auto and off (mimap, msend, mpop)" {
	need_fish
	local t
	for t in mimap msend mpop; do
		fish_is "$TLS" "$t --tls "
	done
}

@test "fish: mimap and mmime complete their commands" {
	need_fish
	fish_is "$MIMAP_CMDS" "mimap "
	fish_is "fetch flag folders" "mimap f"
	fish_is "fetch flag folders" "mimap -a work f"
	fish_is "" "mimap fetch "
	fish_is "$MMIME_CMDS" "mmime "
	fish_is "cat create" "mmime c"
	fish_has "$D/pic.png" "mmime create -a $D/pi"
	fish_has "$D/msg.eml" "mmime list $D/m"
}

@test "fish: mimap, mpop and msend -a complete the account names" {
	need_fish
	fish_is "home me@work work-2" "mimap -a "
	fish_is "home me@work work-2" "mpop -a "
	fish_is "home me@work work-2" "msend -a "
	unset MKIT_CONFIG
	fish_is "home me@work work-2" "mimap -a "
	fish_is "home me@work work-2" "mpop --account "
}

# --- zsh ---------------------------------------------------------------

@test "zsh: mlookup -t, --type=, -c and the type operand" {
	need_zsh
	zsh_is "$TYPES" "mlookup -t "
	zsh_is "$TYPES" "mlookup --type="
	zsh_is "$CLASSES" "mlookup -c "
	zsh_is "$TYPES" "mlookup example.org "
	zsh_is "" "mlookup example.org MX "
}

@test "zsh: --tls completes required, auto and off (mimap, msend, mpop)" {
	need_zsh
	local t
	for t in mimap msend mpop; do
		zsh_is "$TLS" "$t --tls "
		zsh_is "$TLS" "$t --tls="
	done
}

@test "zsh: mimap, mmime, mpop and msend complete commands, files and accounts" {
	need_zsh
	zsh_is "$MIMAP_CMDS" "mimap "
	zsh_is "fetch flag folders" "mimap --tls auto f"
	zsh_is "home me@work work-2" "mimap -a "
	zsh_is "home me@work work-2" "mpop -a "
	zsh_is "home me@work work-2" "msend -a "
	zsh_is "$MMIME_CMDS" "mmime "
	zsh_is "cat create" "mmime c"
	zsh_has "pic.png" "mmime create -a $D/pi"
	zsh_has "cert.pem" "mlookup --ca-file $D/ce"
}

# --- the three shells agree --------------------------------------------

@test "bash, zsh and fish offer the same DNS types and classes" {
	local f got
	got=$(zsh_list completions/zsh/_mlookup types)
	[ "$got" = "$(words "$TYPES")" ] ||
	    fail "_mlookup types: $(echo $got)"
	got=$(grep -oE "'[A-Z0-9 ]+'" <(grep -- '-l type ' \
	    completions/fish/mlookup.fish) | tr -d "'")
	[ "$(words "$got")" = "$(words "$TYPES")" ] ||
	    fail "mlookup.fish types: $got"
	grep -qF '(IN CH HS ANY)' completions/zsh/_mlookup
	grep -qF "'IN CH HS ANY'" completions/fish/mlookup.fish
}

@test "zsh and fish files offer the --tls modes and the commands" {
	local t
	for t in mimap msend mpop; do
		grep -qE -- "--tls=.*:\(required auto off\)'" completions/zsh/_$t ||
		    fail "_$t: no --tls values"
		grep -qE -- "-l tls .*-a 'required auto off'" \
		    completions/fish/$t.fish || fail "$t.fish: no --tls values"
	done
	[ "$(zsh_list completions/zsh/_mimap commands)" = \
	    "$(words "$MIMAP_CMDS")" ] || fail "_mimap: commands differ"
	[ "$(zsh_list completions/zsh/_mmime cmds)" = \
	    "$(words "$MMIME_CMDS")" ] || fail "_mmime: commands differ"
}
