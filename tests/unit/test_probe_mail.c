/* test_probe_mail.c - the parts of the mail probe that need no server: the SendGrid v3
 * mail/send body, the RFC 5322 message and its date, refusals of header injection, and
 * an SMTP send to a closed port. */
#include "probe_mail.h"
#include "test.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "probe_http.h"

static const struct mail_msg msg = {
        .from = "noreply@bilko.io",
        .to = "ops@bilko.io",
        .subject = "[runbook] email test, incident 8e43281b",
        .text = "line one\nline two\n.leading dot\n",
        .incident = "8e43281b-7446-4c76-a84d-4b0fd6e5e71a",
};

static void test_sendgrid_body(void)
{
	char *text = sendgrid_mail_body(&msg);
	cJSON *j = cJSON_Parse(text);
	const cJSON *p, *c;

	CHECK(j != NULL);
	p = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "personalizations"), 0);
	CHECK_STR(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(p, "to"), 0),
	                              "email")
	                  ->valuestring,
	          "ops@bilko.io");
	CHECK_STR(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "from"), "email")->valuestring,
	          "noreply@bilko.io");
	CHECK_STR(cJSON_GetObjectItem(j, "subject")->valuestring, msg.subject);
	c = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "content"), 0);
	CHECK_STR(cJSON_GetObjectItem(c, "type")->valuestring, "text/plain");
	CHECK_STR(cJSON_GetObjectItem(c, "value")->valuestring, msg.text);
	CHECK_STR(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "headers"), "X-Runbook-Incident")
	                  ->valuestring,
	          msg.incident);
	cJSON_Delete(j);
	free(text);
}

static void test_bad_addresses(void)
{
	struct mail_msg m = msg;

	m.to = "ops@bilko.io\r\nBcc: everyone@example.com";
	CHECK(sendgrid_mail_body(&m) == NULL);
	CHECK(mail_rfc5322(&m, 0, "id@x") == NULL);
	m.to = "Ops <ops@bilko.io>";
	CHECK(sendgrid_mail_body(&m) == NULL);
	m.to = "not-an-address";
	CHECK(mail_rfc5322(&m, 0, "id@x") == NULL);
	m.to = msg.to;
	m.subject = "hi\nX-Evil: 1";
	CHECK(mail_rfc5322(&m, 0, "id@x") == NULL);
	CHECK(sendgrid_mail_body(&m) == NULL);
}

static void test_date(void)
{
	char d[40];

	mail_date(0, d);
	CHECK_STR(d, "Thu, 01 Jan 1970 00:00:00 +0000");
	mail_date(1796403623.9, d); /* 2026-12-04T17:00:23Z */
	CHECK_STR(d, "Fri, 04 Dec 2026 17:00:23 +0000");
}

static void test_rfc5322(void)
{
	char *m = mail_rfc5322(&msg, 1796403623, "runbook.8e43281b.ab@bilko.io");
	const char *body;

	CHECK(m != NULL);
	CHECK(strncmp(m, "Date: Fri, 04 Dec 2026 17:00:23 +0000\r\n", 39) == 0);
	CHECK_CONTAINS(m, "\r\nFrom: <noreply@bilko.io>\r\n");
	CHECK_CONTAINS(m, "\r\nTo: <ops@bilko.io>\r\n");
	CHECK_CONTAINS(m, "\r\nSubject: [runbook] email test, incident 8e43281b\r\n");
	CHECK_CONTAINS(m, "\r\nMessage-ID: <runbook.8e43281b.ab@bilko.io>\r\n");
	CHECK_CONTAINS(m, "\r\nX-Runbook-Incident: 8e43281b-7446-4c76-a84d-4b0fd6e5e71a\r\n");
	CHECK_CONTAINS(m, "\r\nContent-Type: text/plain; charset=utf-8\r\n");
	body = strstr(m, "\r\n\r\n");
	CHECK(body != NULL);
	/* bare LFs made CRLF; the leading dot is left for curl to stuff */
	CHECK_STR(body + 4, "line one\r\nline two\r\n.leading dot\r\n");
	/* no bare LF anywhere */
	for (const char *p = m; *p; p++)
		if (*p == '\n')
			CHECK(p > m && p[-1] == '\r');
	free(m);
}

static void test_names(void)
{
	CHECK_STR(mail_result_name(MAIL_OK), "ok");
	CHECK_STR(mail_result_name(MAIL_AUTH), "auth_failed");
	CHECK_STR(mail_result_name(MAIL_THROTTLED), "throttled");
	CHECK_STR(mail_result_name(MAIL_TLS), "tls");
	CHECK_STR(mail_result_name((enum mail_result)42), "fail");
}

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

static void test_smtp_refused(void)
{
	char url[64];
	struct smtp_conf c = {.url = url, .tls = SMTP_PLAIN, .timeout_ms = 1000};
	struct mail_send res;

	CHECK_INT(http_global_init(NULL, 0), ==, 0);
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", closed_port());
	CHECK_INT(smtp_send(&c, &msg, &res), ==, MAIL_UNREACHABLE);
	CHECK_STR(res.error, "refused");
	CHECK_CONTAINS(res.message_id, "runbook.8e43281b-7446-4c76-a84d-4b0fd6e5e71a.");
	CHECK_CONTAINS(res.message_id, "@bilko.io");
	c.url = "http://127.0.0.1:1";
	CHECK_INT(smtp_send(&c, &msg, &res), ==, MAIL_FAIL);
	CHECK_CONTAINS(res.detail, "smtp://");
}

static void test_sendgrid_refused(void)
{
	char url[64];
	struct sendgrid_conf c = {.api_url = url, .api_key = "SG.x", .timeout_ms = 1000};
	struct mail_send res;
	struct sg_list l;

	CHECK_INT(http_global_init(NULL, 0), ==, 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", closed_port());
	CHECK_INT(sendgrid_send(&c, &msg, &res), ==, MAIL_UNREACHABLE);
	CHECK_STR(res.error, "refused");
	CHECK_INT(sendgrid_suppressions(&c, "bounces", 1700000000, &l), ==, MAIL_UNREACHABLE);
	CHECK_INT(l.count, ==, 0);
}

TEST_LIST = {
        {"sendgrid_body", test_sendgrid_body},
        {"bad_addresses", test_bad_addresses},
        {"date", test_date},
        {"rfc5322", test_rfc5322},
        {"names", test_names},
        {"smtp_refused", test_smtp_refused},
        {"sendgrid_refused", test_sendgrid_refused},
        {NULL, NULL},
};
