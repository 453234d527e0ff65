/*
 * rotate_secrets.c - secret rotation (runbook §5.3): new secrets from the OS CSPRNG,
 * applied through the environment of commands.apply, a restart, and the users told.
 *
 * The values live only in this process's memory, from `generate` to `apply`: only
 * their fingerprints are journaled, they are registered with the redactor, and they
 * are wiped (explicit_bzero) after `apply` and at exit. A run that pauses between the
 * two (say, at apply's confirmation) loses them: `apply` then refuses and the flow
 * ends aborted; start over.
 */
#include "common.h"
#include "config.h"
#include "probe_cmd.h"
#include "redact.h"
#include "util.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define MAX_SECRETS 16
#define SECRET_BYTES 32
#define B64_LEN 45 /* 4 * ceil(32 / 3) + NUL */
#define OUTPUT_KEEP 2048

static struct {
	char incident[37]; /* the run that generated them */
	size_t n;
	char name[MAX_SECRETS][128];
	char value[MAX_SECRETS][B64_LEN];
	char fingerprint[MAX_SECRETS][17];
	int wipe_at_exit;
} vault;

static void vault_wipe(void)
{
	explicit_bzero(&vault.value, sizeof(vault.value));
	vault.n = 0;
	vault.incident[0] = '\0';
}

/* First 8 bytes of the SHA-256 of the text, hex. */
static void fingerprint(const char *text, char out[17])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	EVP_Digest(text, strlen(text), md, &len, EVP_sha256(), NULL);
	hex_encode(md, 8, out);
}

/* The secrets.names, or -1 with why. */
static int names(const struct config *c, const cJSON **out, char *why, size_t len)
{
	const cJSON *n = config_node(c, "secrets.names");

	if (!cJSON_IsArray(n) || cJSON_GetArraySize(n) == 0) {
		snprintf(why, len, "'secrets.names' is not set (a list of variable names)");
		return -1;
	}
	if (cJSON_GetArraySize(n) > MAX_SECRETS) {
		snprintf(why, len, "'secrets.names' lists more than %d names", MAX_SECRETS);
		return -1;
	}
	*out = n;
	return 0;
}

static void plan_generate(struct run *r, const struct state *s, struct intent *in)
{
	const cJSON *list, *n;
	struct buf b;

	(void)s;
	if (names(run_config(r), &list, in->missing, sizeof(in->missing)) < 0) {
		in->fallback = 1;
		return;
	}
	buf_init(&b, sizeof(in->shown) - 1);
	buf_printf(&b, "getrandom(%d bytes) → base64, for", SECRET_BYTES);
	in->data = cJSON_CreateObject();
	cJSON_ArrayForEach(n, list)
	{
		buf_printf(&b, " %s", cJSON_IsString(n) ? n->valuestring : "?");
	}
	snprintf(in->shown, sizeof(in->shown), "%s", b.p ? b.p : "");
	cJSON_AddStringToObject(in->data, "command", in->shown);
	buf_release(&b);
}

static void act_generate(struct run *r, const struct state *s, const struct intent *in,
                         struct outcome *out)
{
	const cJSON *list, *n;
	cJSON *arr;
	char why[256];

	(void)s;
	(void)in;
	vault_wipe();
	if (!vault.wipe_at_exit) {
		atexit(vault_wipe);
		vault.wipe_at_exit = 1;
	}
	out->data = cJSON_CreateObject();
	if (names(run_config(r), &list, why, sizeof(why)) < 0) {
		outcome_set(out, "fail", 1, "%s", why);
		return;
	}
	arr = cJSON_AddArrayToObject(out->data, "secrets");
	cJSON_ArrayForEach(n, list)
	{
		unsigned char raw[SECRET_BYTES];
		size_t got = 0;
		cJSON *e;

		if (!cJSON_IsString(n) ||
		    snprintf(vault.name[vault.n], sizeof(vault.name[0]), "%s",
		             n->valuestring) >= (int)sizeof(vault.name[0])) {
			vault_wipe();
			outcome_set(out, "fail", 1,
			            "a secrets.names entry is not a short name");
			return;
		}
		while (got < sizeof(raw)) {
			ssize_t k = getrandom(raw + got, sizeof(raw) - got, 0);

			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				explicit_bzero(raw, sizeof(raw));
				vault_wipe();
				outcome_set(out, "fail", 1, "getrandom: %s", strerror(errno));
				return;
			}
			got += (size_t)k;
		}
		EVP_EncodeBlock((unsigned char *)vault.value[vault.n], raw, sizeof(raw));
		explicit_bzero(raw, sizeof(raw));
		redact_add_secret(vault.value[vault.n]); /* never shown, whatever happens */
		fingerprint(vault.value[vault.n], vault.fingerprint[vault.n]);
		e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "name", vault.name[vault.n]);
		cJSON_AddStringToObject(e, "fingerprint", vault.fingerprint[vault.n]);
		cJSON_AddItemToArray(arr, e);
		vault.n++;
	}
	snprintf(vault.incident, sizeof(vault.incident), "%s", run_incident(r));
	cJSON_AddNumberToObject(out->data, "bytes", SECRET_BYTES);
	cJSON_AddStringToObject(out->data, "source", "getrandom");
	outcome_set(out, "ok", 0,
	            "%zu secret(s) generated (%d random bytes each, base64); "
	            "fingerprints journaled, values kept in memory only",
	            vault.n, SECRET_BYTES);
}

static void plan_apply(struct run *r, const struct state *s, struct intent *in)
{
	const struct config *c = run_config(r);
	const char *cmd = config_str(c, "commands.apply");

	if (vault.n == 0 || strcmp(vault.incident, run_incident(r)) != 0) {
		in->refuse = 1;
		snprintf(in->missing, sizeof(in->missing),
		         "no secrets generated by this process (they live in memory only: the "
		         "run was resumed after 'generate', or it was done by hand); nothing "
		         "was applied: start over with secrets.names set");
		return;
	}
	if (cmd == NULL) {
		in->fallback = 1;
		snprintf(in->missing, sizeof(in->missing), "%s",
		         config_why_missing(c, "commands.apply"));
		return;
	}
	plan_command(r, s, in); /* command and target (platform.service) */
	if (in->fallback)
		return;
	{
		cJSON *arr = cJSON_AddArrayToObject(in->data, "secrets");

		for (size_t i = 0; i < vault.n; i++) {
			cJSON *e = cJSON_CreateObject();

			cJSON_AddStringToObject(e, "name", vault.name[i]);
			cJSON_AddStringToObject(e, "fingerprint", vault.fingerprint[i]);
			cJSON_AddItemToArray(arr, e);
		}
	}
	cJSON_AddStringToObject(in->data, "value_in", "RUNBOOK_SECRET_VALUE (environment)");
}

static void act_apply(struct run *r, const struct state *s, const struct intent *in,
                      struct outcome *out)
{
	cJSON *arr;
	size_t done = 0;
	int failed = 0;
	char why[256] = "";

	(void)s;
	out->data = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(out->data, "secrets");
	for (size_t i = 0; i < vault.n && !failed; i++) {
		struct cmd_env env[4] = {
		        {"RUNBOOK_SECRET_NAME", vault.name[i]},
		        {"RUNBOOK_SECRET_VALUE", vault.value[i]},
		        {"RUNBOOK_INCIDENT", run_incident(r)},
		        {"RUNBOOK_OPERATOR", run_operator(r)},
		};
		struct cmd_req req;
		struct cmd_result res;
		cJSON *e = cJSON_CreateObject();

		memset(&req, 0, sizeof(req));
		req.command = in->shown;
		req.env = env;
		req.nenv = 4;
		req.timeout_ms = 120000;
		req.abort = run_abort_flag(r);
		run_doing(r, "applying %s (fingerprint %s)", vault.name[i],
		          vault.fingerprint[i]);
		cmd_run(&req, &res);
		cJSON_AddStringToObject(e, "name", vault.name[i]);
		cJSON_AddStringToObject(e, "fingerprint", vault.fingerprint[i]);
		cJSON_AddNumberToObject(e, "exit_code", res.started ? res.exit_code : -1);
		cJSON_AddNumberToObject(e, "ms", res.ms);
		cJSON_AddItemToObject(e, "output",
		                      json_tail(res.output, res.output_len, OUTPUT_KEEP));
		cJSON_AddItemToArray(arr, e);
		if (!res.started || res.exit_code != 0 || res.timed_out || res.aborted) {
			failed = 1;
			snprintf(why, sizeof(why), "%s: %s", vault.name[i],
			         !res.started    ? "could not start"
			         : res.timed_out ? "timed out"
			         : res.aborted   ? "interrupted"
			                         : "exit code not 0");
		} else {
			done++;
		}
		cmd_result_release(&res);
	}
	cJSON_AddNumberToObject(out->data, "applied", (double)done);
	vault_wipe(); /* used: gone from memory */
	if (failed)
		outcome_set(out, "fail", 1, "%zu applied, then %s", done, why);
	else
		outcome_set(out, "ok", 0, "%zu secret(s) applied through the environment",
		            done);
}

static const struct transition from_generate[] = {
        {"ok", "apply"}, {"*", "aborted"}, {NULL, NULL}};
static const struct transition from_apply[] = {{"ok", "restart"},
                                               {"skipped", "restart"},
                                               {"refused", "aborted"},
                                               {"*", "escalate"},
                                               {NULL, NULL}};
static const struct transition from_restart[] = {
        {"ok", "notify_users"}, {"skipped", "notify_users"}, {"*", "escalate"}, {NULL, NULL}};
static const struct transition to_resolved[] = {{"*", "resolved"}, {NULL, NULL}};
static const struct transition to_escalated[] = {{"*", "escalated"}, {NULL, NULL}};

static const struct state states[] = {
        {.id = "generate",
         .kind = KIND_ACTION,
         .section = "5.3",
         .title = "Generate new JWT secrets",
         .text = "Run: openssl rand -base64 32 once per secret (JWT_SECRET, "
                 "JWT_REFRESH_SECRET) "
                 "and keep the values out of any ticket or chat. Answer ok when done.",
         .plan = plan_generate,
         .act = act_generate,
         .next = from_generate},
        {.id = "apply",
         .kind = KIND_ACTION,
         .section = "5.3",
         .title = "Update in Railway (this will invalidate ALL existing sessions)",
         .text = "Set each new secret in Railway (railway variables set NAME=<new> --service "
                 "api --environment production). Answer ok when done.",
         .plan = plan_apply,
         .act = act_apply,
         .next = from_apply,
         .flags = ST_DESTRUCTIVE,
         .target_key = "platform.service"},
        {.id = "restart",
         .kind = KIND_ACTION,
         .section = "5.3",
         .title = "Restart service",
         .text = "Run: railway service restart --service api. Press Enter when done.",
         .plan = plan_command,
         .act = act_command,
         .next = from_restart,
         .flags = ST_DESTRUCTIVE,
         .target_key = "platform.service"},
        {.id = "notify_users",
         .kind = KIND_MANUAL,
         .section = "5.3",
         .title = "Notify users: all sessions invalidated, need to log in again",
         .text = "All sessions are invalidated: every user must log in again. Tell the users "
                 "(status page, email, in-app banner), then press Enter, or type how you told "
                 "them.",
         .next = to_resolved},
        {.id = "escalate",
         .kind = KIND_NOTIFY,
         .section = "5.3",
         .title = "Secret rotation failed half-way: post to #bilko-alerts",
         .text = "The rotation did not complete: post to the alert channel.",
         .next = to_escalated,
         .flags = ST_ESCALATES},
        {.id = "resolved",
         .kind = KIND_END,
         .section = "5.3",
         .title = "Secrets rotated, service restarted, users told",
         .end = "resolved"},
        {.id = "escalated",
         .kind = KIND_END,
         .section = "5.3",
         .title = "The rotation did not complete",
         .end = "escalated"},
        {.id = "aborted",
         .kind = KIND_END,
         .section = "5.3",
         .title = "Nothing applied: the secrets were not generated in this run, or refused",
         .end = "aborted"},
        {.id = NULL},
};

const struct flow flow_rotate_secrets = {
        .name = "rotate-secrets",
        .section = "5.3",
        .summary = "Secret rotation: generate, apply via the environment, restart",
        .severity = "P2",
        .routine = 1,
        .states = states,
};
