/*
 * report_md.c - the postmortem as Markdown (CommonMark/GFM), for pasting into a wiki.
 *
 * Every operator or journal string is cleaned (report_clean) and escaped: Markdown
 * punctuation gets a backslash, < > & become entities, so text renders as written and
 * never as markup or HTML. Long output goes in fenced blocks longer than any backtick
 * run inside them, folded to its first and last lines.
 */
#include "report.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>

#define FLUSH_AT (64 * 1024)

struct md {
	FILE *out;
	struct buf b;
};

static void flush(struct md *m)
{
	if (m->b.len > 0)
		fwrite(m->b.p, 1, m->b.len, m->out);
	m->b.len = 0;
	if (m->b.p != NULL)
		m->b.p[0] = '\0';
}

static void put(struct md *m, const char *s)
{
	buf_puts(&m->b, s);
	if (m->b.len >= FLUSH_AT)
		flush(m);
}

static void putf(struct md *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct md *m, const char *fmt, ...)
{
	va_list ap;
	char small[1024];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		put(m, small);
		return;
	}
	{
		char *big = xmalloc((size_t)n + 1);

		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		put(m, big);
		free(big);
	}
}

/* Characters escaped anywhere, and at the start of a line only. */
static int esc_always(unsigned char c)
{
	return c == '\\' || c == '`' || c == '*' || c == '_' || c == '[' || c == ']' ||
	       c == '#' || c == '|' || c == '~' || c == '<' || c == '>' || c == '&' ||
	       c == '\n';
}

/*
 * Escape cleaned text. inline: newlines become spaces (table cells, one-line items);
 * else they become hard breaks followed by `indent`. Runs of plain text are copied
 * whole.
 */
static void esc_clean(struct md *m, const char *s, int inline_mode, const char *indent)
{
	int line_start = !inline_mode;
	const char *run = s;
	const char *p;

	for (p = s; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (line_start && (c == ' ' || c == '\t'))
			continue;
		if (line_start && c >= '0' && c <= '9') { /* "1." would start a list */
			const char *q = p;

			while (*q >= '0' && *q <= '9')
				q++;
			line_start = 0;
			if (*q == '.' || *q == ')') {
				buf_append(&m->b, run, (size_t)(q - run));
				buf_append(&m->b, "\\", 1);
				run = q;
				p = q;
			} else {
				p = q - 1;
			}
			continue;
		}
		if (!esc_always(c) && !(line_start && strchr("-+=.", c) != NULL)) {
			line_start = 0;
			continue;
		}
		buf_append(&m->b, run, (size_t)(p - run));
		run = p + 1;
		line_start = 0;
		if (c == '\n') {
			if (inline_mode) {
				buf_puts(&m->b, " ");
			} else {
				buf_puts(&m->b, "  \n");
				buf_puts(&m->b, indent);
				line_start = 1;
			}
		} else if (c == '<') {
			buf_puts(&m->b, "&lt;");
		} else if (c == '>') {
			buf_puts(&m->b, "&gt;");
		} else if (c == '&') {
			buf_puts(&m->b, "&amp;");
		} else {
			char e[3] = {'\\', (char)c, '\0'};

			buf_puts(&m->b, e);
		}
	}
	buf_append(&m->b, run, (size_t)(p - run));
	if (m->b.len >= FLUSH_AT)
		flush(m);
}

/* Clean (bounded to cap) and escape. */
static void esc(struct md *m, const char *s, size_t cap, int inline_mode, const char *indent)
{
	char *clean = report_clean(s, cap);

	esc_clean(m, clean, inline_mode, indent);
	free(clean);
}

/* A fenced block of cleaned text, folded, each line prefixed with indent. */
static void fence(struct md *m, const char *raw, const char *indent)
{
	char *text = report_fold(raw, 6, 6, 300, NULL);
	int run = 0, longest = 0;
	char ticks[64];
	int n;

	for (const char *p = text; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	n = longest >= 3 ? longest + 1 : 3;
	if (n > (int)sizeof(ticks) - 1)
		n = (int)sizeof(ticks) - 1;
	memset(ticks, '`', (size_t)n);
	ticks[n] = '\0';
	putf(m, "%s%s\n%s", indent, ticks, indent);
	for (const char *p = text, *nl; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL) {
			buf_puts(&m->b, p);
			break;
		}
		buf_append(&m->b, p, (size_t)(nl - p + 1));
		buf_puts(&m->b, indent);
	}
	putf(m, "\n%s%s\n", indent, ticks);
	free(text);
}

/* ---- the header ---- */

static void roles(struct md *m, unsigned r)
{
	int n = 0;

	for (const struct report_role *ro = report_roles; ro->bit; ro++)
		if (r & ro->bit)
			putf(m, "%s%s", n++ ? ", " : "", ro->text);
	if (n == 0)
		put(m, "responder");
}

static void header(struct md *m, const struct report *r)
{
	char d[64];

	put(m, "# Postmortem: ");
	esc(m, r->title, 512, 1, "");
	put(m, "\n\n| | |\n|---|---|\n");
	putf(m, "| Incident | `%s` |\n| Flow | ", r->id);
	esc(m, r->flow, 128, 1, "");
	put(m, " (runbook §");
	esc(m, r->section, 32, 1, "");
	put(m, ") |\n| Severity | ");
	esc(m, r->severity, 16, 1, "");
	if (r->nsev == 0) {
		put(m, " (unchanged) |\n");
	} else {
		put(m, " (opened as ");
		esc(m, r->severity0, 16, 1, "");
		for (size_t i = 0; i < r->nsev; i++) {
			putf(m, "; %s → %s at %s by ", r->sev[i].from, r->sev[i].to,
			     r->sev[i].ts);
			esc(m, r->sev[i].operator, 256, 1, "");
			put(m, ": ");
			esc(m, r->sev[i].reason, 512, 1, "");
		}
		if (r->sev_dropped)
			putf(m, "; and %zu more", r->sev_dropped);
		put(m, ") |\n");
	}
	put(m, "| Status | ");
	if (r->closed) {
		put(m, "closed: **");
		esc(m, r->end, 64, 1, "");
		put(m, r->closed_by_hand ? "** (by hand) |\n" : "** (by the flow) |\n");
	} else {
		put(m, "**open** |\n");
	}
	putf(m, "| Opened | %s by ", r->opened);
	esc(m, r->opener, 256, 1, "");
	put(m, " |\n| Closed | ");
	if (r->closed) {
		report_duration(r->t_close - r->t_open, d, sizeof(d));
		putf(m, "%s by ", r->closed_ts);
		esc(m, r->closed_by, 256, 1, "");
		putf(m, " (after %s) |\n", d);
	} else {
		putf(m, "not closed (last event %s) |\n", r->last_ts);
	}
	put(m, "| Lead | ");
	esc(m, r->lead, 256, 1, "");
	put(m, " |\n| Escalated | ");
	if (r->escalated) {
		report_elapsed(r->t_escalated - r->t_open, d, sizeof(d));
		putf(m, "%s (%s, ", r->escalated_ts, d);
		esc(m, r->escalated_reason, 64, 1, "");
		put(m, ") |\n");
	} else {
		put(m, "no |\n");
	}
	if (r->dry_run)
		put(m, "| Mode | dry run: nothing destructive ran, no alert was posted |\n");
	put(m, "\n### Responders\n\n| responder | role | as | first event | last event | "
	       "events |\n"
	       "|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < r->npeople; i++) {
		const struct report_person *p = &r->people[i];

		put(m, "| ");
		esc(m, p->name, 256, 1, "");
		put(m, " | ");
		roles(m, p->roles);
		put(m, " | ");
		for (size_t w = 0; w < p->nwhere; w++) {
			put(m, w ? ", " : "");
			esc(m, p->where[w], 320, 1, "");
		}
		putf(m, " | %s | %s | %lld |\n", p->events ? p->first : "-",
		     p->events ? p->last : "-", p->events);
	}
	if (r->people_dropped)
		putf(m, "\n%zu more responders are in the timeline.\n", r->people_dropped);
	for (size_t i = 0; i < r->nhandoffs; i++) {
		const struct report_handoff *h = &r->handoffs[i];

		if (i == 0)
			put(m, "\nHandoffs:\n\n");
		putf(m, "- %s: ", h->ts);
		esc(m, h->from, 256, 1, "");
		put(m, " → ");
		esc(m, h->to, 256, 1, "");
		if (h->summary[0]) {
			put(m, ": ");
			esc(m, h->summary, REPORT_TEXT_CAP, 0, "  ");
		}
		put(m, "\n");
	}
}

static void warnings(struct md *m, const struct report *r)
{
	if (r->nnoresult > 0)
		putf(m,
		     "\n> **Warning: %zu action(s) have no recorded result — the process ended "
		     "mid-action%s.** Check what happened before trusting this report; see "
		     "Actions.\n",
		     r->nnoresult, r->noresult_destructive ? " (DESTRUCTIVE)" : "");
	if (!report_verify(r)->ok)
		putf(m,
		     "\n> **Warning: the journal failed verification at export (first bad seq "
		     "%lld).** See Integrity.\n",
		     report_verify(r)->first_bad_seq);
}

static void section(struct md *m, const struct report *r, enum report_section s)
{
	const struct report_list *l = &r->sec[s];

	putf(m, "\n## %s\n\n", report_section_title(s));
	if (l->n == 0) {
		put(m, "_not recorded_\n");
		return;
	}
	for (const struct report_entry *e = l->head; e != NULL; e = e->next) {
		put(m, "- ");
		esc_clean(m, e->text, 0, "  ");
		put(m, " — _");
		esc_clean(m, e->operator, 1, "");
		putf(m, ", %s, %s", e->ts, e->source);
		if (e->state[0]) {
			put(m, " at ");
			esc_clean(m, e->state, 1, "");
		}
		put(m, "_\n");
	}
	if (l->dropped)
		putf(m, "- … and %zu more in the timeline\n", l->dropped);
}

static void metrics(struct md *m, const struct report *r)
{
	put(m, "\n## Metrics\n\nFrom the event times (opened → the event named).\n\n"
	       "| metric | value | until | at |\n|---|---|---|---|\n");
	for (int i = 0; i < MET__LAST; i++) {
		const struct report_metric *x = &r->met[i];
		char d[64];

		report_duration(x->seconds, d, sizeof(d));
		putf(m, "| %s | %s | %s | %s |\n", report_metric_title(i),
		     x->reached ? d : "not reached", report_metric_until(i),
		     x->reached ? x->ts : "-");
	}
	putf(m,
	     "\n%lld events; %lld states entered; %lld probes (%lld failed); %lld answers; "
	     "%lld intents, %lld results, %lld refused, %lld skipped (%lld dry run); %lld "
	     "alerts; %lld notes; %lld pauses.\n",
	     r->events, r->states, r->probes, r->probes_failed, r->answers, r->intents,
	     r->results, r->refused, r->skipped, r->dry_runs, r->notified, r->notes, r->pauses);
}

/* ---- actions, diagnostics, timeline: one pass over the events, into temporary files ---- */

enum { S_ACT, S_DIAG, S_TL, S__LAST };

struct sinks {
	struct md s[S__LAST];
};

static int action_row(const struct report *r, const struct report_action *a, void *ctx)
{
	struct md *m = &((struct sinks *)ctx)->s[S_ACT];
	const struct report_part *p = a->intent.seq ? &a->intent : &a->result;
	char *what = report_action_text(a);
	char el[32];

	(void)r;
	report_elapsed(p->elapsed, el, sizeof(el));
	putf(m, "| %lld | %s (%s) | ", p->seq, p->ts, el);
	esc(m, a->state, 128, 1, "");
	put(m, " | ");
	esc(m, what, 600, 1, "");
	put(m, a->destructive ? " | **yes** | " : " | no | ");
	if (strcmp(a->status, "no_result") == 0) {
		put(m, "**no result recorded — process ended**");
	} else {
		const char *sum = report_str(a->result.data, "summary");
		const char *why = report_str(a->result.data, "reason");

		putf(m, "**%s**", a->status);
		if (strcmp(a->status, "refused") == 0) {
			put(m, ": typed '");
			esc(m, report_str(a->result.data, "typed"), 128, 1, "");
			put(m, "', expected '");
			esc(m, report_str(a->result.data, "expected"), 128, 1, "");
			put(m, "'");
		} else if (sum != NULL || why != NULL) {
			put(m, ": ");
			esc(m, sum ? sum : why, 600, 1, "");
		}
		if (a->reported_by != NULL) {
			put(m, " (reported by ");
			esc(m, a->reported_by, 256, 1, "");
			put(m, " after the process ended)");
		}
		if (a->result.seq && a->intent.seq)
			putf(m, " (seq %lld, %s)", a->result.seq, a->result.ts);
	}
	put(m, " | ");
	esc(m, p->operator, 256, 1, "");
	put(m, " |\n");
	free(what);
	return 0;
}

static int diag_row(const struct report *r, const struct report_event *e, void *ctx)
{
	struct md *m = &((struct sinks *)ctx)->s[S_DIAG];
	const char *label;
	const char *block = report_event_block(e, &label);
	char *text = report_event_text(e);
	struct buf fig;
	char el[32];

	(void)r;
	report_elapsed(e->elapsed, el, sizeof(el));
	buf_init(&fig, 1 << 20);
	report_figures(e->data, &fig, " · ");
	putf(m, "- **");
	esc(m, e->ev->state, 128, 1, "");
	putf(m, "** · %s (%s) · seq %lld · **", e->ev->ts, el, e->ev->seq);
	esc(m, report_event_outcome(e), 64, 1, "");
	put(m, "** — ");
	esc(m, text, 600, 1, "");
	put(m, "\n");
	if (fig.len > 0) {
		put(m, "  - figures: ");
		esc(m, fig.p, 4000, 1, "");
		put(m, "\n");
	}
	if (block != NULL) {
		putf(m, "  - %s:\n\n", label);
		fence(m, block, "    ");
		put(m, "\n");
	}
	buf_release(&fig);
	free(text);
	return 0;
}

static int timeline_row(const struct report *r, const struct report_event *e, void *ctx)
{
	struct md *m = &((struct sinks *)ctx)->s[S_TL];
	const char *label;
	const char *block = report_event_block(e, &label);
	const char *outcome = report_event_outcome(e);
	char *text = report_event_text(e);
	char el[32];

	(void)r;
	report_elapsed(e->elapsed, el, sizeof(el));
	putf(m, "- `%s` %s · ", e->ev->ts, el);
	esc(m, e->ev->operator, 256, 1, "");
	put(m, " · ");
	if (e->ev->state[0]) {
		esc(m, e->ev->state, 128, 1, "");
		put(m, " · ");
	}
	esc(m, e->ev->kind, 64, 1, "");
	if (*outcome) {
		put(m, " · **");
		esc(m, outcome, 64, 1, "");
		put(m, "**");
	}
	put(m, " — ");
	esc(m, text, 600, 1, "");
	if (e->no_result)
		put(m, " **⚠ no result recorded — process ended**");
	put(m, "\n");
	if (block != NULL && strcmp(label, "text") == 0) { /* operator text: escaped, quoted */
		char *folded = report_fold(block, 6, 6, 300, NULL);

		put(m, "\n  > ");
		esc_clean(m, folded, 0, "  > ");
		put(m, "\n\n");
		free(folded);
	} else if (block != NULL) { /* output: verbatim in a fence, where nothing renders */
		put(m, "\n");
		fence(m, block, "    ");
		put(m, "\n");
	}
	free(text);
	if (m->b.len >= FLUSH_AT)
		flush(m);
	return 0;
}

static void integrity(struct md *m, const struct report *r)
{
	char last[2 * JOURNAL_HASH_LEN + 1], head[2 * JOURNAL_HASH_LEN + 1];

	hex_encode(r->last_hash, JOURNAL_HASH_LEN, last);
	hex_encode(report_verify(r)->head_hash, JOURNAL_HASH_LEN, head);
	put(m, "\n## Integrity\n\n");
	putf(m, "- Incident's last event: seq %lld, hash `%s`\n", r->last_seq, last);
	putf(m, "- Journal head at export: seq %lld, hash `%s`\n", report_verify(r)->head_seq,
	     head);
	putf(m, "- Chain: %s\n", r->keyed ? "HMAC-SHA256 (keyed)" : "SHA-256");
	if (report_verify(r)->ok) {
		putf(m, "- `verify` at export: **ok** (%lld events)\n",
		     report_verify(r)->events);
	} else {
		putf(m, "- `verify` at export: **FAILED**");
		if (report_verify(r)->first_bad_seq)
			putf(m, " at seq %lld", report_verify(r)->first_bad_seq);
		put(m, ": ");
		esc(m, report_verify(r)->reason, 256, 1, "");
		put(m, "\n");
	}
	putf(m, "- Check later: `runbook verify --head %s`\n", head);
}

static void sink_open(struct md *m)
{
	m->out = tmpfile();
	buf_init(&m->b, 0);
}

/* Flush a sink, append it to out and close it; 0, or -1. */
static int sink_copy(struct md *m, FILE *out)
{
	FILE *f = m->out;

	if (f == NULL)
		return -1;
	flush(m);
	m->out = NULL;
	return report_copy_tmp(f, out);
}

int report_write_md(const struct report *r, FILE *out, const struct report_opts *o)
{
	struct md m = {out, {NULL, 0, 0, 0, 0}};
	struct sinks k;
	struct report_pass pass = {action_row, diag_row, timeline_row, &k};
	int rc = -1;

	memset(&k, 0, sizeof(k));
	for (int i = 0; i < S__LAST; i++)
		sink_open(&k.s[i]);
	buf_init(&m.b, 0);
	if (k.s[S_ACT].out == NULL || k.s[S_DIAG].out == NULL || k.s[S_TL].out == NULL)
		goto out;
	if (r->intents + r->refused + r->skipped + r->results > 0)
		put(&k.s[S_ACT],
		    "| seq | time (UTC) | state | action | destructive | result | by |\n"
		    "|---|---|---|---|---|---|---|\n");
	if (report_walk(r, &pass) != 0)
		goto out;
	header(&m, r);
	warnings(&m, r);
	for (int s = SEC_SUMMARY; s <= SEC_DETECTION; s++)
		section(&m, r, s);
	metrics(&m, r);
	put(&m, "\n## Actions\n\n");
	if (r->intents + r->refused + r->skipped + r->results == 0)
		put(&m, "_none_\n");
	flush(&m);
	if (sink_copy(&k.s[S_ACT], out) != 0)
		goto out;
	put(&m, "\n## Diagnostics\n\n");
	if (r->probes == 0)
		put(&m, "_no probe ran_\n");
	flush(&m);
	if (sink_copy(&k.s[S_DIAG], out) != 0)
		goto out;
	for (int s = SEC_ACTION_ITEMS; s < SEC__LAST; s++)
		section(&m, r, s);
	put(&m, "\n## Timeline\n\nEvery event of the incident, in journal order (UTC; elapsed "
	        "since "
	        "opening).\n\n");
	flush(&m);
	if (sink_copy(&k.s[S_TL], out) != 0)
		goto out;
	integrity(&m, r);
	if (o != NULL && o->stamp != NULL) {
		put(&m, "\n_");
		esc(&m, o->stamp, 256, 1, "");
		put(&m, "_\n");
	}
	put(&m, "\n_Generated by runbook from the journal alone._\n");
	flush(&m);
	rc = ferror(out) ? -1 : 0;
out:
	for (int i = 0; i < S__LAST; i++) {
		if (k.s[i].out != NULL)
			fclose(k.s[i].out);
		buf_release(&k.s[i].b);
	}
	buf_release(&m.b);
	return rc;
}
