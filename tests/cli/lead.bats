#!/usr/bin/env bats
# crm-lead: leads and campaigns, scoring and grades, routing (assignment),
# qualification, conversion and duplicates, run as a user would, on a fresh
# database per test with a fixed clock (see helper.bash).

load helper

CMDS=(add show list set delete score assign qualify disqualify convert dupes
	history undo 'campaign add' 'campaign list' 'campaign set'
	'campaign delete' 'scoring list' 'scoring set' 'scoring delete'
	'scoring reset' 'grades list' 'grades set' 'grades reset'
	'routing list' 'routing set' 'routing delete')

# The standard leads (scores by the default rules):
#   1 Ann Lee   Acme        EMEA  referral  Spring  employees=250  55 A
#   2 Bob Ray               APAC  web                              20 C
#   3 Cy Young  Young & Co  EMEA                    employees=12   15 C
#   4 Di Lu                 APAC  partner                           0 C
seed_leads() {
	fixture leads.csv <<'EOF'
ext_id,name,company,email,phone,region,source,campaign,employees
L1,Ann Lee,Acme,ann@acme.example,+1 555 0100,EMEA,referral,Spring,250
L2,Bob Ray,,bob@example.com,,APAC,web,,
L3,Cy Young,Young & Co,,+44 20 7946 0000,EMEA,,,12
L4,Di Lu,,,,APAC,partner,,
EOF
	crm-lead add - <"$BATS_TEST_TMPDIR/leads.csv" >/dev/null 2>&1 || {
		echo "seed_leads: add - failed" >&2
		crm-lead add - <"$BATS_TEST_TMPDIR/leads.csv" >&2
		return 1
	}
}

# scores: "id,score,grade" of every lead, one per line.
scores() {
	crm-lead list --fields id,score,grade --no-header
}

# owners: "id,owner" of every lead.
owners() {
	crm-lead list --fields id,owner --no-header
}

# ---- help and usage ---------------------------------------------------------

@test "--help lists every command; each answers --help with its usage" {
	run --separate-stderr crm-lead --help
	assert_success
	assert_line --index 0 'usage: crm-lead [--db DIR] COMMAND [OPTIONS] [ARGS]'
	local c
	for c in "${CMDS[@]}"; do
		assert_line --regexp "^  $c +[a-z]"
	done
	for c in "${CMDS[@]}"; do
		# shellcheck disable=SC2086
		run --separate-stderr crm-lead $c --help
		assert_success
		assert_stderr_empty
		assert_line --index 0 --regexp "^usage: crm-lead $c \[OPTIONS\]"
	done
	[ ! -e "$CRM_DB" ]
}

@test "scoring, grades, routing and campaign alone exit 64 and name their commands" {
	run --separate-stderr crm-lead scoring
	assert_failure 64
	assert_stderr_contains "'scoring' needs a command: scoring list, scoring set, scoring delete, scoring reset"
	run --separate-stderr crm-lead routing
	assert_failure 64
	assert_stderr_contains "'routing' needs a command: routing list, routing set, routing delete"
	run --separate-stderr crm-lead campaign
	assert_failure 64
	run --separate-stderr crm-lead grades
	assert_failure 64
}

# ---- records ------------------------------------------------------------------

@test "add prints the id; a new lead is scored and graded at once" {
	run --separate-stderr crm-lead add 'Ann Lee' company=Acme email=Ann@Acme.example source=referral
	assert_success
	assert_output '1'
	assert_stderr_empty
	run crm-lead list -f csv
	assert_output 'id,created_at,updated_at,ext_id,name,company,email,phone,region,source,campaign,status,score,grade,owner,customer,deal,disqualify_reason,contact
1,2026-11-23T10:00:00Z,2026-11-23T10:00:00Z,,Ann Lee,Acme,Ann@Acme.example,,,referral,,new,40,B,,,,,'
}

@test "add - and crm-import score every lead; a lead that brings its score keeps it and gets its grade" {
	seed_leads
	run scores
	assert_output $'1,55,A\n2,20,C\n3,15,C\n4,0,C'
	printf 'name,email,source\nEve,eve@x.io,web\n' | crm-import lead 2>/dev/null
	printf 'name,score\nFay,30\n' | crm-import lead 2>/dev/null
	run crm-lead add Gus score=99 grade=Z
	assert_output '7'
	run crm-lead list --where 'id>=5' --fields id,score,grade --no-header
	assert_output $'5,20,C\n6,30,B\n7,99,Z'
	# score replaces a given score with the rules' one
	crm-lead score 6 7 2>/dev/null
	run crm-lead list --where 'id>=5' --fields id,score,grade --no-header
	assert_output $'5,20,C\n6,0,C\n7,0,C'
}

@test "show prints the lead and its latest activities; set changes fields; status takes only its values" {
	seed_leads
	printf 'lead,kind,at,summary\n1,call,2026-11-20T09:00:00Z,intro call\n' |
	    crm-import activity 2>/dev/null
	run --separate-stderr crm-lead show ext:L1 -f json
	assert_success
	run jq -c '[.name, .status, .score, .activities[0].summary]' <<<"$output"
	# the score is the one of add: `score` counts the new activity
	assert_output '["Ann Lee","new",55,"intro call"]'
	run --separate-stderr crm-lead set 2 status=contacted region=
	assert_success
	run crm-lead list --where id=2 --fields status,region --no-header
	assert_output 'contacted,'
	run --separate-stderr crm-lead set 2 status=won
	assert_failure 65
	assert_stderr "crm-lead: field 'status': \"won\": not one of new, contacted, qualified, disqualified, converted"
}

@test "delete refuses a lead with activities unless --force, and is undone" {
	seed_leads
	printf 'lead,kind,summary\n2,note,x\n' | crm-import activity 2>/dev/null
	run --separate-stderr crm-lead delete 2
	assert_failure 65
	assert_stderr 'crm-lead: lead 2: still has 1 activity; use --force to delete them too'
	run --separate-stderr crm-lead delete 2 --force
	assert_success
	assert_stderr 'crm-lead: deleted 1 lead'
	run crm-lead list -f ids
	assert_output $'1\n3\n4'
	run --separate-stderr crm-lead show 2
	assert_failure 1
	assert_stderr 'crm-lead: lead 2: not found'
}

# ---- scoring ------------------------------------------------------------------

@test "scoring list shows the default rules, and grades list the default grades" {
	run --separate-stderr crm-lead scoring list
	assert_failure 66
	crm-lead add X >/dev/null
	run --separate-stderr crm-lead scoring list
	assert_success
	assert_output 'name,when,points
has e-mail,email!=,10
has phone,phone!=,5
has company,company!=,10
referral,source=referral,20
web,source=web,10
campaign,campaign!=,10
recent activity,last_activity>=-14d,15'
	run crm-lead grades list -f json
	assert_output '[
{"grade":"A","min":50},
{"grade":"B","min":25},
{"grade":"C","min":null}
]'
}

@test "score --explain shows each rule's part, the total and the grade" {
	seed_leads
	crm-lead scoring set big --when 'employees>=100' --points 25
	printf 'lead,kind,at\n1,call,2026-11-10T09:00:00Z\n1,email,2026-11-01T09:00:00Z\n' |
	    crm-import activity 2>/dev/null
	run --separate-stderr crm-lead score --explain ext:L1
	assert_success
	assert_stderr_empty
	assert_output 'rule,when,value,points
has e-mail,email!=,ann@acme.example,10
has phone,phone!=,+1 555 0100,5
has company,company!=,Acme,10
referral,source=referral,referral,20
web,source=web,referral,0
campaign,campaign!=,Spring,10
recent activity,last_activity>=-14d,2026-11-10T09:00:00Z,15
big,employees>=100,250,25
total,,,95
grade,score>=50,A,'
	# explain stores nothing: the stored score is still the one of add
	run crm-lead list --where id=1 --fields score --no-header
	assert_output '55'
	run --separate-stderr crm-lead score --explain 4 -f table
	assert_line --regexp '^total +0$'
	assert_line --regexp '^grade +score<25 +C$'
	run --separate-stderr crm-lead score --explain 1 2
	assert_failure 64
	assert_stderr 'crm-lead: score --explain: give one lead'
}

@test "recent activity counts an activity of the last 14 days, by CRM_NOW" {
	seed_leads
	printf 'lead,kind,at\n3,call,2026-11-09T10:00:00Z\n' | crm-import activity 2>/dev/null
	CRM_NOW=2026-11-23T10:00:00Z crm-lead score 3 2>/dev/null
	run crm-lead list --where id=3 --fields score --no-header
	assert_output '30'
	CRM_NOW=2026-11-23T10:00:01Z crm-lead score 3 2>/dev/null
	run crm-lead list --where id=3 --fields score --no-header
	assert_output '15'
	crm-lead scoring set 'no contact yet' --when last_activity= --points -5
	run crm-lead score
	run scores
	assert_output $'1,50,A\n2,15,C\n3,30,B\n4,-5,C'
}

@test "score recomputes and stores score and grade, audited, all as one change" {
	seed_leads
	crm-lead scoring set web --points 40
	crm-lead scoring set partner --when source=partner --points 26
	run --separate-stderr crm-lead score
	assert_success
	assert_output ''
	assert_stderr 'crm-lead: scored 4 leads, 2 changed'
	run scores
	assert_output $'1,55,A\n2,50,A\n3,15,C\n4,26,B'
	run crm-lead history 2 -f csv
	assert_line '2026-11-23T10:00:00Z,4,tester,crm-lead,2,update,score,20,50'
	assert_line '2026-11-23T10:00:00Z,4,tester,crm-lead,2,update,grade,C,A'
	run crm-lead history 4 -f csv
	assert_line '2026-11-23T10:00:00Z,4,tester,crm-lead,4,update,score,0,26'
	run crm-lead undo 4
	run scores
	assert_output $'1,55,A\n2,20,C\n3,15,C\n4,0,C'
}

@test "score takes leads by id, from stdin, or by --where; a missing one changes nothing" {
	seed_leads
	crm-lead scoring set web --points 1
	crm-lead scoring set referral --points 1
	run --separate-stderr crm-lead score 1 99
	assert_failure 1
	assert_stderr 'crm-lead: lead 99: not found'
	run scores
	assert_output $'1,55,A\n2,20,C\n3,15,C\n4,0,C'
	run --separate-stderr crm-lead score --where region=APAC
	assert_stderr 'crm-lead: scored 2 leads, 1 changed'
	crm-lead list --where source=referral -f ids | crm-lead score - 2>/dev/null
	run scores
	assert_output $'1,36,B\n2,11,C\n3,15,C\n4,0,C'
	run --separate-stderr crm-lead score --where nope
	assert_failure 64
}

@test "scoring set adds or changes a rule; bad rules are refused and nothing is stored" {
	crm-lead add X >/dev/null
	run --separate-stderr crm-lead scoring set vip --when 'tier=gold|platinum' --points 30
	assert_success
	assert_output ''
	assert_stderr_empty
	crm-lead scoring set vip --points 35
	run crm-lead scoring list --no-header
	assert_line 'vip,tier=gold|platinum,35'
	run --separate-stderr crm-lead scoring set new --when email!=
	assert_failure 65
	assert_stderr "crm-lead: scoring rule 'new': field 'points': required"
	run --separate-stderr crm-lead scoring set new --when 'email!=' --points ten
	assert_failure 65
	assert_stderr "crm-lead: scoring rule 'new': field 'points': \"ten\": not a whole number from -1000000 to 1000000"
	run --separate-stderr crm-lead scoring set new --when 'created_at>=yesterdayish' --points 1
	assert_failure 65
	assert_stderr_contains "crm-lead: scoring rule 'new': field 'when': \"created_at>=yesterdayish\": "
	run --separate-stderr crm-lead scoring set new --when 'region' --points 1
	assert_failure 65
	assert_stderr "crm-lead: scoring rule 'new': field 'when': \"region\": no operator (= != < <= > >= ~)"
	run --separate-stderr crm-lead scoring set a b --points 1
	assert_failure 64
	run --separate-stderr crm-lead scoring set - --points 1 </dev/null
	assert_failure 64
	assert_stderr 'crm-lead: set -: --points is for one scoring rule, not for rules read from stdin'
	run --separate-stderr crm-lead scoring set "$(printf 'x%.0s' {1..129})" --points 1
	assert_failure 65
	assert_stderr "crm-lead: scoring rule name: not a name (invalid UTF-8, or more than 128 bytes)"
	run --separate-stderr crm-lead scoring set bad --when "$(printf 'name=\377')" --points 1
	assert_failure 65
	assert_stderr "crm-lead: scoring rule 'bad': field 'when': invalid UTF-8"
	run crm-lead scoring list --no-header
	assert_output --partial 'vip,tier=gold|platinum,35'
	refute_output --partial 'new,'
}

@test "scoring set - replaces the rules from CSV or JSON; delete and reset" {
	crm-lead add X >/dev/null
	run --separate-stderr crm-lead scoring set - <<'EOF'
name,when,points
has e-mail,email!=,10
big,"employees>=100",25
base,,1
EOF
	assert_success
	assert_stderr 'crm-lead: stored 3 scoring rules'
	run crm-lead scoring list -f json
	assert_output '[
{"name":"has e-mail","when":"email!=","points":10},
{"name":"big","when":"employees>=100","points":25},
{"name":"base","when":null,"points":1}
]'
	crm-lead scoring list -f json | crm-lead scoring set - 2>/dev/null
	run crm-lead scoring list --no-header
	assert_output $'has e-mail,email!=,10\nbig,employees>=100,25\nbase,,1'
	run --separate-stderr crm-lead scoring set - <<'EOF'
name,when,points,colour
x,,1,red
EOF
	assert_failure 65
	assert_stderr "crm-lead: <stdin>:2: no column 'colour' in scoring rules (name, when, points)"
	run --separate-stderr crm-lead scoring set - <<'EOF'
name,when,points
x,,1
x,,2
EOF
	assert_failure 65
	assert_stderr "crm-lead: scoring rule 'x': given twice"
	run --separate-stderr crm-lead scoring delete big nope
	assert_failure 1
	assert_stderr "crm-lead: scoring rule 'nope': not found"
	crm-lead scoring delete big
	run crm-lead scoring list --no-header
	assert_output $'has e-mail,email!=,10\nbase,,1'
	crm-lead scoring reset
	run crm-lead scoring list --no-header
	assert_line --index 0 'has e-mail,email!=,10'
	assert_line --index 6 'recent activity,last_activity>=-14d,15'
}

@test "grades set replaces the thresholds; the lowest grade takes every score below" {
	seed_leads
	run --separate-stderr crm-lead grades set 'Hot=50' 'Warm=15' Cold
	assert_success
	crm-lead scoring set 'no e-mail' --when email= --points -10
	crm-lead score 2>/dev/null
	run scores
	assert_output $'1,55,Hot\n2,20,Warm\n3,5,Cold\n4,-10,Cold'
	run crm-lead grades list --no-header
	assert_output $'Hot,50\nWarm,15\nCold,'
	run --separate-stderr crm-lead grades set A=high B
	assert_failure 65
	assert_stderr "crm-lead: grade 'A': field 'min': \"high\": not a whole number from -100000000 to 100000000"
	run --separate-stderr crm-lead grades set A=1 A=2
	assert_failure 65
	assert_stderr "crm-lead: grade 'A': given twice"
	printf 'grade,min\nX,10\nY,\n' | crm-lead grades set - 2>/dev/null
	crm-lead score 2>/dev/null
	run scores
	assert_output $'1,55,X\n2,20,X\n3,5,Y\n4,-10,Y'
	crm-lead grades reset
	crm-lead score 2>/dev/null
	run scores
	assert_output $'1,55,A\n2,20,C\n3,5,C\n4,-10,C'
}

# ---- routing and assignment -------------------------------------------------------

@test "assign without routing rules exits 65 and says how to add one" {
	seed_leads
	run --separate-stderr crm-lead assign
	assert_failure 65
	assert_stderr "crm-lead: no routing rules: add one with 'routing set NAME --team USER,...'"
	run crm-lead routing list
	assert_output 'name,when,team,cap,last'
}

@test "round-robin: each run continues the rotation where the last one stopped" {
	seed_leads
	crm-lead routing set all --team 'alice, bob;carol'
	run crm-lead routing list -f json
	assert_output '[
{"name":"all","when":null,"team":["alice","bob","carol"],"cap":null,"last":null}
]'
	run --separate-stderr crm-lead assign 1 2
	assert_success
	assert_output $'id,name,owner,rule\n1,Ann Lee,alice,all\n2,Bob Ray,bob,all'
	assert_stderr 'crm-lead: assigned 2 of 2 leads as change 3'
	run --separate-stderr crm-lead assign
	assert_output $'id,name,owner,rule\n3,Cy Young,carol,all\n4,Di Lu,alice,all'
	assert_stderr 'crm-lead: assigned 2 of 2 leads as change 4'
	run crm-lead routing list --no-header
	assert_output 'all,,alice;bob;carol,,alice'
	crm-lead add Eve >/dev/null
	run --separate-stderr crm-lead assign -f ids
	assert_output '5'
	run owners
	assert_output $'1,alice\n2,bob\n3,carol\n4,alice\n5,bob'
	# a changed team keeps the turn when the last owner is still in it
	crm-lead routing set all --team 'bob,dan'
	crm-lead add Fay >/dev/null
	run crm-lead assign -f ids
	run owners
	assert_line '6,dan'
}

@test "routing by region and by source: the first rule the lead meets assigns it" {
	seed_leads
	fixture routing.csv <<'EOF'
name,when,team,cap
partners,source=partner,pat,
emea,region=EMEA,anna;emil,
rest,,zoe,
EOF
	run --separate-stderr crm-lead routing set - <"$BATS_TEST_TMPDIR/routing.csv"
	assert_success
	assert_stderr 'crm-lead: stored 3 routing rules'
	run --separate-stderr crm-lead assign -f table
	assert_output 'id  name      owner  rule
 1  Ann Lee   anna   emea
 2  Bob Ray   zoe    rest
 3  Cy Young  emil   emea
 4  Di Lu     pat    partners'
}

@test "a cap skips owners with that many open leads; a full rule falls through; converted leads do not count" {
	seed_leads
	crm-lead add Eve region=EMEA >/dev/null
	crm-lead set 1 owner=anna
	crm-lead routing set emea --when region=EMEA --team anna,emil --cap 1
	run --separate-stderr crm-lead assign
	assert_success
	assert_output $'id,name,owner,rule\n3,Cy Young,emil,emea'
	assert_stderr "crm-lead: lead 2: not assigned: no routing rule for it
crm-lead: lead 4: not assigned: no routing rule for it
crm-lead: lead 5: not assigned: every owner of rule 'emea' has 1 open lead (its cap)
crm-lead: assigned 1 of 4 leads as change 5; 3 not assigned"
	run --separate-stderr crm-lead assign 2
	assert_stderr $'crm-lead: lead 2: not assigned: no routing rule for it\ncrm-lead: assigned 0 of 1 lead; 1 not assigned'
	crm-lead routing set rest --team zoe --cap 2
	run --separate-stderr crm-lead assign -f ids
	assert_output $'2\n4'
	run --separate-stderr crm-lead assign 5
	assert_stderr_contains "every owner of rule 'rest' has 2 open leads (its cap)"
	# anna's lead leaves the count once it is converted
	crm-lead convert 1 >/dev/null 2>&1
	run --separate-stderr crm-lead assign 5 -f ids
	assert_output '5'
	run owners
	assert_output $'1,anna\n2,zoe\n3,emil\n4,zoe\n5,anna'
}

@test "list -f ids | assign - : owned leads are left unless --reassign; --dry-run writes nothing; undo" {
	seed_leads
	crm-lead routing set all --team alice,bob
	crm-lead set 2 owner=zed
	run --separate-stderr bash -c 'crm-lead list --where region=APAC -f ids | crm-lead assign -'
	assert_success
	assert_output $'id,name,owner,rule\n4,Di Lu,alice,all'
	assert_stderr 'crm-lead: assigned 1 of 2 leads as change 4; 1 already owned (--reassign moves them)'
	run --separate-stderr crm-lead assign --reassign --dry-run --where region=APAC
	assert_output $'id,name,owner,rule\n2,Bob Ray,bob,all\n4,Di Lu,alice,all'
	assert_stderr 'crm-lead: would assign 2 of 2 leads'
	run owners
	assert_output $'1,\n2,zed\n3,\n4,alice'
	run crm-lead routing list --no-header
	assert_output 'all,,alice;bob,,alice'
	run crm-lead history 4 -f csv
	assert_line '2026-11-23T10:00:00Z,4,tester,crm-lead,4,update,owner,,alice'
	run --separate-stderr crm-lead undo 4
	assert_success
	run owners
	assert_output $'1,\n2,zed\n3,\n4,'
	run --separate-stderr bash -c 'crm-lead list --where owner=nobody -f ids | crm-lead assign -'
	assert_success
	assert_stderr 'crm-lead: assigned 0 of 0 leads'
}

@test "routing set refuses a rule without a team, a bad cap or condition; routing delete" {
	crm-lead add X >/dev/null
	run --separate-stderr crm-lead routing set emea --when region=EMEA
	assert_failure 65
	assert_stderr "crm-lead: routing rule 'emea': field 'team': required: the owners to assign to, ';'-separated"
	run --separate-stderr crm-lead routing set emea --team a --cap -1
	assert_failure 65
	assert_stderr "crm-lead: routing rule 'emea': field 'cap': \"-1\": not a whole number from 0 to 2147483647"
	run --separate-stderr crm-lead routing set emea --team a --when 'created_at>x'
	assert_failure 65
	assert_stderr_contains "crm-lead: routing rule 'emea': field 'when': \"created_at>x\": "
	crm-lead routing set emea --team a
	crm-lead routing set apac --team b
	crm-lead routing delete emea
	run crm-lead routing list --no-header
	assert_output 'apac,,b,,'
}

# ---- qualification and conversion ------------------------------------------------

@test "qualify and disqualify with a reason; qualify clears the reason" {
	seed_leads
	run --separate-stderr crm-lead disqualify 2
	assert_failure 64
	assert_stderr 'crm-lead: disqualify: --reason is required'
	run --separate-stderr crm-lead disqualify 2 3 --reason 'no budget'
	assert_success
	assert_stderr 'crm-lead: disqualified 2 of 2 leads'
	run crm-lead list --where status=disqualified --fields id,disqualify_reason --no-header
	assert_output $'2,no budget\n3,no budget'
	run --separate-stderr crm-lead qualify 1 3
	assert_stderr 'crm-lead: qualified 2 of 2 leads'
	run --separate-stderr crm-lead qualify 1
	assert_stderr 'crm-lead: qualified 0 of 1 lead'
	run crm-lead list --fields id,status,disqualify_reason --no-header
	assert_output $'1,qualified,\n2,disqualified,no budget\n3,qualified,\n4,new,'
	crm-lead routing set all --team a
	run --separate-stderr crm-lead assign 2
	assert_stderr 'crm-lead: assigned 0 of 1 lead; 1 converted or disqualified'
}

@test "convert makes a new customer, its first contact and a deal, in one change" {
	seed_leads
	crm-lead set 1 owner=anna
	run --separate-stderr crm-lead convert ext:L1 --deal-title 'Acme pilot' --amount 1200.50 --currency eur
	assert_success
	assert_output $'lead,customer,contact,deal,matched\n1,1,1,1,'
	assert_stderr 'crm-lead: converted lead 1 to new customer 1 with a deal (change 3)'
	run crm-customer list --fields id,name,kind,email,phone,region,source,owner --no-header
	assert_output '1,Acme,company,ann@acme.example,+1 555 0100,EMEA,referral,anna'
	run crm-customer contact list --fields id,customer,name,email,phone,primary --no-header
	assert_output '1,1,Ann Lee,ann@acme.example,+1 555 0100,yes'
	run crm-lead list --where id=1 --fields status,customer,contact,deal --no-header
	assert_output 'converted,1,1,1'
	# the deal, as crm-customer show lists it
	run bash -c "crm-customer show 1 -f json | jq -c '.deals[0] | [.title, .amount, .currency, .owner, .source, .customer]'"
	assert_output '["Acme pilot","1200.50","EUR","anna","referral",1]'
	# a lead without a company becomes a person
	run --separate-stderr crm-lead convert 2 -f tsv --no-header
	assert_output $'2\t2\t2\t\t'
	run crm-customer list --where id=2 --fields name,kind,email --no-header
	assert_output 'Bob Ray,person,bob@example.com'
	# one change: undo takes all of it back
	run --separate-stderr crm-lead undo 3
	assert_success
	run crm-customer list --fields id,name --no-header
	assert_output '2,Bob Ray'
	run crm-lead list --where id=1 --fields status,customer,contact,deal --no-header
	assert_output 'new,,,'
}

@test "convert attaches to the customer with the lead's e-mail and fills only its empty fields" {
	seed_leads
	crm-customer add 'Acme Corp' email=ANN@acme.example region= owner=boss tier=A >/dev/null
	crm-customer contact add 1 'Ann L.' email=ann@ACME.example title=CEO >/dev/null
	run --separate-stderr crm-lead convert 1
	assert_success
	assert_output $'lead,customer,contact,deal,matched\n1,1,1,,email'
	assert_stderr 'crm-lead: converted lead 1 to existing customer 1 (change 4)'
	run crm-customer list --fields name,email,phone,region,source,owner,tier --no-header
	assert_output 'Acme Corp,ANN@acme.example,+1 555 0100,EMEA,referral,boss,A'
	run crm-customer contact list --fields id,name,title --no-header
	assert_output '1,Ann L.,CEO'
	run crm-customer history 1 -f csv
	assert_line '2026-11-23T10:00:00Z,4,tester,crm-lead,1,update,phone,,+1 555 0100'
	refute_line --partial ',update,owner,'
}

@test "convert attaches by phone when no e-mail matches, and adds the person as a contact" {
	seed_leads
	crm-customer add 'Young and Company' phone='0044 20 7946 0000' >/dev/null
	crm-customer contact add 1 Other >/dev/null
	run --separate-stderr crm-lead convert 3
	assert_success
	assert_output $'lead,customer,contact,deal,matched\n3,1,2,,phone'
	run crm-customer contact list --fields id,name,phone,primary --no-header
	assert_output $'1,Other,,\n2,Cy Young,+44 20 7946 0000,'
}

@test "convert refuses a converted or disqualified lead and bad deal options, writing nothing" {
	seed_leads
	crm-lead convert 1 >/dev/null 2>&1
	run --separate-stderr crm-lead convert 1
	assert_failure 65
	assert_output ''
	assert_stderr 'crm-lead: lead 1: already converted (customer 1); cannot convert it'
	crm-lead disqualify 2 --reason 'student project' 2>/dev/null
	run --separate-stderr crm-lead convert 2
	assert_failure 65
	assert_stderr 'crm-lead: lead 2: disqualified (student project); qualify it before you convert it'
	run --separate-stderr crm-lead disqualify 1 --reason x
	assert_failure 65
	assert_stderr 'crm-lead: lead 1: already converted (customer 1); cannot disqualify it'
	run --separate-stderr crm-lead convert 3 --amount 10
	assert_failure 64
	assert_stderr 'crm-lead: convert: --amount and --currency need --deal-title'
	run --separate-stderr crm-lead convert 3 --deal-title X --amount 12,5
	assert_failure 65
	assert_stderr "crm-lead: deal: field 'amount': \"12,5\": not a decimal number"
	run --separate-stderr crm-lead convert 99
	assert_failure 1
	assert_stderr 'crm-lead: lead 99: not found'
	# nothing of the failed conversions was written
	run crm-customer list -f ids
	assert_output '1'
	run crm-lead list --where id=3 --fields status --no-header
	assert_output 'new'
}

# ---- duplicates ------------------------------------------------------------------

@test "dupes: leads against leads and customers, by e-mail, phone, name and company" {
	seed_leads
	crm-lead add 'bob ray' email=' BOB@example.com' >/dev/null
	crm-customer add 'ACME Inc.' phone='+1 (555) 0100' >/dev/null
	crm-customer add 'Di Lu' kind=person >/dev/null
	crm-customer add 'Young & Co' >/dev/null
	crm-customer add 'Beta' email=beta@x.io >/dev/null
	crm-customer add 'Beta 2' email=BETA@x.io >/dev/null 2>&1 || true
	run --separate-stderr crm-lead dupes
	assert_success
	assert_stderr_empty
	assert_output 'group,entity,id,name,email,phone,match
1,lead,1,Ann Lee,ann@acme.example,+1 555 0100,phone;company
1,customer,1,ACME Inc.,,+1 (555) 0100,phone;company
2,lead,2,Bob Ray,bob@example.com,,email;name
2,lead,5,bob ray,BOB@example.com,,email;name
3,lead,3,Cy Young,,+44 20 7946 0000,company
3,customer,3,Young & Co,,,company
4,lead,4,Di Lu,,,name
4,customer,2,Di Lu,,,name'
	run crm-lead dupes --by email -f ids
	assert_output $'2\n5'
	# a converted lead meets its own customer: not reported
	crm-lead convert 4 >/dev/null 2>&1
	run crm-lead dupes --by name -f csv --no-header
	assert_output $'1,lead,2,Bob Ray,bob@example.com,,name\n1,lead,5,bob ray,BOB@example.com,,name'
	run --separate-stderr crm-lead dupes --by colour
	assert_failure 64
	assert_stderr 'crm-lead: --by "colour": not email, phone, name or company'
}

# ---- campaigns -----------------------------------------------------------------------

@test "campaign add, list, set and delete; cost and dates are checked" {
	run --separate-stderr crm-lead campaign add 'Spring Expo' channel=event cost=5000 currency=jpy started_on=2026-03-01 ended_on=2026-03-03
	assert_success
	assert_output '1'
	run crm-lead campaign add Webinar channel=online cost=1200.5 currency=EUR
	assert_output '2'
	run crm-lead campaign list -f table
	assert_output 'id  name         channel  cost     currency  started_on  ended_on
 1  Spring Expo  event       5000  JPY       2026-03-01  2026-03-03
 2  Webinar      online   1200.50  EUR'
	run --separate-stderr crm-lead campaign set 'Spring Expo' ended_on=2026-02-01
	assert_failure 65
	assert_stderr "crm-lead: field 'ended_on': 2026-02-01 is before started_on 2026-03-01"
	run --separate-stderr crm-lead campaign add Bad cost=-1
	assert_failure 65
	assert_stderr "crm-lead: field 'cost': may not be negative"
	run --separate-stderr crm-lead campaign add 'spring expo'
	assert_success
	run --separate-stderr crm-lead campaign add 'Spring Expo'
	assert_failure 65
	crm-lead campaign set name:Webinar cost=900 2>/dev/null
	printf 'name,channel\nWebinar,partner\n' | crm-lead campaign set - 2>/dev/null
	run crm-lead campaign list --where name=Webinar --fields cost,channel --no-header
	assert_output '900.00,partner'
	run --separate-stderr crm-lead campaign delete 3 Webinar
	assert_success
	assert_stderr 'crm-lead: deleted 2 campaigns'
	run crm-lead campaign list -f ids
	assert_output '1'
}
