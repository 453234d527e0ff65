/*
 * check.h - the health sweep (runbook §2.1, §3.1): every configured check at once.
 *
 * One poll loop drives libcurl's multi interface (API health and latency samples,
 * frontend, R2 HeadBucket, email provider, certificates) and a non-blocking libpq
 * connection (src/check_pg.h), so a sweep takes about as long as its slowest check.
 * Used by `runbook check` and by the health, deploy, migrate and cert-check flows.
 * Knows nothing of the journal, the terminal or the engine: it fills a struct.
 */
#ifndef RUNBOOK_CHECK_H
#define RUNBOOK_CHECK_H

#include <cjson/cJSON.h>
#include <stddef.h>

struct config;

/* The checks, in display order (names are cli.md's `check` names). */
#define CHECK_IDS(X)                \
	X(CHK_API, "api")           \
	X(CHK_FRONTEND, "frontend") \
	X(CHK_DATABASE, "database") \
	X(CHK_STORAGE, "storage")   \
	X(CHK_EMAIL, "email")       \
	X(CHK_CERTS, "certs")

enum check_id {
#define X(e, s) e,
	CHECK_IDS(X)
#undef X
	        CHK__LAST
};

#define CHECK_STATUSES(X)           \
	X(CHECK_PENDING, "pending") \
	X(CHECK_OK, "ok")           \
	X(CHECK_WARN, "warn")       \
	X(CHECK_FAIL, "fail")

enum check_status {
#define X(e, s) e,
	CHECK_STATUSES(X)
#undef X
	        CHECK_STATUS__LAST
};

/* "api", ...; "?" out of range. */
const char *check_name(enum check_id id);
/* "ok", "warn", "fail", "pending". */
const char *check_status_name(enum check_status st);

/* One check's verdict. */
struct check_result {
	int selected;             /* runs in this sweep (configured and not filtered out) */
	char missing[256];        /* why it is not configured ("'api.url' is not set"), or "" */
	enum check_status status; /* CHECK_PENDING while it runs */
	double ms;                /* from the start of the sweep to its verdict */
	char detail[512];         /* one line with the figures */
	cJSON *data;              /* the figures as JSON (owned by the sweep) */
};

struct sweep;

struct sweep_opts {
	const struct config *cfg;
	unsigned only;       /* bit (1u << id) per check; 0 = every configured check */
	int samples;         /* API latency samples, all in flight at once; 20 when 0 */
	volatile int *abort; /* when raised, the sweep stops (unfinished checks fail) */
	/* called when a check finishes and about every 100 ms while any runs (may be NULL) */
	void (*progress)(void *ctx, const struct sweep *sw);
	void *ctx;
};

struct sweep {
	struct check_result checks[CHK__LAST];
	double started;    /* wall clock at the start */
	double elapsed_ms; /* the whole sweep */
	int nselected, nok, nwarn, nfail;
	int aborted;
};

/*
 * Parse "--only api,database" into a mask of (1u << id). Returns 0, or -1 with the
 * unknown name in err.
 */
int check_parse_only(const char *list, unsigned *mask, char *err, size_t errlen);

/*
 * Which checks the configuration makes runnable: fills sw->checks[].selected and
 * .missing (and nselected) without running anything. Called by sweep_run.
 */
void sweep_plan(const struct sweep_opts *o, struct sweep *sw);

/*
 * Run every selected check at once and wait for all verdicts (each bounded by its
 * section's timeout_ms, else timing.probe_timeout_ms, else 5000 ms). Always fills *sw
 * (release with sweep_release). Returns the number of checks that ran.
 */
int sweep_run(const struct sweep_opts *o, struct sweep *sw);

void sweep_release(struct sweep *sw);

/*
 * {"ok", "elapsed_ms", "checks": [{"name", "status", "ms", "detail", "data"}]} for the
 * checks that ran (cli.md `check --json`; "data" when with_data). Caller frees.
 */
cJSON *sweep_json(const struct sweep *sw, int with_data);

/* "2 of 5 not ok: database fail (...); api warn (...)" or "all 5 ok". */
void sweep_summary(const struct sweep *sw, char *out, size_t len);

/* ---- pieces with unit tests ---- */

/* The p-th percentile (0..100) of v[0..n) by nearest rank; sorts v. 0 when n is 0. */
double check_percentile(double *v, size_t n, double p);

/* Parse libcurl's certinfo "Expire date" value ("Dec 14 15:06:00 2026 GMT"). 0 or -1. */
int check_cert_date(const char *s, double *epoch);

/*
 * Split a certs.hosts entry ("bilko.io:443", "bilko.io", "[::1]:8443",
 * "https://bilko.io:8443/") into host and port (443 when absent). 0 or -1.
 */
int check_host_port(const char *entry, char *host, size_t hostlen, long *port);

#endif
