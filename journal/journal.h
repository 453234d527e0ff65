/*
 * journal.h - the append-only, hash-chained event journal.
 *
 * The API carries no SQLite types, so another backend can sit behind it.
 * Every function that can fail returns 0 on success and -1 on failure; the reason is
 * then in journal_errmsg() (one line, lowercase, no final period).
 */
#ifndef RUNBOOK_JOURNAL_H
#define RUNBOOK_JOURNAL_H

#include <stddef.h>

#define JOURNAL_HASH_LEN 32
#define JOURNAL_UUID_LEN 36

struct journal;

/* Who is acting; copied by journal_set_identity. */
struct jidentity {
	const char *operator;
	const char *os_user;
	const char *host;
	long pid;
};

/* One event as stored. Strings are owned by the journal and valid during a callback. */
struct jevent {
	long long seq;
	char id[JOURNAL_UUID_LEN + 1];
	char incident[JOURNAL_UUID_LEN + 1];
	char ts[32];
	long long mono_ns;
	const char *operator;
	const char *os_user;
	const char *host;
	long long pid;
	const char *flow;
	const char *state;
	const char *kind;
	const char *data; /* JSON text */
	unsigned char prev_hash[JOURNAL_HASH_LEN];
	unsigned char hash[JOURNAL_HASH_LEN];
};

/* Return non-zero to stop the iteration (journal_events then returns that value). */
typedef int (*journal_event_cb)(const struct jevent *ev, void *ctx);

/*
 * Open (creating when missing) the journal at path. Missing parent directories are
 * created 0700, the file 0600; a journal file or directory writable by group or
 * others is refused. Pragmas are set and read back (synchronous must read 2). The
 * HMAC key is read from the file named by $RUNBOOK_JOURNAL_KEY when set.
 * On failure *out is NULL and err holds the reason ("unable to open journal
 * '/x/y.db': permission denied"); the caller exits 4.
 */
int journal_open(const char *path, struct journal **out, char *err, size_t errlen);

/* Close and free; NULL is allowed. */
void journal_close(struct journal *j);

/* The reason for the last failure on j. Borrowed. */
const char *journal_errmsg(const struct journal *j);

/* The identity recorded on every event appended after this call. Strings are copied. */
void journal_set_identity(struct journal *j, const struct jidentity *who);

/*
 * Append one event, durably: BEGIN IMMEDIATE, seq = last + 1, prev_hash = last hash,
 * COMMIT (bounded retry on busy). `data` is JSON text (NULL means "{}"); it is redacted
 * (redact_text) before hashing. `kind` must be a known kind (journal_kind_known).
 * `state` and `flow` may be "" but not NULL. When out is non-NULL it receives seq, id,
 * ts and hash (its string pointers are NULL).
 */
int journal_append(struct journal *j, const char *incident, const char *flow, const char *state,
                   const char *kind, const char *data, struct jevent *out);

/*
 * Non-zero when kind is one of journal.md's 17 kinds of event (incident.opened,
 * state.entered, ..., incident.closed), the only ones journal_append accepts; any
 * other kind is refused ("unknown event kind 'x'"), so that nothing the reports and
 * derived views do not know can reach the journal.
 */
int journal_kind_known(const char *kind);

/*
 * Batches: journal_begin starts one write transaction (BEGIN IMMEDIATE, retried while
 * busy); every journal_append until journal_commit joins it, so N events cost one
 * commit and one fsync instead of N. Each append still reads the tail, hashes and
 * inserts (the chain is the same as with N single appends). journal_commit makes them
 * all durable at once, or none: a failed commit, or an append failing inside the batch
 * after its BEGIN (a full disk, an I/O error), rolls the whole batch back (the failing
 * append returns -1, every later one fails, journal_commit returns -1). An append
 * refused for its arguments (bad kind, invalid JSON) writes nothing and leaves the
 * batch going. journal_rollback drops an open batch. Readers see none of a batch until
 * it commits. Each returns 0 or -1 (journal_errmsg says why).
 */
int journal_begin(struct journal *j);
int journal_commit(struct journal *j);
void journal_rollback(struct journal *j);

/*
 * Call cb for each event in seq order: all events (incident NULL) or one incident's,
 * with seq > after_seq. Returns 0, cb's non-zero value, or -1 on error.
 */
int journal_events(struct journal *j, const char *incident, long long after_seq,
                   journal_event_cb cb, void *ctx);

/* A filtered read (journal_select). Every field may be 0/NULL: no filter. */
struct jselect {
	const char *incident;     /* one incident's events */
	const char *state;        /* one state's events */
	const char *const *kinds; /* NULL-terminated list of kinds (at most 16) */
	const char *since;    /* ts >= since, compared as stored ("2026-12-04T15:03:12.123Z") */
	long long before_seq; /* seq < before_seq */
	int last;             /* only the last matching event (the highest seq) */
};

/*
 * Call cb for each event matching q, in seq order: journal_events with the filters in
 * SQL, so that the indexes answer it (the audited kinds and since use the partial index
 * events_audit; an incident uses events_incident (incident, seq)) and the other events
 * are never read; other kinds without an incident are a scan in seq order (format 3
 * has no (kind, seq) index). Returns 0, cb's non-zero value, or -1 on error.
 */
int journal_select(struct journal *j, const struct jselect *q, journal_event_cb cb, void *ctx);

/* An incident as derived from its events. Strings valid during the callback. */
struct jincident {
	char id[JOURNAL_UUID_LEN + 1];
	const char *flow;
	const char *title;
	const char *severity; /* latest: incident.opened or severity.changed */
	const char *status;   /* "open" or "closed" */
	const char *state;    /* last state entered ("" before any) */
	const char *end;      /* the end verdict when closed, else NULL */
	const char *opened;   /* ts of incident.opened */
	const char *closed;   /* ts of incident.closed, or NULL */
	const char *operator; /* who opened it */
	long long events;
};

typedef int (*journal_incident_cb)(const struct jincident *inc, void *ctx);

/*
 * Call cb for each incident, oldest first. open_only: only incidents without
 * incident.closed. since: an RFC 3339 timestamp or date prefix ("2026-12-01"),
 * or NULL. Returns 0, cb's non-zero value, or -1.
 */
int journal_incidents(struct journal *j, int open_only, const char *since,
                      journal_incident_cb cb, void *ctx);

/*
 * Resolve a full id or a unique prefix of at least 6 characters into out.
 * Returns 0, or -1 with journal_errmsg saying "no incident 'abc123'" or
 * "incident prefix 'abc123' is ambiguous" or "incident id 'ab' is too short".
 */
int journal_find_incident(struct journal *j, const char *prefix,
                          char out[JOURNAL_UUID_LEN + 1]);

/* Result of journal_verify. */
struct jverify {
	int ok;
	long long events;
	long long first_bad_seq; /* 0 when none */
	char reason[256];        /* why not ok */
	long long head_seq;
	unsigned char head_hash[JOURNAL_HASH_LEN];
	int head_checked; /* a --head hash was given */
	int head_found;   /* ... and an event with it is in the verified chain */
};

/*
 * Check the whole journal: PRAGMA integrity_check, the append-only triggers present
 * with the text the migrations give them, seq gap-free from 1, and the chain replayed
 * (hash and prev_hash of every event).
 * `head` (may be NULL) is a hash that must belong to the verified chain.
 * Returns 0 when the check could run (result in *out, out->ok says intact), -1 when
 * the journal could not be read at all.
 */
int journal_verify(struct journal *j, const unsigned char *head, struct jverify *out);

/* Non-zero when an HMAC key is in use for this journal. */
int journal_keyed(const struct journal *j);

#endif
