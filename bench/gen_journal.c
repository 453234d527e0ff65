/*
 * gen_journal.c - large journals for the benchmark (docs/performance.md), written
 * through the journal's own append path: redaction, JSON validation, the tail read,
 * the hash chain and the insert are the ones runbook uses, so `runbook verify` passes
 * on the result and every query sees events the tool really writes.
 *
 *   gen_journal [options] PATH N
 *     --batch K    events per transaction (journal_begin .. journal_commit), default
 *                  5000; 1 means one journal_append per event (one commit and one fsync
 *                  each: the durable rate of figure 2)
 *     --days D     the events' timestamps spread evenly over the D days before --end
 *                  (default 90), through the test clock (RUNBOOK_FAKE_NOW and
 *                  RUNBOOK_FAKE_STEP_MS, set here)
 *     --end TIME   RFC 3339 time of the last event (default: now)
 *     --single     one incident of N events (export), not incidents of 10-80 events
 *     --seed S     the content's pseudo-random sequence (default 1)
 *     --kind K     every event is a probe.result of one incident (figures 2 and 3)
 *
 * Incidents follow what the flows journal (api-down, database, error-rate, health):
 * incident.opened, state.entered, probe.result with figures and command output,
 * prompt.answered, action.intent / action.result of destructive actions with their
 * target, watch loops of probe results, notify.sent, notes, incident.closed; about one
 * in 150 is left open (a process that ended). Prints one line:
 *   events=N incidents=I seconds=S rate=R
 */
#include "journal.h"
#include "util.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gen {
	struct journal *j;
	long long want, done;
	long batch, in_batch;
	unsigned long long rng;
	char inc[JOURNAL_UUID_LEN + 1];
	const char *flow;
	long incidents;
	const char *only_kind;
};

static unsigned long long next_rand(struct gen *g)
{
	/* xorshift64*: reproducible content for a seed */
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return g->rng * 2685821657736338717ULL;
}

static long pick(struct gen *g, long n)
{
	return (long)(next_rand(g) % (unsigned long long)n);
}

static void die(struct gen *g, const char *what)
{
	fprintf(stderr, "gen_journal: %s: %s\n", what, journal_errmsg(g->j));
	exit(4);
}

static void add(struct gen *g, const char *state, const char *kind, const char *data)
{
	if (g->done >= g->want)
		return;
	if (g->batch > 1 && g->in_batch == 0 && journal_begin(g->j) != 0)
		die(g, "begin");
	if (journal_append(g->j, g->inc, g->flow, state, kind, data, NULL) != 0)
		die(g, "append");
	g->done++;
	if (g->batch > 1 && (++g->in_batch >= g->batch || g->done == g->want)) {
		if (journal_commit(g->j) != 0)
			die(g, "commit");
		g->in_batch = 0;
	}
}

static void addf(struct gen *g, const char *state, const char *kind, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static void addf(struct gen *g, const char *state, const char *kind, const char *fmt, ...)
{
	char data[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(data, sizeof(data), fmt, ap);
	va_end(ap);
	add(g, state, kind, data);
}

static void entered(struct gen *g, const char *state, const char *kind, int step)
{
	addf(g, state, "state.entered", "{\"kind\":\"%s\",\"step\":%d}", kind, step);
}

static void answered(struct gen *g, const char *state, const char *answer)
{
	addf(g, state, "prompt.answered",
	     "{\"answer\":\"%s\",\"outcome\":\"%s\",\"source\":\"answer\"}", answer, answer);
}

static void new_incident(struct gen *g, const char *flow, const char *title, const char *sev)
{
	uuid_new(g->inc);
	g->flow = flow;
	g->incidents++;
	addf(g, "", "incident.opened",
	     "{\"title\":\"%s\",\"severity\":\"%s\",\"section\":\"4.1\","
	     "\"config\":\"/etc/runbook/runbook.json\"}",
	     title, sev);
}

static void http_probe(struct gen *g, const char *state, int ok, int attempt)
{
	double ttfb = 20 + (double)pick(g, 4000) / 10.0;

	if (ok)
		addf(g, state, "probe.result",
		     "{\"url\":\"https://api.bilko.io/health\",\"status\":200,"
		     "\"http_version\":\"2\",\"timing\":{\"dns_ms\":%.3f,\"connect_ms\":%.3f,"
		     "\"tls_ms\":%.3f,\"ttfb_ms\":%.3f,\"total_ms\":%.3f},\"body_status\":"
		     "\"ok\","
		     "\"db\":\"ok\",\"outcome\":\"ok\",\"ok\":true,\"summary\":\"HTTP 200 in "
		     "%.0f "
		     "ms: status ok, db ok\",\"attempt\":%d}",
		     1.2, 8.5, 21.7, ttfb, ttfb + 0.4, ttfb, attempt);
	else
		addf(g, state, "probe.result",
		     "{\"url\":\"https://api.bilko.io/health\",\"status\":503,"
		     "\"http_version\":\"2\",\"timing\":{\"dns_ms\":%.3f,\"connect_ms\":%.3f,"
		     "\"tls_ms\":%.3f,\"ttfb_ms\":%.3f,\"total_ms\":%.3f},\"body_status\":"
		     "\"degraded\",\"db\":\"error\",\"outcome\":\"fail\",\"ok\":false,"
		     "\"summary\":\"HTTP 503 in %.0f ms: status degraded, db error\"}",
		     1.1, 9.0, 22.4, ttfb, ttfb + 0.3, ttfb);
}

/* A watch: attempts until one passes (or the window ends). */
static void watch(struct gen *g, const char *state, int step)
{
	long n = 1 + pick(g, 24);

	entered(g, state, "wait", step);
	for (long i = 1; i <= n; i++)
		http_probe(g, state, i == n, (int)i);
	addf(g, state, "incident.mitigated", "{\"by\":\"%s\"}", state);
}

static void closed(struct gen *g, const char *state, int step, const char *end)
{
	if (pick(g, 150) == 0) /* the process ended: never closed */
		return;
	entered(g, state, "end", step);
	addf(g, state, "incident.closed", "{\"end\":\"%s\",\"elapsed_s\":%.3f}", end,
	     60.0 + (double)pick(g, 360000) / 100.0);
}

static void destructive(struct gen *g, const char *state, const char *command,
                        const char *target, const char *kind, int step)
{
	entered(g, state, "action", step);
	addf(g, state, "action.intent",
	     "{\"command\":\"%s\",\"target\":\"%s\",\"target_kind\":\"%s\","
	     "\"destructive\":true,\"confirmed_with\":\"typed\"}",
	     command, target, kind);
	addf(g, state, "action.result",
	     "{\"exit_code\":0,\"ms\":%.3f,\"output\":\"Restarting the latest deployment of "
	     "service api...\\nService restarted\\n\",\"outcome\":\"ok\",\"ok\":true,"
	     "\"summary\":\"exit 0 in %.1f s\"}",
	     800.0 + (double)pick(g, 9000), 0.8 + (double)pick(g, 90) / 10.0);
}

static void api_down(struct gen *g)
{
	static const char *const causes[] = {"oom", "bad_deploy", "db_connections"};
	const char *cause = causes[pick(g, 3)];

	new_incident(g, "api-down", "API down: all requests failing", "P1");
	entered(g, "platform_status", "manual", 1);
	answered(g, "platform_status", "done");
	entered(g, "health", "probe", 2);
	http_probe(g, "health", 0, 1);
	entered(g, "logs", "probe", 3);
	addf(g, "logs", "probe.result",
	     "{\"command\":\"railway logs --service api --tail 50\",\"exit_code\":0,"
	     "\"lines\":50,\"findings\":{\"oom\":{\"count\":%ld,\"last_line\":48,\"sample\":"
	     "\"FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of "
	     "memory\"}},\"suggest\":\"%s\",\"outcome\":\"%s\",\"ok\":true,"
	     "\"summary\":\"%s in logs\"}",
	     1 + pick(g, 5), cause, cause, cause);
	entered(g, "cause", "choice", 4);
	addf(g, "cause", "prompt.answered",
	     "{\"suggested\":\"%s\",\"answer\":\"%s\",\"outcome\":\"%s\","
	     "\"source\":\"answer\"}",
	     cause, cause, cause);
	if (strcmp(cause, "bad_deploy") == 0)
		destructive(g, "rollback", "railway rollback --service api", "api", "service",
		            5);
	else
		destructive(g, "restart", "railway service restart --service api", "api",
		            "service", 5);
	watch(g, "verify", 6);
	if (pick(g, 5) == 0) {
		entered(g, "escalate", "notify", 7);
		addf(g, "escalate", "notify.sent",
		     "{\"channel\":\"slack\",\"status\":200,\"outcome\":\"sent\",\"ok\":true,"
		     "\"summary\":\"posted to #bilko-alerts\"}");
		closed(g, "escalated", 8, "escalated");
	} else {
		closed(g, "resolved", 7, "resolved");
	}
}

static void database(struct gen *g)
{
	long active = 21 + pick(g, 60), pid = 1000 + pick(g, 60000);

	new_incident(g, "database", "Database connections exhausted", "P1");
	entered(g, "connect", "probe", 1);
	addf(g, "connect", "probe.result",
	     "{\"connect_ms\":%.1f,\"server_version\":\"15.8\",\"outcome\":\"ok\",\"ok\":true,"
	     "\"summary\":\"connected in %.0f ms\"}",
	     3.0 + (double)pick(g, 300) / 10.0, 3.0);
	entered(g, "connections", "probe", 2);
	addf(g, "connections", "probe.result",
	     "{\"active\":%ld,\"idle\":%ld,\"idle_in_transaction\":%ld,\"total\":%ld,"
	     "\"max_connections\":100,\"outcome\":\"over\",\"ok\":false,\"summary\":\"%ld "
	     "active > 20 (runbook §3.1)\"}",
	     active, 10 + pick(g, 30), pick(g, 5), active + 40, active);
	entered(g, "slow_queries", "probe", 3);
	addf(g, "slow_queries", "probe.result",
	     "{\"rows\":3,\"queries\":[{\"pid\":%ld,\"duration_s\":%ld,\"state\":\"active\","
	     "\"query\":\"SELECT * FROM receipts WHERE organization_id = $1 ORDER BY "
	     "created_at\"}],\"outcome\":\"ok\",\"ok\":true,\"summary\":\"3 queries over 30 "
	     "s\"}",
	     pid, 30 + pick(g, 900));
	entered(g, "choose", "choice", 4);
	answered(g, "choose", "terminate");
	entered(g, "terminate_backend", "action", 5);
	addf(g, "terminate_backend", "prompt.answered",
	     "{\"answer\":\"%ld\",\"outcome\":\"%ld\",\"source\":\"answer\"}", pid, pid);
	addf(g, "terminate_backend", "action.intent",
	     "{\"sql\":\"SELECT pg_terminate_backend(%ld)\",\"target\":\"bilko\","
	     "\"target_kind\":\"database\",\"pids\":[%ld],\"destructive\":true,"
	     "\"confirmed_with\":\"typed\"}",
	     pid, pid);
	addf(g, "terminate_backend", "action.result",
	     "{\"terminated\":[%ld],\"failed\":[],\"outcome\":\"ok\",\"ok\":true,"
	     "\"summary\":\"terminated 1 of 1\"}",
	     pid);
	entered(g, "verify", "probe", 6);
	addf(g, "verify", "probe.result",
	     "{\"active\":%ld,\"outcome\":\"ok\",\"ok\":true,\"summary\":\"%ld active\"}",
	     2 + pick(g, 8), 2 + pick(g, 8));
	closed(g, "resolved", 7, "resolved");
}

static void error_rate(struct gen *g)
{
	new_incident(g, "error-rate", "5xx error rate over 1%", "P2");
	entered(g, "top_errors", "probe", 1);
	addf(g, "top_errors", "probe.result",
	     "{\"issues\":[{\"id\":\"%ld\",\"title\":\"TypeError: Cannot read properties of "
	     "undefined (reading 'amount')\",\"count\":%ld,\"culprit\":\"receipts/parse\"}],"
	     "\"rate\":%.2f,\"outcome\":\"high\",\"ok\":false,\"summary\":\"%.2f%% 5xx\"}",
	     4000000 + pick(g, 100000), 50 + pick(g, 5000), 1.5, 1.5);
	entered(g, "recent_deploy", "probe", 2);
	addf(g, "recent_deploy", "probe.result",
	     "{\"deployment\":\"d-%ld\",\"age_min\":%ld,\"outcome\":\"recent\",\"ok\":true,"
	     "\"summary\":\"deployed %ld min ago\"}",
	     pick(g, 99999), 3 + pick(g, 50), 3 + pick(g, 50));
	entered(g, "financial", "choice", 3);
	answered(g, "financial", pick(g, 4) == 0 ? "yes" : "no");
	destructive(g, "rollback", "railway rollback --service api", "api", "service", 4);
	watch(g, "verify", 5);
	closed(g, "resolved", 6, "resolved");
}

static void health(struct gen *g)
{
	new_incident(g, "health", "Routine health sweep", "P4");
	entered(g, "sweep", "probe", 1);
	addf(g, "sweep", "probe.result",
	     "{\"ok\":true,\"elapsed_ms\":%ld,\"checks\":[{\"name\":\"api\",\"status\":\"ok\","
	     "\"ms\":%ld},{\"name\":\"frontend\",\"status\":\"ok\",\"ms\":90},{\"name\":"
	     "\"database\",\"status\":\"ok\",\"ms\":12},{\"name\":\"storage\",\"status\":"
	     "\"ok\",\"ms\":140}],\"outcome\":\"ok\",\"summary\":\"all 4 checks ok\"}",
	     200 + pick(g, 300), 150 + pick(g, 300));
	entered(g, "report", "notify", 2);
	addf(g, "report", "notify.skipped",
	     "{\"outcome\":\"ok\",\"ok\":true,\"summary\":\"all 4 checks ok\",\"reason\":"
	     "\"nothing to report\"}");
	closed(g, "resolved", 3, "resolved");
}

/* One incident of every event: rounds of probe, answer, note, destructive action. */
static void single(struct gen *g)
{
	char out[2048];
	size_t off = 0;
	long round = 0;

	for (int i = 0; i < 30; i++)
		off += (size_t)snprintf(out + off, sizeof(out) - off,
		                        "2026-12-04T03:%02d:%02d Error: connect ECONNREFUSED "
		                        "10.0.0.7:5432\\n",
		                        i / 2, i % 60);
	new_incident(g, "api-down", "API down: all requests failing", "P1");
	while (g->done + 9 <= g->want) { /* a round is 7 events; 2 close it */
		round++;
		entered(g, "logs", "probe", (int)round);
		/* the command's output is journaled; one round in ten has 30 lines of it */
		addf(g, "logs", "probe.result",
		     "{\"command\":\"railway logs --service api --tail 50\",\"exit_code\":0,"
		     "\"lines\":30,\"output\":\"%s\",\"outcome\":\"ok\",\"ok\":true,"
		     "\"summary\":\"round %ld\"}",
		     round % 10 == 1 ? out : "", round);
		answered(g, "platform_status", "done");
		addf(g, "logs", "note",
		     "{\"text\":\"round %ld: still refused\",\"kind\":\"note\"}", round);
		destructive(g, "restart", "railway service restart --service api", "api",
		            "service", (int)round);
	}
	while (g->done + 2 < g->want)
		http_probe(g, "verify", 1, 1);
	entered(g, "resolved", "end", (int)round + 1);
	addf(g, "resolved", "incident.closed", "{\"end\":\"resolved\"}");
}

static void one_kind(struct gen *g)
{
	uuid_new(g->inc);
	g->flow = "api-down";
	g->incidents = 1;
	while (g->done < g->want)
		http_probe(g, "verify", (g->done & 1) != 0, (int)(g->done % 100));
}

static int usage(void)
{
	fprintf(stderr, "usage: gen_journal [--batch K] [--days D] [--end TIME] [--single] "
	                "[--kind probe] [--seed S] PATH N\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct gen g;
	double days = 90, end = clock_wall(), t0, secs, start;
	long long n = 0;
	const char *path = NULL;
	char err[1024], env[64], step[64];
	int is_single = 0, i;
	long v;

	runbook_test_hooks = 1; /* the test clock and ids, if set */

	memset(&g, 0, sizeof(g));
	g.batch = 5000;
	g.rng = 88172645463325252ULL;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc) {
			if (parse_long(argv[++i], 1, 10000000, &g.batch) != 0)
				return usage();
		} else if (strcmp(argv[i], "--days") == 0 && i + 1 < argc) {
			if (parse_double(argv[++i], &days) != 0 || days <= 0)
				return usage();
		} else if (strcmp(argv[i], "--end") == 0 && i + 1 < argc) {
			if (time_parse(argv[++i], &end) != 0)
				return usage();
		} else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
			if (parse_long(argv[++i], 1, 1000000000, &v) != 0)
				return usage();
			g.rng += (unsigned long long)v * 0x9e3779b97f4a7c15ULL;
		} else if (strcmp(argv[i], "--kind") == 0 && i + 1 < argc) {
			g.only_kind = argv[++i];
		} else if (strcmp(argv[i], "--single") == 0) {
			is_single = 1;
		} else if (path == NULL) {
			path = argv[i];
		} else if (n == 0) {
			if (parse_long(argv[i], 1, 100000000, &v) != 0)
				return usage();
			n = v;
		} else {
			return usage();
		}
	}
	if (path == NULL || n == 0)
		return usage();
	g.want = n;
	/* the test clock: the N appends' timestamps cover [end - days, end] evenly */
	start = end - days * 86400.0;
	time_format(start, env);
	snprintf(step, sizeof(step), "%.6f", days * 86400.0 * 1000.0 / (double)n);
	setenv("RUNBOOK_FAKE_NOW", env, 1);
	setenv("RUNBOOK_FAKE_STEP_MS", step, 1);
	if (journal_open(path, &g.j, err, sizeof(err)) != 0) {
		fprintf(stderr, "gen_journal: %s\n", err);
		return 4;
	}
	journal_set_identity(g.j, &(struct jidentity){.operator= "alice@bastion",
	                                              .os_user = "alice",
	                                              .host = "bastion-1",
	                                              .pid = 4242});
	t0 = (double)clock_mono_ns() / 1e9;
	if (g.only_kind != NULL)
		one_kind(&g);
	else if (is_single)
		single(&g);
	while (g.done < g.want) {
		long r = pick(&g, 100);

		if (r < 45)
			api_down(&g);
		else if (r < 65)
			database(&g);
		else if (r < 80)
			error_rate(&g);
		else
			health(&g);
	}
	if (g.in_batch > 0 && journal_commit(g.j) != 0)
		die(&g, "commit");
	secs = (double)clock_mono_ns() / 1e9 - t0;
	journal_close(g.j);
	printf("events=%lld incidents=%ld seconds=%.6f rate=%.1f\n", g.done, g.incidents, secs,
	       (double)g.done / secs);
	return 0;
}
