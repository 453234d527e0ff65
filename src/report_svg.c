/*
 * report_svg.c - the incident as a picture: an inline SVG timeline for the HTML report.
 *
 * One row per kind of thing on a shared time axis (time since opening): the severity
 * as coloured segments, the states as bands, probes, actions and what people did as
 * marks, and the escalation, mitigation and closing as vertical lines. Written in one
 * pass over the events; marks that would land on the same pixel column of the same
 * row and kind are drawn once, so the picture stays small whatever the journal holds.
 */
#include "report.h"

#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define VW 1000 /* viewBox width */
#define VH 232  /* viewBox height */
#define LABEL_ROWS 3
#define Y_LEGEND 204 /* the legend's first line */
#define X0 104.0     /* plot area */
#define X1 984.0
#define XC 900.0 /* with events after closing: the incident ends here ... */
#define XA 916.0 /* ... and the strip after closing starts here */
#define Y_TOP 20 /* rows span Y_TOP..Y_BOTTOM */
#define Y_BOTTOM 150
#define FLUSH_AT (64 * 1024)
#define OPEN_MAX 8

/* Rows: label, top, height. */
enum row { ROW_SEV, ROW_STATE, ROW_PROBE, ROW_ACTION, ROW_PEOPLE, ROW__LAST };
static const struct {
	const char *label;
	int y, h;
} rows[] = {
        {"severity", 24, 14}, {"states", 44, 28},  {"probes", 80, 16},
        {"actions", 104, 16}, {"people", 128, 16},
};

/* Mark classes (for the one-per-pixel rule). */
enum mark {
	M_BAND,
	M_PROBE_OK,
	M_PROBE_FAIL,
	M_INTENT,
	M_INTENT_D,
	M_RESULT_OK,
	M_RESULT_FAIL,
	M_NORESULT,
	M_REFUSED,
	M_SKIPPED,
	M_ANSWER,
	M_NOTE,
	M_PAUSE,
	M_HANDOFF,
	M_ALERT,
	M__LAST
};

static const struct {
	const char *kind, *fill;
} kind_colors[] = {
        {"probe", "#64b5f6"},  {"manual", "#b0bec5"}, {"choice", "#ba68c8"},
        {"action", "#ffb74d"}, {"wait", "#4db6ac"},   {"notify", "#ffd54f"},
        {"end", "#81c784"},
};

struct pending {
	char state[64];
	double x;
	int destructive;
};

struct report_svg {
	const struct report *r;
	FILE *out;
	struct buf b;
	double t0, span;
	double after; /* seconds of events after closing (0: none) */
	unsigned char seen[M__LAST][VW + 1];
	/* the state band being drawn */
	int band_open;
	char band_state[64], band_kind[16];
	double band_t;
	struct pending open[OPEN_MAX];
	double label_end[LABEL_ROWS]; /* right end of the last label on each line */
};

static void flush(struct report_svg *s)
{
	if (s->b.len > 0)
		fwrite(s->b.p, 1, s->b.len, s->out);
	s->b.len = 0;
}

static void put(struct report_svg *s, const char *text)
{
	buf_puts(&s->b, text);
	if (s->b.len >= FLUSH_AT)
		flush(s);
}

static void putf(struct report_svg *s, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static void putf(struct report_svg *s, const char *fmt, ...)
{
	va_list ap;
	char line[1024];

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	put(s, line);
}

/*
 * Time to x. Events after the incident closed (notes written later) get a narrow strip
 * of their own at the right, so they do not squash the incident itself.
 */
static double xof(const struct report_svg *s, double t)
{
	double x;

	if (s->after > 0 && t > s->t0 + s->span)
		x = XA + (t - s->t0 - s->span) / s->after * (X1 - XA);
	else
		x = X0 + (t - s->t0) / s->span * ((s->after > 0 ? XC : X1) - X0);
	return x < X0 ? X0 : x > X1 ? X1 : x;
}

/* First mark of this class at this pixel column? */
static int fresh(struct report_svg *s, enum mark m, double x)
{
	int col = (int)lround(x);

	if (col < 0 || col > VW || s->seen[m][col])
		return 0;
	s->seen[m][col] = 1;
	return 1;
}

/* <title> text for a mark: "seq 12 · 2026-…Z · +00:00:01.500 · what". */
static void tooltip(struct report_svg *s, const struct report_event *e, const char *what)
{
	char el[32], head[160];

	report_elapsed(e->elapsed, el, sizeof(el));
	snprintf(head, sizeof(head), "seq %lld · %s · %s · ", e->ev->seq, e->ev->ts, el);
	put(s, "<title>");
	report_xml_escape(&s->b, head, sizeof(head));
	report_xml_escape(&s->b, what, 300);
	put(s, "</title>");
}

static const char *kind_fill(const char *kind)
{
	for (size_t i = 0; i < sizeof(kind_colors) / sizeof(kind_colors[0]); i++)
		if (strcmp(kind_colors[i].kind, kind) == 0)
			return kind_colors[i].fill;
	return "#e0e0e0";
}

static const char *sev_fill(const char *sev)
{
	if (strcmp(sev, "P0") == 0)
		return "#b71c1c";
	if (strcmp(sev, "P1") == 0)
		return "#e65100";
	if (strcmp(sev, "P2") == 0)
		return "#f9a825";
	return "#78909c";
}

/* ---- the fixed parts ---- */

static double nice_step(double span)
{
	static const double steps[] = {0.5,  1,     2,     5,     10,    15,     30,
	                               60,   120,   300,   600,   900,   1800,   3600,
	                               7200, 10800, 21600, 43200, 86400, 172800, 604800};

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (span / steps[i] <= 8)
			return steps[i];
	return span / 8;
}

static void tick_label(double t, double step, char *out, size_t n)
{
	long long s = llround(t);

	if (step < 1)
		snprintf(out, n, "+%.1fs", t);
	else if (t < 3600)
		snprintf(out, n, "+%lld:%02lld", s / 60, s % 60);
	else
		snprintf(out, n, "+%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
}

static void axis(struct report_svg *s)
{
	double step = nice_step(s->span);

	put(s, "<g class=\"axis\" font-size=\"10\" fill=\"#57606a\">");
	putf(s, "<text x=\"4\" y=\"14\">elapsed</text>");
	for (int i = 0; i <= 64; i++) {
		double t = i * step;
		double x;
		char label[32];

		if (t > s->span + 1e-9)
			break;
		x = xof(s, s->t0 + t);
		tick_label(t, step, label, sizeof(label));
		putf(s,
		     "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e6e8eb\" />"
		     "<text x=\"%.1f\" y=\"14\" text-anchor=\"%s\">%s</text>",
		     x, Y_TOP, x, Y_BOTTOM, x, i == 0 ? "start" : "middle", label);
	}
	if (s->after > 0) {
		char d[32];

		report_duration(s->after, d, sizeof(d));
		putf(s,
		     "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#f6f8fa\" "
		     "/>"
		     "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#8c959f\" "
		     "stroke-dasharray=\"2 2\" /><text x=\"%.1f\" y=\"14\" "
		     "text-anchor=\"middle\">after: %s</text>",
		     XA - 4, Y_TOP, X1 - XA + 8, Y_BOTTOM - Y_TOP, XA - 8, Y_TOP, XA - 8,
		     Y_BOTTOM, (XA + X1) / 2, d);
	}
	put(s, "</g>\n<g font-size=\"10\" fill=\"#24292f\">");
	for (int i = 0; i < ROW__LAST; i++)
		putf(s, "<text x=\"4\" y=\"%d\">%s</text>", rows[i].y + rows[i].h / 2 + 4,
		     rows[i].label);
	put(s, "</g>\n");
}

static void severity_row(struct report_svg *s)
{
	const struct report *r = s->r;
	double t_end = s->t0 + s->span;
	const char *cur = r->severity0;
	double from = s->t0;

	put(s, "<g class=\"severity\" font-size=\"10\" font-weight=\"bold\">");
	for (size_t i = 0; i <= r->nsev; i++) {
		double to = i < r->nsev ? r->sev[i].t : t_end;
		double x0 = xof(s, from), x1 = xof(s, to);
		double w = x1 - x0 < 1 ? 1 : x1 - x0;

		putf(s,
		     "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
		     "fill=\"%s\"><title>",
		     x0, rows[ROW_SEV].y, w, rows[ROW_SEV].h, sev_fill(cur));
		report_xml_escape(&s->b, cur, 16);
		put(s, i > 0 ? " (changed)" : " (at opening)");
		put(s, "</title></rect>");
		if (w > 22) {
			putf(s, "<text x=\"%.1f\" y=\"%d\" fill=\"#fff\">", x0 + 4,
			     rows[ROW_SEV].y + 11);
			report_xml_escape(&s->b, i > 0 ? r->sev[i - 1].to : cur, 16);
			if (i > 0 && w > 70) {
				put(s, " (was ");
				report_xml_escape(&s->b, r->sev[i - 1].from, 16);
				put(s, ")");
			}
			put(s, "</text>");
		}
		if (i < r->nsev) {
			cur = r->sev[i].to;
			from = to;
			putf(s,
			     "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
			     "stroke=\"#000\" "
			     "stroke-width=\"2\" />",
			     xof(s, to), rows[ROW_SEV].y - 2, xof(s, to),
			     rows[ROW_SEV].y + rows[ROW_SEV].h + 2);
		}
	}
	put(s, "</g>\n");
}

/* ---- the streamed parts ---- */

static void band_close(struct report_svg *s, double t_end)
{
	double x0, x1, w;
	char dur[32], what[160];

	if (!s->band_open)
		return;
	s->band_open = 0;
	x0 = xof(s, s->band_t);
	x1 = xof(s, t_end);
	w = x1 - x0;
	if (w < 2)
		w = 2;
	if (!fresh(s, M_BAND, x0) && w < 2.5)
		return;
	report_duration(t_end - s->band_t, dur, sizeof(dur));
	putf(s,
	     "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" "
	     "stroke=\"#fff\" stroke-width=\"0.8\"><title>",
	     x0, rows[ROW_STATE].y, w, rows[ROW_STATE].h, kind_fill(s->band_kind));
	snprintf(what, sizeof(what), "%s (%s) for %s", s->band_state, s->band_kind, dur);
	report_xml_escape(&s->b, what, sizeof(what));
	put(s, "</title></rect>");
	if (w > 6.3 * (double)strlen(s->band_state) + 6) {
		putf(s, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"#102a43\">", x0 + 3,
		     rows[ROW_STATE].y + 18);
		report_xml_escape(&s->b, s->band_state, 64);
		put(s, "</text>");
	}
}

/* Draw a mark shape centred at (x, row middle). */
static void shape(struct report_svg *s, enum mark m, double x, int row,
                  const struct report_event *e, const char *what)
{
	double y = rows[row].y + rows[row].h / 2.0;

	if (!fresh(s, m, x))
		return;
	put(s, "<g>");
	switch (m) {
	case M_PROBE_OK:
		putf(s, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"#2e7d32\" />", x, y);
		break;
	case M_PROBE_FAIL:
		putf(s, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"#ef6c00\" />", x, y);
		break;
	case M_INTENT:
	case M_INTENT_D:
		putf(s,
		     "<path d=\"M%.1f %.1fl6 6l-6 6l-6 -6z\" fill=\"%s\" stroke=\"#000\" "
		     "stroke-width=\"0.6\" />",
		     x, y - 6, m == M_INTENT_D ? "#c62828" : "#1565c0");
		break;
	case M_RESULT_OK:
	case M_RESULT_FAIL:
		putf(s,
		     "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#fff\" stroke=\"%s\" "
		     "stroke-width=\"2.2\" />",
		     x, y, m == M_RESULT_OK ? "#2e7d32" : "#c62828");
		break;
	case M_NORESULT:
		putf(s,
		     "<path d=\"M%.1f %.1fl7 13h-14z\" fill=\"#fff\" stroke=\"#c62828\" "
		     "stroke-width=\"2\" /><text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" "
		     "font-weight=\"bold\" fill=\"#c62828\" text-anchor=\"middle\">!</text>",
		     x, y - 7, x, y + 5);
		break;
	case M_REFUSED:
		putf(s,
		     "<path d=\"M%.1f %.1fl10 10m0 -10l-10 10\" stroke=\"#000\" "
		     "stroke-width=\"2.4\" />",
		     x - 5, y - 5);
		break;
	case M_SKIPPED:
		putf(s,
		     "<path d=\"M%.1f %.1fl6 6l-6 6l-6 -6z\" fill=\"#fff\" stroke=\"#78909c\" "
		     "stroke-width=\"1.6\" stroke-dasharray=\"2 1.5\" />",
		     x, y - 6);
		break;
	case M_ANSWER:
		putf(s, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#8e24aa\" />", x, y);
		break;
	case M_NOTE:
		putf(s,
		     "<rect x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"8\" fill=\"#607d8b\" />",
		     x - 4, y - 4);
		break;
	case M_PAUSE:
		putf(s,
		     "<path d=\"M%.1f %.1fv10m4 -10v10\" stroke=\"#607d8b\" stroke-width=\"2\" "
		     "/>",
		     x - 2, y - 5);
		break;
	case M_HANDOFF:
		putf(s, "<path d=\"M%.1f %.1fl10 6l-10 6z\" fill=\"#00838f\" />", x - 5, y - 6);
		break;
	case M_ALERT:
		putf(s,
		     "<rect x=\"%.1f\" y=\"%.1f\" width=\"9\" height=\"9\" fill=\"#ffb300\" "
		     "stroke=\"#6d4c00\" transform=\"rotate(45 %.1f %.1f)\" />",
		     x - 4.5, y - 4.5, x, y);
		break;
	default:
		break;
	}
	tooltip(s, e, what);
	put(s, "</g>");
}

/*
 * A vertical line across the rows with its label below, on the first of LABEL_ROWS
 * label lines where it does not overlap an earlier label (else it is not drawn).
 */
static void vline(struct report_svg *s, double t, const char *color, const char *dash,
                  const char *label)
{
	double x = xof(s, t);
	double w = 6.2 * (double)strlen(label);
	double left = x - w / 2, ly;
	const char *anchor = "middle";
	int row;

	if (left + w > VW - 2) {
		left = x - w;
		anchor = "end";
	}
	for (row = 0; row < LABEL_ROWS && s->label_end[row] > left - 6; row++)
		;
	putf(s,
	     "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" "
	     "stroke-width=\"2\" stroke-dasharray=\"%s\" />",
	     x, Y_TOP, x, Y_BOTTOM, color, dash);
	if (row == LABEL_ROWS)
		return;
	s->label_end[row] = left + w;
	ly = Y_BOTTOM + 12 + 11 * row;
	putf(s,
	     "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
	     "stroke-width=\"1\" stroke-dasharray=\"1 2\" />"
	     "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" font-weight=\"bold\" fill=\"%s\" "
	     "text-anchor=\"%s\">",
	     x, Y_BOTTOM, x, ly - 9, color, x, ly, color, anchor);
	report_xml_escape(&s->b, label, 80);
	put(s, "</text>");
}

static int pending_find(struct report_svg *s, const char *state)
{
	for (int i = 0; i < OPEN_MAX; i++)
		if (s->open[i].state[0] && strcmp(s->open[i].state, state) == 0)
			return i;
	return -1;
}

static void on_action(struct report_svg *s, const struct report_event *e, double x,
                      const char *what)
{
	const char *k = e->ev->kind;
	int destructive =
	        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e->data, "destructive"));
	int i = pending_find(s, e->ev->state);

	if (strcmp(k, "action.intent") == 0) {
		if (i < 0)
			for (i = 0; i < OPEN_MAX && s->open[i].state[0]; i++)
				;
		if (i == OPEN_MAX)
			i = 0;
		snprintf(s->open[i].state, sizeof(s->open[i].state), "%s", e->ev->state);
		s->open[i].x = x;
		s->open[i].destructive = destructive;
		if (e->no_result) {
			double xe = xof(s, s->t0 + s->span);

			putf(s,
			     "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			     "stroke=\"#c62828\" stroke-width=\"2\" stroke-dasharray=\"4 3\" "
			     "/>",
			     x, rows[ROW_ACTION].y + 8.0, xe, rows[ROW_ACTION].y + 8.0);
			shape(s, M_NORESULT, x, ROW_ACTION, e, what);
			s->open[i].state[0] = '\0';
			return;
		}
		shape(s, destructive ? M_INTENT_D : M_INTENT, x, ROW_ACTION, e, what);
	} else if (strcmp(k, "action.result") == 0) {
		int ok = !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(e->data, "ok"));

		if (i >= 0) {
			if (x - s->open[i].x > 1)
				putf(s,
				     "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
				     "stroke=\"%s\" stroke-width=\"3\" />",
				     s->open[i].x, rows[ROW_ACTION].y + 8.0, x,
				     rows[ROW_ACTION].y + 8.0,
				     s->open[i].destructive ? "#c62828" : "#1565c0");
			s->open[i].state[0] = '\0';
		}
		shape(s, ok ? M_RESULT_OK : M_RESULT_FAIL, x, ROW_ACTION, e, what);
	} else if (strcmp(k, "action.refused") == 0) {
		shape(s, M_REFUSED, x, ROW_ACTION, e, what);
	} else if (strcmp(k, "action.skipped") == 0) {
		shape(s, M_SKIPPED, x, ROW_ACTION, e, what);
	}
}

void report_svg_event(struct report_svg *s, const struct report_event *e)
{
	const char *k = e->ev->kind;
	double x = xof(s, e->t);
	char *what = report_event_text(e);
	char label[96];

	if (strcmp(k, "state.entered") == 0) {
		const char *kind = report_str(e->data, "kind");

		band_close(s, e->t);
		s->band_open = 1;
		s->band_t = e->t;
		snprintf(s->band_state, sizeof(s->band_state), "%s", e->ev->state);
		snprintf(s->band_kind, sizeof(s->band_kind), "%s", kind ? kind : "");
	} else if (strcmp(k, "probe.result") == 0) {
		int ok = !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(e->data, "ok"));

		shape(s, ok ? M_PROBE_OK : M_PROBE_FAIL, x, ROW_PROBE, e, what);
	} else if (strncmp(k, "action.", 7) == 0) {
		on_action(s, e, x, what);
	} else if (strcmp(k, "prompt.answered") == 0) {
		shape(s, M_ANSWER, x, ROW_PEOPLE, e, what);
	} else if (strcmp(k, "note") == 0) {
		shape(s, report_str(e->data, "pause") ? M_PAUSE : M_NOTE, x, ROW_PEOPLE, e,
		      what);
	} else if (strcmp(k, "handoff") == 0) {
		shape(s, M_HANDOFF, x, ROW_PEOPLE, e, what);
	} else if (strncmp(k, "notify.", 7) == 0) {
		shape(s, M_ALERT, x, ROW_PEOPLE, e, what);
	} else if (strcmp(k, "incident.escalated") == 0) {
		snprintf(label, sizeof(label), "escalated (%s)",
		         report_str(e->data, "reason") ? report_str(e->data, "reason") : "?");
		vline(s, e->t, "#c62828", "6 3", label);
	} else if (strcmp(k, "incident.mitigated") == 0) {
		vline(s, e->t, "#2e7d32", "3 3", "mitigated");
	} else if (strcmp(k, "incident.closed") == 0) {
		band_close(s, e->t);
		snprintf(label, sizeof(label), "closed: %s",
		         report_str(e->data, "end") ? report_str(e->data, "end") : "?");
		vline(s, e->t, "#24292f", "none", label);
	}
	free(what);
}

/* ---- the legend ---- */

static void legend(struct report_svg *s)
{
	static const struct {
		const char *label;
		const char *svg; /* drawn at (0,0), about 12x12 */
	} marks[] = {
	        {"probe ok", "<circle cx=\"6\" cy=\"6\" r=\"5\" fill=\"#2e7d32\" />"},
	        {"probe failed", "<circle cx=\"6\" cy=\"6\" r=\"5\" fill=\"#ef6c00\" />"},
	        {"action", "<path d=\"M6 0l6 6l-6 6l-6 -6z\" fill=\"#1565c0\" />"},
	        {"destructive", "<path d=\"M6 0l6 6l-6 6l-6 -6z\" fill=\"#c62828\" />"},
	        {"result ok/failed", "<circle cx=\"6\" cy=\"6\" r=\"4\" fill=\"#fff\" "
	                             "stroke=\"#2e7d32\" stroke-width=\"2.2\" />"},
	        {"no result", "<path d=\"M6 0l6 12h-12z\" fill=\"#fff\" stroke=\"#c62828\" "
	                      "stroke-width=\"2\" />"},
	        {"refused", "<path d=\"M1 1l10 10m0 -10l-10 10\" stroke=\"#000\" "
	                    "stroke-width=\"2.4\" />"},
	        {"skipped / dry run", "<path d=\"M6 0l6 6l-6 6l-6 -6z\" fill=\"#fff\" "
	                              "stroke=\"#78909c\" stroke-width=\"1.6\" "
	                              "stroke-dasharray=\"2 1.5\" />"},
	        {"answer", "<circle cx=\"6\" cy=\"6\" r=\"4\" fill=\"#8e24aa\" />"},
	        {"note", "<rect x=\"2\" y=\"2\" width=\"8\" height=\"8\" fill=\"#607d8b\" />"},
	        {"handoff", "<path d=\"M1 0l10 6l-10 6z\" fill=\"#00838f\" />"},
	        {"alert", "<rect x=\"1.5\" y=\"1.5\" width=\"9\" height=\"9\" fill=\"#ffb300\" "
	                  "transform=\"rotate(45 6 6)\" />"},
	};
	double x = 4;

	put(s, "<g class=\"legend\" font-size=\"10\" fill=\"#24292f\">");
	for (size_t i = 0; i < sizeof(kind_colors) / sizeof(kind_colors[0]); i++) {
		putf(s,
		     "<rect x=\"%.1f\" y=\"%d\" width=\"14\" height=\"10\" fill=\"%s\" />"
		     "<text x=\"%.1f\" y=\"%d\">%s</text>",
		     x, Y_LEGEND, kind_colors[i].fill, x + 18, Y_LEGEND + 9,
		     kind_colors[i].kind);
		x += 26 + 6.2 * (double)strlen(kind_colors[i].kind) + 10;
	}
	putf(s,
	     "<g transform=\"translate(0 %d)\"><line x1=\"620\" y1=\"5\" x2=\"640\" y2=\"5\" "
	     "stroke=\"#c62828\" stroke-width=\"2\" stroke-dasharray=\"6 3\" /><text x=\"644\" "
	     "y=\"9\">escalated</text><line x1=\"710\" y1=\"5\" x2=\"730\" y2=\"5\" "
	     "stroke=\"#2e7d32\" stroke-width=\"2\" stroke-dasharray=\"3 3\" /><text x=\"734\" "
	     "y=\"9\">mitigated</text><line x1=\"800\" y1=\"5\" x2=\"820\" y2=\"5\" "
	     "stroke=\"#24292f\" stroke-width=\"2\" /><text x=\"824\" "
	     "y=\"9\">closed</text></g>",
	     Y_LEGEND);
	x = 4;
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		putf(s,
		     "<g transform=\"translate(%.1f %d)\">%s</g><text x=\"%.1f\" y=\"%d\">%s"
		     "</text>",
		     x, Y_LEGEND + 17, marks[i].svg, x + 16, Y_LEGEND + 27, marks[i].label);
		x += 24 + 5.6 * (double)strlen(marks[i].label) + 6;
	}
	put(s, "</g>\n");
}

struct report_svg *report_svg_begin(const struct report *r, FILE *out)
{
	struct report_svg *s = xcalloc(1, sizeof(*s));
	double t_end = r->closed && r->t_close > r->t_last ? r->t_close : r->t_last;

	s->r = r;
	s->out = out;
	buf_init(&s->b, 0);
	s->t0 = r->t_open;
	s->span = t_end - r->t_open;
	if (r->closed && r->t_last > r->t_close + 0.001) {
		s->span = r->t_close - r->t_open;
		s->after = r->t_last - r->t_close;
	}
	if (!(s->span >= 1))
		s->span = 1;
	putf(s,
	     "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" role=\"img\" "
	     "aria-label=\"incident timeline\" font-family=\"DejaVu Sans, Arial, "
	     "sans-serif\">\n"
	     "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#fff\" />\n",
	     VW, VH, VW, VH);
	axis(s);
	severity_row(s);
	put(s, "<g class=\"events\">\n");
	return s;
}

int report_svg_end(struct report_svg *s)
{
	const struct report *r = s->r;
	int rc;

	band_close(s, r->closed && r->t_close > r->t_last ? r->t_close : r->t_last);
	put(s, "</g>\n");
	legend(s);
	put(s, "</svg>\n");
	flush(s);
	rc = ferror(s->out) ? -1 : 0;
	buf_release(&s->b);
	free(s);
	return rc;
}

static int svg_cb(const struct report *r, const struct report_event *e, void *ctx)
{
	(void)r;
	report_svg_event(ctx, e);
	return 0;
}

int report_write_svg(const struct report *r, FILE *out)
{
	struct report_svg *s = report_svg_begin(r, out);
	int rc = report_each(r, NULL, svg_cb, s);

	return report_svg_end(s) != 0 || rc != 0 ? -1 : 0;
}
