/* platform.c - Railway's API for the flows (platform.h). */
#include "platform.h"

#include "config.h"

#include <stdio.h>
#include <string.h>

#define DEFAULT_RAILWAY "https://backboard.railway.com/graphql/v2"
#define DEPLOYS_KEPT 5

const char *railway_setup(struct run *r, struct railway_req *q)
{
	static const char *const need[] = {"platform.railway_token", "platform.service_id",
	                                   NULL};
	const struct config *c = run_config(r);
	const char *missing = config_first_missing(c, need);

	memset(q, 0, sizeof(*q));
	if (missing != NULL)
		return missing;
	q->api_url = config_str_or(c, "platform.api_url", DEFAULT_RAILWAY);
	q->token = config_str(c, "platform.railway_token");
	q->project_id = config_str(c, "platform.project_id");
	q->environment_id = config_str(c, "platform.environment_id");
	q->service_id = config_str(c, "platform.service_id");
	q->timeout_ms = run_timeout_ms(r, "platform");
	q->abort = run_abort_flag(r);
	return NULL;
}

cJSON *railway_deploy_json(const struct railway_deploy *d)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", d->id);
	cJSON_AddStringToObject(o, "status", d->status);
	cJSON_AddStringToObject(o, "created_at", d->created_at);
	if (d->can_rollback >= 0)
		cJSON_AddBoolToObject(o, "can_rollback", d->can_rollback);
	return o;
}

void railway_error_data(cJSON *d, const struct railway_result *res)
{
	cJSON_AddStringToObject(d, "error", railway_status_name(res->status));
	cJSON_AddStringToObject(d, "detail", res->error);
	if (res->http_status > 0)
		cJSON_AddNumberToObject(d, "status", (double)res->http_status);
	if (res->net[0])
		cJSON_AddStringToObject(d, "net", res->net);
	if (res->retry_after[0])
		cJSON_AddStringToObject(d, "retry_after", res->retry_after);
}

/* A Railway deployment status (DeploymentStatus) as the outcome of platform_status. */
static const struct {
	const char *status, *outcome;
	int failed;
} verdicts[] = {
        {"SUCCESS", "running", 0},        {"SLEEPING", "running", 0},
        {"CRASHED", "crashed", 1},        {"FAILED", "deploy_failed", 1},
        {"QUEUED", "deploying", 0},       {"WAITING", "deploying", 0},
        {"INITIALIZING", "deploying", 0}, {"BUILDING", "deploying", 0},
        {"DEPLOYING", "deploying", 0},
};

void step_platform_status(struct run *r, const struct state *s, struct outcome *out)
{
	const char *service = config_str_or(run_config(r), "platform.service", "api");
	struct railway_req q;
	struct railway_result res;
	const char *missing = railway_setup(r, &q);
	const struct railway_deploy *d;
	cJSON *list;
	char serving[160] = "";

	(void)s;
	if (missing != NULL) {
		outcome_fallback(out, "%s", missing);
		return;
	}
	run_doing(r, "Railway: status of service '%s'", service);
	railway_deployments(&q, &res);
	out->data = cJSON_CreateObject();
	cJSON_AddStringToObject(out->data, "source", "railway");
	cJSON_AddStringToObject(out->data, "service", service);
	cJSON_AddNumberToObject(out->data, "requests", res.requests);
	cJSON_AddNumberToObject(out->data, "ms", res.ms);
	if (res.status != RAILWAY_OK) {
		railway_error_data(out->data, &res);
		outcome_set(out, "error", 1,
		            "Railway: %s; check Railway Dashboard → %s → Status by hand",
		            res.error, service);
		return;
	}
	if (res.n == 0) {
		outcome_set(out, "none", 1, "Railway lists no deployment of service '%s'",
		            service);
		return;
	}
	list = cJSON_AddArrayToObject(out->data, "deployments");
	for (size_t i = 0; i < res.n && i < DEPLOYS_KEPT; i++)
		cJSON_AddItemToArray(list, railway_deploy_json(&res.d[i]));
	d = &res.d[0];
	cJSON_AddItemToObject(out->data, "latest", railway_deploy_json(d));
	if (res.active > 0) {
		cJSON_AddItemToObject(out->data, "active",
		                      railway_deploy_json(&res.d[res.active]));
		snprintf(serving, sizeof(serving), "; %s (%s) is the newest successful one",
		         res.d[res.active].id, res.d[res.active].created_at);
	}
	for (size_t i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++) {
		if (strcmp(d->status, verdicts[i].status) == 0) {
			outcome_set(out, verdicts[i].outcome, verdicts[i].failed,
			            "service '%s': latest deployment %s is %s (%s)%s", service,
			            d->id, d->status, d->created_at, serving);
			return;
		}
	}
	outcome_set(out, "other", 1, "service '%s': latest deployment %s is %s (%s)%s", service,
	            d->id, d->status[0] ? d->status : "of unknown status", d->created_at,
	            serving);
}
