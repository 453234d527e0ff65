/* cli_args.c - command option parsing shared by every command. */
#include "cli.h"

#include "flow.h"
#include "journal.h"
#include "redact.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <stdarg.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_error(int code, const char *fmt, ...)
{
	va_list ap;
	char msg[1024];
	char *clean;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	clean = redact_text(msg);
	fprintf(stderr, "runbook: %s\n", clean ? clean : msg);
	free(clean);
	return code;
}

void cli_print_json(cJSON *doc)
{
	char *text;

	redact_json(doc);
	text = cJSON_PrintUnformatted(doc);
	if (text != NULL) {
		char *clean = redact_text(text);

		fputs(clean ? clean : text, stdout);
		fputc('\n', stdout);
		free(clean);
	}
	free(text);
	cJSON_Delete(doc);
}

void strlist_release(struct strlist *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void strlist_push(struct strlist *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = s;
}

int cli_parse(struct cli *c, int argc, char **argv, const struct opt *opts, struct strlist *pos,
              size_t min, size_t max, const char *usage)
{
	int only_pos = 0;

	(void)c;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct opt *o = NULL;
		const char *eq, *val = NULL;
		size_t nlen;

		if (only_pos || a[0] != '-' || a[1] == '\0') {
			strlist_push(pos, a);
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_pos = 1;
			continue;
		}
		eq = strchr(a, '=');
		nlen = eq ? (size_t)(eq - a) : strlen(a);
		for (const struct opt *p = opts; p && p->name; p++)
			if (strlen(p->name) == nlen && strncmp(p->name, a, nlen) == 0)
				o = p;
		if (o == NULL) {
			cli_error(EXIT_USAGE, "unknown option '%.*s'", (int)nlen, a);
			fprintf(stderr, "usage: runbook %s\n", usage);
			return EXIT_USAGE;
		}
		if (o->type == OPT_FLAG) {
			if (eq != NULL)
				return cli_error(EXIT_USAGE, "option '%s' takes no value",
				                 o->name);
			*(int *)o->dest = 1;
			continue;
		}
		if (eq != NULL)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			return cli_error(EXIT_USAGE, "option '%s' needs a value", o->name);
		if (o->type == OPT_STR)
			*(const char **)o->dest = val;
		else
			strlist_push((struct strlist *)o->dest, val);
	}
	if (pos->n < min || pos->n > max) {
		cli_error(EXIT_USAGE, "%s arguments", pos->n < min ? "missing" : "too many");
		fprintf(stderr, "usage: runbook %s\n", usage);
		return EXIT_USAGE;
	}
	return 0;
}

int cli_incident(struct cli *c, const char *prefix, char out[37])
{
	if (journal_find_incident(c->j, prefix, out) < 0)
		return cli_error(EXIT_USAGE, "%s", journal_errmsg(c->j));
	return 0;
}

struct find_ctx {
	const char *id;
	struct jincident_info *info;
	int found;
	struct buf open;
	int nopen;
	char first[37];
};

static int info_cb(const struct jincident *inc, void *ctx)
{
	struct find_ctx *f = ctx;

	if (strcmp(inc->id, f->id) != 0)
		return 0;
	snprintf(f->info->flow, sizeof(f->info->flow), "%s", inc->flow ? inc->flow : "");
	snprintf(f->info->state, sizeof(f->info->state), "%s", inc->state ? inc->state : "");
	snprintf(f->info->status, sizeof(f->info->status), "%s",
	         inc->status ? inc->status : "");
	f->found = 1;
	return 1;
}

int cli_incident_info(struct cli *c, const char *id, struct jincident_info *info)
{
	struct find_ctx f;

	memset(&f, 0, sizeof(f));
	memset(info, 0, sizeof(*info));
	f.id = id;
	f.info = info;
	if (journal_incidents(c->j, 0, NULL, info_cb, &f) < 0)
		return cli_error(EXIT_JOURNAL, "%s", journal_errmsg(c->j));
	if (!f.found)
		return cli_error(EXIT_USAGE, "no incident '%s'", id);
	return 0;
}

int cli_incident_flow(struct cli *c, const char *id, const struct flow **f)
{
	struct jincident_info info;
	int rc = cli_incident_info(c, id, &info);

	if (rc != 0)
		return rc;
	*f = flow_find(info.flow);
	if (*f == NULL)
		return cli_error(EXIT_USAGE,
		                 "incident '%.8s' runs flow '%s', which this runbook "
		                 "does not know",
		                 id, info.flow);
	return 0;
}

static int open_cb(const struct jincident *inc, void *ctx)
{
	struct find_ctx *f = ctx;

	if (f->nopen++ == 0)
		snprintf(f->first, sizeof(f->first), "%s", inc->id);
	buf_printf(&f->open, "%s%.8s (%s, %s)", f->open.len ? ", " : "", inc->id, inc->flow,
	           inc->state);
	return 0;
}

int cli_only_open(struct cli *c, char out[37])
{
	struct find_ctx f;
	int rc = 0;

	memset(&f, 0, sizeof(f));
	buf_init(&f.open, 4096);
	if (journal_incidents(c->j, 1, NULL, open_cb, &f) < 0)
		rc = cli_error(EXIT_JOURNAL, "%s", journal_errmsg(c->j));
	else if (f.nopen == 0)
		rc = cli_error(EXIT_USAGE, "no open incident to resume");
	else if (f.nopen > 1)
		rc = cli_error(EXIT_USAGE, "%d incidents are open, name one: %s", f.nopen,
		               f.open.p);
	else
		snprintf(out, 37, "%s", f.first);
	buf_release(&f.open);
	return rc;
}
