/* routine.c - the health sweep as a probe, and the report hooks of routine flows. */
#include "routine.h"

#include "check.h"
#include "config.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

#define SWEEP_SAMPLES 20

/* Run the sweep over `only` (0: every configured check) into *sw; 0, or -1 when
 * nothing can run (out set to the manual fallback). */
static int sweep_now(struct run *r, unsigned only, struct sweep *sw, struct outcome *out)
{
	struct sweep_opts o;
	char names[256] = "";
	size_t len = 0;

	memset(&o, 0, sizeof(o));
	o.cfg = run_config(r);
	o.only = only;
	o.samples = SWEEP_SAMPLES;
	o.abort = run_abort_flag(r);
	sweep_plan(&o, sw);
	if (sw->nselected == 0) {
		const char *why = only == (1u << CHK_CERTS) && sw->checks[CHK_CERTS].missing[0]
		                          ? sw->checks[CHK_CERTS].missing
		                  : only == (1u << CHK_CERTS)
		                          ? "'certs.hosts' is not set (a list of host:port)"
		                          : "no check is configured (api.url, frontend.url, "
		                            "database.url, "
		                            "storage, email, certs.hosts)";

		outcome_fallback(out, "%s", why);
		return -1;
	}
	for (int i = 0; i < CHK__LAST; i++) {
		int n;

		if (!sw->checks[i].selected)
			continue;
		n = snprintf(names + len, sizeof(names) - len, "%s%s", len ? ", " : "",
		             check_name((enum check_id)i));
		if (n > 0 && (size_t)n < sizeof(names) - len)
			len += (size_t)n;
	}
	if (sw->nselected > 1)
		run_doing(r, "sweep: %s (%d at once)", names, sw->nselected);
	else
		run_doing(r, "sweep: %s", names);
	sweep_run(&o, sw);
	return 0;
}

static void sweep_outcome(const struct sweep *sw, struct outcome *out, const char *summary)
{
	if (sw->nfail > 0)
		outcome_set(out, "fail", 1, "%s", summary);
	else if (sw->nwarn > 0)
		outcome_set(out, "warn", 0, "%s", summary);
	else
		outcome_set(out, "ok", 0, "%s", summary);
}

/* See routine.h. */
void step_sweep(struct run *r, const struct state *s, struct outcome *out)
{
	struct sweep sw;
	char summary[512];
	cJSON *counts;

	(void)s;
	if (sweep_now(r, 0, &sw, out) < 0)
		return;
	out->data = sweep_json(&sw, 1);
	counts = cJSON_AddObjectToObject(out->data, "counts");
	cJSON_AddNumberToObject(counts, "ok", sw.nok);
	cJSON_AddNumberToObject(counts, "warn", sw.nwarn);
	cJSON_AddNumberToObject(counts, "fail", sw.nfail);
	sweep_summary(&sw, summary, sizeof(summary));
	sweep_outcome(&sw, out, summary);
	sweep_release(&sw);
}

/* See routine.h. */
void step_certs(struct run *r, const struct state *s, struct outcome *out)
{
	struct sweep sw;
	const struct check_result *cr;

	(void)s;
	if (sweep_now(r, 1u << CHK_CERTS, &sw, out) < 0)
		return;
	cr = &sw.checks[CHK_CERTS];
	out->data = cr->data ? cJSON_Duplicate(cr->data, 1) : cJSON_CreateObject();
	cJSON_AddNumberToObject(out->data, "elapsed_ms", (double)(long)sw.elapsed_ms);
	if (cr->status == CHECK_FAIL)
		outcome_set(out, "fail", 1, "%s", cr->detail);
	else if (cr->status == CHECK_WARN)
		outcome_set(out, "warn", 0, "%s", cr->detail);
	else
		outcome_set(out, "ok", 0, "%s", cr->detail);
	sweep_release(&sw);
}

/* The finding's outcome and summary, or NULL. */
static const char *finding(struct run *r, const char *state, const char **summary)
{
	const cJSON *f = run_finding(r, state);
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(f, "outcome");
	const cJSON *sm = cJSON_GetObjectItemCaseSensitive(f, "summary");

	*summary = cJSON_IsString(sm) ? sm->valuestring : "";
	return cJSON_IsString(o) ? o->valuestring : NULL;
}

/* Post when `state`'s finding is not "ok". */
static void report_on(struct run *r, const char *state, const char *what, struct outcome *out)
{
	const char *summary;
	const char *o = finding(r, state, &summary);

	out->data = cJSON_CreateObject();
	cJSON_AddStringToObject(out->data, "from", state);
	if (o == NULL) {
		cJSON_AddStringToObject(out->data, "finding", "none");
		outcome_set(
		        out, "alert", 1,
		        "%s: the check did not run here (nothing configured): check by hand",
		        what);
		return;
	}
	cJSON_AddStringToObject(out->data, "finding", o);
	if (strcmp(o, "ok") == 0)
		outcome_set(out, "ok", 0, "%s: %s", what, summary);
	else
		outcome_set(out, "alert", 1, "%s %s: %s", what, o, summary);
}

/* See routine.h. */
void report_sweep(struct run *r, const struct state *s, struct outcome *out)
{
	(void)s;
	report_on(r, "sweep", "health sweep", out);
}

/* See routine.h. */
void report_certs(struct run *r, const struct state *s, struct outcome *out)
{
	(void)s;
	report_on(r, "check", "certificates", out);
}

/* See routine.h. */
void report_watch(struct run *r, const struct state *s, struct outcome *out)
{
	const char *summary;
	const char *o = finding(r, "watch", &summary);

	(void)s;
	out->data = cJSON_CreateObject();
	cJSON_AddStringToObject(out->data, "from", "watch");
	outcome_set(out, "alert", 1, "deploy watch window failed (%s): %s; rollback offered",
	            o ? o : "no finding", o ? summary : "checked by hand");
}
