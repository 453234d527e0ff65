/* test_check.c - the sweep's pieces: --only, percentiles, certificate dates, host:port,
 * which checks a configuration selects, and the JSON of a sweep. */
#include "test.h"

#include "check.h"
#include "config.h"
#include "util.h"

static void test_parse_only(void)
{
	unsigned m = 0;
	char err[256];

	CHECK_INT(check_parse_only("api,database", &m, err, sizeof(err)), ==, 0);
	CHECK_INT(m, ==, (1u << CHK_API) | (1u << CHK_DATABASE));
	CHECK_INT(check_parse_only("certs", &m, err, sizeof(err)), ==, 0);
	CHECK_INT(m, ==, 1u << CHK_CERTS);
	CHECK_INT(check_parse_only("api,nope", &m, err, sizeof(err)), ==, -1);
	CHECK_CONTAINS(err, "unknown check 'nope'");
	CHECK_INT(check_parse_only("", &m, err, sizeof(err)), ==, -1);
	CHECK_INT(check_parse_only("api,", &m, err, sizeof(err)), ==, 0);
	CHECK_INT(check_parse_only(",", &m, err, sizeof(err)), ==, -1);
}

static void test_percentile(void)
{
	double v[20];

	for (int i = 0; i < 20; i++)
		v[i] = 100; /* 19 fast */
	v[7] = 900;         /* one slow: p95 of 20 is the 19th value, still fast */
	CHECK_INT((long)check_percentile(v, 20, 95), ==, 100);
	v[3] = 800; /* two slow: the 19th is slow */
	CHECK_INT((long)check_percentile(v, 20, 95), ==, 800);
	CHECK_INT((long)check_percentile(v, 20, 100), ==, 900);
	CHECK_INT((long)check_percentile(v, 20, 50), ==, 100);
	CHECK_INT((long)check_percentile(v, 0, 95), ==, 0);
	v[0] = 42;
	CHECK_INT((long)check_percentile(v, 1, 95), ==, 42);
}

static void test_cert_date(void)
{
	double t;

	CHECK_INT(check_cert_date("Dec 14 15:06:00 2026 GMT", &t), ==, 0);
	CHECK_INT((long long)t, ==, 1797260760LL);
	/* libcurl pads the day with a space */
	CHECK_INT(check_cert_date("Feb  1 00:00:00 2020 GMT", &t), ==, 0);
	CHECK_INT((long long)t, ==, 1580515200LL);
	CHECK_INT(check_cert_date("Feb 31 garbage", &t), ==, -1);
	CHECK_INT(check_cert_date("Dec 14 15:06:00 2026 GMT trailing", &t), ==, -1);
	CHECK_INT(check_cert_date("", &t), ==, -1);
}

static void test_host_port(void)
{
	char h[64];
	long p;

	CHECK_INT(check_host_port("bilko.io:443", h, sizeof(h), &p), ==, 0);
	CHECK_STR(h, "bilko.io");
	CHECK_INT(p, ==, 443);
	CHECK_INT(check_host_port("api.bilko.io", h, sizeof(h), &p), ==, 0);
	CHECK_STR(h, "api.bilko.io");
	CHECK_INT(p, ==, 443);
	CHECK_INT(check_host_port("https://bilko.io:8443/x", h, sizeof(h), &p), ==, 0);
	CHECK_STR(h, "bilko.io");
	CHECK_INT(p, ==, 8443);
	CHECK_INT(check_host_port("[::1]:4433", h, sizeof(h), &p), ==, 0);
	CHECK_STR(h, "::1");
	CHECK_INT(p, ==, 4433);
	CHECK_INT(check_host_port("host:0", h, sizeof(h), &p), ==, -1);
	CHECK_INT(check_host_port("host:99999", h, sizeof(h), &p), ==, -1);
	CHECK_INT(check_host_port("a:b:c", h, sizeof(h), &p), ==, -1);
	CHECK_INT(check_host_port(":443", h, sizeof(h), &p), ==, -1);
	CHECK_INT(check_host_port("", h, sizeof(h), &p), ==, -1);
}

static void test_plan(void)
{
	struct config *c = NULL;
	struct sweep_opts o;
	struct sweep sw;
	char err[512];

	unsetenv("NO_SUCH_R2");
	CHECK_INT(config_parse(
	                  "t",
	                  "{\"api\": {\"url\": \"http://x\"}, \"frontend\": {},"
	                  " \"storage\": {\"endpoint\": \"env:NO_SUCH_R2\", \"bucket\": \"b\"},"
	                  " \"certs\": {\"hosts\": [\"a:1\"]}}",
	                  &c, err, sizeof(err)),
	          ==, 0);
	memset(&o, 0, sizeof(o));
	o.cfg = c;
	sweep_plan(&o, &sw);
	CHECK_INT(sw.nselected, ==, 2);
	CHECK(sw.checks[CHK_API].selected);
	CHECK(sw.checks[CHK_CERTS].selected);
	CHECK(!sw.checks[CHK_DATABASE].selected);
	CHECK_STR(sw.checks[CHK_DATABASE].missing, ""); /* no section: not listed at all */
	CHECK(!sw.checks[CHK_FRONTEND].selected);
	CHECK_CONTAINS(sw.checks[CHK_FRONTEND].missing, "frontend.url");
	CHECK_CONTAINS(sw.checks[CHK_STORAGE].missing, "NO_SUCH_R2");
	o.only = 1u << CHK_CERTS;
	sweep_plan(&o, &sw);
	CHECK_INT(sw.nselected, ==, 1);
	CHECK(!sw.checks[CHK_API].selected);
	config_free(c);
}

static void test_json_and_summary(void)
{
	struct sweep sw;
	cJSON *doc;
	char *text, sum[512];

	memset(&sw, 0, sizeof(sw));
	sw.checks[CHK_API].selected = 1;
	sw.checks[CHK_API].status = CHECK_WARN;
	sw.checks[CHK_API].ms = 412.4;
	snprintf(sw.checks[CHK_API].detail, sizeof(sw.checks[0].detail), "p95 1200 ms");
	sw.checks[CHK_API].data = cJSON_CreateObject();
	sw.checks[CHK_DATABASE].selected = 1;
	sw.checks[CHK_DATABASE].status = CHECK_FAIL;
	snprintf(sw.checks[CHK_DATABASE].detail, sizeof(sw.checks[0].detail), "refused");
	snprintf(sw.checks[CHK_STORAGE].missing, sizeof(sw.checks[0].missing),
	         "'x' is not set");
	sw.nselected = 2;
	sw.nwarn = 1;
	sw.nfail = 1;
	sw.elapsed_ms = 415.6;
	doc = sweep_json(&sw, 0);
	text = cJSON_PrintUnformatted(doc);
	CHECK_STR(text,
	          "{\"ok\":false,\"elapsed_ms\":416,\"checks\":[{\"name\":\"api\",\"status\":"
	          "\"warn\",\"ms\":412,\"detail\":\"p95 1200 ms\"},{\"name\":\"database\","
	          "\"status\":\"fail\",\"ms\":0,\"detail\":\"refused\"}],\"skipped\":[{"
	          "\"name\":\"storage\",\"reason\":\"'x' is not set\"}]}");
	free(text);
	cJSON_Delete(doc);
	sweep_summary(&sw, sum, sizeof(sum));
	CHECK_STR(sum, "2 of 2 not ok: database fail (refused); api warn (p95 1200 ms)");
	sw.checks[CHK_DATABASE].selected = 0;
	sw.nselected = 1;
	sw.nwarn = sw.nfail = 0;
	sw.nok = 1;
	sweep_summary(&sw, sum, sizeof(sum));
	CHECK_STR(sum, "all 1 check ok");
	sweep_release(&sw);
}

static void test_nothing_runs(void)
{
	struct config *c = NULL;
	struct sweep_opts o;
	struct sweep sw;
	char err[512];

	CHECK_INT(config_parse("t", "{}", &c, err, sizeof(err)), ==, 0);
	memset(&o, 0, sizeof(o));
	o.cfg = c;
	CHECK_INT(sweep_run(&o, &sw), ==, 0);
	CHECK_INT(sw.nselected, ==, 0);
	sweep_release(&sw);
	config_free(c);
}

TEST_LIST = {
        {"parse_only", test_parse_only},
        {"percentile", test_percentile},
        {"cert_date", test_cert_date},
        {"host_port", test_host_port},
        {"plan", test_plan},
        {"json_and_summary", test_json_and_summary},
        {"nothing_runs", test_nothing_runs},
        {NULL, NULL},
};
