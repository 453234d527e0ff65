/* common.h - steps that several flows share. */
#ifndef RUNBOOK_FLOWS_COMMON_H
#define RUNBOOK_FLOWS_COMMON_H

#include "flow.h"

/*
 * GET {api.url}{api.health_path}: outcome "ok" (200 and {"status":"ok","db":"ok"}),
 * "db_fail" (the API answers but its db is not ok) or "fail" (refused, timeout, 5xx,
 * malformed or missing fields). Falls back to manual when api.url is not set.
 */
void step_api_health(struct run *r, const struct state *s, struct outcome *out);

/*
 * The verdict of step_api_health on a response that arrived: HTTP status, body (len
 * bytes, need not be NUL-terminated; NULL: none) and total time. Sets the outcome and
 * adds body_status, db (and error, body when malformed) to out->data, which must exist.
 */
void api_health_judge(long status, const char *body, size_t len, double ms,
                      struct outcome *out);

/*
 * Plan running commands.<state id>: the command shown, the target from s->target_key
 * (platform.service, default "api"). Falls back to manual when the command is not set.
 */
void plan_command(struct run *r, const struct state *s, struct intent *in);

/* Run the planned command with RUNBOOK_INCIDENT and RUNBOOK_OPERATOR in its environment. */
void act_command(struct run *r, const struct state *s, const struct intent *in,
                 struct outcome *out);

struct cmd_result;

/*
 * A configured command's result as an action outcome: "ok" on exit 0, else "fail", with
 * exit code, signal, timeout, interruption, time and the output's tail in out->data.
 */
void outcome_from_cmd(struct outcome *out, const struct cmd_result *res);

/* Keep the last `max` bytes of text as a JSON string (long output folded, not dropped). */
cJSON *json_tail(const char *text, size_t len, size_t max);

#endif
