/* probe_railway.c - Railway's public GraphQL API over probe_http: deployments, rollback. */
#include "probe_railway.h"

#include "probe_http.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DEFAULT_FIRST 10
#define DEFAULT_TIMEOUT_MS 5000
#define DEFAULT_MAX_WAIT_MS 5000
#define MAX_BODY ((size_t)1 << 20)

/* The documented shapes (Railway public API; the railway CLI's Deployments.graphql). */
static const char deployments_query[] =
        "query Deployments($input: DeploymentListInput!, $first: Int) { deployments(input: "
        "$input, first: $first) { edges { node { id status createdAt canRollback } } } }";
static const char rollback_mutation[] =
        "mutation DeploymentRollback($id: String!) { deploymentRollback(id: $id) }";

static const char *const status_names[] = {
#define X(e, s) s,
        RAILWAY_STATUSES(X)
#undef X
};

/* See probe_railway.h. */
const char *railway_status_name(enum railway_status s)
{
	return (int)s >= 0 && s < RAILWAY_STATUS__LAST ? status_names[s] : "?";
}

/* The first GraphQL error message of a body, printable and short, or "". */
static void first_error(const cJSON *j, char *out, size_t len)
{
	const cJSON *errs = cJSON_GetObjectItemCaseSensitive(j, "errors");
	const cJSON *m =
	        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(errs, 0), "message");
	size_t i = 0;

	out[0] = '\0';
	if (!cJSON_IsString(m))
		return;
	for (const char *p = m->valuestring; *p && i + 1 < len && i < 120; p++)
		out[i++] = isprint((unsigned char)*p) ? *p : ' ';
	out[i] = '\0';
}

/*
 * POST one GraphQL document; a short 429 is waited for and retried once. Returns the
 * parsed answer whose "data" is an object (caller deletes), or NULL with res set.
 */
static cJSON *gql_post(const struct railway_req *req, cJSON *doc, struct railway_result *res)
{
	char *payload = cJSON_PrintUnformatted(doc);
	char *auth = xasprintf("Bearer %s", req->token ? req->token : "");
	long max_wait = req->max_wait_ms == 0 ? DEFAULT_MAX_WAIT_MS : req->max_wait_ms;
	struct http_header hdr[3] = {{"Authorization", auth},
	                             {"Content-Type", "application/json"},
	                             {"Accept", "application/json"}};
	struct http_req hr;
	struct http_resp resp;
	cJSON *j = NULL;
	char msg[128];
	int waited = 0;

	memset(&hr, 0, sizeof(hr));
	hr.method = "POST";
	hr.url = req->api_url;
	hr.headers = hdr;
	hr.nheaders = 3;
	hr.body = payload;
	hr.body_len = payload ? strlen(payload) : 0;
	hr.timeout_ms = req->timeout_ms > 0 ? req->timeout_ms : DEFAULT_TIMEOUT_MS;
	hr.max_body = MAX_BODY;
	hr.abort = req->abort;
	for (;;) {
		res->requests++;
		http_fetch(&hr, &resp);
		res->http_status = resp.status;
		if (resp.error != HTTP_OK) {
			res->status = RAILWAY_NET;
			snprintf(res->net, sizeof(res->net), "%s", http_error_name(resp.error));
			snprintf(res->error, sizeof(res->error), "no answer from Railway: %s",
			         http_error_name(resp.error));
			break;
		}
		if (resp.status == 429) {
			long ra = http_retry_after_ms(resp.retry_after);

			snprintf(res->retry_after, sizeof(res->retry_after), "%s",
			         resp.retry_after ? resp.retry_after : "");
			if (!waited && max_wait >= 0 && ra >= 0 && ra <= max_wait) {
				int64_t t0 = clock_mono_ns();
				int stop = sleep_abortable(ra, req->abort);

				res->waited_ms += (double)(clock_mono_ns() - t0) / 1e6;
				waited = 1;
				http_resp_release(&resp);
				if (!stop)
					continue;
				res->status = RAILWAY_NET;
				snprintf(res->net, sizeof(res->net), "interrupted");
				snprintf(res->error, sizeof(res->error),
				         "interrupted while waiting out a rate limit");
				goto out;
			}
			res->status = RAILWAY_RATE_LIMITED;
			if (ra >= 0)
				snprintf(res->error, sizeof(res->error),
				         "rate limited: HTTP 429, retry after %ld s",
				         ra / 1000);
			else
				snprintf(res->error, sizeof(res->error),
				         "rate limited: HTTP 429 without a usable Retry-After");
			break;
		}
		j = cJSON_Parse(resp.body ? resp.body : "");
		first_error(j, msg, sizeof(msg));
		if (resp.status == 401 || resp.status == 403 ||
		    (msg[0] && strcasestr(msg, "not authorized") != NULL)) {
			res->status = RAILWAY_AUTH;
			snprintf(res->error, sizeof(res->error),
			         "the token was refused (HTTP %ld%s%s): expired, revoked or "
			         "not for "
			         "this project",
			         resp.status, msg[0] ? ", " : "", msg);
		} else if (resp.status < 200 || resp.status >= 300) {
			res->status = RAILWAY_HTTP;
			snprintf(res->error, sizeof(res->error), "HTTP %ld from Railway%s%s",
			         resp.status, msg[0] ? ": " : "", msg);
		} else if (!cJSON_IsObject(j)) {
			res->status = RAILWAY_MALFORMED;
			snprintf(res->error, sizeof(res->error), "the answer is not JSON");
		} else if (msg[0] ||
		           cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "errors"))) {
			res->status = RAILWAY_GRAPHQL;
			snprintf(res->error, sizeof(res->error), "GraphQL error: %s",
			         msg[0] ? msg : "(no message)");
		} else if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "data"))) {
			res->status = RAILWAY_MALFORMED;
			snprintf(res->error, sizeof(res->error),
			         "the answer has no \"data\" object");
		} else {
			res->status = RAILWAY_OK;
			http_resp_release(&resp);
			goto out;
		}
		cJSON_Delete(j);
		j = NULL;
		break;
	}
	http_resp_release(&resp);
out:
	explicit_bzero(auth, strlen(auth));
	free(auth);
	cJSON_free(payload);
	return j;
}

static int newest_first(const void *a, const void *b)
{
	const struct railway_deploy *x = a, *y = b;

	return x->created_ts < y->created_ts ? 1 : x->created_ts > y->created_ts ? -1 : 0;
}

static int was_live(const char *status)
{
	return strcmp(status, "SUCCESS") == 0 || strcmp(status, "REMOVED") == 0 ||
	       strcmp(status, "SLEEPING") == 0;
}

/* See probe_railway.h. */
void railway_pick(const struct railway_deploy *d, size_t n, int *active, int *previous)
{
	size_t from = 0;

	*active = *previous = -1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(d[i].status, "SUCCESS") == 0) {
			*active = (int)i;
			from = i + 1;
			break;
		}
	for (size_t i = from; i < n; i++)
		if (was_live(d[i].status) && d[i].can_rollback != 0) {
			*previous = (int)i;
			return;
		}
}

/* Fill res->d from a parsed answer; -1 with res set when its shape is not the query's. */
static int deploys_from(const cJSON *j, struct railway_result *res)
{
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(j, "data");
	const cJSON *deps = cJSON_GetObjectItemCaseSensitive(data, "deployments");
	const cJSON *edges = cJSON_GetObjectItemCaseSensitive(deps, "edges");
	const cJSON *e;
	size_t i = 0;

	res->n = 0;
	if (!cJSON_IsArray(edges)) {
		res->status = RAILWAY_MALFORMED;
		snprintf(res->error, sizeof(res->error),
		         "the answer has no data.deployments.edges array");
		return -1;
	}
	cJSON_ArrayForEach(e, edges)
	{
		const cJSON *node = cJSON_GetObjectItemCaseSensitive(e, "node");
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(node, "id");
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(node, "status");
		const cJSON *at = cJSON_GetObjectItemCaseSensitive(node, "createdAt");
		const cJSON *cr = cJSON_GetObjectItemCaseSensitive(node, "canRollback");
		struct railway_deploy *d;

		i++;
		if (!cJSON_IsString(id) || !cJSON_IsString(st) || !cJSON_IsString(at)) {
			res->status = RAILWAY_MALFORMED;
			snprintf(res->error, sizeof(res->error),
			         "deployment %zu lacks id, status or createdAt", i);
			return -1;
		}
		if (res->n >= RAILWAY_MAX_DEPLOYS)
			continue;
		d = &res->d[res->n++];
		snprintf(d->id, sizeof(d->id), "%s", id->valuestring);
		snprintf(d->status, sizeof(d->status), "%s", st->valuestring);
		snprintf(d->created_at, sizeof(d->created_at), "%s", at->valuestring);
		if (time_parse(d->created_at, &d->created_ts) < 0)
			d->created_ts = 0;
		d->can_rollback = cJSON_IsBool(cr) ? cJSON_IsTrue(cr) : -1;
	}
	qsort(res->d, res->n, sizeof(res->d[0]), newest_first);
	railway_pick(res->d, res->n, &res->active, &res->previous);
	res->status = RAILWAY_OK;
	return 0;
}

/* See probe_railway.h. */
int railway_parse_deployments(const char *body, struct railway_result *res)
{
	cJSON *j = body ? cJSON_Parse(body) : NULL;
	char msg[128];
	int rc = -1;

	res->active = res->previous = -1;
	if (!cJSON_IsObject(j)) {
		res->status = RAILWAY_MALFORMED;
		snprintf(res->error, sizeof(res->error), "the answer is not JSON");
		goto out;
	}
	first_error(j, msg, sizeof(msg));
	if (msg[0]) {
		res->status =
		        strcasestr(msg, "not authorized") ? RAILWAY_AUTH : RAILWAY_GRAPHQL;
		snprintf(res->error, sizeof(res->error), "GraphQL error: %s", msg);
		goto out;
	}
	rc = deploys_from(j, res);
out:
	cJSON_Delete(j);
	return rc;
}

/* The DeploymentListInput object: the ids that are set. */
static cJSON *list_input(const struct railway_req *req)
{
	cJSON *in = cJSON_CreateObject();

	if (req->project_id != NULL)
		cJSON_AddStringToObject(in, "projectId", req->project_id);
	if (req->environment_id != NULL)
		cJSON_AddStringToObject(in, "environmentId", req->environment_id);
	if (req->service_id != NULL)
		cJSON_AddStringToObject(in, "serviceId", req->service_id);
	return in;
}

/* See probe_railway.h. */
int railway_deployments(const struct railway_req *req, struct railway_result *res)
{
	int64_t t0 = clock_mono_ns();
	cJSON *doc = cJSON_CreateObject();
	cJSON *vars, *j;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	res->active = res->previous = -1;
	cJSON_AddStringToObject(doc, "query", deployments_query);
	vars = cJSON_AddObjectToObject(doc, "variables");
	cJSON_AddItemToObject(vars, "input", list_input(req));
	cJSON_AddNumberToObject(vars, "first", req->first > 0 ? req->first : DEFAULT_FIRST);
	j = gql_post(req, doc, res);
	if (j != NULL)
		rc = deploys_from(j, res);
	cJSON_Delete(j);
	cJSON_Delete(doc);
	res->ms = (double)(clock_mono_ns() - t0) / 1e6;
	return rc;
}

/* See probe_railway.h. */
int railway_rollback(const struct railway_req *req, const char *id, struct railway_result *res)
{
	int64_t t0 = clock_mono_ns();
	cJSON *doc = cJSON_CreateObject();
	cJSON *vars, *j;
	const cJSON *ok;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	res->active = res->previous = -1;
	cJSON_AddStringToObject(doc, "query", rollback_mutation);
	vars = cJSON_AddObjectToObject(doc, "variables");
	cJSON_AddStringToObject(vars, "id", id);
	j = gql_post(req, doc, res);
	if (j != NULL) {
		ok = cJSON_GetObjectItemCaseSensitive(
		        cJSON_GetObjectItemCaseSensitive(j, "data"), "deploymentRollback");
		if (cJSON_IsTrue(ok)) {
			rc = 0;
		} else {
			res->status = cJSON_IsBool(ok) ? RAILWAY_GRAPHQL : RAILWAY_MALFORMED;
			snprintf(res->error, sizeof(res->error), "%s",
			         cJSON_IsBool(ok)
			                 ? "Railway answered false: nothing was rolled back"
			                 : "the answer has no data.deploymentRollback");
		}
	}
	cJSON_Delete(j);
	cJSON_Delete(doc);
	res->ms = (double)(clock_mono_ns() - t0) / 1e6;
	return rc;
}
