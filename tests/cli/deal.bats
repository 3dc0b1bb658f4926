#!/usr/bin/env bats
# crm-deal: the pipeline, stage history, won/lost, stalled and closing
# deals, invoices with instalments, payments, the overdue list with its
# dunning levels, and what crm-customer shows of them.  Time moves by
# setting CRM_NOW per command; setup's clock is 2026-11-23T10:00:00Z.

# $stderr is set by bats' run --separate-stderr.
# shellcheck disable=SC2154
load helper

DEAL_HEADER='id,created_at,updated_at,ext_id,customer,title,amount,currency,stage,probability,expected_close,owner,source,stage_changed_at,closed_at,lost_reason,pipeline'
OVERDUE_HEADER='number,customer,customer_name,email,phone,amount,paid,outstanding,currency,due_on,days_overdue,dunning_level,reminded_at'
STALLED_HEADER='id,title,customer,customer_name,stage,owner,amount,currency,stage_changed_at,days_in_stage'
CLOSING_HEADER='id,title,customer,customer_name,stage,owner,amount,currency,probability,expected_close,days_to_close'

# deal_fields ID A,B,...: those columns of one deal, without a header.
deal_fields() {
	crm-deal list --where "id=$1" --fields "$2" -f csv --no-header
}

# invoices A,B,... [DEAL]: those columns of the invoices, with a header.
invoices() {
	local f=$1
	shift
	crm-deal invoice list "$@" --fields "$f" -f csv
}

# A deal in EUR for Acme Corp (customer 1 of seed_customers); prints nothing.
eur_deal() {
	crm-deal add "${1:-Renewal}" customer=1 amount=1000 currency=EUR \
	    "${@:2}" >/dev/null
}

# One overdue-able invoice: deal 1 billed 100.00 EUR due on $1.
invoice_due() {
	seed_customers
	eur_deal
	crm-deal invoice add 1 --amount 100 --due "$1" >/dev/null 2>&1
}

# The audit change number of the last change of FIELD of deal ID.
change_of() {
	crm-deal history "$1" -f csv --no-header |
	    awk -F, -v f="$2" '$7 == f { n = $2 } END { print n }'
}

# ---- help and usage --------------------------------------------------------

@test "--help lists every command of crm-deal" {
	run --separate-stderr crm-deal --help
	assert_success
	assert_stderr_empty
	assert_line --index 0 'usage: crm-deal [--db DIR] COMMAND [OPTIONS] [ARGS]'
	local c
	for c in add show list set delete stage won lost stages 'stages set' \
	    'stages delete' stalled closing 'invoice add' 'invoice list' \
	    'invoice show' 'invoice set' 'invoice void' pay payments overdue \
	    dunning 'dunning set' history undo; do
		assert_line --regexp "^  $c +[a-z]"
	done
}

@test "every crm-deal subcommand answers --help with its usage and touches no database" {
	local c
	for c in add show list set delete stage won lost stages 'stages set' \
	    'stages delete' stalled closing 'invoice add' 'invoice list' \
	    'invoice show' 'invoice set' 'invoice void' pay payments overdue \
	    dunning 'dunning set' history undo; do
		# shellcheck disable=SC2086
		run --separate-stderr crm-deal $c --help
		assert_success
		assert_stderr_empty
		assert_line --index 0 --regexp "^usage: crm-deal $c \[OPTIONS\]"
	done
	[ ! -e "$CRM_DB" ]
}

# ---- deals: defaults, stage moves, won and lost ------------------------------

@test "add: a new deal starts in lead at 10 %, in the default pipeline, stage changed now" {
	seed_customers
	run --separate-stderr crm-deal add "Acme renewal" customer=1 \
	    amount=12000 currency=EUR owner=ann
	assert_success
	assert_output 1
	assert_stderr_empty
	run --separate-stderr crm-deal list -f csv
	assert_success
	assert_output "$DEAL_HEADER
1,2026-11-23T10:00:00Z,2026-11-23T10:00:00Z,,1,Acme renewal,12000.00,EUR,lead,10,,ann,,2026-11-23T10:00:00Z,,,default"
}

@test "add: a deal given a stage takes that stage's probability; a given probability is kept" {
	seed_customers
	crm-deal add A customer=1 stage=proposal >/dev/null
	crm-deal add B customer=1 stage=negotiation probability=35 >/dev/null
	crm-deal add C customer=1 probability=0 >/dev/null
	run --separate-stderr crm-deal list --fields id,stage,probability -f csv
	assert_success
	assert_output 'id,stage,probability
1,proposal,50
2,negotiation,35
3,lead,0'
}

@test "stage moves a deal: probability becomes the stage's, stage_changed_at the time of the move" {
	seed_customers
	eur_deal
	CRM_NOW=2026-12-01T09:00:00Z run --separate-stderr crm-deal stage 1 proposal
	assert_success
	assert_output ''
	assert_stderr 'crm-deal: deal 1: now proposal'
	run deal_fields 1 stage,probability,stage_changed_at,updated_at,closed_at
	assert_output 'proposal,50,2026-12-01T09:00:00Z,2026-12-01T09:00:00Z,'
	CRM_NOW=2026-12-02T09:00:00Z crm-deal stage 1 qualified 2>/dev/null
	CRM_NOW=2026-12-03T09:00:00Z crm-deal stage 1 negotiation 2>/dev/null
	run deal_fields 1 stage,probability,stage_changed_at
	assert_output 'negotiation,75,2026-12-03T09:00:00Z'
}

@test "stage to the stage a deal is already in changes nothing" {
	seed_customers
	eur_deal
	CRM_NOW=2026-12-01T09:00:00Z crm-deal stage 1 proposal 2>/dev/null
	CRM_NOW=2026-12-05T09:00:00Z run --separate-stderr crm-deal stage 1 proposal
	assert_success
	assert_stderr 'crm-deal: deal 1: already proposal'
	run deal_fields 1 stage,probability,stage_changed_at,updated_at
	assert_output 'proposal,50,2026-12-01T09:00:00Z,2026-12-01T09:00:00Z'
}

@test "set stage= with probability= keeps the probability given; other changes leave stage_changed_at alone" {
	seed_customers
	eur_deal
	CRM_NOW=2026-11-24T10:00:00Z crm-deal set 1 stage=negotiation probability=60
	run deal_fields 1 stage,probability,stage_changed_at
	assert_output 'negotiation,60,2026-11-24T10:00:00Z'
	CRM_NOW=2026-11-25T10:00:00Z crm-deal set 1 probability=65 title=Bigger
	CRM_NOW=2026-11-26T10:00:00Z crm-deal set 1 owner=bob
	run deal_fields 1 title,stage,probability,stage_changed_at,updated_at
	assert_output 'Bigger,negotiation,65,2026-11-24T10:00:00Z,2026-11-26T10:00:00Z'
}

@test "won sets probability 100 and closed_at" {
	seed_customers
	eur_deal
	CRM_NOW=2026-12-05T16:30:00Z run --separate-stderr crm-deal won 1
	assert_success
	assert_stderr 'crm-deal: deal 1: now won'
	run deal_fields 1 stage,probability,stage_changed_at,closed_at,lost_reason
	assert_output 'won,100,2026-12-05T16:30:00Z,2026-12-05T16:30:00Z,'
}

@test "lost without --reason, with an empty one, or as a stage move exits 64 and changes nothing" {
	seed_customers
	eur_deal
	run --separate-stderr crm-deal lost 1
	assert_failure 64
	assert_output ''
	assert_stderr_contains '--reason is required'
	run --separate-stderr crm-deal lost 1 --reason ''
	assert_failure 64
	assert_stderr_contains '--reason is required'
	# nor by the back door of a stage move
	run --separate-stderr crm-deal stage 1 lost
	assert_failure 64
	assert_stderr_contains "stage: a deal is lost with 'lost --reason TEXT 1'"
	run deal_fields 1 stage,probability,closed_at,lost_reason
	assert_output 'lead,10,,'
	[ "$(crm-deal history 1 -f csv --no-header | wc -l)" -eq 1 ]
}

@test "lost --reason stores the reason, probability 0 and closed_at" {
	seed_customers
	eur_deal
	CRM_NOW=2026-12-07T11:00:00Z run --separate-stderr crm-deal lost 1 --reason 'went with a competitor'
	assert_success
	assert_stderr 'crm-deal: deal 1: now lost'
	run deal_fields 1 stage,probability,stage_changed_at,closed_at,lost_reason
	assert_output 'lost,0,2026-12-07T11:00:00Z,2026-12-07T11:00:00Z,went with a competitor'
	run crm-deal lost 1 -r price 2>/dev/null
	run deal_fields 1 lost_reason,closed_at
	assert_output 'price,2026-12-07T11:00:00Z'
}

@test "reopening a lost deal clears closed_at and lost_reason; won after lost clears the reason" {
	seed_customers
	eur_deal A
	eur_deal B
	CRM_NOW=2026-12-01T09:00:00Z crm-deal lost 1 -r price 2>/dev/null
	CRM_NOW=2026-12-01T09:00:00Z crm-deal lost 2 -r timing 2>/dev/null
	CRM_NOW=2026-12-10T09:00:00Z run --separate-stderr crm-deal stage 1 negotiation
	assert_success
	run deal_fields 1 stage,probability,stage_changed_at,closed_at,lost_reason
	assert_output 'negotiation,75,2026-12-10T09:00:00Z,,'
	CRM_NOW=2026-12-11T09:00:00Z crm-deal won 2 2>/dev/null
	run deal_fields 2 stage,probability,closed_at,lost_reason
	assert_output 'won,100,2026-12-11T09:00:00Z,'
}

@test "a stage the pipeline does not have is refused with 65, naming the stages; nothing changes" {
	seed_customers
	eur_deal
	local before
	before=$(crm-deal list -f csv)
	run --separate-stderr crm-deal stage 1 bogus
	assert_failure 65
	assert_output ''
	assert_stderr "crm-deal: field 'stage': \"bogus\" is not a stage of pipeline default (lead, qualified, proposal, negotiation, won, lost)"
	# Stage names are exact: Lead is not lead.
	run --separate-stderr crm-deal set 1 stage=Lead
	assert_failure 65
	assert_stderr_contains '"Lead" is not a stage of pipeline default'
	run --separate-stderr crm-deal add X customer=1 stage=closing
	assert_failure 65
	assert_stderr_contains '"closing" is not a stage of pipeline default'
	[ "$(crm-deal list -f csv)" = "$before" ]
}

@test "stage, won and lost of a deal that does not exist exit 1" {
	seed_customers
	eur_deal
	run --separate-stderr crm-deal stage 9 proposal
	assert_failure 1
	assert_stderr 'crm-deal: deal 9: not found'
	run --separate-stderr crm-deal won 9
	assert_failure 1
	run --separate-stderr crm-deal lost 9 -r x
	assert_failure 1
}

# ---- stage history -----------------------------------------------------------

@test "show -f json: stage history has each stage with entered, left and whole days" {
	seed_customers
	CRM_NOW=2026-11-01T10:00:00Z eur_deal
	CRM_NOW=2026-11-08T10:00:00Z crm-deal stage 1 qualified 2>/dev/null
	CRM_NOW=2026-11-20T09:00:00Z crm-deal stage 1 proposal 2>/dev/null
	CRM_NOW=2026-11-23T10:00:00Z crm-deal won 1 2>/dev/null
	CRM_NOW=2026-11-30T10:00:00Z run --separate-stderr crm-deal show 1 -f json
	assert_success
	assert_stderr_empty
	run jq -c '.stage_history[]' <<<"$output"
	assert_success
	assert_output '{"stage":"lead","entered":"2026-11-01T10:00:00Z","left":"2026-11-08T10:00:00Z","days":7}
{"stage":"qualified","entered":"2026-11-08T10:00:00Z","left":"2026-11-20T09:00:00Z","days":11}
{"stage":"proposal","entered":"2026-11-20T09:00:00Z","left":"2026-11-23T10:00:00Z","days":3}
{"stage":"won","entered":"2026-11-23T10:00:00Z","left":null,"days":7}'
}

@test "show: a deal never moved has one history row, its days counted to now" {
	seed_customers
	CRM_NOW=2026-11-01T10:00:00Z crm-deal add A customer=1 stage=proposal >/dev/null
	run bash -c 'crm-deal show 1 -f json | jq -c ".stage_history"'
	assert_success
	assert_output '[{"stage":"proposal","entered":"2026-11-01T10:00:00Z","left":null,"days":22}]'
}

@test "show -f json of a deal has its invoices and their payments" {
	seed_customers
	eur_deal
	crm-deal invoice add 1 --amount 600 --due 2026-12-01 >/dev/null 2>&1
	crm-deal invoice add 1 --amount 400 --due 2027-01-01 >/dev/null 2>&1
	crm-deal pay INV-000001 --amount 250 --method bank --on 2026-11-20 >/dev/null 2>&1
	run --separate-stderr crm-deal show 1 -f json
	assert_success
	run jq -c '[.id, ([.invoices[] | [.number, .amount, .paid, .status]]), .payments]' <<<"$output"
	assert_output '[1,[["INV-000001","600.00","250.00","partial"],["INV-000002","400.00","0.00","open"]],[{"id":1,"invoice":"INV-000001","amount":"250.00","currency":"EUR","paid_on":"2026-11-20","method":"bank","reference":null}]]'
}

@test "days in a stage are the same in show and in stalled" {
	seed_customers
	CRM_NOW=2026-11-01T18:00:00Z eur_deal
	local shown listed
	shown=$(CRM_NOW=2026-11-16T09:00:00Z crm-deal show 1 -f json |
	    jq '.stage_history[-1].days')
	listed=$(CRM_NOW=2026-11-16T09:00:00Z crm-deal stalled --days 0 -f json |
	    jq '.[0].days_in_stage')
	[ -n "$shown" ] && [ -n "$listed" ] ||
	    fail "no days: show '$shown', stalled '$listed'"
	[ "$shown" = "$listed" ] ||
	    fail "show says $shown days in lead, stalled says $listed"
}

# ---- pipelines ---------------------------------------------------------------

@test "stages prints the default pipeline with probabilities and stall limits" {
	seed_customers
	run --separate-stderr crm-deal stages -f csv
	assert_success
	assert_stderr_empty
	assert_output 'pipeline,position,stage,probability,stall_days
default,1,lead,10,14
default,2,qualified,25,14
default,3,proposal,50,14
default,4,negotiation,75,14
default,5,won,100,
default,6,lost,0,'
}

@test "stages set creates a pipeline with :stall_days; won and lost follow, as given or by default" {
	run --separate-stderr crm-deal stages set --pipeline partner intro=20:7 pilot=60:30 lost=5
	assert_success
	assert_stderr 'crm-deal: pipeline partner: 3 stages set'
	run --separate-stderr crm-deal stages -p partner -f csv
	assert_success
	assert_output 'pipeline,position,stage,probability,stall_days
partner,1,intro,20,7
partner,2,pilot,60,30
partner,3,won,100,
partner,4,lost,5,'
	# The default pipeline is still there, first.
	run crm-deal stages -f csv --no-header
	assert_line --index 0 'default,1,lead,10,14'
	assert_line --index 6 'partner,1,intro,20,7'
	run --separate-stderr crm-deal stages -p nosuch
	assert_failure 1
	assert_stderr_contains 'no pipeline "nosuch"'
}

@test "stages set refuses a malformed stage with 64 and keeps the pipeline" {
	local a
	seed_customers
	for a in intro intro=120 intro=x intro=20:x =20; do
		run --separate-stderr crm-deal stages set -p partner "$a"
		assert_failure 64
		assert_stderr_contains "\"$a\": expected STAGE=PERCENT"
	done
	run --separate-stderr crm-deal stages set -p partner a=10 a=20
	assert_failure 64
	run crm-deal stages -f csv --no-header
	refute_output --partial partner
}

@test "stages set on the default pipeline: new moves take the new probability, existing deals keep theirs" {
	seed_customers
	eur_deal A
	crm-deal stage 1 proposal 2>/dev/null
	crm-deal stages set lead=5 qualified=20 proposal=40 negotiation=80 won=100 lost=0 2>/dev/null
	eur_deal B
	crm-deal stage 2 proposal 2>/dev/null
	run crm-deal list --fields id,stage,probability -f csv --no-header
	assert_output '1,proposal,50
2,proposal,40'
	CRM_NOW=2026-11-24T10:00:00Z crm-deal stage 1 negotiation 2>/dev/null
	run deal_fields 1 probability
	assert_output 80
}

@test "a deal in a second pipeline starts in its first stage and moves only within it" {
	seed_customers
	crm-deal stages set -p partner intro=20:7 pilot=60:30 lost=5 2>/dev/null
	run --separate-stderr crm-deal add "Reseller" customer=1 pipeline=partner
	assert_success
	assert_output 1
	run deal_fields 1 pipeline,stage,probability,stage_changed_at
	assert_output 'partner,intro,20,2026-11-23T10:00:00Z'
	run --separate-stderr crm-deal stage 1 proposal
	assert_failure 65
	assert_stderr "crm-deal: field 'stage': \"proposal\" is not a stage of pipeline partner (intro, pilot, won, lost)"
	CRM_NOW=2026-11-24T10:00:00Z crm-deal stage 1 pilot 2>/dev/null
	run deal_fields 1 stage,probability,stage_changed_at
	assert_output 'pilot,60,2026-11-24T10:00:00Z'
	CRM_NOW=2026-11-25T10:00:00Z crm-deal lost 1 -r budget 2>/dev/null
	run deal_fields 1 stage,probability,closed_at,lost_reason
	assert_output 'lost,5,2026-11-25T10:00:00Z,budget'
}

@test "moving a deal to another pipeline needs a stage of that pipeline" {
	seed_customers
	crm-deal stages set -p partner intro=20 pilot=60 2>/dev/null
	eur_deal
	run --separate-stderr crm-deal set 1 pipeline=partner
	assert_failure 65
	assert_stderr_contains '"lead" is not a stage of pipeline partner'
	CRM_NOW=2026-11-24T10:00:00Z run --separate-stderr crm-deal set 1 pipeline=partner stage=pilot
	assert_success
	run deal_fields 1 pipeline,stage,probability,stage_changed_at
	assert_output 'partner,pilot,60,2026-11-24T10:00:00Z'
}

@test "a deal in a pipeline that does not exist is refused with 65" {
	seed_customers
	run --separate-stderr crm-deal add X customer=1 pipeline=nosuch
	assert_failure 65
	assert_output ''
	assert_stderr "crm-deal: field 'pipeline': no pipeline \"nosuch\" (there is default)"
	[ -z "$(crm-deal list -f ids)" ]
}

@test "stages delete is refused (65) while a deal is in the pipeline, and works once none is" {
	seed_customers
	crm-deal stages set -p partner intro=20 2>/dev/null
	crm-deal add R customer=1 pipeline=partner >/dev/null
	run --separate-stderr crm-deal stages delete partner
	assert_failure 65
	assert_stderr 'crm-deal: pipeline partner: deal 1 (and maybe others) still in it'
	run crm-deal stages -p partner -f csv --no-header
	assert_line --index 0 'partner,1,intro,20,14'
	crm-deal set 1 pipeline=default stage=lead
	run --separate-stderr crm-deal stages delete partner
	assert_success
	run --separate-stderr crm-deal stages -p partner
	assert_failure 1
}

@test "stages delete keeps the default pipeline and names an unknown one" {
	seed_customers
	run --separate-stderr crm-deal stages delete default
	assert_failure 64
	assert_stderr_contains 'the default pipeline stays'
	run --separate-stderr crm-deal stages delete nosuch
	assert_failure 1
	assert_stderr_contains 'no pipeline "nosuch"'
}

# ---- stalled -----------------------------------------------------------------

@test "stalled: an open deal is stalled after more than 14 days in its stage" {
	seed_customers
	CRM_NOW=2026-11-01T10:00:00Z eur_deal A owner=ann
	CRM_NOW=2026-11-15T10:00:00Z run --separate-stderr crm-deal stalled -f csv
	assert_success
	assert_output "$STALLED_HEADER"
	CRM_NOW=2026-11-16T10:00:00Z run --separate-stderr crm-deal stalled -f csv
	assert_success
	assert_output "$STALLED_HEADER
1,A,1,Acme Corp,lead,ann,1000.00,EUR,2026-11-01T10:00:00Z,15"
}

@test "stalled: a stage move restarts the clock; won and lost deals are never stalled" {
	seed_customers
	CRM_NOW=2026-11-01T10:00:00Z eur_deal A
	CRM_NOW=2026-11-01T10:00:00Z eur_deal B
	CRM_NOW=2026-11-01T10:00:00Z eur_deal C
	CRM_NOW=2026-11-01T10:00:00Z eur_deal D
	CRM_NOW=2026-11-10T10:00:00Z crm-deal stage 1 qualified 2>/dev/null
	CRM_NOW=2026-11-10T10:00:00Z crm-deal won 3 2>/dev/null
	CRM_NOW=2026-11-10T10:00:00Z crm-deal lost 4 -r price 2>/dev/null
	run crm-deal stalled -f ids
	assert_output 2
	CRM_NOW=2026-11-25T10:00:00Z run crm-deal stalled -f csv --no-header
	assert_output '2,B,1,Acme Corp,lead,,1000.00,EUR,2026-11-01T10:00:00Z,24
1,A,1,Acme Corp,qualified,,1000.00,EUR,2026-11-10T10:00:00Z,15'
}

@test "stalled: each stage's own stall limit, from stages set" {
	seed_customers
	crm-deal stages set lead=10:3 qualified=25:30 proposal=50 negotiation=75 2>/dev/null
	crm-deal stages set -p partner intro=20:7 2>/dev/null
	CRM_NOW=2026-11-01T10:00:00Z eur_deal A
	CRM_NOW=2026-11-01T10:00:00Z crm-deal add B customer=1 stage=qualified >/dev/null
	CRM_NOW=2026-11-01T10:00:00Z crm-deal add C customer=1 stage=proposal >/dev/null
	CRM_NOW=2026-11-01T10:00:00Z crm-deal add D customer=1 pipeline=partner >/dev/null
	CRM_NOW=2026-11-04T10:00:00Z run crm-deal stalled -f ids
	assert_output ''
	CRM_NOW=2026-11-05T10:00:00Z run crm-deal stalled -f ids
	assert_output 1
	CRM_NOW=2026-11-09T10:00:00Z run crm-deal stalled -f ids
	assert_output $'1\n4'
	CRM_NOW=2026-11-16T10:00:00Z run crm-deal stalled -f ids
	assert_output $'1\n3\n4'
	CRM_NOW=2026-12-01T10:00:00Z run crm-deal stalled -f ids
	assert_output $'1\n3\n4'
	CRM_NOW=2026-12-02T10:00:00Z run crm-deal stalled -f ids
	assert_output $'1\n2\n3\n4'
}

@test "stalled --days N overrides every stage's limit; a bad N exits 64" {
	seed_customers
	CRM_NOW=2026-11-01T10:00:00Z eur_deal A
	CRM_NOW=2026-11-10T10:00:00Z eur_deal B
	CRM_NOW=2026-11-20T10:00:00Z eur_deal C
	run crm-deal stalled --days 20 -f ids
	assert_output 1
	run crm-deal stalled --days 3 -f csv --no-header
	assert_output '1,A,1,Acme Corp,lead,,1000.00,EUR,2026-11-01T10:00:00Z,22
2,B,1,Acme Corp,lead,,1000.00,EUR,2026-11-10T10:00:00Z,13'
	run --separate-stderr crm-deal stalled --days x
	assert_failure 64
}

# ---- closing -----------------------------------------------------------------

@test "closing: open deals expected within 30 days, slipped ones too, soonest first" {
	seed_customers
	eur_deal Undated
	run --separate-stderr crm-deal closing -f csv
	assert_success
	assert_output "$CLOSING_HEADER"
	eur_deal Slipped expected_close=2026-11-20 owner=ann
	eur_deal Week expected_close=2026-11-30
	eur_deal Month expected_close=2026-12-23
	eur_deal Later expected_close=2026-12-24
	eur_deal Won expected_close=2026-11-25
	crm-deal won 6 2>/dev/null
	crm-deal stage 3 negotiation 2>/dev/null
	run --separate-stderr crm-deal closing -f csv
	assert_success
	assert_stderr_empty
	assert_output "$CLOSING_HEADER
2,Slipped,1,Acme Corp,lead,ann,1000.00,EUR,10,2026-11-20,-3
3,Week,1,Acme Corp,negotiation,,1000.00,EUR,75,2026-11-30,7
4,Month,1,Acme Corp,lead,,1000.00,EUR,10,2026-12-23,30"
}

@test "closing --days N narrows the window and still lists slipped deals" {
	seed_customers
	eur_deal Slipped expected_close=2026-10-01
	eur_deal Week expected_close=2026-11-30
	eur_deal Eight expected_close=2026-12-01
	run crm-deal closing --days 7 -f ids
	assert_output $'1\n2'
	run crm-deal closing --days 0 -f csv --no-header
	assert_output '1,Slipped,1,Acme Corp,lead,,1000.00,EUR,10,2026-10-01,-53'
	CRM_NOW=2026-12-02T10:00:00Z run crm-deal closing --days 0 -f ids
	assert_output $'1\n2\n3'
}

# ---- invoices ----------------------------------------------------------------

@test "invoice add bills the deal once, in its currency, to its customer; --due +30d, --issued" {
	seed_customers
	eur_deal
	run --separate-stderr crm-deal invoice add 1 --amount 1234.5 --due 2026-12-31
	assert_success
	assert_output 1
	assert_stderr 'crm-deal: invoiced: INV-000001'
	run --separate-stderr crm-deal invoice list -f csv
	assert_success
	assert_output 'id,created_at,updated_at,number,deal,customer,amount,currency,issued_on,due_on,paid,status,dunning_level,reminded_at
1,2026-11-23T10:00:00Z,2026-11-23T10:00:00Z,INV-000001,1,1,1234.50,EUR,2026-11-23,2026-12-31,0.00,open,,'
	# --due may be relative; --issued sets the issue date.
	crm-deal invoice add 1 --amount 10 --due +30d --issued 2026-11-20 >/dev/null 2>&1
	run invoices number,issued_on,due_on
	assert_output 'number,issued_on,due_on
INV-000001,2026-11-23,2026-12-31
INV-000002,2026-11-20,2026-12-23'
}

@test "instalments: 1000.00 in 3 is 333.34, 333.33, 333.33, due monthly with month-end clamping" {
	seed_customers
	eur_deal
	run --separate-stderr crm-deal invoice add 1 --amount 1000.00 --due 2026-01-31 --instalments 3
	assert_success
	assert_output $'1\n2\n3'
	assert_stderr 'crm-deal: invoiced: INV-000001, INV-000002, INV-000003'
	run invoices number,amount,currency,due_on,status
	assert_output 'number,amount,currency,due_on,status
INV-000001,333.34,EUR,2026-01-31,open
INV-000002,333.33,EUR,2026-02-28,open
INV-000003,333.33,EUR,2026-03-31,open'
}

@test "instalments: the left-over cents go one each to the first ones" {
	seed_customers
	eur_deal
	crm-deal invoice add 1 --amount 100.03 --due 2026-12-01 -k 4 >/dev/null 2>&1
	run invoices amount
	assert_output $'amount\n25.01\n25.01\n25.01\n25.00'
}

@test "instalments --every 1m: the 31st becomes the month's last day, Feb 29 in a leap year" {
	seed_customers
	eur_deal
	crm-deal invoice add 1 --amount 400 --due 2028-01-31 -k 4 --every 1m >/dev/null 2>&1
	run invoices due_on
	assert_output $'due_on\n2028-01-31\n2028-02-29\n2028-03-31\n2028-04-30'
}

@test "instalments --every 30d, 2w and 1y count days, weeks and years" {
	seed_customers
	eur_deal
	crm-deal invoice add 1 --amount 300 --due 2026-01-31 -k 3 --every 30d >/dev/null 2>&1
	crm-deal invoice add 1 --amount 200 --due 2026-12-28 -k 2 --every 2w >/dev/null 2>&1
	crm-deal invoice add 1 --amount 200 --due 2028-02-29 -k 2 --every 1y >/dev/null 2>&1
	run invoices number,amount,due_on
	assert_output 'number,amount,due_on
INV-000001,100.00,2026-01-31
INV-000002,100.00,2026-03-02
INV-000003,100.00,2026-04-01
INV-000004,100.00,2026-12-28
INV-000005,100.00,2027-01-11
INV-000006,100.00,2028-02-29
INV-000007,100.00,2029-02-28'
}

@test "instalments in a currency without decimals split whole units (JPY)" {
	seed_customers
	crm-deal add Yen customer=1 currency=JPY >/dev/null
	crm-deal invoice add 1 --amount 1000 --due 2026-12-01 -k 3 >/dev/null 2>&1
	run invoices amount,currency,paid
	assert_output $'amount,currency,paid\n334,JPY,0\n333,JPY,0\n333,JPY,0'
}

@test "numbers: INV-000001 counting up; --number N, and N-1, N-2 with instalments" {
	seed_customers
	eur_deal
	crm-deal invoice add 1 --amount 10 --due 2026-12-01 >/dev/null 2>&1
	run --separate-stderr crm-deal invoice add 1 --amount 20 --due 2026-12-01 -k 2 --number Q7
	assert_success
	assert_stderr 'crm-deal: invoiced: Q7-1, Q7-2'
	crm-deal invoice add 1 --amount 30 --due 2026-12-01 -n SPECIAL >/dev/null 2>&1
	crm-deal invoice add 1 --amount 40 --due 2026-12-01 >/dev/null 2>&1
	run invoices number,amount
	assert_output 'number,amount
INV-000001,10.00
Q7-1,10.00
Q7-2,10.00
SPECIAL,30.00
INV-000002,40.00'
}

@test "a number already used is refused with 65 and no instalment is written" {
	seed_customers
	eur_deal
	crm-deal invoice add 1 --amount 10 --due 2026-12-01 -n Q7-2 >/dev/null 2>&1
	run --separate-stderr crm-deal invoice add 1 --amount 30 --due 2026-12-01 -k 3 -n Q7
	assert_failure 65
	assert_output ''
	assert_stderr_contains "field 'number': \"Q7-2\" already belongs to invoice 1"
	run invoices number
	assert_output $'number\nQ7-2'
}

@test "a deal without a currency cannot be invoiced (65), and nothing is written" {
	seed_customers
	crm-deal add NoCurrency customer=1 amount=500 >/dev/null
	run --separate-stderr crm-deal invoice add 1 --amount 500 --due 2026-12-01
	assert_failure 65
	assert_output ''
	assert_stderr 'crm-deal: deal 1 has no currency: set one first (crm-deal set 1 currency=EUR)'
	run invoices number
	assert_output number
	crm-deal set 1 currency=USD
	crm-deal invoice add 1 --amount 500 --due 2026-12-01 >/dev/null 2>&1
	run invoices number,currency
	assert_output $'number,currency\nINV-000001,USD'
}

@test "invoice add: missing --amount or --due, --every without --instalments, bad --instalments exit 64" {
	seed_customers
	eur_deal
	run --separate-stderr crm-deal invoice add 1 --amount 10
	assert_failure 64
	assert_stderr_contains '--amount and --due are required'
	run --separate-stderr crm-deal invoice add 1 --due 2026-12-01
	assert_failure 64
	run --separate-stderr crm-deal invoice add 1 --amount 10 --due 2026-12-01 --every 1m
	assert_failure 64
	assert_stderr_contains '--every needs --instalments'
	run --separate-stderr crm-deal invoice add 1 --amount 10 --due 2026-12-01 -k 0
	assert_failure 64
	run --separate-stderr crm-deal invoice add 1 --amount 10 --due 2026-12-01 -k 2 --every 3x
	assert_failure 64
	assert_stderr_contains '--every "3x": not an interval'
	run --separate-stderr crm-deal invoice add 9 --amount 10 --due 2026-12-01
	assert_failure 1
	assert_stderr 'crm-deal: deal 9: not found'
	run invoices number
	assert_output number
}

@test "invoice add: a bad --amount exits 64 with a clear message naming the value" {
	seed_customers
	eur_deal
	run --separate-stderr crm-deal invoice add 1 --amount 12,5 --due 2026-12-01
	assert_failure 64
	assert_output ''
	assert_stderr_contains '--amount "12,5"'
	assert_stderr_contains 'not a decimal number'
	run --separate-stderr crm-deal invoice add 1 --amount 0 --due 2026-12-01
	assert_failure 64
	assert_stderr_contains 'more than zero'
	[ "$(echo "$stderr" | grep -o -- '--amount' | wc -l)" -eq 1 ] ||
	    fail "garbled message: $stderr"
}

@test "invoice add: a bad --due exits 64 with a clear message naming the value" {
	seed_customers
	eur_deal
	run --separate-stderr crm-deal invoice add 1 --amount 10 --due soon
	assert_failure 64
	assert_stderr_contains '"soon": not a date (YYYY-MM-DD'
}

@test "invoice list DEAL lists that deal's invoices only" {
	seed_customers
	eur_deal A
	eur_deal B
	crm-deal invoice add 1 --amount 10 --due 2026-12-01 >/dev/null 2>&1
	crm-deal invoice add 2 --amount 20 --due 2026-12-01 >/dev/null 2>&1
	crm-deal invoice add 1 --amount 30 --due 2026-12-01 >/dev/null 2>&1
	run invoices number,deal,amount 1
	assert_output $'number,deal,amount\nINV-000001,1,10.00\nINV-000003,1,30.00'
	run --separate-stderr crm-deal invoice list 9
	assert_failure 1
}

# ---- payments ----------------------------------------------------------------

@test "pay: a partial payment, then the rest: status partial then paid, paid the sum" {
	seed_customers
	eur_deal
	crm-deal invoice add 1 --amount 1000 --due 2026-12-01 >/dev/null 2>&1
	run --separate-stderr crm-deal pay INV-000001 --amount 300 --method bank --on 2026-11-20
	assert_success
	assert_output 1
	assert_stderr 'crm-deal: invoice INV-000001: partial, outstanding 700.00 EUR'
	run invoices amount,paid,status
	assert_output $'amount,paid,status\n1000.00,300.00,partial'
	run --separate-stderr crm-deal pay INV-000001 --amount 700
	assert_success
	assert_output 2
	assert_stderr 'crm-deal: invoice INV-000001: paid, outstanding 0.00 EUR'
	run invoices amount,paid,status
	assert_output $'amount,paid,status\n1000.00,1000.00,paid'
	run crm-deal payments INV-000001 -f csv
	assert_output 'id,created_at,updated_at,ext_id,invoice,amount,currency,paid_on,method,reference
1,2026-11-23T10:00:00Z,2026-11-23T10:00:00Z,,1,300.00,EUR,2026-11-20,bank,
2,2026-11-23T10:00:00Z,2026-11-23T10:00:00Z,,1,700.00,EUR,2026-11-23,,'
}

@test "pay without --amount pays what is outstanding" {
	seed_customers
	eur_deal
	crm-deal invoice add 1 --amount 99.99 --due 2026-12-01 >/dev/null 2>&1
	crm-deal pay 1 --amount 0.99 >/dev/null 2>&1
	run --separate-stderr crm-deal pay 1 --reference TX-7
	assert_success
	assert_output 2
	assert_stderr 'crm-deal: invoice INV-000001: paid, outstanding 0.00 EUR'
	run crm-deal payments -f csv --fields id,amount,reference
	assert_output $'id,amount,reference\n1,0.99,\n2,99.00,TX-7'
	run invoices paid,status
	assert_output $'paid,status\n99.99,paid'
}

@test "an overpayment is refused with 65 and nothing is written" {
	seed_customers
	eur_deal
	crm-deal invoice add 1 --amount 1000 --due 2026-12-01 >/dev/null 2>&1
	crm-deal pay INV-000001 --amount 300 >/dev/null 2>&1
	local hist
	hist=$(crm-deal history 1 -f csv)
	run --separate-stderr crm-deal pay INV-000001 --amount 700.01
	assert_failure 65
	assert_output ''
	assert_stderr "crm-deal: field 'amount': 700.01 would overpay invoice INV-000001 (outstanding 700.00)"
	run crm-deal payments -f ids
	assert_output 1
	run invoices paid,status
	assert_output $'paid,status\n300.00,partial'
	[ "$(crm-deal history 1 -f csv)" = "$hist" ]
	# Once paid, not a cent more.
	crm-deal pay INV-000001 >/dev/null 2>&1
	run --separate-stderr crm-deal pay INV-000001 --amount 0.01
	assert_failure 65
	assert_stderr_contains 'would overpay invoice INV-000001 (outstanding 0.00)'
}

@test "a payment of zero or less or not a number is refused (65); an unknown invoice exits 1" {
	seed_customers
	eur_deal
	crm-deal invoice add 1 --amount 10 --due 2026-12-01 >/dev/null 2>&1
	run --separate-stderr crm-deal pay 1 --amount 0
	assert_failure 65
	assert_stderr_contains 'more than zero'
	run --separate-stderr crm-deal pay 1 --amount -5
	assert_failure 65
	run --separate-stderr crm-deal pay 1 --amount 1,5
	assert_failure 65
	assert_stderr_contains 'not a decimal number'
	run --separate-stderr crm-deal pay INV-999 --amount 1
	assert_failure 1
	assert_stderr 'crm-deal: invoice INV-999: not found'
	run crm-deal payments -f ids
	assert_output ''
}

@test "invoice show -f json has the invoice and its payments" {
	seed_customers
	eur_deal
	crm-deal invoice add 1 --amount 10 --due 2026-12-01 >/dev/null 2>&1
	crm-deal pay 1 --amount 4 -m card --on 2026-11-21 >/dev/null 2>&1
	run --separate-stderr crm-deal invoice show INV-000001 -f json
	assert_success
	run jq -c '[.number, .amount, .paid, .status, [.payments[] | [.amount, .paid_on, .method]]]' <<<"$output"
	assert_output '["INV-000001","10.00","4.00","partial",[["4.00","2026-11-21","card"]]]'
}

@test "an invoice's amount cannot be set below what has been paid" {
	seed_customers
	eur_deal
	crm-deal invoice add 1 --amount 100 --due 2026-12-01 >/dev/null 2>&1
	crm-deal pay 1 --amount 25 >/dev/null 2>&1
	run --separate-stderr crm-deal invoice set INV-000001 amount=10
	assert_failure 65
	run invoices amount,paid,status
	assert_output $'amount,paid,status\n100.00,25.00,partial'
}

@test "paid and status follow the payments, whatever invoice set is given" {
	seed_customers
	eur_deal
	crm-deal invoice add 1 --amount 100 --due 2026-12-01 >/dev/null 2>&1
	crm-deal invoice set INV-000001 paid=100 status=paid
	run invoices paid,status
	assert_output $'paid,status\n0.00,open'
}

# ---- void --------------------------------------------------------------------

@test "void: an invoice without payments is voided; one with payments is refused, all or nothing" {
	seed_customers
	eur_deal
	crm-deal invoice add 1 --amount 100 --due 2026-12-01 -k 3 >/dev/null 2>&1
	crm-deal pay INV-000002 --amount 1 >/dev/null 2>&1
	run --separate-stderr crm-deal invoice void INV-000001 INV-000002
	assert_failure 65
	assert_stderr "crm-deal: field 'status': invoice 2 has payments and cannot be void"
	run invoices number,status
	assert_output $'number,status\nINV-000001,open\nINV-000002,partial\nINV-000003,open'
	run --separate-stderr crm-deal invoice void INV-000001 3
	assert_success
	assert_stderr 'crm-deal: voided 2 invoices'
	run invoices number,status
	assert_output $'number,status\nINV-000001,void\nINV-000002,partial\nINV-000003,void'
}

@test "a void invoice takes no payment" {
	seed_customers
	eur_deal
	crm-deal invoice add 1 --amount 100 --due 2026-12-01 >/dev/null 2>&1
	crm-deal invoice void 1 2>/dev/null
	run --separate-stderr crm-deal pay INV-000001 --amount 10
	assert_failure 65
	assert_output ''
	assert_stderr "crm-deal: field 'invoice': invoice 1 is void"
	run crm-deal payments -f ids
	assert_output ''
	run invoices paid,status
	assert_output $'paid,status\n0.00,void'
}

@test "a void invoice is not overdue and not in the customer's balance" {
	invoice_due 2026-11-01
	crm-deal invoice add 1 --amount 50 --due 2026-11-10 >/dev/null 2>&1
	run crm-deal overdue -f csv --no-header
	assert_line --index 0 --partial 'INV-000001,'
	assert_line --index 1 --partial 'INV-000002,'
	crm-deal invoice void INV-000001 2>/dev/null
	run crm-deal overdue -f csv --no-header
	assert_output --partial 'INV-000002,1,Acme Corp'
	refute_output --partial 'INV-000001'
	run bash -c 'crm-customer show 1 -f json | jq -c .balance'
	assert_output '[{"currency":"EUR","outstanding":"50.00","overdue":"50.00"}]'
}

# ---- overdue and dunning -----------------------------------------------------

@test "overdue: the columns, and an invoice due today is not overdue yet" {
	invoice_due 2026-11-23
	run --separate-stderr crm-deal overdue -f csv
	assert_success
	assert_stderr_empty
	assert_output "$OVERDUE_HEADER"
	CRM_NOW=2026-11-24T00:00:00Z run --separate-stderr crm-deal overdue -f csv
	assert_success
	assert_output "$OVERDUE_HEADER
INV-000001,1,Acme Corp,info@acme.com,+86 138 0000 0007,100.00,0.00,100.00,EUR,2026-11-23,1,1,"
}

@test "overdue: days overdue and the default dunning level at the boundary days" {
	invoice_due 2026-10-01
	local now expect
	for now in 2026-10-01T23:59:59Z:none 2026-10-02T00:00:00Z:1/1 \
	    2026-10-16T12:00:00Z:15/1 2026-10-17T08:00:00Z:16/2 \
	    2026-10-31T23:00:00Z:30/2 2026-11-01T07:00:00Z:31/3 \
	    2026-11-30T07:00:00Z:60/3 2026-12-01T07:00:00Z:61/4 \
	    2027-10-01T07:00:00Z:365/4; do
		expect=${now##*:}
		now=${now%:*}
		run bash -c "CRM_NOW=$now crm-deal overdue -f json | jq -r '.[] | \"\(.days_overdue)/\(.dunning_level)\"'"
		assert_success
		if [ "$expect" = none ]; then
			assert_output ''
		else
			assert_output "$expect"
		fi
	done
}

@test "overdue: outstanding is amount minus paid; most overdue first; a paid invoice is gone at once" {
	seed_customers
	eur_deal
	crm-deal add Beta customer=2 currency=USD >/dev/null
	crm-deal invoice add 1 --amount 100 --due 2026-11-01 >/dev/null 2>&1
	crm-deal invoice add 2 --amount 250 --due 2026-09-30 >/dev/null 2>&1
	crm-deal invoice add 1 --amount 70 --due 2026-11-20 >/dev/null 2>&1
	crm-deal pay INV-000001 --amount 40 >/dev/null 2>&1
	run --separate-stderr crm-deal overdue -f csv --no-header
	assert_success
	assert_output 'INV-000002,2,Beta Ltd,hello@beta.io,13800000014,250.00,0.00,250.00,USD,2026-09-30,54,3,
INV-000001,1,Acme Corp,info@acme.com,+86 138 0000 0007,100.00,40.00,60.00,EUR,2026-11-01,22,2,
INV-000003,1,Acme Corp,info@acme.com,+86 138 0000 0007,70.00,0.00,70.00,EUR,2026-11-20,3,1,'
	crm-deal pay INV-000001 >/dev/null 2>&1
	run crm-deal overdue -f csv --no-header
	refute_output --partial INV-000001
	assert_line --index 0 --partial INV-000002
	assert_line --index 1 --partial INV-000003
}

@test "overdue --min-days N and --level L select; a bad value exits 64" {
	seed_customers
	eur_deal
	crm-deal invoice add 1 --amount 10 --due 2026-11-22 -n A >/dev/null 2>&1
	crm-deal invoice add 1 --amount 10 --due 2026-11-07 -n B >/dev/null 2>&1
	crm-deal invoice add 1 --amount 10 --due 2026-11-01 -n C >/dev/null 2>&1
	crm-deal invoice add 1 --amount 10 --due 2026-09-01 -n D >/dev/null 2>&1
	run bash -c 'crm-deal overdue -f json | jq -r ".[] | \"\(.number) \(.days_overdue) \(.dunning_level)\""'
	assert_output 'D 83 4
C 22 2
B 16 2
A 1 1'
	run bash -c 'crm-deal overdue --min-days 16 -f json | jq -r ".[].number" | paste -sd,'
	assert_output 'D,C,B'
	run bash -c 'crm-deal overdue --min-days 17 -f json | jq -r ".[].number" | paste -sd,'
	assert_output 'D,C'
	run bash -c 'crm-deal overdue --level 2 -f json | jq -r ".[].number" | paste -sd,'
	assert_output 'C,B'
	run bash -c 'crm-deal overdue --level 3 -f json | jq -r ".[].number" | paste -sd,'
	assert_output ''
	run --separate-stderr crm-deal overdue --min-days x
	assert_failure 64
	run --separate-stderr crm-deal overdue --level x
	assert_failure 64
}

@test "overdue --mark-reminded records the reminder; run again the same day it lists nothing" {
	invoice_due 2026-11-01
	crm-deal invoice add 1 --amount 20 --due 2026-10-01 -n OLD >/dev/null 2>&1
	CRM_NOW=2026-11-23T07:00:00Z run --separate-stderr crm-deal overdue --mark-reminded -f csv
	assert_success
	assert_output "$OVERDUE_HEADER
OLD,1,Acme Corp,info@acme.com,+86 138 0000 0007,20.00,0.00,20.00,EUR,2026-10-01,53,3,2026-11-23T07:00:00Z
INV-000001,1,Acme Corp,info@acme.com,+86 138 0000 0007,100.00,0.00,100.00,EUR,2026-11-01,22,2,2026-11-23T07:00:00Z"
	assert_stderr 'crm-deal: marked 2 invoices reminded'
	run invoices number,dunning_level,reminded_at
	assert_output 'number,dunning_level,reminded_at
INV-000001,2,2026-11-23T07:00:00Z
OLD,3,2026-11-23T07:00:00Z'
	CRM_NOW=2026-11-23T18:00:00Z run --separate-stderr crm-deal overdue --mark-reminded -f csv
	assert_success
	assert_output "$OVERDUE_HEADER"
	assert_stderr 'crm-deal: marked 0 invoices reminded'
	# The plain list still shows them, with when they were reminded.
	run bash -c 'crm-deal overdue -f json | jq -r ".[] | \"\(.number) \(.reminded_at)\""'
	assert_output $'OLD 2026-11-23T07:00:00Z\nINV-000001 2026-11-23T07:00:00Z'
}

@test "overdue --mark-reminded: an invoice comes back on the day it reaches the next level, not before" {
	invoice_due 2026-11-01
	local day
	CRM_NOW=2026-11-06T07:00:00Z run --separate-stderr crm-deal overdue --mark-reminded -f csv --no-header
	assert_output 'INV-000001,1,Acme Corp,info@acme.com,+86 138 0000 0007,100.00,0.00,100.00,EUR,2026-11-01,5,1,2026-11-06T07:00:00Z'
	for day in 07 10 15 16; do
		CRM_NOW=2026-11-${day}T07:00:00Z run --separate-stderr crm-deal overdue --mark-reminded -f csv --no-header
		assert_success
		assert_output ''
	done
	CRM_NOW=2026-11-17T07:00:00Z run --separate-stderr crm-deal overdue --mark-reminded -f csv --no-header
	assert_output 'INV-000001,1,Acme Corp,info@acme.com,+86 138 0000 0007,100.00,0.00,100.00,EUR,2026-11-01,16,2,2026-11-17T07:00:00Z'
	CRM_NOW=2026-11-18T07:00:00Z run --separate-stderr crm-deal overdue --mark-reminded -f ids
	assert_output ''
	# Skipped runs: the next one reminds at the level reached, once.
	CRM_NOW=2027-01-05T07:00:00Z run bash -c 'crm-deal overdue --mark-reminded -f json 2>/dev/null | jq -r ".[] | \"\(.days_overdue) \(.dunning_level)\""'
	assert_output '65 4'
	CRM_NOW=2027-03-05T07:00:00Z run --separate-stderr crm-deal overdue --mark-reminded -f csv --no-header
	assert_output ''
}

@test "overdue --mark-reminded: a partial payment sends nothing again; paid, the invoice is gone" {
	invoice_due 2026-11-01
	CRM_NOW=2026-11-10T07:00:00Z crm-deal overdue --mark-reminded >/dev/null 2>&1
	CRM_NOW=2026-11-10T09:00:00Z crm-deal pay 1 --amount 30 >/dev/null 2>&1
	CRM_NOW=2026-11-10T17:00:00Z run --separate-stderr crm-deal overdue --mark-reminded -f csv --no-header
	assert_output ''
	CRM_NOW=2026-11-10T17:00:00Z run crm-deal overdue -f csv --no-header
	assert_output 'INV-000001,1,Acme Corp,info@acme.com,+86 138 0000 0007,100.00,30.00,70.00,EUR,2026-11-01,9,1,2026-11-10T07:00:00Z'
	CRM_NOW=2026-11-11T09:00:00Z crm-deal pay 1 >/dev/null 2>&1
	CRM_NOW=2026-11-11T10:00:00Z run crm-deal overdue -f csv --no-header
	assert_output ''
	CRM_NOW=2026-12-31T10:00:00Z run --separate-stderr crm-deal overdue --mark-reminded -f csv --no-header
	assert_output ''
}

@test "overdue --mark-reminded --level L marks only the invoices it lists" {
	seed_customers
	eur_deal
	crm-deal invoice add 1 --amount 10 --due 2026-11-20 -n A >/dev/null 2>&1
	crm-deal invoice add 1 --amount 10 --due 2026-10-01 -n B >/dev/null 2>&1
	run bash -c 'crm-deal overdue --mark-reminded --level 3 -f json 2>/dev/null | jq -r ".[].number"'
	assert_output B
	run invoices number,dunning_level
	assert_output $'number,dunning_level\nA,\nB,3'
	run bash -c 'crm-deal overdue --mark-reminded -f json 2>/dev/null | jq -r ".[].number"'
	assert_output A
}

@test "dunning shows the default levels; dunning set 1 10 20 changes them" {
	seed_customers
	run --separate-stderr crm-deal dunning -f csv
	assert_success
	assert_output 'level,from_days,to_days
1,1,15
2,16,30
3,31,60
4,61,'
	run --separate-stderr crm-deal dunning set 1 10 20
	assert_success
	run crm-deal dunning -f csv
	assert_output 'level,from_days,to_days
1,1,9
2,10,19
3,20,'
}

@test "dunning set: the overdue list takes the new levels" {
	invoice_due 2026-10-01
	crm-deal dunning set 1 10 20 2>/dev/null
	local now expect
	for now in 2026-10-10:9/1 2026-10-11:10/2 2026-10-20:19/2 \
	    2026-10-21:20/3 2026-12-01:61/3; do
		expect=${now#*:}
		now=${now%:*}
		run bash -c "CRM_NOW=${now}T07:00:00Z crm-deal overdue -f json | jq -r '.[] | \"\(.days_overdue)/\(.dunning_level)\"'"
		assert_output "$expect"
	done
	CRM_NOW=2026-12-01T07:00:00Z run bash -c 'crm-deal overdue --level 4 -f ids'
	assert_output ''
}

@test "dunning set refuses levels that do not start at 1 day or more, each later, with 64" {
	local set
	seed_customers
	for set in '0 5' '5 3' '1 1' 'x'; do
		# shellcheck disable=SC2086
		run --separate-stderr crm-deal dunning set $set
		assert_failure 64
	done
	run crm-deal dunning -f csv --no-header
	assert_output $'1,1,15\n2,16,30\n3,31,60\n4,61,'
}

@test "overdue on a database that does not exist exits 66 and creates nothing" {
	run --separate-stderr crm-deal overdue
	assert_failure 66
	assert_output ''
	assert_stderr "crm-deal: no database at $CRM_DB (it is created by the first change)"
	[ ! -e "$CRM_DB" ]
}

# ---- crm-customer: show, merge -----------------------------------------------

@test "customer show -f json: deals, invoices and the balance per currency (outstanding, overdue)" {
	seed_customers
	crm-deal add E customer=1 currency=EUR >/dev/null
	crm-deal add U customer=1 currency=USD >/dev/null
	crm-deal add J customer=1 currency=JPY >/dev/null
	crm-deal add Other customer=2 currency=EUR >/dev/null
	crm-deal invoice add 1 --amount 100 --due 2026-11-01 >/dev/null 2>&1
	crm-deal invoice add 1 --amount 50.5 --due 2026-12-31 >/dev/null 2>&1
	crm-deal invoice add 2 --amount 70 --due 2026-11-22 >/dev/null 2>&1
	crm-deal invoice add 2 --amount 30 --due 2026-11-23 >/dev/null 2>&1
	crm-deal invoice add 3 --amount 5000 --due 2026-12-23 >/dev/null 2>&1
	crm-deal invoice add 1 --amount 999 --due 2026-10-01 >/dev/null 2>&1
	crm-deal invoice add 1 --amount 10 --due 2026-10-01 >/dev/null 2>&1
	crm-deal invoice add 4 --amount 800 --due 2026-10-01 >/dev/null 2>&1
	crm-deal invoice void INV-000006 2>/dev/null
	crm-deal pay INV-000001 --amount 25 >/dev/null 2>&1
	crm-deal pay INV-000007 >/dev/null 2>&1
	run --separate-stderr crm-customer show 1 -f json
	assert_success
	assert_stderr_empty
	run jq -c '[([.deals[].title] | sort), ([.invoices[].number] | sort), .balance]' <<<"$output"
	assert_output '[["E","J","U"],["INV-000001","INV-000002","INV-000003","INV-000004","INV-000005","INV-000006","INV-000007"],[{"currency":"EUR","outstanding":"125.50","overdue":"75.00"},{"currency":"USD","outstanding":"100.00","overdue":"70.00"},{"currency":"JPY","outstanding":"5000","overdue":"0"}]]'
}

@test "customer show -f table ends with the balance section" {
	seed_customers
	eur_deal
	crm-deal invoice add 1 --amount 100 --due 2026-11-01 >/dev/null 2>&1
	run bash -c 'crm-customer show 1 -f table | sed -n "/^balance:/,\$p" | sed "s/ *$//"'
	assert_success
	assert_output 'balance:
currency  outstanding  overdue
EUR            100.00   100.00'
}

@test "customer merge moves the duplicate's deals and invoices to the kept customer" {
	seed_customers
	crm-deal add Mine customer=1 currency=EUR >/dev/null
	crm-deal add Theirs customer=2 currency=EUR >/dev/null
	crm-deal invoice add 2 --amount 100 --due 2026-11-01 >/dev/null 2>&1
	crm-deal pay INV-000001 --amount 40 >/dev/null 2>&1
	run --separate-stderr crm-customer merge 1 2
	assert_success
	run crm-deal list --fields id,customer -f csv --no-header
	assert_output $'1,1\n2,1'
	run invoices number,deal,customer,paid
	assert_output $'number,deal,customer,paid\nINV-000001,2,1,40.00'
	run bash -c 'crm-customer show 1 -f json | jq -c "[([.deals[].title] | sort), [.invoices[].number], .balance]"'
	assert_output '[["Mine","Theirs"],["INV-000001"],[{"currency":"EUR","outstanding":"60.00","overdue":"60.00"}]]'
	run crm-deal overdue -f csv --no-header
	assert_output 'INV-000001,1,Acme Corp,info@acme.com,+86 138 0000 0007,100.00,40.00,60.00,EUR,2026-11-01,22,2,'
}

# ---- import, delete, undo ----------------------------------------------------

@test "crm-import deal: a stage column without probability takes the stages' probabilities" {
	seed_customers
	crm-deal stages set -p partner intro=20 pilot=60 2>/dev/null
	fixture deals.csv <<'EOF'
ext_id,customer,title,amount,currency,stage,pipeline,created_at,probability
D1,E1,Imported one,500,EUR,proposal,,2026-01-10T08:00:00Z,
D2,hello@beta.io,Imported two,700,USD,negotiation,,,
D3,1,Imported three,10,EUR,,,,
D4,2,Imported four,10,EUR,pilot,partner,,
D5,2,Imported five,10,EUR,qualified,,,90
EOF
	run --separate-stderr crm-import deal deals.csv
	assert_success
	run crm-deal list --fields ext_id,customer,pipeline,stage,probability,stage_changed_at -f csv
	assert_output 'ext_id,customer,pipeline,stage,probability,stage_changed_at
D1,1,default,proposal,50,2026-01-10T08:00:00Z
D2,2,default,negotiation,75,2026-11-23T10:00:00Z
D3,1,default,lead,10,2026-11-23T10:00:00Z
D4,2,partner,pilot,60,2026-11-23T10:00:00Z
D5,2,default,qualified,90,2026-11-23T10:00:00Z'
}

@test "crm-import deal rejects an unknown stage with its line and imports nothing" {
	seed_customers
	fixture deals.csv <<'EOF'
customer,title,stage
1,Fine,proposal
1,Bad,bogus
EOF
	run --separate-stderr crm-import deal deals.csv
	assert_failure 65
	assert_stderr_contains "deals.csv:3: field 'stage': \"bogus\" is not a stage of pipeline default"
	run crm-deal list -f ids
	assert_output ''
}

@test "delete of a deal with invoices is refused (65) without suggesting a --force that fails too" {
	seed_customers
	eur_deal A
	eur_deal B
	crm-deal invoice add 1 --amount 10 --due 2026-12-01 >/dev/null 2>&1
	run --separate-stderr crm-deal delete 1
	assert_failure 65
	assert_stderr_contains 'deal 1: still has 1 invoice'
	[[ "$stderr" != *"use --force"* ]] || fail "suggests --force: $stderr"
	run --separate-stderr crm-deal delete --force 1
	assert_failure 65
	run crm-deal list -f ids
	assert_output $'1\n2'
	run --separate-stderr crm-deal delete 2
	assert_success
	assert_stderr 'crm-deal: deleted 1 deal'
}

@test "undo of a stage change restores the stage, its probability and stage_changed_at" {
	seed_customers
	eur_deal
	CRM_NOW=2026-11-25T10:00:00Z crm-deal stage 1 proposal 2>/dev/null
	local change
	change=$(change_of 1 stage)
	[ -n "$change" ]
	CRM_NOW=2026-11-26T10:00:00Z run --separate-stderr crm-deal undo "$change"
	assert_success
	assert_stderr_contains "undid change $change"
	run deal_fields 1 stage,probability,stage_changed_at,closed_at
	assert_output 'lead,10,2026-11-23T10:00:00Z,'
}

@test "undo of a won restores the open stage and clears closed_at" {
	seed_customers
	eur_deal
	CRM_NOW=2026-11-25T10:00:00Z crm-deal won 1 2>/dev/null
	local change
	change=$(change_of 1 stage)
	CRM_NOW=2026-11-26T10:00:00Z crm-deal undo "$change" 2>/dev/null
	run deal_fields 1 stage,probability,closed_at
	assert_output 'lead,10,'
}

@test "history of a deal shows each stage change with old and new values" {
	seed_customers
	eur_deal
	CRM_NOW=2026-11-25T10:00:00Z crm-deal stage 1 proposal 2>/dev/null
	run bash -c 'crm-deal history 1 -f csv --no-header | cut -d, -f1,5-9'
	assert_output '2026-11-23T10:00:00Z,1,create,,,
2026-11-25T10:00:00Z,1,update,stage,lead,proposal
2026-11-25T10:00:00Z,1,update,probability,10,50
2026-11-25T10:00:00Z,1,update,stage_changed_at,2026-11-23T10:00:00Z,2026-11-25T10:00:00Z'
}
