/* cert_check.c - certificate expiry (runbook §5.2): read each host's certificate. */
#include "routine.h"

static const struct transition to_report[] = {{"*", "report"}, {NULL, NULL}};
static const struct transition from_report[] = {
        {"ok", "resolved"}, {"*", "escalated"}, {NULL, NULL}};

static const struct state states[] = {
        {.id = "check",
         .kind = KIND_PROBE,
         .section = "5.2",
         .title = "Monitor certificate expiry dates",
         .text = "Run: echo | openssl s_client -connect bilko.io:443 2>/dev/null | openssl "
                 "x509 "
                 "-noout -dates (and for api.bilko.io:443). Alert if expiry < 30 days. Press "
                 "Enter when checked, or type what you found.",
         .probe = step_certs,
         .next = to_report},
        {.id = "report",
         .kind = KIND_NOTIFY,
         .section = "5.2",
         .title = "Alert if expiry < 30 days",
         .text = "Post the certificates that expire soon, have expired or cannot be read.",
         .probe = report_certs,
         .next = from_report,
         .flags = ST_ESCALATES},
        {.id = "resolved",
         .kind = KIND_END,
         .section = "5.2",
         .title = "Every certificate valid for long enough",
         .end = "resolved"},
        {.id = "escalated",
         .kind = KIND_END,
         .section = "5.2",
         .title = "A certificate expires soon, expired or is unreachable: reported",
         .end = "escalated"},
        {.id = NULL},
};

const struct flow flow_cert_check = {
        .name = "cert-check",
        .section = "5.2",
        .summary = "Certificate expiry: days left for each host",
        .severity = "P3",
        .routine = 1,
        .states = states,
};
