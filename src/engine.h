/* engine.h - runs a flow's table as a state machine and journals every step. */
#ifndef RUNBOOK_ENGINE_H
#define RUNBOOK_ENGINE_H

#include "answers.h"

struct journal;
struct config;
struct flow;
struct term;

struct engine_opts {
	const struct flow *flow; /* start: the flow to run */
	const char *incident;    /* resume: the full incident id */
	const char *title;       /* start: NULL = the flow's summary */
	const char *severity;    /* start: NULL = the flow's default */
	struct answers *answers; /* pre-answers, consumed as used */
	const char *confirm;     /* --confirm TARGET, or NULL */
	int dry_run;
	const char *operator;
	struct term *term;
};

struct engine_result {
	char incident[37];
	char flow[64];
	int closed;
	char state[64]; /* the state the machine stopped in */
	char end[64];   /* the verdict when closed */
	int paused;
	char waiting_state[64];
	const struct state *waiting; /* the state waiting for an answer */
	char suggested[64];
	char options[16][64]; /* what the waiting state accepts */
	int noptions;
};

/*
 * Open an incident (journals incident.opened) and run the flow from its first state
 * until an end state (EXIT_OK), a missing answer or Ctrl-C (EXIT_PAUSED), a journal
 * failure (EXIT_JOURNAL: nothing further runs) or a runtime failure (EXIT_FAIL).
 * The incident id is printed alone on the first line of stdout unless `json`.
 */
int engine_start(struct journal *j, const struct config *c, const struct engine_opts *o,
                 int json, struct engine_result *res);

/*
 * Continue an open incident at the position the journal gives. An action whose intent
 * has no result is not re-run: the operator is asked what happened. Exit codes as above.
 */
int engine_resume(struct journal *j, const struct config *c, const struct engine_opts *o,
                  struct engine_result *res);

#endif
