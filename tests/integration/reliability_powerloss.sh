#!/usr/bin/env bash
# reliability_powerloss.sh - power loss (docs/reliability.md, item 2). The VFS shim
# (tests/shim/testvfs.c) undoes every write not yet synced and stops the process
# before write operation N; with the journal's settings (WAL, synchronous=FULL) no
# acknowledged append is lost; the same with synchronous=NORMAL loses some (the
# negative control); and the journal refuses a connection whose synchronous reads
# back below 2.
# shellcheck disable=SC2154,SC2317
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=../lib_reliability.sh
. "$ROOT/tests/lib_reliability.sh"

# powerloss_rounds N SYNC: N seeded rounds on one journal ($T/j/j.db), alternating the
# "all unsynced writes lost" and "a random prefix of them reached the disk" models.
# Sets LOST (rounds that lost an acknowledged append), ACKED, CRASHED.
powerloss_rounds() {
	local n=$1 sync=$2 seed=${RELIABILITY_SEED:-20261204} r at keep rc extra=()
	[ "$sync" = normal ] && extra=(--sync normal)
	LOST=0 ACKED=0 CRASHED=0
	RANDOM=$seed
	mkdir -p "$T/j"
	chmod 700 "$T/j"
	for r in $(seq "$n"); do
		at=$((RANDOM % 600 + 1))
		keep=all
		[ $((r % 2)) = 0 ] && keep=prefix
		rc=0
		TESTVFS_POWERLOSS_AT=$at TESTVFS_KEEP=$keep TESTVFS_SEED=$r \
			with_shim "$JTOOL" append "$T/j/j.db" 0 "${extra[@]}" >"$T/acked" 2>"$T/err" ||
			rc=$?
		if [ "$rc" != 77 ]; then
			_why "round $r: expected the simulated power loss (77), got $rc: $(cat "$T/err")"
			return 1
		fi
		CRASHED=$((CRASHED + 1))
		ACKED=$((ACKED + $(wc -l <"$T/acked")))
		rc=0
		"$JTOOL" check "$T/j/j.db" "$T/acked" >"$T/check" || rc=$?
		case $rc in
		0) ;;
		1) LOST=$((LOST + 1)) ;;
		*)
			_why "round $r (loss before write $at, $keep): $(cat "$T/check")"
			return 1
			;;
		esac
		# whatever was lost, what remains is a valid journal
		assert_exit 0 "$RUNBOOK" --journal "$T/j/j.db" verify
	done
}

case_full_sync_loses_nothing() {
	need_tools
	local n
	n=$(rounds 100 2000)
	powerloss_rounds "$n" full
	assert_eq 0 "$LOST" "rounds that lost an acknowledged append"
	echo "  synchronous=FULL: $CRASHED power losses, $ACKED acknowledged appends, 0 lost;" \
		"$(sed -n 's/.*: \([0-9]*\) events.*/\1/p' "$T/check") events verified" >&2
}

# The negative control: the same test must be able to fail.
case_normal_sync_loses_commits() {
	need_tools
	powerloss_rounds "$(rounds 20 100 5)" normal
	if [ "$LOST" = 0 ]; then
		_why "synchronous=NORMAL lost nothing in $CRASHED power losses: the test cannot fail"
		return 1
	fi
	echo "  synchronous=NORMAL: $LOST of $CRASHED power losses lost acknowledged appends" >&2
}

# synchronous must read back 2: a connection where it does not is refused (exit 4).
case_synchronous_read_back() {
	need_tools
	mkdir -m 700 "$T/j"
	assert_exit 0 with_shim "$RUNBOOK" --journal "$T/j/j.db" list
	assert_exit 0 with_shim "$JTOOL" sync "$T/j/j.db"
	assert_eq "synchronous=2" "$(cat "$T/out")" "the journal's setting"
	TESTVFS_SYNC_DOWNGRADE=1 assert_exit 4 with_shim "$RUNBOOK" --journal "$T/j/j.db" list
	assert_eq "runbook: unable to open journal '$T/j/j.db': synchronous reads 1, not 2 (full)" \
		"$(cat "$T/err")" "refused, saying why"
	TESTVFS_SYNC_DOWNGRADE=1 assert_exit 4 with_shim "$JTOOL" append "$T/j/j.db" 1
	assert_eq "" "$(cat "$T/out")" "nothing appended"
}

run_cases case_full_sync_loses_nothing case_normal_sync_loses_commits case_synchronous_read_back
