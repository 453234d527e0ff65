#!/usr/bin/env bash
# run.sh - the test suite: unit binaries $BUILD/tests/test_*, then every
# tests/integration/*.sh (sorted), each under `timeout` (TEST_TIMEOUT, 300 s).
#
#   tests/run.sh [PATTERN]     only files whose path matches *PATTERN* (a glob)
#
# Counts the "PASS ", "FAIL " and "SKIP " lines they print; a file that exits non-zero
# without a FAIL line counts as one failure (a crash or a timeout). Ends with the line
# "N passed, M failed" (", K skipped" when K > 0); exits 0 only when M = 0 and N > 0.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
BUILD=${BUILD:-build}
RUNBOOK=${RUNBOOK:-runbook}
[[ $BUILD == /* ]] || BUILD=$ROOT/$BUILD
[[ $RUNBOOK == /* ]] || RUNBOOK=$ROOT/$RUNBOOK
export BUILD RUNBOOK
TEST_TIMEOUT=${TEST_TIMEOUT:-300}
pattern=${1:-}

files=()
for f in "$BUILD"/tests/test_* tests/integration/*.sh; do
	if ! [ -f "$f" ] || ! [ -x "$f" ]; then
		continue
	fi
	# shellcheck disable=SC2053 # PATTERN is a glob
	[ -z "$pattern" ] || [[ $f == *$pattern* ]] || continue
	files+=("$f")
done

out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
passed=0 failed=0 skipped=0
start=$(date +%s.%N)

for f in "${files[@]}"; do
	case $f in
	*.sh) name=integration/$(basename "$f" .sh) ;;
	*) name=$(basename "$f") ;;
	esac
	echo "== $name"
	timeout -k 10 "$TEST_TIMEOUT" "$f" </dev/null 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	p=$(grep -c '^PASS ' "$out")
	n=$(grep -c '^FAIL ' "$out")
	s=$(grep -c '^SKIP ' "$out")
	if [ "$rc" != 0 ] && [ "$n" = 0 ]; then
		case $rc in
		124 | 137) why="timed out after ${TEST_TIMEOUT} s" ;;
		129 | 1[3-9][0-9]) why="killed by signal $((rc - 128))" ;;
		*) why="exited with status $rc" ;;
		esac
		echo "FAIL $name: $why"
		n=1
	fi
	passed=$((passed + p)) failed=$((failed + n)) skipped=$((skipped + s))
done

[ "${#files[@]}" -gt 0 ] || echo "no tests found${pattern:+ matching *$pattern*}"
awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "elapsed %.1f s\n", e - s }'
summary="$passed passed, $failed failed"
[ "$skipped" = 0 ] || summary="$summary, $skipped skipped"
echo "$summary"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
