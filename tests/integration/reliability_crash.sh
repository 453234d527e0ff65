#!/usr/bin/env bash
# reliability_crash.sh - crash safety (docs/reliability.md, item 1): an appender killed
# with SIGKILL at random moments loses nothing it acknowledged; the real runbook killed
# in the middle of a destructive action leaves an intent without a result, and every
# reader (show, resume, audit, export) says so.
# shellcheck disable=SC2154,SC2317
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=../lib_reliability.sh
. "$ROOT/tests/lib_reliability.sh"

# 100 seeded rounds (SQLite's walcrash uses 100): start `jtool append` (it prints each
# seq once its commit returned), SIGKILL it after 0-119 ms, then: integrity_check ok,
# verify ok, every printed seq present.
case_sigkill_appender() {
	need_tools
	local seed=${RELIABILITY_SEED:-20261204} n r pid ms acked=0 killed=0 rc
	n=$(rounds 100 1000)
	RANDOM=$seed
	mkdir -m 700 "$T/j"
	for r in $(seq "$n"); do
		"$JTOOL" append "$T/j/j.db" 0 >"$T/acked" 2>"$T/err" &
		pid=$!
		ms=$((RANDOM % 120))
		sleep "$(printf '0.%03d' "$ms")"
		kill -9 "$pid" 2>/dev/null || true
		rc=0
		wait "$pid" 2>/dev/null || rc=$?
		# 137: killed; 0 cannot happen (COUNT 0 runs until killed)
		if [ "$rc" = 137 ]; then killed=$((killed + 1)); elif [ "$rc" != 0 ]; then
			_why "round $r (seed $seed): appender exited $rc: $(cat "$T/err")"
			return 1
		fi
		if ! "$JTOOL" check "$T/j/j.db" "$T/acked" >"$T/check"; then
			_why "round $r (seed $seed, kill after $ms ms): $(cat "$T/check")"
			return 1
		fi
		assert_eq ok "$(sqlite3 "$T/j/j.db" 'PRAGMA integrity_check')" "round $r integrity"
		assert_exit 0 "$RUNBOOK" --journal "$T/j/j.db" verify
		acked=$((acked + $(wc -l <"$T/acked")))
	done
	assert_eq "$n" "$killed" "every round ended by the kill"
	echo "  $n rounds (seed $seed), $acked acknowledged appends, all present;" \
		"$(sed -n 's/^ok: \([0-9]*\) events.*/\1/p' "$T/check") events verified" >&2
}

# The real runbook SIGKILLed while its restart command runs.
case_kill_mid_destructive_action() {
	offline_sandbox "echo \$\$ >$T/cmd.pid; touch $T/started; exec sleep 60"
	"$RUNBOOK" start api-down --non-interactive "${OFFLINE_ANSWERS[@]}" --confirm api \
		>"$T/out" 2>"$T/err" &
	pid=$!
	for _ in $(seq 100); do [ -e "$T/started" ] && break; sleep 0.05; done
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
	# the command runs in its own process group: stop it by the pid it wrote
	if [ -s "$T/cmd.pid" ]; then kill "$(cat "$T/cmd.pid")" 2>/dev/null || true; fi
	[ -e "$T/started" ] || { _why "the action never started"; return 1; }
	id=$(head -n 1 "$T/out")
	ev=$(kinds "$id")
	assert_contains "$ev" "restart:state.entered restart:action.intent" "intent committed"
	assert_not_contains "$ev" "action.result" "no result"
	assert_exit 0 "$RUNBOOK" verify

	# show: --json flags the intent, the timeline says it
	assert_eq true "$(json_get "$T/show.json" "[e['data'].get('no_result') for e in j['events'] if e['kind']=='action.intent'][0]")" "show --json no_result"
	assert_exit 0 "$RUNBOOK" show "$id"
	assert_contains "$(tr "[:upper:]" "[:lower:]" <"$T/out")" "no result recorded" "show's timeline"

	# audit and export, when this build has them (they landed with other work)
	if has_command audit; then
		assert_exit 0 "$RUNBOOK" --json audit --incident "$id"
		assert_eq true "$(json_get "$T/out" "[e.get('no_result') for e in j['entries'] if e['kind']=='action.intent'][0]")" "audit --json no_result"
		assert_exit 0 "$RUNBOOK" audit --incident "$id"
		assert_contains "$(cat "$T/out")" "no result recorded" "audit table"
	else
		echo "  note: no 'audit' command in this build" >&2
	fi
	if has_command export; then
		assert_exit 0 "$RUNBOOK" export "$id" --format json
		assert_eq True "$("$PY" -c '
import json, sys
def walk(o):
    if isinstance(o, dict):
        if o.get("no_result") is True or o.get("status") == "no_result":
            return True
        return any(walk(v) for v in o.values())
    if isinstance(o, list):
        return any(walk(v) for v in o)
    return False
print(walk(json.load(open(sys.argv[1]))))' "$T/out")" "export json flags it"
		assert_exit 0 "$RUNBOOK" export "$id" --format md
		assert_contains "$(cat "$T/out")" "no result recorded" "export md"
	else
		echo "  note: no 'export' command in this build" >&2
	fi

	# resume asks what happened, and runs nothing by itself
	rm -f "$T/started"
	assert_exit 3 "$RUNBOOK" --json resume "$id" --confirm api
	assert_eq '["completed", "failed", "rerun"]' "$(json_get "$T/out" "j['waiting_for']['options']")" "resume asks"
	[ ! -e "$T/started" ] || { _why "resume re-ran the action"; return 1; }
	assert_exit 0 "$RUNBOOK" resume "$id" --answer restart=failed --answer verify=ok
	[ ! -e "$T/started" ] || { _why "resume re-ran the action"; return 1; }
	ev=$(kinds "$id")
	assert_contains "$ev" "restart:action.result verify:state.entered" \
		"the operator's account closes the intent"
	assert_eq alice "$(json_get "$T/show.json" "[e['data'].get('reported_by') for e in j['events'] if e['kind']=='action.result'][0]")" "reported by"
	assert_exit 0 "$RUNBOOK" verify
}

run_cases case_sigkill_appender case_kill_mid_destructive_action
