/*
 * database_act.c - the database flow's destructive steps: terminate the previewed idle
 * sessions (kill_idle), cancel or terminate one backend. Every pid is signalled by its
 * own parameterised statement, so one pid's error (a superuser's session, a missing
 * grant) is recorded for that pid and does not stop the others.
 */
#include "database.h"

#include "config.h"
#include "util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Exactly the previewed pids that are still idle, in the same idle period as in the
 * preview ($2: its idle_since; a session that ran a query since, or a new backend that
 * got the pid, has another); never a fresh SELECT … WHERE idle. */
static const char sql_kill[] =
        "SELECT pid, pg_terminate_backend(pid) AS signalled FROM pg_stat_activity"
        " WHERE pid = ANY($1::int[]) AND state = 'idle'"
        " AND " DB_TS_UTC("state_change") " = $2 AND pid <> pg_backend_pid()";
static const char sql_cancel[] =
        "SELECT pid, pg_cancel_backend(pid) AS signalled FROM pg_stat_activity"
        " WHERE pid = $1::int AND pid <> pg_backend_pid()";
static const char sql_terminate[] =
        "SELECT pid, pg_terminate_backend(pid) AS signalled FROM pg_stat_activity"
        " WHERE pid = $1::int AND pid <> pg_backend_pid()";
/* What a pid is doing (before a signal, and to explain one that was not sent). */
static const char sql_look[] =
        "SELECT usename, application_name, state, query, pid = pg_backend_pid() AS own,"
        " " DB_TS_UTC("state_change") " AS since FROM pg_stat_activity WHERE pid = $1::int";
static const char sql_left[] = "SELECT pid FROM pg_stat_activity WHERE pid = ANY($1::int[])";

#define MAX_PIDS 500
#define GONE_WAIT_MS 2000

enum mode { M_KILL, M_CANCEL, M_TERMINATE };

static enum mode mode_of(const struct state *s)
{
	if (strcmp(s->id, "cancel_backend") == 0)
		return M_CANCEL;
	if (strcmp(s->id, "terminate_backend") == 0)
		return M_TERMINATE;
	return M_KILL;
}

int check_pid(const char *value, char *err, size_t errlen)
{
	long pid;

	if (parse_long(value, 1, INT_MAX, &pid) == 0)
		return 0;
	snprintf(err, errlen, "'%s' is not a backend pid (a positive whole number)", value);
	return -1;
}

/* The intent's common part: SQL, target database, where it is. 0, or -1 (fallback). */
static int plan_common(struct run *r, const struct state *s, struct intent *in, const char *sql)
{
	const struct config *c = run_config(r);
	const char *url = config_str(c, "database.url");
	struct pg_target t;
	char buf[128], err[128];
	const char *name;

	(void)s;
	if (url == NULL) {
		in->fallback = 1;
		snprintf(in->missing, sizeof(in->missing), "%s",
		         config_why_missing(c, "database.url"));
		return -1;
	}
	name = db_name(r, buf, sizeof(buf));
	if (name == NULL || pg_target_parse(url, &t, err, sizeof(err)) < 0) {
		in->fallback = 1;
		snprintf(in->missing, sizeof(in->missing), "%s",
		         name ? err : config_why_missing(c, "database.name"));
		return -1;
	}
	snprintf(in->target, sizeof(in->target), "%s", name);
	in->data = cJSON_CreateObject();
	cJSON_AddStringToObject(in->data, "sql", sql);
	cJSON_AddStringToObject(in->data, "target", name);
	cJSON_AddStringToObject(in->data, "target_kind", "database");
	db_target_json(in->data, &t);
	/* the database the operator confirms is the one named in the config */
	cJSON_ReplaceItemInObjectCaseSensitive(in->data, "database", cJSON_CreateString(name));
	if (strcmp(name, t.dbname) != 0)
		cJSON_AddStringToObject(in->data, "url_database", t.dbname);
	db_say(in->target_desc, sizeof(in->target_desc), "database '%s' on %s:%s", name,
	       t.host[0] ? t.host : "(default)", t.port[0] ? t.port : "5432");
	return 0;
}

void plan_kill_idle(struct run *r, const struct state *s, struct intent *in)
{
	const cJSON *f = run_finding(r, "idle_preview");
	const cJSON *sessions = f ? cJSON_GetObjectItemCaseSensitive(f, "sessions") : NULL;
	const cJSON *sess;
	cJSON *pids, *keep;
	struct buf list, table;
	int n = 0;

	if (plan_common(r, s, in, sql_kill) < 0)
		return;
	pids = cJSON_AddArrayToObject(in->data, "pids");
	keep = cJSON_AddArrayToObject(in->data, "sessions");
	buf_init(&list, 256);
	buf_init(&table, 700);
	cJSON_ArrayForEach(sess, sessions)
	{
		const cJSON *pid = cJSON_GetObjectItemCaseSensitive(sess, "pid");
		const cJSON *u = cJSON_GetObjectItemCaseSensitive(sess, "user");
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(sess, "application");
		const cJSON *idle = cJSON_GetObjectItemCaseSensitive(sess, "idle_s");

		if (!cJSON_IsNumber(pid) || pid->valuedouble < 1 ||
		    pid->valuedouble > INT_MAX || n >= MAX_PIDS)
			continue;
		n++;
		cJSON_AddItemToArray(pids, cJSON_CreateNumber(pid->valuedouble));
		cJSON_AddItemToArray(keep, cJSON_Duplicate(sess, 1));
		buf_printf(&list, "%s%.0f", n > 1 ? "," : "", pid->valuedouble);
		buf_printf(&table, "\n             pid %-8.0f %-12s %-20s idle %.0f s",
		           pid->valuedouble, cJSON_IsString(u) ? u->valuestring : "?",
		           cJSON_IsString(a) ? a->valuestring : "", cJSON_GetNumberValue(idle));
	}
	cJSON_AddStringToObject(
	        in->data, "parameter",
	        "$1 = '{pid}', $2 = its idle_since from the preview, one statement per pid");
	if (f != NULL)
		cJSON_AddItemToObject(
		        in->data, "idle_min",
		        cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(f, "idle_min"), 1));
	if (n == 0) {
		in->skip = 1;
		snprintf(in->missing, sizeof(in->missing),
		         "the preview listed no session idle longer than idle_min: nothing to "
		         "terminate");
		goto out;
	}
	snprintf(in->shown, sizeof(in->shown),
	         "%s\n           with $1 = {%s} and $2 = its idle_since (one statement per "
	         "pid)%s%s",
	         sql_kill, list.p, table.p, table.truncated ? "\n             …" : "");
	snprintf(in->target_desc + strlen(in->target_desc),
	         sizeof(in->target_desc) - strlen(in->target_desc), ": %d idle session%s", n,
	         n == 1 ? "" : "s");
out:
	buf_release(&list);
	buf_release(&table);
}

void plan_signal_one(struct run *r, const struct state *s, struct intent *in)
{
	const char *sql = mode_of(s) == M_CANCEL ? sql_cancel : sql_terminate;
	const char *v = run_answer(r, s->id);
	char err[128];
	long pid;

	if (plan_common(r, s, in, sql) < 0)
		return;
	if (v == NULL || check_pid(v, err, sizeof(err)) < 0 ||
	    parse_long(v, 1, INT_MAX, &pid) < 0) {
		in->skip = 1;
		snprintf(in->missing, sizeof(in->missing), "%s",
		         v ? err : "no backend pid was given");
		return;
	}
	cJSON_AddNumberToObject(in->data, "pid", (double)pid);
	cJSON_AddStringToObject(in->data, "parameter", "$1 = pid");
	snprintf(in->shown, sizeof(in->shown), "%s\n           with $1 = %ld", sql, pid);
	snprintf(in->target_desc + strlen(in->target_desc),
	         sizeof(in->target_desc) - strlen(in->target_desc), ": backend pid %ld", pid);
}

/* What the pid is doing now, as JSON (NULL when it is gone). *own: it is our session. */
static cJSON *look(struct pg_session *db, const char *pid, int *own)
{
	const char *params[1] = {pid};
	struct pg_rows rows;
	struct pg_status st;
	cJSON *o = NULL;

	*own = 0;
	if (pg_query(db, sql_look, 1, params, &rows, &st) < 0)
		return NULL;
	if (rows.nrows > 0) {
		const char *v;
		char *q;

		o = cJSON_CreateObject();
		v = pg_value(&rows, 0, "usename");
		cJSON_AddStringToObject(o, "user", v ? v : "");
		v = pg_value(&rows, 0, "application_name");
		cJSON_AddStringToObject(o, "application", v ? v : "");
		v = pg_value(&rows, 0, "state");
		if (v != NULL)
			cJSON_AddStringToObject(o, "state", v);
		else
			cJSON_AddNullToObject(o, "state");
		q = pg_mask_query(pg_value(&rows, 0, "query"), DB_QUERY_MAX);
		cJSON_AddStringToObject(o, "query", q ? q : "");
		free(q);
		v = pg_value(&rows, 0, "since");
		if (v != NULL)
			cJSON_AddStringToObject(o, "state_since", v);
		v = pg_value(&rows, 0, "own");
		*own = v != NULL && v[0] == 't';
	}
	pg_rows_release(&rows);
	return o;
}

/* Why a statement that matched no row sent no signal. */
static void why_not(struct pg_session *db, enum mode m, const char *pid, cJSON *o, char *why,
                    size_t len)
{
	int own;
	cJSON *now = look(db, pid, &own);
	const cJSON *state = now ? cJSON_GetObjectItemCaseSensitive(now, "state") : NULL;

	if (now == NULL) {
		cJSON_AddStringToObject(o, "reason", "gone");
		snprintf(why, len, "already gone");
	} else if (own) {
		cJSON_AddStringToObject(o, "reason", "own_session");
		snprintf(why, len, "the tool's own session");
	} else if (m == M_KILL && cJSON_IsString(state) &&
	           strcmp(state->valuestring, "idle") == 0) {
		const cJSON *since = cJSON_GetObjectItemCaseSensitive(now, "state_since");

		cJSON_AddStringToObject(o, "reason", "idle_again");
		cJSON_AddItemToObject(o, "idle_since", cJSON_Duplicate(since, 1));
		snprintf(why, len, "used since the preview, idle again since %s",
		         cJSON_IsString(since) ? since->valuestring : "?");
	} else if (m == M_KILL) {
		cJSON_AddStringToObject(o, "reason", "no_longer_idle");
		cJSON_AddItemToObject(o, "state", cJSON_Duplicate(state, 1));
		snprintf(why, len, "no longer idle (%s)",
		         cJSON_IsString(state) ? state->valuestring : "state hidden");
	} else {
		cJSON_AddStringToObject(o, "reason", "not_matched");
		snprintf(why, len, "not matched");
	}
	cJSON_Delete(now);
}

/* Signal one pid (kill_idle: only if still idle since `since`, the preview's
 * idle_since); fills o; returns 1 when the signal was sent. */
static int signal_one(struct pg_session *db, enum mode m, long pid, const char *since, cJSON *o,
                      char *why, size_t len)
{
	const char *sql = m == M_KILL ? sql_kill : m == M_CANCEL ? sql_cancel : sql_terminate;
	char param[32];
	const char *params[2] = {param, since};
	struct pg_rows rows;
	struct pg_status st;
	int sent = 0;

	if (m == M_KILL) {
		snprintf(param, sizeof(param), "{%ld}", pid);
	} else {
		int own;
		cJSON *before;

		snprintf(param, sizeof(param), "%ld", pid);
		before = look(db, param, &own);
		if (before != NULL)
			cJSON_AddItemToObject(o, "session", before);
	}
	if (pg_query(db, sql, m == M_KILL ? 2 : 1, params, &rows, &st) < 0) {
		int perm = strcmp(st.sqlstate, "42501") == 0;
		int su = perm && strstr(st.message, "superuser") != NULL;

		cJSON_AddStringToObject(o, "reason",
		                        su     ? "superuser"
		                        : perm ? "permission"
		                               : "error");
		cJSON_AddStringToObject(o, "sqlstate", st.sqlstate);
		cJSON_AddStringToObject(o, "error", st.message);
		db_say(why, len, "%s",
		       su     ? "a superuser's session"
		       : perm ? "permission denied (the role lacks "
		                "pg_signal_backend)"
		              : st.message);
		return 0;
	}
	if (rows.nrows == 0) {
		snprintf(param, sizeof(param), "%ld", pid);
		why_not(db, m, param, o, why, len);
	} else if ((pg_value(&rows, 0, "signalled") ? pg_value(&rows, 0, "signalled")[0]
	                                            : 'f') == 't') {
		sent = 1;
	} else {
		cJSON_AddStringToObject(o, "reason", "not_signalled");
		if (rows.notice[0])
			cJSON_AddStringToObject(o, "notice", rows.notice);
		db_say(why, len, "not signalled%s%s", rows.notice[0] ? ": " : "", rows.notice);
	}
	pg_rows_release(&rows);
	return sent;
}

/* Wait (bounded) until the terminated pids leave pg_stat_activity; marks each "gone". */
static void confirm_gone(struct pg_session *db, cJSON *results, const char *verb,
                         volatile int *abort)
{
	long pids[MAX_PIDS];
	size_t n = 0;
	cJSON *o;
	struct pg_rows rows;
	struct pg_status st;
	char *param = NULL;
	const char *params[1];

	memset(&rows, 0, sizeof(rows));
	cJSON_ArrayForEach(o, results)
	{
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, verb)) && n < MAX_PIDS)
			pids[n++] = (long)cJSON_GetNumberValue(
			        cJSON_GetObjectItemCaseSensitive(o, "pid"));
	}
	if (n == 0)
		return;
	param = pg_int_array(pids, n);
	params[0] = param;
	for (int waited = 0; waited <= GONE_WAIT_MS; waited += 50) {
		pg_rows_release(&rows);
		if (pg_query(db, sql_left, 1, params, &rows, &st) < 0 || rows.nrows == 0 ||
		    (abort && *abort))
			break;
		sleep_ms(50, abort);
	}
	cJSON_ArrayForEach(o, results)
	{
		long pid =
		        (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "pid"));
		int left = 0;

		if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, verb)))
			continue;
		for (int i = 0; i < rows.nrows; i++) {
			long p;

			if (parse_long(pg_value(&rows, i, "pid"), 0, LONG_MAX, &p) == 0 &&
			    p == pid)
				left = 1;
		}
		cJSON_AddBoolToObject(o, "gone", !left);
	}
	pg_rows_release(&rows);
	free(param);
}

void act_signal(struct run *r, const struct state *s, const struct intent *in,
                struct outcome *out)
{
	enum mode m = mode_of(s);
	const char *verb = m == M_CANCEL ? "cancelled" : "terminated";
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(in->data, "pids");
	const cJSON *one = cJSON_GetObjectItemCaseSensitive(in->data, "pid");
	const cJSON *sessions = cJSON_GetObjectItemCaseSensitive(in->data, "sessions");
	const cJSON *p;
	int i = 0;
	struct pg_session *db = NULL;
	struct pg_target t;
	struct pg_status st;
	struct buf done, failed;
	cJSON *results;
	int total = 0, sent = 0;

	buf_init(&done, 300);
	buf_init(&failed, 400);
	out->data = cJSON_CreateObject();
	run_doing(r, "%s",
	          m == M_KILL     ? "Terminating the previewed idle sessions"
	          : m == M_CANCEL ? "Cancelling the backend's query"
	                          : "Terminating the backend");
	if (db_open(r, &db, &t, &st) < 0) {
		cJSON_AddStringToObject(out->data, "error", pg_error_name(st.error));
		cJSON_AddStringToObject(out->data, "message", st.message);
		outcome_set(out, "fail", 1, "nothing was run: %s: %s", pg_error_name(st.error),
		            st.message);
		goto out;
	}
	cJSON_AddNumberToObject(out->data, "backend_pid", pg_backend_pid(db));
	results = cJSON_AddArrayToObject(out->data, "results");
	if (m != M_KILL)
		list = NULL;
	for (p = list ? list->child : one; p != NULL; p = list ? p->next : NULL, i++) {
		long pid = (long)cJSON_GetNumberValue(p);
		/* pids[i] came from sessions[i] (plan_kill_idle); NULL matches nothing */
		const cJSON *since = cJSON_GetObjectItemCaseSensitive(
		        cJSON_GetArrayItem(sessions, i), "idle_since");
		cJSON *o = cJSON_CreateObject();
		char why[256] = "";
		int ok;

		cJSON_AddNumberToObject(o, "pid", (double)pid);
		ok = signal_one(db, m, pid, cJSON_IsString(since) ? since->valuestring : NULL,
		                o, why, sizeof(why));
		cJSON_AddBoolToObject(o, verb, ok);
		cJSON_AddItemToArray(results, o);
		total++;
		sent += ok;
		if (ok)
			buf_printf(&done, "%s%ld", done.len ? ", " : "", pid);
		else
			buf_printf(&failed, "%s%ld (%s)", failed.len ? "; " : "", pid, why);
	}
	if (m != M_CANCEL)
		confirm_gone(db, results, verb, run_abort_flag(r));
	cJSON_AddNumberToObject(out->data, verb, sent);
	cJSON_AddNumberToObject(out->data, "of", total);
	if (sent == total && total > 0)
		outcome_set(out, "ok", 0, "%s %d of %d: %s", verb, sent, total, done.p);
	else
		outcome_set(out, sent > 0 ? "partial" : "fail", 1,
		            "%s %d of %d%s%s; not %s: %s", verb, sent, total, sent ? ": " : "",
		            done.p, verb, failed.p);
out:
	pg_close(db);
	buf_release(&done);
	buf_release(&failed);
}
