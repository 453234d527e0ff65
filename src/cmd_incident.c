/* cmd_incident.c - `runbook start`, `resume` and `note`: incidents the engine runs. */
#include "cli.h"

#include "answers.h"
#include "engine.h"
#include "flow.h"
#include "journal.h"
#include "report.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct run_opts {
	const char *title;
	const char *severity;
	struct strlist answer;
	const char *answers_file;
	const char *confirm;
	int dry_run;
	int non_interactive;
};

static int valid_severity(const char *s)
{
	return strlen(s) == 2 && s[0] == 'P' && s[1] >= '0' && s[1] <= '3';
}

/* Collect and check the pre-answers against the flow, before anything runs. */
static int load_answers(const struct run_opts *ro, const struct flow *f, struct answers *a)
{
	char err[512];

	for (size_t i = 0; i < ro->answer.n; i++)
		if (answers_add_arg(a, ro->answer.v[i], err, sizeof(err)) < 0)
			return cli_error(EXIT_USAGE, "%s", err);
	if (ro->answers_file != NULL &&
	    answers_load_file(a, ro->answers_file, err, sizeof(err)) < 0)
		return cli_error(EXIT_USAGE, "%s", err);
	if (answers_validate(a, f, err, sizeof(err)) < 0)
		return cli_error(EXIT_USAGE, "%s", err);
	return 0;
}

static void print_result(struct cli *c, const struct engine_result *res)
{
	cJSON *doc;

	if (!c->json)
		return;
	doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "incident", res->incident);
	cJSON_AddStringToObject(doc, "status", res->closed ? "closed" : "open");
	cJSON_AddStringToObject(doc, "state", res->state);
	if (res->closed)
		cJSON_AddStringToObject(doc, "end", res->end);
	if (res->paused && res->waiting_state[0]) {
		cJSON *w = cJSON_AddObjectToObject(doc, "waiting_for");
		cJSON *opts = cJSON_AddArrayToObject(w, "options");

		cJSON_AddStringToObject(w, "state", res->waiting_state);
		for (int i = 0; i < res->noptions; i++)
			cJSON_AddItemToArray(opts, cJSON_CreateString(res->options[i]));
		if (res->suggested[0])
			cJSON_AddStringToObject(w, "suggested", res->suggested);
	}
	cli_print_json(doc);
}

static int incident_run(struct cli *c, int argc, char **argv, int resume)
{
	struct run_opts ro;
	struct opt opts[] = {
	        {"--title", OPT_STR, &ro.title},
	        {"--severity", OPT_STR, &ro.severity},
	        {"--answer", OPT_LIST, &ro.answer},
	        {"--answers", OPT_STR, &ro.answers_file},
	        {"--confirm", OPT_STR, &ro.confirm},
	        {"--dry-run", OPT_FLAG, &ro.dry_run},
	        {"--non-interactive", OPT_FLAG, &ro.non_interactive},
	        {NULL, OPT_FLAG, NULL},
	};
	struct strlist pos = {NULL, 0};
	struct answers answers = {NULL, 0};
	struct engine_opts eo;
	struct engine_result res;
	const struct flow *f = NULL;
	char id[37];
	int rc;

	memset(&ro, 0, sizeof(ro));
	memset(&eo, 0, sizeof(eo));
	if (resume) /* the incident's title and severity are fixed: no --title/--severity */
		opts[0].name = opts[1].name = "--\x01";
	rc = cli_parse(
	        c, argc, argv, opts, &pos, resume ? 0 : 1, 1,
	        resume ? "resume [ID] [--answer STATE=VALUE]... [--answers FILE] "
	                 "[--confirm TARGET] [--dry-run] [--non-interactive]"
	               : "start FLOW [--title T] [--severity P0..P3] [--answer "
	                 "STATE=VALUE]... [--answers FILE] [--confirm TARGET] [--dry-run] "
	                 "[--non-interactive]");
	if (rc != 0)
		goto out;
	if (resume) {
		if (pos.n == 1) {
			rc = cli_incident(c, pos.v[0], id);
		} else {
			rc = cli_only_open(c, id);
		}
		if (rc != 0)
			goto out;
		rc = cli_incident_flow(c, id, &f);
		if (rc != 0)
			goto out;
	} else {
		f = flow_find(pos.v[0]);
		if (f == NULL) {
			rc = cli_error(EXIT_USAGE, "unknown flow '%s' (see 'runbook flows')",
			               pos.v[0]);
			goto out;
		}
		if (ro.severity != NULL && !valid_severity(ro.severity)) {
			rc = cli_error(EXIT_USAGE, "severity '%s' is not one of P0, P1, P2, P3",
			               ro.severity);
			goto out;
		}
	}
	rc = load_answers(&ro, f, &answers);
	if (rc != 0)
		goto out;
	term_init(&c->term, c->json, c->no_color, ro.non_interactive);
	eo.flow = f;
	eo.incident = resume ? id : NULL;
	eo.title = ro.title;
	eo.severity = ro.severity;
	eo.answers = &answers;
	eo.confirm = ro.confirm;
	eo.dry_run = ro.dry_run;
	eo.operator= c->operator;
	eo.term = &c->term;
	rc = resume ? engine_resume(c->j, c->cfg, &eo, &res)
	            : engine_start(c->j, c->cfg, &eo, c->json, &res);
	if (rc == EXIT_OK || rc == EXIT_PAUSED || (rc != EXIT_USAGE && res.incident[0]))
		print_result(c, &res);
out:
	answers_release(&answers);
	strlist_release(&ro.answer);
	strlist_release(&pos);
	return rc;
}

int cmd_start(struct cli *c, int argc, char **argv)
{
	return incident_run(c, argc, argv, 0);
}

int cmd_resume(struct cli *c, int argc, char **argv)
{
	return incident_run(c, argc, argv, 1);
}

#define NOTE_MAX (2u << 20)

/* The note text from stdin ("-"): at most NOTE_MAX bytes. Caller frees; NULL when too long. */
static char *note_stdin(void)
{
	struct buf b;
	char chunk[65536];
	size_t n;

	buf_init(&b, NOTE_MAX);
	buf_append(&b, "", 0);
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		if (buf_append(&b, chunk, n) < 0)
			break;
	if (b.truncated) {
		buf_release(&b);
		return NULL;
	}
	while (b.len > 0 && b.p[b.len - 1] == '\n')
		b.p[--b.len] = '\0';
	return buf_detach(&b);
}

int cmd_note(struct cli *c, int argc, char **argv)
{
	const char *kind = NULL;
	struct opt opts[] = {{"--kind", OPT_STR, &kind}, {NULL, OPT_FLAG, NULL}};
	struct strlist pos = {NULL, 0};
	struct jincident_info info;
	char id[37];
	struct jevent ev;
	cJSON *d;
	char *text = NULL, *body = NULL;
	int rc;

	rc = cli_parse(c, argc, argv, opts, &pos, 2, 2, "note ID [--kind KIND] TEXT|-");
	if (rc != 0)
		goto out;
	if (kind != NULL && report_section_of_kind(kind) < 0) {
		rc = cli_error(EXIT_USAGE, "note kind '%s' is not one of %s", kind,
		               report_note_kinds());
		goto out;
	}
	rc = cli_incident(c, pos.v[0], id);
	if (rc != 0)
		goto out;
	rc = cli_incident_info(c, id, &info);
	if (rc != 0)
		goto out;
	if (strcmp(pos.v[1], "-") == 0) {
		body = note_stdin();
		if (body == NULL) {
			rc = cli_error(EXIT_USAGE, "note on stdin is longer than %u bytes",
			               NOTE_MAX);
			goto out;
		}
	}
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "text", body ? body : pos.v[1]);
	if (kind != NULL)
		cJSON_AddStringToObject(d, "kind", kind);
	text = cJSON_PrintUnformatted(d);
	cJSON_Delete(d);
	if (journal_append(c->j, id, info.flow, info.state, "note", text, &ev) < 0)
		rc = cli_error(EXIT_JOURNAL, "%s", journal_errmsg(c->j));
	if (rc == 0 && c->json) { /* cli.md: one JSON document on stdout */
		cJSON *doc = cJSON_CreateObject();

		cJSON_AddStringToObject(doc, "incident", id);
		cJSON_AddNumberToObject(doc, "seq", (double)ev.seq);
		cJSON_AddStringToObject(doc, "kind", "note");
		if (kind != NULL)
			cJSON_AddStringToObject(doc, "note_kind", kind);
		cli_print_json(doc);
	} else if (rc == 0) {
		fprintf(stderr, "noted on %.8s%s%s\n", id, kind ? " as " : "",
		        kind ? kind : "");
	}
out:
	free(text);
	free(body);
	strlist_release(&pos);
	return rc;
}
