#!/bin/sh
# run.sh — builds and runs the libFuzzer targets of tests/fuzz.
#
# Usage:
#   tests/fuzz/run.sh [SECONDS] [TARGET...]   fuzz each target SECONDS
#                                             (default 60), JOBS at a time
#   tests/fuzz/run.sh regress [TARGET...]     run every regression input
#                                             once, all checks on
#
# Fuzzing starts from tests/fuzz/corpus/TARGET (seeds, committed) and
# tests/fuzz/regressions/TARGET (every finding), and adds what it finds
# to build/fuzz/corpus/TARGET (not committed).  A dictionary
# tests/fuzz/dict/TARGET.dict is used when there is one.  Findings go to
# build/fuzz/artifacts/TARGET/, logs to build/fuzz/logs/TARGET.log.
#
# Known, reported bugs do not stop a run: known.txt names the checks
# the targets skip ($FUZZ_KNOWN) and ubsan.supp the UBSan reports to
# ignore.  `regress` uses neither, so it fails on every open bug and
# passes once they are all fixed.
#
# One summary line per target:
#   fuzz_csv     clean  secs=300 execs=1234567 exec/s=4115 cov=1520 ft=6012 corpus=812
# Exit status: 0 when every target ran clean (regress: every input passed).
# Do not run two of these at once on the same target: they share the
# logs and the build.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cd "$top"
out=$top/build/fuzz
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 1)}

all_targets() {
	(cd "$here" && ls fuzz_*.c | sed 's/\.c$//')
}

mode=fuzz
secs=60
if [ $# -gt 0 ] && [ "$1" = regress ]; then
	mode=regress
	shift
elif [ $# -gt 0 ] && [ -n "$1" ] && [ -z "$(printf '%s' "$1" | tr -d 0-9)" ]; then
	secs=$1
	shift
fi
if [ $# -eq 0 ]; then
	set -- $(all_targets)
fi

"$here/build.sh" "$@" >"$out.build.log" 2>&1 || {
	cat "$out.build.log" >&2
	echo "run.sh: build failed" >&2
	exit 1
}

# ---- regress: each input once, no known list, no suppressions -------
if [ $mode = regress ]; then
	fails=0
	for t in "$@"; do
		d=$here/regressions/$t
		[ -d "$d" ] || continue
		for f in "$d"/*; do
			[ -f "$f" ] || continue
			if env -u FUZZ_KNOWN UBSAN_OPTIONS= \
			    "$out/$t" "$f" >"$out/regress.log" 2>&1; then
				echo "PASS  $t/${f##*/}"
			else
				fails=$((fails + 1))
				echo "FAIL  $t/${f##*/}: $(grep -m1 -E \
				    'FUZZ INVARIANT|runtime error|ERROR: AddressSanitizer' \
				    "$out/regress.log" | cut -c1-160)"
			fi
		done
	done
	echo "regress: $fails failing"
	[ $fails -eq 0 ]
	exit
fi

# ---- fuzz ------------------------------------------------------------
known=$(grep -v '^#' "$here/known.txt" | awk 'NF { printf "%s%s", s, $1; s = "," }')
export FUZZ_KNOWN="$known"
export UBSAN_OPTIONS="suppressions=$here/ubsan.supp:halt_on_error=1:print_stacktrace=1"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
mkdir -p "$out/logs"

fuzz_one() {
	t=$1
	mkdir -p "$out/corpus/$t" "$out/artifacts/$t"
	dict=
	[ -f "$here/dict/$t.dict" ] && dict="-dict=$here/dict/$t.dict"
	# Value profiles help the parsers' comparisons, but cost the
	# heavier targets three quarters of their speed.
	vp=0
	case $t in fuzz_values|fuzz_decode) vp=1 ;; esac
	seeds="$here/corpus/$t"
	regs=
	[ -d "$here/regressions/$t" ] && regs="$here/regressions/$t"
	# shellcheck disable=SC2086
	"$out/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -max_len=4096 -use_value_profile=$vp -print_final_stats=1 \
	    -artifact_prefix="$out/artifacts/$t/" $dict \
	    "$out/corpus/$t" "$seeds" $regs >"$out/logs/$t.log" 2>&1
}

summary() {
	t=$1 status=$2 log=$out/logs/$1.log
	last=$(grep -E '^#[0-9]+' "$log" | tail -1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log")
	cov=$(printf '%s' "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	ft=$(printf '%s' "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
	corp=$(printf '%s' "$last" | sed -n 's/.*corp: \([0-9]*\).*/\1/p')
	if [ "$status" -eq 0 ]; then
		result=clean
	else
		result="FAILED($(sed -n 's/.*Test unit written to //p' "$log" | tail -1))"
	fi
	printf '%-12s %s  secs=%s execs=%s exec/s=%s cov=%s ft=%s corpus=%s\n' \
	    "$t" "$result" "${took:-$secs}" "${execs:-?}" "${rate:-?}" \
	    "${cov:-?}" "${ft:-?}" "${corp:-?}"
}

# JOBS at a time; statuses kept in files so the summary is in order.
running=0
for t in "$@"; do
	( if fuzz_one "$t"; then st=0; else st=1; fi
	  echo $st >"$out/logs/$t.status" ) &
	running=$((running + 1))
	if [ $running -ge "$JOBS" ]; then
		wait -n 2>/dev/null || wait
		running=$((running - 1))
	fi
done
wait

bad=0
for t in "$@"; do
	st=$(cat "$out/logs/$t.status" 2>/dev/null || echo 1)
	summary "$t" "$st"
	[ "$st" -eq 0 ] || bad=1
done
exit $bad
