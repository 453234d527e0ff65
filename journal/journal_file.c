/*
 * journal_file.c - the journal on disk before SQLite sees it: parent directories
 * created 0700, the file created 0600, loose modes refused; and the HMAC key file.
 */
#include "journal_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* The directory part of path ("." when none). Caller frees. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* mkdir -p dir, new directories 0700. On failure errno is set and *failed names the step. */
static int mkdirs(char *dir, char **failed)
{
	struct stat st;
	size_t n = strlen(dir);

	for (size_t i = 1; i <= n; i++) {
		if (dir[i] != '/' && dir[i] != '\0')
			continue;
		if (dir[i - 1] == '/')
			continue;
		char c = dir[i];

		dir[i] = '\0';
		if (mkdir(dir, 0700) != 0) {
			int e = errno;

			if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
				*failed = xstrdup(dir);
				dir[i] = c;
				errno = (e == EEXIST) ? ENOTDIR : e;
				return -1;
			}
		}
		dir[i] = c;
	}
	return 0;
}

int journal_prepare_file(struct journal *j)
{
	char q[PATH_MAX], qd[PATH_MAX];
	const char *why;
	char *dir = dir_of(j->path);
	char *failed = NULL;
	struct stat st;
	int rc = -1;
	int fd = -1;

	journal_quote(j->path, q, sizeof(q));
	if (mkdirs(dir, &failed) != 0) {
		why = strerror_lc(errno);
		journal_quote(failed, qd, sizeof(qd));
		journal_seterr(j,
		               "unable to open journal '%s': cannot create directory '%s': %s",
		               q, qd, why);
		goto out;
	}
	journal_quote(dir, qd, sizeof(qd));
	if (stat(dir, &st) != 0) {
		why = strerror_lc(errno);
		journal_seterr(j, "unable to open journal '%s': %s", q, why);
		goto out;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		journal_seterr(j, "journal directory '%s' is writable by group or others", qd);
		goto out;
	}
	fd = open(j->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600);
	if (fd < 0 || fstat(fd, &st) != 0) {
		why = strerror_lc(errno);
		journal_seterr(j, "unable to open journal '%s': %s", q, why);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		journal_seterr(j, "unable to open journal '%s': not a regular file", q);
		goto out;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		journal_seterr(j, "journal '%s' is writable by group or others", q);
		goto out;
	}
	for (int i = 0; i < 2; i++) {
		char side[PATH_MAX + 8];

		snprintf(side, sizeof(side), "%s%s", j->path, i == 0 ? "-wal" : "-shm");
		if (stat(side, &st) == 0 && (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
			journal_quote(side, qd, sizeof(qd));
			journal_seterr(j, "journal '%s' is writable by group or others", qd);
			goto out;
		}
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(failed);
	free(dir);
	return rc;
}

int journal_load_key(struct journal *j, const char *keypath)
{
	char q[PATH_MAX];
	const char *why;
	unsigned char *key = xmalloc(CHAIN_KEY_MAX + 1);
	size_t n = 0;
	struct stat st;
	int rc = -1;
	int fd;

	journal_quote(keypath, q, sizeof(q));
	/* O_NONBLOCK: a FIFO in the key file's place must not hang the open */
	fd = open(keypath, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) != 0) {
		why = strerror_lc(errno);
		journal_seterr(j, "unable to read journal key '%s': %s", q, why);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		journal_seterr(j, "unable to read journal key '%s': not a regular file", q);
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		journal_seterr(j, "journal key '%s' is accessible by group or others", q);
		goto out;
	}
	while (n <= CHAIN_KEY_MAX) {
		ssize_t r = read(fd, key + n, CHAIN_KEY_MAX + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			why = strerror_lc(errno);
			journal_seterr(j, "unable to read journal key '%s': %s", q, why);
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n < CHAIN_KEY_MIN || n > CHAIN_KEY_MAX) {
		journal_seterr(j, "journal key '%s' must hold %d to %d bytes", q, CHAIN_KEY_MIN,
		               CHAIN_KEY_MAX);
		goto out;
	}
	if (chain_init(&j->chain, key, n) != 0) {
		journal_seterr(j, "unable to set up hmac-sha256 for journal key '%s'", q);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	explicit_bzero(key, CHAIN_KEY_MAX + 1);
	free(key);
	return rc;
}
