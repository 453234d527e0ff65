#!/usr/bin/env bash
# reliability_append_only.sh - append-only (docs/reliability.md, item 6): rewrites sent
# through runbook's own journal connection (opened by journal_open: defensive mode,
# the authorizer, the triggers) all fail, and the journal is unchanged after. A raw
# connection of someone else is covered by tests/unit/test_journal.c (append_only).
# shellcheck disable=SC2154,SC2317
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=../lib_reliability.sh
. "$ROOT/tests/lib_reliability.sh"

case_rewrites_refused() {
	need_tools
	mkdir -m 700 "$T/j"
	"$JTOOL" append "$T/j/j.db" 5 >/dev/null
	assert_exit 0 "$RUNBOOK" --journal "$T/j/j.db" --json verify
	head=$(json_get "$T/out" "j['head']['hash']")
	local sqls=(
		"UPDATE events SET data = '{}' WHERE seq = 1"
		"UPDATE events SET data = '{}'"
		"DELETE FROM events WHERE seq = 5"
		"DELETE FROM events"
		"DROP TRIGGER events_no_update"
		"DROP TRIGGER events_no_delete"
		"DROP TRIGGER meta_no_update"
		"DROP TABLE events"
		"DROP INDEX events_incident"
		"ALTER TABLE events RENAME TO events_old"
		"ALTER TABLE events ADD COLUMN note TEXT"
		"UPDATE meta SET value = 'sha256' WHERE key = 'chain'"
		"DELETE FROM meta"
		"PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = 'x' WHERE type = 'trigger'"
		"INSERT OR REPLACE INTO events SELECT * FROM events WHERE seq = 1"
		"REPLACE INTO meta (key, value) VALUES ('chain', 'sha256')"
		"INSERT INTO events SELECT * FROM events WHERE seq = 1 ON CONFLICT (seq) DO UPDATE SET data = '{}'"
	)
	assert_exit 0 "$JTOOL" sql "$T/j/j.db" "${sqls[@]}"
	assert_eq "${#sqls[@]}" "$(grep -c '^refused: ' "$T/out")" "every rewrite refused"
	assert_not_contains "$(cat "$T/out")" "allowed:" "nothing allowed"
	# the same connection still appends (the control: jtool reports what is allowed)
	assert_exit 1 "$JTOOL" sql "$T/j/j.db" "INSERT INTO meta (key, value) VALUES ('probe', 'x')"
	assert_contains "$(cat "$T/out")" "allowed: INSERT INTO meta" "an insert is allowed"
	assert_exit 0 "$RUNBOOK" --journal "$T/j/j.db" --json verify --head "$head"
	assert_eq "true 5" "$(json_get "$T/out" "'%s %d' % (str(j['ok']).lower(), j['events'])")" "unchanged"
	assert_eq 6 "$(sqlite3 "$T/j/j.db" "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")" "triggers kept"
}

# Another process's own connection: the sqlite3 shell, recursive_triggers off (format 3's
# BEFORE INSERT triggers; before them REPLACE rewrote a row there and only the chain
# caught it).
case_foreign_replace_refused() {
	need_tools
	mkdir -m 700 "$T/j"
	"$JTOOL" append "$T/j/j.db" 5 >/dev/null
	assert_exit 0 "$RUNBOOK" --journal "$T/j/j.db" --json verify
	head=$(json_get "$T/out" "j['head']['hash']")
	local sqls=(
		"INSERT OR REPLACE INTO events SELECT seq, id, incident, ts, mono_ns, operator, os_user, host, pid, flow, state, kind, '{\"x\": 1}', prev_hash, hash FROM events WHERE seq = 3"
		"REPLACE INTO meta (key, value) VALUES ('chain', 'hmac-sha256')"
		"INSERT INTO events SELECT * FROM events WHERE seq = 1 ON CONFLICT (seq) DO UPDATE SET data = '{}'"
	)
	for sql in "${sqls[@]}"; do
		assert_exit 19 sqlite3 "$T/j/j.db" "PRAGMA recursive_triggers" "$sql" # SQLITE_CONSTRAINT
		assert_contains "$(cat "$T/err")" "journal is append-only" "refused: $sql"
		assert_eq 0 "$(cat "$T/out")" "recursive_triggers is off on that connection"
	done
	assert_exit 0 "$RUNBOOK" --journal "$T/j/j.db" --json verify --head "$head"
	assert_eq "true 5" "$(json_get "$T/out" "'%s %d' % (str(j['ok']).lower(), j['events'])")" "unchanged"
	# the trigger is what refuses: without it the shell's REPLACE goes through, and the
	# chain is what catches it
	sqlite3 "$T/j/j.db" "DROP TRIGGER events_no_replace" "${sqls[0]}"
	assert_exit 5 "$RUNBOOK" --journal "$T/j/j.db" --json verify
	assert_eq 3 "$(json_get "$T/out" "j['first_bad_seq']")" "the chain names the row"
	assert_contains "$(json_get "$T/out" "j['reason']")" "trigger 'events_no_replace' is missing" "and the missing trigger"
}

run_cases case_rewrites_refused case_foreign_replace_refused
