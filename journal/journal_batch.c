/*
 * journal_batch.c - several appends in one transaction: one commit, one fsync.
 *
 * journal_append (journal.c) skips its own BEGIN IMMEDIATE and COMMIT while j->batch
 * is set; everything else (arguments, redaction, tail, hash, insert) is the same.
 */
#include "journal_int.h"

#include <sqlite3.h>

/* See journal.h. */
int journal_begin(struct journal *j)
{
	if (j == NULL || j->db == NULL)
		return -1;
	if (j->batch) {
		journal_seterr(j, "unable to begin a batch: one is already open");
		return -1;
	}
	if (journal_step_retry(j->st_begin) != SQLITE_OK)
		return journal_sqlfail(j, "append to");
	j->batch = 1;
	j->batch_failed = 0;
	return 0;
}

/* See journal.h. */
int journal_commit(struct journal *j)
{
	int failed;

	if (j == NULL || j->db == NULL || !j->batch)
		return -1;
	failed = j->batch_failed;
	j->batch = 0;
	j->batch_failed = 0;
	if (failed) {
		journal_seterr(j, "unable to append to journal: an append of the batch failed, "
		                  "nothing of it was written");
		return -1;
	}
	if (journal_step_retry(j->st_commit) != SQLITE_OK) {
		journal_sqlfail(j, "append to");
		journal_rollback(j);
		return -1;
	}
	return 0;
}

/* See journal.h. */
void journal_rollback(struct journal *j)
{
	if (j == NULL || j->db == NULL)
		return;
	j->batch = 0;
	j->batch_failed = 0;
	if (!sqlite3_get_autocommit(j->db)) {
		sqlite3_step(j->st_rollback);
		sqlite3_reset(j->st_rollback);
	}
}
