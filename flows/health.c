/* health.c - check system health (runbook §2.1, §3.1): the sweep, then a report. */
#include "routine.h"

static const struct transition to_report[] = {{"*", "report"}, {NULL, NULL}};
static const struct transition from_report[] = {
        {"ok", "resolved"}, {"*", "escalated"}, {NULL, NULL}};

static const struct state states[] = {
        {.id = "sweep",
         .kind = KIND_PROBE,
         .section = "2.1",
         .title = "Check system health (every check at once)",
         .text = "Run: curl https://api.bilko.io/health (expect "
                 "{\"status\":\"ok\",\"db\":\"ok\"}), "
                 "curl -I https://bilko.io (expect HTTP/2 200), and look at Railway → api → "
                 "Metrics against runbook §3.1. Press Enter when checked, or type what you "
                 "found.",
         .probe = step_sweep,
         .next = to_report},
        {.id = "report",
         .kind = KIND_NOTIFY,
         .section = "3.1",
         .title = "Post the checks that are not ok to #bilko-alerts",
         .text = "Post the checks that are warn or fail to the alert channel.",
         .probe = report_sweep,
         .next = from_report,
         .flags = ST_ESCALATES},
        {.id = "resolved",
         .kind = KIND_END,
         .section = "2.1",
         .title = "Every check ok",
         .end = "resolved"},
        {.id = "escalated",
         .kind = KIND_END,
         .section = "3.1",
         .title = "A check is warn or fail: reported",
         .end = "escalated"},
        {.id = NULL},
};

const struct flow flow_health = {
        .name = "health",
        .section = "2.1",
        .summary = "Check system health: every check at once, against §3.1",
        .severity = "P3",
        .routine = 1,
        .states = states,
};
