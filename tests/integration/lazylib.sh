#!/usr/bin/env bash
# lazylib.sh - libcurl and libpq are loaded on first use (src/lazylib.h), not at
# start-up: list and --version never map them, check maps only what it uses, and a
# library that cannot be loaded gives a one-line error and exit 1.
# shellcheck disable=SC2154,SC2317
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"

HEALTH='{"status": 200, "json": {"status": "ok", "db": "ok", "timestamp": "t"}}'

# config [DATABASE_URL]: the api on the fixture; a database when given.
config() {
	"$PY" - "$T/runbook.json" "$web_URL" "${1:-}" <<'PYEOF'
import json, sys
path, url, db = sys.argv[1:4]
cfg = {"api": {"url": url, "health_path": "/health", "timeout_ms": 3000}}
if db:
    cfg["database"] = {"url": db}
json.dump(cfg, open(path, "w"))
PYEOF
	chmod 600 "$T/runbook.json"
	export RUNBOOK_CONFIG=$T/runbook.json RUNBOOK_JOURNAL=$T/journal/j.db
}

# fake_lib SONAME: a shared object of that name with none of the library's functions,
# in $T/lib, found first through LD_LIBRARY_PATH.
fake_lib() {
	mkdir -p "$T/lib"
	echo 'int runbook_fake_library;' >"$T/lib/fake.c"
	cc -shared -fPIC -o "$T/lib/$1" "$T/lib/fake.c"
}

# loaded CMD...: run CMD under LD_DEBUG=files; $T/loaded lists the objects it loaded.
loaded() {
	LD_DEBUG=files LD_DEBUG_OUTPUT=$T/ld "$@" >"$T/out" 2>"$T/err" || true
	cat "$T"/ld.* | sed -n 's/.*file=\([^ ]*\) .*/\1/p' | sort -u >"$T/loaded"
}

case_list_and_version_load_neither() {
	export RUNBOOK_JOURNAL=$T/journal/j.db
	loaded "$RUNBOOK" --version
	assert_file_contains "$T/loaded" libsqlite3 "LD_DEBUG sees the linked libraries"
	assert_file_not_contains "$T/loaded" libcurl "--version"
	assert_file_not_contains "$T/loaded" libpq "--version"
	rm -f "$T"/ld.*
	loaded "$RUNBOOK" list
	assert_file_contains "$T/loaded" libcrypto "list"
	assert_file_not_contains "$T/loaded" libcurl "list"
	assert_file_not_contains "$T/loaded" libpq "list"
	assert_file_not_contains "$T/loaded" libssl "list: no TLS either"
}

case_check_loads_what_it_uses() {
	set_routes "$T/routes.json" "{\"GET /health\": $HEALTH}"
	start_fixture web "$T/routes.json"
	config
	loaded "$RUNBOOK" --json check --only api
	assert_eq ok "$(json_get "$T/out" "j['checks'][0]['status']")" "the api check ran"
	assert_file_contains "$T/loaded" libcurl "check --only api"
	assert_file_not_contains "$T/loaded" libpq "no database check, no libpq"
	rm -f "$T"/ld.*
	config "postgresql://runbook@127.0.0.1:$(free_port)/bilko"
	loaded "$RUNBOOK" --json check --only database
	assert_eq fail "$(json_get "$T/out" "j['checks'][0]['status']")" "nothing listens"
	assert_file_contains "$T/loaded" libpq "check --only database"
}

case_broken_libcurl_one_line_exit_1() {
	set_routes "$T/routes.json" "{\"GET /health\": $HEALTH}"
	start_fixture web "$T/routes.json"
	config
	assert_exit 0 "$RUNBOOK" start api-down --non-interactive --answer platform_status=done
	before=$(sqlite3 "$RUNBOOK_JOURNAL" 'SELECT count(*) FROM events')
	[ "$before" -gt 3 ] || { _why "the first incident journaled only $before events"; return 1; }
	fake_lib libcurl.so.4
	LD_LIBRARY_PATH=$T/lib assert_exit 1 "$RUNBOOK" start api-down --non-interactive
	assert_eq 1 "$(wc -l <"$T/err")" "one line"
	assert_contains "$(cat "$T/err")" "runbook: libcurl.so.4 has no function curl_global_init" "names the library"
	assert_eq "$before" "$(sqlite3 "$RUNBOOK_JOURNAL" 'SELECT count(*) FROM events')" "nothing journaled, nothing lost"
	LD_LIBRARY_PATH=$T/lib assert_exit 1 "$RUNBOOK" check --only api
	assert_contains "$(cat "$T/err")" "runbook: libcurl.so.4 has no function" "check too"
	# commands that do not need it still work
	LD_LIBRARY_PATH=$T/lib assert_exit 0 "$RUNBOOK" list
}

case_broken_libpq_one_line_exit_1() {
	set_routes "$T/routes.json" "{\"GET /health\": $HEALTH}"
	start_fixture web "$T/routes.json"
	config "postgresql://runbook@127.0.0.1:$(free_port)/bilko"
	fake_lib libpq.so.5
	LD_LIBRARY_PATH=$T/lib assert_exit 1 "$RUNBOOK" check --only database
	assert_eq 1 "$(wc -l <"$T/err")" "one line"
	assert_contains "$(cat "$T/err")" "runbook: libpq.so.5 has no function PQ" "names the library"
	# the api check does not need libpq
	LD_LIBRARY_PATH=$T/lib assert_exit 0 "$RUNBOOK" --json check --only api
}

run_cases case_list_and_version_load_neither case_check_loads_what_it_uses \
	case_broken_libcurl_one_line_exit_1 case_broken_libpq_one_line_exit_1
