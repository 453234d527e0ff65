/* database.h - what the database flow's probes (database.c) and actions (database_act.c)
 * share. Internal to the flow. */
#ifndef RUNBOOK_FLOWS_DATABASE_H
#define RUNBOOK_FLOWS_DATABASE_H

#include "flow.h"
#include "probe_pg.h"

/* A timestamptz column as the journal writes times (UTC, milliseconds): the preview's
 * idle_since, and what kill_idle compares it with. */
#define DB_TS_UTC(col) \
	"to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

/* Bound on a query text kept in the journal (after masking its literals). */
#define DB_QUERY_MAX 200

/*
 * Open a connection to database.url for this run: application_name
 * "runbook/<operator>/<short id>", the database section's probe timeout. Returns 0 and
 * *s (pg_close it), filling *t (host, port, dbname, user: never the password); or -1
 * with *st set (st->error PG_OK and st->message the missing key when database.url is
 * not configured, see db_missing).
 */
int db_open(struct run *r, struct pg_session **s, struct pg_target *t, struct pg_status *st);

/* Non-zero when database.url is not usable here (the reason: config_why_missing). */
int db_missing(struct run *r);

/* The confirmation target: database.name, else the URL's dbname, else NULL. */
const char *db_name(struct run *r, char *buf, size_t len);

/* snprintf that accepts truncation (a message cut short is still a message). */
void db_say(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* host, port, database, user of t added to obj. */
void db_target_json(cJSON *obj, const struct pg_target *t);

/* The kill_idle, cancel_backend and terminate_backend steps (database_act.c). */
void plan_kill_idle(struct run *r, const struct state *s, struct intent *in);
void plan_signal_one(struct run *r, const struct state *s, struct intent *in);
void act_signal(struct run *r, const struct state *s, const struct intent *in,
                struct outcome *out);
int check_pid(const char *value, char *err, size_t errlen);

#endif
