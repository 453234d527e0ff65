/*
 * probe_sentry.h - Sentry's web API: a project's unresolved issues of a recent window,
 * most events first, with their tags; and one issue's event count.
 *
 * Plain C over probe_http: no journal, no terminal. Every failure (expired token, rate
 * limit, malformed body, timeout) is an outcome in the result, never a crash.
 */
#ifndef RUNBOOK_PROBE_SENTRY_H
#define RUNBOOK_PROBE_SENTRY_H

#include <stddef.h>

#define SENTRY_MAX_ISSUES 25  /* issues kept after the window filter and the sort */
#define SENTRY_MAX_LISTED 300 /* issues read from the list, over every page */
#define SENTRY_MAX_TAGS 24    /* (key, value) pairs kept per issue */
#define SENTRY_FINANCIAL_TAG "financial-logic"

/* How a request ended, one list. */
#define SENTRY_STATUSES(X)                                                                     \
	X(SENTRY_OK, "ok")                                                                     \
	X(SENTRY_AUTH, "unauthorized")         /* 401/403: token expired, revoked, no scope */ \
	X(SENTRY_RATE_LIMITED, "rate_limited") /* 429 with a Retry-After too long to wait */   \
	X(SENTRY_MALFORMED, "malformed") /* 2xx whose body is not the documented shape */      \
	X(SENTRY_HTTP, "http_error")     /* any other non-2xx status */                        \
	X(SENTRY_NET, "unreachable")     /* no answer: refused, timeout, dropped, ... */

enum sentry_status {
#define X(e, s) e,
	SENTRY_STATUSES(X)
#undef X
	        SENTRY_STATUS__LAST
};

struct sentry_tag {
	char key[64];
	char value[128];
};

struct sentry_issue {
	char id[32];
	char short_id[64];
	char title[256];
	char culprit[256];
	char level[16];
	long long count; /* events; the API sends it as a string */
	char first_seen[40];
	char last_seen[40];
	double first_ts, last_ts; /* epoch seconds, 0 when absent or unreadable */
	struct sentry_tag tags[SENTRY_MAX_TAGS];
	size_t ntags;
	int tags_known;          /* tags came with the issue or were fetched */
	int financial;           /* a tag whose key or value is "financial-logic" */
	char financial_tag[200]; /* that tag, "key=value" */
};

struct sentry_req {
	const char *base_url; /* "https://sentry.io" (no trailing /api/0) */
	const char *org;
	const char *project;
	const char *token; /* sent as "Authorization: Bearer"; never in the result */
	double window_min; /* issues last seen within this many minutes (15 when 0) */
	int max_pages;     /* pages of the list followed (3 when 0) */
	int tag_issues;    /* top issues whose tags are fetched when the list lacks them
				 (3 when 0, none when < 0) */
	long timeout_ms;   /* each request (5000 when 0) */
	long max_wait_ms;  /* longest Retry-After waited for, once per request (5000 when
				 0, never when < 0) */
	double now;        /* the window ends here (epoch seconds; the clock when 0) */
	volatile int *abort;
};

struct sentry_result {
	enum sentry_status status;
	long http_status;     /* of the request that failed, or of the last one */
	char error[256];      /* one line, when status != SENTRY_OK */
	char net[16];         /* http_error_name() when no answer arrived */
	char retry_after[32]; /* the Retry-After of a 429, as sent */
	int requests;
	int pages;
	int more;         /* the list had pages past max_pages */
	int tag_failures; /* tag fetches that failed (the issue's tags stay unknown) */
	double ms;
	double waited_ms;            /* time spent honouring Retry-After */
	size_t listed;               /* issues the list returned, before the window filter */
	struct sentry_issue *issues; /* in the window, most events first; malloc'd */
	size_t n;
};

/* "ok", "unauthorized", ... */
const char *sentry_status_name(enum sentry_status s);

/*
 * GET {base}/api/0/projects/{org}/{project}/issues/?query=is:unresolved lastSeen:-Nm
 * &statsPeriod=24h&sort=freq, following Link rel="next" (results="true") up to
 * max_pages; keeps the issues last seen in the window, sorted by event count; fetches
 * GET /api/0/issues/{id}/tags/ for the top tag_issues issues. Fills *res (release with
 * sentry_result_release). Returns 0 when the list was read (a failed tag fetch only
 * counts in tag_failures), -1 otherwise (res->status says why).
 */
int sentry_top_issues(const struct sentry_req *req, struct sentry_result *res);

/*
 * GET {base}/api/0/issues/{id}/: the issue's event count into *count. Returns 0, or -1
 * with res->status set. Release res with sentry_result_release.
 */
int sentry_issue_count(const struct sentry_req *req, const char *id, long long *count,
                       struct sentry_result *res);

/* Free what a call put in *res; *res is zeroed. */
void sentry_result_release(struct sentry_result *res);

/*
 * Parse an issue list body (a JSON array of issues) into out[0..max). *n receives the
 * issues stored, *total the issues in the body. Returns 0, or -1 with why in err
 * (not an array, an item without "id").
 */
int sentry_parse_issues(const char *body, struct sentry_issue *out, size_t max, size_t *n,
                        size_t *total, char *err, size_t errlen);

/*
 * Parse a tags body into is->tags: the issue-tags shape [{"key", "topValues":
 * [{"value"}]}] or the event shape [{"key", "value"}]. Sets tags_known, and financial
 * (with financial_tag) when a key or value is "financial-logic" (any case), even past
 * SENTRY_MAX_TAGS. Returns 0, or -1 with why in err.
 */
int sentry_parse_tags(const char *body, struct sentry_issue *is, char *err, size_t errlen);

/*
 * The cursor of the Link header's rel="next" entry when it says results="true": copies
 * it into cursor and returns 1; 0 when there is no further page; -1 when the header
 * cannot be read. The cursor comes from its cursor="…" parameter, else from the URL.
 */
int sentry_link_next(const char *link, char *cursor, size_t len);

#endif
