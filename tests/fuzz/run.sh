#!/usr/bin/env bash
# run.sh - run the libFuzzer targets (tests/fuzz/fuzz_*.c, built by `make fuzz-build`
# into build-fuzz/fuzz/). For each target: first every input under
# tests/fuzz/corpus/<target>/ (seeds and regression inputs: crashes once found, now
# fixed), then fuzzing for its share of the time.
#
#   tests/fuzz/run.sh                 FUZZ_TIME seconds per target (default 60)
#   FUZZ_TOTAL=30 tests/fuzz/run.sh   30 seconds in all, shared (the smoke in make test)
#   tests/fuzz/run.sh verify          only targets whose name contains "verify"
#
# New interesting inputs go to a scratch corpus (kept with KEEP=1), never into the
# repository. A crash prints "FAIL fuzz/<target>" with the input's path: copy it into
# tests/fuzz/corpus/<target>/ as a regression input once the bug is fixed.
# Prints "PASS fuzz/<target>: N runs in S s" per target; exits non-zero on any failure.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FUZZ_BUILD=${FUZZ_BUILD:-$ROOT/build-fuzz}
BUILD=${BUILD:-$ROOT/build}
[[ $BUILD == /* ]] || BUILD=$ROOT/$BUILD
pattern=${1:-}

targets=()
for f in "$FUZZ_BUILD"/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	name=$(basename "$f")
	name=${name#fuzz_}
	[ -z "$pattern" ] || [[ $name == *$pattern* ]] || continue
	targets+=("$name")
done
if [ "${#targets[@]}" = 0 ]; then
	echo "SKIP fuzz: no fuzz targets in $FUZZ_BUILD/fuzz (run make fuzz-build)"
	exit 0
fi
if [ "${FUZZ_TOTAL:-}" = 0 ]; then
	echo "SKIP fuzz: FUZZ_TOTAL=0"
	exit 0
fi
if [ -n "${FUZZ_TOTAL:-}" ]; then
	each=$((FUZZ_TOTAL / ${#targets[@]}))
	[ "$each" -ge 1 ] || each=1
else
	each=${FUZZ_TIME:-60}
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/runbook-fuzz.XXXXXX") || exit 1
# the verify target's journals: in memory when /dev/shm is there (fsync is free), and
# removed here even when a crash skipped the target's own cleanup
FUZZ_TMPDIR=$(mktemp -d /dev/shm/runbook-fuzz.XXXXXX 2>/dev/null) || FUZZ_TMPDIR=$scratch
export FUZZ_TMPDIR
# shellcheck disable=SC2317 # called from the trap
cleanup() {
	rm -rf "$FUZZ_TMPDIR"
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $scratch" >&2; else rm -rf "$scratch"; fi
}
trap cleanup EXIT

# seeds that are made, not stored: a real journal's image for the verify target
seed_verify() {
	local d=$scratch/verify-seed
	mkdir -m 700 "$d"
	if [ -x "$BUILD/tools/jtool" ]; then
		"$BUILD/tools/jtool" append "$d/j.db" 6 >/dev/null 2>&1 &&
			{ printf '\0'; cat "$d/j.db"; } >"$scratch/verify/seed-journal"
	fi
	rm -rf "$d"
}

failed=0
# ASan in the fuzz build; leaks are errors; UBSan stops at the first report
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for name in "${targets[@]}"; do
	bin=$FUZZ_BUILD/fuzz/fuzz_$name
	corpus=$ROOT/tests/fuzz/corpus/$name
	mkdir -p "$scratch/$name" "$scratch/$name-crash"
	[ "$name" = verify ] && seed_verify
	log=$scratch/$name.log
	# the regression inputs, each run once
	if [ -d "$corpus" ] && ! "$bin" -runs=0 -artifact_prefix="$scratch/$name-crash/" "$corpus" \
		>"$log" 2>&1; then
		echo "FAIL fuzz/$name: a regression input fails again:"
		grep -E 'ERROR|SUMMARY|Running:' "$log" | tail -n 5
		failed=1
		continue
	fi
	args=(-max_total_time="$each" -timeout=10 -rss_limit_mb=2048 -max_len=65536
		-print_final_stats=1 -artifact_prefix="$scratch/$name-crash/")
	dirs=("$scratch/$name")
	[ -d "$corpus" ] && dirs+=("$corpus")
	if "$bin" "${args[@]}" "${dirs[@]}" >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
		echo "PASS fuzz/$name: ${runs:-?} runs in $each s"
	else
		echo "FAIL fuzz/$name: $(grep -m 1 -E 'ERROR|runtime error|deadly signal' "$log")"
		grep -E 'SUMMARY|Test unit written' "$log" | tail -n 3
		KEEP=1
		failed=1
	fi
done
exit "$failed"
