/* platform.h - Railway's API for the flows: the request from platform.*, the journal
 * shapes of a deployment and of a failed request, and the api service's status. */
#ifndef RUNBOOK_FLOWS_PLATFORM_H
#define RUNBOOK_FLOWS_PLATFORM_H

#include "flow.h"
#include "probe_railway.h"

/*
 * Fill q from platform.* (railway_token and service_id required; api_url defaults to
 * Railway's public endpoint; the timeout is the platform section's). Returns the
 * missing key's message (config_why_missing), or NULL when q is ready.
 */
const char *railway_setup(struct run *r, struct railway_req *q);

/* {"id", "status", "created_at", "can_rollback"?} of one deployment. Caller owns it. */
cJSON *railway_deploy_json(const struct railway_deploy *d);

/* Add error, detail, status?, net?, retry_after? of a failed request to d. */
void railway_error_data(cJSON *d, const struct railway_result *res);

/*
 * The probe behind "Railway Dashboard → <service> → Status" when a token is set: the
 * newest deployment's status. Outcomes: "running" (SUCCESS or SLEEPING), "crashed"
 * (CRASHED), "deploy_failed" (FAILED: an older deployment may still serve),
 * "deploying" (queued, building or deploying), "none" (no deployment), "other",
 * "error" (Railway did not answer: check by hand). Falls back to manual without a token.
 */
void step_platform_status(struct run *r, const struct state *s, struct outcome *out);

#endif
