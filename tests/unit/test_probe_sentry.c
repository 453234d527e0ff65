/* test_probe_sentry.c - the Sentry answers' parsers: issue list, tags, Link header. */
#include "probe_sentry.h"
#include "test.h"

#include "probe_http.h"
#include "util.h"

/* The documented "List a Project's Issues" item (docs.sentry.io), two of them. */
static const char issues_body[] =
        "[{\"annotations\": [], \"assignedTo\": null, \"count\": \"1\", \"culprit\": "
        "\"raven.scripts.runner in main\", \"firstSeen\": \"2018-11-06T21:19:55Z\", "
        "\"hasSeen\": false, \"id\": \"1\", \"isBookmarked\": false, \"isPublic\": false, "
        "\"isSubscribed\": true, \"lastSeen\": \"2018-11-06T21:19:55Z\", \"level\": \"error\", "
        "\"logger\": null, \"metadata\": {\"title\": \"This is an example Python exception\"}, "
        "\"numComments\": 0, \"permalink\": \"https://sentry.io/the-interstellar-jurisdiction/"
        "pump-station/issues/1/\", \"project\": {\"id\": \"2\", \"name\": \"Pump Station\", "
        "\"slug\": \"pump-station\"}, \"shareId\": null, \"shortId\": \"PUMP-STATION-1\", "
        "\"stats\": {\"24h\": [[1541455200, 473], [1541458800, 914]]}, \"status\": "
        "\"unresolved\", \"statusDetails\": {}, \"subscriptionDetails\": null, \"title\": "
        "\"This is an example Python exception\", \"type\": \"default\", \"userCount\": 0},"
        " {\"id\": \"2\", \"shortId\": \"PUMP-STATION-2\", \"title\": \"VAT mismatch\", "
        "\"count\": 1523, \"firstSeen\": \"2026-12-04T15:03:12.123456Z\", \"lastSeen\": "
        "\"2026-12-04T15:10:00.5Z\"}]";

/* The issue tags endpoint: key, name, totalValues, topValues[{key, name, value, count}]. */
static const char tags_body[] =
        "[{\"key\": \"browser\", \"name\": \"Browser\", \"totalValues\": 2, \"topValues\": "
        "[{\"key\": \"browser\", \"name\": \"Chrome 65.0\", \"value\": \"Chrome 65.0\", "
        "\"count\": 2, \"lastSeen\": \"2018-12-20T23:32:25Z\", \"firstSeen\": "
        "\"2018-12-20T23:32:25Z\"}]}, {\"key\": \"category\", \"name\": \"Category\", "
        "\"totalValues\": 9, \"topValues\": [{\"key\": \"category\", \"name\": \"billing\", "
        "\"value\": \"billing\", \"count\": 3}, {\"key\": \"category\", \"name\": "
        "\"financial-logic\", \"value\": \"financial-logic\", \"count\": 6}]}]";

static void test_parse_issues(void)
{
	struct sentry_issue is[4];
	size_t n, total;
	char err[128];
	double t;

	CHECK_INT(sentry_parse_issues(issues_body, is, 4, &n, &total, err, sizeof(err)), ==, 0);
	CHECK_INT(n, ==, 2);
	CHECK_INT(total, ==, 2);
	CHECK_STR(is[0].id, "1");
	CHECK_STR(is[0].short_id, "PUMP-STATION-1");
	CHECK_STR(is[0].title, "This is an example Python exception");
	CHECK_STR(is[0].culprit, "raven.scripts.runner in main");
	CHECK_STR(is[0].level, "error");
	CHECK_INT(is[0].count, ==, 1); /* a string in the API */
	CHECK_STR(is[0].first_seen, "2018-11-06T21:19:55Z");
	CHECK_INT(time_parse("2018-11-06T21:19:55Z", &t), ==, 0);
	CHECK(is[0].first_ts == t);
	CHECK_INT(is[0].tags_known, ==, 0);
	CHECK_INT(is[1].count, ==, 1523); /* a number is taken too */
	CHECK(is[1].last_ts > is[1].first_ts);
	CHECK_STR(is[1].culprit, "");
	/* a cap on what is stored, not on what is counted */
	CHECK_INT(sentry_parse_issues(issues_body, is, 1, &n, &total, err, sizeof(err)), ==, 0);
	CHECK_INT(n, ==, 1);
	CHECK_INT(total, ==, 2);
	CHECK_INT(sentry_parse_issues("[]", is, 4, &n, &total, err, sizeof(err)), ==, 0);
	CHECK_INT(n, ==, 0);
}

static void test_parse_issues_bad(void)
{
	struct sentry_issue is[4];
	size_t n, total;
	char err[128];

	CHECK_INT(
	        sentry_parse_issues("{\"detail\": \"x\"}", is, 4, &n, &total, err, sizeof(err)),
	        ==, -1);
	CHECK_STR(err, "the issue list is not a JSON array");
	CHECK_INT(sentry_parse_issues("[{\"id\": \"1\", ", is, 4, &n, &total, err, sizeof(err)),
	          ==, -1);
	CHECK_INT(sentry_parse_issues(NULL, is, 4, &n, &total, err, sizeof(err)), ==, -1);
	CHECK_INT(sentry_parse_issues("[{\"id\": \"1\"}, {\"title\": \"no id\"}]", is, 4, &n,
	                              &total, err, sizeof(err)),
	          ==, -1);
	CHECK_STR(err, "issue 2 of the list has no \"id\"");
	/* a count that is not a count */
	CHECK_INT(sentry_parse_issues("[{\"id\": \"1\", \"count\": \"many\"}]", is, 4, &n,
	                              &total, err, sizeof(err)),
	          ==, 0);
	CHECK_INT(is[0].count, ==, -1);
	CHECK(is[0].first_ts == 0);
}

static void test_parse_tags(void)
{
	struct sentry_issue is;
	char err[128];

	memset(&is, 0, sizeof(is));
	CHECK_INT(sentry_parse_tags(tags_body, &is, err, sizeof(err)), ==, 0);
	CHECK_INT(is.tags_known, ==, 1);
	CHECK_INT(is.ntags, ==, 3);
	CHECK_STR(is.tags[0].key, "browser");
	CHECK_STR(is.tags[0].value, "Chrome 65.0");
	CHECK_STR(is.tags[2].value, "financial-logic");
	CHECK_INT(is.financial, ==, 1);
	CHECK_STR(is.financial_tag, "category=financial-logic");

	/* the key itself, any case */
	memset(&is, 0, sizeof(is));
	CHECK_INT(sentry_parse_tags("[{\"key\": \"Financial-Logic\", \"topValues\": []}]", &is,
	                            err, sizeof(err)),
	          ==, 0);
	CHECK_INT(is.financial, ==, 1);
	CHECK_STR(is.financial_tag, "Financial-Logic");

	/* the event shape [{key, value}] */
	memset(&is, 0, sizeof(is));
	CHECK_INT(sentry_parse_tags("[{\"key\": \"level\", \"value\": \"error\"}, {\"key\": "
	                            "\"domain\", \"value\": \"financial-logic\"}]",
	                            &is, err, sizeof(err)),
	          ==, 0);
	CHECK_INT(is.financial, ==, 1);
	CHECK_STR(is.financial_tag, "domain=financial-logic");

	/* near misses are not the tag */
	memset(&is, 0, sizeof(is));
	CHECK_INT(
	        sentry_parse_tags("[{\"key\": \"financial\", \"value\": \"logic\"}, {\"key\": "
	                          "\"x\", \"value\": \"financial-logic-v2\"}]",
	                          &is, err, sizeof(err)),
	        ==, 0);
	CHECK_INT(is.financial, ==, 0);

	memset(&is, 0, sizeof(is));
	CHECK_INT(sentry_parse_tags("{\"detail\": \"not found\"}", &is, err, sizeof(err)), ==,
	          -1);
	CHECK_STR(err, "the tag list is not a JSON array");
	CHECK_INT(is.tags_known, ==, 0);
}

static void test_tags_in_list_and_cap(void)
{
	struct sentry_issue is[1];
	struct buf b;
	size_t n, total;
	char err[128];

	/* more pairs than kept: the tag is still found past the cap */
	buf_init(&b, 0);
	buf_puts(&b, "[{\"id\": \"9\", \"tags\": [");
	for (int i = 0; i < SENTRY_MAX_TAGS + 5; i++)
		buf_printf(&b, "{\"key\": \"k%d\", \"value\": \"v\"},", i);
	buf_puts(&b, "{\"key\": \"category\", \"value\": \"financial-logic\"}]}]");
	CHECK_INT(sentry_parse_issues(b.p, is, 1, &n, &total, err, sizeof(err)), ==, 0);
	CHECK_INT(is[0].tags_known, ==, 1);
	CHECK_INT(is[0].ntags, ==, SENTRY_MAX_TAGS);
	CHECK_INT(is[0].financial, ==, 1);
	buf_release(&b);
}

static void test_link_next(void)
{
	char c[64];

	/* the documented header (docs/api/pagination) */
	CHECK_INT(sentry_link_next(
	                  "<https://sentry.io/api/0/organizations/acme/issues/123456/"
	                  "events/?&cursor=0:0:1>; rel=\"previous\"; results=\"false\"; "
	                  "cursor=\"0:0:1\", <https://sentry.io/api/0/organizations/acme/"
	                  "issues/123456/events/?&cursor=0:100:0>; rel=\"next\"; "
	                  "results=\"true\"; cursor=\"0:100:0\"",
	                  c, sizeof(c)),
	          ==, 1);
	CHECK_STR(c, "0:100:0");
	/* the last page */
	CHECK_INT(sentry_link_next(
	                  "<https://x/?&cursor=0:0:1>; rel=\"previous\"; "
	                  "results=\"true\"; cursor=\"0:0:1\", <https://x/?&cursor=0:200:0>; "
	                  "rel=\"next\"; results=\"false\"; cursor=\"0:200:0\"",
	                  c, sizeof(c)),
	          ==, 0);
	/* the older form: no cursor parameter, the cursor in the URL */
	CHECK_INT(sentry_link_next(
	                  "<https://sentry.io/api/0/projects/1/groups/?&cursor="
	                  "1420837590:0:1>; rel=\"previous\"; results=\"false\", "
	                  "<https://sentry.io/api/0/projects/1/groups/?&cursor=1420837533:0:0>;"
	                  " rel=\"next\"; results=\"true\"",
	                  c, sizeof(c)),
	          ==, 1);
	CHECK_STR(c, "1420837533:0:0");
	CHECK_INT(sentry_link_next(NULL, c, sizeof(c)), ==, 0);
	CHECK_INT(sentry_link_next("", c, sizeof(c)), ==, 0);
	CHECK_INT(sentry_link_next("<https://x/>; rel=\"previous\"", c, sizeof(c)), ==, 0);
	CHECK_INT(sentry_link_next("<https://x/?cursor=1; rel=\"next\"", c, sizeof(c)), ==, -1);
	CHECK_INT(
	        sentry_link_next("<https://x/>; rel=\"next\"; results=\"true\"", c, sizeof(c)),
	        ==, -1);
	/* a cursor too long for the buffer */
	CHECK_INT(sentry_link_next("<https://x/>; rel=\"next\"; results=\"true\"; cursor=\""
	                           "0123456789012345678901234567890123456789\"",
	                           c, 8),
	          ==, -1);
}

static void test_names(void)
{
	CHECK_STR(sentry_status_name(SENTRY_OK), "ok");
	CHECK_STR(sentry_status_name(SENTRY_AUTH), "unauthorized");
	CHECK_STR(sentry_status_name(SENTRY_RATE_LIMITED), "rate_limited");
	CHECK_STR(sentry_status_name(SENTRY_MALFORMED), "malformed");
	CHECK_STR(sentry_status_name(SENTRY_NET), "unreachable");
	CHECK_STR(sentry_status_name(SENTRY_STATUS__LAST), "?");
}

static void test_unreachable_is_an_outcome(void)
{
	struct sentry_req q;
	struct sentry_result res;
	long long count;

	http_global_init(NULL, 0);
	memset(&q, 0, sizeof(q));
	q.base_url = "http://127.0.0.1:1"; /* nothing listens on port 1 */
	q.org = "bilko";
	q.project = "bilko-backend";
	q.token = "t0ken-for-test";
	q.timeout_ms = 1000;
	CHECK_INT(sentry_top_issues(&q, &res), ==, -1);
	CHECK_INT(res.status, ==, SENTRY_NET);
	CHECK_STR(res.net, "refused");
	CHECK_NOT_CONTAINS(res.error, "t0ken");
	CHECK_INT(res.n, ==, 0);
	sentry_result_release(&res);
	CHECK_INT(sentry_issue_count(&q, "1", &count, &res), ==, -1);
	CHECK_INT(count, ==, -1);
	sentry_result_release(&res);
}

TEST_LIST = {
        {"parse_issues", test_parse_issues},
        {"parse_issues_bad", test_parse_issues_bad},
        {"parse_tags", test_parse_tags},
        {"tags_in_list_and_cap", test_tags_in_list_and_cap},
        {"link_next", test_link_next},
        {"names", test_names},
        {"unreachable_is_an_outcome", test_unreachable_is_an_outcome},
        {NULL, NULL},
};
