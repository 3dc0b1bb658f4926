#!/usr/bin/env bats
# Reliability of the database under crm-customer (RELIABILITY.md 1, 3, 4, 6):
# a writer killed mid-transaction, several writers at once, and a map that
# has to grow.  Each test stays well under 20 s on the plain build.

load helper

# Waits (up to 10 s) until some process holds the write lock, or until
# process $1 has ended; returns 1 in the latter case.
wait_for_write_lock() {
	local i
	for ((i = 0; i < 2000; i++)); do
		if ! flock -n "$CRM_DB/write.lock" true; then
			return 0
		fi
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.005
	done
	return 1
}

@test "a writer killed with SIGKILL mid-transaction leaves exactly the committed records" {
	seed_customers
	n_rows rows.csv 200000 K
	local before after delay pid st
	before=$(crm-customer list -f ids | wc -l)
	[ "$before" -eq 4 ]
	for delay in 0.05 0.2 0.4; do
		crm-customer add - <rows.csv >add.out 2>add.err 3>&- &
		pid=$!
		bg_started $pid
		wait_for_write_lock $pid ||
		    fail "the loader ended before taking the write lock: $(cat add.err)"
		sleep "$delay"
		kill -9 $pid 2>/dev/null || true
		st=0
		wait $pid || st=$?
		# 137 = killed by SIGKILL; anything else means it finished first
		[ "$st" -eq 137 ] ||
		    fail "the loader was not killed mid-transaction (status $st, after ${delay}s): $(cat add.err)"
		[ ! -s add.out ]
		# the database opens, and holds what was committed: nothing of the load
		run --separate-stderr crm-customer list -f ids
		assert_success
		assert_stderr_empty
		[ "${#lines[@]}" -eq "$before" ] ||
		    fail "after kill at ${delay}s: ${#lines[@]} records, expected $before"
		run crm-customer show ext:K0000001
		assert_failure 1
		run crm-customer show email:k200000@example.com
		assert_failure 1
	done
	# the lock died with the writer: the next one gets in at once
	CRM_BUSY_TIMEOUT=0 run --separate-stderr crm-customer add After email=after@x.com
	assert_success
	assert_stderr_empty
	# ids of the killed transactions were never handed out
	assert_output 5
	# a re-run of the same load now completes, with its keys free
	run --separate-stderr crm-customer add - <rows.csv
	assert_success
	assert_stderr 'crm-customer: added 200000 customers'
	after=$(crm-customer list -f ids | wc -l)
	[ "$after" -eq $((before + 1 + 200000)) ]
	run fields_of ext:K0200000 id,email
	assert_output '200005,k200000@example.com'
	# and the data is whole: every loaded row is found by a filter, in order
	[ "$(crm-customer list --where 'ext_id~K' -f ids | wc -l)" -eq 200000 ]
	run bash -c "crm-customer list -f json --sort -id --limit 3 | jq -c 'map(.ext_id)'"
	assert_output '["K0200000","K0199999","K0199998"]'
}

@test "a writer killed while holding the lock does not block the next writer" {
	seed_customers
	n_rows rows.csv 100000 K
	crm-customer add - <rows.csv >/dev/null 2>add.err 3>&- &
	local pid=$! st=0
	bg_started $pid
	wait_for_write_lock $pid || fail "the loader ended early: $(cat add.err)"
	kill -9 $pid
	wait $pid || st=$?
	[ "$st" -eq 137 ] || fail "the loader finished before the kill (status $st)"
	local t0=$SECONDS
	CRM_BUSY_TIMEOUT=0 run --separate-stderr crm-customer set 1 tier=Z
	assert_success
	assert_stderr_empty
	[ $((SECONDS - t0)) -le 2 ]
	run fields_of 1 tier
	assert_output Z
	[ "$(crm-customer list -f ids | wc -l)" -eq 4 ]
}

@test "four writers adding 50 customers each at once, with readers: all 200 arrive, no errors" {
	# the database exists before the race (its creation is tested below)
	crm-customer add Seed owner=admin >/dev/null
	local w pids=() st=0 pid
	for w in 1 2 3 4; do
		(
			exec 3>&-
			for i in $(seq 1 50); do
				crm-customer add "Writer $w no $i" email="w$w.$i@example.com" owner="w$w" \
				    >>"out.$w" 2>>"err.$w" || echo "add $w $i: exit $?" >>"err.$w"
			done
		) &
		pids+=($!)
		bg_started $!
	done
	(
		exec 3>&-
		for i in $(seq 1 40); do
			crm-customer list -f ids >/dev/null 2>>err.r || echo "list $i: exit $?" >>err.r
			crm-customer list -f json 2>>err.r | jq length >/dev/null 2>>err.r ||
			    echo "list json $i: exit $?" >>err.r
		done
	) &
	pids+=($!)
	bg_started $!
	for pid in "${pids[@]}"; do
		wait "$pid" || st=$?
	done
	[ "$st" -eq 0 ]
	local f
	for f in err.1 err.2 err.3 err.4 err.r; do
		if [ -s "$f" ]; then
			fail "$f: $(cat "$f")"
		fi
	done
	# every add printed one id, and no id was handed out twice
	[ "$(cat out.1 out.2 out.3 out.4 | wc -l)" -eq 200 ]
	[ "$(cat out.1 out.2 out.3 out.4 | sort -n | uniq | wc -l)" -eq 200 ]
	run crm-customer list -f ids --where owner!=admin
	[ "${#lines[@]}" -eq 200 ]
	[ "$(cat out.1 out.2 out.3 out.4 | sort -n)" = "$output" ]
	[ "$(crm-customer list -f ids | wc -l)" -eq 201 ]
	for w in 1 2 3 4; do
		[ "$(crm-customer list --where owner=w$w -f ids | wc -l)" -eq 50 ]
	done
	run fields_of email:w3.50@example.com name,owner
	assert_output 'Writer 3 no 50,w3'
}

@test "a reader racing the database's first write sees no database or an empty one, never an error" {
	local k j st bad=0
	for k in $(seq 1 15); do
		export CRM_DB="$BATS_TEST_TMPDIR/race$k"
		crm-customer add First >/dev/null 2>>writer.err 3>&- &
		bg_started $!
		for j in 1 2 3 4 5 6; do
			st=0
			crm-customer list -f ids >/dev/null 2>>reader.err || st=$?
			if [ "$st" -ne 0 ] && [ "$st" -ne 66 ]; then
				bad=$((bad + 1))
				echo "race$k reader $j: exit $st" >>reader.err
			fi
		done
		wait
	done
	[ ! -s writer.err ] || fail "writer: $(cat writer.err)"
	[ "$bad" -eq 0 ] || fail "$bad readers failed: $(sort reader.err | uniq -c | head -5)"
	# 66 is the only complaint allowed, and it says what it means
	if grep -v 'no database at' reader.err; then
		fail "unexpected reader messages"
	fi
}

@test "four writers tagging the same customer at once lose no update" {
	crm-customer add Shared >/dev/null
	local w pids=() st=0 pid
	for w in 1 2 3 4; do
		(
			exec 3>&-
			for i in $(seq 1 25); do
				crm-customer tag 1 "+w$w-$i" 2>>"err.$w" >/dev/null ||
				    echo "tag $w $i: exit $?" >>"err.$w"
			done
		) &
		pids+=($!)
		bg_started $!
	done
	for pid in "${pids[@]}"; do
		wait "$pid" || st=$?
	done
	[ "$st" -eq 0 ]
	local f
	for f in err.1 err.2 err.3 err.4; do
		# each tag call reports itself; anything else is an error
		if grep -v '^crm-customer: tagged 1 of 1 customer$' "$f"; then
			fail "unexpected messages in $f"
		fi
	done
	run bash -c "crm-customer list -f json --where id=1 | jq -r '.[0].tags | length'"
	assert_output 100
	run bash -c "crm-customer history 1 -f json | jq '[.[] | select(.field == \"tags\")] | length'"
	assert_output 100
}

@test "a database starting from a 1 MiB map grows to hold 20,000 customers" {
	n_rows rows.csv 20000 M
	CRM_MAP_SIZE=1048576 run --separate-stderr crm-customer add - <rows.csv
	assert_success
	assert_stderr 'crm-customer: added 20000 customers'
	[ "${#lines[@]}" -eq 20000 ]
	[ "${lines[0]}" = 1 ]
	[ "${lines[19999]}" = 20000 ]
	# the file really outgrew the initial map
	[ "$(stat -c %s "$CRM_DB/data.mdb")" -gt 1048576 ]
	CRM_MAP_SIZE=1048576 run crm-customer list -f ids
	[ "${#lines[@]}" -eq 20000 ]
	# re-opened without the variable: everything is there and writable
	run --separate-stderr crm-customer list -f ids
	assert_success
	[ "${#lines[@]}" -eq 20000 ]
	run fields_of ext:M0020000 id,name,email
	assert_output '20000,Customer 20000,m20000@example.com'
	run crm-customer show email:m1@example.com -f ids
	assert_output 1
	run --separate-stderr crm-customer add Later
	assert_success
	assert_output 20001
	# and growing again from a small map in a later process works too
	n_rows more.csv 5000 N
	CRM_MAP_SIZE=1048576 run --separate-stderr crm-customer add - <more.csv
	assert_success
	[ "$(crm-customer list -f ids | wc -l)" -eq 25001 ]
}

@test "a failed load into a 1 MiB map leaves the database as it was" {
	n_rows rows.csv 20000 M
	# the last row is bad: the whole load must vanish, even after map growth
	echo 'X1,,x1@example.com,alice' >>rows.csv
	CRM_MAP_SIZE=1048576 run --separate-stderr crm-customer add - <rows.csv
	assert_failure 65
	assert_output ''
	assert_stderr_contains "<stdin>:20002: field 'name': required"
	assert_stderr_contains 'crm-customer: nothing added: 1 error'
	run crm-customer add First
	assert_output 1
	[ "$(crm-customer list -f ids | wc -l)" -eq 1 ]
}

@test "a reader opening a database from an older crm (an index it lacks) gets the data, not exit 66" {
	command -v mdb_dump >/dev/null || skip "lmdb-utils is not installed"
	crm-customer add Acme email=a@acme.example >/dev/null
	# The same database without one index table, as a crm from before
	# that field was indexed left it.
	mdb_dump -a "$CRM_DB" | awk '
	    /^VERSION=/ { keep = 1; buf = "" }
	    /^database=lead\.contact\.ids$/ { keep = 0 }
	    { buf = buf $0 "\n" }
	    /^DATA=END/ { if (keep) printf "%s", buf; buf = "" }' >old.dump
	grep -q '^database=lead.email.ids$' old.dump
	! grep -q '^database=lead.contact.ids$' old.dump
	mkdir old
	mdb_load -f old.dump old 2>/dev/null
	run --separate-stderr crm-customer --db old list --fields id,name,email
	assert_success
	assert_output $'id,name,email\n1,Acme,a@acme.example'
	mdb_stat -a old | grep -q 'lead.contact.ids'
}
