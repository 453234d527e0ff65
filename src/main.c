/*
 * main.c - runbook: guided, audited incident handling from an operations runbook.
 *
 * The command table (git's cmd_struct): each command names what it needs, and those
 * needs (the configuration, the journal) are met here, in one place.
 */
#include "cli.h"

#include "config.h"
#include "journal.h"
#include "probe_http.h"
#include "redact.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <malloc.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct command {
	const char *name;
	int (*fn)(struct cli *c, int argc, char **argv);
	unsigned needs;
	const char *usage;
	const char *help;
};

static const struct command commands[] = {
        {"flows", cmd_flows, 0, "flows [show FLOW [--dot|--mermaid|--markdown]]",
         "list the flows, or show one's states and transitions"},
        {"start", cmd_start, NEEDS_JOURNAL | NEEDS_CONFIG,
         "start FLOW [--title T] [--severity P0..P3] [--answer STATE=VALUE]... [--answers "
         "FILE] "
         "[--confirm TARGET] [--dry-run] [--non-interactive]",
         "open an incident and walk its flow"},
        {"resume", cmd_resume, NEEDS_JOURNAL | NEEDS_CONFIG,
         "resume [ID] [--answer STATE=VALUE]... [--answers FILE] [--confirm TARGET] "
         "[--dry-run] "
         "[--non-interactive]",
         "continue an open incident where it stopped"},
        {"note", cmd_note, NEEDS_JOURNAL | NEEDS_SECRETS,
         "note ID [--kind impact|root-cause|action-item|lesson|trigger|detection|resolution|"
         "summary] TEXT|-",
         "add an operator note to the timeline (- reads it from stdin)"},
        {"resolve", cmd_resolve, NEEDS_JOURNAL | NEEDS_SECRETS,
         "resolve ID [--root-cause TEXT]", "close an incident by hand as resolved"},
        {"abandon", cmd_abandon, NEEDS_JOURNAL | NEEDS_SECRETS, "abandon ID --reason TEXT",
         "close an incident by hand as aborted"},
        {"handoff", cmd_handoff, NEEDS_JOURNAL | NEEDS_SECRETS,
         "handoff ID --to NAME [--summary TEXT]",
         "hand the incident lead to someone else, with a briefing"},
        {"list", cmd_list, NEEDS_JOURNAL,
         "list [--open] [--since DATE] [--flow FLOW] [--status open|closed] [--operator NAME]",
         "list incidents"},
        {"show", cmd_show, NEEDS_JOURNAL, "show ID", "the timeline of an incident"},
        {"export", cmd_export, NEEDS_JOURNAL,
         "export ID [--format md|json|html] [-o FILE] [--stamp]",
         "the postmortem report, from the journal alone"},
        {"verify", cmd_verify, NEEDS_JOURNAL, "verify [--head HASH]",
         "check the journal's integrity and hash chain"},
        {"check", cmd_check, NEEDS_CONFIG, "check [--only NAME,...] [--samples N]",
         "the health sweep: every configured check at once, with thresholds"},
        {"audit", cmd_audit, NEEDS_JOURNAL,
         "audit [--destructive] [--operator NAME] [--incident ID] [--flow FLOW] [--target T] "
         "[--kind KIND] [--since DATE] [--until DATE] [--format table|csv|json]",
         "who did what, when, to which target, with what outcome"},
        {NULL, NULL, 0, NULL, NULL},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: runbook [--journal PATH] [--config PATH] [--operator NAME] [--json] "
	           "[--no-color] COMMAND [ARGS]\n\ncommands:\n");
	for (const struct command *cmd = commands; cmd->name; cmd++)
		fprintf(f, "  %-8s %s\n", cmd->name, cmd->help);
	fprintf(f,
	        "\nrun 'runbook COMMAND --help' for a command's options; 'man runbook' for "
	        "more.\nexit codes: 0 ok, 1 failure, 2 usage, 3 paused, 4 journal unavailable, "
	        "5 unhealthy or broken, 6 bad configuration\n");
}

static const char *xdg_journal(struct cli *c)
{
	const char *env = getenv("RUNBOOK_JOURNAL");
	const char *state = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");

	if (env != NULL && *env != '\0')
		return env;
	if (state != NULL && *state != '\0')
		snprintf(c->journal_buf, sizeof(c->journal_buf), "%s/runbook/journal.db",
		         state);
	else
		snprintf(c->journal_buf, sizeof(c->journal_buf),
		         "%s/.local/state/runbook/journal.db", home ? home : ".");
	return c->journal_buf;
}

static void identity(struct cli *c)
{
	struct passwd *pw = getpwuid(geteuid());
	const char *env = getenv("RUNBOOK_OPERATOR");
	const char *user = getenv("USER");

	snprintf(c->os_user, sizeof(c->os_user), "%s", pw ? pw->pw_name : "unknown");
	if (gethostname(c->host, sizeof(c->host)) != 0)
		snprintf(c->host, sizeof(c->host), "unknown");
	c->host[sizeof(c->host) - 1] = '\0';
	if (c->operator== NULL && env != NULL && * env != '\0')
		c->operator= env;
	if (c->operator== NULL) {
		snprintf(c->operator_buf, sizeof(c->operator_buf), "%s@%s",
		         user && *user ? user : c->os_user, c->host);
		c->operator= c->operator_buf;
	}
}

/* Take the global options out of argv wherever they stand; returns EXIT_OK or a code. */
static int globals(struct cli *c, int *argc, char **argv)
{
	int out = 1, i;

	for (i = 1; i < *argc; i++) {
		const char *a = argv[i];
		const char **dest = NULL;
		const char *eq;

		if (strcmp(a, "--") == 0)
			break;
		if (strcmp(a, "--json") == 0) {
			c->json = 1;
			continue;
		}
		if (strcmp(a, "--no-color") == 0) {
			c->no_color = 1;
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			c->help = 1;
			continue;
		}
		if (strcmp(a, "--version") == 0) {
			c->version = 1;
			continue;
		}
		eq = strchr(a, '=');
		if (strncmp(a, "--journal", 9) == 0 && (a[9] == '\0' || a[9] == '='))
			dest = &c->journal_path;
		else if (strncmp(a, "--config", 8) == 0 && (a[8] == '\0' || a[8] == '='))
			dest = &c->config_path;
		else if (strncmp(a, "--operator", 10) == 0 && (a[10] == '\0' || a[10] == '='))
			dest = &c->operator;
		if (dest == NULL) {
			argv[out++] = argv[i];
			continue;
		}
		if (eq != NULL) {
			*dest = eq + 1;
		} else if (i + 1 < *argc) {
			*dest = argv[++i];
		} else {
			return cli_error(EXIT_USAGE, "option '%s' needs a value", a);
		}
		if (**dest == '\0')
			return cli_error(EXIT_USAGE, "option '%s' needs a non-empty value", a);
		if (dest == &c->operator)
			c->operator_arg =
			        *dest; /* given on the command line (audit filters by it) */
	}
	for (; i < *argc; i++)
		argv[out++] = argv[i];
	argv[out] = NULL;
	*argc = out;
	return EXIT_OK;
}

static int finish(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "runbook: write failure on standard output: %s\n",
		        strerror_lc(errno));
		return rc ? rc : EXIT_FAIL;
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct cli c;
	const struct command *cmd = NULL;
	char err[1024];
	int rc;

	memset(&c, 0, sizeof(c));
	/* No fastbins (tcache still serves small blocks): with them, every page SQLite's
	 * cache allocates or frees after cJSON's many small frees runs malloc_consolidate,
	 * 15 % of `audit` on a large journal (docs/performance.md, figure 5). */
	mallopt(M_MXFAST, 0);
	rc = globals(&c, &argc, argv);
	if (rc != EXIT_OK)
		return rc;
	if (c.version) {
		printf("runbook %s\n", RUNBOOK_VERSION);
		return finish(EXIT_OK);
	}
	if (argc < 2) {
		if (c.help) {
			usage(stdout);
			return finish(EXIT_OK);
		}
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return finish(EXIT_OK);
	}
	for (const struct command *p = commands; p->name; p++)
		if (strcmp(p->name, argv[1]) == 0)
			cmd = p;
	if (cmd == NULL) {
		if (argv[1][0] == '-')
			return cli_error(EXIT_USAGE, "unknown option '%s'", argv[1]);
		return cli_error(EXIT_USAGE, "unknown command '%s' (see 'runbook --help')",
		                 argv[1]);
	}
	if (c.help) {
		printf("usage: runbook %s\n\n%s\n", cmd->usage, cmd->help);
		return finish(EXIT_OK);
	}
	identity(&c);
	term_init(&c.term, c.json, c.no_color, 0);

	if (cmd->needs & (NEEDS_CONFIG | NEEDS_SECRETS)) {
		if (config_load(c.config_path, &c.cfg, err, sizeof(err)) < 0)
			return cli_error(EXIT_CONFIG, "%s", err);
	}
	if (cmd->needs & NEEDS_JOURNAL) {
		const char *path = c.journal_path ? c.journal_path : xdg_journal(&c);
		struct jidentity who = {c.operator, c.os_user, c.host, (long)getpid()};

		if (journal_open(path, &c.j, err, sizeof(err)) < 0) {
			config_free(c.cfg);
			return cli_error(EXIT_JOURNAL, "%s", err);
		}
		journal_set_identity(c.j, &who);
	}
	/* libcurl (and OpenSSL under it) is loaded and initialised only for the commands
	 * that can reach the network, the ones with a configuration; libpq on first use.
	 * list, show or verify never map them (src/lazylib.h, docs/performance.md figure 7) */
	if ((cmd->needs & NEEDS_CONFIG) && http_global_init(err, sizeof(err)) != 0) {
		journal_close(c.j);
		config_free(c.cfg);
		return cli_error(EXIT_FAIL, "%s", err);
	}
	rc = cmd->fn(&c, argc - 1, argv + 1);
	if (cmd->needs & NEEDS_CONFIG)
		http_global_cleanup();
	journal_close(c.j);
	config_free(c.cfg);
	redact_reset();
	return finish(rc);
}
