#!/usr/bin/env bash
# check.sh - `runbook check`: the health sweep runs every check at once (HTTP fixtures
# with per-path delays, a real PostgreSQL), warn vs fail exit codes, --only, --json,
# the API p95 against thresholds.api_p95_ms.
# shellcheck disable=SC2154,SC2317
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=../lib_pg.sh
. "$(dirname "$0")/../lib_pg.sh"

HEALTH='{"status": 200, "json": {"status": "ok", "db": "ok", "timestamp": "t"}'


# config [EXTRA_JSON]: api, frontend, storage (SigV4) and email (SendGrid) on the fixture.
config() {
	"$PY" - "$T/runbook.json" "$web_URL" "${1:-{\}}" <<'PYEOF'
import json, sys
path, url, extra = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
cfg = {
    "api": {"url": url, "health_path": "/health", "timeout_ms": 3000},
    "frontend": {"url": url + "/"},
    "storage": {"endpoint": url, "bucket": "bilko-receipts", "region": "auto",
                "access_key_id": "env:R2_KEY", "secret_access_key": "env:R2_SECRET"},
    "email": {"provider": "sendgrid", "api_url": url, "api_key": "env:SG_KEY"},
    "thresholds": {"api_p95_ms": 1000},
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
	export RUNBOOK_CONFIG=$T/runbook.json R2_KEY=AKIDTEST R2_SECRET=r2-secret-value-123
	export SG_KEY=SG.key-value-456
}

# routes DELAY_MS: every check's path answers healthy after DELAY_MS.
routes() {
	set_routes "$T/routes.json" "{
  \"GET /health\": $HEALTH, \"delay_ms\": $1},
  \"GET /\": {\"status\": 200, \"body\": \"<html>\", \"delay_ms\": $1},
  \"HEAD /bilko-receipts\": {\"status\": 200, \"delay_ms\": $1},
  \"GET /v3/scopes\": {\"status\": 200, \"json\": {\"scopes\": [\"mail.send\"]}, \"delay_ms\": $1}}"
}

# ms_since START_NS: whole milliseconds since START_NS ($(date +%s%N)).
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

case_parallel_four_checks() {
	routes 400
	start_fixture web "$T/routes.json"
	config
	start=$(date +%s%N)
	assert_exit 0 "$RUNBOOK" --json check
	took=$(ms_since "$start")
	# four checks of 400 ms (and 20 API samples) one after another take >= 1.6 s
	[ "$took" -lt 1000 ] || { _why "took $took ms: not parallel"; return 1; }
	[ "$took" -ge 400 ] || { _why "took $took ms: faster than one check?"; return 1; }
	assert_eq '["api", "frontend", "storage", "email"]' \
		"$(json_get "$T/out" "[c['name'] for c in j['checks']]")" "check names, in order"
	assert_eq '["ok", "ok", "ok", "ok"]' "$(json_get "$T/out" "[c['status'] for c in j['checks']]")" "all ok"
	assert_eq true "$(json_get "$T/out" "j['ok']")" "ok"
	assert_eq true "$(json_get "$T/out" "all(set(c) >= {'name','status','ms','detail'} and 390 <= c['ms'] < 1000 for c in j['checks'])")" "each check's fields and its own time"
	assert_eq true "$(json_get "$T/out" "j['elapsed_ms'] < 1000")" "elapsed_ms"
	assert_eq 20 "$(json_get "$T/out" "j['checks'][0]['data']['samples']")" "20 API samples by default"
	assert_eq 20 "$(json_get "$T/web.log" "len([r for r in j if r['path'] == '/health'])")" "20 requests"
	# R2: SigV4-signed HEAD with the payload hash header; SendGrid: the key as a Bearer
	assert_contains "$(json_get "$T/web.log" "[r['headers'].get('Authorization','') for r in j if r['method'] == 'HEAD'][0]")" \
		"AWS4-HMAC-SHA256 Credential=AKIDTEST/" "signed"
	assert_eq e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 \
		"$(json_get "$T/web.log" "[r['headers'].get('x-amz-content-sha256') for r in j if r['method'] == 'HEAD'][0]")" "payload hash"
	assert_eq "Bearer SG.key-value-456" \
		"$(json_get "$T/web.log" "[r['headers'].get('Authorization') for r in j if r['path'] == '/v3/scopes'][0]")" "key sent"
	assert_not_contains "$(cat "$T/out" "$T/err")" "SG.key-value-456" "the key is not shown"
	# human lines on stderr under --json, one per check, and the total
	assert_contains "$(cat "$T/err")" "4 checks in" "summary line"
	assert_eq 4 "$(grep -c -E '^  (ok|WARN|FAIL|✓|!|✗) ' "$T/err")" "a line per check"
}

case_warn_exits_0() {
	routes 300
	start_fixture web "$T/routes.json"
	config '{"thresholds": {"api_p95_ms": 100}}'
	assert_exit 0 "$RUNBOOK" --json check --only api,frontend
	assert_eq warn "$(json_get "$T/out" "j['checks'][0]['status']")" "p95 over the threshold warns"
	assert_contains "$(json_get "$T/out" "j['checks'][0]['detail']")" "> 100 ms" "detail names the threshold"
	assert_eq true "$(json_get "$T/out" "j['checks'][0]['data']['p95_ms'] >= 300")" "p95 figure"
	assert_eq true "$(json_get "$T/out" "j['ok']")" "a warn is still ok"
}

case_fail_exits_5() {
	set_routes "$T/routes.json" '{"GET /health": {"status": 503, "json": {"status": "degraded", "db": "error"}},
		"GET /": {"status": 200, "body": "x"}}'
	start_fixture web "$T/routes.json"
	config
	assert_exit 5 "$RUNBOOK" --json check --only api,frontend
	assert_eq false "$(json_get "$T/out" "j['ok']")" "not ok"
	assert_eq "fail ok" "$(json_get "$T/out" "' '.join(c['status'] for c in j['checks'])")" "statuses"
	assert_contains "$(json_get "$T/out" "j['checks'][0]['detail']")" "HTTP 503, db is error" "why"
	# without --json: the same exit code, the lines on stdout
	assert_exit 5 "$RUNBOOK" check --only api
	assert_contains "$(cat "$T/out")" "db is error" "human line"
}

case_only() {
	routes 0
	start_fixture web "$T/routes.json"
	config
	assert_exit 0 "$RUNBOOK" --json check --only frontend
	assert_eq '["frontend"]' "$(json_get "$T/out" "[c['name'] for c in j['checks']]")" "only frontend"
	assert_eq 0 "$(json_get "$T/web.log" "len([r for r in j if r['path'] != '/'])")" "nothing else asked"
	assert_exit 2 "$RUNBOOK" check --only frontend,bogus
	assert_contains "$(cat "$T/err")" "unknown check 'bogus'" "unknown name"
	assert_exit 6 "$RUNBOOK" check --only database
	assert_contains "$(cat "$T/err")" "check 'database' cannot run" "not configured"
	assert_exit 2 "$RUNBOOK" check --samples 0
	printf '{}' >"$T/empty.json"
	assert_exit 6 "$RUNBOOK" --config "$T/empty.json" check
	assert_contains "$(cat "$T/err")" "nothing to check" "empty configuration"
}

case_p95_nearest_rank() {
	# 20 samples: one slow answer leaves the p95 (the 19th value) fast, two make it slow
	# (a fresh fixture for each: a route list is served in order, once)
	set_routes "$T/routes.json" "{\"GET /health\": [$(for _ in $(seq 19); do printf '%s}, ' "$HEALTH"; done) $HEALTH, \"delay_ms\": 700}]}"
	start_fixture web "$T/routes.json"
	config '{"thresholds": {"api_p95_ms": 500}}'
	assert_exit 0 "$RUNBOOK" --json check --only api
	assert_eq ok "$(json_get "$T/out" "j['checks'][0]['status']")" "one slow sample of 20"
	assert_eq true "$(json_get "$T/out" "j['checks'][0]['data']['max_ms'] >= 700")" "the slow one seen"
	set_routes "$T/routes.json" "{\"GET /health\": [$(for _ in $(seq 18); do printf '%s}, ' "$HEALTH"; done) $HEALTH, \"delay_ms\": 700}]}"
	start_fixture web2 "$T/routes.json"
	export web_URL=$web2_URL
	config '{"thresholds": {"api_p95_ms": 500}}'
	assert_exit 0 "$RUNBOOK" --json check --only api
	assert_eq warn "$(json_get "$T/out" "j['checks'][0]['status']")" "two slow samples of 20"
	assert_exit 0 "$RUNBOOK" --json check --only api --samples 5
	assert_eq 5 "$(json_get "$T/out" "j['checks'][0]['data']['samples']")" "--samples"
}

case_database_and_parallel() {
	start_pg
	routes 400
	start_fixture web "$T/routes.json"
	config '{"database": {"url": "env:DATABASE_URL"}, "thresholds": {"db_active_max": 5}}'
	start=$(date +%s%N)
	assert_exit 0 "$RUNBOOK" --json check --only api,database,frontend
	took=$(ms_since "$start")
	[ "$took" -lt 1000 ] || { _why "took $took ms"; return 1; }
	assert_eq "ok ok ok" "$(json_get "$T/out" "' '.join(c['status'] for c in j['checks'])")" "statuses"
	assert_eq "api frontend database" "$(json_get "$T/out" "' '.join(c['name'] for c in j['checks'])")" "order"
	assert_eq true "$(json_get "$T/out" "j['checks'][2]['ms'] < 300")" "the database did not wait for HTTP"
	assert_eq 0 "$(json_get "$T/out" "j['checks'][2]['data']['active']")" "no active session"
	assert_eq "127.0.0.1:$PG_PORT/bilko_test" "$(json_get "$T/out" "j['checks'][2]['data']['target']")" "target"
	assert_not_contains "$(cat "$T/out" "$T/err")" "$PG_PW" "no password shown"
	# an active session over db_active_max warns
	config '{"database": {"url": "env:DATABASE_URL"}, "thresholds": {"db_active_max": 0}}'
	pg_session busy app
	pg_send busy "SELECT pg_sleep(5);"
	pg_wait_state "$busy_PID" active
	assert_exit 0 "$RUNBOOK" --json check --only database
	assert_eq warn "$(json_get "$T/out" "j['checks'][0]['status']")" "over the limit"
	assert_eq 1 "$(json_get "$T/out" "j['checks'][0]['data']['active']")" "one active"
	# refused and wrong password fail (exit 5), classified
	DATABASE_URL="postgresql://app:x@127.0.0.1:$(free_port)/bilko_test" \
		assert_exit 5 "$RUNBOOK" --json check --only database
	assert_eq refused "$(json_get "$T/out" "j['checks'][0]['data']['error']")" "refused"
	DATABASE_URL="postgresql://app:wrong-pw@127.0.0.1:$PG_PORT/bilko_test" \
		assert_exit 5 "$RUNBOOK" --json check --only database
	assert_eq auth_failed "$(json_get "$T/out" "j['checks'][0]['data']['error']")" "auth"
}

case_database_timeout() {
	# a server that accepts and never answers: the check's own deadline ends it
	set_routes "$T/hang.json" '{"*": {"action": "hang"}}'
	start_fixture hang "$T/hang.json"
	web_URL=$hang_URL config '{"api": null, "frontend": null, "storage": null, "email": null,
		"database": {"url": "env:DATABASE_URL", "timeout_ms": 600}}'
	export DATABASE_URL="postgresql://app:x@127.0.0.1:${hang_URL##*:}/db?sslmode=disable"
	start=$(date +%s%N)
	assert_exit 5 "$RUNBOOK" --json check
	took=$(ms_since "$start")
	assert_eq timeout "$(json_get "$T/out" "j['checks'][0]['data']['error']")" "timeout"
	[ "$took" -lt 1500 ] || { _why "took $took ms"; return 1; }
}

case_smtp_reachability() {
	port=$(free_port)
	(cd "$T" && exec /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$port" \
		-c aiosmtpd.handlers.Sink) >"$T/smtp.log" 2>&1 &
	track_pid $!
	for _ in $(seq 50); do
		(echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
		sleep 0.1
	done
	routes 0
	start_fixture web "$T/routes.json"
	config "{\"email\": {\"provider\": \"smtp\", \"smtp_url\": \"smtp://127.0.0.1:$port/runbook\", \"smtp_tls\": \"none\"}}"
	assert_exit 0 "$RUNBOOK" --json check --only email
	assert_eq ok "$(json_get "$T/out" "j['checks'][0]['status']")" "SMTP answers"
	assert_eq 250 "$(json_get "$T/out" "j['checks'][0]['data']['status']")" "NOOP 250"
	config "{\"email\": {\"provider\": \"smtp\", \"smtp_url\": \"smtp://127.0.0.1:$(free_port)\", \"smtp_tls\": \"none\"}}"
	assert_exit 5 "$RUNBOOK" --json check --only email
	assert_contains "$(json_get "$T/out" "j['checks'][0]['detail']")" "unreachable" "refused"
}

# terminal.md: ✓/✗ become ok/FAIL under LANG=C or --no-color; cli.md: --no-color is on
# when NO_COLOR is set or stdout is not a TTY. `script` gives the command a terminal.
case_marks_follow_no_color() {
	routes 0
	start_fixture web "$T/routes.json"
	config
	LANG=C.UTF-8 script -qec "$RUNBOOK check --only api,frontend" /dev/null >"$T/tty" 2>&1 || true
	assert_contains "$(cat "$T/tty")" "✓" "a UTF-8 terminal shows the marks"
	LANG=C.UTF-8 NO_COLOR=1 script -qec "$RUNBOOK check --only api,frontend" /dev/null >"$T/nc" 2>&1 || true
	assert_not_contains "$(cat "$T/nc")" "✓" "NO_COLOR"
	assert_contains "$(cat "$T/nc")" "  ok   frontend" "NO_COLOR: ok marks"
	LANG=C.UTF-8 assert_exit 0 "$RUNBOOK" check --only api,frontend
	assert_not_contains "$(cat "$T/out")" "✓" "stdout not a terminal"
	assert_eq 2 "$(grep -c -E '^  ok ' "$T/out")" "piped: ok marks"
}

run_cases case_marks_follow_no_color case_parallel_four_checks case_warn_exits_0 case_fail_exits_5 case_only \
	case_p95_nearest_rank case_database_and_parallel case_database_timeout \
	case_smtp_reachability
