#!/usr/bin/env bash
# run.sh - the benchmark of docs/performance.md: every figure of issue 9 measured side by
# side in one run, each against its comparison, medians with min/max over repeated runs.
#
#   bench/run.sh                  full sizes (10k, 100k, 1M events); rewrites
#                                 docs/performance.md and docs/performance-scaling.svg
#   BENCH_SMOKE=1 bench/run.sh    tiny sizes, every figure's code path, report to a
#                                 temp file (CI: make bench-smoke)
#   BENCH_OUT=DIR                 write the report there instead
#
# Needs `make all bench-bins` (the Makefile targets do it). Public tools only:
# build/bench/timeit (fork/exec timing and ru_maxrss, the figure /usr/bin/time -v
# shows), /usr/bin/time -v (cross-check), curl, psql, sqlite3, sha256sum, perf when
# installed. Servers (the HTTP fixture, PostgreSQL) run on 127.0.0.1 and are stopped by
# tests/lib.sh's cleanup.
# shellcheck disable=SC2154
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../tests/lib.sh
. "$HERE/../tests/lib.sh"
# shellcheck source=../tests/lib_pg.sh
. "$HERE/../tests/lib_pg.sh"

B=$BUILD/bench
SMOKE=${BENCH_SMOKE:-0}
if [ "$SMOKE" = 1 ]; then
	SIZES="1000 2000 5000" RUNS=2 QRUNS=3 SRUNS=3 APPENDS=200 BATCH=2000 FSYNC_S=0.5
	EXPORT_SIZES="1000 3000" SWEEP_RUNS=1
	OUT=${BENCH_OUT:-$T/report}
else
	SIZES="10000 100000 1000000" RUNS=3 QRUNS=10 SRUNS=30 APPENDS=3000 BATCH=10000
	FSYNC_S=2 EXPORT_SIZES="10000 100000 1000000" SWEEP_RUNS=5
	OUT=${BENCH_OUT:-$ROOT/docs}
fi
M=$T/m     # one file per measurement
J=$T/j     # the journals (0700: journal_open refuses looser)
mkdir -p "$M" "$J" "$OUT"
chmod 700 "$J"
export RUNBOOK_OPERATOR=bench
unset RUNBOOK_FAKE_NOW RUNBOOK_FAKE_STEP_MS RUNBOOK_CONFIG RUNBOOK_JOURNAL_KEY
START=$(date +%s)

say() { printf 'bench: %s\n' "$*" >&2; }
die() {
	printf 'bench: %s\n' "$*" >&2
	exit 1
}
for bin in "$RUNBOOK" "$B/gen_journal" "$B/timeit" "$B/fsync_rate" "$B/startup_floor" \
	"$B/sqlite_commit_rate"; do
	[ -x "$bin" ] || die "missing $bin (run make all bench-bins)"
done
for tool in sqlite3 sha256sum curl psql; do
	command -v "$tool" >/dev/null || die "missing $tool (scripts/deps.sh installs it)"
done

# timed NAME RUNS [timeit options] -- CMD...: append RUNS timed runs to $M/NAME (one
# "ms= rss_kb= rc=" line each, after one warm-up run).
timed() {
	local name=$1 runs=$2
	shift 2
	"$B/timeit" -r "$runs" -w 1 "$@" >>"$M/$name" || die "$name: a run failed: $*"
}

# once NAME [timeit options] -- CMD...: one run, no warm-up (state-changing commands).
once() {
	local name=$1
	shift
	"$B/timeit" -r 1 -w 0 "$@" >>"$M/$name" || die "$name: failed: $*"
}

note() { printf '%s\n' "$2" >>"$M/$1"; } # note NAME VALUE

# ---- the machine -------------------------------------------------------------------
{
	echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "nproc=$(nproc)"
	echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo "mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
	echo "fs=$(df -PT "$T" | awk 'NR == 2 {print $2 " on " $1}')"
	echo "kernel=$(uname -r)"
	echo "sqlite=$(sqlite3 --version | cut -d' ' -f1)"
	echo "load=$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "smoke=$SMOKE"
	echo "commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
} >"$M/machine"

# ---- journals ----------------------------------------------------------------------
# Incidents over a year (a journal that grows for years), ending now; --since 7d then
# selects about 2 % of the events.
for n in $SIZES; do
	say "generating a journal of $n events"
	"$B/gen_journal" --days 365 "$J/j$n.db" "$n" >"$M/gen_$n" || die "gen_journal $n"
	stat -c %s "$J/j$n.db" >"$M/bytes_$n"
done
for n in $EXPORT_SIZES; do
	"$B/gen_journal" --single "$J/e$n.db" "$n" >"$M/gen_e$n" || die "gen_journal --single $n"
done
LARGE=${SIZES##* }

# ---- figure 1: the sweep against the runbook's commands ----------------------------
say "figure 1: runbook check"
DELAY=300
set_routes "$T/routes.json" "{
  \"GET /health\": {\"status\": 200, \"json\": {\"status\": \"ok\", \"db\": \"ok\", \"timestamp\": \"t\"}, \"delay_ms\": $DELAY},
  \"GET /\": {\"status\": 200, \"body\": \"<html>\", \"delay_ms\": $DELAY},
  \"HEAD /\": {\"status\": 200, \"delay_ms\": $DELAY},
  \"HEAD /bilko-receipts\": {\"status\": 200, \"delay_ms\": $DELAY},
  \"GET /v3/scopes\": {\"status\": 200, \"json\": {\"scopes\": [\"mail.send\"]}, \"delay_ms\": $DELAY}}"
start_fixture web "$T/routes.json" || die "http fixture: $_T_WHY"
start_pg || die "postgresql: ${_T_WHY:-start failed}"
# The database check's statement reads pg_stat_activity: for role app it resolves to a
# view that waits 300 ms first (search_path puts schema slow before pg_catalog).
pg_sql -d bilko_test "CREATE SCHEMA slow" \
	"CREATE VIEW slow.pg_stat_activity AS SELECT a.* FROM pg_catalog.pg_stat_activity a,
	 (SELECT pg_sleep($DELAY / 1000.0)) AS s" \
	"GRANT USAGE ON SCHEMA slow TO app" "GRANT SELECT ON slow.pg_stat_activity TO app" \
	"ALTER ROLE app IN DATABASE bilko_test SET search_path = slow, pg_catalog, public" \
	>/dev/null || die "slow view"
"$PY" - "$T/runbook.json" "$web_URL" "$DATABASE_URL" <<'PYEOF'
import json, sys
path, url, db = sys.argv[1:4]
json.dump({
    "api": {"url": url, "health_path": "/health", "timeout_ms": 5000},
    "frontend": {"url": url + "/"},
    "database": {"url": db},
    "storage": {"endpoint": url, "bucket": "bilko-receipts", "region": "auto",
                "access_key_id": "env:R2_KEY", "secret_access_key": "env:R2_SECRET"},
    "email": {"provider": "sendgrid", "api_url": url, "api_key": "env:SG_KEY"},
    "thresholds": {"api_p95_ms": 1000},
}, open(path, "w"))
PYEOF
chmod 600 "$T/runbook.json"
export RUNBOOK_CONFIG=$T/runbook.json R2_KEY=AKIDBENCH R2_SECRET=bench-r2-secret SG_KEY=SG.bench
# The runbook's §2.1 commands (and their storage, database and email counterparts), one
# after another, as an operator runs them; credentials from curl config files, not argv.
printf 'user = "%s:%s"\nheader = "x-amz-content-sha256: %s"\naws-sigv4 = "aws:amz:auto:s3"\n' \
	"$R2_KEY" "$R2_SECRET" e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 \
	>"$T/r2.curl"
printf 'header = "Authorization: Bearer %s"\n' "$SG_KEY" >"$T/sg.curl"
cat >"$T/sequential.sh" <<EOF
#!/bin/bash
set -e
curl -sS -o /dev/null $web_URL/health
curl -sS -o /dev/null -I $web_URL/
psql -X -At "$DATABASE_URL" -c "SELECT count(*) FROM pg_stat_activity WHERE state = 'active'" >/dev/null
curl -sS -o /dev/null -I -K $T/r2.curl $web_URL/bilko-receipts
curl -sS -o /dev/null -K $T/sg.curl $web_URL/v3/scopes
EOF
chmod 700 "$T/sequential.sh"
"$RUNBOOK" --json check >"$T/check.json" || die "runbook check failed: $(cat "$T/check.json")"
"$PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); assert [c["status"] for c in j["checks"]] == ["ok"]*5, j' \
	"$T/check.json" || die "the sweep is not 5 checks ok"
timed f1_sweep "$SWEEP_RUNS" -- "$RUNBOOK" --json check
timed f1_seq "$SWEEP_RUNS" -- "$T/sequential.sh"
for c in api frontend database storage email; do
	timed "f1_only_$c" "$SWEEP_RUNS" -- "$RUNBOOK" --json check --only "$c"
done
unset RUNBOOK_CONFIG

# ---- figure 2: durable appends against the disk's fsync rate ------------------------
say "figure 2: durable appends"
# runbook's appends (one journal_append each), then bare SQLite on a copy of the journal
# they wrote (same schema, indexes and page size): its rows re-inserted, one prepared
# INSERT per BEGIN IMMEDIATE .. COMMIT, WAL, synchronous=FULL, nothing of runbook's own:
# the limit of a SQLite journal. It counts the WAL frames a commit writes (24 + page
# bytes each): the second disk figure syncs that many bytes each time.
for r in $(seq "$RUNS"); do
	rm -f "$J/d.db" "$J/d.db-wal" "$J/d.db-shm" "$J/s.db" "$J/s.db-wal" "$J/s.db-shm"
	once f2_append_cpu -o "$T/gen.out" -- "$B/gen_journal" --batch 1 --kind probe \
		"$J/d.db" "$APPENDS"
	cat "$T/gen.out" >>"$M/f2_append"
	[ ! -e "$J/d.db-wal" ] || die "the appends' journal was not checkpointed on close"
	cp "$J/d.db" "$J/s.db"
	once f2_sqlite_cpu -o "$T/bare.out" -- "$B/sqlite_commit_rate" "$J/s.db" "$APPENDS"
	cat "$T/bare.out" >>"$M/f2_sqlite"
	bytes=$(tr ' ' '\n' <"$T/bare.out" | awk -F= '{v[$1] = $2}
		END {printf "%d", v["frames"] * (24 + v["page"]) + 0.5}')
	"$B/fsync_rate" "$J" "$FSYNC_S" >>"$M/f2_fsync" || die "fsync_rate"
	"$B/fsync_rate" "$J" "$FSYNC_S" "$bytes" >>"$M/f2_fsync_commit" || die "fsync_rate"
done
note f2_appends "$APPENDS"

# ---- figure 3: one batch against the sqlite3 shell ---------------------------------
say "figure 3: batched appends"
"$B/gen_journal" --days 30 "$J/base.db" 1000 >/dev/null || die "base journal"
base=$(sqlite3 "$J/base.db" "SELECT max(seq) FROM events")
cp "$J/base.db" "$J/b.db"
"$B/gen_journal" --batch "$BATCH" --kind probe "$J/b.db" "$BATCH" >/dev/null || die "batch"
{
	echo "PRAGMA synchronous = FULL;"
	echo "BEGIN IMMEDIATE;"
	sqlite3 "$J/b.db" ".mode insert events" "SELECT * FROM events WHERE seq > $base ORDER BY seq"
	echo "COMMIT;"
} >"$T/inserts.sql"
note f3_rows "$(grep -c '^INSERT' "$T/inserts.sql")"
for r in $(seq "$RUNS"); do
	rm -f "$J"/b.db*
	cp "$J/base.db" "$J/b.db"
	once f3_runbook -- "$B/gen_journal" --batch "$BATCH" --kind probe "$J/b.db" "$BATCH"
	rm -f "$J"/b.db*
	cp "$J/base.db" "$J/b.db"
	once f3_shell -i "$T/inserts.sql" -- sqlite3 "$J/b.db"
done
[ "$(sqlite3 "$J/b.db" "SELECT count(*) FROM events")" = $((base + BATCH)) ] ||
	die "the shell did not insert every row"

# ---- figure 4: verify against sha256sum --------------------------------------------
say "figure 4: verify"
for n in $SIZES; do
	"$RUNBOOK" --journal "$J/j$n.db" verify >/dev/null || die "verify $n failed"
	timed "f4_verify_$n" "$RUNS" -- "$RUNBOOK" --journal "$J/j$n.db" verify
	timed "f4_sha_$n" "$RUNS" -- sha256sum "$J/j$n.db"
	timed "f4_integrity_$n" "$RUNS" -- sqlite3 "$J/j$n.db" "PRAGMA integrity_check"
done

# ---- figure 5: audit and list --open against the same query in the shell ----------
say "figure 5: audit and list"
DESTRUCTIVE_STATES="('api-down', 'restart'), ('api-down', 'rollback'),
 ('database', 'kill_idle'), ('database', 'cancel_backend'), ('database', 'terminate_backend'),
 ('error-rate', 'rollback')"
cat >"$T/audit.sql" <<EOF
SELECT e.seq, e.ts, e.operator, e.os_user || '@' || e.host, substr(e.incident, 1, 8),
 e.flow, e.state, e.kind,
 coalesce(json_extract(e.data, '\$.target'), json_extract(i.data, '\$.target')),
 CASE e.kind WHEN 'action.intent' THEN 'pending' WHEN 'action.refused' THEN 'refused'
  WHEN 'action.skipped' THEN 'skipped' ELSE json_extract(e.data, '\$.outcome') END,
 coalesce(json_extract(e.data, '\$.sql'), json_extract(e.data, '\$.command'),
  json_extract(i.data, '\$.sql'), json_extract(i.data, '\$.command'))
FROM events e
LEFT JOIN events i ON e.kind <> 'action.intent' AND i.seq = (SELECT max(p.seq) FROM events p
 WHERE p.incident = e.incident AND +p.kind = 'action.intent' AND p.state = e.state
 AND p.seq < e.seq)
WHERE e.kind IN ('action.intent', 'action.result', 'action.refused', 'action.skipped',
 'prompt.answered')
 AND e.ts >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-7 days')
 AND (json_extract(e.data, '\$.destructive') = 1
  OR (e.kind LIKE 'action.%' AND (e.flow, e.state) IN (VALUES $DESTRUCTIVE_STATES)))
ORDER BY e.seq;
EOF
cat >"$T/open.sql" <<'EOF'
WITH life AS (SELECT incident,
 min(CASE WHEN kind = 'incident.opened' THEN seq END) AS oseq,
 max(CASE WHEN kind = 'incident.closed' THEN seq END) AS cseq
 FROM events INDEXED BY events_lifecycle
 WHERE kind IN ('incident.opened', 'incident.closed') GROUP BY incident)
SELECT substr(o.incident, 1, 8), o.flow,
 coalesce((SELECT json_extract(s.data, '$.to') FROM events s WHERE s.incident = o.incident
  AND +s.kind = 'severity.changed' ORDER BY s.seq DESC LIMIT 1),
  json_extract(o.data, '$.severity')), 'open',
 (SELECT s.state FROM events s WHERE s.incident = o.incident AND +s.kind = 'state.entered'
  ORDER BY s.seq DESC LIMIT 1), o.ts, o.operator
FROM life JOIN events o ON o.seq = life.oseq WHERE life.cseq IS NULL ORDER BY o.seq;
EOF
for n in $SIZES; do
	a=$("$RUNBOOK" --journal "$J/j$n.db" audit --destructive --since 7d 2>/dev/null | tail -n +2 | wc -l)
	s=$(sqlite3 "$J/j$n.db" <"$T/audit.sql" | wc -l)
	# the two read "now" a few ms apart: an event may sit on the window's edge
	[ $((a - s)) -le 2 ] && [ $((s - a)) -le 2 ] ||
		die "audit: runbook shows $a rows, the shell query $s ($n events)"
	note "f5_audit_rows_$n" "$a"
	a=$("$RUNBOOK" --journal "$J/j$n.db" list --open 2>/dev/null | tail -n +2 | wc -l)
	s=$(sqlite3 "$J/j$n.db" <"$T/open.sql" | wc -l)
	[ "$a" = "$s" ] || die "list --open: runbook shows $a incidents, the shell query $s"
	note "f5_open_rows_$n" "$a"
	note "f5_incidents_$n" "$(sed -n 's/.*incidents=\([0-9]*\).*/\1/p' "$M/gen_$n")"
	timed "f5_audit_$n" "$QRUNS" -- "$RUNBOOK" --journal "$J/j$n.db" audit --destructive --since 7d
	timed "f5_audit_shell_$n" "$QRUNS" -i "$T/audit.sql" -- sqlite3 "$J/j$n.db"
	timed "f5_list_$n" "$QRUNS" -- "$RUNBOOK" --journal "$J/j$n.db" list --open
	timed "f5_list_shell_$n" "$QRUNS" -i "$T/open.sql" -- sqlite3 "$J/j$n.db"
done

# ---- figure 6: export, md and html -------------------------------------------------
say "figure 6: export"
for n in $EXPORT_SIZES; do
	id=$(sqlite3 "$J/e$n.db" "SELECT incident FROM events WHERE seq = 1")
	for f in md html; do
		timed "f6_${f}_$n" "$RUNS" -- "$RUNBOOK" --journal "$J/e$n.db" export "$id" \
			--format "$f" -o "$T/export.$f"
		stat -c %s "$T/export.$f" >"$M/f6_bytes_${f}_$n"
		/usr/bin/time -v "$RUNBOOK" --journal "$J/e$n.db" export "$id" --format "$f" \
			-o "$T/export.$f" 2>&1 >/dev/null | sed -n 's/.*Maximum resident set size (kbytes): //p' \
			>"$M/f6_timev_${f}_$n"
	done
done

# ---- figure 7: start-up ------------------------------------------------------------
say "figure 7: start-up"
"$B/gen_journal" --days 7 "$J/small.db" 200 >/dev/null || die "small journal"
timed f7_version "$SRUNS" -- "$RUNBOOK" --version
timed f7_list "$SRUNS" -- "$RUNBOOK" --journal "$J/small.db" list
timed f7_sqlite "$SRUNS" -- sqlite3 :memory: 'select 1'
timed f7_floor "$SRUNS" -- "$B/startup_floor"
timed f7_true "$SRUNS" -- /bin/true
ldd "$RUNBOOK" | grep -c '=>' >"$M/f7_libs"
ldd "$(command -v sqlite3)" | grep -c '=>' >"$M/f7_sqlite_libs"
/usr/bin/time -v "$RUNBOOK" --version 2>&1 >/dev/null |
	sed -n 's/.*Maximum resident set size (kbytes): //p' >"$M/f7_timev_version"

# ---- profiles (perf) ---------------------------------------------------------------
# profile NAME SORT REPEAT CMD...: the top entries (SORT: dso or dso,sym) of REPEAT runs
# of CMD, self time, into $M/prof_NAME.
profile() {
	local name=$1 sort=$2 repeat=$3 comm
	shift 3
	comm=$(basename "$1")
	if ! command -v perf >/dev/null 2>&1; then
		echo "perf not installed" >"$M/prof_$name"
		return 0
	fi
	perf record -q -o "$T/perf.$name" -F 10000 -g -- bash -c \
		'for _ in $(seq "$0"); do "$@" >/dev/null 2>&1; done' "$repeat" "$@" \
		>/dev/null 2>&1 || true
	# by command, then only runbook's (or the generator's) samples, as a share of them
	perf report -i "$T/perf.$name" --no-children -g none --percent-limit 0 --stdio \
		--sort "comm,$sort" 2>/dev/null | grep -E '^ +[0-9.]+%' |
		awk -v c="${comm:0:15}" '$2 == c { sub("%", "", $1); n++; p[n] = $1; t += $1
			$1 = ""; $2 = ""; sub(/^ +/, ""); l[n] = $0 }
			END { for (i = 1; i <= n && i <= 12; i++) if (100 * p[i] / t >= 2.5)
				printf "%5.1f%% %s\n", 100 * p[i] / t, l[i] }' >"$M/prof_$name"
}
say "profiles"
profile verify dso,sym 1 "$RUNBOOK" --journal "$J/j$LARGE.db" verify
profile audit dso,sym 5 "$RUNBOOK" --journal "$J/j$LARGE.db" audit --destructive --since 7d
profile list dso,sym 5 "$RUNBOOK" --journal "$J/j$LARGE.db" list --open
profile version dso,sym 100 "$RUNBOOK" --version
rm -f "$J"/d.db*
profile append dso 1 "$B/gen_journal" --batch 1 --kind probe "$J/d.db" "$APPENDS"
n=$(echo "$EXPORT_SIZES" | awk '{print $2}')
profile export dso,sym 1 "$RUNBOOK" --journal "$J/e$n.db" export \
	"$(sqlite3 "$J/e$n.db" "SELECT incident FROM events WHERE seq = 1")" --format md -o "$T/p.md"

echo "seconds=$(($(date +%s) - START))" >>"$M/machine"
say "writing the report to $OUT"
"$PY" "$HERE/report.py" "$M" "$OUT" || die "report"
sed -n '/^## Summary/,/^## 1\./p' "$OUT/performance.md" | grep '^|'
say "done in $(($(date +%s) - START)) s: $OUT/performance.md"
