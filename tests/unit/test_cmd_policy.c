/*
 * test_cmd_policy.c - which configured programs cmd_run refuses to start
 * (cmd_check_program, src/probe_cmd.c): relative paths, programs found through a
 * relative PATH entry or a directory anyone can write to. docs/reliability.md, item 10.
 */
#include "test.h"

#include <ftw.h>
#include <limits.h>
#include <sys/stat.h>

#include "probe_cmd.h"
#include "util.h"

static char root[PATH_MAX];

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static void cleanup(void)
{
	if (root[0] != '\0')
		nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A private directory for the case (0700) under /tmp, removed when the case exits. */
static const char *tmpdir(void)
{
	snprintf(root, sizeof(root), "/tmp/runbook-policy.XXXXXX");
	CHECK(mkdtemp(root) != NULL);
	atexit(cleanup);
	return root;
}

static char *mkdir_mode(const char *parent, const char *name, mode_t mode)
{
	char *d = xasprintf("%s/%s", parent, name);

	CHECK_INT(mkdir(d, 0700), ==, 0);
	CHECK_INT(chmod(d, mode), ==, 0); /* exact, whatever the umask */
	return d;
}

/* An executable script dir/name that touches dir/name.ran; returns its path. */
static char *program(const char *dir, const char *name, mode_t mode)
{
	char *p = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");

	CHECK(f != NULL);
	fprintf(f, "#!/bin/sh\ntouch '%s.ran'\n", p);
	fclose(f);
	CHECK_INT(chmod(p, mode), ==, 0);
	return p;
}

static int check(const char *cmd, const char *path, char *why)
{
	why[0] = '\0';
	return cmd_check_program(cmd, path, why, 256);
}

static void test_relative_paths_refused(void)
{
	const char *cmds[] = {"./restart",       "bin/restart --now", "../x",
	                      "FOO=1 ./restart", "exec bin/x",        "  command sub/x; true",
	                      "'./quoted' arg",  "A=1 B='x y' ./r"};
	char why[256];

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		CHECK_INT(check(cmds[i], NULL, why), ==, -1);
		CHECK_CONTAINS(why, "is a relative path");
	}
}

static void test_ordinary_commands_allowed(void)
{
	const char *cmds[] = {"railway logs --service api",
	                      "echo hi; sleep 1",
	                      "exit 0",
	                      "true",
	                      "/bin/sh -c 'x'",
	                      "\"$PY\" script.py",
	                      "$CMD",
	                      "no-such-program-anywhere",
	                      "",
	                      "   ",
	                      "(cd /; ./x)",
	                      "DATABASE_URL=x psql"};
	char why[256];

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (check(cmds[i], "/usr/local/bin:/usr/bin:/bin", why) != 0)
			TEST_FAIL_AT("'%s' refused: %s", cmds[i], why);
	}
}

static void test_world_writable_dir_refused(void)
{
	const char *r = tmpdir();
	char *open_dir = mkdir_mode(r, "open", 0777);
	char *prog = program(open_dir, "restart", 0755);
	char *path = xasprintf("%s:/usr/bin", open_dir);
	char why[256];

	CHECK_INT(check("restart --service api", path, why), ==, -1);
	CHECK_CONTAINS(why, "'restart' is found in '");
	CHECK_CONTAINS(why, "/open', which anyone can write to");
	CHECK_INT(check(prog, NULL, why), ==, -1); /* the absolute path too */
	/* sticky (like /tmp): others cannot replace what is in it */
	CHECK_INT(chmod(open_dir, 01777), ==, 0);
	CHECK_INT(check("restart", path, why), ==, 0);
	CHECK_INT(chmod(open_dir, 0755), ==, 0);
	CHECK_INT(check("restart", path, why), ==, 0);
	free(path);
	free(prog);
	free(open_dir);
}

static void test_world_writable_parent_refused(void)
{
	const char *r = tmpdir();
	char *open_dir = mkdir_mode(r, "open", 0777);
	char *bin = mkdir_mode(open_dir, "bin", 0755);
	char *prog = program(bin, "restart", 0755);
	char why[256];

	CHECK_INT(check(prog, NULL, why), ==, -1);
	CHECK_CONTAINS(why, "/open', which anyone can write to");
	CHECK_INT(check("restart", bin, why), ==, -1);
	free(prog);
	free(bin);
	free(open_dir);
}

/* A safe-looking name that links into an open directory is judged where it lands. */
static void test_symlink_into_open_dir_refused(void)
{
	const char *r = tmpdir();
	char *open_dir = mkdir_mode(r, "open", 0777);
	char *safe = mkdir_mode(r, "safe", 0755);
	char *prog = program(open_dir, "restart", 0755);
	char *link = xasprintf("%s/restart", safe);
	char why[256];

	CHECK_INT(symlink(prog, link), ==, 0);
	CHECK_INT(check("restart", safe, why), ==, -1);
	CHECK_CONTAINS(why, "/open', which anyone can write to");
	free(link);
	free(prog);
	free(safe);
	free(open_dir);
}

static void test_world_writable_program_refused(void)
{
	const char *r = tmpdir();
	char *bin = mkdir_mode(r, "bin", 0755);
	char *prog = program(bin, "restart", 0757);
	char why[256];

	CHECK_INT(check("restart", bin, why), ==, -1);
	CHECK_CONTAINS(why, "/bin/restart' is writable by anyone");
	free(prog);
	free(bin);
}

static void test_relative_path_entry_refused(void)
{
	const char *r = tmpdir();
	char *bin = mkdir_mode(r, "bin", 0755);
	char *prog = program(bin, "restart", 0755);
	char why[256];

	CHECK_INT(chdir(bin), ==, 0);
	CHECK_INT(check("restart", "/usr/bin::/bin", why), ==, -1); /* "" is "." */
	CHECK_CONTAINS(why, "through the relative PATH entry '.'");
	CHECK_INT(check("restart", "/usr/bin:.", why), ==, -1);
	CHECK_INT(chdir(r), ==, 0);
	CHECK_INT(check("restart", "bin", why), ==, -1);
	CHECK_CONTAINS(why, "relative PATH entry 'bin'");
	/* found first in a safe absolute entry: fine */
	CHECK_INT(check("restart", bin, why), ==, 0);
	free(prog);
	free(bin);
}

/* cmd_run does not start a refused program, and says why. */
static void test_cmd_run_refuses(void)
{
	const char *r = tmpdir();
	char *open_dir = mkdir_mode(r, "open", 0777);
	char *prog = program(open_dir, "restart", 0755);
	char *ran = xasprintf("%s.ran", prog);
	char *path = xasprintf("%s:/usr/bin:/bin", open_dir);
	struct cmd_env env[] = {{"PATH", path}};
	struct cmd_req req;
	struct cmd_result res;

	memset(&req, 0, sizeof(req));
	req.command = "restart";
	req.env = env;
	req.nenv = 1;
	CHECK_INT(cmd_run(&req, &res), ==, -1);
	CHECK_INT(res.started, ==, 0);
	CHECK_CONTAINS(res.errmsg, "refused: 'restart' is found in '");
	cmd_result_release(&res);
	CHECK_INT(access(ran, F_OK), ==, -1);
	/* the control: once the directory is safe, it runs */
	CHECK_INT(chmod(open_dir, 0755), ==, 0);
	CHECK_INT(cmd_run(&req, &res), ==, 0);
	cmd_result_release(&res);
	CHECK_INT(access(ran, F_OK), ==, 0);
	free(path);
	free(ran);
	free(prog);
	free(open_dir);
}

TEST_LIST = {
        {"relative_paths_refused", test_relative_paths_refused},
        {"ordinary_commands_allowed", test_ordinary_commands_allowed},
        {"world_writable_dir_refused", test_world_writable_dir_refused},
        {"world_writable_parent_refused", test_world_writable_parent_refused},
        {"symlink_into_open_dir_refused", test_symlink_into_open_dir_refused},
        {"world_writable_program_refused", test_world_writable_program_refused},
        {"relative_path_entry_refused", test_relative_path_entry_refused},
        {"cmd_run_refuses", test_cmd_run_refuses},
        {NULL, NULL},
};
