/*
 * cmd_close.c - `runbook resolve ID [--root-cause TEXT]` and `runbook abandon ID --reason
 * TEXT`: close an incident by hand with incident.closed {end, by: "operator", ...}.
 */
#include "cli.h"

#include "journal.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USAGE_RESOLVE "resolve ID [--root-cause TEXT]"
#define USAGE_ABANDON "abandon ID --reason TEXT"

struct found {
	const char *id;
	int seen, closed;
	char flow[128], state[128], end[64];
	double opened;
};

static int find_cb(const struct jincident *inc, void *ctx)
{
	struct found *f = ctx;

	if (strcmp(inc->id, f->id) != 0)
		return 0;
	f->seen = 1;
	f->closed = strcmp(inc->status, "closed") == 0;
	snprintf(f->flow, sizeof(f->flow), "%s", inc->flow ? inc->flow : "");
	snprintf(f->state, sizeof(f->state), "%s", inc->state ? inc->state : "");
	snprintf(f->end, sizeof(f->end), "%s", inc->end ? inc->end : "");
	if (inc->opened == NULL || time_parse(inc->opened, &f->opened) != 0)
		f->opened = 0;
	return 1;
}

static int close_incident(struct cli *c, int argc, char **argv, int abandon)
{
	const char *text = NULL;
	struct opt opts[] = {{abandon ? "--reason" : "--root-cause", OPT_STR, &text},
	                     {NULL, OPT_FLAG, NULL}};
	const char *usage = abandon ? USAGE_ABANDON : USAGE_RESOLVE;
	const char *end = abandon ? "aborted" : "resolved";
	struct strlist pos = {NULL, 0};
	struct found f;
	char id[37];
	char *json = NULL;
	cJSON *d;
	int rc;

	memset(&f, 0, sizeof(f));
	rc = cli_parse(c, argc, argv, opts, &pos, 1, 1, usage);
	if (rc != 0)
		goto out;
	if (abandon && (text == NULL || *text == '\0')) {
		rc = cli_error(EXIT_USAGE, "abandon needs --reason TEXT");
		fprintf(stderr, "usage: runbook %s\n", usage);
		goto out;
	}
	rc = cli_incident(c, pos.v[0], id);
	if (rc != 0)
		goto out;
	f.id = id;
	if (journal_incidents(c->j, 0, NULL, find_cb, &f) < 0) {
		rc = cli_error(EXIT_JOURNAL, "%s", journal_errmsg(c->j));
		goto out;
	}
	if (!f.seen) {
		rc = cli_error(EXIT_USAGE, "no incident '%s'", id);
		goto out;
	}
	if (f.closed) {
		rc = cli_error(EXIT_USAGE, "incident '%.8s' is already closed (%s)", id, f.end);
		goto out;
	}
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "end", end);
	cJSON_AddStringToObject(d, "by", "operator");
	if (text != NULL)
		cJSON_AddStringToObject(d, abandon ? "reason" : "root_cause", text);
	if (f.opened > 0)
		cJSON_AddNumberToObject(d, "elapsed_s", clock_wall() - f.opened);
	json = cJSON_PrintUnformatted(d);
	cJSON_Delete(d);
	if (journal_append(c->j, id, f.flow, f.state, "incident.closed", json, NULL) < 0) {
		rc = cli_error(EXIT_JOURNAL, "%s", journal_errmsg(c->j));
		goto out;
	}
	if (c->json) {
		d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "incident", id);
		cJSON_AddStringToObject(d, "status", "closed");
		cJSON_AddStringToObject(d, "state", f.state);
		cJSON_AddStringToObject(d, "end", end);
		cli_print_json(d);
	} else {
		fprintf(stderr, "closed INC %.8s as %s\n", id, end);
	}
out:
	free(json);
	strlist_release(&pos);
	return rc;
}

int cmd_resolve(struct cli *c, int argc, char **argv)
{
	return close_incident(c, argc, argv, 0);
}

int cmd_abandon(struct cli *c, int argc, char **argv)
{
	return close_incident(c, argc, argv, 1);
}
