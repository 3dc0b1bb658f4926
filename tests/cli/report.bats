#!/usr/bin/env bats
# crm-report: every report's figures on a small fixture, checked against
# values worked out by hand (the working is in the comment beside each
# expected output), in every format; grouping, periods, selection,
# sorting, errors and exit statuses; a report against an independent
# computation over generated data; and reading one snapshot while a
# writer carries on.
#
# The fixture (tests/cli/fixtures/report) is loaded once per file with
# crm-import into a database the read-only tests share; a test that
# writes works on its own copy (own_copy).  The clock is setup's,
# 2026-11-23T10:00:00Z: "today" is 2026-11-23.
#
# Fixture, in short (ids follow the file order):
#   customers 1 Acme (ann, web, EMEA, gold)   2 Beta (bob, referral, APAC, silver)
#             3 Gamma (ann, web, EMEA, gold)  4 Delta (bob, fair, APAC)
#             5 Epsilon (ann, referral, EMEA, silver)  6 Zeta (ann, web, EMEA)
#   deals     D1 C1 1000.00 EUR lead          D2 C1 0.30 EUR qualified
#             D3 C2 0.10 EUR qualified        D4 C3 1001 JPY proposal
#             D5 C2 200.00 USD negotiation, probability 90 given
#             D6 C1 500.00 EUR won 2025-11-20 D7 C3 300.01 EUR won 2026-11-05
#             D8 C2 150.00 USD won 2026-11-12 D9 C4 400.00 EUR lost price
#             D10 C5 50.00 EUR lost timing    D11 C4 100.00 EUR lost price

# $stderr is set by bats' run --separate-stderr.
# shellcheck disable=SC2154
load helper

FIX="$BATS_TEST_DIRNAME/fixtures/report"
REPORTS='pipeline funnel forecast winrate lost cycle aging sla csat rfm churn retention ltv sources activity'

# load_fixture: every file of the fixture, in the order references need.
load_fixture() {
	local e f
	for e in customer campaign deal lead invoice payment ticket activity; do
		case $e in
		activity) f=activities ;;
		*) f=${e}s ;;
		esac
		if ! crm-import "$e" "$FIX/$f.csv" >/dev/null 2>"$BATS_FILE_TMPDIR/load.err"; then
			cat "$BATS_FILE_TMPDIR/load.err" >&2
			return 1
		fi
	done
}

setup_file() {
	PATH="$CRM_BIN_DIR:$PATH"
	export CRM_DB="$BATS_FILE_TMPDIR/fixture" CRM_NOW=2026-11-23T10:00:00Z \
	    CRM_USER=tester
	load_fixture
}

setup() {
	common_setup
	export CRM_DB="$BATS_FILE_TMPDIR/fixture"
}

teardown() {
	common_teardown
}

# own_copy: this test's own copy of the fixture database, to change.
own_copy() {
	cp -a "$BATS_FILE_TMPDIR/fixture" "$BATS_TEST_TMPDIR/db"
	export CRM_DB="$BATS_TEST_TMPDIR/db"
}

# report ARGS...: crm-report ARGS as CSV, stdout and stderr apart.
report() {
	run --separate-stderr crm-report "$@" -f csv
}

# ---- the tool -------------------------------------------------------------

@test "--help lists every report; each answers --help and --version" {
	run --separate-stderr crm-report --help
	assert_success
	assert_line --index 0 'usage: crm-report [--db DIR] COMMAND [OPTIONS] [ARGS]'
	local r
	for r in $REPORTS; do
		assert_line --regexp "^  $r +[a-z]"
	done
	for r in $REPORTS; do
		run --separate-stderr crm-report "$r" --help
		assert_success
		assert_line --index 0 "usage: crm-report $r [OPTIONS]"
		run --separate-stderr crm-report "$r" --version
		assert_success
		assert_output --regexp '^crm-report [0-9]+\.[0-9]+\.[0-9]+$'
	done
}

@test "an unknown report exits 64; a missing database 66" {
	run --separate-stderr crm-report nosuch
	assert_failure 64
	assert_stderr_contains "'nosuch' is not a command"
	run --separate-stderr crm-report --db "$BATS_TEST_TMPDIR/none" pipeline
	assert_failure 66
	assert_output ''
}

@test "a database with one customer and nothing else: headers, no rows, no error" {
	export CRM_DB="$BATS_TEST_TMPDIR/empty"
	crm-customer add Solo >/dev/null
	local r
	for r in $REPORTS; do
		run --separate-stderr crm-report "$r" -f csv
		assert_success
		assert_stderr_empty
		[ "$r" = ltv ] && continue
		[ "${#lines[@]}" -eq 1 ] || fail "$r printed rows: $output"
	done
	# ltv counts the customers of a group, paying or not.
	run --separate-stderr crm-report ltv -f csv
	assert_output $'source,currency,customers,paying,revenue,ltv\n,,1,0,,'
	run --separate-stderr crm-report pipeline -f json
	assert_output '[]'
}

# ---- pipeline ---------------------------------------------------------------

@test "pipeline: open deals by stage and currency, weighted rounded half away from zero per deal" {
	report pipeline
	assert_success
	assert_stderr_empty
	# Open deals (not won/lost): D1-D5.  Probabilities from the stages
	# (crm-deal's rules fill them on import): lead 10, qualified 25,
	# proposal 50; D5 keeps the 90 it was given.
	#   D1 100000 x 10/100 = 10000        -> lead EUR 1000.00, 100.00
	#   D2     30 x 25/100 =  7.5 -> 8
	#   D3     10 x 25/100 =  2.5 -> 3    -> qualified EUR 0.40, 0.11
	#                                        (rounding the sum, 10.0, would give 0.10)
	#   D4   1001 x 50/100 = 500.5 -> 501 -> proposal JPY 1001, 501 (no decimals)
	#   D5  20000 x 90/100 = 18000        -> negotiation USD 200.00, 180.00
	assert_output - <<'EOF'
stage,currency,count,amount,weighted
lead,EUR,1,1000.00,100.00
qualified,EUR,2,0.40,0.11
proposal,JPY,1,1001,501
negotiation,USD,1,200.00,180.00
EOF
	# The columns scripts rely on, asked for by name.
	report pipeline --by stage,currency
	assert_output "$(crm-report pipeline -f csv)"
}

@test "pipeline in every format: table with bars per currency, TSV, JSON, NDJSON" {
	# Bars: amount against the largest of the same currency, 30 cells in
	# eighths: lead EUR 1000.00 is the EUR top (30 cells); qualified 0.40 is
	# 30 x 8 x 0.40 / 1000.00 = 0.096 eighths, shown as one eighth (a
	# sliver, not nothing); JPY and USD are alone in theirs.
	run --separate-stderr crm-report pipeline -f table
	assert_success
	assert_output - <<'EOF'
stage        currency  count  amount   weighted
lead         EUR           1  1000.00    100.00  ██████████████████████████████
qualified    EUR           2     0.40      0.11  ▏
proposal     JPY           1     1001       501  ██████████████████████████████
negotiation  USD           1   200.00    180.00  ██████████████████████████████
EOF
	run --separate-stderr crm-report pipeline -f table --no-bars
	assert_line --index 1 'lead         EUR           1  1000.00    100.00'
	run --separate-stderr crm-report pipeline -f tsv
	assert_output "$(crm-report pipeline -f csv | tr , '\t')"
	# Money as strings (exact), counts as numbers.
	run --separate-stderr crm-report pipeline -f json
	assert_output - <<'EOF'
[
{"stage":"lead","currency":"EUR","count":1,"amount":"1000.00","weighted":"100.00"},
{"stage":"qualified","currency":"EUR","count":2,"amount":"0.40","weighted":"0.11"},
{"stage":"proposal","currency":"JPY","count":1,"amount":"1001","weighted":"501"},
{"stage":"negotiation","currency":"USD","count":1,"amount":"200.00","weighted":"180.00"}
]
EOF
	run --separate-stderr crm-report pipeline -f ndjson
	assert_line --index 3 '{"stage":"negotiation","currency":"USD","count":1,"amount":"200.00","weighted":"180.00"}'
	[ "${#lines[@]}" -eq 4 ]
}

@test "pipeline --by owner, a custom field, a date cut by month, several fields, nothing" {
	# ann: D1 + D2 EUR = 1000.30, 100.00 + 0.08; D4 JPY.  bob: D3 EUR, D5 USD.
	report pipeline --by owner
	assert_output - <<'EOF'
owner,currency,count,amount,weighted
ann,EUR,2,1000.30,100.08
ann,JPY,1,1001,501
bob,EUR,1,0.10,0.03
bob,USD,1,200.00,180.00
EOF
	# team is a custom field: north D1 D2, south D3 D5, none for D4 (last).
	report pipeline --by team
	assert_output - <<'EOF'
team,currency,count,amount,weighted
north,EUR,2,1000.30,100.08
south,EUR,1,0.10,0.03
south,USD,1,200.00,180.00
,JPY,1,1001,501
EOF
	# created 2026-08 D5, 2026-09 D4, 2026-10 D1 D2 D3 (1000.40, 100.11).
	report pipeline --by created_at:month
	assert_output - <<'EOF'
created_at_month,currency,count,amount,weighted
2026-08,USD,1,200.00,180.00
2026-09,JPY,1,1001,501
2026-10,EUR,3,1000.40,100.11
EOF
	report pipeline --by currency,owner
	assert_output - <<'EOF'
currency,owner,count,amount,weighted
EUR,ann,2,1000.30,100.08
EUR,bob,1,0.10,0.03
JPY,ann,1,1001,501
USD,bob,1,200.00,180.00
EOF
	# One group: the currency is still there, money is never mixed.
	report pipeline --by ''
	assert_output - <<'EOF'
currency,count,amount,weighted
EUR,3,1000.40,100.11
JPY,1,1001,501
USD,1,200.00,180.00
EOF
}

@test "pipeline: a period on expected_close, --from/--to, --where" {
	# Expected to close in December 2026: D1 12-15, D2 12-20, D4 12-01;
	# not D3 (2027-01-10) nor D5 (2026-11-30).
	report pipeline --period 2026-12
	assert_output - <<'EOF'
stage,currency,count,amount,weighted
lead,EUR,1,1000.00,100.00
qualified,EUR,1,0.30,0.08
proposal,JPY,1,1001,501
EOF
	local dec=$output
	report pipeline --from 2026-12-01 --to 2026-12-31
	assert_output "$dec"
	report pipeline -p 2026-12
	assert_output "$dec"
	# --to alone: D5 (11-30) and D4 (12-01).
	report pipeline --to 2026-12-01 --by ''
	assert_output - <<'EOF'
currency,count,amount,weighted
JPY,1,1001,501
USD,1,200.00,180.00
EOF
	report pipeline --where owner=bob --where 'amount>1'
	assert_output - <<'EOF'
stage,currency,count,amount,weighted
negotiation,USD,1,200.00,180.00
EOF
	report pipeline --where team=north --by ''
	assert_output - <<'EOF'
currency,count,amount,weighted
EUR,2,1000.30,100.08
EOF
}

@test "pipeline: an empty probability falls back to the stage's, in the deal's own pipeline" {
	own_copy
	# D5 without its 90: negotiation's 75 -> 200.00 x 75% = 150.00.
	crm-deal set ext:D5 probability= >/dev/null
	report pipeline --where stage=negotiation
	assert_output - <<'EOF'
stage,currency,count,amount,weighted
negotiation,USD,1,200.00,150.00
EOF
	# Another pipeline: its stages, its probabilities, its order.
	crm-deal stages set --pipeline partner intro=20 signed=60 >/dev/null 2>&1
	crm-deal add 'Partner deal' customer=1 amount=10.05 currency=EUR \
	    pipeline=partner stage=signed >/dev/null
	crm-deal add 'Partner lead' customer=1 amount=1 currency=EUR \
	    pipeline=partner stage=intro >/dev/null
	crm-deal set 'ext:D1' probability= >/dev/null
	crm-deal set 12 probability= >/dev/null
	# signed: 1005 x 60/100 = 603 -> 6.03; intro: 100 x 20/100 = 20 -> 0.20;
	# D1 falls back to lead's 10 in the default pipeline: 100.00.
	report pipeline --by pipeline,stage --where currency=EUR
	assert_output - <<'EOF'
pipeline,stage,currency,count,amount,weighted
default,lead,EUR,1,1000.00,100.00
default,qualified,EUR,2,0.40,0.11
partner,intro,EUR,1,1.00,0.20
partner,signed,EUR,1,10.05,6.03
EOF
}

# ---- forecast, winrate, lost, cycle ----------------------------------------

@test "forecast: weighted open deals by expected-close month beside deals won that month" {
	# Open by expected_close: 2026-11 D5 USD; 2026-12 D1 D2 EUR, D4 JPY;
	# 2027-01 D3 EUR.  Won by closed_at: 2025-11 D6 500.00 EUR; 2026-11 D7
	# 300.01 EUR and D8 150.00 USD.  forecast = won + weighted:
	# 2026-11 USD 150.00 + 180.00 = 330.00.
	report forecast
	assert_success
	assert_output - <<'EOF'
month,currency,open_deals,open_amount,weighted,won_deals,won_amount,forecast
2025-11,EUR,0,0.00,0.00,1,500.00,500.00
2026-11,EUR,0,0.00,0.00,1,300.01,300.01
2026-11,USD,1,200.00,180.00,1,150.00,330.00
2026-12,EUR,2,1000.30,100.08,0,0.00,100.08
2026-12,JPY,1,1001,501,0,0,501
2027-01,EUR,1,0.10,0.03,0,0.00,0.03
EOF
	report forecast --period 2026-11 --by owner
	assert_output - <<'EOF'
month,owner,currency,open_deals,open_amount,weighted,won_deals,won_amount,forecast
2026-11,ann,EUR,0,0.00,0.00,1,300.01,300.01
2026-11,bob,USD,1,200.00,180.00,1,150.00,330.00
EOF
}

@test "winrate: win rate and average won amount by owner, by currency" {
	# ann EUR: D6 won 500.00, D7 won 300.01, D10 lost -> 2 of 3 = 66.7 %,
	#          800.01 won, average 400.005 -> 400.01 (half away from zero).
	# bob EUR: D9, D11 lost -> 0.0 %, no average.  bob USD: D8 won 150.00.
	report winrate
	assert_output - <<'EOF'
owner,currency,closed,won,lost,win_rate,won_amount,avg_won
ann,EUR,3,2,1,66.7,800.01,400.01
bob,EUR,2,0,2,0.0,0.00,
bob,USD,1,1,0,100.0,150.00,150.00
EOF
	# Closed in 2026-Q4 (Oct to Dec): not D6 (2025) -> ann EUR 1 of 2.
	report winrate --period 2026-Q4
	assert_line --index 1 'ann,EUR,2,1,1,50.0,300.01,300.01'
	run --separate-stderr crm-report winrate -f json --where owner=bob
	assert_output - <<'EOF'
[
{"owner":"bob","currency":"EUR","closed":2,"won":0,"lost":2,"win_rate":0.0,"won_amount":"0.00","avg_won":null},
{"owner":"bob","currency":"USD","closed":1,"won":1,"lost":0,"win_rate":100.0,"won_amount":"150.00","avg_won":"150.00"}
]
EOF
}

@test "lost: lost deals by reason with their share" {
	# price: D9 400.00 + D11 100.00; timing: D10 50.00; 3 lost in all:
	# 2/3 = 66.7 %, 1/3 = 33.3 %.
	report lost
	assert_output - <<'EOF'
lost_reason,currency,lost,amount,share
price,EUR,2,500.00,66.7
timing,EUR,1,50.00,33.3
EOF
	report lost --by owner,lost_reason
	assert_output - <<'EOF'
owner,lost_reason,currency,lost,amount,share
ann,timing,EUR,1,50.00,33.3
bob,price,EUR,2,500.00,66.7
EOF
}

@test "cycle: days from created to won, average, median, shortest, longest" {
	# D6 2025-10-01 -> 2025-11-20: 50 days; D7 2026-10-01 -> 11-05: 35;
	# D8 2026-09-20 -> 11-12: 10 + 31 + 12 = 53.
	# ann: 35, 50 -> average and median 42.5.  bob: 53.
	report cycle
	assert_output - <<'EOF'
owner,won,avg_days,median_days,min_days,max_days
ann,2,42.5,42.5,35,50
bob,1,53.0,53.0,53,53
EOF
	report cycle --by ''
	# 35, 50, 53: average 138/3 = 46.0, median 50.
	assert_output - <<'EOF'
won,avg_days,median_days,min_days,max_days
3,46.0,50.0,35,53
EOF
}

# ---- funnel and sources -------------------------------------------------------

@test "funnel: leads, qualified, converted, won, with the rates between steps" {
	# Leads L1-L8.  Qualified or beyond: L1 L2 L5 L8 (converted) + L3 = 5.
	# Converted: L1 L2 L5 L8 = 4.  Won: L1 -> D7 won, L5 -> D8 won (L2 -> D1
	# is open, L8 -> D9 lost) = 2.  Rates: 5/8 = 62.5, 4/5 = 80.0, 2/4 = 50.0;
	# overall 4/8 = 50.0, 2/8 = 25.0.
	report funnel
	assert_output - <<'EOF'
step,count,rate,overall
leads,8,100.0,100.0
qualified,5,62.5,62.5
converted,4,80.0,50.0
won,2,50.0,25.0
EOF
}

@test "funnel --by source looks like a funnel in a table" {
	# fair L7 L8: 2, 1, 1, 0.  referral L5 L6: 2, 1, 1, 1.
	# web L1-L4: 4, 3 (L1 L2 L3), 2, 1; 2 of 3 = 66.7.
	# Bars: whole cells, centred, against the group's leads: web 30, 22.5 ->
	# 23 (3 to the left: (30 - 23) / 2), 15 (7), 7.5 -> 8 (11).
	run --separate-stderr crm-report funnel --by source -f table
	assert_success
	assert_output - <<'EOF'
source    step       count  rate   overall
fair      leads          2  100.0    100.0  ██████████████████████████████
fair      qualified      1   50.0     50.0         ███████████████
fair      converted      1  100.0     50.0         ███████████████
fair      won            0    0.0      0.0
referral  leads          2  100.0    100.0  ██████████████████████████████
referral  qualified      1   50.0     50.0         ███████████████
referral  converted      1  100.0     50.0         ███████████████
referral  won            1  100.0     50.0         ███████████████
web       leads          4  100.0    100.0  ██████████████████████████████
web       qualified      3   75.0     75.0     ███████████████████████
web       converted      2   66.7     50.0         ███████████████
web       won            1   50.0     25.0             ████████
EOF
	run --separate-stderr crm-report funnel --by campaign -f csv --where source=web
	# spring L1 L2 L3: 3, 3, 2, 1; no campaign L4: 1, 0, 0, 0 (last).
	assert_output - <<'EOF'
campaign,step,count,rate,overall
spring,leads,3,100.0,100.0
spring,qualified,3,100.0,100.0
spring,converted,2,66.7,66.7
spring,won,1,50.0,33.3
,leads,1,100.0,100.0
,qualified,0,0.0,0.0
,converted,0,,0.0
,won,0,,0.0
EOF
}

@test "sources: leads, conversions, won revenue per source; cost and ROI per campaign" {
	# fair: 2 leads, 1 converted (L8 -> D9, lost): no money, no currency.
	# referral: 2, 1 (L5 -> D8 won 150.00 USD).  web: 4, 2 (L1 -> D7 won
	# 300.01 EUR; L2 -> D1 open).
	report sources
	assert_output - <<'EOF'
source,currency,leads,converted,conversion,won_deals,won_revenue,cost,roi
fair,,2,1,50.0,0,,,
referral,USD,2,1,50.0,1,150.00,,
web,EUR,4,2,50.0,1,300.01,,
EOF
	# expo (1000.00 USD): L5-L8, converted L5 L8, won D8 150.00 USD:
	#   ROI (150.00 - 1000.00) / 1000.00 = -85.0 %.
	# spring (100.00 EUR): L1-L3, converted L1 L2 (2/3 = 66.7), won D7
	#   300.01 EUR: (300.01 - 100.00) / 100.00 = 200.01 % -> 200.0.
	# L4 has no campaign: last, without money.
	report sources --by campaign
	assert_output - <<'EOF'
campaign,currency,leads,converted,conversion,won_deals,won_revenue,cost,roi
expo,USD,4,2,50.0,1,150.00,1000.00,-85.0
spring,EUR,3,2,66.7,1,300.01,100.00,200.0
,,1,0,0.0,0,,,
EOF
}

# ---- receivables ---------------------------------------------------------------

@test "aging --by currency: outstanding in buckets of days past due" {
	# Outstanding = amount - paid, invoices not void, today 2026-11-23:
	#   I2 150.00 - 50.00 = 100.00 EUR due 12-05: current
	#   I3 150.01 EUR due 11-04: 19 days -> 1-30
	#   I9  10.00 EUR due 10-24: 30 days -> 1-30 (the edge)
	#   I6  60.00 EUR due 10-01: 53 days -> 31-60
	#   I10 20.00 EUR due 08-25: 90 days -> 61-90 (the edge)
	#   I4 150.00 - 50.00 = 100.00 USD due 09-20: 64 days -> 61-90
	#   I5  80.00 USD due 07-01: 145 days -> 90+
	#   I8  1000 JPY due 11-23 (today): current
	#   I7 void; I1 I11 I12 I13 I14 paid in full: left out.
	# EUR 1-30 150.01 + 10.00 = 160.01; total 340.01.
	report aging --by currency
	assert_output - <<'EOF'
currency,current,1-30,31-60,61-90,90+,total
EUR,100.00,160.01,60.00,20.00,0.00,340.01
JPY,1000,0,0,0,0,1000
USD,0.00,0.00,0.00,100.00,80.00,180.00
EOF
}

@test "aging by customer (the default), with the customer's name, in a table and JSON" {
	# Acme: I9 1-30, I10 61-90.  Beta: I4 61-90, I5 90+.
	# Gamma: I2 current, I3 1-30.  Delta: I6 31-60.  Epsilon: I8 JPY.
	report aging
	assert_output - <<'EOF'
customer,name,currency,current,1-30,31-60,61-90,90+,total
1,Acme,EUR,0.00,10.00,0.00,20.00,0.00,30.00
2,Beta,USD,0.00,0.00,0.00,100.00,80.00,180.00
3,Gamma,EUR,100.00,150.01,0.00,0.00,0.00,250.01
4,Delta,EUR,0.00,0.00,60.00,0.00,0.00,60.00
5,Epsilon,JPY,1000,0,0,0,0,1000
EOF
	# Bars: total against the largest of the currency (EUR: Gamma 250.01),
	# in eighths of 30 cells: Acme 240 x 30.00 / 250.01 = 28.8 -> 29: 3
	# cells and 5/8; Delta 240 x 60.00 / 250.01 = 57.6 -> 58: 7 and 2/8.
	run --separate-stderr crm-report aging -f table --where currency=EUR
	assert_output - <<'EOF'
customer  name   currency  current  1-30    31-60  61-90  90+   total
       1  Acme   EUR          0.00   10.00   0.00  20.00  0.00   30.00  ███▋
       3  Gamma  EUR        100.00  150.01   0.00   0.00  0.00  250.01  ██████████████████████████████
       4  Delta  EUR          0.00    0.00  60.00   0.00  0.00   60.00  ███████▎
EOF
	run --separate-stderr crm-report aging -f json --where customer=5
	assert_output - <<'EOF'
[
{"customer":5,"name":"Epsilon","currency":"JPY","current":"1000","1-30":"0","31-60":"0","61-90":"0","90+":"0","total":"1000"}
]
EOF
	# A period on issued_on: September 2026: I4 (USD), I6 and I9 (EUR).
	report aging --by currency --period 2026-09
	assert_output - <<'EOF'
currency,current,1-30,31-60,61-90,90+,total
EUR,0.00,10.00,60.00,0.00,0.00,70.00
USD,0.00,0.00,0.00,100.00,0.00,100.00
EOF
}

# ---- customers -------------------------------------------------------------------

@test "rfm: recency, frequency, monetary per customer and currency, scored by quintile, with segments" {
	# Payments per customer (invoice -> customer), today 2026-11-23:
	#   EUR Acme P1 P2: 2, 500.00, last 2025-12-15 -> 343 days
	#       Beta P7 P8: 2,  90.00, last 2026-06-10 -> 166
	#       Gamma P3:   1,  50.00, 2026-11-10 -> 13
	#       Delta P5:   1,  40.00, 2026-03-20 -> 248
	#       Epsilon P6: 1,  25.00, 2026-11-20 -> 3
	#       Zeta P9:    1, 120.00, 2025-06-20 -> 521
	#   USD Beta P4:    1,  50.00, 2026-10-01 -> 53
	# Score 1 + floor(5 b / n), b = customers of the currency with a worse
	# value; EUR n = 6:
	#   R (b = more days): Zeta 0 -> 1, Acme 1 -> 1, Delta 2 -> 2, Beta 3 -> 3,
	#     Gamma 4 -> 4, Epsilon 5 -> 5
	#   F (b = fewer payments): Acme, Beta 4 -> 4; the others 0 -> 1
	#   M (b = smaller sum): Epsilon 0 -> 1, Delta 1 -> 1, Gamma 2 -> 2,
	#     Beta 3 -> 3, Zeta 4 -> 4, Acme 5 -> 5
	# FM = (F + M + 1) / 2: Acme 5 cant-lose (R 1); Beta 4, R 3 loyal;
	#   Gamma 2, R 4, F 1 new; Delta 1, R 2 about-to-sleep; Epsilon new;
	#   Zeta 3, R 1 at-risk.  USD n = 1: 1, 1, 1 -> lost.
	report rfm
	assert_output - <<'EOF'
customer,name,recency_days,frequency,monetary,currency,r,f,m,segment
1,Acme,343,2,500.00,EUR,1,4,5,cant-lose
2,Beta,166,2,90.00,EUR,3,4,3,loyal
2,Beta,53,1,50.00,USD,1,1,1,lost
3,Gamma,13,1,50.00,EUR,4,1,2,new
4,Delta,248,1,40.00,EUR,2,1,1,about-to-sleep
5,Epsilon,3,1,25.00,EUR,5,1,1,new
6,Zeta,521,1,120.00,EUR,1,1,4,at-risk
EOF
}

@test "rfm: --where scores among the customers selected; a period counts recency to its end" {
	# EMEA: Acme, Gamma, Epsilon, Zeta; EUR n = 4, 1 + floor(5 b / 4):
	#   R: Zeta 0 -> 1, Acme 1 -> 2, Gamma 2 -> 3, Epsilon 3 -> 4
	#   F: Acme 3 -> 4, others 1.  M: Epsilon 1, Gamma 2, Zeta 3, Acme 4.
	#   Acme FM 4, R 2: at-risk.  Gamma FM 2, R 3: needs-attention.
	#   Epsilon R 4, F 1: new.  Zeta FM 2, R 1: hibernating.
	report rfm --where region=EMEA
	assert_output - <<'EOF'
customer,name,recency_days,frequency,monetary,currency,r,f,m,segment
1,Acme,343,2,500.00,EUR,2,4,4,at-risk
3,Gamma,13,1,50.00,EUR,3,1,2,needs-attention
5,Epsilon,3,1,25.00,EUR,4,1,1,new
6,Zeta,521,1,120.00,EUR,1,1,3,hibernating
EOF
	# Up to 2026-06-30: Acme (197 days), Beta (20), Delta (102), Zeta (375).
	#   R: Zeta 1, Acme 2, Delta 3, Beta 4.  F: Acme, Beta b 2 -> 3; 1.
	#   M: Delta 1, Beta 2, Zeta 3, Acme 4.
	#   Acme FM 4, R 2 at-risk; Beta FM 3, R 4 loyal; Delta FM 1, R 3
	#   needs-attention; Zeta FM 2, R 1 hibernating.
	report rfm --to 2026-06-30
	assert_output - <<'EOF'
customer,name,recency_days,frequency,monetary,currency,r,f,m,segment
1,Acme,197,2,500.00,EUR,2,3,4,at-risk
2,Beta,20,2,90.00,EUR,4,3,2,loyal
4,Delta,102,1,40.00,EUR,3,1,1,needs-attention
6,Zeta,375,1,120.00,EUR,1,1,3,hibernating
EOF
	# gold: Acme and Gamma, n = 2, 1 + floor(5 b / 2): the better of two
	# scores 3.  Acme R 1, F 3, M 3: FM 3, at-risk; Gamma R 3, FM 1:
	# needs-attention.
	run --separate-stderr crm-report rfm -f ndjson --where segment=gold
	assert_output - <<'EOF'
{"customer":1,"name":"Acme","recency_days":343,"frequency":2,"monetary":"500.00","currency":"EUR","r":1,"f":3,"m":3,"segment":"at-risk"}
{"customer":3,"name":"Gamma","recency_days":13,"frequency":1,"monetary":"50.00","currency":"EUR","r":3,"f":1,"m":1,"segment":"needs-attention"}
EOF
}

@test "churn: customers who bought and went quiet, with the value at risk; ids for crm-customer" {
	# Last contact (activity, payment, deal change, ticket):
	#   Acme: D2 created 2026-10-05 -> 49 days.  Beta: D8 closed 11-12.
	#   Gamma: P3 11-10, T4.  Delta: D9 closed 10-30.  Epsilon: P6 11-20.
	#   Zeta: paid 2025-06-20, a call 2026-07-01 -> 145 days.
	# More than 90 days: Zeta, who paid nothing in the last 365 days and
	# has no open deal.
	report churn
	assert_output - <<'EOF'
customer,name,owner,last_contact,days_inactive,currency,revenue_12m,open_weighted,value_at_risk
6,Zeta,ann,2026-07-01,145,EUR,0.00,0.00,0.00
EOF
	# More than 40 days: Acme too; paid 300.00 + 200.00 in December 2025
	# (within 365 days), open D1 100.00 + D2 0.08 weighted: 600.08 at risk.
	report churn --days 40
	assert_output - <<'EOF'
customer,name,owner,last_contact,days_inactive,currency,revenue_12m,open_weighted,value_at_risk
1,Acme,ann,2026-10-05,49,EUR,500.00,100.08,600.08
6,Zeta,ann,2026-07-01,145,EUR,0.00,0.00,0.00
EOF
	# 49 days is not more than 49.
	report churn -d 49 --fields customer
	assert_output $'customer\n6'
	own_copy
	run --separate-stderr bash -c 'crm-report churn --days 40 -f ids | crm-customer tag - +win-back'
	assert_success
	assert_equal "$(crm-customer list --where tags=win-back -f ids | tr '\n' ' ')" '1 6 '
}

@test "retention: cohorts by the month of the first payment, and who paid again" {
	# First payments: Zeta 2025-06, Acme 2025-12 (both in December: no
	# repeat), Delta 2026-03, Beta 2026-05 (again 2026-06: m1, and 2026-10
	# in USD: m5), Gamma and Epsilon 2026-11.
	report retention --months 6
	assert_output - <<'EOF'
cohort,customers,repeat,repeat_rate,m1,m2,m3,m4,m5,m6
2025-06,1,0,0.0,0,0,0,0,0,0
2025-12,1,0,0.0,0,0,0,0,0,0
2026-03,1,0,0.0,0,0,0,0,0,0
2026-05,1,1,100.0,1,0,0,0,1,0
2026-11,2,0,0.0,0,0,0,0,0,0
EOF
	report retention -m 12 --period 2026
	assert_line --index 0 'cohort,customers,repeat,repeat_rate,m1,m2,m3,m4,m5,m6,m7,m8,m9,m10,m11,m12'
	assert_line --index 1 '2026-03,1,0,0.0,0,0,0,0,0,0,0,0,0,0,0,0'
	[ "${#lines[@]}" -eq 4 ]
	report retention --where region=APAC -m 1
	assert_output - <<'EOF'
cohort,customers,repeat,repeat_rate,m1
2026-03,1,0,0.0,0
2026-05,1,1,100.0,1
EOF
}

@test "ltv: revenue to date per source and per custom segment, over every customer of the group" {
	# Paid to date: Acme 500.00, Beta 90.00 EUR + 50.00 USD, Gamma 50.00,
	# Delta 40.00, Epsilon 25.00, Zeta 120.00 (EUR unless said).
	#   fair (Delta): 40.00 / 1.  referral (Beta, Epsilon): EUR 115.00 / 2 =
	#   57.50; USD 50.00 / 2 = 25.00 (1 paying).  web (Acme, Gamma, Zeta):
	#   670.00 / 3 = 223.333 -> 223.33.
	report ltv
	assert_output - <<'EOF'
source,currency,customers,paying,revenue,ltv
fair,EUR,1,1,40.00,40.00
referral,EUR,2,2,115.00,57.50
referral,USD,2,1,50.00,25.00
web,EUR,3,3,670.00,223.33
EOF
	# segment (custom): gold Acme Gamma 550.00; silver Beta Epsilon;
	# none: Delta, Zeta 160.00 / 2 = 80.00 (last).
	report ltv --by segment
	assert_output - <<'EOF'
segment,currency,customers,paying,revenue,ltv
gold,EUR,2,2,550.00,275.00
silver,EUR,2,2,115.00,57.50
silver,USD,2,1,50.00,25.00
,EUR,2,2,160.00,80.00
EOF
	# Paid in 2026 only: Beta, Gamma, Delta, Epsilon (not Acme, Zeta).
	report ltv --by '' --period 2026
	assert_output - <<'EOF'
currency,customers,paying,revenue,ltv
EUR,6,4,205.00,34.17
USD,6,1,50.00,8.33
EOF
}

# ---- service -------------------------------------------------------------------

@test "sla: first-response and resolution compliance by priority and by assignee" {
	# Now 2026-11-23T10:00.  Defaults: urgent 30m/4h, high 2h/1d,
	# normal 8h/3d, low 1d/7d.
	#   T1 urgent: answered in 20m (met), resolved in 3h (met)
	#   T2 urgent: 60m (breached), 6h (breached)
	#   T3 high, created 09:00: no answer, due 11:00 (open); resolution open
	#   T4 normal: 7h (met); no resolved_at, closed in 48h (met)
	#   T5 low, created 11-01: no answer, due 11-02 (breached); resolution
	#      due 11-08 (breached)
	#   T6 normal: its own first_response_due 02:00, answered 03:00
	#      (breached, though 8h would have been met); resolved 11-20 before
	#      its own resolution_due 11-30 (met)
	# Compliance = met / (met + breached): normal 1/2, 2/2; high undecided.
	report sla
	assert_output - <<'EOF'
priority,tickets,fr_met,fr_breached,fr_open,fr_compliance,res_met,res_breached,res_open,res_compliance
low,1,0,1,0,0.0,0,1,0,0.0
normal,2,1,1,0,50.0,2,0,0,100.0
high,1,0,0,1,,0,0,1,
urgent,2,1,1,0,50.0,1,1,0,50.0
EOF
	# cy: T1 T3 T5; dan: T2 T4 T6 -> first response 1 of 3 = 33.3,
	# resolution 2 of 3 = 66.7.
	report sla --by assignee
	assert_output - <<'EOF'
assignee,tickets,fr_met,fr_breached,fr_open,fr_compliance,res_met,res_breached,res_open,res_compliance
cy,3,1,1,1,50.0,1,1,1,50.0
dan,3,1,2,0,33.3,2,1,0,66.7
EOF
}

@test "sla: deadlines come from the stored SLA policy, for new tickets and those without any" {
	own_copy
	crm-ticket sla set --first-response 1h urgent >/dev/null 2>&1
	printf 'ext_id,customer,subject,priority,status,created_at\nT7,C2,Down,urgent,open,2026-11-23T09:15:00Z\n' |
	    crm-import ticket >/dev/null 2>&1
	# T7, urgent, 45 minutes old and unanswered: due at 10:15 by the new
	# policy, so open (the default 30 minutes would have breached it);
	# resolution 4h, due 13:15: open.  T1 and T2 keep the deadlines they
	# were created with.
	report sla --where priority=urgent
	assert_output - <<'EOF'
priority,tickets,fr_met,fr_breached,fr_open,fr_compliance,res_met,res_breached,res_open,res_compliance
urgent,3,1,1,1,50.0,1,1,1,50.0
EOF
	local before=$output
	# Without deadlines of its own, a ticket takes the policy's.
	crm-ticket set ext:T7 first_response_due= resolution_due= >/dev/null 2>&1
	assert_equal "$(crm-ticket list --where ext_id=T7 --fields first_response_due -f csv --no-header)" ''
	report sla --where priority=urgent
	assert_output "$before"
}

@test "csat: average and distribution of ratings, overall and by category" {
	# Rated: T1 5, T2 2, T4 4, T6 3 -> average 14/4 = 3.50; 4 or 5: 2 of 4.
	report csat
	assert_output - <<'EOF'
tickets,rated,average,csat_1,csat_2,csat_3,csat_4,csat_5,satisfied
6,4,3.50,0,1,1,1,1,50.0
EOF
	# billing T1 5, T2 2, T6 3: 10/3 = 3.33, 1 of 3 = 33.3.
	# tech T3 -, T4 4, T5 -: 4.00, 100.0.
	report csat --by category
	assert_output - <<'EOF'
category,tickets,rated,average,csat_1,csat_2,csat_3,csat_4,csat_5,satisfied
billing,3,3,3.33,0,1,1,0,1,33.3
tech,3,1,4.00,0,0,0,1,0,100.0
EOF
	run --separate-stderr crm-report csat -f json
	assert_output - <<'EOF'
[
{"tickets":6,"rated":4,"average":3.50,"csat_1":0,"csat_2":1,"csat_3":1,"csat_4":1,"csat_5":1,"satisfied":50.0}
]
EOF
}

@test "activity: interactions by kind and follow-ups done, open and overdue, per user" {
	# ann: call (Zeta, July), meeting (follow-up 11-18, done), note.
	# bob: email (follow-up 11-25, open, not yet due), call (11-22, open,
	#      overdue).  cy: visit (11-12, open, overdue).
	report activity
	assert_output - <<'EOF'
by,activities,call,email,visit,meeting,note,follow_ups,done,open,overdue
ann,3,1,0,0,1,1,1,1,0,0
bob,2,1,1,0,0,0,2,0,2,1
cy,1,0,0,1,0,0,1,0,1,1
EOF
	# ISO week 46 of 2026 is Monday 11-09 to Sunday 11-15: the visit
	# (11-10) and the meeting (11-15).
	report activity --period 2026-W46
	assert_output - <<'EOF'
by,activities,call,email,visit,meeting,note,follow_ups,done,open,overdue
ann,1,0,0,0,1,0,1,1,0,0
cy,1,0,0,1,0,0,1,0,1,1
EOF
	report activity --period 2026-11-21 --by kind
	assert_output - <<'EOF'
kind,activities,call,email,visit,meeting,note,follow_ups,done,open,overdue
call,1,1,0,0,0,0,1,0,1,1
EOF
}

# ---- every report, every format ------------------------------------------------

@test "every report prints the same rows as CSV, TSV, JSON, NDJSON and a table" {
	local r csv n keys
	for r in $REPORTS; do
		csv=$(crm-report "$r" -f csv) || fail "$r -f csv failed"
		n=$(($(printf '%s\n' "$csv" | wc -l) - 1))
		[ "$n" -gt 0 ] || fail "$r: no rows on the fixture"
		# The fixture's text has no commas or tabs: TSV is CSV with tabs.
		run --separate-stderr crm-report "$r" -f tsv
		assert_success
		assert_output "$(printf '%s\n' "$csv" | tr , '\t')"
		run --separate-stderr crm-report "$r" -f json
		assert_success
		assert_stderr_empty
		assert_equal "$(jq length <<<"$output")" "$n"
		keys=$(jq -r '.[0] | keys_unsorted | join(",")' <<<"$output")
		assert_equal "$keys" "$(printf '%s\n' "$csv" | head -n 1)"
		run --separate-stderr crm-report "$r" -f ndjson
		assert_success
		[ "${#lines[@]}" -eq "$n" ] || fail "$r: $n rows, ${#lines[@]} NDJSON lines"
		# Each value is the CSV cell as written (numbers are not
		# reformatted), without its key and quotes; null is empty.
		assert_equal "$(sed -E 's/^\{//; s/\}$//; s/"[^"]*"://g; s/"//g; s/null//g' <<<"$output")" \
		    "$(printf '%s\n' "$csv" | tail -n +2)"
		run --separate-stderr crm-report "$r" -f table
		assert_success
		assert_stderr_empty
		[ "${#lines[@]}" -eq $((n + 1)) ] || fail "$r: table of ${#lines[@]} lines for $n rows"
	done
}

# ---- options ---------------------------------------------------------------------

@test "--sort, --limit, --fields and --no-header work on the report's columns" {
	report pipeline --sort -count,stage --limit 2
	assert_output - <<'EOF'
stage,currency,count,amount,weighted
qualified,EUR,2,0.40,0.11
lead,EUR,1,1000.00,100.00
EOF
	report rfm --sort segment,-monetary --fields segment,name,monetary --no-header
	assert_output - <<'EOF'
about-to-sleep,Delta,40.00
at-risk,Zeta,120.00
cant-lose,Acme,500.00
lost,Beta,50.00
loyal,Beta,90.00
new,Gamma,50.00
new,Epsilon,25.00
EOF
	# rfm and churn rows are customers: -f ids prints them.
	run --separate-stderr crm-report rfm -f ids --where segment=gold
	assert_output $'1\n3'
}

@test "bad options exit 64 with a message naming them, and print nothing" {
	local args
	while IFS='|' read -r args msg; do
		# shellcheck disable=SC2086
		run --separate-stderr crm-report $args
		[ "$status" -eq 64 ] || fail "crm-report $args: exit $status, not 64"
		assert_output ''
		assert_stderr_contains "$msg"
	done <<'EOF'
pipeline --by nosuch|--by "nosuch": no field 'nosuch' in deals
pipeline --by amount:month|'amount' is not a date
pipeline --by created_at:fortnight|not day, week, month, quarter or year
pipeline --by stage,stage|'stage' twice
pipeline --period 2026-13|--period "2026-13": not a year
pipeline --period 2026-Q5|not a year (2026), quarter (2026-Q3)
pipeline --period 2025-W53|--period "2025-W53"
pipeline --period 2026-02-29|--period "2026-02-29"
pipeline --period 2026 --from 2026-01-01|--period: give it or --from/--to, not both
pipeline --from 2026-12-01 --to 2026-11-01|--from is after --to
pipeline --from soon|--from: "soon": not a date
pipeline --where amount>lots|--where "amount>lots"
pipeline --sort nosuch|--sort "nosuch": no column 'nosuch' in this report
pipeline --fields stage,nosuch|--fields: no column 'nosuch' in this report
pipeline -f ids|--format ids: the rows of pipeline are not records
pipeline -f xml|--format "xml": not one of
rfm --by source|unknown option '--by'
churn --period 2026|unknown option '--period'
churn --days -1|--days "-1": not a non-negative integer
retention --months 61|--months 61: not 1 to 60
pipeline extra|pipeline: too many arguments
EOF
}

@test "periods: a year, a quarter, an ISO week across new year, a day" {
	# 2026-W53 is Monday 2026-12-28 to Sunday 2027-01-03: D3 (2027-01-10)
	# is in 2027-W01 (01-04 to 01-10).
	report pipeline --by '' --period 2026-W53
	assert_output 'currency,count,amount,weighted'
	report pipeline --by '' --period 2027-W01
	assert_output $'currency,count,amount,weighted\nEUR,1,0.10,0.03'
	report pipeline --by '' --period 2027
	assert_output $'currency,count,amount,weighted\nEUR,1,0.10,0.03'
	report pipeline --by '' --period 2026-Q4
	assert_line --index 1 'EUR,2,1000.30,100.08'
	report pipeline --by '' --period 2026-11-30
	assert_output $'currency,count,amount,weighted\nUSD,1,200.00,180.00'
	# Relative dates: from today to a week on (11-30 included).
	report pipeline --by '' --from today --to +7d
	assert_output $'currency,count,amount,weighted\nUSD,1,200.00,180.00'
	# D5 (Monday 11-30) and D4 (Tuesday 12-01) are both in 2026-W49.
	report pipeline --by expected_close:week
	assert_line --index 1 '2026-W49,JPY,1,1001,501'
	assert_line --index 2 '2026-W49,USD,1,200.00,180.00'
	report pipeline --by expected_close:quarter,expected_close:year
	assert_line --index 1 '2026-Q4,2026,EUR,2,1000.30,100.08'
}

# ---- exactness and snapshots ---------------------------------------------------------

@test "pipeline and aging agree with an independent computation over 600 generated deals" {
	export CRM_DB="$BATS_TEST_TMPDIR/gen"
	# Deals with random stages, amounts (up to 10^7 minor units, some with
	# half-way weights) and probabilities, in three currencies; awk sums
	# the same in integers (exact below 2^53) and formats the money.
	awk 'BEGIN {
		srand(7)
		split("lead qualified proposal negotiation won lost", st, " ")
		split("EUR USD JPY", cu, " ")
		print "ext_id,customer,title,amount,currency,stage,probability" > "deals.csv"
		print "number,customer,amount,currency,due_on" > "invoices.csv"
		print "invoice,amount" > "payments.csv"
		for (i = 1; i <= 600; i++) {
			s = st[1 + int(rand() * 6)]; c = cu[1 + int(rand() * 3)]
			a = int(rand() * 10000000); p = int(rand() * 101)
			e = c == "JPY" ? 1 : 100
			printf "G%d,E1,Deal %d,%d.%0*d,%s,%s,%s\n", i, i, int(a / e),
			    c == "JPY" ? 0 : 2, a % e, c, s,
			    (i % 5 == 0 ? "" : p) > "deals.csv"
			if (s != "won" && s != "lost") {
				# the rules give an empty probability the stage'"'"'s
				pp = (i % 5 == 0) ? (s == "lead" ? 10 : s == "qualified" ? 25 : s == "proposal" ? 50 : 75) : p
				w = int((a * pp + 50) / 100)
				k = s "," c; n[k]++; am[k] += a; wt[k] += w
			}
			d = 1 + int(rand() * 200); ia = 1 + int(rand() * 500000)
			printf "N%d,E1,%d.%0*d,%s,2026-%02d-%02d\n", i, int(ia / e),
			    c == "JPY" ? 0 : 2, ia % e, c, 1 + int(d / 28) % 12, 1 + d % 28 > "invoices.csv"
			paid = int(rand() * 3) == 0 ? ia : (int(rand() * 2) == 0 ? int(ia / 2) : 0)
			if (paid > 0)
				printf "N%d,%d.%0*d\n", i, int(paid / e), c == "JPY" ? 0 : 2, paid % e > "payments.csv"
			out[c] += ia - paid
		}
		for (k in n) print k "," n[k] "," am[k] "," wt[k] > "expect.raw"
		for (c in out) print c "," out[c] > "owed.raw"
	}'
	printf 'ext_id,name\nE1,Gen\n' | crm-import customer >/dev/null 2>&1
	crm-import deal deals.csv >/dev/null 2>&1
	crm-import invoice invoices.csv >/dev/null 2>&1
	crm-import payment payments.csv >/dev/null 2>&1
	# Expected pipeline: stages in pipeline order, money at each
	# currency's exponent.
	local expect
	expect=$(awk -F, 'BEGIN { o["lead"] = 1; o["qualified"] = 2; o["proposal"] = 3; o["negotiation"] = 4 }
	    function m(v, c) { return c == "JPY" ? sprintf("%d", v) : sprintf("%d.%02d", int(v / 100), v % 100) }
	    { printf "%d,%s,%s,%d,%s,%s\n", o[$1], $1, $2, $3, m($4, $2), m($5, $2) }' expect.raw |
	    sort -t, -k1,1n -k3,3 | cut -d, -f2-)
	report pipeline
	assert_success
	assert_output "stage,currency,count,amount,weighted
$expect"
	# Outstanding per currency: aging's total column.
	expect=$(sort owed.raw | awk -F, '{ printf "%s,%s\n", $1, ($1 == "JPY" ? sprintf("%d", $2) : sprintf("%d.%02d", int($2 / 100), $2 % 100)) }')
	report aging --by currency --fields currency,total --no-header
	assert_output "$expect"
}

@test "reports read one snapshot: while an import commits batch after batch, each sees whole batches" {
	export CRM_DB="$BATS_TEST_TMPDIR/snap"
	printf 'ext_id,name\nE1,Acme\n' | crm-import customer >/dev/null 2>&1
	# 3000 deals of 1.00 EUR at stage lead, committed 250 at a time.
	awk 'BEGIN { print "ext_id,customer,title,amount,currency,stage"
		for (i = 1; i <= 3000; i++) printf "S%d,E1,Deal %d,1.00,EUR,lead\n", i, i }' >deals.csv
	crm-import deal --batch 250 deals.csv >import.out 2>&1 &
	local pid=$! out count amount weighted seen=0
	bg_started $pid
	while kill -0 $pid 2>/dev/null; do
		out=$(crm-report pipeline --by '' -f csv --no-header) || fail "report failed"
		[ -z "$out" ] && continue
		IFS=, read -r _ count amount weighted <<<"$out"
		# A whole number of batches, and the sums of exactly those deals.
		[ $((count % 250)) -eq 0 ] || fail "saw $count deals: a torn batch"
		assert_equal "$amount" "$count.00"
		assert_equal "$weighted" "$(awk -v n="$count" 'BEGIN { printf "%d.%02d", n / 10, (n % 10) * 10 }')"
		seen=$((seen + 1))
	done
	wait $pid || fail "import failed: $(cat import.out)"
	report pipeline --by ''
	assert_output $'currency,count,amount,weighted\nEUR,3000,3000.00,300.00'
}

@test "a report does not wait for a writer that holds the lock" {
	own_copy
	flock "$CRM_DB/write.lock" sleep 20 &
	local pid=$!
	bg_started $pid
	sleep 0.2
	SECONDS=0
	report pipeline --by ''
	assert_success
	[ "$SECONDS" -lt 5 ] || fail "the report waited ${SECONDS}s for the writer"
	assert_line --index 1 'EUR,3,1000.40,100.11'
}

@test "no progress on standard error when it is not a terminal; output errors exit 74" {
	report rfm
	assert_success
	assert_stderr_empty
	run --separate-stderr bash -c 'crm-report pipeline -f csv >/dev/full'
	assert_failure 74
	assert_stderr_contains 'write error on standard output'
}
