/*
 * report_text.c - the words of a postmortem: safe text (valid UTF-8, no control
 * characters, bounded), folded output, durations, and what each kind of event says.
 */
#include "report.h"

#include "util.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

/* Length of the valid UTF-8 sequence at p (n bytes left) with its code point, or 0. */
static size_t utf8_seq(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t c;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		len = 2;
		c = p[0] & 0x1F;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		len = 3;
		c = p[0] & 0x0F;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		len = 4;
		c = p[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3F);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* Code points that must not reach a report: controls, C1, bidirectional overrides. */
static int unsafe(uint32_t c)
{
	return (c < 0x20 && c != '\n' && c != '\t') || c == 0x7F || (c >= 0x80 && c < 0xA0) ||
	       (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF;
}

/*
 * Append n bytes at p to b cleaned (see report_clean), at most cap bytes of them; a
 * longer text ends with the truncation marker. The core of report_clean/report_fold.
 */
static void clean_into(struct buf *b, const unsigned char *p, size_t n, size_t cap)
{
	size_t i = 0, len = 0;
	int cut = 0;

	while (i < n) {
		uint32_t c = 0;
		size_t run = i, seq;

		/* the common case: a run of printable ASCII */
		while (run < n && p[run] >= 0x20 && p[run] < 0x7F)
			run++;
		if (run > i) {
			size_t take = run - i;

			if (len + take > cap) {
				take = cap - len;
				cut = 1;
			}
			buf_append(b, p + i, take);
			len += take;
			i += take;
			if (cut)
				break;
			continue;
		}
		seq = utf8_seq(p + i, n - i, &c);
		if (seq != 0 && c == '\r') {
			i += seq;
			continue;
		}
		if (seq == 0 || unsafe(c)) {
			if (len + 3 > cap) {
				cut = 1;
				break;
			}
			buf_append(b, REPLACEMENT, 3);
			len += 3;
			i += seq != 0 ? seq : 1;
			continue;
		}
		if (len + seq > cap) {
			cut = 1;
			break;
		}
		buf_append(b, p + i, seq);
		len += seq;
		i += seq;
	}
	if (cut)
		buf_printf(b, " … [truncated: %zu bytes in all]", n);
}

char *report_clean(const char *s, size_t cap)
{
	const char *p = s != NULL ? s : "";
	size_t n = strlen(p);
	struct buf b;

	buf_init(&b, 0);
	b.cap = (n <= cap / 3 ? 3 * n : cap) + 96;
	b.p = xmalloc(b.cap);
	b.p[0] = '\0';
	clean_into(&b, (const unsigned char *)p, n, cap);
	return buf_detach(&b);
}

/* Append the line [s, e) cleaned and cut at cap, then a newline. */
static void fold_line(struct buf *b, const char *s, const char *e, size_t cap)
{
	clean_into(b, (const unsigned char *)s, (size_t)(e - s), cap);
	buf_append(b, "\n", 1);
}

char *report_fold(const char *s, int head, int tail, size_t line_cap, long *nlines)
{
	const char *p = s != NULL ? s : "";
	const char *end = p + strlen(p);
	long lines = 0, skip_to, i = 0;
	struct buf b;

	while (end > p && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	if (end > p) {
		lines = 1;
		for (const char *q = p; q < end; q++)
			lines += *q == '\n';
	}
	if (nlines != NULL)
		*nlines = lines;
	buf_init(&b, 0);
	buf_append(&b, "", 0);
	skip_to = lines > head + tail ? lines - tail : head;
	for (const char *q = p; i < lines; i++) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		const char *le = nl != NULL ? nl : end;

		if (i < head || i >= skip_to)
			fold_line(&b, q, le, line_cap);
		else if (i == head)
			buf_printf(&b, "… %ld lines folded …\n", skip_to - head);
		if (nl == NULL)
			break;
		q = nl + 1;
	}
	if (b.len > 0 && b.p[b.len - 1] == '\n')
		b.p[--b.len] = '\0';
	return buf_detach(&b);
}

void report_xml_escape(struct buf *b, const char *raw, size_t cap)
{
	char *clean = report_clean(raw, cap);
	const char *run = clean;

	for (const char *p = clean;; p++) {
		const char *ent = NULL;

		switch (*p) {
		case '&':
			ent = "&amp;";
			break;
		case '<':
			ent = "&lt;";
			break;
		case '>':
			ent = "&gt;";
			break;
		case '"':
			ent = "&quot;";
			break;
		case '\'':
			ent = "&#39;";
			break;
		default:
			break;
		}
		if (ent == NULL && *p != '\0')
			continue;
		buf_append(b, run, (size_t)(p - run));
		if (*p == '\0')
			break;
		buf_puts(b, ent);
		run = p + 1;
	}
	free(clean);
}

void report_elapsed(double seconds, char *out, size_t outlen)
{
	double a = fabs(seconds);
	long long ms = llround(a * 1000.0);

	snprintf(out, outlen, "%c%02lld:%02lld:%02lld.%03lld", seconds < 0 ? '-' : '+',
	         ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
}

void report_duration(double seconds, char *out, size_t outlen)
{
	long long s = llround(seconds);

	if (seconds < 0)
		snprintf(out, outlen, "%.1f s", seconds);
	else if (seconds < 60)
		snprintf(out, outlen, "%.1f s", seconds);
	else if (s < 3600)
		snprintf(out, outlen, "%lld min %02lld s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(out, outlen, "%lld h %02lld min", s / 3600, s / 60 % 60);
	else
		snprintf(out, outlen, "%lld d %02lld h", s / 86400, s / 3600 % 24);
}

const char *report_str(const cJSON *d, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double num(const cJSON *d, const char *key, double dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, key);

	return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

const char *report_event_outcome(const struct report_event *e)
{
	const char *k = e->ev->kind;
	const char *o = report_str(e->data, "outcome");

	if (o != NULL)
		return o;
	if (strcmp(k, "action.intent") == 0)
		return e->no_result ? "no_result" : "intent";
	if (strcmp(k, "notify.sent") == 0)
		return "sent";
	if (strcmp(k, "notify.failed") == 0)
		return "failed";
	if (strcmp(k, "notify.skipped") == 0)
		return "skipped";
	if (strcmp(k, "incident.closed") == 0 && report_str(e->data, "end") != NULL)
		return report_str(e->data, "end");
	return "";
}

/* A text fits on a timeline line: one line, at most 200 bytes. */
static int short_text(const char *s)
{
	return s != NULL && strchr(s, '\n') == NULL && strlen(s) <= 200;
}

const char *report_event_block(const struct report_event *e, const char **label)
{
	const char *k = e->ev->kind;
	const char *s;

	*label = "output";
	if ((s = report_str(e->data, "output")) != NULL && *s != '\0')
		return s;
	*label = "body";
	if ((s = report_str(e->data, "body")) != NULL && *s != '\0')
		return s;
	*label = "text";
	if (strcmp(k, "note") == 0 && (s = report_str(e->data, "text")) != NULL &&
	    !short_text(s))
		return s;
	return NULL;
}

/* ", a, b" from a string array (at most 8 items). */
static void list_items(struct buf *b, const cJSON *arr)
{
	int n = 0;

	for (const cJSON *v = arr ? arr->child : NULL; v != NULL; v = v->next) {
		if (!cJSON_IsString(v))
			continue;
		if (n++ == 8) {
			buf_puts(b, ", …");
			break;
		}
		buf_printf(b, "%s%s", n > 1 ? ", " : "", v->valuestring);
	}
}

static void text_state(struct buf *b, const struct report_event *e)
{
	const char *sug = report_str(e->data, "suggested");

	buf_printf(b, "entered %s (%s, step %.0f)", e->ev->state,
	           report_str(e->data, "kind") ? report_str(e->data, "kind") : "?",
	           num(e->data, "step", 0));
	if (sug != NULL)
		buf_printf(b, "; suggests %s: %s", sug,
		           report_str(e->data, "reason") ? report_str(e->data, "reason") : "");
}

static void text_answer(struct buf *b, const struct report_event *e)
{
	const cJSON *d = e->data;
	const char *src = report_str(d, "source");
	const char *note = report_str(d, "note");

	/* a typed note answers "done" (the outcome); the note is said after */
	buf_printf(b, "answered %s",
	           note != NULL && report_str(d, "outcome") ? report_str(d, "outcome")
	           : report_str(d, "answer")                ? report_str(d, "answer")
	                                                    : "?");
	if (report_str(d, "about") != NULL)
		buf_printf(b, " about the %s", report_str(d, "about"));
	if (src != NULL)
		buf_printf(b, " (%s)", strcmp(src, "answer") == 0 ? "--answer" : src);
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "fallback")))
		buf_printf(b, "; by hand: %s",
		           report_str(d, "missing") ? report_str(d, "missing")
		                                    : "cannot run here");
	if (note != NULL)
		buf_printf(b, "; note: %s", note);
	if (report_str(d, "followup") != NULL)
		buf_printf(b, "; follow-up: %s", report_str(d, "followup"));
}

static void text_intent(struct buf *b, const struct report_event *e)
{
	const cJSON *d = e->data;
	const char *what =
	        report_str(d, "command") ? report_str(d, "command") : report_str(d, "sql");

	buf_printf(b, "will run: %s", what ? what : e->ev->state);
	if (report_str(d, "target") != NULL)
		buf_printf(b, " on %s '%s'",
		           report_str(d, "target_kind") ? report_str(d, "target_kind")
		                                        : "target",
		           report_str(d, "target"));
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "destructive")))
		buf_puts(b, "; DESTRUCTIVE");
	if (report_str(d, "confirmed_with") != NULL)
		buf_printf(b, ", confirmed (%s)", report_str(d, "confirmed_with"));
	if (e->no_result)
		buf_puts(b, "; NO RESULT RECORDED — process ended");
}

static void text_note(struct buf *b, const struct report_event *e)
{
	const cJSON *d = e->data;
	const char *text = report_str(d, "text");

	if (report_str(d, "pause") != NULL) {
		buf_printf(b, "paused: %s at '%s'", report_str(d, "pause"),
		           report_str(d, "waiting_for") ? report_str(d, "waiting_for") : "");
		if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(d, "options")) > 0) {
			buf_puts(b, " (options: ");
			list_items(b, cJSON_GetObjectItemCaseSensitive(d, "options"));
			buf_puts(b, ")");
		}
		return;
	}
	if (report_str(d, "kind") != NULL)
		buf_printf(b, "note [%s]", report_str(d, "kind"));
	else
		buf_puts(b, "note");
	if (short_text(text))
		buf_printf(b, ": %s", text);
	else if (text != NULL)
		buf_puts(b, " (below)");
}

static void text_closed(struct buf *b, const struct report_event *e)
{
	const cJSON *d = e->data;
	const char *by = report_str(d, "by");

	buf_printf(b, "closed: %s", report_str(d, "end") ? report_str(d, "end") : "?");
	if (by != NULL && strcmp(by, "operator") == 0)
		buf_printf(b, " by %s", e->ev->operator);
	if (report_str(d, "root_cause") != NULL)
		buf_printf(b, "; root cause: %s", report_str(d, "root_cause"));
	if (report_str(d, "reason") != NULL)
		buf_printf(b, "; reason: %s", report_str(d, "reason"));
}

static void text_escalated(struct buf *b, const struct report_event *e)
{
	const cJSON *d = e->data;
	const char *why = report_str(d, "reason");

	if (why != NULL && strcmp(why, "timer") == 0)
		buf_printf(b, "escalated: still open after %g min (timer)",
		           num(d, "after_min", 0));
	else
		buf_printf(b, "escalated (%s)", why ? why : "?");
	if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(d, "posted")))
		buf_puts(b, "; alert not posted");
}

char *report_event_text(const struct report_event *e)
{
	const cJSON *d = e->data;
	const char *k = e->ev->kind;
	const char *sum = report_str(d, "summary");
	struct buf b;

	buf_init(&b, 1 << 20);
	buf_append(&b, "", 0);
	if (strcmp(k, "incident.opened") == 0) {
		buf_printf(&b, "opened \"%s\" (severity %s, runbook §%s)",
		           report_str(d, "title") ? report_str(d, "title") : "",
		           report_str(d, "severity") ? report_str(d, "severity") : "?",
		           report_str(d, "section") ? report_str(d, "section") : "?");
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "dry_run")))
			buf_puts(&b, "; dry run");
	} else if (strcmp(k, "state.entered") == 0) {
		text_state(&b, e);
	} else if (strcmp(k, "probe.result") == 0) {
		if (num(d, "attempt", 0) > 0)
			buf_printf(&b, "attempt %.0f: ", num(d, "attempt", 0));
		buf_puts(&b, sum ? sum : report_event_outcome(e));
	} else if (strcmp(k, "prompt.answered") == 0) {
		text_answer(&b, e);
	} else if (strcmp(k, "action.intent") == 0) {
		text_intent(&b, e);
	} else if (strcmp(k, "action.result") == 0) {
		buf_puts(&b, sum ? sum : report_event_outcome(e));
		if (report_str(d, "reported_by") != NULL)
			buf_printf(&b, " (reported by %s)", report_str(d, "reported_by"));
	} else if (strcmp(k, "action.refused") == 0) {
		buf_printf(&b, "refused: typed '%s', expected '%s'",
		           report_str(d, "typed") ? report_str(d, "typed") : "",
		           report_str(d, "expected") ? report_str(d, "expected") : "");
	} else if (strcmp(k, "action.skipped") == 0) {
		if (report_str(d, "would_run") != NULL)
			buf_printf(&b, "dry run: would run %s", report_str(d, "would_run"));
		else
			buf_printf(&b, "skipped: %s",
			           report_str(d, "reason") ? report_str(d, "reason") : "");
	} else if (strcmp(k, "note") == 0) {
		text_note(&b, e);
	} else if (strcmp(k, "handoff") == 0) {
		buf_printf(&b, "lead handed from %s to %s",
		           report_str(d, "from") ? report_str(d, "from") : e->ev->operator,
		           report_str(d, "to") ? report_str(d, "to") : "?");
		if (report_str(d, "summary") != NULL)
			buf_printf(&b, ": %s", report_str(d, "summary"));
	} else if (strcmp(k, "severity.changed") == 0) {
		buf_printf(&b, "severity %s → %s: %s",
		           report_str(d, "from") ? report_str(d, "from") : "?",
		           report_str(d, "to") ? report_str(d, "to") : "?",
		           report_str(d, "reason") ? report_str(d, "reason") : "");
	} else if (strcmp(k, "notify.sent") == 0) {
		buf_printf(&b, "alert posted to %s",
		           report_str(d, "channel") && *report_str(d, "channel")
		                   ? report_str(d, "channel")
		                   : "the alert channel");
	} else if (strcmp(k, "notify.failed") == 0) {
		buf_printf(&b, "alert NOT delivered: %s",
		           report_str(d, "error") ? report_str(d, "error") : "?");
	} else if (strcmp(k, "notify.skipped") == 0) {
		buf_printf(&b, "alert not posted: %s",
		           report_str(d, "reason") ? report_str(d, "reason") : "");
	} else if (strcmp(k, "incident.escalated") == 0) {
		text_escalated(&b, e);
	} else if (strcmp(k, "incident.mitigated") == 0) {
		buf_printf(&b, "mitigated: '%s' passed",
		           report_str(d, "by") ? report_str(d, "by") : e->ev->state);
	} else if (strcmp(k, "incident.closed") == 0) {
		text_closed(&b, e);
	} else {
		buf_puts(&b, sum ? sum : report_str(d, "text") ? report_str(d, "text") : "");
	}
	return buf_detach(&b);
}

/* Bytes of s to keep for at most max bytes, on a UTF-8 character boundary. */
static size_t cut_utf8(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

static void figure_value(struct buf *b, const cJSON *v)
{
	if (cJSON_IsString(v)) {
		size_t n = cut_utf8(v->valuestring, 120);

		buf_append(b, v->valuestring, n);
		if (v->valuestring[n] != '\0')
			buf_puts(b, "…");
	} else if (cJSON_IsNumber(v)) {
		double x = v->valuedouble;

		if (fabs(x) < 1e15 && x == floor(x))
			buf_printf(b, "%.0f", x);
		else
			buf_printf(b, "%g", x);
	} else if (cJSON_IsBool(v)) {
		buf_puts(b, cJSON_IsTrue(v) ? "true" : "false");
	} else if (cJSON_IsArray(v)) {
		int n = 0;

		buf_puts(b, "[");
		for (const cJSON *x = v->child; x != NULL; x = x->next) {
			if (n++ == 8) {
				buf_puts(b, ", …");
				break;
			}
			if (n > 1)
				buf_puts(b, ", ");
			if (cJSON_IsObject(x) || cJSON_IsArray(x))
				buf_puts(b, "…");
			else
				figure_value(b, x);
		}
		buf_puts(b, "]");
	} else {
		buf_puts(b, "null");
	}
}

static int skipped_key(const char *k)
{
	static const char *const skip[] = {"outcome", "ok", "summary", "output", "body", NULL};

	for (int i = 0; skip[i] != NULL; i++)
		if (strcmp(skip[i], k) == 0)
			return 1;
	return 0;
}

static void figures_at(const cJSON *d, struct buf *b, const char *sep, const char *prefix,
                       int depth, int *n)
{
	for (const cJSON *v = d ? d->child : NULL; v != NULL; v = v->next) {
		char key[256];

		if (v->string == NULL || (depth == 0 && skipped_key(v->string)))
			continue;
		snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "." : "", v->string);
		if (cJSON_IsObject(v) && depth < 3) {
			figures_at(v, b, sep, key, depth + 1, n);
			continue;
		}
		buf_printf(b, "%s%s=", (*n)++ ? sep : "", key);
		if (cJSON_IsObject(v))
			buf_puts(b, "{…}");
		else
			figure_value(b, v);
	}
}

void report_figures(const cJSON *d, struct buf *b, const char *sep)
{
	int n = 0;

	figures_at(d, b, sep, "", 0, &n);
}

char *report_action_text(const struct report_action *a)
{
	const cJSON *d = a->intent.seq ? a->intent.data : a->result.data;
	const char *what = report_str(d, "command");
	struct buf b;

	if (what == NULL)
		what = report_str(d, "sql");
	if (what == NULL)
		what = report_str(d, "would_run");
	buf_init(&b, 1 << 20);
	buf_puts(&b, what ? what : a->state);
	if (report_str(d, "target") != NULL)
		buf_printf(&b, " on %s '%s'",
		           report_str(d, "target_kind") ? report_str(d, "target_kind")
		                                        : "target",
		           report_str(d, "target"));
	return buf_detach(&b);
}

int report_copy_tmp(FILE *tmp, FILE *out)
{
	char chunk[65536];
	size_t n;
	int rc = 0;

	if (tmp == NULL)
		return -1;
	if (fflush(tmp) != 0 || ferror(tmp) || fseek(tmp, 0, SEEK_SET) != 0)
		rc = -1;
	while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), tmp)) > 0)
		if (fwrite(chunk, 1, n, out) != n)
			rc = -1;
	if (ferror(tmp))
		rc = -1;
	fclose(tmp);
	return rc;
}
