#!/usr/bin/env bash
# demo.sh - a guided api-down incident against a local sandbox (make demo).
#
# The sandbox: an HTTP fixture playing the Bilko API (down: HTTP 500, an out-of-memory
# crash in its log) and a stand-in `railway` command whose restart brings it back.
# Everything runs on 127.0.0.1 and stops when the incident ends. The demo journal and
# config stay in .demo/ so you can look around afterwards.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEMO=$ROOT/.demo
PY=/usr/bin/python3
RUNBOOK=$ROOT/runbook
FIX_PID=""

stop() {
	if [ -n "$FIX_PID" ] && kill -0 "$FIX_PID" 2>/dev/null; then
		kill "$FIX_PID" 2>/dev/null
		wait "$FIX_PID" 2>/dev/null
	fi
}
trap stop EXIT
trap 'exit 130' INT TERM

mkdir -p "$DEMO/sandbox"
chmod 700 "$DEMO"
SB=$DEMO/sandbox
cat >"$SB/routes.json" <<'JSON'
{"GET /health": {"status": 500, "json": {"error": "upstream crashed"}}}
JSON
cat >"$SB/routes.healthy.json" <<'JSON'
{"GET /health": {"status": 200, "json": {"status": "ok", "db": "ok", "timestamp": "now"}}}
JSON
cat >"$SB/api.log" <<'LOG'
2026-12-04T02:38:01Z Starting Container
2026-12-04T02:38:04Z bilko-api listening on :8080
2026-12-04T02:40:12Z <--- Last few GCs --->
2026-12-04T02:40:12Z FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory
2026-12-04T02:40:13Z npm ERR! code ELIFECYCLE
2026-12-04T02:40:15Z Starting Container
2026-12-04T02:41:40Z FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory
LOG
rm -f "$SB/railway.calls" "$SB/port"

"$PY" "$ROOT/tests/fixtures/http_fixture.py" --port 0 --routes "$SB/routes.json" \
	--log "$SB/requests.log" --ready-file "$SB/port" >/dev/null 2>"$SB/fixture.err" &
FIX_PID=$!
for _ in $(seq 100); do
	[ -s "$SB/port" ] && break
	sleep 0.1
done
if ! [ -s "$SB/port" ]; then
	echo "demo: the sandbox API did not start: $(cat "$SB/fixture.err")" >&2
	exit 1
fi
PORT=$(cat "$SB/port")

cat >"$DEMO/runbook.json" <<JSON
{
  "api":      { "url": "http://127.0.0.1:$PORT", "health_path": "/health", "timeout_ms": 2000 },
  "platform": { "service": "api" },
  "commands": { "logs": "railway logs --service api --tail 50",
                "restart": "railway service restart --service api",
                "rollback": "railway redeploy --service api --previous" },
  "thresholds": { "escalate_after_min": 10 },
  "timing":   { "verify_interval_s": 2, "verify_timeout_s": 60 }
}
JSON
chmod 600 "$DEMO/runbook.json"

export PATH="$ROOT/tests/fixtures:$PATH" RUNBOOK_SANDBOX=$SB
export RUNBOOK_CONFIG=$DEMO/runbook.json RUNBOOK_JOURNAL=$DEMO/journal.db

cat <<MSG

  runbook demo: the Bilko API is down (http://127.0.0.1:$PORT/health answers 500).
  Walk the runbook's §4.1 with the tool. Tips: Enter accepts the suggested answer;
  the restart needs you to type the service name: api

MSG

if [ -t 0 ]; then
	"$RUNBOOK" start api-down --title "Demo: API down"
else
	echo "  (no terminal: answering for you)"
	"$RUNBOOK" start api-down --title "Demo: API down" --non-interactive \
		--answer platform_status=done --answer cause=oom --confirm api
fi
rc=$?
id=$("$RUNBOOK" --json list | "$PY" -c 'import json,sys; i=json.load(sys.stdin)["incidents"]; print(i[-1]["id"] if i else "")')

if [ -n "$id" ]; then
	echo
	"$RUNBOOK" show "$id"
	echo
	"$RUNBOOK" verify
fi
cat <<MSG

  The demo journal is $DEMO/journal.db. Try:
    RUNBOOK_JOURNAL=$DEMO/journal.db ./runbook list
    RUNBOOK_JOURNAL=$DEMO/journal.db ./runbook show ${id:0:8}
    RUNBOOK_JOURNAL=$DEMO/journal.db ./runbook --json show ${id:0:8}
    ./runbook flows show api-down --dot
MSG
exit "$rc"
