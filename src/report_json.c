/*
 * report_json.c - the postmortem as one JSON document for other tools; its schema is
 * docs/export-schema.json. Written a line per array element as the events stream past,
 * every string cleaned (valid UTF-8, no control characters) and bounded.
 */
#include "report.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>

#define JSON_CAP 16384 /* bytes of one string (a command's output tail fits) */
#define FORMAT_VERSION 1

/* Already clean: printable ASCII, newline and tab only, at most cap bytes. */
static int plain(const char *s, size_t cap)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++, n++)
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p >= 0x7F || n >= cap)
			return 0;
	return 1;
}

/* Clean every string and key of a tree in place (strings cut at cap bytes). */
static void clean_tree(cJSON *n, size_t cap)
{
	for (; n != NULL; n = n->next) {
		if (n->string != NULL && !(n->type & cJSON_StringIsConst) &&
		    !plain(n->string, 256)) {
			char *k = report_clean(n->string, 256);

			free(n->string);
			n->string = k;
		}
		if (cJSON_IsString(n) && n->valuestring != NULL &&
		    !plain(n->valuestring, cap)) {
			char *v = report_clean(n->valuestring, cap);

			free(n->valuestring);
			n->valuestring = v;
		}
		if (n->child != NULL)
			clean_tree(n->child, cap);
	}
}

/* Print a value (consumed) after cleaning; returns 0 or -1. */
static int emit(FILE *out, const char *prefix, cJSON *v, const char *suffix)
{
	char *text;
	int rc = 0;

	if (v == NULL)
		v = cJSON_CreateNull();
	clean_tree(v, JSON_CAP);
	text = cJSON_PrintUnformatted(v);
	if (text == NULL || fputs(prefix, out) < 0 || fputs(text, out) < 0 ||
	    fputs(suffix, out) < 0)
		rc = -1;
	free(text);
	cJSON_Delete(v);
	return rc;
}

/*
 * The event's data text can go out as it is stored: one whole JSON object (it parsed),
 * printable ASCII only, short enough that no string in it needs cutting, and no escape
 * that would decode to a control character. Else it is cleaned and printed again.
 */
static int raw_ok(const struct report_event *e)
{
	size_t n = 0;

	if (!e->parsed)
		return 0;
	for (const unsigned char *p = (const unsigned char *)e->ev->data; *p != '\0';
	     p++, n++) {
		if (*p < 0x20 || *p >= 0x7F || n >= JSON_CAP)
			return 0;
		if (*p == '\\') {
			p++;
			n++;
			if (*p != 'n' && *p != 't' && *p != '"' && *p != '\\' && *p != '/')
				return 0;
		}
	}
	return 1;
}

static cJSON *str_or_null(const char *s)
{
	return s != NULL ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static cJSON *hash_json(const unsigned char *h)
{
	char hex[2 * JOURNAL_HASH_LEN + 1];

	hex_encode(h, JOURNAL_HASH_LEN, hex);
	return cJSON_CreateString(hex);
}

static cJSON *incident(const struct report *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *ch = cJSON_CreateArray();

	cJSON_AddStringToObject(o, "id", r->id);
	cJSON_AddStringToObject(o, "title", r->title ? r->title : "");
	cJSON_AddStringToObject(o, "flow", r->flow ? r->flow : "");
	cJSON_AddStringToObject(o, "section", r->section ? r->section : "");
	cJSON_AddStringToObject(o, "severity", r->severity);
	cJSON_AddStringToObject(o, "severity_initial", r->severity0);
	for (size_t i = 0; i < r->nsev; i++) {
		cJSON *s = cJSON_CreateObject();

		cJSON_AddNumberToObject(s, "seq", (double)r->sev[i].seq);
		cJSON_AddStringToObject(s, "ts", r->sev[i].ts);
		cJSON_AddStringToObject(s, "from", r->sev[i].from);
		cJSON_AddStringToObject(s, "to", r->sev[i].to);
		cJSON_AddStringToObject(s, "reason", r->sev[i].reason);
		cJSON_AddStringToObject(s, "operator", r->sev[i].operator);
		cJSON_AddItemToArray(ch, s);
	}
	cJSON_AddItemToObject(o, "severity_changes", ch);
	cJSON_AddStringToObject(o, "status", r->closed ? "closed" : "open");
	cJSON_AddItemToObject(o, "end", str_or_null(r->closed ? r->end : NULL));
	cJSON_AddBoolToObject(o, "closed_by_hand", r->closed_by_hand);
	cJSON_AddStringToObject(o, "opened", r->opened);
	cJSON_AddStringToObject(o, "opened_by", r->opener ? r->opener : "");
	cJSON_AddItemToObject(o, "closed", str_or_null(r->closed ? r->closed_ts : NULL));
	cJSON_AddItemToObject(o, "closed_by", str_or_null(r->closed ? r->closed_by : NULL));
	if (r->closed)
		cJSON_AddNumberToObject(o, "duration_s", r->t_close - r->t_open);
	else
		cJSON_AddNullToObject(o, "duration_s");
	cJSON_AddStringToObject(o, "lead", r->lead ? r->lead : "");
	if (r->escalated) {
		cJSON *e = cJSON_AddObjectToObject(o, "escalated");

		cJSON_AddStringToObject(e, "ts", r->escalated_ts);
		cJSON_AddNumberToObject(e, "elapsed_s", r->t_escalated - r->t_open);
		cJSON_AddItemToObject(e, "reason", str_or_null(r->escalated_reason));
	} else {
		cJSON_AddNullToObject(o, "escalated");
	}
	cJSON_AddBoolToObject(o, "dry_run", r->dry_run);
	cJSON_AddStringToObject(o, "last_event", r->last_ts);
	return o;
}

static cJSON *responders(const struct report *r)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; i < r->npeople; i++) {
		const struct report_person *p = &r->people[i];
		cJSON *o = cJSON_CreateObject();
		cJSON *roles, *as;

		cJSON_AddStringToObject(o, "name", p->name);
		roles = cJSON_AddArrayToObject(o, "roles");
		as = cJSON_AddArrayToObject(o, "as");
		for (const struct report_role *ro = report_roles; ro->bit; ro++)
			if (p->roles & ro->bit)
				cJSON_AddItemToArray(roles, cJSON_CreateString(ro->json));
		for (size_t w = 0; w < p->nwhere; w++)
			cJSON_AddItemToArray(as, cJSON_CreateString(p->where[w]));
		cJSON_AddItemToObject(o, "first", str_or_null(p->events ? p->first : NULL));
		cJSON_AddItemToObject(o, "last", str_or_null(p->events ? p->last : NULL));
		cJSON_AddNumberToObject(o, "events", (double)p->events);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static cJSON *handoffs(const struct report *r)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; i < r->nhandoffs; i++) {
		const struct report_handoff *h = &r->handoffs[i];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddNumberToObject(o, "seq", (double)h->seq);
		cJSON_AddStringToObject(o, "ts", h->ts);
		cJSON_AddStringToObject(o, "from", h->from);
		cJSON_AddStringToObject(o, "to", h->to);
		cJSON_AddStringToObject(o, "summary", h->summary);
		cJSON_AddStringToObject(o, "operator", h->operator);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static cJSON *sections(const struct report *r)
{
	cJSON *o = cJSON_CreateObject();

	for (int s = 0; s < SEC__LAST; s++) {
		cJSON *sec = cJSON_AddObjectToObject(o, report_section_key(s));
		cJSON *entries = cJSON_AddArrayToObject(sec, "entries");

		for (const struct report_entry *e = r->sec[s].head; e != NULL; e = e->next) {
			cJSON *x = cJSON_CreateObject();

			cJSON_AddNumberToObject(x, "seq", (double)e->seq);
			cJSON_AddStringToObject(x, "ts", e->ts);
			cJSON_AddStringToObject(x, "operator", e->operator);
			cJSON_AddStringToObject(x, "state", e->state);
			cJSON_AddStringToObject(x, "source", e->source);
			cJSON_AddStringToObject(x, "text", e->text);
			cJSON_AddItemToArray(entries, x);
		}
		cJSON_AddNumberToObject(sec, "more", (double)r->sec[s].dropped);
	}
	return o;
}

static cJSON *metrics(const struct report *r)
{
	cJSON *o = cJSON_CreateObject();

	for (int i = 0; i < MET__LAST; i++) {
		const struct report_metric *x = &r->met[i];
		cJSON *m = cJSON_AddObjectToObject(o, report_metric_key(i));

		cJSON_AddBoolToObject(m, "reached", x->reached);
		if (x->reached) {
			cJSON_AddNumberToObject(m, "seconds", x->seconds);
			cJSON_AddStringToObject(m, "ts", x->ts);
			cJSON_AddNumberToObject(m, "seq", (double)x->seq);
		} else {
			cJSON_AddNullToObject(m, "seconds");
			cJSON_AddNullToObject(m, "ts");
			cJSON_AddNullToObject(m, "seq");
		}
		cJSON_AddStringToObject(m, "until", report_metric_until(i));
	}
	return o;
}

static cJSON *counts(const struct report *r)
{
	cJSON *o = cJSON_CreateObject();
	const struct {
		const char *k;
		long long v;
	} c[] = {{"events", r->events},
	         {"states", r->states},
	         {"probes", r->probes},
	         {"probes_failed", r->probes_failed},
	         {"answers", r->answers},
	         {"intents", r->intents},
	         {"results", r->results},
	         {"refused", r->refused},
	         {"skipped", r->skipped},
	         {"dry_runs", r->dry_runs},
	         {"destructive", r->destructive},
	         {"no_result", (long long)r->nnoresult},
	         {"alerts", r->notified},
	         {"notes", r->notes},
	         {"pauses", r->pauses}};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		cJSON_AddNumberToObject(o, c[i].k, (double)c[i].v);
	return o;
}

static cJSON *warnings(const struct report *r)
{
	cJSON *a = cJSON_CreateArray();
	char msg[512];

	if (r->nnoresult > 0) {
		snprintf(
		        msg, sizeof(msg),
		        "%zu action(s) have no recorded result: the process ended mid-action%s",
		        r->nnoresult, r->noresult_destructive ? " (destructive)" : "");
		cJSON_AddItemToArray(a, cJSON_CreateString(msg));
	}
	if (!report_verify(r)->ok) {
		snprintf(msg, sizeof(msg), "the journal failed verification at export: %s",
		         report_verify(r)->reason);
		cJSON_AddItemToArray(a, cJSON_CreateString(msg));
	}
	return a;
}

static cJSON *integrity(const struct report *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *last = cJSON_AddObjectToObject(o, "incident_last");
	cJSON *head = cJSON_AddObjectToObject(o, "journal_head");
	cJSON *v;
	char hex[2 * JOURNAL_HASH_LEN + 1], check[160];

	cJSON_AddNumberToObject(last, "seq", (double)r->last_seq);
	cJSON_AddItemToObject(last, "hash", hash_json(r->last_hash));
	cJSON_AddNumberToObject(head, "seq", (double)report_verify(r)->head_seq);
	cJSON_AddItemToObject(head, "hash", hash_json(report_verify(r)->head_hash));
	cJSON_AddStringToObject(o, "chain", r->keyed ? "hmac-sha256" : "sha256");
	v = cJSON_AddObjectToObject(o, "verify");
	cJSON_AddBoolToObject(v, "ok", report_verify(r)->ok);
	cJSON_AddNumberToObject(v, "events", (double)report_verify(r)->events);
	if (report_verify(r)->first_bad_seq)
		cJSON_AddNumberToObject(v, "first_bad_seq",
		                        (double)report_verify(r)->first_bad_seq);
	else
		cJSON_AddNullToObject(v, "first_bad_seq");
	cJSON_AddItemToObject(
	        v, "reason",
	        str_or_null(report_verify(r)->ok ? NULL : report_verify(r)->reason));
	hex_encode(report_verify(r)->head_hash, JOURNAL_HASH_LEN, hex);
	snprintf(check, sizeof(check), "runbook verify --head %s", hex);
	cJSON_AddStringToObject(o, "check", check);
	return o;
}

/* ---- the streamed arrays: one pass, into temporary files ---- */

struct jw {
	FILE *out;
	long n;
	int failed;
};

enum { S_ACT, S_DIAG, S_TL, S__LAST };

struct sinks {
	struct jw s[S__LAST];
};

static cJSON *part(const struct report_part *p)
{
	cJSON *o;

	if (p->seq == 0)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "seq", (double)p->seq);
	cJSON_AddStringToObject(o, "ts", p->ts);
	cJSON_AddNumberToObject(o, "elapsed_s", p->elapsed);
	cJSON_AddStringToObject(o, "operator", p->operator);
	cJSON_AddStringToObject(o, "kind", p->kind);
	cJSON_AddItemToObject(o, "data", cJSON_Duplicate(p->data, 1));
	return o;
}

static int action_item(const struct report *r, const struct report_action *a, void *ctx)
{
	struct jw *w = &((struct sinks *)ctx)->s[S_ACT];
	cJSON *o = cJSON_CreateObject();
	char *what = report_action_text(a);

	(void)r;
	cJSON_AddStringToObject(o, "state", a->state);
	cJSON_AddStringToObject(o, "status", a->status);
	cJSON_AddBoolToObject(o, "destructive", a->destructive);
	cJSON_AddStringToObject(o, "what", what);
	cJSON_AddItemToObject(o, "reported_by", str_or_null(a->reported_by));
	cJSON_AddItemToObject(o, "intent", part(&a->intent));
	cJSON_AddItemToObject(o, "result", part(&a->result));
	free(what);
	if (emit(w->out, w->n++ ? ",\n" : "\n", o, "") < 0)
		w->failed = 1;
	return 0;
}

static int diag_item(const struct report *r, const struct report_event *e, void *ctx)
{
	struct jw *w = &((struct sinks *)ctx)->s[S_DIAG];
	cJSON *o = cJSON_CreateObject();
	cJSON *fig = cJSON_CreateObject();
	const cJSON *ok = cJSON_GetObjectItemCaseSensitive(e->data, "ok");
	const cJSON *att = cJSON_GetObjectItemCaseSensitive(e->data, "attempt");
	const char *label;
	const char *block = report_event_block(e, &label);
	const char *drop[] = {"outcome", "ok", "summary", "output", "body", "attempt"};
	char *text = report_event_text(e);

	(void)r;
	/* the figures: the data without the outcome and the long texts (copied one by one) */
	for (const cJSON *c = e->data->child; c != NULL; c = c->next) {
		size_t i = 0;

		while (i < sizeof(drop) / sizeof(drop[0]) && strcmp(drop[i], c->string) != 0)
			i++;
		if (i == sizeof(drop) / sizeof(drop[0]))
			cJSON_AddItemToObject(fig, c->string, cJSON_Duplicate(c, 1));
	}
	cJSON_AddNumberToObject(o, "seq", (double)e->ev->seq);
	cJSON_AddStringToObject(o, "ts", e->ev->ts);
	cJSON_AddNumberToObject(o, "elapsed_s", e->elapsed);
	cJSON_AddStringToObject(o, "state", e->ev->state);
	cJSON_AddStringToObject(o, "operator", e->ev->operator);
	cJSON_AddStringToObject(o, "outcome", report_event_outcome(e));
	if (cJSON_IsBool(ok))
		cJSON_AddBoolToObject(o, "ok", cJSON_IsTrue(ok));
	else
		cJSON_AddNullToObject(o, "ok");
	cJSON_AddItemToObject(o, "attempt",
	                      cJSON_IsNumber(att) ? cJSON_CreateNumber(att->valuedouble)
	                                          : cJSON_CreateNull());
	cJSON_AddStringToObject(o, "summary", text);
	cJSON_AddItemToObject(o, "figures", fig);
	if (block != NULL) { /* the text itself is in the timeline's data, by seq */
		long lines = 1;
		cJSON *b = cJSON_AddObjectToObject(o, "block");

		for (const char *p = block; *p != '\0'; p++)
			lines += *p == '\n' && p[1] != '\0';
		cJSON_AddStringToObject(b, "label", label);
		cJSON_AddNumberToObject(b, "lines", (double)lines);
	} else {
		cJSON_AddNullToObject(o, "block");
	}
	free(text);
	if (emit(w->out, w->n++ ? ",\n" : "\n", o, "") < 0)
		w->failed = 1;
	return 0;
}

/* Append s as a JSON string: cleaned, cut at cap, escaped as cJSON would. */
static void jstr(struct buf *b, const char *s, size_t cap)
{
	char *clean = plain(s, cap) ? NULL : report_clean(s, cap);
	const char *p = clean != NULL ? clean : s;
	const char *run = p;

	buf_append(b, "\"", 1);
	for (; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		char esc[8];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_append(b, run, (size_t)(p - run));
		run = p + 1;
		if (c == '"' || c == '\\')
			snprintf(esc, sizeof(esc), "\\%c", c);
		else if (c == '\n')
			snprintf(esc, sizeof(esc), "\\n");
		else if (c == '\t')
			snprintf(esc, sizeof(esc), "\\t");
		else
			snprintf(esc, sizeof(esc), "\\u%04x", c);
		buf_puts(b, esc);
	}
	buf_append(b, run, (size_t)(p - run));
	buf_append(b, "\"", 1);
	free(clean);
}

/* Append a number as cJSON prints it. */
static void jnum(struct buf *b, double d)
{
	char tmp[32];
	double back;

	if (d != d || d > 1e308 || d < -1e308) {
		buf_puts(b, "null");
		return;
	}
	if (d == (double)(long long)d && d > -2147483648.0 && d < 2147483648.0) {
		buf_printf(b, "%lld", (long long)d);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%1.15g", d);
	if (sscanf(tmp, "%lg", &back) != 1 || back != d)
		snprintf(tmp, sizeof(tmp), "%1.17g", d);
	buf_puts(b, tmp);
}

/* One timeline entry, written by hand (the bulk of a large export), data last. */
static int timeline_item(const struct report *r, const struct report_event *e, void *ctx)
{
	struct jw *w = &((struct sinks *)ctx)->s[S_TL];
	char *text = report_event_text(e);
	char hash[2 * JOURNAL_HASH_LEN + 1];
	struct buf b;

	(void)r;
	buf_init(&b, 0);
	hex_encode(e->ev->hash, JOURNAL_HASH_LEN, hash);
	buf_printf(&b, "%s{\"seq\":", w->n++ ? ",\n" : "\n");
	jnum(&b, (double)e->ev->seq);
	buf_puts(&b, ",\"id\":");
	jstr(&b, e->ev->id, 64);
	buf_puts(&b, ",\"ts\":");
	jstr(&b, e->ev->ts, 64);
	buf_puts(&b, ",\"elapsed_s\":");
	jnum(&b, e->elapsed);
	buf_puts(&b, ",\"operator\":");
	jstr(&b, e->ev->operator, JSON_CAP);
	buf_puts(&b, ",\"os_user\":");
	jstr(&b, e->ev->os_user, JSON_CAP);
	buf_puts(&b, ",\"host\":");
	jstr(&b, e->ev->host, JSON_CAP);
	buf_puts(&b, ",\"state\":");
	jstr(&b, e->ev->state, JSON_CAP);
	buf_puts(&b, ",\"kind\":");
	jstr(&b, e->ev->kind, JSON_CAP);
	buf_puts(&b, ",\"outcome\":");
	jstr(&b, report_event_outcome(e), JSON_CAP);
	buf_puts(&b, ",\"text\":");
	jstr(&b, text, 2000);
	buf_printf(&b, ",\"no_result\":%s,\"hash\":\"%s\",\"data\":",
	           e->no_result ? "true" : "false", hash);
	free(text);
	if (fwrite(b.p, 1, b.len, w->out) != b.len)
		w->failed = 1;
	buf_release(&b);
	if (raw_ok(e)) {
		if (fputs(e->ev->data, w->out) < 0)
			w->failed = 1;
	} else if (emit(w->out, "", cJSON_CreateObjectReference(e->data->child), "") < 0) {
		w->failed = 1; /* the timeline comes last in the pass: cleaned in place */
	}
	if (fputc('}', w->out) == EOF)
		w->failed = 1;
	return 0;
}

int report_write_json(const struct report *r, FILE *out, const struct report_opts *o)
{
	struct sinks k;
	struct report_pass pass = {action_item, diag_item, timeline_item, &k};
	static const char *const names[] = {"actions", "diagnostics"};
	int rc = 0;

	memset(&k, 0, sizeof(k));
	k.s[S_ACT].out = tmpfile();
	k.s[S_DIAG].out = tmpfile();
	k.s[S_TL].out = out; /* the bulk goes straight out; the others after it */
	if (k.s[S_ACT].out == NULL || k.s[S_DIAG].out == NULL) {
		rc = -1;
		goto out;
	}
	fprintf(out, "{\"format\":\"runbook-postmortem\",\"version\":%d,\n", FORMAT_VERSION);
	rc |= emit(out, "\"incident\":", incident(r), ",\n");
	rc |= emit(out, "\"responders\":", responders(r), ",\n");
	rc |= emit(out, "\"handoffs\":", handoffs(r), ",\n");
	rc |= emit(out, "\"sections\":", sections(r), ",\n");
	rc |= emit(out, "\"metrics\":", metrics(r), ",\n");
	rc |= emit(out, "\"counts\":", counts(r), ",\n");
	fputs("\"timeline\":[", out);
	if (rc != 0 || report_walk(r, &pass) != 0) {
		rc = -1;
		goto out;
	}
	fputs(k.s[S_TL].n ? "\n],\n" : "],\n", out);
	for (int i = S_ACT; i <= S_DIAG; i++) {
		FILE *f = k.s[i].out;

		k.s[i].out = NULL;
		fprintf(out, "\"%s\":[", names[i]);
		rc |= report_copy_tmp(f, out);
		fputs(k.s[i].n ? "\n],\n" : "],\n", out);
	}
	for (int i = 0; i < S__LAST; i++)
		rc |= k.s[i].failed ? -1 : 0;
	/* after the streamed parts: the verification ran alongside them */
	rc |= emit(out, "\"warnings\":", warnings(r), ",\n");
	rc |= emit(out, "\"integrity\":", integrity(r), ",\n");
	rc |= emit(out, "\"stamp\":", str_or_null(o != NULL ? o->stamp : NULL), "}\n");
	if (ferror(out))
		rc = -1;
out:
	for (int i = S_ACT; i <= S_DIAG; i++)
		if (k.s[i].out != NULL)
			fclose(k.s[i].out);
	return rc != 0 ? -1 : 0;
}
