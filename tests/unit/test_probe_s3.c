/* test_probe_s3.c - the parts of the S3 probe that need no server: the bounded XML
 * <Code> extractor, path-style URLs with encoded keys, result names, and the round trip
 * against a closed port (every step tried, the clean-up DELETE included). */
#include "probe_s3.h"
#include "test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "probe_http.h"

static const char error_xml[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we "
        "calculated does not match &amp; so on &lt;x&gt;</Message>"
        "<AWSAccessKeyId>AKSECRETID</AWSAccessKeyId></Error>";

static void test_code(void)
{
	char out[64];

	CHECK_INT(s3_xml_text(error_xml, sizeof(error_xml) - 1, "Code", out, sizeof(out)), ==,
	          0);
	CHECK_STR(out, "SignatureDoesNotMatch");
}

static void test_message_entities(void)
{
	char out[256];

	CHECK_INT(s3_xml_text(error_xml, sizeof(error_xml) - 1, "Message", out, sizeof(out)),
	          ==, 0);
	CHECK_STR(out, "The request signature we calculated does not match & so on <x>");
}

static void test_missing_and_unclosed(void)
{
	char out[32] = "junk";
	const char *open_only = "<Error><Code>NoSuchBu";

	CHECK_INT(s3_xml_text(error_xml, sizeof(error_xml) - 1, "Nope", out, sizeof(out)), ==,
	          -1);
	CHECK_STR(out, "");
	CHECK_INT(s3_xml_text(open_only, strlen(open_only), "Code", out, sizeof(out)), ==, -1);
	CHECK_INT(s3_xml_text("", 0, "Code", out, sizeof(out)), ==, -1);
	CHECK_INT(s3_xml_text(NULL, 0, "Code", out, sizeof(out)), ==, -1);
	CHECK_INT(s3_xml_text("<html>oops</html>", 17, "Code", out, sizeof(out)), ==, -1);
}

static void test_bounded(void)
{
	/* the length bounds the search: a closing tag past len is not seen */
	const char *x = "<Code>NoSuchBucket</Code>";
	char out[8];

	CHECK_INT(s3_xml_text(x, 20, "Code", out, sizeof(out)), ==, -1);
	/* the output is cut at its size, NUL-terminated */
	CHECK_INT(s3_xml_text(x, strlen(x), "Code", out, sizeof(out)), ==, 0);
	CHECK_STR(out, "NoSuchB");
	/* no embedded markup */
	CHECK_INT(s3_xml_text("<Code>a<b>c</b></Code>", 22, "Code", out, sizeof(out)), ==, 0);
	CHECK_STR(out, "a");
}

static void test_url(void)
{
	char url[256];

	CHECK_INT(s3_url("https://acct.r2.cloudflarestorage.com/", "bilko-receipts", NULL, NULL,
	                 url, sizeof(url)),
	          ==, 0);
	CHECK_STR(url, "https://acct.r2.cloudflarestorage.com/bilko-receipts");
	CHECK_INT(s3_url("http://127.0.0.1:9000", "b", "runbook-probe/ab12-0f0f", NULL, url,
	                 sizeof(url)),
	          ==, 0);
	CHECK_STR(url, "http://127.0.0.1:9000/b/runbook-probe/ab12-0f0f");
	CHECK_INT(s3_url("http://h", "b", "a b+c?d", NULL, url, sizeof(url)), ==, 0);
	CHECK_STR(url, "http://h/b/a%20b%2Bc%3Fd");
	CHECK_INT(s3_url("http://h", "b", NULL, "list-type=2&max-keys=1", url, sizeof(url)), ==,
	          0);
	CHECK_STR(url, "http://h/b?list-type=2&max-keys=1");
	CHECK_INT(s3_url("http://h", "b", "k", NULL, url, 8), ==, -1);
	CHECK_INT(s3_url(NULL, "b", "k", NULL, url, sizeof(url)), ==, -1);
}

static void test_names(void)
{
	CHECK_STR(s3_result_name(S3_OK), "ok");
	CHECK_STR(s3_result_name(S3_FORBIDDEN), "forbidden");
	CHECK_STR(s3_result_name(S3_NOT_FOUND), "not_found");
	CHECK_STR(s3_result_name(S3_UNREACHABLE), "unreachable");
	CHECK_STR(s3_result_name(S3_FAIL), "fail");
	CHECK_STR(s3_result_name((enum s3_result)99), "fail");
}

/* A port on 127.0.0.1 that nothing listens on. */
static int closed_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(fd >= 0);
	CHECK(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	CHECK(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static void test_unreachable(void)
{
	char endpoint[64];
	struct s3_conf c = {
	        .bucket = "b", .access_key = "AK", .secret_key = "SK", .timeout_ms = 1000};
	struct s3_op op;
	struct s3_roundtrip rt;

	CHECK_INT(http_global_init(NULL, 0), ==, 0);
	snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d", closed_port());
	c.endpoint = endpoint;
	CHECK_INT(s3_head_bucket(&c, &op), ==, S3_UNREACHABLE);
	CHECK_STR(op.error, "refused");
	CHECK_INT(op.status, ==, 0);
	CHECK_INT(s3_roundtrip(&c, "runbook-probe/x", "hi", 2, &rt), ==, S3_UNREACHABLE);
	CHECK(rt.failed == &rt.put);
	CHECK_INT(rt.ran_get, ==, 0);
	/* the DELETE was still attempted */
	CHECK_STR(rt.del.method, "DELETE");
	CHECK_STR(rt.del.error, "refused");
	CHECK_INT(rt.deleted, ==, 0);
}

static void test_abort_still_deletes(void)
{
	volatile int stop = 1;
	char endpoint[64];
	struct s3_conf c = {.bucket = "b",
	                    .access_key = "AK",
	                    .secret_key = "SK",
	                    .timeout_ms = 1000,
	                    .abort = &stop};
	struct s3_roundtrip rt;

	CHECK_INT(http_global_init(NULL, 0), ==, 0);
	snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d", closed_port());
	c.endpoint = endpoint;
	s3_roundtrip(&c, "k", "hi", 2, &rt);
	CHECK_STR(rt.put.error, "interrupted");
	/* Ctrl-C stops the PUT, never the clean-up: the DELETE went out (and was refused) */
	CHECK_STR(rt.del.error, "refused");
}

TEST_LIST = {
        {"code", test_code},
        {"message_entities", test_message_entities},
        {"missing_and_unclosed", test_missing_and_unclosed},
        {"bounded", test_bounded},
        {"url", test_url},
        {"names", test_names},
        {"unreachable", test_unreachable},
        {"abort_still_deletes", test_abort_still_deletes},
        {NULL, NULL},
};
