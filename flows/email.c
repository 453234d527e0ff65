/* email.c - runbook §4.5 "Email Delivery Failure" as a state machine. */
#include "common.h"
#include "flow.h"

#include "config.h"
#include "probe_mail.h"
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_API_URL "https://api.sendgrid.com"
#define DEFAULT_WINDOW_MIN 60

/* "sendgrid" or "smtp": email.provider, else smtp when email.smtp_url is set. */
static const char *provider(const struct config *c)
{
	const char *p = config_str(c, "email.provider");

	if (p != NULL)
		return p;
	return config_str(c, "email.smtp_url") != NULL ? "smtp" : "sendgrid";
}

/* The SendGrid settings; 0, or -1 after a manual fallback naming what is missing. */
static int sendgrid_conf(struct run *r, struct sendgrid_conf *sg, struct outcome *out)
{
	const struct config *c = run_config(r);

	if (config_str(c, "email.api_key") == NULL) {
		outcome_fallback(out, "%s", config_why_missing(c, "email.api_key"));
		return -1;
	}
	memset(sg, 0, sizeof(*sg));
	sg->api_url = config_str_or(c, "email.api_url", DEFAULT_API_URL);
	sg->api_key = config_str(c, "email.api_key");
	sg->timeout_ms = run_timeout_ms(r, "email");
	sg->abort = run_abort_flag(r);
	return 0;
}

static cJSON *list_json(const struct sg_list *l)
{
	cJSON *o = cJSON_CreateObject(), *arr;

	cJSON_AddStringToObject(o, "result", mail_result_name(l->req.result));
	if (l->req.status > 0)
		cJSON_AddNumberToObject(o, "status", (double)l->req.status);
	if (l->req.result != MAIL_OK) {
		if (l->req.error != NULL)
			cJSON_AddStringToObject(o, "error", l->req.error);
		cJSON_AddStringToObject(o, "detail", l->req.detail);
		return o;
	}
	cJSON_AddNumberToObject(o, "count", l->count);
	arr = cJSON_AddArrayToObject(o, "sample");
	for (int i = 0; i < l->nsample; i++) {
		cJSON *e = cJSON_CreateObject();

		cJSON_AddStringToObject(e, "email", l->sample[i].email);
		cJSON_AddStringToObject(e, "reason", l->sample[i].reason);
		if (l->sample[i].status[0])
			cJSON_AddStringToObject(e, "status", l->sample[i].status);
		cJSON_AddNumberToObject(e, "created", (double)l->sample[i].created);
		cJSON_AddItemToArray(arr, e);
	}
	return o;
}

/* SendGrid activity: bounces and blocks since the window start. */
static void step_activity(struct run *r, const struct state *s, struct outcome *out)
{
	const struct config *c = run_config(r);
	double window = config_num(c, "timing.email_window_min", DEFAULT_WINDOW_MIN);
	long since = (long)(clock_wall() - window * 60.0);
	struct sendgrid_conf sg;
	struct sg_list bounces, blocks;
	const struct sg_list *bad = NULL;
	char when[32];

	(void)s;
	if (strcmp(provider(c), "smtp") == 0) {
		outcome_fallback(out, "'email.provider' is smtp: no SendGrid activity to read; "
		                      "check your provider's dashboard");
		return;
	}
	if (sendgrid_conf(r, &sg, out) < 0)
		return;
	run_doing(r, "GET %s/v3/suppression/bounces and /blocks", sg.api_url);
	sendgrid_suppressions(&sg, "bounces", since, &bounces);
	sendgrid_suppressions(&sg, "blocks", since, &blocks);

	time_format((double)since, when);
	out->data = cJSON_CreateObject();
	cJSON_AddStringToObject(out->data, "provider", "sendgrid");
	cJSON_AddNumberToObject(out->data, "start_time", (double)since);
	cJSON_AddStringToObject(out->data, "since", when);
	cJSON_AddItemToObject(out->data, "bounces", list_json(&bounces));
	cJSON_AddItemToObject(out->data, "blocks", list_json(&blocks));
	if (bounces.req.result != MAIL_OK)
		bad = &bounces;
	else if (blocks.req.result != MAIL_OK)
		bad = &blocks;
	if (bad != NULL) {
		const char *what = bad == &bounces ? "bounces" : "blocks";

		if (bad->req.result == MAIL_AUTH)
			outcome_set(out, "auth_failed", 1,
			            "SendGrid refused the key reading %s: HTTP %ld %s", what,
			            bad->req.status, bad->req.detail);
		else
			outcome_set(out, "fail", 1, "could not read the %s: %s", what,
			            bad->req.detail);
		return;
	}
	if (bounces.count + blocks.count == 0)
		outcome_set(out, "clean", 0, "no bounces or blocks since %s", when);
	else
		outcome_set(out, "found", 0, "%d bounce%s and %d block%s since %s%s%s",
		            bounces.count, bounces.count == 1 ? "" : "s", blocks.count,
		            blocks.count == 1 ? "" : "s", when,
		            blocks.nsample ? "; latest block: " : "",
		            blocks.nsample ? blocks.sample[0].reason : "");
}

/* "starttls" (default), "tls" or "none", as the enum. */
static enum smtp_tls smtp_tls_mode(const struct config *c)
{
	const char *t = config_str_or(c, "email.smtp_tls", "starttls");

	if (strcmp(t, "tls") == 0)
		return SMTP_TLS;
	if (strcmp(t, "none") == 0)
		return SMTP_PLAIN;
	return SMTP_STARTTLS;
}

/* Send one test message (SendGrid v3 mail/send, or SMTP): ok / fail. */
static void step_test_send(struct run *r, const struct state *s, struct outcome *out)
{
	const struct config *c = run_config(r);
	const char *prov = provider(c);
	int smtp = strcmp(prov, "smtp") == 0;
	static const char *const needed[] = {"email.from", "email.test_to"};
	char subject[160], text[768], when[32];
	struct mail_msg m;
	struct mail_send res;

	(void)s;
	if (smtp && config_str(c, "email.smtp_url") == NULL) {
		outcome_fallback(out, "%s", config_why_missing(c, "email.smtp_url"));
		return;
	}
	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		if (config_str(c, needed[i]) == NULL) {
			outcome_fallback(out, "%s", config_why_missing(c, needed[i]));
			return;
		}
	}
	time_format(clock_wall(), when);
	snprintf(subject, sizeof(subject), "[runbook] email test, incident %s",
	         run_short_id(r));
	snprintf(text, sizeof(text),
	         "This is a test message sent by runbook while handling incident %s\n"
	         "(email delivery failure, runbook section 4.5), to check that mail is "
	         "delivered.\n\nOperator: %s\nSent: %s\n",
	         run_incident(r), run_operator(r), when);
	m.from = config_str(c, "email.from");
	m.to = config_str(c, "email.test_to");
	m.subject = subject;
	m.text = text;
	m.incident = run_incident(r);

	if (smtp) {
		struct smtp_conf sc = {
		        .url = config_str(c, "email.smtp_url"),
		        .tls = smtp_tls_mode(c),
		        .ca_file = config_str(c, "email.smtp_ca_file"),
		        .timeout_ms = run_timeout_ms(r, "email"),
		        .abort = run_abort_flag(r),
		};

		run_doing(r, "SMTP test message to %s", m.to);
		smtp_send(&sc, &m, &res);
	} else {
		struct sendgrid_conf sg;

		if (sendgrid_conf(r, &sg, out) < 0)
			return;
		run_doing(r, "POST %s/v3/mail/send to %s", sg.api_url, m.to);
		sendgrid_send(&sg, &m, &res);
	}

	out->data = cJSON_CreateObject();
	cJSON_AddStringToObject(out->data, "provider", smtp ? "smtp" : "sendgrid");
	if (smtp)
		cJSON_AddStringToObject(out->data, "tls",
		                        config_str_or(c, "email.smtp_tls", "starttls"));
	cJSON_AddStringToObject(out->data, "from", m.from);
	cJSON_AddStringToObject(out->data, "to", m.to);
	cJSON_AddStringToObject(out->data, "subject", subject);
	cJSON_AddStringToObject(out->data, "result", mail_result_name(res.result));
	if (res.status > 0)
		cJSON_AddNumberToObject(out->data, "status", (double)res.status);
	if (res.error != NULL)
		cJSON_AddStringToObject(out->data, "error", res.error);
	if (res.detail[0])
		cJSON_AddStringToObject(out->data, "detail", res.detail);
	if (res.field[0])
		cJSON_AddStringToObject(out->data, "field", res.field);
	if (res.retry_after[0])
		cJSON_AddStringToObject(out->data, "retry_after", res.retry_after);
	if (smtp && res.message_id[0])
		cJSON_AddStringToObject(out->data, "message_id", res.message_id);
	cJSON_AddNumberToObject(out->data, "ms", res.ms);

	if (res.result == MAIL_OK) {
		outcome_set(out, "ok", 0, "test message %s: %s %ld in %.0f ms",
		            smtp ? "accepted by the SMTP server" : "accepted by SendGrid",
		            smtp ? "reply" : "HTTP", res.status, res.ms);
	} else if (res.result == MAIL_THROTTLED && !smtp) {
		outcome_set(out, "fail", 1, "throttled: HTTP 429%s%s",
		            res.retry_after[0] ? ", retry after " : "", res.retry_after);
	} else if (res.status > 0) {
		outcome_set(out, "fail", 1, "%s: %s %ld%s%s", mail_result_name(res.result),
		            smtp ? "reply" : "HTTP", res.status, res.detail[0] ? ": " : "",
		            res.detail);
	} else {
		outcome_set(out, "fail", 1, "%s: %s", mail_result_name(res.result),
		            res.detail[0] ? res.detail : "no answer");
	}
}

/* Looks like SPF / DKIM / DMARC / sender authentication. */
static int auth_words(const char *t)
{
	static const char *const words[] = {"spf", "dkim", "dmarc", "authenticat", NULL};

	for (size_t i = 0; words[i] != NULL; i++)
		if (strcasestr(t, words[i]) != NULL)
			return 1;
	return 0;
}

static const char *str_of(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : "";
}

/* The fix the findings point to: a refused key, a sender not verified, an outage. */
static const char *suggest_fix(struct run *r, const struct state *s, char *reason,
                               size_t reasonlen)
{
	const cJSON *send = run_finding(r, "test_send");
	const cJSON *act = run_finding(r, "activity");
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(send, "status");
	long status = cJSON_IsNumber(st) ? (long)st->valueint : 0; /* clamped by cJSON */
	const char *result = str_of(send, "result"), *prov = str_of(send, "provider");
	const cJSON *blocks, *sample, *e;

	(void)s;
	if (strcmp(result, "auth_failed") == 0 && strcmp(str_of(send, "field"), "from") == 0) {
		snprintf(reason, reasonlen,
		         "the test send got HTTP %ld: the from address is "
		         "not a verified sender",
		         status);
		return "domain_auth";
	}
	if (strcmp(result, "auth_failed") == 0) {
		if (strcmp(prov, "smtp") == 0)
			snprintf(reason, reasonlen, "the SMTP server refused the login (%ld)",
			         status);
		else
			snprintf(reason, reasonlen,
			         "the test send got HTTP %ld: the API key is "
			         "refused",
			         status);
		return "key_revoked";
	}
	if (strcmp(result, "unreachable") == 0 ||
	    (strcmp(result, "fail") == 0 && status >= 500)) {
		if (status >= 500)
			snprintf(reason, reasonlen, "the test send got HTTP %ld", status);
		else
			snprintf(reason, reasonlen, "the provider is unreachable (%s)",
			         str_of(send, "error"));
		return "provider_outage";
	}
	blocks = cJSON_GetObjectItemCaseSensitive(act, "blocks");
	sample = cJSON_GetObjectItemCaseSensitive(blocks, "sample");
	cJSON_ArrayForEach(e, sample)
	{
		if (auth_words(str_of(e, "reason"))) {
			snprintf(reason, reasonlen,
			         "a recent block names sender authentication");
			return "domain_auth";
		}
	}
	return NULL;
}

static const struct option fix_options[] = {
        {.name = "key_revoked",
         .text = "API key revoked or expired → rotate it (rotate-secrets, runbook §5.3)"},
        {.name = "domain_auth",
         .text = "sender or domain authentication (SPF, DKIM, DMARC, sender identity) → fix "
                 "it in DNS / SendGrid, then verify",
         .followup = "check SendGrid → Settings → Sender Authentication for the from domain"},
        {.name = "provider_outage",
         .text = "provider outage → wait for it, then verify",
         .followup = "watch the provider's status page until mail flows again"},
        {.name = "other", .text = "something else → fix it, then verify"},
        {.name = NULL},
};

static const struct transition to_test_send[] = {{"*", "test_send"}, {NULL, NULL}};
static const struct transition from_test_send[] = {
        {"ok", "resolved"}, {"fail", "impact"}, {NULL, NULL}};
static const struct transition to_fix[] = {{"*", "fix"}, {NULL, NULL}};
static const struct transition from_fix[] = {{"key_revoked", "handed_to:rotate-secrets"},
                                             {"domain_auth", "verify"},
                                             {"provider_outage", "verify"},
                                             {"other", "verify"},
                                             {NULL, NULL}};
static const struct transition from_verify[] = {
        {"ok", "resolved"}, {"timeout", "escalate"}, {NULL, NULL}};
static const struct transition to_escalated[] = {{"*", "escalated"}, {NULL, NULL}};

static const struct state states[] = {
        {.id = "activity",
         .kind = KIND_PROBE,
         .section = "4.5",
         .title = "Check SendGrid activity: bounces and blocks",
         .text = "SendGrid Dashboard → Activity → Filter by date → Look for bounces/blocks. "
                 "Press Enter when checked, or type what you found.",
         .probe = step_activity,
         .next = to_test_send},
        {.id = "test_send",
         .kind = KIND_PROBE,
         .section = "4.5",
         .title = "Test email sending",
         .text = "Send a test email (railway run node -e \"... sgMail.send({ to, from, "
                 "subject: "
                 "'Test', text: 'Test' }) ...\"). Answer ok when it was sent, fail otherwise.",
         .probe = step_test_send,
         .next = from_test_send},
        {.id = "impact",
         .kind = KIND_MANUAL,
         .section = "4.5",
         .title = "Email failure: invoices cannot be sent",
         .text = "Invoices cannot be sent; users can still create and download them. Not P0, "
                 "but resolve within 2 h. Tell support if customers ask. Press Enter when "
                 "noted.",
         .next = to_fix},
        {.id = "fix",
         .kind = KIND_CHOICE,
         .section = "4.5",
         .title = "What is wrong with mail?",
         .text = "Why does mail fail?",
         .suggest = suggest_fix,
         .options = fix_options,
         .next = from_fix},
        {.id = "verify",
         .kind = KIND_WAIT,
         .section = "4.5",
         .title = "Send test email until accepted (resolve within 2 h)",
         .text = "Send a test message until it is accepted (deadline: 2 h).",
         .probe = step_test_send,
         .next = from_verify,
         .flags = ST_VERIFY,
         .interval_key = "timing.email_retry_s", /* each attempt sends a real message */
         .interval_def = 300,
         .timeout_key = "timing.email_deadline_min",
         .timeout_def = 120,
         .timeout_scale = 60},
        {.id = "escalate",
         .kind = KIND_NOTIFY,
         .section = "4.5",
         .title = "Post to #bilko-alerts: mail still failing",
         .text = "Mail is still failing at the deadline: post to #bilko-alerts.",
         .next = to_escalated,
         .flags = ST_ESCALATES},
        {.id = "resolved",
         .kind = KIND_END,
         .section = "4.5",
         .title = "Resolved",
         .end = "resolved"},
        {.id = "escalated",
         .kind = KIND_END,
         .section = "4.5",
         .title = "Escalated",
         .end = "escalated"},
        {.id = "handed_to:rotate-secrets",
         .kind = KIND_END,
         .section = "5.3",
         .title = "Key revoked: rotate it with the rotate-secrets flow (runbook §5.3)",
         .end = "handed_to:rotate-secrets"},
        {.id = NULL},
};

const struct flow flow_email = {
        .name = "email",
        .section = "4.5",
        .summary = "Email delivery failure: invoices cannot be sent",
        .severity = "P2",
        .routine = 0,
        .states = states,
};
