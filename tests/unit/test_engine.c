/*
 * test_engine.c - the engine driven by data: a small flow whose probes answer from a
 * script, run with given answers, and the states and events the journal then holds.
 */
#include "test.h"

#include "config.h"
#include "engine.h"
#include "flow.h"
#include "journal.h"
#include "term.h"
#include "util.h"

#include <stdarg.h>

/* ---- a test flow whose probes return scripted outcomes ---- */

static const char *script[16];
static int script_pos;
static int acted;

static void scripted(struct run *r, const struct state *s, struct outcome *out)
{
	const char *o = script[script_pos] ? script[script_pos++] : "ok";

	(void)r;
	(void)s;
	outcome_set(out, o, strcmp(o, "ok") != 0, "scripted %s", o);
}

static void plan(struct run *r, const struct state *s, struct intent *in)
{
	(void)r;
	(void)s;
	snprintf(in->shown, sizeof(in->shown), "restart svc");
	snprintf(in->target, sizeof(in->target), "svc");
	in->data = cJSON_CreateObject();
	cJSON_AddStringToObject(in->data, "command", "restart svc");
}

static void act(struct run *r, const struct state *s, const struct intent *in,
                struct outcome *out)
{
	(void)r;
	(void)s;
	(void)in;
	acted++;
	outcome_set(out, "ok", 0, "done");
}

static const char *suggest(struct run *r, const struct state *s, char *why, size_t len)
{
	const cJSON *p = run_finding(r, "p1");

	(void)s;
	snprintf(why, len, "p1 said so");
	return p ? "a" : NULL;
}

static const struct option opts[] = {{.name = "a", .text = "act"},
                                     {.name = "b", .text = "give up", .severity = "P0"},
                                     {.name = NULL}};
static const struct transition t_p1[] = {{"ok", "resolved"}, {"*", "c1"}, {NULL, NULL}};
static const struct transition t_c1[] = {{"a", "act1"}, {"b", "n1"}, {NULL, NULL}};
static const struct transition t_act[] = {{"*", "w1"}, {NULL, NULL}};
static const struct transition t_w1[] = {{"ok", "resolved"}, {"timeout", "n1"}, {NULL, NULL}};
static const struct transition t_n1[] = {{"*", "escalated"}, {NULL, NULL}};

static const struct state states[] = {
        {.id = "p1",
         .kind = KIND_PROBE,
         .section = "0",
         .title = "probe",
         .text = "t",
         .probe = scripted,
         .next = t_p1},
        {.id = "c1",
         .kind = KIND_CHOICE,
         .section = "0",
         .title = "choice",
         .text = "t",
         .suggest = suggest,
         .options = opts,
         .next = t_c1},
        {.id = "act1",
         .kind = KIND_ACTION,
         .section = "0",
         .title = "act",
         .text = "t",
         .plan = plan,
         .act = act,
         .next = t_act,
         .flags = ST_DESTRUCTIVE},
        {.id = "w1",
         .kind = KIND_WAIT,
         .section = "0",
         .title = "wait",
         .text = "t",
         .probe = scripted,
         .next = t_w1,
         .flags = ST_VERIFY,
         .interval_key = "timing.i",
         .interval_def = 0.01,
         .timeout_key = "timing.t",
         .timeout_def = 0.05,
         .timeout_scale = 1},
        {.id = "n1",
         .kind = KIND_NOTIFY,
         .section = "0",
         .title = "notify",
         .text = "t",
         .next = t_n1,
         .flags = ST_ESCALATES},
        {.id = "resolved", .kind = KIND_END, .section = "0", .title = "ok", .end = "resolved"},
        {.id = "escalated",
         .kind = KIND_END,
         .section = "0",
         .title = "esc",
         .end = "escalated"},
        {.id = NULL},
};

static const struct flow test_flow = {"t", "0", "test flow", "P2", 0, states};

/* ---- the table of cases ---- */

struct ecase {
	const char *name;
	const char *script[8];  /* probe outcomes in order */
	const char *answers[4]; /* STATE=VALUE */
	const char *confirm;
	int dry;
	int exit_code;
	const char *states; /* states entered, space-separated */
	const char *kinds;  /* substring of the "state:kind" sequence */
	const char *end;
	int acted;
};

static const struct ecase cases[] = {
        {"first probe ok is a false alarm",
         {"ok"},
         {NULL},
         NULL,
         0,
         EXIT_OK,
         "p1 resolved",
         "resolved:incident.closed",
         "false_alarm",
         0},
        {"suggestion is not taken without an answer",
         {"bad"},
         {NULL},
         NULL,
         0,
         EXIT_PAUSED,
         "p1 c1",
         "c1:note",
         NULL,
         0},
        {"choice then confirmed action then verified",
         {"bad", "bad", "ok"},
         {"c1=a"},
         "svc",
         0,
         EXIT_OK,
         "p1 c1 act1 w1 resolved",
         "act1:action.intent act1:action.result w1:state.entered w1:probe.result "
         "w1:probe.result "
         "w1:incident.mitigated",
         "resolved",
         1},
        {"wrong confirmation refuses",
         {"bad", "bad", "bad", "bad", "bad", "bad", "bad"},
         {"c1=a"},
         "nope",
         0,
         EXIT_OK,
         "p1 c1 act1 w1 n1 escalated",
         "act1:action.refused w1",
         "escalated",
         0},
        {"no confirmation pauses before the action",
         {"bad"},
         {"c1=a"},
         NULL,
         0,
         EXIT_PAUSED,
         "p1 c1 act1",
         "c1:prompt.answered act1:state.entered act1:note",
         NULL,
         0},
        {"dry run skips the destructive action",
         {"bad", "ok"},
         {"c1=a"},
         NULL,
         1,
         EXIT_OK,
         "p1 c1 act1 w1 resolved",
         "act1:action.skipped",
         "resolved",
         0},
        {"give up escalates",
         {"bad"},
         {"c1=b"},
         NULL,
         0,
         EXIT_OK,
         "p1 c1 n1 escalated",
         "c1:prompt.answered c1:severity.changed n1:state.entered n1:notify.skipped "
         "n1:incident.escalated",
         "escalated",
         0},
        {NULL, {NULL}, {NULL}, NULL, 0, 0, NULL, NULL, NULL, 0},
};

struct collect {
	struct buf states;
	struct buf kinds;
};

static int collect_cb(const struct jevent *ev, void *ctx)
{
	struct collect *c = ctx;

	if (strcmp(ev->kind, "state.entered") == 0)
		buf_printf(&c->states, "%s%s", c->states.len ? " " : "", ev->state);
	buf_printf(&c->kinds, "%s%s:%s", c->kinds.len ? " " : "", ev->state, ev->kind);
	return 0;
}

static void run_case(const struct ecase *ec)
{
	char dir[] = "/tmp/test_engine.XXXXXX";
	char path[256], err[512];
	struct journal *j = NULL;
	struct config *cfg = NULL;
	struct term t;
	struct answers ans = {NULL, 0};
	struct engine_opts o;
	struct engine_result res;
	struct collect col;
	int rc;

	fprintf(stderr, "case: %s\n", ec->name);
	memset(script, 0, sizeof(script));
	for (int i = 0; ec->script[i]; i++)
		script[i] = ec->script[i];
	script_pos = 0;
	acted = 0;
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/j.db", dir);
	CHECK_INT(journal_open(path, &j, err, sizeof(err)), ==, 0);
	CHECK_INT(config_parse("test", "{\"timing\": {\"i\": 0.01, \"t\": 0.05}}", &cfg, err,
	                       sizeof(err)),
	          ==, 0);
	for (int i = 0; ec->answers[i]; i++)
		CHECK_INT(answers_add_arg(&ans, ec->answers[i], err, sizeof(err)), ==, 0);
	CHECK_INT(answers_validate(&ans, &test_flow, err, sizeof(err)), ==, 0);
	term_init(&t, 1, 1, 1);
	t.out = fopen("/dev/null", "w"); /* the screen is not under test here */
	CHECK(t.out != NULL);
	memset(&o, 0, sizeof(o));
	o.flow = &test_flow;
	o.answers = &ans;
	o.confirm = ec->confirm;
	o.dry_run = ec->dry;
	o.operator= "tester";
	o.term = &t;
	rc = engine_start(j, cfg, &o, 1, &res);
	CHECK_INT(rc, ==, ec->exit_code);
	buf_init(&col.states, 0);
	buf_init(&col.kinds, 0);
	CHECK_INT(journal_events(j, res.incident, 0, collect_cb, &col), ==, 0);
	CHECK_STR(col.states.p, ec->states);
	CHECK_CONTAINS(col.kinds.p, ec->kinds);
	if (ec->end != NULL)
		CHECK_STR(res.end, ec->end);
	else
		CHECK_INT(res.closed, ==, 0);
	CHECK_INT(acted, ==, ec->acted);
	buf_release(&col.states);
	buf_release(&col.kinds);
	answers_release(&ans);
	config_free(cfg);
	journal_close(j);
	fclose(t.out);
}

static void test_table(void)
{
	for (const struct ecase *ec = cases; ec->name; ec++)
		run_case(ec);
}

static void test_answer_validation(void)
{
	struct answers a = {NULL, 0};
	char err[512];

	CHECK_INT(answers_add_arg(&a, "c1=zzz", err, sizeof(err)), ==, 0);
	CHECK_INT(answers_validate(&a, &test_flow, err, sizeof(err)), ==, -1);
	CHECK_CONTAINS(err, "'zzz' is not an option of 'c1'");
	answers_release(&a);
	CHECK_INT(answers_add_arg(&a, "nope=1", err, sizeof(err)), ==, 0);
	CHECK_INT(answers_validate(&a, &test_flow, err, sizeof(err)), ==, -1);
	CHECK_CONTAINS(err, "no state 'nope'");
	answers_release(&a);
	CHECK_INT(answers_add_arg(&a, "n1=x", err, sizeof(err)), ==, 0);
	CHECK_INT(answers_validate(&a, &test_flow, err, sizeof(err)), ==, -1);
	answers_release(&a);
	CHECK_INT(answers_add_arg(&a, "novalue", err, sizeof(err)), ==, -1);
	CHECK_INT(answers_add_arg(&a, "act1=completed", err, sizeof(err)), ==, 0);
	CHECK_INT(answers_validate(&a, &test_flow, err, sizeof(err)), ==, 0);
	answers_release(&a);
}

/* What --answer takes at an action done by hand and at a manual state with options. */
static void test_answers_by_hand(void)
{
	const struct flow *rot = flow_find("rotate-secrets");
	const struct flow *db = flow_find("database");
	const struct flow *er = flow_find("error-rate");
	char err[512];

	CHECK(rot != NULL && db != NULL && er != NULL);
	/* restart falls back to manual: the names its fallback offers, done, completed */
	for (const char *const *v = (const char *const[]){"ok", "skipped", "other", "done",
	                                                  "completed", "failed", NULL};
	     *v; v++)
		CHECK_INT(state_answer_ok(flow_state(rot, "restart"), *v, err, sizeof(err)), ==,
		          1);
	CHECK_INT(state_answer_ok(flow_state(rot, "restart"), "bogus", err, sizeof(err)), ==,
	          0);
	CHECK_CONTAINS(err, "when done by hand: done, ok, skipped, other");
	/* database platform_status: up, down, done (its table has done), never a note */
	CHECK_INT(state_answer_ok(flow_state(db, "platform_status"), "done", err, sizeof(err)),
	          ==, 1);
	CHECK_INT(state_answer_ok(flow_state(db, "platform_status"), "it is restarting", err,
	                          sizeof(err)),
	          ==, 0);
	CHECK_CONTAINS(err, "answers: up, down, done");
	/* error-rate assess has no "done" transition: "done" would end in no transition */
	CHECK_INT(state_answer_ok(flow_state(er, "assess"), "done", err, sizeof(err)), ==, 0);
	CHECK_INT(state_answer_ok(flow_state(er, "assess"), "fix_forward", err, sizeof(err)),
	          ==, 1);
}

static void test_tables_are_whole(void)
{
	/* every transition of every registered flow names a state of that flow */
	for (const struct flow *const *f = flow_all(); *f; f++)
		for (const struct state *s = (*f)->states; s->id; s++) {
			CHECK(s->kind == KIND_END || s->next != NULL);
			CHECK(s->kind != KIND_END || s->end != NULL);
			for (const struct transition *t = s->next; t && t->outcome; t++)
				if (flow_state(*f, t->next) == NULL)
					TEST_FAIL_AT("%s: %s -> %s: no such state", (*f)->name,
					             s->id, t->next);
		}
}

TEST_LIST = {
        {"table", test_table},
        {"answer_validation", test_answer_validation},
        {"answers_by_hand", test_answers_by_hand},
        {"tables_are_whole", test_tables_are_whole},
        {NULL, NULL},
};
