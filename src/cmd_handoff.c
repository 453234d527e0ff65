/*
 * cmd_handoff.c - `runbook handoff ID --to NAME [--summary TEXT]`: record a change of
 * incident lead, with a briefing built from the journal alone: where the machine is,
 * what the probes ruled out, what was found and what was done.
 */
#include "cli.h"

#include "journal.h"
#include "redact.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USAGE "handoff ID --to NAME [--summary TEXT]"

struct brief_ctx {
	cJSON *probes; /* state -> data of its latest probe.result */
	cJSON *done;   /* strings */
	char severity[8];
	char lead[160]; /* who holds the lead: the last handoff's "to", else the opener */
};

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int brief_cb(const struct jevent *ev, void *ctx)
{
	struct brief_ctx *b = ctx;
	cJSON *d = cJSON_Parse(ev->data);
	const char *k = ev->kind;
	const char *sev = jstr(d, strcmp(k, "incident.opened") == 0 ? "severity" : "to");

	if (strcmp(k, "incident.opened") == 0) {
		snprintf(b->lead, sizeof(b->lead), "%s", ev->operator ? ev->operator : "");
		if (sev != NULL)
			snprintf(b->severity, sizeof(b->severity), "%s", sev);
	} else if (strcmp(k, "severity.changed") == 0 && sev != NULL) {
		snprintf(b->severity, sizeof(b->severity), "%s", sev);
	} else if (strcmp(k, "handoff") == 0 && jstr(d, "to") != NULL) {
		snprintf(b->lead, sizeof(b->lead), "%s", jstr(d, "to"));
	} else if (strcmp(k, "probe.result") == 0 && d != NULL) {
		cJSON_DeleteItemFromObjectCaseSensitive(b->probes, ev->state);
		cJSON_AddItemToObject(b->probes, ev->state, d);
		d = NULL;
	} else if (strcmp(k, "action.result") == 0 || strcmp(k, "action.refused") == 0 ||
	           strcmp(k, "action.skipped") == 0) {
		const char *o = jstr(d, "outcome");
		const char *why = jstr(d, "summary") ? jstr(d, "summary") : jstr(d, "reason");
		char *line = xasprintf("%s: %s%s%s%s", ev->state, o ? o : k + 7,
		                       why ? " (" : "", why ? why : "", why ? ")" : "");

		cJSON_AddItemToArray(b->done, cJSON_CreateString(line));
		free(line);
	}
	cJSON_Delete(d);
	return 0;
}

/* The briefing object: {state, severity, ruled_out, found, done}. */
static cJSON *briefing(const struct brief_ctx *b, const char *state)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *ruled = cJSON_CreateArray(), *found = cJSON_CreateArray();

	cJSON_AddStringToObject(o, "state", state);
	if (b->severity[0])
		cJSON_AddStringToObject(o, "severity", b->severity);
	for (const cJSON *p = b->probes->child; p != NULL; p = p->next) {
		const cJSON *ok = cJSON_GetObjectItemCaseSensitive(p, "ok");
		const char *sum = jstr(p, "summary");
		char *line = xasprintf("%s: %s", p->string, sum ? sum : "(no summary)");

		cJSON_AddItemToArray(cJSON_IsTrue(ok) ? ruled : found,
		                     cJSON_CreateString(line));
		free(line);
	}
	cJSON_AddItemToObject(o, "ruled_out", ruled);
	cJSON_AddItemToObject(o, "found", found);
	cJSON_AddItemToObject(o, "done", cJSON_Duplicate(b->done, 1));
	return o;
}

static void print_list(const char *label, const cJSON *arr)
{
	const cJSON *v;

	if (cJSON_GetArraySize(arr) == 0) {
		printf("  %-10s %s\n", label, "-");
		return;
	}
	cJSON_ArrayForEach(v, arr)
	{
		printf("  %-10s %s\n", label, cJSON_IsString(v) ? v->valuestring : "");
		label = "";
	}
}

/* See cli.h. */
int cmd_handoff(struct cli *c, int argc, char **argv)
{
	const char *to = NULL, *summary = NULL;
	struct opt opts[] = {{"--to", OPT_STR, &to},
	                     {"--summary", OPT_STR, &summary},
	                     {NULL, OPT_FLAG, NULL}};
	struct strlist pos = {NULL, 0};
	struct jincident_info info;
	struct brief_ctx b;
	cJSON *d = NULL;
	char *text = NULL;
	char id[37];
	int rc;

	memset(&b, 0, sizeof(b));
	rc = cli_parse(c, argc, argv, opts, &pos, 1, 1, USAGE);
	if (rc != 0)
		goto out;
	if (to == NULL || to[0] == '\0') {
		rc = cli_error(EXIT_USAGE, "handoff needs --to NAME (the new incident lead)");
		fprintf(stderr, "usage: runbook %s\n", USAGE);
		goto out;
	}
	rc = cli_incident(c, pos.v[0], id);
	if (rc == 0)
		rc = cli_incident_info(c, id, &info);
	if (rc != 0)
		goto out;
	if (strcmp(info.status, "open") != 0) {
		rc = cli_error(EXIT_USAGE, "incident '%.8s' is closed: nothing to hand over",
		               id);
		goto out;
	}
	b.probes = cJSON_CreateObject();
	b.done = cJSON_CreateArray();
	if (journal_events(c->j, id, 0, brief_cb, &b) < 0) {
		rc = cli_error(EXIT_JOURNAL, "%s", journal_errmsg(c->j));
		goto out;
	}
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "from", c->operator);
	cJSON_AddStringToObject(d, "to", to);
	if (summary != NULL)
		cJSON_AddStringToObject(d, "summary", summary);
	if (b.lead[0] && strcmp(b.lead, c->operator) != 0)
		cJSON_AddStringToObject(d, "previous_lead", b.lead);
	cJSON_AddItemToObject(d, "briefing", briefing(&b, info.state));
	text = cJSON_PrintUnformatted(d);
	if (journal_append(c->j, id, info.flow, info.state, "handoff", text, NULL) < 0) {
		rc = cli_error(EXIT_JOURNAL, "%s", journal_errmsg(c->j));
		goto out;
	}
	if (c->json) {
		cJSON *doc = cJSON_CreateObject();

		cJSON_AddStringToObject(doc, "incident", id);
		cJSON_AddItemToObject(doc, "handoff", d);
		d = NULL;
		cli_print_json(doc);
	} else {
		const cJSON *br = cJSON_GetObjectItemCaseSensitive(d, "briefing");

		printf("INC %.8s handed from %s to %s\n", id, c->operator, to);
		if (summary != NULL) {
			char *shown = redact_text(summary); /* as the journal has it */

			printf("  %-10s %s\n", "summary", shown);
			free(shown);
		}
		printf("  %-10s %s (%s)\n", "state", info.state, info.flow);
		print_list("ruled out", cJSON_GetObjectItemCaseSensitive(br, "ruled_out"));
		print_list("found", cJSON_GetObjectItemCaseSensitive(br, "found"));
		print_list("done", cJSON_GetObjectItemCaseSensitive(br, "done"));
		printf("next: %s runs `runbook resume %.8s`\n", to, id);
	}
out:
	cJSON_free(text);
	cJSON_Delete(d);
	cJSON_Delete(b.probes);
	cJSON_Delete(b.done);
	strlist_release(&pos);
	return rc;
}
