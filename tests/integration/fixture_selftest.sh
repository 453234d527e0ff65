#!/usr/bin/env bash
# fixture_selftest.sh - the HTTP fixture, the railway stand-in and lib.sh itself.
# shellcheck disable=SC2154,SC2317,SC2030,SC2031
# (SC2154: NAME_URL, NAME_PID, NAME_PORT come from start_fixture; SC2317: the cases
# run through run_cases; SC2030/SC2031: sub_fixture sets its own T on purpose)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"

# get URL [CURL ARGS...]: body on stdout; status code in $T/code; curl's exit status.
get() {
	local url=$1
	shift
	local rc=0
	curl -sS -o "$T/body" -w '%{http_code}' "$@" "$url" >"$T/code" 2>"$T/curl.err" || rc=$?
	cat "$T/body" 2>/dev/null
	return "$rc"
}

case_route_sequence() {
	set_routes "$T/routes.json" '{
	  "GET /seq": [{"status": 200, "json": {"n": 1}},
	               {"status": 503, "body": "busy", "headers": {"Retry-After": "2"}},
	               {"status": 201, "json": {"n": 3}}],
	  "* /any": {"status": 202, "body": "any"},
	  "POST /only-post": {"status": 200, "body": "post"}
	}'
	start_fixture api "$T/routes.json"
	assert_eq '{"n": 1}' "$(get "$api_URL/seq")" "first"
	assert_eq 200 "$(cat "$T/code")" "first status"
	assert_eq busy "$(get "$api_URL/seq?x=1" -D "$T/hdr")" "second"
	assert_eq 503 "$(cat "$T/code")" "second status"
	assert_contains "$(cat "$T/hdr")" "Retry-After: 2" "extra header"
	assert_eq '{"n": 3}' "$(get "$api_URL/seq")" "third"
	assert_eq '{"n": 3}' "$(get "$api_URL/seq")" "last repeats"
	assert_eq 201 "$(cat "$T/code")" "last status"
	get "$api_URL/any" -X DELETE >/dev/null
	assert_eq 202 "$(cat "$T/code")" "any method"
	get "$api_URL/any" -I >/dev/null
	assert_eq 202 "$(cat "$T/code")" "HEAD"
	assert_eq '{"error": "no route"}' "$(get "$api_URL/only-post")" "default fallback"
	assert_eq 404 "$(cat "$T/code")" "default status"
	set_routes "$T/routes.json" '{"*": {"status": 418, "body": "teapot",
	  "content_type": "application/problem+json"}}'
	get "$api_URL/whatever" -D "$T/hdr" >/dev/null
	assert_eq 418 "$(cat "$T/code")" "star fallback"
	assert_contains "$(cat "$T/hdr")" "Content-Type: application/problem+json" "content_type"
}

case_delay() {
	set_routes "$T/routes.json" '{"GET /slow": {"delay_ms": 400, "json": {"ok": true}}}'
	start_fixture api "$T/routes.json"
	local secs
	secs=$(curl -sS -o /dev/null -w '%{time_total}' "$api_URL/slow")
	assert_eq 1 "$(awk -v s="$secs" 'BEGIN { print (s >= 0.35 && s < 3) }')" "delay ${secs}s"
}

case_faults() {
	set_routes "$T/routes.json" '{
	  "GET /drop": {"action": "drop"},
	  "GET /partial": {"action": "partial", "body": "{\"half\":"},
	  "GET /hang": {"action": "hang"},
	  "GET /ok": {"json": {"ok": true}}
	}'
	start_fixture api "$T/routes.json"
	local rc=0
	get "$api_URL/drop" >/dev/null || rc=$?
	assert_eq 52 "$rc" "drop: curl empty reply"
	rc=0
	get "$api_URL/partial" >/dev/null || rc=$?
	assert_eq 18 "$rc" "partial: curl partial file"
	rc=0
	local t0=$SECONDS
	get "$api_URL/hang" --max-time 1 >/dev/null || rc=$?
	assert_eq 28 "$rc" "hang: curl timeout"
	assert_eq 1 "$(((SECONDS - t0) < 4))" "hang: curl gave up in time"
	assert_eq '{"ok": true}' "$(get "$api_URL/ok")" "serves after faults"
}

case_routes_rewritten() {
	set_routes "$T/routes.json" '{"GET /health": {"status": 503, "json": {"status": "down"}}}'
	start_fixture api "$T/routes.json"
	assert_eq '{"status": "down"}' "$(get "$api_URL/health")" "before"
	set_routes "$T/routes.json" '{"GET /health": {"status": 200, "json": {"status": "ok"}}}'
	assert_eq '{"status": "ok"}' "$(get "$api_URL/health")" "after"
	assert_eq 200 "$(cat "$T/code")" "after status"
}

case_request_log() {
	set_routes "$T/routes.json" '{"POST /v3/mail/send": {"status": 202, "body": ""}}'
	start_fixture mail "$T/routes.json"
	get "$mail_URL/v3/mail/send?dry=1" -H 'Authorization: Bearer SG.secret' \
		-H 'Content-Type: application/json' --data '{"subject":"héllo"}' >/dev/null
	assert_eq 202 "$(cat "$T/code")" "status"
	local L=$T/mail.log
	assert_eq 1 "$(json_get "$L" 'len(j)')" "one line"
	assert_eq POST "$(json_get "$L" 'j[0]["method"]')" "method"
	assert_eq /v3/mail/send "$(json_get "$L" 'j[0]["path"]')" "path"
	assert_eq dry=1 "$(json_get "$L" 'j[0]["query"]')" "query"
	assert_eq "Bearer SG.secret" "$(json_get "$L" 'j[0]["headers"]["Authorization"]')" "header"
	assert_eq '{"subject":"héllo"}' "$(json_get "$L" 'j[0]["body"]')" "body"
	assert_eq '[true, null]' "$(json_get - '[j["ok"], j["x"]]' <<<'{"ok": true, "x": null}')" \
		"json_get stdin"
}

case_railway() {
	use_railway "$T/sandbox"
	local S=$RUNBOOK_SANDBOX
	set_routes "$S/routes.json" '{"GET /health": {"status": 502, "body": "Bad Gateway"}}'
	set_routes "$S/routes.healthy.json" '{"GET /health": {"json": {"status": "ok"}}}'
	start_fixture api "$S/routes.json"
	assert_eq Bad\ Gateway "$(get "$api_URL/health")" "down"

	assert_exit 0 railway logs --service api --tail 50
	assert_eq "" "$(cat "$T/out")" "no api.log, no output"
	printf 'ERROR prisma: connection refused\n' >"$S/api.log"
	assert_exit 0 railway logs --service api
	assert_contains "$(cat "$T/out")" "connection refused" "logs"

	touch "$S/restart.fail"
	RUNBOOK_INCIDENT=INC-1 RUNBOOK_OPERATOR=ana assert_exit 1 railway service restart --service api
	assert_contains "$(cat "$T/err")" "Failed to restart" "restart.fail message"
	assert_eq Bad\ Gateway "$(get "$api_URL/health")" "still down"
	rm "$S/restart.fail"

	RUNBOOK_INCIDENT=INC-1 RUNBOOK_OPERATOR=ana assert_exit 0 railway service restart --service api
	assert_eq '{"status": "ok"}' "$(get "$api_URL/health")" "healed"
	assert_eq "restart rc=1 incident=INC-1 operator=ana args=--service api
restart rc=0 incident=INC-1 operator=ana args=--service api" "$(cat "$S/railway.calls")" "calls"

	RUNBOOK_INCIDENT=INC-2 assert_exit 0 railway redeploy --service api
	assert_contains "$(tail -n 1 "$S/railway.calls")" "redeploy rc=0 incident=INC-2" "redeploy"
	assert_exit 2 railway frobnicate
	assert_contains "$(cat "$T/err")" "unknown command" "unknown subcommand"
}

# A child script that starts a fixture, writes its PID and port, then ends as told.
write_child() {
	cat >"$T/child.sh" <<EOF
#!/usr/bin/env bash
. "$ROOT/tests/lib.sh"
echo '{}' >"\$T/r.json"
start_fixture kid "\$T/r.json"
echo "\$kid_PID \$kid_PORT \$T" >"$T/child.info"
case \${1:-} in
term) kill -TERM \$\$; sleep 5 ;;
esac
exit 0
EOF
	chmod +x "$T/child.sh"
}

# child_gone: the child's fixture PID is gone, its port closed, its temp dir removed.
child_gone() {
	local pid port dir
	read -r pid port dir <"$T/child.info"
	if kill -0 "$pid" 2>/dev/null; then
		_why "fixture $pid still running after $1"
		return 1
	fi
	assert_eq 1 "$([ -d "$dir" ] || echo 1)" "temp dir removed after $1"
	local rc=0
	curl -sS -o /dev/null --max-time 2 "http://127.0.0.1:$port/" 2>/dev/null || rc=$?
	assert_eq 7 "$rc" "port closed after $1"
}

# sub_fixture DIR: a subshell with lib.sh's traps starts a fixture, then exits.
sub_fixture() (
	_traps
	local T=$1
	# shellcheck disable=SC2034 # read by cleanup
	T_ROOT=$1 _LIB_PID=$BASHPID _PIDS=()
	mkdir -p "$T"
	echo '{}' >"$T/r.json"
	start_fixture sub "$T/r.json"
	echo "$sub_PID $sub_PORT $T" >"$T/../child.info"
)

case_cleanup_stops_fixture() {
	write_child
	assert_exit 0 "$T/child.sh"
	child_gone "normal exit"
	assert_exit 143 "$T/child.sh" term
	child_gone SIGTERM
	sub_fixture "$T/sub"
	child_gone "subshell exit"
}

case_run_cases_reports() {
	cat >"$T/cases.sh" <<EOF
#!/usr/bin/env bash
. "$ROOT/tests/lib.sh"
case_good() { assert_eq a a "same"; }
case_bad() { echo '{}' >"\$T/r.json"; start_fixture f "\$T/r.json"; echo "\$f_PID" >"$T/bad.pid"
	assert_eq 1 2 "numbers"; echo "not reached" >"$T/reached"; }
case_soft() { if ! assert_contains abc z "soft"; then :; fi; }
case_skipped() { t_skip "no server"; }
run_cases case_good case_bad case_soft case_skipped
EOF
	chmod +x "$T/cases.sh"
	assert_exit 1 "$T/cases.sh"
	local out
	out=$(cat "$T/out")
	assert_contains "$out" "PASS integration/cases/good" "pass line"
	assert_contains "$out" "FAIL integration/cases/bad: numbers: expected '1', got '2'" "fail line"
	assert_contains "$out" "FAIL integration/cases/soft: soft: missing 'z'" "soft fail"
	assert_contains "$out" "SKIP integration/cases/skipped: no server" "skip line"
	assert_eq 1 "$([ -e "$T/reached" ] || echo 1)" "set -e stops a case"
	if kill -0 "$(cat "$T/bad.pid")" 2>/dev/null; then
		_why "fixture of a failed case still running"
		return 1
	fi
}

run_cases case_route_sequence case_delay case_faults case_routes_rewritten \
	case_request_log case_railway case_cleanup_stops_fixture case_run_cases_reports
