/*
 * test.h - a tiny test harness (after libuv's task.h and acutest).
 *
 * A test file defines its cases and ends with
 *     TEST_LIST = { { "name", fn }, ..., { NULL, NULL } };
 * Each case runs in its own process, so a crash fails one case. The binary prints
 * "PASS file/name" or "FAIL file/name" per case (tests/run.sh counts them) and exits
 * non-zero when any failed. `./test_x name` runs one case in-process (for gdb).
 */
#ifndef RUNBOOK_TEST_H
#define RUNBOOK_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

struct test_case {
	const char *name;
	void (*fn)(void);
};

extern const struct test_case test_list[];

#define TEST_LIST const struct test_case test_list[]

#define TEST_FAIL_AT(...)                                         \
	do {                                                      \
		fprintf(stderr, "  %s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__);                     \
		fprintf(stderr, "\n");                            \
		exit(1);                                          \
	} while (0)

#define CHECK(cond)                                              \
	do {                                                     \
		if (!(cond))                                     \
			TEST_FAIL_AT("check failed: %s", #cond); \
	} while (0)

#define CHECK_INT(a, op, b)                                                          \
	do {                                                                         \
		long long a_ = (long long)(a), b_ = (long long)(b);                  \
		if (!(a_ op b_))                                                     \
			TEST_FAIL_AT("%s %s %s: %lld vs %lld", #a, #op, #b, a_, b_); \
	} while (0)

#define CHECK_STR(a, b)                                                                        \
	do {                                                                                   \
		const char *a_ = (a), *b_ = (b);                                               \
		if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0)                           \
			TEST_FAIL_AT("%s == %s: \"%s\" vs \"%s\"", #a, #b, a_ ? a_ : "(null)", \
			             b_ ? b_ : "(null)");                                      \
	} while (0)

#define CHECK_CONTAINS(hay, needle)                                                  \
	do {                                                                         \
		const char *h_ = (hay), *n_ = (needle);                              \
		if (h_ == NULL || strstr(h_, n_) == NULL)                            \
			TEST_FAIL_AT("%s does not contain \"%s\": \"%s\"", #hay, n_, \
			             h_ ? h_ : "(null)");                            \
	} while (0)

#define CHECK_NOT_CONTAINS(hay, needle)                                           \
	do {                                                                      \
		const char *h_ = (hay), *n_ = (needle);                           \
		if (h_ != NULL && strstr(h_, n_) != NULL)                         \
			TEST_FAIL_AT("%s contains \"%s\": \"%s\"", #hay, n_, h_); \
	} while (0)

#ifndef TEST_NO_MAIN
int main(int argc, char **argv)
{
	const char *file = getenv("TEST_FILE") ? getenv("TEST_FILE") : argv[0];
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	int failed = 0;

	runbook_test_hooks = 1; /* the unit tests may use the test clock and ids */

	for (const struct test_case *t = test_list; t->name != NULL; t++) {
		if (argc > 1 && strcmp(argv[1], t->name) != 0)
			continue;
		if (argc > 1) {
			t->fn();
			printf("PASS %s/%s\n", base, t->name);
			return 0;
		}
		fflush(stdout);
		fflush(stderr);
		pid_t pid = fork();
		if (pid == 0) {
			t->fn();
			exit(0);
		}
		int st = 0;
		if (pid < 0 || waitpid(pid, &st, 0) < 0)
			st = -1;
		if (st == 0) {
			printf("PASS %s/%s\n", base, t->name);
		} else {
			failed++;
			if (st > 0 && WIFSIGNALED(st))
				printf("FAIL %s/%s (signal %d)\n", base, t->name, WTERMSIG(st));
			else
				printf("FAIL %s/%s\n", base, t->name);
		}
		fflush(stdout);
	}
	return failed ? 1 : 0;
}
#endif

#endif
