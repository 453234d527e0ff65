/*
 * engine.c - runs a flow's table as a state machine.
 *
 * run_enter() is the one function that changes state, and run_log() the one writer of
 * flow events: every move and every result reaches the journal through them, redacted,
 * before the screen shows it.
 */
#include "engine_int.h"

#include "config.h"
#include "journal.h"
#include "notify.h"
#include "redact.h"
#include "term.h"
#include "util.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

volatile int engine_abort;
static volatile sig_atomic_t pause_journaled;
static volatile sig_atomic_t hurry;
static struct timespec first_sigint;

static void on_sigint(int sig)
{
	struct timespec now;

	(void)sig;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (engine_abort && now.tv_sec - first_sigint.tv_sec < 2) {
		if (pause_journaled)
			_exit(EXIT_PAUSED);
		hurry = 1;
		return;
	}
	engine_abort = 1;
	first_sigint = now;
}

static void install_sigint(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: poll and read return EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* ---- the step API of flow.h ---- */

const struct config *run_config(struct run *r)
{
	return r->cfg;
}

const char *run_incident(struct run *r)
{
	return r->incident;
}

const char *run_short_id(struct run *r)
{
	return r->short_id;
}

const char *run_operator(struct run *r)
{
	return r->operator;
}

const char *run_severity(struct run *r)
{
	return r->severity;
}

const cJSON *run_finding(struct run *r, const char *state_id)
{
	return cJSON_GetObjectItemCaseSensitive(r->findings, state_id);
}

const char *run_answer(struct run *r, const char *state_id)
{
	const char *v = answers_peek(&r->typed, state_id);

	return v ? v : answers_peek(r->answers, state_id);
}

int run_dry(struct run *r)
{
	return r->dry;
}

volatile int *run_abort_flag(struct run *r)
{
	(void)r;
	return &engine_abort;
}

void run_doing(struct run *r, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	term_busy_start(r->t, what);
}

long run_timeout_ms(struct run *r, const char *section)
{
	char key[96];
	double def = config_num(r->cfg, "timing.probe_timeout_ms", 5000);

	snprintf(key, sizeof(key), "%s.timeout_ms", section);
	return (long)config_num(r->cfg, key, def);
}

int run_set_severity(struct run *r, const char *severity, const char *reason)
{
	cJSON *d;

	if (strcmp(r->severity, severity) == 0)
		return 0;
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "from", r->severity);
	cJSON_AddStringToObject(d, "to", severity);
	cJSON_AddStringToObject(d, "reason", reason);
	if (run_log(r, "severity.changed", d) < 0)
		return -1;
	term_alert(r->t, "severity %s %s %s: %s", r->severity, term_arrow(r->t), severity,
	           reason);
	snprintf(r->severity, sizeof(r->severity), "%s", severity);
	return 0;
}

/* ---- journaling ---- */

/* Journal one event of this incident at the current state; consumes data. */
int run_log(struct run *r, const char *kind, cJSON *data)
{
	char *text;
	int rc;

	if (data == NULL)
		data = cJSON_CreateObject();
	run_note_failure(r, r->cur ? r->cur->id : "", kind, data);
	redact_json(data);
	text = cJSON_PrintUnformatted(data);
	cJSON_Delete(data);
	rc = journal_append(r->j, r->incident, r->flow->name, r->cur ? r->cur->id : "", kind,
	                    text, NULL);
	free(text);
	if (rc < 0) {
		r->journal_failed = 1;
		term_busy_stop(r->t);
		fprintf(stderr, "runbook: %s\n", journal_errmsg(r->j));
		return -1;
	}
	return 0;
}

void run_outcome(struct run *r, const char *name)
{
	snprintf(r->outcome, sizeof(r->outcome), "%s", name ? name : "");
}

/* The one state change: journal state.entered, then show the step header. */
int run_enter(struct run *r, const struct state *s)
{
	cJSON *d = cJSON_CreateObject();
	char reason[256] = "";
	const char *sug = NULL;

	if (s->kind == KIND_CHOICE && s->suggest != NULL)
		sug = s->suggest(r, s, reason, sizeof(reason));
	cJSON_AddStringToObject(d, "kind", state_kind_name(s->kind));
	cJSON_AddNumberToObject(d, "step", r->step_no + 1);
	if (sug != NULL) {
		cJSON_AddStringToObject(d, "suggested", sug);
		cJSON_AddStringToObject(d, "reason", reason);
	}
	r->cur = s;
	r->entered = clock_wall();
	r->step_no++;
	r->attempts = 0;
	cJSON_Delete(r->entry_data);
	r->entry_data = cJSON_Duplicate(d, 1);
	cJSON_Delete(r->resume_result);
	r->resume_result = NULL;
	cJSON_Delete(r->open_intent);
	r->open_intent = NULL;
	if (run_log(r, "state.entered", d) < 0)
		return -1;
	if (s->kind != KIND_END) {
		term_status(r->t, r->short_id, r->flow->name, r->severity,
		            clock_wall() - r->opened, r->operator);
		term_step(r->t, r->step_no, s->id, s->section, s->title,
		          (s->flags & ST_DESTRUCTIVE) != 0);
	}
	return 0;
}

/* ---- the escalation timer ---- */

static char *notify_text(struct run *r, const char *what)
{
	char el[32];

	duration_format(clock_wall() - r->opened, el, sizeof(el));
	return xasprintf("[runbook] INC %s · %s · %s · state %s · %s elapsed · %s: %s",
	                 r->short_id, r->flow->name, r->severity, r->cur ? r->cur->id : "-", el,
	                 r->title, what);
}

/*
 * Post to the alert channel, journal notify.sent/failed/skipped. A post that is the
 * current notify state's result (own) journals its outcome when sent or skipped
 * (`outcome`, or "sent" / "skipped" when NULL), so a resumed run knows it and does not
 * post again; a failed post and the timer's post journal none. Returns 1 when sent.
 */
static int run_notify_outcome(struct run *r, const char *what, const char *outcome, int own)
{
	const char *url = config_str(r->cfg, "alerts.webhook_url");
	char *text = notify_text(r, what);
	cJSON *d = cJSON_CreateObject();
	struct notify_result nr;
	int sent = 0;

	cJSON_AddStringToObject(d, "text", text);
	cJSON_AddStringToObject(d, "channel", config_str_or(r->cfg, "alerts.channel", ""));
	if (own && outcome == NULL)
		outcome = "skipped"; /* "sent" once the post succeeds */
	if (r->dry) {
		if (own)
			cJSON_AddStringToObject(d, "outcome", outcome);
		cJSON_AddStringToObject(d, "reason", "dry run: nothing posted");
		run_log(r, "notify.skipped", d);
		term_line(r->t, "alert not posted (dry run): %s", text);
	} else if (url == NULL) {
		cJSON_AddStringToObject(d, "reason",
		                        config_why_missing(r->cfg, "alerts.webhook_url"));
		if (own)
			cJSON_AddStringToObject(d, "outcome", outcome);
		run_log(r, "notify.skipped", d);
		term_alert(r->t,
		           "no alert channel configured (alerts.webhook_url): tell the team "
		           "yourself");
	} else {
		term_busy_start(r->t, "Posting to the alert channel");
		notify_post(url, text, run_timeout_ms(r, "alerts"), 3, &engine_abort, &nr);
		term_busy_stop(r->t);
		cJSON_AddNumberToObject(d, "attempts", nr.attempts);
		cJSON_AddNumberToObject(d, "status", (double)nr.status);
		cJSON_AddNumberToObject(d, "ms", nr.ms);
		/* a plain notify state's failed post has none: a resume posts again */
		if (own && (nr.sent || strcmp(outcome, "skipped") != 0))
			cJSON_AddStringToObject(d, "outcome",
			                        strcmp(outcome, "skipped") == 0 ? "sent"
			                                                        : outcome);
		if (nr.sent) {
			run_log(r, "notify.sent", d);
			term_mark(r->t, 1, "posted to %s",
			          config_str_or(r->cfg, "alerts.channel", "the alert channel"));
			sent = 1;
		} else {
			cJSON_AddStringToObject(d, "error", nr.error);
			run_log(r, "notify.failed", d);
			term_alert(r->t, "ALERT NOT DELIVERED: %s. Tell the team another way.",
			           nr.error);
		}
	}
	free(text);
	return sent;
}

static int run_notify(struct run *r, const char *what)
{
	return run_notify_outcome(r, what, NULL, 0);
}

/* Called between steps and about once a second while waiting. */
void run_tick(void *ctx)
{
	struct run *r = ctx;
	double after = config_num(r->cfg, "thresholds.escalate_after_min", 5);
	double el = clock_wall() - r->opened;
	cJSON *d;
	int sent;

	if (r->flow->routine || r->escalated || r->closed || r->journal_failed || after <= 0 ||
	    el < after * 60)
		return;
	r->escalated = 1;
	term_busy_stop(r->t);
	term_alert(r->t, "still open after %.1f min (runbook §4.1: %g min): escalating",
	           el / 60, after);
	sent = run_notify(r, "still open: escalating (runbook §4.1)");
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "reason", "timer");
	cJSON_AddNumberToObject(d, "after_min", after);
	cJSON_AddNumberToObject(d, "elapsed_s", el);
	cJSON_AddBoolToObject(d, "posted", sent);
	run_log(r, "incident.escalated", d);
}

/* Escalation by the flow's own notify state. */
int run_escalate_state(struct run *r);
int run_escalate_state(struct run *r)
{
	return run_escalate_text(r, r->cur->title, NULL);
}

/* The same with the text to post and the outcome to journal with it (notify hooks). */
int run_escalate_text(struct run *r, const char *what, const char *outcome)
{
	int sent = run_notify_outcome(r, what, outcome, 1);
	cJSON *d;

	if (r->journal_failed)
		return -1;
	if ((r->cur->flags & ST_ESCALATES) && !r->escalated) {
		r->escalated = 1;
		d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "reason", "flow");
		cJSON_AddNumberToObject(d, "elapsed_s", clock_wall() - r->opened);
		cJSON_AddBoolToObject(d, "posted", sent);
		if (run_log(r, "incident.escalated", d) < 0)
			return -1;
	}
	return sent;
}

/* ---- pausing ---- */

int run_pause(struct run *r, const struct state *s, const char *why, const char *const *options,
              const char *suggested)
{
	cJSON *d = cJSON_CreateObject();
	cJSON *opts = cJSON_AddArrayToObject(d, "options");
	struct buf b;

	term_busy_stop(r->t);
	cJSON_AddStringToObject(d, "pause", why);
	cJSON_AddStringToObject(d, "waiting_for", s->id);
	buf_init(&b, 4096);
	for (size_t i = 0; options != NULL && options[i] != NULL; i++) {
		cJSON_AddItemToArray(opts, cJSON_CreateString(options[i]));
		if (r->res->noptions < 16)
			snprintf(r->res->options[r->res->noptions++],
			         sizeof(r->res->options[0]), "%s", options[i]);
		buf_printf(&b, "%s%s", i ? ", " : "", options[i]);
	}
	if (suggested != NULL)
		cJSON_AddStringToObject(d, "suggested", suggested);
	if (run_log(r, "note", d) < 0) {
		buf_release(&b);
		return STEP_JOURNAL;
	}
	pause_journaled = 1;
	r->res->paused = 1;
	r->res->waiting = s;
	snprintf(r->res->waiting_state, sizeof(r->res->waiting_state), "%s", s->id);
	snprintf(r->res->suggested, sizeof(r->res->suggested), "%s",
	         suggested ? suggested : "");
	term_line(r->t, "paused: %s at '%s'%s%s%s", why, s->id, b.len ? " (options: " : "",
	          b.len ? b.p : "", b.len ? ")" : "");
	if (strcmp(why, "interrupted") == 0)
		term_line(r->t, "continue with: runbook resume %s", r->short_id);
	else if (strcmp(why, "waiting for a typed confirmation") == 0) /* only the gate */
		term_line(r->t, "continue with: runbook resume %s --confirm %s", r->short_id,
		          options && options[0] ? options[0] : "TARGET");
	else
		term_line(r->t, "continue with: runbook resume %s --answer %s=%s", r->short_id,
		          s->id,
		          suggested                ? suggested
		          : options && options[0]  ? options[0]
		          : s->kind == KIND_ACTION ? "done" /* done by hand */
		                                   : "…");
	buf_release(&b);
	if (hurry)
		_exit(EXIT_PAUSED);
	return STEP_PAUSE;
}

int run_interrupted(struct run *r)
{
	(void)r;
	return engine_abort != 0;
}

/* ---- the end ---- */

struct summary {
	struct buf done;
	struct buf follow;
	const struct flow *flow;
};

static int summary_cb(const struct jevent *ev, void *ctx)
{
	struct summary *s = ctx;
	cJSON *d;
	const cJSON *o, *f;

	if (strncmp(ev->kind, "action.", 7) != 0 && strcmp(ev->kind, "prompt.answered") != 0)
		return 0;
	d = cJSON_Parse(ev->data);
	o = cJSON_GetObjectItemCaseSensitive(d, "outcome");
	f = cJSON_GetObjectItemCaseSensitive(d, "followup");
	if (strcmp(ev->kind, "action.result") == 0 || strcmp(ev->kind, "action.refused") == 0 ||
	    strcmp(ev->kind, "action.skipped") == 0)
		buf_printf(&s->done, "%s%s (%s)", s->done.len ? ", " : "", ev->state,
		           cJSON_IsString(o) ? o->valuestring : ev->kind + 7);
	else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "fallback")) &&
	         flow_state(s->flow, ev->state) != NULL &&
	         flow_state(s->flow, ev->state)->kind == KIND_ACTION)
		buf_printf(&s->done, "%s%s (by hand)", s->done.len ? ", " : "", ev->state);
	if (cJSON_IsString(f))
		buf_printf(&s->follow, "%s%s", s->follow.len ? "; " : "", f->valuestring);
	cJSON_Delete(d);
	return 0;
}

static int exec_end(struct run *r)
{
	const char *end = r->cur->end;
	cJSON *d = cJSON_CreateObject();
	struct summary sm;
	char el[32];
	double elapsed = clock_wall() - r->opened;

	/* flows.md: a success end with no failure seen is false_alarm, else resolved */
	if (strcmp(end, "resolved") == 0 && !r->flow->routine && !r->failure_seen)
		end = "false_alarm";
	else if (strcmp(end, "false_alarm") == 0 && r->failure_seen)
		end = "resolved";
	cJSON_AddStringToObject(d, "end", end);
	cJSON_AddNumberToObject(d, "elapsed_s", elapsed);
	if (run_log(r, "incident.closed", d) < 0)
		return STEP_JOURNAL;
	r->closed = 1;
	snprintf(r->end, sizeof(r->end), "%s", end);

	buf_init(&sm.done, 4096);
	buf_init(&sm.follow, 4096);
	sm.flow = r->flow;
	journal_events(r->j, r->incident, 0, summary_cb, &sm);
	duration_format(elapsed, el, sizeof(el));
	term_printf(r->t, "\n");
	term_mark(r->t, strcmp(end, "escalated") != 0, "%s %s INC %s %s time to close %s", end,
	          term_dot(r->t), r->short_id, term_dot(r->t), el);
	if (strcmp(end, "false_alarm") == 0) /* the flow's own words for it, when it has them */
		term_line(r->t, "%s: nothing to fix",
		          strcmp(r->cur->end, "false_alarm") == 0 ? r->cur->title
		                                                  : "no failure seen");
	else if (strncmp(end, "handed_to:", 10) == 0)
		term_line(r->t, "%s: continue with `runbook start %s`", r->cur->title,
		          end + 10);
	term_line(r->t, "done: %s", sm.done.len ? sm.done.p : "no actions");
	if (sm.follow.len)
		term_line(r->t, "follow-up: %s", sm.follow.p);
	term_line(r->t, "next: runbook export %s   runbook show %s", r->short_id, r->short_id);
	buf_release(&sm.done);
	buf_release(&sm.follow);
	return STEP_END;
}

/* ---- the loop ---- */

static int run_loop(struct run *r)
{
	for (;;) {
		const char *next_id;
		const struct state *next;
		int rc;

		if (r->journal_failed)
			return EXIT_JOURNAL;
		if (engine_abort) {
			rc = run_pause(r, r->cur, "interrupted", NULL, NULL);
			return rc == STEP_JOURNAL ? EXIT_JOURNAL : EXIT_PAUSED;
		}
		run_tick(r);
		if (r->journal_failed)
			return EXIT_JOURNAL;
		rc = r->cur->kind == KIND_END ? exec_end(r) : exec_state(r);
		switch (rc) {
		case STEP_END:
			return EXIT_OK;
		case STEP_PAUSE:
			return EXIT_PAUSED;
		case STEP_JOURNAL:
			return EXIT_JOURNAL;
		case STEP_FAIL:
			return EXIT_FAIL;
		default:
			break;
		}
		if (r->journal_failed)
			return EXIT_JOURNAL;
		if (engine_abort) {
			rc = run_pause(r, r->cur, "interrupted", NULL, NULL);
			return rc == STEP_JOURNAL ? EXIT_JOURNAL : EXIT_PAUSED;
		}
		next_id = state_next(r->cur, r->outcome);
		next = next_id ? flow_state(r->flow, next_id) : NULL;
		if (next == NULL) {
			fprintf(stderr,
			        "runbook: flow '%s': state '%s' has no transition for outcome "
			        "'%s'\n",
			        r->flow->name, r->cur->id, r->outcome);
			return EXIT_FAIL;
		}
		if (run_enter(r, next) < 0)
			return EXIT_JOURNAL;
	}
}

static void run_init(struct run *r, struct journal *j, const struct config *c,
                     const struct engine_opts *o, struct engine_result *res)
{
	memset(r, 0, sizeof(*r));
	memset(res, 0, sizeof(*res));
	r->j = j;
	r->cfg = c;
	r->flow = o->flow;
	r->t = o->term;
	r->answers = o->answers;
	r->confirm = o->confirm;
	r->dry = o->dry_run;
	r->operator= o->operator;
	r->findings = cJSON_CreateObject();
	r->res = res;
	engine_abort = 0;
	pause_journaled = 0;
	hurry = 0;
	install_sigint();
}

static int run_finish(struct run *r, int rc)
{
	struct engine_result *res = r->res;

	term_busy_stop(r->t);
	snprintf(res->incident, sizeof(res->incident), "%s", r->incident);
	snprintf(res->flow, sizeof(res->flow), "%s", r->flow ? r->flow->name : "");
	snprintf(res->state, sizeof(res->state), "%s", r->cur ? r->cur->id : "");
	res->closed = r->closed;
	snprintf(res->end, sizeof(res->end), "%s", r->end);
	cJSON_Delete(r->findings);
	cJSON_Delete(r->entry_data);
	cJSON_Delete(r->resume_result);
	cJSON_Delete(r->open_intent);
	answers_release(&r->typed);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	return rc;
}

int engine_start(struct journal *j, const struct config *c, const struct engine_opts *o,
                 int json, struct engine_result *res)
{
	struct run r;
	cJSON *d;

	run_init(&r, j, c, o, res);
	uuid_new(r.incident);
	snprintf(r.short_id, sizeof(r.short_id), "%.8s", r.incident);
	snprintf(r.severity, sizeof(r.severity), "%s",
	         o->severity ? o->severity : o->flow->severity);
	snprintf(r.title, sizeof(r.title), "%s", o->title ? o->title : o->flow->summary);
	r.opened = clock_wall();

	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "title", r.title);
	cJSON_AddStringToObject(d, "severity", r.severity);
	cJSON_AddStringToObject(d, "section", o->flow->section);
	if (r.dry)
		cJSON_AddTrueToObject(d, "dry_run");
	if (config_file(c) != NULL)
		cJSON_AddStringToObject(d, "config", config_file(c));
	if (run_log(&r, "incident.opened", d) < 0)
		return run_finish(&r, EXIT_JOURNAL);
	if (!json) {
		printf("%s\n", r.incident);
		fflush(stdout);
	}
	if (run_enter(&r, &o->flow->states[0]) < 0)
		return run_finish(&r, EXIT_JOURNAL);
	return run_finish(&r, run_loop(&r));
}

/* ---- the latest handoff's briefing, shown first on resume ---- */

static int handoff_cb(const struct jevent *ev, void *ctx)
{
	cJSON **last = ctx;

	if (strcmp(ev->kind, "handoff") != 0)
		return 0;
	cJSON_Delete(*last);
	*last = cJSON_Parse(ev->data);
	if (*last != NULL)
		cJSON_AddStringToObject(*last, "ts", ev->ts);
	return 0;
}

static const char *handoff_str(const cJSON *h, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, key));

	return v ? v : "?";
}

static void show_list(struct run *r, const char *label, const cJSON *arr)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, arr)
	{
		if (cJSON_IsString(v))
			term_line(r->t, "%-10s %s", label, v->valuestring);
		label = "";
	}
}

/* Print the incident's latest handoff (who, when, the briefing), if there is one. */
static void show_handoff(struct run *r)
{
	cJSON *h = NULL;
	const cJSON *br, *v;

	if (journal_events(r->j, r->incident, 0, handoff_cb, &h) < 0 || h == NULL) {
		cJSON_Delete(h);
		return;
	}
	br = cJSON_GetObjectItemCaseSensitive(h, "briefing");
	term_printf(r->t, "handoff %s %s %s %s %s\n", handoff_str(h, "from"), term_arrow(r->t),
	            handoff_str(h, "to"), term_dot(r->t), handoff_str(h, "ts"));
	v = cJSON_GetObjectItemCaseSensitive(h, "summary");
	if (cJSON_IsString(v))
		term_line(r->t, "%-10s %s", "summary", v->valuestring);
	v = cJSON_GetObjectItemCaseSensitive(br, "state");
	if (cJSON_IsString(v))
		term_line(r->t, "%-10s %s", "state", v->valuestring);
	show_list(r, "ruled out", cJSON_GetObjectItemCaseSensitive(br, "ruled_out"));
	show_list(r, "found", cJSON_GetObjectItemCaseSensitive(br, "found"));
	show_list(r, "done", cJSON_GetObjectItemCaseSensitive(br, "done"));
	term_printf(r->t, "\n");
	cJSON_Delete(h);
}

int engine_resume(struct journal *j, const struct config *c, const struct engine_opts *o,
                  struct engine_result *res)
{
	struct run r;
	char err[256];

	run_init(&r, j, c, o, res);
	snprintf(r.incident, sizeof(r.incident), "%s", o->incident);
	snprintf(r.short_id, sizeof(r.short_id), "%.8s", r.incident);
	if (run_load(&r, err, sizeof(err)) < 0) {
		fprintf(stderr, "runbook: %s\n", err);
		return run_finish(&r, r.journal_failed ? EXIT_JOURNAL : EXIT_USAGE);
	}
	if (r.closed) {
		fprintf(stderr, "runbook: incident '%s' is closed (%s)\n", r.short_id, r.end);
		return run_finish(&r, EXIT_USAGE);
	}
	show_handoff(&r);
	if (r.cur == NULL) {
		if (run_enter(&r, &r.flow->states[0]) < 0)
			return run_finish(&r, EXIT_JOURNAL);
	} else {
		term_status(r.t, r.short_id, r.flow->name, r.severity, clock_wall() - r.opened,
		            r.operator);
		term_printf(r.t, "resuming at step %d %s %s\n", r.step_no, term_dot(r.t),
		            r.cur->id);
		term_step(r.t, r.step_no, r.cur->id, r.cur->section, r.cur->title,
		          (r.cur->flags & ST_DESTRUCTIVE) != 0);
	}
	return run_finish(&r, run_loop(&r));
}
