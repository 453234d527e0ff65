/* deploy.c - deploy a new version (runbook §2.2): check, deploy, watch, roll back. */
#include "common.h"
#include "routine.h"

static const struct transition to_deploy[] = {{"*", "deploy"}, {NULL, NULL}};
static const struct transition from_deploy[] = {
        {"refused", "aborted"}, {"*", "watch"}, {NULL, NULL}};
static const struct transition from_watch[] = {
        {"ok", "resolved"}, {"fail", "rollback"}, {NULL, NULL}};
static const struct transition to_report[] = {{"*", "report"}, {NULL, NULL}};
static const struct transition to_escalated[] = {{"*", "escalated"}, {NULL, NULL}};

static const struct state states[] = {
        {.id = "pre_check",
         .kind = KIND_PROBE,
         .section = "2.2",
         .title = "Health before touching anything",
         .text = "Check health before deploying: curl https://api.bilko.io/health and curl -I "
                 "https://bilko.io. Press Enter when checked, or type what you found.",
         .probe = step_sweep,
         .next = to_deploy},
        {.id = "deploy",
         .kind = KIND_ACTION,
         .section = "2.2",
         .title = "Deploy backend manually",
         .text = "Run: railway up --service api --environment production. Press Enter when "
                 "done.",
         .plan = plan_command,
         .act = act_command,
         .next = from_deploy,
         .flags = ST_DESTRUCTIVE,
         .target_key = "platform.service"},
        {.id = "watch",
         .kind = KIND_WAIT,
         .section = "2.2",
         .title = "Monitor for 15 min post-deploy",
         .text = "Watch health after the deploy (the sweep on an interval); a failing check "
                 "offers the rollback",
         .probe = step_sweep,
         .next = from_watch,
         .flags = ST_WATCH,
         .interval_key = "timing.verify_interval_s",
         .interval_def = 10,
         .timeout_key = "timing.deploy_watch_min",
         .timeout_def = 15,
         .timeout_scale = 60},
        {.id = "rollback",
         .kind = KIND_ACTION,
         .section = "2.2",
         .title = "Railway → Deployments → Redeploy previous",
         .text = "Open Railway → Deployments and redeploy the previous deployment (or: railway "
                 "redeploy --service api --previous). Press Enter when done.",
         .plan = plan_command,
         .act = act_command,
         .next = to_report,
         .flags = ST_DESTRUCTIVE,
         .target_key = "platform.service"},
        {.id = "report",
         .kind = KIND_NOTIFY,
         .section = "2.2",
         .title = "Post the failed deploy to #bilko-alerts",
         .text = "The deploy failed its watch window: post to the alert channel.",
         .probe = report_watch,
         .next = to_escalated,
         .flags = ST_ESCALATES},
        {.id = "resolved",
         .kind = KIND_END,
         .section = "2.2",
         .title = "Deployed, and healthy for the whole watch window",
         .end = "resolved"},
        {.id = "escalated",
         .kind = KIND_END,
         .section = "2.2",
         .title = "The deploy failed its watch window",
         .end = "escalated"},
        {.id = "aborted",
         .kind = KIND_END,
         .section = "2.2",
         .title = "Not deployed: the confirmation was refused",
         .end = "aborted"},
        {.id = NULL},
};

const struct flow flow_deploy = {
        .name = "deploy",
        .section = "2.2",
        .summary = "Deploy: health, deploy, a watch window, rollback on failure",
        .severity = "P2",
        .routine = 1,
        .states = states,
};
