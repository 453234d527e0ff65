/*
 * flow.h - the types every flow table shares, and what a step may ask of the engine.
 *
 * A flow is data: a const array of states, each with its id, kind, the runbook's words,
 * the function it runs and its transitions by outcome name. The engine (src/engine.c)
 * walks the table; its one state-change function journals every move.
 */
#ifndef RUNBOOK_FLOW_H
#define RUNBOOK_FLOW_H

#include <cjson/cJSON.h>
#include <stddef.h>

struct config;

/* State kinds, one list (names are what the journal, --json and the docs show). */
#define STATE_KINDS(X)           \
	X(KIND_PROBE, "probe")   \
	X(KIND_MANUAL, "manual") \
	X(KIND_CHOICE, "choice") \
	X(KIND_ACTION, "action") \
	X(KIND_NOTIFY, "notify") \
	X(KIND_WAIT, "wait")     \
	X(KIND_END, "end")

enum state_kind {
#define X(e, s) e,
	STATE_KINDS(X)
#undef X
	        KIND__LAST
};

/* State flags. */
#define ST_DESTRUCTIVE 0x01 /* action: typed confirmation, intent journaled first */
#define ST_PARAM 0x02       /* action: needs a parameter answer (a pid) */
#define ST_VERIFY 0x04      /* a passing outcome journals incident.mitigated (once) */
#define ST_ESCALATES 0x08   /* notify: journals incident.escalated */
#define ST_AUTO 0x10        /* choice: a suggestion is taken without asking */
#define ST_WATCH \
	0x20 /* wait: passes when its window ends clean, fails on the first
			       failing attempt (a deploy's watch window) */

/* Outcome "*" matches any outcome. A list ends with { NULL, NULL }. */
struct transition {
	const char *outcome;
	const char *next;
};

/* An answer a choice or manual state offers. A list ends with { NULL }. */
struct option {
	const char *name;
	const char *text;     /* the runbook's fix, shown beside the option */
	const char *followup; /* printed at the end when this option was taken, or NULL */
	const char *severity; /* taking this option raises the incident to it ("P0"), or NULL */
};

struct run;
struct state;

/*
 * What a probe, wait or action step produced. `data` (owned by the engine once the
 * step returns) is journaled with the event; `name` picks the transition.
 */
struct outcome {
	const char *name;  /* static string: "ok", "fail", "db_fail", ... */
	cJSON *data;       /* figures for the journal, or NULL */
	char summary[512]; /* one line for the screen */
	int failed;        /* this result shows something wrong */
	int fallback;      /* the step cannot run here: show the manual text and ask */
	char missing[256]; /* with fallback: what is missing ("'commands.logs' is not set") */
};

/* What an action will do, built before any confirmation. */
struct intent {
	cJSON *data;           /* journaled as action.intent (command or SQL, target, ...) */
	char shown[1024];      /* the exact command or SQL, as shown to the operator */
	char target[128];      /* the name the operator must type (destructive) */
	char target_desc[160]; /* "service 'api' (production)" */
	int fallback;          /* cannot run here (config missing): manual step */
	char missing[256];
	int skip;   /* nothing to do here: journaled as action.skipped with `missing` as
				   the reason, outcome "skipped" (e.g. an optional command unset) */
	int refuse; /* a safeguard failed: journaled as action.refused with `missing`
				   as the reason, outcome "refused"; nothing runs */
};

/* Runs a probe (or one attempt of a wait). Fills *out. */
typedef void (*probe_fn)(struct run *r, const struct state *s, struct outcome *out);
/* Plans an action. Fills *in. */
typedef void (*plan_fn)(struct run *r, const struct state *s, struct intent *in);
/* Runs a planned action. Fills *out (name "ok" or "fail", or as the flow needs). */
typedef void (*act_fn)(struct run *r, const struct state *s, const struct intent *in,
                       struct outcome *out);
/* Checks an answer given for a parameter (a pid): 0, or -1 with why in err (exit 2). */
typedef int (*check_fn)(const char *value, char *err, size_t errlen);
/* A choice's suggestion from the findings so far: an option name or NULL, and why. */
typedef const char *(*suggest_fn)(struct run *r, const struct state *s, char *reason,
                                  size_t reasonlen);

struct state {
	const char *id;
	enum state_kind kind;
	const char *section; /* runbook section: "4.1" */
	const char *title;   /* the runbook's words for the step */
	const char *text;    /* instruction or question shown to the operator */
	probe_fn probe;      /* probe, wait; notify: decides (failed = post, summary = text) */
	plan_fn plan;        /* action */
	act_fn act;          /* action */
	suggest_fn suggest;  /* choice */
	check_fn check;      /* ST_PARAM action: validates the parameter before anything runs */
	const struct option *options; /* choice; manual (NULL: Enter = done, or a note) */
	const struct transition *next;
	unsigned flags;
	const char *target_key;   /* destructive: config key naming the target */
	const char *interval_key; /* wait: seconds between attempts */
	double interval_def;
	const char *timeout_key; /* wait: deadline */
	double timeout_def;
	double timeout_scale; /* multiplies the timeout value into seconds (60: minutes) */
	const char *end;      /* end: the verdict */
};

struct flow {
	const char *name;
	const char *section; /* runbook section: "4.1" */
	const char *summary;
	const char *severity; /* default severity */
	int routine;          /* routine procedure (no escalation timer, no false_alarm) */
	const struct state *states; /* the first is the start; ends with { NULL } */
};

/* The registry (flows/registry.c). */
const struct flow *const *flow_all(void);
const struct flow *flow_find(const char *name);
const struct state *flow_state(const struct flow *f, const char *id);
const char *state_kind_name(enum state_kind k);
/* The next state id for an outcome, or NULL when the table has none. */
const char *state_next(const struct state *s, const char *outcome);
/* Non-zero when the state may be pre-answered with --answer. */
int state_answerable(const struct state *s);
/* Non-zero when `value` is an acceptable answer for s; why in `err` otherwise. */
int state_answer_ok(const struct state *s, const char *value, char *err, size_t errlen);

/* ---- what a step may ask of the engine (src/engine.c) ---- */

const struct config *run_config(struct run *r);
const char *run_incident(struct run *r); /* full UUID */
const char *run_short_id(struct run *r); /* first 8 characters */
const char *run_operator(struct run *r);
const char *run_severity(struct run *r);
/* The data of the latest probe.result of that state in this incident, or NULL. Borrowed. */
const cJSON *run_finding(struct run *r, const char *state_id);
/* The operator's answer for a state (a parameter such as a pid), or NULL. */
const char *run_answer(struct run *r, const char *state_id);
int run_dry(struct run *r);
/* Raised when the operator pressed Ctrl-C: pass to probes as their abort flag. */
volatile int *run_abort_flag(struct run *r);
/* Say what the step is doing now (shown with a live elapsed time on a terminal). */
void run_doing(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A probe timeout for a config section: <section>.timeout_ms, else timing.probe_timeout_ms. */
long run_timeout_ms(struct run *r, const char *section);
/* Raise the incident's severity (journals severity.changed with the reason). */
int run_set_severity(struct run *r, const char *severity, const char *reason);

/* Helpers for step functions (flows/registry.c). */
void outcome_set(struct outcome *out, const char *name, int failed, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
void outcome_fallback(struct outcome *out, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

#endif
