/* notify.h - post to a Slack-compatible incoming webhook. */
#ifndef RUNBOOK_NOTIFY_H
#define RUNBOOK_NOTIFY_H

#include <stddef.h>

struct notify_result {
	int sent; /* 2xx received */
	int attempts;
	long status;     /* last HTTP status, 0 when none */
	char error[256]; /* last failure in one line (no secret: the URL is not in it) */
	double ms;
};

/*
 * POST {"text": text} (JSON, escaped by cJSON) to url with Content-Type
 * application/json. Up to `tries` attempts (3 when 0): a 5xx, 429, timeout or
 * connection failure is retried after 500 ms, then 1000 ms (a 429's Retry-After is
 * honoured up to 5 s); a 4xx other than 429 is final. Each attempt is bounded by
 * timeout_ms (5000 when 0). Returns 0 when sent, -1 otherwise; *res always filled.
 * `abort` may be NULL.
 */
int notify_post(const char *url, const char *text, long timeout_ms, int tries,
                volatile int *abort, struct notify_result *res);

#endif
