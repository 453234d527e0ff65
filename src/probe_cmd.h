/* probe_cmd.h - run a configured shell command with a timeout and a bounded capture. */
#ifndef RUNBOOK_PROBE_CMD_H
#define RUNBOOK_PROBE_CMD_H

#include <stddef.h>

struct cmd_env {
	const char *name;
	const char *value;
};

struct cmd_req {
	const char *command;       /* run as /bin/sh -c command */
	const struct cmd_env *env; /* added to (or replacing in) the child's environment */
	size_t nenv;
	long timeout_ms;        /* 0: 60000 */
	size_t max_output;      /* bytes of stdout+stderr kept; 0: 64 KiB */
	const char *stdin_data; /* written to the child's stdin, or NULL (/dev/null) */
	volatile int *abort;    /* when it becomes non-zero the child's group is killed */
};

struct cmd_result {
	int started;   /* 0 when fork/exec failed */
	int exit_code; /* -1 when killed by a signal */
	int signal;    /* the signal that ended it, or 0 */
	int timed_out; /* killed after timeout_ms */
	int aborted;   /* killed because *abort was raised */
	char *output;  /* stdout and stderr interleaved, NUL-terminated, malloc'd */
	size_t output_len;
	int output_truncated; /* more was produced than max_output (the tail is kept) */
	double ms;            /* wall time */
	char errmsg[256];     /* why it did not start */
};

/*
 * Check the program a command line runs: its first word, after NAME=value words and an
 * `exec` or `command`. Refused: a relative path (./x, bin/x); a program found through a
 * relative PATH entry; one found in a directory that anyone may write to without the
 * sticky bit (that directory or any parent, as named on PATH or resolved); a program
 * file anyone may write to. `path` is the PATH searched (NULL: the environment's).
 * Returns 0 when it may run (also when only the shell can tell: a builtin, a word with
 * $ or quotes, a name found nowhere), or -1 with the reason in why ("'./x' is a
 * relative path ...").
 */
int cmd_check_program(const char *command, const char *path, char *why, size_t whylen);

/*
 * Run the command in its own process group; secrets travel in env, never in argv.
 * A program cmd_check_program refuses is not started (res->errmsg says why).
 * On timeout or abort the whole group gets SIGTERM, then SIGKILL after 2 s.
 * Always fills *res (release with cmd_result_release); returns 0 when it ran and exited
 * 0, 1 when it ran and failed (non-zero exit, signal, timeout), -1 when it did not start.
 */
int cmd_run(const struct cmd_req *req, struct cmd_result *res);

void cmd_result_release(struct cmd_result *res);

#endif
