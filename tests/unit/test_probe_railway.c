/* test_probe_railway.c - the Railway answers' parser and the choice of the rollback target. */
#include "probe_railway.h"
#include "test.h"

#include "probe_http.h"
#include "util.h"

/* The documented answer shape of deployments(input, first) { edges { node { ... } } },
 * newest not first, to check the sort. */
static const char deploys_body[] =
        "{\"data\": {\"deployments\": {\"edges\": ["
        "{\"node\": {\"id\": \"d-1\", \"status\": \"REMOVED\", \"createdAt\": "
        "\"2026-12-01T10:00:00.000Z\", \"canRollback\": true}},"
        "{\"node\": {\"id\": \"d-4\", \"status\": \"SUCCESS\", \"createdAt\": "
        "\"2026-12-04T14:50:00.000Z\", \"canRollback\": true}},"
        "{\"node\": {\"id\": \"d-3\", \"status\": \"FAILED\", \"createdAt\": "
        "\"2026-12-03T09:00:00.000Z\", \"canRollback\": false}},"
        "{\"node\": {\"id\": \"d-2\", \"status\": \"REMOVED\", \"createdAt\": "
        "\"2026-12-02T09:00:00.000Z\", \"canRollback\": true}}]}}}";

static void test_parse(void)
{
	struct railway_result res;
	double t;

	memset(&res, 0, sizeof(res));
	CHECK_INT(railway_parse_deployments(deploys_body, &res), ==, 0);
	CHECK_INT(res.status, ==, RAILWAY_OK);
	CHECK_INT(res.n, ==, 4);
	CHECK_STR(res.d[0].id, "d-4"); /* newest first */
	CHECK_STR(res.d[1].id, "d-3");
	CHECK_STR(res.d[3].id, "d-1");
	CHECK_STR(res.d[0].status, "SUCCESS");
	CHECK_STR(res.d[0].created_at, "2026-12-04T14:50:00.000Z");
	CHECK_INT(time_parse("2026-12-04T14:50:00Z", &t), ==, 0);
	CHECK(res.d[0].created_ts == t);
	CHECK_INT(res.d[1].can_rollback, ==, 0);
	CHECK_INT(res.active, ==, 0);
	CHECK_INT(res.previous, ==, 2); /* d-2: the failed d-3 never served */
	CHECK_STR(res.d[res.previous].id, "d-2");
}

static void test_pick(void)
{
	struct railway_deploy d[4];
	int a, p;

	memset(d, 0, sizeof(d));
	snprintf(d[0].status, sizeof(d[0].status), "BUILDING");
	snprintf(d[1].status, sizeof(d[1].status), "SUCCESS");
	snprintf(d[2].status, sizeof(d[2].status), "REMOVED");
	snprintf(d[3].status, sizeof(d[3].status), "SUCCESS");
	d[2].can_rollback = 0;  /* past the retention: not a target */
	d[3].can_rollback = -1; /* field absent: allowed */
	railway_pick(d, 4, &a, &p);
	CHECK_INT(a, ==, 1);
	CHECK_INT(p, ==, 3);
	railway_pick(d, 1, &a, &p);
	CHECK_INT(a, ==, -1);
	CHECK_INT(p, ==, -1);
	railway_pick(d, 2, &a, &p); /* one deployment only: nothing to go back to */
	CHECK_INT(a, ==, 1);
	CHECK_INT(p, ==, -1);
	railway_pick(d, 0, &a, &p);
	CHECK_INT(a, ==, -1);
}

static void test_errors(void)
{
	struct railway_result res;

	memset(&res, 0, sizeof(res));
	CHECK_INT(railway_parse_deployments("{\"errors\": [{\"message\": \"Not Authorized\", "
	                                    "\"path\": [\"deployments\"]}], \"data\": null}",
	                                    &res),
	          ==, -1);
	CHECK_INT(res.status, ==, RAILWAY_AUTH);
	CHECK_STR(res.error, "GraphQL error: Not Authorized");
	CHECK_INT(railway_parse_deployments("{\"errors\": [{\"message\": \"Cannot query field "
	                                    "\\\"x\\\"\"}]}",
	                                    &res),
	          ==, -1);
	CHECK_INT(res.status, ==, RAILWAY_GRAPHQL);
	CHECK_INT(railway_parse_deployments("<html>502</html>", &res), ==, -1);
	CHECK_INT(res.status, ==, RAILWAY_MALFORMED);
	CHECK_INT(railway_parse_deployments("{\"data\": {\"deployments\": {\"nodes\": []}}}",
	                                    &res),
	          ==, -1);
	CHECK_INT(res.status, ==, RAILWAY_MALFORMED);
	CHECK_CONTAINS(res.error, "edges");
	CHECK_INT(railway_parse_deployments(
	                  "{\"data\": {\"deployments\": {\"edges\": [{\"node\": "
	                  "{\"id\": \"d\", \"createdAt\": \"2026-01-01T00:00:00Z\"}}]}}}",
	                  &res),
	          ==, -1);
	CHECK_STR(res.error, "deployment 1 lacks id, status or createdAt");
	CHECK_INT(railway_parse_deployments("{\"data\": {\"deployments\": {\"edges\": []}}}",
	                                    &res),
	          ==, 0);
	CHECK_INT(res.n, ==, 0);
	CHECK_INT(res.active, ==, -1);
	CHECK_INT(res.previous, ==, -1);
	CHECK_STR(railway_status_name(RAILWAY_GRAPHQL), "graphql_error");
	CHECK_STR(railway_status_name(RAILWAY_STATUS__LAST), "?");
}

static void test_unreachable_is_an_outcome(void)
{
	struct railway_req q;
	struct railway_result res;

	http_global_init(NULL, 0);
	memset(&q, 0, sizeof(q));
	q.api_url = "http://127.0.0.1:1/graphql/v2";
	q.token = "rw-t0ken-for-test";
	q.service_id = "s";
	q.timeout_ms = 1000;
	CHECK_INT(railway_deployments(&q, &res), ==, -1);
	CHECK_INT(res.status, ==, RAILWAY_NET);
	CHECK_STR(res.net, "refused");
	CHECK_NOT_CONTAINS(res.error, "t0ken");
	CHECK_INT(railway_rollback(&q, "d-1", &res), ==, -1);
	CHECK_INT(res.status, ==, RAILWAY_NET);
}

TEST_LIST = {
        {"parse", test_parse},
        {"pick", test_pick},
        {"errors", test_errors},
        {"unreachable_is_an_outcome", test_unreachable_is_an_outcome},
        {NULL, NULL},
};
