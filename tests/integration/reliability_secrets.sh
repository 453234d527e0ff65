#!/usr/bin/env bash
# reliability_secrets.sh - secrets never stored (docs/reliability.md, item 7). Canaries
# are planted in a connection URL password, env: secrets, Authorization headers and
# passwords in command output and in a failing service's error text, SQL text
# (ALTER ROLE ... PaSsWoRd /* x */ '...') in a note and in an answer, and the values a
# secret rotation generates. Every flow `runbook --json flows` lists is run to its end
# twice (every service a fixture answering 500 with the canaries in its error body;
# then every service an unreachable loopback port), then show, list, audit and export
# read it all back. The journal, its -wal and -shm (kept alive by a reader), every
# export and every stdout and stderr are searched for each canary in plain text, hex
# and base64: zero hits.
# shellcheck disable=SC2154,SC2317
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=../lib_reliability.sh
. "$ROOT/tests/lib_reliability.sh"

DRIVER=$ROOT/tests/tools/flow_driver.py

# canary TAG: a fresh value that appears nowhere else.
canary() {
	printf 'cnry%s%s%04x%04x' "$1" "$$" "$RANDOM" "$RANDOM"
}

# write_config MODE PORT: $T/runbook.json with every section; MODE fixture|refused.
write_config() {
	"$PY" - "$T/runbook.json" "$1" "$2" "$T" "$C_URLPW" "$C_LOGHDR" "$C_LOGPW" <<'PYEOF'
import json, sys
path, mode, port, t, urlpw, loghdr, logpw = sys.argv[1:8]
base = "http://127.0.0.1:%s" % port
hostile = ("echo 'Authorization: Bearer %s'; echo 'DB_PASSWORD=%s'; "
           "echo \"connecting to $DATABASE_URL\"" % (loghdr, logpw))
cfg = {
    "api": {"url": "http://ops:%s@127.0.0.1:%s" % (urlpw, port), "health_path": "/health"},
    "frontend": {"url": base},
    "database": {"url": "env:DATABASE_URL", "staging_url": "env:STAGING_DB_URL",
                 "name": "bilko_prod", "staging_name": "bilko_staging"},
    "storage": {"endpoint": base, "bucket": "bilko-receipts", "region": "auto",
                "access_key_id": "env:R2_ACCESS_KEY_ID",
                "secret_access_key": "env:R2_SECRET_ACCESS_KEY"},
    "email": {"provider": "sendgrid", "api_url": base, "api_key": "env:SENDGRID_API_KEY",
              "from": "noreply@bilko.io", "test_to": "ops@bilko.io"},
    "errors": {"sentry_url": base, "org": "bilko", "project": "bilko-backend",
               "token": "env:SENTRY_TOKEN"},
    "platform": {"api_url": base + "/graphql/v2", "railway_token": "env:RAILWAY_TOKEN",
                 "service": "api", "service_id": "svc-1", "project_id": "prj-1",
                 "environment_id": "env-1"},
    "alerts": {"webhook_url": "env:SLACK_WEBHOOK_URL", "channel": "#bilko-alerts"},
    "commands": {k: hostile for k in ("logs", "restart", "rollback", "deploy", "migrate",
                                      "verify_schema", "retry_uploads")},
    "thresholds": {"escalate_after_min": 0.01, "idle_min": 0.01, "slow_query_s": 0.5},
    "timing": {"verify_interval_s": 0.05, "verify_timeout_s": 0.3, "storage_wait_min": 0.005,
               "email_deadline_min": 0.005, "probe_timeout_ms": 800,
               "deploy_watch_min": 0.005, "backup_timeout_min": 0.05,
               "migrate_timeout_min": 0.05},
    "certs": {"hosts": ["127.0.0.1:%s" % port]},
    "backup": {"count_tables": ["organizations", "invoices"], "dir": t + "/backups"},
    "secrets": {"names": ["JWT_SECRET", "JWT_REFRESH_SECRET"]},
}
# the rotation's apply step writes what it was given where only this test reads it
cfg["commands"]["apply"] = ("printf '%%s\\n' \"$RUNBOOK_SECRET_VALUE\" >>%s/rotated.values; "
                            "echo applied" % t)
if mode == "refused":
    cfg["email"] = {"provider": "smtp", "smtp_url": "smtp://mailer:%s@127.0.0.1:%s" % (urlpw, port),
                    "from": "noreply@bilko.io", "test_to": "ops@bilko.io"}
json.dump(cfg, open(path, "w"), indent=1)
PYEOF
	chmod 600 "$T/runbook.json"
}

# write_routes CANARY... WEBHOOK_CANARY: the fixture. Every request gets a 500 whose body
# repeats the secrets it was sent and a few it was not (as a misbehaving service might);
# the webhook alone answers 200.
write_routes() {
	"$PY" - "$T/routes.json" "$@" <<'PYEOF'
import json, sys
path, *c = sys.argv[1:]
body = {
    "error": "unauthorized",
    "detail": "token %s rejected; Authorization: Bearer %s; retry with "
              "postgres://app:%s@db.internal/bilko" % (c[0], c[1], c[2]),
    "password": c[3],
    "echo": " ".join(c[4:]),
}
# the alert webhook (its path is a canary) is the one service that works
json.dump({"*": {"status": 500, "json": body},
           "POST /hooks/" + c[-1]: {"status": 200, "body": "ok"}}, open(path, "w"))
PYEOF
}

# search FILES...: every canary of $T/canaries, in every encoding, in every file.
search() {
	"$PY" - "$T/canaries" "$@" <<'PYEOF'
import base64, sys
canaries = [l.strip() for l in open(sys.argv[1]) if l.strip()]
needles = []
for c in canaries:
    b = c.encode()
    forms = {"plain": b, "hex": b.hex().encode(), "HEX": b.hex().upper().encode()}
    for pad in range(3):  # base64 at each alignment: the part that does not depend on it
        for name, enc in (("base64", base64.b64encode), ("base64url", base64.urlsafe_b64encode)):
            e = enc(b"\0" * pad + b + b"\0\0")
            skip = (pad * 4 + 2) // 3 + 1
            core = e[skip:skip + (len(b) * 4) // 3 - 4]
            forms["%s%d" % (name, pad)] = core
    needles += [(c, k, v) for k, v in forms.items()]
hits = 0
for path in sys.argv[2:]:
    try:
        data = open(path, "rb").read()
    except OSError:
        continue
    for c, form, n in needles:
        if n and n in data:
            hits += 1
            if hits <= 10:
                print("LEAK: %s (%s) in %s" % (c, form, path))
print("searched %d files, %d bytes, %d canaries in %d encodings: %d hits" % (
    len(sys.argv) - 2, sum(len(open(p, "rb").read()) for p in sys.argv[2:]
                           if __import__("os").path.exists(p)),
    len(canaries), len(needles) // max(1, len(canaries)), hits))
sys.exit(1 if hits else 0)
PYEOF
}

# drive FLOW MODE CONFIRM: run FLOW to its end (tests/tools/flow_driver.py), then read
# the incident back every way there is. Appends "flow mode end commands seconds" to
# $T/ran.
drive() {
	local f=$1 id fmt tag=$1-$2${3:+-confirmed}
	"$PY" "$DRIVER" "$RUNBOOK" "$f" "$T/outputs" "$SQL_NOTE" "$3" >"$T/drive.json" ||
		{ _why "$f ($2) did not reach an end: $(cat "$T/drive.json")"; return 1; }
	id=$(json_get "$T/drive.json" "j['incident']")
	echo "$f $2${3:+ (--confirm $3)} $(json_get "$T/drive.json" "'%s %d %.1f' % (j['end'], j['steps'], j['seconds'])")" >>"$T/ran"
	"$RUNBOOK" note "$id" "$SQL_NOTE" >>"$T/outputs/note.out" 2>>"$T/outputs/note.err"
	"$RUNBOOK" show "$id" >>"$T/outputs/show.out" 2>&1
	"$RUNBOOK" --json show "$id" >>"$T/outputs/show.json" 2>&1
	if has_command export; then
		for fmt in md json html; do
			"$RUNBOOK" export "$id" --format "$fmt" >"$T/outputs/export-$tag.$fmt" \
				2>>"$T/outputs/export.err" || true
		done
		"$RUNBOOK" export "$id" -o "$T/outputs/export-$tag-o.md" \
			>>"$T/outputs/export.out" 2>&1 || true
	fi
}

case_no_canary_anywhere() {
	need_tools
	local flows f mode port target modes=(fixture)
	[ "${RELIABILITY_SLOW:-0}" = 1 ] && modes=(fixture refused)
	C_URLPW=$(canary urlpw) C_LOGHDR=$(canary loghdr) C_LOGPW=$(canary logpw)
	C_SQL=$(canary sql) C_ERRHDR=$(canary errhdr) C_ERRURL=$(canary errurl)
	C_ERRJSON=$(canary errjson)
	DATABASE_URL="postgresql://bilko:$(canary dbpw)@127.0.0.1:$(free_port)/bilko_prod"
	STAGING_DB_URL="postgresql://bilko:$(canary stagepw)@127.0.0.1:$(free_port)/bilko_staging"
	R2_ACCESS_KEY_ID=$(canary r2id) R2_SECRET_ACCESS_KEY=$(canary r2secret)
	SENDGRID_API_KEY=$(canary sendgrid) SENTRY_TOKEN=$(canary sentry)
	RAILWAY_TOKEN=$(canary railway)
	export DATABASE_URL STAGING_DB_URL R2_ACCESS_KEY_ID R2_SECRET_ACCESS_KEY SENDGRID_API_KEY \
		SENTRY_TOKEN RAILWAY_TOKEN
	env | grep -o 'cnry[a-z]*[0-9a-f]*' >"$T/canaries" || true
	printf '%s\n' "$C_URLPW" "$C_LOGHDR" "$C_LOGPW" "$C_SQL" "$C_ERRHDR" "$C_ERRURL" \
		"$C_ERRJSON" >>"$T/canaries"
	SQL_NOTE="ALTER ROLE app PaSsWoRd /* x */ '$C_SQL'"
	export RUNBOOK_JOURNAL=$T/journal/j.db RUNBOOK_CONFIG=$T/runbook.json RUNBOOK_OPERATOR=alice
	mkdir -p "$T/outputs"

	C_HOOK=$(canary webhook)
	echo "$C_HOOK" >>"$T/canaries"
	write_routes "$SENTRY_TOKEN" "$C_ERRHDR" "$C_ERRURL" "$C_ERRJSON" "$RAILWAY_TOKEN" \
		"$SENDGRID_API_KEY" "$R2_SECRET_ACCESS_KEY" "$R2_ACCESS_KEY_ID" "$C_HOOK"
	start_fixture svc "$T/routes.json"
	# a reader keeps the journal open: its -wal and -shm stay for the search
	assert_exit 0 "$RUNBOOK" list
	"$JTOOL" reader "$RUNBOOK_JOURNAL" 600 50 "$T/stop" >/dev/null 2>&1 &
	track_pid $!

	flows=$("$RUNBOOK" --json flows | json_get - "' '.join(f['name'] for f in j['flows'])")
	for mode in "${modes[@]}"; do
		port=$svc_PORT
		[ "$mode" = refused ] && port=$(free_port)
		export SLACK_WEBHOOK_URL="http://127.0.0.1:$port/hooks/$C_HOOK"
		write_config "$mode" "$port"
		for f in $flows; do
			drive "$f" "$mode" ""
			# a destructive step confirmed on resume: once more, confirmed from the
			# start, so that it runs in the process that prepared it
			target=$(json_get "$T/drive.json" "(j['confirmed'] or [''])[0]")
			[ -z "$target" ] || drive "$f" "$mode" "$target"
		done
	done
	"$RUNBOOK" list >"$T/outputs/list.out" 2>&1
	if has_command audit; then
		for fmt in table csv json; do
			"$RUNBOOK" audit --format "$fmt" >"$T/outputs/audit.$fmt" 2>&1
		done
	fi
	# the rotation's values, if that flow ran: canaries too (they reached apply)
	[ ! -s "$T/rotated.values" ] || cat "$T/rotated.values" >>"$T/canaries"
	[ -s "$T/journal/j.db-wal" ] || { _why "no -wal to search"; return 1; }
	"$RUNBOOK" verify >/dev/null || { _why "verify failed"; return 1; }
	search "$T"/journal/j.db* "$T"/outputs/* >"$T/search.out" ||
		{ _why "$(tr '\n' ' ' <"$T/search.out")"; return 1; }
	# the control: the canaries did reach where they must (else the test proves nothing)
	assert_file_contains "$T/svc.log" "$SENTRY_TOKEN" "the Sentry token was sent"
	assert_file_contains "$T/outputs/show.out" "[REDACTED]" "redactions happened"
	assert_file_contains "$T/outputs/show.json" "PaSsWoRd /* x */ '[REDACTED]'" "the SQL reached the journal"
	assert_file_contains "$T/outputs/show.json" "DB_PASSWORD=[REDACTED]" "command output reached it"
	assert_file_contains "$T/outputs/show.json" "token [REDACTED] rejected" "error text reached it"
	touch "$T/stop"
	sed 's/^/  ran: /' "$T/ran" >&2
	echo "  $(wc -l <"$T/ran") runs; $(cat "$T/search.out");" \
		"$(wc -l <"$T/canaries") canaries$([ -s "$T/rotated.values" ] && echo ", $(wc -l <"$T/rotated.values") rotated values")" >&2
}

# The commands that journal the operator's own words (note, handoff, resolve, abandon)
# load the configuration for its secrets: an env: value typed into them is redacted in
# the journal and on the terminal (they used to skip the configuration).
case_operator_text_commands_redact() {
	mkdir -m 700 "$T/j"
	secret=cnry-optext-$$-$RANDOM
	printf '{"platform": {"railway_token": "env:CANARY_TOKEN"}}' >"$T/c.json"
	chmod 600 "$T/c.json"
	export CANARY_TOKEN=$secret RUNBOOK_CONFIG=$T/c.json RUNBOOK_JOURNAL=$T/j/j.db
	"$RUNBOOK" start api-down --non-interactive >"$T/start.out" 2>/dev/null || true
	id=$(head -n 1 "$T/start.out")
	[ "${#id}" = 36 ] || { _why "no incident: $(cat "$T/start.out")"; return 1; }
	assert_exit 0 "$RUNBOOK" note "$id" "the token is $secret"
	assert_exit 0 "$RUNBOOK" note "$id" --kind lesson "rotate $secret"
	assert_exit 0 "$RUNBOOK" handoff "$id" --to bob --summary "uses $secret"
	assert_not_contains "$(cat "$T/out" "$T/err")" "$secret" "handoff's terminal"
	assert_contains "$(cat "$T/out")" "uses [REDACTED]" "the summary is shown, redacted"
	assert_exit 0 "$RUNBOOK" abandon "$id" --reason "leaked $secret"
	sqlite3 "$T/j/j.db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
	assert_file_not_contains "$T/j" "$secret" "journal"
	assert_eq 4 "$(sqlite3 "$T/j/j.db" "SELECT count(*) FROM events WHERE kind IN ('note', 'handoff', 'incident.closed') AND data LIKE '%[REDACTED]%'")" "four events, redacted"
}

run_cases case_no_canary_anywhere case_operator_text_commands_redact
