/*
 * routine_db.c - the database steps of migrate (§2.3) and backup-verify (§5.1):
 * pg_dump / pg_restore through src/probe_cmd.h, counts through src/probe_pg.h.
 *
 * A database URL never reaches an argv (ps shows those): pg_dump and pg_restore get
 * the connection as libpq's PG* environment variables, commands.migrate gets
 * DATABASE_URL in its environment.
 */
#include "routine.h"
#include "routine_int.h"

#include "check.h"
#include "common.h"
#include "config.h"
#include "probe_cmd.h"
#include "probe_pg.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <openssl/evp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_ENV 32
#define LIST_MAX ((size_t)16 << 20)
#define DUMP_CMD "pg_dump -Fc --no-password -f \"$RUNBOOK_BACKUP_FILE\""
#define LIST_CMD "pg_restore --list \"$RUNBOOK_BACKUP_FILE\""

/* See routine_int.h. */
void routine_put(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, len, fmt, ap);
	va_end(ap);
}

/* ---- files ---- */

/* See routine.h. */
int backup_dir(const struct config *c, char *out, size_t len, char *err, size_t errlen)
{
	const char *v = config_str_or(c, "backup.dir", "~/.local/state/runbook/backups");
	const char *home = getenv("HOME");
	struct stat st;
	int n;

	if (v[0] == '~' && (v[1] == '/' || v[1] == '\0')) {
		if (home == NULL || *home == '\0') {
			struct passwd *pw = getpwuid(geteuid());

			home = pw ? pw->pw_dir : "/";
		}
		n = snprintf(out, len, "%s%s", home, v + 1);
	} else {
		n = snprintf(out, len, "%s", v);
	}
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "backup.dir is too long");
		return -1;
	}
	for (char *p = out + 1; *p; p++) { /* mkdir -p, 0700 for what is new */
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(out, 0700) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "unable to create '%s': %s", out,
			         strerror(errno));
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	if (mkdir(out, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "unable to create '%s': %s", out, strerror(errno));
		return -1;
	}
	if (stat(out, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "'%s' is not a directory", out);
		return -1;
	}
	return 0;
}

/* See routine.h. */
int file_sha256(const char *path, char hex[65], long long *size, char *err, size_t errlen)
{
	unsigned char md[32], chunk[65536];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = -1;
	ssize_t got;

	*size = 0;
	if (fd < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		snprintf(err, errlen, "SHA-256 unavailable");
		goto out;
	}
	while ((got = read(fd, chunk, sizeof(chunk))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			snprintf(err, errlen, "%s", strerror(errno));
			goto out;
		}
		EVP_DigestUpdate(ctx, chunk, (size_t)got);
		*size += got;
	}
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32) {
		snprintf(err, errlen, "SHA-256 failed");
		goto out;
	}
	hex_encode(md, 32, hex);
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	close(fd);
	return rc;
}

/* See routine.h. */
int backup_find(const char *dir, const char *prefix, const char *short_id, char *out,
                size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char best[256] = "", tail[64];
	size_t plen = strlen(prefix), tlen;

	if (d == NULL)
		return -1;
	snprintf(tail, sizeof(tail), "_%s.dump", short_id);
	tlen = strlen(tail);
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);

		if (n <= plen + tlen || strncmp(e->d_name, prefix, plen) != 0 ||
		    e->d_name[plen] != '_' || strcmp(e->d_name + n - tlen, tail) != 0)
			continue;
		if (strcmp(e->d_name, best) > 0) /* timestamps sort: the newest */
			snprintf(best, sizeof(best), "%s", e->d_name);
	}
	closedir(d);
	if (best[0] == '\0')
		return -1;
	return snprintf(out, len, "%s/%s", dir, best) < (int)len ? 0 : -1;
}

/* ---- connections ---- */

/* See routine_int.h. */
void routine_where(const char *url, char *out, size_t len)
{
	struct pg_target t;
	char err[128];

	out[0] = '\0';
	if (url != NULL && pg_target_parse(url, &t, err, sizeof(err)) == 0)
		snprintf(out, len, "%s:%s/%s", t.host[0] ? t.host : "localhost",
		         t.port[0] ? t.port : "5432", t.dbname);
}

/* The URL as libpq's PG* environment (PGHOST, PGPASSWORD, ...), values borrowed from
 * *opts (free with PQconninfoFree). Returns the count, or -1 when it does not parse. */
static int url_env(const char *url, struct cmd_env *env, size_t max, PQconninfoOption **opts)
{
	size_t n = 0;

	*opts = PQconninfoParse(url ? url : "", NULL);
	if (*opts == NULL)
		return -1;
	for (PQconninfoOption *o = *opts; o->keyword != NULL && n < max; o++)
		if (o->val != NULL && o->val[0] != '\0' && o->envvar != NULL) {
			env[n].name = o->envvar;
			env[n++].value = o->val;
		}
	return (int)n;
}

/* See routine_int.h. */
int routine_pg_cmd(struct run *r, const char *command, const char *url,
                   const struct cmd_env *extra, size_t nextra, long timeout_ms, size_t max_out,
                   struct cmd_result *res)
{
	struct cmd_env env[MAX_ENV];
	PQconninfoOption *opts = NULL;
	struct cmd_req req;
	int n = 0, rc;

	memset(res, 0, sizeof(*res));
	if (url != NULL) {
		n = url_env(url, env, MAX_ENV - nextra - 3, &opts);
		if (n < 0) { /* not started: cmd_failed says why */
			snprintf(res->errmsg, sizeof(res->errmsg),
			         "the database URL cannot be parsed");
			return -1;
		}
	}
	for (size_t i = 0; i < nextra; i++)
		env[n++] = extra[i];
	env[n++] = (struct cmd_env){"RUNBOOK_INCIDENT", run_incident(r)};
	env[n++] = (struct cmd_env){"RUNBOOK_OPERATOR", run_operator(r)};
	memset(&req, 0, sizeof(req));
	req.command = command;
	req.env = env;
	req.nenv = (size_t)n;
	req.timeout_ms = timeout_ms;
	req.max_output = max_out;
	req.abort = run_abort_flag(r);
	rc = cmd_run(&req, res);
	PQconninfoFree(opts);
	return rc;
}

/* See routine_int.h. */
int routine_cmd_failed(const struct cmd_result *res, cJSON *d, char *why, size_t len)
{
	if (!res->started) {
		cJSON_AddStringToObject(d, "error", res->errmsg);
		routine_put(why, len, "could not start: %s", res->errmsg);
		return 1;
	}
	cJSON_AddNumberToObject(d, "exit_code", res->exit_code);
	cJSON_AddNumberToObject(d, "ms", res->ms);
	cJSON_AddItemToObject(d, "output",
	                      json_tail(res->output, res->output_len, ROUTINE_OUTPUT_KEEP));
	if (res->exit_code == 0 && !res->timed_out && !res->aborted)
		return 0;
	if (res->timed_out)
		snprintf(why, len, "timed out after %.0f s", res->ms / 1000);
	else if (res->aborted)
		snprintf(why, len, "interrupted");
	else
		snprintf(why, len, "exit %d", res->exit_code);
	return 1;
}

/* See routine_int.h. */
void routine_last_line(const struct cmd_result *res, char *out, size_t len)
{
	const char *p = res->output ? res->output : "";
	const char *end = p + res->output_len, *start;

	while (end > p && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	start = end;
	while (start > p && start[-1] != '\n')
		start--;
	snprintf(out, len, "%.*s", (int)(end - start), start);
}

/* ---- backup / dump ---- */

static const char *dump_prefix(const struct state *s)
{
	return strcmp(s->id, "backup") == 0 ? "backup" : "monthly_verify";
}

/* See routine.h. */
void plan_dump(struct run *r, const struct state *s, struct intent *in)
{
	const struct config *c = run_config(r);
	const char *url = config_str(c, "database.url");
	char dir[2048], err[512], path[2304], ts[32], db[512];
	struct tm tm;
	time_t now = (time_t)clock_wall();

	if (url == NULL) {
		in->fallback = 1;
		snprintf(in->missing, sizeof(in->missing), "%s",
		         config_why_missing(c, "database.url"));
		return;
	}
	if (backup_dir(c, dir, sizeof(dir), err, sizeof(err)) < 0) {
		in->fallback = 1;
		routine_put(in->missing, sizeof(in->missing), "backup.dir: %s", err);
		return;
	}
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y%m%d_%H%M%S", &tm);
	if (snprintf(path, sizeof(path), "%s/%s_%s_%s.dump", dir, dump_prefix(s), ts,
	             run_short_id(r)) >= (int)sizeof(path)) {
		in->fallback = 1;
		snprintf(in->missing, sizeof(in->missing), "backup.dir is too long");
		return;
	}
	routine_where(url, db, sizeof(db));
	routine_put(in->shown, sizeof(in->shown), "pg_dump -Fc -f %s   (database.url: %s)",
	            path, db);
	in->data = cJSON_CreateObject();
	cJSON_AddStringToObject(in->data, "command", DUMP_CMD);
	cJSON_AddStringToObject(in->data, "file", path);
	cJSON_AddStringToObject(in->data, "database", db);
}

/* See routine.h. */
void act_dump(struct run *r, const struct state *s, const struct intent *in,
              struct outcome *out)
{
	const struct config *c = run_config(r);
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(in->data, "file");
	const char *path = cJSON_IsString(f) ? f->valuestring : "";
	struct cmd_env extra[] = {{"RUNBOOK_BACKUP_FILE", path}, {"PGCONNECT_TIMEOUT", "10"}};
	struct cmd_result res;
	char err[256], why[256], hex[65], line[256];
	long long size;
	int fd;

	(void)s;
	out->data = cJSON_CreateObject();
	cJSON_AddStringToObject(out->data, "file", path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		outcome_set(out, "fail", 1, "unable to create '%s': %s", path, strerror(errno));
		return;
	}
	close(fd);
	run_doing(r, "pg_dump -Fc into %s", path);
	routine_pg_cmd(r, DUMP_CMD, config_str(c, "database.url"), extra, 2,
	               (long)(config_num(c, "timing.backup_timeout_min", 60) * 60000), 0, &res);
	if (routine_cmd_failed(&res, out->data, why, sizeof(why))) {
		routine_last_line(&res, line, sizeof(line));
		unlink(path); /* a partial dump is no backup */
		cJSON_AddTrueToObject(out->data, "removed");
		outcome_set(out, "fail", 1, "pg_dump failed (%s): %s", why, line);
		goto done;
	}
	if (file_sha256(path, hex, &size, err, sizeof(err)) < 0) {
		outcome_set(out, "fail", 1, "unable to read the dump '%s': %s", path, err);
		goto done;
	}
	cJSON_AddNumberToObject(out->data, "bytes", (double)size);
	cJSON_AddStringToObject(out->data, "sha256", hex);
	outcome_set(out, "ok", 0, "%lld bytes in %.1f s, SHA-256 %.16s…", size, res.ms / 1000,
	            hex);
done:
	cmd_result_release(&res);
}

/* See routine.h. */
void step_verify_backup(struct run *r, const struct state *s, struct outcome *out)
{
	const struct config *c = run_config(r);
	char dir[2048], err[512], path[2304], hex[65], why[256], line[256];
	struct cmd_env extra[1];
	struct cmd_result res;
	long long size;
	long entries = 0;

	(void)s;
	if (backup_dir(c, dir, sizeof(dir), err, sizeof(err)) < 0) {
		outcome_set(out, "fail", 1, "backup.dir: %s", err);
		return;
	}
	out->data = cJSON_CreateObject();
	if (backup_find(dir, "backup", run_short_id(r), path, sizeof(path)) < 0) {
		cJSON_AddStringToObject(out->data, "dir", dir);
		outcome_set(out, "fail", 1, "no backup of this run (INC %s) in %s",
		            run_short_id(r), dir);
		return;
	}
	cJSON_AddStringToObject(out->data, "file", path);
	if (file_sha256(path, hex, &size, err, sizeof(err)) < 0) {
		outcome_set(out, "fail", 1, "unable to read '%s': %s", path, err);
		return;
	}
	cJSON_AddNumberToObject(out->data, "bytes", (double)size);
	cJSON_AddStringToObject(out->data, "sha256", hex);
	extra[0] = (struct cmd_env){"RUNBOOK_BACKUP_FILE", path};
	run_doing(r, "pg_restore --list %s", path);
	routine_pg_cmd(r, LIST_CMD, NULL, extra, 1, 600000, LIST_MAX, &res);
	if (res.started && res.exit_code == 0)
		for (const char *p = res.output; p != NULL && *p; p = strchr(p, '\n')) {
			if (*p == '\n')
				p++;
			if (*p != '\0' && *p != ';' && *p != '\n')
				entries++;
		}
	if (routine_cmd_failed(&res, out->data, why, sizeof(why))) {
		routine_last_line(&res, line, sizeof(line));
		outcome_set(out, "fail", 1, "pg_restore cannot read the backup (%s): %s", why,
		            line);
	} else {
		cJSON_DeleteItemFromObjectCaseSensitive(out->data, "output"); /* the TOC */
		cJSON_AddNumberToObject(out->data, "toc_entries", (double)entries);
		if (res.output_truncated)
			cJSON_AddTrueToObject(out->data, "toc_truncated");
		outcome_set(out, "ok", 0,
		            "pg_restore reads %ld entries from %lld bytes, SHA-256 %.16s…",
		            entries, size, hex);
	}
	cmd_result_release(&res);
}

/* ---- migrations ---- */

/* See routine_int.h. */
int routine_same_db(const char *a, const char *b)
{
	char wa[512], wb[512];

	routine_where(a, wa, sizeof(wa));
	routine_where(b, wb, sizeof(wb));
	return wa[0] != '\0' && strcmp(wa, wb) == 0;
}

/* See routine_int.h. */
void routine_db_target(const struct config *c, const char *key, const char *url, char *out,
                       size_t len)
{
	struct pg_target t;
	char err[128];
	const char *name = config_str(c, key);

	if (name != NULL)
		snprintf(out, len, "%s", name);
	else if (pg_target_parse(url, &t, err, sizeof(err)) == 0)
		snprintf(out, len, "%s", t.dbname);
	else
		out[0] = '\0';
}

/* The production safeguard: this run's backup verified and unchanged. 0, or -1 with
 * why (the refusal's reason). */
static int backup_verified(struct run *r, cJSON *data, char *why, size_t len)
{
	const cJSON *f = run_finding(r, "verify_backup");
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(f, "outcome");
	const cJSON *file = cJSON_GetObjectItemCaseSensitive(f, "file");
	const cJSON *sha = cJSON_GetObjectItemCaseSensitive(f, "sha256");
	char hex[65], err[256];
	long long size;

	if (!cJSON_IsString(o) || strcmp(o->valuestring, "ok") != 0 || !cJSON_IsString(file) ||
	    !cJSON_IsString(sha)) {
		snprintf(why, len,
		         "no verified backup from this run: 'verify_backup' has not passed "
		         "(runbook §2.3: never run migrations in production without a backup)");
		return -1;
	}
	cJSON_AddStringToObject(data, "backup", file->valuestring);
	cJSON_AddStringToObject(data, "backup_sha256", sha->valuestring);
	if (file_sha256(file->valuestring, hex, &size, err, sizeof(err)) < 0) {
		routine_put(why, len, "the verified backup '%s' is gone: %s", file->valuestring,
		            err);
		return -1;
	}
	if (strcmp(hex, sha->valuestring) != 0) {
		snprintf(why, len,
		         "the backup '%s' changed after it was verified (SHA-256 now %.16s…, "
		         "verified %.16s…)",
		         file->valuestring, hex, sha->valuestring);
		return -1;
	}
	return 0;
}

/* See routine.h. */
void plan_migrate(struct run *r, const struct state *s, struct intent *in)
{
	const struct config *c = run_config(r);
	int prod = strcmp(s->id, "production") == 0;
	const char *key = prod ? "database.url" : "database.staging_url";
	const char *cmd = config_str(c, "commands.migrate");
	const char *url = config_str(c, key);
	char db[512];

	in->data = cJSON_CreateObject();
	if (prod && backup_verified(r, in->data, in->missing, sizeof(in->missing)) < 0) {
		in->refuse = 1;
		return;
	}
	if (cmd == NULL || url == NULL) {
		in->fallback = 1;
		snprintf(in->missing, sizeof(in->missing), "%s",
		         config_why_missing(c, cmd == NULL ? "commands.migrate" : key));
		return;
	}
	routine_where(url, db, sizeof(db));
	if (!prod && routine_same_db(url, config_str(c, "database.url"))) {
		in->refuse = 1;
		routine_put(in->missing, sizeof(in->missing),
		            "database.staging_url names the production database (%s)", db);
		return;
	}
	routine_put(in->shown, sizeof(in->shown), "DATABASE_URL=<%s: %s> %s",
	            prod ? "production" : "staging", db, cmd);
	cJSON_AddStringToObject(in->data, "command", cmd);
	cJSON_AddStringToObject(in->data, "environment", prod ? "production" : "staging");
	cJSON_AddStringToObject(in->data, "database", db);
	if (prod) {
		routine_db_target(c, "database.name", url, in->target, sizeof(in->target));
		routine_put(in->target_desc, sizeof(in->target_desc),
		            "database '%s' (production, %s)", in->target, db);
		cJSON_AddStringToObject(in->data, "target", in->target);
		cJSON_AddStringToObject(in->data, "target_kind", "database");
	}
}

/* See routine.h. */
void act_migrate(struct run *r, const struct state *s, const struct intent *in,
                 struct outcome *out)
{
	const struct config *c = run_config(r);
	const char *url = config_str(
	        c, strcmp(s->id, "production") == 0 ? "database.url" : "database.staging_url");
	const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(in->data, "command");
	struct cmd_env extra[] = {{"DATABASE_URL", url}};
	struct cmd_result res;
	char why[256];

	out->data = cJSON_CreateObject();
	run_doing(r, "commands.migrate against %s", s->id);
	routine_pg_cmd(r, cJSON_IsString(cmd) ? cmd->valuestring : "false", NULL, extra, 1,
	               (long)(config_num(c, "timing.migrate_timeout_min", 30) * 60000), 0,
	               &res);
	if (routine_cmd_failed(&res, out->data, why, sizeof(why)))
		outcome_set(out, "fail", 1, "%s", why);
	else
		outcome_set(out, "ok", 0, "exit 0 in %.1f s (%s)", res.ms / 1000, s->id);
	cmd_result_release(&res);
}

/* See routine.h. */
void step_migrate_verify(struct run *r, const struct state *s, struct outcome *out)
{
	const struct config *c = run_config(r);
	const char *schema = config_str(c, "commands.verify_schema");
	struct outcome sw;
	struct cmd_result res;
	char why[256] = "";
	int failed = 0;

	(void)s;
	memset(&sw, 0, sizeof(sw));
	out->data = cJSON_CreateObject();
	if (schema != NULL) {
		struct cmd_env extra[] = {{"DATABASE_URL", config_str(c, "database.url")}};
		cJSON *sd = cJSON_AddObjectToObject(out->data, "schema");

		cJSON_AddStringToObject(sd, "command", schema);
		run_doing(r, "schema check: %s", schema);
		routine_pg_cmd(r, schema, NULL, extra, extra[0].value ? 1 : 0, 600000, 0, &res);
		failed = routine_cmd_failed(&res, sd, why, sizeof(why));
		cmd_result_release(&res);
	}
	step_sweep(r, s, &sw);
	if (sw.fallback && schema == NULL) {
		outcome_fallback(out, "neither 'commands.verify_schema' nor a health check is "
		                      "configured");
		return;
	}
	if (!sw.fallback)
		cJSON_AddItemToObject(out->data, "sweep", sw.data);
	if (failed || (sw.name != NULL && strcmp(sw.name, "fail") == 0))
		outcome_set(out, "fail", 1, "%s%s%s%s", schema ? "schema check: " : "",
		            schema ? (failed ? why : "ok") : "",
		            schema && !sw.fallback ? "; " : "", sw.fallback ? "" : sw.summary);
	else
		outcome_set(out, "ok", 0, "%s%s%s", schema ? "schema check ok" : "",
		            schema && !sw.fallback ? "; " : "", sw.fallback ? "" : sw.summary);
}
