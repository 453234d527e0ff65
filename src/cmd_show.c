/* cmd_show.c - `runbook list` and `runbook show ID`: incidents and timelines. */
#include "cli.h"

#include "journal.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cJSON *incident_json(const struct jincident *inc)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", inc->id);
	cJSON_AddStringToObject(o, "flow", inc->flow ? inc->flow : "");
	cJSON_AddStringToObject(o, "title", inc->title ? inc->title : "");
	cJSON_AddStringToObject(o, "severity", inc->severity ? inc->severity : "");
	cJSON_AddStringToObject(o, "status", inc->status ? inc->status : "");
	cJSON_AddStringToObject(o, "state", inc->state ? inc->state : "");
	if (inc->end)
		cJSON_AddStringToObject(o, "end", inc->end);
	cJSON_AddStringToObject(o, "opened", inc->opened ? inc->opened : "");
	if (inc->closed)
		cJSON_AddStringToObject(o, "closed", inc->closed);
	cJSON_AddStringToObject(o, "operator", inc->operator ? inc->operator : "");
	return o;
}

struct list_ctx {
	struct cli *c;
	cJSON *arr;
	int n;
	const char *only; /* show: the one incident */
	cJSON *one;
	/* list filters (NULL: any) */
	const char *flow;
	const char *status;
	const char *op;
	char (*ids)[37]; /* --operator: incidents with an event by op, sorted */
	size_t nids;
};

static int cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* --operator: collect the incidents where op journaled any event. */
static int op_cb(const struct jevent *ev, void *ctx)
{
	struct list_ctx *l = ctx;

	if (strcmp(ev->operator, l->op) != 0)
		return 0;
	if (l->nids > 0 && strcmp(l->ids[l->nids - 1], ev->incident) == 0)
		return 0;
	l->ids = xrealloc(l->ids, (l->nids + 1) * sizeof(*l->ids));
	snprintf(l->ids[l->nids++], sizeof(l->ids[0]), "%s", ev->incident);
	return 0;
}

static int list_match(const struct list_ctx *l, const struct jincident *inc)
{
	if (l->flow != NULL && strcmp(inc->flow ? inc->flow : "", l->flow) != 0)
		return 0;
	if (l->status != NULL && strcmp(inc->status ? inc->status : "", l->status) != 0)
		return 0;
	if (l->op != NULL && (l->nids == 0 || bsearch(inc->id, l->ids, l->nids,
	                                              sizeof(l->ids[0]), cmp_id) == NULL))
		return 0;
	return 1;
}

static int list_cb(const struct jincident *inc, void *ctx)
{
	struct list_ctx *l = ctx;

	if (l->only != NULL) {
		if (strcmp(inc->id, l->only) == 0) {
			l->one = incident_json(inc);
			return 1;
		}
		return 0;
	}
	if (!list_match(l, inc))
		return 0;
	l->n++;
	if (l->c->json) {
		cJSON_AddItemToArray(l->arr, incident_json(inc));
		return 0;
	}
	if (l->n == 1)
		printf("%-8s  %-14s %-4s %-7s %-20s %-24s %s\n", "ID", "FLOW", "SEV", "STATUS",
		       "STATE", "OPENED", "OPERATOR");
	printf("%.8s  %-14s %-4s %-7s %-20s %-24s %s\n", inc->id, inc->flow, inc->severity,
	       inc->status, inc->closed ? (inc->end ? inc->end : "") : inc->state, inc->opened,
	       inc->operator);
	return 0;
}

int cmd_list(struct cli *c, int argc, char **argv)
{
	int open_only = 0, rc;
	const char *since = NULL, *flow = NULL, *status = NULL, *op = NULL;
	struct opt opts[] = {{"--open", OPT_FLAG, &open_only}, {"--since", OPT_STR, &since},
	                     {"--flow", OPT_STR, &flow},       {"--status", OPT_STR, &status},
	                     {"--operator", OPT_STR, &op},     {NULL, OPT_FLAG, NULL}};
	struct strlist pos = {NULL, 0};
	struct list_ctx l;
	double t;

	rc = cli_parse(c, argc, argv, opts, &pos, 0, 0,
	               "list [--open] [--since DATE] [--flow FLOW] [--status open|closed] "
	               "[--operator NAME]");
	strlist_release(&pos);
	if (rc != 0)
		return rc;
	if (since != NULL && time_parse(since, &t) < 0)
		return cli_error(EXIT_USAGE,
		                 "--since '%s' is not a date (2026-12-01 or RFC 3339)", since);
	if (op == NULL) /* --operator is also a global option, taken out of argv before this */
		op = c->operator_arg;
	if (status != NULL && strcmp(status, "open") != 0 && strcmp(status, "closed") != 0)
		return cli_error(EXIT_USAGE, "--status '%s' is not one of open, closed",
		                 status);
	memset(&l, 0, sizeof(l));
	l.c = c;
	l.flow = flow;
	l.status = status;
	l.op = op;
	if (op != NULL) {
		if (journal_events(c->j, NULL, 0, op_cb, &l) < 0) {
			free(l.ids);
			return cli_error(EXIT_JOURNAL, "%s", journal_errmsg(c->j));
		}
		if (l.nids > 0)
			qsort(l.ids, l.nids, sizeof(l.ids[0]), cmp_id);
	}
	l.arr = cJSON_CreateArray();
	rc = journal_incidents(c->j, open_only, since, list_cb, &l);
	free(l.ids);
	if (rc < 0) {
		cJSON_Delete(l.arr);
		return cli_error(EXIT_JOURNAL, "%s", journal_errmsg(c->j));
	}
	if (c->json) {
		cJSON *doc = cJSON_CreateObject();

		cJSON_AddItemToObject(doc, "incidents", l.arr);
		cli_print_json(doc);
	} else {
		cJSON_Delete(l.arr);
		if (l.n == 0)
			fprintf(stderr, "no incidents%s\n", open_only ? " open" : "");
	}
	return 0;
}

/* The string at key, or "". Borrowed. */
static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

/* One line of detail for an event, from its data. */
static void detail(const char *kind, const cJSON *d, char *out, size_t len)
{
	const char *keys[] = {"summary", "title", "text",      "answer", "command", "sql",
	                      "end",     "to",    "suggested", "pause",  "reason",  NULL};

	out[0] = '\0';
	for (int i = 0; keys[i]; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, keys[i]);

		if (cJSON_IsString(v)) {
			snprintf(out, len, "%s%s%s",
			         strcmp(keys[i], "summary") == 0 ? "" : keys[i],
			         strcmp(keys[i], "summary") == 0 ? "" : ": ", v->valuestring);
			break;
		}
	}
	if (strcmp(kind, "action.refused") == 0 || strcmp(kind, "action.skipped") == 0) {
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(d, "reason");

		if (cJSON_IsString(r))
			snprintf(out, len, "%s", r->valuestring);
	}
	if (strcmp(kind, "handoff") == 0) { /* who to whom, and why */
		const char *sum = jstr(d, "summary");

		snprintf(out, len, "lead %s -> %s%s%s", jstr(d, "from"), jstr(d, "to"),
		         *sum ? ": " : "", sum);
	}
}

struct show_ctx {
	struct cli *c;
	cJSON *events;
	cJSON *pending; /* action.intent events without a result yet, by state */
};

static int show_cb(const struct jevent *ev, void *ctx)
{
	struct show_ctx *s = ctx;
	cJSON *d = cJSON_Parse(ev->data);
	cJSON *e = cJSON_CreateObject();
	char hash[2 * JOURNAL_HASH_LEN + 1];

	hex_encode(ev->hash, JOURNAL_HASH_LEN, hash);
	cJSON_AddNumberToObject(e, "seq", (double)ev->seq);
	cJSON_AddStringToObject(e, "id", ev->id);
	cJSON_AddStringToObject(e, "ts", ev->ts);
	cJSON_AddStringToObject(e, "operator", ev->operator);
	cJSON_AddStringToObject(e, "os_user", ev->os_user);
	cJSON_AddStringToObject(e, "host", ev->host);
	cJSON_AddStringToObject(e, "flow", ev->flow);
	cJSON_AddStringToObject(e, "state", ev->state);
	cJSON_AddStringToObject(e, "kind", ev->kind);
	cJSON_AddItemToObject(e, "data", d ? d : cJSON_CreateObject());
	cJSON_AddStringToObject(e, "hash", hash);
	cJSON_AddItemToArray(s->events, e);
	if (strcmp(ev->kind, "action.intent") == 0) {
		cJSON_DeleteItemFromObjectCaseSensitive(s->pending, ev->state);
		cJSON_AddItemReferenceToObject(s->pending, ev->state, e);
	} else if (strncmp(ev->kind, "action.", 7) == 0) {
		cJSON_DeleteItemFromObjectCaseSensitive(s->pending, ev->state);
	}
	return 0;
}

int cmd_show(struct cli *c, int argc, char **argv)
{
	struct strlist pos = {NULL, 0};
	struct show_ctx s;
	struct list_ctx l;
	char id[37];
	int rc;

	rc = cli_parse(c, argc, argv, NULL, &pos, 1, 1, "show ID");
	if (rc == 0)
		rc = cli_incident(c, pos.v[0], id);
	strlist_release(&pos);
	if (rc != 0)
		return rc;
	memset(&l, 0, sizeof(l));
	l.c = c;
	l.only = id;
	memset(&s, 0, sizeof(s));
	s.c = c;
	s.events = cJSON_CreateArray();
	s.pending = cJSON_CreateObject();
	if (journal_incidents(c->j, 0, NULL, list_cb, &l) < 0 ||
	    journal_events(c->j, id, 0, show_cb, &s) < 0) {
		rc = cli_error(EXIT_JOURNAL, "%s", journal_errmsg(c->j));
		goto out;
	}
	/* an intent with no result: the process ended mid-action */
	for (cJSON *p = s.pending->child; p; p = p->next) {
		cJSON *data = cJSON_GetObjectItemCaseSensitive(p, "data");

		if (data)
			cJSON_AddTrueToObject(data, "no_result");
	}
	if (c->json) {
		cJSON *doc = cJSON_CreateObject();

		cJSON_AddItemToObject(doc, "incident", l.one ? l.one : cJSON_CreateObject());
		cJSON_AddItemToObject(doc, "events", s.events);
		l.one = NULL;
		s.events = NULL;
		cli_print_json(doc);
		goto out;
	}
	if (l.one) {
		const char *end = jstr(l.one, "end");

		printf("INC %.8s · %s · %s · %s%s%s%s · opened %s by %s\n  %s\n  id %s\n\n", id,
		       jstr(l.one, "flow"), jstr(l.one, "severity"), jstr(l.one, "status"),
		       *end ? " (" : "", end, *end ? ")" : "", jstr(l.one, "opened"),
		       jstr(l.one, "operator"), jstr(l.one, "title"), id);
	}
	printf("%5s  %-24s  %-16s %-18s %-18s %s\n", "SEQ", "TIME (UTC)", "OPERATOR", "STATE",
	       "KIND", "DETAIL");
	for (cJSON *e = s.events->child; e; e = e->next) {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(e, "data");
		char det[200];

		detail(cJSON_GetObjectItemCaseSensitive(e, "kind")->valuestring, d, det,
		       sizeof(det));
		printf("%5.0f  %-24s  %-16s %-18s %-18s %s%s\n",
		       cJSON_GetObjectItemCaseSensitive(e, "seq")->valuedouble,
		       cJSON_GetObjectItemCaseSensitive(e, "ts")->valuestring,
		       cJSON_GetObjectItemCaseSensitive(e, "operator")->valuestring,
		       cJSON_GetObjectItemCaseSensitive(e, "state")->valuestring,
		       cJSON_GetObjectItemCaseSensitive(e, "kind")->valuestring, det,
		       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "no_result"))
		               ? "   !! NO RESULT RECORDED (process ended)"
		               : "");
	}
out:
	cJSON_Delete(l.one);
	cJSON_Delete(s.events);
	cJSON_Delete(s.pending);
	return rc;
}
