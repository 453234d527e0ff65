/*
 * fuzz_verify.c - libFuzzer target: `verify` (and the readers: events, incidents,
 * prefix lookup) over corrupted journal files.
 *
 * Byte 0 even: the rest is the journal file's image (seed it with real journals,
 * tests/fuzz/corpus/verify/). Byte 0 odd: a valid journal of 3 events, then rows built
 * from the rest inserted behind the triggers' back on a raw connection: each column a
 * NULL, an integer, a text or a blob of fuzz bytes. Either way journal_open, then
 * journal_verify, journal_events, journal_incidents and journal_find_incident must
 * return, whatever the file holds. The files live in a private directory under
 * $FUZZ_TMPDIR (tests/fuzz/run.sh sets it), else /dev/shm or /tmp, removed at exit.
 */
#include <fcntl.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal.h"
#include "util.h"

#define INCIDENT "5d3c9b2e-1f4a-4c87-b6e0-9a2f7d1c3e58"

static char dir[64], path[128];
static unsigned char *template_db;
static size_t template_len;

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static void cleanup(void)
{
	if (dir[0] != '\0')
		nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void reset_files(void)
{
	char side[160];

	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

static void write_file(const unsigned char *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || (n > 0 && write(fd, p, n) != (ssize_t)n))
		abort();
	close(fd);
}

/* Once: the directory, and a valid 3-event journal kept in memory as the template. */
static void init(void)
{
	struct journal *j = NULL;
	char err[512];
	FILE *f;

	const char *base = getenv("FUZZ_TMPDIR");

	if (base == NULL || *base == '\0' || strlen(base) > 40)
		base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(dir, sizeof(dir), "%s/rbfuzz.XXXXXX", base);
	if (mkdtemp(dir) == NULL)
		abort();
	atexit(cleanup);
	snprintf(path, sizeof(path), "%s/j.db", dir);
	if (journal_open(path, &j, err, sizeof(err)) != 0)
		abort();
	for (int i = 0; i < 3; i++)
		if (journal_append(j, INCIDENT, "api-down", i ? "health" : "",
		                   i ? "note" : "incident.opened",
		                   "{\"title\": \"t\", \"severity\": \"P1\"}", NULL) != 0)
			abort();
	journal_close(j); /* checkpointed: one file */
	f = fopen(path, "rb");
	if (f == NULL)
		abort();
	template_db = xmalloc(1 << 20);
	template_len = fread(template_db, 1, 1 << 20, f);
	fclose(f);
}

/* Rows from fuzz bytes: per column a type byte, then a length byte and the bytes. */
static void insert_rows(const uint8_t *p, size_t n)
{
	static const char sql[] = "INSERT INTO events (seq, id, incident, ts, mono_ns, "
	                          "operator, os_user, host, pid, flow, state, kind, data, "
	                          "prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	                          "?9, ?10, ?11, ?12, ?13, ?14, ?15)";
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	size_t off = 0;

	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (int row = 0; row < 8 && off < n; row++) {
		for (int col = 1; col <= 15; col++) {
			uint8_t t = off < n ? p[off++] : 0;
			size_t len = off < n ? p[off++] % 48 : 0;
			uint64_t u = 0;
			sqlite3_int64 v;

			if (len > n - off)
				len = n - off;
			for (size_t i = 0; i < len && i < 8; i++)
				u = (u << 8) | p[off + i];
			v = (sqlite3_int64)u;
			switch (t % 5) {
			case 0:
				sqlite3_bind_null(st, col);
				break;
			case 1:
				sqlite3_bind_int64(st, col, col == 1 ? 4 + (v & 7) : v);
				break;
			case 2:
				sqlite3_bind_text(st, col, (const char *)p + off, (int)len,
				                  SQLITE_TRANSIENT);
				break;
			case 3:
				sqlite3_bind_blob(st, col, p + off, (int)len, SQLITE_TRANSIENT);
				break;
			default: /* the right shape, fuzz content */
				if (col == 14 || col == 15) {
					unsigned char h[32];

					memset(h, t, sizeof(h));
					memcpy(h, p + off, len < 32 ? len : 32);
					sqlite3_bind_blob(st, col, h, 32, SQLITE_TRANSIENT);
				} else if (col == 1 || col == 5 || col == 9) {
					sqlite3_bind_int64(st, col, col == 1 ? 4 + row : v);
				} else {
					sqlite3_bind_text(st, col, INCIDENT, 36, SQLITE_STATIC);
				}
				break;
			}
			off += len;
		}
		sqlite3_step(st);
		sqlite3_reset(st);
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static int count_event(const struct jevent *ev, void *ctx)
{
	(void)ev;
	++*(long *)ctx;
	return 0;
}

static int count_incident(const struct jincident *inc, void *ctx)
{
	(void)inc;
	++*(long *)ctx;
	return 0;
}

/* One input: a corrupted journal; every reader must come back with an answer. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct journal *j = NULL;
	struct jverify v;
	char err[512], id[JOURNAL_UUID_LEN + 1];
	long count = 0;

	if (size < 1)
		return 0;
	if (dir[0] == '\0')
		init();
	reset_files();
	if (data[0] % 2 == 0) {
		write_file(data + 1, size - 1);
	} else {
		write_file(template_db, template_len);
		insert_rows(data + 1, size - 1);
	}
	if (journal_open(path, &j, err, sizeof(err)) != 0)
		return 0;
	/* the last 32 bytes as a --head hash (when there are 32) */
	if (journal_verify(j, size > 32 ? data + size - 32 : NULL, &v) == 0 && v.ok &&
	    v.first_bad_seq != 0)
		__builtin_trap(); /* ok and a bad seq at once */
	(void)journal_events(j, NULL, 0, count_event, &count);
	(void)journal_events(j, INCIDENT, 1, count_event, &count);
	(void)journal_incidents(j, 0, NULL, count_incident, &count);
	(void)journal_incidents(j, 1, "2026-01-01", count_incident, &count);
	(void)journal_find_incident(j, "5d3c9b", id);
	journal_close(j);
	return 0;
}
