#!/usr/bin/env bash
# reliability_disk.sh - full disks and I/O errors (docs/reliability.md, item 4). A
# whole api-down incident (offline: no server; the restart command leaves a marker) is
# run with an I/O error injected on write operation N, for every N of the run, and
# with the journal on a tiny tmpfs filled up. Every time: exit 4 with one clear line,
# or (the fault absorbed by SQLite) a complete incident; the journal passes verify;
# and the restart never ran unless its intent is in the journal.
# shellcheck disable=SC2154,SC2317
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=../lib_reliability.sh
. "$ROOT/tests/lib_reliability.sh"

run_incident() {
	"$RUNBOOK" start api-down --non-interactive "${OFFLINE_ANSWERS[@]}" --confirm api
}

# intents JOURNAL: the number of action.intent events (0 when there is no journal).
intents() {
	[ -s "$1" ] || { echo 0; return; }
	sqlite3 "$1" "SELECT count(*) FROM events WHERE kind = 'action.intent'"
}

# judge LABEL RC JOURNAL: the checks made after every faulty run. Counts in FAILED,
# ABSORBED, BEFORE_INTENT; a completed run must leave EXPECT_EVENTS events.
judge() {
	local label=$1 rc=$2 j=$3 n_int msg
	msg=$(cat "$T/err")
	case $rc in
	4)
		FAILED=$((FAILED + 1))
		assert_eq 1 "$(wc -l <"$T/err")" "$label: one line on stderr"
		if ! [[ $msg =~ ^runbook:\ unable\ to\ (open|create|read|append\ to)\ journal\ \'$j\':\ (disk\ I/O\ error|database\ or\ disk\ is\ full)$ ]]; then
			_why "$label: unclear message: $msg"
			return 1
		fi
		;;
	0)
		ABSORBED=$((ABSORBED + 1))
		assert_eq "" "$msg" "$label: completed silently"
		;;
	*)
		_why "$label: exit $rc, expected 4 (or 0): $msg"
		return 1
		;;
	esac
	# the journal: intact (once the disk is healthy again)
	assert_exit 0 "$RUNBOOK" --journal "$j" verify
	n_int=$(intents "$j")
	if [ -e "$T/marker" ] && [ "$n_int" = 0 ]; then
		_why "$label: the restart ran without a committed intent"
		return 1
	fi
	[ -e "$T/marker" ] || BEFORE_INTENT=$((BEFORE_INTENT + 1))
	if [ "$rc" = 0 ]; then
		assert_eq "$EXPECT_EVENTS" "$(sqlite3 "$j" 'SELECT count(*) FROM events')" \
			"$label: complete incident"
	fi
}

# io_errors STICKY: one run per write operation N of a clean run (every 10th N under
# RELIABILITY_QUICK).
io_errors() {
	local sticky=$1 total n rc
	need_tools
	offline_sandbox "touch $T/marker"
	TESTVFS_COUNT_FILE=$T/count assert_exit 0 with_shim run_incident
	total=$(cat "$T/count")
	[ "$total" -gt 20 ] || { _why "only $total write operations counted"; return 1; }
	# what a complete incident leaves: the clean run's events, ending resolved
	clean=$(sqlite3 "$RUNBOOK_JOURNAL" 'SELECT count(*) FROM events')
	assert_eq resolved "$(sqlite3 "$RUNBOOK_JOURNAL" "SELECT json_extract(data, '$.end') FROM events WHERE kind = 'incident.closed'")" "the clean run resolves"
	[ "$clean" -ge 12 ] || { _why "the clean run left only $clean events"; return 1; }
	FAILED=0 ABSORBED=0 BEFORE_INTENT=0 EXPECT_EVENTS=$clean
	for n in $(seq 1 "$(rounds 1 1 10)" "$total"); do
		rm -rf "$T/journal" "$T/marker"
		rc=0
		TESTVFS_FAIL_AT=$n TESTVFS_FAIL_STICKY=$sticky with_shim run_incident \
			>"$T/out" 2>"$T/err" || rc=$?
		judge "I/O error at write $n$([ "$sticky" = 1 ] && echo ' and after')" "$rc" \
			"$RUNBOOK_JOURNAL"
	done
	[ "$FAILED" -gt 0 ] || { _why "no run failed: the faults did not reach the journal"; return 1; }
	echo "  $total write operations; $FAILED runs exit 4 ($BEFORE_INTENT of all runs" \
		"left the restart unrun), $ABSORBED absorbed by SQLite (complete incident)" >&2
}

case_io_error_once() { io_errors 0; }
case_io_error_sticky() { io_errors 1; }

# The journal on a 1 MiB tmpfs, filled until only F bytes (F = 0, 8 KiB, 16 KiB, ...)
# are free, until the incident completes.
case_disk_full_tmpfs() {
	local f rc rc2 filled
	MNT=$T/mnt
	if [ "$(id -u)" != 0 ]; then
		t_skip "not root: cannot mount a tmpfs"
		return 0
	fi
	mkdir -m 700 "$MNT"
	if ! mount -t tmpfs -o size=1m,mode=0700 runbook-test "$MNT" 2>"$T/mount.err"; then
		t_skip "cannot mount a tmpfs: $(cat "$T/mount.err")"
		return 0
	fi
	# shellcheck disable=SC2064 # MNT now
	trap "rc=\$?; umount '$MNT' 2>/dev/null || umount -l '$MNT'; _case_exit \$rc" EXIT
	offline_sandbox "touch $T/marker"
	export RUNBOOK_JOURNAL=$MNT/journal/j.db
	# a journal with one incident already in it, kept as the template
	assert_exit 0 run_incident
	cp "$RUNBOOK_JOURNAL" "$T/template.db"
	clean=$(sqlite3 "$RUNBOOK_JOURNAL" 'SELECT count(*) FROM events')
	[ "$clean" -ge 12 ] || { _why "the clean run left only $clean events"; return 1; }
	FAILED=0 ABSORBED=0 BEFORE_INTENT=0 EXPECT_EVENTS=$((2 * clean))
	for f in $(seq 0 "$(rounds 8192 4096 65536)" 409600); do
		rm -f "$MNT/fill" "$RUNBOOK_JOURNAL"* "$T/marker"
		cp "$T/template.db" "$RUNBOOK_JOURNAL"
		dd if=/dev/zero of="$MNT/fill" bs=4096 2>/dev/null || true
		[ "$f" = 0 ] || truncate -s "-$f" "$MNT/fill"
		filled=$(df --output=avail -B1 "$MNT" | tail -n 1)
		rc=0
		run_incident >"$T/out" 2>"$T/err" || rc=$?
		# verify on the full disk: readable (0) or unavailable (4), never "broken"
		rc2=0
		"$RUNBOOK" verify >/dev/null 2>&1 || rc2=$?
		[ "$rc2" != 5 ] || { _why "verify on the full disk says broken"; return 1; }
		rm -f "$MNT/fill"
		judge "disk full, $filled bytes free" "$rc" "$RUNBOOK_JOURNAL"
		[ "$rc" = 0 ] && break
	done
	[ "$rc" = 0 ] || { _why "never completed, even with $f bytes free"; return 1; }
	[ "$FAILED" -gt 0 ] || { _why "the full disk never failed a run"; return 1; }
	echo "  tmpfs: $FAILED runs on a full disk exit 4 ($BEFORE_INTENT before the intent);" \
		"completed with $filled bytes free" >&2
}

run_cases case_io_error_once case_io_error_sticky case_disk_full_tmpfs
