/*
 * test_journal_batch.c - the journal additions of docs/performance.md: batched appends
 * (journal_begin/commit/rollback), journal_select, the migrations of format 1 and 2
 * journals to format 3, and the incident view over its indexes.
 */
#include "journal_fixture.h"
#include "test.h"

#include <errno.h>
#include <ftw.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "journal.h"
#include "util.h"

#define INC_A "aaaaaa01-0000-4000-8000-000000000001"
#define INC_B "aaaaaa02-0000-4000-8000-000000000002"

/* A journal path in a fresh 0700 directory, removed at exit. Caller frees. */
static char *new_path(void)
{
	return xasprintf("%s/j.db", jfx_tmpdir("rbbatch"));
}

static void add(struct journal *j, const char *inc, const char *state, const char *kind,
                const char *data)
{
	if (journal_append(j, inc, "api-down", state, kind, data, NULL) != 0)
		TEST_FAIL_AT("append %s: %s", kind, journal_errmsg(j));
}

static long long count_rows(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long n = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void verify_ok(struct journal *j, long long events)
{
	struct jverify v;

	CHECK_INT(journal_verify(j, NULL, &v), ==, 0);
	if (!v.ok)
		TEST_FAIL_AT("verify: %s", v.reason);
	CHECK_INT(v.events, ==, events);
}

static void test_batch_commit(void)
{
	char *path = new_path();
	struct journal *j = open_ok(path);
	struct jevent out;

	add(j, INC_A, "", "incident.opened", "{\"title\":\"t\",\"severity\":\"P1\"}");
	CHECK_INT(journal_begin(j), ==, 0);
	CHECK_INT(journal_begin(j), ==, -1); /* one at a time */
	CHECK_CONTAINS(journal_errmsg(j), "already open");
	for (int i = 0; i < 100; i++)
		add(j, INC_A, "verify", "probe.result", "{\"ok\":true}");
	CHECK_INT(journal_append(j, INC_A, "api-down", "verify", "probe.result",
	                         "{\"ok\":true}", &out),
	          ==, 0);
	CHECK_INT(out.seq, ==, 102);
	/* nothing is visible to another connection before the commit */
	CHECK_INT(count_rows(path, "SELECT count(*) FROM events"), ==, 1);
	CHECK_INT(journal_commit(j), ==, 0);
	CHECK_INT(count_rows(path, "SELECT count(*) FROM events"), ==, 102);
	CHECK_INT(journal_commit(j), ==, -1); /* no batch open */
	add(j, INC_A, "resolved", "incident.closed", "{\"end\":\"resolved\"}");
	verify_ok(j, 103);
	journal_close(j);
	free(path);
}

static void test_batch_rollback_and_refusal(void)
{
	char *path = new_path();
	struct journal *j = open_ok(path);

	add(j, INC_A, "", "incident.opened", "{}");
	CHECK_INT(journal_begin(j), ==, 0);
	add(j, INC_A, "s", "note", "{}");
	/* refused for its arguments: nothing written, the batch goes on */
	CHECK_INT(journal_append(j, INC_A, "api-down", "s", "Bad Kind", "{}", NULL), ==, -1);
	CHECK_INT(journal_append(j, INC_A, "api-down", "s", "note", "{not json", NULL), ==, -1);
	add(j, INC_A, "s", "note", "{}");
	journal_rollback(j);
	CHECK_INT(count_rows(path, "SELECT count(*) FROM events"), ==, 1);
	/* after a rollback, appends are single again */
	add(j, INC_A, "s", "note", "{}");
	CHECK_INT(count_rows(path, "SELECT count(*) FROM events"), ==, 2);
	verify_ok(j, 2);
	journal_close(j);
	free(path);
}

static void test_batch_failure_drops_all(void)
{
	char *path = new_path();
	struct journal *j = open_ok(path);
	sqlite3 *db = NULL;

	add(j, INC_A, "", "incident.opened", "{}");
	/* an insert that fails inside the transaction (as a full disk would) */
	CHECK_INT(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
	CHECK_INT(sqlite3_exec(
	                  db,
	                  "CREATE TRIGGER boom BEFORE INSERT ON events WHEN NEW.state = 'boom'"
	                  " BEGIN SELECT RAISE(ABORT, 'boom'); END",
	                  NULL, NULL, NULL),
	          ==, SQLITE_OK);
	sqlite3_close(db);
	CHECK_INT(journal_begin(j), ==, 0);
	add(j, INC_A, "s", "note", "{}");
	add(j, INC_A, "s", "note", "{}");
	CHECK_INT(journal_append(j, INC_A, "api-down", "boom", "note", "{}", NULL), ==, -1);
	CHECK_CONTAINS(journal_errmsg(j), "boom");
	CHECK_INT(journal_append(j, INC_A, "api-down", "s", "note", "{}", NULL), ==, -1);
	CHECK_CONTAINS(journal_errmsg(j), "an earlier append of this batch failed");
	CHECK_INT(journal_commit(j), ==, -1);
	CHECK_CONTAINS(journal_errmsg(j), "nothing of it was written");
	CHECK_INT(count_rows(path, "SELECT count(*) FROM events"), ==, 1);
	/* the handle goes on with single appends */
	add(j, INC_A, "s", "note", "{}");
	CHECK_INT(count_rows(path, "SELECT count(*) FROM events"), ==, 2);
	verify_ok(j, 2);
	journal_close(j);
	free(path);
}

struct seen {
	long long seq[64];
	int n;
};

static int collect(const struct jevent *ev, void *ctx)
{
	struct seen *s = ctx;

	if (s->n < 64)
		s->seq[s->n++] = ev->seq;
	return 0;
}

static void test_select(void)
{
	static const char *const actions[] = {"action.intent", "action.result", NULL};
	static const char *const notes[] = {"note", NULL};
	char *path = new_path();
	struct journal *j;
	struct seen s;

	setenv("RUNBOOK_FAKE_NOW", "2026-12-04T15:00:00.000Z", 1);
	setenv("RUNBOOK_FAKE_STEP_MS", "1000", 1);
	j = open_ok(path);
	add(j, INC_A, "", "incident.opened", "{}");       /* 1, 15:00:00 */
	add(j, INC_A, "restart", "action.intent", "{}");  /* 2, :01 */
	add(j, INC_B, "", "incident.opened", "{}");       /* 3, :02 */
	add(j, INC_A, "restart", "action.result", "{}");  /* 4, :03 */
	add(j, INC_B, "rollback", "action.intent", "{}"); /* 5, :04 */
	add(j, INC_A, "restart", "note", "{}");           /* 6, :05 */
	add(j, INC_A, "restart", "action.intent", "{}");  /* 7, :06 */
	memset(&s, 0, sizeof(s));
	CHECK_INT(journal_select(j, &(struct jselect){.kinds = actions}, collect, &s), ==, 0);
	CHECK_INT(s.n, ==, 4);
	CHECK_INT(s.seq[0], ==, 2);
	CHECK_INT(s.seq[3], ==, 7);
	memset(&s, 0, sizeof(s));
	CHECK_INT(journal_select(j,
	                         &(struct jselect){.kinds = actions,
	                                           .since = "2026-12-04T15:00:03.000Z"},
	                         collect, &s),
	          ==, 0);
	CHECK_INT(s.n, ==, 3);
	CHECK_INT(s.seq[0], ==, 4);
	memset(&s, 0, sizeof(s));
	CHECK_INT(journal_select(j,
	                         &(struct jselect){.incident = INC_A,
	                                           .state = "restart",
	                                           .kinds = actions,
	                                           .before_seq = 7,
	                                           .last = 1},
	                         collect, &s),
	          ==, 0);
	CHECK_INT(s.n, ==, 1);
	CHECK_INT(s.seq[0], ==, 4);
	memset(&s, 0, sizeof(s));
	CHECK_INT(journal_select(j, &(struct jselect){.incident = INC_B, .kinds = notes},
	                         collect, &s),
	          ==, 0);
	CHECK_INT(s.n, ==, 0);
	memset(&s, 0, sizeof(s));
	CHECK_INT(journal_select(j, &(struct jselect){.incident = INC_B}, collect, &s), ==, 0);
	CHECK_INT(s.n, ==, 2);
	journal_close(j);
	free(path);
}

struct incs {
	char ids[8][JOURNAL_UUID_LEN + 1];
	char status[8][8];
	char state[8][32];
	char sev[8][8];
	long long events[8];
	int n;
};

static int collect_inc(const struct jincident *inc, void *ctx)
{
	struct incs *s = ctx;

	if (s->n < 8) {
		snprintf(s->ids[s->n], sizeof(s->ids[0]), "%s", inc->id);
		snprintf(s->status[s->n], sizeof(s->status[0]), "%s", inc->status);
		snprintf(s->state[s->n], sizeof(s->state[0]), "%s", inc->state);
		snprintf(s->sev[s->n], sizeof(s->sev[0]), "%s", inc->severity);
		s->events[s->n] = inc->events;
		s->n++;
	}
	return 0;
}

static long long count_indexes(const char *path, const char *name)
{
	char *sql = xasprintf("SELECT count(*) FROM sqlite_master WHERE type = 'index'"
	                      " AND name LIKE '%s'",
	                      name);
	long long n = count_rows(path, sql);

	free(sql);
	return n;
}

/*
 * A journal written by an older runbook: six events of two incidents, then the schema
 * of format `version` put back by hand (old_sql on a raw connection). Opening it moves
 * it to format 3 (indexes events_incident, events_lifecycle and events_audit, no
 * events_kind; the no-replace triggers); it verifies, the incident view is right, and appends go on.
 */
static void migrate_from(int version, const char *old_sql, long long old_indexes)
{
	char *path = new_path();
	struct journal *j = open_ok(path);
	/* formats 1 and 2 had neither the indexes of later formats nor format 3's triggers */
	char *sql = xasprintf("DROP TRIGGER events_no_replace; DROP TRIGGER meta_no_replace;"
	                      " %s PRAGMA user_version = %d",
	                      old_sql, version);
	struct incs s;
	sqlite3 *db = NULL;

	/* B is opened first but A's events interleave: the order is by opening */
	add(j, INC_B, "", "incident.opened", "{\"title\":\"b\",\"severity\":\"P2\"}");
	add(j, INC_A, "", "incident.opened", "{\"title\":\"a\",\"severity\":\"P1\"}");
	add(j, INC_A, "health", "state.entered", "{}");
	add(j, INC_B, "resolved", "incident.closed", "{\"end\":\"resolved\"}");
	add(j, INC_A, "", "severity.changed", "{\"to\":\"P0\"}");
	add(j, INC_A, "logs", "state.entered", "{}");
	journal_close(j);
	CHECK_INT(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
	sqlite3_close(db);
	free(sql);
	CHECK_INT(count_rows(path, "PRAGMA user_version"), ==, version);
	CHECK_INT(count_indexes(path, "events_%"), ==, old_indexes);
	CHECK_INT(count_rows(path, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"),
	          ==, 4);
	j = open_ok(path);
	CHECK_INT(count_rows(path, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
	                           " AND name IN ('events_no_replace', 'meta_no_replace')"),
	          ==, 2);
	CHECK_INT(count_rows(path, "PRAGMA user_version"), ==, 3);
	CHECK_INT(count_indexes(path, "events_%"), ==, 3);
	CHECK_INT(count_indexes(path, "events_kind"), ==, 0);
	CHECK_INT(count_indexes(path, "events_incident"), ==, 1);
	CHECK_INT(count_indexes(path, "events_lifecycle"), ==, 1);
	CHECK_INT(count_indexes(path, "events_audit"), ==, 1);
	verify_ok(j, 6);
	memset(&s, 0, sizeof(s));
	CHECK_INT(journal_incidents(j, 0, NULL, collect_inc, &s), ==, 0);
	CHECK_INT(s.n, ==, 2);
	CHECK_STR(s.ids[0], INC_B);
	CHECK_STR(s.status[0], "closed");
	CHECK_STR(s.ids[1], INC_A);
	CHECK_STR(s.status[1], "open");
	CHECK_STR(s.state[1], "logs");
	CHECK_STR(s.sev[1], "P0");
	CHECK_INT(s.events[1], ==, 4);
	memset(&s, 0, sizeof(s));
	CHECK_INT(journal_incidents(j, 1, NULL, collect_inc, &s), ==, 0);
	CHECK_INT(s.n, ==, 1);
	CHECK_STR(s.ids[0], INC_A);
	/* inside a batch the view still reads (the batch's own transaction) */
	CHECK_INT(journal_begin(j), ==, 0);
	add(j, INC_A, "resolved", "incident.closed", "{\"end\":\"resolved\"}");
	memset(&s, 0, sizeof(s));
	CHECK_INT(journal_incidents(j, 1, NULL, collect_inc, &s), ==, 0);
	CHECK_INT(s.n, ==, 0);
	CHECK_INT(journal_commit(j), ==, 0);
	/* the chain goes on across the migration; a second open changes nothing */
	verify_ok(j, 7);
	journal_close(j);
	j = open_ok(path);
	CHECK_INT(count_rows(path, "PRAGMA user_version"), ==, 3);
	verify_ok(j, 7);
	journal_close(j);
	free(path);
}

/* Format 1: events_incident and events_kind, none of the partial indexes. */
static void test_migrate_v1(void)
{
	migrate_from(1,
	             "DROP INDEX events_audit; DROP INDEX events_lifecycle;"
	             " CREATE INDEX events_kind ON events (kind, seq);",
	             2);
}

/* Format 2: the partial indexes and events_kind, which format 3 drops. */
static void test_migrate_v2(void)
{
	migrate_from(2, "CREATE INDEX events_kind ON events (kind, seq);", 4);
}

/* Format 2 whose events_kind was already dropped by hand still opens. */
static void test_migrate_v2_without_kind_index(void)
{
	migrate_from(2, "", 3);
}

/* Event ids come from getrandom() (not libuuid): lowercase version-4 UUIDs, all
 * different. The default pid is read once at open and kept. */
static void test_event_ids(void)
{
	char *path = new_path();
	struct journal *j;
	char ids[200][JOURNAL_UUID_LEN + 1];
	struct jevent out;

	unsetenv("RUNBOOK_FAKE_SEED");
	j = open_ok(path);
	for (int i = 0; i < 200; i++) {
		const char *id = out.id;

		CHECK_INT(journal_append(j, INC_A, "api-down", "verify", "probe.result", "{}",
		                         &out),
		          ==, 0);
		CHECK_INT(strlen(id), ==, 36);
		for (int k = 0; k < 36; k++) {
			if (k == 8 || k == 13 || k == 18 || k == 23)
				CHECK(id[k] == '-');
			else
				CHECK((id[k] >= '0' && id[k] <= '9') ||
				      (id[k] >= 'a' && id[k] <= 'f'));
		}
		CHECK(id[14] == '4');
		CHECK(strchr("89ab", id[19]) != NULL);
		for (int k = 0; k < i; k++)
			CHECK(strcmp(ids[k], id) != 0);
		memcpy(ids[i], id, sizeof(ids[i]));
		CHECK_INT(out.pid, ==, getpid());
	}
	journal_set_identity(j, &(struct jidentity){.operator= "op", .pid = 0});
	CHECK_INT(journal_append(j, INC_A, "api-down", "verify", "note", "{}", &out), ==, 0);
	CHECK_INT(out.pid, ==, getpid());
	journal_set_identity(j, &(struct jidentity){.operator= "op", .pid = 77});
	CHECK_INT(journal_append(j, INC_A, "api-down", "verify", "note", "{}", &out), ==, 0);
	CHECK_INT(out.pid, ==, 77);
	verify_ok(j, 202);
	journal_close(j);
	free(path);
}

TEST_LIST = {
        {"batch_commit", test_batch_commit},
        {"batch_rollback_and_refusal", test_batch_rollback_and_refusal},
        {"batch_failure_drops_all", test_batch_failure_drops_all},
        {"select", test_select},
        {"migrate_v1", test_migrate_v1},
        {"migrate_v2", test_migrate_v2},
        {"migrate_v2_without_kind_index", test_migrate_v2_without_kind_index},
        {"event_ids", test_event_ids},
        {NULL, NULL},
};
