#!/usr/bin/env bats
# docs.bats — the manual pages, the --help texts and the shell completions
# agree with the option tables the tools parse with (`TOOL --list-options`),
# the pages are clean under mandoc -Tlint, and every example in a manual
# runs and prints what the manual shows.
#
# The crm front and every executable crm-* in the binary directory are
# checked, so a new tool is covered as soon as it is built; its page is
# man/TOOL.1.

load helper

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
EXIT_STATUSES='0 1 64 65 66 70 73 74 75 77'

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# The tools to check: the crm front and every crm-* program in the binary
# directory.
tools() {
	local t
	for t in "$CRM_BIN_DIR"/crm "$CRM_BIN_DIR"/crm-*; do
		[ -x "$t" ] && echo "${t##*/}"
	done
}

# options TOOL CMD: the options of CMD, one per line, as LONG|SHORT|CHOICES
# (not tab-separated: read would merge the empty fields).
options() {
	"$1" --list-options | awk -F '\t' -v c="$2" \
	    '$1 == "opt" && $2 == c { print $3 "|" $4 "|" $6 }'
}

# commands TOOL: the command names, one per line.
commands() {
	"$1" --list-options | awk -F '\t' '$1 == "cmd" { print $2 }'
}

# command_block PAGE CMD: the text of CMD's entry in the COMMANDS section:
# from each `.It Xo` whose first `.Cm` line names CMD to the next `.It Xo`
# or section (see the comment at the top of the page).
command_block() {
	awk -v c="$2" '
	/^\.Sh / { incmds = ($0 == ".Sh COMMANDS"); on = 0; next }
	!incmds { next }
	/^\.It Xo/ { want = 1; on = 0; next }
	want && /^\.Cm / { want = 0; on = (substr($0, 5) == c) }
	on { print }
	' "$1"
}

# documents TEXT LONG: whether TEXT names --LONG as mdoc `Fl -long` or
# `Fl x , -long`.
documents() {
	local re="Fl ([A-Za-z0-9] , )?-${2#--}([^-A-Za-z0-9]|\$)"
	grep -Eq -- "$re" <<<"$1"
}

@test "docs: every tool has a manual page and the toolkit an overview" {
	local t n=0
	for t in $(tools); do
		[ -f "$ROOT/man/$t.1" ] || fail "no manual page man/$t.1 for $t"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || fail "no crm-* tools in $CRM_BIN_DIR"
	[ -f "$ROOT/man/crm.7" ] || fail "no man/crm.7"
	for t in $(tools); do
		grep -q "^\.Xr $t 1" "$ROOT/man/crm.7" ||
		    fail "crm(7) does not list $t(1)"
		grep -q '^\.Xr crm 7' "$ROOT/man/$t.1" ||
		    fail "$t(1) does not refer to crm(7)"
	done
}

@test "docs: the manual pages name every command and every option" {
	local t page c cmds common line long short block n
	for t in $(tools); do
		page=$ROOT/man/$t.1
		mapfile -t cmds < <(commands "$t")
		n=${#cmds[@]}
		# Options that every command takes are documented once, under
		# DESCRIPTION; the others in their command's entry.
		common=$("$t" --list-options | awk -F '\t' -v n="$n" '
		    $1 == "opt" { k[$3]++ }
		    END { for (o in k) if (k[o] == n) print o }' | sort)
		for c in "${cmds[@]}"; do
			grep -Eq "^\.Cm $c( |\$)" "$page" ||
			    fail "$t(1): no '.Cm $c' (SYNOPSIS or COMMANDS)"
			block=$(command_block "$page" "$c")
			[ -n "$block" ] ||
			    fail "$t(1): COMMANDS has no entry for '$c'"
			while IFS='|' read -r long short _; do
				if grep -qxF -- "$long" <<<"$common"; then
					documents "$(cat "$page")" "$long" ||
					    fail "$t(1): option $long (of every command) not documented"
				else
					documents "$block" "$long" ||
					    fail "$t(1): '$c' does not document $long"
				fi
				if [ -n "$short" ]; then
					grep -Eq -- "Fl ${short#-} , ${long#-}([^-A-Za-z0-9]|\$)" "$page" ||
					    fail "$t(1): $short is not documented as 'Fl ${short#-} , ${long#-}'"
				fi
			done < <(options "$t" "$c")
			# And nothing that the command does not take.
			while read -r line; do
				long=--${line#Fl -}
				long=${long%% *}
				grep -qxF -- "$long" <<<"$(options "$t" "$c" | cut -d '|' -f1)" ||
				    fail "$t(1): '$c' documents $long, which it does not take"
			done < <(grep -Eo 'Fl -[a-z][-a-z0-9]*' <<<"$block" | sort -u)
		done
		# Every command entry is a command.
		while read -r c; do
			# Not printf | grep -q: grep may quit before printf has
			# written all, and pipefail takes its SIGPIPE for a miss.
			grep -qxF -- "$c" <<<"$(printf '%s\n' "${cmds[@]}")" ||
			    fail "$t(1): COMMANDS describes '$c', which is not a command"
		done < <(awk '/^\.Sh /{ on = ($0 == ".Sh COMMANDS") } on && /^\.It Xo/ { getline; if ($0 ~ /^\.Cm /) print substr($0, 5) }' "$page" | sort -u)
	done
}

@test "docs: every command's --help lists each of its options and values" {
	local t c long short choices out
	for t in $(tools); do
		while read -r c; do
			# shellcheck disable=SC2086
			out=$("$t" $c --help) || fail "$t $c --help failed"
			while IFS='|' read -r long short choices; do
				grep -Eq -- "(^| )${long}( |\$)" <<<"$out" ||
				    fail "$t $c --help does not list $long"
				if [ -n "$short" ]; then
					grep -Eq -- "(^| )${short}, ${long}( |\$)" <<<"$out" ||
					    fail "$t $c --help does not list $short, $long"
				fi
				if [ -n "$choices" ]; then
					grep -qF -- "[${choices// /|}]" <<<"$out" ||
					    fail "$t $c --help does not list the values of $long: $choices"
				fi
			done < <(options "$t" "$c")
		done < <(commands "$t")
	done
}

@test "docs: mandoc -Tlint finds nothing in the manual pages" {
	command -v mandoc >/dev/null || skip "mandoc is not installed"
	run mandoc -Tlint -Wwarning "$ROOT"/man/*.1 "$ROOT"/man/*.7
	assert_success
	assert_output ''
}

@test "docs: every manual page lists the exit statuses" {
	local page s statuses
	for page in "$ROOT"/man/*.1 "$ROOT"/man/*.7; do
		statuses=$(awk '/^\.Sh /{ on = ($0 == ".Sh EXIT STATUS") }
		    on && /^\.It [0-9]+$/ { print $2 }' "$page" | tr '\n' ' ')
		[ "${statuses% }" = "$EXIT_STATUSES" ] ||
		    fail "${page##*/}: EXIT STATUS lists '${statuses% }', not '$EXIT_STATUSES'"
	done
	for t in $(tools); do
		out=$("$t" --help)
		for s in $EXIT_STATUSES; do
			grep -Eq "(^| )$s " <<<"$out" || fail "$t --help: no exit status $s"
		done
	done
}

@test "docs: the committed completions are what completions/gen makes" {
	local bins=() t
	for t in $(tools); do
		bins+=("$CRM_BIN_DIR/$t")
	done
	run "$ROOT/completions/gen" "$BATS_TEST_TMPDIR/completions" "${bins[@]}"
	assert_success
	assert_output ''
	run diff -r -x gen "$ROOT/completions" "$BATS_TEST_TMPDIR/completions"
	assert_success
}

# complete_bash LINE: what the bash completion offers at the end of LINE,
# on one line (words split as readline does; "=" splits too).
complete_bash() {
	local line=$1 words
	# shellcheck source=/dev/null
	source "$ROOT/completions/crm-customer.bash"
	read -ra words <<<"${line//=/ = }"
	[[ $line == *' ' ]] && words+=('')
	COMP_WORDS=("${words[@]}")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$line
	COMP_POINT=${#line}
	COMPREPLY=()
	_crm_customer crm-customer "${COMP_WORDS[COMP_CWORD]}" \
	    "${COMP_WORDS[COMP_CWORD - 1]}"
	echo "${COMPREPLY[*]}"
}

@test "completions: bash completes commands, options and their values" {
	run bash -n "$ROOT/completions/crm-customer.bash"
	assert_success
	assert_equal "$(complete_bash 'crm-customer li')" 'list'
	assert_equal "$(complete_bash 'crm-customer c')" 'contact'
	assert_equal "$(complete_bash 'crm-customer contact ')" 'add list set delete'
	assert_equal "$(complete_bash 'crm-customer contact l')" 'list'
	assert_equal "$(complete_bash 'crm-customer list --fo')" '--format'
	assert_equal "$(complete_bash 'crm-customer list -f ')" 'table csv tsv json ndjson ids'
	assert_equal "$(complete_bash 'crm-customer list --format=nd')" 'ndjson'
	assert_equal "$(complete_bash 'crm-customer contact list --w')" '--where'
	assert_equal "$(complete_bash 'crm-customer --db /tmp l')" 'list log'
	assert_equal "$(complete_bash 'crm-customer log 1 -k v')" 'visit'
	assert_equal "$(complete_bash 'crm-customer dupes --by email,p')" 'email,phone'
	assert_equal "$(complete_bash 'crm-customer undo --')" '--db --force --help --version'
	assert_equal "$(complete_bash 'crm-customer list --where tier=A -- -')" ''
	mkdir -p "$BATS_TEST_TMPDIR/dbdir"
	assert_equal "$(complete_bash "crm-customer --db $BATS_TEST_TMPDIR/dbd")" \
	    "$BATS_TEST_TMPDIR/dbdir"
}

@test "completions: zsh and fish read their files" {
	local checked=0
	if command -v zsh >/dev/null; then
		run zsh -n "$ROOT/completions/_crm-customer"
		assert_success
		checked=1
	fi
	if command -v fish >/dev/null; then
		run fish -n "$ROOT/completions/crm-customer.fish"
		assert_success
		run fish -c "source '$ROOT/completions/crm-customer.fish'
		    complete -C 'crm-customer contact l'
		    complete -C 'crm-customer list -f '"
		assert_success
		assert_line --regexp '^list	'
		assert_line --regexp '^ndjson'
		checked=1
	fi
	[ "$checked" = 1 ] || skip "neither zsh nor fish is installed"
}

# examples PAGE MODE: the runnable examples of PAGE — the EXAMPLES literal
# blocks that hold a "$ " line.  MODE expect prints them as the reader sees
# them; MODE script prints a sh script that runs each "$ " command in turn,
# echoing it and its output (stderr too), and "[exit N]" after a command
# that fails unless the next example line is "$ echo $?".
examples() {
	awk -v mode="$2" '
	function unesc(s) {
		gsub(/\\e/, "\001", s); gsub(/\\\(aq/, "\047", s)
		gsub(/\\\(dq/, "\"", s); gsub(/\\&/, "", s); gsub(/\\-/, "-", s)
		gsub(/\001/, "\\", s)
		return s
	}
	function sq(s) { gsub(/\047/, "\047\\\047\047", s); return "\047" s "\047" }
	/^\.Sh / { inex = ($0 == ".Sh EXAMPLES"); next }
	!inex { next }
	/^\.Bd -literal/ { inb = 1; n = 0; run = 0; next }
	/^\.Ed/ && inb {
		inb = 0
		if (run) for (i = 1; i <= n; i++) all[++m] = blk[i]
		next
	}
	inb {
		if ($0 ~ /^\./) { print "example line is a macro: " $0 > "/dev/stderr"; exit 1 }
		blk[++n] = unesc($0)
		if (blk[n] ~ /^\$ /) run = 1
	}
	END {
		if (mode == "expect") { for (i = 1; i <= m; i++) print all[i]; exit }
		print "exec 2>&1"
		print "__st=0"
		for (i = 1; i <= m; i++) {
			if (all[i] !~ /^\$ /) continue
			print "printf \"%s\\n\" " sq(all[i])
			print "(exit $__st); " substr(all[i], 3)
			print "__st=$?"
			for (j = i + 1; j <= m && all[j] !~ /^\$ /; j++)
				;
			if (!(j <= m && all[j] == "$ echo $?"))
				print "[ $__st -eq 0 ] || echo \"[exit $__st]\""
		}
	}' "$1"
}

@test "docs: every example in the manual pages runs and prints what is shown" {
	local page t n=0
	for page in "$ROOT"/man/*.1; do
		t=${page##*/}
		t=${t%.1}
		examples "$page" expect >"$BATS_TEST_TMPDIR/$t.expect"
		[ -s "$BATS_TEST_TMPDIR/$t.expect" ] || continue
		examples "$page" script >"$BATS_TEST_TMPDIR/$t.sh"
		mkdir -p "$BATS_TEST_TMPDIR/$t.home"
		# A new home, so "$HOME/..." databases start empty; the examples
		# set their own database, user and clock.
		(cd "$BATS_TEST_TMPDIR/$t.home" &&
		    env -u CRM_DB -u CRM_NOW -u CRM_USER HOME="$BATS_TEST_TMPDIR/$t.home" \
		    sh "$BATS_TEST_TMPDIR/$t.sh") >"$BATS_TEST_TMPDIR/$t.actual"
		run diff -u "$BATS_TEST_TMPDIR/$t.expect" "$BATS_TEST_TMPDIR/$t.actual"
		if [ "$status" -ne 0 ]; then
			echo "# examples of $t(1) were run in $BATS_TEST_TMPDIR/$t.home" >&3
			fail "the EXAMPLES of $t(1) print otherwise:
$output"
		fi
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || fail "no runnable examples in any manual page"
}
