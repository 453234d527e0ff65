/*
 * test_engine_routine.c - the engine additions the routine flows use, driven by data:
 * a watch window (ST_WATCH), an action refused by its safeguard (intent.refuse), and a
 * notify state whose hook decides whether to post.
 */
#include "test.h"

#include "config.h"
#include "engine.h"
#include "flow.h"
#include "journal.h"
#include "term.h"
#include "util.h"

static const char *script[16];
static int script_pos, probes, acted, refuse, report;

static void scripted(struct run *r, const struct state *s, struct outcome *out)
{
	const char *o = script[script_pos] ? script[script_pos++] : "ok";

	(void)s;
	probes++;
	if (strcmp(o, "abort") == 0) { /* as if Ctrl-C came during the probe */
		*run_abort_flag(r) = 1;
		o = "ok";
	}
	outcome_set(out, o, strcmp(o, "ok") != 0, "scripted %s", o);
}

static void plan(struct run *r, const struct state *s, struct intent *in)
{
	(void)r;
	(void)s;
	if (refuse) {
		in->refuse = 1;
		snprintf(in->missing, sizeof(in->missing), "no verified backup");
		return;
	}
	snprintf(in->shown, sizeof(in->shown), "migrate");
	snprintf(in->target, sizeof(in->target), "db");
	in->data = cJSON_CreateObject();
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

static void hook(struct run *r, const struct state *s, struct outcome *out)
{
	(void)r;
	(void)s;
	if (report)
		outcome_set(out, "alert", 1, "api fail (HTTP 503)");
	else
		outcome_set(out, "ok", 0, "all 3 checks ok");
}

static const struct transition t_w[] = {{"ok", "a1"}, {"fail", "n1"}, {NULL, NULL}};
static const struct transition t_a[] = {{"refused", "aborted"}, {"*", "n1"}, {NULL, NULL}};
static const struct transition t_n[] = {{"ok", "resolved"}, {"*", "escalated"}, {NULL, NULL}};

static const struct state states[] = {
        {.id = "w",
         .kind = KIND_WAIT,
         .section = "0",
         .title = "watch",
         .text = "t",
         .probe = scripted,
         .next = t_w,
         .flags = ST_WATCH,
         .interval_key = "timing.i",
         .interval_def = 0.05,
         .timeout_key = "timing.t",
         .timeout_def = 0.35,
         .timeout_scale = 1},
        {.id = "a1",
         .kind = KIND_ACTION,
         .section = "0",
         .title = "act",
         .text = "t",
         .plan = plan,
         .act = act,
         .next = t_a,
         .flags = ST_DESTRUCTIVE},
        {.id = "n1",
         .kind = KIND_NOTIFY,
         .section = "0",
         .title = "report",
         .text = "t",
         .probe = hook,
         .next = t_n,
         .flags = ST_ESCALATES},
        {.id = "resolved", .kind = KIND_END, .section = "0", .title = "ok", .end = "resolved"},
        {.id = "escalated",
         .kind = KIND_END,
         .section = "0",
         .title = "esc",
         .end = "escalated"},
        {.id = "aborted", .kind = KIND_END, .section = "0", .title = "ab", .end = "aborted"},
        {.id = NULL},
};

static const struct flow test_flow = {"t", "0", "routine test flow", "P3", 1, states};

struct collect {
	struct buf states;
	struct buf kinds;
	cJSON *refused; /* data of action.refused */
	cJSON *skipped; /* data of notify.skipped */
	int attempts;   /* probe.result events */
};

static int collect_cb(const struct jevent *ev, void *ctx)
{
	struct collect *c = ctx;

	if (strcmp(ev->kind, "state.entered") == 0)
		buf_printf(&c->states, "%s%s", c->states.len ? " " : "", ev->state);
	buf_printf(&c->kinds, "%s%s:%s", c->kinds.len ? " " : "", ev->state, ev->kind);
	if (strcmp(ev->kind, "action.refused") == 0)
		c->refused = cJSON_Parse(ev->data);
	if (strcmp(ev->kind, "notify.skipped") == 0)
		c->skipped = cJSON_Parse(ev->data);
	if (strcmp(ev->kind, "probe.result") == 0)
		c->attempts++;
	return 0;
}

struct env {
	char dir[64];
	struct journal *j;
	struct config *cfg;
	struct term t;
	struct engine_result res;
	struct collect col;
};

static void env_open(struct env *e)
{
	char path[256], err[512];

	memset(e, 0, sizeof(*e));
	snprintf(e->dir, sizeof(e->dir), "/tmp/test_engine_routine.XXXXXX");
	CHECK(mkdtemp(e->dir) != NULL);
	snprintf(path, sizeof(path), "%s/j.db", e->dir);
	CHECK_INT(journal_open(path, &e->j, err, sizeof(err)), ==, 0);
	CHECK_INT(config_parse("test", "{\"timing\": {\"i\": 0.05, \"t\": 0.35}}", &e->cfg, err,
	                       sizeof(err)),
	          ==, 0);
	term_init(&e->t, 1, 1, 1);
	e->t.out = fopen("/dev/null", "w");
	CHECK(e->t.out != NULL);
	buf_init(&e->col.states, 0);
	buf_init(&e->col.kinds, 0);
}

static int env_run(struct env *e, const char *confirm, const char *resume_id)
{
	struct engine_opts o;
	struct answers ans = {NULL, 0};
	int rc;

	memset(&o, 0, sizeof(o));
	o.flow = &test_flow;
	o.answers = &ans;
	o.confirm = confirm;
	o.operator= "tester";
	o.term = &e->t;
	o.incident = resume_id;
	rc = resume_id ? engine_resume(e->j, e->cfg, &o, &e->res)
	               : engine_start(e->j, e->cfg, &o, 1, &e->res);
	answers_release(&ans);
	return rc;
}

static void env_collect(struct env *e)
{
	buf_release(&e->col.states);
	buf_release(&e->col.kinds);
	cJSON_Delete(e->col.refused);
	cJSON_Delete(e->col.skipped);
	memset(&e->col, 0, sizeof(e->col));
	buf_init(&e->col.states, 0);
	buf_init(&e->col.kinds, 0);
	CHECK_INT(journal_events(e->j, e->res.incident, 0, collect_cb, &e->col), ==, 0);
}

static void env_close(struct env *e)
{
	buf_release(&e->col.states);
	buf_release(&e->col.kinds);
	cJSON_Delete(e->col.refused);
	cJSON_Delete(e->col.skipped);
	config_free(e->cfg);
	journal_close(e->j);
	fclose(e->t.out);
}

static void reset(const char *const *s, int refuse_, int report_)
{
	memset(script, 0, sizeof(script));
	for (int i = 0; s[i]; i++)
		script[i] = s[i];
	script_pos = probes = acted = 0;
	refuse = refuse_;
	report = report_;
}

static const char *str(const cJSON *d, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A clean window passes; the safeguard refuses even with --confirm; nothing runs. */
static void test_watch_clean_then_refused(void)
{
	static const char *const s[] = {NULL};
	struct env e;
	double t0 = clock_wall();

	reset(s, 1, 0);
	env_open(&e);
	CHECK_INT(env_run(&e, "db", NULL), ==, EXIT_OK);
	CHECK(clock_wall() - t0 >= 0.35); /* the whole window was watched */
	env_collect(&e);
	CHECK_STR(e.col.states.p, "w a1 aborted");
	CHECK_INT(probes, >=, 3);
	CHECK_INT(e.col.attempts, ==, probes);
	CHECK_INT(acted, ==, 0);
	CHECK_NOT_CONTAINS(e.col.kinds.p, "action.intent");
	CHECK(e.col.refused != NULL);
	CHECK_STR(str(e.col.refused, "reason"), "no verified backup");
	CHECK_STR(str(e.col.refused, "outcome"), "refused");
	CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e.col.refused, "safeguard")));
	CHECK_STR(e.res.end, "aborted");
	env_close(&e);
}

/* The first failing attempt ends the window at once; the hook posts (no webhook:
 * notify.skipped with outcome alert) and escalates. */
static void test_watch_fails_first_failure(void)
{
	static const char *const s[] = {"ok", "ok", "bad", NULL};
	struct env e;

	reset(s, 0, 1);
	env_open(&e);
	CHECK_INT(env_run(&e, "db", NULL), ==, EXIT_OK);
	env_collect(&e);
	CHECK_STR(e.col.states.p, "w n1 escalated");
	CHECK_INT(probes, ==, 3);
	CHECK_CONTAINS(e.col.kinds.p, "n1:notify.skipped n1:incident.escalated");
	CHECK_STR(str(e.col.skipped, "outcome"), "alert");
	CHECK_CONTAINS(str(e.col.skipped, "text"), "api fail (HTTP 503)");
	CHECK_STR(e.res.end, "escalated");
	env_close(&e);
}

/* Nothing to report: notify.skipped says so, no escalation, resolved. */
static void test_hook_nothing_to_report(void)
{
	static const char *const s[] = {NULL};
	struct env e;

	reset(s, 0, 0);
	env_open(&e);
	CHECK_INT(env_run(&e, "db", NULL), ==, EXIT_OK);
	env_collect(&e);
	CHECK_STR(e.col.states.p, "w a1 n1 resolved");
	CHECK_INT(acted, ==, 1);
	CHECK_STR(str(e.col.skipped, "reason"), "nothing to report");
	CHECK_STR(str(e.col.skipped, "summary"), "all 3 checks ok");
	CHECK_NOT_CONTAINS(e.col.kinds.p, "incident.escalated");
	CHECK_STR(e.res.end, "resolved");
	env_close(&e);
}

/* A watch interrupted after passing attempts is not over when resumed: it goes on
 * watching (here it then fails), it does not take a passing attempt as its result. */
static void test_watch_resume_continues(void)
{
	static const char *const s[] = {"ok", "abort", NULL};
	static const char *const s2[] = {"bad", NULL};
	struct env e;
	char id[37];

	reset(s, 0, 1);
	env_open(&e);
	CHECK_INT(env_run(&e, "db", NULL), ==, EXIT_PAUSED);
	snprintf(id, sizeof(id), "%s", e.res.incident);
	reset(s2, 0, 1);
	CHECK_INT(env_run(&e, "db", id), ==, EXIT_OK);
	env_collect(&e);
	CHECK_INT(probes, ==, 1);
	CHECK_STR(e.col.states.p, "w n1 escalated");
	CHECK_STR(e.res.end, "escalated");
	env_close(&e);
}

TEST_LIST = {
        {"watch_clean_then_refused", test_watch_clean_then_refused},
        {"watch_fails_first_failure", test_watch_fails_first_failure},
        {"hook_nothing_to_report", test_hook_nothing_to_report},
        {"watch_resume_continues", test_watch_resume_continues},
        {NULL, NULL},
};
