#!/usr/bin/env bats
# crm-ticket: the status flow, SLA deadlines and breaches, escalation,
# ratings, assignment rules, the queue and the knowledge base, run as a
# user would on a fresh database per test (see helper.bash).  The clock
# is CRM_NOW=2026-11-23T10:00:00Z unless a command sets its own.

load helper

COMMANDS=(open show list set delete history reply comment pending resolve
	close reopen assign queue breaches escalations 'sla show' 'sla set'
	'rule add' 'rule list' 'rule delete' 'kb add' 'kb list' 'kb show'
	'kb set' 'kb delete' 'kb search' suggest)

# tk ID FIELDS: those columns of one ticket, CSV without a header.
tk() {
	crm-ticket list --where "id=$1" --fields "$2" -f csv --no-header
}

# open_at TIME ARGS...: opens a ticket with the clock at TIME.
open_at() {
	local at=$1
	shift
	CRM_NOW=$at crm-ticket open "$@"
}

# ---- help and usage -------------------------------------------------------

@test "--help lists every command, and each command answers --help" {
	run --separate-stderr crm-ticket --help
	assert_success
	assert_stderr_empty
	assert_line --index 0 'usage: crm-ticket [--db DIR] COMMAND [OPTIONS] [ARGS]'
	local c
	for c in "${COMMANDS[@]}"; do
		assert_line --regexp "^  $c +[a-z]"
	done
	for c in "${COMMANDS[@]}"; do
		# shellcheck disable=SC2086
		run --separate-stderr crm-ticket $c --help
		assert_success
		assert_line --index 0 --regexp "^usage: crm-ticket $c \[OPTIONS\]"
	done
	[ ! -e "$CRM_DB" ]
}

@test "bad options and arguments exit 64 and change nothing" {
	seed_customers
	crm-ticket open -c E1 --subject "Broken" >/dev/null
	local before
	before=$(crm-ticket list -f csv)
	run --separate-stderr crm-ticket open -c E1 --subject x --priority asap
	assert_failure 64
	assert_stderr_contains '--priority "asap": not one of low, normal, high, urgent'
	run --separate-stderr crm-ticket reply 1
	assert_failure 64
	assert_stderr_contains 'reply: --message is required'
	run --separate-stderr crm-ticket close 1 --csat 6
	assert_failure 64
	assert_stderr_contains '--csat "6": not a rating from 1 to 5'
	run --separate-stderr crm-ticket breaches --soon soonish
	assert_failure 64
	assert_stderr_contains '--soon "soonish": not a duration (30m, 4h, 1d, 2w)'
	run --separate-stderr crm-ticket sla set asap --first-response 1h
	assert_failure 64
	assert_stderr_contains 'sla set: "asap": not a priority (low, normal, high, urgent)'
	run --separate-stderr crm-ticket sla set urgent
	assert_failure 64
	assert_stderr_contains 'sla set: nothing to change'
	run --separate-stderr crm-ticket sla set --resolution 2x
	assert_failure 64
	assert_stderr_contains '--resolution "2x": not a duration'
	run --separate-stderr crm-ticket open - --customer E1 </dev/null
	assert_failure 64
	assert_stderr_contains 'open -: fields come from the input rows, not --customer'
	assert_equal "$(crm-ticket list -f csv)" "$before"
}

@test "a ticket that does not exist exits 1" {
	seed_customers
	run --separate-stderr crm-ticket show 9
	assert_failure 1
	assert_stderr 'crm-ticket: ticket 9: not found'
	run --separate-stderr crm-ticket resolve 9
	assert_failure 1
	run --separate-stderr crm-ticket suggest ext:T9
	assert_failure 1
}

# ---- open and the SLA deadlines ---------------------------------------------------

@test "open sets both deadlines from the SLA of each priority, counted from created_at" {
	seed_customers
	local p
	for p in urgent high normal low; do
		run --separate-stderr crm-ticket open --customer E1 --subject "$p one" --priority "$p"
		assert_success
		assert_stderr_empty
	done
	run crm-ticket list --fields id,priority,status,first_response_due,resolution_due -f csv
	assert_output 'id,priority,status,first_response_due,resolution_due
1,urgent,new,2026-11-23T10:30:00Z,2026-11-23T14:00:00Z
2,high,new,2026-11-23T12:00:00Z,2026-11-24T10:00:00Z
3,normal,new,2026-11-23T18:00:00Z,2026-11-26T10:00:00Z
4,low,new,2026-11-24T10:00:00Z,2026-11-30T10:00:00Z'
	# the default priority is normal; a given created_at is the start
	run crm-ticket open "No priority" customer=E2 created_at=2026-11-01T00:00:00Z
	assert_output 5
	assert_equal "$(tk 5 priority,first_response_due,resolution_due)" \
	    'normal,2026-11-01T08:00:00Z,2026-11-04T00:00:00Z'
	# deadlines given are kept
	crm-ticket open -s "Agreed" -c E2 first_response_due=2026-12-01T00:00:00Z >/dev/null
	assert_equal "$(tk 6 first_response_due,resolution_due)" \
	    '2026-12-01T00:00:00Z,2026-11-26T10:00:00Z'
}

@test "open takes its options, FIELD=VALUE and rows from stdin; a bad customer is refused" {
	seed_customers
	run --separate-stderr crm-ticket open "Login fails" -c email:info@acme.com -p high \
	    --category access --channel phone -a bob vip_case=yes
	assert_success
	assert_output 1
	assert_equal "$(tk 1 customer,subject,priority,category,channel,assignee,vip_case)" \
	    '1,Login fails,high,access,phone,bob,yes'
	printf 'ext_id,customer,subject,priority\nT1,E2,From the web form,urgent\nT2,E3,Second,low\n' |
	    fixture in.csv
	run --separate-stderr crm-ticket open - <in.csv
	assert_success
	assert_output $'2\n3'
	assert_stderr 'crm-ticket: added 2 tickets'
	assert_equal "$(tk 2 ext_id,first_response_due)" 'T1,2026-11-23T10:30:00Z'
	run --separate-stderr crm-ticket open -c E9 -s "Nobody's"
	assert_failure 65
	assert_stderr "crm-ticket: field 'customer': \"E9\": no such customer"
	run --separate-stderr crm-ticket open -c E1
	assert_failure 65
	assert_stderr "crm-ticket: field 'subject': required"
	assert_equal "$(crm-ticket list -f ids | wc -l)" 3
}

@test "crm-import sets the deadlines too, and a re-run of the same file changes nothing" {
	seed_customers
	fixture t.csv <<'EOF'
ext_id,customer,subject,priority,status,created_at,first_response_at,resolved_at
T1,E1,Old and done,high,resolved,2026-11-01T09:00:00Z,2026-11-01T09:30:00Z,2026-11-01T15:00:00Z
T2,E1,Answered late,urgent,open,2026-11-20T08:00:00Z,2026-11-20T09:00:00Z,
T3,E2,Fresh,normal,new,,,
EOF
	run --separate-stderr crm-import ticket t.csv
	assert_success
	run crm-ticket list --fields ext_id,first_response_due,resolution_due,escalated,escalation -f csv
	assert_output 'ext_id,first_response_due,resolution_due,escalated,escalation
T1,2026-11-01T11:00:00Z,2026-11-02T09:00:00Z,,
T2,2026-11-20T08:30:00Z,2026-11-20T12:00:00Z,yes,first_response_late;resolution_overdue
T3,2026-11-23T18:00:00Z,2026-11-26T10:00:00Z,,'
	CRM_NOW=2026-11-25T00:00:00Z run --separate-stderr crm-import ticket -n t.csv
	assert_success
	assert_output $'line,outcome,id,reason\n2,unchanged,1,\n3,unchanged,2,\n4,unchanged,3,'
}

@test "a new priority gives new deadlines, unless the same change sets them" {
	seed_customers
	crm-ticket open -c E1 -s "Slow" >/dev/null
	CRM_NOW=2026-11-23T11:00:00Z run --separate-stderr crm-ticket set 1 priority=urgent
	assert_success
	assert_equal "$(tk 1 priority,first_response_due,resolution_due)" \
	    'urgent,2026-11-23T10:30:00Z,2026-11-23T14:00:00Z'
	# raised past its first-response deadline: escalated as it is raised
	assert_equal "$(tk 1 escalated,escalated_at,escalation)" \
	    'yes,2026-11-23T10:30:00Z,first_response_missing'
	crm-ticket set 1 priority=low resolution_due=2026-12-24T00:00:00Z
	assert_equal "$(tk 1 priority,first_response_due,resolution_due)" \
	    'low,2026-11-24T10:00:00Z,2026-12-24T00:00:00Z'
	# a change that is not the priority keeps them
	crm-ticket set 1 subject="Very slow"
	assert_equal "$(tk 1 first_response_due,resolution_due)" \
	    '2026-11-24T10:00:00Z,2026-12-24T00:00:00Z'
	run crm-ticket history 1 --format csv
	assert_line '2026-11-23T11:00:00Z,3,tester,crm-ticket,1,update,priority,normal,urgent'
	assert_line '2026-11-23T11:00:00Z,3,tester,crm-ticket,1,update,first_response_due,2026-11-23T18:00:00Z,2026-11-23T10:30:00Z'
}

@test "sla show prints the policy; sla set changes it in the database for new tickets" {
	seed_customers
	run --separate-stderr crm-ticket sla show -f csv
	assert_success
	assert_output 'priority,first_response,resolution,pause_pending,low_csat
urgent,30m,4h,no,2
high,2h,1d,no,2
normal,8h,3d,no,2
low,1d,7d,no,2'
	crm-ticket open -c E1 -s before >/dev/null
	run --separate-stderr crm-ticket sla set normal high --first-response 90m --resolution 2d
	assert_success
	assert_stderr 'crm-ticket: SLA policy changed; open tickets keep their deadlines until their priority changes'
	run crm-ticket sla show -f json
	assert_output '[
{"priority":"urgent","first_response":"30m","resolution":"4h","pause_pending":false,"low_csat":2},
{"priority":"high","first_response":"90m","resolution":"2d","pause_pending":false,"low_csat":2},
{"priority":"normal","first_response":"90m","resolution":"2d","pause_pending":false,"low_csat":2},
{"priority":"low","first_response":"1d","resolution":"7d","pause_pending":false,"low_csat":2}
]'
	crm-ticket open -c E1 -s after >/dev/null
	assert_equal "$(tk 1 first_response_due,resolution_due)" '2026-11-23T18:00:00Z,2026-11-26T10:00:00Z'
	assert_equal "$(tk 2 first_response_due,resolution_due)" '2026-11-23T11:30:00Z,2026-11-25T10:00:00Z'
	run --separate-stderr crm-ticket sla set low --first-response 2d --resolution 1d
	assert_failure 65
	assert_stderr 'crm-ticket: SLA of low: the resolution time is shorter than the first-response time'
	run --separate-stderr crm-ticket sla set --first-response 0
	assert_failure 65
	run crm-ticket sla set --reset
	run crm-ticket sla show -f csv --no-header
	assert_line 'normal,8h,3d,no,2'
}

# ---- breaches -------------------------------------------------------------------------

@test "breaches: missing past due, came late, resolution passed, and --soon" {
	seed_customers
	open_at 2026-11-23T08:00:00Z -c E1 -s "No answer yet" -p high >/dev/null      # 1: due 10:00
	open_at 2026-11-23T07:00:00Z -c E2 -s "Answered late" -p urgent >/dev/null    # 2: due 07:30 / 11:00
	open_at 2026-11-20T10:00:00Z -c E3 -s "Old one" -p normal >/dev/null          # 3: res due 23T10:00
	open_at 2026-11-23T09:30:00Z -c E4 -s "Due soon" -p normal >/dev/null          # 4: due 17:30
	open_at 2026-11-23T06:00:00Z -c E1 -s "Resolved late" -p urgent >/dev/null    # 5
	open_at 2026-11-23T09:00:00Z -c E1 -s "On time" -p urgent >/dev/null           # 6
	CRM_NOW=2026-11-23T08:00:00Z crm-ticket reply 2 -m "Looking" >/dev/null 2>&1
	CRM_NOW=2026-11-20T11:00:00Z crm-ticket reply 3 -m "Asked" >/dev/null 2>&1
	CRM_NOW=2026-11-23T11:00:00Z crm-ticket resolve 5 2>/dev/null
	CRM_NOW=2026-11-23T09:10:00Z crm-ticket reply 6 -m "Hi" >/dev/null 2>&1
	CRM_NOW=2026-11-23T10:00:00Z run --separate-stderr crm-ticket breaches
	assert_success
	assert_stderr_empty
	assert_output 'id,ext_id,customer,subject,priority,status,assignee,first_response_due,resolution_due,breach
2,,2,Answered late,urgent,open,,2026-11-23T07:30:00Z,2026-11-23T11:00:00Z,first_response_late'
	# a minute after the deadlines of 1 and 3
	CRM_NOW=2026-11-23T10:01:00Z run crm-ticket breaches -f csv --no-header
	assert_output '2,,2,Answered late,urgent,open,,2026-11-23T07:30:00Z,2026-11-23T11:00:00Z,first_response_late
1,,1,No answer yet,high,new,,2026-11-23T10:00:00Z,2026-11-24T08:00:00Z,first_response_missing
3,,3,Old one,normal,open,,2026-11-20T18:00:00Z,2026-11-23T10:00:00Z,resolution_overdue'
	# --soon adds what falls due within it, after the breached ones
	CRM_NOW=2026-11-23T10:01:00Z run crm-ticket breaches --soon 1h -f csv --no-header
	assert_output '2,,2,Answered late,urgent,open,,2026-11-23T07:30:00Z,2026-11-23T11:00:00Z,first_response_late;resolution_soon
1,,1,No answer yet,high,new,,2026-11-23T10:00:00Z,2026-11-24T08:00:00Z,first_response_missing
3,,3,Old one,normal,open,,2026-11-20T18:00:00Z,2026-11-23T10:00:00Z,resolution_overdue'
	CRM_NOW=2026-11-23T10:01:00Z run crm-ticket breaches --soon 8h -f csv --no-header
	[ "${#lines[@]}" -eq 5 ] || fail "expected 5 rows: $output"
	assert_line --index 3 '6,,1,On time,urgent,open,,2026-11-23T09:30:00Z,2026-11-23T13:00:00Z,resolution_soon'
	assert_line --index 4 '4,,4,Due soon,normal,new,,2026-11-23T17:30:00Z,2026-11-26T09:30:00Z,first_response_soon'
	# resolved or closed tickets are never listed, late or not
	refute_output --partial 'Resolved late'
	CRM_NOW=2026-11-23T10:01:00Z run crm-ticket breaches -f ndjson
	assert_line --index 0 '{"id":2,"ext_id":null,"customer":2,"subject":"Answered late","priority":"urgent","status":"open","assignee":null,"first_response_due":"2026-11-23T07:30:00Z","resolution_due":"2026-11-23T11:00:00Z","breach":["first_response_late"]}'
}

@test "the first reply is the first response: a later one does not move it, a comment does not count" {
	seed_customers
	crm-ticket open -c E1 -s "Help" >/dev/null
	CRM_NOW=2026-11-23T10:05:00Z run --separate-stderr crm-ticket comment 1 -m "customer is grumpy"
	assert_success
	assert_output 1
	assert_stderr_empty
	assert_equal "$(tk 1 status,first_response_at)" 'new,'
	CRM_NOW=2026-11-23T10:10:00Z run --separate-stderr crm-ticket reply 1 -m "We are on it"
	assert_success
	assert_output 2
	assert_stderr 'crm-ticket: ticket 1: open (was new)'
	CRM_NOW=2026-11-23T12:00:00Z crm-ticket reply 1 -m "Fixed?" >/dev/null
	assert_equal "$(tk 1 status,first_response_at)" 'open,2026-11-23T10:10:00Z'
	run crm-customer activities 1 --fields id,ticket,kind,at,by,summary -f csv
	assert_output 'id,ticket,kind,at,by,summary
2,1,reply,2026-11-23T10:10:00Z,tester,We are on it
3,1,reply,2026-11-23T12:00:00Z,tester,Fixed?'
	run crm-ticket show 1 -f json
	run jq -c '[.status, (.activities | map([.id, .kind, .summary]))]' <<<"$output"
	assert_output '["open",[[1,"comment","customer is grumpy"],[2,"reply","We are on it"],[3,"reply","Fixed?"]]]'
}

@test "an imported reply is its ticket's first response when it is the earliest" {
	seed_customers
	crm-ticket open -c E1 -s "Imported" -p high >/dev/null
	printf 'kind,ticket,at,by,summary\nreply,1,2026-11-23T13:00:00Z,bob,late answer\n' |
	    crm-import activity >/dev/null 2>&1
	assert_equal "$(tk 1 status,first_response_at,escalated,escalation)" \
	    'open,2026-11-23T13:00:00Z,yes,first_response_late'
	printf 'kind,ticket,at,by,summary\nreply,1,2026-11-23T11:00:00Z,bob,earlier\n' |
	    crm-import activity >/dev/null 2>&1
	assert_equal "$(tk 1 first_response_at)" '2026-11-23T11:00:00Z'
}

# ---- the status flow -------------------------------------------------------------------

@test "the status flow: new, open, pending, resolved, closed, reopen, each step timestamped and audited" {
	seed_customers
	crm-ticket open -c E1 -s "Flow" >/dev/null
	CRM_NOW=2026-11-23T10:30:00Z run --separate-stderr crm-ticket reply 1 -m "Need logs" --status pending
	assert_success
	assert_stderr 'crm-ticket: ticket 1: pending (was new)'
	assert_equal "$(tk 1 status,first_response_at,pending_since)" \
	    'pending,2026-11-23T10:30:00Z,2026-11-23T10:30:00Z'
	CRM_NOW=2026-11-23T12:30:00Z run --separate-stderr crm-ticket reopen 1
	assert_stderr 'crm-ticket: ticket 1: open (was pending)'
	assert_equal "$(tk 1 pending_since,pending_seconds)" ',7200'
	CRM_NOW=2026-11-23T13:00:00Z run --separate-stderr crm-ticket resolve 1
	assert_stderr 'crm-ticket: ticket 1: resolved (was open)'
	CRM_NOW=2026-11-24T09:00:00Z run --separate-stderr crm-ticket close 1
	assert_stderr 'crm-ticket: ticket 1: closed (was resolved)'
	assert_equal "$(tk 1 status,resolved_at,closed_at)" \
	    'closed,2026-11-23T13:00:00Z,2026-11-24T09:00:00Z'
	CRM_NOW=2026-11-25T09:00:00Z run --separate-stderr crm-ticket reopen 1
	assert_stderr 'crm-ticket: ticket 1: open (was closed)'
	assert_equal "$(tk 1 status,resolved_at,closed_at)" 'open,,'
	run crm-ticket history 1 -f csv
	assert_line '2026-11-23T10:30:00Z,3,tester,crm-ticket,1,update,status,new,open'
	assert_line '2026-11-23T10:30:00Z,3,tester,crm-ticket,1,update,status,open,pending'
	assert_line '2026-11-23T13:00:00Z,5,tester,crm-ticket,1,update,status,open,resolved'
	assert_line '2026-11-23T13:00:00Z,5,tester,crm-ticket,1,update,resolved_at,,2026-11-23T13:00:00Z'
	assert_line '2026-11-25T09:00:00Z,7,tester,crm-ticket,1,update,closed_at,2026-11-24T09:00:00Z,'
}

@test "refused transitions name both statuses and what to do, exit 65, and write nothing" {
	seed_customers
	crm-ticket open -c E1 -s "One" >/dev/null
	local before
	before=$(crm-ticket history 1 -f csv)
	run --separate-stderr crm-ticket close 1
	assert_failure 65
	assert_stderr 'crm-ticket: ticket 1: cannot go from new to closed: resolve it first'
	crm-ticket resolve 1 2>/dev/null
	run --separate-stderr crm-ticket pending 1
	assert_failure 65
	assert_stderr 'crm-ticket: ticket 1: cannot go from resolved to pending: reopen it first'
	run --separate-stderr crm-ticket resolve 1
	assert_failure 65
	assert_stderr 'crm-ticket: ticket 1 is resolved already'
	run --separate-stderr crm-ticket set 1 status=new
	assert_failure 65
	assert_stderr 'crm-ticket: ticket 1: cannot go from resolved to new: a ticket is new only until it is worked on'
	crm-ticket close 1 2>/dev/null
	run --separate-stderr crm-ticket set 1 status=resolved
	assert_failure 65
	assert_stderr 'crm-ticket: ticket 1: cannot go from closed to resolved: reopen it first'
	run --separate-stderr crm-ticket reply 1 -m "hello?"
	assert_failure 65
	assert_stderr 'crm-ticket: ticket 1 is closed: reopen it to reply'
	run --separate-stderr crm-ticket close 1
	assert_failure 65
	assert_stderr 'crm-ticket: ticket 1 is closed already'
	# several at once: all or nothing
	crm-ticket open -c E1 -s "Two" >/dev/null
	run --separate-stderr crm-ticket resolve 2 1
	assert_failure 65
	assert_equal "$(tk 2 status)" new
	assert_equal "$(crm-customer activities -f ids)" ''
}

@test "reopen goes from pending, resolved or closed; new reaches open by a reply or set" {
	seed_customers
	crm-ticket open -c E1 -s "One" >/dev/null
	run --separate-stderr crm-ticket reopen 1
	assert_failure 65
	assert_stderr 'crm-ticket: ticket 1 is new: a reply opens it'
	run --separate-stderr crm-ticket set 1 status=open
	assert_success
	assert_equal "$(tk 1 status)" open
	run --separate-stderr crm-ticket pending 1
	assert_success
	run --separate-stderr crm-ticket reopen 1
	assert_success
	assert_stderr 'crm-ticket: ticket 1: open (was pending)'
}

# ---- pause while pending ------------------------------------------------------------------

@test "with --pause-pending yes, time in pending pushes the resolution deadline back; without, not" {
	seed_customers
	crm-ticket sla set high --pause-pending yes 2>/dev/null
	crm-ticket open -c E1 -s "Paused" -p high >/dev/null          # 1: resolution due 24T10:00
	crm-ticket open -c E1 -s "Not paused" -p urgent >/dev/null    # 2: resolution due 23T14:00
	CRM_NOW=2026-11-23T10:20:00Z crm-ticket reply 1 -m "logs?" --status pending >/dev/null 2>&1
	CRM_NOW=2026-11-23T10:20:00Z crm-ticket reply 2 -m "logs?" --status pending >/dev/null 2>&1
	# two days later: the paused clock has not run out, the other has
	CRM_NOW=2026-11-25T11:00:00Z run crm-ticket breaches -f csv --no-header
	assert_output '2,,1,Not paused,urgent,pending,,2026-11-23T10:30:00Z,2026-11-23T14:00:00Z,resolution_overdue'
	CRM_NOW=2026-11-25T11:00:00Z run crm-ticket queue -f csv --no-header
	assert_output '2,,1,Not paused,urgent,pending,,2026-11-23T14:00:00Z,-1d21h,resolution_overdue
1,,1,Paused,high,pending,,2026-11-26T10:40:00Z,23h40m,'
	# back to open: the deadline moved by the time pending
	CRM_NOW=2026-11-25T11:00:00Z crm-ticket reopen 1 2 2>/dev/null
	assert_equal "$(tk 1 resolution_due,pending_seconds,pending_since)" '2026-11-26T10:40:00Z,175200,'
	assert_equal "$(tk 2 resolution_due,pending_seconds,pending_since)" '2026-11-23T14:00:00Z,175200,'
	CRM_NOW=2026-11-26T11:00:00Z run crm-ticket breaches -f csv --no-header
	assert_output '2,,1,Not paused,urgent,open,,2026-11-23T10:30:00Z,2026-11-23T14:00:00Z,resolution_overdue
1,,1,Paused,high,open,,2026-11-23T12:00:00Z,2026-11-26T10:40:00Z,resolution_overdue'
	# a new priority counts the time pending so far, where its policy
	# pauses too
	crm-ticket set 2 priority=high
	assert_equal "$(tk 2 resolution_due)" '2026-11-26T10:40:00Z'
	crm-ticket sla set --pause-pending yes 2>/dev/null
	crm-ticket set 1 priority=urgent
	assert_equal "$(tk 1 resolution_due)" '2026-11-25T14:40:00Z'
}

# ---- satisfaction and escalation -------------------------------------------------------------

@test "close --csat rates once; a closed ticket may still take its one rating" {
	seed_customers
	crm-ticket open -c E1 -s "Rated" >/dev/null
	crm-ticket resolve 1 2>/dev/null
	run --separate-stderr crm-ticket close 1 --csat 4 --comment "quick, thanks"
	assert_success
	assert_stderr $'crm-ticket: ticket 1: closed (was resolved)\ncrm-ticket: ticket 1: rated 4'
	assert_equal "$(tk 1 status,csat,csat_comment,escalated)" 'closed,4,"quick, thanks",'
	run --separate-stderr crm-ticket close 1 --csat 5
	assert_failure 65
	assert_stderr 'crm-ticket: ticket 1: rated 4 already: one rating per ticket'
	run --separate-stderr crm-ticket set 1 csat=3
	assert_failure 65
	assert_stderr 'crm-ticket: ticket 1: rated 4 already: one rating per ticket'
	run --separate-stderr crm-ticket set 1 csat=
	assert_failure 65
	# closed without a rating: it comes later, once
	crm-ticket open -c E1 -s "Later" >/dev/null
	crm-ticket resolve 2 2>/dev/null
	crm-ticket close 2 2>/dev/null
	run --separate-stderr crm-ticket close 2 --csat 5
	assert_success
	assert_stderr 'crm-ticket: ticket 2: rated 5'
	assert_equal "$(tk 2 status,csat)" 'closed,5'
	# an open ticket is not rated
	crm-ticket open -c E1 -s "Open" >/dev/null
	run --separate-stderr crm-ticket set 3 csat=5
	assert_failure 65
	assert_stderr 'crm-ticket: ticket 3 is new: a ticket is rated when it is resolved or closed'
}

@test "a low rating escalates (at or below 2, configurable); a good one does not" {
	seed_customers
	local i
	for i in 1 2 3; do
		crm-ticket open -c E1 -s "T$i" >/dev/null
		crm-ticket resolve "$i" 2>/dev/null
	done
	CRM_NOW=2026-11-23T11:00:00Z run --separate-stderr crm-ticket close 1 --csat 2
	assert_success
	assert_stderr $'crm-ticket: ticket 1: closed (was resolved)\ncrm-ticket: ticket 1: escalated: low_csat\ncrm-ticket: ticket 1: rated 2'
	crm-ticket close 2 --csat 3 2>/dev/null
	assert_equal "$(tk 1 escalated,escalated_at,escalation)" 'yes,2026-11-23T11:00:00Z,low_csat'
	assert_equal "$(tk 2 escalated)" ''
	crm-ticket sla set --low-csat 3 2>/dev/null
	crm-ticket close 3 --csat 3 2>/dev/null
	assert_equal "$(tk 3 escalated,escalation)" 'yes,low_csat'
	run crm-ticket escalations -f csv
	assert_output 'id,ext_id,customer,subject,priority,status,assignee,csat,escalated_at,escalation
3,,1,T3,normal,closed,,3,2026-11-23T10:00:00Z,low_csat
1,,1,T1,normal,closed,,2,2026-11-23T11:00:00Z,low_csat'
}

@test "a breach escalates: a late reply or resolution marks it, one untouched is listed all the same" {
	seed_customers
	crm-ticket open -c E1 -s "Late reply" -p urgent >/dev/null      # first response due 10:30
	crm-ticket open -c E2 -s "Late fix" -p urgent >/dev/null        # resolution due 14:00
	crm-ticket open -c E3 -s "Forgotten" -p high >/dev/null         # first response due 12:00
	crm-ticket open -c E4 -s "Fine" -p low >/dev/null
	CRM_NOW=2026-11-23T10:45:00Z run --separate-stderr crm-ticket reply 1 -m "sorry"
	assert_stderr $'crm-ticket: ticket 1: open (was new)\ncrm-ticket: ticket 1: escalated: first_response_late'
	CRM_NOW=2026-11-23T10:10:00Z crm-ticket reply 2 -m "on it" >/dev/null 2>&1
	CRM_NOW=2026-11-23T15:00:00Z run --separate-stderr crm-ticket resolve 2
	assert_stderr $'crm-ticket: ticket 2: resolved (was open)\ncrm-ticket: ticket 2: escalated: resolution_late'
	CRM_NOW=2026-11-23T15:00:00Z run --separate-stderr crm-ticket escalations -f csv
	assert_success
	assert_output 'id,ext_id,customer,subject,priority,status,assignee,csat,escalated_at,escalation
1,,1,Late reply,urgent,open,,,2026-11-23T10:30:00Z,first_response_late
3,,3,Forgotten,high,new,,,2026-11-23T12:00:00Z,first_response_missing
2,,2,Late fix,urgent,resolved,,,2026-11-23T14:00:00Z,resolution_late'
	# escalated by hand, and calmed again
	crm-ticket set 4 escalated=yes
	assert_equal "$(tk 4 escalated,escalated_at,escalation)" 'yes,2026-11-23T10:00:00Z,manual'
	crm-ticket set 4 escalated=no
	assert_equal "$(tk 4 escalated,escalated_at,escalation)" 'no,,'
}

# ---- assignment ----------------------------------------------------------------------------

@test "assignment rules: by category, a team in turn, '*' for the rest, kept in the database" {
	seed_customers
	run --separate-stderr crm-ticket rule add logistics bob carol
	assert_success
	assert_stderr 'crm-ticket: new tickets of category logistics go to bob, carol, in turn'
	run --separate-stderr crm-ticket rule add '*' dana
	assert_stderr 'crm-ticket: new tickets of any category go to dana'
	local i
	for i in 1 2 3; do
		crm-ticket open -c E1 -s "Parcel $i" --category Logistics >/dev/null
	done
	crm-ticket open -c E1 -s "Bill" --category billing >/dev/null
	crm-ticket open -c E1 -s "Mine" --category logistics -a erin >/dev/null
	run crm-ticket list --fields id,category,assignee -f csv --no-header
	assert_output '1,Logistics,bob
2,Logistics,carol
3,Logistics,bob
4,billing,dana
5,logistics,erin'
	run crm-ticket rule list -f csv
	assert_output 'category,assignees,next
logistics,bob;carol,carol
*,dana,dana'
	# a closed ticket loaded from elsewhere takes no turn and no assignee
	printf 'subject,category,status\nDone long ago,logistics,closed\n' | crm-ticket open - >/dev/null 2>&1
	assert_equal "$(tk 6 assignee)" ''
	assert_equal "$(crm-ticket rule list -f csv --no-header | head -1)" 'logistics,bob;carol,carol'
	# given again, a rule is replaced and its turn starts over
	crm-ticket rule add logistics frank gina 2>/dev/null
	crm-ticket open -c E1 -s "Parcel 4" --category logistics >/dev/null
	assert_equal "$(tk 7 assignee)" frank
	run --separate-stderr crm-ticket rule delete logistics
	assert_success
	assert_stderr 'crm-ticket: deleted the rule for logistics'
	crm-ticket open -c E1 -s "Parcel 5" --category logistics >/dev/null
	assert_equal "$(tk 8 assignee)" dana
	run --separate-stderr crm-ticket rule delete logistics
	assert_failure 1
	assert_stderr 'crm-ticket: no assignment rule for "logistics"'
	run --separate-stderr crm-ticket rule add 'bad,cat' 'a,b'
	assert_failure 65
	assert_stderr 'crm-ticket: user "a,b": empty, or holds a tab, line break or comma'
}

@test "assign gives tickets to a user, from arguments or stdin; '' unassigns" {
	seed_customers
	crm-ticket open -c E1 -s One >/dev/null
	crm-ticket open -c E1 -s Two >/dev/null
	crm-ticket open -c E1 -s Three >/dev/null
	run --separate-stderr crm-ticket assign 1 2 bob
	assert_success
	assert_stderr 'crm-ticket: assigned 2 of 2 tickets to bob'
	run --separate-stderr crm-ticket assign 2 bob
	assert_stderr 'crm-ticket: assigned 0 of 1 ticket to bob'
	crm-ticket list --where assignee= -f ids | crm-ticket assign - carol 2>/dev/null
	run crm-ticket list --fields id,assignee -f csv --no-header
	assert_output $'1,bob\n2,bob\n3,carol'
	run --separate-stderr crm-ticket assign 1 ''
	assert_stderr 'crm-ticket: unassigned 1 of 1 ticket'
	assert_equal "$(tk 1 assignee)" ''
	run crm-ticket history 3 -f csv
	assert_line --partial ',update,assignee,,carol'
}

@test "queue: open tickets by their next deadline, for everyone or one user" {
	seed_customers
	open_at 2026-11-23T09:00:00Z -c E1 -s "Low" -p low -a bob >/dev/null        # first due 24T09:00
	open_at 2026-11-23T09:00:00Z -c E1 -s "Urgent" -p urgent -a ann >/dev/null  # first due 09:30
	open_at 2026-11-23T09:00:00Z -c E1 -s "Answered" -p high -a bob >/dev/null  # then resolution 24T09:00
	open_at 2026-11-23T09:00:00Z -c E1 -s "Done" -p urgent -a bob >/dev/null
	CRM_NOW=2026-11-23T09:10:00Z crm-ticket reply 3 -m ok >/dev/null 2>&1
	crm-ticket resolve 4 2>/dev/null
	run --separate-stderr crm-ticket queue -f csv
	assert_success
	assert_output 'id,ext_id,customer,subject,priority,status,assignee,next_due,due_in,breach
2,,1,Urgent,urgent,new,ann,2026-11-23T09:30:00Z,-30m,first_response_missing
1,,1,Low,low,new,bob,2026-11-24T09:00:00Z,23h,
3,,1,Answered,high,open,bob,2026-11-24T09:00:00Z,23h,'
	run crm-ticket queue --assignee bob -f ids
	assert_output $'1\n3'
	CRM_USER=ann run crm-ticket queue --mine -f ids
	assert_output 2
}

# ---- show, delete -----------------------------------------------------------------------------

@test "show: the ticket, its replies and comments, and the customer's earlier tickets" {
	seed_customers
	open_at 2026-10-01T09:00:00Z -c E1 -s "Parcel lost" --category logistics >/dev/null
	open_at 2026-11-01T09:00:00Z -c E1 -s "Invoice" --category billing >/dev/null
	open_at 2026-11-01T09:00:00Z -c E2 -s "Other customer" >/dev/null
	crm-ticket open -c E1 -s "Parcel late again" --category logistics >/dev/null
	crm-ticket reply 4 -m "checking with the carrier" >/dev/null 2>&1
	run --separate-stderr crm-ticket show 4 -f table
	assert_success
	assert_line 'subject             Parcel late again'
	assert_line 'activities:'
	assert_line --regexp '^ +1 +1 +reply +2026-11-23T10:00:00Z +tester +checking with the carrier'
	assert_line 'earlier tickets of customer 1:'
	assert_line 'id  created_at            subject      category   priority  status  csat'
	assert_line --regexp '^ 2  2026-11-01T09:00:00Z  Invoice      billing    normal    new *$'
	assert_line --regexp '^ 1  2026-10-01T09:00:00Z  Parcel lost  logistics  normal    new *$'
	refute_output --partial 'Other customer'
	run crm-ticket show 4 -f json
	run jq -c '[.id, .subject, (.activities | map(.summary)), (.earlier_tickets | map([.id, .category]))]' <<<"$output"
	assert_output '[4,"Parcel late again",["checking with the carrier"],[[2,"billing"],[1,"logistics"]]]'
	run crm-ticket show 1 -f json
	run jq -c '.earlier_tickets' <<<"$output"
	assert_output '[]'
	run crm-ticket show 4 -f ids
	assert_output 4
}

@test "show lists the ten latest earlier tickets and says how to list the rest" {
	seed_customers
	local i
	for i in $(seq 1 12); do
		open_at "2026-11-$(printf %02d "$i")T09:00:00Z" -c E1 -s "Old $i" >/dev/null
	done
	run --separate-stderr crm-ticket show 12 -f table
	assert_success
	assert_line --regexp '^11  2026-11-11T09:00:00Z  Old 11 '
	assert_line --regexp '^ +2  2026-11-02T09:00:00Z  Old 2 '
	refute_line --regexp '^ +1  2026-11-01'
	assert_line '(and 1 more: crm-ticket list --where customer=1)'
	run crm-ticket show 12 -f json
	run jq -c '.earlier_tickets | map(.id)' <<<"$output"
	assert_output '[11,10,9,8,7,6,5,4,3,2]'
}

@test "crm-customer show lists the customer's tickets, the open ones among them" {
	seed_customers
	crm-ticket open -c E1 -s "Still open" >/dev/null
	crm-ticket open -c E1 -s "Done" >/dev/null
	crm-ticket resolve 2 2>/dev/null
	run crm-customer show 1 -f table
	assert_line 'open tickets:'
	assert_line --regexp '^ +1 +1 +Still open +normal +new'
	refute_line --regexp 'Done'
	run crm-customer show 1 -f json
	run jq -c '.open_tickets | map([.id, .status])' <<<"$output"
	assert_output '[[1,"new"]]'
}

@test "delete: a ticket with replies needs --force, which deletes them too" {
	seed_customers
	crm-ticket open -c E1 -s "Gone" >/dev/null
	crm-ticket reply 1 -m hi >/dev/null 2>&1
	run --separate-stderr crm-ticket delete 1
	assert_failure 65
	assert_stderr 'crm-ticket: ticket 1: still has 1 activity; use --force to delete them too'
	run --separate-stderr crm-ticket delete --force 1
	assert_success
	assert_stderr 'crm-ticket: deleted 1 ticket'
	assert_equal "$(crm-ticket list -f ids)" ''
	assert_equal "$(crm-customer activities -f ids)" ''
}

# ---- knowledge base ------------------------------------------------------------------------------

@test "kb: add, list, show, set, search and delete articles" {
	seed_customers
	run --separate-stderr crm-ticket kb add "Tracking a delayed parcel" category=logistics \
	    tags='parcel;carrier' body="Ask the carrier for the tracking history."
	assert_success
	assert_output 1
	printf 'Hold the reset button for ten seconds.\n' | fixture body.txt
	run --separate-stderr crm-ticket kb add "Router reset" --body-file body.txt tags=network
	assert_output 2
	printf 'title,category,body\nCorrecting an invoice,billing,Issue a credit note.\n' |
	    crm-ticket kb add - >/dev/null 2>&1
	run crm-ticket kb list -f csv --fields id,title,category,tags
	assert_output 'id,title,category,tags
1,Tracking a delayed parcel,logistics,parcel;carrier
2,Router reset,,network
3,Correcting an invoice,billing,'
	run crm-ticket kb show 2 -f json
	run jq -r .body <<<"$output"
	assert_output 'Hold the reset button for ten seconds.'
	# every word must be found; the title counts most
	run --separate-stderr crm-ticket kb search CARRIER -f csv
	assert_success
	assert_output 'id,title,category,tags,score
1,Tracking a delayed parcel,logistics,parcel;carrier,3'
	run crm-ticket kb search reset router -f csv --no-header
	assert_output '2,Router reset,,network,7'
	run crm-ticket kb search reset parcel -f csv --no-header
	assert_output ''
	crm-ticket kb set 3 tags=invoice
	assert_equal "$(crm-ticket kb list --where tags=invoice -f ids)" 3
	run --separate-stderr crm-ticket kb delete 3
	assert_success
	run --separate-stderr crm-ticket kb search '...'
	assert_failure 64
	assert_stderr 'crm-ticket: search: no word to look for'
	# crm-import loads articles too, matched by ext_id
	printf 'ext_id,title,tags\nKB7,Password reset,login\n' | fixture kb.csv
	run --separate-stderr crm-import articles kb.csv
	assert_success
	assert_equal "$(crm-ticket kb search password -f ids)" 4
	run --separate-stderr crm-import article -n kb.csv
	assert_output $'line,outcome,id,reason\n2,unchanged,4,'
}

@test "suggest: articles matching a ticket's subject and category, best first" {
	seed_customers
	crm-ticket kb add "Tracking a delayed parcel" category=logistics tags=parcel >/dev/null
	crm-ticket kb add "Customs papers for parcels" category=logistics >/dev/null
	crm-ticket kb add "Router reset" tags=network >/dev/null
	crm-ticket kb add "Invoice corrections" category=billing >/dev/null
	crm-ticket open -c E1 -s "My parcel is delayed" --category logistics >/dev/null
	crm-ticket open -c E1 -s "The router keeps dropping" >/dev/null
	crm-ticket open -c E1 -s "Where is it?" --category billing >/dev/null
	run --separate-stderr crm-ticket suggest 1 -f csv
	assert_success
	assert_output 'id,title,category,tags,score
1,Tracking a delayed parcel,logistics,parcel,11
2,Customs papers for parcels,logistics,,6'
	run crm-ticket suggest 2 -f csv --no-header
	assert_output '3,Router reset,,network,3'
	run crm-ticket suggest 3 -f csv --no-header
	assert_output '4,Invoice corrections,billing,,3'
	run crm-ticket suggest 1 --limit 1 -f ids
	assert_output 1
}

@test "undo of a close puts the ticket back as it was, rating and all" {
	seed_customers
	crm-ticket open -c E1 -s "Undone" >/dev/null
	crm-ticket resolve 1 2>/dev/null
	CRM_NOW=2026-11-24T10:00:00Z crm-ticket close 1 --csat 2 2>/dev/null
	assert_equal "$(tk 1 status,csat,closed_at,escalated)" 'closed,2,2026-11-24T10:00:00Z,yes'
	change=$(crm-ticket history 1 -f csv | tail -n 1 | cut -d, -f2)
	run --separate-stderr crm-customer undo "$change"
	assert_success
	assert_equal "$(tk 1 status,csat,closed_at,escalated)" 'resolved,,,'
	# and the flow goes on from there
	run --separate-stderr crm-ticket close 1 --csat 5
	assert_success
	assert_equal "$(tk 1 status,csat)" 'closed,5'
}
