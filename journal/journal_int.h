/*
 * journal_int.h - what journal.c (open, append) and journal_query.c (read, verify)
 * share. Internal to journal/: nothing outside it sees SQLite types.
 */
#ifndef RUNBOOK_JOURNAL_INT_H
#define RUNBOOK_JOURNAL_INT_H

#include <sqlite3.h>

#include "chain.h"
#include "journal.h"

struct journal {
	sqlite3 *db;
	char *path;
	char err[512];
	struct chain chain;
	/* identity recorded on every event */
	char *operator;
	char *os_user;
	char *host;
	long pid; /* the identity's, else getpid() at open or set_identity */
	/* cached statements of the append path */
	sqlite3_stmt *st_begin;
	sqlite3_stmt *st_commit;
	sqlite3_stmt *st_rollback;
	sqlite3_stmt *st_last;
	sqlite3_stmt *st_insert;
	/* journal_begin..journal_commit: appends share one transaction (journal_batch.c) */
	int batch;
	int batch_failed; /* an append failed: the batch was rolled back */
};

/* The column list, in the order of the table and of the canonical encoding. */
#define JOURNAL_COLUMNS                                                                     \
	"seq, id, incident, ts, mono_ns, operator, os_user, host, pid, flow, state, kind, " \
	"data, prev_hash, hash"

/* Step a statement that returns no rows, retrying while busy (10 s at most); then reset
 * it. An SQLite result code. (journal.c) */
int journal_step_retry(sqlite3_stmt *st);

/* Set j->err from a format (one line, lowercase, no final period). */
void journal_seterr(struct journal *j, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* "unable to <what> journal 'P': <sqlite3_errmsg>"; returns -1. */
int journal_sqlfail(struct journal *j, const char *what);

/* "unable to append to journal 'P': <why>" as the journal's error; returns -1. */
int journal_append_fail(struct journal *j, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Limits, mirrored by the CHECK constraints of schema.sql. */
#define DATA_MAX (8u << 20)
#define NAME_MAX_BYTES 256
#define LABEL_MAX_BYTES 128
#define KIND_MAX_BYTES 64

/*
 * Create missing parent directories (0700) and the file (0600, under the caller's
 * umask 077); refuse a file, directory, -wal or -shm writable by group or others.
 * 0, or -1 with j->err set. (journal_file.c)
 */
int journal_prepare_file(struct journal *j);

/*
 * Read the whole key file keypath (a regular file, no group/other access, 16 to
 * 65536 bytes) and set j->chain up for HMAC-SHA256; the read buffer is wiped.
 * 0, or -1 with j->err set. (journal_file.c)
 */
int journal_load_key(struct journal *j, const char *keypath);

/*
 * A private in-memory database holding the schema that the migrations give a new
 * journal (their SQL, from the same strings: schema.sql and the later steps; no meta
 * rows): verify compares the journal's triggers with its sqlite_master. 0 and *out
 * (the caller closes it with sqlite3_close), or -1 with j->err set. (journal.c)
 */
int journal_reference_schema(struct journal *j, sqlite3 **out);

/* Copy s into out (size n) for quoting in a message: control bytes become '?'. */
void journal_quote(const char *s, char *out, size_t n);

#endif
