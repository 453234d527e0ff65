/*
 * report_walk.c - passes over an incident's events for the writers, and the pairing of
 * each action.intent with its result (or with none: the process ended).
 */
#include "report_int.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>

/* ---- pairing intents with results ---- */

static void held_release(struct held *h)
{
	free(h->operator);
	free(h->state);
	cJSON_Delete(h->data);
	memset(h, 0, sizeof(*h));
}

static void part_from_held(struct report_part *p, const struct held *h)
{
	p->seq = h->seq;
	snprintf(p->ts, sizeof(p->ts), "%s", h->ts);
	p->elapsed = h->elapsed;
	p->operator= h->operator;
	p->kind = "action.intent";
	p->data = h->data;
}

static void part_from_event(struct report_part *p, const struct report_event *e)
{
	p->seq = e->ev->seq;
	snprintf(p->ts, sizeof(p->ts), "%s", e->ev->ts);
	p->elapsed = e->elapsed;
	p->operator= e->ev->operator;
	p->kind = e->ev->kind;
	p->data = e->data;
}

static int is_true(const cJSON *d, const char *key)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, key));
}

/* Emit the held intent i as one without a result, and forget it. */
static int flush_one(struct pairing *p, int i)
{
	struct report_action a;
	int rc;

	memset(&a, 0, sizeof(a));
	a.state = p->h[i].state;
	a.status = "no_result";
	a.destructive = is_true(p->h[i].data, "destructive");
	part_from_held(&a.intent, &p->h[i]);
	rc = p->cb(p->r, &a, p->ctx);
	held_release(&p->h[i]);
	return rc;
}

int report_pair_flush(struct pairing *p)
{
	int rc = 0;

	for (int i = 0; i < PENDING_MAX && rc == 0; i++)
		if (p->h[i].used)
			rc = flush_one(p, i);
	for (int i = 0; i < PENDING_MAX; i++)
		if (p->h[i].used)
			held_release(&p->h[i]);
	return rc;
}

void report_pair_release(struct pairing *p)
{
	for (int i = 0; i < PENDING_MAX; i++)
		held_release(&p->h[i]);
}

static int find_held(const struct pairing *p, const char *state)
{
	for (int i = 0; i < PENDING_MAX; i++)
		if (p->h[i].used && strcmp(p->h[i].state, state) == 0)
			return i;
	return -1;
}

static const char *result_status(const cJSON *d)
{
	const cJSON *ok = cJSON_GetObjectItemCaseSensitive(d, "ok");
	const char *o = report_str(d, "outcome");

	if (cJSON_IsBool(ok))
		return cJSON_IsTrue(ok) ? "completed" : "failed";
	return o != NULL && strcmp(o, "ok") == 0 ? "completed" : "failed";
}

/*
 * Feed one event (action.* or state.entered). An intent waits for the next result in
 * its state; another intent there, a state.entered or the end leaves it without one.
 */
int report_pair_feed(struct pairing *p, const struct report_event *e)
{
	const char *k = e->ev->kind;
	struct report_action a;
	int i;

	if (strcmp(k, "state.entered") == 0)
		return report_pair_flush(p);
	if (strncmp(k, "action.", 7) != 0)
		return 0;
	memset(&a, 0, sizeof(a));
	a.state = e->ev->state;
	i = find_held(p, e->ev->state);
	if (strcmp(k, "action.intent") == 0) {
		int rc = i >= 0 ? flush_one(p, i) : 0;

		if (rc != 0)
			return rc;
		for (i = 0; i < PENDING_MAX && p->h[i].used; i++)
			;
		if (i == PENDING_MAX) { /* never with one action at a time: make room */
			rc = flush_one(p, 0);
			if (rc != 0)
				return rc;
			i = 0;
		}
		p->h[i].used = 1;
		p->h[i].seq = e->ev->seq;
		snprintf(p->h[i].ts, sizeof(p->h[i].ts), "%s", e->ev->ts);
		p->h[i].elapsed = e->elapsed;
		p->h[i].operator= xstrdup(e->ev->operator);
		p->h[i].state = xstrdup(e->ev->state);
		p->h[i].data = cJSON_Duplicate(e->data, 1);
		return 0;
	}
	if (strcmp(k, "action.result") == 0) {
		int rc;

		a.status = result_status(e->data);
		a.reported_by = report_str(e->data, "reported_by");
		part_from_event(&a.result, e);
		if (i >= 0) {
			part_from_held(&a.intent, &p->h[i]);
			a.destructive = is_true(p->h[i].data, "destructive");
		}
		rc = p->cb(p->r, &a, p->ctx);
		if (i >= 0)
			held_release(&p->h[i]);
		return rc;
	}
	if (strcmp(k, "action.refused") == 0) {
		a.status = "refused";
	} else if (strcmp(k, "action.skipped") == 0) {
		const char *why = report_str(e->data, "reason");

		a.status = report_str(e->data, "would_run") != NULL ||
		                           (why != NULL && strcmp(why, "dry run") == 0)
		                   ? "dry_run"
		                   : "skipped";
	} else {
		return 0;
	}
	a.destructive = is_true(e->data, "destructive");
	part_from_event(&a.result, e);
	return p->cb(p->r, &a, p->ctx);
}

/* ---- passes ---- */

struct each_ctx {
	const struct report *r;
	const char *const *kinds;
	report_event_cb cb;
	void *ctx;
	int lazy;  /* probe.result data left unparsed (the first pass reads it raw) */
	int range; /* reading all events from the incident's first: skip the others */
};

#define RANGE_DONE 0x7ffe /* each_cb's "past the incident's last event" */

static int wanted(const char *const *kinds, const char *kind)
{
	if (kinds == NULL)
		return 1;
	for (size_t i = 0; kinds[i] != NULL; i++) {
		size_t n = strlen(kinds[i]);

		if (n > 0 && kinds[i][n - 1] == '.' ? strncmp(kinds[i], kind, n) == 0
		                                    : strcmp(kinds[i], kind) == 0)
			return 1;
	}
	return 0;
}

static int cmp_seq(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static int no_result(const struct report *r, long long seq)
{
	return r->nnoresult > 0 && bsearch(&seq, r->noresult_seq, r->nnoresult,
	                                   sizeof(r->noresult_seq[0]), cmp_seq) != NULL;
}

/* Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

/* The journal's own timestamp form, 2026-12-04T15:03:12.123Z, fast; else time_parse. */
static int ts_parse(const char *s, double *t)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
	int v[24];

	for (int i = 0; i < 24; i++) {
		if (shape[i] == 'd') {
			if (s[i] < '0' || s[i] > '9')
				return time_parse(s, t);
			v[i] = s[i] - '0';
		} else if (s[i] != shape[i]) {
			return time_parse(s, t);
		}
	}
	if (s[24] != '\0')
		return time_parse(s, t);
	{
		long long y = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3];
		unsigned mo = (unsigned)(v[5] * 10 + v[6]), d = (unsigned)(v[8] * 10 + v[9]);
		int h = v[11] * 10 + v[12], mi = v[14] * 10 + v[15], se = v[17] * 10 + v[18];
		int ms = v[20] * 100 + v[21] * 10 + v[22];

		if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
			return time_parse(s, t);
		*t = (double)(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se) +
		     ms / 1000.0;
	}
	return 0;
}

static int each_cb(const struct jevent *ev, void *arg)
{
	struct each_ctx *c = arg;
	struct report_event e;
	cJSON *d;
	int rc;

	/*
	 * Later passes stop at the first pass's last event: what is appended meanwhile (an
	 * operator's note while the export runs) is not half in the report.
	 */
	if (!c->lazy && ev->seq > c->r->last_seq)
		return c->range ? RANGE_DONE : 0;
	if (c->range && strcmp(ev->incident, c->r->id) != 0)
		return 0; /* a scan of the whole journal from the incident's first event */
	if (!wanted(c->kinds, ev->kind))
		return 0;
	memset(&e, 0, sizeof(e));
	d = c->lazy && strcmp(ev->kind, "probe.result") == 0
	            ? NULL
	            : cJSON_ParseWithOpts(ev->data, NULL, 1);
	e.parsed = cJSON_IsObject(d);
	if (!e.parsed) {
		cJSON_Delete(d);
		d = cJSON_CreateObject();
	}
	e.ev = ev;
	e.data = d;
	if (ts_parse(ev->ts, &e.t) != 0)
		e.t = c->r->t_open;
	e.elapsed = c->r->t_open > 0 ? e.t - c->r->t_open : 0; /* 0 for incident.opened */
	e.no_result = strcmp(ev->kind, "action.intent") == 0 && no_result(c->r, ev->seq);
	rc = c->cb(c->r, &e, c->ctx);
	cJSON_Delete(d);
	return rc;
}

int report_each(const struct report *r, const char *const *kinds, report_event_cb cb, void *ctx)
{
	struct each_ctx c = {r, kinds, cb, ctx, 0, 0};
	int rc;

	/*
	 * When the incident's events are most of those between its first and its last,
	 * reading that stretch of the journal in seq order is cheaper than looking each
	 * one up by the incident index.
	 */
	if (r->events > 0 && r->last_seq - r->first_seq + 1 <= 2 * r->events) {
		c.range = 1;
		rc = journal_events(r->j, NULL, r->first_seq - 1, each_cb, &c);
		return rc == RANGE_DONE ? 0 : rc;
	}
	return journal_events(r->j, r->id, 0, each_cb, &c);
}

struct walk {
	const struct report_pass *p;
	struct pairing pair;
};

static int walk_cb(const struct report *r, const struct report_event *e, void *ctx)
{
	struct walk *w = ctx;
	const char *k = e->ev->kind;
	int rc = 0;

	if (w->p->on_action != NULL &&
	    (strncmp(k, "action.", 7) == 0 || strcmp(k, "state.entered") == 0))
		rc = report_pair_feed(&w->pair, e);
	if (rc == 0 && w->p->on_probe != NULL && strcmp(k, "probe.result") == 0)
		rc = w->p->on_probe(r, e, w->p->ctx);
	if (rc == 0 && w->p->on_event != NULL)
		rc = w->p->on_event(r, e, w->p->ctx);
	return rc;
}

int report_walk(const struct report *r, const struct report_pass *p)
{
	struct walk w;
	int rc;

	memset(&w, 0, sizeof(w));
	w.p = p;
	w.pair.r = r;
	w.pair.cb = p->on_action;
	w.pair.ctx = p->ctx;
	rc = report_each(r, NULL, walk_cb, &w);
	if (rc == 0 && p->on_action != NULL)
		rc = report_pair_flush(&w.pair);
	for (int i = 0; i < PENDING_MAX; i++)
		held_release(&w.pair.h[i]);
	return rc;
}

static int actions_cb(const struct report *r, const struct report_event *e, void *ctx)
{
	(void)r;
	return report_pair_feed(ctx, e);
}

int report_actions(const struct report *r, report_action_cb cb, void *ctx)
{
	static const char *const kinds[] = {"action.", "state.entered", NULL};
	struct pairing p;
	int rc;

	memset(&p, 0, sizeof(p));
	p.r = r;
	p.cb = cb;
	p.ctx = ctx;
	rc = report_each(r, kinds, actions_cb, &p);
	if (rc == 0)
		rc = report_pair_flush(&p);
	for (int i = 0; i < PENDING_MAX; i++)
		held_release(&p.h[i]);
	return rc;
}

int report_each_lazy(const struct report *r, report_event_cb cb, void *ctx)
{
	struct each_ctx c = {r, NULL, cb, ctx, 1, 0};

	return journal_events(r->j, r->id, 0, each_cb, &c);
}
