#!/usr/bin/env bash
# storage.sh - the storage flow (runbook §4.4) end to end: the real ./runbook against the
# SigV4-checking S3 server (@20minutes/s3rver, standing in for R2), an HTTP fixture
# playing the Bilko API (core_check), and the same fixture playing a faulty S3 where
# the real server cannot fail on cue (a PutObject 500, a body that comes back different).
# shellcheck disable=SC2154,SC2317
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source-path=SCRIPTDIR source=../lib_s3.sh
. "$(dirname "$0")/../lib_s3.sh"

s3_install || exit 1

HEALTHY='{"GET /health": {"status": 200, "json": {"status": "ok", "db": "ok"}}}'
AK="RBAK$RANDOM$RANDOM"
SK="rb-r2-Secret-$RANDOM$RANDOM-k3y"
export AK SK

# sandbox ENDPOINT [EXTRA_CONFIG_JSON]: the API fixture (healthy), a config whose storage
# keys come from the environment (R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY: the right ones
# unless the case changed them), a fresh journal in $T.
sandbox() {
	set_routes "$T/api.json" "$HEALTHY"
	start_fixture api "$T/api.json"
	export R2_ACCESS_KEY_ID=${R2_ACCESS_KEY_ID:-$AK}
	export R2_SECRET_ACCESS_KEY=${R2_SECRET_ACCESS_KEY:-$SK}
	"$PY" - "$T/runbook.json" "$api_URL" "$1" "${2:-{\}}" <<'PYEOF'
import json, sys
path, api, endpoint, extra = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
cfg = {
    "api": {"url": api, "timeout_ms": 1000},
    "storage": {"endpoint": endpoint, "bucket": "bilko-receipts", "region": "auto",
                "access_key_id": "env:R2_ACCESS_KEY_ID",
                "secret_access_key": "env:R2_SECRET_ACCESS_KEY", "timeout_ms": 2000},
    "timing": {"verify_interval_s": 0.2, "storage_wait_min": 0.02},
}
for k, v in extra.items():
    if isinstance(v, dict):
        cfg.setdefault(k, {}).update(v)
    elif v is None:
        cfg.pop(k, None)
    else:
        cfg[k] = v
json.dump(cfg, open(path, "w"))
PYEOF
	chmod 600 "$T/runbook.json"
	export RUNBOOK_CONFIG=$T/runbook.json RUNBOOK_JOURNAL=$T/journal/j.db
	export RUNBOOK_OPERATOR=alice
}

incident() { head -n 1 "$T/out"; }

# show ID: the incident as JSON in $T/show.json.
show() { "$RUNBOOK" --json show "$1" >"$T/show.json"; }

# q EXPR: a Python expression over the last show (j).
q() { json_get "$T/show.json" "$1"; }

# states ID: the states entered, in order.
states() {
	show "$1"
	q "' '.join(e['state'] for e in j['events'] if e['kind'] == 'state.entered')"
}

# result STATE EXPR: EXPR over d, the data of STATE's first probe.result.
result() {
	q "(lambda d: $2)([e['data'] for e in j['events'] if e['state'] == '$1' and e['kind'] == 'probe.result'][0])"
}

# sev_change: "FROM TO" of the first severity.changed of the last show.
sev_change() {
	q "' '.join(next([e['data']['from'], e['data']['to']] for e in j['events'] if e['kind'] == 'severity.changed'))"
}

# no_probe_left: the bucket holds no runbook-probe/ object (and nothing else either).
no_probe_left() {
	assert_eq "" "$(s3_objects)" "objects left in the bucket"
}

case_healthy_is_false_alarm() {
	start_s3 "$AK" "$SK"
	sandbox "$S3_URL"
	assert_exit 0 "$RUNBOOK" start storage --non-interactive
	id=$(incident)
	assert_eq "head_bucket upload_test resolved" "$(states "$id")" "states"
	assert_eq false_alarm "$(q "j['incident']['end']")" "verdict"
	assert_eq P2 "$(q "j['incident']['severity']")" "default severity"
	assert_eq "ok 200 bilko-receipts auto" "$(result head_bucket "' '.join([d['outcome'], str(d['status']), d['bucket'], d['region']])")" "head_bucket"
	assert_eq "ok True True" "$(result upload_test "' '.join([d['outcome'], str(d['body_match']), str(d['deleted'])])")" "round trip"
	assert_eq "PutObject:200 GetObject:200 DeleteObject:204" "$(result upload_test "' '.join('%s:%d' % (s['op'], s['status']) for s in d['steps'])")" "steps"
	key=$(result upload_test "d['key']")
	[[ $key == runbook-probe/${id:0:8}-???????? ]] || { _why "probe key '$key'"; return 1; }
	no_probe_left
}

# run_to_escalation: run against a failing bucket; it escalates after the (short) wait.
# Sets id.
run_to_escalation() {
	assert_exit 0 "$RUNBOOK" start storage --non-interactive
	id=$(incident)
	assert_eq "head_bucket core_check wait_recovery escalate escalated" "$(states "$id")" "states"
	assert_eq escalated "$(q "j['incident']['end']")" "verdict"
}

case_wrong_secret_forbidden() {
	start_s3 "$AK" "$SK"
	R2_SECRET_ACCESS_KEY="wrong-$SK" sandbox "$S3_URL"
	run_to_escalation
	assert_eq "forbidden 403 SignatureDoesNotMatch" "$(result head_bucket "' '.join([d['outcome'], str(d['status']), d['code']])")" "S3 error code journaled"
	assert_contains "$(cat "$T/out")" "SignatureDoesNotMatch" "shown"
	# core accounting works: severity stays P2, core_ok recorded
	assert_eq "ok True" "$(result core_check "d['outcome'] + ' ' + str(d['core_ok'])")" "core check"
	assert_eq P2 "$(q "j['incident']['severity']")" "severity below P0"
	assert_eq 0 "$(q "len([e for e in j['events'] if e['kind'] == 'severity.changed'])")" "no change"
	# the wait re-probed, each attempt journaled and numbered
	n=$(q "len([e for e in j['events'] if e['state'] == 'wait_recovery' and e['kind'] == 'probe.result'])")
	[ "$n" -ge 2 ] || { _why "wait attempts: $n"; return 1; }
	assert_eq "1 2" "$(q "' '.join([str(e['data']['attempt']) for e in j['events'] if e['state'] == 'wait_recovery' and e['kind'] == 'probe.result'][:2])")" "attempts numbered"
	assert_contains "$(q "[e['kind'] for e in j['events'] if e['state'] == 'escalate']")" "notify.skipped" "no webhook"
	no_probe_left
}

case_unknown_key_forbidden() {
	start_s3 "$AK" "$SK"
	R2_ACCESS_KEY_ID="RBNOSUCHKEY$RANDOM" sandbox "$S3_URL"
	run_to_escalation
	assert_eq "forbidden 403 InvalidAccessKeyId" "$(result head_bucket "' '.join([d['outcome'], str(d['status']), d['code']])")" "unknown key"
	no_probe_left
}

case_missing_bucket_not_found() {
	start_s3 "$AK" "$SK"
	sandbox "$S3_URL" '{"storage": {"bucket": "no-such-bucket"}}'
	run_to_escalation
	assert_eq "not_found 404 NoSuchBucket no-such-bucket" "$(result head_bucket "' '.join([d['outcome'], str(d['status']), d['code'], d['bucket']])")" "missing bucket"
	no_probe_left
}

case_server_stopped_unreachable() {
	start_s3 "$AK" "$SK"
	stop_s3
	sandbox "$S3_URL"
	run_to_escalation
	assert_eq "unreachable refused" "$(result head_bucket "d['outcome'] + ' ' + d['error']")" "unreachable"
	assert_eq "unreachable" "$(q "' '.join(sorted(set(e['data']['outcome'] for e in j['events'] if e['state'] == 'wait_recovery' and e['kind'] == 'probe.result')))")" "still unreachable while waiting"
}

# Stop the server, start the flow, bring the server back once the wait has begun.
# Sets id; the flow must end by itself (no answer given).
recover_during_wait() {
	start_s3 "$AK" "$SK"
	port=$S3_PORT
	stop_s3
	sandbox "$S3_URL" "{\"timing\": {\"storage_wait_min\": 0.5}${1:+, $1}}"
	"$RUNBOOK" start storage --non-interactive >"$T/out" 2>"$T/err" &
	pid=$!
	for _ in $(seq 150); do grep -q "attempt 1" "$T/out" 2>/dev/null && break; sleep 0.1; done
	grep -q "attempt 1" "$T/out" || { _why "wait_recovery never started: $(cat "$T/out" "$T/err")"; return 1; }
	start_s3 "$AK" "$SK" bilko-receipts "$port"
	rc=0
	wait "$pid" || rc=$?
	assert_eq 0 "$rc" "exit status"
	id=$(incident)
	assert_eq "head_bucket core_check wait_recovery retry_uploads resolved" "$(states "$id")" "states"
	assert_eq resolved "$(q "j['incident']['end']")" "resolved, not a false alarm"
	assert_eq 0 "$(q "len([e for e in j['events'] if e['kind'] == 'prompt.answered'])")" "no answer was needed"
	assert_eq ok "$(q "[e['data']['outcome'] for e in j['events'] if e['state'] == 'wait_recovery' and e['kind'] == 'probe.result'][-1]")" "last attempt ok"
	assert_contains "$(q "[e['kind'] for e in j['events']]")" "incident.mitigated" "mitigated"
}

case_recovers_during_wait_retry_skipped() {
	recover_during_wait
	assert_contains "$(q "[e['data'].get('reason', '') for e in j['events'] if e['kind'] == 'action.skipped'][0]")" "commands.retry_uploads" "skipped with a note"
	no_probe_left
}

case_recovers_during_wait_retry_runs() {
	recover_during_wait "\"commands\": {\"retry_uploads\": \"echo \\\"retried \$RUNBOOK_INCIDENT\\\" >>$T/retried\"}"
	assert_eq "retry_uploads:action.intent retry_uploads:action.result" "$(q "' '.join(e['state'] + ':' + e['kind'] for e in j['events'] if e['kind'].startswith('action.'))")" "intent, then result"
	assert_eq ok "$(q "[e['data']['outcome'] for e in j['events'] if e['kind'] == 'action.result'][0]")" "ran"
	assert_eq "retried $id" "$(cat "$T/retried")" "the command ran once, with the incident in its environment"
}

case_ctrl_c_in_wait_pauses() {
	start_s3 "$AK" "$SK"
	port=$S3_PORT
	stop_s3
	sandbox "$S3_URL" '{"timing": {"storage_wait_min": 1}}'
	"$RUNBOOK" start storage --non-interactive >"$T/out" 2>"$T/err" &
	pid=$!
	for _ in $(seq 150); do grep -q "attempt 1" "$T/out" 2>/dev/null && break; sleep 0.1; done
	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_eq 3 "$rc" "paused"
	id=$(incident)
	show "$id"
	assert_eq "interrupted wait_recovery" "$(q "[e['data'].get('pause') + ' ' + e['state'] for e in j['events'] if e['kind'] == 'note'][-1]")" "pause journaled"
	assert_eq open "$(q "j['incident']['status']")" "still open"
	start_s3 "$AK" "$SK" bilko-receipts "$port"
	assert_exit 0 "$RUNBOOK" resume "$id"
	assert_eq resolved "$(states "$id" >/dev/null; q "j['incident']['end']")" "resolved after resume"
}

case_put_fails_object_still_deleted() {
	# a faulty S3: HeadBucket fine, PutObject 500, then the clean-up DELETE
	set_routes "$T/s3.json" '{"HEAD /bilko-receipts": {"status": 200},
	  "*": [{"status": 500, "content_type": "application/xml", "body": "<?xml version=\"1.0\"?><Error><Code>InternalError</Code><Message>We encountered an internal error &amp; gave up.</Message></Error>"},
	        {"status": 204}]}'
	start_fixture s3 "$T/s3.json"
	sandbox "$s3_URL"
	assert_exit 0 "$RUNBOOK" start storage --non-interactive
	id=$(incident)
	assert_eq "head_bucket upload_test core_check wait_recovery retry_uploads resolved" "$(states "$id")" "states"
	assert_eq "fail PutObject 500 InternalError" "$(result upload_test "' '.join([d['outcome'], d['failed_step'], str(d['steps'][0]['status']), d['steps'][0]['code']])")" "upload failure"
	assert_eq "We encountered an internal error & gave up." "$(result upload_test "d['steps'][0]['message']")" "XML message decoded"
	assert_eq "HEAD PUT DELETE HEAD" "$(json_get "$T/s3.log" "' '.join(r['method'] for r in j)")" "requests"
	assert_eq "$(json_get "$T/s3.log" "j[1]['path']")" "$(json_get "$T/s3.log" "j[2]['path']")" "DELETE of the key put"
	# SigV4: signed for region auto, service s3, with the payload hash the caller adds
	auth=$(json_get "$T/s3.log" "j[1]['headers']['Authorization']")
	assert_contains "$auth" "AWS4-HMAC-SHA256 Credential=$AK/" "SigV4"
	assert_contains "$auth" "/auto/s3/aws4_request" "scope"
	assert_contains "$auth" "x-amz-content-sha256" "payload hash signed"
	sha=$("$PY" -c 'import hashlib, json, sys; r = [json.loads(l) for l in open(sys.argv[1])][1]; print(hashlib.sha256(r["body"].encode()).hexdigest())' "$T/s3.log")
	assert_eq "$sha" "$(json_get "$T/s3.log" "j[1]['headers']['x-amz-content-sha256']")" "x-amz-content-sha256 is the body's"
	assert_contains "$(json_get "$T/s3.log" "j[1]['body']")" "incident $id" "the probe object names the incident"
}

case_body_mismatch_object_still_deleted() {
	set_routes "$T/s3.json" '{"HEAD /bilko-receipts": {"status": 200},
	  "*": [{"status": 200}, {"status": 200, "body": "not what was written"}, {"status": 204}]}'
	start_fixture s3 "$T/s3.json"
	sandbox "$s3_URL"
	assert_exit 0 "$RUNBOOK" start storage --non-interactive
	id=$(incident)
	show "$id"
	assert_eq "fail GetObject BodyMismatch False True" "$(result upload_test "' '.join([d['outcome'], d['failed_step'], d['steps'][1]['code'], str(d['body_match']), str(d['deleted'])])")" "mismatch"
	assert_eq "HEAD PUT GET DELETE" "$(json_get "$T/s3.log" "' '.join(r['method'] for r in j[:4])")" "deleted after the mismatch"
}

case_get_dropped_object_still_deleted() {
	# the connection drops during GetObject: the DELETE still goes out
	set_routes "$T/s3.json" '{"HEAD /bilko-receipts": {"status": 200},
	  "*": [{"status": 200}, {"action": "drop"}, {"status": 204}]}'
	start_fixture s3 "$T/s3.json"
	sandbox "$s3_URL"
	assert_exit 0 "$RUNBOOK" start storage --non-interactive
	show "$(incident)"
	assert_eq "fail GetObject unreachable dropped" "$(result upload_test "' '.join([d['outcome'], d['failed_step'], d['steps'][1]['result'], d['steps'][1]['error']])")" "dropped"
	assert_eq "HEAD PUT GET DELETE" "$(json_get "$T/s3.log" "' '.join(r['method'] for r in j[:4])")" "deleted after the drop"
}

case_severity_follows_core() {
	start_s3 "$AK" "$SK"
	R2_SECRET_ACCESS_KEY="wrong-$SK" sandbox "$S3_URL"
	# started as P0, core works: brought below P0
	assert_exit 0 "$RUNBOOK" start storage --non-interactive --severity P0
	show "$(incident)"
	assert_eq "P0 P1" "$(sev_change)" "P0 lowered"
	assert_contains "$(q "[e['data']['reason'] for e in j['events'] if e['kind'] == 'severity.changed'][0]")" "core accounting works" "why"
	# core failing too: raised to P1
	set_routes "$T/api.json" '{"GET /health": {"status": 503, "json": {"status": "down", "db": "ok"}}}'
	assert_exit 0 "$RUNBOOK" start storage --non-interactive
	show "$(head -n 1 "$T/out")"
	assert_eq "P2 P1" "$(sev_change)" "raised"
	assert_eq false "$(result core_check "d['core_ok']")" "core not ok"
}

case_unconfigured_falls_back() {
	sandbox "http://unused" '{"storage": null}'
	assert_exit 3 "$RUNBOOK" --json start storage --non-interactive
	assert_eq head_bucket "$(json_get "$T/out" "j['waiting_for']['state']")" "asks at head_bucket"
	assert_exit 0 "$RUNBOOK" start storage --non-interactive --answer head_bucket=ok \
		--answer upload_test=ok
	show "$(incident)"
	assert_contains "$(q "[e['data'].get('missing') for e in j['events'] if e['kind'] == 'prompt.answered'][0]")" "storage.endpoint" "names the missing key"
	assert_eq "head_bucket upload_test resolved" "$(states "$(incident)")" "the operator's answers drive the flow"
	assert_eq false_alarm "$(q "j['incident']['end']")" "nothing failed"
}

case_secrets_never_stored() {
	start_s3 "$AK" "$SK"
	bad="wrong-$SK"
	# no api.url: core_check falls back to manual and the run pauses (the -wal stays)
	R2_SECRET_ACCESS_KEY=$bad sandbox "$S3_URL" '{"api": null}'
	"$RUNBOOK" start storage --non-interactive >"$T/out" 2>"$T/err" || true
	id=$(incident)
	"$RUNBOOK" show "$id" >>"$T/out" 2>>"$T/err"
	"$RUNBOOK" --json show "$id" >>"$T/out" 2>>"$T/err"
	"$RUNBOOK" --json list >>"$T/out" 2>>"$T/err"
	ls "$T/journal" >"$T/journal.files"
	for f in "$T/out" "$T/err" "$T/journal"; do
		assert_file_not_contains "$f" "$SK" "secret in $f"
		assert_file_not_contains "$f" "$bad" "wrong secret in $f"
		assert_file_not_contains "$f" "$AK" "access key id in $f"
	done
	assert_contains "$(cat "$T/out")" "SignatureDoesNotMatch" "the diagnosis is still there"
}

case_flows_table() {
	assert_exit 0 "$RUNBOOK" --json flows
	assert_eq "head_bucket upload_test core_check wait_recovery retry_uploads escalate" \
		"$(json_get "$T/out" "' '.join(s['id'] for f in j['flows'] if f['name'] == 'storage' for s in f['states'] if s['kind'] != 'end')")" "spec state ids"
	assert_exit 0 "$RUNBOOK" flows show storage --dot
	assert_contains "$(cat "$T/out")" '"head_bucket" -> "core_check" [label="forbidden"]' "dot edge"
	assert_contains "$(cat "$T/out")" '"wait_recovery" -> "retry_uploads" [label="ok"]' "dot edge"
}

run_cases case_healthy_is_false_alarm case_wrong_secret_forbidden case_unknown_key_forbidden \
	case_missing_bucket_not_found case_server_stopped_unreachable \
	case_recovers_during_wait_retry_skipped case_recovers_during_wait_retry_runs \
	case_ctrl_c_in_wait_pauses case_put_fails_object_still_deleted \
	case_body_mismatch_object_still_deleted case_get_dropped_object_still_deleted \
	case_severity_follows_core case_unconfigured_falls_back case_secrets_never_stored \
	case_flows_table
