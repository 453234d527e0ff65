/*
 * cmd_audit.c - `runbook audit`: who did what, when, to which target, with what outcome.
 *
 * One row per action event (action.intent, action.result, action.refused,
 * action.skipped) and per operator answer (prompt.answered), computed from the journal
 * alone. A result carries the target and statement of the intent it closes; an intent
 * that no result ever followed (the process ended mid-action) is flagged.
 *
 * Only the audited kinds are read (journal_select), and with --since only from then on
 * (the partial index events_audit): a result whose intent is older than the window
 * looks that intent up (look_back), so the rows are those of a full read, filtered.
 */
#include "cli.h"

#include "flow.h"
#include "journal.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USAGE                                                                                 \
	"audit [--destructive] [--operator NAME] [--incident ID] [--flow FLOW] [--target T] " \
	"[--kind KIND] [--since DATE] [--until DATE] [--format table|csv|json]"

#define NO_RESULT_NOTE "no result recorded — process ended"

struct audit {
	int destructive;
	const char *operator;
	const char *flow;
	const char *target;
	const char *kind;
	double since, until; /* NAN: no bound */
	cJSON *rows;         /* every row, before the filters */
	cJSON *open;         /* "incident/state" -> the intent row still waiting for a result */
	struct journal *j;   /* for the look-back of a windowed read */
	int windowed;        /* only the events from --since on are read */
};

static const char *const audited_kinds[] = {"action.intent",   "action.result",
                                            "action.refused",  "action.skipped",
                                            "prompt.answered", NULL};
static const char *const action_kinds[] = {"action.intent", "action.result", "action.refused",
                                           "action.skipped", NULL};

static const char *jstr(const cJSON *o, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));

	return v != NULL ? v : "";
}

static int audited_kind(const char *kind)
{
	return strcmp(kind, "action.intent") == 0 || strcmp(kind, "action.result") == 0 ||
	       strcmp(kind, "action.refused") == 0 || strcmp(kind, "action.skipped") == 0 ||
	       strcmp(kind, "prompt.answered") == 0;
}

/* The state is declared destructive in its flow's table. */
static int table_destructive(const char *flow, const char *state)
{
	const struct flow *f = flow_find(flow);
	const struct state *s = f ? flow_state(f, state) : NULL;

	return s != NULL && s->kind == KIND_ACTION && (s->flags & ST_DESTRUCTIVE);
}

/* The statement an action ran or would run: its SQL, its command, or what a dry run kept. */
static const char *statement_of(const cJSON *d)
{
	const char *keys[] = {"sql", "command", "would_run", NULL};

	for (int i = 0; keys[i] != NULL; i++)
		if (*jstr(d, keys[i]))
			return jstr(d, keys[i]);
	return "";
}

static void mark_no_result(cJSON *row)
{
	cJSON_AddTrueToObject(row, "no_result");
	cJSON_AddStringToObject(row, "note", NO_RESULT_NOTE);
}

static int row_cb(const struct jevent *ev, void *ctx);

/* The data may hold "destructive": true (a "destructive" key followed by a true value;
 * an escape anywhere could hide one, so it counts as may). */
static int may_say_destructive(const char *data)
{
	const char *p = data;

	if (strstr(data, "\\u") != NULL)
		return 1;
	while ((p = strstr(p, "destructive\"")) != NULL) {
		p += strlen("destructive\"");
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p != ':')
			continue;
		p++;
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (strncmp(p, "true", 4) == 0)
			return 1;
	}
	return 0;
}

/*
 * --destructive: an event that cannot be destructive (its data cannot say so and it is
 * not an action of a destructive state) gets no row. It still closes
 * or supersedes the open intent of its state, as its row would have.
 */
static int skip_cheaply(struct audit *a, const struct jevent *ev, const char *key)
{
	int action = strncmp(ev->kind, "action.", 7) == 0;
	cJSON *open;

	if (!a->destructive || may_say_destructive(ev->data) ||
	    (action && table_destructive(ev->flow, ev->state)))
		return 0;
	open = action ? cJSON_GetObjectItemCaseSensitive(a->open, key) : NULL;
	if (open != NULL) {
		if (strcmp(ev->kind, "action.intent") == 0)
			mark_no_result(open);
		else
			cJSON_AddNumberToObject(open, "result_seq", (double)ev->seq);
		cJSON_DeleteItemFromObjectCaseSensitive(a->open, key);
	}
	return 1;
}

/* Feed the intent that a result at the start of the window closes (read from before
 * the window: its row falls outside --since and is not shown). */
static int prev_intent_cb(const struct jevent *ev, void *ctx)
{
	if (strcmp(ev->kind, "action.intent") != 0)
		return 0;
	return row_cb(ev, ctx);
}

static int look_back(struct audit *a, const struct jevent *ev)
{
	struct jselect q = {.incident = ev->incident,
	                    .state = ev->state,
	                    .kinds = action_kinds,
	                    .before_seq = ev->seq,
	                    .last = 1};
	int windowed = a->windowed;
	int rc;

	a->windowed = 0;
	rc = journal_select(a->j, &q, prev_intent_cb, a);
	a->windowed = windowed;
	return rc;
}

static int row_cb(const struct jevent *ev, void *ctx)
{
	struct audit *a = ctx;
	char hash[2 * JOURNAL_HASH_LEN + 1], key[128];
	cJSON *d, *row, *intent;
	const char *target, *statement, *outcome;
	int destructive;

	if (!audited_kind(ev->kind))
		return 0;
	snprintf(key, sizeof(key), "%s/%s", ev->incident, ev->state);
	if (a->windowed && strncmp(ev->kind, "action.", 7) == 0 &&
	    strcmp(ev->kind, "action.intent") != 0 &&
	    cJSON_GetObjectItemCaseSensitive(a->open, key) == NULL && look_back(a, ev) < 0)
		return -1;
	if (skip_cheaply(a, ev, key))
		return 0;
	d = cJSON_Parse(ev->data);
	if (d == NULL)
		d = cJSON_CreateObject();
	intent = strncmp(ev->kind, "action.", 7) == 0
	                 ? cJSON_GetObjectItemCaseSensitive(a->open, key)
	                 : NULL;
	if (intent != NULL)
		intent = cJSON_GetObjectItemCaseSensitive(intent, "data");
	target = *jstr(d, "target") ? jstr(d, "target") : jstr(intent, "target");
	statement = *statement_of(d) ? statement_of(d) : statement_of(intent);
	destructive = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "destructive")) ||
	              (strncmp(ev->kind, "action.", 7) == 0 &&
	               table_destructive(ev->flow, ev->state));
	if (strcmp(ev->kind, "action.intent") == 0)
		outcome = "pending";
	else if (strcmp(ev->kind, "action.refused") == 0)
		outcome = "refused";
	else if (strcmp(ev->kind, "action.skipped") == 0)
		outcome = "skipped";
	else
		outcome = jstr(d, "outcome");

	hex_encode(ev->hash, JOURNAL_HASH_LEN, hash);
	row = cJSON_CreateObject();
	cJSON_AddNumberToObject(row, "seq", (double)ev->seq);
	cJSON_AddStringToObject(row, "hash", hash);
	cJSON_AddStringToObject(row, "ts", ev->ts);
	cJSON_AddStringToObject(row, "operator", ev->operator);
	cJSON_AddStringToObject(row, "os_user", ev->os_user);
	cJSON_AddStringToObject(row, "host", ev->host);
	cJSON_AddStringToObject(row, "incident", ev->incident);
	cJSON_AddStringToObject(row, "flow", ev->flow);
	cJSON_AddStringToObject(row, "state", ev->state);
	cJSON_AddStringToObject(row, "kind", ev->kind);
	cJSON_AddStringToObject(row, "target", target);
	cJSON_AddStringToObject(row, "statement", statement);
	cJSON_AddStringToObject(row, "outcome", outcome);
	cJSON_AddBoolToObject(row, "destructive", destructive);
	if (strcmp(ev->kind, "prompt.answered") == 0)
		cJSON_AddStringToObject(row, "answer", jstr(d, "answer"));
	if (*jstr(d, "reason"))
		cJSON_AddStringToObject(row, "reason", jstr(d, "reason"));
	if (*jstr(d, "reported_by"))
		cJSON_AddStringToObject(row, "reported_by", jstr(d, "reported_by"));
	if (intent != NULL) { /* this event closes the open intent */
		cJSON *irow = cJSON_GetObjectItemCaseSensitive(a->open, key);

		cJSON_AddNumberToObject(
		        row, "intent_seq",
		        cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(irow, "seq")));
		cJSON_AddNumberToObject(irow, "result_seq", (double)ev->seq);
		cJSON_DeleteItemFromObjectCaseSensitive(a->open, key);
	}
	cJSON_AddItemToObject(row, "data", d);
	cJSON_AddItemToArray(a->rows, row);
	if (strcmp(ev->kind, "action.intent") == 0) {
		cJSON *before = cJSON_GetObjectItemCaseSensitive(a->open, key);

		if (before !=
		    NULL) { /* a re-run after an interrupted one: that one never ended */
			mark_no_result(before);
			cJSON_DeleteItemFromObjectCaseSensitive(a->open, key);
		}
		cJSON_AddItemReferenceToObject(a->open, key, row);
	}
	return 0;
}

/*
 * A --since/--until value: RFC 3339 (with Z or an offset), a date (2026-12-01), or a
 * span back from now (30m, 24h, 7d, 90s, 2w). `until` makes a bare date cover its day.
 */
static int parse_when(const char *s, int until, double *t)
{
	size_t n = strlen(s);
	char base[40], *end;
	double v;

	if (n >= 2 && strchr("smhdw", s[n - 1]) != NULL && s[0] >= '0' && s[0] <= '9') {
		const double unit[] = {1, 60, 3600, 86400, 604800};

		v = strtod(s, &end);
		if (end != s + n - 1 || !isfinite(v) || v < 0)
			return -1;
		*t = clock_wall() - v * unit[strchr("smhdw", s[n - 1]) - "smhdw"];
		return 0;
	}
	if (n == 10 && time_parse(s, t) == 0) {
		if (until)
			*t += 86400;
		return 0;
	}
	if (time_parse(s, t) == 0)
		return 0;
	/* an offset: 2026-12-04T16:03:12.5+01:00 */
	if (n > 6 && n < sizeof(base) && (s[n - 6] == '+' || s[n - 6] == '-') &&
	    s[n - 3] == ':') {
		long hh, mm;
		char h[3] = {s[n - 5], s[n - 4], 0}, m[3] = {s[n - 2], s[n - 1], 0};

		memcpy(base, s, n - 6);
		base[n - 6] = '\0';
		if (strchr(base, 'T') == NULL || time_parse(base, t) != 0 ||
		    parse_long(h, 0, 23, &hh) != 0 || parse_long(m, 0, 59, &mm) != 0)
			return -1;
		*t -= (s[n - 6] == '+' ? 1 : -1) * (double)(hh * 3600 + mm * 60);
		return 0;
	}
	return -1;
}

static int kind_matches(const char *want, const char *kind)
{
	const char *dot = strchr(kind, '.');

	return strcmp(want, kind) == 0 || (dot != NULL && strcmp(want, dot + 1) == 0);
}

static int keep(const struct audit *a, const cJSON *row)
{
	double t;

	if (a->destructive &&
	    !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(row, "destructive")))
		return 0;
	if (a->operator&& strcmp(a->operator, jstr(row, "operator")) != 0)
		return 0;
	if (a->flow && strcmp(a->flow, jstr(row, "flow")) != 0)
		return 0;
	if (a->target && strcmp(a->target, jstr(row, "target")) != 0)
		return 0;
	if (a->kind && !kind_matches(a->kind, jstr(row, "kind")))
		return 0;
	if (!isnan(a->since) || !isnan(a->until)) {
		if (time_parse(jstr(row, "ts"), &t) != 0)
			return 0;
		if (!isnan(a->since) && t < a->since)
			return 0;
		if (!isnan(a->until) && t >= a->until)
			return 0;
	}
	return 1;
}

/* The outcome as a person reads it. Borrowed or in buf. */
static const char *outcome_text(const cJSON *row, char *buf, size_t len)
{
	const char *o = jstr(row, "outcome");

	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(row, "no_result")))
		snprintf(buf, len, "pending — %s", NO_RESULT_NOTE);
	else if (*jstr(row, "reported_by"))
		snprintf(buf, len, "%s (reported by %s)", o, jstr(row, "reported_by"));
	else if (*jstr(row, "reason") && strcmp(o, "skipped") == 0)
		snprintf(buf, len, "skipped (%s)", jstr(row, "reason"));
	else
		return o;
	return buf;
}

/* One CSV cell (RFC 4180), safe to open in a spreadsheet: a cell that starts like a
 * formula (= + - @ tab CR) is prefixed with ' and quoted. */
static void csv_cell(struct buf *b, const char *s, int last)
{
	int formula = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
	              s[0] == '\t' || s[0] == '\r';
	int quote = formula || strpbrk(s, ",\"\r\n") != NULL;

	if (quote)
		buf_puts(b, "\"");
	if (formula)
		buf_puts(b, "'");
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '"')
			buf_puts(b, "\"\"");
		else
			buf_append(b, p, 1);
	}
	if (quote)
		buf_puts(b, "\"");
	buf_puts(b, last ? "\r\n" : ",");
}

static const char *const columns[] = {"seq",    "hash",      "ts",      "operator", "os_user",
                                      "host",   "incident",  "flow",    "state",    "kind",
                                      "target", "statement", "outcome", NULL};

static void print_csv(const cJSON *rows)
{
	struct buf b;
	const cJSON *row;

	buf_init(&b, (size_t)1 << 30);
	for (int i = 0; columns[i] != NULL; i++)
		csv_cell(&b, columns[i], columns[i + 1] == NULL);
	cJSON_ArrayForEach(row, rows)
	{
		char num[32], why[512];

		for (int i = 0; columns[i] != NULL; i++) {
			const char *v = jstr(row, columns[i]);

			if (strcmp(columns[i], "seq") == 0) {
				snprintf(num, sizeof(num), "%.0f",
				         cJSON_GetNumberValue(
				                 cJSON_GetObjectItemCaseSensitive(row, "seq")));
				v = num;
			} else if (strcmp(columns[i], "outcome") == 0) {
				v = outcome_text(row, why, sizeof(why));
			}
			csv_cell(&b, v, columns[i + 1] == NULL);
		}
	}
	fwrite(b.p ? b.p : "", 1, b.len, stdout);
	buf_release(&b);
}

/* Text for a table cell: control bytes become '?', newlines a space; cut at max bytes. */
static void cell(const char *s, size_t max, char *out, size_t len)
{
	size_t o = 0;

	for (; *s != '\0' && o + 1 < len && o < max; s++) {
		unsigned char ch = (unsigned char)*s;

		out[o++] = ch == '\n' ? ' ' : (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
	}
	out[o] = '\0';
}

static void print_table(const cJSON *rows)
{
	const cJSON *row;
	int n = 0;

	cJSON_ArrayForEach(row, rows)
	{
		char op[40], who[80], st[24], tg[32], oc[600], stmt[4096], why[512];

		if (n++ == 0)
			printf("%5s  %-24s  %-16s %-22s %-8s  %-10s %-18s %-15s %-14s %-10s "
			       "%s\n",
			       "SEQ", "TIME (UTC)", "OPERATOR", "OS USER@HOST", "INCIDENT",
			       "FLOW", "STATE", "KIND", "TARGET", "OUTCOME", "STATEMENT");
		cell(jstr(row, "operator"), 32, op, sizeof(op));
		snprintf(who, sizeof(who), "%.30s@%.40s", jstr(row, "os_user"),
		         jstr(row, "host"));
		cell(jstr(row, "state"), 20, st, sizeof(st));
		cell(jstr(row, "target"), 30, tg, sizeof(tg));
		cell(outcome_text(row, why, sizeof(why)), 500, oc, sizeof(oc));
		if (*jstr(row, "answer"))
			snprintf(why, sizeof(why), "answer: %s", jstr(row, "answer"));
		cell(*jstr(row, "answer") ? why : jstr(row, "statement"), 4000, stmt,
		     sizeof(stmt));
		printf("%5.0f  %-24s  %-16s %-22s %.8s  %-10s %-18s %-15s %-14s %-10s %s\n",
		       cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(row, "seq")),
		       jstr(row, "ts"), op, who, jstr(row, "incident"), jstr(row, "flow"), st,
		       jstr(row, "kind"), tg, oc, stmt);
	}
	if (n == 0)
		fprintf(stderr, "no audit entries match\n");
}

int cmd_audit(struct cli *c, int argc, char **argv)
{
	const char *incident = NULL, *since = NULL, *until = NULL, *format = NULL;
	struct audit a;
	struct opt opts[] = {{"--destructive", OPT_FLAG, &a.destructive},
	                     {
	                             "--operator",
	                             OPT_STR,
	                             &a.operator},
	                             {"--incident", OPT_STR, &incident},
	                             {"--flow", OPT_STR, &a.flow},
	                             {"--target", OPT_STR, &a.target},
	                             {"--kind", OPT_STR, &a.kind},
	                             {"--since", OPT_STR, &since},
	                             {"--until", OPT_STR, &until},
	                             {"--format", OPT_STR, &format},
	                             {NULL, OPT_FLAG, NULL},
	};
	struct strlist pos = {NULL, 0};
	struct jselect q = {NULL};
	cJSON *kept = NULL, *row;
	char id[37], from[32];
	int rc;

	memset(&a, 0, sizeof(a));
	a.since = a.until = NAN;
	/* --operator is also a global option, taken out of argv before the command runs */
	a.operator= c->operator_arg;
	rc = cli_parse(c, argc, argv, opts, &pos, 0, 0, USAGE);
	strlist_release(&pos);
	if (rc != 0)
		return rc;
	if (format == NULL)
		format = c->json ? "json" : "table";
	if (strcmp(format, "table") != 0 && strcmp(format, "csv") != 0 &&
	    strcmp(format, "json") != 0)
		return cli_error(EXIT_USAGE, "--format '%s' is not one of table, csv, json",
		                 format);
	if (since != NULL && parse_when(since, 0, &a.since) < 0)
		return cli_error(
		        EXIT_USAGE,
		        "--since '%s' is not a date (2026-12-01, RFC 3339, or 30m, 24h, "
		        "7d ago)",
		        since);
	if (until != NULL && parse_when(until, 1, &a.until) < 0)
		return cli_error(
		        EXIT_USAGE,
		        "--until '%s' is not a date (2026-12-01, RFC 3339, or 30m, 24h, "
		        "7d ago)",
		        until);
	if (incident != NULL) {
		rc = cli_incident(c, incident, id);
		if (rc != 0)
			return rc;
	}
	a.rows = cJSON_CreateArray();
	a.open = cJSON_CreateObject();
	a.j = c->j;
	/* Only the audited kinds are read, and with --since only from then on (a millisecond
	 * early: keep() has the last word); --until bounds nothing here, so that an intent
	 * before it still finds its result after it. */
	q.incident = incident ? id : NULL;
	q.kinds = audited_kinds;
	if (!isnan(a.since)) {
		time_format(a.since - 0.001, from);
		q.since = from;
		a.windowed = 1;
	}
	if (journal_select(c->j, &q, row_cb, &a) < 0) {
		rc = cli_error(EXIT_JOURNAL, "%s", journal_errmsg(c->j));
		goto out;
	}
	/* intents that no result ever followed: the process ended mid-action */
	cJSON_ArrayForEach(row, a.open)
	{
		mark_no_result(row);
	}
	kept = cJSON_CreateArray();
	cJSON_ArrayForEach(row, a.rows)
	{
		if (keep(&a, row))
			cJSON_AddItemReferenceToArray(kept, row);
	}
	if (strcmp(format, "json") == 0) {
		cJSON *doc = cJSON_CreateObject();

		cJSON_AddItemToObject(doc, "entries", cJSON_Duplicate(kept, 1));
		cli_print_json(doc);
	} else if (strcmp(format, "csv") == 0) {
		print_csv(kept);
	} else {
		print_table(kept);
	}
out:
	cJSON_Delete(kept);
	cJSON_Delete(a.open);
	cJSON_Delete(a.rows);
	return rc;
}
