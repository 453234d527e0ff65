/* notify.c - post to a Slack-compatible incoming webhook. */
#include "notify.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "probe_http.h"
#include "util.h"

#define DEFAULT_TRIES 3
#define DEFAULT_TIMEOUT_MS 5000
#define FIRST_BACKOFF_MS 500
#define MAX_BACKOFF_MS 5000
#define MAX_RETRY_AFTER_MS 5000

/* Words for a failure without an HTTP answer (never curl's text: it may name the host). */
static const char *failure_words(enum http_error e)
{
	switch (e) {
	case HTTP_REFUSED:
		return "connection refused";
	case HTTP_TIMEOUT:
		return "timed out";
	case HTTP_DNS:
		return "host name did not resolve";
	case HTTP_TLS:
		return "TLS failure";
	case HTTP_DROPPED:
		return "connection dropped";
	case HTTP_INTERRUPTED:
		return "interrupted";
	default:
		return "request failed";
	}
}

/* Worth another attempt: the service or the path to it may come back. */
static int retryable(const struct http_resp *r)
{
	if (r->error == HTTP_OK)
		return r->status == 429 || r->status >= 500;
	return r->error == HTTP_REFUSED || r->error == HTTP_TIMEOUT || r->error == HTTP_DNS ||
	       r->error == HTTP_DROPPED;
}

/*
 * A short answer body worth quoting ("no_service", "invalid_token"): letters, digits
 * and a little punctuation only, so an HTML page that echoes the request path (the
 * secret part of a webhook URL) is never quoted. Copies into out or leaves it "".
 */
static void quotable_body(const struct http_resp *r, char *out, size_t outlen)
{
	size_t n = r->body_len;
	const char *b = r->body;

	out[0] = '\0';
	if (b == NULL)
		return;
	while (n > 0 && isspace((unsigned char)b[n - 1]))
		n--;
	while (n > 0 && isspace((unsigned char)*b)) {
		b++;
		n--;
	}
	if (n == 0 || n >= outlen || n > 64)
		return;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)b[i];

		if (!isalnum(c) && c != '_' && c != '-' && c != '.' && c != ' ')
			return;
	}
	memcpy(out, b, n);
	out[n] = '\0';
}

/* Sleep ms, in slices, returning early (1) when *abort is raised. */
/* See notify.h. Nothing to free in *res. */
int notify_post(const char *url, const char *text, long timeout_ms, int tries,
                volatile int *abort, struct notify_result *res)
{
	static const struct http_header json_type[] = {{"Content-Type", "application/json"}};
	struct http_req req = {0};
	int64_t t0 = clock_mono_ns();
	long backoff = FIRST_BACKOFF_MS;
	char *payload = NULL;
	cJSON *o = NULL;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	if (tries <= 0)
		tries = DEFAULT_TRIES;
	if (url == NULL || url[0] == '\0') {
		strlcpy_chk(res->error, "no webhook URL", sizeof(res->error));
		goto out;
	}
	o = cJSON_CreateObject();
	if (o == NULL || cJSON_AddStringToObject(o, "text", text ? text : "") == NULL)
		goto no_payload;
	payload = cJSON_PrintUnformatted(o);
	if (payload == NULL)
		goto no_payload;
	req.method = "POST";
	req.url = url;
	req.headers = json_type;
	req.nheaders = 1;
	req.body = payload;
	req.body_len = strlen(payload);
	req.timeout_ms = timeout_ms > 0 ? timeout_ms : DEFAULT_TIMEOUT_MS;
	req.max_body = 4096;
	req.abort = abort;

	for (;;) {
		struct http_resp r;
		char quoted[72];
		long delay = backoff;
		int again;

		res->attempts++;
		http_fetch(&req, &r);
		res->status = r.error == HTTP_OK ? r.status : 0;
		if (r.error == HTTP_OK && r.status >= 200 && r.status < 300) {
			res->sent = 1;
			res->error[0] = '\0';
			http_resp_release(&r);
			rc = 0;
			break;
		}
		again = retryable(&r) && res->attempts < tries;
		if (r.error == HTTP_OK && r.status == 429) {
			long ra = http_retry_after_ms(r.retry_after);

			if (ra > MAX_RETRY_AFTER_MS)
				ra = MAX_RETRY_AFTER_MS;
			if (ra > delay)
				delay = ra;
		}
		quotable_body(&r, quoted, sizeof(quoted));
		if (r.error == HTTP_OK && quoted[0] != '\0')
			snprintf(res->error, sizeof(res->error),
			         "HTTP %ld (%s) after %d attempt%s", r.status, quoted,
			         res->attempts, res->attempts == 1 ? "" : "s");
		else if (r.error == HTTP_OK)
			snprintf(res->error, sizeof(res->error), "HTTP %ld after %d attempt%s",
			         r.status, res->attempts, res->attempts == 1 ? "" : "s");
		else
			snprintf(res->error, sizeof(res->error), "%s after %d attempt%s",
			         failure_words(r.error), res->attempts,
			         res->attempts == 1 ? "" : "s");
		http_resp_release(&r);
		if (!again)
			break;
		if (sleep_abortable(delay, abort)) {
			snprintf(res->error, sizeof(res->error),
			         "interrupted after %d attempt%s", res->attempts,
			         res->attempts == 1 ? "" : "s");
			break;
		}
		backoff = backoff * 2 > MAX_BACKOFF_MS ? MAX_BACKOFF_MS : backoff * 2;
	}
	goto out;

no_payload:
	strlcpy_chk(res->error, "cannot build the message", sizeof(res->error));
out:
	cJSON_free(payload);
	cJSON_Delete(o);
	res->ms = (double)(clock_mono_ns() - t0) / 1e6;
	return rc;
}
