/* api_down.c - runbook §4.1 "API Down (all requests failing)" as a state machine. */
#include "common.h"
#include "flow.h"

#include "config.h"
#include "logscan.h"
#include "platform.h"
#include "probe_cmd.h"

#include <stdio.h>
#include <string.h>

#define LOG_KEEP 16384

/* railway logs --service api --tail 50: read it, scan it for the runbook's causes. */
static void step_logs(struct run *r, const struct state *s, struct outcome *out)
{
	const struct config *c = run_config(r);
	const char *cmd = config_str(c, "commands.logs");
	struct cmd_env env[2] = {
	        {"RUNBOOK_INCIDENT", run_incident(r)},
	        {"RUNBOOK_OPERATOR", run_operator(r)},
	};
	struct cmd_req req;
	struct cmd_result res;
	struct log_scan scan;
	cJSON *found;

	(void)s;
	if (cmd == NULL) {
		outcome_fallback(out, "%s", config_why_missing(c, "commands.logs"));
		return;
	}
	memset(&req, 0, sizeof(req));
	req.command = cmd;
	req.env = env;
	req.nenv = 2;
	req.timeout_ms = 30000;
	req.max_output = 1 << 20;
	req.abort = run_abort_flag(r);
	run_doing(r, "Reading the API log (%s)", cmd);
	cmd_run(&req, &res);

	out->data = cJSON_CreateObject();
	cJSON_AddStringToObject(out->data, "command", cmd);
	if (!res.started) {
		cJSON_AddStringToObject(out->data, "error", res.errmsg);
		outcome_set(out, "fail", 1, "could not run the log command: %s", res.errmsg);
		goto done;
	}
	cJSON_AddNumberToObject(out->data, "exit_code", res.exit_code);
	log_scan_text(res.output ? res.output : "", res.output_len, &scan);
	cJSON_AddNumberToObject(out->data, "lines", (double)scan.lines);
	found = cJSON_AddObjectToObject(out->data, "findings");
	for (int f = 0; f < LOG_FINDING__LAST; f++) {
		const struct log_hit *h = &scan.hits[f];
		cJSON *o;

		if (h->count == 0)
			continue;
		o = cJSON_AddObjectToObject(found, log_finding_id((enum log_finding)f));
		cJSON_AddNumberToObject(o, "count", h->count);
		cJSON_AddNumberToObject(o, "last_line", (double)h->last_line);
		cJSON_AddStringToObject(o, "sample", h->sample);
	}
	if (scan.suggest != NULL) {
		cJSON_AddStringToObject(out->data, "suggest", scan.suggest);
		cJSON_AddStringToObject(out->data, "reason", scan.reason);
	}
	cJSON_AddItemToObject(out->data, "output",
	                      json_tail(res.output, res.output_len, LOG_KEEP));
	if (res.exit_code != 0)
		outcome_set(out, "fail", 1, "log command failed (exit %d)%s%s", res.exit_code,
		            scan.suggest ? "; " : "", scan.suggest ? scan.reason : "");
	else if (scan.suggest != NULL)
		outcome_set(out, "found", 1, "found: %s", scan.reason);
	else
		outcome_set(out, "clean", 0, "%zu lines, no known failure pattern", scan.lines);
done:
	cmd_result_release(&res);
}

/* The cause the findings so far point to. */
static const char *suggest_cause(struct run *r, const struct state *s, char *reason,
                                 size_t reasonlen)
{
	const cJSON *logs = run_finding(r, "logs");
	const cJSON *health = run_finding(r, "health");
	const cJSON *v;

	(void)s;
	v = logs ? cJSON_GetObjectItemCaseSensitive(logs, "suggest") : NULL;
	if (cJSON_IsString(v)) {
		const cJSON *why = cJSON_GetObjectItemCaseSensitive(logs, "reason");

		size_t cut;

		/* the short form for the option line: "OOM in logs: 2 lines" */
		snprintf(reason, reasonlen, "%s",
		         cJSON_IsString(why) ? why->valuestring : "found in the logs");
		cut = strcspn(reason, ",");
		reason[cut] = '\0';
		return v->valuestring;
	}
	v = health ? cJSON_GetObjectItemCaseSensitive(health, "outcome") : NULL;
	if (cJSON_IsString(v) && strcmp(v->valuestring, "db_fail") == 0) {
		snprintf(reason, reasonlen, "the health check says the database is not ok");
		return "db_down";
	}
	return NULL;
}

static const struct option cause_options[] = {
        {.name = "bad_deploy", .text = "recent bad deploy → redeploy previous"},
        {.name = "oom",
         .text = "out of memory → restart, then investigate the leak",
         .followup = "investigate the memory leak (runbook §4.1)"},
        {.name = "db_connections",
         .text = "connections exhausted → restart, check the pooler",
         .followup = "check the PgBouncer / pool configuration (runbook §4.1)"},
        {.name = "db_down", .text = "database down → database flow (runbook §4.2)"},
        {.name = "other", .text = "something else → escalate"},
        {.name = NULL},
};

static const struct transition to_health[] = {{"*", "health"}, {NULL, NULL}};
static const struct transition from_health[] = {
        {"ok", "false_alarm"}, {"db_fail", "cause"}, {"*", "logs"}, {NULL, NULL}};
static const struct transition to_cause[] = {{"*", "cause"}, {NULL, NULL}};
static const struct transition from_cause[] = {
        {"bad_deploy", "rollback"},        {"oom", "restart"},    {"db_connections", "restart"},
        {"db_down", "handed_to:database"}, {"other", "escalate"}, {NULL, NULL}};
static const struct transition to_verify[] = {{"*", "verify"}, {NULL, NULL}};
static const struct transition from_verify[] = {
        {"ok", "resolved"}, {"timeout", "escalate"}, {NULL, NULL}};
static const struct transition to_escalated[] = {{"*", "escalated"}, {NULL, NULL}};

static const struct state states[] = {
        {.id = "platform_status",
         .kind = KIND_PROBE, /* manual without platform.railway_token */
         .section = "4.1",
         .title = "Check Railway Dashboard → api → Status",
         .text = "Open Railway Dashboard → api → Status. Is the service running, crashed or "
                 "deploying? Press Enter when checked, or type what you see.",
         .probe = step_platform_status,
         .next = to_health},
        {.id = "health",
         .kind = KIND_PROBE,
         .section = "4.1",
         .title = "Check health endpoint",
         .text = "curl https://api.bilko.io/health — expected "
                 "{\"status\":\"ok\",\"db\":\"ok\"}",
         .probe = step_api_health,
         .next = from_health},
        {.id = "logs",
         .kind = KIND_PROBE,
         .section = "4.1",
         .title = "Check Railway logs",
         .text = "Run: railway logs --service api --tail 50 and look for out-of-memory, "
                 "connection or crash errors. Press Enter when read, or type what you found.",
         .probe = step_logs,
         .next = to_cause},
        {.id = "cause",
         .kind = KIND_CHOICE,
         .section = "4.1",
         .title = "Common causes and fixes",
         .text = "What caused the outage?",
         .suggest = suggest_cause,
         .options = cause_options,
         .next = from_cause},
        {.id = "rollback",
         .kind = KIND_ACTION,
         .section = "4.1",
         .title = "Railway → Deployments → Redeploy previous",
         .text = "Open Railway → Deployments and redeploy the previous deployment. Press Enter "
                 "when done.",
         .plan = plan_command,
         .act = act_command,
         .next = to_verify,
         .flags = ST_DESTRUCTIVE,
         .target_key = "platform.service"},
        {.id = "restart",
         .kind = KIND_ACTION,
         .section = "4.1",
         .title = "Restart service",
         .text = "Run: railway service restart --service api. Press Enter when done.",
         .plan = plan_command,
         .act = act_command,
         .next = to_verify,
         .flags = ST_DESTRUCTIVE,
         .target_key = "platform.service"},
        {.id = "verify",
         .kind = KIND_WAIT,
         .section = "4.1",
         .title = "Check health endpoint until it passes",
         .text = "curl https://api.bilko.io/health until it answers ok.",
         .probe = step_api_health,
         .next = from_verify,
         .flags = ST_VERIFY,
         .interval_key = "timing.verify_interval_s",
         .interval_def = 10,
         .timeout_key = "timing.verify_timeout_s",
         .timeout_def = 300,
         .timeout_scale = 1},
        {.id = "escalate",
         .kind = KIND_NOTIFY,
         .section = "4.1",
         .title = "Post to #bilko-alerts, start incident response",
         .text = "Not resolved: post to #bilko-alerts and start incident response.",
         .next = to_escalated,
         .flags = ST_ESCALATES},
        {.id = "false_alarm",
         .kind = KIND_END,
         .section = "4.1",
         .title = "The API answers healthy",
         .end = "false_alarm"},
        {.id = "resolved",
         .kind = KIND_END,
         .section = "4.1",
         .title = "Resolved",
         .end = "resolved"},
        {.id = "escalated",
         .kind = KIND_END,
         .section = "4.1",
         .title = "Escalated",
         .end = "escalated"},
        {.id = "handed_to:database",
         .kind = KIND_END,
         .section = "4.2",
         .title = "Database down: continue with the database flow (runbook §4.2)",
         .end = "handed_to:database"},
        {.id = NULL},
};

const struct flow flow_api_down = {
        .name = "api-down",
        .section = "4.1",
        .summary = "API down: all requests failing",
        .severity = "P1",
        .routine = 0,
        .states = states,
};
