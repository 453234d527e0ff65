# shellcheck shell=bash
# lib.sh - sourced by every integration test script (bash).
#
#   . "$(dirname "$0")/../lib.sh"
#   case_ok() { assert_exit 0 "$RUNBOOK" --help; assert_contains "$(cat "$T/out")" usage "help"; }
#   run_cases case_ok
#
# Each case_xxx runs in its own subshell with `set -e`: the first failing command or
# assertion ends it and it prints "FAIL integration/<script>/xxx: <why>", else
# "PASS integration/<script>/xxx". Commands expected to fail go through assert_exit
# (or `cmd || rc=$?`). Each case gets its own directory $T; servers started in a case
# are stopped when it ends. KEEP=1 keeps the temp dirs; CASE=WORD runs only the cases
# whose name contains WORD (a glob).
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNBOOK=${RUNBOOK:-$ROOT/runbook}
BUILD=${BUILD:-$ROOT/build}
[[ $RUNBOOK == /* ]] || RUNBOOK=$PWD/$RUNBOOK
[[ $BUILD == /* ]] || BUILD=$PWD/$BUILD
FIXTURES=$ROOT/tests/fixtures
PY=/usr/bin/python3
SCRIPT=$(basename "$0" .sh)
export ROOT RUNBOOK BUILD FIXTURES PY

T=$(mktemp -d "${TMPDIR:-/tmp}/runbook-$SCRIPT.XXXXXX") || exit 1
chmod 755 "$T" # reachable by the postgres user
T_ROOT=$T
_LIB_PID=$BASHPID
_PIDS=()

# alive PID: true while PID runs (a zombie, exited but not yet reaped, is not alive).
alive() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "${st%% *}" != Z ]
}

# stop_pid PID: TERM, wait up to 3 s, then KILL; reaps it when it is our child.
stop_pid() {
	local pid=$1 _
	kill "$pid" 2>/dev/null || return 0
	for _ in $(seq 30); do
		alive "$pid" || break
		sleep 0.1
	done
	if alive "$pid"; then
		kill -9 "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	return 0
}

# cleanup: stop every server started by the helpers (by PID); at the script's end
# also remove $T_ROOT unless KEEP=1. Idempotent; runs from the EXIT/INT/TERM traps.
cleanup() {
	set +e
	local pid
	for pid in "${_PIDS[@]}"; do
		stop_pid "$pid"
	done
	_PIDS=()
	if [ "$BASHPID" = "$_LIB_PID" ] && [ -d "$T_ROOT" ]; then
		if [ "${KEEP:-0}" = 1 ]; then
			echo "kept $T_ROOT" >&2
		else
			rm -rf "$T_ROOT"
		fi
	fi
}

_traps() {
	trap cleanup EXIT
	trap 'cleanup; exit 130' INT
	trap 'cleanup; exit 143' TERM
}
_traps

# track_pid PID: stop PID at cleanup (for servers a test starts itself).
track_pid() {
	_PIDS+=("$1")
}

# free_port: print a free TCP port on 127.0.0.1.
free_port() {
	"$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_fixture NAME ROUTES_FILE: start http_fixture.py; sets and exports NAME_PORT,
# NAME_PID and NAME_URL (http://127.0.0.1:PORT). Requests are logged to $T/NAME.log.
start_fixture() {
	local name=$1 routes=$2 ready pid _
	if ! [[ $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
		_why "start_fixture: bad name '$name'"
		return 1
	fi
	ready=$T/$name.ready
	rm -f "$ready"
	"$PY" "$FIXTURES/http_fixture.py" --port 0 --routes "$routes" --log "$T/$name.log" \
		--ready-file "$ready" >"$T/$name.out" 2>"$T/$name.err" &
	pid=$!
	_PIDS+=("$pid")
	for _ in $(seq 100); do
		[ -s "$ready" ] && break
		if ! alive "$pid"; then
			_why "start_fixture $name: exited: $(cat "$T/$name.err")"
			return 1
		fi
		sleep 0.1
	done
	if ! [ -s "$ready" ]; then
		_why "start_fixture $name: not ready after 10 s"
		return 1
	fi
	export "${name}_PORT=$(cat "$ready")" "${name}_PID=$pid"
	export "${name}_URL=http://127.0.0.1:$(cat "$ready")"
}

# set_routes FILE JSON: replace a routes file atomically (the fixture re-reads it).
set_routes() {
	printf '%s\n' "$2" >"$1.tmp.$BASHPID" && mv -f "$1.tmp.$BASHPID" "$1"
}

# use_railway [DIR]: put the railway stand-in first on PATH and export
# RUNBOOK_SANDBOX=DIR (default $T/sandbox, created): its api.log, routes.json,
# routes.healthy.json, restart.fail and railway.calls (see tests/fixtures/railway).
use_railway() {
	export RUNBOOK_SANDBOX=${1:-$T/sandbox}
	mkdir -p "$RUNBOOK_SANDBOX"
	export PATH="$FIXTURES:$PATH"
}

# json_get FILE EXPR: evaluate the Python expression EXPR over j = the parsed JSON of
# FILE ("-" = stdin). A FILE named *.log or *.jsonl is JSON lines: j is the list of
# its records (a fixture log: j[0]["headers"]["Authorization"]).
# Prints a string as is, anything else as JSON (true, null, ["a", "b"]).
json_get() {
	"$PY" -c '
import json, sys
path, expr = sys.argv[1], sys.argv[2]
text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
if path.endswith((".log", ".jsonl")):
    j = [json.loads(line) for line in text.splitlines() if line.strip()]
else:
    j = json.loads(text)
r = eval(expr)
print(r if isinstance(r, str) else json.dumps(r))
' "$1" "$2"
}

# --- assertions: each prints what differs on stderr and returns 1 -----------------

# _why MSG: note why the current case fails (shown on its FAIL line).
_why() {
	_T_WHY=$1
	_T_FAILED=1
	printf '  %s\n' "$1" >&2
}

_show() { # _show LABEL TEXT: a labelled dump on stderr (its last 2000 bytes)
	printf '    %s: %s\n' "$1" "$(printf '%s' "$2" | tail -c 2000)" >&2
}

# assert_eq EXPECTED ACTUAL MSG
assert_eq() {
	[ "$1" = "$2" ] && return 0
	_why "${3:-assert_eq}: expected '$1', got '$2'"
	return 1
}

# assert_contains HAYSTACK NEEDLE MSG
assert_contains() {
	[[ $1 == *"$2"* ]] && return 0
	_why "${3:-assert_contains}: missing '$2'"
	_show text "$1"
	return 1
}

# assert_not_contains HAYSTACK NEEDLE MSG
assert_not_contains() {
	[[ $1 != *"$2"* ]] && return 0
	_why "${3:-assert_not_contains}: unexpected '$2'"
	_show text "$1"
	return 1
}

# assert_file_contains FILE NEEDLE [MSG]
assert_file_contains() {
	if [ ! -e "$1" ]; then
		_why "${3:-assert_file_contains}: no such file $1"
		return 1
	fi
	grep -a -F -q -- "$2" "$1" && return 0
	_why "${3:-assert_file_contains}: $1 lacks '$2'"
	return 1
}

# assert_file_not_contains FILE NEEDLE [MSG]: binary-safe; FILE may be a directory
# (searched recursively). A missing FILE fails: a test must look at a real file.
assert_file_not_contains() {
	local hits
	if [ ! -e "$1" ]; then
		_why "${3:-assert_file_not_contains}: no such file $1"
		return 1
	fi
	hits=$(grep -a -F -r -l -- "$2" "$1") || return 0
	_why "${3:-assert_file_not_contains}: '$2' found in $(echo "$hits" | tr '\n' ' ')"
	return 1
}

# assert_exit EXPECTED CMD...: run CMD, stdout to $T/out, stderr to $T/err; compare
# its exit status; on mismatch show both streams.
assert_exit() {
	local want=$1 rc=0
	shift
	"$@" >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" = "$want" ] && return 0
	_why "exit $rc, expected $want: $*"
	_show stdout "$(cat "$T/out")"
	_show stderr "$(cat "$T/err")"
	return 1
}

# --- cases ---------------------------------------------------------------------

# t_begin NAME: start reporting on a test named integration/<script>/NAME.
t_begin() {
	_T_NAME=$1
	_T_DONE=0
	_T_FAILED=0
	_T_WHY=""
}

# t_pass: print PASS for the current test (FAIL if an assertion failed in it).
t_pass() {
	if [ "${_T_FAILED:-0}" = 1 ]; then
		t_fail "${_T_WHY:-failed}"
		return
	fi
	[ "${_T_DONE:-0}" = 1 ] && return 0
	_T_DONE=1
	echo "PASS integration/$SCRIPT/$_T_NAME"
}

# t_fail MSG: print FAIL with MSG (one line) for the current test; returns 1.
t_fail() {
	[ "${_T_DONE:-0}" = 1 ] && return 1
	_T_DONE=1
	_T_FAILED=1
	echo "FAIL integration/$SCRIPT/$_T_NAME: $(printf '%s' "$1" | tr '\n' ' ' | head -c 300)"
	return 1
}

# t_skip REASON: print SKIP for the current test.
t_skip() {
	[ "${_T_DONE:-0}" = 1 ] && return 0
	_T_DONE=1
	echo "SKIP integration/$SCRIPT/$_T_NAME: $1"
}

_case_exit() {
	local rc=$1
	set +e
	if [ "$rc" = 0 ]; then
		t_pass
	elif [ "$rc" = 143 ] || [ "$rc" = 130 ]; then
		t_fail "interrupted (signal $((rc - 128)))${_T_WHY:+; $_T_WHY}"
	else
		t_fail "${_T_WHY:-exit status $rc}"
	fi
	cleanup
}

# run_cases FN...: run each case function (case_xxx -> test xxx) in a subshell with
# set -e and its own $T; exits 0 when all passed, 1 otherwise.
run_cases() {
	set +e
	local c name rc failed=0
	for c in "$@"; do
		name=${c#case_}
		if [ -n "${CASE:-}" ] && [[ $name != *$CASE* ]]; then
			continue
		fi
		(
			T=$T_ROOT/$name
			mkdir -p "$T"
			_PIDS=()
			t_begin "$name"
			trap '_case_exit $?' EXIT
			trap 'exit 143' TERM
			trap 'exit 130' INT
			set -e
			"$c"
		)
		rc=$?
		[ "$rc" = 0 ] || failed=1
	done
	exit "$failed"
}
