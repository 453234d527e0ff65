/* test_notify.c - notify_post against tests/fixtures/http_fixture.py on 127.0.0.1. */
#include "notify.h"
#include "test.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "util.h"

#include "fixture.h"

/* The body of the n-th logged request, parsed as JSON (caller deletes). */
static cJSON *request_json(int n, const char **ctype)
{
	cJSON *log = fx_requests();
	const cJSON *e = cJSON_GetArrayItem(log, n);
	const cJSON *h = cJSON_GetObjectItem(e, "headers");
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItem(h, "Content-Type"));
	static char ct[128];
	cJSON *body;

	CHECK(e != NULL);
	strlcpy_chk(ct, v != NULL ? v : "", sizeof(ct));
	*ctype = ct;
	CHECK_STR(cJSON_GetObjectItem(e, "method")->valuestring, "POST");
	body = cJSON_Parse(cJSON_GetObjectItem(e, "body")->valuestring);
	cJSON_Delete(log);
	return body;
}

static int count_requests(void)
{
	cJSON *log = fx_requests();
	int n = cJSON_GetArraySize(log);

	cJSON_Delete(log);
	return n;
}

static void test_retry_then_sent(void)
{
	struct notify_result res;
	const char *ctype;
	cJSON *body;
	char *u;

	fx_start("{\"POST /hook\": [{\"status\": 500, \"body\": \"oops\"}, {\"status\": 200, "
	         "\"body\": \"ok\"}]}");
	u = url("/hook");
	CHECK_INT(notify_post(u, "API down: \"health\" refused\nsee runbook \u00a74.1", 0, 0,
	                      NULL, &res),
	          ==, 0);
	CHECK_INT(res.sent, ==, 1);
	CHECK_INT(res.attempts, ==, 2);
	CHECK_INT(res.status, ==, 200);
	CHECK_STR(res.error, "");
	CHECK(res.ms >= 450);
	CHECK_INT(count_requests(), ==, 2);
	body = request_json(1, &ctype);
	CHECK_STR(ctype, "application/json");
	CHECK(body != NULL);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(body, "text")),
	          "API down: \"health\" refused\nsee runbook \u00a74.1");
	CHECK_INT(cJSON_GetArraySize(body), ==, 1);
	cJSON_Delete(body);
	free(u);
}

static void test_400_final(void)
{
	struct notify_result res;
	char *u;

	fx_start("{\"POST /hook\": {\"status\": 400, \"body\": \"invalid_payload\"}}");
	u = url("/hook");
	CHECK_INT(notify_post(u, "x", 0, 3, NULL, &res), ==, -1);
	CHECK_INT(res.sent, ==, 0);
	CHECK_INT(res.attempts, ==, 1);
	CHECK_INT(res.status, ==, 400);
	CHECK_STR(res.error, "HTTP 400 (invalid_payload) after 1 attempt");
	CHECK_INT(count_requests(), ==, 1);
	free(u);
}

static void test_5xx_exhausted(void)
{
	struct notify_result res;
	char *u;

	fx_start("{\"POST /hook\": {\"status\": 503, \"body\": \"<html>/hook</html>\"}}");
	u = url("/hook");
	CHECK_INT(notify_post(u, "x", 0, 0, NULL, &res), ==, -1);
	CHECK_INT(res.attempts, ==, 3);
	CHECK_INT(res.status, ==, 503);
	CHECK_STR(res.error, "HTTP 503 after 3 attempts");
	CHECK(res.ms >= 1400 && res.ms < 4000); /* 500 ms + 1000 ms of backoff */
	CHECK_INT(count_requests(), ==, 3);
	free(u);
}

static void test_dead_port(void)
{
	const char *secret = "/services/T000/B000/XXXXSECRET";
	struct notify_result res;
	int port = dead_port();
	char *u = xasprintf("http://127.0.0.1:%d%s", port, secret);
	char portstr[16];

	CHECK_INT(notify_post(u, "x", 1000, 3, NULL, &res), ==, -1);
	CHECK_INT(res.sent, ==, 0);
	CHECK_INT(res.attempts, ==, 3);
	CHECK_INT(res.status, ==, 0);
	CHECK_STR(res.error, "connection refused after 3 attempts");
	CHECK_NOT_CONTAINS(res.error, "XXXXSECRET");
	CHECK_NOT_CONTAINS(res.error, "127.0.0.1");
	snprintf(portstr, sizeof(portstr), "%d", port);
	CHECK_NOT_CONTAINS(res.error, portstr);
	free(u);
}

static void test_html_not_quoted(void)
{
	struct notify_result res;
	char *u;

	fx_start("{\"POST /services/T0/B0/SECRETTOKEN\": {\"status\": 404, \"body\": "
	         "\"The requested URL /services/T0/B0/SECRETTOKEN was not found\"}}");
	u = url("/services/T0/B0/SECRETTOKEN");
	CHECK_INT(notify_post(u, "x", 0, 0, NULL, &res), ==, -1);
	CHECK_INT(res.attempts, ==, 1);
	CHECK_STR(res.error, "HTTP 404 after 1 attempt");
	free(u);
}

static void test_429_retry_after(void)
{
	struct notify_result res;
	char *u;

	fx_start("{\"POST /hook\": [{\"status\": 429, \"headers\": {\"Retry-After\": \"1\"}}, "
	         "{\"status\": 200}]}");
	u = url("/hook");
	CHECK_INT(notify_post(u, "x", 0, 0, NULL, &res), ==, 0);
	CHECK_INT(res.attempts, ==, 2);
	CHECK(res.ms >= 950); /* Retry-After 1 s rather than the 500 ms backoff */
	free(u);
}

static void test_timeout(void)
{
	struct notify_result res;
	char *u;

	fx_start("{\"POST /hook\": {\"status\": 200, \"delay_ms\": 2000}}");
	u = url("/hook");
	CHECK_INT(notify_post(u, "x", 300, 2, NULL, &res), ==, -1);
	CHECK_INT(res.attempts, ==, 2);
	CHECK_STR(res.error, "timed out after 2 attempts");
	free(u);
}

static void test_abort(void)
{
	volatile int stop = 1;
	struct notify_result res;
	char *u;

	fx_start("{\"POST /hook\": {\"status\": 200}}");
	u = url("/hook");
	CHECK_INT(notify_post(u, "x", 0, 0, &stop, &res), ==, -1);
	CHECK_INT(res.sent, ==, 0);
	CHECK_INT(res.attempts, ==, 1);
	CHECK_STR(res.error, "interrupted after 1 attempt");
	CHECK_INT(count_requests(), ==, 0);
	CHECK_INT(notify_post(NULL, "x", 0, 0, NULL, &res), ==, -1);
	CHECK_STR(res.error, "no webhook URL");
	free(u);
}

TEST_LIST = {
        {"retry_then_sent", test_retry_then_sent},
        {"400_final", test_400_final},
        {"5xx_exhausted", test_5xx_exhausted},
        {"dead_port", test_dead_port},
        {"html_not_quoted", test_html_not_quoted},
        {"429_retry_after", test_429_retry_after},
        {"timeout", test_timeout},
        {"abort", test_abort},
        {NULL, NULL},
};
