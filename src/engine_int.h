/* engine_int.h - the engine's run state, shared by engine.c, engine_steps.c, engine_load.c. */
#ifndef RUNBOOK_ENGINE_INT_H
#define RUNBOOK_ENGINE_INT_H

#include "engine.h"
#include "flow.h"

#include <cjson/cJSON.h>

/* What a state's executor returns. */
enum step_rc { STEP_OK, STEP_END, STEP_PAUSE, STEP_JOURNAL, STEP_FAIL };

struct run {
	struct journal *j;
	const struct config *cfg;
	const struct flow *flow;
	struct term *t;
	struct answers *answers;
	struct answers typed; /* parameters typed at the terminal */
	const char *confirm;
	int dry;
	char incident[37];
	char short_id[9];
	const char *operator;
	char severity[8];
	char title[256];
	double opened;
	int step_no;
	const struct state *cur;
	double entered;
	cJSON *entry_data;    /* data of cur's state.entered */
	cJSON *findings;      /* state id -> data of its latest probe.result */
	cJSON *resume_result; /* cur's result already in the journal (resume) */
	cJSON *open_intent;   /* cur's action.intent without a result (resume) */
	int failure_seen;
	int escalated;
	int mitigated;
	int closed;
	char end[64];
	char outcome[64];
	int attempts; /* wait attempts journaled for cur */
	int journal_failed;
	struct engine_result *res;
};

/* engine.c */
int run_log(struct run *r, const char *kind, cJSON *data);
int run_enter(struct run *r, const struct state *s);
void run_tick(void *ctx);
int run_pause(struct run *r, const struct state *s, const char *why, const char *const *options,
              const char *suggested);
int run_interrupted(struct run *r);
void run_outcome(struct run *r, const char *name);
/* Post `what` for the current notify state (`outcome` journaled with it; NULL: "sent" or
 * "skipped"); 1 sent, 0 not,
 * -1 journal failure. Journals incident.escalated for an ST_ESCALATES state. */
int run_escalate_text(struct run *r, const char *what, const char *outcome);

/* engine_steps.c: one executor per kind */
int exec_state(struct run *r);
/* Ask for an answer (pre-answer, suggestion, terminal or pause). */
int run_ask(struct run *r, const struct state *s, const char *const *choices,
            const char *const *texts, const char *suggested, const char *why, char *ans,
            size_t len, const char **source);

/*
 * Set r->failure_seen when an event of this kind and data, at this state, shows the
 * incident saw a failure: a failing probe.result, an action that ran (intent, result),
 * a step answered by hand with other than a healthy outcome (engine_steps.c). The one
 * rule, for the events run_log writes and the ones run_load reads back.
 */
void run_note_failure(struct run *r, const char *state, const char *kind,
                      const struct cJSON *data);

/* flows/registry.c: table helpers the engine shares with answer validation */
int state_names_outcome(const struct state *s, const char *outcome);
size_t state_fallback_choices(const struct state *s, const char **v, size_t max);

/* engine_load.c: rebuild a run from the journal */
int run_load(struct run *r, char *err, size_t errlen);

extern volatile int engine_abort;

#endif
