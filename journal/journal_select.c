/*
 * journal_select.c - journal_events with its filters in SQL (kinds, time, incident,
 * state, a seq bound), so the indexes answer them: `audit --since 7d` on a journal of a
 * million events reads the window's audited events, not the million.
 */
#include "journal_int.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

#define MAX_KINDS 16

static const char *text_or(sqlite3_stmt *st, int i, const char *dflt)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? (const char *)t : dflt;
}

static void hash_of(sqlite3_stmt *st, int i, unsigned char out[JOURNAL_HASH_LEN])
{
	memset(out, 0, JOURNAL_HASH_LEN);
	if (sqlite3_column_bytes(st, i) == JOURNAL_HASH_LEN)
		memcpy(out, sqlite3_column_blob(st, i), JOURNAL_HASH_LEN);
}

/* The kinds of the partial index events_audit, spelled as its definition is (journal.c):
 * SQLite uses a partial index only for a query that names the same terms. */
static const char *const audit_kinds[] = {"action.intent",  "action.result",   "action.refused",
                                          "action.skipped", "prompt.answered", NULL};
#define AUDIT_KINDS_SQL                                                                   \
	"kind IN ('action.intent', 'action.result', 'action.refused', 'action.skipped', " \
	"'prompt.answered')"

static int same_kinds(const char *const *a, const char *const *b)
{
	size_t i = 0;

	for (; a[i] != NULL && b[i] != NULL; i++)
		if (strcmp(a[i], b[i]) != 0)
			return 0;
	return a[i] == NULL && b[i] == NULL;
}

/*
 * The statement for q: "... WHERE kind IN (?1, ...) AND ts >= ?17 AND ... ORDER BY seq".
 * With an incident, "+kind": its events come from events_incident (incident, seq), not
 * from the (kind, seq) index's every event of those kinds in the journal. Without one,
 * the audit kinds from --since on come from the partial index events_audit (kind, ts).
 */
static int build(const struct jselect *q, struct buf *sql, size_t *nkinds)
{
	size_t n = 0;

	buf_puts(sql, "SELECT " JOURNAL_COLUMNS " FROM events WHERE 1");
	if (q->kinds != NULL && q->incident == NULL && same_kinds(q->kinds, audit_kinds)) {
		buf_puts(sql, " AND " AUDIT_KINDS_SQL);
	} else if (q->kinds != NULL) {
		for (; q->kinds[n] != NULL; n++)
			if (n == MAX_KINDS)
				return -1;
		buf_puts(sql, q->incident != NULL ? " AND +kind IN (" : " AND kind IN (");
		for (size_t i = 0; i < n; i++)
			buf_printf(sql, "%s?%zu", i ? ", " : "", i + 1);
		buf_puts(sql, ")");
	}
	if (q->since != NULL)
		buf_puts(sql, " AND ts >= ?17");
	if (q->incident != NULL)
		buf_puts(sql, " AND incident = ?18");
	if (q->state != NULL)
		buf_puts(sql, " AND state = ?19");
	if (q->before_seq > 0)
		buf_puts(sql, " AND seq < ?20");
	buf_puts(sql, q->last ? " ORDER BY seq DESC LIMIT 1" : " ORDER BY seq");
	*nkinds = n;
	return 0;
}

/* See journal.h. */
int journal_select(struct journal *j, const struct jselect *q, journal_event_cb cb, void *ctx)
{
	sqlite3_stmt *st = NULL;
	struct jevent ev;
	struct buf sql;
	size_t nkinds = 0;
	int rc = 0, s;

	buf_init(&sql, 4096);
	if (build(q, &sql, &nkinds) != 0) {
		buf_release(&sql);
		journal_seterr(j, "unable to read journal: more than %d kinds asked",
		               MAX_KINDS);
		return -1;
	}
	s = sqlite3_prepare_v2(j->db, sql.p, -1, &st, NULL);
	buf_release(&sql);
	if (s != SQLITE_OK)
		return journal_sqlfail(j, "read");
	for (size_t i = 0; i < nkinds; i++)
		sqlite3_bind_text(st, (int)i + 1, q->kinds[i], -1, SQLITE_STATIC);
	if (q->since != NULL)
		sqlite3_bind_text(st, 17, q->since, -1, SQLITE_STATIC);
	if (q->incident != NULL)
		sqlite3_bind_text(st, 18, q->incident, -1, SQLITE_STATIC);
	if (q->state != NULL)
		sqlite3_bind_text(st, 19, q->state, -1, SQLITE_STATIC);
	if (q->before_seq > 0)
		sqlite3_bind_int64(st, 20, q->before_seq);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&ev, 0, sizeof(ev));
		ev.seq = sqlite3_column_int64(st, 0);
		strlcpy_chk(ev.id, text_or(st, 1, ""), sizeof(ev.id));
		strlcpy_chk(ev.incident, text_or(st, 2, ""), sizeof(ev.incident));
		strlcpy_chk(ev.ts, text_or(st, 3, ""), sizeof(ev.ts));
		ev.mono_ns = sqlite3_column_int64(st, 4);
		ev.operator= text_or(st, 5, "");
		ev.os_user = text_or(st, 6, "");
		ev.host = text_or(st, 7, "");
		ev.pid = sqlite3_column_int64(st, 8);
		ev.flow = text_or(st, 9, "");
		ev.state = text_or(st, 10, "");
		ev.kind = text_or(st, 11, "");
		ev.data = text_or(st, 12, "{}");
		hash_of(st, 13, ev.prev_hash);
		hash_of(st, 14, ev.hash);
		rc = cb(&ev, ctx);
		if (rc != 0)
			break;
	}
	if (rc == 0 && s != SQLITE_DONE)
		rc = journal_sqlfail(j, "read");
	sqlite3_finalize(st);
	return rc;
}
