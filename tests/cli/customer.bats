#!/usr/bin/env bats
# crm-customer: every subcommand and exit status, run as a user would, on a
# fresh database per test (see helper.bash).

load helper

CSV_HEADER='id,created_at,updated_at,ext_id,name,kind,email,phone,region,industry,tier,tags,owner,source,notes,segment'

# ---- help, usage and exit status 64 -------------------------------------

@test "--help lists every command and exits 0" {
	run --separate-stderr crm-customer --help
	assert_success
	assert_stderr_empty
	assert_line --index 0 'usage: crm-customer [--db DIR] COMMAND [OPTIONS] [ARGS]'
	local c
	for c in add show list set tag delete 'contact add' 'contact list' \
	    'contact set' 'contact delete' log activities done agenda dupes \
	    merge history undo; do
		assert_line --regexp "^  $c +[a-z]"
	done
}

@test "--version prints the tool name and a version number" {
	run --separate-stderr crm-customer --version
	assert_success
	assert_stderr_empty
	assert_output --regexp '^crm-customer [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "every subcommand answers --help and -h with its usage" {
	local c
	for c in add show list set tag delete 'contact add' 'contact list' \
	    'contact set' 'contact delete' log activities done agenda dupes \
	    merge history undo; do
		# shellcheck disable=SC2086
		run --separate-stderr crm-customer $c --help
		assert_success
		assert_stderr_empty
		assert_line --index 0 --regexp "^usage: crm-customer $c \[OPTIONS\]"
		assert_line 'Options:'
		# shellcheck disable=SC2086
		run --separate-stderr crm-customer $c -h
		assert_success
		assert_line --index 0 --regexp "^usage: crm-customer $c \[OPTIONS\]"
	done
	[ ! -e "$CRM_DB" ]
}

@test "every subcommand answers --version, even one that needs arguments" {
	local c
	for c in add show list set tag delete 'contact add' 'contact list' \
	    'contact set' 'contact delete' log activities done agenda dupes \
	    merge history undo; do
		# shellcheck disable=SC2086
		run --separate-stderr crm-customer $c --version
		[ "$status" -eq 0 ] || fail "'crm-customer $c --version' exits $status: $stderr"
		assert_output --regexp '^crm-customer [0-9]+\.[0-9]+\.[0-9]+$'
	done
	[ ! -e "$CRM_DB" ]
}

@test "contact alone exits 64 and names its commands" {
	run --separate-stderr crm-customer contact
	assert_failure 64
	assert_output ''
	assert_stderr_contains "crm-customer: 'contact' needs a command: contact add, contact list, contact set, contact delete"
}

@test "contact --help lists the contact subcommands" {
	run --separate-stderr crm-customer contact --help
	assert_success
	assert_output --partial 'contact add'
	assert_output --partial 'contact list'
	assert_output --partial 'contact set'
	assert_output --partial 'contact delete'
}

@test "--list-options prints the option table of every command" {
	run --separate-stderr crm-customer --list-options
	assert_success
	assert_stderr_empty
	assert_line --index 0 $'tool\tcrm-customer\tCustomers, contacts, activities and follow-ups.'
	assert_line --regexp $'^cmd\tmerge\tKEEP DUPLICATE\\.\\.\\.\t'
	assert_line --regexp $'^opt\tlist\t--where\t-w\tEXPR\t'
	assert_line --regexp $'^opt\tagenda\t--days\t-d\tN\t'
}

@test "no command exits 64 with a hint" {
	run --separate-stderr crm-customer
	assert_failure 64
	assert_output ''
	assert_stderr $'crm-customer: no command given\nTry \'crm-customer --help\'.'
}

@test "an unknown command exits 64 and names it" {
	run --separate-stderr crm-customer frobnicate
	assert_failure 64
	assert_stderr $'crm-customer: \'frobnicate\' is not a command\nTry \'crm-customer --help\'.'
}

@test "an unknown option exits 64 and points at the command's help" {
	seed_customers
	run --separate-stderr crm-customer list --bogus
	assert_failure 64
	assert_output ''
	assert_stderr $'crm-customer: unknown option \'--bogus\'\nTry \'crm-customer list --help\'.'
}

@test "a missing argument exits 64 and names what is missing" {
	run --separate-stderr crm-customer show
	assert_failure 64
	assert_stderr $'crm-customer: show: missing arguments: CUSTOMER\nTry \'crm-customer show --help\'.'
	run --separate-stderr crm-customer merge 1
	assert_failure 64
	assert_stderr_contains 'merge: missing arguments: KEEP DUPLICATE...'
	[ ! -e "$CRM_DB" ]
}

@test "an extra argument exits 64" {
	seed_customers
	run --separate-stderr crm-customer list 1
	assert_failure 64
	assert_output ''
	assert_stderr_contains 'crm-customer: list: too many arguments: takes no arguments'
}

@test "an option without its value exits 64" {
	seed_customers
	run --separate-stderr crm-customer list --sort
	assert_failure 64
	assert_stderr_contains "option '--sort' needs a value"
	run --separate-stderr crm-customer --db
	assert_failure 64
	assert_stderr_contains "option '--db' needs a value"
}

@test "list --format xml exits 64 and lists the formats" {
	seed_customers
	run --separate-stderr crm-customer list -f xml
	assert_failure 64
	assert_output ''
	assert_stderr "crm-customer: --format \"xml\": not one of table, csv, tsv, json, ndjson, ids
Try 'crm-customer list --help'."
}

@test "list --limit rejects a non-number and a negative number with 64" {
	seed_customers
	run --separate-stderr crm-customer list --limit x
	assert_failure 64
	assert_stderr 'crm-customer: --limit "x": not a non-negative integer'
	run --separate-stderr crm-customer list --limit -1
	assert_failure 64
	assert_stderr 'crm-customer: --limit "-1": not a non-negative integer'
}

@test "a malformed --where exits 64 and quotes the expression" {
	seed_customers
	run --separate-stderr crm-customer list --where owner
	assert_failure 64
	assert_output ''
	assert_stderr 'crm-customer: --where "owner": no operator (= != < <= > >= ~)'
	run --separate-stderr crm-customer list --where =alice
	assert_failure 64
	assert_stderr 'crm-customer: --where "=alice": no field name'
	run --separate-stderr crm-customer list --where 'name~'
	assert_failure 64
	assert_stderr 'crm-customer: --where "name~": an empty value needs = or !='
	run --separate-stderr crm-customer list --where 'id<abc'
	assert_failure 64
	assert_stderr 'crm-customer: --where "id<abc": "abc": not an integer'
	run --separate-stderr crm-customer list --where 'created_at<soon'
	assert_failure 64
	assert_stderr_contains '--where "created_at<soon": "soon": not a timestamp'
}

@test "list --fields with an unknown column exits 64" {
	seed_customers
	run --separate-stderr crm-customer list --fields id,nosuch
	assert_failure 64
	assert_output ''
	assert_stderr "crm-customer: --fields: no field 'nosuch' in customers"
}

@test "an unparsable CRM_NOW exits 64 and names the variable" {
	seed_customers
	CRM_NOW=yesterday-ish run --separate-stderr crm-customer list -f ids
	assert_failure 64
	assert_output ''
	assert_stderr_contains 'CRM_NOW'
	assert_stderr_contains 'yesterday-ish'
}

# ---- where the database lives; exit statuses 66, 73, 74, 75, 77 ----------

@test "the first change creates the database: directory 0700, files 0600" {
	[ ! -e "$CRM_DB" ]
	run --separate-stderr crm-customer add Acme
	assert_success
	assert_output 1
	assert_stderr_empty
	[ "$(stat -c %a "$CRM_DB")" = 700 ]
	local f
	for f in "$CRM_DB"/*; do
		[ "$(stat -c %a "$f")" = 600 ] || fail "$f is $(stat -c %a "$f")"
	done
	[ -f "$CRM_DB/data.mdb" ]
}

@test "--db takes precedence over CRM_DB" {
	seed_customers
	run --separate-stderr crm-customer --db "$BATS_TEST_TMPDIR/other" add Other
	assert_success
	assert_output 1
	run crm-customer --db "$BATS_TEST_TMPDIR/other" list --fields id,name
	assert_output $'id,name\n1,Other'
	run crm-customer list --db "$BATS_TEST_TMPDIR/other" -f ids
	assert_output 1
	[ "$(ids)" = "1 2 3 4" ]
}

@test "without CRM_DB the database is \$XDG_DATA_HOME/crm, else ~/.local/share/crm" {
	unset CRM_DB
	XDG_DATA_HOME="$BATS_TEST_TMPDIR/xdg" run crm-customer add InXdg
	assert_success
	[ -f "$BATS_TEST_TMPDIR/xdg/crm/data.mdb" ]
	HOME="$BATS_TEST_TMPDIR/home" run crm-customer add InHome
	assert_success
	[ -f "$BATS_TEST_TMPDIR/home/.local/share/crm/data.mdb" ]
	HOME="$BATS_TEST_TMPDIR/home" run crm-customer list --fields name
	assert_output $'name\nInHome'
}

@test "a read command on a missing --db exits 66 and creates nothing" {
	local d="$BATS_TEST_TMPDIR/nowhere"
	local cmd
	for cmd in list 'show 1' 'contact list' activities agenda dupes 'history 1'; do
		# shellcheck disable=SC2086
		run --separate-stderr crm-customer --db "$d" $cmd
		assert_failure 66
		assert_output ''
		assert_stderr "crm-customer: no database at $d (it is created by the first change)"
	done
	[ ! -e "$d" ]
}

@test "a missing CRM_DB for a read command exits 66 too" {
	run --separate-stderr crm-customer list
	assert_failure 66
	assert_stderr "crm-customer: no database at $CRM_DB (it is created by the first change)"
	[ ! -e "$CRM_DB" ]
}

@test "--db under a regular file exits 73 naming the directory" {
	: >"$BATS_TEST_TMPDIR/plain"
	run --separate-stderr crm-customer --db "$BATS_TEST_TMPDIR/plain/db" add Acme
	assert_failure 73
	assert_output ''
	assert_stderr "crm-customer: $BATS_TEST_TMPDIR/plain/db: not a directory"
}

@test "--db naming a regular file exits 73 naming the path" {
	: >"$BATS_TEST_TMPDIR/plain"
	run --separate-stderr crm-customer --db "$BATS_TEST_TMPDIR/plain" add Acme
	assert_failure 73
	assert_output ''
	assert_stderr_contains "$BATS_TEST_TMPDIR/plain"
	[ ! -s "$BATS_TEST_TMPDIR/plain" ]
}

@test "list > /dev/full exits 74 with one message naming standard output" {
	seed_customers
	run --separate-stderr bash -c 'crm-customer list >/dev/full'
	assert_failure 74
	assert_stderr 'crm-customer: write error on standard output: No space left on device'
}

@test "a long list > /dev/full exits 74 naming standard output and the full disk" {
	n_rows rows.csv 3000
	crm-customer add - <rows.csv >/dev/null 2>&1
	run --separate-stderr bash -c 'crm-customer list -f json >/dev/full'
	assert_failure 74
	assert_stderr 'crm-customer: write error on standard output: No space left on device'
}

@test "show > /dev/full exits 74" {
	seed_customers
	run --separate-stderr bash -c 'crm-customer show 1 -f csv >/dev/full'
	assert_failure 74
	assert_stderr 'crm-customer: write error on standard output: No space left on device'
}

@test "list | head -1 ends quietly on SIGPIPE" {
	n_rows rows.csv 3000
	crm-customer add - <rows.csv >/dev/null 2>&1
	run --separate-stderr bash -c 'set -o pipefail; crm-customer list | head -1; echo "status ${PIPESTATUS[0]}" >&2'
	assert_output 'id,created_at,updated_at,ext_id,name,kind,email,phone,region,industry,tier,tags,owner,source,notes'
	# killed by SIGPIPE (141) and nothing said about it
	assert_stderr 'status 141'
}

@test "a writer waiting for a held lock gives up with 75 after CRM_BUSY_TIMEOUT" {
	seed_customers
	# a lock holder that is itself the sleeping process, so killing it
	# releases the lock; fd 3 closed so bats does not wait for it
	(exec 3>&- 9>>"$CRM_DB/write.lock" && flock 9 && exec sleep 5) &
	bg_started $!
	# wait until the lock is really held
	local i=0
	while flock -n "$CRM_DB/write.lock" true; do
		sleep 0.05
		i=$((i + 1))
		[ $i -lt 100 ] || fail "the lock holder never took the lock"
	done
	local t0=$SECONDS
	CRM_BUSY_TIMEOUT=1 run --separate-stderr crm-customer add Blocked
	assert_failure 75
	assert_output ''
	assert_stderr 'crm-customer: database busy: another writer has held it for 1s, try again'
	[ $((SECONDS - t0)) -le 3 ]
	# readers are not blocked by a writer
	run --separate-stderr crm-customer list -f ids
	assert_success
	assert_output $'1\n2\n3\n4'
	# and nothing was written
	run crm-customer list --where name=Blocked -f ids
	assert_output ''
}

# Permissions are not enforced for root: as root, the permission tests run
# the tool as nobody (setpriv), on a database under a directory nobody may
# traverse.
perm_setup() {
	PERM_DIR=$(mktemp -d /tmp/crm-perm.XXXXXX)
	chmod 755 "$PERM_DIR"
	CRM_CLEANUP="$PERM_DIR"
	export CRM_DB="$PERM_DIR/db"
	if [ "$(id -u)" = 0 ]; then
		command -v setpriv >/dev/null ||
		    skip "runs as root and setpriv is missing: permissions are not enforced"
		AS_OTHER=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	else
		AS_OTHER=()
	fi
}

perm_teardown() {
	[ -n "${CRM_CLEANUP:-}" ] || return 0
	chmod -R u+rwX "$CRM_CLEANUP" 2>/dev/null
	# keep a failed test's database as for any other test
	if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -d "$CRM_DB" ]; then
		rm -rf "$BATS_TEST_TMPDIR/db"
		cp -a "$CRM_DB" "$BATS_TEST_TMPDIR/db"
	fi
	export CRM_DB="$BATS_TEST_TMPDIR/db"
	rm -rf "$CRM_CLEANUP"
}

teardown() {
	perm_teardown
	common_teardown
}

@test "a write to a database the user may not open exits 77" {
	perm_setup
	seed_customers
	chmod 000 "$CRM_DB"
	run --separate-stderr "${AS_OTHER[@]}" "$CRM_BIN_DIR/crm-customer" add Denied
	assert_failure 77
	assert_output ''
	assert_stderr_contains 'permission denied'
	assert_stderr_contains "$CRM_DB"
	chmod 700 "$CRM_DB"
	[ "$(ids)" = "1 2 3 4" ]
}

@test "a read of a database the user may not open exits 77, not 66" {
	perm_setup
	seed_customers
	chmod 000 "$CRM_DB"
	run --separate-stderr "${AS_OTHER[@]}" "$CRM_BIN_DIR/crm-customer" list
	assert_failure 77
	assert_output ''
	assert_stderr_contains 'permission denied'
}

@test "creating a database in a directory the user may not write exits 77" {
	perm_setup
	mkdir "$PERM_DIR/ro"
	chmod 555 "$PERM_DIR/ro"
	export CRM_DB="$PERM_DIR/ro/db"
	run --separate-stderr "${AS_OTHER[@]}" "$CRM_BIN_DIR/crm-customer" add Denied
	assert_failure 77
	assert_output ''
	assert_stderr "crm-customer: cannot create database directory $PERM_DIR/ro/db: Permission denied"
	[ ! -e "$PERM_DIR/ro/db" ]
}

# ---- add -------------------------------------------------------------------

@test "add NAME FIELD=VALUE prints the new id and stores every field" {
	run --separate-stderr crm-customer add "Acme Corp" email=info@acme.com \
	    phone='+86 138 0000 0007' owner=alice tier=A tags='vip;partner' \
	    ext_id=E1 region=EMEA
	assert_success
	assert_output 1
	assert_stderr_empty
	run --separate-stderr crm-customer show 1 -f csv
	assert_success
	assert_output 'id,created_at,updated_at,ext_id,name,kind,email,phone,region,industry,tier,tags,owner,source,notes
1,2026-11-23T10:00:00Z,2026-11-23T10:00:00Z,E1,Acme Corp,company,info@acme.com,+86 138 0000 0007,EMEA,,A,vip;partner,alice,,'
}

@test "add keeps a field it does not know as a custom field" {
	crm-customer add Acme color=red >/dev/null
	crm-customer add Beta >/dev/null
	run --separate-stderr crm-customer list --fields id,name,color
	assert_success
	assert_output $'id,name,color\n1,Acme,red\n2,Beta,'
	run crm-customer show 1 -f ndjson
	assert_output --partial '"color":"red"'
}

@test "show -f json carries custom fields under their own names" {
	crm-customer add Acme color=red size=L >/dev/null
	run --separate-stderr crm-customer show 1 -f json
	assert_success
	assert_stderr_empty
	run jq -c '{color, size}' <<<"$output"
	assert_success
	assert_output '{"color":"red","size":"L"}'
}

@test "ids are never reused after a delete" {
	crm-customer add A >/dev/null
	crm-customer add B >/dev/null
	crm-customer delete 2 2>/dev/null
	run crm-customer add C
	assert_output 3
	[ "$(ids)" = "1 3" ]
}

@test "add - reads CSV with a header and prints one id per record" {
	seed_customers
	crm-customer delete 1 2 3 4 2>/dev/null
	run --separate-stderr crm-customer add - <seed.csv
	assert_success
	assert_output $'5\n6\n7\n8'
	assert_stderr 'crm-customer: added 4 customers'
	run crm-customer list --fields id,ext_id,name,owner,tags,segment,created_at
	assert_output 'id,ext_id,name,owner,tags,segment,created_at
5,E1,Acme Corp,alice,vip;partner,gold,2024-01-15T09:00:00Z
6,E2,Beta Ltd,bob,,silver,2026-10-01T12:00:00Z
7,E3,张三,alice,vip,,2026-11-20T08:00:00Z
8,E4,Delta GmbH,carol,newsletter,gold,2025-06-30T23:59:59Z'
}

@test "add - reads TSV, unescaping \\t \\n and \\\\" {
	printf 'name\temail\tnotes\nTab\\tName\tt@x.com\tline1\\nline2 back\\\\slash\nPlain\t\t\n' | fixture in.tsv
	run --separate-stderr crm-customer add - <in.tsv
	assert_success
	assert_output $'1\n2'
	run crm-customer list -f json --fields name,email,notes
	assert_output '[
{"name":"Tab\tName","email":"t@x.com","notes":"line1\nline2 back\\slash"},
{"name":"Plain","email":null,"notes":null}
]'
}

@test "add - reads a JSON array, tags as an array, unknown keys as custom fields" {
	fixture in.json <<'EOF'
[
  {"name": "Acme", "email": "a@acme.com", "tags": ["vip", "partner"], "size": "L"},
  {"name": "Bob Li", "kind": "person"}
]
EOF
	run --separate-stderr crm-customer add - <in.json
	assert_success
	assert_output $'1\n2'
	assert_stderr 'crm-customer: added 2 customers'
	run crm-customer list --fields id,name,kind,email,tags,size
	assert_output 'id,name,kind,email,tags,size
1,Acme,company,a@acme.com,vip;partner,L
2,Bob Li,person,,,'
}

@test "add - reads NDJSON, one object per line" {
	printf '%s\n' '{"name":"N1","email":"n1@x.com","owner":"alice"}' \
	    '{"name":"N2","tags":"a;b"}' | fixture in.ndjson
	run --separate-stderr crm-customer add - <in.ndjson
	assert_success
	assert_output $'1\n2'
	run crm-customer list --fields name,email,owner,tags
	assert_output $'name,email,owner,tags\nN1,n1@x.com,alice,\nN2,,,a;b'
}

@test "add - accepts a UTF-8 BOM and CRLF line ends" {
	printf '\xef\xbb\xbfname,email\r\nAcme,a@x.com\r\n"Multi\r\nLine",m@x.com\r\n' | fixture crlf.csv
	run --separate-stderr crm-customer add - <crlf.csv
	assert_success
	assert_output $'1\n2'
	run crm-customer list --fields id,name,email -f json
	assert_output '[
{"id":1,"name":"Acme","email":"a@x.com"},
{"id":2,"name":"Multi\r\nLine","email":"m@x.com"}
]'
}

@test "add - loads the generator's 50 customers with canonical columns" {
	/work/shared/bench/gen-crm-data --customers 50 gen >/dev/null 2>&1 ||
	    skip "gen-crm-data is not available"
	run --separate-stderr crm-customer add - <gen/customers.csv
	assert_success
	assert_stderr 'crm-customer: added 50 customers'
	[ "${#lines[@]}" -eq 50 ]
	run crm-customer list -f ids
	[ "${#lines[@]}" -eq 50 ]
	# the file's own values come back, column for column
	run bash -c "crm-customer list --fields ext_id,name,kind,email,phone,region,industry,tier,tags,owner,source,created_at,notes | tail -n +2"
	assert_success
	local want
	want=$(tail -n +2 gen/customers.csv)
	assert_output "$want"
}

@test "add --input-format json on CSV input exits 65" {
	printf 'name,email\nQ,q@x.com\n' | fixture in.csv
	run --separate-stderr crm-customer add - --input-format json <in.csv
	assert_failure 65
	assert_output ''
	assert_stderr_contains '<stdin>:1: expected a JSON array of objects'
	[ "$(ids)" = "" ]
}

@test "add --input-format rejects an unknown format with 64" {
	run --separate-stderr crm-customer add - --input-format xml </dev/null
	assert_failure 64
	assert_stderr "crm-customer: --input-format \"xml\": not one of auto, csv, tsv, json, ndjson, ids
Try 'crm-customer add --help'."
}

@test "add - with bad rows adds nothing and reports every bad row with its line" {
	seed_customers
	fixture bad.csv <<'EOF'
name,email,kind,owner
Good,g@x.com,company,alice
Bad1,bob@,company,alice
Bad2,b2@x.com,robot,bob
Good2,g2@x.com,person,bob
EOF
	run --separate-stderr crm-customer add - <bad.csv
	assert_failure 65
	assert_output ''
	assert_stderr "crm-customer: <stdin>:3: field 'email': \"bob@\": not an e-mail address
crm-customer: <stdin>:4: field 'kind': \"robot\": not one of company, person
crm-customer: nothing added: 2 errors"
	[ "$(ids)" = "1 2 3 4" ]
}

@test "add - of a JSON array with bad objects reports each object's line, adds nothing" {
	fixture bad.json <<'EOF'
[
{"name":"J1","email":"j1@x.com"},
{"name":"J2","kind":"robot"},
{"name":"J3","email":"bad"}
]
EOF
	run --separate-stderr crm-customer add - <bad.json
	assert_failure 65
	assert_output ''
	assert_stderr_contains "crm-customer: <stdin>:3: field 'kind': \"robot\": not one of company, person"
	assert_stderr_contains "crm-customer: <stdin>:4: field 'email': \"bad\": not an e-mail address"
	assert_stderr_contains 'crm-customer: nothing added: 2 errors'
	run crm-customer list -f ids
	assert_output ''
}

@test "add - of NDJSON with bad lines reports each line, adds nothing" {
	printf '%s\n' '{"name":"N1","email":"n1@x.com"}' '{"name":"N2","email":"x"}' \
	    '{"email":"n3@x.com"}' | fixture bad.ndjson
	run --separate-stderr crm-customer add - <bad.ndjson
	assert_failure 65
	assert_stderr "crm-customer: <stdin>:2: field 'email': \"x\": not an e-mail address
crm-customer: <stdin>:3: field 'name': required
crm-customer: nothing added: 2 errors"
	run crm-customer list -f ids
	assert_output ''
}

@test "add - with an e-mail already in the database, in other case, exits 65" {
	seed_customers
	printf 'name,email\nNew,new@x.com\nAcme again,INFO@Acme.com\n' | fixture dup.csv
	run --separate-stderr crm-customer add - <dup.csv
	assert_failure 65
	assert_output ''
	assert_stderr_contains "crm-customer: <stdin>:3: field 'email': \"INFO@Acme.com\" already belongs to customer 1"
	[ "$(ids)" = "1 2 3 4" ]
}

@test "add - with the same e-mail twice in one input exits 65 and adds neither" {
	printf 'name,email\nA,a@x.com\nB,A@X.com\n' | fixture dup.csv
	run --separate-stderr crm-customer add - <dup.csv
	assert_failure 65
	assert_stderr_contains "<stdin>:3: field 'email': \"A@X.com\" already belongs to customer"
	run crm-customer list -f ids
	assert_output ''
}

@test "add with a duplicate ext_id or e-mail exits 65 and names the owner" {
	seed_customers
	run --separate-stderr crm-customer add Again ext_id=E2
	assert_failure 65
	assert_output ''
	assert_stderr "crm-customer: field 'ext_id': \"E2\" already belongs to customer 2"
	run --separate-stderr crm-customer add Again email=Hello@Beta.IO
	assert_failure 65
	assert_stderr "crm-customer: field 'email': \"Hello@Beta.IO\" already belongs to customer 2"
	[ "$(ids)" = "1 2 3 4" ]
}

@test "add rejects bad field values with 65 and writes nothing" {
	run --separate-stderr crm-customer add Acme kind=robot
	assert_failure 65
	assert_stderr "crm-customer: field 'kind': \"robot\": not one of company, person"
	run --separate-stderr crm-customer add Acme email=bob@
	assert_failure 65
	assert_stderr "crm-customer: field 'email': \"bob@\": not an e-mail address"
	run --separate-stderr crm-customer add Acme id=7
	assert_failure 65
	assert_stderr "crm-customer: field 'id': set by crm, cannot be changed"
	run --separate-stderr crm-customer add Acme created_at=soon
	assert_failure 65
	assert_stderr_contains "field 'created_at': \"soon\": not a timestamp"
	run --separate-stderr crm-customer add ''
	assert_failure 65
	assert_stderr "crm-customer: field 'name': required"
	run crm-customer add Fine
	assert_output 1
}

@test "add with an argument that is not FIELD=VALUE exits 64" {
	run --separate-stderr crm-customer add Acme justtext
	assert_failure 64
	assert_stderr 'crm-customer: "justtext": expected FIELD=VALUE'
	[ "$(crm-customer list -f ids 2>/dev/null || true)" = "" ]
}

@test "add - with empty input, or a header alone, adds nothing and exits 0" {
	run --separate-stderr crm-customer add - </dev/null
	assert_success
	assert_output ''
	assert_stderr 'crm-customer: added 0 customers'
	printf 'name,email\n' | fixture header.csv
	run --separate-stderr crm-customer add - <header.csv
	assert_success
	assert_output ''
	assert_stderr 'crm-customer: added 0 customers'
	run crm-customer list -f ids
	assert_output ''
}

@test "add - with an unterminated quote exits 65 naming the line" {
	printf 'name,email\nOk,ok@x.com\n"unterminated,x\n' | fixture bad.csv
	run --separate-stderr crm-customer add - <bad.csv
	assert_failure 65
	assert_stderr_contains '<stdin>:3: unterminated quoted field at end of input'
	run crm-customer list -f ids
	assert_output ''
}

@test "add - with truncated JSON exits 65" {
	printf '[{"name":"a"' | fixture bad.json
	run --separate-stderr crm-customer add - <bad.json
	assert_failure 65
	assert_stderr_contains '<stdin>:1: invalid JSON: unterminated object'
}

@test "add - keeps the spaces of a quoted CSV field (RFC 4180)" {
	printf 'name,notes\nAcme,"  two spaces each side  "\n' | fixture sp.csv
	crm-customer add - <sp.csv 2>/dev/null
	run crm-customer list --fields notes -f json
	assert_output $'[\n{"notes":"  two spaces each side  "}\n]'
}

# ---- show ------------------------------------------------------------------

@test "show finds a customer by id, by ext:ID and by email: in any case" {
	seed_customers
	local ref
	for ref in 2 ext:E2 email:hello@beta.io email:HELLO@Beta.io; do
		run --separate-stderr crm-customer show "$ref" -f csv
		assert_success
		assert_stderr_empty
		assert_output "$CSV_HEADER
2,2026-10-01T12:00:00Z,2026-11-23T10:00:00Z,E2,Beta Ltd,company,hello@beta.io,13800000014,APAC,retail,B,,bob,referral,,silver"
	done
}

@test "show of a customer that does not exist exits 1 and names it" {
	seed_customers
	local ref
	for ref in 99 ext:E99 email:nobody@x.com; do
		run --separate-stderr crm-customer show "$ref"
		assert_failure 1
		assert_output ''
		assert_stderr "crm-customer: customer $ref: not found"
	done
}

@test "show -f table prints the record and its contacts and activities" {
	seed_customers
	crm-customer contact add 1 "Ann Lee" title=CEO >/dev/null
	crm-customer log 1 -k call -m "renewal call" --follow-up +2d >/dev/null
	run --separate-stderr bash -c 'crm-customer show 1 -f table | sed "s/ *$//"'
	assert_success
	assert_stderr_empty
	assert_output 'id          1
created_at  2024-01-15T09:00:00Z
updated_at  2026-11-23T10:00:00Z
ext_id      E1
name        Acme Corp
kind        company
email       info@acme.com
phone       +86 138 0000 0007
region      EMEA
industry    saas
tier        A
tags        vip;partner
owner       alice
source      web
segment     gold

contacts:
id  customer  name     title  email  phone  primary
 1         1  Ann Lee  CEO

activities:
id  customer  kind  at                    by      summary       follow_up   done
 1         1  call  2026-11-23T10:00:00Z  tester  renewal call  2026-11-25'
}

@test "show -f json is the single customer view and parses with jq" {
	seed_customers
	crm-customer contact add 1 "Ann Lee" title=CEO >/dev/null
	crm-customer log 1 -k email -m "sent quote" >/dev/null
	run --separate-stderr crm-customer show ext:E1 -f json
	assert_success
	assert_stderr_empty
	run jq -c '[.id, .name, .tags, (.contacts | map(.name)), (.activities | map(.summary)), .deals, .invoices, .open_tickets, .balance]' <<<"$output"
	assert_success
	assert_output '[1,"Acme Corp",["vip","partner"],["Ann Lee"],["sent quote"],[],[],[],[]]'
}

@test "show -f csv --no-header drops the header; -f ids prints the id" {
	seed_customers
	run --separate-stderr crm-customer show 3 -f csv --no-header
	assert_success
	assert_output '3,2026-11-20T08:00:00Z,2026-11-23T10:00:00Z,E3,张三,person,zhang@example.cn,,深圳,finance,C,vip,alice,wechat,prefers WeChat,'
	run crm-customer show ext:E3 -f ids
	assert_output 3
	run crm-customer show 3 -f ndjson
	assert_output '{"id":3,"created_at":"2026-11-20T08:00:00Z","updated_at":"2026-11-23T10:00:00Z","ext_id":"E3","name":"张三","kind":"person","email":"zhang@example.cn","phone":null,"region":"深圳","industry":"finance","tier":"C","tags":["vip"],"owner":"alice","source":"wechat","notes":"prefers WeChat","segment":null}'
}

# ---- list: selection --------------------------------------------------------

@test "list --where owner=alice keeps only alice's customers" {
	seed_customers
	run --separate-stderr crm-customer list --where owner=alice --fields id,name,owner
	assert_success
	assert_stderr_empty
	assert_output $'id,name,owner\n1,Acme Corp,alice\n3,张三,alice'
}

@test "list --where owner!=alice keeps everyone else" {
	seed_customers
	[ "$(ids --where owner!=alice)" = "2 4" ]
}

@test "list --where field=a|b keeps either value" {
	seed_customers
	[ "$(ids --where 'owner=bob|carol')" = "2 4" ]
	[ "$(ids --where 'tier=A|C')" = "1 3" ]
}

@test "list --where name~text matches a case-insensitive substring" {
	seed_customers
	[ "$(ids --where 'name~ACME')" = "1" ]
	[ "$(ids --where 'email~.DE')" = "4" ]
	[ "$(ids --where 'name~zzz')" = "" ]
}

@test "list --where with < <= > >= compares ids as numbers and dates as dates" {
	seed_customers
	[ "$(ids --where 'id<3')" = "1 2" ]
	[ "$(ids --where 'id<=3')" = "1 2 3" ]
	[ "$(ids --where 'id>3')" = "4" ]
	[ "$(ids --where 'id>=3')" = "3 4" ]
	[ "$(ids --where 'created_at<2025-06-30T23:59:59Z')" = "1" ]
	[ "$(ids --where 'created_at<=2025-06-30T23:59:59Z')" = "1 4" ]
	[ "$(ids --where 'created_at>2026-01-01')" = "2 3" ]
	[ "$(ids --where 'created_at>=2026-10-01T12:00:00Z')" = "2 3" ]
}

@test "list --where field= keeps records where the field is empty" {
	seed_customers
	[ "$(ids --where tier=)" = "4" ]
	[ "$(ids --where notes=)" = "1 2 4" ]
	[ "$(ids --where notes!=)" = "3" ]
	[ "$(ids --where segment=)" = "3" ]
}

@test "list --where tags=vip keeps customers that have the tag" {
	seed_customers
	[ "$(ids --where tags=vip)" = "1 3" ]
	[ "$(ids --where tags=partner)" = "1" ]
	[ "$(ids --where tags=newsletter)" = "4" ]
	[ "$(ids --where tags=nope)" = "" ]
}

@test "list --where takes relative dates counted from CRM_NOW" {
	seed_customers
	# CRM_NOW is 2026-11-23
	[ "$(ids --where 'created_at>=-7d')" = "3" ]
	[ "$(ids --where 'created_at>=-2w')" = "3" ]
	[ "$(ids --where 'created_at>=-60d')" = "2 3" ]
	[ "$(ids --where 'created_at<-30d')" = "1 2 4" ]
	[ "$(ids --where 'created_at<today')" = "1 2 3 4" ]
	[ "$(ids --where 'created_at>=today')" = "" ]
	[ "$(ids --where 'created_at<+7d')" = "1 2 3 4" ]
	# the same query a month later
	[ "$(CRM_NOW=2026-12-23T10:00:00Z ids --where 'created_at>=-60d')" = "3" ]
}

@test "list --where created_at>=-2m means two months, as for dates" {
	seed_customers
	# CRM_NOW is 2026-11-23: two months back is 2026-09-23
	[ "$(ids --where 'created_at>=-2m')" = "2 3" ]
	[ "$(ids --where 'created_at<-1m')" = "1 2 4" ]
	[ "$(ids --where 'created_at<-3m')" = "1 4" ]
}

@test "list with several --where keeps records where all hold" {
	seed_customers
	[ "$(ids --where owner=alice --where tags=vip --where 'created_at>2025-01-01')" = "3" ]
	[ "$(ids --where segment=gold --where region=EMEA)" = "1 4" ]
}

@test "custom fields work in --where, --sort and --fields" {
	seed_customers
	[ "$(ids --where segment=gold)" = "1 4" ]
	[ "$(ids --where segment!=gold)" = "2 3" ]
	[ "$(ids --where 'segment~SIL')" = "2" ]
	run --separate-stderr crm-customer list --sort segment --fields id,segment
	assert_success
	assert_output $'id,segment\n1,gold\n4,gold\n2,silver\n3,'
	run crm-customer list --sort -segment --fields segment,name
	assert_output $'segment,name\nsilver,Beta Ltd\ngold,Acme Corp\ngold,Delta GmbH\n,张三'
}

@test "list --sort -field sorts descending, --sort field ascending" {
	seed_customers
	run crm-customer list --sort -created_at --fields id,created_at
	assert_output 'id,created_at
3,2026-11-20T08:00:00Z
2,2026-10-01T12:00:00Z
4,2025-06-30T23:59:59Z
1,2024-01-15T09:00:00Z'
	[ "$(ids --sort name)" = "1 2 4 3" ]
	[ "$(ids --sort -id)" = "4 3 2 1" ]
	[ "$(ids --sort owner,-id)" = "3 1 2 4" ]
}

@test "list --limit N prints at most N records, after sorting" {
	seed_customers
	[ "$(ids --limit 2)" = "1 2" ]
	[ "$(ids --sort -id --limit 1)" = "4" ]
	[ "$(ids --limit 0)" = "" ]
	[ "$(ids --limit 99)" = "1 2 3 4" ]
	run crm-customer list -n 1 --fields name
	assert_output $'name\nAcme Corp'
}

@test "list --fields prints the chosen columns in the chosen order" {
	seed_customers
	run --separate-stderr crm-customer list --fields owner,id,name --where tier=B
	assert_success
	assert_output $'owner,id,name\nbob,2,Beta Ltd'
}

@test "list of an empty database prints only the header" {
	crm-customer add X >/dev/null
	crm-customer delete 1 2>/dev/null
	run --separate-stderr crm-customer list
	assert_success
	assert_output 'id,created_at,updated_at,ext_id,name,kind,email,phone,region,industry,tier,tags,owner,source,notes'
	run crm-customer list -f json
	assert_output '[]'
}

# ---- list: formats ----------------------------------------------------------

@test "list writes CSV with a header by default when stdout is not a terminal" {
	seed_customers
	run --separate-stderr crm-customer list
	assert_success
	assert_stderr_empty
	assert_output "$CSV_HEADER
1,2024-01-15T09:00:00Z,2026-11-23T10:00:00Z,E1,Acme Corp,company,info@acme.com,+86 138 0000 0007,EMEA,saas,A,vip;partner,alice,web,,gold
2,2026-10-01T12:00:00Z,2026-11-23T10:00:00Z,E2,Beta Ltd,company,hello@beta.io,13800000014,APAC,retail,B,,bob,referral,,silver
3,2026-11-20T08:00:00Z,2026-11-23T10:00:00Z,E3,张三,person,zhang@example.cn,,深圳,finance,C,vip,alice,wechat,prefers WeChat,
4,2025-06-30T23:59:59Z,2026-11-23T10:00:00Z,E4,Delta GmbH,company,kontakt@delta.de,,EMEA,manufacturing,,newsletter,carol,trade-show,,gold"
	run crm-customer list -f csv --no-header --where id=2 --fields id,name
	assert_output '2,Beta Ltd'
}

@test "list -f csv quotes commas, quotes and newlines (RFC 4180), LF line ends" {
	crm-customer add 'ACME, Inc.' notes='say "hi"' >/dev/null
	crm-customer add Two notes=$'line1\nline2' >/dev/null
	crm-customer list --fields id,name,notes >out.csv
	printf 'id,name,notes\n1,"ACME, Inc.","say ""hi"""\n2,Two,"line1\nline2"\n' >want.csv
	cmp out.csv want.csv
}

@test "list -f json prints an array that jq parses, null for empty fields" {
	seed_customers
	run --separate-stderr crm-customer list -f json
	assert_success
	run jq -c 'length, (.[0] | {id, name, tags, notes, segment}), (map(.id))' <<<"$output"
	assert_success
	assert_output '4
{"id":1,"name":"Acme Corp","tags":["vip","partner"],"notes":null,"segment":"gold"}
[1,2,3,4]'
}

@test "list -f ndjson prints one JSON object per line" {
	seed_customers
	run --separate-stderr crm-customer list -f ndjson --fields id,name,tags
	assert_success
	assert_output '{"id":1,"name":"Acme Corp","tags":["vip","partner"]}
{"id":2,"name":"Beta Ltd","tags":[]}
{"id":3,"name":"张三","tags":["vip"]}
{"id":4,"name":"Delta GmbH","tags":["newsletter"]}'
	run bash -c "crm-customer list -f ndjson | jq -c .id"
	assert_output $'1\n2\n3\n4'
}

@test "list -f tsv escapes tab, newline and backslash" {
	crm-customer add $'Tab\tName' notes=$'l1\nl2' region='back\slash' >/dev/null
	crm-customer list -f tsv --fields id,name,notes,region >out.tsv
	printf 'id\tname\tnotes\tregion\n1\tTab\\tName\tl1\\nl2\tback\\\\slash\n' >want.tsv
	cmp out.tsv want.tsv
}

@test "list -f tsv output loads back into an equal database" {
	seed_customers
	crm-customer add $'Tab\tName' notes=$'l1\nl2' region='back\slash' >/dev/null
	crm-customer list -f tsv >first.tsv
	crm-customer --db "$BATS_TEST_TMPDIR/copy" add - <first.tsv >/dev/null 2>&1
	crm-customer --db "$BATS_TEST_TMPDIR/copy" list -f tsv >second.tsv
	cmp first.tsv second.tsv
}

@test "list -f ids prints one id per line for xargs" {
	seed_customers
	run --separate-stderr crm-customer list -f ids --where owner=alice
	assert_success
	assert_output $'1\n3'
	run bash -c "crm-customer list -f ids --where owner=alice | xargs -n1 crm-customer show -f ndjson | jq -r .name"
	assert_success
	assert_output $'Acme Corp\n张三'
}

@test "list -f table aligns CJK names by display width" {
	seed_customers
	run --separate-stderr crm-customer list -f table --fields id,name,owner
	assert_success
	assert_output 'id  name        owner
 1  Acme Corp   alice
 2  Beta Ltd    bob
 3  张三        alice
 4  Delta GmbH  carol'
}

@test "list -f table does not truncate a long value" {
	local long
	long=$(printf 'x%.0s' {1..300})
	crm-customer add "$long" >/dev/null
	run crm-customer list -f table --fields id,name
	assert_line --index 1 " 1  $long"
}

@test "list on a terminal prints a table; NO_COLOR turns off its bold header" {
	command -v script >/dev/null || skip "script(1) is not installed"
	seed_customers
	run script -qec "crm-customer list --fields id,name" /dev/null
	assert_success
	assert_line --index 0 $'\e[1mid\e[0m  \e[1mname\e[0m\r'
	assert_line --index 3 $' 3  张三\r'
	NO_COLOR=1 run script -qec "crm-customer list --fields id,name" /dev/null
	assert_success
	assert_line --index 0 $'id  name\r'
}

@test "list --excel prefixes cells starting with = + - @ or CR with a quote" {
	fixture inj.csv <<'EOF'
name,phone,notes,region,source
"=cmd|' /C calc'!A0",+86 138 0000 0007,-2+3,@SUM(A1),plain
EOF
	printf 'name,notes\nCR,"\rx"\n' | fixture cr.csv
	crm-customer add - <inj.csv 2>/dev/null
	crm-customer add - <cr.csv 2>/dev/null
	run --separate-stderr crm-customer list --excel --fields name,phone,notes,region,source
	assert_success
	assert_output "name,phone,notes,region,source
'=cmd|' /C calc'!A0,'+86 138 0000 0007,'-2+3,'@SUM(A1),plain
CR,,\"'"$'\r'"x\",,"
	run crm-customer list --excel -f tsv --fields name,phone --where id=1
	assert_output $'name\tphone\n\'=cmd|\' /C calc\'!A0\t\'+86 138 0000 0007'
}

@test "list --excel neutralises the full-width forms of = + - @ too" {
	crm-customer add FW notes='＝1+1' region='＋x' industry='－1' source='＠y' >/dev/null
	run crm-customer list --excel --fields notes,region,industry,source
	assert_output $'notes,region,industry,source\n\'＝1+1,\'＋x,\'－1,\'＠y'
}

@test "plain CSV round-trips a +86 phone and formula-like text byte for byte" {
	fixture inj.csv <<'EOF'
name,phone,notes
=cmd|' /C calc'!A0,+86 138 0000 0007,-2+3
"ACME, Inc.",13800000007,"say ""hi"""
@SUM(A1),(138) 0000-0028,+1
EOF
	crm-customer add - <inj.csv 2>/dev/null
	crm-customer list -f csv --fields name,phone,notes >out.csv
	cmp inj.csv out.csv
	# and through a second database
	crm-customer list -f csv >all1.csv
	crm-customer --db "$BATS_TEST_TMPDIR/copy" add - <all1.csv >/dev/null 2>&1
	crm-customer --db "$BATS_TEST_TMPDIR/copy" list -f csv >all2.csv
	cmp all1.csv all2.csv
}

# ---- set -------------------------------------------------------------------

@test "set FIELD=VALUE changes fields and stamps updated_at, not created_at" {
	seed_customers
	CRM_NOW=2026-11-24T09:30:00Z run --separate-stderr crm-customer set 2 tier=A notes='called, twice' segment=gold
	assert_success
	assert_output ''
	run fields_of 2 created_at,updated_at,tier,notes,segment
	assert_output '2026-10-01T12:00:00Z,2026-11-24T09:30:00Z,A,"called, twice",gold'
	# others untouched
	run fields_of 1 updated_at,tier
	assert_output '2026-11-23T10:00:00Z,A'
}

@test "set FIELD= clears a built-in and a custom field" {
	seed_customers
	run --separate-stderr crm-customer set 1 owner= segment= tags=
	assert_success
	run fields_of 1 owner,segment,tags ndjson
	assert_output '{"owner":null,"segment":null,"tags":[]}'
	[ "$(ids --where owner=)" = "1" ]
}

@test "set finds the customer by ext:ID and email:" {
	seed_customers
	crm-customer set ext:E3 tier=A
	crm-customer set email:KONTAKT@delta.de tier=B
	[ "$(ids --where tier=A)" = "1 3" ]
	[ "$(ids --where tier=B)" = "2 4" ]
}

@test "set of a missing customer exits 1" {
	seed_customers
	run --separate-stderr crm-customer set 99 tier=A
	assert_failure 1
	assert_stderr 'crm-customer: customer 99: not found'
}

@test "set without FIELD=VALUE exits 64" {
	seed_customers
	run --separate-stderr crm-customer set 1
	assert_failure 64
	assert_stderr 'crm-customer: set 1: no FIELD=VALUE given'
}

@test "set with a bad value or a taken e-mail exits 65 and changes nothing" {
	seed_customers
	crm-customer list -f csv >before.csv
	run --separate-stderr crm-customer set 1 tier=B kind=robot
	assert_failure 65
	assert_stderr "crm-customer: field 'kind': \"robot\": not one of company, person"
	run --separate-stderr crm-customer set 1 email=Hello@beta.io
	assert_failure 65
	assert_stderr "crm-customer: field 'email': \"Hello@beta.io\" already belongs to customer 2"
	crm-customer list -f csv >after.csv
	cmp before.csv after.csv
}

@test "set - applies a jq-edited list -f json" {
	seed_customers
	run --separate-stderr bash -c "crm-customer list --where owner=alice -f json | jq 'map(.tier = \"Z\" | .tags += [\"edited\"])' | crm-customer set -"
	assert_success
	assert_stderr 'crm-customer: changed 2 of 2 customers'
	run crm-customer list --fields id,tier,tags
	assert_output $'id,tier,tags\n1,Z,vip;partner;edited\n2,B,\n3,Z,vip;edited\n4,,newsletter'
}

@test "set - from NDJSON and from CSV keyed by e-mail" {
	seed_customers
	crm-customer list -f ndjson --where id=1 | jq -c '.region = "APAC"' | crm-customer set - 2>/dev/null
	printf 'email,region\nkontakt@delta.de,LATAM\n' | crm-customer set - 2>/dev/null
	run crm-customer list --fields id,region
	assert_output $'id,region\n1,APAC\n2,APAC\n3,深圳\n4,LATAM'
}

@test "set - with a row for a missing customer exits 65 and changes nothing" {
	seed_customers
	printf 'id,tier\n1,Q\n99,Q\n' | fixture upd.csv
	run --separate-stderr crm-customer set - <upd.csv
	assert_failure 65
	assert_stderr 'crm-customer: <stdin>:3: customer 99: not found
crm-customer: nothing changed: 1 error'
	run fields_of 1 tier
	assert_output A
}

@test "set - with a row that names no customer exits 65" {
	seed_customers
	printf 'tier\nQ\n' | fixture upd.csv
	run --separate-stderr crm-customer set - <upd.csv
	assert_failure 65
	assert_stderr_contains '<stdin>:2: row names no customer'
}

# ---- tag -------------------------------------------------------------------

@test "tag +a -b adds and removes tags" {
	seed_customers
	run --separate-stderr crm-customer tag 1 +gold -vip
	assert_success
	assert_stderr 'crm-customer: tagged 1 of 1 customer'
	run fields_of 1 tags
	assert_output 'partner;gold'
	crm-customer tag 1 2 +x 2>/dev/null
	run crm-customer list --fields id,tags --where tags=x
	assert_output $'id,tags\n1,partner;gold;x\n2,x'
}

@test "tag - reads ids from list -f ids" {
	seed_customers
	run --separate-stderr bash -c 'crm-customer list -f ids --where owner=alice | crm-customer tag - +followup'
	assert_success
	assert_stderr 'crm-customer: tagged 2 of 2 customers'
	[ "$(ids --where tags=followup)" = "1 3" ]
}

@test "tag - with no ids (nothing matched) is quiet and exits 0" {
	seed_customers
	run --separate-stderr bash -c 'crm-customer list -f ids --where owner=nobody | crm-customer tag - +x'
	assert_success
	assert_output ''
	assert_stderr 'crm-customer: tagged 0 of 0 customers'
	[ "$(ids --where tags=x)" = "" ]
}

@test "tag - reads ext: and email: references as well as ids" {
	seed_customers
	printf 'ext:E4\nemail:HELLO@beta.io\n' | fixture refs.txt
	run --separate-stderr crm-customer tag - +x <refs.txt
	assert_success
	assert_stderr 'crm-customer: tagged 2 of 2 customers'
	[ "$(ids --where tags=x)" = "2 4" ]
}

@test "tag 1 -x removes a one-letter tag" {
	seed_customers
	crm-customer tag 1 +x 2>/dev/null
	run --separate-stderr crm-customer tag 1 -x
	assert_success
	assert_stderr 'crm-customer: tagged 1 of 1 customer'
	run fields_of 1 tags
	assert_output 'vip;partner'
}

@test "tag that changes nothing says so and exits 0" {
	seed_customers
	run --separate-stderr crm-customer tag 1 +vip -absent
	assert_success
	assert_stderr 'crm-customer: tagged 0 of 1 customer'
	run fields_of 1 tags
	assert_output 'vip;partner'
}

@test "tag of a missing customer exits 1 and tags nobody" {
	seed_customers
	run --separate-stderr crm-customer tag 2 99 +x
	assert_failure 1
	assert_stderr 'crm-customer: customer 99: not found'
	[ "$(ids --where tags=x)" = "" ]
}

@test "tag without a +tag/-tag word exits 64; a bad tag word exits 65" {
	seed_customers
	run --separate-stderr crm-customer tag 1 2
	assert_failure 64
	assert_stderr 'crm-customer: tag needs records (or -) and +tag/-tag words'
	run --separate-stderr crm-customer tag 1 '+a;b'
	assert_failure 65
	assert_stderr 'crm-customer: tag "a;b": not a tag word'
}

# ---- delete ----------------------------------------------------------------

@test "delete removes customers and says how many" {
	seed_customers
	run --separate-stderr crm-customer delete 2 ext:E4
	assert_success
	assert_output ''
	assert_stderr 'crm-customer: deleted 2 customers'
	[ "$(ids)" = "1 3" ]
	run --separate-stderr crm-customer show 2
	assert_failure 1
}

@test "delete is refused while the customer has contacts (65); --force deletes them too" {
	seed_customers
	crm-customer contact add 1 "Ann Lee" >/dev/null
	crm-customer contact add 2 "Bo" >/dev/null
	crm-customer log 1 -k note -m "x" >/dev/null
	run --separate-stderr crm-customer delete 1
	assert_failure 65
	assert_stderr 'crm-customer: customer 1: still has 1 contact, 1 activity; use --force to delete them too'
	[ "$(ids)" = "1 2 3 4" ]
	run --separate-stderr crm-customer delete --force 1
	assert_success
	assert_stderr 'crm-customer: deleted 1 customer'
	[ "$(ids)" = "2 3 4" ]
	run crm-customer contact list --fields id,customer,name
	assert_output $'id,customer,name\n2,2,Bo'
	run crm-customer activities -f ids
	assert_output ''
}

@test "delete of a missing customer exits 1 and deletes nothing" {
	seed_customers
	run --separate-stderr crm-customer delete 1 99
	assert_failure 1
	assert_stderr 'crm-customer: customer 99: not found'
	[ "$(ids)" = "1 2 3 4" ]
}

@test "delete - reads ids from stdin" {
	seed_customers
	run --separate-stderr bash -c 'crm-customer list -f ids --where owner=alice | crm-customer delete -'
	assert_success
	assert_stderr 'crm-customer: deleted 2 customers'
	[ "$(ids)" = "2 4" ]
}

# ---- contacts --------------------------------------------------------------

@test "contact add prints the id; contact list shows it under its customer" {
	seed_customers
	run --separate-stderr crm-customer contact add ext:E1 "Ann Lee" title=CEO email=ann@acme.com phone=123 primary=yes
	assert_success
	assert_output 1
	assert_stderr_empty
	crm-customer contact add 2 "Bo" >/dev/null
	run --separate-stderr crm-customer contact list
	assert_success
	assert_output 'id,created_at,updated_at,customer,name,title,email,phone,primary
1,2026-11-23T10:00:00Z,2026-11-23T10:00:00Z,1,Ann Lee,CEO,ann@acme.com,123,yes
2,2026-11-23T10:00:00Z,2026-11-23T10:00:00Z,2,Bo,,,,'
	run crm-customer contact list 1 -f json
	assert_output '[
{"id":1,"created_at":"2026-11-23T10:00:00Z","updated_at":"2026-11-23T10:00:00Z","customer":1,"name":"Ann Lee","title":"CEO","email":"ann@acme.com","phone":"123","primary":true}
]'
	run crm-customer contact list email:hello@beta.io -f ids
	assert_output 2
}

@test "contact add - loads contacts whose customer is an id, ext_id or e-mail" {
	seed_customers
	printf 'customer,name,title\nE3,Via Ext,\nhello@beta.io,Via Mail,CTO\n4,Via Id,\n' | fixture c.csv
	run --separate-stderr crm-customer contact add - <c.csv
	assert_success
	assert_output $'1\n2\n3'
	assert_stderr 'crm-customer: added 3 contacts'
	run crm-customer contact list --fields id,customer,name,title
	assert_output $'id,customer,name,title\n1,3,Via Ext,\n2,2,Via Mail,CTO\n3,4,Via Id,'
}

@test "contact add for a missing customer exits 1; without a name 64; bad value 65" {
	seed_customers
	run --separate-stderr crm-customer contact add 99 "X"
	assert_failure 1
	assert_stderr 'crm-customer: customer 99: not found'
	run --separate-stderr crm-customer contact add 1
	assert_failure 64
	assert_stderr_contains 'nothing to add'
	run --separate-stderr crm-customer contact add 1 Z primary=maybe
	assert_failure 65
	assert_stderr "crm-customer: field 'primary': \"maybe\": not a boolean (yes/no)"
	run --separate-stderr crm-customer contact add 1 Z email=nope
	assert_failure 65
	assert_stderr "crm-customer: field 'email': \"nope\": not an e-mail address"
	run crm-customer contact list -f ids
	assert_output ''
}

@test "contact list of a missing customer exits 1" {
	seed_customers
	run --separate-stderr crm-customer contact list 99
	assert_failure 1
	assert_output ''
	assert_stderr 'crm-customer: customer 99: not found'
}

@test "contact list takes --where, --sort and --fields" {
	seed_customers
	crm-customer contact add 1 "Ann" title=CEO >/dev/null
	crm-customer contact add 1 "Zed" title=CTO >/dev/null
	crm-customer contact add 2 "Bo" title=CEO >/dev/null
	run crm-customer contact list --where title=CEO --sort -name --fields name,customer
	assert_output $'name,customer\nBo,2\nAnn,1'
}

@test "contact set changes a contact; a missing one exits 1" {
	seed_customers
	crm-customer contact add 1 "Ann" title=CEO >/dev/null
	CRM_NOW=2026-11-24T00:00:00Z run --separate-stderr crm-customer contact set 1 title=CTO phone=555
	assert_success
	run crm-customer contact list --fields id,title,phone,updated_at
	assert_output $'id,title,phone,updated_at\n1,CTO,555,2026-11-24T00:00:00Z'
	run --separate-stderr crm-customer contact set 9 title=x
	assert_failure 1
	assert_stderr 'crm-customer: contact 9: not found'
}

@test "contact delete removes a contact; a missing one exits 1" {
	seed_customers
	crm-customer contact add 1 "Ann" >/dev/null
	crm-customer contact add 1 "Bo" >/dev/null
	run --separate-stderr crm-customer contact delete 1
	assert_success
	assert_stderr 'crm-customer: deleted 1 contact'
	run crm-customer contact list --fields id,name
	assert_output $'id,name\n2,Bo'
	run --separate-stderr crm-customer contact delete 1
	assert_failure 1
	assert_stderr 'crm-customer: contact 1: not found'
	# with one contact left the customer still cannot go; with none it can
	run --separate-stderr crm-customer delete 1
	assert_failure 65
	crm-customer contact delete 2 2>/dev/null
	run --separate-stderr crm-customer delete 1
	assert_success
}

# ---- activities, follow-ups, agenda ------------------------------------------

# Activities on the seed customers (CRM_NOW is 2026-11-23):
#   1 call    on 1 (alice)  follow-up 2026-11-20 (3 days overdue)
#   2 email   on 2 (bob)    follow-up +3d = 2026-11-26
#   3 visit   on 3 (alice)  follow-up today, by carol
#   4 note    on 1          no follow-up
#   5 meeting on 4 (carol)  follow-up +10d = 2026-12-03, at 2026-11-01
seed_activities() {
	seed_customers
	crm-customer log 1 -k call -m "called about renewal" --follow-up 2026-11-20 >/dev/null
	crm-customer log 2 -k email -m "sent quote" --follow-up +3d >/dev/null
	crm-customer log ext:E3 -k visit -m "site visit" --follow-up today --by carol >/dev/null
	crm-customer log 1 -k note -m "just a note" >/dev/null
	crm-customer log 4 -k meeting -m "kick-off" --follow-up +10d --at 2026-11-01T08:00:00Z >/dev/null
}

@test "log records kind, summary, time, user and a relative follow-up date" {
	seed_customers
	run --separate-stderr crm-customer log 2 -k email -m "sent quote" --follow-up +3d
	assert_success
	assert_output 1
	assert_stderr_empty
	run --separate-stderr crm-customer log 2 --kind visit --summary "on site" --by carol --at 2026-11-01T08:00:00Z --follow-up 2026-12-01
	assert_success
	assert_output 2
	run crm-customer activities --fields id,customer,kind,at,by,summary,follow_up,done
	assert_output 'id,customer,kind,at,by,summary,follow_up,done
1,2,email,2026-11-23T10:00:00Z,tester,sent quote,2026-11-26,
2,2,visit,2026-11-01T08:00:00Z,carol,on site,2026-12-01,'
}

@test "log without --kind exits 64" {
	seed_customers
	run --separate-stderr crm-customer log 1 -m hello
	assert_failure 64
	assert_stderr 'crm-customer: log: --kind is required (call, email, visit, meeting, note)'
}

@test "log --kind with a kind not in its list exits 64 like other bad option values" {
	seed_customers
	run --separate-stderr crm-customer log 1 -k dance
	assert_failure 64
	assert_stderr_contains '"dance"'
	run crm-customer activities -f ids
	assert_output ''
}

@test "log on a missing customer exits 1; a bad date or time exits 65" {
	seed_customers
	run --separate-stderr crm-customer log 99 -k call
	assert_failure 1
	assert_stderr 'crm-customer: customer 99: not found'
	run --separate-stderr crm-customer log 1 -k call --follow-up someday
	assert_failure 65
	assert_stderr "crm-customer: field 'follow_up': \"someday\": not a date (YYYY-MM-DD, today, -30d, +2w, -1m)"
	run --separate-stderr crm-customer log 1 -k call --at 25:00
	assert_failure 65
	assert_stderr_contains "field 'at': \"25:00\": not a timestamp"
	run crm-customer activities -f ids
	assert_output ''
}

@test "activities lists all, or one customer's, and takes --where" {
	seed_activities
	run --separate-stderr crm-customer activities -f ids
	assert_success
	assert_output $'1\n2\n3\n4\n5'
	run crm-customer activities 1 -f ids
	assert_output $'1\n4'
	run crm-customer activities --where 'kind=call|visit' --fields id,kind,by
	assert_output $'id,kind,by\n1,call,tester\n3,visit,carol'
	run crm-customer activities --where 'follow_up<today' -f ids
	assert_output 1
	run crm-customer activities --where 'follow_up<=+7d' -f ids
	assert_output $'1\n2\n3'
	run --separate-stderr crm-customer activities 99
	assert_failure 1
	assert_stderr 'crm-customer: customer 99: not found'
}

@test "agenda lists follow-ups due or overdue as of CRM_NOW" {
	seed_activities
	run --separate-stderr crm-customer agenda
	assert_success
	assert_stderr_empty
	assert_output 'id,follow_up,days_overdue,customer,name,owner,by,kind,summary
1,2026-11-20,3,1,Acme Corp,alice,tester,call,called about renewal
3,2026-11-23,0,3,张三,alice,carol,visit,site visit'
	# a week later everything but the meeting is due
	CRM_NOW=2026-11-30T10:00:00Z run bash -c 'crm-customer agenda | cut -d, -f1,3'
	assert_output $'id,days_overdue\n1,10\n3,7\n2,4'
}

@test "agenda --days N includes follow-ups due within N days" {
	seed_activities
	run bash -c 'crm-customer agenda --days 3 | cut -d, -f1-3'
	assert_output $'id,follow_up,days_overdue\n1,2026-11-20,3\n3,2026-11-23,0\n2,2026-11-26,-3'
	run crm-customer agenda -d 10 -f ids
	assert_output $'1\n3\n2\n5'
	run --separate-stderr crm-customer agenda --days soon
	assert_failure 64
	assert_stderr 'crm-customer: --days "soon": not a non-negative integer'
}

@test "agenda --owner keeps the owner's customers; --mine uses CRM_USER" {
	seed_activities
	run crm-customer agenda -d 30 --owner alice -f ids
	assert_output $'1\n3'
	run crm-customer agenda -d 30 --owner carol -f ids
	assert_output 5
	CRM_USER=bob run crm-customer agenda -d 30 --mine -f ids
	assert_output 2
	run crm-customer agenda -d 30 --mine -f ids
	assert_output ''
}

@test "done marks follow-ups done and they leave the agenda" {
	seed_activities
	run --separate-stderr crm-customer done 1
	assert_success
	assert_output ''
	assert_stderr 'crm-customer: marked 1 follow-up done'
	run crm-customer agenda -f ids
	assert_output 3
	run --separate-stderr crm-customer done 1
	assert_success
	assert_stderr 'crm-customer: marked 0 follow-ups done'
	run --separate-stderr crm-customer done 3 2
	assert_stderr 'crm-customer: marked 2 follow-ups done'
	run crm-customer activities --fields id,done
	assert_output $'id,done\n1,yes\n2,yes\n3,yes\n4,\n5,'
	run crm-customer agenda -d 30 -f ids
	assert_output 5
}

@test "done of a missing activity exits 1 and marks nothing; no ids exits 64" {
	seed_activities
	run --separate-stderr crm-customer done 1 99
	assert_failure 1
	assert_stderr 'crm-customer: activity 99: not found'
	run crm-customer activities --where done=yes -f ids
	assert_output ''
	run --separate-stderr crm-customer done
	assert_failure 64
}

# ---- dupes and merge ---------------------------------------------------------

seed_dupes() {
	crm-customer add 'ACME, Inc.' email=info@acme.com phone='+86 138 0000 0007' tags=key >/dev/null
	crm-customer add Acme email=sales@acme.com region=EU industry=saas tags=vip color=red >/dev/null
	crm-customer add 'Phone Guy' phone=13800000007 >/dev/null
	crm-customer add 张三 kind=person >/dev/null
	crm-customer add '张 三' kind=person email=zhang@x.cn >/dev/null
	crm-customer add Unique email=u@x.com phone=555-0100 >/dev/null
}

@test "an e-mail that differs only in case is the same e-mail: the second add is refused" {
	crm-customer add Acme email=info@acme.com >/dev/null
	run --separate-stderr crm-customer add 'Acme Two' email=INFO@ACME.COM
	assert_failure 65
	assert_stderr "crm-customer: field 'email': \"INFO@ACME.COM\" already belongs to customer 1"
	run crm-customer dupes --by email
	assert_output 'group,id,name,email,phone,match'
}

@test "dupes groups a +86 phone with its bare digits, 张三 with 张 三, ACME, Inc. with Acme" {
	seed_dupes
	run --separate-stderr crm-customer dupes
	assert_success
	assert_stderr_empty
	assert_output 'group,id,name,email,phone,match
1,1,"ACME, Inc.",info@acme.com,+86 138 0000 0007,phone;name
1,2,Acme,sales@acme.com,,name
1,3,Phone Guy,,13800000007,phone
2,4,张三,,,name
2,5,张 三,zhang@x.cn,,name'
}

@test "dupes --by phone and --by name match on that alone" {
	seed_dupes
	run bash -c "crm-customer dupes --by phone -f json | jq -c 'map([.id, .match])'"
	assert_output '[[1,["phone"]],[3,["phone"]]]'
	run crm-customer dupes --by name -f ids
	assert_output $'1\n2\n4\n5'
	run crm-customer dupes --by phone,name -f json
	run jq -c 'map([.group, .id])' <<<"$output"
	assert_output '[[1,1],[1,2],[1,3],[2,4],[2,5]]'
	run --separate-stderr crm-customer dupes --by colour
	assert_failure 64
	assert_stderr 'crm-customer: --by "colour": not email, phone or name'
}

@test "merge moves contacts and activities, fills empty fields, unions tags, removes the duplicate" {
	seed_dupes
	crm-customer contact add 2 "Dup Contact" >/dev/null
	crm-customer log 2 -k call -m "dup call" >/dev/null
	CRM_NOW=2026-11-24T10:00:00Z run --separate-stderr crm-customer merge 1 2
	assert_success
	assert_output ''
	assert_stderr_contains 'crm-customer: merged 1 customer into 1 as change '
	[[ "$stderr" =~ \(undo:\ crm-customer\ undo\ [0-9]+\)$ ]]
	run fields_of 1 name,email,phone,region,industry,tags,color,updated_at
	assert_output '"ACME, Inc.",info@acme.com,+86 138 0000 0007,EU,saas,key;vip,red,2026-11-24T10:00:00Z'
	run --separate-stderr crm-customer show 2
	assert_failure 1
	run crm-customer contact list --fields name,customer
	assert_output $'name,customer\nDup Contact,1'
	run crm-customer activities --fields summary,customer
	assert_output $'summary,customer\ndup call,1'
	[ "$(ids)" = "1 3 4 5 6" ]
}

@test "undo of a merge restores every customer, contact and activity" {
	seed_dupes
	crm-customer contact add 2 "Dup Contact" >/dev/null
	crm-customer log 2 -k call -m "dup call" >/dev/null
	crm-customer list -f csv >before.csv
	crm-customer contact list --fields id,customer,name >contacts-before.csv
	crm-customer activities --fields id,customer,summary >activities-before.csv
	run --separate-stderr crm-customer merge 1 2 3
	assert_success
	local change
	change=$(sed -n 's/.*as change \([0-9][0-9]*\) .*/\1/p' <<<"$stderr")
	[ -n "$change" ]
	[ "$(ids)" = "1 4 5 6" ]
	CRM_NOW=2026-11-25T10:00:00Z run --separate-stderr crm-customer undo "$change"
	assert_success
	assert_output ''
	assert_stderr_contains "crm-customer: undid change $change "
	crm-customer list -f csv >after.csv
	# equal except updated_at (column 3) of the customer that was kept
	diff <(cut -d, -f1,2,4- before.csv) <(cut -d, -f1,2,4- after.csv)
	crm-customer contact list --fields id,customer,name >contacts-after.csv
	cmp contacts-before.csv contacts-after.csv
	crm-customer activities --fields id,customer,summary >activities-after.csv
	cmp activities-before.csv activities-after.csv
	[ "$(ids)" = "1 2 3 4 5 6" ]
}

@test "merge of a missing customer exits 1 and changes nothing" {
	seed_dupes
	crm-customer list -f csv >before.csv
	run --separate-stderr crm-customer merge 1 2 99
	assert_failure 1
	assert_stderr 'crm-customer: customer 99: not found'
	crm-customer list -f csv >after.csv
	cmp before.csv after.csv
}

@test "merge of a customer into itself exits 64" {
	seed_dupes
	run --separate-stderr crm-customer merge 1 1
	assert_failure 64
	assert_stderr 'crm-customer: cannot merge customer 1 into itself'
	[ "$(ids)" = "1 2 3 4 5 6" ]
}

@test "undo of a change already undone exits 65 and changes nothing" {
	seed_dupes
	crm-customer merge 1 2 2>merge.err
	local change
	change=$(sed -n 's/.*as change \([0-9][0-9]*\) .*/\1/p' merge.err)
	crm-customer undo "$change" 2>/dev/null
	crm-customer list -f csv >before.csv
	run --separate-stderr crm-customer undo "$change"
	assert_failure 65
	assert_output ''
	assert_stderr "crm-customer: change $change was already undone by change $((change + 1))"
	crm-customer list -f csv >after.csv
	cmp before.csv after.csv
}

@test "undo of an unknown change exits 1; of a non-number exits 64" {
	seed_customers
	run --separate-stderr crm-customer undo 999
	assert_failure 1
	assert_stderr 'crm-customer: change 999: not found'
	run --separate-stderr crm-customer undo abc
	assert_failure 64
	assert_stderr 'crm-customer: undo "abc": not a change number'
}

@test "undo of an add - removes exactly that batch" {
	crm-customer add First >/dev/null
	printf 'name,email\nB,b@x.com\nC,c@x.com\n' | crm-customer add - >/dev/null 2>&1
	run bash -c 'crm-customer history 2 | cut -d, -f2,6'
	assert_output $'change,op\n2,create'
	run --separate-stderr crm-customer undo 2
	assert_success
	assert_stderr 'crm-customer: undid change 2 (2 entries) as change 3'
	[ "$(ids)" = "1" ]
	# the e-mails are free again and ids are not reused
	run crm-customer add D email=b@x.com
	assert_output 4
}

@test "undo of a set restores the old values" {
	seed_customers
	crm-customer set 1 tier=C notes=changed
	run bash -c 'crm-customer history 1 | cut -d, -f2,7-'
	assert_output $'change,field,old,new\n1,,,\n2,tier,A,C\n2,notes,,changed'
	run --separate-stderr crm-customer undo 2
	assert_success
	run fields_of 1 tier,notes
	assert_output 'A,'
}

# ---- history -----------------------------------------------------------------

@test "history shows every change with time, user, tool, field, old and new value" {
	crm-customer add Acme tier=A >/dev/null
	CRM_NOW=2026-11-24T08:00:00Z CRM_USER=alice crm-customer set 1 tier=B owner=alice
	CRM_NOW=2026-11-25T08:00:00Z crm-customer tag 1 +vip 2>/dev/null
	run --separate-stderr crm-customer history 1
	assert_success
	assert_stderr_empty
	assert_output 'at,change,user,tool,id,op,field,old,new
2026-11-23T10:00:00Z,1,tester,crm-customer,1,create,,,
2026-11-24T08:00:00Z,2,alice,crm-customer,1,update,tier,A,B
2026-11-24T08:00:00Z,2,alice,crm-customer,1,update,owner,,alice
2026-11-25T08:00:00Z,3,tester,crm-customer,1,update,tags,,vip'
	run crm-customer history ext:nope
	assert_failure 1
}

@test "history of a deleted customer still shows its life, ending in delete" {
	seed_customers
	CRM_NOW=2026-11-24T00:00:00Z crm-customer delete 2 2>/dev/null
	run --separate-stderr crm-customer history 2 -f json
	assert_success
	run jq -c 'map([.change, .op, .at])' <<<"$output"
	assert_output '[[1,"create","2026-11-23T10:00:00Z"],[2,"delete","2026-11-24T00:00:00Z"]]'
}

@test "history of a customer that never existed exits 1" {
	seed_customers
	run --separate-stderr crm-customer history 99
	assert_failure 1
	assert_output ''
	assert_stderr 'crm-customer: customer 99: not found'
}

@test "show, agenda, dupes and history refuse --fields (64) instead of ignoring it" {
	seed_activities
	local c
	for c in 'show 1' agenda dupes 'history 1'; do
		# shellcheck disable=SC2086
		run --separate-stderr crm-customer $c --fields id
		assert_failure 64
		assert_output ''
		assert_stderr "crm-customer: unknown option '--fields'
Try 'crm-customer ${c%% *} --help'."
	done
}

# ---- pipelines into other tools ----------------------------------------------

@test "list -f csv imports into sqlite3 with .import --csv" {
	command -v sqlite3 >/dev/null || skip "sqlite3 is not installed"
	seed_customers
	crm-customer list -f csv >c.csv
	run sqlite3 :memory: '.import --csv c.csv c' \
	    "select count(*), sum(owner = 'alice') from c" \
	    "select phone from c where ext_id = 'E1'" \
	    "select name from c where segment = 'gold' order by id"
	assert_success
	assert_output $'4|2\n+86 138 0000 0007\nAcme Corp\nDelta GmbH'
}

@test "list -f csv reads into mlr --icsv --ojson" {
	command -v mlr >/dev/null || skip "mlr is not installed"
	seed_customers
	run bash -c "crm-customer list -f csv --fields id,name,owner | mlr --icsv --ojsonl filter '\$owner == \"alice\"'"
	assert_success
	assert_output $'{"id": 1, "name": "Acme Corp", "owner": "alice"}\n{"id": 3, "name": "张三", "owner": "alice"}'
	run bash -c "crm-customer list -f csv | mlr --icsv --opprint count -g owner then sort -f owner"
	assert_output $'owner count\nalice 2\nbob   1\ncarol 1'
}

@test "list -f json feeds jq, and jq's output feeds set -" {
	seed_customers
	run bash -c "crm-customer list -f json | jq -r '.[] | select(.tags | index(\"vip\")) | .email'"
	assert_success
	assert_output $'info@acme.com\nzhang@example.cn'
	crm-customer list -f json | jq '[.[] | select(.owner == "carol") | .owner = "dave"]' |
	    crm-customer set - 2>/dev/null
	[ "$(ids --where owner=dave)" = "4" ]
}
