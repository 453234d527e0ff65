/* registry.c - the list of flows and the table helpers every flow uses. */
#include "flow.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

extern const struct flow flow_api_down;
extern const struct flow flow_error_rate;
extern const struct flow flow_storage;
extern const struct flow flow_email;
extern const struct flow flow_database;
extern const struct flow flow_health;
extern const struct flow flow_deploy;
extern const struct flow flow_migrate;
extern const struct flow flow_backup_verify;
extern const struct flow flow_cert_check;
extern const struct flow flow_rotate_secrets;

static const struct flow *const flows[] = {
        &flow_api_down,      &flow_database,   &flow_error_rate,     &flow_storage,
        &flow_email,         &flow_health,     &flow_deploy,         &flow_migrate,
        &flow_backup_verify, &flow_cert_check, &flow_rotate_secrets, NULL,
};

static const char *const kind_names[] = {
#define X(e, s) s,
        STATE_KINDS(X)
#undef X
};

/* Answers an interrupted action accepts on resume (see docs/architecture.md). */
static const char *const recovery_answers[] = {"completed", "failed", "rerun", NULL};

const struct flow *const *flow_all(void)
{
	return flows;
}

const struct flow *flow_find(const char *name)
{
	for (size_t i = 0; flows[i] != NULL; i++)
		if (strcmp(flows[i]->name, name) == 0)
			return flows[i];
	return NULL;
}

const struct state *flow_state(const struct flow *f, const char *id)
{
	for (const struct state *s = f->states; s->id != NULL; s++)
		if (strcmp(s->id, id) == 0)
			return s;
	return NULL;
}

const char *state_kind_name(enum state_kind k)
{
	return k < KIND__LAST ? kind_names[k] : "?";
}

const char *state_next(const struct state *s, const char *outcome)
{
	if (s->next == NULL)
		return NULL;
	for (const struct transition *t = s->next; t->outcome != NULL; t++)
		if (strcmp(t->outcome, outcome) == 0 || strcmp(t->outcome, "*") == 0)
			return t->next;
	return NULL;
}

int state_answerable(const struct state *s)
{
	switch (s->kind) {
	case KIND_MANUAL:
	case KIND_CHOICE:
	case KIND_PROBE: /* a probe falls back to its manual step when unconfigured */
	case KIND_WAIT:
	case KIND_ACTION: /* a parameter, or what happened to an interrupted action */
		return 1;
	default:
		return 0;
	}
}

static int in_options(const struct option *o, const char *v)
{
	for (; o != NULL && o->name != NULL; o++)
		if (strcmp(o->name, v) == 0)
			return 1;
	return 0;
}

static int in_list(const char *const *l, const char *v)
{
	for (; *l != NULL; l++)
		if (strcmp(*l, v) == 0)
			return 1;
	return 0;
}

/*
 * Non-zero when s's table names `outcome` itself ("*" only matches the literal "*").
 * Declared in src/engine_int.h for the engine.
 */
int state_names_outcome(const struct state *s, const char *outcome);
int state_names_outcome(const struct state *s, const char *outcome)
{
	for (const struct transition *t = s->next; t && t->outcome; t++)
		if (strcmp(t->outcome, outcome) == 0)
			return 1;
	return 0;
}

/*
 * The outcome names a step's manual fallback offers (v, NULL-terminated, at most max-1
 * names; returns how many): its table's named outcomes, and "other" for its "*"
 * transition when it has both (api-down's health: ok, db_fail, other). A state with
 * only "*" offers none: Enter = done, or a note. Declared in src/engine_int.h.
 */
size_t state_fallback_choices(const struct state *s, const char **v, size_t max);
size_t state_fallback_choices(const struct state *s, const char **v, size_t max)
{
	size_t n = 0;
	int any = 0;

	for (const struct transition *t = s->next; t && t->outcome && n + 2 < max; t++) {
		if (strcmp(t->outcome, "*") == 0)
			any = 1;
		else
			v[n++] = t->outcome;
	}
	if (any && n > 0)
		v[n++] = "other";
	v[n] = NULL;
	return n;
}

/*
 * What an action answered by hand (its manual fallback) accepts: a name its fallback
 * offers, or "done" / "completed" (the operator did it).
 */
static int action_fallback_answer_ok(const struct state *s, const char *v)
{
	const char *names[16];

	state_fallback_choices(s, names, 16);
	return in_list(names, v) || strcmp(v, "done") == 0 || strcmp(v, "completed") == 0;
}

/* Append ", name" (just name when buf is empty) to buf of size bytes holding *len;
 * a name that does not fit is left out. */
static void append_name(char *buf, size_t size, size_t *len, const char *name)
{
	int n = snprintf(buf + *len, size - *len, "%s%s", *len ? ", " : "", name);

	if (n >= 0 && (size_t)n < size - *len)
		*len += (size_t)n;
	else
		buf[*len] = '\0';
}

/* "a, b, c": the options' names. */
static void option_names(const struct option *o, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (; o && o->name; o++)
		append_name(buf, size, &len, o->name);
}

/* A probe's manual fallback takes its named outcomes, or anything when it has "*". */
static int probe_answer_ok(const struct state *s, const char *v)
{
	int named = 0;

	for (const struct transition *t = s->next; t && t->outcome; t++) {
		if (strcmp(t->outcome, "*") == 0 || strcmp(t->outcome, v) == 0)
			return 1;
		named++;
	}
	return named == 0;
}

int state_answer_ok(const struct state *s, const char *value, char *err, size_t errlen)
{
	if (!state_answerable(s)) {
		snprintf(err, errlen, "state '%s' is a %s state and takes no answer", s->id,
		         state_kind_name(s->kind));
		return 0;
	}
	if (s->kind == KIND_CHOICE && !in_options(s->options, value)) {
		char names[256];

		option_names(s->options, names, sizeof(names));
		snprintf(err, errlen, "'%s' is not an option of '%s' (options: %s)", value,
		         s->id, names);
		return 0;
	}
	/* a manual state with options: an option; "done" (Enter) when its table takes it;
	 * any text (a note) when it has "*" */
	if (s->kind == KIND_MANUAL && s->options != NULL && !in_options(s->options, value) &&
	    !state_names_outcome(s, "*") &&
	    (strcmp(value, "done") != 0 || !state_names_outcome(s, "done"))) {
		char names[256];

		option_names(s->options, names, sizeof(names));
		snprintf(err, errlen, "'%s' is not an answer of '%s' (answers: %s%s)", value,
		         s->id, names, state_names_outcome(s, "done") ? ", done" : "");
		return 0;
	}
	if (s->kind == KIND_ACTION && (s->flags & ST_PARAM) && s->check != NULL &&
	    !in_list(recovery_answers, value) && s->check(value, err, errlen) < 0)
		return 0;
	if ((s->kind == KIND_PROBE || s->kind == KIND_WAIT) && !probe_answer_ok(s, value)) {
		snprintf(err, errlen, "'%s' is not an outcome of '%s'", value, s->id);
		return 0;
	}
	if (s->kind == KIND_ACTION && !(s->flags & ST_PARAM) &&
	    !in_list(recovery_answers, value) && !action_fallback_answer_ok(s, value)) {
		const char *names[16];
		char list[256] = "done";
		size_t len = strlen(list);

		state_fallback_choices(s, names, 16);
		for (size_t i = 0; names[i] != NULL; i++)
			append_name(list, sizeof(list), &len, names[i]);
		snprintf(err, errlen,
		         "action '%s' takes no parameter (when done by hand: %s; on resume "
		         "after "
		         "an interrupted run: completed, failed or rerun)",
		         s->id, list);
		return 0;
	}
	return 1;
}

void outcome_set(struct outcome *out, const char *name, int failed, const char *fmt, ...)
{
	va_list ap;

	out->name = name;
	out->failed = failed;
	va_start(ap, fmt);
	vsnprintf(out->summary, sizeof(out->summary), fmt, ap);
	va_end(ap);
}

void outcome_fallback(struct outcome *out, const char *fmt, ...)
{
	va_list ap;

	out->name = "manual";
	out->fallback = 1;
	va_start(ap, fmt);
	vsnprintf(out->missing, sizeof(out->missing), fmt, ap);
	va_end(ap);
}
