/* check_pg.c - the sweep's database check: non-blocking libpq, stepped by the caller. */
#include "check_pg.h"

#include "util.h"

#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TIMEOUT_MS 5000

/* One statement: the sessions by state, the limits, the version. */
static const char SQL[] =
        "SELECT count(*) FILTER (WHERE state = 'active' AND pid <> pg_backend_pid()),"
        " count(*) FILTER (WHERE state = 'idle'),"
        " count(*) FILTER (WHERE state LIKE 'idle in transaction%'),"
        " count(*) FILTER (WHERE state IS NULL),"
        " count(*),"
        " current_setting('max_connections'),"
        " current_setting('server_version')"
        " FROM pg_stat_activity WHERE backend_type = 'client backend'";

enum phase { PH_CONNECTING, PH_SENDING, PH_READING, PH_DONE };

struct check_pg {
	PGconn *conn;
	enum phase phase;
	PostgresPollingStatusType want; /* the last PQconnectPoll answer */
	double t0, t_connected;         /* ms, monotonic */
	double deadline;
	struct check_pg_result res;
};

static double now_ms(void)
{
	return (double)clock_mono_ns() / 1e6;
}

static int has(const char *hay, const char *needle)
{
	return strcasestr(hay, needle) != NULL;
}

/* The same classes as probe_pg's, from libpq's message (a failed connection has no
 * SQLSTATE). */
static const char *classify(const char *msg)
{
	if (has(msg, "password authentication failed") || has(msg, "no password supplied") ||
	    has(msg, "authentication failed") || has(msg, "no pg_hba.conf entry") ||
	    (has(msg, "role \"") && has(msg, "does not exist")) ||
	    has(msg, "password is required"))
		return "auth_failed";
	if (has(msg, "timeout expired") || has(msg, "timed out"))
		return "timeout";
	if (has(msg, "SSL") || has(msg, "certificate") || has(msg, "GSSAPI"))
		return "ssl_error";
	if (has(msg, "Connection refused") || has(msg, "No such file or directory") ||
	    has(msg, "could not connect") || has(msg, "starting up") ||
	    has(msg, "shutting down") || has(msg, "No route to host") ||
	    has(msg, "Network is unreachable") || has(msg, "server closed the connection") ||
	    has(msg, "could not translate host name"))
		return "refused";
	return "other";
}

/* libpq's message folded to one line. */
static void one_line(const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (const char *p = in ? in : ""; *p && o + 1 < len; p++)
		out[o++] = (*p == '\n' || *p == '\r' || *p == '\t') ? ' ' : *p;
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

static void finish(struct check_pg *p, const char *error, const char *msg)
{
	p->res.total_ms = now_ms() - p->t0;
	if (error != NULL) {
		p->res.ok = 0;
		p->res.error = error;
		one_line(msg, p->res.message, sizeof(p->res.message));
	} else {
		p->res.ok = 1;
		p->res.query_ms = now_ms() - p->t_connected;
	}
	p->phase = PH_DONE;
	if (p->conn != NULL)
		PQfinish(p->conn);
	p->conn = NULL;
}

static void fail_conn(struct check_pg *p)
{
	char msg[512];

	one_line(PQerrorMessage(p->conn), msg, sizeof(msg));
	finish(p, classify(msg), msg);
}

/* See check_pg.h. */
struct check_pg *check_pg_start(const struct check_pg_opts *o)
{
	struct check_pg *p = xcalloc(1, sizeof(*p));
	long ms = o->timeout_ms > 0 ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
	const char *keys[4] = {"dbname", "application_name", "client_encoding", NULL};
	const char *vals[4];

	vals[0] = o->url ? o->url : "";
	vals[1] = o->application_name ? o->application_name : "runbook-check";
	vals[2] = "UTF8";
	vals[3] = NULL;
	p->t0 = now_ms();
	p->deadline = p->t0 + (double)ms;
	p->conn = PQconnectStartParams(keys, vals, 1);
	if (p->conn == NULL) {
		finish(p, "other", "out of memory");
		return p;
	}
	if (PQstatus(p->conn) == CONNECTION_BAD) {
		fail_conn(p);
		return p;
	}
	p->phase = PH_CONNECTING;
	p->want = PGRES_POLLING_WRITING; /* libpq: as if PQconnectPoll had said so */
	return p;
}

/* See check_pg.h. */
int check_pg_done(const struct check_pg *p)
{
	return p->phase == PH_DONE;
}

/* See check_pg.h. */
int check_pg_fd(const struct check_pg *p, short *events)
{
	*events = 0;
	if (p->phase == PH_DONE || p->conn == NULL)
		return -1;
	switch (p->phase) {
	case PH_CONNECTING:
		*events = p->want == PGRES_POLLING_READING ? POLLIN : POLLOUT;
		break;
	case PH_SENDING:
		*events = POLLIN | POLLOUT;
		break;
	default:
		*events = POLLIN;
		break;
	}
	return PQsocket(p->conn);
}

/* See check_pg.h. */
long check_pg_timeout_ms(const struct check_pg *p)
{
	double left = p->deadline - now_ms();

	return left > 0 ? (long)left + 1 : 0;
}

static void parse_row(struct check_pg *p, const PGresult *r)
{
	long *dst[5] = {&p->res.active, &p->res.idle, &p->res.idle_in_tx, &p->res.hidden,
	                &p->res.total};

	for (int i = 0; i < 5; i++)
		if (parse_long(PQgetvalue(r, 0, i), 0, 1L << 30, dst[i]) < 0)
			*dst[i] = -1;
	if (parse_long(PQgetvalue(r, 0, 5), 0, 1L << 30, &p->res.max_connections) < 0)
		p->res.max_connections = -1;
	snprintf(p->res.server_version, sizeof(p->res.server_version), "%s",
	         PQgetvalue(r, 0, 6));
}

/* Take every result that has arrived; finishes the check when the last one did. */
static void read_results(struct check_pg *p)
{
	if (!PQconsumeInput(p->conn)) {
		fail_conn(p);
		return;
	}
	while (!PQisBusy(p->conn)) {
		PGresult *r = PQgetResult(p->conn);

		if (r == NULL) {
			if (p->res.total == 0 && p->res.server_version[0] == '\0')
				finish(p, "other", "the statement returned no row");
			else
				finish(p, NULL, NULL);
			return;
		}
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
		    PQnfields(r) == 7) {
			parse_row(p, r);
		} else {
			const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
			char msg[512];

			one_line(PQresultErrorMessage(r), msg, sizeof(msg));
			PQclear(r);
			finish(p,
			       state && strncmp(state, "28", 2) == 0 ? "auth_failed" : "other",
			       msg[0] ? msg : "the statement failed");
			return;
		}
		PQclear(r);
	}
}

static void connected(struct check_pg *p)
{
	int f;

	p->t_connected = now_ms();
	p->res.connect_ms = p->t_connected - p->t0;
	if (PQsetnonblocking(p->conn, 1) != 0 || !PQsendQuery(p->conn, SQL)) {
		fail_conn(p);
		return;
	}
	f = PQflush(p->conn);
	if (f < 0)
		fail_conn(p);
	else
		p->phase = f == 0 ? PH_READING : PH_SENDING;
}

/* See check_pg.h. */
void check_pg_step(struct check_pg *p, short revents)
{
	if (p->phase == PH_DONE)
		return;
	if (revents == 0) {
		if (now_ms() >= p->deadline) {
			char msg[96];

			snprintf(msg, sizeof(msg), "timeout expired after %.0f ms",
			         p->deadline - p->t0);
			finish(p, "timeout", msg);
		}
		return;
	}
	switch (p->phase) {
	case PH_CONNECTING:
		p->want = PQconnectPoll(p->conn);
		if (p->want == PGRES_POLLING_FAILED)
			fail_conn(p);
		else if (p->want == PGRES_POLLING_OK)
			connected(p);
		break;
	case PH_SENDING: {
		int f;

		if ((revents & POLLIN) && !PQconsumeInput(p->conn)) {
			fail_conn(p);
			break;
		}
		f = PQflush(p->conn);
		if (f < 0)
			fail_conn(p);
		else if (f == 0)
			p->phase = PH_READING;
		break;
	}
	case PH_READING:
		read_results(p);
		break;
	default:
		break;
	}
	if (p->phase != PH_DONE && now_ms() >= p->deadline)
		check_pg_step(p, 0);
}

/* See check_pg.h. */
void check_pg_cancel(struct check_pg *p)
{
	if (p->phase != PH_DONE)
		finish(p, "interrupted", "interrupted");
}

/* See check_pg.h. */
const struct check_pg_result *check_pg_result(const struct check_pg *p)
{
	return &p->res;
}

/* See check_pg.h. */
void check_pg_free(struct check_pg *p)
{
	if (p == NULL)
		return;
	if (p->conn != NULL)
		PQfinish(p->conn);
	free(p);
}
