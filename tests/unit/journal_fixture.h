/*
 * journal_fixture.h - what the journal's unit tests share: fresh 0700 directories under
 * /tmp, removed when the test process exits, and journals opened the tool's way or raw
 * (another program's SQLite connection).
 */
#ifndef RUNBOOK_TEST_JOURNAL_FIXTURE_H
#define RUNBOOK_TEST_JOURNAL_FIXTURE_H

#include <errno.h>
#include <ftw.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "journal.h"
#include "test.h"
#include "util.h"

#define JFX_UNUSED __attribute__((unused))
#define JFX_MAX_DIRS 16

static char jfx_dirs[JFX_MAX_DIRS][64];
static int jfx_ndirs;

static int jfx_rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static void jfx_cleanup(void)
{
	for (int i = 0; i < jfx_ndirs; i++)
		nftw(jfx_dirs[i], jfx_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh 0700 directory /tmp/<prefix>.XXXXXX, removed at exit (with every other one
 * made in this process). The last one made is also jfx_dir(). */
static JFX_UNUSED const char *jfx_tmpdir(const char *prefix)
{
	char *d;

	if (jfx_ndirs == JFX_MAX_DIRS)
		TEST_FAIL_AT("more than %d temporary directories", JFX_MAX_DIRS);
	if (jfx_ndirs == 0)
		atexit(jfx_cleanup);
	d = jfx_dirs[jfx_ndirs];
	snprintf(d, sizeof(jfx_dirs[0]), "/tmp/%s.XXXXXX", prefix);
	if (mkdtemp(d) == NULL)
		TEST_FAIL_AT("mkdtemp: %s", strerror(errno));
	jfx_ndirs++;
	return d;
}

/* The directory jfx_tmpdir made last ("" before any). */
static JFX_UNUSED const char *jfx_dir(void)
{
	return jfx_ndirs > 0 ? jfx_dirs[jfx_ndirs - 1] : "";
}

static JFX_UNUSED struct journal *open_ok(const char *path)
{
	struct journal *j = NULL;
	char err[512] = "";

	if (journal_open(path, &j, err, sizeof(err)) != 0)
		TEST_FAIL_AT("journal_open(%s): %s", path, err);
	CHECK(j != NULL);
	return j;
}

/* Another program's connection: none of the journal's settings or authorizer. */
static JFX_UNUSED sqlite3 *raw_open(const char *path)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		TEST_FAIL_AT("raw open: %s", sqlite3_errmsg(db));
	return db;
}

static JFX_UNUSED void raw_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		TEST_FAIL_AT("raw exec '%s': %s", sql, msg ? msg : "?");
}

#endif
