/*
 * timeit.c - run a command R times and print each run's wall time and peak RSS.
 *
 *   timeit [-r RUNS] [-w WARMUP] [-o OUT] [-i IN] -- COMMAND [ARGS...]
 *
 * Each run is fork + execvp, timed with CLOCK_MONOTONIC from just before fork to the
 * child's exit; the peak resident set size comes from wait4's rusage (ru_maxrss, the
 * figure /usr/bin/time -v shows). No shell runs in between. Standard output goes to OUT
 * (default /dev/null), standard input comes from IN (default /dev/null), standard error
 * goes to /dev/null. Prints one
 * line per run, "ms=<wall> rss_kb=<peak> cpu_ms=<user + system> rc=<exit status>", after
 * WARMUP unreported
 * runs. Exits 1 when any run exits non-zero (after all runs).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* One run: 0 with the figures, -1 when it could not start. */
static int run_once(char **argv, const char *in, const char *out, double *ms, long *rss,
                    double *cpu, int *status)
{
	struct rusage ru;
	double t0 = now_ms();
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fi = open(in, O_RDONLY), fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		int fe = open("/dev/null", O_WRONLY);

		if (fi < 0 || fo < 0 || fe < 0 || dup2(fi, 0) < 0 || dup2(fo, 1) < 0 ||
		    dup2(fe, 2) < 0)
			_exit(127);
		close(fi);
		close(fo);
		close(fe);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, status, 0, &ru) != pid)
		return -1;
	*ms = now_ms() - t0;
	*rss = ru.ru_maxrss;
	*cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	return 0;
}

int main(int argc, char **argv)
{
	const char *in = "/dev/null", *out = "/dev/null";
	long runs = 10, warm = 1;
	int i, bad = 0;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (i + 1 >= argc)
			goto usage;
		if (strcmp(argv[i], "-r") == 0)
			runs = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-w") == 0)
			warm = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-o") == 0)
			out = argv[++i];
		else if (strcmp(argv[i], "-i") == 0)
			in = argv[++i];
		else
			goto usage;
	}
	if (i + 1 >= argc || runs < 1 || warm < 0)
		goto usage;
	for (long r = -warm; r < runs; r++) {
		double ms, cpu;
		long rss;
		int st;

		if (run_once(argv + i + 1, in, out, &ms, &rss, &cpu, &st) != 0) {
			perror("timeit");
			return 1;
		}
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad = 1;
		if (r >= 0)
			printf("ms=%.3f rss_kb=%ld cpu_ms=%.3f rc=%d\n", ms, rss, cpu,
			       WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	}
	return bad;
usage:
	fprintf(stderr,
	        "usage: timeit [-r RUNS] [-w WARMUP] [-o OUT] [-i IN] -- COMMAND ...\n");
	return 2;
}
