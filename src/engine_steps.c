/* engine_steps.c - what the engine does in each kind of state. */
#include "engine_int.h"

#include "config.h"
#include "term.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CHOICES 16

int run_escalate_state(struct run *r);

static const char *const recovery[] = {"completed", "failed", "rerun", NULL};
static const char *const recovery_text[] = {"it ran to the end", "it failed or was stopped",
                                            "run it again (after checking)", NULL};

/*
 * Outcome names that say "nothing wrong here" when the operator answers a probe or wait
 * by hand (its manual fallback): any other answer (fail, db_fail, timeout, a note taking
 * "other") means the incident saw a failure, as a failing probe.result does.
 */
static const char *const healthy_outcomes[] = {"ok",    "done", "normal", "clean",
                                               "quiet", "none", "equal",  NULL};

static int answer_is_failure(const struct state *s, const char *outcome)
{
	if (s == NULL)
		return 0;
	if (s->kind == KIND_ACTION) /* done by hand: there was something to fix */
		return 1;
	if (s->kind != KIND_PROBE && s->kind != KIND_WAIT)
		return 0;
	for (size_t i = 0; healthy_outcomes[i] != NULL; i++)
		if (strcmp(healthy_outcomes[i], outcome) == 0)
			return 0;
	return 1;
}

void run_note_failure(struct run *r, const char *state, const char *kind, const cJSON *data)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(data, "outcome");

	if (strcmp(kind, "action.intent") == 0 || strcmp(kind, "action.result") == 0 ||
	    (strcmp(kind, "probe.result") == 0 &&
	     cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(data, "ok"))) ||
	    (strcmp(kind, "prompt.answered") == 0 &&
	     cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(data, "fallback")) &&
	     cJSON_IsString(o) &&
	     answer_is_failure(flow_state(r->flow, state), o->valuestring)))
		r->failure_seen = 1;
}

/* Index of name in choices, else -1. */
static int choice_index(const char *const *choices, const char *name)
{
	for (int i = 0; choices != NULL && choices[i] != NULL; i++)
		if (strcmp(choices[i], name) == 0)
			return i;
	return -1;
}

int run_ask(struct run *r, const struct state *s, const char *const *choices,
            const char *const *texts, const char *suggested, const char *why, char *ans,
            size_t len, const char **source)
{
	const char *pre = answers_take(r->answers, s->id);
	char line[1024];

	if (pre != NULL) {
		if (choices != NULL && choice_index(choices, pre) < 0 &&
		    (s->kind == KIND_CHOICE || choices == recovery)) {
			fprintf(stderr, "runbook: '%s' is not an answer of '%s' here\n", pre,
			        s->id);
			return STEP_FAIL;
		}
		snprintf(ans, len, "%s", pre);
		*source = "answer";
		term_line(r->t, "answer: %s (given with --answer)", pre);
		return STEP_OK;
	}
	if ((s->flags & ST_AUTO) && suggested != NULL) {
		snprintf(ans, len, "%s", suggested);
		*source = "probe";
		term_line(r->t, "answer: %s (from the findings: %s)", suggested,
		          why ? why : "");
		return STEP_OK;
	}
	if (!r->t->interactive)
		return run_pause(r, s, "waiting for an answer", choices, suggested);

	*source = "terminal";
	/* beside its options, a state whose table has "*" takes Enter (= done) or a note;
	 * one whose table names "done" takes Enter; a choice takes only its options */
	int with_note =
	        s->kind != KIND_CHOICE && choices != recovery && state_names_outcome(s, "*");
	int with_done = with_note || (s->kind != KIND_CHOICE && choices != recovery &&
	                              state_names_outcome(s, "done"));

	for (;;) {
		int def = suggested ? choice_index(choices, suggested) : -1;
		char prompt[96];
		enum read_status st;

		if (choices != NULL) {
			for (int i = 0; choices[i] != NULL; i++)
				term_option(r->t, i + 1, choices[i], texts ? texts[i] : "",
				            i == def, why);
			if (def >= 0)
				snprintf(prompt, sizeof(prompt), "answer [%d]: ", def + 1);
			else if (with_note)
				snprintf(prompt, sizeof(prompt),
				         "answer (Enter = done, or type a note): ");
			else if (with_done)
				snprintf(prompt, sizeof(prompt), "answer (Enter = done): ");
			else
				snprintf(prompt, sizeof(prompt), "answer: ");
		} else {
			snprintf(prompt, sizeof(prompt), "Enter = done, or type a note: ");
		}
		st = term_read_line(r->t, prompt, line, sizeof(line), run_abort_flag(r),
		                    run_tick, r);
		if (st == READ_INTERRUPTED)
			return run_pause(r, s, "interrupted", choices, suggested);
		if (st == READ_EOF) {
			term_printf(r->t, "\n");
			return run_pause(r, s, "waiting for an answer", choices, suggested);
		}
		if (choices == NULL) {
			snprintf(ans, len, "%s", line[0] ? line : "done");
			return STEP_OK;
		}
		if (line[0] == '\0' && def >= 0) {
			snprintf(ans, len, "%s", choices[def]);
			return STEP_OK;
		}
		{
			long n;
			int count = 0;

			while (choices[count] != NULL)
				count++;
			if (parse_long(line, 1, count, &n) == 0) {
				snprintf(ans, len, "%s", choices[n - 1]);
				return STEP_OK;
			}
		}
		if (choice_index(choices, line) >= 0) {
			snprintf(ans, len, "%s", line);
			return STEP_OK;
		}
		if ((line[0] == '\0' && with_done) || (line[0] != '\0' && with_note)) {
			snprintf(ans, len, "%s", line[0] ? line : "done");
			return STEP_OK;
		}
		{
			struct buf b;

			buf_init(&b, 512);
			for (int i = 0; choices[i] != NULL; i++)
				buf_printf(&b, "%s%s", i ? ", " : "", choices[i]);
			term_line(r->t,
			          "'%s' is not an answer here: type a number or one of: %s%s",
			          line, b.p ? b.p : "", with_done ? " (Enter = done)" : "");
			buf_release(&b);
		}
	}
}

/* Journal prompt.answered for s: answer, outcome, where it came from. */
static int log_answer(struct run *r, const char *answer, const char *outcome,
                      const char *source, cJSON *extra)
{
	cJSON *d = extra ? extra : cJSON_CreateObject();

	cJSON_AddStringToObject(d, "answer", answer);
	cJSON_AddStringToObject(d, "outcome", outcome);
	cJSON_AddStringToObject(d, "source", source);
	run_outcome(r, outcome);
	return run_log(r, "prompt.answered", d) < 0 ? STEP_JOURNAL : STEP_OK;
}

/* A step that cannot run here: show the runbook's words and ask, as a manual state. */
static int manual_fallback(struct run *r, const struct state *s, const char *missing)
{
	const char *choices[MAX_CHOICES];
	char ans[1024];
	const char *source = NULL;
	int n = (int)state_fallback_choices(s, choices, MAX_CHOICES);
	const char *outcome;
	int rc;
	cJSON *d;

	term_line(r->t, "cannot run this step here: %s", missing);
	term_line(r->t, "%s", s->text);
	rc = run_ask(r, s, n ? choices : NULL, NULL, NULL, NULL, ans, sizeof(ans), &source);
	if (rc != STEP_OK)
		return rc;
	d = cJSON_CreateObject();
	cJSON_AddTrueToObject(d, "fallback");
	cJSON_AddStringToObject(d, "missing", missing);
	if (n && choice_index(choices, ans) >= 0) {
		outcome = ans;
	} else if (s->kind == KIND_ACTION &&
	           (strcmp(ans, "done") == 0 || strcmp(ans, "completed") == 0)) {
		/* the operator did the action by hand: its "ok" branch when it has one */
		outcome = state_names_outcome(s, "ok") ? "ok" : "done";
	} else {
		/* free text (only a state with a "*" transition takes it): a note, and "*";
		 * a bare "done" (Enter) is an acknowledgement, as at a manual state */
		if (strcmp(ans, "done") != 0)
			cJSON_AddStringToObject(d, "note", ans);
		outcome = n ? "other" : "done";
	}
	return log_answer(r, ans, outcome, source, d);
}

/* The outcome already journaled for the current state (resume), if any. */
static int resumed(struct run *r)
{
	const cJSON *o;

	if (r->resume_result == NULL)
		return 0;
	o = cJSON_GetObjectItemCaseSensitive(r->resume_result, "outcome");
	if (!cJSON_IsString(o))
		return 0;
	run_outcome(r, o->valuestring);
	term_line(r->t, "already done before the pause: outcome %s", o->valuestring);
	return 1;
}

static void mitigated(struct run *r)
{
	cJSON *d;

	if (r->mitigated || !(r->cur->flags & ST_VERIFY))
		return;
	r->mitigated = 1;
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "by", r->cur->id);
	run_log(r, "incident.mitigated", d);
}

/* Run the probe once; journal probe.result. Returns STEP_* and sets r->outcome. */
static int probe_once(struct run *r, const struct state *s, int attempt, int *ok)
{
	struct outcome out;
	cJSON *d;

	memset(&out, 0, sizeof(out));
	s->probe(r, s, &out);
	term_busy_stop(r->t);
	if (out.fallback) {
		cJSON_Delete(out.data);
		return manual_fallback(r, s, out.missing);
	}
	if (run_interrupted(r)) { /* the probe was cut short: nothing to record */
		cJSON_Delete(out.data);
		return run_pause(r, s, "interrupted", NULL, NULL);
	}
	d = out.data ? out.data : cJSON_CreateObject();
	cJSON_AddStringToObject(d, "outcome", out.name);
	cJSON_AddBoolToObject(d, "ok", !out.failed);
	cJSON_AddStringToObject(d, "summary", out.summary);
	if (attempt > 0)
		cJSON_AddNumberToObject(d, "attempt", attempt);
	cJSON_DeleteItemFromObjectCaseSensitive(r->findings, s->id);
	cJSON_AddItemToObject(r->findings, s->id, cJSON_Duplicate(d, 1));
	run_outcome(r, out.name);
	if (run_log(r, "probe.result", d) < 0)
		return STEP_JOURNAL;
	if (attempt > 0)
		term_mark(r->t, !out.failed, "attempt %d: %s", attempt, out.summary);
	else
		term_mark(r->t, !out.failed, "%s", out.summary);
	*ok = !out.failed;
	if (!out.failed)
		mitigated(r);
	return STEP_OK;
}

static int exec_probe(struct run *r, const struct state *s)
{
	int ok;

	if (resumed(r))
		return STEP_OK;
	return probe_once(r, s, 0, &ok);
}

static int exec_wait(struct run *r, const struct state *s)
{
	double interval = config_num(r->cfg, s->interval_key, s->interval_def);
	double timeout = config_num(r->cfg, s->timeout_key, s->timeout_def) *
	                 (s->timeout_scale > 0 ? s->timeout_scale : 1);
	double deadline = r->entered + timeout;

	if (resumed(r))
		return STEP_OK;
	term_line(r->t, "%s (every %g s, up to %g s)", s->text, interval, timeout);
	for (;;) {
		int ok = -1; /* stays -1 when the step fell back to a manual answer */
		int rc = probe_once(r, s, ++r->attempts, &ok);
		double left;

		if (rc != STEP_OK)
			return rc;
		if (ok < 0) { /* answered by hand: the answer is the outcome (ok, timeout) */
			if (strcmp(r->outcome, "ok") == 0)
				mitigated(r);
			return STEP_OK;
		}
		if ((s->flags & ST_WATCH) && !ok) {
			/* a watch fails on its first failing attempt */
			term_mark(r->t, 0, "failed %.0f s into the %g s window",
			          clock_wall() - r->entered, timeout);
			run_outcome(r, "fail");
			return STEP_OK;
		}
		left = deadline - clock_wall();
		if ((s->flags & ST_WATCH) && left <= 0) {
			term_mark(r->t, 1, "clean for the whole %g s window", timeout);
			run_outcome(r, "ok");
			return STEP_OK;
		}
		if (!(s->flags & ST_WATCH) && ok > 0) {
			run_outcome(r, "ok");
			return STEP_OK;
		}
		if (!(s->flags & ST_WATCH) && left <= 0) {
			term_mark(r->t, 0, "not recovered within %g s", timeout);
			run_outcome(r, "timeout");
			return STEP_OK;
		}
		if (r->t->tty_out)
			term_line(r->t, "next attempt in %.0f s, %.0f s left", interval, left);
		for (double slept = 0; slept < interval && slept < left; slept += 0.1) {
			if (run_interrupted(r))
				return run_pause(r, s, "interrupted", NULL, NULL);
			sleep_ms(100, run_abort_flag(r));
			if (((long)(slept * 10)) % 10 == 0)
				run_tick(r);
			if (r->journal_failed)
				return STEP_JOURNAL;
		}
	}
}

static int exec_manual(struct run *r, const struct state *s)
{
	const char *choices[MAX_CHOICES], *texts[MAX_CHOICES];
	char ans[1024];
	const char *source = NULL;
	size_t n = 0;
	int rc;
	cJSON *d;

	if (resumed(r))
		return STEP_OK;
	term_line(r->t, "%s", s->text);
	for (const struct option *o = s->options; o && o->name && n + 1 < MAX_CHOICES; o++) {
		choices[n] = o->name;
		texts[n++] = o->text;
	}
	choices[n] = texts[n] = NULL;
	rc = run_ask(r, s, n ? choices : NULL, n ? texts : NULL, NULL, NULL, ans, sizeof(ans),
	             &source);
	if (rc != STEP_OK)
		return rc;
	d = cJSON_CreateObject();
	if (n == 0 && strcmp(ans, "done") != 0) {
		cJSON_AddStringToObject(d, "note", ans);
		return log_answer(r, ans, "done", source, d);
	}
	if (n > 0 && choice_index(choices, ans) < 0 && strcmp(ans, "done") != 0) {
		/* a note at a state with options (its table has "*"): "other", as a fallback */
		cJSON_AddStringToObject(d, "note", ans);
		return log_answer(r, ans, "other", source, d);
	}
	for (const struct option *o = s->options; o && o->name; o++) /* as a choice does */
		if (strcmp(o->name, ans) == 0 && o->followup != NULL)
			cJSON_AddStringToObject(d, "followup", o->followup);
	return log_answer(r, ans, ans, source, d);
}

static int exec_choice(struct run *r, const struct state *s)
{
	const char *choices[MAX_CHOICES], *texts[MAX_CHOICES];
	const cJSON *sug = cJSON_GetObjectItemCaseSensitive(r->entry_data, "suggested");
	const cJSON *why = cJSON_GetObjectItemCaseSensitive(r->entry_data, "reason");
	const char *suggested = cJSON_IsString(sug) ? sug->valuestring : NULL;
	char ans[256];
	const char *source = NULL;
	size_t n = 0;
	int rc;
	cJSON *d;

	if (resumed(r))
		return STEP_OK;
	term_line(r->t, "%s", s->text);
	for (const struct option *o = s->options; o && o->name && n + 1 < MAX_CHOICES; o++) {
		choices[n] = o->name;
		texts[n++] = o->text;
	}
	choices[n] = texts[n] = NULL;
	if (!r->t->interactive && suggested != NULL)
		term_line(r->t, "suggested: %s (%s)", suggested,
		          cJSON_IsString(why) ? why->valuestring : "");
	rc = run_ask(r, s, choices, texts, suggested,
	             cJSON_IsString(why) ? why->valuestring : NULL, ans, sizeof(ans), &source);
	if (rc != STEP_OK)
		return rc;
	d = cJSON_CreateObject();
	if (suggested != NULL)
		cJSON_AddStringToObject(d, "suggested", suggested);
	for (const struct option *o = s->options; o && o->name; o++) {
		if (strcmp(o->name, ans) != 0)
			continue;
		if (o->followup != NULL)
			cJSON_AddStringToObject(d, "followup", o->followup);
		rc = log_answer(r, ans, ans, source, d);
		d = NULL;
		if (rc == STEP_OK && o->severity != NULL) {
			char because[512];

			snprintf(because, sizeof(because), "'%s' answered '%s'%s%s", s->id, ans,
			         cJSON_IsString(why) ? ": " : "",
			         cJSON_IsString(why) ? why->valuestring : "");
			if (run_set_severity(r, o->severity, because) < 0)
				rc = STEP_JOURNAL;
		}
		return rc;
	}
	return log_answer(r, ans, ans, source, d);
}

/* An intent without a result: the process ended mid-action. Ask, never re-run blindly. */
static int recover_action(struct run *r, const struct state *s, int *rerun)
{
	char ans[64];
	const char *source = NULL;
	const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(r->open_intent, "command");
	cJSON *d;
	int rc;

	*rerun = 0;
	term_alert(r->t,
	           "this action was started but no result was recorded (the process ended)");
	if (cJSON_IsString(cmd))
		term_line(r->t, "it was: %s", cmd->valuestring);
	term_line(r->t, "What happened? Check before answering.");
	rc = run_ask(r, s, recovery, recovery_text, NULL, NULL, ans, sizeof(ans), &source);
	if (rc != STEP_OK)
		return rc;
	if (strcmp(ans, "rerun") == 0) {
		*rerun = 1;
		d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "answer", ans);
		cJSON_AddStringToObject(d, "about", "interrupted action");
		cJSON_AddStringToObject(d, "source", source);
		return run_log(r, "prompt.answered", d) < 0 ? STEP_JOURNAL : STEP_OK;
	}
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "outcome", strcmp(ans, "completed") == 0 ? "ok" : "fail");
	cJSON_AddBoolToObject(d, "ok", strcmp(ans, "completed") == 0);
	cJSON_AddStringToObject(d, "reported_by", r->operator);
	cJSON_AddStringToObject(d, "summary",
	                        "result reported by the operator after an "
	                        "interrupted run");
	run_outcome(r, strcmp(ans, "completed") == 0 ? "ok" : "fail");
	return run_log(r, "action.result", d) < 0 ? STEP_JOURNAL : STEP_OK;
}

/* The typed confirmation. Returns STEP_OK with *confirmed set, or STEP_PAUSE. */
static int gate(struct run *r, const struct state *s, const struct intent *in, int *confirmed,
                char *typed, size_t len)
{
	const char *opts[2] = {in->target, NULL};
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(in->data, "target_kind");
	char prompt[128];

	*confirmed = 0;
	if (r->confirm != NULL) {
		snprintf(typed, len, "%s", r->confirm);
	} else if (r->t->interactive) {
		enum read_status st;

		snprintf(prompt, sizeof(prompt),
		         "Type the %s name to confirm, or press Enter to refuse: ",
		         cJSON_IsString(kind) ? kind->valuestring : "target");
		st = term_read_line(r->t, prompt, typed, len, run_abort_flag(r), run_tick, r);
		if (st == READ_INTERRUPTED)
			return run_pause(r, s, "interrupted", opts, NULL);
		if (st == READ_EOF)
			typed[0] = '\0';
	} else {
		return run_pause(r, s, "waiting for a typed confirmation", opts, NULL);
	}
	*confirmed = strcmp(typed, in->target) == 0;
	return STEP_OK;
}

static int exec_action(struct run *r, const struct state *s)
{
	struct intent in;
	struct outcome out;
	int rc = STEP_OK, confirmed = 0, destructive = (s->flags & ST_DESTRUCTIVE) != 0;
	char typed[256] = "";
	cJSON *d;

	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	if (resumed(r))
		return STEP_OK;
	if (r->open_intent != NULL) {
		int rerun;

		rc = recover_action(r, s, &rerun);
		if (rc != STEP_OK || !rerun)
			return rc;
	}
	if ((s->flags & ST_PARAM) && run_answer(r, s->id) == NULL) {
		char ans[128];
		const char *source;

		rc = run_ask(r, s, NULL, NULL, NULL, NULL, ans, sizeof(ans), &source);
		if (rc != STEP_OK)
			return rc;
		answers_put(&r->typed, s->id, ans);
	}
	s->plan(r, s, &in);
	if (in.refuse) { /* a safeguard failed: nothing runs, whatever the confirmation */
		d = in.data ? cJSON_Duplicate(in.data, 1) : cJSON_CreateObject();
		cJSON_AddStringToObject(d, "outcome", "refused");
		cJSON_AddStringToObject(d, "reason", in.missing);
		cJSON_AddTrueToObject(d, "safeguard");
		cJSON_AddBoolToObject(d, "destructive", destructive);
		run_outcome(r, "refused");
		rc = run_log(r, "action.refused", d) < 0 ? STEP_JOURNAL : STEP_OK;
		term_mark(r->t, 0, "refused: %s", in.missing);
		goto done;
	}
	if (in.skip) {
		d = in.data ? cJSON_Duplicate(in.data, 1) : cJSON_CreateObject();
		cJSON_AddStringToObject(d, "outcome", "skipped");
		cJSON_AddStringToObject(d, "reason", in.missing);
		run_outcome(r, "skipped");
		rc = run_log(r, "action.skipped", d) < 0 ? STEP_JOURNAL : STEP_OK;
		term_mark(r->t, 1, "skipped: %s", in.missing);
		goto done;
	}
	if (in.fallback) {
		cJSON_Delete(in.data);
		return manual_fallback(r, s, in.missing);
	}
	if (in.data == NULL)
		in.data = cJSON_CreateObject();
	term_line(r->t, "Will run:  %s", in.shown);
	if (destructive)
		term_line(r->t, "Target:    %s",
		          in.target_desc[0] ? in.target_desc : in.target);

	if (r->dry) { /* --dry-run: no action runs, destructive or not */
		d = cJSON_Duplicate(in.data, 1);
		cJSON_AddStringToObject(d, "outcome", "skipped");
		cJSON_AddStringToObject(d, "would_run", in.shown);
		cJSON_AddStringToObject(d, "reason", "dry run");
		cJSON_AddBoolToObject(d, "destructive", destructive);
		run_outcome(r, "skipped");
		rc = run_log(r, "action.skipped", d) < 0 ? STEP_JOURNAL : STEP_OK;
		term_mark(r->t, 1, "dry run: not run");
		goto done;
	}
	if (destructive) {
		rc = gate(r, s, &in, &confirmed, typed, sizeof(typed));
		if (rc != STEP_OK)
			goto done;
		if (!confirmed) {
			d = cJSON_Duplicate(in.data, 1);
			cJSON_AddStringToObject(d, "outcome", "refused");
			cJSON_AddStringToObject(d, "expected", in.target);
			cJSON_AddStringToObject(d, "typed", typed);
			cJSON_AddStringToObject(
			        d, "reason",
			        typed[0] ? "the typed name does not match the target"
			                 : "refused at the prompt");
			cJSON_AddTrueToObject(d, "destructive");
			run_outcome(r, "refused");
			rc = run_log(r, "action.refused", d) < 0 ? STEP_JOURNAL : STEP_OK;
			term_mark(r->t, 0, "refused: '%s' is not '%s'; nothing was run", typed,
			          in.target);
			goto done;
		}
	}
	/* intent before action: committed, or the action does not run */
	d = cJSON_Duplicate(in.data, 1);
	cJSON_AddBoolToObject(d, "destructive", destructive);
	if (destructive)
		cJSON_AddStringToObject(d, "confirmed_with",
		                        r->confirm ? "--confirm" : "typed");
	if (run_log(r, "action.intent", d) < 0) {
		rc = STEP_JOURNAL;
		goto done;
	}
	s->act(r, s, &in, &out);
	term_busy_stop(r->t);
	d = out.data ? out.data : cJSON_CreateObject();
	cJSON_AddStringToObject(d, "outcome", out.name ? out.name : "fail");
	cJSON_AddBoolToObject(d, "ok", !out.failed);
	cJSON_AddStringToObject(d, "summary", out.summary);
	run_outcome(r, out.name ? out.name : "fail");
	rc = run_log(r, "action.result", d) < 0 ? STEP_JOURNAL : STEP_OK;
	term_mark(r->t, !out.failed, "%s", out.summary);
done:
	cJSON_Delete(in.data);
	return rc;
}

/* A notify state with a hook: post only when it finds something to report. */
static int exec_notify_hook(struct run *r, const struct state *s)
{
	struct outcome out;
	const char *name;
	cJSON *d;
	int sent;

	memset(&out, 0, sizeof(out));
	s->probe(r, s, &out);
	term_busy_stop(r->t);
	name = out.name ? out.name : (out.failed ? "alert" : "ok");
	if (!out.failed) {
		d = out.data ? out.data : cJSON_CreateObject();
		cJSON_AddStringToObject(d, "outcome", name);
		cJSON_AddBoolToObject(d, "ok", 1);
		cJSON_AddStringToObject(d, "summary", out.summary);
		cJSON_AddStringToObject(d, "reason", "nothing to report");
		run_outcome(r, name);
		if (run_log(r, "notify.skipped", d) < 0)
			return STEP_JOURNAL;
		term_mark(r->t, 1, "nothing to report: %s", out.summary);
		return STEP_OK;
	}
	cJSON_Delete(out.data);
	sent = run_escalate_text(r, out.summary, name);
	if (sent < 0)
		return STEP_JOURNAL;
	run_outcome(r, name);
	return STEP_OK;
}

static int exec_notify(struct run *r, const struct state *s)
{
	int sent;

	if (resumed(r))
		return STEP_OK;
	if (s->probe != NULL)
		return exec_notify_hook(r, s);
	sent = run_escalate_state(r);
	if (sent < 0)
		return STEP_JOURNAL;
	run_outcome(r, sent ? "sent" : "not_sent");
	return STEP_OK;
}

int exec_state(struct run *r)
{
	switch (r->cur->kind) {
	case KIND_PROBE:
		return exec_probe(r, r->cur);
	case KIND_WAIT:
		return exec_wait(r, r->cur);
	case KIND_MANUAL:
		return exec_manual(r, r->cur);
	case KIND_CHOICE:
		return exec_choice(r, r->cur);
	case KIND_ACTION:
		return exec_action(r, r->cur);
	case KIND_NOTIFY:
		return exec_notify(r, r->cur);
	default:
		return STEP_FAIL;
	}
}
