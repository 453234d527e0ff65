#!/usr/bin/env bash
# api_down.sh - the api-down flow (runbook §4.1) end to end: the real ./runbook against
# an HTTP fixture playing the Bilko API (with injected faults) and the railway stand-in.
# shellcheck disable=SC2154,SC2317
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"

HEALTHY='{"GET /health": {"status": 200, "json": {"status": "ok", "db": "ok", "timestamp": "t"}}}'
OOM_LOG='Starting Container
FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory'

# sandbox ROUTES_JSON [EXTRA_CONFIG_JSON]: a failing (or not) API, the railway stand-in,
# a config and a fresh journal in $T.
sandbox() {
	use_railway
	set_routes "$RUNBOOK_SANDBOX/routes.json" "$1"
	set_routes "$RUNBOOK_SANDBOX/routes.healthy.json" "$HEALTHY"
	printf '%s\n' "$OOM_LOG" >"$RUNBOOK_SANDBOX/api.log"
	start_fixture api "$RUNBOOK_SANDBOX/routes.json"
	"$PY" - "$T/runbook.json" "$api_URL" "${2:-{\}}" <<'PYEOF'
import json, sys
path, url, extra = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
cfg = {
    "api": {"url": url, "health_path": "/health", "timeout_ms": 1000},
    "platform": {"service": "api"},
    "commands": {"logs": "railway logs --service api --tail 50",
                 "restart": "railway service restart --service api",
                 "rollback": "railway redeploy --service api --previous"},
    "timing": {"verify_interval_s": 0.2, "verify_timeout_s": 3},
}
for k, v in extra.items():
    cfg.setdefault(k, {}).update(v) if isinstance(v, dict) else cfg.__setitem__(k, v)
json.dump(cfg, open(path, "w"))
PYEOF
	chmod 600 "$T/runbook.json"
	export RUNBOOK_CONFIG=$T/runbook.json RUNBOOK_JOURNAL=$T/journal/j.db
	export RUNBOOK_OPERATOR=alice
}

# config_edit CODE [ARG...]: run the Python statements CODE on c, the parsed
# $T/runbook.json (args: the ARGs), and write it back.
config_edit() {
	"$PY" - "$T/runbook.json" "$@" <<'PYEOF'
import json, sys
path, code, args = sys.argv[1], sys.argv[2], sys.argv[3:]
c = json.load(open(path))
exec(code)
json.dump(c, open(path, "w"))
PYEOF
}

# events FILTER: the incident's events as "state kind" lines (show --json).
events() {
	"$RUNBOOK" --json show "$1" >"$T/show.json"
	json_get "$T/show.json" "' '.join(e['state'] + ':' + e['kind'] for e in j['events'])"
}

# states ID: the states entered, in order.
states() {
	"$RUNBOOK" --json show "$1" >"$T/show.json"
	json_get "$T/show.json" "' '.join(e['state'] for e in j['events'] if e['kind'] == 'state.entered')"
}

# first line of stdout is the incident id
incident() { head -n 1 "$T/out"; }

case_acceptance_oom_restart() {
	sandbox '{"GET /health": {"status": 500, "body": "Internal Server Error"}}'
	assert_exit 0 "$RUNBOOK" start api-down --non-interactive --answer platform_status=done \
		--answer cause=oom --confirm api
	id=$(incident)
	assert_eq 36 "${#id}" "first stdout line is the full incident id"
	assert_eq "platform_status health logs cause restart verify resolved" "$(states "$id")" "states"
	ev=$(events "$id")
	assert_contains "$ev" "restart:action.intent restart:action.result" "intent before result"
	assert_contains "$ev" "resolved:incident.closed" "closed"
	assert_eq "$(json_get "$T/show.json" "[e['data']['suggested'] for e in j['events'] if e['state']=='cause' and e['kind']=='state.entered'][0]")" oom "oom suggested from the logs"
	assert_eq 1 "$(grep -c '^restart rc=0' "$RUNBOOK_SANDBOX/railway.calls")" "restart ran once"
	assert_contains "$(cat "$RUNBOOK_SANDBOX/railway.calls")" "incident=$id operator=alice" \
		"context in the command's environment"
	assert_exit 0 "$RUNBOOK" verify
	assert_eq resolved "$(json_get "$T/show.json" "j['incident']['end']")" "verdict"
}

case_healthy_is_false_alarm() {
	sandbox "$HEALTHY"
	assert_exit 0 "$RUNBOOK" start api-down --non-interactive --answer platform_status=done
	assert_eq "platform_status health false_alarm" "$(states "$(incident)")" "states"
	assert_eq false_alarm "$(json_get "$T/show.json" "j['incident']['end']")" "verdict"
}

# fault ROUTE_SPEC EXPECTED_OUTCOME EXPECTED_NEXT_STATE [ERROR]
fault() {
	sandbox "{\"GET /health\": $1}"
	assert_exit 3 "$RUNBOOK" start api-down --non-interactive --answer platform_status=done
	id=$(incident)
	"$RUNBOOK" --json show "$id" >"$T/show.json"
	assert_eq "$2" "$(json_get "$T/show.json" "[e['data']['outcome'] for e in j['events'] if e['kind']=='probe.result'][0]")" "health outcome"
	assert_eq "$3" "$(json_get "$T/show.json" "j['incident']['state']")" "paused at"
	if [ -n "${4:-}" ]; then
		assert_eq "$4" "$(json_get "$T/show.json" "[e['data'].get('error') for e in j['events'] if e['kind']=='probe.result'][0]")" "error class"
	fi
}

case_fault_500() { fault '{"status": 500, "body": "oops"}' fail cause; }
case_fault_timeout() { fault '{"status": 200, "json": {"status":"ok","db":"ok"}, "delay_ms": 3000}' fail cause timeout; }
case_fault_dropped() { fault '{"action": "drop"}' fail cause dropped; }
case_fault_partial() { fault '{"action": "partial"}' fail cause dropped; }
case_fault_malformed() { fault '{"status": 200, "body": "{\"status\": \"ok\", "}' fail cause malformed; }
case_fault_missing_field() { fault '{"status": 200, "json": {"status": "ok"}}' fail cause missing_fields; }
case_fault_db_not_ok() {
	fault '{"status": 503, "json": {"status": "degraded", "db": "error"}}' db_fail cause
	# db_fail goes straight to the cause, suggesting the database flow
	assert_eq "platform_status health cause" "$(states "$id")" "no log step"
	assert_eq db_down "$(json_get "$T/show.json" "[e['data'].get('suggested') for e in j['events'] if e['state']=='cause' and e['kind']=='state.entered'][0]")" "suggestion"
}
case_fault_refused() {
	sandbox "$HEALTHY"
	port=$(free_port)
	config_edit 'c["api"]["url"] = "http://127.0.0.1:%s" % args[0]' "$port"
	assert_exit 3 "$RUNBOOK" start api-down --non-interactive --answer platform_status=done
	"$RUNBOOK" --json show "$(incident)" >"$T/show.json"
	assert_eq refused "$(json_get "$T/show.json" "[e['data'].get('error') for e in j['events'] if e['kind']=='probe.result'][0]")" "refused"
}

case_fallback_answer_takes_the_any_branch() {
	sandbox "$HEALTHY"
	# no api.url: health falls back to a manual step; "fail" is no named outcome of
	# health, so it is a note that takes the "*" branch (logs), never "ok"
	config_edit 'del c["api"]'
	assert_exit 3 "$RUNBOOK" --json start api-down --non-interactive \
		--answer platform_status=done --answer health=fail
	id=$(json_get "$T/out" "j['incident']")
	assert_eq "platform_status health logs cause" "$(states "$id")" "states"
	assert_eq other "$(json_get "$T/show.json" "[e['data']['outcome'] for e in j['events'] if e['state']=='health' and e['kind']=='prompt.answered'][0]")" "outcome"
	assert_eq fail "$(json_get "$T/show.json" "[e['data']['note'] for e in j['events'] if e['state']=='health' and e['kind']=='prompt.answered'][0]")" "kept as a note"
	assert_exit 3 "$RUNBOOK" --json start api-down --non-interactive \
		--answer platform_status=done
	assert_eq '["ok", "db_fail", "other"]' "$(json_get "$T/out" "j['waiting_for']['options']")" "options offered"
}

case_pause_and_resume() {
	sandbox '{"GET /health": {"status": 502, "body": "bad gateway"}}'
	assert_exit 3 "$RUNBOOK" start api-down --non-interactive
	id=$(incident)
	assert_contains "$(cat "$T/out" "$T/err")" "platform_status" "names the waiting state"
	assert_exit 3 "$RUNBOOK" --json resume "${id:0:8}" --answer platform_status=crashed
	assert_eq cause "$(json_get "$T/out" "j['waiting_for']['state']")" "waits at cause"
	assert_eq oom "$(json_get "$T/out" "j['waiting_for']['suggested']")" "suggested"
	assert_contains "$(json_get "$T/out" "j['waiting_for']['options']")" "bad_deploy" "options"
	# a destructive step with no --confirm and no terminal pauses too
	assert_exit 3 "$RUNBOOK" resume --answer cause=oom
	assert_eq restart "$("$RUNBOOK" --json show "$id" | json_get - "j['incident']['state']")" "at restart"
	[ ! -e "$RUNBOOK_SANDBOX/railway.calls" ] || { _why "restart ran unconfirmed"; return 1; }
	assert_exit 0 "$RUNBOOK" resume "$id" --confirm api
	assert_eq "platform_status health logs cause restart verify resolved" "$(states "$id")" "states"
	assert_eq crashed "$(json_get "$T/show.json" "[e['data'].get('note') for e in j['events'] if e['kind']=='prompt.answered'][0]")" "note kept"
	assert_exit 2 "$RUNBOOK" resume "$id"
	assert_contains "$(cat "$T/err")" "is closed" "closed incident"
}

case_wrong_confirm_refuses() {
	sandbox '{"GET /health": {"status": 500, "body": "x"}}' '{"timing": {"verify_timeout_s": 0.5}}'
	assert_exit 0 "$RUNBOOK" start api-down --non-interactive --answer platform_status=done \
		--answer cause=oom --confirm apii
	id=$(incident)
	ev=$(events "$id")
	assert_contains "$ev" "restart:action.refused" "refused"
	assert_not_contains "$ev" "action.intent" "no intent"
	[ ! -e "$RUNBOOK_SANDBOX/railway.calls" ] || { _why "the command ran"; return 1; }
	assert_eq apii "$(json_get "$T/show.json" "[e['data']['typed'] for e in j['events'] if e['kind']=='action.refused'][0]")" "typed name kept"
	# refused -> verify (still down) -> escalate -> escalated
	assert_eq escalated "$(json_get "$T/show.json" "j['incident']['end']")" "escalated"
	assert_contains "$ev" "escalate:notify.skipped" "no webhook: skipped"
}

case_dry_run() {
	sandbox '{"GET /health": {"status": 500, "body": "x"}}' '{"timing": {"verify_timeout_s": 0.3}}'
	assert_exit 0 "$RUNBOOK" start api-down --dry-run --non-interactive \
		--answer platform_status=done --answer cause=bad_deploy
	ev=$(events "$(incident)")
	assert_contains "$ev" "rollback:action.skipped" "skipped"
	assert_contains "$ev" "escalate:notify.skipped" "notify skipped"
	[ ! -e "$RUNBOOK_SANDBOX/railway.calls" ] || { _why "a command ran in a dry run"; return 1; }
	assert_eq "railway redeploy --service api --previous" "$(json_get "$T/show.json" "[e['data']['would_run'] for e in j['events'] if e['kind']=='action.skipped'][0]")" "what would run"
}

case_escalate_posts_webhook() {
	sandbox '{"GET /health": {"status": 500, "body": "x"}}'
	set_routes "$T/hook.json" '{"POST /hook": [{"status": 500, "body": "err"}, {"status": 200, "body": "ok"}]}'
	start_fixture hook "$T/hook.json"
	export SLACK_WEBHOOK_URL="$hook_URL/hook"
	config_edit 'c["alerts"] = {"webhook_url": "env:SLACK_WEBHOOK_URL", "channel": "#bilko-alerts"}'
	assert_exit 0 "$RUNBOOK" start api-down --non-interactive --answer platform_status=done \
		--answer cause=other
	id=$(incident)
	ev=$(events "$id")
	assert_contains "$ev" "escalate:notify.sent escalate:incident.escalated" "sent after a retry"
	assert_eq 2 "$(json_get "$T/hook.log" "len(j)")" "two attempts"
	text=$(json_get "$T/hook.log" "json.loads(j[1]['body'])['text']")
	assert_contains "$text" "${id:0:8}" "short id"
	assert_contains "$text" "api-down" "flow"
	assert_contains "$text" "P1" "severity"
	assert_contains "$text" "escalate" "state"
	assert_contains "$text" "elapsed" "elapsed"
}

case_escalation_timer_once() {
	sandbox '{"GET /health": {"status": 500, "body": "x"}}' \
		'{"thresholds": {"escalate_after_min": 0.005}, "timing": {"verify_timeout_s": 1.5}}'
	set_routes "$T/hook.json" '{"POST /hook": {"status": 200, "body": "ok"}}'
	start_fixture hook "$T/hook.json"
	export SLACK_WEBHOOK_URL="$hook_URL/hook"
	config_edit 'c["alerts"] = {"webhook_url": "env:SLACK_WEBHOOK_URL"}; c["commands"]["restart"] = "true"'
	assert_exit 0 "$RUNBOOK" start api-down --non-interactive --answer platform_status=done \
		--answer cause=oom --confirm api
	id=$(incident)
	events "$id" >/dev/null
	assert_eq 1 "$(json_get "$T/show.json" "len([e for e in j['events'] if e['kind']=='incident.escalated'])")" "escalated once"
	assert_eq timer "$(json_get "$T/show.json" "[e['data']['reason'] for e in j['events'] if e['kind']=='incident.escalated'][0]")" "by the timer"
	# the timer posts once; the flow's own escalate step (verify timed out) posts its own
	assert_eq 1 "$(json_get "$T/hook.log" "len([r for r in j if 'still open' in r['body']])")" "the timer posted once"
	assert_eq 2 "$(json_get "$T/hook.log" "len(j)")" "timer + escalate step"
}

case_dead_webhook_still_closes() {
	sandbox '{"GET /health": {"status": 500, "body": "x"}}'
	export SLACK_WEBHOOK_URL="http://127.0.0.1:$(free_port)/hook"
	config_edit 'c["alerts"] = {"webhook_url": "env:SLACK_WEBHOOK_URL"}'
	assert_exit 0 "$RUNBOOK" start api-down --non-interactive --answer platform_status=done \
		--answer cause=other
	ev=$(events "$(incident)")
	assert_contains "$ev" "escalate:notify.failed" "failed post journaled"
	assert_contains "$ev" "escalated:incident.closed" "still closes"
	assert_contains "$(cat "$T/out")" "ALERT NOT DELIVERED" "said loudly"
}

case_interrupted_action_asks() {
	sandbox '{"GET /health": {"status": 500, "body": "x"}}'
	# a restart that never finishes: the process is killed mid-action
	config_edit 'c["commands"]["restart"] = "touch %s; sleep 60" % args[0]' "$T/started"
	"$RUNBOOK" start api-down --non-interactive --answer platform_status=done --answer cause=oom \
		--confirm api >"$T/out" 2>"$T/err" &
	pid=$!
	for _ in $(seq 100); do [ -e "$T/started" ] && break; sleep 0.1; done
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
	pkill -f "touch $T/started" 2>/dev/null || true
	id=$(incident)
	ev=$(events "$id")
	assert_contains "$ev" "restart:action.intent" "intent committed"
	assert_not_contains "$ev" "action.result" "no result"
	assert_eq true "$(json_get "$T/show.json" "[e['data'].get('no_result') for e in j['events'] if e['kind']=='action.intent'][0]")" "show flags it"
	rm -f "$T/started"
	assert_exit 3 "$RUNBOOK" --json resume "$id" --confirm api
	assert_eq '["completed", "failed", "rerun"]' "$(json_get "$T/out" "j['waiting_for']['options']")" "asks what happened"
	[ ! -e "$T/started" ] || { _why "re-ran the action"; return 1; }
	set_routes "$RUNBOOK_SANDBOX/routes.json" "$HEALTHY"
	assert_exit 0 "$RUNBOOK" resume "$id" --answer restart=completed
	[ ! -e "$T/started" ] || { _why "re-ran the action"; return 1; }
	ev=$(events "$id")
	assert_contains "$ev" "restart:action.result verify:state.entered" "operator's result, then verify"
	assert_eq alice "$(json_get "$T/show.json" "[e['data'].get('reported_by') for e in j['events'] if e['kind']=='action.result'][0]")" "reported by"
}

case_ctrl_c_pauses() {
	sandbox '{"GET /health": {"status": 500, "body": "x"}}' '{"timing": {"verify_timeout_s": 60}}'
	"$RUNBOOK" start api-down --non-interactive --answer platform_status=done --answer cause=oom \
		--confirm api >"$T/out" 2>"$T/err" &
	pid=$!
	set_routes "$RUNBOOK_SANDBOX/routes.healthy.json" '{"GET /health": {"status": 500, "body": "x"}}'
	for _ in $(seq 100); do grep -q "attempt 1" "$T/out" 2>/dev/null && break; sleep 0.1; done
	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_eq 3 "$rc" "exit 3"
	assert_contains "$(cat "$T/out")" "runbook resume" "says how to continue"
	ev=$(events "$(incident)")
	assert_contains "$ev" "verify:note" "pause journaled"
	assert_eq interrupted "$(json_get "$T/show.json" "[e['data'].get('pause') for e in j['events'] if e['kind']=='note'][-1]")" "why"
}

case_bad_input() {
	sandbox "$HEALTHY"
	assert_exit 2 "$RUNBOOK" start no-such-flow
	assert_contains "$(cat "$T/err")" "unknown flow 'no-such-flow'" "unknown flow"
	assert_eq 1 "$(wc -l <"$T/err")" "one line"
	assert_exit 2 "$RUNBOOK" start api-down --frobnicate
	assert_contains "$(cat "$T/err")" "unknown option '--frobnicate'" "unknown flag"
	assert_exit 2 "$RUNBOOK" --bogus list
	assert_exit 2 "$RUNBOOK" start api-down --answer nostate=x
	assert_contains "$(cat "$T/err")" "no state 'nostate'" "unknown state"
	assert_exit 2 "$RUNBOOK" start api-down --answer cause=gremlins
	assert_contains "$(cat "$T/err")" "'gremlins' is not an option of 'cause'" "unknown option"
	assert_exit 2 "$RUNBOOK" start api-down --severity P9
	printf '{"cause": ' >"$T/answers.json"
	assert_exit 2 "$RUNBOOK" start api-down --answers "$T/answers.json"
	# nothing above opened an incident
	assert_exit 0 "$RUNBOOK" --json list
	assert_eq 0 "$(json_get "$T/out" "len(j['incidents'])")" "no incident opened"
	printf '{"api": {"url": 5}}' >"$T/bad.json"
	assert_exit 6 "$RUNBOOK" --config "$T/bad.json" start api-down
	assert_contains "$(cat "$T/err")" "api.url" "names the key"
	assert_contains "$(cat "$T/err")" "$T/bad.json" "names the file"
	printf '{"api": ' >"$T/bad.json"
	assert_exit 6 "$RUNBOOK" --config "$T/bad.json" start api-down
	assert_eq 1 "$(wc -l <"$T/err")" "one line"
}

case_journal_unwritable() {
	sandbox '{"GET /health": {"status": 500, "body": "x"}}'
	config_edit 'c["commands"]["logs"] = "touch %s" % args[0]' "$T/marker"
	: >"$T/afile"
	assert_exit 4 "$RUNBOOK" --journal "$T/afile/j.db" start api-down --non-interactive \
		--answer platform_status=done
	assert_eq 1 "$(wc -l <"$T/err")" "one line"
	assert_contains "$(cat "$T/err")" "$T/afile/j.db" "names the journal"
	[ ! -e "$T/marker" ] || { _why "something ran"; return 1; }
	# group-writable journal refused
	mkdir -m 700 "$T/jd"
	: >"$T/jd/j.db"
	chmod 666 "$T/jd/j.db"
	assert_exit 4 "$RUNBOOK" --journal "$T/jd/j.db" list
	assert_contains "$(cat "$T/err")" "writable by group or others" "loose mode"
}

case_journal_modes() {
	sandbox "$HEALTHY"
	assert_exit 0 "$RUNBOOK" start api-down --non-interactive --answer platform_status=done
	assert_eq 700 "$(stat -c %a "$T/journal")" "directory 0700"
	assert_eq 600 "$(stat -c %a "$T/journal/j.db")" "file 0600"
}

case_secrets_never_stored() {
	sandbox '{"GET /health": {"status": 500, "body": "x"}}'
	export RB_CANARY_TOKEN="canary-Tok3n-$RANDOM$RANDOM"
	export SLACK_WEBHOOK_URL="$api_URL/hooks/$RB_CANARY_TOKEN"
	pw="urlPa55w0rd$RANDOM"
	"$PY" - "$T/runbook.json" "$api_URL" "$pw" <<'PYEOF'
import json, sys
c = json.load(open(sys.argv[1]))
host = sys.argv[2].replace("http://", "")
c["api"]["url"] = "http://ops:%s@%s" % (sys.argv[3], host)
c["alerts"] = {"webhook_url": "env:SLACK_WEBHOOK_URL"}
c["errors"] = {"token": "env:RB_CANARY_TOKEN"}
c["commands"]["logs"] = "echo \"Authorization: Bearer $RB_CANARY_TOKEN\"; railway logs"
json.dump(c, open(sys.argv[1], "w"))
PYEOF
	# killed in the middle of the restart: the -wal stays beside the journal
	config_edit 'c["commands"]["restart"] = "touch %s; sleep 30" % args[0]' "$T/started"
	"$RUNBOOK" start api-down --non-interactive --answer platform_status=done \
		--answer cause=oom --confirm api >"$T/out" 2>"$T/err" &
	pid=$!
	for _ in $(seq 100); do [ -e "$T/started" ] && break; sleep 0.1; done
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
	pkill -f "touch $T/started" 2>/dev/null || true
	[ -s "$T/journal/j.db-wal" ] || { _why "no -wal file to check"; return 1; }
	cp "$T/journal/j.db-wal" "$T/wal.copy"
	assert_file_not_contains "$T/wal.copy" "$RB_CANARY_TOKEN" "env: secret in the -wal"
	assert_file_not_contains "$T/wal.copy" "$pw" "URL password in the -wal"
	assert_file_contains "$T/wal.copy" "action.intent" "the -wal holds the events"
	id=$(incident)
	"$RUNBOOK" show "$id" >>"$T/out" 2>>"$T/err"
	"$RUNBOOK" --json show "$id" >>"$T/out" 2>>"$T/err"
	for f in "$T/out" "$T/err" "$T/journal"; do
		assert_file_not_contains "$f" "$RB_CANARY_TOKEN" "env: secret in $f"
		assert_file_not_contains "$f" "$pw" "URL password in $f"
	done
	# the secrets did reach where they must: the API was called with its credentials
	assert_contains "$(json_get "$T/api.log" "[r['headers'].get('Authorization', '') for r in j]")" "Basic" "URL credentials used"
}

case_tamper_detected() {
	sandbox "$HEALTHY"
	assert_exit 0 "$RUNBOOK" start api-down --non-interactive --answer platform_status=done
	assert_exit 0 "$RUNBOOK" start api-down --non-interactive --answer platform_status=done
	assert_exit 0 "$RUNBOOK" verify
	cp "$T/journal/j.db" "$T/orig.db"
	# edit behind the tool's back: drop the triggers, change one byte of seq 5's data
	"$PY" - "$T/journal/j.db" <<'PYEOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for (name,) in db.execute("select name from sqlite_master where type='trigger'").fetchall():
    db.execute('drop trigger "%s"' % name)
d = db.execute("select data from events where seq=5").fetchone()[0]
db.execute("update events set data=? where seq=5", (d.replace("o", "0", 1),))
db.commit()
PYEOF
	assert_exit 5 "$RUNBOOK" verify
	assert_contains "$(cat "$T/err")" "trigger" "missing triggers reported"
	assert_exit 5 "$RUNBOOK" --json verify
	# put the triggers back (from the original), keep the edit: the chain names seq 5
	"$PY" - "$T/journal/j.db" "$T/orig.db" <<'PYEOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); orig = sqlite3.connect(sys.argv[2])
for (sql,) in orig.execute("select sql from sqlite_master where type='trigger'"):
    db.execute(sql)
db.commit()
PYEOF
	assert_exit 5 "$RUNBOOK" --json verify
	assert_eq 5 "$(json_get "$T/out" "j['first_bad_seq']")" "first bad seq"
	assert_contains "$(cat "$T/err" "$T/out")" "5" "named"
	assert_exit 5 "$RUNBOOK" verify
	assert_contains "$(cat "$T/err")" "seq 5" "human message names seq 5"
}

case_verify_head_truncation() {
	sandbox "$HEALTHY"
	assert_exit 0 "$RUNBOOK" start api-down --non-interactive --answer platform_status=done
	assert_exit 0 "$RUNBOOK" --json verify
	head=$(json_get "$T/out" "j['head']['hash']")
	assert_exit 0 "$RUNBOOK" verify --head "$head"
	"$PY" - "$T/journal/j.db" <<'PYEOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for (name,) in db.execute("select name from sqlite_master where type='trigger'").fetchall():
    db.execute('drop trigger "%s"' % name)
db.execute("delete from events where seq = (select max(seq) from events)")
db.commit()
PYEOF
	assert_exit 5 "$RUNBOOK" verify --head "$head"
	assert_exit 2 "$RUNBOOK" verify --head nothex
}

case_note_and_list() {
	sandbox '{"GET /health": {"status": 500, "body": "x"}}'
	assert_exit 3 "$RUNBOOK" start api-down --non-interactive
	id=$(incident)
	note="it's \"down\"; DROP TABLE events; -- <b>"
	assert_exit 0 "$RUNBOOK" note "${id:0:6}" "$note"
	assert_eq "$note" "$("$RUNBOOK" --json show "$id" | json_get - "[e['data']['text'] for e in j['events'] if e['kind']=='note' and 'text' in e['data']][0]")" "verbatim"
	assert_exit 0 "$RUNBOOK" --json list --open
	assert_eq "$id" "$(json_get "$T/out" "j['incidents'][0]['id']")" "listed open"
	assert_eq platform_status "$(json_get "$T/out" "j['incidents'][0]['state']")" "state"
	assert_exit 0 "$RUNBOOK" list --since 2000-01-01
	assert_contains "$(cat "$T/out")" "${id:0:8}" "short id shown"
	assert_exit 2 "$RUNBOOK" show abc
	assert_exit 2 "$RUNBOOK" list --since yesterday
	assert_exit 0 "$RUNBOOK" verify
}

case_flows_docs() {
	assert_exit 0 "$RUNBOOK" --json flows
	assert_eq api-down "$(json_get "$T/out" "j['flows'][0]['name']")" "name"
	assert_eq "platform_status health logs cause rollback restart verify escalate" \
		"$(json_get "$T/out" "' '.join(s['id'] for s in j['flows'][0]['states'] if s['kind'] != 'end')")" "spec state ids"
	assert_exit 0 "$RUNBOOK" flows show api-down --dot
	assert_contains "$(cat "$T/out")" '"cause" -> "restart" [label="oom"]' "dot edge"
	assert_exit 0 "$RUNBOOK" flows show api-down --mermaid
	assert_contains "$(cat "$T/out")" "stateDiagram-v2" "mermaid"
	assert_exit 2 "$RUNBOOK" flows show nope
	assert_exit 0 "$RUNBOOK" --help
	assert_contains "$(cat "$T/out")" "verify" "help lists commands"
	assert_exit 0 "$RUNBOOK" start --help
	assert_exit 0 "$RUNBOOK" --version
	assert_contains "$(cat "$T/out")" "runbook " "version"
	# a global option before or after the subcommand (cli.md)
	assert_exit 0 "$RUNBOOK" list --version
	assert_contains "$(cat "$T/out")" "runbook " "list --version"
	# the flow pages in docs/ are generated from the tables and kept current
	for f in $("$RUNBOOK" flows | awk '{print $1}'); do
		"$RUNBOOK" flows show "$f" --markdown >"$T/$f.md"
		diff -q "$T/$f.md" "$ROOT/docs/flows/$f.md" >/dev/null ||
			{ _why "docs/flows/$f.md is stale: run make docs"; return 1; }
	done
}

# railway_status ROUTE_JSON: Railway's GraphQL endpoint on a fixture answering ROUTE_JSON,
# and the platform keys that turn platform_status into a probe.
railway_status() {
	set_routes "$T/railway.json" "{\"POST /graphql/v2\": $1}"
	start_fixture rw "$T/railway.json"
	export RAILWAY_TOKEN=rw-status-Tok3n-$$
	"$PY" - "$T/runbook.json" "$rw_URL" <<'PYEOF'
import json, sys
cfg = json.load(open(sys.argv[1]))
cfg["platform"].update({"api_url": sys.argv[2] + "/graphql/v2", "railway_token": "env:RAILWAY_TOKEN",
                        "project_id": "p-1", "environment_id": "e-prod", "service_id": "s-api"})
json.dump(cfg, open(sys.argv[1], "w"))
PYEOF
}

case_platform_status_from_railway() {
	sandbox "$HEALTHY"
	railway_status '{"status": 200, "json": {"data": {"deployments": {"edges": [
		{"node": {"id": "d-new", "status": "CRASHED", "createdAt": "2026-12-04T02:50:00.000Z", "canRollback": false}},
		{"node": {"id": "d-old", "status": "SUCCESS", "createdAt": "2026-12-03T10:00:00.000Z", "canRollback": true}}]}}}}'
	# no --answer for platform_status: the probe answers it
	assert_exit 0 "$RUNBOOK" start api-down --non-interactive
	id=$(incident)
	assert_eq "platform_status health false_alarm" "$(states "$id")" "states"
	assert_eq "platform_status:state.entered platform_status:probe.result" \
		"$(json_get "$T/show.json" "' '.join(e['state'] + ':' + e['kind'] for e in j['events'] if e['state'] == 'platform_status')")" "a probe, not a prompt"
	ev="[e['data'] for e in j['events'] if e['state'] == 'platform_status' and e['kind'] == 'probe.result'][0]"
	assert_eq crashed "$(json_get "$T/show.json" "$ev['outcome']")" "outcome"
	assert_eq "d-new CRASHED" "$(json_get "$T/show.json" "$ev['latest']['id'] + ' ' + $ev['latest']['status']")" "latest"
	assert_eq d-old "$(json_get "$T/show.json" "$ev['active']['id']")" "the one that served before"
	assert_contains "$(json_get "$T/show.json" "$ev['summary']")" "latest deployment d-new is CRASHED" "summary"
	assert_eq "Bearer $RAILWAY_TOKEN" "$(json_get "$T/rw.log" "j[0]['headers'].get('Authorization')")" "token sent"
	assert_contains "$(json_get "$T/rw.log" "j[0]['body']")" '"serviceId":"s-api"' "asks for the service"
	assert_file_not_contains "$T/journal" "$RAILWAY_TOKEN" "token never journaled"
	# the probe saw the service CRASHED (ok: false): the healthy end is resolved
	assert_eq false "$(json_get "$T/show.json" "str($ev['ok']).lower()")" "a failure"
	assert_eq resolved "$(json_get "$T/show.json" "j['incident']['end']")" "verdict"
}

case_platform_status_railway_error_goes_on() {
	sandbox "$HEALTHY"
	railway_status '{"status": 401, "json": {"message": "Unauthorized"}}'
	assert_exit 0 "$RUNBOOK" start api-down --non-interactive
	id=$(incident)
	assert_eq "platform_status health false_alarm" "$(states "$id")" "any outcome goes to health"
	ev="[e['data'] for e in j['events'] if e['state'] == 'platform_status' and e['kind'] == 'probe.result'][0]"
	assert_eq "error unauthorized" "$(json_get "$T/show.json" "$ev['outcome'] + ' ' + $ev['error']")" "outcome"
	assert_contains "$(json_get "$T/show.json" "$ev['summary']")" "check Railway Dashboard → api → Status by hand" "what to do"
}

# no_api: the sandbox without api.url (health and verify fall back to manual steps)
# and without commands.restart (restart is done by hand).
no_api() {
	config_edit 'del c["api"]; del c["commands"]["restart"]'
}

case_trouble_answered_by_hand_is_resolved() {
	sandbox "$HEALTHY"
	no_api
	# the operator reports db_fail and restarts by hand: never a false alarm
	assert_exit 3 "$RUNBOOK" start api-down --non-interactive --answer platform_status=done \
		--answer health=db_fail --answer cause=oom
	id=$(incident)
	cp "$T/out" "$T/out1"
	assert_exit 0 "$RUNBOOK" resume "$id" --answer restart=completed --answer verify=ok
	assert_eq "platform_status health cause restart verify resolved" "$(states "$id")" "states"
	assert_eq resolved "$(json_get "$T/show.json" "j['incident']['end']")" "verdict"
	assert_contains "$(cat "$T/out1")" "runbook resume ${id:0:8} --answer restart=done" "hint: an answer"
	assert_not_contains "$(cat "$T/out1")" "--confirm" "no --confirm for a step done by hand"
	assert_eq true "$(json_get "$T/show.json" "[e['data'].get('fallback') for e in j['events'] if e['state']=='restart' and e['kind']=='prompt.answered'][0]")" "done by hand"
	assert_contains "$(cat "$T/out")" "restart (by hand)" "summary names it"
	# a fallback "ok" all the way is still a false alarm
	assert_exit 0 "$RUNBOOK" start api-down --non-interactive --answer platform_status=done \
		--answer health=ok
	"$RUNBOOK" --json show "$(incident)" >"$T/show.json"
	assert_eq false_alarm "$(json_get "$T/show.json" "j['incident']['end']")" "fallback ok"
}

case_wait_fallback_takes_timeout() {
	sandbox "$HEALTHY"
	no_api
	assert_exit 0 "$RUNBOOK" start api-down --non-interactive --answer platform_status=done \
		--answer health=db_fail --answer cause=oom --answer restart=completed --answer verify=timeout
	id=$(incident)
	assert_eq "platform_status health cause restart verify escalate escalated" "$(states "$id")" "states"
	assert_eq timeout "$(json_get "$T/show.json" "[e['data']['outcome'] for e in j['events'] if e['state']=='verify' and e['kind']=='prompt.answered'][0]")" "outcome"
	assert_eq 1 "$(json_get "$T/show.json" "len([e for e in j['events'] if e['state']=='verify' and e['kind']=='prompt.answered'])")" "asked once"
}

case_dry_run_runs_no_action() {
	sandbox "$HEALTHY"
	# storage's retry_uploads is not destructive: a dry run still runs none of it
	config_edit 'c["commands"]["retry_uploads"] = "touch %s" % args[0]' "$T/marker"
	assert_exit 0 "$RUNBOOK" start storage --dry-run --non-interactive \
		--answer head_bucket=forbidden --answer wait_recovery=ok
	ev=$(events "$(incident)")
	assert_contains "$ev" "retry_uploads:action.skipped" "skipped"
	assert_not_contains "$ev" "action.intent" "no intent"
	[ ! -e "$T/marker" ] || { _why "retry_uploads ran in a dry run"; return 1; }
	assert_eq "touch $T/marker" "$(json_get "$T/show.json" "[e['data']['would_run'] for e in j['events'] if e['kind']=='action.skipped'][0]")" "what would run"
}

case_escalate_not_reposted_on_resume() {
	sandbox '{"GET /health": {"status": 500, "body": "x"}}'
	set_routes "$T/hook.json" '{"POST /hook": {"status": 200, "body": "ok"}}'
	start_fixture hook "$T/hook.json"
	export SLACK_WEBHOOK_URL="$hook_URL/hook"
	config_edit 'c["alerts"] = {"webhook_url": "env:SLACK_WEBHOOK_URL"}'
	assert_exit 0 "$RUNBOOK" start api-down --non-interactive --answer platform_status=done \
		--answer cause=other
	id=$(incident)
	assert_eq 1 "$(json_get "$T/hook.log" "len(j)")" "posted once"
	# the process "died" right after the post: drop what came after notify.sent
	"$PY" - "$T/journal/j.db" <<'PYEOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for (name,) in db.execute("select name from sqlite_master where type='trigger'").fetchall():
    db.execute('drop trigger "%s"' % name)
db.execute("delete from events where state='escalated'")
db.commit()
PYEOF
	assert_exit 0 "$RUNBOOK" resume "$id"
	assert_eq 1 "$(json_get "$T/hook.log" "len(j)")" "not posted again"
	assert_eq escalated "$("$RUNBOOK" --json show "$id" | json_get - "j['incident']['end']")" "closed"
}

case_ctrl_c_cuts_a_slow_post() {
	sandbox '{"GET /health": {"status": 500, "body": "x"}}'
	set_routes "$T/hook.json" '{"POST /hook": {"status": 200, "body": "ok", "delay_ms": 20000}}'
	start_fixture hook "$T/hook.json"
	export SLACK_WEBHOOK_URL="$hook_URL/hook"
	config_edit 'c["alerts"] = {"webhook_url": "env:SLACK_WEBHOOK_URL", "timeout_ms": 20000}'
	"$RUNBOOK" start api-down --non-interactive --answer platform_status=done --answer cause=other \
		>"$T/out" 2>"$T/err" &
	pid=$!
	for _ in $(seq 100); do grep -q "escalate" "$T/out" 2>/dev/null && break; sleep 0.1; done
	sleep 0.5
	start=$(date +%s)
	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_eq 3 "$rc" "paused"
	[ $(($(date +%s) - start)) -le 3 ] || { _why "Ctrl-C waited for the post"; return 1; }
}

# terminal.md, at a terminal (script(1) gives runbook one): Enter at a manual step is
# "done"; a line typed at a probe's manual fallback is a note that takes the "*" branch;
# Enter at a choice takes the suggestion; the typed service name confirms the restart;
# a wait done by hand takes the answer.
case_terminal_enter_and_note() {
	sandbox "$HEALTHY"
	config_edit 'del c["api"]'
	(
		sleep 0.5
		printf '\n'
		sleep 0.3
		printf 'it returns 502\n'
		sleep 0.5
		printf '\n'
		sleep 0.3
		printf 'api\n'
		sleep 0.5
		printf 'ok\n'
		sleep 1
	) | timeout 30 script -qec "$RUNBOOK start api-down" /dev/null >"$T/tty" 2>&1 || true
	id=$(sqlite3 "$RUNBOOK_JOURNAL" "SELECT incident FROM events WHERE seq = 1")
	assert_eq "platform_status health logs cause restart verify resolved" "$(states "$id")" "states"
	ans="[e['data'] for e in j['events'] if e['kind'] == 'prompt.answered']"
	assert_eq "done terminal" "$(json_get "$T/show.json" "$ans[0]['outcome'] + ' ' + $ans[0]['source']")" "Enter = done"
	assert_eq "other|it returns 502" "$(json_get "$T/show.json" "$ans[1]['outcome'] + '|' + $ans[1]['note']")" "a typed line is a note"
	assert_eq "oom oom" "$(json_get "$T/show.json" "$ans[2]['answer'] + ' ' + $ans[2]['suggested']")" "Enter takes the suggestion"
	assert_eq "ok" "$(json_get "$T/show.json" "$ans[3]['outcome']")" "the wait done by hand"
	assert_eq resolved "$(json_get "$T/show.json" "[e['data']['end'] for e in j['events'] if e['kind'] == 'incident.closed'][0]")" "resolved"
	assert_file_contains "$RUNBOOK_SANDBOX/railway.calls" "restart" "the restart ran, confirmed by the typed name"
}

run_cases case_terminal_enter_and_note case_platform_status_from_railway case_platform_status_railway_error_goes_on \
	case_acceptance_oom_restart case_healthy_is_false_alarm case_fault_500 \
	case_fallback_answer_takes_the_any_branch \
	case_fault_timeout case_fault_dropped case_fault_partial case_fault_malformed \
	case_fault_missing_field case_fault_db_not_ok case_fault_refused case_pause_and_resume \
	case_wrong_confirm_refuses case_dry_run case_escalate_posts_webhook \
	case_escalation_timer_once case_dead_webhook_still_closes case_interrupted_action_asks \
	case_ctrl_c_pauses case_bad_input case_journal_unwritable case_journal_modes \
	case_secrets_never_stored case_tamper_detected case_verify_head_truncation \
	case_note_and_list case_flows_docs \
	case_trouble_answered_by_hand_is_resolved case_wait_fallback_takes_timeout \
	case_dry_run_runs_no_action \
	case_escalate_not_reposted_on_resume case_ctrl_c_cuts_a_slow_post
