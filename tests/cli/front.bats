#!/usr/bin/env bats
# front.bats — the crm front: `crm TOOL ...` runs crm-TOOL (beside crm, then
# in $PATH, by exec), `crm help`, and the database commands init, backup,
# check, stats and audit, on a fresh database per test (see helper.bash).
# The damage `crm check` must find is made with LMDB's own tools
# (mdb_dump, mdb_load), as an admin or a stray program could.

load helper

setup() {
	common_setup
	# Programs of these tests' own, found through $PATH.
	mkdir -p "$BATS_TEST_TMPDIR/path"
	PATH="$PATH:$BATS_TEST_TMPDIR/path"
}

# fake_tool DIR NAME BODY: an executable DIR/crm-NAME running sh BODY.
fake_tool() {
	mkdir -p "$1"
	printf '#!/bin/sh\n%s\n' "$3" >"$1/crm-$2"
	chmod +x "$1/crm-$2"
}

# hex TEXT: TEXT as mdb_dump prints a key or value.
hex() {
	printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'
}

# id8 N: an id as the 8-byte big-endian key of a record.
id8() {
	printf '%016x' "$1"
}

# put DIR DATABASE KEYHEX VALHEX: writes one entry with mdb_load,
# overwriting what the key held.
put() {
	printf 'VERSION=3\nformat=bytevalue\ndatabase=%s\ntype=btree\nHEADER=END\n %s\n %s\nDATA=END\n' \
	    "$2" "$3" "$4" | mdb_load -s "$2" "$1"
}

# rebuild SRC DST [DATABASE KEYHEX]...: copies the database in SRC to the
# new directory DST through mdb_dump and mdb_load, leaving out the entries
# (every duplicate, in a database that has them) under each KEYHEX of
# DATABASE.
rebuild() {
	local src=$1 dst=$2 part
	shift 2
	mkdir -p "$dst" "$BATS_TEST_TMPDIR/parts"
	rm -f "$BATS_TEST_TMPDIR"/parts/*
	mdb_dump -a "$src" | awk -v drops="$*" -v dir="$BATS_TEST_TMPDIR/parts" '
	BEGIN { n = split(drops, d, " "); for (i = 1; i < n; i += 2) drop[d[i] " " d[i + 1]] = 1 }
	/^VERSION=/ { part++; file = dir "/" part; hdr = 1 }
	/^database=/ { db = substr($0, 10) }
	/^HEADER=END/ { print > file; hdr = 0; k = ""; next }
	hdr || /^DATA=END/ { print > file; next }
	k == "" { k = $0; next }
	{ if (!((db " " substr(k, 2)) in drop)) { print k > file; print > file }; k = "" }
	' || return
	for part in "$BATS_TEST_TMPDIR"/parts/*; do
		mdb_load -f "$part" "$dst" 2>/dev/null || return
	done
}

needs_lmdb_utils() {
	command -v mdb_dump >/dev/null && command -v mdb_load >/dev/null ||
	    skip "lmdb-utils (mdb_dump, mdb_load) are not installed"
}

# A customer with a contact and an activity; an invoice paid in part.
seed_sales() {
	seed_customers
	crm-customer contact add 2 'Bo Chen' email=bo@beta.io >/dev/null
	crm-customer log 2 -k call -m 'intro' >/dev/null
	fixture inv.csv <<'EOF'
number,customer,amount,currency,due_on
INV-1,E1,300.00,EUR,2026-12-01
EOF
	fixture pay.csv <<'EOF'
ext_id,invoice,amount,paid_on
P1,INV-1,100.00,2026-11-01
P2,INV-1,50.00,2026-11-02
EOF
	crm-import invoice inv.csv 2>/dev/null && crm-import payment pay.csv 2>/dev/null
}

# ---- the front ---------------------------------------------------------------------

@test "crm alone, crm help and crm --help list the tools found and the commands" {
	fake_tool "$BATS_TEST_TMPDIR/path" hello 'echo hi'
	local how
	for how in '' help --help -h; do
		# shellcheck disable=SC2086
		run --separate-stderr crm $how
		assert_success
		assert_stderr_empty
		assert_line --index 0 'usage: crm [--db DIR] COMMAND [ARGS]...'
		assert_line --regexp '^  customer +Customers, contacts, activities and follow-ups\.$'
		assert_line --regexp '^  import +Bulk load '
		# a program that is not a crm tool is listed, without a summary
		assert_line --regexp '^  hello *$'
		local c
		for c in init backup check stats audit help; do
			assert_line --regexp "^  $c +[a-z]"
		done
		assert_output --partial 'Exit status: 0 ok'
	done
	run crm --version
	assert_success
	assert_output --regexp '^crm [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "crm TOOL runs crm-TOOL with the arguments, global --db included" {
	run --separate-stderr crm customer add Acme email=info@acme.com
	assert_success
	assert_output 1
	assert_stderr_empty
	run crm customer list --fields id,name -f csv
	assert_output $'id,name\n1,Acme'
	run crm --db "$BATS_TEST_TMPDIR/other" customer add Other
	assert_output 1
	run crm-customer --db "$BATS_TEST_TMPDIR/other" list --fields name -f csv --no-header
	assert_output Other
	run crm --db="$BATS_TEST_TMPDIR/other" customer list -f ids
	assert_output 1
}

@test "a tool's exit status, messages and signals pass through: crm execs it" {
	seed_customers
	run --separate-stderr crm customer show 99
	assert_failure 1
	assert_stderr 'crm-customer: customer 99: not found'
	fake_tool "$BATS_TEST_TMPDIR/path" args 'printf "[%s]" "$@"; echo; exit 3'
	run crm args 'a b' -x --db=z
	assert_failure 3
	assert_output "[a b][-x][--db=z]"
	# options before the command come first
	run crm --db d args list
	assert_output "[--db][d][list]"
	# killed by a signal: the shell sees the signal, not an exit
	fake_tool "$BATS_TEST_TMPDIR/path" die 'kill -TERM $$'
	run crm die
	assert_failure 143
	# one process: the tool has crm's pid
	fake_tool "$BATS_TEST_TMPDIR/path" pid 'echo $$'
	crm pid >pid.out &
	local pid=$!
	wait "$pid"
	assert_equal "$(cat pid.out)" "$pid"
}

@test "a tool beside crm comes before one of the same name in \$PATH" {
	mkdir -p beside
	cp "$CRM_BIN_DIR/crm" beside/crm
	fake_tool beside hello 'echo beside'
	fake_tool "$BATS_TEST_TMPDIR/path" hello 'echo path'
	run beside/crm hello
	assert_success
	assert_output beside
	# through a symbolic link, beside the program itself
	ln -s beside/crm crmlink
	run ./crmlink hello
	assert_output beside
	run crm hello
	assert_output path
	# not executable: not a tool
	chmod -x beside/crm-hello
	run beside/crm hello
	assert_output path
}

@test "an unknown command exits 64, names it and suggests a near one" {
	run --separate-stderr crm nosuch
	assert_failure 64
	assert_output ''
	assert_stderr "crm: 'nosuch' is not a crm command, and there is no crm-nosuch beside crm or in \$PATH; see 'crm help'"
	run --separate-stderr crm custmer list
	assert_failure 64
	assert_stderr_contains "did you mean 'customer'"
	run --separate-stderr crm chek
	assert_failure 64
	assert_stderr_contains "did you mean 'check'"
	# a name is a name, not a path
	fake_tool "$BATS_TEST_TMPDIR" evil 'echo ran'
	run --separate-stderr crm ../evil
	assert_failure 64
	assert_output ''
	run --separate-stderr crm --bogus
	assert_failure 64
	assert_stderr_contains "unknown option '--bogus'"
}

@test "crm help COMMAND: a command's options, a tool's manual, else its --help" {
	run --separate-stderr crm help check
	assert_success
	assert_line --index 0 'usage: crm check [OPTIONS]'
	assert_line --regexp '^  -f, --format FMT '
	run --separate-stderr crm audit --help
	assert_success
	assert_line --index 0 'usage: crm audit [OPTIONS]'
	assert_line --regexp '^      --since TIME '
	# no manual page to be found: the tool's --help
	mkdir -p man/man1
	MANPATH="$BATS_TEST_TMPDIR/man" run --separate-stderr crm help customer
	assert_success
	assert_line --index 0 'usage: crm-customer [--db DIR] COMMAND [OPTIONS] [ARGS]'
	# with one, man shows it
	if command -v man >/dev/null; then
		cp "$BATS_TEST_DIRNAME/../../man/crm-customer.1" man/man1/
		MANPATH="$BATS_TEST_TMPDIR/man" MANPAGER=cat PAGER=cat \
		    run --separate-stderr crm help customer
		assert_success
		assert_output --regexp 'CRM-CUSTOMER\(1\)'
		assert_output --partial 'crm-customer'
	fi
	run --separate-stderr crm help nosuch
	assert_failure 64
	assert_stderr_contains "'nosuch' is not a crm command"
	run --separate-stderr crm help check init
	assert_failure 64
}

# ---- init ----------------------------------------------------------------------------

@test "init creates the database (0700, files 0600), says where, and can run again" {
	local db="$BATS_TEST_TMPDIR/a/b/crm"
	run --separate-stderr crm --db "$db" init
	assert_success
	assert_output "$db"
	assert_stderr 'crm: created a new database'
	[ "$(stat -c %a "$db")" = 700 ]
	local f
	for f in data.mdb lock.mdb write.lock; do
		[ "$(stat -c %a "$db/$f")" = 600 ] || fail "$f: mode $(stat -c %a "$db/$f")"
	done
	# empty, but a database: readers find nothing rather than no database
	run crm-customer --db "$db" list -f ids
	assert_success
	assert_output ''
	crm-customer --db "$db" add Acme >/dev/null
	# again: nothing changes
	run --separate-stderr crm init --db "$db"
	assert_success
	assert_output "$db"
	assert_stderr 'crm: the database exists already'
	run crm-customer --db "$db" list --fields name -f csv --no-header
	assert_output Acme
	# $CRM_DB, relative: the absolute path is printed
	cd a
	CRM_DB=rel run --separate-stderr crm init
	assert_output "$BATS_TEST_TMPDIR/a/rel"
}

@test "init warns about a database directory open to others, and fails clearly" {
	mkdir -m 755 open
	run --separate-stderr crm --db open init
	assert_success
	assert_stderr_contains "crm: warning: $BATS_TEST_TMPDIR/open is open to other users (mode 0755); chmod 700 it"
	touch plainfile
	run --separate-stderr crm --db plainfile/db init
	assert_failure 73
	assert_stderr_contains 'plainfile/db'
	[ ! -e plainfile/db ]
}

# ---- check ----------------------------------------------------------------------------

@test "check on a healthy database prints a summary and exits 0, in every format" {
	seed_sales
	run --separate-stderr crm check
	assert_success
	assert_output 'entity,id,field,problem'
	assert_stderr 'crm: check: ok: 9 records, 28 index entries, 12 audit entries'
	run --separate-stderr crm check -f json
	assert_output '[]'
	run --separate-stderr crm check -f ndjson
	assert_output ''
	command -v script >/dev/null || skip "script(1) is not installed"
	# on a terminal: no empty table, just the summary
	run script -qec "crm check" /dev/null
	assert_success
	assert_output $'crm: check: ok: 9 records, 28 index entries, 12 audit entries\r'
}

@test "check needs a database: 66 when there is none" {
	run --separate-stderr crm check
	assert_failure 66
	assert_stderr_contains 'no database at'
}

@test "check names a broken unique index: entity, id, field, both ways" {
	needs_lmdb_utils
	seed_customers
	# info@acme.com (customer 1) now points at customer 2; and a stray entry
	put "$CRM_DB" customer.email "$(hex info@acme.com)" "$(id8 2)"
	put "$CRM_DB" customer.email "$(hex ghost@x.org)" "$(id8 9)"
	run --separate-stderr crm check
	assert_failure 65
	assert_output 'entity,id,field,problem
customer,1,email,"""info@acme.com"" is unique, but its index names customer 2"
customer,9,email,"index customer.email names it for ""ghost@x.org"", but it does not exist"
customer,2,email,"index customer.email names it for ""info@acme.com"", which it does not hold"'
	assert_stderr 'crm: check: 3 problems in 4 records, 19 index entries, 4 audit entries'
	run --separate-stderr crm check -f json
	assert_failure 65
	run jq -c '.[0]' <<<"$output"
	assert_output '{"entity":"customer","id":1,"field":"email","problem":"\"info@acme.com\" is unique, but its index names customer 2"}'
}

@test "check finds a missing index entry, a dangling reference, and a record gone behind the log's back" {
	needs_lmdb_utils
	seed_sales
	crm check 2>/dev/null
	# the copy through mdb_dump and mdb_load is itself sound
	rebuild "$CRM_DB" same
	run --separate-stderr crm --db same check
	assert_success
	# customer 1's tag vip left out of its index; customer 2 (with a
	# contact and an activity) and payment 2 removed outright
	rebuild "$CRM_DB" broken customer.tags.ids "$(hex vip)" \
	    customer "$(id8 2)" payment "$(id8 2)"
	run --separate-stderr crm --db broken check
	assert_failure 65
	assert_output 'entity,id,field,problem
customer,1,tags,"""vip"" is not in index customer.tags"
customer,3,tags,"""vip"" is not in index customer.tags"
contact,1,customer,"refers to customer 2, which does not exist"
activity,1,customer,"refers to customer 2, which does not exist"
customer,2,ext_id,"index customer.ext_id names it for ""E2"", but it does not exist"
customer,2,email,"index customer.email names it for ""hello@beta.io"", but it does not exist"
customer,2,phone,"index customer.phone names it for ""800000014"", but it does not exist"
customer,2,owner,"index customer.owner names it for ""bob"", but it does not exist"
payment,2,ext_id,"index payment.ext_id names it for ""P2"", but it does not exist"
payment,2,invoice,"index payment.invoice names it for 1, but it does not exist"
invoice,1,paid,"is 150.00, but its payments sum to 100.00"
payment,2,,"does not exist, but the audit log never deleted it (last change 5)"
customer,2,,"does not exist, but the audit log never deleted it (last change 1)"'
	assert_stderr_contains 'crm: check: 13 problems in 7 records'
}

@test "check finds an audit entry that does not decode and one filed under no record" {
	needs_lmdb_utils
	seed_customers
	crm-customer set 1 tier=B >/dev/null
	# the creation of customers 1 to 4 (one run, filed under the key
	# 0x80 | entity, first id) no longer filed in audit.rec
	rebuild "$CRM_DB" noaudit audit.rec "81$(id8 1)"
	run --separate-stderr crm --db noaudit check
	assert_failure 65
	assert_output 'entity,id,field,problem
customer,2,,has no entry in the audit log
customer,3,,has no entry in the audit log
customer,4,,has no entry in the audit log
audit,1,,not filed under customer 1 in audit.rec
audit,2,,not filed under customer 2 in audit.rec
audit,3,,not filed under customer 3 in audit.rec
audit,4,,not filed under customer 4 in audit.rec'
	# entry 1 (the creation of customers 1 to 4) overwritten with junk:
	# the entries after it cannot be read in order
	put "$CRM_DB" audit "$(id8 1)" ffffffffff
	run --separate-stderr crm check
	assert_failure 65
	assert_output 'entity,id,field,problem
audit,1,,entry does not decode (1 entries after it not checked)'
}

@test "check finds a sequence behind the ids in use" {
	needs_lmdb_utils
	seed_customers
	put "$CRM_DB" meta "$(hex seq/customer)" "$(id8 3)"
	run --separate-stderr crm check
	assert_failure 65
	assert_output 'entity,id,field,problem
meta,,seq/customer,"next is 3, but 4 is in use"'
}

@test "an import killed with SIGKILL mid-way leaves a database that checks clean" {
	seed_customers
	n_rows big.csv 100000 K
	local pid st=0 n i
	crm-import customer --batch 2000 big.csv 2>import.err 3>&- &
	pid=$!
	bg_started "$pid"
	# kill it once a few batches are in
	for ((i = 0; i < 2000; i++)); do
		n=$(crm stats -f csv --no-header 2>/dev/null | awk -F, '$1 == "records.customer" { print $2 }')
		[ "${n:-0}" -ge 10004 ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.01
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" || st=$?
	[ "$st" -eq 137 ] || fail "the import was not killed mid-way (status $st): $(cat import.err)"
	run --separate-stderr crm check
	assert_success
	assert_output 'entity,id,field,problem'
	n=$(crm-customer list -f ids | wc -l)
	# whole batches of 2000, after the 4 seeded
	[ $(((n - 4) % 2000)) -eq 0 ] && [ "$n" -gt 4 ] && [ "$n" -lt 100004 ] ||
	    fail "$n customers after the kill"
	assert_stderr "crm: check: ok: $n records, $((n * 3 + 6)) index entries, $n audit entries"
	# and an all-or-nothing import killed once it writes leaves it clean too
	n_rows big2.csv 300000 L
	crm-import customer big2.csv 2>import.err 3>&- &
	pid=$!
	bg_started "$pid"
	for ((i = 0; i < 2000; i++)); do
		flock -n "$CRM_DB/write.lock" true || break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.005
	done
	sleep 0.1
	kill -KILL "$pid" 2>/dev/null || true
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq 137 ] || fail "the import was not killed mid-way (status $st): $(cat import.err)"
	run --separate-stderr crm check
	assert_success
	assert_stderr "crm: check: ok: $n records, $((n * 3 + 6)) index entries, $n audit entries"
}

# ---- backup ----------------------------------------------------------------------------

@test "backup writes a copy that opens and checks clean: to a file, a directory, stdout" {
	seed_sales
	run --separate-stderr crm backup copy.mdb
	assert_success
	assert_output ''
	assert_stderr 'crm: backed up to copy.mdb'
	[ "$(stat -c %a copy.mdb)" = 600 ]
	mkdir restored
	cp copy.mdb restored/data.mdb
	run --separate-stderr crm --db restored check
	assert_success
	assert_stderr 'crm: check: ok: 9 records, 28 index entries, 12 audit entries'
	assert_equal "$(crm-customer --db restored list -f csv)" "$(crm-customer list -f csv)"
	assert_equal "$(crm --db restored audit -f csv)" "$(crm audit -f csv)"
	# into a directory: ready to open
	mkdir dir
	run --separate-stderr crm backup --check dir
	assert_success
	assert_stderr "crm: backed up to dir/data.mdb; the copy checks clean (9 records, 28 index entries, 12 audit entries)"
	run ls -A dir
	assert_output data.mdb
	run crm --db dir stats -f csv --no-header
	assert_line 'records.customer,4'
	# to standard output, the same bytes
	run --separate-stderr bash -c 'crm backup - >stdout.mdb'
	assert_success
	assert_stderr 'crm: backed up to standard output'
	cmp stdout.mdb copy.mdb
	crm backup --check - 2>/dev/null | cmp - copy.mdb
	# nothing left behind
	run ls -A
	refute_output --partial .crm-backup
}

@test "a failed backup leaves no file, and an older backup as it was" {
	seed_customers
	crm backup copy.mdb 2>/dev/null
	cp copy.mdb before.mdb
	run --separate-stderr crm backup nodir/copy.mdb
	assert_failure 73
	assert_stderr "crm: cannot write the backup in nodir: No such file or directory"
	[ ! -e nodir ]
	# onto the database itself: refused
	run --separate-stderr crm backup "$CRM_DB"
	assert_failure 64
	assert_stderr "crm: backup: $CRM_DB/data.mdb is the database itself"
	run --separate-stderr crm backup "$CRM_DB/data.mdb"
	assert_failure 64
	# a copy that fails its check replaces nothing
	if command -v mdb_load >/dev/null; then
		crm-customer add Later >/dev/null
		put "$CRM_DB" customer.email "$(hex ghost@x.org)" "$(id8 9)"
		run --separate-stderr crm backup --check copy.mdb
		assert_failure 65
		assert_stderr "crm: backup: customer 9: field 'email': index customer.email names it for \"ghost@x.org\", but it does not exist
crm: the copy fails its check (1 problem); no backup written"
		cmp copy.mdb before.mdb
	fi
	run ls -A
	refute_output --partial .crm-backup
	# a terminal is no place for it
	if command -v script >/dev/null; then
		run script -qec "crm backup -" /dev/null
		assert_failure 64
		assert_output --partial 'standard output is a terminal'
	fi
}

@test "backup while another process writes: each copy is one consistent snapshot" {
	n_rows rows.csv 60000 W
	# from a small map, so that it grows while copies are made
	CRM_MAP_SIZE=1048576 crm-import customer --batch 1000 rows.csv 2>import.err 3>&- &
	local pid=$! k n copies=0
	bg_started "$pid"
	for ((k = 1; k <= 200 && copies < 5; k++)); do
		# The writer is frozen wherever it is (mid-transaction, as
		# likely as not) while a copy is taken and read, and runs a
		# moment between copies: enough copies whatever the load.
		sleep 0.02
		kill -STOP "$pid" 2>/dev/null || break
		mkdir "copy$k"
		run --separate-stderr timeout 10 crm backup --check "copy$k"
		if [ "$status" -eq 124 ] || [ "$status" -eq 66 ]; then
			# 124: frozen while it held LMDB's lock-file lock
			# (opening the environment); 66: not created yet
			kill -CONT "$pid" 2>/dev/null
			rm -rf "copy$k"
			continue
		fi
		assert_success
		run --separate-stderr crm --db "copy$k" check
		assert_success
		n=$(crm-customer --db "copy$k" list -f ids | wc -l)
		[ $((n % 1000)) -eq 0 ] || fail "copy $k holds $n customers: not whole batches"
		copies=$((copies + 1))
		kill -CONT "$pid" 2>/dev/null	# (it may have ended just before)
	done
	wait "$pid" || fail "the import failed: $(cat import.err)"
	[ "$copies" -ge 3 ] || fail "only $copies copies were made"
	run crm backup --check final.mdb
	assert_success
	run crm stats -f csv --no-header
	assert_line 'records.customer,60000'
}

# ---- stats ---------------------------------------------------------------------------

@test "stats: records per entity, index entries, sizes, last change, in every format" {
	seed_sales
	run --separate-stderr crm stats -f csv
	assert_success
	assert_stderr_empty
	assert_line --index 0 'name,value'
	assert_line "path,$CRM_DB"
	assert_line 'schema_version,3'
	assert_line --regexp '^file_bytes,[0-9]+$'
	assert_line --regexp '^used_bytes,[0-9]+$'
	assert_line --regexp '^map_bytes,[0-9]+$'
	assert_line 'records.customer,4'
	assert_line 'records.contact,1'
	assert_line 'records.activity,1'
	assert_line 'records.invoice,1'
	assert_line 'records.payment,2'
	assert_line 'records.deal,0'
	assert_line 'index.customer.email,4'
	assert_line 'index.customer.tags,4'
	assert_line 'index.payment.invoice,2'
	assert_line 'audit_entries,12'
	assert_line 'last_change,5'
	assert_line 'last_change_at,2026-11-23T10:00:00Z'
	assert_line 'last_change_user,tester'
	assert_line 'last_change_tool,crm-import'
	# the size of the file is what stat(1) says
	local size
	size=$(stat -c %s "$CRM_DB/data.mdb")
	assert_line "file_bytes,$size"
	run bash -c "crm stats -f json | jq -c 'from_entries | [.\"records.customer\", .last_change, .last_change_user, .file_bytes == $size]'"
	assert_output '[4,5,"tester",true]'
	run bash -c "crm stats -f ndjson | jq -c 'select(.name == \"records.payment\")'"
	assert_output '{"name":"records.payment","value":2}'
	run crm stats -f tsv --no-header
	assert_line $'records.ticket\t0'
	run crm stats -f table
	assert_line --regexp '^records\.customer +4$'
	run crm stats -f ids
	assert_line 'records.customer'
}

@test "stats on a new database: zeros and no last change" {
	crm init >/dev/null 2>&1
	run crm stats -f csv --no-header
	assert_success
	assert_line 'records.customer,0'
	assert_line 'audit_entries,0'
	assert_line 'last_change,'
	assert_line 'last_change_user,'
}

# ---- audit ------------------------------------------------------------------------------

@test "audit prints the log: time, user, tool, change, entity, id, op, field, old, new" {
	seed_customers
	CRM_NOW=2026-11-24T08:00:00Z CRM_USER=ann crm customer set 2 tier=A >/dev/null
	CRM_NOW=2026-11-25T08:00:00Z crm customer contact add 1 Ann >/dev/null
	CRM_NOW=2026-11-26T08:00:00Z crm customer delete 4 >/dev/null 2>&1
	run --separate-stderr crm audit
	assert_success
	assert_stderr_empty
	assert_output 'at,user,tool,change,entity,id,op,field,old,new
2026-11-23T10:00:00Z,tester,crm-customer,1,customer,1,create,,,
2026-11-23T10:00:00Z,tester,crm-customer,1,customer,2,create,,,
2026-11-23T10:00:00Z,tester,crm-customer,1,customer,3,create,,,
2026-11-23T10:00:00Z,tester,crm-customer,1,customer,4,create,,,
2026-11-24T08:00:00Z,ann,crm-customer,2,customer,2,update,tier,B,A
2026-11-25T08:00:00Z,tester,crm-customer,3,contact,1,create,,,
2026-11-26T08:00:00Z,tester,crm-customer,4,customer,4,delete,,,'
	run crm audit --entity customer --id 2 -f csv --no-header
	assert_output $'2026-11-23T10:00:00Z,tester,crm-customer,1,customer,2,create,,,\n2026-11-24T08:00:00Z,ann,crm-customer,2,customer,2,update,tier,B,A'
	run crm audit --id 1 -f ids
	assert_output $'1\n1'
	run crm audit --entity contact -f csv --no-header
	assert_output '2026-11-25T08:00:00Z,tester,crm-customer,3,contact,1,create,,,'
	run crm audit --user ann -f csv --no-header --fields x
	assert_failure 64
	run crm audit -u ann -f csv --no-header
	assert_output '2026-11-24T08:00:00Z,ann,crm-customer,2,customer,2,update,tier,B,A'
	run crm audit -c 4 -f ndjson
	assert_output '{"at":"2026-11-26T08:00:00Z","user":"tester","tool":"crm-customer","change":4,"entity":"customer","id":4,"op":"delete","field":null,"old":null,"new":null}'
	# relative times count back from now
	CRM_NOW=2026-11-27T09:00:00Z run crm audit --since -3d -f ids
	assert_output $'1\n4'
	run crm audit --since 2026-11-24 --until 2026-11-25T08:00:00Z -f ids
	assert_output 2
	run crm audit --tool crm-import -f csv --no-header
	assert_output ''
	run crm audit --entity customer --id 2 --change 2 -f json
	assert_output '[
{"at":"2026-11-24T08:00:00Z","user":"ann","tool":"crm-customer","change":2,"entity":"customer","id":2,"op":"update","field":"tier","old":"B","new":"A"}
]'
	run crm audit -f table --entity customer --id 2
	assert_line --index 0 --regexp '^at +user +tool +change +entity +id +op +field +old +new$'
}

@test "audit: settings changes are logged as entity setting, undo puts them back, check stays clean" {
	CRM_USER=ann run --separate-stderr crm deal dunning set 1 10 20 40
	assert_success
	run --separate-stderr crm lead grades set A=80 B=40 C
	assert_success
	# the same again is no change, and no entry
	run --separate-stderr crm deal dunning set 1 10 20 40
	assert_success
	run crm audit --entity setting -f csv --no-header --fields x
	assert_failure 64
	run crm audit --entity setting -f csv --no-header
	assert_success
	assert_line --index 0 '2026-11-23T10:00:00Z,ann,crm-deal,1,setting,0,update,invoice.dunning,,"1,10,20,40"'
	assert_line --index 1 --regexp '^2026-11-23T10:00:00Z,tester,crm-lead,2,setting,0,update,lead\.grades,,.*A.*80'
	[ "${#lines[@]}" -eq 2 ]
	run crm audit --entity customer -f csv --no-header
	assert_output ''
	run --separate-stderr crm check
	assert_success
	# undo: the old text back (none: the default again), and that is logged
	run --separate-stderr crm deal undo 1
	assert_success
	run crm deal dunning -f csv --no-header
	assert_output --partial '16'
	run crm audit --entity setting -c 3 -f csv --no-header
	assert_output '2026-11-23T10:00:00Z,tester,crm-deal,3,setting,0,update,invoice.dunning,"1,10,20,40",'
	# a later change is not overwritten by undoing an earlier one
	run --separate-stderr crm lead grades set A=90 B=40 C
	run --separate-stderr crm lead undo 2
	assert_failure 65
	assert_stderr_contains "setting 'lead.grades' changed since; not undone (use --force)"
	run --separate-stderr crm check
	assert_success
}

@test "audit: bad options exit 64 and say why" {
	seed_customers
	run --separate-stderr crm audit --since yesterdayish
	assert_failure 64
	assert_stderr 'crm: --since "yesterdayish": "yesterdayish": not a timestamp (YYYY-MM-DDTHH:MM:SSZ, now, -2h, -30d, -1m)'
	run --separate-stderr crm audit --entity customers
	assert_failure 64
	assert_stderr_contains '--entity "customers": not one of customer, contact,'
	run --separate-stderr crm audit --id -3
	assert_failure 64
	assert_stderr 'crm: --id "-3": not a non-negative integer'
	run --separate-stderr crm audit extra
	assert_failure 64
}

# ---- completions -----------------------------------------------------------------------

# complete_crm LINE: what the bash completion of crm offers at the end of
# LINE, on one line.
complete_crm() {
	local line=$1 words
	# shellcheck source=/dev/null
	source "$BATS_TEST_DIRNAME/../../completions/crm.bash"
	# shellcheck source=/dev/null
	source "$BATS_TEST_DIRNAME/../../completions/crm-customer.bash"
	read -ra words <<<"${line//=/ = }"
	[[ $line == *' ' ]] && words+=('')
	COMP_WORDS=("${words[@]}")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$line
	COMP_POINT=${#line}
	COMPREPLY=()
	_crm crm "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	echo "${COMPREPLY[*]}"
}

@test "completions: crm completes its commands, the tools, and hands a tool's words to it" {
	run bash -n "$BATS_TEST_DIRNAME/../../completions/crm.bash"
	assert_success
	fake_tool "$BATS_TEST_TMPDIR/path" zeta 'exit 0'
	assert_equal "$(complete_crm 'crm ch')" 'check'
	assert_equal "$(complete_crm 'crm cu')" 'customer'
	assert_equal "$(complete_crm 'crm ze')" 'zeta'
	assert_equal "$(complete_crm 'crm check -f ')" 'table csv tsv json ndjson ids'
	assert_equal "$(complete_crm 'crm audit --entity con')" 'contact'
	assert_equal "$(complete_crm 'crm backup --')" '--db --check --help --version'
	assert_equal "$(complete_crm 'crm help che')" 'check'
	assert_equal "$(complete_crm 'crm help cus')" 'customer'
	# the tool's own completion takes over after its name
	assert_equal "$(complete_crm 'crm customer li')" 'list'
	assert_equal "$(complete_crm 'crm customer contact ')" 'add list set delete'
	assert_equal "$(complete_crm 'crm --db /tmp customer list -f j')" 'json'
	if command -v zsh >/dev/null; then
		run zsh -n "$BATS_TEST_DIRNAME/../../completions/_crm"
		assert_success
	fi
	if command -v fish >/dev/null; then
		run fish -n "$BATS_TEST_DIRNAME/../../completions/crm.fish"
		assert_success
		run fish -c "source '$BATS_TEST_DIRNAME/../../completions/crm.fish'
		    source '$BATS_TEST_DIRNAME/../../completions/crm-customer.fish'
		    complete -C 'crm sta'
		    complete -C 'crm cust'
		    complete -C 'crm customer contact l'
		    complete -C 'crm check -f nd'"
		assert_success
		assert_line --regexp '^stats	'
		assert_line --regexp '^customer'
		assert_line --regexp '^list	'
		assert_line --regexp '^ndjson'
	fi
}
