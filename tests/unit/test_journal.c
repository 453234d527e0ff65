/* test_journal.c - the journal: append, read back, chain, verify, tamper, modes, hmac. */
#include "journal_fixture.h"
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>

#include <openssl/hmac.h>
#include <sqlite3.h>

#include "chain.h"
#include "journal.h"
#include "journal_int.h"
#include "redact.h"
#include "util.h"

#define INC_A "aaaaaa01-0000-4000-8000-000000000001"
#define INC_B "aaaaaa02-0000-4000-8000-000000000002"
#define INC_C "bbbbbbbb-1111-4111-8111-111111111111"

/* A fresh 0700 directory under /tmp, removed when the test process exits. */
static const char *tmpdir(void)
{
	return jfx_tmpdir("rbjournal");
}

static char *jpath(const char *name)
{
	return xasprintf("%s/%s", jfx_dir(), name);
}

static void append_ok(struct journal *j, const char *inc, const char *flow, const char *state,
                      const char *kind, const char *data, struct jevent *out)
{
	if (journal_append(j, inc, flow, state, kind, data, out) != 0)
		TEST_FAIL_AT("journal_append: %s", journal_errmsg(j));
}

/* A journal with n note events; the path is returned (caller frees). */
static char *make_journal(int n)
{
	char *path;
	struct journal *j;

	tmpdir();
	path = jpath("j.db");
	j = open_ok(path);
	for (int i = 0; i < n; i++) {
		char data[64];

		snprintf(data, sizeof(data), "{\"n\": %d, \"text\": \"note %d\"}", i + 1,
		         i + 1);
		append_ok(j, INC_A, "api_down", "triage", "note", data, NULL);
	}
	journal_close(j);
	return path;
}

static void raw_drop_triggers(sqlite3 *db)
{
	raw_exec(db, "DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete");
}

static void raw_restore_triggers(sqlite3 *db)
{
	raw_exec(db, "CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN "
	             "SELECT RAISE(ABORT, 'journal is append-only'); END;"
	             "CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN "
	             "SELECT RAISE(ABORT, 'journal is append-only'); END;");
}

static struct jverify verify_path(const char *path, const unsigned char *head)
{
	struct journal *j = open_ok(path);
	struct jverify v;

	if (journal_verify(j, head, &v) != 0)
		TEST_FAIL_AT("journal_verify: %s", journal_errmsg(j));
	journal_close(j);
	return v;
}

/* Whole file into a NUL-terminated buffer (caller frees); *n receives the size. */
static char *slurp(const char *path, size_t *n)
{
	struct buf b;
	char chunk[4096];
	FILE *f = fopen(path, "rb");
	size_t r;

	buf_init(&b, 0);
	if (f == NULL)
		TEST_FAIL_AT("fopen %s: %s", path, strerror(errno));
	while ((r = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, r);
	fclose(f);
	*n = b.len;
	return buf_detach(&b);
}

static int file_has(const char *path, const char *needle)
{
	size_t n = 0;
	char *p = slurp(path, &n);
	int found = memmem(p, n, needle, strlen(needle)) != NULL;

	free(p);
	return found;
}

static int mode_of(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		TEST_FAIL_AT("stat %s: %s", path, strerror(errno));
	return (int)(st.st_mode & 07777);
}

/* ---- collecting events ---- */

struct collected {
	int n;
	struct jevent ev[64];
	char *data[64];
	char *operator[64];
	char *flow[64];
	char *state[64];
	char *kind[64];
	char *host[64];
	char *os_user[64];
};

static int collect(const struct jevent *ev, void *ctx)
{
	struct collected *c = ctx;

	if (c->n >= 64)
		return 1;
	c->ev[c->n] = *ev;
	c->data[c->n] = xstrdup(ev->data);
	c->operator[c->n] = xstrdup(ev->operator);
	c->flow[c->n] = xstrdup(ev->flow);
	c->state[c->n] = xstrdup(ev->state);
	c->kind[c->n] = xstrdup(ev->kind);
	c->host[c->n] = xstrdup(ev->host);
	c->os_user[c->n] = xstrdup(ev->os_user);
	c->n++;
	return 0;
}

static void collected_free(struct collected *c)
{
	for (int i = 0; i < c->n; i++) {
		free(c->data[i]);
		free(c->operator[i]);
		free(c->flow[i]);
		free(c->state[i]);
		free(c->kind[i]);
		free(c->host[i]);
		free(c->os_user[i]);
	}
	c->n = 0;
}

/* ---- tests ---- */

static void test_append_read_back(void)
{
	char *path = (tmpdir(), jpath("j.db"));
	struct journal *j = open_ok(path);
	struct collected c = {0};
	struct jevent out;

	append_ok(j, INC_A, "api_down", "", "incident.opened",
	          "{\"title\": \"API down\", \"severity\": \"P1\"}", &out);
	CHECK_INT(out.seq, ==, 1);
	CHECK_INT(strlen(out.id), ==, 36);
	CHECK_INT(strlen(out.ts), ==, 24);
	CHECK(out.ts[23] == 'Z' && out.ts[10] == 'T' && out.ts[19] == '.');
	CHECK(out.operator== NULL && out.data == NULL);
	append_ok(j, INC_A, "api_down", "triage", "state.entered", NULL, NULL);
	append_ok(j, INC_A, "api_down", "triage", "note", "{\"text\": \"looking\"}", NULL);
	CHECK_INT(journal_events(j, NULL, 0, collect, &c), ==, 0);
	CHECK_INT(c.n, ==, 3);
	CHECK_INT(c.ev[0].seq, ==, 1);
	CHECK_STR(c.ev[0].id, out.id);
	CHECK_STR(c.ev[0].ts, out.ts);
	CHECK(memcmp(c.ev[0].hash, out.hash, 32) == 0);
	CHECK_STR(c.ev[0].incident, INC_A);
	CHECK_STR(c.kind[0], "incident.opened");
	CHECK_STR(c.flow[0], "api_down");
	CHECK_STR(c.state[0], "");
	CHECK_STR(c.data[0], "{\"title\": \"API down\", \"severity\": \"P1\"}");
	CHECK_STR(c.data[1], "{}");
	CHECK_STR(c.state[2], "triage");
	CHECK_STR(c.operator[0], "unknown");
	CHECK_INT(c.ev[0].pid, ==, getpid());
	CHECK(c.ev[1].mono_ns >= c.ev[0].mono_ns);
	CHECK_INT(strlen(c.host[0]), >, 0);
	CHECK_INT(strlen(c.os_user[0]), >, 0);
	collected_free(&c);
	/* after_seq and the incident filter */
	append_ok(j, INC_B, "db_slow", "", "note", "{}", NULL);
	CHECK_INT(journal_events(j, NULL, 2, collect, &c), ==, 0);
	CHECK_INT(c.n, ==, 2);
	CHECK_INT(c.ev[0].seq, ==, 3);
	collected_free(&c);
	CHECK_INT(journal_events(j, INC_B, 0, collect, &c), ==, 0);
	CHECK_INT(c.n, ==, 1);
	CHECK_INT(c.ev[0].seq, ==, 4);
	collected_free(&c);
	journal_close(j);
	free(path);
}

static int stop_at_two(const struct jevent *ev, void *ctx)
{
	(void)ctx;
	return ev->seq == 2 ? 7 : 0;
}

static void test_callback_stops(void)
{
	char *path = make_journal(5);
	struct journal *j = open_ok(path);

	CHECK_INT(journal_events(j, NULL, 0, stop_at_two, NULL), ==, 7);
	journal_close(j);
	free(path);
}

static int append_from_callback(const struct jevent *ev, void *ctx)
{
	struct journal *j = ctx;

	if (ev->seq <= 2)
		append_ok(j, INC_A, "f", "s", "note", "{\"from\": \"callback\"}", NULL);
	return 0;
}

/* A callback may append on the handle it is iterating (the engine's resume does). */
static void test_append_inside_callback(void)
{
	char *path = make_journal(2);
	struct journal *j = open_ok(path);

	CHECK_INT(journal_events(j, NULL, 0, append_from_callback, j), ==, 0);
	journal_close(j);
	CHECK_INT(verify_path(path, NULL).ok, ==, 1);
	CHECK_INT(verify_path(path, NULL).events, >=, 4);
	free(path);
}

static void test_seq_and_links(void)
{
	char *path = make_journal(30);
	struct journal *j = open_ok(path);
	struct collected c = {0};
	unsigned char zero[32] = {0};

	CHECK_INT(journal_events(j, NULL, 0, collect, &c), ==, 0);
	CHECK_INT(c.n, ==, 30);
	CHECK(memcmp(c.ev[0].prev_hash, zero, 32) == 0);
	for (int i = 0; i < c.n; i++) {
		CHECK_INT(c.ev[i].seq, ==, i + 1);
		if (i > 0)
			CHECK(memcmp(c.ev[i].prev_hash, c.ev[i - 1].hash, 32) == 0);
		for (int k = 0; k < i; k++)
			CHECK(strcmp(c.ev[i].id, c.ev[k].id) != 0);
	}
	collected_free(&c);
	journal_close(j);
	free(path);
}

static void test_verify_ok(void)
{
	char *path = make_journal(25);
	struct journal *j = open_ok(path);
	struct jevent last;
	struct jverify v;

	append_ok(j, INC_A, "api_down", "triage", "note", "{\"last\": true}", &last);
	CHECK_INT(journal_verify(j, NULL, &v), ==, 0);
	CHECK_INT(v.ok, ==, 1);
	CHECK_INT(v.events, ==, 26);
	CHECK_INT(v.first_bad_seq, ==, 0);
	CHECK_STR(v.reason, "");
	CHECK_INT(v.head_seq, ==, 26);
	CHECK(memcmp(v.head_hash, last.hash, 32) == 0);
	CHECK_INT(v.head_checked, ==, 0);
	journal_close(j);
	free(path);
}

static void test_verify_empty(void)
{
	char *path = (tmpdir(), jpath("j.db"));
	struct jverify v = verify_path(path, NULL);

	CHECK_INT(v.ok, ==, 1);
	CHECK_INT(v.events, ==, 0);
	CHECK_INT(v.head_seq, ==, 0);
	free(path);
}

/* Tamper through a raw connection (triggers dropped first), then verify. */
static struct jverify tamper(const char *path, const char *sql)
{
	sqlite3 *db = raw_open(path);

	raw_drop_triggers(db);
	raw_exec(db, sql);
	raw_restore_triggers(db);
	sqlite3_close(db);
	return verify_path(path, NULL);
}

static void test_tamper_data(void)
{
	char *path = make_journal(10);
	/* one byte: "note 5" becomes "note 6" */
	struct jverify v = tamper(path, "UPDATE events SET data = replace(data, 'note 5', "
	                                "'note 6') WHERE seq = 5");

	CHECK_INT(v.ok, ==, 0);
	CHECK_INT(v.first_bad_seq, ==, 5);
	CHECK_CONTAINS(v.reason, "seq 5: hash mismatch");
	CHECK_INT(v.events, ==, 10);
	free(path);
}

static void test_tamper_ts(void)
{
	char *path = make_journal(10);
	struct jverify v =
	        tamper(path, "UPDATE events SET ts = substr(ts, 1, 22) || "
	                     "CASE substr(ts, 23, 1) WHEN '9' THEN '8' ELSE '9' END || 'Z'"
	                     " WHERE seq = 3");

	CHECK_INT(v.ok, ==, 0);
	CHECK_INT(v.first_bad_seq, ==, 3);
	CHECK_CONTAINS(v.reason, "seq 3: hash mismatch");
	free(path);
}

static void test_tamper_delete(void)
{
	char *path = make_journal(10);
	struct jverify v = tamper(path, "DELETE FROM events WHERE seq = 4");

	CHECK_INT(v.ok, ==, 0);
	CHECK_INT(v.first_bad_seq, ==, 4);
	CHECK_CONTAINS(v.reason, "seq 4 missing (gap after 3)");
	CHECK_INT(v.events, ==, 9);
	free(path);
}

static void test_tamper_delete_first(void)
{
	char *path = make_journal(5);
	struct jverify v = tamper(path, "DELETE FROM events WHERE seq = 1");

	CHECK_INT(v.ok, ==, 0);
	CHECK_INT(v.first_bad_seq, ==, 1);
	CHECK_CONTAINS(v.reason, "seq 1 missing");
	free(path);
}

static void test_tamper_swap(void)
{
	char *path = make_journal(10);
	struct jverify v =
	        tamper(path, "CREATE TEMP TABLE s AS SELECT seq, data FROM events"
	                     " WHERE seq IN (3, 7);"
	                     "UPDATE events SET data = (SELECT data FROM s WHERE seq = 7)"
	                     " WHERE seq = 3;"
	                     "UPDATE events SET data = (SELECT data FROM s WHERE seq = 3)"
	                     " WHERE seq = 7;");

	CHECK_INT(v.ok, ==, 0);
	CHECK_INT(v.first_bad_seq, ==, 3);
	free(path);
}

static void test_tamper_prev_hash(void)
{
	char *path = make_journal(10);
	struct jverify v =
	        tamper(path, "UPDATE events SET prev_hash = zeroblob(32) WHERE seq = 6");

	CHECK_INT(v.ok, ==, 0);
	CHECK_INT(v.first_bad_seq, ==, 6);
	CHECK_CONTAINS(v.reason, "seq 6: prev_hash does not match seq 5");
	free(path);
}

static void test_tamper_type(void)
{
	char *path = make_journal(4);
	/* a column of the wrong storage class is named even before its hash is checked */
	struct jverify v = tamper(path, "UPDATE events SET pid = 'p' || pid WHERE seq = 2");

	CHECK_INT(v.ok, ==, 0);
	CHECK_INT(v.first_bad_seq, ==, 2);
	CHECK_CONTAINS(v.reason, "seq 2: column 'pid' has the wrong type");
	free(path);
}

static void test_integrity_failure(void)
{
	char *path = make_journal(20);
	sqlite3 *db = raw_open(path);
	struct jverify v;

	/* the index now claims another definition than its content: a logical corruption */
	raw_exec(db, "PRAGMA writable_schema = ON");
	raw_exec(db,
	         "UPDATE sqlite_master SET sql = replace(sql, '(incident, seq)', '(kind, seq)')"
	         " WHERE name = 'events_incident'");
	raw_exec(db, "PRAGMA writable_schema = OFF");
	sqlite3_close(db);
	v = verify_path(path, NULL);
	CHECK_INT(v.ok, ==, 0);
	CHECK_INT(v.first_bad_seq, ==, 0);
	CHECK_INT(v.events, ==, 20);
	CHECK(strncmp(v.reason, "integrity check failed: ", 24) == 0);
	free(path);
}

static void test_missing_trigger(void)
{
	char *path = make_journal(3);
	sqlite3 *db = raw_open(path);
	struct jverify v;

	raw_exec(db, "DROP TRIGGER events_no_update");
	sqlite3_close(db);
	/* journal_open must not quietly put it back */
	v = verify_path(path, NULL);
	v = verify_path(path, NULL);
	CHECK_INT(v.ok, ==, 0);
	CHECK_INT(v.first_bad_seq, ==, 0);
	CHECK_STR(v.reason, "trigger 'events_no_update' is missing");
	db = raw_open(path);
	raw_exec(db, "DROP TRIGGER events_no_delete");
	sqlite3_close(db);
	v = verify_path(path, NULL);
	CHECK_CONTAINS(v.reason, "trigger 'events_no_delete' is missing");
	free(path);
}

static void test_altered_trigger(void)
{
	char *path = make_journal(3);
	sqlite3 *db = raw_open(path);
	struct jverify v;

	raw_exec(db, "DROP TRIGGER events_no_delete; CREATE TRIGGER events_no_delete BEFORE "
	             "DELETE ON events BEGIN SELECT 1; END");
	sqlite3_close(db);
	v = verify_path(path, NULL);
	CHECK_INT(v.ok, ==, 0);
	CHECK_CONTAINS(v.reason, "trigger 'events_no_delete' has been altered");
	free(path);
}

static void test_append_only(void)
{
	char *path = make_journal(3);
	sqlite3 *db = raw_open(path);
	const char *sqls[] = {"UPDATE events SET data = '{}' WHERE seq = 1",
	                      "DELETE FROM events WHERE seq = 3", "DELETE FROM events",
	                      "UPDATE meta SET value = 'sha256' WHERE key = 'chain'",
	                      "DELETE FROM meta",
	                      /* a raw connection leaves recursive_triggers off: REPLACE's
	                       * delete would not fire events_no_delete (format 3) */
	                      "INSERT OR REPLACE INTO events SELECT seq, id, incident, ts, "
	                      "mono_ns, operator, os_user, host, pid, flow, state, kind, "
	                      "'{\"x\": 1}', prev_hash, hash FROM events WHERE seq = 2",
	                      "REPLACE INTO meta (key, value) VALUES ('chain', 'hmac-sha256')",
	                      "INSERT INTO events SELECT * FROM events WHERE seq = 1 "
	                      "ON CONFLICT (seq) DO UPDATE SET data = '{}'",
	                      "INSERT INTO meta (key, value) VALUES ('chain', 'x') "
	                      "ON CONFLICT (key) DO UPDATE SET value = 'x'"};

	for (size_t i = 0; i < sizeof(sqls) / sizeof(sqls[0]); i++) {
		CHECK_INT(sqlite3_exec(db, sqls[i], NULL, NULL, NULL), !=, SQLITE_OK);
		CHECK_CONTAINS(sqlite3_errmsg(db), "journal is append-only");
	}
	/* the control: a new row is still an insert like any other */
	CHECK_INT(sqlite3_exec(db, "INSERT INTO meta (key, value) VALUES ('probe', 'x')", NULL,
	                       NULL, NULL),
	          ==, SQLITE_OK);
	sqlite3_close(db);
	CHECK_INT(verify_path(path, NULL).ok, ==, 1);
	CHECK_INT(verify_path(path, NULL).events, ==, 3);
	free(path);
}

static void test_head(void)
{
	char *path = make_journal(10);
	struct journal *j = open_ok(path);
	struct collected c = {0};
	unsigned char head3[32], last[32], bogus[32];
	struct jverify v;
	sqlite3 *db;

	CHECK_INT(journal_events(j, NULL, 0, collect, &c), ==, 0);
	memcpy(head3, c.ev[2].hash, 32);
	memcpy(last, c.ev[9].hash, 32);
	collected_free(&c);
	journal_close(j);
	v = verify_path(path, head3);
	CHECK_INT(v.ok, ==, 1);
	CHECK_INT(v.head_checked, ==, 1);
	CHECK_INT(v.head_found, ==, 1);
	memset(bogus, 0xab, sizeof(bogus));
	v = verify_path(path, bogus);
	CHECK_INT(v.ok, ==, 0);
	CHECK_INT(v.head_found, ==, 0);
	CHECK_CONTAINS(v.reason, "head hash abababab");
	CHECK_CONTAINS(v.reason, "not found: the journal was truncated or replaced");
	/* truncation: the chain alone still verifies, the old head does not */
	db = raw_open(path);
	raw_drop_triggers(db);
	raw_exec(db, "DELETE FROM events WHERE seq > 7");
	raw_restore_triggers(db);
	sqlite3_close(db);
	v = verify_path(path, NULL);
	CHECK_INT(v.ok, ==, 1);
	CHECK_INT(v.events, ==, 7);
	CHECK_INT(v.head_seq, ==, 7);
	v = verify_path(path, last);
	CHECK_INT(v.ok, ==, 0);
	CHECK_INT(v.head_found, ==, 0);
	CHECK_CONTAINS(v.reason, "not found");
	v = verify_path(path, head3);
	CHECK_INT(v.ok, ==, 1);
	free(path);
}

static char *write_key(const char *name, const char *content, mode_t mode)
{
	char *p = jpath(name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	CHECK(fd >= 0);
	CHECK_INT(write(fd, content, strlen(content)), ==, (long long)strlen(content));
	close(fd);
	CHECK_INT(chmod(p, mode), ==, 0);
	return p;
}

/* Recompute every hash of the journal with plain SHA-256 (what a keyless forger does). */
static void rechain_unkeyed(const char *path)
{
	sqlite3 *db = raw_open(path);
	sqlite3_stmt *sel = NULL, *upd = NULL;
	unsigned char prev[32] = {0}, hash[32];
	struct chain ch;

	CHECK_INT(chain_init(&ch, NULL, 0), ==, 0);
	raw_drop_triggers(db);
	raw_exec(db, "BEGIN");
	CHECK_INT(sqlite3_prepare_v2(db, "SELECT " JOURNAL_COLUMNS " FROM events ORDER BY seq",
	                             -1, &sel, NULL),
	          ==, SQLITE_OK);
	CHECK_INT(sqlite3_prepare_v2(
	                  db, "UPDATE events SET prev_hash = ?1, hash = ?2 WHERE seq = ?3", -1,
	                  &upd, NULL),
	          ==, SQLITE_OK);
	while (sqlite3_step(sel) == SQLITE_ROW) {
		struct chain_row r;
		struct chain_text *t[] = {
		        &r.id,   &r.incident, &r.ts,   NULL,     &r.operator, & r.os_user,
		        &r.host, NULL,        &r.flow, &r.state, &r.kind,
		        &r.data};

		r.seq = sqlite3_column_int64(sel, 0);
		r.mono_ns = sqlite3_column_int64(sel, 4);
		r.pid = sqlite3_column_int64(sel, 8);
		for (int i = 0; i < 12; i++) {
			if (t[i] == NULL)
				continue;
			t[i]->p = sqlite3_column_blob(sel, i + 1);
			t[i]->n = (size_t)sqlite3_column_bytes(sel, i + 1);
		}
		r.prev_hash = prev;
		CHECK_INT(chain_hash(&ch, &r, hash), ==, 0);
		sqlite3_bind_blob(upd, 1, prev, 32, SQLITE_TRANSIENT);
		sqlite3_bind_blob(upd, 2, hash, 32, SQLITE_TRANSIENT);
		sqlite3_bind_int64(upd, 3, r.seq);
		CHECK_INT(sqlite3_step(upd), ==, SQLITE_DONE);
		sqlite3_reset(upd);
		memcpy(prev, hash, 32);
	}
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	raw_exec(db, "COMMIT");
	raw_restore_triggers(db);
	sqlite3_close(db);
	chain_release(&ch);
}

static void test_hmac(void)
{
	char *path = (tmpdir(), jpath("keyed.db"));
	char *key = write_key("key", "0123456789abcdef-journal-key", 0600);
	char *other = write_key("other", "fedcba9876543210-another-key", 0600);
	struct journal *j = NULL;
	char err[512];
	struct jverify v;

	setenv("RUNBOOK_JOURNAL_KEY", key, 1);
	j = open_ok(path);
	CHECK_INT(journal_keyed(j), ==, 1);
	for (int i = 0; i < 5; i++)
		append_ok(j, INC_A, "api_down", "triage", "note", "{\"k\": 1}", NULL);
	journal_close(j);
	v = verify_path(path, NULL);
	CHECK_INT(v.ok, ==, 1);
	CHECK_INT(v.events, ==, 5);
	/* keyed journal, no key */
	unsetenv("RUNBOOK_JOURNAL_KEY");
	CHECK_INT(journal_open(path, &j, err, sizeof(err)), ==, -1);
	CHECK(j == NULL);
	CHECK_CONTAINS(err, "is keyed");
	CHECK_CONTAINS(err, path);
	/* the wrong key */
	setenv("RUNBOOK_JOURNAL_KEY", other, 1);
	CHECK_INT(journal_open(path, &j, err, sizeof(err)), ==, -1);
	CHECK_CONTAINS(err, "is not the key of journal");
	/* a chain forged without the key fails with it */
	setenv("RUNBOOK_JOURNAL_KEY", key, 1);
	rechain_unkeyed(path);
	v = verify_path(path, NULL);
	CHECK_INT(v.ok, ==, 0);
	CHECK_INT(v.first_bad_seq, ==, 1);
	CHECK_CONTAINS(v.reason, "seq 1: hash mismatch");
	free(key);
	free(other);
	free(path);
}

static void test_hmac_unkeyed_journal_with_key(void)
{
	char *path = make_journal(2);
	char *key = write_key("key", "0123456789abcdef-journal-key", 0600);
	struct journal *j = NULL;
	char err[512];

	setenv("RUNBOOK_JOURNAL_KEY", key, 1);
	CHECK_INT(journal_open(path, &j, err, sizeof(err)), ==, -1);
	CHECK_CONTAINS(err, "is not keyed");
	unsetenv("RUNBOOK_JOURNAL_KEY");
	j = open_ok(path);
	CHECK_INT(journal_keyed(j), ==, 0);
	journal_close(j);
	free(key);
	free(path);
}

static void test_hmac_bad_key_files(void)
{
	char *path = (tmpdir(), jpath("k.db"));
	char *loose = write_key("loose", "0123456789abcdef-journal-key", 0640);
	char *shortk = write_key("short", "tooshort", 0600);
	char *missing = jpath("nonexistent");
	struct journal *j = NULL;
	char err[512];

	setenv("RUNBOOK_JOURNAL_KEY", loose, 1);
	CHECK_INT(journal_open(path, &j, err, sizeof(err)), ==, -1);
	CHECK_CONTAINS(err, "is accessible by group or others");
	setenv("RUNBOOK_JOURNAL_KEY", shortk, 1);
	CHECK_INT(journal_open(path, &j, err, sizeof(err)), ==, -1);
	CHECK_CONTAINS(err, "must hold 16");
	setenv("RUNBOOK_JOURNAL_KEY", missing, 1);
	CHECK_INT(journal_open(path, &j, err, sizeof(err)), ==, -1);
	CHECK_CONTAINS(err, "no such file or directory");
	free(loose);
	free(shortk);
	free(missing);
	free(path);
}

/* The keyed chain equals OpenSSL's one-shot HMAC() over 0x00 || prev || canonical. */
static void test_chain_matches_oneshot(void)
{
	static const unsigned char key[] = "0123456789abcdef0123";
	unsigned char prev[32], a[32], b[32], enc[1024], msg[1100];
	unsigned int blen = 0;
	struct chain ch;
	struct chain_row r = {
	        .seq = 42,
	        .id = {"0", 1},
	        .incident = {INC_A, 36},
	        .ts = {"2026-12-04T15:03:12.123Z", 24},
	        .mono_ns = -5,
	        .operator= {"op", 2},
	        .os_user = {"", 0},
	        .host = {"h", 1},
	        .pid = 7,
	        .flow = {"f", 1},
	        .state = {"s", 1},
	        .kind = {"note", 4},
	        .data = {"{}", 2},
	        .prev_hash = prev,
	};
	size_t n;

	memset(prev, 0x11, sizeof(prev));
	n = chain_encode(&r, enc, sizeof(enc));
	/* tag, 3 integers, 11 texts of 4-byte lengths, prev_hash */
	CHECK_INT(n, ==,
	          4 + 24 + 8 + (4 + 1) + (4 + 36) + (4 + 24) + 8 + (4 + 2) + 4 + (4 + 1) + 8 +
	                  (4 + 1) + (4 + 1) + (4 + 4) + (4 + 2) + 32);
	CHECK(memcmp(enc, "\0\0\0\x18runbook.journal.event.v1", 28) == 0);
	CHECK(memcmp(enc + 28, "\0\0\0\0\0\0\0\x2a", 8) == 0);
	CHECK(memcmp(enc + n - 32, prev, 32) == 0);
	/* mono_ns -5: two's complement */
	CHECK(memcmp(enc + 28 + 8 + 5 + 40 + 28, "\xff\xff\xff\xff\xff\xff\xff\xfb", 8) == 0);
	msg[0] = 0x00;
	memcpy(msg + 1, prev, 32);
	memcpy(msg + 33, enc, n);
	CHECK_INT(chain_init(&ch, key, sizeof(key) - 1), ==, 0);
	CHECK_INT(chain_hash(&ch, &r, a), ==, 0);
	CHECK(HMAC(EVP_sha256(), key, (int)(sizeof(key) - 1), msg, 33 + n, b, &blen) != NULL);
	CHECK(memcmp(a, b, 32) == 0);
	chain_release(&ch);
	CHECK_INT(chain_init(&ch, NULL, 0), ==, 0);
	CHECK_INT(chain_hash(&ch, &r, a), ==, 0);
	CHECK(EVP_Digest(msg, 33 + n, b, &blen, EVP_sha256(), NULL) == 1);
	CHECK(memcmp(a, b, 32) == 0);
	chain_release(&ch);
}

static void test_modes(void)
{
	const char *root = tmpdir();
	char *dir1 = xasprintf("%s/a", root);
	char *dir2 = xasprintf("%s/a/b", root);
	char *path = xasprintf("%s/a/b/j.db", root);
	char *wal = xasprintf("%s-wal", path);
	char *shm = xasprintf("%s-shm", path);
	struct journal *j;

	umask(022);
	j = open_ok(path);
	CHECK_INT(mode_of(dir1), ==, 0700);
	CHECK_INT(mode_of(dir2), ==, 0700);
	CHECK_INT(mode_of(path), ==, 0600);
	append_ok(j, INC_A, "f", "s", "note", "{}", NULL);
	CHECK_INT(mode_of(wal), ==, 0600);
	CHECK_INT(mode_of(shm), ==, 0600);
	CHECK_INT(umask(022), ==, 022); /* restored */
	journal_close(j);
	free(dir1);
	free(dir2);
	free(path);
	free(wal);
	free(shm);
}

static void test_loose_modes_refused(void)
{
	char *path = make_journal(1);
	struct journal *j = NULL;
	char err[512], want[600];

	CHECK_INT(chmod(path, 0666), ==, 0);
	CHECK_INT(journal_open(path, &j, err, sizeof(err)), ==, -1);
	CHECK(j == NULL);
	snprintf(want, sizeof(want), "journal '%s' is writable by group or others", path);
	CHECK_STR(err, want);
	CHECK_INT(chmod(path, 0620), ==, 0);
	CHECK_INT(journal_open(path, &j, err, sizeof(err)), ==, -1);
	CHECK_INT(chmod(path, 0600), ==, 0);
	CHECK_INT(chmod(jfx_dir(), 0777), ==, 0);
	CHECK_INT(journal_open(path, &j, err, sizeof(err)), ==, -1);
	CHECK_CONTAINS(err, "is writable by group or others");
	CHECK_CONTAINS(err, jfx_dir());
	CHECK_INT(chmod(jfx_dir(), 0700), ==, 0);
	j = open_ok(path);
	journal_close(j);
	free(path);
}

static void test_open_failure(void)
{
	struct journal *j = (struct journal *)&j;
	char err[512];

	CHECK_INT(journal_open("/etc/passwd/x.db", &j, err, sizeof(err)), ==, -1);
	CHECK(j == NULL);
	CHECK_CONTAINS(err, "unable to open journal '/etc/passwd/x.db'");
	CHECK_CONTAINS(err, "not a directory");
	CHECK(strchr(err, '\n') == NULL);
	CHECK_INT(journal_open("/etc/passwd/deeper/x.db", &j, err, sizeof(err)), ==, -1);
	CHECK_CONTAINS(err, "/etc/passwd/deeper/x.db");
	CHECK_INT(journal_open("", &j, err, sizeof(err)), ==, -1);
	CHECK_CONTAINS(err, "unable to open journal ''");
}

static void test_not_a_journal(void)
{
	char *path = (tmpdir(), jpath("other.db"));
	char *junk = jpath("junk.db");
	struct journal *j = NULL;
	char err[512];
	sqlite3 *db = NULL;
	int fd;

	CHECK_INT(sqlite3_open(path, &db), ==, SQLITE_OK);
	raw_exec(db, "CREATE TABLE t(x)");
	sqlite3_close(db);
	chmod(path, 0600);
	CHECK_INT(journal_open(path, &j, err, sizeof(err)), ==, -1);
	CHECK_CONTAINS(err, "is not a runbook journal");
	fd = open(junk, O_WRONLY | O_CREAT, 0600);
	CHECK_INT(write(fd, "this is not sqlite at all, not even close.......", 48), ==, 48);
	close(fd);
	CHECK_INT(journal_open(junk, &j, err, sizeof(err)), ==, -1);
	CHECK_CONTAINS(err, "unable to open journal '");
	CHECK_CONTAINS(err, "not a database");
	free(junk);
	free(path);
}

static void test_newer_version_refused(void)
{
	char *path = make_journal(1);
	sqlite3 *db = raw_open(path);
	struct journal *j = NULL;
	char err[512];

	raw_exec(db, "PRAGMA user_version = 9");
	sqlite3_close(db);
	CHECK_INT(journal_open(path, &j, err, sizeof(err)), ==, -1);
	CHECK_CONTAINS(err, "has format version 9");
	free(path);
}

static void test_pragmas(void)
{
	char *path = (tmpdir(), jpath("j.db"));
	struct journal *j = open_ok(path);
	const struct {
		const char *sql;
		const char *want;
	} checks[] = {
	        {"PRAGMA synchronous", "2"},
	        {"PRAGMA journal_mode", "wal"},
	        {"PRAGMA trusted_schema", "0"},
	        {"PRAGMA foreign_keys", "1"},
	        {"PRAGMA user_version", "3"},
	        {"SELECT value FROM meta WHERE key = 'chain'", "sha256"},
	        {"PRAGMA busy_timeout", "5000"},
	};
	int defensive = -1;

	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		sqlite3_stmt *st = NULL;

		CHECK_INT(sqlite3_prepare_v2(j->db, checks[i].sql, -1, &st, NULL), ==,
		          SQLITE_OK);
		CHECK_INT(sqlite3_step(st), ==, SQLITE_ROW);
		CHECK_STR((const char *)sqlite3_column_text(st, 0), checks[i].want);
		sqlite3_finalize(st);
	}
	CHECK_INT(sqlite3_db_config(j->db, SQLITE_DBCONFIG_DEFENSIVE, -1, &defensive), ==,
	          SQLITE_OK);
	CHECK_INT(defensive, ==, 1);
	journal_close(j);
	free(path);
}

static void test_redaction(void)
{
	char *path = (tmpdir(), jpath("j.db"));
	char *wal = xasprintf("%s-wal", path);
	struct journal *j = open_ok(path);
	struct collected c = {0};

	redact_add_secret("hunter2-very-secret-value");
	append_ok(j, INC_A, "api_down", "login", "action.intent",
	          "{\"cmd\": \"login --password hunter2-very-secret-value\","
	          " \"url\": \"postgres://app:pw-in-url-zz9@db:5432/app\"}",
	          NULL);
	CHECK_INT(journal_events(j, NULL, 0, collect, &c), ==, 0);
	CHECK_INT(c.n, ==, 1);
	CHECK_NOT_CONTAINS(c.data[0], "hunter2-very-secret-value");
	CHECK_NOT_CONTAINS(c.data[0], "pw-in-url-zz9");
	CHECK_CONTAINS(c.data[0], REDACTED);
	collected_free(&c);
	CHECK(!file_has(wal, "hunter2-very-secret-value"));
	CHECK(!file_has(wal, "pw-in-url-zz9"));
	CHECK(!file_has(path, "hunter2-very-secret-value"));
	journal_close(j);
	CHECK(!file_has(path, "hunter2-very-secret-value"));
	CHECK(!file_has(path, "pw-in-url-zz9"));
	CHECK_INT(verify_path(path, NULL).ok, ==, 1);
	redact_reset();
	free(wal);
	free(path);
}

static void test_concurrent_appends(void)
{
	char *path = make_journal(0);
	pid_t kids[4];
	struct journal *j;
	struct jverify v;
	struct collected c = {0};

	for (int k = 0; k < 4; k++) {
		kids[k] = fork();
		CHECK(kids[k] >= 0);
		if (kids[k] == 0) {
			struct journal *cj = NULL;
			char err[512];
			int bad = 0;

			if (journal_open(path, &cj, err, sizeof(err)) != 0) {
				fprintf(stderr, "child open: %s\n", err);
				_exit(1);
			}
			for (int i = 0; i < 50 && !bad; i++) {
				char data[64];

				snprintf(data, sizeof(data), "{\"child\": %d, \"i\": %d}", k,
				         i);
				if (journal_append(cj, INC_A, "f", "s", "note", data, NULL) !=
				    0) {
					fprintf(stderr, "child append: %s\n",
					        journal_errmsg(cj));
					bad = 1;
				}
			}
			journal_close(cj);
			_exit(bad);
		}
	}
	for (int k = 0; k < 4; k++) {
		int st = -1;

		CHECK_INT(waitpid(kids[k], &st, 0), ==, kids[k]);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	v = verify_path(path, NULL);
	CHECK_INT(v.ok, ==, 1);
	CHECK_INT(v.events, ==, 200);
	CHECK_INT(v.head_seq, ==, 200);
	/* each child's own appends stay in its order */
	j = open_ok(path);
	for (int k = 0; k < 4; k++) {
		int last = -1;

		for (long long after = 0;; after = c.ev[c.n - 1].seq) {
			collected_free(&c);
			CHECK_INT(journal_events(j, NULL, after, collect, &c), >=, 0);
			if (c.n == 0)
				break;
			for (int i = 0; i < c.n; i++) {
				if (c.ev[i].pid != kids[k])
					continue;
				char want[32];

				snprintf(want, sizeof(want), "{\"child\": %d, \"i\": %d}", k,
				         last + 1);
				CHECK_STR(c.data[i], want);
				last++;
			}
			if (c.n < 64)
				break;
		}
		collected_free(&c);
		CHECK_INT(last, ==, 49);
	}
	journal_close(j);
	free(path);
}

/* Children racing to create the same new journal: one creates it, none fails. */
static void test_concurrent_create(void)
{
	char *path = (tmpdir(), jpath("new/dir/j.db"));
	pid_t kids[4];
	struct jverify v;

	for (int k = 0; k < 4; k++) {
		kids[k] = fork();
		CHECK(kids[k] >= 0);
		if (kids[k] == 0) {
			struct journal *cj = NULL;
			char err[512];
			int bad = 0;

			if (journal_open(path, &cj, err, sizeof(err)) != 0) {
				fprintf(stderr, "child open: %s\n", err);
				_exit(1);
			}
			for (int i = 0; i < 10 && !bad; i++)
				bad = journal_append(cj, INC_A, "f", "s", "note", "{}", NULL) !=
				      0;
			journal_close(cj);
			_exit(bad);
		}
	}
	for (int k = 0; k < 4; k++) {
		int st = -1;

		CHECK_INT(waitpid(kids[k], &st, 0), ==, kids[k]);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	v = verify_path(path, NULL);
	CHECK_INT(v.ok, ==, 1);
	CHECK_INT(v.events, ==, 40);
	free(path);
}

struct incs {
	int n;
	char id[4][37];
	char text[4][512];
	long long events[4];
};

static int collect_inc(const struct jincident *inc, void *ctx)
{
	struct incs *s = ctx;

	if (s->n >= 4)
		return 1;
	memcpy(s->id[s->n], inc->id, 37);
	snprintf(s->text[s->n], sizeof(s->text[0]),
	         "flow=%s title=%s severity=%s status=%s state=%s end=%s closed=%s operator=%s",
	         inc->flow, inc->title, inc->severity, inc->status, inc->state,
	         inc->end ? inc->end : "(null)", inc->closed ? "yes" : "(null)", inc->operator);
	s->events[s->n] = inc->events;
	CHECK_INT(strlen(inc->opened), ==, 24);
	s->n++;
	return 0;
}

static void test_incidents(void)
{
	char *path = (tmpdir(), jpath("j.db"));
	struct journal *j = open_ok(path);
	struct jidentity who = {"alice@bastion", "alice", "bastion", 4242};
	struct incs s = {0};

	journal_set_identity(j, &who);
	append_ok(j, INC_A, "api_down", "", "incident.opened",
	          "{\"title\": \"API down\", \"severity\": \"P2\"}", NULL);
	append_ok(j, INC_A, "api_down", "triage", "state.entered", "{}", NULL);
	append_ok(j, INC_B, "db_slow", "", "incident.opened",
	          "{\"title\": \"DB 'slow'\", \"severity\": \"P3\"}", NULL);
	append_ok(j, INC_A, "api_down", "triage", "severity.changed",
	          "{\"from\": \"P2\", \"to\": \"P0\"}", NULL);
	append_ok(j, INC_B, "db_slow", "check", "state.entered", "{}", NULL);
	append_ok(j, INC_A, "api_down", "restart", "state.entered", "{}", NULL);
	append_ok(j, INC_A, "api_down", "restart", "note", "{\"text\": \"x\"}", NULL);
	append_ok(j, INC_A, "api_down", "restart", "incident.closed", "{\"end\": \"resolved\"}",
	          NULL);
	CHECK_INT(journal_incidents(j, 0, NULL, collect_inc, &s), ==, 0);
	CHECK_INT(s.n, ==, 2);
	CHECK_STR(s.id[0], INC_A);
	CHECK_STR(s.text[0], "flow=api_down title=API down severity=P0 status=closed "
	                     "state=restart end=resolved closed=yes operator=alice@bastion");
	CHECK_INT(s.events[0], ==, 6);
	CHECK_STR(s.id[1], INC_B);
	CHECK_STR(s.text[1], "flow=db_slow title=DB 'slow' severity=P3 status=open state=check "
	                     "end=(null) closed=(null) operator=alice@bastion");
	CHECK_INT(s.events[1], ==, 2);
	memset(&s, 0, sizeof(s));
	CHECK_INT(journal_incidents(j, 1, NULL, collect_inc, &s), ==, 0);
	CHECK_INT(s.n, ==, 1);
	CHECK_STR(s.id[0], INC_B);
	memset(&s, 0, sizeof(s));
	CHECK_INT(journal_incidents(j, 0, "2000-01-01", collect_inc, &s), ==, 0);
	CHECK_INT(s.n, ==, 2);
	memset(&s, 0, sizeof(s));
	CHECK_INT(journal_incidents(j, 0, "2999-01-01T00:00:00Z", collect_inc, &s), ==, 0);
	CHECK_INT(s.n, ==, 0);
	CHECK_INT(journal_incidents(j, 0, "yesterday", collect_inc, &s), ==, -1);
	CHECK_CONTAINS(journal_errmsg(j), "invalid date 'yesterday'");
	journal_close(j);
	free(path);
}

static void test_incidents_since_exact(void)
{
	char *path = (tmpdir(), jpath("j.db"));
	struct journal *j;
	struct incs s = {0};

	setenv("RUNBOOK_FAKE_NOW", "2026-12-04T15:03:12.000Z", 1);
	j = open_ok(path);
	append_ok(j, INC_A, "api_down", "", "incident.opened", "{\"title\": \"t\"}", NULL);
	/* without the fraction the bound still includes the event at .000 */
	CHECK_INT(journal_incidents(j, 0, "2026-12-04T15:03:12Z", collect_inc, &s), ==, 0);
	CHECK_INT(s.n, ==, 1);
	CHECK_CONTAINS(s.text[0], "severity= status=open state= end=(null)");
	memset(&s, 0, sizeof(s));
	CHECK_INT(journal_incidents(j, 0, "2026-12-04T15:03:12.001Z", collect_inc, &s), ==, 0);
	CHECK_INT(s.n, ==, 0);
	journal_close(j);
	unsetenv("RUNBOOK_FAKE_NOW");
	free(path);
}

static void test_find_incident(void)
{
	char *path = (tmpdir(), jpath("j.db"));
	struct journal *j = open_ok(path);
	char out[JOURNAL_UUID_LEN + 1];

	append_ok(j, INC_A, "f", "", "incident.opened", "{}", NULL);
	append_ok(j, INC_B, "f", "", "incident.opened", "{}", NULL);
	append_ok(j, INC_C, "f", "", "incident.opened", "{}", NULL);
	CHECK_INT(journal_find_incident(j, INC_A, out), ==, 0);
	CHECK_STR(out, INC_A);
	CHECK_INT(journal_find_incident(j, "aaaaaa01", out), ==, 0);
	CHECK_STR(out, INC_A);
	CHECK_INT(journal_find_incident(j, "AAAAAA02", out), ==, 0);
	CHECK_STR(out, INC_B);
	CHECK_INT(journal_find_incident(j, "bbbbbb", out), ==, 0);
	CHECK_STR(out, INC_C);
	CHECK_INT(journal_find_incident(j, "aaaaaa", out), ==, -1);
	CHECK_STR(journal_errmsg(j), "incident prefix 'aaaaaa' is ambiguous");
	CHECK_INT(journal_find_incident(j, "aaaa", out), ==, -1);
	CHECK_STR(journal_errmsg(j), "incident id 'aaaa' is too short");
	CHECK_INT(journal_find_incident(j, "cccccccc", out), ==, -1);
	CHECK_STR(journal_errmsg(j), "no incident 'cccccccc'");
	CHECK_INT(journal_find_incident(j, "zzzzzzzz", out), ==, -1);
	CHECK_STR(journal_errmsg(j), "no incident 'zzzzzzzz'");
	CHECK_INT(journal_find_incident(j, INC_A "0", out), ==, -1);
	CHECK_INT(journal_find_incident(j, "aaaaaa%'", out), ==, -1);
	CHECK_STR(journal_errmsg(j), "no incident 'aaaaaa%?'");
	journal_close(j);
	free(path);
}

static void test_hostile_text(void)
{
	char *path = (tmpdir(), jpath("j.db"));
	struct journal *j = open_ok(path);
	const char *op = "x'); DROP TABLE events; --\"\\ \xc3\xa9";
	struct jidentity who = {op, "root'--", "h\"ost", 1};
	struct collected c = {0};

	journal_set_identity(j, &who);
	append_ok(j, INC_A, "fl'ow", "st\"ate\n", "note",
	          "{\"text\": \"'); DELETE FROM events; -- \\u0000 \\\" ünïcode\"}", NULL);
	CHECK_INT(journal_events(j, NULL, 0, collect, &c), ==, 0);
	CHECK_INT(c.n, ==, 1);
	CHECK_STR(c.operator[0], op);
	CHECK_STR(c.os_user[0], "root'--");
	CHECK_STR(c.host[0], "h\"ost");
	CHECK_STR(c.flow[0], "fl'ow");
	CHECK_STR(c.state[0], "st\"ate\n");
	CHECK_STR(c.data[0], "{\"text\": \"'); DELETE FROM events; -- \\u0000 \\\" ünïcode\"}");
	CHECK_INT(c.ev[0].pid, ==, 1);
	collected_free(&c);
	CHECK_INT(journal_verify(j, NULL, &(struct jverify){0}), ==, 0);
	journal_close(j);
	CHECK_INT(verify_path(path, NULL).ok, ==, 1);
	free(path);
}

static void test_bad_arguments(void)
{
	char *path = (tmpdir(), jpath("j.db"));
	struct journal *j = open_ok(path);
	struct jevent out;

	CHECK_INT(journal_append(j, "not-a-uuid", "f", "s", "note", "{}", &out), ==, -1);
	CHECK_CONTAINS(journal_errmsg(j), "bad incident id 'not-a-uuid'");
	CHECK_CONTAINS(journal_errmsg(j), path);
	CHECK_INT(journal_append(j, "AAAAAA01-0000-4000-8000-000000000001", "f", "s", "note",
	                         "{}", &out),
	          ==, -1);
	CHECK_INT(journal_append(j, INC_A, "f", "s", "Bad Kind", "{}", &out), ==, -1);
	CHECK_CONTAINS(journal_errmsg(j), "bad event kind");
	CHECK_INT(journal_append(j, INC_A, NULL, "s", "note", "{}", &out), ==, -1);
	CHECK_INT(journal_append(j, INC_A, "f", "s", "note", "{\"a\": ", &out), ==, -1);
	CHECK_CONTAINS(journal_errmsg(j), "event data is not valid JSON");
	CHECK_INT(journal_append(j, INC_A, "f", "s", "note", "{} trailing", &out), ==, -1);
	CHECK_INT(out.seq, ==, 0);
	CHECK_INT(verify_path(path, NULL).events, ==, 0);
	append_ok(j, INC_A, "f", "s", "note", "[1, 2]", &out);
	CHECK_INT(out.seq, ==, 1);
	journal_close(j);
	free(path);
}

/* journal.md's vocabulary: its 17 kinds append, any other kind is refused. */
static void test_kind_vocabulary(void)
{
	static const char *const kinds[] = {
	        "incident.opened",
	        "state.entered",
	        "probe.result",
	        "prompt.answered",
	        "action.intent",
	        "action.result",
	        "action.refused",
	        "action.skipped",
	        "note",
	        "handoff",
	        "severity.changed",
	        "notify.sent",
	        "notify.failed",
	        "notify.skipped",
	        "incident.escalated",
	        "incident.mitigated",
	        "incident.closed",
	};
	static const char *const unknown[] = {
	        "test.append", "boom",   "notes",         "note.",
	        "incident",    "action", "probe.results", "incident.opened2"};
	char *path = (tmpdir(), jpath("j.db"));
	struct journal *j = open_ok(path);
	struct collected c = {0};
	char want[128];

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		append_ok(j, INC_A, "f", "s", kinds[i], "{}", NULL);
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		CHECK_INT(journal_append(j, INC_A, "f", "s", unknown[i], "{}", NULL), ==, -1);
		snprintf(want, sizeof(want),
		         "unable to append to journal '%s': unknown event "
		         "kind '%s'",
		         path, unknown[i]);
		CHECK_STR(journal_errmsg(j), want);
	}
	CHECK_INT(journal_events(j, NULL, 0, collect, &c), ==, 0);
	CHECK_INT(c.n, ==, 17);
	for (int i = 0; i < c.n; i++)
		CHECK_STR(c.kind[i], kinds[i]);
	collected_free(&c);
	journal_close(j);
	CHECK_INT(verify_path(path, NULL).ok, ==, 1);
	free(path);
}

static void test_identity_defaults_restore(void)
{
	char *path = (tmpdir(), jpath("j.db"));
	struct journal *j = open_ok(path);
	struct jidentity who = {"bob@h", NULL, NULL, 0};
	struct collected c = {0};

	journal_set_identity(j, &who);
	append_ok(j, INC_A, "f", "s", "note", "{}", NULL);
	journal_set_identity(j, NULL);
	append_ok(j, INC_A, "f", "s", "note", "{}", NULL);
	CHECK_INT(journal_events(j, NULL, 0, collect, &c), ==, 0);
	CHECK_STR(c.operator[0], "bob@h");
	CHECK_INT(c.ev[0].pid, ==, getpid());
	CHECK_INT(strlen(c.os_user[0]), >, 0);
	CHECK_STR(c.operator[1], "unknown");
	collected_free(&c);
	journal_close(j);
	free(path);
}

static void test_reopen_appends_continue(void)
{
	char *path = make_journal(3);
	struct journal *j = open_ok(path);
	struct jevent out;

	append_ok(j, INC_A, "f", "s", "note", "{}", &out);
	CHECK_INT(out.seq, ==, 4);
	journal_close(j);
	CHECK_INT(verify_path(path, NULL).ok, ==, 1);
	free(path);
}

TEST_LIST = {
        {"append_read_back", test_append_read_back},
        {"callback_stops", test_callback_stops},
        {"append_inside_callback", test_append_inside_callback},
        {"seq_and_links", test_seq_and_links},
        {"verify_ok", test_verify_ok},
        {"verify_empty", test_verify_empty},
        {"tamper_data", test_tamper_data},
        {"tamper_ts", test_tamper_ts},
        {"tamper_delete", test_tamper_delete},
        {"tamper_delete_first", test_tamper_delete_first},
        {"tamper_swap", test_tamper_swap},
        {"tamper_prev_hash", test_tamper_prev_hash},
        {"tamper_type", test_tamper_type},
        {"integrity_failure", test_integrity_failure},
        {"missing_trigger", test_missing_trigger},
        {"altered_trigger", test_altered_trigger},
        {"append_only", test_append_only},
        {"head", test_head},
        {"hmac", test_hmac},
        {"hmac_unkeyed_journal_with_key", test_hmac_unkeyed_journal_with_key},
        {"hmac_bad_key_files", test_hmac_bad_key_files},
        {"chain_matches_oneshot", test_chain_matches_oneshot},
        {"modes", test_modes},
        {"loose_modes_refused", test_loose_modes_refused},
        {"open_failure", test_open_failure},
        {"not_a_journal", test_not_a_journal},
        {"newer_version_refused", test_newer_version_refused},
        {"pragmas", test_pragmas},
        {"redaction", test_redaction},
        {"concurrent_appends", test_concurrent_appends},
        {"concurrent_create", test_concurrent_create},
        {"incidents", test_incidents},
        {"incidents_since_exact", test_incidents_since_exact},
        {"find_incident", test_find_incident},
        {"hostile_text", test_hostile_text},
        {"bad_arguments", test_bad_arguments},
        {"kind_vocabulary", test_kind_vocabulary},
        {"identity_defaults_restore", test_identity_defaults_restore},
        {"reopen_appends_continue", test_reopen_appends_continue},
        {NULL, NULL},
};
