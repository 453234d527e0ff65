#!/usr/bin/env bash
# reliability_concurrency.sh - concurrent operators (docs/reliability.md, item 3):
# 8 processes x 250 appends to one journal while a reader holds long read
# transactions: exactly 2,000 new events, seq gap-free, chain valid, and no
# SQLITE_BUSY (or any error) reaching a user.
# shellcheck disable=SC2154,SC2317
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=../lib_reliability.sh
. "$ROOT/tests/lib_reliability.sh"

# start_reader: a reader holding 250 ms read transactions until $T/stop exists.
start_reader() {
	rm -f "$T/stop"
	"$JTOOL" reader "$1" 120 250 "$T/stop" >"$T/reader.out" 2>"$T/reader.err" &
	READER=$!
	track_pid "$READER"
	sleep 0.1
}

stop_reader() {
	touch "$T/stop"
	local rc=0
	wait "$READER" || rc=$?
	assert_eq 0 "$rc" "reader exit ($(cat "$T/reader.err"))"
	assert_eq "" "$(cat "$T/reader.err")" "reader errors"
}

# check_journal PATH EVENTS: verify says ok, EVENTS events, head seq EVENTS.
check_journal() {
	assert_exit 0 "$RUNBOOK" --journal "$1" --json verify
	assert_eq "true $2 $2" "$(json_get "$T/out" "'%s %d %d' % (str(j['ok']).lower(), j['events'], j['head']['seq'])")" "verify: ok, events, head"
}

case_eight_writers_one_reader() {
	need_tools
	local k pids=() rc t0 t1
	mkdir -m 700 "$T/j"
	"$JTOOL" append "$T/j/j.db" 10 >/dev/null
	start_reader "$T/j/j.db"
	t0=$(date +%s.%N)
	for k in 1 2 3 4 5 6 7 8; do
		"$JTOOL" append "$T/j/j.db" 250 >"$T/w$k.out" 2>"$T/w$k.err" &
		pids+=($!)
		track_pid $!
	done
	for k in 1 2 3 4 5 6 7 8; do
		rc=0
		wait "${pids[$((k - 1))]}" || rc=$?
		assert_eq 0 "$rc" "writer $k exit ($(cat "$T/w$k.err"))"
		assert_eq "" "$(cat "$T/w$k.err")" "writer $k said nothing on stderr"
		assert_eq 250 "$(wc -l <"$T/w$k.out")" "writer $k: 250 acknowledged"
		# each writer's own seqs increase
		sort -n -c "$T/w$k.out" || { _why "writer $k: seqs out of order"; return 1; }
	done
	t1=$(date +%s.%N)
	stop_reader
	# together: exactly seq 11..2010, each once
	cat "$T"/w?.out | sort -n >"$T/all"
	assert_eq 2000 "$(uniq "$T/all" | wc -l)" "2000 distinct seqs"
	assert_eq "11 2010" "$(head -n 1 "$T/all") $(tail -n 1 "$T/all")" "seq range"
	check_journal "$T/j/j.db" 2010
	echo "  8 x 250 appends in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s" \
		"beside $(sed 's/reader: //' "$T/reader.out")" >&2
}

# The same through the command line: 8 operators adding 25 notes each to one incident
# (2 each under RELIABILITY_QUICK: under valgrind each run holds the write lock far
# longer, and the bounded retry of 10 s, not a bug, is then what a waiter hits).
case_eight_operators_cli() {
	need_tools
	local k i pids=() rc id per
	per=$(rounds 25 25 2)
	offline_sandbox true
	assert_exit 3 "$RUNBOOK" start api-down --non-interactive
	id=$(head -n 1 "$T/out")
	before=$(json_get <("$RUNBOOK" --json verify) "j['events']")
	start_reader "$RUNBOOK_JOURNAL"
	for k in 1 2 3 4 5 6 7 8; do
		(
			for i in $(seq "$per"); do
				"$RUNBOOK" --operator "op$k" note "$id" "note $k.$i" || exit 1
			done
		) >"$T/o$k.out" 2>"$T/o$k.err" &
		pids+=($!)
		track_pid $!
	done
	for k in 1 2 3 4 5 6 7 8; do
		rc=0
		wait "${pids[$((k - 1))]}" || rc=$?
		assert_eq 0 "$rc" "operator $k exit ($(cat "$T/o$k.err"))"
		# stderr holds the human confirmations ("noted on ..."), nothing else
		assert_eq "" "$(grep -v '^noted on ' "$T/o$k.err")" "operator $k: no error (no busy)"
		assert_eq "$per" "$(grep -c '^noted on ' "$T/o$k.err")" "operator $k: $per notes"
	done
	stop_reader
	check_journal "$RUNBOOK_JOURNAL" $((before + 8 * per))
	"$RUNBOOK" --json show "$id" >"$T/show.json"
	assert_eq $((8 * per)) "$(json_get "$T/show.json" "len([e for e in j['events'] if e['kind']=='note' and e['data'].get('text','').startswith('note ')])")" "all the notes"
}

run_cases case_eight_writers_one_reader case_eight_operators_cli
