/* test_probe_cmd.c - cmd_run with real /bin/sh commands. */
#include "probe_cmd.h"
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>

#include "util.h"

static int run(const char *command, struct cmd_result *res)
{
	struct cmd_req req = {0};

	req.command = command;
	req.timeout_ms = 10000;
	return cmd_run(&req, res);
}

/* 1 while /proc/pid exists and is not a zombie. */
static int alive(long pid)
{
	char path[64], buf[512];
	FILE *f;
	char *p;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (p == NULL)
		return 0;
	p = strrchr(buf, ')');
	return p != NULL && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

static void test_exit_codes(void)
{
	struct cmd_result r;

	CHECK_INT(run("exit 0", &r), ==, 0);
	CHECK_INT(r.started, ==, 1);
	CHECK_INT(r.exit_code, ==, 0);
	CHECK_INT(r.signal, ==, 0);
	CHECK_INT(r.output_len, ==, 0);
	CHECK_STR(r.output, "");
	cmd_result_release(&r);

	CHECK_INT(run("exit 3", &r), ==, 1);
	CHECK_INT(r.exit_code, ==, 3);
	CHECK_INT(r.timed_out, ==, 0);
	cmd_result_release(&r);

	CHECK_INT(run("kill -9 $$", &r), ==, 1);
	CHECK_INT(r.exit_code, ==, -1);
	CHECK_INT(r.signal, ==, SIGKILL);
	cmd_result_release(&r);

	CHECK_INT(run("/nonexistent/railway logs", &r), ==, 1);
	CHECK_INT(r.started, ==, 1);
	CHECK_INT(r.exit_code, ==, 127);
	CHECK_CONTAINS(r.output, "nonexistent");
	cmd_result_release(&r);
}

static void test_output(void)
{
	struct cmd_result r;

	CHECK_INT(run("echo out; echo err >&2; echo out2", &r), ==, 0);
	CHECK_STR(r.output, "out\nerr\nout2\n");
	CHECK_INT(r.output_len, ==, 13);
	CHECK_INT(r.output_truncated, ==, 0);
	CHECK(r.ms >= 0 && r.ms < 5000);
	cmd_result_release(&r);

	CHECK_INT(run("printf 'a\\000b'", &r), ==, 0);
	CHECK_INT(r.output_len, ==, 3);
	CHECK(memcmp(r.output, "a\0b", 3) == 0);
	cmd_result_release(&r);
}

static void test_tail(void)
{
	struct cmd_req req = {0};
	struct cmd_result r;

	req.command = "head -c 100000 /dev/zero | tr '\\000' a; printf END";
	req.max_output = 1000;
	CHECK_INT(cmd_run(&req, &r), ==, 0);
	CHECK_INT(r.output_len, ==, 1000);
	CHECK_INT(r.output_truncated, ==, 1);
	CHECK_INT(strlen(r.output), ==, 1000);
	CHECK(memcmp(r.output + 997, "END", 3) == 0);
	CHECK(r.output[0] == 'a');
	cmd_result_release(&r);

	/* exactly the cap is not truncation */
	req.command = "printf 0123456789";
	req.max_output = 10;
	CHECK_INT(cmd_run(&req, &r), ==, 0);
	CHECK_STR(r.output, "0123456789");
	CHECK_INT(r.output_truncated, ==, 0);
	cmd_result_release(&r);

	/* the default cap (64 KiB) keeps the last lines of a long output */
	req.command = "seq 1 200000";
	req.max_output = 0;
	CHECK_INT(cmd_run(&req, &r), ==, 0);
	CHECK_INT(r.output_len, ==, 65536);
	CHECK_INT(r.output_truncated, ==, 1);
	CHECK_CONTAINS(r.output, "\n199999\n200000\n");
	cmd_result_release(&r);
}

static void test_timeout_kills_group(void)
{
	struct cmd_req req = {0};
	struct cmd_result r;
	long grandchild = 0;
	char *end = NULL;

	req.command = "sleep 30 & echo $!; sleep 30";
	req.timeout_ms = 500;
	CHECK_INT(cmd_run(&req, &r), ==, 1);
	CHECK_INT(r.started, ==, 1);
	CHECK_INT(r.timed_out, ==, 1);
	CHECK_INT(r.aborted, ==, 0);
	CHECK_INT(r.exit_code, ==, -1);
	CHECK_INT(r.signal, ==, SIGTERM);
	CHECK(r.ms >= 500 && r.ms < 2500);
	grandchild = strtol(r.output, &end, 10);
	CHECK(end != r.output && grandchild > 0);
	for (int i = 0; i < 50 && alive(grandchild); i++)
		sleep_ms(20, NULL);
	CHECK_INT(alive(grandchild), ==, 0);
	cmd_result_release(&r);
}

static void test_timeout_sigkill(void)
{
	struct cmd_req req = {0};
	struct cmd_result r;

	/* SIGTERM ignored (and inherited by sleep): SIGKILL 2 s later */
	req.command = "trap '' TERM; echo started; sleep 30";
	req.timeout_ms = 300;
	CHECK_INT(cmd_run(&req, &r), ==, 1);
	CHECK_INT(r.timed_out, ==, 1);
	CHECK_INT(r.signal, ==, SIGKILL);
	CHECK(r.ms >= 2200 && r.ms < 4500);
	CHECK_STR(r.output, "started\n");
	cmd_result_release(&r);
}

static void test_env(void)
{
	struct cmd_env env[] = {{"FOO", "s3cret-value"}, {"RB_TEST_X", "new"}};
	struct cmd_req req = {0};
	struct cmd_result r;

	setenv("RB_TEST_X", "old", 1);
	setenv("RB_TEST_KEEP", "kept", 1);
	req.env = env;
	req.nenv = 2;
	req.command = "printf '%s|%s|%s|' \"$FOO\" \"$RB_TEST_X\" \"$RB_TEST_KEEP\"; "
	              "env | grep -c '^RB_TEST_X='";
	CHECK_INT(cmd_run(&req, &r), ==, 0);
	CHECK_STR(r.output, "s3cret-value|new|kept|1\n");
	cmd_result_release(&r);

	/* the secret is not on the command line of the shell */
	req.command = "tr '\\000' ' ' < /proc/$$/cmdline; echo";
	CHECK_INT(cmd_run(&req, &r), ==, 0);
	CHECK_CONTAINS(r.output, "sh -c");
	CHECK_NOT_CONTAINS(r.output, "s3cret");
	cmd_result_release(&r);

	/* and the parent's environment is untouched */
	CHECK(getenv("FOO") == NULL);
	CHECK_STR(getenv("RB_TEST_X"), "old");
}

static void test_stdin(void)
{
	struct cmd_req req = {0};
	struct cmd_result r;
	size_t big = (size_t)1 << 20;
	char *data = xmalloc(big + 1);

	req.command = "cat";
	req.stdin_data = "hello\nworld\n";
	CHECK_INT(cmd_run(&req, &r), ==, 0);
	CHECK_STR(r.output, "hello\nworld\n");
	cmd_result_release(&r);

	/* no stdin_data: /dev/null, cat ends at once */
	req.stdin_data = NULL;
	req.timeout_ms = 3000;
	CHECK_INT(cmd_run(&req, &r), ==, 0);
	CHECK_INT(r.timed_out, ==, 0);
	CHECK_STR(r.output, "");
	cmd_result_release(&r);

	/* more than a pipe holds, while the child writes too */
	memset(data, 'z', big);
	data[big] = '\0';
	req.stdin_data = data;
	req.command = "cat; echo; wc -c </dev/null";
	req.max_output = 100;
	CHECK_INT(cmd_run(&req, &r), ==, 0);
	CHECK_INT(r.output_truncated, ==, 1);
	cmd_result_release(&r);
	req.command = "wc -c";
	CHECK_INT(cmd_run(&req, &r), ==, 0);
	CHECK_STR(r.output, "1048576\n");
	cmd_result_release(&r);

	/* a child that does not read: no SIGPIPE here, the run still ends */
	req.command = "exit 0";
	CHECK_INT(cmd_run(&req, &r), ==, 0);
	cmd_result_release(&r);
	free(data);
}

static void test_abort_preset(void)
{
	volatile int stop = 1;
	struct cmd_req req = {0};
	struct cmd_result r;

	req.command = "echo should-not-run";
	req.abort = &stop;
	CHECK_INT(cmd_run(&req, &r), ==, -1);
	CHECK_INT(r.started, ==, 0);
	CHECK_INT(r.aborted, ==, 1);
	CHECK_STR(r.output, "");
	CHECK_CONTAINS(r.errmsg, "aborted");
	cmd_result_release(&r);
}

static void *raise_later(void *arg)
{
	sleep_ms(300, NULL);
	*(volatile int *)arg = 1;
	return NULL;
}

static void test_abort_thread(void)
{
	static volatile int stop;
	struct cmd_req req = {0};
	struct cmd_result r;
	pthread_t th;

	req.command = "echo begin; sleep 30";
	req.abort = &stop;
	CHECK_INT(pthread_create(&th, NULL, raise_later, (void *)&stop), ==, 0);
	CHECK_INT(cmd_run(&req, &r), ==, 1);
	pthread_join(th, NULL);
	CHECK_INT(r.aborted, ==, 1);
	CHECK_INT(r.timed_out, ==, 0);
	CHECK_INT(r.signal, ==, SIGTERM);
	CHECK(r.ms >= 200 && r.ms < 1500);
	CHECK_STR(r.output, "begin\n");
	cmd_result_release(&r);
}

static void test_background_leftover(void)
{
	struct cmd_result r;
	long pid;
	char *end = NULL;

	/* the shell exits at once; a background child still holds the output open */
	CHECK_INT(run("sleep 20 & echo $!", &r), ==, 0);
	CHECK(r.ms < 2000);
	pid = strtol(r.output, &end, 10);
	CHECK(end != r.output && pid > 0);
	kill((pid_t)pid, SIGKILL);
	cmd_result_release(&r);
}

static void test_fd_leak(void)
{
	struct cmd_result r;
	int before, after;
	char *end = NULL;

	before = dup(0);
	close(before);
	for (int i = 0; i < 20; i++) {
		run("echo x", &r);
		cmd_result_release(&r);
	}
	after = dup(0);
	close(after);
	CHECK_INT(after, ==, before);
	/*
	 * No descriptor of ours leaks into the child: each one the shell holds beyond 0-2
	 * must be one this process holds without close-on-exec (inherited from whoever
	 * started the tests).
	 */
	CHECK_INT(run("ls /proc/$$/fd", &r), ==, 0);
	for (char *p = r.output; *p != '\0';) {
		long fd = strtol(p, &end, 10);
		int fl;

		CHECK(end != p);
		if (fd > 2) {
			fl = fcntl((int)fd, F_GETFD);
			if (fl < 0 || (fl & FD_CLOEXEC))
				TEST_FAIL_AT("fd %ld leaked into the child", fd);
		}
		p = end;
		while (*p == '\n')
			p++;
	}
	cmd_result_release(&r);
}

TEST_LIST = {
        {"exit_codes", test_exit_codes},
        {"output", test_output},
        {"tail", test_tail},
        {"timeout_kills_group", test_timeout_kills_group},
        {"timeout_sigkill", test_timeout_sigkill},
        {"env", test_env},
        {"stdin", test_stdin},
        {"abort_preset", test_abort_preset},
        {"abort_thread", test_abort_thread},
        {"background_leftover", test_background_leftover},
        {"fd_leak", test_fd_leak},
        {NULL, NULL},
};
