/*
 * mkincident.c - a large incident for the export tests and benchmark.
 *
 *   mkincident PATH N [ID]
 *       append one incident of N events (N >= 12) to the journal at PATH through
 *       journal_append: opened, a severity change, a handoff, then rounds of
 *       state.entered / probe.result (with a 40-line output) / prompt.answered / note /
 *       action.intent / action.result, an escalation, a mitigation, a refusal, a dry
 *       run and the close. Prints the incident id. PRAGMA synchronous is set to OFF on
 *       the tool's own connection (a test journal: speed over durability).
 *
 * RUNBOOK_FAKE_NOW / RUNBOOK_FAKE_STEP_MS give the events their times.
 */
#include "journal_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define DEFAULT_ID "5eed0000-0000-4000-8000-00000000b0b0"

static struct journal *j;
static const char *inc = DEFAULT_ID;
static long appended;

static void add(const char *state, const char *kind, const char *data)
{
	if (journal_append(j, inc, "api-down", state, kind, data, NULL) != 0) {
		fprintf(stderr, "mkincident: %s\n", journal_errmsg(j));
		exit(4);
	}
	appended++;
}

static void addf(const char *state, const char *kind, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static void addf(const char *state, const char *kind, const char *fmt, ...)
{
	va_list ap;
	char data[8192];

	va_start(ap, fmt);
	vsnprintf(data, sizeof(data), fmt, ap);
	va_end(ap);
	add(state, kind, data);
}

int main(int argc, char **argv)
{
	char err[1024];
	char output[4096];
	long n, round = 0;
	size_t off = 0;

	runbook_test_hooks = 1; /* the test clock and ids, if set */

	if (argc < 3 || parse_long(argv[2], 12, 100000000, &n) != 0) {
		fprintf(stderr, "usage: mkincident PATH N [ID]\n");
		return 2;
	}
	if (argc > 3)
		inc = argv[3];
	if (journal_open(argv[1], &j, err, sizeof(err)) != 0) {
		fprintf(stderr, "mkincident: %s\n", err);
		return 4;
	}
	if (sqlite3_exec(j->db, "PRAGMA synchronous = OFF", NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "mkincident: cannot set synchronous\n");
		return 1;
	}
	for (int i = 1; i <= 40; i++)
		off += (size_t)snprintf(output + off, sizeof(output) - off,
		                        "line %d: GET /health 500 upstream timeout\\n", i);
	add("", "incident.opened",
	    "{\"title\":\"A long incident\",\"severity\":\"P1\",\"section\":\"4.1\"}");
	add("", "severity.changed",
	    "{\"from\":\"P1\",\"to\":\"P0\",\"reason\":\"all regions down\"}");
	add("", "handoff", "{\"from\":\"alice\",\"to\":\"bob\",\"summary\":\"taking over\"}");
	while (appended < n - 6) {
		const char *st = round % 3 == 0   ? "health"
		                 : round % 3 == 1 ? "verify"
		                                  : "restart";

		switch (appended % 6) {
		case 0:
			addf(st, "state.entered", "{\"kind\":\"%s\",\"step\":%ld}",
			     round % 3 == 2 ? "action" : "probe", round + 1);
			break;
		case 1:
			addf(st, "probe.result",
			     "{\"url\":\"http://127.0.0.1:1/health\",\"status\":500,\"timing\":"
			     "{\"total_ms\":%ld},\"output\":\"%s\",\"outcome\":\"fail\",\"ok\":"
			     "false,"
			     "\"summary\":\"HTTP 500 in %ld ms\"}",
			     round % 97, output, round % 97);
			break;
		case 2:
			addf(st, "prompt.answered",
			     "{\"answer\":\"done\",\"outcome\":\"done\",\"source\":"
			     "\"answer\"}");
			break;
		case 3:
			addf(st, "note", "{\"text\":\"round %ld: still failing\"}", round);
			break;
		case 4:
			add(st, "action.intent",
			    "{\"command\":\"railway service restart --service api\",\"target\":"
			    "\"api\",\"target_kind\":\"service\",\"destructive\":true}");
			break;
		default:
			add(st, "action.result",
			    "{\"exit_code\":0,\"outcome\":\"ok\",\"ok\":true,\"summary\":"
			    "\"exit 0\"}");
			round++;
			break;
		}
	}
	add("escalate", "incident.escalated", "{\"reason\":\"timer\",\"after_min\":5}");
	add("rollback", "action.refused",
	    "{\"typed\":\"apii\",\"expected\":\"api\",\"destructive\":true,\"outcome\":"
	    "\"refused\"}");
	add("rollback", "action.skipped",
	    "{\"would_run\":\"railway redeploy\",\"reason\":\"dry run\",\"destructive\":true,"
	    "\"outcome\":\"skipped\"}");
	add("verify", "incident.mitigated", "{\"by\":\"verify\"}");
	add("resolved", "state.entered", "{\"kind\":\"end\",\"step\":99}");
	add("resolved", "incident.closed", "{\"end\":\"resolved\"}");
	printf("%s\n", inc);
	journal_close(j);
	return 0;
}
