/*
 * cmd_export.c - `runbook export ID [--format md|json|html] [-o FILE] [--stamp]`: the
 * postmortem, built from the journal alone (report.c), written by one writer per format.
 */
#include "cli.h"

#include "journal.h"
#include "report.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define USAGE "export ID [--format md|json|html] [-o FILE] [--stamp]"

static const struct {
	const char *name;
	int (*write)(const struct report *r, FILE *out, const struct report_opts *o);
} formats[] = {
        {"md", report_write_md},
        {"json", report_write_json},
        {"html", report_write_html},
};

/*
 * Where the report goes. A regular file (or a new one) is written as "<path>.tmp.<pid>"
 * (0644 less the umask) and moved over path at the end, so a reader never sees half a
 * report; *tmp is that name. Anything else that exists (a device, a FIFO, a symbolic
 * link) is written in place, never replaced: *tmp is NULL. NULL with errno set.
 */
static FILE *open_out(const char *path, char **tmp)
{
	struct stat st;
	int fd;
	FILE *f;

	*tmp = NULL;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return fopen(path, "we");
	*tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	if (f == NULL) {
		int e = errno;

		close(fd);
		unlink(*tmp);
		errno = e;
	}
	return f;
}

/* Flush, sync, close and move tmp over path (written in place when tmp is NULL: a
 * device or a FIFO cannot be synced). 0, or -1 with errno set. */
static int commit(FILE *f, const char *tmp, const char *path)
{
	int rc = 0;

	if (fflush(f) != 0 || ferror(f) || (tmp != NULL && fsync(fileno(f)) != 0))
		rc = -1;
	if (fclose(f) != 0)
		rc = -1;
	if (rc == 0 && tmp != NULL && rename(tmp, path) != 0)
		rc = -1;
	return rc;
}

/*
 * A second handle on the journal main.c opened (the same path, resolved the same way),
 * for journal_verify to run on while the report is built; NULL when it cannot be had
 * (verify then runs on the first handle).
 */
static struct journal *second_handle(struct cli *c)
{
	const char *env = getenv("RUNBOOK_JOURNAL");
	const char *path = c->journal_path;
	struct journal *j = NULL;
	char err[512];

	if (path == NULL)
		path = env != NULL && *env != '\0' ? env : c->journal_buf;
	if (*path == '\0' || journal_open(path, &j, err, sizeof(err)) != 0)
		return NULL;
	return j;
}

int cmd_export(struct cli *c, int argc, char **argv)
{
	const char *format = NULL, *outpath = NULL, *outlong = NULL;
	int stamp = 0, rc, fi = -1;
	struct opt opts[] = {{"--format", OPT_STR, &format},
	                     {"-o", OPT_STR, &outpath},
	                     {"--output", OPT_STR, &outlong},
	                     {"--stamp", OPT_FLAG, &stamp},
	                     {NULL, OPT_FLAG, NULL}};
	struct strlist pos = {NULL, 0};
	struct report_opts ro = {NULL};
	struct report r;
	char id[37], err[512], stampbuf[512], ts[32];
	char *tmp = NULL;
	FILE *out = stdout;
	struct journal *vj = NULL;

	memset(&r, 0, sizeof(r));
	rc = cli_parse(c, argc, argv, opts, &pos, 1, 1, USAGE);
	if (rc != 0)
		goto out;
	if (outpath == NULL)
		outpath = outlong;
	if (format == NULL)
		format = c->json ? "json" : "md";
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(formats[i].name, format) == 0)
			fi = (int)i;
	if (fi < 0) {
		rc = cli_error(EXIT_USAGE, "format '%s' is not one of md, json, html", format);
		goto out;
	}
	rc = cli_incident(c, pos.v[0], id);
	if (rc != 0)
		goto out;
	vj = second_handle(c);
	if (report_load(&r, c->j, vj, id, err, sizeof(err)) < 0) {
		rc = cli_error(EXIT_JOURNAL, "%s", err);
		goto out;
	}
	if (stamp) {
		time_format(clock_wall(), ts);
		snprintf(stampbuf, sizeof(stampbuf), "exported %s by %s", ts, c->operator);
		ro.stamp = stampbuf;
	}
	if (outpath != NULL) {
		out = open_out(outpath, &tmp);
		if (out == NULL) {
			rc = cli_error(EXIT_FAIL, "unable to write '%s': %s", outpath,
			               strerror_lc(errno));
			goto out;
		}
	}
	if (formats[fi].write(&r, out, &ro) < 0) {
		int e = errno;

		if (ferror(out))
			rc = cli_error(EXIT_FAIL, "unable to write '%s': %s",
			               outpath ? outpath : "standard output", strerror_lc(e));
		else
			rc = cli_error(EXIT_JOURNAL, "%s", journal_errmsg(c->j));
		if (out != stdout) {
			fclose(out);
			if (tmp != NULL)
				unlink(tmp);
		}
		goto out;
	}
	if (out != stdout && commit(out, tmp, outpath) < 0) {
		rc = cli_error(EXIT_FAIL, "unable to write '%s': %s", outpath,
		               strerror_lc(errno));
		if (tmp != NULL)
			unlink(tmp);
		goto out;
	}
	if (outpath != NULL && !c->json)
		fprintf(stderr, "exported INC %.8s to %s (%s)\n", id, outpath, format);
	if (!report_verify(&r)->ok) {
		rc = cli_error(EXIT_UNHEALTHY,
		               "the journal failed verification (%s); the report says so",
		               report_verify(&r)->reason);
	}
out:
	report_release(&r);
	journal_close(vj);
	free(tmp);
	strlist_release(&pos);
	return rc;
}
