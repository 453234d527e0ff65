/*
 * report.c - the postmortem model: one pass over an incident's events for the header,
 * responders, sections, metrics and counts; later passes for the writers; the pairing
 * of each action.intent with its result.
 */
#include "report_int.h"

#include "util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

const struct report_role report_roles[] = {
#define X(e, bit, text, json) {bit, text, json},
        REPORT_ROLES(X)
#undef X
                {0, NULL, NULL},
};

/* ---- names ---- */

static const struct {
	const char *key, *kind, *title;
} sections[] = {
#define X(e, key, kind, title) {key, kind, title},
        REPORT_SECTIONS(X)
#undef X
};

static const struct {
	const char *key, *title, *until;
} metrics[] = {
#define X(e, key, title, until) {key, title, until},
        REPORT_METRICS(X)
#undef X
};

const char *report_section_key(enum report_section s)
{
	return s < SEC__LAST ? sections[s].key : "?";
}

const char *report_section_title(enum report_section s)
{
	return s < SEC__LAST ? sections[s].title : "?";
}

int report_section_of_kind(const char *kind)
{
	for (int s = 0; kind != NULL && s < SEC__LAST; s++)
		if (sections[s].kind != NULL && strcmp(sections[s].kind, kind) == 0)
			return s;
	return -1;
}

const char *report_note_kinds(void)
{
	static char list[256];

	if (list[0] == '\0') {
		size_t n = 0;

		for (int s = 0; s < SEC__LAST; s++) {
			if (sections[s].kind == NULL)
				continue;
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "",
			                      sections[s].kind);
			if (n >= sizeof(list))
				break;
		}
	}
	return list;
}

const char *report_metric_key(enum report_metric_id m)
{
	return m < MET__LAST ? metrics[m].key : "?";
}

const char *report_metric_title(enum report_metric_id m)
{
	return m < MET__LAST ? metrics[m].title : "?";
}

const char *report_metric_until(enum report_metric_id m)
{
	return m < MET__LAST ? metrics[m].until : "?";
}

static int is_true(const cJSON *d, const char *key)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, key));
}

static int cmp_seq(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* ---- the first pass ---- */

/*
 * The top-level boolean `key` of a JSON object's text: 1 true, 0 false, -1 absent.
 * (The first pass reads probe results this way: their output is the bulk of a journal.)
 */
static int top_bool(const char *s, const char *key)
{
	size_t klen = strlen(key);
	int depth = 0;

	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '"') {
			const char *start = ++p;

			while (*p != '\0' && *p != '"') {
				if (*p == '\\' && p[1] != '\0')
					p++;
				p++;
			}
			if (*p == '\0')
				return -1;
			if (depth == 1 && (size_t)(p - start) == klen &&
			    memcmp(start, key, klen) == 0) {
				const char *q = p + 1;

				while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
					q++;
				if (*q == ':') {
					q++;
					while (*q == ' ' || *q == '\t' || *q == '\n' ||
					       *q == '\r')
						q++;
					if (strncmp(q, "true", 4) == 0)
						return 1;
					if (strncmp(q, "false", 5) == 0)
						return 0;
					return -1;
				}
			}
			continue;
		}
		if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']')
			depth--;
	}
	return -1;
}

struct load {
	struct report *r;
	struct pairing pair;
	char state[64];      /* the state last entered */
	char state_kind[16]; /* ... its kind */
	char *suggest_why;   /* ... the reason of its suggestion */
	int seen_open;
};

static void entry_add(struct report *r, enum report_section s, const struct jevent *ev,
                      const char *source, const char *text)
{
	struct report_list *l = &r->sec[s];
	struct report_entry *e;

	if (l->n >= REPORT_MAX_ENTRIES) {
		l->dropped++;
		return;
	}
	e = xcalloc(1, sizeof(*e));
	e->seq = ev->seq;
	snprintf(e->ts, sizeof(e->ts), "%s", ev->ts);
	e->operator= report_clean(ev->operator, 256);
	e->state = report_clean(ev->state, 128);
	e->source = source;
	e->text = report_clean(text, REPORT_TEXT_CAP);
	if (l->tail != NULL)
		l->tail->next = e;
	else
		l->head = e;
	l->tail = e;
	l->n++;
}

static struct report_person *person(struct report *r, const char *name)
{
	struct report_person *p;

	for (size_t i = 0; i < r->npeople; i++)
		if (strcmp(r->people[i].name, name) == 0)
			return &r->people[i];
	if (r->npeople >= REPORT_MAX_PEOPLE) {
		r->people_dropped++;
		return NULL;
	}
	p = &r->people[r->npeople++];
	memset(p, 0, sizeof(*p));
	p->name = xstrdup(name);
	return p;
}

static void seen_person(struct report *r, const struct jevent *ev)
{
	struct report_person *p = person(r, ev->operator);
	char where[320];

	if (p == NULL)
		return;
	if (p->events++ == 0)
		snprintf(p->first, sizeof(p->first), "%s", ev->ts);
	snprintf(p->last, sizeof(p->last), "%s", ev->ts);
	snprintf(where, sizeof(where), "%s@%s", ev->os_user, ev->host);
	for (size_t i = 0; i < p->nwhere; i++)
		if (strcmp(p->where[i], where) == 0)
			return;
	if (p->nwhere < REPORT_MAX_WHERE)
		p->where[p->nwhere++] = xstrdup(where);
}

static void role(struct report *r, const char *name, unsigned bits)
{
	struct report_person *p = name != NULL ? person(r, name) : NULL;

	if (p != NULL)
		p->roles |= bits;
}

static void metric(struct report *r, enum report_metric_id m, const struct report_event *e)
{
	struct report_metric *x = &r->met[m];

	if (x->reached)
		return;
	x->reached = 1;
	x->seconds = e->elapsed;
	x->seq = e->ev->seq;
	snprintf(x->ts, sizeof(x->ts), "%s", e->ev->ts);
}

static void set_str(char **dst, const char *s, size_t cap)
{
	free(*dst);
	*dst = report_clean(s, cap);
}

static int load_pair_cb(const struct report *r, const struct report_action *a, void *ctx)
{
	struct report *w = ctx;

	(void)r;
	if (strcmp(a->status, "no_result") != 0)
		return 0;
	if (a->destructive)
		w->noresult_destructive++;
	if (w->nnoresult < REPORT_MAX_NORESULT)
		w->noresult_seq[w->nnoresult++] = a->intent.seq;
	return 0;
}

static void on_opened(struct load *l, const struct report_event *e)
{
	struct report *r = l->r;
	const char *sev = report_str(e->data, "severity");

	l->seen_open = 1;
	set_str(&r->title, report_str(e->data, "title"), 512);
	set_str(&r->flow, e->ev->flow, 128);
	set_str(&r->section, report_str(e->data, "section"), 32);
	set_str(&r->opener, e->ev->operator, 256);
	snprintf(r->severity0, sizeof(r->severity0), "%s", sev ? sev : "");
	snprintf(r->severity, sizeof(r->severity), "%s", sev ? sev : "");
	snprintf(r->opened, sizeof(r->opened), "%s", e->ev->ts);
	r->t_open = e->t;
	r->dry_run = is_true(e->data, "dry_run");
	role(r, e->ev->operator, ROLE_OPENED);
}

static void on_answer(struct load *l, const struct report_event *e)
{
	struct report *r = l->r;
	const cJSON *d = e->data;
	const char *src = report_str(d, "source");
	const char *ans = report_str(d, "answer");
	const char *note = report_str(d, "note");
	const char *follow = report_str(d, "followup");
	const char *sug = report_str(d, "suggested");

	r->answers++;
	if (src == NULL || strcmp(src, "probe") != 0) {
		metric(r, MET_ACK, e);
		role(r, e->ev->operator, ROLE_ACTED);
	}
	if (strcmp(l->state_kind, "choice") == 0 && strcmp(l->state, e->ev->state) == 0 &&
	    report_str(d, "about") == NULL && ans != NULL) {
		char *text;

		metric(r, MET_DIAGNOSE, e);
		text = xasprintf("%s (chosen at '%s'%s%s%s%s)", ans, e->ev->state,
		                 sug ? "; suggested: " : "", sug ? sug : "",
		                 sug && l->suggest_why ? ", " : "",
		                 sug && l->suggest_why ? l->suggest_why : "");
		entry_add(r, SEC_ROOT_CAUSE, e->ev, "answer", text);
		free(text);
	}
	if (note != NULL)
		entry_add(r, SEC_NOTES, e->ev, "answer", note);
	if (follow != NULL)
		entry_add(r, SEC_ACTION_ITEMS, e->ev, "followup", follow);
}

static void on_note(struct load *l, const struct report_event *e)
{
	struct report *r = l->r;
	const char *kind = report_str(e->data, "kind");
	int s = report_section_of_kind(kind);

	if (cJSON_GetObjectItemCaseSensitive(e->data, "pause") != NULL) {
		r->pauses++;
		return;
	}
	r->notes++;
	role(r, e->ev->operator, ROLE_NOTED);
	entry_add(r, s >= 0 ? (enum report_section)s : SEC_NOTES, e->ev, "note",
	          report_str(e->data, "text"));
}

static void on_handoff(struct load *l, const struct report_event *e)
{
	struct report *r = l->r;
	const char *from = report_str(e->data, "from");
	const char *to = report_str(e->data, "to");
	struct report_handoff *h;

	if (from == NULL)
		from = r->lead != NULL ? r->lead : e->ev->operator;
	role(r, from, ROLE_HANDED);
	if (to != NULL) {
		role(r, to, ROLE_RECEIVED);
		free(r->lead);
		r->lead = xstrndup(to, strnlen(to, 256));
	}
	if (r->nhandoffs >= REPORT_MAX_HANDOFFS) {
		r->handoffs_dropped++;
		return;
	}
	h = &r->handoffs[r->nhandoffs++];
	h->seq = e->ev->seq;
	snprintf(h->ts, sizeof(h->ts), "%s", e->ev->ts);
	h->from = report_clean(from, 256);
	h->to = report_clean(to ? to : "", 256);
	h->summary = report_clean(report_str(e->data, "summary"), REPORT_TEXT_CAP);
	h->operator= report_clean(e->ev->operator, 256);
}

static void on_closed(struct load *l, const struct report_event *e)
{
	struct report *r = l->r;
	const char *end = report_str(e->data, "end");
	const char *by = report_str(e->data, "by");
	const char *cause = report_str(e->data, "root_cause");
	const char *reason = report_str(e->data, "reason");
	char *text;

	metric(r, MET_RESOLVE, e);
	r->closed = 1;
	snprintf(r->closed_ts, sizeof(r->closed_ts), "%s", e->ev->ts);
	r->t_close = e->t;
	set_str(&r->end, end ? end : "", 64);
	set_str(&r->closed_by, e->ev->operator, 256);
	r->closed_by_hand = by != NULL && strcmp(by, "operator") == 0;
	role(r, e->ev->operator, ROLE_CLOSED);
	if (cause != NULL)
		entry_add(r, SEC_ROOT_CAUSE, e->ev, "resolve", cause);
	if (r->closed_by_hand && reason != NULL)
		text = xasprintf("closed as %s by %s: %s", end ? end : "?", e->ev->operator,
		                 reason);
	else if (r->closed_by_hand)
		text = xasprintf("closed as %s by %s", end ? end : "?", e->ev->operator);
	else
		text = xasprintf("closed as %s by the flow at '%s'", end ? end : "?",
		                 e->ev->state);
	entry_add(r, SEC_RESOLUTION, e->ev, r->closed_by_hand && reason ? "abandon" : "journal",
	          text);
	free(text);
}

static void on_event(struct load *l, const struct report_event *e)
{
	struct report *r = l->r;
	const char *k = e->ev->kind;

	if (strcmp(k, "incident.opened") == 0 && !l->seen_open) {
		on_opened(l, e);
	} else if (strcmp(k, "state.entered") == 0) {
		const char *kind = report_str(e->data, "kind");

		r->states++;
		snprintf(l->state, sizeof(l->state), "%s", e->ev->state);
		snprintf(l->state_kind, sizeof(l->state_kind), "%s", kind ? kind : "");
		free(l->suggest_why);
		l->suggest_why = report_str(e->data, "reason")
		                         ? report_clean(report_str(e->data, "reason"), 256)
		                         : NULL;
	} else if (strcmp(k, "severity.changed") == 0) {
		const char *to = report_str(e->data, "to");
		const char *from = report_str(e->data, "from");

		if (r->nsev < REPORT_MAX_SEV) {
			struct report_sev *s = &r->sev[r->nsev++];

			s->seq = e->ev->seq;
			s->t = e->t;
			snprintf(s->ts, sizeof(s->ts), "%s", e->ev->ts);
			snprintf(s->from, sizeof(s->from), "%s", from ? from : r->severity);
			snprintf(s->to, sizeof(s->to), "%s", to ? to : "");
			s->reason = report_clean(report_str(e->data, "reason"), 512);
			s->operator= report_clean(e->ev->operator, 256);
		} else {
			r->sev_dropped++;
		}
		if (to != NULL)
			snprintf(r->severity, sizeof(r->severity), "%s", to);
	} else if (strcmp(k, "probe.result") == 0) {
		r->probes++;
		if (top_bool(e->ev->data, "ok") == 0)
			r->probes_failed++;
	} else if (strcmp(k, "prompt.answered") == 0) {
		on_answer(l, e);
	} else if (strncmp(k, "action.", 7) == 0) {
		metric(r, MET_ACK, e);
		role(r, e->ev->operator, ROLE_ACTED);
		if (strcmp(k, "action.intent") == 0) {
			r->intents++;
			if (is_true(e->data, "destructive"))
				r->destructive++;
		} else if (strcmp(k, "action.result") == 0) {
			r->results++;
		} else if (strcmp(k, "action.refused") == 0) {
			r->refused++;
		} else if (strcmp(k, "action.skipped") == 0) {
			r->skipped++;
			if (report_str(e->data, "would_run") != NULL)
				r->dry_runs++;
		}
	} else if (strcmp(k, "note") == 0) {
		on_note(l, e);
	} else if (strcmp(k, "handoff") == 0) {
		on_handoff(l, e);
	} else if (strncmp(k, "notify.", 7) == 0) {
		r->notified++;
	} else if (strcmp(k, "incident.escalated") == 0 && !r->escalated) {
		r->escalated = 1;
		r->t_escalated = e->t;
		snprintf(r->escalated_ts, sizeof(r->escalated_ts), "%s", e->ev->ts);
		set_str(&r->escalated_reason, report_str(e->data, "reason"), 64);
	} else if (strcmp(k, "incident.mitigated") == 0 && !r->mitigated) {
		char *text = xasprintf("mitigated: '%s' passed",
		                       report_str(e->data, "by") ? report_str(e->data, "by")
		                                                 : e->ev->state);

		r->mitigated = 1;
		r->t_mitigated = e->t;
		metric(r, MET_MITIGATE, e);
		entry_add(r, SEC_RESOLUTION, e->ev, "journal", text);
		free(text);
	} else if (strcmp(k, "incident.closed") == 0) {
		on_closed(l, e);
	}
}

static int load_cb(const struct report *cr, const struct report_event *e, void *ctx)
{
	struct load *l = ctx;
	struct report *r = l->r;

	(void)cr;
	if (r->events++ == 0)
		r->first_seq = e->ev->seq;
	r->last_seq = e->ev->seq;
	memcpy(r->last_hash, e->ev->hash, JOURNAL_HASH_LEN);
	snprintf(r->last_ts, sizeof(r->last_ts), "%s", e->ev->ts);
	r->t_last = e->t;
	seen_person(r, e->ev);
	on_event(l, e);
	return report_pair_feed(&l->pair, e);
}

/* journal_verify on its own handle, alongside the passes (a second core does it). */
struct report_check {
	struct journal *j;
	pthread_t thread;
	int running;
	int rc;
	struct jverify v;
};

static void *check_main(void *arg)
{
	struct report_check *c = arg;

	c->rc = journal_verify(c->j, NULL, &c->v);
	return NULL;
}

const struct jverify *report_verify(const struct report *r)
{
	struct report_check *c = r->check;

	if (c->running) {
		pthread_join(c->thread, NULL);
		c->running = 0;
	} else if (c->j != NULL) {
		c->rc = journal_verify(c->j, NULL, &c->v);
	}
	if (c->j != NULL && c->rc != 0) {
		memset(&c->v, 0, sizeof(c->v));
		snprintf(c->v.reason, sizeof(c->v.reason), "verify could not run: %s",
		         journal_errmsg(c->j));
	}
	c->j = NULL; /* done: the result stays */
	return &c->v;
}

int report_load(struct report *r, struct journal *j, struct journal *vj, const char *id,
                char *err, size_t errlen)
{
	struct load l;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	memset(&l, 0, sizeof(l));
	r->j = j;
	r->check = xcalloc(1, sizeof(*r->check));
	r->check->j = vj != NULL ? vj : j;
	if (vj != NULL && pthread_create(&r->check->thread, NULL, check_main, r->check) == 0)
		r->check->running = 1;
	snprintf(r->id, sizeof(r->id), "%s", id);
	l.r = r;
	l.pair.r = r;
	l.pair.cb = load_pair_cb;
	l.pair.ctx = r;
	if (report_each_lazy(r, load_cb, &l) != 0 || report_pair_flush(&l.pair) != 0) {
		snprintf(err, errlen, "%s", journal_errmsg(j));
		goto out;
	}
	if (!l.seen_open) {
		snprintf(err, errlen, "no incident '%s'", id);
		goto out;
	}
	qsort(r->noresult_seq, r->nnoresult, sizeof(r->noresult_seq[0]), cmp_seq);
	if (r->lead == NULL)
		r->lead = xstrdup(r->opener);
	role(r, r->lead, ROLE_LEAD);
	r->keyed = journal_keyed(j);
	rc = 0;
out:
	report_pair_release(&l.pair);
	free(l.suggest_why);
	return rc;
}

void report_release(struct report *r)
{
	if (r->check != NULL && r->check->running)
		pthread_join(r->check->thread, NULL);
	free(r->check);
	free(r->title);
	free(r->flow);
	free(r->section);
	free(r->opener);
	free(r->end);
	free(r->closed_by);
	free(r->lead);
	free(r->escalated_reason);
	for (size_t i = 0; i < r->nsev; i++) {
		free(r->sev[i].reason);
		free(r->sev[i].operator);
	}
	for (size_t i = 0; i < r->nhandoffs; i++) {
		free(r->handoffs[i].from);
		free(r->handoffs[i].to);
		free(r->handoffs[i].summary);
		free(r->handoffs[i].operator);
	}
	for (size_t i = 0; i < r->npeople; i++) {
		free(r->people[i].name);
		for (size_t w = 0; w < r->people[i].nwhere; w++)
			free(r->people[i].where[w]);
	}
	for (int s = 0; s < SEC__LAST; s++) {
		struct report_entry *e = r->sec[s].head;

		while (e != NULL) {
			struct report_entry *next = e->next;

			free(e->operator);
			free(e->state);
			free(e->text);
			free(e);
			e = next;
		}
	}
	memset(r, 0, sizeof(*r));
}
