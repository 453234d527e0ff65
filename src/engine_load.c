/* engine_load.c - rebuild a run's position from the journal alone (for resume). */
#include "engine_int.h"

#include "journal.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

struct load {
	struct run *r;
	int seen_open;
	char bad_flow[64];
};

static int is_result(const char *kind)
{
	return strcmp(kind, "probe.result") == 0 || strcmp(kind, "prompt.answered") == 0 ||
	       strcmp(kind, "action.result") == 0 || strcmp(kind, "action.refused") == 0 ||
	       strcmp(kind, "action.skipped") == 0 || strcmp(kind, "notify.sent") == 0 ||
	       strcmp(kind, "notify.failed") == 0 || strcmp(kind, "notify.skipped") == 0;
}

static void set_str(char *dst, size_t len, const cJSON *d, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, key);

	if (cJSON_IsString(v))
		snprintf(dst, len, "%s", v->valuestring);
}

static int load_cb(const struct jevent *ev, void *ctx)
{
	struct load *l = ctx;
	struct run *r = l->r;
	cJSON *d = cJSON_Parse(ev->data);
	const char *k = ev->kind;

	run_note_failure(r, ev->state, k, d); /* as run_log did when it wrote it */
	if (strcmp(k, "incident.opened") == 0) {
		double t;

		l->seen_open = 1;
		if (strcmp(ev->flow, r->flow->name) != 0)
			snprintf(l->bad_flow, sizeof(l->bad_flow), "%s", ev->flow);
		set_str(r->title, sizeof(r->title), d, "title");
		set_str(r->severity, sizeof(r->severity), d, "severity");
		if (time_parse(ev->ts, &t) == 0)
			r->opened = t;
	} else if (strcmp(k, "severity.changed") == 0) {
		set_str(r->severity, sizeof(r->severity), d, "to");
	} else if (strcmp(k, "state.entered") == 0) {
		double t;

		r->cur = flow_state(r->flow, ev->state);
		r->step_no++;
		r->attempts = 0;
		if (time_parse(ev->ts, &t) == 0)
			r->entered = t;
		cJSON_Delete(r->entry_data);
		r->entry_data = d;
		d = NULL;
		cJSON_Delete(r->resume_result);
		r->resume_result = NULL;
		cJSON_Delete(r->open_intent);
		r->open_intent = NULL;
	} else if (strcmp(k, "action.intent") == 0) {
		cJSON_Delete(r->open_intent);
		r->open_intent = d;
		d = NULL;
	} else if (is_result(k)) {
		const cJSON *attempt = cJSON_GetObjectItemCaseSensitive(d, "attempt");

		if (strcmp(k, "probe.result") == 0) {
			cJSON_DeleteItemFromObjectCaseSensitive(r->findings, ev->state);
			cJSON_AddItemToObject(r->findings, ev->state, cJSON_Duplicate(d, 1));
		}
		if (strncmp(k, "action.", 7) == 0) {
			cJSON_Delete(r->open_intent);
			r->open_intent = NULL;
		}
		/* a wait's attempts are not its result; it goes on from the journal's clock */
		if (cJSON_IsNumber(attempt)) {
			r->attempts = attempt->valueint;
		} else if (r->cur != NULL && strcmp(ev->state, r->cur->id) == 0 &&
		           cJSON_GetObjectItemCaseSensitive(d, "outcome") != NULL) {
			cJSON_Delete(r->resume_result);
			r->resume_result = d;
			d = NULL;
		}
	} else if (strcmp(k, "incident.escalated") == 0) {
		r->escalated = 1;
	} else if (strcmp(k, "incident.mitigated") == 0) {
		r->mitigated = 1;
	} else if (strcmp(k, "incident.closed") == 0) {
		r->closed = 1;
		set_str(r->end, sizeof(r->end), d, "end");
	}
	cJSON_Delete(d);
	return 0;
}

int run_load(struct run *r, char *err, size_t errlen)
{
	struct load l;

	memset(&l, 0, sizeof(l));
	l.r = r;
	if (journal_events(r->j, r->incident, 0, load_cb, &l) < 0) {
		r->journal_failed = 1;
		snprintf(err, errlen, "%s", journal_errmsg(r->j));
		return -1;
	}
	if (!l.seen_open) {
		snprintf(err, errlen, "incident '%s' has no incident.opened event",
		         r->short_id);
		return -1;
	}
	if (l.bad_flow[0] != '\0') {
		snprintf(err, errlen, "incident '%s' belongs to flow '%s'", r->short_id,
		         l.bad_flow);
		return -1;
	}
	/* a resumed wait that journaled a passing attempt has its result */
	if (r->cur != NULL && r->cur->kind == KIND_WAIT && !(r->cur->flags & ST_WATCH) &&
	    r->resume_result == NULL) {
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(r->findings, r->cur->id);
		const cJSON *ok = f ? cJSON_GetObjectItemCaseSensitive(f, "ok") : NULL;
		const cJSON *a = f ? cJSON_GetObjectItemCaseSensitive(f, "attempt") : NULL;

		if (cJSON_IsTrue(ok) && cJSON_IsNumber(a) && a->valueint == r->attempts) {
			r->resume_result = cJSON_CreateObject();
			cJSON_AddStringToObject(r->resume_result, "outcome", "ok");
		}
	}
	return 0;
}
