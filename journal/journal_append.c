/*
 * journal_append.c - append one event: check the arguments, redact and validate the
 * data, read the tail, hash, insert; its own transaction unless a batch is open
 * (journal_batch.c). docs/journal-format.md, "Append".
 */
#include "journal_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "redact.h"
#include "util.h"

/* A lowercase 8-4-4-4-12 UUID. */
static int valid_uuid(const char *s)
{
	size_t i = 0;

	for (; s[i] != '\0' && i < JOURNAL_UUID_LEN; i++) {
		int dash = (i == 8 || i == 13 || i == 18 || i == 23);

		if (dash ? s[i] != '-'
		         : !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return i == JOURNAL_UUID_LEN && s[i] == '\0';
}

static int valid_kind(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > KIND_MAX_BYTES)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* The kinds of event, journal.md's vocabulary: the one list (docs/journal-format.md). */
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

int journal_kind_known(const char *kind)
{
	for (size_t i = 0; kind != NULL && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strcmp(kind, kinds[i]) == 0)
			return 1;
	}
	return 0;
}

static int check_args(struct journal *j, const char *incident, const char *flow,
                      const char *state, const char *kind)
{
	char q[80];

	if (incident == NULL || !valid_uuid(incident)) {
		journal_quote(incident != NULL ? incident : "", q, sizeof(q));
		return journal_append_fail(j, "bad incident id '%s'", q);
	}
	if (kind == NULL || !valid_kind(kind)) {
		journal_quote(kind != NULL ? kind : "", q, sizeof(q));
		return journal_append_fail(j, "bad event kind '%s'", q);
	}
	if (!journal_kind_known(kind)) {
		journal_quote(kind, q, sizeof(q));
		return journal_append_fail(j, "unknown event kind '%s'", q);
	}
	if (flow == NULL || state == NULL || strlen(flow) > LABEL_MAX_BYTES ||
	    strlen(state) > LABEL_MAX_BYTES) {
		return journal_append_fail(j, "flow and state must be given (at most %d bytes)",
		                           LABEL_MAX_BYTES);
	}
	return 0;
}

/* Redacted, validated JSON for the data column, or NULL (j->err set). Caller frees. */
static char *event_data(struct journal *j, const char *data)
{
	char *red = redact_text(data != NULL ? data : "{}");
	const char *end = NULL;
	cJSON *doc;

	if (strlen(red) > DATA_MAX) {
		journal_append_fail(j, "event data exceeds %u bytes", DATA_MAX);
		free(red);
		return NULL;
	}
	doc = cJSON_ParseWithOpts(red, &end, 1);
	if (doc == NULL) {
		journal_append_fail(j, "event data is not valid JSON");
		free(red);
		return NULL;
	}
	cJSON_Delete(doc);
	return red;
}

static void bind_text(sqlite3_stmt *st, int i, const struct chain_text *t)
{
	sqlite3_bind_text(st, i, t->p, (int)t->n, SQLITE_STATIC);
}

static struct chain_text text(const char *s)
{
	struct chain_text t = {s, strlen(s)};

	return t;
}

/* Inside the write transaction: read the tail, hash and insert the new row. */
static int insert_event(struct journal *j, struct chain_row *r, unsigned char prev[32],
                        unsigned char hash[32])
{
	sqlite3_stmt *st = j->st_last;
	int rc = sqlite3_step(st);

	memset(prev, 0, CHAIN_HASH_LEN);
	r->seq = 1;
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 1) != CHAIN_HASH_LEN) {
			sqlite3_reset(st);
			return journal_append_fail(
			        j, "the last event has no valid hash (run verify)");
		}
		r->seq = sqlite3_column_int64(st, 0) + 1;
		memcpy(prev, sqlite3_column_blob(st, 1), CHAIN_HASH_LEN);
	} else if (rc != SQLITE_DONE) {
		sqlite3_reset(st);
		return journal_sqlfail(j, "append to");
	}
	sqlite3_reset(st);
	r->prev_hash = prev;
	if (chain_hash(&j->chain, r, hash) != 0) {
		return journal_append_fail(j, "cannot compute the event hash");
	}
	st = j->st_insert;
	sqlite3_bind_int64(st, 1, r->seq);
	bind_text(st, 2, &r->id);
	bind_text(st, 3, &r->incident);
	bind_text(st, 4, &r->ts);
	sqlite3_bind_int64(st, 5, r->mono_ns);
	bind_text(st, 6, &r->operator);
	bind_text(st, 7, &r->os_user);
	bind_text(st, 8, &r->host);
	sqlite3_bind_int64(st, 9, r->pid);
	bind_text(st, 10, &r->flow);
	bind_text(st, 11, &r->state);
	bind_text(st, 12, &r->kind);
	bind_text(st, 13, &r->data);
	sqlite3_bind_blob(st, 14, prev, CHAIN_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 15, hash, CHAIN_HASH_LEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		journal_sqlfail(j, "append to");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int journal_append(struct journal *j, const char *incident, const char *flow, const char *state,
                   const char *kind, const char *data, struct jevent *out)
{
	unsigned char prev[CHAIN_HASH_LEN], hash[CHAIN_HASH_LEN];
	char id[JOURNAL_UUID_LEN + 1], ts[32];
	struct chain_row r;
	char *red = NULL;
	int in_tx = 0;
	int rc = -1;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (j == NULL || j->db == NULL)
		return -1;
	if (check_args(j, incident, flow, state, kind) != 0)
		return -1;
	if (j->batch_failed)
		return journal_append_fail(j, "an earlier append of this batch failed");
	red = event_data(j, data);
	if (red == NULL)
		return -1;
	if (!j->batch && journal_step_retry(j->st_begin) != SQLITE_OK) {
		journal_sqlfail(j, "append to");
		goto out;
	}
	in_tx = 1; /* in a batch (journal_begin): its transaction, committed by the caller */
	uuid_new(id);
	time_format(clock_wall(), ts);
	memset(&r, 0, sizeof(r));
	r.id = text(id);
	r.incident = text(incident);
	r.ts = text(ts);
	r.mono_ns = clock_mono_ns();
	r.operator= text(j->operator);
	r.os_user = text(j->os_user);
	r.host = text(j->host);
	r.pid = j->pid;
	r.flow = text(flow);
	r.state = text(state);
	r.kind = text(kind);
	r.data = text(red);
	if (insert_event(j, &r, prev, hash) != 0)
		goto out;
	if (!j->batch && journal_step_retry(j->st_commit) != SQLITE_OK) {
		journal_sqlfail(j, "append to");
		goto out;
	}
	in_tx = 0;
	rc = 0;
	if (out != NULL) {
		out->seq = r.seq;
		memcpy(out->id, id, sizeof(id));
		memcpy(out->incident, incident, JOURNAL_UUID_LEN + 1);
		memcpy(out->ts, ts, sizeof(out->ts));
		out->mono_ns = r.mono_ns;
		out->pid = r.pid;
		memcpy(out->prev_hash, prev, CHAIN_HASH_LEN);
		memcpy(out->hash, hash, CHAIN_HASH_LEN);
	}
out:
	if (in_tx && !sqlite3_get_autocommit(j->db)) {
		sqlite3_step(j->st_rollback);
		sqlite3_reset(j->st_rollback);
	}
	if (in_tx && j->batch) /* the batch's earlier events went with it */
		j->batch_failed = 1;
	free(red);
	return rc;
}
