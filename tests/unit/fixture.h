/*
 * fixture.h - the HTTP fixture server for unit tests: tests/fixtures/http_fixture.py on
 * 127.0.0.1, one per test process, stopped by PID at exit (and by PR_SET_PDEATHSIG if
 * the test dies). Included by the tests that speak HTTP.
 */
#ifndef RUNBOOK_TEST_FIXTURE_H
#define RUNBOOK_TEST_FIXTURE_H

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "test.h"
#include "util.h"

#define FX_UNUSED __attribute__((unused))

static pid_t fx_pid = -1;
static char fx_dir[64];
static char fx_routes[128], fx_log[128], fx_ready[128];
static int fx_port;

static FX_UNUSED void fx_stop(void)
{
	if (fx_pid > 0) {
		kill(fx_pid, SIGTERM);
		waitpid(fx_pid, NULL, 0);
		fx_pid = -1;
	}
	if (fx_dir[0] != '\0') {
		unlink(fx_routes);
		unlink(fx_log);
		unlink(fx_ready);
		rmdir(fx_dir);
		fx_dir[0] = '\0';
	}
}

static FX_UNUSED void write_file(const char *path, const char *text)
{
	char tmp[160];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	CHECK(f != NULL);
	CHECK(fputs(text, f) >= 0);
	CHECK(fclose(f) == 0);
	CHECK(rename(tmp, path) == 0); /* the fixture re-reads it per request */
}

/* Start the fixture with these routes (JSON text); sets fx_port. */
static FX_UNUSED void fx_start(const char *routes)
{
	const char *src = getenv("TEST_SRCDIR") ? getenv("TEST_SRCDIR") : ".";
	char script[512];

	strlcpy_chk(fx_dir, "/tmp/rb-http.XXXXXX", sizeof(fx_dir));
	CHECK(mkdtemp(fx_dir) != NULL);
	snprintf(fx_routes, sizeof(fx_routes), "%s/routes.json", fx_dir);
	snprintf(fx_log, sizeof(fx_log), "%s/log.jsonl", fx_dir);
	snprintf(fx_ready, sizeof(fx_ready), "%s/port", fx_dir);
	snprintf(script, sizeof(script), "%s/tests/fixtures/http_fixture.py", src);
	write_file(fx_routes, routes);
	atexit(fx_stop);
	fflush(NULL);
	fx_pid = fork();
	CHECK(fx_pid >= 0);
	if (fx_pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		prctl(PR_SET_PDEATHSIG, SIGTERM); /* gone with us, even on a crash */
		dup2(null, 1);
		execl("/usr/bin/python3", "python3", script, "--port", "0", "--routes",
		      fx_routes, "--log", fx_log, "--ready-file", fx_ready, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 500; i++) { /* up to 10 s */
		FILE *f = fopen(fx_ready, "r");

		if (f != NULL) {
			int ok = fscanf(f, "%d", &fx_port) == 1;

			fclose(f);
			if (ok)
				return;
		}
		if (waitpid(fx_pid, NULL, WNOHANG) == fx_pid) {
			fx_pid = -1;
			TEST_FAIL_AT("the fixture exited (%s)", script);
		}
		sleep_ms(20, NULL);
	}
	TEST_FAIL_AT("the fixture did not start");
}

static char *url(const char *path)
{
	return xasprintf("http://127.0.0.1:%d%s", fx_port, path);
}

/* The fixture's request log, parsed: a JSON array of the logged requests. */
static cJSON *fx_requests(void)
{
	cJSON *all = cJSON_CreateArray();
	char line[65536];
	FILE *f = fopen(fx_log, "r");

	if (f == NULL)
		return all;
	while (fgets(line, sizeof(line), f) != NULL) {
		cJSON *j = cJSON_Parse(line);

		if (j != NULL)
			cJSON_AddItemToArray(all, j);
	}
	fclose(f);
	return all;
}

/* A port on 127.0.0.1 where nothing listens. */
static FX_UNUSED int dead_port(void)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(bind(s, (struct sockaddr *)&a, sizeof(a)) == 0);
	CHECK(getsockname(s, (struct sockaddr *)&a, &alen) == 0);
	close(s);
	return ntohs(a.sin_port);
}

#endif
