/*
 * journal.c - open, create and migrate the journal (the SQLite backend).
 *
 * Appending is in journal_append.c (batches in journal_batch.c); reading, the derived
 * incident view and verification in journal_query.c; the canonical encoding and the
 * hash in chain.c. docs/journal-format.md is the contract.
 */
#include "journal_int.h"

#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static const char schema_sql[] =
#include "schema_sql.h"
        ;

/* Highest format version this build knows (PRAGMA user_version). */
#define JOURNAL_VERSION 3
/* Give up on a busy journal after this long (BEGIN and COMMIT retries). */
#define RETRY_TOTAL_NS (10LL * 1000000000LL)

/*
 * Forward-only migrations: step `to` takes a journal from version to - 1 to `to`. A
 * journal is only ever moved up, in one transaction per open; never re-created. Their
 * SQL is also what verify checks the triggers against (journal_reference_schema).
 */
struct migration {
	int to;
	const char *sql;
	int (*after)(struct journal *j); /* extra work in the same transaction, or NULL */
};

static int init_meta(struct journal *j);

/* Version 2: two small partial indexes for list --open and audit --since on large
 * journals (docs/performance.md). Partial, so that an append of any other kind (probe
 * results, states: most events) writes no more pages than in version 1. The events and
 * the chain are untouched. */
static const char v2_indexes[] =
        "CREATE INDEX events_lifecycle ON events (incident, kind, seq)"
        " WHERE kind IN ('incident.opened', 'incident.closed');"
        "CREATE INDEX events_audit ON events (kind, ts) WHERE kind IN"
        " ('action.intent', 'action.result', 'action.refused', 'action.skipped',"
        " 'prompt.answered');";

/* Version 3: no (kind, seq) index, and no REPLACE. No query needs the index (the kinds
 * looked up journal-wide have their partial indexes, an incident's events come from
 * (incident, seq)), and it was one of the three pages every append writes. IF EXISTS:
 * a journal whose index someone dropped by hand still opens. The BEFORE INSERT
 * triggers refuse an insert over an existing row: REPLACE and upserts delete or update
 * it without firing the delete and update triggers on a connection that has not turned
 * recursive_triggers on (any other process's). docs/journal-format.md. */
static const char v3_schema[] = "DROP INDEX IF EXISTS events_kind;"
                                "CREATE TRIGGER events_no_replace BEFORE INSERT ON events"
                                " WHEN EXISTS (SELECT 1 FROM events WHERE seq = NEW.seq)"
                                " BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;"
                                "CREATE TRIGGER meta_no_replace BEFORE INSERT ON meta"
                                " WHEN EXISTS (SELECT 1 FROM meta WHERE key = NEW.key)"
                                " BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;";

static const struct migration migrations[] = {
        {1, schema_sql, init_meta},
        {2, v2_indexes, NULL},
        {3, v3_schema, NULL},
};

int journal_reference_schema(struct journal *j, sqlite3 **out)
{
	int rc = sqlite3_open_v2(":memory:", out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
	                         NULL);

	for (size_t i = 0; rc == SQLITE_OK && i < sizeof(migrations) / sizeof(migrations[0]);
	     i++)
		rc = sqlite3_exec(*out, migrations[i].sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		journal_seterr(
		        j, "unable to verify journal: cannot build the reference schema: %s",
		        *out != NULL ? sqlite3_errmsg(*out) : "out of memory");
		sqlite3_close(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

void journal_seterr(struct journal *j, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(j->err, sizeof(j->err), fmt, ap);
	va_end(ap);
	for (char *p = j->err; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	}
}

void journal_quote(const char *s, char *out, size_t n)
{
	size_t i = 0;

	if (n == 0)
		return;
	for (; s != NULL && s[i] != '\0' && i + 1 < n; i++) {
		unsigned char c = (unsigned char)s[i];

		out[i] = (c < 0x20 || c == 0x7f || c == '\'') ? '?' : (char)c;
	}
	out[i] = '\0';
}

static int is_busy(int rc)
{
	return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

static void backoff(int attempt)
{
	long ms = 1 + (long)((clock_mono_ns() / 1000 + getpid() * 7919L) % 10);

	sleep_ms(ms + (attempt < 10 ? attempt : 10), NULL);
}

/* Step a statement that returns no rows, retrying while busy; then reset it. */
int journal_step_retry(sqlite3_stmt *st)
{
	int64_t deadline = clock_mono_ns() + RETRY_TOTAL_NS;

	for (int attempt = 0;; attempt++) {
		int rc = sqlite3_step(st);

		sqlite3_reset(st);
		if (rc == SQLITE_DONE || rc == SQLITE_ROW)
			return SQLITE_OK;
		if (!is_busy(rc) || clock_mono_ns() >= deadline)
			return rc;
		backoff(attempt);
	}
}

/* sqlite3_exec with the same retry. */
static int exec_retry(struct journal *j, const char *sql)
{
	int64_t deadline = clock_mono_ns() + RETRY_TOTAL_NS;

	for (int attempt = 0;; attempt++) {
		int rc = sqlite3_exec(j->db, sql, NULL, NULL, NULL);

		if (rc == SQLITE_OK || !is_busy(rc) || clock_mono_ns() >= deadline)
			return rc;
		backoff(attempt);
	}
}

/* Run a one-row query (a pragma) and copy its first column as text. */
static int query_text(struct journal *j, const char *sql, char *out, size_t n)
{
	int64_t deadline = clock_mono_ns() + RETRY_TOTAL_NS;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(j->db, sql, -1, &st, NULL);

	out[0] = '\0';
	for (int attempt = 0; rc == SQLITE_OK; attempt++) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			const unsigned char *t = sqlite3_column_text(st, 0);

			strlcpy_chk(out, t != NULL ? (const char *)t : "", n);
			rc = SQLITE_OK;
			break;
		}
		if (rc == SQLITE_DONE) {
			rc = SQLITE_OK;
			break;
		}
		sqlite3_reset(st);
		if (!is_busy(rc) || clock_mono_ns() >= deadline)
			break;
		backoff(attempt);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* "unable to append to journal 'P': <why>"; returns -1. */
int journal_append_fail(struct journal *j, const char *fmt, ...)
{
	char q[PATH_MAX], why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	journal_quote(j->path, q, sizeof(q));
	journal_seterr(j, "unable to append to journal '%s': %s", q, why);
	return -1;
}

int journal_sqlfail(struct journal *j, const char *what)
{
	char q[PATH_MAX];

	journal_quote(j->path, q, sizeof(q));
	journal_seterr(j, "unable to %s journal '%s': %s", what, q, sqlite3_errmsg(j->db));
	return -1;
}

static int meta_put(struct journal *j, const char *key, const char *value)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(j->db, "INSERT INTO meta (key, value) VALUES (?1, ?2)", -1,
	                            &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : -1;
}

/* Returns 1 and copies the value, 0 when absent, -1 on error. */
static int meta_get(struct journal *j, const char *key, char *out, size_t n)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(j->db, "SELECT value FROM meta WHERE key = ?1", -1, &st,
	                            NULL);
	int found = -1;

	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			const unsigned char *t = sqlite3_column_text(st, 0);

			strlcpy_chk(out, t != NULL ? (const char *)t : "", n);
			found = 1;
		} else if (rc == SQLITE_DONE) {
			found = 0;
		}
	}
	sqlite3_finalize(st);
	return found;
}

/* Version 1: what the journal is and how it is chained. */
static int init_meta(struct journal *j)
{
	unsigned char check[CHAIN_HASH_LEN];
	char hex[2 * CHAIN_HASH_LEN + 1];
	char ts[32];

	time_format(clock_wall(), ts);
	if (meta_put(j, "format", "runbook-journal") != 0 || meta_put(j, "created", ts) != 0)
		return -1;
	if (!chain_keyed(&j->chain))
		return meta_put(j, "chain", "sha256");
	if (chain_key_check(&j->chain, check) != 0)
		return -1;
	hex_encode(check, sizeof(check), hex);
	if (meta_put(j, "chain", "hmac-sha256") != 0 || meta_put(j, "key_check", hex) != 0)
		return -1;
	return 0;
}

static int user_version(struct journal *j, long *v)
{
	char buf[32];

	if (query_text(j, "PRAGMA user_version", buf, sizeof(buf)) != SQLITE_OK)
		return journal_sqlfail(j, "read");
	if (parse_long(buf, 0, LONG_MAX, v) != 0) {
		journal_seterr(j, "unable to read journal: bad user_version '%s'", buf);
		return -1;
	}
	return 0;
}

/* Create a new journal, or move an old one forward; a current one is left alone. */
static int migrate(struct journal *j)
{
	char q[PATH_MAX], buf[64];
	long v = 0;
	int rc = -1;

	journal_quote(j->path, q, sizeof(q));
	if (user_version(j, &v) != 0)
		return -1;
	if (v == JOURNAL_VERSION)
		return 0;
	if (v > JOURNAL_VERSION) {
		journal_seterr(
		        j, "journal '%s' has format version %ld; this runbook knows up to %d",
		        q, v, JOURNAL_VERSION);
		return -1;
	}
	if (exec_retry(j, "BEGIN IMMEDIATE") != SQLITE_OK)
		return journal_sqlfail(j, "create");
	if (user_version(j, &v) != 0)
		goto out;
	if (v == 0) {
		if (query_text(j, "SELECT count(*) FROM sqlite_master", buf, sizeof(buf)) !=
		    SQLITE_OK) {
			journal_sqlfail(j, "create");
			goto out;
		}
		if (strcmp(buf, "0") != 0) {
			journal_seterr(
			        j,
			        "'%s' is not a runbook journal (it has tables but no version)",
			        q);
			goto out;
		}
	}
	for (size_t i = 0; i < sizeof(migrations) / sizeof(migrations[0]); i++) {
		if (migrations[i].to <= v)
			continue;
		if (sqlite3_exec(j->db, migrations[i].sql, NULL, NULL, NULL) != SQLITE_OK ||
		    (migrations[i].after != NULL && migrations[i].after(j) != 0)) {
			journal_sqlfail(j, "create");
			goto out;
		}
		snprintf(buf, sizeof(buf), "PRAGMA user_version = %d", migrations[i].to);
		if (sqlite3_exec(j->db, buf, NULL, NULL, NULL) != SQLITE_OK) {
			journal_sqlfail(j, "create");
			goto out;
		}
	}
	if (exec_retry(j, "COMMIT") != SQLITE_OK) {
		journal_sqlfail(j, "create");
		goto out;
	}
	rc = 0;
out:
	if (rc != 0 && !sqlite3_get_autocommit(j->db))
		sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* The journal's chain type (meta) must agree with the key we have, or lack. */
static int check_chain_type(struct journal *j, const char *keypath)
{
	char q[PATH_MAX], qk[PATH_MAX], chain[64], stored[128], hex[2 * CHAIN_HASH_LEN + 1];
	unsigned char check[CHAIN_HASH_LEN];
	int found = meta_get(j, "chain", chain, sizeof(chain));

	journal_quote(j->path, q, sizeof(q));
	journal_quote(keypath != NULL ? keypath : "", qk, sizeof(qk));
	if (found < 0)
		return journal_sqlfail(j, "read");
	if (found == 0) {
		journal_seterr(j, "journal '%s' has no chain type in its meta table", q);
		return -1;
	}
	if (strcmp(chain, "sha256") == 0) {
		if (!chain_keyed(&j->chain))
			return 0;
		journal_seterr(
		        j,
		        "journal '%s' is not keyed, but RUNBOOK_JOURNAL_KEY names a key ('%s')",
		        q, qk);
		return -1;
	}
	if (strcmp(chain, "hmac-sha256") != 0) {
		journal_quote(chain, stored, sizeof(stored));
		journal_seterr(j, "journal '%s' has an unknown chain type '%s'", q, stored);
		return -1;
	}
	if (!chain_keyed(&j->chain)) {
		journal_seterr(
		        j, "journal '%s' is keyed: set RUNBOOK_JOURNAL_KEY to its key file", q);
		return -1;
	}
	found = meta_get(j, "key_check", stored, sizeof(stored));
	if (found < 0)
		return journal_sqlfail(j, "read");
	if (chain_key_check(&j->chain, check) != 0)
		found = 0;
	hex_encode(check, sizeof(check), hex);
	if (found == 0 || strcmp(stored, hex) != 0) {
		journal_seterr(j, "journal key '%s' is not the key of journal '%s'", qk, q);
		return -1;
	}
	return 0;
}

/* Pragmas of journal.md, each read back where it matters. */
static int configure(struct journal *j)
{
	char q[PATH_MAX], buf[64];
	int on = 0;

	journal_quote(j->path, q, sizeof(q));
	sqlite3_extended_result_codes(j->db, 1);
	sqlite3_busy_timeout(j->db, 5000);
	if (sqlite3_db_config(j->db, SQLITE_DBCONFIG_DEFENSIVE, 1, &on) != SQLITE_OK ||
	    on != 1 ||
	    sqlite3_db_config(j->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, &on) != SQLITE_OK ||
	    on != 0) {
		journal_seterr(j, "unable to open journal '%s': cannot enable defensive mode",
		               q);
		return -1;
	}
	/* recursive_triggers: REPLACE's implicit delete fires the append-only triggers */
	if (exec_retry(j, "PRAGMA trusted_schema = OFF") != SQLITE_OK ||
	    exec_retry(j, "PRAGMA foreign_keys = ON") != SQLITE_OK ||
	    exec_retry(j, "PRAGMA recursive_triggers = ON") != SQLITE_OK)
		return journal_sqlfail(j, "open");
	if (query_text(j, "PRAGMA journal_mode = WAL", buf, sizeof(buf)) != SQLITE_OK)
		return journal_sqlfail(j, "open");
	if (strcmp(buf, "wal") != 0) {
		journal_seterr(j, "unable to open journal '%s': cannot use WAL mode (got '%s')",
		               q, buf);
		return -1;
	}
	if (exec_retry(j, "PRAGMA synchronous = FULL") != SQLITE_OK ||
	    query_text(j, "PRAGMA synchronous", buf, sizeof(buf)) != SQLITE_OK)
		return journal_sqlfail(j, "open");
	if (strcmp(buf, "2") != 0) {
		journal_seterr(
		        j, "unable to open journal '%s': synchronous reads %s, not 2 (full)", q,
		        buf);
		return -1;
	}
	return 0;
}

/* The journal's own connection, once migrated, may read and append, never rewrite:
 * DROP, ALTER, and UPDATE/DELETE on events or meta fail at prepare ("not authorized").
 * Nothing else stops a DROP TRIGGER (SQLITE_DBCONFIG_DEFENSIVE does not). */
static int authorize(void *ctx, int action, const char *a1, const char *a2, const char *db,
                     const char *trigger)
{
	(void)ctx;
	(void)a2;
	(void)db;
	(void)trigger;
	switch (action) {
	case SQLITE_ALTER_TABLE:
	case SQLITE_DROP_INDEX:
	case SQLITE_DROP_TABLE:
	case SQLITE_DROP_TEMP_INDEX:
	case SQLITE_DROP_TEMP_TABLE:
	case SQLITE_DROP_TEMP_TRIGGER:
	case SQLITE_DROP_TEMP_VIEW:
	case SQLITE_DROP_TRIGGER:
	case SQLITE_DROP_VIEW:
	case SQLITE_DROP_VTABLE:
		return SQLITE_DENY;
	case SQLITE_DELETE:
	case SQLITE_UPDATE:
		if (a1 != NULL && (strcmp(a1, "events") == 0 || strcmp(a1, "meta") == 0))
			return SQLITE_DENY;
		return SQLITE_OK;
	default:
		return SQLITE_OK;
	}
}

static int prepare_cached(struct journal *j)
{
	static const char insert[] = "INSERT INTO events (" JOURNAL_COLUMNS ") VALUES "
	                             "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
	                             "?14, ?15)";
	const struct {
		sqlite3_stmt **st;
		const char *sql;
	} todo[] = {
	        {&j->st_begin, "BEGIN IMMEDIATE"},
	        {&j->st_commit, "COMMIT"},
	        {&j->st_rollback, "ROLLBACK"},
	        {&j->st_last, "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"},
	        {&j->st_insert, insert},
	};

	for (size_t i = 0; i < sizeof(todo) / sizeof(todo[0]); i++) {
		if (sqlite3_prepare_v3(j->db, todo[i].sql, -1, SQLITE_PREPARE_PERSISTENT,
		                       todo[i].st, NULL) != SQLITE_OK)
			return journal_sqlfail(j, "open");
	}
	return 0;
}

/* Default identity: operator "unknown", the effective user, the host name, getpid()
 * (read here once, not at every append: runbook does not fork with an open journal). */
static void default_identity(struct journal *j)
{
	struct passwd *pw = getpwuid(geteuid());
	const char *user = pw != NULL && pw->pw_name != NULL ? pw->pw_name : getenv("USER");
	char host[HOST_NAME_MAX + 1];

	if (gethostname(host, sizeof(host)) != 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	free(j->operator);
	free(j->os_user);
	free(j->host);
	j->operator= xstrdup("unknown");
	j->os_user = xstrndup(user != NULL ? user : "", strnlen(user != NULL ? user : "", 255));
	j->host = xstrdup(host);
	j->pid = getpid();
}

int journal_open(const char *path, struct journal **out, char *err, size_t errlen)
{
	const char *keypath = getenv("RUNBOOK_JOURNAL_KEY");
	struct journal *j = xcalloc(1, sizeof(*j));
	mode_t old = umask(077);
	char q[PATH_MAX];
	int rc = -1;

	*out = NULL;
	if (keypath != NULL && keypath[0] == '\0')
		keypath = NULL;
	if (path == NULL || path[0] == '\0' || strlen(path) >= PATH_MAX - 8) {
		journal_quote(path != NULL ? path : "", q, sizeof(q));
		journal_seterr(j, "unable to open journal '%s': bad path", q);
		goto out;
	}
	j->path = xstrdup(path);
	journal_quote(path, q, sizeof(q));
	if (keypath != NULL ? journal_load_key(j, keypath) != 0
	                    : chain_init(&j->chain, NULL, 0) != 0) {
		if (keypath == NULL)
			journal_seterr(
			        j, "unable to open journal '%s': no sha-256 in libcrypto", q);
		goto out;
	}
	if (journal_prepare_file(j) != 0)
		goto out;
	/* NOMUTEX: a handle serves one thread at a time; verify calls the column API ~30
	 * times a row, and the per-call mutex was a fifth of its time. */
	if (sqlite3_open_v2(path, &j->db,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	                    NULL) != SQLITE_OK) {
		if (j->db == NULL)
			journal_seterr(j, "unable to open journal '%s': out of memory", q);
		else
			journal_sqlfail(j, "open");
		goto out;
	}
	if (configure(j) != 0 || migrate(j) != 0 || check_chain_type(j, keypath) != 0)
		goto out;
	/* after the migrations: they are the only code that may ever change the schema */
	if (sqlite3_set_authorizer(j->db, authorize, NULL) != SQLITE_OK) {
		journal_sqlfail(j, "open");
		goto out;
	}
	if (prepare_cached(j) != 0)
		goto out;
	default_identity(j);
	rc = 0;
out:
	umask(old);
	if (rc != 0) {
		if (err != NULL && errlen > 0)
			strlcpy_chk(err, j->err, errlen);
		journal_close(j);
		return -1;
	}
	*out = j;
	return 0;
}

void journal_close(struct journal *j)
{
	if (j == NULL)
		return;
	sqlite3_finalize(j->st_begin);
	sqlite3_finalize(j->st_commit);
	sqlite3_finalize(j->st_rollback);
	sqlite3_finalize(j->st_last);
	sqlite3_finalize(j->st_insert);
	sqlite3_close_v2(j->db);
	chain_release(&j->chain);
	free(j->operator);
	free(j->os_user);
	free(j->host);
	free(j->path);
	free(j);
}

const char *journal_errmsg(const struct journal *j)
{
	return j != NULL ? j->err : "no journal";
}

int journal_keyed(const struct journal *j)
{
	return j != NULL && chain_keyed(&j->chain);
}

/* A copy of s cut to at most max bytes, on a UTF-8 character boundary. */
static char *dup_cut(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	return xstrndup(s, n);
}

void journal_set_identity(struct journal *j, const struct jidentity *who)
{
	if (j == NULL)
		return;
	default_identity(j);
	if (who == NULL)
		return;
	if (who->operator!= NULL && who->operator[0] != '\0') {
		free(j->operator);
		j->operator= dup_cut(who->operator, NAME_MAX_BYTES);
	}
	if (who->os_user != NULL) {
		free(j->os_user);
		j->os_user = dup_cut(who->os_user, NAME_MAX_BYTES);
	}
	if (who->host != NULL) {
		free(j->host);
		j->host = dup_cut(who->host, NAME_MAX_BYTES);
	}
	if (who->pid > 0)
		j->pid = who->pid;
}
