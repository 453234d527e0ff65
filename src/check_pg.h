/*
 * check_pg.h - the sweep's database check: libpq's non-blocking connect and query,
 * stepped from the caller's poll loop (src/check.c) beside libcurl's transfers.
 *
 *   p = check_pg_start(&opts);
 *   while (!check_pg_done(p)) {
 *           fd = check_pg_fd(p, &events);      poll fd (with the others) for events,
 *           check_pg_step(p, revents);         up to check_pg_timeout_ms(p)
 *   }
 *   check_pg_result(p)->...; check_pg_free(p);
 *
 * It connects, runs one read-only statement over pg_stat_activity, and disconnects.
 */
#ifndef RUNBOOK_CHECK_PG_H
#define RUNBOOK_CHECK_PG_H

#include <stddef.h>

struct check_pg_opts {
	const char *url;              /* postgresql:// URL or conninfo; never copied out */
	const char *application_name; /* "runbook-check" when NULL */
	long timeout_ms;              /* the whole check (connect + query); 5000 when 0 */
};

/* What came back. Failures are classified like probe_pg's: "refused", "auth_failed",
 * "timeout", "ssl_error", "other". */
struct check_pg_result {
	int ok;            /* connected and the statement answered */
	const char *error; /* the class when !ok, else NULL */
	char message[512]; /* libpq's message, one line */
	double connect_ms; /* until the connection was ready */
	double query_ms;   /* the statement */
	double total_ms;
	long active;     /* client sessions in state 'active' (this one excluded) */
	long idle;       /* ... 'idle' */
	long idle_in_tx; /* ... 'idle in transaction' */
	long hidden;     /* sessions whose state is not visible to this role */
	long total;      /* client sessions */
	long max_connections;
	char server_version[64];
};

struct check_pg;

/* Start connecting (the host name is resolved here). Never NULL (allocation aborts). */
struct check_pg *check_pg_start(const struct check_pg_opts *o);

/* Non-zero once the result is final. */
int check_pg_done(const struct check_pg *p);

/* The socket to poll and the poll(2) events it waits for; -1 when none (done). */
int check_pg_fd(const struct check_pg *p, short *events);

/* Milliseconds until the check's deadline (0 when passed). */
long check_pg_timeout_ms(const struct check_pg *p);

/*
 * Advance after a poll: `revents` are the poll(2) events seen on check_pg_fd (0 when
 * the poll returned for another reason: then only the deadline is looked at).
 */
void check_pg_step(struct check_pg *p, short revents);

/* Stop now (an abort): the result becomes "interrupted" unless already final. */
void check_pg_cancel(struct check_pg *p);

/* The result (final once check_pg_done). Borrowed: valid until check_pg_free. */
const struct check_pg_result *check_pg_result(const struct check_pg *p);

void check_pg_free(struct check_pg *p);

#endif
