/* probe_cmd.c - run a configured shell command with a timeout and a bounded capture. */
#include "probe_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

extern char **environ;

#define DEFAULT_TIMEOUT_MS 60000
#define DEFAULT_MAX_OUTPUT ((size_t)64 << 10)
#define KILL_GRACE_MS 2000 /* SIGTERM, then SIGKILL this much later */
#define DRAIN_MS 500       /* after the shell exits, how long to wait for its output */
#define TICK_MS 100        /* the abort flag is looked at least this often */

/* The output kept: linear until `max` bytes, then a ring holding the last `max`. */
struct tail {
	char *p;
	size_t len; /* bytes held (<= max) */
	size_t max;
	size_t head; /* once full: the oldest byte */
	int dropped; /* older bytes were overwritten */
};

static void tail_add(struct tail *t, const char *data, size_t n)
{
	if (t->p == NULL)
		t->p = xmalloc(t->max + 1);
	if (n >= t->max) { /* only the last max bytes of this chunk survive */
		t->dropped |= n > t->max || t->len > 0;
		memcpy(t->p, data + n - t->max, t->max);
		t->len = t->max;
		t->head = 0;
		return;
	}
	if (t->len < t->max) {
		size_t fit = t->max - t->len < n ? t->max - t->len : n;

		memcpy(t->p + t->len, data, fit);
		t->len += fit;
		data += fit;
		n -= fit;
	}
	while (n > 0) { /* full: overwrite the oldest bytes */
		size_t k = t->max - t->head < n ? t->max - t->head : n;

		memcpy(t->p + t->head, data, k);
		t->head = (t->head + k) % t->max;
		data += k;
		n -= k;
		t->dropped = 1;
	}
}

/* Hand the bytes over in order, NUL-terminated; a UTF-8 character cut at the start
 * is dropped. */
static char *tail_detach(struct tail *t, size_t *len)
{
	char *out = xmalloc(t->len + 1);
	size_t skip = 0;

	if (t->len > 0) {
		memcpy(out, t->p + t->head, t->len - t->head);
		memcpy(out + t->len - t->head, t->p, t->head);
	}
	if (t->dropped) {
		while (skip < 3 && skip < t->len && ((unsigned char)out[skip] & 0xC0) == 0x80)
			skip++;
		memmove(out, out + skip, t->len - skip);
	}
	*len = t->len - skip;
	out[*len] = '\0';
	free(t->p);
	t->p = NULL;
	return out;
}

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

/* The parent's environment with req->env added or replacing; NULL-terminated, the
 * array and the new "NAME=value" strings malloc'd (free with free_envp). */
static char **build_envp(const struct cmd_req *req)
{
	size_t n = 0, k;
	char **envp;

	while (environ != NULL && environ[n] != NULL)
		n++;
	envp = xcalloc(n + req->nenv + 1, sizeof(char *));
	for (k = 0; k < n; k++)
		envp[k] = environ[k];
	for (size_t i = 0; i < req->nenv; i++) {
		const char *name = req->env[i].name;
		size_t nl, j;
		char *kv;

		if (name == NULL || name[0] == '\0' || strchr(name, '=') != NULL)
			continue; /* not a variable name */
		nl = strlen(name);
		kv = xasprintf("%s=%s", name, req->env[i].value ? req->env[i].value : "");
		for (j = 0; j < k; j++) {
			if (strncmp(envp[j], name, nl) == 0 && envp[j][nl] == '=')
				break;
		}
		if (j == k)
			k++;
		envp[j] = kv;
	}
	return envp;
}

/* Free the strings build_envp made (those not in environ), wiping them: they may hold
 * secrets. */
static void free_envp(char **envp)
{
	for (size_t j = 0; envp[j] != NULL; j++) {
		int ours = 1;

		for (size_t e = 0; environ != NULL && environ[e] != NULL; e++) {
			if (environ[e] == envp[j]) {
				ours = 0;
				break;
			}
		}
		if (ours) {
			explicit_bzero(envp[j], strlen(envp[j]));
			free(envp[j]);
		}
	}
	free(envp);
}

/* In the child: wire the pipes, reset signals, exec; on failure report errno on errfd. */
static void child_exec(const char *command, char **envp, int in_fd, int out_fd, int errfd)
{
	sigset_t none;
	int e;

	setpgid(0, 0);
	/* keep the pipes clear of 0-2 so dup2 neither clobbers one nor keeps CLOEXEC */
	if (in_fd < 3)
		in_fd = fcntl(in_fd, F_DUPFD, 3);
	if (out_fd < 3)
		out_fd = fcntl(out_fd, F_DUPFD, 3);
	if (in_fd < 0 || out_fd < 0)
		goto fail;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
		goto fail;
	execve("/bin/sh", (char *[]){"sh", "-c", (char *)command, NULL}, envp);
fail:
	e = errno;
	while (write(errfd, &e, sizeof(e)) < 0 && errno == EINTR)
		;
	_exit(127);
}

/* Write what the child's stdin can take now without raising SIGPIPE in this process.
 * Returns 0 to go on, 1 when everything is written or the child closed its stdin. */
static int feed_stdin(int fd, const char *data, size_t len, size_t *off)
{
	sigset_t pipe_set, old, pending;
	int was_pending, done = 0;
	ssize_t n;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	do {
		n = write(fd, data + *off, len - *off);
	} while (n < 0 && errno == EINTR);
	if (n > 0)
		*off += (size_t)n;
	if ((n < 0 && errno != EAGAIN) || *off >= len)
		done = 1;
	if (n < 0 && errno == EPIPE && !was_pending) {
		struct timespec zero = {0, 0};

		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return done;
}

/* ---- which program a command runs, and where from ---- */

/* The shell's PATH when none is set (dash's default). */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/*
 * The next shell word of *pp into out, quotes removed. *plain is cleared when the word
 * holds anything only the shell can expand ($, `, \, globs, ~, an open quote).
 */
static void next_word(const char **pp, char *out, size_t n, int *plain)
{
	const char *p = *pp;
	size_t k = 0;

	*plain = 1;
	while (*p == ' ' || *p == '\t')
		p++;
	while (*p != '\0' && strchr(" \t\n;&|<>()", *p) == NULL) {
		if (*p == '\'' || *p == '"') {
			char q = *p++;

			for (; *p != '\0' && *p != q; p++) {
				if (q == '"' && strchr("$`\\", *p) != NULL)
					*plain = 0;
				if (k + 1 < n)
					out[k++] = *p;
			}
			if (*p != q)
				*plain = 0;
			else
				p++;
			continue;
		}
		if (strchr("$`\\*?[]{}~!", *p) != NULL || k + 1 >= n)
			*plain = 0;
		if (k + 1 < n)
			out[k++] = *p;
		p++;
	}
	out[k] = '\0';
	*pp = p;
}

static int is_assignment(const char *w)
{
	size_t i = 0;

	if (!(w[0] == '_' || (w[0] >= 'A' && w[0] <= 'Z') || (w[0] >= 'a' && w[0] <= 'z')))
		return 0;
	while (w[i] == '_' || (w[i] >= 'A' && w[i] <= 'Z') || (w[i] >= 'a' && w[i] <= 'z') ||
	       (w[i] >= '0' && w[i] <= '9'))
		i++;
	return w[i] == '=';
}

/* The first of dir and its parents that anyone may write to (no sticky bit), copied
 * to bad; 0 when there is none. */
static int loose_dir(const char *dir, char *bad, size_t badlen)
{
	char p[PATH_MAX];
	struct stat st;

	if (strlcpy_chk(p, dir, sizeof(p)) != 0)
		return 0;
	for (;;) {
		char *slash;

		if (stat(p[0] ? p : "/", &st) == 0 && (st.st_mode & S_IWOTH) &&
		    !(st.st_mode & S_ISVTX)) {
			strlcpy_chk(bad, p[0] ? p : "/", badlen);
			return 1;
		}
		slash = strrchr(p, '/');
		if (slash == NULL || p[0] == '\0')
			return 0;
		*slash = '\0';
	}
}

/* The checks on a program file found at file (absolute), in directory dir. */
static int check_found(const char *word, const char *file, const char *dir, char *why,
                       size_t whylen)
{
	char real[PATH_MAX], bad[PATH_MAX];
	struct stat st;
	int loose = loose_dir(dir, bad, sizeof(bad));

	if (!loose && realpath(file, real) != NULL) { /* and where it really is */
		char *slash = strrchr(real, '/');

		if (slash != NULL) {
			*slash = '\0';
			loose = loose_dir(real, bad, sizeof(bad));
		}
	}
	if (loose) {
		snprintf(why, whylen, "'%.64s' is found in '%.128s', which anyone can write to",
		         word, bad);
		return -1;
	}
	if (stat(file, &st) == 0 && (st.st_mode & S_IWOTH)) {
		snprintf(why, whylen, "'%.160s' is writable by anyone", file);
		return -1;
	}
	return 0;
}

int cmd_check_program(const char *command, const char *path, char *why, size_t whylen)
{
	char word[PATH_MAX], file[PATH_MAX], dir[PATH_MAX];
	const char *p = command != NULL ? command : "";
	int plain = 0;

	for (;;) {
		next_word(&p, word, sizeof(word), &plain);
		if (!plain || word[0] == '\0')
			return 0; /* only the shell can tell (or nothing runs) */
		if (!is_assignment(word) && strcmp(word, "exec") != 0 &&
		    strcmp(word, "command") != 0)
			break;
	}
	if (strchr(word, '/') != NULL) {
		char *slash;

		if (word[0] != '/') {
			snprintf(why, whylen,
			         "'%.128s' is a relative path (configure an absolute path or a "
			         "name found on PATH)",
			         word);
			return -1;
		}
		strlcpy_chk(dir, word, sizeof(dir));
		slash = strrchr(dir, '/');
		*slash = '\0';
		return check_found(word, word, dir, why, whylen);
	}
	if (path == NULL)
		path = getenv("PATH");
	if (path == NULL)
		path = DEFAULT_PATH;
	for (const char *e = path;; e++) {
		size_t len = strcspn(e, ":");
		struct stat st;

		snprintf(dir, sizeof(dir), "%.*s", (int)(len ? len : 1), len ? e : ".");
		if (snprintf(file, sizeof(file), "%s/%s", dir, word) < (int)sizeof(file) &&
		    stat(file, &st) == 0 && S_ISREG(st.st_mode) && access(file, X_OK) == 0) {
			if (dir[0] != '/') {
				snprintf(why, whylen,
				         "'%.64s' is found through the relative PATH entry "
				         "'%.64s'",
				         word, dir);
				return -1;
			}
			return check_found(word, file, dir, why, whylen);
		}
		e += len;
		if (*e == '\0')
			return 0; /* not found: the shell will say so */
	}
}

static double ms_since(int64_t t0)
{
	return (double)(clock_mono_ns() - t0) / 1e6;
}

/* See probe_cmd.h. res->output is malloc'd (cmd_result_release frees it). */
int cmd_run(const struct cmd_req *req, struct cmd_result *res)
{
	long timeout = req->timeout_ms > 0 ? req->timeout_ms : DEFAULT_TIMEOUT_MS;
	struct tail tail = {NULL, 0, req->max_output ? req->max_output : DEFAULT_MAX_OUTPUT, 0,
	                    0};
	int in_pipe[2] = {-1, -1}, out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
	int64_t t0 = clock_mono_ns();
	double killed_at = -1, exited_at = -1;
	size_t in_off = 0, in_len = 0;
	char **envp = NULL;
	int status = 0, sent_kill = 0, lost = 0, rc = -1;
	pid_t pid = -1;

	memset(res, 0, sizeof(*res));
	res->exit_code = -1;
	if (req->abort != NULL && *req->abort) {
		res->aborted = 1;
		strlcpy_chk(res->errmsg, "aborted before start", sizeof(res->errmsg));
		goto out;
	}
	if (req->command == NULL) {
		strlcpy_chk(res->errmsg, "no command", sizeof(res->errmsg));
		goto out;
	}
	{
		const char *path = NULL;
		char why[200];

		for (size_t i = 0; i < req->nenv; i++)
			if (req->env[i].name != NULL && strcmp(req->env[i].name, "PATH") == 0)
				path = req->env[i].value;
		if (cmd_check_program(req->command, path, why, sizeof(why)) != 0) {
			snprintf(res->errmsg, sizeof(res->errmsg), "refused: %s", why);
			goto out;
		}
	}
	if (pipe2(out_pipe, O_CLOEXEC) < 0 || pipe2(err_pipe, O_CLOEXEC) < 0)
		goto sys_fail;
	if (req->stdin_data != NULL) {
		if (pipe2(in_pipe, O_CLOEXEC) < 0)
			goto sys_fail;
		in_len = strlen(req->stdin_data);
		fcntl(in_pipe[1], F_SETFL, fcntl(in_pipe[1], F_GETFL) | O_NONBLOCK);
	} else {
		in_pipe[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (in_pipe[0] < 0)
			goto sys_fail;
	}
	envp = build_envp(req);
	pid = fork();
	if (pid < 0)
		goto sys_fail;
	if (pid == 0)
		child_exec(req->command, envp, in_pipe[0], out_pipe[1], err_pipe[1]);
	setpgid(pid, pid); /* also done in the child: whichever runs first wins the race */
	close_fd(&in_pipe[0]);
	close_fd(&out_pipe[1]);
	close_fd(&err_pipe[1]);
	{
		int e = 0;
		ssize_t n;

		do {
			n = read(err_pipe[0], &e, sizeof(e));
		} while (n < 0 && errno == EINTR);
		close_fd(&err_pipe[0]);
		if (n == (ssize_t)sizeof(e)) { /* exec failed */
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
			snprintf(res->errmsg, sizeof(res->errmsg), "cannot run /bin/sh: %s",
			         strerror(e));
			goto out;
		}
	}
	res->started = 1;
	if (in_len == 0)
		close_fd(&in_pipe[1]);

	for (;;) {
		struct pollfd pfd[2];
		double now = ms_since(t0);
		int nfd = 0, wait_ms = TICK_MS;

		if (req->abort != NULL && *req->abort) {
			if (exited_at >= 0) /* it finished; stop waiting for stray output */
				break;
			if (killed_at < 0)
				res->aborted = 1;
		}
		if (killed_at < 0 && exited_at < 0 && now >= (double)timeout)
			res->timed_out = 1;
		if (killed_at < 0 && (res->aborted || res->timed_out)) {
			kill(-pid, SIGTERM);
			killed_at = now;
		}
		if (killed_at >= 0 && !sent_kill && now - killed_at >= KILL_GRACE_MS) {
			kill(-pid, SIGKILL);
			sent_kill = 1;
		}
		if (exited_at < 0) {
			pid_t w = waitpid(pid, &status, WNOHANG);

			if (w == pid) {
				exited_at = now;
			} else if (w < 0 && errno == ECHILD) { /* reaped elsewhere (SIG_IGN) */
				exited_at = now;
				lost = 1;
			}
		}
		if (exited_at >= 0 && out_pipe[0] < 0)
			break;
		/* the shell is gone but something it started holds the output open */
		if (exited_at >= 0 && now - exited_at >= DRAIN_MS &&
		    (killed_at < 0 || sent_kill))
			break;
		if (out_pipe[0] >= 0) {
			pfd[nfd].fd = out_pipe[0];
			pfd[nfd++].events = POLLIN;
		}
		if (in_pipe[1] >= 0) {
			pfd[nfd].fd = in_pipe[1];
			pfd[nfd++].events = POLLOUT;
		}
		if (out_pipe[0] < 0) /* output closed: only waiting for the exit */
			wait_ms = 10;
		if (killed_at < 0 && exited_at < 0 && (double)timeout - now < wait_ms)
			wait_ms = (int)((double)timeout - now) + 1;
		if (nfd == 0) {
			sleep_ms(wait_ms, NULL);
			continue;
		}
		if (poll(pfd, (nfds_t)nfd, wait_ms) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < nfd; i++) {
			if (pfd[i].fd == out_pipe[0] && pfd[i].revents) {
				char chunk[16384];
				ssize_t n = read(out_pipe[0], chunk, sizeof(chunk));

				if (n > 0)
					tail_add(&tail, chunk, (size_t)n);
				else if (n == 0 || (errno != EINTR && errno != EAGAIN))
					close_fd(&out_pipe[0]);
			} else if (pfd[i].fd == in_pipe[1] && pfd[i].revents) {
				if (pfd[i].revents & (POLLERR | POLLHUP) ||
				    feed_stdin(in_pipe[1], req->stdin_data, in_len, &in_off))
					close_fd(&in_pipe[1]);
			}
		}
	}
	if (exited_at < 0) { /* a read error ended the loop: make sure the child is gone */
		kill(-pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	if (lost) {
		res->exit_code = -1;
		strlcpy_chk(res->errmsg, "exit status lost", sizeof(res->errmsg));
	} else if (WIFEXITED(status)) {
		res->exit_code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		res->exit_code = -1;
		res->signal = WTERMSIG(status);
	}
	rc = res->exit_code == 0 && !res->timed_out && !res->aborted ? 0 : 1;
	goto out;

sys_fail:
	snprintf(res->errmsg, sizeof(res->errmsg), "cannot start command: %s", strerror(errno));
out:
	close_fd(&in_pipe[0]);
	close_fd(&in_pipe[1]);
	close_fd(&out_pipe[0]);
	close_fd(&out_pipe[1]);
	close_fd(&err_pipe[0]);
	close_fd(&err_pipe[1]);
	if (envp != NULL)
		free_envp(envp);
	res->output_truncated = tail.dropped;
	res->output = tail_detach(&tail, &res->output_len);
	res->ms = ms_since(t0);
	return rc;
}

/* Free the captured output; *res is zeroed. */
void cmd_result_release(struct cmd_result *res)
{
	free(res->output);
	memset(res, 0, sizeof(*res));
}
