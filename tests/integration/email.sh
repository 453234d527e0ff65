#!/usr/bin/env bash
# email.sh - the email flow (runbook §4.5) end to end: the real ./runbook sending its test
# message to Debian's aiosmtpd (plain, STARTTLS and implicit TLS, the delivered file read
# back), and to an HTTP fixture speaking SendGrid v3 (suppressions and mail/send: 202,
# 401, 403, 429, 5xx, malformed) that logs what the tool sent.
# shellcheck disable=SC2154,SC2317
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source-path=SCRIPTDIR source=../lib_smtp.sh
. "$(dirname "$0")/../lib_smtp.sh"

SG_KEY="SG.rbTest$RANDOM.k3y-$RANDOM$RANDOM-Zq"
export SG_KEY
FROM=noreply@bilko.test
TO=ops@bilko.test
BOUNCES='[{"created": 1700000000, "email": "gone@example.com", "reason": "550 5.1.1 user unknown", "status": "5.1.1"}]'
BLOCKS='[{"created": 1700000100, "email": "x@example.net", "reason": "550 5.7.1 rejected: SPF check failed", "status": "5.7.1"}, {"created": 1700000050, "email": "y@example.net", "reason": "421 try later", "status": "4.0.0"}]'

# config JSON_EMAIL_SECTION [EXTRA_TOP_LEVEL_JSON]: write the config and point the tool
# at it and at a fresh journal in $T.
config() {
	"$PY" - "$T/runbook.json" "$1" "${2:-{\}}" <<'PYEOF'
import json, sys
path, email, extra = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
cfg = {"email": email,
       "timing": {"verify_interval_s": 0.2, "email_retry_s": 0.2, "email_deadline_min": 0.01}}
for k, v in extra.items():
    cfg.setdefault(k, {}).update(v) if isinstance(v, dict) else cfg.__setitem__(k, v)
json.dump(cfg, open(path, "w"))
PYEOF
	chmod 600 "$T/runbook.json"
	export RUNBOOK_CONFIG=$T/runbook.json RUNBOOK_JOURNAL=$T/journal/j.db
	export RUNBOOK_OPERATOR=alice
}

# smtp_config TLS [URL_SCHEME] [EXTRA_EMAIL_JSON]: the smtp provider at the running server.
smtp_config() {
	config "{\"provider\": \"smtp\", \"smtp_url\": \"${2:-smtp}://127.0.0.1:$SMTP_PORT/runbook.test\",
	  \"smtp_tls\": \"$1\", \"from\": \"$FROM\", \"test_to\": \"$TO\", \"timeout_ms\": 3000${3:+, $3}}"
}

# sendgrid ROUTES_JSON: the SendGrid fixture with these routes and a config using it.
sendgrid() {
	set_routes "$T/sg.json" "$1"
	start_fixture sg "$T/sg.json"
	config "{\"provider\": \"sendgrid\", \"api_url\": \"$sg_URL\", \"api_key\": \"env:SG_KEY\",
	  \"from\": \"$FROM\", \"test_to\": \"$TO\", \"timeout_ms\": 2000}"
}

# routes MAIL_SEND_SPEC [BOUNCES_SPEC] [BLOCKS_SPEC]
routes() {
	printf '{"GET /v3/suppression/bounces": %s, "GET /v3/suppression/blocks": %s, "POST /v3/mail/send": %s}' \
		"${2:-{\"status\": 200, \"json\": []\}}" "${3:-{\"status\": 200, \"json\": []\}}" "$1"
}

incident() { head -n 1 "$T/out"; }
show() { "$RUNBOOK" --json show "$1" >"$T/show.json"; }
q() { json_get "$T/show.json" "$1"; }
states() {
	show "$1"
	q "' '.join(e['state'] for e in j['events'] if e['kind'] == 'state.entered')"
}
# result STATE EXPR: EXPR over d, the data of STATE's first probe.result.
result() {
	q "(lambda d: $2)([e['data'] for e in j['events'] if e['state'] == '$1' and e['kind'] == 'probe.result'][0])"
}
# suggested: the fix choice's suggestion and reason, from its state.entered.
suggested() {
	q "[e['data'].get('suggested', '') + ' | ' + e['data'].get('reason', '') for e in j['events'] if e['state'] == 'fix' and e['kind'] == 'state.entered'][0]"
}

# ---- SMTP ----

# check_delivered FILE ID: the message the SMTP server stored is the tool's test mail.
check_delivered() {
	local f=$1 id=$2
	assert_eq "$FROM" "$(mail_header "$f" X-MailFrom)" "envelope sender"
	assert_eq "$TO" "$(mail_header "$f" X-RcptTo)" "envelope recipient"
	assert_eq "<$FROM>" "$(mail_header "$f" From)" "From"
	assert_eq "<$TO>" "$(mail_header "$f" To)" "To"
	assert_eq "[runbook] email test, incident ${id:0:8}" "$(mail_header "$f" Subject)" "Subject"
	assert_eq "$id" "$(mail_header "$f" X-Runbook-Incident)" "X-Runbook-Incident"
	assert_file_contains "$f" "incident $id" "body names the incident"
	mid=$(mail_header "$f" Message-ID)
	[[ $mid == "<runbook.$id."*"@bilko.test>" ]] || { _why "Message-ID '$mid'"; return 1; }
	assert_eq "${mid:1:${#mid}-2}" "$(result test_send "d['message_id']")" "Message-ID journaled"
	date=$(mail_header "$f" Date)
	"$PY" -c 'import email.utils, sys, time; t = email.utils.parsedate_to_datetime(sys.argv[1]).timestamp(); sys.exit(abs(t - time.time()) > 300)' "$date" ||
		{ _why "Date '$date'"; return 1; }
}

case_smtp_plain_delivers() {
	start_smtp plain
	smtp_config none
	assert_exit 0 "$RUNBOOK" start email --non-interactive --answer activity=done
	id=$(incident)
	assert_eq "activity test_send resolved" "$(states "$id")" "states"
	assert_eq false_alarm "$(q "j['incident']['end']")" "verdict"
	assert_eq P2 "$(q "j['incident']['severity']")" "not P0"
	assert_contains "$(q "[e['data'].get('missing', '') for e in j['events'] if e['state'] == 'activity' and e['kind'] == 'prompt.answered'][0]")" "smtp" "activity is manual for smtp"
	assert_eq "ok smtp 250" "$(result test_send "d['outcome'] + ' ' + d['provider'] + ' ' + str(d['status'])")" "accepted"
	assert_eq 1 "$(smtp_count)" "one message delivered"
	smtp_message >"$T/msg"
	check_delivered "$T/msg" "$id"
}

case_smtp_starttls_required_refuses_plain_server() {
	start_smtp plain
	smtp_config starttls
	assert_exit 3 "$RUNBOOK" start email --non-interactive --answer activity=done
	id=$(incident)
	assert_eq "activity test_send impact" "$(states "$id")" "on to impact"
	assert_eq "fail tls no_starttls" "$(result test_send "' '.join([d['outcome'], d['result'], d['error']])")" "STARTTLS missing is a failure"
	assert_eq 0 "$(smtp_count)" "nothing sent in clear"
}

case_smtp_starttls_delivers() {
	start_smtp starttls
	smtp_config starttls smtp "\"smtp_ca_file\": \"$SMTP_CERT\""
	assert_exit 0 "$RUNBOOK" start email --non-interactive --answer activity=done
	id=$(incident)
	assert_eq false_alarm "$(states "$id" >/dev/null; q "j['incident']['end']")" "verdict"
	assert_eq starttls "$(result test_send "d['tls']")" "mode journaled"
	smtp_message >"$T/msg"
	check_delivered "$T/msg" "$id"
}

case_smtp_starttls_unverified_cert_fails() {
	start_smtp starttls
	smtp_config starttls # no smtp_ca_file: the self-signed certificate is not trusted
	assert_exit 3 "$RUNBOOK" start email --non-interactive --answer activity=done
	show "$(incident)"
	assert_eq "fail tls" "$(result test_send "d['outcome'] + ' ' + d['result']")" "certificate verified"
	assert_eq 0 "$(smtp_count)" "nothing delivered"
}

case_smtps_implicit_tls_delivers() {
	start_smtp smtps
	smtp_config tls smtp "\"smtp_ca_file\": \"$SMTP_CERT\"" # smtp:// + tls = smtps://
	assert_exit 0 "$RUNBOOK" start email --non-interactive --answer activity=done
	id=$(incident)
	show "$id"
	assert_eq "ok tls" "$(result test_send "d['outcome'] + ' ' + d['tls']")" "sent over implicit TLS"
	smtp_message >"$T/msg"
	check_delivered "$T/msg" "$id"
}

case_smtp_down_then_verify_recovers() {
	port=$(free_port)
	config "{\"provider\": \"smtp\", \"smtp_url\": \"smtp://127.0.0.1:$port\", \"smtp_tls\": \"none\",
	  \"from\": \"$FROM\", \"test_to\": \"$TO\", \"timeout_ms\": 2000}" \
		'{"timing": {"email_deadline_min": 0.5}}'
	"$RUNBOOK" start email --non-interactive --answer activity=done --answer impact=done \
		--answer fix=provider_outage >"$T/out" 2>"$T/err" &
	pid=$!
	for _ in $(seq 150); do grep -q "attempt 1" "$T/out" 2>/dev/null && break; sleep 0.1; done
	# bring up a server on that port: the next attempt gets through
	SMTP_DIR=$T/smtp
	mkdir -p "$SMTP_DIR"
	"$PY" -m aiosmtpd -n -l "127.0.0.1:$port" -c aiosmtpd.handlers.Mailbox "$SMTP_DIR/maildir" \
		>"$SMTP_DIR/out" 2>"$SMTP_DIR/err" &
	track_pid $!
	rc=0
	wait "$pid" || rc=$?
	assert_eq 0 "$rc" "exit"
	id=$(incident)
	assert_eq "activity test_send impact fix verify resolved" "$(states "$id")" "states"
	assert_eq resolved "$(q "j['incident']['end']")" "resolved"
	assert_eq "unreachable refused" "$(result test_send "d['result'] + ' ' + d['error']")" "first send refused"
	assert_eq provider_outage "$(suggested | cut -d' ' -f1)" "suggestion"
	assert_eq 1 "$(smtp_count)" "the verify send arrived"
}

# ---- SendGrid ----

case_sendgrid_accepted_body_and_key() {
	sendgrid "$(routes '{"status": 202, "body": ""}' "{\"status\": 200, \"json\": $BOUNCES}" "{\"status\": 200, \"json\": $BLOCKS}")"
	before=$(date +%s)
	assert_exit 0 "$RUNBOOK" start email --non-interactive
	id=$(incident)
	assert_eq "activity test_send resolved" "$(states "$id")" "states"
	assert_eq false_alarm "$(q "j['incident']['end']")" "verdict"
	assert_eq "found 1 2" "$(result activity "' '.join([d['outcome'], str(d['bounces']['count']), str(d['blocks']['count'])])")" "activity counts"
	assert_eq "550 5.1.1 user unknown" "$(result activity "d['bounces']['sample'][0]['reason']")" "bounce sample"
	assert_eq "ok 202" "$(result test_send "d['outcome'] + ' ' + str(d['status'])")" "accepted"
	# the requests: suppressions since the window start (epoch seconds), then mail/send
	assert_eq "GET /v3/suppression/bounces GET /v3/suppression/blocks POST /v3/mail/send" \
		"$(json_get "$T/sg.log" "' '.join(r['method'] + ' ' + r['path'] for r in j)")" "requests"
	st=$(json_get "$T/sg.log" "j[0]['query']")
	[[ $st =~ ^start_time=([0-9]+)$ ]] || { _why "query '$st'"; return 1; }
	[ $((before - BASH_REMATCH[1] - 3600)) -le 2 ] && [ $((before - BASH_REMATCH[1] - 3600)) -ge -5 ] ||
		{ _why "start_time ${BASH_REMATCH[1]} is not an hour before $before"; return 1; }
	body=$(json_get "$T/sg.log" "j[2]['body']")
	assert_eq "$TO|$FROM|text/plain|$id" "$(printf '%s' "$body" | json_get - "'|'.join([j['personalizations'][0]['to'][0]['email'], j['from']['email'], j['content'][0]['type'], j['headers']['X-Runbook-Incident']])")" "mail/send body"
	assert_eq "[runbook] email test, incident ${id:0:8}" "$(printf '%s' "$body" | json_get - "j['subject']")" "subject"
	assert_contains "$(printf '%s' "$body" | json_get - "j['content'][0]['value']")" "incident $id" "text"
	assert_eq "application/json" "$(json_get "$T/sg.log" "j[2]['headers']['Content-Type']")" "content type"
	# the key: in every Authorization header, and nowhere else
	assert_eq "True True True" "$(json_get "$T/sg.log" "' '.join(str(r['headers'].get('Authorization') == 'Bearer ' + '$SG_KEY') for r in j)")" "bearer key"
	assert_eq 0 "$(json_get "$T/sg.log" "sum(json.dumps({k: v for k, v in r.items() if k != 'headers'}).count('$SG_KEY') + json.dumps({k: v for k, v in r['headers'].items() if k != 'Authorization'}).count('$SG_KEY') for r in j)")" "the key only in Authorization"
}

case_sendgrid_revoked_key_suggests_key_revoked() {
	revoked='{"status": 401, "json": {"errors": [{"message": "The provided authorization grant is invalid, expired, or revoked", "field": null, "help": null}]}}'
	sendgrid "$(routes "$revoked" "$revoked" "$revoked")"
	assert_exit 3 "$RUNBOOK" --json start email --non-interactive --answer impact=done
	assert_eq fix "$(json_get "$T/out" "j['waiting_for']['state']")" "waits at fix"
	assert_eq key_revoked "$(json_get "$T/out" "j['waiting_for']['suggested']")" "suggestion"
	id=$("$RUNBOOK" --json list --open | json_get - "j['incidents'][0]['id']")
	show "$id"
	assert_eq "auth_failed" "$(result activity "d['outcome']")" "activity says the key is refused"
	assert_eq "fail auth_failed 401" "$(result test_send "' '.join([d['outcome'], d['result'], str(d['status'])])")" "test send"
	assert_contains "$(result test_send "d['detail']")" "revoked" "SendGrid's message kept"
	assert_contains "$(suggested)" "key_revoked | the test send got HTTP 401" "reason"
	assert_exit 0 "$RUNBOOK" resume "$id" --answer fix=key_revoked
	assert_eq "activity test_send impact fix handed_to:rotate-secrets" "$(states "$id")" "states"
	assert_eq "handed_to:rotate-secrets" "$(q "j['incident']['end']")" "handed to rotate-secrets"
}

case_sendgrid_unverified_sender_suggests_domain_auth() {
	sendgrid "$(routes '{"status": 403, "json": {"errors": [{"message": "The from address does not match a verified Sender Identity.", "field": "from", "help": null}]}}')"
	assert_exit 3 "$RUNBOOK" --json start email --non-interactive --answer impact=done
	assert_eq domain_auth "$(json_get "$T/out" "j['waiting_for']['suggested']")" "suggestion"
}

case_sendgrid_throttled_then_verify_accepts() {
	sendgrid "$(routes '[{"status": 429, "headers": {"Retry-After": "1"}, "json": {"errors": [{"message": "too many requests", "field": null}]}}, {"status": 202, "body": ""}]')"
	config "{\"provider\": \"sendgrid\", \"api_url\": \"$sg_URL\", \"api_key\": \"env:SG_KEY\",
	  \"from\": \"$FROM\", \"test_to\": \"$TO\", \"timeout_ms\": 2000}" '{"timing": {"email_deadline_min": 0.2}}'
	assert_exit 0 "$RUNBOOK" start email --non-interactive --answer impact=done --answer fix=other
	id=$(incident)
	assert_eq "activity test_send impact fix verify resolved" "$(states "$id")" "states"
	assert_eq "fail throttled 1" "$(result test_send "' '.join([d['outcome'], d['result'], d['retry_after']])")" "throttled, Retry-After kept"
	assert_eq "ok 202 1" "$(result verify "' '.join([d['outcome'], str(d['status']), str(d['attempt'])])")" "verify accepted"
	assert_eq resolved "$(q "j['incident']['end']")" "resolved"
}

case_sendgrid_malformed_and_outage() {
	sendgrid "$(routes '{"status": 503, "content_type": "text/html", "body": "<html>Service Unavailable</html>"}' '{"status": 200, "body": "[{\"email\": "}')"
	assert_exit 0 "$RUNBOOK" start email --non-interactive --answer impact=done --answer fix=provider_outage
	id=$(incident)
	assert_eq "activity test_send impact fix verify escalate escalated" "$(states "$id")" "deadline passed: escalated"
	assert_eq "fail malformed" "$(result activity "d['outcome'] + ' ' + d['bounces']['error']")" "malformed suppressions"
	assert_eq "fail fail 503" "$(result test_send "' '.join([d['outcome'], d['result'], str(d['status'])])")" "5xx"
	assert_eq provider_outage "$(suggested | cut -d' ' -f1)" "suggestion"
	assert_contains "$(q "[e['kind'] for e in j['events'] if e['state'] == 'escalate']")" "notify.skipped" "no webhook set"
}

case_sendgrid_no_key_falls_back() {
	unset SG_KEY
	sendgrid "$(routes '{"status": 202, "body": ""}')"
	assert_exit 3 "$RUNBOOK" --json start email --non-interactive
	assert_eq activity "$(json_get "$T/out" "j['waiting_for']['state']")" "manual activity"
	assert_eq 0 "$(json_get "$T/sg.log" "len(j)" 2>/dev/null || echo 0)" "nothing sent without a key"
}

case_secrets_never_stored() {
	revoked='{"status": 401, "json": {"errors": [{"message": "bad key", "field": null}]}}'
	sendgrid "$(routes "$revoked")"
	"$RUNBOOK" start email --non-interactive --answer impact=done >"$T/out" 2>"$T/err" || true
	id=$("$RUNBOOK" --json list --open | json_get - "j['incidents'][0]['id']")
	"$RUNBOOK" show "$id" >>"$T/out" 2>>"$T/err"
	"$RUNBOOK" --json show "$id" >>"$T/out" 2>>"$T/err"
	# SMTP with a password in the URL
	start_smtp plain
	pw="smtpPa55-$RANDOM$RANDOM"
	config "{\"provider\": \"smtp\", \"smtp_url\": \"smtp://ops:$pw@127.0.0.1:$SMTP_PORT\", \"smtp_tls\": \"none\",
	  \"from\": \"$FROM\", \"test_to\": \"$TO\"}"
	"$RUNBOOK" start email --non-interactive --answer activity=done >"$T/out2" 2>>"$T/err" || true
	assert_eq 1 "$(smtp_count)" "the SMTP test mail went out"
	"$RUNBOOK" --json show "$(head -n 1 "$T/out2")" >>"$T/out2" 2>>"$T/err"
	cat "$T/out2" >>"$T/out"
	for f in "$T/out" "$T/err" "$T/journal"; do
		assert_file_not_contains "$f" "$SG_KEY" "SendGrid key in $f"
		assert_file_not_contains "$f" "$pw" "SMTP password in $f"
	done
	assert_file_contains "$T/out" "auth_failed" "the diagnosis is there"
}

case_flows_table() {
	assert_exit 0 "$RUNBOOK" --json flows
	assert_eq "activity test_send impact fix verify escalate" \
		"$(json_get "$T/out" "' '.join(s['id'] for f in j['flows'] if f['name'] == 'email' for s in f['states'] if s['kind'] != 'end')")" "spec state ids"
	assert_exit 0 "$RUNBOOK" flows show email --dot
	assert_contains "$(cat "$T/out")" '"fix" -> "handed_to:rotate-secrets" [label="key_revoked"]' "dot edge"
}

run_cases case_smtp_plain_delivers case_smtp_starttls_required_refuses_plain_server \
	case_smtp_starttls_delivers case_smtp_starttls_unverified_cert_fails \
	case_smtps_implicit_tls_delivers case_smtp_down_then_verify_recovers \
	case_sendgrid_accepted_body_and_key case_sendgrid_revoked_key_suggests_key_revoked \
	case_sendgrid_unverified_sender_suggests_domain_auth \
	case_sendgrid_throttled_then_verify_accepts case_sendgrid_malformed_and_outage \
	case_sendgrid_no_key_falls_back case_secrets_never_stored case_flows_table
