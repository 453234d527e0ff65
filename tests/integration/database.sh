#!/usr/bin/env bash
# database.sh - the database flow (runbook §4.2) and `runbook audit` against a real
# PostgreSQL 15 started per case (tests/lib_pg.sh): idle sessions held open by psql
# processes fed through FIFOs, roles with and without pg_signal_backend and
# pg_read_all_stats, a superuser's session, a pg_sleep slow query, a stopped server, a
# wrong password, and the audit trail of every destructive statement.
# shellcheck disable=SC2154,SC2317
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source-path=SCRIPTDIR source=../lib_pg.sh
. "$(dirname "$0")/../lib_pg.sh"

# db_config [EXTRA_JSON]: runbook.json for bilko_test (idle_min 0.01 = 0.6 s, slow
# queries from 0.5 s), a fresh journal, operator alice.
db_config() {
	"$PY" - "$T/runbook.json" "${1:-{\}}" <<'PYEOF'
import json, sys
path, extra = sys.argv[1], json.loads(sys.argv[2])
cfg = {
    "database": {"url": "env:DATABASE_URL", "name": "bilko_test", "timeout_ms": 3000},
    "thresholds": {"idle_min": 0.01, "slow_query_s": 0.5, "db_active_max": 20},
}
for k, v in extra.items():
    if v is None:
        cfg.pop(k, None)
    elif isinstance(v, dict):
        cfg.setdefault(k, {}).update(v)
    else:
        cfg[k] = v
json.dump(cfg, open(path, "w"))
PYEOF
	chmod 600 "$T/runbook.json"
	export RUNBOOK_CONFIG=$T/runbook.json RUNBOOK_JOURNAL=$T/journal/j.db
	export RUNBOOK_OPERATOR=alice
}

# as_role ROLE [PASSWORD]: the tool connects as ROLE over TCP.
as_role() {
	export DATABASE_URL="postgresql://$1:${2:-$PG_PW}@127.0.0.1:$PG_PORT/bilko_test"
}

incident() { head -n 1 "$T/out"; }

# show ID: the incident's timeline as JSON in $T/show.json.
show() { "$RUNBOOK" --json show "$1" >"$T/show.json"; }

# states ID: the states entered, in order.
states() {
	show "$1"
	json_get "$T/show.json" "' '.join(e['state'] for e in j['events'] if e['kind'] == 'state.entered')"
}

# ev STATE KIND EXPR: EXPR over d = the data of the last STATE KIND event of show.json.
ev() {
	json_get "$T/show.json" "(lambda d: $3)([e['data'] for e in j['events'] if e['state'] == '$1' and e['kind'] == '$2'][-1])"
}

# result_of PID FIELD: a per-pid field of the last action.result in show.json.
result_of() {
	json_get "$T/show.json" "[r.get('$2') for e in j['events'] if e['kind'] == 'action.result' for r in e['data'].get('results', []) if r['pid'] == $1][-1]"
}

case_acceptance_kill_three_idle() {
	start_pg
	db_config
	pg_session s1 app
	pg_session s2 app
	pg_session s3 app
	sleep 0.8
	assert_exit 0 "$RUNBOOK" start database --non-interactive --answer choose=kill_idle \
		--confirm bilko_test
	id=$(incident)
	assert_eq "connect connections slow_queries choose idle_preview kill_idle verify resolved" \
		"$(states "$id")" "states"
	want=$(printf '%s\n' "$s1_PID" "$s2_PID" "$s3_PID" | sort -n | tr '\n' ' ')
	assert_eq "$want" "$(ev idle_preview probe.result "' '.join(str(s['pid']) for s in sorted(d['sessions'], key=lambda s: s['pid'])) + ' '")" "previewed"
	for p in "$s1_PID" "$s2_PID" "$s3_PID"; do
		assert_eq true "$(result_of "$p" terminated)" "pid $p terminated"
		assert_eq true "$(result_of "$p" gone)" "pid $p confirmed gone"
		if pg_alive "$p"; then
			_why "backend $p still in pg_stat_activity"
			return 1
		fi
	done
	assert_eq "idle 3 → 0" "$(ev verify probe.result "'idle %d → %d' % (d['changes']['idle']['before'], d['changes']['idle']['after'])")" "verify compares"
	# the tool's own session names the operator and the incident, in pg_stat_activity
	# (read back by the connect probe) and in PostgreSQL's own log
	assert_eq "runbook/alice/${id:0:8}" "$(ev connect probe.result "d['application_name']")" "application_name"
	assert_file_contains "$PG_LOG" "user=app database=bilko_test application_name=runbook/alice/${id:0:8}" "server log"
	# the audit answers who ran which destructive statement, on what, with what result
	assert_exit 0 "$RUNBOOK" audit --destructive --json
	cp "$T/out" "$T/audit.json"
	assert_eq "action.intent action.result" "$(json_get "$T/audit.json" "' '.join(e['kind'] for e in j['entries'])")" "destructive rows"
	assert_eq "alice alice" "$(json_get "$T/audit.json" "' '.join(e['operator'] for e in j['entries'])")" "operator"
	assert_eq "bilko_test bilko_test" "$(json_get "$T/audit.json" "' '.join(e['target'] for e in j['entries'])")" "target database"
	assert_eq "$(id -un)" "$(json_get "$T/audit.json" "j['entries'][0]['os_user']")" "os user"
	assert_eq "$(hostname)" "$(json_get "$T/audit.json" "j['entries'][0]['host']")" "host"
	assert_eq "$id" "$(json_get "$T/audit.json" "j['entries'][0]['incident']")" "incident"
	assert_eq "pending ok" "$(json_get "$T/audit.json" "' '.join(e['outcome'] for e in j['entries'])")" "outcomes"
	stmt=$(json_get "$T/audit.json" "j['entries'][0]['statement']")
	assert_contains "$stmt" "pg_terminate_backend(pid) AS signalled FROM pg_stat_activity WHERE pid = ANY(\$1::int[]) AND state = 'idle' AND to_char(state_change AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') = \$2 AND pid <> pg_backend_pid()" "SQL"
	assert_eq "$stmt" "$(json_get "$T/audit.json" "j['entries'][1]['statement']")" "result row carries the statement"
	assert_eq "$want" "$(json_get "$T/audit.json" "' '.join(str(p) for p in sorted(j['entries'][0]['data']['pids'])) + ' '")" "pids in the intent"
	assert_eq bilko_test "$(json_get "$T/audit.json" "j['entries'][0]['data']['database']")" "database in the intent"
	assert_eq "[true, true, true]" "$(json_get "$T/audit.json" "[r['terminated'] for r in j['entries'][1]['data']['results']]")" "per-pid results"
	assert_eq 13 "$(json_get "$T/audit.json" "len([k for k in ['seq','hash','ts','operator','os_user','host','incident','flow','state','kind','target','statement','outcome'] if k in j['entries'][0]])")" "cli.md fields"
	assert_eq 64 "$(json_get "$T/audit.json" "len(j['entries'][0]['hash'])")" "hex hash"
	assert_exit 0 "$RUNBOOK" verify
}

# flows.md: exactly the previewed pids that are still idle. A session that ran a query
# between the preview and the confirmation and is idle again is in another idle period
# (its state_change moved): it is not terminated.
case_previewed_pid_used_again_survives() {
	start_pg
	db_config
	pg_session a1 app
	pg_session a2 app
	sleep 0.8
	assert_exit 3 "$RUNBOOK" start database --non-interactive --answer choose=kill_idle
	id=$(incident)
	show "$id"
	assert_eq 2 "$(ev idle_preview probe.result "d['count']")" "two previewed"
	pg_send a2 "SELECT 2;"
	sleep 0.3
	pg_wait_state "$a2_PID" idle
	assert_exit 0 "$RUNBOOK" resume "$id" --confirm bilko_test
	show "$id"
	assert_eq true "$(result_of "$a1_PID" terminated)" "a1, idle all along, terminated"
	assert_eq false "$(result_of "$a2_PID" terminated)" "a2 not terminated"
	assert_eq idle_again "$(result_of "$a2_PID" reason)" "why not"
	pg_alive "$a2_PID" || { _why "the session used since the preview was terminated"; return 1; }
}

case_only_previewed_still_idle_pids() {
	start_pg
	db_config
	pg_session a1 app
	pg_session a2 app
	sleep 0.8
	# no --confirm: it pauses at kill_idle, after the preview
	assert_exit 3 "$RUNBOOK" start database --non-interactive --answer choose=kill_idle
	id=$(incident)
	show "$id"
	assert_eq 2 "$(ev idle_preview probe.result "d['count']")" "two previewed"
	# between preview and action: a2 becomes active, n1 connects and goes idle
	pg_send a2 "SELECT pg_sleep(4);"
	pg_wait_state "$a2_PID" active
	pg_session n1 app
	sleep 0.8
	assert_exit 0 "$RUNBOOK" resume "$id" --confirm bilko_test
	show "$id"
	assert_eq true "$(result_of "$a1_PID" terminated)" "a1 terminated"
	assert_eq false "$(result_of "$a2_PID" terminated)" "a2 not terminated"
	assert_eq no_longer_idle "$(result_of "$a2_PID" reason)" "why not"
	assert_eq active "$(result_of "$a2_PID" state)" "its state"
	assert_eq "[]" "$(json_get "$T/show.json" "[r for e in j['events'] if e['kind'] == 'action.result' for r in e['data']['results'] if r['pid'] == $n1_PID]")" "n1 not attempted"
	assert_eq "[$(printf '%s\n' "$a1_PID" "$a2_PID" | sort -n | paste -sd, | sed 's/,/, /')]" \
		"$(ev kill_idle action.intent "sorted(d['pids'])")" "intent: the previewed pids"
	assert_eq partial "$(ev kill_idle action.result "d['outcome']")" "outcome"
	if pg_alive "$a1_PID"; then _why "a1 survived"; return 1; fi
	pg_alive "$a2_PID" || { _why "the active session was terminated"; return 1; }
	pg_alive "$n1_PID" || { _why "a session not in the preview was terminated"; return 1; }
}

case_superuser_session_recorded() {
	start_pg
	db_config
	pg_session u1 app
	pg_session su postgres
	sleep 0.8
	assert_exit 0 "$RUNBOOK" start database --non-interactive --answer choose=kill_idle \
		--confirm bilko_test
	show "$(incident)"
	assert_eq true "$(result_of "$u1_PID" terminated)" "app session terminated"
	assert_eq false "$(result_of "$su_PID" terminated)" "superuser session not terminated"
	assert_eq superuser "$(result_of "$su_PID" reason)" "reason"
	assert_eq 42501 "$(result_of "$su_PID" sqlstate)" "sqlstate"
	assert_contains "$(result_of "$su_PID" error)" "superuser" "server's message"
	assert_contains "$(ev kill_idle action.result "d['summary']")" "$su_PID (a superuser's session)" "summary"
	pg_alive "$su_PID" || { _why "the superuser session is gone"; return 1; }
	if pg_alive "$u1_PID"; then _why "u1 survived"; return 1; fi
}

case_role_without_signal_backend() {
	start_pg
	db_config
	as_role reader
	pg_session v1 app
	sleep 0.8
	assert_exit 0 "$RUNBOOK" start database --non-interactive --answer choose=kill_idle \
		--confirm bilko_test
	show "$(incident)"
	assert_eq false "$(ev connect probe.result "d['pg_signal_backend']")" "grant seen at connect"
	assert_eq "$v1_PID" "$(ev idle_preview probe.result "d['sessions'][0]['pid']")" "previewed"
	assert_eq permission "$(result_of "$v1_PID" reason)" "reason"
	assert_eq 42501 "$(result_of "$v1_PID" sqlstate)" "sqlstate"
	assert_eq fail "$(ev kill_idle action.result "d['outcome']")" "outcome"
	pg_alive "$v1_PID" || { _why "terminated without the grant"; return 1; }
}

case_role_without_read_all_stats_is_partial() {
	start_pg
	db_config
	as_role weak
	pg_session w1 app
	pg_session w2 app
	sleep 0.8
	assert_exit 0 "$RUNBOOK" start database --non-interactive --answer choose=kill_idle \
		--confirm bilko_test
	id=$(incident)
	show "$id"
	assert_eq true "$(ev connections probe.result "d['partial']")" "partial"
	assert_eq 2 "$(ev connections probe.result "d['hidden']")" "hidden sessions"
	sum=$(ev connections probe.result "d['summary']")
	assert_contains "$sum" "counts are partial" "says partial"
	assert_contains "$sum" "pg_read_all_stats" "says why"
	assert_contains "$(cat "$T/out")" "counts are partial" "on screen"
	assert_eq true "$(ev idle_preview probe.result "d['partial']")" "preview partial"
	assert_contains "$(ev idle_preview probe.result "d['summary']")" "partial" "preview says so"
	# nothing this role can see is idle: kill_idle has nothing to do
	assert_contains "$(ev kill_idle action.skipped "d['reason']")" "nothing to terminate" "skipped"
	pg_alive "$w1_PID" && pg_alive "$w2_PID" || { _why "a hidden session was terminated"; return 1; }
	assert_exit 0 "$RUNBOOK" audit --destructive --json
	assert_eq "action.skipped" "$(json_get "$T/out" "' '.join(e['kind'] for e in j['entries'])")" "audited"
}

case_slow_query_and_cancel() {
	start_pg
	db_config
	pg_session q1 app
	pg_send q1 "SELECT pg_sleep(30), 'card 4111-1111' AS note;"
	pg_wait_state "$q1_PID" active
	sleep 0.7
	assert_exit 0 "$RUNBOOK" start database --non-interactive --answer choose=cancel \
		--answer cancel_backend="$q1_PID" --confirm bilko_test
	id=$(incident)
	assert_eq "connect connections slow_queries choose cancel_backend verify resolved" \
		"$(states "$id")" "states"
	assert_eq found "$(ev slow_queries probe.result "d['outcome']")" "found"
	assert_eq "$q1_PID" "$(ev slow_queries probe.result "d['queries'][0]['pid']")" "pid"
	assert_eq "SELECT pg_sleep(30), '?' AS note;" "$(ev slow_queries probe.result "d['queries'][0]['query']")" "literal masked"
	assert_file_not_contains "$T/journal" "4111-1111" "no literal in the journal"
	assert_eq cancel "$(ev choose state.entered "d['suggested']")" "suggested"
	assert_eq "$q1_PID" "$(ev cancel_backend action.intent "d['pid']")" "intent pid"
	assert_contains "$(ev cancel_backend action.intent "d['sql']")" "pg_cancel_backend(pid)" "SQL"
	assert_eq true "$(result_of "$q1_PID" cancelled)" "cancelled"
	assert_eq active "$(result_of "$q1_PID" session | json_get - "j['state']")" "what it was doing"
	for _ in $(seq 50); do grep -q "canceling statement" "$T/q1.out" && break; sleep 0.1; done
	assert_file_contains "$T/q1.out" "canceling statement due to user request" "query cancelled"
	pg_alive "$q1_PID" || { _why "cancel terminated the session"; return 1; }
}

case_terminate_one_backend() {
	start_pg
	db_config
	pg_session t1 app
	pg_session t2 app
	assert_exit 0 "$RUNBOOK" start database --non-interactive --answer choose=terminate \
		--answer terminate_backend="$t1_PID" --confirm bilko_test
	show "$(incident)"
	assert_eq true "$(result_of "$t1_PID" terminated)" "terminated"
	if pg_alive "$t1_PID"; then _why "t1 survived"; return 1; fi
	pg_alive "$t2_PID" || { _why "another session was terminated"; return 1; }
	# a pid that is not a backend: recorded, not a crash
	assert_exit 0 "$RUNBOOK" start database --non-interactive --answer choose=terminate \
		--answer terminate_backend=999999 --confirm bilko_test
	show "$(incident)"
	assert_eq gone "$(result_of 999999 reason)" "already gone"
}

case_stopped_server_refused() {
	start_pg
	db_config
	stop_pg
	assert_exit 3 "$RUNBOOK" start database --non-interactive
	id=$(incident)
	assert_eq "connect platform_status" "$(states "$id")" "to platform_status"
	assert_eq refused "$(ev connect probe.result "d['outcome']")" "outcome"
	assert_eq refused "$(ev connect probe.result "d['error']")" "class"
	assert_contains "$(cat "$T/out")" "Railway Dashboard → Project → PostgreSQL → Status" "manual step shown"
	assert_exit 0 "$RUNBOOK" resume "$id" --answer platform_status=down
	show "$id"
	assert_eq escalated "$(json_get "$T/show.json" "j['incident']['end']")" "escalated"
}

case_wrong_password_auth_failed() {
	start_pg
	db_config
	bad="Wr0ngPw$RANDOM$RANDOM"
	as_role app "$bad"
	assert_exit 3 "$RUNBOOK" start database --non-interactive --answer platform_status=up
	id=$(incident)
	assert_eq "connect platform_status connect platform_status" "$(states "$id")" "retried once, then paused"
	assert_eq auth_failed "$(ev connect probe.result "d['outcome']")" "outcome"
	assert_contains "$(ev connect probe.result "d['message']")" "password authentication failed" "libpq's reason"
	assert_eq app "$(ev connect probe.result "d['user']")" "user named"
	assert_file_not_contains "$T/journal" "$bad" "password not journaled"
	assert_file_not_contains "$T/out" "$bad" "password not shown"
}

case_missing_database_section() {
	start_pg
	db_config '{"database": null}'
	assert_exit 3 "$RUNBOOK" start database --non-interactive
	id=$(incident)
	assert_contains "$(cat "$T/out")" "'database.url' is not set" "names the key"
	assert_contains "$(cat "$T/out")" 'railway run psql $DATABASE_URL -c "SELECT 1;"' "manual instruction"
	assert_eq connect "$(states "$id")" "paused at connect"
	db_config
	unset DATABASE_URL
	assert_exit 3 "$RUNBOOK" start database --non-interactive
	assert_contains "$(cat "$T/out")" "names \$DATABASE_URL, which is not set" "unset variable"
	# the operator's own observations drive the same machine
	assert_exit 3 "$RUNBOOK" start database --non-interactive --answer connect=ok \
		--answer connections=high
	assert_eq "connect connections slow_queries" "$(states "$(incident)")" "manual path"
}

case_bad_pid_is_usage_error() {
	start_pg
	db_config
	for v in abc "1; DROP TABLE canary" "-5" "12.5" ""; do
		assert_exit 2 "$RUNBOOK" start database --non-interactive --answer choose=cancel \
			--answer "cancel_backend=$v" --confirm bilko_test
		assert_contains "$(cat "$T/err")" "is not a backend pid" "rejected: '$v'"
	done
	assert_exit 2 "$RUNBOOK" start database --answer terminate_backend=abc
	[ ! -e "$T/journal/j.db" ] || {
		assert_exit 0 "$RUNBOOK" --json list
		assert_eq 0 "$(json_get "$T/out" "len(j['incidents'])")" "nothing journaled"
	}
	assert_eq 1 "$(pg_sql -d bilko_test "SELECT count(*) FROM canary")" "canary intact"
}

case_operator_text_is_data() {
	start_pg
	db_config
	evil="it's \"slow\"; DROP TABLE canary; -- \$\$ \\'"
	assert_exit 3 "$RUNBOOK" start database --non-interactive --title "$evil"
	id=$(incident)
	assert_exit 0 "$RUNBOOK" note "$id" "$evil"
	show "$id"
	assert_eq "$evil" "$(json_get "$T/show.json" "[e['data']['text'] for e in j['events'] if e['kind'] == 'note' and 'text' in e['data']][0]")" "note verbatim"
	assert_eq "$evil" "$(json_get "$T/show.json" "j['incident']['title']")" "title verbatim"
	# a free-text answer (a manual step's note) is stored as it was typed
	db_config '{"database": null}'
	assert_exit 3 "$RUNBOOK" start database --non-interactive --answer connect=ok \
		--answer connections=normal --answer "slow_queries=$evil"
	show "$(incident)"
	assert_eq "$evil" "$(ev slow_queries prompt.answered "d['note']")" "answer verbatim"
	assert_exit 0 "$RUNBOOK" audit --json
	assert_contains "$(json_get "$T/out" "[e.get('answer') for e in j['entries']]")" "DROP TABLE canary" "audited as data"
	assert_eq 1 "$(pg_sql -d bilko_test "SELECT count(*) FROM canary")" "canary intact"
	assert_exit 0 "$RUNBOOK" verify
}

case_audit_csv_and_filters() {
	start_pg
	db_config
	pg_session c1 app
	sleep 0.8
	# bob refuses (wrong name), a dry run skips, alice's action is interrupted
	assert_exit 0 "$RUNBOOK" --operator "=HYPERLINK(\"http://x\"),bob" start database \
		--non-interactive --answer choose=kill_idle --confirm bilko_prod
	refused=$(incident)
	assert_exit 0 "$RUNBOOK" start database --non-interactive --dry-run --answer choose=kill_idle
	dry=$(incident)
	assert_exit 3 "$RUNBOOK" start database --non-interactive --answer choose=kill_idle
	cut=$(incident)
	kill -STOP "$(head -n 1 "$PG_DATA/postmaster.pid")"
	"$RUNBOOK" resume "$cut" --confirm bilko_test >"$T/cut.out" 2>&1 &
	rb=$!
	for _ in $(seq 100); do
		"$RUNBOOK" --json show "$cut" 2>/dev/null | grep -q '"action.intent"' && break
		sleep 0.05
	done
	kill -9 "$rb"
	wait "$rb" 2>/dev/null || true
	kill -CONT "$(head -n 1 "$PG_DATA/postmaster.pid")"
	pg_alive "$c1_PID" || { _why "the interrupted action ran"; return 1; }

	assert_exit 0 "$RUNBOOK" audit --destructive --json
	cp "$T/out" "$T/all.json"
	assert_eq "action.refused action.skipped action.intent" \
		"$(json_get "$T/all.json" "' '.join(e['kind'] for e in j['entries'])")" "rows"
	assert_eq "refused skipped pending" "$(json_get "$T/all.json" "' '.join(e['outcome'] for e in j['entries'])")" "outcomes"
	assert_eq true "$(json_get "$T/all.json" "j['entries'][2].get('no_result') is True")" "intent without result"
	assert_eq "no result recorded — process ended" "$(json_get "$T/all.json" "j['entries'][2]['note']")" "said"
	assert_eq dry "$(json_get "$T/all.json" "'dry' if j['entries'][1]['incident'] == '$dry' else 'x'")" "dry run row"
	assert_eq "dry run" "$(json_get "$T/all.json" "j['entries'][1]['reason']")" "why skipped"
	assert_contains "$(json_get "$T/all.json" "j['entries'][1]['statement']")" "pg_terminate_backend" "what would have run"
	assert_exit 0 "$RUNBOOK" audit --destructive
	assert_contains "$(cat "$T/out")" "pending — no result recorded — process ended" "table flags it"

	# CSV: RFC 4180, formula cells neutralised
	assert_exit 0 "$RUNBOOK" audit --destructive --format csv
	cp "$T/out" "$T/audit.csv"
	assert_contains "$(head -c 200 "$T/audit.csv")" $'seq,hash,ts,operator,os_user,host,incident,flow,state,kind,target,statement,outcome\r\n' "header, CRLF"
	assert_eq "'=HYPERLINK(\"http://x\"),bob" "$("$PY" -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
print(rows[0]["operator"])' "$T/audit.csv")" "operator cell"
	assert_file_contains "$T/audit.csv" "\"'=HYPERLINK(\"\"http://x\"\"),bob\"" "quoted and prefixed"
	assert_eq 3 "$("$PY" -c '
import csv, sys
print(len(list(csv.DictReader(open(sys.argv[1], newline="")))))' "$T/audit.csv")" "three rows"

	# filters
	f() { "$RUNBOOK" audit --json "$@" | json_get - "' '.join(e['kind'] for e in j['entries'])"; }
	assert_eq "action.refused" "$(f --destructive --operator "=HYPERLINK(\"http://x\"),bob")" "--operator"
	assert_eq "action.skipped" "$(f --destructive --incident "${dry:0:8}")" "--incident"
	assert_eq "action.refused" "$(f --kind refused)" "--kind short"
	assert_eq "action.intent" "$(f --kind action.intent)" "--kind full"
	assert_eq "action.refused action.skipped action.intent" "$(f --destructive --target bilko_test)" "--target"
	assert_eq "" "$(f --target bilko_prod)" "--target other"
	assert_eq "action.refused action.skipped action.intent" "$(f --destructive --flow database --since 1h)" "--since 1h"
	assert_eq "" "$(f --since 2999-01-01)" "--since future"
	assert_eq "" "$(f --until 2000-01-01)" "--until past"
	assert_eq "action.refused action.skipped action.intent" "$(f --destructive --until "$(date -u +%Y-%m-%d)")" "--until today covers today"
	assert_eq "action.refused action.skipped action.intent" "$(f --destructive --since "$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%S+00:00)")" "RFC 3339 offset"
	assert_eq "" "$(f --flow api-down)" "--flow"
	assert_exit 2 "$RUNBOOK" audit --since yesterday
	assert_contains "$(cat "$T/err")" "--since 'yesterday' is not a date" "bad date"
	assert_exit 2 "$RUNBOOK" audit --format xml
	assert_exit 2 "$RUNBOOK" audit --bogus
	assert_exit 2 "$RUNBOOK" audit --incident zz
	# resume asks what happened to the interrupted action instead of re-running it
	assert_exit 3 "$RUNBOOK" --json resume "$cut" --confirm bilko_test
	assert_eq '["completed", "failed", "rerun"]' "$(json_get "$T/out" "j['waiting_for']['options']")" "asks"
	pg_alive "$c1_PID" || { _why "resume re-ran the action"; return 1; }
	[ -n "$refused" ]
}

case_flow_table() {
	assert_exit 0 "$RUNBOOK" --json flows
	assert_eq "connect platform_status connections slow_queries choose idle_preview kill_idle cancel_backend terminate_backend verify escalate resolved escalated" \
		"$(json_get "$T/out" "' '.join(s['id'] for f in j['flows'] if f['name'] == 'database' for s in f['states'])")" "spec state ids"
	assert_exit 0 "$RUNBOOK" flows show database --dot
	assert_contains "$(cat "$T/out")" '"choose" -> "idle_preview" [label="kill_idle"]' "dot edge"
	"$RUNBOOK" flows show database --markdown >"$T/database.md"
	diff -q "$T/database.md" "$ROOT/docs/flows/database.md" >/dev/null ||
		{ _why "docs/flows/database.md is stale: run make docs"; return 1; }
}

run_cases case_previewed_pid_used_again_survives case_acceptance_kill_three_idle case_only_previewed_still_idle_pids \
	case_superuser_session_recorded case_role_without_signal_backend \
	case_role_without_read_all_stats_is_partial case_slow_query_and_cancel \
	case_terminate_one_backend case_stopped_server_refused case_wrong_password_auth_failed \
	case_missing_database_section case_bad_pid_is_usage_error case_operator_text_is_data \
	case_audit_csv_and_filters case_flow_table
