/* cmd_flows.c - `runbook flows` and `runbook flows show FLOW`: docs from the tables. */
#include "cli.h"

#include "flow.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

static cJSON *flow_json(const struct flow *f, int full)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *states;

	cJSON_AddStringToObject(o, "name", f->name);
	cJSON_AddStringToObject(o, "section", f->section);
	cJSON_AddStringToObject(o, "summary", f->summary);
	states = cJSON_AddArrayToObject(o, "states");
	for (const struct state *s = f->states; s->id; s++) {
		cJSON *st = cJSON_CreateObject();

		cJSON_AddStringToObject(st, "id", s->id);
		cJSON_AddStringToObject(st, "kind", state_kind_name(s->kind));
		if (full) {
			cJSON *next = cJSON_AddObjectToObject(st, "next");

			cJSON_AddStringToObject(st, "section", s->section);
			cJSON_AddStringToObject(st, "title", s->title);
			if (s->flags & ST_DESTRUCTIVE)
				cJSON_AddTrueToObject(st, "destructive");
			if (s->end)
				cJSON_AddStringToObject(st, "end", s->end);
			for (const struct transition *t = s->next; t && t->outcome; t++)
				cJSON_AddStringToObject(next, t->outcome, t->next);
			if (s->options) {
				cJSON *opts = cJSON_AddArrayToObject(st, "options");

				for (const struct option *op = s->options; op->name; op++)
					cJSON_AddItemToArray(opts,
					                     cJSON_CreateString(op->name));
			}
		}
		cJSON_AddItemToArray(states, st);
	}
	return o;
}

static void show_dot(const struct flow *f)
{
	printf("digraph \"%s\" {\n  rankdir=TB;\n  node [fontname=\"Helvetica\"];\n", f->name);
	for (const struct state *s = f->states; s->id; s++) {
		const char *shape = s->kind == KIND_END      ? "doublecircle"
		                    : s->kind == KIND_CHOICE ? "diamond"
		                    : s->kind == KIND_ACTION ? "box"
		                                             : "ellipse";

		printf("  \"%s\" [shape=%s, label=\"%s\\n(%s%s)\"%s];\n", s->id, shape, s->id,
		       state_kind_name(s->kind),
		       (s->flags & ST_DESTRUCTIVE) ? ", destructive" : "",
		       (s->flags & ST_DESTRUCTIVE) ? ", color=red" : "");
	}
	for (const struct state *s = f->states; s->id; s++)
		for (const struct transition *t = s->next; t && t->outcome; t++)
			printf("  \"%s\" -> \"%s\" [label=\"%s\"];\n", s->id, t->next,
			       t->outcome);
	printf("}\n");
}

/* Mermaid ids cannot hold ':' or '-': number the nodes, label them with the id. */
static void show_mermaid(const struct flow *f)
{
	int i = 0;

	printf("stateDiagram-v2\n");
	for (const struct state *s = f->states; s->id; s++, i++)
		printf("    s%d : %s (%s%s)\n", i, s->id, state_kind_name(s->kind),
		       (s->flags & ST_DESTRUCTIVE) ? ", destructive" : "");
	printf("    [*] --> s0\n");
	i = 0;
	for (const struct state *s = f->states; s->id; s++, i++) {
		for (const struct transition *t = s->next; t && t->outcome; t++) {
			int j = 0;

			for (const struct state *n = f->states; n->id; n++, j++)
				if (strcmp(n->id, t->next) == 0)
					printf("    s%d --> s%d : %s\n", i, j, t->outcome);
		}
		if (s->kind == KIND_END)
			printf("    s%d --> [*]\n", i);
	}
}

/* The flow's page for docs/flows/, generated from the table. */
static void show_markdown(const struct flow *f)
{
	printf("# `%s` — %s (runbook §%s)\n\n", f->name, f->summary, f->section);
	printf("Generated from `flows/` by `runbook flows show %s --markdown`; do not "
	       "edit.\n\n",
	       f->name);
	printf("Default severity: %s. %s\n\n", f->severity,
	       f->routine ? "Routine procedure." : "Incident flow: the escalation timer runs.");
	printf("| # | id | kind | runbook step | outcomes → next |\n|---|---|---|---|---|\n");
	int n = 1;
	for (const struct state *s = f->states; s->id; s++, n++) {
		printf("| %d | `%s` | %s%s | §%s %s | ", n, s->id, state_kind_name(s->kind),
		       (s->flags & ST_DESTRUCTIVE) ? ", **destructive**" : "", s->section,
		       s->title);
		if (s->kind == KIND_END)
			printf("end `%s`", s->end);
		for (const struct transition *t = s->next; t && t->outcome; t++)
			printf("%s`%s` → `%s`", t == s->next ? "" : "; ",
			       strcmp(t->outcome, "*") == 0 ? "any" : t->outcome, t->next);
		printf(" |\n");
	}
	printf("\n## What the operator sees\n\n");
	for (const struct state *s = f->states; s->id; s++) {
		if (s->kind == KIND_END)
			continue;
		printf("- **%s** (%s): %s\n", s->id, state_kind_name(s->kind), s->text);
		for (const struct option *o = s->options; o && o->name; o++)
			printf("  - `%s`: %s\n", o->name, o->text);
		if (s->flags & ST_DESTRUCTIVE)
			printf("  - destructive: runs only when the operator types the value "
			       "of "
			       "`%s` (or passes it to `--confirm`)\n",
			       s->target_key ? s->target_key : "the target");
	}
	printf("\n## Diagram\n\n```mermaid\n");
	show_mermaid(f);
	printf("```\n");
}

static void show_text(const struct flow *f)
{
	printf("%s — %s (runbook §%s)\n\n", f->name, f->summary, f->section);
	for (const struct state *s = f->states; s->id; s++) {
		printf("  %-20s %-7s%s %s\n", s->id, state_kind_name(s->kind),
		       (s->flags & ST_DESTRUCTIVE) ? " DESTRUCTIVE" : "", s->title);
		for (const struct transition *t = s->next; t && t->outcome; t++)
			printf("      %-14s -> %s\n",
			       strcmp(t->outcome, "*") == 0 ? "(any)" : t->outcome, t->next);
	}
}

int cmd_flows(struct cli *c, int argc, char **argv)
{
	int dot = 0, mermaid = 0, markdown = 0, rc;
	struct opt opts[] = {{"--dot", OPT_FLAG, &dot},
	                     {"--mermaid", OPT_FLAG, &mermaid},
	                     {"--markdown", OPT_FLAG, &markdown},
	                     {NULL, OPT_FLAG, NULL}};
	struct strlist pos = {NULL, 0};
	const struct flow *f;

	rc = cli_parse(c, argc, argv, opts, &pos, 0, 2,
	               "flows [show FLOW [--dot|--mermaid|--markdown]]");
	if (rc != 0)
		goto out;
	if (pos.n == 0) {
		if (c->json) {
			cJSON *doc = cJSON_CreateObject();
			cJSON *arr = cJSON_AddArrayToObject(doc, "flows");

			for (const struct flow *const *p = flow_all(); *p; p++)
				cJSON_AddItemToArray(arr, flow_json(*p, 0));
			cli_print_json(doc);
		} else {
			for (const struct flow *const *p = flow_all(); *p; p++)
				printf("%-16s §%-5s %s\n", (*p)->name, (*p)->section,
				       (*p)->summary);
		}
		goto out;
	}
	if (strcmp(pos.v[0], "show") != 0 || pos.n != 2) {
		rc = cli_error(EXIT_USAGE,
		               "usage: runbook flows [show FLOW [--dot|--mermaid]]");
		goto out;
	}
	f = flow_find(pos.v[1]);
	if (f == NULL) {
		rc = cli_error(EXIT_USAGE, "unknown flow '%s' (see 'runbook flows')", pos.v[1]);
		goto out;
	}
	if (dot)
		show_dot(f);
	else if (mermaid)
		show_mermaid(f);
	else if (markdown)
		show_markdown(f);
	else if (c->json)
		cli_print_json(flow_json(f, 1));
	else
		show_text(f);
out:
	strlist_release(&pos);
	return rc;
}
