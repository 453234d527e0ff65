/*
 * journal_query.c - reading the journal: events, the derived incident view, incident
 * lookup by prefix, and verification (integrity, triggers, chain replay, head).
 */
#include "journal_int.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/*
 * The incident view. Every figure comes from the events: the first incident.opened
 * gives flow, title, severity, opener and opening time; the latest severity.changed
 * ({"to": ...}) overrides the severity; the latest state.entered gives the state; the
 * latest incident.closed ({"end": ...}) closes it. json_valid guards json_extract so a
 * malformed data column cannot break the listing.
 *
 * Two steps, shaped for the indexes of format version 2 (docs/performance.md):
 * life_sql is one pass over the small partial index events_lifecycle (only the opened
 * and closed events, grouped by incident), which gives each incident's first
 * incident.opened and last incident.closed, so `list --open` never reads the other
 * events; incident_sql then reads one incident's figures (?1 its opening seq, ?2 its
 * closing seq or NULL, ?3 the --since bound or NULL) from its own events, newest first,
 * in events_incident ("+kind" keeps SQLite off the (kind, seq) index, which would walk
 * every event of that kind in the journal).
 */
static const char life_sql[] =
        "SELECT incident, kind = 'incident.closed', seq FROM events INDEXED BY events_lifecycle"
        " WHERE kind IN ('incident.opened', 'incident.closed') ORDER BY incident";

static const char incident_sql[] =
        "SELECT o.incident, o.flow,"
        " CASE WHEN json_valid(o.data) THEN json_extract(o.data, '$.title') END,"
        " coalesce((SELECT CASE WHEN json_valid(s.data) THEN json_extract(s.data, '$.to') END"
        "           FROM events s WHERE s.incident = o.incident"
        "           AND +s.kind = 'severity.changed'"
        "           ORDER BY s.seq DESC LIMIT 1),"
        "          CASE WHEN json_valid(o.data) THEN json_extract(o.data, '$.severity') END),"
        " c.seq IS NOT NULL,"
        " (SELECT s.state FROM events s WHERE s.incident = o.incident"
        "  AND +s.kind = 'state.entered' ORDER BY s.seq DESC LIMIT 1),"
        " CASE WHEN json_valid(c.data) THEN json_extract(c.data, '$.end') END,"
        " o.ts, c.ts, o.operator,"
        " (SELECT count(*) FROM events e WHERE e.incident = o.incident)"
        " FROM events o LEFT JOIN events c ON c.seq = ?2"
        " WHERE o.seq = ?1 AND (?3 IS NULL OR o.ts >= ?3)";

static const char *col_text(sqlite3_stmt *st, int i, const char *dflt);

/* One incident's lifecycle: its first opening and last closing seq (0: none). */
struct life {
	long long oseq, cseq;
};

static int by_oseq(const void *a, const void *b)
{
	const struct life *x = a, *y = b;

	return (x->oseq > y->oseq) - (x->oseq < y->oseq);
}

/* Every incident with an incident.opened, in opening order (open ones only when
 * open_only). *out is malloc'd (caller frees). 0 or -1. */
static int lifecycles(struct journal *j, int open_only, struct life **out, size_t *n)
{
	char cur[JOURNAL_UUID_LEN + 1] = "";
	struct life *v = NULL, now = {0, 0};
	size_t len = 0, cap = 0;
	sqlite3_stmt *st = NULL;
	int s;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(j->db, life_sql, -1, &st, NULL) != SQLITE_OK)
		return journal_sqlfail(j, "read");
	for (;;) {
		const char *id;

		s = sqlite3_step(st);
		id = s == SQLITE_ROW ? col_text(st, 0, "") : "";
		if (s != SQLITE_ROW || strcmp(id, cur) != 0) { /* the group of cur ends */
			if (now.oseq > 0 && (!open_only || now.cseq == 0)) {
				if (len == cap) {
					cap = cap ? 2 * cap : 256;
					v = xrealloc(v, cap * sizeof(*v));
				}
				v[len++] = now;
			}
			if (s != SQLITE_ROW)
				break;
			strlcpy_chk(cur, id, sizeof(cur));
			now.oseq = now.cseq = 0;
		}
		if (sqlite3_column_int(st, 1)) {
			if (sqlite3_column_int64(st, 2) > now.cseq)
				now.cseq = sqlite3_column_int64(st, 2);
		} else if (now.oseq == 0 || sqlite3_column_int64(st, 2) < now.oseq) {
			now.oseq = sqlite3_column_int64(st, 2);
		}
	}
	sqlite3_finalize(st);
	if (s != SQLITE_DONE) {
		free(v);
		return journal_sqlfail(j, "read");
	}
	if (len > 1)
		qsort(v, len, sizeof(*v), by_oseq);
	*out = v;
	*n = len;
	return 0;
}

static const char *col_text(sqlite3_stmt *st, int i, const char *dflt)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? (const char *)t : dflt;
}

static void col_fixed(sqlite3_stmt *st, int i, char *out, size_t n)
{
	strlcpy_chk(out, col_text(st, i, ""), n);
}

static void col_hash(sqlite3_stmt *st, int i, unsigned char out[JOURNAL_HASH_LEN])
{
	memset(out, 0, JOURNAL_HASH_LEN);
	if (sqlite3_column_bytes(st, i) == JOURNAL_HASH_LEN)
		memcpy(out, sqlite3_column_blob(st, i), JOURNAL_HASH_LEN);
}

int journal_events(struct journal *j, const char *incident, long long after_seq,
                   journal_event_cb cb, void *ctx)
{
	static const char all[] = "SELECT " JOURNAL_COLUMNS " FROM events WHERE seq > ?1"
	                          " ORDER BY seq";
	static const char one[] = "SELECT " JOURNAL_COLUMNS " FROM events WHERE incident = ?2"
	                          " AND seq > ?1 ORDER BY seq";
	sqlite3_stmt *st = NULL;
	struct jevent ev;
	int rc = 0;
	int s;

	if (sqlite3_prepare_v2(j->db, incident != NULL ? one : all, -1, &st, NULL) != SQLITE_OK)
		return journal_sqlfail(j, "read");
	sqlite3_bind_int64(st, 1, after_seq);
	if (incident != NULL)
		sqlite3_bind_text(st, 2, incident, -1, SQLITE_STATIC);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&ev, 0, sizeof(ev));
		ev.seq = sqlite3_column_int64(st, 0);
		col_fixed(st, 1, ev.id, sizeof(ev.id));
		col_fixed(st, 2, ev.incident, sizeof(ev.incident));
		col_fixed(st, 3, ev.ts, sizeof(ev.ts));
		ev.mono_ns = sqlite3_column_int64(st, 4);
		ev.operator= col_text(st, 5, "");
		ev.os_user = col_text(st, 6, "");
		ev.host = col_text(st, 7, "");
		ev.pid = sqlite3_column_int64(st, 8);
		ev.flow = col_text(st, 9, "");
		ev.state = col_text(st, 10, "");
		ev.kind = col_text(st, 11, "");
		ev.data = col_text(st, 12, "{}");
		col_hash(st, 13, ev.prev_hash);
		col_hash(st, 14, ev.hash);
		rc = cb(&ev, ctx);
		if (rc != 0)
			break;
	}
	if (rc == 0 && s != SQLITE_DONE)
		rc = journal_sqlfail(j, "read");
	sqlite3_finalize(st);
	return rc;
}

int journal_incidents(struct journal *j, int open_only, const char *since,
                      journal_incident_cb cb, void *ctx)
{
	sqlite3_stmt *st = NULL;
	struct jincident inc;
	struct life *v = NULL;
	char from[32], q[64];
	size_t n = 0;
	double t;
	int rc = 0, own_tx;
	int s = SQLITE_DONE;

	if (since != NULL) {
		if (time_parse(since, &t) != 0) {
			journal_quote(since, q, sizeof(q));
			journal_seterr(
			        j, "invalid date '%s' (expected 2026-12-01 or RFC 3339 UTC)",
			        q);
			return -1;
		}
		time_format(t, from);
	}
	/* one read transaction (unless one is open): the lifecycles and the figures agree */
	own_tx = sqlite3_get_autocommit(j->db);
	if (own_tx && sqlite3_exec(j->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return journal_sqlfail(j, "read");
	if (lifecycles(j, open_only, &v, &n) != 0) {
		rc = -1;
		goto out;
	}
	if (sqlite3_prepare_v2(j->db, incident_sql, -1, &st, NULL) != SQLITE_OK) {
		rc = journal_sqlfail(j, "read");
		goto out;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, v[i].oseq);
		if (v[i].cseq > 0)
			sqlite3_bind_int64(st, 2, v[i].cseq);
		else
			sqlite3_bind_null(st, 2);
		if (since != NULL)
			sqlite3_bind_text(st, 3, from, -1, SQLITE_STATIC);
		s = sqlite3_step(st);
		if (s == SQLITE_DONE) /* opened before --since */
			continue;
		if (s != SQLITE_ROW)
			break;
		memset(&inc, 0, sizeof(inc));
		col_fixed(st, 0, inc.id, sizeof(inc.id));
		inc.flow = col_text(st, 1, "");
		inc.title = col_text(st, 2, "");
		inc.severity = col_text(st, 3, "");
		inc.status = v[i].cseq > 0 ? "closed" : "open";
		inc.state = col_text(st, 5, "");
		inc.end = v[i].cseq > 0 ? col_text(st, 6, "") : NULL;
		inc.opened = col_text(st, 7, "");
		inc.closed = v[i].cseq > 0 ? col_text(st, 8, "") : NULL;
		inc.operator= col_text(st, 9, "");
		inc.events = sqlite3_column_int64(st, 10);
		rc = cb(&inc, ctx);
		s = SQLITE_DONE;
	}
	if (rc == 0 && s != SQLITE_DONE && s != SQLITE_ROW)
		rc = journal_sqlfail(j, "read");
out:
	sqlite3_finalize(st);
	if (own_tx)
		sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
	free(v);
	return rc;
}

int journal_find_incident(struct journal *j, const char *prefix, char out[JOURNAL_UUID_LEN + 1])
{
	char low[JOURNAL_UUID_LEN + 2], high[JOURNAL_UUID_LEN + 3], q[64];
	sqlite3_stmt *st = NULL;
	size_t n = prefix != NULL ? strlen(prefix) : 0;
	int found = 0;
	int s;

	journal_quote(prefix != NULL ? prefix : "", q, sizeof(q));
	out[0] = '\0';
	if (n < 6) {
		journal_seterr(j, "incident id '%s' is too short", q);
		return -1;
	}
	if (n > JOURNAL_UUID_LEN) {
		journal_seterr(j, "no incident '%s'", q);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		char c = prefix[i];

		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-')) {
			journal_seterr(j, "no incident '%s'", q);
			return -1;
		}
		low[i] = c;
	}
	low[n] = '\0';
	/* Every id starting with low sorts in [low, low "~"): ids hold no byte above 'f'. */
	snprintf(high, sizeof(high), "%s~", low);
	if (sqlite3_prepare_v2(j->db,
	                       "SELECT DISTINCT incident FROM events"
	                       " WHERE incident >= ?1 AND incident < ?2 LIMIT 2",
	                       -1, &st, NULL) != SQLITE_OK)
		return journal_sqlfail(j, "read");
	sqlite3_bind_text(st, 1, low, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, high, -1, SQLITE_STATIC);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (found++ == 0)
			col_fixed(st, 0, out, JOURNAL_UUID_LEN + 1);
	}
	sqlite3_finalize(st);
	if (s != SQLITE_DONE)
		return journal_sqlfail(j, "read");
	if (found == 1)
		return 0;
	out[0] = '\0';
	if (found == 0)
		journal_seterr(j, "no incident '%s'", q);
	else
		journal_seterr(j, "incident prefix '%s' is ambiguous", q);
	return -1;
}

/* Append "; msg" (or msg) to out->reason. */
static void add_reason(struct jverify *out, const char *msg)
{
	size_t n = strlen(out->reason);

	out->ok = 0;
	snprintf(out->reason + n, sizeof(out->reason) - n, "%s%s", n ? "; " : "", msg);
}

/* PRAGMA integrity_check on db: out is "" when it says ok, else the reason. */
static void integrity_run(sqlite3 *db, char *out, size_t n)
{
	char msg[200];
	sqlite3_stmt *st = NULL;

	out[0] = '\0';
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check(1)", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		journal_quote(col_text(st, 0, ""), msg, sizeof(msg));
		if (strcmp(msg, "ok") != 0)
			snprintf(out, n, "integrity check failed: %s", msg);
	} else {
		journal_quote(sqlite3_errmsg(db), msg, sizeof(msg));
		snprintf(out, n, "integrity check failed: %s", msg);
	}
	sqlite3_finalize(st);
}

/* integrity_check on a connection of its own, in a thread beside the chain replay. */
struct integrity_job {
	sqlite3 *db;
	char result[240];
};

static void *integrity_thread(void *arg)
{
	struct integrity_job *job = arg;

	integrity_run(job->db, job->result, sizeof(job->result));
	return NULL;
}

/* Start the job; 0 when it runs in a thread (join it), -1 when the caller must run it. */
static int integrity_start(struct journal *j, struct integrity_job *job, pthread_t *th)
{
	/* the absolute name SQLite resolved at open: immune to a later chdir */
	const char *file = sqlite3_db_filename(j->db, "main");

	memset(job, 0, sizeof(*job));
	if (file == NULL || file[0] == '\0' || !sqlite3_threadsafe())
		return -1;
	if (sqlite3_open_v2(file, &job->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(job->db, 5000);
	if (sqlite3_db_config(job->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL) != SQLITE_OK ||
	    sqlite3_db_config(job->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL) != SQLITE_OK)
		goto fail;
	if (pthread_create(th, NULL, integrity_thread, job) != 0)
		goto fail;
	return 0;
fail:
	sqlite3_close(job->db);
	job->db = NULL;
	return -1;
}

static int word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

/*
 * SQL text as verify compares it: comments dropped; whitespace dropped, except one
 * space between two word characters; ASCII letters lowercased outside quoted strings
 * and identifiers ('...', "...", `...`, [...]), which are copied as they are. Two
 * texts that differ only in layout and keyword case compare equal. Malloc'd.
 */
static char *sql_norm(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;
	int gap = 0;

	while (*s != '\0') {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f') {
			gap = 1;
			s++;
		} else if (s[0] == '-' && s[1] == '-') {
			gap = 1;
			s += strcspn(s, "\n");
		} else if (s[0] == '/' && s[1] == '*') {
			const char *end = strstr(s + 2, "*/");

			gap = 1;
			s = end != NULL ? end + 2 : s + strlen(s);
		} else if (*s == '\'' || *s == '"' || *s == '`' || *s == '[') {
			char close = *s == '[' ? ']' : *s;

			*o++ = *s++;
			while (*s != '\0') {
				if (*s == close && s[1] == close && close != ']') {
					*o++ = *s++;
				} else if (*s == close) {
					break;
				}
				*o++ = *s++;
			}
			if (*s != '\0')
				*o++ = *s++;
			gap = 0;
		} else {
			if (gap && o > out && word_char(o[-1]) && word_char(*s))
				*o++ = ' ';
			*o++ = (*s >= 'A' && *s <= 'Z') ? (char)(*s - 'A' + 'a') : *s;
			s++;
			gap = 0;
		}
	}
	*o = '\0';
	return out;
}

static int same_sql(const char *a, const char *b)
{
	char *x = sql_norm(a), *y = sql_norm(b);
	int same = strcmp(x, y) == 0;

	free(x);
	free(y);
	return same;
}

/*
 * Every trigger the migrations create must be in the journal, on its table, with the
 * text they give it (sql_norm). The expected triggers and texts come from the
 * migrations themselves (journal_reference_schema), not from a copy here.
 */
static int verify_triggers(struct journal *j, struct jverify *out)
{
	sqlite3 *ref = NULL;
	sqlite3_stmt *want = NULL, *st = NULL;
	char line[128];
	int wanted = 0, rc = -1;
	int s;

	if (journal_reference_schema(j, &ref) != 0)
		return -1;
	if (sqlite3_prepare_v2(ref,
	                       "SELECT name, tbl_name, sql FROM sqlite_master"
	                       " WHERE type = 'trigger' ORDER BY rowid",
	                       -1, &want, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(j->db,
	                       "SELECT tbl_name, sql FROM sqlite_master"
	                       " WHERE type = 'trigger' AND name = ?1",
	                       -1, &st, NULL) != SQLITE_OK) {
		journal_sqlfail(j, "verify");
		goto out;
	}
	while ((s = sqlite3_step(want)) == SQLITE_ROW) {
		const char *name = col_text(want, 0, "");

		wanted++;
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_ROW) {
			snprintf(line, sizeof(line), "trigger '%s' is missing", name);
			add_reason(out, line);
		} else if (sqlite3_stricmp(col_text(st, 0, ""), col_text(want, 1, "")) != 0 ||
		           !same_sql(col_text(st, 1, ""), col_text(want, 2, ""))) {
			snprintf(line, sizeof(line), "trigger '%s' has been altered", name);
			add_reason(out, line);
		}
		sqlite3_reset(st);
	}
	if (s != SQLITE_DONE || wanted == 0) {
		journal_seterr(j, "unable to verify journal: no reference triggers");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	sqlite3_finalize(want);
	sqlite3_close(ref);
	return rc;
}

/* Storage class of each column as journal_append writes it: integer, text, 32-byte blob. */
static const char column_types[] = "itttitttittttbb";

static const char *const column_names[] = {
        "seq", "id",   "incident", "ts",   "mono_ns", "operator",  "os_user", "host",
        "pid", "flow", "state",    "kind", "data",    "prev_hash", "hash"};

/* The first column whose storage class is wrong, or -1. */
static int bad_column(sqlite3_stmt *st)
{
	for (int i = 0; column_types[i] != '\0'; i++) {
		int t = sqlite3_column_type(st, i);

		if (column_types[i] == 'i' ? t != SQLITE_INTEGER
		    : column_types[i] == 't'
		            ? t != SQLITE_TEXT
		            : (t != SQLITE_BLOB ||
		               sqlite3_column_bytes(st, i) != JOURNAL_HASH_LEN))
			return i;
	}
	return -1;
}

static struct chain_text row_text(sqlite3_stmt *st, int i)
{
	struct chain_text t;

	t.p = sqlite3_column_blob(st, i);
	t.n = (size_t)sqlite3_column_bytes(st, i);
	return t;
}

/* One pass over events in seq order, constant memory: gaps, links, hashes, head. */
static int verify_chain(struct journal *j, const unsigned char *head, struct jverify *out)
{
	static const char sql[] = "SELECT " JOURNAL_COLUMNS " FROM events ORDER BY seq";
	unsigned char prev[JOURNAL_HASH_LEN], hash[JOURNAL_HASH_LEN];
	long long expect = 1;
	sqlite3_stmt *st = NULL;
	struct chain_row r;
	char line[200];
	int bad = 0;
	int s;

	memset(prev, 0, sizeof(prev));
	if (sqlite3_prepare_v2(j->db, sql, -1, &st, NULL) != SQLITE_OK)
		return journal_sqlfail(j, "verify");
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		long long seq = sqlite3_column_int64(st, 0);
		const unsigned char *stored;
		int col;

		out->events++;
		out->head_seq = seq;
		col_hash(st, 14, out->head_hash);
		if (bad)
			continue;
		col = bad_column(st);
		if (col >= 0) {
			snprintf(line, sizeof(line), "seq %lld: column '%s' has the wrong type",
			         seq, column_names[col]);
			out->first_bad_seq = seq;
		} else if (seq != expect) {
			if (expect == 1)
				snprintf(line, sizeof(line),
				         "seq 1 missing (the journal starts at seq %lld)", seq);
			else
				snprintf(line, sizeof(line),
				         "seq %lld missing (gap after %lld)", expect,
				         expect - 1);
			out->first_bad_seq = expect;
		} else if (memcmp(sqlite3_column_blob(st, 13), prev, JOURNAL_HASH_LEN) != 0) {
			if (seq == 1)
				snprintf(line, sizeof(line), "seq 1: prev_hash is not zero");
			else
				snprintf(line, sizeof(line),
				         "seq %lld: prev_hash does not match seq %lld", seq,
				         seq - 1);
			out->first_bad_seq = seq;
		} else {
			r.seq = seq;
			r.id = row_text(st, 1);
			r.incident = row_text(st, 2);
			r.ts = row_text(st, 3);
			r.mono_ns = sqlite3_column_int64(st, 4);
			r.operator= row_text(st, 5);
			r.os_user = row_text(st, 6);
			r.host = row_text(st, 7);
			r.pid = sqlite3_column_int64(st, 8);
			r.flow = row_text(st, 9);
			r.state = row_text(st, 10);
			r.kind = row_text(st, 11);
			r.data = row_text(st, 12);
			r.prev_hash = prev;
			stored = sqlite3_column_blob(st, 14);
			if (chain_hash(&j->chain, &r, hash) != 0) {
				snprintf(line, sizeof(line),
				         "seq %lld: cannot compute the hash", seq);
				out->first_bad_seq = seq;
			} else if (memcmp(hash, stored, JOURNAL_HASH_LEN) != 0) {
				snprintf(line, sizeof(line), "seq %lld: hash mismatch", seq);
				out->first_bad_seq = seq;
			} else {
				if (head != NULL && memcmp(hash, head, JOURNAL_HASH_LEN) == 0)
					out->head_found = 1;
				memcpy(prev, hash, JOURNAL_HASH_LEN);
				expect++;
				continue;
			}
		}
		bad = 1;
		add_reason(out, line);
	}
	if (s != SQLITE_DONE) {
		snprintf(line, sizeof(line), "unable to read the events after seq %lld: %s",
		         out->head_seq, sqlite3_errmsg(j->db));
		if (!bad && out->first_bad_seq == 0)
			out->first_bad_seq = out->head_seq + 1;
		add_reason(out, line);
	}
	sqlite3_finalize(st);
	return 0;
}

int journal_verify(struct journal *j, const unsigned char *head, struct jverify *out)
{
	char hex[2 * JOURNAL_HASH_LEN + 1], line[200], rest[sizeof(out->reason)];
	struct integrity_job job;
	pthread_t th;
	int threaded;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	out->ok = 1;
	out->head_checked = head != NULL;
	/*
	 * integrity_check and the chain replay each read the whole file: with a second
	 * core they run side by side (the integrity check on its own read-only
	 * connection). The replay and the trigger check share one read transaction, so
	 * one snapshot; appenders go on meanwhile.
	 */
	threaded = integrity_start(j, &job, &th) == 0;
	if (sqlite3_exec(j->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		journal_sqlfail(j, "verify");
		goto out;
	}
	if (!threaded)
		integrity_run(j->db, job.result, sizeof(job.result));
	if (verify_chain(j, head, out) != 0 || verify_triggers(j, out) != 0)
		goto out;
	if (head != NULL && !out->head_found) {
		hex_encode(head, JOURNAL_HASH_LEN, hex);
		snprintf(line, sizeof(line),
		         "head hash %s not found: the journal was truncated or replaced", hex);
		add_reason(out, line);
	}
	rc = 0;
out:
	sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
	if (threaded) {
		pthread_join(th, NULL);
		sqlite3_close(job.db);
	}
	if (rc == 0 && job.result[0] != '\0') {
		/* the integrity verdict leads the reason */
		memcpy(rest, out->reason, sizeof(rest));
		out->reason[0] = '\0';
		add_reason(out, job.result);
		if (rest[0] != '\0')
			add_reason(out, rest);
	}
	return rc;
}
