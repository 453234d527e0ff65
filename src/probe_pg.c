/*
 * probe_pg.c - PostgreSQL over libpq: a bounded connection (connect_timeout,
 * statement_timeout, application_name), failures classified from libpq's state and the
 * SQLSTATE, parameterised statements only. Knows nothing of the journal or the terminal.
 */
#include "probe_pg.h"

#include "util.h"

#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pg_session {
	PGconn *conn;
	volatile int *abort;
	char notice[256];
};

static const char *const error_names[] = {
#define X(e, s) s,
        PG_ERRORS(X)
#undef X
};

const char *pg_error_name(enum pg_error e)
{
	return e < PG_ERROR__LAST ? error_names[e] : "other";
}

static double now_ms(void)
{
	return (double)clock_mono_ns() / 1e6;
}

/* libpq's message on one line: newlines become "; ", trailing blanks dropped. */
static void one_line(const char *in, char *out, size_t len)
{
	size_t o = 0;

	if (len == 0)
		return;
	for (const char *p = in ? in : ""; *p != '\0' && o + 3 < len; p++) {
		if (*p == '\n') {
			if (p[1] != '\0' && o > 0) {
				out[o++] = ';';
				out[o++] = ' ';
			}
			continue;
		}
		out[o++] = (*p == '\r' || *p == '\t') ? ' ' : *p;
	}
	while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == ';'))
		o--;
	out[o] = '\0';
}

static int has(const char *hay, const char *needle)
{
	return strcasestr(hay, needle) != NULL;
}

/* Classify a failed connection from libpq's message (no SQLSTATE is kept for those). */
static enum pg_error classify_connect(const char *msg)
{
	if (has(msg, "password authentication failed") || has(msg, "no password supplied") ||
	    has(msg, "authentication failed") || has(msg, "no pg_hba.conf entry") ||
	    (has(msg, "role \"") && has(msg, "does not exist")) ||
	    has(msg, "password is required"))
		return PG_AUTH_FAILED;
	if (has(msg, "timeout expired") || has(msg, "timed out"))
		return PG_TIMEOUT;
	if (has(msg, "SSL") || has(msg, "certificate") || has(msg, "GSSAPI"))
		return PG_SSL_ERROR;
	if (has(msg, "Connection refused") || has(msg, "No such file or directory") ||
	    has(msg, "could not connect") || has(msg, "starting up") ||
	    has(msg, "shutting down") || has(msg, "No route to host") ||
	    has(msg, "Network is unreachable") || has(msg, "server closed the connection"))
		return PG_REFUSED;
	return PG_OTHER;
}

static enum pg_error classify_sqlstate(const char *state)
{
	if (state == NULL || state[0] == '\0')
		return PG_OTHER;
	if (strcmp(state, "57014") == 0) /* query_canceled: statement_timeout */
		return PG_TIMEOUT;
	if (strncmp(state, "28", 2) == 0) /* invalid authorization */
		return PG_AUTH_FAILED;
	if (strncmp(state, "08", 2) == 0) /* connection exception */
		return PG_REFUSED;
	return PG_OTHER;
}

int pg_target_parse(const char *url, struct pg_target *t, char *err, size_t errlen)
{
	PQconninfoOption *opts;
	char *msg = NULL;

	memset(t, 0, sizeof(*t));
	opts = PQconninfoParse(url ? url : "", &msg);
	if (opts == NULL) {
		/* libpq's message may quote the text: keep only its nature */
		snprintf(err, errlen, "the database URL cannot be parsed");
		PQfreemem(msg);
		return -1;
	}
	for (PQconninfoOption *o = opts; o->keyword != NULL; o++) {
		char *dst = NULL;
		size_t n = 0;

		if (o->val == NULL)
			continue;
		if (strcmp(o->keyword, "host") == 0 ||
		    (strcmp(o->keyword, "hostaddr") == 0 && t->host[0] == '\0')) {
			dst = t->host;
			n = sizeof(t->host);
		} else if (strcmp(o->keyword, "port") == 0) {
			dst = t->port;
			n = sizeof(t->port);
		} else if (strcmp(o->keyword, "dbname") == 0) {
			dst = t->dbname;
			n = sizeof(t->dbname);
		} else if (strcmp(o->keyword, "user") == 0) {
			dst = t->user;
			n = sizeof(t->user);
		}
		if (dst != NULL)
			snprintf(dst, n, "%s", o->val);
	}
	PQconninfoFree(opts);
	return 0;
}

/* The `options` already in the URL, so ours are added rather than replacing them. */
static char *url_options(const char *url)
{
	PQconninfoOption *opts = PQconninfoParse(url, NULL);
	char *v = NULL;

	for (PQconninfoOption *o = opts; o != NULL && o->keyword != NULL; o++)
		if (strcmp(o->keyword, "options") == 0 && o->val != NULL)
			v = xstrdup(o->val);
	PQconninfoFree(opts);
	return v;
}

static void on_notice(void *arg, const PGresult *res)
{
	struct pg_session *s = arg;

	one_line(PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY), s->notice,
	         sizeof(s->notice));
}

int pg_open(const struct pg_opts *o, struct pg_session **out, struct pg_status *st)
{
	long ms = o->timeout_ms > 0 ? o->timeout_ms : 5000;
	long secs = (ms + 999) / 1000;
	char ct[32], *given = NULL, *options = NULL;
	const char *keys[6], *vals[6];
	struct pg_session *s = NULL;
	double t0 = now_ms();
	int n = 0, rc = -1;

	memset(st, 0, sizeof(*st));
	*out = NULL;
	snprintf(ct, sizeof(ct), "%ld", secs > 0 ? secs : 1);
	given = url_options(o->url ? o->url : "");
	options = xasprintf("%s%s-c statement_timeout=%ld", given ? given : "",
	                    given ? " " : "", ms);
	keys[n] = "dbname"; /* expanded first: the keywords after it override the URL's */
	vals[n++] = o->url ? o->url : "";
	keys[n] = "connect_timeout";
	vals[n++] = ct;
	keys[n] = "options";
	vals[n++] = options;
	keys[n] = "application_name";
	vals[n++] = o->application_name ? o->application_name : "runbook";
	keys[n] = "client_encoding";
	vals[n++] = "UTF8";
	keys[n] = NULL;
	vals[n] = NULL;

	s = xcalloc(1, sizeof(*s));
	s->conn = PQconnectdbParams(keys, vals, 1);
	st->ms = now_ms() - t0;
	if (s->conn == NULL) {
		st->error = PG_OTHER;
		snprintf(st->message, sizeof(st->message), "out of memory");
		goto out;
	}
	if (PQstatus(s->conn) != CONNECTION_OK) {
		one_line(PQerrorMessage(s->conn), st->message, sizeof(st->message));
		st->error = classify_connect(st->message);
		goto out;
	}
	PQsetNoticeReceiver(s->conn, on_notice, s);
	s->abort = o->abort;
	*out = s;
	s = NULL;
	rc = 0;
out:
	if (s != NULL) {
		PQfinish(s->conn);
		free(s);
	}
	free(options);
	free(given);
	return rc;
}

void pg_close(struct pg_session *s)
{
	if (s == NULL)
		return;
	PQfinish(s->conn);
	free(s);
}

int pg_backend_pid(const struct pg_session *s)
{
	return s ? PQbackendPID(s->conn) : 0;
}

/* Ask the server to cancel the running statement. */
static void cancel(PGconn *conn)
{
	PGcancel *c = PQgetCancel(conn);
	char buf[256];

	if (c != NULL) {
		PQcancel(c, buf, sizeof(buf));
		PQfreeCancel(c);
	}
}

/* Wait for the statement's results, polling the abort flag; the last result wins. */
static PGresult *collect(PGconn *conn, volatile int *abort, int *aborted)
{
	PGresult *last = NULL, *r;
	int cancelled = 0;

	for (;;) {
		while (PQisBusy(conn)) {
			struct pollfd p = {.fd = PQsocket(conn), .events = POLLIN};

			if (abort != NULL && *abort && !cancelled) {
				cancel(conn);
				cancelled = 1;
				*aborted = 1;
			}
			if (p.fd < 0)
				break;
			poll(&p, 1, 100); /* EINTR (Ctrl-C) just loops to the abort check */
			if (!PQconsumeInput(conn))
				break;
		}
		r = PQgetResult(conn);
		if (r == NULL)
			break;
		PQclear(last);
		last = r;
	}
	return last;
}

static void fill_rows(const PGresult *res, struct pg_rows *rows)
{
	rows->nrows = PQntuples(res);
	rows->ncols = PQnfields(res);
	rows->names = xcalloc((size_t)rows->ncols + 1, sizeof(char *));
	rows->values = xcalloc((size_t)rows->nrows * (size_t)rows->ncols + 1, sizeof(char *));
	for (int c = 0; c < rows->ncols; c++)
		rows->names[c] = xstrdup(PQfname(res, c));
	for (int r = 0; r < rows->nrows; r++)
		for (int c = 0; c < rows->ncols; c++)
			if (!PQgetisnull(res, r, c))
				rows->values[r * rows->ncols + c] =
				        xstrdup(PQgetvalue(res, r, c));
}

int pg_query(struct pg_session *s, const char *sql, int nparams, const char *const *params,
             struct pg_rows *rows, struct pg_status *st)
{
	double t0 = now_ms();
	PGresult *res = NULL;
	int aborted = 0, rc = -1;

	memset(rows, 0, sizeof(*rows));
	memset(st, 0, sizeof(*st));
	s->notice[0] = '\0';
	if (!PQsendQueryParams(s->conn, sql, nparams, NULL, params, NULL, NULL, 0)) {
		one_line(PQerrorMessage(s->conn), st->message, sizeof(st->message));
		st->error = PQstatus(s->conn) == CONNECTION_OK ? PG_OTHER : PG_REFUSED;
		goto out;
	}
	res = collect(s->conn, s->abort, &aborted);
	st->ms = now_ms() - t0;
	if (res == NULL) {
		one_line(PQerrorMessage(s->conn), st->message, sizeof(st->message));
		st->error = PG_OTHER;
		goto out;
	}
	if (PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK) {
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

		snprintf(st->sqlstate, sizeof(st->sqlstate), "%s", state ? state : "");
		one_line(PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
		                 ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
		                 : PQerrorMessage(s->conn),
		         st->message, sizeof(st->message));
		st->error = aborted ? PG_INTERRUPTED : classify_sqlstate(state);
		goto out;
	}
	fill_rows(res, rows);
	snprintf(rows->notice, sizeof(rows->notice), "%s", s->notice);
	rc = 0;
out:
	PQclear(res);
	return rc;
}

void pg_rows_release(struct pg_rows *rows)
{
	for (int c = 0; rows->names != NULL && c < rows->ncols; c++)
		free(rows->names[c]);
	for (int i = 0; rows->values != NULL && i < rows->nrows * rows->ncols; i++)
		free(rows->values[i]);
	free(rows->names);
	free(rows->values);
	memset(rows, 0, sizeof(*rows));
}

const char *pg_value(const struct pg_rows *rows, int row, const char *col)
{
	if (row < 0 || row >= rows->nrows)
		return NULL;
	for (int c = 0; c < rows->ncols; c++)
		if (strcmp(rows->names[c], col) == 0)
			return rows->values[row * rows->ncols + c];
	return NULL;
}

char *pg_int_array(const long *v, size_t n)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	buf_puts(&b, "{");
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%ld", i ? "," : "", v[i]);
	buf_puts(&b, "}");
	return buf_detach(&b);
}

static int ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || (unsigned char)c >= 0x80;
}

/* Length of a dollar-quote tag at p ("$$", "$body$"), or 0 when p does not open one. */
static size_t dollar_tag(const char *p)
{
	size_t n = 1;

	if (p[0] != '$' || (p[1] >= '0' && p[1] <= '9'))
		return 0;
	while (p[n] != '\0' && p[n] != '$') {
		if (!ident_char(p[n]))
			return 0;
		n++;
	}
	return p[n] == '$' ? n + 1 : 0;
}

/* Skip a quoted literal starting at p (on its opening quote); returns the end. */
static const char *skip_literal(const char *p, int backslash)
{
	for (p++; *p != '\0'; p++) {
		if (backslash && *p == '\\' && p[1] != '\0') {
			p++;
			continue;
		}
		if (*p == '\'') {
			if (p[1] == '\'') {
				p++;
				continue;
			}
			return p + 1;
		}
	}
	return p; /* unterminated (the server cut the text): masked to the end */
}

char *pg_mask_query(const char *sql, size_t max)
{
	struct buf b;
	const char *p = sql;
	char *out;

	if (sql == NULL)
		return NULL;
	buf_init(&b, 1 << 20);
	while (*p != '\0') {
		size_t tag;

		if (*p == '\'') {
			int esc = p > sql && (p[-1] == 'E' || p[-1] == 'e') &&
			          (p - 1 == sql || !ident_char(p[-2]));

			p = skip_literal(p, esc);
			buf_puts(&b, "'?'");
		} else if ((tag = dollar_tag(p)) > 0 && !(p > sql && ident_char(p[-1]))) {
			const char *end = p + tag;

			while (*end != '\0' && strncmp(end, p, tag) != 0)
				end++;
			p = *end != '\0' ? end + tag : end;
			buf_puts(&b, "'?'");
		} else if (*p == '"') { /* a quoted identifier, kept */
			const char *end = strchr(p + 1, '"');

			end = end ? end + 1 : p + strlen(p);
			buf_append(&b, p, (size_t)(end - p));
			p = end;
		} else if (*p == '-' && p[1] == '-') { /* a comment, kept to the line's end */
			size_t n = strcspn(p, "\n");

			buf_append(&b, p, n);
			p += n;
		} else if (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') {
			while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
				p++;
			if (b.len > 0 && *p != '\0')
				buf_puts(&b, " ");
		} else {
			buf_append(&b, p, 1);
			p++;
		}
	}
	out = buf_detach(&b);
	if (out == NULL)
		out = xstrdup("");
	if (max > 0 && strlen(out) > max) {
		size_t cut = max;

		while (cut > 0 && ((unsigned char)out[cut] & 0xC0) == 0x80)
			cut--;
		out[cut] = '\0';
		b.p = out;
		out = xasprintf("%s…", b.p);
		free(b.p);
	}
	return out;
}
