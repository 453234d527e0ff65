/* common.c - steps that several flows share: API health, configured commands. */
#include "common.h"

#include "config.h"
#include "probe_cmd.h"
#include "probe_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD_TIMEOUT_MS 120000
#define OUTPUT_KEEP 16384

cJSON *json_tail(const char *text, size_t len, size_t max)
{
	char *copy;
	cJSON *j;

	if (text == NULL)
		return cJSON_CreateString("");
	if (len > max) {
		text += len - max;
		len = max;
		/* do not start inside a UTF-8 sequence */
		while (len > 0 && ((unsigned char)*text & 0xC0) == 0x80) {
			text++;
			len--;
		}
	}
	copy = malloc(len + 1);
	if (copy == NULL)
		return NULL;
	memcpy(copy, text, len);
	copy[len] = '\0';
	for (size_t i = 0; i < len; i++)
		if (copy[i] == '\0')
			copy[i] = ' ';
	j = cJSON_CreateString(copy);
	free(copy);
	return j;
}

static cJSON *timing_json(const struct http_resp *resp)
{
	cJSON *t = cJSON_CreateObject();

	cJSON_AddNumberToObject(t, "dns_ms", resp->dns_ms);
	cJSON_AddNumberToObject(t, "connect_ms", resp->connect_ms);
	cJSON_AddNumberToObject(t, "tls_ms", resp->tls_ms);
	cJSON_AddNumberToObject(t, "ttfb_ms", resp->ttfb_ms);
	cJSON_AddNumberToObject(t, "total_ms", resp->total_ms);
	return t;
}

void api_health_judge(long status, const char *text, size_t len, double ms, struct outcome *out)
{
	cJSON *body = text != NULL ? cJSON_ParseWithLength(text, len) : NULL;
	const cJSON *st = body ? cJSON_GetObjectItemCaseSensitive(body, "status") : NULL;
	const cJSON *db = body ? cJSON_GetObjectItemCaseSensitive(body, "db") : NULL;

	if (cJSON_IsString(st))
		cJSON_AddStringToObject(out->data, "body_status", st->valuestring);
	if (cJSON_IsString(db))
		cJSON_AddStringToObject(out->data, "db", db->valuestring);

	if (cJSON_IsObject(body) && db != NULL &&
	    !(cJSON_IsString(db) && strcmp(db->valuestring, "ok") == 0)) {
		outcome_set(out, "db_fail", 1, "HTTP %ld in %.0f ms, but db is %s", status, ms,
		            cJSON_IsString(db) ? db->valuestring : "not ok");
	} else if (status != 200) {
		outcome_set(out, "fail", 1, "HTTP %ld in %.0f ms", status, ms);
	} else if (!cJSON_IsObject(body)) {
		cJSON_AddStringToObject(out->data, "error", "malformed");
		cJSON_AddItemToObject(out->data, "body", json_tail(text, len, 512));
		outcome_set(out, "fail", 1, "HTTP 200 but the body is not JSON");
	} else if (!cJSON_IsString(st) || !cJSON_IsString(db)) {
		cJSON_AddStringToObject(out->data, "error", "missing_fields");
		outcome_set(out, "fail", 1, "HTTP 200 but the body lacks %s",
		            !cJSON_IsString(st) ? "\"status\"" : "\"db\"");
	} else if (strcmp(st->valuestring, "ok") != 0) {
		outcome_set(out, "fail", 1, "HTTP 200 but status is \"%s\"", st->valuestring);
	} else {
		outcome_set(out, "ok", 0, "HTTP 200 in %.0f ms: status ok, db ok", ms);
	}
	cJSON_Delete(body);
}

void step_api_health(struct run *r, const struct state *s, struct outcome *out)
{
	const struct config *c = run_config(r);
	const char *base = config_str(c, "api.url");
	const char *path = config_str_or(c, "api.health_path", "/health");
	struct http_req req;
	struct http_resp resp;
	char url[1024];

	(void)s;
	if (base == NULL) {
		outcome_fallback(out, "%s", config_why_missing(c, "api.url"));
		return;
	}
	if (snprintf(url, sizeof(url), "%s%s", base, path) >= (int)sizeof(url)) {
		outcome_set(out, "fail", 1, "api.url is too long");
		return;
	}
	memset(&req, 0, sizeof(req));
	req.url = url;
	req.timeout_ms = run_timeout_ms(r, "api");
	req.max_body = 65536;
	req.abort = run_abort_flag(r);
	run_doing(r, "GET %s", url);
	http_fetch(&req, &resp);

	out->data = cJSON_CreateObject();
	cJSON_AddStringToObject(out->data, "url", url);
	if (resp.error != HTTP_OK) {
		cJSON_AddStringToObject(out->data, "error", http_error_name(resp.error));
		cJSON_AddStringToObject(out->data, "detail", resp.errmsg);
		cJSON_AddItemToObject(out->data, "timing", timing_json(&resp));
		outcome_set(out, "fail", 1, "%s: %s", http_error_name(resp.error),
		            resp.errmsg[0] ? resp.errmsg : "no response");
		goto done;
	}
	cJSON_AddNumberToObject(out->data, "status", (double)resp.status);
	cJSON_AddStringToObject(out->data, "http_version", resp.http_version);
	cJSON_AddItemToObject(out->data, "timing", timing_json(&resp));
	api_health_judge(resp.status, resp.body, resp.body_len, resp.total_ms, out);
done:
	http_resp_release(&resp);
}

void plan_command(struct run *r, const struct state *s, struct intent *in)
{
	const struct config *c = run_config(r);
	char key[128];
	const char *cmd;
	const char *target = NULL;

	snprintf(key, sizeof(key), "commands.%s", s->id);
	cmd = config_str(c, key);
	if (cmd == NULL) {
		in->fallback = 1;
		snprintf(in->missing, sizeof(in->missing), "%s", config_why_missing(c, key));
		return;
	}
	if (s->target_key != NULL) {
		target = config_str_or(c, s->target_key,
		                       strcmp(s->target_key, "platform.service") == 0 ? "api"
		                                                                      : NULL);
		if (target == NULL) {
			in->fallback = 1;
			snprintf(in->missing, sizeof(in->missing), "%s",
			         config_why_missing(c, s->target_key));
			return;
		}
		snprintf(in->target, sizeof(in->target), "%s", target);
		snprintf(in->target_desc, sizeof(in->target_desc), "service '%s' (production)",
		         target);
	}
	snprintf(in->shown, sizeof(in->shown), "%s", cmd);
	in->data = cJSON_CreateObject();
	cJSON_AddStringToObject(in->data, "command", cmd);
	if (target != NULL) {
		cJSON_AddStringToObject(in->data, "target", target);
		cJSON_AddStringToObject(in->data, "target_kind", "service");
	}
}

void outcome_from_cmd(struct outcome *out, const struct cmd_result *res)
{
	out->data = cJSON_CreateObject();
	if (!res->started) {
		cJSON_AddStringToObject(out->data, "error", res->errmsg);
		outcome_set(out, "fail", 1, "could not start: %s", res->errmsg);
		return;
	}
	cJSON_AddNumberToObject(out->data, "exit_code", res->exit_code);
	if (res->signal)
		cJSON_AddNumberToObject(out->data, "signal", res->signal);
	if (res->timed_out)
		cJSON_AddTrueToObject(out->data, "timed_out");
	if (res->aborted)
		cJSON_AddTrueToObject(out->data, "interrupted");
	cJSON_AddNumberToObject(out->data, "ms", res->ms);
	cJSON_AddItemToObject(out->data, "output",
	                      json_tail(res->output, res->output_len, OUTPUT_KEEP));
	if (res->output_truncated || res->output_len > OUTPUT_KEEP)
		cJSON_AddTrueToObject(out->data, "output_truncated");
	if (res->exit_code == 0 && !res->timed_out && !res->aborted)
		outcome_set(out, "ok", 0, "exit 0 in %.1f s", res->ms / 1000.0);
	else if (res->timed_out)
		outcome_set(out, "fail", 1, "timed out after %.0f s", res->ms / 1000.0);
	else if (res->aborted)
		outcome_set(out, "fail", 1, "interrupted");
	else if (res->signal)
		outcome_set(out, "fail", 1, "killed by signal %d", res->signal);
	else
		outcome_set(out, "fail", 1, "exit %d", res->exit_code);
}

void act_command(struct run *r, const struct state *s, const struct intent *in,
                 struct outcome *out)
{
	struct cmd_env env[2] = {
	        {"RUNBOOK_INCIDENT", run_incident(r)},
	        {"RUNBOOK_OPERATOR", run_operator(r)},
	};
	struct cmd_req req;
	struct cmd_result res;

	(void)s;
	memset(&req, 0, sizeof(req));
	req.command = in->shown;
	req.env = env;
	req.nenv = 2;
	req.timeout_ms = CMD_TIMEOUT_MS;
	req.abort = run_abort_flag(r);
	run_doing(r, "running: %s", in->shown);
	cmd_run(&req, &res);

	outcome_from_cmd(out, &res);
	cmd_result_release(&res);
}
