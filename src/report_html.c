/*
 * report_html.c - the postmortem as one self-contained HTML file: inline CSS, the inline
 * SVG timeline (report_svg.c), no scripts, no external links, a Content-Security-Policy
 * that forbids both, print CSS for A4. Every string is cleaned and escaped.
 */
#include "report.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>

#define FLUSH_AT (64 * 1024)

static const char css[] =
        "@page{size:A4;margin:14mm 12mm 16mm 12mm}\n"
        "*{box-sizing:border-box}\n"
        "body{font:10.5pt/1.45 'DejaVu Sans',Arial,sans-serif;color:#1b1f24;margin:0 auto;"
        "max-width:1120px;padding:24px}\n"
        "h1{font-size:19pt;margin:0 0 8px}\n"
        "h2{font-size:13pt;border-bottom:1px solid #d0d7de;padding-bottom:3px;margin:22px 0 "
        "8px;"
        "break-after:avoid}\n"
        "h3{font-size:11pt;margin:14px 0 6px}\n"
        "table{border-collapse:collapse;width:100%;font-size:9pt;margin:4px 0}\n"
        "th,td{border:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top;"
        "overflow-wrap:break-word}\n"
        "td.what,td.what code{overflow-wrap:anywhere}\n"
        "th{background:#f6f8fa}\n"
        "thead{display:table-header-group}\n"
        "tr{break-inside:avoid}\n"
        "table.meta{width:auto;min-width:60%}\n"
        "table.meta th{width:9em}\n"
        "pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fa;border:1px solid "
        "#d0d7de;padding:5px 7px;font:8pt/1.35 'DejaVu Sans Mono',monospace;margin:4px 0}\n"
        "code,.mono{font-family:'DejaVu Sans Mono',monospace;font-size:8.5pt}\n"
        ".text{white-space:pre-wrap;overflow-wrap:anywhere}\n"
        ".warn{border-left:5px solid #c62828;background:#fdecea;padding:8px 12px;margin:10px 0;"
        "font-weight:bold}\n"
        ".none{color:#57606a;font-style:italic}\n"
        ".by{color:#57606a;font-size:8.5pt}\n"
        ".sev{display:inline-block;padding:0 "
        "7px;border-radius:3px;font-weight:bold;color:#fff}\n"
        ".sev-P0{background:#b71c1c}.sev-P1{background:#e65100}.sev-P2{background:#f9a825;"
        "color:#000}.sev-P3{background:#78909c}\n"
        ".ok{color:#2e7d32;font-weight:bold}.bad{color:#c62828;font-weight:bold}"
        ".neutral{font-weight:bold}"
        ".destr{color:#fff;background:#c62828;padding:0 "
        "4px;border-radius:2px;font-weight:bold}\n"
        "tr.noresult td{background:#fdecea}\n"
        "figure.picture{margin:12px 0;border:1px solid "
        "#d0d7de;padding:6px;break-inside:avoid}\n"
        "figure.picture svg{width:100%;height:auto;display:block}\n"
        "figcaption{font-size:8.5pt;color:#57606a;margin-top:4px}\n"
        "td.ts{white-space:nowrap;font-family:'DejaVu Sans Mono',monospace;font-size:8pt}\n"
        "footer{margin-top:24px;color:#57606a;font-size:8.5pt}\n"
        "@media print{body{padding:0;max-width:none;font-size:9.5pt}h2{break-after:avoid}"
        "table{font-size:8pt}pre{font-size:7pt}}\n";

struct hw {
	FILE *out;
	struct buf b;
};

static void flush(struct hw *h)
{
	if (h->b.len > 0)
		fwrite(h->b.p, 1, h->b.len, h->out);
	h->b.len = 0;
}

static void put(struct hw *h, const char *s)
{
	buf_puts(&h->b, s);
	if (h->b.len >= FLUSH_AT)
		flush(h);
}

static void putf(struct hw *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct hw *h, const char *fmt, ...)
{
	va_list ap;
	char line[1024];

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	put(h, line);
}

/* Clean, bound and escape. */
static void esc(struct hw *h, const char *raw, size_t cap)
{
	report_xml_escape(&h->b, raw, cap);
	if (h->b.len >= FLUSH_AT)
		flush(h);
}

static void sev_badge(struct hw *h, const char *sev)
{
	const char *cls = strcmp(sev, "P0") == 0 || strcmp(sev, "P1") == 0 ||
	                                  strcmp(sev, "P2") == 0 || strcmp(sev, "P3") == 0
	                          ? sev
	                          : "P3";

	putf(h, "<span class=\"sev sev-%s\">", cls);
	esc(h, sev, 16);
	put(h, "</span>");
}

static void folded(struct hw *h, const char *raw)
{
	char *text = report_fold(raw, 6, 6, 300, NULL);

	put(h, "<pre>");
	esc(h, text, (size_t)-1);
	put(h, "</pre>");
	free(text);
}

/* ---- header ---- */

static void roles(struct hw *h, unsigned r)
{
	int n = 0;

	for (const struct report_role *ro = report_roles; ro->bit; ro++)
		if (r & ro->bit)
			putf(h, "%s%s", n++ ? ", " : "", ro->text);
	if (n == 0)
		put(h, "responder");
}

static void header_rows(struct hw *h, const struct report *r)
{
	char d[64];

	putf(h, "<tr><th>Incident</th><td class=\"mono\">%s</td></tr>\n", r->id);
	put(h, "<tr><th>Flow</th><td>");
	esc(h, r->flow, 128);
	put(h, " (runbook §");
	esc(h, r->section, 32);
	put(h, ")</td></tr>\n<tr><th>Severity</th><td>");
	sev_badge(h, r->severity);
	if (r->nsev == 0)
		put(h, " unchanged");
	else
		put(h, " opened as ");
	if (r->nsev > 0)
		sev_badge(h, r->severity0);
	for (size_t i = 0; i < r->nsev; i++) {
		putf(h, "<br><span class=\"mono\">%s</span> ", r->sev[i].ts);
		esc(h, r->sev[i].from, 16);
		put(h, " → ");
		esc(h, r->sev[i].to, 16);
		put(h, " by ");
		esc(h, r->sev[i].operator, 256);
		put(h, ": ");
		esc(h, r->sev[i].reason, 512);
	}
	if (r->sev_dropped)
		putf(h, "<br>and %zu more changes", r->sev_dropped);
	put(h, "</td></tr>\n<tr><th>Status</th><td>");
	if (r->closed) {
		put(h, "closed: <b>");
		esc(h, r->end, 64);
		put(h, r->closed_by_hand ? "</b> (by hand)" : "</b> (by the flow)");
	} else {
		put(h, "<b>open</b>");
	}
	putf(h, "</td></tr>\n<tr><th>Opened</th><td><span class=\"mono\">%s</span> by ",
	     r->opened);
	esc(h, r->opener, 256);
	put(h, "</td></tr>\n<tr><th>Closed</th><td>");
	if (r->closed) {
		report_duration(r->t_close - r->t_open, d, sizeof(d));
		putf(h, "<span class=\"mono\">%s</span> by ", r->closed_ts);
		esc(h, r->closed_by, 256);
		putf(h, " (after %s)", d);
	} else {
		putf(h, "not closed (last event <span class=\"mono\">%s</span>)", r->last_ts);
	}
	put(h, "</td></tr>\n<tr><th>Lead</th><td>");
	esc(h, r->lead, 256);
	put(h, "</td></tr>\n<tr><th>Escalated</th><td>");
	if (r->escalated) {
		report_elapsed(r->t_escalated - r->t_open, d, sizeof(d));
		putf(h, "<span class=\"mono\">%s</span> (%s, ", r->escalated_ts, d);
		esc(h, r->escalated_reason, 64);
		put(h, ")");
	} else {
		put(h, "no");
	}
	put(h, "</td></tr>\n");
	if (r->dry_run)
		put(h, "<tr><th>Mode</th><td>dry run: nothing destructive ran, no alert was "
		       "posted</td></tr>\n");
}

static void responders(struct hw *h, const struct report *r)
{
	put(h,
	    "<h3>Responders</h3>\n<table><thead><tr><th>responder</th><th>role</th><th>as</th>"
	    "<th>first event</th><th>last event</th><th>events</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < r->npeople; i++) {
		const struct report_person *p = &r->people[i];

		put(h, "<tr><td>");
		esc(h, p->name, 256);
		put(h, "</td><td>");
		roles(h, p->roles);
		put(h, "</td><td>");
		for (size_t w = 0; w < p->nwhere; w++) {
			put(h, w ? ", " : "");
			esc(h, p->where[w], 320);
		}
		putf(h,
		     "</td><td class=\"ts\">%s</td><td "
		     "class=\"ts\">%s</td><td>%lld</td></tr>\n",
		     p->events ? p->first : "-", p->events ? p->last : "-", p->events);
	}
	put(h, "</tbody></table>\n");
	if (r->people_dropped)
		putf(h, "<p>%zu more responders are in the timeline.</p>\n", r->people_dropped);
	if (r->nhandoffs > 0)
		put(h, "<h3>Handoffs</h3>\n<ul>\n");
	for (size_t i = 0; i < r->nhandoffs; i++) {
		const struct report_handoff *x = &r->handoffs[i];

		putf(h, "<li><span class=\"mono\">%s</span> ", x->ts);
		esc(h, x->from, 256);
		put(h, " → <b>");
		esc(h, x->to, 256);
		put(h, "</b>");
		if (x->summary[0]) {
			put(h, ": <span class=\"text\">");
			esc(h, x->summary, REPORT_TEXT_CAP);
			put(h, "</span>");
		}
		put(h, "</li>\n");
	}
	if (r->nhandoffs > 0)
		put(h, "</ul>\n");
}

static void warnings(struct hw *h, const struct report *r)
{
	if (r->nnoresult > 0)
		putf(h,
		     "<div class=\"warn\">⚠ %zu action(s) have no recorded result — the "
		     "process "
		     "ended mid-action%s. Check what happened before trusting this report (see "
		     "Actions).</div>\n",
		     r->nnoresult, r->noresult_destructive ? " (DESTRUCTIVE)" : "");
	if (!report_verify(r)->ok)
		putf(h,
		     "<div class=\"warn\">⚠ The journal failed verification at export (first "
		     "bad seq %lld). See Integrity.</div>\n",
		     report_verify(r)->first_bad_seq);
}

static void section(struct hw *h, const struct report *r, enum report_section s)
{
	const struct report_list *l = &r->sec[s];

	putf(h, "<h2 id=\"%s\">%s</h2>\n", report_section_key(s), report_section_title(s));
	if (l->n == 0) {
		put(h, "<p class=\"none\">not recorded</p>\n");
		return;
	}
	put(h, "<ul>\n");
	for (const struct report_entry *e = l->head; e != NULL; e = e->next) {
		put(h, "<li><span class=\"text\">");
		esc(h, e->text, REPORT_TEXT_CAP + 64);
		put(h, "</span> <span class=\"by\">— ");
		esc(h, e->operator, 256);
		putf(h, ", %s, %s", e->ts, e->source);
		if (e->state[0]) {
			put(h, " at ");
			esc(h, e->state, 128);
		}
		put(h, "</span></li>\n");
	}
	if (l->dropped)
		putf(h, "<li>… and %zu more in the timeline</li>\n", l->dropped);
	put(h, "</ul>\n");
}

static void metrics(struct hw *h, const struct report *r)
{
	put(h,
	    "<h2 id=\"metrics\">Metrics</h2>\n<table><thead><tr><th>metric</th><th>value</th>"
	    "<th>until</th><th>at</th></tr></thead><tbody>\n");
	for (int i = 0; i < MET__LAST; i++) {
		const struct report_metric *x = &r->met[i];
		char d[64];

		report_duration(x->seconds, d, sizeof(d));
		putf(h, "<tr><td>%s</td><td>%s</td><td>%s</td><td class=\"ts\">%s</td></tr>\n",
		     report_metric_title(i), x->reached ? d : "not reached",
		     report_metric_until(i), x->reached ? x->ts : "-");
	}
	putf(h,
	     "</tbody></table>\n<p class=\"by\">%lld events; %lld states entered; %lld probes "
	     "(%lld failed); %lld answers; %lld intents, %lld results, %lld refused, %lld "
	     "skipped (%lld dry run); %lld alerts; %lld notes; %lld pauses.</p>\n",
	     r->events, r->states, r->probes, r->probes_failed, r->answers, r->intents,
	     r->results, r->refused, r->skipped, r->dry_runs, r->notified, r->notes, r->pauses);
}

/* ---- one pass over the events, into temporary files ---- */

enum { S_SVG, S_ACT, S_DIAG, S_TL, S__LAST };

struct sinks {
	struct hw s[S__LAST];
	struct report_svg *svg;
};

static int action_row(const struct report *r, const struct report_action *a, void *ctx)
{
	struct hw *h = &((struct sinks *)ctx)->s[S_ACT];
	const struct report_part *p = a->intent.seq ? &a->intent : &a->result;
	int nr = strcmp(a->status, "no_result") == 0;
	char *what = report_action_text(a);
	char el[32];

	(void)r;
	report_elapsed(p->elapsed, el, sizeof(el));
	putf(h, "<tr%s><td>%lld</td><td class=\"ts\">%s<br>%s</td><td>",
	     nr ? " class=\"noresult\"" : "", p->seq, p->ts, el);
	esc(h, a->state, 128);
	put(h, "</td><td class=\"what\"><code>");
	esc(h, what, 600);
	put(h, "</code></td><td>");
	put(h, a->destructive ? "<span class=\"destr\">destructive</span>" : "no");
	put(h, "</td><td>");
	if (nr) {
		put(h, "<span class=\"bad\">⚠ no result recorded — process ended</span>");
	} else {
		const char *sum = report_str(a->result.data, "summary");
		const char *why = report_str(a->result.data, "reason");

		putf(h, "<span class=\"%s\">%s</span>",
		     strcmp(a->status, "completed") == 0 ? "ok" : "bad", a->status);
		if (strcmp(a->status, "refused") == 0) {
			put(h, ": typed '");
			esc(h, report_str(a->result.data, "typed"), 128);
			put(h, "', expected '");
			esc(h, report_str(a->result.data, "expected"), 128);
			put(h, "'");
		} else if (sum != NULL || why != NULL) {
			put(h, ": ");
			esc(h, sum ? sum : why, 600);
		}
		if (a->reported_by != NULL) {
			put(h, " (reported by ");
			esc(h, a->reported_by, 256);
			put(h, " after the process ended)");
		}
		if (a->result.seq && a->intent.seq)
			putf(h, " <span class=\"by\">seq %lld, %s</span>", a->result.seq,
			     a->result.ts);
	}
	put(h, "</td><td>");
	esc(h, p->operator, 256);
	put(h, "</td></tr>\n");
	free(what);
	return 0;
}

static int diag_row(const struct report *r, const struct report_event *e, void *ctx)
{
	struct hw *h = &((struct sinks *)ctx)->s[S_DIAG];
	const char *label;
	const char *block = report_event_block(e, &label);
	const char *o = report_event_outcome(e);
	char *text = report_event_text(e);
	struct buf fig;
	char el[32];

	(void)r;
	report_elapsed(e->elapsed, el, sizeof(el));
	buf_init(&fig, 1 << 20);
	report_figures(e->data, &fig, "\n");
	putf(h, "<tr><td>%lld</td><td class=\"ts\">%s<br>%s</td><td>", e->ev->seq, e->ev->ts,
	     el);
	esc(h, e->ev->state, 128);
	putf(h, "</td><td class=\"what\"><span class=\"%s\">",
	     cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(e->data, "ok")) ? "bad" : "ok");
	esc(h, o, 64);
	put(h, "</span>: ");
	esc(h, text, 600);
	if (block != NULL)
		folded(h, block);
	put(h, "</td><td><pre>");
	esc(h, fig.p ? fig.p : "", 4000);
	put(h, "</pre></td></tr>\n");
	buf_release(&fig);
	free(text);
	return 0;
}

/* How an event's outcome is coloured: ok (green), bad (red) or neutral. */
static const char *outcome_class(const struct report_event *e, const char *o)
{
	static const char *const bad[] = {"refused",   "fail",    "failed", "timeout",
	                                  "escalated", "aborted", NULL};
	const cJSON *ok = cJSON_GetObjectItemCaseSensitive(e->data, "ok");

	if (e->no_result || cJSON_IsFalse(ok))
		return "bad";
	for (int i = 0; bad[i] != NULL; i++)
		if (strcmp(o, bad[i]) == 0)
			return "bad";
	return cJSON_IsTrue(ok) || strcmp(o, "resolved") == 0 ? "ok" : "neutral";
}

static int timeline_row(const struct report *r, const struct report_event *e, void *ctx)
{
	struct hw *h = &((struct sinks *)ctx)->s[S_TL];
	const char *label;
	const char *block = report_event_block(e, &label);
	const char *o = report_event_outcome(e);
	char *text = report_event_text(e);
	char el[32];

	(void)r;
	report_elapsed(e->elapsed, el, sizeof(el));
	putf(h, "<tr%s><td>%lld</td><td class=\"ts\">%s<br>%s</td><td>",
	     e->no_result ? " class=\"noresult\"" : "", e->ev->seq, e->ev->ts, el);
	esc(h, e->ev->operator, 256);
	put(h, "</td><td>");
	esc(h, e->ev->state, 128);
	put(h, "</td><td>");
	esc(h, e->ev->kind, 64);
	put(h, "</td><td>");
	if (*o) {
		putf(h, "<span class=\"%s\">", outcome_class(e, o));
		esc(h, o, 64);
		put(h, "</span>");
	}
	put(h, "</td><td class=\"what\">");
	esc(h, text, 600);
	if (e->no_result)
		put(h, " <span class=\"bad\">⚠ no result recorded — process ended</span>");
	if (block != NULL)
		folded(h, block);
	put(h, "</td></tr>\n");
	free(text);
	report_svg_event(((struct sinks *)ctx)->svg, e);
	return 0;
}

static void integrity(struct hw *h, const struct report *r)
{
	char last[2 * JOURNAL_HASH_LEN + 1], head[2 * JOURNAL_HASH_LEN + 1];

	hex_encode(r->last_hash, JOURNAL_HASH_LEN, last);
	hex_encode(report_verify(r)->head_hash, JOURNAL_HASH_LEN, head);
	put(h, "<h2 id=\"integrity\">Integrity</h2>\n<table class=\"meta\"><tbody>\n");
	putf(h,
	     "<tr><th>Incident's last event</th><td>seq %lld, hash <code>%s</code></td></tr>\n",
	     r->last_seq, last);
	putf(h, "<tr><th>Journal head</th><td>seq %lld, hash <code>%s</code></td></tr>\n",
	     report_verify(r)->head_seq, head);
	putf(h, "<tr><th>Chain</th><td>%s</td></tr>\n",
	     r->keyed ? "HMAC-SHA256 (keyed)" : "SHA-256");
	if (report_verify(r)->ok) {
		putf(h,
		     "<tr><th>verify at export</th><td><span class=\"ok\">ok</span> (%lld "
		     "events)</td></tr>\n",
		     report_verify(r)->events);
	} else {
		put(h, "<tr><th>verify at export</th><td><span class=\"bad\">FAILED</span>");
		if (report_verify(r)->first_bad_seq)
			putf(h, " at seq %lld", report_verify(r)->first_bad_seq);
		put(h, ": ");
		esc(h, report_verify(r)->reason, 256);
		put(h, "</td></tr>\n");
	}
	putf(h,
	     "<tr><th>Check later</th><td><code>runbook verify --head %s</code></td></tr>\n"
	     "</tbody></table>\n",
	     head);
}

/* Flush a sink, append it to out and close it; 0, or -1. */
static int sink_copy(struct hw *h, FILE *out)
{
	FILE *f = h->out;

	if (f == NULL)
		return -1;
	flush(h);
	h->out = NULL;
	return report_copy_tmp(f, out);
}

/* The streamed parts, into the sinks. */
static int stream(const struct report *r, struct sinks *k)
{
	struct report_pass pass = {action_row, diag_row, timeline_row, k};
	int rc;

	k->svg = report_svg_begin(r, k->s[S_SVG].out);
	put(&k->s[S_ACT],
	    "<table><thead><tr><th>seq</th><th>time (UTC)</th><th>state</th><th>"
	    "action</th><th>destructive</th><th>result</th><th>by</th></tr></thead>"
	    "<tbody>\n");
	put(&k->s[S_DIAG], "<table><thead><tr><th>seq</th><th>time (UTC)</th><th>state</th>"
	                   "<th>result</th><th>figures</th></tr></thead><tbody>\n");
	put(&k->s[S_TL],
	    "<table><thead><tr><th>seq</th><th>time (UTC)</th><th>who</th><th>state"
	    "</th><th>event</th><th>outcome</th><th>what</th></tr></thead><tbody>\n");
	rc = report_walk(r, &pass);
	if (report_svg_end(k->svg) != 0)
		rc = -1;
	for (int i = S_ACT; i < S__LAST; i++)
		put(&k->s[i], "</tbody></table>\n");
	return rc;
}

int report_write_html(const struct report *r, FILE *out, const struct report_opts *o)
{
	struct hw h = {out, {NULL, 0, 0, 0, 0}};
	struct sinks k;
	int rc = -1;

	memset(&k, 0, sizeof(k));
	buf_init(&h.b, 0);
	for (int i = 0; i < S__LAST; i++) {
		k.s[i].out = tmpfile();
		buf_init(&k.s[i].b, 0);
		if (k.s[i].out == NULL)
			goto out;
	}
	if (stream(r, &k) != 0)
		goto out;
	put(&h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	        "style-src 'unsafe-inline'; img-src data:\">\n<meta name=\"viewport\" "
	        "content=\"width=device-width, initial-scale=1\">\n<title>Postmortem: ");
	esc(&h, r->title, 512);
	put(&h, "</title>\n<style>\n");
	put(&h, css);
	put(&h, "</style>\n</head>\n<body>\n<header>\n<h1>Postmortem: ");
	esc(&h, r->title, 512);
	put(&h, "</h1>\n<table class=\"meta\"><tbody>\n");
	header_rows(&h, r);
	put(&h, "</tbody></table>\n</header>\n");
	warnings(&h, r);
	put(&h, "<figure class=\"picture\" id=\"picture\">\n");
	flush(&h);
	if (sink_copy(&k.s[S_SVG], out) != 0)
		goto out;
	putf(&h,
	     "<figcaption>The incident at a glance: time since opening (%s UTC). Hover a mark "
	     "for its event.</figcaption>\n</figure>\n",
	     r->opened);
	responders(&h, r);
	for (int s = SEC_SUMMARY; s <= SEC_DETECTION; s++)
		section(&h, r, s);
	metrics(&h, r);
	put(&h, "<h2 id=\"actions\">Actions</h2>\n");
	flush(&h);
	if (r->intents + r->refused + r->skipped + r->results == 0) {
		put(&h, "<p class=\"none\">none</p>\n");
	} else if (sink_copy(&k.s[S_ACT], out) != 0) {
		goto out;
	}
	put(&h, "<h2 id=\"diagnostics\">Diagnostics</h2>\n");
	flush(&h);
	if (r->probes == 0) {
		put(&h, "<p class=\"none\">no probe ran</p>\n");
	} else if (sink_copy(&k.s[S_DIAG], out) != 0) {
		goto out;
	}
	for (int s = SEC_ACTION_ITEMS; s < SEC__LAST; s++)
		section(&h, r, s);
	put(&h, "<h2 id=\"timeline\">Timeline</h2>\n<p class=\"by\">Every event of the "
	        "incident, in "
	        "journal order (UTC; elapsed since opening).</p>\n");
	flush(&h);
	if (sink_copy(&k.s[S_TL], out) != 0)
		goto out;
	integrity(&h, r);
	put(&h, "<footer>");
	if (o != NULL && o->stamp != NULL) {
		esc(&h, o->stamp, 256);
		put(&h, ". ");
	}
	put(&h, "Generated by runbook from the journal alone.</footer>\n</body>\n</html>\n");
	flush(&h);
	rc = ferror(out) ? -1 : 0;
out:
	for (int i = 0; i < S__LAST; i++) {
		if (k.s[i].out != NULL)
			fclose(k.s[i].out);
		buf_release(&k.s[i].b);
	}
	buf_release(&h.b);
	return rc;
}
