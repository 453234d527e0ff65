/* storage.c - runbook §4.4 "Storage (R2) Issues" as a state machine. */
#include "common.h"
#include "flow.h"

#include "config.h"
#include "probe_s3.h"
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#define DEFAULT_BUCKET "bilko-receipts"
#define PROBE_PREFIX "runbook-probe/"

/* The storage section as the probe needs it; 0, or -1 with the missing key's reason. */
static int storage_conf(struct run *r, struct s3_conf *c, struct outcome *out)
{
	const struct config *cfg = run_config(r);
	static const char *const needed[] = {"storage.endpoint", "storage.access_key_id",
	                                     "storage.secret_access_key"};

	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		if (config_str(cfg, needed[i]) == NULL) {
			outcome_fallback(out, "%s", config_why_missing(cfg, needed[i]));
			return -1;
		}
	}
	memset(c, 0, sizeof(*c));
	c->endpoint = config_str(cfg, "storage.endpoint");
	c->bucket = config_str_or(cfg, "storage.bucket", DEFAULT_BUCKET);
	c->region = config_str_or(cfg, "storage.region", "auto");
	c->access_key = config_str(cfg, "storage.access_key_id");
	c->secret_key = config_str(cfg, "storage.secret_access_key");
	c->timeout_ms = run_timeout_ms(r, "storage");
	c->abort = run_abort_flag(r);
	return 0;
}

/* What an S3 error code usually means here, or NULL. */
static const char *code_hint(const char *code)
{
	static const struct {
		const char *code, *hint;
	} hints[] = {
	        {"SignatureDoesNotMatch",
	         "the secret access key does not belong to the key id"},
	        {"InvalidAccessKeyId", "the access key id is unknown: revoked, or mistyped"},
	        {"AccessDenied", "the key has no permission on this bucket"},
	        {"NoSuchBucket", "no bucket of that name at this endpoint"},
	        {"RequestTimeTooSkewed", "this machine's clock is off"},
	};

	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (strcmp(code, hints[i].code) == 0)
			return hints[i].hint;
	return NULL;
}

/* The journal figures of one S3 request. */
static cJSON *op_json(const struct s3_op *op)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "op", op->name);
	cJSON_AddStringToObject(o, "result", s3_result_name(op->result));
	if (op->status > 0)
		cJSON_AddNumberToObject(o, "status", (double)op->status);
	if (op->code[0])
		cJSON_AddStringToObject(o, "code", op->code);
	if (code_hint(op->code) != NULL)
		cJSON_AddStringToObject(o, "hint", code_hint(op->code));
	if (op->message[0])
		cJSON_AddStringToObject(o, "message", op->message);
	if (op->error != NULL) {
		cJSON_AddStringToObject(o, "error", op->error);
		cJSON_AddStringToObject(o, "detail", op->detail);
	} else if (op->detail[0]) {
		cJSON_AddStringToObject(o, "detail", op->detail);
	}
	cJSON_AddNumberToObject(o, "ms", op->ms);
	return o;
}

/* "HTTP 403 SignatureDoesNotMatch", "refused: <detail>", "HTTP 200". */
static void op_said(const struct s3_op *op, char *buf, size_t len)
{
	if (op->error != NULL)
		snprintf(buf, len, "%s: %s", op->error, op->detail);
	else if (op->status == 0)
		snprintf(buf, len, "%s", op->detail[0] ? op->detail : "no answer");
	else
		snprintf(buf, len, "HTTP %ld%s%s", op->status, op->code[0] ? " " : "",
		         op->code);
}

/* S3 HeadBucket, SigV4-signed: ok / forbidden / not_found / unreachable / fail. */
static void step_head_bucket(struct run *r, const struct state *s, struct outcome *out)
{
	struct s3_conf c;
	struct s3_op op;
	char said[320];
	const char *why;
	enum s3_result res;

	(void)s;
	if (storage_conf(r, &c, out) < 0)
		return;
	run_doing(r, "HeadBucket %s at %s", c.bucket, c.endpoint);
	res = s3_head_bucket(&c, &op);

	out->data = op_json(&op);
	cJSON_AddStringToObject(out->data, "endpoint", c.endpoint);
	cJSON_AddStringToObject(out->data, "bucket", c.bucket);
	cJSON_AddStringToObject(out->data, "region", c.region);
	op_said(&op, said, sizeof(said));
	why = code_hint(op.code) ? code_hint(op.code) : op.message;
	switch (res) {
	case S3_OK:
		outcome_set(out, "ok", 0, "bucket '%s' answers: HTTP %ld in %.0f ms", c.bucket,
		            op.status, op.ms);
		break;
	case S3_FORBIDDEN:
		outcome_set(out, "forbidden", 1, "access denied to bucket '%s': %s%s%s",
		            c.bucket, said, why[0] ? " — " : "", why);
		break;
	case S3_NOT_FOUND:
		outcome_set(out, "not_found", 1, "bucket '%s' not found: %s", c.bucket, said);
		break;
	case S3_UNREACHABLE:
		outcome_set(out, "unreachable", 1, "storage unreachable: %s", said);
		break;
	default:
		outcome_set(out, "fail", 1, "HeadBucket failed: %s%s%s", said,
		            why[0] ? " — " : "", why);
		break;
	}
}

/* A key no one else uses: runbook-probe/<incident short id>-<8 random hex>. */
static void probe_key(struct run *r, char *key, size_t len)
{
	unsigned char rnd[4] = {0};
	char hex[9];

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		double t = clock_wall() * 1000.0;

		memcpy(rnd, &t, sizeof(rnd));
	}
	hex_encode(rnd, sizeof(rnd), hex);
	snprintf(key, len, "%s%s-%s", PROBE_PREFIX, run_short_id(r), hex);
}

/* PutObject, GetObject (compared), DeleteObject on a probe key: ok / fail. */
static void step_upload_test(struct run *r, const struct state *s, struct outcome *out)
{
	struct s3_conf c;
	struct s3_roundtrip rt;
	char key[128], body[256], said[320], when[32];
	cJSON *steps;
	int n;

	(void)s;
	if (storage_conf(r, &c, out) < 0)
		return;
	probe_key(r, key, sizeof(key));
	time_format(clock_wall(), when);
	n = snprintf(body, sizeof(body), "runbook storage probe\nincident %s\nwritten %s\n",
	             run_incident(r), when);
	if (n < 0 || (size_t)n >= sizeof(body))
		n = (int)strlen(body);
	run_doing(r, "PutObject, GetObject, DeleteObject %s/%s", c.bucket, key);
	s3_roundtrip(&c, key, body, (size_t)n, &rt);

	out->data = cJSON_CreateObject();
	cJSON_AddStringToObject(out->data, "bucket", c.bucket);
	cJSON_AddStringToObject(out->data, "key", key);
	cJSON_AddNumberToObject(out->data, "bytes", n);
	cJSON_AddStringToObject(out->data, "result", s3_result_name(rt.result));
	steps = cJSON_AddArrayToObject(out->data, "steps");
	cJSON_AddItemToArray(steps, op_json(&rt.put));
	if (rt.ran_get)
		cJSON_AddItemToArray(steps, op_json(&rt.get));
	cJSON_AddItemToArray(steps, op_json(&rt.del));
	if (rt.ran_get)
		cJSON_AddBoolToObject(out->data, "body_match", rt.body_match);
	cJSON_AddBoolToObject(out->data, "deleted", rt.deleted);
	if (rt.put.result == S3_OK && !rt.deleted)
		cJSON_AddStringToObject(out->data, "left_behind", key);

	if (rt.failed == NULL) {
		outcome_set(out, "ok", 0,
		            "upload round trip ok: %d bytes put, read back, deleted "
		            "(%.0f ms)",
		            n, rt.put.ms + rt.get.ms + rt.del.ms);
		return;
	}
	cJSON_AddStringToObject(out->data, "failed_step", rt.failed->name);
	op_said(rt.failed, said, sizeof(said));
	outcome_set(out, "fail", 1, "%s %s: %s%s%s%s", rt.failed->name,
	            s3_result_name(rt.failed->result), said, rt.failed->message[0] ? " — " : "",
	            rt.failed->message,
	            rt.put.result == S3_OK && !rt.deleted ? " (probe object left behind)" : "");
}

/*
 * API health: does core accounting still work? Runbook §4.4: "file uploads fail but
 * core accounting functionality works" — so a working core keeps the severity below
 * P0, and a failing one raises it to P1 (more than storage is down).
 */
static void step_core_check(struct run *r, const struct state *s, struct outcome *out)
{
	const char *sev;

	step_api_health(r, s, out);
	if (out->fallback)
		return;
	sev = run_severity(r);
	if (out->data != NULL)
		cJSON_AddBoolToObject(out->data, "core_ok", strcmp(out->name, "ok") == 0);
	if (strcmp(out->name, "ok") == 0) {
		if (strcmp(sev, "P0") == 0)
			run_set_severity(
			        r, "P1",
			        "core accounting works (API healthy): a storage outage "
			        "is not P0 (runbook §4.4)");
		snprintf(out->summary + strlen(out->summary),
		         sizeof(out->summary) - strlen(out->summary),
		         "; core accounting works, only uploads are affected");
		return;
	}
	if (strcmp(sev, "P2") == 0 || strcmp(sev, "P3") == 0)
		run_set_severity(r, "P1",
		                 "the API health check fails too: core accounting is affected "
		                 "(see the api-down flow, runbook §4.1)");
}

/* commands.retry_uploads, or nothing to do (skipped with a note) when it is not set. */
static void plan_retry_uploads(struct run *r, const struct state *s, struct intent *in)
{
	const struct config *c = run_config(r);

	if (config_str(c, "commands.retry_uploads") == NULL) {
		in->skip = 1;
		snprintf(in->missing, sizeof(in->missing),
		         "%s: retry the failed uploads from the application if it does not "
		         "retry by itself",
		         config_why_missing(c, "commands.retry_uploads"));
		return;
	}
	plan_command(r, s, in);
}

static const struct transition from_head[] = {
        {"ok", "upload_test"},         {"forbidden", "core_check"}, {"not_found", "core_check"},
        {"unreachable", "core_check"}, {"fail", "core_check"},      {NULL, NULL}};
static const struct transition from_upload[] = {
        {"ok", "resolved"}, {"fail", "core_check"}, {NULL, NULL}};
static const struct transition to_wait[] = {{"*", "wait_recovery"}, {NULL, NULL}};
static const struct transition from_wait[] = {
        {"ok", "retry_uploads"}, {"timeout", "escalate"}, {NULL, NULL}};
static const struct transition to_resolved[] = {{"*", "resolved"}, {NULL, NULL}};
static const struct transition to_escalated[] = {{"*", "escalated"}, {NULL, NULL}};

static const struct state states[] = {
        {.id = "head_bucket",
         .kind = KIND_PROBE,
         .section = "4.4",
         .title = "Test R2 connectivity (HeadBucket)",
         .text = "Run the runbook's HeadBucket test against bilko-receipts (railway run node "
                 "-e \"... new HeadBucketCommand({ Bucket: 'bilko-receipts' }) ...\"). Answer "
                 "ok, forbidden, not_found, unreachable or fail.",
         .probe = step_head_bucket,
         .next = from_head},
        {.id = "upload_test",
         .kind = KIND_PROBE,
         .section = "4.4",
         .title = "Put a small object, read it back, delete it",
         .text = "Upload a small test file to bilko-receipts, download it and delete it. "
                 "Answer ok or fail.",
         .probe = step_upload_test,
         .next = from_upload},
        {.id = "core_check",
         .kind = KIND_PROBE,
         .section = "4.4",
         .title = "Core accounting still works?",
         .text = "curl https://api.bilko.io/health — R2 outage: file uploads fail but core "
                 "accounting functionality works. Press Enter when checked, or type what you "
                 "see.",
         .probe = step_core_check,
         .next = to_wait},
        {.id = "wait_recovery",
         .kind = KIND_WAIT,
         .section = "4.4",
         .title = "Wait for R2 to recover (outages are typically < 15 min)",
         .text = "Re-run the HeadBucket test until the bucket answers (R2 outages are "
                 "typically < 15 min).",
         .probe = step_head_bucket,
         .next = from_wait,
         .flags = ST_VERIFY,
         .interval_key = "timing.verify_interval_s",
         .interval_def = 10,
         .timeout_key = "timing.storage_wait_min",
         .timeout_def = 15,
         .timeout_scale = 60},
        {.id = "retry_uploads",
         .kind = KIND_ACTION,
         .section = "4.4",
         .title = "Log errors, retry uploads",
         .text = "Retry the uploads that failed during the outage. Press Enter when done.",
         .plan = plan_retry_uploads,
         .act = act_command,
         .next = to_resolved},
        {.id = "escalate",
         .kind = KIND_NOTIFY,
         .section = "4.4",
         .title = "Post to #bilko-alerts: R2 still down",
         .text = "R2 has not recovered in time: post to #bilko-alerts and start incident "
                 "response.",
         .next = to_escalated,
         .flags = ST_ESCALATES},
        {.id = "resolved",
         .kind = KIND_END,
         .section = "4.4",
         .title = "Resolved",
         .end = "resolved"},
        {.id = "escalated",
         .kind = KIND_END,
         .section = "4.4",
         .title = "Escalated",
         .end = "escalated"},
        {.id = NULL},
};

const struct flow flow_storage = {
        .name = "storage",
        .section = "4.4",
        .summary = "Object storage (R2): uploads failing",
        .severity = "P2",
        .routine = 0,
        .states = states,
};
