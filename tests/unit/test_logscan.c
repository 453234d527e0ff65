/* test_logscan.c - the log scanner on literal log text. */
#include "logscan.h"
#include "test.h"

#include <stdint.h>

#include "util.h"

static void scan(const char *s, struct log_scan *out)
{
	log_scan_text(s, strlen(s), out);
}

static void test_empty(void)
{
	struct log_scan ls;

	log_scan_text("", 0, &ls);
	CHECK_INT(ls.lines, ==, 0);
	CHECK(ls.suggest == NULL);
	CHECK_STR(ls.reason, "log is empty");
	log_scan_text(NULL, 0, &ls);
	CHECK_INT(ls.lines, ==, 0);
	for (int f = 0; f < LOG_FINDING__LAST; f++)
		CHECK_INT(ls.hits[f].count, ==, 0);
}

static void test_names(void)
{
	CHECK_STR(log_finding_id(LOG_OOM), "oom");
	CHECK_STR(log_finding_id(LOG_CRASH), "crash_loop");
	CHECK_STR(log_finding_id(LOG_FINDING__LAST), "unknown");
	CHECK_STR(log_finding_words(LOG_DB_DOWN), "database unreachable");
}

static void test_clean(void)
{
	struct log_scan ls;

	scan("GET /health 200 3ms\nGET /api/invoices 200 41ms\n", &ls);
	CHECK_INT(ls.lines, ==, 2);
	CHECK(ls.suggest == NULL);
	CHECK_STR(ls.reason, "no known cause in 2 log lines");
}

static void test_oom(void)
{
	struct log_scan ls;

	scan("starting\n"
	     "<--- Last few GCs --->\n"
	     "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of "
	     "memory\n"
	     "GET /health 200\n"
	     "Container OOMKilled\n"
	     "npm ERR! code ELIFECYCLE\n"
	     "  FATAL ERROR: Allocation failed - JavaScript heap out of memory  \n",
	     &ls);
	CHECK_INT(ls.lines, ==, 7);
	CHECK_INT(ls.hits[LOG_OOM].count, ==, 3);
	CHECK_INT(ls.hits[LOG_OOM].first_line, ==, 3);
	CHECK_INT(ls.hits[LOG_OOM].last_line, ==, 7);
	CHECK_STR(ls.hits[LOG_OOM].sample,
	          "FATAL ERROR: Allocation failed - JavaScript heap out of memory");
	CHECK_STR(ls.suggest, "oom");
	CHECK_STR(ls.reason, "OOM in logs: 3 lines, last: \"FATAL ERROR: Allocation failed - "
	                     "JavaScript heap out of memory\"");
}

static void test_priority(void)
{
	struct log_scan ls;

	/* everything at once: oom wins */
	scan("==== Deployment started\n"
	     "Error: connect ECONNREFUSED 127.0.0.1:5432\n"
	     "FATAL: sorry, too many clients already\n"
	     "Process exited with code 137\n"
	     "Crashed\n",
	     &ls);
	CHECK_STR(ls.suggest, "oom");
	CHECK_INT(ls.hits[LOG_DB_DOWN].count, ==, 1);
	CHECK_INT(ls.hits[LOG_DB_CONNECTIONS].count, ==, 1);
	CHECK_INT(ls.hits[LOG_CRASH].count, ==, 2);
	CHECK_INT(ls.hits[LOG_DEPLOY].count, ==, 1);

	/* db_down before db_connections */
	scan("PrismaClientInitializationError: Can't reach database server at db:5432\n"
	     "Timed out fetching a new connection from the connection pool\n",
	     &ls);
	CHECK_STR(ls.suggest, "db_down");
	CHECK_INT(ls.hits[LOG_DB_CONNECTIONS].count, ==, 2);

	scan("prisma:error P2024 Timed out fetching a new connection\n"
	     "remaining connection slots are reserved for non-replication superuser\n",
	     &ls);
	CHECK_STR(ls.suggest, "db_connections");
	CHECK_CONTAINS(ls.reason, "database connections exhausted in logs: 2 lines");

	/* crash and deploy both point to a bad deploy */
	scan("Starting Container\nError: Cannot find module 'dotenv'\nStarting Container\n"
	     "Error: Cannot find module 'dotenv'\n",
	     &ls);
	CHECK_STR(ls.suggest, "bad_deploy");
	CHECK_INT(ls.hits[LOG_CRASH].count, ==, 2);
	CHECK_INT(ls.hits[LOG_DEPLOY].count, ==, 2);
	CHECK_CONTAINS(ls.reason, "crash loop in logs: 2 lines");
	CHECK_CONTAINS(ls.reason, "; deploy marker at line 3");

	scan("Deploying revision abc123\nlistening on :3000\n", &ls);
	CHECK_STR(ls.suggest, "bad_deploy");
	CHECK_CONTAINS(ls.reason, "deploy marker in logs: 1 line, last: \"Deploying");
}

static void test_pairs(void)
{
	struct log_scan ls;

	/* ECONNREFUSED elsewhere is not the database */
	scan("connect ECONNREFUSED 10.0.0.7:6379\n", &ls);
	CHECK_INT(ls.hits[LOG_DB_DOWN].count, ==, 0);
	CHECK(ls.suggest == NULL);
	scan("Error: connect econnrefused 127.0.0.1:5432\n", &ls);
	CHECK_INT(ls.hits[LOG_DB_DOWN].count, ==, 1);
	CHECK_STR(ls.suggest, "db_down");
	/* the two halves on different lines do not count */
	scan("ECONNREFUSED\n5432\n", &ls);
	CHECK_INT(ls.hits[LOG_DB_DOWN].count, ==, 0);
}

static void test_crlf_no_newline(void)
{
	struct log_scan ls;

	scan("a\r\nthe database system is shutting down\r\nb", &ls);
	CHECK_INT(ls.lines, ==, 3);
	CHECK_INT(ls.hits[LOG_DB_DOWN].count, ==, 1);
	CHECK_STR(ls.hits[LOG_DB_DOWN].sample, "the database system is shutting down");
	scan("x\nBack-off restarting failed container", &ls);
	CHECK_INT(ls.lines, ==, 2);
	CHECK_INT(ls.hits[LOG_CRASH].last_line, ==, 2);
	CHECK_STR(ls.hits[LOG_CRASH].sample, "Back-off restarting failed container");
	scan("\n\n\n", &ls);
	CHECK_INT(ls.lines, ==, 3);
}

static void test_nul_and_control(void)
{
	static const char text[] = "junk\0junk out of memory\x1b[31m red\x1b[0m\ttab\n";
	struct log_scan ls;

	log_scan_text(text, sizeof(text) - 1, &ls);
	CHECK_INT(ls.lines, ==, 1);
	CHECK_INT(ls.hits[LOG_OOM].count, ==, 1);
	CHECK_STR(ls.hits[LOG_OOM].sample, "junk?junk out of memory red tab");
}

static void test_long_line(void)
{
	size_t n = (size_t)3 << 20; /* 3 MiB line, the match at every chunk boundary */
	char *big = xmalloc(n + 64);
	struct log_scan ls;
	int64_t t0;

	memset(big, 'x', n);
	memcpy(big + 4090, "OOMKilled", 9); /* spans the first chunk boundary */
	memcpy(big + n - 20, "Too many connections", 20);
	memcpy(big + n, "\nCrashed\n", 9);
	t0 = clock_mono_ns();
	log_scan_text(big, n + 9, &ls);
	CHECK_INT(clock_mono_ns() - t0, <, (int64_t)2000000000);
	CHECK_INT(ls.lines, ==, 2);
	CHECK_INT(ls.hits[LOG_OOM].count, ==, 1);
	CHECK_INT(ls.hits[LOG_DB_CONNECTIONS].count, ==, 1);
	CHECK_INT(ls.hits[LOG_CRASH].last_line, ==, 2);
	CHECK_INT(strlen(ls.hits[LOG_OOM].sample), ==, 199);
	CHECK_INT(strlen(ls.reason), <=, 255);
	free(big);
}

static void test_utf8_cut(void)
{
	/* a line of 2-byte characters: 199 bytes would split one */
	char line[600];
	struct log_scan ls;
	size_t o = 0;

	memcpy(line, "ENOMEM ", 7);
	o = 7;
	while (o + 2 < sizeof(line) - 2) {
		line[o++] = (char)0xc3;
		line[o++] = (char)0xa9; /* é */
	}
	line[o] = '\0';
	scan(line, &ls);
	CHECK_INT(ls.hits[LOG_OOM].count, ==, 1);
	size_t sl = strlen(ls.hits[LOG_OOM].sample);
	CHECK_INT(sl, <=, 199);
	CHECK_INT(sl, >=, 197);
	CHECK_INT((sl - 7) % 2, ==, 0); /* whole characters only */
	CHECK_INT(strlen(ls.reason), <=, 255);
	/* the reason ends with the closing quote (the sample was shortened to fit) */
	CHECK_INT(ls.reason[strlen(ls.reason) - 1], ==, '"');
	size_t rl = strlen(ls.reason);
	size_t k = 0;
	for (size_t i = 0; i < rl; i++)
		if ((unsigned char)ls.reason[i] == 0xc3)
			k++;
	CHECK(k > 0);
	/* no dangling lead byte before the quote */
	CHECK((unsigned char)ls.reason[rl - 2] != 0xc3);
}

TEST_LIST = {
        {"empty", test_empty},
        {"names", test_names},
        {"clean", test_clean},
        {"oom", test_oom},
        {"priority", test_priority},
        {"pairs", test_pairs},
        {"crlf_no_newline", test_crlf_no_newline},
        {"nul_and_control", test_nul_and_control},
        {"long_line", test_long_line},
        {"utf8_cut", test_utf8_cut},
        {NULL, NULL},
};
