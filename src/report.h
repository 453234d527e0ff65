/*
 * report.h - the postmortem model: what one incident's journal events say.
 *
 * Built from the journal alone, in passes over journal_events (never every event in
 * memory): report_load reads the incident once for the header, responders, sections,
 * metrics and counts; the writers (report_md.c, report_json.c, report_html.c) then walk
 * the events again with report_each / report_actions. The same journal gives the same
 * report, byte for byte.
 */
#ifndef RUNBOOK_REPORT_H
#define RUNBOOK_REPORT_H

#include "journal.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

/* The prose sections, one list: enum, JSON key, `note --kind` value (NULL: none), title. */
#define REPORT_SECTIONS(X)                                                 \
	X(SEC_SUMMARY, "summary", "summary", "Summary")                    \
	X(SEC_IMPACT, "impact", "impact", "Impact")                        \
	X(SEC_ROOT_CAUSE, "root_cause", "root-cause", "Root cause")        \
	X(SEC_TRIGGER, "trigger", "trigger", "Trigger")                    \
	X(SEC_RESOLUTION, "resolution", "resolution", "Resolution")        \
	X(SEC_DETECTION, "detection", "detection", "Detection")            \
	X(SEC_ACTION_ITEMS, "action_items", "action-item", "Action items") \
	X(SEC_LESSONS, "lessons", "lesson", "Lessons learned")             \
	X(SEC_NOTES, "notes", NULL, "Other notes")

enum report_section {
#define X(e, key, kind, title) e,
	REPORT_SECTIONS(X)
#undef X
	        SEC__LAST
};

/* The metrics of journal.md, one list: enum, JSON key, title, what ends the interval. */
#define REPORT_METRICS(X)                                                                  \
	X(MET_ACK, "time_to_acknowledge", "Time to acknowledge", "first answer or action") \
	X(MET_DIAGNOSE, "time_to_diagnose", "Time to diagnose", "first cause chosen")      \
	X(MET_MITIGATE, "time_to_mitigate", "Time to mitigate",                            \
	  "first verification that passed")                                                \
	X(MET_RESOLVE, "time_to_resolve", "Time to resolve", "incident closed")

enum report_metric_id {
#define X(e, key, title, until) e,
	REPORT_METRICS(X)
#undef X
	        MET__LAST
};

/* Bounds: what the model keeps in memory, whatever the journal holds. */
#define REPORT_MAX_ENTRIES 200 /* per section */
#define REPORT_MAX_PEOPLE 64
#define REPORT_MAX_WHERE 4 /* user@host per person */
#define REPORT_MAX_SEV 64
#define REPORT_MAX_HANDOFFS 64
#define REPORT_MAX_NORESULT 256
#define REPORT_TEXT_CAP 4000 /* bytes of one operator text in a section */

/* Roles of a responder: bit, the name in prose, the name in JSON; in display order. */
#define REPORT_ROLES(X)                                                           \
	X(ROLE_OPENED, 0x01, "opened", "opened")                                  \
	X(ROLE_LEAD, 0x02, "lead", "lead")               /* the lead now */       \
	X(ROLE_HANDED, 0x04, "handed off", "handed_off") /* handed the lead on */ \
	X(ROLE_RECEIVED, 0x08, "took the lead", "received_lead")                  \
	X(ROLE_ACTED, 0x20, "acted", "acted")    /* answered or ran an action */  \
	X(ROLE_NOTED, 0x40, "noted", "noted")    /* wrote a note */               \
	X(ROLE_CLOSED, 0x10, "closed", "closed") /* closed it, or was at the keyboard */

enum {
#define X(e, bit, text, json) e = bit,
	REPORT_ROLES(X)
#undef X
};

struct report_role {
	unsigned bit;
	const char *text;
	const char *json;
};

/* The roles in display order; ends with { 0, NULL, NULL }. */
extern const struct report_role report_roles[];

/* One entry of a prose section. Strings are owned by the report. */
struct report_entry {
	long long seq;
	char ts[32];
	char *operator;
	char *state;
	const char *source; /* "note", "answer", "resolve", "abandon", "followup", "journal" */
	char *text;         /* cleaned and bounded (REPORT_TEXT_CAP) */
	struct report_entry *next;
};

struct report_list {
	struct report_entry *head, *tail;
	size_t n;
	size_t dropped; /* entries past REPORT_MAX_ENTRIES (they are in the timeline) */
};

struct report_sev {
	long long seq;
	char ts[32];
	double t;
	char from[16], to[16];
	char *reason;
	char *operator;
};

struct report_handoff {
	long long seq;
	char ts[32];
	char *from, *to, *summary, *operator;
};

struct report_person {
	char *name;
	char *where[REPORT_MAX_WHERE]; /* "os_user@host" */
	size_t nwhere;
	char first[32], last[32];
	long long events;
	unsigned roles;
};

struct report_metric {
	int reached;
	double seconds;
	long long seq;
	char ts[32];
};

struct report_check;

struct report {
	struct journal *j;
	char id[JOURNAL_UUID_LEN + 1];
	char *title, *flow, *section, *opener;
	char severity0[16], severity[16];
	int closed;
	char *end;          /* verdict when closed */
	char *closed_by;    /* operator who closed it */
	int closed_by_hand; /* resolve/abandon rather than the flow */
	char opened[32], closed_ts[32], last_ts[32];
	double t_open, t_close, t_last;
	int dry_run;

	struct report_sev sev[REPORT_MAX_SEV];
	size_t nsev, sev_dropped;
	struct report_handoff handoffs[REPORT_MAX_HANDOFFS];
	size_t nhandoffs, handoffs_dropped;
	struct report_person people[REPORT_MAX_PEOPLE];
	size_t npeople, people_dropped;
	char *lead;

	struct report_list sec[SEC__LAST];
	struct report_metric met[MET__LAST];

	/* escalation and mitigation, first of each */
	int escalated;
	char escalated_ts[32];
	double t_escalated;
	char *escalated_reason;
	int mitigated;
	double t_mitigated;

	/* counts */
	long long events, states, probes, probes_failed, answers, notes, pauses;
	long long intents, results, refused, skipped, dry_runs, destructive, notified;
	/* intents without a result (the process ended): their seqs, and how many */
	long long noresult_seq[REPORT_MAX_NORESULT];
	size_t nnoresult;
	long long noresult_destructive;

	/* integrity: the incident's last event, the journal's verified head */
	long long first_seq, last_seq;
	unsigned char last_hash[JOURNAL_HASH_LEN];
	struct report_check *check; /* journal_verify, maybe running in a thread */
	int keyed;
};

/*
 * Read incident `id` (a full id) from j into r (r is overwritten; release it with
 * report_release). The whole journal is verified too: on vj, a second handle on the
 * same journal, in a thread while the report is built (vj may be NULL: then on j, when
 * report_verify is first called). vj stays the caller's; close it after report_release.
 * Returns 0, or -1 with the reason in err (no such incident, journal unreadable).
 */
int report_load(struct report *r, struct journal *j, struct journal *vj, const char *id,
                char *err, size_t errlen);

/* journal_verify of the whole journal, as started by report_load (waits for it). */
const struct jverify *report_verify(const struct report *r);

/* Free what report_load allocated; r may be zeroed. */
void report_release(struct report *r);

/* One event as the writers see it; everything is borrowed for the callback. */
struct report_event {
	const struct jevent *ev;
	cJSON *data;    /* the parsed data (an empty object when unparsable); see report_walk */
	double t;       /* epoch seconds of ev->ts */
	double elapsed; /* seconds since the incident opened */
	int no_result;  /* an action.intent that never got a result */
	int parsed;     /* data is ev->data parsed whole (else a stand-in empty object) */
};

typedef int (*report_event_cb)(const struct report *r, const struct report_event *e, void *ctx);

/*
 * Call cb for each of the incident's events in seq order. kinds: NULL for every event,
 * or a NULL-terminated list of kinds ("probe.result") and prefixes ending in '.'
 * ("action."); other events are skipped without parsing. Returns 0, cb's non-zero
 * value, or -1 (journal error).
 */
int report_each(const struct report *r, const char *const *kinds, report_event_cb cb,
                void *ctx);

/* One side of an action: its intent, or its result/refusal/skip. */
struct report_part {
	long long seq; /* 0: absent */
	char ts[32];
	double elapsed;
	const char *operator;
	const char *kind;
	const cJSON *data;
};

/* An action: an intent paired with its result, or a refusal or skip on its own. */
struct report_action {
	const char *state;
	const char *status; /* completed failed no_result refused skipped dry_run */
	int destructive;
	const char *reported_by; /* result typed by an operator after an interrupted run */
	struct report_part intent;
	struct report_part result;
};

typedef int (*report_action_cb)(const struct report *r, const struct report_action *a,
                                void *ctx);

/* Call cb for each action in order (the intent's order). Returns like report_each. */
int report_actions(const struct report *r, report_action_cb cb, void *ctx);

/* What one pass over the events feeds; any callback may be NULL. */
struct report_pass {
	report_action_cb on_action; /* each action, paired (as report_actions) */
	report_event_cb on_probe;   /* each probe.result */
	report_event_cb on_event;   /* every event, last: it may modify e->data */
	void *ctx;
};

/* One pass over the events for all three at once. Returns like report_each. */
int report_walk(const struct report *r, const struct report_pass *p);

/* ---- names (report.c) ---- */

const char *report_section_key(enum report_section s);
const char *report_section_title(enum report_section s);
/* The section a `note --kind` value files into, or -1 when no section takes it. */
int report_section_of_kind(const char *kind);
/* "impact, root-cause, ..." for messages. Static. */
const char *report_note_kinds(void);
const char *report_metric_key(enum report_metric_id m);
const char *report_metric_title(enum report_metric_id m);
const char *report_metric_until(enum report_metric_id m);

/* ---- text (report_text.c): every string a writer prints passes through these ---- */

/*
 * A malloc'd copy of s (NULL reads as "") that is valid UTF-8 (bad bytes become U+FFFD),
 * without control characters but newline and tab (others become U+FFFD; CR is
 * dropped), bidirectional overrides or C1 controls, and at most about cap bytes: a
 * longer text is cut on a character boundary and ends with
 * " … [truncated: N bytes in all]". Caller frees.
 */
char *report_clean(const char *s, size_t cap);

/*
 * A malloc'd, cleaned copy of a multi-line text showing at most head + tail lines (each
 * cut at line_cap bytes), with "… N lines folded …" between when lines were left
 * out. *nlines (may be NULL) receives the text's line count. Caller frees.
 */
char *report_fold(const char *s, int head, int tail, size_t line_cap, long *nlines);

/* Append raw cleaned (report_clean, cap) and escaped for HTML/XML text and attributes. */
struct buf;
void report_xml_escape(struct buf *b, const char *raw, size_t cap);

/* "+00:01:02.500" (elapsed since opening). */
void report_elapsed(double seconds, char *out, size_t outlen);
/* "2 min 05 s", "1 h 02 min", "12.5 s". */
void report_duration(double seconds, char *out, size_t outlen);

/* The string at key in d, or NULL. Borrowed. */
const char *report_str(const cJSON *d, const char *key);

/*
 * One line saying what an event was: "probe.result fail: HTTP 500 in 3 ms" style
 * detail from its kind and data (not cleaned). Caller frees.
 */
char *report_event_text(const struct report_event *e);

/* The outcome an event carries ("ok", "fail", "refused", ...), or "". Borrowed. */
const char *report_event_outcome(const struct report_event *e);

/*
 * The long text an event carries (command output, a response body, a multi-line
 * note, an alert's text), or NULL; *label says which ("output"). Borrowed.
 */
const char *report_event_block(const struct report_event *e, const char **label);

/*
 * The figures of a data object, flattened: "status=500 timing.total_ms=3.2 ..."
 * without outcome/ok/summary and the long texts, strings cut at 120 bytes; appended
 * to b separated by sep (not cleaned).
 */
void report_figures(const cJSON *d, struct buf *b, const char *sep);

/* What an action ran and on which target: "railway service restart --service api on
 * service 'api'" (not cleaned). Caller frees. */
char *report_action_text(const struct report_action *a);

/* ---- writers: 0, or -1 (journal or write error; err says which) ---- */

struct report_opts {
	const char *stamp; /* "exported 2026-12-04T03:00:00.000Z by alice", or NULL */
};

int report_write_md(const struct report *r, FILE *out, const struct report_opts *o);
int report_write_json(const struct report *r, FILE *out, const struct report_opts *o);
int report_write_html(const struct report *r, FILE *out, const struct report_opts *o);
/*
 * The timeline picture (inline SVG, no scripts), for report_html.c: begin writes the
 * axis and the severity row to out, event draws one event's part (feed every event in
 * order), end closes it with the legend and frees s (0, or -1 on a write error).
 */
struct report_svg;
struct report_svg *report_svg_begin(const struct report *r, FILE *out);
void report_svg_event(struct report_svg *s, const struct report_event *e);
int report_svg_end(struct report_svg *s);
/* The three above in one pass of their own. */
int report_write_svg(const struct report *r, FILE *out);

/* Copy the temporary file tmp (rewound) to out and close it: 0, or -1. (report_text.c) */
int report_copy_tmp(FILE *tmp, FILE *out);

#endif
