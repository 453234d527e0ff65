/*
 * sqlite_commit_rate.c - the measured limit of a SQLite-backed journal: bare SQLite
 * committing the same rows one at a time (figure 2 of docs/performance.md).
 *
 *   sqlite_commit_rate JOURNAL N
 *
 * JOURNAL is a copy of a journal runbook wrote (the caller copies it: this program
 * appends to it), so the schema, the indexes and the page size are runbook's own. Its
 * first N events are read into memory, then re-inserted after the last one (new seq,
 * every other column as stored) with one prepared INSERT per BEGIN IMMEDIATE .. COMMIT,
 * in journal_mode=WAL with synchronous=FULL: what runbook's journal_append does, minus
 * everything of its own (arguments, redaction, the JSON check, the UUID, the tail read,
 * the hash). The append-only triggers only stop UPDATE and DELETE; no authorizer is set.
 *
 * The WAL hook counts the frames each commit writes; it checkpoints as SQLite's default
 * hook does (PASSIVE once the WAL holds 1000 pages), so the checkpoints cost what they
 * cost runbook. Prints one line:
 *   events=N seconds=S rate=R frames=F page=P
 * (F: WAL frames per commit, each 24 bytes of header and P bytes of page.)
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NCOL 15
#define COLUMNS                                                                             \
	"seq, id, incident, ts, mono_ns, operator, os_user, host, pid, flow, state, kind, " \
	"data, prev_hash, hash"
#define CHECKPOINT_PAGES 1000 /* SQLITE_DEFAULT_WAL_AUTOCHECKPOINT */

struct frames {
	long long total; /* frames written by all commits */
	int last;        /* frames in the WAL after the previous commit */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* After each commit: the frames it added; then SQLite's default auto-checkpoint. */
static int wal_hook(void *ctx, sqlite3 *db, const char *name, int pages)
{
	struct frames *f = ctx;

	/* fewer than before: the WAL was started over after a complete checkpoint */
	f->total += pages > f->last ? pages - f->last : pages;
	f->last = pages;
	if (pages >= CHECKPOINT_PAGES)
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

static int fail(sqlite3 *db, const char *what)
{
	fprintf(stderr, "sqlite_commit_rate: %s: %s\n", what,
	        db != NULL ? sqlite3_errmsg(db) : "out of memory");
	return 4;
}

static int exec_text(sqlite3 *db, const char *sql, const char *want)
{
	sqlite3_stmt *st = NULL;
	int ok = sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	         sqlite3_step(st) == SQLITE_ROW &&
	         strcmp((const char *)sqlite3_column_text(st, 0), want) == 0;

	sqlite3_finalize(st);
	return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	sqlite3_value **rows = NULL;
	sqlite3_stmt *rd = NULL, *ins = NULL, *begin = NULL, *commit = NULL;
	struct frames f = {0, 0};
	sqlite3 *db = NULL;
	long long n = 0, got = 0, last = 0;
	double t0, secs;
	char *end = NULL;
	int rc = 4, page = 0;

	if (argc == 3)
		n = strtoll(argv[2], &end, 10);
	if (argc != 3 || end == NULL || *end != '\0' || n < 1 || n > 10000000) {
		fprintf(stderr, "usage: sqlite_commit_rate JOURNAL N\n");
		return 2;
	}
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		rc = fail(db, argv[1]);
		goto out;
	}
	sqlite3_busy_timeout(db, 5000);
	if (exec_text(db, "PRAGMA journal_mode = WAL", "wal") != 0 ||
	    sqlite3_exec(db, "PRAGMA synchronous = FULL", NULL, NULL, NULL) != SQLITE_OK ||
	    exec_text(db, "PRAGMA synchronous", "2") != 0) {
		rc = fail(db, "WAL and synchronous=FULL");
		goto out;
	}
	/* the rows, as stored */
	rows = calloc((size_t)n * NCOL, sizeof(*rows));
	if (rows == NULL ||
	    sqlite3_prepare_v2(db, "SELECT " COLUMNS " FROM events ORDER BY seq LIMIT ?1", -1,
	                       &rd, NULL) != SQLITE_OK) {
		rc = fail(db, "read");
		goto out;
	}
	sqlite3_bind_int64(rd, 1, n);
	while (sqlite3_step(rd) == SQLITE_ROW) {
		for (int c = 0; c < NCOL; c++)
			rows[got * NCOL + c] = sqlite3_value_dup(sqlite3_column_value(rd, c));
		got++;
	}
	sqlite3_finalize(rd);
	rd = NULL;
	if (got != n ||
	    sqlite3_prepare_v2(db, "SELECT max(seq) FROM events", -1, &rd, NULL) != SQLITE_OK ||
	    sqlite3_step(rd) != SQLITE_ROW) {
		fprintf(stderr, "sqlite_commit_rate: %s holds %lld events, not %lld\n", argv[1],
		        got, n);
		goto out;
	}
	last = sqlite3_column_int64(rd, 0);
	sqlite3_finalize(rd);
	rd = NULL;
	if (sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &rd, NULL) == SQLITE_OK &&
	    sqlite3_step(rd) == SQLITE_ROW)
		page = sqlite3_column_int(rd, 0);
	if (sqlite3_prepare_v3(db, "BEGIN IMMEDIATE", -1, SQLITE_PREPARE_PERSISTENT, &begin,
	                       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(db, "COMMIT", -1, SQLITE_PREPARE_PERSISTENT, &commit, NULL) !=
	            SQLITE_OK ||
	    sqlite3_prepare_v3(db,
	                       "INSERT INTO events (" COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, "
	                       "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
	                       -1, SQLITE_PREPARE_PERSISTENT, &ins, NULL) != SQLITE_OK) {
		rc = fail(db, "prepare");
		goto out;
	}
	sqlite3_wal_hook(db, wal_hook, &f);
	t0 = now_s();
	for (long long i = 0; i < n; i++) {
		if (sqlite3_step(begin) != SQLITE_DONE) {
			rc = fail(db, "begin");
			goto out;
		}
		sqlite3_reset(begin);
		sqlite3_bind_int64(ins, 1, last + 1 + i);
		for (int c = 1; c < NCOL; c++)
			sqlite3_bind_value(ins, c + 1, rows[i * NCOL + c]);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			rc = fail(db, "insert");
			goto out;
		}
		sqlite3_reset(ins);
		if (sqlite3_step(commit) != SQLITE_DONE) {
			rc = fail(db, "commit");
			goto out;
		}
		sqlite3_reset(commit);
	}
	secs = now_s() - t0;
	printf("events=%lld seconds=%.6f rate=%.1f frames=%.2f page=%d\n", n, secs,
	       (double)n / secs, (double)f.total / (double)n, page);
	rc = 0;
out:
	sqlite3_finalize(rd);
	sqlite3_finalize(ins);
	sqlite3_finalize(begin);
	sqlite3_finalize(commit);
	if (rows != NULL)
		for (long long i = 0; i < got * NCOL; i++)
			sqlite3_value_free(rows[i]);
	free(rows);
	sqlite3_close_v2(db);
	return rc;
}
