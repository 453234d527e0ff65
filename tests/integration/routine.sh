#!/usr/bin/env bash
# routine.sh - the routine procedures end to end (runbook §2, §5): health, deploy with
# its watch window, migrate with its enforced backup and backup-verify against a real
# PostgreSQL (a production and a staging database), cert-check against openssl
# s_server, rotate-secrets with a stand-in apply command that records its argv and
# environment.
# shellcheck disable=SC2154,SC2317
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=../lib_pg.sh
. "$(dirname "$0")/../lib_pg.sh"

HEALTHY='{"GET /health": {"status": 200, "json": {"status": "ok", "db": "ok"}}, "GET /": {"status": 200, "body": "x"}}'
DOWN='{"GET /health": {"status": 503, "json": {"status": "degraded", "db": "error"}}, "GET /": {"status": 200, "body": "x"}}'


# config JSON: write $T/runbook.json (0600) and point the journal at $T.
config() {
	printf '%s\n' "$1" >"$T/runbook.json"
	chmod 600 "$T/runbook.json"
	export RUNBOOK_CONFIG=$T/runbook.json RUNBOOK_JOURNAL=$T/journal/j.db RUNBOOK_OPERATOR=alice
}

incident() { head -n 1 "$T/out"; }

# show ID: the incident's events into $T/show.json.
show() { "$RUNBOOK" --json show "$1" >"$T/show.json"; }

# states: the states entered (of $T/show.json).
states() { json_get "$T/show.json" "' '.join(e['state'] for e in j['events'] if e['kind'] == 'state.entered')"; }

# data STATE KIND EXPR: EXPR over d = the data of STATE's first KIND event.
data() { json_get "$T/show.json" "(lambda d: $3)([e['data'] for e in j['events'] if e['state'] == '$1' and e['kind'] == '$2'][0])"; }

verdict() { json_get "$T/show.json" "j['incident']['end']"; }

# ---- health ----------------------------------------------------------------------

health_config() {
	config "{\"api\": {\"url\": \"$web_URL\"}, \"frontend\": {\"url\": \"$web_URL/\"},
		\"alerts\": {\"webhook_url\": \"env:HOOK_URL\"},
		\"commands\": {\"deploy\": \"$1\", \"rollback\": \"$2\"},
		\"platform\": {\"service\": \"api\"},
		\"timing\": {\"verify_interval_s\": 0.3, \"deploy_watch_min\": 0.02}}"
	set_routes "$T/hook.json" '{"POST /hook": {"status": 200, "body": "ok"}}'
	start_fixture hook "$T/hook.json"
	export HOOK_URL=$hook_URL/hook
}

case_health_all_ok() {
	set_routes "$T/routes.json" "$HEALTHY"
	start_fixture web "$T/routes.json"
	health_config true true
	assert_exit 0 "$RUNBOOK" start health --non-interactive
	show "$(incident)"
	assert_eq "sweep report resolved" "$(states)" "states"
	assert_eq ok "$(data sweep probe.result "d['outcome']")" "sweep ok"
	assert_eq '["api", "frontend"]' "$(data sweep probe.result "[c['name'] for c in d['checks']]")" "checks journaled"
	assert_eq "nothing to report" "$(data report notify.skipped "d['reason']")" "nothing posted"
	assert_eq 0 "$(json_get "$T/hook.log" "len(j)")" "no post"
	assert_eq resolved "$(verdict)" "verdict"
}

case_health_fail_posts() {
	set_routes "$T/routes.json" "$DOWN"
	start_fixture web "$T/routes.json"
	health_config true true
	assert_exit 0 "$RUNBOOK" start health --non-interactive
	id=$(incident)
	show "$id"
	assert_eq "sweep report escalated" "$(states)" "states"
	assert_eq fail "$(data sweep probe.result "d['outcome']")" "sweep fail"
	assert_eq 1 "$(json_get "$T/hook.log" "len(j)")" "one post"
	text=$(json_get "$T/hook.log" "json.loads(j[0]['body'])['text']")
	assert_contains "$text" "api fail (HTTP 503, db is error)" "what failed"
	assert_contains "$text" "${id:0:8}" "incident id"
	assert_contains "$(json_get "$T/show.json" "' '.join(e['kind'] for e in j['events'])")" \
		"notify.sent incident.escalated" "escalated"
	assert_eq alert "$(data report notify.sent "d['outcome']")" "outcome journaled"
}

# ---- deploy ----------------------------------------------------------------------

case_deploy_clean_window() {
	set_routes "$T/routes.json" "$HEALTHY"
	start_fixture web "$T/routes.json"
	health_config "touch $T/deployed" "touch $T/rolled_back"
	start=$(date +%s)
	assert_exit 0 "$RUNBOOK" start deploy --non-interactive --confirm api
	show "$(incident)"
	assert_eq "pre_check deploy watch resolved" "$(states)" "states"
	[ -e "$T/deployed" ] || { _why "deploy did not run"; return 1; }
	[ ! -e "$T/rolled_back" ] || { _why "rolled back"; return 1; }
	n=$(json_get "$T/show.json" "len([e for e in j['events'] if e['state'] == 'watch' and e['kind'] == 'probe.result'])")
	[ "$n" -ge 3 ] || { _why "only $n sweeps in the window"; return 1; }
	assert_eq true "$(json_get "$T/show.json" "all(e['data']['ok'] for e in j['events'] if e['state'] == 'watch' and e['kind'] == 'probe.result')")" "all clean"
	assert_eq resolved "$(verdict)" "verdict"
	[ $(($(date +%s) - start)) -lt 10 ] || { _why "too slow"; return 1; }
}

case_deploy_failure_rolls_back() {
	set_routes "$T/routes.json" "$HEALTHY"
	printf '%s\n' "$DOWN" >"$T/bad.json"
	printf '%s\n' "$HEALTHY" >"$T/good.json"
	start_fixture web "$T/routes.json"
	# the "deploy" breaks the API; the rollback mends it
	health_config "cp $T/bad.json $T/routes.json" "cp $T/good.json $T/routes.json && touch $T/rolled_back"
	assert_exit 0 "$RUNBOOK" start deploy --non-interactive --confirm api
	show "$(incident)"
	assert_eq "pre_check deploy watch rollback report escalated" "$(states)" "states"
	assert_eq 1 "$(json_get "$T/show.json" "len([e for e in j['events'] if e['state'] == 'watch' and e['kind'] == 'probe.result'])")" "the first failure ends the window"
	assert_eq fail "$(data watch probe.result "d['outcome']")" "watch outcome"
	[ -e "$T/rolled_back" ] || { _why "no rollback"; return 1; }
	assert_contains "$(json_get "$T/hook.log" "json.loads(j[0]['body'])['text']")" "deploy watch window failed" "posted"
	assert_eq escalated "$(verdict)" "verdict"
}

case_deploy_refused_aborts() {
	set_routes "$T/routes.json" "$HEALTHY"
	start_fixture web "$T/routes.json"
	health_config "touch $T/deployed" "touch $T/rolled_back"
	assert_exit 0 "$RUNBOOK" start deploy --non-interactive --confirm apii
	show "$(incident)"
	assert_eq "pre_check deploy aborted" "$(states)" "states"
	[ ! -e "$T/deployed" ] || { _why "deployed anyway"; return 1; }
}

# ---- migrate and backup-verify (a real PostgreSQL) ---------------------------------

# db_setup: bilko_prod (3 organizations, 5 invoices) and bilko_staging (stale data),
# both owned by app; PROD_DB_URL and STAGING_DB_URL exported; stand-in commands.
db_setup() {
	start_pg
	pg_sql "CREATE DATABASE bilko_prod OWNER app" "CREATE DATABASE bilko_staging OWNER app" >/dev/null
	pg_sql -U app -d bilko_prod \
		"CREATE TABLE organizations (id serial PRIMARY KEY, name text NOT NULL)" \
		"INSERT INTO organizations (name) SELECT 'org' || g FROM generate_series(1, 3) g" \
		"CREATE TABLE invoices (id serial PRIMARY KEY, org int, amount numeric)" \
		"INSERT INTO invoices (org, amount) SELECT 1, g FROM generate_series(1, 5) g" >/dev/null
	pg_sql -U app -d bilko_staging \
		"CREATE TABLE invoices (id serial PRIMARY KEY, org int, amount numeric)" >/dev/null
	export PROD_DB_URL="postgresql://app:$PG_PW@127.0.0.1:$PG_PORT/bilko_prod"
	export STAGING_DB_URL="postgresql://app:$PG_PW@127.0.0.1:$PG_PORT/bilko_staging"
	export MIGRATED=$T/migrated.log
	# the stand-in migration records which database it ran against (from DATABASE_URL)
	printf '#!/bin/sh\necho "${DATABASE_URL##*/}" >>"$MIGRATED"\n' >"$T/migrate.sh"
	printf '#!/bin/sh\ntest -n "$DATABASE_URL" && echo schema ok\n' >"$T/schema.sh"
	chmod +x "$T/migrate.sh" "$T/schema.sh"
}

db_config() {
	config "{\"database\": {\"url\": \"env:PROD_DB_URL\", \"staging_url\": \"env:STAGING_DB_URL\",
		\"name\": \"bilko_prod\", \"staging_name\": \"bilko_staging\"},
		\"backup\": {\"dir\": \"$T/state/backups\", \"count_tables\": [\"organizations\", \"invoices\"]},
		\"commands\": {\"migrate\": \"$T/migrate.sh\", \"verify_schema\": \"$T/schema.sh\"}}"
}

case_migrate_with_verified_backup() {
	db_setup
	db_config
	assert_exit 0 "$RUNBOOK" start migrate --non-interactive --confirm bilko_prod
	id=$(incident)
	show "$id"
	assert_eq "backup verify_backup staging production verify resolved" "$(states)" "states"
	assert_eq "bilko_staging bilko_prod" "$(tr '\n' ' ' <"$MIGRATED" | sed 's/ $//')" "staging, then production"
	file=$(data backup action.result "d['file']")
	case $file in "$T/state/backups/backup_"*"_${id:0:8}.dump") ;; *) _why "file name $file"; return 1 ;; esac
	assert_eq "$(sha256sum "$file" | cut -d' ' -f1)" "$(data backup action.result "d['sha256']")" "SHA-256 journaled"
	assert_eq "$(stat -c %s "$file")" "$(data backup action.result "d['bytes']")" "size journaled"
	assert_eq 600 "$(stat -c %a "$file")" "backup mode"
	assert_eq 700 "$(stat -c %a "$T/state/backups")" "backup dir mode"
	assert_eq "$(data backup action.result "d['sha256']")" "$(data verify_backup probe.result "d['sha256']")" "the verified file is the backup"
	[ "$(data verify_backup probe.result "d['toc_entries']")" -gt 4 ] || { _why "TOC"; return 1; }
	assert_eq "schema ok" "$(data verify probe.result "d['schema']['output'].strip()")" "schema check ran"
	assert_eq bilko_prod "$(data production action.intent "d['target']")" "target"
	assert_file_not_contains "$T/journal" "$PG_PW" "no password in the journal"
	assert_not_contains "$(cat "$T/out" "$T/err")" "$PG_PW" "no password on screen"
}

case_migrate_failed_backup_never_reaches_production() {
	db_setup
	db_config
	# a URL that pg_dump cannot use: nothing listens there
	export PROD_DB_URL="postgresql://app:$PG_PW@127.0.0.1:$(free_port)/bilko_prod"
	assert_exit 0 "$RUNBOOK" start migrate --non-interactive --confirm bilko_prod
	show "$(incident)"
	assert_eq "backup aborted" "$(states)" "states"
	assert_eq fail "$(data backup action.result "d['outcome']")" "backup failed"
	assert_contains "$(data backup action.result "d['summary']")" "pg_dump failed" "why"
	[ ! -e "$MIGRATED" ] || { _why "a migration ran: $(cat "$MIGRATED")"; return 1; }
	assert_eq 0 "$(find "$T/state/backups" -type f | wc -l)" "no partial dump left"
	assert_eq aborted "$(verdict)" "verdict"
}

case_migrate_refuses_changed_backup() {
	db_setup
	db_config
	# no --confirm: it pauses at production's confirmation, after staging
	assert_exit 3 "$RUNBOOK" start migrate --non-interactive
	id=$(incident)
	assert_eq bilko_staging "$(cat "$MIGRATED")" "staging only"
	file=$(ls "$T"/state/backups/backup_*.dump)
	printf 'x' >>"$file" # the verified backup changes
	assert_exit 0 "$RUNBOOK" resume "$id" --confirm bilko_prod
	show "$id"
	assert_eq "backup verify_backup staging production aborted" "$(states)" "states"
	assert_contains "$(data production action.refused "d['reason']")" "changed after it was verified" "reason"
	assert_eq true "$(data production action.refused "d['safeguard']")" "a safeguard"
	assert_eq bilko_staging "$(cat "$MIGRATED")" "production never migrated"
	# and with the backup gone
	assert_exit 3 "$RUNBOOK" start migrate --non-interactive
	id=$(incident)
	rm -f "$T"/state/backups/backup_*_"${id:0:8}".dump
	assert_exit 0 "$RUNBOOK" resume "$id" --confirm bilko_prod
	show "$id"
	assert_contains "$(data production action.refused "d['reason']")" "is gone" "gone"
	assert_eq 2 "$(grep -c bilko_staging "$MIGRATED")" "staging twice"
	assert_eq 0 "$(grep -c bilko_prod "$MIGRATED")" "production never"
}

case_backup_verify_equal() {
	db_setup
	db_config
	assert_exit 0 "$RUNBOOK" start backup-verify --non-interactive --confirm bilko_staging
	show "$(incident)"
	assert_eq "dump restore_staging compare_counts resolved" "$(states)" "states"
	assert_eq '[["organizations", 3, 3], ["invoices", 5, 5]]' \
		"$(data compare_counts probe.result "[[t['table'], t['source'], t['staging']] for t in d['tables']]")" "counts"
	assert_eq 3 "$(pg_sql -d bilko_staging "SELECT count(*) FROM organizations")" "restored"
	assert_eq bilko_staging "$(data restore_staging action.intent "d['target']")" "target"
	assert_file_not_contains "$T/journal" "$PG_PW" "no password in the journal"
}

case_backup_verify_differ_escalates() {
	db_setup
	db_config
	assert_exit 3 "$RUNBOOK" start backup-verify --non-interactive
	id=$(incident)
	# production moves on after the dump: two invoices more
	pg_sql -U app -d bilko_prod "INSERT INTO invoices (org, amount) VALUES (2, 10), (2, 20)" >/dev/null
	assert_exit 0 "$RUNBOOK" resume "$id" --confirm bilko_staging
	show "$id"
	assert_eq "dump restore_staging compare_counts escalated" "$(states)" "states"
	assert_eq differ "$(data compare_counts probe.result "d['outcome']")" "outcome"
	assert_eq '["invoices"]' "$(data compare_counts probe.result "d['differ']")" "the differing table"
	assert_eq '[7, 5]' "$(data compare_counts probe.result "[t[k] for t in d['tables'] if t['table'] == 'invoices' for k in ('source', 'staging')]")" "both counts"
	assert_contains "$(data compare_counts probe.result "d['summary']")" "invoices: 7 in the source, 5 in staging" "summary"
	assert_eq escalated "$(verdict)" "verdict"
}

case_backup_verify_refuses_production_as_staging() {
	db_setup
	export STAGING_DB_URL=$PROD_DB_URL
	db_config
	assert_exit 0 "$RUNBOOK" start backup-verify --non-interactive --confirm bilko_staging
	show "$(incident)"
	assert_eq "dump restore_staging aborted" "$(states)" "states"
	assert_contains "$(data restore_staging action.refused "d['reason']")" "names the production database" "why"
	assert_eq 3 "$(pg_sql -d bilko_prod "SELECT count(*) FROM organizations")" "production untouched"
}

# ---- cert-check ------------------------------------------------------------------

# serve_cert NAME: a certificate NAME.pem/NAME.key in $T served by openssl s_server;
# sets NAME_PORT.
serve_cert() {
	local port _
	port=$(free_port)
	openssl s_server -accept "127.0.0.1:$port" -cert "$T/$1.pem" -key "$T/$1.key" -www \
		-quiet >"$T/$1.log" 2>&1 </dev/null &
	track_pid $!
	for _ in $(seq 50); do
		(echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
		sleep 0.1
	done
	printf -v "${1}_PORT" '%s' "$port"
}

# make_cert NAME DAYS: self-signed, valid from now for DAYS days.
make_cert() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/$1.key" -out "$T/$1.pem" \
		-days "$2" -subj "/CN=localhost" \
		-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" >/dev/null 2>&1
}

# make_expired_cert NAME: valid in January 2020 only (openssl ca sets past dates).
make_expired_cert() {
	local d=$T/ca
	mkdir -p "$d"
	: >"$d/index.txt"
	echo 01 >"$d/serial"
	printf '%s\n' "[ca]" "default_ca = c" "[c]" "database = $d/index.txt" \
		"serial = $d/serial" "new_certs_dir = $d" "default_md = sha256" "policy = p" \
		"copy_extensions = copy" "unique_subject = no" "[p]" "commonName = supplied" \
		>"$d/ca.cnf"
	openssl req -new -newkey rsa:2048 -nodes -keyout "$T/$1.key" -out "$d/$1.csr" \
		-subj "/CN=localhost" >/dev/null 2>&1
	openssl ca -batch -config "$d/ca.cnf" -selfsign -keyfile "$T/$1.key" -in "$d/$1.csr" \
		-out "$T/$1.pem" -startdate 20200101000000Z -enddate 20200201000000Z >/dev/null 2>&1
}

cert_config() {
	config "{\"certs\": {\"hosts\": $1}, \"thresholds\": {\"cert_min_days\": 30}}"
}

case_cert_ok() {
	make_cert long 400
	serve_cert long
	cert_config "[\"127.0.0.1:$long_PORT\"]"
	assert_exit 0 "$RUNBOOK" start cert-check --non-interactive
	show "$(incident)"
	assert_eq "check report resolved" "$(states)" "states"
	assert_eq '["ok", 399]' "$(data check probe.result "[d['hosts'][0]['status'], d['hosts'][0]['days_left']]")" "ok, days left"
	assert_eq false "$(data check probe.result "d['hosts'][0]['trusted']")" "trust reported on its own"
	assert_eq "nothing to report" "$(data report notify.skipped "d['reason']")" "no post"
}

case_cert_ten_days_warns() {
	make_cert soon 10
	serve_cert soon
	cert_config "[\"127.0.0.1:$soon_PORT\"]"
	assert_exit 0 "$RUNBOOK" start cert-check --non-interactive
	show "$(incident)"
	assert_eq "check report escalated" "$(states)" "states"
	assert_eq warn "$(data check probe.result "d['outcome']")" "outcome"
	assert_eq '["warn", 9]' "$(data check probe.result "[d['hosts'][0]['status'], d['hosts'][0]['days_left']]")" "warn, 9 days left"
	want=$(date -u -d "$(openssl x509 -in "$T/soon.pem" -noout -enddate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%S)
	assert_eq "$want.000Z" "$(data check probe.result "d['hosts'][0]['expires']")" "expiry date"
	assert_eq escalated "$(verdict)" "verdict"
}

case_cert_expired_fails() {
	make_cert soon 10
	make_expired_cert old
	serve_cert soon
	serve_cert old
	cert_config "[\"127.0.0.1:$soon_PORT\", \"127.0.0.1:$old_PORT\", \"127.0.0.1:$(free_port)\"]"
	assert_exit 0 "$RUNBOOK" start cert-check --non-interactive
	show "$(incident)"
	assert_eq fail "$(data check probe.result "d['outcome']")" "outcome"
	assert_eq '["warn", "fail", "fail"]' "$(data check probe.result "[h['status'] for h in d['hosts']]")" "statuses"
	assert_eq 2020-02-01T00:00:00.000Z "$(data check probe.result "d['hosts'][1]['expires']")" "expired"
	assert_eq true "$(data check probe.result "d['hosts'][1]['days_left'] < 0")" "negative days"
	assert_eq "[null, null]" "$(data check probe.result "[d['hosts'][2]['days_left'], d['hosts'][2]['expires']]")" "unreachable: no date"
	assert_contains "$(data check probe.result "d['hosts'][2]['error']")" "refused" "unreachable"
	assert_eq escalated "$(verdict)" "verdict"
	# the same through runbook check: exit 5
	assert_exit 5 "$RUNBOOK" --json check
	assert_eq fail "$(json_get "$T/out" "j['checks'][0]['status']")" "check"
}

# ---- rotate-secrets ----------------------------------------------------------------

rotate_setup() {
	export SANDBOX=$T/sb
	mkdir -p "$SANDBOX"
	# the stand-in records its argv (and its shell's), and the value it was given
	cat >"$T/apply.sh" <<'EOF'
#!/bin/sh
printf '%s\n' "$0 $*" >>"$SANDBOX/argv.log"
tr '\0' ' ' </proc/$$/cmdline >>"$SANDBOX/argv.log"; echo >>"$SANDBOX/argv.log"
tr '\0' ' ' </proc/$PPID/cmdline >>"$SANDBOX/argv.log"; echo >>"$SANDBOX/argv.log"
printf '%s=%s\n' "$RUNBOOK_SECRET_NAME" "$RUNBOOK_SECRET_VALUE" >>"$SANDBOX/env.log"
echo "set $RUNBOOK_SECRET_NAME to $RUNBOOK_SECRET_VALUE"
EOF
	chmod +x "$T/apply.sh"
	config "{\"secrets\": {\"names\": [\"JWT_SECRET\", \"JWT_REFRESH_SECRET\"]},
		\"platform\": {\"service\": \"api\"},
		\"commands\": {\"apply\": \"$T/apply.sh --service api\", \"restart\": \"touch $SANDBOX/restarted\"}}"
}

case_rotate_secrets_never_leak() {
	rotate_setup
	assert_exit 0 "$RUNBOOK" start rotate-secrets --non-interactive --confirm api \
		--answer notify_users=done
	show "$(incident)"
	assert_eq "generate apply restart notify_users resolved" "$(states)" "states"
	[ -e "$SANDBOX/restarted" ] || { _why "no restart"; return 1; }
	assert_eq "JWT_SECRET JWT_REFRESH_SECRET" "$(cut -d= -f1 "$SANDBOX/env.log" | tr '\n' ' ' | sed 's/ $//')" "one apply per secret"
	n=0
	while IFS= read -r line; do
		value=${line#*=}
		[ "${#value}" = 44 ] || { _why "value length ${#value}"; return 1; }
		# the fingerprint: the first 8 bytes of the SHA-256 of the base64 text
		fp=$(printf '%s' "$value" | sha256sum | cut -c1-16)
		assert_eq "$fp" "$(data generate action.result "d['secrets'][$n]['fingerprint']")" "fingerprint $n"
		assert_file_not_contains "$SANDBOX/argv.log" "$value" "argv"
		assert_file_not_contains "$T/journal" "$value" "journal (db and -wal)"
		assert_file_not_contains "$T/out" "$value" "stdout"
		assert_file_not_contains "$T/err" "$value" "stderr"
		assert_file_not_contains "$T/show.json" "$value" "show"
		n=$((n + 1))
	done <"$SANDBOX/env.log"
	assert_eq 2 "$n" "two values"
	assert_contains "$(cat "$SANDBOX/argv.log")" "--service api" "argv recorded"
	assert_contains "$(data apply action.result "d['secrets'][0]['output']")" "[REDACTED]" "the echoed value is redacted"
	assert_eq 2 "$(data apply action.result "d['applied']")" "applied"
	ls "$T"/journal/* >/dev/null
}

case_rotate_secrets_pause_loses_them() {
	rotate_setup
	assert_exit 3 "$RUNBOOK" start rotate-secrets --non-interactive
	id=$(incident)
	assert_exit 0 "$RUNBOOK" resume "$id" --confirm api
	show "$id"
	assert_eq "generate apply aborted" "$(states)" "states"
	assert_contains "$(data apply action.refused "d['reason']")" "start over" "says to start over"
	[ ! -e "$SANDBOX/env.log" ] || { _why "applied"; return 1; }
}

# rotate_by_hand: the rotate-secrets sandbox with commands.restart unset (restart by hand).
rotate_by_hand() {
	rotate_setup
	config "{\"secrets\": {\"names\": [\"JWT_SECRET\"]}, \"platform\": {\"service\": \"api\"},
		\"commands\": {\"apply\": \"$T/apply.sh --service api\"}}"
}

case_rotate_restart_by_hand_takes_ok() {
	rotate_by_hand
	assert_exit 3 "$RUNBOOK" start rotate-secrets --non-interactive --confirm api
	id=$(incident)
	assert_contains "$(cat "$T/out")" "runbook resume ${id:0:8} --answer restart=ok" "hint: an answer"
	assert_not_contains "$(cat "$T/out")" "--confirm ok" "no --confirm for a step done by hand"
	assert_exit 0 "$RUNBOOK" resume "$id" --answer restart=completed --answer notify_users=done
	show "$id"
	assert_eq "generate apply restart notify_users resolved" "$(states)" "states"
	assert_eq ok "$(data restart prompt.answered "d['outcome']")" "completed is ok"
	assert_eq true "$(data restart prompt.answered "d['fallback']")" "by hand"
	# the name the fallback offers is taken as it is
	assert_exit 0 "$RUNBOOK" start rotate-secrets --non-interactive --confirm api \
		--answer restart=ok --answer notify_users=done
	show "$(incident)"
	assert_eq "generate apply restart notify_users resolved" "$(states)" "restart=ok"
	assert_exit 2 "$RUNBOOK" start rotate-secrets --non-interactive --answer restart=bogus
	assert_contains "$(cat "$T/err")" "when done by hand: done, ok, skipped, other" "says what it takes"
}

case_rotate_answer_never_confirms() {
	rotate_setup
	# an answer for a destructive action that really runs is no confirmation
	assert_exit 3 "$RUNBOOK" start rotate-secrets --non-interactive --answer apply=ok \
		--answer restart=ok
	show "$(incident)"
	assert_eq "generate apply" "$(states)" "waits at apply"
	assert_contains "$(cat "$T/out")" "waiting for a typed confirmation" "asks for the name"
	assert_contains "$(cat "$T/out")" "--confirm api" "hint: --confirm"
	[ ! -e "$SANDBOX/env.log" ] || { _why "applied without confirmation"; return 1; }
}

run_cases case_health_all_ok case_health_fail_posts case_deploy_clean_window \
	case_deploy_failure_rolls_back case_deploy_refused_aborts \
	case_migrate_with_verified_backup case_migrate_failed_backup_never_reaches_production \
	case_migrate_refuses_changed_backup case_backup_verify_equal \
	case_backup_verify_differ_escalates case_backup_verify_refuses_production_as_staging \
	case_cert_ok case_cert_ten_days_warns case_cert_expired_fails \
	case_rotate_secrets_never_leak case_rotate_secrets_pause_loses_them \
	case_rotate_restart_by_hand_takes_ok case_rotate_answer_never_confirms
