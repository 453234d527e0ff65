/* test_config.c - loading runbook.json: types, env: references, literal secrets, paths. */
#include "config.h"
#include "redact.h"
#include "test.h"
#include "util.h"

#include <sys/stat.h>

/* The example of cli.md "Configuration (`runbook.json`)", verbatim. */
static const char *example =
        "{\n"
        "  \"api\":      { \"url\": \"https://api.bilko.io\", \"health_path\": \"/health\", "
        "\"timeout_ms\": 5000 },\n"
        "  \"frontend\": { \"url\": \"https://bilko.io\" },\n"
        "  \"database\": { \"url\": \"env:DATABASE_URL\", \"staging_url\": "
        "\"env:STAGING_DB_URL\", "
        "\"name\": \"bilko_prod\",\n"
        "                \"staging_name\": \"bilko_staging\" },\n"
        "  \"storage\":  { \"endpoint\": \"env:R2_ENDPOINT\", \"bucket\": \"bilko-receipts\", "
        "\"region\": \"auto\",\n"
        "                \"access_key_id\": \"env:R2_ACCESS_KEY_ID\", \"secret_access_key\": "
        "\"env:R2_SECRET_ACCESS_KEY\" },\n"
        "  \"email\":    { \"provider\": \"sendgrid\", \"api_url\": "
        "\"https://api.sendgrid.com\", "
        "\"api_key\": \"env:SENDGRID_API_KEY\",\n"
        "                \"smtp_url\": null, \"smtp_tls\": \"starttls\", \"from\": "
        "\"noreply@bilko.io\", \"test_to\": \"ops@bilko.io\" },\n"
        "  \"errors\":   { \"sentry_url\": \"https://sentry.io\", \"org\": \"bilko\", "
        "\"project\": "
        "\"bilko-backend\", \"token\": \"env:SENTRY_TOKEN\" },\n"
        "  \"platform\": { \"api_url\": \"https://backboard.railway.app/graphql/v2\", "
        "\"railway_token\": \"env:RAILWAY_TOKEN\",\n"
        "                \"service\": \"api\" },\n"
        "  \"alerts\":   { \"webhook_url\": \"env:SLACK_WEBHOOK_URL\", \"channel\": "
        "\"#bilko-alerts\" },\n"
        "  \"commands\": { \"logs\": \"railway logs --service api --tail 50\",\n"
        "                \"restart\": \"railway service restart --service api\",\n"
        "                \"rollback\": \"railway redeploy --service api --previous\",\n"
        "                \"deploy\": \"railway up --service api --environment production\",\n"
        "                \"migrate\": \"npx prisma migrate deploy\",\n"
        "                \"retry_uploads\": \"...\", \"apply\": \"railway variables set ...\" "
        "},\n"
        "  \"thresholds\": { \"escalate_after_min\": 5, \"db_active_max\": 20, \"api_p95_ms\": "
        "1000,\n"
        "                  \"idle_min\": 10, \"slow_query_s\": 5, \"cert_min_days\": 30, "
        "\"error_rate_pct\": 1 },\n"
        "  \"timing\":     { \"verify_interval_s\": 10, \"verify_timeout_s\": 300,\n"
        "                  \"storage_wait_min\": 15, \"email_deadline_min\": 120, "
        "\"probe_timeout_ms\": 5000,\n"
        "                  \"deploy_watch_min\": 15 },\n"
        "  \"certs\":      { \"hosts\": [\"bilko.io:443\", \"api.bilko.io:443\"] },\n"
        "  \"backup\":     { \"count_tables\": [\"organizations\", \"invoices\"], \"dir\": "
        "\"~/.local/state/runbook/backups\" },\n"
        "  \"secrets\":    { \"names\": [\"JWT_SECRET\", \"JWT_REFRESH_SECRET\"] }\n"
        "}\n";

static char tmpdir[64];

static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_config.XXXXXX");
	CHECK(mkdtemp(tmpdir) != NULL);
}

/* Write text to tmpdir/name with mode; returns the path (caller frees). */
static char *write_file(const char *name, const char *text, mode_t mode)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	CHECK(fputs(text, f) >= 0);
	CHECK(fclose(f) == 0);
	CHECK(chmod(path, mode) == 0);
	return path;
}

/* config_parse(text) must fail with exactly `want`. */
static void expect_error(const char *text, const char *want)
{
	struct config *c = NULL;
	char err[512] = "";

	CHECK_INT(config_parse("/x/runbook.json", text, &c, err, sizeof(err)), ==, -1);
	CHECK(c == NULL);
	CHECK_STR(err, want);
}

static struct config *parse_ok(const char *text)
{
	struct config *c = NULL;
	char err[512] = "";
	int rc = config_parse("/x/runbook.json", text, &c, err, sizeof(err));

	if (rc != 0)
		TEST_FAIL_AT("unexpected error: %s", err);
	CHECK(c != NULL);
	return c;
}

static void unset_example_env(void)
{
	const char *vars[] = {"DATABASE_URL",     "STAGING_DB_URL",       "R2_ENDPOINT",
	                      "R2_ACCESS_KEY_ID", "R2_SECRET_ACCESS_KEY", "SENDGRID_API_KEY",
	                      "SENTRY_TOKEN",     "RAILWAY_TOKEN",        "SLACK_WEBHOOK_URL"};

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
}

static void test_example_loads(void)
{
	struct config *c;
	const cJSON *hosts;

	unset_example_env();
	setenv("DATABASE_URL", "postgresql://app:db-pass-123@db:5432/bilko", 1);
	c = parse_ok(example);
	CHECK(config_file(c) == NULL); /* config_parse reads no file */
	CHECK_STR(config_str(c, "api.url"), "https://api.bilko.io");
	CHECK_STR(config_str(c, "api.health_path"), "/health");
	CHECK(config_num(c, "api.timeout_ms", 0) == 5000);
	CHECK_STR(config_str(c, "database.url"), "postgresql://app:db-pass-123@db:5432/bilko");
	CHECK_STR(config_env_name(c, "database.url"), "DATABASE_URL");
	CHECK(config_env_name(c, "api.url") == NULL);
	CHECK(config_str(c, "email.smtp_url") == NULL);
	CHECK_STR(config_why_missing(c, "email.smtp_url"), "'email.smtp_url' is not set");
	CHECK_STR(config_str(c, "email.provider"), "sendgrid");
	CHECK_STR(config_str(c, "commands.migrate"), "npx prisma migrate deploy");
	CHECK_STR(config_str(c, "backup.dir"), "~/.local/state/runbook/backups");
	CHECK(config_num(c, "thresholds.cert_min_days", 0) == 30);
	CHECK(config_num(c, "timing.verify_timeout_s", 0) == 300);
	CHECK(config_num(c, "timing.absent", 7.5) == 7.5);
	CHECK(config_num(c, "nosection.absent", -1) == -1);
	hosts = config_node(c, "certs.hosts");
	CHECK(cJSON_IsArray(hosts));
	CHECK_INT(cJSON_GetArraySize(hosts), ==, 2);
	CHECK_STR(cJSON_GetArrayItem(hosts, 1)->valuestring, "api.bilko.io:443");
	CHECK(config_has(c, "api"));
	CHECK(config_has(c, "secrets"));
	CHECK(!config_has(c, "nope"));
	CHECK_STR(config_str_or(c, "email.smtp_tls", "tls"), "starttls");
	CHECK_STR(config_str_or(c, "email.nothing", "dflt"), "dflt");
	CHECK(config_str(c, "api") == NULL);
	CHECK(config_str(c, "api.timeout_ms") == NULL);
	CHECK(config_node(c, "api.url.deeper") == NULL);
	config_free(c);
	redact_reset();
}

static void test_example_file_0644(void)
{
	struct config *c = NULL;
	char err[512] = "";
	char *path;

	unset_example_env();
	make_tmpdir();
	path = write_file("runbook.json", example, 0644);
	/* every secret is an env: reference, so a world-readable file is fine */
	CHECK_INT(config_load(path, &c, err, sizeof(err)), ==, 0);
	CHECK_STR(config_file(c), path);
	config_free(c);
	unlink(path);
	rmdir(tmpdir);
	free(path);
}

static void test_type_errors(void)
{
	expect_error(
	        "{\"timing\": {\"verify_interval_s\": \"10\"}}",
	        "config '/x/runbook.json': key 'timing.verify_interval_s' must be a number");
	expect_error("{\"timing\": {\"verify_interval_s\": -1}}",
	             "config '/x/runbook.json': key 'timing.verify_interval_s' must be a "
	             "non-negative number");
	expect_error("{\"thresholds\": {\"idle_min\": -0.5}}",
	             "config '/x/runbook.json': key 'thresholds.idle_min' must be a "
	             "non-negative number");
	expect_error("{\"api\": {\"timeout_ms\": true}}",
	             "config '/x/runbook.json': key 'api.timeout_ms' must be a number");
	expect_error("{\"frontend\": {\"timeout_ms\": -3}}",
	             "config '/x/runbook.json': key 'frontend.timeout_ms' must be a "
	             "non-negative number");
	expect_error("{\"api\": {\"url\": 5}}",
	             "config '/x/runbook.json': key 'api.url' must be a string");
	expect_error("{\"api\": {\"url\": null}}",
	             "config '/x/runbook.json': key 'api.url' must be a string");
	expect_error("{\"email\": {\"smtp_url\": 1}}",
	             "config '/x/runbook.json': key 'email.smtp_url' must be a string or null");
	expect_error(
	        "{\"email\": {\"provider\": \"mailgun\"}}",
	        "config '/x/runbook.json': key 'email.provider' must be one of sendgrid, smtp");
	expect_error(
	        "{\"email\": {\"smtp_tls\": \"ssl\"}}",
	        "config '/x/runbook.json': key 'email.smtp_tls' must be one of starttls, tls, "
	        "none");
	expect_error("{\"certs\": {\"hosts\": \"bilko.io:443\"}}",
	             "config '/x/runbook.json': key 'certs.hosts' must be an array of strings");
	expect_error("{\"backup\": {\"count_tables\": [\"a\", 2]}}",
	             "config '/x/runbook.json': key 'backup.count_tables' must be an array of "
	             "strings");
	expect_error(
	        "{\"secrets\": {\"names\": {}}}",
	        "config '/x/runbook.json': key 'secrets.names' must be an array of strings");
	expect_error("{\"commands\": {\"logs\": [\"railway\", \"logs\"]}}",
	             "config '/x/runbook.json': key 'commands.logs' must be a string");
	expect_error("{\"api\": [\"https://x\"]}",
	             "config '/x/runbook.json': key 'api' must be an object");
	expect_error("[1, 2]", "config '/x/runbook.json': the top level must be a JSON object");
	expect_error("{\"database\": {\"url\": \"env:\"}}",
	             "config '/x/runbook.json': key 'database.url' must name an environment "
	             "variable as env:NAME");
	expect_error("{\"database\": {\"url\": \"env:1BAD-NAME\"}}",
	             "config '/x/runbook.json': key 'database.url' must name an environment "
	             "variable as env:NAME");
}

static void test_invalid_json(void)
{
	expect_error("{\n  \"api\": {\"url\": \"x\"},\n  \"frontend\": ,\n}\n",
	             "config '/x/runbook.json': invalid JSON near line 3");
	expect_error("", "config '/x/runbook.json': invalid JSON near line 1");
	expect_error("{} trailing", "config '/x/runbook.json': invalid JSON near line 1");
	expect_error("{\n\n\n\"a\": 1", "config '/x/runbook.json': invalid JSON near line 4");
}

static void test_unknown_keys_accepted(void)
{
	struct config *c =
	        parse_ok("{\"future\": {\"x\": [1, {\"y\": \"z\"}]}, \"api\": "
	                 "{\"url\": \"https://a\", \"retries\": 3}, \"version\": 2}");

	CHECK(config_num(c, "api.retries", 0) == 3);
	CHECK_STR(config_str(c, "future.x") ? "str" : "none", "none");
	CHECK(config_num(c, "version", 0) == 2);
	config_free(c);
}

static void test_fractional_numbers(void)
{
	struct config *c =
	        parse_ok("{\"thresholds\": {\"idle_min\": 0.05}, \"timing\": "
	                 "{\"verify_interval_s\": 0.25, \"verify_timeout_s\": 1.5e1}}");

	CHECK(config_num(c, "thresholds.idle_min", 10) == 0.05);
	CHECK(config_num(c, "timing.verify_interval_s", 10) == 0.25);
	CHECK(config_num(c, "timing.verify_timeout_s", 0) == 15);
	config_free(c);
}

static void test_env_set_and_unset(void)
{
	struct config *c;
	char *r;

	setenv("RB_TEST_DB", "postgresql://app:pw-Xy9-zz@db:5432/bilko", 1);
	setenv("RB_TEST_REGION", "eu-west", 1);
	unsetenv("RB_TEST_MISSING");
	setenv("RB_TEST_EMPTY", "", 1);
	c = parse_ok("{\"database\": {\"url\": \"env:RB_TEST_DB\", \"staging_url\": "
	             "\"env:RB_TEST_MISSING\", \"name\": \"env:RB_TEST_EMPTY\"},"
	             " \"storage\": {\"region\": \"env:RB_TEST_REGION\"}}");
	CHECK_STR(config_str(c, "database.url"), "postgresql://app:pw-Xy9-zz@db:5432/bilko");
	CHECK_STR(config_why_missing(c, "database.url"), "'database.url' is set");
	CHECK(config_str(c, "database.staging_url") == NULL);
	CHECK_STR(config_why_missing(c, "database.staging_url"),
	          "'database.staging_url' names $RB_TEST_MISSING, which is not set");
	CHECK_STR(config_env_name(c, "database.staging_url"), "RB_TEST_MISSING");
	CHECK(config_str(c, "database.name") == NULL);
	CHECK_STR(config_why_missing(c, "database.name"),
	          "'database.name' names $RB_TEST_EMPTY, which is empty");
	CHECK_STR(config_str_or(c, "database.staging_url", "none"), "none");
	CHECK_STR(config_why_missing(c, "api.url"), "'api.url' is not set");
	/* the node still shows the reference as written */
	CHECK_STR(config_node(c, "database.url")->valuestring, "env:RB_TEST_DB");

	/* every env: value is now a registered secret, and so is the URL password */
	r = redact_text("connecting to postgresql://app:pw-Xy9-zz@db:5432/bilko in eu-west; "
	                "pw was pw-Xy9-zz");
	CHECK_NOT_CONTAINS(r, "pw-Xy9-zz");
	CHECK_NOT_CONTAINS(r, "eu-west");
	CHECK_NOT_CONTAINS(r, "db:5432");
	free(r);
	config_free(c);
	redact_reset();
}

static void test_env_enum_checked(void)
{
	struct config *c = NULL;
	char err[512];

	setenv("RB_TEST_TLS", "ssl3", 1);
	CHECK_INT(config_parse("/x/runbook.json",
	                       "{\"email\": {\"smtp_tls\": \"env:RB_TEST_TLS\"}}", &c, err,
	                       sizeof(err)),
	          ==, -1);
	CHECK_STR(err,
	          "config '/x/runbook.json': key 'email.smtp_tls' must be one of starttls, "
	          "tls, none");
	unsetenv("RB_TEST_TLS");
	c = parse_ok("{\"email\": {\"smtp_tls\": \"env:RB_TEST_TLS\"}}");
	config_free(c);
	redact_reset();
}

/* A literal secret is refused in a 0644 file, accepted at 0600. */
static void literal_case(const char *text, const char *key)
{
	struct config *c = NULL;
	char err[512] = "";
	char *path = write_file("runbook.json", text, 0644);
	char *want = xasprintf("config '%s' holds a literal secret in '%s' and is readable by "
	                       "group or others (chmod 600 it or use env:)",
	                       path, key);

	CHECK_INT(config_load(path, &c, err, sizeof(err)), ==, -1);
	CHECK(c == NULL);
	CHECK_STR(err, want);
	CHECK(chmod(path, 0640) == 0);
	CHECK_INT(config_load(path, &c, err, sizeof(err)), ==, -1);
	CHECK(chmod(path, 0600) == 0);
	CHECK_INT(config_load(path, &c, err, sizeof(err)), ==, 0);
	CHECK(c != NULL);
	config_free(c);
	unlink(path);
	free(want);
	free(path);
}

static void test_literal_secrets(void)
{
	char *r;

	make_tmpdir();
	literal_case("{\"database\": {\"url\": \"postgresql://app:hunter22@db/bilko\"}}",
	             "database.url");
	literal_case("{\"email\": {\"api_key\": \"SG.abcdef\"}}", "email.api_key");
	literal_case("{\"storage\": {\"access_key_id\": \"AKIAEXAMPLE\"}}",
	             "storage.access_key_id");
	literal_case("{\"storage\": {\"secret_access_key\": \"wJalrXUtnFEMI\"}}",
	             "storage.secret_access_key");
	literal_case("{\"errors\": {\"token\": \"sntrys_abc\"}}", "errors.token");
	literal_case(
	        "{\"alerts\": {\"webhook_url\": \"https://hooks.slack.com/services/T/B/x\"}}",
	        "alerts.webhook_url");
	literal_case("{\"future\": {\"DB_Password\": \"pw-1234\"}}", "future.DB_Password");
	literal_case(
	        "{\"commands\": {\"migrate\": \"psql postgresql://u:pw-9876@h/db -f m.sql\"}}",
	        "commands.migrate");
	/* the literal values accepted at 0600 are registered secrets */
	r = redact_text("SG.abcdef wJalrXUtnFEMI pw-9876 hunter22");
	CHECK_STR(r, "[REDACTED] [REDACTED] [REDACTED] [REDACTED]");
	free(r);
	rmdir(tmpdir);
	redact_reset();
}

/* A command under a state id that happens to say "token" is not a secret. */
static void test_command_names_not_secrets(void)
{
	struct config *c = NULL;
	char err[512] = "";
	char *path;

	make_tmpdir();
	path = write_file("runbook.json",
	                  "{\"commands\": {\"rotate_token\": \"railway variables set X\"}}",
	                  0644);
	CHECK_INT(config_load(path, &c, err, sizeof(err)), ==, 0);
	CHECK_STR(config_str(c, "commands.rotate_token"), "railway variables set X");
	config_free(c);
	unlink(path);
	rmdir(tmpdir);
	free(path);
}

static void test_env_secret_world_readable(void)
{
	struct config *c = NULL;
	char err[512] = "";
	char *path;

	make_tmpdir();
	unsetenv("RB_TEST_KEY");
	path = write_file("cfg.json",
	                  "{\"email\": {\"api_key\": \"env:RB_TEST_KEY\", \"from\": \"a@b.c\"},"
	                  " \"database\": {\"url\": \"postgresql://app@db/bilko\"},"
	                  " \"storage\": {\"secret_access_key\": \"env:RB_TEST_KEY\"}}",
	                  0644);
	CHECK_INT(config_load(path, &c, err, sizeof(err)), ==, 0);
	CHECK(config_str(c, "email.api_key") == NULL);
	config_free(c);
	unlink(path);
	rmdir(tmpdir);
	free(path);
}

static void test_missing_explicit_file(void)
{
	struct config *c = NULL;
	char err[512] = "";

	CHECK_INT(config_load("/nonexistent/dir/runbook.json", &c, err, sizeof(err)), ==, -1);
	CHECK(c == NULL);
	CHECK_STR(err, "config '/nonexistent/dir/runbook.json': not found");

	setenv("RUNBOOK_CONFIG", "/nonexistent/env.json", 1);
	CHECK_INT(config_load(NULL, &c, err, sizeof(err)), ==, -1);
	CHECK_STR(err, "config '/nonexistent/env.json': not found");
	unsetenv("RUNBOOK_CONFIG");
}

static void test_load_errors_name_file(void)
{
	struct config *c = NULL;
	char err[512] = "";
	char *path, *want;

	make_tmpdir();
	path = write_file("bad.json", "{\n \"timing\": {\"verify_interval_s\": \"x\"}\n}",
	                  0600);
	want = xasprintf("config '%s': key 'timing.verify_interval_s' must be a number", path);
	CHECK_INT(config_load(path, &c, err, sizeof(err)), ==, -1);
	CHECK_STR(err, want);
	free(want);
	unlink(path);
	free(path);

	path = write_file("bad.json", "{\n \"timing\": {\n \"verify_interval_s\": 1,,\n}\n}",
	                  0600);
	want = xasprintf("config '%s': invalid JSON near line 3", path);
	CHECK_INT(config_load(path, &c, err, sizeof(err)), ==, -1);
	CHECK_STR(err, want);
	free(want);
	unlink(path);
	free(path);

	CHECK_INT(config_load(tmpdir, &c, err, sizeof(err)), ==, -1);
	CHECK_CONTAINS(err, "not a regular file");
	rmdir(tmpdir);
}

static void test_default_paths(void)
{
	struct config *c = NULL;
	char err[512] = "";
	char *env_path, *cwd_path, *home_dir, *home_path;

	make_tmpdir();
	unsetenv("RUNBOOK_CONFIG");
	CHECK(chdir(tmpdir) == 0);
	home_dir = xasprintf("%s/home", tmpdir);
	setenv("HOME", home_dir, 1);

	/* nothing anywhere: an empty configuration, no file */
	CHECK_INT(config_load(NULL, &c, err, sizeof(err)), ==, 0);
	CHECK(config_file(c) == NULL);
	CHECK(!config_has(c, "api"));
	CHECK(config_str(c, "api.url") == NULL);
	CHECK(config_num(c, "timing.verify_interval_s", 10) == 10);
	config_free(c);

	/* ~/.config/runbook/config.json */
	CHECK(mkdir(home_dir, 0700) == 0);
	CHECK(mkdir("home/.config", 0700) == 0);
	CHECK(mkdir("home/.config/runbook", 0700) == 0);
	home_path = write_file("home/.config/runbook/config.json",
	                       "{\"api\": {\"url\": \"https://home\"}}", 0600);
	CHECK_INT(config_load(NULL, &c, err, sizeof(err)), ==, 0);
	CHECK_STR(config_str(c, "api.url"), "https://home");
	CHECK_CONTAINS(config_file(c), "/home/.config/runbook/config.json");
	config_free(c);

	/* ./runbook.json wins over the home file */
	cwd_path = write_file("runbook.json", "{\"api\": {\"url\": \"https://cwd\"}}", 0600);
	CHECK_INT(config_load(NULL, &c, err, sizeof(err)), ==, 0);
	CHECK_STR(config_str(c, "api.url"), "https://cwd");
	CHECK_STR(config_file(c), "runbook.json");
	config_free(c);

	/* $RUNBOOK_CONFIG wins over ./runbook.json */
	env_path = write_file("env.json", "{\"api\": {\"url\": \"https://env\"}}", 0600);
	setenv("RUNBOOK_CONFIG", env_path, 1);
	CHECK_INT(config_load(NULL, &c, err, sizeof(err)), ==, 0);
	CHECK_STR(config_str(c, "api.url"), "https://env");
	CHECK_STR(config_file(c), env_path);
	config_free(c);

	/* the argument wins over everything */
	CHECK_INT(config_load(cwd_path, &c, err, sizeof(err)), ==, 0);
	CHECK_STR(config_str(c, "api.url"), "https://cwd");
	config_free(c);
	unsetenv("RUNBOOK_CONFIG");

	unlink(env_path);
	unlink(cwd_path);
	unlink(home_path);
	rmdir("home/.config/runbook");
	rmdir("home/.config");
	rmdir(home_dir);
	CHECK(chdir("/") == 0);
	rmdir(tmpdir);
	free(env_path);
	free(cwd_path);
	free(home_path);
	free(home_dir);
}

static void test_deep_keys(void)
{
	struct config *c = parse_ok("{\"x\": {\"y\": {\"z\": \"deep\", \"n\": 2}}}");

	CHECK_STR(config_str(c, "x.y.z"), "deep");
	CHECK(config_num(c, "x.y.n", 0) == 2);
	CHECK(config_node(c, "x.y") != NULL);
	CHECK(config_str(c, "x.y.q") == NULL);
	config_free(c);
	/* NULL configurations are harmless */
	CHECK(config_str(NULL, "api.url") == NULL);
	CHECK(config_num(NULL, "a.b", 3) == 3);
	CHECK(!config_has(NULL, "api"));
	config_free(NULL);
}

TEST_LIST = {
        {"example_loads", test_example_loads},
        {"example_file_0644", test_example_file_0644},
        {"type_errors", test_type_errors},
        {"invalid_json", test_invalid_json},
        {"unknown_keys_accepted", test_unknown_keys_accepted},
        {"fractional_numbers", test_fractional_numbers},
        {"env_set_and_unset", test_env_set_and_unset},
        {"env_enum_checked", test_env_enum_checked},
        {"literal_secrets", test_literal_secrets},
        {"command_names_not_secrets", test_command_names_not_secrets},
        {"env_secret_world_readable", test_env_secret_world_readable},
        {"missing_explicit_file", test_missing_explicit_file},
        {"load_errors_name_file", test_load_errors_name_file},
        {"default_paths", test_default_paths},
        {"deep_keys", test_deep_keys},
        {NULL, NULL},
};
