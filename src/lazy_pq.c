/*
 * lazy_pq.c - the libpq functions runbook calls, forwarded to libpq loaded on first use
 * (lazylib.h). Same names and prototypes as <libpq-fe.h>; the callers do not know. A
 * function added to a caller must be added here too: the link fails until then.
 */
#include <libpq-fe.h>

#include "lazylib.h"

#ifndef PQ_SONAME
#define PQ_SONAME "libpq.so.5"
#endif

#define PQ_FUNCS(X)             \
	X(PQbackendPID)         \
	X(PQcancel)             \
	X(PQclear)              \
	X(PQconnectPoll)        \
	X(PQconnectStartParams) \
	X(PQconnectdbParams)    \
	X(PQconninfoFree)       \
	X(PQconninfoParse)      \
	X(PQconsumeInput)       \
	X(PQerrorMessage)       \
	X(PQfinish)             \
	X(PQflush)              \
	X(PQfname)              \
	X(PQfreeCancel)         \
	X(PQfreemem)            \
	X(PQgetCancel)          \
	X(PQgetResult)          \
	X(PQgetisnull)          \
	X(PQgetvalue)           \
	X(PQisBusy)             \
	X(PQnfields)            \
	X(PQntuples)            \
	X(PQresultErrorField)   \
	X(PQresultErrorMessage) \
	X(PQresultStatus)       \
	X(PQsendQuery)          \
	X(PQsendQueryParams)    \
	X(PQsetNoticeReceiver)  \
	X(PQsetnonblocking)     \
	X(PQsocket)             \
	X(PQstatus)

static struct {
#define FIELD(f) __typeof__(f) *f;
	PQ_FUNCS(FIELD)
#undef FIELD
} fn;

static const struct lazy_sym syms[] = {
#define SYM(f) {#f, (void **)&fn.f},
        PQ_FUNCS(SYM)
#undef SYM
};

static struct lazy_lib lib = {
        .soname = PQ_SONAME,
        .package = "libpq5",
        .syms = syms,
        .nsyms = sizeof(syms) / sizeof(syms[0]),
        .once = PTHREAD_ONCE_INIT,
};

/* The loaded function f; exits with a message if libpq cannot be loaded. */
#define F(f) (lazy_require(&lib), fn.f)

int PQbackendPID(const PGconn *conn)
{
	return F(PQbackendPID)(conn);
}

int PQcancel(PGcancel *cancel, char *errbuf, int errbufsize)
{
	return F(PQcancel)(cancel, errbuf, errbufsize);
}

void PQclear(PGresult *res)
{
	F(PQclear)(res);
}

PostgresPollingStatusType PQconnectPoll(PGconn *conn)
{
	return F(PQconnectPoll)(conn);
}

PGconn *PQconnectStartParams(const char *const *keywords, const char *const *values,
                             int expand_dbname)
{
	return F(PQconnectStartParams)(keywords, values, expand_dbname);
}

PGconn *PQconnectdbParams(const char *const *keywords, const char *const *values,
                          int expand_dbname)
{
	return F(PQconnectdbParams)(keywords, values, expand_dbname);
}

void PQconninfoFree(PQconninfoOption *opts)
{
	F(PQconninfoFree)(opts);
}

PQconninfoOption *PQconninfoParse(const char *conninfo, char **errmsg)
{
	return F(PQconninfoParse)(conninfo, errmsg);
}

int PQconsumeInput(PGconn *conn)
{
	return F(PQconsumeInput)(conn);
}

char *PQerrorMessage(const PGconn *conn)
{
	return F(PQerrorMessage)(conn);
}

void PQfinish(PGconn *conn)
{
	F(PQfinish)(conn);
}

int PQflush(PGconn *conn)
{
	return F(PQflush)(conn);
}

char *PQfname(const PGresult *res, int field)
{
	return F(PQfname)(res, field);
}

void PQfreeCancel(PGcancel *cancel)
{
	F(PQfreeCancel)(cancel);
}

void PQfreemem(void *ptr)
{
	F(PQfreemem)(ptr);
}

PGcancel *PQgetCancel(PGconn *conn)
{
	return F(PQgetCancel)(conn);
}

PGresult *PQgetResult(PGconn *conn)
{
	return F(PQgetResult)(conn);
}

int PQgetisnull(const PGresult *res, int row, int field)
{
	return F(PQgetisnull)(res, row, field);
}

char *PQgetvalue(const PGresult *res, int row, int field)
{
	return F(PQgetvalue)(res, row, field);
}

int PQisBusy(PGconn *conn)
{
	return F(PQisBusy)(conn);
}

int PQnfields(const PGresult *res)
{
	return F(PQnfields)(res);
}

int PQntuples(const PGresult *res)
{
	return F(PQntuples)(res);
}

char *PQresultErrorField(const PGresult *res, int code)
{
	return F(PQresultErrorField)(res, code);
}

char *PQresultErrorMessage(const PGresult *res)
{
	return F(PQresultErrorMessage)(res);
}

ExecStatusType PQresultStatus(const PGresult *res)
{
	return F(PQresultStatus)(res);
}

int PQsendQuery(PGconn *conn, const char *query)
{
	return F(PQsendQuery)(conn, query);
}

int PQsendQueryParams(PGconn *conn, const char *command, int n, const Oid *types,
                      const char *const *values, const int *lengths, const int *formats,
                      int result_format)
{
	return F(PQsendQueryParams)(conn, command, n, types, values, lengths, formats,
	                            result_format);
}

PQnoticeReceiver PQsetNoticeReceiver(PGconn *conn, PQnoticeReceiver proc, void *arg)
{
	return F(PQsetNoticeReceiver)(conn, proc, arg);
}

int PQsetnonblocking(PGconn *conn, int arg)
{
	return F(PQsetnonblocking)(conn, arg);
}

int PQsocket(const PGconn *conn)
{
	return F(PQsocket)(conn);
}

ConnStatusType PQstatus(const PGconn *conn)
{
	return F(PQstatus)(conn);
}
