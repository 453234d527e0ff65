/* routine_int.h - helpers flows/routine_db.c lends flows/routine_restore.c. */
#ifndef RUNBOOK_FLOWS_ROUTINE_INT_H
#define RUNBOOK_FLOWS_ROUTINE_INT_H

#include "flow.h"
#include "probe_cmd.h"

#include <stddef.h>

/* Bytes of a command's output kept in the journal. */
#define ROUTINE_OUTPUT_KEEP 4096

/* snprintf that cuts quietly (messages and shown commands may be cut). */
void routine_put(char *out, size_t len, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* "host:port/db" of a database URL (never its password), or "" when it does not parse. */
void routine_where(const char *url, char *out, size_t len);

/* Non-zero when two URLs name the same database (host, port and dbname). */
int routine_same_db(const char *a, const char *b);

/* The name the operator types for a database: config `key`, else the URL's dbname. */
void routine_db_target(const struct config *c, const char *key, const char *url, char *out,
                       size_t len);

/*
 * Run `command` with the URL as libpq's PG* variables (PGHOST, PGPASSWORD, ...; NULL:
 * none), `extra` variables, RUNBOOK_INCIDENT and RUNBOOK_OPERATOR in its environment.
 * Fills *res (release with cmd_result_release); returns cmd_run's code, -1 with
 * res->errmsg set when the URL does not parse.
 */
int routine_pg_cmd(struct run *r, const char *command, const char *url,
                   const struct cmd_env *extra, size_t nextra, long timeout_ms, size_t max_out,
                   struct cmd_result *res);

/* exit_code, ms and the output's tail into d; 0 when the command ran and exited 0,
 * else 1 with why ("exit 1", "timed out after 3 s", ...). */
int routine_cmd_failed(const struct cmd_result *res, cJSON *d, char *why, size_t len);

/* The last non-empty line of a command's output, for a summary. */
void routine_last_line(const struct cmd_result *res, char *out, size_t len);

#endif
