/*
 * error_rate.c - runbook §4.3 "High Error Rate" as a state machine: the most frequent
 * Sentry issues of the last 15 minutes, the deploy that may have caused them, and the
 * runbook's rule (§3.3): a financial-logic error is P0 and is rolled back immediately.
 */
#include "common.h"
#include "flow.h"

#include "config.h"
#include "platform.h"
#include "probe_cmd.h"
#include "probe_railway.h"
#include "probe_sentry.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ISSUES_KEPT 5 /* issues journaled with top_errors */
#define DEPLOYS_KEPT 5
#define CMD_TIMEOUT_MS 120000
#define DEFAULT_SENTRY "https://sentry.io"

/* ---- configuration ---- */

/* A Sentry request from errors.*; the missing key's message, or NULL. */
static const char *sentry_setup(struct run *r, struct sentry_req *q)
{
	static const char *const need[] = {"errors.token", "errors.org", "errors.project",
	                                   NULL};
	const struct config *c = run_config(r);
	const char *missing = config_first_missing(c, need);

	memset(q, 0, sizeof(*q));
	if (missing != NULL)
		return missing;
	q->base_url = config_str_or(c, "errors.sentry_url", DEFAULT_SENTRY);
	q->org = config_str(c, "errors.org");
	q->project = config_str(c, "errors.project");
	q->token = config_str(c, "errors.token");
	q->window_min = config_num(c, "timing.error_window_min", 15);
	q->timeout_ms = run_timeout_ms(r, "errors");
	q->abort = run_abort_flag(r);
	return NULL;
}

static const char *service_name(struct run *r)
{
	return config_str_or(run_config(r), "platform.service", "api");
}

/* The string at o.k1.k2 (k2 may be NULL), or NULL. Borrowed. */
static const char *jpath(const cJSON *o, const char *k1, const char *k2)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k1);

	if (k2 != NULL)
		v = cJSON_GetObjectItemCaseSensitive(v, k2);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The top issue of the top_errors finding, or NULL. Borrowed. */
static const cJSON *top_issue(struct run *r)
{
	return cJSON_GetArrayItem(
	        cJSON_GetObjectItemCaseSensitive(run_finding(r, "top_errors"), "issues"), 0);
}

/* "1 minute" / "7 minutes" (rounded). */
static void minutes_text(double seconds, char *out, size_t len)
{
	long m = lround(fabs(seconds) / 60.0);

	snprintf(out, len, "%ld minute%s", m, m == 1 ? "" : "s");
}

/* ---- top_errors: Sentry, most frequent unresolved issues of the window ---- */

static cJSON *issue_json(const struct sentry_issue *is)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", is->id);
	cJSON_AddStringToObject(o, "short_id", is->short_id);
	cJSON_AddStringToObject(o, "title", is->title);
	cJSON_AddStringToObject(o, "culprit", is->culprit);
	cJSON_AddStringToObject(o, "level", is->level);
	cJSON_AddNumberToObject(o, "count", (double)is->count);
	cJSON_AddStringToObject(o, "first_seen", is->first_seen);
	cJSON_AddStringToObject(o, "last_seen", is->last_seen);
	if (is->tags_known) {
		cJSON *tags = cJSON_AddArrayToObject(o, "tags");

		for (size_t i = 0; i < is->ntags; i++) {
			cJSON *t = cJSON_CreateObject();

			cJSON_AddStringToObject(t, "key", is->tags[i].key);
			cJSON_AddStringToObject(t, "value", is->tags[i].value);
			cJSON_AddItemToArray(tags, t);
		}
		cJSON_AddBoolToObject(o, "financial", is->financial);
		if (is->financial)
			cJSON_AddStringToObject(o, "financial_tag", is->financial_tag);
	}
	return o;
}

static void sentry_error_data(cJSON *d, const struct sentry_result *res)
{
	cJSON_AddStringToObject(d, "error", sentry_status_name(res->status));
	cJSON_AddStringToObject(d, "detail", res->error);
	if (res->http_status > 0)
		cJSON_AddNumberToObject(d, "status", (double)res->http_status);
	if (res->net[0])
		cJSON_AddStringToObject(d, "net", res->net);
	if (res->retry_after[0])
		cJSON_AddStringToObject(d, "retry_after", res->retry_after);
}

static void step_top_errors(struct run *r, const struct state *s, struct outcome *out)
{
	struct sentry_req q;
	struct sentry_result res;
	const char *missing = sentry_setup(r, &q);
	const struct sentry_issue *top, *fin = NULL;
	cJSON *list;
	char where[256];

	(void)s;
	if (missing != NULL) {
		outcome_fallback(out, "%s", missing);
		return;
	}
	snprintf(where, sizeof(where), "%s/%s", q.org, q.project);
	run_doing(r, "Sentry: unresolved issues of the last %g min in %s, most frequent first",
	          q.window_min, where);
	sentry_top_issues(&q, &res);

	out->data = cJSON_CreateObject();
	cJSON_AddStringToObject(out->data, "source", "sentry");
	cJSON_AddStringToObject(out->data, "project", where);
	cJSON_AddNumberToObject(out->data, "window_min", q.window_min);
	cJSON_AddNumberToObject(out->data, "requests", res.requests);
	cJSON_AddNumberToObject(out->data, "pages", res.pages);
	cJSON_AddNumberToObject(out->data, "ms", res.ms);
	cJSON_AddNumberToObject(out->data, "read_at", clock_wall());
	if (res.waited_ms > 0)
		cJSON_AddNumberToObject(out->data, "waited_ms", res.waited_ms);
	if (res.status != SENTRY_OK) {
		sentry_error_data(out->data, &res);
		outcome_set(out, "error", 1, "Sentry: %s; look in Sentry by hand", res.error);
		goto done;
	}
	cJSON_AddNumberToObject(out->data, "listed", (double)res.listed);
	cJSON_AddNumberToObject(out->data, "in_window", (double)res.n);
	cJSON_AddBoolToObject(out->data, "more_pages", res.more);
	if (res.tag_failures > 0)
		cJSON_AddNumberToObject(out->data, "tag_failures", res.tag_failures);
	list = cJSON_AddArrayToObject(out->data, "issues");
	for (size_t i = 0; i < res.n && i < ISSUES_KEPT; i++)
		cJSON_AddItemToArray(list, issue_json(&res.issues[i]));
	for (size_t i = 0; i < res.n && fin == NULL; i++)
		if (res.issues[i].financial)
			fin = &res.issues[i];
	if (fin != NULL) {
		cJSON *f = cJSON_AddObjectToObject(out->data, "financial");

		cJSON_AddStringToObject(f, "id", fin->id);
		cJSON_AddStringToObject(f, "short_id", fin->short_id);
		cJSON_AddStringToObject(f, "title", fin->title);
		cJSON_AddNumberToObject(f, "count", (double)fin->count);
		cJSON_AddStringToObject(f, "tag", fin->financial_tag);
	}
	if (res.n == 0) {
		outcome_set(out, "quiet", 0,
		            "no unresolved issue seen in the last %g min (%zu listed)",
		            q.window_min, res.listed);
		goto done;
	}
	top = &res.issues[0];
	cJSON_AddStringToObject(out->data, "first_error", top->first_seen);
	outcome_set(out, "found", 1,
	            "%zu issue%s in the last %g min; top: %s \"%s\" in %s, %lld "
	            "events since %s%s%s",
	            res.n, res.n == 1 ? "" : "s", q.window_min,
	            top->short_id[0] ? top->short_id : top->id, top->title,
	            top->culprit[0] ? top->culprit : "?", top->count, top->first_seen,
	            fin ? "; tagged " : "", fin ? fin->financial_tag : "");
done:
	sentry_result_release(&res);
}

/* ---- recent_deploy: Railway, the deploy inside the error window ---- */

/* Name the outcome of a deploy at `at` against the first error (or now). */
static void judge_deploy(struct run *r, const struct railway_deploy *d, struct outcome *out,
                         char *what, size_t len)
{
	const cJSON *top = top_issue(r);
	const char *first = jpath(top, "first_seen", NULL);
	double window = config_num(run_config(r), "timing.deploy_window_min", 60) * 60;
	double t0 = 0, delta;
	char mins[32];

	if (first != NULL && time_parse(first, &t0) < 0)
		t0 = 0;
	if (t0 > 0) {
		delta = t0 - d->created_ts;
		minutes_text(delta, mins, sizeof(mins));
		cJSON_AddStringToObject(out->data, "first_error", first);
		cJSON_AddNumberToObject(out->data, "minutes_before_first_error",
		                        round(delta / 6.0) / 10.0);
		if (delta >= 0 && delta <= window) {
			out->name = "recent";
			out->failed = 1;
			snprintf(what, len, "deployed %s before the first error", mins);
		} else if (delta < 0) {
			out->name = "none";
			snprintf(what, len, "deployed %s after the first error: not its cause",
			         mins);
		} else {
			out->name = "none";
			snprintf(what, len,
			         "last deployed %s before the first error, outside the "
			         "%g-minute window",
			         mins, window / 60);
		}
		return;
	}
	delta = clock_wall() - d->created_ts;
	minutes_text(delta, mins, sizeof(mins));
	cJSON_AddNumberToObject(out->data, "minutes_ago", round(delta / 6.0) / 10.0);
	out->name = delta <= window ? "recent" : "none";
	out->failed = delta <= window;
	snprintf(what, len, "deployed %s ago (the first error's time is not known)", mins);
}

static void step_recent_deploy(struct run *r, const struct state *s, struct outcome *out)
{
	struct railway_req q;
	struct railway_result res;
	const char *missing = railway_setup(r, &q);
	cJSON *list;
	char what[256], prev[160];

	(void)s;
	if (missing != NULL) {
		outcome_fallback(out, "%s", missing);
		return;
	}
	run_doing(r, "Railway: latest deployments of service '%s'", service_name(r));
	railway_deployments(&q, &res);
	out->data = cJSON_CreateObject();
	cJSON_AddStringToObject(out->data, "source", "railway");
	cJSON_AddStringToObject(out->data, "service", service_name(r));
	cJSON_AddNumberToObject(out->data, "requests", res.requests);
	cJSON_AddNumberToObject(out->data, "ms", res.ms);
	if (res.status != RAILWAY_OK) {
		railway_error_data(out->data, &res);
		outcome_set(out, "error", 1, "Railway: %s; check Railway → Deployments by hand",
		            res.error);
		return;
	}
	list = cJSON_AddArrayToObject(out->data, "deployments");
	for (size_t i = 0; i < res.n && i < DEPLOYS_KEPT; i++)
		cJSON_AddItemToArray(list, railway_deploy_json(&res.d[i]));
	if (res.previous >= 0) {
		cJSON_AddItemToObject(out->data, "previous",
		                      railway_deploy_json(&res.d[res.previous]));
		snprintf(prev, sizeof(prev), "; previous successful: %s (%s)",
		         res.d[res.previous].id, res.d[res.previous].created_at);
	} else {
		snprintf(prev, sizeof(prev),
		         "; no earlier successful deployment to roll back to");
	}
	if (res.active < 0) {
		outcome_set(out, "none", 0, "no successful deployment among the latest %zu",
		            res.n);
		return;
	}
	cJSON_AddItemToObject(out->data, "active", railway_deploy_json(&res.d[res.active]));
	judge_deploy(r, &res.d[res.active], out, what, sizeof(what));
	outcome_set(out, out->name, out->failed, "%s (deployment %s at %s)%s", what,
	            res.d[res.active].id, res.d[res.active].created_at, prev);
}

/* ---- financial: the runbook's rule, pre-answered from the tags ---- */

static const char *suggest_financial(struct run *r, const struct state *s, char *reason,
                                     size_t reasonlen)
{
	const cJSON *f = run_finding(r, "top_errors");
	const cJSON *fin = cJSON_GetObjectItemCaseSensitive(f, "financial");
	const cJSON *fails = cJSON_GetObjectItemCaseSensitive(f, "tag_failures");
	const char *outcome = jpath(f, "outcome", NULL);

	(void)s;
	if (cJSON_IsObject(fin)) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(fin, "count");

		snprintf(reason, reasonlen, "Sentry issue %s \"%s\" (%.0f events) is tagged %s",
		         jpath(fin, "short_id", NULL) ? jpath(fin, "short_id", NULL) : "?",
		         jpath(fin, "title", NULL) ? jpath(fin, "title", NULL) : "",
		         cJSON_IsNumber(n) ? n->valuedouble : 0,
		         jpath(fin, "tag", NULL) ? jpath(fin, "tag", NULL)
		                                 : SENTRY_FINANCIAL_TAG);
		return "yes";
	}
	if (outcome == NULL || strcmp(outcome, "found") != 0)
		return NULL; /* no tracker reading: the operator decides */
	if (cJSON_IsNumber(fails) && fails->valueint > 0) {
		snprintf(reason, reasonlen, "the tags of %d top issue(s) could not be read",
		         fails->valueint);
		return NULL;
	}
	snprintf(reason, reasonlen, "no top Sentry issue is tagged %s", SENTRY_FINANCIAL_TAG);
	return "no";
}

/* ---- rollback: the configured command, or Railway's deploymentRollback ---- */

static void plan_rollback(struct run *r, const struct state *s, struct intent *in)
{
	const struct config *c = run_config(r);
	const char *prev = jpath(run_finding(r, "recent_deploy"), "previous", "id");
	struct railway_req q;
	const char *missing;

	if (config_str(c, "commands.rollback") != NULL) {
		plan_command(r, s, in);
		if (in->fallback || in->data == NULL)
			return;
		cJSON_AddStringToObject(in->data, "via", "command");
		if (prev != NULL) {
			size_t len = strlen(in->shown);

			cJSON_AddStringToObject(in->data, "previous_deployment", prev);
			cJSON_AddStringToObject(in->data, "env", "RUNBOOK_DEPLOYMENT_ID");
			snprintf(in->shown + len, sizeof(in->shown) - len,
			         "   (RUNBOOK_DEPLOYMENT_ID=%s, the previous successful "
			         "deployment)",
			         prev);
		}
		return;
	}
	missing = railway_setup(r, &q);
	if (missing != NULL || prev == NULL) {
		in->fallback = 1;
		snprintf(in->missing, sizeof(in->missing),
		         "'commands.rollback' is not set, and %s",
		         missing ? missing
		                 : "the previous successful deployment is not known "
		                   "(recent_deploy "
		                   "found none)");
		return;
	}
	snprintf(in->target, sizeof(in->target), "%s", service_name(r));
	snprintf(in->target_desc, sizeof(in->target_desc), "service '%s' (production)",
	         service_name(r));
	snprintf(in->shown, sizeof(in->shown),
	         "Railway API: deploymentRollback(id: \"%s\"), service '%s' back to its "
	         "previous "
	         "successful deployment",
	         prev, service_name(r));
	in->data = cJSON_CreateObject();
	cJSON_AddStringToObject(in->data, "via", "railway_api");
	cJSON_AddStringToObject(in->data, "mutation", "deploymentRollback");
	cJSON_AddStringToObject(in->data, "previous_deployment", prev);
	cJSON_AddStringToObject(in->data, "target", service_name(r));
	cJSON_AddStringToObject(in->data, "target_kind", "service");
	cJSON_AddStringToObject(in->data, "api_url", q.api_url);
}

/* commands.rollback, with the previous deployment's id in RUNBOOK_DEPLOYMENT_ID. */
static void rollback_command(struct run *r, const struct intent *in, struct outcome *out)
{
	const char *prev = jpath(in->data, "previous_deployment", NULL);
	const char *cmd = jpath(in->data, "command", NULL);
	struct cmd_env env[3] = {
	        {"RUNBOOK_INCIDENT", run_incident(r)},
	        {"RUNBOOK_OPERATOR", run_operator(r)},
	        {"RUNBOOK_DEPLOYMENT_ID", prev ? prev : ""},
	};
	struct cmd_req req;
	struct cmd_result res;

	memset(&req, 0, sizeof(req));
	req.command = cmd ? cmd : in->shown;
	req.env = env;
	req.nenv = prev ? 3 : 2;
	req.timeout_ms = CMD_TIMEOUT_MS;
	req.abort = run_abort_flag(r);
	run_doing(r, "running: %s", req.command);
	cmd_run(&req, &res);
	outcome_from_cmd(out, &res);
	cmd_result_release(&res);
}

static void act_rollback(struct run *r, const struct state *s, const struct intent *in,
                         struct outcome *out)
{
	const char *via = jpath(in->data, "via", NULL);
	const char *prev = jpath(in->data, "previous_deployment", NULL);
	struct railway_req q;
	struct railway_result res;

	(void)s;
	if (via == NULL || strcmp(via, "railway_api") != 0 || prev == NULL) {
		rollback_command(r, in, out);
		return;
	}
	if (railway_setup(r, &q) != NULL) { /* the plan saw it set: cannot happen */
		outcome_set(out, "fail", 1, "the Railway configuration went missing");
		return;
	}
	run_doing(r, "Railway: rolling service '%s' back to deployment %s", service_name(r),
	          prev);
	railway_rollback(&q, prev, &res);
	out->data = cJSON_CreateObject();
	cJSON_AddStringToObject(out->data, "deployment_id", prev);
	cJSON_AddNumberToObject(out->data, "ms", res.ms);
	if (res.status != RAILWAY_OK) {
		railway_error_data(out->data, &res);
		outcome_set(out, "fail", 1, "Railway: %s", res.error);
		return;
	}
	cJSON_AddTrueToObject(out->data, "rolled_back");
	outcome_set(out, "ok", 0, "Railway rolled service '%s' back to deployment %s",
	            service_name(r), prev);
}

/* ---- verify: the top issue no longer growing ---- */

/* The last reading of the top issue's count: (count, time), from verify or top_errors. */
static int last_reading(struct run *r, double *count, double *at)
{
	const cJSON *v = run_finding(r, "verify");
	const cJSON *src = v, *n, *t;

	n = cJSON_GetObjectItemCaseSensitive(v, "count");
	if (!cJSON_IsNumber(n)) {
		src = run_finding(r, "top_errors");
		n = cJSON_GetObjectItemCaseSensitive(top_issue(r), "count");
	}
	t = cJSON_GetObjectItemCaseSensitive(src, "read_at");
	if (!cJSON_IsNumber(n) || !cJSON_IsNumber(t))
		return -1;
	*count = n->valuedouble;
	*at = t->valuedouble;
	return 0;
}

static void step_verify(struct run *r, const struct state *s, struct outcome *out)
{
	const cJSON *top = top_issue(r);
	const char *id = jpath(top, "id", NULL);
	const char *name = jpath(top, "short_id", NULL);
	double interval = config_num(run_config(r), s->interval_key, s->interval_def);
	struct sentry_req q;
	struct sentry_result res;
	const char *missing = sentry_setup(r, &q);
	double before = 0, at = 0, now;
	long long count;

	if (missing != NULL || id == NULL) {
		outcome_fallback(out, "%s",
		                 missing ? missing
		                         : "the top issue is not known (top_errors read none)");
		return;
	}
	if (name == NULL || name[0] == '\0')
		name = id;
	run_doing(r, "Sentry: event count of %s", name);
	sentry_issue_count(&q, id, &count, &res);
	now = clock_wall();
	out->data = cJSON_CreateObject();
	cJSON_AddStringToObject(out->data, "issue", id);
	cJSON_AddNumberToObject(out->data, "read_at", now);
	if (res.status != SENTRY_OK) {
		sentry_error_data(out->data, &res);
		outcome_set(out, "error", 1, "Sentry: %s", res.error);
		goto done;
	}
	cJSON_AddNumberToObject(out->data, "count", (double)count);
	if (last_reading(r, &before, &at) < 0 || now - at < interval * 0.9) {
		outcome_set(out, "baseline", 1, "%s: %lld events; read again in %g s", name,
		            count, interval);
		goto done;
	}
	cJSON_AddNumberToObject(out->data, "previous", before);
	cJSON_AddNumberToObject(out->data, "seconds", now - at);
	if ((double)count <= before)
		outcome_set(out, "ok", 0,
		            "%s no longer growing: %lld events, unchanged in %.1f s", name,
		            count, now - at);
	else
		outcome_set(out, "growing", 1,
		            "%s still growing: +%.0f events in %.1f s (%lld)", name,
		            (double)count - before, now - at, count);
done:
	sentry_result_release(&res);
}

/* ---- the table ---- */

static const struct option financial_options[] = {
        {.name = "yes",
         .text = "financial logic error (VAT / double-entry): treat as P0, roll back "
                 "immediately",
         .severity = "P0"},
        {.name = "no",
         .text = "not financial: assess impact, investigate the root cause first"},
        {.name = NULL},
};

static const struct option assess_options[] = {
        {.name = "rollback", .text = "the impact justifies it: roll back now"},
        {.name = "fix_forward",
         .text = "fix forward: ship a fix, then watch the top issue",
         .followup = "ship the fix for the top Sentry issue and link it in the postmortem "
                     "(runbook §4.3)"},
        {.name = NULL},
};

static const struct transition from_top[] = {{"quiet", "false_alarm"},
                                             {"found", "recent_deploy"},
                                             {"*", "recent_deploy"},
                                             {NULL, NULL}};
static const struct transition from_deploy[] = {
        {"recent", "financial"}, {"none", "financial"}, {"*", "financial"}, {NULL, NULL}};
static const struct transition from_financial[] = {
        {"yes", "rollback"}, {"no", "assess"}, {NULL, NULL}};
static const struct transition from_assess[] = {
        {"rollback", "rollback"}, {"fix_forward", "verify"}, {NULL, NULL}};
static const struct transition to_verify[] = {{"*", "verify"}, {NULL, NULL}};
static const struct transition from_verify[] = {
        {"ok", "resolved"}, {"timeout", "escalate"}, {NULL, NULL}};
static const struct transition to_escalated[] = {{"*", "escalated"}, {NULL, NULL}};

static const struct state states[] = {
        {.id = "top_errors",
         .kind = KIND_PROBE,
         .section = "4.3",
         .title = "Sentry → bilko-backend → Issues: most frequent error in the last 15 min",
         .text = "Open Sentry → bilko-backend → Issues → Sort by date, and identify the most "
                 "frequent error in the last 15 min. Answer found (errors in the window) or "
                 "quiet (none).",
         .probe = step_top_errors,
         .next = from_top},
        {.id = "recent_deploy",
         .kind = KIND_PROBE,
         .section = "4.3",
         .title = "Check if the error is from a recent deploy",
         .text = "Check if the error is from a recent deploy: Railway → Deployments → check "
                 "the "
                 "timestamp against the first error. Answer recent or none.",
         .probe = step_recent_deploy,
         .next = from_deploy},
        {.id = "financial",
         .kind = KIND_CHOICE,
         .section = "4.3",
         .title = "Financial logic error (VAT / double-entry)?",
         .text = "Is it a financial logic error (VAT / double-entry, tagged financial-logic in "
                 "Sentry)? If so: treat as P0, rollback immediately (runbook §3.3, §4.3).",
         .suggest = suggest_financial,
         .options = financial_options,
         .next = from_financial,
         .flags = ST_AUTO},
        {.id = "rollback",
         .kind = KIND_ACTION,
         .section = "4.3",
         .title = "Roll back immediately",
         .text = "Open Railway → Deployments and redeploy the previous successful deployment. "
                 "Press Enter when done.",
         .plan = plan_rollback,
         .act = act_rollback,
         .next = to_verify,
         .flags = ST_DESTRUCTIVE,
         .target_key = "platform.service"},
        {.id = "assess",
         .kind = KIND_MANUAL,
         .section = "4.3",
         .title = "Assess impact, investigate root cause before rollback",
         .text = "Non-financial error: assess the impact and investigate the root cause before "
                 "any rollback. Then roll back, or fix forward.",
         .options = assess_options,
         .next = from_assess},
        {.id = "verify",
         .kind = KIND_WAIT,
         .section = "4.3",
         .title = "The top issue no longer growing",
         .text = "Watch the top Sentry issue: its event count must stop growing.",
         .probe = step_verify,
         .next = from_verify,
         .flags = ST_VERIFY,
         .interval_key = "timing.verify_interval_s",
         .interval_def = 10,
         .timeout_key = "timing.verify_timeout_s",
         .timeout_def = 300,
         .timeout_scale = 1},
        {.id = "escalate",
         .kind = KIND_NOTIFY,
         .section = "4.3",
         .title = "Post to #bilko-alerts, start incident response",
         .text = "Still growing: post to #bilko-alerts and start incident response.",
         .next = to_escalated,
         .flags = ST_ESCALATES},
        {.id = "false_alarm",
         .kind = KIND_END,
         .section = "4.3",
         .title = "No unresolved Sentry issue in the window",
         .end = "false_alarm"},
        {.id = "resolved",
         .kind = KIND_END,
         .section = "4.3",
         .title = "Resolved",
         .end = "resolved"},
        {.id = "escalated",
         .kind = KIND_END,
         .section = "4.3",
         .title = "Escalated",
         .end = "escalated"},
        {.id = NULL},
};

const struct flow flow_error_rate = {
        .name = "error-rate",
        .section = "4.3",
        .summary = "High error rate: Sentry spike, recent deploy, financial logic",
        .severity = "P2",
        .routine = 0,
        .states = states,
};
