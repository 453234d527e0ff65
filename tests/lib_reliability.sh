# shellcheck shell=bash
# lib_reliability.sh - what the reliability tests (tests/integration/reliability_*.sh)
# share, sourced after lib.sh. See docs/reliability.md.
#
#   JTOOL        build/tools/jtool (tests/tools/jtool.c): the journal API from a test
#   SHIM         build/tools/testvfs.so (tests/shim/testvfs.c): the VFS shim, LD_PRELOADed
#   rounds N S [Q]  N; S when RELIABILITY_SLOW=1 (make test-slow); Q (default N/10)
#                when RELIABILITY_QUICK=1 (make valgrind, where each run is slow)
#   with_shim CMD...       run CMD with the shim preloaded (the TESTVFS_* variables set
#                          by the caller apply)
#   offline_sandbox [EXTRA_JSON]  a config for api-down that needs no server: health and
#                          verify fall back to answers; restart runs $RESTART_CMD
#   OFFLINE_ANSWERS        the answers that take that flow to the restart and beyond
# shellcheck disable=SC2034

JTOOL=$BUILD/tools/jtool
SHIM=$BUILD/tools/testvfs.so

rounds() {
	if [ "${RELIABILITY_SLOW:-0}" = 1 ]; then
		echo "$2"
	elif [ "${RELIABILITY_QUICK:-0}" = 1 ]; then
		echo "${3:-$((($1 + 9) / 10))}"
	else
		echo "$1"
	fi
}

# The shim is built without sanitizers; an ASan runbook (make check) accepts it after it.
with_shim() {
	LD_PRELOAD=$SHIM ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" "$@"
}

need_tools() {
	local f
	for f in "$JTOOL" "$SHIM"; do
		if [ ! -x "$f" ] && [ ! -f "$f" ]; then
			_why "$f is missing: run make unit"
			return 1
		fi
	done
}

OFFLINE_ANSWERS=(--answer platform_status=done --answer health=db_fail --answer cause=oom
	--answer verify=ok)

# offline_sandbox RESTART_CMD [EXTRA_JSON]: $T/runbook.json for api-down without any
# server; exports RUNBOOK_CONFIG, RUNBOOK_JOURNAL ($T/journal/j.db), RUNBOOK_OPERATOR.
offline_sandbox() {
	"$PY" - "$T/runbook.json" "$1" "${2:-{\}}" <<'PYEOF'
import json, sys
path, restart, extra = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
cfg = {
    "platform": {"service": "api"},
    "commands": {"logs": "echo 'FATAL ERROR: JavaScript heap out of memory'",
                 "restart": restart},
    "timing": {"verify_interval_s": 0.05, "verify_timeout_s": 0.2},
}
for k, v in extra.items():
    cfg.setdefault(k, {}).update(v) if isinstance(v, dict) else cfg.__setitem__(k, v)
json.dump(cfg, open(path, "w"))
PYEOF
	chmod 600 "$T/runbook.json"
	export RUNBOOK_CONFIG=$T/runbook.json RUNBOOK_JOURNAL=$T/journal/j.db
	export RUNBOOK_OPERATOR=alice
}

# kinds ID: the incident's events as "state:kind" words.
kinds() {
	"$RUNBOOK" --json show "$1" >"$T/show.json"
	json_get "$T/show.json" "' '.join(e['state'] + ':' + e['kind'] for e in j['events'])"
}

# has_command NAME: runbook has the subcommand (other work lands over time).
has_command() {
	"$RUNBOOK" --help 2>/dev/null | grep -q "^  $1 "
}
