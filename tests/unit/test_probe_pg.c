/*
 * test_probe_pg.c - the libpq probe's pure parts (literal masking, int4[] literals, URL
 * parsing without the password) and its failure classes against nothing listening.
 * The real server is exercised by tests/integration/database.sh.
 */
#include "test.h"

#include "probe_pg.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static void mask(const char *in, size_t max, const char *want)
{
	char *got = pg_mask_query(in, max);

	CHECK_STR(got, want);
	free(got);
}

static void test_mask_literals(void)
{
	mask("SELECT * FROM users WHERE email = 'a@b.c' AND n = 5", 0,
	     "SELECT * FROM users WHERE email = '?' AND n = 5");
	mask("SELECT 'it''s', 'x'", 0, "SELECT '?', '?'");
	mask("SELECT E'a\\'b', e'\\\\'", 0, "SELECT E'?', e'?'");
	mask("SELECT $$secret$$, $body$ x $ y $body$, $1::int", 0, "SELECT '?', '?', $1::int");
	mask("SELECT \"we'ird\" FROM t", 0, "SELECT \"we'ird\" FROM t");
	mask("SELECT 1 -- don't\nFROM t", 0, "SELECT 1 -- don't FROM t");
	mask("SELECT 'unterminated", 0, "SELECT '?'");
	mask("SELECT\n\t  1,\n  2  ", 0, "SELECT 1, 2");
	mask("", 0, "");
	CHECK(pg_mask_query(NULL, 10) == NULL);
}

static void test_mask_bound(void)
{
	mask("SELECT 123456789", 10, "SELECT 123…");
	/* never cut inside a UTF-8 sequence */
	mask("SELECT ééé", 9, "SELECT é…");
	mask("SELECT 1", 8, "SELECT 1");
}

static void test_int_array(void)
{
	long v[] = {101, 2, 33333};
	char *s = pg_int_array(v, 3);

	CHECK_STR(s, "{101,2,33333}");
	free(s);
	s = pg_int_array(v, 0);
	CHECK_STR(s, "{}");
	free(s);
}

static void test_target_without_password(void)
{
	struct pg_target t;
	char err[128];

	CHECK_INT(
	        pg_target_parse("postgresql://app:s3cret@db.example:6543/bilko?sslmode=require",
	                        &t, err, sizeof(err)),
	        ==, 0);
	CHECK_STR(t.host, "db.example");
	CHECK_STR(t.port, "6543");
	CHECK_STR(t.dbname, "bilko");
	CHECK_STR(t.user, "app");
	CHECK_NOT_CONTAINS(t.host, "s3cret");
	CHECK_INT(
	        pg_target_parse("host=/tmp dbname=x user=y password=zz", &t, err, sizeof(err)),
	        ==, 0);
	CHECK_STR(t.host, "/tmp");
	CHECK_STR(t.dbname, "x");
	CHECK_INT(pg_target_parse("postgresql://app:pw@[::1", &t, err, sizeof(err)), ==, -1);
	CHECK_NOT_CONTAINS(err, "pw");
}

static void test_error_names(void)
{
	CHECK_STR(pg_error_name(PG_REFUSED), "refused");
	CHECK_STR(pg_error_name(PG_AUTH_FAILED), "auth_failed");
	CHECK_STR(pg_error_name(PG_TIMEOUT), "timeout");
	CHECK_STR(pg_error_name(PG_SSL_ERROR), "ssl_error");
	CHECK_STR(pg_error_name(PG_OTHER), "other");
	CHECK_STR(pg_error_name(PG_ERROR__LAST), "other");
}

/* A port on 127.0.0.1 that nothing listens on. */
static int closed_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	CHECK(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static void test_refused(void)
{
	struct pg_session *s = (struct pg_session *)1;
	struct pg_status st;
	struct pg_opts o;
	char url[128];

	snprintf(url, sizeof(url), "postgresql://app:hunter22@127.0.0.1:%d/x", closed_port());
	memset(&o, 0, sizeof(o));
	o.url = url;
	o.application_name = "runbook/test/00000000";
	o.timeout_ms = 1500;
	CHECK_INT(pg_open(&o, &s, &st), ==, -1);
	CHECK(s == NULL);
	CHECK_STR(pg_error_name(st.error), "refused");
	CHECK_NOT_CONTAINS(st.message, "hunter22");
	CHECK(strchr(st.message, '\n') == NULL);
	pg_close(NULL);
}

/* A listener that never answers: connect_timeout (rounded up to 1 s) fires. */
static void test_timeout(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	struct pg_session *s = NULL;
	struct pg_status st;
	struct pg_opts o;
	char url[128];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	CHECK(listen(fd, 1) == 0);
	CHECK(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
	snprintf(url, sizeof(url), "postgresql://app@127.0.0.1:%d/x?sslmode=disable",
	         ntohs(a.sin_port));
	memset(&o, 0, sizeof(o));
	o.url = url;
	o.timeout_ms = 200;
	CHECK_INT(pg_open(&o, &s, &st), ==, -1);
	CHECK_STR(pg_error_name(st.error), "timeout");
	CHECK(st.ms >= 900 && st.ms < 5000);
	close(fd);
}

TEST_LIST = {
        {"mask_literals", test_mask_literals},
        {"mask_bound", test_mask_bound},
        {"int_array", test_int_array},
        {"target_without_password", test_target_without_password},
        {"error_names", test_error_names},
        {"refused", test_refused},
        {"timeout", test_timeout},
        {NULL, NULL},
};
