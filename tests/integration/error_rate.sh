#!/usr/bin/env bash
# error_rate.sh - the error-rate flow (runbook §4.3), alerting and handoff end to end: the
# real ./runbook against HTTP fixtures playing Sentry's web API and Railway's GraphQL API
# (tests/fixtures/error_rate_routes.py writes their documented answers), the railway
# stand-in, and a webhook fixture.
# shellcheck disable=SC2154,SC2317
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"

SENTRY_TOKEN_VALUE="sntrys_test-Tok3n-$$"
RAILWAY_TOKEN_VALUE="rw-test-Tok3n-$$"
LIST_KEY="GET /api/0/projects/bilko/bilko-backend/issues/"

# sandbox [ROUTES-ARGS...]: Sentry and Railway fixtures with the documented answers, the
# railway stand-in, a config and a fresh journal in $T. Arguments go to the routes
# generator (--spike financial|plain|none, --deploy-min-ago N).
sandbox() {
	use_railway
	"$PY" "$FIXTURES/error_rate_routes.py" --dir "$T/routes" "$@"
	cp "$T/routes/sentry.json" "$RUNBOOK_SANDBOX/routes.json"
	cp "$T/routes/sentry.healthy.json" "$RUNBOOK_SANDBOX/routes.healthy.json"
	cp "$T/routes/railway.json" "$T/railway.json"
	start_fixture sentry "$RUNBOOK_SANDBOX/routes.json"
	start_fixture rw "$T/railway.json"
	export SENTRY_TOKEN="$SENTRY_TOKEN_VALUE" RAILWAY_TOKEN="$RAILWAY_TOKEN_VALUE"
	rm -f "$T/runbook.json"
	config '{}'
	export RUNBOOK_CONFIG=$T/runbook.json RUNBOOK_JOURNAL=$T/journal/j.db
	export RUNBOOK_OPERATOR=alice
}

# config EXTRA_JSON: merge EXTRA into $T/runbook.json (the sandbox's config when there is
# none yet); a section set to null is removed.
config() {
	"$PY" - "$T/runbook.json" "${sentry_URL:-}" "${rw_URL:-}" "$1" <<'PYEOF'
import json, os, sys
path, sentry, rw, extra = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
cfg = json.load(open(path)) if os.path.exists(path) else {
    "errors": {"sentry_url": sentry, "org": "bilko", "project": "bilko-backend",
               "token": "env:SENTRY_TOKEN", "timeout_ms": 2000},
    "platform": {"api_url": rw + "/graphql/v2", "railway_token": "env:RAILWAY_TOKEN",
                 "service": "api", "project_id": "p-1", "environment_id": "e-prod",
                 "service_id": "s-api", "timeout_ms": 2000},
    "commands": {"rollback": "railway redeploy --service api --previous \"$RUNBOOK_DEPLOYMENT_ID\""},
    "timing": {"verify_interval_s": 0.3, "verify_timeout_s": 3},
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
}

# patch_route FILE KEY SPEC_JSON: replace one route of a routes file (atomically).
patch_route() {
	"$PY" - "$1" "$2" "$3" <<'PYEOF'
import json, os, sys
path, key, spec = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
r = json.load(open(path))
r[key] = spec
open(path + ".tmp", "w").write(json.dumps(r))
os.replace(path + ".tmp", path)
PYEOF
}

# show_json ID: the incident's show --json into $T/show.json.
show_json() { "$RUNBOOK" --json show "$1" >"$T/show.json"; }
states() {
	show_json "$1"
	json_get "$T/show.json" "' '.join(e['state'] for e in j['events'] if e['kind'] == 'state.entered')"
}
events() {
	show_json "$1"
	json_get "$T/show.json" "' '.join(e['state'] + ':' + e['kind'] for e in j['events'])"
}
# ev FILTER-EXPR: a Python expression over j (show.json), e.g. the data of an event.
ev() { json_get "$T/show.json" "$1"; }
result() { # result STATE KEY: data[KEY] of STATE's (first) probe.result
	ev "[e['data'].get('$2') for e in j['events'] if e['kind'] == 'probe.result' and e['state'] == '$1'][0]"
}
incident() { head -n 1 "$T/out"; }
now() { date +%s.%N; }

# --- a normal day, and the acceptance path -------------------------------------------

case_normal_day() {
	sandbox --spike none
	assert_exit 0 "$RUNBOOK" start error-rate --non-interactive
	id=$(incident)
	assert_eq "top_errors false_alarm" "$(states "$id")" "states"
	assert_eq false_alarm "$(ev "j['incident']['end']")" "verdict"
	assert_eq quiet "$(result top_errors outcome)" "outcome"
	assert_eq 1 "$(result top_errors listed)" "one issue listed"
	assert_eq 0 "$(result top_errors in_window)" "none in the window"
	assert_eq 1 "$(json_get "$T/sentry.log" "len(j)")" "one list request, no tags"
	assert_eq 0 "$(json_get "$T/rw.log" "len(j)")" "railway not asked"
	assert_contains "$(cat "$T/out")" "No unresolved Sentry issue in the window: nothing to fix" "said why"
}

case_financial_spike_rolls_back() {
	sandbox --spike financial --deploy-min-ago 20 --first-min-ago 13
	assert_exit 0 "$RUNBOOK" start error-rate --non-interactive --confirm api
	id=$(incident)
	assert_eq "top_errors recent_deploy financial rollback verify resolved" "$(states "$id")" "states"
	assert_eq resolved "$(ev "j['incident']['end']")" "verdict"
	assert_eq P0 "$(ev "j['incident']['severity']")" "severity P0"
	# the tracker: two pages (the Link header followed with its cursor), tags of the top 3
	assert_eq found "$(result top_errors outcome)" "found"
	assert_eq 2 "$(result top_errors pages)" "pages"
	assert_eq 4 "$(result top_errors listed)" "listed"
	assert_eq 3 "$(result top_errors in_window)" "in the window"
	assert_eq BILKO-BACKEND-1A "$(ev "[e['data']['issues'][0]['short_id'] for e in j['events'] if e['kind']=='probe.result' and e['state']=='top_errors'][0]")" "top issue"
	assert_eq 1523 "$(ev "[e['data']['issues'][0]['count'] for e in j['events'] if e['kind']=='probe.result' and e['state']=='top_errors'][0]")" "count from the string"
	assert_eq category=financial-logic "$(ev "[e['data']['financial']['tag'] for e in j['events'] if e['kind']=='probe.result' and e['state']=='top_errors'][0]")" "the tag"
	q=$(json_get "$T/sentry.log" "j[0]['query']")
	assert_contains "$q" "query=is%3Aunresolved%20lastSeen%3A-15m" "documented query"
	assert_contains "$q" "sort=freq" "sorted by frequency"
	assert_eq False "$(json_get "$T/sentry.log" "str('cursor' in j[0]['query'])")" "no cursor first"
	assert_contains "$(json_get "$T/sentry.log" "j[1]['query']")" "cursor=0%3A100%3A0" "next page's cursor"
	assert_eq "Bearer $SENTRY_TOKEN_VALUE" "$(json_get "$T/sentry.log" "j[0]['headers']['Authorization']")" "bearer token"
	assert_eq "/api/0/issues/1001/tags/ /api/0/issues/1002/tags/ /api/0/issues/1003/tags/" \
		"$(json_get "$T/sentry.log" "' '.join(r['path'] for r in j if r['path'].endswith('/tags/'))")" "tags of the top 3"
	# the deploy: 20 min ago, first error 13 min ago
	assert_eq recent "$(result recent_deploy outcome)" "recent"
	assert_contains "$(result recent_deploy summary)" "deployed 7 minutes before the first error" "says when"
	assert_eq d-prev "$(ev "[e['data']['previous']['id'] for e in j['events'] if e['state']=='recent_deploy' and e['kind']=='probe.result'][0]")" "previous successful"
	body=$(json_get "$T/rw.log" "j[0]['body']")
	assert_contains "$body" "deployments(input: \$input, first: \$first)" "documented query"
	assert_eq '{"projectId": "p-1", "environmentId": "e-prod", "serviceId": "s-api"}' \
		"$(json_get "$T/rw.log" "json.loads(j[0]['body'])['variables']['input']")" "input"
	# the choice: pre-answered from the tag, with why; severity P0 with why
	assert_eq yes "$(ev "[e['data']['suggested'] for e in j['events'] if e['state']=='financial' and e['kind']=='state.entered'][0]")" "suggested"
	assert_eq probe "$(ev "[e['data']['source'] for e in j['events'] if e['state']=='financial' and e['kind']=='prompt.answered'][0]")" "answered by the findings"
	why=$(ev "[e['data']['reason'] for e in j['events'] if e['kind']=='severity.changed'][0]")
	assert_contains "$why" "'financial' answered 'yes'" "why: the answer"
	assert_contains "$why" "tagged category=financial-logic" "why: the tag"
	assert_eq "P2 P0" "$(ev "[e['data']['from'] + ' ' + e['data']['to'] for e in j['events'] if e['kind']=='severity.changed'][0]")" "P2 -> P0"
	# the rollback: intent first, with the previous deployment's id, then the result
	assert_contains "$(events "$id")" "rollback:action.intent rollback:action.result verify:state.entered" "intent before result"
	assert_eq d-prev "$(ev "[e['data']['previous_deployment'] for e in j['events'] if e['kind']=='action.intent'][0]")" "id in the intent"
	assert_contains "$(cat "$T/out")" "(RUNBOOK_DEPLOYMENT_ID=d-prev, the previous successful deployment)" "shown"
	assert_contains "$(cat "$RUNBOOK_SANDBOX/railway.calls")" "redeploy rc=0 incident=$id operator=alice args=--service api --previous d-prev" "command got the id"
	# verify: the count stopped growing after the rollback
	assert_eq ok "$(ev "[e['data']['outcome'] for e in j['events'] if e['state']=='verify' and e['kind']=='probe.result'][-1]")" "verified"
	assert_contains "$(events "$id")" "verify:incident.mitigated" "mitigated"
	assert_file_not_contains "$T/journal" "$SENTRY_TOKEN_VALUE" "no token in the journal"
	assert_file_not_contains "$T/out" "$SENTRY_TOKEN_VALUE" "no token on screen"
}

case_financial_rollback_through_api() {
	sandbox --spike financial
	config '{"commands": null}'
	assert_exit 0 "$RUNBOOK" start error-rate --non-interactive --confirm api
	id=$(incident)
	assert_eq "top_errors recent_deploy financial rollback verify escalate escalated" "$(states "$id")" "states"
	assert_eq railway_api "$(ev "[e['data']['via'] for e in j['events'] if e['kind']=='action.intent'][0]")" "via the API"
	assert_eq d-prev "$(ev "[e['data']['previous_deployment'] for e in j['events'] if e['kind']=='action.intent'][0]")" "id in the intent"
	assert_eq ok "$(ev "[e['data']['outcome'] for e in j['events'] if e['kind']=='action.result'][0]")" "rolled back"
	assert_eq 2 "$(json_get "$T/rw.log" "len(j)")" "query + mutation"
	assert_contains "$(json_get "$T/rw.log" "json.loads(j[1]['body'])['query']")" "deploymentRollback(id: \$id)" "mutation"
	assert_eq d-prev "$(json_get "$T/rw.log" "json.loads(j[1]['body'])['variables']['id']")" "rolled back to d-prev"
	assert_eq "Bearer $RAILWAY_TOKEN_VALUE" "$(json_get "$T/rw.log" "j[1]['headers']['Authorization']")" "bearer"
	assert_file_not_contains "$T/journal" "$RAILWAY_TOKEN_VALUE" "no token in the journal"
	# the Sentry routes were not healed (no stand-in ran): the count keeps growing
	assert_eq escalated "$(ev "j['incident']['end']")" "still growing: escalated"
}

case_plain_spike_stops_at_assess() {
	sandbox --spike plain
	assert_exit 3 "$RUNBOOK" --json start error-rate --non-interactive --confirm api
	assert_eq assess "$(json_get "$T/out" "j['waiting_for']['state']")" "waits at assess"
	assert_eq '["rollback", "fix_forward"]' "$(json_get "$T/out" "j['waiting_for']['options']")" "options"
	id=$(json_get "$T/out" "j['incident']")
	assert_eq "top_errors recent_deploy financial assess" "$(states "$id")" "states"
	assert_eq no "$(ev "[e['data']['answer'] for e in j['events'] if e['state']=='financial' and e['kind']=='prompt.answered'][0]")" "no"
	assert_contains "$(ev "[e['data']['reason'] for e in j['events'] if e['state']=='financial' and e['kind']=='state.entered'][0]")" "no top Sentry issue is tagged financial-logic" "why"
	assert_eq P2 "$(ev "j['incident']['severity']")" "severity unchanged"
	assert_eq 0 "$(ev "len([e for e in j['events'] if e['kind']=='severity.changed'])")" "no severity change"
	[ ! -e "$RUNBOOK_SANDBOX/railway.calls" ] || { _why "rolled back"; return 1; }
	# fix forward: straight to verify (the count no longer grows once healed)
	cp "$RUNBOOK_SANDBOX/routes.healthy.json" "$RUNBOOK_SANDBOX/routes.json"
	assert_exit 0 "$RUNBOOK" resume "$id" --answer assess=fix_forward
	assert_eq "top_errors recent_deploy financial assess verify resolved" "$(states "$id")" "states"
	assert_contains "$(cat "$T/out")" "follow-up: ship the fix" "follow-up"
}

case_answer_overrides_suggestion() {
	sandbox --spike financial
	assert_exit 3 "$RUNBOOK" start error-rate --non-interactive --answer financial=no
	id=$(incident)
	assert_eq "top_errors recent_deploy financial assess" "$(states "$id")" "states"
	assert_eq answer "$(ev "[e['data']['source'] for e in j['events'] if e['kind']=='prompt.answered'][0]")" "from --answer"
	assert_eq yes "$(ev "[e['data']['suggested'] for e in j['events'] if e['kind']=='prompt.answered'][0]")" "suggestion kept"
	assert_eq P2 "$(ev "j['incident']['severity']")" "severity unchanged"
}

# --- no tokens: the runbook's manual steps -------------------------------------------

case_missing_tokens_manual_steps() {
	sandbox --spike financial
	unset SENTRY_TOKEN
	config '{"platform": null, "commands": null}'
	assert_exit 3 "$RUNBOOK" start error-rate --non-interactive
	id=$(incident)
	out=$(cat "$T/out")
	assert_contains "$out" "Open Sentry → bilko-backend → Issues → Sort by date" "runbook words"
	assert_contains "$out" "most frequent error in the last 15 min" "runbook words"
	assert_contains "$out" "'errors.token' names \$SENTRY_TOKEN, which is not set" "what is missing"
	assert_contains "$out" "waiting for an answer at 'top_errors' (options: quiet, found, other)" "paused"
	assert_eq top_errors "$(states "$id")" "waits at top_errors"
	assert_eq 0 "$(json_get "$T/sentry.log" "len(j)")" "Sentry not called"
	assert_exit 3 "$RUNBOOK" --json resume "$id" --answer top_errors=found
	assert_eq recent_deploy "$(json_get "$T/out" "j['waiting_for']['state']")" "then recent_deploy"
	assert_contains "$(cat "$T/err")" "Railway → Deployments → check the timestamp" "runbook words"
	assert_contains "$(cat "$T/err")" "'platform.railway_token' is not set" "what is missing"
	assert_exit 3 "$RUNBOOK" --json resume "$id" --answer recent_deploy=recent
	assert_eq financial "$(json_get "$T/out" "j['waiting_for']['state']")" "the operator decides"
	assert_eq null "$(json_get "$T/out" "j['waiting_for'].get('suggested')")" "no suggestion"
	show_json "$id"
	assert_eq true "$(ev "[e['data']['fallback'] for e in j['events'] if e['kind']=='prompt.answered'][0]")" "fallback journaled"
}

# --- faults of the trackers ----------------------------------------------------------

case_expired_token_401() {
	sandbox --spike financial
	patch_route "$RUNBOOK_SANDBOX/routes.json" "$LIST_KEY" '{"status": 401, "json": {"detail": "Invalid token"}}'
	patch_route "$T/railway.json" "POST /graphql/v2" '{"status": 200, "json": {"errors": [{"message": "Not Authorized", "locations": [{"line": 1, "column": 1}], "path": ["deployments"]}], "data": null}}'
	assert_exit 3 "$RUNBOOK" --json start error-rate --non-interactive --confirm api
	id=$(json_get "$T/out" "j['incident']")
	assert_eq financial "$(json_get "$T/out" "j['waiting_for']['state']")" "no tags: the operator decides"
	show_json "$id"
	assert_eq error "$(result top_errors outcome)" "top_errors outcome"
	assert_eq unauthorized "$(result top_errors error)" "sentry: unauthorized"
	assert_eq 401 "$(result top_errors status)" "status"
	assert_contains "$(result top_errors summary)" "token was refused" "says why"
	assert_contains "$(result top_errors summary)" "Invalid token" "Sentry's detail"
	assert_eq unauthorized "$(result recent_deploy error)" "railway: unauthorized"
	assert_eq 1 "$(json_get "$T/sentry.log" "len(j)")" "not retried"
}

case_rate_limited_429() {
	sandbox --spike financial
	# a short Retry-After is waited for, once
	patch_route "$RUNBOOK_SANDBOX/routes.json" "$LIST_KEY" "$("$PY" - "$RUNBOOK_SANDBOX/routes.json" "$LIST_KEY" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))
print(json.dumps([{"status": 429, "headers": {"Retry-After": "1"}, "json": {"detail": "slow down"}}] + r[sys.argv[2]]))
PYEOF
)"
	t0=$(now)
	assert_exit 0 "$RUNBOOK" start error-rate --non-interactive --confirm api
	id=$(incident)
	show_json "$id"
	assert_eq found "$(result top_errors outcome)" "read after the wait"
	assert_eq true "$(ev "[e['data']['waited_ms'] >= 900 for e in j['events'] if e['kind']=='probe.result' and e['state']=='top_errors'][0]")" "waited Retry-After"
	assert_eq 3 "$(json_get "$T/sentry.log" "len([r for r in j if r['path'].startswith('/api/0/projects/')])")" "429, page 1, page 2"
	# a long Retry-After is reported, not waited for
	sandbox --spike financial
	patch_route "$RUNBOOK_SANDBOX/routes.json" "$LIST_KEY" '{"status": 429, "headers": {"Retry-After": "120"}}'
	t0=$(now)
	assert_exit 3 "$RUNBOOK" start error-rate --non-interactive
	assert_eq true "$(awk -v a="$t0" -v b="$(now)" 'BEGIN { print (b - a < 5) ? "true" : "false" }')" "did not wait 120 s"
	show_json "$(incident)"
	assert_eq rate_limited "$(result top_errors error)" "rate_limited"
	assert_eq 120 "$(result top_errors retry_after)" "Retry-After kept"
}

case_malformed_bodies() {
	sandbox --spike financial
	patch_route "$RUNBOOK_SANDBOX/routes.json" "$LIST_KEY" '{"status": 200, "body": "[{\"id\": \"1\", \"title\": "}'
	patch_route "$T/railway.json" "POST /graphql/v2" '{"status": 200, "json": {"data": {"deployments": {"nodes": []}}}}'
	assert_exit 3 "$RUNBOOK" start error-rate --non-interactive
	show_json "$(incident)"
	assert_eq malformed "$(result top_errors error)" "sentry malformed"
	assert_eq malformed "$(result recent_deploy error)" "railway malformed"
	assert_contains "$(result recent_deploy detail)" "edges" "names what is missing"
	# an item without an id
	sandbox --spike financial
	patch_route "$RUNBOOK_SANDBOX/routes.json" "$LIST_KEY" '{"status": 200, "json": [{"title": "x", "count": "3"}]}'
	assert_exit 3 "$RUNBOOK" start error-rate --non-interactive
	show_json "$(incident)"
	assert_eq malformed "$(result top_errors error)" "no id"
}

case_timeout() {
	sandbox --spike financial
	config '{"errors": {"timeout_ms": 400}}'
	patch_route "$RUNBOOK_SANDBOX/routes.json" "$LIST_KEY" '{"status": 200, "json": [], "delay_ms": 5000}'
	t0=$(now)
	assert_exit 3 "$RUNBOOK" start error-rate --non-interactive
	assert_eq true "$(awk -v a="$t0" -v b="$(now)" 'BEGIN { print (b - a < 4) ? "true" : "false" }')" "bounded by the timeout"
	show_json "$(incident)"
	assert_eq unreachable "$(result top_errors error)" "no answer"
	assert_eq timeout "$(result top_errors net)" "timeout"
}

# --- alerting: an alert channel outage never blocks incident handling -----------------

# hook SPEC_JSON: a webhook fixture answering SPEC; alerts configured to it.
hook() {
	set_routes "$T/hook.json" "{\"POST /hook\": $1}"
	start_fixture hook "$T/hook.json"
	export SLACK_WEBHOOK_URL="$hook_URL/hook"
	config '{"alerts": {"webhook_url": "env:SLACK_WEBHOOK_URL", "channel": "#bilko-alerts", "timeout_ms": 300}}'
}

case_dead_webhook_still_resolves() {
	sandbox --spike financial
	hook '{"action": "hang"}'
	config '{"thresholds": {"escalate_after_min": 0.001}}'
	t0=$(now)
	assert_exit 0 "$RUNBOOK" start error-rate --non-interactive --confirm api
	id=$(incident)
	assert_contains "$(events "$id")" "notify.failed" "failed post journaled"
	assert_eq resolved "$(ev "j['incident']['end']")" "the incident still resolves"
	assert_eq timer "$(ev "[e['data']['reason'] for e in j['events'] if e['kind']=='incident.escalated'][0]")" "by the timer"
	assert_eq false "$(ev "[e['data']['posted'] for e in j['events'] if e['kind']=='incident.escalated'][0]")" "not posted"
	assert_eq "timed out after 3 attempts" "$(ev "[e['data']['error'] for e in j['events'] if e['kind']=='notify.failed'][0]")" "3 bounded attempts"
	assert_contains "$(cat "$T/out")" "ALERT NOT DELIVERED" "said loudly"
	# 3 attempts x 300 ms + 500 ms + 1000 ms of backoff = 2.4 s at most (generous bound)
	ms=$(ev "[e['data']['ms'] for e in j['events'] if e['kind']=='notify.failed'][0]")
	assert_eq true "$(awk -v m="$ms" 'BEGIN { print (m >= 800 && m < 3500) ? "true" : "false" }')" "post bounded ($ms ms)"
	assert_eq true "$(awk -v a="$t0" -v b="$(now)" 'BEGIN { print (b - a < 10) ? "true" : "false" }')" "the whole run bounded"
	assert_eq 3 "$(json_get "$T/hook.log" "len(j)")" "three attempts reached the hook"
}

case_webhook_hang_delays_escalate_by_its_timeout() {
	sandbox --spike plain
	hook '{"action": "hang"}'
	config '{"timing": {"verify_interval_s": 0.2, "verify_timeout_s": 0.5}}'
	assert_exit 0 "$RUNBOOK" start error-rate --non-interactive --answer assess=fix_forward
	id=$(incident)
	show_json "$id"
	assert_eq escalated "$(ev "j['incident']['end']")" "escalated"
	assert_contains "$(events "$id")" "escalate:notify.failed escalate:incident.escalated escalated:state.entered" "goes on"
	# the escalate step entered -> notify.failed: bounded by tries x timeout + backoff
	d=$(ev "(lambda ts: round(ts[1] - ts[0], 3))([__import__('datetime').datetime.strptime(e['ts'], '%Y-%m-%dT%H:%M:%S.%fZ').timestamp() for e in j['events'] if e['state'] == 'escalate' and e['kind'] in ('state.entered', 'notify.failed')])")
	assert_eq true "$(awk -v d="$d" 'BEGIN { print (d >= 0.8 && d < 3.5) ? "true" : "false" }')" "escalate took $d s"
}

case_webhook_retry_on_500() {
	sandbox --spike plain
	hook '[{"status": 500, "body": "internal_error"}, {"status": 200, "body": "ok"}]'
	config '{"timing": {"verify_interval_s": 0.2, "verify_timeout_s": 0.5}}'
	assert_exit 0 "$RUNBOOK" start error-rate --non-interactive --answer assess=fix_forward
	id=$(incident)
	assert_contains "$(events "$id")" "escalate:notify.sent escalate:incident.escalated" "sent after a retry"
	assert_eq 2 "$(ev "[e['data']['attempts'] for e in j['events'] if e['kind']=='notify.sent'][0]")" "two attempts"
	assert_eq 2 "$(json_get "$T/hook.log" "len(j)")" "two posts"
	assert_eq application/json "$(json_get "$T/hook.log" "j[1]['headers']['Content-Type']")" "json"
	text=$(json_get "$T/hook.log" "json.loads(j[1]['body'])['text']")
	assert_eq "$(json_get "$T/hook.log" "j[0]['body']")" "$(json_get "$T/hook.log" "j[1]['body']")" "same payload retried"
	assert_contains "$text" "${id:0:8}" "short id"
	assert_contains "$text" "error-rate" "flow"
	assert_contains "$text" "P2" "severity"
	assert_contains "$text" "state escalate" "state"
	assert_contains "$text" "elapsed" "elapsed"
}

# --- handoff ---------------------------------------------------------------------------

case_handoff_briefs_the_next_lead() {
	sandbox --spike plain --deploy-min-ago 600
	assert_exit 3 "$RUNBOOK" start error-rate --non-interactive
	id=$(incident)
	assert_exit 0 "$RUNBOOK" handoff "${id:0:8}" --to bob --summary "plain spike, old deploy; deciding fix forward"
	assert_contains "$(cat "$T/out")" "handed from alice to bob" "said"
	show_json "$id"
	assert_eq handoff "$(ev "j['events'][-1]['kind']")" "journaled last"
	assert_eq alice "$(ev "j['events'][-1]['data']['from']")" "from"
	assert_eq bob "$(ev "j['events'][-1]['data']['to']")" "to"
	assert_eq assess "$(ev "j['events'][-1]['data']['briefing']['state']")" "state"
	assert_contains "$(ev "j['events'][-1]['data']['briefing']['ruled_out']")" "recent_deploy: last deployed 587 minutes before the first error" "ruled out"
	assert_contains "$(ev "j['events'][-1]['data']['briefing']['found']")" "top_errors: 3 issues" "found"
	assert_eq "[]" "$(ev "j['events'][-1]['data']['briefing']['done']")" "nothing done yet"
	assert_exit 0 "$RUNBOOK" show "$id"
	assert_contains "$(cat "$T/out")" "lead alice -> bob: plain spike, old deploy; deciding fix forward" "show's detail"
	# bob resumes: the briefing comes first
	cp "$RUNBOOK_SANDBOX/routes.healthy.json" "$RUNBOOK_SANDBOX/routes.json"
	RUNBOOK_OPERATOR=bob assert_exit 0 "$RUNBOOK" resume "$id" --answer assess=fix_forward
	out=$(cat "$T/out")
	assert_contains "$out" "handoff alice" "briefing shown"
	assert_contains "$out" "ruled out  recent_deploy:" "ruled out listed"
	first_handoff=$(grep -n "handoff alice" "$T/out" | head -1 | cut -d: -f1)
	first_resume=$(grep -n "resuming at step" "$T/out" | head -1 | cut -d: -f1)
	assert_eq true "$([ "$first_handoff" -lt "$first_resume" ] && echo true || echo false)" "briefing first"
	show_json "$id"
	assert_eq resolved "$(ev "j['incident']['end']")" "resolved by bob"
	assert_eq bob "$(ev "[e['operator'] for e in j['events'] if e['kind']=='incident.closed'][0]")" "bob closed it"
	# the postmortem lists it
	assert_exit 0 "$RUNBOOK" export "$id"
	assert_contains "$(cat "$T/out")" "plain spike, old deploy; deciding fix forward" "in the export"
	# usage errors
	assert_exit 2 "$RUNBOOK" handoff "$id" --to bob
	assert_contains "$(cat "$T/err")" "is closed" "closed incident"
	assert_exit 2 "$RUNBOOK" handoff "$id"
	assert_contains "$(cat "$T/err")" "--to" "needs --to"
	assert_exit 0 "$RUNBOOK" verify
}

run_cases case_normal_day case_financial_spike_rolls_back case_financial_rollback_through_api \
	case_plain_spike_stops_at_assess case_answer_overrides_suggestion \
	case_missing_tokens_manual_steps case_expired_token_401 case_rate_limited_429 \
	case_malformed_bodies case_timeout case_dead_webhook_still_resolves \
	case_webhook_hang_delays_escalate_by_its_timeout case_webhook_retry_on_500 \
	case_handoff_briefs_the_next_lead
