#!/usr/bin/env bats
# crm-import: every option and outcome, run as a user would, on a fresh
# database per test (see helper.bash).  Fixtures shared between tests are in
# fixtures/import/; byte-exact oddities (NUL, invalid UTF-8) are written by
# the tests themselves.

load helper

FIX="$BATS_TEST_DIRNAME/fixtures/import"

# ---- helpers ------------------------------------------------------------------

# use_fixture NAME...: copies fixtures into the test's directory, so that
# messages name them as a user would see them (NAME:LINE).
use_fixture() {
	local f
	for f in "$@"; do
		cp "$FIX/$f" "$BATS_TEST_TMPDIR/$f"
	done
}

# stderr with the varying part of the summary, "in 0.01 s (3456 rows/s)",
# written as "in S s (R rows/s)".
norm_stderr() {
	sed -E 's/ in [0-9]+\.[0-9]{2} s \([0-9]+ rows\/s\)/ in S s (R rows\/s)/' <<<"$stderr"
}

assert_stderr_norm() {
	assert_equal "$(norm_stderr)" "$1"
}

# assert_counts ENTITY 'read N, created N, updated N, unchanged N, skipped N,
# rejected N': the summary line of the last run, well formed.
assert_counts() {
	local line re
	line=$(grep -E "^crm-import: $1: read " <<<"$stderr") ||
	    fail "no summary for $1 in: $stderr"
	re="^crm-import: $1: (read [0-9]+, created [0-9]+, updated [0-9]+, unchanged [0-9]+, skipped [0-9]+, rejected [0-9]+) in [0-9]+\.[0-9]{2} s \([0-9]+ rows/s\)"
	[[ "$line" =~ $re ]] || fail "malformed summary: $line"
	assert_equal "${BASH_REMATCH[1]}" "$2"
}

# Everything the tools show of the database: the customers, each one's
# single customer view (contacts, activities, leads, deals, invoices,
# tickets), and the list of imports; records_state leaves out the imports.
db_state() {
	records_state && crm-import --batches -f csv
}

records_state() {
	local id
	crm-customer list -f csv || return
	for id in $(crm-customer list -f ids); do
		crm-customer show "$id" -f json || return
		echo
	done
}

# The customers of a large database, in full, in id order.
all_customers() {
	crm-customer list -f csv
}

# assert_refused N: the last run was an all-or-nothing import refused for N
# rejected rows: exit 65, the count, and "nothing imported" last.
assert_refused() {
	local rows=rows
	[ "$1" -ne 1 ] || rows=row
	assert_failure 65
	assert_stderr_contains ", rejected $1 in "
	assert_equal "$(tail -n 1 <<<"$stderr")" "crm-import: nothing imported: $1 $rows rejected"
}

# The rejected rows the last run named on stderr (FILE:LINE: reason).
rejects_shown() {
	grep -E '^crm-import: [^ ]+:[0-9]+: ' <<<"$stderr"
}

# A column of a CSV file (a reject file, a plan), one value per line.
csv_column() {
	[ -s "$1" ] || return 0
	sqlite3 :memory: ".import --csv '$1' t" "SELECT [$2] FROM t ORDER BY rowid" \
	    2>/dev/null
}

# input_pos PID FILE: how far process PID has read FILE (its offset).
input_pos() {
	local fd
	for fd in /proc/"$1"/fd/*; do
		if [ "$(readlink "$fd" 2>/dev/null)" = "$2" ]; then
			awk '/^pos:/ { print $2 }' "/proc/$1/fdinfo/${fd##*/}" \
			    2>/dev/null
			return 0
		fi
	done
}

# kill_midway PID FILE: SIGKILL once PID has read a third of FILE.  Fails
# when the process ended before that.
kill_midway() {
	local pid=$1 file=$2 size pos
	size=$(stat -c %s "$file")
	while kill -0 "$pid" 2>/dev/null; do
		pos=$(input_pos "$pid" "$file")
		if [ "${pos:-0}" -gt $((size / 3)) ]; then
			kill -KILL "$pid"
			return 0
		fi
		sleep 0.01
	done
	return 1
}

# ---- help, usage and exit status 64 and 66 ------------------------------------

@test "--help lists every entity, undo and batches" {
	run --separate-stderr crm-import --help
	assert_success
	assert_stderr_empty
	assert_line --index 0 'usage: crm-import [--db DIR] COMMAND [OPTIONS] [ARGS]'
	local c
	for c in customer contact activity lead campaign deal invoice payment \
	    ticket undo batches; do
		assert_line --regexp "^  $c +[a-z]"
	done
	[ ! -e "$CRM_DB" ]
}

@test "ENTITY --help lists the import options and the entity's fields" {
	run --separate-stderr crm-import customer --help
	assert_success
	assert_stderr_empty
	assert_line --index 0 'usage: crm-import customer [OPTIONS] [FILE]...'
	local o
	for o in --input-format --map --map-file --strict --match --on-match \
	    --on-new --reject --dry-run --skip-invalid --batch; do
		assert_line --regexp "^ +(-[a-z], )?$o "
	done
	assert_line --regexp '^  ext_id +id in another system, unique'
	assert_line --regexp '^  email +e-mail address, unique'
	# the plural works as well, for every entity
	run --separate-stderr crm-import invoices --help
	assert_success
	assert_line --index 0 'usage: crm-import invoice [OPTIONS] [FILE]...'
	assert_line --regexp '^  number +invoice number, required, unique'
	run --separate-stderr crm-import --version
	assert_success
	assert_output --regexp '^crm-import [0-9]+\.[0-9]+\.[0-9]+$'
	[ ! -e "$CRM_DB" ]
}

@test "--list-options prints the option table of every entity" {
	run --separate-stderr crm-import --list-options
	assert_success
	assert_stderr_empty
	local e
	for e in customer contact activity lead campaign deal invoice payment \
	    ticket; do
		assert_line --regexp "^cmd	$e	\[FILE\]\.\.\.	import "
		assert_line --regexp "^opt	$e	--on-match		ACTION	update skip error	"
		assert_line --regexp "^opt	$e	--batch	-b	N	"
	done
	assert_line --regexp '^opt	undo	--force	'
}

@test "no command, or an unknown entity, exits 64" {
	run --separate-stderr crm-import
	assert_failure 64
	assert_stderr $'crm-import: no command given\nTry \'crm-import --help\'.'
	run --separate-stderr crm-import widget in.csv
	assert_failure 64
	assert_output ''
	assert_stderr $'crm-import: \'widget\' is not a command\nTry \'crm-import --help\'.'
	[ ! -e "$CRM_DB" ]
}

@test "bad option values exit 64, name the value and import nothing" {
	seed_customers
	use_fixture update.csv
	local before
	before=$(db_state)
	run --separate-stderr crm-import customer --on-match merge update.csv
	assert_failure 64
	assert_stderr $'crm-import: --on-match "merge": not one of update, skip, error\nTry \'crm-import customer --help\'.'
	run --separate-stderr crm-import customer --on-new error update.csv
	assert_failure 64
	assert_stderr $'crm-import: --on-new "error": not one of create, skip\nTry \'crm-import customer --help\'.'
	run --separate-stderr crm-import customer --batch x update.csv
	assert_failure 64
	assert_stderr 'crm-import: --batch "x": not a non-negative integer'
	run --separate-stderr crm-import customer -b -1 update.csv
	assert_failure 64
	assert_stderr 'crm-import: --batch "-1": not a non-negative integer'
	run --separate-stderr crm-import customer --input-format xml update.csv
	assert_failure 64
	assert_stderr $'crm-import: --input-format "xml": not one of auto, csv, tsv, json, ndjson, ids\nTry \'crm-import customer --help\'.'
	run --separate-stderr crm-import customer --bogus update.csv
	assert_failure 64
	assert_stderr $'crm-import: unknown option \'--bogus\'\nTry \'crm-import customer --help\'.'
	run --separate-stderr crm-import customer update.csv --match
	assert_failure 64
	assert_stderr_contains "option '--match' needs a value"
	assert_equal "$(db_state)" "$before"
}

@test "--match with a field that is neither unique nor indexed exits 64" {
	seed_customers
	use_fixture update.csv
	local f
	for f in nosuch name tags; do
		run --separate-stderr crm-import customer --match "email,$f" update.csv
		assert_failure 64
		assert_output ''
		assert_stderr "crm-import: --match \"$f\": not a unique or indexed field of customer"
	done
	run --separate-stderr crm-import deal --match email update.csv
	assert_failure 64
	assert_stderr 'crm-import: --match "email": not a unique or indexed field of deal'
}

@test "a malformed --map exits 64 with one message and no summary" {
	seed_customers
	use_fixture update.csv
	run --separate-stderr crm-import customer --map Kunde update.csv
	assert_failure 64
	assert_stderr "crm-import: --map \"Kunde\": expected 'COLUMN=FIELD'"
	run --separate-stderr crm-import customer -m =name update.csv
	assert_failure 64
	assert_stderr "crm-import: --map \"=name\": expected 'COLUMN=FIELD'"
	# a field name that cannot be one is a usage error too, said once
	run --separate-stderr crm-import customer --map 'Kunde=bad name!' update.csv
	assert_failure 64
	assert_output ''
	assert_stderr "crm-import: --map 'Kunde=bad name!': not a field name"
	run crm-import --batches -f ids
	assert_output 1
}

@test "a --map-file line without '=' exits 64 naming the file and line" {
	seed_customers
	use_fixture update.csv
	printf '# ERP\nKunde=name\n\nbogus line\n' | fixture erp.map
	run --separate-stderr crm-import customer --map-file erp.map update.csv
	assert_failure 64
	assert_stderr "crm-import: erp.map:4: \"bogus line\": expected 'COLUMN=FIELD'"
}

@test "a missing input file exits 66 and imports nothing from the others" {
	seed_customers
	use_fixture update.csv
	local before
	before=$(db_state)
	run --separate-stderr crm-import customer update.csv nosuch.csv
	assert_failure 66
	assert_output ''
	assert_stderr 'crm-import: cannot open nosuch.csv: No such file or directory'
	run --separate-stderr crm-import customer --map-file nosuch.map update.csv
	assert_failure 66
	assert_stderr 'crm-import: cannot open nosuch.map: No such file or directory'
	assert_equal "$(db_state)" "$before"
}

@test "options may come before, between or after the files; -- ends them" {
	seed_customers
	use_fixture update.csv
	run --separate-stderr crm-import customer update.csv --match=ext_id -n
	assert_success
	assert_output $'line,outcome,id,reason\n2,unchanged,1,\n3,updated,2,\n4,created,5,'
	run --separate-stderr crm-import customer -n -b1 update.csv
	assert_success
	assert_output $'line,outcome,id,reason\n2,unchanged,1,\n3,updated,2,\n4,created,5,'
	run --separate-stderr crm-import customer -- update.csv -n
	assert_failure 66
	assert_stderr 'crm-import: cannot open -n: No such file or directory'
}

# ---- the five outcomes ---------------------------------------------------------

@test "created, updated and unchanged rows are counted in the summary" {
	seed_customers
	use_fixture update.csv
	run --separate-stderr crm-import customer update.csv
	assert_success
	assert_output ''
	assert_stderr_norm 'crm-import: customer: read 3, created 1, updated 1, unchanged 1, skipped 0, rejected 0 in S s (R rows/s)
crm-import: batch 2 (undo with: crm-import --undo 2)'
	# E2 took the new tier and kept every field the file does not give
	run crm-customer list --fields id,ext_id,name,email,phone,tier,tags,owner,segment
	assert_output 'id,ext_id,name,email,phone,tier,tags,owner,segment
1,E1,Acme Corp,info@acme.com,+86 138 0000 0007,A,vip;partner,alice,gold
2,E2,Beta Ltd,hello@beta.io,13800000014,A,,bob,silver
3,E3,张三,zhang@example.cn,,C,vip,alice,
4,E4,Delta GmbH,kontakt@delta.de,,,newsletter,carol,gold
5,E5,Echo Inc,echo@echo.com,,B,,,'
	run crm-customer show ext:E5 -f csv --no-header
	assert_output '5,2026-11-23T10:00:00Z,2026-11-23T10:00:00Z,E5,Echo Inc,company,echo@echo.com,,,,B,,,,,'
}

@test "an empty value in the file never clears a field" {
	seed_customers
	printf 'ext_id,name,owner,tags,segment\nE1,Acme Corp,,,\n' | fixture blank.csv
	run --separate-stderr crm-import customer blank.csv
	assert_success
	assert_counts customer 'read 1, created 0, updated 0, unchanged 1, skipped 0, rejected 0'
	run fields_of 1 name,owner,tags,segment
	assert_output 'Acme Corp,alice,vip;partner,gold'
}

@test "a row without the required fields updates the record it matches" {
	seed_customers
	# no name column at all, or an empty name: the record keeps its own
	printf 'email,tier\nINFO@acme.com,C\n' | fixture partial.csv
	printf 'ext_id,name,tier\nE2,,C\n' | fixture noname.csv
	run --separate-stderr crm-import customer partial.csv noname.csv
	assert_success
	assert_counts customer 'read 2, created 0, updated 2, unchanged 0, skipped 0, rejected 0'
	run crm-customer list --fields id,name,tier --where 'id<=2'
	assert_output $'id,name,tier\n1,Acme Corp,C\n2,Beta Ltd,C'
	# a new row still needs them
	printf 'email,tier\nnew@example.com,C\n' | fixture newrow.csv
	run --separate-stderr crm-import customer newrow.csv
	assert_failure 65
	assert_stderr_contains "crm-import: newrow.csv:2: field 'name': required"
}

@test "re-running the same file leaves every row unchanged and writes nothing" {
	seed_customers
	use_fixture update.csv customers.csv
	crm-import customer update.csv customers.csv 2>/dev/null
	local before
	before=$(crm-customer list -f csv)
	# a later clock would show in updated_at if anything were written
	CRM_NOW=2026-12-24T18:00:00Z run --separate-stderr crm-import customer \
	    update.csv customers.csv
	assert_success
	assert_counts customer 'read 6, created 0, updated 0, unchanged 6, skipped 0, rejected 0'
	assert_equal "$(crm-customer list -f csv)" "$before"
	CRM_NOW=2026-12-24T18:00:00Z run --separate-stderr crm-import customer \
	    -n update.csv customers.csv
	assert_success
	assert_output 'file,line,outcome,id,reason
update.csv,2,unchanged,1,
update.csv,3,unchanged,2,
update.csv,4,unchanged,5,
customers.csv,2,unchanged,6,
customers.csv,3,unchanged,7,
customers.csv,4,unchanged,8,'
}

@test "--on-match skip leaves matched records alone and counts them skipped" {
	seed_customers
	use_fixture update.csv
	run --separate-stderr crm-import customer --on-match skip update.csv
	assert_success
	assert_counts customer 'read 3, created 1, updated 0, unchanged 0, skipped 2, rejected 0'
	run fields_of 2 tier
	assert_output B
	run --separate-stderr crm-import customer --on-match skip -n update.csv
	assert_output 'line,outcome,id,reason
2,skipped,1,"field '\''ext_id'\'': ""E1"" already belongs to customer 1"
3,skipped,2,"field '\''ext_id'\'': ""E2"" already belongs to customer 2"
4,skipped,5,"field '\''ext_id'\'': ""E5"" already belongs to customer 5"'
}

@test "--on-match error rejects every matched row; all or nothing" {
	seed_customers
	use_fixture update.csv
	local before
	before=$(db_state)
	run --separate-stderr crm-import customer --on-match error update.csv
	assert_refused 2
	assert_output ''
	assert_equal "$(rejects_shown)" "crm-import: update.csv:2: field 'ext_id': \"E1\" already belongs to customer 1
crm-import: update.csv:3: field 'ext_id': \"E2\" already belongs to customer 2"
	assert_equal "$(db_state)" "$before"
	run --separate-stderr crm-import customer --on-match error --skip-invalid update.csv
	assert_success
	assert_counts customer 'read 3, created 1, updated 0, unchanged 0, skipped 0, rejected 2'
	run ids
	assert_output '1 2 3 4 5'
	run fields_of 2 tier
	assert_output B
}

@test "--on-new skip updates what matches and adds nothing" {
	seed_customers
	use_fixture update.csv
	run --separate-stderr crm-import customer --on-new skip -n update.csv
	assert_success
	assert_output $'line,outcome,id,reason\n2,unchanged,1,\n3,updated,2,\n4,skipped,,no match'
	run --separate-stderr crm-import customer --on-new skip update.csv
	assert_success
	assert_counts customer 'read 3, created 0, updated 1, unchanged 1, skipped 1, rejected 0'
	run ids
	assert_output '1 2 3 4'
	run fields_of 2 tier
	assert_output A
}

@test "a row that repeats an earlier row of the same file matches it" {
	fixture dup.csv <<'EOF'
ext_id,name,email,tier
N1,New One,new1@example.com,A
N1,New One,NEW1@example.com,B
N3,Three,new3@example.com,A
N3,Three,new3@example.com,A
EOF
	run --separate-stderr crm-import customer -n dup.csv
	assert_success
	assert_output $'line,outcome,id,reason\n2,created,1,\n3,updated,1,\n4,created,2,\n5,unchanged,2,'
	run --separate-stderr crm-import customer dup.csv
	assert_success
	assert_counts customer 'read 4, created 2, updated 1, unchanged 1, skipped 0, rejected 0'
	run crm-customer list --fields id,ext_id,tier
	assert_output $'id,ext_id,tier\n1,N1,B\n2,N3,A'
}

@test "a row whose e-mail belongs to a customer with another ext_id is rejected, not merged" {
	fixture two.csv <<'EOF'
ext_id,name,email
N1,One Ltd,shared@example.com
N2,Two Ltd,SHARED@example.com
EOF
	run --separate-stderr crm-import customer two.csv
	assert_failure 65
	assert_stderr_contains 'two.csv:3: '
	assert_stderr_contains 'N1'
	assert_stderr_contains 'N2'
	[ ! -e "$CRM_DB" ] || [ -z "$(crm-customer list -f ids)" ]
	run --separate-stderr crm-import customer --skip-invalid two.csv
	assert_success
	assert_counts customer 'read 2, created 1, updated 0, unchanged 0, skipped 0, rejected 1'
	run crm-customer list --fields ext_id,name,email
	assert_output $'ext_id,name,email\nN1,One Ltd,shared@example.com'
}

# ---- all or nothing, --skip-invalid, --reject ----------------------------------

@test "a bad row rejects the whole import: every bad row is named, nothing is written" {
	# the valid rows of a refused import are counted as skipped, and said
	# to be unwritten
	seed_customers
	use_fixture bad-rows.csv
	local before
	before=$(db_state)
	run --separate-stderr crm-import customer bad-rows.csv
	assert_failure 65
	assert_output ''
	assert_stderr_norm "crm-import: bad-rows.csv:3: field 'name': required
crm-import: bad-rows.csv:4: field 'email': \"not-an-email\": not an e-mail address
crm-import: bad-rows.csv:5: field 'kind': \"robot\": not one of company, person
crm-import: customer: read 5, created 0, updated 0, unchanged 0, skipped 2, rejected 3 in S s (R rows/s)
crm-import: 2 valid rows not written (counted as skipped): all or nothing; fix the rejected rows, or use --skip-invalid
crm-import: nothing imported: 3 rows rejected"
	assert_equal "$(db_state)" "$before"
}

@test "--skip-invalid writes the valid rows, exits 0 and --reject keeps the others" {
	seed_customers
	use_fixture bad-rows.csv
	run --separate-stderr crm-import customer --skip-invalid -r rej.csv bad-rows.csv
	assert_success
	assert_output ''
	assert_stderr_norm "crm-import: bad-rows.csv:3: field 'name': required
crm-import: bad-rows.csv:4: field 'email': \"not-an-email\": not an e-mail address
crm-import: bad-rows.csv:5: field 'kind': \"robot\": not one of company, person
crm-import: customer: read 5, created 2, updated 0, unchanged 0, skipped 0, rejected 3 in S s (R rows/s)
crm-import: batch 2 (undo with: crm-import --undo 2)"
	run cat rej.csv
	assert_output 'line,reason,ext_id,name,email,tier,kind
3,field '\''name'\'': required,B2,,nameless@example.com,A,company
4,"field '\''email'\'': ""not-an-email"": not an e-mail address",B3,Bad Mail,not-an-email,B,company
5,"field '\''kind'\'': ""robot"": not one of company, person",B4,Robot Co,robot@example.com,A,robot'
	run crm-customer list --fields ext_id,name,kind --where 'ext_id=B1|B2|B3|B4|B5'
	assert_output $'ext_id,name,kind\nB1,Good One,company\nB5,Good Five,person'
	# the reject file, corrected, imports as it is
	sed -e 's/,B2,,/,B2,Nameless,/' -e 's/,not-an-email,B,/,bad@example.com,B,/' \
	    -e 's/,robot$/,company/' rej.csv >fixed.csv
	run --separate-stderr crm-import customer --map line= --map reason= fixed.csv
	assert_success
	assert_counts customer 'read 3, created 3, updated 0, unchanged 0, skipped 0, rejected 0'
}

@test "the reject file of a JSON input has a column per key of the rejected objects" {
	fixture in.json <<'EOF'
[
  {"ext_id": "J1", "name": "One", "email": "j1@example.com"},
  {"ext_id": "J2", "name": "", "email": "j2@example.com", "tags": ["a", "b"]}
]
EOF
	run --separate-stderr crm-import customer --skip-invalid -r rej.csv in.json
	assert_success
	assert_counts customer 'read 2, created 1, updated 0, unchanged 0, skipped 0, rejected 1'
	run csv_column rej.csv line
	assert_output 3
	run csv_column rej.csv reason
	assert_output "field 'name': required"
	# each key of the object is a column; an array is its ;-joined text
	run csv_column rej.csv ext_id
	assert_output J2
	run csv_column rej.csv email
	assert_output j2@example.com
	run csv_column rej.csv tags
	assert_output 'a;b'
}

@test "--reject with several inputs names the file, and each row keeps its own columns" {
	seed_customers
	printf 'ext_id,name,email\nM1,,m1@example.com\nM2,Two,m2@example.com\n' | fixture m1.csv
	printf 'name,email,tier,ext_id\nThree,m3@example.com,A,M3\nFour,bad,A,M4\n' | fixture m2.csv
	run --separate-stderr crm-import customer --skip-invalid -r rej.csv m1.csv m2.csv
	assert_success
	assert_counts customer 'read 4, created 2, updated 0, unchanged 0, skipped 0, rejected 2'
	run head -n 1 rej.csv
	assert_output --regexp '^file,line,reason,'
	run csv_column rej.csv file
	assert_output $'m1.csv\nm2.csv'
	run csv_column rej.csv line
	assert_output $'2\n3'
	# every value under its own column name
	run csv_column rej.csv ext_id
	assert_output $'M1\nM4'
	run csv_column rej.csv email
	assert_output $'m1@example.com\nbad'
	run csv_column rej.csv name
	assert_output $'\nFour'
}

@test "several inputs with the same columns in another order each map by their own header" {
	printf 'ext_id,name,email\nH1,One,h1@example.com\n' | fixture h1.csv
	printf 'email,ext_id,name\nh2@example.com,H2,Two\n' | fixture h2.csv
	run --separate-stderr crm-import customer h1.csv h2.csv
	assert_success
	assert_counts customer 'read 2, created 2, updated 0, unchanged 0, skipped 0, rejected 0'
	run crm-customer list -f csv --fields ext_id,name,email
	assert_output $'ext_id,name,email\nH1,One,h1@example.com\nH2,Two,h2@example.com'
}

@test "the reject file of a ragged CSV row keeps the input's columns and the row" {
	printf 'ext_id,name,email\nU1,One,u1@example.com\nU2,Two,u2@example.com,extra\nU3,Three\nU4,Four,u4@example.com\n' |
	    fixture rag.csv
	run --separate-stderr crm-import customer --skip-invalid -r rej.csv rag.csv
	assert_success
	assert_counts customer 'read 4, created 2, updated 0, unchanged 0, skipped 0, rejected 2'
	run head -n 1 rej.csv
	assert_output 'line,reason,ext_id,name,email'
	run grep -c 'U2.*u2@example.com' rej.csv
	assert_output 1
	run grep -c 'U3.*Three' rej.csv
	assert_output 1
}

@test "a reject file that cannot be created exits 73 before anything is imported" {
	seed_customers
	use_fixture bad-rows.csv
	local before
	before=$(db_state)
	run --separate-stderr crm-import customer --skip-invalid -r nodir/rej.csv bad-rows.csv
	assert_failure 73
	assert_stderr_contains 'nodir/rej.csv'
	assert_equal "$(db_state)" "$before"
}

@test "an import without rejects leaves an existing reject file as it was" {
	seed_customers
	use_fixture update.csv
	printf 'line,reason\n9,old\n' | fixture rej.csv
	run --separate-stderr crm-import customer -r rej.csv update.csv
	assert_success
	run cat rej.csv
	assert_output $'line,reason\n9,old'
}

@test "more than 50 rejected rows: 50 are shown, then how many more" {
	awk 'BEGIN { print "ext_id,name,email"
		for (i = 1; i <= 60; i++) printf "X%d,,x%d@example.com\n", i, i }' |
	    fixture many.csv
	run --separate-stderr crm-import customer many.csv
	assert_failure 65
	assert_equal "$(grep -c "^crm-import: many.csv:[0-9]*: field 'name': required$" <<<"$stderr")" 50
	assert_stderr_contains "crm-import: many.csv:51: field 'name': required"
	assert_stderr_contains 'crm-import: ... and 10 more rejected rows (see --reject FILE)'
	run --separate-stderr crm-import customer -r rej.csv many.csv
	assert_failure 65
	assert_stderr_contains 'crm-import: ... and 10 more rejected rows'
	[ "$(wc -l <rej.csv)" -eq 61 ]
}

# ---- --dry-run -------------------------------------------------------------------

@test "--dry-run prints the plan of every row and writes nothing" {
	seed_customers
	use_fixture update.csv bad-rows.csv
	local before
	before=$(db_state)
	run --separate-stderr crm-import customer --dry-run update.csv
	assert_success
	assert_output $'line,outcome,id,reason\n2,unchanged,1,\n3,updated,2,\n4,created,5,'
	assert_stderr_norm 'crm-import: customer: read 3, created 1, updated 1, unchanged 1, skipped 0, rejected 0 in S s (R rows/s); dry run, nothing written'
	run --separate-stderr crm-import customer -n bad-rows.csv
	assert_failure 65
	assert_output 'line,outcome,id,reason
2,created,5,
3,rejected,,field '\''name'\'': required
4,rejected,,"field '\''email'\'': ""not-an-email"": not an e-mail address"
5,rejected,,"field '\''kind'\'': ""robot"": not one of company, person"
6,created,6,'
	assert_equal "$(tail -n 1 <<<"$stderr")" 'crm-import: 3 rows would be rejected'
	run --separate-stderr crm-import customer -n --skip-invalid bad-rows.csv
	assert_success
	assert_equal "${#lines[@]}" 6
	# nothing written: no record, no batch
	assert_equal "$(db_state)" "$before"
}

@test "--dry-run of several inputs names the file of each row" {
	seed_customers
	use_fixture update.csv customers.csv
	run --separate-stderr crm-import customer -n update.csv customers.csv
	assert_success
	assert_output 'file,line,outcome,id,reason
update.csv,2,unchanged,1,
update.csv,3,updated,2,
update.csv,4,created,5,
customers.csv,2,created,6,
customers.csv,3,created,7,
customers.csv,4,created,8,'
}

# ---- --map, --map-file, --strict, custom fields -----------------------------------

@test "--map-file reads a German/Chinese export: Kunde, E-Mail, 电话" {
	use_fixture kunden.csv kunden.map
	run --separate-stderr crm-import customer --map-file kunden.map kunden.csv
	assert_success
	assert_counts customer 'read 2, created 2, updated 0, unchanged 0, skipped 0, rejected 0'
	# Bemerkung is mapped to nothing: dropped, not a custom field
	run crm-customer list -f csv
	assert_output 'id,created_at,updated_at,ext_id,name,kind,email,phone,region,industry,tier,tags,owner,source,notes
1,2026-11-23T10:00:00Z,2026-11-23T10:00:00Z,K-1,Müller AG,company,info@mueller.de,+49 30 1234567,,,A,,,,
2,2026-11-23T10:00:00Z,2026-11-23T10:00:00Z,K-2,华为技术,company,hw@huawei.cn,13800000099,,,B,,,,'
	# the same again matches by ext_id (Kundennummer)
	run --separate-stderr crm-import customer --map-file kunden.map kunden.csv
	assert_counts customer 'read 2, created 0, updated 0, unchanged 2, skipped 0, rejected 0'
}

@test "--map renames columns, an empty field drops one, and --map wins over --map-file" {
	use_fixture kunden.csv kunden.map
	run --separate-stderr crm-import customer -m 'Kunde=name' --map 'E-Mail=email' \
	    --map '电话=phone' --map Kundennummer=ext_id --map Umsatzklasse= \
	    --map 'Bemerkung=notes' kunden.csv
	assert_success
	run crm-customer list --fields ext_id,name,email,phone,tier,notes
	assert_output 'ext_id,name,email,phone,tier,notes
K-1,Müller AG,info@mueller.de,+49 30 1234567,,Stammkunde
K-2,华为技术,hw@huawei.cn,13800000099,,'
	run --separate-stderr crm-import customer --map 'Umsatzklasse=segment' \
	    --map-file kunden.map kunden.csv
	assert_success
	assert_counts customer 'read 2, created 0, updated 2, unchanged 0, skipped 0, rejected 0'
	run crm-customer list --fields ext_id,tier,segment
	assert_output $'ext_id,tier,segment\nK-1,,A\nK-2,,B'
}

@test "headers match fields in any case, with spaces or hyphens for underscores" {
	printf 'Ext ID,NAME,E-mail,Owner\nH1,Hyphen Co,h1@example.com,alice\n' | fixture h.csv
	printf 'ext-id,Name,EMAIL\nH2,Other Co,h2@example.com\n' | fixture h2.csv
	run --separate-stderr crm-import customer --strict h.csv
	assert_failure 65
	assert_stderr_contains "column 'E-mail' is not a field of customer"
	run --separate-stderr crm-import customer --strict --map E-mail=email h.csv
	assert_success
	run --separate-stderr crm-import customer --strict h2.csv
	assert_success
	run crm-customer list --fields ext_id,name,email,owner
	assert_output $'ext_id,name,email,owner\nH1,Hyphen Co,h1@example.com,alice\nH2,Other Co,h2@example.com,'
}

@test "two columns for one field, or a --map for a column not there, exit 65" {
	seed_customers
	local before
	before=$(db_state)
	printf 'ext_id,name,E-Mail,email\nQ1,Q,a@example.com,b@example.com\n' | fixture twice.csv
	run --separate-stderr crm-import customer --map E-Mail=email twice.csv
	assert_failure 65
	assert_equal "$(tail -n 1 <<<"$stderr")" "crm-import: nothing imported: twice.csv:1: columns 'E-Mail' and 'email' both give field 'email' (drop one with --map 'email=')"
	run --separate-stderr crm-import customer --map E-Mail=email --map email= twice.csv
	assert_success
	run fields_of ext:Q1 email
	assert_output a@example.com
	use_fixture update.csv
	run --separate-stderr crm-import customer --map Kunde=name update.csv
	assert_failure 65
	assert_stderr_contains "update.csv:1: --map 'Kunde=name': no column 'Kunde' in the header"
}

@test "unmapped columns become custom fields; --strict refuses them with 65" {
	seed_customers
	use_fixture kunden.csv
	local before
	before=$(db_state)
	run --separate-stderr crm-import customer --strict --map Kunde=name kunden.csv
	assert_failure 65
	assert_output ''
	assert_equal "$(tail -n 1 <<<"$stderr")" "crm-import: nothing imported: kunden.csv:1: column 'E-Mail' is not a field of customer (map it with --map, or drop --strict)"
	assert_equal "$(db_state)" "$before"
	run --separate-stderr crm-import customer --map Kunde=name --map E-Mail=email kunden.csv
	assert_success
	run crm-customer list --where 'email~@mueller' --fields name,Kundennummer,电话,Bemerkung
	assert_output $'name,Kundennummer,电话,Bemerkung\nMüller AG,K-1,+49 30 1234567,Stammkunde'
	# a column that cannot be a field name stops the import
	printf 'name,a|b\nQ,1\n' | fixture bad-col.csv
	run --separate-stderr crm-import customer bad-col.csv
	assert_failure 65
	assert_stderr_contains "bad-col.csv:1: column 'a|b': not usable as a field name"
}

# ---- match rules and normal forms ---------------------------------------------------

@test "e-mail addresses match whatever their case and surrounding spaces" {
	seed_customers
	printf 'name,email,tier\nAcme Corp,  INFO@Acme.COM ,B\nNew Co, New@Example.com ,C\n' |
	    fixture mail.csv
	run --separate-stderr crm-import customer --match email -n mail.csv
	assert_success
	assert_output $'line,outcome,id,reason\n2,updated,1,\n3,created,5,'
	run --separate-stderr crm-import customer mail.csv
	assert_success
	assert_counts customer 'read 2, created 1, updated 1, unchanged 0, skipped 0, rejected 0'
	run fields_of 1 tier
	assert_output B
	# e-mail references are found the same way
	run crm-customer show 'email:new@example.com' -f ids
	assert_output 5
}

@test "--match phone finds '+86 138 0000 0007' from '13800000007' and back" {
	seed_customers
	fixture phones.csv <<'EOF'
name,phone,tier
Acme Corp,13800000007,C
Beta Ltd,+86 138 0000 0014,C
Gamma,(138) 0000-0021,A
Acme Again,+8613800000007,B
EOF
	run --separate-stderr crm-import customer --match phone -n phones.csv
	assert_success
	assert_output $'line,outcome,id,reason\n2,updated,1,\n3,updated,2,\n4,created,5,\n5,updated,1,'
	run --separate-stderr crm-import customer --match phone phones.csv
	assert_success
	assert_counts customer 'read 4, created 1, updated 3, unchanged 0, skipped 0, rejected 0'
	# the same number written otherwise is no change: the record keeps
	# its spelling, so a re-run finds nothing to update
	run crm-customer list --fields id,name,phone,tier
	assert_output 'id,name,phone,tier
1,Acme Again,+86 138 0000 0007,B
2,Beta Ltd,13800000014,C
3,张三,,C
4,Delta GmbH,,
5,Gamma,(138) 0000-0021,A'
}

@test "--match on a field that is not unique takes the record with the lowest id" {
	seed_customers
	printf 'owner,tier\nalice,B\ncarol,A\nnobody,C\n' | fixture owners.csv
	run --separate-stderr crm-import customer --match owner --on-new skip -n owners.csv
	assert_success
	assert_output $'line,outcome,id,reason\n2,updated,1,\n3,updated,4,\n4,skipped,,no match'
}

@test "--match id updates the record an id column names, by id or reference" {
	seed_customers
	printf 'id,tier\next:E1,C\nemail:hello@beta.io,C\n3,A\n' | fixture byid.csv
	run --separate-stderr crm-import customer --match id byid.csv
	assert_success
	assert_counts customer 'read 3, created 0, updated 3, unchanged 0, skipped 0, rejected 0'
	run crm-customer list --fields id,tier
	assert_output $'id,tier\n1,C\n2,C\n3,A\n4,'
	# ids read back from another tool: every one matches
	run --separate-stderr bash -c 'crm-customer list -f ids | crm-import customer --match id -n'
	assert_success
	assert_output $'line,outcome,id,reason\n1,unchanged,1,\n2,unchanged,2,\n3,unchanged,3,\n4,unchanged,4,'
}

@test "--match id with an id that names no record rejects the row" {
	seed_customers
	printf 'id,name,tier\n99,Ghost,C\n2,Beta Ltd,C\n' | fixture ghost.csv
	run --separate-stderr crm-import customer --match id ghost.csv
	assert_refused 1
	assert_equal "$(rejects_shown)" 'crm-import: ghost.csv:2: customer 99: not found'
	run ids
	assert_output '1 2 3 4'
	run --separate-stderr crm-import customer --match id --skip-invalid ghost.csv
	assert_success
	assert_counts customer 'read 2, created 0, updated 1, unchanged 0, skipped 0, rejected 1'
}

@test "match rules are tried in order: the first that finds a record decides" {
	seed_customers
	# E1's ext_id, Beta's e-mail: two records, so the row is refused
	printf 'ext_id,email,name\nE1,hello@beta.io,Acme Corp\n' | fixture cross.csv
	run --separate-stderr crm-import customer -n cross.csv
	assert_failure 65
	assert_output $'line,outcome,id,reason\n2,rejected,1,"field \'email\': ""hello@beta.io"" already belongs to customer 2"'
	run --separate-stderr crm-import customer --match email -n cross.csv
	assert_failure 65
	assert_output $'line,outcome,id,reason\n2,rejected,2,"field \'ext_id\': ""E1"" already belongs to customer 1"'
	# a rule whose column is empty is passed over
	printf 'ext_id,email,name,tier\n,info@acme.com,Acme Corp,C\n' | fixture noext.csv
	run --separate-stderr crm-import customer --match ext_id,email -n noext.csv
	assert_success
	assert_output $'line,outcome,id,reason\n2,updated,1,'
}

@test "contacts have no unique field: --match email makes a re-run unchanged" {
	seed_customers
	fixture contacts.csv <<'EOF'
customer,name,title,email,phone,primary
E1,Ann Lee,CTO,ann@acme.com,+86 139 0000 0001,yes
info@acme.com,Bob Ray,CFO,bob@acme.com,,no
EOF
	run --separate-stderr crm-import contact --match email contacts.csv
	assert_success
	assert_counts contact 'read 2, created 2, updated 0, unchanged 0, skipped 0, rejected 0'
	run --separate-stderr crm-import contact --match email contacts.csv
	assert_counts contact 'read 2, created 0, updated 0, unchanged 2, skipped 0, rejected 0'
	run bash -c "crm-customer show 1 -f json | jq -c '[.contacts[] | {name, title, email, primary}]'"
	assert_output '[{"name":"Ann Lee","title":"CTO","email":"ann@acme.com","primary":true},{"name":"Bob Ray","title":"CFO","email":"bob@acme.com","primary":false}]'
	# without a rule every row is new
	run --separate-stderr crm-import contact contacts.csv
	assert_counts contact 'read 2, created 2, updated 0, unchanged 0, skipped 0, rejected 0'
}

# ---- input formats --------------------------------------------------------------------

@test "CSV, TSV, a JSON array and NDJSON load the same records" {
	local f want
	for f in customers.csv customers.tsv customers.json customers.ndjson; do
		use_fixture "$f"
		run --separate-stderr crm-import --db "db-$f" customer "$f"
		assert_success
		assert_counts customer 'read 3, created 3, updated 0, unchanged 0, skipped 0, rejected 0'
	done
	want=$(crm-customer --db db-customers.csv list -f csv)
	assert_equal "$want" 'id,created_at,updated_at,ext_id,name,kind,email,phone,region,industry,tier,tags,owner,source,notes
1,2026-11-23T10:00:00Z,2026-11-23T10:00:00Z,C1,Gamma AG,company,info@gamma.ch,+41 44 123 45 67,,,A,vip;partner,alice,,"Zürich, HQ"
2,2026-11-23T10:00:00Z,2026-11-23T10:00:00Z,C2,李四,person,lisi@example.cn,13900000002,,,B,,bob,,
3,2026-11-23T10:00:00Z,2026-11-23T10:00:00Z,C3,Omega Ltd,company,hello@omega.io,,,,C,newsletter,alice,,"says ""hi"""'
	for f in customers.tsv customers.json customers.ndjson; do
		assert_equal "$(crm-customer --db "db-$f" list -f csv)" "$want"
	done
	# the line of a JSON record is the line it starts on
	run --separate-stderr crm-import --db db-customers.csv customer -n customers.json
	assert_output $'line,outcome,id,reason\n2,unchanged,1,\n5,unchanged,2,\n7,unchanged,3,'
}

@test "stdin is read when no file or '-' is named, its format detected" {
	seed_customers
	run --separate-stderr crm-import customers <"$FIX/customers.ndjson"
	assert_success
	assert_counts customer 'read 3, created 3, updated 0, unchanged 0, skipped 0, rejected 0'
	run --separate-stderr crm-import customer - <"$FIX/customers.json"
	assert_counts customer 'read 3, created 0, updated 0, unchanged 3, skipped 0, rejected 0'
	run --separate-stderr bash -c "cat '$FIX/customers.tsv' | crm-import customer"
	assert_counts customer 'read 3, created 0, updated 0, unchanged 3, skipped 0, rejected 0'
	# messages name it <stdin>; the batch lists it as -
	run --separate-stderr crm-import customer <"$FIX/bad-rows.csv"
	assert_failure 65
	assert_stderr_contains "crm-import: <stdin>:3: field 'name': required"
	run bash -c "crm-import --batches -f csv | cut -d, -f1,5"
	assert_line '2,-'
}

@test "a pipe is kept in \$TMPDIR while it imports; a bad TMPDIR is 73 before anything is read" {
	mkdir spool
	run --separate-stderr bash -c "cat '$FIX/customers.csv' | TMPDIR='$PWD/spool' crm-import customer"
	assert_success
	assert_counts customer 'read 3, created 3, updated 0, unchanged 0, skipped 0, rejected 0'
	# the copy is gone: nothing is left behind
	run ls -A spool
	assert_output ''
	run --separate-stderr bash -c "cat '$FIX/customers.csv' | TMPDIR='$PWD/missing' crm-import customer --match ext_id"
	assert_failure 73
	assert_stderr_contains "crm-import: cannot create a temporary file in $PWD/missing"
	run --separate-stderr crm-import --batches -f ids
	assert_output '1'
	# a file named is read where it is: TMPDIR does not matter
	run --separate-stderr env TMPDIR="$PWD/missing" crm-import customer --match ext_id "$FIX/customers.csv"
	assert_success
	assert_counts customer 'read 3, created 0, updated 0, unchanged 3, skipped 0, rejected 0'
}

@test "--input-format names the format; a wrong one is bad data, 65" {
	use_fixture customers.csv customers.tsv
	run --separate-stderr crm-import customer --input-format json customers.csv
	assert_failure 65
	assert_stderr_contains 'customers.csv:1: '
	run --separate-stderr crm-import customer --input-format tsv customers.tsv
	assert_success
	assert_counts customer 'read 3, created 3, updated 0, unchanged 0, skipped 0, rejected 0'
}

@test "an empty input, or a header alone, imports nothing and exits 0" {
	seed_customers
	: | fixture empty.csv
	printf 'ext_id,name,email\n' | fixture header.csv
	local f
	for f in empty.csv header.csv; do
		run --separate-stderr crm-import customer "$f"
		assert_success
		assert_counts customer 'read 0, created 0, updated 0, unchanged 0, skipped 0, rejected 0'
	done
	run --separate-stderr crm-import customer -n header.csv
	assert_success
	assert_output 'line,outcome,id,reason'
	run ids
	assert_output '1 2 3 4'
}

# ---- messy exports ---------------------------------------------------------------------

@test "a messy export loads: BOM, CRLF, quoted commas and newlines, blank lines, stray spaces" {
	use_fixture messy-customers.csv messy-deals.csv
	run --separate-stderr crm-import customer messy-customers.csv
	assert_success
	assert_stderr_contains 'crm-import: customer: read 3, created 2, '
	assert_stderr_contains ', skipped 0, rejected 0 in '
	run ids
	assert_output '1 2'
	run crm-customer list -f json --fields ext_id,name,email,phone,notes,created_at
	assert_output '[
{"ext_id":"X1","name":"Xeno Ltd","email":"XENO@Example.COM","phone":"(138) 0000-0021","notes":"Floor 3, Room 12\r\nask for Ms. Wu","created_at":"2026-03-01T00:00:00Z"},
{"ext_id":"X2","name":"Yak, Inc.","email":"yak@example.com","phone":"13800000028","notes":"said \"call back\"","created_at":"2026-03-01T08:30:00Z"}
]'
	# amounts "1,234.50" and "12,000", dates 2026/3/1, e-mail references
	# with spaces around them
	run --separate-stderr crm-import deal messy-deals.csv
	assert_success
	assert_counts deal 'read 2, created 2, updated 0, unchanged 0, skipped 0, rejected 0'
	run bash -c "for c in X1 X2; do crm-customer show ext:\$c -f json; done |
	    jq -c '.deals[] | {ext_id, customer, title, amount, currency, expected_close}'"
	assert_output '{"ext_id":"MD1","customer":1,"title":"Xeno expansion","amount":"1234.50","currency":"EUR","expected_close":"2026-03-01"}
{"ext_id":"MD2","customer":2,"title":"Yak, phase 2","amount":"12000.00","currency":"CNY","expected_close":"2026-12-31"}'
}

@test "re-running a messy export changes nothing: e-mails that differ in case only are the same" {
	use_fixture messy-customers.csv
	crm-import customer messy-customers.csv 2>/dev/null
	local before
	before=$(crm-customer list -f csv)
	CRM_NOW=2026-12-24T18:00:00Z run --separate-stderr crm-import customer messy-customers.csv
	assert_success
	assert_counts customer 'read 3, created 0, updated 0, unchanged 3, skipped 0, rejected 0'
	assert_equal "$(crm-customer list -f csv)" "$before"
}

@test "the generator's messy export: every row is imported or rejected with a reason, none lost" {
	/work/shared/bench/gen-crm-data --customers 200 --messy gen >/dev/null 2>&1 ||
	    skip "gen-crm-data is not available"
	local e key file read rejected bad
	# customers: every ext_id of the file is in the database or rejected
	run --separate-stderr crm-import customers --skip-invalid -r rej-customers.csv \
	    gen/customers.csv
	assert_success
	assert_counts customer "$(grep -oE 'read 200, .*, rejected [0-9]+' <<<"$stderr")"
	grep -oE '^E[0-9]{7}' gen/customers.csv | sort >file-ids
	[ "$(wc -l <file-ids)" -eq 200 ]
	crm-customer list --fields ext_id -f csv --no-header | sort >db-ids
	csv_column rej-customers.csv ext_id | sort >rejected-ids
	run comm -12 db-ids rejected-ids
	assert_output ''
	run bash -c 'sort -m db-ids rejected-ids | comm -3 - file-ids'
	assert_output ''
	: >rejected-deals
	: >rejected-invoices
	# the rest, in order: a row is rejected only for a reference to a
	# record that was itself rejected
	for e in leads:ext_id deals:ext_id invoices:number payments:ext_id \
	    tickets:ext_id; do
		file=${e%%:*}
		key=${e#*:}
		run --separate-stderr crm-import "$file" --skip-invalid \
		    -r "rej-$file.csv" "gen/$file.csv"
		assert_success
		read=$(grep -oE ': read [0-9]+,' <<<"$stderr" | tr -dc 0-9)
		csv_column "rej-$file.csv" "$key" | sort >"rejected-$file"
		rejected=$(wc -l <"rejected-$file")
		assert_stderr_contains ", rejected $rejected in "
		bad=$(csv_column "rej-$file.csv" reason |
		    grep -v -E '^field .(customer|deal|invoice).: "[^"]+": no such (customer|deal|invoice)$' ||
		    true)
		assert_equal "$bad" ''
		csv_column "rej-$file.csv" reason |
		    sed -E 's/^field .[a-z]+.: "([^"]+)": no such [a-z]+$/\1/' |
		    sort -u >"refs-$file"
		cat rejected-ids rejected-deals rejected-invoices | sort -u >rejected-all
		run comm -23 "refs-$file" rejected-all
		assert_output ''
		# and the rows that were not rejected are there: a second run
		# finds each of them unchanged
		run --separate-stderr crm-import "$file" --skip-invalid -n "gen/$file.csv"
		assert_success
		assert_counts "${file%s}" "read $read, created 0, updated 0, unchanged $((read - rejected)), skipped 0, rejected $rejected"
	done
}

# ---- malformed input: exit 65, line and field named, nothing written -----------------

@test "an unterminated quote exits 65 naming the line where the row starts" {
	seed_customers
	local before
	before=$(db_state)
	printf 'ext_id,name,email\nU1,One,u1@example.com\nU2,"Two,u2@example.com\nU3,Three,u3@example.com\n' |
	    fixture quote.csv
	run --separate-stderr crm-import customer quote.csv
	assert_refused 1
	assert_output ''
	assert_stderr_contains 'crm-import: quote.csv:3: unterminated quoted field'
	assert_equal "$(db_state)" "$before"
	# what follows the quote cannot be told apart: --skip-invalid writes
	# nothing either
	run --separate-stderr crm-import customer --skip-invalid quote.csv
	assert_refused 1
	assert_equal "$(db_state)" "$before"
}

@test "ragged rows exit 65, each named with its line" {
	seed_customers
	local before
	before=$(db_state)
	printf 'ext_id,name,email\nU1,One,u1@example.com\nU2,Two,u2@example.com,extra\nU3,Three\nU4,Four,u4@example.com\n' |
	    fixture rag.csv
	run --separate-stderr crm-import customer rag.csv
	assert_refused 2
	assert_equal "$(rejects_shown)" 'crm-import: rag.csv:3: 4 fields, but the header has 3
crm-import: rag.csv:4: 2 fields, but the header has 3'
	assert_equal "$(db_state)" "$before"
	# the rows around them load with --skip-invalid
	run --separate-stderr crm-import customer --skip-invalid rag.csv
	assert_success
	run crm-customer list --where 'ext_id=U1|U2|U3|U4' --fields ext_id
	assert_output $'ext_id\nU1\nU4'
}

@test "invalid UTF-8 and NUL bytes exit 65 naming line and field" {
	seed_customers
	local before
	before=$(db_state)
	printf 'ext_id,name,email\nU1,One,u1@example.com\nU2,Tw\xffo,u2@example.com\nU3,Th\xc0\xafree,u3@example.com\nU4,F\0our,u4@example.com\nU5,Five,u5@example.com\n' |
	    fixture bytes.csv
	run --separate-stderr crm-import customer bytes.csv
	assert_refused 3
	assert_equal "$(rejects_shown)" "crm-import: bytes.csv:3: field 'name': invalid UTF-8 at byte 3
crm-import: bytes.csv:4: field 'name': invalid UTF-8 at byte 3
crm-import: bytes.csv:5: field 'name': NUL byte"
	assert_equal "$(db_state)" "$before"
	run --separate-stderr crm-import customer --skip-invalid bytes.csv
	assert_success
	run crm-customer list --where 'ext_id=U1|U2|U3|U4|U5' --fields ext_id
	assert_output $'ext_id\nU1\nU5'
}

@test "JSON that must be rejected: leading zeros, trailing commas, duplicate keys, NaN, 1e999, lone surrogates" {
	seed_customers
	local before
	before=$(db_state)
	fixture bad.ndjson <<'EOF'
{"ext_id":"J1","name":"One","email":"j1@example.com"}
{"ext_id":"J2","name":"Two","email":"j2@example.com",}
{"ext_id":"J3","name":"Three","name":"Again","email":"j3@example.com"}
{"ext_id":"J4","name":"Four","email":"j4@example.com","n":01}
{"ext_id":"J5","name":"Five","email":"j5@example.com","n":NaN}
{"ext_id":"J6","name":"Six","email":"j6@example.com","n":1e999}
{"ext_id":"J7","name":"\ud800","email":"j7@example.com"}
{"ext_id":"J8","name":"Eight","email":"j8@example.com"}
EOF
	run --separate-stderr crm-import customer bad.ndjson
	assert_refused 6
	assert_equal "$(rejects_shown)" 'crm-import: bad.ndjson:2: invalid JSON: trailing comma (column 54)
crm-import: bad.ndjson:3: invalid JSON: duplicate key "name" (column 31)
crm-import: bad.ndjson:4: invalid JSON: leading zero in number (column 59)
crm-import: bad.ndjson:5: invalid JSON: unexpected '\''N'\'', expected a value (column 59)
crm-import: bad.ndjson:6: invalid JSON: number out of range (column 58)
crm-import: bad.ndjson:7: invalid JSON: lone surrogate \uD800 (column 24)'
	assert_equal "$(db_state)" "$before"
	run --separate-stderr crm-import customer --skip-invalid bad.ndjson
	assert_success
	run crm-customer list --where 'ext_id~J' --fields ext_id
	assert_output $'ext_id\nJ1\nJ8'
}

@test "a JSON array with a bad element, a trailing comma or trailing junk exits 65" {
	seed_customers
	printf '[\n{"ext_id":"J1","name":"One","email":"j1@example.com","n":01},\n{"ext_id":"J2","name":"Two","email":"j2@example.com"},\n]\n' |
	    fixture lz.json
	run --separate-stderr crm-import customer lz.json
	assert_failure 65
	assert_stderr_contains 'crm-import: lz.json:2: invalid JSON: leading zero in number'
	assert_stderr_contains 'crm-import: lz.json:4: '
	printf '[{"ext_id":"J1","name":"One","email":"j1@example.com"}] junk' | fixture junk.json
	run --separate-stderr crm-import customer junk.json
	assert_failure 65
	assert_stderr_contains 'crm-import: junk.json:1: invalid JSON: trailing data after the array'
	printf '[{"ext_id":"J1","name":"One","email":"j1@example.com"}' | fixture cut.json
	run --separate-stderr crm-import customer cut.json
	assert_failure 65
	assert_stderr_contains 'crm-import: cut.json:1: invalid JSON: '
	printf '[{"ext_id":"J1","name":"One","email":"j1@example.com","o":{"x":1}}]' | fixture nested.json
	run --separate-stderr crm-import customer nested.json
	assert_failure 65
	assert_stderr_contains "crm-import: nested.json:1: field 'o': nested objects are not supported"
	run ids
	assert_output '1 2 3 4'
}

@test "duplicate or empty header names exit 65" {
	printf 'ext_id,name,name\nZ2,a,b\n' | fixture dup-header.csv
	run --separate-stderr crm-import customer dup-header.csv
	assert_failure 65
	assert_stderr_contains "dup-header.csv:1: header: column 'name' appears twice"
	printf 'ext_id,,email\nZ3,a,z3@example.com\n' | fixture empty-header.csv
	run --separate-stderr crm-import customer empty-header.csv
	assert_failure 65
	assert_stderr_contains 'empty-header.csv:1: header: column 2 has no name'
}

@test "impossible dates, bad amounts and out-of-range values are rejected naming the field" {
	seed_customers
	fixture deals.csv <<'EOF'
ext_id,customer,title,amount,currency,expected_close,probability
V1,E1,Good,"1,234.50",EUR,2026/3/1,50
V2,E1,Feb 30,10,EUR,2026-02-30,
V3,E1,Not a number,abc,EUR,2026-03-01,
V4,E1,European comma,"12,5",EUR,2026-03-01,
V5,E1,Exponent,1e3,EUR,2026-03-01,
V6,E1,Too precise,12.345,EUR,2026-03-01,
V7,E1,Too big,99999999999999999999,EUR,2026-03-01,
V8,E1,Probability,10,EUR,2026-03-01,101
V9,E1,Leap day,10,EUR,2028-02-29,0
EOF
	run --separate-stderr crm-import deal -n --skip-invalid deals.csv
	assert_success
	assert_output 'line,outcome,id,reason
2,created,1,
3,rejected,,"field '\''expected_close'\'': ""2026-02-30"": no such date"
4,rejected,,"field '\''amount'\'': ""abc"": not a decimal number"
5,rejected,,"field '\''amount'\'': ""12,5"": not a decimal number"
6,rejected,,"field '\''amount'\'': ""1e3"": not a decimal number"
7,rejected,,"field '\''amount'\'': ""12.345"": more than 2 decimal places for this currency"
8,rejected,,"field '\''amount'\'': ""99999999999999999999"": amount out of range"
9,rejected,,"field '\''probability'\'': ""101"": out of range 0 to 100"
10,created,2,'
	printf 'ext_id,name,email,created_at\nU1,One,u1@example.com,2026-02-30\n' | fixture date.csv
	run --separate-stderr crm-import customer date.csv
	assert_failure 65
	assert_stderr_contains "crm-import: date.csv:2: field 'created_at': \"2026-02-30\": no such date"
	run ids
	assert_output '1 2 3 4'
}

@test "a field of 64 KiB loads, one byte more is rejected naming the field" {
	{
		echo 'ext_id,name,email,notes'
		printf 'O1,One,o1@example.com,'
		head -c 65536 /dev/zero | tr '\0' a
		printf '\nO2,Two,o2@example.com,'
		head -c 65537 /dev/zero | tr '\0' b
		printf '\nO3,Three,o3@example.com,ok\n'
	} >"$BATS_TEST_TMPDIR/big.csv"
	run --separate-stderr crm-import customer big.csv
	assert_failure 65
	assert_equal "$(head -n 1 <<<"$stderr")" "crm-import: big.csv:3: field 'notes': 65537 bytes, more than the 65536 allowed"
	run --separate-stderr crm-import customer --skip-invalid big.csv
	assert_success
	assert_counts customer 'read 3, created 2, updated 0, unchanged 0, skipped 0, rejected 1'
	run crm-customer list --fields ext_id -f csv --no-header
	assert_output $'O1\nO3'
	[ "$(fields_of ext:O1 notes | wc -c)" -eq 65537 ]
}

@test "a field too large to read stops the import, --skip-invalid or not, naming the line" {
	{
		echo 'ext_id,name,email,notes'
		echo 'O1,One,o1@example.com,ok'
		printf 'O2,Two,o2@example.com,'
		head -c 17000000 /dev/zero | tr '\0' a
		printf '\nO3,Three,o3@example.com,ok\n'
	} >"$BATS_TEST_TMPDIR/huge.csv"
	seed_customers
	local before
	before=$(db_state)
	run --separate-stderr crm-import customer huge.csv
	assert_refused 1
	assert_stderr_contains 'crm-import: huge.csv:3: field larger than 16777216 bytes; the rest of huge.csv is not read'
	# O3 cannot be told apart from the field before it: writing O1 alone
	# would drop it unseen
	run --separate-stderr crm-import customer --skip-invalid huge.csv
	assert_refused 1
	assert_stderr_contains 'crm-import: huge.csv:3: field larger than 16777216 bytes'
	# and the hint does not suggest the option that was given
	[[ "$stderr" != *"or use --skip-invalid"* ]] ||
	    fail "suggests --skip-invalid, which was given: $stderr"
	assert_equal "$(db_state)" "$before"
}

@test "a unique key at the index limit loads, one byte more is rejected" {
	local k480 k481
	k480=$(head -c 480 /dev/zero | tr '\0' k)
	k481=${k480}k
	printf 'ext_id,name\n%s,At limit\n%s,Past limit\n' "$k480" "$k481" | fixture keys.csv
	run --separate-stderr crm-import customer --skip-invalid keys.csv
	assert_success
	assert_counts customer 'read 2, created 1, updated 0, unchanged 0, skipped 0, rejected 1'
	assert_stderr_contains "crm-import: keys.csv:3: field 'ext_id': 481 bytes, more than the 480 an indexed field allows"
	run crm-customer show "ext:$k480" -f ids
	assert_output 1
}

# ---- references, every entity -----------------------------------------------------------

@test "customers, deals, invoices, payments: references resolve across files" {
	seed_customers
	use_fixture deals.csv invoices.csv payments.csv
	run --separate-stderr crm-import deals deals.csv
	assert_success
	assert_counts deal 'read 3, created 3, updated 0, unchanged 0, skipped 0, rejected 0'
	run --separate-stderr crm-import invoices invoices.csv
	assert_success
	assert_counts invoice 'read 2, created 2, updated 0, unchanged 0, skipped 0, rejected 0'
	run --separate-stderr crm-import payments payments.csv
	assert_success
	assert_counts payment 'read 3, created 3, updated 0, unchanged 0, skipped 0, rejected 0'
	# by ext_id (E1), by e-mail (hello@beta.io) and by id (3)
	run bash -c "for c in 1 2 3; do crm-customer show \$c -f json; done |
	    jq -c '.deals[] | {ext_id, customer, amount, currency, stage}'"
	assert_output '{"ext_id":"D1","customer":1,"amount":"1234.50","currency":"EUR","stage":"proposal"}
{"ext_id":"D2","customer":2,"amount":"500.00","currency":"CNY","stage":"won"}
{"ext_id":"D3","customer":3,"amount":"99.90","currency":"CNY","stage":"lead"}'
	run bash -c "for c in 1 2; do crm-customer show \$c -f json; done |
	    jq -c '.invoices[] | {number, deal, customer, amount, currency}'"
	assert_output '{"number":"INV-1","deal":1,"customer":1,"amount":"1234.50","currency":"EUR"}
{"number":"INV-2","deal":2,"customer":2,"amount":"500.00","currency":"CNY"}'
}

@test "re-importing the same deals, invoices and payments changes nothing" {
	seed_customers
	use_fixture deals.csv invoices.csv payments.csv
	local f before
	for f in deal:deals.csv invoice:invoices.csv payment:payments.csv; do
		crm-import "${f%%:*}" "${f#*:}" 2>/dev/null
	done
	before=$(records_state)
	for f in deal:deals.csv:3 invoice:invoices.csv:2 payment:payments.csv:3; do
		IFS=: read -r e file n <<<"$f"
		run --separate-stderr crm-import "$e" "$file"
		assert_success
		assert_counts "$e" "read $n, created 0, updated 0, unchanged $n, skipped 0, rejected 0"
	done
	assert_equal "$(records_state)" "$before"
}

@test "imported payments keep their invoice's paid and status" {
	seed_customers
	use_fixture deals.csv invoices.csv payments.csv
	crm-import deal deals.csv 2>/dev/null
	crm-import invoice invoices.csv 2>/dev/null
	crm-import payment payments.csv 2>/dev/null
	run bash -c "for c in 1 2; do crm-customer show \$c -f json; done |
	    jq -c '.invoices[] | {number, amount, paid, status}'"
	assert_output '{"number":"INV-1","amount":"1234.50","paid":"1234.50","status":"paid"}
{"number":"INV-2","amount":"500.00","paid":"100.00","status":"partial"}'
}

@test "an unresolved reference rejects the row, naming the field and the value" {
	seed_customers
	use_fixture deals.csv invoices.csv
	local before
	before=$(db_state)
	printf 'ext_id,customer,title\nD9,E404,Nope\nD10,nobody@example.com,Nope\nD11,999,Nope\nD12,E1,Fine\n' |
	    fixture orphans.csv
	run --separate-stderr crm-import deal orphans.csv
	assert_refused 3
	assert_equal "$(rejects_shown)" "crm-import: orphans.csv:2: field 'customer': \"E404\": no such customer
crm-import: orphans.csv:3: field 'customer': \"nobody@example.com\": no such customer
crm-import: orphans.csv:4: field 'customer': \"999\": no such customer"
	assert_equal "$(db_state)" "$before"
	# invoices before their deals: every row names its deal
	run --separate-stderr crm-import invoice invoices.csv
	assert_failure 65
	assert_stderr_contains "crm-import: invoices.csv:2: field 'deal': \"D1\": no such deal"
	assert_stderr_contains "crm-import: invoices.csv:3: field 'deal': \"D2\": no such deal"
	printf 'ext_id,invoice,amount,paid_on\nP9,INV-404,10,2026-03-10\n' | fixture pay.csv
	run --separate-stderr crm-import payment pay.csv
	assert_failure 65
	assert_stderr_contains "crm-import: pay.csv:2: field 'invoice': \"INV-404\": no such invoice"
	assert_equal "$(db_state)" "$before"
}

@test "contacts, activities, leads, campaigns and tickets import with their canonical headers" {
	seed_customers
	fixture contacts.csv <<'EOF'
customer,name,title,email
E2,Bea Chen,CEO,bea@beta.io
EOF
	fixture activities.csv <<'EOF'
customer,kind,at,by,summary,follow_up,done
E1,call,2026-11-20T09:00:00Z,alice,Discussed renewal,2026-12-01,no
zhang@example.cn,visit,2026/11/21 14:00,bob,On-site demo,,
EOF
	fixture campaigns.csv <<'EOF'
name,channel,cost,currency,started_on,ended_on
spring-launch,email,"12,000.00",CNY,2026-03-01,2026-04-30
expo-2026,event,5000,EUR,2026/6/1,2026/6/3
EOF
	fixture leads.csv <<'EOF'
ext_id,name,company,email,phone,source,campaign,status,score,customer
L1,Li Wei,Acme,li@acme.com,13900000001,web,spring-launch,new,40,
L2,Sam Roe,Beta,sam@beta.io,,referral,,converted,80,E2
EOF
	fixture tickets.csv <<'EOF'
ext_id,customer,subject,category,priority,status,channel,assignee,csat,escalated
T1,E1,Broken widget,quality,high,open,email,chen,,no
T2,zhang@example.cn,Invoice question,billing,low,closed,wechat,dana,5,
EOF
	# singular and plural names alike
	local e
	for e in contact:contacts activities:activities campaign:campaigns \
	    leads:leads ticket:tickets; do
		run --separate-stderr crm-import "${e%%:*}" "${e#*:}.csv"
		[ "$status" -eq 0 ] || fail "crm-import ${e%%:*}: exit $status: $stderr"
	done
	assert_counts ticket 'read 2, created 2, updated 0, unchanged 0, skipped 0, rejected 0'
	run bash -c "crm-customer show 2 -f json | jq -c '[.contacts[].name, .leads[].ext_id]'"
	assert_output '["Bea Chen","L2"]'
	run bash -c "crm-customer show 3 -f json | jq -c '(.activities[] | {kind, at, by}), (.open_tickets | length)'"
	assert_output '{"kind":"visit","at":"2026-11-21T14:00:00Z","by":"bob"}
0'
	run bash -c "crm-ticket list --where customer=3 -f json | jq -c '.[] | {ext_id, priority, status, csat}'"
	assert_output '{"ext_id":"T2","priority":"low","status":"closed","csat":5}'
	# matched by their unique fields on a second run
	run --separate-stderr crm-import campaign -n campaigns.csv
	assert_output $'line,outcome,id,reason\n2,unchanged,1,\n3,unchanged,2,'
	run --separate-stderr crm-import lead -n leads.csv
	assert_output $'line,outcome,id,reason\n2,unchanged,1,\n3,unchanged,2,'
	run --separate-stderr crm-import ticket -n tickets.csv
	assert_output $'line,outcome,id,reason\n2,unchanged,1,\n3,unchanged,2,'
	# bad values of each are rejected naming the field
	printf 'customer,kind\nE1,fax\n' | fixture act-bad.csv
	run --separate-stderr crm-import activity act-bad.csv
	assert_failure 65
	assert_stderr_contains "act-bad.csv:2: field 'kind': \"fax\": not one of call, email, visit, meeting, note"
	printf 'ext_id,subject,csat,priority\nT9,Bad,6,normal\nT10,Bad,3,asap\n' | fixture tix-bad.csv
	run --separate-stderr crm-import ticket tix-bad.csv
	assert_failure 65
	assert_stderr_contains "tix-bad.csv:2: field 'csat': "
	assert_stderr_contains "tix-bad.csv:3: field 'priority': "
}

# ---- --batch, interruption and resume ----------------------------------------------------

@test "--batch N commits every N rows; a stopped import resumes, with all five outcomes" {
	seed_customers
	fixture b10.csv <<'EOF'
ext_id,name,email,tier
B1,Name 1,b1@example.com,A
B2,Name 2,b2@example.com,A
B3,Name 3,b3@example.com,A
B4,Name 4,b4@example.com,A
B5,Name 5,b5@example.com,A
B6,Name 6,b6@example.com,A
B7,,b7@example.com,A
B8,Name 8,b8@example.com,A
E1,Acme Corp,info@acme.com,B
E2,Beta Ltd,hello@beta.io,B
EOF
	# the batch with the bad row is not written and the import stops there
	run --separate-stderr crm-import customer --batch 3 b10.csv
	assert_failure 65
	assert_equal "$(rejects_shown)" "crm-import: b10.csv:8: field 'name': required"
	assert_stderr_contains 'crm-import: batch 2 (undo with: crm-import --undo 2)'
	assert_equal "$(tail -n 1 <<<"$stderr")" 'crm-import: 1 row rejected'
	run crm-customer list --fields ext_id -f csv --no-header --where 'ext_id~B'
	assert_output $'B1\nB2\nB3\nB4\nB5\nB6'
	run bash -c 'crm-import --batches -f csv | tail -n 1'
	assert_output '2,2026-11-23T10:00:00Z,tester,customer,b10.csv,6,6,0,0,0,0,no'
	# the same file again resumes after the committed batches: skipped,
	# created, updated, unchanged and rejected in one run
	run --separate-stderr crm-import customer --batch 3 --skip-invalid b10.csv
	assert_success
	assert_counts customer 'read 10, created 1, updated 1, unchanged 1, skipped 6, rejected 1'
	assert_stderr_contains 'crm-import: batch 2 (undo with: crm-import --undo 2)'
	run crm-customer list --fields ext_id,tier -f csv --no-header
	assert_output $'E1,B\nE2,B\nE3,C\nE4,\nB1,A\nB2,A\nB3,A\nB4,A\nB5,A\nB6,A\nB8,A'
	# --batches counts the whole import, both runs
	run bash -c 'crm-import --batches -f csv | tail -n 1'
	assert_output '2,2026-11-23T10:00:00Z,tester,customer,b10.csv,10,7,1,1,0,1,no'
	# finished: a third run is a new import, and changes nothing
	run --separate-stderr crm-import customer --batch 3 --skip-invalid b10.csv
	assert_counts customer 'read 10, created 0, updated 0, unchanged 9, skipped 0, rejected 1'
	assert_stderr_contains 'crm-import: batch 3 (undo with: crm-import --undo 3)'
}

@test "--batch: SIGKILL mid-import leaves whole batches, and a re-run ends as an uninterrupted import" {
	seed_customers
	local big="$BATS_TEST_TMPDIR/big.csv" pid st=0 n
	n_rows "$big" 200000
	crm-import customer --batch 1000 "$big" 2>err 3>&- &
	pid=$!
	bg_started "$pid"
	kill_midway "$pid" "$big" || fail "the import ended before it could be killed: $(cat err)"
	wait "$pid" || st=$?
	[ "$st" -eq 137 ] || fail "import exited $st, not killed: $(cat err)"
	# whole batches only: R0000001 up to a multiple of 1000, nothing else
	run crm-customer list --where 'ext_id~R' -f ids
	assert_success
	n=${#lines[@]}
	[ "$n" -gt 0 ] && [ "$n" -lt 200000 ] || fail "$n rows after the kill"
	[ $((n % 1000)) -eq 0 ] || fail "$n rows: not whole batches of 1000"
	run fields_of "$(crm-customer list --where 'ext_id~R' --sort -id --limit 1 -f ids)" ext_id
	assert_output "$(printf 'R%07d' "$n")"
	run bash -c 'crm-import --batches -f csv | tail -n 1'
	assert_output "2,2026-11-23T10:00:00Z,tester,customer,$big,$n,$n,0,0,0,0,no"
	# the re-run skips what was committed and carries on as batch 2
	run --separate-stderr crm-import customer --batch 1000 "$big"
	assert_success
	assert_counts customer "read 200000, created $((200000 - n)), updated 0, unchanged 0, skipped $n, rejected 0"
	assert_stderr_contains 'crm-import: batch 2 (undo with: crm-import --undo 2)'
	run bash -c 'crm-import --batches -f csv | tail -n 1'
	assert_output "2,2026-11-23T10:00:00Z,tester,customer,$big,200000,200000,0,0,0,0,no"
	all_customers >resumed.csv
	# an uninterrupted import into another database ends the same
	export CRM_DB="$BATS_TEST_TMPDIR/db2"
	crm-customer add - <seed.csv >/dev/null 2>&1
	crm-import customer --batch 1000 "$big" 2>/dev/null
	all_customers >straight.csv
	run cmp resumed.csv straight.csv
	assert_success
	[ "$(wc -l <straight.csv)" -eq 200005 ]
}

@test "a killed all-or-nothing import leaves the database exactly as before" {
	seed_customers
	local big="$BATS_TEST_TMPDIR/big.csv" pid st=0 before
	n_rows "$big" 200000
	before=$(db_state)
	crm-import customer "$big" 2>err 3>&- &
	pid=$!
	bg_started "$pid"
	kill_midway "$pid" "$big" || fail "the import ended before it could be killed: $(cat err)"
	wait "$pid" || st=$?
	[ "$st" -eq 137 ] || fail "import exited $st, not killed: $(cat err)"
	assert_equal "$(db_state)" "$before"
	# the next writer proceeds at once and imports the whole file
	CRM_BUSY_TIMEOUT=1 run --separate-stderr crm-import customer "$big"
	assert_success
	assert_counts customer 'read 200000, created 200000, updated 0, unchanged 0, skipped 0, rejected 0'
}

# ---- undo and batches ---------------------------------------------------------------------

@test "--undo removes the records an import created and restores those it updated" {
	seed_customers
	use_fixture update.csv customers.csv
	local before
	before=$(crm-customer list -f csv)
	run --separate-stderr crm-import customer update.csv customers.csv
	assert_success
	assert_counts customer 'read 6, created 4, updated 1, unchanged 1, skipped 0, rejected 0'
	run --separate-stderr crm-import --undo 2
	assert_success
	assert_output ''
	assert_stderr 'crm-import: undid batch 2 (5 audit entries reversed)'
	assert_equal "$(crm-customer list -f csv)" "$before"
	run crm-import --batches -f csv
	assert_output 'batch,at,user,entity,files,read,created,updated,unchanged,skipped,rejected,undone
1,2026-11-23T10:00:00Z,tester,customer,-,4,4,0,0,0,0,no
2,2026-11-23T10:00:00Z,tester,customer,update.csv customers.csv,6,4,1,1,0,0,yes'
	# not twice
	run --separate-stderr crm-import undo 2
	assert_failure 65
	assert_stderr_contains 'already undone'
	assert_equal "$(crm-customer list -f csv)" "$before"
	# the same file imports again afterwards, as new
	run --separate-stderr crm-import customer customers.csv
	assert_counts customer 'read 3, created 3, updated 0, unchanged 0, skipped 0, rejected 0'
}

@test "--undo refuses a record changed since the import; --force reverses it" {
	seed_customers
	use_fixture update.csv
	crm-import customer update.csv 2>/dev/null
	crm-customer set ext:E5 region=NA >/dev/null 2>&1
	local now
	now=$(crm-customer list -f csv)
	run --separate-stderr crm-import --undo 2
	assert_failure 65
	assert_stderr_contains 'customer 5 changed since'
	assert_stderr_contains '--force'
	assert_equal "$(crm-customer list -f csv)" "$now"
	run --separate-stderr crm-import undo --force 2
	assert_success
	run ids
	assert_output '1 2 3 4'
	run fields_of 2 tier
	assert_output B
}

@test "--undo of a batched import reverses every batch, including a resumed one" {
	seed_customers
	local before
	before=$(crm-customer list -f csv)
	n_rows r1000.csv 1000
	run --separate-stderr crm-import customer --batch 500 r1000.csv
	assert_success
	run --separate-stderr crm-import --undo 2
	assert_success
	assert_stderr 'crm-import: undid batch 2 (1000 audit entries reversed)'
	assert_equal "$(crm-customer list -f csv)" "$before"
	# stopped at a bad row, resumed with --skip-invalid: one batch number
	awk 'BEGIN { print "ext_id,name,email"
		for (i = 1; i <= 10; i++)
			printf "B%d,%s,b%d@example.com\n", i, (i == 7 ? "" : "Name " i), i }' |
	    fixture b10.csv
	run --separate-stderr crm-import customer --batch 3 b10.csv
	assert_failure 65
	run --separate-stderr crm-import customer --batch 3 --skip-invalid b10.csv
	assert_success
	assert_stderr_contains 'crm-import: batch 3 (undo with: crm-import --undo 3)'
	run --separate-stderr crm-import --undo 3
	assert_success
	assert_stderr 'crm-import: undid batch 3 (9 audit entries reversed)'
	assert_equal "$(crm-customer list -f csv)" "$before"
}

@test "--undo of an import that changed nothing succeeds and changes nothing" {
	seed_customers
	use_fixture update.csv
	crm-import customer update.csv 2>/dev/null
	local before
	before=$(crm-customer list -f csv)
	run --separate-stderr crm-import customer update.csv
	assert_counts customer 'read 3, created 0, updated 0, unchanged 3, skipped 0, rejected 0'
	assert_stderr_contains 'crm-import: batch 3 (undo with: crm-import --undo 3)'
	run --separate-stderr crm-import --undo 3
	assert_success
	assert_equal "$(crm-customer list -f csv)" "$before"
}

@test "--undo of an unknown batch exits 1; a batch that is not a number exits 64" {
	seed_customers
	run --separate-stderr crm-import --undo 99
	assert_failure 1
	assert_stderr 'crm-import: batch 99: not found'
	run --separate-stderr crm-import --undo x
	assert_failure 64
	assert_stderr 'crm-import: --undo "x": not a batch number'
	run --separate-stderr crm-import --undo
	assert_failure 64
	assert_stderr_contains 'undo: missing arguments: BATCH'
}

@test "--batches lists every import that wrote, in each format" {
	seed_customers
	use_fixture update.csv bad-rows.csv
	crm-import customer update.csv 2>/dev/null
	crm-import customer -n update.csv >/dev/null 2>&1
	crm-import customer bad-rows.csv 2>/dev/null || true
	CRM_USER=ann crm-import customer --skip-invalid bad-rows.csv 2>/dev/null
	run --separate-stderr crm-import --batches
	assert_success
	assert_stderr_empty
	assert_output 'batch,at,user,entity,files,read,created,updated,unchanged,skipped,rejected,undone
1,2026-11-23T10:00:00Z,tester,customer,-,4,4,0,0,0,0,no
2,2026-11-23T10:00:00Z,tester,customer,update.csv,3,1,1,1,0,0,no
3,2026-11-23T10:00:00Z,ann,customer,bad-rows.csv,5,2,0,0,0,3,no'
	run crm-import batches -f ids
	assert_output $'1\n2\n3'
	run bash -c "crm-import batches -f json | jq -c '.[2] | {batch, user, created, rejected, undone}'"
	assert_output '{"batch":3,"user":"ann","created":2,"rejected":3,"undone":false}'
	run crm-import batches -f csv --no-header
	assert_line --index 0 '1,2026-11-23T10:00:00Z,tester,customer,-,4,4,0,0,0,0,no'
}

@test "--batches of a missing database exits 66 and creates nothing" {
	run --separate-stderr crm-import --batches
	assert_failure 66
	assert_stderr_contains 'no database at'
	[ ! -e "$CRM_DB" ]
}

# ---- busy, map growth --------------------------------------------------------------------

@test "an import waiting for another writer gives up with 75 after CRM_BUSY_TIMEOUT" {
	seed_customers
	use_fixture update.csv
	local before i=0 t0
	before=$(db_state)
	(exec 3>&- 9>>"$CRM_DB/write.lock" && flock 9 && exec sleep 5) &
	bg_started $!
	while flock -n "$CRM_DB/write.lock" true; do
		sleep 0.05
		i=$((i + 1))
		[ $i -lt 100 ] || fail "the lock holder never took the lock"
	done
	t0=$SECONDS
	CRM_BUSY_TIMEOUT=1 run --separate-stderr crm-import customer update.csv
	assert_failure 75
	assert_output ''
	assert_stderr_contains 'crm-import: database busy: another writer has held it for 1s, try again'
	[ $((SECONDS - t0)) -le 3 ]
	CRM_BUSY_TIMEOUT=1 run --separate-stderr crm-import --undo 1
	assert_failure 75
	# readers are not blocked
	run --separate-stderr crm-import --batches -f ids
	assert_success
	assert_output 1
	assert_equal "$(db_state)" "$before"
}

@test "the map grows by itself: 30k rows into a 1 MiB map equal a normal import" {
	n_rows r30k.csv 30000
	CRM_MAP_SIZE=1048576 run --separate-stderr crm-import customer r30k.csv
	assert_success
	assert_counts customer 'read 30000, created 30000, updated 0, unchanged 0, skipped 0, rejected 0'
	assert_stderr_contains 'crm-import: batch 1 (undo with: crm-import --undo 1)'
	all_customers >small.csv
	crm-import --db db2 customer r30k.csv 2>/dev/null
	crm-customer --db db2 list -f csv >normal.csv
	run cmp small.csv normal.csv
	assert_success
	[ "$(wc -l <normal.csv)" -eq 30001 ]
}

@test "the map grows during an import with rejects: plan and reject file list each row once, with their header" {
	awk 'BEGIN { print "ext_id,name,email,owner"
		for (i = 1; i <= 30000; i++)
			printf "R%07d,%s,r%d@example.com,alice\n", i, (i % 10000 ? "Customer " i : ""), i }' |
	    fixture r30k.csv
	CRM_MAP_SIZE=1048576 run --separate-stderr crm-import customer --skip-invalid -r rej.csv r30k.csv
	assert_success
	assert_counts customer 'read 30000, created 29997, updated 0, unchanged 0, skipped 0, rejected 3'
	run cat rej.csv
	assert_output "line,reason,ext_id,name,email,owner
10001,field 'name': required,R0010000,,r10000@example.com,alice
20001,field 'name': required,R0020000,,r20000@example.com,alice
30001,field 'name': required,R0030000,,r30000@example.com,alice"
	run crm-customer list -f ids
	[ "${#lines[@]}" -eq 29997 ]
	export CRM_DB="$BATS_TEST_TMPDIR/db2"
	CRM_MAP_SIZE=1048576 run --separate-stderr crm-import customer -n r30k.csv
	assert_failure 65
	[ "${#lines[@]}" -eq 30001 ] || fail "${#lines[@]} plan lines, not 30001"
	assert_line --index 0 'line,outcome,id,reason'
	assert_line --index 1 '2,created,1,'
	assert_line --index 30000 '30001,rejected,,field '\''name'\'': required'
}

@test "a byte-order mark after blanks in the first header is dropped too" {
	printf '\xef\xbb\xbf \xef\xbb\xbfname,email\nAcme,a@acme.example\n' >bom.csv
	run --separate-stderr crm-import customer bom.csv
	assert_success
	run crm-customer list --fields name,email
	assert_output $'name,email\nAcme,a@acme.example'
}
