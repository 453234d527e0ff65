/* cli.h - the command line: global options, the command table's needs, argument parsing. */
#ifndef RUNBOOK_CLI_H
#define RUNBOOK_CLI_H

#include "term.h"

#include <stddef.h>

struct journal;
struct config;

#define NEEDS_JOURNAL 0x1
#define NEEDS_CONFIG 0x2
/* the configuration only for its secrets (every env: value is registered with the
 * redactor): commands that journal the operator's own text, with no network */
#define NEEDS_SECRETS 0x4

#define RUNBOOK_VERSION "0.1.0"

struct cli {
	const char *journal_path;
	const char *config_path;
	const char *operator;
	const char *operator_arg; /* --operator as given on the command line, or NULL */
	int json;
	int no_color;
	int help;
	int version; /* --version, wherever it stands */
	char journal_buf[4096];
	char operator_buf[320];
	char os_user[64];
	char host[256];
	struct journal *j;
	struct config *cfg;
	struct term term;
};

struct strlist {
	const char **v;
	size_t n;
};

enum opt_type { OPT_FLAG, OPT_STR, OPT_LIST };

/* A command option: --name (OPT_FLAG sets *(int *)dest = 1). */
struct opt {
	const char *name;
	enum opt_type type;
	void *dest; /* int *, const char **, or struct strlist * */
};

/*
 * Parse a command's arguments: options from `opts` (as --name VALUE or --name=VALUE),
 * the rest positional into pos (which must hold between min and max entries; "--" ends
 * options). Prints a usage error and returns EXIT_USAGE, or returns 0.
 */
int cli_parse(struct cli *c, int argc, char **argv, const struct opt *opts, struct strlist *pos,
              size_t min, size_t max, const char *usage);

/* Print "runbook: <message>" to stderr and return code. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void strlist_release(struct strlist *l);

/* Resolve an incident id or prefix; prints the error and returns EXIT_USAGE on failure. */
int cli_incident(struct cli *c, const char *prefix, char out[37]);

/* What the journal says about one incident (derived, never stored). */
struct jincident_info {
	char flow[64];
	char state[64];
	char status[16];
};
struct flow;

/* Fill info for a full incident id; prints the error and returns EXIT_USAGE when absent. */
int cli_incident_info(struct cli *c, const char *id, struct jincident_info *info);

/* The flow an incident runs; prints the error and returns EXIT_USAGE when unknown. */
int cli_incident_flow(struct cli *c, const char *id, const struct flow **f);

/* The single open incident; else an error listing them (EXIT_USAGE). */
int cli_only_open(struct cli *c, char out[37]);

/* The commands (one file each, named for what they hold). */
int cmd_flows(struct cli *c, int argc, char **argv);
int cmd_start(struct cli *c, int argc, char **argv);
int cmd_resume(struct cli *c, int argc, char **argv);
int cmd_note(struct cli *c, int argc, char **argv);
int cmd_resolve(struct cli *c, int argc, char **argv);
int cmd_abandon(struct cli *c, int argc, char **argv);
int cmd_export(struct cli *c, int argc, char **argv);
int cmd_handoff(struct cli *c, int argc, char **argv);
int cmd_list(struct cli *c, int argc, char **argv);
int cmd_show(struct cli *c, int argc, char **argv);
int cmd_verify(struct cli *c, int argc, char **argv);
int cmd_check(struct cli *c, int argc, char **argv);
int cmd_audit(struct cli *c, int argc, char **argv);

/* Write a cJSON document to stdout (one line + newline) and free it. */
struct cJSON;
void cli_print_json(struct cJSON *doc);

#endif
