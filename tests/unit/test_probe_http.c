/* test_probe_http.c - http_fetch against tests/fixtures/http_fixture.py on 127.0.0.1. */
#include "probe_http.h"
#include "test.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "util.h"

#include "fixture.h"

static int get(const char *path, long timeout_ms, struct http_resp *r)
{
	struct http_req req = {0};
	char *u = url(path);
	int rc;

	req.url = u;
	req.timeout_ms = timeout_ms;
	rc = http_fetch(&req, r);
	free(u);
	return rc;
}

static void check_timing(const struct http_resp *r)
{
	CHECK(r->dns_ms >= 0);
	CHECK(r->connect_ms >= 0);
	CHECK(r->tls_ms >= 0);
	CHECK(r->ttfb_ms >= 0);
	CHECK(r->total_ms >= r->ttfb_ms);
	CHECK(r->total_ms > 0);
}

/* ---- tests ---- */

static void test_names(void)
{
	CHECK_STR(http_error_name(HTTP_OK), "ok");
	CHECK_STR(http_error_name(HTTP_DROPPED), "dropped");
	CHECK_STR(http_error_name(HTTP_INTERRUPTED), "interrupted");
	CHECK_STR(http_error_name(HTTP_ERROR__LAST), "other");
}

static void test_get_json(void)
{
	struct http_resp r;

	fx_start("{\"GET /health\": {\"status\": 200, \"json\": {\"status\": \"ok\", \"db\": "
	         "\"ok\"}}}");
	CHECK_INT(http_global_init(NULL, 0), ==, 0);
	CHECK_INT(get("/health", 0, &r), ==, 0);
	CHECK_INT(r.error, ==, HTTP_OK);
	CHECK_INT(r.status, ==, 200);
	CHECK_STR(r.body, "{\"status\": \"ok\", \"db\": \"ok\"}");
	CHECK_INT(r.body_len, ==, strlen(r.body));
	CHECK_INT(r.body_truncated, ==, 0);
	CHECK_STR(r.content_type, "application/json");
	CHECK(r.retry_after == NULL);
	CHECK_STR(r.http_version, "1.1");
	CHECK_STR(r.errmsg, "");
	check_timing(&r);
	CHECK(r.connect_ms >= r.dns_ms);
	CHECK(r.ttfb_ms >= r.connect_ms);
	CHECK(r.tls_ms == 0);
	http_resp_release(&r);
	CHECK(r.body == NULL);
	http_global_cleanup();
}

static void test_500(void)
{
	struct http_resp r;

	fx_start("{\"GET /health\": {\"status\": 500, \"body\": \"boom\"}}");
	CHECK_INT(get("/health", 0, &r), ==, 0);
	CHECK_INT(r.error, ==, HTTP_OK);
	CHECK_INT(r.status, ==, 500);
	CHECK_STR(r.body, "boom");
	CHECK_STR(r.content_type, "text/plain; charset=utf-8");
	http_resp_release(&r);
}

static void test_refused(void)
{
	struct http_req req = {0};
	struct http_resp r;
	char *u = xasprintf("http://127.0.0.1:%d/health", dead_port());

	req.url = u;
	CHECK_INT(http_fetch(&req, &r), ==, -1);
	CHECK_INT(r.error, ==, HTTP_REFUSED);
	CHECK_INT(r.status, ==, 0);
	CHECK(r.body == NULL);
	CHECK(r.errmsg[0] != '\0');
	CHECK_STR(r.http_version, "");
	CHECK(r.total_ms >= 0 && r.total_ms < 2000);
	http_resp_release(&r);
	free(u);
}

static void test_timeout(void)
{
	struct http_resp r;

	fx_start("{\"GET /slow\": {\"status\": 200, \"delay_ms\": 3000, \"body\": \"late\"}}");
	CHECK_INT(get("/slow", 500, &r), ==, -1);
	CHECK_INT(r.error, ==, HTTP_TIMEOUT);
	CHECK_INT(r.status, ==, 0);
	CHECK(r.total_ms >= 450 && r.total_ms < 2500);
	CHECK_CONTAINS(r.errmsg, "timed out");
	http_resp_release(&r);
}

static void test_drop_partial(void)
{
	struct http_resp r;

	fx_start("{\"GET /drop\": {\"action\": \"drop\"}, \"GET /partial\": {\"status\": 200, "
	         "\"action\": \"partial\"}}");
	CHECK_INT(get("/drop", 0, &r), ==, -1);
	CHECK_INT(r.error, ==, HTTP_DROPPED);
	CHECK_INT(r.status, ==, 0);
	http_resp_release(&r);

	CHECK_INT(get("/partial", 0, &r), ==, -1);
	CHECK_INT(r.error, ==, HTTP_DROPPED);
	CHECK(r.errmsg[0] != '\0');
	http_resp_release(&r);
}

static void test_body_cap(void)
{
	struct http_req req = {0};
	struct http_resp r;
	struct buf routes;
	char *u;

	buf_init(&routes, 0);
	buf_puts(&routes, "{\"GET /big\": {\"status\": 200, \"body\": \"");
	for (int i = 0; i < 5000; i++)
		buf_puts(&routes, "x");
	buf_puts(&routes, "\"}}");
	fx_start(routes.p);
	buf_release(&routes);
	u = url("/big");
	req.url = u;
	req.max_body = 1000;
	CHECK_INT(http_fetch(&req, &r), ==, 0);
	CHECK_INT(r.error, ==, HTTP_OK);
	CHECK_INT(r.status, ==, 200);
	CHECK_INT(r.body_truncated, ==, 1);
	CHECK_INT(r.body_len, ==, 1000);
	CHECK_INT(strlen(r.body), ==, 1000);
	check_timing(&r);
	http_resp_release(&r);

	/* under the cap: whole, not truncated */
	req.max_body = 5000;
	CHECK_INT(http_fetch(&req, &r), ==, 0);
	CHECK_INT(r.body_len, ==, 5000);
	CHECK_INT(r.body_truncated, ==, 0);
	http_resp_release(&r);
	free(u);
}

static void test_head(void)
{
	struct http_req req = {0};
	struct http_resp r;
	char *u;
	cJSON *log;

	fx_start("{\"HEAD /h\": {\"status\": 200, \"json\": {\"a\": 1}}}");
	u = url("/h");
	req.url = u;
	req.method = "HEAD";
	CHECK_INT(http_fetch(&req, &r), ==, 0);
	CHECK_INT(r.status, ==, 200);
	CHECK_INT(r.body_len, ==, 0);
	CHECK_STR(r.body, "");
	http_resp_release(&r);
	log = fx_requests();
	CHECK_INT(cJSON_GetArraySize(log), ==, 1);
	CHECK_STR(cJSON_GetObjectItem(cJSON_GetArrayItem(log, 0), "method")->valuestring,
	          "HEAD");
	cJSON_Delete(log);
	free(u);
}

static void test_post_put(void)
{
	struct http_header hd[] = {{"Content-Type", "application/json"}, {"X-Test", "yes"}};
	struct http_req req = {0};
	struct http_resp r;
	const cJSON *e, *h;
	cJSON *log;
	char *u;

	fx_start("{\"* /echo\": {\"status\": 201, \"json\": {\"ok\": true}}}");
	u = url("/echo?x=1");
	req.url = u;
	req.method = "POST";
	req.headers = hd;
	req.nheaders = 2;
	req.body = "{\"a\":1}";
	req.body_len = strlen(req.body);
	CHECK_INT(http_fetch(&req, &r), ==, 0);
	CHECK_INT(r.status, ==, 201);
	http_resp_release(&r);
	req.method = "PUT";
	req.body = "put-data";
	req.body_len = 3; /* only "put" */
	CHECK_INT(http_fetch(&req, &r), ==, 0);
	http_resp_release(&r);

	log = fx_requests();
	CHECK_INT(cJSON_GetArraySize(log), ==, 2);
	e = cJSON_GetArrayItem(log, 0);
	CHECK_STR(cJSON_GetObjectItem(e, "method")->valuestring, "POST");
	CHECK_STR(cJSON_GetObjectItem(e, "path")->valuestring, "/echo");
	CHECK_STR(cJSON_GetObjectItem(e, "query")->valuestring, "x=1");
	CHECK_STR(cJSON_GetObjectItem(e, "body")->valuestring, "{\"a\":1}");
	h = cJSON_GetObjectItem(e, "headers");
	CHECK_STR(cJSON_GetObjectItem(h, "Content-Type")->valuestring, "application/json");
	CHECK_STR(cJSON_GetObjectItem(h, "X-Test")->valuestring, "yes");
	CHECK(cJSON_GetObjectItem(h, "Expect") == NULL);
	e = cJSON_GetArrayItem(log, 1);
	CHECK_STR(cJSON_GetObjectItem(e, "method")->valuestring, "PUT");
	CHECK_STR(cJSON_GetObjectItem(e, "body")->valuestring, "put");
	cJSON_Delete(log);
	free(u);
}

static void test_no_redirect_retry_after(void)
{
	struct http_resp r;
	cJSON *log;

	fx_start("{\"GET /moved\": {\"status\": 302, \"headers\": {\"Location\": \"/health\"}},"
	         " \"GET /busy\": {\"status\": 429, \"headers\": {\"Retry-After\": \" 7 \"}}}");
	CHECK_INT(get("/moved", 0, &r), ==, 0);
	CHECK_INT(r.status, ==, 302);
	http_resp_release(&r);
	CHECK_INT(get("/busy", 0, &r), ==, 0);
	CHECK_INT(r.status, ==, 429);
	CHECK_STR(r.retry_after, "7");
	http_resp_release(&r);
	log = fx_requests();
	CHECK_INT(cJSON_GetArraySize(log), ==, 2); /* the redirect was not followed */
	cJSON_Delete(log);
}

static void *raise_later(void *arg)
{
	sleep_ms(300, NULL);
	*(volatile int *)arg = 1;
	return NULL;
}

static void test_abort(void)
{
	static volatile int stop;
	struct http_req req = {0};
	struct http_resp r;
	pthread_t th;
	int64_t t0;
	double elapsed;
	cJSON *log;
	char *u;

	fx_start("{\"GET /hang\": {\"action\": \"hang\"}}");
	u = url("/hang");
	req.url = u;
	req.timeout_ms = 20000;
	req.abort = &stop;
	stop = 1; /* raised before: no request at all */
	CHECK_INT(http_fetch(&req, &r), ==, -1);
	CHECK_INT(r.error, ==, HTTP_INTERRUPTED);
	http_resp_release(&r);
	log = fx_requests();
	CHECK_INT(cJSON_GetArraySize(log), ==, 0);
	cJSON_Delete(log);

	/* raised 300 ms into a request that never gets an answer: it stops within 100 ms */
	stop = 0;
	t0 = clock_mono_ns();
	CHECK_INT(pthread_create(&th, NULL, raise_later, (void *)&stop), ==, 0);
	CHECK_INT(http_fetch(&req, &r), ==, -1);
	elapsed = (double)(clock_mono_ns() - t0) / 1e6;
	pthread_join(th, NULL);
	CHECK_INT(r.error, ==, HTTP_INTERRUPTED);
	CHECK_STR(r.errmsg, "interrupted");
	if (!(elapsed >= 290 && elapsed < 900))
		TEST_FAIL_AT("stopped after %.1f ms", elapsed);
	http_resp_release(&r);
	free(u);
}

static void test_dns_and_protocols(void)
{
	struct http_req req = {0};
	struct http_resp r;

	req.url = "http://runbook-test.invalid/health";
	req.timeout_ms = 4000;
	CHECK_INT(http_fetch(&req, &r), ==, -1);
	CHECK_INT(r.error, ==, HTTP_DNS);
	http_resp_release(&r);

	req.url = "file:///etc/passwd";
	CHECK_INT(http_fetch(&req, &r), ==, -1);
	CHECK_INT(r.error, ==, HTTP_OTHER);
	CHECK(r.body == NULL);
	http_resp_release(&r);
}

TEST_LIST = {
        {"names", test_names},
        {"get_json", test_get_json},
        {"status_500", test_500},
        {"refused", test_refused},
        {"timeout", test_timeout},
        {"drop_partial", test_drop_partial},
        {"body_cap", test_body_cap},
        {"head", test_head},
        {"post_put", test_post_put},
        {"no_redirect_retry_after", test_no_redirect_retry_after},
        {"abort", test_abort},
        {"dns_and_protocols", test_dns_and_protocols},
        {NULL, NULL},
};
