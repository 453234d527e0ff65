/* routine_restore.c - backup verification (runbook §5.1): restore this run's dump into
 * staging, then count the rows of backup.count_tables on both sides. */
#include "routine.h"
#include "routine_int.h"

#include "config.h"
#include "probe_cmd.h"
#include "probe_pg.h"
#include "util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESTORE_CMD                                                                       \
	"pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction " \
	"--no-password -d \"$PGDATABASE\" \"$RUNBOOK_BACKUP_FILE\""

/* See routine.h. */
void plan_restore(struct run *r, const struct state *s, struct intent *in)
{
	const struct config *c = run_config(r);
	const char *url = config_str(c, "database.staging_url");
	char dir[2048], err[512], path[2304], db[512];

	(void)s;
	if (url == NULL) {
		in->fallback = 1;
		snprintf(in->missing, sizeof(in->missing), "%s",
		         config_why_missing(c, "database.staging_url"));
		return;
	}
	in->data = cJSON_CreateObject();
	routine_where(url, db, sizeof(db));
	cJSON_AddStringToObject(in->data, "database", db);
	if (backup_dir(c, dir, sizeof(dir), err, sizeof(err)) < 0 ||
	    backup_find(dir, "monthly_verify", run_short_id(r), path, sizeof(path)) < 0) {
		in->refuse = 1;
		snprintf(in->missing, sizeof(in->missing),
		         "no dump of this run (INC %s) to restore: 'dump' must succeed first",
		         run_short_id(r));
		return;
	}
	if (routine_same_db(url, config_str(c, "database.url"))) {
		in->refuse = 1;
		routine_put(
		        in->missing, sizeof(in->missing),
		        "database.staging_url names the production database (%s): a --clean "
		        "restore would overwrite it",
		        db);
		return;
	}
	routine_db_target(c, "database.staging_name", url, in->target, sizeof(in->target));
	routine_put(in->target_desc, sizeof(in->target_desc), "database '%s' (staging, %s)",
	            in->target, db);
	routine_put(in->shown, sizeof(in->shown),
	            "pg_restore --clean --if-exists --no-owner --no-privileges "
	            "--single-transaction "
	            "-d <staging: %s> %s",
	            db, path);
	cJSON_AddStringToObject(in->data, "command", RESTORE_CMD);
	cJSON_AddStringToObject(in->data, "file", path);
	cJSON_AddStringToObject(in->data, "target", in->target);
	cJSON_AddStringToObject(in->data, "target_kind", "database");
}

/* See routine.h. */
void act_restore(struct run *r, const struct state *s, const struct intent *in,
                 struct outcome *out)
{
	const struct config *c = run_config(r);
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(in->data, "file");
	struct cmd_env extra[] = {
	        {"RUNBOOK_BACKUP_FILE", cJSON_IsString(f) ? f->valuestring : ""},
	        {"PGCONNECT_TIMEOUT", "10"}};
	struct cmd_result res;
	char why[256], line[256];

	(void)s;
	out->data = cJSON_CreateObject();
	run_doing(r, "pg_restore into staging");
	routine_pg_cmd(r, RESTORE_CMD, config_str(c, "database.staging_url"), extra, 2,
	               (long)(config_num(c, "timing.backup_timeout_min", 60) * 60000), 0, &res);
	if (routine_cmd_failed(&res, out->data, why, sizeof(why))) {
		routine_last_line(&res, line, sizeof(line));
		outcome_set(out, "fail", 1, "pg_restore failed (%s): %s", why, line);
	} else {
		outcome_set(out, "ok", 0, "restored into staging in %.1f s", res.ms / 1000);
	}
	cmd_result_release(&res);
}

/* "schema"."table" from schema.table, each part quoted; -1 when malformed. */
static int quote_table(const char *name, char *out, size_t len)
{
	size_t o = 0;

	if (name == NULL || *name == '\0' || o + 1 >= len)
		return -1;
	out[o++] = '"';
	for (const char *p = name; *p; p++) {
		const char *add = *p == '"' ? "\"\"" : *p == '.' ? "\".\"" : NULL;
		size_t n = add ? strlen(add) : 1;

		if (*p == '.' && (p == name || p[1] == '\0' || p[-1] == '.'))
			return -1;
		if (o + n + 2 >= len)
			return -1;
		if (add != NULL) {
			memcpy(out + o, add, n);
			o += n;
		} else {
			out[o++] = *p;
		}
	}
	out[o++] = '"';
	out[o] = '\0';
	return 0;
}

/* count(*) of a quoted table over a session: the count, or -1 with why. */
static long long count_rows(struct pg_session *ses, const char *quoted, char *why, size_t len)
{
	char sql[600];
	struct pg_rows rows;
	struct pg_status st;
	long long n = -1;
	long count;
	const char *v;

	snprintf(sql, sizeof(sql), "SELECT count(*) AS n FROM %s", quoted);
	if (pg_query(ses, sql, 0, NULL, &rows, &st) < 0) {
		snprintf(why, len, "%s", st.message);
		return -1;
	}
	v = pg_value(&rows, 0, "n");
	if (v != NULL && parse_long(v, 0, LONG_MAX, &count) == 0)
		n = count;
	else
		snprintf(why, len, "count(*) returned no number");
	pg_rows_release(&rows);
	return n;
}

/* See routine.h. */
void step_compare_counts(struct run *r, const struct state *s, struct outcome *out)
{
	const struct config *c = run_config(r);
	const cJSON *tables = config_node(c, "backup.count_tables");
	const char *urls[2] = {config_str(c, "database.url"),
	                       config_str(c, "database.staging_url")};
	const char *keys[2] = {"database.url", "database.staging_url"};
	struct pg_session *ses[2] = {NULL, NULL};
	struct buf diff, same;
	cJSON *arr, *differ;
	const cJSON *t;
	int ndiff = 0, nerr = 0, ntables = 0;
	char err[512] = "";

	(void)s;
	if (!cJSON_IsArray(tables) || cJSON_GetArraySize(tables) == 0) {
		outcome_fallback(out,
		                 "'backup.count_tables' is not set (a list of table names)");
		return;
	}
	for (int i = 0; i < 2; i++)
		if (urls[i] == NULL) {
			outcome_fallback(out, "%s", config_why_missing(c, keys[i]));
			return;
		}
	out->data = cJSON_CreateObject();
	run_doing(r, "count(*) of %d table(s) in production and staging",
	          cJSON_GetArraySize(tables));
	for (int i = 0; i < 2; i++) {
		struct pg_opts po = {.url = urls[i],
		                     .application_name = "runbook/backup-verify",
		                     .timeout_ms = run_timeout_ms(r, "database"),
		                     .abort = run_abort_flag(r)};
		struct pg_status st;
		char db[512];

		routine_where(urls[i], db, sizeof(db));
		cJSON_AddStringToObject(out->data, i ? "staging" : "source", db);
		if (pg_open(&po, &ses[i], &st) < 0) {
			cJSON_AddStringToObject(out->data, "error", pg_error_name(st.error));
			outcome_set(out, "fail", 1, "cannot connect to %s (%s): %s",
			            i ? "staging" : "the source", pg_error_name(st.error),
			            st.message);
			goto out;
		}
	}
	arr = cJSON_AddArrayToObject(out->data, "tables");
	differ = cJSON_AddArrayToObject(out->data, "differ");
	buf_init(&diff, 300);
	buf_init(&same, 300);
	cJSON_ArrayForEach(t, tables)
	{
		char q[300];
		long long n[2] = {-1, -1};
		cJSON *row = cJSON_CreateObject();

		ntables++;
		cJSON_AddStringToObject(row, "table", cJSON_IsString(t) ? t->valuestring : "?");
		if (!cJSON_IsString(t) || quote_table(t->valuestring, q, sizeof(q)) < 0) {
			cJSON_AddStringToObject(row, "error", "not a table name");
			nerr++;
		} else {
			for (int i = 0; i < 2; i++)
				n[i] = count_rows(ses[i], q, err, sizeof(err));
			if (n[0] < 0 || n[1] < 0) {
				cJSON_AddStringToObject(row, "error", err);
				nerr++;
			}
		}
		if (n[0] >= 0)
			cJSON_AddNumberToObject(row, "source", (double)n[0]);
		else
			cJSON_AddNullToObject(row, "source");
		if (n[1] >= 0)
			cJSON_AddNumberToObject(row, "staging", (double)n[1]);
		else
			cJSON_AddNullToObject(row, "staging");
		cJSON_AddBoolToObject(row, "equal", n[0] >= 0 && n[0] == n[1]);
		if (n[0] >= 0 && n[1] >= 0 && n[0] != n[1]) {
			ndiff++;
			cJSON_AddItemToArray(differ, cJSON_CreateString(t->valuestring));
			buf_printf(&diff, "%s%s: %lld in the source, %lld in staging",
			           diff.len ? "; " : "", t->valuestring, n[0], n[1]);
		} else if (n[0] >= 0 && n[0] == n[1]) {
			buf_printf(&same, "%s%s %lld", same.len ? ", " : "", t->valuestring,
			           n[0]);
		}
		cJSON_AddItemToArray(arr, row);
	}
	if (nerr > 0)
		outcome_set(out, "fail", 1, "%d of %d table(s) could not be counted: %s", nerr,
		            ntables, err[0] ? err : "bad table name");
	else if (ndiff > 0)
		outcome_set(out, "differ", 1, "%s", diff.p);
	else
		outcome_set(out, "equal", 0, "all %d table(s) equal: %s", ntables,
		            same.p ? same.p : "");
	buf_release(&diff);
	buf_release(&same);
out:
	pg_close(ses[0]);
	pg_close(ses[1]);
}
