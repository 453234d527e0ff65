#!/usr/bin/env bash
# reliability_privilege.sh - least privilege (docs/reliability.md, item 10): a
# configured command that is a relative path, or that is found through a directory
# anyone can write to, is refused (outcome fail, journaled, nothing run). The journal
# and config modes have their tests already: tests/unit/test_journal.c (modes,
# loose_modes_refused), tests/unit/test_config.c (literal_secrets,
# env_secret_world_readable), tests/integration/api_down.sh (journal_modes,
# journal_unwritable).
# shellcheck disable=SC2154,SC2317
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=../lib_reliability.sh
. "$ROOT/tests/lib_reliability.sh"

# restart_with CMD: run the offline incident with commands.restart = CMD from $T;
# sets RESULT to the restart's action.result data (JSON).
restart_with() {
	offline_sandbox "$1"
	(cd "$T" && "$RUNBOOK" start api-down --non-interactive "${OFFLINE_ANSWERS[@]}" \
		--confirm api) >"$T/out" 2>"$T/err" || true
	id=$(head -n 1 "$T/out")
	kinds "$id" >/dev/null
	RESULT=$(json_get "$T/show.json" "[e['data'] for e in j['events'] if e['kind']=='action.result'][0]")
}

# an executable DIR/NAME that leaves $T/ran
make_program() {
	mkdir -p "$1"
	printf '#!/bin/sh\ntouch %s/ran\n' "$T" >"$1/$2"
	chmod 755 "$1/$2"
}

case_relative_path_refused() {
	make_program "$T/bin" restart
	restart_with "bin/restart --service api"
	assert_contains "$RESULT" '"outcome": "fail"' "outcome fail"
	assert_contains "$RESULT" "refused: 'bin/restart' is a relative path" "says why"
	[ ! -e "$T/ran" ] || { _why "the relative program ran"; return 1; }
	assert_contains "$(cat "$T/out")" "is a relative path" "the operator sees it"
	restart_with "./bin/restart"
	assert_contains "$RESULT" "refused: './bin/restart' is a relative path" "./ too"
	[ ! -e "$T/ran" ] || { _why "the relative program ran"; return 1; }
}

case_world_writable_dir_refused() {
	make_program "$T/open" bilko-restart
	chmod 777 "$T/open"
	PATH="$T/open:$PATH" restart_with "bilko-restart --service api"
	assert_contains "$RESULT" "refused: 'bilko-restart' is found in '$T/open', which anyone can write to" "says why"
	[ ! -e "$T/ran" ] || { _why "a program from a world-writable directory ran"; return 1; }
	# the control: the same directory made safe, it runs
	chmod 755 "$T/open"
	PATH="$T/open:$PATH" restart_with "bilko-restart --service api"
	assert_contains "$RESULT" '"outcome": "ok"' "runs from a safe directory"
	[ -e "$T/ran" ] || { _why "the program did not run"; return 1; }
}

run_cases case_relative_path_refused case_world_writable_dir_refused
