# helper.bash — common setup for the command-line tests.
#
# Every test runs the real binaries on a fresh database in its own
# $BATS_TEST_TMPDIR, with a fixed clock ($CRM_NOW) and user ($CRM_USER), so
# outputs are exact.  The binaries come from $CRM_BIN (the Makefile points it
# at the plain or the sanitized build) or else from the repository's bin/.
#
# A failed test keeps its database: teardown copies it to
# /tmp/crm-failed-<test> and prints that path (bats deletes the test's
# temporary directory itself).

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

CRM_BIN_DIR=${CRM_BIN:-"$BATS_TEST_DIRNAME/../../bin"}
CRM_BIN_DIR=$(cd "$CRM_BIN_DIR" 2>/dev/null && pwd) || CRM_BIN_DIR=${CRM_BIN:-"$BATS_TEST_DIRNAME/../../bin"}

common_setup() {
	if [ ! -x "$CRM_BIN_DIR/crm-customer" ]; then
		echo "no crm-customer in $CRM_BIN_DIR: run make first" >&2
		return 1
	fi
	PATH="$CRM_BIN_DIR:$PATH"
	export CRM_DB="$BATS_TEST_TMPDIR/db" CRM_NOW=2026-11-23T10:00:00Z \
	    CRM_USER=tester
	unset XDG_DATA_HOME NO_COLOR CRM_MAP_SIZE CRM_BUSY_TIMEOUT
	# Sanitizer findings must fail the test, not scroll by.
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
	set -o pipefail
	cd "$BATS_TEST_TMPDIR" || return 1
}

common_teardown() {
	local name keep

	# Background helpers a test started (writers, lock holders) end here.
	# Only jobs of this shell that are still running: a pid already reaped
	# may belong to someone else by now.
	if [ -n "${CRM_BG_PIDS:-}" ]; then
		local pid job
		for job in $(jobs -p); do
			for pid in $CRM_BG_PIDS; do
				# (SIGCONT too: a stopped one would not end)
				[ "$job" = "$pid" ] && kill "$pid" 2>/dev/null &&
					kill -CONT "$pid" 2>/dev/null
			done
		done
		wait 2>/dev/null || true
	fi
	[ -n "${BATS_TEST_COMPLETED:-}" ] && return 0
	[ -n "${BATS_TEST_SKIPPED:-}" ] && return 0
	name=${BATS_TEST_NAME:0:150}
	keep="/tmp/crm-failed-$name"
	chmod -R u+rwX "$BATS_TEST_TMPDIR" 2>/dev/null || true
	rm -rf "$keep"
	if [ -d "$CRM_DB" ]; then
		cp -a "$CRM_DB" "$keep" &&
		    echo "# database of the failed test kept in $keep" >&3
	else
		echo "# the failed test left no database at $CRM_DB" >&3
	fi
	echo "# fixtures were in $BATS_TEST_TMPDIR (removed by bats)" >&3
}

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# fixture NAME: writes stdin to $BATS_TEST_TMPDIR/NAME, byte for byte.
fixture() {
	cat >"$BATS_TEST_TMPDIR/$1"
}

# Remember a background process so teardown ends it if the test fails.
bg_started() {
	CRM_BG_PIDS="${CRM_BG_PIDS:-} $1"
}

# The standard small set of customers most tests start from:
#   1 Acme Corp   alice  A  vip;partner  segment=gold    created 2024-01-15
#   2 Beta Ltd    bob    B               segment=silver  created 2026-10-01
#   3 张三        alice  C  vip                          created 2026-11-20
#   4 Delta GmbH  carol     newsletter   segment=gold    created 2025-06-30
seed_customers() {
	fixture seed.csv <<'EOF'
ext_id,name,kind,email,phone,region,industry,tier,tags,owner,source,created_at,notes,segment
E1,Acme Corp,company,info@acme.com,+86 138 0000 0007,EMEA,saas,A,vip;partner,alice,web,2024-01-15T09:00:00Z,,gold
E2,Beta Ltd,company,hello@beta.io,13800000014,APAC,retail,B,,bob,referral,2026-10-01T12:00:00Z,,silver
E3,张三,person,zhang@example.cn,,深圳,finance,C,vip,alice,wechat,2026-11-20T08:00:00Z,prefers WeChat,
E4,Delta GmbH,company,kontakt@delta.de,,EMEA,manufacturing,,newsletter,carol,trade-show,2025-06-30T23:59:59Z,,gold
EOF
	crm-customer add - <"$BATS_TEST_TMPDIR/seed.csv" >/dev/null 2>&1 || {
		echo "seed_customers: add - failed" >&2
		crm-customer add - <"$BATS_TEST_TMPDIR/seed.csv" >&2
		return 1
	}
}

# n_rows FILE N: a CSV of N customers with distinct ext_id and e-mail.
n_rows() {
	awk -v n="$2" -v p="${3:-R}" 'BEGIN {
		print "ext_id,name,email,owner"
		for (i = 1; i <= n; i++)
			printf "%s%07d,Customer %d,%s%d@example.com,alice\n", p, i, i, tolower(p), i
	}' >"$1"
}

# Assertions on stderr (from run --separate-stderr).
assert_stderr() {
	assert_equal "$stderr" "$1"
}

assert_stderr_empty() {
	if [ -n "$stderr" ]; then
		fail "expected no stderr, got: $stderr"
	fi
}

assert_stderr_contains() {
	if [[ "$stderr" != *"$1"* ]]; then
		fail "stderr does not contain '$1': $stderr"
	fi
}

# fields_of REF A,B,... [FORMAT]: those columns of one customer (found by
# id, ext:ID or email:ADDR), without a header.
fields_of() {
	local id
	id=$(crm-customer show "$1" -f ids) || return
	crm-customer list --where "id=$id" --fields "$2" -f "${3:-csv}" --no-header
}

# The ids currently in the database, on one line.
ids() {
	local out
	out=$(crm-customer list -f ids "$@") || return
	echo $out
}
