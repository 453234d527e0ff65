/*
 * database.c - runbook §4.2 "Database Issues" as a state machine: connect, the
 * connection table, slow queries, the idle-session preview, and the verification that
 * compares with the first reading. The actions that signal backends are in
 * database_act.c.
 */
#include "database.h"

#include "config.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Client sessions only: background workers are not connections. A row the role may
 * not see has a NULL backend_type but keeps its datname. */
#define CLIENT_ROWS \
	"(backend_type = 'client backend' OR (backend_type IS NULL AND datname IS NOT NULL))"

/* Runbook §4.2 "Check active connections", grouped the same way. */
static const char sql_connections[] =
        "SELECT state, wait_event_type, count(*) AS count,"
        " count(*) FILTER (WHERE query = '<insufficient privilege>') AS hidden"
        " FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND " CLIENT_ROWS
        " GROUP BY state, wait_event_type ORDER BY count DESC";

/* Runbook §4.2 "Find long-running queries". */
static const char sql_slow[] =
        "SELECT pid, usename, application_name,"
        " round(extract(epoch FROM now() - query_start)::numeric, 1) AS duration_s, query"
        " FROM pg_stat_activity WHERE state = 'active'"
        " AND query_start < now() - make_interval(secs => $1::float8)"
        " AND pid <> pg_backend_pid() ORDER BY query_start LIMIT 20";

/* Sessions idle longer than idle_min, in this database, never our own. */
static const char sql_idle[] =
        "SELECT pid, usename, application_name, client_addr::text AS client_addr, client_port,"
        " round(extract(epoch FROM now() - state_change)::numeric, 1) AS idle_s,"
        " " DB_TS_UTC(
                "state_change") " AS idle_since"
                                " FROM pg_stat_activity WHERE state = 'idle' AND datname = "
                                "current_database()"
                                " AND pid <> pg_backend_pid()"
                                " AND state_change < now() - make_interval(secs => $1::float8)"
                                " ORDER BY state_change LIMIT 500";

/* Other roles' sessions this role cannot see (it lacks pg_read_all_stats). */
static const char sql_hidden[] = "SELECT count(*) AS hidden FROM pg_stat_activity"
                                 " WHERE query = '<insufficient privilege>' AND " CLIENT_ROWS;

static const char sql_connect[] =
        "SELECT 1 AS one, current_user AS role, current_database() AS database,"
        " current_setting('server_version') AS server_version, pg_backend_pid() AS backend_pid,"
        " (SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid())"
        " AS application_name,"
        " pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER') AS read_all_stats,"
        " pg_has_role(current_user, 'pg_signal_backend', 'MEMBER') AS signal_backend,"
        " (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser";

/* ---- shared with database_act.c ---- */

int db_missing(struct run *r)
{
	return config_str(run_config(r), "database.url") == NULL;
}

int db_open(struct run *r, struct pg_session **s, struct pg_target *t, struct pg_status *st)
{
	const struct config *c = run_config(r);
	const char *url = config_str(c, "database.url");
	char app[160], err[128];
	struct pg_opts o;

	*s = NULL;
	memset(st, 0, sizeof(*st));
	memset(t, 0, sizeof(*t));
	if (url == NULL) {
		snprintf(st->message, sizeof(st->message), "%s",
		         config_why_missing(c, "database.url"));
		return -1;
	}
	if (pg_target_parse(url, t, err, sizeof(err)) < 0) {
		st->error = PG_OTHER;
		snprintf(st->message, sizeof(st->message), "%s", err);
		return -1;
	}
	snprintf(app, sizeof(app), "runbook/%s/%s", run_operator(r), run_short_id(r));
	memset(&o, 0, sizeof(o));
	o.url = url;
	o.application_name = app;
	o.timeout_ms = run_timeout_ms(r, "database");
	o.abort = run_abort_flag(r);
	return pg_open(&o, s, st);
}

const char *db_name(struct run *r, char *buf, size_t len)
{
	const char *name = config_str(run_config(r), "database.name");
	const char *url = config_str(run_config(r), "database.url");
	struct pg_target t;
	char err[128];

	if (name != NULL)
		return name;
	if (url == NULL || pg_target_parse(url, &t, err, sizeof(err)) < 0 ||
	    t.dbname[0] == '\0')
		return NULL;
	snprintf(buf, len, "%s", t.dbname);
	return buf;
}

void db_say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

void db_target_json(cJSON *obj, const struct pg_target *t)
{
	cJSON_AddStringToObject(obj, "host", t->host[0] ? t->host : "(default)");
	cJSON_AddStringToObject(obj, "port", t->port[0] ? t->port : "5432");
	cJSON_AddStringToObject(obj, "database", t->dbname);
	cJSON_AddStringToObject(obj, "user", t->user);
}

/* ---- probe helpers ---- */

/* Connect for a probe; on failure fill *out (fallback when unconfigured). */
static struct pg_session *probe_open(struct run *r, struct outcome *out, struct pg_target *t,
                                     const char *fail_name)
{
	struct pg_session *s;
	struct pg_status st;

	if (db_missing(r)) {
		outcome_fallback(out, "%s", config_why_missing(run_config(r), "database.url"));
		return NULL;
	}
	if (db_open(r, &s, t, &st) == 0)
		return s;
	out->data = cJSON_CreateObject();
	db_target_json(out->data, t);
	cJSON_AddStringToObject(out->data, "error", pg_error_name(st.error));
	cJSON_AddStringToObject(out->data, "message", st.message);
	cJSON_AddNumberToObject(out->data, "ms", st.ms);
	outcome_set(out, fail_name ? fail_name : pg_error_name(st.error), 1, "%s: %s",
	            pg_error_name(st.error), st.message);
	return NULL;
}

/* A statement failed: say so in *out. */
static void query_failed(struct outcome *out, const char *name, const struct pg_status *st)
{
	if (out->data == NULL)
		out->data = cJSON_CreateObject();
	cJSON_AddStringToObject(out->data, "error", pg_error_name(st->error));
	cJSON_AddStringToObject(out->data, "sqlstate", st->sqlstate);
	cJSON_AddStringToObject(out->data, "message", st->message);
	outcome_set(out, name, 1, "query failed (%s): %s", pg_error_name(st->error),
	            st->message);
}

static void add_num_or_null(cJSON *o, const char *key, const char *v)
{
	double d;

	if (v != NULL && parse_double(v, &d) == 0)
		cJSON_AddNumberToObject(o, key, d);
	else
		cJSON_AddNullToObject(o, key);
}

static void add_str_or_null(cJSON *o, const char *key, const char *v)
{
	if (v != NULL)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

/* The value at (row, col), or def for NULL. Borrowed. */
static const char *val(const struct pg_rows *rows, int row, const char *col, const char *def)
{
	const char *v = pg_value(rows, row, col);

	return v != NULL ? v : def;
}

/* Sessions of other roles this role cannot see, or -1 when unknown. */
static long hidden_count(struct pg_session *s)
{
	struct pg_rows rows;
	struct pg_status st;
	long n = -1;
	double d;

	if (pg_query(s, sql_hidden, 0, NULL, &rows, &st) == 0) {
		const char *v = pg_value(&rows, 0, "hidden");

		if (v != NULL && parse_double(v, &d) == 0)
			n = (long)d;
		pg_rows_release(&rows);
	}
	return n;
}

/* ---- connect ---- */

static void step_connect(struct run *r, const struct state *s, struct outcome *out)
{
	struct pg_session *db;
	struct pg_target t;
	struct pg_rows rows;
	struct pg_status st;
	const char *ver;

	(void)s;
	if (!db_missing(r))
		run_doing(r, "Connecting to the database (SELECT 1)");
	db = probe_open(r, out, &t, NULL);
	if (db == NULL)
		return;
	out->data = cJSON_CreateObject();
	db_target_json(out->data, &t);
	if (pg_query(db, sql_connect, 0, NULL, &rows, &st) < 0) {
		query_failed(out, pg_error_name(st.error), &st);
		goto done;
	}
	ver = pg_value(&rows, 0, "server_version");
	cJSON_AddStringToObject(out->data, "role", val(&rows, 0, "role", ""));
	add_str_or_null(out->data, "server_version", ver);
	add_num_or_null(out->data, "backend_pid", pg_value(&rows, 0, "backend_pid"));
	add_str_or_null(out->data, "application_name", pg_value(&rows, 0, "application_name"));
	cJSON_AddBoolToObject(out->data, "pg_read_all_stats",
	                      (val(&rows, 0, "read_all_stats", "f"))[0] == 't');
	cJSON_AddBoolToObject(out->data, "pg_signal_backend",
	                      (val(&rows, 0, "signal_backend", "f"))[0] == 't');
	cJSON_AddBoolToObject(out->data, "superuser",
	                      (val(&rows, 0, "superuser", "f"))[0] == 't');
	cJSON_AddNumberToObject(out->data, "ms", st.ms);
	outcome_set(out, "ok", 0, "connected to %s:%s/%s as %s (PostgreSQL %s)",
	            t.host[0] ? t.host : "(default)", t.port[0] ? t.port : "5432", t.dbname,
	            val(&rows, 0, "role", "?"), ver ? ver : "?");
	pg_rows_release(&rows);
done:
	pg_close(db);
}

/* ---- connections, and verify ---- */

struct reading {
	long total, active, idle, idle_tx, hidden;
};

/* Read the connection table into *out->data; 0, or -1 with *out set to the failure. */
static int read_connections(struct run *r, struct outcome *out, struct reading *rd)
{
	struct pg_session *db;
	struct pg_target t;
	struct pg_rows rows;
	struct pg_status st;
	cJSON *arr;
	int rc = -1;

	memset(rd, 0, sizeof(*rd));
	if (!db_missing(r))
		run_doing(r, "Reading pg_stat_activity grouped by state, wait_event_type");
	db = probe_open(r, out, &t, "unreachable");
	if (db == NULL)
		return -1;
	out->data = cJSON_CreateObject();
	db_target_json(out->data, &t);
	if (pg_query(db, sql_connections, 0, NULL, &rows, &st) < 0) {
		query_failed(out, "unreachable", &st);
		goto done;
	}
	arr = cJSON_AddArrayToObject(out->data, "rows");
	for (int i = 0; i < rows.nrows; i++) {
		const char *state = pg_value(&rows, i, "state");
		double n = 0, h = 0;
		cJSON *o = cJSON_CreateObject();

		parse_double(val(&rows, i, "count", "0"), &n);
		parse_double(val(&rows, i, "hidden", "0"), &h);
		add_str_or_null(o, "state", state);
		add_str_or_null(o, "wait_event_type", pg_value(&rows, i, "wait_event_type"));
		cJSON_AddNumberToObject(o, "count", n);
		cJSON_AddItemToArray(arr, o);
		rd->total += (long)n;
		rd->hidden += (long)h;
		if (state != NULL && strcmp(state, "active") == 0)
			rd->active += (long)n;
		else if (state != NULL && strcmp(state, "idle") == 0)
			rd->idle += (long)n;
		else if (state != NULL && strncmp(state, "idle in transaction", 19) == 0)
			rd->idle_tx += (long)n;
	}
	cJSON_AddNumberToObject(out->data, "total", (double)rd->total);
	cJSON_AddNumberToObject(out->data, "active", (double)rd->active);
	cJSON_AddNumberToObject(out->data, "idle", (double)rd->idle);
	cJSON_AddNumberToObject(out->data, "idle_in_transaction", (double)rd->idle_tx);
	cJSON_AddNumberToObject(out->data, "hidden", (double)rd->hidden);
	cJSON_AddBoolToObject(out->data, "partial", rd->hidden > 0);
	if (rd->hidden > 0)
		cJSON_AddStringToObject(
		        out->data, "why_partial",
		        "the role lacks pg_read_all_stats: other roles' sessions "
		        "show no state");
	pg_rows_release(&rows);
	rc = 0;
done:
	pg_close(db);
	return rc;
}

/* "5 connections: 2 active, 3 idle" or the partial form; threshold appended. */
static void describe(const struct reading *rd, double max, char *buf, size_t len)
{
	if (rd->hidden > 0)
		snprintf(buf, len,
		         "counts are partial: %ld of %ld client sessions belong to other roles "
		         "and are hidden (the role lacks pg_read_all_stats); visible: %ld "
		         "active, "
		         "%ld idle (alert above %g active)",
		         rd->hidden, rd->total, rd->active, rd->idle, max);
	else
		snprintf(buf, len,
		         "%ld client connections: %ld active, %ld idle%s (alert above %g "
		         "active)",
		         rd->total, rd->active, rd->idle,
		         rd->idle_tx ? ", some idle in transaction" : "", max);
}

static void step_connections(struct run *r, const struct state *s, struct outcome *out)
{
	double max = config_num(run_config(r), "thresholds.db_active_max", 20);
	struct reading rd;
	char what[400];

	(void)s;
	if (read_connections(r, out, &rd) < 0)
		return;
	cJSON_AddNumberToObject(out->data, "db_active_max", max);
	describe(&rd, max, what, sizeof(what));
	if ((double)rd.active > max)
		outcome_set(out, "high", 1, "HIGH: %s", what);
	else
		outcome_set(out, "normal", 0, "%s", what);
}

static long num_of(const cJSON *o, const char *key)
{
	const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;

	return cJSON_IsNumber(v) ? (long)v->valueint : -1; /* cJSON clamps valueint */
}

/* Connections again, compared with the first reading. */
static void step_verify(struct run *r, const struct state *s, struct outcome *out)
{
	double max = config_num(run_config(r), "thresholds.db_active_max", 20);
	const cJSON *first = run_finding(r, "connections");
	const char *keys[] = {"total", "active", "idle", "idle_in_transaction", "hidden", NULL};
	struct reading rd;
	struct buf b;
	cJSON *ch;
	char what[400];

	(void)s;
	if (read_connections(r, out, &rd) < 0)
		return;
	cJSON_AddNumberToObject(out->data, "db_active_max", max);
	buf_init(&b, 1024);
	ch = cJSON_AddObjectToObject(out->data, "changes");
	for (int i = 0; first != NULL && keys[i] != NULL; i++) {
		long before = num_of(first, keys[i]), after = num_of(out->data, keys[i]);
		cJSON *o;

		if (before < 0 || before == after)
			continue;
		o = cJSON_AddObjectToObject(ch, keys[i]);
		cJSON_AddNumberToObject(o, "before", (double)before);
		cJSON_AddNumberToObject(o, "after", (double)after);
		buf_printf(&b, "%s%s %ld → %ld", b.len ? ", " : "", keys[i], before, after);
	}
	if (first == NULL)
		buf_puts(&b, "no first reading to compare with");
	else if (b.len == 0)
		buf_puts(&b, "no change since the first reading");
	describe(&rd, max, what, sizeof(what));
	if ((double)rd.active > max)
		outcome_set(out, "high", 1, "still HIGH: %s; since the first reading: %s", what,
		            b.p);
	else
		outcome_set(out, "normal", 0, "%s; since the first reading: %s", what, b.p);
	buf_release(&b);
}

/* ---- slow queries, idle preview ---- */

/* The masked query of the first row of arr, or "". Borrowed. */
static const char *first_query(const cJSON *arr)
{
	const char *q = cJSON_GetStringValue(
	        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(arr, 0), "query"));

	return q != NULL ? q : "";
}

static void step_slow(struct run *r, const struct state *s, struct outcome *out)
{
	double secs = config_num(run_config(r), "thresholds.slow_query_s", 5);
	struct pg_session *db;
	struct pg_target t;
	struct pg_rows rows;
	struct pg_status st;
	char param[32];
	const char *params[1] = {param};
	cJSON *arr;
	long hidden;

	(void)s;
	if (!db_missing(r))
		run_doing(r, "Looking for queries active longer than %g s", secs);
	db = probe_open(r, out, &t, "fail");
	if (db == NULL)
		return;
	snprintf(param, sizeof(param), "%.3f", secs);
	out->data = cJSON_CreateObject();
	cJSON_AddNumberToObject(out->data, "slow_query_s", secs);
	if (pg_query(db, sql_slow, 1, params, &rows, &st) < 0) {
		query_failed(out, "fail", &st);
		goto done;
	}
	hidden = hidden_count(db);
	arr = cJSON_AddArrayToObject(out->data, "queries");
	for (int i = 0; i < rows.nrows; i++) {
		cJSON *o = cJSON_CreateObject();
		char *q = pg_mask_query(pg_value(&rows, i, "query"), DB_QUERY_MAX);

		add_num_or_null(o, "pid", pg_value(&rows, i, "pid"));
		add_str_or_null(o, "user", pg_value(&rows, i, "usename"));
		add_str_or_null(o, "application", pg_value(&rows, i, "application_name"));
		add_num_or_null(o, "duration_s", pg_value(&rows, i, "duration_s"));
		add_str_or_null(o, "query", q);
		cJSON_AddItemToArray(arr, o);
		free(q);
	}
	cJSON_AddNumberToObject(out->data, "count", rows.nrows);
	if (hidden > 0) {
		cJSON_AddNumberToObject(out->data, "hidden", (double)hidden);
		cJSON_AddTrueToObject(out->data, "partial");
	}
	if (rows.nrows > 0)
		outcome_set(out, "found", 1,
		            "%d quer%s active longer than %g s; the longest: pid %s, "
		            "%s s: %s",
		            rows.nrows, rows.nrows == 1 ? "y" : "ies", secs,
		            val(&rows, 0, "pid", "?"), val(&rows, 0, "duration_s", "?"),
		            first_query(arr));
	else
		outcome_set(out, "none", 0, "no query active longer than %g s%s", secs,
		            hidden > 0 ? " among the sessions this role can see (partial)"
		                       : "");
	pg_rows_release(&rows);
done:
	pg_close(db);
}

static void step_idle_preview(struct run *r, const struct state *s, struct outcome *out)
{
	double min = config_num(run_config(r), "thresholds.idle_min", 10);
	struct pg_session *db;
	struct pg_target t;
	struct pg_rows rows;
	struct pg_status st;
	char param[32];
	const char *params[1] = {param};
	struct buf b;
	cJSON *arr;
	long hidden;

	(void)s;
	if (!db_missing(r))
		run_doing(r, "Listing sessions idle longer than %g min", min);
	db = probe_open(r, out, &t, "fail");
	if (db == NULL)
		return;
	snprintf(param, sizeof(param), "%.3f", min * 60);
	out->data = cJSON_CreateObject();
	db_target_json(out->data, &t);
	cJSON_AddNumberToObject(out->data, "idle_min", min);
	if (pg_query(db, sql_idle, 1, params, &rows, &st) < 0) {
		query_failed(out, "fail", &st);
		goto done;
	}
	hidden = hidden_count(db);
	buf_init(&b, 400);
	arr = cJSON_AddArrayToObject(out->data, "sessions");
	for (int i = 0; i < rows.nrows; i++) {
		const char *addr = pg_value(&rows, i, "client_addr");
		const char *port = pg_value(&rows, i, "client_port");
		cJSON *o = cJSON_CreateObject();
		char client[128];

		if (addr == NULL)
			snprintf(client, sizeof(client), "local socket");
		else
			snprintf(client, sizeof(client), "%s:%s", addr, port ? port : "?");
		add_num_or_null(o, "pid", pg_value(&rows, i, "pid"));
		add_str_or_null(o, "user", pg_value(&rows, i, "usename"));
		add_str_or_null(o, "application", pg_value(&rows, i, "application_name"));
		cJSON_AddStringToObject(o, "client", client);
		add_num_or_null(o, "idle_s", pg_value(&rows, i, "idle_s"));
		add_str_or_null(o, "idle_since", pg_value(&rows, i, "idle_since"));
		cJSON_AddItemToArray(arr, o);
		buf_printf(&b, "%s%s (%s, %s s)", i ? ", " : "", val(&rows, i, "pid", "?"),
		           val(&rows, i, "usename", "?"), val(&rows, i, "idle_s", "?"));
	}
	cJSON_AddNumberToObject(out->data, "count", rows.nrows);
	if (hidden > 0) {
		cJSON_AddNumberToObject(out->data, "hidden", (double)hidden);
		cJSON_AddTrueToObject(out->data, "partial");
	}
	if (rows.nrows > 0)
		outcome_set(out, "found", 1, "%d session%s idle longer than %g min: %s%s",
		            rows.nrows, rows.nrows == 1 ? "" : "s", min, b.p,
		            b.truncated ? "…" : "");
	else
		outcome_set(out, "none", 0, "no session idle longer than %g min%s", min,
		            hidden > 0 ? " among those this role can see (partial: it lacks "
		                         "pg_read_all_stats)"
		                       : "");
	buf_release(&b);
	pg_rows_release(&rows);
done:
	pg_close(db);
}

/* ---- choose ---- */

static int outcome_is(const cJSON *f, const char *name)
{
	const cJSON *o = f ? cJSON_GetObjectItemCaseSensitive(f, "outcome") : NULL;

	return cJSON_IsString(o) && strcmp(o->valuestring, name) == 0;
}

static const char *suggest_action(struct run *r, const struct state *s, char *reason,
                                  size_t len)
{
	const cJSON *slow = run_finding(r, "slow_queries");
	const cJSON *conns = run_finding(r, "verify") ? run_finding(r, "verify")
	                                              : run_finding(r, "connections");
	const cJSON *q = slow ? cJSON_GetObjectItemCaseSensitive(slow, "queries") : NULL;

	(void)s;
	if (cJSON_GetArraySize(q) > 0) {
		const cJSON *first = cJSON_GetArrayItem(q, 0);

		snprintf(reason, len, "pid %ld has run for %ld s", num_of(first, "pid"),
		         num_of(first, "duration_s"));
		return "cancel";
	}
	if (outcome_is(conns, "high") && num_of(conns, "idle") > num_of(conns, "active")) {
		snprintf(reason, len, "%ld idle of %ld connections", num_of(conns, "idle"),
		         num_of(conns, "total"));
		return "kill_idle";
	}
	if (outcome_is(conns, "high")) {
		snprintf(reason, len, "%ld active connections and no slow query to cancel",
		         num_of(conns, "active"));
		return "escalate";
	}
	if (outcome_is(conns, "normal")) {
		snprintf(reason, len, "connections normal, no slow query");
		return "none";
	}
	return NULL;
}

/* ---- the table ---- */

static const struct option platform_options[] = {
        {.name = "up", .text = "PostgreSQL is running → test the connection again"},
        {.name = "down", .text = "PostgreSQL is down or failing → escalate"},
        {.name = NULL},
};

static const struct option choose_options[] = {
        {.name = "kill_idle",
         .text = "terminate the sessions idle longer than idle_min (previewed first)"},
        {.name = "cancel", .text = "cancel one backend's query: pg_cancel_backend(pid)"},
        {.name = "terminate", .text = "terminate one backend: pg_terminate_backend(pid)"},
        {.name = "none", .text = "nothing to do: read the connections again"},
        {.name = "escalate", .text = "post to #bilko-alerts, start incident response"},
        {.name = NULL},
};

static const struct transition from_connect[] = {{"ok", "connections"},
                                                 {"refused", "platform_status"},
                                                 {"auth_failed", "platform_status"},
                                                 {"timeout", "platform_status"},
                                                 {"ssl_error", "platform_status"},
                                                 {"other", "platform_status"},
                                                 {NULL, NULL}};
static const struct transition from_platform[] = {
        {"up", "connect"}, {"down", "escalate"}, {"done", "connect"}, {NULL, NULL}};
static const struct transition from_connections[] = {{"high", "slow_queries"},
                                                     {"normal", "slow_queries"},
                                                     {"unreachable", "platform_status"},
                                                     {NULL, NULL}};
static const struct transition to_choose[] = {{"*", "choose"}, {NULL, NULL}};
static const struct transition from_choose[] = {
        {"kill_idle", "idle_preview"},      {"cancel", "cancel_backend"},
        {"terminate", "terminate_backend"}, {"none", "verify"},
        {"escalate", "escalate"},           {NULL, NULL}};
static const struct transition to_kill[] = {{"*", "kill_idle"}, {NULL, NULL}};
static const struct transition to_verify[] = {{"*", "verify"}, {NULL, NULL}};
static const struct transition from_verify[] = {{"normal", "resolved"},
                                                {"high", "choose"},
                                                {"unreachable", "platform_status"},
                                                {NULL, NULL}};
static const struct transition to_escalated[] = {{"*", "escalated"}, {NULL, NULL}};

static const struct state states[] = {
        {.id = "connect",
         .kind = KIND_PROBE,
         .section = "4.2",
         .title = "Test connection manually",
         .text = "Run: railway run psql $DATABASE_URL -c \"SELECT 1;\" — does it answer?",
         .probe = step_connect,
         .next = from_connect},
        {.id = "platform_status",
         .kind = KIND_MANUAL,
         .section = "4.2",
         .title = "Check Railway PostgreSQL status",
         .text = "Open Railway Dashboard → Project → PostgreSQL → Status. Is it up?",
         .options = platform_options,
         .next = from_platform},
        {.id = "connections",
         .kind = KIND_PROBE,
         .section = "4.2",
         .title = "Check active connections",
         .text = "Run: SELECT count(*), state, wait_event_type FROM pg_stat_activity GROUP BY "
                 "state, wait_event_type ORDER BY count DESC; — more than 20 active is high "
                 "(runbook §3.1).",
         .probe = step_connections,
         .next = from_connections},
        {.id = "slow_queries",
         .kind = KIND_PROBE,
         .section = "4.2",
         .title = "Find long-running queries",
         .text = "Run: SELECT pid, now() - query_start AS duration, query FROM "
                 "pg_stat_activity "
                 "WHERE state = 'active' AND query_start < NOW() - INTERVAL '5 seconds' ORDER "
                 "BY duration DESC; Press Enter when read, or type what you found.",
         .probe = step_slow,
         .next = to_choose},
        {.id = "choose",
         .kind = KIND_CHOICE,
         .section = "4.2",
         .title = "What to do",
         .text = "What should be done about the database?",
         .suggest = suggest_action,
         .options = choose_options,
         .next = from_choose},
        {.id = "idle_preview",
         .kind = KIND_PROBE,
         .section = "4.2",
         .title = "Kill idle connections if needed (after investigation): preview",
         .text = "Run: SELECT pid, usename, application_name, now() - state_change FROM "
                 "pg_stat_activity WHERE state = 'idle' AND state_change < NOW() - INTERVAL "
                 "'10 minutes'; and note the pids. Press Enter when read.",
         .probe = step_idle_preview,
         .next = to_kill},
        {.id = "kill_idle",
         .kind = KIND_ACTION,
         .section = "4.2",
         .title = "Kill idle connections (the previewed pids only)",
         .text = "Run, for the previewed pids only: SELECT pg_terminate_backend(pid) FROM "
                 "pg_stat_activity WHERE pid IN (...) AND state = 'idle'; Press Enter when "
                 "done, or type what happened.",
         .plan = plan_kill_idle,
         .act = act_signal,
         .next = to_verify,
         .flags = ST_DESTRUCTIVE,
         .target_key = "database.name"},
        {.id = "cancel_backend",
         .kind = KIND_ACTION,
         .section = "4.2",
         .title = "Cancel a backend's query",
         .text = "Which backend pid should be cancelled? Run: SELECT pg_cancel_backend(PID);",
         .plan = plan_signal_one,
         .act = act_signal,
         .check = check_pid,
         .next = to_verify,
         .flags = ST_DESTRUCTIVE | ST_PARAM,
         .target_key = "database.name"},
        {.id = "terminate_backend",
         .kind = KIND_ACTION,
         .section = "4.2",
         .title = "Terminate a backend",
         .text = "Which backend pid should be terminated? Run: SELECT "
                 "pg_terminate_backend(PID);",
         .plan = plan_signal_one,
         .act = act_signal,
         .check = check_pid,
         .next = to_verify,
         .flags = ST_DESTRUCTIVE | ST_PARAM,
         .target_key = "database.name"},
        {.id = "verify",
         .kind = KIND_PROBE,
         .section = "4.2",
         .title = "Check active connections again",
         .text = "Run the connection count again: is it back under 20 active?",
         .probe = step_verify,
         .next = from_verify,
         .flags = ST_VERIFY},
        {.id = "escalate",
         .kind = KIND_NOTIFY,
         .section = "4.2",
         .title = "Post to #bilko-alerts, start incident response",
         .text = "Not resolved: post to #bilko-alerts and start incident response.",
         .next = to_escalated,
         .flags = ST_ESCALATES},
        {.id = "resolved",
         .kind = KIND_END,
         .section = "4.2",
         .title = "Resolved",
         .end = "resolved"},
        {.id = "escalated",
         .kind = KIND_END,
         .section = "4.2",
         .title = "Escalated",
         .end = "escalated"},
        {.id = NULL},
};

const struct flow flow_database = {
        .name = "database",
        .section = "4.2",
        .summary = "Database issues: connections, slow queries, idle sessions",
        .severity = "P1",
        .routine = 0,
        .states = states,
};
