#!/usr/bin/env bash
# export.sh - postmortem export, resolve/abandon, note kinds and list filters: real
# api-down incidents (the HTTP fixture and the railway stand-in, as api_down.sh drives
# them) on a test-only clock and ids, exported to Markdown, JSON and HTML and compared
# byte for byte with tests/golden/ (UPDATE_GOLDEN=1 rewrites the goldens); hostile
# operator text; a killed destructive action; the HTML rendered by headless Chromium to
# a screenshot and an A4 PDF.
# shellcheck disable=SC2154,SC2317
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"

GOLDEN=$ROOT/tests/golden
CHECK=$FIXTURES/export_check.py
SCHEMA=$ROOT/docs/export-schema.json
HEALTHY='{"GET /health": {"status": 200, "json": {"status": "ok", "db": "ok", "timestamp": "t"}}}'
OOM_LOG='Starting Container
FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory'

# sandbox ROUTES_JSON [EXTRA_CONFIG_JSON]: as in api_down.sh.
sandbox() {
	use_railway
	set_routes "$RUNBOOK_SANDBOX/routes.json" "$1"
	set_routes "$RUNBOOK_SANDBOX/routes.healthy.json" "$HEALTHY"
	printf '%s\n' "$OOM_LOG" >"$RUNBOOK_SANDBOX/api.log"
	start_fixture api "$RUNBOOK_SANDBOX/routes.json"
	"$PY" - "$T/runbook.json" "$api_URL" "${2:-{\}}" <<'PYEOF'
import json, sys
path, url, extra = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
cfg = {
    "api": {"url": url, "health_path": "/health", "timeout_ms": 1000},
    "platform": {"service": "api"},
    "commands": {"logs": "railway logs --service api --tail 50",
                 "restart": "railway service restart --service api",
                 "rollback": "railway redeploy --service api --previous"},
    "timing": {"verify_interval_s": 0.2, "verify_timeout_s": 3},
}
for k, v in extra.items():
    cfg.setdefault(k, {}).update(v) if isinstance(v, dict) else cfg.__setitem__(k, v)
json.dump(cfg, open(path, "w"))
PYEOF
	chmod 600 "$T/runbook.json"
	export RUNBOOK_CONFIG=$T/runbook.json RUNBOOK_JOURNAL=$T/journal/j.db
	export RUNBOOK_OPERATOR=alice
}

# at TIME SEED CMD...: run CMD on the test-only clock (TIME, +1.5 s a reading) and ids.
# runbook itself ignores them: $RUNBOOK becomes $BUILD/tools/runbook-hooks, the same
# program with the test hooks on (tests/hooks/test_hooks.c).
at() {
	local when=$1 seed=$2 cmd=$3
	shift 3
	[ "$cmd" != "$RUNBOOK" ] || cmd=$BUILD/tools/runbook-hooks
	RUNBOOK_FAKE_NOW=$when RUNBOOK_FAKE_STEP_MS=1500 RUNBOOK_FAKE_SEED=$seed "$cmd" "$@"
}

# golden NAME FILE: FILE, normalised, must equal tests/golden/NAME (UPDATE_GOLDEN=1: write it).
golden() {
	local want=$GOLDEN/$1 got=$T/$1.normalised
	"$PY" "$CHECK" normalise "$2" --tmp "$T_ROOT" --who "$(id -un)@$(hostname)" \
		--user "$(id -un)" --host "$(hostname)" >"$got"
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		mkdir -p "$GOLDEN"
		cp "$got" "$want"
		echo "  wrote $want" >&2
		return 0
	fi
	if ! cmp -s "$want" "$got"; then
		_why "$1 differs from its golden (UPDATE_GOLDEN=1 rewrites it)"
		diff -u "$want" "$got" | head -40 >&2
		return 1
	fi
}

# export_all ID NAME: md, json and html of ID into $T/NAME.{md,json,html}; each twice,
# and the two runs must give the same bytes.
export_all() {
	local f
	for f in md json html; do
		assert_exit 0 "$RUNBOOK" export "$1" --format "$f" -o "$T/$2.$f"
		assert_exit 0 "$RUNBOOK" export "${1:0:8}" --format "$f" -o "$T/$2.again.$f"
		cmp -s "$T/$2.$f" "$T/$2.again.$f" || {
			_why "$2.$f: two exports differ"
			return 1
		}
		assert_exit 0 "$PY" "$CHECK" utf8 "$T/$2.$f"
	done
	assert_exit 0 "$PY" "$CHECK" schema "$SCHEMA" "$T/$2.json"
}

incident() { head -n 1 "$T/out"; }

# The acceptance incident: the API answers 500, the log shows OOM, the operator picks
# oom, confirms the restart, the health check passes: resolved. Then two people write
# the postmortem's sections with note --kind.
resolved_incident() {
	sandbox '{"GET /health": {"status": 500, "body": "Internal Server Error"}}'
	assert_exit 0 at 2026-12-04T03:00:00Z 11 "$RUNBOOK" start api-down \
		--title "API down: all requests failing" --non-interactive \
		--answer platform_status=crashed --answer cause=oom --confirm api
	id=$(incident)
	at 2026-12-04T03:20:00Z 12 "$RUNBOOK" --operator bob note "$id" --kind summary \
		"The API ran out of memory and answered 500 to every request for a minute."
	at 2026-12-04T03:21:00Z 13 "$RUNBOOK" --operator bob note "$id" --kind impact \
		"All API requests failed; customers could not load invoices."
	at 2026-12-04T03:22:00Z 14 "$RUNBOOK" note "$id" --kind root-cause \
		"A memory leak in the PDF renderer under the month-end load."
	at 2026-12-04T03:23:00Z 15 "$RUNBOOK" note "$id" --kind trigger "Month-end invoice run."
	at 2026-12-04T03:24:00Z 16 "$RUNBOOK" note "$id" --kind detection \
		"Customer reports in #support, then the health check."
	at 2026-12-04T03:25:00Z 17 "$RUNBOOK" note "$id" --kind resolution \
		"Restarted the service; memory back to normal."
	at 2026-12-04T03:26:00Z 18 "$RUNBOOK" --operator bob note "$id" --kind action-item \
		"Alert on heap usage above 80%."
	at 2026-12-04T03:27:00Z 19 "$RUNBOOK" note "$id" --kind lesson \
		"The log scan found the cause in seconds."
	at 2026-12-04T03:28:00Z 20 "$RUNBOOK" note "$id" "Untagged: the dashboard lagged."
}

case_resolved_golden() {
	resolved_incident
	export_all "$id" resolved
	golden export_resolved.md "$T/resolved.md"
	golden export_resolved.json "$T/resolved.json"
	golden export_resolved.html "$T/resolved.html"
	# every section of the template, in order, even the empty ones
	local h
	h=$(grep '^## ' "$T/resolved.md" | tr '\n' '|')
	assert_eq "## Summary|## Impact|## Root cause|## Trigger|## Resolution|## Detection|## Metrics|## Actions|## Diagnostics|## Action items|## Lessons learned|## Other notes|## Timeline|## Integrity|" "$h" "sections"
	assert_file_contains "$T/resolved.md" "| Time to resolve | 1 min"
	assert_file_contains "$T/resolved.md" "**completed**: exit 0"
	assert_file_contains "$T/resolved.md" "\`verify\` at export: **ok**"
	# the head hash printed is the journal's
	assert_exit 0 "$RUNBOOK" --json verify
	head=$(json_get "$T/out" "j['head']['hash']")
	assert_eq "$head" "$(json_get "$T/resolved.json" "j['integrity']['journal_head']['hash']")" "head hash"
	assert_file_contains "$T/resolved.md" "runbook verify --head $head"
	assert_eq 26 "$(json_get "$T/resolved.json" "len(j['timeline'])")" "every event"
	assert_eq "$("$RUNBOOK" --json show "$id" | json_get - "len(j['events'])")" \
		"$(json_get "$T/resolved.json" "len(j['timeline'])")" "as many events as show"
	# self-contained HTML: no script, nothing fetched, a CSP that forbids both
	assert_file_not_contains "$T/resolved.html" "<script"
	assert_file_not_contains "$T/resolved.html" "href="
	assert_file_not_contains "$T/resolved.html" "src="
	assert_file_not_contains "$T/resolved.html" "url("
	assert_file_contains "$T/resolved.html" "default-src 'none'"
	assert_file_contains "$T/resolved.html" "@page{size:A4"
	# --stamp adds the time and who, only then
	assert_file_not_contains "$T/resolved.md" "exported 20"
	assert_exit 0 at 2026-12-05T09:00:00Z 21 "$RUNBOOK" export "$id" --stamp
	assert_contains "$(cat "$T/out")" "_exported 2026-12-05T09:00:00.000Z by alice_" "stamp"
}

# Refused (wrong name typed), verify times out, the escalation timer fires mid-flow and
# the flow escalates: escalated.
case_escalated_golden() {
	sandbox '{"GET /health": {"status": 503, "json": {"status": "degraded", "db": "ok"}}}' \
		'{"thresholds": {"escalate_after_min": 0.4}}'
	assert_exit 0 at 2026-12-04T04:00:00Z 31 "$RUNBOOK" start api-down --severity P2 \
		--non-interactive --answer platform_status=done --answer cause=oom --confirm apii
	id=$(incident)
	export_all "$id" escalated
	golden export_escalated.md "$T/escalated.md"
	golden export_escalated.json "$T/escalated.json"
	golden export_escalated.html "$T/escalated.html"
	assert_eq escalated "$(json_get "$T/escalated.json" "j['incident']['end']")" "end"
	assert_eq timer "$(json_get "$T/escalated.json" "j['incident']['escalated']['reason']")" "timer"
	assert_eq refused "$(json_get "$T/escalated.json" "[a['status'] for a in j['actions']][0]")" "refused"
	assert_file_contains "$T/escalated.md" "**refused**: typed 'apii', expected 'api'"
	assert_file_contains "$T/escalated.html" "escalated (timer)"
	# a dry run of the same: its skip is in the actions, the header says so
	assert_exit 0 at 2026-12-04T05:00:00Z 32 "$RUNBOOK" start api-down --dry-run \
		--non-interactive --answer platform_status=done --answer cause=bad_deploy
	assert_exit 0 "$RUNBOOK" export "$(incident)" --format json -o "$T/dry.json"
	assert_eq dry_run "$(json_get "$T/dry.json" "[a['status'] for a in j['actions']][0]")" "dry run"
	assert_eq true "$(json_get "$T/dry.json" "j['incident']['dry_run']")" "dry run flagged"
	assert_exit 0 "$RUNBOOK" export "$(json_get "$T/dry.json" "j['incident']['id']")"
	assert_contains "$(cat "$T/out")" "| Mode | dry run" "header"
}

case_killed_action_flagged() {
	sandbox '{"GET /health": {"status": 500, "body": "x"}}'
	# a restart that never finishes: the process is killed mid-action
	"$PY" - "$T/runbook.json" "$T/started" <<'PYEOF'
import json, sys
c = json.load(open(sys.argv[1])); c["commands"]["restart"] = "echo $$ > %s; exec sleep 60" % sys.argv[2]
json.dump(c, open(sys.argv[1], "w"))
PYEOF
	"$RUNBOOK" start api-down --non-interactive --answer platform_status=done \
		--answer cause=oom --confirm api >"$T/out" 2>"$T/err" &
	pid=$!
	for _ in $(seq 100); do [ -s "$T/started" ] && break; sleep 0.1; done
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
	kill "$(cat "$T/started")" 2>/dev/null || true
	id=$(incident)
	export_all "$id" killed
	assert_file_contains "$T/killed.md" "Warning: 1 action(s) have no recorded result"
	assert_file_contains "$T/killed.md" "(DESTRUCTIVE)"
	assert_file_contains "$T/killed.md" "**no result recorded — process ended**"
	assert_file_contains "$T/killed.html" "no result recorded — process ended"
	assert_file_contains "$T/killed.html" "class=\"noresult\""
	assert_eq no_result "$(json_get "$T/killed.json" "[a['status'] for a in j['actions'] if a['state']=='restart'][0]")" "json status"
	assert_eq true "$(json_get "$T/killed.json" "[e['no_result'] for e in j['timeline'] if e['kind']=='action.intent'][0]")" "timeline flag"
	assert_eq 1 "$(json_get "$T/killed.json" "j['counts']['no_result']")" "count"
	# the operator says what happened: the pair is complete, the flag goes away
	set_routes "$RUNBOOK_SANDBOX/routes.json" "$HEALTHY"
	assert_exit 0 "$RUNBOOK" resume "$id" --answer restart=completed
	assert_exit 0 "$RUNBOOK" export "$id" --format json -o "$T/after.json"
	assert_eq '["completed", "alice"]' "$(json_get "$T/after.json" "[[a['status'], a['reported_by']] for a in j['actions'] if a['state']=='restart'][0]")" "reported"
	assert_eq 0 "$(json_get "$T/after.json" "j['counts']['no_result']")" "no flag"
}

case_hostile_text() {
	sandbox "$HEALTHY"
	local title='<script>alert(1)</script> **bold** | [x](http://evil.example) `tick` # h'
	assert_exit 0 "$RUNBOOK" start api-down --title "$title" --non-interactive \
		--answer platform_status=done
	id=$(incident)
	"$RUNBOOK" --operator '<img src=x onerror=alert(2)>' note "$id" --kind impact \
		'=HYPERLINK("http://evil.example","click") <b>&amp;</b> ```` ~~~ - list
# heading
1. ordered
> quote'
	printf 'bad \xff\xfe bytes \xc3\x28 and \xe2\x80\xae reversed \x1b[31m red\n' |
		"$RUNBOOK" note "$id" --kind lesson -
	"$PY" -c 'import sys; sys.stdout.write("y" * 1000000)' | "$RUNBOOK" note "$id" -
	assert_exit 0 "$RUNBOOK" export "$id" --format md -o "$T/h.md"
	assert_exit 0 "$RUNBOOK" export "$id" --format html -o "$T/h.html"
	assert_exit 0 "$RUNBOOK" export "$id" --format json -o "$T/h.json"
	for f in h.md h.html h.json; do
		assert_exit 0 "$PY" "$CHECK" utf8 "$T/$f"
		[ "$(stat -c %s "$T/$f")" -lt 200000 ] || {
			_why "$f is not bounded: $(stat -c %s "$T/$f") bytes"
			return 1
		}
		assert_file_contains "$T/$f" "truncated: 1000000 bytes in all"
		assert_file_not_contains "$T/$f" "$(printf '\x1b')"
	done
	assert_exit 0 "$PY" "$CHECK" schema "$SCHEMA" "$T/h.json"
	# HTML: every operator string escaped, nothing runs, nothing links out
	if grep -a -i -q '<script\|<img' "$T/h.html"; then
		_why "raw markup in the HTML: $(grep -a -i -o '<script[^>]*>\|<img[^>]*>' "$T/h.html" | head -3)"
		return 1
	fi
	assert_file_contains "$T/h.html" "&lt;b&gt;&amp;amp;&lt;/b&gt;"
	assert_file_contains "$T/h.html" "&lt;script&gt;alert(1)&lt;/script&gt;"
	assert_file_contains "$T/h.html" "&lt;img src=x onerror=alert(2)&gt;"
	assert_file_contains "$T/h.html" "=HYPERLINK(&quot;http://evil.example&quot;,&quot;click&quot;)"
	assert_file_not_contains "$T/h.html" "href="
	# Markdown: metacharacters escaped, HTML as entities
	assert_file_contains "$T/h.md" "# Postmortem: &lt;script&gt;alert(1)&lt;/script&gt; \\*\\*bold\\*\\* \\| \\[x\\](http://evil.example) \\\`tick\\\` \\# h"
	assert_file_contains "$T/h.md" "&lt;img src=x onerror=alert(2)&gt;"
	assert_file_contains "$T/h.md" "\\# heading"
	assert_file_contains "$T/h.md" "1\\. ordered"
	assert_file_contains "$T/h.md" "&gt; quote"
	if grep -a -q '<script\|<img\|<b>' "$T/h.md"; then
		_why "raw markup in the Markdown"
		return 1
	fi
	# invalid UTF-8 and controls replaced, the bidi override too
	assert_file_contains "$T/h.md" "bad �� bytes �( and � reversed �\\[31m red"
	# JSON: the text as data, cleaned the same way
	assert_eq '=HYPERLINK("http://evil.example","click") <b>&amp;</b> ```` ~~~ - list' \
		"$(json_get "$T/h.json" "j['sections']['impact']['entries'][0]['text'].splitlines()[0]")" "json text"
	assert_eq "$title" "$(json_get "$T/h.json" "j['incident']['title']")" "json title"
}

case_resolve_and_abandon() {
	sandbox '{"GET /health": {"status": 500, "body": "x"}}'
	# no --confirm and no terminal: both pause before the restart
	assert_exit 3 "$RUNBOOK" start api-down --non-interactive --answer platform_status=done \
		--answer cause=oom
	a=$(incident)
	assert_exit 3 "$RUNBOOK" --operator bob start api-down --non-interactive \
		--answer platform_status=done --answer cause=bad_deploy
	b=$(incident)
	assert_exit 0 "$RUNBOOK" list --status open
	assert_eq 2 "$(grep -c api-down "$T/out")" "two open"
	assert_exit 0 "$RUNBOOK" resolve "${a:0:8}" --root-cause "leak in the renderer"
	assert_contains "$(cat "$T/err")" "closed INC ${a:0:8} as resolved" "said"
	assert_exit 2 "$RUNBOOK" resolve "$a"
	assert_contains "$(cat "$T/err")" "incident '${a:0:8}' is already closed (resolved)" "refused"
	assert_exit 2 "$RUNBOOK" abandon "$b"
	assert_contains "$(cat "$T/err")" "abandon needs --reason TEXT" "reason required"
	assert_exit 0 "$RUNBOOK" --json abandon "$b" --reason "duplicate of ${a:0:8}"
	assert_eq aborted "$(json_get "$T/out" "j['end']")" "aborted"
	assert_exit 2 "$RUNBOOK" abandon "$b" --reason again
	assert_exit 2 "$RUNBOOK" resume "$a"
	# the journal says it, by whom
	"$RUNBOOK" --json show "$a" >"$T/show.json"
	assert_eq '{"end": "resolved", "by": "operator", "root_cause": "leak in the renderer"}' \
		"$(json_get "$T/show.json" "{k: v for k, v in [e for e in j['events'] if e['kind'] == 'incident.closed'][0]['data'].items() if k != 'elapsed_s'}")" "closed event"
	assert_exit 0 "$RUNBOOK" export "$a" --format json -o "$T/a.json"
	assert_eq "True leak in the renderer resolve" "$(json_get "$T/a.json" "' '.join(str(x) for x in [j['incident']['closed_by_hand'], j['sections']['root_cause']['entries'][-1]['text'], j['sections']['root_cause']['entries'][-1]['source']])")" "root cause"
	assert_exit 0 "$RUNBOOK" export "$b"
	assert_contains "$(cat "$T/out")" "closed as aborted by alice: duplicate of ${a:0:8}" "reason"
	# list filters
	assert_exit 0 "$RUNBOOK" list --status closed --operator bob
	assert_eq 1 "$(grep -c "${b:0:8}" "$T/out")" "bob's"
	assert_not_contains "$(cat "$T/out")" "${a:0:8}" "not alice's only"
	assert_exit 0 "$RUNBOOK" --json list --flow api-down
	assert_eq 2 "$(json_get "$T/out" "len(j['incidents'])")" "by flow"
	assert_exit 0 "$RUNBOOK" --json list --flow deploy
	assert_eq 0 "$(json_get "$T/out" "len(j['incidents'])")" "other flow"
	assert_exit 0 "$RUNBOOK" --json list --status open
	assert_eq 0 "$(json_get "$T/out" "len(j['incidents'])")" "none open"
	assert_exit 2 "$RUNBOOK" list --status maybe
	assert_contains "$(cat "$T/err")" "--status 'maybe' is not one of open, closed" "bad status"
}

case_note_kinds() {
	sandbox "$HEALTHY"
	assert_exit 0 "$RUNBOOK" start api-down --non-interactive --answer platform_status=done
	id=$(incident)
	for k in summary impact root-cause trigger resolution detection action-item lesson; do
		assert_exit 0 "$RUNBOOK" note "$id" --kind "$k" "text for $k"
	done
	assert_exit 2 "$RUNBOOK" note "$id" --kind gossip "x"
	assert_contains "$(cat "$T/err")" "note kind 'gossip' is not one of summary, impact, root-cause" "bad kind"
	assert_exit 0 "$RUNBOOK" export "$id" --format json -o "$T/k.json"
	for pair in summary:summary impact:impact root_cause:root-cause trigger:trigger \
		resolution:resolution detection:detection action_items:action-item lessons:lesson; do
		assert_eq "text for ${pair#*:}" \
			"$(json_get "$T/k.json" "[e['text'] for e in j['sections']['${pair%%:*}']['entries'] if e['source'] == 'note'][0]")" "$pair"
	done
	assert_eq '{"text": "text for lesson", "kind": "lesson"}' \
		"$("$RUNBOOK" --json show "$id" | json_get - "j['events'][-1]['data']")" "note data"
	# --json: one JSON document on stdout (cli.md), naming the event
	assert_exit 0 "$RUNBOOK" --json note "$id" --kind lesson "one more"
	assert_eq "$id note lesson" "$(json_get "$T/out" "'%s %s %s' % (j['incident'], j['kind'], j['note_kind'])")" "note --json"
	assert_eq "one more" "$("$RUNBOOK" --json show "$id" | json_get - "[e['data']['text'] for e in j['events'] if e['seq'] == $(json_get "$T/out" "j['seq']")][0]")" "its seq"
}

case_render_in_chromium() {
	if ! command -v chromium >/dev/null 2>&1; then
		t_skip "chromium not installed (scripts/deps.sh installs it)"
		return 0
	fi
	resolved_incident
	assert_exit 0 "$RUNBOOK" export "$id" --format html -o "$T/report.html"
	local flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
		--disable-background-networking --disable-component-update --disable-sync)
	timeout 120 chromium "${flags[@]}" --user-data-dir="$T/chrome1" \
		--screenshot="$T/report.png" --window-size=1240,1754 "file://$T/report.html" \
		>"$T/chrome.out" 2>&1 || true
	[ -s "$T/report.png" ] || {
		_why "no screenshot: $(tail -3 "$T/chrome.out")"
		return 1
	}
	echo "  screenshot: $T/report.png" >&2
	# the picture sits under the header table, in the upper part of the page
	assert_exit 0 "$PY" "$CHECK" png "$T/report.png" 0.15 0.40
	cat "$T/out" >&2
	timeout 120 chromium "${flags[@]}" --user-data-dir="$T/chrome2" --no-pdf-header-footer \
		--print-to-pdf="$T/report.pdf" "file://$T/report.html" >"$T/chrome.out" 2>&1 || true
	[ -s "$T/report.pdf" ] || {
		_why "no PDF: $(tail -3 "$T/chrome.out")"
		return 1
	}
	assert_exit 0 "$PY" "$CHECK" pdf "$T/report.pdf"
	cat "$T/out" >&2
}

case_large_incident_bounded() {
	local n=100000 id limits=1
	# under the sanitizers (make check) memory and time mean nothing: fewer events, no limits
	if ldd "$RUNBOOK" 2>/dev/null | grep -q 'libasan\|libubsan'; then
		n=20000 limits=0
	fi
	export RUNBOOK_JOURNAL=$T/big/j.db
	id=$(RUNBOOK_FAKE_NOW=2026-12-04T03:00:00Z RUNBOOK_FAKE_STEP_MS=200 \
		"$BUILD/tools/mkincident" "$RUNBOOK_JOURNAL" "$n")
	for f in md html json; do
		"$PY" - "$RUNBOOK" "$id" "$f" "$T/big.$f" "$limits" >"$T/usage" <<'PYEOF' || {
import resource, subprocess, sys, time
t = time.monotonic()
rc = subprocess.call([sys.argv[1], "export", sys.argv[2], "--format", sys.argv[3], "-o", sys.argv[4]],
                     stderr=subprocess.DEVNULL)
el = time.monotonic() - t
kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print("%s: %.2f s, %d KB max RSS, exit %d" % (sys.argv[3], el, kb, rc))
sys.exit(0 if rc == 0 and (sys.argv[5] == "0" or (kb < 64 * 1024 and el < 10)) else 1)
PYEOF
			_why "export $f of $n events: $(cat "$T/usage")"
			return 1
		}
		echo "  $(cat "$T/usage")" >&2
	done
	assert_eq "$n" "$(grep -c '^- `2026-' "$T/big.md")" "every event in the Markdown timeline"
	assert_eq "$n" "$(grep -c '^<tr[^>]*><td>[0-9]*</td><td class="ts">' <(sed -n '/id="timeline"/,$p' "$T/big.html"))" "every event in the HTML timeline"
	assert_eq "$n" "$(json_get "$T/big.json" "len(j['timeline'])")" "every event in the JSON"
}

case_broken_journal_says_so() {
	sandbox "$HEALTHY"
	assert_exit 0 "$RUNBOOK" start api-down --non-interactive --answer platform_status=done
	id=$(incident)
	"$PY" - "$T/journal/j.db" <<'PYEOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for (name,) in db.execute("select name from sqlite_master where type='trigger'").fetchall():
    db.execute('drop trigger "%s"' % name)
d = db.execute("select data from events where seq=3").fetchone()[0]
db.execute("update events set data=? where seq=3", (d.replace("done", "DONE", 1),))
db.commit()
PYEOF
	assert_exit 5 "$RUNBOOK" export "$id" -o "$T/broken.md"
	assert_contains "$(cat "$T/err")" "the journal failed verification" "said on stderr"
	assert_file_contains "$T/broken.md" "Warning: the journal failed verification at export"
	assert_file_contains "$T/broken.md" "**FAILED**"
}

case_usage_errors() {
	sandbox "$HEALTHY"
	assert_exit 0 "$RUNBOOK" start api-down --non-interactive --answer platform_status=done
	id=$(incident)
	assert_exit 2 "$RUNBOOK" export "$id" --format pdf
	assert_contains "$(cat "$T/err")" "format 'pdf' is not one of md, json, html" "format"
	assert_exit 2 "$RUNBOOK" export 0123456789
	assert_exit 2 "$RUNBOOK" export
	assert_exit 1 "$RUNBOOK" export "$id" -o "$T/no/such/dir/r.md"
	assert_contains "$(cat "$T/err")" "unable to write '$T/no/such/dir/r.md': no such file or directory" "write error, lowercase"
	assert_eq "" "$(ls "$T" | grep '\.tmp\.' || true)" "no temporary file left"
	# what is not a regular file is written in place, never replaced (a device, a FIFO,
	# a symbolic link): /dev/full says so and stays a device
	assert_exit 1 "$RUNBOOK" export "$id" -o /dev/full
	assert_eq "runbook: unable to write '/dev/full': no space left on device" "$(cat "$T/err")" "one line"
	[ -c /dev/full ] || { _why "/dev/full is no longer a device"; return 1; }
	mkfifo "$T/fifo"
	cat "$T/fifo" >"$T/from_fifo" &
	reader=$!
	assert_exit 0 "$RUNBOOK" export "$id" -o "$T/fifo"
	wait "$reader"
	[ -p "$T/fifo" ] || { _why "the FIFO was replaced"; return 1; }
	assert_file_contains "$T/from_fifo" "# Postmortem: " "the report went through the FIFO"
	echo old >"$T/target.md"
	ln -s target.md "$T/link.md"
	assert_exit 0 "$RUNBOOK" export "$id" -o "$T/link.md"
	[ -L "$T/link.md" ] || { _why "the link was replaced"; return 1; }
	assert_file_contains "$T/target.md" "# Postmortem: " "written through the link"
	# --json alone means the JSON format
	assert_exit 0 "$RUNBOOK" --json export "$id"
	assert_eq runbook-postmortem "$(json_get "$T/out" "j['format']")" "json"
}

# The shipped binary ignores the test clock and ids: they would let anyone backdate
# events or give two incidents the same id (found by the journal.md audit).
case_shipped_binary_ignores_test_hooks() {
	sandbox "$HEALTHY"
	export RUNBOOK_FAKE_NOW=2020-01-01T00:00:00Z RUNBOOK_FAKE_STEP_MS=1500 RUNBOOK_FAKE_SEED=7
	"$RUNBOOK" start api-down --non-interactive --answer platform_status=done >"$T/a" 2>/dev/null || true
	"$RUNBOOK" start api-down --non-interactive --answer platform_status=done >"$T/b" 2>/dev/null || true
	a=$(head -n 1 "$T/a") b=$(head -n 1 "$T/b")
	assert_eq 36 "${#a}" "an incident id"
	[ "$a" != "$b" ] || { _why "two incidents got the same id $a"; return 1; }
	assert_eq 0 "$(sqlite3 "$RUNBOOK_JOURNAL" "SELECT count(*) FROM events WHERE ts LIKE '2020-%'")" "no event on the fake clock"
	assert_eq "$(sqlite3 "$RUNBOOK_JOURNAL" 'SELECT count(*) FROM events')" \
		"$(sqlite3 "$RUNBOOK_JOURNAL" 'SELECT count(DISTINCT id) FROM events')" "every event id distinct"
	# the control: the hooks binary does read them
	"$BUILD/tools/runbook-hooks" start api-down --non-interactive --answer platform_status=done >"$T/c" 2>/dev/null || true
	assert_eq 1 "$(sqlite3 "$RUNBOOK_JOURNAL" "SELECT count(DISTINCT incident) FROM events WHERE ts LIKE '2020-01-01T%'")" "runbook-hooks uses the test clock"
}

run_cases case_resolved_golden case_escalated_golden case_killed_action_flagged \
	case_shipped_binary_ignores_test_hooks \
	case_hostile_text case_resolve_and_abandon case_note_kinds case_render_in_chromium \
	case_large_incident_bounded case_broken_journal_says_so case_usage_errors
