/*
 * report_int.h - what report.c (the first pass) and report_walk.c (the passes, the
 * pairing of intents with results) share. Internal to the report.
 */
#ifndef RUNBOOK_REPORT_INT_H
#define RUNBOOK_REPORT_INT_H

#include "report.h"

#define PENDING_MAX 16

/* An action.intent waiting for its result (copied out of the event). */
struct held {
	int used;
	long long seq;
	char ts[32];
	double elapsed;
	char *operator;
	char *state;
	cJSON *data;
};

/* Intents waiting for results; cb gets each action once it is known. */
struct pairing {
	struct held h[PENDING_MAX];
	const struct report *r;
	report_action_cb cb;
	void *ctx;
};

/*
 * Feed one event: an intent waits for the next result in its state; another intent
 * there, a state.entered or report_pair_flush leaves it without one. Returns cb's value.
 */
int report_pair_feed(struct pairing *p, const struct report_event *e);
/* Emit every waiting intent as one without a result. */
int report_pair_flush(struct pairing *p);
/* Free what is still held. */
void report_pair_release(struct pairing *p);

/* report_each for the first pass: probe.result data is left unparsed (e->parsed 0). */
int report_each_lazy(const struct report *r, report_event_cb cb, void *ctx);

#endif
