# shellcheck shell=bash
# lib_pg.sh - a real PostgreSQL 15 for integration tests (sourced after lib.sh).
#
#   . "$(dirname "$0")/../lib.sh"; . "$(dirname "$0")/../lib_pg.sh"
#   case_x() { start_pg; pg_session s1 app; pg_sql "SELECT 1"; }
#
# start_pg runs initdb and pg_ctl as the postgres user from $T/pg (as in
# shared/peers.md), on a free port, socket in $T/pg, fsync off, connections logged with
# their application_name. It is stopped (pg_ctl -m immediate) by lib.sh's cleanup even
# when the case fails: a small guard process, tracked by PID, stops it when killed.
# Roles: app (LOGIN PASSWORD, pg_signal_backend + pg_read_all_stats), reader
# (pg_read_all_stats only), weak (no grants); database bilko_test owned by app, with a
# table canary (one row). Sets PG_PORT, PG_DIR (socket dir), PG_LOG, PG_PW and exports
# DATABASE_URL (app over TCP with its password).
# shellcheck disable=SC2154

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

# start_pg: initdb, start, create the roles and the database (about 1 s).
start_pg() {
	local port dir guard pid
	dir=$T/pg
	mkdir -p "$dir"
	chown postgres:postgres "$dir"
	chmod 700 "$dir"
	port=$(free_port)
	if ! runuser -u postgres -- "$PGBIN/initdb" -D "$dir/data" -U postgres \
		--auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-locale --no-sync \
		>"$T/initdb.log" 2>&1; then
		_why "initdb failed: $(tail -n 5 "$T/initdb.log")"
		return 1
	fi
	# the guard stops the server when lib.sh's cleanup kills it (or the case ends)
	(
		trap 'runuser -u postgres -- "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w -t 10 stop \
			>/dev/null 2>&1; exit 0' TERM INT
		while :; do
			sleep 1 &
			wait $! 2>/dev/null
		done
	) &
	guard=$!
	track_pid "$guard"
	if ! runuser -u postgres -- "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/pg.log" -w -t 30 \
		-o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off \
-c log_connections=on -c log_line_prefix='%m [%p] app=%a user=%u db=%d '" start \
		>"$T/pg_ctl.log" 2>&1; then
		_why "pg_ctl start failed: $(tail -n 5 "$dir/pg.log" "$T/pg_ctl.log" 2>/dev/null)"
		return 1
	fi
	pid=$(head -n 1 "$dir/data/postmaster.pid")
	track_pid "$pid"
	PG_PORT=$port PG_DIR=$dir PG_LOG=$dir/pg.log PG_PW="app-Pw-$RANDOM$RANDOM"
	PG_DATA=$dir/data
	export PG_PORT PG_DIR PG_LOG PG_PW PG_DATA
	pg_sql "CREATE ROLE app LOGIN PASSWORD '$PG_PW'" \
		"CREATE ROLE reader LOGIN PASSWORD '$PG_PW'" \
		"CREATE ROLE weak LOGIN PASSWORD '$PG_PW'" \
		"GRANT pg_signal_backend, pg_read_all_stats TO app" \
		"GRANT pg_read_all_stats TO reader" \
		"CREATE DATABASE bilko_test OWNER app" >/dev/null || return 1
	pg_sql -d bilko_test "CREATE TABLE canary (id int)" "INSERT INTO canary VALUES (1)" \
		"ALTER TABLE canary OWNER TO app" >/dev/null || return 1
	export DATABASE_URL="postgresql://app:$PG_PW@127.0.0.1:$PG_PORT/bilko_test"
}

# stop_pg: stop the server now (fast), e.g. to test a refused connection.
stop_pg() {
	runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 10 stop >/dev/null 2>&1
}

# pg_sql [-d DB] [-U ROLE] SQL...: run statements over the socket (trust), tuples only,
# unaligned, '|' between columns; stops at the first error (exit non-zero).
pg_sql() {
	local db=postgres role=postgres args=()
	while [ $# -gt 0 ]; do
		case $1 in
		-d) db=$2; shift 2 ;;
		-U) role=$2; shift 2 ;;
		*) args+=(-c "$1"); shift ;;
		esac
	done
	psql -X -q -At -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$PG_PORT" -U "$role" -d "$db" \
		"${args[@]}"
}

# pg_session NAME ROLE [DB]: a psql session held open, fed from the FIFO $T/NAME.fifo
# (the writing end is kept open on fd NAME_FD); application_name = NAME. Waits until it
# is connected and idle, and sets NAME_PID to its backend pid. The psql process is
# stopped at cleanup.
pg_session() {
	local name=$1 role=$2 db=${3:-bilko_test} fifo fd pid _
	fifo=$T/$name.fifo
	rm -f "$fifo"
	mkfifo "$fifo"
	psql -X -q -At -h "$PG_DIR" -p "$PG_PORT" -U "$role" \
		"dbname=$db application_name=$name" <"$fifo" >"$T/$name.out" 2>&1 &
	track_pid $!
	exec {fd}>"$fifo"
	printf -v "${name}_FD" '%s' "$fd"
	printf 'SELECT 1;\n' >&"$fd"
	for _ in $(seq 100); do
		pid=$(pg_sql "SELECT pid FROM pg_stat_activity WHERE application_name = '$name' \
AND state = 'idle'")
		[ -n "$pid" ] && break
		sleep 0.05
	done
	if [ -z "$pid" ]; then
		_why "pg_session $name: not connected: $(cat "$T/$name.out")"
		return 1
	fi
	printf -v "${name}_PID" '%s' "$pid"
}

# pg_send NAME SQL: send a statement to a held session (it runs in the background).
pg_send() {
	local fdvar=${1}_FD
	printf '%s\n' "$2" >&"${!fdvar}"
}

# pg_alive PID: true while a backend with that pid is in pg_stat_activity.
pg_alive() {
	[ -n "$(pg_sql "SELECT pid FROM pg_stat_activity WHERE pid = $1")" ]
}

# pg_wait_state PID STATE: wait (up to 5 s) until the backend's state is STATE.
pg_wait_state() {
	local _
	for _ in $(seq 100); do
		[ "$(pg_sql "SELECT state FROM pg_stat_activity WHERE pid = $1")" = "$2" ] && return 0
		sleep 0.05
	done
	_why "backend $1 never reached state '$2'"
	return 1
}
