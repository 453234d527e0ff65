/*
 * probe_railway.h - Railway's public GraphQL API: a service's latest deployments, the
 * previous successful one, and a rollback to it.
 *
 * Plain C over probe_http: no journal, no terminal. An expired token, a rate limit, a
 * GraphQL error, a malformed body or a timeout is an outcome in the result.
 */
#ifndef RUNBOOK_PROBE_RAILWAY_H
#define RUNBOOK_PROBE_RAILWAY_H

#include <stddef.h>

#define RAILWAY_MAX_DEPLOYS 20

/* How a request ended, one list. */
#define RAILWAY_STATUSES(X)                                                        \
	X(RAILWAY_OK, "ok")                                                        \
	X(RAILWAY_AUTH, "unauthorized") /* 401/403, or GraphQL "Not Authorized" */ \
	X(RAILWAY_RATE_LIMITED, "rate_limited")                                    \
	X(RAILWAY_GRAPHQL, "graphql_error") /* 200 with an "errors" array */       \
	X(RAILWAY_MALFORMED, "malformed")                                          \
	X(RAILWAY_HTTP, "http_error")                                              \
	X(RAILWAY_NET, "unreachable")

enum railway_status {
#define X(e, s) e,
	RAILWAY_STATUSES(X)
#undef X
	        RAILWAY_STATUS__LAST
};

struct railway_deploy {
	char id[64];
	char status[24];     /* SUCCESS, FAILED, CRASHED, REMOVED, BUILDING, ... */
	char created_at[40]; /* as sent */
	double created_ts;   /* epoch seconds, 0 when unreadable */
	int can_rollback;    /* 1, 0, or -1 when the field was absent */
};

struct railway_req {
	const char *api_url;    /* https://backboard.railway.com/graphql/v2 */
	const char *token;      /* "Authorization: Bearer"; never in the result */
	const char *project_id; /* DeploymentListInput fields; NULL ones are left out */
	const char *environment_id;
	const char *service_id;
	int first;        /* deployments asked for (10 when 0) */
	long timeout_ms;  /* 5000 when 0 */
	long max_wait_ms; /* longest Retry-After waited for (5000 when 0, never < 0) */
	volatile int *abort;
};

struct railway_result {
	enum railway_status status;
	long http_status;
	char error[256]; /* one line, when status != RAILWAY_OK */
	char net[16];    /* http_error_name() when no answer arrived */
	char retry_after[32];
	int requests;
	double ms;
	double waited_ms;
	struct railway_deploy d[RAILWAY_MAX_DEPLOYS]; /* newest first */
	size_t n;
	int active;   /* index of the deployment serving now (newest SUCCESS), or -1 */
	int previous; /* index of the previous successful deployment, or -1 */
};

/* "ok", "unauthorized", ... */
const char *railway_status_name(enum railway_status s);

/*
 * POST {api_url} the query deployments(input: {projectId, environmentId, serviceId},
 * first: N) { edges { node { id status createdAt canRollback } } }. Fills *res: the
 * deployments newest first, `active` and `previous`. Returns 0, or -1 (res->status).
 */
int railway_deployments(const struct railway_req *req, struct railway_result *res);

/*
 * POST the mutation deploymentRollback(id: $id): roll the service back to deployment
 * `id`. Returns 0 when Railway answered true, -1 otherwise (res->status, res->error).
 */
int railway_rollback(const struct railway_req *req, const char *id, struct railway_result *res);

/*
 * Parse a deployments answer ({"data": {"deployments": {"edges": [{"node": ...}]}}} or
 * {"errors": [...]}) into res->d, sorted newest first, with active and previous set.
 * Returns 0, or -1 with res->status and res->error set.
 */
int railway_parse_deployments(const char *body, struct railway_result *res);

/*
 * Which deployment serves now and which successful one came before it, over d[0..n)
 * sorted newest first: *active = the newest SUCCESS (else -1); *previous = the newest
 * older one that was live (SUCCESS, REMOVED or SLEEPING) and not canRollback=false.
 */
void railway_pick(const struct railway_deploy *d, size_t n, int *active, int *previous);

#endif
