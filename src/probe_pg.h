/* probe_pg.h - PostgreSQL over libpq: connect with bounds, classify failures, query. */
#ifndef RUNBOOK_PROBE_PG_H
#define RUNBOOK_PROBE_PG_H

#include <stddef.h>

/* How a connection or a statement ended, one list (X-macro). */
#define PG_ERRORS(X)                                                                          \
	X(PG_OK, "ok")                                                                        \
	X(PG_REFUSED, "refused")         /* nothing listens, host unreachable, db starting */ \
	X(PG_AUTH_FAILED, "auth_failed") /* SQLSTATE 28P01/28000, bad password, no role */    \
	X(PG_TIMEOUT, "timeout")         /* connect_timeout or statement_timeout (57014) */   \
	X(PG_SSL_ERROR, "ssl_error")     /* TLS negotiation or certificate */                 \
	X(PG_INTERRUPTED, "interrupted") /* the abort flag was raised */                      \
	X(PG_OTHER, "other")

enum pg_error {
#define X(e, s) e,
	PG_ERRORS(X)
#undef X
	        PG_ERROR__LAST
};

/* "ok", "refused", ... */
const char *pg_error_name(enum pg_error e);

/* Where a connection goes, from its URL or conninfo: never the password. */
struct pg_target {
	char host[256];
	char port[16];
	char dbname[128];
	char user[128];
};

/*
 * Parse a postgresql:// URL or a key=value conninfo into *t (missing parts empty).
 * Returns 0, or -1 when libpq cannot parse it (the reason, without the text, in err).
 */
int pg_target_parse(const char *url, struct pg_target *t, char *err, size_t errlen);

struct pg_opts {
	const char *url;              /* postgresql://... or conninfo; never copied out */
	const char *application_name; /* "runbook/<operator>/<incident short id>" */
	long timeout_ms;              /* connect_timeout (rounded up to seconds, min 1) and
				 statement_timeout; 5000 when 0 */
	volatile int *abort; /* when non-NULL and raised, a running statement is cancelled */
};

/* A failure: class, SQLSTATE when the server gave one, libpq's message (one line). */
struct pg_status {
	enum pg_error error;
	char sqlstate[6];
	char message[512];
	double ms; /* wall time of the call */
};

struct pg_session;

/*
 * Connect. Returns 0 and *out (close with pg_close), or -1 with *out NULL and the
 * failure classified in *st. Never prints; the URL is not kept.
 */
int pg_open(const struct pg_opts *o, struct pg_session **out, struct pg_status *st);

/* Close and free; NULL is allowed. */
void pg_close(struct pg_session *s);

/* The server process serving this session. */
int pg_backend_pid(const struct pg_session *s);

/* A query's rows, every value as text (NULL stays NULL). */
struct pg_rows {
	int nrows;
	int ncols;
	char **names;     /* ncols column names */
	char **values;    /* nrows * ncols, row-major; NULL for SQL NULL */
	char notice[256]; /* the last notice or warning the server sent, or "" */
};

/*
 * Run one statement with text parameters (PQexecParams: values are never spliced into
 * the SQL; cast them in the SQL, e.g. `pid = ANY($1::int[])`). Returns 0 and fills
 * *rows (release with pg_rows_release), or -1 with *st set and *rows empty.
 */
int pg_query(struct pg_session *s, const char *sql, int nparams, const char *const *params,
             struct pg_rows *rows, struct pg_status *st);

void pg_rows_release(struct pg_rows *rows);

/* The value at (row, column name), or NULL (SQL NULL or no such column). Borrowed. */
const char *pg_value(const struct pg_rows *rows, int row, const char *col);

/*
 * An int4[] literal for a parameter: "{101,102}". Caller frees.
 */
char *pg_int_array(const long *v, size_t n);

/*
 * A copy of SQL text fit for the journal: string literals ('…', E'…', $tag$…$tag$)
 * replaced by '?', whitespace runs folded to one space, cut at max bytes (on a UTF-8
 * boundary, "…" appended). Caller frees. NULL in, NULL out.
 */
char *pg_mask_query(const char *sql, size_t max);

#endif
