/* logscan.h - recognise the runbook's failure causes in API log text. */
#ifndef RUNBOOK_LOGSCAN_H
#define RUNBOOK_LOGSCAN_H

#include <stddef.h>

/* What a log can show, one list: id, cause it points to in api-down's `cause`, words. */
#define LOG_FINDINGS(X)                                                                    \
	X(LOG_OOM, "oom", "oom", "out of memory")                                          \
	X(LOG_DB_CONNECTIONS, "db_connections", "db_connections", "connections exhausted") \
	X(LOG_DB_DOWN, "db_down", "db_down", "database unreachable")                       \
	X(LOG_CRASH, "crash_loop", "bad_deploy", "crash loop")                             \
	X(LOG_DEPLOY, "deploy", "bad_deploy", "deploy marker")

enum log_finding {
#define X(e, id, cause, words) e,
	LOG_FINDINGS(X)
#undef X
	        LOG_FINDING__LAST
};

struct log_hit {
	int count;         /* lines that matched */
	size_t first_line; /* 1-based line numbers */
	size_t last_line;
	char sample[200]; /* the last matching line, trimmed, truncated */
};

struct log_scan {
	struct log_hit hits[LOG_FINDING__LAST];
	size_t lines;
	/*
	 * The cause the log points to ("oom", "db_connections", "db_down", "bad_deploy"),
	 * or NULL; with the reason in one line ("OOM in logs: 3 lines").
	 */
	const char *suggest;
	char reason[256];
};

const char *log_finding_id(enum log_finding f);
const char *log_finding_words(enum log_finding f);

/*
 * Scan `text` (len bytes, need not be NUL-terminated) line by line, case-insensitive.
 * Patterns: OOM ("JavaScript heap out of memory", "out of memory", "OOMKilled",
 * "ENOMEM", "Killed process", "exit code 137"); connections ("too many clients",
 * "remaining connection slots", "Timed out fetching a new connection",
 * "connection pool", "Too many connections"); db down ("ECONNREFUSED" with 5432,
 * "Can't reach database server", "the database system is shutting down",
 * "P1001", "Connection terminated unexpectedly"); crash loop ("Crashed",
 * "exited with code", "restarting container", "Back-off restarting", "uncaughtException");
 * deploy ("Deploying", "Deployment", "Build successful", "Starting Container",
 * "deploy" in a Railway marker). Suggestion priority: oom, db_down, db_connections,
 * then crash/deploy -> bad_deploy.
 */
void log_scan_text(const char *text, size_t len, struct log_scan *out);

#endif
