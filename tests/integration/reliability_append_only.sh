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
	assert_eq 4 "$(sqlite3 "$T/j/j.db" "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")" "triggers kept"
}

run_cases case_rewrites_refused
